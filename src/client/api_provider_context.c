/* api_provider_context.c - FwpmProviderContext*. The engine keeps the
 * version-1 shape; version 0 is converted here (convert_policy_v0.c), and
 * the IKEv2 quick-mode transport type, which only versions 2 and 3 can
 * carry, is kept out of versions 0 and 1. The security descriptor
 * argument is the object's (NULL: the default). Pre-shared keys of
 * main-mode policies are write-only: reads return them empty. */
#include <stdlib.h>

#include "client/api_policy.h"

/* Versions 0 and 1 have no arm for an IKEv2 quick-mode transport policy
 * (versions 2 and 3 do): refused on add, its policy NULL on read. */
static bool v2_only(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT;
}

static DWORD add1(struct fwp_client *c, const FWPM_PROVIDER_CONTEXT1 *pc, const void *sd,
		  UINT64 *id)
{
	if (pc && v2_only(pc->type))
		return ERROR_NOT_SUPPORTED;
	return client_pol_add(c, POL_CONTEXT, pc, sd, id);
}

static void hide_v2_arm(FWPM_PROVIDER_CONTEXT1 *pc)
{
	if (pc && v2_only(pc->type))
		pc->ikeQmTransportPolicy = NULL;
}

static DWORD get1(struct fwp_client *c, const struct pol_ref *ref,
		  FWPM_PROVIDER_CONTEXT1 **out)
{
	DWORD rc = POL_OP(c, pol_get, POL_CONTEXT, ref, (void **)out);

	if (!rc)
		hide_v2_arm(*out);
	return rc;
}

static DWORD enum1(struct fwp_client *c, HANDLE eh, UINT32 want,
		   FWPM_PROVIDER_CONTEXT1 ***entries, UINT32 *n)
{
	DWORD rc = POL_OP(c, pol_enum, POL_CONTEXT, (uint64_t)(uintptr_t)eh, want,
			  (void ***)entries, n);

	for (UINT32 i = 0; !rc && *entries && i < *n; i++)
		hide_v2_arm((*entries)[i]);
	return rc;
}

static DWORD add0(struct fwp_client *c, const FWPM_PROVIDER_CONTEXT0 *pc, const void *sd,
		  UINT64 *id)
{
	FWPM_PROVIDER_CONTEXT1 pc1;
	struct pc0_scratch s;
	DWORD rc;

	if (!pc)
		return client_pol_add(c, POL_CONTEXT, NULL, sd, id);
	if (v2_only(pc->type))
		return ERROR_NOT_SUPPORTED;
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
	WITH_CLIENT(engineHandle, add1(c_, providerContext, sd, id));
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
	WITH_CLIENT(engineHandle, get1(c_, BY_ID(id), providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey0(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	WITH_CLIENT(engineHandle, get0(c_, BY_KEY(key), providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey1(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT1 **providerContext)
{
	WITH_CLIENT(engineHandle, get1(c_, BY_KEY(key), providerContext));
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
	WITH_CLIENT(engineHandle, enum1(c_, enumHandle, numEntriesRequested, entries,
		numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, pol_enum_handle(c_, POL_CONTEXT, enumHandle));
}

/* Versions 2 and 3 (convert_policy_v2.c): converted to version 1 for the
 * engine, and back for reads. */
static DWORD add23(struct fwp_client *c, const void *pc, int version,
		   PSECURITY_DESCRIPTOR sd, UINT64 *id)
{
	FWPM_PROVIDER_CONTEXT1 pc1;
	struct pc23_scratch s;
	DWORD rc;

	if (!pc)
		return client_pol_add(c, POL_CONTEXT, NULL, sd, id);
	rc = version == 2 ? pcontext2_to_1(pc, &pc1, &s) : pcontext3_to_1(pc, &pc1, &s);
	if (!rc)
		rc = client_pol_add(c, POL_CONTEXT, &pc1, sd, id);
	pc23_scratch_free(&s);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd2(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT2 *providerContext, PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	WITH_CLIENT(engineHandle, add23(c_, providerContext, 2, sd, id));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextAdd3(HANDLE engineHandle,
	const FWPM_PROVIDER_CONTEXT3 *providerContext, PSECURITY_DESCRIPTOR sd,
	UINT64 *id)
{
	WITH_CLIENT(engineHandle, add23(c_, providerContext, 3, sd, id));
}

static DWORD get23(struct fwp_client *c, const struct pol_ref *ref, int version,
		   void **out)
{
	FWPM_PROVIDER_CONTEXT1 *pc1 = NULL;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = POL_OP(c, pol_get, POL_CONTEXT, ref, (void **)&pc1);
	if (rc)
		return rc;
	*out = pcontext1_to_v(pc1, version);
	free(pc1);
	return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById2(HANDLE engineHandle, UINT64 id,
	FWPM_PROVIDER_CONTEXT2 **providerContext)
{
	WITH_CLIENT(engineHandle, get23(c_, BY_ID(id), 2, (void **)providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetById3(HANDLE engineHandle, UINT64 id,
	FWPM_PROVIDER_CONTEXT3 **providerContext)
{
	WITH_CLIENT(engineHandle, get23(c_, BY_ID(id), 3, (void **)providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey2(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT2 **providerContext)
{
	WITH_CLIENT(engineHandle, get23(c_, BY_KEY(key), 2, (void **)providerContext));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextGetByKey3(HANDLE engineHandle,
	const GUID *key, FWPM_PROVIDER_CONTEXT3 **providerContext)
{
	WITH_CLIENT(engineHandle, get23(c_, BY_KEY(key), 3, (void **)providerContext));
}

static DWORD enum23(struct fwp_client *c, HANDLE eh, UINT32 want, int version,
		    void ***entries, UINT32 *n)
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
		*entries = pcontexts1_to_v(v1, got, version);
		free(v1);
		if (!*entries)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	*n = got;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum2(HANDLE engineHandle,
	HANDLE enumHandle, UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT2 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, enum23(c_, enumHandle, numEntriesRequested, 2,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmProviderContextEnum3(HANDLE engineHandle,
	HANDLE enumHandle, UINT32 numEntriesRequested,
	FWPM_PROVIDER_CONTEXT3 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, enum23(c_, enumHandle, numEntriesRequested, 3,
		(void ***)entries, numEntriesReturned));
}
