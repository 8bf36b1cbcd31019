/* test_be_policy.c - what a backend hears of filters (backend.h
 * policy_changed), through a fake backend that records every call.
 *
 *  - outside a transaction, at once, before the call returns;
 *  - inside a write transaction, nothing until the commit; an abort: no
 *    call at all, so nothing is ever half-applied (an IPsec filter added
 *    and aborted never reached the backend; a filter deleted in an
 *    aborted transaction never lost its protection);
 *  - at commit, the net effect (a filter added and deleted inside the
 *    transaction: nothing), filters that protect coming and permits going
 *    first, then permits coming and filters that protect going, each
 *    oldest first, and the snapshot's publish after them;
 *  - each call carries the filter's sublayer weight and index, the
 *    classifier's order of sublayers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/engine.h"

/* ---- the fake backend: a journal of calls ---- */

#define MAX_CALLS 32

struct call {
	uint64_t filter_id;	/* 0: policy_published */
	bool added;
	uint16_t sl_weight;
	uint32_t sl_index;
	uint64_t context_id;
};

static struct {
	struct call c[MAX_CALLS];
	int n;
} j;

static int fake_install(void *be, const struct be_sa *sa, void **handle)
{
	(void)be, (void)sa;
	*handle = NULL;
	return 0;
}

static int fake_update(void *be, void *const h[2], const struct be_change *const ch[2])
{
	(void)be, (void)h, (void)ch;
	return 0;
}

static void fake_remove(void *be, void *handle)
{
	(void)be, (void)handle;
}

static int fake_counters(void *be, void *handle, struct sa_counters *out)
{
	(void)be, (void)handle, (void)out;
	return -ENOENT;
}

static void fake_changed(void *be, const struct be_filter *bf, bool added)
{
	(void)be;
	assert_non_null(bf);
	assert_non_null(bf->f);
	assert_true(j.n < MAX_CALLS);
	j.c[j.n++] = (struct call){ .filter_id = bf->f->filterId, .added = added,
				    .sl_weight = bf->sublayer_weight,
				    .sl_index = bf->sublayer_index,
				    .context_id = bf->context_id };
}

static void fake_published(void *be)
{
	(void)be;
	assert_true(j.n < MAX_CALLS);
	j.c[j.n++] = (struct call){ 0 };
}

static const struct dp_backend_ops fake_ops = {
	.name = "fake",
	.sa_install = fake_install,
	.sa_update_pair = fake_update,
	.sa_remove = fake_remove,
	.sa_counters = fake_counters,
	.policy_changed = fake_changed,
	.policy_published = fake_published,
};

/* The policy_changed calls only (publishes left out), from index from. */
static int changes(int from, struct call *out, int max)
{
	int n = 0;

	for (int i = from; i < j.n; i++)
		if (j.c[i].filter_id && n < max)
			out[n++] = j.c[i];
	return n;
}

static int nchanges(void)
{
	struct call c[MAX_CALLS];

	return changes(0, c, MAX_CALLS);
}

/* ---- engine ---- */

static struct engine *e;
static struct engine_session *s;

static int setup(void **state)
{
	struct engine_config cfg = { .backend = { .ops = &fake_ops } };
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

	(void)state;
	memset(&j, 0, sizeof(j));
	if (engine_create(&cfg, &e))
		return -1;
	return engine_session_open(e, NULL, &cred, NULL, &s) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	engine_session_close(s);
	engine_destroy(e);
	return 0;
}

#define LAYER (&FWPM_LAYER_OUTBOUND_TRANSPORT_V4)

/* An outbound filter on remote 198.51.100.0/24 + x, in sublayer sl (NULL:
 * the universal one). */
static UINT64 add(UINT32 action, unsigned x, const GUID *sl)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	FWP_V4_ADDR_AND_MASK m = { 0xc6336400u + (x << 8), 0xffffff00u };
	UINT64 id = 0;

	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.displayData.name = L"backend test";
	f.layerKey = *LAYER;
	f.subLayerKey = sl ? *sl : FWPM_SUBLAYER_UNIVERSAL;
	f.action.type = action;
	if (action == FWP_ACTION_CALLOUT_TERMINATING)
		f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	assert_int_equal(engine_pol_add(s, POL_FILTER, &f, &id), ERROR_SUCCESS);
	return id;
}

#define IPSEC FWP_ACTION_CALLOUT_TERMINATING

static void del(UINT64 id)
{
	struct pol_ref ref = { .by_key = false, .id = id };

	assert_int_equal(engine_pol_delete(s, POL_FILTER, &ref), ERROR_SUCCESS);
}

static void expect(const struct call *c, UINT64 id, bool added)
{
	assert_int_equal(c->filter_id, id);
	assert_int_equal(c->added, added);
}

/* ---- tests ---- */

static void test_outside_a_txn_at_once(void **state)
{
	struct call c[4];
	UINT64 a;

	(void)state;
	a = add(IPSEC, 1, NULL);
	assert_int_equal(changes(0, c, 4), 1);
	expect(&c[0], a, true);
	assert_int_equal(j.c[j.n - 1].filter_id, 0);	/* published after */
	del(a);
	assert_int_equal(changes(0, c, 4), 2);
	expect(&c[1], a, false);
}

static void test_aborted_add_never_reaches_the_backend(void **state)
{
	(void)state;
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	add(IPSEC, 1, NULL);
	add(FWP_ACTION_BLOCK, 2, NULL);
	assert_int_equal(j.n, 0);	/* nothing before the commit */
	assert_int_equal(engine_txn_abort(s), ERROR_SUCCESS);
	assert_int_equal(j.n, 0);	/* and nothing at the abort */
}

static void test_aborted_delete_keeps_protection(void **state)
{
	struct call c[4];
	UINT64 a;

	(void)state;
	a = add(IPSEC, 1, NULL);
	j.n = 0;
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	del(a);
	assert_int_equal(j.n, 0);	/* its protection stays until commit */
	assert_int_equal(engine_txn_abort(s), ERROR_SUCCESS);
	assert_int_equal(j.n, 0);
	/* Deleted for real, it goes. */
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	del(a);
	assert_int_equal(j.n, 0);
	assert_int_equal(engine_txn_commit(s), ERROR_SUCCESS);
	assert_int_equal(changes(0, c, 4), 1);
	expect(&c[0], a, false);
}

static void test_commit_applies(void **state)
{
	struct call c[4];
	UINT64 a, gone;

	(void)state;
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	a = add(IPSEC, 1, NULL);
	gone = add(IPSEC, 2, NULL);
	del(gone);	/* made and gone inside: nothing */
	assert_int_equal(j.n, 0);
	assert_int_equal(engine_txn_commit(s), ERROR_SUCCESS);
	assert_int_equal(changes(0, c, 4), 1);
	expect(&c[0], a, true);
	/* The publish comes after the calls. */
	assert_int_equal(j.c[0].filter_id, a);
	assert_int_equal(j.c[j.n - 1].filter_id, 0);
}

/* Narrowing first: protecting filters coming, permits going; then
 * permits coming, protecting filters going; oldest first in each. */
static void test_commit_order(void **state)
{
	struct call c[8];
	UINT64 old_ipsec, old_permit, old_block, p, b, i;

	(void)state;
	old_ipsec = add(IPSEC, 1, NULL);
	old_permit = add(FWP_ACTION_PERMIT, 2, NULL);
	old_block = add(FWP_ACTION_BLOCK, 3, NULL);
	j.n = 0;
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	del(old_ipsec);
	p = add(FWP_ACTION_PERMIT, 4, NULL);
	del(old_permit);
	b = add(FWP_ACTION_BLOCK, 5, NULL);
	del(old_block);
	i = add(IPSEC, 6, NULL);
	assert_int_equal(j.n, 0);
	assert_int_equal(engine_txn_commit(s), ERROR_SUCCESS);
	assert_int_equal(changes(0, c, 8), 6);
	expect(&c[0], old_permit, false);
	expect(&c[1], b, true);
	expect(&c[2], i, true);
	expect(&c[3], old_ipsec, false);
	expect(&c[4], p, true);
	expect(&c[5], old_block, false);
}

/* A watchdog or a session closed in a transaction aborts it: nothing. */
static void test_session_close_aborts_quietly(void **state)
{
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };
	struct engine_session *t;
	FWPM_FILTER0 f;
	UINT64 id;

	(void)state;
	assert_int_equal(engine_session_open(e, NULL, &cred, NULL, &t), ERROR_SUCCESS);
	assert_int_equal(engine_txn_begin(t, 0), ERROR_SUCCESS);
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"closed";
	f.layerKey = *LAYER;
	f.action.type = FWP_ACTION_BLOCK;
	assert_int_equal(engine_pol_add(t, POL_FILTER, &f, &id), ERROR_SUCCESS);
	engine_session_close(t);
	assert_int_equal(nchanges(), 0);
}

static void test_sublayer_order_passed(void **state)
{
	FWPM_SUBLAYER0 sl = { .displayData.name = L"heavy", .weight = 0x1234 };
	FWPM_SUBLAYER0 sl2 = { .displayData.name = L"second", .weight = 0x1234 };
	struct call c[4];
	UINT64 a, b, u;

	(void)state;
	sl.subLayerKey = (GUID){ 0x5eb1, 1, 2, { 3 } };
	sl2.subLayerKey = (GUID){ 0x5eb2, 1, 2, { 3 } };
	assert_int_equal(engine_pol_add(s, POL_SUBLAYER, &sl, NULL), ERROR_SUCCESS);
	assert_int_equal(engine_pol_add(s, POL_SUBLAYER, &sl2, NULL), ERROR_SUCCESS);
	a = add(FWP_ACTION_BLOCK, 1, &sl.subLayerKey);
	b = add(IPSEC, 2, &sl2.subLayerKey);
	u = add(FWP_ACTION_BLOCK, 3, NULL);
	assert_int_equal(changes(0, c, 4), 3);
	expect(&c[0], a, true);
	expect(&c[1], b, true);
	expect(&c[2], u, true);
	assert_int_equal(c[0].sl_weight, 0x1234);
	assert_int_equal(c[1].sl_weight, 0x1234);
	/* Equal weights: the sublayer added first comes first. */
	assert_true(c[0].sl_index < c[1].sl_index);
	assert_true(c[0].sl_index != 0);
	/* The built-in universal sublayer: its weight, and an index of the
	 * built-ins (below every added one). */
	assert_int_equal(c[2].sl_weight, 0x8000);
	assert_true(c[2].sl_index < c[0].sl_index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outside_a_txn_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aborted_add_never_reaches_the_backend,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_aborted_delete_keeps_protection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_commit_applies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_close_aborts_quietly, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sublayer_order_passed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
