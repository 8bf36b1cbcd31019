/* api_provider_context.c - FwpmProviderContext*. The engine keeps the
 * version-1 shape; version 0 is converted here (convert_policy_v0.c). The
 * security descriptor argument is the object's (NULL: the default). Pre-shared keys of
 * main-mode policies are write-only: reads return them empty. */
#include <stdlib.h>

#include "client/api_policy.h"

static DWORD add0(struct fwp_client *c, const FWPM_PROVIDER_CONTEXT0 *pc, const void *sd,
		  UINT64 *id)
{
	FWPM_PROVIDER_CONTEXT1 pc1;
	struct pc0_scratch s;
	DWORD rc;

	if (!pc)
		return client_pol_add(c, POL_CONTEXT, NULL, sd, id);
	rc = pcontext0_to_1(pc, &pc1, &s);
	if (!rc)
		rc = client_pol_add(c, POL_CONTEXT, &pc1, sd, id);
	pc0_scratch_free(&s);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd0(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT0 *providerContext, PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	WITH_CLIENT(engineHandle, add0(c_, providerContext, sd, id));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd1(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT1 *providerContext, PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	WITH_CLIENT(engineHandle, client_pol_add(c_, POL_CONTEXT, providerContext, sd, id));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDeleteById0(HANDLE engineHandle, UINT64 id)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_CONTEXT, BY_ID(id)));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDeleteByKey0(HANDLE engineHandle,
	const GUID *key)
{
	WITH_CLIENT(engineHandle, client_pol_delete(c_, POL_CONTEXT, BY_KEY(key)));
}

static DWORD get0(struct fwp_client *c, const struct pol_ref *ref,
		  FWPM_PROVIDER_CONTEXT0 **out)
{
	FWPM_PROVIDER_CONTEXT1 *pc1 = NULL;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = POL_OP(c, pol_get, POL_CONTEXT, ref, (void **)&pc1);
	if (rc)
		return rc;
	*out = pcontext1_to_0(pc1);
	free(pc1);
	return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById0(HANDLE engineHandle, UINT64 id,
	FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	WITH_CLIENT(engineHandle, get0(c_, BY_ID(id), providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById1(HANDLE engineHandle, UINT64 id,
	FWPM_PROVIDER_CONTEXT1 **providerContext)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_CONTEXT, BY_ID(id),
		(void **)providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey0(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	WITH_CLIENT(engineHandle, get0(c_, BY_KEY(key), providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey1(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT1 **providerContext)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_get, POL_CONTEXT, BY_KEY(key),
		(void **)providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_create_handle(c_, POL_CONTEXT,
		enumTemplate, enumHandle));
}

static DWORD enum0(struct fwp_client *c, HANDLE eh, UINT32 want,
		   FWPM_PROVIDER_CONTEXT0 ***entries, UINT32 *n)
{
	FWPM_PROVIDER_CONTEXT1 **v1 = NULL;
	UINT32 got = 0;
	DWORD rc;

	if (!entries || !n)
		return FWP_E_NULL_POINTER;
	rc = POL_OP(c, pol_enum, POL_CONTEXT, (uint64_t)(uintptr_t)eh, want,
		    (void ***)&v1, &got);
	if (rc)
		return rc;
	*entries = NULL;
	if (got) {
		*entries = pcontexts1_to_0(v1, got);
		free(v1);
		if (!*entries)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	*n = got;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum0(HANDLE engineHandle,
	HANDLE enumHandle, UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT0 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, enum0(c_, enumHandle, numEntriesRequested, entries,
		numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum1(HANDLE engineHandle,
	HANDLE enumHandle, UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT1 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, POL_OP(c_, pol_enum, POL_CONTEXT,
		(uint64_t)(uintptr_t)enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_handle(c_, POL_CONTEXT, enumHandle));
}
