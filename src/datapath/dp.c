/* dp.c - the datapath's life cycle: device, sockets, steering, threads,
 * and the notices the packet threads leave for the engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <net/if.h>

#include "common/log.h"
#include "datapath/dp_internal.h"
#include "datapath/dp_clear.h"

uint64_t dp_now_ms(void)
{
	struct timespec ts;

	/* The engine's clock (CLOCK_MONOTONIC), so last-use times compare. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A raw socket for permitted packets that were routed into the TUN: sent
 * as they are, marked so they follow the main table. */
static int bypass_socket(int family, uint32_t mark)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);

	if (fd < 0)
		return -1;
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* clean: a stop after the SAs are gone, the guard goes too; else (a start
 * that failed) a guard holding what a dead run protected stays. */
static void dp_free(struct dp *dp, bool clean)
{
	if (dp->steer.rtnl.nl)
		steer_close(&dp->steer);
	natt_share_close(&dp->natt);
	dp_instance_unlock(&dp->natt_lock);
	udp_io_close(&dp->io);
	tun_close(&dp->tun);
	if (dp->guarded)
		guard_close(&dp->guard, !clean && dp->guard.held);
	dp_instance_unlock(&dp->inst);
	for (int i = 0; i < 2; i++)
		if (dp->bypass_fd[i] >= 0)
			close(dp->bypass_fd[i]);
	if (dp->notice_fd >= 0)
		close(dp->notice_fd);
	if (dp->stop_fd >= 0)
		close(dp->stop_fd);
	dp_table_fini(dp);
	pthread_mutex_destroy(&dp->notice_lock);
	free(dp->threads);
	free(dp);
}

/* The slot's lock, then the guard (adopting what a dead run of this
 * instance left): before anything else of the namespace is touched. */
static int dp_claim(struct dp *dp, const char **why)
{
	struct guard_config gc = { 0 };
	int err;

	err = dp_instance_lock(&dp->inst, dp->cfg.lock_dir, dp->tun_name, why);
	if (err)
		return err;
	dp_instance_steer(dp->inst.slot, &dp->steer_cfg);
	gc.tun = dp->tun_name;
	gc.natt_port = dp->cfg.udp_port;
	gc.private_ports[0] = dp->io.port[0];
	gc.private_ports[1] = dp->io.port[1];
	gc.group = dp_instance_group(dp->inst.slot);
	gc.own_mark = dp->steer_cfg.fwmark;
	gc.reroute_mark = dp->steer_cfg.reroute_mark;
	err = guard_open(&dp->guard, &gc, why);
	if (err)
		return err;
	dp->guarded = true;
	dp_warn_leftovers(dp->tun_name);
	if (dp->guard.held)
		fwp_log(FWP_LOG_WARN, "datapath: %s: took over %u protected prefixes a run "
			"that died left; they stay dropped until protected again or a clean stop",
			dp->tun_name, dp->guard.held);
	return 0;
}

/* ESP in UDP to the NAT-T port reaches the private ports the sockets are
 * bound to (natt_share.h), so that an IKE daemon can own the port. One
 * datapath per port and namespace (a lock); where the rewrite cannot be
 * installed, the sockets take the port themselves. */
static int dp_share_port(struct dp *dp, struct udp_io_config *uc, const char **why)
{
	char name[48];
	int err;

	err = dp_port_lock(&dp->natt_lock, dp->cfg.lock_dir, uc->port, dp->tun_name, why);
	if (err)
		return err;
	snprintf(name, sizeof(name), "fwpn_%s", dp->tun_name);
	for (char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			*p = '_';
	err = natt_share_open(&dp->natt, name, uc->port, dp->io.port[0], dp->io.port[1]);
	if (!err)
		return 0;
	fwp_log(FWP_LOG_WARN, "datapath: port %u cannot be shared with an IKE daemon "
		"(nftables: %s): the datapath binds it itself", uc->port, strerror(-err));
	udp_io_close(&dp->io);
	uc->private_port = false;
	err = udp_io_open(&dp->io, uc);
	if (err)
		*why = err == -EADDRINUSE ? "ESP-in-UDP port in use (by an IKE daemon? "
		       "nftables could not share it)" : "outer sockets";
	return err;
}

/* The name goes into nftables rules and a lock file's name: letters,
 * digits, '-', '_' and '.' only (the kernel would allow quotes). */
static bool tun_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* A TUN of that name belongs to someone else (ours vanish with their
 * process; a dying one may take a moment). */
static int tun_free(const char *name)
{
	for (int i = 0; i < 40 && if_nametoindex(name); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	return if_nametoindex(name) ? -EEXIST : 0;
}

int dp_create(struct dp **out, const struct dp_config *cfg, const char **why)
{
	struct tun_config tc = { 0 };
	struct udp_io_config uc;
	pthread_rwlockattr_t ra;
	struct dp *dp;
	int err;

	*out = NULL;
	*why = "out of memory";
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->cfg = *cfg;
	if (!dp->cfg.queues)
		dp->cfg.queues = 1;
	if (dp->cfg.queues > TUN_MAX_QUEUES)
		dp->cfg.queues = TUN_MAX_QUEUES;
	if (!dp->cfg.mtu)
		dp->cfg.mtu = 1400;
	snprintf(dp->tun_name, sizeof(dp->tun_name), "%s", cfg->tun_name ? cfg->tun_name : "fwp0");
	dp->cfg.tun_name = dp->tun_name;
	dp->slot_out = (unsigned)(ESP_MAX_OVERHEAD + dp->cfg.mtu + ESP_MAX_OVERHEAD + 63) & ~63u;
	dp->bypass_fd[0] = dp->bypass_fd[1] = -1;
	dp->notice_fd = dp->stop_fd = -1;
	dp->inst.fd = -1;
	dp->natt_lock.fd = -1;
	for (int i = 0; i < UDP_IO_NSOCK; i++)
		dp->io.fd[i] = -1;
	for (int i = 0; i < TUN_MAX_QUEUES; i++)
		dp->tun.fd[i] = -1;
	pthread_mutex_init(&dp->notice_lock, NULL);
	/* Writers (the engine's ops) must not wait behind a stream of readers. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&dp->table.lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	err = idmap_init(&dp->table.by_spi, 64);
	if (err)
		goto fail;
	dp->notice_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	dp->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->notice_fd < 0 || dp->stop_fd < 0) {
		err = -errno;
		*why = "eventfd";
		goto fail;
	}
	err = esp_crypto_init(NULL);
	if (err) {
		*why = "OpenSSL algorithms";
		goto fail;
	}
	if (!tun_name_ok(dp->tun_name)) {
		err = -EINVAL;
		*why = "TUN name: letters, digits, '-', '_' and '.' only";
		goto fail;
	}
	/* The outer sockets first, on private ports (nothing of the namespace
	 * changes), so that the guard admits those ports from the start. */
	dp_instance_steer(dp_instance_slot(dp->tun_name), &dp->steer_cfg);
	udp_io_config_default(&uc);
	uc.port = dp->cfg.udp_port;
	uc.private_port = uc.port != 0;
	uc.raw_esp = dp->cfg.raw_esp;
	uc.fwmark = dp->steer_cfg.fwmark;
	uc.rcvbuf = uc.sndbuf = 4 << 20;
	err = udp_io_open(&dp->io, &uc);
	if (err) {
		*why = "outer sockets";
		goto fail;
	}
	err = dp_claim(dp, why);
	if (err)
		goto fail;
	if (uc.port) {
		err = dp_share_port(dp, &uc, why);
		if (err)
			goto fail;
	}
	err = tun_free(dp->tun_name);
	if (err) {
		*why = "a device of that name exists (not this instance's)";
		goto fail;
	}
	tc.name = dp->tun_name;
	tc.queues = dp->cfg.queues;
	tc.vnet = true;
	tc.mtu = dp->cfg.mtu;
	tc.txqlen = 1000;
	tc.up = true;
	err = tun_open(&dp->tun, &tc);
	if (err) {
		*why = "TUN device (needs CAP_NET_ADMIN and /dev/net/tun)";
		goto fail;
	}
	dp->bypass_fd[0] = bypass_socket(AF_INET, dp->steer_cfg.fwmark);
	dp->bypass_fd[1] = bypass_socket(AF_INET6, dp->steer_cfg.fwmark);
	/* Rules and routes of a run of this instance that died go first. */
	err = steer_cleanup(&dp->steer_cfg);
	if (err >= 0)
		err = steer_open(&dp->steer, &dp->steer_cfg);
	if (!err)
		err = steer_install(&dp->steer);
	if (err) {
		*why = "policy routing rules";
		goto fail;
	}
	*out = dp;
	return 0;
fail:
	dp_free(dp, false);
	return err < 0 ? err : -EIO;
}

struct dp_backend dp_backend(struct dp *dp)
{
	return (struct dp_backend){ .ops = &dp_tun_ops, .be = dp };
}

void dp_attach(struct dp *dp, const struct be_host *host)
{
	dp->host = *host;
}

const char *dp_tun_name(const struct dp *dp)
{
	return dp->tun.name;
}

int dp_start(struct dp *dp)
{
	unsigned n = dp->cfg.queues + 1;
	int err;

	dp->threads = calloc(n, sizeof(*dp->threads));
	if (!dp->threads)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		struct dp_thread *t = &dp->threads[i];

		t->dp = dp;
		t->queue = i;
		err = pthread_create(&t->tid, NULL, i < dp->cfg.queues ? dp_out_thread : dp_in_thread, t);
		if (err) {
			dp->nthreads = i;
			dp_stop(dp);
			return -err;
		}
		t->started = true;
	}
	dp->nthreads = n;
	dp->running = true;
	dp->started = true;
	return 0;
}

void dp_stop(struct dp *dp)
{
	uint64_t one = 1;

	if (!dp->threads)
		return;
	atomic_store(&dp->stopping, true);
	if (write(dp->stop_fd, &one, sizeof(one)) < 0) {
		/* An eventfd write fails only on overflow: already signalled. */
	}
	for (unsigned i = 0; i < dp->nthreads; i++)
		if (dp->threads[i].started)
			pthread_join(dp->threads[i].tid, NULL);
	free(dp->threads);
	dp->threads = NULL;
	dp->nthreads = 0;
	dp->running = false;
}

void dp_stop_at_exit(struct dp *dp)
{
	dp_stop(dp);
	steer_close(&dp->steer);
	/* The port rewrite too: an IKE daemon gets its port back. */
	natt_share_close(&dp->natt);
	dp_instance_unlock(&dp->natt_lock);
	if (dp->guarded)
		guard_close(&dp->guard, false);
	dp->guarded = false;
	/* Left behind, the rewrite would send the next IKE daemon's peers'
	 * ESP in UDP to a port nobody reads. */
	natt_share_close(&dp->natt);
	dp_instance_unlock(&dp->natt_lock);
	dp_instance_unlock(&dp->inst);
}

void dp_destroy(struct dp *dp)
{
	if (!dp)
		return;
	dp_stop(dp);
	/* Never started: a start that failed, not a clean stop. */
	dp_free(dp, dp->started);
}

bool dp_post_notice(struct dp *dp, uint64_t ctx_id, FWP_DIRECTION dir, enum dp_sa_event ev)
{
	uint64_t one = 1;
	bool ok = false;

	pthread_mutex_lock(&dp->notice_lock);
	if (dp->nnotices < DP_NOTICES) {
		dp->notices[dp->nnotices++] = (struct dp_notice){
			.ctx_id = ctx_id, .dir = (uint8_t)dir, .ev = (uint8_t)ev };
		ok = true;
	}
	pthread_mutex_unlock(&dp->notice_lock);
	if (ok && write(dp->notice_fd, &one, sizeof(one)) < 0) {
		/* Overflow only: the host is already woken. */
	}
	return ok;
}

int dp_notice_fd(const struct dp *dp)
{
	return dp->notice_fd;
}

void dp_deliver_notices(struct dp *dp)
{
	struct dp_notice batch[64];
	uint64_t v;
	size_t n;

	if (read(dp->notice_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signalled; look anyway. */
	}
	do {
		pthread_mutex_lock(&dp->notice_lock);
		n = dp->nnotices < 64 ? dp->nnotices : 64;
		memcpy(batch, dp->notices, n * sizeof(batch[0]));
		memmove(dp->notices, dp->notices + n, (dp->nnotices - n) * sizeof(batch[0]));
		dp->nnotices -= n;
		pthread_mutex_unlock(&dp->notice_lock);
		for (size_t i = 0; i < n && dp->host.ops; i++)
			dp->host.ops->sa_event(dp->host.host, batch[i].ctx_id,
						 (FWP_DIRECTION)batch[i].dir,
						 (enum dp_sa_event)batch[i].ev);
	} while (n == 64);
}

/* ---- the life cycle by name (backend.h) ---- */

static int life_create(void **out, const struct dp_config *cfg, const char **why)
{
	return dp_create((struct dp **)out, cfg, why);
}

static struct dp_backend life_backend(void *inst)
{
	return dp_backend(inst);
}

static void life_attach(void *inst, const struct be_host *host)
{
	dp_attach(inst, host);
}

static int life_start(void *inst)
{
	return dp_start(inst);
}

static void life_stop(void *inst)
{
	dp_stop(inst);
}

static void life_destroy(void *inst)
{
	dp_destroy(inst);
}

static void life_stop_at_exit(void *inst)
{
	dp_stop_at_exit(inst);
}

static int life_notice_fd(const void *inst)
{
	return dp_notice_fd(inst);
}

static void life_deliver(void *inst)
{
	dp_deliver_notices(inst);
}

static const char *life_describe(const void *inst)
{
	return dp_tun_name(inst);
}

const struct be_life_ops dp_tun_life = {
	.name = "tun",
	.create = life_create,
	.backend = life_backend,
	.attach = life_attach,
	.start = life_start,
	.stop = life_stop,
	.destroy = life_destroy,
	.stop_at_exit = life_stop_at_exit,
	.notice_fd = life_notice_fd,
	.deliver = life_deliver,
	.describe = life_describe,
};
