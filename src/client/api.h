/* api.h - helpers shared by the exported API functions (api_*.c).
 *
 * Each exported function is short: take a reference on the client behind
 * the handle, convert version-0 structs, call the transport, release.
 */
#ifndef FWP_CLIENT_API_H
#define FWP_CLIENT_API_H

#include <fwpmu.h>
#include <fwpx.h>

#include "client/client.h"

#define FWP_EXPORT __attribute__((visibility("default")))

/* Runs expr with c_ bound to the referenced client behind handle h, and
 * returns its result (or the handle error). */
#define WITH_CLIENT(h, expr) do { \
	struct fwp_client *c_; \
	DWORD rc_ = client_get((h), &c_); \
	if (rc_) \
		return rc_; \
	rc_ = (expr); \
	client_put(c_); \
	return rc_; \
} while (0)


/* convert_v0.c: version 0 <-> version 1. */
void traffic0_to_1(const IPSEC_TRAFFIC0 *in, IPSEC_TRAFFIC1 *out);
void getspi0_to_1(const IPSEC_GETSPI0 *in, IPSEC_GETSPI1 *out);
void bundle0_to_1(const IPSEC_SA_BUNDLE0 *in, IPSEC_SA_BUNDLE1 *out);
/* New single allocations; NULL when out of memory. */
IPSEC_SA_CONTEXT0 *context1_to_0(const IPSEC_SA_CONTEXT1 *in);
IPSEC_SA_CONTEXT0 **contexts1_to_0(IPSEC_SA_CONTEXT1 *const *in, UINT32 n);
IPSEC_SA_DETAILS0 **details1_to_0(IPSEC_SA_DETAILS1 *const *in, UINT32 n);

#endif
