/* test_guard.c - the guard's nftables table, in a private namespace
 * (root): counted prefixes against what the kernel set holds (nested
 * prefixes leave and re-enter it), a table left by a run that died adopted
 * with its prefixes held, a leftover it cannot read refused with the
 * table untouched, table names one to one with TUN names; classes
 * (protocol and port ranges) in the class sets, inside a prefix entry or
 * not, adopted with their ranges; a filter's conditions as classes
 * (dp_guard.c: alternatives, ranges, shapes widened to any, ICMP). What
 * the kernel holds is read back through libnftables' listing. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <nftables/libnftables.h>

#include "datapath/dp_internal.h"
#include "engine/backend.h"
#include "datapath/guard.h"
#include "nstest.h"

static struct nft_ctx *nft;

/* The elements of one set of table fwpd_<tun>, as nft prints them. */
static const char *elements(const char *tun, const char *set)
{
	static char buf[4096];
	char cmd[128];
	const char *p, *e;

	snprintf(cmd, sizeof(cmd), "list set inet fwpd_%s %s", tun, set);
	if (nft_run_cmd_from_buffer(nft, cmd))
		return "(no set)";
	p = strstr(nft_ctx_get_output_buffer(nft), "elements = { ");
	if (!p)
		return "";
	p += 13;
	e = strstr(p, " }");
	snprintf(buf, sizeof(buf), "%.*s", e ? (int)(e - p) : 0, p);
	return buf;
}

static void prefix(const char *text, int *family, uint8_t addr[16], unsigned *plen)
{
	memset(addr, 0, 16);
	*family = nstest_parse(text, addr, plen);
	assert_true(*family == AF_INET || *family == AF_INET6);
}

static int add(struct guard *g, enum guard_dir d, const char *text)
{
	uint8_t a[16];
	unsigned plen;
	int fam;

	prefix(text, &fam, a, &plen);
	return guard_add(g, d, fam, a, plen);
}

static void del(struct guard *g, enum guard_dir d, const char *text)
{
	uint8_t a[16];
	unsigned plen;
	int fam;

	prefix(text, &fam, a, &plen);
	guard_del(g, d, fam, a, plen);
}

/* PREFIX PROTO-PROTO LPORT-LPORT RPORT-RPORT */
static struct guard_sel sel(const char *text, unsigned p0, unsigned p1, unsigned l0,
			    unsigned l1, unsigned r0, unsigned r1)
{
	struct guard_sel s;
	uint8_t a[16];
	unsigned plen;
	int fam;

	prefix(text, &fam, a, &plen);
	guard_sel_prefix(&s, fam, a, plen);
	s.proto[0] = (uint8_t)p0;
	s.proto[1] = (uint8_t)p1;
	s.lport[0] = (uint16_t)l0;
	s.lport[1] = (uint16_t)l1;
	s.rport[0] = (uint16_t)r0;
	s.rport[1] = (uint16_t)r1;
	return s;
}

static const struct guard_config cfg0 = {
	.tun = "gt0", .natt_port = 4500, .group = 18100, .own_mark = 0x4650,
	.reroute_mark = 0x4651 };

static void test_nested(void **state)
{
	struct guard g;
	const char *why;

	(void)state;
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(g.held, 0);
	assert_int_equal(add(&g, GUARD_OUT, "10.0.0.0/8"), 0);
	assert_int_equal(add(&g, GUARD_OUT, "10.1.0.0/16"), 0);
	assert_string_equal(elements("gt0", "out4"), "10.0.0.0/8");
	/* The wider one goes: the narrower one enters, in one transaction. */
	del(&g, GUARD_OUT, "10.0.0.0/8");
	assert_string_equal(elements("gt0", "out4"), "10.1.0.0/16");
	/* Counted: a second user keeps it. */
	assert_int_equal(add(&g, GUARD_OUT, "10.1.0.0/16"), 0);
	del(&g, GUARD_OUT, "10.1.0.0/16");
	assert_string_equal(elements("gt0", "out4"), "10.1.0.0/16");
	/* A wider one arrives: it replaces what it contains. */
	assert_int_equal(add(&g, GUARD_OUT, "10.0.0.0/8"), 0);
	assert_string_equal(elements("gt0", "out4"), "10.0.0.0/8");
	del(&g, GUARD_OUT, "10.1.0.0/16");
	del(&g, GUARD_OUT, "10.0.0.0/8");
	assert_string_equal(elements("gt0", "out4"), "");
	/* Host bits are cleared; IPv6 and /0 alike. */
	assert_int_equal(add(&g, GUARD_IN, "2001:db8::5/32"), 0);
	assert_string_equal(elements("gt0", "in6"), "2001:db8::/32");
	assert_int_equal(add(&g, GUARD_IN, "::/0"), 0);
	assert_string_equal(elements("gt0", "in6"), "::/0");
	del(&g, GUARD_IN, "::/0");
	assert_string_equal(elements("gt0", "in6"), "2001:db8::/32");
	guard_close(&g, false);
	assert_string_equal(elements("gt0", "in6"), "(no set)");
}

static void test_adopt(void **state)
{
	struct guard g;
	const char *why;

	(void)state;
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(add(&g, GUARD_IN, "192.0.2.0/24"), 0);
	assert_int_equal(add(&g, GUARD_OUT, "192.0.2.7/32"), 0);
	assert_int_equal(add(&g, GUARD_OUT, "2001:db8:1::/48"), 0);
	guard_close(&g, true);		/* the process died */
	assert_string_equal(elements("gt0", "out4"), "192.0.2.7");

	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(g.held, 3);
	assert_string_equal(elements("gt0", "in4"), "192.0.2.0/24");
	assert_string_equal(elements("gt0", "out4"), "192.0.2.7");
	assert_string_equal(elements("gt0", "out6"), "2001:db8:1::/48");
	/* Protected again by the successor, then released: it stays. */
	assert_int_equal(add(&g, GUARD_OUT, "192.0.2.7/32"), 0);
	guard_release_held(&g);
	assert_int_equal(g.held, 0);
	assert_string_equal(elements("gt0", "out4"), "192.0.2.7");
	assert_string_equal(elements("gt0", "in4"), "");
	assert_string_equal(elements("gt0", "out6"), "");
	del(&g, GUARD_OUT, "192.0.2.7/32");
	assert_string_equal(elements("gt0", "out4"), "");
	guard_close(&g, false);
}

static void test_unreadable(void **state)
{
	struct guard g;
	const char *why;

	(void)state;
	assert_int_equal(nft_run_cmd_from_buffer(nft,
		"add table inet fwpd_gt0\n"
		"add set inet fwpd_gt0 out4 { type ipv4_addr; flags interval; }\n"
		"add element inet fwpd_gt0 out4 { 10.0.0.1-10.0.0.5 }\n"), 0);
	assert_int_equal(guard_open(&g, &cfg0, &why), -EPROTO);
	assert_non_null(strstr(why, "cannot read"));
	assert_string_equal(elements("gt0", "out4"), "10.0.0.1-10.0.0.5");
	assert_int_equal(nft_run_cmd_from_buffer(nft, "delete table inet fwpd_gt0"), 0);
}

/* Many prefixes, in one set only: each adopted once, into its own set. */
static void test_adopt_many(void **state)
{
	char text[32];
	struct guard g;
	const char *why;

	(void)state;
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "10.%d.%d.0/24", i / 256, i % 256);
		assert_int_equal(add(&g, GUARD_OUT, text), 0);
	}
	guard_close(&g, true);
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(g.held, 300);
	assert_int_equal(g.set[GUARD_OUT].n, 300);
	assert_int_equal(g.set[GUARD_IN].n, 0);
	assert_string_equal(elements("gt0", "in4"), "");
	guard_close(&g, false);
}

static void test_names(void **state)
{
	struct guard_config c = cfg0;
	struct guard a, b;
	const char *why;

	(void)state;
	c.tun = "a-b";
	assert_int_equal(guard_open(&a, &c, &why), 0);
	assert_string_equal(a.table, "fwpd_a_2db");
	c.tun = "a_b";
	c.group = 18101;
	assert_int_equal(guard_open(&b, &c, &why), 0);
	assert_string_equal(b.table, "fwpd_a_5fb");
	guard_close(&a, false);
	guard_close(&b, false);
}

static void test_classes(void **state)
{
	struct guard_sel sip = sel("192.0.2.1/32", 17, 17, 5062, 5062, 0, 65535);
	struct guard_sel tcp = sel("192.0.2.1/32", 6, 6, 5063, 5063, 6000, 6100);
	struct guard_sel v6 = sel("2001:db8::1/128", 17, 17, 5062, 5062, 5064, 5064);
	struct guard_sel icmp = sel("192.0.2.1/32", 1, 1, 0, 65535, 0, 65535);
	struct guard_sel bad = sel("192.0.2.1/32", 17, 6, 0, 65535, 0, 65535);
	struct guard g;
	const char *why;

	(void)state;
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(guard_add_sel(&g, GUARD_IN, &sip), 0);
	assert_int_equal(guard_add_sel(&g, GUARD_IN, &tcp), 0);
	assert_int_equal(guard_add_sel(&g, GUARD_OUT, &v6), 0);
	assert_int_equal(guard_add_sel(&g, GUARD_IN, &icmp), 0);
	assert_int_equal(guard_add_sel(&g, GUARD_IN, &bad), -EINVAL);
	assert_string_equal(elements("gt0", "in4"), "");
	assert_string_equal(elements("gt0", "in4p"),
		"192.0.2.1 . 17 . 5062 . 0-65535,\n\t\t\t     "
		"192.0.2.1 . 6 . 5063 . 6000-6100,\n\t\t\t     "
		"192.0.2.1 . 1 . 0-65535 . 0-65535");
	assert_string_equal(elements("gt0", "out6p"), "2001:db8::1 . 17 . 5062 . 5064");
	/* The whole prefix arrives: the classes inside it leave the kernel and
	 * come back when it goes. */
	assert_int_equal(add(&g, GUARD_IN, "192.0.2.0/24"), 0);
	assert_string_equal(elements("gt0", "in4p"), "");
	assert_string_equal(elements("gt0", "in4"), "192.0.2.0/24");
	del(&g, GUARD_IN, "192.0.2.0/24");
	assert_string_equal(elements("gt0", "in4"), "");
	assert_non_null(strstr(elements("gt0", "in4p"), "192.0.2.1 . 6 . 5063 . 6000-6100"));
	guard_del_sel(&g, GUARD_IN, &icmp);
	/* Dead: adopted with the ranges kept, released when asked. */
	guard_close(&g, true);
	assert_int_equal(guard_open(&g, &cfg0, &why), 0);
	assert_int_equal(g.held, 3);
	assert_string_equal(elements("gt0", "in4p"),
		"192.0.2.1 . 17 . 5062 . 0-65535,\n\t\t\t     "
		"192.0.2.1 . 6 . 5063 . 6000-6100");
	assert_string_equal(elements("gt0", "out6p"), "2001:db8::1 . 17 . 5062 . 5064");
	assert_int_equal(guard_add_sel(&g, GUARD_IN, &sip), 0);
	guard_release_held(&g);
	assert_string_equal(elements("gt0", "in4p"), "192.0.2.1 . 17 . 5062 . 0-65535");
	assert_string_equal(elements("gt0", "out6p"), "");
	guard_del_sel(&g, GUARD_IN, &sip);
	assert_string_equal(elements("gt0", "in4p"), "");
	guard_close(&g, false);
}

static FWPM_FILTER_CONDITION0 cond(const GUID *field, FWP_MATCH_TYPE m, FWP_DATA_TYPE t,
				   unsigned v)
{
	FWPM_FILTER_CONDITION0 c;

	memset(&c, 0, sizeof(c));
	c.fieldKey = *field;
	c.matchType = m;
	c.conditionValue.type = t;
	if (t == FWP_UINT8)
		c.conditionValue.uint8 = (UINT8)v;
	else if (t == FWP_UINT16)
		c.conditionValue.uint16 = (UINT16)v;
	else
		c.conditionValue.uint32 = v;
	return c;
}

/* A filter's guard classes: remote prefixes times its protocol and port
 * alternatives; what the guard does not follow widens to any. */
static void test_filter_classes(void **state)
{
	FWP_RANGE0 range = { .valueLow = { .type = FWP_UINT16, .uint16 = 5060 },
			     .valueHigh = { .type = FWP_UINT16, .uint16 = 5070 } };
	FWP_V4_ADDR_AND_MASK net = { .addr = 0xc6336400, .mask = 0xffffff00 };
	FWPM_FILTER_CONDITION0 c[5];
	FWPM_FILTER0 f;
	struct dp *dp = calloc(1, sizeof(*dp));
	const char *why, *e;

	(void)state;
	assert_non_null(dp);
	assert_int_equal(guard_open(&dp->guard, &cfg0, &why), 0);
	dp->guarded = true;
	/* The engine's prefix walk, as its host table gives it to a backend. */
	dp->host = engine_host(NULL);
	memset(&f, 0, sizeof(f));
	f.filterCondition = c;
	/* 192.0.2.1, UDP or TCP, local ports 5060-5070, remote port != 80. */
	c[0] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32, 0xc0000201);
	c[1] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8, 17);
	c[2] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8, 6);
	c[3] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_RANGE, FWP_RANGE_TYPE, 0);
	c[3].conditionValue.rangeValue = &range;
	c[4] = cond(&FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_NOT_EQUAL, FWP_UINT16, 80);
	f.numFilterConditions = 5;
	assert_int_equal(dp_guard_filter(dp, &f, GUARD_IN, true), 0);
	e = elements("gt0", "in4p");
	assert_non_null(strstr(e, "192.0.2.1 . 17 . 5060-5070 . 0-65535"));
	assert_non_null(strstr(e, "192.0.2.1 . 6 . 5060-5070 . 0-65535"));
	assert_string_equal(elements("gt0", "in4"), "");
	/* ICMP: the ports are type and code in WFP: every port. */
	c[1] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8, 1);
	c[2] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT16, 8);
	f.numFilterConditions = 3;
	assert_int_equal(dp_guard_filter(dp, &f, GUARD_OUT, true), 0);
	assert_string_equal(elements("gt0", "out4p"), "192.0.2.1 . 1 . 0-65535 . 0-65535");
	/* No protocol or port condition: the whole prefix. */
	c[0].conditionValue.type = FWP_V4_ADDR_MASK;
	c[0].conditionValue.v4AddrMask = &net;
	f.numFilterConditions = 1;
	assert_int_equal(dp_guard_filter(dp, &f, GUARD_OUT, true), 0);
	assert_string_equal(elements("gt0", "out4"), "198.51.100.0/24");
	dp_guard_filter(dp, &f, GUARD_OUT, false);
	assert_string_equal(elements("gt0", "out4"), "");
	assert_int_equal(dp->guard.set[GUARD_IN].n, 2);
	assert_int_equal(dp->guard.set[GUARD_OUT].n, 1);
	guard_close(&dp->guard, false);
	free(dp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_adopt_many),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_filter_classes),
	};
	int rc;

	nstest_enter_private("datapath.io.guard", 0);
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_NUMERIC_PROTO);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nft_ctx_free(nft);
	return rc;
}
