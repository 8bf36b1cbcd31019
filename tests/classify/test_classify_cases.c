/* Unit tests: policy/classify - hand-written arbitration cases.
 *
 * Every expectation is checked against classifier_lookup and
 * classifier_lookup_reference, first with the rules still in the overlay
 * (or freshly rebuilt by the lookup), then again after classifier_build.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/classify.h"
#include "cls_util.h"

#define BLOCK	CLS_ACTION_BLOCK
#define PERMIT	CLS_ACTION_PERMIT
#define CT	CLS_ACTION_CALLOUT_TERMINATING
#define CI	CLS_ACTION_CALLOUT_INSPECTION
#define CU	CLS_ACTION_CALLOUT_UNKNOWN

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void expect_at(int line, struct classifier *c, const struct cls_packet *p,
		      uint64_t id, uint32_t action)
{
	struct cls_verdict v, w;

	assert_int_equal(classifier_lookup(c, p, &v), 0);
	assert_int_equal(classifier_lookup_reference(c, p, &w), 0);
	if (v.filter_id != id || v.action != action || w.filter_id != id ||
	    w.action != action)
		fail_msg("line %d: want id %llu action %#x; fast %llu %#x, reference %llu %#x",
			 line, (unsigned long long)id, action,
			 (unsigned long long)v.filter_id, v.action,
			 (unsigned long long)w.filter_id, w.action);
}

#define EXPECT(c, p, id, action) expect_at(__LINE__, c, p, id, action)

static void add_ok(struct classifier *c, struct trule *t)
{
	assert_int_equal(classifier_add(c, trule_rule(t)), 0);
}

/* Runs checks twice: as the rules are now, then after an explicit build. */
static void twice(struct classifier *c, void (*checks)(struct classifier *))
{
	checks(c);
	assert_int_equal(classifier_build(c), 0);
	checks(c);
}

static struct classifier *new_classifier(void)
{
	struct classifier *c = NULL;

	assert_int_equal(classifier_create(&c), 0);
	assert_non_null(c);
	return c;
}

/* ---- */

static void test_empty(void **state)
{
	struct classifier *c = new_classifier();
	struct cls_packet p = pkt_v4(1, 6, IP(10, 0, 0, 1), 1000, IP(10, 0, 0, 2), 80);
	struct cls_verdict v;

	EXPECT(c, &p, 0, PERMIT);
	p.ip_version = 5;
	assert_int_equal(classifier_lookup(c, &p, &v), -EINVAL);
	assert_int_equal(classifier_lookup_reference(c, &p, &v), -EINVAL);
	assert_int_equal(classifier_lookup(c, NULL, &v), -EINVAL);
	assert_int_equal(classifier_remove(c, 7), -ENOENT);
	assert_int_equal(classifier_remove(c, 0), -ENOENT);
	assert_int_equal(classifier_build(c), 0);
	classifier_destroy(c);
	classifier_destroy(NULL);
}

static void test_invalid_rules(void **state)
{
	struct classifier *c = new_classifier();
	struct cls_packet p = pkt_v4(1, 6, IP(10, 0, 0, 1), 1000, IP(10, 0, 0, 2), 80);
	struct trule t;
	struct cls_rule r;

	assert_int_equal(classifier_add(c, NULL), -EINVAL);
	trule_init(&t, 0, 1, 4, BLOCK, 0, 0, 0);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);	/* id 0 */
	trule_init(&t, 1, 1, 5, BLOCK, 0, 0, 0);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);	/* ip version */
	trule_init(&t, 1, 1, 4, 0x2006, 0, 0, 0);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);	/* CONTINUE */
	trule_init(&t, 1, 1, 4, 0x7, 0, 0, 0);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);	/* NONE */
	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_rport(&t, 10, 65536);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);
	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_lport(&t, 11, 10);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);
	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_proto(&t, 6, 256);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);
	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_range(&t.ra[0], IP(10, 0, 0, 2), IP(10, 0, 0, 1));
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);
	trule_init(&t, 1, 1, 6, BLOCK, 0, 0, 0);
	t.r.n_local_addr = 1;
	addr_v6_range(&t.la[0], 1, 1, 1, 0);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EINVAL);
	r = t.r;	/* n > 0 with a NULL array */
	r.local_addr = NULL;
	assert_int_equal(classifier_add(c, &r), -EINVAL);
	EXPECT(c, &p, 0, PERMIT);	/* nothing went in */

	/* v4 ranges compare bytes 0..3 only. */
	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_range(&t.ra[0], IP(10, 0, 0, 2), IP(10, 0, 0, 2));
	t.ra[0].lo[9] = 0xff;
	add_ok(c, &t);
	assert_int_equal(classifier_add(c, trule_rule(&t)), -EEXIST);
	EXPECT(c, &p, 1, BLOCK);
	classifier_destroy(c);
}

static void checks_weights(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, IP(1, 1, 1, 1), 1, IP(10, 0, 0, 5), 80);

	EXPECT(c, &p, 2, BLOCK);	/* w20 block beats w20 permit id 4 (id order) */
	p = pkt_v4(1, 6, IP(1, 1, 1, 1), 1, IP(10, 0, 0, 6), 80);
	EXPECT(c, &p, 1, PERMIT);	/* w10 permit decides; w5 block skipped */
	p = pkt_v4(1, 6, IP(1, 1, 1, 1), 1, IP(10, 0, 1, 6), 80);
	EXPECT(c, &p, 3, BLOCK);
}

static void test_weights_one_sublayer(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, PERMIT, 0, 0, 10);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(10, 0, 0, 0), 24);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 4, BLOCK, 0, 0, 20);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(10, 0, 0, 5), 32);
	add_ok(c, &t);
	trule_init(&t, 3, 1, 4, BLOCK, 0, 0, 5);
	add_ok(c, &t);
	trule_init(&t, 4, 1, 4, PERMIT, 0, 0, 20);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(10, 0, 0, 5), 32);
	add_ok(c, &t);
	twice(c, checks_weights);
	classifier_destroy(c);
}

/* Sublayers A (index 1, weight 100), B (2, 50), C (3, 50). */
static void checks_sublayers(struct classifier *c)
{
	uint32_t X = IP(192, 0, 2, 1), Y = IP(198, 51, 100, 7), Z = IP(203, 0, 113, 9);
	struct cls_packet p;

	p = pkt_v4(7, 6, 1, 1000, Z, 81);
	EXPECT(c, &p, 10, PERMIT);		/* A permits, nobody blocks */
	p = pkt_v4(7, 6, 1, 1000, Z, 80);
	EXPECT(c, &p, 20, BLOCK);		/* B's block beats A's permit; B before C */
	p = pkt_v4(7, 17, 1, 1000, Z, 80);
	EXPECT(c, &p, 20, BLOCK);
	p = pkt_v4(7, 6, 1, 1000, X, 80);
	EXPECT(c, &p, 11, BLOCK);		/* the highest blocking sublayer is reported */
	p = pkt_v4(7, 17, 1, 1000, Y, 53);
	EXPECT(c, &p, 31, BLOCK);		/* B permits (21), C blocks */
	p = pkt_v4(7, 6, 1, 1000, Y, 443);
	EXPECT(c, &p, 31, BLOCK);
	p = pkt_v4(7, 17, 1, 1000, Z, 53);
	EXPECT(c, &p, 0, PERMIT);
}

static void test_two_sublayers(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	/* A */
	trule_init(&t, 10, 7, 4, PERMIT, 1, 100, 1);
	tr_proto(&t, 6, 6);
	add_ok(c, &t);
	trule_init(&t, 11, 7, 4, BLOCK, 1, 100, 2);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(192, 0, 2, 1), 32);
	add_ok(c, &t);
	/* B */
	trule_init(&t, 20, 7, 4, BLOCK, 2, 50, 1);
	tr_rport(&t, 80, 80);
	add_ok(c, &t);
	trule_init(&t, 21, 7, 4, PERMIT, 2, 50, 100);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(198, 51, 100, 7), 32);
	add_ok(c, &t);
	/* C: same weight as B, higher index: after B */
	trule_init(&t, 31, 7, 4, BLOCK, 3, 50, 1);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(198, 51, 100, 7), 32);
	add_ok(c, &t);
	trule_init(&t, 32, 7, 4, BLOCK, 3, 50, 1);
	tr_rport(&t, 80, 80);
	add_ok(c, &t);
	twice(c, checks_sublayers);
	classifier_destroy(c);
}

static void checks_inspection(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, 1, 1, 2, 22);

	EXPECT(c, &p, 2, BLOCK);	/* inspection (w100) continues to the block */
	p.remote_port = 23;
	EXPECT(c, &p, 3, PERMIT);
	p.layer = 2;
	EXPECT(c, &p, 0, PERMIT);	/* only an inspection callout: no decision */
}

static void test_inspection_continues(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, CI, 0, 0, 100);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 4, BLOCK, 0, 0, 50);
	tr_rport(&t, 22, 22);
	add_ok(c, &t);
	trule_init(&t, 3, 1, 4, PERMIT, 0, 0, 10);
	add_ok(c, &t);
	trule_init(&t, 4, 2, 4, CI, 0, 0, 10);
	add_ok(c, &t);
	twice(c, checks_inspection);
	classifier_destroy(c);
}

static void checks_callouts(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, 1, 1, 2, 1);

	EXPECT(c, &p, 1, BLOCK);	/* unregistered terminating callout */
	p.remote_port = 2;
	EXPECT(c, &p, 2, BLOCK);	/* unknown callout */
	p.remote_port = 3;
	EXPECT(c, &p, 3, PERMIT);	/* PERMIT_IF_CALLOUT_UNREGISTERED */
	p.remote_port = 4;
	EXPECT(c, &p, 5, BLOCK);	/* its soft permit loses to a lower block */
	p.remote_port = 5;
	EXPECT(c, &p, 6, BLOCK);	/* the callout block is hard */
}

static void test_callouts(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, CT, 0, 9, 10);
	tr_rport(&t, 1, 1);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 4, CU, 0, 9, 10);
	tr_rport(&t, 2, 2);
	add_ok(c, &t);
	trule_init(&t, 3, 1, 4, CT, 0, 9, 10);
	t.r.flags = CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED | 0x8 /* ignored */;
	tr_rport(&t, 3, 4);
	add_ok(c, &t);
	trule_init(&t, 5, 1, 4, BLOCK, 1, 8, 10);
	tr_rport(&t, 4, 4);
	add_ok(c, &t);
	trule_init(&t, 6, 1, 4, CU, 0, 9, 10);
	tr_rport(&t, 5, 5);
	add_ok(c, &t);
	trule_init(&t, 7, 1, 4, PERMIT, 1, 8, 10);
	tr_rport(&t, 5, 5);
	add_ok(c, &t);
	/* The flag means nothing on a plain block. */
	trule_init(&t, 8, 1, 4, BLOCK, 0, 9, 1);
	t.r.flags = CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	tr_rport(&t, 100, 100);
	add_ok(c, &t);
	twice(c, checks_callouts);
	classifier_destroy(c);
}

static void checks_no_match(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 17, IP(10, 0, 0, 1), 5, IP(10, 0, 0, 2), 80);

	EXPECT(c, &p, 0, PERMIT);	/* wrong protocol */
	p.protocol = 6;
	EXPECT(c, &p, 1, BLOCK);
	p.layer = 3;
	EXPECT(c, &p, 0, PERMIT);	/* other layer */
	p.layer = 1;
	p.ip_version = 6;
	EXPECT(c, &p, 0, PERMIT);	/* the v4 rule never matches v6 */
}

static void test_no_match(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	tr_proto(&t, 6, 6);
	add_ok(c, &t);
	twice(c, checks_no_match);
	classifier_destroy(c);
}

static void checks_v4_v6(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, 5, 5, 6, 6);

	EXPECT(c, &p, 1, BLOCK);
	p.ip_version = 6;
	put_v6(p.remote_addr, 0x20010db800000000ull, 1);
	EXPECT(c, &p, 2, PERMIT);
	put_v6(p.remote_addr, 0x20010db800000000ull, 0xfffffffffffffff5ull);
	EXPECT(c, &p, 3, BLOCK);	/* across the 64-bit halves */
	put_v6(p.remote_addr, 0x20010db800000001ull, 0x5);
	EXPECT(c, &p, 3, BLOCK);
	put_v6(p.remote_addr, 0x20010db800000001ull, 0x10);
	EXPECT(c, &p, 2, PERMIT);
	put_v6(p.remote_addr, 0x20010db800000000ull, 0xffffffffffffffefull);
	EXPECT(c, &p, 2, PERMIT);
	put_v6(p.remote_addr, 0x3000000000000000ull, 0);
	EXPECT(c, &p, 0, PERMIT);
	/* v4 packets: bytes 4..15 ignored */
	p = pkt_v4(2, 6, 5, 5, IP(172, 16, 3, 4), 6);
	p.remote_addr[4] = 0xee;
	p.remote_addr[15] = 0x01;
	EXPECT(c, &p, 4, PERMIT);
}

static void test_v4_v6(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 0);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 6, PERMIT, 0, 0, 1);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v6_prefix(&t.ra[0], 0x20010db800000000ull, 0, 32);
	add_ok(c, &t);
	trule_init(&t, 3, 1, 6, BLOCK, 0, 0, 2);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v6_range(&t.ra[0], 0x20010db800000000ull, 0xfffffffffffffff0ull,
		      0x20010db800000001ull, 0xf);
	add_ok(c, &t);
	trule_init(&t, 4, 2, 4, PERMIT, 0, 0, 0);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(172, 16, 0, 0), 12);
	add_ok(c, &t);
	twice(c, checks_v4_v6);
	classifier_destroy(c);
}

static void checks_ports_proto(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, 1, 7, 2, 999);

	EXPECT(c, &p, 0, PERMIT);
	p.remote_port = 1000;
	EXPECT(c, &p, 1, BLOCK);
	p.remote_port = 2000;
	EXPECT(c, &p, 1, BLOCK);
	p.remote_port = 2001;
	EXPECT(c, &p, 0, PERMIT);
	p.local_port = 0;
	EXPECT(c, &p, 2, PERMIT);
	p.local_port = 65535;
	EXPECT(c, &p, 3, BLOCK);
	p = pkt_v4(1, 17, 1, 7, 2, 7);
	EXPECT(c, &p, 4, BLOCK);
	p.protocol = 0;
	EXPECT(c, &p, 5, PERMIT);
	p.protocol = 5;
	EXPECT(c, &p, 5, PERMIT);
	p.protocol = 255;
	EXPECT(c, &p, 6, BLOCK);
	p.protocol = 254;
	EXPECT(c, &p, 0, PERMIT);
}

static void test_ports_proto(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 1);
	tr_rport(&t, 1000, 2000);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 4, PERMIT, 0, 0, 2);
	tr_lport(&t, 0, 0);
	add_ok(c, &t);
	trule_init(&t, 3, 1, 4, BLOCK, 0, 0, 3);
	tr_lport(&t, 65535, 65535);
	add_ok(c, &t);
	trule_init(&t, 4, 1, 4, BLOCK, 0, 0, 4);
	tr_proto(&t, 17, 17);
	add_ok(c, &t);
	trule_init(&t, 5, 1, 4, PERMIT, 0, 0, 5);
	tr_proto(&t, 0, 5);
	add_ok(c, &t);
	trule_init(&t, 6, 1, 4, BLOCK, 0, 0, 6);
	tr_proto(&t, 255, 255);
	add_ok(c, &t);
	twice(c, checks_ports_proto);
	classifier_destroy(c);
}

/* Masks as ranges; more specific = heavier, like a longest-prefix table. */
static void checks_masks(struct classifier *c)
{
	struct cls_packet p = pkt_v4(1, 6, 1, 1, IP(10, 1, 2, 3), 1);

	EXPECT(c, &p, 32, BLOCK);
	p = pkt_v4(1, 6, 1, 1, IP(10, 1, 2, 4), 1);
	EXPECT(c, &p, 24, PERMIT);
	p = pkt_v4(1, 6, 1, 1, IP(10, 1, 3, 3), 1);
	EXPECT(c, &p, 16, BLOCK);
	p = pkt_v4(1, 6, 1, 1, IP(10, 2, 2, 3), 1);
	EXPECT(c, &p, 8, PERMIT);
	p = pkt_v4(1, 6, 1, 1, IP(11, 1, 2, 3), 1);
	EXPECT(c, &p, 100, BLOCK);
	p = pkt_v4(1, 6, 1, 1, IP(255, 255, 255, 255), 1);
	EXPECT(c, &p, 100, BLOCK);
	p.ip_version = 6;
	put_v6(p.remote_addr, 0xfe80000000000000ull, 0x1234);
	EXPECT(c, &p, 201, PERMIT);
	put_v6(p.remote_addr, 0xfe80000000000000ull, 0x1);
	EXPECT(c, &p, 202, BLOCK);
	put_v6(p.remote_addr, 0xfe80000000000001ull, 0x1);
	EXPECT(c, &p, 200, BLOCK);
}

static void test_masks(void **state)
{
	struct classifier *c = new_classifier();
	static const struct {
		uint64_t id;
		unsigned plen;
		uint32_t action;
	} v4[] = {
		{ 100, 0, BLOCK }, { 8, 8, PERMIT }, { 16, 16, BLOCK },
		{ 24, 24, PERMIT }, { 32, 32, BLOCK },
	};
	struct trule t;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		trule_init(&t, v4[i].id, 1, 4, v4[i].action, 0, 0, v4[i].plen);
		tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
		addr_v4_prefix(&t.ra[0], IP(10, 1, 2, 3), v4[i].plen);
		add_ok(c, &t);
	}
	trule_init(&t, 200, 1, 6, BLOCK, 0, 0, 0);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v6_prefix(&t.ra[0], 0, 0, 0);
	add_ok(c, &t);
	trule_init(&t, 201, 1, 6, PERMIT, 0, 0, 64);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v6_prefix(&t.ra[0], 0xfe80000000000000ull, 0, 64);
	add_ok(c, &t);
	trule_init(&t, 202, 1, 6, BLOCK, 0, 0, 128);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v6_prefix(&t.ra[0], 0xfe80000000000000ull, 1, 128);
	add_ok(c, &t);
	twice(c, checks_masks);
	classifier_destroy(c);
}

static void checks_multi(struct classifier *c)
{
	/* local port 100: outside rule 2 */
	struct cls_packet p = pkt_v4(1, 6, 1, 100, IP(10, 9, 9, 9), 443);

	EXPECT(c, &p, 1, BLOCK);
	p.remote_port = 8040;
	EXPECT(c, &p, 1, BLOCK);
	p.remote_port = 8081;
	EXPECT(c, &p, 0, PERMIT);	/* beyond the last range */
	p.remote_port = 81;
	EXPECT(c, &p, 0, PERMIT);	/* inside the hull 80..8080, in no range */
	p = pkt_v4(1, 6, 1, 100, IP(192, 168, 1, 77), 80);
	EXPECT(c, &p, 1, BLOCK);
	p = pkt_v4(1, 6, 1, 100, IP(192, 168, 2, 77), 80);
	EXPECT(c, &p, 0, PERMIT);	/* address in neither range */
	p = pkt_v4(1, 17, 1, 100, IP(192, 168, 1, 77), 80);
	EXPECT(c, &p, 0, PERMIT);	/* fields are AND'ed */
	p.local_port = 9;
	EXPECT(c, &p, 2, PERMIT);	/* overlapping ranges of one field merge */
	p.local_port = 12;
	EXPECT(c, &p, 2, PERMIT);
	p.local_port = 0;
	EXPECT(c, &p, 2, PERMIT);
	p.local_port = 13;
	EXPECT(c, &p, 0, PERMIT);
}

static void test_multi_ranges(void **state)
{
	struct classifier *c = new_classifier();
	struct trule t;

	trule_init(&t, 1, 1, 4, BLOCK, 0, 0, 1);
	tr_rport(&t, 8000, 8080);
	tr_rport(&t, 80, 80);
	tr_rport(&t, 443, 443);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[0], IP(10, 0, 0, 0), 8);
	tr_raddr(&t, (struct cls_addr){ { 0 }, { 0 } });
	addr_v4_prefix(&t.ra[1], IP(192, 168, 1, 0), 24);
	tr_proto(&t, 6, 6);
	add_ok(c, &t);
	trule_init(&t, 2, 1, 4, PERMIT, 0, 0, 0);
	tr_lport(&t, 9, 11);
	tr_lport(&t, 10, 12);
	tr_lport(&t, 0, 10);
	add_ok(c, &t);
	twice(c, checks_multi);
	classifier_destroy(c);
}

static void test_remove_readd(void **state)
{
	struct classifier *c = new_classifier();
	struct cls_packet p = pkt_v4(1, 6, 1, 1, 2, 80);
	struct classifier_stats st;
	struct trule t;

	for (uint64_t id = 1; id <= 40; id++) {
		trule_init(&t, id, 1, 4, id % 2 ? BLOCK : PERMIT, 0, 0, id);
		tr_rport(&t, 80, 80);
		add_ok(c, &t);
	}
	EXPECT(c, &p, 40, PERMIT);
	assert_int_equal(classifier_remove(c, 40), 0);
	assert_int_equal(classifier_remove(c, 40), -ENOENT);
	EXPECT(c, &p, 39, BLOCK);
	trule_init(&t, 40, 1, 4, BLOCK, 0, 0, 1000);
	tr_rport(&t, 80, 80);
	add_ok(c, &t);
	EXPECT(c, &p, 40, BLOCK);
	assert_int_equal(classifier_build(c), 0);
	EXPECT(c, &p, 40, BLOCK);
	for (uint64_t id = 40; id >= 2; id--)
		assert_int_equal(classifier_remove(c, id), 0);
	EXPECT(c, &p, 1, BLOCK);
	classifier_get_stats(c, &st);
	assert_int_equal(st.rules, 1);
	assert_int_equal(st.classes, 1);
	assert_int_equal(classifier_remove(c, 1), 0);
	EXPECT(c, &p, 0, PERMIT);
	classifier_get_stats(c, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.classes, 0);
	assert_int_equal(st.index_bytes, 0);
	classifier_destroy(c);
}

/* Nested and overlapping ranges under tunings that force deferral to
 * further levels and the scan lists; every value of the domain checked. */
static void test_levels_and_scan(void **state)
{
	static const struct classifier_tuning tunings[] = {
		{ 32, 4, 64, 64 }, { 1, 4, 64, 64 }, { 2, 2, 1, 1 },
		{ 1, 1, 1, 1 }, { 4, 3, 2, 8 },
	};

	for (size_t ti = 0; ti < sizeof(tunings) / sizeof(tunings[0]); ti++) {
		struct classifier *c = new_classifier();
		struct trule t;

		assert_int_equal(classifier_set_tuning(c, &tunings[ti]), 0);
		for (uint32_t i = 0; i < 200; i++) {
			/* a chain [0, i], a staircase [i, i + 7], singletons */
			trule_init(&t, 1 + i, 1, 4, i % 3 ? PERMIT : BLOCK, i % 2, 0, i * 7 % 13);
			if (i % 3 == 0)
				tr_rport(&t, 0, i);
			else if (i % 3 == 1)
				tr_rport(&t, i, i + 7);
			else
				tr_rport(&t, i / 2, i / 2);
			if (i % 5 == 0)
				tr_lport(&t, i % 7, i % 7 + 3);
			add_ok(c, &t);
		}
		for (int pass = 0; pass < 2; pass++) {
			for (uint16_t port = 0; port < 230; port++) {
				struct cls_packet p = pkt_v4(1, 6, 1, port % 11, 2, port);
				struct cls_verdict v, w;

				assert_int_equal(classifier_lookup(c, &p, &v), 0);
				assert_int_equal(classifier_lookup_reference(c, &p, &w), 0);
				if (v.filter_id != w.filter_id || v.action != w.action)
					fail_msg("tuning %zu port %u: fast %llu, reference %llu",
						 ti, port, (unsigned long long)v.filter_id,
						 (unsigned long long)w.filter_id);
			}
			for (uint64_t id = 1 + pass; id <= 200; id += 3)
				assert_int_equal(classifier_remove(c, id), 0);
		}
		classifier_destroy(c);
	}
}

static void test_tuning_and_stats(void **state)
{
	struct classifier *c = new_classifier();
	struct classifier_tuning t, bad;
	struct classifier_stats st;
	struct cls_packet p = pkt_v4(1, 6, 1, 1, 2, 80);
	struct trule r;

	classifier_get_tuning(c, &t);
	assert_int_equal(t.cover_cap, 32);
	assert_int_equal(t.max_levels, 4);
	bad = t;
	bad.max_levels = 5;
	assert_int_equal(classifier_set_tuning(c, &bad), -EINVAL);
	bad = t;
	bad.pending_max = 0;
	assert_int_equal(classifier_set_tuning(c, &bad), -EINVAL);
	t.pending_max = 1;
	assert_int_equal(classifier_set_tuning(c, &t), 0);
	trule_init(&r, 1, 1, 4, BLOCK, 0, 0, 0);
	add_ok(c, &r);
	trule_init(&r, 2, 1, 4, PERMIT, 0, 0, 1);
	tr_rport(&r, 80, 80);
	add_ok(c, &r);		/* overlay of two > 1: stale */
	classifier_get_stats(c, &st);
	assert_int_equal(st.rebuilds, 0);
	EXPECT(c, &p, 2, PERMIT);	/* rebuilt by the lookup */
	classifier_get_stats(c, &st);
	assert_int_equal(st.rebuilds, 1);
	assert_int_equal(st.rules, 2);
	assert_true(st.index_bytes > 0);
	EXPECT(c, &p, 2, PERMIT);
	classifier_get_stats(c, &st);
	assert_int_equal(st.rebuilds, 1);
	classifier_destroy(c);
}

/* Lookups from several threads while the class is stale: one rebuilds
 * under the lock, the others wait or use the result. */
struct thread_arg {
	struct classifier *c;
	int bad;
};

static void *lookup_thread(void *p)
{
	struct thread_arg *a = p;
	uint64_t s = 99;

	for (int i = 0; i < 20000; i++) {
		struct cls_packet pk = pkt_v4(1, 6, rng_below(&s, 64), 0, rng_below(&s, 64),
					      (uint16_t)rng_below(&s, 64));
		struct cls_verdict v, w;

		classifier_lookup(a->c, &pk, &v);
		classifier_lookup_reference(a->c, &pk, &w);
		if (v.filter_id != w.filter_id || v.action != w.action)
			a->bad++;
	}
	return NULL;
}

static void test_concurrent_lookups(void **state)
{
	struct classifier *c = new_classifier();
	struct thread_arg args[4];
	pthread_t th[4];
	uint64_t s = 7;
	struct trule t;

	for (uint64_t id = 1; id <= 2000; id++) {
		trule_init(&t, id, 1, 4, rng_below(&s, 2) ? BLOCK : PERMIT,
			   rng_below(&s, 3), 0, rng_below(&s, 50));
		addr_v4_range(&t.ra[0], rng_below(&s, 32), 32 + rng_below(&s, 32));
		t.r.n_remote_addr = 1;
		tr_rport(&t, rng_below(&s, 32), 32 + rng_below(&s, 32));
		add_ok(c, &t);
	}
	for (int i = 0; i < 4; i++) {
		args[i].c = c;
		args[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	classifier_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_invalid_rules),
		cmocka_unit_test(test_weights_one_sublayer),
		cmocka_unit_test(test_two_sublayers),
		cmocka_unit_test(test_inspection_continues),
		cmocka_unit_test(test_callouts),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_v4_v6),
		cmocka_unit_test(test_ports_proto),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_multi_ranges),
		cmocka_unit_test(test_remove_readd),
		cmocka_unit_test(test_levels_and_scan),
		cmocka_unit_test(test_tuning_and_stats),
		cmocka_unit_test(test_concurrent_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
