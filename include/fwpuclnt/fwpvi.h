/*
 * fwpvi.h - version-independent names (Windows SDK fwpvi.h): each unversioned
 * function or type name maps to the newest version declared in these
 * headers. Only the Windows 7-and-later mapping exists here.
 */
#ifndef FWPVI_H
#define FWPVI_H

/* Only macros below; the include keeps a lone #include a non-empty unit. */
#include "fwpbase.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Engine, memory, transactions */
#define FwpmEngineOpen				FwpmEngineOpen0
#define FwpmEngineClose				FwpmEngineClose0
#define FwpmFreeMemory				FwpmFreeMemory0
#define FwpmTransactionBegin			FwpmTransactionBegin0
#define FwpmTransactionCommit			FwpmTransactionCommit0
#define FwpmTransactionAbort			FwpmTransactionAbort0

/* SA contexts (no unversioned names exist for the Subscribe family) */
#define IPsecSaContextCreate			IPsecSaContextCreate1
#define IPsecSaContextGetSpi			IPsecSaContextGetSpi1
#define IPsecSaContextSetSpi			IPsecSaContextSetSpi0
#define IPsecSaContextAddInbound		IPsecSaContextAddInbound1
#define IPsecSaContextAddOutbound		IPsecSaContextAddOutbound1
#define IPsecSaContextUpdate			IPsecSaContextUpdate0
#define IPsecSaContextGetById			IPsecSaContextGetById1
#define IPsecSaContextDeleteById		IPsecSaContextDeleteById0
#define IPsecSaContextExpire			IPsecSaContextExpire0
#define IPsecSaContextCreateEnumHandle		IPsecSaContextCreateEnumHandle0
#define IPsecSaContextEnum			IPsecSaContextEnum1
#define IPsecSaContextDestroyEnumHandle		IPsecSaContextDestroyEnumHandle0

/* SA enumeration and statistics */
#define IPsecSaCreateEnumHandle			IPsecSaCreateEnumHandle0
#define IPsecSaEnum				IPsecSaEnum1
#define IPsecSaDestroyEnumHandle		IPsecSaDestroyEnumHandle0
#define IPsecGetStatistics			IPsecGetStatistics1

/* FWP / FWPM types */
#define FWP_VALUE				FWP_VALUE0
#define FWP_RANGE				FWP_RANGE0
#define FWP_CONDITION_VALUE			FWP_CONDITION_VALUE0
#define FWPM_DISPLAY_DATA			FWPM_DISPLAY_DATA0
#define FWPM_SESSION				FWPM_SESSION0
#define FWPM_FILTER				FWPM_FILTER0

/* IPsec types */
#define IPSEC_SA_LIFETIME			IPSEC_SA_LIFETIME0
#define IPSEC_AUTH_TRANSFORM_ID			IPSEC_AUTH_TRANSFORM_ID0
#define IPSEC_AUTH_TRANSFORM			IPSEC_AUTH_TRANSFORM0
#define IPSEC_CIPHER_TRANSFORM_ID		IPSEC_CIPHER_TRANSFORM_ID0
#define IPSEC_CIPHER_TRANSFORM			IPSEC_CIPHER_TRANSFORM0
#define IPSEC_AUTH_AND_CIPHER_TRANSFORM		IPSEC_AUTH_AND_CIPHER_TRANSFORM0
#define IPSEC_SA_TRANSFORM			IPSEC_SA_TRANSFORM0
#define IPSEC_SA_AUTH_INFORMATION		IPSEC_SA_AUTH_INFORMATION0
#define IPSEC_SA_CIPHER_INFORMATION		IPSEC_SA_CIPHER_INFORMATION0
#define IPSEC_SA_AUTH_AND_CIPHER_INFORMATION	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0
#define IPSEC_SA				IPSEC_SA0
#define IPSEC_KEYMODULE_STATE			IPSEC_KEYMODULE_STATE0
#define IPSEC_TOKEN				IPSEC_TOKEN0
#define IPSEC_ID				IPSEC_ID0
#define IPSEC_V4_UDP_ENCAPSULATION		IPSEC_V4_UDP_ENCAPSULATION0
#define IPSEC_VIRTUAL_IF_TUNNEL_INFO		IPSEC_VIRTUAL_IF_TUNNEL_INFO0
#define IPSEC_TRAFFIC				IPSEC_TRAFFIC1
#define IPSEC_SA_BUNDLE				IPSEC_SA_BUNDLE1
#define IPSEC_GETSPI				IPSEC_GETSPI1
#define IPSEC_SA_DETAILS			IPSEC_SA_DETAILS1
#define IPSEC_SA_CONTEXT			IPSEC_SA_CONTEXT1
#define IPSEC_SA_CONTEXT_ENUM_TEMPLATE		IPSEC_SA_CONTEXT_ENUM_TEMPLATE0
#define IPSEC_SA_ENUM_TEMPLATE			IPSEC_SA_ENUM_TEMPLATE0
#define IPSEC_TRAFFIC_STATISTICS		IPSEC_TRAFFIC_STATISTICS1
#define IPSEC_AGGREGATE_DROP_PACKET_STATISTICS	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1
#define IPSEC_STATISTICS			IPSEC_STATISTICS1

#ifdef __cplusplus
}
#endif

#endif /* FWPVI_H */
