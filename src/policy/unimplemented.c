/* unimplemented.c - the policy-object part of the API (providers,
 * sublayers, filters, provider contexts, IPsec tunnels, net events).
 *
 * These functions are declared and exported so that Windows keying modules
 * compile and link, but the policy engine is not built yet: every one of
 * them returns ERROR_CALL_NOT_IMPLEMENTED (120), changes nothing, and
 * leaves its out-parameters zeroed. Written from the prototypes in
 * fwpmu.h; replaced function by function as the policy engine lands.
 */
#include <string.h>

#include "client/api.h"

#define NOT_IMPLEMENTED ERROR_CALL_NOT_IMPLEMENTED

FWP_EXPORT DWORD WINAPI FwpmProviderAdd0(HANDLE engineHandle,
	const FWPM_PROVIDER0 *provider,
	PSECURITY_DESCRIPTOR sd)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderGetByKey0(HANDLE engineHandle,
	const GUID *key,
	FWPM_PROVIDER0 **provider)
{
	if (provider)
		*provider = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate,
	HANDLE *enumHandle)
{
	if (enumHandle)
		memset(enumHandle, 0, sizeof(*enumHandle));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderEnum0(HANDLE engineHandle,
	HANDLE enumHandle,
	UINT32 numEntriesRequested,
	FWPM_PROVIDER0 ***entries,
	UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		memset(numEntriesReturned, 0, sizeof(*numEntriesReturned));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerAdd0(HANDLE engineHandle,
	const FWPM_SUBLAYER0 *subLayer,
	PSECURITY_DESCRIPTOR sd)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerGetByKey0(HANDLE engineHandle,
	const GUID *key,
	FWPM_SUBLAYER0 **subLayer)
{
	if (subLayer)
		*subLayer = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate,
	HANDLE *enumHandle)
{
	if (enumHandle)
		memset(enumHandle, 0, sizeof(*enumHandle));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerEnum0(HANDLE engineHandle,
	HANDLE enumHandle,
	UINT32 numEntriesRequested,
	FWPM_SUBLAYER0 ***entries,
	UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		memset(numEntriesReturned, 0, sizeof(*numEntriesReturned));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterAdd0(HANDLE engineHandle,
	const FWPM_FILTER0 *filter,
	PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	if (id)
		memset(id, 0, sizeof(*id));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterDeleteById0(HANDLE engineHandle,
	UINT64 id)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterGetById0(HANDLE engineHandle,
	UINT64 id,
	FWPM_FILTER0 **filter)
{
	if (filter)
		*filter = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterGetByKey0(HANDLE engineHandle,
	const GUID *key,
	FWPM_FILTER0 **filter)
{
	if (filter)
		*filter = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
	HANDLE *enumHandle)
{
	if (enumHandle)
		memset(enumHandle, 0, sizeof(*enumHandle));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterEnum0(HANDLE engineHandle,
	HANDLE enumHandle,
	UINT32 numEntriesRequested,
	FWPM_FILTER0 ***entries,
	UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		memset(numEntriesReturned, 0, sizeof(*numEntriesReturned));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmFilterDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd0(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT0 *providerContext,
	PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	if (id)
		memset(id, 0, sizeof(*id));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd1(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT1 *providerContext,
	PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	if (id)
		memset(id, 0, sizeof(*id));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDeleteById0(HANDLE engineHandle,
	UINT64 id)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById0(HANDLE engineHandle,
	UINT64 id,
	FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	if (providerContext)
		*providerContext = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById1(HANDLE engineHandle,
	UINT64 id,
	FWPM_PROVIDER_CONTEXT1 **providerContext)
{
	if (providerContext)
		*providerContext = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey0(HANDLE engineHandle,
	const GUID *key,
	FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	if (providerContext)
		*providerContext = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey1(HANDLE engineHandle,
	const GUID *key,
	FWPM_PROVIDER_CONTEXT1 **providerContext)
{
	if (providerContext)
		*providerContext = NULL;
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
	HANDLE *enumHandle)
{
	if (enumHandle)
		memset(enumHandle, 0, sizeof(*enumHandle));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum0(HANDLE engineHandle,
	HANDLE enumHandle,
	UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT0 ***entries,
	UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		memset(numEntriesReturned, 0, sizeof(*numEntriesReturned));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum1(HANDLE engineHandle,
	HANDLE enumHandle,
	UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT1 ***entries,
	UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		memset(numEntriesReturned, 0, sizeof(*numEntriesReturned));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd0(HANDLE engineHandle,
	UINT32 flags,
	const FWPM_PROVIDER_CONTEXT0 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT0 *tunnelPolicy,
	UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions,
	PSECURITY_DESCRIPTOR sd)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd1(HANDLE engineHandle,
	UINT32 flags,
	const FWPM_PROVIDER_CONTEXT1 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT1 *tunnelPolicy,
	UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions,
	const GUID *keyModKey,
	PSECURITY_DESCRIPTOR sd)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventSubscribe0(HANDLE engineHandle,
	const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_NET_EVENT_CALLBACK0 callback,
	void *context,
	HANDLE *eventsHandle)
{
	if (eventsHandle)
		memset(eventsHandle, 0, sizeof(*eventsHandle));
	return NOT_IMPLEMENTED;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventUnsubscribe0(HANDLE engineHandle,
	HANDLE eventsHandle)
{
	return NOT_IMPLEMENTED;
}
