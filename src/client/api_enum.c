/* api_enum.c - enumeration of SA contexts and of SAs. Enumeration handles
 * are the engine's own handle values, valid only with the engine handle
 * (session) that created them. */
#include <stdlib.h>

#include "client/api.h"

static DWORD enum_handle_out(DWORD rc, uint64_t v, HANDLE *out)
{
	if (rc == ERROR_SUCCESS)
		*out = (HANDLE)(uintptr_t)v;
	return rc;
}

static DWORD ctx_enum_create(struct fwp_client *c,
			     const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t, HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->sa_enum_create(c, t, &h);
	return enum_handle_out(rc, h, out);
}

FWP_EXPORT DWORD WINAPI IPsecSaContextCreateEnumHandle0(HANDLE engineHandle,
	const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, ctx_enum_create(c_, enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextEnum1(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, IPSEC_SA_CONTEXT1 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_enum(c_, (uint64_t)(uintptr_t)enumHandle,
		numEntriesRequested, entries, numEntriesReturned));
}

static DWORD ctx_enum0(struct fwp_client *c, HANDLE eh, UINT32 want,
		       IPSEC_SA_CONTEXT0 ***entries, UINT32 *n)
{
	IPSEC_SA_CONTEXT1 **v1 = NULL;
	UINT32 got = 0;
	DWORD rc;

	if (!entries || !n)
		return FWP_E_NULL_POINTER;
	rc = c->ops->sa_enum(c, (uint64_t)(uintptr_t)eh, want, &v1, &got);
	if (rc)
		return rc;
	*entries = NULL;
	if (got) {
		*entries = contexts1_to_0(v1, got);
		free(v1);
		if (!*entries)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	*n = got;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI IPsecSaContextEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, IPSEC_SA_CONTEXT0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, ctx_enum0(c_, enumHandle, numEntriesRequested,
		entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_enum_destroy(c_,
		(uint64_t)(uintptr_t)enumHandle));
}

static DWORD sad_enum_create(struct fwp_client *c, const IPSEC_SA_ENUM_TEMPLATE0 *t,
			     HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->sad_enum_create(c, t, &h);
	return enum_handle_out(rc, h, out);
}

FWP_EXPORT DWORD WINAPI IPsecSaCreateEnumHandle0(HANDLE engineHandle,
	const IPSEC_SA_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, sad_enum_create(c_, enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI IPsecSaEnum1(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, IPSEC_SA_DETAILS1 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, c_->ops->sad_enum(c_, (uint64_t)(uintptr_t)enumHandle,
		numEntriesRequested, entries, numEntriesReturned));
}

static DWORD sad_enum0(struct fwp_client *c, HANDLE eh, UINT32 want,
		       IPSEC_SA_DETAILS0 ***entries, UINT32 *n)
{
	IPSEC_SA_DETAILS1 **v1 = NULL;
	UINT32 got = 0;
	DWORD rc;

	if (!entries || !n)
		return FWP_E_NULL_POINTER;
	rc = c->ops->sad_enum(c, (uint64_t)(uintptr_t)eh, want, &v1, &got);
	if (rc)
		return rc;
	*entries = NULL;
	if (got) {
		*entries = details1_to_0(v1, got);
		free(v1);
		if (!*entries)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	*n = got;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI IPsecSaEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, IPSEC_SA_DETAILS0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, sad_enum0(c_, enumHandle, numEntriesRequested,
		entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI IPsecSaDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, c_->ops->sad_enum_destroy(c_,
		(uint64_t)(uintptr_t)enumHandle));
}
