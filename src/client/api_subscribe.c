/* api_subscribe.c - SA-context change subscriptions (Windows and the
 * extension API). The events HANDLE is the dispatcher's cookie. */
#include <stdlib.h>

#include "client/api.h"
#include "client/dispatcher.h"

static DWORD subscribe(struct fwp_client *c, const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
		       UINT32 mask, IPSEC_SA_CONTEXT_CALLBACK0 wcb,
		       FWPX_SA_CONTEXT_CALLBACK0 xcb, void *context, HANDLE *out)
{
	struct dispatcher *d;
	uint64_t cookie, engine_handle = 0;
	DWORD rc;

	if (!sub || !out || (!wcb && !xcb))
		return FWP_E_NULL_POINTER;
	d = client_dispatcher(c);
	if (!d)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* Ready for events before the engine can send any. */
	cookie = dispatcher_add(d, wcb, xcb, context);
	if (!cookie)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = c->ops->subscribe(c, sub, mask, cookie, &engine_handle);
	if (rc) {
		dispatcher_remove(d, cookie);
		return rc;
	}
	dispatcher_set_engine_handle(d, cookie, engine_handle);
	*out = (HANDLE)(uintptr_t)cookie;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI IPsecSaContextSubscribe0(HANDLE engineHandle,
	const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription,
	IPSEC_SA_CONTEXT_CALLBACK0 callback, void *context, HANDLE *eventsHandle)
{
	WITH_CLIENT(engineHandle, callback ? subscribe(c_, subscription,
		FWPX_EVENT_MASK_ADD | FWPX_EVENT_MASK_DELETE, callback, NULL,
		context, eventsHandle) : FWP_E_NULL_POINTER);
}

FWP_EXPORT DWORD WINAPI FwpxSaContextSubscribe0(HANDLE engineHandle,
	const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription, UINT32 eventMask,
	FWPX_SA_CONTEXT_CALLBACK0 callback, void *context, HANDLE *eventsHandle)
{
	WITH_CLIENT(engineHandle, callback ? subscribe(c_, subscription, eventMask,
		NULL, callback, context, eventsHandle) : FWP_E_NULL_POINTER);
}

static DWORD unsubscribe(struct fwp_client *c, HANDLE events)
{
	uint64_t cookie = (uint64_t)(uintptr_t)events, engine_handle;
	struct dispatcher *d = c->disp;
	DWORD rc;

	if (!events)
		return ERROR_SUCCESS;	/* Windows: a no-op */
	if (!d || !dispatcher_lookup(d, cookie, DISPATCH_SA, &engine_handle))
		return ERROR_INVALID_HANDLE;
	rc = c->ops->unsubscribe(c, engine_handle);
	if (rc)
		return rc;
	dispatcher_remove(d, cookie);
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI IPsecSaContextUnsubscribe0(HANDLE engineHandle,
	HANDLE eventsHandle)
{
	WITH_CLIENT(engineHandle, unsubscribe(c_, eventsHandle));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextSubscriptionsGet0(HANDLE engineHandle,
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries, UINT32 *numEntries)
{
	WITH_CLIENT(engineHandle, c_->ops->subscriptions_get(c_, entries, numEntries));
}
