/* policy_snap.c - the classifier snapshot: what the packet threads read to
 * learn which filter decides a flow, without the engine lock.
 *
 * A snapshot is immutable: a classifier holding every committed filter,
 * fully indexed, and per filter what a verdict carries (action, callout,
 * provider context), sorted by filter id. It is built under the engine
 * lock when committed filters changed (pol_snap_publish: after a change
 * made outside any transaction, at Commit0, when a dynamic session's
 * filters go, after the store's restore) and published by one atomic
 * exchange; Abort0 publishes nothing, and filters an open transaction
 * added are left out while those it deleted are kept, so the datapath
 * never sees half a transaction. The replaced snapshot is freed once no
 * reader can hold it (common/epoch.h). A snapshot that cannot be built
 * for lack of memory is replaced by the fail-closed one (no classifier:
 * engine_classify fails, and the datapath drops what it cannot classify)
 * until a later publish succeeds; a reader that meets it tries that
 * publish itself when the engine lock is free.
 *
 * After each publish the backend hears policy_published, so that verdicts
 * it cached from an older snapshot are dropped only once the new one is
 * there to be read (a verdict cached earlier would outlive the change).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "policy/classify.h"

struct snap_filter {
	uint64_t id;
	uint64_t context_id;
	uint32_t action;
	GUID callout;
};

struct pol_snap {
	uint64_t gen;
	struct classifier *cls;		/* NULL: the fail-closed snapshot */
	struct snap_filter *f;		/* by id */
	size_t n, cap;
};

static struct pol_snap fail_closed;

static void snap_free(struct pol_snap *sn)
{
	if (!sn || sn == &fail_closed)
		return;
	classifier_destroy(sn->cls);
	free(sn->f);
	free(sn);
}

struct snap_build {
	struct pol_snap *sn;
	int err;
};

static void snap_add(void *arg, struct pol_obj *r)
{
	struct snap_build *b = arg;
	struct pol_snap *sn = b->sn;
	const FWPM_FILTER0 *f = r->blob;
	struct cls_addr *a;
	struct cls_range32 *g;
	struct cls_rule rule;
	int err;

	if (b->err || r->kind != POL_FILTER)
		return;
	err = pol_classify_rule(r, &rule, &a, &g);
	if (!err)
		err = classifier_add(sn->cls, &rule);
	free(a);
	free(g);
	if (err == -EOPNOTSUPP)
		return;		/* left out, as pol.unclassified counts */
	if (!err && sn->n == sn->cap) {
		size_t cap = sn->cap ? sn->cap * 2 : 64;
		struct snap_filter *v = realloc(sn->f, cap * sizeof(*v));

		if (v) {
			sn->f = v;
			sn->cap = cap;
		} else {
			err = -ENOMEM;
		}
	}
	if (err) {
		b->err = err;
		return;
	}
	sn->f[sn->n++] = (struct snap_filter){
		.id = r->id,
		.context_id = r->context ? r->context->id : 0,
		.action = f->action.type,
		.callout = f->action.calloutKey,
	};
}

static int filter_cmp(const void *a, const void *b)
{
	const struct snap_filter *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Committed filters: linked ones no open transaction added, and those an
 * open transaction deleted (unlinked, but still committed). */
static int snap_build(struct engine *e, struct pol_snap **out)
{
	struct classifier_tuning t;
	struct snap_build b = { .sn = calloc(1, sizeof(*b.sn)) };

	if (!b.sn || classifier_create(&b.sn->cls)) {
		free(b.sn);
		return -ENOMEM;
	}
	/* No overlay: every class is indexed once, below, and never again. */
	classifier_get_tuning(b.sn->cls, &t);
	t.pending_max = 1;
	classifier_set_tuning(b.sn->cls, &t);
	for (struct pol_obj *r = e->pol.t[POL_FILTER].first; r; r = r->next)
		if (!r->txn_owner)
			snap_add(&b, r);
	pol_txn_each_deleted(e, snap_add, &b);
	/* A failed build leaves classes stale; lookups would rebuild them
	 * under the classifier's own mutex. Fail instead: memory is short. */
	if (b.err || classifier_build(b.sn->cls)) {
		snap_free(b.sn);
		return -ENOMEM;
	}
	qsort(b.sn->f, b.sn->n, sizeof(*b.sn->f), filter_cmp);
	*out = b.sn;
	return 0;
}

static void snap_swap(struct engine *e, struct pol_snap *sn)
{
	struct pol_snap *old = atomic_exchange(&e->pol.snap, sn);

	epoch_synchronize(&e->pol.snap_epoch);
	snap_free(old);
	if (e->backend.ops->policy_published)
		e->backend.ops->policy_published(e->backend.be);
}

void pol_snap_publish(struct engine *e)
{
	struct pol_snap *sn;

	if (!e->pol.snap_dirty && atomic_load(&e->pol.snap) != &fail_closed)
		return;
	if (snap_build(e, &sn)) {
		if (atomic_load(&e->pol.snap) != &fail_closed)
			snap_swap(e, &fail_closed);
		return;
	}
	sn->gen = ++e->pol.snap_gen;
	e->pol.snap_dirty = false;
	snap_swap(e, sn);
}

int pol_snap_init(struct engine *e)
{
	struct pol_snap *sn;

	epoch_init(&e->pol.snap_epoch);
	if (snap_build(e, &sn))
		return -ENOMEM;
	sn->gen = ++e->pol.snap_gen;
	atomic_init(&e->pol.snap, sn);
	e->pol.snap_dirty = false;
	return 0;
}

void pol_snap_fini(struct engine *e)
{
	/* No reader is left: the engine is being destroyed. */
	snap_free(atomic_exchange(&e->pol.snap, NULL));
}

void engine_pol_publish(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	pol_snap_publish(e);
	pthread_mutex_unlock(&e->lock);
}

static DWORD snap_lookup(const struct pol_snap *sn, const struct cls_packet *p,
			 struct engine_verdict *v)
{
	struct cls_verdict cv;
	const struct snap_filter *f;

	if (!sn || !sn->cls || classifier_lookup(sn->cls, p, &cv))
		return ERROR_NOT_ENOUGH_MEMORY;
	if (!cv.filter_id)
		return ERROR_SUCCESS;
	f = bsearch(&(struct snap_filter){ .id = cv.filter_id }, sn->f, sn->n,
		    sizeof(*sn->f), filter_cmp);
	if (!f)
		return ERROR_NOT_ENOUGH_MEMORY;	/* cannot be: fail closed */
	v->filter_id = f->id;
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
	if (layer < 0)
		return FWP_E_LAYER_NOT_FOUND;
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
