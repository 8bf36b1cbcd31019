/* bench_policy.c - policy-object rates through the public API, in-process:
 * FwpmFilterAdd0 / FwpmFilterDeleteById0 with 100k filters present (the
 * classifier index kept in step), and commits per second of persistent
 * filters (FWP_STORE: one fsync'd SQLite commit each). Prints a table;
 * --out FILE writes JSON. Medians of 5 trials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>

#define BASE 100000
#define BATCH 10000
#define TRIALS 5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static DWORD add(HANDLE h, UINT32 n, UINT32 flags, UINT64 *id)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[2];
	GUID prov = { 0x7e57, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };

	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	f.filterKey = (GUID){ n, 0xbe, 0xef, { 1, 2, 3, 4, 5, 6, 7, 8 } };
	f.flags = flags;
	f.displayData.name = L"bench filter";
	f.providerKey = flags ? &prov : NULL;
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = n % 3 ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
	c[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_UINT32;
	c[0].conditionValue.uint32 = 0x0a000000u + n;
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	c[1].matchType = FWP_MATCH_EQUAL;
	c[1].conditionValue.type = FWP_UINT16;
	c[1].conditionValue.uint16 = (UINT16)(1 + n % 60000);
	f.numFilterConditions = 2;
	f.filterCondition = c;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, TRIALS, sizeof(*v), cmp);
	return v[TRIALS / 2];
}

int main(int argc, char **argv)
{
	static UINT64 ids[BATCH];
	double addr[TRIALS], delr[TRIALS], pers[TRIALS];
	const char *out = argc > 2 && !strcmp(argv[1], "--out") ? argv[2] : NULL;
	char dir[] = "/tmp/bench-policy-XXXXXX", path[80];
	HANDLE h = NULL;
	UINT32 next = 1;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/policy.db", dir);
	setenv("FWP_ENGINE", "embedded", 1);
	setenv("FWP_STORE", path, 1);
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 1;
	for (UINT32 i = 0; i < BASE; i++)
		if (add(h, next++, 0, NULL))
			return 1;
	{
		FWPM_PROVIDER0 p = { .providerKey = { 0x7e57, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } },
				     .flags = FWPM_PROVIDER_FLAG_PERSISTENT,
				     .displayData.name = L"bench" };
		if (FwpmProviderAdd0(h, &p, NULL))
			return 1;
	}
	for (int t = 0; t < TRIALS; t++) {
		double t0 = now_s(), t1;

		for (UINT32 i = 0; i < BATCH; i++)
			if (add(h, next++, 0, &ids[i]))
				return 1;
		t1 = now_s();
		addr[t] = BATCH / (t1 - t0);
		for (UINT32 i = 0; i < BATCH; i++)
			if (FwpmFilterDeleteById0(h, ids[i]))
				return 1;
		delr[t] = BATCH / (now_s() - t1);
		t0 = now_s();
		for (UINT32 i = 0; i < 200; i++)
			if (add(h, next++, FWPM_FILTER_FLAG_PERSISTENT, &ids[i]))
				return 1;
		pers[t] = 200 / (now_s() - t0);
		for (UINT32 i = 0; i < 200; i++)
			FwpmFilterDeleteById0(h, ids[i]);
	}
	printf("filters present: %d\n", BASE);
	printf("FwpmFilterAdd0      %10.0f /s (median of %d x %d)\n", median(addr), TRIALS, BATCH);
	printf("FwpmFilterDeleteById0 %8.0f /s\n", median(delr));
	printf("persistent adds     %10.0f /s (one durable commit each)\n", median(pers));
	if (out) {
		FILE *f = fopen(out, "w");

		if (f) {
			fprintf(f, "{\"filters_present\":%d,\"add_per_s\":%.0f,"
				"\"delete_per_s\":%.0f,\"persistent_add_per_s\":%.0f}\n",
				BASE, median(addr), median(delr), median(pers));
			fclose(f);
		}
	}
	FwpmEngineClose0(h);
	unlink(path);
	snprintf(path, sizeof(path), "%s/policy.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/policy.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
