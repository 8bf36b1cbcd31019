/* server.c - the listening socket, the epoll loop, connections, timers and
 * signals of fwpd. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "policy/pol_store.h"
#include "common/log.h"
#include "common/secdesc.h"
#include "fwpd/fwpd.h"
#include "wire/message.h"

/* epoll tags: small integers for the fixed descriptors, else a conn. */
#define TAG_LISTEN ((void *)1)
#define TAG_TIMER ((void *)2)
#define TAG_SIGNAL ((void *)3)
#define TAG_NET ((void *)4)
#define TAG_DP ((void *)5)
#define TAG_ACCEPT ((void *)6)

/* How long accept rests when descriptors run out. */
#define ACCEPT_PAUSE_MS 100
/* Descriptors kept for everything but connections: the datapath's
 * sockets and TUN queues, the store, the loop's own. */
#define FD_HEADROOM 64

/* Messages any local user can cause: a few, then one per second. */
static struct fwp_ratelimit rl_refused = FWP_RATELIMIT_INIT(5, 1000);
static struct fwp_ratelimit rl_cut = FWP_RATELIMIT_INIT(5, 1000);
static struct fwp_ratelimit rl_accept = FWP_RATELIMIT_INIT(5, 1000);

static void deadline_changed(void *arg)
{
	struct server *srv = arg;

	srv->timer_dirty = true;
}

static void rearm_timer(struct server *srv)
{
	uint64_t d = engine_next_deadline(srv->engine), now;
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (d != UINT64_MAX) {
		now = engine_now_ms(srv->engine);
		d = d > now ? d - now : 1;
		its.it_value.tv_sec = (time_t)(d / 1000);
		its.it_value.tv_nsec = (long)(d % 1000) * 1000000;
	}
	timerfd_settime(srv->timer_fd, 0, &its, NULL);
	srv->timer_dirty = false;
}

/* Before anything is touched: the path must be free or a stale socket, in
 * a directory only we control, and no fwpd may answer there (one daemon
 * per socket: a second one must not even create its datapath). */
static int probe_socket(const struct server_options *opt)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(opt->socket_path) + 12 >= sizeof(sa.sun_path)) {
		fwp_log(FWP_LOG_ERROR, "socket path too long: %s", opt->socket_path);
		return -ENAMETOOLONG;
	}
	err = check_socket_path(opt->socket_path);
	if (err)
		return err;
	strcpy(sa.sun_path, opt->socket_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		fwp_log(FWP_LOG_ERROR,
			"%s is busy: another fwpd is listening there (stop it, or give this "
			"one another --socket)", opt->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	return 0;
}

/* Binds under a temporary name and renames into place once listening, so
 * the socket appears only when it accepts: a client that sees the path
 * never gets ECONNREFUSED from a daemon still starting. */
static int listen_on(struct server *srv)
{
	const struct server_options *opt = &srv->opt;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.%d", opt->socket_path, (int)getpid());
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	/* Created owner-only; loosened to the wanted mode only afterwards, so
	 * there is no moment with looser permissions than intended. */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && chmod(sa.sun_path, opt->socket_mode))
		err = -errno;
	if (!err && lstat(sa.sun_path, &st))
		err = -errno;
	if (!err && listen(fd, 128))
		err = -errno;
	/* Replaces at most a stale socket (probe_socket; the directory is
	 * ours, so nobody put anything else there since). */
	if (!err && rename(sa.sun_path, opt->socket_path))
		err = -errno;
	if (err) {
		fwp_log(FWP_LOG_ERROR, "%s: %s", opt->socket_path, strerror(-err));
		unlink(sa.sun_path);
		close(fd);
		return err;
	}
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	return fd;
}

/* Removes the socket at --socket only if it is still the one we made. */
static void unlink_own_socket(const struct server *srv)
{
	struct stat st;

	if (lstat(srv->opt.socket_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
		unlink(srv->opt.socket_path);
}

static int add_fd(struct server *srv, int fd, void *tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The state directory (created 0700 if missing) and the store's files
 * must be ours alone: a planted policy.db would be restored as policy. */
static int open_store(struct server *srv, struct engine_config *cfg)
{
	static const char *const files[] = { "", "-wal", "-journal", "-shm" };
	const char *dir = srv->opt.state_dir;
	char path[4096];
	int err;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		fwp_log(FWP_LOG_ERROR, "%s: %s", dir, strerror(errno));
		return err;
	}
	err = check_state_dir(dir);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/policy.db%s", dir, files[i]);
		err = check_state_file(path);
		if (err)
			return err;
	}
	snprintf(path, sizeof(path), "%s/policy.db", dir);
	err = pol_store_open(path, &srv->store);
	if (err) {
		fwp_log(FWP_LOG_ERROR, "%s: %s", path, strerror(-err));
		return err;
	}
	cfg->store = &pol_store_ops;
	cfg->store_arg = srv->store;
	return 0;
}

/* What is busy and what to do instead, for the start-up failures that
 * mean "in use"; "" for the others. */
static const char *dp_hint(const struct dp_config *dc, int err, const char *why, char *buf,
			   size_t len)
{
	if (err == -EADDRINUSE)
		snprintf(buf, len,
			 " (UDP port %u is held by another program, perhaps another fwpd: "
			 "choose another with --udp-port, or --udp-port 0 for none)",
			 (unsigned)dc->udp_port);
	else if ((err == -EBUSY || err == -EEXIST) && !strncmp(why, "TUN", 3))
		snprintf(buf, len,
			 " (device %s is in use, perhaps by another fwpd: choose another "
			 "with --tun-name)", dc->tun_name ? dc->tun_name : "fwp0");
	else
		buf[0] = 0;
	return buf;
}

static int create_datapath(struct server *srv, struct engine_config *cfg)
{
	const char *why;
	char hint[200];
	int err = srv->opt.datapath->create(&srv->dp, &srv->opt.dp, &why);

	if (err) {
		srv->dp = NULL;
		fwp_log(FWP_LOG_ERROR, "datapath: %s: %s%s", why, strerror(-err),
			dp_hint(&srv->opt.dp, err, why, hint, sizeof(hint)));
		return err;
	}
	cfg->backend = srv->opt.datapath->backend(srv->dp);
	return 0;
}

/* Connections must run out before descriptors do, or the reserved slots
 * would mean nothing: raise the soft limit to the hard one, and lower
 * --max-connections to what the limit leaves if it is still too low. */
static void fit_fd_limit(struct server *srv)
{
	struct server_options *o = &srv->opt;
	struct rlimit rl;
	rlim_t want = (rlim_t)o->max_connections + FD_HEADROOM;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < want && rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = rl;

		raised.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
	}
	if (rl.rlim_cur >= want)
		return;
	o->max_connections = rl.rlim_cur > 2 * FD_HEADROOM ? (unsigned)(rl.rlim_cur - FD_HEADROOM)
							     : FD_HEADROOM;
	if (o->reserved_connections >= o->max_connections)
		o->reserved_connections = o->max_connections / 4;
	fwp_log(FWP_LOG_WARN,
		"descriptor limit %llu: --max-connections lowered to %u (raise LimitNOFILE)",
		(unsigned long long)rl.rlim_cur, o->max_connections);
}

static int setup_loop(struct server *srv)
{
	sigset_t mask;

	fcntl(srv->listen_fd, F_SETFL, fcntl(srv->listen_fd, F_GETFL) | O_NONBLOCK);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	srv->accept_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv->epfd < 0 || srv->timer_fd < 0 || srv->signal_fd < 0 || srv->accept_timer_fd < 0)
		return -errno;
	if (add_fd(srv, srv->listen_fd, TAG_LISTEN, EPOLLIN) ||
	    add_fd(srv, srv->timer_fd, TAG_TIMER, EPOLLIN) ||
	    add_fd(srv, srv->accept_timer_fd, TAG_ACCEPT, EPOLLIN) ||
	    add_fd(srv, srv->signal_fd, TAG_SIGNAL, EPOLLIN))
		return -errno;
	if (net_relay_init(srv))
		return -ENOMEM;
	if (add_fd(srv, net_relay_fd(srv), TAG_NET, EPOLLIN))
		return -errno;
	return 0;
}

int server_init(struct server *srv, const struct server_options *opt, int inherited_fd)
{
	struct engine_config cfg = {
		.deadline_changed = deadline_changed,
		.deadline_arg = srv,
		.expire_drain_ms = opt->expire_drain_ms,
		.expire_drain_set = opt->expire_drain_set,
		.max_contexts = opt->max_sa_contexts,
		.refuse_md5 = opt->refuse_md5,
	};
	struct group *gr;
	void *sd;
	int err;

	memset(srv, 0, sizeof(*srv));
	srv->opt = *opt;
	srv->epfd = srv->listen_fd = srv->timer_fd = srv->signal_fd = -1;
	srv->accept_timer_fd = -1;
	srv->rxbuf = malloc(FWPD_MSG_MAX + 1);
	srv->txbuf = malloc(FWPD_MSG_MAX);
	if (!srv->rxbuf || !srv->txbuf)
		return -ENOMEM;
	fit_fd_limit(srv);
	if (inherited_fd < 0 && (err = probe_socket(opt)))
		return err;
	gr = opt->group ? getgrnam(opt->group) : NULL;
	if (gr) {
		srv->group_gid = gr->gr_gid;
		srv->have_group = true;
	} else if (opt->group) {
		fwp_log(FWP_LOG_WARN, "group %s does not exist: only root holds every right",
			opt->group);
	}
	if (opt->state_dir && (err = open_store(srv, &cfg)))
		return err;
	if (opt->datapath && (err = create_datapath(srv, &cfg)))
		return err;
	/* What the access rules were before descriptors: root and the group
	 * every right, other users open/read/enumerate/subscribe/statistics. */
	if (sd_default_service(srv->have_group, srv->group_gid, &sd, &cfg.default_sd_len))
		return -ENOMEM;
	cfg.default_sd = sd;
	if (opt->state_dir) {
		cfg.sd_store = &sd_file_ops;
		cfg.sd_store_arg = srv;
	}
	err = engine_create(&cfg, &srv->engine) ? -ENOMEM : 0;
	free(sd);
	if (!err && opt->state_dir)
		err = sd_file_load(srv);
	if (err)
		return err;
	if (srv->dp) {
		struct be_host host = engine_host(srv->engine);

		srv->opt.datapath->attach(srv->dp, &host);
	}
	if (srv->store) {
		size_t restored = 0, skipped = 0;

		err = pol_store_restore(srv->store, srv->engine, &restored, &skipped);
		if (err) {
			fwp_log(FWP_LOG_ERROR, "cannot read the persistent policy: %s",
				strerror(-err));
			return err;
		}
		fwp_log(FWP_LOG_INFO, "%zu persistent objects restored%s", restored,
			skipped ? " (some skipped, see above)" : "");
	}
	srv->owns_socket = inherited_fd < 0;
	srv->listen_fd = inherited_fd >= 0 ? inherited_fd : listen_on(srv);
	if (srv->listen_fd < 0)
		return srv->listen_fd;
	err = setup_loop(srv);
	if (err)
		return err;
	if (srv->dp) {
		const struct be_life_ops *l = srv->opt.datapath;

		if (l->notice_fd(srv->dp) >= 0 &&
		    add_fd(srv, l->notice_fd(srv->dp), TAG_DP, EPOLLIN))
			return -errno;
		err = l->start(srv->dp);
		if (err)
			return err;
		fwp_log(FWP_LOG_INFO, "datapath %s on %s", l->name, l->describe(srv->dp));
	}
	return 0;
}

/* Frees c's queue; the memory goes back to the system at the end of the
 * batch if it was much (flush_all). */
static void conn_drop_queue(struct conn *c)
{
	struct server *srv = c->srv;

	while (c->out_head) {
		struct out_msg *n = c->out_head->next;

		free(c->out_head);
		c->out_head = n;
	}
	c->out_tail = NULL;
	if (c->queued_bytes >= 256 * 1024)
		srv->trim = true;
	srv->total_queued -= c->queued_bytes;
	c->queued_bytes = 0;
}

static void pause_accept(struct server *srv)
{
	struct itimerspec its = { .it_value.tv_nsec = ACCEPT_PAUSE_MS * 1000000L };
	struct epoll_event ev = { .events = 0, .data.ptr = TAG_LISTEN };

	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
	timerfd_settime(srv->accept_timer_fd, 0, &its, NULL);
	srv->accept_paused = true;
}

static void resume_accept(struct server *srv)
{
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = TAG_LISTEN };

	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
	timerfd_settime(srv->accept_timer_fd, 0, &off, NULL);
	srv->accept_paused = false;
}

static void conn_free(struct conn *c)
{
	struct server *srv = c->srv;

	/* Ends the session: its subscriptions, enumerations and transaction
	 * go; its SA contexts stay (they are never dynamic). */
	if (c->session)
		engine_session_close(c->session);
	net_relay_forget(srv, c);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conn_drop_queue(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	if (!c->privileged)
		srv->nunprivileged--;
	free(c);
	/* A descriptor came free: a paused accept may go on. */
	if (srv->accept_paused && !srv->stop)
		resume_accept(srv);
}

/* Registers what the loop wants to hear of c: requests only while its
 * queue is at most half full (a client that sends without reading is
 * not read, so it cannot keep the loop busy: level-triggered EPOLLIN
 * would report it again at once), writability only while a send would
 * block. Hang-ups are always reported. */
static void conn_set_events(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	ev.events = 0;
	if (!c->closing && !c->cut && c->queued_bytes <= c->srv->opt.max_queued_bytes / 2)
		ev.events |= EPOLLIN;
	if (c->want_write && !c->cut)
		ev.events |= EPOLLOUT;
	if (ev.events == c->epoll_events)
		return;
	c->epoll_events = ev.events;
	epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Tells a connection whose queue overflowed how many events it lost
 * (cookie 0: every subscription of the connection). */
static void queue_drop_notice(struct conn *c)
{
	unsigned char buf[128];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_MSG_EVENT, 0);
	FWPX_SA_CONTEXT_EVENT0 ev = {
		.eventType = FWPX_SA_CONTEXT_EVENT_DROPPED,
		.numDropped = c->events_dropped > UINT32_MAX ? UINT32_MAX
							      : (UINT32)c->events_dropped,
	};

	msg_put_u64(nlh, FWPD_A_COOKIE, 0);
	msg_put_raw(nlh, FWPD_A_EVENT, &ev, sizeof(ev));
	if (conn_queue(c, nlh, nlh->nlmsg_len) == 0)
		c->events_dropped = 0;
}

/* Sends what is queued; 0, or -errno when the peer is gone. */
static int conn_flush(struct conn *c)
{
	if (c->cut)
		return -EPIPE;
	if (!c->out_head && c->events_dropped)
		queue_drop_notice(c);
	while (c->out_head) {
		struct out_msg *m = c->out_head;
		ssize_t n = send(c->fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->want_write = true;
				return 0;
			}
			return -errno;
		}
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->queued_bytes -= m->len;
		c->srv->total_queued -= m->len;
		free(m);
		if (!c->out_head && c->events_dropped)
			queue_drop_notice(c);
	}
	c->want_write = false;
	return 0;
}

static struct conn *largest_queue(struct server *srv)
{
	struct conn *big = NULL;

	for (struct conn *c = srv->conns; c; c = c->next)
		if (c->queued_bytes && (!big || c->queued_bytes > big->queued_bytes))
			big = c;
	return big;
}

/* The queues together reached --max-queued-total: c's is dropped and the
 * connection ends (flush_all frees it); its peer reads what its socket
 * holds, then EOF. */
static void conn_cut(struct conn *c)
{
	struct server *srv = c->srv;

	fwp_log_limited(&rl_cut, FWP_LOG_WARN,
			"client uid %u pid %d cut: queued output of all clients reached %zu "
			"bytes, its %zu were the most", (unsigned)c->uid, (int)c->pid,
			srv->opt.max_queued_total, c->queued_bytes);
	conn_drop_queue(c);
	srv->trim = true;
	c->cut = true;
	c->closing = true;
	shutdown(c->fd, SHUT_RDWR);
}

int conn_queue(struct conn *c, const void *msg, size_t len)
{
	struct server *srv = c->srv;
	struct out_msg *m;

	if (c->cut || c->queued_bytes + len > srv->opt.max_queued_bytes)
		return -ENOBUFS;
	while (srv->total_queued + len > srv->opt.max_queued_total) {
		struct conn *big = largest_queue(srv);

		if (!big)
			break;	/* nothing queued: one message may pass */
		conn_cut(big);
		if (big == c)
			return -ENOBUFS;
	}
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOBUFS;
	m->next = NULL;
	m->len = len;
	memcpy(m->data, msg, len);
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	c->queued_bytes += len;
	srv->total_queued += len;
	if (srv->total_queued > srv->queued_hiwat)
		srv->queued_hiwat = srv->total_queued;
	return 0;
}

static unsigned user_conns(const struct server *srv, uid_t uid)
{
	unsigned n = 0;

	for (const struct conn *c = srv->conns; c; c = c->next)
		n += !c->privileged && c->uid == uid;
	return n;
}

/* Why a new connection may not be had, or NULL. The last
 * --reserved-connections slots are for root and the service group, so no
 * number of unprivileged connections locks them out. */
static const char *refusal(const struct server *srv, bool privileged, uid_t uid)
{
	const struct server_options *o = &srv->opt;

	if (srv->nconns >= o->max_connections)
		return "connection limit reached (--max-connections)";
	if (privileged)
		return NULL;
	if (srv->nunprivileged + o->reserved_connections >= o->max_connections)
		return "the free slots are reserved for privileged clients "
		       "(--reserved-connections)";
	if (o->max_user_connections && user_conns(srv, uid) >= o->max_user_connections)
		return "per-user connection limit reached (--max-user-connections)";
	return NULL;
}

static void accept_one(struct server *srv, int fd)
{
	uid_t uid = (uid_t)-1;
	pid_t pid = 0;
	uint32_t rights = rights_for_peer(srv, fd, &uid, &pid);
	bool privileged = rights == ENGINE_RIGHTS_ALL;
	const char *why = refusal(srv, privileged, uid);
	struct conn *c;

	if (why) {
		fwp_log_limited(&rl_refused, FWP_LOG_WARN,
				"connection from uid %u pid %d refused: %s", (unsigned)uid,
				(int)pid, why);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->rights = ENGINE_RIGHTS_ALL;	/* the engine's descriptors decide */
	c->uid = uid;
	c->pid = pid;
	c->privileged = privileged;
	c->epoll_events = EPOLLIN;
	if (add_fd(srv, fd, c, EPOLLIN)) {
		close(fd);
		free(c);
		return;
	}
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	if (!privileged)
		srv->nunprivileged++;
}

/* At most a batch per wake-up (the listening socket stays readable if
 * more wait). Out of descriptors, accept would fail at once again and
 * again: the listening socket rests until a connection closes or
 * ACCEPT_PAUSE_MS pass, and the clients wait in the backlog. */
static void accept_conns(struct server *srv)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(srv, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			fwp_log_limited(&rl_accept, FWP_LOG_WARN,
					"accept: %s: not accepting for %d ms", strerror(errno),
					ACCEPT_PAUSE_MS);
			pause_accept(srv);
		}
		return;
	}
}

/* Reads and runs one request of c; false when c must go. Level-triggered
 * epoll reports c again if more are waiting, so a client with one call in
 * flight costs one recv per call, and a busy client cannot starve others. */
static bool conn_read(struct conn *c)
{
	struct server *srv = c->srv;
	ssize_t n;
	bool keep;

	if (c->closing || c->queued_bytes > srv->opt.max_queued_bytes / 2)
		return true;	/* not read until its queue drains */
	n = recv(c->fd, srv->rxbuf, FWPD_MSG_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK;
	if (n == 0)
		return false;	/* peer closed */
	if (n > FWPD_MSG_MAX) {
		/* Oversized: refuse it like any malformed message. */
		handle_request(c, srv->rxbuf, 0);
		c->closing = true;
		return true;
	}
	keep = handle_request(c, srv->rxbuf, (size_t)n);
	/* Requests may carry keys (AddInbound/AddOutbound). */
	explicit_bzero(srv->rxbuf, (size_t)n);
	if (!keep)
		c->closing = true;
	return true;
}

/* Replies are not sent here but after every ready connection has been
 * served (flush_all): waking a client before the batch is done would only
 * make it preempt the daemon. */
static void handle_conn(struct conn *c, uint32_t events)
{
	bool keep = true;

	if (events & EPOLLIN)
		keep = conn_read(c);
	if (keep && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		keep = false;
	if (keep && (events & EPOLLOUT) && conn_flush(c))
		keep = false;
	if (!keep)
		conn_free(c);
}

/* Gives freed queues back to the system: a burst of slow clients must not
 * leave fwpd large for good. */
static void maybe_trim(struct server *srv)
{
	if (!srv->trim && !(srv->queued_hiwat >= (1u << 20) &&
			    srv->total_queued < srv->queued_hiwat / 4))
		return;
	malloc_trim(0);
	srv->trim = false;
	srv->queued_hiwat = srv->total_queued;
}

/* Sends the replies and events of the batch; closes connections that
 * asked for it once their output is out, and those cut; then sets what
 * each connection is to be woken for. */
static void flush_all(struct server *srv)
{
	struct conn *c = srv->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->cut) {
			conn_free(c);
			continue;
		}
		/* Losses alone (net events the relay dropped) also need a
		 * flush: it queues the DROPPED notice. */
		if ((c->out_head || c->events_dropped) && !c->want_write && conn_flush(c))
			conn_free(c);
		else if (c->closing && !c->out_head)
			conn_free(c);
		else
			conn_set_events(c);
	}
	maybe_trim(srv);
}

int server_run(struct server *srv)
{
	struct epoll_event evs[64];

	rearm_timer(srv);
	while (!srv->stop) {
		int n = epoll_wait(srv->epfd, evs, 64, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;

			if (tag == TAG_LISTEN) {
				accept_conns(srv);
			} else if (tag == TAG_ACCEPT) {
				uint64_t x;

				if (read(srv->accept_timer_fd, &x, sizeof(x)) > 0 &&
				    srv->accept_paused)
					resume_accept(srv);
			} else if (tag == TAG_TIMER) {
				uint64_t x;

				if (read(srv->timer_fd, &x, sizeof(x)) > 0)
					engine_run_timers(srv->engine);
				srv->timer_dirty = true;
			} else if (tag == TAG_NET) {
				net_relay_drain(srv);
			} else if (tag == TAG_DP) {
				srv->opt.datapath->deliver(srv->dp);
			} else if (tag == TAG_SIGNAL) {
				struct signalfd_siginfo si;

				if (read(srv->signal_fd, &si, sizeof(si)) <= 0)
					continue;
				if (si.ssi_signo == SIGHUP) {
					/* No configuration file to reload. */
					fwp_log(FWP_LOG_INFO, "SIGHUP: nothing to reload");
					continue;
				}
				fwp_log(FWP_LOG_INFO, "signal %u: stopping", si.ssi_signo);
				srv->stop = true;
			} else {
				handle_conn(tag, evs[i].events);
			}
		}
		flush_all(srv);
		if (srv->timer_dirty)
			rearm_timer(srv);
	}
	return 0;
}

void server_fini(struct server *srv)
{
	/* Nothing may raise into the engine once it is gone. */
	test_hooks_fini(srv);
	if (srv->dp)
		srv->opt.datapath->stop(srv->dp);
	while (srv->conns)
		conn_free(srv->conns);
	/* Deletes every context (and wipes every key) before exit. */
	engine_destroy(srv->engine);
	/* Then the routes, rules and device the contexts used. */
	if (srv->dp)
		srv->opt.datapath->destroy(srv->dp);
	srv->dp = NULL;
	pol_store_close(srv->store);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		/* A socket systemd passed in is systemd's to remove. */
		if (srv->owns_socket && srv->opt.socket_path)
			unlink_own_socket(srv);
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->timer_fd >= 0)
		close(srv->timer_fd);
	if (srv->signal_fd >= 0)
		close(srv->signal_fd);
	if (srv->accept_timer_fd >= 0)
		close(srv->accept_timer_fd);
	net_relay_fini(srv);
	free(srv->rxbuf);
	free(srv->txbuf);
}
