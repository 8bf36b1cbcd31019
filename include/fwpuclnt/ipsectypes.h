/*
 * ipsectypes.h - IPsec SA types of the WFP SA-context API: transforms and
 * keys, SAs and SA bundles, traffic descriptions, SPI requests, SA details
 * and contexts, enumeration templates, change notifications and statistics;
 * and the quick-mode policy types provider contexts carry (proposals,
 * transport and tunnel policies, tunnel endpoints, keying policies).
 */
#ifndef IPSECTYPES_H
#define IPSECTYPES_H

#include "fwpbase.h"
#include "fwptypes.h"
#include "iketypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defined in fwpmtypes.h; SA details only carry a pointer to it. */
struct FWPM_FILTER0_;

typedef UINT32	IPSEC_SA_SPI;
typedef UINT64	IPSEC_TOKEN_HANDLE;
typedef GUID	IPSEC_CRYPTO_MODULE_ID;

/*
 * ---------------------------------------------------------------------
 * Enumerations. Beware the start values: transform and cipher types
 * start at 1, auth types at 0.
 * ---------------------------------------------------------------------
 */

typedef enum IPSEC_TRAFFIC_TYPE_ {
	IPSEC_TRAFFIC_TYPE_TRANSPORT	= 0,
	IPSEC_TRAFFIC_TYPE_TUNNEL	= 1,
	IPSEC_TRAFFIC_TYPE_MAX		= 2
} IPSEC_TRAFFIC_TYPE;

typedef enum IPSEC_TRANSFORM_TYPE_ {
	IPSEC_TRANSFORM_AH			= 1,
	IPSEC_TRANSFORM_ESP_AUTH		= 2,
	IPSEC_TRANSFORM_ESP_CIPHER		= 3,
	IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER	= 4,
	IPSEC_TRANSFORM_ESP_AUTH_FW		= 5,
	IPSEC_TRANSFORM_TYPE_MAX		= 6
} IPSEC_TRANSFORM_TYPE;

typedef enum IPSEC_AUTH_TYPE_ {
	IPSEC_AUTH_MD5		= 0,
	IPSEC_AUTH_SHA_1	= 1,
	IPSEC_AUTH_SHA_256	= 2,
	IPSEC_AUTH_AES_128	= 3,
	IPSEC_AUTH_AES_192	= 4,
	IPSEC_AUTH_AES_256	= 5,
	IPSEC_AUTH_MAX		= 6
} IPSEC_AUTH_TYPE;

typedef enum IPSEC_CIPHER_TYPE_ {
	IPSEC_CIPHER_TYPE_DES		= 1,
	IPSEC_CIPHER_TYPE_3DES		= 2,
	IPSEC_CIPHER_TYPE_AES_128	= 3,
	IPSEC_CIPHER_TYPE_AES_192	= 4,
	IPSEC_CIPHER_TYPE_AES_256	= 5,
	IPSEC_CIPHER_TYPE_MAX		= 6
} IPSEC_CIPHER_TYPE;

/* Quick-mode PFS; group 14 is another name for the 2048-bit group. */
typedef enum IPSEC_PFS_GROUP_ {
	IPSEC_PFS_NONE		= 0,
	IPSEC_PFS_1		= 1,
	IPSEC_PFS_2		= 2,
	IPSEC_PFS_2048		= 3,
	IPSEC_PFS_14		= IPSEC_PFS_2048,
	IPSEC_PFS_ECP_256	= 4,
	IPSEC_PFS_ECP_384	= 5,
	IPSEC_PFS_MM		= 6,
	IPSEC_PFS_24		= 7,
	IPSEC_PFS_MAX		= 8
} IPSEC_PFS_GROUP;

typedef enum IPSEC_TOKEN_TYPE_ {
	IPSEC_TOKEN_TYPE_MACHINE	= 0,
	IPSEC_TOKEN_TYPE_IMPERSONATION	= 1,
	IPSEC_TOKEN_TYPE_MAX		= 2
} IPSEC_TOKEN_TYPE;

typedef enum IPSEC_TOKEN_PRINCIPAL_ {
	IPSEC_TOKEN_PRINCIPAL_LOCAL	= 0,
	IPSEC_TOKEN_PRINCIPAL_PEER	= 1,
	IPSEC_TOKEN_PRINCIPAL_MAX	= 2
} IPSEC_TOKEN_PRINCIPAL;

typedef enum IPSEC_TOKEN_MODE_ {
	IPSEC_TOKEN_MODE_MAIN		= 0,
	IPSEC_TOKEN_MODE_EXTENDED	= 1,
	IPSEC_TOKEN_MODE_MAX		= 2
} IPSEC_TOKEN_MODE;

/* Which side a negotiation failure is blamed on (net events). */
typedef enum IPSEC_FAILURE_POINT_ {
	IPSEC_FAILURE_NONE	= 0,
	IPSEC_FAILURE_ME	= 1,
	IPSEC_FAILURE_PEER	= 2,
	IPSEC_FAILURE_POINT_MAX	= 3
} IPSEC_FAILURE_POINT;

typedef enum IPSEC_SA_CONTEXT_EVENT_TYPE0_ {
	IPSEC_SA_CONTEXT_EVENT_ADD	= 1,
	IPSEC_SA_CONTEXT_EVENT_DELETE	= 2,
	IPSEC_SA_CONTEXT_EVENT_MAX	= 3
} IPSEC_SA_CONTEXT_EVENT_TYPE0;

/*
 * ---------------------------------------------------------------------
 * Transform configurations: one byte each, so plain #defines over a UINT8
 * rather than enums (an enum would be 4 bytes). Auth configs start at 0,
 * cipher configs at 1.
 * ---------------------------------------------------------------------
 */

typedef UINT8 IPSEC_AUTH_CONFIG;

#define IPSEC_AUTH_CONFIG_HMAC_MD5_96		0
#define IPSEC_AUTH_CONFIG_HMAC_SHA_1_96		1
#define IPSEC_AUTH_CONFIG_HMAC_SHA_256_128	2
#define IPSEC_AUTH_CONFIG_GCM_AES_128		3
#define IPSEC_AUTH_CONFIG_GCM_AES_192		4
#define IPSEC_AUTH_CONFIG_GCM_AES_256		5
#define IPSEC_AUTH_CONFIG_MAX			6

typedef UINT8 IPSEC_CIPHER_CONFIG;

#define IPSEC_CIPHER_CONFIG_CBC_DES		1
#define IPSEC_CIPHER_CONFIG_CBC_3DES		2
#define IPSEC_CIPHER_CONFIG_CBC_AES_128		3
#define IPSEC_CIPHER_CONFIG_CBC_AES_192		4
#define IPSEC_CIPHER_CONFIG_CBC_AES_256		5
#define IPSEC_CIPHER_CONFIG_GCM_AES_128		6
#define IPSEC_CIPHER_CONFIG_GCM_AES_192		7
#define IPSEC_CIPHER_CONFIG_GCM_AES_256		8
#define IPSEC_CIPHER_CONFIG_MAX			9

/* IPSEC_SA_BUNDLE0/1.flags. 0x00000100 is unused. */
#ifndef FWPUCLNT_MINGW_COMPAT	/* absent from MinGW-w64: see fwpbase.h */
#define IPSEC_SA_BUNDLE_FLAG_ND_SECURE				0x00000001u
#define IPSEC_SA_BUNDLE_FLAG_ND_BOUNDARY			0x00000002u
#define IPSEC_SA_BUNDLE_FLAG_ND_PEER_NAT_BOUNDARY		0x00000004u
#define IPSEC_SA_BUNDLE_FLAG_GUARANTEE_ENCRYPTION		0x00000008u
#define IPSEC_SA_BUNDLE_FLAG_NLB				0x00000010u
#define IPSEC_SA_BUNDLE_FLAG_NO_MACHINE_LUID_VERIFY		0x00000020u
#define IPSEC_SA_BUNDLE_FLAG_NO_IMPERSONATION_LUID_VERIFY	0x00000040u
#define IPSEC_SA_BUNDLE_FLAG_NO_EXPLICIT_CRED_MATCH		0x00000080u
#define IPSEC_SA_BUNDLE_FLAG_ALLOW_NULL_TARGET_NAME_MATCH	0x00000200u
#define IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL			0x00000400u
#define IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND	0x00000800u
#define IPSEC_SA_BUNDLE_FLAG_ND_PEER_BOUNDARY			0x00001000u
#define IPSEC_SA_BUNDLE_FLAG_SUPPRESS_DUPLICATE_DELETION	0x00002000u
#define IPSEC_SA_BUNDLE_FLAG_PEER_SUPPORTS_GUARANTEE_ENCRYPTION	0x00004000u
#define IPSEC_SA_BUNDLE_FLAG_FORCE_INBOUND_CONNECTIONS		0x00008000u
#define IPSEC_SA_BUNDLE_FLAG_FORCE_OUTBOUND_CONNECTIONS		0x00010000u
#define IPSEC_SA_BUNDLE_FLAG_FORWARD_PATH_INITIATOR		0x00020000u
#endif
#define IPSEC_SA_BUNDLE_FLAG_ENABLE_OPTIONAL_ASYMMETRIC_IDLE	0x00040000u
#define IPSEC_SA_BUNDLE_FLAG_USING_DICTATED_KEYS		0x00080000u
#define IPSEC_SA_BUNDLE_FLAG_LOCALLY_DICTATED_KEYS		0x00100000u
#define IPSEC_SA_BUNDLE_FLAG_SA_OFFLOADED			0x00200000u
#define IPSEC_SA_BUNDLE_FLAG_IP_IN_IP_PKT			0x00400000u
#define IPSEC_SA_BUNDLE_FLAG_LOW_POWER_MODE_SUPPORT		0x00800000u
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH1			0x10000000u
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH2			0x20000000u
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH3			0x40000000u
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH4			0x80000000u

/* Key-manager (dictated keys); the policy bits that permit it follow. */
#define IPSEC_KEY_MANAGER_FLAG_DICTATE_KEY			0x00000001u

/* flags of the transport and tunnel policies. There is no bit 0x1. */
#define IPSEC_POLICY_FLAG_ND_SECURE				0x00000002u
#define IPSEC_POLICY_FLAG_ND_BOUNDARY				0x00000004u
#define IPSEC_POLICY_FLAG_CLEAR_DF_ON_TUNNEL			0x00000008u
#define IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT	0x00000010u
#define IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_GENERAL_NAT_TRAVERSAL	0x00000020u
#define IPSEC_POLICY_FLAG_DONT_NEGOTIATE_SECOND_LIFETIME	0x00000040u
#define IPSEC_POLICY_FLAG_DONT_NEGOTIATE_BYTE_LIFETIME		0x00000080u
#define IPSEC_POLICY_FLAG_ENABLE_V6_IN_V4_TUNNELING		0x00000100u
#define IPSEC_POLICY_FLAG_ENABLE_SERVER_ADDR_ASSIGNMENT		0x00000200u
#define IPSEC_POLICY_FLAG_TUNNEL_ALLOW_OUTBOUND_CLEAR_CONNECTION 0x00000400u
#define IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ALREADY_SECURE_CONNECTION 0x00000800u
#define IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ICMPV6			0x00001000u
#define IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY		0x00002000u
#define IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_NOTIFY_KEY		0x00004000u
#define IPSEC_POLICY_FLAG_RESERVED1				0x00008000u
#define IPSEC_POLICY_FLAG_SITE_TO_SITE_TUNNEL			0x00010000u
#define IPSEC_POLICY_FLAG_BANDWIDTH1				0x10000000u
#define IPSEC_POLICY_FLAG_BANDWIDTH2				0x20000000u
#define IPSEC_POLICY_FLAG_BANDWIDTH3				0x40000000u
#define IPSEC_POLICY_FLAG_BANDWIDTH4				0x80000000u

/* IPSEC_KEYING_POLICY1.flags */
#define IPSEC_KEYING_POLICY_FLAG_TERMINATING_MATCH		0x00000001u

/*
 * ---------------------------------------------------------------------
 * Transforms and keys
 * ---------------------------------------------------------------------
 */

/* A zero kilobyte/packet lifetime is what existing clients pass. */
typedef struct IPSEC_SA_LIFETIME0_ {
	UINT32	lifetimeSeconds;
	UINT32	lifetimeKilobytes;
	UINT32	lifetimePackets;
} IPSEC_SA_LIFETIME0;

typedef struct IPSEC_AUTH_TRANSFORM_ID0_ {
	IPSEC_AUTH_TYPE		authType;
	IPSEC_AUTH_CONFIG	authConfig;
} IPSEC_AUTH_TRANSFORM_ID0;

typedef struct IPSEC_AUTH_TRANSFORM0_ {
	IPSEC_AUTH_TRANSFORM_ID0	authTransformId;
	IPSEC_CRYPTO_MODULE_ID		*cryptoModuleId;
} IPSEC_AUTH_TRANSFORM0;

typedef struct IPSEC_CIPHER_TRANSFORM_ID0_ {
	IPSEC_CIPHER_TYPE	cipherType;
	IPSEC_CIPHER_CONFIG	cipherConfig;
} IPSEC_CIPHER_TRANSFORM_ID0;

typedef struct IPSEC_CIPHER_TRANSFORM0_ {
	IPSEC_CIPHER_TRANSFORM_ID0	cipherTransformId;
	IPSEC_CRYPTO_MODULE_ID		*cryptoModuleId;
} IPSEC_CIPHER_TRANSFORM0;

/* Policy-side pair: auth first (the SA-side information pair is reversed). */
typedef struct IPSEC_AUTH_AND_CIPHER_TRANSFORM0_ {
	IPSEC_AUTH_TRANSFORM0	authTransform;
	IPSEC_CIPHER_TRANSFORM0	cipherTransform;
} IPSEC_AUTH_AND_CIPHER_TRANSFORM0;

/* Policy-side transform; the union arm follows ipsecTransformType. */
typedef struct IPSEC_SA_TRANSFORM0_ {
	IPSEC_TRANSFORM_TYPE	ipsecTransformType;
	union {
		IPSEC_AUTH_TRANSFORM0			*ahTransform;
		IPSEC_AUTH_TRANSFORM0			*espAuthTransform;
		IPSEC_CIPHER_TRANSFORM0			*espCipherTransform;
		IPSEC_AUTH_AND_CIPHER_TRANSFORM0	*espAuthAndCipherTransform;
		IPSEC_AUTH_TRANSFORM0			*espAuthFwTransform;
	};
} IPSEC_SA_TRANSFORM0;

/* Old SDK misspelling, kept so code written against it still compiles. */
#define espAuthTranform espAuthTransform

/*
 * ---------------------------------------------------------------------
 * Quick-mode policy: what FWPM_PROVIDER_CONTEXT0/1 point to for the
 * IKE/AuthIP/IKEv2 QM transport and tunnel contexts and the keying
 * context. IPv4 endpoint addresses are host byte order, IPv6 raw bytes.
 * ---------------------------------------------------------------------
 */

typedef struct IPSEC_SA_IDLE_TIMEOUT0_ {
	UINT32	idleTimeoutSeconds;
	UINT32	idleTimeoutSecondsFailOver;
} IPSEC_SA_IDLE_TIMEOUT0;

/* One offer: 1 transform, or 2 for AH+ESP. */
typedef struct IPSEC_PROPOSAL0_ {
	IPSEC_SA_LIFETIME0	lifetime;
	UINT32			numSaTransforms;
	IPSEC_SA_TRANSFORM0	*saTransforms;
	IPSEC_PFS_GROUP		pfsGroup;
} IPSEC_PROPOSAL0;

/* emPolicy (optional) is AuthIP's extended mode. */
typedef struct IPSEC_TRANSPORT_POLICY0_ {
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	UINT32			flags;		/* IPSEC_POLICY_FLAG_* */
	UINT32			ndAllowClearTimeoutSeconds;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY0	*emPolicy;
} IPSEC_TRANSPORT_POLICY0;

typedef struct IPSEC_TRANSPORT_POLICY1_ {
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	UINT32			flags;
	UINT32			ndAllowClearTimeoutSeconds;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY1	*emPolicy;
} IPSEC_TRANSPORT_POLICY1;

typedef struct IPSEC_TRANSPORT_POLICY2_ {
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	UINT32			flags;
	UINT32			ndAllowClearTimeoutSeconds;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY2	*emPolicy;
} IPSEC_TRANSPORT_POLICY2;

/* Outer addresses of a tunnel (4-aligned: 36 bytes). */
typedef struct IPSEC_TUNNEL_ENDPOINTS0_ {
	FWP_IP_VERSION	ipVersion;
	union {
		UINT32	localV4Address;
		UINT8	localV6Address[16];
	};
	union {
		UINT32	remoteV4Address;
		UINT8	remoteV6Address[16];
	};
} IPSEC_TUNNEL_ENDPOINTS0;

typedef struct IPSEC_TUNNEL_ENDPOINTS1_ {
	FWP_IP_VERSION	ipVersion;
	union {
		UINT32	localV4Address;
		UINT8	localV6Address[16];
	};
	union {
		UINT32	remoteV4Address;
		UINT8	remoteV6Address[16];
	};
	UINT64		localIfLuid;
} IPSEC_TUNNEL_ENDPOINTS1;

/* One extra remote address of IPSEC_TUNNEL_ENDPOINTS2. */
typedef struct IPSEC_TUNNEL_ENDPOINT0_ {
	FWP_IP_VERSION	ipVersion;
	union {
		UINT32	v4Address;
		UINT8	v6Address[16];
	};
} IPSEC_TUNNEL_ENDPOINT0;

typedef struct IPSEC_TUNNEL_ENDPOINTS2_ {
	FWP_IP_VERSION		ipVersion;
	union {
		UINT32		localV4Address;
		UINT8		localV6Address[16];
	};
	union {
		UINT32		remoteV4Address;
		UINT8		remoteV6Address[16];
	};
	UINT64			localIfLuid;
	wchar_t			*remoteFqdn;
	UINT32			numAddresses;
	IPSEC_TUNNEL_ENDPOINT0	*remoteAddresses;
} IPSEC_TUNNEL_ENDPOINTS2;

typedef struct IPSEC_TRAFFIC_SELECTOR0_ {
	UINT8		protocolId;
	UINT16		portStart;
	UINT16		portEnd;
	FWP_IP_VERSION	ipVersion;
	union {
		UINT32	startV4Address;
		UINT8	startV6Address[16];
	};
	union {
		UINT32	endV4Address;
		UINT8	endV6Address[16];
	};
} IPSEC_TRAFFIC_SELECTOR0;

typedef struct IPSEC_TRAFFIC_SELECTOR_POLICY0_ {
	UINT32			flags;
	UINT32			numLocalTrafficSelectors;
	IPSEC_TRAFFIC_SELECTOR0	*localTrafficSelectors;
	UINT32			numRemoteTrafficSelectors;
	IPSEC_TRAFFIC_SELECTOR0	*remoteTrafficSelectors;
} IPSEC_TRAFFIC_SELECTOR_POLICY0;

/*
 * The endpoints are embedded, so saIdleTimeout of version 0 starts at the
 * 4-aligned offset 52. Its providerContextId is what IPSEC_TRAFFIC*.
 * tunnelPolicyId names.
 */
typedef struct IPSEC_TUNNEL_POLICY0_ {
	UINT32			flags;		/* IPSEC_POLICY_FLAG_* */
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	IPSEC_TUNNEL_ENDPOINTS0	tunnelEndpoints;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY0	*emPolicy;
} IPSEC_TUNNEL_POLICY0;

typedef struct IPSEC_TUNNEL_POLICY1_ {
	UINT32			flags;
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	IPSEC_TUNNEL_ENDPOINTS1	tunnelEndpoints;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY1	*emPolicy;
} IPSEC_TUNNEL_POLICY1;

typedef struct IPSEC_TUNNEL_POLICY2_ {
	UINT32			flags;
	UINT32			numIpsecProposals;
	IPSEC_PROPOSAL0		*ipsecProposals;
	IPSEC_TUNNEL_ENDPOINTS2	tunnelEndpoints;
	IPSEC_SA_IDLE_TIMEOUT0	saIdleTimeout;
	IKEEXT_EM_POLICY2	*emPolicy;
	UINT32			fwdPathSaLifetime;
} IPSEC_TUNNEL_POLICY2;

typedef struct IPSEC_TUNNEL_POLICY3_ {
	UINT32				flags;
	UINT32				numIpsecProposals;
	IPSEC_PROPOSAL0			*ipsecProposals;
	IPSEC_TUNNEL_ENDPOINTS2		tunnelEndpoints;
	IPSEC_SA_IDLE_TIMEOUT0		saIdleTimeout;
	IKEEXT_EM_POLICY2		*emPolicy;
	UINT32				fwdPathSaLifetime;
	UINT32				compartmentId;
	UINT32				numTrafficSelectorPolicy;
	IPSEC_TRAFFIC_SELECTOR_POLICY0	*trafficSelectorPolicies;
} IPSEC_TUNNEL_POLICY3;

/* Keying modules allowed to negotiate (FWPM_KEYING_MODULE_* keys). */
typedef struct IPSEC_KEYING_POLICY0_ {
	UINT32	numKeyMods;
	GUID	*keyModKeys;
} IPSEC_KEYING_POLICY0;

typedef struct IPSEC_KEYING_POLICY1_ {
	UINT32	numKeyMods;
	GUID	*keyModKeys;
	UINT32	flags;		/* IPSEC_KEYING_POLICY_FLAG_* */
} IPSEC_KEYING_POLICY1;

/* IPSEC_DOSP_OPTIONS0.flags */
#define IPSEC_DOSP_FLAG_ENABLE_IKEV1		0x00000001u
#define IPSEC_DOSP_FLAG_ENABLE_IKEV2		0x00000002u
#define IPSEC_DOSP_FLAG_DISABLE_AUTHIP		0x00000004u
#define IPSEC_DOSP_FLAG_DISABLE_DEFAULT_BLOCK	0x00000008u
#define IPSEC_DOSP_FLAG_FILTER_BLOCK		0x00000010u
#define IPSEC_DOSP_FLAG_FILTER_EXEMPT		0x00000020u
#define IPSEC_DOSP_DSCP_DISABLE_VALUE		0xFFu
#define IPSEC_DOSP_RATE_LIMIT_DISABLE_VALUE	0u

/* DoS-protection options (FWPM_IPSEC_DOSP_CONTEXT). The UINT8 DSCP fields
 * sit in front of 4-aligned UINT32s, so the padding matters. */
typedef struct IPSEC_DOSP_OPTIONS0_ {
	UINT32			stateIdleTimeoutSeconds;
	UINT32			perIPRateLimitQueueIdleTimeoutSeconds;
	UINT8			ipV6IPsecUnauthDscp;
	UINT32			ipV6IPsecUnauthRateLimitBytesPerSec;
	UINT32			ipV6IPsecUnauthPerIPRateLimitBytesPerSec;
	UINT8			ipV6IPsecAuthDscp;
	UINT32			ipV6IPsecAuthRateLimitBytesPerSec;
	UINT8			icmpV6Dscp;
	UINT32			icmpV6RateLimitBytesPerSec;
	UINT8			ipV6FilterExemptDscp;
	UINT32			ipV6FilterExemptRateLimitBytesPerSec;
	UINT8			defBlockExemptDscp;
	UINT32			defBlockExemptRateLimitBytesPerSec;
	UINT32			maxStateEntries;
	UINT32			maxPerIPRateLimitQueues;
	UINT32			flags;		/* IPSEC_DOSP_FLAG_* */
	UINT32			numPublicIFLuids;
	UINT64			*publicIFLuids;
	UINT32			numInternalIFLuids;
	UINT64			*internalIFLuids;
	FWP_V6_ADDR_AND_MASK	publicV6AddrMask;
	FWP_V6_ADDR_AND_MASK	internalV6AddrMask;
} IPSEC_DOSP_OPTIONS0;

typedef struct IPSEC_SA_AUTH_INFORMATION0_ {
	IPSEC_AUTH_TRANSFORM0	authTransform;
	FWP_BYTE_BLOB		authKey;
} IPSEC_SA_AUTH_INFORMATION0;

typedef struct IPSEC_SA_CIPHER_INFORMATION0_ {
	IPSEC_CIPHER_TRANSFORM0	cipherTransform;
	FWP_BYTE_BLOB		cipherKey;
} IPSEC_SA_CIPHER_INFORMATION0;

/* Cipher FIRST here, unlike IPSEC_AUTH_AND_CIPHER_TRANSFORM0. */
typedef struct IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0_ {
	IPSEC_SA_CIPHER_INFORMATION0	saCipherInformation;
	IPSEC_SA_AUTH_INFORMATION0	saAuthInformation;
} IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0;

/* One SA; the union arm follows saTransformType. */
typedef struct IPSEC_SA0_ {
	IPSEC_SA_SPI		spi;
	IPSEC_TRANSFORM_TYPE	saTransformType;
	union {
		IPSEC_SA_AUTH_INFORMATION0		*ahInformation;
		IPSEC_SA_AUTH_INFORMATION0		*espAuthInformation;
		IPSEC_SA_CIPHER_INFORMATION0		*espCipherInformation;
		IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0	*espAuthAndCipherInformation;
		IPSEC_SA_AUTH_INFORMATION0		*espAuthFwInformation;
	};
} IPSEC_SA0;

/* Opaque state a keying module attaches to its SAs. */
typedef struct IPSEC_KEYMODULE_STATE0_ {
	GUID		keyModuleKey;
	FWP_BYTE_BLOB	stateBlob;
} IPSEC_KEYMODULE_STATE0;

typedef struct IPSEC_TOKEN0_ {
	IPSEC_TOKEN_TYPE	type;
	IPSEC_TOKEN_PRINCIPAL	principal;
	IPSEC_TOKEN_MODE	mode;
	IPSEC_TOKEN_HANDLE	token;
} IPSEC_TOKEN0;

/* Identity behind an SA bundle; logonId is unused and stays 0. */
typedef struct IPSEC_ID0_ {
	wchar_t		*mmTargetName;
	wchar_t		*emTargetName;
	UINT32		numTokens;
	IPSEC_TOKEN0	*tokens;
	UINT64		explicitCredentials;
	UINT64		logonId;
} IPSEC_ID0;

/* NAT-T ports (IPv4 only). */
typedef struct IPSEC_V4_UDP_ENCAPSULATION0_ {
	UINT16	localUdpEncapPort;
	UINT16	remoteUdpEncapPort;
} IPSEC_V4_UDP_ENCAPSULATION0;

typedef struct IPSEC_VIRTUAL_IF_TUNNEL_INFO0_ {
	UINT64	virtualIfTunnelId;
	UINT64	trafficSelectorId;
} IPSEC_VIRTUAL_IF_TUNNEL_INFO0;

/*
 * ---------------------------------------------------------------------
 * SA bundles, traffic, SPI requests
 *
 * The one-member unions (peerV4PrivateAddress, inboundUdpEncapsulation,
 * udpEncapsulation) are tagged unions with an empty IPv6 arm on Windows;
 * they must stay unions for the field names to resolve the same way.
 * ---------------------------------------------------------------------
 */

typedef struct IPSEC_SA_BUNDLE0_ {
	UINT32			flags;
	IPSEC_SA_LIFETIME0	lifetime;
	UINT32			idleTimeoutSeconds;
	UINT32			ndAllowClearTimeoutSeconds;
	IPSEC_ID0		*ipsecId;
	UINT32			napContext;
	UINT32			qmSaId;
	UINT32			numSAs;		/* 1, or 2 for ESP+AH */
	IPSEC_SA0		*saList;	/* ESP first, then AH */
	IPSEC_KEYMODULE_STATE0	*keyModuleState;
	FWP_IP_VERSION		ipVersion;
	union {
		UINT32		peerV4PrivateAddress;
	};
	UINT64			mmSaId;
	IPSEC_PFS_GROUP		pfsGroup;
} IPSEC_SA_BUNDLE0;

typedef struct IPSEC_SA_BUNDLE1_ {
	UINT32			flags;
	IPSEC_SA_LIFETIME0	lifetime;
	UINT32			idleTimeoutSeconds;
	UINT32			ndAllowClearTimeoutSeconds;
	IPSEC_ID0		*ipsecId;
	UINT32			napContext;
	UINT32			qmSaId;
	UINT32			numSAs;		/* 1, or 2 for ESP+AH */
	IPSEC_SA0		*saList;	/* ESP first, then AH */
	IPSEC_KEYMODULE_STATE0	*keyModuleState;
	FWP_IP_VERSION		ipVersion;
	union {
		UINT32		peerV4PrivateAddress;
	};
	UINT64			mmSaId;
	IPSEC_PFS_GROUP		pfsGroup;
	GUID			saLookupContext;	/* 4-aligned, @84 */
	UINT64			qmFilterId;
} IPSEC_SA_BUNDLE1;

/*
 * Transport mode: the two hosts, filter id of the transport-layer filter.
 * Tunnel mode: the outer endpoints, id of the quick-mode tunnel policy.
 */
typedef struct IPSEC_TRAFFIC0_ {
	FWP_IP_VERSION		ipVersion;
	union {
		UINT32		localV4Address;
		UINT8		localV6Address[16];
	};
	union {
		UINT32		remoteV4Address;
		UINT8		remoteV6Address[16];
	};
	IPSEC_TRAFFIC_TYPE	trafficType;
	union {
		UINT64		ipsecFilterId;
		UINT64		tunnelPolicyId;
	};
	UINT16			remotePort;
} IPSEC_TRAFFIC0;

/* Non-zero ports/protocol override the transport filter's conditions. */
typedef struct IPSEC_TRAFFIC1_ {
	FWP_IP_VERSION		ipVersion;
	union {
		UINT32		localV4Address;
		UINT8		localV6Address[16];
	};
	union {
		UINT32		remoteV4Address;
		UINT8		remoteV6Address[16];
	};
	IPSEC_TRAFFIC_TYPE	trafficType;
	union {
		UINT64		ipsecFilterId;
		UINT64		tunnelPolicyId;
	};
	UINT16			remotePort;
	UINT16			localPort;
	UINT8			ipProtocol;
	UINT64			localIfLuid;
	UINT32			realIfProfileId;
} IPSEC_TRAFFIC1;

typedef struct IPSEC_GETSPI0_ {
	IPSEC_TRAFFIC0		inboundIpsecTraffic;
	FWP_IP_VERSION		ipVersion;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0	*inboundUdpEncapsulation;
	};
	IPSEC_CRYPTO_MODULE_ID	*rngCryptoModuleID;	/* unused */
} IPSEC_GETSPI0;

typedef struct IPSEC_GETSPI1_ {
	IPSEC_TRAFFIC1		inboundIpsecTraffic;
	FWP_IP_VERSION		ipVersion;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0	*inboundUdpEncapsulation;
	};
	IPSEC_CRYPTO_MODULE_ID	*rngCryptoModuleID;	/* unused */
} IPSEC_GETSPI1;

/*
 * ---------------------------------------------------------------------
 * SA details and contexts
 * ---------------------------------------------------------------------
 */

typedef struct IPSEC_SA_DETAILS0_ {
	FWP_IP_VERSION		ipVersion;
	FWP_DIRECTION		saDirection;
	IPSEC_TRAFFIC0		traffic;
	IPSEC_SA_BUNDLE0	saBundle;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0	*udpEncapsulation;
	};
	struct FWPM_FILTER0_	*transportFilter;
} IPSEC_SA_DETAILS0;

/* virtualIfTunnelInfo is embedded by value (a pointer would give 216). */
typedef struct IPSEC_SA_DETAILS1_ {
	FWP_IP_VERSION		ipVersion;
	FWP_DIRECTION		saDirection;
	IPSEC_TRAFFIC1		traffic;
	IPSEC_SA_BUNDLE1	saBundle;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0	*udpEncapsulation;
	};
	struct FWPM_FILTER0_	*transportFilter;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0	virtualIfTunnelInfo;
} IPSEC_SA_DETAILS1;

/* An inbound/outbound SA pair named by saContextId. */
typedef struct IPSEC_SA_CONTEXT0_ {
	UINT64			saContextId;
	IPSEC_SA_DETAILS0	*inboundSa;
	IPSEC_SA_DETAILS0	*outboundSa;
} IPSEC_SA_CONTEXT0;

typedef struct IPSEC_SA_CONTEXT1_ {
	UINT64			saContextId;
	IPSEC_SA_DETAILS1	*inboundSa;
	IPSEC_SA_DETAILS1	*outboundSa;
} IPSEC_SA_CONTEXT1;

/* Either subnet may be FWP_EMPTY to match everything. */
typedef struct IPSEC_SA_CONTEXT_ENUM_TEMPLATE0_ {
	FWP_CONDITION_VALUE0	localSubNet;
	FWP_CONDITION_VALUE0	remoteSubNet;
} IPSEC_SA_CONTEXT_ENUM_TEMPLATE0;

typedef struct IPSEC_SA_ENUM_TEMPLATE0_ {
	FWP_DIRECTION	saDirection;
} IPSEC_SA_ENUM_TEMPLATE0;

/* flags is reserved for system use: no values are defined for it. */
typedef struct IPSEC_SA_CONTEXT_SUBSCRIPTION0_ {
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0	*enumTemplate;
	UINT32				flags;
	GUID				sessionKey;
} IPSEC_SA_CONTEXT_SUBSCRIPTION0;

typedef struct IPSEC_SA_CONTEXT_CHANGE0_ {
	IPSEC_SA_CONTEXT_EVENT_TYPE0	changeType;
	UINT64				saContextId;
} IPSEC_SA_CONTEXT_CHANGE0;

/*
 * ---------------------------------------------------------------------
 * Statistics (global counters; there are no per-SA counters)
 * ---------------------------------------------------------------------
 */

typedef struct IPSEC_AGGREGATE_SA_STATISTICS0_ {
	UINT32	activeSas;
	UINT32	pendingSaNegotiations;
	UINT32	totalSasAdded;
	UINT32	totalSasDeleted;
	UINT32	successfulRekeys;
	UINT32	activeTunnels;
	UINT32	offloadedSas;
} IPSEC_AGGREGATE_SA_STATISTICS0;

typedef struct IPSEC_ESP_DROP_PACKET_STATISTICS0_ {
	UINT32	invalidSpisOnInbound;
	UINT32	decryptionFailuresOnInbound;
	UINT32	authenticationFailuresOnInbound;
	UINT32	replayCheckFailuresOnInbound;
	UINT32	saNotInitializedOnInbound;
} IPSEC_ESP_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AH_DROP_PACKET_STATISTICS0_ {
	UINT32	invalidSpisOnInbound;
	UINT32	authenticationFailuresOnInbound;
	UINT32	replayCheckFailuresOnInbound;
	UINT32	saNotInitializedOnInbound;
} IPSEC_AH_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0_ {
	UINT32	invalidSpisOnInbound;
	UINT32	decryptionFailuresOnInbound;
	UINT32	authenticationFailuresOnInbound;
	UINT32	udpEspValidationFailuresOnInbound;
	UINT32	replayCheckFailuresOnInbound;
	UINT32	invalidClearTextInbound;
	UINT32	saNotInitializedOnInbound;
	UINT32	receiveOverIncorrectSaInbound;
	UINT32	secureReceivesNotMatchingFilters;
} IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1_ {
	UINT32	invalidSpisOnInbound;
	UINT32	decryptionFailuresOnInbound;
	UINT32	authenticationFailuresOnInbound;
	UINT32	udpEspValidationFailuresOnInbound;
	UINT32	replayCheckFailuresOnInbound;
	UINT32	invalidClearTextInbound;
	UINT32	saNotInitializedOnInbound;
	UINT32	receiveOverIncorrectSaInbound;
	UINT32	secureReceivesNotMatchingFilters;
	UINT32	totalDropPacketsInbound;
} IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1;

typedef struct IPSEC_TRAFFIC_STATISTICS0_ {
	UINT64	encryptedByteCount;
	UINT64	authenticatedAHByteCount;
	UINT64	authenticatedESPByteCount;
	UINT64	transportByteCount;
	UINT64	tunnelByteCount;
	UINT64	offloadByteCount;
} IPSEC_TRAFFIC_STATISTICS0;

typedef struct IPSEC_TRAFFIC_STATISTICS1_ {
	UINT64	encryptedByteCount;
	UINT64	authenticatedAHByteCount;
	UINT64	authenticatedESPByteCount;
	UINT64	transportByteCount;
	UINT64	tunnelByteCount;
	UINT64	offloadByteCount;
	UINT64	totalSuccessfulPackets;
} IPSEC_TRAFFIC_STATISTICS1;

typedef struct IPSEC_STATISTICS0_ {
	IPSEC_AGGREGATE_SA_STATISTICS0		aggregateSaStatistics;
	IPSEC_ESP_DROP_PACKET_STATISTICS0	espDropPacketStatistics;
	IPSEC_AH_DROP_PACKET_STATISTICS0	ahDropPacketStatistics;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0	aggregateDropPacketStatistics;
	IPSEC_TRAFFIC_STATISTICS0		inboundTrafficStatistics;
	IPSEC_TRAFFIC_STATISTICS0		outboundTrafficStatistics;
} IPSEC_STATISTICS0;

typedef struct IPSEC_STATISTICS1_ {
	IPSEC_AGGREGATE_SA_STATISTICS0		aggregateSaStatistics;
	IPSEC_ESP_DROP_PACKET_STATISTICS0	espDropPacketStatistics;
	IPSEC_AH_DROP_PACKET_STATISTICS0	ahDropPacketStatistics;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1	aggregateDropPacketStatistics;
	IPSEC_TRAFFIC_STATISTICS1		inboundTrafficStatistics;
	IPSEC_TRAFFIC_STATISTICS1		outboundTrafficStatistics;
} IPSEC_STATISTICS1;

/*
 * ---------------------------------------------------------------------
 * Layout pinning: Windows x64 numbers; fix the declaration, not the number.
 * ---------------------------------------------------------------------
 */
#if defined(__x86_64__) && !defined(FWP_NO_LAYOUT_ASSERTS)
#define IPSEC_ASSERT_SIZE(t, n)		\
	FWP_STATIC_ASSERT(sizeof(t) == (n), #t " size")
#define IPSEC_ASSERT_OFF(t, f, n)	\
	FWP_STATIC_ASSERT(offsetof(t, f) == (n), #t "." #f " offset")

IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC_TYPE, 4);
IPSEC_ASSERT_SIZE(IPSEC_TRANSFORM_TYPE, 4);
IPSEC_ASSERT_SIZE(IPSEC_AUTH_TYPE, 4);
IPSEC_ASSERT_SIZE(IPSEC_CIPHER_TYPE, 4);
IPSEC_ASSERT_SIZE(IPSEC_PFS_GROUP, 4);
IPSEC_ASSERT_SIZE(IPSEC_TOKEN_TYPE, 4);
IPSEC_ASSERT_SIZE(IPSEC_TOKEN_PRINCIPAL, 4);
IPSEC_ASSERT_SIZE(IPSEC_TOKEN_MODE, 4);
IPSEC_ASSERT_SIZE(IPSEC_FAILURE_POINT, 4);
IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT_EVENT_TYPE0, 4);
IPSEC_ASSERT_SIZE(IPSEC_AUTH_CONFIG, 1);
IPSEC_ASSERT_SIZE(IPSEC_CIPHER_CONFIG, 1);
IPSEC_ASSERT_SIZE(IPSEC_SA_SPI, 4);
IPSEC_ASSERT_SIZE(IPSEC_CRYPTO_MODULE_ID, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_LIFETIME0, 12);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_LIFETIME0) == 4,
		  "IPSEC_SA_LIFETIME0 align");
IPSEC_ASSERT_OFF(IPSEC_SA_LIFETIME0, lifetimeSeconds, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_LIFETIME0, lifetimeKilobytes, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_LIFETIME0, lifetimePackets, 8);

IPSEC_ASSERT_SIZE(IPSEC_AUTH_TRANSFORM_ID0, 8);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_AUTH_TRANSFORM_ID0) == 4,
		  "IPSEC_AUTH_TRANSFORM_ID0 align");
IPSEC_ASSERT_OFF(IPSEC_AUTH_TRANSFORM_ID0, authType, 0);
IPSEC_ASSERT_OFF(IPSEC_AUTH_TRANSFORM_ID0, authConfig, 4);

IPSEC_ASSERT_SIZE(IPSEC_AUTH_TRANSFORM0, 16);
IPSEC_ASSERT_OFF(IPSEC_AUTH_TRANSFORM0, authTransformId, 0);
IPSEC_ASSERT_OFF(IPSEC_AUTH_TRANSFORM0, cryptoModuleId, 8);

IPSEC_ASSERT_SIZE(IPSEC_CIPHER_TRANSFORM_ID0, 8);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_CIPHER_TRANSFORM_ID0) == 4,
		  "IPSEC_CIPHER_TRANSFORM_ID0 align");
IPSEC_ASSERT_OFF(IPSEC_CIPHER_TRANSFORM_ID0, cipherType, 0);
IPSEC_ASSERT_OFF(IPSEC_CIPHER_TRANSFORM_ID0, cipherConfig, 4);

IPSEC_ASSERT_SIZE(IPSEC_CIPHER_TRANSFORM0, 16);
IPSEC_ASSERT_OFF(IPSEC_CIPHER_TRANSFORM0, cipherTransformId, 0);
IPSEC_ASSERT_OFF(IPSEC_CIPHER_TRANSFORM0, cryptoModuleId, 8);

/* Not listed in the layout tables; follows from natural alignment. */
IPSEC_ASSERT_SIZE(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, 32);
IPSEC_ASSERT_OFF(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, authTransform, 0);
IPSEC_ASSERT_OFF(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, cipherTransform, 16);
IPSEC_ASSERT_SIZE(IPSEC_SA_TRANSFORM0, 16);
IPSEC_ASSERT_OFF(IPSEC_SA_TRANSFORM0, ipsecTransformType, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_TRANSFORM0, ahTransform, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_TRANSFORM0, espAuthAndCipherTransform, 8);

IPSEC_ASSERT_SIZE(IPSEC_SA_IDLE_TIMEOUT0, 8);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_IDLE_TIMEOUT0) == 4,
		  "IPSEC_SA_IDLE_TIMEOUT0 align");
IPSEC_ASSERT_OFF(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSeconds, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSecondsFailOver, 4);

IPSEC_ASSERT_SIZE(IPSEC_PROPOSAL0, 32);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_PROPOSAL0) == 8, "IPSEC_PROPOSAL0 align");
IPSEC_ASSERT_OFF(IPSEC_PROPOSAL0, lifetime, 0);
IPSEC_ASSERT_OFF(IPSEC_PROPOSAL0, numSaTransforms, 12);
IPSEC_ASSERT_OFF(IPSEC_PROPOSAL0, saTransforms, 16);
IPSEC_ASSERT_OFF(IPSEC_PROPOSAL0, pfsGroup, 24);

IPSEC_ASSERT_SIZE(IPSEC_TRANSPORT_POLICY0, 40);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TRANSPORT_POLICY0) == 8,
		  "IPSEC_TRANSPORT_POLICY0 align");
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, numIpsecProposals, 0);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, ipsecProposals, 8);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, flags, 16);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, ndAllowClearTimeoutSeconds, 20);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, saIdleTimeout, 24);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY0, emPolicy, 32);
IPSEC_ASSERT_SIZE(IPSEC_TRANSPORT_POLICY1, 40);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY1, saIdleTimeout, 24);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY1, emPolicy, 32);
IPSEC_ASSERT_SIZE(IPSEC_TRANSPORT_POLICY2, 40);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY2, saIdleTimeout, 24);
IPSEC_ASSERT_OFF(IPSEC_TRANSPORT_POLICY2, emPolicy, 32);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_ENDPOINTS0, 36);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TUNNEL_ENDPOINTS0) == 4,
		  "IPSEC_TUNNEL_ENDPOINTS0 align");
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS0, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS0, localV4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS0, localV6Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS0, remoteV4Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS0, remoteV6Address, 20);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_ENDPOINTS1, 48);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TUNNEL_ENDPOINTS1) == 8,
		  "IPSEC_TUNNEL_ENDPOINTS1 align");
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, localV4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, localV6Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, remoteV4Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, remoteV6Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS1, localIfLuid, 40);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_ENDPOINT0, 20);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TUNNEL_ENDPOINT0) == 4,
		  "IPSEC_TUNNEL_ENDPOINT0 align");
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINT0, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINT0, v4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINT0, v6Address, 4);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_ENDPOINTS2, 72);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TUNNEL_ENDPOINTS2) == 8,
		  "IPSEC_TUNNEL_ENDPOINTS2 align");
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, localV4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, remoteV6Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, localIfLuid, 40);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, remoteFqdn, 48);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, numAddresses, 56);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_ENDPOINTS2, remoteAddresses, 64);

IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC_SELECTOR0, 44);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TRAFFIC_SELECTOR0) == 4,
		  "IPSEC_TRAFFIC_SELECTOR0 align");
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, protocolId, 0);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, portStart, 2);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, portEnd, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, ipVersion, 8);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, startV4Address, 12);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, startV6Address, 12);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, endV4Address, 28);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR0, endV6Address, 28);

IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC_SELECTOR_POLICY0, 32);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR_POLICY0, flags, 0);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR_POLICY0, numLocalTrafficSelectors, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR_POLICY0, localTrafficSelectors, 8);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR_POLICY0,
		 numRemoteTrafficSelectors, 16);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_SELECTOR_POLICY0, remoteTrafficSelectors, 24);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_POLICY0, 72);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TUNNEL_POLICY0) == 8,
		  "IPSEC_TUNNEL_POLICY0 align");
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, flags, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, numIpsecProposals, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, ipsecProposals, 8);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, tunnelEndpoints, 16);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, saIdleTimeout, 52);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY0, emPolicy, 64);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_POLICY1, 80);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, flags, 0);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, numIpsecProposals, 4);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, ipsecProposals, 8);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, tunnelEndpoints, 16);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, saIdleTimeout, 64);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY1, emPolicy, 72);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_POLICY2, 112);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY2, tunnelEndpoints, 16);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY2, saIdleTimeout, 88);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY2, emPolicy, 96);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY2, fwdPathSaLifetime, 104);

IPSEC_ASSERT_SIZE(IPSEC_TUNNEL_POLICY3, 128);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, tunnelEndpoints, 16);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, saIdleTimeout, 88);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, emPolicy, 96);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, fwdPathSaLifetime, 104);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, compartmentId, 108);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, numTrafficSelectorPolicy, 112);
IPSEC_ASSERT_OFF(IPSEC_TUNNEL_POLICY3, trafficSelectorPolicies, 120);

IPSEC_ASSERT_SIZE(IPSEC_KEYING_POLICY0, 16);
IPSEC_ASSERT_OFF(IPSEC_KEYING_POLICY0, numKeyMods, 0);
IPSEC_ASSERT_OFF(IPSEC_KEYING_POLICY0, keyModKeys, 8);
IPSEC_ASSERT_SIZE(IPSEC_KEYING_POLICY1, 24);
IPSEC_ASSERT_OFF(IPSEC_KEYING_POLICY1, numKeyMods, 0);
IPSEC_ASSERT_OFF(IPSEC_KEYING_POLICY1, keyModKeys, 8);
IPSEC_ASSERT_OFF(IPSEC_KEYING_POLICY1, flags, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_AUTH_INFORMATION0, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_AUTH_INFORMATION0, authTransform, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_AUTH_INFORMATION0, authKey, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_CIPHER_INFORMATION0, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_CIPHER_INFORMATION0, cipherTransform, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CIPHER_INFORMATION0, cipherKey, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, 64);
IPSEC_ASSERT_OFF(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, saCipherInformation, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, saAuthInformation, 32);

IPSEC_ASSERT_SIZE(IPSEC_SA0, 16);
IPSEC_ASSERT_OFF(IPSEC_SA0, spi, 0);
IPSEC_ASSERT_OFF(IPSEC_SA0, saTransformType, 4);
IPSEC_ASSERT_OFF(IPSEC_SA0, ahInformation, 8);
IPSEC_ASSERT_OFF(IPSEC_SA0, espAuthInformation, 8);
IPSEC_ASSERT_OFF(IPSEC_SA0, espCipherInformation, 8);
IPSEC_ASSERT_OFF(IPSEC_SA0, espAuthAndCipherInformation, 8);
IPSEC_ASSERT_OFF(IPSEC_SA0, espAuthFwInformation, 8);

IPSEC_ASSERT_SIZE(IPSEC_KEYMODULE_STATE0, 32);
IPSEC_ASSERT_OFF(IPSEC_KEYMODULE_STATE0, keyModuleKey, 0);
IPSEC_ASSERT_OFF(IPSEC_KEYMODULE_STATE0, stateBlob, 16);

IPSEC_ASSERT_SIZE(IPSEC_TOKEN0, 24);
IPSEC_ASSERT_OFF(IPSEC_TOKEN0, type, 0);
IPSEC_ASSERT_OFF(IPSEC_TOKEN0, principal, 4);
IPSEC_ASSERT_OFF(IPSEC_TOKEN0, mode, 8);
IPSEC_ASSERT_OFF(IPSEC_TOKEN0, token, 16);

IPSEC_ASSERT_SIZE(IPSEC_ID0, 48);
IPSEC_ASSERT_OFF(IPSEC_ID0, mmTargetName, 0);
IPSEC_ASSERT_OFF(IPSEC_ID0, emTargetName, 8);
IPSEC_ASSERT_OFF(IPSEC_ID0, numTokens, 16);
IPSEC_ASSERT_OFF(IPSEC_ID0, tokens, 24);
IPSEC_ASSERT_OFF(IPSEC_ID0, explicitCredentials, 32);
IPSEC_ASSERT_OFF(IPSEC_ID0, logonId, 40);

IPSEC_ASSERT_SIZE(IPSEC_V4_UDP_ENCAPSULATION0, 4);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_V4_UDP_ENCAPSULATION0) == 2,
		  "IPSEC_V4_UDP_ENCAPSULATION0 align");
IPSEC_ASSERT_OFF(IPSEC_V4_UDP_ENCAPSULATION0, localUdpEncapPort, 0);
IPSEC_ASSERT_OFF(IPSEC_V4_UDP_ENCAPSULATION0, remoteUdpEncapPort, 2);

IPSEC_ASSERT_SIZE(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, 16);
IPSEC_ASSERT_OFF(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, virtualIfTunnelId, 0);
IPSEC_ASSERT_OFF(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, trafficSelectorId, 8);

IPSEC_ASSERT_SIZE(IPSEC_SA_BUNDLE0, 88);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_BUNDLE0) == 8, "IPSEC_SA_BUNDLE0 align");
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, flags, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, lifetime, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, idleTimeoutSeconds, 16);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, ndAllowClearTimeoutSeconds, 20);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, ipsecId, 24);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, napContext, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, qmSaId, 36);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, numSAs, 40);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, saList, 48);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, keyModuleState, 56);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, ipVersion, 64);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, peerV4PrivateAddress, 68);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, mmSaId, 72);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE0, pfsGroup, 80);

IPSEC_ASSERT_SIZE(IPSEC_SA_BUNDLE1, 112);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_BUNDLE1) == 8, "IPSEC_SA_BUNDLE1 align");
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, flags, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, lifetime, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, idleTimeoutSeconds, 16);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, ndAllowClearTimeoutSeconds, 20);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, ipsecId, 24);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, napContext, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, qmSaId, 36);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, numSAs, 40);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, saList, 48);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, keyModuleState, 56);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, ipVersion, 64);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, peerV4PrivateAddress, 68);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, mmSaId, 72);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, pfsGroup, 80);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, saLookupContext, 84);
IPSEC_ASSERT_OFF(IPSEC_SA_BUNDLE1, qmFilterId, 104);

IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC0, 56);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TRAFFIC0) == 8, "IPSEC_TRAFFIC0 align");
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, localV4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, localV6Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, remoteV4Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, remoteV6Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, trafficType, 36);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, ipsecFilterId, 40);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, tunnelPolicyId, 40);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC0, remotePort, 48);

IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC1, 72);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_TRAFFIC1) == 8, "IPSEC_TRAFFIC1 align");
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, localV4Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, localV6Address, 4);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, remoteV4Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, remoteV6Address, 20);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, trafficType, 36);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, ipsecFilterId, 40);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, tunnelPolicyId, 40);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, remotePort, 48);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, localPort, 50);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, ipProtocol, 52);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, localIfLuid, 56);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC1, realIfProfileId, 64);

IPSEC_ASSERT_SIZE(IPSEC_GETSPI0, 80);
IPSEC_ASSERT_OFF(IPSEC_GETSPI0, inboundIpsecTraffic, 0);
IPSEC_ASSERT_OFF(IPSEC_GETSPI0, ipVersion, 56);
IPSEC_ASSERT_OFF(IPSEC_GETSPI0, inboundUdpEncapsulation, 64);
IPSEC_ASSERT_OFF(IPSEC_GETSPI0, rngCryptoModuleID, 72);

IPSEC_ASSERT_SIZE(IPSEC_GETSPI1, 96);
IPSEC_ASSERT_OFF(IPSEC_GETSPI1, inboundIpsecTraffic, 0);
IPSEC_ASSERT_OFF(IPSEC_GETSPI1, ipVersion, 72);
IPSEC_ASSERT_OFF(IPSEC_GETSPI1, inboundUdpEncapsulation, 80);
IPSEC_ASSERT_OFF(IPSEC_GETSPI1, rngCryptoModuleID, 88);

IPSEC_ASSERT_SIZE(IPSEC_SA_DETAILS0, 168);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_DETAILS0) == 8,
		  "IPSEC_SA_DETAILS0 align");
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, saDirection, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, traffic, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, saBundle, 64);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, udpEncapsulation, 152);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS0, transportFilter, 160);

IPSEC_ASSERT_SIZE(IPSEC_SA_DETAILS1, 224);
FWP_STATIC_ASSERT(FWP_ALIGNOF(IPSEC_SA_DETAILS1) == 8,
		  "IPSEC_SA_DETAILS1 align");
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, ipVersion, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, saDirection, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, traffic, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, saBundle, 80);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, udpEncapsulation, 192);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, transportFilter, 200);
IPSEC_ASSERT_OFF(IPSEC_SA_DETAILS1, virtualIfTunnelInfo, 208);

IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT0, 24);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT0, saContextId, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT0, inboundSa, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT0, outboundSa, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT1, 24);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT1, saContextId, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT1, inboundSa, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT1, outboundSa, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, localSubNet, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, remoteSubNet, 16);

IPSEC_ASSERT_SIZE(IPSEC_SA_ENUM_TEMPLATE0, 4);
IPSEC_ASSERT_OFF(IPSEC_SA_ENUM_TEMPLATE0, saDirection, 0);

IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT_SUBSCRIPTION0, 32);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_SUBSCRIPTION0, enumTemplate, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_SUBSCRIPTION0, flags, 8);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_SUBSCRIPTION0, sessionKey, 12);

IPSEC_ASSERT_SIZE(IPSEC_SA_CONTEXT_CHANGE0, 16);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_CHANGE0, changeType, 0);
IPSEC_ASSERT_OFF(IPSEC_SA_CONTEXT_CHANGE0, saContextId, 8);

IPSEC_ASSERT_SIZE(IPSEC_AGGREGATE_SA_STATISTICS0, 28);
IPSEC_ASSERT_OFF(IPSEC_AGGREGATE_SA_STATISTICS0, activeSas, 0);
IPSEC_ASSERT_OFF(IPSEC_AGGREGATE_SA_STATISTICS0, offloadedSas, 24);
IPSEC_ASSERT_SIZE(IPSEC_ESP_DROP_PACKET_STATISTICS0, 20);
IPSEC_ASSERT_OFF(IPSEC_ESP_DROP_PACKET_STATISTICS0,
		 saNotInitializedOnInbound, 16);
IPSEC_ASSERT_SIZE(IPSEC_AH_DROP_PACKET_STATISTICS0, 16);
IPSEC_ASSERT_OFF(IPSEC_AH_DROP_PACKET_STATISTICS0,
		 saNotInitializedOnInbound, 12);
IPSEC_ASSERT_SIZE(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0, 36);
IPSEC_ASSERT_OFF(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0,
		 secureReceivesNotMatchingFilters, 32);
IPSEC_ASSERT_SIZE(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1, 40);
IPSEC_ASSERT_OFF(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1,
		 totalDropPacketsInbound, 36);
IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC_STATISTICS0, 48);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_STATISTICS0, offloadByteCount, 40);
IPSEC_ASSERT_SIZE(IPSEC_TRAFFIC_STATISTICS1, 56);
IPSEC_ASSERT_OFF(IPSEC_TRAFFIC_STATISTICS1, totalSuccessfulPackets, 48);

/*
 * Member offsets below follow from natural alignment (only the sizes are
 * listed): the UINT32 blocks end at 100 (...0) or 104 (...1), so the UINT64
 * traffic blocks start at 104 in both.
 */
IPSEC_ASSERT_SIZE(IPSEC_STATISTICS0, 200);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, aggregateSaStatistics, 0);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, espDropPacketStatistics, 28);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, ahDropPacketStatistics, 48);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, aggregateDropPacketStatistics, 64);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, inboundTrafficStatistics, 104);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS0, outboundTrafficStatistics, 152);

IPSEC_ASSERT_SIZE(IPSEC_STATISTICS1, 216);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, aggregateSaStatistics, 0);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, espDropPacketStatistics, 28);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, ahDropPacketStatistics, 48);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, aggregateDropPacketStatistics, 64);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, inboundTrafficStatistics, 104);
IPSEC_ASSERT_OFF(IPSEC_STATISTICS1, outboundTrafficStatistics, 160);

IPSEC_ASSERT_SIZE(IPSEC_DOSP_OPTIONS0, 136);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, ipV6IPsecUnauthDscp, 8);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, ipV6IPsecUnauthRateLimitBytesPerSec, 12);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, ipV6IPsecAuthDscp, 20);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, icmpV6Dscp, 28);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, ipV6FilterExemptDscp, 36);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, defBlockExemptDscp, 44);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, maxStateEntries, 52);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, flags, 60);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, numPublicIFLuids, 64);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, publicIFLuids, 72);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, numInternalIFLuids, 80);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, internalIFLuids, 88);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, publicV6AddrMask, 96);
IPSEC_ASSERT_OFF(IPSEC_DOSP_OPTIONS0, internalV6AddrMask, 113);

#undef IPSEC_ASSERT_SIZE
#undef IPSEC_ASSERT_OFF
#endif

#ifdef __cplusplus
}
#endif

#endif /* IPSECTYPES_H */
