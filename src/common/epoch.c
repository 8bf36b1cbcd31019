/* epoch.c - see epoch.h. */
#include <sched.h>
#include <time.h>

#include "common/epoch.h"

void epoch_init(struct epoch *ep)
{
	atomic_init(&ep->phase, 0);
	atomic_init(&ep->readers[0], 0);
	atomic_init(&ep->readers[1], 0);
}

unsigned epoch_enter(struct epoch *ep)
{
	for (;;) {
		unsigned i = atomic_load(&ep->phase) & 1;

		atomic_fetch_add(&ep->readers[i], 1);
		/* Counted in a phase a writer already left: it may be waiting
		 * for that counter to drain, and this reader could then load
		 * the pointer it is about to free. Count again. */
		if ((atomic_load(&ep->phase) & 1) == i)
			return i;
		atomic_fetch_sub(&ep->readers[i], 1);
	}
}

void epoch_exit(struct epoch *ep, unsigned ticket)
{
	atomic_fetch_sub(&ep->readers[ticket & 1], 1);
}

void epoch_synchronize(struct epoch *ep)
{
	unsigned old = atomic_fetch_add(&ep->phase, 1) & 1;
	unsigned spins = 0;

	/* Reader sections are a lookup long; yield, then sleep, if a reader
	 * was preempted inside one. */
	while (atomic_load(&ep->readers[old])) {
		if (++spins < 64)
			sched_yield();
		else
			nanosleep(&(struct timespec){ .tv_nsec = 50000 }, NULL);
	}
}
