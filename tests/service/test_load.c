/* test_load.c - 256 concurrent clients run SA-context life cycles against
 * one fwpd for LOAD_SECONDS (default 30): no call may fail, and the
 * daemon's memory stays bounded and returns once the clients are done.
 * Prints "N passed, M failed" as its closing line. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <fwpmu.h>

#include "harness.h"
#include "service_util.h"

#define CLIENTS 256

static atomic_long cycles, failures;
static atomic_bool stop;
static DWORD first_error;

static void *client_main(void *arg)
{
	UINT32 base = (UINT32)(uintptr_t)arg * 0x100000u + 0x1000;
	HANDLE h;
	DWORD rc;

	if ((rc = open_engine(&h))) {
		first_error = rc;
		atomic_fetch_add(&failures, 1);
		return NULL;
	}
	for (UINT32 i = 0; !atomic_load(&stop); i = (i + 1) & 0xFFFFF) {
		UINT64 id;

		rc = make_context(h, base + i, &id);
		if (!rc)
			rc = IPsecSaContextDeleteById0(h, id);
		if (rc) {
			first_error = rc;
			atomic_fetch_add(&failures, 1);
			break;
		}
		atomic_fetch_add(&cycles, 1);
	}
	FwpmEngineClose0(h);
	return NULL;
}

int main(void)
{
	const char *s = getenv("LOAD_SECONDS");
	int seconds = s ? atoi(s) : 30;
	struct fwpd_proc d;
	pthread_t t[CLIENTS];
	long rss0, rss_peak = 0, rss_end;
	int passed = 0, failed = 0;

	signal(SIGPIPE, SIG_IGN);
	if (fwpd_start(&d, NULL)) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	rss0 = fwpd_rss_kib(&d);
	for (long i = 0; i < CLIENTS; i++)
		pthread_create(&t[i], NULL, client_main, (void *)i);
	for (int i = 0; i < seconds * 10; i++) {
		long r = fwpd_rss_kib(&d);

		if (r > rss_peak)
			rss_peak = r;
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
	nanosleep(&(struct timespec){ .tv_nsec = 300000000 }, NULL);
	rss_end = fwpd_rss_kib(&d);
	printf("load: %d clients, %d s, %ld life cycles (%ld/s), %ld failures\n",
	       CLIENTS, seconds, atomic_load(&cycles), atomic_load(&cycles) / seconds,
	       atomic_load(&failures));
	printf("load: fwpd RSS %ld KiB at start, %ld KiB peak, %ld KiB after\n",
	       rss0, rss_peak, rss_end);
	if (atomic_load(&failures)) {
		printf("FAIL: %ld calls failed, first with 0x%08x\n",
		       atomic_load(&failures), (unsigned)first_error);
		failed++;
	} else {
		passed++;
	}
	/* Bounded: at most 64 MiB above the start at any time. */
	if (FWP_TEST_ASAN) {
		printf("load: memory bound not checked under ASan\n");
		passed++;
	} else if (rss_peak - rss0 > 64 * 1024) {
		printf("FAIL: daemon memory grew by %ld KiB\n", rss_peak - rss0);
		failed++;
	} else {
		passed++;
	}
	if (atomic_load(&cycles) == 0) {
		printf("FAIL: no life cycle completed\n");
		failed++;
	} else {
		passed++;
	}
	if (fwpd_stop(&d, SIGTERM) != 0) {
		printf("FAIL: fwpd did not exit cleanly\n");
		failed++;
	} else {
		passed++;
	}
	fwpd_cleanup(&d);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
