/*
 * fwpvi.h - version-independent names (Windows SDK fwpvi.h): each unversioned
 * function or type name maps to the version the Windows 10 SDK selects for
 * its default target (NTDDI_VERSION of the newest Windows 10 release, RS5
 * or later): provider contexts and the tunnel helper version 3, net-event
 * enumeration 5 and subscription 4, and the policy and event structs those
 * take; the SA-context family has nothing newer than its Windows 7
 * versions. A struct one of them points to maps to the version it points
 * to (IKEEXT_POLICY2's IKEEXT_AUTHENTICATION_METHOD2, FWPM_NET_EVENT5's
 * FWPM_NET_EVENT_CLASSIFY_DROP2, ...), so that code written with
 * unversioned names compiles. The older versions stay reachable by their
 * versioned names.
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
#define FwpmSessionCreateEnumHandle FwpmSessionCreateEnumHandle0
#define FwpmSessionEnum FwpmSessionEnum0
#define FwpmSessionDestroyEnumHandle FwpmSessionDestroyEnumHandle0

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

/* Providers, sublayers, filters */
#define FwpmProviderAdd				FwpmProviderAdd0
#define FwpmProviderDeleteByKey			FwpmProviderDeleteByKey0
#define FwpmProviderGetByKey			FwpmProviderGetByKey0
#define FwpmProviderCreateEnumHandle		FwpmProviderCreateEnumHandle0
#define FwpmProviderEnum			FwpmProviderEnum0
#define FwpmProviderDestroyEnumHandle		FwpmProviderDestroyEnumHandle0
#define FwpmSubLayerAdd				FwpmSubLayerAdd0
#define FwpmSubLayerDeleteByKey			FwpmSubLayerDeleteByKey0
#define FwpmSubLayerGetByKey			FwpmSubLayerGetByKey0
#define FwpmSubLayerCreateEnumHandle		FwpmSubLayerCreateEnumHandle0
#define FwpmSubLayerEnum			FwpmSubLayerEnum0
#define FwpmSubLayerDestroyEnumHandle		FwpmSubLayerDestroyEnumHandle0
#define FwpmFilterAdd				FwpmFilterAdd0
#define FwpmFilterDeleteById			FwpmFilterDeleteById0
#define FwpmFilterDeleteByKey			FwpmFilterDeleteByKey0
#define FwpmFilterGetById			FwpmFilterGetById0
#define FwpmFilterGetByKey			FwpmFilterGetByKey0
#define FwpmFilterCreateEnumHandle		FwpmFilterCreateEnumHandle0
#define FwpmFilterEnum				FwpmFilterEnum0
#define FwpmFilterDestroyEnumHandle		FwpmFilterDestroyEnumHandle0

/* Built-in layers and callouts */
#define FwpmLayerGetById			FwpmLayerGetById0
#define FwpmLayerGetByKey			FwpmLayerGetByKey0
#define FwpmLayerCreateEnumHandle		FwpmLayerCreateEnumHandle0
#define FwpmLayerEnum				FwpmLayerEnum0
#define FwpmLayerDestroyEnumHandle		FwpmLayerDestroyEnumHandle0
#define FwpmCalloutAdd				FwpmCalloutAdd0
#define FwpmCalloutDeleteById			FwpmCalloutDeleteById0
#define FwpmCalloutDeleteByKey			FwpmCalloutDeleteByKey0
#define FwpmCalloutGetById			FwpmCalloutGetById0
#define FwpmCalloutGetByKey			FwpmCalloutGetByKey0
#define FwpmCalloutCreateEnumHandle		FwpmCalloutCreateEnumHandle0
#define FwpmCalloutEnum				FwpmCalloutEnum0
#define FwpmCalloutDestroyEnumHandle		FwpmCalloutDestroyEnumHandle0

/* Provider contexts and the tunnel helper (Windows 10 RS3 versions) */
#define FwpmProviderContextAdd			FwpmProviderContextAdd3
#define FwpmProviderContextDeleteById		FwpmProviderContextDeleteById0
#define FwpmProviderContextDeleteByKey		FwpmProviderContextDeleteByKey0
#define FwpmProviderContextGetById		FwpmProviderContextGetById3
#define FwpmProviderContextGetByKey		FwpmProviderContextGetByKey3
#define FwpmProviderContextCreateEnumHandle	FwpmProviderContextCreateEnumHandle0
#define FwpmProviderContextEnum			FwpmProviderContextEnum3
#define FwpmProviderContextDestroyEnumHandle	FwpmProviderContextDestroyEnumHandle0
#define FwpmIPsecTunnelAdd			FwpmIPsecTunnelAdd3
#define FwpmIPsecTunnelDeleteByKey		FwpmIPsecTunnelDeleteByKey0

/* Net events (Windows 10 RS5 versions) */
#define FWPM_NET_EVENT_CALLBACK			FWPM_NET_EVENT_CALLBACK4
#define FwpmNetEventSubscribe			FwpmNetEventSubscribe4
#define FwpmNetEventUnsubscribe			FwpmNetEventUnsubscribe0
#define FwpmNetEventCreateEnumHandle		FwpmNetEventCreateEnumHandle0
#define FwpmNetEventEnum			FwpmNetEventEnum5
#define FwpmNetEventDestroyEnumHandle		FwpmNetEventDestroyEnumHandle0

/* Object-change subscriptions */
#define FWPM_PROVIDER_CHANGE			FWPM_PROVIDER_CHANGE0
#define FWPM_PROVIDER_SUBSCRIPTION		FWPM_PROVIDER_SUBSCRIPTION0
#define FWPM_PROVIDER_CHANGE_CALLBACK		FWPM_PROVIDER_CHANGE_CALLBACK0
#define FwpmProviderSubscribeChanges		FwpmProviderSubscribeChanges0
#define FwpmProviderUnsubscribeChanges		FwpmProviderUnsubscribeChanges0
#define FwpmProviderSubscriptionsGet		FwpmProviderSubscriptionsGet0
#define FWPM_SUBLAYER_CHANGE			FWPM_SUBLAYER_CHANGE0
#define FWPM_SUBLAYER_SUBSCRIPTION		FWPM_SUBLAYER_SUBSCRIPTION0
#define FWPM_SUBLAYER_CHANGE_CALLBACK		FWPM_SUBLAYER_CHANGE_CALLBACK0
#define FwpmSubLayerSubscribeChanges		FwpmSubLayerSubscribeChanges0
#define FwpmSubLayerUnsubscribeChanges		FwpmSubLayerUnsubscribeChanges0
#define FwpmSubLayerSubscriptionsGet		FwpmSubLayerSubscriptionsGet0
#define FWPM_FILTER_CHANGE			FWPM_FILTER_CHANGE0
#define FWPM_FILTER_SUBSCRIPTION		FWPM_FILTER_SUBSCRIPTION0
#define FWPM_FILTER_CHANGE_CALLBACK		FWPM_FILTER_CHANGE_CALLBACK0
#define FwpmFilterSubscribeChanges		FwpmFilterSubscribeChanges0
#define FwpmFilterUnsubscribeChanges		FwpmFilterUnsubscribeChanges0
#define FwpmFilterSubscriptionsGet		FwpmFilterSubscriptionsGet0
#define FWPM_PROVIDER_CONTEXT_CHANGE		FWPM_PROVIDER_CONTEXT_CHANGE0
#define FWPM_PROVIDER_CONTEXT_SUBSCRIPTION	FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0
#define FWPM_PROVIDER_CONTEXT_CHANGE_CALLBACK	FWPM_PROVIDER_CONTEXT_CHANGE_CALLBACK0
#define FwpmProviderContextSubscribeChanges	FwpmProviderContextSubscribeChanges0
#define FwpmProviderContextUnsubscribeChanges	FwpmProviderContextUnsubscribeChanges0
#define FwpmProviderContextSubscriptionsGet	FwpmProviderContextSubscriptionsGet0
#define FWPM_CALLOUT_CHANGE			FWPM_CALLOUT_CHANGE0
#define FWPM_CALLOUT_SUBSCRIPTION		FWPM_CALLOUT_SUBSCRIPTION0
#define FWPM_CALLOUT_CHANGE_CALLBACK		FWPM_CALLOUT_CHANGE_CALLBACK0
#define FwpmCalloutSubscribeChanges		FwpmCalloutSubscribeChanges0
#define FwpmCalloutUnsubscribeChanges		FwpmCalloutUnsubscribeChanges0
#define FwpmCalloutSubscriptionsGet		FwpmCalloutSubscriptionsGet0

/* FWP / FWPM types */
#define FWP_VALUE				FWP_VALUE0
#define FWP_RANGE				FWP_RANGE0
#define FWP_CONDITION_VALUE			FWP_CONDITION_VALUE0
#define FWPM_DISPLAY_DATA			FWPM_DISPLAY_DATA0
#define FWPM_SESSION				FWPM_SESSION0
#define FWPM_PROVIDER				FWPM_PROVIDER0
#define FWPM_PROVIDER_ENUM_TEMPLATE		FWPM_PROVIDER_ENUM_TEMPLATE0
#define FWPM_CLASSIFY_OPTION			FWPM_CLASSIFY_OPTION0
#define FWPM_CLASSIFY_OPTIONS			FWPM_CLASSIFY_OPTIONS0
#define FWPM_PROVIDER_CONTEXT			FWPM_PROVIDER_CONTEXT3
#define FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0
#define FWPM_SUBLAYER				FWPM_SUBLAYER0
#define FWPM_SUBLAYER_ENUM_TEMPLATE		FWPM_SUBLAYER_ENUM_TEMPLATE0
#define FWPM_FIELD				FWPM_FIELD0
#define FWPM_LAYER				FWPM_LAYER0
#define FWPM_LAYER_ENUM_TEMPLATE		FWPM_LAYER_ENUM_TEMPLATE0
#define FWPM_CALLOUT				FWPM_CALLOUT0
#define FWPM_CALLOUT_ENUM_TEMPLATE		FWPM_CALLOUT_ENUM_TEMPLATE0
#define FWPM_ACTION				FWPM_ACTION0
#define FWPM_FILTER_CONDITION			FWPM_FILTER_CONDITION0
#define FWPM_FILTER				FWPM_FILTER0
#define FWPM_FILTER_ENUM_TEMPLATE		FWPM_FILTER_ENUM_TEMPLATE0
#define FWPM_NET_EVENT_HEADER			FWPM_NET_EVENT_HEADER3
#define FWPM_NET_EVENT_IKEEXT_MM_FAILURE	FWPM_NET_EVENT_IKEEXT_MM_FAILURE2
#define FWPM_NET_EVENT_IKEEXT_EM_FAILURE	FWPM_NET_EVENT_IKEEXT_EM_FAILURE1
#define FWPM_NET_EVENT_IKEEXT_QM_FAILURE	FWPM_NET_EVENT_IKEEXT_QM_FAILURE1
#define FWPM_NET_EVENT_IPSEC_KERNEL_DROP	FWPM_NET_EVENT_IPSEC_KERNEL_DROP0
#define FWPM_NET_EVENT_CLASSIFY_DROP		FWPM_NET_EVENT_CLASSIFY_DROP2
#define FWPM_NET_EVENT_IPSEC_DOSP_DROP		FWPM_NET_EVENT_IPSEC_DOSP_DROP0
#define FWPM_NET_EVENT				FWPM_NET_EVENT5
#define FWPM_NET_EVENT_ENUM_TEMPLATE		FWPM_NET_EVENT_ENUM_TEMPLATE0
#define FWPM_NET_EVENT_SUBSCRIPTION		FWPM_NET_EVENT_SUBSCRIPTION0

/* IKE types */
#define IKEEXT_PRESHARED_KEY_AUTHENTICATION	IKEEXT_PRESHARED_KEY_AUTHENTICATION1
#define IKEEXT_KERBEROS_AUTHENTICATION		IKEEXT_KERBEROS_AUTHENTICATION1
#define IKEEXT_AUTHENTICATION_METHOD		IKEEXT_AUTHENTICATION_METHOD2
#define IKEEXT_CIPHER_ALGORITHM			IKEEXT_CIPHER_ALGORITHM0
#define IKEEXT_INTEGRITY_ALGORITHM		IKEEXT_INTEGRITY_ALGORITHM0
#define IKEEXT_PROPOSAL				IKEEXT_PROPOSAL0
#define IKEEXT_POLICY				IKEEXT_POLICY2
#define IKEEXT_EM_POLICY			IKEEXT_EM_POLICY2

/* IPsec types */
#define IPSEC_SA_LIFETIME			IPSEC_SA_LIFETIME0
#define IPSEC_AUTH_TRANSFORM_ID			IPSEC_AUTH_TRANSFORM_ID0
#define IPSEC_AUTH_TRANSFORM			IPSEC_AUTH_TRANSFORM0
#define IPSEC_CIPHER_TRANSFORM_ID		IPSEC_CIPHER_TRANSFORM_ID0
#define IPSEC_CIPHER_TRANSFORM			IPSEC_CIPHER_TRANSFORM0
#define IPSEC_AUTH_AND_CIPHER_TRANSFORM		IPSEC_AUTH_AND_CIPHER_TRANSFORM0
#define IPSEC_SA_TRANSFORM			IPSEC_SA_TRANSFORM0
#define IPSEC_PROPOSAL				IPSEC_PROPOSAL0
#define IPSEC_SA_IDLE_TIMEOUT			IPSEC_SA_IDLE_TIMEOUT0
#define IPSEC_TRANSPORT_POLICY			IPSEC_TRANSPORT_POLICY2
#define IPSEC_TUNNEL_ENDPOINTS			IPSEC_TUNNEL_ENDPOINTS2
#define IPSEC_TUNNEL_POLICY			IPSEC_TUNNEL_POLICY3
#define IPSEC_KEYING_POLICY			IPSEC_KEYING_POLICY1
#define IPSEC_DOSP_OPTIONS			IPSEC_DOSP_OPTIONS0
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
