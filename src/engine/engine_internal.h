/* engine_internal.h - engine state shared by the files of src/engine.
 *
 * Not for transports: they use engine.h. Everything here is guarded by
 * engine->lock unless a comment says otherwise.
 */
#ifndef FWP_ENGINE_INTERNAL_H
#define FWP_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/idmap.h"
#include "common/minheap.h"
#include "engine/engine.h"
#include "engine/policy.h"
#include "engine/sa_context.h"

#define ENGINE_DEFAULT_DRAIN_MS 60000u

struct engine_stats {
	uint64_t sas_added, sas_deleted;
};

/* A stored self-relative descriptor, valid (sd_parse). */
struct sd_blob {
	void *p;
	size_t len;
};

struct engine {
	pthread_mutex_t lock;
	struct engine_config cfg;
	struct dp_backend backend;
	uint32_t drain_ms;

	struct idmap by_id;		/* sa_context.by_id */
	struct idmap by_spi;		/* sa_context.by_spi, inbound SPIs */
	struct sa_context *first, *last;/* creation order */
	uint64_t next_id;		/* ids are never reused */
	size_t nr_contexts;
	struct minheap timers;		/* sa_context.timer */

	struct engine_session *sessions;
	struct subscription *subs;	/* engine-wide, every session's */
	struct net_sub *net_subs;	/* net_event.c: every session's */
	atomic_uint net_nsubs;		/* how many; read without the lock */
	atomic_uint_least64_t net_raised;/* net events raised, lock-free */
	uint64_t next_handle;		/* enum and subscription handles */
	uint64_t next_session;		/* session serials */
	struct engine_stats stats;
	struct policy pol;		/* policy objects (policy.h) */
	struct engine_session *txn_writer;	/* holds the writer lock */
	/* policy_txn.c: a store write runs without the engine lock; policy
	 * changes, transaction ends and session closes wait for it. */
	bool storing;
	pthread_cond_t store_done;
	/* net_history.c: engine options and the net-event history. The
	 * options are read by packet threads, hence atomic; hist_lock (not
	 * the engine lock) guards the ring, taken only while collecting. */
	atomic_uint opt_collect;	/* FWPM_ENGINE_COLLECT_NET_EVENTS */
	atomic_uint opt_keywords;	/* ..._NET_EVENT_MATCH_ANY_KEYWORDS */
	atomic_uint opt_txn_watchdog_ms;/* ..._TXN_WATCHDOG_TIMEOUT_IN_MSEC */
	pthread_mutex_t hist_lock;
	struct net_history *hist;	/* allocated when first collecting */
	struct net_enum *net_enums;	/* every session's; engine lock */
	struct pol_sub *pol_subs;	/* policy_notify.c: every session's */
	/* security.c: the engine's and the SA database's descriptors, and
	 * the default an object without its own is checked against. */
	struct sd_blob sd_engine, sd_sadb, sd_default;
};

enum txn_state { TXN_NONE, TXN_READ, TXN_WRITE };

struct engine_session {
	struct engine *e;
	struct engine_session *next;
	uint64_t serial;		/* never reused; for session enumeration */
	wchar_t *name, *description;	/* copies of the client's display data */
	GUID key;
	uint32_t flags;			/* FWPM_SESSION_FLAG_* */
	uint32_t txn_wait_ms;
	struct session_cred cred;
	struct event_sink sink;
	struct pol_undo *undo;		/* write transaction's log, newest first */
	struct snap_log *snap_log;	/* its classifier changes (policy_snap.c) */
	uint64_t restore_id;		/* engine_pol_restore: the id to keep */
	enum txn_state txn;
	uint64_t txn_started_ms;	/* engine_now_ms() at a write txn's begin */
	bool txn_aborted;		/* its write txn was aborted by the watchdog */
	struct enum_snapshot *enums;
	/* security.c: the caller's identity (NULL: descriptors not
	 * consulted), and what the engine's and the SA database's
	 * descriptors grant it, recomputed when either changes. */
	struct sd_token *token;
	atomic_uint granted_engine, granted_sadb;
	const struct sd_blob *add_sd;	/* engine_pol_add_sd's, during the add */
};

enum enum_kind { ENUM_CONTEXTS, ENUM_SAS, ENUM_POLICY, ENUM_SESSIONS };

/* An enumeration handle: the ids that matched when it was created (8 bytes
 * per context; contents are read when Enum runs, so a context deleted in
 * between is skipped). */
struct enum_snapshot {
	struct enum_snapshot *next;
	uint64_t handle;
	enum enum_kind kind;
	int pol_kind;		/* ENUM_POLICY: an enum pol_kind */
	uint64_t *ids;		/* for ENUM_SAS: id << 1 | direction */
	size_t n, pos;
};

struct subscription {
	struct subscription *next;
	struct engine_session *owner;
	uint64_t handle;
	uint64_t cookie;	/* passed to the sink */
	uint32_t event_mask;
	uint32_t flags;		/* the client's reserved field, returned as is */
	bool has_template;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;	/* pointers into the two below */
	FWP_V4_ADDR_AND_MASK v4[2];
	FWP_V6_ADDR_AND_MASK v6[2];
};

/* engine.c */
uint64_t engine_clock(struct engine *e);
struct sa_context *engine_find(struct engine *e, uint64_t id);
/* Removes the SPI reservation / inbound SA index entry of c, if any. */
void engine_unindex_spi(struct engine *e, struct sa_context *c);
/* Unlinks c, removes what the backend installed, emits DELETE, frees. */
void engine_delete_context(struct engine *e, struct sa_context *c);

/* sa_bind.c: the filter or tunnel policy a context's traffic names. */
/* Finds what t names (*out NULL for a transport t with ipsecFilterId 0):
 * FWP_E_FILTER_NOT_FOUND, FWP_E_PROVIDER_CONTEXT_NOT_FOUND / _MISMATCH,
 * FWP_E_TRAFFIC_MISMATCH (a filter of the other IP version), or 0. */
DWORD sa_bind_lookup(struct engine *e, const IPSEC_TRAFFIC1 *t, struct pol_obj **out);
/* Points *slot at r, moving the reference. */
void sa_bind_set(struct pol_obj **slot, struct pol_obj *r);
void sa_bind_release(struct sa_context *c);
/* The encoding of the transport filter dir is bound to, or NULL. */
const struct nlattr *sa_bound_filter(const struct sa_context *c, FWP_DIRECTION dir);

/* backend.c: the backend's calls with the handles c keeps (lock held).
 * engine_be_update: p indexed by FWP_DIRECTION, NULL = that side unchanged;
 * both or neither. 0 / -errno. */
int engine_be_install(struct engine *e, struct sa_context *c, FWP_DIRECTION dir);
void engine_be_remove(struct engine *e, struct sa_context *c, FWP_DIRECTION dir);
int engine_be_counters(struct engine *e, const struct sa_context *c, FWP_DIRECTION dir,
		       struct sa_counters *out);
int engine_be_update(struct engine *e, struct sa_context *c, const struct sa_patch *const p[2]);

/* Maps a backend's -errno to a result code. */
DWORD errno_to_win(int err);

/* session.c: rights on the engine's descriptor (every container); the
 * SA-context calls check the SA database's instead. */
DWORD session_check(struct engine_session *s, uint32_t rights);
/* Whether s sees every session's subscriptions (SubscriptionsGet0): a
 * session holding every right does (the in-process engine's own process,
 * root or the service's group over fwpd); any other sees its own only,
 * another session's templates telling what it watches. */
bool session_sees_all(const struct engine_session *s);
/* Whether s may list a subscription owned by owner. */
bool session_may_list(const struct engine_session *s, const struct engine_session *owner);
DWORD session_check_sadb(struct engine_session *s, uint32_t rights);

/* security.c */
int security_init(struct engine *e);
void security_fini(struct engine *e);
/* Copies the token and computes the grants (engine lock held). */
int security_session_init(struct engine_session *s, const struct sd_token *t);
void security_session_fini(struct engine_session *s);
/* What s holds on r (engine lock held). */
uint32_t pol_obj_granted(const struct engine_session *s, const struct pol_obj *r);
bool session_in_txn(const struct engine_session *s);

/* subscription.c */
void subs_emit(struct engine *e, const struct sa_context *c, uint32_t type,
	       uint64_t update_flags);
void subs_remove_session(struct engine *e, struct engine_session *s);
/* Validates an enumeration/subscription template (FWP_E_* or 0). */
DWORD template_validate(const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t);
bool template_match(const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		    const struct sa_context *c);

/* net_event.c */
void net_subs_remove_session(struct engine *e, struct engine_session *s);
/* A template compiled as a subscription's (free() it), and its match. */
struct net_sub *net_template_compile(const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, DWORD *rc);
bool net_template_match(const struct net_sub *m, const struct fwp_net_event *ev);

/* net_history.c. record: any thread, engine lock not held. */
void net_history_init(struct engine *e);
void net_history_fini(struct engine *e);
void net_history_record(struct engine *e, const struct fwp_net_event *ev);
void net_enums_remove_session(struct engine *e, struct engine_session *s);
/* policy_txn.c: aborts the writer's transaction when it is older than
 * FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC (not 0). Engine lock held. */
void pol_txn_watchdog(struct engine *e);

/* policy_notify.c: change_type FWPM_CHANGE_ADD / _DELETE of r, now
 * visible to every session (r still linked or about to be freed). */
void pol_notify(struct engine *e, const struct pol_obj *r, uint32_t change_type);
void pol_subs_remove_session(struct engine *e, struct engine_session *s);

/* sa_validate.c */
DWORD validate_traffic(const IPSEC_TRAFFIC1 *t);
/* refuse_md5: HMAC-MD5-96 is FWP_E_INVALID_AUTH_TRANSFORM (engine_config). */
DWORD validate_bundle(const IPSEC_SA_BUNDLE1 *b, bool refuse_md5);
DWORD validate_bundle_flags(UINT32 flags);
DWORD validate_udp_encap(FWP_IP_VERSION v, const IPSEC_V4_UDP_ENCAPSULATION0 *u);
/* Copies a validated bundle into dst (which must be clear). 0 or
 * ERROR_NOT_ENOUGH_MEMORY, in which case dst stays clear. */
DWORD bundle_import(struct sa_bundle *dst, const IPSEC_SA_BUNDLE1 *src);
struct sa_keymod *keymod_dup(const IPSEC_KEYMODULE_STATE0 *k);
DWORD validate_keymod(const IPSEC_KEYMODULE_STATE0 *k);

/* sa_export.c: single-allocation results without keys. */
IPSEC_SA_CONTEXT1 *export_context(const struct sa_context *c);
IPSEC_SA_CONTEXT1 **export_contexts(struct sa_context *const *v, size_t n);
IPSEC_SA_DETAILS1 **export_details(struct sa_context *const *v,
				   const FWP_DIRECTION *dirs, size_t n);

/* timers.c */
void timers_rearm(struct engine *e, struct sa_context *c);

/* sa_enum.c: enumeration handles of every kind but policy objects. */
struct enum_snapshot *enum_find(struct engine_session *s, uint64_t h,
				enum enum_kind kind, struct enum_snapshot ***link);
void enum_snapshot_free(struct enum_snapshot *sn);
void enums_free_session(struct engine_session *s);

#endif
