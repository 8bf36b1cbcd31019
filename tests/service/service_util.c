/* service_util.c - see service_util.h. */
#include <string.h>

#include "service_util.h"

static const UINT8 key[20] = { 0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
			       0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68 };

DWORD open_engine(HANDLE *h)
{
	return FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, h);
}

DWORD make_context(HANDLE h, UINT32 spi, UINT64 *id)
{
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
	IPSEC_SA0 sa;
	IPSEC_SA_BUNDLE0 b;
	DWORD rc;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = 0xC0000201;
	t.remoteV4Address = 0xC0000202;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t;
	g.ipVersion = FWP_IP_VERSION_V4;
	memset(&info, 0, sizeof(info));
	info.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	info.saCipherInformation.cipherKey.size = sizeof(key);
	info.saCipherInformation.cipherKey.data = (UINT8 *)key;
	info.saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	memset(&sa, 0, sizeof(sa));
	sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa.espAuthAndCipherInformation = &info;
	memset(&b, 0, sizeof(b));
	b.numSAs = 1;
	b.saList = &sa;
	b.ipVersion = FWP_IP_VERSION_V4;
	b.lifetime.lifetimeSeconds = 3600;
	if ((rc = IPsecSaContextCreate1(h, &t, NULL, NULL, id)))
		return rc;
	if ((rc = IPsecSaContextSetSpi0(h, *id, &g, spi)))
		goto fail;
	sa.spi = spi;
	if ((rc = IPsecSaContextAddInbound0(h, *id, &b)))
		goto fail;
	sa.spi = spi ^ 0x80000000u;
	if ((rc = IPsecSaContextAddOutbound0(h, *id, &b)))
		goto fail;
	return ERROR_SUCCESS;
fail:
	IPsecSaContextDeleteById0(h, *id);
	return rc;
}
