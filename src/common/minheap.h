/* minheap.h - intrusive binary min-heap of deadlines.
 *
 * Each SA context embeds one node holding its earliest deadline, so arming,
 * moving and cancelling a timer is O(log n) and a deleted context leaves no
 * stale entry behind.
 *
 * Ownership: the heap owns only its pointer array. Locking: none.
 */
#ifndef FWP_COMMON_MINHEAP_H
#define FWP_COMMON_MINHEAP_H

#include <stddef.h>
#include <stdint.h>

#define MINHEAP_NONE UINT32_MAX

struct heap_node {
	uint64_t key;		/* deadline, engine milliseconds */
	uint32_t index;		/* position, or MINHEAP_NONE when not queued */
};

struct minheap {
	struct heap_node **v;
	uint32_t n, cap;
};

void minheap_init(struct minheap *h);
void minheap_free(struct minheap *h);
static inline void heap_node_init(struct heap_node *n) { n->index = MINHEAP_NONE; }
static inline int heap_node_queued(const struct heap_node *n) { return n->index != MINHEAP_NONE; }
/* Inserts, or moves n when already queued. Returns 0 or -ENOMEM. */
int minheap_set(struct minheap *h, struct heap_node *n, uint64_t key);
void minheap_remove(struct minheap *h, struct heap_node *n);
static inline struct heap_node *minheap_top(const struct minheap *h) { return h->n ? h->v[0] : NULL; }

#endif
