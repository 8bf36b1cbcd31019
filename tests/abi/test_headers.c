/*
 * test_headers.c - compile-and-run check of the public WFP headers: Windows
 * idioms must compile (L"" strings, transform-id copies, anonymous unions,
 * version-independent names), and a few values must be exactly Windows'.
 * Builds as C11 and C++; returns 0 on success, 1 on the first failed check.
 */
#include <fwpmu.h>

static int failed_line;

#define CHECK(cond)						\
	do {							\
		if (!(cond) && !failed_line)			\
			failed_line = __LINE__;			\
	} while (0)

/* The X-macro list is the one authority on exports: exactly 36 names
 * (the SA-context family, engine, transactions and session enumeration). */
#define COUNT_ONE(fn)	+ 1
enum { API_FUNCTION_COUNT = 0 FWPUCLNT_API_FUNCTIONS(COUNT_ONE) };
FWP_STATIC_ASSERT(API_FUNCTION_COUNT == 36, "FWPUCLNT_API_FUNCTIONS count");

/* Every listed name must be a declared function. */
typedef void (*any_fn)(void);
#define AS_ANY_FN(fn)	(any_fn)fn,
static const any_fn api_functions[] = { FWPUCLNT_API_FUNCTIONS(AS_ANY_FN) };

static int callback_calls;

static void CALLBACK on_change(void *context,
			       const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	(void)context;
	if (change->changeType == IPSEC_SA_CONTEXT_EVENT_ADD)
		callback_calls++;
}

static void check_strings_and_session(void)
{
	FWPM_DISPLAY_DATA0 display;
	FWPM_SESSION0 session;

	display.name = (wchar_t *)L"keying module";
	display.description = (wchar_t *)L"SA-context header test";

	session.sessionKey.Data1 = 0;
	session.displayData = display;
	session.displayData.name = (wchar_t *)L"session";
	session.flags = FWPM_SESSION_FLAG_DYNAMIC;
	session.txnWaitTimeoutInMSec = 0;
	session.processId = 0;
	session.sid = NULL;
	session.username = NULL;
	session.kernelMode = FALSE;

	CHECK(display.name[0] == L'k');
	CHECK(session.displayData.name[1] == L'e');
	CHECK(session.flags == 0x00000001u);
}

static void check_transform_ids(void)
{
	IPSEC_AUTH_TRANSFORM0 auth;
	IPSEC_CIPHER_TRANSFORM0 cipher;
	/* Objects are usable in automatic-storage initialisers. */
	IPSEC_AUTH_TRANSFORM0 gmac = {
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256, NULL
	};
	IPSEC_CIPHER_TRANSFORM0 gcm = {
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256, NULL
	};
	const IPSEC_AUTH_TRANSFORM_ID0 auth_ids[] = {
		IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96,
		IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96,
		IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128,
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128,
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_192,
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256,
	};
	const IPSEC_CIPHER_TRANSFORM_ID0 cipher_ids[] = {
		IPSEC_CIPHER_TRANSFORM_ID_CBC_DES,
		IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES,
		IPSEC_CIPHER_TRANSFORM_ID_AES_128,
		IPSEC_CIPHER_TRANSFORM_ID_AES_192,
		IPSEC_CIPHER_TRANSFORM_ID_AES_256,
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128,
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_192,
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256,
	};
	/* {type, config} pairs as Windows defines them. */
	static const int auth_expect[6][2] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 }, { 5, 5 },
	};
	static const int cipher_expect[8][2] = {
		{ 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 }, { 5, 5 },
		{ 3, 6 }, { 4, 7 }, { 5, 8 },
	};
	unsigned i;

	auth.authTransformId = IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96;
	auth.cryptoModuleId = NULL;
	cipher.cipherTransformId = IPSEC_CIPHER_TRANSFORM_ID_AES_128;
	cipher.cryptoModuleId = NULL;

	CHECK(auth.authTransformId.authType == IPSEC_AUTH_SHA_1);
	CHECK(auth.authTransformId.authConfig ==
	      IPSEC_AUTH_CONFIG_HMAC_SHA_1_96);
	CHECK(cipher.cipherTransformId.cipherType == IPSEC_CIPHER_TYPE_AES_128);
	CHECK(cipher.cipherTransformId.cipherConfig ==
	      IPSEC_CIPHER_CONFIG_CBC_AES_128);
	CHECK(gmac.authTransformId.authType == IPSEC_AUTH_AES_256);
	CHECK(gcm.cipherTransformId.cipherConfig ==
	      IPSEC_CIPHER_CONFIG_GCM_AES_256);

	for (i = 0; i < 6; i++) {
		CHECK((int)auth_ids[i].authType == auth_expect[i][0]);
		CHECK((int)auth_ids[i].authConfig == auth_expect[i][1]);
	}
	for (i = 0; i < 8; i++) {
		CHECK((int)cipher_ids[i].cipherType == cipher_expect[i][0]);
		CHECK((int)cipher_ids[i].cipherConfig == cipher_expect[i][1]);
	}
}

static void check_values(void)
{
	/* Error codes */
	CHECK(FAILED(FWP_E_ALREADY_EXISTS));
	CHECK(!SUCCEEDED(FWP_E_ALREADY_EXISTS));
	CHECK(SUCCEEDED(ERROR_SUCCESS));
	CHECK((DWORD)FWP_E_NOT_FOUND == 0x80320008u);
	CHECK((DWORD)FWP_E_CALLOUT_NOT_FOUND == 0x80320001u);
	CHECK((DWORD)FWP_E_INVALID_CIPHER_TRANSFORM == 0x80320039u);
	CHECK((DWORD)FWP_E_IKEEXT_NOT_RUNNING == 0x80320044u);
	CHECK((DWORD)FWP_E_DROP_NOICMP == 0x80320104u);
	CHECK((HRESULT)FWP_E_ALREADY_EXISTS == -2144206839);
	CHECK(ERROR_INVALID_PARAMETER == 87);
	CHECK(EPT_S_NOT_REGISTERED == 1753);
	CHECK(RPC_S_SERVER_UNAVAILABLE == 1722);
	CHECK(sizeof(ERROR_SUCCESS) == 4 && sizeof(FWP_E_NOT_FOUND) == 4);

	/* Enum start values that differ between families */
	CHECK(IPSEC_TRANSFORM_AH == 1);
	CHECK(IPSEC_TRANSFORM_ESP_AUTH_FW == 5);
	CHECK(IPSEC_CIPHER_TYPE_DES == 1);
	CHECK(IPSEC_AUTH_MD5 == 0);
	CHECK(IPSEC_AUTH_CONFIG_HMAC_MD5_96 == 0);
	CHECK(IPSEC_CIPHER_CONFIG_CBC_DES == 1);
	CHECK(IPSEC_CIPHER_CONFIG_MAX == 9);
	CHECK(IPSEC_PFS_14 == IPSEC_PFS_2048 && IPSEC_PFS_24 == 7);
	CHECK(IPSEC_PFS_MAX == 8);
	CHECK(IPSEC_SA_CONTEXT_EVENT_ADD == 1);
	CHECK(FWP_MATCH_TYPE_MAX == 13);
	CHECK(FWP_DATA_TYPE_MAX == 0x103);

	/* Flags and rights */
	CHECK(IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID == 0x40);
	CHECK(sizeof(IPSEC_SA_DETAILS_UPDATE_TRAFFIC) == 8);
	CHECK(IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND == 0x800);
	CHECK(IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH4 == 0x80000000u);
	CHECK(FWP_ACTION_BLOCK == 0x1001 && FWP_ACTION_PERMIT == 0x1002);
	CHECK(FWP_ACTION_CALLOUT_TERMINATING == 0x5003);
	CHECK(FWP_ACTION_CALLOUT_INSPECTION == 0x6004);
	CHECK(FWP_ACTION_CALLOUT_UNKNOWN == 0x4005);
	CHECK(FWP_ACTION_CONTINUE == 0x2006);
	CHECK(FWPM_GENERIC_READ == 0x000201D4u);
	CHECK(FWPM_GENERIC_EXECUTE == 0x00020220u);
	CHECK(FWPM_GENERIC_WRITE == 0x0003040Bu);
	CHECK(FWPM_GENERIC_ALL == 0x000F07FFu);
	CHECK(RPC_C_AUTHN_WINNT == 10 && RPC_C_AUTHN_DEFAULT == 0xFFFFFFFFu);

	/* Base types keep the Windows widths */
	CHECK(sizeof(DWORD) == 4 && sizeof(ULONG) == 4 && sizeof(LONG) == 4);
	CHECK(sizeof(IPSEC_SA_DETAILS1) == 224);
	CHECK(sizeof(FWPM_FILTER0) == 200);
}

static void check_anonymous_unions(void)
{
	IPSEC_TRAFFIC1 traffic;
	IPSEC_SA_BUNDLE1 bundle;
	IPSEC_SA_DETAILS1 details;
	IPSEC_GETSPI1 getspi;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	IPSEC_SA_AUTH_INFORMATION0 auth_info;
	IPSEC_AUTH_TRANSFORM0 auth;
	IPSEC_SA_TRANSFORM0 transform;
	IPSEC_SA0 sa;
	FWPM_FILTER0 filter;
	FWP_CONDITION_VALUE0 cond;
	FWP_V6_ADDR_AND_MASK v6;

	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = 0x0A000001u;
	traffic.remoteV4Address = 0x0A000002u;
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	traffic.ipsecFilterId = 42;
	CHECK(traffic.tunnelPolicyId == 42);

	bundle.peerV4PrivateAddress = 0xC0A80001u;
	CHECK(bundle.peerV4PrivateAddress == 0xC0A80001u);

	encap.localUdpEncapPort = 4500;
	encap.remoteUdpEncapPort = 4500;
	details.udpEncapsulation = &encap;
	details.transportFilter = &filter;
	details.virtualIfTunnelInfo.virtualIfTunnelId = 0;
	getspi.inboundUdpEncapsulation = &encap;
	CHECK(details.udpEncapsulation == getspi.inboundUdpEncapsulation);

	sa.spi = 0x1234;
	sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH;
	sa.espAuthInformation = &auth_info;
	CHECK(sa.ahInformation == &auth_info);

	/* The misspelled alias names the same member. */
	transform.ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH;
	transform.espAuthTranform = &auth;
	CHECK(transform.espAuthTransform == &auth);

	filter.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
	filter.providerContextKey.Data1 = 7;
	filter.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	filter.action.calloutKey.Data1 = 9;
	CHECK(filter.action.filterType.Data1 == 9);

	v6.prefixLength = 64;
	cond.type = FWP_V6_ADDR_MASK;
	cond.v6AddrMask = &v6;
	CHECK(cond.v6AddrMask->prefixLength == 64);
}

/*
 * Version-independent names: each is used as the exact type it must map
 * to, so a typo or a wrong version fails to compile.
 */
static void check_version_independent_names(void)
{
	DWORD (*engine_open)(const wchar_t *, UINT32,
			     SEC_WINNT_AUTH_IDENTITY_W *, const FWPM_SESSION0 *,
			     HANDLE *) = FwpmEngineOpen;
	DWORD (*engine_close)(HANDLE) = FwpmEngineClose;
	void (*free_memory)(void **) = FwpmFreeMemory;
	DWORD (*txn_begin)(HANDLE, UINT32) = FwpmTransactionBegin;
	DWORD (*txn_commit)(HANDLE) = FwpmTransactionCommit;
	DWORD (*txn_abort)(HANDLE) = FwpmTransactionAbort;
	DWORD (*create)(HANDLE, const IPSEC_TRAFFIC1 *,
			const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *, UINT64 *,
			UINT64 *) = IPsecSaContextCreate;
	DWORD (*get_spi)(HANDLE, UINT64, const IPSEC_GETSPI1 *,
			 IPSEC_SA_SPI *) = IPsecSaContextGetSpi;
	DWORD (*set_spi)(HANDLE, UINT64, const IPSEC_GETSPI1 *,
			 IPSEC_SA_SPI) = IPsecSaContextSetSpi;
	DWORD (*add_in)(HANDLE, UINT64, const IPSEC_SA_BUNDLE1 *) =
		IPsecSaContextAddInbound;
	DWORD (*add_out)(HANDLE, UINT64, const IPSEC_SA_BUNDLE1 *) =
		IPsecSaContextAddOutbound;
	DWORD (*update)(HANDLE, UINT64, const IPSEC_SA_CONTEXT1 *) =
		IPsecSaContextUpdate;
	DWORD (*get_by_id)(HANDLE, UINT64, IPSEC_SA_CONTEXT1 **) =
		IPsecSaContextGetById;
	DWORD (*delete_by_id)(HANDLE, UINT64) = IPsecSaContextDeleteById;
	DWORD (*expire)(HANDLE, UINT64) = IPsecSaContextExpire;
	DWORD (*ctx_create_enum)(HANDLE,
				 const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *,
				 HANDLE *) = IPsecSaContextCreateEnumHandle;
	DWORD (*ctx_enum)(HANDLE, HANDLE, UINT32, IPSEC_SA_CONTEXT1 ***,
			  UINT32 *) = IPsecSaContextEnum;
	DWORD (*ctx_destroy_enum)(HANDLE, HANDLE) =
		IPsecSaContextDestroyEnumHandle;
	DWORD (*sa_create_enum)(HANDLE, const IPSEC_SA_ENUM_TEMPLATE0 *,
				HANDLE *) = IPsecSaCreateEnumHandle;
	DWORD (*sa_enum)(HANDLE, HANDLE, UINT32, IPSEC_SA_DETAILS1 ***,
			 UINT32 *) = IPsecSaEnum;
	DWORD (*sa_destroy_enum)(HANDLE, HANDLE) = IPsecSaDestroyEnumHandle;
	DWORD (*get_stats)(HANDLE, IPSEC_STATISTICS1 *) = IPsecGetStatistics;

	FWP_VALUE *value = (FWP_VALUE0 *)NULL;
	FWP_RANGE *range = (FWP_RANGE0 *)NULL;
	FWP_CONDITION_VALUE *cond = (FWP_CONDITION_VALUE0 *)NULL;
	FWPM_DISPLAY_DATA *display = (FWPM_DISPLAY_DATA0 *)NULL;
	FWPM_SESSION *session = (FWPM_SESSION0 *)NULL;
	FWPM_FILTER *filter = (FWPM_FILTER0 *)NULL;
	IPSEC_SA_LIFETIME *lifetime = (IPSEC_SA_LIFETIME0 *)NULL;
	IPSEC_AUTH_TRANSFORM_ID *auth_id = (IPSEC_AUTH_TRANSFORM_ID0 *)NULL;
	IPSEC_AUTH_TRANSFORM *auth = (IPSEC_AUTH_TRANSFORM0 *)NULL;
	IPSEC_CIPHER_TRANSFORM_ID *cipher_id =
		(IPSEC_CIPHER_TRANSFORM_ID0 *)NULL;
	IPSEC_CIPHER_TRANSFORM *cipher = (IPSEC_CIPHER_TRANSFORM0 *)NULL;
	IPSEC_AUTH_AND_CIPHER_TRANSFORM *auth_cipher =
		(IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *)NULL;
	IPSEC_SA_TRANSFORM *transform = (IPSEC_SA_TRANSFORM0 *)NULL;
	IPSEC_SA_AUTH_INFORMATION *auth_info =
		(IPSEC_SA_AUTH_INFORMATION0 *)NULL;
	IPSEC_SA_CIPHER_INFORMATION *cipher_info =
		(IPSEC_SA_CIPHER_INFORMATION0 *)NULL;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION *auth_cipher_info =
		(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *)NULL;
	IPSEC_SA *sa = (IPSEC_SA0 *)NULL;
	IPSEC_KEYMODULE_STATE *km_state = (IPSEC_KEYMODULE_STATE0 *)NULL;
	IPSEC_TOKEN *token = (IPSEC_TOKEN0 *)NULL;
	IPSEC_ID *id = (IPSEC_ID0 *)NULL;
	IPSEC_V4_UDP_ENCAPSULATION *encap = (IPSEC_V4_UDP_ENCAPSULATION0 *)NULL;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO *vif =
		(IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *)NULL;
	IPSEC_TRAFFIC *traffic = (IPSEC_TRAFFIC1 *)NULL;
	IPSEC_SA_BUNDLE *bundle = (IPSEC_SA_BUNDLE1 *)NULL;
	IPSEC_GETSPI *getspi = (IPSEC_GETSPI1 *)NULL;
	IPSEC_SA_DETAILS *details = (IPSEC_SA_DETAILS1 *)NULL;
	IPSEC_SA_CONTEXT *context = (IPSEC_SA_CONTEXT1 *)NULL;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE *ctx_tmpl =
		(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *)NULL;
	IPSEC_SA_ENUM_TEMPLATE *sa_tmpl = (IPSEC_SA_ENUM_TEMPLATE0 *)NULL;
	IPSEC_TRAFFIC_STATISTICS *traffic_stats =
		(IPSEC_TRAFFIC_STATISTICS1 *)NULL;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS *drop_stats =
		(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *)NULL;
	IPSEC_STATISTICS *stats = (IPSEC_STATISTICS1 *)NULL;

	CHECK(engine_open == FwpmEngineOpen0);
	CHECK(engine_close == FwpmEngineClose0);
	CHECK(free_memory == FwpmFreeMemory0);
	CHECK(txn_begin == FwpmTransactionBegin0);
	CHECK(txn_commit == FwpmTransactionCommit0);
	CHECK(txn_abort == FwpmTransactionAbort0);
	CHECK(create == IPsecSaContextCreate1);
	CHECK(get_spi == IPsecSaContextGetSpi1);
	CHECK(set_spi == IPsecSaContextSetSpi0);
	CHECK(add_in == IPsecSaContextAddInbound1);
	CHECK(add_out == IPsecSaContextAddOutbound1);
	CHECK(update == IPsecSaContextUpdate0);
	CHECK(get_by_id == IPsecSaContextGetById1);
	CHECK(delete_by_id == IPsecSaContextDeleteById0);
	CHECK(expire == IPsecSaContextExpire0);
	CHECK(ctx_create_enum == IPsecSaContextCreateEnumHandle0);
	CHECK(ctx_enum == IPsecSaContextEnum1);
	CHECK(ctx_destroy_enum == IPsecSaContextDestroyEnumHandle0);
	CHECK(sa_create_enum == IPsecSaCreateEnumHandle0);
	CHECK(sa_enum == IPsecSaEnum1);
	CHECK(sa_destroy_enum == IPsecSaDestroyEnumHandle0);
	CHECK(get_stats == IPsecGetStatistics1);

	CHECK(!value && !range && !cond && !display && !session && !filter);
	CHECK(!lifetime && !auth_id && !auth && !cipher_id && !cipher);
	CHECK(!auth_cipher && !transform && !auth_info && !cipher_info);
	CHECK(!auth_cipher_info && !sa && !km_state && !token && !id);
	CHECK(!encap && !vif && !traffic && !bundle && !getspi && !details);
	CHECK(!context && !ctx_tmpl && !sa_tmpl && !traffic_stats);
	CHECK(!drop_stats && !stats);
}

/* The versioned prototypes the version-independent names do not reach. */
static void check_versioned_prototypes(void)
{
	/* flags must be UINT64: a 32-bit parameter fails to compile here. */
	DWORD (*f)(HANDLE, UINT64, const IPSEC_SA_CONTEXT1 *) =
		IPsecSaContextUpdate0;
	DWORD (*create0)(HANDLE, const IPSEC_TRAFFIC0 *, UINT64 *, UINT64 *) =
		IPsecSaContextCreate0;
	DWORD (*get_spi0)(HANDLE, UINT64, const IPSEC_GETSPI0 *,
			  IPSEC_SA_SPI *) = IPsecSaContextGetSpi0;
	DWORD (*add_in0)(HANDLE, UINT64, const IPSEC_SA_BUNDLE0 *) =
		IPsecSaContextAddInbound0;
	DWORD (*add_out0)(HANDLE, UINT64, const IPSEC_SA_BUNDLE0 *) =
		IPsecSaContextAddOutbound0;
	DWORD (*get_by_id0)(HANDLE, UINT64, IPSEC_SA_CONTEXT0 **) =
		IPsecSaContextGetById0;
	DWORD (*ctx_enum0)(HANDLE, HANDLE, UINT32, IPSEC_SA_CONTEXT0 ***,
			   UINT32 *) = IPsecSaContextEnum0;
	DWORD (*subscribe)(HANDLE, const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *,
			   IPSEC_SA_CONTEXT_CALLBACK0, void *, HANDLE *) =
		IPsecSaContextSubscribe0;
	DWORD (*unsubscribe)(HANDLE, HANDLE) = IPsecSaContextUnsubscribe0;
	DWORD (*subs_get)(HANDLE, IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***,
			  UINT32 *) = IPsecSaContextSubscriptionsGet0;
	DWORD (*sa_enum0)(HANDLE, HANDLE, UINT32, IPSEC_SA_DETAILS0 ***,
			  UINT32 *) = IPsecSaEnum0;
	DWORD (*get_stats0)(HANDLE, IPSEC_STATISTICS0 *) = IPsecGetStatistics0;
	IPSEC_SA_CONTEXT_CALLBACK0 cb = on_change;
	IPSEC_SA_CONTEXT_CHANGE0 change;
	UINT64 flags = IPSEC_SA_DETAILS_UPDATE_TRAFFIC |
		       IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION;

	CHECK(f && create0 && get_spi0 && add_in0 && add_out0 && get_by_id0);
	CHECK(ctx_enum0 && subscribe && unsubscribe && subs_get && sa_enum0);
	CHECK(get_stats0 != NULL);
	CHECK(sizeof(flags) == 8 && flags == 0x3);

	change.changeType = IPSEC_SA_CONTEXT_EVENT_ADD;
	change.saContextId = 1;
	cb(NULL, &change);
	CHECK(callback_calls == 1);
}

int main(void)
{
	unsigned i;

	check_strings_and_session();
	check_transform_ids();
	check_values();
	check_anonymous_unions();
	check_version_independent_names();
	check_versioned_prototypes();

	CHECK(sizeof(api_functions) / sizeof(api_functions[0]) == API_FUNCTION_COUNT);
	for (i = 0; i < sizeof(api_functions) / sizeof(api_functions[0]); i++)
		CHECK(api_functions[i] != NULL);

	return failed_line ? 1 : 0;
}
