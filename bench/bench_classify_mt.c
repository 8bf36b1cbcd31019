/* bench_classify_mt.c - what a packet thread pays to classify a new flow
 * (engine_classify, the datapath's upcall) while policy changes commit.
 *
 * The engine holds N filters (default 10,000) at the outbound IPv4
 * transport layer: a remote /32 and a remote port each, a third block, the
 * rest permit, added in one transaction. R reader threads (default 2)
 * classify random flows (half aimed at a filter) for S seconds (default
 * 2), first alone, then beside a writer that adds and deletes one filter
 * per loop, each change its own commit. Each reader times every call
 * (clock_gettime included: about 20 ns); printed: classifications per
 * second (all readers), the mean, median, 99th percentile (16 ns
 * buckets; -1: above 8 us) and worst call, and the writer's commits per
 * second. --store FILE: the writer's filters are persistent, so each
 * change is also one fsync'd SQLite commit (the store, src/policy).
 * On a loaded machine the mean and the worst call mostly measure
 * preemption; the median and p99 are the figures to compare.
 * Uses engine.h only, so the same file measures an engine whose
 * engine_classify takes the engine lock and one that reads a published
 * snapshot. Prints a table; --out FILE also writes JSON.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "engine/engine.h"
#include "policy/pol_store.h"

#define BUCKET_NS 16	/* histogram: 16 ns buckets up to 8 us, then one */
#define NBUCKETS 513

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

struct reader {
	pthread_t tid;
	uint64_t seed;
	uint64_t calls, total_ns, max_ns, errors;
	uint64_t hist[NBUCKETS];
};

static struct {
	struct engine *e;
	struct engine_session *s;
	unsigned nfilters;
	bool persistent;	/* the writer's filters go to the store */
	atomic_bool stop;
	atomic_ulong commits;
} g;

static void make_filter(FWPM_FILTER0 *f, FWPM_FILTER_CONDITION0 *c, uint32_t n)
{
	memset(f, 0, sizeof(*f));
	memset(c, 0, 2 * sizeof(*c));
	f->displayData.name = L"bench filter";
	f->layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f->action.type = n % 3 ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
	c[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_UINT32;
	c[0].conditionValue.uint32 = 0x0a000000u + n;
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	c[1].matchType = FWP_MATCH_EQUAL;
	c[1].conditionValue.type = FWP_UINT16;
	c[1].conditionValue.uint16 = (UINT16)(1 + n % 60000);
	f->numFilterConditions = 2;
	f->filterCondition = c;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct engine_flow f = { .layer = &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
				 .ip_version = 4, .protocol = IPPROTO_TCP };
	struct engine_verdict v;

	while (!atomic_load_explicit(&g.stop, memory_order_relaxed)) {
		uint32_t n = rnd(&r->seed) % (g.nfilters * 2), addr;
		uint64_t t0, dt;
		unsigned b = 0;

		addr = htonl(0x0a000000u + n);
		memcpy(f.remote_addr, &addr, 4);
		f.remote_port = (uint16_t)(1 + n % 60000);
		f.local_port = (uint16_t)(1024 + n);
		t0 = now_ns();
		if (engine_classify(g.e, &f, &v))
			r->errors++;
		dt = now_ns() - t0;
		r->calls++;
		r->total_ns += dt;
		if (dt > r->max_ns)
			r->max_ns = dt;
		b = dt / BUCKET_NS < NBUCKETS - 1 ? (unsigned)(dt / BUCKET_NS) : NBUCKETS - 1;
		r->hist[b]++;
	}
	return NULL;
}

static void *writer_main(void *arg)
{
	uint32_t n = g.nfilters;

	(void)arg;
	while (!atomic_load(&g.stop)) {
		FWPM_FILTER0 f;
		FWPM_FILTER_CONDITION0 c[2];
		UINT64 id;
		struct pol_ref ref = { .by_key = false };

		make_filter(&f, c, n++);
		if (g.persistent)
			f.flags = FWPM_FILTER_FLAG_PERSISTENT;
		if (engine_pol_add(g.s, POL_FILTER, &f, &id))
			abort();
		ref.id = id;
		if (engine_pol_delete(g.s, POL_FILTER, &ref))
			abort();
		atomic_fetch_add(&g.commits, 2);
	}
	return NULL;
}

struct result {
	double per_s, mean_ns, p50_ns, p99_ns, max_ns, commits_s;
	uint64_t errors;
};

/* Upper edge of the bucket holding the q-th share of the calls (-1:
 * beyond the histogram). */
static double quantile(const uint64_t *hist, uint64_t calls, double q)
{
	uint64_t want = (uint64_t)(calls * q), seen = 0;

	for (unsigned b = 0; b < NBUCKETS - 1; b++) {
		seen += hist[b];
		if (seen > want)
			return (double)((b + 1) * BUCKET_NS);
	}
	return -1;
}

static struct result run(unsigned nreaders, double seconds, bool writer)
{
	struct reader *r = calloc(nreaders, sizeof(*r));
	uint64_t hist[NBUCKETS] = { 0 }, calls = 0, total = 0, worst = 0, t0;
	struct result res = { 0 };
	pthread_t w;
	double el;

	atomic_store(&g.stop, false);
	atomic_store(&g.commits, 0);
	for (unsigned i = 0; i < nreaders; i++) {
		r[i].seed = 0x9e3779b97f4a7c15ull * (i + 1);
		pthread_create(&r[i].tid, NULL, reader_main, &r[i]);
	}
	if (writer)
		pthread_create(&w, NULL, writer_main, NULL);
	t0 = now_ns();
	while ((now_ns() - t0) / 1e9 < seconds)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	atomic_store(&g.stop, true);
	el = (now_ns() - t0) / 1e9;
	for (unsigned i = 0; i < nreaders; i++) {
		pthread_join(r[i].tid, NULL);
		calls += r[i].calls;
		total += r[i].total_ns;
		res.errors += r[i].errors;
		if (r[i].max_ns > worst)
			worst = r[i].max_ns;
		for (unsigned b = 0; b < NBUCKETS; b++)
			hist[b] += r[i].hist[b];
	}
	if (writer)
		pthread_join(w, NULL);
	res.per_s = calls / el;
	res.mean_ns = calls ? (double)total / calls : 0;
	res.p50_ns = quantile(hist, calls, 0.5);
	res.p99_ns = quantile(hist, calls, 0.99);
	res.max_ns = (double)worst;
	res.commits_s = atomic_load(&g.commits) / el;
	free(r);
	return res;
}

static void print(const char *name, const struct result *r)
{
	printf("%-14s %12.0f %9.0f %9.0f %9.0f %11.0f %10.0f %6" PRIu64 "\n", name, r->per_s,
	       r->mean_ns, r->p50_ns, r->p99_ns, r->max_ns, r->commits_s, r->errors);
}

static void json(FILE *f, const char *name, const struct result *r, bool last)
{
	fprintf(f, "  \"%s\": {\"classify_per_s\": %.0f, \"mean_ns\": %.0f, \"p50_ns\": %.0f, "
		"\"p99_ns\": %.0f, \"max_ns\": %.0f, \"commits_per_s\": %.0f}%s\n", name,
		r->per_s, r->mean_ns, r->p50_ns, r->p99_ns, r->max_ns, r->commits_s,
		last ? "" : ",");
}

int main(int argc, char **argv)
{
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };
	struct engine_config cfg = { 0 };
	unsigned nreaders = 2;
	double seconds = 2;
	const char *out = NULL, *store = NULL;
	struct pol_store *ps = NULL;
	struct result idle, busy;

	g.nfilters = 10000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--filters"))
			g.nfilters = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--readers"))
			nreaders = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "--store"))
			store = argv[i + 1];
	}
	if (store) {
		unlink(store);
		if (pol_store_open(store, &ps))
			return 1;
		cfg.store = &pol_store_ops;
		cfg.store_arg = ps;
		g.persistent = true;
	}
	if (!g.nfilters || !nreaders || engine_create(&cfg, &g.e) ||
	    engine_session_open(g.e, NULL, &cred, NULL, &g.s) || engine_txn_begin(g.s, 0))
		return 1;
	for (uint32_t n = 0; n < g.nfilters; n++) {
		FWPM_FILTER0 f;
		FWPM_FILTER_CONDITION0 c[2];

		make_filter(&f, c, n);
		if (engine_pol_add(g.s, POL_FILTER, &f, NULL))
			return 1;
	}
	if (engine_txn_commit(g.s))
		return 1;
	idle = run(nreaders, seconds, false);
	busy = run(nreaders, seconds, true);
	printf("%u filters, %u readers, %.1f s each%s\n", g.nfilters, nreaders, seconds,
	       store ? ", the writer's filters persistent (one store commit each)" : "");
	printf("%-14s %12s %9s %9s %9s %11s %10s %6s\n", "", "classify/s", "mean ns",
	       "p50 ns", "p99 ns", "worst ns", "commits/s", "errors");
	print("alone", &idle);
	print("with writer", &busy);
	if (out) {
		FILE *f = fopen(out, "w");

		if (!f)
			return 1;
		fprintf(f, "{\n  \"filters\": %u, \"readers\": %u,\n", g.nfilters, nreaders);
		json(f, "alone", &idle, false);
		json(f, "with_writer", &busy, true);
		fprintf(f, "}\n");
		fclose(f);
	}
	engine_session_close(g.s);
	engine_destroy(g.e);
	pol_store_close(ps);
	return idle.errors || busy.errors;
}
