/* classify_index.c - the immutable per-class index of classify.h: records in
 * rank order, a home field per rule, and per field a few levels of
 * elementary intervals listing the ranks whose home range covers them.
 * See "Design and complexity" in classify.h.
 */
#include "policy/classify_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HOME_NONE	0xff

struct u128 cls_field_max(enum cls_field f, bool v6)
{
	struct u128 m = { 0, 0 };

	switch (f) {
	case CLS_F_RADDR:
	case CLS_F_LADDR:
		if (v6)
			m.hi = UINT64_MAX, m.lo = UINT64_MAX;
		else
			m.lo = UINT32_MAX;
		break;
	case CLS_F_RPORT:
	case CLS_F_LPORT:
		m.lo = UINT16_MAX;
		break;
	default:
		m.lo = UINT8_MAX;
		break;
	}
	return m;
}

/* ---- records ---- */

_Static_assert(sizeof(struct cls_rec) == 32, "two records per cache line");
_Static_assert(sizeof(struct cls_ent) == 32, "two entries per cache line");

void cls_match_compile(const struct cls_srule *s, bool v6, struct cls_match *rec,
		       struct cls_rec6 *rec6)
{
	/* rec: the match data being filled in */
	struct u128 lo[CLS_NFIELDS], span[CLS_NFIELDS];

	memset(rec, 0, sizeof(*rec));
	for (int f = 0; f < CLS_NFIELDS; f++) {
		uint32_t n = s->n_norm[f];

		if (!n) {
			lo[f] = (struct u128){ 0, 0 };
			span[f] = cls_field_max(f, v6);
			continue;
		}
		lo[f] = s->norm[f][0].lo;
		span[f] = u128_sub(s->norm[f][n - 1].hi, lo[f]);
		if (n > 1)
			rec->multi |= 1u << f;
	}
	rec->decision = s->decision;
	rec->lp_lo = (uint16_t)lo[CLS_F_LPORT].lo;
	rec->lp_span = (uint16_t)span[CLS_F_LPORT].lo;
	rec->rp_lo = (uint16_t)lo[CLS_F_RPORT].lo;
	rec->rp_span = (uint16_t)span[CLS_F_RPORT].lo;
	rec->pr_lo = (uint8_t)lo[CLS_F_PROTO].lo;
	rec->pr_span = (uint8_t)span[CLS_F_PROTO].lo;
	if (!v6) {
		rec->la_lo = (uint32_t)lo[CLS_F_LADDR].lo;
		rec->la_span = (uint32_t)span[CLS_F_LADDR].lo;
		rec->ra_lo = (uint32_t)lo[CLS_F_RADDR].lo;
		rec->ra_span = (uint32_t)span[CLS_F_RADDR].lo;
	} else if (rec6) {
		rec6->la_lo = lo[CLS_F_LADDR];
		rec6->la_span = span[CLS_F_LADDR];
		rec6->ra_lo = lo[CLS_F_RADDR];
		rec6->ra_span = span[CLS_F_RADDR];
	}
}

/* ---- sorting (build side) ---- */

/* A value and whose it is. */
struct kv {
	struct u128 v;
	uint32_t idx;
};

static void quick_kv(struct kv *a, size_t n)
{
	while (n > 16) {
		struct u128 p = a[n / 2].v;
		struct kv t;
		size_t i = 0, j = n - 1;

		/* Hoare partition around the middle element's value. */
		for (;;) {
			while (u128_cmp(a[i].v, p) < 0)
				i++;
			while (u128_cmp(a[j].v, p) > 0)
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++, j--;
		}
		/* [0, j] <= p <= [j + 1, n); recurse on the smaller side. */
		if (j + 1 < n - j - 1) {
			quick_kv(a, j + 1);
			a += j + 1, n -= j + 1;
		} else {
			quick_kv(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct kv v = a[i];
		size_t j = i;

		for (; j && u128_cmp(a[j - 1].v, v.v) > 0; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Sorts by value: LSD radix on the low 32 bits when every value fits
 * (IPv4, ports, protocol), skipping bytes that never vary; quicksort
 * otherwise. 0 or -ENOMEM. */
static int sort_kv(struct kv *a, size_t n)
{
	struct kv *tmp, *src = a, *dst;

	for (size_t i = 0; i < n; i++) {
		if (a[i].v.hi || a[i].v.lo > UINT32_MAX || n < 64) {
			quick_kv(a, n);
			return 0;
		}
	}
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	for (unsigned shift = 0; shift < 32; shift += 8) {
		size_t cnt[256] = { 0 }, sum = 0;
		bool one = false;

		for (size_t i = 0; i < n; i++)
			cnt[(src[i].v.lo >> shift) & 0xff]++;
		for (unsigned b = 0; b < 256; b++) {
			size_t c = cnt[b];

			one |= c == n;
			cnt[b] = sum;
			sum += c;
		}
		if (one)
			continue;
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i].v.lo >> shift) & 0xff]++] = src[i];
		{
			struct kv *x = src;

			src = dst;
			dst = x;
		}
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
	return 0;
}

struct order {
	struct cls_key k;
	uint32_t i;		/* input index */
};

static int order_cmp(const void *a, const void *b)
{
	return cls_key_cmp(&((const struct order *)a)->k,
			   &((const struct order *)b)->k);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* One field's ranges of all rules, gathered in input order: rule i owns
 * sp[off[i] .. off[i + 1]). */
struct fspans {
	struct cls_span *sp;
	uint32_t *off;
	uint32_t total;
};

/* ---- home field ---- */

/* For every rule with ranges on f: how many ranges (of all rules) on f
 * intersect its own, i.e. #(lo' <= hi) - #(hi' < lo) summed over its
 * ranges, by two sweeps over the sorted ends. Keeps the smallest count
 * per rule in best/home (ties: the earlier field). */
static int home_pass(const struct fspans *fs, uint32_t n, enum cls_field f,
		     uint64_t *best, uint8_t *home)
{
	uint32_t R = fs->total, p;
	struct kv *L, *H;
	uint32_t *A;
	int ret = -ENOMEM;

	if (!R)
		return 0;
	L = malloc(R * sizeof(*L));
	H = malloc(R * sizeof(*H));
	A = malloc(R * sizeof(*A));
	if (!L || !H || !A)
		goto out;
	for (uint32_t j = 0; j < R; j++) {
		L[j].v = fs->sp[j].lo;
		H[j].v = fs->sp[j].hi;
		L[j].idx = H[j].idx = j;
	}
	if (sort_kv(L, R) || sort_kv(H, R))
		goto out;
	p = 0;
	for (uint32_t k = 0; k < R; k++) {
		while (p < R && u128_le(L[p].v, H[k].v))
			p++;
		A[H[k].idx] = p;
	}
	p = 0;
	for (uint32_t k = 0; k < R; k++) {
		while (p < R && u128_cmp(H[p].v, L[k].v) < 0)
			p++;
		A[L[k].idx] -= p;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ov = 0;

		if (fs->off[i] == fs->off[i + 1])
			continue;
		for (uint32_t j = fs->off[i]; j < fs->off[i + 1]; j++)
			ov += A[j];
		if (ov < best[i]) {
			best[i] = ov;
			home[i] = (uint8_t)f;
		}
	}
	ret = 0;
out:
	free(L);
	free(H);
	free(A);
	return ret;
}

/* ---- levels ---- */

struct item {
	uint32_t rank;
	uint32_t ilo, ihi;	/* covered intervals in the level being built */
	struct cls_span s;
};

/* The level's cut points - every lo and every hi + 1 <= max, sorted and
 * unique - and each item's intervals: interval i is [b[i-1], b[i]) with
 * b[-1] = 0, and a value's interval is the number of cut points <= it. */
static struct u128 *cut_points(struct item *it, uint32_t n, struct u128 max,
			       uint32_t *nb)
{
	struct kv *e = malloc((2 * (size_t)n + 1) * sizeof(*e));
	struct u128 *b = malloc((2 * (size_t)n + 1) * sizeof(*b));
	uint32_t m = 0, u = 0;

	if (!e || !b)
		goto err;
	for (uint32_t i = 0; i < n; i++) {
		e[m].v = it[i].s.lo;
		e[m++].idx = 2 * i;
		if (u128_cmp(it[i].s.hi, max)) {
			e[m].v = u128_inc(it[i].s.hi);
			e[m++].idx = 2 * i + 1;
		} else {
			it[i].ihi = UINT32_MAX;	/* the last interval */
		}
	}
	if (sort_kv(e, m))
		goto err;
	for (uint32_t k = 0; k < m; k++) {
		if (!u || u128_cmp(b[u - 1], e[k].v))
			b[u++] = e[k].v;
		if (e[k].idx & 1)
			it[e[k].idx >> 1].ihi = u - 1;	/* hi = cut - 1 */
		else
			it[e[k].idx >> 1].ilo = u;
	}
	for (uint32_t i = 0; i < n; i++)
		if (it[i].ihi == UINT32_MAX)
			it[i].ihi = u;
	free(e);
	*nb = u;
	return b;
err:
	free(e);
	free(b);
	return NULL;
}

static struct cls_ent ent_of(const struct cls_rec *recs, uint32_t rank)
{
	struct cls_ent e = { recs[rank].m, rank };

	return e;
}

static int make_level(struct cls_level *lv, const struct item *it, uint32_t n,
		      const struct u128 *b, uint32_t nb, bool wide,
		      const struct cls_rec *recs, size_t *bytes)
{
	uint32_t *pos, run = 0;
	size_t total;

	lv->nb = nb;
	lv->off = malloc(((size_t)nb + 2) * sizeof(*lv->off));
	pos = calloc((size_t)nb + 2, sizeof(*pos));
	if (!lv->off || !pos)
		goto err_free;
	if (wide) {
		uint32_t nh = 0;

		lv->hk = malloc(((size_t)nb + 1) * sizeof(*lv->hk));
		lv->lk = malloc(((size_t)nb + 1) * sizeof(*lv->lk));
		lv->hrun = malloc(((size_t)nb + 2) * sizeof(*lv->hrun));
		if (!lv->hk || !lv->lk || !lv->hrun)
			goto err_free;
		for (uint32_t i = 0; i < nb; i++) {
			if (!nh || lv->hk[nh - 1] != b[i].hi) {
				lv->hk[nh] = b[i].hi;
				lv->hrun[nh++] = i;
			}
			lv->lk[i] = b[i].lo;
		}
		lv->hrun[nh] = nb;
		lv->nh = nh;
		*bytes += (size_t)nb * sizeof(*lv->lk) +
			  (size_t)nh * (sizeof(*lv->hk) + sizeof(*lv->hrun));
	} else {
		lv->cuts = malloc(((size_t)nb + 1) * sizeof(*lv->cuts));
		if (!lv->cuts)
			goto err_free;
	}
	/* Per-interval counts from a difference array (unsigned wrap-around
	 * is exact: every running sum is a true count), then offsets. */
	for (uint32_t i = 0; i < n; i++) {
		pos[it[i].ilo]++;
		pos[it[i].ihi + 1]--;
	}
	lv->off[0] = 0;
	for (uint32_t i = 0; i <= nb; i++) {
		run += pos[i];
		lv->off[i + 1] = lv->off[i] + run;
	}
	total = lv->off[nb + 1];
	lv->total = (uint32_t)total;
	lv->ents = malloc((total ? total : 1) * sizeof(*lv->ents));
	if (!lv->ents)
		goto err_free;
	memcpy(pos, lv->off, ((size_t)nb + 1) * sizeof(*pos));
	/* Items come in rank order, so every interval's list is sorted. */
	for (uint32_t i = 0; i < n; i++) {
		struct cls_ent e = ent_of(recs, it[i].rank);

		for (uint32_t j = it[i].ilo; j <= it[i].ihi; j++)
			lv->ents[pos[j]++] = e;
	}
	free(pos);
	*bytes += total * sizeof(*lv->ents);
	if (wide) {
		*bytes += ((size_t)nb + 2) * sizeof(*lv->off);
	} else {
		for (uint32_t i = 0; i < nb; i++) {
			lv->cuts[i].cut = (uint32_t)b[i].lo;
			lv->cuts[i].off = lv->off[i + 1];
		}
		free(lv->off);
		lv->off = NULL;
		*bytes += (size_t)nb * sizeof(*lv->cuts);
	}
	return 0;

err_free:
	free(pos);
	free(lv->off);
	free(lv->cuts);
	free(lv->hk);
	free(lv->lk);
	free(lv->hrun);
	memset(lv, 0, sizeof(*lv));
	return -ENOMEM;
}

/* Files the items (home ranges of one field, in rank order) into levels. */
static int build_field(struct cls_fieldix *fx, struct item *items, uint32_t n,
		       bool wide, struct u128 max, const struct cls_rec *recs,
		       const struct classifier_tuning *t, uint64_t *budget,
		       size_t *bytes)
{
	struct item *cur = items, *spare = malloc((n ? n : 1) * sizeof(*spare));
	uint32_t *scan = malloc((n ? n : 1) * sizeof(*scan));
	uint32_t ncur = n, nscan = 0;
	int ret = -ENOMEM;

	fx->wide = wide;
	if (!spare || !scan)
		goto out;
	for (uint32_t lev = 0; ncur && lev < t->max_levels; lev++) {
		bool last = lev + 1 == t->max_levels;
		uint32_t nb, nkeep = 0, ndef = 0, nin = 0;
		struct u128 *b = cut_points(cur, ncur, max, &nb);

		if (!b)
			goto out;
		/* Ranges covering more than cover_cap intervals wait for the
		 * next level, built from such broad ranges only - unless all
		 * are broad (nested chains), which no further level helps. */
		for (uint32_t i = 0; i < ncur; i++) {
			if (!last && cur[i].ihi - cur[i].ilo >= t->cover_cap)
				spare[ndef++] = cur[i];
			else
				cur[nkeep++] = cur[i];
		}
		if (!nkeep) {
			memcpy(cur, spare, ndef * sizeof(*cur));
			nkeep = ndef;
			ndef = 0;
		} else if (ndef) {
			free(b);
			b = cut_points(cur, nkeep, max, &nb);
			if (!b)
				goto out;
		}
		/* Copies beyond the budget: verified on every lookup instead. */
		for (uint32_t i = 0; i < nkeep; i++) {
			uint64_t cov = (uint64_t)cur[i].ihi - cur[i].ilo + 1;

			if (cov <= *budget) {
				*budget -= cov;
				cur[nin++] = cur[i];
			} else {
				scan[nscan++] = cur[i].rank;
			}
		}
		if (nin) {
			ret = make_level(&fx->lev[fx->nlev], cur, nin, b, nb, wide, recs,
					 bytes);
			if (ret) {
				free(b);
				goto out;
			}
			fx->nlev++;
		}
		free(b);
		/* Deferred ranges become the input of the next level. */
		{
			struct item *tmp = cur;

			cur = spare;
			spare = tmp;
			ncur = ndef;
		}
	}
	/* The loop runs to the last level, so nothing is left in cur. The
	 * scan list: by rank, once per rule. */
	if (nscan) {
		uint32_t m = 1;

		qsort(scan, nscan, sizeof(*scan), u32_cmp);
		for (uint32_t i = 1; i < nscan; i++)
			if (scan[i] != scan[m - 1])
				scan[m++] = scan[i];
		fx->scan = malloc(m * sizeof(*fx->scan));
		if (!fx->scan)
			goto out;
		for (uint32_t i = 0; i < m; i++)
			fx->scan[i] = ent_of(recs, scan[i]);
		fx->nscan = m;
	}
	*bytes += (size_t)fx->nscan * sizeof(*fx->scan);
	ret = 0;
out:
	/* cur and spare are items and the allocation in some order. */
	free(cur == items ? spare : cur);
	free(scan);
	return ret;
}

/* ---- build ---- */

void cls_index_free(struct cls_index *ix)
{
	if (!ix)
		return;
	for (int f = 0; f < CLS_NFIELDS; f++) {
		for (uint32_t l = 0; l < ix->f[f].nlev; l++) {
			struct cls_level *lv = &ix->f[f].lev[l];

			free(lv->cuts);
			free(lv->hk);
			free(lv->lk);
			free(lv->hrun);
			free(lv->off);
			free(lv->ents);
		}
		free(ix->f[f].scan);
	}
	free(ix->recs);
	free(ix->rec6);
	free(ix->keys);
	free(ix->slots);
	free(ix->all);
	free(ix);
}

/* Home fields, the catch-all list and the per-field levels. ord maps rank
 * to input index; fs holds the ranges by input index. */
static int build_fields(struct cls_index *ix, const struct order *ord,
			const struct fspans *fs, const struct classifier_tuning *t)
{
	uint32_t n = ix->n;
	uint64_t *best = malloc((n ? n : 1) * sizeof(*best));
	uint8_t *home = malloc(n ? n : 1);
	struct item *items = NULL;
	/* Interval copies allowed in this index (offsets are 32-bit). */
	uint64_t budget = (uint64_t)t->budget_per_rule * n;
	size_t total = 0;
	int ret = -ENOMEM;

	if (budget > UINT32_MAX / 2)
		budget = UINT32_MAX / 2;
	ix->all = malloc((n ? n : 1) * sizeof(*ix->all));
	if (!best || !home || !ix->all)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		best[i] = UINT64_MAX;
		home[i] = HOME_NONE;
	}
	for (int f = 0; f < CLS_NFIELDS; f++) {
		ret = home_pass(&fs[f], n, f, best, home);
		if (ret)
			goto out;
	}
	for (uint32_t r = 0; r < n; r++) {
		uint32_t i = ord[r].i;

		if (home[i] == HOME_NONE)
			ix->all[ix->nall++] = ent_of(ix->recs, r);
		else
			total += fs[home[i]].off[i + 1] - fs[home[i]].off[i];
	}
	ix->bytes += (size_t)ix->nall * sizeof(*ix->all);
	ret = -ENOMEM;
	items = malloc((total ? total : 1) * sizeof(*items));
	if (!items)
		goto out;
	for (int f = 0; f < CLS_NFIELDS; f++) {
		uint32_t k = 0;

		for (uint32_t r = 0; r < n; r++) {
			uint32_t i = ord[r].i;

			if (home[i] != f)
				continue;
			for (uint32_t j = fs[f].off[i]; j < fs[f].off[i + 1]; j++, k++) {
				items[k].rank = r;
				items[k].s = fs[f].sp[j];
			}
		}
		if (!k)
			continue;
		ret = build_field(&ix->f[f], items, k, ix->v6 && f <= CLS_F_LADDR,
				  cls_field_max(f, ix->v6), ix->recs, t, &budget,
				  &ix->bytes);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	free(items);
	free(best);
	free(home);
	return ret;
}

/* Ranges of every field gathered by input index (one pass over the rules
 * in slot order, which is mostly memory order). */
static int gather_spans(struct fspans *fs, const struct cls_srule *rules,
			const uint32_t *slots, uint32_t n)
{
	for (int f = 0; f < CLS_NFIELDS; f++) {
		fs[f].off = malloc(((size_t)n + 1) * sizeof(*fs[f].off));
		if (!fs[f].off)
			return -ENOMEM;
		fs[f].total = 0;
		for (uint32_t i = 0; i < n; i++) {
			fs[f].off[i] = fs[f].total;
			fs[f].total += rules[slots[i]].n_norm[f];
		}
		fs[f].off[n] = fs[f].total;
		fs[f].sp = malloc((fs[f].total ? fs[f].total : 1) * sizeof(*fs[f].sp));
		if (!fs[f].sp)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct cls_srule *s = &rules[slots[i]];

		for (int f = 0; f < CLS_NFIELDS; f++)
			memcpy(fs[f].sp + fs[f].off[i], s->norm[f],
			       s->n_norm[f] * sizeof(*fs[f].sp));
	}
	return 0;
}

int cls_index_build(const struct cls_srule *rules, const uint32_t *slots,
		    uint32_t n, bool v6, const struct classifier_tuning *t,
		    struct cls_index **out)
{
	struct cls_index *ix = calloc(1, sizeof(*ix));
	struct order *ord = malloc((n ? n : 1) * sizeof(*ord));
	struct cls_rec *trec = malloc((n ? n : 1) * sizeof(*trec));
	struct cls_rec6 *trec6 = v6 ? malloc((n ? n : 1) * sizeof(*trec6)) : NULL;
	size_t recbytes = ((size_t)n * sizeof(struct cls_rec) + 63) & ~(size_t)63;
	struct fspans fs[CLS_NFIELDS];
	int ret = -ENOMEM;

	memset(fs, 0, sizeof(fs));
	if (!ix || !ord || !trec || (v6 && !trec6))
		goto out;
	ix->n = n;
	ix->v6 = v6;
	ix->recs = aligned_alloc(64, recbytes ? recbytes : 64);
	ix->keys = malloc((n ? n : 1) * sizeof(*ix->keys));
	ix->slots = malloc((n ? n : 1) * sizeof(*ix->slots));
	if (v6)
		ix->rec6 = malloc((n ? n : 1) * sizeof(*ix->rec6));
	if (!ix->recs || !ix->keys || !ix->slots || (v6 && !ix->rec6))
		goto out;
	ix->bytes = sizeof(*ix) + recbytes + n * (sizeof(*ix->keys) + sizeof(*ix->slots)) +
		    (v6 ? n * sizeof(*ix->rec6) : 0);

	/* Input order first (the rule table is read once, in slot order);
	 * then sort and permute into rank order. */
	for (uint32_t i = 0; i < n; i++) {
		const struct cls_srule *s = &rules[slots[i]];

		ord[i].k = cls_key_of(s);
		ord[i].i = i;
		cls_match_compile(s, v6, &trec[i].m, v6 ? &trec6[i] : NULL);
	}
	if (gather_spans(fs, rules, slots, n))
		goto out;
	qsort(ord, n, sizeof(*ord), order_cmp);
	for (uint32_t r = 0; r < n; r++) {
		ix->recs[r] = trec[ord[r].i];
		if (v6)
			ix->rec6[r] = trec6[ord[r].i];
		ix->keys[r] = ord[r].k;
		ix->slots[r] = slots[ord[r].i];
	}
	/* sl_end: the first rank of the next sublayer. */
	for (uint32_t r = n; r-- > 0;)
		ix->recs[r].sl_end = (r + 1 < n && ix->keys[r + 1].sl_key ==
				      ix->keys[r].sl_key) ? ix->recs[r + 1].sl_end : r + 1;
	for (uint32_t r = 0; r < n && ix->nsl < CLS_SL_FAST; r = ix->recs[r].sl_end)
		ix->sl_end[ix->nsl++] = ix->recs[r].sl_end;

	ret = build_fields(ix, ord, fs, t);
out:
	for (int f = 0; f < CLS_NFIELDS; f++) {
		free(fs[f].sp);
		free(fs[f].off);
	}
	free(trec);
	free(trec6);
	free(ord);
	if (ret) {
		cls_index_free(ix);
		return ret;
	}
	*out = ix;
	return 0;
}

/* ---- lookup side ---- */

/* The list of v's interval in a narrow level: the number i of cut points
 * <= v by branch-free halving; the list is [off of cut i - 1, off of cut
 * i), both next to the last probe. */
static inline void narrow_list(const struct cls_level *lv, uint32_t v,
			       uint32_t *a, uint32_t *b)
{
	const struct cls_cut *base = lv->cuts;
	uint32_t n = lv->nb, i;

	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half].cut <= v ? base + half : base;
		n -= half;
	}
	i = (uint32_t)(base - lv->cuts) + (lv->nb && base->cut <= v);
	*a = i ? lv->cuts[i - 1].off : 0;
	*b = i < lv->nb ? lv->cuts[i].off : lv->total;
}

static inline uint32_t ub64(const uint64_t *b, uint32_t n, uint64_t v)
{
	const uint64_t *base = b;

	if (!n)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half] <= v ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - b) + (*base <= v);
}

/* Cut points <= v for an IPv6 level: find v's high word among the
 * distinct ones, then its low word within that run. */
static inline uint32_t ub_wide(const struct cls_level *lv, struct u128 v)
{
	uint32_t r = ub64(lv->hk, lv->nh, v.hi), a;

	if (!r)
		return 0;
	a = lv->hrun[r - 1];
	if (lv->hk[r - 1] != v.hi)
		return lv->hrun[r];
	return a + ub64(lv->lk + a, lv->hrun[r] - a, v.lo);
}

unsigned cls_index_cursors(const struct cls_index *ix, const struct cls_pkey *k,
			   struct cls_cursor *cur)
{
	unsigned n = 0;

	if (ix->nall) {
		cur[n].p = ix->all;
		cur[n++].end = ix->all + ix->nall;
	}
	for (int f = 0; f < CLS_NFIELDS; f++) {
		const struct cls_fieldix *fx = &ix->f[f];

		for (uint32_t l = 0; l < fx->nlev; l++) {
			const struct cls_level *lv = &fx->lev[l];
			uint32_t a, b;

			if (fx->wide) {
				uint32_t i = ub_wide(lv, k->val[f]);

				a = lv->off[i];
				b = lv->off[i + 1];
			} else {
				narrow_list(lv, (uint32_t)k->val[f].lo, &a, &b);
			}

			/* kept only when not empty, without a branch (which
			 * would be mispredicted often) */
			cur[n].p = lv->ents + a;
			cur[n].end = lv->ents + b;
			n += a != b;
		}
		if (fx->nscan) {
			cur[n].p = fx->scan;
			cur[n++].end = fx->scan + fx->nscan;
		}
	}
	return n;
}

uint32_t cls_index_pos(const struct cls_index *ix, const struct cls_key *k)
{
	uint32_t lo = 0, len = ix->n;

	while (len) {
		uint32_t half = len / 2;

		if (cls_key_cmp(&ix->keys[lo + half], k) < 0) {
			lo += half + 1;
			len -= half + 1;
		} else {
			len = half;
		}
	}
	return lo;
}

uint32_t cls_index_sl_end(const struct cls_index *ix, uint64_t sl_key)
{
	uint32_t lo = 0, len = ix->n;

	while (len) {
		uint32_t half = len / 2;

		if (ix->keys[lo + half].sl_key <= sl_key) {
			lo += half + 1;
			len -= half + 1;
		} else {
			len = half;
		}
	}
	return lo;
}
