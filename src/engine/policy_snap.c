/* policy_snap.c - the classifier snapshot: what the packet threads read to
 * learn which filter decides a flow, without the engine lock.
 *
 * A snapshot is a classifier holding every committed filter, and per
 * filter what a verdict carries (action, callout, provider context). No
 * writer touches the published one. There are two copies (left-right):
 * a publish applies the changes noted since the last one to the copy
 * readers do not see (the spare) and swaps it in with one atomic
 * exchange (a class the changes made stale is indexed again by its first
 * lookup, under the classifier's own mutex, as the classifier always
 * did); the copy it replaced becomes the spare, to be brought
 * level by the next publish once no reader can still be in it
 * (common/epoch.h: the readers counted before this publish's flip; the
 * wait is deferred to the next publish, by when they are long gone, so a
 * commit does not wait for a reader). So a change costs what the
 * classifier's incremental add or remove costs, twice, and never a copy of
 * the whole policy; the price is a second classifier in memory.
 *
 * When: link and unlink note each change (pol_snap_note) in e->pol.log:
 * the pending log for changes outside transactions, a write transaction's
 * own log inside one (appended to the pending log at commit, thrown away
 * at abort, whose undo notes nothing). pol_snap_publish runs after a
 * change outside any transaction, at Commit0, when a dynamic session's
 * filters go and after the store's restore. So the datapath never sees
 * half a transaction, and an aborted one not at all.
 *
 * Failures: a change that cannot be noted, or applied, for lack of
 * memory makes the next publish rebuild both copies from the committed
 * filters (the linked ones no open transaction added, and those an open
 * transaction deleted). If that fails too, the fail-closed snapshot (no
 * classifier: engine_classify fails, and the datapath drops what it
 * cannot classify) is published until a later publish succeeds; a reader
 * that meets it tries that publish itself when the engine lock is free.
 *
 * After each publish the backend hears policy_published, so that verdicts
 * it cached from an older snapshot are dropped only once the new one is
 * there to be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "policy/classify.h"

struct snap_filter {
	struct idmap_node by_id;	/* key: the filter id */
	uint64_t context_id;
	uint32_t action;
	GUID callout;
};

struct pol_snap {
	struct classifier *cls;		/* NULL: the fail-closed snapshot */
	struct idmap filters;		/* snap_filter.by_id */
};

/* One noted change; an addition owns its rule's arrays. */
struct snap_op {
	struct snap_op *next;
	bool add;
	uint64_t id;
	struct cls_rule rule;
	struct cls_addr *addrs;
	struct cls_range32 *ranges;
	struct snap_filter info;
};

struct snap_log {
	struct snap_op *first, **tail;
};

static struct pol_snap fail_closed;

/* ---- logs ---- */

struct snap_log *snap_log_new(void)
{
	struct snap_log *l = malloc(sizeof(*l));

	if (l) {
		l->first = NULL;
		l->tail = &l->first;
	}
	return l;
}

static void ops_free(struct snap_op *op)
{
	while (op) {
		struct snap_op *next = op->next;

		free(op->addrs);
		free(op->ranges);
		free(op);
		op = next;
	}
}

void snap_log_free(struct snap_log *l)
{
	if (l)
		ops_free(l->first);
	free(l);
}

void snap_log_commit(struct engine *e, struct snap_log *l)
{
	struct snap_log *p = e->pol.pending;

	if (l && l->first) {
		*p->tail = l->first;
		p->tail = l->tail;
		l->first = NULL;
	}
	free(l);
}

void pol_snap_note(struct engine *e, struct pol_obj *r, bool added,
		   const struct cls_rule *rule, struct cls_addr *addrs,
		   struct cls_range32 *ranges)
{
	struct snap_log *l = e->pol.log;
	struct snap_op *op = l ? calloc(1, sizeof(*op)) : NULL;
	const FWPM_FILTER0 *f = r->blob;

	if (!op || (added && !rule)) {
		free(addrs);
		free(ranges);
		if (l)	/* else an abort's undo: nothing was published */
			e->pol.snap_lost = true;
		return;
	}
	if (added) {
		op->rule = *rule;
		op->addrs = addrs;
		op->ranges = ranges;
	}
	op->add = added;
	op->id = r->id;
	op->info.context_id = r->context ? r->context->id : 0;
	op->info.action = f->action.type;
	op->info.callout = f->action.calloutKey;
	*l->tail = op;
	l->tail = &op->next;
}

/* ---- copies ---- */

static void snap_free(struct pol_snap *sn)
{
	if (!sn || sn == &fail_closed)
		return;
	for (size_t i = 0; sn->filters.buckets && i < sn->filters.nbuckets; i++) {
		while (sn->filters.buckets[i]) {
			struct idmap_node *n = sn->filters.buckets[i];

			idmap_remove(&sn->filters, n);
			free(idmap_entry(n, struct snap_filter, by_id));
		}
	}
	idmap_free(&sn->filters);
	classifier_destroy(sn->cls);
	free(sn);
}

static struct pol_snap *snap_new(void)
{
	struct pol_snap *sn = calloc(1, sizeof(*sn));

	if (!sn)
		return NULL;
	if (idmap_init(&sn->filters, 256) || classifier_create(&sn->cls)) {
		snap_free(sn);
		return NULL;
	}
	return sn;
}

/* One change to a copy nobody reads. 0 or -ENOMEM (-EEXIST, -ENOENT: the
 * copy is not what the log assumes). */
static int snap_apply(struct pol_snap *sn, const struct snap_op *op)
{
	struct idmap_node *n = idmap_find(&sn->filters, op->id);
	struct snap_filter *f;
	int err;

	if (!op->add) {
		if (!n)
			return -ENOENT;
		err = classifier_remove(sn->cls, op->id);
		idmap_remove(&sn->filters, n);
		free(idmap_entry(n, struct snap_filter, by_id));
		return err;
	}
	if (n)
		return -EEXIST;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	*f = op->info;
	err = classifier_add(sn->cls, &op->rule);
	if (err) {
		free(f);
		return err;
	}
	idmap_insert(&sn->filters, &f->by_id, op->id);
	return 0;
}

static int snap_apply_all(struct pol_snap *sn, const struct snap_op *op)
{
	for (; op; op = op->next) {
		int err = snap_apply(sn, op);

		if (err)
			return err;
	}
	return 0;
}

struct snap_build {
	struct pol_snap *sn;
	int err;
};

static void build_one(void *arg, struct pol_obj *r)
{
	struct snap_build *b = arg;
	struct snap_op op = { .add = true, .id = r->id };
	const FWPM_FILTER0 *f = r->blob;
	int err;

	if (b->err || r->kind != POL_FILTER)
		return;
	err = pol_classify_rule(r, &op.rule, &op.addrs, &op.ranges);
	op.info.context_id = r->context ? r->context->id : 0;
	op.info.action = f->action.type;
	op.info.callout = f->action.calloutKey;
	if (!err)
		err = snap_apply(b->sn, &op);
	free(op.addrs);
	free(op.ranges);
	if (err && err != -EOPNOTSUPP)	/* left out, as pol.unclassified counts */
		b->err = err;
}

/* A copy of the committed filters, indexed: the linked ones no open
 * transaction added, and those an open transaction deleted. */
static struct pol_snap *snap_build(struct engine *e)
{
	struct snap_build b = { .sn = snap_new() };

	if (!b.sn)
		return NULL;
	for (struct pol_obj *r = e->pol.t[POL_FILTER].first; r; r = r->next)
		if (!r->txn_owner)
			build_one(&b, r);
	pol_txn_each_deleted(e, build_one, &b);
	if (b.err || classifier_build(b.sn->cls)) {
		snap_free(b.sn);
		return NULL;
	}
	return b.sn;
}

/* ---- publishing ---- */

/* The readers that could be in the spare (those counted before the last
 * publish's flip) are gone: it may be changed. */
static void spare_drain(struct engine *e)
{
	if (e->pol.spare_wait)
		epoch_wait(&e->pol.snap_epoch, e->pol.spare_phase);
	e->pol.spare_wait = false;
}

/* Takes the pending changes out of the pending log. */
static struct snap_op *pending_take(struct engine *e)
{
	struct snap_op *ops = e->pol.pending->first;

	e->pol.pending->first = NULL;
	e->pol.pending->tail = &e->pol.pending->first;
	return ops;
}

/* Both copies again from the committed filters. */
static void publish_full(struct engine *e)
{
	struct pol_snap *a = snap_build(e), *b = a ? snap_build(e) : NULL, *old;

	ops_free(pending_take(e));
	spare_drain(e);
	snap_free(e->pol.spare);
	ops_free(e->pol.spare_ops);
	e->pol.spare = b;
	e->pol.spare_ops = NULL;
	e->pol.snap_lost = !a;
	if (!a && atomic_load(&e->pol.snap) == &fail_closed)
		return;
	old = atomic_exchange(&e->pol.snap, a ? a : &fail_closed);
	if (e->backend.ops->policy_published)
		e->backend.ops->policy_published(e->backend.be);
	epoch_synchronize(&e->pol.snap_epoch);
	snap_free(old);
}

/* Changes the spare: first what the last publish changed in the other
 * copy, then the pending changes. 0 or -errno. */
static int spare_update(struct engine *e, const struct snap_op *ops)
{
	struct pol_snap *back = e->pol.spare;
	int err;

	spare_drain(e);
	err = snap_apply_all(back, e->pol.spare_ops);
	ops_free(e->pol.spare_ops);
	e->pol.spare_ops = NULL;
	/* Adds join the classes' overlays, removes leave tombstones; a class
	 * they made stale is indexed again by its first lookup, under the
	 * classifier's own mutex (classify.h "Updates"), as before there were
	 * snapshots: building it here would make every publish of a bulk load
	 * pay for a whole index. */
	if (!err)
		err = snap_apply_all(back, ops);
	return err;
}

void pol_snap_publish(struct engine *e)
{
	struct pol_snap *old;
	struct snap_op *ops;

	if (e->pol.snap_lost || !e->pol.spare || atomic_load(&e->pol.snap) == &fail_closed) {
		publish_full(e);
		return;
	}
	if (!e->pol.pending->first)
		return;
	if (spare_update(e, e->pol.pending->first)) {
		publish_full(e);
		return;
	}
	ops = pending_take(e);
	old = atomic_exchange(&e->pol.snap, e->pol.spare);
	/* Readers that could still be in old are counted in the phase this
	 * flip leaves; the next publish waits for them before it changes
	 * old, usually long after they left, so this one does not wait. */
	e->pol.spare_phase = epoch_flip(&e->pol.snap_epoch);
	e->pol.spare_wait = true;
	e->pol.spare = old;
	e->pol.spare_ops = ops;
	if (e->backend.ops->policy_published)
		e->backend.ops->policy_published(e->backend.be);
}

int pol_snap_init(struct engine *e)
{
	epoch_init(&e->pol.snap_epoch);
	e->pol.pending = snap_log_new();
	if (!e->pol.pending)
		return -ENOMEM;
	e->pol.log = e->pol.pending;
	atomic_init(&e->pol.snap, snap_build(e));
	e->pol.spare = snap_build(e);
	if (!atomic_load(&e->pol.snap) || !e->pol.spare) {
		pol_snap_fini(e);
		return -ENOMEM;
	}
	return 0;
}

void pol_snap_fini(struct engine *e)
{
	/* No reader is left: the engine is being destroyed. */
	snap_free(atomic_exchange(&e->pol.snap, NULL));
	snap_free(e->pol.spare);
	e->pol.spare = NULL;
	ops_free(e->pol.spare_ops);
	e->pol.spare_ops = NULL;
	snap_log_free(e->pol.pending);
	e->pol.pending = NULL;
	e->pol.log = NULL;
}

void engine_pol_publish(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	pol_snap_publish(e);
	pthread_mutex_unlock(&e->lock);
}

/* ---- reading ---- */

static DWORD snap_lookup(const struct pol_snap *sn, const struct cls_packet *p,
			 struct engine_verdict *v)
{
	struct cls_verdict cv;
	const struct idmap_node *n;
	const struct snap_filter *f;

	if (!sn || !sn->cls || classifier_lookup(sn->cls, p, &cv))
		return ERROR_NOT_ENOUGH_MEMORY;
	if (!cv.filter_id)
		return ERROR_SUCCESS;
	n = idmap_find(&sn->filters, cv.filter_id);
	if (!n)
		return ERROR_NOT_ENOUGH_MEMORY;	/* cannot be: fail closed */
	f = idmap_entry(n, const struct snap_filter, by_id);
	v->filter_id = cv.filter_id;
	v->action = f->action;
	if (f->action & FWP_ACTION_FLAG_CALLOUT)
		v->callout = f->callout;
	v->context_id = f->context_id;
	return ERROR_SUCCESS;
}

static DWORD classify_snap(struct engine *e, const struct cls_packet *p,
			   struct engine_verdict *v)
{
	unsigned t = epoch_enter(&e->pol.snap_epoch);
	DWORD rc = snap_lookup(atomic_load(&e->pol.snap), p, v);

	epoch_exit(&e->pol.snap_epoch, t);
	return rc;
}

DWORD engine_classify(struct engine *e, const struct engine_flow *fl,
		      struct engine_verdict *v)
{
	struct cls_packet p;
	bool v6;
	int layer;
	DWORD rc;

	if (!fl || !v || !fl->layer)
		return FWP_E_NULL_POINTER;
	layer = pol_layer_index(fl->layer, &v6);
	if (layer < 0)	/* unknown, or listed but not filtered at here */
		return pol_layer_filterable(fl->layer) ?: FWP_E_LAYER_NOT_FOUND;
	if (fl->ip_version != (v6 ? 6 : 4))
		return FWP_E_INVALID_PARAMETER;
	memset(&p, 0, sizeof(p));
	p.layer = (uint16_t)layer;
	p.ip_version = fl->ip_version;
	p.protocol = fl->protocol;
	p.local_port = fl->local_port;
	p.remote_port = fl->remote_port;
	memcpy(p.local_addr, fl->local_addr, 16);
	memcpy(p.remote_addr, fl->remote_addr, 16);
	memset(v, 0, sizeof(*v));
	v->action = FWP_ACTION_PERMIT;	/* the layer default */
	rc = classify_snap(e, &p, v);
	/* The fail-closed snapshot: try again to build one, never waiting
	 * for the lock (this may be a packet thread). */
	if (rc == ERROR_NOT_ENOUGH_MEMORY && pthread_mutex_trylock(&e->lock) == 0) {
		pol_snap_publish(e);
		pthread_mutex_unlock(&e->lock);
		memset(v, 0, sizeof(*v));
		v->action = FWP_ACTION_PERMIT;
		rc = classify_snap(e, &p, v);
	}
	return rc;
}
