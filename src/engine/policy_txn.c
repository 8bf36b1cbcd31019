/* policy_txn.c - how policy-object changes are applied: the writer lock,
 * transactions with undo, the persistent store, and when the datapath's
 * classifier snapshot is published.
 *
 * Every add and delete of a policy object goes through pol_insert or
 * pol_remove, with the engine lock held, after all its checks passed:
 *  - outside a transaction, a persistent change (the object is persistent
 *    and the engine has a store) is written to the store first, then
 *    applied; other changes are applied at once. Then the snapshot is
 *    published;
 *  - inside a read/write transaction, it is applied at once and logged;
 *    commit writes the whole log to the store as one batch, tells the
 *    backend the net effect (txn_tell_backend: what protects first), then
 *    publishes; abort undoes the log newest first, publishes nothing and
 *    tells the backend nothing (it heard nothing before the commit). A deleted
 *    record is only unlinked until the transaction ends, so that abort can
 *    put it back unchanged (same id, same references).
 * The store write (an fsync) runs without the engine lock: the change is
 * prepared (checked, encoded) under it, e->storing is set, the lock is
 * released for the write and taken again to apply the change, or to
 * leave everything as it was when the write failed. While storing is set,
 * every other policy change, transaction begin or end and session close
 * waits (pol_store_wait) before looking at the policy, so changes reach
 * the store one at a time and in the order they apply; SA-context calls,
 * reads and classification go on. During the write an object being added
 * is not there yet, and one being deleted is still there for reads but
 * can no longer be bound to an SA context (pend_del), since its deletion
 * must not fail once the store has it.
 * One session at a time holds the writer lock (its read/write
 * transaction); other sessions' policy changes and write transactions get
 * FWP_E_TIMEOUT from the engine, which the client library turns into a
 * wait of up to the session's txnWaitTimeoutInMSec (client.c). Objects a
 * transaction added are invisible to other sessions until commit. With
 * the engine option FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC set, a write
 * transaction older than it is aborted when another session wants the
 * writer lock; its session then gets FWP_E_TXN_ABORTED until it ends it.
 * Change subscribers (policy_notify.c) hear of a change when every
 * session can see it: at once outside a transaction, at commit inside
 * one, never after an abort.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "wire/codec.h"

struct pol_undo {
	struct pol_undo *next;		/* older */
	struct pol_obj *r;
	bool added;			/* else deleted */
};

bool pol_is_persistent(const struct pol_obj *r)
{
	UINT32 flags = 0;

	switch (r->kind) {
	case POL_PROVIDER:
		flags = ((const FWPM_PROVIDER0 *)r->blob)->flags;
		break;
	case POL_SUBLAYER:
		flags = ((const FWPM_SUBLAYER0 *)r->blob)->flags;
		break;
	case POL_FILTER:
		flags = ((const FWPM_FILTER0 *)r->blob)->flags;
		break;
	case POL_CONTEXT:
		flags = ((const FWPM_PROVIDER_CONTEXT1 *)r->blob)->flags;
		break;
	default:
		break;
	}
	/* FWPM_{PROVIDER,SUBLAYER,FILTER,PROVIDER_CONTEXT}_FLAG_PERSISTENT */
	return flags & 1;
}

bool pol_visible(const struct engine_session *s, const struct pol_obj *r)
{
	return !r->txn_owner || r->txn_owner == s;
}

void pol_txn_watchdog(struct engine *e)
{
	struct engine_session *w = e->txn_writer;
	uint32_t limit = atomic_load(&e->opt_txn_watchdog_ms);

	if (!w || !limit || engine_now_ms(e) - w->txn_started_ms <= limit)
		return;
	pol_txn_abort(w);
	w->txn = TXN_NONE;
	w->txn_aborted = true;
}

DWORD pol_lock_for_write(struct engine_session *s, uint32_t rights)
{
	struct engine *e = s->e;
	DWORD rc = session_check(s, rights);

	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	pol_store_wait(e);
	if (e->txn_writer != s)
		pol_txn_watchdog(e);
	if (s->txn_aborted)
		rc = FWP_E_TXN_ABORTED;
	else if (s->txn == TXN_READ)
		rc = FWP_E_INCOMPATIBLE_TXN;
	else if (e->txn_writer && e->txn_writer != s)
		rc = FWP_E_TIMEOUT;	/* busy: the client waits and retries */
	if (rc)
		pthread_mutex_unlock(&e->lock);
	return rc;
}

void pol_store_wait(struct engine *e)
{
	while (e->storing)
		pthread_cond_wait(&e->store_done, &e->lock);
}

/* Writes the batch with the engine lock released (held on entry and on
 * return). Whatever v points to must stay put meanwhile: records the
 * caller has not linked, or that no one may change while storing is set. */
static DWORD store_write(struct engine *e, const struct pol_change *v, size_t n)
{
	int err;

	if (!n || !e->cfg.store)
		return ERROR_SUCCESS;
	e->storing = true;
	pthread_mutex_unlock(&e->lock);
	err = e->cfg.store->write(e->cfg.store_arg, v, n);
	pthread_mutex_lock(&e->lock);
	e->storing = false;
	pthread_cond_broadcast(&e->store_done);
	return pol_store_result(err);
}

DWORD pol_store_result(int err)
{
	switch (err) {
	case 0:
		return ERROR_SUCCESS;
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case -ENOSPC:
		return ERROR_DISK_FULL;
	default:
		return ERROR_WRITE_FAULT;	/* nothing was applied */
	}
}

/* The store change for r; false when there is nothing to write (no store,
 * or r is not persistent) or, for an addition, no memory to encode it
 * (callers tell the two apart with persists()). */
static bool persists(const struct engine *e, const struct pol_obj *r)
{
	return e->cfg.store && pol_is_persistent(r);
}

static bool change_of(struct engine *e, struct pol_obj *r, bool added,
		      struct pol_change *c)
{
	if (!persists(e, r))
		return false;
	c->kind = r->kind;
	c->key = &r->key;
	c->id = r->id;
	c->enc = NULL;
	c->sd = r->sd;
	c->sd_len = r->sd_len;
	if (added) {
		c->enc = pol_obj_encoding(r);
		if (!c->enc)
			return false;
	}
	return true;
}

static DWORD log_change(struct engine_session *s, struct pol_obj *r, bool added)
{
	struct pol_undo *u = malloc(sizeof(*u));

	if (!u)
		return ERROR_NOT_ENOUGH_MEMORY;
	u->r = r;
	u->added = added;
	u->next = s->undo;
	s->undo = u;
	return ERROR_SUCCESS;
}

/* A write transaction's classifier changes go to its own log, published
 * at commit only (policy_snap.c). */
static DWORD txn_snap_log(struct engine_session *s)
{
	if (!s->snap_log)
		s->snap_log = snap_log_new();
	return s->snap_log ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

static void txn_link(struct engine_session *s, struct pol_obj *r, bool link)
{
	struct engine *e = s->e;

	if (s->txn == TXN_WRITE) {
		e->pol.log = s->snap_log;
		e->pol.be_quiet = true;	/* the backend hears it at commit */
	}
	if (link)
		pol_link(e, r);
	else
		pol_unlink(e, r);
	e->pol.log = e->pol.pending;
	e->pol.be_quiet = false;
}

DWORD pol_insert(struct engine_session *s, struct pol_obj *r)
{
	struct engine *e = s->e;
	struct pol_change c;
	DWORD rc;

	/* A dynamic object dies with its session: it cannot be persistent. */
	if ((s->flags & FWPM_SESSION_FLAG_DYNAMIC) && pol_is_persistent(r))
		return FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
	if (s->add_sd && !r->sd) {	/* engine_pol_add_sd's descriptor */
		r->sd = malloc(s->add_sd->len);
		if (!r->sd)
			return ERROR_NOT_ENOUGH_MEMORY;
		memcpy(r->sd, s->add_sd->p, s->add_sd->len);
		r->sd_len = s->add_sd->len;
	}
	r->id = s->restore_id ? s->restore_id : e->pol.next_id;
	if (r->kind == POL_FILTER)
		((FWPM_FILTER0 *)r->blob)->filterId = r->id;
	else if (r->kind == POL_CONTEXT)
		((FWPM_PROVIDER_CONTEXT1 *)r->blob)->providerContextId = r->id;
	if (s->flags & FWPM_SESSION_FLAG_DYNAMIC)
		r->dyn_owner = s;
	if (s->txn == TXN_WRITE) {
		rc = txn_snap_log(s);
		if (!rc)
			rc = log_change(s, r, true);
		if (rc)
			return rc;
		r->txn_owner = s;
	} else if (!s->restore_id && persists(e, r)) {
		if (!change_of(e, r, true, &c))
			return ERROR_NOT_ENOUGH_MEMORY;	/* no encoding */
		rc = store_write(e, &c, 1);
		if (rc)
			return rc;
	}
	if (!s->restore_id)
		e->pol.next_id++;
	else if (e->pol.next_id <= r->id)
		e->pol.next_id = r->id + 1;
	txn_link(s, r, true);
	if (s->txn != TXN_WRITE)
		pol_notify(e, r, FWPM_CHANGE_ADD);	/* else at commit */
	/* Restored objects are published once, after the whole store. */
	if (s->txn != TXN_WRITE && !s->restore_id)
		pol_snap_publish(e);
	return ERROR_SUCCESS;
}

DWORD pol_remove(struct engine_session *s, struct pol_obj *r)
{
	struct engine *e = s->e;
	struct pol_change c;
	DWORD rc;

	if (s->txn == TXN_WRITE) {
		rc = txn_snap_log(s);
		if (!rc)
			rc = log_change(s, r, false);
		if (rc)
			return rc;
		txn_link(s, r, false);	/* kept until the transaction ends */
		return ERROR_SUCCESS;
	}
	if (change_of(e, r, false, &c)) {
		/* Once the store has the deletion it must not fail: no SA
		 * context may bind r meanwhile (refs was 0). */
		r->pend_del = true;
		rc = store_write(e, &c, 1);
		r->pend_del = false;
		if (rc)
			return rc;
	}
	pol_notify(e, r, FWPM_CHANGE_DELETE);
	pol_unlink(e, r);
	pol_obj_free(r);
	pol_snap_publish(e);
	return ERROR_SUCCESS;
}

/* The log, oldest first, as one store batch: what was added and is still
 * there, what was deleted and existed before; an object added and deleted
 * inside the transaction leaves no trace. */
static DWORD commit_to_store(struct engine_session *s)
{
	struct engine *e = s->e;
	struct pol_undo *u;
	struct pol_change *v;
	size_t n = 0, i = 0;
	DWORD rc;

	if (!e->cfg.store)
		return ERROR_SUCCESS;
	for (u = s->undo; u; u = u->next)
		n++;
	if (!n)
		return ERROR_SUCCESS;
	v = calloc(n, sizeof(*v));
	if (!v)
		return ERROR_NOT_ENOUGH_MEMORY;
	i = n;
	for (u = s->undo; u; u = u->next) {
		struct pol_change c;
		bool both = false;

		/* A deleted record also logged as added: made and gone here. */
		if (!u->added) {
			for (struct pol_undo *o = u->next; o && !both; o = o->next)
				both = o->r == u->r;
		} else {
			for (struct pol_undo *o = s->undo; o != u && !both; o = o->next)
				both = o->r == u->r;
		}
		if (both || !change_of(e, u->r, u->added, &c)) {
			if (u->added && persists(e, u->r) && !both) {
				free(v);
				return ERROR_NOT_ENOUGH_MEMORY;
			}
			continue;
		}
		v[--i] = c;
	}
	rc = store_write(e, v + i, n - i);
	free(v);
	return rc;
}

static struct pol_undo *undo_reverse(struct pol_undo *u)
{
	struct pol_undo *prev = NULL;

	while (u) {
		struct pol_undo *next = u->next;

		u->next = prev;
		prev = u;
		u = next;
	}
	return prev;
}

/* Tells change subscribers what a committed transaction did, oldest
 * first, while every record it deleted still exists. A record added and
 * deleted inside it was never seen by anyone: nothing. The log is walked
 * in place (reversed and back), so this needs no memory. */
static void txn_notify(struct engine_session *s)
{
	struct engine *e = s->e;

	if (!e->pol_subs)
		return;
	s->undo = undo_reverse(s->undo);
	for (struct pol_undo *u = s->undo; u; u = u->next) {
		struct pol_obj *r = u->r;

		if (u->added && pol_find_id(e, r->kind, r->id) == r)
			pol_notify(e, r, FWPM_CHANGE_ADD);
		else if (!u->added && r->txn_owner != s)
			pol_notify(e, r, FWPM_CHANGE_DELETE);
	}
	s->undo = undo_reverse(s->undo);
}

/* The net effect of u on the backend: +1 r came, -1 r went, 0 nothing
 * (not a filter, or added and deleted again inside the transaction). */
static int txn_effect(struct engine_session *s, const struct pol_undo *u)
{
	const struct pol_obj *r = u->r;

	if (r->kind != POL_FILTER)
		return 0;
	if (u->added)
		return pol_find_id(s->e, r->kind, r->id) == r ? 1 : 0;
	return r->txn_owner != s ? -1 : 0;
}

/* Tells the backend what a committed transaction changed, while every
 * record it deleted still exists, in two passes, each oldest first: what
 * narrows the traffic that passes in the clear (filters that protect
 * coming, permits going), then what widens it (permits coming, filters
 * that protect going). So from the first call to the last the backend
 * protects at least what the old and the new policy both protect: no
 * instant lets out in the clear what a committed filter protects. */
static void txn_tell_backend(struct engine_session *s)
{
	struct engine *e = s->e;

	if (!e->backend.ops->policy_changed)
		return;
	s->undo = undo_reverse(s->undo);
	for (int pass = 0; pass < 2; pass++) {
		for (struct pol_undo *u = s->undo; u; u = u->next) {
			int eff = txn_effect(s, u);
			bool narrows = (eff > 0) == pol_backend_protects(u->r);

			if (eff && narrows == (pass == 0))
				pol_backend_tell(e, u->r, eff > 0);
		}
	}
	s->undo = undo_reverse(s->undo);
}

static void txn_finish(struct engine_session *s, bool commit)
{
	struct engine *e = s->e;
	struct pol_undo *u;

	/* First make every added record visible, while all still exist (a
	 * record added then deleted here is freed below). */
	for (u = s->undo; commit && u; u = u->next)
		if (u->added)
			u->r->txn_owner = NULL;
	/* The undo below puts back what was published: nothing to note, and
	 * nothing the backend was told. */
	e->pol.log = NULL;
	e->pol.be_quiet = true;
	while ((u = s->undo)) {
		s->undo = u->next;
		if (commit) {
			if (!u->added)
				pol_obj_free(u->r);
		} else if (u->added) {
			pol_unlink(e, u->r);
			pol_obj_free(u->r);
		} else {
			pol_link(e, u->r);
		}
		free(u);
	}
	e->pol.log = e->pol.pending;
	e->pol.be_quiet = false;
	if (commit)
		snap_log_commit(e, s->snap_log);
	else
		snap_log_free(s->snap_log);
	s->snap_log = NULL;
	if (e->txn_writer == s)
		e->txn_writer = NULL;
}

DWORD pol_txn_commit(struct engine_session *s)
{
	DWORD rc = commit_to_store(s);

	/* A batch the store refused is not half-applied: undo it all. Only
	 * a commit publishes, and the whole transaction at once. */
	if (rc == ERROR_SUCCESS) {
		txn_notify(s);
		txn_tell_backend(s);
	}
	txn_finish(s, rc == ERROR_SUCCESS);
	if (rc == ERROR_SUCCESS)
		pol_snap_publish(s->e);
	return rc;
}

void pol_txn_each_deleted(struct engine *e, void (*fn)(void *arg, struct pol_obj *r),
			  void *arg)
{
	if (!e->txn_writer)
		return;
	/* One added here has txn_owner set, also when deleted again. */
	for (struct pol_undo *u = e->txn_writer->undo; u; u = u->next)
		if (!u->added && !u->r->txn_owner)
			fn(arg, u->r);
}

void pol_txn_abort(struct engine_session *s)
{
	txn_finish(s, false);
}

/* ---- restoring the store ---- */

/* The descriptor after the encoding: exactly one POL_RECORD_SD attribute
 * filling the rest of the record (engine_pol_add_sd parses it). */
static int record_sd(const void *rec, size_t len, const struct nlattr **out)
{
	const struct nlattr *nest = rec;
	size_t head = MNL_ALIGN(nest->nla_len);
	const struct nlattr *a = (const void *)((const uint8_t *)rec + head);

	if (head > len || len - head < MNL_ATTR_HDRLEN || a->nla_type != POL_RECORD_SD ||
	    a->nla_len < MNL_ATTR_HDRLEN || (size_t)MNL_ALIGN(a->nla_len) != len - head)
		return -EINVAL;
	*out = a;
	return 0;
}

DWORD engine_pol_restore(struct engine *e, int kind, uint64_t id,
			 const void *enc, size_t len)
{
	struct session_cred cred = { .pid = 0, .uid = 0, .rights = ENGINE_RIGHTS_ALL };
	const struct nlattr *nest = enc;
	struct engine_session *s;
	void *obj = NULL;
	size_t size = 0;
	DWORD rc;

	const struct nlattr *sd = NULL;

	/* The file is input like any other: check before decoding. */
	if ((unsigned)kind >= POL_NKINDS || !id || id >= (UINT64_C(1) << 62) ||
	    len < sizeof(*nest) || nest->nla_len < sizeof(*nest) || nest->nla_len > len)
		return ERROR_INVALID_DATA;
	if (nest->nla_len != len && record_sd(enc, len, &sd))
		return ERROR_INVALID_DATA;
	if (wf_decode(pol_schema[kind], nest, &obj, &size))
		return ERROR_INVALID_DATA;
	rc = engine_session_open(e, NULL, &cred, NULL, &s);
	if (rc == ERROR_SUCCESS) {
		s->restore_id = id;
		rc = sd ? engine_pol_add_sd(s, kind, obj, mnl_attr_get_payload(sd),
					    mnl_attr_get_payload_len(sd), NULL) :
			  engine_pol_add(s, kind, obj, NULL);
		engine_session_close(s);
	}
	wf_free_secret(obj, size);
	return rc;
}

void engine_pol_reserve_ids(struct engine *e, uint64_t above)
{
	pthread_mutex_lock(&e->lock);
	if (e->pol.next_id <= above)
		e->pol.next_id = above + 1;
	pthread_mutex_unlock(&e->lock);
}
