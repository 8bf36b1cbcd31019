/*
 * fwpmu.h - the WFP user-mode management API as far as IPsec SA contexts
 * need it: engine sessions, memory, transactions, the IPsecSaContext* and
 * IPsecSa* functions, statistics and the predefined transform ids.
 */
#ifndef FWPMU_H
#define FWPMU_H

#include "fwpbase.h"
#include "fwperror.h"
#include "fwptypes.h"
#include "fwpmtypes.h"
#include "iketypes.h"
#include "ipsectypes.h"
#include "fwpvi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from the shared library even when it hides everything else. */
#ifndef FWPUCLNT_API
#define FWPUCLNT_API	__attribute__((visibility("default")))
#endif

/*
 * Predefined transform ids. Objects, not macros: callers copy them into
 * structs and use them in automatic initialisers.
 */
#define FWP_TRANSFORM_ID_UNUSED	__attribute__((unused))

static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96 };
static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 };
static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 };
static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128 };
static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_GCM_AES_192 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192 };
static const IPSEC_AUTH_TRANSFORM_ID0
IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256 };

static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_CBC_DES FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_DES, IPSEC_CIPHER_CONFIG_CBC_DES };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_3DES, IPSEC_CIPHER_CONFIG_CBC_3DES };
/* The CBC AES ids carry no "CBC_" in their names. */
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_AES_128 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128 };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_AES_192 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_CBC_AES_192 };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_AES_256 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_CBC_AES_256 };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128 };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_192 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_GCM_AES_192 };
static const IPSEC_CIPHER_TRANSFORM_ID0
IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256 FWP_TRANSFORM_ID_UNUSED =
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256 };

#undef FWP_TRANSFORM_ID_UNUSED

/*
 * IPsecSaContextUpdate0 flags: which members of the SA details to apply.
 * The parameter is UINT64, so the constants are 64-bit too.
 */
#define IPSEC_SA_DETAILS_UPDATE_TRAFFIC			0x01ULL
#define IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION	0x02ULL
#define IPSEC_SA_BUNDLE_UPDATE_FLAGS			0x04ULL
#define IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT		0x08ULL
#define IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE		0x10ULL
#define IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS	0x20ULL
#define IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID			0x40ULL

/* Called with the context given to IPsecSaContextSubscribe0. */
typedef void (CALLBACK *IPSEC_SA_CONTEXT_CALLBACK0)(
	_Inout_ void *context,
	_In_ const IPSEC_SA_CONTEXT_CHANGE0 *change);

/*
 * Every function the library exports, in one list. The symbol test and the
 * library expand it; keep it in step with the prototypes below.
 */
#define FWPUCLNT_API_FUNCTIONS(X)		\
	X(FwpmEngineOpen0)			\
	X(FwpmEngineClose0)			\
	X(FwpmFreeMemory0)			\
	X(FwpmTransactionBegin0)		\
	X(FwpmTransactionCommit0)		\
	X(FwpmTransactionAbort0)		\
	X(IPsecSaContextCreate0)		\
	X(IPsecSaContextCreate1)		\
	X(IPsecSaContextGetSpi0)		\
	X(IPsecSaContextGetSpi1)		\
	X(IPsecSaContextSetSpi0)		\
	X(IPsecSaContextAddInbound0)		\
	X(IPsecSaContextAddInbound1)		\
	X(IPsecSaContextAddOutbound0)		\
	X(IPsecSaContextAddOutbound1)		\
	X(IPsecSaContextUpdate0)		\
	X(IPsecSaContextGetById0)		\
	X(IPsecSaContextGetById1)		\
	X(IPsecSaContextDeleteById0)		\
	X(IPsecSaContextExpire0)		\
	X(IPsecSaContextCreateEnumHandle0)	\
	X(IPsecSaContextEnum0)			\
	X(IPsecSaContextEnum1)			\
	X(IPsecSaContextDestroyEnumHandle0)	\
	X(IPsecSaContextSubscribe0)		\
	X(IPsecSaContextUnsubscribe0)		\
	X(IPsecSaContextSubscriptionsGet0)	\
	X(IPsecSaCreateEnumHandle0)		\
	X(IPsecSaEnum0)				\
	X(IPsecSaEnum1)				\
	X(IPsecSaDestroyEnumHandle0)		\
	X(IPsecGetStatistics0)			\
	X(IPsecGetStatistics1)

/*
 * Engine, memory, transactions.
 * Everything returned through T** / T*** is released with FwpmFreeMemory0
 * (for enumerations: the array only, never its entries).
 */
FWPUCLNT_API DWORD WINAPI FwpmEngineOpen0(
	_In_opt_ const wchar_t *serverName,
	_In_ UINT32 authnService,
	_In_opt_ SEC_WINNT_AUTH_IDENTITY_W *authIdentity,
	_In_opt_ const FWPM_SESSION0 *session,
	_Out_ HANDLE *engineHandle);

FWPUCLNT_API DWORD WINAPI FwpmEngineClose0(
	_Inout_ HANDLE engineHandle);

FWPUCLNT_API void WINAPI FwpmFreeMemory0(
	_Inout_ void **p);

FWPUCLNT_API DWORD WINAPI FwpmTransactionBegin0(
	_In_ HANDLE engineHandle,
	_In_ UINT32 flags);

FWPUCLNT_API DWORD WINAPI FwpmTransactionCommit0(
	_In_ HANDLE engineHandle);

FWPUCLNT_API DWORD WINAPI FwpmTransactionAbort0(
	_In_ HANDLE engineHandle);

/* SA contexts */
FWPUCLNT_API DWORD WINAPI IPsecSaContextCreate0(
	_In_ HANDLE engineHandle,
	_In_ const IPSEC_TRAFFIC0 *outboundTraffic,
	_Out_opt_ UINT64 *inboundFilterId,
	_Out_ UINT64 *id);

FWPUCLNT_API DWORD WINAPI IPsecSaContextCreate1(
	_In_ HANDLE engineHandle,
	_In_ const IPSEC_TRAFFIC1 *outboundTraffic,
	_In_opt_ const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *virtualIfTunnelInfo,
	_Out_opt_ UINT64 *inboundFilterId,
	_Out_ UINT64 *id);

FWPUCLNT_API DWORD WINAPI IPsecSaContextGetSpi0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_GETSPI0 *getSpi,
	_Out_ IPSEC_SA_SPI *inboundSpi);

FWPUCLNT_API DWORD WINAPI IPsecSaContextGetSpi1(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_GETSPI1 *getSpi,
	_Out_ IPSEC_SA_SPI *inboundSpi);

/* Version 0 of the function, version 1 of the struct: as on Windows. */
FWPUCLNT_API DWORD WINAPI IPsecSaContextSetSpi0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_GETSPI1 *getSpi,
	_In_ IPSEC_SA_SPI inboundSpi);

FWPUCLNT_API DWORD WINAPI IPsecSaContextAddInbound0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_SA_BUNDLE0 *inboundBundle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextAddInbound1(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_SA_BUNDLE1 *inboundBundle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextAddOutbound0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_SA_BUNDLE0 *outboundBundle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextAddOutbound1(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_In_ const IPSEC_SA_BUNDLE1 *outboundBundle);

/* flags is UINT64 (IPSEC_SA_DETAILS_UPDATE_*, IPSEC_SA_BUNDLE_UPDATE_*). */
FWPUCLNT_API DWORD WINAPI IPsecSaContextUpdate0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 flags,
	_In_ const IPSEC_SA_CONTEXT1 *newValues);

FWPUCLNT_API DWORD WINAPI IPsecSaContextGetById0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_Outptr_ IPSEC_SA_CONTEXT0 **saContext);

FWPUCLNT_API DWORD WINAPI IPsecSaContextGetById1(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id,
	_Outptr_ IPSEC_SA_CONTEXT1 **saContext);

FWPUCLNT_API DWORD WINAPI IPsecSaContextDeleteById0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id);

FWPUCLNT_API DWORD WINAPI IPsecSaContextExpire0(
	_In_ HANDLE engineHandle,
	_In_ UINT64 id);

FWPUCLNT_API DWORD WINAPI IPsecSaContextCreateEnumHandle0(
	_In_ HANDLE engineHandle,
	_In_opt_ const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
	_Out_ HANDLE *enumHandle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextEnum0(
	_In_ HANDLE engineHandle,
	_In_ HANDLE enumHandle,
	_In_ UINT32 numEntriesRequested,
	_Outptr_result_buffer_(*numEntriesReturned)
		IPSEC_SA_CONTEXT0 ***entries,
	_Out_ UINT32 *numEntriesReturned);

FWPUCLNT_API DWORD WINAPI IPsecSaContextEnum1(
	_In_ HANDLE engineHandle,
	_In_ HANDLE enumHandle,
	_In_ UINT32 numEntriesRequested,
	_Outptr_result_buffer_(*numEntriesReturned)
		IPSEC_SA_CONTEXT1 ***entries,
	_Out_ UINT32 *numEntriesReturned);

FWPUCLNT_API DWORD WINAPI IPsecSaContextDestroyEnumHandle0(
	_In_ HANDLE engineHandle,
	_Inout_ HANDLE enumHandle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextSubscribe0(
	_In_ HANDLE engineHandle,
	_In_ const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription,
	_In_ IPSEC_SA_CONTEXT_CALLBACK0 callback,
	_In_opt_ void *context,
	_Out_ HANDLE *eventsHandle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextUnsubscribe0(
	_In_ HANDLE engineHandle,
	_Inout_ HANDLE eventsHandle);

FWPUCLNT_API DWORD WINAPI IPsecSaContextSubscriptionsGet0(
	_In_ HANDLE engineHandle,
	_Outptr_result_buffer_(*numEntries)
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
	_Out_ UINT32 *numEntries);

/* SAs, statistics */
FWPUCLNT_API DWORD WINAPI IPsecSaCreateEnumHandle0(
	_In_ HANDLE engineHandle,
	_In_opt_ const IPSEC_SA_ENUM_TEMPLATE0 *enumTemplate,
	_Out_ HANDLE *enumHandle);

FWPUCLNT_API DWORD WINAPI IPsecSaEnum0(
	_In_ HANDLE engineHandle,
	_In_ HANDLE enumHandle,
	_In_ UINT32 numEntriesRequested,
	_Outptr_result_buffer_(*numEntriesReturned)
		IPSEC_SA_DETAILS0 ***entries,
	_Out_ UINT32 *numEntriesReturned);

FWPUCLNT_API DWORD WINAPI IPsecSaEnum1(
	_In_ HANDLE engineHandle,
	_In_ HANDLE enumHandle,
	_In_ UINT32 numEntriesRequested,
	_Outptr_result_buffer_(*numEntriesReturned)
		IPSEC_SA_DETAILS1 ***entries,
	_Out_ UINT32 *numEntriesReturned);

FWPUCLNT_API DWORD WINAPI IPsecSaDestroyEnumHandle0(
	_In_ HANDLE engineHandle,
	_Inout_ HANDLE enumHandle);

FWPUCLNT_API DWORD WINAPI IPsecGetStatistics0(
	_In_ HANDLE engineHandle,
	_Out_ IPSEC_STATISTICS0 *ipsecStatistics);

FWPUCLNT_API DWORD WINAPI IPsecGetStatistics1(
	_In_ HANDLE engineHandle,
	_Out_ IPSEC_STATISTICS1 *ipsecStatistics);

#ifdef __cplusplus
}
#endif

#endif /* FWPMU_H */
