/* test_persist.c - persistent policy objects survive an engine restart
 * (docs/CONTRACT.md, "Persistence"):
 *
 *  - fwpd: objects with *_FLAG_PERSISTENT come back after a restart with
 *    their keys and ids, the others do not, and new ids stay above old ones;
 *  - fwpd killed with SIGKILL in the middle of a stream of single adds and
 *    three-object transactions: after the restart every object whose add
 *    or commit returned success is there, every transaction is whole or
 *    absent, and nothing else appears;
 *  - the in-process engine with FWP_STORE, across two processes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <fwpmu.h>

#include "common/secdesc.h"
#include "harness.h"

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s = 0x%08x, want 0x%08x", #expr, rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

static const GUID provider_key = { 0x6a1f7c10, 0x2b3d, 0x4e5f,
	{ 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7 } };

static HANDLE open_engine(void)
{
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static DWORD add_provider(HANDLE h, UINT32 flags)
{
	FWPM_PROVIDER0 p = { .providerKey = provider_key, .flags = flags,
			     .displayData.name = L"persistent provider" };

	return FwpmProviderAdd0(h, &p, NULL);
}

/* A persistent filter (flags) of the provider, key derived from n. */
static GUID key_of(uint32_t n)
{
	GUID g = { 0x51000000u | n, 0x1111, 0x2222, { 1, 2, 3, 4, 5, 6, 7, 8 } };

	return g;
}

static DWORD add_filter(HANDLE h, uint32_t n, UINT32 flags, UINT64 *id)
{
	FWPM_FILTER0 f;
	GUID prov = provider_key;

	memset(&f, 0, sizeof(f));
	f.filterKey = key_of(n);
	f.flags = flags;
	f.displayData.name = L"persistent filter";
	f.providerKey = &prov;
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

static bool filter_exists(HANDLE h, uint32_t n, UINT64 *id)
{
	GUID k = key_of(n);
	FWPM_FILTER0 *f = NULL;
	DWORD rc = FwpmFilterGetByKey0(h, &k, &f);

	if (rc == FWP_E_FILTER_NOT_FOUND)
		return false;
	OK(rc);
	if (id)
		*id = f->filterId;
	assert_true(f->flags & FWPM_FILTER_FLAG_PERSISTENT);
	assert_true(wcscmp(f->displayData.name, L"persistent filter") == 0);
	FwpmFreeMemory0((void **)&f);
	return true;
}

static void test_restart_keeps_persistent(void **state)
{
	struct fwpd_proc p;
	HANDLE h;
	UINT64 id1 = 0, id2 = 0, id3 = 0, got = 0;
	FWPM_PROVIDER0 *prov = NULL;

	(void)state;
	assert_int_equal(fwpd_start(&p, NULL), 0);
	h = open_engine();
	/* A persistent object may not reference a static one. */
	OK(add_provider(h, 0));
	RC(add_filter(h, 1, FWPM_FILTER_FLAG_PERSISTENT, &id1), FWP_E_LIFETIME_MISMATCH);
	OK(FwpmProviderDeleteByKey0(h, &provider_key));
	OK(add_provider(h, FWPM_PROVIDER_FLAG_PERSISTENT));
	OK(add_filter(h, 1, FWPM_FILTER_FLAG_PERSISTENT, &id1));
	OK(add_filter(h, 2, 0, &id2));		/* static: gone after restart */
	OK(FwpmTransactionBegin0(h, 0));
	OK(add_filter(h, 3, FWPM_FILTER_FLAG_PERSISTENT, &id3));
	OK(FwpmTransactionAbort0(h));		/* never written */
	OK(FwpmEngineClose0(h));

	assert_int_equal(fwpd_restart(&p), 0);
	h = open_engine();
	OK(FwpmProviderGetByKey0(h, &provider_key, &prov));
	assert_true(prov->flags & FWPM_PROVIDER_FLAG_PERSISTENT);
	FwpmFreeMemory0((void **)&prov);
	assert_true(filter_exists(h, 1, &got));
	assert_true(got == id1);
	assert_false(filter_exists(h, 2, NULL));
	assert_false(filter_exists(h, 3, NULL));
	OK(add_filter(h, 4, FWPM_FILTER_FLAG_PERSISTENT, &got));
	/* Above every id the store ever held (static and aborted ids of the
	 * previous run are not recorded: they named nothing durable). */
	assert_true(got > id1);
	OK(FwpmFilterDeleteById0(h, id1));
	OK(FwpmEngineClose0(h));

	assert_int_equal(fwpd_restart(&p), 0);
	h = open_engine();
	assert_false(filter_exists(h, 1, NULL));	/* the delete persisted */
	assert_true(filter_exists(h, 4, NULL));
	OK(FwpmEngineClose0(h));
	fwpd_cleanup(&p);
}

/* ---- security descriptors persist with their objects ---- */

static const GUID sd_keys[2] = {
	{ 0x5ec0a001, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } },
	{ 0x5ec0a002, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } },
};

static void *sd_of(const char *sddl, struct sd_view *v)
{
	void *sd = NULL;
	size_t len = 0;

	assert_int_equal(sd_from_sddl(sddl, &sd, &len), 0);
	assert_int_equal(sd_parse(sd, len, v), 0);
	return sd;
}

static void dacl_of(HANDLE h, const GUID *key, char *buf, size_t size)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	struct sd_view v;

	OK(FwpmProviderGetSecurityInfoByKey0(h, key, DACL_SECURITY_INFORMATION, NULL, NULL,
					     NULL, NULL, &sd));
	assert_int_equal(sd_parse(sd, sd_claimed_len(sd), &v), 0);
	sd_to_sddl(&v, buf, size);
	FwpmFreeMemory0(&sd);
}

static void test_descriptor_survives_restart(void **state)
{
	struct fwpd_proc p;
	struct sd_view v;
	FWPM_PROVIDER0 prov = { .flags = FWPM_PROVIDER_FLAG_PERSISTENT,
				.displayData.name = L"persistent provider" };
	FWPM_PROVIDER0 *got = NULL;
	void *sd;
	char buf[256];
	HANDLE h;

	(void)state;
	assert_int_equal(fwpd_start(&p, NULL), 0);
	h = open_engine();
	/* One added with its descriptor, one given it after the add. */
	sd = sd_of("O:SYD:(A;;0xf07ff;;;SY)(A;;0x80;;;S-1-22-1-4242)", &v);
	prov.providerKey = sd_keys[0];
	OK(FwpmProviderAdd0(h, &prov, sd));
	free(sd);
	prov.providerKey = sd_keys[1];
	OK(FwpmProviderAdd0(h, &prov, NULL));
	sd = sd_of("D:(A;;0x10000;;;SY)", &v);	/* root: DELETE only, no READ */
	OK(FwpmProviderSetSecurityInfoByKey0(h, &sd_keys[1], DACL_SECURITY_INFORMATION, NULL,
					     NULL, (const ACL *)v.part[SD_DACL], NULL));
	free(sd);
	OK(FwpmEngineClose0(h));

	assert_int_equal(fwpd_restart(&p), 0);
	h = open_engine();
	dacl_of(h, &sd_keys[0], buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0xf07ff;;;SY)(A;;0x80;;;S-1-22-1-4242)");
	dacl_of(h, &sd_keys[1], buf, sizeof(buf));	/* the owner (SY) reads it */
	assert_string_equal(buf, "D:(A;;0x10000;;;SY)");
	RC(FwpmProviderGetByKey0(h, &sd_keys[1], &got), ERROR_ACCESS_DENIED);	/* enforced */
	OK(FwpmProviderDeleteByKey0(h, &sd_keys[1]));
	OK(FwpmProviderDeleteByKey0(h, &sd_keys[0]));
	OK(FwpmEngineClose0(h));
	fwpd_cleanup(&p);
}

static void engine_dacl(HANDLE h, char *buf, size_t size)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	struct sd_view v;

	OK(FwpmEngineGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL,
				      &sd));
	assert_int_equal(sd_parse(sd, sd_claimed_len(sd), &v), 0);
	sd_to_sddl(&v, buf, size);
	FwpmFreeMemory0(&sd);
}

/* The engine's and the SA database's descriptors persist in the state
 * directory; a file that does not read stops fwpd (fail closed), and
 * removing it returns to the defaults. */
static void test_engine_descriptor_survives_restart(void **state)
{
	const char *want = "D:(A;;0xf07ff;;;SY)(D;;0x1;;;S-1-22-1-4242)(A;;0x3e4;;;WD)";
	struct fwpd_proc p;
	struct sd_view v;
	char buf[256], path[400], err[4096];
	void *sd;
	HANDLE h;
	FILE *f;

	(void)state;
	assert_int_equal(fwpd_start(&p, NULL), 0);
	h = open_engine();
	engine_dacl(h, buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0xf07ff;;;SY)(A;;0x3e4;;;WD)");	/* no fwpd group here */
	sd = sd_of(want, &v);
	OK(FwpmEngineSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL,
				      (const ACL *)v.part[SD_DACL], NULL));
	OK(IPsecSaDbSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL,
				     (const ACL *)v.part[SD_DACL], NULL));
	free(sd);
	OK(FwpmEngineClose0(h));

	assert_int_equal(fwpd_restart(&p), 0);
	h = open_engine();
	engine_dacl(h, buf, sizeof(buf));
	assert_string_equal(buf, want);
	OK(FwpmEngineClose0(h));

	/* A damaged file: fwpd refuses to start and says why. */
	assert_int_equal(fwpd_stop(&p, SIGTERM), 0);
	snprintf(path, sizeof(path), "%s/security", p.state);
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 30, SEEK_SET), 0);
	assert_int_equal(fputc(0x7f, f), 0x7f);
	assert_int_equal(fclose(f), 0);
	{
		const char *argv[] = { "fwpd", "--socket", p.socket, "--state-dir", p.state,
				       NULL };
		int status = fwpd_run_failing(argv, err, sizeof(err));

		assert_true(status > 0);
		assert_non_null(strstr(err, "security"));
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fwpd_restart(&p), 0);
	h = open_engine();
	engine_dacl(h, buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0xf07ff;;;SY)(A;;0x3e4;;;WD)");
	OK(FwpmEngineClose0(h));
	fwpd_cleanup(&p);
}

/* The writer: single adds (even n) and transactions of three (n, n+1,
 * n+2), reporting each success on fd before the next call. */
static void writer(int fd)
{
	HANDLE h = NULL;
	uint32_t n = 100;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		_exit(1);
	for (;;) {
		uint32_t rec[2] = { n, 1 };

		if (n % 2 == 0) {
			if (add_filter(h, n, FWPM_FILTER_FLAG_PERSISTENT, NULL))
				_exit(0);
			n += 1;
		} else {
			if (FwpmTransactionBegin0(h, 0))
				_exit(0);
			for (uint32_t i = 0; i < 3; i++)
				if (add_filter(h, n + i, FWPM_FILTER_FLAG_PERSISTENT, NULL))
					_exit(0);
			if (FwpmTransactionCommit0(h))
				_exit(0);
			rec[1] = 3;
			n += 3;
		}
		if (write(fd, rec, sizeof(rec)) != sizeof(rec))
			_exit(2);
	}
}

static void test_kill9_during_writes(void **state)
{
	struct fwpd_proc p;
	uint32_t acked[4096][2];
	size_t nacked = 0;
	HANDLE h;
	unsigned delay_ms;

	(void)state;
	assert_int_equal(fwpd_start(&p, NULL), 0);
	h = open_engine();
	OK(add_provider(h, FWPM_PROVIDER_FLAG_PERSISTENT));
	OK(FwpmEngineClose0(h));
	for (int round = 0; round < 3; round++) {
		int fds[2];
		pid_t w;
		ssize_t r;
		uint32_t rec[2];
		struct timespec d;

		assert_int_equal(pipe(fds), 0);
		w = fork();
		assert_true(w >= 0);
		if (w == 0) {
			close(fds[0]);
			writer(fds[1]);
		}
		close(fds[1]);
		if (getrandom(&delay_ms, sizeof(delay_ms), 0) != sizeof(delay_ms))
			delay_ms = 0;
		delay_ms = 100 + delay_ms % 300;
		d = (struct timespec){ .tv_sec = 0, .tv_nsec = (long)delay_ms * 1000000L };
		nanosleep(&d, NULL);
		fwpd_stop(&p, SIGKILL);
		while ((r = read(fds[0], rec, sizeof(rec))) == sizeof(rec)) {
			if (nacked < sizeof(acked) / sizeof(acked[0])) {
				acked[nacked][0] = rec[0];
				acked[nacked][1] = rec[1];
				nacked++;
			}
		}
		close(fds[0]);
		waitpid(w, NULL, 0);
		assert_int_equal(fwpd_restart(&p), 0);
		h = open_engine();
		/* Every acknowledged add and transaction is whole. */
		for (size_t i = 0; i < nacked; i++)
			for (uint32_t k = 0; k < acked[i][1]; k++)
				if (!filter_exists(h, acked[i][0] + k, NULL))
					fail_msg("round %d: acknowledged filter %u lost", round,
						 acked[i][0] + k);
		/* The one in flight is whole or absent; nothing else exists. */
		{
			uint32_t next = nacked ? acked[nacked - 1][0] + acked[nacked - 1][1] : 100;
			unsigned present = 0;

			if (next % 2 == 0) {
				present = filter_exists(h, next, NULL);
			} else {
				for (uint32_t k = 0; k < 3; k++)
					present += filter_exists(h, next + k, NULL);
				assert_true(present == 0 || present == 3);
			}
			assert_false(filter_exists(h, next + 3, NULL));
			/* Clear for the next round. */
			for (size_t i = 0; i < nacked; i++)
				for (uint32_t k = 0; k < acked[i][1]; k++) {
					GUID key = key_of(acked[i][0] + k);

					OK(FwpmFilterDeleteByKey0(h, &key));
				}
			for (uint32_t k = 0; k < 3; k++) {
				GUID key = key_of(next + k);

				(void)FwpmFilterDeleteByKey0(h, &key);
			}
		}
		OK(FwpmEngineClose0(h));
		nacked = 0;
	}
	fwpd_cleanup(&p);
}

/* The in-process engine keeps persistent objects in FWP_STORE: a child
 * writes, another child (a new engine) reads them back. */
static void test_inproc_store(void **state)
{
	char dir[] = "/tmp/fwp-store-XXXXXX", path[64];
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy.db", dir);
	for (int step = 0; step < 2; step++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			HANDLE h = NULL;
			UINT64 id = 0;
			bool ok;

			setenv("FWP_ENGINE", "embedded", 1);
			setenv("FWP_STORE", path, 1);
			if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
				_exit(10);
			if (step == 0)
				ok = !add_provider(h, FWPM_PROVIDER_FLAG_PERSISTENT) &&
				     !add_filter(h, 7, FWPM_FILTER_FLAG_PERSISTENT, &id) &&
				     !add_filter(h, 8, 0, &id);
			else
				ok = filter_exists(h, 7, NULL) && !filter_exists(h, 8, NULL);
			FwpmEngineClose0(h);
			_exit(ok ? 0 : 11);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	unlink(path);
	{
		char side[80];

		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_keeps_persistent),
		cmocka_unit_test(test_descriptor_survives_restart),
		cmocka_unit_test(test_engine_descriptor_survives_restart),
		cmocka_unit_test(test_kill9_during_writes),
		cmocka_unit_test(test_inproc_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
