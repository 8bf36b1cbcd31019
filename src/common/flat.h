/* flat.h - build a pointer-linked result as ONE allocation.
 *
 * Every object the API hands out (a context with everything it points to,
 * an enumeration batch) must be a single block, because clients free it
 * with one FwpmFreeMemory0 and may have overwritten its inner pointers
 * first (strongSwan does). A builder runs twice: a measuring pass, in which
 * flat_take() returns scratch memory, then a filling pass into the real
 * block. Builder code therefore only ever READS from its sources and never
 * from what it wrote.
 *
 * Ownership: flat_finish() hands the block to the caller (free()). Locking:
 * none.
 */
#ifndef FWP_COMMON_FLAT_H
#define FWP_COMMON_FLAT_H

#include <stddef.h>

struct flat {
	unsigned char *base;	/* NULL while measuring */
	size_t cap;		/* size of base */
	size_t used;
	/* Measuring pass: writes land in scratch chunks. Older chunks stay
	 * allocated until the pass ends, because the builder may still write
	 * through pointers it got earlier. */
	struct flat_chunk *scratch;
	size_t scratch_size;
	int failed;
};

void flat_begin(struct flat *f);
/* Reserves size bytes aligned to align; returns zeroed writable memory, or
 * NULL only after an allocation failure (the builder may carry on; the
 * failure is reported by flat_end_measure / flat_end). */
void *flat_take(struct flat *f, size_t size, size_t align);
void *flat_dup(struct flat *f, const void *src, size_t size, size_t align);
/* Ends the measuring pass and allocates the block. Returns 0 or -ENOMEM. */
int flat_end_measure(struct flat *f);
/* Ends the filling pass; returns the block (to free()) or NULL. */
void *flat_end(struct flat *f);
/* Releases everything after a failure. */
void flat_abort(struct flat *f);

#define FLAT_NEW(f, type) ((type *)flat_take((f), sizeof(type), _Alignof(type)))
#define FLAT_ARRAY(f, type, n) ((type *)flat_take((f), sizeof(type) * (n), _Alignof(type)))

#endif
