/* Unit tests: policy/classify - classifier_lookup against
 * classifier_lookup_reference on random rule sets.
 *
 * 10,000 rule sets (most small, some up to 500 rules) over small value
 * domains so that ranges overlap and packets hit: IPv4 and IPv6 addresses
 * near a few bases (some straddling byte and 64-bit boundaries), ports near
 * 0 and 65535, a handful of protocols, 1-4 sublayers with colliding weights,
 * tied filter weights, every action, several ranges per field, random index
 * tunings. Each set goes through: add all, (build), remove some, re-add
 * some (same ids, possibly different rules) plus new ones, single
 * add/remove steps each followed by a lookup, build. After every step
 * random packets (mostly aimed at a rule, often at a range end +-1) are
 * looked up both ways and must agree.
 *
 * Environment: CLS_SEED (base seed), CLS_SETS (number of sets), CLS_SET
 * (run only that set). A failure prints the values to reproduce it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/classify.h"
#include "cls_util.h"

#define MAX_RULES 500

struct num {
	uint64_t hi, lo;	/* a field value; v4, ports, protocol in lo */
};

static struct num num_add(struct num a, uint64_t d, struct num max)
{
	struct num r = { a.hi + (a.lo + d < a.lo), a.lo + d };

	if (r.hi > max.hi || (r.hi == max.hi && r.lo > max.lo) || r.hi < a.hi)
		return max;
	return r;
}

static struct num num_sub1(struct num a)
{
	struct num r = { a.hi - (a.lo == 0), a.lo - 1 };

	return r;
}

static bool num_lt(struct num a, struct num b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static bool num_is_zero(struct num a)
{
	return !a.hi && !a.lo;
}

static bool num_eq(struct num a, struct num b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

enum { F_RADDR, F_LADDR, F_RPORT, F_LPORT, F_PROTO, NF };

static struct num field_max(int f, bool v6)
{
	struct num m = { 0, 0 };

	if (f <= F_LADDR)
		m = v6 ? (struct num){ ~0ull, ~0ull } : (struct num){ 0, 0xffffffffull };
	else if (f <= F_LPORT)
		m.lo = 0xffff;
	else
		m.lo = 0xff;
	return m;
}

/* A value from the field's small domain. */
static struct num field_value(uint64_t *s, int f, bool v6)
{
	static const struct num v4b[] = {
		{ 0, 0x0a000000 }, { 0, 0x0a0000f0 }, { 0, 0xc0a801fc },
		{ 0, 0 }, { 0, 0xffffffe0 },
	};
	static const struct num v6b[] = {
		{ 0x20010db800000000ull, 0 },
		{ 0x20010db800000000ull, 0xfffffffffffffff0ull },
		{ 0xfe80000000000000ull, 0x00000000000000f8ull },
		{ 0, 0 },
		{ ~0ull, ~0ull - 31 },
	};
	struct num v = { 0, 0 };

	if (f <= F_LADDR) {
		v = v6 ? v6b[rng_below(s, 5)] : v4b[rng_below(s, 5)];
		return num_add(v, rng_below(s, 32), field_max(f, v6));
	}
	if (f <= F_LPORT) {
		v.lo = rng_below(s, 100) < 85 ? rng_below(s, 24) : 65520 + rng_below(s, 16);
		return v;
	}
	switch (rng_below(s, 10)) {
	case 0: v.lo = 6; break;
	case 1: v.lo = 17; break;
	case 2: v.lo = 255; break;
	case 3: v.lo = 254; break;
	default: v.lo = rng_below(s, 8); break;
	}
	return v;
}

static void field_range(uint64_t *s, int f, bool v6, struct num *lo, struct num *hi)
{
	static const uint64_t lens[] = { 0, 0, 1, 2, 3, 7, 12, 31 };
	struct num max = field_max(f, v6);
	struct num a = field_value(s, f, v6), b;
	unsigned r = rng_below(s, 20);

	if (r == 0) {		/* the whole domain */
		*lo = (struct num){ 0, 0 };
		*hi = max;
	} else if (r < 4) {	/* two values, sorted */
		b = field_value(s, f, v6);
		*lo = num_lt(a, b) ? a : b;
		*hi = num_lt(a, b) ? b : a;
	} else if (r < 7 && f <= F_LADDR) {	/* a prefix */
		unsigned bits = rng_below(s, 6);	/* host bits 0..5 */
		uint64_t m = (1ull << bits) - 1;

		lo->hi = a.hi;
		lo->lo = a.lo & ~m;
		*hi = *lo;
		hi->lo |= m;
	} else {
		*lo = a;
		*hi = num_add(a, lens[rng_below(s, 8)], max);
	}
}

static void num_to_addr(struct num v, bool v6, uint8_t out[16])
{
	if (v6)
		put_v6(out, v.hi, v.lo);
	else
		put_v4(out, (uint32_t)v.lo);
}

/* The generator's view of a rule: the trule plus its ranges as numbers. */
struct grule {
	struct trule t;
	struct num lo[NF][TR_MAX], hi[NF][TR_MAX];
	uint32_t n[NF];
	bool present;
};

struct sublayer {
	uint32_t index;
	uint16_t weight;
};

struct set {
	uint64_t s;
	struct grule *rules;
	uint32_t nrules, cap;
	struct sublayer sl[4];
	uint32_t nsl;
	uint32_t nlayers;
	unsigned v6pct;
	struct classifier *c;
	unsigned seed_set;
	uint64_t seed_base;
	const char *phase;
	uint64_t lookups;
};

static void gen_rule(struct set *st, struct grule *g, uint64_t id)
{
	static const uint32_t actions[] = {
		CLS_ACTION_BLOCK, CLS_ACTION_BLOCK, CLS_ACTION_BLOCK, CLS_ACTION_BLOCK,
		CLS_ACTION_PERMIT, CLS_ACTION_PERMIT, CLS_ACTION_PERMIT, CLS_ACTION_PERMIT,
		CLS_ACTION_CALLOUT_INSPECTION, CLS_ACTION_CALLOUT_TERMINATING,
		CLS_ACTION_CALLOUT_UNKNOWN,
	};
	static const uint64_t weights[] = {
		0, 1, 2, 3, 1ull << 60, UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000ull,
	};
	uint64_t *s = &st->s;
	const struct sublayer *sl = &st->sl[rng_below(s, st->nsl)];
	bool v6 = rng_below(s, 100) < st->v6pct;
	uint64_t w = rng_below(s, 4) ? weights[rng_below(s, 8)] : rng_next(s);

	memset(g, 0, sizeof(*g));
	trule_init(&g->t, id, (uint16_t)(1 + rng_below(s, st->nlayers)), v6 ? 6 : 4,
		   actions[rng_below(s, 11)], sl->index, sl->weight, w);
	if (rng_below(s, 10) < 3)
		g->t.r.flags |= CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	if (rng_below(s, 10) == 0)
		g->t.r.flags |= 0x8 | 0x1;	/* ignored bits */
	for (int f = 0; f < NF; f++) {
		unsigned r = rng_below(s, 100);
		uint32_t k = r < 45 ? 0 : r < 85 ? 1 : 2 + rng_below(s, 2);

		for (uint32_t i = 0; i < k; i++) {
			field_range(s, f, v6, &g->lo[f][i], &g->hi[f][i]);
			switch (f) {
			case F_RADDR:
				num_to_addr(g->lo[f][i], v6, g->t.ra[i].lo);
				num_to_addr(g->hi[f][i], v6, g->t.ra[i].hi);
				if (!v6 && rng_below(s, 4) == 0)
					g->t.ra[i].lo[12] = 0x5a;	/* ignored in v4 */
				break;
			case F_LADDR:
				num_to_addr(g->lo[f][i], v6, g->t.la[i].lo);
				num_to_addr(g->hi[f][i], v6, g->t.la[i].hi);
				break;
			case F_RPORT:
				g->t.rp[i] = (struct cls_range32){ (uint32_t)g->lo[f][i].lo,
								   (uint32_t)g->hi[f][i].lo };
				break;
			case F_LPORT:
				g->t.lp[i] = (struct cls_range32){ (uint32_t)g->lo[f][i].lo,
								   (uint32_t)g->hi[f][i].lo };
				break;
			default:
				g->t.pr[i] = (struct cls_range32){ (uint32_t)g->lo[f][i].lo,
								   (uint32_t)g->hi[f][i].lo };
				break;
			}
		}
		g->n[f] = k;
	}
	g->t.r.n_remote_addr = g->n[F_RADDR];
	g->t.r.n_local_addr = g->n[F_LADDR];
	g->t.r.n_remote_port = g->n[F_RPORT];
	g->t.r.n_local_port = g->n[F_LPORT];
	g->t.r.n_protocol = g->n[F_PROTO];
}

static struct cls_packet gen_packet(struct set *st)
{
	uint64_t *s = &st->s;
	struct cls_packet p;
	struct num v[NF];
	const struct grule *g = NULL;
	bool v6;

	memset(&p, 0, sizeof(p));
	if (st->nrules && rng_below(s, 4)) {
		g = &st->rules[rng_below(s, st->nrules)];
		p.layer = g->t.r.layer;
		v6 = g->t.r.ip_version == 6;
	} else {
		p.layer = (uint16_t)(1 + rng_below(s, st->nlayers + 1));
		v6 = rng_below(s, 100) < st->v6pct;
	}
	p.ip_version = v6 ? 6 : 4;
	for (int f = 0; f < NF; f++) {
		if (g && g->n[f] && rng_below(s, 8)) {
			uint32_t i = rng_below(s, g->n[f]);
			struct num lo = g->lo[f][i], hi = g->hi[f][i];

			switch (rng_below(s, 6)) {
			case 0:
				v[f] = lo;
				break;
			case 1:
				v[f] = hi;
				break;
			case 2:
				v[f] = num_is_zero(lo) ? lo : num_sub1(lo);
				break;
			case 3:
				v[f] = num_eq(hi, field_max(f, v6)) ? hi :
					num_add(hi, 1, field_max(f, v6));
				break;
			default:
				v[f] = num_add(lo, rng_below(s, 8), hi);
				break;
			}
		} else {
			v[f] = field_value(s, f, v6);
		}
	}
	num_to_addr(v[F_RADDR], v6, p.remote_addr);
	num_to_addr(v[F_LADDR], v6, p.local_addr);
	if (!v6 && rng_below(s, 4) == 0)
		p.remote_addr[9] = 0xa5;	/* ignored in v4 */
	p.remote_port = (uint16_t)v[F_RPORT].lo;
	p.local_port = (uint16_t)v[F_LPORT].lo;
	p.protocol = (uint8_t)v[F_PROTO].lo;
	return p;
}

static void dump_rules(const struct set *st)
{
	for (uint32_t i = 0; i < st->nrules; i++) {
		const struct grule *g = &st->rules[i];

		if (!g->present)
			continue;
		fprintf(stderr, "  rule id %" PRIu64 " layer %u v%u action %#x flags %#x "
			"sublayer %u/%u weight %#" PRIx64 ":", g->t.r.filter_id,
			g->t.r.layer, g->t.r.ip_version, g->t.r.action, g->t.r.flags,
			g->t.r.sublayer_index, g->t.r.sublayer_weight, g->t.r.weight);
		for (int f = 0; f < NF; f++)
			for (uint32_t k = 0; k < g->n[f]; k++)
				fprintf(stderr, " f%d[%" PRIx64 ":%" PRIx64 "-%" PRIx64 ":%" PRIx64 "]",
					f, g->lo[f][k].hi, g->lo[f][k].lo, g->hi[f][k].hi,
					g->hi[f][k].lo);
		fprintf(stderr, "\n");
	}
}

static void check_packets(struct set *st, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct cls_packet p = gen_packet(st);
		struct cls_verdict v, w;
		int rv = classifier_lookup(st->c, &p, &v);
		int rw = classifier_lookup_reference(st->c, &p, &w);

		st->lookups++;
		if (rv || rw || v.filter_id != w.filter_id || v.action != w.action) {
			fprintf(stderr, "classify.random: MISMATCH, reproduce with CLS_SEED=%" PRIu64
				" CLS_SET=%u (phase %s)\n", st->seed_base, st->seed_set, st->phase);
			fprintf(stderr, "  packet layer %u v%u proto %u lport %u rport %u\n",
				p.layer, p.ip_version, p.protocol, p.local_port, p.remote_port);
			fprintf(stderr, "  fast rc %d id %" PRIu64 " action %#x; reference rc %d id %"
				PRIu64 " action %#x\n", rv, v.filter_id, v.action, rw, w.filter_id,
				w.action);
			if (st->nrules <= 40)
				dump_rules(st);
			fail();
		}
	}
}

static void add_rule(struct set *st, struct grule *g)
{
	int ret = classifier_add(st->c, trule_rule(&g->t));

	if (ret) {
		fprintf(stderr, "classify.random: add failed %d, CLS_SEED=%" PRIu64
			" CLS_SET=%u\n", ret, st->seed_base, st->seed_set);
		fail();
	}
	g->present = true;
}

static void remove_rule(struct set *st, struct grule *g)
{
	assert_int_equal(classifier_remove(st->c, g->t.r.filter_id), 0);
	g->present = false;
}

static void random_tuning(struct set *st)
{
	static const uint32_t caps[] = { 1, 2, 4, 32 };
	static const uint32_t budgets[] = { 1, 2, 8, 64 };
	static const uint32_t pend[] = { 1, 4, 64 };
	struct classifier_tuning t;
	uint64_t *s = &st->s;

	if (rng_below(s, 2))
		return;		/* defaults */
	t.cover_cap = caps[rng_below(s, 4)];
	t.max_levels = 1 + rng_below(s, 4);
	t.budget_per_rule = budgets[rng_below(s, 4)];
	t.pending_max = pend[rng_below(s, 3)];
	assert_int_equal(classifier_set_tuning(st->c, &t), 0);
}

static void run_set(uint64_t base, unsigned set_no, uint64_t *lookups)
{
	static const uint16_t slw[] = { 0, 1, 7, 0xffff };
	struct set st;
	uint32_t n, next_id = 1;
	uint64_t *s;
	unsigned r;

	memset(&st, 0, sizeof(st));
	st.seed_base = base;
	st.seed_set = set_no;
	st.s = base ^ ((uint64_t)set_no * 0xD1B54A32D192ED03ull);
	rng_next(&st.s);
	s = &st.s;
	r = rng_below(s, 100);
	n = r < 70 ? 1 + rng_below(s, 16) : r < 92 ? 17 + rng_below(s, 84) :
		101 + rng_below(s, MAX_RULES - 100);
	st.cap = n + n / 2 + 4;
	st.rules = calloc(st.cap, sizeof(*st.rules));
	assert_non_null(st.rules);
	st.nsl = 1 + rng_below(s, 4);
	for (uint32_t i = 0; i < st.nsl; i++) {
		st.sl[i].index = rng_below(s, 5);
		st.sl[i].weight = slw[rng_below(s, 4)];
	}
	st.nlayers = 1 + rng_below(s, 2);
	st.v6pct = (unsigned[]){ 0, 25, 50, 100 }[rng_below(s, 4)];
	assert_int_equal(classifier_create(&st.c), 0);
	random_tuning(&st);

	/* ids unique within the set; a few big ones */
	for (uint32_t i = 0; i < n; i++)
		gen_rule(&st, &st.rules[i], rng_below(s, 8) ? next_id++ :
			 (rng_next(s) | 1) << 20 | next_id++);
	st.nrules = n;

	st.phase = "add";
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = i + rng_below(s, n - i);
		struct grule tmp = st.rules[i];

		st.rules[i] = st.rules[j];
		st.rules[j] = tmp;
		add_rule(&st, &st.rules[i]);
		if (rng_below(s, 16) == 0)
			check_packets(&st, 1);
	}
	check_packets(&st, 12);
	if (rng_below(s, 2)) {
		st.phase = "build";
		assert_int_equal(classifier_build(st.c), 0);
		check_packets(&st, 8);
	}

	st.phase = "remove";
	{
		unsigned pct = (unsigned[]){ 10, 50, 90 }[rng_below(s, 3)];

		for (uint32_t i = 0; i < st.nrules; i++)
			if (rng_below(s, 100) < pct)
				remove_rule(&st, &st.rules[i]);
	}
	check_packets(&st, 12);

	st.phase = "re-add";
	for (uint32_t i = 0; i < st.nrules; i++) {
		struct grule *g = &st.rules[i];

		if (g->present || rng_below(s, 2))
			continue;
		if (rng_below(s, 2))
			gen_rule(&st, g, g->t.r.filter_id);	/* same id, new rule */
		add_rule(&st, g);
	}
	while (st.nrules < st.cap && rng_below(s, 3)) {
		gen_rule(&st, &st.rules[st.nrules], next_id++);
		add_rule(&st, &st.rules[st.nrules++]);
	}
	check_packets(&st, 12);

	st.phase = "steps";
	for (int step = 0; step < 20; step++) {
		struct grule *g = &st.rules[rng_below(s, st.nrules)];

		if (g->present)
			remove_rule(&st, g);
		else
			add_rule(&st, g);
		check_packets(&st, 1 + rng_below(s, 2));
	}

	st.phase = "final build";
	assert_int_equal(classifier_build(st.c), 0);
	check_packets(&st, 8);

	classifier_destroy(st.c);
	free(st.rules);
	*lookups += st.lookups;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static void test_random_sets(void **state)
{
	uint64_t base = env_u64("CLS_SEED", 0x5eedc1a551f1ull);
	uint64_t sets = env_u64("CLS_SETS", 10000);
	uint64_t only = env_u64("CLS_SET", UINT64_MAX);
	uint64_t lookups = 0;

	if (only != UINT64_MAX) {
		run_set(base, (unsigned)only, &lookups);
	} else {
		for (uint64_t i = 0; i < sets; i++)
			run_set(base, (unsigned)i, &lookups);
	}
	printf("classify.random: seed %" PRIu64 ", %" PRIu64 " sets, %" PRIu64
	       " lookups compared\n", base, only != UINT64_MAX ? 1 : sets, lookups);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
