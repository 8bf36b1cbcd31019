/* api_unsupported.c - the fwpmu.h functions that have no meaning on Linux
 * (docs/CONTRACT.md, "Not supported"): Hyper-V virtual-switch events, the
 * system ports, the IKE service's connection objects, application ids
 * from executable paths, the IPsec DoS-protection state.
 *
 * They exist so that Windows programs link. Each checks its engine handle
 * as every call does (ERROR_INVALID_HANDLE), clears what it would have
 * returned, and answers ERROR_NOT_SUPPORTED; none does anything else.
 */
#include "client/api.h"

/* A call whose engine handle must be valid; its outputs are cleared first. */
#define UNSUPPORTED(h) WITH_CLIENT((h), ERROR_NOT_SUPPORTED)

static void clear_security(PSID *owner, PSID *group, PACL *dacl, PACL *sacl,
			   PSECURITY_DESCRIPTOR *sd)
{
	if (owner)
		*owner = NULL;
	if (group)
		*group = NULL;
	if (dacl)
		*dacl = NULL;
	if (sacl)
		*sacl = NULL;
	if (sd)
		*sd = NULL;
}

FWP_EXPORT DWORD WINAPI FwpmvSwitchEventSubscribe0(HANDLE engineHandle,
	const FWPM_VSWITCH_EVENT_SUBSCRIPTION0 *subscription,
	FWPM_VSWITCH_EVENT_CALLBACK0 callback, void *context, HANDLE *subscriptionHandle)
{
	if (subscriptionHandle)
		*subscriptionHandle = NULL;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmvSwitchEventUnsubscribe0(HANDLE engineHandle,
	HANDLE subscriptionHandle)
{
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmvSwitchEventsGetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, PSID *sidOwner, PSID *sidGroup, PACL *dacl,
	PACL *sacl, PSECURITY_DESCRIPTOR *securityDescriptor)
{
	clear_security(sidOwner, sidGroup, dacl, sacl, securityDescriptor);
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmvSwitchEventsSetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, const SID *sidOwner, const SID *sidGroup,
	const ACL *dacl, const ACL *sacl)
{
	UNSUPPORTED(engineHandle);
}

/* The system-ports calls take an optional engine handle on Windows. */
FWP_EXPORT DWORD WINAPI FwpmSystemPortsGet0(HANDLE engineHandle, FWPM_SYSTEM_PORTS0 **sysPorts)
{
	if (sysPorts)
		*sysPorts = NULL;
	if (!engineHandle)
		return ERROR_NOT_SUPPORTED;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmSystemPortsSubscribe0(HANDLE engineHandle, void *reserved,
	FWPM_SYSTEM_PORTS_CALLBACK0 callback, void *context, HANDLE *sysPortsHandle)
{
	if (sysPortsHandle)
		*sysPortsHandle = NULL;
	if (!engineHandle)
		return ERROR_NOT_SUPPORTED;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmSystemPortsUnsubscribe0(HANDLE engineHandle,
	HANDLE sysPortsHandle)
{
	if (!engineHandle)
		return ERROR_NOT_SUPPORTED;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionGetById0(HANDLE engineHandle, UINT64 id,
	FWPM_CONNECTION0 **connection)
{
	if (connection)
		*connection = NULL;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_CONNECTION_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	if (enumHandle)
		*enumHandle = NULL;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_CONNECTION0 ***entries, UINT32 *numEntriesReturned)
{
	if (entries)
		*entries = NULL;
	if (numEntriesReturned)
		*numEntriesReturned = 0;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionGetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, PSID *sidOwner, PSID *sidGroup, PACL *dacl,
	PACL *sacl, PSECURITY_DESCRIPTOR *securityDescriptor)
{
	clear_security(sidOwner, sidGroup, dacl, sacl, securityDescriptor);
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionSetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, const SID *sidOwner, const SID *sidGroup,
	const ACL *dacl, const ACL *sacl)
{
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionSubscribe0(HANDLE engineHandle,
	const FWPM_CONNECTION_SUBSCRIPTION0 *subscription, FWPM_CONNECTION_CALLBACK0 callback,
	void *context, HANDLE *eventsHandle)
{
	if (eventsHandle)
		*eventsHandle = NULL;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmConnectionUnsubscribe0(HANDLE engineHandle, HANDLE eventsHandle)
{
	UNSUPPORTED(engineHandle);
}

/* Packets carry no application here (see the ALE_APP_ID condition). */
FWP_EXPORT DWORD WINAPI FwpmGetAppIdFromFileName0(const wchar_t *fileName,
	FWP_BYTE_BLOB **appId)
{
	if (appId)
		*appId = NULL;
	return ERROR_NOT_SUPPORTED;
}

FWP_EXPORT DWORD WINAPI IPsecDospStateCreateEnumHandle0(HANDLE engineHandle,
	const IPSEC_DOSP_STATE_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	if (enumHandle)
		*enumHandle = NULL;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI IPsecDospStateEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, IPSEC_DOSP_STATE0 ***entries, UINT32 *numEntries)
{
	if (entries)
		*entries = NULL;
	if (numEntries)
		*numEntries = 0;
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI IPsecDospStateDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI IPsecDospGetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, PSID *sidOwner, PSID *sidGroup, PACL *dacl,
	PACL *sacl, PSECURITY_DESCRIPTOR *securityDescriptor)
{
	clear_security(sidOwner, sidGroup, dacl, sacl, securityDescriptor);
	UNSUPPORTED(engineHandle);
}

FWP_EXPORT DWORD WINAPI IPsecDospSetSecurityInfo0(HANDLE engineHandle,
	SECURITY_INFORMATION securityInfo, const SID *sidOwner, const SID *sidGroup,
	const ACL *dacl, const ACL *sacl)
{
	UNSUPPORTED(engineHandle);
}
