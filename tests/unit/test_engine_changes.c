/* test_engine_changes.c - change subscriptions at the engine seam, where
 * what the public API cannot reach is reachable: sessions with fewer
 * rights (a subscriber needs what enumerating needs), a transaction the
 * watchdog aborts and a commit the store refuses (neither notifies), and
 * that the sink runs synchronously, at the change, with the engine's own
 * record. The public behaviour is tests/policy/test_changes.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/engine.h"

#define BOTH (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE)

struct got {
	unsigned n;
	uint64_t cookie;
	struct fwp_pol_change last;
};

static void deliver_change(void *arg, uint64_t cookie, const struct fwp_pol_change *ch)
{
	struct got *g = arg;

	g->n++;
	g->cookie = cookie;
	g->last = *ch;
}

static uint64_t now_ms;
static int store_err;

static uint64_t clock_ms(void *arg)
{
	(void)arg;
	return now_ms;
}

static int store_write(void *arg, const struct pol_change *v, size_t n)
{
	(void)arg;
	(void)v;
	(void)n;
	return store_err;
}

static const struct pol_store_ops store = { store_write };

static struct engine *make_engine(void)
{
	struct engine_config cfg = { .clock_ms = clock_ms, .store = &store };
	struct engine *e = NULL;

	assert_int_equal(engine_create(&cfg, &e), 0);
	return e;
}

static struct engine_session *open_session(struct engine *e, uint32_t rights, struct got *g)
{
	struct session_cred cred = { .rights = rights };
	struct event_sink sink = { .deliver_change = deliver_change, .arg = g };
	struct engine_session *s = NULL;

	assert_int_equal(engine_session_open(e, NULL, &cred, &sink, &s), ERROR_SUCCESS);
	return s;
}

static DWORD add_provider(struct engine_session *s, UINT32 id, UINT32 flags)
{
	FWPM_PROVIDER0 p = { .providerKey = { id, 1, 2, { 3 } }, .flags = flags,
			     .displayData.name = L"engine change test" };

	return engine_pol_add(s, POL_PROVIDER, &p, NULL);
}

static void test_rights(void **state)
{
	struct engine *e = make_engine();
	struct got g = { 0 };
	struct engine_session *no_enum = open_session(e, ENGINE_RIGHTS_READ & ~FWPM_ACTRL_ENUM, &g);
	struct engine_session *no_sub = open_session(e, ENGINE_RIGHTS_READ & ~FWPM_ACTRL_SUBSCRIBE,
						      &g);
	struct engine_session *reader = open_session(e, ENGINE_RIGHTS_READ, &g);
	uint64_t h = 0;
	void **v = NULL;
	UINT32 n = 9;

	(void)state;
	assert_int_equal(engine_change_subscribe(no_enum, POL_FILTER, NULL, BOTH, 1, &h),
			 ERROR_ACCESS_DENIED);
	assert_int_equal(engine_change_subscribe(no_sub, POL_FILTER, NULL, BOTH, 1, &h),
			 ERROR_ACCESS_DENIED);
	assert_int_equal(engine_change_subscribe(reader, POL_FILTER, NULL, BOTH, 1, &h),
			 ERROR_SUCCESS);
	assert_int_equal(engine_change_subscribe(reader, POL_NKINDS, NULL, BOTH, 1, &h),
			 FWP_E_INVALID_PARAMETER);
	assert_int_equal(engine_change_subscriptions_get(reader, POL_FILTER, &v, &n),
			 ERROR_SUCCESS);
	assert_int_equal(n, 1);
	free(v);
	/* Another session's handle is not this one's. */
	assert_int_equal(engine_change_unsubscribe(no_enum, POL_FILTER, h), ERROR_INVALID_HANDLE);
	assert_int_equal(engine_change_unsubscribe(reader, POL_PROVIDER, h), ERROR_INVALID_HANDLE);
	assert_int_equal(engine_change_unsubscribe(reader, POL_FILTER, h), ERROR_SUCCESS);
	engine_session_close(no_enum);
	engine_session_close(no_sub);
	engine_session_close(reader);
	engine_destroy(e);
}

/* The sink runs inside the call that made the change, with the cookie. */
static void test_synchronous_record(void **state)
{
	struct engine *e = make_engine();
	struct got g = { 0 };
	struct engine_session *s = open_session(e, ENGINE_RIGHTS_ALL, &g);
	FWPM_PROVIDER0 p = { .providerKey = { 0x77, 1, 2, { 3 } },
			     .displayData.name = L"x" };
	struct pol_ref ref = { .by_key = true, .key = &p.providerKey };
	uint64_t h = 0;

	(void)state;
	assert_int_equal(engine_change_subscribe(s, POL_PROVIDER, NULL, 0, 42, &h), 0);
	assert_int_equal(engine_pol_add(s, POL_PROVIDER, &p, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.cookie == 42);
	assert_int_equal(g.last.kind, POL_PROVIDER);
	assert_int_equal(g.last.change_type, FWPM_CHANGE_ADD);
	assert_memory_equal(&g.last.key, &p.providerKey, sizeof(GUID));
	assert_true(g.last.id == 0);
	assert_int_equal(engine_pol_delete(s, POL_PROVIDER, &ref), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.last.change_type, FWPM_CHANGE_DELETE);
	/* A refused change notifies nothing. */
	assert_int_equal(engine_pol_delete(s, POL_PROVIDER, &ref), FWP_E_PROVIDER_NOT_FOUND);
	assert_int_equal(g.n, 2);
	engine_session_close(s);
	engine_destroy(e);
}

/* The watchdog aborts a writer that took too long: nothing it did is
 * heard; the next writer's change is. */
static void test_watchdog_abort(void **state)
{
	struct engine *e = make_engine();
	struct got g = { 0 }, none = { 0 };
	struct engine_session *sub = open_session(e, ENGINE_RIGHTS_ALL, &g);
	struct engine_session *slow = open_session(e, ENGINE_RIGHTS_ALL, &none);
	struct engine_session *next = open_session(e, ENGINE_RIGHTS_ALL, &none);
	FWP_VALUE0 limit = { FWP_UINT32, { .uint32 = 100 } };
	uint64_t h = 0;

	(void)state;
	now_ms = 1000;
	assert_int_equal(engine_option_set(sub, FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC,
					   &limit), 0);
	assert_int_equal(engine_change_subscribe(sub, POL_PROVIDER, NULL, BOTH, 1, &h), 0);
	assert_int_equal(engine_txn_begin(slow, 0), 0);
	assert_int_equal(add_provider(slow, 1, 0), 0);
	now_ms += 500;
	assert_int_equal(add_provider(next, 2, 0), 0);	/* aborts slow's */
	assert_int_equal(g.n, 1);
	assert_true(g.last.key.Data1 == 2);
	assert_int_equal(engine_txn_commit(slow), FWP_E_TXN_ABORTED);
	assert_int_equal(g.n, 1);
	engine_session_close(slow);
	engine_session_close(next);
	engine_session_close(sub);
	engine_destroy(e);
}

/* A commit the store refuses is undone whole: nothing is heard. */
static void test_store_refuses_commit(void **state)
{
	struct engine *e = make_engine();
	struct got g = { 0 };
	struct engine_session *s = open_session(e, ENGINE_RIGHTS_ALL, &g);
	uint64_t h = 0;

	(void)state;
	assert_int_equal(engine_change_subscribe(s, POL_PROVIDER, NULL, BOTH, 1, &h), 0);
	assert_int_equal(engine_txn_begin(s, 0), 0);
	assert_int_equal(add_provider(s, 3, FWPM_PROVIDER_FLAG_PERSISTENT), 0);
	assert_int_equal(add_provider(s, 4, 0), 0);
	store_err = -EIO;
	assert_int_equal(engine_txn_commit(s), ERROR_WRITE_FAULT);
	store_err = 0;
	assert_int_equal(g.n, 0);
	/* Outside a transaction a refused persistent add is silent too. */
	store_err = -ENOSPC;
	assert_int_equal(add_provider(s, 5, FWPM_PROVIDER_FLAG_PERSISTENT), ERROR_DISK_FULL);
	store_err = 0;
	assert_int_equal(g.n, 0);
	engine_session_close(s);
	engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_synchronous_record),
		cmocka_unit_test(test_watchdog_abort),
		cmocka_unit_test(test_store_refuses_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
