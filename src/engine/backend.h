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

#include "engine/sa_context.h"

struct sa_counters {
	uint64_t packets, bytes;
	uint64_t replay_drops, icv_failures;
	uint64_t last_use_ms;	/* engine clock; 0 = never used */
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
};

struct dp_backend {
	const struct dp_backend_ops *ops;
	void *be;
};

extern const struct dp_backend_ops dp_null_ops;

#endif
