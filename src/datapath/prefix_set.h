/* prefix_set.h - address prefixes counted by their users.
 *
 * Routes into the TUN and the guard's protected peers are kernel state that
 * several SAs or filters may ask for at once: the kernel gets one entry,
 * added by the first user and removed by the last. A set only counts; the
 * caller talks to the kernel when prefix_set_get says "first" or
 * prefix_set_put says "last". Linear: sets hold a few entries per peer.
 *
 * Ownership: the set owns its array. Threads: the caller's (not locked).
 */
#ifndef FWP_DATAPATH_PREFIX_SET_H
#define FWP_DATAPATH_PREFIX_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefix_ref {
	int family;
	uint8_t addr[16];
	unsigned plen;
	unsigned refs;
	bool held;		/* one of refs: adopted from a run that died */
};

struct prefix_set {
	struct prefix_ref *v;
	size_t n;
};

/* 1: the first reference (install it now), 0: one more, -ENOMEM. */
int prefix_set_get(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen);
/* true: that was the last reference (remove it now); false: still used,
 * or not in the set. */
bool prefix_set_put(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen);
void prefix_set_free(struct prefix_set *s);

/* Takes a reference marked as held (one per prefix at most; the caller
 * drops it by clearing the mark and putting the reference). 1: held now,
 * 0: held already, -ENOMEM. */
int prefix_set_hold(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen);

/* Whether prefix a (family, addr, plen) lies inside prefix b. */
bool prefix_within(int family, const uint8_t a[16], unsigned alen,
		   const struct prefix_ref *b);
/* Whether another entry of s (not the prefix itself) contains it: the
 * kernel sets of the guard hold only prefixes that none contains. */
bool prefix_set_covered(const struct prefix_set *s, int family, const uint8_t addr[16],
			unsigned plen);

#endif
