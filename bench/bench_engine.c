/* bench_engine.c - in-process engine throughput and memory.
 *
 * Through the public API, against the in-process engine, with 1k and then
 * 1M live SA contexts: Update0/s, GetById1/s, full life cycles/s (Create1,
 * SetSpi0, AddInbound0, AddOutbound0, DeleteById0), the cost of the delete
 * alone, and resident memory per idle (mature) context. Prints a table and
 * writes JSON (--out FILE). Each figure is the median of several runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <fwpmu.h>

#define RUNS 5

static HANDLE engine;
static UINT32 next_spi = 0x1000;
static const UINT8 key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			       15, 16, 17, 18, 19, 20 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void die(const char *what, DWORD rc)
{
	fprintf(stderr, "bench: %s failed: 0x%08x\n", what, (unsigned)rc);
	exit(1);
}

static IPSEC_TRAFFIC1 traffic;
static IPSEC_GETSPI1 getspi;
static IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
static IPSEC_SA0 sa;
static IPSEC_SA_BUNDLE0 bundle;

static void setup_templates(void)
{
	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = 0xC0000201;
	traffic.remoteV4Address = 0xC6336407;
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	getspi.inboundIpsecTraffic = traffic;
	getspi.ipVersion = FWP_IP_VERSION_V4;
	info.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	info.saCipherInformation.cipherKey.size = sizeof(key);
	info.saCipherInformation.cipherKey.data = (UINT8 *)key;
	info.saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	info.saAuthInformation.authKey = info.saCipherInformation.cipherKey;
	sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa.espAuthAndCipherInformation = &info;
	bundle.lifetime.lifetimeSeconds = 3600;
	bundle.numSAs = 1;
	bundle.saList = &sa;
	bundle.ipVersion = FWP_IP_VERSION_V4;
}

static UINT64 make_context(void)
{
	UINT64 id;
	UINT32 spi = next_spi++;
	DWORD rc;

	if ((rc = IPsecSaContextCreate1(engine, &traffic, NULL, NULL, &id)))
		die("Create1", rc);
	if ((rc = IPsecSaContextSetSpi0(engine, id, &getspi, spi)))
		die("SetSpi0", rc);
	sa.spi = spi;
	if ((rc = IPsecSaContextAddInbound0(engine, id, &bundle)))
		die("AddInbound0", rc);
	sa.spi = 0x80000000u | spi;
	if ((rc = IPsecSaContextAddOutbound0(engine, id, &bundle)))
		die("AddOutbound0", rc);
	return id;
}

static UINT64 *ids;
static size_t nids;

static void grow_to(size_t n)
{
	ids = realloc(ids, n * sizeof(*ids));
	while (nids < n)
		ids[nids++] = make_context();
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static size_t pick(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % nids);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double bench_update(long iters)
{
	IPSEC_SA_DETAILS1 in, out;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_SA_CONTEXT1 ctx = { 0, &in, &out };
	double t0;
	DWORD rc;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.udpEncapsulation = out.udpEncapsulation = &encap;
	t0 = now_s();
	for (long i = 0; i < iters; i++) {
		ctx.saContextId = ids[pick()];
		encap.remoteUdpEncapPort = (UINT16)(4500 + (i & 1023));
		rc = IPsecSaContextUpdate0(engine, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, &ctx);
		if (rc)
			die("Update0", rc);
	}
	return iters / (now_s() - t0);
}

static double bench_get(long iters)
{
	IPSEC_SA_CONTEXT1 *c;
	double t0 = now_s();
	DWORD rc;

	for (long i = 0; i < iters; i++) {
		rc = IPsecSaContextGetById1(engine, ids[pick()], &c);
		if (rc)
			die("GetById1", rc);
		FwpmFreeMemory0((void **)&c);
	}
	return iters / (now_s() - t0);
}

/* Full life cycles; also reports the delete alone (ns per delete). */
static double bench_lifecycle(long iters, double *delete_ns)
{
	UINT64 *batch = malloc(sizeof(*batch) * (size_t)iters);
	double t0 = now_s(), t1, t2;
	DWORD rc;

	for (long i = 0; i < iters; i++)
		batch[i] = make_context();
	t1 = now_s();
	for (long i = 0; i < iters; i++)
		if ((rc = IPsecSaContextDeleteById0(engine, batch[i])))
			die("DeleteById0", rc);
	t2 = now_s();
	free(batch);
	*delete_ns = (t2 - t1) / iters * 1e9;
	return iters / (t2 - t0);
}

struct result {
	size_t live;
	double update, get, lifecycle, delete_ns;
};

static void measure(struct result *r, size_t live)
{
	double u[RUNS], g[RUNS], l[RUNS], d[RUNS];

	grow_to(live);
	r->live = live;
	for (int i = 0; i < RUNS; i++) {
		u[i] = bench_update(400000);
		g[i] = bench_get(200000);
		l[i] = bench_lifecycle(100000, &d[i]);
		if (getenv("BENCH_VERBOSE"))
			fprintf(stderr, "  run %d at %zu: update %.0f get %.0f life %.0f\n",
				i, live, u[i], g[i], l[i]);
	}
	r->update = median(u, RUNS);
	r->get = median(g, RUNS);
	r->lifecycle = median(l, RUNS);
	r->delete_ns = median(d, RUNS);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	struct result r[2];
	long rss0, rss1;
	double per_ctx;
	FILE *f;
	DWORD rc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
	setenv("FWP_ENGINE", "embedded", 1);
	if ((rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &engine)))
		die("FwpmEngineOpen0", rc);
	setup_templates();

	measure(&r[0], 1000);
	rss0 = rss_kib();
	grow_to(1000000);
	rss1 = rss_kib();
	per_ctx = (rss1 - rss0) * 1024.0 / (1000000 - 1000);
	measure(&r[1], 1000000);

	printf("in-process engine (%d runs each, medians)\n", RUNS);
	printf("  %-10s %14s %14s %14s %12s\n", "live ctx", "Update0/s", "GetById1/s",
	       "lifecycles/s", "delete ns");
	for (int i = 0; i < 2; i++)
		printf("  %-10zu %14.0f %14.0f %14.0f %12.0f\n", r[i].live, r[i].update,
		       r[i].get, r[i].lifecycle, r[i].delete_ns);
	printf("  RSS per idle context at 1M: %.0f bytes\n", per_ctx);
	printf("  delete cost 1M/1k: %.2fx\n", r[1].delete_ns / r[0].delete_ns);
	printf("targets: Update0 >= 1M/s, lifecycles >= 250k/s at 1M, "
	       "RSS <= 1024 B/context, delete cost independent of size\n");

	if (out) {
		char dir[512];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", out);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = 0;
			mkdir(dir, 0755);
		}
		f = fopen(out, "w");
		if (!f) {
			fprintf(stderr, "bench: %s: %s\n", out, strerror(errno));
			return 1;
		}
		fprintf(f, "{\"bench\":\"engine\",\"runs\":%d,\"results\":[", RUNS);
		for (int i = 0; i < 2; i++)
			fprintf(f, "%s{\"live\":%zu,\"update_per_s\":%.0f,\"get_per_s\":%.0f,"
				"\"lifecycles_per_s\":%.0f,\"delete_ns\":%.0f}", i ? "," : "",
				r[i].live, r[i].update, r[i].get, r[i].lifecycle, r[i].delete_ns);
		fprintf(f, "],\"rss_bytes_per_idle_context\":%.0f}\n", per_ctx);
		fclose(f);
	}
	FwpmEngineClose0(engine);
	return 0;
}
