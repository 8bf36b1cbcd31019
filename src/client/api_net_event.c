/* api_net_event.c - FwpmNetEventSubscribe0..4 / FwpmNetEventUnsubscribe0
 * (the versions differ only in the event struct the callback receives).
 * The events HANDLE is the dispatcher's cookie; the engine decides
 * everything else (docs/CONTRACT.md, "Net events"). */
#include <stdlib.h>

#include "client/api.h"
#include "client/dispatcher.h"

static DWORD subscribe(struct fwp_client *c, const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
		       const struct net_callback *cb, void *context, HANDLE *out)
{
	struct dispatcher *d;
	uint64_t cookie, engine_handle = 0;
	DWORD rc;

	if (!sub || !cb->c0 || !out)	/* the arms alias */
		return FWP_E_NULL_POINTER;
	d = client_dispatcher(c);
	if (!d)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* Ready for events before the engine can send any. */
	cookie = dispatcher_add_net(d, cb, context);
	if (!cookie)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = c->ops->net_subscribe(c, sub, cookie, &engine_handle);
	if (rc) {
		dispatcher_remove(d, cookie);
		return rc;
	}
	dispatcher_set_engine_handle(d, cookie, engine_handle);
	*out = (HANDLE)(uintptr_t)cookie;
	return ERROR_SUCCESS;
}

/* A failed call leaves no stale handle behind. */
#define SUBSCRIBE(n, arm) do { \
	struct net_callback cb_ = { .version = (n), .arm = callback }; \
	if (eventsHandle) \
		*eventsHandle = NULL; \
	WITH_CLIENT(engineHandle, subscribe(c_, subscription, &cb_, context, \
					    eventsHandle)); \
} while (0)

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe0(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK0 callback, void *context, HANDLE *eventsHandle)
{
	SUBSCRIBE(0, c0);
}

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe1(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK1 callback, void *context, HANDLE *eventsHandle)
{
	SUBSCRIBE(1, c1);
}

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe2(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK2 callback, void *context, HANDLE *eventsHandle)
{
	SUBSCRIBE(2, c2);
}

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe3(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK3 callback, void *context, HANDLE *eventsHandle)
{
	SUBSCRIBE(3, c3);
}

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe4(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK4 callback, void *context, HANDLE *eventsHandle)
{
	SUBSCRIBE(4, c4);
}

static DWORD unsubscribe(struct fwp_client *c, HANDLE events)
{
	uint64_t cookie = (uint64_t)(uintptr_t)events, engine_handle;
	struct dispatcher *d = c->disp;
	DWORD rc;

	if (!events)
		return ERROR_SUCCESS;	/* like IPsecSaContextUnsubscribe0 */
	if (!d || !dispatcher_lookup(d, cookie, DISPATCH_NET, &engine_handle))
		return ERROR_INVALID_HANDLE;
	rc = c->ops->net_unsubscribe(c, engine_handle);
	if (rc)
		return rc;
	dispatcher_remove(d, cookie);
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventUnsubscribe0(HANDLE engineHandle,
	HANDLE eventsHandle)
{
	WITH_CLIENT(engineHandle, unsubscribe(c_, eventsHandle));
}
