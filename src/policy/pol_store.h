/* pol_store.h - the engine's persistent policy objects kept in a store
 * (store.h): the pol_store_ops an engine writes through, and the restore
 * at start-up.
 *
 * Ownership: pol_store_open returns a struct pol_store the host keeps for
 * the engine's lifetime and closes after engine_destroy. Locking: write()
 * runs outside the engine lock but one call at a time (the engine waits
 * for each: policy_txn.c), restore before any session exists, so the
 * store is never used by two threads at once (store.h's rule).
 */
#ifndef FWP_POLICY_POL_STORE_H
#define FWP_POLICY_POL_STORE_H

#include "engine/engine.h"

struct pol_store;

extern const struct pol_store_ops pol_store_ops;

/* Opens (creating) the store file at path. 0 or -errno (store_open's). */
int pol_store_open(const char *path, struct pol_store **out);
void pol_store_close(struct pol_store *ps);
/* Re-adds every stored object to e, in load order, and keeps runtime ids
 * above every id the store ever held. Objects that no longer validate are
 * logged and skipped (*skipped counts them). 0 or -errno. */
int pol_store_restore(struct pol_store *ps, struct engine *e, size_t *restored,
		      size_t *skipped);

#endif
