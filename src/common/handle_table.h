/* handle_table.h - opaque HANDLE values that can be validated.
 *
 * A Windows HANDLE is an opaque pointer. Handing out real pointers would
 * make a stale or forged handle a use-after-free; instead a handle encodes
 * (generation << 32 | slot + 1), so a closed, foreign or garbage handle is
 * recognised and refused with ERROR_INVALID_HANDLE.
 *
 * Ownership: the table stores borrowed object pointers. Locking: internal
 * mutex; handle_table_get() calls the caller's `ref` under that mutex so an
 * object cannot be removed between lookup and reference.
 */
#ifndef FWP_COMMON_HANDLE_TABLE_H
#define FWP_COMMON_HANDLE_TABLE_H

#include <pthread.h>
#include <stdint.h>

struct handle_slot {
	void *obj;
	uint32_t gen;
	uint32_t next_free;	/* index + 1 of the next free slot, 0 = none */
};

struct handle_table {
	pthread_mutex_t lock;
	struct handle_slot *slots;
	uint32_t nslots, cap, free_head;
};

void handle_table_init(struct handle_table *t);
/* Frees the table (not the objects). */
void handle_table_fini(struct handle_table *t);
/* Returns the handle value (never 0), or 0 when out of memory. */
uint64_t handle_table_add(struct handle_table *t, void *obj);
/* Looks up h; when found and ref is non-NULL, calls ref(obj) under the lock. */
void *handle_table_get(struct handle_table *t, uint64_t h, void (*ref)(void *));
/* Removes h and returns its object, or NULL when h is not live. */
void *handle_table_remove(struct handle_table *t, uint64_t h);

#endif
