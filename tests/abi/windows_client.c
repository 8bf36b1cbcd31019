/* windows_client.c - a keying module written for Windows, unchanged: only
 * fwpmu.h names, the strongSwan kernel-wfp call sequence (transport mode,
 * version-0 bundles on a Create1 context, NAT-T retrofitted through
 * GetById1 -> Update0 with a stack struct -> FwpmFreeMemory0), then an
 * ipsecdump-style enumeration and teardown. Built against the INSTALLED
 * headers and library by check_install.sh; exits non-zero on any deviation.
 */
#include <stdio.h>
#include <string.h>
#include <fwpmu.h>

#define CHECK(call) do { \
	DWORD r_ = (call); \
	if (r_ != ERROR_SUCCESS) { \
		printf("FAIL %s: 0x%08x\n", #call, (unsigned)r_); \
		return 1; \
	} \
} while (0)

static const UINT8 gcm_key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
				   14, 15, 16, 0xa0, 0xa1, 0xa2, 0xa3 };

static void fill_bundle(IPSEC_SA_BUNDLE0 *b, IPSEC_SA0 *sa,
			IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info, UINT32 spi)
{
	memset(info, 0, sizeof(*info));
	info->saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	info->saCipherInformation.cipherKey.size = sizeof(gcm_key);
	info->saCipherInformation.cipherKey.data = (UINT8 *)gcm_key;
	info->saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	info->saAuthInformation.authKey = info->saCipherInformation.cipherKey;
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->espAuthAndCipherInformation = info;
	memset(b, 0, sizeof(*b));
	b->lifetime.lifetimeSeconds = 3600;
	b->numSAs = 1;
	b->saList = sa;
	b->ipVersion = FWP_IP_VERSION_V4;
}

int main(void)
{
	FWPM_SESSION0 session;
	HANDLE engine, enum_handle;
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getspi;
	IPSEC_SA_BUNDLE0 bundle;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_SA_CONTEXT1 *ctx = NULL, **entries = NULL;
	UINT32 n = 0, seen = 0;
	UINT64 id = 0;

	memset(&session, 0, sizeof(session));
	session.displayData.name = L"charon";
	session.displayData.description = L"strongSwan IKE kernel-wfp backend";
	CHECK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &engine));

	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = 0xC0000201;	/* 192.0.2.1, host order */
	traffic.remoteV4Address = 0xC0000202;
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	CHECK(IPsecSaContextCreate1(engine, &traffic, NULL, NULL, &id));

	memset(&getspi, 0, sizeof(getspi));
	getspi.inboundIpsecTraffic = traffic;
	getspi.ipVersion = FWP_IP_VERSION_V4;
	CHECK(IPsecSaContextSetSpi0(engine, id, &getspi, 0xc0001234));

	fill_bundle(&bundle, &sa, &info, 0xc0001234);
	CHECK(IPsecSaContextAddInbound0(engine, id, &bundle));
	fill_bundle(&bundle, &sa, &info, 0xc0005678);
	bundle.flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
	CHECK(IPsecSaContextAddOutbound0(engine, id, &bundle));

	CHECK(IPsecSaContextGetById1(engine, id, &ctx));
	ctx->inboundSa->udpEncapsulation = &encap;	/* stack memory */
	ctx->outboundSa->udpEncapsulation = &encap;
	CHECK(IPsecSaContextUpdate0(engine, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx));
	FwpmFreeMemory0((void **)&ctx);
	if (ctx) {
		printf("FAIL FwpmFreeMemory0 left the pointer set\n");
		return 1;
	}

	CHECK(IPsecSaContextCreateEnumHandle0(engine, NULL, &enum_handle));
	do {
		CHECK(IPsecSaContextEnum1(engine, enum_handle, 1, &entries, &n));
		if (n == 1 && entries[0]->saContextId == id) {
			IPSEC_SA_DETAILS1 *out = entries[0]->outboundSa;

			if (!out || !out->udpEncapsulation ||
			    out->udpEncapsulation->remoteUdpEncapPort != 4500 ||
			    out->saBundle.saList[0].spi != 0xc0005678 ||
			    out->saBundle.saList[0].espAuthAndCipherInformation
				    ->saCipherInformation.cipherKey.size != 0) {
				printf("FAIL enumerated context is wrong\n");
				return 1;
			}
			seen++;
		}
		FwpmFreeMemory0((void **)&entries);
	} while (n == 1);
	CHECK(IPsecSaContextDestroyEnumHandle0(engine, enum_handle));
	if (seen != 1) {
		printf("FAIL context seen %u times\n", seen);
		return 1;
	}

	CHECK(IPsecSaContextDeleteById0(engine, id));
	if (IPsecSaContextDeleteById0(engine, id) != FWP_E_NOT_FOUND) {
		printf("FAIL second delete did not say FWP_E_NOT_FOUND\n");
		return 1;
	}
	CHECK(FwpmEngineClose0(engine));
	printf("windows client: ok\n");
	return 0;
}
