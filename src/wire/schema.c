/* schema.c - the tables of schema.h. Field order is wire order: append new
 * fields at the end of a table, never reorder (attribute type = index + 1). */
#include <stddef.h>

#include "wire/schema.h"

#define N(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))
#define MEMBER_SIZE(T, m) ((uint32_t)sizeof(((T *)0)->m))

#define F_U8(T, m)	{ .kind = WF_U8, .offset = offsetof(T, m) }
#define F_U16(T, m)	{ .kind = WF_U16, .offset = offsetof(T, m) }
#define F_U32(T, m)	{ .kind = WF_U32, .offset = offsetof(T, m) }
#define F_U64(T, m)	{ .kind = WF_U64, .offset = offsetof(T, m) }
#define F_RAW(T, m)	{ .kind = WF_RAW, .offset = offsetof(T, m), .size = MEMBER_SIZE(T, m) }
#define F_STRUCT(T, m, S) { .kind = WF_STRUCT, .offset = offsetof(T, m), .sub = &wf_##S }
#define F_PTR(T, m, S)	{ .kind = WF_PTR, .offset = offsetof(T, m), .sub = &wf_##S }
#define F_PTR_RAW(T, m, n) { .kind = WF_PTR_RAW, .offset = offsetof(T, m), .size = (n) }
#define F_WSTR(T, m)	{ .kind = WF_WSTR, .offset = offsetof(T, m) }
#define F_BLOB(T, m)	{ .kind = WF_BLOB, .offset = offsetof(T, m) }
#define F_KEY(T, m)	{ .kind = WF_BLOB, .flags = WF_SECRET, .offset = offsetof(T, m) }
#define F_ARRAY(T, m, count, S, max) { .kind = WF_ARRAY, .offset = offsetof(T, m), \
	.sub = &wf_##S, .count_offset = offsetof(T, count), .max_count = (max) }
#define F_UNION(T, m, sel, A) { .kind = WF_UNION, .offset = offsetof(T, m), \
	.selector_offset = offsetof(T, sel), .arms = (A), .narms = N(A) }
#define STRUCT(T, f) const struct wf_struct wf_##T = { #T, sizeof(T), _Alignof(T), f, N(f) }

/* An arm at a union's offset. */
#define ARM(v, k, T, m, ...) { (v), { .kind = (k), .offset = offsetof(T, m), __VA_ARGS__ } }

/* Caps on decoded arrays; the engine validates tighter rules itself, these
 * only bound what a peer can make us allocate. */
#define MAX_SAS 16
#define MAX_TOKENS 1024
#define MAX_CONDITIONS 4096

static const struct wf_field f_display[] = {
	F_WSTR(FWPM_DISPLAY_DATA0, name),
	F_WSTR(FWPM_DISPLAY_DATA0, description),
};
static STRUCT(FWPM_DISPLAY_DATA0, f_display);

static const struct wf_field f_blob[] = {
	F_BLOB(FWP_BYTE_BLOB, size),
};
static STRUCT(FWP_BYTE_BLOB, f_blob);

extern const struct wf_struct wf_FWP_RANGE0;

static const struct wf_arm value_arms[] = {
	ARM(FWP_EMPTY, WF_NONE, FWP_VALUE0, uint8),
	ARM(FWP_UINT8, WF_U8, FWP_VALUE0, uint8),
	ARM(FWP_UINT16, WF_U16, FWP_VALUE0, uint16),
	ARM(FWP_UINT32, WF_U32, FWP_VALUE0, uint32),
	ARM(FWP_UINT64, WF_PTR_RAW, FWP_VALUE0, uint64, .size = 8),
	ARM(FWP_INT8, WF_U8, FWP_VALUE0, int8),
	ARM(FWP_INT16, WF_U16, FWP_VALUE0, int16),
	ARM(FWP_INT32, WF_U32, FWP_VALUE0, int32),
	ARM(FWP_INT64, WF_PTR_RAW, FWP_VALUE0, int64, .size = 8),
	ARM(FWP_FLOAT, WF_U32, FWP_VALUE0, float32),
	ARM(FWP_DOUBLE, WF_PTR_RAW, FWP_VALUE0, double64, .size = 8),
	ARM(FWP_BYTE_ARRAY16_TYPE, WF_PTR_RAW, FWP_VALUE0, byteArray16, .size = 16),
	ARM(FWP_BYTE_BLOB_TYPE, WF_PTR, FWP_VALUE0, byteBlob, .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_SECURITY_DESCRIPTOR_TYPE, WF_PTR, FWP_VALUE0, sd, .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_TOKEN_ACCESS_INFORMATION_TYPE, WF_PTR, FWP_VALUE0, tokenAccessInformation,
	    .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_UNICODE_STRING_TYPE, WF_WSTR, FWP_VALUE0, unicodeString),
	ARM(FWP_BYTE_ARRAY6_TYPE, WF_PTR_RAW, FWP_VALUE0, byteArray6, .size = 6),
};

static const struct wf_field f_value[] = {
	F_U32(FWP_VALUE0, type),
	F_UNION(FWP_VALUE0, uint8, type, value_arms),
};
STRUCT(FWP_VALUE0, f_value);

static const struct wf_field f_range[] = {
	F_STRUCT(FWP_RANGE0, valueLow, FWP_VALUE0),
	F_STRUCT(FWP_RANGE0, valueHigh, FWP_VALUE0),
};
STRUCT(FWP_RANGE0, f_range);

static const struct wf_arm cond_arms[] = {
	ARM(FWP_EMPTY, WF_NONE, FWP_CONDITION_VALUE0, uint8),
	ARM(FWP_UINT8, WF_U8, FWP_CONDITION_VALUE0, uint8),
	ARM(FWP_UINT16, WF_U16, FWP_CONDITION_VALUE0, uint16),
	ARM(FWP_UINT32, WF_U32, FWP_CONDITION_VALUE0, uint32),
	ARM(FWP_UINT64, WF_PTR_RAW, FWP_CONDITION_VALUE0, uint64, .size = 8),
	ARM(FWP_INT8, WF_U8, FWP_CONDITION_VALUE0, int8),
	ARM(FWP_INT16, WF_U16, FWP_CONDITION_VALUE0, int16),
	ARM(FWP_INT32, WF_U32, FWP_CONDITION_VALUE0, int32),
	ARM(FWP_INT64, WF_PTR_RAW, FWP_CONDITION_VALUE0, int64, .size = 8),
	ARM(FWP_FLOAT, WF_U32, FWP_CONDITION_VALUE0, float32),
	ARM(FWP_DOUBLE, WF_PTR_RAW, FWP_CONDITION_VALUE0, double64, .size = 8),
	ARM(FWP_BYTE_ARRAY16_TYPE, WF_PTR_RAW, FWP_CONDITION_VALUE0, byteArray16, .size = 16),
	ARM(FWP_BYTE_BLOB_TYPE, WF_PTR, FWP_CONDITION_VALUE0, byteBlob,
	    .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_SECURITY_DESCRIPTOR_TYPE, WF_PTR, FWP_CONDITION_VALUE0, sd,
	    .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_TOKEN_ACCESS_INFORMATION_TYPE, WF_PTR, FWP_CONDITION_VALUE0,
	    tokenAccessInformation, .sub = &wf_FWP_BYTE_BLOB),
	ARM(FWP_UNICODE_STRING_TYPE, WF_WSTR, FWP_CONDITION_VALUE0, unicodeString),
	ARM(FWP_BYTE_ARRAY6_TYPE, WF_PTR_RAW, FWP_CONDITION_VALUE0, byteArray6, .size = 6),
	ARM(FWP_V4_ADDR_MASK, WF_PTR_RAW, FWP_CONDITION_VALUE0, v4AddrMask,
	    .size = sizeof(FWP_V4_ADDR_AND_MASK)),
	ARM(FWP_V6_ADDR_MASK, WF_PTR_RAW, FWP_CONDITION_VALUE0, v6AddrMask,
	    .size = sizeof(FWP_V6_ADDR_AND_MASK)),
	ARM(FWP_RANGE_TYPE, WF_PTR, FWP_CONDITION_VALUE0, rangeValue, .sub = &wf_FWP_RANGE0),
};

static const struct wf_field f_cond_value[] = {
	F_U32(FWP_CONDITION_VALUE0, type),
	F_UNION(FWP_CONDITION_VALUE0, uint8, type, cond_arms),
};
STRUCT(FWP_CONDITION_VALUE0, f_cond_value);

static const struct wf_field f_filter_condition[] = {
	F_RAW(FWPM_FILTER_CONDITION0, fieldKey),
	F_U32(FWPM_FILTER_CONDITION0, matchType),
	F_STRUCT(FWPM_FILTER_CONDITION0, conditionValue, FWP_CONDITION_VALUE0),
};
static STRUCT(FWPM_FILTER_CONDITION0, f_filter_condition);

static const struct wf_field f_action[] = {
	F_U32(FWPM_ACTION0, type),
	F_RAW(FWPM_ACTION0, filterType),	/* or calloutKey: same 16 bytes */
};
static STRUCT(FWPM_ACTION0, f_action);

static const struct wf_field f_filter[] = {
	F_RAW(FWPM_FILTER0, filterKey),
	F_STRUCT(FWPM_FILTER0, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_FILTER0, flags),
	F_PTR_RAW(FWPM_FILTER0, providerKey, sizeof(GUID)),
	F_BLOB(FWPM_FILTER0, providerData),
	F_RAW(FWPM_FILTER0, layerKey),
	F_RAW(FWPM_FILTER0, subLayerKey),
	F_STRUCT(FWPM_FILTER0, weight, FWP_VALUE0),
	F_ARRAY(FWPM_FILTER0, filterCondition, numFilterConditions,
		FWPM_FILTER_CONDITION0, MAX_CONDITIONS),
	F_STRUCT(FWPM_FILTER0, action, FWPM_ACTION0),
	/* rawContext or providerContextKey: the same 16 bytes */
	{ .kind = WF_RAW, .offset = offsetof(FWPM_FILTER0, providerContextKey),
	  .size = sizeof(GUID) },
	F_PTR_RAW(FWPM_FILTER0, reserved, sizeof(GUID)),
	F_U64(FWPM_FILTER0, filterId),
	F_STRUCT(FWPM_FILTER0, effectiveWeight, FWP_VALUE0),
};
STRUCT(FWPM_FILTER0, f_filter);

static const struct wf_field f_traffic[] = {
	F_U32(IPSEC_TRAFFIC1, ipVersion),
	F_RAW(IPSEC_TRAFFIC1, localV6Address),	/* the v4 arm lives inside */
	F_RAW(IPSEC_TRAFFIC1, remoteV6Address),
	F_U32(IPSEC_TRAFFIC1, trafficType),
	F_U64(IPSEC_TRAFFIC1, ipsecFilterId),	/* or tunnelPolicyId */
	F_U16(IPSEC_TRAFFIC1, remotePort),
	F_U16(IPSEC_TRAFFIC1, localPort),
	F_U8(IPSEC_TRAFFIC1, ipProtocol),
	F_U64(IPSEC_TRAFFIC1, localIfLuid),
	F_U32(IPSEC_TRAFFIC1, realIfProfileId),
};
STRUCT(IPSEC_TRAFFIC1, f_traffic);

static const struct wf_field f_vif[] = {
	F_U64(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, virtualIfTunnelId),
	F_U64(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, trafficSelectorId),
};
STRUCT(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, f_vif);

static const struct wf_field f_getspi[] = {
	F_STRUCT(IPSEC_GETSPI1, inboundIpsecTraffic, IPSEC_TRAFFIC1),
	F_U32(IPSEC_GETSPI1, ipVersion),
	F_PTR_RAW(IPSEC_GETSPI1, inboundUdpEncapsulation,
		  sizeof(IPSEC_V4_UDP_ENCAPSULATION0)),
	F_PTR_RAW(IPSEC_GETSPI1, rngCryptoModuleID, sizeof(GUID)),
};
STRUCT(IPSEC_GETSPI1, f_getspi);

static const struct wf_field f_auth_id[] = {
	F_U32(IPSEC_AUTH_TRANSFORM_ID0, authType),
	F_U8(IPSEC_AUTH_TRANSFORM_ID0, authConfig),
};
static STRUCT(IPSEC_AUTH_TRANSFORM_ID0, f_auth_id);

static const struct wf_field f_auth_transform[] = {
	F_STRUCT(IPSEC_AUTH_TRANSFORM0, authTransformId, IPSEC_AUTH_TRANSFORM_ID0),
	F_PTR_RAW(IPSEC_AUTH_TRANSFORM0, cryptoModuleId, sizeof(GUID)),
};
static STRUCT(IPSEC_AUTH_TRANSFORM0, f_auth_transform);

static const struct wf_field f_cipher_id[] = {
	F_U32(IPSEC_CIPHER_TRANSFORM_ID0, cipherType),
	F_U8(IPSEC_CIPHER_TRANSFORM_ID0, cipherConfig),
};
static STRUCT(IPSEC_CIPHER_TRANSFORM_ID0, f_cipher_id);

static const struct wf_field f_cipher_transform[] = {
	F_STRUCT(IPSEC_CIPHER_TRANSFORM0, cipherTransformId, IPSEC_CIPHER_TRANSFORM_ID0),
	F_PTR_RAW(IPSEC_CIPHER_TRANSFORM0, cryptoModuleId, sizeof(GUID)),
};
static STRUCT(IPSEC_CIPHER_TRANSFORM0, f_cipher_transform);

static const struct wf_field f_auth_info[] = {
	F_STRUCT(IPSEC_SA_AUTH_INFORMATION0, authTransform, IPSEC_AUTH_TRANSFORM0),
	F_KEY(IPSEC_SA_AUTH_INFORMATION0, authKey),
};
static STRUCT(IPSEC_SA_AUTH_INFORMATION0, f_auth_info);

static const struct wf_field f_cipher_info[] = {
	F_STRUCT(IPSEC_SA_CIPHER_INFORMATION0, cipherTransform, IPSEC_CIPHER_TRANSFORM0),
	F_KEY(IPSEC_SA_CIPHER_INFORMATION0, cipherKey),
};
static STRUCT(IPSEC_SA_CIPHER_INFORMATION0, f_cipher_info);

static const struct wf_field f_auth_cipher_info[] = {
	F_STRUCT(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, saCipherInformation,
		 IPSEC_SA_CIPHER_INFORMATION0),
	F_STRUCT(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, saAuthInformation,
		 IPSEC_SA_AUTH_INFORMATION0),
};
static STRUCT(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, f_auth_cipher_info);

static const struct wf_arm sa_arms[] = {
	ARM(IPSEC_TRANSFORM_AH, WF_PTR, IPSEC_SA0, ahInformation,
	    .sub = &wf_IPSEC_SA_AUTH_INFORMATION0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH, WF_PTR, IPSEC_SA0, espAuthInformation,
	    .sub = &wf_IPSEC_SA_AUTH_INFORMATION0),
	ARM(IPSEC_TRANSFORM_ESP_CIPHER, WF_PTR, IPSEC_SA0, espCipherInformation,
	    .sub = &wf_IPSEC_SA_CIPHER_INFORMATION0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, WF_PTR, IPSEC_SA0,
	    espAuthAndCipherInformation, .sub = &wf_IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH_FW, WF_PTR, IPSEC_SA0, espAuthFwInformation,
	    .sub = &wf_IPSEC_SA_AUTH_INFORMATION0),
};

static const struct wf_field f_sa[] = {
	F_U32(IPSEC_SA0, spi),
	F_U32(IPSEC_SA0, saTransformType),
	F_UNION(IPSEC_SA0, ahInformation, saTransformType, sa_arms),
};
static STRUCT(IPSEC_SA0, f_sa);

static const struct wf_field f_lifetime[] = {
	F_U32(IPSEC_SA_LIFETIME0, lifetimeSeconds),
	F_U32(IPSEC_SA_LIFETIME0, lifetimeKilobytes),
	F_U32(IPSEC_SA_LIFETIME0, lifetimePackets),
};
static STRUCT(IPSEC_SA_LIFETIME0, f_lifetime);

static const struct wf_field f_token[] = {
	F_U32(IPSEC_TOKEN0, type),
	F_U32(IPSEC_TOKEN0, principal),
	F_U32(IPSEC_TOKEN0, mode),
	F_U64(IPSEC_TOKEN0, token),
};
static STRUCT(IPSEC_TOKEN0, f_token);

static const struct wf_field f_id[] = {
	F_WSTR(IPSEC_ID0, mmTargetName),
	F_WSTR(IPSEC_ID0, emTargetName),
	F_ARRAY(IPSEC_ID0, tokens, numTokens, IPSEC_TOKEN0, MAX_TOKENS),
	F_U64(IPSEC_ID0, explicitCredentials),
	F_U64(IPSEC_ID0, logonId),
};
static STRUCT(IPSEC_ID0, f_id);

static const struct wf_field f_keymod[] = {
	F_RAW(IPSEC_KEYMODULE_STATE0, keyModuleKey),
	F_BLOB(IPSEC_KEYMODULE_STATE0, stateBlob),
};
STRUCT(IPSEC_KEYMODULE_STATE0, f_keymod);

static const struct wf_field f_bundle[] = {
	F_U32(IPSEC_SA_BUNDLE1, flags),
	F_STRUCT(IPSEC_SA_BUNDLE1, lifetime, IPSEC_SA_LIFETIME0),
	F_U32(IPSEC_SA_BUNDLE1, idleTimeoutSeconds),
	F_U32(IPSEC_SA_BUNDLE1, ndAllowClearTimeoutSeconds),
	F_PTR(IPSEC_SA_BUNDLE1, ipsecId, IPSEC_ID0),
	F_U32(IPSEC_SA_BUNDLE1, napContext),
	F_U32(IPSEC_SA_BUNDLE1, qmSaId),
	F_ARRAY(IPSEC_SA_BUNDLE1, saList, numSAs, IPSEC_SA0, MAX_SAS),
	F_PTR(IPSEC_SA_BUNDLE1, keyModuleState, IPSEC_KEYMODULE_STATE0),
	F_U32(IPSEC_SA_BUNDLE1, ipVersion),
	F_U32(IPSEC_SA_BUNDLE1, peerV4PrivateAddress),
	F_U64(IPSEC_SA_BUNDLE1, mmSaId),
	F_U32(IPSEC_SA_BUNDLE1, pfsGroup),
	F_RAW(IPSEC_SA_BUNDLE1, saLookupContext),
	F_U64(IPSEC_SA_BUNDLE1, qmFilterId),
};
STRUCT(IPSEC_SA_BUNDLE1, f_bundle);

static const struct wf_field f_details[] = {
	F_U32(IPSEC_SA_DETAILS1, ipVersion),
	F_U32(IPSEC_SA_DETAILS1, saDirection),
	F_STRUCT(IPSEC_SA_DETAILS1, traffic, IPSEC_TRAFFIC1),
	F_STRUCT(IPSEC_SA_DETAILS1, saBundle, IPSEC_SA_BUNDLE1),
	F_PTR_RAW(IPSEC_SA_DETAILS1, udpEncapsulation, sizeof(IPSEC_V4_UDP_ENCAPSULATION0)),
	F_PTR(IPSEC_SA_DETAILS1, transportFilter, FWPM_FILTER0),
	F_STRUCT(IPSEC_SA_DETAILS1, virtualIfTunnelInfo, IPSEC_VIRTUAL_IF_TUNNEL_INFO0),
};
STRUCT(IPSEC_SA_DETAILS1, f_details);

static const struct wf_field f_context[] = {
	F_U64(IPSEC_SA_CONTEXT1, saContextId),
	F_PTR(IPSEC_SA_CONTEXT1, inboundSa, IPSEC_SA_DETAILS1),
	F_PTR(IPSEC_SA_CONTEXT1, outboundSa, IPSEC_SA_DETAILS1),
};
STRUCT(IPSEC_SA_CONTEXT1, f_context);

static const struct wf_field f_ctx_template[] = {
	F_STRUCT(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, localSubNet, FWP_CONDITION_VALUE0),
	F_STRUCT(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, remoteSubNet, FWP_CONDITION_VALUE0),
};
STRUCT(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, f_ctx_template);

static const struct wf_field f_sa_template[] = {
	F_U32(IPSEC_SA_ENUM_TEMPLATE0, saDirection),
};
STRUCT(IPSEC_SA_ENUM_TEMPLATE0, f_sa_template);

static const struct wf_field f_subscription[] = {
	F_PTR(IPSEC_SA_CONTEXT_SUBSCRIPTION0, enumTemplate, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0),
	F_U32(IPSEC_SA_CONTEXT_SUBSCRIPTION0, flags),
	F_RAW(IPSEC_SA_CONTEXT_SUBSCRIPTION0, sessionKey),
};
STRUCT(IPSEC_SA_CONTEXT_SUBSCRIPTION0, f_subscription);

/* Net-event subscriptions: conditions as in filters. */
static const struct wf_field f_net_tmpl[] = {
	F_RAW(FWPM_NET_EVENT_ENUM_TEMPLATE0, startTime),
	F_RAW(FWPM_NET_EVENT_ENUM_TEMPLATE0, endTime),
	F_ARRAY(FWPM_NET_EVENT_ENUM_TEMPLATE0, filterCondition, numFilterConditions,
		FWPM_FILTER_CONDITION0, MAX_CONDITIONS),
};
STRUCT(FWPM_NET_EVENT_ENUM_TEMPLATE0, f_net_tmpl);

static const struct wf_field f_net_subscription[] = {
	F_PTR(FWPM_NET_EVENT_SUBSCRIPTION0, enumTemplate, FWPM_NET_EVENT_ENUM_TEMPLATE0),
	F_U32(FWPM_NET_EVENT_SUBSCRIPTION0, flags),
	F_RAW(FWPM_NET_EVENT_SUBSCRIPTION0, sessionKey),
};
STRUCT(FWPM_NET_EVENT_SUBSCRIPTION0, f_net_subscription);

static const struct wf_field f_net_record[] = {
	F_RAW(WF_NET_EVENT_RECORD, raw),
};
STRUCT(WF_NET_EVENT_RECORD, f_net_record);

/* sid is not carried: the service fills in who the peer is itself. */
static const struct wf_field f_session[] = {
	F_RAW(FWPM_SESSION0, sessionKey),
	F_STRUCT(FWPM_SESSION0, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_SESSION0, flags),
	F_U32(FWPM_SESSION0, txnWaitTimeoutInMSec),
	F_U32(FWPM_SESSION0, processId),
	F_WSTR(FWPM_SESSION0, username),
	F_U32(FWPM_SESSION0, kernelMode),
};
STRUCT(FWPM_SESSION0, f_session);

/* ---- policy objects: providers, sublayers, provider contexts ---- */

static const struct wf_field f_provider[] = {
	F_RAW(FWPM_PROVIDER0, providerKey),
	F_STRUCT(FWPM_PROVIDER0, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_PROVIDER0, flags),
	F_BLOB(FWPM_PROVIDER0, providerData),
	F_WSTR(FWPM_PROVIDER0, serviceName),
};
STRUCT(FWPM_PROVIDER0, f_provider);

static const struct wf_field f_sublayer[] = {
	F_RAW(FWPM_SUBLAYER0, subLayerKey),
	F_STRUCT(FWPM_SUBLAYER0, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_SUBLAYER0, flags),
	F_PTR_RAW(FWPM_SUBLAYER0, providerKey, sizeof(GUID)),
	F_BLOB(FWPM_SUBLAYER0, providerData),
	F_U16(FWPM_SUBLAYER0, weight),
};
STRUCT(FWPM_SUBLAYER0, f_sublayer);

/* Quick-mode policy. emPolicy (AuthIP extended mode) is not carried, only
 * whether there is one (one byte of it), so that the engine can refuse it
 * with FWP_E_EM_NOT_SUPPORTED on either transport. */
#define MAX_PROPOSALS 64
#define MAX_SA_TRANSFORMS 4

static const struct wf_field f_auth_and_cipher[] = {
	F_STRUCT(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, authTransform, IPSEC_AUTH_TRANSFORM0),
	F_STRUCT(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, cipherTransform, IPSEC_CIPHER_TRANSFORM0),
};
static STRUCT(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, f_auth_and_cipher);

static const struct wf_arm sa_transform_arms[] = {
	ARM(IPSEC_TRANSFORM_AH, WF_PTR, IPSEC_SA_TRANSFORM0, ahTransform,
	    .sub = &wf_IPSEC_AUTH_TRANSFORM0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH, WF_PTR, IPSEC_SA_TRANSFORM0, espAuthTransform,
	    .sub = &wf_IPSEC_AUTH_TRANSFORM0),
	ARM(IPSEC_TRANSFORM_ESP_CIPHER, WF_PTR, IPSEC_SA_TRANSFORM0, espCipherTransform,
	    .sub = &wf_IPSEC_CIPHER_TRANSFORM0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, WF_PTR, IPSEC_SA_TRANSFORM0,
	    espAuthAndCipherTransform, .sub = &wf_IPSEC_AUTH_AND_CIPHER_TRANSFORM0),
	ARM(IPSEC_TRANSFORM_ESP_AUTH_FW, WF_PTR, IPSEC_SA_TRANSFORM0, espAuthFwTransform,
	    .sub = &wf_IPSEC_AUTH_TRANSFORM0),
};

static const struct wf_field f_sa_transform[] = {
	F_U32(IPSEC_SA_TRANSFORM0, ipsecTransformType),
	F_UNION(IPSEC_SA_TRANSFORM0, ahTransform, ipsecTransformType, sa_transform_arms),
};
static STRUCT(IPSEC_SA_TRANSFORM0, f_sa_transform);

static const struct wf_field f_proposal[] = {
	F_STRUCT(IPSEC_PROPOSAL0, lifetime, IPSEC_SA_LIFETIME0),
	F_ARRAY(IPSEC_PROPOSAL0, saTransforms, numSaTransforms, IPSEC_SA_TRANSFORM0,
		MAX_SA_TRANSFORMS),
	F_U32(IPSEC_PROPOSAL0, pfsGroup),
};
static STRUCT(IPSEC_PROPOSAL0, f_proposal);

static const struct wf_field f_idle[] = {
	F_U32(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSeconds),
	F_U32(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSecondsFailOver),
};
static STRUCT(IPSEC_SA_IDLE_TIMEOUT0, f_idle);

static const struct wf_field f_transport_policy0[] = {
	F_ARRAY(IPSEC_TRANSPORT_POLICY0, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_U32(IPSEC_TRANSPORT_POLICY0, flags),
	F_U32(IPSEC_TRANSPORT_POLICY0, ndAllowClearTimeoutSeconds),
	F_STRUCT(IPSEC_TRANSPORT_POLICY0, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
};
static STRUCT(IPSEC_TRANSPORT_POLICY0, f_transport_policy0);

static const struct wf_field f_transport_policy1[] = {
	F_ARRAY(IPSEC_TRANSPORT_POLICY1, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_U32(IPSEC_TRANSPORT_POLICY1, flags),
	F_U32(IPSEC_TRANSPORT_POLICY1, ndAllowClearTimeoutSeconds),
	F_STRUCT(IPSEC_TRANSPORT_POLICY1, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
	F_PTR_RAW(IPSEC_TRANSPORT_POLICY1, emPolicy, 1),
};
static STRUCT(IPSEC_TRANSPORT_POLICY1, f_transport_policy1);

/* The address unions travel as their 16-byte v6 arm (the v4 arm lives
 * inside it), like IPSEC_TRAFFIC1's. */
static const struct wf_field f_endpoints0[] = {
	F_U32(IPSEC_TUNNEL_ENDPOINTS0, ipVersion),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS0, localV6Address),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS0, remoteV6Address),
};
static STRUCT(IPSEC_TUNNEL_ENDPOINTS0, f_endpoints0);

static const struct wf_field f_endpoints1[] = {
	F_U32(IPSEC_TUNNEL_ENDPOINTS1, ipVersion),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS1, localV6Address),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS1, remoteV6Address),
	F_U64(IPSEC_TUNNEL_ENDPOINTS1, localIfLuid),
};
static STRUCT(IPSEC_TUNNEL_ENDPOINTS1, f_endpoints1);

static const struct wf_field f_tunnel_policy0[] = {
	F_U32(IPSEC_TUNNEL_POLICY0, flags),
	F_ARRAY(IPSEC_TUNNEL_POLICY0, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_STRUCT(IPSEC_TUNNEL_POLICY0, tunnelEndpoints, IPSEC_TUNNEL_ENDPOINTS0),
	F_STRUCT(IPSEC_TUNNEL_POLICY0, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
};
static STRUCT(IPSEC_TUNNEL_POLICY0, f_tunnel_policy0);

static const struct wf_field f_tunnel_policy1[] = {
	F_U32(IPSEC_TUNNEL_POLICY1, flags),
	F_ARRAY(IPSEC_TUNNEL_POLICY1, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_STRUCT(IPSEC_TUNNEL_POLICY1, tunnelEndpoints, IPSEC_TUNNEL_ENDPOINTS1),
	F_STRUCT(IPSEC_TUNNEL_POLICY1, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
	F_PTR_RAW(IPSEC_TUNNEL_POLICY1, emPolicy, 1),
};
static STRUCT(IPSEC_TUNNEL_POLICY1, f_tunnel_policy1);

/* Main-mode (IKE / AuthIP / IKEv2) policies. Of the authentication
 * methods, the pre-shared key (a secret: wiped wherever decoded), the
 * flag-only arms and the anonymous one travel; a method the schema has no
 * arm for (certificates, CGA) sends no value and the engine refuses it
 * with ERROR_NOT_SUPPORTED. */
#define MAX_AUTH_METHODS 16

static const struct wf_field f_psk1[] = {
	F_KEY(IKEEXT_PRESHARED_KEY_AUTHENTICATION1, presharedKey),
	F_U32(IKEEXT_PRESHARED_KEY_AUTHENTICATION1, flags),
};
static STRUCT(IKEEXT_PRESHARED_KEY_AUTHENTICATION1, f_psk1);

static const struct wf_field f_psk0[] = {
	F_KEY(IKEEXT_PRESHARED_KEY_AUTHENTICATION0, presharedKey),
};
static STRUCT(IKEEXT_PRESHARED_KEY_AUTHENTICATION0, f_psk0);

static const struct wf_arm auth1_arms[] = {
	ARM(IKEEXT_PRESHARED_KEY, WF_STRUCT, IKEEXT_AUTHENTICATION_METHOD1,
	    presharedKeyAuthentication, .sub = &wf_IKEEXT_PRESHARED_KEY_AUTHENTICATION1),
	ARM(IKEEXT_KERBEROS, WF_U32, IKEEXT_AUTHENTICATION_METHOD1, kerberosAuthentication),
	ARM(IKEEXT_ANONYMOUS, WF_NONE, IKEEXT_AUTHENTICATION_METHOD1, kerberosAuthentication),
	ARM(IKEEXT_NTLM_V2, WF_U32, IKEEXT_AUTHENTICATION_METHOD1, ntlmV2Authentication),
	ARM(IKEEXT_EAP, WF_U32, IKEEXT_AUTHENTICATION_METHOD1, eapAuthentication),
};

static const struct wf_field f_auth1[] = {
	F_U32(IKEEXT_AUTHENTICATION_METHOD1, authenticationMethodType),
	F_UNION(IKEEXT_AUTHENTICATION_METHOD1, presharedKeyAuthentication,
		authenticationMethodType, auth1_arms),
};
static STRUCT(IKEEXT_AUTHENTICATION_METHOD1, f_auth1);

static const struct wf_arm auth0_arms[] = {
	ARM(IKEEXT_PRESHARED_KEY, WF_STRUCT, IKEEXT_AUTHENTICATION_METHOD0,
	    presharedKeyAuthentication, .sub = &wf_IKEEXT_PRESHARED_KEY_AUTHENTICATION0),
	ARM(IKEEXT_KERBEROS, WF_U32, IKEEXT_AUTHENTICATION_METHOD0, kerberosAuthentication),
	ARM(IKEEXT_ANONYMOUS, WF_NONE, IKEEXT_AUTHENTICATION_METHOD0, kerberosAuthentication),
	ARM(IKEEXT_NTLM_V2, WF_U32, IKEEXT_AUTHENTICATION_METHOD0, ntlmV2Authentication),
};

static const struct wf_field f_auth0[] = {
	F_U32(IKEEXT_AUTHENTICATION_METHOD0, authenticationMethodType),
	F_UNION(IKEEXT_AUTHENTICATION_METHOD0, presharedKeyAuthentication,
		authenticationMethodType, auth0_arms),
};
static STRUCT(IKEEXT_AUTHENTICATION_METHOD0, f_auth0);

static const struct wf_field f_ike_cipher[] = {
	F_U32(IKEEXT_CIPHER_ALGORITHM0, algoIdentifier),
	F_U32(IKEEXT_CIPHER_ALGORITHM0, keyLen),
	F_U32(IKEEXT_CIPHER_ALGORITHM0, rounds),
};
static STRUCT(IKEEXT_CIPHER_ALGORITHM0, f_ike_cipher);

static const struct wf_field f_ike_integrity[] = {
	F_U32(IKEEXT_INTEGRITY_ALGORITHM0, algoIdentifier),
};
static STRUCT(IKEEXT_INTEGRITY_ALGORITHM0, f_ike_integrity);

static const struct wf_field f_ike_proposal[] = {
	F_STRUCT(IKEEXT_PROPOSAL0, cipherAlgorithm, IKEEXT_CIPHER_ALGORITHM0),
	F_STRUCT(IKEEXT_PROPOSAL0, integrityAlgorithm, IKEEXT_INTEGRITY_ALGORITHM0),
	F_U32(IKEEXT_PROPOSAL0, maxLifetimeSeconds),
	F_U32(IKEEXT_PROPOSAL0, dhGroup),
	F_U32(IKEEXT_PROPOSAL0, quickModeLimit),
};
static STRUCT(IKEEXT_PROPOSAL0, f_ike_proposal);

static const struct wf_field f_ike_policy1[] = {
	F_U32(IKEEXT_POLICY1, softExpirationTime),
	F_ARRAY(IKEEXT_POLICY1, authenticationMethods, numAuthenticationMethods,
		IKEEXT_AUTHENTICATION_METHOD1, MAX_AUTH_METHODS),
	F_U32(IKEEXT_POLICY1, initiatorImpersonationType),
	F_ARRAY(IKEEXT_POLICY1, ikeProposals, numIkeProposals, IKEEXT_PROPOSAL0,
		MAX_PROPOSALS),
	F_U32(IKEEXT_POLICY1, flags),
	F_U32(IKEEXT_POLICY1, maxDynamicFilters),
	F_U32(IKEEXT_POLICY1, retransmitDurationSecs),
};
STRUCT(IKEEXT_POLICY1, f_ike_policy1);

static const struct wf_field f_ike_policy0[] = {
	F_U32(IKEEXT_POLICY0, softExpirationTime),
	F_ARRAY(IKEEXT_POLICY0, authenticationMethods, numAuthenticationMethods,
		IKEEXT_AUTHENTICATION_METHOD0, MAX_AUTH_METHODS),
	F_U32(IKEEXT_POLICY0, initiatorImpersonationType),
	F_ARRAY(IKEEXT_POLICY0, ikeProposals, numIkeProposals, IKEEXT_PROPOSAL0,
		MAX_PROPOSALS),
	F_U32(IKEEXT_POLICY0, flags),
	F_U32(IKEEXT_POLICY0, maxDynamicFilters),
};
STRUCT(IKEEXT_POLICY0, f_ike_policy0);

/* A keying policy's allowed keying modules (FWPM_KEYING_MODULE_*). */
#define MAX_KEY_MODS 16

static const struct wf_field f_guid[] = {
	{ .kind = WF_RAW, .offset = 0, .size = sizeof(GUID) },
};
static const struct wf_struct wf_GUID = { "GUID", sizeof(GUID), _Alignof(GUID), f_guid,
					  N(f_guid) };

static const struct wf_field f_keying0[] = {
	F_ARRAY(IPSEC_KEYING_POLICY0, keyModKeys, numKeyMods, GUID, MAX_KEY_MODS),
};
static STRUCT(IPSEC_KEYING_POLICY0, f_keying0);

static const struct wf_field f_keying1[] = {
	F_ARRAY(IPSEC_KEYING_POLICY1, keyModKeys, numKeyMods, GUID, MAX_KEY_MODS),
	F_U32(IPSEC_KEYING_POLICY1, flags),
};
static STRUCT(IPSEC_KEYING_POLICY1, f_keying1);

/* The quick-mode transport and tunnel arms, the main-mode policies and the
 * keying policy are carried; the engine refuses the other context types
 * (ERROR_NOT_SUPPORTED), which send no value. */
static const struct wf_arm pc0_arms[] = {
	ARM(FWPM_IPSEC_KEYING_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    keyingPolicy, .sub = &wf_IPSEC_KEYING_POLICY0),
	ARM(FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    ikeQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY0),
	ARM(FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    ikeQmTunnelPolicy, .sub = &wf_IPSEC_TUNNEL_POLICY0),
	ARM(FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    authipQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY0),
	ARM(FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    authipQmTunnelPolicy, .sub = &wf_IPSEC_TUNNEL_POLICY0),
	ARM(FWPM_IPSEC_IKE_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    ikeMmPolicy, .sub = &wf_IKEEXT_POLICY0),
	ARM(FWPM_IPSEC_AUTHIP_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT0,
	    authIpMmPolicy, .sub = &wf_IKEEXT_POLICY0),
};

static const struct wf_field f_pcontext0[] = {
	F_RAW(FWPM_PROVIDER_CONTEXT0, providerContextKey),
	F_STRUCT(FWPM_PROVIDER_CONTEXT0, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_PROVIDER_CONTEXT0, flags),
	F_PTR_RAW(FWPM_PROVIDER_CONTEXT0, providerKey, sizeof(GUID)),
	F_BLOB(FWPM_PROVIDER_CONTEXT0, providerData),
	F_U32(FWPM_PROVIDER_CONTEXT0, type),
	F_UNION(FWPM_PROVIDER_CONTEXT0, ikeQmTransportPolicy, type, pc0_arms),
	F_U64(FWPM_PROVIDER_CONTEXT0, providerContextId),
};
STRUCT(FWPM_PROVIDER_CONTEXT0, f_pcontext0);

static const struct wf_arm pc1_arms[] = {
	ARM(FWPM_IPSEC_KEYING_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    keyingPolicy, .sub = &wf_IPSEC_KEYING_POLICY0),
	ARM(FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY1),
	ARM(FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeQmTunnelPolicy, .sub = &wf_IPSEC_TUNNEL_POLICY1),
	ARM(FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    authipQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY1),
	ARM(FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    authipQmTunnelPolicy, .sub = &wf_IPSEC_TUNNEL_POLICY1),
	ARM(FWPM_IPSEC_IKE_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeMmPolicy, .sub = &wf_IKEEXT_POLICY1),
	ARM(FWPM_IPSEC_AUTHIP_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    authIpMmPolicy, .sub = &wf_IKEEXT_POLICY1),
	ARM(FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeV2QmTunnelPolicy, .sub = &wf_IPSEC_TUNNEL_POLICY1),
	ARM(FWPM_IPSEC_IKEV2_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeV2MmPolicy, .sub = &wf_IKEEXT_POLICY1),
	/* Version 1 has no arm of its own for it: the engine's record keeps
	 * the policy in the union's one pointer (convert_policy_v2.c). */
	ARM(FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT1,
	    ikeQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY1),
};

static const struct wf_field f_pcontext1[] = {
	F_RAW(FWPM_PROVIDER_CONTEXT1, providerContextKey),
	F_STRUCT(FWPM_PROVIDER_CONTEXT1, displayData, FWPM_DISPLAY_DATA0),
	F_U32(FWPM_PROVIDER_CONTEXT1, flags),
	F_PTR_RAW(FWPM_PROVIDER_CONTEXT1, providerKey, sizeof(GUID)),
	F_BLOB(FWPM_PROVIDER_CONTEXT1, providerData),
	F_U32(FWPM_PROVIDER_CONTEXT1, type),
	F_UNION(FWPM_PROVIDER_CONTEXT1, ikeQmTransportPolicy, type, pc1_arms),
	F_U64(FWPM_PROVIDER_CONTEXT1, providerContextId),
};
STRUCT(FWPM_PROVIDER_CONTEXT1, f_pcontext1);

/* Versions 2 and 3 (Windows 8, Windows 10 RS3), as the library converts
 * them to and from version 1 (client/convert_policy_v2.c); the engine
 * keeps version 1, so these describe client-side copies only. */
#define MAX_TUNNEL_ADDRESSES 16
#define MAX_TRAFFIC_SELECTORS 64

static const struct wf_field f_transport_policy2[] = {
	F_ARRAY(IPSEC_TRANSPORT_POLICY2, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_U32(IPSEC_TRANSPORT_POLICY2, flags),
	F_U32(IPSEC_TRANSPORT_POLICY2, ndAllowClearTimeoutSeconds),
	F_STRUCT(IPSEC_TRANSPORT_POLICY2, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
	F_PTR_RAW(IPSEC_TRANSPORT_POLICY2, emPolicy, 1),
};
static STRUCT(IPSEC_TRANSPORT_POLICY2, f_transport_policy2);

static const struct wf_field f_endpoint0[] = {
	F_U32(IPSEC_TUNNEL_ENDPOINT0, ipVersion),
	F_RAW(IPSEC_TUNNEL_ENDPOINT0, v6Address),
};
static STRUCT(IPSEC_TUNNEL_ENDPOINT0, f_endpoint0);

static const struct wf_field f_endpoints2[] = {
	F_U32(IPSEC_TUNNEL_ENDPOINTS2, ipVersion),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS2, localV6Address),
	F_RAW(IPSEC_TUNNEL_ENDPOINTS2, remoteV6Address),
	F_U64(IPSEC_TUNNEL_ENDPOINTS2, localIfLuid),
	F_WSTR(IPSEC_TUNNEL_ENDPOINTS2, remoteFqdn),
	F_ARRAY(IPSEC_TUNNEL_ENDPOINTS2, remoteAddresses, numAddresses,
		IPSEC_TUNNEL_ENDPOINT0, MAX_TUNNEL_ADDRESSES),
};
static STRUCT(IPSEC_TUNNEL_ENDPOINTS2, f_endpoints2);

static const struct wf_field f_tunnel_policy2[] = {
	F_U32(IPSEC_TUNNEL_POLICY2, flags),
	F_ARRAY(IPSEC_TUNNEL_POLICY2, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_STRUCT(IPSEC_TUNNEL_POLICY2, tunnelEndpoints, IPSEC_TUNNEL_ENDPOINTS2),
	F_STRUCT(IPSEC_TUNNEL_POLICY2, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
	F_PTR_RAW(IPSEC_TUNNEL_POLICY2, emPolicy, 1),
	F_U32(IPSEC_TUNNEL_POLICY2, fwdPathSaLifetime),
};
static STRUCT(IPSEC_TUNNEL_POLICY2, f_tunnel_policy2);

static const struct wf_field f_traffic_selector[] = {
	F_U8(IPSEC_TRAFFIC_SELECTOR0, protocolId),
	F_U16(IPSEC_TRAFFIC_SELECTOR0, portStart),
	F_U16(IPSEC_TRAFFIC_SELECTOR0, portEnd),
	F_U32(IPSEC_TRAFFIC_SELECTOR0, ipVersion),
	F_RAW(IPSEC_TRAFFIC_SELECTOR0, startV6Address),
	F_RAW(IPSEC_TRAFFIC_SELECTOR0, endV6Address),
};
static STRUCT(IPSEC_TRAFFIC_SELECTOR0, f_traffic_selector);

static const struct wf_field f_ts_policy[] = {
	F_U32(IPSEC_TRAFFIC_SELECTOR_POLICY0, flags),
	F_ARRAY(IPSEC_TRAFFIC_SELECTOR_POLICY0, localTrafficSelectors,
		numLocalTrafficSelectors, IPSEC_TRAFFIC_SELECTOR0, MAX_TRAFFIC_SELECTORS),
	F_ARRAY(IPSEC_TRAFFIC_SELECTOR_POLICY0, remoteTrafficSelectors,
		numRemoteTrafficSelectors, IPSEC_TRAFFIC_SELECTOR0, MAX_TRAFFIC_SELECTORS),
};
static STRUCT(IPSEC_TRAFFIC_SELECTOR_POLICY0, f_ts_policy);

static const struct wf_field f_tunnel_policy3[] = {
	F_U32(IPSEC_TUNNEL_POLICY3, flags),
	F_ARRAY(IPSEC_TUNNEL_POLICY3, ipsecProposals, numIpsecProposals,
		IPSEC_PROPOSAL0, MAX_PROPOSALS),
	F_STRUCT(IPSEC_TUNNEL_POLICY3, tunnelEndpoints, IPSEC_TUNNEL_ENDPOINTS2),
	F_STRUCT(IPSEC_TUNNEL_POLICY3, saIdleTimeout, IPSEC_SA_IDLE_TIMEOUT0),
	F_PTR_RAW(IPSEC_TUNNEL_POLICY3, emPolicy, 1),
	F_U32(IPSEC_TUNNEL_POLICY3, fwdPathSaLifetime),
	F_U32(IPSEC_TUNNEL_POLICY3, compartmentId),
	F_ARRAY(IPSEC_TUNNEL_POLICY3, trafficSelectorPolicies, numTrafficSelectorPolicy,
		IPSEC_TRAFFIC_SELECTOR_POLICY0, MAX_TRAFFIC_SELECTORS),
};
static STRUCT(IPSEC_TUNNEL_POLICY3, f_tunnel_policy3);

static const struct wf_field f_kerberos1[] = {
	F_U32(IKEEXT_KERBEROS_AUTHENTICATION1, flags),
	F_WSTR(IKEEXT_KERBEROS_AUTHENTICATION1, proxyServer),
};
static STRUCT(IKEEXT_KERBEROS_AUTHENTICATION1, f_kerberos1);

static const struct wf_arm auth2_arms[] = {
	ARM(IKEEXT_PRESHARED_KEY, WF_STRUCT, IKEEXT_AUTHENTICATION_METHOD2,
	    presharedKeyAuthentication, .sub = &wf_IKEEXT_PRESHARED_KEY_AUTHENTICATION1),
	ARM(IKEEXT_KERBEROS, WF_STRUCT, IKEEXT_AUTHENTICATION_METHOD2, kerberosAuthentication,
	    .sub = &wf_IKEEXT_KERBEROS_AUTHENTICATION1),
	ARM(IKEEXT_ANONYMOUS, WF_NONE, IKEEXT_AUTHENTICATION_METHOD2, kerberosAuthentication),
	ARM(IKEEXT_NTLM_V2, WF_U32, IKEEXT_AUTHENTICATION_METHOD2, ntlmV2Authentication),
	ARM(IKEEXT_EAP, WF_U32, IKEEXT_AUTHENTICATION_METHOD2, eapAuthentication),
	ARM(IKEEXT_RESERVED, WF_U32, IKEEXT_AUTHENTICATION_METHOD2, reservedAuthentication),
};

static const struct wf_field f_auth2[] = {
	F_U32(IKEEXT_AUTHENTICATION_METHOD2, authenticationMethodType),
	F_UNION(IKEEXT_AUTHENTICATION_METHOD2, presharedKeyAuthentication,
		authenticationMethodType, auth2_arms),
};
static STRUCT(IKEEXT_AUTHENTICATION_METHOD2, f_auth2);

static const struct wf_field f_ike_policy2[] = {
	F_U32(IKEEXT_POLICY2, softExpirationTime),
	F_ARRAY(IKEEXT_POLICY2, authenticationMethods, numAuthenticationMethods,
		IKEEXT_AUTHENTICATION_METHOD2, MAX_AUTH_METHODS),
	F_U32(IKEEXT_POLICY2, initiatorImpersonationType),
	F_ARRAY(IKEEXT_POLICY2, ikeProposals, numIkeProposals, IKEEXT_PROPOSAL0,
		MAX_PROPOSALS),
	F_U32(IKEEXT_POLICY2, flags),
	F_U32(IKEEXT_POLICY2, maxDynamicFilters),
	F_U32(IKEEXT_POLICY2, retransmitDurationSecs),
};
static STRUCT(IKEEXT_POLICY2, f_ike_policy2);

#define PC_ARMS(V, TUN) \
	ARM(FWPM_IPSEC_KEYING_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    keyingPolicy, .sub = &wf_IPSEC_KEYING_POLICY1), \
	ARM(FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY2), \
	ARM(FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeQmTunnelPolicy, .sub = &wf_##TUN), \
	ARM(FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    authipQmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY2), \
	ARM(FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    authipQmTunnelPolicy, .sub = &wf_##TUN), \
	ARM(FWPM_IPSEC_IKE_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeMmPolicy, .sub = &wf_IKEEXT_POLICY2), \
	ARM(FWPM_IPSEC_AUTHIP_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    authIpMmPolicy, .sub = &wf_IKEEXT_POLICY2), \
	ARM(FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeV2QmTunnelPolicy, .sub = &wf_##TUN), \
	ARM(FWPM_IPSEC_IKEV2_MM_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeV2MmPolicy, .sub = &wf_IKEEXT_POLICY2), \
	ARM(FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT, WF_PTR, FWPM_PROVIDER_CONTEXT##V, \
	    ikeV2QmTransportPolicy, .sub = &wf_IPSEC_TRANSPORT_POLICY2)

#define PC_FIELDS(V, arms) \
	F_RAW(FWPM_PROVIDER_CONTEXT##V, providerContextKey), \
	F_STRUCT(FWPM_PROVIDER_CONTEXT##V, displayData, FWPM_DISPLAY_DATA0), \
	F_U32(FWPM_PROVIDER_CONTEXT##V, flags), \
	F_PTR_RAW(FWPM_PROVIDER_CONTEXT##V, providerKey, sizeof(GUID)), \
	F_BLOB(FWPM_PROVIDER_CONTEXT##V, providerData), \
	F_U32(FWPM_PROVIDER_CONTEXT##V, type), \
	F_UNION(FWPM_PROVIDER_CONTEXT##V, ikeQmTransportPolicy, type, arms), \
	F_U64(FWPM_PROVIDER_CONTEXT##V, providerContextId)

static const struct wf_arm pc2_arms[] = { PC_ARMS(2, IPSEC_TUNNEL_POLICY2) };
static const struct wf_field f_pcontext2[] = { PC_FIELDS(2, pc2_arms) };
STRUCT(FWPM_PROVIDER_CONTEXT2, f_pcontext2);

static const struct wf_arm pc3_arms[] = { PC_ARMS(3, IPSEC_TUNNEL_POLICY3) };
static const struct wf_field f_pcontext3[] = { PC_FIELDS(3, pc3_arms) };
STRUCT(FWPM_PROVIDER_CONTEXT3, f_pcontext3);

/* Enumeration templates of the policy objects. */
static const struct wf_field f_provider_tmpl[] = {
	F_U64(FWPM_PROVIDER_ENUM_TEMPLATE0, reserved),
};
STRUCT(FWPM_PROVIDER_ENUM_TEMPLATE0, f_provider_tmpl);

static const struct wf_field f_sublayer_tmpl[] = {
	F_PTR_RAW(FWPM_SUBLAYER_ENUM_TEMPLATE0, providerKey, sizeof(GUID)),
};
STRUCT(FWPM_SUBLAYER_ENUM_TEMPLATE0, f_sublayer_tmpl);

static const struct wf_field f_context_tmpl[] = {
	F_PTR_RAW(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, providerKey, sizeof(GUID)),
	F_U32(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, providerContextType),
};
STRUCT(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0, f_context_tmpl);

static const struct wf_field f_filter_tmpl[] = {
	F_PTR_RAW(FWPM_FILTER_ENUM_TEMPLATE0, providerKey, sizeof(GUID)),
	F_RAW(FWPM_FILTER_ENUM_TEMPLATE0, layerKey),
	F_U32(FWPM_FILTER_ENUM_TEMPLATE0, enumType),
	F_U32(FWPM_FILTER_ENUM_TEMPLATE0, flags),
	F_PTR(FWPM_FILTER_ENUM_TEMPLATE0, providerContextTemplate,
	      FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0),
	F_ARRAY(FWPM_FILTER_ENUM_TEMPLATE0, filterCondition, numFilterConditions,
		FWPM_FILTER_CONDITION0, MAX_CONDITIONS),
	F_U32(FWPM_FILTER_ENUM_TEMPLATE0, actionMask),
	F_PTR_RAW(FWPM_FILTER_ENUM_TEMPLATE0, calloutKey, sizeof(GUID)),
};
STRUCT(FWPM_FILTER_ENUM_TEMPLATE0, f_filter_tmpl);

const struct wf_struct *const wf_pol_object[WF_POL_KINDS] = {
	&wf_FWPM_PROVIDER0, &wf_FWPM_SUBLAYER0, &wf_FWPM_FILTER0, &wf_FWPM_PROVIDER_CONTEXT1,
};

const struct wf_struct *const wf_pol_template[WF_POL_KINDS] = {
	&wf_FWPM_PROVIDER_ENUM_TEMPLATE0, &wf_FWPM_SUBLAYER_ENUM_TEMPLATE0,
	&wf_FWPM_FILTER_ENUM_TEMPLATE0, &wf_FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0,
};

/* Change subscriptions: the kind's template, the notify flags, the key of
 * the session that made it. */
#define SUBSCRIPTION_FIELDS(T, TMPL) { \
	F_PTR(T, enumTemplate, TMPL), F_U32(T, flags), F_RAW(T, sessionKey), \
}
static const struct wf_field f_provider_sub[] =
	SUBSCRIPTION_FIELDS(FWPM_PROVIDER_SUBSCRIPTION0, FWPM_PROVIDER_ENUM_TEMPLATE0);
STRUCT(FWPM_PROVIDER_SUBSCRIPTION0, f_provider_sub);
static const struct wf_field f_sublayer_sub[] =
	SUBSCRIPTION_FIELDS(FWPM_SUBLAYER_SUBSCRIPTION0, FWPM_SUBLAYER_ENUM_TEMPLATE0);
STRUCT(FWPM_SUBLAYER_SUBSCRIPTION0, f_sublayer_sub);
static const struct wf_field f_filter_sub[] =
	SUBSCRIPTION_FIELDS(FWPM_FILTER_SUBSCRIPTION0, FWPM_FILTER_ENUM_TEMPLATE0);
STRUCT(FWPM_FILTER_SUBSCRIPTION0, f_filter_sub);
static const struct wf_field f_context_sub[] =
	SUBSCRIPTION_FIELDS(FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0,
			    FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0);
STRUCT(FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0, f_context_sub);

const struct wf_struct *const wf_pol_subscription[WF_POL_KINDS] = {
	&wf_FWPM_PROVIDER_SUBSCRIPTION0, &wf_FWPM_SUBLAYER_SUBSCRIPTION0,
	&wf_FWPM_FILTER_SUBSCRIPTION0, &wf_FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0,
};
