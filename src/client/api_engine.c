/* api_engine.c - FwpmEngineOpen0/Close0, FwpmFreeMemory0, transactions. */
#include <stdlib.h>

#include "client/api.h"

FWP_EXPORT DWORD WINAPI FwpmEngineOpen0(const wchar_t *serverName,
	UINT32 authnService, SEC_WINNT_AUTH_IDENTITY_W *authIdentity,
	const FWPM_SESSION0 *session, HANDLE *engineHandle)
{
	if (!engineHandle)
		return FWP_E_NULL_POINTER;
	/* Only the local engine exists (Windows: serverName must be NULL). */
	if (serverName)
		return ERROR_INVALID_PARAMETER;
	if (authnService != RPC_C_AUTHN_WINNT && authnService != RPC_C_AUTHN_DEFAULT)
		return RPC_S_UNKNOWN_AUTHN_SERVICE;
	/* authIdentity: the caller's own credentials are always used. */
	return client_open(session, engineHandle);
}

FWP_EXPORT DWORD WINAPI FwpmEngineClose0(HANDLE engineHandle)
{
	return client_close(engineHandle);
}

FWP_EXPORT void WINAPI FwpmFreeMemory0(void **p)
{
	if (!p || !*p)
		return;
	/* Every result is one allocation: never follow pointers inside it,
	 * the caller may have replaced them (strongSwan does). */
	free(*p);
	*p = NULL;
}

FWP_EXPORT DWORD WINAPI FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags)
{
	struct fwp_client *c;
	DWORD rc = client_get(engineHandle, &c);

	if (rc)
		return rc;
	rc = client_txn_begin(c, flags);
	client_put(c);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmTransactionCommit0(HANDLE engineHandle)
{
	struct fwp_client *c;
	DWORD rc = client_get(engineHandle, &c);

	if (rc)
		return rc;
	rc = c->ops->txn_commit(c);
	client_put(c);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmTransactionAbort0(HANDLE engineHandle)
{
	struct fwp_client *c;
	DWORD rc = client_get(engineHandle, &c);

	if (rc)
		return rc;
	rc = c->ops->txn_abort(c);
	client_put(c);
	return rc;
}

/* Sessions. Enumeration handles are the engine's, as for SA contexts. */
static DWORD session_enum_create(struct fwp_client *c, HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->session_enum_create(c, &h);
	if (rc == ERROR_SUCCESS)
		*out = (HANDLE)(uintptr_t)h;
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmSessionCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_SESSION_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	/* The template has nothing to select on (reserved). */
	WITH_CLIENT(engineHandle, session_enum_create(c_, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmSessionEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_SESSION0 ***entries,
	UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, c_->ops->session_enum(c_, (uint64_t)(uintptr_t)enumHandle,
		numEntriesRequested, entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmSessionDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, c_->ops->session_enum_destroy(c_,
		(uint64_t)(uintptr_t)enumHandle));
}
