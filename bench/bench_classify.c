/* bench_classify.c - the filter classifier (src/policy/classify.h).
 *
 * 1. Lookups/s with 10k random realistic filters in one layer (IPv4; see
 *    "realistic rules" below; one catch-all permit at the bottom of the
 *    last sublayer is the default): classifier_lookup and
 *    classifier_lookup_reference, runs interleaved, median of 5. Traffic:
 *    half the packets aimed at a random rule, half random within the same
 *    address pools and ports (about 45% end blocked, 15% at the default).
 *    Every packet is also checked fast == reference once. The same again
 *    as IPv6 (each IPv4 value v mapped to 2001:db8::/64 + v << 32, ranges
 *    kept).
 * 2. With 100k filters present (same generator, one layer):
 *    - build: one full index build of the layer;
 *    - add+lookup: classifier_add of a new filter followed by one
 *      classifier_lookup, repeated; the time per pair includes the lookup
 *      and every rebuild those lookups trigger (the overlay holds up to 64
 *      new filters, so a rebuild happens every ~64 adds); the lookup-only
 *      cost at 100k is printed alongside so it can be subtracted;
 *    - remove+lookup: the same with classifier_remove of a present filter
 *      (tombstones; a rebuild after n/8 removes: the run is long enough to
 *      include one);
 *    - bulk add: K adds then one lookup (one rebuild), per add;
 *    - rebuild-every-change: tuning pending_max = 1, so every add followed
 *      by a lookup rebuilds the whole layer (what a plain lazy rebuild
 *      would cost).
 *    Median of 5 runs each, after 3 untimed builds (the first builds of a
 *    process also pay for faulting in fresh heap pages; a long-running
 *    engine reuses them).
 *
 * Prints a table; --out FILE also writes the figures as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/classify.h"
#include "cls_util.h"

#define RUNS	5
#define WARMUP	3	/* builds before timing: the heap reaches its size */
#define NPKT	65536
#define LAYER	3
#define NSITES	2000

static volatile uint64_t sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), dbl_cmp);
	return v[n / 2];
}

/* ---- realistic rules ----
 * Remote address in 98% of the filters (/32 50%, /24 30%, /28 10%, /16 5%,
 * odd ranges 5%, around 2,000 sites, two thirds in 10/8); local address
 * (/32 of 8 hosts) 30%; remote port 60% (equal 75%, else 1024-65535 or a
 * random span <= 100); local port 30%; protocol TCP/UDP 90%; the 2%
 * without a remote address have one exact port. Weights random, 4 sublayers,
 * actions permit 60%, block 35%, inspection callout 5%. */

struct gen {
	uint64_t s;
	uint32_t sites[NSITES];		/* /24 networks */
	uint32_t locals[8];
	uint64_t next_id;
};

static const uint16_t well_known[] = {
	22, 25, 53, 80, 123, 143, 389, 443, 445, 465, 587, 993, 995, 1433,
	3306, 3389, 5060, 5432, 8080, 8443,
};

static void gen_init(struct gen *g, uint64_t seed)
{
	g->s = seed;
	for (int i = 0; i < NSITES; i++) {
		uint32_t net = rng_below(&g->s, 3) ? 0x0a000000u | (rng_below(&g->s, 1u << 16) << 8) :
			(uint32_t)(rng_next(&g->s) & 0xffffff00u);

		g->sites[i] = net;
	}
	for (int i = 0; i < 8; i++)
		g->locals[i] = 0xc0a80100u | (10 + i);
	g->next_id = 1;
}

static uint16_t gen_port(struct gen *g)
{
	return rng_below(&g->s, 4) ? well_known[rng_below(&g->s, 20)] :
		(uint16_t)(1024 + rng_below(&g->s, 64512));
}

static void gen_rule(struct gen *g, struct trule *t)
{
	static const uint16_t slw[4] = { 0xffff, 0x8000, 0x1000, 0 };
	uint64_t *s = &g->s;
	unsigned sl = rng_below(s, 4), r = rng_below(s, 100);
	uint32_t action = r < 60 ? CLS_ACTION_PERMIT : r < 95 ? CLS_ACTION_BLOCK :
		CLS_ACTION_CALLOUT_INSPECTION;

	trule_init(t, g->next_id++, LAYER, 4, action, sl, slw[sl], rng_next(s) >> 4);
	if (rng_below(s, 100) < 98) {
		uint32_t site = g->sites[rng_below(s, NSITES)];

		t->r.n_remote_addr = 1;
		r = rng_below(s, 100);
		if (r < 50)
			addr_v4_prefix(&t->ra[0], site | rng_below(s, 256), 32);
		else if (r < 80)
			addr_v4_prefix(&t->ra[0], site, 24);
		else if (r < 90)
			addr_v4_prefix(&t->ra[0], site | rng_below(s, 256), 28);
		else if (r < 95)
			addr_v4_prefix(&t->ra[0], site, 16);
		else
			addr_v4_range(&t->ra[0], site | 10, site | (10 + rng_below(s, 200)));
	}
	if (rng_below(s, 10) < 3) {
		t->r.n_local_addr = 1;
		addr_v4_prefix(&t->la[0], g->locals[rng_below(s, 8)], 32);
	}
	if (rng_below(s, 10) < 6) {
		if (rng_below(s, 4)) {
			uint16_t p = gen_port(g);

			tr_rport(t, p, p);
		} else {
			uint16_t p = (uint16_t)(1024 + rng_below(s, 60000));

			if (rng_below(s, 2))
				tr_rport(t, 1024, 65535);
			else
				tr_rport(t, p, p + rng_below(s, 100));
		}
	}
	if (rng_below(s, 10) < 3) {
		uint16_t p = gen_port(g);

		tr_lport(t, p, p);
	}
	if (rng_below(s, 10) < 9) {
		uint32_t pr = rng_below(s, 10) < 6 ? 6 : 17;

		tr_proto(t, pr, pr);
	}
	if (!t->r.n_remote_addr) {
		/* "any address": one exact port instead, as firewalls do */
		uint16_t p = gen_port(g);

		t->r.n_remote_port = t->r.n_local_port = 0;
		if (rng_below(s, 2))
			tr_rport(t, p, p);
		else
			tr_lport(t, p, p);
	}
}

/* The default: a catch-all permit at the bottom of the last sublayer. */
static void gen_default(struct gen *g, struct trule *t)
{
	trule_init(t, g->next_id++, LAYER, 4, CLS_ACTION_PERMIT, 3, 0, 0);
}

static uint32_t pick(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng_next(s) % ((uint64_t)hi - lo + 1));
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static struct cls_packet gen_packet(struct gen *g, const struct trule *rules, uint32_t n)
{
	uint64_t *s = &g->s;
	uint32_t ra = g->sites[rng_below(s, NSITES)] | rng_below(s, 256);
	uint32_t la = g->locals[rng_below(s, 8)];
	uint16_t rp = gen_port(g), lp = (uint16_t)(1024 + rng_below(s, 64512));
	uint8_t pr = rng_below(s, 10) < 6 ? 6 : 17;

	if (n && rng_below(s, 2)) {
		const struct trule *t = &rules[rng_below(s, n)];

		if (t->r.n_remote_addr)
			ra = pick(s, be32(t->ra[0].lo), be32(t->ra[0].hi));
		if (t->r.n_local_addr)
			la = pick(s, be32(t->la[0].lo), be32(t->la[0].hi));
		if (t->r.n_remote_port)
			rp = (uint16_t)pick(s, t->rp[0].lo, t->rp[0].hi);
		if (t->r.n_local_port)
			lp = (uint16_t)pick(s, t->lp[0].lo, t->lp[0].hi);
		if (t->r.n_protocol)
			pr = (uint8_t)t->pr[0].lo;
	}
	return pkt_v4(LAYER, pr, la, lp, ra, rp);
}

/* ---- the IPv6 copy ---- */

#define V6_NET	0x20010db800000000ull

static void addr_to_v6(struct cls_addr *a)
{
	uint32_t lo = be32(a->lo), hi = be32(a->hi);

	put_v6(a->lo, V6_NET, (uint64_t)lo << 32);
	put_v6(a->hi, V6_NET, (uint64_t)hi << 32 | 0xffffffffu);
}

static void rule_to_v6(struct trule *t)
{
	t->r.ip_version = 6;
	for (uint32_t i = 0; i < t->r.n_remote_addr; i++)
		addr_to_v6(&t->ra[i]);
	for (uint32_t i = 0; i < t->r.n_local_addr; i++)
		addr_to_v6(&t->la[i]);
}

static void packet_to_v6(struct cls_packet *p, uint64_t *s)
{
	uint32_t ra = be32(p->remote_addr), la = be32(p->local_addr);

	p->ip_version = 6;
	put_v6(p->remote_addr, V6_NET, (uint64_t)ra << 32 | (rng_next(s) >> 32));
	put_v6(p->local_addr, V6_NET, (uint64_t)la << 32 | (rng_next(s) >> 32));
}

/* ---- measurements ---- */

static double lookups_per_s(struct classifier *c, const struct cls_packet *pk,
			    uint32_t count, int reference)
{
	struct cls_verdict v;
	uint64_t x = 0;
	double t0 = now_s();

	for (uint32_t i = 0; i < count; i++) {
		if (reference)
			classifier_lookup_reference(c, &pk[i % NPKT], &v);
		else
			classifier_lookup(c, &pk[i % NPKT], &v);
		x += v.filter_id;
	}
	sink += x;
	return count / (now_s() - t0);
}

static int add_n(struct classifier *c, struct gen *g, struct trule *rules, uint32_t n,
		 bool v6)
{
	for (uint32_t i = 0; i < n; i++) {
		int ret;

		if (!i)
			gen_default(g, &rules[i]);
		else
			gen_rule(g, &rules[i]);
		if (v6)
			rule_to_v6(&rules[i]);
		ret = classifier_add(c, trule_rule(&rules[i]));
		if (ret)
			return ret;
	}
	return 0;
}

struct results {
	double fast10k6, ref10k6;
	double fast10k, ref10k, build10k_ms, fast100k, build100k_ms;
	double add_us, remove_us, bulk_add_us, rebuild_each_us, lookup100k_us;
	uint64_t bytes10k, bytes100k, add_rebuilds, remove_rebuilds;
	uint32_t mismatches;
};

static int bench_10k(struct results *res, struct cls_packet *pk, bool v6)
{
	enum { N = 10000 };
	struct trule *rules = calloc(N, sizeof(*rules));
	struct classifier *c = NULL;
	struct classifier_tuning tune;
	struct classifier_stats st;
	double fast[RUNS], ref[RUNS], build[RUNS];
	struct gen g;
	int ret = -ENOMEM;

	if (!rules || classifier_create(&c))
		goto out;
	gen_init(&g, 42);
	ret = add_n(c, &g, rules, N, false);
	if (ret)
		goto out;
	classifier_get_tuning(c, &tune);
	for (int r = -WARMUP; r < RUNS && !v6; r++) {
		double t0;

		classifier_set_tuning(c, &tune);	/* marks the layer stale */
		t0 = now_s();
		ret = classifier_build(c);
		if (r >= 0)
			build[r] = (now_s() - t0) * 1e3;
		if (ret)
			goto out;
	}
	if (!v6)
		res->build10k_ms = median(build, RUNS);
	for (uint32_t i = 0; i < NPKT; i++)
		pk[i] = gen_packet(&g, rules, N);
	if (v6) {
		/* same rules and packets, as IPv6 */
		classifier_destroy(c);
		c = NULL;
		if (classifier_create(&c))
			goto out;
		for (uint32_t i = 0; i < N; i++) {
			rule_to_v6(&rules[i]);
			ret = classifier_add(c, trule_rule(&rules[i]));
			if (ret)
				goto out;
		}
		for (uint32_t i = 0; i < NPKT; i++)
			packet_to_v6(&pk[i], &g.s);
	}
	for (uint32_t i = 0; i < NPKT; i++) {
		struct cls_verdict v, w;

		classifier_lookup(c, &pk[i], &v);
		classifier_lookup_reference(c, &pk[i], &w);
		if (v.filter_id != w.filter_id || v.action != w.action)
			res->mismatches++;
	}
	for (int r = 0; r < RUNS; r++) {
		fast[r] = lookups_per_s(c, pk, 4000000, 0);
		ref[r] = lookups_per_s(c, pk, 20000, 1);
	}
	if (v6) {
		res->fast10k6 = median(fast, RUNS);
		res->ref10k6 = median(ref, RUNS);
		ret = 0;
		goto out;
	}
	res->fast10k = median(fast, RUNS);
	res->ref10k = median(ref, RUNS);
	classifier_get_stats(c, &st);
	res->bytes10k = st.index_bytes;
	ret = 0;
out:
	classifier_destroy(c);
	free(rules);
	return ret;
}

static int bench_100k(struct results *res, struct cls_packet *pk)
{
	enum { N = 100000, KADD = 640, KREM = 13000, KBULK = 2000, KEACH = 20 };
	struct trule *rules = calloc(N + KADD + KBULK + KEACH, sizeof(*rules));
	struct trule *extra = rules + N;
	struct classifier *c = NULL;
	struct classifier_tuning tune, each;
	struct classifier_stats st0, st1;
	double build[RUNS], look[RUNS], add[RUNS], rem[RUNS], bulk[RUNS], every[RUNS];
	struct gen g;
	int ret = -ENOMEM;

	if (!rules || classifier_create(&c))
		goto out;
	gen_init(&g, 4242);
	ret = add_n(c, &g, rules, N, false);
	if (ret)
		goto out;
	classifier_get_tuning(c, &tune);
	each = tune;
	each.pending_max = 1;
	for (uint32_t i = 0; i < NPKT; i++)
		pk[i] = gen_packet(&g, rules, N);
	for (int r = 0; r < WARMUP; r++) {
		classifier_set_tuning(c, &tune);
		classifier_build(c);
	}

	for (int r = 0; r < RUNS; r++) {
		double t0;
		uint32_t base;

		/* full build */
		classifier_set_tuning(c, &tune);
		t0 = now_s();
		ret = classifier_build(c);
		build[r] = (now_s() - t0) * 1e3;
		if (ret)
			goto out;
		look[r] = 1e6 / lookups_per_s(c, pk, 1000000, 0);

		/* add + lookup */
		classifier_get_stats(c, &st0);
		t0 = now_s();
		for (uint32_t i = 0; i < KADD; i++) {
			struct cls_verdict v;

			gen_rule(&g, &extra[i]);
			ret = classifier_add(c, trule_rule(&extra[i]));
			if (ret)
				goto out;
			classifier_lookup(c, &pk[i % NPKT], &v);
		}
		add[r] = (now_s() - t0) * 1e6 / KADD;
		classifier_get_stats(c, &st1);
		res->add_rebuilds = st1.rebuilds - st0.rebuilds;
		for (uint32_t i = 0; i < KADD; i++)
			classifier_remove(c, extra[i].r.filter_id);
		classifier_build(c);

		/* remove + lookup (then put them back) */
		base = rng_below(&g.s, N - KREM - 1) + 1;
		classifier_get_stats(c, &st0);
		t0 = now_s();
		for (uint32_t i = 0; i < KREM; i++) {
			struct cls_verdict v;

			classifier_remove(c, rules[base + i].r.filter_id);
			classifier_lookup(c, &pk[i % NPKT], &v);
		}
		rem[r] = (now_s() - t0) * 1e6 / KREM;
		classifier_get_stats(c, &st1);
		res->remove_rebuilds = st1.rebuilds - st0.rebuilds;
		for (uint32_t i = 0; i < KREM; i++)
			classifier_add(c, trule_rule(&rules[base + i]));
		classifier_build(c);

		/* bulk: K adds, one lookup */
		{
			struct trule *b = extra + KADD;
			struct cls_verdict v;

			t0 = now_s();
			for (uint32_t i = 0; i < KBULK; i++) {
				gen_rule(&g, &b[i]);
				classifier_add(c, trule_rule(&b[i]));
			}
			classifier_lookup(c, &pk[0], &v);
			bulk[r] = (now_s() - t0) * 1e6 / KBULK;
			for (uint32_t i = 0; i < KBULK; i++)
				classifier_remove(c, b[i].r.filter_id);
			classifier_build(c);
		}

		/* every change rebuilds */
		{
			struct trule *e = extra + KADD + KBULK;

			classifier_set_tuning(c, &each);
			classifier_build(c);
			t0 = now_s();
			for (uint32_t i = 0; i < KEACH; i++) {
				struct cls_verdict v;

				gen_rule(&g, &e[i]);
				classifier_add(c, trule_rule(&e[i]));
				classifier_lookup(c, &pk[i], &v);
			}
			every[r] = (now_s() - t0) * 1e6 / KEACH;
			for (uint32_t i = 0; i < KEACH; i++)
				classifier_remove(c, e[i].r.filter_id);
			classifier_set_tuning(c, &tune);
			classifier_build(c);
		}
	}
	res->build100k_ms = median(build, RUNS);
	res->lookup100k_us = median(look, RUNS);
	res->fast100k = 1e6 / res->lookup100k_us;
	res->add_us = median(add, RUNS);
	res->remove_us = median(rem, RUNS);
	res->bulk_add_us = median(bulk, RUNS);
	res->rebuild_each_us = median(every, RUNS);
	classifier_get_stats(c, &st1);
	res->bytes100k = st1.index_bytes;
	ret = 0;
out:
	classifier_destroy(c);
	free(rules);
	return ret;
}

static void print_table(const struct results *r)
{
	printf("classifier, one IPv4 layer, 4 sublayers (median of %d runs)\n", RUNS);
	printf("%-44s %14s\n", "measure", "value");
	printf("%-44s %14.0f\n", "lookups/s, 10k filters, classifier_lookup", r->fast10k);
	printf("%-44s %14.0f\n", "lookups/s, 10k filters, reference scan", r->ref10k);
	printf("%-44s %14.1f\n", "speed-up fast / reference", r->fast10k / r->ref10k);
	printf("%-44s %14.2f\n", "index build, 10k filters (ms)", r->build10k_ms);
	printf("%-44s %14.2f\n", "index memory, 10k filters (MiB)", r->bytes10k / 1048576.0);
	printf("%-44s %14.0f\n", "IPv6: lookups/s, 10k filters, classifier_lookup", r->fast10k6);
	printf("%-44s %14.0f\n", "IPv6: lookups/s, 10k filters, reference scan", r->ref10k6);
	printf("%-44s %14.0f\n", "lookups/s, 100k filters, classifier_lookup", r->fast100k);
	printf("%-44s %14.2f\n", "index build, 100k filters (ms)", r->build100k_ms);
	printf("%-44s %14.2f\n", "index memory, 100k filters (MiB)", r->bytes100k / 1048576.0);
	printf("%-44s %14.2f\n", "add+lookup at 100k (us per pair)", r->add_us);
	printf("%-44s %14" PRIu64 "\n", "  rebuilds in 640 pairs", r->add_rebuilds);
	printf("%-44s %14.2f\n", "remove+lookup at 100k (us per pair)", r->remove_us);
	printf("%-44s %14" PRIu64 "\n", "  rebuilds in 13000 pairs", r->remove_rebuilds);
	printf("%-44s %14.3f\n", "  lookup alone at 100k (us)", r->lookup100k_us);
	printf("%-44s %14.2f\n", "bulk add at 100k, 2000 adds + 1 lookup (us/add)", r->bulk_add_us);
	printf("%-44s %14.0f\n", "add+lookup, rebuild at every change (us)", r->rebuild_each_us);
	printf("%-44s %14u\n", "fast != reference (of 2 x 65536 packets)", r->mismatches);
}

static int write_json(const char *path, const struct results *r)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "{\n  \"bench\": \"classify\",\n  \"runs\": %d,\n", RUNS);
	fprintf(f, "  \"lookups_per_s_10k_fast\": %.0f,\n", r->fast10k);
	fprintf(f, "  \"lookups_per_s_10k_reference\": %.0f,\n", r->ref10k);
	fprintf(f, "  \"build_ms_10k\": %.3f,\n  \"index_bytes_10k\": %" PRIu64 ",\n",
		r->build10k_ms, r->bytes10k);
	fprintf(f, "  \"lookups_per_s_10k_fast_v6\": %.0f,\n", r->fast10k6);
	fprintf(f, "  \"lookups_per_s_10k_reference_v6\": %.0f,\n", r->ref10k6);
	fprintf(f, "  \"lookups_per_s_100k_fast\": %.0f,\n", r->fast100k);
	fprintf(f, "  \"build_ms_100k\": %.3f,\n  \"index_bytes_100k\": %" PRIu64 ",\n",
		r->build100k_ms, r->bytes100k);
	fprintf(f, "  \"add_plus_lookup_us_100k\": %.3f,\n  \"add_rebuilds_per_640\": %" PRIu64 ",\n",
		r->add_us, r->add_rebuilds);
	fprintf(f, "  \"remove_plus_lookup_us_100k\": %.3f,\n  \"remove_rebuilds_per_13000\": %" PRIu64 ",\n",
		r->remove_us, r->remove_rebuilds);
	fprintf(f, "  \"lookup_us_100k\": %.4f,\n", r->lookup100k_us);
	fprintf(f, "  \"bulk_add_us_100k\": %.3f,\n", r->bulk_add_us);
	fprintf(f, "  \"add_plus_lookup_rebuild_every_change_us_100k\": %.1f,\n", r->rebuild_each_us);
	fprintf(f, "  \"mismatches\": %u\n}\n", r->mismatches);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct cls_packet *pk = malloc(NPKT * sizeof(*pk));
	struct results res;
	const char *out = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--out FILE]\n", argv[0]);
			return 2;
		}
	}
	memset(&res, 0, sizeof(res));
	if (!pk || bench_10k(&res, pk, false) || bench_10k(&res, pk, true) ||
	    bench_100k(&res, pk)) {
		fprintf(stderr, "bench_classify: out of memory or bad rule\n");
		return 1;
	}
	print_table(&res);
	if (out && write_json(out, &res)) {
		fprintf(stderr, "bench_classify: cannot write %s\n", out);
		return 1;
	}
	free(pk);
	return res.mismatches ? 1 : 0;
}
