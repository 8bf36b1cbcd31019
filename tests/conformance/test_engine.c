/*
 * test_engine.c - engine handles, sessions, transactions, FwpmFreeMemory0.
 * Contract: SEMANTICS.md "Handles, memory, sessions", the transaction rows
 * of "SA-context life cycle"; decisions 13 (statistics in a txn), 16.
 */
#include "conformance.h"

#include <stdlib.h>
#include <string.h>

/* ---- FwpmEngineOpen0 ---------------------------------------------- */

/* Decision 16: FWP_ENGINE=service without a daemon, unknown FWP_ENGINE. */
static void open_engine_selection_env(void **state)
{
	HANDLE h = NULL;
	DWORD rc;

	(void)state;
	if (cf_against_service())
		skip();	/* a daemon is running: the premise does not hold */

	cf_setenv("FWP_ENGINE", "service");
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);
	if (rc == ERROR_SUCCESS)
		FwpmEngineClose0(h);
	CF_CHECK_RC(rc, EPT_S_NOT_REGISTERED, "FWP_ENGINE=service");

	cf_setenv("FWP_ENGINE", "no-such-engine");
	h = NULL;
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);
	if (rc == ERROR_SUCCESS)
		FwpmEngineClose0(h);
	CF_CHECK_RC(rc, ERROR_INVALID_PARAMETER, "FWP_ENGINE=no-such-engine");

	/* Back to the in-process engine: opening works again. */
	cf_setenv("FWP_ENGINE", "embedded");
	cf_close(cf_open());
	cf_assert_no_failures();
}

static void open_close_basic(void **state)
{
	HANDLE h = NULL, h2 = NULL;
	FWPM_SESSION0 s;

	(void)state;
	CF_OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	assert_non_null(h);
	CF_OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &h2));
	assert_non_null(h2);
	assert_ptr_not_equal(h, h2);
	CF_OK(FwpmEngineClose0(h));
	CF_OK(FwpmEngineClose0(h2));

	/* strongSwan: a non-dynamic session with only displayData set. */
	memset(&s, 0, sizeof(s));
	s.displayData.name = L"charon";
	s.displayData.description = L"strongSwan IKE kernel-wfp";
	h = cf_open_session(&s);
	cf_close(h);
}

static void open_server_name(void **state)
{
	HANDLE h = NULL;

	(void)state;
	CF_ASSERT_RC(FwpmEngineOpen0(L"remotehost", RPC_C_AUTHN_WINNT, NULL,
				     NULL, &h), ERROR_INVALID_PARAMETER);
	CF_ASSERT_RC(FwpmEngineOpen0(L"", RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		     ERROR_INVALID_PARAMETER);
}

static void open_authn_service(void **state)
{
	static const UINT32 bad[] = {
		RPC_C_AUTHN_NONE, RPC_C_AUTHN_GSS_NEGOTIATE,
		RPC_C_AUTHN_GSS_KERBEROS, 11, 0xFFFFFFFEu,
	};
	char label[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		HANDLE h = NULL;
		DWORD rc = FwpmEngineOpen0(NULL, bad[i], NULL, NULL, &h);

		if (rc == ERROR_SUCCESS)
			FwpmEngineClose0(h);
		snprintf(label, sizeof(label), "authnService %u", bad[i]);
		CF_CHECK_RC(rc, RPC_S_UNKNOWN_AUTHN_SERVICE, label);
	}
	cf_assert_no_failures();
}

static void open_null_handle(void **state)
{
	(void)state;
	CF_ASSERT_RC(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, NULL),
		     FWP_E_NULL_POINTER);
}

static void open_session_flags(void **state)
{
	static const UINT32 bad[] = { 0x2, 0x4, 0x100, 0x80000000u };
	FWPM_SESSION0 s;
	char label[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		HANDLE h = NULL;
		DWORD rc;

		memset(&s, 0, sizeof(s));
		s.flags = bad[i];
		rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h);
		if (rc == ERROR_SUCCESS)
			FwpmEngineClose0(h);
		snprintf(label, sizeof(label), "session flags 0x%x", bad[i]);
		CF_CHECK_RC(rc, FWP_E_INVALID_FLAGS, label);
	}
	memset(&s, 0, sizeof(s));
	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	cf_close(cf_open_session(&s));
	cf_assert_no_failures();
}

/* Windows: a sessionKey that is already open is FWP_E_ALREADY_EXISTS. */
static void open_duplicate_session_key(void **state)
{
	FWPM_SESSION0 s;
	HANDLE a, b = NULL, c, z1, z2;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.sessionKey = cf_random_guid();
	a = cf_open_session(&s);
	CF_ASSERT_RC(cf_try_open(&s, &b), FWP_E_ALREADY_EXISTS);

	/* Zero keys never collide: each gets a fresh one. */
	memset(&s.sessionKey, 0, sizeof(s.sessionKey));
	z1 = cf_open_session(&s);
	z2 = cf_open_session(&s);

	/* Once closed, the key can be used again. */
	cf_close(a);
	s.sessionKey = cf_random_guid();
	c = cf_open_session(&s);
	cf_close(c);
	cf_close(z1);
	cf_close(z2);
}

/* ---- invalid engine handles ---------------------------------------- */

static void close_invalid(void **state)
{
	HANDLE h;
	int stackvar = 0;

	(void)state;
	CF_ASSERT_RC(FwpmEngineClose0(NULL), ERROR_INVALID_HANDLE);
	CF_ASSERT_RC(FwpmEngineClose0((HANDLE)(uintptr_t)0xdeadbeef),
		     ERROR_INVALID_HANDLE);
	CF_ASSERT_RC(FwpmEngineClose0((HANDLE)&stackvar), ERROR_INVALID_HANDLE);
	h = cf_open();
	cf_close(h);
	CF_ASSERT_RC(FwpmEngineClose0(h), ERROR_INVALID_HANDLE);
}

/*
 * Every function taking an engine handle, called with `bad` and otherwise
 * valid arguments (a real MATURE context, real enum/events handles of the
 * good engine `g`): ERROR_INVALID_HANDLE, and nothing changes.
 */
static void call_all_with(HANDLE bad, HANDLE g, const char *label)
{
	cf_ctx c, fresh;
	IPSEC_SA_CONTEXT1 *snap, *ctx1 = NULL;
	IPSEC_SA_CONTEXT0 *ctx0 = NULL;
	IPSEC_TRAFFIC0 t0;
	IPSEC_GETSPI0 g0;
	IPSEC_SA_SPI spi = 0;
	UINT64 id = 0;
	HANDLE eh = NULL, sh = NULL, ev = NULL, out = NULL;
	IPSEC_SA_CONTEXT1 **e1 = NULL;
	IPSEC_SA_CONTEXT0 **e0 = NULL;
	IPSEC_SA_DETAILS1 **d1 = NULL;
	IPSEC_SA_DETAILS0 **d0 = NULL;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **subs = NULL;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	IPSEC_STATISTICS0 st0;
	IPSEC_STATISTICS1 st1;
	FWPX_SA_COUNTERS0 cin, cout;
	UINT32 n = 0, drain = 0;
	cf_evlog *log = cf_evlog_new();

	cf_mature(g, &c);
	cf_ctx_build(g, &fresh, NULL, CF_CREATED);
	snap = cf_get1(g, c.id);
	CF_OK(IPsecSaContextCreateEnumHandle0(g, NULL, &eh));
	CF_OK(IPsecSaCreateEnumHandle0(g, NULL, &sh));
	ev = cf_subscribe(g, NULL, log);
	memset(&sub, 0, sizeof(sub));
	t0 = cf_traffic1_to0(&c.out_traffic);
	g0 = cf_getspi1_to0(&fresh.getspi);

#define BAD(call) CF_CHECK_RC(call, ERROR_INVALID_HANDLE, label)
	BAD(FwpmTransactionBegin0(bad, 0));
	BAD(FwpmTransactionCommit0(bad));
	BAD(FwpmTransactionAbort0(bad));
	BAD(IPsecSaContextCreate0(bad, &t0, NULL, &id));
	BAD(IPsecSaContextCreate1(bad, &c.out_traffic, NULL, NULL, &id));
	BAD(IPsecSaContextGetSpi0(bad, fresh.id, &g0, &spi));
	BAD(IPsecSaContextGetSpi1(bad, fresh.id, &fresh.getspi, &spi));
	BAD(IPsecSaContextSetSpi0(bad, fresh.id, &fresh.getspi, cf_next_spi()));
	BAD(IPsecSaContextAddInbound0(bad, c.id, cf_bundle0(&c.in)));
	BAD(IPsecSaContextAddInbound1(bad, c.id, &c.in.b1));
	BAD(IPsecSaContextAddOutbound0(bad, c.id, cf_bundle0(&c.out)));
	BAD(IPsecSaContextAddOutbound1(bad, c.id, &c.out.b1));
	BAD(IPsecSaContextUpdate0(bad, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT,
				  snap));
	BAD(IPsecSaContextGetById0(bad, c.id, &ctx0));
	BAD(IPsecSaContextGetById1(bad, c.id, &ctx1));
	BAD(IPsecSaContextDeleteById0(bad, c.id));
	BAD(IPsecSaContextExpire0(bad, c.id));
	BAD(IPsecSaContextCreateEnumHandle0(bad, NULL, &out));
	BAD(IPsecSaContextEnum0(bad, eh, 10, &e0, &n));
	BAD(IPsecSaContextEnum1(bad, eh, 10, &e1, &n));
	BAD(IPsecSaContextDestroyEnumHandle0(bad, eh));
	BAD(IPsecSaContextSubscribe0(bad, &sub, cf_evlog_win_cb, log, &out));
	BAD(IPsecSaContextUnsubscribe0(bad, ev));
	BAD(IPsecSaContextSubscriptionsGet0(bad, &subs, &n));
	BAD(IPsecSaCreateEnumHandle0(bad, NULL, &out));
	BAD(IPsecSaEnum0(bad, sh, 10, &d0, &n));
	BAD(IPsecSaEnum1(bad, sh, 10, &d1, &n));
	BAD(IPsecSaDestroyEnumHandle0(bad, sh));
	BAD(IPsecGetStatistics0(bad, &st0));
	BAD(IPsecGetStatistics1(bad, &st1));
	BAD(FwpxSaContextSubscribe0(bad, &sub, FWPX_EVENT_MASK_ALL,
				    cf_evlog_ext_cb, log, &out));
	BAD(FwpxEngineSetExpireDrain0(bad, 1234));
	BAD(FwpxEngineGetExpireDrain0(bad, &drain));
	BAD(FwpxSaContextGetCounters0(bad, c.id, &cin, &cout));
#undef BAD

	/* Nothing happened: the context, the enum handles and the
	 * subscription are intact and the drain is unchanged. */
	cf_check_unchanged(g, c.id, snap, label);
	FwpmFreeMemory0((void **)&snap);
	CF_CHECK_RC(IPsecSaContextSetSpi0(g, fresh.id, &fresh.getspi,
					  fresh.spi_in), ERROR_SUCCESS, label);
	CF_CHECK_RC(IPsecSaContextEnum1(g, eh, 1, &e1, &n), ERROR_SUCCESS,
		    label);
	FwpmFreeMemory0((void **)&e1);
	CF_CHECK_RC(IPsecSaEnum1(g, sh, 1, &d1, &n), ERROR_SUCCESS, label);
	FwpmFreeMemory0((void **)&d1);
	CF_CHECK_RC(FwpxEngineGetExpireDrain0(g, &drain), ERROR_SUCCESS, label);
	CF_CHECK(drain != 1234, "[%s] FwpxEngineSetExpireDrain0 with a bad "
		 "handle changed the drain", label);
	CF_OK(IPsecSaContextDestroyEnumHandle0(g, eh));
	CF_OK(IPsecSaDestroyEnumHandle0(g, sh));
	cf_unsubscribe(g, ev);
	cf_ctx_delete(g, &c);
	cf_ctx_delete(g, &fresh);
}

static void invalid_engine_handles(void **state)
{
	HANDLE g = cf_open();
	HANDLE closed = NULL, eh = NULL;
	int stackvar = 0;

	(void)state;
	CF_OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &closed));
	CF_OK(FwpmEngineClose0(closed));

	call_all_with(NULL, g, "NULL engine handle");
	call_all_with(closed, g, "closed engine handle");
	call_all_with((HANDLE)(uintptr_t)0xdeadbeef, g, "never-issued 0xdeadbeef");
	call_all_with((HANDLE)(uintptr_t)1, g, "never-issued 1");
	call_all_with((HANDLE)&stackvar, g, "pointer to caller memory");

	/* A handle of another kind is not an engine handle. */
	CF_OK(IPsecSaContextCreateEnumHandle0(g, NULL, &eh));
	call_all_with(eh, g, "enum handle as engine handle");
	CF_OK(IPsecSaContextDestroyEnumHandle0(g, eh));

	cf_close(g);
	cf_assert_no_failures();
}

/* ---- transactions --------------------------------------------------- */

static void transactions_basic(void **state)
{
	HANDLE h = cf_open(), h2 = cf_open();

	(void)state;
	CF_ASSERT_RC(FwpmTransactionCommit0(h), FWP_E_NO_TXN_IN_PROGRESS);
	CF_ASSERT_RC(FwpmTransactionAbort0(h), FWP_E_NO_TXN_IN_PROGRESS);

	CF_OK(FwpmTransactionBegin0(h, 0));
	CF_ASSERT_RC(FwpmTransactionBegin0(h, 0), FWP_E_TXN_IN_PROGRESS);
	CF_ASSERT_RC(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY),
		     FWP_E_TXN_IN_PROGRESS);
	/* One transaction per session: the other session has none. */
	CF_ASSERT_RC(FwpmTransactionCommit0(h2), FWP_E_NO_TXN_IN_PROGRESS);
	CF_OK(FwpmTransactionCommit0(h));
	CF_ASSERT_RC(FwpmTransactionCommit0(h), FWP_E_NO_TXN_IN_PROGRESS);
	CF_ASSERT_RC(FwpmTransactionAbort0(h), FWP_E_NO_TXN_IN_PROGRESS);

	CF_OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	CF_OK(FwpmTransactionAbort0(h));
	CF_ASSERT_RC(FwpmTransactionAbort0(h), FWP_E_NO_TXN_IN_PROGRESS);

	/* Unknown flags open nothing. */
	CF_ASSERT_RC(FwpmTransactionBegin0(h, 0x2), FWP_E_INVALID_FLAGS);
	CF_ASSERT_RC(FwpmTransactionBegin0(h, 0x80000000u), FWP_E_INVALID_FLAGS);
	CF_ASSERT_RC(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY | 0x10),
		     FWP_E_INVALID_FLAGS);
	CF_ASSERT_RC(FwpmTransactionCommit0(h), FWP_E_NO_TXN_IN_PROGRESS);

	/* Closing a handle with an open transaction aborts it. */
	CF_OK(FwpmTransactionBegin0(h2, 0));
	cf_close(h2);
	h2 = cf_open();
	CF_OK(FwpmTransactionBegin0(h2, 0));
	CF_OK(FwpmTransactionAbort0(h2));
	cf_close(h2);
	cf_close(h);
}

/*
 * SEMANTICS: inside an explicit transaction every state-changing SA-context
 * call is FWP_E_TXN_IN_PROGRESS; reads are allowed. Decision 13: statistics
 * too. Windows doc (api-facts 2.5): Subscribe0/Unsubscribe0 as well.
 */
static void transaction_blocks_sa_calls(void **state)
{
	HANDLE h = cf_open();
	cf_ctx a, b, cc, d;
	IPSEC_SA_CONTEXT1 *snap_a, *snap_d, *ctx1 = NULL;
	IPSEC_SA_CONTEXT0 *ctx0 = NULL;
	IPSEC_TRAFFIC1 t1;
	IPSEC_TRAFFIC0 t0;
	IPSEC_GETSPI0 g0;
	IPSEC_SA_SPI spi = 0;
	UINT64 id = 0;
	UINT32 net = cf_unique_net24();
	HANDLE eh = NULL, ev, ev2 = NULL;
	IPSEC_SA_CONTEXT1 **e1 = NULL;
	IPSEC_SA_DETAILS1 **d1 = NULL;
	UINT32 n = 0;
	IPSEC_STATISTICS1 st;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	cf_template tmpl;
	cf_evlog *log = cf_evlog_new();
	UINT64 *ids;
	size_t nids;
	const char *L = "inside a transaction";

	(void)state;
	cf_mature(h, &a);
	cf_ctx_build(h, &b, NULL, CF_CREATED);
	cf_ctx_build(h, &cc, NULL, CF_SPI_SET);
	cf_ctx_build(h, &d, NULL, CF_INBOUND);
	snap_a = cf_get1(h, a.id);
	snap_d = cf_get1(h, d.id);
	ev = cf_subscribe(h, NULL, log);
	t1 = cf_traffic_v4(net | 1, net | 2, IPSEC_TRAFFIC_TYPE_TRANSPORT,
			   cf_next_filter_id());
	t0 = cf_traffic1_to0(&t1);
	g0 = cf_getspi1_to0(&b.getspi);
	memset(&sub, 0, sizeof(sub));

	CF_OK(FwpmTransactionBegin0(h, 0));
	CF_CHECK_RC(IPsecSaContextCreate0(h, &t0, NULL, &id),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextCreate1(h, &t1, NULL, NULL, &id),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextGetSpi0(h, b.id, &g0, &spi),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextGetSpi1(h, b.id, &b.getspi, &spi),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextSetSpi0(h, b.id, &b.getspi, b.spi_in),
		    FWP_E_TXN_IN_PROGRESS, L);
	cf_bundle_init(&cc.in, CF_SUITE_GCM128, cc.spi_in, FWP_IP_VERSION_V4);
	CF_CHECK_RC(IPsecSaContextAddInbound0(h, cc.id, cf_bundle0(&cc.in)),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextAddInbound1(h, cc.id, &cc.in.b1),
		    FWP_E_TXN_IN_PROGRESS, L);
	cf_bundle_init(&d.out, CF_SUITE_GCM128, d.spi_out, FWP_IP_VERSION_V4);
	CF_CHECK_RC(IPsecSaContextAddOutbound0(h, d.id, cf_bundle0(&d.out)),
		    FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextAddOutbound1(h, d.id, &d.out.b1),
		    FWP_E_TXN_IN_PROGRESS, L);
	snap_a->inboundSa->saBundle.napContext = 77;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT,
					  snap_a), FWP_E_TXN_IN_PROGRESS, L);
	snap_a->inboundSa->saBundle.napContext = 0;
	CF_CHECK_RC(IPsecSaContextExpire0(h, a.id), FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextDeleteById0(h, a.id), FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecGetStatistics1(h, &st), FWP_E_TXN_IN_PROGRESS, L);
	CF_CHECK_RC(IPsecSaContextSubscribe0(h, &sub, cf_evlog_win_cb, log,
					     &ev2), FWP_E_TXN_IN_PROGRESS,
		    "Subscribe0 inside a transaction (Windows doc)");
	CF_CHECK_RC(IPsecSaContextUnsubscribe0(h, ev), FWP_E_TXN_IN_PROGRESS,
		    "Unsubscribe0 inside a transaction (Windows doc)");

	/* Reads are allowed. */
	CF_CHECK_RC(IPsecSaContextGetById1(h, a.id, &ctx1), ERROR_SUCCESS, L);
	FwpmFreeMemory0((void **)&ctx1);
	CF_CHECK_RC(IPsecSaContextGetById0(h, a.id, &ctx0), ERROR_SUCCESS, L);
	FwpmFreeMemory0((void **)&ctx0);
	if (CF_CHECK_RC(IPsecSaContextCreateEnumHandle0(h, NULL, &eh),
			ERROR_SUCCESS, L)) {
		CF_CHECK_RC(IPsecSaContextEnum1(h, eh, 4, &e1, &n),
			    ERROR_SUCCESS, L);
		FwpmFreeMemory0((void **)&e1);
		CF_CHECK_RC(IPsecSaContextDestroyEnumHandle0(h, eh),
			    ERROR_SUCCESS, L);
	}
	if (CF_CHECK_RC(IPsecSaCreateEnumHandle0(h, NULL, &eh), ERROR_SUCCESS,
			L)) {
		CF_CHECK_RC(IPsecSaEnum1(h, eh, 4, &d1, &n), ERROR_SUCCESS, L);
		FwpmFreeMemory0((void **)&d1);
		CF_CHECK_RC(IPsecSaDestroyEnumHandle0(h, eh), ERROR_SUCCESS, L);
	}
	CF_OK(FwpmTransactionAbort0(h));

	/* Nothing changed; each next valid call works. */
	cf_template_v4(&tmpl, net, 0xFFFFFF00u, net, 0xFFFFFF00u);
	CF_OK(cf_enum_ids(h, &tmpl.t, 16, &ids, &nids));
	CF_CHECK(nids == 0, "Create inside a transaction left %zu context(s)",
		 nids);
	free(ids);
	cf_check_unchanged(h, a.id, snap_a, "after the aborted transaction");
	cf_check_unchanged(h, d.id, snap_d, "after the aborted transaction");
	CF_CHECK_RC(cf_ctx_step(h, &b), ERROR_SUCCESS, "SetSpi0 after txn");
	CF_CHECK_RC(cf_ctx_step(h, &cc), ERROR_SUCCESS, "AddInbound after txn");
	CF_CHECK_RC(cf_ctx_step(h, &d), ERROR_SUCCESS, "AddOutbound after txn");
	CF_CHECK_RC(IPsecGetStatistics1(h, &st), ERROR_SUCCESS, "after txn");
	FwpmFreeMemory0((void **)&snap_a);
	FwpmFreeMemory0((void **)&snap_d);
	cf_unsubscribe(h, ev);
	cf_ctx_delete(h, &a);
	cf_ctx_delete(h, &b);
	cf_ctx_delete(h, &cc);
	cf_ctx_delete(h, &d);
	cf_close(h);
	cf_assert_no_failures();
}

/* Windows: no SA contexts from a dynamic session; reads are fine. */
static void dynamic_session(void **state)
{
	FWPM_SESSION0 s;
	HANDLE dyn, h = cf_open();
	IPSEC_TRAFFIC1 t1 = cf_traffic_v4(CF_DEFAULT_LOCAL4, CF_DEFAULT_REMOTE4,
					  IPSEC_TRAFFIC_TYPE_TRANSPORT, 42);
	IPSEC_TRAFFIC0 t0 = cf_traffic1_to0(&t1);
	IPSEC_SA_CONTEXT1 *snap, *r = NULL;
	UINT64 id = 0;
	cf_ctx c;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	dyn = cf_open_session(&s);
	CF_ASSERT_RC(IPsecSaContextCreate1(dyn, &t1, NULL, NULL, &id),
		     FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	CF_ASSERT_RC(IPsecSaContextCreate0(dyn, &t0, NULL, &id),
		     FWP_E_DYNAMIC_SESSION_IN_PROGRESS);

	cf_mature(h, &c);
	snap = cf_get1(h, c.id);
	CF_ASSERT_RC(IPsecSaContextDeleteById0(dyn, c.id),
		     FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	CF_OK(IPsecSaContextGetById1(dyn, c.id, &r));
	FwpmFreeMemory0((void **)&r);
	CF_ASSERT_UNCHANGED(h, c.id, snap);
	FwpmFreeMemory0((void **)&snap);
	cf_close(dyn);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* SEMANTICS: SA contexts of a non-dynamic session outlive it. */
static void static_contexts_outlive_session(void **state)
{
	HANDLE h1 = cf_open(), h2;
	IPSEC_SA_CONTEXT1 *r;
	cf_ctx c;

	(void)state;
	cf_mature(h1, &c);
	cf_close(h1);
	h2 = cf_open();
	r = cf_get1(h2, c.id);
	assert_non_null(r->inboundSa);
	assert_non_null(r->outboundSa);
	FwpmFreeMemory0((void **)&r);
	cf_ctx_delete(h2, &c);
	cf_close(h2);
}

/* ---- FwpmFreeMemory0 ----------------------------------------------- */

static void free_memory_null(void **state)
{
	void *p = NULL;
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT1 *r;
	cf_ctx c;

	(void)state;
	FwpmFreeMemory0(NULL);
	FwpmFreeMemory0(&p);
	assert_null(p);
	cf_mature(h, &c);
	r = cf_get1(h, c.id);
	FwpmFreeMemory0((void **)&r);
	assert_null(r);
	FwpmFreeMemory0((void **)&r);	/* again: *p is NULL, a no-op */
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/*
 * peers.md 1.8: clients store pointers to their own (stack) memory inside
 * a returned block and free it with one FwpmFreeMemory0. Freeing must not
 * follow pointers inside the block. Overwrites every pointer it can.
 */
static void clobber_details1(IPSEC_SA_DETAILS1 *d,
			     IPSEC_V4_UDP_ENCAPSULATION0 *udp, IPSEC_SA0 *sa,
			     IPSEC_KEYMODULE_STATE0 *kms, FWPM_FILTER0 *f,
			     IPSEC_ID0 *iid)
{
	if (!d)
		return;
	d->udpEncapsulation = udp;
	d->saBundle.saList = sa;
	d->saBundle.keyModuleState = kms;
	d->saBundle.ipsecId = iid;
	d->transportFilter = f;
}

static void free_memory_single_block(void **state)
{
	HANDLE h = cf_open();
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { 4500, 4500 };
	IPSEC_SA0 sa[2];
	IPSEC_KEYMODULE_STATE0 kms;
	FWPM_FILTER0 f;
	IPSEC_ID0 iid;
	IPSEC_SA_DETAILS1 d1;
	IPSEC_SA_DETAILS0 d0;
	IPSEC_SA_CONTEXT1 *r1, **e1 = NULL;
	IPSEC_SA_CONTEXT0 *r0 = NULL, **e0 = NULL;
	IPSEC_SA_DETAILS1 **s1 = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0;
	cf_ctx c;

	(void)state;
	memset(sa, 0, sizeof(sa));
	memset(&kms, 0, sizeof(kms));
	memset(&f, 0, sizeof(f));
	memset(&iid, 0, sizeof(iid));
	memset(&d1, 0, sizeof(d1));
	memset(&d0, 0, sizeof(d0));
	cf_mature(h, &c);

	r1 = cf_get1(h, c.id);
	clobber_details1(r1->inboundSa, &udp, sa, &kms, &f, &iid);
	clobber_details1(r1->outboundSa, &udp, sa, &kms, &f, &iid);
	FwpmFreeMemory0((void **)&r1);
	assert_null(r1);

	r1 = cf_get1(h, c.id);
	r1->inboundSa = &d1;
	r1->outboundSa = &d1;
	FwpmFreeMemory0((void **)&r1);

	CF_OK(IPsecSaContextGetById0(h, c.id, &r0));
	assert_non_null(r0);
	r0->inboundSa->udpEncapsulation = &udp;
	r0->inboundSa->saBundle.saList = sa;
	r0->outboundSa = &d0;
	FwpmFreeMemory0((void **)&r0);
	assert_null(r0);

	/* An enumeration batch: free the array only, once. */
	CF_OK(IPsecSaContextCreateEnumHandle0(h, NULL, &eh));
	CF_OK(IPsecSaContextEnum1(h, eh, 100, &e1, &n));
	assert_true(n >= 1);
	for (UINT32 i = 0; i < n; i++)
		clobber_details1(e1[i]->inboundSa, &udp, sa, &kms, &f, &iid);
	e1[0]->outboundSa = &d1;
	FwpmFreeMemory0((void **)&e1);
	assert_null(e1);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	CF_OK(IPsecSaContextCreateEnumHandle0(h, NULL, &eh));
	CF_OK(IPsecSaContextEnum0(h, eh, 100, &e0, &n));
	assert_true(n >= 1);
	e0[0]->inboundSa = &d0;
	FwpmFreeMemory0((void **)&e0);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &eh));
	CF_OK(IPsecSaEnum1(h, eh, 100, &s1, &n));
	assert_true(n >= 2);
	for (UINT32 i = 0; i < n; i++)
		clobber_details1(s1[i], &udp, sa, &kms, &f, &iid);
	s1[0] = &d1;
	FwpmFreeMemory0((void **)&s1);
	CF_OK(IPsecSaDestroyEnumHandle0(h, eh));

	cf_ctx_delete(h, &c);
	cf_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(open_engine_selection_env),
		CF_TEST(open_close_basic),
		CF_TEST(open_server_name),
		CF_TEST(open_authn_service),
		CF_TEST(open_null_handle),
		CF_TEST(open_session_flags),
		CF_TEST(open_duplicate_session_key),
		CF_TEST(close_invalid),
		CF_TEST(invalid_engine_handles),
		CF_TEST(transactions_basic),
		CF_TEST(transaction_blocks_sa_calls),
		CF_TEST(dynamic_session),
		CF_TEST(static_contexts_outlive_session),
		CF_TEST(free_memory_null),
		CF_TEST(free_memory_single_block),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.engine", tests, NULL,
					   NULL);
}
