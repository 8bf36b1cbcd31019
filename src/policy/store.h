/* store.h - the durable object store for persistent policy objects.
 *
 * fwpd keeps the objects added with FWPM_*_FLAG_PERSISTENT (providers,
 * sublayers, provider contexts, filters) in one SQLite 3 database in WAL
 * mode under its state directory, and re-adds them at start-up. Objects
 * are opaque byte strings keyed by (kind, 16-byte key, normally the
 * object's GUID): the caller serialises them, the store never looks inside.
 * Every object also carries the caller's 64-bit runtime id, so that ids are
 * never reused across restarts (store_max_id).
 *
 * Batches: changes are made only inside a batch (store_begin ..
 * store_commit or store_abort), which is one SQLite transaction. When
 * store_commit returns 0 the whole batch is on disk (fsync'd: synchronous
 * = FULL); when it fails, or the process dies before it returns, none of it
 * is visible after reopening. A batch in which any store_put or
 * store_delete failed is poisoned: store_commit rolls it back and returns
 * that first error, so a caller cannot commit half a batch by ignoring an
 * error. (store_delete's -ENOENT is not a failure and does not poison.)
 * One caveat, common to every storage engine: if store_commit returns -EIO
 * because the final fsync failed, the commit record may already have reached
 * the disk, so the batch may reappear after a restart (still whole, never
 * half). Treat -EIO from store_commit as "unknown"; store_load after a reopen
 * tells the truth.
 *
 * Ownership: struct store is opaque, created by store_open and freed by
 * store_close. The store copies every blob it is given; blobs handed to a
 * store_load callback are valid only during that call.
 *
 * Locking: none. A store is used by one thread at a time (fwpd's engine
 * thread); the SQLite connection is opened in multi-thread mode
 * (SQLITE_OPEN_NOMUTEX), so two threads must never call into the same store
 * concurrently. Never carry an open store across fork(). Other processes
 * may read the file meanwhile (WAL); a writer in another process makes
 * store_begin wait up to STORE_BUSY_TIMEOUT_MS, then fail with -EBUSY.
 *
 * Returns: 0 on success or a negative errno: -EINVAL (bad argument or call
 * out of sequence), -ENOMEM, -EIO (SQLite or I/O failure), -ENOSPC (disk
 * full), -EBUSY (locked by another process), -EROFS (read-only file),
 * -EPROTO (a newer schema, or not a fwpd store), -ENOENT, -EMSGSIZE (blob
 * too large); store_open also passes on open(2)'s errno. Each SQLite
 * failure is logged once to stderr, with SQLite's message and the
 * operation, never with keys or blob bytes. store_open alone also returns
 * the positive STORE_OPEN_RECOVERED (see there). No function exits the
 * process.
 */
#ifndef FWP_POLICY_STORE_H
#define FWP_POLICY_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_kind {
	STORE_PROVIDER = 1,
	STORE_SUBLAYER,
	STORE_FILTER,
	STORE_PROVIDER_CONTEXT,
};

#define STORE_KEY_LEN 16
#define STORE_BLOB_MAX (16u << 20)	/* bytes; larger blobs get -EMSGSIZE */
#define STORE_BUSY_TIMEOUT_MS 2000
#define STORE_SCHEMA_VERSION 1

/* store_open's positive result: the file failed PRAGMA integrity_check (or
 * is not a database), was renamed to "<path>.corrupt-<UTC timestamp>" (its
 * -wal file, if any, alongside as "<that name>-wal", so the pair still opens
 * with sqlite3), and a new empty store was created in its place. *out is a
 * usable store; store_corrupt_path() names the moved file. */
#define STORE_OPEN_RECOVERED 1

struct store;

/* Opens the store at path, creating the file (mode 0600, whatever the
 * umask, with no window of looser permissions) and the schema if missing.
 * An existing file with group or other permission bits is tightened to
 * 0600 (with a warning). Symbolic links are refused. Runs PRAGMA
 * integrity_check, whose cost grows with the file (about 25 ms for 10,000
 * objects of 300 bytes on the development VM).
 * Returns 0, STORE_OPEN_RECOVERED, or -errno (-EPROTO: the schema is newer
 * than STORE_SCHEMA_VERSION or the file is another program's database; the
 * file is neither moved nor written, and fwpd should refuse to start). */
int store_open(const char *path, struct store **out);

/* Rolls back an open batch, checkpoints and closes. NULL is a no-op. */
void store_close(struct store *s);

/* After STORE_OPEN_RECOVERED: the name the corrupt file was moved to.
 * NULL otherwise. Valid until store_close. */
const char *store_corrupt_path(const struct store *s);

/* Starts a batch (BEGIN IMMEDIATE: the write lock is taken here, so a
 * busy file fails now, not in the middle of the batch). -EINVAL if a batch
 * is already open. */
int store_begin(struct store *s);

/* Inserts (kind, key), or replaces its id and blob if present; a replaced
 * object keeps its place in load order. blob may be NULL when len is 0.
 * Only inside a batch (-EINVAL otherwise). */
int store_put(struct store *s, enum store_kind kind,
	      const uint8_t key[STORE_KEY_LEN], uint64_t id,
	      const void *blob, size_t len);

/* Removes (kind, key). -ENOENT (batch not poisoned) if it is not there.
 * Only inside a batch. */
int store_delete(struct store *s, enum store_kind kind,
		 const uint8_t key[STORE_KEY_LEN]);

/* Ends the batch, whatever the result (no store_abort needed after a
 * failure). 0: all of it is durable. Otherwise it was rolled back; a
 * poisoned batch returns its first error. See the -EIO caveat above. */
int store_commit(struct store *s);

/* Discards the open batch, if any. */
void store_abort(struct store *s);

/* Calls cb for every object: providers, then sublayers, then provider
 * contexts, then filters (the order in which fwpd must re-add them), each
 * kind in insertion order. cb must not call into the store. A non-zero
 * return from cb stops the walk and becomes store_load's result, so use
 * values that cannot be confused with -errno. Not inside a batch
 * (-EINVAL). Reads one consistent snapshot. */
typedef int (*store_load_cb)(void *arg, enum store_kind kind,
			     const uint8_t key[STORE_KEY_LEN], uint64_t id,
			     const void *blob, size_t len);
int store_load(struct store *s, store_load_cb cb, void *arg);

/* The largest id ever committed, including ids of objects deleted since
 * (0 if none): start the runtime id counter above it. Puts of the open
 * batch count only once it commits. */
int store_max_id(struct store *s, uint64_t *out);

#endif
