/*
 * fwpmtypes.h - WFP management-object types (Windows SDK fwpmtypes.h):
 * display data, sessions, transactions and access rights used by the
 * SA-context API, and the policy objects: providers, sublayers, layers,
 * callouts, filters, provider contexts, their enumeration templates and
 * the net events.
 */
#ifndef FWPMTYPES_H
#define FWPMTYPES_H

#include "fwpbase.h"
#include "fwptypes.h"
#include "iketypes.h"
#include "ipsectypes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FWPM_DISPLAY_DATA0_ {
	wchar_t	*name;
	wchar_t	*description;
} FWPM_DISPLAY_DATA0;

/* Objects added in a dynamic session are deleted when the session ends. */
#define FWPM_SESSION_FLAG_DYNAMIC	0x00000001u
#define FWPM_SESSION_FLAG_RESERVED	0x10000000u

/*
 * The last four fields are filled in by the engine when sessions are
 * enumerated; a client opening a session leaves them zero.
 */
typedef struct FWPM_SESSION0_ {
	GUID			sessionKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	UINT32			txnWaitTimeoutInMSec;
	DWORD			processId;
	SID			*sid;
	wchar_t			*username;
	BOOL			kernelMode;
} FWPM_SESSION0;

/* Template of FwpmSessionCreateEnumHandle0: nothing to select on yet. */
typedef struct FWPM_SESSION_ENUM_TEMPLATE0_ {
	UINT64			reserved;
} FWPM_SESSION_ENUM_TEMPLATE0;

/* FwpmTransactionBegin0 flags; 0 means read/write. */
#define FWPM_TXN_READ_ONLY		0x00000001u

/* Object-specific access rights checked by the engine. */
#define FWPM_ACTRL_ADD			0x00000001u
#define FWPM_ACTRL_ADD_LINK		0x00000002u
#define FWPM_ACTRL_BEGIN_READ_TXN	0x00000004u
#define FWPM_ACTRL_BEGIN_WRITE_TXN	0x00000008u
#define FWPM_ACTRL_CLASSIFY		0x00000010u
#define FWPM_ACTRL_ENUM			0x00000020u
#define FWPM_ACTRL_OPEN			0x00000040u
#define FWPM_ACTRL_READ			0x00000080u
#define FWPM_ACTRL_READ_STATS		0x00000100u
#define FWPM_ACTRL_SUBSCRIBE		0x00000200u
#define FWPM_ACTRL_WRITE		0x00000400u

#define FWPM_GENERIC_READ		\
	(STANDARD_RIGHTS_READ		| \
	 FWPM_ACTRL_BEGIN_READ_TXN	| \
	 FWPM_ACTRL_CLASSIFY		| \
	 FWPM_ACTRL_OPEN		| \
	 FWPM_ACTRL_READ		| \
	 FWPM_ACTRL_READ_STATS)

#define FWPM_GENERIC_EXECUTE		\
	(STANDARD_RIGHTS_EXECUTE	| \
	 FWPM_ACTRL_ENUM		| \
	 FWPM_ACTRL_SUBSCRIBE)

#define FWPM_GENERIC_WRITE		\
	(STANDARD_RIGHTS_WRITE		| \
	 DELETE				| \
	 FWPM_ACTRL_ADD			| \
	 FWPM_ACTRL_ADD_LINK		| \
	 FWPM_ACTRL_BEGIN_WRITE_TXN	| \
	 FWPM_ACTRL_WRITE)

#define FWPM_GENERIC_ALL		\
	(STANDARD_RIGHTS_REQUIRED	| \
	 FWPM_ACTRL_ADD			| \
	 FWPM_ACTRL_ADD_LINK		| \
	 FWPM_ACTRL_BEGIN_READ_TXN	| \
	 FWPM_ACTRL_BEGIN_WRITE_TXN	| \
	 FWPM_ACTRL_CLASSIFY		| \
	 FWPM_ACTRL_ENUM		| \
	 FWPM_ACTRL_OPEN		| \
	 FWPM_ACTRL_READ		| \
	 FWPM_ACTRL_READ_STATS		| \
	 FWPM_ACTRL_SUBSCRIBE		| \
	 FWPM_ACTRL_WRITE)

/* For the object-change subscriptions (not the SA-context one). */
#define FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD	0x00000001u
#define FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE	0x00000002u

/*
 * calloutKey is used when type carries FWP_ACTION_FLAG_CALLOUT, filterType
 * otherwise. bitmapIndex belongs to the Windows 10 SDK bitmap additions.
 * 20 bytes, 4-aligned.
 */
typedef struct FWPM_ACTION0_ {
	FWP_ACTION_TYPE	type;
	union {
		GUID	filterType;
		GUID	calloutKey;
		UINT8	bitmapIndex;
	};
} FWPM_ACTION0;

typedef struct FWPM_FILTER_CONDITION0_ {
	GUID			fieldKey;
	FWP_MATCH_TYPE		matchType;
	FWP_CONDITION_VALUE0	conditionValue;
} FWPM_FILTER_CONDITION0;

#define FWPM_FILTER_FLAG_NONE					0x00000000u
#ifndef FWPUCLNT_MINGW_COMPAT	/* absent from MinGW-w64: see fwpbase.h */
#define FWPM_FILTER_FLAG_PERSISTENT				0x00000001u
#define FWPM_FILTER_FLAG_BOOTTIME				0x00000002u
#define FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT			0x00000004u
#define FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT			0x00000008u
#define FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED		0x00000010u
#define FWPM_FILTER_FLAG_DISABLED				0x00000020u
#endif
#define FWPM_FILTER_FLAG_INDEXED				0x00000040u
#define FWPM_FILTER_FLAG_HAS_SECURITY_REALM_PROVIDER_CONTEXT	0x00000080u
#define FWPM_FILTER_FLAG_SYSTEMOS_ONLY				0x00000100u
#define FWPM_FILTER_FLAG_GAMEOS_ONLY				0x00000200u
#define FWPM_FILTER_FLAG_SILENT_MODE				0x00000400u
#define FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE		0x00000800u
#define FWPM_FILTER_FLAG_RESERVED0				0x00001000u
#define FWPM_FILTER_FLAG_RESERVED1				0x00002000u

/*
 * providerContextKey is used when flags has
 * FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT, rawContext otherwise. filterId and
 * effectiveWeight are outputs assigned by the engine.
 */
typedef struct FWPM_FILTER0_ {
	GUID			filterKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	GUID			*providerKey;
	FWP_BYTE_BLOB		providerData;
	GUID			layerKey;
	GUID			subLayerKey;
	FWP_VALUE0		weight;
	UINT32			numFilterConditions;
	FWPM_FILTER_CONDITION0	*filterCondition;
	FWPM_ACTION0		action;
	union {
		UINT64	rawContext;
		GUID	providerContextKey;
	};
	GUID			*reserved;
	UINT64			filterId;
	FWP_VALUE0		effectiveWeight;
} FWPM_FILTER0;

/*
 * ---------------------------------------------------------------------
 * Providers
 * ---------------------------------------------------------------------
 */

#define FWPM_PROVIDER_FLAG_PERSISTENT	0x00000001u
/* Output only: the provider's service is not running (persistent objects). */
#define FWPM_PROVIDER_FLAG_DISABLED	0x00000010u

/* A zero providerKey makes the engine generate one. */
typedef struct FWPM_PROVIDER0_ {
	GUID			providerKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	FWP_BYTE_BLOB		providerData;
	wchar_t			*serviceName;
} FWPM_PROVIDER0;

/*
 * ---------------------------------------------------------------------
 * Provider contexts
 * ---------------------------------------------------------------------
 */

typedef struct FWPM_CLASSIFY_OPTION0_ {
	FWP_CLASSIFY_OPTION_TYPE	type;
	FWP_VALUE0			value;
} FWPM_CLASSIFY_OPTION0;

typedef struct FWPM_CLASSIFY_OPTIONS0_ {
	UINT32			numOptions;
	FWPM_CLASSIFY_OPTION0	*options;
} FWPM_CLASSIFY_OPTIONS0;

#define FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT	0x00000001u
#define FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL	0x00000002u

/*
 * Selects the union arm of FWPM_PROVIDER_CONTEXT0/1. MAX is that of the
 * SDK generation that stops at IKEV2_QM_TRANSPORT (value 13, the newest
 * SDK's NETWORK_CONNECTION_POLICY context, is not declared here).
 */
typedef enum FWPM_PROVIDER_CONTEXT_TYPE_ {
	FWPM_IPSEC_KEYING_CONTEXT		= 0,
	FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT	= 1,
	FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT	= 2,
	FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT	= 3,
	FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT	= 4,
	FWPM_IPSEC_IKE_MM_CONTEXT		= 5,
	FWPM_IPSEC_AUTHIP_MM_CONTEXT		= 6,
	FWPM_CLASSIFY_OPTIONS_CONTEXT		= 7,
	FWPM_GENERAL_CONTEXT			= 8,
	FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT	= 9,
	FWPM_IPSEC_IKEV2_MM_CONTEXT		= 10,
	FWPM_IPSEC_DOSP_CONTEXT			= 11,
	FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT	= 12,
	FWPM_PROVIDER_CONTEXT_TYPE_MAX		= 13
} FWPM_PROVIDER_CONTEXT_TYPE;

/*
 * `type` picks the arm; every arm is a pointer at offset 72, so the arms
 * alias. providerContextId is an output: the id filters and SA contexts
 * (IPSEC_TRAFFIC*.tunnelPolicyId) refer to.
 */
typedef struct FWPM_PROVIDER_CONTEXT0_ {
	GUID				providerContextKey;
	FWPM_DISPLAY_DATA0		displayData;
	UINT32				flags;
	GUID				*providerKey;
	FWP_BYTE_BLOB			providerData;
	FWPM_PROVIDER_CONTEXT_TYPE	type;
	union {
		IPSEC_KEYING_POLICY0	*keyingPolicy;
		IPSEC_TRANSPORT_POLICY0	*ikeQmTransportPolicy;
		IPSEC_TUNNEL_POLICY0	*ikeQmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY0	*authipQmTransportPolicy;
		IPSEC_TUNNEL_POLICY0	*authipQmTunnelPolicy;
		IKEEXT_POLICY0		*ikeMmPolicy;
		IKEEXT_POLICY0		*authIpMmPolicy;
		FWP_BYTE_BLOB		*dataBuffer;
		FWPM_CLASSIFY_OPTIONS0	*classifyOptions;
	};
	UINT64				providerContextId;
} FWPM_PROVIDER_CONTEXT0;

/* Windows 7: version-1 policies and the IKEv2 / DoS-protection arms. */
typedef struct FWPM_PROVIDER_CONTEXT1_ {
	GUID				providerContextKey;
	FWPM_DISPLAY_DATA0		displayData;
	UINT32				flags;
	GUID				*providerKey;
	FWP_BYTE_BLOB			providerData;
	FWPM_PROVIDER_CONTEXT_TYPE	type;
	union {
		IPSEC_KEYING_POLICY0	*keyingPolicy;
		IPSEC_TRANSPORT_POLICY1	*ikeQmTransportPolicy;
		IPSEC_TUNNEL_POLICY1	*ikeQmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY1	*authipQmTransportPolicy;
		IPSEC_TUNNEL_POLICY1	*authipQmTunnelPolicy;
		IKEEXT_POLICY1		*ikeMmPolicy;
		IKEEXT_POLICY1		*authIpMmPolicy;
		FWP_BYTE_BLOB		*dataBuffer;
		FWPM_CLASSIFY_OPTIONS0	*classifyOptions;
		IPSEC_TUNNEL_POLICY1	*ikeV2QmTunnelPolicy;
		IKEEXT_POLICY1		*ikeV2MmPolicy;
		IPSEC_DOSP_OPTIONS0	*idpOptions;
	};
	UINT64				providerContextId;
} FWPM_PROVIDER_CONTEXT1;

/* Windows 8: version-2 policies and the IKEv2 transport arm (the arm order
 * is the SDK's: ikeV2QmTransportPolicy before ikeV2MmPolicy). */
typedef struct FWPM_PROVIDER_CONTEXT2_ {
	GUID				providerContextKey;
	FWPM_DISPLAY_DATA0		displayData;
	UINT32				flags;
	GUID				*providerKey;
	FWP_BYTE_BLOB			providerData;
	FWPM_PROVIDER_CONTEXT_TYPE	type;
	union {
		IPSEC_KEYING_POLICY1	*keyingPolicy;
		IPSEC_TRANSPORT_POLICY2	*ikeQmTransportPolicy;
		IPSEC_TUNNEL_POLICY2	*ikeQmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY2	*authipQmTransportPolicy;
		IPSEC_TUNNEL_POLICY2	*authipQmTunnelPolicy;
		IKEEXT_POLICY2		*ikeMmPolicy;
		IKEEXT_POLICY2		*authIpMmPolicy;
		FWP_BYTE_BLOB		*dataBuffer;
		FWPM_CLASSIFY_OPTIONS0	*classifyOptions;
		IPSEC_TUNNEL_POLICY2	*ikeV2QmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY2	*ikeV2QmTransportPolicy;
		IKEEXT_POLICY2		*ikeV2MmPolicy;
		IPSEC_DOSP_OPTIONS0	*idpOptions;
	};
	UINT64				providerContextId;
} FWPM_PROVIDER_CONTEXT2;

/* Windows 10 RS3: version-3 tunnel policies (traffic selectors). */
typedef struct FWPM_PROVIDER_CONTEXT3_ {
	GUID				providerContextKey;
	FWPM_DISPLAY_DATA0		displayData;
	UINT32				flags;
	GUID				*providerKey;
	FWP_BYTE_BLOB			providerData;
	FWPM_PROVIDER_CONTEXT_TYPE	type;
	union {
		IPSEC_KEYING_POLICY1	*keyingPolicy;
		IPSEC_TRANSPORT_POLICY2	*ikeQmTransportPolicy;
		IPSEC_TUNNEL_POLICY3	*ikeQmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY2	*authipQmTransportPolicy;
		IPSEC_TUNNEL_POLICY3	*authipQmTunnelPolicy;
		IKEEXT_POLICY2		*ikeMmPolicy;
		IKEEXT_POLICY2		*authIpMmPolicy;
		FWP_BYTE_BLOB		*dataBuffer;
		FWPM_CLASSIFY_OPTIONS0	*classifyOptions;
		IPSEC_TUNNEL_POLICY3	*ikeV2QmTunnelPolicy;
		IPSEC_TRANSPORT_POLICY2	*ikeV2QmTransportPolicy;
		IKEEXT_POLICY2		*ikeV2MmPolicy;
		IPSEC_DOSP_OPTIONS0	*idpOptions;
	};
	UINT64				providerContextId;
} FWPM_PROVIDER_CONTEXT3;

/*
 * ---------------------------------------------------------------------
 * Sublayers, layers, callouts
 * ---------------------------------------------------------------------
 */

#define FWPM_SUBLAYER_FLAG_PERSISTENT	0x00000001u

/* flags is UINT32 as in the SDK (mingw-w64 declares UINT16, same offsets). */
typedef struct FWPM_SUBLAYER0_ {
	GUID			subLayerKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	GUID			*providerKey;
	FWP_BYTE_BLOB		providerData;
	UINT16			weight;		/* higher is evaluated first */
} FWPM_SUBLAYER0;

#define FWPM_LAYER_FLAG_KERNEL			0x00000001u
#define FWPM_LAYER_FLAG_BUILTIN			0x00000002u
#define FWPM_LAYER_FLAG_CLASSIFY_MOSTLY		0x00000004u
#define FWPM_LAYER_FLAG_BUFFERED		0x00000008u

typedef enum FWPM_FIELD_TYPE_ {
	FWPM_FIELD_RAW_DATA	= 0,
	FWPM_FIELD_IP_ADDRESS	= 1,
	FWPM_FIELD_FLAGS	= 2,
	FWPM_FIELD_TYPE_MAX	= 3
} FWPM_FIELD_TYPE;

typedef struct FWPM_FIELD0_ {
	GUID		*fieldKey;
	FWPM_FIELD_TYPE	type;
	FWP_DATA_TYPE	dataType;
} FWPM_FIELD0;

/* Read-only, built-in. layerId is the runtime (FWPS_LAYER_*) id. */
typedef struct FWPM_LAYER0_ {
	GUID			layerKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	UINT32			numFields;
	FWPM_FIELD0		*field;
	GUID			defaultSubLayerKey;
	UINT16			layerId;
} FWPM_LAYER0;

#define FWPM_CALLOUT_FLAG_PERSISTENT		0x00010000u
#define FWPM_CALLOUT_FLAG_USES_PROVIDER_CONTEXT	0x00020000u
#define FWPM_CALLOUT_FLAG_REGISTERED		0x00040000u

typedef struct FWPM_CALLOUT0_ {
	GUID			calloutKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	GUID			*providerKey;
	FWP_BYTE_BLOB		providerData;
	GUID			applicableLayer;
	UINT32			calloutId;
} FWPM_CALLOUT0;

/*
 * ---------------------------------------------------------------------
 * Enumeration templates (a NULL template enumerates everything)
 * ---------------------------------------------------------------------
 */

typedef struct FWPM_PROVIDER_ENUM_TEMPLATE0_ {
	UINT64	reserved;
} FWPM_PROVIDER_ENUM_TEMPLATE0;

typedef struct FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0_ {
	GUID				*providerKey;
	FWPM_PROVIDER_CONTEXT_TYPE	providerContextType;
} FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

typedef struct FWPM_SUBLAYER_ENUM_TEMPLATE0_ {
	GUID	*providerKey;
} FWPM_SUBLAYER_ENUM_TEMPLATE0;

typedef struct FWPM_LAYER_ENUM_TEMPLATE0_ {
	UINT64	reserved;
} FWPM_LAYER_ENUM_TEMPLATE0;

/* providerKey NULL: any provider; layerKey zero: any layer. */
typedef struct FWPM_CALLOUT_ENUM_TEMPLATE0_ {
	GUID	*providerKey;
	GUID	layerKey;
} FWPM_CALLOUT_ENUM_TEMPLATE0;

/* flags are FWP_FILTER_ENUM_FLAG_* bits. */
typedef struct FWPM_FILTER_ENUM_TEMPLATE0_ {
	GUID					*providerKey;
	GUID					layerKey;
	FWP_FILTER_ENUM_TYPE			enumType;
	UINT32					flags;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0	*providerContextTemplate;
	UINT32					numFilterConditions;
	FWPM_FILTER_CONDITION0			*filterCondition;
	UINT32					actionMask;
	GUID					*calloutKey;
} FWPM_FILTER_ENUM_TEMPLATE0;

/*
 * ---------------------------------------------------------------------
 * Engine options
 * ---------------------------------------------------------------------
 */

typedef enum FWPM_ENGINE_OPTION_ {
	FWPM_ENGINE_COLLECT_NET_EVENTS			= 0,
	FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS	= 1,
	FWPM_ENGINE_NAME_CACHE				= 2,
	FWPM_ENGINE_MONITOR_IPSEC_CONNECTIONS		= 3,
	FWPM_ENGINE_PACKET_QUEUING			= 4,
	FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC	= 5,
	FWPM_ENGINE_OPTION_MAX				= 6
} FWPM_ENGINE_OPTION;

/* Values of the FWPM_ENGINE_PACKET_QUEUING option. */
#define FWPM_ENGINE_OPTION_PACKET_QUEUE_NONE	0x00000000u
#define FWPM_ENGINE_OPTION_PACKET_QUEUE_INBOUND	0x00000001u
#define FWPM_ENGINE_OPTION_PACKET_QUEUE_FORWARD	0x00000002u
#define FWPM_ENGINE_OPTION_PACKET_BATCH_INBOUND	0x00000004u

/* Values of the FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS option. */
#define FWPM_NET_EVENT_KEYWORD_INBOUND_MCAST		0x00000001u
#define FWPM_NET_EVENT_KEYWORD_INBOUND_BCAST		0x00000002u
#define FWPM_NET_EVENT_KEYWORD_CAPABILITY_DROP		0x00000004u
#define FWPM_NET_EVENT_KEYWORD_CAPABILITY_ALLOW		0x00000008u
#define FWPM_NET_EVENT_KEYWORD_CLASSIFY_ALLOW		0x00000010u
#define FWPM_NET_EVENT_KEYWORD_PORT_SCANNING_DROP	0x00000020u

typedef enum FWPM_APPC_NETWORK_CAPABILITY_TYPE_ {
	FWPM_APPC_NETWORK_CAPABILITY_INTERNET_CLIENT		= 0,
	FWPM_APPC_NETWORK_CAPABILITY_INTERNET_CLIENT_SERVER	= 1,
	FWPM_APPC_NETWORK_CAPABILITY_INTERNET_PRIVATE_NETWORK	= 2
} FWPM_APPC_NETWORK_CAPABILITY_TYPE;

#define FWPM_CONNECTION_ENUM_FLAG_QUERY_BYTES_TRANSFERRED	0x00000001u

/*
 * ---------------------------------------------------------------------
 * Net events
 * ---------------------------------------------------------------------
 */

/* Header flags: which of the optional header fields are valid. */
#ifndef FWPUCLNT_MINGW_COMPAT	/* absent from MinGW-w64: see fwpbase.h */
#define FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET	0x00000001u
#define FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET	0x00000002u
#define FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET	0x00000004u
#define FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET	0x00000008u
#define FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET	0x00000010u
#define FWPM_NET_EVENT_FLAG_APP_ID_SET		0x00000020u
#define FWPM_NET_EVENT_FLAG_USER_ID_SET		0x00000040u
#define FWPM_NET_EVENT_FLAG_SCOPE_ID_SET	0x00000080u
#define FWPM_NET_EVENT_FLAG_IP_VERSION_SET	0x00000100u
#define FWPM_NET_EVENT_FLAG_REAUTH_REASON_SET	0x00000200u
#endif
#define FWPM_NET_EVENT_FLAG_PACKAGE_ID_SET	0x00000400u
#define FWPM_NET_EVENT_FLAG_ENTERPRISE_ID_SET	0x00000800u
#define FWPM_NET_EVENT_FLAG_POLICY_FLAGS_SET	0x00001000u
#define FWPM_NET_EVENT_FLAG_EFFECTIVE_NAME_SET	0x00002000u

/* Main and extended mode use opposite bits for BENIGN and MULTIPLE. */
#define FWPM_NET_EVENT_IKEEXT_MM_FAILURE_FLAG_BENIGN	0x00000001u
#define FWPM_NET_EVENT_IKEEXT_MM_FAILURE_FLAG_MULTIPLE	0x00000002u
#define FWPM_NET_EVENT_IKEEXT_EM_FAILURE_FLAG_MULTIPLE	0x00000001u
#define FWPM_NET_EVENT_IKEEXT_EM_FAILURE_FLAG_BENIGN	0x00000002u

/* Length of the certificate hash in the IKEEXT failure events. */
#define IKEEXT_CERT_HASH_LEN	20

typedef enum FWPM_NET_EVENT_TYPE_ {
	FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE	= 0,
	FWPM_NET_EVENT_TYPE_IKEEXT_QM_FAILURE	= 1,
	FWPM_NET_EVENT_TYPE_IKEEXT_EM_FAILURE	= 2,
	FWPM_NET_EVENT_TYPE_CLASSIFY_DROP	= 3,
	FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP	= 4,
	FWPM_NET_EVENT_TYPE_IPSEC_DOSP_DROP	= 5,
	FWPM_NET_EVENT_TYPE_CLASSIFY_ALLOW	= 6,
	FWPM_NET_EVENT_TYPE_CAPABILITY_DROP	= 7,
	FWPM_NET_EVENT_TYPE_CAPABILITY_ALLOW	= 8,
	FWPM_NET_EVENT_TYPE_CLASSIFY_DROP_MAC	= 9,
	FWPM_NET_EVENT_TYPE_LPM_PACKET_ARRIVAL	= 10,
	FWPM_NET_EVENT_TYPE_MAX			= 11
} FWPM_NET_EVENT_TYPE;

/* The address unions are read according to ipVersion. */
typedef struct FWPM_NET_EVENT_HEADER0_ {
	FILETIME	timeStamp;
	UINT32		flags;		/* FWPM_NET_EVENT_FLAG_* */
	FWP_IP_VERSION	ipVersion;
	UINT8		ipProtocol;
	union {
		UINT32			localAddrV4;
		FWP_BYTE_ARRAY16	localAddrV6;
	};
	union {
		UINT32			remoteAddrV4;
		FWP_BYTE_ARRAY16	remoteAddrV6;
	};
	UINT16		localPort;
	UINT16		remotePort;
	UINT32		scopeId;
	FWP_BYTE_BLOB	appId;
	SID		*userId;
} FWPM_NET_EVENT_HEADER0;

/*
 * Windows 7 header: HEADER0 plus ten reserved slots. The SDK nests them as
 * union { struct { reserved1; union { struct { reserved2..reserved10 } } } }
 * with empty second arms; the members are anonymous either way, so they
 * are declared flat here, with reserved2 aligned to 8 as the inner struct
 * (which holds a UINT64) would place it. Same names, same offsets, and no
 * anonymous structs, which C++ only has as an extension.
 */
#ifdef __cplusplus
#define FWPM_NET_EVENT_ALIGN8_	alignas(8)
#else
#define FWPM_NET_EVENT_ALIGN8_	_Alignas(8)
#endif

typedef struct FWPM_NET_EVENT_HEADER1_ {
	FILETIME	timeStamp;
	UINT32		flags;		/* FWPM_NET_EVENT_FLAG_* */
	FWP_IP_VERSION	ipVersion;
	UINT8		ipProtocol;
	union {
		UINT32			localAddrV4;
		FWP_BYTE_ARRAY16	localAddrV6;
	};
	union {
		UINT32			remoteAddrV4;
		FWP_BYTE_ARRAY16	remoteAddrV6;
	};
	UINT16		localPort;
	UINT16		remotePort;
	UINT32		scopeId;
	FWP_BYTE_BLOB	appId;
	SID		*userId;
	FWP_AF		reserved1;
	FWPM_NET_EVENT_ALIGN8_ FWP_BYTE_ARRAY6 reserved2;
	FWP_BYTE_ARRAY6	reserved3;
	UINT32		reserved4;
	UINT32		reserved5;
	UINT16		reserved6;
	UINT32		reserved7;
	UINT32		reserved8;
	UINT16		reserved9;
	UINT64		reserved10;
} FWPM_NET_EVENT_HEADER1;

#undef FWPM_NET_EVENT_ALIGN8_

typedef struct FWPM_NET_EVENT_IKEEXT_MM_FAILURE0_ {
	UINT32				failureErrorCode;
	IPSEC_FAILURE_POINT		failurePoint;
	UINT32				flags;
	IKEEXT_KEY_MODULE_TYPE		keyingModuleType;
	IKEEXT_MM_SA_STATE		mmState;
	IKEEXT_SA_ROLE			saRole;
	IKEEXT_AUTHENTICATION_METHOD_TYPE mmAuthMethod;
	UINT8				endCertHash[IKEEXT_CERT_HASH_LEN];
	UINT64				mmId;
	UINT64				mmFilterId;
} FWPM_NET_EVENT_IKEEXT_MM_FAILURE0;

typedef struct FWPM_NET_EVENT_IKEEXT_MM_FAILURE1_ {
	UINT32				failureErrorCode;
	IPSEC_FAILURE_POINT		failurePoint;
	UINT32				flags;
	IKEEXT_KEY_MODULE_TYPE		keyingModuleType;
	IKEEXT_MM_SA_STATE		mmState;
	IKEEXT_SA_ROLE			saRole;
	IKEEXT_AUTHENTICATION_METHOD_TYPE mmAuthMethod;
	UINT8				endCertHash[IKEEXT_CERT_HASH_LEN];
	UINT64				mmId;
	UINT64				mmFilterId;
	wchar_t				*localPrincipalNameForAuth;
	wchar_t				*remotePrincipalNameForAuth;
	UINT32				numLocalPrincipalGroupSids;
	LPWSTR				*localPrincipalGroupSids;
	UINT32				numRemotePrincipalGroupSids;
	LPWSTR				*remotePrincipalGroupSids;
} FWPM_NET_EVENT_IKEEXT_MM_FAILURE1;

/* The subnet unions have a single (non-empty) arm, as on Windows. */
typedef struct FWPM_NET_EVENT_IKEEXT_QM_FAILURE0_ {
	UINT32			failureErrorCode;
	IPSEC_FAILURE_POINT	failurePoint;
	IKEEXT_KEY_MODULE_TYPE	keyingModuleType;
	IKEEXT_QM_SA_STATE	qmState;
	IKEEXT_SA_ROLE		saRole;
	IPSEC_TRAFFIC_TYPE	saTrafficType;
	union {
		FWP_CONDITION_VALUE0	localSubNet;
	};
	union {
		FWP_CONDITION_VALUE0	remoteSubNet;
	};
	UINT64			qmFilterId;
} FWPM_NET_EVENT_IKEEXT_QM_FAILURE0;

typedef struct FWPM_NET_EVENT_IKEEXT_EM_FAILURE0_ {
	UINT32				failureErrorCode;
	IPSEC_FAILURE_POINT		failurePoint;
	UINT32				flags;
	IKEEXT_EM_SA_STATE		emState;
	IKEEXT_SA_ROLE			saRole;
	IKEEXT_AUTHENTICATION_METHOD_TYPE emAuthMethod;
	UINT8				endCertHash[IKEEXT_CERT_HASH_LEN];
	UINT64				mmId;
	UINT64				qmFilterId;
} FWPM_NET_EVENT_IKEEXT_EM_FAILURE0;

typedef struct FWPM_NET_EVENT_IKEEXT_EM_FAILURE1_ {
	UINT32				failureErrorCode;
	IPSEC_FAILURE_POINT		failurePoint;
	UINT32				flags;
	IKEEXT_EM_SA_STATE		emState;
	IKEEXT_SA_ROLE			saRole;
	IKEEXT_AUTHENTICATION_METHOD_TYPE emAuthMethod;
	UINT8				endCertHash[IKEEXT_CERT_HASH_LEN];
	UINT64				mmId;
	UINT64				qmFilterId;
	wchar_t				*localPrincipalNameForAuth;
	wchar_t				*remotePrincipalNameForAuth;
	UINT32				numLocalPrincipalGroupSids;
	LPWSTR				*localPrincipalGroupSids;
	UINT32				numRemotePrincipalGroupSids;
	LPWSTR				*remotePrincipalGroupSids;
	IPSEC_TRAFFIC_TYPE		saTrafficType;
} FWPM_NET_EVENT_IKEEXT_EM_FAILURE1;

typedef struct FWPM_NET_EVENT_CLASSIFY_DROP0_ {
	UINT64	filterId;
	UINT16	layerId;
} FWPM_NET_EVENT_CLASSIFY_DROP0;

/* filterId is the runtime id of the dropping filter (FwpmFilterAdd0's id). */
typedef struct FWPM_NET_EVENT_CLASSIFY_DROP1_ {
	UINT64	filterId;
	UINT16	layerId;
	UINT32	reauthReason;
	UINT32	originalProfile;
	UINT32	currentProfile;
	UINT32	msFwpDirection;
	BOOL	isLoopback;
} FWPM_NET_EVENT_CLASSIFY_DROP1;

typedef struct FWPM_NET_EVENT_IPSEC_KERNEL_DROP0_ {
	INT32		failureStatus;
	FWP_DIRECTION	direction;
	IPSEC_SA_SPI	spi;
	UINT64		filterId;
	UINT16		layerId;
} FWPM_NET_EVENT_IPSEC_KERNEL_DROP0;

typedef struct FWPM_NET_EVENT_IPSEC_DOSP_DROP0_ {
	FWP_IP_VERSION	ipVersion;
	union {
		UINT32	publicHostV4Addr;
		UINT8	publicHostV6Addr[16];
	};
	union {
		UINT32	internalHostV4Addr;
		UINT8	internalHostV6Addr[16];
	};
	INT32		failureStatus;
	FWP_DIRECTION	direction;
} FWPM_NET_EVENT_IPSEC_DOSP_DROP0;

/* `type` picks the arm. */
typedef struct FWPM_NET_EVENT0_ {
	FWPM_NET_EVENT_HEADER0	header;
	FWPM_NET_EVENT_TYPE	type;
	union {
		FWPM_NET_EVENT_IKEEXT_MM_FAILURE0	*ikeMmFailure;
		FWPM_NET_EVENT_IKEEXT_QM_FAILURE0	*ikeQmFailure;
		FWPM_NET_EVENT_IKEEXT_EM_FAILURE0	*ikeEmFailure;
		FWPM_NET_EVENT_CLASSIFY_DROP0		*classifyDrop;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0	*ipsecDrop;
		FWPM_NET_EVENT_IPSEC_DOSP_DROP0		*idpDrop;
	};
} FWPM_NET_EVENT0;

/* What FWPM_NET_EVENT_CALLBACK0 receives (Windows 7). */
typedef struct FWPM_NET_EVENT1_ {
	FWPM_NET_EVENT_HEADER1	header;
	FWPM_NET_EVENT_TYPE	type;
	union {
		FWPM_NET_EVENT_IKEEXT_MM_FAILURE1	*ikeMmFailure;
		FWPM_NET_EVENT_IKEEXT_QM_FAILURE0	*ikeQmFailure;
		FWPM_NET_EVENT_IKEEXT_EM_FAILURE1	*ikeEmFailure;
		FWPM_NET_EVENT_CLASSIFY_DROP1		*classifyDrop;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0	*ipsecDrop;
		FWPM_NET_EVENT_IPSEC_DOSP_DROP0		*idpDrop;
	};
} FWPM_NET_EVENT1;

/* Time window plus AND-ed conditions; no conditions = all events. */
/*
 * Windows 8 and later versions (FwpmNetEventEnum2..5, the callbacks of
 * FwpmNetEventSubscribe1..4). Arms this engine never produces and whose
 * layout is not pinned here are declared incomplete: they are only ever
 * pointed to.
 */
typedef struct FWPM_NET_EVENT_HEADER2_ {
	FILETIME	timeStamp;
	UINT32		flags;
	FWP_IP_VERSION	ipVersion;
	UINT8		ipProtocol;
	union {
		UINT32			localAddrV4;
		FWP_BYTE_ARRAY16	localAddrV6;
	};
	union {
		UINT32			remoteAddrV4;
		FWP_BYTE_ARRAY16	remoteAddrV6;
	};
	UINT16		localPort;
	UINT16		remotePort;
	UINT32		scopeId;
	FWP_BYTE_BLOB	appId;
	SID		*userId;
	FWP_AF		addressFamily;
	SID		*packageSid;
} FWPM_NET_EVENT_HEADER2;

typedef struct FWPM_NET_EVENT_HEADER3_ {
	FILETIME	timeStamp;
	UINT32		flags;
	FWP_IP_VERSION	ipVersion;
	UINT8		ipProtocol;
	union {
		UINT32			localAddrV4;
		FWP_BYTE_ARRAY16	localAddrV6;
	};
	union {
		UINT32			remoteAddrV4;
		FWP_BYTE_ARRAY16	remoteAddrV6;
	};
	UINT16		localPort;
	UINT16		remotePort;
	UINT32		scopeId;
	FWP_BYTE_BLOB	appId;
	SID		*userId;
	FWP_AF		addressFamily;
	SID		*packageSid;
	wchar_t		*enterpriseId;
	UINT64		policyFlags;
	FWP_BYTE_BLOB	effectiveName;
} FWPM_NET_EVENT_HEADER3;

typedef struct FWPM_NET_EVENT_CLASSIFY_DROP2_ {
	UINT64		filterId;
	UINT16		layerId;
	UINT32		reauthReason;
	UINT32		originalProfile;
	UINT32		currentProfile;
	UINT32		msFwpDirection;
	BOOL		isLoopback;
	FWP_BYTE_BLOB	vSwitchId;
	UINT32		vSwitchSourcePort;
	UINT32		vSwitchDestinationPort;
} FWPM_NET_EVENT_CLASSIFY_DROP2;

typedef struct FWPM_NET_EVENT_CLASSIFY_ALLOW0_ {
	UINT64	filterId;
	UINT16	layerId;
	UINT32	reauthReason;
	UINT32	originalProfile;
	UINT32	currentProfile;
	UINT32	msFwpDirection;
	BOOL	isLoopback;
} FWPM_NET_EVENT_CLASSIFY_ALLOW0;

typedef struct FWPM_NET_EVENT_IKEEXT_MM_FAILURE2_ {
	UINT32				failureErrorCode;
	IPSEC_FAILURE_POINT		failurePoint;
	UINT32				flags;
	IKEEXT_KEY_MODULE_TYPE		keyingModuleType;
	IKEEXT_MM_SA_STATE		mmState;
	IKEEXT_SA_ROLE			saRole;
	IKEEXT_AUTHENTICATION_METHOD_TYPE mmAuthMethod;
	UINT8				endCertHash[IKEEXT_CERT_HASH_LEN];
	UINT64				mmId;
	UINT64				mmFilterId;
	wchar_t				*localPrincipalNameForAuth;
	wchar_t				*remotePrincipalNameForAuth;
	UINT32				numLocalPrincipalGroupSids;
	LPWSTR				*localPrincipalGroupSids;
	UINT32				numRemotePrincipalGroupSids;
	LPWSTR				*remotePrincipalGroupSids;
	GUID				*providerContextKey;
} FWPM_NET_EVENT_IKEEXT_MM_FAILURE2;

typedef struct FWPM_NET_EVENT_LPM_PACKET_ARRIVAL0_ {
	IPSEC_SA_SPI	spi;
} FWPM_NET_EVENT_LPM_PACKET_ARRIVAL0;

typedef struct FWPM_NET_EVENT_IKEEXT_QM_FAILURE1_ FWPM_NET_EVENT_IKEEXT_QM_FAILURE1;
typedef struct FWPM_NET_EVENT_CAPABILITY_DROP0_ FWPM_NET_EVENT_CAPABILITY_DROP0;
typedef struct FWPM_NET_EVENT_CAPABILITY_ALLOW0_ FWPM_NET_EVENT_CAPABILITY_ALLOW0;
typedef struct FWPM_NET_EVENT_CLASSIFY_DROP_MAC0_ FWPM_NET_EVENT_CLASSIFY_DROP_MAC0;

/* The arms of versions 2 and 3 (Windows 8, Windows 10). */
#define FWPM_NET_EVENT_ARMS_2_ \
		FWPM_NET_EVENT_IKEEXT_MM_FAILURE1	*ikeMmFailure; \
		FWPM_NET_EVENT_IKEEXT_QM_FAILURE0	*ikeQmFailure; \
		FWPM_NET_EVENT_IKEEXT_EM_FAILURE1	*ikeEmFailure; \
		FWPM_NET_EVENT_CLASSIFY_DROP2		*classifyDrop; \
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0	*ipsecDrop; \
		FWPM_NET_EVENT_IPSEC_DOSP_DROP0		*idpDrop; \
		FWPM_NET_EVENT_CLASSIFY_ALLOW0		*classifyAllow; \
		FWPM_NET_EVENT_CAPABILITY_DROP0		*capabilityDrop; \
		FWPM_NET_EVENT_CAPABILITY_ALLOW0	*capabilityAllow; \
		FWPM_NET_EVENT_CLASSIFY_DROP_MAC0	*classifyDropMac;
/* Versions 4 and 5 (Windows 10 RS4, RS5): newer failure arms. */
#define FWPM_NET_EVENT_ARMS_4_ \
		FWPM_NET_EVENT_IKEEXT_MM_FAILURE2	*ikeMmFailure; \
		FWPM_NET_EVENT_IKEEXT_QM_FAILURE1	*ikeQmFailure; \
		FWPM_NET_EVENT_IKEEXT_EM_FAILURE1	*ikeEmFailure; \
		FWPM_NET_EVENT_CLASSIFY_DROP2		*classifyDrop; \
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0	*ipsecDrop; \
		FWPM_NET_EVENT_IPSEC_DOSP_DROP0		*idpDrop; \
		FWPM_NET_EVENT_CLASSIFY_ALLOW0		*classifyAllow; \
		FWPM_NET_EVENT_CAPABILITY_DROP0		*capabilityDrop; \
		FWPM_NET_EVENT_CAPABILITY_ALLOW0	*capabilityAllow; \
		FWPM_NET_EVENT_CLASSIFY_DROP_MAC0	*classifyDropMac;

typedef struct FWPM_NET_EVENT2_ {
	FWPM_NET_EVENT_HEADER2	header;
	FWPM_NET_EVENT_TYPE	type;
	union { FWPM_NET_EVENT_ARMS_2_ };
} FWPM_NET_EVENT2;

typedef struct FWPM_NET_EVENT3_ {
	FWPM_NET_EVENT_HEADER3	header;
	FWPM_NET_EVENT_TYPE	type;
	union { FWPM_NET_EVENT_ARMS_2_ };
} FWPM_NET_EVENT3;

typedef struct FWPM_NET_EVENT4_ {
	FWPM_NET_EVENT_HEADER3	header;
	FWPM_NET_EVENT_TYPE	type;
	union { FWPM_NET_EVENT_ARMS_4_ };
} FWPM_NET_EVENT4;

typedef struct FWPM_NET_EVENT5_ {
	FWPM_NET_EVENT_HEADER3	header;
	FWPM_NET_EVENT_TYPE	type;
	union {
		FWPM_NET_EVENT_ARMS_4_
		FWPM_NET_EVENT_LPM_PACKET_ARRIVAL0	*lpmPacketArrival;
	};
} FWPM_NET_EVENT5;

#undef FWPM_NET_EVENT_ARMS_2_
#undef FWPM_NET_EVENT_ARMS_4_

typedef struct FWPM_NET_EVENT_ENUM_TEMPLATE0_ {
	FILETIME		startTime;
	FILETIME		endTime;
	UINT32			numFilterConditions;
	FWPM_FILTER_CONDITION0	*filterCondition;
} FWPM_NET_EVENT_ENUM_TEMPLATE0;

/* flags has no defined bits; pass 0. */
typedef struct FWPM_NET_EVENT_SUBSCRIPTION0_ {
	FWPM_NET_EVENT_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} FWPM_NET_EVENT_SUBSCRIPTION0;

/*
 * ---------------------------------------------------------------------
 * Object-change subscriptions (Fwpm*SubscribeChanges0): flags are
 * FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD / _ON_DELETE; sessionKey is filled
 * in by the engine (Fwpm*SubscriptionsGet0).
 * ---------------------------------------------------------------------
 */

typedef struct FWPM_PROVIDER_CHANGE0_ {
	FWPM_CHANGE_TYPE	changeType;
	GUID			providerKey;
} FWPM_PROVIDER_CHANGE0;

typedef struct FWPM_PROVIDER_SUBSCRIPTION0_ {
	FWPM_PROVIDER_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} FWPM_PROVIDER_SUBSCRIPTION0;

typedef struct FWPM_SUBLAYER_CHANGE0_ {
	FWPM_CHANGE_TYPE	changeType;
	GUID			subLayerKey;
} FWPM_SUBLAYER_CHANGE0;

typedef struct FWPM_SUBLAYER_SUBSCRIPTION0_ {
	FWPM_SUBLAYER_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} FWPM_SUBLAYER_SUBSCRIPTION0;

typedef struct FWPM_FILTER_CHANGE0_ {
	FWPM_CHANGE_TYPE	changeType;
	GUID			filterKey;
	UINT64			filterId;
} FWPM_FILTER_CHANGE0;

typedef struct FWPM_FILTER_SUBSCRIPTION0_ {
	FWPM_FILTER_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} FWPM_FILTER_SUBSCRIPTION0;

typedef struct FWPM_PROVIDER_CONTEXT_CHANGE0_ {
	FWPM_CHANGE_TYPE	changeType;
	GUID			providerContextKey;
	UINT64			providerContextId;
} FWPM_PROVIDER_CONTEXT_CHANGE0;

typedef struct FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0_ {
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0	*enumTemplate;
	UINT32					flags;
	GUID					sessionKey;
} FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0;

typedef struct FWPM_CALLOUT_CHANGE0_ {
	FWPM_CHANGE_TYPE	changeType;
	GUID			calloutKey;
	UINT32			calloutId;
} FWPM_CALLOUT_CHANGE0;

typedef struct FWPM_CALLOUT_SUBSCRIPTION0_ {
	FWPM_CALLOUT_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} FWPM_CALLOUT_SUBSCRIPTION0;

/* Layout pinning: Windows x64 numbers; fix the declaration, not the number.
 * The change and subscription structs were checked member by member
 * against mingw-w64's fwpmtypes.h (same members, types and order). */
#if defined(__x86_64__) && !defined(FWP_NO_LAYOUT_ASSERTS)
FWP_STATIC_ASSERT(sizeof(FWPM_DISPLAY_DATA0) == 16, "FWPM_DISPLAY_DATA0 size");
FWP_STATIC_ASSERT(offsetof(FWPM_DISPLAY_DATA0, name) == 0,
		  "FWPM_DISPLAY_DATA0.name");
FWP_STATIC_ASSERT(offsetof(FWPM_DISPLAY_DATA0, description) == 8,
		  "FWPM_DISPLAY_DATA0.description");

FWP_STATIC_ASSERT(sizeof(FWPM_SESSION0) == 72, "FWPM_SESSION0 size");
FWP_STATIC_ASSERT(sizeof(FWPM_SESSION_ENUM_TEMPLATE0) == 8,
		  "FWPM_SESSION_ENUM_TEMPLATE0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_SESSION0) == 8, "FWPM_SESSION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, sessionKey) == 0,
		  "FWPM_SESSION0.sessionKey");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, displayData) == 16,
		  "FWPM_SESSION0.displayData");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, flags) == 32, "FWPM_SESSION0.flags");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, txnWaitTimeoutInMSec) == 36,
		  "FWPM_SESSION0.txnWaitTimeoutInMSec");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, processId) == 40,
		  "FWPM_SESSION0.processId");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, sid) == 48, "FWPM_SESSION0.sid");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, username) == 56,
		  "FWPM_SESSION0.username");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, kernelMode) == 64,
		  "FWPM_SESSION0.kernelMode");

FWP_STATIC_ASSERT(sizeof(FWPM_ACTION0) == 20, "FWPM_ACTION0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_ACTION0) == 4, "FWPM_ACTION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, type) == 0, "FWPM_ACTION0.type");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, filterType) == 4,
		  "FWPM_ACTION0.filterType");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, calloutKey) == 4,
		  "FWPM_ACTION0.calloutKey");

FWP_STATIC_ASSERT(sizeof(FWPM_FILTER_CONDITION0) == 40,
		  "FWPM_FILTER_CONDITION0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_FILTER_CONDITION0) == 8,
		  "FWPM_FILTER_CONDITION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, fieldKey) == 0,
		  "FWPM_FILTER_CONDITION0.fieldKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, matchType) == 16,
		  "FWPM_FILTER_CONDITION0.matchType");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, conditionValue) == 24,
		  "FWPM_FILTER_CONDITION0.conditionValue");

FWP_STATIC_ASSERT(sizeof(FWPM_FILTER0) == 200, "FWPM_FILTER0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_FILTER0) == 8, "FWPM_FILTER0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterKey) == 0,
		  "FWPM_FILTER0.filterKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, displayData) == 16,
		  "FWPM_FILTER0.displayData");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, flags) == 32, "FWPM_FILTER0.flags");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerKey) == 40,
		  "FWPM_FILTER0.providerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerData) == 48,
		  "FWPM_FILTER0.providerData");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, layerKey) == 64,
		  "FWPM_FILTER0.layerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, subLayerKey) == 80,
		  "FWPM_FILTER0.subLayerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, weight) == 96, "FWPM_FILTER0.weight");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, numFilterConditions) == 112,
		  "FWPM_FILTER0.numFilterConditions");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterCondition) == 120,
		  "FWPM_FILTER0.filterCondition");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, action) == 128, "FWPM_FILTER0.action");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, rawContext) == 152,
		  "FWPM_FILTER0.rawContext");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerContextKey) == 152,
		  "FWPM_FILTER0.providerContextKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, reserved) == 168,
		  "FWPM_FILTER0.reserved");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterId) == 176,
		  "FWPM_FILTER0.filterId");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, effectiveWeight) == 184,
		  "FWPM_FILTER0.effectiveWeight");

#define FWPM_ASSERT_SIZE(t, n)		\
	FWP_STATIC_ASSERT(sizeof(t) == (n), #t " size")
#define FWPM_ASSERT_ALIGN(t, n)		\
	FWP_STATIC_ASSERT(FWP_ALIGNOF(t) == (n), #t " align")
#define FWPM_ASSERT_OFF(t, f, n)	\
	FWP_STATIC_ASSERT(offsetof(t, f) == (n), #t "." #f " offset")

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT_TYPE, 4);
FWPM_ASSERT_SIZE(FWPM_FIELD_TYPE, 4);
FWPM_ASSERT_SIZE(FWPM_ENGINE_OPTION, 4);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_TYPE, 4);
FWPM_ASSERT_SIZE(FWPM_APPC_NETWORK_CAPABILITY_TYPE, 4);

FWPM_ASSERT_SIZE(FWPM_PROVIDER0, 64);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER0, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER0, providerKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER0, displayData, 16);
FWPM_ASSERT_OFF(FWPM_PROVIDER0, flags, 32);
FWPM_ASSERT_OFF(FWPM_PROVIDER0, providerData, 40);
FWPM_ASSERT_OFF(FWPM_PROVIDER0, serviceName, 56);

FWPM_ASSERT_SIZE(FWPM_CLASSIFY_OPTION0, 24);
FWPM_ASSERT_OFF(FWPM_CLASSIFY_OPTION0, type, 0);
FWPM_ASSERT_OFF(FWPM_CLASSIFY_OPTION0, value, 8);
FWPM_ASSERT_SIZE(FWPM_CLASSIFY_OPTIONS0, 16);
FWPM_ASSERT_OFF(FWPM_CLASSIFY_OPTIONS0, numOptions, 0);
FWPM_ASSERT_OFF(FWPM_CLASSIFY_OPTIONS0, options, 8);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT0, 88);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT0, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, providerContextKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, displayData, 16);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, flags, 32);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, providerData, 48);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, type, 64);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, keyingPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, ikeQmTunnelPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, ikeMmPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, dataBuffer, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, classifyOptions, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT0, providerContextId, 80);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT1, 88);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT1, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, providerContextKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, displayData, 16);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, flags, 32);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, providerData, 48);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, type, 64);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, keyingPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, ikeQmTunnelPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, ikeMmPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, classifyOptions, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, ikeV2QmTunnelPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, ikeV2MmPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, idpOptions, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT1, providerContextId, 80);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT2, 88);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT2, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, providerContextKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, displayData, 16);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, flags, 32);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, providerData, 48);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, type, 64);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, keyingPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, ikeQmTunnelPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, ikeV2QmTransportPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, ikeV2MmPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, idpOptions, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT2, providerContextId, 80);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT3, 88);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT3, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, providerContextKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, displayData, 16);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, flags, 32);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, providerData, 48);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, type, 64);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, keyingPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, ikeQmTunnelPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, ikeV2QmTransportPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, ikeV2MmPolicy, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, idpOptions, 72);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT3, providerContextId, 80);

FWPM_ASSERT_SIZE(FWPM_SUBLAYER0, 72);
FWPM_ASSERT_ALIGN(FWPM_SUBLAYER0, 8);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, subLayerKey, 0);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, displayData, 16);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, flags, 32);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, providerData, 48);
FWPM_ASSERT_OFF(FWPM_SUBLAYER0, weight, 64);

FWPM_ASSERT_SIZE(FWPM_FIELD0, 16);
FWPM_ASSERT_ALIGN(FWPM_FIELD0, 8);
FWPM_ASSERT_OFF(FWPM_FIELD0, fieldKey, 0);
FWPM_ASSERT_OFF(FWPM_FIELD0, type, 8);
FWPM_ASSERT_OFF(FWPM_FIELD0, dataType, 12);
FWPM_ASSERT_SIZE(FWPM_LAYER0, 72);
FWPM_ASSERT_ALIGN(FWPM_LAYER0, 8);
FWPM_ASSERT_OFF(FWPM_LAYER0, layerKey, 0);
FWPM_ASSERT_OFF(FWPM_LAYER0, displayData, 16);
FWPM_ASSERT_OFF(FWPM_LAYER0, flags, 32);
FWPM_ASSERT_OFF(FWPM_LAYER0, numFields, 36);
FWPM_ASSERT_OFF(FWPM_LAYER0, field, 40);
FWPM_ASSERT_OFF(FWPM_LAYER0, defaultSubLayerKey, 48);
FWPM_ASSERT_OFF(FWPM_LAYER0, layerId, 64);
FWPM_ASSERT_SIZE(FWPM_CALLOUT0, 88);
FWPM_ASSERT_ALIGN(FWPM_CALLOUT0, 8);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, calloutKey, 0);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, displayData, 16);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, flags, 32);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, providerKey, 40);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, providerData, 48);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, applicableLayer, 64);
FWPM_ASSERT_OFF(FWPM_CALLOUT0, calloutId, 80);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_ENUM_TEMPLATE0, reserved, 0);
FWPM_ASSERT_SIZE(FWPM_SUBLAYER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_ALIGN(FWPM_SUBLAYER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_SUBLAYER_ENUM_TEMPLATE0, providerKey, 0);
FWPM_ASSERT_SIZE(FWPM_LAYER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_SIZE(FWPM_CALLOUT_ENUM_TEMPLATE0, 24);
FWPM_ASSERT_ALIGN(FWPM_CALLOUT_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_CALLOUT_ENUM_TEMPLATE0, providerKey, 0);
FWPM_ASSERT_OFF(FWPM_CALLOUT_ENUM_TEMPLATE0, layerKey, 8);
FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, 16);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, providerKey, 0);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, providerContextType, 8);
FWPM_ASSERT_SIZE(FWPM_FILTER_ENUM_TEMPLATE0, 72);
FWPM_ASSERT_ALIGN(FWPM_FILTER_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, providerKey, 0);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, layerKey, 8);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, enumType, 24);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, flags, 28);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, providerContextTemplate, 32);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, numFilterConditions, 40);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, filterCondition, 48);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, actionMask, 56);
FWPM_ASSERT_OFF(FWPM_FILTER_ENUM_TEMPLATE0, calloutKey, 64);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT_HEADER0, 88);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_HEADER0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, timeStamp, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, ipVersion, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, ipProtocol, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, localAddrV4, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, localAddrV6, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, remoteAddrV4, 36);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, remoteAddrV6, 36);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, localPort, 52);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, remotePort, 54);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, scopeId, 56);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, appId, 64);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER0, userId, 80);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_HEADER1, 144);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_HEADER1, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, timeStamp, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, ipVersion, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, ipProtocol, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, localAddrV4, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, localAddrV6, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, remoteAddrV4, 36);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, remoteAddrV6, 36);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, localPort, 52);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, remotePort, 54);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, scopeId, 56);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, appId, 64);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, userId, 80);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved1, 88);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved2, 96);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved3, 102);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved4, 108);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved5, 112);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved6, 116);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved7, 120);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved8, 124);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved9, 128);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER1, reserved10, 136);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, 64);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, failureErrorCode, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, failurePoint, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, keyingModuleType, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, mmState, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, saRole, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, mmAuthMethod, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, endCertHash, 28);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, mmId, 48);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE0, mmFilterId, 56);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, 112);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, failureErrorCode, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, failurePoint, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, keyingModuleType, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, mmState, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, saRole, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, mmAuthMethod, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, endCertHash, 28);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, mmId, 48);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, mmFilterId, 56);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1,
		localPrincipalNameForAuth, 64);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1,
		remotePrincipalNameForAuth, 72);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1,
		numLocalPrincipalGroupSids, 80);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1, localPrincipalGroupSids, 88);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1,
		numRemotePrincipalGroupSids, 96);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE1,
		remotePrincipalGroupSids, 104);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, 64);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, failureErrorCode, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, failurePoint, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, keyingModuleType, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, qmState, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, saRole, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, saTrafficType, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, localSubNet, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, remoteSubNet, 40);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_QM_FAILURE0, qmFilterId, 56);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, 64);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, failureErrorCode, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, failurePoint, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, emState, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, saRole, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, emAuthMethod, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, endCertHash, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, mmId, 48);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE0, qmFilterId, 56);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, 120);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, failureErrorCode, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, failurePoint, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, emState, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, saRole, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, emAuthMethod, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, endCertHash, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, mmId, 48);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, qmFilterId, 56);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1,
		localPrincipalNameForAuth, 64);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1,
		remotePrincipalNameForAuth, 72);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1,
		numLocalPrincipalGroupSids, 80);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, localPrincipalGroupSids, 88);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1,
		numRemotePrincipalGroupSids, 96);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1,
		remotePrincipalGroupSids, 104);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_EM_FAILURE1, saTrafficType, 112);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT_CLASSIFY_DROP0, 16);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_CLASSIFY_DROP0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP0, filterId, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP0, layerId, 8);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_CLASSIFY_DROP1, 32);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_CLASSIFY_DROP1, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, filterId, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, layerId, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, reauthReason, 12);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, originalProfile, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, currentProfile, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, msFwpDirection, 24);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP1, isLoopback, 28);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, 32);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, failureStatus, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, direction, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, spi, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, filterId, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_KERNEL_DROP0, layerId, 24);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, 44);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, ipVersion, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, publicHostV4Addr, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, publicHostV6Addr, 4);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, internalHostV4Addr, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, internalHostV6Addr, 20);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, failureStatus, 36);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IPSEC_DOSP_DROP0, direction, 40);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT0, 104);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT0, header, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT0, type, 88);
FWPM_ASSERT_OFF(FWPM_NET_EVENT0, ikeMmFailure, 96);
FWPM_ASSERT_OFF(FWPM_NET_EVENT0, classifyDrop, 96);
FWPM_ASSERT_OFF(FWPM_NET_EVENT0, idpDrop, 96);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_HEADER2, 104);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER2, appId, 64);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER2, addressFamily, 88);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER2, packageSid, 96);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_HEADER3, 136);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER3, enterpriseId, 104);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER3, policyFlags, 112);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_HEADER3, effectiveName, 120);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_CLASSIFY_DROP2, 56);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP2, isLoopback, 28);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP2, vSwitchId, 32);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP2, vSwitchSourcePort, 48);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_CLASSIFY_DROP2, vSwitchDestinationPort, 52);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_CLASSIFY_ALLOW0, 32);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_IKEEXT_MM_FAILURE2, 120);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_IKEEXT_MM_FAILURE2, providerContextKey, 112);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_LPM_PACKET_ARRIVAL0, 4);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT2, 120);
FWPM_ASSERT_OFF(FWPM_NET_EVENT2, type, 104);
FWPM_ASSERT_OFF(FWPM_NET_EVENT2, classifyDrop, 112);
FWPM_ASSERT_OFF(FWPM_NET_EVENT2, classifyDropMac, 112);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT3, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT3, type, 136);
FWPM_ASSERT_OFF(FWPM_NET_EVENT3, ipsecDrop, 144);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT4, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT4, ikeMmFailure, 144);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT5, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT5, lpmPacketArrival, 144);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT1, 160);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT1, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, header, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, type, 144);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, ikeMmFailure, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, ikeQmFailure, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, classifyDrop, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, ipsecDrop, 152);
FWPM_ASSERT_OFF(FWPM_NET_EVENT1, idpDrop, 152);

FWPM_ASSERT_SIZE(FWPM_NET_EVENT_ENUM_TEMPLATE0, 32);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_ENUM_TEMPLATE0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_ENUM_TEMPLATE0, startTime, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_ENUM_TEMPLATE0, endTime, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_ENUM_TEMPLATE0, numFilterConditions, 16);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_ENUM_TEMPLATE0, filterCondition, 24);
FWPM_ASSERT_SIZE(FWPM_NET_EVENT_SUBSCRIPTION0, 32);
FWPM_ASSERT_ALIGN(FWPM_NET_EVENT_SUBSCRIPTION0, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_SUBSCRIPTION0, enumTemplate, 0);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_SUBSCRIPTION0, flags, 8);
FWPM_ASSERT_OFF(FWPM_NET_EVENT_SUBSCRIPTION0, sessionKey, 12);

FWPM_ASSERT_SIZE(FWPM_PROVIDER_CHANGE0, 20);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CHANGE0, 4);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CHANGE0, providerKey, 4);
FWPM_ASSERT_SIZE(FWPM_SUBLAYER_CHANGE0, 20);
FWPM_ASSERT_ALIGN(FWPM_SUBLAYER_CHANGE0, 4);
FWPM_ASSERT_OFF(FWPM_SUBLAYER_CHANGE0, subLayerKey, 4);
FWPM_ASSERT_SIZE(FWPM_FILTER_CHANGE0, 32);
FWPM_ASSERT_ALIGN(FWPM_FILTER_CHANGE0, 8);
FWPM_ASSERT_OFF(FWPM_FILTER_CHANGE0, filterKey, 4);
FWPM_ASSERT_OFF(FWPM_FILTER_CHANGE0, filterId, 24);
FWPM_ASSERT_SIZE(FWPM_PROVIDER_CONTEXT_CHANGE0, 32);
FWPM_ASSERT_ALIGN(FWPM_PROVIDER_CONTEXT_CHANGE0, 8);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT_CHANGE0, providerContextKey, 4);
FWPM_ASSERT_OFF(FWPM_PROVIDER_CONTEXT_CHANGE0, providerContextId, 24);
FWPM_ASSERT_SIZE(FWPM_CALLOUT_CHANGE0, 24);
FWPM_ASSERT_ALIGN(FWPM_CALLOUT_CHANGE0, 4);
FWPM_ASSERT_OFF(FWPM_CALLOUT_CHANGE0, calloutKey, 4);
FWPM_ASSERT_OFF(FWPM_CALLOUT_CHANGE0, calloutId, 20);
#define FWPM_ASSERT_SUBSCRIPTION(T) \
	FWPM_ASSERT_SIZE(T, 32); FWPM_ASSERT_ALIGN(T, 8); \
	FWPM_ASSERT_OFF(T, enumTemplate, 0); FWPM_ASSERT_OFF(T, flags, 8); \
	FWPM_ASSERT_OFF(T, sessionKey, 12)
FWPM_ASSERT_SUBSCRIPTION(FWPM_PROVIDER_SUBSCRIPTION0);
FWPM_ASSERT_SUBSCRIPTION(FWPM_SUBLAYER_SUBSCRIPTION0);
FWPM_ASSERT_SUBSCRIPTION(FWPM_FILTER_SUBSCRIPTION0);
FWPM_ASSERT_SUBSCRIPTION(FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0);
FWPM_ASSERT_SUBSCRIPTION(FWPM_CALLOUT_SUBSCRIPTION0);
#undef FWPM_ASSERT_SUBSCRIPTION

#undef FWPM_ASSERT_SIZE
#undef FWPM_ASSERT_ALIGN
#undef FWPM_ASSERT_OFF
#endif

#ifdef __cplusplus
}
#endif

#endif /* FWPMTYPES_H */
