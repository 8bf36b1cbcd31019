/* api_change.c - object-change subscriptions: Fwpm{Provider,SubLayer,
 * Filter,ProviderContext}SubscribeChanges0, UnsubscribeChanges0 and
 * SubscriptionsGet0 (docs/CONTRACT.md, "Change subscriptions").
 *
 * The change HANDLE is the dispatcher's cookie, as for the other
 * subscriptions; the engine decides everything else. The four kinds
 * differ only in their structs, so one set of helpers serves them all.
 */
#include <stdlib.h>

#include "client/api_policy.h"
#include "client/dispatcher.h"

/* What a subscription struct of any kind carries for the engine. */
struct sub_args {
	bool given;		/* the caller's struct was not NULL */
	const void *tmpl;	/* its enumTemplate */
	UINT32 flags;
};

static DWORD subscribe(struct fwp_client *c, const struct sub_args *sub,
		       const struct change_callback *cb, void *context, HANDLE *out)
{
	struct dispatcher *d;
	uint64_t cookie, engine_handle = 0;
	DWORD rc;

	if (!sub->given || !cb->filter || !out)	/* the arms alias */
		return FWP_E_NULL_POINTER;
	if (!c->ops->change_subscribe)
		return ERROR_CALL_NOT_IMPLEMENTED;
	d = client_dispatcher(c);
	if (!d)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* Ready for changes before the engine can send any. */
	cookie = dispatcher_add_change(d, cb, context);
	if (!cookie)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = c->ops->change_subscribe(c, cb->kind, sub->tmpl, sub->flags, cookie,
				      &engine_handle);
	if (rc) {
		dispatcher_remove(d, cookie);
		return rc;
	}
	dispatcher_set_engine_handle(d, cookie, engine_handle);
	*out = (HANDLE)(uintptr_t)cookie;
	return ERROR_SUCCESS;
}

static DWORD unsubscribe(struct fwp_client *c, enum pol_kind k, HANDLE changes)
{
	uint64_t cookie = (uint64_t)(uintptr_t)changes, engine_handle;
	struct dispatcher *d = c->disp;
	DWORD rc;

	if (!changes)
		return ERROR_SUCCESS;	/* like IPsecSaContextUnsubscribe0 */
	if (!d || !c->ops->change_unsubscribe ||
	    !dispatcher_lookup(d, cookie, DISPATCH_CHANGE + k, &engine_handle))
		return ERROR_INVALID_HANDLE;
	rc = c->ops->change_unsubscribe(c, k, engine_handle);
	if (rc)
		return rc;
	dispatcher_remove(d, cookie);
	return ERROR_SUCCESS;
}

static DWORD subscriptions_get(struct fwp_client *c, enum pol_kind k, void ***entries,
			       UINT32 *n)
{
	if (!entries || !n)
		return FWP_E_NULL_POINTER;
	return POL_OP(c, change_subscriptions_get, k, entries, n);
}

/* A failed call leaves no stale handle behind. */
#define SUBSCRIBE(k, arm) do { \
	struct change_callback cb_ = { .kind = (k), .arm = callback }; \
	struct sub_args s_ = { subscription != NULL, \
		subscription ? (const void *)subscription->enumTemplate : NULL, \
		subscription ? subscription->flags : 0 }; \
	if (changeHandle) \
		*changeHandle = NULL; \
	WITH_CLIENT(engineHandle, subscribe(c_, &s_, &cb_, context, changeHandle)); \
} while (0)

#define CHANGE_API(Name, T, k, arm) \
FWP_EXPORT DWORD WINAPI Fwpm##Name##SubscribeChanges0(HANDLE engineHandle, \
	const FWPM_##T##_SUBSCRIPTION0 *subscription, \
	FWPM_##T##_CHANGE_CALLBACK0 callback, void *context, HANDLE *changeHandle) \
{ \
	SUBSCRIBE(k, arm); \
} \
\
FWP_EXPORT DWORD WINAPI Fwpm##Name##UnsubscribeChanges0(HANDLE engineHandle, \
	HANDLE changeHandle) \
{ \
	WITH_CLIENT(engineHandle, unsubscribe(c_, k, changeHandle)); \
} \
\
FWP_EXPORT DWORD WINAPI Fwpm##Name##SubscriptionsGet0(HANDLE engineHandle, \
	FWPM_##T##_SUBSCRIPTION0 ***entries, UINT32 *numEntries) \
{ \
	WITH_CLIENT(engineHandle, subscriptions_get(c_, k, (void ***)entries, numEntries)); \
}

CHANGE_API(Provider, PROVIDER, POL_PROVIDER, provider)
CHANGE_API(SubLayer, SUBLAYER, POL_SUBLAYER, sublayer)
CHANGE_API(Filter, FILTER, POL_FILTER, filter)
CHANGE_API(ProviderContext, PROVIDER_CONTEXT, POL_CONTEXT, context)
