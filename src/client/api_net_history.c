/* api_net_history.c - FwpmEngineGetOption0 / SetOption0 and the
 * net-event history: FwpmNetEventCreateEnumHandle0, FwpmNetEventEnum0..5,
 * FwpmNetEventDestroyEnumHandle0 (docs/CONTRACT.md, "Net events").
 *
 * The transport hands out raw records (engine/net_event.h); they become
 * the Windows structs of versions 0 to 5 here (net_event_convert.h), each
 * enumeration result one allocation (the pointer array, the events, their
 * arms) that FwpmFreeMemory0 releases.
 */
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "client/net_event_convert.h"

FWP_EXPORT DWORD WINAPI FwpmEngineGetOption0(HANDLE engineHandle,
	FWPM_ENGINE_OPTION option, FWP_VALUE0 **value)
{
	WITH_CLIENT(engineHandle, c_->ops->option_get(c_, (UINT32)option, value));
}

FWP_EXPORT DWORD WINAPI FwpmEngineSetOption0(HANDLE engineHandle,
	FWPM_ENGINE_OPTION option, const FWP_VALUE0 *newValue)
{
	WITH_CLIENT(engineHandle, c_->ops->option_set(c_, (UINT32)option, newValue));
}

static DWORD enum_create(struct fwp_client *c, const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t,
			 HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->net_enum_create(c, t, &h);
	*out = rc ? NULL : (HANDLE)(uintptr_t)h;
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_NET_EVENT_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, enum_create(c_, enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmNetEventDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, c_->ops->net_enum_destroy(c_,
		(uint64_t)(uintptr_t)enumHandle));
}

/* Takes up to want records and converts them to version v, each event in
 * a slot after the pointer array. */
static DWORD net_enum(struct fwp_client *c, HANDLE eh, UINT32 want, int v,
		      void ***entries, UINT32 *returned)
{
	struct fwp_net_event **recs = NULL;
	union net_event_slot *slots;
	UINT32 n = 0;
	void **out;
	DWORD rc;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	rc = c->ops->net_enum(c, (uint64_t)(uintptr_t)eh, want, &recs, &n);
	if (rc)
		return rc;
	*entries = NULL;
	*returned = 0;
	if (!n)
		return ERROR_SUCCESS;
	/* Slots hold pointers and UINT64s: 8-aligned after the array. */
	out = malloc(n * (sizeof(void *) + sizeof(*slots)));
	if (!out) {
		free(recs);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	slots = (union net_event_slot *)(void *)(out + n);
	for (UINT32 i = 0; i < n; i++)
		out[i] = net_event_build(recs[i], v, &slots[i]);
	free(recs);
	*entries = out;
	*returned = n;
	return ERROR_SUCCESS;
}

#define NET_ENUM(v) \
FWP_EXPORT DWORD WINAPI FwpmNetEventEnum##v(HANDLE engineHandle, HANDLE enumHandle, \
	UINT32 numEntriesRequested, FWPM_NET_EVENT##v ***entries, \
	UINT32 *numEntriesReturned) \
{ \
	WITH_CLIENT(engineHandle, net_enum(c_, enumHandle, numEntriesRequested, v, \
		(void ***)entries, numEntriesReturned)); \
}

NET_ENUM(0)
NET_ENUM(1)
NET_ENUM(2)
NET_ENUM(3)
NET_ENUM(4)
NET_ENUM(5)
