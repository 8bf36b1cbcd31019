/* api_provider.c - FwpmProvider* and FwpmSubLayer*, and the enumeration
 * helpers every policy kind shares. Enumeration handles are the engine's
 * handle values, valid only with the engine handle that created them.
 * The security descriptor argument is the object's (NULL: the default
 * one; docs/CONTRACT.md, "Security descriptors"). */
#include "client/api_policy.h"

DWORD pol_enum_create_handle(struct fwp_client *c, enum pol_kind k,
			     const void *tmpl, HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = POL_OP(c, pol_enum_create, k, tmpl, &h);
	if (rc == ERROR_SUCCESS)
		*out = (HANDLE)(uintptr_t)h;
	return rc;
}

DWORD pol_enum_handle(struct fwp_client *c, enum pol_kind k, HANDLE eh)
{
	return POL_OP(c, pol_enum_destroy, k, (uint64_t)(uintptr_t)eh);
}

FWP_EXPORT DWORD WINAPI FwpmProviderAdd0(HANDLE engineHandle,
	const FWPM_PROVIDER0 *provider, PSECURITY_DESCRIPTOR sd)
{
	WITH_CLIENT(engineHandle, client_pol_add(c_, POL_PROVIDER, provider, sd, NULL));
}

FWP_EXPORT DWORD WINAPI FwpmProviderDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_PROVIDER, BY_KEY(key)));
}

FWP_EXPORT DWORD WINAPI FwpmProviderGetByKey0(HANDLE engineHandle, const GUID *key,
	FWPM_PROVIDER0 **provider)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_PROVIDER, BY_KEY(key),
		(void **)provider));
}

FWP_EXPORT DWORD WINAPI FwpmProviderCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_create_handle(c_, POL_PROVIDER,
		enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmProviderEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_PROVIDER0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_enum, POL_PROVIDER,
		(uint64_t)(uintptr_t)enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmProviderDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_handle(c_, POL_PROVIDER, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerAdd0(HANDLE engineHandle,
	const FWPM_SUBLAYER0 *subLayer, PSECURITY_DESCRIPTOR sd)
{
	WITH_CLIENT(engineHandle, client_pol_add(c_, POL_SUBLAYER, subLayer, sd, NULL));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_SUBLAYER, BY_KEY(key)));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerGetByKey0(HANDLE engineHandle, const GUID *key,
	FWPM_SUBLAYER0 **subLayer)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_SUBLAYER, BY_KEY(key),
		(void **)subLayer));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_create_handle(c_, POL_SUBLAYER,
		enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_SUBLAYER0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_enum, POL_SUBLAYER,
		(uint64_t)(uintptr_t)enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmSubLayerDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_handle(c_, POL_SUBLAYER, enumHandle));
}
