/*
 * test_subscribe.c - IPsecSaContextSubscribe0 / Unsubscribe0 /
 * SubscriptionsGet0 and the extension FwpxSaContextSubscribe0: events,
 * templates, ordering, one callback at a time, unsubscribing from inside
 * a callback, session keys, the bounded queue and DROPPED.
 * Contract: SEMANTICS.md "Subscriptions"; decisions 15, 16 (session keys).
 */
#include "conformance.h"

#include <time.h>

#define ADD	IPSEC_SA_CONTEXT_EVENT_ADD
#define DEL	IPSEC_SA_CONTEXT_EVENT_DELETE

static cf_ctx_opts opts_in(UINT32 net, UINT32 host)
{
	cf_ctx_opts o;

	cf_opts_default(&o);
	o.local4 = net | host;
	o.remote4 = net | 0xFE;
	return o;
}

static void subscribe_add_delete(void **state)
{
	HANDLE h = cf_open();
	cf_evlog *l = cf_evlog_new();
	HANDLE ev = cf_subscribe(h, NULL, l);
	cf_ctx c;
	long a, d;

	(void)state;
	cf_mature(h, &c);
	assert_true(cf_evlog_wait(l, ADD, c.id, 3000));
	cf_ctx_delete(h, &c);
	assert_true(cf_evlog_wait(l, DEL, c.id, 3000));
	a = cf_evlog_find(l, ADD, c.id, 0);
	d = cf_evlog_find(l, DEL, c.id, 0);
	assert_true(a >= 0 && d > a);
	assert_int_equal(cf_evlog_count(l, ADD, c.id), 1);
	assert_int_equal(cf_evlog_count(l, DEL, c.id), 1);
	assert_int_equal(l->bad_context, 0);

	/* Deleting in an intermediate state also gives DELETE. */
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	cf_ctx_delete(h, &c);
	assert_true(cf_evlog_wait(l, DEL, c.id, 3000));
	cf_unsubscribe(h, ev);
	cf_close(h);
}

/* Events arrive in the order they happened. */
static void subscribe_ordering(void **state)
{
	enum { N = 20 };
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *l = cf_evlog_new();
	HANDLE ev;
	cf_ctx c[N];
	bool ok = false;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	ev = cf_subscribe(h, &t.t, l);
	for (int i = 0; i < N; i++) {
		cf_ctx_opts o = opts_in(net, (UINT32)(i + 1));

		cf_ctx_build(h, &c[i], &o, i % 2 ? CF_MATURE : CF_CREATED);
	}
	for (int i = N - 1; i >= 0; i--)
		cf_ctx_delete(h, &c[i]);
	CF_WAIT(ok, cf_evlog_size(l) >= 2 * N, 5000);
	assert_true(ok);
	cf_sleep_ms(20);
	assert_int_equal(cf_evlog_size(l), 2 * N);
	for (int i = 0; i < N; i++) {
		CF_CHECK(l->ev[i].type == ADD && l->ev[i].id == c[i].id,
			 "event %d: type %u id %llu, want ADD %llu", i,
			 l->ev[i].type, (unsigned long long)l->ev[i].id,
			 (unsigned long long)c[i].id);
		CF_CHECK(l->ev[N + i].type == DEL &&
			 l->ev[N + i].id == c[N - 1 - i].id,
			 "event %d: type %u id %llu, want DELETE %llu", N + i,
			 l->ev[N + i].type, (unsigned long long)l->ev[N + i].id,
			 (unsigned long long)c[N - 1 - i].id);
	}
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

/* Only contexts matching the template are reported. */
static void subscribe_template(void **state)
{
	HANDLE h = cf_open();
	UINT32 n1 = cf_unique_net24(), n2 = cf_unique_net24();
	cf_template t;
	cf_evlog *l = cf_evlog_new();
	HANDLE ev;
	cf_ctx other, mine;
	cf_ctx_opts o;

	(void)state;
	cf_template_v4(&t, n1, 0xFFFFFF00u, 0, 0);
	ev = cf_subscribe(h, &t.t, l);
	o = opts_in(n2, 1);
	cf_ctx_build(h, &other, &o, CF_MATURE);
	cf_ctx_delete(h, &other);
	o = opts_in(n1, 1);
	cf_ctx_build(h, &mine, &o, CF_MATURE);
	cf_ctx_delete(h, &mine);
	/* Ordering makes mine's DELETE a fence for anything before it. */
	assert_true(cf_evlog_wait(l, DEL, mine.id, 3000));
	assert_int_equal(cf_evlog_count(l, ADD, other.id), 0);
	assert_int_equal(cf_evlog_count(l, DEL, other.id), 0);
	assert_int_equal(cf_evlog_size(l), 2);
	cf_unsubscribe(h, ev);
	cf_close(h);
}

/* One callback at a time per subscription; two subscriptions both see
 * everything. */
static void subscribe_serialized(void **state)
{
	enum { N = 150 };
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *l1 = cf_evlog_new(), *l2 = cf_evlog_new();
	HANDLE e1, e2;
	cf_ctx *c = calloc(N, sizeof(*c));
	bool ok = false;

	(void)state;
	assert_non_null(c);
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	e1 = cf_subscribe(h, &t.t, l1);
	e2 = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_ADD |
			      FWPX_EVENT_MASK_DELETE, l2);
	for (int i = 0; i < N; i++) {
		cf_ctx_opts o = opts_in(net, (UINT32)(i % 250 + 1));

		cf_ctx_build(h, &c[i], &o, CF_CREATED);
	}
	for (int i = 0; i < N; i++)
		cf_ctx_delete(h, &c[i]);
	CF_WAIT(ok, cf_evlog_size(l1) >= 2 * N && cf_evlog_size(l2) >= 2 * N,
		5000);
	CF_CHECK(ok, "events: %zu and %zu of %d", cf_evlog_size(l1),
		 cf_evlog_size(l2), 2 * N);
	CF_CHECK(l1->max_in_cb == 1, "up to %d callbacks ran at once on one "
		 "subscription", l1->max_in_cb);
	CF_CHECK(l2->max_in_cb == 1, "up to %d extension callbacks ran at "
		 "once on one subscription", l2->max_in_cb);
	cf_unsubscribe(h, e1);
	cf_unsubscribe(h, e2);
	free(c);
	cf_close(h);
	cf_assert_no_failures();
}

static void unsubscribe_semantics(void **state)
{
	HANDLE h = cf_open(), h2 = cf_open();
	cf_evlog *l = cf_evlog_new();
	HANDLE ev = cf_subscribe(h, NULL, l);
	size_t before;
	cf_ctx c;
	int stackvar;

	(void)state;
	CF_OK(IPsecSaContextUnsubscribe0(h, NULL));
	CF_ASSERT_RC(IPsecSaContextUnsubscribe0(h, (HANDLE)(uintptr_t)0xdeadbeef),
		     ERROR_INVALID_HANDLE);
	CF_ASSERT_RC(IPsecSaContextUnsubscribe0(h, (HANDLE)&stackvar),
		     ERROR_INVALID_HANDLE);
	/* Still subscribed after the bad calls. */
	cf_mature(h, &c);
	assert_true(cf_evlog_wait(l, ADD, c.id, 3000));

	cf_unsubscribe(h, ev);
	CF_ASSERT_RC(IPsecSaContextUnsubscribe0(h, ev), ERROR_INVALID_HANDLE);
	before = cf_evlog_size(l);
	cf_ctx_delete(h, &c);
	cf_mature(h, &c);
	cf_sleep_ms(100);
	assert_int_equal(cf_evlog_size(l), before);
	cf_ctx_delete(h, &c);
	cf_close(h2);
	cf_close(h);
}

/* Unsubscribing from inside the callback must not deadlock. */
static struct {
	HANDLE engine, events;
	int calls, done;
	DWORD rc;
} self_unsub;

static void CALLBACK self_unsub_cb(void *context,
				   const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	(void)context;
	(void)change;
	if (__atomic_add_fetch(&self_unsub.calls, 1, __ATOMIC_SEQ_CST) != 1)
		return;
	self_unsub.rc = IPsecSaContextUnsubscribe0(self_unsub.engine,
		__atomic_load_n(&self_unsub.events, __ATOMIC_SEQ_CST));
	__atomic_store_n(&self_unsub.done, 1, __ATOMIC_SEQ_CST);
}

static void unsubscribe_from_callback(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;
	cf_ctx a, b;
	bool ok = false;
	int calls;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&self_unsub, 0, sizeof(self_unsub));
	self_unsub.engine = h;
	CF_OK(IPsecSaContextSubscribe0(h, &s, self_unsub_cb, NULL, &ev));
	cf_track_subscription(h, ev);
	__atomic_store_n(&self_unsub.events, ev, __ATOMIC_SEQ_CST);
	cf_ctx_build(h, &a, NULL, CF_CREATED);
	CF_WAIT(ok, __atomic_load_n(&self_unsub.done, __ATOMIC_SEQ_CST), 5000);
	assert_true(ok);	/* false: the callback deadlocked */
	cf_untrack_subscription(ev);
	CF_ASSERT_RC(self_unsub.rc, ERROR_SUCCESS);
	calls = __atomic_load_n(&self_unsub.calls, __ATOMIC_SEQ_CST);
	cf_ctx_delete(h, &a);
	cf_ctx_build(h, &b, NULL, CF_CREATED);
	cf_ctx_delete(h, &b);
	cf_sleep_ms(100);
	assert_int_equal(__atomic_load_n(&self_unsub.calls, __ATOMIC_SEQ_CST),
			 calls);
	CF_ASSERT_RC(IPsecSaContextUnsubscribe0(h, ev), ERROR_INVALID_HANDLE);
	cf_close(h);
}

/* Unsubscribe0 from another thread waits for a running callback. */
static struct {
	int entered, finished;
} slow_cb_state;

static void CALLBACK slow_cb(void *context,
			     const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	(void)context;
	(void)change;
	if (__atomic_add_fetch(&slow_cb_state.entered, 1, __ATOMIC_SEQ_CST) != 1)
		return;
	cf_sleep_ms(300);
	__atomic_store_n(&slow_cb_state.finished, 1, __ATOMIC_SEQ_CST);
}

static void unsubscribe_waits_for_callback(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;
	cf_ctx a;
	bool ok = false;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&slow_cb_state, 0, sizeof(slow_cb_state));
	CF_OK(IPsecSaContextSubscribe0(h, &s, slow_cb, NULL, &ev));
	cf_track_subscription(h, ev);
	cf_ctx_build(h, &a, NULL, CF_CREATED);
	CF_WAIT(ok, __atomic_load_n(&slow_cb_state.entered, __ATOMIC_SEQ_CST),
		3000);
	assert_true(ok);
	cf_unsubscribe(h, ev);
	assert_int_equal(__atomic_load_n(&slow_cb_state.finished,
					 __ATOMIC_SEQ_CST), 1);
	cf_ctx_delete(h, &a);
	cf_close(h);
}

/* A callback may call the API (same engine handle) without deadlock. */
static struct {
	HANDLE engine;
	int calls;
	DWORD rc;
} api_cb_state;

static void CALLBACK api_cb(void *context,
			    const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	IPSEC_SA_CONTEXT1 *r = NULL;
	IPSEC_STATISTICS1 st;
	DWORD rc;

	(void)context;
	if (change->changeType != ADD)
		return;
	rc = IPsecSaContextGetById1(api_cb_state.engine, change->saContextId,
				    &r);
	if (rc == ERROR_SUCCESS) {
		FwpmFreeMemory0((void **)&r);
		rc = IPsecGetStatistics1(api_cb_state.engine, &st);
	}
	if (__atomic_load_n(&api_cb_state.calls, __ATOMIC_SEQ_CST) == 0)
		api_cb_state.rc = rc;
	__atomic_add_fetch(&api_cb_state.calls, 1, __ATOMIC_SEQ_CST);
}

static void callback_calls_api(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_ctx_opts o = opts_in(net, 1);
	cf_ctx c;
	bool ok = false;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	memset(&s, 0, sizeof(s));
	s.enumTemplate = &t.t;
	memset(&api_cb_state, 0, sizeof(api_cb_state));
	api_cb_state.engine = h;
	CF_OK(IPsecSaContextSubscribe0(h, &s, api_cb, NULL, &ev));
	cf_track_subscription(h, ev);
	cf_ctx_build(h, &c, &o, CF_MATURE);
	CF_WAIT(ok, __atomic_load_n(&api_cb_state.calls, __ATOMIC_SEQ_CST),
		3000);
	assert_true(ok);	/* false: the callback deadlocked */
	CF_ASSERT_RC(api_cb_state.rc, ERROR_SUCCESS);
	cf_unsubscribe(h, ev);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* ---- SubscriptionsGet0 and session keys ----------------------------- */

typedef struct keylist {
	GUID k[256];
	bool tmpl[256];
	size_t n;
} keylist;

static void get_keys(HANDLE h, keylist *kl, const FWP_V4_ADDR_AND_MASK *m)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **e = NULL;
	UINT32 n = 0;

	CF_OK(IPsecSaContextSubscriptionsGet0(h, &e, &n));
	kl->n = 0;
	for (UINT32 i = 0; i < n && kl->n < 256; i++) {
		const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t = e[i]->enumTemplate;

		kl->k[kl->n] = e[i]->sessionKey;
		kl->tmpl[kl->n] = m && t && t->localSubNet.type ==
			FWP_V4_ADDR_MASK && t->localSubNet.v4AddrMask &&
			t->localSubNet.v4AddrMask->addr == m->addr &&
			t->localSubNet.v4AddrMask->mask == m->mask &&
			t->remoteSubNet.type == FWP_EMPTY;
		kl->n++;
	}
	if (n)
		assert_non_null(e);
	FwpmFreeMemory0((void **)&e);
	assert_null(e);
}

/* Entries of `after` not in `before` (as multisets). */
static size_t new_keys(const keylist *before, const keylist *after,
		       GUID *out, bool *tmpl, size_t max)
{
	bool used[256] = { false };
	size_t n = 0;

	for (size_t i = 0; i < after->n; i++) {
		bool matched = false;

		for (size_t j = 0; j < before->n; j++)
			if (!used[j] && cf_guid_eq(&after->k[i], &before->k[j])) {
				used[j] = true;
				matched = true;
				break;
			}
		if (!matched && n < max) {
			tmpl[n] = after->tmpl[i];
			out[n++] = after->k[i];
		}
	}
	return n;
}

static void subscriptions_get_session_keys(void **state)
{
	FWPM_SESSION0 s;
	GUID K = cf_random_guid(), G = cf_random_guid(), nk[8];
	bool nt[8];
	HANDLE hk, hz, hn;
	HANDLE ek1, ek2, ez, en;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	cf_template t;
	cf_evlog *l = cf_evlog_new();
	keylist *before = calloc(1, sizeof(*before));
	keylist *after = calloc(1, sizeof(*after));
	size_t n, withK = 0, withTmpl = 0;

	(void)state;
	assert_non_null(before);
	assert_non_null(after);
	memset(&s, 0, sizeof(s));
	s.sessionKey = K;
	hk = cf_open_session(&s);
	memset(&s, 0, sizeof(s));
	hz = cf_open_session(&s);
	hn = cf_open();
	get_keys(hk, before, NULL);

	cf_template_v4(&t, cf_unique_net24(), 0xFFFFFF00u, 0, 0);
	ek1 = cf_subscribe(hk, &t.t, l);
	ek2 = cf_subscribe_ext(hk, NULL, FWPX_EVENT_MASK_ALL, l);
	memset(&sub, 0, sizeof(sub));
	sub.sessionKey = G;	/* not the session's: ignored */
	CF_OK(IPsecSaContextSubscribe0(hz, &sub, cf_evlog_win_cb, l, &ez));
	cf_track_subscription(hz, ez);
	en = cf_subscribe(hn, NULL, l);

	get_keys(hk, after, &t.l4);
	n = new_keys(before, after, nk, nt, 8);
	CF_CHECK(n == 4, "SubscriptionsGet0 shows %zu new subscriptions, "
		 "want 4", n);
	for (size_t i = 0; i < after->n; i++)
		CF_CHECK(!cf_guid_is_zero(&after->k[i]),
			 "a subscription with a zero sessionKey");
	for (size_t i = 0; i < n; i++) {
		CF_CHECK(!cf_guid_eq(&nk[i], &G), "the sessionKey given in the "
			 "subscription struct was used");
		if (cf_guid_eq(&nk[i], &K))
			withK++;
		if (nt[i])
			withTmpl++;
	}
	CF_CHECK(withK == 2, "%zu subscriptions carry the session's key, "
		 "want 2", withK);
	CF_CHECK(withTmpl == 1, "%zu subscriptions carry the template, "
		 "want 1", withTmpl);
	if (n == 4) {
		GUID o[2];
		size_t k = 0;

		for (size_t i = 0; i < n && k < 2; i++)
			if (!cf_guid_eq(&nk[i], &K))
				o[k++] = nk[i];
		CF_CHECK(k == 2 && !cf_guid_eq(&o[0], &o[1]),
			 "two sessions opened with zero/NULL keys share a "
			 "sessionKey");
	}

	/* Unsubscribe and session close remove entries. */
	cf_unsubscribe(hk, ek1);
	cf_untrack_subscription(ez);
	cf_close(hz);
	get_keys(hk, after, NULL);
	n = new_keys(before, after, nk, nt, 8);
	CF_CHECK(n == 2, "after one unsubscribe and one session close: %zu "
		 "new subscriptions, want 2", n);

	cf_unsubscribe(hk, ek2);
	cf_unsubscribe(hn, en);
	get_keys(hk, after, NULL);
	n = new_keys(before, after, nk, nt, 8);
	CF_CHECK(n == 0, "%zu subscriptions left", n);
	cf_close(hn);
	cf_close(hk);
	free(before);
	free(after);
	cf_assert_no_failures();
}

/* A subscription ends with its session. */
static void subscription_dies_with_session(void **state)
{
	HANDLE h = cf_open(), h2 = cf_open();
	cf_evlog *l = cf_evlog_new(), *fence = cf_evlog_new();
	HANDLE ev2 = cf_subscribe(h2, NULL, l);
	HANDLE evf = cf_subscribe(h, NULL, fence);
	cf_ctx c;

	(void)state;
	cf_untrack_subscription(ev2);
	cf_close(h2);
	cf_mature(h, &c);
	cf_ctx_delete(h, &c);
	assert_true(cf_evlog_wait(fence, DEL, c.id, 3000));
	cf_sleep_ms(50);
	assert_int_equal(cf_evlog_size(l), 0);
	cf_unsubscribe(h, evf);
	cf_close(h);
}

static void subscribe_bad_args(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t;
	FWP_V4_ADDR_AND_MASK m = { CF_V4(10, 0, 0, 0), 0xFF00FF00u };
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **e = NULL;
	keylist *before = calloc(1, sizeof(*before));
	keylist *after = calloc(1, sizeof(*after));
	cf_evlog *l = cf_evlog_new();
	HANDLE ev = NULL;
	UINT32 n = 0;
	static const UINT32 bad_masks[] = { 0, 0x20, 0x80000000u,
					    FWPX_EVENT_MASK_ALL | 0x40 };

	(void)state;
	assert_non_null(before);
	assert_non_null(after);
	get_keys(h, before, NULL);
	memset(&s, 0, sizeof(s));
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, NULL, cf_evlog_win_cb, l, &ev),
		    FWP_E_NULL_POINTER, "subscription NULL");
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, &s, NULL, l, &ev),
		    FWP_E_NULL_POINTER, "callback NULL");
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, &s, cf_evlog_win_cb, l, NULL),
		    FWP_E_NULL_POINTER, "eventsHandle NULL");
	memset(&t, 0, sizeof(t));
	t.localSubNet.type = FWP_UINT32;
	t.localSubNet.uint32 = 5;
	s.enumTemplate = &t;
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, &s, cf_evlog_win_cb, l, &ev),
		    FWP_E_INVALID_PARAMETER, "template subnet FWP_UINT32");
	t.localSubNet.type = FWP_V4_ADDR_MASK;
	t.localSubNet.v4AddrMask = &m;
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, &s, cf_evlog_win_cb, l, &ev),
		    FWP_E_INVALID_NET_MASK, "template mask 0xFF00FF00");
	s.enumTemplate = NULL;

	for (size_t i = 0; i < sizeof(bad_masks) / sizeof(bad_masks[0]); i++) {
		char label[64];

		snprintf(label, sizeof(label), "eventMask 0x%x", bad_masks[i]);
		CF_CHECK_RC(FwpxSaContextSubscribe0(h, &s, bad_masks[i],
						    cf_evlog_ext_cb, l, &ev),
			    FWP_E_INVALID_FLAGS, label);
	}
	CF_CHECK_RC(FwpxSaContextSubscribe0(h, &s, FWPX_EVENT_MASK_ALL, NULL, l,
					    &ev), FWP_E_NULL_POINTER,
		    "extension callback NULL");
	CF_CHECK_RC(FwpxSaContextSubscribe0(h, NULL, FWPX_EVENT_MASK_ALL,
					    cf_evlog_ext_cb, l, &ev),
		    FWP_E_NULL_POINTER, "extension subscription NULL");

	CF_CHECK_RC(IPsecSaContextSubscriptionsGet0(h, NULL, &n),
		    FWP_E_NULL_POINTER, "SubscriptionsGet0 entries NULL");
	CF_CHECK_RC(IPsecSaContextSubscriptionsGet0(h, &e, NULL),
		    FWP_E_NULL_POINTER, "SubscriptionsGet0 numEntries NULL");

	/* None of the rejected calls subscribed anything. */
	get_keys(h, after, NULL);
	CF_CHECK(after->n == before->n, "rejected Subscribe calls left %zu "
		 "subscription(s)", after->n - before->n);
	free(before);
	free(after);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- extension events ----------------------------------------------- */

static void ext_events(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *x = cf_evlog_new(), *w = cf_evlog_new();
	HANDLE evx, evw;
	cf_ctx_opts o = opts_in(net, 1);
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv;
	long i0, i1, i2, i3;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	evx = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_ALL, x);
	evw = cf_subscribe(h, &t.t, w);
	cf_ctx_build(h, &c, &o, CF_MATURE);
	nv = cf_get1(h, c.id);
	nv->inboundSa->saBundle.napContext = 5;
	nv->outboundSa->saBundle.mmSaId = 6;
	CF_OK(IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |
				    IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID, nv));
	nv->inboundSa->saBundle.flags = 0x100;	/* rejected: no event */
	CF_ASSERT_RC(IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_FLAGS, nv),
		     FWP_E_INVALID_FLAGS);
	FwpmFreeMemory0((void **)&nv);
	CF_OK(IPsecSaContextExpire0(h, c.id));
	cf_ctx_delete(h, &c);
	assert_true(cf_evlog_wait(x, FWPX_SA_CONTEXT_EVENT_DELETE, c.id, 3000));
	assert_true(cf_evlog_wait(w, DEL, c.id, 3000));

	i0 = cf_evlog_find(x, FWPX_SA_CONTEXT_EVENT_ADD, c.id, 0);
	i1 = cf_evlog_find(x, FWPX_SA_CONTEXT_EVENT_UPDATE, c.id, 0);
	i2 = cf_evlog_find(x, FWPX_SA_CONTEXT_EVENT_EXPIRE, c.id, 0);
	i3 = cf_evlog_find(x, FWPX_SA_CONTEXT_EVENT_DELETE, c.id, 0);
	CF_CHECK(i0 == 0 && i1 == 1 && i2 == 2 && i3 == 3,
		 "extension events at %ld, %ld, %ld, %ld; want ADD, UPDATE, "
		 "EXPIRE, DELETE at 0..3", i0, i1, i2, i3);
	CF_CHECK(cf_evlog_size(x) == 4, "%zu extension events, want 4",
		 cf_evlog_size(x));
	if (i1 >= 0)
		CF_CHECK(x->ev[i1].flags == (IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |
					     IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID),
			 "UPDATE updateFlags 0x%llx",
			 (unsigned long long)x->ev[i1].flags);
	/* The Windows subscription sees only ADD and DELETE. */
	CF_CHECK(cf_evlog_size(w) == 2 && w->ev[0].type == ADD &&
		 w->ev[1].type == DEL, "Windows subscription saw %zu events",
		 cf_evlog_size(w));
	cf_unsubscribe(h, evx);
	cf_unsubscribe(h, evw);
	cf_close(h);
	cf_assert_no_failures();
}

static void ext_event_mask(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *d = cf_evlog_new(), *u = cf_evlog_new();
	HANDLE evd, evu;
	cf_ctx_opts o = opts_in(net, 1);
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	evd = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_DELETE, d);
	evu = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_UPDATE |
			       FWPX_EVENT_MASK_DELETE, u);
	cf_ctx_build(h, &c, &o, CF_MATURE);
	nv = cf_get1(h, c.id);
	CF_OK(IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT, nv));
	FwpmFreeMemory0((void **)&nv);
	CF_OK(IPsecSaContextExpire0(h, c.id));
	cf_ctx_delete(h, &c);
	assert_true(cf_evlog_wait(d, FWPX_SA_CONTEXT_EVENT_DELETE, c.id, 3000));
	assert_true(cf_evlog_wait(u, FWPX_SA_CONTEXT_EVENT_DELETE, c.id, 3000));
	CF_CHECK(cf_evlog_size(d) == 1, "DELETE-only mask saw %zu events",
		 cf_evlog_size(d));
	CF_CHECK(cf_evlog_size(u) == 2 && u->ev[0].type ==
		 FWPX_SA_CONTEXT_EVENT_UPDATE, "UPDATE|DELETE mask saw %zu "
		 "events", cf_evlog_size(u));
	cf_unsubscribe(h, evd);
	cf_unsubscribe(h, evu);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- bounded queues ------------------------------------------------- */

static struct {
	int entered;
	int release;
} blk;

static void block_first(void)
{
	uint64_t deadline;

	if (__atomic_add_fetch(&blk.entered, 1, __ATOMIC_SEQ_CST) != 1)
		return;
	deadline = cf_now_ms() + 15000;	/* never hang the suite */
	while (!__atomic_load_n(&blk.release, __ATOMIC_SEQ_CST) &&
	       cf_now_ms() < deadline)
		cf_sleep_ms(1);
}

static void CALLBACK blocking_ext_cb(void *context,
				     const FWPX_SA_CONTEXT_EVENT0 *event)
{
	block_first();
	cf_evlog_ext_cb(context, event);
}

static void CALLBACK blocking_win_cb(void *context,
				     const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	block_first();
	cf_evlog_win_cb(context, change);
}

/*
 * Decision 15: a blocked extension subscriber does not block the engine;
 * beyond 1024 queued events the rest is dropped and reported with one or
 * more DROPPED events (saContextId 0) whose numDropped add up.
 */
static void dropped_events(void **state)
{
	enum { N = 1300 };
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_ctx_opts o = opts_in(net, 1);
	cf_ctx c;
	cf_evlog *l = cf_evlog_new();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	IPSEC_SA_CONTEXT1 *nv;
	HANDLE ev = NULL;
	uint64_t t0, elapsed;
	size_t updates = 0, drops = 0;
	bool ok = false, entered = false;

	(void)state;
	memset(&blk, 0, sizeof(blk));
	cf_ctx_build(h, &c, &o, CF_MATURE);
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	memset(&s, 0, sizeof(s));
	s.enumTemplate = &t.t;
	CF_OK(FwpxSaContextSubscribe0(h, &s, FWPX_EVENT_MASK_UPDATE,
				      blocking_ext_cb, l, &ev));
	cf_track_subscription(h, ev);

	nv = cf_get1(h, c.id);
	t0 = cf_now_ms();
	for (int i = 0; i < N; i++) {
		nv->inboundSa->saBundle.napContext = (UINT32)i;
		CF_OK(IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT,
					    nv));
		if (i == 0) {
			CF_WAIT(entered, __atomic_load_n(&blk.entered,
							 __ATOMIC_SEQ_CST),
				3000);
			assert_true(entered);
		}
	}
	elapsed = cf_now_ms() - t0;
	FwpmFreeMemory0((void **)&nv);
	__atomic_store_n(&blk.release, 1, __ATOMIC_SEQ_CST);
	CF_CHECK(elapsed < 5000, "%d updates took %llu ms with a blocked "
		 "subscriber: the engine waited for it", N,
		 (unsigned long long)elapsed);

	CF_WAIT(ok, cf_evlog_count(l, FWPX_SA_CONTEXT_EVENT_UPDATE, c.id) +
		    cf_evlog_dropped(l) >= N, 5000);
	CF_CHECK(ok, "received + dropped did not reach %d within 5 s", N);
	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; i < l->n; i++) {
		if (l->ev[i].type == FWPX_SA_CONTEXT_EVENT_UPDATE)
			updates++;
		if (l->ev[i].type == FWPX_SA_CONTEXT_EVENT_DROPPED) {
			drops++;
			CF_CHECK(l->ev[i].id == 0 && l->ev[i].dropped > 0,
				 "DROPPED event with saContextId %llu, "
				 "numDropped %u",
				 (unsigned long long)l->ev[i].id,
				 l->ev[i].dropped);
		}
	}
	pthread_mutex_unlock(&l->mu);
	CF_CHECK(drops >= 1, "no DROPPED event after %d events to a blocked "
		 "subscriber", N);
	CF_CHECK(updates + cf_evlog_dropped(l) == N, "received %zu UPDATE "
		 "events + %llu reported dropped != %d produced", updates,
		 (unsigned long long)cf_evlog_dropped(l), N);
	CF_CHECK(updates >= 1024 && updates <= 1025, "received %zu events; a "
		 "1024-event queue (+1 in the callback) was expected", updates);
	cf_unsubscribe(h, ev);
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* A blocked Windows-API subscriber never blocks the engine either. */
static void slow_windows_subscriber(void **state)
{
	enum { N = 700 };
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *l = cf_evlog_new();
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;
	uint64_t t0, elapsed;
	bool entered = false;

	(void)state;
	memset(&blk, 0, sizeof(blk));
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	memset(&s, 0, sizeof(s));
	s.enumTemplate = &t.t;
	CF_OK(IPsecSaContextSubscribe0(h, &s, blocking_win_cb, l, &ev));
	cf_track_subscription(h, ev);
	t0 = cf_now_ms();
	for (int i = 0; i < N; i++) {
		cf_ctx_opts o = opts_in(net, (UINT32)(i % 250 + 1));
		cf_ctx c;

		cf_ctx_build(h, &c, &o, CF_CREATED);
		if (i == 0) {
			CF_WAIT(entered, __atomic_load_n(&blk.entered,
							 __ATOMIC_SEQ_CST),
				3000);
			assert_true(entered);
		}
		cf_ctx_delete(h, &c);
	}
	elapsed = cf_now_ms() - t0;
	__atomic_store_n(&blk.release, 1, __ATOMIC_SEQ_CST);
	CF_CHECK(elapsed < 5000, "%d creates/deletes took %llu ms with a "
		 "blocked subscriber", N, (unsigned long long)elapsed);
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(subscribe_add_delete),
		CF_TEST(subscribe_ordering),
		CF_TEST(subscribe_template),
		CF_TEST(subscribe_serialized),
		CF_TEST(unsubscribe_semantics),
		CF_TEST(unsubscribe_from_callback),
		CF_TEST(unsubscribe_waits_for_callback),
		CF_TEST(callback_calls_api),
		CF_TEST(subscriptions_get_session_keys),
		CF_TEST(subscription_dies_with_session),
		CF_TEST(subscribe_bad_args),
		CF_TEST(ext_events),
		CF_TEST(ext_event_mask),
		CF_TEST(dropped_events),
		CF_TEST(slow_windows_subscriber),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.subscribe", tests,
					   NULL, NULL);
}
