/* test_ikev2_tunnel.c - main-mode policies (docs/CONTRACT.md, "Provider
 * contexts" and "IPsec tunnel helpers"), through the public API only,
 * in-process and against fwpd:
 *
 *  - an IKEv2 pre-shared-key tunnel policy built the way the SDK's
 *    samples build one (IKEEXT_AUTHENTICATION_METHOD1, IKEEXT_POLICY1,
 *    FWPM_IPSEC_IKEV2_MM_CONTEXT and FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT),
 *    added with FwpmIPsecTunnelAdd1, read back field by field, an SA
 *    context bound to it, and deleted;
 *  - the pre-shared key is write-only: every read returns it empty;
 *  - the validation codes of the main-mode policy, each leaving nothing;
 *  - a version-0 IKE main-mode context (64-byte methods) round trip.
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

static HANDLE open_engine(void)
{
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static UINT8 psk_bytes[] = "correct horse battery staple";

/* What an SDK program declares for an IKEv2 PSK site-to-site tunnel. */
struct ikev2_policy {
	IKEEXT_AUTHENTICATION_METHOD1	auth;
	IKEEXT_PROPOSAL0		mm_proposal;
	IKEEXT_POLICY1			mm_policy;
	FWPM_PROVIDER_CONTEXT1		mm;
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 esp;
	IPSEC_SA_TRANSFORM0		qm_transform;
	IPSEC_PROPOSAL0			qm_proposal;
	IPSEC_TUNNEL_POLICY1		qm_policy;
	FWPM_PROVIDER_CONTEXT1		qm;
	FWPM_FILTER_CONDITION0		conds[2];
};

static void build_policy(struct ikev2_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->auth.authenticationMethodType = IKEEXT_PRESHARED_KEY;
	p->auth.presharedKeyAuthentication.presharedKey.size = sizeof(psk_bytes) - 1;
	p->auth.presharedKeyAuthentication.presharedKey.data = psk_bytes;

	p->mm_proposal.cipherAlgorithm.algoIdentifier = IKEEXT_CIPHER_AES_128;
	p->mm_proposal.integrityAlgorithm.algoIdentifier = IKEEXT_INTEGRITY_SHA_256;
	p->mm_proposal.maxLifetimeSeconds = 8 * 60 * 60;
	p->mm_proposal.dhGroup = IKEEXT_DH_GROUP_14;

	p->mm_policy.numAuthenticationMethods = 1;
	p->mm_policy.authenticationMethods = &p->auth;
	p->mm_policy.initiatorImpersonationType = IKEEXT_IMPERSONATION_NONE;
	p->mm_policy.numIkeProposals = 1;
	p->mm_policy.ikeProposals = &p->mm_proposal;
	p->mm_policy.flags = IKEEXT_POLICY_FLAG_SITE_TO_SITE;
	p->mm_policy.retransmitDurationSecs = 30;

	p->mm.providerContextKey = random_guid();
	p->mm.displayData.name = L"IKEv2 main mode";
	p->mm.type = FWPM_IPSEC_IKEV2_MM_CONTEXT;
	p->mm.ikeV2MmPolicy = &p->mm_policy;

	p->esp.authTransform.authTransformId.authType = IPSEC_AUTH_SHA_1;
	p->esp.authTransform.authTransformId.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
	p->esp.cipherTransform.cipherTransformId.cipherType = IPSEC_CIPHER_TYPE_AES_128;
	p->esp.cipherTransform.cipherTransformId.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_AES_128;
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
	p->qm_policy.saIdleTimeout.idleTimeoutSeconds = 300;
	p->qm_policy.saIdleTimeout.idleTimeoutSecondsFailOver = 60;

	p->qm.providerContextKey = random_guid();
	p->qm.displayData.name = L"IKEv2 quick mode";
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

static DWORD tunnel_add(HANDLE h, struct ikev2_policy *p)
{
	return FwpmIPsecTunnelAdd1(h, 0, &p->mm, &p->qm, 2, p->conds, NULL, NULL);
}

static void assert_mm_read_back(const FWPM_PROVIDER_CONTEXT1 *got,
				const struct ikev2_policy *p)
{
	const IKEEXT_POLICY1 *mp;
	const IKEEXT_AUTHENTICATION_METHOD1 *m;

	assert_int_equal(got->type, FWPM_IPSEC_IKEV2_MM_CONTEXT);
	assert_true(got->providerContextId != 0);
	assert_memory_equal(&got->providerContextKey, &p->mm.providerContextKey, sizeof(GUID));
	mp = got->ikeV2MmPolicy;
	assert_non_null(mp);
	assert_int_equal(mp->flags, IKEEXT_POLICY_FLAG_SITE_TO_SITE);
	assert_int_equal(mp->retransmitDurationSecs, 30);
	assert_int_equal(mp->numIkeProposals, 1);
	assert_int_equal(mp->ikeProposals[0].cipherAlgorithm.algoIdentifier,
			 IKEEXT_CIPHER_AES_128);
	assert_int_equal(mp->ikeProposals[0].integrityAlgorithm.algoIdentifier,
			 IKEEXT_INTEGRITY_SHA_256);
	assert_int_equal(mp->ikeProposals[0].dhGroup, IKEEXT_DH_GROUP_14);
	assert_int_equal(mp->ikeProposals[0].maxLifetimeSeconds, 8 * 60 * 60);
	assert_int_equal(mp->numAuthenticationMethods, 1);
	m = &mp->authenticationMethods[0];
	assert_int_equal(m->authenticationMethodType, IKEEXT_PRESHARED_KEY);
	/* Write-only: the key never comes back. */
	assert_int_equal(m->presharedKeyAuthentication.presharedKey.size, 0);
	assert_null(m->presharedKeyAuthentication.presharedKey.data);
}

/* The SDK-style IKEv2 PSK tunnel: added, read back, bound, deleted. */
static void test_ikev2_psk_tunnel(void **state)
{
	HANDLE h = open_engine();
	struct ikev2_policy p;
	FWPM_PROVIDER_CONTEXT1 *got = NULL, **v = NULL;
	FWPM_PROVIDER_CONTEXT0 *got0 = NULL;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_TRAFFIC1 t;
	HANDLE eh = NULL;
	UINT64 qm_id, sa_id = 0;
	UINT32 n = 0;

	(void)state;
	build_policy(&p);
	OK(tunnel_add(h, &p));
	RC(tunnel_add(h, &p), FWP_E_ALREADY_EXISTS);
	/* The caller's key bytes are untouched. */
	assert_memory_equal(psk_bytes, "correct horse", 13);

	OK(FwpmProviderContextGetByKey1(h, &p.mm.providerContextKey, &got));
	assert_mm_read_back(got, &p);
	FwpmFreeMemory0((void **)&got);

	OK(FwpmProviderContextGetByKey1(h, &p.qm.providerContextKey, &got));
	assert_int_equal(got->type, FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT);
	assert_non_null(got->ikeV2QmTunnelPolicy);
	assert_int_equal(got->ikeV2QmTunnelPolicy->tunnelEndpoints.remoteV4Address,
			 V4(198, 51, 100, 2));
	assert_int_equal(got->ikeV2QmTunnelPolicy->ipsecProposals[0].pfsGroup, IPSEC_PFS_2048);
	qm_id = got->providerContextId;
	FwpmFreeMemory0((void **)&got);

	/* Version 0 has no IKEv2 arm: the type comes back, the policy not. */
	OK(FwpmProviderContextGetByKey0(h, &p.mm.providerContextKey, &got0));
	assert_int_equal(got0->type, FWPM_IPSEC_IKEV2_MM_CONTEXT);
	assert_null(got0->ikeMmPolicy);
	FwpmFreeMemory0((void **)&got0);

	/* Enumeration by type finds it, redacted as well. */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.providerContextType = FWPM_IPSEC_IKEV2_MM_CONTEXT;
	OK(FwpmProviderContextCreateEnumHandle0(h, &tmpl, &eh));
	OK(FwpmProviderContextEnum1(h, eh, 100, &v, &n));
	assert_int_equal(n, 1);
	assert_mm_read_back(v[0], &p);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));

	/* An SA context binds to the IKEv2 quick-mode tunnel policy. */
	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = V4(192, 0, 2, 1);
	t.remoteV4Address = V4(198, 51, 100, 2);
	t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	t.tunnelPolicyId = qm_id;
	OK(IPsecSaContextCreate1(h, &t, NULL, NULL, &sa_id));
	RC(FwpmIPsecTunnelDeleteByKey0(h, &p.qm.providerContextKey), FWP_E_IN_USE);
	OK(IPsecSaContextDeleteById0(h, sa_id));

	OK(FwpmIPsecTunnelDeleteByKey0(h, &p.qm.providerContextKey));
	RC(FwpmProviderContextGetByKey1(h, &p.mm.providerContextKey, &got),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmProviderContextGetByKey1(h, &p.qm.providerContextKey, &got),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	OK(FwpmEngineClose0(h));
}

/* One bad field, its code, and nothing left behind. */
static void expect_refused(HANDLE h, struct ikev2_policy *p, DWORD want, const char *what)
{
	FWPM_PROVIDER_CONTEXT1 *got = NULL;
	DWORD rc = tunnel_add(h, p);

	if (rc != want)
		fail_msg("%s: 0x%08x, want 0x%08x", what, rc, want);
	if (FwpmProviderContextGetByKey1(h, &p->qm.providerContextKey, &got) !=
	    FWP_E_PROVIDER_CONTEXT_NOT_FOUND ||
	    FwpmProviderContextGetByKey1(h, &p->mm.providerContextKey, &got) !=
	    FWP_E_PROVIDER_CONTEXT_NOT_FOUND)
		fail_msg("%s: a refused tunnel left a context", what);
}

static void test_mm_validation(void **state)
{
	HANDLE h = open_engine();
	IKEEXT_AUTHENTICATION_METHOD1 many[17];
	struct ikev2_policy p;

	(void)state;
	build_policy(&p);
	p.auth.presharedKeyAuthentication.presharedKey.size = 0;
	expect_refused(h, &p, FWP_E_INVALID_PARAMETER, "empty key");
	build_policy(&p);
	p.auth.presharedKeyAuthentication.presharedKey.data = NULL;
	expect_refused(h, &p, FWP_E_NULL_POINTER, "key without bytes");
	build_policy(&p);
	p.auth.presharedKeyAuthentication.flags = IKEEXT_PSK_FLAG_LOCAL_AUTH_ONLY |
						  IKEEXT_PSK_FLAG_REMOTE_AUTH_ONLY;
	expect_refused(h, &p, FWP_E_INVALID_FLAGS, "local and remote only");
	build_policy(&p);
	p.auth.authenticationMethodType = IKEEXT_KERBEROS;
	expect_refused(h, &p, FWP_E_INCOMPATIBLE_AUTH_METHOD, "Kerberos in IKEv2");
	build_policy(&p);
	p.auth.authenticationMethodType = IKEEXT_CERTIFICATE;
	expect_refused(h, &p, ERROR_NOT_SUPPORTED, "certificate");
	build_policy(&p);
	p.auth.authenticationMethodType = IKEEXT_AUTHENTICATION_METHOD_TYPE_MAX;
	expect_refused(h, &p, FWP_E_INVALID_ENUMERATOR, "method past the enum");
	build_policy(&p);
	p.mm_policy.numIkeProposals = 0;
	expect_refused(h, &p, FWP_E_ZERO_LENGTH_ARRAY, "no proposal");
	build_policy(&p);
	p.mm_policy.authenticationMethods = NULL;
	expect_refused(h, &p, FWP_E_NULL_POINTER, "NULL methods");
	build_policy(&p);
	for (int i = 0; i < 17; i++)
		many[i] = p.auth;
	p.mm_policy.numAuthenticationMethods = 17;
	p.mm_policy.authenticationMethods = many;
	expect_refused(h, &p, FWP_E_OUT_OF_BOUNDS, "17 methods");
	build_policy(&p);
	p.mm_policy.flags = 0x200;
	expect_refused(h, &p, FWP_E_INVALID_FLAGS, "unknown policy flag");
	build_policy(&p);
	p.mm_proposal.dhGroup = IKEEXT_DH_GROUP_MAX;
	expect_refused(h, &p, FWP_E_INVALID_ENUMERATOR, "DH group past the enum");
	build_policy(&p);
	p.mm_policy.initiatorImpersonationType = IKEEXT_IMPERSONATION_MAX;
	expect_refused(h, &p, FWP_E_INVALID_ENUMERATOR, "impersonation past the enum");
	build_policy(&p);
	p.mm_policy.ikeProposals = NULL;
	expect_refused(h, &p, FWP_E_NULL_POINTER, "NULL proposals");
	build_policy(&p);
	p.mm.ikeV2MmPolicy = NULL;
	expect_refused(h, &p, FWP_E_NULL_POINTER, "NULL policy");
	build_policy(&p);
	p.mm.type = FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT;	/* not a main mode */
	expect_refused(h, &p, FWP_E_INVALID_PARAMETER, "quick mode as main mode");
	build_policy(&p);
	p.auth.authenticationMethodType = IKEEXT_EAP;
	p.auth.eapAuthentication.flags = IKEEXT_EAP_FLAG_LOCAL_AUTH_ONLY;
	OK(tunnel_add(h, &p));	/* EAP is an IKEv2 method */
	OK(FwpmIPsecTunnelDeleteByKey0(h, &p.qm.providerContextKey));
	OK(FwpmEngineClose0(h));
}

/* Version 0: IKEEXT_POLICY0's 64-byte methods reach the engine converted
 * and come back in both versions. */
static void test_mm_version0(void **state)
{
	HANDLE h = open_engine();
	IKEEXT_AUTHENTICATION_METHOD0 m[2];
	IKEEXT_PROPOSAL0 prop;
	IKEEXT_POLICY0 pol;
	FWPM_PROVIDER_CONTEXT0 pc, *got0 = NULL;
	FWPM_PROVIDER_CONTEXT1 *got1 = NULL;
	UINT64 id = 0;

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].authenticationMethodType = IKEEXT_PRESHARED_KEY;
	m[0].presharedKeyAuthentication.presharedKey.size = 8;
	m[0].presharedKeyAuthentication.presharedKey.data = psk_bytes;
	m[1].authenticationMethodType = IKEEXT_KERBEROS;
	m[1].kerberosAuthentication.flags = IKEEXT_KERB_AUTH_DONT_ACCEPT_EXPLICIT_CREDENTIALS;
	memset(&prop, 0, sizeof(prop));
	prop.cipherAlgorithm.algoIdentifier = IKEEXT_CIPHER_AES_256;
	prop.integrityAlgorithm.algoIdentifier = IKEEXT_INTEGRITY_SHA1;
	prop.dhGroup = IKEEXT_DH_GROUP_2;
	memset(&pol, 0, sizeof(pol));
	pol.numAuthenticationMethods = 2;
	pol.authenticationMethods = m;
	pol.numIkeProposals = 1;
	pol.ikeProposals = &prop;
	pol.maxDynamicFilters = 7;
	memset(&pc, 0, sizeof(pc));
	pc.providerContextKey = random_guid();
	pc.displayData.name = L"IKE main mode";
	pc.type = FWPM_IPSEC_IKE_MM_CONTEXT;
	pc.ikeMmPolicy = &pol;
	OK(FwpmProviderContextAdd0(h, &pc, NULL, &id));

	OK(FwpmProviderContextGetById0(h, id, &got0));
	assert_int_equal(got0->type, FWPM_IPSEC_IKE_MM_CONTEXT);
	assert_non_null(got0->ikeMmPolicy);
	assert_int_equal(got0->ikeMmPolicy->maxDynamicFilters, 7);
	assert_int_equal(got0->ikeMmPolicy->numAuthenticationMethods, 2);
	assert_int_equal(got0->ikeMmPolicy->authenticationMethods[0].presharedKeyAuthentication
			 .presharedKey.size, 0);
	assert_int_equal(got0->ikeMmPolicy->authenticationMethods[1].authenticationMethodType,
			 IKEEXT_KERBEROS);
	assert_int_equal(got0->ikeMmPolicy->authenticationMethods[1].kerberosAuthentication.flags,
			 IKEEXT_KERB_AUTH_DONT_ACCEPT_EXPLICIT_CREDENTIALS);
	assert_int_equal(got0->ikeMmPolicy->ikeProposals[0].cipherAlgorithm.algoIdentifier,
			 IKEEXT_CIPHER_AES_256);
	FwpmFreeMemory0((void **)&got0);

	OK(FwpmProviderContextGetById1(h, id, &got1));
	assert_int_equal(got1->ikeMmPolicy->authenticationMethods[1].kerberosAuthentication.flags,
			 IKEEXT_KERB_AUTH_DONT_ACCEPT_EXPLICIT_CREDENTIALS);
	assert_int_equal(got1->ikeMmPolicy->retransmitDurationSecs, 0);
	FwpmFreeMemory0((void **)&got1);

	m[1].authenticationMethodType = IKEEXT_EAP;	/* not an IKE method */
	pc.providerContextKey = random_guid();
	RC(FwpmProviderContextAdd0(h, &pc, NULL, NULL), FWP_E_INCOMPATIBLE_AUTH_METHOD);
	/* Version 0 has no IKEv2 arm: a policy there is refused, never read
	 * as the larger version-1 struct. */
	m[1].authenticationMethodType = IKEEXT_KERBEROS;
	pc.type = FWPM_IPSEC_IKEV2_MM_CONTEXT;
	RC(FwpmProviderContextAdd0(h, &pc, NULL, NULL), ERROR_INVALID_PARAMETER);
	pc.type = FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT;
	RC(FwpmProviderContextAdd0(h, &pc, NULL, NULL), ERROR_INVALID_PARAMETER);
	OK(FwpmProviderContextDeleteById0(h, id));
	OK(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ikev2_psk_tunnel),
		cmocka_unit_test(test_mm_validation),
		cmocka_unit_test(test_mm_version0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
