/*
 * test_counters.c - the extension FwpxSaContextGetCounters0: argument and
 * id checks, the transaction rule, and which directions are live in each
 * state (LIVE flag, zeros otherwise). Contract: docs/CONTRACT.md "Per-SA
 * counters". Also the extensions beside it: FwpxSaContextGetInfo0 (state,
 * times, creator: "The engine's view of a context") and FwpxGetStatistics0
 * ("Outbound drops").
 *
 * Neither engine under test here carries packets (the in-process engine,
 * fwpd without a datapath), so every counter reads 0; that the numbers of
 * a datapath arrive unchanged is tests/unit/test_sa_counters.c's part.
 */
#include <unistd.h>

#include "conformance.h"

#define LIVE FWPX_SA_COUNTERS_FLAG_LIVE

/* A value no successful call would write: failures must leave it. */
static void poison(FWPX_SA_COUNTERS0 *c)
{
	memset(c, 0xA5, sizeof(*c));
}

static bool poisoned(const FWPX_SA_COUNTERS0 *c)
{
	FWPX_SA_COUNTERS0 p;

	poison(&p);
	return !memcmp(c, &p, sizeof(p));
}

/* Every counter 0, the flags `flags`, reserved 0. */
static bool zeros(const FWPX_SA_COUNTERS0 *c, UINT32 flags)
{
	return c->packets == 0 && c->bytes == 0 && c->replayDrops == 0 &&
	       c->icvFailures == 0 && c->otherDrops == 0 && c->lastUseMs == 0 &&
	       c->flags == flags && c->reserved == 0;
}

/* Reads both directions, each alone and both together, and checks each
 * is zeros with the LIVE flag when expected. */
static void expect_live(HANDLE h, UINT64 id, bool in_live, bool out_live,
			const char *when)
{
	FWPX_SA_COUNTERS0 in, out;
	UINT32 fin = in_live ? LIVE : 0, fout = out_live ? LIVE : 0;

	poison(&in);
	poison(&out);
	if (CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, &in, &out), ERROR_SUCCESS, when)) {
		CF_CHECK(zeros(&in, fin), "[%s] inbound: flags 0x%x packets %llu, want "
			 "zeros and flags 0x%x", when, in.flags,
			 (unsigned long long)in.packets, fin);
		CF_CHECK(zeros(&out, fout), "[%s] outbound: flags 0x%x packets %llu, "
			 "want zeros and flags 0x%x", when, out.flags,
			 (unsigned long long)out.packets, fout);
	}
	poison(&in);
	if (CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, &in, NULL), ERROR_SUCCESS, when))
		CF_CHECK(zeros(&in, fin), "[%s] inbound alone: flags 0x%x", when, in.flags);
	poison(&out);
	if (CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, NULL, &out), ERROR_SUCCESS, when))
		CF_CHECK(zeros(&out, fout), "[%s] outbound alone: flags 0x%x", when,
			 out.flags);
}

/* The LIVE flags follow the directions GetById returns, state by state. */
static void live_by_state(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;

	(void)state;
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	expect_live(h, c.id, false, false, "CREATED");
	CF_OK(cf_ctx_step(h, &c));
	expect_live(h, c.id, false, false, "SPI_SET");
	CF_OK(cf_ctx_step(h, &c));
	expect_live(h, c.id, true, false, "INBOUND (inbound only)");
	CF_OK(cf_ctx_step(h, &c));
	expect_live(h, c.id, true, true, "MATURE");
	/* Expire0: the outbound SA is removed now, the inbound one drains. */
	CF_OK(IPsecSaContextExpire0(h, c.id));
	expect_live(h, c.id, true, false, "after Expire0");
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* An Update0 keeps both directions live (counters survive an update). */
static void live_after_update(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT1 *ctx;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	cf_ctx c;

	(void)state;
	cf_mature(h, &c);
	ctx = cf_get1(h, c.id);
	ctx->inboundSa->udpEncapsulation = &encap;
	ctx->outboundSa->udpEncapsulation = &encap;
	CF_OK(IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx));
	FwpmFreeMemory0((void **)&ctx);
	expect_live(h, c.id, true, true, "after Update0");
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* Both pointers NULL: FWP_E_NULL_POINTER, before the id is looked at. */
static void null_pointers(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;

	(void)state;
	cf_mature(h, &c);
	CF_ASSERT_RC(FwpxSaContextGetCounters0(h, c.id, NULL, NULL), FWP_E_NULL_POINTER);
	CF_ASSERT_RC(FwpxSaContextGetCounters0(h, 0, NULL, NULL), FWP_E_NULL_POINTER);
	CF_ASSERT_RC(FwpxSaContextGetCounters0(h, UINT64_MAX, NULL, NULL),
		     FWP_E_NULL_POINTER);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* Unknown ids, a deleted context's included: FWP_E_NOT_FOUND, and the
 * caller's structs are left as they were. */
static void unknown_ids(void **state)
{
	HANDLE h = cf_open();
	FWPX_SA_COUNTERS0 in, out;
	const UINT64 never[] = { 0, UINT64_MAX, UINT64_MAX / 2 };
	cf_ctx c;

	(void)state;
	cf_mature(h, &c);
	CF_OK(IPsecSaContextDeleteById0(h, c.id));
	cf_untrack_ctx(c.id);
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]) + 1; i++) {
		UINT64 id = i < sizeof(never) / sizeof(never[0]) ? never[i] : c.id;
		char label[64];

		snprintf(label, sizeof(label), "id %llu", (unsigned long long)id);
		poison(&in);
		poison(&out);
		CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, &in, &out), FWP_E_NOT_FOUND, label);
		CF_CHECK(poisoned(&in) && poisoned(&out), "[%s] a failed call wrote the "
			 "counters", label);
		CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, &in, NULL), FWP_E_NOT_FOUND, label);
		CF_CHECK_RC(FwpxSaContextGetCounters0(h, id, NULL, &out), FWP_E_NOT_FOUND, label);
	}
	cf_close(h);
	cf_assert_no_failures();
}

/* Counters are statistics: refused inside any transaction, as
 * IPsecGetStatistics1 is, and allowed again once it ends. */
static void transaction(void **state)
{
	HANDLE h = cf_open();
	FWPX_SA_COUNTERS0 in, out;
	IPSEC_STATISTICS1 st;
	const UINT32 kinds[] = { 0, FWPM_TXN_READ_ONLY };
	cf_ctx c;

	(void)state;
	cf_mature(h, &c);
	for (size_t i = 0; i < 2; i++) {
		const char *label = kinds[i] ? "read-only transaction" : "transaction";

		CF_OK(FwpmTransactionBegin0(h, kinds[i]));
		poison(&in);
		CF_CHECK_RC(FwpxSaContextGetCounters0(h, c.id, &in, &out),
			    FWP_E_TXN_IN_PROGRESS, label);
		CF_CHECK(poisoned(&in), "[%s] a refused call wrote the counters", label);
		CF_CHECK_RC(IPsecGetStatistics1(h, &st), FWP_E_TXN_IN_PROGRESS, label);
		CF_OK(FwpmTransactionAbort0(h));
	}
	expect_live(h, c.id, true, true, "after the transactions");
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* Another engine handle (another session) reads the same context; a
 * context of a closed handle is still there to read. */
static void other_sessions(void **state)
{
	HANDLE a = cf_open(), b = cf_open();
	cf_ctx c;

	(void)state;
	cf_ctx_build(a, &c, NULL, CF_INBOUND);
	expect_live(b, c.id, true, false, "another session");
	cf_close(a);
	expect_live(b, c.id, true, false, "after its creator closed");
	cf_ctx_delete(b, &c);
	cf_close(b);
	cf_assert_no_failures();
}

static const GUID zero_guid;

/* state, and the times and creator that go with it. */
static void expect_info(HANDLE h, UINT64 id, UINT32 state, const char *when)
{
	FWPX_SA_CONTEXT_INFO0 i;
	bool in = state >= FWPX_SA_CONTEXT_STATE_INBOUND;
	bool out = state == FWPX_SA_CONTEXT_STATE_MATURE;

	memset(&i, 0xA5, sizeof(i));
	if (!CF_CHECK_RC(FwpxSaContextGetInfo0(h, id, &i), ERROR_SUCCESS, when))
		return;
	CF_CHECK(i.state == state, "[%s] state %u, want %u", when, i.state, state);
	CF_CHECK(i.creatorPid == (UINT32)getpid() && i.creatorUid == (UINT32)getuid(),
		 "[%s] creator pid %u uid %u, want %u %u", when, i.creatorPid, i.creatorUid,
		 (unsigned)getpid(), (unsigned)getuid());
	CF_CHECK(memcmp(&i.creatorSessionKey, &zero_guid, sizeof(GUID)),
		 "[%s] no creator session key", when);
	CF_CHECK(i.createdMs && i.createdMs <= i.nowMs && i.nowMs - i.createdMs < 60000,
		 "[%s] created %llu, now %llu", when, (unsigned long long)i.createdMs,
		 (unsigned long long)i.nowMs);
	CF_CHECK(!in == !i.inboundAddedMs && !out == !i.outboundAddedMs,
		 "[%s] added in %llu out %llu", when, (unsigned long long)i.inboundAddedMs,
		 (unsigned long long)i.outboundAddedMs);
	CF_CHECK((state == FWPX_SA_CONTEXT_STATE_EXPIRING) == (i.drainDeadlineMs > i.nowMs),
		 "[%s] drain deadline %llu, now %llu", when,
		 (unsigned long long)i.drainDeadlineMs, (unsigned long long)i.nowMs);
	/* cf's bundles have no seconds lifetime. */
	CF_CHECK(!i.inboundHardDeadlineMs && !i.outboundHardDeadlineMs && !i.reserved0 &&
		 !i.reserved[0] && !i.reserved[3], "[%s] deadlines or reserved set", when);
}

/* FwpxSaContextGetInfo0 follows the life cycle, from any session. */
static void info_by_state(void **state)
{
	HANDLE h = cf_open(), other = cf_open();
	FWPX_SA_CONTEXT_INFO0 i;
	cf_ctx c;

	(void)state;
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	expect_info(h, c.id, FWPX_SA_CONTEXT_STATE_CREATED, "CREATED");
	CF_OK(cf_ctx_step(h, &c));
	expect_info(h, c.id, FWPX_SA_CONTEXT_STATE_SPI_SET, "SPI_SET");
	CF_OK(cf_ctx_step(h, &c));
	expect_info(h, c.id, FWPX_SA_CONTEXT_STATE_INBOUND, "INBOUND");
	CF_OK(cf_ctx_step(h, &c));
	expect_info(other, c.id, FWPX_SA_CONTEXT_STATE_MATURE, "MATURE, another session");
	CF_OK(IPsecSaContextExpire0(h, c.id));
	expect_info(h, c.id, FWPX_SA_CONTEXT_STATE_EXPIRING, "EXPIRING");
	CF_ASSERT_RC(FwpxSaContextGetInfo0(h, c.id, NULL), FWP_E_NULL_POINTER);
	cf_ctx_delete(h, &c);
	memset(&i, 0xA5, sizeof(i));
	CF_ASSERT_RC(FwpxSaContextGetInfo0(h, c.id, &i), FWP_E_NOT_FOUND);
	CF_ASSERT_RC(FwpxSaContextGetInfo0(h, 0, &i), FWP_E_NOT_FOUND);
	CF_CHECK(i.state == 0xA5A5A5A5u, "a failed FwpxSaContextGetInfo0 wrote its struct");
	cf_close(other);
	cf_close(h);
	cf_assert_no_failures();
}

/* FwpxGetStatistics0: zeros without a datapath; NULL and transactions
 * refused as IPsecGetStatistics1 refuses them. */
static void ext_statistics(void **state)
{
	HANDLE h = cf_open();
	FWPX_STATISTICS0 s, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	memset(&s, 0xA5, sizeof(s));
	CF_OK(FwpxGetStatistics0(h, &s));
	CF_CHECK(!memcmp(&s, &zero, sizeof(s)), "FwpxGetStatistics0 without a datapath: "
		 "no-SA drops %llu", (unsigned long long)s.outboundNoSaDrops);
	CF_ASSERT_RC(FwpxGetStatistics0(h, NULL), FWP_E_NULL_POINTER);
	CF_OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	CF_ASSERT_RC(FwpxGetStatistics0(h, &s), FWP_E_TXN_IN_PROGRESS);
	CF_OK(FwpmTransactionAbort0(h));
	CF_ASSERT_RC(FwpxGetStatistics0(NULL, &s), ERROR_INVALID_HANDLE);
	cf_close(h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(live_by_state),
		CF_TEST(live_after_update),
		CF_TEST(null_pointers),
		CF_TEST(unknown_ids),
		CF_TEST(transaction),
		CF_TEST(other_sessions),
		CF_TEST(info_by_state),
		CF_TEST(ext_statistics),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.counters", tests, NULL, NULL);
}
