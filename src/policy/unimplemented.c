/* unimplemented.c - the policy-object functions not implemented yet: the
 * IPsec tunnel helper (FwpmIPsecTunnelAdd0, FwpmIPsecTunnelAdd1,
 * FwpmIPsecTunnelDeleteByKey0) and the net-event subscription
 * (FwpmNetEventSubscribe0, FwpmNetEventUnsubscribe0).
 *
 * They are declared and exported so that Windows keying modules compile and
 * link; each returns ERROR_CALL_NOT_IMPLEMENTED (120), changes nothing, and
 * leaves its out-parameters zeroed. Providers, sublayers, filters and
 * provider contexts are implemented (api_provider.c, api_filter.c,
 * api_provider_context.c over src/engine/policy*.c).
 */
#include <string.h>

#include "client/api.h"

#define NOT_IMPLEMENTED ERROR_CALL_NOT_IMPLEMENTED

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
