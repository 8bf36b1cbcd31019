/* epoch.h - readers that never lock, writers that wait for them: the
 * grace period of a published pointer (RCU-like, two counters).
 *
 * A writer publishes a new object with one atomic exchange, then calls
 * epoch_synchronize: when it returns, no reader still uses what the
 * exchange replaced, so the writer frees it. A reader brackets its use of
 * the published pointer with epoch_enter / epoch_exit; the section must be
 * short and must not block (the writer waits for it).
 *
 * How: readers count themselves in one of two counters, the one the
 * current phase names (rechecked after counting, so a reader never counts
 * in a phase that is already being waited for). epoch_synchronize flips
 * the phase and waits until the old phase's counter drains; a reader that
 * loaded the old pointer counted itself before loading it, in that phase
 * or in an earlier one an earlier writer already waited for. New readers
 * count in the new phase, so the wait ends however busy the readers are.
 * Every access is sequentially consistent.
 *
 * Locking: any number of readers; writers (epoch_synchronize) must be
 * serialised by the caller. Nothing here allocates or fails.
 */
#ifndef FWP_COMMON_EPOCH_H
#define FWP_COMMON_EPOCH_H

#include <stdatomic.h>

struct epoch {
	atomic_uint phase;
	atomic_long readers[2];
};

void epoch_init(struct epoch *ep);
/* Returns the ticket epoch_exit takes back. */
unsigned epoch_enter(struct epoch *ep);
void epoch_exit(struct epoch *ep, unsigned ticket);
/* Waits until every reader section begun before the call has ended:
 * epoch_wait(ep, epoch_flip(ep)). */
void epoch_synchronize(struct epoch *ep);
/* The two halves, for a writer that does not want to wait at once: after
 * epoch_flip, what was published before it may be reused once
 * epoch_wait(ep, its result) returned, which must be before the next
 * flip. */
unsigned epoch_flip(struct epoch *ep);
void epoch_wait(struct epoch *ep, unsigned phase);

#endif
