/*
 * test_policy_headers.c - compile-and-run check of the policy-object part
 * of the public headers: built-in GUID values, the initguid.h mechanism,
 * the provider/sublayer/filter/provider-context/net-event types and
 * prototypes, and the version-independent names.
 *
 * The GUID values below are typed in from the facts sheet's canonical text
 * (policy-facts §2), not taken from the headers, and compared byte by byte.
 * Plain C11; needs no library (no policy function is called, prototypes
 * are only checked in unevaluated contexts). Returns 0 on success, 1 on
 * the first failed check.
 */
#include <initguid.h>
#include <fwpmu.h>

#include <stdio.h>
#include <string.h>

static int failed_line;

#define CHECK(cond)						\
	do {							\
		if (!(cond) && !failed_line)			\
			failed_line = __LINE__;			\
	} while (0)

/*
 * ---------------------------------------------------------------------
 * GUID values
 * ---------------------------------------------------------------------
 */

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Text form "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" to its 16 bytes in
 * reading order; 0 on a malformed string.
 */
static int parse_guid_text(const char *text, UINT8 out[16])
{
	unsigned n = 0;

	for (; *text && n < 32; text++) {
		int v;

		if (*text == '-')
			continue;
		v = hex_nibble(*text);
		if (v < 0)
			return 0;
		if (n % 2 == 0)
			out[n / 2] = (UINT8)(v << 4);
		else
			out[n / 2] |= (UINT8)v;
		n++;
	}
	return n == 32 && *text == '\0';
}

/* The same 16 bytes from the structure, independent of host byte order. */
static void guid_bytes(const GUID *g, UINT8 out[16])
{
	unsigned i;

	out[0] = (UINT8)(g->Data1 >> 24);
	out[1] = (UINT8)(g->Data1 >> 16);
	out[2] = (UINT8)(g->Data1 >> 8);
	out[3] = (UINT8)g->Data1;
	out[4] = (UINT8)(g->Data2 >> 8);
	out[5] = (UINT8)g->Data2;
	out[6] = (UINT8)(g->Data3 >> 8);
	out[7] = (UINT8)g->Data3;
	for (i = 0; i < 8; i++)
		out[8 + i] = g->Data4[i];
}

static int guid_is(const GUID *g, const char *text)
{
	UINT8 want[16], got[16];
	unsigned i;

	if (!parse_guid_text(text, want))
		return 0;
	guid_bytes(g, got);
	for (i = 0; i < 16; i++) {
		if (got[i] != want[i])
			return 0;
	}
	return 1;
}

static void check_guid_values(void)
{
	/* The sample the brief asks for. */
	CHECK(guid_is(&FWPM_LAYER_INBOUND_TRANSPORT_V4,
		      "5926DFC8-E3CF-4426-A283-DC393F5D0F9D"));
	CHECK(guid_is(&FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
		      "E1735BDE-013F-4655-B351-A49E15762DF0"));
	CHECK(guid_is(&FWPM_SUBLAYER_IPSEC_TUNNEL,
		      "83F299ED-9FF4-4967-AFF4-C309F4DAB827"));
	CHECK(guid_is(&FWPM_SUBLAYER_UNIVERSAL,
		      "EEBECC03-CED4-4380-819A-2734397B2B74"));
	CHECK(guid_is(&FWPM_CONDITION_IP_LOCAL_ADDRESS,
		      "D9EE00DE-C1EF-4617-BFE3-FFD8F5A08957"));
	CHECK(guid_is(&FWPM_CONDITION_IP_REMOTE_PORT,
		      "C35A604D-D22B-4E1A-91B4-68F674EE674B"));
	CHECK(guid_is(&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4,
		      "5132900D-5E84-4B5F-80E4-01741E81FF10"));
	CHECK(guid_is(&FWPM_PROVIDER_IKEEXT,
		      "10AD9216-CCDE-456C-8B16-E9F04E60A90B"));

	/* Where the SDK's own comment lines are wrong: argument values. */
	CHECK(guid_is(&FWPM_LAYER_INBOUND_MAC_FRAME_ETHERNET,
		      "EFFB7EDB-0055-4F9A-A231-4FF8131AD191"));
	CHECK(guid_is(&FWPM_CONDITION_MAC_LOCAL_ADDRESS,
		      "D999E981-7948-4C83-B742-C84E3B678F8F"));

	/* mingw-w64 has a wrong Data1 and another name for this one. */
	CHECK(guid_is(&FWPM_PROVIDER_IPSEC_DOSP_CONFIG,
		      "3C6C05A9-C05C-4BB9-8338-2327814CE8BF"));

	/* One of each other group, and a header-text-only value. */
	CHECK(guid_is(&FWPM_KEYING_MODULE_IKEV2,
		      "041792CC-8F07-419D-A394-716968CB1647"));
	CHECK(guid_is(&FWPM_PROVIDER_CONTEXT_SECURE_SOCKET_IPSEC,
		      "8C2D4144-F8E0-42C0-94CE-7CCFC63B2F9B"));
	CHECK(guid_is(&FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6,
		      "DAE640CC-E021-4BEE-9EB6-A48B275C8C1D"));
	CHECK(guid_is(&FWPM_SUBLAYER_MPSSVC_EDP,
		      "09A47E38-FA97-471B-B123-18BCD7E65071"));
	CHECK(guid_is(&FWPM_CONDITION_BITMAP_INDEX_KEY,
		      "0F36514C-3226-4A81-A214-2D518B04D08A"));

	/* The checker itself must be able to fail. */
	CHECK(!guid_is(&FWPM_LAYER_INBOUND_TRANSPORT_V4,
		       "5926DFC8-E3CF-4426-A283-DC393F5D0F9E"));

	/* Aliases are the same objects, not copies. */
	CHECK(&FWPM_CONDITION_ICMP_TYPE == &FWPM_CONDITION_IP_LOCAL_PORT);
	CHECK(&FWPM_CONDITION_ICMP_CODE == &FWPM_CONDITION_IP_REMOTE_PORT);
	CHECK(&FWPM_CONDITION_VSWITCH_ICMP_TYPE ==
	      &FWPM_CONDITION_IP_SOURCE_PORT);
	CHECK(&FWPM_CONDITION_LOCAL_INTERFACE_INDEX ==
	      &FWPM_CONDITION_INTERFACE_INDEX);
	CHECK(&FWPM_SUBLAYER_EDGE_TRAVERSAL == &FWPM_SUBLAYER_TEREDO);
	CHECK(&FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_LISTEN_V6 ==
	      &FWPM_CALLOUT_TEREDO_ALE_LISTEN_V6);

	CHECK(IsEqualGUID(&FWPM_LAYER_IPSEC_V4, &FWPM_LAYER_IPSEC_V4));
	CHECK(!IsEqualGUID(&FWPM_LAYER_IPSEC_V4, &FWPM_LAYER_IPSEC_V6));
	CHECK(sizeof(GUID) == 16);
}

/*
 * ---------------------------------------------------------------------
 * Constants
 * ---------------------------------------------------------------------
 */

static void check_constants(void)
{
	CHECK(FWPM_PROVIDER_FLAG_PERSISTENT == 0x1 &&
	      FWPM_PROVIDER_FLAG_DISABLED == 0x10);
	CHECK(FWPM_SUBLAYER_FLAG_PERSISTENT == 0x1);
	CHECK(FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT == 0x1 &&
	      FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL == 0x2);
	CHECK(FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT == 0x4 &&
	      FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE == 0x800);
	CHECK(FWPM_CALLOUT_FLAG_REGISTERED == 0x40000);
	CHECK(FWPM_TUNNEL_FLAG_POINT_TO_POINT == 0x1 &&
	      FWPM_TUNNEL_FLAG_ENABLE_VIRTUAL_IF_TUNNELING == 0x2);
	CHECK(FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET == 0x8 &&
	      FWPM_NET_EVENT_FLAG_EFFECTIVE_NAME_SET == 0x2000);
	CHECK(FWPM_NET_EVENT_IKEEXT_MM_FAILURE_FLAG_BENIGN ==
	      FWPM_NET_EVENT_IKEEXT_EM_FAILURE_FLAG_MULTIPLE);
	CHECK(FWP_FILTER_ENUM_VALID_FLAGS == 0x3);
	CHECK(IPSEC_POLICY_FLAG_ND_SECURE == 0x2 &&
	      IPSEC_POLICY_FLAG_SITE_TO_SITE_TUNNEL == 0x10000);
	CHECK(IKEEXT_POLICY_SUPPORT_LOW_POWER_MODE == 0x100);

	CHECK(FWPM_AUTO_WEIGHT_BITS == 60);
	CHECK(FWPM_AUTO_WEIGHT_MAX == 0x0FFFFFFFFFFFFFFFULL);
	CHECK(FWPM_WEIGHT_RANGE_MAX == 0xF);
	CHECK(FWPM_WEIGHT_RANGE_IPSEC == 0 &&
	      FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS == 0xC);
	CHECK(sizeof(FWPM_CONTEXT_IPSEC_INBOUND_RESERVED) == 8 &&
	      FWPM_CONTEXT_IPSEC_INBOUND_RESERVED == 0xFF00000000000000ULL);

	CHECK(FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT == 2);
	CHECK(FWPM_IPSEC_DOSP_CONTEXT == 11);
	CHECK(FWPM_PROVIDER_CONTEXT_TYPE_MAX == 13);
	CHECK(FWPM_NET_EVENT_TYPE_CLASSIFY_DROP == 3 &&
	      FWPM_NET_EVENT_TYPE_MAX == 11);
	CHECK(FWP_FILTER_ENUM_OVERLAPPING == 1);
	CHECK(FWP_AF_ETHER == 2);
	CHECK(IKEEXT_CIPHER_AES_128 == 2 && IPSEC_CIPHER_TYPE_AES_128 == 3);
	CHECK(IKEEXT_DH_GROUP_14 == IKEEXT_DH_GROUP_2048);
	CHECK(IKEEXT_CERT_HASH_LEN == 20);
}

/*
 * ---------------------------------------------------------------------
 * A strongSwan-style filter and tunnel provider context
 * ---------------------------------------------------------------------
 */

/* strongSwan's fixed provider key. */
static const GUID test_provider_key = {
	0x59CDAE2E, 0xF6BB, 0x4C09,
	{ 0xA9, 0x59, 0x9D, 0x91, 0xAC, 0xAF, 0xF9, 0x19 }
};

static int net_event_calls;

static void CALLBACK on_net_event(void *context, const FWPM_NET_EVENT1 *event)
{
	(void)context;
	if (event->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP &&
	    event->classifyDrop->filterId == 42)
		net_event_calls++;
}

static void check_filter_and_context(void)
{
	FWP_V4_ADDR_AND_MASK local_net = { 0x0A000000u, 0xFF000000u };
	FWP_RANGE0 icmp_types = {
		.valueLow = { .type = FWP_UINT16, .uint16 = 0 },
		.valueHigh = { .type = FWP_UINT16, .uint16 = 8 },
	};
	FWPM_FILTER_CONDITION0 conds[3] = {
		{
			.fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS,
			.matchType = FWP_MATCH_EQUAL,
			.conditionValue = {
				.type = FWP_V4_ADDR_MASK,
				.v4AddrMask = &local_net,
			},
		},
		{
			.fieldKey = FWPM_CONDITION_IP_PROTOCOL,
			.matchType = FWP_MATCH_EQUAL,
			.conditionValue = { .type = FWP_UINT8, .uint8 = 1 },
		},
		{
			.fieldKey = FWPM_CONDITION_ICMP_TYPE,
			.matchType = FWP_MATCH_RANGE,
			.conditionValue = {
				.type = FWP_RANGE_TYPE,
				.rangeValue = &icmp_types,
			},
		},
	};
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 esp = {
		.authTransform = {
			.authTransformId =
				IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128,
		},
		.cipherTransform = {
			.cipherTransformId = IPSEC_CIPHER_TRANSFORM_ID_AES_128,
		},
	};
	IPSEC_SA_TRANSFORM0 transform = {
		.ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
		.espAuthAndCipherTransform = &esp,
	};
	IPSEC_PROPOSAL0 proposal = {
		.lifetime = {
			.lifetimeSeconds = 0xFFFF,
			.lifetimeKilobytes = 0xFFFFFFFF,
			.lifetimePackets = 0xFFFFFFFF,
		},
		.numSaTransforms = 1,
		.saTransforms = &transform,
		.pfsGroup = IPSEC_PFS_NONE,
	};
	IPSEC_TUNNEL_POLICY0 policy = {
		.flags = IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT,
		.numIpsecProposals = 1,
		.ipsecProposals = &proposal,
		.tunnelEndpoints = {
			.ipVersion = FWP_IP_VERSION_V4,
			.localV4Address = 0xC0A80001u,
			.remoteV4Address = 0xC0A80002u,
		},
		.saIdleTimeout = {
			.idleTimeoutSeconds = 300,
			.idleTimeoutSecondsFailOver = 60,
		},
	};
	FWPM_PROVIDER_CONTEXT0 qm = {
		.providerContextKey = { 0x12345678, 0x1, 0x2,
					{ 1, 2, 3, 4, 5, 6, 7, 8 } },
		.displayData = { .name = (wchar_t *)L"charon tunnel" },
		.providerKey = (GUID *)&test_provider_key,
		.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT,
		.ikeQmTunnelPolicy = &policy,
	};
	UINT64 weight = 0xFF00000000000000ULL;
	FWPM_FILTER0 filter = {
		.displayData = { .name = (wchar_t *)L"charon IPsec tunnel" },
		.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT,
		.providerKey = (GUID *)&test_provider_key,
		.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		.subLayerKey = FWPM_SUBLAYER_IPSEC_TUNNEL,
		.weight = { .type = FWP_UINT64, .uint64 = &weight },
		.numFilterConditions = 3,
		.filterCondition = conds,
		.action = {
			.type = FWP_ACTION_CALLOUT_TERMINATING,
			.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4,
		},
		.providerContextKey = qm.providerContextKey,
	};
	FWPM_NET_EVENT_CLASSIFY_DROP1 drop = { .filterId = 42, .layerId = 1 };
	FWPM_NET_EVENT1 event = {
		.header = {
			.flags = FWPM_NET_EVENT_FLAG_IP_VERSION_SET |
				 FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET,
			.ipVersion = FWP_IP_VERSION_V4,
			.localAddrV4 = 0x0A000001u,
			.localPort = 500,
		},
		.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP,
		.classifyDrop = &drop,
	};
	FWPM_NET_EVENT_SUBSCRIPTION0 subscription = { 0 };
	FWPM_NET_EVENT_CALLBACK0 callback = on_net_event;
	FWPM_PROVIDER0 provider = {
		.providerKey = test_provider_key,
		.displayData = { .name = (wchar_t *)L"charon" },
	};
	FWPM_SUBLAYER0 sublayer = {
		.displayData = { .name = (wchar_t *)L"charon sublayer" },
		.providerKey = (GUID *)&test_provider_key,
		.weight = 0x8000,
	};

	CHECK(IsEqualGUID(&filter.layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4));
	CHECK(IsEqualGUID(&filter.action.calloutKey,
			  &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4));
	CHECK(IsEqualGUID(&filter.providerContextKey, &qm.providerContextKey));
	CHECK(filter.action.type == 0x5003);
	CHECK(filter.filterCondition[2].conditionValue.rangeValue
		      ->valueHigh.uint16 == 8);
	CHECK(IsEqualGUID(&filter.filterCondition[2].fieldKey,
			  &FWPM_CONDITION_IP_LOCAL_PORT));
	CHECK(*filter.weight.uint64 == 0xFF00000000000000ULL);
	CHECK(qm.ikeQmTunnelPolicy->tunnelEndpoints.remoteV4Address ==
	      0xC0A80002u);
	CHECK(qm.ikeQmTunnelPolicy->ipsecProposals->saTransforms
		      ->espAuthAndCipherTransform->cipherTransform
		      .cipherTransformId.cipherType == IPSEC_CIPHER_TYPE_AES_128);
	/* All union arms alias. */
	CHECK((void *)qm.authipQmTunnelPolicy == (void *)&policy);
	CHECK(provider.displayData.name[0] == L'c');
	CHECK(sublayer.weight == 0x8000 && sublayer.flags == 0);
	CHECK(subscription.enumTemplate == NULL && subscription.flags == 0);

	callback(NULL, &event);
	CHECK(net_event_calls == 1);
	CHECK(event.header.reserved1 == FWP_AF_INET);
}

/*
 * ---------------------------------------------------------------------
 * Prototypes and version-independent names. The prototypes are checked
 * in _Generic's unevaluated operand, so nothing needs to be linked.
 * ---------------------------------------------------------------------
 */

#define HAS_TYPE(expr, type)	_Generic((expr), type: 1, default: 0)

#define COUNT_ONE(fn)	+ 1
enum { POLICY_FUNCTION_COUNT = 0 FWPUCLNT_POLICY_API_FUNCTIONS(COUNT_ONE) };
FWP_STATIC_ASSERT(POLICY_FUNCTION_COUNT == 63,
		  "FWPUCLNT_POLICY_API_FUNCTIONS count");

/* Every listed name is a declared function. */
#define IS_DECLARED(fn)	+ (int)sizeof(&fn) / (int)sizeof(&fn)
enum { DECLARED = 0 FWPUCLNT_POLICY_API_FUNCTIONS(IS_DECLARED) };
FWP_STATIC_ASSERT(DECLARED == 63, "policy functions declared");

/* The security-descriptor calls and the winnt.h layouts they take. */
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmFilterGetSecurityInfoByKey0,
	DWORD (*)(HANDLE, const GUID *, SECURITY_INFORMATION, PSID *, PSID *, PACL *,
		  PACL *, PSECURITY_DESCRIPTOR *)), "FwpmFilterGetSecurityInfoByKey0");
FWP_STATIC_ASSERT(HAS_TYPE(&IPsecSaDbSetSecurityInfo0,
	DWORD (*)(HANDLE, SECURITY_INFORMATION, const SID *, const SID *, const ACL *,
		  const ACL *)), "IPsecSaDbSetSecurityInfo0");
FWP_STATIC_ASSERT(offsetof(SECURITY_DESCRIPTOR_RELATIVE, Control) == 2 &&
		  offsetof(SECURITY_DESCRIPTOR_RELATIVE, Owner) == 4 &&
		  offsetof(SECURITY_DESCRIPTOR_RELATIVE, Group) == 8 &&
		  offsetof(SECURITY_DESCRIPTOR_RELATIVE, Sacl) == 12 &&
		  offsetof(SECURITY_DESCRIPTOR_RELATIVE, Dacl) == 16, "SD header");
FWP_STATIC_ASSERT(offsetof(SID, IdentifierAuthority) == 2 &&
		  offsetof(SID, SubAuthority) == 8, "SID layout");
FWP_STATIC_ASSERT(offsetof(ACCESS_ALLOWED_ACE, Mask) == 4 &&
		  offsetof(ACCESS_ALLOWED_ACE, SidStart) == 8, "ACE layout");
FWP_STATIC_ASSERT(ERROR_INVALID_SECURITY_DESCR == 1338 && SE_SELF_RELATIVE == 0x8000 &&
		  DACL_SECURITY_INFORMATION == 4 && GENERIC_ALL == 0x10000000u,
		  "descriptor constants");

/* The built-in layer and callout functions, a list of their own. */
enum { LAYER_FUNCTION_COUNT = 0 FWPUCLNT_LAYER_API_FUNCTIONS(COUNT_ONE) };
FWP_STATIC_ASSERT(LAYER_FUNCTION_COUNT == 13, "FWPUCLNT_LAYER_API_FUNCTIONS count");
enum { LAYER_DECLARED = 0 FWPUCLNT_LAYER_API_FUNCTIONS(IS_DECLARED) };
enum { CONTEXT23_DECLARED = 0 FWPUCLNT_CONTEXT23_API_FUNCTIONS(IS_DECLARED) };
FWP_STATIC_ASSERT(CONTEXT23_DECLARED == 10, "version 2/3 functions declared");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmIPsecTunnelAdd2,
	DWORD (WINAPI *)(HANDLE, UINT32, const FWPM_PROVIDER_CONTEXT2 *,
		  const FWPM_PROVIDER_CONTEXT2 *, UINT32, const FWPM_FILTER_CONDITION0 *,
		  const GUID *, PSECURITY_DESCRIPTOR)), "FwpmIPsecTunnelAdd2");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderContextEnum3,
	DWORD (WINAPI *)(HANDLE, HANDLE, UINT32, FWPM_PROVIDER_CONTEXT3 ***, UINT32 *)),
	"FwpmProviderContextEnum3");
FWP_STATIC_ASSERT(LAYER_DECLARED == 13, "layer functions declared");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmLayerGetById0,
	DWORD (WINAPI *)(HANDLE, UINT16, FWPM_LAYER0 **)), "FwpmLayerGetById0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmCalloutAdd0,
	DWORD (WINAPI *)(HANDLE, const FWPM_CALLOUT0 *, PSECURITY_DESCRIPTOR, UINT32 *)),
	"FwpmCalloutAdd0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmCalloutEnum0,
	DWORD (WINAPI *)(HANDLE, HANDLE, UINT32, FWPM_CALLOUT0 ***, UINT32 *)),
	"FwpmCalloutEnum0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmLayerEnum, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
	FWPM_LAYER0 ***, UINT32 *)), "FwpmLayerEnum -> 0");
FWP_STATIC_ASSERT(sizeof(FWPM_CALLOUT_ENUM_TEMPLATE) == 24, "FWPM_CALLOUT_ENUM_TEMPLATE -> 0");

FWP_STATIC_ASSERT(HAS_TYPE(&FwpmEngineSetOption0,
	DWORD (*)(HANDLE, FWPM_ENGINE_OPTION, const FWP_VALUE0 *)),
	"FwpmEngineSetOption0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmNetEventEnum1,
	DWORD (*)(HANDLE, HANDLE, UINT32, FWPM_NET_EVENT1 ***, UINT32 *)),
	"FwpmNetEventEnum1");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmNetEventSubscribe4,
	DWORD (*)(HANDLE, const FWPM_NET_EVENT_SUBSCRIPTION0 *, FWPM_NET_EVENT_CALLBACK4,
		  void *, HANDLE *)),
	"FwpmNetEventSubscribe4");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderAdd0,
	DWORD (*)(HANDLE, const FWPM_PROVIDER0 *, PSECURITY_DESCRIPTOR)),
	"FwpmProviderAdd0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderEnum0,
	DWORD (*)(HANDLE, HANDLE, UINT32, FWPM_PROVIDER0 ***, UINT32 *)),
	"FwpmProviderEnum0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmSubLayerGetByKey0,
	DWORD (*)(HANDLE, const GUID *, FWPM_SUBLAYER0 **)),
	"FwpmSubLayerGetByKey0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmFilterAdd0,
	DWORD (*)(HANDLE, const FWPM_FILTER0 *, PSECURITY_DESCRIPTOR,
		  UINT64 *)),
	"FwpmFilterAdd0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmFilterDeleteById0, DWORD (*)(HANDLE, UINT64)),
	"FwpmFilterDeleteById0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmFilterCreateEnumHandle0,
	DWORD (*)(HANDLE, const FWPM_FILTER_ENUM_TEMPLATE0 *, HANDLE *)),
	"FwpmFilterCreateEnumHandle0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderContextAdd0,
	DWORD (*)(HANDLE, const FWPM_PROVIDER_CONTEXT0 *,
		  PSECURITY_DESCRIPTOR, UINT64 *)),
	"FwpmProviderContextAdd0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderContextGetByKey1,
	DWORD (*)(HANDLE, const GUID *, FWPM_PROVIDER_CONTEXT1 **)),
	"FwpmProviderContextGetByKey1");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderContextEnum1,
	DWORD (*)(HANDLE, HANDLE, UINT32, FWPM_PROVIDER_CONTEXT1 ***,
		  UINT32 *)),
	"FwpmProviderContextEnum1");
/* strongSwan's own declaration of FwpmIPsecTunnelAdd0 must match. */
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmIPsecTunnelAdd0,
	DWORD (*)(HANDLE, UINT32, const FWPM_PROVIDER_CONTEXT0 *,
		  const FWPM_PROVIDER_CONTEXT0 *, UINT32,
		  const FWPM_FILTER_CONDITION0 *, PSECURITY_DESCRIPTOR)),
	"FwpmIPsecTunnelAdd0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmIPsecTunnelAdd1,
	DWORD (*)(HANDLE, UINT32, const FWPM_PROVIDER_CONTEXT1 *,
		  const FWPM_PROVIDER_CONTEXT1 *, UINT32,
		  const FWPM_FILTER_CONDITION0 *, const GUID *,
		  PSECURITY_DESCRIPTOR)),
	"FwpmIPsecTunnelAdd1");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmNetEventSubscribe0,
	DWORD (*)(HANDLE, const FWPM_NET_EVENT_SUBSCRIPTION0 *,
		  FWPM_NET_EVENT_CALLBACK0, void *, HANDLE *)),
	"FwpmNetEventSubscribe0");
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmNetEventUnsubscribe0,
	DWORD (*)(HANDLE, HANDLE)),
	"FwpmNetEventUnsubscribe0");

/* Version-independent names: the Windows 10 SDK's default target. */
FWP_STATIC_ASSERT(HAS_TYPE(&FwpmProviderContextAdd,
	DWORD (WINAPI *)(HANDLE, const FWPM_PROVIDER_CONTEXT3 *,
		  PSECURITY_DESCRIPTOR, UINT64 *)),
	"FwpmProviderContextAdd");
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_PROVIDER_CONTEXT *)0,
	FWPM_PROVIDER_CONTEXT3 *), "FWPM_PROVIDER_CONTEXT");
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_NET_EVENT *)0, FWPM_NET_EVENT5 *),
	"FWPM_NET_EVENT");
FWP_STATIC_ASSERT(HAS_TYPE((IPSEC_TUNNEL_POLICY *)0,
	IPSEC_TUNNEL_POLICY3 *), "IPSEC_TUNNEL_POLICY");
FWP_STATIC_ASSERT(HAS_TYPE((IKEEXT_POLICY *)0, IKEEXT_POLICY2 *), "IKEEXT_POLICY");
/* What the mapped structs point to maps alike. */
FWP_STATIC_ASSERT(HAS_TYPE(((IKEEXT_POLICY *)0)->authenticationMethods,
	IKEEXT_AUTHENTICATION_METHOD *), "IKEEXT_AUTHENTICATION_METHOD");
FWP_STATIC_ASSERT(HAS_TYPE(((FWPM_PROVIDER_CONTEXT *)0)->ikeQmTunnelPolicy,
	IPSEC_TUNNEL_POLICY *), "tunnel arm");
FWP_STATIC_ASSERT(HAS_TYPE(((FWPM_PROVIDER_CONTEXT *)0)->ikeQmTransportPolicy,
	IPSEC_TRANSPORT_POLICY *), "transport arm");
FWP_STATIC_ASSERT(HAS_TYPE(((FWPM_NET_EVENT *)0)->classifyDrop,
	FWPM_NET_EVENT_CLASSIFY_DROP *), "FWPM_NET_EVENT_CLASSIFY_DROP");
FWP_STATIC_ASSERT(HAS_TYPE(((FWPM_NET_EVENT *)0)->ikeMmFailure,
	FWPM_NET_EVENT_IKEEXT_MM_FAILURE *), "FWPM_NET_EVENT_IKEEXT_MM_FAILURE");
FWP_STATIC_ASSERT(HAS_TYPE(((FWPM_NET_EVENT *)0)->ikeQmFailure,
	FWPM_NET_EVENT_IKEEXT_QM_FAILURE *), "FWPM_NET_EVENT_IKEEXT_QM_FAILURE");
FWP_STATIC_ASSERT(HAS_TYPE(&((FWPM_NET_EVENT *)0)->header,
	FWPM_NET_EVENT_HEADER *), "FWPM_NET_EVENT_HEADER");
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_NET_EVENT_CALLBACK)0, FWPM_NET_EVENT_CALLBACK4),
	"FWPM_NET_EVENT_CALLBACK");
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_PROVIDER *)0, FWPM_PROVIDER0 *),
	"FWPM_PROVIDER");
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_SUBLAYER *)0, FWPM_SUBLAYER0 *),
	"FWPM_SUBLAYER");

#define STR_(x)	#x
#define STR(x)	STR_(x)

static void check_names(void)
{
	CHECK(strcmp(STR(FwpmProviderAdd), "FwpmProviderAdd0") == 0);
	CHECK(strcmp(STR(FwpmSubLayerAdd), "FwpmSubLayerAdd0") == 0);
	CHECK(strcmp(STR(FwpmFilterAdd), "FwpmFilterAdd0") == 0);
	CHECK(strcmp(STR(FwpmProviderContextAdd),
		     "FwpmProviderContextAdd3") == 0);
	CHECK(strcmp(STR(FwpmProviderContextEnum),
		     "FwpmProviderContextEnum3") == 0);
	CHECK(strcmp(STR(FwpmIPsecTunnelAdd), "FwpmIPsecTunnelAdd3") == 0);
	CHECK(strcmp(STR(FwpmNetEventSubscribe),
		     "FwpmNetEventSubscribe4") == 0);
	CHECK(strcmp(STR(FwpmNetEventEnum), "FwpmNetEventEnum5") == 0);
	CHECK(strcmp(STR(IPsecSaContextCreate), "IPsecSaContextCreate1") == 0);
}

/* The layouts strongSwan and the engine rely on most. */
FWP_STATIC_ASSERT(sizeof(FWPM_PROVIDER_CONTEXT0) == 88, "context size");
FWP_STATIC_ASSERT(offsetof(FWPM_PROVIDER_CONTEXT0, ikeQmTunnelPolicy) == 72,
		  "context union");
FWP_STATIC_ASSERT(sizeof(IPSEC_TUNNEL_POLICY0) == 72, "tunnel policy size");
FWP_STATIC_ASSERT(offsetof(IPSEC_TUNNEL_POLICY0, saIdleTimeout) == 52,
		  "tunnel policy idle timeout");
FWP_STATIC_ASSERT(sizeof(FWPM_NET_EVENT1) == 160, "net event size");
FWP_STATIC_ASSERT(offsetof(FWPM_NET_EVENT_HEADER1, reserved10) == 136,
		  "net event header tail");

int main(void)
{
	check_guid_values();
	check_constants();
	check_filter_and_context();
	check_names();

	if (failed_line) {
		fprintf(stderr, "test_policy_headers: check at line %d failed\n",
			failed_line);
		return 1;
	}
	return 0;
}
