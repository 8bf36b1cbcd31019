/* policy_notify.c - change subscriptions of policy objects
 * (Fwpm{Provider,SubLayer,Filter,ProviderContext}SubscribeChanges0).
 *
 * A subscription is an engine-wide record owned by a session: a kind, the
 * FWPM_SUBSCRIPTION_FLAG_* it asked for and a copy of the kind's
 * enumeration template. pol_notify() is called (engine lock held) when a
 * change becomes visible to every session: at once outside a transaction,
 * at commit inside one (policy_txn.c), never for an aborted one. Each
 * matching subscription gets one struct fwp_pol_change through its
 * owner's sink, which must not block; what the sink does with a
 * subscriber that falls behind is the transport's business, as for
 * SA-context events. A subscriber sees only objects it may enumerate.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "wire/codec.h"

#define CHANGE_FLAGS_ALL (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | \
	FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE)

/* The four subscription structs share one layout (fwpmtypes.h asserts
 * it); the engine reads and builds them through this one. */
typedef FWPM_FILTER_SUBSCRIPTION0 any_subscription;

struct pol_sub {
	struct pol_sub *next;
	struct engine_session *owner;
	uint64_t handle;
	uint64_t cookie;		/* passed to the sink */
	enum pol_kind kind;
	uint32_t flags;			/* as given; 0 means both */
	void *tmpl;			/* wf_clone of the template, or NULL */
	size_t tmpl_size;
	struct pol_tmpl match;		/* points into tmpl */
};

static void pol_sub_free(struct pol_sub *n)
{
	if (!n)
		return;
	free(n->tmpl);
	free(n);
}

/* What a subscription with flags f wants of change_type. A subscription
 * without flags gets both kinds (the Windows samples pass 0 and expect
 * notifications). */
static bool wants(uint32_t f, uint32_t change_type)
{
	if (!f)
		return true;
	return change_type == FWPM_CHANGE_ADD ? f & FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD
					      : f & FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE;
}

/* Whether the subscriber may learn of r: what it could enumerate (the
 * engine's ENUM and READ, and READ on the object's own descriptor). */
static bool may_see(const struct engine_session *s, const struct pol_obj *r)
{
	return session_check((struct engine_session *)s,
			     FWPM_ACTRL_ENUM | FWPM_ACTRL_READ) == ERROR_SUCCESS &&
	       (pol_obj_granted(s, r) & FWPM_ACTRL_READ);	/* as enumeration hides it */
}

void pol_notify(struct engine *e, const struct pol_obj *r, uint32_t change_type)
{
	struct fwp_pol_change ch;

	if (!e->pol_subs || r->builtin)
		return;
	memset(&ch, 0, sizeof(ch));
	ch.kind = r->kind;
	ch.change_type = change_type;
	ch.key = r->key;
	ch.id = r->kind == POL_FILTER || r->kind == POL_CONTEXT ? r->id : 0;
	for (struct pol_sub *n = e->pol_subs; n; n = n->next) {
		struct event_sink *sink = &n->owner->sink;

		if (n->kind != r->kind || !sink->deliver_change || !wants(n->flags, change_type))
			continue;
		if (!may_see(n->owner, r) || !pol_tmpl_match(&n->match, r))
			continue;
		sink->deliver_change(sink->arg, n->cookie, &ch);
	}
}

/* The template copied into n, and compiled against the copy. */
static DWORD take_template(struct pol_sub *n, const void *tmpl)
{
	DWORD rc;

	n->match = (struct pol_tmpl){ .kind = n->kind };
	if (!tmpl)
		return ERROR_SUCCESS;
	rc = pol_tmpl_compile(n->kind, tmpl, &n->match);
	if (rc)
		return rc;
	if (wf_clone(wf_pol_template[n->kind], tmpl, &n->tmpl, &n->tmpl_size))
		return ERROR_NOT_ENOUGH_MEMORY;
	return pol_tmpl_compile(n->kind, n->tmpl, &n->match);
}

DWORD engine_change_subscribe(struct engine_session *s, enum pol_kind k,
			      const void *tmpl, UINT32 flags, uint64_t cookie,
			      uint64_t *handle)
{
	struct engine *e = s->e;
	struct pol_sub *n;
	DWORD rc;

	if ((unsigned)k >= POL_NKINDS)
		return FWP_E_INVALID_PARAMETER;
	if (!handle)
		return FWP_E_NULL_POINTER;
	if (flags & ~CHANGE_FLAGS_ALL)
		return FWP_E_INVALID_FLAGS;
	rc = session_check(s, FWPM_ACTRL_SUBSCRIBE | FWPM_ACTRL_ENUM | FWPM_ACTRL_READ);
	if (rc)
		return rc;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERROR_NOT_ENOUGH_MEMORY;
	n->owner = s;
	n->kind = k;
	n->flags = flags;
	n->cookie = cookie;
	rc = take_template(n, tmpl);
	if (rc) {
		pol_sub_free(n);
		return rc;
	}
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&e->lock);
		pol_sub_free(n);
		return FWP_E_TXN_IN_PROGRESS;
	}
	n->handle = e->next_handle++;
	n->next = e->pol_subs;
	e->pol_subs = n;
	*handle = n->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_change_unsubscribe(struct engine_session *s, enum pol_kind k,
				uint64_t handle)
{
	struct engine *e = s->e;
	struct pol_sub **pp, *n = NULL;
	DWORD rc = ERROR_INVALID_HANDLE;

	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		rc = FWP_E_TXN_IN_PROGRESS;
		goto out;
	}
	for (pp = &e->pol_subs; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == handle && (*pp)->owner == s && (*pp)->kind == k) {
			n = *pp;
			*pp = n->next;
			rc = ERROR_SUCCESS;
			break;
		}
	}
out:
	pthread_mutex_unlock(&e->lock);
	pol_sub_free(n);
	return rc;
}

void pol_subs_remove_session(struct engine *e, struct engine_session *s)
{
	struct pol_sub **pp = &e->pol_subs, *n;

	while ((n = *pp)) {
		if (n->owner == s) {
			*pp = n->next;
			pol_sub_free(n);
		} else {
			pp = &n->next;
		}
	}
}

/* The subscriptions of kind k the caller may list (every session's, or its
 * own: session_sees_all), as FWPM_<kind>_SUBSCRIPTION0 structs with their
 * templates and their owners' session keys, in one allocation. */
DWORD engine_change_subscriptions_get(struct engine_session *s, enum pol_kind k,
				      void ***entries, UINT32 *count)
{
	struct engine *e = s->e;
	any_subscription *v = NULL;
	const void **p = NULL;
	struct pol_sub *n;
	size_t total = 0, i = 0;
	DWORD rc = ERROR_SUCCESS;

	if ((unsigned)k >= POL_NKINDS)
		return FWP_E_INVALID_PARAMETER;
	if (!entries || !count)
		return FWP_E_NULL_POINTER;
	rc = session_check(s, FWPM_ACTRL_READ);
	if (rc)
		return rc;
	*entries = NULL;
	*count = 0;
	pthread_mutex_lock(&e->lock);
	for (n = e->pol_subs; n; n = n->next)
		total += session_may_list(s, n->owner) && n->kind == k;
	if (!total)
		goto out;
	v = calloc(total, sizeof(*v));
	p = calloc(total, sizeof(*p));
	if (!v || !p) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	for (n = e->pol_subs; n; n = n->next) {
		if (!session_may_list(s, n->owner) || n->kind != k)
			continue;
		v[i].enumTemplate = n->tmpl;
		v[i].flags = n->flags;
		v[i].sessionKey = n->owner->key;
		p[i] = &v[i];
		i++;
	}
	if (wf_clone_array(wf_pol_subscription[k], p, total, entries))
		rc = ERROR_NOT_ENOUGH_MEMORY;
	else
		*count = (UINT32)total;
out:
	pthread_mutex_unlock(&e->lock);
	free(v);
	free(p);
	return rc;
}
