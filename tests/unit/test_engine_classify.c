/* test_engine_classify.c - filters added through the engine decide flows
 * (engine_classify): sublayer weight, then filter weight, terminating
 * actions; masks, ranges, ports, protocol, IPv6; deletes, transaction
 * aborts and unclassifiable conditions keep the classifier in step. The
 * classifier itself is checked against a brute-force reference on random
 * rule sets in tests/classify.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "engine/engine.h"

static struct engine *e;
static struct engine_session *s;

static int setup(void **state)
{
	struct engine_config cfg = { 0 };
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

	(void)state;
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

struct fb {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[4];
	UINT64 weight;
	FWP_V4_ADDR_AND_MASK m4;
	FWP_V6_ADDR_AND_MASK m6;
	FWP_RANGE0 range;
};

static void fb_init(struct fb *b, const GUID *layer, UINT32 action, const GUID *callout)
{
	memset(b, 0, sizeof(*b));
	b->f.displayData.name = L"classify test";
	b->f.layerKey = *layer;
	b->f.action.type = action;
	if (callout)
		b->f.action.calloutKey = *callout;
	b->f.filterCondition = b->c;
}

static FWPM_FILTER_CONDITION0 *cond(struct fb *b, const GUID *field, FWP_MATCH_TYPE m,
				    FWP_DATA_TYPE t)
{
	FWPM_FILTER_CONDITION0 *c = &b->c[b->f.numFilterConditions++];

	c->fieldKey = *field;
	c->matchType = m;
	c->conditionValue.type = t;
	return c;
}

static void weight(struct fb *b, UINT64 w)
{
	b->weight = w;
	b->f.weight.type = FWP_UINT64;
	b->f.weight.uint64 = &b->weight;
}

static UINT64 add(struct fb *b)
{
	UINT64 id = 0;

	assert_int_equal(engine_pol_add(s, POL_FILTER, &b->f, &id), ERROR_SUCCESS);
	return id;
}

static void del(UINT64 id)
{
	struct pol_ref ref = { .by_key = false, .id = id };

	assert_int_equal(engine_pol_delete(s, POL_FILTER, &ref), ERROR_SUCCESS);
}

static struct engine_verdict classify4(const GUID *layer, uint32_t local, uint32_t remote,
				       uint8_t proto, uint16_t lport, uint16_t rport)
{
	struct engine_flow f = { .layer = layer, .ip_version = 4, .protocol = proto,
				 .local_port = lport, .remote_port = rport };
	struct engine_verdict v;
	uint32_t l = htonl(local), r = htonl(remote);

	memcpy(f.local_addr, &l, 4);
	memcpy(f.remote_addr, &r, 4);
	assert_int_equal(engine_classify(e, &f, &v), ERROR_SUCCESS);
	return v;
}

#define L4 0xc0000201u	/* 192.0.2.1 */
#define R4 0xc6336402u	/* 198.51.100.2 */

/* strongSwan's shape: an IPsec callout filter for host to host, an IKE
 * bypass (PERMIT UDP 500, top weight) in the same sublayer. */
static void test_strongswan_transport(void **state)
{
	const GUID *out = &FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	struct fb b;
	struct engine_verdict v;
	UINT64 ipsec, bypass;

	(void)state;
	fb_init(&b, out, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32)
		->conditionValue.uint32 = L4;
	cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32)
		->conditionValue.uint32 = R4;
	ipsec = add(&b);
	fb_init(&b, out, FWP_ACTION_PERMIT, NULL);
	weight(&b, 0xff00000000000000ull);
	cond(&b, &FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8)
		->conditionValue.uint8 = IPPROTO_UDP;
	cond(&b, &FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT16)
		->conditionValue.uint16 = 500;
	bypass = add(&b);

	v = classify4(out, L4, R4, IPPROTO_TCP, 40000, 443);
	assert_true(v.filter_id == ipsec);
	assert_int_equal(v.action, FWP_ACTION_CALLOUT_TERMINATING);
	assert_memory_equal(&v.callout, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, sizeof(GUID));
	v = classify4(out, L4, R4, IPPROTO_UDP, 500, 500);
	assert_true(v.filter_id == bypass);
	assert_int_equal(v.action, FWP_ACTION_PERMIT);
	v = classify4(out, L4, R4 + 1, IPPROTO_TCP, 1, 2);	/* another host */
	assert_true(v.filter_id == 0);
	assert_int_equal(v.action, FWP_ACTION_PERMIT);
	/* The inbound layer is another classification. */
	v = classify4(&FWPM_LAYER_INBOUND_TRANSPORT_V4, L4, R4, IPPROTO_TCP, 1, 2);
	assert_true(v.filter_id == 0);

	del(ipsec);
	v = classify4(out, L4, R4, IPPROTO_TCP, 40000, 443);
	assert_true(v.filter_id == 0);
	del(bypass);
}

/* strongSwan's trap: a BLOCK filter for host to host with weight 0xff00
 * beside the IKE bypass; any protocol, ICMP included, is blocked. */
static void test_strongswan_trap(void **state)
{
	const GUID *out = &FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	struct fb b;
	struct engine_verdict v;
	UINT64 trap, bypass;

	(void)state;
	fb_init(&b, out, FWP_ACTION_PERMIT, NULL);
	weight(&b, 0xff00000000000000ull);
	cond(&b, &FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8)
		->conditionValue.uint8 = IPPROTO_UDP;
	cond(&b, &FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT16)
		->conditionValue.uint16 = 4500;
	bypass = add(&b);
	fb_init(&b, out, FWP_ACTION_BLOCK, NULL);
	weight(&b, 0xff00);
	cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32)
		->conditionValue.uint32 = L4;
	cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32)
		->conditionValue.uint32 = R4;
	trap = add(&b);

	v = classify4(out, L4, R4, IPPROTO_ICMP, 8, 0);
	assert_true(v.filter_id == trap);
	assert_int_equal(v.action, FWP_ACTION_BLOCK);
	v = classify4(out, L4, R4, IPPROTO_UDP, 40000, 9000);
	assert_true(v.filter_id == trap);
	del(trap);
	del(bypass);
}

/* A BLOCK in a heavier sublayer beats a PERMIT in a lighter one; within
 * one sublayer the heavier filter decides. Masks and ranges. */
static void test_arbitration_masks_ranges(void **state)
{
	const GUID *l = &FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	FWPM_SUBLAYER0 sl = { .displayData.name = L"heavy", .weight = 0xffff };
	struct fb b;
	struct engine_verdict v;
	UINT64 permit, block, light;

	(void)state;
	sl.subLayerKey = (GUID){ 0x1234, 1, 2, { 3 } };
	assert_int_equal(engine_pol_add(s, POL_SUBLAYER, &sl, NULL), ERROR_SUCCESS);
	fb_init(&b, l, FWP_ACTION_PERMIT, NULL);
	weight(&b, 10);
	b.m4 = (FWP_V4_ADDR_AND_MASK){ 0x0a000000u, 0xff000000u };	/* 10/8 */
	cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK)
		->conditionValue.v4AddrMask = &b.m4;
	permit = add(&b);
	fb_init(&b, l, FWP_ACTION_PERMIT, NULL);
	weight(&b, 5);
	light = add(&b);			/* no condition, lighter */
	fb_init(&b, l, FWP_ACTION_BLOCK, NULL);
	b.f.subLayerKey = sl.subLayerKey;
	b.range = (FWP_RANGE0){ { .type = FWP_UINT16, .uint16 = 1000 },
				{ .type = FWP_UINT16, .uint16 = 2000 } };
	cond(&b, &FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_RANGE, FWP_RANGE_TYPE)
		->conditionValue.rangeValue = &b.range;
	block = add(&b);

	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 80);
	assert_true(v.filter_id == permit);
	v = classify4(l, L4, 0x0b010203u, IPPROTO_TCP, 5, 80);
	assert_true(v.filter_id == light);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 1500);	/* heavy sublayer */
	assert_true(v.filter_id == block);
	assert_int_equal(v.action, FWP_ACTION_BLOCK);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 2001);
	assert_true(v.filter_id == permit);

	/* Classification sees committed filters only: a deletion inside a
	 * transaction counts from its commit, an aborted one never. */
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	del(block);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 1500);
	assert_true(v.filter_id == block);
	assert_int_equal(engine_txn_abort(s), ERROR_SUCCESS);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 1500);
	assert_true(v.filter_id == block);
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	del(block);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 1500);
	assert_true(v.filter_id == block);
	assert_int_equal(engine_txn_commit(s), ERROR_SUCCESS);
	v = classify4(l, L4, 0x0a010203u, IPPROTO_TCP, 5, 1500);
	assert_true(v.filter_id == permit);
	del(permit);
	del(light);
}

/* IPv6 prefixes; a filter with a condition the classifier cannot see is
 * left out rather than matching everything. */
static void test_v6_and_unclassifiable(void **state)
{
	const GUID *l = &FWPM_LAYER_INBOUND_TRANSPORT_V6;
	struct fb b;
	struct engine_flow f = { .layer = l, .ip_version = 6, .protocol = IPPROTO_TCP };
	struct engine_verdict v;
	UINT64 id, odd;

	(void)state;
	fb_init(&b, l, FWP_ACTION_BLOCK, NULL);
	b.m6 = (FWP_V6_ADDR_AND_MASK){ { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_V6_ADDR_MASK)
		->conditionValue.v6AddrMask = &b.m6;
	id = add(&b);
	fb_init(&b, l, FWP_ACTION_BLOCK, NULL);
	weight(&b, 99);
	cond(&b, &FWPM_CONDITION_IP_LOCAL_INTERFACE, FWP_MATCH_EQUAL, FWP_UINT64)
		->conditionValue.uint64 = &b.weight;
	odd = add(&b);

	memcpy(f.remote_addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 9, 9 }, 6);
	assert_int_equal(engine_classify(e, &f, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == id);
	f.remote_addr[3] = 0xb9;
	assert_int_equal(engine_classify(e, &f, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == 0);
	f.ip_version = 4;
	assert_int_equal(engine_classify(e, &f, &v), FWP_E_INVALID_PARAMETER);
	f.layer = &FWPM_LAYER_STREAM_V4;	/* a layer, not one filtered at here */
	assert_int_equal(engine_classify(e, &f, &v), ERROR_NOT_SUPPORTED);
	f.layer = &FWPM_CONDITION_IP_PROTOCOL;	/* a GUID, but no layer's */
	assert_int_equal(engine_classify(e, &f, &v), FWP_E_LAYER_NOT_FOUND);
	del(id);
	del(odd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongswan_transport),
		cmocka_unit_test(test_strongswan_trap),
		cmocka_unit_test(test_arbitration_masks_ranges),
		cmocka_unit_test(test_v6_and_unclassifiable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
