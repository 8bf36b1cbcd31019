/* bench_store.c - commit throughput of the persistent-object store.
 *
 * On the machine's disk, in a scratch directory (--dir DIR, else $TMPDIR,
 * else /var/tmp, which is disk-backed where /tmp may be tmpfs): commits/s
 * of batches of 1 and of 100 objects of 300 bytes, through store.h
 * (synchronous=FULL). The same workload is replayed on a bare SQLite
 * connection with the store's schema and statements, once with
 * synchronous=FULL (to show the store adds nothing) and once with NORMAL
 * (what FULL costs). Also: one pwrite+fdatasync of 4 KiB, the floor of a
 * FULL commit; and store_open (with integrity_check) and store_load of
 * 10,000 objects. Batches rewrite a working set of 10,000 keys, so the file
 * stays at a realistic policy size. Each figure is the median of 5 runs of
 * at least 0.5 s; the three targets alternate run by run. Prints a table
 * and writes JSON (--out FILE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "policy/store.h"

#define RUNS 5
#define OBJ_BYTES 300
#define KEYS 10000
#define RUN_MIN_S 0.5

static uint8_t blob[OBJ_BYTES];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static void make_key(uint8_t key[STORE_KEY_LEN], uint32_t n)
{
	memset(key, 0, STORE_KEY_LEN);
	memcpy(key, &n, sizeof(n));
	key[15] = 0xb5;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* ---- the workload, through the store or bare SQLite ------------------- */

struct target {
	struct store *store;	/* or: */
	sqlite3 *db;
	sqlite3_stmt *begin, *put, *max, *commit;
	uint64_t next_id;
};

static void raw_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_store: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
}

static sqlite3_stmt *raw_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)) {
		fprintf(stderr, "bench_store: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

static void raw_step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "bench_store: step: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(st);
}

/* The store's schema and statements (store.c), with a chosen synchronous. */
static void raw_open(struct target *t, const char *path, const char *sync)
{
	char sql[128];

	if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL))
		die("sqlite3_open_v2", EIO);
	raw_exec(t->db, "PRAGMA journal_mode = WAL");
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", sync);
	raw_exec(t->db, sql);
	raw_exec(t->db, "PRAGMA secure_delete = ON; PRAGMA journal_size_limit = 4194304;"
		 "CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
		 "CREATE TABLE objects (seq INTEGER PRIMARY KEY,"
		 " kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),"
		 " key BLOB NOT NULL CHECK (length(key) = 16), id INTEGER NOT NULL,"
		 " blob BLOB NOT NULL, UNIQUE (kind, key));"
		 "CREATE INDEX objects_by_kind ON objects (kind);"
		 "INSERT INTO meta VALUES ('max_id', 0);");
	t->begin = raw_prepare(t->db, "BEGIN IMMEDIATE");
	t->put = raw_prepare(t->db, "INSERT INTO objects (kind, key, id, blob) "
			     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, key) DO UPDATE "
			     "SET id = excluded.id, blob = excluded.blob");
	t->max = raw_prepare(t->db, "UPDATE meta SET value = ?1 WHERE name = 'max_id'");
	t->commit = raw_prepare(t->db, "COMMIT");
}

static void raw_close(struct target *t)
{
	sqlite3_finalize(t->begin);
	sqlite3_finalize(t->put);
	sqlite3_finalize(t->max);
	sqlite3_finalize(t->commit);
	sqlite3_close(t->db);
}

static void one_batch(struct target *t, int objects)
{
	uint8_t key[STORE_KEY_LEN];
	int err;

	if (t->store && (err = store_begin(t->store)))
		die("store_begin", err);
	if (!t->store)
		raw_step(t->db, t->begin);
	for (int i = 0; i < objects; i++) {
		uint64_t id = ++t->next_id;

		make_key(key, (uint32_t)(id % KEYS));
		memcpy(blob, &id, sizeof(id));
		if (t->store) {
			err = store_put(t->store, STORE_FILTER, key, id, blob, sizeof(blob));
			if (err)
				die("store_put", err);
			continue;
		}
		sqlite3_bind_int(t->put, 1, STORE_FILTER);
		sqlite3_bind_blob(t->put, 2, key, STORE_KEY_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(t->put, 3, (int64_t)id);
		sqlite3_bind_blob(t->put, 4, blob, sizeof(blob), SQLITE_STATIC);
		raw_step(t->db, t->put);
	}
	if (t->store) {
		if ((err = store_commit(t->store)))
			die("store_commit", err);
		return;
	}
	sqlite3_bind_int64(t->max, 1, (int64_t)t->next_id);
	raw_step(t->db, t->max);
	raw_step(t->db, t->commit);
}

/* Fills the working set once. */
static void fill(struct target *t)
{
	for (int i = 0; i < KEYS / 1000; i++)
		one_batch(t, 1000);
}

/* One run: commits/s over at least RUN_MIN_S (and 10 batches). */
static double run_once(struct target *t, int objects)
{
	double t0 = now_s(), el;
	long n = 0;

	do {
		one_batch(t, objects);
		n++;
		el = now_s() - t0;
	} while (el < RUN_MIN_S || n < 10);
	return (double)n / el;
}

/* ---- the rest ---------------------------------------------------------- */

#define DIR_MAX 2048
#define PATH_MAX_ (DIR_MAX + 64)

static double fdatasync_us(const char *dir)
{
	char path[PATH_MAX_];
	double v[RUNS];
	uint8_t page[4096] = { 1 };
	int fd;

	snprintf(path, sizeof(path), "%s/fsync.probe", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open probe", errno);
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_s();

		for (int i = 0; i < 200; i++)
			if (pwrite(fd, page, sizeof(page), (off_t)(i % 16) * 4096) < 0 ||
			    fdatasync(fd) < 0)
				die("pwrite/fdatasync", errno);
		v[r] = (now_s() - t0) / 200 * 1e6;
	}
	close(fd);
	unlink(path);
	return median(v, RUNS);
}

static int count_cb(void *arg, enum store_kind kind, const uint8_t key[STORE_KEY_LEN],
		    uint64_t id, const void *b, size_t len)
{
	(void)kind, (void)key, (void)id, (void)b;
	*(size_t *)arg += len;
	return 0;
}

static void open_and_load_ms(const char *path, double *open_ms, double *load_ms)
{
	double vo[RUNS], vl[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct store *s = NULL;
		size_t bytes = 0;
		double t0 = now_s();
		int err = store_open(path, &s);

		if (err)
			die("store_open", err);
		vo[r] = (now_s() - t0) * 1e3;
		t0 = now_s();
		if ((err = store_load(s, count_cb, &bytes)))
			die("store_load", err);
		vl[r] = (now_s() - t0) * 1e3;
		if (bytes != (size_t)KEYS * OBJ_BYTES)
			die("store_load: wrong total", EIO);
		store_close(s);
	}
	*open_ms = median(vo, RUNS);
	*load_ms = median(vl, RUNS);
}

static const char *fs_name(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) < 0)
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794C7630: return "overlayfs";
	default: return "other";
	}
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[PATH_MAX_ + 8];

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

struct result {
	const char *target, *sync;
	int batch;
	double commits;
};

int main(int argc, char **argv)
{
	const char *out = NULL, *base = NULL;
	struct result res[6];
	char dir[DIR_MAX], path[PATH_MAX_];
	double sync_us, open_ms = 0, load_ms = 0;
	int nres = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			base = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--out FILE] [--dir DIR]\n", argv[0]);
			return 2;
		}
	}
	if (!base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/var/tmp";
	snprintf(dir, sizeof(dir), "%s/bench-store.XXXXXX", base);
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	if (!strcmp(fs_name(dir), "tmpfs"))
		fprintf(stderr, "bench_store: warning: %s is tmpfs; use --dir on a disk\n", dir);

	sync_us = fdatasync_us(dir);
	/* The three targets take turns run by run, so a slow patch of the
	 * (shared, virtual) disk hits all of them alike. */
	for (int batch = 1; batch <= 100; batch += 99) {
		static const char *const names[3] = { "store", "sqlite", "sqlite" };
		static const char *const syncs[3] = { "FULL", "FULL", "NORMAL" };
		struct target t[3] = { { 0 } };
		double rate[3][RUNS];
		int err;

		for (int k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "%s/policy%d.db", dir, k);
			if (k == 0 && (err = store_open(path, &t[k].store)))
				die("store_open", err);
			if (k > 0)
				raw_open(&t[k], path, syncs[k]);
			fill(&t[k]);
		}
		for (int r = 0; r < RUNS; r++)
			for (int k = 0; k < 3; k++)
				rate[k][r] = run_once(&t[k], batch);
		for (int k = 0; k < 3; k++)
			res[nres++] = (struct result){ names[k], syncs[k], batch,
						       median(rate[k], RUNS) };
		store_close(t[0].store);
		raw_close(&t[1]);
		raw_close(&t[2]);
		snprintf(path, sizeof(path), "%s/policy0.db", dir);
		if (batch == 100)
			open_and_load_ms(path, &open_ms, &load_ms);
		for (int k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "%s/policy%d.db", dir, k);
			remove_db(path);
		}
	}
	rmdir(dir);

	printf("store benchmark: %s (%s), %d-byte objects, %d-key working set, "
	       "median of %d runs\n", dir, fs_name(base), OBJ_BYTES, KEYS, RUNS);
	printf("pwrite 4 KiB + fdatasync: %.0f us\n\n", sync_us);
	printf("%-28s %6s %12s %12s %10s\n", "target", "batch", "commits/s",
	       "objects/s", "us/commit");
	for (int i = 0; i < nres; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s, synchronous=%s", res[i].target, res[i].sync);
		printf("%-28s %6d %12.0f %12.0f %10.1f\n", name, res[i].batch,
		       res[i].commits, res[i].commits * res[i].batch, 1e6 / res[i].commits);
	}
	printf("\nstore_open with integrity_check, %d objects: %.1f ms\n", KEYS, open_ms);
	printf("store_load of %d objects: %.1f ms\n", KEYS, load_ms);

	if (out) {
		FILE *f = fopen(out, "w");

		if (!f)
			die(out, errno);
		fprintf(f, "{\"bench\":\"store\",\"runs\":%d,\"fs\":\"%s\",\"object_bytes\":%d,"
			"\"keys\":%d,\"fdatasync_us\":%.0f,\"results\":[", RUNS, fs_name(base),
			OBJ_BYTES, KEYS, sync_us);
		for (int i = 0; i < nres; i++)
			fprintf(f, "%s{\"target\":\"%s\",\"synchronous\":\"%s\",\"batch\":%d,"
				"\"commits_per_s\":%.0f,\"objects_per_s\":%.0f}", i ? "," : "",
				res[i].target, res[i].sync, res[i].batch, res[i].commits,
				res[i].commits * res[i].batch);
		fprintf(f, "],\"open_ms_10k\":%.2f,\"load_ms_10k\":%.2f}\n", open_ms, load_ms);
		if (fclose(f))
			die(out, errno);
	}
	return 0;
}
