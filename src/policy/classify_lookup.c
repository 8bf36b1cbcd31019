/* classify_lookup.c - see classify.h: the arbitration step (policy-facts
 * §7.2) and the two lookups that share it - classifier_lookup over the
 * index and the overlay, classifier_lookup_reference over every rule.
 */
#include "policy/classify.h"
#include "policy/classify_internal.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

/* The candidate tests sit in the innermost loop; GCC does not always
 * inline them on its own. */
#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif

/* ---- arbitration (shared by both lookups) ---- */

struct cls_arb {
	uint64_t who;	/* the caller's name for the deciding rule */
	uint8_t dec;	/* CLS_DEC_*, 0 while no sublayer decided */
};

#define ARB_TAKEN	1u	/* this result is now the current one */
#define ARB_FINAL	2u	/* the outcome can no longer change */

/* Feeds the result of the next sublayer that has a matching terminating
 * filter, in sublayer order. The first result is taken; a later one
 * replaces it when the current is soft and the action differs; a hard
 * current result is final. */
static inline unsigned arb_feed(struct cls_arb *a, uint8_t dec, uint64_t who)
{
	unsigned r = 0;

	dec &= CLS_DEC_PERMIT | CLS_DEC_BLOCK | CLS_DEC_HARD;
	if (!a->dec || (!(a->dec & CLS_DEC_HARD) &&
			((a->dec ^ dec) & (CLS_DEC_PERMIT | CLS_DEC_BLOCK)))) {
		a->dec = dec;
		a->who = who;
		r = ARB_TAKEN;
	}
	return r | (a->dec & CLS_DEC_HARD ? ARB_FINAL : 0);
}

static void arb_verdict(const struct cls_arb *a, uint64_t id, struct cls_verdict *v)
{
	v->filter_id = a->dec ? id : 0;
	v->action = a->dec & CLS_DEC_BLOCK ? CLS_ACTION_BLOCK : CLS_ACTION_PERMIT;
}

/* ---- fast lookup ---- */

static bool multi_match(const struct cls_srule *s, unsigned bits,
			const struct cls_pkey *k)
{
	for (int f = 0; f < CLS_NFIELDS; f++) {
		const struct cls_span *sp = s->norm[f];
		uint32_t lo = 0, len = s->n_norm[f];

		if (!(bits & (1u << f)))
			continue;
		/* last span with lo <= value */
		while (len) {
			uint32_t half = len / 2;

			if (u128_le(sp[lo + half].lo, k->val[f])) {
				lo += half + 1;
				len -= half + 1;
			} else {
				len = half;
			}
		}
		if (!lo || !u128_le(k->val[f], sp[lo - 1].hi))
			return false;
	}
	return true;
}

/* The hulls of all five fields. Combined without branches: candidates
 * fail on any field, so early exits would mostly be mispredicted. A rule
 * with several ranges on a field (r->multi) also needs multi_match. */
static inline ALWAYS_INLINE bool hull_match(const struct cls_match *r,
					    const struct cls_rec6 *r6,
					    const struct cls_pkey *k)
{
	int ok = ((uint8_t)(k->pr - r->pr_lo) <= r->pr_span) &
		 ((uint16_t)(k->rp - r->rp_lo) <= r->rp_span) &
		 ((uint16_t)(k->lp - r->lp_lo) <= r->lp_span);

	if (!k->v6)
		ok &= (k->ra4 - r->ra_lo <= r->ra_span) & (k->la4 - r->la_lo <= r->la_span);
	else
		ok &= (int)u128_le(u128_sub(k->val[CLS_F_RADDR], r6->ra_lo), r6->ra_span) &
		      (int)u128_le(u128_sub(k->val[CLS_F_LADDR], r6->la_lo), r6->la_span);
	return ok;
}

/* Moves the cursor to its first entry of rank >= end. */
static inline void cursor_skip(struct cls_cursor *cu, uint32_t end)
{
	const struct cls_ent *p = cu->p;

	if (cu->end - p > 8 && p[8].rank < end) {
		uint32_t lo = 9, len = (uint32_t)(cu->end - p) - 9;

		while (len) {
			uint32_t half = len / 2;

			if (p[lo + half].rank < end) {
				lo += half + 1;
				len -= half + 1;
			} else {
				len = half;
			}
		}
		p += lo;
	} else {
		while (p < cu->end && p->rank < end)
			p++;
	}
	cu->p = p;
}

#define WHO_PEND	(1ull << 63)	/* arb "who": overlay position, else rank */

/* Whether index list entry e matches k (tombstones checked before the
 * ranges of a multi-range rule: a dead rule's slot may be reused). */
static inline ALWAYS_INLINE bool ent_match(const struct classifier *c,
					   const struct cls_class *cl,
					   const struct cls_ent *e,
					   const struct cls_pkey *k)
{
	const struct cls_index *ix = cl->ix;

	return hull_match(&e->m, ix->rec6 ? &ix->rec6[e->rank] : NULL, k) &&
	       !(cl->ndead && (ix->recs[e->rank].m.decision & CLS_DEC_DEAD)) &&
	       !(e->m.multi && !multi_match(&c->rules[ix->slots[e->rank]],
					    e->m.multi, k));
}

/* The first matching terminating rule, sublayer by sublayer: each round
 * advances every candidate list to its first match below the best rank
 * found so far (lists are sorted by rank, so the smallest of those is the
 * first match overall), checks the overlay rules placed before it, feeds
 * the winner to the arbitration and moves every list past the winner's
 * sublayer. A list pointer only moves past entries that do not match or
 * belong to a decided sublayer, so no entry is tested twice. Reads only:
 * safe for concurrent lookups while cl is not stale. */
static void lookup_fast(const struct classifier *c, const struct cls_class *cl,
			const struct cls_pkey *k, struct cls_verdict *v)
{
	struct cls_cursor cur[CLS_MAX_CURSORS];
	const struct cls_index *ix = cl->ix;
	const struct cls_pend *pp = cl->pend, *pe = cl->pend + cl->npend;
	unsigned nc = ix ? cls_index_cursors(ix, k, cur) : 0;
	uint64_t decided = UINT64_MAX;	/* no sl_key has this value */
	struct cls_arb a = { 0, 0 };
	uint64_t id = 0;

	for (;;) {
		const struct cls_pend *won = NULL;
		uint32_t best = UINT32_MAX, end;
		unsigned bi = 0;

		for (unsigned i = 0; i < nc;) {
			const struct cls_ent *p = cur[i].p, *e = cur[i].end;

			while (p < e && p->rank < best && !ent_match(c, cl, p, k))
				p++;
			cur[i].p = p;
			if (p == e) {
				cur[i] = cur[--nc];
				continue;
			}
			if (p->rank < best) {	/* stopped on a match */
				best = p->rank;
				bi = i;
			}
			i++;
		}
		/* Overlay rules at pos <= best come before index rank best. */
		for (; pp < pe && pp->pos <= best; pp++) {
			if (pp->key.sl_key != decided && hull_match(&pp->m, &pp->rec6, k) &&
			    !(pp->m.multi && !multi_match(&c->rules[pp->slot], pp->m.multi, k))) {
				won = pp++;
				break;
			}
		}
		if (won) {
			decided = won->key.sl_key;
			if (arb_feed(&a, won->m.decision, WHO_PEND | (uint64_t)(won - cl->pend)) &
			    ARB_FINAL)
				break;
			end = ix ? cls_index_sl_end(ix, decided) : 0;
		} else if (best != UINT32_MAX) {
			if (pp < pe)
				decided = ix->keys[best].sl_key;
			if (arb_feed(&a, cur[bi].p->m.decision, best) & ARB_FINAL)
				break;
			end = cls_index_rank_end(ix, best);
		} else {
			break;
		}
		/* The rest of this sublayer cannot decide any more. */
		for (unsigned i = 0; i < nc; i++)
			cursor_skip(&cur[i], end);
	}
	if (a.dec)
		id = a.who & WHO_PEND ? cl->pend[a.who & ~WHO_PEND].key.id :
			ix->keys[a.who].id;
	arb_verdict(&a, id, v);
}

/* ---- reference lookup ---- */

static bool ref_addr(const struct cls_addr *a, uint32_t n, const uint8_t *x,
		     size_t len)
{
	if (!n)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(a[i].lo, x, len) <= 0 && memcmp(x, a[i].hi, len) <= 0)
			return true;
	return false;
}

static bool ref_range(const struct cls_range32 *a, uint32_t n, uint32_t x)
{
	if (!n)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (a[i].lo <= x && x <= a[i].hi)
			return true;
	return false;
}

static bool ref_match(const struct cls_rule *r, const struct cls_packet *p)
{
	size_t len = p->ip_version == 6 ? 16 : 4;

	return ref_range(r->protocol, r->n_protocol, p->protocol) &&
	       ref_range(r->local_port, r->n_local_port, p->local_port) &&
	       ref_range(r->remote_port, r->n_remote_port, p->remote_port) &&
	       ref_addr(r->local_addr, r->n_local_addr, p->local_addr, len) &&
	       ref_addr(r->remote_addr, r->n_remote_addr, p->remote_addr, len);
}

/* Every member scanned once per sublayer that has a match: each pass finds
 * the first matching terminating rule after the sublayers already seen. */
static void lookup_scan(const struct classifier *c, const struct cls_class *cl,
			const struct cls_packet *p, struct cls_verdict *v)
{
	struct cls_arb a = { 0, 0 };
	bool after = false;
	uint64_t after_sl = 0;

	for (;;) {
		const struct cls_srule *best = NULL;
		struct cls_key bk = { 0, 0, 0 };

		for (uint32_t i = 0; i < cl->nmem; i++) {
			const struct cls_srule *s = &c->rules[cl->members[i]];
			struct cls_key k;

			if (!s->decision || (after && s->sl_key <= after_sl) ||
			    !ref_match(&s->r, p))
				continue;
			k = cls_key_of(s);
			if (!best || cls_key_cmp(&k, &bk) < 0) {
				best = s;
				bk = k;
			}
		}
		if (!best || (arb_feed(&a, best->decision, best->r.filter_id) & ARB_FINAL))
			break;
		after = true;
		after_sl = best->sl_key;
	}
	arb_verdict(&a, a.who, v);
}

/* ---- lookup entry points ---- */

static int packet_key(const struct cls_packet *p, struct cls_pkey *k)
{
	bool v6 = p->ip_version == 6;

	if (p->ip_version != 4 && !v6)
		return -EINVAL;
	k->v6 = v6;
	k->val[CLS_F_RADDR] = cls_addr_num(p->remote_addr, v6);
	k->val[CLS_F_LADDR] = cls_addr_num(p->local_addr, v6);
	k->val[CLS_F_RPORT] = (struct u128){ 0, p->remote_port };
	k->val[CLS_F_LPORT] = (struct u128){ 0, p->local_port };
	k->val[CLS_F_PROTO] = (struct u128){ 0, p->protocol };
	k->ra4 = (uint32_t)k->val[CLS_F_RADDR].lo;
	k->la4 = (uint32_t)k->val[CLS_F_LADDR].lo;
	k->rp = p->remote_port;
	k->lp = p->local_port;
	k->pr = p->protocol;
	return 0;
}

int classifier_lookup(struct classifier *c, const struct cls_packet *p,
		      struct cls_verdict *v)
{
	struct cls_class *cl;
	struct cls_pkey k;

	if (!c || !p || !v || packet_key(p, &k))
		return -EINVAL;
	cl = cls_class_get(c, p->layer, k.v6);
	if (!cl) {
		v->filter_id = 0;
		v->action = CLS_ACTION_PERMIT;
		return 0;
	}
	if (atomic_load_explicit(&cl->stale, memory_order_acquire)) {
		pthread_mutex_lock(&c->lock);
		if (atomic_load_explicit(&cl->stale, memory_order_relaxed))
			cls_class_rebuild(c, cl);
		if (atomic_load_explicit(&cl->stale, memory_order_relaxed)) {
			/* Out of memory: still exact, just slow. */
			lookup_scan(c, cl, p, v);
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		pthread_mutex_unlock(&c->lock);
	}
	lookup_fast(c, cl, &k, v);
	return 0;
}

int classifier_lookup_reference(struct classifier *c, const struct cls_packet *p,
				struct cls_verdict *v)
{
	const struct cls_class *cl;

	if (!c || !p || !v || (p->ip_version != 4 && p->ip_version != 6))
		return -EINVAL;
	cl = cls_class_get(c, p->layer, p->ip_version == 6);
	if (!cl) {
		v->filter_id = 0;
		v->action = CLS_ACTION_PERMIT;
		return 0;
	}
	lookup_scan(c, cl, p, v);
	return 0;
}

