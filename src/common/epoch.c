/* epoch.c - see epoch.h. */
#include <sched.h>
#include <time.h>

#include "common/epoch.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

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

unsigned epoch_flip(struct epoch *ep)
{
	return atomic_fetch_add(&ep->phase, 1) & 1;
}

void epoch_wait(struct epoch *ep, unsigned phase)
{
	unsigned spins = 0;

	/* Reader sections are a lookup long: spin for about that long, then
	 * give the CPU away (a reader preempted inside its section needs
	 * it), then sleep. */
	while (atomic_load(&ep->readers[phase & 1])) {
		if (++spins < 64)
			cpu_relax();
		else if (spins < 64 + 256)
			sched_yield();
		else
			nanosleep(&(struct timespec){ .tv_nsec = 20000 }, NULL);
	}
}

void epoch_synchronize(struct epoch *ep)
{
	epoch_wait(ep, epoch_flip(ep));
}
