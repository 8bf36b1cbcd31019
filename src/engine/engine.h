/* engine.h - the SA engine: the one implementation behind every transport.
 *
 * The API layer (src/client) checks handles and converts version-0 structs
 * to version 1; everything else - argument validation, the state machine,
 * error codes, events, timers - happens here, so that the in-process engine
 * and the fwpd service behave identically. The engine does no I/O: time
 * comes from config.clock_ms, events leave through each session's
 * event_sink, timers are driven by whoever hosts the engine
 * (engine_next_deadline / engine_run_timers), and packets are a backend's
 * business (backend.h).
 *
 * Results: every function returns a Windows result code (DWORD). Objects
 * handed out (IPSEC_SA_CONTEXT1 **, enumeration arrays) are single
 * allocations released with free(); they never contain key material.
 *
 * Locking: one mutex per engine guards all engine state; each function
 * below takes it (but engine_classify, which reads a published snapshot,
 * and the store write, which runs outside it: policy_txn.c). Sinks and backends are called with it held, so they must
 * not call back into the engine. Sessions must not be used after
 * engine_session_close(), and a session must not be used by two threads
 * while it is being closed (the API layer guarantees both).
 */
#ifndef FWP_ENGINE_ENGINE_H
#define FWP_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "engine/backend.h"
#include "engine/net_event.h"
#include "engine/policy_kind.h"

struct engine;
struct engine_session;

struct nlattr;

/* One change of a persistent policy object: a put (enc: the object's wire
 * encoding, a netlink attribute of nla_len bytes) or a delete (enc NULL). */
struct pol_change {
	int kind;			/* enum pol_kind */
	const GUID *key;
	uint64_t id;
	const struct nlattr *enc;
	const void *sd;			/* a put's descriptor; NULL: the default */
	size_t sd_len;
};

/* Where persistent policy objects go (fwpd: src/policy/store.c). write()
 * is called WITHOUT the engine lock (other engine calls go on meanwhile;
 * policy changes wait), one call at a time, in the order the changes
 * apply, and applies the n changes as one durable, all-or-nothing batch:
 * 0 or -errno (nothing written). It must not call the engine. */
struct pol_store_ops {
	int (*write)(void *arg, const struct pol_change *v, size_t n);
};

/* Where the engine's and the SA database's descriptors go when Set
 * changes one (fwpd: src/fwpd/sd_file.c). write() is called with the
 * engine lock held and both descriptors (the new one in place of the
 * old), durable when it returns 0; -errno: nothing changes. */
struct sd_store_ops {
	int (*write)(void *arg, const void *engine_sd, size_t engine_len,
		     const void *sadb_sd, size_t sadb_len);
};

struct engine_config {
	uint64_t (*clock_ms)(void *arg);	/* monotonic; NULL = CLOCK_MONOTONIC */
	void *clock_arg;
	/* Called (engine lock held) when the earliest deadline moved earlier,
	 * so the host re-arms its timer. May be NULL. */
	void (*deadline_changed)(void *arg);
	void *deadline_arg;
	struct dp_backend backend;		/* ops NULL = null backend */
	const struct pol_store_ops *store;	/* NULL: nothing persists */
	void *store_arg;
	size_t max_contexts;			/* 0 = no limit */
	uint32_t expire_drain_ms;		/* used when expire_drain_set */
	bool expire_drain_set;			/* else the default, 60000 */
	bool refuse_md5;			/* HMAC-MD5-96 refused (weak) */
	/* The descriptor the engine, the SA database and every object
	 * without one of its own start with (self-relative, copied); NULL:
	 * the process's own user holds every right (sd_default_process). */
	const void *default_sd;
	size_t default_sd_len;
	const struct sd_store_ops *sd_store;	/* NULL: they do not persist */
	void *sd_store_arg;
};

/* Receives the events of one session's subscriptions. deliver() is called
 * with the engine lock held, in event order; it must not block. */
struct event_sink {
	void (*deliver)(void *arg, uint64_t cookie,
			const FWPX_SA_CONTEXT_EVENT0 *event);
	/* Net events (net_event.h), under the same rules, on whichever thread
	 * raised them. May be NULL. */
	void (*deliver_net)(void *arg, uint64_t cookie,
			    const struct fwp_net_event *event);
	/* Committed policy-object changes (policy_kind.h), under the same
	 * rules as deliver. May be NULL. */
	void (*deliver_change)(void *arg, uint64_t cookie,
			       const struct fwp_pol_change *change);
	void *arg;
};

struct sd_token;

/* Who the session is, as the transport established it. */
struct session_cred {
	pid_t pid;
	uid_t uid;
	/* The most the transport lets the session hold (FWPM_ACTRL_* and
	 * standard rights); each call needs them AND what the descriptor
	 * concerned grants the token. */
	uint32_t rights;
	/* The caller's identity for the descriptors (copied); NULL: the
	 * descriptors are not consulted (the engine's own sessions). */
	const struct sd_token *token;
};

#define ENGINE_RIGHTS_ALL (FWPM_GENERIC_ALL | DELETE | ACCESS_SYSTEM_SECURITY)
#define ENGINE_RIGHTS_READ (FWPM_ACTRL_OPEN | FWPM_ACTRL_READ | FWPM_ACTRL_ENUM | \
	FWPM_ACTRL_SUBSCRIBE | FWPM_ACTRL_READ_STATS | FWPM_ACTRL_BEGIN_READ_TXN)

/* A new flow, as the datapath sees it, for classification. */
struct engine_flow {
	const GUID *layer;		/* FWPM_LAYER_* */
	uint8_t ip_version;		/* 4 or 6, the layer's */
	uint8_t protocol;
	uint16_t local_port, remote_port;	/* host order */
	uint8_t local_addr[16], remote_addr[16];/* network order, v4 in 0..3 */
};

/* Which filter decides it (WFP arbitration, src/policy/classify.h). */
struct engine_verdict {
	uint64_t filter_id;		/* 0: no filter matched */
	uint32_t action;		/* the filter's FWP_ACTION_*; PERMIT if none */
	GUID callout;			/* for callout actions: which IPsec callout */
	uint64_t context_id;		/* the filter's provider context, 0: none */
};

int engine_create(const struct engine_config *cfg, struct engine **out);
/* The attribute type of a stored record's descriptor: the record is the
 * object's encoding, then optionally (padded to 4) this attribute. */
#define POL_RECORD_SD 2

/* Re-adds a persistent object read back from the store (kind: enum
 * pol_kind; enc/len: the encoding pol_change carried, with its descriptor
 * appended when it had one of its own), with its id, through the normal
 * validation. Call in the store's load order before any session
 * opens. A record that no longer validates is refused with its code. */
DWORD engine_pol_restore(struct engine *e, int kind, uint64_t id,
			 const void *enc, size_t len);
/* Classifies a flow against the committed filters, from the published
 * snapshot (policy_snap.c): any thread, never waits for the engine lock.
 * FWP_E_LAYER_NOT_FOUND, FWP_E_INVALID_PARAMETER (ip_version not the
 * layer's), ERROR_NOT_ENOUGH_MEMORY (no snapshot could be built: fail
 * closed) or 0. */
DWORD engine_classify(struct engine *e, const struct engine_flow *f,
		      struct engine_verdict *v);
/* Publishes the policy to the datapath's classifier snapshot (after
 * restoring the store; other changes publish by themselves). */
void engine_pol_publish(struct engine *e);
/* Runtime ids handed out from now on are above `above` (ids are never
 * reused, also across restarts). */
void engine_pol_reserve_ids(struct engine *e, uint64_t above);
/* Deletes every context (DELETE events to live sessions), wipes every key,
 * frees everything. Sessions must have been closed or are freed here. */
void engine_destroy(struct engine *e);
/* Wipes every key without freeing; for process exit. Never blocks. */
void engine_wipe_keys(struct engine *e);

/* Sessions (one per engine handle or connection). */
DWORD engine_session_open(struct engine *e, const FWPM_SESSION0 *session,
			  const struct session_cred *cred,
			  const struct event_sink *sink,
			  struct engine_session **out);
/* Ends the session: aborts its transaction, removes its subscriptions and
 * enumerations, deletes the policy objects it added if it is dynamic. SA
 * contexts stay (they are never dynamic). */
void engine_session_close(struct engine_session *s);

/* Sessions open on the engine: a snapshot of which, read when enumerated. */
DWORD engine_session_enum_create(struct engine_session *s, uint64_t *handle);
DWORD engine_session_enum(struct engine_session *s, uint64_t handle, UINT32 want,
			  FWPM_SESSION0 ***entries, UINT32 *returned);
DWORD engine_session_enum_destroy(struct engine_session *s, uint64_t handle);

DWORD engine_txn_begin(struct engine_session *s, UINT32 flags);
DWORD engine_txn_commit(struct engine_session *s);
DWORD engine_txn_abort(struct engine_session *s);

/* The SA-context family, version-1 shapes. */
DWORD engine_sa_create(struct engine_session *s, const IPSEC_TRAFFIC1 *traffic,
		       const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif,
		       UINT64 *inbound_filter_id, UINT64 *id);
DWORD engine_sa_get_spi(struct engine_session *s, UINT64 id,
			const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI *spi);
DWORD engine_sa_set_spi(struct engine_session *s, UINT64 id,
			const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI spi);
DWORD engine_sa_add(struct engine_session *s, UINT64 id, FWP_DIRECTION dir,
		    const IPSEC_SA_BUNDLE1 *bundle);
DWORD engine_sa_update(struct engine_session *s, UINT64 flags,
		       const IPSEC_SA_CONTEXT1 *values);
DWORD engine_sa_get(struct engine_session *s, UINT64 id, IPSEC_SA_CONTEXT1 **out);
DWORD engine_sa_delete(struct engine_session *s, UINT64 id);
DWORD engine_sa_expire(struct engine_session *s, UINT64 id);
/* FwpxSaContextGetCounters0 (sa_counters.c): the backend's counters of each
 * live direction; a direction not live reads as zeros without
 * FWPX_SA_COUNTERS_FLAG_LIVE. in or out may be NULL, not both. */
DWORD engine_sa_counters(struct engine_session *s, UINT64 id,
			 FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out);

DWORD engine_sa_enum_create(struct engine_session *s,
			    const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
			    uint64_t *handle);
DWORD engine_sa_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		     IPSEC_SA_CONTEXT1 ***entries, UINT32 *returned);
DWORD engine_sa_enum_destroy(struct engine_session *s, uint64_t handle);

DWORD engine_sad_enum_create(struct engine_session *s,
			     const IPSEC_SA_ENUM_TEMPLATE0 *tmpl, uint64_t *handle);
DWORD engine_sad_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		      IPSEC_SA_DETAILS1 ***entries, UINT32 *returned);
DWORD engine_sad_enum_destroy(struct engine_session *s, uint64_t handle);

/* event_mask: FWPX_EVENT_MASK_*. Events go to the session's sink tagged
 * with cookie, a value of the transport's choosing (so it can be ready for
 * events before this call returns). */
DWORD engine_subscribe(struct engine_session *s,
		       const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
		       UINT32 event_mask, uint64_t cookie, uint64_t *handle);
DWORD engine_unsubscribe(struct engine_session *s, uint64_t handle);
DWORD engine_subscriptions_get(struct engine_session *s,
			       IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
			       UINT32 *count);

DWORD engine_statistics(struct engine_session *s, IPSEC_STATISTICS1 *out);
/* FwpxSaContextGetInfo0 (sa_counters.c): state, times, creator. */
DWORD engine_sa_info(struct engine_session *s, UINT64 id, FWPX_SA_CONTEXT_INFO0 *info);
/* FwpxGetStatistics0: the backend's counters beyond IPSEC_STATISTICS1. */
DWORD engine_ext_statistics(struct engine_session *s, FWPX_STATISTICS0 *out);

/* FwpmEngineGetOption0 / SetOption0 (net_history.c): *value is a single
 * allocation released with free(). */
DWORD engine_option_get(struct engine_session *s, UINT32 option, FWP_VALUE0 **value);
DWORD engine_option_set(struct engine_session *s, UINT32 option, const FWP_VALUE0 *value);
/* FwpmNetEventCreateEnumHandle0 / Enum / DestroyEnumHandle0 over the
 * history: entries are raw records (net_event.h) in one allocation. */
struct fwp_net_event;
DWORD engine_net_enum_create(struct engine_session *s,
			     const FWPM_NET_EVENT_ENUM_TEMPLATE0 *tmpl, uint64_t *handle);
DWORD engine_net_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		      struct fwp_net_event ***entries, UINT32 *returned);
DWORD engine_net_enum_destroy(struct engine_session *s, uint64_t handle);

DWORD engine_set_expire_drain(struct engine_session *s, UINT32 ms);
DWORD engine_get_expire_drain(struct engine_session *s, UINT32 *ms);

/* Policy objects (policy_kind.h names the struct behind each kind).
 * Objects are copied in; Get and Enum results are single allocations
 * released with free(). Add fills *id (may be NULL) with the filterId or
 * providerContextId; providers and sublayers have none. An object added by
 * a dynamic session is deleted when that session closes. */
DWORD engine_pol_add(struct engine_session *s, enum pol_kind k, const void *obj,
		     UINT64 *id);
DWORD engine_pol_delete(struct engine_session *s, enum pol_kind k,
			const struct pol_ref *ref);
DWORD engine_pol_get(struct engine_session *s, enum pol_kind k,
		     const struct pol_ref *ref, void **out);
DWORD engine_pol_enum_create(struct engine_session *s, enum pol_kind k,
			     const void *tmpl, uint64_t *handle);
DWORD engine_pol_enum(struct engine_session *s, enum pol_kind k, uint64_t handle,
		      UINT32 want, void ***entries, UINT32 *returned);
DWORD engine_pol_enum_destroy(struct engine_session *s, enum pol_kind k,
			      uint64_t handle);

/* Change subscriptions of policy objects (policy_notify.c): tmpl is the
 * kind's enumeration template (may be NULL), flags FWPM_SUBSCRIPTION_FLAG_*
 * (0: both). Committed changes of matching objects go to the session's
 * deliver_change tagged with cookie. SubscriptionsGet returns the
 * session's own subscriptions of kind k as FWPM_<kind>_SUBSCRIPTION0
 * structs, one allocation released with free(). */
DWORD engine_change_subscribe(struct engine_session *s, enum pol_kind k,
			      const void *tmpl, UINT32 flags, uint64_t cookie,
			      uint64_t *handle);
DWORD engine_change_unsubscribe(struct engine_session *s, enum pol_kind k,
				uint64_t handle);
DWORD engine_change_subscriptions_get(struct engine_session *s, enum pol_kind k,
				      void ***entries, UINT32 *count);
/* Security descriptors (security.c, docs/CONTRACT.md "Security
 * descriptors"). A target is a policy kind (its object named by ref) or
 * ENGINE_SD_ENGINE / ENGINE_SD_SADB (policy_kind.h). */
/* Adds like engine_pol_add, with the object's descriptor (sd NULL: the
 * default one; parts it lacks come from the default). */
DWORD engine_pol_add_sd(struct engine_session *s, enum pol_kind k, const void *obj,
			const void *sd, size_t sd_len, UINT64 *id);
/* The parts info names (SECURITY_INFORMATION) as a new self-relative
 * descriptor (free()). */
DWORD engine_sd_get(struct engine_session *s, int target, const struct pol_ref *ref,
		    UINT32 info, void **sd, size_t *len);
/* Replaces the parts info names with those of sd (self-relative, parsed
 * strictly here). */
DWORD engine_sd_set(struct engine_session *s, int target, const struct pol_ref *ref,
		    UINT32 info, const void *sd, size_t len);
/* At start-up, before any session opens: the engine's (ENGINE_SD_ENGINE)
 * or the SA database's descriptor as it was stored.
 * ERROR_INVALID_SECURITY_DESCR when it does not parse or lacks its owner,
 * group or DACL. */
DWORD engine_sd_restore(struct engine *e, int target, const void *sd, size_t len);
/* The rights the session holds on the engine or the SA database (for a
 * host's cheap check before decoding a request). */
uint32_t engine_session_rights(struct engine_session *s);

/* Timers. engine_next_deadline returns the engine clock time (ms) of the
 * earliest pending deadline, or UINT64_MAX. engine_run_timers fires every
 * deadline that has passed. */
uint64_t engine_next_deadline(struct engine *e);
void engine_run_timers(struct engine *e);
/* The address prefixes of filter f's conditions (EQUAL on an address,
 * an address and mask, or a prefix): fn gets remote = true for
 * IP_REMOTE_ADDRESS, false for IP_LOCAL_ADDRESS; network order. For a
 * datapath steering traffic (backend.h policy_changed). */
typedef void (*engine_prefix_fn)(void *arg, bool remote, int family,
				 const uint8_t addr[16], unsigned prefixlen);
void engine_filter_prefixes(const FWPM_FILTER0 *f, engine_prefix_fn fn, void *arg);
/* What a datapath saw happen to context id's dir SA (backend.h): a soft
 * lifetime raises SOFT_LIFETIME to subscribers; a hard lifetime or
 * exhausted sequence numbers delete the context (DELETE), as a hard
 * seconds lifetime does. A context already gone is ignored. Takes the
 * engine lock: never call it from inside a backend op. */
void engine_sa_datapath_event(struct engine *e, uint64_t id, FWP_DIRECTION dir,
			      enum dp_sa_event ev);
uint64_t engine_now_ms(struct engine *e);
/* The upcall table a backend is attached with (backend.h). */
struct be_host engine_host(struct engine *e);

#endif
