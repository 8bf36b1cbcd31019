/* policy.h - the engine's policy objects: providers, sublayers, filters and
 * provider contexts (engine-internal; transports use engine.h).
 *
 * Each object is one record holding a wf_clone'd single block of its
 * Windows struct (FWPM_PROVIDER0, FWPM_SUBLAYER0, FWPM_FILTER0,
 * FWPM_PROVIDER_CONTEXT1) with the engine-assigned fields filled in, so a
 * Get is one more clone of that block. Records are indexed by key (a hash
 * of the GUID, colliding keys chained) and, for every kind, by an internal
 * id from one counter that is never reused; filterId and providerContextId
 * are that id. Records count the records that reference them (refs) and
 * hold pointers to what they reference.
 *
 * Ownership: the engine (struct engine.pol) owns every record and block.
 * Locking: everything here is guarded by the engine lock.
 */
#ifndef FWP_ENGINE_POLICY_H
#define FWP_ENGINE_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fwpmu.h>

#include "common/epoch.h"
#include "common/idmap.h"
#include "engine/policy_kind.h"

/* The first runtime id; ids below it are left to built-in objects. */
#define POLICY_FIRST_ID 0x10000u

struct engine;
struct nlattr;
struct wf_struct;
struct nlmsghdr;
struct engine_session;
struct pol_snap;
struct snap_log;
struct snap_op;
struct cls_rule;
struct cls_addr;
struct cls_range32;

struct pol_obj {
	struct pol_obj *prev, *next;	/* the kind's list, creation order */
	struct idmap_node by_key;	/* key: pol_key_hash(&key) */
	struct pol_obj *same_hash;	/* records whose key hashes alike */
	struct idmap_node by_id;
	enum pol_kind kind;
	GUID key;
	uint64_t id;
	struct engine_session *dyn_owner;/* dynamic session that added it */
	struct engine_session *txn_owner;/* transaction that added it, until
					  * commit: hidden from other sessions */
	bool builtin;
	uint32_t refs;			/* records referencing this one */
	struct pol_obj *provider;	/* references, each counted in refs */
	struct pol_obj *sublayer;	/* filters */
	struct pol_obj *context;	/* filters with HAS_PROVIDER_CONTEXT */
	void *blob;			/* the Windows struct, one block */
	size_t size;
	struct nlmsghdr *enc;		/* blob's wire encoding, once asked */
	bool unclassified;		/* a filter the classifier cannot see */
	void *sd;			/* its descriptor; NULL: the default */
	size_t sd_len;
	bool pend_del;			/* being deleted: its store write runs */
};

struct pol_table {
	struct idmap by_key;
	struct pol_obj *first, *last;
	size_t n;
};

struct policy {
	struct pol_table t[POL_NKINDS];
	struct idmap by_id;		/* every kind */
	uint64_t next_id;
	size_t unclassified;		/* filters left out of classification */
	/* policy_snap.c: what packet threads classify with, published by
	 * an atomic exchange; read without the engine lock. */
	_Atomic(struct pol_snap *) snap;
	struct pol_snap *spare;		/* the other copy (NULL: rebuild) */
	struct snap_op *spare_ops;	/* what it lacks, once readers left */
	unsigned spare_phase;		/* ... the readers of this phase */
	bool spare_wait;		/* spare_phase is to be waited for */
	struct epoch snap_epoch;	/* readers of snap */
	struct snap_log *log;		/* where link/unlink note changes;
					 * NULL: nowhere (an abort's undo) */
	struct snap_log *pending;	/* committed, not yet published */
	bool snap_lost;			/* a change could not be noted */
	bool be_quiet;			/* link/unlink do not tell the backend
					 * (a write transaction: it hears the
					 * net effect at commit) */
};

/* policy.c */
int policy_init(struct engine *e);
void policy_fini(struct engine *e);
/* Deletes what the dynamic session s added (engine lock held). */
void policy_session_closed(struct engine *e, struct engine_session *s);
struct pol_obj *pol_find_key(struct engine *e, enum pol_kind k, const GUID *key);
struct pol_obj *pol_find_id(struct engine *e, enum pol_kind k, uint64_t id);
bool pol_guid_is_zero(const GUID *g);
/* Whether ref may be referenced by r, which s adds: s holds ADD_LINK on
 * ref's descriptor (ERROR_ACCESS_DENIED), and the lifetime rule (no
 * reference to another session's dynamic object, and a persistent object
 * references only persistent or built-in ones): FWP_E_LIFETIME_MISMATCH
 * or 0. */
DWORD pol_check_lifetime(const struct engine_session *s, const struct pol_obj *r,
			 const struct pol_obj *ref);

/* policy_txn.c: applying changes (engine lock held, checks done). */
bool pol_is_persistent(const struct pol_obj *r);
/* Whether s may see r (an uncommitted addition of another transaction
 * is hidden). */
bool pol_visible(const struct engine_session *s, const struct pol_obj *r);
/* Session rights, then the transaction rules: FWP_E_INCOMPATIBLE_TXN in a
 * read-only transaction, FWP_E_TIMEOUT while another session holds the
 * writer lock. Returns with the engine lock held on success only. */
DWORD pol_lock_for_write(struct engine_session *s, uint32_t rights);
/* Assigns r its id, writes it to the store or the transaction log, and
 * links it. On failure nothing changed (r is still the caller's). */
DWORD pol_insert(struct engine_session *s, struct pol_obj *r);
/* Unlinks r and frees it (or keeps it for the transaction's undo). On
 * failure nothing changed. */
DWORD pol_remove(struct engine_session *s, struct pol_obj *r);
DWORD pol_txn_commit(struct engine_session *s);
void pol_txn_abort(struct engine_session *s);
/* Calls fn for each object the open read/write transaction (if any)
 * deleted that existed before it: committed, so still in the snapshot. */
void pol_txn_each_deleted(struct engine *e, void (*fn)(void *arg, struct pol_obj *r),
			  void *arg);
/* Waits (engine lock held, released while waiting) until no store write
 * runs: policy changes apply in the order they reach the store. */
void pol_store_wait(struct engine *e);
/* A store write's -errno as the Windows result the API returns. */
DWORD pol_store_result(int err);

/* The Windows struct each kind's blob holds. */
extern const struct wf_struct *const pol_schema[POL_NKINDS];
/* The blob's wire encoding (a nest of type 1), made on first use and kept
 * until the record is freed; NULL when out of memory. */
const struct nlattr *pol_obj_encoding(struct pol_obj *r);

/* policy_layers.c: the built-in layers, fields and callouts. */
struct pol_layer;
const struct pol_layer *pol_layer_find(const GUID *key);
/* ERROR_SUCCESS at a layer filters may be added at, ERROR_NOT_SUPPORTED
 * at a listed built-in layer this engine does not filter at,
 * FWP_E_LAYER_NOT_FOUND otherwise. */
DWORD pol_layer_filterable(const GUID *key);
/* The layer's index in the layer table (the classifier's layer number),
 * -1 if unknown; *v6 its family. */
int pol_layer_index(const GUID *key, bool *v6);
/* policy_classify.c: linked filters mark the snapshot out of date. */
void pol_classify_add(struct engine *e, struct pol_obj *r);
void pol_classify_remove(struct engine *e, struct pol_obj *r);
/* Tells the backend that filter r came (added) or went (policy_changed),
 * unless e->pol.be_quiet; pol_backend_protects: whether r's coming
 * protects traffic (BLOCK, callouts: commit tells those first). */
void pol_backend_tell(struct engine *e, const struct pol_obj *r, bool added);
bool pol_backend_protects(const struct pol_obj *r);
/* The classifier rule of filter r, its conditions in *addrs / *ranges
 * (free() both, also on error). -EOPNOTSUPP: r cannot be classified;
 * -ENOMEM. */
int pol_classify_rule(struct pol_obj *r, struct cls_rule *rule, struct cls_addr **addrs,
		      struct cls_range32 **ranges);

/* policy_snap.c: the classifier snapshot packet threads read. */
int pol_snap_init(struct engine *e);
void pol_snap_fini(struct engine *e);
/* Notes in e->pol.log that filter r (classifiable) was linked (added),
 * with its rule, which the note takes, arrays included (NULL: no memory
 * to make it; the snapshot is then rebuilt), or unlinked (no rule). */
void pol_snap_note(struct engine *e, struct pol_obj *r, bool added,
		   const struct cls_rule *rule, struct cls_addr *addrs,
		   struct cls_range32 *ranges);
/* A transaction's log of such changes: new (NULL when out of memory),
 * appended to the pending changes at commit, freed. */
struct snap_log *snap_log_new(void);
void snap_log_commit(struct engine *e, struct snap_log *l);
void snap_log_free(struct snap_log *l);
/* Publishes the committed changes noted since the last publish (engine
 * lock held): after a change outside any transaction, at commit, never
 * for an open transaction's own changes. Does not wait for readers. Out
 * of memory: both copies are rebuilt; failing that the datapath fails
 * closed (every new flow blocked) until a later publish succeeds. */
void pol_snap_publish(struct engine *e);
/* Whether key is an inbound or outbound transport layer; *v6 its family. */
bool pol_layer_is_transport(const GUID *key, bool *v6);
/* Checks n conditions against the layer (FWP_E_* or 0). */
DWORD pol_check_conditions(const struct pol_layer *l, UINT32 n,
			   const FWPM_FILTER_CONDITION0 *c);
/* Checks the action against the layer: PERMIT, BLOCK, or a CALLOUT_* type
 * naming a built-in IPsec callout of that layer and IP version. */
DWORD pol_check_action(const struct pol_layer *l, const FWPM_ACTION0 *a);

/* policy_filter.c, policy_context.c: kind-specific add and export. */
DWORD pol_filter_validate(const FWPM_FILTER0 *f);
DWORD pol_filter_add(struct engine_session *s, const FWPM_FILTER0 *f, UINT64 *id);
DWORD pol_context_validate(const FWPM_PROVIDER_CONTEXT1 *pc);
/* Empties (and wipes) the pre-shared keys of a copy about to be returned. */
void pol_context_redact(FWPM_PROVIDER_CONTEXT1 *pc);
DWORD pol_context_add(struct engine_session *s, const FWPM_PROVIDER_CONTEXT1 *pc,
		      UINT64 *id);
/* Links r into the tables (assigns nothing; r->id and r->key are set). */
void pol_link(struct engine *e, struct pol_obj *r);
void pol_unlink(struct engine *e, struct pol_obj *r);
struct pol_obj *pol_obj_new(enum pol_kind k);
void pol_obj_free(struct pol_obj *r);
/* A kind's enumeration template, compiled: pointers into the template,
 * which must outlive it. */
struct pol_tmpl {
	enum pol_kind kind;
	const GUID *provider_key;		/* sublayers, contexts, filters */
	bool has_ctx_type;
	FWPM_PROVIDER_CONTEXT_TYPE ctx_type;
	const FWPM_FILTER_ENUM_TEMPLATE0 *filter;
};

/* policy.c: checks tmpl (not NULL) and fills *t (FWP_E_* or 0). */
DWORD pol_tmpl_compile(enum pol_kind k, const void *tmpl, struct pol_tmpl *t);
bool pol_tmpl_match(const struct pol_tmpl *t, const struct pol_obj *r);
/* Enumeration template match for filters / contexts. */
DWORD pol_filter_template_check(const FWPM_FILTER_ENUM_TEMPLATE0 *t);
bool pol_filter_template_match(const FWPM_FILTER_ENUM_TEMPLATE0 *t,
			       const struct pol_obj *r);

#endif
