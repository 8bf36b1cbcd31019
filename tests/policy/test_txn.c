/* test_txn.c - transactions over policy objects (docs/CONTRACT.md,
 * "Transactions"), through the public API, in-process and against fwpd:
 * abort leaves no trace, commit makes everything visible at once, one
 * writer at a time with the session's txnWaitTimeoutInMSec, read-only
 * transactions refuse changes, a session that ends aborts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static GUID random_guid(void)
{
	GUID g;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		abort();
	g.Data1 |= 1;
	return g;
}

static HANDLE open_wait(UINT32 wait_ms)
{
	FWPM_SESSION0 s;
	HANDLE h = NULL;

	memset(&s, 0, sizeof(s));
	s.txnWaitTimeoutInMSec = wait_ms;
	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h));
	return h;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static DWORD add_provider(HANDLE h, const GUID *key)
{
	FWPM_PROVIDER0 p = { .providerKey = *key, .displayData.name = L"txn test" };

	return FwpmProviderAdd0(h, &p, NULL);
}

static DWORD add_filter(HANDLE h, const GUID *key, const GUID *provider, UINT64 *id)
{
	FWPM_FILTER0 f;

	memset(&f, 0, sizeof(f));
	f.filterKey = *key;
	f.displayData.name = L"txn filter";
	f.providerKey = (GUID *)provider;
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

static UINT32 count_filters(HANDLE h)
{
	HANDLE eh = NULL;
	FWPM_FILTER0 **v = NULL;
	UINT32 n = 0, total = 0;

	OK(FwpmFilterCreateEnumHandle0(h, NULL, &eh));
	do {
		OK(FwpmFilterEnum0(h, eh, 100, &v, &n));
		total += n;
		FwpmFreeMemory0((void **)&v);
	} while (n);
	OK(FwpmFilterDestroyEnumHandle0(h, eh));
	return total;
}

static bool filter_exists(HANDLE h, const GUID *key, UINT64 *id)
{
	FWPM_FILTER0 *f = NULL;
	DWORD rc = FwpmFilterGetByKey0(h, key, &f);

	if (rc == FWP_E_FILTER_NOT_FOUND)
		return false;
	OK(rc);
	if (id)
		*id = f->filterId;
	FwpmFreeMemory0((void **)&f);
	return true;
}

/* Abort: the additions vanish, the deletions come back with their ids. */
static void test_abort_leaves_no_trace(void **state)
{
	HANDLE h = open_wait(0);
	GUID prov = random_guid(), old = random_guid(), k1 = random_guid(), k2 = random_guid();
	UINT64 old_id = 0, id1 = 0, id2 = 0, got = 0;
	UINT32 before;
	FWPM_PROVIDER0 *p = NULL;

	(void)state;
	OK(add_provider(h, &prov));
	OK(add_filter(h, &old, &prov, &old_id));
	before = count_filters(h);

	OK(FwpmTransactionBegin0(h, 0));
	OK(add_filter(h, &k1, &prov, &id1));
	OK(add_filter(h, &k2, &prov, &id2));
	OK(FwpmFilterDeleteById0(h, id2));	/* made and gone inside */
	OK(FwpmFilterDeleteById0(h, old_id));
	RC(FwpmProviderDeleteByKey0(h, &prov), FWP_E_IN_USE);	/* k1 */
	assert_true(filter_exists(h, &k1, NULL));	/* the owner sees its own */
	assert_false(filter_exists(h, &old, NULL));
	OK(FwpmTransactionAbort0(h));

	assert_false(filter_exists(h, &k1, NULL));
	assert_false(filter_exists(h, &k2, NULL));
	assert_true(filter_exists(h, &old, &got));
	assert_true(got == old_id);
	assert_int_equal(count_filters(h), before);
	RC(FwpmProviderDeleteByKey0(h, &prov), FWP_E_IN_USE);	/* old is back */
	OK(FwpmProviderGetByKey0(h, &prov, &p));
	FwpmFreeMemory0((void **)&p);

	/* The same changes committed. */
	OK(FwpmTransactionBegin0(h, 0));
	OK(add_filter(h, &k1, &prov, &id1));
	OK(FwpmFilterDeleteById0(h, old_id));
	OK(FwpmTransactionCommit0(h));
	assert_true(filter_exists(h, &k1, &got));
	assert_true(got == id1);
	assert_false(filter_exists(h, &old, NULL));
	RC(FwpmTransactionCommit0(h), FWP_E_NO_TXN_IN_PROGRESS);
	RC(FwpmTransactionAbort0(h), FWP_E_NO_TXN_IN_PROGRESS);

	OK(FwpmFilterDeleteById0(h, id1));
	OK(FwpmProviderDeleteByKey0(h, &prov));
	OK(FwpmEngineClose0(h));
}

/* Another session sees nothing of an open transaction's additions, and
 * cannot bind an SA context to them. */
static void test_isolation(void **state)
{
	HANDLE a = open_wait(0), b = open_wait(100);
	GUID prov = random_guid(), k = random_guid();
	IPSEC_TRAFFIC1 t;
	UINT64 id = 0, ctx = 0;

	(void)state;
	OK(FwpmTransactionBegin0(a, 0));
	OK(add_provider(a, &prov));
	OK(add_filter(a, &k, &prov, &id));
	assert_false(filter_exists(b, &k, NULL));
	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = 0xc0000201u;
	t.remoteV4Address = 0xc6336402u;
	t.ipsecFilterId = id;
	RC(IPsecSaContextCreate1(b, &t, NULL, NULL, &ctx), FWP_E_FILTER_NOT_FOUND);
	OK(FwpmTransactionCommit0(a));
	assert_true(filter_exists(b, &k, NULL));
	OK(IPsecSaContextCreate1(b, &t, NULL, NULL, &ctx));
	OK(IPsecSaContextDeleteById0(b, ctx));
	OK(FwpmFilterDeleteById0(b, id));
	OK(FwpmProviderDeleteByKey0(b, &prov));
	OK(FwpmEngineClose0(a));
	OK(FwpmEngineClose0(b));
}

/* One writer: another session's begin and changes wait up to its
 * txnWaitTimeoutInMSec, then FWP_E_TIMEOUT; reads and read-only
 * transactions do not wait. */
static void test_one_writer_timeout(void **state)
{
	HANDLE a = open_wait(0), b = open_wait(200);
	GUID k = random_guid();
	uint64_t t0;
	UINT32 n;

	(void)state;
	OK(FwpmTransactionBegin0(a, 0));
	t0 = now_ms();
	RC(FwpmTransactionBegin0(b, 0), FWP_E_TIMEOUT);
	assert_true(now_ms() - t0 >= 190);
	t0 = now_ms();
	RC(add_provider(b, &k), FWP_E_TIMEOUT);
	assert_true(now_ms() - t0 >= 190);
	n = count_filters(b);	/* reads go on */
	(void)n;
	OK(FwpmTransactionBegin0(b, FWPM_TXN_READ_ONLY));
	RC(add_provider(b, &k), FWP_E_INCOMPATIBLE_TXN);
	OK(FwpmTransactionCommit0(b));
	OK(FwpmTransactionCommit0(a));
	OK(FwpmTransactionBegin0(b, 0));
	OK(add_provider(b, &k));
	OK(FwpmTransactionCommit0(b));
	OK(FwpmProviderDeleteByKey0(b, &k));
	OK(FwpmEngineClose0(a));
	OK(FwpmEngineClose0(b));
}

struct waiter {
	HANDLE h;
	DWORD rc;
	uint64_t waited;
};

static void *begin_and_commit(void *arg)
{
	struct waiter *w = arg;
	uint64_t t0 = now_ms();

	w->rc = FwpmTransactionBegin0(w->h, 0);
	w->waited = now_ms() - t0;
	if (w->rc == ERROR_SUCCESS)
		w->rc = FwpmTransactionCommit0(w->h);
	return NULL;
}

/* A waiting writer gets the lock as soon as the holder ends, and so it
 * does when the holder's session simply goes away. */
static void test_waiter_gets_lock(void **state)
{
	HANDLE a = open_wait(0);
	struct waiter w = { .h = open_wait(5000) };
	struct timespec d = { .tv_nsec = 150 * 1000000L };
	GUID k = random_guid();
	pthread_t t;

	(void)state;
	OK(FwpmTransactionBegin0(a, 0));
	OK(add_provider(a, &k));
	assert_int_equal(pthread_create(&t, NULL, begin_and_commit, &w), 0);
	nanosleep(&d, NULL);
	OK(FwpmEngineClose0(a));	/* ends the session: its transaction aborts */
	assert_int_equal(pthread_join(t, NULL), 0);
	OK(w.rc);
	assert_true(w.waited >= 100 && w.waited < 4000);
	{
		FWPM_PROVIDER0 *p = NULL;

		RC(FwpmProviderGetByKey0(w.h, &k, &p), FWP_E_PROVIDER_NOT_FOUND);
	}
	OK(FwpmEngineClose0(w.h));
}

static DWORD set_watchdog(HANDLE h, UINT32 ms)
{
	FWP_VALUE0 v = { .type = FWP_UINT32, .uint32 = ms };

	return FwpmEngineSetOption0(h, FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC, &v);
}

/* FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC: a writer older than it loses
 * its transaction to the next session that wants the lock; its own calls
 * then get FWP_E_TXN_ABORTED until it ends the transaction. */
static void test_watchdog(void **state)
{
	HANDLE a = open_wait(0), b = open_wait(2000);
	GUID ka = random_guid(), kb = random_guid();
	FWPM_PROVIDER0 *p = NULL;
	uint64_t t0;

	(void)state;
	OK(set_watchdog(a, 150));
	OK(FwpmTransactionBegin0(a, 0));
	OK(add_provider(a, &ka));
	t0 = now_ms();
	OK(add_provider(b, &kb));	/* waits for the watchdog, not for 2 s */
	assert_true(now_ms() - t0 >= 100 && now_ms() - t0 < 1500);
	RC(FwpmProviderGetByKey0(b, &ka, &p), FWP_E_PROVIDER_NOT_FOUND);	/* undone */
	RC(add_provider(a, &ka), FWP_E_TXN_ABORTED);
	RC(FwpmTransactionBegin0(a, 0), FWP_E_TXN_IN_PROGRESS);
	RC(FwpmTransactionCommit0(a), FWP_E_TXN_ABORTED);
	RC(FwpmTransactionCommit0(a), FWP_E_NO_TXN_IN_PROGRESS);
	/* Ended: a works again; abort also ends an aborted transaction. */
	OK(FwpmTransactionBegin0(a, 0));
	OK(FwpmTransactionCommit0(a));
	/* Off (0): a writer keeps its lock however old it is. */
	OK(set_watchdog(a, 0));
	OK(FwpmTransactionBegin0(a, 0));
	OK(add_provider(a, &ka));
	{
		HANDLE c = open_wait(300);

		RC(add_provider(c, &kb), FWP_E_TIMEOUT);
		OK(FwpmEngineClose0(c));
	}
	OK(FwpmTransactionCommit0(a));
	OK(FwpmProviderDeleteByKey0(a, &ka));
	OK(FwpmProviderDeleteByKey0(b, &kb));
	OK(FwpmEngineClose0(a));
	OK(FwpmEngineClose0(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_leaves_no_trace),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_one_writer_timeout),
		cmocka_unit_test(test_waiter_gets_lock),
		cmocka_unit_test(test_watchdog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
