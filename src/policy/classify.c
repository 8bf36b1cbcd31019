/* classify.c - see classify.h. The classifier object and its updates:
 * rule copies and validation, filter ids, classes, the per-class overlay of
 * rules added since the last build, tombstones and the rebuild. Lookups
 * are in classify_lookup.c, the index in classify_index.c.
 */
#include "policy/classify.h"
#include "policy/classify_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_NONE	UINT32_MAX

/* ---- filter_id -> slot ---- */

static uint32_t id_hash(uint64_t id, uint32_t mask)
{
	return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static uint32_t id_find(const struct classifier *c, uint64_t id)
{
	if (!c->id_key)
		return SLOT_NONE;
	for (uint32_t i = id_hash(id, c->id_mask);; i = (i + 1) & c->id_mask) {
		if (c->id_key[i] == id)
			return c->id_slot[i];
		if (!c->id_key[i])
			return SLOT_NONE;
	}
}

static void id_put(uint64_t *keys, uint32_t *slots, uint32_t mask, uint64_t id,
		   uint32_t slot)
{
	uint32_t i = id_hash(id, mask);

	while (keys[i])
		i = (i + 1) & mask;
	keys[i] = id;
	slots[i] = slot;
}

/* Room for one more id (load <= 1/2). 0 or -ENOMEM. */
static int id_reserve(struct classifier *c)
{
	uint32_t cap = c->id_key ? c->id_mask + 1 : 0, ncap;
	uint64_t *keys;
	uint32_t *slots;

	if ((c->id_count + 1) * 2 <= cap)
		return 0;
	ncap = cap ? cap * 2 : 64;
	keys = calloc(ncap, sizeof(*keys));
	slots = malloc(ncap * sizeof(*slots));
	if (!keys || !slots) {
		free(keys);
		free(slots);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cap; i++)
		if (c->id_key[i])
			id_put(keys, slots, ncap - 1, c->id_key[i], c->id_slot[i]);
	free(c->id_key);
	free(c->id_slot);
	c->id_key = keys;
	c->id_slot = slots;
	c->id_mask = ncap - 1;
	return 0;
}

static void id_del(struct classifier *c, uint64_t id)
{
	uint32_t i = id_hash(id, c->id_mask), j;

	while (c->id_key[i] != id)
		i = (i + 1) & c->id_mask;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (j = i;;) {
		uint32_t h;

		j = (j + 1) & c->id_mask;
		if (!c->id_key[j])
			break;
		h = id_hash(c->id_key[j], c->id_mask);
		if (((j > i) && (h <= i || h > j)) || ((j < i) && (h <= i && h > j))) {
			c->id_key[i] = c->id_key[j];
			c->id_slot[i] = c->id_slot[j];
			i = j;
		}
	}
	c->id_key[i] = 0;
	c->id_count--;
}

/* ---- rules: decision, validation, copy ---- */

/* The one place that maps an action to its arbitration input (classify.h
 * "Decisions"). CLEAR_ACTION_RIGHT would set CLS_DEC_HARD here. 0xff:
 * not a filter action. */
static uint8_t decision_of(uint32_t action, uint32_t flags)
{
	switch (action) {
	case CLS_ACTION_BLOCK:
		return CLS_DEC_BLOCK | CLS_DEC_HARD;
	case CLS_ACTION_PERMIT:
		return CLS_DEC_PERMIT;
	case CLS_ACTION_CALLOUT_TERMINATING:
	case CLS_ACTION_CALLOUT_UNKNOWN:
		/* Never registered here: acts as Block (policy-facts §7.2.7). */
		if (flags & CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
			return CLS_DEC_PERMIT;
		return CLS_DEC_BLOCK | CLS_DEC_HARD;
	case CLS_ACTION_CALLOUT_INSPECTION:
		return CLS_DEC_NONE;
	default:
		return 0xff;
	}
}

static uint64_t sl_key_of(const struct cls_rule *r)
{
	return (uint64_t)(0xffffu - r->sublayer_weight) << 32 | r->sublayer_index;
}

static int addr_check(const struct cls_addr *a, uint32_t n, size_t len)
{
	if (n && !a)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(a[i].lo, a[i].hi, len) > 0)
			return -EINVAL;
	return 0;
}

static int range_check(const struct cls_range32 *a, uint32_t n, uint32_t max)
{
	if (n && !a)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (a[i].lo > a[i].hi || a[i].hi > max)
			return -EINVAL;
	return 0;
}

static int rule_check(const struct cls_rule *r)
{
	size_t len = r->ip_version == 6 ? 16 : 4;

	if (!r->filter_id || (r->ip_version != 4 && r->ip_version != 6) ||
	    decision_of(r->action, r->flags) == 0xff)
		return -EINVAL;
	if (addr_check(r->local_addr, r->n_local_addr, len) ||
	    addr_check(r->remote_addr, r->n_remote_addr, len) ||
	    range_check(r->local_port, r->n_local_port, 0xffff) ||
	    range_check(r->remote_port, r->n_remote_port, 0xffff) ||
	    range_check(r->protocol, r->n_protocol, 0xff))
		return -EINVAL;
	return 0;
}

int classifier_rule_check(const struct cls_rule *r)
{
	return r ? rule_check(r) : -EINVAL;
}

static uint64_t be_num(const uint8_t *b, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		v = v << 8 | b[i];
	return v;
}

struct u128 cls_addr_num(const uint8_t *b, bool v6)
{
	struct u128 v = { 0, 0 };

	if (v6) {
		v.hi = be_num(b, 8);
		v.lo = be_num(b + 8, 8);
	} else {
		v.lo = be_num(b, 4);
	}
	return v;
}

static int span_cmp(const void *a, const void *b)
{
	return u128_cmp(((const struct cls_span *)a)->lo,
			((const struct cls_span *)b)->lo);
}

/* Sorts and merges the n spans at s (overlapping or adjacent ones join).
 * Returns the count left, 0 when they cover [0, max]. */
static uint32_t spans_normalize(struct cls_span *s, uint32_t n, struct u128 max)
{
	uint32_t m = 0;

	if (n > 1)
		qsort(s, n, sizeof(*s), span_cmp);
	for (uint32_t i = 0; i < n; i++) {
		if (m && (!u128_cmp(s[m - 1].hi, max) ||
			  u128_le(s[i].lo, u128_inc(s[m - 1].hi)))) {
			if (u128_cmp(s[i].hi, s[m - 1].hi) > 0)
				s[m - 1].hi = s[i].hi;
		} else {
			s[m++] = s[i];
		}
	}
	if (m == 1 && !s[0].lo.hi && !s[0].lo.lo && !u128_cmp(s[0].hi, max))
		return 0;
	return m;
}

/* Copies r into s (one allocation) and computes its normalised spans. */
static int rule_copy(struct cls_srule *s, const struct cls_rule *r)
{
	bool v6 = r->ip_version == 6;
	const struct cls_addr *addr[2] = { r->remote_addr, r->local_addr };
	uint32_t naddr[2] = { r->n_remote_addr, r->n_local_addr };
	const struct cls_range32 *rng[3] = { r->remote_port, r->local_port, r->protocol };
	uint32_t nrng[3] = { r->n_remote_port, r->n_local_port, r->n_protocol };
	size_t nspans = (size_t)naddr[0] + naddr[1] + nrng[0] + nrng[1] + nrng[2];
	size_t size = nspans * sizeof(struct cls_span) +
		      (nrng[0] + nrng[1] + nrng[2]) * sizeof(struct cls_range32) +
		      (naddr[0] + naddr[1]) * sizeof(struct cls_addr);
	struct cls_span *sp;
	struct cls_range32 *rp;
	struct cls_addr *ap;

	memset(s, 0, sizeof(*s));
	s->block = malloc(size ? size : 1);
	if (!s->block)
		return -ENOMEM;
	sp = s->block;
	rp = (struct cls_range32 *)(sp + nspans);
	ap = (struct cls_addr *)(rp + nrng[0] + nrng[1] + nrng[2]);
	s->r = *r;
	/* fields 0, 1: addresses; 2, 3, 4: ports, protocol (enum order) */
	for (int f = 0; f < CLS_NFIELDS; f++) {
		uint32_t n = f < 2 ? naddr[f] : nrng[f - 2];

		for (uint32_t i = 0; i < n; i++) {
			if (f < 2) {
				ap[i] = addr[f][i];
				sp[i].lo = cls_addr_num(ap[i].lo, v6);
				sp[i].hi = cls_addr_num(ap[i].hi, v6);
			} else {
				rp[i] = rng[f - 2][i];
				sp[i].lo = (struct u128){ 0, rp[i].lo };
				sp[i].hi = (struct u128){ 0, rp[i].hi };
			}
		}
		s->norm[f] = sp;
		s->n_norm[f] = spans_normalize(sp, n, cls_field_max(f, v6));
		sp += n;
		if (f == CLS_F_RADDR)
			s->r.remote_addr = n ? ap : NULL;
		else if (f == CLS_F_LADDR)
			s->r.local_addr = n ? ap : NULL;
		else if (f == CLS_F_RPORT)
			s->r.remote_port = n ? rp : NULL;
		else if (f == CLS_F_LPORT)
			s->r.local_port = n ? rp : NULL;
		else
			s->r.protocol = n ? rp : NULL;
		if (f < 2)
			ap += n;
		else
			rp += n;
	}
	s->sl_key = sl_key_of(r);
	s->decision = decision_of(r->action, r->flags);
	return 0;
}

/* ---- classes ---- */

static struct cls_class *class_get_or_make(struct classifier *c, uint16_t layer,
					   bool v6)
{
	uint32_t k = (uint32_t)layer * 2 + v6;
	struct cls_class *cl;

	if (k >= c->nclasses) {
		uint32_t n = k + 16;
		struct cls_class **v = realloc(c->classes, n * sizeof(*v));

		if (!v)
			return NULL;
		memset(v + c->nclasses, 0, (n - c->nclasses) * sizeof(*v));
		c->classes = v;
		c->nclasses = n;
	}
	if (c->classes[k])
		return c->classes[k];
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return NULL;
	cl->v6 = v6;
	atomic_init(&cl->stale, false);
	c->classes[k] = cl;
	return cl;
}

static void class_free(struct cls_class *cl)
{
	if (!cl)
		return;
	cls_index_free(cl->ix);
	free(cl->members);
	free(cl->pend);
	free(cl);
}

static uint32_t pend_limit(const struct classifier *c, const struct cls_class *cl)
{
	uint32_t lim = 8 + (cl->ix ? cl->ix->n / 256 : 0);

	return lim < c->tune.pending_max ? lim : c->tune.pending_max;
}

static uint32_t dead_limit(const struct cls_class *cl)
{
	return 16 + (cl->ix ? cl->ix->n / 8 : 0);
}

/* The overlay is dropped (its rules wait for the rebuild). Writer only. */
static void class_make_stale(struct classifier *c, struct cls_class *cl)
{
	for (uint32_t i = 0; i < cl->npend; i++)
		c->rules[cl->pend[i].slot].where = CLS_WHERE_NONE;
	cl->npend = 0;
	atomic_store_explicit(&cl->stale, true, memory_order_relaxed);
}

static void pend_insert(struct classifier *c, struct cls_class *cl, uint32_t slot)
{
	const struct cls_srule *s = &c->rules[slot];
	struct cls_pend e;
	uint32_t i;

	e.key = cls_key_of(s);
	e.pos = cl->ix ? cls_index_pos(cl->ix, &e.key) : 0;
	e.slot = slot;
	memset(&e.rec6, 0, sizeof(e.rec6));
	cls_match_compile(s, cl->v6, &e.m, &e.rec6);
	for (i = cl->npend; i > 0; i--) {
		const struct cls_pend *p = &cl->pend[i - 1];

		if (p->pos < e.pos || (p->pos == e.pos && cls_key_cmp(&p->key, &e.key) < 0))
			break;
	}
	memmove(&cl->pend[i + 1], &cl->pend[i], (cl->npend - i) * sizeof(e));
	cl->pend[i] = e;
	cl->npend++;
}

static void pend_remove(struct cls_class *cl, uint32_t slot)
{
	for (uint32_t i = 0; i < cl->npend; i++) {
		if (cl->pend[i].slot == slot) {
			memmove(&cl->pend[i], &cl->pend[i + 1],
				(cl->npend - i - 1) * sizeof(cl->pend[0]));
			cl->npend--;
			return;
		}
	}
}

int cls_class_rebuild(struct classifier *c, struct cls_class *cl)
{
	struct cls_index *ix = NULL;
	uint32_t *slots = malloc((cl->nmem ? cl->nmem : 1) * sizeof(*slots));
	uint32_t n = 0;
	int ret;

	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < cl->nmem; i++)
		if (c->rules[cl->members[i]].decision)
			slots[n++] = cl->members[i];
	if (n) {
		ret = cls_index_build(c->rules, slots, n, cl->v6, &c->tune, &ix);
		if (ret) {
			free(slots);
			return ret;
		}
	}
	free(slots);
	cls_index_free(cl->ix);
	cl->ix = ix;
	for (uint32_t r = 0; r < n; r++)
		c->rules[ix->slots[r]].where = r;
	cl->npend = 0;
	cl->ndead = 0;
	c->rebuilds++;
	atomic_store_explicit(&cl->stale, false, memory_order_release);
	return 0;
}

/* ---- create / destroy / add / remove ---- */

int classifier_create(struct classifier **out)
{
	struct classifier *c;

	if (!out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (pthread_mutex_init(&c->lock, NULL)) {
		free(c);
		return -ENOMEM;
	}
	c->free_head = SLOT_NONE;
	c->tune.cover_cap = 32;
	c->tune.max_levels = 4;
	c->tune.budget_per_rule = 64;
	c->tune.pending_max = 64;
	*out = c;
	return 0;
}

void classifier_destroy(struct classifier *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->nclasses; i++)
		class_free(c->classes[i]);
	for (uint32_t i = 0; i < c->caprules; i++)
		if (c->rules[i].used)
			free(c->rules[i].block);
	free(c->classes);
	free(c->rules);
	free(c->id_key);
	free(c->id_slot);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Room for one more rule slot. 0 or -ENOMEM. */
static int slot_reserve(struct classifier *c)
{
	uint32_t n;
	struct cls_srule *v;

	if (c->free_head != SLOT_NONE)
		return 0;
	n = c->caprules ? c->caprules * 2 : 64;
	v = realloc(c->rules, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = n; i-- > c->caprules;) {
		v[i].used = false;
		v[i].member = c->free_head;
		c->free_head = i;
	}
	c->rules = v;
	c->caprules = n;
	return 0;
}

static int grow_u32(uint32_t **v, uint32_t *cap, uint32_t need)
{
	uint32_t n;
	uint32_t *p;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	p = realloc(*v, n * sizeof(**v));
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

static int pend_reserve(struct cls_class *cl)
{
	uint32_t n;
	struct cls_pend *p;

	if (cl->npend < cl->cappend)
		return 0;
	n = cl->cappend ? cl->cappend * 2 : 8;
	p = realloc(cl->pend, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	cl->pend = p;
	cl->cappend = n;
	return 0;
}

int classifier_add(struct classifier *c, const struct cls_rule *r)
{
	struct cls_class *cl;
	struct cls_srule tmp, *s;
	uint32_t slot;
	int ret;

	if (!c || !r)
		return -EINVAL;
	ret = rule_check(r);
	if (ret)
		return ret;
	if (id_find(c, r->filter_id) != SLOT_NONE)
		return -EEXIST;
	/* Everything that can fail happens before the first change. */
	cl = class_get_or_make(c, r->layer, r->ip_version == 6);
	if (!cl || id_reserve(c) || slot_reserve(c) ||
	    grow_u32(&cl->members, &cl->capmem, cl->nmem + 1) || pend_reserve(cl))
		return -ENOMEM;
	ret = rule_copy(&tmp, r);
	if (ret)
		return ret;

	slot = c->free_head;
	s = &c->rules[slot];
	c->free_head = s->member;
	*s = tmp;
	s->used = true;
	s->cls = (uint32_t)r->layer * 2 + (r->ip_version == 6);
	s->member = cl->nmem;
	s->where = CLS_WHERE_NONE;
	cl->members[cl->nmem++] = slot;
	id_put(c->id_key, c->id_slot, c->id_mask, r->filter_id, slot);
	c->id_count++;
	c->nused++;
	if (s->decision && !atomic_load_explicit(&cl->stale, memory_order_relaxed)) {
		pend_insert(c, cl, slot);
		s->where = CLS_WHERE_PEND;
		if (cl->npend >= pend_limit(c, cl))
			class_make_stale(c, cl);
	}
	return 0;
}

int classifier_remove(struct classifier *c, uint64_t filter_id)
{
	uint32_t slot = c && filter_id ? id_find(c, filter_id) : SLOT_NONE;
	struct cls_srule *s;
	struct cls_class *cl;
	uint32_t last;

	if (slot == SLOT_NONE)
		return -ENOENT;
	s = &c->rules[slot];
	cl = c->classes[s->cls];
	if (s->where == CLS_WHERE_PEND) {
		pend_remove(cl, slot);
	} else if (s->where != CLS_WHERE_NONE && cl->ix) {
		cl->ix->recs[s->where].m.decision |= CLS_DEC_DEAD;
		if (++cl->ndead > dead_limit(cl))
			class_make_stale(c, cl);
	}
	last = cl->members[--cl->nmem];
	cl->members[s->member] = last;
	c->rules[last].member = s->member;
	if (!cl->nmem) {
		/* Nothing left: drop the index now rather than at a lookup. */
		cls_index_free(cl->ix);
		cl->ix = NULL;
		cl->npend = cl->ndead = 0;
		atomic_store_explicit(&cl->stale, false, memory_order_relaxed);
	}
	id_del(c, filter_id);
	free(s->block);
	s->used = false;
	s->member = c->free_head;
	c->free_head = slot;
	c->nused--;
	return 0;
}

/* ---- build, tuning, stats ---- */

int classifier_build(struct classifier *c)
{
	int ret = 0;

	if (!c)
		return -EINVAL;
	for (uint32_t i = 0; i < c->nclasses; i++) {
		struct cls_class *cl = c->classes[i];

		if (cl && atomic_load_explicit(&cl->stale, memory_order_relaxed) &&
		    cls_class_rebuild(c, cl))
			ret = -ENOMEM;
	}
	return ret;
}

void classifier_get_tuning(const struct classifier *c, struct classifier_tuning *t)
{
	*t = c->tune;
}

int classifier_set_tuning(struct classifier *c, const struct classifier_tuning *t)
{
	if (!c || !t || !t->cover_cap || !t->max_levels ||
	    t->max_levels > CLS_MAX_LEVELS || !t->budget_per_rule || !t->pending_max)
		return -EINVAL;
	c->tune = *t;
	for (uint32_t i = 0; i < c->nclasses; i++)
		if (c->classes[i] && c->classes[i]->nmem)
			class_make_stale(c, c->classes[i]);
	return 0;
}

void classifier_get_stats(struct classifier *c, struct classifier_stats *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&c->lock);
	s->rules = c->nused;
	s->rebuilds = c->rebuilds;
	for (uint32_t i = 0; i < c->nclasses; i++) {
		const struct cls_class *cl = c->classes[i];

		if (!cl || !cl->nmem)
			continue;
		s->classes++;
		if (cl->ix)
			s->index_bytes += cl->ix->bytes;
	}
	pthread_mutex_unlock(&c->lock);
}
