/* test_changes.c - object-change subscriptions (docs/CONTRACT.md, "Change
 * subscriptions"), through the public API, in-process and against fwpd:
 * validation codes, an add and a delete seen with the right key and id for
 * every kind, template and flag filtering, nothing from an aborted
 * transaction, everything at commit, deletes by a dynamic session's end
 * and by the tunnel helper, Unsubscribe stopping delivery, and the
 * SubscriptionsGet0 round trip.
 *
 * "Nothing was delivered" is checked without sleeping: changes reach one
 * subscription in order, so once a later marker change has arrived, an
 * earlier one would have too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <pthread.h>
#include <sys/random.h>
#include <cmocka.h>

#include <fwpmu.h>

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s = 0x%08x, want 0x%08x", #expr, rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

#define MAX_SEEN 64
#define WAIT_MS 5000

struct change {
	UINT32 type;
	GUID key;
	UINT64 id;
};

/* What one subscription's callback saw. */
struct seen {
	pthread_mutex_t lock;
	pthread_cond_t more;
	unsigned n;
	struct change ev[MAX_SEEN];
};

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
}

static void record(void *ctx, UINT32 type, const GUID *key, UINT64 id)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->lock);
	if (s->n < MAX_SEEN)
		s->ev[s->n++] = (struct change){ type, *key, id };
	pthread_cond_broadcast(&s->more);
	pthread_mutex_unlock(&s->lock);
}

static void CALLBACK on_filter(void *ctx, const FWPM_FILTER_CHANGE0 *ch)
{
	record(ctx, ch->changeType, &ch->filterKey, ch->filterId);
}

static void CALLBACK on_provider(void *ctx, const FWPM_PROVIDER_CHANGE0 *ch)
{
	record(ctx, ch->changeType, &ch->providerKey, 0);
}

static void CALLBACK on_sublayer(void *ctx, const FWPM_SUBLAYER_CHANGE0 *ch)
{
	record(ctx, ch->changeType, &ch->subLayerKey, 0);
}

static void CALLBACK on_context(void *ctx, const FWPM_PROVIDER_CONTEXT_CHANGE0 *ch)
{
	record(ctx, ch->changeType, &ch->providerContextKey, ch->providerContextId);
}

/* Waits until s has seen want changes; false after WAIT_MS. */
static bool wait_for(struct seen *s, unsigned want)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&s->lock);
	while (s->n < want &&
	       pthread_cond_timedwait(&s->more, &s->lock, &until) == 0)
		;
	ok = s->n >= want;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static unsigned count(struct seen *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static GUID random_guid(void)
{
	GUID g;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		abort();
	g.Data1 |= 1;
	return g;
}

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void assert_change(struct seen *s, unsigned i, UINT32 type, const GUID *key, UINT64 id)
{
	struct change c;

	assert_true(wait_for(s, i + 1));
	pthread_mutex_lock(&s->lock);
	c = s->ev[i];
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(c.type, type);
	assert_true(guid_eq(&c.key, key));
	assert_true(c.id == id);
}

static HANDLE open_engine(UINT32 flags)
{
	FWPM_SESSION0 s;
	HANDLE h = NULL;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h));
	return h;
}

static void add_provider(HANDLE h, const GUID *key)
{
	FWPM_PROVIDER0 p = { .providerKey = *key, .displayData.name = L"change test" };

	OK(FwpmProviderAdd0(h, &p, NULL));
}

static UINT64 add_filter(HANDLE h, const GUID *key, const GUID *provider)
{
	FWPM_FILTER0 f;
	UINT64 id = 0;

	memset(&f, 0, sizeof(f));
	f.filterKey = *key;
	f.displayData.name = L"change filter";
	f.providerKey = (GUID *)provider;
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	OK(FwpmFilterAdd0(h, &f, NULL, &id));
	return id;
}

static HANDLE sub_filters(HANDLE h, FWPM_FILTER_ENUM_TEMPLATE0 *t, UINT32 flags,
			  struct seen *s)
{
	FWPM_FILTER_SUBSCRIPTION0 sub = { .enumTemplate = t, .flags = flags };
	HANDLE ch = NULL;

	OK(FwpmFilterSubscribeChanges0(h, &sub, on_filter, s, &ch));
	assert_non_null(ch);
	return ch;
}

#define BOTH (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE)

static void test_validation(void **state)
{
	HANDLE h = open_engine(0), ch = (HANDLE)1, pch = NULL;
	FWPM_FILTER_SUBSCRIPTION0 sub = { .flags = BOTH };
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 bad_type = {
		.providerContextType = FWPM_PROVIDER_CONTEXT_TYPE_MAX,
	};
	FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0 csub = { .enumTemplate = &bad_type };
	FWPM_PROVIDER_SUBSCRIPTION0 psub = { 0 };
	FWPM_FILTER_SUBSCRIPTION0 **v = NULL;
	UINT32 n = 7;
	struct seen s;

	(void)state;
	seen_init(&s);
	RC(FwpmFilterSubscribeChanges0(h, NULL, on_filter, &s, &ch), FWP_E_NULL_POINTER);
	assert_null(ch);	/* a failed call leaves no stale handle */
	RC(FwpmFilterSubscribeChanges0(h, &sub, NULL, &s, &ch), FWP_E_NULL_POINTER);
	RC(FwpmFilterSubscribeChanges0(h, &sub, on_filter, &s, NULL), FWP_E_NULL_POINTER);
	sub.flags = 0x4;
	RC(FwpmFilterSubscribeChanges0(h, &sub, on_filter, &s, &ch), FWP_E_INVALID_FLAGS);
	sub.flags = BOTH;
	RC(FwpmProviderContextSubscribeChanges0(h, &csub, on_context, &s, &ch),
	   FWP_E_INVALID_ENUMERATOR);
	RC(FwpmFilterSubscribeChanges0(NULL, &sub, on_filter, &s, &ch), ERROR_INVALID_HANDLE);
	OK(FwpmTransactionBegin0(h, 0));
	RC(FwpmFilterSubscribeChanges0(h, &sub, on_filter, &s, &ch), FWP_E_TXN_IN_PROGRESS);
	OK(FwpmTransactionAbort0(h));

	RC(FwpmFilterSubscriptionsGet0(h, NULL, &n), FWP_E_NULL_POINTER);
	RC(FwpmFilterSubscriptionsGet0(h, &v, NULL), FWP_E_NULL_POINTER);
	OK(FwpmFilterUnsubscribeChanges0(h, NULL));	/* a no-op, as on Windows */
	RC(FwpmFilterUnsubscribeChanges0(h, (HANDLE)0x7777), ERROR_INVALID_HANDLE);
	/* A handle of another kind is not this kind's. */
	OK(FwpmProviderSubscribeChanges0(h, &psub, on_provider, &s, &pch));
	RC(FwpmFilterUnsubscribeChanges0(h, pch), ERROR_INVALID_HANDLE);
	OK(FwpmTransactionBegin0(h, 0));
	RC(FwpmProviderUnsubscribeChanges0(h, pch), FWP_E_TXN_IN_PROGRESS);
	OK(FwpmTransactionAbort0(h));
	OK(FwpmProviderUnsubscribeChanges0(h, pch));
	RC(FwpmProviderUnsubscribeChanges0(h, pch), ERROR_INVALID_HANDLE);
	OK(FwpmEngineClose0(h));
}

/* Another session's add and delete, with the filter's key and id. */
static void test_filter_add_delete(void **state)
{
	HANDLE a = open_engine(0), b = open_engine(0), ch;
	GUID prov = random_guid(), key = random_guid();
	struct seen s;
	UINT64 id;

	(void)state;
	seen_init(&s);
	ch = sub_filters(a, NULL, BOTH, &s);
	add_provider(b, &prov);
	id = add_filter(b, &key, &prov);
	assert_change(&s, 0, FWPM_CHANGE_ADD, &key, id);
	OK(FwpmFilterDeleteById0(b, id));
	assert_change(&s, 1, FWPM_CHANGE_DELETE, &key, id);
	OK(FwpmProviderDeleteByKey0(b, &prov));
	OK(FwpmFilterUnsubscribeChanges0(a, ch));
	assert_int_equal(count(&s), 2);
	OK(FwpmEngineClose0(b));
	OK(FwpmEngineClose0(a));
}

/* The template picks the objects, the flags the kinds of change. */
static void test_template_and_flags(void **state)
{
	HANDLE h = open_engine(0), ch_a, ch_add;
	GUID pa = random_guid(), pb = random_guid();
	GUID fa = random_guid(), fb = random_guid(), fa2 = random_guid();
	FWPM_FILTER_ENUM_TEMPLATE0 t;
	struct seen sa, sadd;
	UINT64 ida, idb, ida2;

	(void)state;
	seen_init(&sa);
	seen_init(&sadd);
	add_provider(h, &pa);
	add_provider(h, &pb);
	memset(&t, 0, sizeof(t));
	t.providerKey = &pa;
	t.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	t.enumType = FWP_FILTER_ENUM_OVERLAPPING;
	t.actionMask = 0xFFFFFFFF;
	ch_a = sub_filters(h, &t, BOTH, &sa);
	t.providerKey = NULL;
	ch_add = sub_filters(h, &t, FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD, &sadd);

	idb = add_filter(h, &fb, &pb);		/* not provider a's */
	ida = add_filter(h, &fa, &pa);
	assert_change(&sa, 0, FWPM_CHANGE_ADD, &fa, ida);
	assert_change(&sadd, 0, FWPM_CHANGE_ADD, &fb, idb);
	assert_change(&sadd, 1, FWPM_CHANGE_ADD, &fa, ida);
	OK(FwpmFilterDeleteById0(h, idb));
	OK(FwpmFilterDeleteById0(h, ida));
	assert_change(&sa, 1, FWPM_CHANGE_DELETE, &fa, ida);
	ida2 = add_filter(h, &fa2, &pa);	/* the marker */
	assert_change(&sadd, 2, FWPM_CHANGE_ADD, &fa2, ida2);	/* no deletes */
	assert_change(&sa, 2, FWPM_CHANGE_ADD, &fa2, ida2);	/* nothing of b */
	OK(FwpmFilterDeleteById0(h, ida2));
	OK(FwpmFilterUnsubscribeChanges0(h, ch_a));
	OK(FwpmFilterUnsubscribeChanges0(h, ch_add));
	OK(FwpmProviderDeleteByKey0(h, &pa));
	OK(FwpmProviderDeleteByKey0(h, &pb));
	OK(FwpmEngineClose0(h));
}

/* An aborted transaction notifies nothing; a committed one notifies its
 * net effect at commit, oldest first. */
static void test_abort_and_commit(void **state)
{
	HANDLE a = open_engine(0), b = open_engine(0), ch;
	GUID prov = random_guid(), k1 = random_guid(), k2 = random_guid();
	GUID k3 = random_guid(), old = random_guid(), marker = random_guid();
	struct seen s;
	UINT64 id2, id3, old_id, mid;

	(void)state;
	seen_init(&s);
	add_provider(b, &prov);
	old_id = add_filter(b, &old, &prov);
	ch = sub_filters(a, NULL, BOTH, &s);

	OK(FwpmTransactionBegin0(b, 0));
	add_filter(b, &k1, &prov);
	OK(FwpmFilterDeleteById0(b, old_id));
	OK(FwpmTransactionAbort0(b));
	mid = add_filter(b, &marker, &prov);
	assert_change(&s, 0, FWPM_CHANGE_ADD, &marker, mid);	/* nothing before */

	OK(FwpmTransactionBegin0(b, 0));
	id2 = add_filter(b, &k2, &prov);
	id3 = add_filter(b, &k3, &prov);
	OK(FwpmFilterDeleteById0(b, id3));	/* made and gone inside: nothing */
	OK(FwpmFilterDeleteById0(b, old_id));
	OK(FwpmFilterDeleteById0(b, mid));
	assert_int_equal(count(&s), 1);	/* nothing before commit */
	OK(FwpmTransactionCommit0(b));
	assert_change(&s, 1, FWPM_CHANGE_ADD, &k2, id2);
	assert_change(&s, 2, FWPM_CHANGE_DELETE, &old, old_id);
	assert_change(&s, 3, FWPM_CHANGE_DELETE, &marker, mid);
	OK(FwpmFilterDeleteById0(b, id2));
	assert_change(&s, 4, FWPM_CHANGE_DELETE, &k2, id2);
	OK(FwpmProviderDeleteByKey0(b, &prov));
	OK(FwpmFilterUnsubscribeChanges0(a, ch));
	OK(FwpmEngineClose0(b));
	OK(FwpmEngineClose0(a));
}

static void test_unsubscribe_stops(void **state)
{
	HANDLE h = open_engine(0), ch, ch2;
	GUID prov = random_guid(), k1 = random_guid(), k2 = random_guid();
	struct seen s, s2;
	UINT64 id1, id2;

	(void)state;
	seen_init(&s);
	seen_init(&s2);
	add_provider(h, &prov);
	ch = sub_filters(h, NULL, BOTH, &s);
	ch2 = sub_filters(h, NULL, BOTH, &s2);
	id1 = add_filter(h, &k1, &prov);
	assert_change(&s, 0, FWPM_CHANGE_ADD, &k1, id1);
	OK(FwpmFilterUnsubscribeChanges0(h, ch));
	id2 = add_filter(h, &k2, &prov);
	assert_change(&s2, 1, FWPM_CHANGE_ADD, &k2, id2);	/* the marker */
	assert_int_equal(count(&s), 1);
	OK(FwpmFilterDeleteById0(h, id1));
	OK(FwpmFilterDeleteById0(h, id2));
	OK(FwpmProviderDeleteByKey0(h, &prov));
	assert_true(wait_for(&s2, 4));
	assert_int_equal(count(&s), 1);
	OK(FwpmFilterUnsubscribeChanges0(h, ch2));
	OK(FwpmEngineClose0(h));
}

/* The caller's subscriptions come back with their flags and templates,
 * and another session's with its own key: the in-process engine's process
 * and root over fwpd list every session's (an unprivileged user only his
 * own: tests/service/test_service.c); FwpmFreeMemory0 frees the one
 * allocation. */
static void test_subscriptions_get(void **state)
{
	HANDLE h = open_engine(0), other = open_engine(0), c1, c2, c3, oc;
	GUID prov = random_guid();
	FWPM_SUBLAYER_ENUM_TEMPLATE0 t = { .providerKey = &prov };
	FWPM_SUBLAYER_SUBSCRIPTION0 sub = { .enumTemplate = &t,
					    .flags = FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE };
	FWPM_SUBLAYER_SUBSCRIPTION0 plain = { .flags = BOTH };
	FWPM_SUBLAYER_SUBSCRIPTION0 **v = NULL;
	FWPM_FILTER_SUBSCRIPTION0 **fv = NULL;
	struct seen s;
	UINT32 n = 0;
	int with_tmpl;

	(void)state;
	seen_init(&s);
	OK(FwpmSubLayerSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 0);
	assert_null(v);
	OK(FwpmSubLayerSubscribeChanges0(h, &sub, on_sublayer, &s, &c1));
	OK(FwpmSubLayerSubscribeChanges0(h, &plain, on_sublayer, &s, &c2));
	OK(FwpmSubLayerSubscribeChanges0(other, &plain, on_sublayer, &s, &oc));
	c3 = sub_filters(h, NULL, BOTH, &s);

	OK(FwpmSubLayerSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 3);
	with_tmpl = -1;
	for (UINT32 i = 0; i < n; i++) {
		if (!v[i]->enumTemplate) {
			assert_int_equal(v[i]->flags, BOTH);
			continue;
		}
		with_tmpl = (int)i;
		assert_true(guid_eq(v[i]->enumTemplate->providerKey, &prov));
		assert_int_equal(v[i]->flags, FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE);
	}
	assert_true(with_tmpl >= 0);
	/* Two session keys, h's twice: the plain ones are h's and other's. */
	for (UINT32 i = 0; i < n; i++) {
		unsigned same = 0;

		assert_false(guid_eq(&v[i]->sessionKey, &(GUID){ 0 }));
		for (UINT32 j = 0; j < n; j++)
			same += guid_eq(&v[i]->sessionKey, &v[j]->sessionKey);
		assert_int_equal(same, guid_eq(&v[i]->sessionKey,
					       &v[with_tmpl]->sessionKey) ? 2 : 1);
	}
	FwpmFreeMemory0((void **)&v);
	assert_null(v);

	OK(FwpmFilterSubscriptionsGet0(h, &fv, &n));
	assert_int_equal(n, 1);
	assert_null(fv[0]->enumTemplate);
	FwpmFreeMemory0((void **)&fv);

	OK(FwpmSubLayerUnsubscribeChanges0(h, c1));
	OK(FwpmSubLayerSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 2);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmSubLayerUnsubscribeChanges0(h, c2));
	OK(FwpmFilterUnsubscribeChanges0(h, c3));
	OK(FwpmSubLayerUnsubscribeChanges0(other, oc));
	OK(FwpmEngineClose0(other));
	OK(FwpmEngineClose0(h));
}

struct qm_ctx {
	IPSEC_AUTH_TRANSFORM0 auth;
	IPSEC_SA_TRANSFORM0 tr;
	IPSEC_PROPOSAL0 prop;
	IPSEC_TRANSPORT_POLICY1 pol;
	FWPM_PROVIDER_CONTEXT1 pc;
};

static void qm_ctx_init(struct qm_ctx *q, const GUID *key)
{
	memset(q, 0, sizeof(*q));
	q->auth.authTransformId.authType = IPSEC_AUTH_SHA_256;
	q->auth.authTransformId.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
	q->tr.ipsecTransformType = IPSEC_TRANSFORM_AH;
	q->tr.ahTransform = &q->auth;
	q->prop.lifetime = (IPSEC_SA_LIFETIME0){ 3600, 100000, 0x7FFFFFFF };
	q->prop.numSaTransforms = 1;
	q->prop.saTransforms = &q->tr;
	q->pol.numIpsecProposals = 1;
	q->pol.ipsecProposals = &q->prop;
	q->pol.saIdleTimeout = (IPSEC_SA_IDLE_TIMEOUT0){ 300, 60 };
	q->pc.providerContextKey = *key;
	q->pc.displayData.name = L"change qm";
	q->pc.type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT;
	q->pc.ikeQmTransportPolicy = &q->pol;
}

/* Providers, sublayers and provider contexts notify like filters. */
static void test_other_kinds(void **state)
{
	HANDLE h = open_engine(0), other = open_engine(0), cp, cs, cc;
	GUID prov = random_guid(), sl_key = random_guid(), ctx_key = random_guid();
	FWPM_PROVIDER_SUBSCRIPTION0 ps = { .flags = BOTH };
	FWPM_SUBLAYER_SUBSCRIPTION0 ss = { .flags = BOTH };
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 ct = {
		.providerContextType = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
	};
	FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0 cs_sub = { .enumTemplate = &ct, .flags = BOTH };
	FWPM_SUBLAYER0 sl = { .subLayerKey = sl_key, .displayData.name = L"change sl",
			      .weight = 7 };
	struct seen sp, ssl, sc;
	struct qm_ctx q;
	UINT64 cid = 0;

	(void)state;
	seen_init(&sp);
	seen_init(&ssl);
	seen_init(&sc);
	OK(FwpmProviderSubscribeChanges0(h, &ps, on_provider, &sp, &cp));
	OK(FwpmSubLayerSubscribeChanges0(h, &ss, on_sublayer, &ssl, &cs));
	OK(FwpmProviderContextSubscribeChanges0(h, &cs_sub, on_context, &sc, &cc));

	add_provider(other, &prov);
	assert_change(&sp, 0, FWPM_CHANGE_ADD, &prov, 0);
	OK(FwpmSubLayerAdd0(other, &sl, NULL));
	assert_change(&ssl, 0, FWPM_CHANGE_ADD, &sl_key, 0);
	qm_ctx_init(&q, &ctx_key);
	OK(FwpmProviderContextAdd1(other, &q.pc, NULL, &cid));
	assert_change(&sc, 0, FWPM_CHANGE_ADD, &ctx_key, cid);

	OK(FwpmProviderContextDeleteById0(other, cid));
	assert_change(&sc, 1, FWPM_CHANGE_DELETE, &ctx_key, cid);
	OK(FwpmSubLayerDeleteByKey0(other, &sl_key));
	assert_change(&ssl, 1, FWPM_CHANGE_DELETE, &sl_key, 0);
	OK(FwpmProviderDeleteByKey0(other, &prov));
	assert_change(&sp, 1, FWPM_CHANGE_DELETE, &prov, 0);

	OK(FwpmProviderUnsubscribeChanges0(h, cp));
	OK(FwpmSubLayerUnsubscribeChanges0(h, cs));
	OK(FwpmProviderContextUnsubscribeChanges0(h, cc));
	OK(FwpmEngineClose0(other));
	OK(FwpmEngineClose0(h));
}

/* What a dynamic session added is deleted when it ends: subscribers hear. */
static void test_dynamic_session_end(void **state)
{
	HANDLE h = open_engine(0), dyn = open_engine(FWPM_SESSION_FLAG_DYNAMIC), ch;
	GUID prov = random_guid(), key = random_guid();
	struct seen s;
	UINT64 id;

	(void)state;
	seen_init(&s);
	add_provider(h, &prov);
	ch = sub_filters(h, NULL, BOTH, &s);
	id = add_filter(dyn, &key, &prov);
	assert_change(&s, 0, FWPM_CHANGE_ADD, &key, id);
	OK(FwpmEngineClose0(dyn));
	assert_change(&s, 1, FWPM_CHANGE_DELETE, &key, id);
	OK(FwpmFilterUnsubscribeChanges0(h, ch));
	OK(FwpmProviderDeleteByKey0(h, &prov));
	OK(FwpmEngineClose0(h));
}

/* The tunnel helper's objects notify like any other. */
static void test_tunnel_helper(void **state)
{
	HANDLE h = open_engine(0), cf, cc;
	FWPM_FILTER_SUBSCRIPTION0 fs = { .flags = BOTH };
	FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0 csub = { .flags = BOTH };
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_256,
					 IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 }, NULL };
	IPSEC_SA_TRANSFORM0 tr = { IPSEC_TRANSFORM_ESP_AUTH, { .espAuthTransform = &auth } };
	IPSEC_PROPOSAL0 prop = { { 3600, 100000, 0x7FFFFFFF }, 1, &tr, IPSEC_PFS_NONE };
	IPSEC_TUNNEL_POLICY1 pol;
	FWPM_PROVIDER_CONTEXT1 pc;
	FWPM_FILTER_CONDITION0 c[2];
	GUID key = random_guid();
	struct seen sf, sc;
	unsigned nf;

	(void)state;
	seen_init(&sf);
	seen_init(&sc);
	memset(&pol, 0, sizeof(pol));
	pol.numIpsecProposals = 1;
	pol.ipsecProposals = &prop;
	pol.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	pol.tunnelEndpoints.localV4Address = 0x0A010001;
	pol.tunnelEndpoints.remoteV4Address = 0x0A020001;
	pol.saIdleTimeout = (IPSEC_SA_IDLE_TIMEOUT0){ 300, 60 };
	memset(&pc, 0, sizeof(pc));
	pc.providerContextKey = key;
	pc.displayData.name = L"change tunnel";
	pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	pc.ikeQmTunnelPolicy = &pol;
	memset(c, 0, sizeof(c));
	c[0].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_UINT32;
	c[0].conditionValue.uint32 = 0x0A010001;
	c[1] = c[0];
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[1].conditionValue.uint32 = 0x0A020001;

	OK(FwpmFilterSubscribeChanges0(h, &fs, on_filter, &sf, &cf));
	OK(FwpmProviderContextSubscribeChanges0(h, &csub, on_context, &sc, &cc));
	OK(FwpmIPsecTunnelAdd1(h, 0, NULL, &pc, 2, c, NULL, NULL));
	assert_true(wait_for(&sc, 1));
	assert_int_equal(sc.ev[0].type, FWPM_CHANGE_ADD);
	assert_true(guid_eq(&sc.ev[0].key, &key));
	/* The helper adds two filters (inbound and outbound, CONTRACT.md):
	 * wait for both, as they may come one at a time. */
	assert_true(wait_for(&sf, 2));
	nf = count(&sf);
	assert_int_equal(nf, 2);
	for (unsigned i = 0; i < nf; i++)
		assert_int_equal(sf.ev[i].type, FWPM_CHANGE_ADD);
	OK(FwpmIPsecTunnelDeleteByKey0(h, &key));
	assert_true(wait_for(&sc, 2));
	assert_int_equal(sc.ev[1].type, FWPM_CHANGE_DELETE);
	assert_true(guid_eq(&sc.ev[1].key, &key));
	assert_true(sc.ev[1].id == sc.ev[0].id);
	assert_true(wait_for(&sf, 2 * nf));	/* every filter deleted, by id */
	for (unsigned i = 0; i < nf; i++) {
		bool found = false;

		for (unsigned j = nf; j < 2 * nf; j++)
			found |= sf.ev[j].type == FWPM_CHANGE_DELETE && sf.ev[j].id == sf.ev[i].id &&
				 guid_eq(&sf.ev[j].key, &sf.ev[i].key);
		assert_true(found);
	}
	OK(FwpmFilterUnsubscribeChanges0(h, cf));
	OK(FwpmProviderContextUnsubscribeChanges0(h, cc));
	OK(FwpmEngineClose0(h));
}

/* A subscription dies with its session, and a callback may close the
 * engine handle of another session meanwhile: nothing is delivered to the
 * closed one and nothing crashes. */
static void test_session_end_drops_subscriptions(void **state)
{
	HANDLE a = open_engine(0), b = open_engine(0), ch;
	GUID prov = random_guid(), key = random_guid(), key2 = random_guid();
	struct seen s, s2;
	UINT64 id, id2;

	(void)state;
	seen_init(&s);
	seen_init(&s2);
	add_provider(b, &prov);
	(void)sub_filters(a, NULL, BOTH, &s);
	ch = sub_filters(b, NULL, BOTH, &s2);
	OK(FwpmEngineClose0(a));	/* its subscription goes with it */
	id = add_filter(b, &key, &prov);
	id2 = add_filter(b, &key2, &prov);
	assert_change(&s2, 1, FWPM_CHANGE_ADD, &key2, id2);
	assert_int_equal(count(&s), 0);
	OK(FwpmFilterDeleteById0(b, id));
	OK(FwpmFilterDeleteById0(b, id2));
	OK(FwpmProviderDeleteByKey0(b, &prov));
	OK(FwpmFilterUnsubscribeChanges0(b, ch));
	OK(FwpmEngineClose0(b));
}

static void CALLBACK on_callout(void *ctx, const FWPM_CALLOUT_CHANGE0 *ch)
{
	record(ctx, ch->changeType, &ch->calloutKey, ch->calloutId);
}

/* Whether a session with this key is open (FwpmSessionEnum0). */
static bool session_exists(HANDLE h, const GUID *key)
{
	FWPM_SESSION0 **v = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0;
	bool found = false;

	OK(FwpmSessionCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmSessionEnum0(h, eh, 1000, &v, &n));
	for (UINT32 i = 0; i < n; i++)
		found |= guid_eq(&v[i]->sessionKey, key);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmSessionDestroyEnumHandle0(h, eh));
	return found;
}

/* Callout subscriptions: validated, listed with their templates, flags
 * and real session keys, bounded, gone with their engine handle; never
 * fired, callouts never changing (adds and deletes are refused). */
static void test_callout_subscriptions(void **state)
{
	GUID key = random_guid(), prov = random_guid();
	FWPM_SESSION0 ses = { .sessionKey = key };
	HANDLE h = NULL, other = open_engine(0), c1, c2, oc, extra[64];
	FWPM_CALLOUT_ENUM_TEMPLATE0 t = { .providerKey = &prov,
					  .layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4 };
	FWPM_CALLOUT_SUBSCRIPTION0 sub = { .enumTemplate = &t,
					   .flags = FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD };
	FWPM_CALLOUT_SUBSCRIPTION0 plain = { .flags = 0 }, bad = { .flags = 4 };
	FWPM_CALLOUT_SUBSCRIPTION0 **v = NULL;
	FWPM_CALLOUT0 co = { .calloutKey = FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4,
			     .displayData.name = L"x",
			     .applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4 };
	HANDLE ch = (HANDLE)1;
	struct seen s;
	UINT32 n = 0, id;
	int with_tmpl;

	(void)state;
	seen_init(&s);
	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &ses, &h));
	RC(FwpmCalloutSubscribeChanges0(h, NULL, on_callout, &s, &ch), FWP_E_NULL_POINTER);
	assert_null(ch);
	RC(FwpmCalloutSubscribeChanges0(h, &sub, NULL, &s, &ch), FWP_E_NULL_POINTER);
	RC(FwpmCalloutSubscribeChanges0(h, &sub, on_callout, &s, NULL), FWP_E_NULL_POINTER);
	RC(FwpmCalloutSubscribeChanges0(h, &bad, on_callout, &s, &ch), FWP_E_INVALID_FLAGS);
	RC(FwpmCalloutSubscribeChanges0(NULL, &sub, on_callout, &s, &ch), ERROR_INVALID_HANDLE);
	RC(FwpmCalloutSubscriptionsGet0(h, NULL, &n), FWP_E_NULL_POINTER);
	RC(FwpmCalloutSubscriptionsGet0(h, &v, NULL), FWP_E_NULL_POINTER);
	OK(FwpmCalloutSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 0);
	assert_null(v);

	OK(FwpmCalloutSubscribeChanges0(h, &sub, on_callout, &s, &c1));
	OK(FwpmCalloutSubscribeChanges0(h, &plain, on_callout, &s, &c2));
	OK(FwpmCalloutSubscribeChanges0(other, &plain, on_callout, &s, &oc));
	assert_true(c1 && c2 && oc && c1 != c2);

	/* The process's three, the template copied (the caller's may go). */
	memset(&t, 0, sizeof(t));
	OK(FwpmCalloutSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 3);
	with_tmpl = -1;
	for (UINT32 i = 0; i < n; i++) {
		if (!v[i]->enumTemplate) {
			assert_int_equal(v[i]->flags, 0);
			continue;
		}
		with_tmpl = (int)i;
		assert_true(guid_eq(v[i]->enumTemplate->providerKey, &prov));
		assert_true(guid_eq(&v[i]->enumTemplate->layerKey,
				    &FWPM_LAYER_INBOUND_TRANSPORT_V4));
		assert_int_equal(v[i]->flags, FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD);
		assert_true(guid_eq(&v[i]->sessionKey, &key));
	}
	assert_true(with_tmpl >= 0);
	/* Every key is the key of an open session, generated ones too. */
	for (UINT32 i = 0; i < n; i++)
		assert_true(session_exists(h, &v[i]->sessionKey));
	FwpmFreeMemory0((void **)&v);

	/* Callouts never change: nothing to deliver. */
	RC(FwpmCalloutAdd0(h, &co, NULL, &id), FWP_E_ALREADY_EXISTS);
	co.calloutKey = random_guid();
	RC(FwpmCalloutAdd0(h, &co, NULL, &id), ERROR_NOT_SUPPORTED);
	RC(FwpmCalloutDeleteByKey0(h, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4),
	   FWP_E_BUILTIN_OBJECT);
	assert_false(wait_for(&s, 1));

	/* Handles: another engine handle's, NULL, twice. */
	RC(FwpmCalloutUnsubscribeChanges0(h, oc), ERROR_INVALID_HANDLE);
	OK(FwpmCalloutUnsubscribeChanges0(h, NULL));
	OK(FwpmCalloutUnsubscribeChanges0(h, c2));
	RC(FwpmCalloutUnsubscribeChanges0(h, c2), ERROR_INVALID_HANDLE);

	/* Bounded per engine handle. */
	for (unsigned i = 0; i < 63; i++)
		OK(FwpmCalloutSubscribeChanges0(h, &plain, on_callout, &s, &extra[i]));
	RC(FwpmCalloutSubscribeChanges0(h, &plain, on_callout, &s, &ch), ERROR_NOT_ENOUGH_QUOTA);
	assert_null(ch);
	for (unsigned i = 0; i < 63; i++)
		OK(FwpmCalloutUnsubscribeChanges0(h, extra[i]));

	/* Closing an engine handle drops its subscriptions. */
	OK(FwpmEngineClose0(other));
	OK(FwpmCalloutSubscriptionsGet0(h, &v, &n));
	assert_int_equal(n, 1);
	assert_true(guid_eq(&v[0]->sessionKey, &key));
	FwpmFreeMemory0((void **)&v);
	OK(FwpmCalloutUnsubscribeChanges0(h, c1));
	OK(FwpmEngineClose0(h));
}

/* Callbacks see changes in the order they happened across kinds and
 * subscriptions, also when they queue up behind a slow callback: two
 * providers, then two sublayers, arrive in that order (not interleaved by
 * subscription). */
static void CALLBACK on_provider_slow(void *ctx, const FWPM_PROVIDER_CHANGE0 *ch)
{
	struct seen *s = ctx;

	if (s->n == 0)
		usleep(300 * 1000);	/* let the others queue up meanwhile */
	record(ctx, ch->changeType, &ch->providerKey, 0);
}

static void test_order_across_kinds(void **state)
{
	HANDLE h = open_engine(0), cp, cs;
	FWPM_PROVIDER_SUBSCRIPTION0 psub = { .flags = BOTH };
	FWPM_SUBLAYER_SUBSCRIPTION0 ssub = { .flags = BOTH };
	GUID k[4] = { random_guid(), random_guid(), random_guid(), random_guid() };
	struct seen all;

	(void)state;
	seen_init(&all);
	OK(FwpmProviderSubscribeChanges0(h, &psub, on_provider_slow, &all, &cp));
	OK(FwpmSubLayerSubscribeChanges0(h, &ssub, on_sublayer, &all, &cs));
	add_provider(h, &k[0]);
	add_provider(h, &k[1]);
	for (int i = 2; i < 4; i++) {
		FWPM_SUBLAYER0 sl = { .subLayerKey = k[i], .displayData.name = L"order" };

		OK(FwpmSubLayerAdd0(h, &sl, NULL));
	}
	assert_true(wait_for(&all, 4));
	for (int i = 0; i < 4; i++)
		assert_true(guid_eq(&all.ev[i].key, &k[i]));
	OK(FwpmSubLayerDeleteByKey0(h, &k[2]));
	OK(FwpmSubLayerDeleteByKey0(h, &k[3]));
	OK(FwpmProviderDeleteByKey0(h, &k[0]));
	OK(FwpmProviderDeleteByKey0(h, &k[1]));
	assert_true(wait_for(&all, 8));
	OK(FwpmProviderUnsubscribeChanges0(h, cp));
	OK(FwpmSubLayerUnsubscribeChanges0(h, cs));
	OK(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_filter_add_delete),
		cmocka_unit_test(test_template_and_flags),
		cmocka_unit_test(test_abort_and_commit),
		cmocka_unit_test(test_unsubscribe_stops),
		cmocka_unit_test(test_subscriptions_get),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_dynamic_session_end),
		cmocka_unit_test(test_tunnel_helper),
		cmocka_unit_test(test_order_across_kinds),
		cmocka_unit_test(test_session_end_drops_subscriptions),
		cmocka_unit_test(test_callout_subscriptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
