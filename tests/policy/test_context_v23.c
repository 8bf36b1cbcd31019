/* test_context_v23.c - provider contexts and tunnels, versions 2 and 3
 * (docs/CONTRACT.md, "Provider contexts"), through the public API only,
 * in-process and against fwpd:
 *
 *  - an IKEv2 pre-shared-key tunnel policy written the way an SDK program
 *    for the Windows 10 SDK's default target writes it, with the
 *    unversioned names (FWPM_PROVIDER_CONTEXT, IKEEXT_POLICY,
 *    IPSEC_TUNNEL_POLICY, FwpmIPsecTunnelAdd: versions 3 and 2), added,
 *    read back with every version, bound by an SA context, deleted;
 *  - the same with FwpmIPsecTunnelAdd2 and FWPM_PROVIDER_CONTEXT2;
 *  - transport contexts through Add2/Add3 and GetById/GetByKey/Enum2/3;
 *  - each member version 1 cannot hold refused, leaving nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <sys/random.h>
#include <cmocka.h>

#include <fwpmu.h>

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s = 0x%08x, want 0x%08x", #expr, rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

#define V4(a, b, c, d) ((UINT32)(a) << 24 | (UINT32)(b) << 16 | (UINT32)(c) << 8 | (d))

static GUID random_guid(void)
{
	GUID g;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
		abort();
	g.Data1 |= 1;
	return g;
}

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static HANDLE open_engine(void)
{
	HANDLE h = NULL;

	OK(FwpmEngineOpen(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static UINT8 psk_bytes[] = "correct horse battery staple";

/* An IKEv2 PSK site-to-site tunnel, in the unversioned names. */
struct sdk_tunnel {
	IKEEXT_AUTHENTICATION_METHOD	auth;
	IKEEXT_PROPOSAL			mm_proposal;
	IKEEXT_POLICY			mm_policy;
	FWPM_PROVIDER_CONTEXT		mm;
	IPSEC_AUTH_AND_CIPHER_TRANSFORM	esp;
	IPSEC_SA_TRANSFORM		qm_transform;
	IPSEC_PROPOSAL			qm_proposal;
	IPSEC_TUNNEL_POLICY		qm_policy;
	FWPM_PROVIDER_CONTEXT		qm;
	FWPM_FILTER_CONDITION		conds[2];
};

static void build_tunnel(struct sdk_tunnel *p)
{
	memset(p, 0, sizeof(*p));
	p->auth.authenticationMethodType = IKEEXT_PRESHARED_KEY;
	p->auth.presharedKeyAuthentication.presharedKey.size = sizeof(psk_bytes) - 1;
	p->auth.presharedKeyAuthentication.presharedKey.data = psk_bytes;

	p->mm_proposal.cipherAlgorithm.algoIdentifier = IKEEXT_CIPHER_AES_256;
	p->mm_proposal.integrityAlgorithm.algoIdentifier = IKEEXT_INTEGRITY_SHA_256;
	p->mm_proposal.maxLifetimeSeconds = 8 * 60 * 60;
	p->mm_proposal.dhGroup = IKEEXT_DH_GROUP_14;
	p->mm_policy.numAuthenticationMethods = 1;
	p->mm_policy.authenticationMethods = &p->auth;
	p->mm_policy.initiatorImpersonationType = IKEEXT_IMPERSONATION_NONE;
	p->mm_policy.numIkeProposals = 1;
	p->mm_policy.ikeProposals = &p->mm_proposal;
	p->mm_policy.flags = IKEEXT_POLICY_FLAG_SITE_TO_SITE;
	p->mm_policy.retransmitDurationSecs = 20;
	p->mm.providerContextKey = random_guid();
	p->mm.displayData.name = L"IKEv2 main mode (v3)";
	p->mm.type = FWPM_IPSEC_IKEV2_MM_CONTEXT;
	p->mm.ikeV2MmPolicy = &p->mm_policy;

	p->esp.authTransform.authTransformId.authType = IPSEC_AUTH_SHA_256;
	p->esp.authTransform.authTransformId.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
	p->esp.cipherTransform.cipherTransformId.cipherType = IPSEC_CIPHER_TYPE_AES_256;
	p->esp.cipherTransform.cipherTransformId.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_AES_256;
	p->qm_transform.ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	p->qm_transform.espAuthAndCipherTransform = &p->esp;
	p->qm_proposal.lifetime.lifetimeSeconds = 3600;
	p->qm_proposal.lifetime.lifetimeKilobytes = 100000;
	p->qm_proposal.lifetime.lifetimePackets = 0x7fffffff;
	p->qm_proposal.numSaTransforms = 1;
	p->qm_proposal.saTransforms = &p->qm_transform;
	p->qm_proposal.pfsGroup = IPSEC_PFS_2048;
	p->qm_policy.numIpsecProposals = 1;
	p->qm_policy.ipsecProposals = &p->qm_proposal;
	p->qm_policy.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	p->qm_policy.tunnelEndpoints.localV4Address = V4(192, 0, 2, 1);
	p->qm_policy.tunnelEndpoints.remoteV4Address = V4(198, 51, 100, 2);
	p->qm_policy.tunnelEndpoints.localIfLuid = 0x1234;
	p->qm_policy.saIdleTimeout.idleTimeoutSeconds = 300;
	p->qm_policy.saIdleTimeout.idleTimeoutSecondsFailOver = 60;
	p->qm.providerContextKey = random_guid();
	p->qm.displayData.name = L"IKEv2 quick mode (v3)";
	p->qm.type = FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT;
	p->qm.ikeV2QmTunnelPolicy = &p->qm_policy;

	p->conds[0].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	p->conds[0].matchType = FWP_MATCH_EQUAL;
	p->conds[0].conditionValue.type = FWP_UINT32;
	p->conds[0].conditionValue.uint32 = V4(10, 1, 0, 1);
	p->conds[1] = p->conds[0];
	p->conds[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	p->conds[1].conditionValue.uint32 = V4(10, 2, 0, 1);
}

/* What every version reads back of the main-mode context. */
static void check_mm(const IKEEXT_POLICY2 *mp)
{
	const IKEEXT_AUTHENTICATION_METHOD2 *m;

	assert_non_null(mp);
	assert_int_equal(mp->flags, IKEEXT_POLICY_FLAG_SITE_TO_SITE);
	assert_int_equal(mp->retransmitDurationSecs, 20);
	assert_int_equal(mp->numIkeProposals, 1);
	assert_int_equal(mp->ikeProposals[0].cipherAlgorithm.algoIdentifier,
			 IKEEXT_CIPHER_AES_256);
	assert_int_equal(mp->numAuthenticationMethods, 1);
	m = &mp->authenticationMethods[0];
	assert_int_equal(m->authenticationMethodType, IKEEXT_PRESHARED_KEY);
	/* Write-only: the key never comes back. */
	assert_int_equal(m->presharedKeyAuthentication.presharedKey.size, 0);
	assert_null(m->presharedKeyAuthentication.presharedKey.data);
	assert_null(m->kerberosAuthentication.proxyServer);
}

static void check_qm3(const IPSEC_TUNNEL_POLICY3 *t)
{
	assert_non_null(t);
	assert_int_equal(t->tunnelEndpoints.ipVersion, FWP_IP_VERSION_V4);
	assert_int_equal(t->tunnelEndpoints.localV4Address, V4(192, 0, 2, 1));
	assert_int_equal(t->tunnelEndpoints.remoteV4Address, V4(198, 51, 100, 2));
	assert_int_equal(t->tunnelEndpoints.localIfLuid, 0x1234);
	assert_null(t->tunnelEndpoints.remoteFqdn);
	assert_int_equal(t->tunnelEndpoints.numAddresses, 0);
	assert_int_equal(t->saIdleTimeout.idleTimeoutSeconds, 300);
	assert_int_equal(t->numIpsecProposals, 1);
	assert_int_equal(t->ipsecProposals[0].pfsGroup, IPSEC_PFS_2048);
	assert_int_equal(t->ipsecProposals[0].saTransforms[0].espAuthAndCipherTransform
			 ->cipherTransform.cipherTransformId.cipherType, IPSEC_CIPHER_TYPE_AES_256);
	assert_int_equal(t->fwdPathSaLifetime, 0);
	assert_int_equal(t->compartmentId, 0);
	assert_int_equal(t->numTrafficSelectorPolicy, 0);
}

/* Reads with versions 3, 2 and 1 agree; the SA context binds; delete. */
static void read_bind_delete(HANDLE h, const struct sdk_tunnel *p)
{
	FWPM_PROVIDER_CONTEXT3 *g3 = NULL, **v3 = NULL;
	FWPM_PROVIDER_CONTEXT2 *g2 = NULL;
	FWPM_PROVIDER_CONTEXT1 *g1 = NULL;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 tmpl = { .providerContextType =
		FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT };
	IPSEC_TRAFFIC1 t;
	HANDLE eh = NULL;
	UINT64 qm_id, sa_id = 0;
	UINT32 n = 0;
	bool found = false;

	OK(FwpmProviderContextGetByKey(h, &p->mm.providerContextKey, &g3));
	assert_int_equal(g3->type, FWPM_IPSEC_IKEV2_MM_CONTEXT);
	check_mm(g3->ikeV2MmPolicy);
	FwpmFreeMemory0((void **)&g3);
	OK(FwpmProviderContextGetByKey2(h, &p->mm.providerContextKey, &g2));
	check_mm(g2->ikeV2MmPolicy);
	FwpmFreeMemory0((void **)&g2);

	OK(FwpmProviderContextGetByKey3(h, &p->qm.providerContextKey, &g3));
	assert_true(guid_eq(&g3->providerContextKey, &p->qm.providerContextKey));
	assert_true(wcscmp(g3->displayData.name, p->qm.displayData.name) == 0);
	check_qm3(g3->ikeV2QmTunnelPolicy);
	qm_id = g3->providerContextId;
	FwpmFreeMemory0((void **)&g3);
	OK(FwpmProviderContextGetById2(h, qm_id, &g2));
	assert_int_equal(g2->ikeV2QmTunnelPolicy->tunnelEndpoints.localIfLuid, 0x1234);
	assert_int_equal(g2->ikeV2QmTunnelPolicy->fwdPathSaLifetime, 0);
	FwpmFreeMemory0((void **)&g2);
	OK(FwpmProviderContextGetById1(h, qm_id, &g1));
	assert_int_equal(g1->ikeV2QmTunnelPolicy->tunnelEndpoints.remoteV4Address,
			 V4(198, 51, 100, 2));
	FwpmFreeMemory0((void **)&g1);

	OK(FwpmProviderContextCreateEnumHandle0(h, &tmpl, &eh));
	OK(FwpmProviderContextEnum(h, eh, 100, &v3, &n));
	for (UINT32 i = 0; i < n; i++) {
		if (v3[i]->providerContextId != qm_id)
			continue;
		found = true;
		check_qm3(v3[i]->ikeV2QmTunnelPolicy);
	}
	assert_true(found);
	FwpmFreeMemory0((void **)&v3);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = V4(192, 0, 2, 1);
	t.remoteV4Address = V4(198, 51, 100, 2);
	t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	t.tunnelPolicyId = qm_id;
	OK(IPsecSaContextCreate(h, &t, NULL, NULL, &sa_id));
	RC(FwpmIPsecTunnelDeleteByKey(h, &p->qm.providerContextKey), FWP_E_IN_USE);
	OK(IPsecSaContextDeleteById(h, sa_id));
	OK(FwpmIPsecTunnelDeleteByKey(h, &p->qm.providerContextKey));
	RC(FwpmProviderContextGetByKey3(h, &p->mm.providerContextKey, &g3),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmProviderContextGetByKey3(h, &p->qm.providerContextKey, &g3),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
}

static void sdk_tunnel_v3(void **state)
{
	HANDLE h = open_engine();
	struct sdk_tunnel p;

	(void)state;
	build_tunnel(&p);
	OK(FwpmIPsecTunnelAdd(h, 0, &p.mm, &p.qm, 2, p.conds, NULL, NULL));
	RC(FwpmIPsecTunnelAdd3(h, 0, &p.mm, &p.qm, 2, p.conds, NULL, NULL),
	   FWP_E_ALREADY_EXISTS);
	/* The caller's key bytes are untouched. */
	assert_memory_equal(psk_bytes, "correct horse", 13);
	read_bind_delete(h, &p);
	OK(FwpmEngineClose(h));
}

/* Version 2 has version 3's layout but for the tunnel policy's tail, which
 * it lacks: the same tunnel with IPSEC_TUNNEL_POLICY2. */
static void sdk_tunnel_v2(void **state)
{
	HANDLE h = open_engine();
	struct sdk_tunnel p;
	IPSEC_TUNNEL_POLICY2 qm2;
	FWPM_PROVIDER_CONTEXT2 mm, qm;

	(void)state;
	build_tunnel(&p);
	memcpy(&qm2, &p.qm_policy, sizeof(qm2));	/* the version-2 prefix */
	memcpy(&mm, &p.mm, sizeof(mm));
	memcpy(&qm, &p.qm, sizeof(qm));
	qm.ikeV2QmTunnelPolicy = &qm2;
	OK(FwpmIPsecTunnelAdd2(h, 0, &mm, &qm, 2, p.conds, NULL, NULL));
	read_bind_delete(h, &p);
	OK(FwpmEngineClose(h));
}

/* Members version 1 cannot hold are refused and nothing is added. */
static void refused_members(void **state)
{
	HANDLE h = open_engine();
	struct sdk_tunnel p;
	IPSEC_TUNNEL_ENDPOINT0 extra = { .ipVersion = FWP_IP_VERSION_V4, .v4Address = 1 };
	IPSEC_TRAFFIC_SELECTOR_POLICY0 ts = { 0 };
	IKEEXT_EM_POLICY2 em = { 0 };
	FWPM_PROVIDER_CONTEXT3 *g = NULL;
	UINT64 id = 0;

	(void)state;
	build_tunnel(&p);
	p.qm_policy.tunnelEndpoints.remoteFqdn = L"peer.example.net";
	RC(FwpmIPsecTunnelAdd3(h, 0, &p.mm, &p.qm, 2, p.conds, NULL, NULL),
	   ERROR_NOT_SUPPORTED);
	RC(FwpmProviderContextGetByKey3(h, &p.mm.providerContextKey, &g),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), ERROR_NOT_SUPPORTED);

	build_tunnel(&p);
	p.qm_policy.tunnelEndpoints.numAddresses = 1;
	p.qm_policy.tunnelEndpoints.remoteAddresses = &extra;
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), ERROR_NOT_SUPPORTED);
	build_tunnel(&p);
	p.qm_policy.fwdPathSaLifetime = 60;
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), ERROR_NOT_SUPPORTED);
	build_tunnel(&p);
	p.qm_policy.compartmentId = 2;
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), ERROR_NOT_SUPPORTED);
	build_tunnel(&p);
	p.qm_policy.numTrafficSelectorPolicy = 1;
	p.qm_policy.trafficSelectorPolicies = &ts;
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), ERROR_NOT_SUPPORTED);
	build_tunnel(&p);
	p.qm_policy.emPolicy = &em;
	RC(FwpmProviderContextAdd3(h, &p.qm, NULL, &id), FWP_E_EM_NOT_SUPPORTED);
	RC(FwpmProviderContextGetByKey3(h, &p.qm.providerContextKey, &g),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);

	build_tunnel(&p);
	p.auth.authenticationMethodType = IKEEXT_KERBEROS;
	p.auth.kerberosAuthentication.proxyServer = L"kdc.example.net";
	p.mm.type = FWPM_IPSEC_IKE_MM_CONTEXT;
	RC(FwpmProviderContextAdd3(h, &p.mm, NULL, &id), ERROR_NOT_SUPPORTED);
	RC(FwpmProviderContextGetByKey3(h, &p.mm.providerContextKey, &g),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	/* The engine's own checks as for every version. */
	build_tunnel(&p);
	p.mm_policy.numAuthenticationMethods = 0;
	RC(FwpmProviderContextAdd3(h, &p.mm, NULL, &id), FWP_E_ZERO_LENGTH_ARRAY);
	RC(FwpmProviderContextAdd3(h, NULL, NULL, &id), FWP_E_NULL_POINTER);
	RC(FwpmIPsecTunnelAdd2(h, 0, NULL, NULL, 0, NULL, NULL, NULL), FWP_E_NULL_POINTER);
	OK(FwpmEngineClose(h));
}

/* A transport context through Add2 and every read of versions 2 and 3. */
static void transport_round_trip(void **state)
{
	HANDLE h = open_engine();
	IPSEC_AUTH_TRANSFORM0 ah = { .authTransformId = { IPSEC_AUTH_SHA_256,
		IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 } };
	IPSEC_SA_TRANSFORM0 tr = { .ipsecTransformType = IPSEC_TRANSFORM_AH,
		.ahTransform = &ah };
	IPSEC_PROPOSAL0 prop = { .lifetime = { 3600, 100000, 0x7fffffff },
		.numSaTransforms = 1, .saTransforms = &tr };
	IPSEC_TRANSPORT_POLICY2 pol = { .numIpsecProposals = 1, .ipsecProposals = &prop,
		.flags = IPSEC_POLICY_FLAG_ND_SECURE, .ndAllowClearTimeoutSeconds = 7,
		.saIdleTimeout = { 300, 60 } };
	FWPM_PROVIDER_CONTEXT2 pc = {
		.providerContextKey = random_guid(),
		.displayData = { .name = L"transport v2" },
		.type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
		.ikeQmTransportPolicy = &pol,
	};
	FWPM_PROVIDER_CONTEXT2 *g2 = NULL, **v2 = NULL;
	FWPM_PROVIDER_CONTEXT3 *g3 = NULL;
	HANDLE eh = NULL;
	UINT64 id = 0;
	UINT32 n = 0;

	(void)state;
	OK(FwpmProviderContextAdd2(h, &pc, NULL, &id));
	assert_true(id != 0);
	OK(FwpmProviderContextGetById2(h, id, &g2));
	assert_true(guid_eq(&g2->providerContextKey, &pc.providerContextKey));
	assert_int_equal(g2->ikeQmTransportPolicy->flags, IPSEC_POLICY_FLAG_ND_SECURE);
	assert_int_equal(g2->ikeQmTransportPolicy->ndAllowClearTimeoutSeconds, 7);
	assert_int_equal(g2->ikeQmTransportPolicy->ipsecProposals[0].saTransforms[0]
			 .ahTransform->authTransformId.authType, IPSEC_AUTH_SHA_256);
	assert_null(g2->ikeQmTransportPolicy->emPolicy);
	FwpmFreeMemory0((void **)&g2);
	OK(FwpmProviderContextGetByKey3(h, &pc.providerContextKey, &g3));
	assert_int_equal(g3->providerContextId, id);
	assert_int_equal(g3->ikeQmTransportPolicy->saIdleTimeout.idleTimeoutSeconds, 300);
	FwpmFreeMemory0((void **)&g3);
	OK(FwpmProviderContextCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmProviderContextEnum2(h, eh, 1000, &v2, &n));
	assert_true(n >= 1);
	FwpmFreeMemory0((void **)&v2);
	RC(FwpmProviderContextEnum2(h, eh, 10, NULL, &n), FWP_E_NULL_POINTER);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));
	RC(FwpmProviderContextAdd3(h, (FWPM_PROVIDER_CONTEXT3 *)&pc, NULL, NULL),
	   FWP_E_ALREADY_EXISTS);
	RC(FwpmProviderContextGetById3(h, id, NULL), FWP_E_NULL_POINTER);
	OK(FwpmProviderContextDeleteById0(h, id));
	RC(FwpmProviderContextGetById3(h, id, &g3), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	OK(FwpmEngineClose(h));
	RC(FwpmProviderContextGetById2(h, id, &g2), ERROR_INVALID_HANDLE);
}

/* A keying context (IPSEC_KEYING_POLICY0/1): added in version 0 and read
 * in 0, 1, 2 and 3; added in version 3 with flags 0; the engine's checks;
 * IPSEC_KEYING_POLICY1's flags refused, version 1 having no place. */
static void keying_round_trip(void **state)
{
	HANDLE h = open_engine();
	GUID mods[2] = { FWPM_KEYING_MODULE_IKEV2, FWPM_KEYING_MODULE_IKE };
	GUID bad[2] = { FWPM_KEYING_MODULE_IKEV2, FWPM_KEYING_MODULE_IKEV2 };
	IPSEC_KEYING_POLICY0 k0 = { .numKeyMods = 2, .keyModKeys = mods };
	IPSEC_KEYING_POLICY1 k1 = { .numKeyMods = 1, .keyModKeys = mods };
	FWPM_PROVIDER_CONTEXT0 pc0 = {
		.providerContextKey = random_guid(),
		.displayData = { .name = L"keying v0" },
		.type = FWPM_IPSEC_KEYING_CONTEXT,
		.keyingPolicy = &k0,
	};
	FWPM_PROVIDER_CONTEXT3 pc3 = {
		.providerContextKey = random_guid(),
		.displayData = { .name = L"keying v3" },
		.type = FWPM_IPSEC_KEYING_CONTEXT,
		.keyingPolicy = &k1,
	};
	FWPM_PROVIDER_CONTEXT0 *g0 = NULL;
	FWPM_PROVIDER_CONTEXT1 *g1 = NULL;
	FWPM_PROVIDER_CONTEXT2 *g2 = NULL;
	FWPM_PROVIDER_CONTEXT3 *g3 = NULL;
	UINT64 id0 = 0, id3 = 0;

	(void)state;
	OK(FwpmProviderContextAdd0(h, &pc0, NULL, &id0));
	OK(FwpmProviderContextGetById0(h, id0, &g0));
	assert_int_equal(g0->type, FWPM_IPSEC_KEYING_CONTEXT);
	assert_int_equal(g0->keyingPolicy->numKeyMods, 2);
	assert_true(guid_eq(&g0->keyingPolicy->keyModKeys[0], &FWPM_KEYING_MODULE_IKEV2));
	assert_true(guid_eq(&g0->keyingPolicy->keyModKeys[1], &FWPM_KEYING_MODULE_IKE));
	FwpmFreeMemory0((void **)&g0);
	OK(FwpmProviderContextGetByKey1(h, &pc0.providerContextKey, &g1));
	assert_int_equal(g1->keyingPolicy->numKeyMods, 2);
	FwpmFreeMemory0((void **)&g1);
	OK(FwpmProviderContextGetById2(h, id0, &g2));
	assert_int_equal(g2->keyingPolicy->numKeyMods, 2);
	assert_true(guid_eq(&g2->keyingPolicy->keyModKeys[1], &FWPM_KEYING_MODULE_IKE));
	assert_int_equal(g2->keyingPolicy->flags, 0);
	FwpmFreeMemory0((void **)&g2);

	OK(FwpmProviderContextAdd3(h, &pc3, NULL, &id3));
	OK(FwpmProviderContextGetByKey3(h, &pc3.providerContextKey, &g3));
	assert_int_equal(g3->providerContextId, id3);
	assert_int_equal(g3->keyingPolicy->numKeyMods, 1);
	assert_true(guid_eq(&g3->keyingPolicy->keyModKeys[0], &FWPM_KEYING_MODULE_IKEV2));
	FwpmFreeMemory0((void **)&g3);

	/* What version 1 cannot hold, and the engine's checks. */
	pc3.providerContextKey = random_guid();
	k1.flags = IPSEC_KEYING_POLICY_FLAG_TERMINATING_MATCH;
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), ERROR_NOT_SUPPORTED);
	k1.flags = 0;
	k1.numKeyMods = 0;
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_ZERO_LENGTH_ARRAY);
	k1.numKeyMods = 17;
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_OUT_OF_BOUNDS);
	k1.numKeyMods = 2;
	k1.keyModKeys = bad;		/* one twice */
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_INVALID_PARAMETER);
	bad[1] = random_guid();		/* not a keying module */
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_INVALID_PARAMETER);
	k1.keyModKeys = NULL;
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_NULL_POINTER);
	pc3.keyingPolicy = NULL;
	RC(FwpmProviderContextAdd3(h, &pc3, NULL, NULL), FWP_E_NULL_POINTER);
	RC(FwpmProviderContextGetByKey3(h, &pc3.providerContextKey, &g3),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);

	OK(FwpmProviderContextDeleteById0(h, id0));
	OK(FwpmProviderContextDeleteById0(h, id3));
	OK(FwpmEngineClose(h));
}

/* An IKEv2 quick-mode transport context: versions 2 and 3 carry it (added
 * in 3, read in 2 and 3 with its policy), versions 0 and 1 have no arm
 * (Add0/Add1 refuse the type, their reads return it without a policy); the
 * engine's transport checks apply. */
static void ikev2_transport_round_trip(void **state)
{
	HANDLE h = open_engine();
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 esp = {
		.authTransform = { { IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 } },
		.cipherTransform = { { IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128 } },
	};
	IPSEC_SA_TRANSFORM0 tr = { .ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
		.espAuthAndCipherTransform = &esp };
	IPSEC_PROPOSAL0 prop = { .lifetime = { 3600, 100000, 0x7fffffff },
		.numSaTransforms = 1, .saTransforms = &tr };
	IPSEC_TRANSPORT_POLICY2 pol = { .numIpsecProposals = 1, .ipsecProposals = &prop,
		.ndAllowClearTimeoutSeconds = 9, .saIdleTimeout = { 200, 50 } };
	FWPM_PROVIDER_CONTEXT3 pc = {
		.providerContextKey = random_guid(),
		.displayData = { .name = L"ikev2 transport" },
		.type = FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT,
		.ikeV2QmTransportPolicy = &pol,
	};
	FWPM_PROVIDER_CONTEXT0 *g0 = NULL;
	FWPM_PROVIDER_CONTEXT1 *g1 = NULL, **v1 = NULL;
	FWPM_PROVIDER_CONTEXT2 *g2 = NULL;
	FWPM_PROVIDER_CONTEXT3 *g3 = NULL, **v3 = NULL;
	IKEEXT_EM_POLICY2 em = { 0 };
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 t = {
		.providerContextType = FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT };
	HANDLE eh = NULL;
	UINT64 id = 0;
	UINT32 n = 0;
	bool seen = false;

	(void)state;
	OK(FwpmProviderContextAdd3(h, &pc, NULL, &id));
	OK(FwpmProviderContextGetById3(h, id, &g3));
	assert_int_equal(g3->type, FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT);
	assert_non_null(g3->ikeV2QmTransportPolicy);
	assert_int_equal(g3->ikeV2QmTransportPolicy->ndAllowClearTimeoutSeconds, 9);
	assert_int_equal(g3->ikeV2QmTransportPolicy->saIdleTimeout.idleTimeoutSeconds, 200);
	assert_int_equal(g3->ikeV2QmTransportPolicy->ipsecProposals[0].saTransforms[0]
			 .espAuthAndCipherTransform->cipherTransform.cipherTransformId.cipherType,
			 IPSEC_CIPHER_TYPE_AES_128);
	FwpmFreeMemory0((void **)&g3);
	OK(FwpmProviderContextGetByKey2(h, &pc.providerContextKey, &g2));
	assert_int_equal(g2->ikeV2QmTransportPolicy->numIpsecProposals, 1);
	FwpmFreeMemory0((void **)&g2);
	/* The template selects the type; Enum3 carries the policy. */
	OK(FwpmProviderContextCreateEnumHandle0(h, &t, &eh));
	OK(FwpmProviderContextEnum3(h, eh, 100, &v3, &n));
	for (UINT32 i = 0; i < n; i++) {
		assert_int_equal(v3[i]->type, FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT);
		seen |= v3[i]->providerContextId == id &&
			v3[i]->ikeV2QmTransportPolicy != NULL;
	}
	assert_true(seen);
	FwpmFreeMemory0((void **)&v3);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));

	/* Versions 0 and 1: no arm. */
	OK(FwpmProviderContextGetById1(h, id, &g1));
	assert_int_equal(g1->type, FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT);
	assert_null(g1->ikeQmTransportPolicy);
	RC(FwpmProviderContextAdd1(h, g1, NULL, NULL), ERROR_NOT_SUPPORTED);
	FwpmFreeMemory0((void **)&g1);
	OK(FwpmProviderContextGetByKey0(h, &pc.providerContextKey, &g0));
	assert_int_equal(g0->type, FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT);
	assert_null(g0->ikeQmTransportPolicy);
	g0->providerContextKey = random_guid();
	RC(FwpmProviderContextAdd0(h, g0, NULL, NULL), ERROR_NOT_SUPPORTED);
	FwpmFreeMemory0((void **)&g0);
	OK(FwpmProviderContextCreateEnumHandle0(h, &t, &eh));
	OK(FwpmProviderContextEnum1(h, eh, 100, &v1, &n));
	assert_true(n >= 1);
	for (UINT32 i = 0; i < n; i++)
		assert_null(v1[i]->ikeQmTransportPolicy);
	FwpmFreeMemory0((void **)&v1);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));

	/* The engine's transport checks. */
	pc.providerContextKey = random_guid();
	pol.numIpsecProposals = 0;
	RC(FwpmProviderContextAdd3(h, &pc, NULL, NULL), FWP_E_ZERO_LENGTH_ARRAY);
	pol.numIpsecProposals = 1;
	pol.emPolicy = &em;
	RC(FwpmProviderContextAdd3(h, &pc, NULL, NULL), FWP_E_EM_NOT_SUPPORTED);
	pol.emPolicy = NULL;
	pc.ikeV2QmTransportPolicy = NULL;
	RC(FwpmProviderContextAdd3(h, &pc, NULL, NULL), FWP_E_NULL_POINTER);

	OK(FwpmProviderContextDeleteById0(h, id));
	OK(FwpmEngineClose(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sdk_tunnel_v3),
		cmocka_unit_test(sdk_tunnel_v2),
		cmocka_unit_test(refused_members),
		cmocka_unit_test(transport_round_trip),
		cmocka_unit_test(keying_round_trip),
		cmocka_unit_test(ikev2_transport_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
