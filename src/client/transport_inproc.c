/* transport_inproc.c - the engine in this process.
 *
 * One engine per process, created at the first FwpmEngineOpen0 and kept
 * until exit, shared by every handle (as the Base Filtering Engine is
 * shared by every session): SA contexts outlive the session that made
 * them. A timer thread drives the engine's lifetimes and drains. At exit a
 * destructor wipes every key still held.
 *
 * FWP_DATAPATH=tun gives this engine the user-space ESP datapath, as
 * `fwpd --datapath tun` has it (docs/datapath.md; root): FWP_TUN_NAME
 * names the device (default fwp0), FWP_UDP_PORT the ESP-in-UDP port
 * (default 4500, 0: none); FWP_REFUSE_MD5=1 refuses HMAC-MD5-96.
 * FWP_DATAPATH=xfrm gives it the kernel's ESP instead, as `fwpd --datapath
 * xfrm` (docs/datapath-xfrm.md). Either is a backend found by name
 * (backend.h) in the datapath module, fwpuclnt-datapath.so, loaded only
 * then from the directory fwpuclnt/ beside this library: a client without
 * a datapath maps neither OpenSSL nor libnftables. A notice thread hands
 * the datapath's lifetime notices to the engine. At exit the packet threads stop and the routing
 * rules and the guard go; the device goes with the process. A process that
 * dies instead leaves the guard, which drops what it protected until the
 * next datapath of that instance takes it over (docs/datapath.md).
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "policy/pol_store.h"
#include "client/client.h"
#include "client/dispatcher.h"
#include "common/log.h"
#include "common/secdesc.h"
#include "engine/backend.h"
#include "engine/engine.h"

static struct engine *engine;
static const struct be_life_ops *dp_life;	/* FWP_DATAPATH's backend */
static void *datapath;		/* its instance; lives as long as the process */
static DWORD init_error = ERROR_NOT_ENOUGH_MEMORY;	/* when engine stays NULL */
static struct pol_store *store;	/* lives as long as the process */
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static bool timer_kicked;

static void kick_timer(void *arg)
{
	pthread_mutex_lock(&timer_lock);
	timer_kicked = true;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&timer_lock);
}

static void *timer_main(void *arg)
{
	for (;;) {
		uint64_t d = engine_next_deadline(engine);

		pthread_mutex_lock(&timer_lock);
		if (!timer_kicked) {
			if (d == UINT64_MAX) {
				pthread_cond_wait(&timer_cond, &timer_lock);
			} else {
				uint64_t now = engine_now_ms(engine);

				if (d > now) {
					struct timespec ts;

					/* The engine clock is CLOCK_MONOTONIC, like the cond's. */
					clock_gettime(CLOCK_MONOTONIC, &ts);
					ts.tv_sec += (time_t)((d - now) / 1000);
					ts.tv_nsec += (long)((d - now) % 1000) * 1000000;
					if (ts.tv_nsec >= 1000000000) {
						ts.tv_sec++;
						ts.tv_nsec -= 1000000000;
					}
					pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
				}
			}
		}
		timer_kicked = false;
		pthread_mutex_unlock(&timer_lock);
		engine_run_timers(engine);
	}
	return NULL;
}

static void wipe_at_exit(void)
{
	if (datapath)
		dp_life->stop_at_exit(datapath);
	if (engine)
		engine_wipe_keys(engine);
}

static void *notice_main(void *arg)
{
	struct pollfd pfd = { .fd = dp_life->notice_fd(datapath), .events = POLLIN };

	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		dp_life->deliver(datapath);
	}
	return NULL;
}

#define DP_MODULE "fwpuclnt/fwpuclnt-datapath.so"

/* The backend named name from the datapath module beside this library
 * (kept loaded until exit), or NULL with *why said. */
static const struct be_life_ops *module_find(const char *name, const char **why)
{
	const struct be_life_ops *(*find)(const char *);
	char path[PATH_MAX], dir[PATH_MAX];
	Dl_info info;
	void *h;

	if (!dladdr((void *)module_find, &info) || !info.dli_fname ||
	    strlen(info.dli_fname) >= sizeof(dir)) {
		*why = "cannot tell where libfwpuclnt is";
		return NULL;
	}
	strcpy(dir, info.dli_fname);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirname(dir), DP_MODULE) >=
	    sizeof(path)) {
		*why = "path too long";
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fwp_log(FWP_LOG_ERROR, "%s", dlerror());
		*why = "the datapath module " DP_MODULE " cannot be loaded (not installed?)";
		return NULL;
	}
	find = (const struct be_life_ops *(*)(const char *))dlsym(h, "fwp_datapath_find");
	if (!find) {
		*why = "the datapath module has no fwp_datapath_find";
		dlclose(h);
		return NULL;
	}
	if (!find(name))
		*why = NULL;	/* no such backend: the caller says so */
	return find(name);
}

/* FWP_DATAPATH: 0 without one, 1 with one, -1 when asked for and not had. */
static int datapath_open(struct engine_config *cfg)
{
	const char *v = getenv("FWP_DATAPATH"), *s, *why;
	struct dp_config dc;
	int err;

	if (!v || !*v || !strcmp(v, "none"))
		return 0;
	if (strcmp(v, "tun") && strcmp(v, "xfrm")) {
		fwp_log(FWP_LOG_ERROR, "FWP_DATAPATH=%s: only tun, xfrm or none", v);
		init_error = ERROR_INVALID_PARAMETER;
		return -1;
	}
	why = NULL;
	dp_life = module_find(v, &why);
	if (!dp_life) {
		fwp_log(FWP_LOG_ERROR, "FWP_DATAPATH=%s: %s", v,
			why ? why : "not in this build's datapath module");
		init_error = ERROR_NOT_SUPPORTED;
		return -1;
	}
	dp_config_default(&dc);
	s = getenv("FWP_TUN_NAME");
	if (s && *s)
		dc.tun_name = s;
	s = getenv("FWP_UDP_PORT");
	if (s && *s)
		dc.udp_port = (uint16_t)atoi(s);
	err = dp_life->create(&datapath, &dc, &why);
	if (err) {
		fwp_log(FWP_LOG_ERROR, "FWP_DATAPATH=%s: %s: %s", v, why, strerror(-err));
		datapath = NULL;
		init_error = err == -EPERM || err == -EACCES ? ERROR_ACCESS_DENIED :
			     ERROR_NOT_SUPPORTED;
		return -1;
	}
	cfg->backend = dp_life->backend(datapath);
	return 1;
}

static int datapath_start(void)
{
	pthread_t t;

	if (dp_life->start(datapath))
		return -1;
	if (dp_life->notice_fd(datapath) >= 0 &&
	    pthread_create(&t, NULL, notice_main, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}

static void engine_init(void)
{
	struct engine_config cfg = {
		.deadline_changed = kick_timer,
	};
	const char *store_path, *s;
	pthread_condattr_t ca;
	pthread_t t;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	/* FWP_REFUSE_MD5=1: HMAC-MD5-96 is refused (accepted by default, as
	 * Windows and IMS clients expect). */
	s = getenv("FWP_REFUSE_MD5");
	cfg.refuse_md5 = s && strcmp(s, "1") == 0;
	/* FWP_STORE names a file for the persistent policy objects. */
	store_path = getenv("FWP_STORE");
	if (store_path && *store_path) {
		if (pol_store_open(store_path, &store)) {
			fwp_log(FWP_LOG_ERROR, "FWP_STORE=%s cannot be opened", store_path);
			return;
		}
		cfg.store = &pol_store_ops;
		cfg.store_arg = store;
	}
	/* A datapath asked for and not had fails every FwpmEngineOpen0:
	 * a keying module must not believe it protects traffic. */
	if (datapath_open(&cfg) < 0)
		return;
	if (engine_create(&cfg, &engine)) {
		engine = NULL;
		return;
	}
	/* Before the store's filters reach the backend (policy_changed). */
	if (datapath) {
		struct be_host host = engine_host(engine);

		dp_life->attach(datapath, &host);
	}
	if (store && pol_store_restore(store, engine, NULL, NULL)) {
		fwp_log(FWP_LOG_ERROR, "FWP_STORE=%s cannot be read", store_path);
		engine_destroy(engine);
		engine = NULL;
		return;
	}
	if (pthread_create(&t, NULL, timer_main, NULL)) {
		fwp_log(FWP_LOG_ERROR, "cannot start the engine timer thread");
		engine_destroy(engine);
		engine = NULL;
		return;
	}
	pthread_detach(t);
	if (datapath && datapath_start()) {
		fwp_log(FWP_LOG_ERROR, "FWP_DATAPATH=%s: cannot start", dp_life->name);
		engine = NULL;	/* kept, not destroyed: its threads may run */
		return;
	}
	atexit(wipe_at_exit);
}

static void sink_deliver(void *arg, uint64_t cookie, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	struct fwp_client *c = arg;

	/* A subscription exists only after its dispatcher does. */
	if (c->disp)
		dispatcher_post(c->disp, cookie, ev);
}

static void sink_deliver_net(void *arg, uint64_t cookie, const struct fwp_net_event *ev)
{
	struct fwp_client *c = arg;

	if (c->disp)
		dispatcher_post_net(c->disp, cookie, ev);
}

static void sink_deliver_change(void *arg, uint64_t cookie, const struct fwp_pol_change *ch)
{
	struct fwp_client *c = arg;

	if (c->disp)
		dispatcher_post_change(c->disp, cookie, ch);
}

struct engine *inproc_engine(void)
{
	pthread_once(&engine_once, engine_init);
	return engine;
}

/* The calling process is its own token: its effective uid and gid and
 * its supplementary groups. */
static void process_token(struct sd_token *t)
{
	int n;

	memset(t, 0, sizeof(*t));
	t->uid = geteuid();
	t->gid = getegid();
	n = getgroups(SD_TOKEN_MAX_GROUPS, t->groups);
	if (n < 0) {
		t->truncated = true;	/* more than we keep (EINVAL) */
		n = 0;
	}
	t->ngroups = (uint32_t)n;
}

static DWORD inproc_open(struct fwp_client *c, const FWPM_SESSION0 *session)
{
	struct sd_token tok;
	struct session_cred cred = {
		.pid = getpid(),
		.uid = getuid(),
		.rights = ENGINE_RIGHTS_ALL,	/* the descriptors decide */
		.token = &tok,
	};
	struct event_sink sink = {
		.deliver = sink_deliver, .deliver_net = sink_deliver_net,
		.deliver_change = sink_deliver_change, .arg = c,
	};
	struct engine_session *s;
	DWORD rc;

	pthread_once(&engine_once, engine_init);
	if (!engine)
		return init_error;
	process_token(&tok);
	rc = engine_session_open(engine, session, &cred, &sink, &s);
	if (rc == ERROR_SUCCESS)
		c->conn = s;
	return rc;
}

static void inproc_close(struct fwp_client *c)
{
	engine_session_close(c->conn);
	c->conn = NULL;
}

#define S(c) ((struct engine_session *)(c)->conn)

static DWORD inproc_session_enum_create(struct fwp_client *c, uint64_t *h)
{
	return engine_session_enum_create(S(c), h);
}

static DWORD inproc_session_enum(struct fwp_client *c, uint64_t h, UINT32 want,
				 FWPM_SESSION0 ***entries, UINT32 *n)
{
	return engine_session_enum(S(c), h, want, entries, n);
}

static DWORD inproc_session_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return engine_session_enum_destroy(S(c), h);
}

static DWORD inproc_txn_begin(struct fwp_client *c, UINT32 flags)
{
	return engine_txn_begin(S(c), flags);
}

static DWORD inproc_txn_commit(struct fwp_client *c)
{
	return engine_txn_commit(S(c));
}

static DWORD inproc_txn_abort(struct fwp_client *c)
{
	return engine_txn_abort(S(c));
}

static DWORD inproc_sa_create(struct fwp_client *c, const IPSEC_TRAFFIC1 *t,
			      const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif,
			      UINT64 *fid, UINT64 *id)
{
	return engine_sa_create(S(c), t, vif, fid, id);
}

static DWORD inproc_sa_get_spi(struct fwp_client *c, UINT64 id,
			       const IPSEC_GETSPI1 *g, IPSEC_SA_SPI *spi)
{
	return engine_sa_get_spi(S(c), id, g, spi);
}

static DWORD inproc_sa_set_spi(struct fwp_client *c, UINT64 id,
			       const IPSEC_GETSPI1 *g, IPSEC_SA_SPI spi)
{
	return engine_sa_set_spi(S(c), id, g, spi);
}

static DWORD inproc_sa_add(struct fwp_client *c, UINT64 id, FWP_DIRECTION dir,
			   const IPSEC_SA_BUNDLE1 *b)
{
	return engine_sa_add(S(c), id, dir, b);
}

static DWORD inproc_sa_update(struct fwp_client *c, UINT64 flags,
			      const IPSEC_SA_CONTEXT1 *v)
{
	return engine_sa_update(S(c), flags, v);
}

static DWORD inproc_sa_get(struct fwp_client *c, UINT64 id, IPSEC_SA_CONTEXT1 **out)
{
	return engine_sa_get(S(c), id, out);
}

static DWORD inproc_sa_delete(struct fwp_client *c, UINT64 id)
{
	return engine_sa_delete(S(c), id);
}

static DWORD inproc_sa_expire(struct fwp_client *c, UINT64 id)
{
	return engine_sa_expire(S(c), id);
}

static DWORD inproc_sa_enum_create(struct fwp_client *c,
				   const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t, uint64_t *h)
{
	return engine_sa_enum_create(S(c), t, h);
}

static DWORD inproc_sa_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			    IPSEC_SA_CONTEXT1 ***entries, UINT32 *n)
{
	return engine_sa_enum(S(c), h, want, entries, n);
}

static DWORD inproc_sa_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return engine_sa_enum_destroy(S(c), h);
}

static DWORD inproc_sad_enum_create(struct fwp_client *c,
				    const IPSEC_SA_ENUM_TEMPLATE0 *t, uint64_t *h)
{
	return engine_sad_enum_create(S(c), t, h);
}

static DWORD inproc_sad_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			     IPSEC_SA_DETAILS1 ***entries, UINT32 *n)
{
	return engine_sad_enum(S(c), h, want, entries, n);
}

static DWORD inproc_sad_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return engine_sad_enum_destroy(S(c), h);
}

static DWORD inproc_subscribe(struct fwp_client *c,
			      const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
			      UINT32 mask, uint64_t cookie, uint64_t *h)
{
	return engine_subscribe(S(c), sub, mask, cookie, h);
}

static DWORD inproc_unsubscribe(struct fwp_client *c, uint64_t h)
{
	return engine_unsubscribe(S(c), h);
}

static DWORD inproc_subscriptions_get(struct fwp_client *c,
				      IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
				      UINT32 *n)
{
	return engine_subscriptions_get(S(c), entries, n);
}

static DWORD inproc_net_subscribe(struct fwp_client *c,
				  const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
				  uint64_t cookie, uint64_t *h)
{
	return engine_net_subscribe(S(c), sub, cookie, h);
}

static DWORD inproc_net_unsubscribe(struct fwp_client *c, uint64_t h)
{
	return engine_net_unsubscribe(S(c), h);
}

static DWORD inproc_statistics(struct fwp_client *c, IPSEC_STATISTICS1 *out)
{
	return engine_statistics(S(c), out);
}

static DWORD inproc_ext_statistics(struct fwp_client *c, FWPX_STATISTICS0 *out)
{
	return engine_ext_statistics(S(c), out);
}

static DWORD inproc_set_drain(struct fwp_client *c, UINT32 ms)
{
	return engine_set_expire_drain(S(c), ms);
}

static DWORD inproc_get_drain(struct fwp_client *c, UINT32 *ms)
{
	return engine_get_expire_drain(S(c), ms);
}

static DWORD inproc_sa_counters(struct fwp_client *c, UINT64 id,
				FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out)
{
	return engine_sa_counters(S(c), id, in, out);
}

static DWORD inproc_sa_info(struct fwp_client *c, UINT64 id, FWPX_SA_CONTEXT_INFO0 *info)
{
	return engine_sa_info(S(c), id, info);
}

static DWORD inproc_pol_add(struct fwp_client *c, enum pol_kind k, const void *obj,
			    const void *sd, size_t sd_len, UINT64 *id)
{
	if (sd)
		return engine_pol_add_sd(S(c), k, obj, sd, sd_len, id);
	return engine_pol_add(S(c), k, obj, id);
}

static DWORD inproc_pol_delete(struct fwp_client *c, enum pol_kind k,
			       const struct pol_ref *ref)
{
	return engine_pol_delete(S(c), k, ref);
}

static DWORD inproc_pol_get(struct fwp_client *c, enum pol_kind k,
			    const struct pol_ref *ref, void **out)
{
	return engine_pol_get(S(c), k, ref, out);
}

static DWORD inproc_pol_enum_create(struct fwp_client *c, enum pol_kind k,
				    const void *tmpl, uint64_t *h)
{
	return engine_pol_enum_create(S(c), k, tmpl, h);
}

static DWORD inproc_pol_enum(struct fwp_client *c, enum pol_kind k, uint64_t h,
			     UINT32 want, void ***entries, UINT32 *n)
{
	return engine_pol_enum(S(c), k, h, want, entries, n);
}

static DWORD inproc_pol_enum_destroy(struct fwp_client *c, enum pol_kind k, uint64_t h)
{
	return engine_pol_enum_destroy(S(c), k, h);
}

static DWORD inproc_option_get(struct fwp_client *c, UINT32 option, FWP_VALUE0 **v)
{
	return engine_option_get(S(c), option, v);
}

static DWORD inproc_option_set(struct fwp_client *c, UINT32 option, const FWP_VALUE0 *v)
{
	return engine_option_set(S(c), option, v);
}

static DWORD inproc_net_enum_create(struct fwp_client *c,
				    const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, uint64_t *h)
{
	return engine_net_enum_create(S(c), t, h);
}

static DWORD inproc_net_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			     struct fwp_net_event ***entries, UINT32 *n)
{
	return engine_net_enum(S(c), h, want, entries, n);
}

static DWORD inproc_net_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return engine_net_enum_destroy(S(c), h);
}

static DWORD inproc_change_subscribe(struct fwp_client *c, enum pol_kind k,
				     const void *tmpl, UINT32 flags, uint64_t cookie,
				     uint64_t *h)
{
	return engine_change_subscribe(S(c), k, tmpl, flags, cookie, h);
}

static DWORD inproc_change_unsubscribe(struct fwp_client *c, enum pol_kind k, uint64_t h)
{
	return engine_change_unsubscribe(S(c), k, h);
}

static DWORD inproc_change_subscriptions_get(struct fwp_client *c, enum pol_kind k,
					     void ***entries, UINT32 *n)
{
	return engine_change_subscriptions_get(S(c), k, entries, n);
}

static DWORD inproc_sd_get(struct fwp_client *c, int target, const struct pol_ref *ref,
			   UINT32 info, void **sd, size_t *len)
{
	return engine_sd_get(S(c), target, ref, info, sd, len);
}

static DWORD inproc_sd_set(struct fwp_client *c, int target, const struct pol_ref *ref,
			   UINT32 info, const void *sd, size_t len)
{
	return engine_sd_set(S(c), target, ref, info, sd, len);
}

const struct transport_ops transport_inproc = {
	.name = "embedded",
	.open = inproc_open,
	.close = inproc_close,
	.session_enum_create = inproc_session_enum_create,
	.session_enum = inproc_session_enum,
	.session_enum_destroy = inproc_session_enum_destroy,
	.txn_begin = inproc_txn_begin,
	.txn_commit = inproc_txn_commit,
	.txn_abort = inproc_txn_abort,
	.sa_create = inproc_sa_create,
	.sa_get_spi = inproc_sa_get_spi,
	.sa_set_spi = inproc_sa_set_spi,
	.sa_add = inproc_sa_add,
	.sa_update = inproc_sa_update,
	.sa_get = inproc_sa_get,
	.sa_delete = inproc_sa_delete,
	.sa_expire = inproc_sa_expire,
	.sa_enum_create = inproc_sa_enum_create,
	.sa_enum = inproc_sa_enum,
	.sa_enum_destroy = inproc_sa_enum_destroy,
	.sad_enum_create = inproc_sad_enum_create,
	.sad_enum = inproc_sad_enum,
	.sad_enum_destroy = inproc_sad_enum_destroy,
	.subscribe = inproc_subscribe,
	.unsubscribe = inproc_unsubscribe,
	.subscriptions_get = inproc_subscriptions_get,
	.net_subscribe = inproc_net_subscribe,
	.net_unsubscribe = inproc_net_unsubscribe,
	.statistics = inproc_statistics,
	.ext_statistics = inproc_ext_statistics,
	.set_expire_drain = inproc_set_drain,
	.get_expire_drain = inproc_get_drain,
	.sa_counters = inproc_sa_counters,
	.sa_info = inproc_sa_info,
	.pol_add = inproc_pol_add,
	.pol_delete = inproc_pol_delete,
	.pol_get = inproc_pol_get,
	.pol_enum_create = inproc_pol_enum_create,
	.pol_enum = inproc_pol_enum,
	.pol_enum_destroy = inproc_pol_enum_destroy,
	.sd_get = inproc_sd_get,
	.sd_set = inproc_sd_set,
	.option_get = inproc_option_get,
	.option_set = inproc_option_set,
	.net_enum_create = inproc_net_enum_create,
	.net_enum = inproc_net_enum,
	.net_enum_destroy = inproc_net_enum_destroy,
	.change_subscribe = inproc_change_subscribe,
	.change_unsubscribe = inproc_change_unsubscribe,
	.change_subscriptions_get = inproc_change_subscriptions_get,
};
