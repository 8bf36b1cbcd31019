/*
 * test_update.c - IPsecSaContextUpdate0: every flag, one side only, check
 * order, all-or-nothing, unflagged fields ignored, the strongSwan
 * GetById1 -> modify -> Update0 -> FwpmFreeMemory0 pattern.
 * Contract: SEMANTICS.md "IPsecSaContextUpdate0"; peers.md 1.4 step 7,
 * 1.8; decisions 2, 3, 8, 10, 18.
 */
#include "conformance.h"

#define F_TRAFFIC	IPSEC_SA_DETAILS_UPDATE_TRAFFIC
#define F_UDP		IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION
#define F_FLAGS		IPSEC_SA_BUNDLE_UPDATE_FLAGS
#define F_NAP		IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT
#define F_KMS		IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE
#define F_PEER		IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS
#define F_MM		IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID
#define F_ALL		(F_TRAFFIC | F_UDP | F_FLAGS | F_NAP | F_KMS | F_PEER | F_MM)

/*
 * Update0 with nv, expecting success; then the context must equal
 * `expected` (a GetById1 result edited the same way) field by field.
 */
static void expect_update(HANDLE h, UINT64 flags, const IPSEC_SA_CONTEXT1 *nv,
			  const IPSEC_SA_CONTEXT1 *expected, const char *label)
{
	IPSEC_SA_CONTEXT1 *now = NULL;
	char why[256];

	if (!CF_CHECK_RC(IPsecSaContextUpdate0(h, flags, nv), ERROR_SUCCESS,
			 label))
		return;
	if (!CF_CHECK_RC(IPsecSaContextGetById1(h, nv->saContextId, &now),
			 ERROR_SUCCESS, label))
		return;
	if (!cf_ctx1_equal(expected, now, why, sizeof(why)))
		cf_note_failure("[%s] after Update0: %s is not as expected",
				label, why);
	FwpmFreeMemory0((void **)&now);
}

/* Update0 expected to fail with `want` and change nothing. */
static void expect_reject(HANDLE h, UINT64 flags, const IPSEC_SA_CONTEXT1 *nv,
			  DWORD want, const char *label)
{
	IPSEC_SA_CONTEXT1 *before = NULL;

	if (!CF_CHECK_RC(IPsecSaContextGetById1(h, nv->saContextId, &before),
			 ERROR_SUCCESS, label))
		return;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, flags, nv), want, label);
	cf_check_unchanged(h, nv->saContextId, before, label);
	FwpmFreeMemory0((void **)&before);
}

/*
 * New traffic addresses on both sides. As strongSwan does, newValues only
 * changes traffic (whole = false); the expected result (whole = true) also
 * has the details' and the bundle's ipVersion follow the traffic.
 */
static void set_v4(IPSEC_SA_CONTEXT1 *c, UINT32 local, UINT32 remote,
		   bool whole)
{
	IPSEC_SA_DETAILS1 *d[2] = { c->inboundSa, c->outboundSa };

	for (int i = 0; i < 2; i++) {
		if (!d[i])
			continue;
		if (whole) {
			d[i]->ipVersion = FWP_IP_VERSION_V4;
			d[i]->saBundle.ipVersion = FWP_IP_VERSION_V4;
		}
		d[i]->traffic.ipVersion = FWP_IP_VERSION_V4;
		memset(d[i]->traffic.localV6Address, 0, 16);
		memset(d[i]->traffic.remoteV6Address, 0, 16);
		d[i]->traffic.localV4Address = local;
		d[i]->traffic.remoteV4Address = remote;
	}
}

static void set_v6(IPSEC_SA_CONTEXT1 *c, const UINT8 l[16], const UINT8 r[16],
		   bool whole)
{
	IPSEC_SA_DETAILS1 *d[2] = { c->inboundSa, c->outboundSa };

	for (int i = 0; i < 2; i++) {
		if (!d[i])
			continue;
		if (whole) {
			d[i]->ipVersion = FWP_IP_VERSION_V6;
			d[i]->saBundle.ipVersion = FWP_IP_VERSION_V6;
		}
		d[i]->traffic.ipVersion = FWP_IP_VERSION_V6;
		memcpy(d[i]->traffic.localV6Address, l, 16);
		memcpy(d[i]->traffic.remoteV6Address, r, 16);
	}
}

static void set_udp(IPSEC_SA_CONTEXT1 *c, IPSEC_V4_UDP_ENCAPSULATION0 *u)
{
	if (c->inboundSa)
		c->inboundSa->udpEncapsulation = u;
	if (c->outboundSa)
		c->outboundSa->udpEncapsulation = u;
}

static void v6_pair(UINT8 l[16], UINT8 r[16])
{
	UINT8 net[16];

	cf_unique_net6(net);
	net[15] = 0x11;
	cf_v6_to_traffic(l, net);
	net[15] = 0x22;
	cf_v6_to_traffic(r, net);
}

/* ---- UPDATE_TRAFFIC ------------------------------------------------- */

static void update_traffic(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv, *exp;
	UINT8 l6[16], r6[16];

	(void)state;
	cf_mature(h, &c);

	/* New addresses, ports and protocol (transport mode). */
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_v4(nv, CF_V4(10, 9, 8, 7), CF_V4(172, 16, 5, 4), false);
	set_v4(exp, CF_V4(10, 9, 8, 7), CF_V4(172, 16, 5, 4), true);
	for (int i = 0; i < 2; i++) {
		IPSEC_SA_DETAILS1 *a = i ? nv->outboundSa : nv->inboundSa;
		IPSEC_SA_DETAILS1 *b = i ? exp->outboundSa : exp->inboundSa;

		a->traffic.localPort = b->traffic.localPort = 1701;
		a->traffic.remotePort = b->traffic.remotePort = 1702;
		a->traffic.ipProtocol = b->traffic.ipProtocol = 17;
	}
	expect_update(h, F_TRAFFIC, nv, exp, "TRAFFIC: new v4 addresses");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	/* v4 -> v6 with NAT-T off, and back. */
	v6_pair(l6, r6);
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_v6(nv, l6, r6, false);
	set_v6(exp, l6, r6, true);
	expect_update(h, F_TRAFFIC, nv, exp, "TRAFFIC: v4 -> v6");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_v4(nv, CF_DEFAULT_LOCAL4, CF_DEFAULT_REMOTE4, false);
	set_v4(exp, CF_DEFAULT_LOCAL4, CF_DEFAULT_REMOTE4, true);
	expect_update(h, F_TRAFFIC, nv, exp, "TRAFFIC: v6 -> v4");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

static void update_traffic_rejects(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c, t;
	cf_ctx_opts o;
	IPSEC_SA_CONTEXT1 *nv;
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { 4500, 4500 };
	UINT8 l6[16], r6[16];

	(void)state;
	cf_mature(h, &c);
	v6_pair(l6, r6);

	nv = cf_get1(h, c.id);
	nv->inboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	nv->outboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_TRAFFIC_MISMATCH,
		      "TRAFFIC: trafficType changed");
	FwpmFreeMemory0((void **)&nv);

	nv = cf_get1(h, c.id);
	nv->outboundSa->traffic.ipsecFilterId += 1000;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_TRAFFIC_MISMATCH,
		      "TRAFFIC: outbound ipsecFilterId changed");
	FwpmFreeMemory0((void **)&nv);

	nv = cf_get1(h, c.id);
	nv->inboundSa->traffic.ipsecFilterId += 1000;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_TRAFFIC_MISMATCH,
		      "TRAFFIC: inbound ipsecFilterId changed");
	FwpmFreeMemory0((void **)&nv);

	nv = cf_get1(h, c.id);
	nv->inboundSa->traffic.ipVersion = FWP_IP_VERSION_MAX;
	nv->outboundSa->traffic.ipVersion = FWP_IP_VERSION_MAX;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_ENUMERATOR,
		      "TRAFFIC: ipVersion 3");
	FwpmFreeMemory0((void **)&nv);

	nv = cf_get1(h, c.id);
	nv->inboundSa->traffic.ipVersion = FWP_IP_VERSION_NONE;
	nv->outboundSa->traffic.ipVersion = FWP_IP_VERSION_NONE;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_PARAMETER,
		      "TRAFFIC: ipVersion NONE");
	FwpmFreeMemory0((void **)&nv);

	nv = cf_get1(h, c.id);
	nv->inboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_MAX;
	nv->outboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_MAX;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_ENUMERATOR,
		      "TRAFFIC: trafficType 2");
	FwpmFreeMemory0((void **)&nv);

	/* v4 -> v6 while NAT-T is on. */
	nv = cf_get1(h, c.id);
	set_udp(nv, &udp);
	CF_OK(IPsecSaContextUpdate0(h, F_UDP, nv));
	FwpmFreeMemory0((void **)&nv);
	nv = cf_get1(h, c.id);
	set_v6(nv, l6, r6, false);
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_PARAMETER,
		      "TRAFFIC: v4 -> v6 with NAT-T on");
	FwpmFreeMemory0((void **)&nv);
	cf_ctx_delete(h, &c);

	/* Tunnel mode: policy id fixed, no ports or protocol. */
	cf_opts_default(&o);
	o.type = IPSEC_TRAFFIC_TYPE_TUNNEL;
	cf_ctx_build(h, &t, &o, CF_MATURE);
	nv = cf_get1(h, t.id);
	nv->inboundSa->traffic.tunnelPolicyId += 1;
	nv->outboundSa->traffic.tunnelPolicyId += 1;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_TRAFFIC_MISMATCH,
		      "TRAFFIC: tunnelPolicyId changed");
	FwpmFreeMemory0((void **)&nv);
	nv = cf_get1(h, t.id);
	nv->inboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	nv->outboundSa->traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_TRAFFIC_MISMATCH,
		      "TRAFFIC: tunnel -> transport");
	FwpmFreeMemory0((void **)&nv);
	nv = cf_get1(h, t.id);
	nv->inboundSa->traffic.remotePort = 500;
	nv->outboundSa->traffic.remotePort = 500;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_PARAMETER,
		      "TRAFFIC: tunnel with a port");
	FwpmFreeMemory0((void **)&nv);
	nv = cf_get1(h, t.id);
	nv->inboundSa->traffic.ipProtocol = 6;
	nv->outboundSa->traffic.ipProtocol = 6;
	expect_reject(h, F_TRAFFIC, nv, FWP_E_INVALID_PARAMETER,
		      "TRAFFIC: tunnel with a protocol");
	FwpmFreeMemory0((void **)&nv);
	/* New outer endpoints are fine. */
	nv = cf_get1(h, t.id);
	set_v4(nv, CF_V4(192, 0, 2, 77), CF_V4(198, 51, 100, 77), false);
	CF_OK(IPsecSaContextUpdate0(h, F_TRAFFIC, nv));
	FwpmFreeMemory0((void **)&nv);
	cf_ctx_delete(h, &t);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- UPDATE_UDP_ENCAPSULATION --------------------------------------- */

static void update_udp_encapsulation(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c, v6;
	cf_ctx_opts o;
	IPSEC_SA_CONTEXT1 *nv, *exp;
	IPSEC_V4_UDP_ENCAPSULATION0 on = { 4500, 4501 }, moved = { 4600, 61000 };
	IPSEC_V4_UDP_ENCAPSULATION0 zl = { 0, 4500 }, zr = { 4500, 0 };

	(void)state;
	cf_mature(h, &c);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_udp(nv, &on);
	set_udp(exp, &on);
	expect_update(h, F_UDP, nv, exp, "UDP: enable");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_udp(nv, &moved);
	set_udp(exp, &moved);
	expect_update(h, F_UDP, nv, exp, "UDP: new ports (NAT rebinding)");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	set_udp(nv, &zl);
	expect_reject(h, F_UDP, nv, FWP_E_INVALID_PARAMETER,
		      "UDP: local port 0");
	set_udp(nv, &zr);
	expect_reject(h, F_UDP, nv, FWP_E_INVALID_PARAMETER,
		      "UDP: remote port 0");
	nv->inboundSa->udpEncapsulation = &on;
	nv->outboundSa->udpEncapsulation = &zr;
	expect_reject(h, F_UDP, nv, FWP_E_INVALID_PARAMETER,
		      "UDP: outbound port 0 only");
	FwpmFreeMemory0((void **)&nv);

	/* One side only. */
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->outboundSa = NULL;
	nv->inboundSa->udpEncapsulation = &on;
	exp->inboundSa->udpEncapsulation = &on;
	expect_update(h, F_UDP, nv, exp, "UDP: inbound only");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_udp(nv, NULL);
	set_udp(exp, NULL);
	expect_update(h, F_UDP, nv, exp, "UDP: disable with NULL");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	/* IPv6 SA. */
	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	cf_ctx_build(h, &v6, &o, CF_MATURE);
	nv = cf_get1(h, v6.id);
	set_udp(nv, &on);
	expect_reject(h, F_UDP, nv, FWP_E_INVALID_PARAMETER, "UDP: IPv6 SA");
	FwpmFreeMemory0((void **)&nv);

	cf_ctx_delete(h, &v6);
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- the five bundle flags ------------------------------------------ */

static void update_bundle_fields(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv, *exp;
	IPSEC_KEYMODULE_STATE0 kms_in, kms_out;
	UINT8 blob_in[100], blob_out[4096];

	(void)state;
	cf_mature(h, &c);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.flags = exp->inboundSa->saBundle.flags =
		IPSEC_SA_BUNDLE_FLAG_ND_SECURE | IPSEC_SA_BUNDLE_FLAG_NLB |
		IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH4;
	nv->outboundSa->saBundle.flags = exp->outboundSa->saBundle.flags =
		IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND |
		IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL |
		IPSEC_SA_BUNDLE_FLAG_LOW_POWER_MODE_SUPPORT;
	expect_update(h, F_FLAGS, nv, exp, "FLAGS");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.napContext = exp->inboundSa->saBundle.napContext
		= 0x1234;
	nv->outboundSa->saBundle.napContext =
		exp->outboundSa->saBundle.napContext = 0xFFFFFFFFu;
	expect_update(h, F_NAP, nv, exp, "NAP_CONTEXT");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.mmSaId = exp->inboundSa->saBundle.mmSaId =
		0x1122334455667788ull;
	nv->outboundSa->saBundle.mmSaId = exp->outboundSa->saBundle.mmSaId = 7;
	expect_update(h, F_MM, nv, exp, "MM_SA_ID");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.peerV4PrivateAddress =
		exp->inboundSa->saBundle.peerV4PrivateAddress =
		CF_V4(192, 168, 77, 1);
	nv->outboundSa->saBundle.peerV4PrivateAddress =
		exp->outboundSa->saBundle.peerV4PrivateAddress =
		CF_V4(192, 168, 77, 2);
	expect_update(h, F_PEER, nv, exp, "PEER_V4_PRIVATE_ADDRESS");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	/* keyModuleState: deep copy, NULL clears, at most 4096 bytes. */
	for (size_t i = 0; i < sizeof(blob_in); i++)
		blob_in[i] = (UINT8)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(blob_out); i++)
		blob_out[i] = (UINT8)(i * 13 + 5);
	kms_in.keyModuleKey = cf_random_guid();
	kms_in.stateBlob.size = sizeof(blob_in);
	kms_in.stateBlob.data = blob_in;
	kms_out.keyModuleKey = cf_random_guid();
	kms_out.stateBlob.size = sizeof(blob_out);
	kms_out.stateBlob.data = blob_out;
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.keyModuleState = &kms_in;
	exp->inboundSa->saBundle.keyModuleState = &kms_in;
	nv->outboundSa->saBundle.keyModuleState = &kms_out;
	exp->outboundSa->saBundle.keyModuleState = &kms_out;
	expect_update(h, F_KMS, nv, exp, "KEY_MODULE_STATE (100 and 4096)");
	FwpmFreeMemory0((void **)&nv);
	/* A deep copy: changing our buffer changes nothing stored. */
	{
		UINT8 orig[sizeof(blob_in)];
		IPSEC_SA_CONTEXT1 *r;
		const IPSEC_KEYMODULE_STATE0 *k;

		memcpy(orig, blob_in, sizeof(orig));
		memset(blob_in, 0, sizeof(blob_in));
		r = cf_get1(h, c.id);
		k = r->inboundSa->saBundle.keyModuleState;
		assert_non_null(k);
		assert_ptr_not_equal(k, &kms_in);
		assert_true(cf_guid_eq(&k->keyModuleKey, &kms_in.keyModuleKey));
		assert_int_equal(k->stateBlob.size, sizeof(orig));
		assert_non_null(k->stateBlob.data);
		assert_ptr_not_equal(k->stateBlob.data, blob_in);
		assert_memory_equal(k->stateBlob.data, orig, sizeof(orig));
		FwpmFreeMemory0((void **)&r);
		memcpy(blob_in, orig, sizeof(orig));
	}
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa->saBundle.keyModuleState = NULL;
	exp->inboundSa->saBundle.keyModuleState = NULL;
	nv->outboundSa = NULL;	/* inbound only: outbound keeps its state */
	expect_update(h, F_KMS, nv, exp, "KEY_MODULE_STATE NULL clears");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

static void update_bundle_rejects(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c, v6;
	cf_ctx_opts o;
	IPSEC_SA_CONTEXT1 *nv;
	IPSEC_KEYMODULE_STATE0 kms;
	static UINT8 big[4097];

	(void)state;
	cf_mature(h, &c);

	nv = cf_get1(h, c.id);
	nv->inboundSa->saBundle.flags = 0x100;
	expect_reject(h, F_FLAGS, nv, FWP_E_INVALID_FLAGS,
		      "FLAGS: unknown bit 0x100 inbound");
	nv->inboundSa->saBundle.flags = 0;
	nv->outboundSa->saBundle.flags = 0x01000000u;
	expect_reject(h, F_FLAGS, nv, FWP_E_INVALID_FLAGS,
		      "FLAGS: unknown bit 0x01000000 outbound");
	nv->outboundSa->saBundle.flags = 0x08000000u |
		IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
	expect_reject(h, F_FLAGS, nv, FWP_E_INVALID_FLAGS,
		      "FLAGS: unknown bit 0x08000000 with a known one");
	FwpmFreeMemory0((void **)&nv);

	kms.keyModuleKey = cf_random_guid();
	kms.stateBlob.size = sizeof(big);
	kms.stateBlob.data = big;
	nv = cf_get1(h, c.id);
	nv->inboundSa->saBundle.keyModuleState = &kms;
	nv->outboundSa->saBundle.keyModuleState = &kms;
	expect_reject(h, F_KMS, nv, FWP_E_OUT_OF_BOUNDS,
		      "KEY_MODULE_STATE: 4097 bytes");
	FwpmFreeMemory0((void **)&nv);

	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	cf_ctx_build(h, &v6, &o, CF_MATURE);
	nv = cf_get1(h, v6.id);
	nv->inboundSa->saBundle.peerV4PrivateAddress = CF_V4(10, 0, 0, 1);
	nv->outboundSa->saBundle.peerV4PrivateAddress = CF_V4(10, 0, 0, 1);
	expect_reject(h, F_PEER, nv, FWP_E_INVALID_PARAMETER,
		      "PEER_V4_PRIVATE_ADDRESS on IPv6");
	FwpmFreeMemory0((void **)&nv);

	cf_ctx_delete(h, &v6);
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* A side that is NULL in newValues is left alone. */
static void update_one_side(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv, *exp;
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { 4500, 4500 };

	(void)state;
	cf_mature(h, &c);
	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->outboundSa = NULL;
	nv->inboundSa->saBundle.napContext = 11;
	nv->inboundSa->saBundle.mmSaId = 12;
	nv->inboundSa->saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
	nv->inboundSa->udpEncapsulation = &udp;
	exp->inboundSa->saBundle.napContext = 11;
	exp->inboundSa->saBundle.mmSaId = 12;
	exp->inboundSa->saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
	exp->inboundSa->udpEncapsulation = &udp;
	expect_update(h, F_NAP | F_MM | F_FLAGS | F_UDP, nv, exp,
		      "inbound side only");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	nv->inboundSa = NULL;
	nv->outboundSa->saBundle.napContext = 21;
	nv->outboundSa->traffic.localV4Address = CF_V4(192, 0, 2, 99);
	exp->outboundSa->saBundle.napContext = 21;
	exp->outboundSa->traffic.localV4Address = CF_V4(192, 0, 2, 99);
	expect_update(h, F_NAP | F_TRAFFIC, nv, exp, "outbound side only");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);

	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/*
 * All or nothing: an update with several flagged parts of which exactly one
 * is invalid changes nothing; without the invalid part it succeeds.
 */
enum { CB_UDP_PORT0, CB_KMS_BIG, CB_FILTER_ID, CB_FLAGS_UNKNOWN,
       CB_UPDATE_FLAG_UNKNOWN, CB_TRAFFIC_ENUM, CB_TYPE_MISMATCH,
       CB_COUNT };

static const char *const cb_names[CB_COUNT] = {
	"combined: outbound UDP port 0",
	"combined: inbound keyModuleState 4097 bytes",
	"combined: inbound ipsecFilterId changed",
	"combined: outbound unknown bundle flag",
	"combined: unknown Update0 flag 0x80",
	"combined: outbound traffic ipVersion 3",
	"combined: inbound trafficType changed",
};

static UINT8 cb_big[4097];

static DWORD combined_row(int row, IPSEC_SA_CONTEXT1 *nv, UINT64 *flags,
			  bool valid, IPSEC_V4_UDP_ENCAPSULATION0 *udp_ok,
			  IPSEC_V4_UDP_ENCAPSULATION0 *udp_bad,
			  IPSEC_KEYMODULE_STATE0 *kms_ok,
			  IPSEC_KEYMODULE_STATE0 *kms_bad)
{
	IPSEC_SA_DETAILS1 *in = nv->inboundSa, *out = nv->outboundSa;

	/* The valid parts, on both sides. */
	*flags = F_TRAFFIC | F_UDP | F_FLAGS | F_NAP | F_KMS | F_PEER | F_MM;
	set_v4(nv, CF_V4(10, 200, 1, 1), CF_V4(10, 200, 2, 2), false);
	set_udp(nv, udp_ok);
	in->saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
	out->saBundle.flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
	in->saBundle.napContext = out->saBundle.napContext = 99;
	in->saBundle.keyModuleState = out->saBundle.keyModuleState = kms_ok;
	in->saBundle.peerV4PrivateAddress = CF_V4(192, 168, 9, 9);
	out->saBundle.peerV4PrivateAddress = CF_V4(192, 168, 9, 9);
	in->saBundle.mmSaId = out->saBundle.mmSaId = 4242;
	if (valid)
		return ERROR_SUCCESS;
	switch (row) {
	case CB_UDP_PORT0:
		out->udpEncapsulation = udp_bad;
		return FWP_E_INVALID_PARAMETER;
	case CB_KMS_BIG:
		in->saBundle.keyModuleState = kms_bad;
		return FWP_E_OUT_OF_BOUNDS;
	case CB_FILTER_ID:
		in->traffic.ipsecFilterId ^= 0x5000;
		return FWP_E_TRAFFIC_MISMATCH;
	case CB_FLAGS_UNKNOWN:
		out->saBundle.flags |= 0x02000000u;
		return FWP_E_INVALID_FLAGS;
	case CB_UPDATE_FLAG_UNKNOWN:
		*flags |= 0x80;
		return FWP_E_INVALID_FLAGS;
	case CB_TRAFFIC_ENUM:
		out->traffic.ipVersion = FWP_IP_VERSION_MAX;
		return FWP_E_INVALID_ENUMERATOR;
	case CB_TYPE_MISMATCH:
		in->traffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
		return FWP_E_TRAFFIC_MISMATCH;
	default:
		return ERROR_SUCCESS;
	}
}

static void update_all_or_nothing(void **state)
{
	HANDLE h = cf_open();
	IPSEC_V4_UDP_ENCAPSULATION0 udp_ok = { 4500, 4500 }, udp_bad = { 0, 0 };
	IPSEC_KEYMODULE_STATE0 kms_ok, kms_bad;
	UINT8 small[16] = "key module state";

	(void)state;
	kms_ok.keyModuleKey = cf_random_guid();
	kms_ok.stateBlob.size = sizeof(small);
	kms_ok.stateBlob.data = small;
	kms_bad.keyModuleKey = cf_random_guid();
	kms_bad.stateBlob.size = sizeof(cb_big);
	kms_bad.stateBlob.data = cb_big;
	for (int row = 0; row < CB_COUNT; row++) {
		cf_ctx c;
		IPSEC_SA_CONTEXT1 *nv;
		UINT64 flags;
		DWORD want;

		cf_mature(h, &c);
		nv = cf_get1(h, c.id);
		want = combined_row(row, nv, &flags, false, &udp_ok, &udp_bad,
				    &kms_ok, &kms_bad);
		expect_reject(h, flags, nv, want, cb_names[row]);
		FwpmFreeMemory0((void **)&nv);
		/* Without the invalid part the same update goes through. */
		nv = cf_get1(h, c.id);
		combined_row(row, nv, &flags, true, &udp_ok, &udp_bad, &kms_ok,
			     &kms_bad);
		CF_CHECK_RC(IPsecSaContextUpdate0(h, flags, nv), ERROR_SUCCESS,
			    cb_names[row]);
		FwpmFreeMemory0((void **)&nv);
		cf_ctx_delete(h, &c);
	}
	cf_close(h);
	cf_assert_no_failures();
}

/*
 * Fields not named by a flag are ignored, even when they differ: keys
 * absent (as GetById1 returns them), other SPIs, lifetimes, transforms,
 * even no SA list at all.
 */
static void update_unflagged_ignored(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *nv, *exp;
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { 1111, 2222 };
	IPSEC_KEYMODULE_STATE0 kms;
	UINT8 blob[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	IPSEC_SA0 other_sa;

	(void)state;
	cf_mature(h, &c);
	kms.keyModuleKey = cf_random_guid();
	kms.stateBlob.size = sizeof(blob);
	kms.stateBlob.data = blob;
	memset(&other_sa, 0, sizeof(other_sa));
	other_sa.spi = 0x12345678;
	other_sa.saTransformType = IPSEC_TRANSFORM_AH;

	for (int pass = 0; pass < 2; pass++) {
		UINT64 flags = pass ? 0 : F_NAP;

		nv = cf_get1(h, c.id);
		exp = cf_get1(h, c.id);
		for (int i = 0; i < 2; i++) {
			IPSEC_SA_DETAILS1 *d = i ? nv->outboundSa : nv->inboundSa;

			d->traffic.localV4Address ^= 0x00FF0000u;
			d->traffic.ipsecFilterId += 3;
			d->udpEncapsulation = &udp;
			d->saBundle.flags = 0x100;	/* even invalid */
			d->saBundle.lifetime.lifetimeSeconds = 1;
			d->saBundle.idleTimeoutSeconds = 1;
			d->saBundle.keyModuleState = &kms;
			d->saBundle.peerV4PrivateAddress = 1;
			d->saBundle.mmSaId = 555;
			d->saBundle.numSAs = i ? 0 : 1;
			d->saBundle.saList = i ? NULL : &other_sa;
			d->saBundle.pfsGroup = IPSEC_PFS_24;
			d->saBundle.ipVersion = FWP_IP_VERSION_V6;
			d->saBundle.napContext = 31337;
		}
		exp->inboundSa->saBundle.napContext = pass ? 0 : 31337;
		exp->outboundSa->saBundle.napContext = pass ? 0 : 31337;
		expect_update(h, flags, nv, exp,
			      pass ? "flags 0: nothing changes" :
				     "NAP_CONTEXT only; every other field "
				     "differs");
		FwpmFreeMemory0((void **)&nv);
		FwpmFreeMemory0((void **)&exp);
		if (!pass) {	/* back to 0 for pass 1 */
			nv = cf_get1(h, c.id);
			nv->inboundSa->saBundle.napContext = 0;
			nv->outboundSa->saBundle.napContext = 0;
			CF_OK(IPsecSaContextUpdate0(h, F_NAP, nv));
			FwpmFreeMemory0((void **)&nv);
		}
	}
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* Decision 10: the order of Update0's checks. */
static void update_check_order(void **state)
{
	HANDLE h = cf_open(), closed = NULL;
	cf_ctx created, inbound, mature;
	IPSEC_SA_CONTEXT1 unknown = { 0xFFFFFFFFFFFF0000ull, NULL, NULL };
	IPSEC_SA_CONTEXT1 nv, *snap;
	IPSEC_SA_DETAILS1 din, dout;

	(void)state;
	CF_OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &closed));
	CF_OK(FwpmEngineClose0(closed));
	cf_ctx_build(h, &created, NULL, CF_CREATED);
	cf_ctx_build(h, &inbound, NULL, CF_INBOUND);
	cf_mature(h, &mature);
	memset(&din, 0, sizeof(din));
	memset(&dout, 0, sizeof(dout));
	din.saDirection = FWP_DIRECTION_INBOUND;
	dout.saDirection = FWP_DIRECTION_OUTBOUND;

	/* 1. engine handle */
	CF_CHECK_RC(IPsecSaContextUpdate0(NULL, 0x8000, NULL),
		    ERROR_INVALID_HANDLE, "NULL handle before everything");
	CF_CHECK_RC(IPsecSaContextUpdate0(closed, 0x8000, NULL),
		    ERROR_INVALID_HANDLE, "closed handle before everything");
	/* 2. newValues NULL before unknown flags */
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0x8000, NULL), FWP_E_NULL_POINTER,
		    "newValues NULL before unknown flags");
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, NULL), FWP_E_NULL_POINTER,
		    "newValues NULL");
	/* 3. unknown flags before the transaction and the id */
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0x80, &unknown),
		    FWP_E_INVALID_FLAGS, "unknown flags before unknown id");
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 1ull << 63, &unknown),
		    FWP_E_INVALID_FLAGS, "flag bit 63");
	CF_OK(FwpmTransactionBegin0(h, 0));
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP | 0x100, &unknown),
		    FWP_E_INVALID_FLAGS, "unknown flags before transaction");
	/* 4. transaction before the id */
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &unknown),
		    FWP_E_TXN_IN_PROGRESS, "transaction before unknown id");
	CF_OK(FwpmTransactionAbort0(h));
	/* 5. unknown id before both-NULL */
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &unknown), FWP_E_NOT_FOUND,
		    "unknown id before both sides NULL");
	/* 6. state before both-NULL */
	nv.saContextId = created.id;
	nv.inboundSa = NULL;
	nv.outboundSa = NULL;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "CREATED, both sides NULL");
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "CREATED, flags 0");
	nv.inboundSa = &din;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "CREATED, inbound side");
	/* 7. both NULL */
	snap = cf_get1(h, inbound.id);
	nv.saContextId = inbound.id;
	nv.inboundSa = NULL;
	nv.outboundSa = NULL;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv), FWP_E_NULL_POINTER,
		    "INBOUND, both sides NULL");
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0, &nv), FWP_E_NULL_POINTER,
		    "INBOUND, both sides NULL, flags 0");
	/* 8. outbound side while only inbound exists */
	nv.outboundSa = &dout;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "INBOUND, outbound side only");
	nv.inboundSa = &din;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "INBOUND, both sides");
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "INBOUND, both sides, flags 0");
	cf_check_unchanged(h, inbound.id, snap, "INBOUND after rejects");
	/* 9. flags 0: success, nothing changes */
	nv.outboundSa = NULL;
	din.saBundle.napContext = 1234;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0, &nv), ERROR_SUCCESS,
		    "INBOUND, inbound side, flags 0");
	cf_check_unchanged(h, inbound.id, snap, "flags 0 no-op (INBOUND)");
	FwpmFreeMemory0((void **)&snap);
	/* INBOUND with the inbound side alone is a real update. */
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv), ERROR_SUCCESS,
		    "INBOUND, inbound side, NAP");

	snap = cf_get1(h, mature.id);
	nv.saContextId = mature.id;
	nv.inboundSa = &din;
	nv.outboundSa = &dout;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, 0, &nv), ERROR_SUCCESS,
		    "MATURE, flags 0");
	cf_check_unchanged(h, mature.id, snap, "flags 0 no-op (MATURE)");
	FwpmFreeMemory0((void **)&snap);

	/* EXPIRING is not INBOUND/MATURE. */
	CF_OK(IPsecSaContextExpire0(h, mature.id));
	nv.outboundSa = NULL;
	CF_CHECK_RC(IPsecSaContextUpdate0(h, F_NAP, &nv),
		    FWP_E_INCOMPATIBLE_SA_STATE, "EXPIRING");

	cf_ctx_delete(h, &created);
	cf_ctx_delete(h, &inbound);
	cf_ctx_delete(h, &mature);
	cf_close(h);
	cf_assert_no_failures();
}

/* peers.md 1.8: MOBIKE roaming with NAT-T toggling, stack pointers. */
static void strongswan_roaming(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *ctx = NULL, *r;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	UINT64 flags;

	(void)state;
	cf_mature(h, &c);
	for (int round = 0; round < 3; round++) {
		UINT32 local = CF_V4(100, 64, round, 10);
		UINT32 remote = CF_V4(203, 0, 113, 50 + round);
		bool natt = round != 2;

		CF_OK(IPsecSaContextGetById1(h, c.id, &ctx));
		ctx->inboundSa->traffic.ipVersion = FWP_IP_VERSION_V4;
		ctx->inboundSa->traffic.localV4Address = local;
		ctx->inboundSa->traffic.remoteV4Address = remote;
		ctx->outboundSa->traffic.ipVersion = FWP_IP_VERSION_V4;
		ctx->outboundSa->traffic.localV4Address = local;
		ctx->outboundSa->traffic.remoteV4Address = remote;
		flags = IPSEC_SA_DETAILS_UPDATE_TRAFFIC;
		if (round != 1) {	/* encap flag changes in rounds 0, 2 */
			encap.localUdpEncapPort = 4500;
			encap.remoteUdpEncapPort = (UINT16)(4500 + round);
			ctx->inboundSa->udpEncapsulation = natt ? &encap : NULL;
			ctx->outboundSa->udpEncapsulation = natt ? &encap : NULL;
			flags |= IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION;
		}
		CF_OK(IPsecSaContextUpdate0(h, flags, ctx));
		FwpmFreeMemory0((void **)&ctx);

		r = cf_get1(h, c.id);
		assert_int_equal(r->inboundSa->traffic.localV4Address, local);
		assert_int_equal(r->outboundSa->traffic.remoteV4Address, remote);
		assert_int_equal(r->outboundSa->traffic.ipsecFilterId,
				 c.out_filter);
		assert_int_equal(r->inboundSa->saBundle.saList[0].spi,
				 c.spi_in);
		assert_int_equal(r->outboundSa->saBundle.saList[0].spi,
				 c.spi_out);
		if (natt) {
			assert_non_null(r->inboundSa->udpEncapsulation);
			assert_non_null(r->outboundSa->udpEncapsulation);
			assert_int_equal(r->outboundSa->udpEncapsulation->
					 remoteUdpEncapPort, 4500);
		} else {
			assert_null(r->inboundSa->udpEncapsulation);
			assert_null(r->outboundSa->udpEncapsulation);
		}
		FwpmFreeMemory0((void **)&r);
	}
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* SPIs, lifetimes, transforms survive a series of updates. */
static void update_preserves_sa(void **state)
{
	HANDLE h = cf_open();
	cf_ctx_opts o;
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *before, *nv, *exp;
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { 4500, 4500 };

	(void)state;
	cf_opts_default(&o);
	o.suite = CF_SUITE_ESP_AH;
	o.in_life.lifetimeSeconds = 7200;
	o.out_life.lifetimeSeconds = 7100;
	o.in_life.lifetimeKilobytes = 1u << 20;
	o.out_life.lifetimePackets = 1u << 24;
	o.in_idle = 300;
	cf_ctx_build(h, &c, &o, CF_MATURE);
	before = cf_get1(h, c.id);

	nv = cf_get1(h, c.id);
	exp = cf_get1(h, c.id);
	set_v4(nv, CF_V4(10, 1, 1, 1), CF_V4(10, 2, 2, 2), false);
	set_v4(exp, CF_V4(10, 1, 1, 1), CF_V4(10, 2, 2, 2), true);
	set_udp(nv, &udp);
	set_udp(exp, &udp);
	nv->inboundSa->saBundle.mmSaId = exp->inboundSa->saBundle.mmSaId = 9;
	nv->outboundSa->saBundle.mmSaId = exp->outboundSa->saBundle.mmSaId = 9;
	expect_update(h, F_TRAFFIC | F_UDP | F_MM, nv, exp,
		      "ESP+AH bundle, lifetimes kept");
	FwpmFreeMemory0((void **)&nv);
	FwpmFreeMemory0((void **)&exp);
	FwpmFreeMemory0((void **)&before);
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(update_traffic),
		CF_TEST(update_traffic_rejects),
		CF_TEST(update_udp_encapsulation),
		CF_TEST(update_bundle_fields),
		CF_TEST(update_bundle_rejects),
		CF_TEST(update_one_side),
		CF_TEST(update_all_or_nothing),
		CF_TEST(update_unflagged_ignored),
		CF_TEST(update_check_order),
		CF_TEST(strongswan_roaming),
		CF_TEST(update_preserves_sa),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.update", tests, NULL,
					   NULL);
}
