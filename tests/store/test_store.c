/* test_store.c - the object store's contract (src/policy/store.h):
 * round trips over close/reopen, batch atomicity (abort, a failing
 * statement, bad arguments, a full disk), load order, replace, delete, the
 * id high-water mark, schema refusal, corrupt-file recovery, permissions.
 * The SIGKILL crash test is test_store_crash.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "policy/store.h"
#include "util.h"

struct fixture {
	char *dir;
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->dir = scratch_dir();
	f->path = f->dir ? path_in(f->dir, "policy.db") : NULL;
	if (!f->path) {
		scratch_remove(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scratch_remove(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static struct store *open_ok(const char *path)
{
	struct store *s = NULL;

	assert_int_equal(store_open(path, &s), 0);
	assert_non_null(s);
	return s;
}

/* One committed batch putting objects (kind, key(a, i), id, blob(a, i)). */
static void put_batch(struct store *s, enum store_kind kind, uint64_t a,
		      uint32_t n, uint64_t id0)
{
	uint8_t key[STORE_KEY_LEN], blob[TEST_BLOB_LEN];

	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < n; i++) {
		make_key(key, a, i);
		blob_make(blob, sizeof(blob), a, i, kind);
		assert_int_equal(store_put(s, kind, key, id0 + i, blob, sizeof(blob)), 0);
	}
	assert_int_equal(store_commit(s), 0);
}

static size_t count_objects(struct store *s)
{
	struct objs o = { 0 };
	size_t n;

	assert_int_equal(objs_load(s, &o), 0);
	n = o.n;
	objs_free(&o);
	return n;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	static const enum store_kind kinds[] = { STORE_PROVIDER, STORE_SUBLAYER,
						 STORE_FILTER, STORE_PROVIDER_CONTEXT };
	uint8_t key[STORE_KEY_LEN], blob[TEST_BLOB_LEN];
	struct objs o = { 0 };
	struct store *s = open_ok(f->path);
	uint64_t max;

	assert_null(store_corrupt_path(s));
	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < 4; i++) {
		make_key(key, 1, i);
		blob_make(blob, sizeof(blob), 1, i, kinds[i]);
		assert_int_equal(store_put(s, kinds[i], key, 10 + i, blob, sizeof(blob)), 0);
	}
	make_key(key, 2, 0);	/* empty blob, NULL pointer */
	assert_int_equal(store_put(s, STORE_FILTER, key, 3, NULL, 0), 0);
	make_key(key, 3, 0);	/* an id above INT64_MAX */
	assert_int_equal(store_put(s, STORE_FILTER, key, UINT64_MAX - 1, "x", 1), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(objs_load(s, &o), 0);
	assert_int_equal(o.n, 6);
	for (uint32_t i = 0; i < 4; i++) {
		const struct obj *x;
		uint64_t b;
		uint32_t idx, k;

		make_key(key, 1, i);
		x = objs_find(&o, kinds[i], key);
		assert_non_null(x);
		assert_int_equal(x->id, 10 + i);
		assert_int_equal(x->len, TEST_BLOB_LEN);
		assert_int_equal(blob_check(x->blob, x->len, &b, &idx, &k), 0);
		assert_int_equal(b, 1);
		assert_int_equal(idx, i);
		assert_int_equal(k, kinds[i]);
	}
	make_key(key, 2, 0);
	assert_non_null(objs_find(&o, STORE_FILTER, key));
	assert_int_equal(objs_find(&o, STORE_FILTER, key)->len, 0);
	make_key(key, 3, 0);
	assert_true(objs_find(&o, STORE_FILTER, key)->id == UINT64_MAX - 1);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_true(max == UINT64_MAX - 1);
	objs_free(&o);
	store_close(s);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	uint64_t max;

	put_batch(s, STORE_FILTER, 1, 5, 100);
	assert_int_equal(store_begin(s), 0);
	for (uint32_t i = 0; i < 5; i++) {
		make_key(key, 2, i);
		assert_int_equal(store_put(s, STORE_PROVIDER, key, 1000 + i, "abc", 3), 0);
	}
	make_key(key, 1, 0);
	assert_int_equal(store_delete(s, STORE_FILTER, key), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 5000, "replaced", 8), 0);
	store_abort(s);
	store_abort(s);	/* no batch: no-op */
	assert_int_equal(count_objects(s), 5);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 104);

	/* Closing with a batch open discards it too. */
	assert_int_equal(store_begin(s), 0);
	make_key(key, 3, 0);
	assert_int_equal(store_put(s, STORE_SUBLAYER, key, 9000, "x", 1), 0);
	store_close(s);
	s = open_ok(f->path);
	assert_int_equal(count_objects(s), 5);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 104);
	store_close(s);
}

/* A statement that fails inside SQLite in the middle of a batch (a trigger
 * raising ABORT rolls back only that statement, the transaction stays
 * open): store_commit must still refuse the batch. */
static void test_failed_statement_poisons_batch(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	struct objs o = { 0 };
	uint64_t max;
	int err;

	put_batch(s, STORE_FILTER, 1, 3, 1);
	store_close(s);
	raw_exec(f->path, "CREATE TRIGGER inject BEFORE INSERT ON objects "
			  "WHEN NEW.id = 666 BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	s = open_ok(f->path);

	assert_int_equal(store_begin(s), 0);
	make_key(key, 2, 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 500, "a", 1), 0);
	make_key(key, 1, 0);
	assert_int_equal(store_delete(s, STORE_FILTER, key), 0);
	make_key(key, 2, 1);
	err = store_put(s, STORE_FILTER, key, 666, "b", 1);
	assert_int_equal(err, -EIO);
	make_key(key, 2, 2);	/* after the failure: refused with the same error */
	assert_int_equal(store_put(s, STORE_FILTER, key, 700, "c", 1), err);
	assert_int_equal(store_delete(s, STORE_FILTER, key), err);
	assert_int_equal(store_commit(s), err);
	assert_int_equal(store_commit(s), -EINVAL);	/* the batch is over */

	assert_int_equal(objs_load(s, &o), 0);
	assert_int_equal(o.n, 3);
	make_key(key, 1, 0);
	assert_non_null(objs_find(&o, STORE_FILTER, key));
	objs_free(&o);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 3);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(count_objects(s), 3);
	store_close(s);
}

static void test_bad_arguments_poison_batch(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN] = { 1 }, blob[8] = { 0 };
	struct store *s = open_ok(f->path);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, blob, sizeof(blob)), 0);
	assert_int_equal(store_put(s, (enum store_kind)7, key, 2, blob, sizeof(blob)), -EINVAL);
	assert_int_equal(store_commit(s), -EINVAL);
	assert_int_equal(count_objects(s), 0);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, blob, sizeof(blob)), 0);
	/* The length is checked before the (too short) buffer is read. */
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, blob, (size_t)STORE_BLOB_MAX + 1),
			 -EMSGSIZE);
	assert_int_equal(store_commit(s), -EMSGSIZE);
	assert_int_equal(count_objects(s), 0);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, NULL, 1, blob, 1), -EINVAL);
	assert_int_equal(store_commit(s), -EINVAL);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, NULL, 1), -EINVAL);
	assert_int_equal(store_commit(s), -EINVAL);
	assert_int_equal(count_objects(s), 0);
	store_close(s);
}

static int stop_cb(void *arg, enum store_kind kind, const uint8_t key[STORE_KEY_LEN],
		   uint64_t id, const void *blob, size_t len)
{
	int *calls = arg;

	(void)kind, (void)key, (void)id, (void)blob, (void)len;
	return ++*calls == 3 ? 42 : 0;
}

static void test_call_sequence(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN] = { 0 };
	struct store *s = NULL;
	uint64_t max;
	int calls = 0;

	assert_int_equal(store_open(NULL, &s), -EINVAL);
	assert_int_equal(store_open("", &s), -EINVAL);
	assert_int_equal(store_open(f->path, NULL), -EINVAL);
	s = open_ok(f->path);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, "x", 1), -EINVAL);
	assert_int_equal(store_delete(s, STORE_FILTER, key), -EINVAL);
	assert_int_equal(store_commit(s), -EINVAL);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_begin(s), -EINVAL);
	assert_int_equal(store_load(s, stop_cb, &calls), -EINVAL);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, "x", 1), 0);	/* not poisoned */
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_load(s, NULL, NULL), -EINVAL);
	assert_int_equal(store_max_id(s, NULL), -EINVAL);
	assert_int_equal(store_max_id(NULL, &max), -EINVAL);
	assert_int_equal(store_begin(NULL), -EINVAL);
	store_abort(NULL);
	store_close(NULL);

	/* A callback's non-zero result stops the walk and is returned. */
	put_batch(s, STORE_PROVIDER, 9, 5, 10);
	assert_int_equal(store_load(s, stop_cb, &calls), 42);
	assert_int_equal(calls, 3);
	store_close(s);
}

/* Providers, sublayers, provider contexts, filters; each kind in insertion
 * order, whatever the order of kinds in the batches. */
static void test_load_order(void **state)
{
	struct fixture *f = *state;
	static const enum store_kind mix[] = {
		STORE_FILTER, STORE_PROVIDER_CONTEXT, STORE_PROVIDER, STORE_SUBLAYER,
		STORE_FILTER, STORE_PROVIDER, STORE_SUBLAYER, STORE_PROVIDER_CONTEXT,
	};
	static const enum store_kind order[] = {
		STORE_PROVIDER, STORE_SUBLAYER, STORE_PROVIDER_CONTEXT, STORE_FILTER,
	};
	enum store_kind kind_of[24];
	uint32_t expect[24], insertion[24];
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	struct objs o = { 0 };
	size_t n = 0;

	/* 3 batches of 8 in a kind mix; object #k has key (0, k). */
	for (uint32_t k = 0; k < 24; k++)
		kind_of[k] = mix[(k % 8 + k / 8) % 8];
	for (uint32_t batch = 0; batch < 3; batch++) {
		assert_int_equal(store_begin(s), 0);
		for (uint32_t k = 8 * batch; k < 8 * batch + 8; k++) {
			make_key(key, 0, k);
			assert_int_equal(store_put(s, kind_of[k], key, k, "o", 1), 0);
		}
		assert_int_equal(store_commit(s), 0);
	}
	/* #0 deleted and re-inserted: now last of its kind. #1 replaced:
	 * keeps its place. */
	assert_int_equal(store_begin(s), 0);
	make_key(key, 0, 0);
	assert_int_equal(store_delete(s, kind_of[0], key), 0);
	assert_int_equal(store_put(s, kind_of[0], key, 100, "o", 1), 0);
	make_key(key, 0, 1);
	assert_int_equal(store_put(s, kind_of[1], key, 101, "p", 1), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	for (uint32_t k = 0; k < 23; k++)
		insertion[k] = k + 1;
	insertion[23] = 0;
	for (size_t r = 0; r < 4; r++)
		for (size_t i = 0; i < 24; i++)
			if (kind_of[insertion[i]] == order[r])
				expect[n++] = insertion[i];

	s = open_ok(f->path);
	assert_int_equal(objs_load(s, &o), 0);
	assert_int_equal(o.n, 24);
	for (size_t i = 0; i < 24; i++) {
		make_key(key, 0, expect[i]);
		assert_int_equal(o.v[i].kind, kind_of[expect[i]]);
		assert_memory_equal(o.v[i].key, key, STORE_KEY_LEN);
		if (expect[i] == 1) {
			assert_int_equal(o.v[i].id, 101);
			assert_memory_equal(o.v[i].blob, "p", 1);
		}
	}
	objs_free(&o);
	store_close(s);
}

static void test_replace(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	struct objs o = { 0 };

	make_key(key, 7, 7);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 1, "first", 5), 0);
	assert_int_equal(store_put(s, STORE_SUBLAYER, key, 2, "other kind", 10), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 3, "second, longer", 14), 0);
	assert_int_equal(store_commit(s), 0);
	/* Twice in one batch: the last wins. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_put(s, STORE_SUBLAYER, key, 4, "x", 1), 0);
	assert_int_equal(store_put(s, STORE_SUBLAYER, key, 5, "y", 1), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(objs_load(s, &o), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(objs_find(&o, STORE_FILTER, key)->id, 3);
	assert_int_equal(objs_find(&o, STORE_FILTER, key)->len, 14);
	assert_memory_equal(objs_find(&o, STORE_FILTER, key)->blob, "second, longer", 14);
	assert_int_equal(objs_find(&o, STORE_SUBLAYER, key)->id, 5);
	assert_memory_equal(objs_find(&o, STORE_SUBLAYER, key)->blob, "y", 1);
	objs_free(&o);
	store_close(s);
}

static void test_delete(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	struct objs o = { 0 };

	put_batch(s, STORE_PROVIDER_CONTEXT, 1, 4, 1);
	assert_int_equal(store_begin(s), 0);
	make_key(key, 1, 1);
	assert_int_equal(store_delete(s, STORE_PROVIDER_CONTEXT, key), 0);
	assert_int_equal(store_delete(s, STORE_PROVIDER_CONTEXT, key), -ENOENT);
	assert_int_equal(store_delete(s, STORE_FILTER, key), -ENOENT);	/* other kind */
	make_key(key, 1, 2);	/* -ENOENT did not poison the batch */
	assert_int_equal(store_delete(s, STORE_PROVIDER_CONTEXT, key), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(objs_load(s, &o), 0);
	assert_int_equal(o.n, 2);
	make_key(key, 1, 0);
	assert_non_null(objs_find(&o, STORE_PROVIDER_CONTEXT, key));
	make_key(key, 1, 3);
	assert_non_null(objs_find(&o, STORE_PROVIDER_CONTEXT, key));
	objs_free(&o);
	store_close(s);
}

static void test_max_id(void **state)
{
	struct fixture *f = *state;
	uint8_t key[STORE_KEY_LEN];
	struct store *s = open_ok(f->path);
	uint64_t max = 1;

	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 0);
	put_batch(s, STORE_FILTER, 1, 10, 1000);	/* ids 1000..1009 */
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 1009);

	/* Deleting the holder of the largest id does not lower the mark. */
	assert_int_equal(store_begin(s), 0);
	make_key(key, 1, 9);
	assert_int_equal(store_delete(s, STORE_FILTER, key), 0);
	assert_int_equal(store_commit(s), 0);
	/* A smaller id does not lower it either; an open batch does not count. */
	put_batch(s, STORE_FILTER, 2, 1, 5);
	assert_int_equal(store_begin(s), 0);
	make_key(key, 3, 0);
	assert_int_equal(store_put(s, STORE_FILTER, key, 99999, "x", 1), 0);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 1009);
	store_abort(s);
	store_close(s);

	s = open_ok(f->path);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 1009);
	store_close(s);

	/* The mark never falls below an id present, even if meta is damaged. */
	raw_exec(f->path, "UPDATE meta SET value = 0");
	s = open_ok(f->path);
	assert_int_equal(store_max_id(s, &max), 0);
	assert_int_equal(max, 1008);
	store_close(s);
}

static char *read_all(const char *path, size_t *len);

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct stat before, after;

	put_batch(s, STORE_FILTER, 1, 3, 1);
	store_close(s);
	raw_exec(f->path, "UPDATE schema_version SET version = 2");
	assert_int_equal(stat(f->path, &before), 0);

	s = (struct store *)f;	/* must be reset to NULL */
	assert_int_equal(store_open(f->path, &s), -EPROTO);
	assert_null(s);
	/* Left alone: not moved aside, not rewritten. */
	assert_int_equal(count_prefix(f->dir, "policy.db.corrupt"), 0);
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_size, after.st_size);

	/* Back to 1: everything is still there. */
	raw_exec(f->path, "UPDATE schema_version SET version = 1");
	s = open_ok(f->path);
	assert_int_equal(count_objects(s), 3);
	store_close(s);
}

static void test_foreign_database_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &s), -EPROTO);
	assert_null(s);
	assert_int_equal(count_prefix(f->dir, "policy.db.corrupt"), 0);
	/* Not written: still in rollback-journal mode (header bytes 18-19). */
	{
		size_t len;
		char *hdr = read_all(f->path, &len);

		assert_true(len >= 100);
		assert_int_equal(hdr[18], 1);
		assert_int_equal(hdr[19], 1);
		free(hdr);
	}

	raw_exec(f->path, "DROP TABLE t; PRAGMA application_id = 42;");
	assert_int_equal(store_open(f->path, &s), -EPROTO);
	assert_null(s);
}

static void write_file(const char *path, const void *buf, size_t len, off_t at)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, at), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* After a recovery: the moved file holds exactly what was there, and the
 * new store is empty, usable and durable. */
static void check_recovered(struct fixture *f, struct store *s, const char *old,
			    size_t old_len)
{
	const char *aside = store_corrupt_path(s);
	char *moved;
	size_t len;

	assert_non_null(aside);
	assert_true(strncmp(aside, f->path, strlen(f->path)) == 0);
	assert_true(strncmp(aside + strlen(f->path), ".corrupt-", 9) == 0);
	moved = read_all(aside, &len);
	assert_int_equal(len, old_len);
	assert_memory_equal(moved, old, len);
	free(moved);
	assert_int_equal(count_objects(s), 0);
	put_batch(s, STORE_PROVIDER, 1, 2, 1);
	store_close(s);
	s = open_ok(f->path);
	assert_int_equal(count_objects(s), 2);
	store_close(s);
}

static void test_corrupt_not_a_database(void **state)
{
	struct fixture *f = *state;
	char junk[8192];
	struct store *s = NULL;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(f->path, junk, sizeof(junk), 0);
	assert_int_equal(store_open(f->path, &s), STORE_OPEN_RECOVERED);
	assert_non_null(s);
	assert_int_equal(count_prefix(f->dir, "policy.db.corrupt-"), 1);
	check_recovered(f, s, junk, sizeof(junk));
}

/* A real store whose b-tree pages are damaged: integrity_check finds it. */
static void test_corrupt_btree(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	uint8_t junk[64];
	struct stat st;
	char *old;
	size_t len;

	for (int b = 0; b < 20; b++)
		put_batch(s, (enum store_kind)(b % 4 + 1), (uint64_t)b, 20, 1000u * b);
	store_close(s);	/* checkpoints: everything is in the main file */
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size >= 8 * 4096);
	memset(junk, 0xa5, sizeof(junk));
	for (off_t page = 2; page * 4096 < st.st_size; page += 3)
		write_file(f->path, junk, sizeof(junk), (page - 1) * 4096);
	old = read_all(f->path, &len);

	assert_int_equal(store_open(f->path, &s), STORE_OPEN_RECOVERED);
	check_recovered(f, s, old, len);
	free(old);
}

/* The crash left a -wal file: it goes aside with the database, as
 * "<aside>-wal", and the new store does not replay it. */
static void test_corrupt_with_wal(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	char *wal = path_in(f->dir, "policy.db-wal"), *aside_wal, *old, *old_wal;
	size_t len, wal_len, n;
	pid_t pid;
	int status;

	put_batch(s, STORE_FILTER, 1, 10, 1);
	store_close(s);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {	/* commits, then dies without closing */
		struct store *c = NULL;
		uint8_t key[STORE_KEY_LEN] = { 9 };

		if (store_open(f->path, &c) || store_begin(c) ||
		    store_put(c, STORE_FILTER, key, 77, "in the wal", 10) || store_commit(c))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	old_wal = read_all(wal, &wal_len);
	assert_true(wal_len > 0);
	write_file(f->path, "garbage, not an SQLite header", 29, 0);
	old = read_all(f->path, &len);

	assert_int_equal(store_open(f->path, &s), STORE_OPEN_RECOVERED);
	aside_wal = NULL;
	assert_true(asprintf(&aside_wal, "%s-wal", store_corrupt_path(s)) > 0);
	free(read_all(aside_wal, &n));
	assert_int_equal(n, wal_len);
	free(aside_wal);
	free(old_wal);
	check_recovered(f, s, old, len);
	free(old);
	free(wal);
}

static void test_permissions(void **state)
{
	struct fixture *f = *state;
	char *wal = path_in(f->dir, "policy.db-wal");
	char *link = path_in(f->dir, "link.db");
	struct store *s = NULL;
	mode_t old = umask(0);
	struct stat st;

	s = open_ok(f->path);
	put_batch(s, STORE_FILTER, 1, 1, 1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	store_close(s);

	/* A too-open existing file is tightened. */
	assert_int_equal(chmod(f->path, 0644), 0);
	s = open_ok(f->path);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_objects(s), 1);
	store_close(s);

	/* A restrictive umask does not take our own bits away. */
	umask(0277);
	unlink(f->path);
	s = open_ok(f->path);
	put_batch(s, STORE_FILTER, 1, 1, 1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	store_close(s);
	umask(old);

	/* Symbolic links are refused. */
	assert_int_equal(symlink(f->path, link), 0);
	s = (struct store *)f;
	assert_int_equal(store_open(link, &s), -ELOOP);
	assert_null(s);
	free(link);
	free(wal);
}

/* The disk fills up (RLIMIT_FSIZE, in a child): once at the commit, once in
 * the middle of a batch too large for the page cache. Neither batch may be
 * visible afterwards. */
static int child_disk_full(const char *path, uint32_t objects)
{
	static uint8_t blob[4000];
	struct rlimit rl;
	struct store *s = NULL;
	uint8_t key[STORE_KEY_LEN];
	struct stat st;
	char wal[4096];
	int ret = 0;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (store_open(path, &s))
		return 100;
	if (stat(wal, &st) < 0)
		st.st_size = 0;
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 64 * 1024;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 101;
	if (store_begin(s))
		return 102;
	for (uint32_t i = 0; i < objects && !ret; i++) {
		make_key(key, 50, i);
		ret = store_put(s, STORE_FILTER, key, 50000 + i, blob, sizeof(blob));
	}
	if (!ret)
		ret = store_commit(s);
	else if (store_commit(s) != ret)
		return 103;
	store_close(s);
	/* 1: failed at commit, 2: failed mid-batch; 3/4: unexpected code. */
	if (ret == -EIO || ret == -ENOSPC)
		return objects < 1000 ? 1 : 2;
	return ret == 0 ? 3 : 4;
}

static void test_disk_full(void **state)
{
	struct fixture *f = *state;
	static const uint32_t sizes[] = { 200, 2000 };	/* 0.8 MB, 8 MB */
	struct store *s = open_ok(f->path);
	uint64_t max;

	put_batch(s, STORE_FILTER, 1, 5, 1);
	store_close(s);
	for (size_t i = 0; i < 2; i++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_disk_full(f->path, sizes[i]));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), (int)i + 1);
		s = open_ok(f->path);
		assert_int_equal(count_objects(s), 5 + i);
		assert_int_equal(store_max_id(s, &max), 0);
		assert_int_equal(max, 5);
		/* and the store still works */
		put_batch(s, STORE_SUBLAYER, 60 + i, 1, 1);
		store_close(s);
	}
}

/* Another process's writer: store_begin waits busy_timeout, then -EBUSY;
 * a reader in another connection never blocks a commit (WAL). */
static void test_busy(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f->path);
	struct timespec t0, t1;
	sqlite3 *db;
	sqlite3_stmt *st;
	double waited;

	put_batch(s, STORE_FILTER, 1, 2, 1);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);

	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_begin(s), -EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(waited >= STORE_BUSY_TIMEOUT_MS * 0.9);
	assert_int_equal(store_commit(s), -EINVAL);	/* no batch was opened */
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);

	/* A reader mid-scan: the store still commits, the reader keeps its
	 * snapshot. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM objects", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	put_batch(s, STORE_FILTER, 2, 3, 10);
	assert_int_equal(count_objects(s), 5);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_statement_poisons_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments_poison_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_btree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_with_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
