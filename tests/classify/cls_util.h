/* cls_util.h - rule and packet builders shared by the classifier tests and
 * the classifier benchmark. Header-only (static inline).
 *
 * A struct trule carries its own condition arrays; call trule_rule() to get
 * a cls_rule pointing at them (after any copy of the trule).
 */
#ifndef FWP_TESTS_CLS_UTIL_H
#define FWP_TESTS_CLS_UTIL_H

#include <stdint.h>
#include <string.h>

#include "policy/classify.h"

#define TR_MAX 4	/* ranges per field */

struct trule {
	struct cls_rule r;
	struct cls_addr la[TR_MAX], ra[TR_MAX];
	struct cls_range32 lp[TR_MAX], rp[TR_MAX], pr[TR_MAX];
};

static inline const struct cls_rule *trule_rule(struct trule *t)
{
	t->r.local_addr = t->r.n_local_addr ? t->la : NULL;
	t->r.remote_addr = t->r.n_remote_addr ? t->ra : NULL;
	t->r.local_port = t->r.n_local_port ? t->lp : NULL;
	t->r.remote_port = t->r.n_remote_port ? t->rp : NULL;
	t->r.protocol = t->r.n_protocol ? t->pr : NULL;
	return &t->r;
}

static inline void trule_init(struct trule *t, uint64_t id, uint16_t layer,
			      uint8_t ipv, uint32_t action, uint32_t sublayer,
			      uint16_t sublayer_weight, uint64_t weight)
{
	memset(t, 0, sizeof(*t));
	t->r.filter_id = id;
	t->r.layer = layer;
	t->r.ip_version = ipv;
	t->r.action = action;
	t->r.sublayer_index = sublayer;
	t->r.sublayer_weight = sublayer_weight;
	t->r.weight = weight;
}

static inline void put_v4(uint8_t out[16], uint32_t a)
{
	memset(out, 0, 16);
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

/* v6 from two 64-bit halves (host numbers, written big-endian). */
static inline void put_v6(uint8_t out[16], uint64_t hi, uint64_t lo)
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

static inline void addr_v4_range(struct cls_addr *a, uint32_t lo, uint32_t hi)
{
	put_v4(a->lo, lo);
	put_v4(a->hi, hi);
}

/* A v4 address and mask (prefix length) as a range. */
static inline void addr_v4_prefix(struct cls_addr *a, uint32_t addr, unsigned plen)
{
	uint32_t mask = plen ? ~(uint32_t)0 << (32 - plen) : 0;

	addr_v4_range(a, addr & mask, (addr & mask) | ~mask);
}

static inline void addr_v6_range(struct cls_addr *a, uint64_t lohi, uint64_t lolo,
				 uint64_t hihi, uint64_t hilo)
{
	put_v6(a->lo, lohi, lolo);
	put_v6(a->hi, hihi, hilo);
}

/* v6 prefix of length plen (<= 128) around (hi, lo). */
static inline void addr_v6_prefix(struct cls_addr *a, uint64_t hi, uint64_t lo,
				  unsigned plen)
{
	uint64_t mh = plen >= 64 ? ~0ull : plen ? ~0ull << (64 - plen) : 0;
	uint64_t ml = plen >= 128 ? ~0ull : plen > 64 ? ~0ull << (128 - plen) : 0;

	addr_v6_range(a, hi & mh, lo & ml, (hi & mh) | ~mh, (lo & ml) | ~ml);
}

static inline void tr_raddr(struct trule *t, struct cls_addr a)
{
	t->ra[t->r.n_remote_addr++] = a;
}

static inline void tr_laddr(struct trule *t, struct cls_addr a)
{
	t->la[t->r.n_local_addr++] = a;
}

static inline void tr_rport(struct trule *t, uint32_t lo, uint32_t hi)
{
	t->rp[t->r.n_remote_port++] = (struct cls_range32){ lo, hi };
}

static inline void tr_lport(struct trule *t, uint32_t lo, uint32_t hi)
{
	t->lp[t->r.n_local_port++] = (struct cls_range32){ lo, hi };
}

static inline void tr_proto(struct trule *t, uint32_t lo, uint32_t hi)
{
	t->pr[t->r.n_protocol++] = (struct cls_range32){ lo, hi };
}

static inline struct cls_packet pkt_v4(uint16_t layer, uint8_t proto, uint32_t la,
				       uint16_t lport, uint32_t ra, uint16_t rport)
{
	struct cls_packet p;

	memset(&p, 0, sizeof(p));
	p.layer = layer;
	p.ip_version = 4;
	p.protocol = proto;
	p.local_port = lport;
	p.remote_port = rport;
	put_v4(p.local_addr, la);
	put_v4(p.remote_addr, ra);
	return p;
}

/* splitmix64: small, seedable, good enough for test data. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

#endif
