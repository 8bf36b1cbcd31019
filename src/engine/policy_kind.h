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

#endif
