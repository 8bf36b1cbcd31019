/* test_store_crash.c - no batch is ever half-visible after a SIGKILL.
 *
 * A child opens the store and commits batches in a tight loop. Batch b:
 *   - inserts N new objects U(b, 0..N-1), kinds cycling through all four,
 *     ids b*N + i;
 *   - replaces SLOTS fixed objects S(0..SLOTS-1) with copies stamped b;
 *   - deletes the N objects of batch b-KEEP.
 * Every blob carries its batch number, index and kind, a filler derived
 * from them, and a checksum. After store_commit returns 0 the child reports
 * b through a pipe. The parent SIGKILLs it after a random delay (0-150 ms,
 * some rounds almost at once, to hit open and recovery), reopens the store
 * and checks that:
 *   - store_open returns 0 (no error, no "recovered" flag);
 *   - every blob is intact; every U batch present is complete; the batches
 *     present are exactly B-KEEP+1..B for one B; every slot is stamped B;
 *   - B is the last batch reported, or one more (committed, then killed
 *     before it could report); never less;
 *   - store_max_id is B*N + N-1.
 * Rounds continue on the same file, so recovery runs on the leftovers of
 * every previous crash. STORE_CRASH_SEED and STORE_CRASH_ROUNDS override
 * the seed (printed) and the number of rounds (20).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy/store.h"
#include "util.h"

#define N 16
#define SLOTS 4
#define KEEP 4
#define SLOT_TAG UINT64_MAX	/* first half of a slot's key */

static const enum store_kind kinds[] = {
	STORE_PROVIDER, STORE_SUBLAYER, STORE_PROVIDER_CONTEXT, STORE_FILTER,
};

/* The child: never returns. Exit codes above 0 name the failing step. */
static void child(const char *path, uint64_t first, int report)
{
	uint8_t key[STORE_KEY_LEN], blob[TEST_BLOB_LEN];
	struct store *s = NULL;

	if (store_open(path, &s) != 0)
		_exit(10);
	for (uint64_t b = first;; b++) {
		if (store_begin(s))
			_exit(11);
		for (uint32_t i = 0; i < N; i++) {
			enum store_kind k = kinds[i % 4];

			make_key(key, b, i);
			blob_make(blob, sizeof(blob), b, i, k);
			if (store_put(s, k, key, b * N + i, blob, sizeof(blob)))
				_exit(12);
		}
		for (uint32_t i = 0; i < SLOTS; i++) {
			make_key(key, SLOT_TAG, i);
			blob_make(blob, sizeof(blob), b, i, STORE_FILTER);
			if (store_put(s, STORE_FILTER, key, b * N + i, blob, sizeof(blob)))
				_exit(13);
		}
		for (uint32_t i = 0; b > KEEP && i < N; i++) {
			make_key(key, b - KEEP, i);
			if (store_delete(s, kinds[i % 4], key))
				_exit(14);
		}
		if (store_commit(s))
			_exit(15);
		if (write(report, &b, sizeof(b)) != (ssize_t)sizeof(b))
			_exit(16);
	}
}

struct census {
	uint64_t count[KEEP + 64];	/* U objects per batch, offset from lo */
	uint64_t lo, hi;		/* batches seen among U objects */
	uint64_t slot_batch[SLOTS];
	int slots;
};

static uint64_t key_batch(const uint8_t *key)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)key[i] << (8 * i);
	return v;
}

/* Checks what one round left behind; returns B, the last whole batch. */
static uint64_t verify(const char *path, uint64_t reported, uint64_t prev_b)
{
	struct store *s = NULL;
	struct objs o = { 0 };
	struct census c = { .lo = UINT64_MAX };
	uint64_t b_last, max;

	assert_int_equal(store_open(path, &s), 0);
	assert_int_equal(objs_load(s, &o), 0);
	for (size_t i = 0; i < o.n; i++) {
		const struct obj *x = &o.v[i];
		uint64_t batch;
		uint32_t index, kind;

		assert_int_equal(x->len, TEST_BLOB_LEN);
		assert_int_equal(blob_check(x->blob, x->len, &batch, &index, &kind), 0);
		assert_int_equal(kind, x->kind);
		assert_true(x->id == batch * N + index);
		if (key_batch(x->key) == SLOT_TAG) {
			assert_true(index < SLOTS);
			c.slot_batch[index] = batch;
			c.slots++;
			continue;
		}
		assert_true(key_batch(x->key) == batch);
		assert_true(index < N);
		assert_int_equal(kind, kinds[index % 4]);
		if (batch < c.lo)
			c.lo = batch;
		if (batch > c.hi)
			c.hi = batch;
	}
	b_last = c.hi == 0 || c.lo == UINT64_MAX ? 0 : c.hi;
	if (b_last) {
		assert_true(c.hi - c.lo < KEEP);
		for (size_t i = 0; i < o.n; i++)
			if (key_batch(o.v[i].key) != SLOT_TAG)
				c.count[key_batch(o.v[i].key) - c.lo]++;
		for (uint64_t b = c.lo; b <= c.hi; b++)
			assert_true(c.count[b - c.lo] == N);	/* whole, never half */
		assert_true(c.lo == (b_last > KEEP ? b_last - KEEP + 1 : 1));
		assert_int_equal(c.slots, SLOTS);
		for (int i = 0; i < SLOTS; i++)
			assert_true(c.slot_batch[i] == b_last);
	} else {
		assert_int_equal(c.slots, 0);
	}
	/* Everything reported is there; at most one more batch. */
	assert_true(b_last >= reported);
	assert_true(b_last >= prev_b);
	assert_true(b_last <= (reported > prev_b ? reported : prev_b) + 1);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_true(max == (b_last ? b_last * N + N - 1 : 0));
	objs_free(&o);
	store_close(s);
	return b_last;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads reports until the deadline (0: until EOF); returns the last. */
static uint64_t read_reports(int fd, uint64_t deadline, uint64_t last)
{
	uint64_t b;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait = -1;
		ssize_t n;

		if (deadline) {
			uint64_t t = now_ms();

			if (t >= deadline)
				return last;
			wait = (int)(deadline - t);
		}
		if (poll(&p, 1, wait) <= 0)
			continue;
		n = read(fd, &b, sizeof(b));
		if (n == 0)
			return last;
		assert_int_equal(n, (ssize_t)sizeof(b));
		assert_true(b > last);
		last = b;
	}
}

static void test_sigkill_never_half_visible(void **state)
{
	const char *env_seed = getenv("STORE_CRASH_SEED");
	const char *env_rounds = getenv("STORE_CRASH_ROUNDS");
	unsigned seed = env_seed ? (unsigned)strtoul(env_seed, NULL, 0)
				 : (unsigned)time(NULL) ^ (unsigned)getpid();
	int rounds = env_rounds ? atoi(env_rounds) : 20;
	char *dir = scratch_dir(), *path;
	uint64_t b_last = 0, total_reported = 0, unreported = 0;

	(void)state;
	assert_non_null(dir);
	path = path_in(dir, "policy.db");
	assert_non_null(path);
	/* On failure the directory stays, for inspection with sqlite3. */
	printf("crash test: seed %u (STORE_CRASH_SEED), %d rounds, in %s\n", seed,
	       rounds, dir);
	srand(seed);
	for (int round = 0; round < rounds; round++) {
		uint64_t delay = round % 5 == 4 ? (uint64_t)(rand() % 3)
						: (uint64_t)(rand() % 150);
		uint64_t reported = 0, before = b_last;
		int fds[2], status;
		pid_t pid;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child(path, b_last + 1, fds[1]);
		}
		close(fds[1]);
		reported = read_reports(fds[0], now_ms() + delay, b_last);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		reported = read_reports(fds[0], 0, reported);
		close(fds[0]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("round %d: child exited with status %d before the kill",
				 round, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		b_last = verify(path, reported, b_last);
		total_reported += reported - before;
		unreported += b_last - reported;
		printf("round %2d: killed after %3llu ms, %4llu batches reported, "
		       "last whole batch %llu%s\n", round, (unsigned long long)delay,
		       (unsigned long long)(reported - before),
		       (unsigned long long)b_last,
		       b_last > reported ? " (committed, killed before reporting)" : "");
	}
	printf("crash test: %llu batches reported, %llu more found committed\n",
	       (unsigned long long)total_reported, (unsigned long long)unreported);
	scratch_remove(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_never_half_visible),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
