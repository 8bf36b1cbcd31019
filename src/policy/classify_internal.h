/* classify_internal.h - private to src/policy/classify*.c: the classifier
 * object and its classes (classify.c), the data a lookup tests
 * (classify_lookup.c) and the immutable per-class index (classify_index.c).
 * Nothing outside those files includes this.
 *
 * Ownership: the classifier owns its rule table, classes and their indexes.
 * A struct cls_index owns all its arrays and nothing else; it refers to rules
 * by slot (index into the rule table) but never dereferences them after
 * cls_index_build returns. Locking: see classify.h; an index is immutable
 * after build except for the tombstone bit, which only the (exclusive)
 * writer sets; c->lock serialises lookup-time rebuilds.
 */
#ifndef FWP_POLICY_CLASSIFY_INTERNAL_H
#define FWP_POLICY_CLASSIFY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/classify.h"

/* ---- 128-bit unsigned numbers (portable C11, no __int128) ---- */

struct u128 {
	uint64_t hi, lo;
};

static inline int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static inline bool u128_le(struct u128 a, struct u128 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

static inline struct u128 u128_sub(struct u128 a, struct u128 b)
{
	struct u128 r = { a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo };

	return r;
}

static inline struct u128 u128_inc(struct u128 a)
{
	struct u128 r = { a.hi + (a.lo == UINT64_MAX), a.lo + 1 };

	return r;
}

/* ---- fields ---- */

enum cls_field {
	CLS_F_RADDR,	/* order = preference for the home field on ties */
	CLS_F_LADDR,
	CLS_F_RPORT,
	CLS_F_LPORT,
	CLS_F_PROTO,
	CLS_NFIELDS
};

/* Largest value of field f (addresses: v4 or v6 width). */
struct u128 cls_field_max(enum cls_field f, bool v6);

/* An inclusive range of field values. */
struct cls_span {
	struct u128 lo, hi;
};

/* ---- decisions ---- */

#define CLS_DEC_NONE	0x00	/* never decides (inspection callout) */
#define CLS_DEC_PERMIT	0x01
#define CLS_DEC_BLOCK	0x02
#define CLS_DEC_HARD	0x04	/* may not be overridden by a later sublayer */
#define CLS_DEC_DEAD	0x80	/* tombstone: rule removed since the build */

/* ---- stored rules (owned by the classifier) ---- */

#define CLS_WHERE_NONE	UINT32_MAX		/* not in index nor overlay */
#define CLS_WHERE_PEND	(UINT32_MAX - 1)	/* in the class overlay */

struct cls_srule {
	struct cls_rule r;	/* copy; its arrays point into block */
	void *block;		/* owns r's arrays and norm[] */
	/* Per field, the ranges sorted, merged and as numbers; n_norm 0 when
	 * the field has no condition or its ranges cover every value. */
	const struct cls_span *norm[CLS_NFIELDS];
	uint32_t n_norm[CLS_NFIELDS];
	uint64_t sl_key;	/* sublayer order key, see cls_key */
	uint32_t cls;		/* class number */
	uint32_t member;	/* position in the class member array */
	uint32_t where;		/* rank in the class index, or CLS_WHERE_* */
	uint8_t decision;	/* CLS_DEC_* */
	bool used;
};

/* Total order of rules (ascending = evaluated first). */
struct cls_key {
	uint64_t sl_key;	/* (0xffff - sublayer_weight) << 32 | sublayer_index */
	uint64_t inv_weight;	/* ~weight */
	uint64_t id;		/* filter_id */
};

static inline int cls_key_cmp(const struct cls_key *a, const struct cls_key *b)
{
	if (a->sl_key != b->sl_key)
		return a->sl_key < b->sl_key ? -1 : 1;
	if (a->inv_weight != b->inv_weight)
		return a->inv_weight < b->inv_weight ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static inline struct cls_key cls_key_of(const struct cls_srule *s)
{
	struct cls_key k = { s->sl_key, ~s->r.weight, s->r.filter_id };

	return k;
}

/* ---- the record a lookup tests ---- */

/* What a candidate test reads. Each field as (lo, span): v matches iff
 * (v - lo) <= span, computed in the field's width; a missing field is
 * (0, max). For a field with several ranges this holds their hull and sets
 * the field's bit in multi; the ranges themselves are then checked in the
 * stored rule. IPv6 addresses are in a struct cls_rec6 instead. */
struct cls_match {
	uint32_t la_lo, la_span, ra_lo, ra_span;	/* IPv4 only */
	uint16_t lp_lo, lp_span, rp_lo, rp_span;
	uint8_t pr_lo, pr_span;
	uint8_t decision;	/* CLS_DEC_* */
	uint8_t multi;		/* 1 << enum cls_field */
};

/* An index rule, by rank; decision carries the tombstone. */
struct cls_rec {
	struct cls_match m;
	uint32_t sl_end;	/* rank after this rule's sublayer */
};

#define CLS_SL_FAST	16	/* sublayer ends kept in the index itself */

/* A candidate list entry: a copy of the rule's match data, so that testing
 * a candidate reads only the list (decision here never has the tombstone;
 * see the cls_rec of the rank). */
struct cls_ent {
	struct cls_match m;
	uint32_t rank;
};

struct cls_rec6 {		/* IPv6 addresses of the same rule */
	struct u128 la_lo, la_span, ra_lo, ra_span;
};

/* A packet as numbers. */
struct cls_pkey {
	struct u128 val[CLS_NFIELDS];	/* per field */
	uint32_t la4, ra4;
	uint16_t lp, rp;
	uint8_t pr;
	bool v6;
};

void cls_match_compile(const struct cls_srule *s, bool v6, struct cls_match *m,
		       struct cls_rec6 *rec6);

/* ---- the index ---- */

#define CLS_MAX_LEVELS	4
/* cursors a lookup may get: catch-alls + per field (levels + scan list),
 * and one spare (a slot is written before it is known to be non-empty) */
#define CLS_MAX_CURSORS	(2 + CLS_NFIELDS * (CLS_MAX_LEVELS + 1))

struct cls_level {
	uint32_t nb;		/* cut points; nb + 1 intervals */
	/* Narrow fields (v4, ports, protocol): cut point j with the start of
	 * interval j + 1 in ents beside it, so that the search's last probe
	 * also finds the list; interval 0 starts at 0, the last ends at
	 * total. */
	struct cls_cut {
		uint32_t cut, off;
	} *cuts;
	uint32_t total;
	/* IPv6 addresses: the cut points' high words, each distinct one once
	 * (hk, nh), where its run starts among the cut points (hrun, nh + 1)
	 * and every cut point's low word (lk, nb) */
	uint64_t *hk, *lk;
	uint32_t *hrun;
	uint32_t nh;
	uint32_t *off;		/* IPv6: nb + 2 offsets into ents */
	struct cls_ent *ents;	/* per interval, by ascending rank */
};

struct cls_fieldix {
	uint32_t nlev;
	bool wide;
	struct cls_level lev[CLS_MAX_LEVELS];
	uint32_t nscan;		/* checked on every lookup (over budget) */
	struct cls_ent *scan;
};

struct cls_index {
	uint32_t n;		/* ranks */
	bool v6;
	struct cls_rec *recs;	/* by rank */
	struct cls_rec6 *rec6;	/* by rank, IPv6 classes only */
	struct cls_key *keys;	/* by rank: sublayer key, filter_id */
	uint32_t *slots;	/* by rank: the stored rule */
	uint32_t nall;		/* rules without conditions */
	struct cls_ent *all;
	/* The first CLS_SL_FAST sublayers' end ranks (nsl of them): the end
	 * of a rank's sublayer without touching its record. */
	uint32_t nsl;
	uint32_t sl_end[CLS_SL_FAST];
	struct cls_fieldix f[CLS_NFIELDS];
	size_t bytes;
};

struct cls_cursor {
	const struct cls_ent *p, *end;
};

/* Builds the index of the n rules rules[slots[i]] (all with a decision).
 * 0 or -ENOMEM. */
int cls_index_build(const struct cls_srule *rules, const uint32_t *slots,
		    uint32_t n, bool v6, const struct classifier_tuning *t,
		    struct cls_index **out);
void cls_index_free(struct cls_index *ix);
/* Fills cur with the non-empty candidate lists for k; returns how many. */
unsigned cls_index_cursors(const struct cls_index *ix, const struct cls_pkey *k,
			   struct cls_cursor *cur);
/* Rank a rule with key k would get (keys are unique). */
uint32_t cls_index_pos(const struct cls_index *ix, const struct cls_key *k);
/* First rank after the sublayer sl_key (its end, or where it would be). */
uint32_t cls_index_sl_end(const struct cls_index *ix, uint64_t sl_key);

/* First rank after the sublayer of rank r. */
static inline uint32_t cls_index_rank_end(const struct cls_index *ix, uint32_t r)
{
	for (uint32_t i = 0; i < ix->nsl; i++)
		if (r < ix->sl_end[i])
			return ix->sl_end[i];
	return ix->recs[r].sl_end;
}

/* ---- the classifier ---- */

/* A rule added since the class index was built: compiled, and placed in
 * the rank order by pos (it comes right before index rank pos). */
struct cls_pend {
	uint32_t pos;
	uint32_t slot;
	struct cls_key key;	/* sublayer key, filter_id */
	struct cls_match m;
	struct cls_rec6 rec6;
};

/* All rules of one (layer, ip_version). Members: every stored rule of the
 * class (the reference scans them; rebuilds index the deciding ones). */
struct cls_class {
	uint32_t *members;
	uint32_t nmem, capmem;
	struct cls_index *ix;		/* NULL until built / when empty */
	struct cls_pend *pend;		/* sorted by (pos, key) */
	uint32_t npend, cappend;
	uint32_t ndead;			/* tombstones in ix */
	atomic_bool stale;		/* ix + pend no longer describe members */
	bool v6;
};

struct classifier {
	struct cls_srule *rules;	/* by slot */
	uint32_t caprules, nused;
	uint32_t free_head;		/* free slots chained through .member */
	/* filter_id -> slot, open addressing (key 0 = empty) */
	uint64_t *id_key;
	uint32_t *id_slot;
	uint32_t id_mask, id_count;
	struct cls_class **classes;	/* by layer * 2 + (ip_version == 6) */
	uint32_t nclasses;
	struct classifier_tuning tune;
	pthread_mutex_t lock;		/* serialises lookup-time rebuilds */
	uint64_t rebuilds;		/* under lock, or by the writer */
};

/* The class of (layer, ip_version), or NULL. */
static inline struct cls_class *cls_class_get(const struct classifier *c,
					      uint16_t layer, bool v6)
{
	uint32_t k = (uint32_t)layer * 2 + v6;

	return k < c->nclasses ? c->classes[k] : NULL;
}

/* Network-order address bytes as a number (v4: bytes 0..3). */
struct u128 cls_addr_num(const uint8_t *b, bool v6);

/* Builds cl's index from its members. Caller: the writer, or holds c->lock
 * with cl stale. 0 or -ENOMEM (nothing changed, cl still stale). */
int cls_class_rebuild(struct classifier *c, struct cls_class *cl);

#endif
