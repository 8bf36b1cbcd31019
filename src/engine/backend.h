/* backend.h - the seam between the engine and a datapath.
 *
 * The engine decides what must be installed; a backend makes packets obey
 * it (null: nothing; tun: the user-space ESP datapath). Every call is made
 * with the engine lock held and must neither block for long nor call back
 * into the engine. A failing install or update leaves the backend as it was.
 * sa_update must switch between two packets: no packet may see half-old,
 * half-new settings, and sequence numbers and replay state carry over.
 */
#ifndef FWP_ENGINE_BACKEND_H
#define FWP_ENGINE_BACKEND_H

#include <stdint.h>

#include <fwpx.h>

#include "engine/sa_context.h"

struct sa_counters {
	uint64_t packets, bytes;	/* protected (out) / delivered (in) */
	uint64_t replay_drops, icv_failures;
	uint64_t other_drops;		/* malformed, bad trailer, ECN, limits */
	uint64_t last_use_ms;	/* engine clock; 0 = never used */
};

/* What happened to an SA in the datapath that the engine must act on
 * (engine_sa_datapath_event). */
enum dp_sa_event {
	DP_SA_SOFT_LIFETIME = 1,	/* 90% of kilobytes/packets used */
	DP_SA_HARD_LIFETIME = 2,	/* a limit reached: the SA carries no more */
	DP_SA_SEQ_EXHAUSTED = 3,	/* outbound sequence numbers ran out */
};

struct dp_backend_ops {
	const char *name;
	/* Install dir's SA of c (dir.live is about to become true). 0 / -errno. */
	int (*sa_install)(void *be, const struct sa_context *c, FWP_DIRECTION dir);
	/* Apply *p (the fields named by p->flags) to dir's SA. 0 / -errno.
	 * The engine undoes a half-done pair update by applying a patch made
	 * of the record's unchanged values, which must not fail. */
	int (*sa_update)(void *be, const struct sa_context *c, FWP_DIRECTION dir,
			 const struct sa_patch *p);
	void (*sa_remove)(void *be, const struct sa_context *c, FWP_DIRECTION dir);
	/* 0, or -ENOENT when nothing is installed. */
	int (*sa_counters)(void *be, const struct sa_context *c, FWP_DIRECTION dir,
			   struct sa_counters *out);
	/* Adds the datapath's traffic and drop counters to *out (the fields
	 * IPsecGetStatistics1 reports besides the SA counts). May be NULL. */
	void (*statistics)(void *be, IPSEC_STATISTICS1 *out);
	/* Fills the zeroed *out (FwpxGetStatistics0). May be NULL. */
	void (*ext_statistics)(void *be, FWPX_STATISTICS0 *out);
	/* Filter f was linked (added) or unlinked: flow verdicts cached by
	 * the datapath are stale, and f may name traffic to steer. Calls come
	 * in pairs per filter. May be NULL. */
	void (*policy_changed)(void *be, const FWPM_FILTER0 *f, bool added);
};

struct dp_backend {
	const struct dp_backend_ops *ops;
	void *be;
};

extern const struct dp_backend_ops dp_null_ops;

#endif
