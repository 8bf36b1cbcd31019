/* policy_kind.h - the four kinds of policy object, as the engine interface
 * (engine.h) and the transport seam (client/transport.h) name them.
 *
 * The Windows struct behind each kind, in the engine's calls:
 *   POL_PROVIDER  FWPM_PROVIDER0            by key
 *   POL_SUBLAYER  FWPM_SUBLAYER0            by key
 *   POL_FILTER    FWPM_FILTER0              by key or by filterId
 *   POL_CONTEXT   FWPM_PROVIDER_CONTEXT1    by key or by providerContextId
 * Enumeration templates: FWPM_PROVIDER_ENUM_TEMPLATE0,
 * FWPM_SUBLAYER_ENUM_TEMPLATE0, FWPM_FILTER_ENUM_TEMPLATE0,
 * FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0.
 */
#ifndef FWP_ENGINE_POLICY_KIND_H
#define FWP_ENGINE_POLICY_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>

enum pol_kind {
	POL_PROVIDER,
	POL_SUBLAYER,
	POL_FILTER,
	POL_CONTEXT,
	POL_NKINDS
};

/* What a security descriptor call names besides a kind's object. */
#define ENGINE_SD_ENGINE 16	/* the engine: every container right */
#define ENGINE_SD_SADB 17	/* the IPsec SA database: SA-context calls */

/* Names one object: by key (key may be NULL: FWP_E_NULL_POINTER) or by its
 * runtime id (filters and provider contexts only). */
struct pol_ref {
	bool by_key;
	const GUID *key;
	UINT64 id;
};

/* One committed change of a policy object, as change subscribers get it:
 * pointer-free, so it travels raw (FWPD_A_CHANGE) and queues by copy.
 * change_type: FWPM_CHANGE_ADD / FWPM_CHANGE_DELETE; id: the filterId or
 * providerContextId, 0 for providers and sublayers. */
struct fwp_pol_change {
	uint32_t kind;			/* enum pol_kind */
	uint32_t change_type;
	GUID key;
	uint64_t id;
};

_Static_assert(sizeof(struct fwp_pol_change) == 32, "a change travels as 32 bytes");

#endif
