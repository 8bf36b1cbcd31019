/* server.c - the listening socket, the epoll loop, connections, timers and
 * signals of fwpd. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "policy/pol_store.h"
#include "common/log.h"
#include "fwpd/fwpd.h"
#include "wire/message.h"

/* epoll tags: small integers for the fixed descriptors, else a conn. */
#define TAG_LISTEN ((void *)1)
#define TAG_TIMER ((void *)2)
#define TAG_SIGNAL ((void *)3)
#define TAG_NET ((void *)4)
#define TAG_DP ((void *)5)

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

/* Binds under a temporary name and renames into place once listening, so
 * the socket appears only when it accepts: a client that sees the path
 * never gets ECONNREFUSED from a daemon still starting. */
static int listen_on(const struct server_options *opt)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(sa.sun_path)];
	mode_t old;
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d", opt->socket_path, (int)getpid()) >=
	    sizeof(tmp)) {
		fwp_log(FWP_LOG_ERROR, "socket path too long: %s", opt->socket_path);
		return -ENAMETOOLONG;
	}
	/* One daemon per socket: refuse to take over a live one. */
	strcpy(sa.sun_path, opt->socket_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		fwp_log(FWP_LOG_ERROR, "%s: another fwpd is running", opt->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	strcpy(sa.sun_path, tmp);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(tmp);
	/* Created owner-only; loosened to the wanted mode only afterwards, so
	 * there is no moment with looser permissions than intended. */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && chmod(tmp, opt->socket_mode))
		err = -errno;
	if (!err && listen(fd, 128))
		err = -errno;
	if (!err && rename(tmp, opt->socket_path))
		err = -errno;
	if (err) {
		fwp_log(FWP_LOG_ERROR, "%s: %s", opt->socket_path, strerror(-err));
		unlink(tmp);
		close(fd);
		return err;
	}
	return fd;
}

static int add_fd(struct server *srv, int fd, void *tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int server_init(struct server *srv, const struct server_options *opt, int inherited_fd)
{
	struct engine_config cfg = {
		.deadline_changed = deadline_changed,
		.deadline_arg = srv,
		.expire_drain_ms = opt->expire_drain_ms,
		.expire_drain_set = opt->expire_drain_set,
		.max_contexts = opt->max_sa_contexts,
	};
	struct group *gr;
	sigset_t mask;

	memset(srv, 0, sizeof(*srv));
	srv->opt = *opt;
	srv->epfd = srv->listen_fd = srv->timer_fd = srv->signal_fd = -1;
	srv->rxbuf = malloc(FWPD_MSG_MAX + 1);
	srv->txbuf = malloc(FWPD_MSG_MAX);
	if (!srv->rxbuf || !srv->txbuf)
		return -ENOMEM;
	gr = opt->group ? getgrnam(opt->group) : NULL;
	if (gr) {
		srv->group_gid = gr->gr_gid;
		srv->have_group = true;
	} else if (opt->group) {
		fwp_log(FWP_LOG_WARN, "group %s does not exist: only root holds every right",
			opt->group);
	}
	if (opt->state_dir && mkdir(opt->state_dir, 0700) && errno != EEXIST) {
		fwp_log(FWP_LOG_ERROR, "%s: %s", opt->state_dir, strerror(errno));
		return -errno;
	}
	if (opt->state_dir) {
		char path[4096];
		int err;

		snprintf(path, sizeof(path), "%s/policy.db", opt->state_dir);
		err = pol_store_open(path, &srv->store);
		if (err) {
			fwp_log(FWP_LOG_ERROR, "%s: %s", path, strerror(-err));
			return err;
		}
		cfg.store = &pol_store_ops;
		cfg.store_arg = srv->store;
	}
	if (opt->datapath) {
		const char *why;
		int err = dp_create(&srv->dp, &opt->dp, &why);

		if (err) {
			fwp_log(FWP_LOG_ERROR, "datapath: %s: %s", why, strerror(-err));
			return err;
		}
		cfg.backend = dp_backend(srv->dp);
	}
	if (engine_create(&cfg, &srv->engine))
		return -ENOMEM;
	if (srv->dp)
		dp_attach(srv->dp, srv->engine);
	if (srv->store) {
		size_t restored = 0, skipped = 0;
		int err = pol_store_restore(srv->store, srv->engine, &restored, &skipped);

		if (err) {
			fwp_log(FWP_LOG_ERROR, "cannot read the persistent policy: %s",
				strerror(-err));
			return err;
		}
		fwp_log(FWP_LOG_INFO, "%zu persistent objects restored%s", restored,
			skipped ? " (some skipped, see above)" : "");
	}
	srv->owns_socket = inherited_fd < 0;
	srv->listen_fd = inherited_fd >= 0 ? inherited_fd : listen_on(opt);
	if (srv->listen_fd < 0)
		return srv->listen_fd;
	fcntl(srv->listen_fd, F_SETFL, fcntl(srv->listen_fd, F_GETFL) | O_NONBLOCK);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv->epfd < 0 || srv->timer_fd < 0 || srv->signal_fd < 0)
		return -errno;
	if (add_fd(srv, srv->listen_fd, TAG_LISTEN, EPOLLIN) ||
	    add_fd(srv, srv->timer_fd, TAG_TIMER, EPOLLIN) ||
	    add_fd(srv, srv->signal_fd, TAG_SIGNAL, EPOLLIN))
		return -errno;
	if (net_relay_init(srv))
		return -ENOMEM;
	if (add_fd(srv, net_relay_fd(srv), TAG_NET, EPOLLIN))
		return -errno;
	if (srv->dp) {
		int err;

		if (add_fd(srv, dp_notice_fd(srv->dp), TAG_DP, EPOLLIN))
			return -errno;
		err = dp_start(srv->dp);
		if (err)
			return err;
		fwp_log(FWP_LOG_INFO, "datapath on %s", dp_tun_name(srv->dp));
	}
	return 0;
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
	while (c->out_head) {
		struct out_msg *n = c->out_head->next;

		free(c->out_head);
		c->out_head = n;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	free(c);
}

static void set_write_interest(struct conn *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };

	if (c->want_write == on)
		return;
	c->want_write = on;
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
	if (!c->out_head && c->events_dropped)
		queue_drop_notice(c);
	while (c->out_head) {
		struct out_msg *m = c->out_head;
		ssize_t n = send(c->fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				set_write_interest(c, true);
				return 0;
			}
			return -errno;
		}
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->queued_bytes -= m->len;
		free(m);
		if (!c->out_head && c->events_dropped)
			queue_drop_notice(c);
	}
	set_write_interest(c, false);
	return 0;
}

int conn_queue(struct conn *c, const void *msg, size_t len)
{
	struct out_msg *m;

	if (c->queued_bytes + len > c->srv->opt.max_queued_bytes)
		return -ENOBUFS;
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
	return 0;
}

static void accept_conns(struct server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;
		if (srv->nconns >= srv->opt.max_connections) {
			fwp_log(FWP_LOG_WARN, "connection limit (%u) reached",
				srv->opt.max_connections);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		c->rights = rights_for_peer(srv, fd, &c->uid, &c->pid);
		if (add_fd(srv, fd, c, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		srv->nconns++;
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

	if (c->queued_bytes > srv->opt.max_queued_bytes / 2)
		return true;	/* let the client read first */
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

/* Sends the replies and events of the batch; closes connections that
 * asked for it once their output is out. */
static void flush_all(struct server *srv)
{
	struct conn *c = srv->conns, *next;

	for (; c; c = next) {
		next = c->next;
		/* Losses alone (net events the relay dropped) also need a
		 * flush: it queues the DROPPED notice. */
		if ((c->out_head || c->events_dropped) && !c->want_write && conn_flush(c))
			conn_free(c);
		else if (c->closing && !c->out_head)
			conn_free(c);
	}
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
			} else if (tag == TAG_TIMER) {
				uint64_t x;

				if (read(srv->timer_fd, &x, sizeof(x)) > 0)
					engine_run_timers(srv->engine);
				srv->timer_dirty = true;
			} else if (tag == TAG_NET) {
				net_relay_drain(srv);
			} else if (tag == TAG_DP) {
				dp_deliver_notices(srv->dp);
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
		dp_stop(srv->dp);
	while (srv->conns)
		conn_free(srv->conns);
	/* Deletes every context (and wipes every key) before exit. */
	engine_destroy(srv->engine);
	/* Then the routes, rules and device the contexts used. */
	dp_destroy(srv->dp);
	srv->dp = NULL;
	pol_store_close(srv->store);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		/* A socket systemd passed in is systemd's to remove. */
		if (srv->owns_socket && srv->opt.socket_path)
			unlink(srv->opt.socket_path);
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->timer_fd >= 0)
		close(srv->timer_fd);
	if (srv->signal_fd >= 0)
		close(srv->signal_fd);
	net_relay_fini(srv);
	free(srv->rxbuf);
	free(srv->txbuf);
}
