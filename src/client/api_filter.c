/* api_filter.c - FwpmFilter*. The security descriptor argument is
 * accepted and ignored (the default one, as for NULL). */
#include "client/api_policy.h"

FWP_EXPORT DWORD WINAPI FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter,
	PSECURITY_DESCRIPTOR sd, UINT64 *id)
{
	WITH_CLIENT(engineHandle, client_pol_add(c_, POL_FILTER, filter, sd, id));
}

FWP_EXPORT DWORD WINAPI FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_FILTER, BY_ID(id)));
}

FWP_EXPORT DWORD WINAPI FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_FILTER, BY_KEY(key)));
}

FWP_EXPORT DWORD WINAPI FwpmFilterGetById0(HANDLE engineHandle, UINT64 id,
	FWPM_FILTER0 **filter)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_FILTER, BY_ID(id),
		(void **)filter));
}

FWP_EXPORT DWORD WINAPI FwpmFilterGetByKey0(HANDLE engineHandle, const GUID *key,
	FWPM_FILTER0 **filter)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_FILTER, BY_KEY(key),
		(void **)filter));
}

FWP_EXPORT DWORD WINAPI FwpmFilterCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_create_handle(c_, POL_FILTER,
		enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmFilterEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_FILTER0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_enum, POL_FILTER,
		(uint64_t)(uintptr_t)enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmFilterDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_handle(c_, POL_FILTER, enumHandle));
}
