/* transport.h - the seam between the API layer and an engine.
 *
 * Two transports implement it: inproc (the engine in this process) and
 * service (fwpd over its socket). Calls carry version-1 structs only; the
 * API layer converts version 0. Semantics and result codes are the
 * engine's (src/engine/engine.h), whichever transport carries them.
 * Results handed out are single allocations released with free().
 *
 * A transport may be called from any thread; it serialises internally.
 */
#ifndef FWP_CLIENT_TRANSPORT_H
#define FWP_CLIENT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "engine/policy_kind.h"

struct fwp_client;
struct fwp_net_event;

struct transport_ops {
	const char *name;
	/* Establishes c->conn. Events for c's subscriptions are handed to
	 * dispatcher_post(c->disp, cookie, event). */
	DWORD (*open)(struct fwp_client *c, const FWPM_SESSION0 *session);
	void (*close)(struct fwp_client *c);

	DWORD (*session_enum_create)(struct fwp_client *c, uint64_t *handle);
	DWORD (*session_enum)(struct fwp_client *c, uint64_t handle, UINT32 want,
			      FWPM_SESSION0 ***entries, UINT32 *returned);
	DWORD (*session_enum_destroy)(struct fwp_client *c, uint64_t handle);

	DWORD (*txn_begin)(struct fwp_client *c, UINT32 flags);
	DWORD (*txn_commit)(struct fwp_client *c);
	DWORD (*txn_abort)(struct fwp_client *c);

	DWORD (*sa_create)(struct fwp_client *c, const IPSEC_TRAFFIC1 *traffic,
			   const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif,
			   UINT64 *inbound_filter_id, UINT64 *id);
	DWORD (*sa_get_spi)(struct fwp_client *c, UINT64 id,
			    const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI *spi);
	DWORD (*sa_set_spi)(struct fwp_client *c, UINT64 id,
			    const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI spi);
	DWORD (*sa_add)(struct fwp_client *c, UINT64 id, FWP_DIRECTION dir,
			const IPSEC_SA_BUNDLE1 *bundle);
	DWORD (*sa_update)(struct fwp_client *c, UINT64 flags,
			   const IPSEC_SA_CONTEXT1 *values);
	DWORD (*sa_get)(struct fwp_client *c, UINT64 id, IPSEC_SA_CONTEXT1 **out);
	DWORD (*sa_delete)(struct fwp_client *c, UINT64 id);
	DWORD (*sa_expire)(struct fwp_client *c, UINT64 id);

	DWORD (*sa_enum_create)(struct fwp_client *c,
				const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
				uint64_t *handle);
	DWORD (*sa_enum)(struct fwp_client *c, uint64_t handle, UINT32 want,
			 IPSEC_SA_CONTEXT1 ***entries, UINT32 *returned);
	DWORD (*sa_enum_destroy)(struct fwp_client *c, uint64_t handle);
	DWORD (*sad_enum_create)(struct fwp_client *c,
				 const IPSEC_SA_ENUM_TEMPLATE0 *tmpl, uint64_t *handle);
	DWORD (*sad_enum)(struct fwp_client *c, uint64_t handle, UINT32 want,
			  IPSEC_SA_DETAILS1 ***entries, UINT32 *returned);
	DWORD (*sad_enum_destroy)(struct fwp_client *c, uint64_t handle);

	DWORD (*subscribe)(struct fwp_client *c,
			   const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
			   UINT32 event_mask, uint64_t cookie, uint64_t *handle);
	DWORD (*unsubscribe)(struct fwp_client *c, uint64_t handle);
	DWORD (*subscriptions_get)(struct fwp_client *c,
				   IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
				   UINT32 *count);
	/* Net events: delivered with dispatcher_post_net(c->disp, cookie, ev). */
	DWORD (*net_subscribe)(struct fwp_client *c,
			       const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
			       uint64_t cookie, uint64_t *handle);
	DWORD (*net_unsubscribe)(struct fwp_client *c, uint64_t handle);

	DWORD (*statistics)(struct fwp_client *c, IPSEC_STATISTICS1 *out);
	DWORD (*ext_statistics)(struct fwp_client *c, FWPX_STATISTICS0 *out);
	DWORD (*set_expire_drain)(struct fwp_client *c, UINT32 ms);
	DWORD (*get_expire_drain)(struct fwp_client *c, UINT32 *ms);
	/* FwpxSaContextGetCounters0: in or out may be NULL, not both. */
	DWORD (*sa_counters)(struct fwp_client *c, UINT64 id,
			     FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out);
	DWORD (*sa_info)(struct fwp_client *c, UINT64 id, FWPX_SA_CONTEXT_INFO0 *info);

	/* Policy objects (engine_pol_* of engine.h). A transport that does
	 * not carry them leaves these NULL; the API layer then answers
	 * ERROR_CALL_NOT_IMPLEMENTED. */
	/* sd: the object's self-relative descriptor (sd_len bytes), or NULL
	 * for the default one. */
	DWORD (*pol_add)(struct fwp_client *c, enum pol_kind k, const void *obj,
			 const void *sd, size_t sd_len, UINT64 *id);
	DWORD (*pol_delete)(struct fwp_client *c, enum pol_kind k,
			    const struct pol_ref *ref);
	DWORD (*pol_get)(struct fwp_client *c, enum pol_kind k,
			 const struct pol_ref *ref, void **out);
	DWORD (*pol_enum_create)(struct fwp_client *c, enum pol_kind k,
				 const void *tmpl, uint64_t *handle);
	DWORD (*pol_enum)(struct fwp_client *c, enum pol_kind k, uint64_t handle,
			  UINT32 want, void ***entries, UINT32 *returned);
	DWORD (*pol_enum_destroy)(struct fwp_client *c, enum pol_kind k,
				  uint64_t handle);
	/* Engine options and the net-event history (engine_option_*,
	 * engine_net_enum_*): entries are raw records (engine/net_event.h). */
	DWORD (*option_get)(struct fwp_client *c, UINT32 option, FWP_VALUE0 **value);
	DWORD (*option_set)(struct fwp_client *c, UINT32 option, const FWP_VALUE0 *value);
	DWORD (*net_enum_create)(struct fwp_client *c,
				 const FWPM_NET_EVENT_ENUM_TEMPLATE0 *tmpl, uint64_t *handle);
	DWORD (*net_enum)(struct fwp_client *c, uint64_t handle, UINT32 want,
			  struct fwp_net_event ***entries, UINT32 *returned);
	DWORD (*net_enum_destroy)(struct fwp_client *c, uint64_t handle);
	/* Object-change subscriptions (engine_change_*): delivered with
	 * dispatcher_post_change(c->disp, cookie, change). */
	DWORD (*change_subscribe)(struct fwp_client *c, enum pol_kind k, const void *tmpl,
				  UINT32 flags, uint64_t cookie, uint64_t *handle);
	DWORD (*change_unsubscribe)(struct fwp_client *c, enum pol_kind k, uint64_t handle);
	DWORD (*change_subscriptions_get)(struct fwp_client *c, enum pol_kind k,
					  void ***entries, UINT32 *count);
	/* Security descriptors (engine_sd_get/set; target: a pol_kind or
	 * ENGINE_SD_ENGINE / ENGINE_SD_SADB, ref NULL for those two). */
	DWORD (*sd_get)(struct fwp_client *c, int target, const struct pol_ref *ref,
			UINT32 info, void **sd, size_t *len);
	DWORD (*sd_set)(struct fwp_client *c, int target, const struct pol_ref *ref,
			UINT32 info, const void *sd, size_t len);
};

extern const struct transport_ops transport_inproc;
extern const struct transport_ops transport_service;

struct engine;
/* This process's engine, created if need be; NULL when out of memory. For
 * tests that raise net events into it (engine_net_event_raise); never
 * exported from the shared library. */
__attribute__((visibility("hidden"))) struct engine *inproc_engine(void);

#endif
