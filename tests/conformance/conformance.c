/* conformance.c - shared helpers of the conformance suite (public API only). */
#include "conformance.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/random.h>

/* ------------------------------------------------------------------ */
/* Result codes and failures                                          */
/* ------------------------------------------------------------------ */

const char *cf_rc_str(DWORD rc)
{
	static __thread char buf[8][80];
	static __thread unsigned next;
	char *b = buf[next++ % 8];
	const char *name = FwpxErrorName0(rc);

	snprintf(b, sizeof(buf[0]), "%s (0x%08X)", name ? name : "?",
		 (unsigned)rc);
	return b;
}

void cf_assert_rc_at(DWORD got, DWORD expected, const char *expr,
		     const char *file, int line)
{
	if (got == expected)
		return;
	print_error("%s:%d: %s\n    expected %s\n    got      %s\n", file,
		    line, expr, cf_rc_str(expected), cf_rc_str(got));
	_fail(file, line);
}

static pthread_mutex_t fail_mu = PTHREAD_MUTEX_INITIALIZER;
static int fail_count;

void cf_note_failure(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_mu);
	fail_count++;
	if (fail_count <= 200) {
		fputs("[  CHECK   ] ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	} else if (fail_count == 201) {
		fputs("[  CHECK   ] (further failures not printed)\n", stderr);
	}
	pthread_mutex_unlock(&fail_mu);
}

bool cf_check_rc_at(DWORD got, DWORD expected, const char *label,
		    const char *expr, const char *file, int line)
{
	if (got == expected)
		return true;
	cf_note_failure("%s:%d: [%s] %s: expected %s, got %s", file, line,
			label ? label : "-", expr, cf_rc_str(expected),
			cf_rc_str(got));
	return false;
}

int cf_failure_count(void)
{
	int n;

	pthread_mutex_lock(&fail_mu);
	n = fail_count;
	pthread_mutex_unlock(&fail_mu);
	return n;
}

void cf_assert_no_failures_at(const char *file, int line)
{
	int n;

	pthread_mutex_lock(&fail_mu);
	n = fail_count;
	fail_count = 0;
	pthread_mutex_unlock(&fail_mu);
	if (n) {
		print_error("%s:%d: %d check(s) failed (listed above)\n", file,
			    line, n);
		_fail(file, line);
	}
}

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

uint64_t cf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void cf_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Tracking for teardown                                              */
/* ------------------------------------------------------------------ */

static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;

struct vec {
	void *v;
	size_t n, cap, elem;
};

static void vec_push(struct vec *v, const void *e)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->v = realloc(v->v, v->cap * v->elem);
		if (!v->v)
			abort();
	}
	memcpy((char *)v->v + v->n * v->elem, e, v->elem);
	v->n++;
}

static void vec_remove_at(struct vec *v, size_t i)
{
	v->n--;
	if (i != v->n)
		memcpy((char *)v->v + i * v->elem,
		       (char *)v->v + v->n * v->elem, v->elem);
}

static struct vec t_handles = { NULL, 0, 0, sizeof(HANDLE) };
static struct vec t_ctx = { NULL, 0, 0, sizeof(UINT64) };
struct sub_pair {
	HANDLE engine, events;
};
static struct vec t_subs = { NULL, 0, 0, sizeof(struct sub_pair) };
static struct vec t_logs = { NULL, 0, 0, sizeof(cf_evlog *) };
struct env_saved {
	char *name;
	char *value;	/* NULL: was unset */
};
static struct vec t_env = { NULL, 0, 0, sizeof(struct env_saved) };
static bool drain_saved;
static UINT32 drain_value;

void cf_track_ctx(UINT64 id)
{
	pthread_mutex_lock(&track_mu);
	vec_push(&t_ctx, &id);
	pthread_mutex_unlock(&track_mu);
}

void cf_untrack_ctx(UINT64 id)
{
	pthread_mutex_lock(&track_mu);
	for (size_t i = 0; i < t_ctx.n; i++)
		if (((UINT64 *)t_ctx.v)[i] == id) {
			vec_remove_at(&t_ctx, i);
			break;
		}
	pthread_mutex_unlock(&track_mu);
}

static void track_handle(HANDLE h)
{
	pthread_mutex_lock(&track_mu);
	vec_push(&t_handles, &h);
	pthread_mutex_unlock(&track_mu);
}

void cf_forget_handle(HANDLE h)
{
	pthread_mutex_lock(&track_mu);
	for (size_t i = 0; i < t_handles.n; i++)
		if (((HANDLE *)t_handles.v)[i] == h) {
			vec_remove_at(&t_handles, i);
			break;
		}
	pthread_mutex_unlock(&track_mu);
}

void cf_track_subscription(HANDLE h, HANDLE events)
{
	struct sub_pair p = { h, events };

	pthread_mutex_lock(&track_mu);
	vec_push(&t_subs, &p);
	pthread_mutex_unlock(&track_mu);
}

void cf_untrack_subscription(HANDLE events)
{
	pthread_mutex_lock(&track_mu);
	for (size_t i = 0; i < t_subs.n; i++)
		if (((struct sub_pair *)t_subs.v)[i].events == events) {
			vec_remove_at(&t_subs, i);
			break;
		}
	pthread_mutex_unlock(&track_mu);
}

void cf_setenv(const char *name, const char *value)
{
	bool known = false;

	for (size_t i = 0; i < t_env.n; i++)
		if (!strcmp(((struct env_saved *)t_env.v)[i].name, name))
			known = true;
	if (!known) {
		const char *old = getenv(name);
		struct env_saved s = { strdup(name), old ? strdup(old) : NULL };

		vec_push(&t_env, &s);
	}
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

void cf_set_drain(HANDLE h, UINT32 ms)
{
	if (!drain_saved) {
		CF_OK(FwpxEngineGetExpireDrain0(h, &drain_value));
		drain_saved = true;
	}
	CF_OK(FwpxEngineSetExpireDrain0(h, ms));
}

void cf_main_init(void)
{
	setenv("FWP_ENGINE", "embedded", 0);
	setvbuf(stderr, NULL, _IONBF, 0);
}

bool cf_against_service(void)
{
	const char *v = getenv("FWP_ENGINE");

	return v && !strcmp(v, "service");
}

int cf_teardown(void **state)
{
	HANDLE h = NULL;
	int rc = 0;
	int fails;

	(void)state;
	/* Environment first: the engine must be reachable again. */
	for (size_t i = 0; i < t_env.n; i++) {
		struct env_saved *s = &((struct env_saved *)t_env.v)[i];

		if (s->value)
			setenv(s->name, s->value, 1);
		else
			unsetenv(s->name);
		free(s->name);
		free(s->value);
	}
	t_env.n = 0;

	pthread_mutex_lock(&track_mu);
	for (size_t i = 0; i < t_subs.n; i++) {
		struct sub_pair *p = &((struct sub_pair *)t_subs.v)[i];

		IPsecSaContextUnsubscribe0(p->engine, p->events);
	}
	t_subs.n = 0;
	pthread_mutex_unlock(&track_mu);

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ==
	    ERROR_SUCCESS) {
		pthread_mutex_lock(&track_mu);
		for (size_t i = 0; i < t_ctx.n; i++)
			IPsecSaContextDeleteById0(h, ((UINT64 *)t_ctx.v)[i]);
		t_ctx.n = 0;
		pthread_mutex_unlock(&track_mu);
		if (drain_saved) {
			FwpxEngineSetExpireDrain0(h, drain_value);
			drain_saved = false;
		}
		FwpmEngineClose0(h);
	}

	pthread_mutex_lock(&track_mu);
	for (size_t i = 0; i < t_handles.n; i++)
		FwpmEngineClose0(((HANDLE *)t_handles.v)[i]);
	t_handles.n = 0;
	for (size_t i = 0; i < t_logs.n; i++) {
		cf_evlog *l = ((cf_evlog **)t_logs.v)[i];

		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		free(l->ev);
		free(l);
	}
	t_logs.n = 0;
	pthread_mutex_unlock(&track_mu);

	pthread_mutex_lock(&fail_mu);
	fails = fail_count;
	fail_count = 0;
	pthread_mutex_unlock(&fail_mu);
	if (fails) {
		print_error("%d check(s) failed without being asserted\n",
			    fails);
		rc = -1;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Engine handles                                                     */
/* ------------------------------------------------------------------ */

DWORD cf_try_open(const FWPM_SESSION0 *session, HANDLE *h)
{
	DWORD rc;

	*h = NULL;
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, session, h);
	if (rc == ERROR_SUCCESS)
		track_handle(*h);
	return rc;
}

HANDLE cf_open(void)
{
	return cf_open_session(NULL);
}

HANDLE cf_open_session(const FWPM_SESSION0 *session)
{
	HANDLE h = NULL;

	CF_OK(cf_try_open(session, &h));
	assert_non_null(h);
	return h;
}

void cf_close(HANDLE h)
{
	cf_forget_handle(h);
	CF_OK(FwpmEngineClose0(h));
}

GUID cf_random_guid(void)
{
	GUID g;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		abort();
	g.Data1 |= 1;	/* never all-zero */
	return g;
}

bool cf_guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

bool cf_guid_is_zero(const GUID *g)
{
	static const GUID zero;

	return cf_guid_eq(g, &zero);
}

/* ------------------------------------------------------------------ */
/* Values                                                             */
/* ------------------------------------------------------------------ */

static UINT32 spi_counter, net_counter;
static UINT64 filter_counter;

UINT32 cf_next_spi(void)
{
	UINT32 n = __atomic_fetch_add(&spi_counter, 1, __ATOMIC_RELAXED);

	return 0x80000000u | ((UINT32)(getpid() & 0xfff) << 19) |
	       (n & 0x7ffffu);
}

/* The binding pool: [version][type][direction] x POOL_N objects. */
#define POOL_N 8
static UINT64 pool[2][2][2][POOL_N];
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static HANDLE pool_engine;

static const GUID *const pool_layers[2][2] = {
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V4, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4 },
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V6, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 },
};
static const GUID *const pool_callouts[2][2] = {
	{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4 },
	{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6 },
};

static UINT64 pool_filter(int v6, int out)
{
	FWPM_FILTER0 f;
	UINT64 id = 0;

	memset(&f, 0, sizeof(f));
	f.filterKey = cf_random_guid();
	f.displayData.name = L"conformance transport filter";
	f.layerKey = *pool_layers[v6][out];
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = *pool_callouts[v6][out];
	if (FwpmFilterAdd0(pool_engine, &f, NULL, &id) != ERROR_SUCCESS)
		abort();
	return id;
}

static UINT64 pool_tunnel(int v6)
{
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 }, NULL };
	IPSEC_SA_TRANSFORM0 xf = { .ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH,
				   .espAuthTransform = &auth };
	IPSEC_PROPOSAL0 prop = { .lifetime = { 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF },
				 .numSaTransforms = 1, .saTransforms = &xf };
	IPSEC_TUNNEL_POLICY0 pol;
	FWPM_PROVIDER_CONTEXT0 pc;
	UINT64 id = 0;

	memset(&pol, 0, sizeof(pol));
	pol.numIpsecProposals = 1;
	pol.ipsecProposals = &prop;
	pol.tunnelEndpoints.ipVersion = v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
	if (v6) {
		pol.tunnelEndpoints.localV6Address[15] = 0x20;
		pol.tunnelEndpoints.remoteV6Address[15] = 0x20;
	} else {
		pol.tunnelEndpoints.localV4Address = CF_DEFAULT_LOCAL4;
		pol.tunnelEndpoints.remoteV4Address = CF_DEFAULT_REMOTE4;
	}
	pol.saIdleTimeout.idleTimeoutSeconds = 0xFFFF;
	pol.saIdleTimeout.idleTimeoutSecondsFailOver = 0xFFFF;
	memset(&pc, 0, sizeof(pc));
	pc.providerContextKey = cf_random_guid();
	pc.displayData.name = L"conformance tunnel policy";
	pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	pc.ikeQmTunnelPolicy = &pol;
	if (FwpmProviderContextAdd0(pool_engine, &pc, NULL, &id) != ERROR_SUCCESS)
		abort();
	return id;
}

/* A dynamic session: the engine removes the pool when the process ends
 * (objects still bound to a context outlive it). */
static void pool_init(void)
{
	FWPM_SESSION0 s;

	memset(&s, 0, sizeof(s));
	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &pool_engine) != ERROR_SUCCESS)
		abort();
	for (int v6 = 0; v6 < 2; v6++)
		for (int i = 0; i < POOL_N; i++) {
			pool[v6][0][0][i] = pool_filter(v6, 0);
			pool[v6][0][1][i] = pool_filter(v6, 1);
			pool[v6][1][0][i] = pool[v6][1][1][i] = pool_tunnel(v6);
		}
}

UINT64 cf_policy_id(FWP_IP_VERSION v, IPSEC_TRAFFIC_TYPE type, FWP_DIRECTION dir)
{
	UINT64 n = __atomic_add_fetch(&filter_counter, 1, __ATOMIC_RELAXED);

	pthread_once(&pool_once, pool_init);
	return pool[v == FWP_IP_VERSION_V6][type == IPSEC_TRAFFIC_TYPE_TUNNEL]
		   [dir == FWP_DIRECTION_OUTBOUND][n % POOL_N];
}

UINT64 cf_next_filter_id(void)
{
	return cf_policy_id(FWP_IP_VERSION_V4, IPSEC_TRAFFIC_TYPE_TRANSPORT,
			    FWP_DIRECTION_OUTBOUND);
}

UINT32 cf_unique_net24(void)
{
	UINT32 n = __atomic_fetch_add(&net_counter, 1, __ATOMIC_RELAXED);
	UINT32 b = (((UINT32)getpid() & 0x3f) << 2) | ((n >> 8) & 3);

	return CF_V4(10, b, n & 0xff, 0);
}

void cf_unique_net6(UINT8 net[16])
{
	UINT32 n = __atomic_fetch_add(&net_counter, 1, __ATOMIC_RELAXED);
	UINT16 p = (UINT16)getpid();

	memset(net, 0, 16);
	net[0] = 0x20;
	net[1] = 0x01;
	net[2] = 0x0d;
	net[3] = 0xb8;
	net[4] = (UINT8)(p >> 8);
	net[5] = (UINT8)p;
	net[6] = (UINT8)(n >> 8);
	net[7] = (UINT8)n;
}

void cf_v6_to_traffic(UINT8 out[16], const UINT8 net[16])
{
	UINT8 tmp[16];

	for (int i = 0; i < 16; i++)
		tmp[i] = net[15 - i];
	memcpy(out, tmp, 16);
}

IPSEC_TRAFFIC1 cf_traffic_v4(UINT32 local, UINT32 remote,
			     IPSEC_TRAFFIC_TYPE type, UINT64 filter_or_policy)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = local;
	t.remoteV4Address = remote;
	t.trafficType = type;
	t.ipsecFilterId = filter_or_policy;
	return t;
}

IPSEC_TRAFFIC1 cf_traffic_v6(const UINT8 local[16], const UINT8 remote[16],
			     IPSEC_TRAFFIC_TYPE type, UINT64 filter_or_policy)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V6;
	memcpy(t.localV6Address, local, 16);
	memcpy(t.remoteV6Address, remote, 16);
	t.trafficType = type;
	t.ipsecFilterId = filter_or_policy;
	return t;
}

IPSEC_TRAFFIC0 cf_traffic1_to0(const IPSEC_TRAFFIC1 *t)
{
	IPSEC_TRAFFIC0 r;

	memset(&r, 0, sizeof(r));
	r.ipVersion = t->ipVersion;
	memcpy(r.localV6Address, t->localV6Address, 16);
	memcpy(r.remoteV6Address, t->remoteV6Address, 16);
	r.trafficType = t->trafficType;
	r.ipsecFilterId = t->ipsecFilterId;
	r.remotePort = t->remotePort;
	return r;
}

IPSEC_GETSPI1 cf_getspi1(const IPSEC_TRAFFIC1 *inbound)
{
	IPSEC_GETSPI1 g;

	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = *inbound;
	g.ipVersion = inbound->ipVersion;
	return g;
}

IPSEC_GETSPI0 cf_getspi1_to0(const IPSEC_GETSPI1 *g)
{
	IPSEC_GETSPI0 r;

	memset(&r, 0, sizeof(r));
	r.inboundIpsecTraffic = cf_traffic1_to0(&g->inboundIpsecTraffic);
	r.ipVersion = g->ipVersion;
	r.inboundUdpEncapsulation = g->inboundUdpEncapsulation;
	r.rngCryptoModuleID = g->rngCryptoModuleID;
	return r;
}

/* ------------------------------------------------------------------ */
/* Bundles                                                            */
/* ------------------------------------------------------------------ */

static const char *const suite_names[CF_SUITE_COUNT] = {
	"GCM128", "GCM192", "GCM256", "CBC_SHA1", "AES256_SHA256",
	"3DES_SHA1", "GMAC128", "ESP_SHA1", "AH_SHA256", "GCM_CIPHER",
	"ESP_AH",
};

const char *cf_suite_name(cf_suite s)
{
	return (unsigned)s < CF_SUITE_COUNT ? suite_names[s] : "?";
}

static bool auth_is_gcm(const IPSEC_AUTH_TRANSFORM_ID0 *a)
{
	return a && a->authConfig >= IPSEC_AUTH_CONFIG_GCM_AES_128 &&
	       a->authConfig <= IPSEC_AUTH_CONFIG_GCM_AES_256;
}

static bool cipher_is_gcm(const IPSEC_CIPHER_TRANSFORM_ID0 *c)
{
	return c && c->cipherConfig >= IPSEC_CIPHER_CONFIG_GCM_AES_128 &&
	       c->cipherConfig <= IPSEC_CIPHER_CONFIG_GCM_AES_256;
}

void cf_bundle_set_sa(cf_bundle *b, unsigned i, IPSEC_TRANSFORM_TYPE type,
		      UINT32 spi, const IPSEC_AUTH_TRANSFORM_ID0 *auth,
		      UINT32 akeylen, const IPSEC_CIPHER_TRANSFORM_ID0 *cipher,
		      UINT32 ckeylen)
{
	IPSEC_SA0 *sa = &b->sa[i];
	IPSEC_SA_AUTH_INFORMATION0 *ai;
	IPSEC_SA_CIPHER_INFORMATION0 *ci;

	for (unsigned k = 0; k < CF_KEY_MAX; k++) {
		b->ckey[i][k] = (UINT8)(0xA0 + k * 5 + i * 7 + spi);
		b->akey[i][k] = (UINT8)(0x31 + k * 3 + i * 11 + (spi >> 8));
	}
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->saTransformType = type;
	switch (type) {
	case IPSEC_TRANSFORM_AH:
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		ai = &b->ai[i];
		memset(ai, 0, sizeof(*ai));
		if (auth)
			ai->authTransform.authTransformId = *auth;
		ai->authKey.size = akeylen;
		ai->authKey.data = akeylen ? b->akey[i] : NULL;
		sa->ahInformation = ai;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		ci = &b->ci[i];
		memset(ci, 0, sizeof(*ci));
		if (cipher)
			ci->cipherTransform.cipherTransformId = *cipher;
		ci->cipherKey.size = ckeylen;
		ci->cipherKey.data = ckeylen ? b->ckey[i] : NULL;
		sa->espCipherInformation = ci;
		break;
	default:	/* AUTH_AND_CIPHER, and invalid types */
		memset(&b->aci[i], 0, sizeof(b->aci[i]));
		ci = &b->aci[i].saCipherInformation;
		ai = &b->aci[i].saAuthInformation;
		if (cipher)
			ci->cipherTransform.cipherTransformId = *cipher;
		ci->cipherKey.size = ckeylen;
		ci->cipherKey.data = ckeylen ? b->ckey[i] : NULL;
		if (auth)
			ai->authTransform.authTransformId = *auth;
		if (cipher_is_gcm(cipher) && auth_is_gcm(auth))
			memcpy(b->akey[i], b->ckey[i], CF_KEY_MAX);
		ai->authKey.size = akeylen;
		ai->authKey.data = akeylen ? b->akey[i] : NULL;
		sa->espAuthAndCipherInformation = &b->aci[i];
		break;
	}
	if (b->b1.numSAs < i + 1)
		b->b1.numSAs = i + 1;
}

void cf_bundle_init(cf_bundle *b, cf_suite s, UINT32 spi, FWP_IP_VERSION v)
{
	const IPSEC_TRANSFORM_TYPE AC = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;

	memset(b, 0, sizeof(*b));
	b->b1.saList = b->sa;
	b->b1.ipVersion = v;
	b->b1.pfsGroup = IPSEC_PFS_NONE;
	switch (s) {
	case CF_SUITE_GCM128:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 20);
		break;
	case CF_SUITE_GCM192:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_192, 28,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_192, 28);
		break;
	case CF_SUITE_GCM256:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256, 36,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256, 36);
		break;
	case CF_SUITE_CBC_SHA1:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_AES_128, 16);
		break;
	case CF_SUITE_AES256_SHA256:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128, 32,
				 &IPSEC_CIPHER_TRANSFORM_ID_AES_256, 32);
		break;
	case CF_SUITE_3DES_SHA1:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES, 24);
		break;
	case CF_SUITE_GMAC128:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_AUTH, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128, 20,
				 NULL, 0);
		break;
	case CF_SUITE_ESP_SHA1:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_AUTH, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96, 20,
				 NULL, 0);
		break;
	case CF_SUITE_AH_SHA256:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128, 32,
				 NULL, 0);
		break;
	case CF_SUITE_GCM_CIPHER:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_CIPHER, spi, NULL, 0,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 20);
		break;
	case CF_SUITE_ESP_AH:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_AES_128, 16);
		cf_bundle_set_sa(b, 1, IPSEC_TRANSFORM_AH, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96, 20,
				 NULL, 0);
		break;
	default:
		abort();
	}
}

const IPSEC_SA_BUNDLE0 *cf_bundle0(cf_bundle *b)
{
	IPSEC_SA_BUNDLE0 *o = &b->b0;
	const IPSEC_SA_BUNDLE1 *i = &b->b1;

	memset(o, 0, sizeof(*o));
	o->flags = i->flags;
	o->lifetime = i->lifetime;
	o->idleTimeoutSeconds = i->idleTimeoutSeconds;
	o->ndAllowClearTimeoutSeconds = i->ndAllowClearTimeoutSeconds;
	o->ipsecId = i->ipsecId;
	o->napContext = i->napContext;
	o->qmSaId = i->qmSaId;
	o->numSAs = i->numSAs;
	o->saList = i->saList;
	o->keyModuleState = i->keyModuleState;
	o->ipVersion = i->ipVersion;
	o->peerV4PrivateAddress = i->peerV4PrivateAddress;
	o->mmSaId = i->mmSaId;
	o->pfsGroup = i->pfsGroup;
	return o;
}

/* ------------------------------------------------------------------ */
/* Contexts                                                           */
/* ------------------------------------------------------------------ */

static const char *const state_names[] = {
	"NONE", "CREATED", "SPI_SET", "INBOUND", "MATURE", "EXPIRING",
};

const char *cf_state_name(cf_state s)
{
	return (unsigned)s <= CF_EXPIRING ? state_names[s] : "?";
}

void cf_opts_default(cf_ctx_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ipv = FWP_IP_VERSION_V4;
	o->type = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	o->suite = CF_SUITE_GCM128;
	o->out_flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
}

static bool all_zero(const UINT8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void build_bundle(cf_bundle *b, const cf_ctx_opts *o, UINT32 spi,
			 bool inbound)
{
	cf_bundle_init(b, o->suite, spi, o->ipv);
	b->b1.flags = inbound ? o->in_flags : o->out_flags;
	b->b1.lifetime = inbound ? o->in_life : o->out_life;
	b->b1.idleTimeoutSeconds = inbound ? o->in_idle : o->out_idle;
}

DWORD cf_ctx_step(HANDLE h, cf_ctx *c)
{
	const cf_ctx_opts *o = &c->o;
	DWORD rc;

	switch (c->state) {
	case CF_NONE:
		if (o->v0) {
			IPSEC_TRAFFIC0 t0 = cf_traffic1_to0(&c->out_traffic);

			c->failed_step = "IPsecSaContextCreate0";
			rc = IPsecSaContextCreate0(h, &t0, NULL, &c->id);
		} else {
			c->failed_step = "IPsecSaContextCreate1";
			rc = IPsecSaContextCreate1(h, &c->out_traffic, NULL,
						   NULL, &c->id);
		}
		if (rc)
			return rc;
		cf_track_ctx(c->id);
		c->state = CF_CREATED;
		return rc;
	case CF_CREATED:
		if (o->getspi) {
			if (o->v0) {
				IPSEC_GETSPI0 g0 = cf_getspi1_to0(&c->getspi);

				c->failed_step = "IPsecSaContextGetSpi0";
				rc = IPsecSaContextGetSpi0(h, c->id, &g0,
							   &c->spi_in);
			} else {
				c->failed_step = "IPsecSaContextGetSpi1";
				rc = IPsecSaContextGetSpi1(h, c->id, &c->getspi,
							   &c->spi_in);
			}
			if (rc)
				return rc;
			c->spi_out = c->spi_in ^ 0x55AA0000u;
		} else {
			c->failed_step = "IPsecSaContextSetSpi0";
			rc = IPsecSaContextSetSpi0(h, c->id, &c->getspi,
						   c->spi_in);
			if (rc)
				return rc;
		}
		c->state = CF_SPI_SET;
		return rc;
	case CF_SPI_SET:
		build_bundle(&c->in, o, c->spi_in, true);
		if (o->v0) {
			c->failed_step = "IPsecSaContextAddInbound0";
			rc = IPsecSaContextAddInbound0(h, c->id,
						       cf_bundle0(&c->in));
		} else {
			c->failed_step = "IPsecSaContextAddInbound1";
			rc = IPsecSaContextAddInbound1(h, c->id, &c->in.b1);
		}
		if (rc)
			return rc;
		c->state = CF_INBOUND;
		return rc;
	case CF_INBOUND:
		build_bundle(&c->out, o, c->spi_out, false);
		if (o->v0) {
			c->failed_step = "IPsecSaContextAddOutbound0";
			rc = IPsecSaContextAddOutbound0(h, c->id,
							cf_bundle0(&c->out));
		} else {
			c->failed_step = "IPsecSaContextAddOutbound1";
			rc = IPsecSaContextAddOutbound1(h, c->id, &c->out.b1);
		}
		if (rc)
			return rc;
		c->state = CF_MATURE;
		return rc;
	case CF_MATURE:
		c->failed_step = "IPsecSaContextExpire0";
		rc = IPsecSaContextExpire0(h, c->id);
		if (rc)
			return rc;
		c->state = CF_EXPIRING;
		return rc;
	default:
		c->failed_step = "(no next step)";
		return ERROR_INVALID_PARAMETER;
	}
}

DWORD cf_ctx_try(HANDLE h, cf_ctx *c, const cf_ctx_opts *opts, cf_state upto)
{
	cf_ctx_opts o;
	UINT8 l6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			 0, 0x01 };
	UINT8 r6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			 0, 0x02 };
	UINT8 tl6[16], tr6[16];

	if (opts)
		o = *opts;
	else
		cf_opts_default(&o);
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->spi_in = o.spi ? o.spi : cf_next_spi();
	c->spi_out = c->spi_in ^ 0x55AA0000u;
	c->out_filter = cf_policy_id(o.ipv, o.type, FWP_DIRECTION_OUTBOUND);
	c->in_filter = o.type == IPSEC_TRAFFIC_TYPE_TRANSPORT ?
		       cf_policy_id(o.ipv, o.type, FWP_DIRECTION_INBOUND) : c->out_filter;
	if (o.ipv == FWP_IP_VERSION_V6) {
		cf_v6_to_traffic(tl6, l6);
		cf_v6_to_traffic(tr6, r6);
		c->out_traffic = cf_traffic_v6(
			all_zero(o.local6, 16) ? tl6 : o.local6,
			all_zero(o.remote6, 16) ? tr6 : o.remote6, o.type,
			c->out_filter);
	} else {
		c->out_traffic = cf_traffic_v4(
			o.local4 ? o.local4 : CF_DEFAULT_LOCAL4,
			o.remote4 ? o.remote4 : CF_DEFAULT_REMOTE4, o.type,
			c->out_filter);
		c->out_traffic.ipVersion = o.ipv;
	}
	c->getspi = cf_getspi1(&c->out_traffic);
	c->getspi.inboundIpsecTraffic.ipsecFilterId = c->in_filter;
	while (c->state < upto) {
		DWORD rc = cf_ctx_step(h, c);

		if (rc)
			return rc;
	}
	c->failed_step = NULL;
	return ERROR_SUCCESS;
}

void cf_ctx_build_at(HANDLE h, cf_ctx *c, const cf_ctx_opts *o,
		     cf_state upto, const char *file, int line)
{
	DWORD rc = cf_ctx_try(h, c, o, upto);

	if (rc) {
		print_error("%s:%d: building a %s context (suite %s, %s, %s): "
			    "%s failed with %s\n", file, line,
			    cf_state_name(upto),
			    cf_suite_name(c->o.suite),
			    c->o.ipv == FWP_IP_VERSION_V6 ? "IPv6" : "IPv4",
			    c->o.type == IPSEC_TRAFFIC_TYPE_TUNNEL ?
			    "tunnel" : "transport",
			    c->failed_step, cf_rc_str(rc));
		_fail(file, line);
	}
}

UINT64 cf_mature(HANDLE h, cf_ctx *c)
{
	cf_ctx_build(h, c, NULL, CF_MATURE);
	return c->id;
}

void cf_ctx_delete_at(HANDLE h, cf_ctx *c, const char *file, int line)
{
	cf_assert_rc_at(IPsecSaContextDeleteById0(h, c->id), ERROR_SUCCESS,
			"IPsecSaContextDeleteById0", file, line);
	cf_untrack_ctx(c->id);
}

/* ------------------------------------------------------------------ */
/* Reading and comparing                                              */
/* ------------------------------------------------------------------ */

IPSEC_SA_CONTEXT1 *cf_get1_at(HANDLE h, UINT64 id, const char *file, int line)
{
	IPSEC_SA_CONTEXT1 *c = NULL;

	cf_assert_rc_at(IPsecSaContextGetById1(h, id, &c), ERROR_SUCCESS,
			"IPsecSaContextGetById1", file, line);
	if (!c) {
		print_error("%s:%d: GetById1 succeeded with a NULL result\n",
			    file, line);
		_fail(file, line);
	}
	if (c->saContextId != id) {
		print_error("%s:%d: GetById1(%llu) returned saContextId %llu\n",
			    file, line, (unsigned long long)id,
			    (unsigned long long)c->saContextId);
		_fail(file, line);
	}
	return c;
}

static bool differ(char *why, size_t n, const char *path, const char *field)
{
	if (why && n)
		snprintf(why, n, "%s%s", path, field);
	return false;
}

#define CMP(expr, field) \
	do { if (!(expr)) return differ(why, n, path, field); } while (0)
#define PRESENCE(a, b, field) \
	CMP(((a) == NULL) == ((b) == NULL), field " (NULL vs non-NULL)")

static bool blob_eq(const FWP_BYTE_BLOB *a, const FWP_BYTE_BLOB *b)
{
	if (a->size != b->size)
		return false;
	if ((a->data == NULL) != (b->data == NULL))
		return false;
	return !a->size || !a->data || !memcmp(a->data, b->data, a->size);
}

static bool wstr_eq(const wchar_t *a, const wchar_t *b)
{
	if (!a || !b)
		return a == b;
	return wcscmp(a, b) == 0;
}

static bool module_eq(const GUID *a, const GUID *b)
{
	if (!a || !b)
		return a == b;
	return cf_guid_eq(a, b);
}

bool cf_traffic1_equal(const IPSEC_TRAFFIC1 *a, const IPSEC_TRAFFIC1 *b,
		       const char *path, char *why, size_t n)
{
	CMP(a->ipVersion == b->ipVersion, ".ipVersion");
	if (a->ipVersion == FWP_IP_VERSION_V4) {
		CMP(a->localV4Address == b->localV4Address, ".localV4Address");
		CMP(a->remoteV4Address == b->remoteV4Address,
		    ".remoteV4Address");
	} else {
		CMP(!memcmp(a->localV6Address, b->localV6Address, 16),
		    ".localV6Address");
		CMP(!memcmp(a->remoteV6Address, b->remoteV6Address, 16),
		    ".remoteV6Address");
	}
	CMP(a->trafficType == b->trafficType, ".trafficType");
	CMP(a->ipsecFilterId == b->ipsecFilterId, ".ipsecFilterId");
	CMP(a->remotePort == b->remotePort, ".remotePort");
	CMP(a->localPort == b->localPort, ".localPort");
	CMP(a->ipProtocol == b->ipProtocol, ".ipProtocol");
	CMP(a->localIfLuid == b->localIfLuid, ".localIfLuid");
	CMP(a->realIfProfileId == b->realIfProfileId, ".realIfProfileId");
	return true;
}

static bool auth_info_eq(const IPSEC_SA_AUTH_INFORMATION0 *a,
			 const IPSEC_SA_AUTH_INFORMATION0 *b,
			 const char *path, char *why, size_t n)
{
	CMP(a->authTransform.authTransformId.authType ==
	    b->authTransform.authTransformId.authType, ".authType");
	CMP(a->authTransform.authTransformId.authConfig ==
	    b->authTransform.authTransformId.authConfig, ".authConfig");
	CMP(module_eq(a->authTransform.cryptoModuleId,
		      b->authTransform.cryptoModuleId), ".cryptoModuleId");
	CMP(blob_eq(&a->authKey, &b->authKey), ".authKey");
	return true;
}

static bool cipher_info_eq(const IPSEC_SA_CIPHER_INFORMATION0 *a,
			   const IPSEC_SA_CIPHER_INFORMATION0 *b,
			   const char *path, char *why, size_t n)
{
	CMP(a->cipherTransform.cipherTransformId.cipherType ==
	    b->cipherTransform.cipherTransformId.cipherType, ".cipherType");
	CMP(a->cipherTransform.cipherTransformId.cipherConfig ==
	    b->cipherTransform.cipherTransformId.cipherConfig,
	    ".cipherConfig");
	CMP(module_eq(a->cipherTransform.cryptoModuleId,
		      b->cipherTransform.cryptoModuleId), ".cryptoModuleId");
	CMP(blob_eq(&a->cipherKey, &b->cipherKey), ".cipherKey");
	return true;
}

static bool sa_eq(const IPSEC_SA0 *a, const IPSEC_SA0 *b, const char *path,
		  char *why, size_t n)
{
	char p[512];

	CMP(a->spi == b->spi, ".spi");
	CMP(a->saTransformType == b->saTransformType, ".saTransformType");
	PRESENCE(a->ahInformation, b->ahInformation, ".(information)");
	if (!a->ahInformation)
		return true;
	switch (a->saTransformType) {
	case IPSEC_TRANSFORM_AH:
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		snprintf(p, sizeof(p), "%s.ahInformation", path);
		return auth_info_eq(a->ahInformation, b->ahInformation, p,
				    why, n);
	case IPSEC_TRANSFORM_ESP_CIPHER:
		snprintf(p, sizeof(p), "%s.espCipherInformation", path);
		return cipher_info_eq(a->espCipherInformation,
				      b->espCipherInformation, p, why, n);
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		snprintf(p, sizeof(p), "%s.saCipherInformation", path);
		if (!cipher_info_eq(
			&a->espAuthAndCipherInformation->saCipherInformation,
			&b->espAuthAndCipherInformation->saCipherInformation,
			p, why, n))
			return false;
		snprintf(p, sizeof(p), "%s.saAuthInformation", path);
		return auth_info_eq(
			&a->espAuthAndCipherInformation->saAuthInformation,
			&b->espAuthAndCipherInformation->saAuthInformation,
			p, why, n);
	default:
		return true;
	}
}

static bool ipsec_id_eq(const IPSEC_ID0 *a, const IPSEC_ID0 *b,
			const char *path, char *why, size_t n)
{
	CMP(wstr_eq(a->mmTargetName, b->mmTargetName), ".mmTargetName");
	CMP(wstr_eq(a->emTargetName, b->emTargetName), ".emTargetName");
	CMP(a->numTokens == b->numTokens, ".numTokens");
	PRESENCE(a->tokens, b->tokens, ".tokens");
	for (UINT32 i = 0; a->tokens && i < a->numTokens; i++) {
		CMP(a->tokens[i].type == b->tokens[i].type, ".tokens[].type");
		CMP(a->tokens[i].principal == b->tokens[i].principal,
		    ".tokens[].principal");
		CMP(a->tokens[i].mode == b->tokens[i].mode, ".tokens[].mode");
		CMP(a->tokens[i].token == b->tokens[i].token,
		    ".tokens[].token");
	}
	CMP(a->explicitCredentials == b->explicitCredentials,
	    ".explicitCredentials");
	CMP(a->logonId == b->logonId, ".logonId");
	return true;
}

static bool bundle1_eq(const IPSEC_SA_BUNDLE1 *a, const IPSEC_SA_BUNDLE1 *b,
		       const char *path, char *why, size_t n)
{
	char p[512];

	CMP(a->flags == b->flags, ".flags");
	CMP(a->lifetime.lifetimeSeconds == b->lifetime.lifetimeSeconds,
	    ".lifetime.lifetimeSeconds");
	CMP(a->lifetime.lifetimeKilobytes == b->lifetime.lifetimeKilobytes,
	    ".lifetime.lifetimeKilobytes");
	CMP(a->lifetime.lifetimePackets == b->lifetime.lifetimePackets,
	    ".lifetime.lifetimePackets");
	CMP(a->idleTimeoutSeconds == b->idleTimeoutSeconds,
	    ".idleTimeoutSeconds");
	CMP(a->ndAllowClearTimeoutSeconds == b->ndAllowClearTimeoutSeconds,
	    ".ndAllowClearTimeoutSeconds");
	PRESENCE(a->ipsecId, b->ipsecId, ".ipsecId");
	if (a->ipsecId) {
		snprintf(p, sizeof(p), "%s.ipsecId", path);
		if (!ipsec_id_eq(a->ipsecId, b->ipsecId, p, why, n))
			return false;
	}
	CMP(a->napContext == b->napContext, ".napContext");
	CMP(a->qmSaId == b->qmSaId, ".qmSaId");
	CMP(a->numSAs == b->numSAs, ".numSAs");
	PRESENCE(a->saList, b->saList, ".saList");
	for (UINT32 i = 0; a->saList && i < a->numSAs && i < 16; i++) {
		snprintf(p, sizeof(p), "%s.saList[%u]", path, i);
		if (!sa_eq(&a->saList[i], &b->saList[i], p, why, n))
			return false;
	}
	PRESENCE(a->keyModuleState, b->keyModuleState, ".keyModuleState");
	if (a->keyModuleState) {
		CMP(cf_guid_eq(&a->keyModuleState->keyModuleKey,
			       &b->keyModuleState->keyModuleKey),
		    ".keyModuleState.keyModuleKey");
		CMP(blob_eq(&a->keyModuleState->stateBlob,
			    &b->keyModuleState->stateBlob),
		    ".keyModuleState.stateBlob");
	}
	CMP(a->ipVersion == b->ipVersion, ".ipVersion");
	CMP(a->peerV4PrivateAddress == b->peerV4PrivateAddress,
	    ".peerV4PrivateAddress");
	CMP(a->mmSaId == b->mmSaId, ".mmSaId");
	CMP(a->pfsGroup == b->pfsGroup, ".pfsGroup");
	CMP(cf_guid_eq(&a->saLookupContext, &b->saLookupContext),
	    ".saLookupContext");
	CMP(a->qmFilterId == b->qmFilterId, ".qmFilterId");
	return true;
}

bool cf_details1_equal(const IPSEC_SA_DETAILS1 *a, const IPSEC_SA_DETAILS1 *b,
		       const char *path, char *why, size_t n)
{
	char p[512];

	CMP(a->ipVersion == b->ipVersion, ".ipVersion");
	CMP(a->saDirection == b->saDirection, ".saDirection");
	snprintf(p, sizeof(p), "%s.traffic", path);
	if (!cf_traffic1_equal(&a->traffic, &b->traffic, p, why, n))
		return false;
	snprintf(p, sizeof(p), "%s.saBundle", path);
	if (!bundle1_eq(&a->saBundle, &b->saBundle, p, why, n))
		return false;
	PRESENCE(a->udpEncapsulation, b->udpEncapsulation, ".udpEncapsulation");
	if (a->udpEncapsulation) {
		CMP(a->udpEncapsulation->localUdpEncapPort ==
		    b->udpEncapsulation->localUdpEncapPort,
		    ".udpEncapsulation.localUdpEncapPort");
		CMP(a->udpEncapsulation->remoteUdpEncapPort ==
		    b->udpEncapsulation->remoteUdpEncapPort,
		    ".udpEncapsulation.remoteUdpEncapPort");
	}
	PRESENCE(a->transportFilter, b->transportFilter, ".transportFilter");
	if (a->transportFilter) {
		CMP(a->transportFilter->filterId == b->transportFilter->filterId,
		    ".transportFilter.filterId");
		CMP(cf_guid_eq(&a->transportFilter->filterKey,
			       &b->transportFilter->filterKey),
		    ".transportFilter.filterKey");
	}
	CMP(a->virtualIfTunnelInfo.virtualIfTunnelId ==
	    b->virtualIfTunnelInfo.virtualIfTunnelId,
	    ".virtualIfTunnelInfo.virtualIfTunnelId");
	CMP(a->virtualIfTunnelInfo.trafficSelectorId ==
	    b->virtualIfTunnelInfo.trafficSelectorId,
	    ".virtualIfTunnelInfo.trafficSelectorId");
	return true;
}

bool cf_ctx1_equal(const IPSEC_SA_CONTEXT1 *a, const IPSEC_SA_CONTEXT1 *b,
		   char *why, size_t n)
{
	const char *path = "ctx";

	CMP(a->saContextId == b->saContextId, ".saContextId");
	PRESENCE(a->inboundSa, b->inboundSa, ".inboundSa");
	PRESENCE(a->outboundSa, b->outboundSa, ".outboundSa");
	if (a->inboundSa &&
	    !cf_details1_equal(a->inboundSa, b->inboundSa, "ctx.inboundSa",
			       why, n))
		return false;
	if (a->outboundSa &&
	    !cf_details1_equal(a->outboundSa, b->outboundSa, "ctx.outboundSa",
			       why, n))
		return false;
	return true;
}

#undef CMP
#undef PRESENCE

void cf_assert_unchanged_at(HANDLE h, UINT64 id,
			    const IPSEC_SA_CONTEXT1 *before,
			    const char *file, int line)
{
	IPSEC_SA_CONTEXT1 *now = cf_get1_at(h, id, file, line);
	char why[256];
	bool eq = cf_ctx1_equal(before, now, why, sizeof(why));

	FwpmFreeMemory0((void **)&now);
	if (!eq) {
		print_error("%s:%d: context %llu changed: %s differs\n", file,
			    line, (unsigned long long)id, why);
		_fail(file, line);
	}
}

bool cf_check_unchanged(HANDLE h, UINT64 id, const IPSEC_SA_CONTEXT1 *before,
			const char *label)
{
	IPSEC_SA_CONTEXT1 *now = NULL;
	char why[256];
	DWORD rc = IPsecSaContextGetById1(h, id, &now);
	bool eq;

	if (rc != ERROR_SUCCESS || !now) {
		cf_note_failure("[%s] re-reading context %llu: %s", label,
				(unsigned long long)id, cf_rc_str(rc));
		return false;
	}
	eq = cf_ctx1_equal(before, now, why, sizeof(why));
	FwpmFreeMemory0((void **)&now);
	if (!eq)
		cf_note_failure("[%s] a failed call changed context %llu: "
				"%s differs", label, (unsigned long long)id,
				why);
	return eq;
}

static bool blob_absent(const FWP_BYTE_BLOB *b)
{
	return b->size == 0 && b->data == NULL;
}

static bool keys_absent_list(const IPSEC_SA0 *l, UINT32 num, char *why,
			     size_t n)
{
	for (UINT32 i = 0; l && i < num; i++) {
		const IPSEC_SA0 *sa = &l[i];
		bool ok = true;

		if (!sa->ahInformation)
			continue;
		switch (sa->saTransformType) {
		case IPSEC_TRANSFORM_AH:
		case IPSEC_TRANSFORM_ESP_AUTH:
		case IPSEC_TRANSFORM_ESP_AUTH_FW:
			ok = blob_absent(&sa->ahInformation->authKey);
			break;
		case IPSEC_TRANSFORM_ESP_CIPHER:
			ok = blob_absent(&sa->espCipherInformation->cipherKey);
			break;
		case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
			ok = blob_absent(&sa->espAuthAndCipherInformation->
					 saCipherInformation.cipherKey) &&
			     blob_absent(&sa->espAuthAndCipherInformation->
					 saAuthInformation.authKey);
			break;
		default:
			break;
		}
		if (!ok) {
			snprintf(why, n, "saList[%u] carries key material", i);
			return false;
		}
	}
	return true;
}

bool cf_keys_absent1(const IPSEC_SA_DETAILS1 *d, char *why, size_t n)
{
	return keys_absent_list(d->saBundle.saList, d->saBundle.numSAs, why, n);
}

bool cf_keys_absent0(const IPSEC_SA_DETAILS0 *d, char *why, size_t n)
{
	return keys_absent_list(d->saBundle.saList, d->saBundle.numSAs, why, n);
}

bool cf_salist_matches(const IPSEC_SA0 *got, UINT32 ngot,
		       const IPSEC_SA0 *want, UINT32 nwant, char *why, size_t n)
{
	if (ngot != nwant) {
		snprintf(why, n, "numSAs %u, want %u", ngot, nwant);
		return false;
	}
	if (!got) {
		snprintf(why, n, "saList NULL");
		return false;
	}
	for (UINT32 i = 0; i < nwant; i++) {
		const IPSEC_SA0 *g = &got[i], *w = &want[i];
		const IPSEC_AUTH_TRANSFORM_ID0 *ga = NULL, *wa = NULL;
		const IPSEC_CIPHER_TRANSFORM_ID0 *gc = NULL, *wc = NULL;

		if (g->spi != w->spi) {
			snprintf(why, n, "saList[%u].spi 0x%x, want 0x%x", i,
				 g->spi, w->spi);
			return false;
		}
		if (g->saTransformType != w->saTransformType) {
			snprintf(why, n, "saList[%u].saTransformType %d, want %d",
				 i, g->saTransformType, w->saTransformType);
			return false;
		}
		if (!g->ahInformation) {
			snprintf(why, n, "saList[%u] information NULL", i);
			return false;
		}
		switch (w->saTransformType) {
		case IPSEC_TRANSFORM_AH:
		case IPSEC_TRANSFORM_ESP_AUTH:
		case IPSEC_TRANSFORM_ESP_AUTH_FW:
			ga = &g->ahInformation->authTransform.authTransformId;
			wa = &w->ahInformation->authTransform.authTransformId;
			break;
		case IPSEC_TRANSFORM_ESP_CIPHER:
			gc = &g->espCipherInformation->cipherTransform.
			     cipherTransformId;
			wc = &w->espCipherInformation->cipherTransform.
			     cipherTransformId;
			break;
		default:
			ga = &g->espAuthAndCipherInformation->saAuthInformation.
			     authTransform.authTransformId;
			wa = &w->espAuthAndCipherInformation->saAuthInformation.
			     authTransform.authTransformId;
			gc = &g->espAuthAndCipherInformation->
			     saCipherInformation.cipherTransform.
			     cipherTransformId;
			wc = &w->espAuthAndCipherInformation->
			     saCipherInformation.cipherTransform.
			     cipherTransformId;
			break;
		}
		if (ga && (ga->authType != wa->authType ||
			   ga->authConfig != wa->authConfig)) {
			snprintf(why, n, "saList[%u] auth id {%d,%d}, want "
				 "{%d,%d}", i, ga->authType, ga->authConfig,
				 wa->authType, wa->authConfig);
			return false;
		}
		if (gc && (gc->cipherType != wc->cipherType ||
			   gc->cipherConfig != wc->cipherConfig)) {
			snprintf(why, n, "saList[%u] cipher id {%d,%d}, want "
				 "{%d,%d}", i, gc->cipherType, gc->cipherConfig,
				 wc->cipherType, wc->cipherConfig);
			return false;
		}
	}
	return true;
}

IPSEC_STATISTICS1 cf_stats_at(HANDLE h, const char *file, int line)
{
	IPSEC_STATISTICS1 s;

	memset(&s, 0xEE, sizeof(s));
	cf_assert_rc_at(IPsecGetStatistics1(h, &s), ERROR_SUCCESS,
			"IPsecGetStatistics1", file, line);
	return s;
}

DWORD cf_enum_ids(HANDLE h, const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		  UINT32 batch, UINT64 **ids, size_t *n)
{
	HANDLE eh = NULL;
	DWORD rc;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	rc = IPsecSaContextCreateEnumHandle0(h, t, &eh);
	if (rc)
		return rc;
	for (;;) {
		IPSEC_SA_CONTEXT1 **e = NULL;
		UINT32 got = 0;

		rc = IPsecSaContextEnum1(h, eh, batch, &e, &got);
		if (rc)
			break;
		for (UINT32 i = 0; i < got; i++) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*ids = realloc(*ids, cap * sizeof(**ids));
				if (!*ids)
					abort();
			}
			(*ids)[(*n)++] = e[i]->saContextId;
		}
		FwpmFreeMemory0((void **)&e);
		if (got < batch || got == 0)
			break;
	}
	IPsecSaContextDestroyEnumHandle0(h, eh);
	return rc;
}

bool cf_ids_contain(const UINT64 *ids, size_t n, UINT64 id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void cf_template_v4(cf_template *t, UINT32 laddr, UINT32 lmask,
		    UINT32 raddr, UINT32 rmask)
{
	memset(t, 0, sizeof(*t));
	t->l4.addr = laddr;
	t->l4.mask = lmask;
	t->r4.addr = raddr;
	t->r4.mask = rmask;
	if (lmask) {
		t->t.localSubNet.type = FWP_V4_ADDR_MASK;
		t->t.localSubNet.v4AddrMask = &t->l4;
	}
	if (rmask) {
		t->t.remoteSubNet.type = FWP_V4_ADDR_MASK;
		t->t.remoteSubNet.v4AddrMask = &t->r4;
	}
}

/* ------------------------------------------------------------------ */
/* Subscriptions                                                      */
/* ------------------------------------------------------------------ */

cf_evlog *cf_evlog_new(void)
{
	cf_evlog *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_mutex_lock(&track_mu);
	vec_push(&t_logs, &l);
	pthread_mutex_unlock(&track_mu);
	return l;
}

static void evlog_add(cf_evlog *l, UINT32 type, UINT64 id, UINT32 dropped,
		      UINT64 flags)
{
	int now = __atomic_add_fetch(&l->in_cb, 1, __ATOMIC_SEQ_CST);
	int max = __atomic_load_n(&l->max_in_cb, __ATOMIC_SEQ_CST);

	while (now > max &&
	       !__atomic_compare_exchange_n(&l->max_in_cb, &max, now, false,
					    __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
	pthread_mutex_lock(&l->mu);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		if (!l->ev)
			abort();
	}
	l->ev[l->n].type = type;
	l->ev[l->n].id = id;
	l->ev[l->n].dropped = dropped;
	l->ev[l->n].flags = flags;
	l->n++;
	l->dropped_total += dropped;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	__atomic_sub_fetch(&l->in_cb, 1, __ATOMIC_SEQ_CST);
}

void CALLBACK cf_evlog_win_cb(void *context,
			      const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	cf_evlog *l = context;

	if (!l)
		return;
	if (!change) {
		l->bad_context++;
		return;
	}
	evlog_add(l, (UINT32)change->changeType, change->saContextId, 0, 0);
}

void CALLBACK cf_evlog_ext_cb(void *context,
			      const FWPX_SA_CONTEXT_EVENT0 *event)
{
	cf_evlog *l = context;

	if (!l)
		return;
	if (!event) {
		l->bad_context++;
		return;
	}
	evlog_add(l, event->eventType, event->saContextId, event->numDropped,
		  event->updateFlags);
}

long cf_evlog_find(cf_evlog *l, UINT32 type, UINT64 id, size_t from)
{
	long r = -1;

	pthread_mutex_lock(&l->mu);
	for (size_t i = from; i < l->n; i++)
		if (l->ev[i].type == type && l->ev[i].id == id) {
			r = (long)i;
			break;
		}
	pthread_mutex_unlock(&l->mu);
	return r;
}

size_t cf_evlog_count(cf_evlog *l, UINT32 type, UINT64 id)
{
	size_t c = 0;

	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; i < l->n; i++)
		if (l->ev[i].type == type && l->ev[i].id == id)
			c++;
	pthread_mutex_unlock(&l->mu);
	return c;
}

size_t cf_evlog_size(cf_evlog *l)
{
	size_t n;

	pthread_mutex_lock(&l->mu);
	n = l->n;
	pthread_mutex_unlock(&l->mu);
	return n;
}

UINT64 cf_evlog_dropped(cf_evlog *l)
{
	UINT64 n;

	pthread_mutex_lock(&l->mu);
	n = l->dropped_total;
	pthread_mutex_unlock(&l->mu);
	return n;
}

bool cf_evlog_wait(cf_evlog *l, UINT32 type, UINT64 id, unsigned timeout_ms)
{
	bool ok = false;

	CF_WAIT(ok, cf_evlog_find(l, type, id, 0) >= 0, timeout_ms);
	return ok;
}

HANDLE cf_subscribe_at(HANDLE h, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		       cf_evlog *l, const char *file, int line)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;

	memset(&s, 0, sizeof(s));
	s.enumTemplate = t;
	cf_assert_rc_at(IPsecSaContextSubscribe0(h, &s, cf_evlog_win_cb, l,
						 &ev),
			ERROR_SUCCESS, "IPsecSaContextSubscribe0", file, line);
	if (!ev) {
		print_error("%s:%d: Subscribe0 returned a NULL handle\n", file,
			    line);
		_fail(file, line);
	}
	cf_track_subscription(h, ev);
	return ev;
}

HANDLE cf_subscribe_ext_at(HANDLE h, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
			   UINT32 mask, cf_evlog *l, const char *file, int line)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;

	memset(&s, 0, sizeof(s));
	s.enumTemplate = t;
	cf_assert_rc_at(FwpxSaContextSubscribe0(h, &s, mask, cf_evlog_ext_cb,
						l, &ev),
			ERROR_SUCCESS, "FwpxSaContextSubscribe0", file, line);
	if (!ev) {
		print_error("%s:%d: FwpxSaContextSubscribe0 returned a NULL "
			    "handle\n", file, line);
		_fail(file, line);
	}
	cf_track_subscription(h, ev);
	return ev;
}

void cf_unsubscribe(HANDLE h, HANDLE events)
{
	cf_untrack_subscription(events);
	CF_OK(IPsecSaContextUnsubscribe0(h, events));
}
