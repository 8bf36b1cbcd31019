/* store.c - the durable object store (see store.h).
 *
 * One SQLite database in WAL mode. Schema (version 1):
 *
 *   schema_version(version)             one row
 *   meta(name, value)                   'max_id': the id high-water mark
 *   objects(seq, kind, key, id, blob)   seq is the rowid, i.e. the
 *                                       insertion order; (kind, key) unique
 *
 * Why these settings:
 * - WAL: a commit appends the batch's pages to the -wal file and ends with
 *   one commit frame; a crash at any point leaves either the whole batch or
 *   none of it (recovery ignores frames after the last valid commit frame),
 *   and readers (an operator's sqlite3, a backup) never block the writer.
 * - synchronous=FULL: in WAL mode, NORMAL syncs the WAL only at checkpoints,
 *   so a commit survives a process crash but the last commits before a
 *   power loss or kernel panic may vanish. fwpd tells its client "added"
 *   once store_commit returns, and a persistent object must then survive a
 *   reboot; FULL fsyncs the WAL on every commit to make that true. The cost
 *   is one fsync per batch, which is why callers batch.
 * - secure_delete: provider contexts may hold IKE pre-shared keys; deleted
 *   objects are overwritten in the database file (old WAL frames remain
 *   until the WAL is reused or truncated, see journal_size_limit).
 * - No SQLITE_OPEN_CREATE: the file is created here with O_EXCL and mode
 *   0600 first, and SQLite gives the -wal and -shm files the database
 *   file's mode.
 * - Statements are prepared once at open (SQLITE_PREPARE_PERSISTENT) and
 *   reset after each use; bound blobs are SQLITE_STATIC and the bindings
 *   are cleared after each step, so no caller pointer is kept.
 */
#include "policy/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define STORE_APPLICATION_ID 0x46575044	/* "FWPD", shown by file(1) */
#define STORE_APPLICATION_ID_SQL "PRAGMA application_id = 1180127300"
_Static_assert(STORE_APPLICATION_ID == 1180127300, "application_id literal");

enum stmt {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_PUT,
	ST_DELETE,
	ST_LOAD,
	ST_SET_MAX_ID,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_BEGIN_READ] = "BEGIN DEFERRED",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PUT] = ("INSERT INTO objects (kind, key, id, blob) VALUES (?1, ?2, ?3, ?4) "
		    "ON CONFLICT (kind, key) DO UPDATE SET id = excluded.id, blob = excluded.blob"),
	[ST_DELETE] = "DELETE FROM objects WHERE kind = ?1 AND key = ?2",
	[ST_LOAD] = "SELECT key, id, blob FROM objects WHERE kind = ?1 ORDER BY seq",
	[ST_SET_MAX_ID] = "UPDATE meta SET value = ?1 WHERE name = 'max_id'",
};

static const char schema_v1[] =
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE objects ("
	" seq INTEGER PRIMARY KEY,"
	" kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),"
	" key BLOB NOT NULL CHECK (length(key) = 16),"
	" id INTEGER NOT NULL,"
	" blob BLOB NOT NULL,"
	" UNIQUE (kind, key));"
	"CREATE INDEX objects_by_kind ON objects (kind);"
	"INSERT INTO schema_version VALUES (1);"
	"INSERT INTO meta VALUES ('max_id', 0);";

/* The order in which fwpd must re-add objects: what a filter or provider
 * context names (provider, sublayer) must exist first. */
static const enum store_kind load_order[] = {
	STORE_PROVIDER, STORE_SUBLAYER, STORE_PROVIDER_CONTEXT, STORE_FILTER,
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	char *path;
	char *corrupt_path;	/* set by a recovery at open */
	bool saw_corruption;	/* SQLITE_CORRUPT / SQLITE_NOTADB seen */
	bool in_batch;
	bool in_load;
	int batch_err;		/* first failure of the open batch, 0 if none */
	uint64_t max_id;	/* committed high-water mark */
	uint64_t batch_max_id;	/* ... including the open batch */
};

/* ---- errors and logging ------------------------------------------------ */

static int map_sqlite(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_TOOBIG:
		return -EMSGSIZE;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_IOERR:
		if (sys == ENOSPC || sys == EDQUOT)
			return -ENOSPC;
		return -EIO;
	default:
		return -EIO;
	}
}

/* Logs one SQLite failure (the operation and SQLite's own message, which
 * never contains bound values) and returns the mapped -errno. */
static int db_fail(struct store *s, int rc, const char *what)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
		s->saw_corruption = true;
	fprintf(stderr, "store: %s: %s: %s (SQLite error %d)\n", s->path, what,
		s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), rc);
	return map_sqlite(s->db, rc);
}

static int sys_fail(const struct store *s, int err, const char *what)
{
	fprintf(stderr, "store: %s: %s: %s\n", s->path, what, strerror(err));
	return -err;
}

/* ---- statement helpers ------------------------------------------------- */

static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows. */
static int step_done(struct store *s, enum stmt which, const char *what)
{
	sqlite3_stmt *st = s->stmt[which];
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, what);
	stmt_done(st);
	return ret;
}

/* One-shot statement returning one integer (open-time queries). A NULL
 * column reads as 0; no row is -ENOENT. */
static int query_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s, rc, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		ret = -ENOENT;
	else
		ret = db_fail(s, rc, sql);
	sqlite3_finalize(st);
	return ret;
}

static int exec_sql(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(s, rc, what);
}

/* uint64 <-> SQLite's int64 without implementation-defined conversions. */
static int64_t id_to_db(uint64_t v)
{
	return v <= INT64_MAX ? (int64_t)v : -(int64_t)(UINT64_MAX - v) - 1;
}

static uint64_t id_from_db(int64_t v)
{
	return v >= 0 ? (uint64_t)v : UINT64_MAX - (uint64_t)(-(v + 1));
}

/* ---- the file ---------------------------------------------------------- */

static void sync_parent_dir(const struct store *s)
{
	char *dir = strdup(s->path);
	char *slash;
	int fd;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		/* Best effort: SQLite syncs the directory again when it
		 * creates the -wal file. Some file systems refuse (EINVAL). */
		if (fsync(fd) < 0 && errno != EINVAL)
			fprintf(stderr, "store: %s: fsync of the directory: %s\n",
				s->path, strerror(errno));
		close(fd);
	}
	free(dir);
}

/* Creates the file 0600 if missing (no window with looser permissions:
 * O_CREAT|O_EXCL with 0600, then fchmod only to undo a umask that took
 * away our own bits), or tightens an existing one. */
static int prepare_file(const struct store *s)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) < 0)
			ret = sys_fail(s, errno, "fchmod");
		close(fd);
		sync_parent_dir(s);
		return ret;
	}
	if (errno != EEXIST)
		return sys_fail(s, errno, "create");
	fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(s, errno, "open");
	if (fstat(fd, &st) < 0) {
		ret = sys_fail(s, errno, "fstat");
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "store: %s: not a regular file\n", s->path);
		ret = -EINVAL;
	} else if (st.st_mode & 077) {
		fprintf(stderr, "store: %s: warning: mode %04o, tightening to 0600\n",
			s->path, (unsigned)(st.st_mode & 07777));
		if (fchmod(fd, 0600) < 0)
			ret = sys_fail(s, errno, "fchmod");
	}
	close(fd);
	return ret;
}

/* Moves "<path>" (and "<path>-wal", "<path>-journal") aside to
 * "<path>.corrupt-<UTC time>[.N]", drops "<path>-shm" (an index rebuilt
 * from the WAL) and records the new name in s->corrupt_path. */
static int move_aside(struct store *s)
{
	static const char *const companions[] = { "-wal", "-journal" };
	char stamp[32], *name = NULL, *from = NULL, *to = NULL;
	struct tm tm;
	time_t now = time(NULL);
	size_t cap;
	int ret = -EEXIST;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	cap = strlen(s->path) + sizeof(".corrupt-") + sizeof(stamp) + 16;
	name = malloc(cap);
	from = malloc(cap);
	to = malloc(cap);
	if (!name || !from || !to) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (int n = 0; n < 100; n++) {
		if (n)
			snprintf(name, cap, "%s.corrupt-%s.%d", s->path, stamp, n);
		else
			snprintf(name, cap, "%s.corrupt-%s", s->path, stamp);
		if (renameat2(AT_FDCWD, s->path, AT_FDCWD, name, RENAME_NOREPLACE) == 0) {
			ret = 0;
			break;
		}
		if (errno == EEXIST)
			continue;
		if (errno == EINVAL) {	/* a file system without RENAME_NOREPLACE */
			if (access(name, F_OK) == 0)
				continue;
			if (rename(s->path, name) == 0) {
				ret = 0;
				break;
			}
		}
		ret = sys_fail(s, errno, "rename of the corrupt file");
		goto out_free;
	}
	if (ret) {
		fprintf(stderr, "store: %s: no free name to move the corrupt file to\n",
			s->path);
		goto out_free;
	}
	for (size_t i = 0; i < sizeof(companions) / sizeof(companions[0]); i++) {
		snprintf(from, cap, "%s%s", s->path, companions[i]);
		snprintf(to, cap, "%s%s", name, companions[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			fprintf(stderr, "store: %s: rename of %s: %s\n", s->path,
				from, strerror(errno));
	}
	snprintf(from, cap, "%s-shm", s->path);
	if (unlink(from) < 0 && errno != ENOENT)
		fprintf(stderr, "store: %s: unlink of %s: %s\n", s->path, from,
			strerror(errno));
	sync_parent_dir(s);
	free(s->corrupt_path);
	s->corrupt_path = name;
	name = NULL;
out_free:
	free(to);
	free(from);
	free(name);
	return ret;
}

/* ---- opening ----------------------------------------------------------- */

/* 0 if the database passes integrity_check, -EILSEQ if it is corrupt (the
 * caller moves it aside), another -errno if the check itself failed (an
 * I/O error, a lock: no proof of corruption, so the file is left alone). */
static int check_integrity(struct store *s)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *res = (const char *)sqlite3_column_text(st, 0);

			if (!res || strcmp(res, "ok")) {
				char line[201];

				/* One log line: the report's newlines become ';'. */
				snprintf(line, sizeof(line), "%s", res ? res : "(null)");
				for (char *p = line; (p = strchr(p, '\n')); )
					*p = ';';
				fprintf(stderr, "store: %s: integrity_check: %s\n",
					s->path, line);
				ret = -EILSEQ;
			}
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK) {
		ret = db_fail(s, rc, "integrity_check");
		if (s->saw_corruption)
			ret = -EILSEQ;
	}
	return ret;
}

/* Read only, before anything is written: is this a fwpd store of a
 * version we read (0, *fresh = false), an empty database (0, *fresh =
 * true), or something else (-EPROTO)? */
static int check_schema(struct store *s, bool *fresh)
{
	int64_t app_id = 0, has_version = 0, objects = 0, version = 0;
	int ret;

	ret = query_int(s, "PRAGMA application_id", &app_id);
	if (ret)
		return ret;
	if (app_id != 0 && app_id != STORE_APPLICATION_ID) {
		fprintf(stderr, "store: %s: application_id 0x%llx: not a fwpd store\n",
			s->path, (unsigned long long)app_id);
		return -EPROTO;
	}
	ret = query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
			   "AND name = 'schema_version'", &has_version);
	if (ret)
		return ret;
	if (!has_version) {
		ret = query_int(s, "SELECT count(*) FROM sqlite_master", &objects);
		if (ret)
			return ret;
		if (objects) {
			fprintf(stderr, "store: %s: has tables but no schema_version: "
				"not a fwpd store\n", s->path);
			return -EPROTO;
		}
		*fresh = true;
		return 0;
	}
	ret = query_int(s, "SELECT max(version) FROM schema_version", &version);
	if (ret)
		return ret;
	if (version != STORE_SCHEMA_VERSION) {
		/* Older versions would be migrated here; none exist yet. */
		fprintf(stderr, "store: %s: schema version %lld, this fwpd reads %d\n",
			s->path, (long long)version, STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	*fresh = false;
	return 0;
}

/* Inside BEGIN IMMEDIATE: creates schema version 1 if fresh, then reads
 * the id high-water mark. */
static int init_schema(struct store *s, bool fresh)
{
	int64_t meta_max = 0, max_neg = 0, max_pos = 0;
	int ret;

	if (fresh) {
		ret = exec_sql(s, schema_v1, "create schema");
		if (!ret)
			ret = exec_sql(s, STORE_APPLICATION_ID_SQL, "set application_id");
		if (ret)
			return ret;
	}
	/* The mark, and (defence in depth) every id present: negative int64
	 * values are ids above INT64_MAX. */
	ret = query_int(s, "SELECT value FROM meta WHERE name = 'max_id'", &meta_max);
	if (ret == -ENOENT) {
		ret = exec_sql(s, "INSERT INTO meta VALUES ('max_id', 0)", "repair meta");
		meta_max = 0;
	}
	if (ret)
		return ret;
	s->max_id = id_from_db(meta_max);
	ret = query_int(s, "SELECT max(CASE WHEN id < 0 THEN id END) FROM objects", &max_neg);
	if (!ret)
		ret = query_int(s, "SELECT max(CASE WHEN id >= 0 THEN id END) FROM objects",
				&max_pos);
	if (ret)
		return ret;
	if (max_neg && id_from_db(max_neg) > s->max_id)
		s->max_id = id_from_db(max_neg);
	if ((uint64_t)max_pos > s->max_id)
		s->max_id = (uint64_t)max_pos;
	return 0;
}

static void close_db(struct store *s, bool keep_wal)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->stmt[i]);
		s->stmt[i] = NULL;
	}
	if (!s->db)
		return;
	/* A corrupt file is moved aside as found: no checkpoint into it. */
	if (keep_wal)
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (sqlite3_close(s->db) != SQLITE_OK)
		fprintf(stderr, "store: %s: close: %s\n", s->path, sqlite3_errmsg(s->db));
	s->db = NULL;
}

/* journal_mode answers with the mode now in force, which stays the old
 * one if SQLite could not switch. */
static int set_wal(struct store *s)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s, rc, "journal_mode");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);

		if (!mode || sqlite3_stricmp(mode, "wal")) {
			fprintf(stderr, "store: %s: journal_mode stays %s, not wal\n",
				s->path, mode ? mode : "(null)");
			ret = -EIO;
		}
	} else {
		ret = db_fail(s, rc, "journal_mode");
	}
	sqlite3_finalize(st);
	return ret;
}

/* Opens the connection and readies it. -EILSEQ: the file is corrupt. */
static int open_db(struct store *s)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
	bool fresh = false;
	int rc, ret;

	s->saw_corruption = false;
	ret = prepare_file(s);
	if (ret)
		return ret;
	rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s, rc, "open");
		goto err_db;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	/* Before anything writes: the first read also recovers a WAL that a
	 * crash left behind, so the check covers what the store will see. */
	ret = check_integrity(s);
	if (ret)
		goto err_db;
	ret = check_schema(s, &fresh);
	if (ret)
		goto err_db;
	ret = set_wal(s);
	if (ret)
		goto err_db;
	ret = exec_sql(s, "PRAGMA synchronous = FULL;"
			  "PRAGMA secure_delete = ON;"
			  /* after a checkpoint, cut the WAL back to 4 MiB */
			  "PRAGMA journal_size_limit = 4194304;",
		       "pragmas");
	if (ret)
		goto err_db;
	ret = exec_sql(s, "BEGIN IMMEDIATE", "begin schema");
	if (ret)
		goto err_db;
	ret = init_schema(s, fresh);
	if (ret) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto err_db;
	}
	ret = exec_sql(s, "COMMIT", "commit schema");
	if (ret)
		goto err_db;
	for (int i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			ret = db_fail(s, rc, "prepare");
			goto err_db;
		}
	}
	return 0;

err_db:
	if (s->saw_corruption)
		ret = -EILSEQ;
	close_db(s, ret == -EILSEQ);
	return ret;
}

int store_open(const char *path, struct store **out)
{
	struct store *s;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path || !*path)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	if (!s->path) {
		ret = -ENOMEM;
		goto err_store;
	}
	ret = open_db(s);
	if (ret == -EILSEQ) {
		ret = move_aside(s);
		if (ret)
			goto err_store;
		fprintf(stderr, "store: %s: corrupt; moved to %s, starting empty\n",
			s->path, s->corrupt_path);
		ret = open_db(s);
		if (ret == -EILSEQ)
			ret = -EIO;
	}
	if (ret)
		goto err_store;
	*out = s;
	return s->corrupt_path ? STORE_OPEN_RECOVERED : 0;

err_store:
	free(s->corrupt_path);
	free(s->path);
	free(s);
	return ret;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_abort(s);
	close_db(s, false);
	free(s->corrupt_path);
	free(s->path);
	free(s);
}

const char *store_corrupt_path(const struct store *s)
{
	return s ? s->corrupt_path : NULL;
}

/* ---- batches ----------------------------------------------------------- */

static void end_batch(struct store *s)
{
	s->in_batch = false;
	s->batch_err = 0;
	s->batch_max_id = s->max_id;
}

/* Rolls back the open transaction, if SQLite has not already done so
 * (after SQLITE_FULL, IOERR or NOMEM it may have). */
static void rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		step_done(s, ST_ROLLBACK, "rollback");
}

int store_begin(struct store *s)
{
	int ret;

	if (!s || s->in_batch || s->in_load)
		return -EINVAL;
	ret = step_done(s, ST_BEGIN, "begin");
	if (ret) {
		rollback(s);
		return ret;
	}
	s->in_batch = true;
	s->batch_err = 0;
	s->batch_max_id = s->max_id;
	return 0;
}

static bool valid_kind(enum store_kind kind)
{
	return kind >= STORE_PROVIDER && kind <= STORE_PROVIDER_CONTEXT;
}

/* Records the batch's first failure. */
static int poison(struct store *s, int err)
{
	if (!s->batch_err)
		s->batch_err = err;
	return err;
}

int store_put(struct store *s, enum store_kind kind,
	      const uint8_t key[STORE_KEY_LEN], uint64_t id,
	      const void *blob, size_t len)
{
	sqlite3_stmt *st;
	int rc, ret;

	if (!s || !s->in_batch || s->in_load)
		return -EINVAL;
	if (s->batch_err)
		return s->batch_err;
	if (!valid_kind(kind) || !key || (!blob && len))
		return poison(s, -EINVAL);
	if (len > STORE_BLOB_MAX)
		return poison(s, -EMSGSIZE);
	st = s->stmt[ST_PUT];
	rc = sqlite3_bind_int(st, 1, (int)kind);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 2, key, STORE_KEY_LEN, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, id_to_db(id));
	if (rc == SQLITE_OK && len)
		rc = sqlite3_bind_blob64(st, 4, blob, len, SQLITE_STATIC);
	else if (rc == SQLITE_OK)
		rc = sqlite3_bind_zeroblob(st, 4, 0);
	if (rc != SQLITE_OK) {
		ret = db_fail(s, rc, "bind");
		stmt_done(st);
		return poison(s, ret);
	}
	ret = step_done(s, ST_PUT, "put");
	if (ret)
		return poison(s, ret);
	if (id > s->batch_max_id)
		s->batch_max_id = id;
	return 0;
}

int store_delete(struct store *s, enum store_kind kind,
		 const uint8_t key[STORE_KEY_LEN])
{
	sqlite3_stmt *st;
	int rc, ret;

	if (!s || !s->in_batch || s->in_load)
		return -EINVAL;
	if (s->batch_err)
		return s->batch_err;
	if (!valid_kind(kind) || !key)
		return poison(s, -EINVAL);
	st = s->stmt[ST_DELETE];
	rc = sqlite3_bind_int(st, 1, (int)kind);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 2, key, STORE_KEY_LEN, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		ret = db_fail(s, rc, "bind");
		stmt_done(st);
		return poison(s, ret);
	}
	ret = step_done(s, ST_DELETE, "delete");
	if (ret)
		return poison(s, ret);
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

int store_commit(struct store *s)
{
	int ret;

	if (!s || !s->in_batch || s->in_load)
		return -EINVAL;
	ret = s->batch_err;
	if (!ret && s->batch_max_id > s->max_id) {
		/* Binding an integer to a valid index cannot fail. */
		sqlite3_bind_int64(s->stmt[ST_SET_MAX_ID], 1, id_to_db(s->batch_max_id));
		ret = step_done(s, ST_SET_MAX_ID, "update max_id");
	}
	if (!ret)
		ret = step_done(s, ST_COMMIT, "commit");
	if (ret) {
		rollback(s);
		end_batch(s);
		return ret;
	}
	s->max_id = s->batch_max_id;
	end_batch(s);
	return 0;
}

void store_abort(struct store *s)
{
	if (!s || !s->in_batch || s->in_load)
		return;
	rollback(s);
	end_batch(s);
}

/* ---- reading ----------------------------------------------------------- */

static int load_kind(struct store *s, enum store_kind kind, store_load_cb cb, void *arg)
{
	static const uint8_t empty[1];
	sqlite3_stmt *st = s->stmt[ST_LOAD];
	int rc, ret = 0;

	sqlite3_bind_int(st, 1, (int)kind);	/* cannot fail */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *key = sqlite3_column_blob(st, 0);
		int key_len = sqlite3_column_bytes(st, 0);
		uint64_t id = id_from_db(sqlite3_column_int64(st, 1));
		const void *blob = sqlite3_column_blob(st, 2);
		int len = sqlite3_column_bytes(st, 2);

		if (!key || key_len != STORE_KEY_LEN) {	/* CHECK makes this impossible */
			fprintf(stderr, "store: %s: object with a %d-byte key\n",
				s->path, key_len);
			ret = -EIO;
			break;
		}
		if (!blob && len == 0)
			blob = empty;
		else if (!blob) {
			ret = db_fail(s, sqlite3_errcode(s->db), "load");
			break;
		}
		ret = cb(arg, kind, key, id, blob, (size_t)len);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_fail(s, rc, "load");
	stmt_done(st);
	return ret;
}

int store_load(struct store *s, store_load_cb cb, void *arg)
{
	int ret;

	if (!s || !cb || s->in_batch || s->in_load)
		return -EINVAL;
	ret = step_done(s, ST_BEGIN_READ, "begin load");
	if (ret)
		return ret;
	s->in_load = true;
	for (size_t i = 0; i < sizeof(load_order) / sizeof(load_order[0]) && !ret; i++)
		ret = load_kind(s, load_order[i], cb, arg);
	s->in_load = false;
	rollback(s);	/* ends the read transaction; nothing to undo */
	return ret;
}

int store_max_id(struct store *s, uint64_t *out)
{
	if (!s || !out)
		return -EINVAL;
	*out = s->max_id;
	return 0;
}
