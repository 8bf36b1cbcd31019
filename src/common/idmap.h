/* idmap.h - intrusive hash map from a 64-bit key to an embedded node.
 *
 * Used for SA contexts by id and inbound SAs by SPI: O(1) insert, lookup and
 * remove, no allocation per entry (the node lives in the owner's struct).
 * The table grows by doubling; it never shrinks below its initial size.
 *
 * Ownership: the map never owns entries. Locking: none; callers serialise.
 */
#ifndef FWP_COMMON_IDMAP_H
#define FWP_COMMON_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_node {
	struct idmap_node *next;
	uint64_t key;
};

struct idmap {
	struct idmap_node **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;
	unsigned shift;		/* 64 - log2(nbuckets) */
};

/* Returns 0 or -ENOMEM. */
int idmap_init(struct idmap *m, size_t initial_buckets);
void idmap_free(struct idmap *m);

/* Inserts n under key. The key must not be present (checked by callers).
 * Returns 0 or -ENOMEM (only when a needed resize fails; the node is then
 * still inserted, the table just stays denser). */
int idmap_insert(struct idmap *m, struct idmap_node *n, uint64_t key);
struct idmap_node *idmap_find(const struct idmap *m, uint64_t key);
/* Removes n, which must be in the map. */
void idmap_remove(struct idmap *m, struct idmap_node *n);

#define idmap_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
