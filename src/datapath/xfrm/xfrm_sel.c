/* xfrm_sel.c - a filter's conditions as XFRM selectors.
 *
 * A selector holds one source prefix, one destination prefix, one protocol
 * and one source and destination port under a mask. A filter ORs the
 * conditions on one field and ANDs the fields (as the classifier does), so
 * its traffic is the product of its fields' alternatives: address ranges
 * cut into prefixes, port ranges into masked blocks, protocol ranges into
 * values. The fields and shapes are the classifier's (policy_classify.c):
 * IP_LOCAL/REMOTE_ADDRESS (IP_SOURCE/DESTINATION_ADDRESS at the forward
 * layers), IP_LOCAL/REMOTE_PORT, IP_PROTOCOL, EQUAL or RANGE. A filter with
 * any other condition is one the classifier never matches: not mapped
 * either (XSEL_UNMAPPED). More alternatives than fit make a field "any"
 * and the result XSEL_WIDER: the selectors cover more than the filter.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/xfrm/xfrm_internal.h"

#define FIELD_ALTS 16

enum { F_LADDR, F_RADDR, F_LPORT, F_RPORT, F_PROTO, F_N };

struct alt {
	uint8_t addr[16];	/* addresses: network order; ports/proto: value */
	uint16_t value, mask;	/* ports: under mask; proto: value */
	uint8_t plen;
};

struct field {
	bool any, wide;		/* no condition / too many alternatives */
	unsigned n;
	struct alt a[FIELD_ALTS];
};

static bool guid_is(const GUID *a, const GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static int field_of(const GUID *k)
{
	if (guid_is(k, &FWPM_CONDITION_IP_LOCAL_ADDRESS) ||
	    guid_is(k, &FWPM_CONDITION_IP_SOURCE_ADDRESS))
		return F_LADDR;
	if (guid_is(k, &FWPM_CONDITION_IP_REMOTE_ADDRESS) ||
	    guid_is(k, &FWPM_CONDITION_IP_DESTINATION_ADDRESS))
		return F_RADDR;
	if (guid_is(k, &FWPM_CONDITION_IP_LOCAL_PORT))
		return F_LPORT;
	if (guid_is(k, &FWPM_CONDITION_IP_REMOTE_PORT))
		return F_RPORT;
	if (guid_is(k, &FWPM_CONDITION_IP_PROTOCOL))
		return F_PROTO;
	return -1;
}

static struct alt *alt_next(struct field *f)
{
	if (f->n == FIELD_ALTS) {
		f->wide = true;
		return NULL;
	}
	return memset(&f->a[f->n++], 0, sizeof(f->a[0]));
}

/* ---- addresses ---- */

static bool addr_point(const FWP_VALUE0 *v, unsigned len, uint8_t out[16])
{
	memset(out, 0, 16);
	if (v->type == FWP_UINT32 && len == 4) {
		uint32_t n = htonl(v->uint32);

		memcpy(out, &n, 4);
		return true;
	}
	if (v->type == FWP_BYTE_ARRAY16_TYPE && v->byteArray16 && len == 16) {
		memcpy(out, v->byteArray16->byteArray16, 16);
		return true;
	}
	return false;
}

static bool bit(const uint8_t *a, unsigned i)
{
	return a[i / 8] & (0x80u >> (i % 8));
}

/* a + 1, as a number of bits bits. */
static void inc(uint8_t *a, unsigned bits)
{
	for (int i = (int)bits - 1; i >= 0; i--) {
		a[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
		if (bit(a, (unsigned)i))
			return;
	}
}

/* lo with every bit from plen on set: the last address of lo/plen. */
static void last_of(const uint8_t *lo, unsigned plen, unsigned bits, uint8_t *top)
{
	memcpy(top, lo, 16);
	for (unsigned i = plen; i < bits; i++)
		top[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

/* lo..hi (inclusive) cut into the fewest prefixes, lowest first. */
static void addr_range(struct field *f, const uint8_t *lo_in, const uint8_t *hi, unsigned len)
{
	unsigned bits = len * 8;
	uint8_t lo[16], top[16];

	memcpy(lo, lo_in, 16);
	for (;;) {
		unsigned plen = bits;
		struct alt *a;

		/* The widest block aligned at lo that ends at or below hi. */
		while (plen > 0 && !bit(lo, plen - 1)) {
			last_of(lo, plen - 1, bits, top);
			if (memcmp(top, hi, len) > 0)
				break;
			plen--;
		}
		a = alt_next(f);
		if (!a)
			return;
		memcpy(a->addr, lo, 16);
		a->plen = (uint8_t)plen;
		last_of(lo, plen, bits, top);
		if (!memcmp(top, hi, len))
			return;
		memcpy(lo, top, 16);
		inc(lo, bits);
	}
}

static bool addr_cond(struct field *f, const FWPM_FILTER_CONDITION0 *c, unsigned len)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	uint8_t lo[16], hi[16];
	struct alt *a;

	if (c->matchType == FWP_MATCH_RANGE) {
		if (v->type != FWP_RANGE_TYPE || !v->rangeValue ||
		    !addr_point(&v->rangeValue->valueLow, len, lo) ||
		    !addr_point(&v->rangeValue->valueHigh, len, hi) ||
		    memcmp(lo, hi, len) > 0)
			return false;	/* the classifier refuses it too */
		addr_range(f, lo, hi, len);
		return true;
	}
	if (c->matchType != FWP_MATCH_EQUAL)
		return false;
	if (v->type == FWP_V4_ADDR_MASK && v->v4AddrMask && len == 4) {
		uint32_t m = v->v4AddrMask->mask, n = htonl(v->v4AddrMask->addr & m);

		a = alt_next(f);
		if (a) {
			memcpy(a->addr, &n, 4);
			a->plen = (uint8_t)(m ? 32 - __builtin_ctz(m) : 0);
		}
		return true;
	}
	if (v->type == FWP_V6_ADDR_MASK && v->v6AddrMask && len == 16 &&
	    v->v6AddrMask->prefixLength <= 128) {
		a = alt_next(f);
		if (a) {
			memcpy(a->addr, v->v6AddrMask->addr, 16);
			a->plen = v->v6AddrMask->prefixLength;
		}
		return true;
	}
	if (!addr_point((const FWP_VALUE0 *)v, len, lo))
		return false;
	a = alt_next(f);
	if (a) {
		memcpy(a->addr, lo, 16);
		a->plen = (uint8_t)(len * 8);
	}
	return true;
}

/* ---- ports and protocol ---- */

static bool scalar(const FWP_VALUE0 *v, FWP_DATA_TYPE type, unsigned *out)
{
	if (v->type != type)
		return false;
	*out = type == FWP_UINT8 ? v->uint8 : v->uint16;
	return true;
}

/* lo..hi as masked blocks (ports) or single values (protocol). */
static void num_range(struct field *f, unsigned lo, unsigned hi, bool proto)
{
	while (lo <= hi) {
		unsigned size = 1;
		struct alt *a;

		if (!proto)
			while (size < 0x10000 && !(lo & size) && lo + 2 * size - 1 <= hi)
				size *= 2;
		a = alt_next(f);
		if (!a)
			return;
		a->value = (uint16_t)lo;
		a->mask = (uint16_t)~(size - 1);
		if (lo + size - 1 >= hi)
			return;
		lo += size;
	}
}

static bool num_cond(struct field *f, const FWPM_FILTER_CONDITION0 *c, bool proto)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	FWP_DATA_TYPE t = proto ? FWP_UINT8 : FWP_UINT16;
	unsigned lo, hi;

	if (c->matchType == FWP_MATCH_RANGE) {
		if (v->type != FWP_RANGE_TYPE || !v->rangeValue ||
		    !scalar(&v->rangeValue->valueLow, t, &lo) ||
		    !scalar(&v->rangeValue->valueHigh, t, &hi) || lo > hi)
			return false;
	} else if (c->matchType == FWP_MATCH_EQUAL && scalar((const FWP_VALUE0 *)v, t, &lo)) {
		hi = lo;
	} else {
		return false;
	}
	num_range(f, lo, hi, proto);
	return true;
}

/* ---- the product ---- */

static void put_addr(xfrm_address_t *a, uint8_t *plen, const struct field *f, unsigned i)
{
	memset(a, 0, sizeof(*a));
	*plen = 0;
	if (f->any || f->wide)
		return;
	memcpy(a, f->a[i].addr, 16);
	*plen = f->a[i].plen;
}

static void put_port(__be16 *p, __be16 *m, const struct field *f, unsigned i)
{
	*p = *m = 0;
	if (f->any || f->wide)
		return;
	*p = htons(f->a[i].value & f->a[i].mask);
	*m = htons(f->a[i].mask);
}

static unsigned count(const struct field *f)
{
	return f->any || f->wide ? 1 : f->n;
}

static void product(struct field *fl, uint8_t dir, int version, struct xsel_set *out)
{
	bool out_dir = dir != XFRM_POLICY_IN;
	unsigned idx[F_N] = { 0 };

	out->n = 0;
	for (;;) {
		struct xfrm_selector *s = &out->sel[out->n++];
		int k;

		memset(s, 0, sizeof(*s));
		s->family = version == 4 ? AF_INET : AF_INET6;
		put_addr(out_dir ? &s->saddr : &s->daddr, out_dir ? &s->prefixlen_s : &s->prefixlen_d,
			 &fl[F_LADDR], idx[F_LADDR]);
		put_addr(out_dir ? &s->daddr : &s->saddr, out_dir ? &s->prefixlen_d : &s->prefixlen_s,
			 &fl[F_RADDR], idx[F_RADDR]);
		put_port(out_dir ? &s->sport : &s->dport, out_dir ? &s->sport_mask : &s->dport_mask,
			 &fl[F_LPORT], idx[F_LPORT]);
		put_port(out_dir ? &s->dport : &s->sport, out_dir ? &s->dport_mask : &s->sport_mask,
			 &fl[F_RPORT], idx[F_RPORT]);
		if (!fl[F_PROTO].any && !fl[F_PROTO].wide)
			s->proto = (uint8_t)fl[F_PROTO].a[idx[F_PROTO]].value;
		for (k = 0; k < F_N; k++) {
			if (++idx[k] < count(&fl[k]))
				break;
			idx[k] = 0;
		}
		if (k == F_N)
			return;
	}
}

int xsel_expand(const FWPM_FILTER0 *f, uint8_t dir, int version, struct xsel_set *out)
{
	static const int widen_order[] = { F_LPORT, F_RPORT, F_PROTO, F_LADDR, F_RADDR };
	struct field fl[F_N];
	unsigned len = version == 4 ? 4 : 16, total;
	int rc = 0;

	memset(fl, 0, sizeof(fl));
	for (int k = 0; k < F_N; k++)
		fl[k].any = true;
	for (UINT32 i = 0; i < f->numFilterConditions; i++) {
		const FWPM_FILTER_CONDITION0 *c = &f->filterCondition[i];
		int k = field_of(&c->fieldKey);
		bool ok;

		if (k < 0)
			return XSEL_UNMAPPED;
		fl[k].any = false;
		ok = k <= F_RADDR ? addr_cond(&fl[k], c, len) : num_cond(&fl[k], c, k == F_PROTO);
		if (!ok)
			return XSEL_UNMAPPED;
	}
	for (int k = 0; k < F_N; k++)
		if (fl[k].wide)
			rc = XSEL_WIDER;
	out->has_remote = !fl[F_RADDR].any && !fl[F_RADDR].wide;
	/* Too many selectors: fields become "any", ports first. */
	for (unsigned w = 0;; w++) {
		total = 1;
		for (int k = 0; k < F_N; k++)
			total *= count(&fl[k]);
		if (total <= XSEL_MAX || w == 5)
			break;
		fl[widen_order[w]].wide = true;
		rc = XSEL_WIDER;
	}
	out->has_remote = out->has_remote && !fl[F_RADDR].wide;
	product(fl, dir, version, out);
	return rc;
}

/* ---- overlap ---- */

static bool pfx_overlap(const xfrm_address_t *a, uint8_t la, const xfrm_address_t *b, uint8_t lb)
{
	unsigned n = la < lb ? la : lb;
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;

	for (unsigned i = 0; i < n; i++)
		if (bit(x, i) != bit(y, i))
			return false;
	return true;
}

static bool port_overlap(__be16 p, __be16 m, __be16 q, __be16 n)
{
	return !((p ^ q) & m & n);
}

bool xsel_overlap(const struct xfrm_selector *a, const struct xfrm_selector *b)
{
	return a->family == b->family &&
	       (!a->proto || !b->proto || a->proto == b->proto) &&
	       pfx_overlap(&a->saddr, a->prefixlen_s, &b->saddr, b->prefixlen_s) &&
	       pfx_overlap(&a->daddr, a->prefixlen_d, &b->daddr, b->prefixlen_d) &&
	       port_overlap(a->sport, a->sport_mask, b->sport, b->sport_mask) &&
	       port_overlap(a->dport, a->dport_mask, b->dport, b->dport_mask);
}

/* The common traffic of two overlapping selectors. */
void xsel_intersect(const struct xfrm_selector *a, const struct xfrm_selector *b,
		    struct xfrm_selector *out)
{
	*out = *a;
	if (b->prefixlen_s > a->prefixlen_s) {
		out->saddr = b->saddr;
		out->prefixlen_s = b->prefixlen_s;
	}
	if (b->prefixlen_d > a->prefixlen_d) {
		out->daddr = b->daddr;
		out->prefixlen_d = b->prefixlen_d;
	}
	if (!out->proto)
		out->proto = b->proto;
	out->sport = (a->sport & a->sport_mask) | (b->sport & b->sport_mask);
	out->sport_mask = a->sport_mask | b->sport_mask;
	out->dport = (a->dport & a->dport_mask) | (b->dport & b->dport_mask);
	out->dport_mask = a->dport_mask | b->dport_mask;
}
