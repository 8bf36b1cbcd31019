/* subscription.c - SA-context change subscriptions and their templates.
 *
 * Subscriptions are engine-wide records owned by a session; events are
 * matched against the template and handed to the owner's sink in the order
 * they happen (the engine lock serialises them). What the sink does with a
 * subscriber that falls behind is the transport's business.
 */
#include <stdlib.h>
#include <string.h>

#include "common/flat.h"
#include "engine/addr.h"
#include "engine/engine_internal.h"

static DWORD check_subnet(const FWP_CONDITION_VALUE0 *v)
{
	switch (v->type) {
	case FWP_EMPTY:
		return ERROR_SUCCESS;
	case FWP_V4_ADDR_MASK: {
		uint32_t m;

		if (!v->v4AddrMask)
			return FWP_E_NULL_POINTER;
		m = v->v4AddrMask->mask;
		/* Contiguous: the inverted mask plus one is a power of two. */
		if (((~m + 1) & ~m) != 0)
			return FWP_E_INVALID_NET_MASK;
		return ERROR_SUCCESS;
	}
	case FWP_V6_ADDR_MASK:
		if (!v->v6AddrMask)
			return FWP_E_NULL_POINTER;
		if (v->v6AddrMask->prefixLength > 128)
			return FWP_E_INVALID_NET_MASK;
		return ERROR_SUCCESS;
	default:
		return FWP_E_INVALID_PARAMETER;
	}
}

DWORD template_validate(const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t)
{
	DWORD rc = check_subnet(&t->localSubNet);

	return rc ? rc : check_subnet(&t->remoteSubNet);
}

static bool subnet_match(const FWP_CONDITION_VALUE0 *v, const IPSEC_TRAFFIC1 *t,
			 bool local)
{
	uint8_t net[16];

	switch (v->type) {
	case FWP_V4_ADDR_MASK: {
		uint32_t a = local ? t->localV4Address : t->remoteV4Address;

		return t->ipVersion == FWP_IP_VERSION_V4 &&
		       (a & v->v4AddrMask->mask) ==
		       (v->v4AddrMask->addr & v->v4AddrMask->mask);
	}
	case FWP_V6_ADDR_MASK:
		if (t->ipVersion != FWP_IP_VERSION_V6)
			return false;
		addr6_traffic_to_net(local ? t->localV6Address : t->remoteV6Address, net);
		return addr6_prefix_match(net, v->v6AddrMask->addr,
					  v->v6AddrMask->prefixLength);
	default:
		return true;
	}
}

bool template_match(const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		    const struct sa_context *c)
{
	return subnet_match(&t->localSubNet, &c->out.traffic, true) &&
	       subnet_match(&t->remoteSubNet, &c->out.traffic, false);
}

static uint32_t mask_of(uint32_t type)
{
	switch (type) {
	case FWPX_SA_CONTEXT_EVENT_ADD:
		return FWPX_EVENT_MASK_ADD;
	case FWPX_SA_CONTEXT_EVENT_DELETE:
		return FWPX_EVENT_MASK_DELETE;
	case FWPX_SA_CONTEXT_EVENT_UPDATE:
		return FWPX_EVENT_MASK_UPDATE;
	case FWPX_SA_CONTEXT_EVENT_EXPIRE:
		return FWPX_EVENT_MASK_EXPIRE;
	case FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME:
		return FWPX_EVENT_MASK_SOFT_LIFETIME;
	default:
		return 0;
	}
}

void subs_emit(struct engine *e, const struct sa_context *c, uint32_t type,
	       uint64_t update_flags)
{
	FWPX_SA_CONTEXT_EVENT0 ev = {
		.eventType = type,
		.saContextId = c->id,
		.updateFlags = update_flags,
	};
	uint32_t bit = mask_of(type);

	for (struct subscription *sub = e->subs; sub; sub = sub->next) {
		struct event_sink *sink = &sub->owner->sink;

		if (!(sub->event_mask & bit) || !sink->deliver)
			continue;
		if (sub->has_template && !template_match(&sub->tmpl, c))
			continue;
		sink->deliver(sink->arg, sub->cookie, &ev);
	}
}

static void copy_subnet(FWP_CONDITION_VALUE0 *dst, const FWP_CONDITION_VALUE0 *src,
			FWP_V4_ADDR_AND_MASK *v4, FWP_V6_ADDR_AND_MASK *v6)
{
	dst->type = src->type;
	if (src->type == FWP_V4_ADDR_MASK) {
		*v4 = *src->v4AddrMask;
		dst->v4AddrMask = v4;
	} else if (src->type == FWP_V6_ADDR_MASK) {
		*v6 = *src->v6AddrMask;
		dst->v6AddrMask = v6;
	}
}

DWORD engine_subscribe(struct engine_session *s,
		       const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
		       UINT32 event_mask, uint64_t cookie, uint64_t *handle)
{
	struct engine *e = s->e;
	struct subscription *n;
	DWORD rc;

	if (!sub || !handle)
		return FWP_E_NULL_POINTER;
	if (!event_mask || (event_mask & ~FWPX_EVENT_MASK_ALL))
		return FWP_E_INVALID_FLAGS;
	rc = session_check_sadb(s, FWPM_ACTRL_SUBSCRIBE);
	if (rc)
		return rc;
	if (sub->enumTemplate) {
		rc = template_validate(sub->enumTemplate);
		if (rc)
			return rc;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERROR_NOT_ENOUGH_MEMORY;
	n->owner = s;
	n->event_mask = event_mask;
	n->cookie = cookie;
	n->flags = sub->flags;
	if (sub->enumTemplate) {
		n->has_template = true;
		copy_subnet(&n->tmpl.localSubNet, &sub->enumTemplate->localSubNet,
			    &n->v4[0], &n->v6[0]);
		copy_subnet(&n->tmpl.remoteSubNet, &sub->enumTemplate->remoteSubNet,
			    &n->v4[1], &n->v6[1]);
	}
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&e->lock);
		free(n);
		return FWP_E_TXN_IN_PROGRESS;
	}
	n->handle = e->next_handle++;
	n->next = e->subs;
	e->subs = n;
	*handle = n->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_unsubscribe(struct engine_session *s, uint64_t handle)
{
	struct engine *e = s->e;
	struct subscription **pp, *n;
	DWORD rc = ERROR_INVALID_HANDLE;

	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		rc = FWP_E_TXN_IN_PROGRESS;
		goto out;
	}
	for (pp = &e->subs; (n = *pp); pp = &n->next) {
		if (n->handle == handle && n->owner == s) {
			*pp = n->next;
			free(n);
			rc = ERROR_SUCCESS;
			break;
		}
	}
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

void subs_remove_session(struct engine *e, struct engine_session *s)
{
	struct subscription **pp = &e->subs, *n;

	while ((n = *pp)) {
		if (n->owner == s) {
			*pp = n->next;
			free(n);
		} else {
			pp = &n->next;
		}
	}
}

static void build_subnet(struct flat *f, FWP_CONDITION_VALUE0 *dst,
			 const FWP_CONDITION_VALUE0 *src)
{
	dst->type = src->type;
	if (src->type == FWP_V4_ADDR_MASK)
		dst->v4AddrMask = flat_dup(f, src->v4AddrMask, sizeof(*src->v4AddrMask),
					   _Alignof(FWP_V4_ADDR_AND_MASK));
	else if (src->type == FWP_V6_ADDR_MASK)
		dst->v6AddrMask = flat_dup(f, src->v6AddrMask, sizeof(*src->v6AddrMask),
					   _Alignof(FWP_V6_ADDR_AND_MASK));
}

/* The subscriptions the caller may list (every session's, or its own:
 * session_sees_all), each with the key of the session that made it. */
DWORD engine_subscriptions_get(struct engine_session *s,
			       IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
			       UINT32 *count)
{
	struct engine *e = s->e;
	struct subscription *n;
	struct flat f;
	size_t total = 0;
	DWORD rc;

	if (!entries || !count)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	for (n = e->subs; n; n = n->next)
		total += session_may_list(s, n->owner);
	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 **arr =
			FLAT_ARRAY(&f, IPSEC_SA_CONTEXT_SUBSCRIPTION0 *, total);
		size_t i = 0;

		for (n = e->subs; arr && n; n = n->next) {
			IPSEC_SA_CONTEXT_SUBSCRIPTION0 *d;

			if (!session_may_list(s, n->owner))
				continue;
			d = FLAT_NEW(&f, IPSEC_SA_CONTEXT_SUBSCRIPTION0);
			arr[i++] = d;
			if (!d)
				continue;
			d->flags = n->flags;
			d->sessionKey = n->owner->key;
			if (n->has_template) {
				IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t =
					FLAT_NEW(&f, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0);

				d->enumTemplate = t;
				if (t) {
					build_subnet(&f, &t->localSubNet, &n->tmpl.localSubNet);
					build_subnet(&f, &t->remoteSubNet, &n->tmpl.remoteSubNet);
				}
			}
		}
		if (pass == 0 && flat_end_measure(&f)) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	*entries = flat_end(&f);
	if (!*entries) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	*count = (UINT32)total;
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}
