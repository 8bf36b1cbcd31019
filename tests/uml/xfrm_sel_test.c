/* xfrm_sel_test.c - a filter's conditions as XFRM selectors
 * (src/datapath/xfrm/xfrm_sel.c), on the build host: no kernel needed.
 * Port and address ranges are checked value by value against the
 * selectors they became (exactly the range, nothing more), products of
 * several fields, the widening past the limits, the refusal of conditions
 * the classifier does not evaluate, and overlap and intersection. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/xfrm/xfrm_internal.h"

static int failures;

#define CHECK(c, ...) do { if (!(c)) { printf("FAIL: " __VA_ARGS__); printf("\n"); \
	failures++; } } while (0)

struct filt {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[40];
	FWP_RANGE0 r[40];
	FWP_V4_ADDR_AND_MASK m[40];
};

static void init(struct filt *p)
{
	memset(p, 0, sizeof(*p));
	p->f.filterCondition = p->c;
}

static FWPM_FILTER_CONDITION0 *cond(struct filt *p, const GUID *field, FWP_MATCH_TYPE m)
{
	FWPM_FILTER_CONDITION0 *c = &p->c[p->f.numFilterConditions++];

	c->fieldKey = *field;
	c->matchType = m;
	return c;
}

static void port_range(struct filt *p, const GUID *field, unsigned lo, unsigned hi)
{
	FWPM_FILTER_CONDITION0 *c = cond(p, field, FWP_MATCH_RANGE);
	FWP_RANGE0 *r = &p->r[p->f.numFilterConditions];

	r->valueLow.type = r->valueHigh.type = FWP_UINT16;
	r->valueLow.uint16 = (UINT16)lo;
	r->valueHigh.uint16 = (UINT16)hi;
	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = r;
}

static void addr_range(struct filt *p, const GUID *field, uint32_t lo, uint32_t hi)
{
	FWPM_FILTER_CONDITION0 *c = cond(p, field, FWP_MATCH_RANGE);
	FWP_RANGE0 *r = &p->r[p->f.numFilterConditions];

	r->valueLow.type = r->valueHigh.type = FWP_UINT32;
	r->valueLow.uint32 = lo;
	r->valueHigh.uint32 = hi;
	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = r;
}

static void prefix(struct filt *p, const GUID *field, uint32_t addr, unsigned plen)
{
	FWPM_FILTER_CONDITION0 *c = cond(p, field, FWP_MATCH_EQUAL);
	FWP_V4_ADDR_AND_MASK *m = &p->m[p->f.numFilterConditions];

	m->addr = addr;
	m->mask = plen ? ~0u << (32 - plen) : 0;
	c->conditionValue.type = FWP_V4_ADDR_MASK;
	c->conditionValue.v4AddrMask = m;
}

static void u8(struct filt *p, const GUID *field, UINT8 v)
{
	FWPM_FILTER_CONDITION0 *c = cond(p, field, FWP_MATCH_EQUAL);

	c->conditionValue.type = FWP_UINT8;
	c->conditionValue.uint8 = v;
}

static void u16(struct filt *p, const GUID *field, UINT16 v)
{
	FWPM_FILTER_CONDITION0 *c = cond(p, field, FWP_MATCH_EQUAL);

	c->conditionValue.type = FWP_UINT16;
	c->conditionValue.uint16 = v;
}

static bool port_in(const struct xsel_set *s, unsigned port)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!((htons((uint16_t)port) ^ s->sel[i].dport) & s->sel[i].dport_mask))
			return true;
	return false;
}

static bool addr_in(const struct xsel_set *s, uint32_t a)
{
	for (unsigned i = 0; i < s->n; i++) {
		unsigned l = s->sel[i].prefixlen_d;
		uint32_t m = l ? ~0u << (32 - l) : 0;

		if (((ntohl(s->sel[i].daddr.a4) ^ a) & m) == 0)
			return true;
	}
	return false;
}

static void ports(unsigned lo, unsigned hi)
{
	struct filt p;
	struct xsel_set s;
	int rc;

	init(&p);
	port_range(&p, &FWPM_CONDITION_IP_REMOTE_PORT, lo, hi);
	rc = xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s);
	if (rc == XSEL_WIDER) {
		CHECK(s.n == 1 && !s.sel[0].dport_mask, "ports %u-%u: widened but not any", lo, hi);
		return;
	}
	CHECK(rc == 0, "ports %u-%u: %d", lo, hi, rc);
	for (unsigned v = 0; v < 65536; v++)
		if (port_in(&s, v) != (v >= lo && v <= hi)) {
			CHECK(0, "ports %u-%u: %u %s", lo, hi, v, port_in(&s, v) ? "in" : "out");
			return;
		}
}

static void addrs(uint32_t lo, uint32_t hi)
{
	struct filt p;
	struct xsel_set s;
	int rc;

	init(&p);
	addr_range(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, lo, hi);
	rc = xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s);
	if (rc == XSEL_WIDER) {	/* more than 16 prefixes */
		CHECK(s.n == 1 && !s.sel[0].prefixlen_d && !s.has_remote,
		      "addresses %08x-%08x: widened but not any", lo, hi);
		return;
	}
	CHECK(rc == 0 && s.has_remote, "addresses %08x-%08x: %d", lo, hi, rc);
	for (uint32_t a = lo - 300; a <= hi + 300; a++)
		if (addr_in(&s, a) != (a >= lo && a <= hi)) {
			CHECK(0, "addresses %08x-%08x: %08x", lo, hi, a);
			return;
		}
}

int main(void)
{
	struct filt p;
	struct xsel_set s;
	int rc;

	srand(12);
	ports(1000, 1005);
	ports(0, 65535);
	ports(1, 65534);
	ports(5, 5);
	for (int i = 0; i < 300; i++) {
		unsigned a = (unsigned)rand() % 65536, b = (unsigned)rand() % 65536;

		ports(a < b ? a : b, a < b ? b : a);
	}
	addrs(0x0a000000, 0x0a0000ff);
	addrs(0x0a000001, 0x0a000106);
	for (int i = 0; i < 300; i++) {
		uint32_t a = 0x0a000000 + (uint32_t)(rand() % 4096), b = a + (uint32_t)(rand() % 600);

		addrs(a, b);
	}

	/* 1000-1005 is two blocks, the ports the local ones inbound. */
	init(&p);
	port_range(&p, &FWPM_CONDITION_IP_REMOTE_PORT, 1000, 1005);
	rc = xsel_expand(&p.f, XFRM_POLICY_IN, 4, &s);
	CHECK(rc == 0 && s.n == 2 && ntohs(s.sel[0].sport) == 1000 &&
	      ntohs(s.sel[0].sport_mask) == 0xfffc && ntohs(s.sel[1].sport) == 1004 &&
	      ntohs(s.sel[1].sport_mask) == 0xfffe && !s.sel[0].dport_mask,
	      "inbound remote ports 1000-1005: rc %d, %u selectors", rc, s.n);

	/* A product: 2 local prefixes x 3 remote x 2 protocols. */
	init(&p);
	prefix(&p, &FWPM_CONDITION_IP_LOCAL_ADDRESS, 0xc0000200, 24);
	prefix(&p, &FWPM_CONDITION_IP_LOCAL_ADDRESS, 0xc0000300, 24);
	for (unsigned i = 0; i < 3; i++)
		prefix(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, 0x0a000000 + (i << 8), 24);
	u8(&p, &FWPM_CONDITION_IP_PROTOCOL, IPPROTO_UDP);
	u8(&p, &FWPM_CONDITION_IP_PROTOCOL, IPPROTO_TCP);
	rc = xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s);
	CHECK(rc == 0 && s.n == 12, "product: rc %d, %u selectors, not 12", rc, s.n);
	for (unsigned i = 0; i < s.n; i++)
		CHECK(s.sel[i].prefixlen_s == 24 && s.sel[i].prefixlen_d == 24 && s.sel[i].proto &&
		      s.sel[i].family == AF_INET, "product: selector %u", i);

	/* 17 alternatives on a field: that field becomes any. */
	init(&p);
	prefix(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, 0x0a000000, 8);
	for (unsigned i = 0; i < 17; i++)
		u16(&p, &FWPM_CONDITION_IP_REMOTE_PORT, (UINT16)(100 + 2 * i));
	rc = xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s);
	CHECK(rc == XSEL_WIDER && s.n == 1 && !s.sel[0].dport_mask && s.has_remote,
	      "17 ports: rc %d, %u selectors", rc, s.n);

	/* More than 64 selectors: ports go first. */
	init(&p);
	for (unsigned i = 0; i < 8; i++)
		prefix(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, 0x0a000000 + (i << 8), 24);
	for (unsigned i = 0; i < 9; i++)
		u16(&p, &FWPM_CONDITION_IP_REMOTE_PORT, (UINT16)(100 + 2 * i));
	rc = xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s);
	CHECK(rc == XSEL_WIDER && s.n == 8 && !s.sel[0].dport_mask,
	      "8 x 9: rc %d, %u selectors", rc, s.n);

	/* A condition the classifier does not evaluate. */
	init(&p);
	u16(&p, &FWPM_CONDITION_IP_LOCAL_INTERFACE, 1);
	CHECK(xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s) == XSEL_UNMAPPED, "interface: mapped");
	init(&p);
	cond(&p, &FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_NOT_EQUAL)->conditionValue.type =
		FWP_UINT16;
	CHECK(xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s) == XSEL_UNMAPPED, "NOT_EQUAL: mapped");

	init(&p);
	addr_range(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, 0x0a000002, 0x0a000001);
	CHECK(xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s) == XSEL_UNMAPPED,
	      "an address range upside down: mapped");
	init(&p);
	port_range(&p, &FWPM_CONDITION_IP_REMOTE_PORT, 7, 6);
	CHECK(xsel_expand(&p.f, XFRM_POLICY_OUT, 4, &s) == XSEL_UNMAPPED,
	      "a port range upside down: mapped");

	/* Overlap and intersection. */
	{
		struct xfrm_selector a, b, i;

		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		a.daddr.a4 = htonl(0x0a090000);
		a.prefixlen_d = 16;
		a.proto = IPPROTO_UDP;
		a.dport = htons(1000);
		a.dport_mask = htons(0xfffc);
		b = a;
		b.daddr.a4 = htonl(0x0a090200);
		b.prefixlen_d = 24;
		b.proto = 0;
		b.dport = b.dport_mask = 0;
		CHECK(xsel_overlap(&a, &b), "10.9/16 udp 1000/0xfffc and 10.9.2/24 do not overlap");
		xsel_intersect(&a, &b, &i);
		CHECK(i.prefixlen_d == 24 && i.daddr.a4 == htonl(0x0a090200) &&
		      i.proto == IPPROTO_UDP && i.dport_mask == htons(0xfffc), "intersection");
		b.proto = IPPROTO_TCP;
		CHECK(!xsel_overlap(&a, &b), "udp and tcp overlap");
		b.proto = 0;
		b.daddr.a4 = htonl(0x0a0a0000);
		CHECK(!xsel_overlap(&a, &b), "10.9/16 and 10.10.0/24 overlap");
		b.daddr.a4 = htonl(0x0a090000);
		b.dport = htons(1004);
		b.dport_mask = htons(0xffff);
		CHECK(!xsel_overlap(&a, &b), "ports 1000-1003 and 1004 overlap");
	}
	if (!failures)
		printf("ok: selectors\n");
	return failures ? 1 : 0;
}
