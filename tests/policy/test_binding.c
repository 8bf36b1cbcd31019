/* test_binding.c - SA contexts bound to policy (docs/CONTRACT.md, "Binding"),
 * through the public API only, in-process and against fwpd:
 *
 *  - strongSwan's whole transport and tunnel sequences (peers.md 1.4, 1.5,
 *    1.10): provider, IKE bypass filters in two sublayers, IPsec filters,
 *    the SA context bound to them, and teardown in strongSwan's order,
 *    including what that order leaves behind;
 *  - the binding errors: FWP_E_FILTER_NOT_FOUND, FWP_E_TRAFFIC_MISMATCH,
 *    FWP_E_PROVIDER_CONTEXT_NOT_FOUND / _MISMATCH, FWP_E_IN_USE;
 *  - transportFilter handed back by every read.
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
#include <unistd.h>
#include <netinet/in.h>
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
#define LOCAL4 V4(192, 0, 2, 1)
#define REMOTE4 V4(198, 51, 100, 2)

static const GUID charon_provider = { 0x59cdae2e, 0xf6bb, 0x4c09,
	{ 0x9e, 0x2a, 0x0b, 0x4e, 0x6a, 0x2e, 0x3f, 0x11 } };

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

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static void add_provider(HANDLE h)
{
	FWPM_PROVIDER0 p = { .providerKey = charon_provider,
			     .displayData.name = L"charon" };

	OK(FwpmProviderAdd0(h, &p, NULL));
}

/* ---- filters the way strongSwan builds them ---- */

struct fbuild {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[4];
	UINT64 weight;
	GUID provider;
};

static void fb_init(struct fbuild *b, const GUID *layer, const GUID *sublayer,
		    UINT32 action, const GUID *callout)
{
	memset(b, 0, sizeof(*b));
	b->f.displayData.name = L"charon IPsec policy";
	b->f.layerKey = *layer;
	if (sublayer)
		b->f.subLayerKey = *sublayer;
	b->f.action.type = action;
	if (callout)
		b->f.action.calloutKey = *callout;
	b->f.filterCondition = b->c;
	b->provider = charon_provider;
	b->f.providerKey = &b->provider;
}

static void fb_u32(struct fbuild *b, const GUID *field, UINT32 v)
{
	FWPM_FILTER_CONDITION0 *c = &b->c[b->f.numFilterConditions++];

	c->fieldKey = *field;
	c->matchType = FWP_MATCH_EQUAL;
	c->conditionValue.type = FWP_UINT32;
	c->conditionValue.uint32 = v;
}

static UINT64 fb_add(HANDLE h, struct fbuild *b)
{
	UINT64 id = 0;

	b->f.filterKey = random_guid();
	OK(FwpmFilterAdd0(h, &b->f, NULL, &id));
	assert_true(id != 0);
	return id;
}

/* IKE bypass: PERMIT UDP to local port 500 or 4500, weight 0xff00.. */
static int add_bypass(HANDLE h, const GUID *sublayer, UINT64 *ids)
{
	static const GUID *const layers[] = { &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, &FWPM_LAYER_INBOUND_TRANSPORT_V6,
		&FWPM_LAYER_OUTBOUND_TRANSPORT_V6 };
	int n = 0;

	for (int l = 0; l < 4; l++) {
		for (int p = 0; p < 2; p++) {
			struct fbuild b;
			FWPM_FILTER_CONDITION0 *c;

			fb_init(&b, layers[l], sublayer, FWP_ACTION_PERMIT, NULL);
			b.f.displayData.name = L"charon IKE bypass";
			b.weight = 0xff00000000000000ull;
			b.f.weight.type = FWP_UINT64;
			b.f.weight.uint64 = &b.weight;
			c = &b.c[b.f.numFilterConditions++];
			c->fieldKey = FWPM_CONDITION_IP_PROTOCOL;
			c->matchType = FWP_MATCH_EQUAL;
			c->conditionValue.type = FWP_UINT8;
			c->conditionValue.uint8 = IPPROTO_UDP;
			c = &b.c[b.f.numFilterConditions++];
			c->fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
			c->matchType = FWP_MATCH_EQUAL;
			c->conditionValue.type = FWP_UINT16;
			c->conditionValue.uint16 = p ? 4500 : 500;
			ids[n++] = fb_add(h, &b);
		}
	}
	return n;
}

/* ---- the SA context, strongSwan's calls ---- */

struct sa_build {
	UINT8 key[2][20];
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info[2];
	IPSEC_SA0 sa[2];
	IPSEC_SA_BUNDLE0 bundle[2];
};

static void sa_build_init(struct sa_build *s, UINT32 spi_in, UINT32 spi_out)
{
	memset(s, 0, sizeof(*s));
	for (int d = 0; d < 2; d++) {
		IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *i = &s->info[d];

		if (getrandom(s->key[d], sizeof(s->key[d]), 0) != sizeof(s->key[d]))
			abort();
		i->saCipherInformation.cipherTransform.cipherTransformId =
			(IPSEC_CIPHER_TRANSFORM_ID0){ IPSEC_CIPHER_TYPE_AES_128,
						      IPSEC_CIPHER_CONFIG_GCM_AES_128 };
		i->saCipherInformation.cipherKey = (FWP_BYTE_BLOB){ 20, s->key[d] };
		i->saAuthInformation.authTransform.authTransformId =
			(IPSEC_AUTH_TRANSFORM_ID0){ IPSEC_AUTH_AES_128,
						    IPSEC_AUTH_CONFIG_GCM_AES_128 };
		i->saAuthInformation.authKey = (FWP_BYTE_BLOB){ 20, s->key[d] };
		s->sa[d].spi = d ? spi_out : spi_in;
		s->sa[d].saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
		s->sa[d].espAuthAndCipherInformation = i;
		s->bundle[d].lifetime.lifetimeSeconds = 3600;
		s->bundle[d].numSAs = 1;
		s->bundle[d].saList = &s->sa[d];
		s->bundle[d].ipVersion = FWP_IP_VERSION_V4;
	}
	s->bundle[1].flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
}

static IPSEC_TRAFFIC1 traffic(IPSEC_TRAFFIC_TYPE type, UINT64 filter_or_policy)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = LOCAL4;
	t.remoteV4Address = REMOTE4;
	t.trafficType = type;
	t.ipsecFilterId = filter_or_policy;	/* = tunnelPolicyId (a union) */
	return t;
}

static UINT32 next_spi(void)
{
	static UINT32 n;

	return 0x40000000u | (UINT32)(getpid() & 0xfff) << 16 | ++n;
}

/* Create1, SetSpi0, AddInbound0, AddOutbound0 (peers.md 1.4 steps 3-6). */
static UINT64 install_sa(HANDLE h, IPSEC_TRAFFIC_TYPE type, UINT64 out_id, UINT64 in_id)
{
	IPSEC_TRAFFIC1 t = traffic(type, out_id);
	IPSEC_GETSPI1 g;
	struct sa_build s;
	UINT32 spi = next_spi();
	UINT64 id = 0;

	OK(IPsecSaContextCreate1(h, &t, NULL, NULL, &id));
	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = traffic(type, in_id);
	g.ipVersion = FWP_IP_VERSION_V4;
	OK(IPsecSaContextSetSpi0(h, id, &g, spi));
	sa_build_init(&s, spi, spi + 0x100000u);
	OK(IPsecSaContextAddInbound0(h, id, &s.bundle[0]));
	OK(IPsecSaContextAddOutbound0(h, id, &s.bundle[1]));
	return id;
}

static void assert_filter_is(const FWPM_FILTER0 *f, UINT64 id, const GUID *layer)
{
	assert_non_null(f);
	assert_true(f->filterId == id);
	assert_true(guid_eq(&f->layerKey, layer));
	assert_non_null(f->displayData.name);
	assert_true(wcscmp(f->displayData.name, L"charon IPsec policy") == 0);
	assert_int_equal(f->numFilterConditions, 2);
	assert_true(guid_eq(&f->filterCondition[0].fieldKey, &FWPM_CONDITION_IP_LOCAL_ADDRESS));
	assert_int_equal(f->filterCondition[0].conditionValue.uint32, LOCAL4);
	assert_true(f->providerKey && guid_eq(f->providerKey, &charon_provider));
}

/* Every read hands the bound filters back. */
static void assert_reads_bound(HANDLE h, UINT64 id, UINT64 in_id, UINT64 out_id)
{
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	IPSEC_SA_CONTEXT1 **v = NULL;
	IPSEC_SA_DETAILS1 **sv = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0;
	bool found = false;

	OK(IPsecSaContextGetById1(h, id, &c1));
	assert_filter_is(c1->inboundSa->transportFilter, in_id, &FWPM_LAYER_INBOUND_TRANSPORT_V4);
	assert_filter_is(c1->outboundSa->transportFilter, out_id,
			 &FWPM_LAYER_OUTBOUND_TRANSPORT_V4);
	FwpmFreeMemory0((void **)&c1);
	OK(IPsecSaContextGetById0(h, id, &c0));
	assert_filter_is(c0->inboundSa->transportFilter, in_id, &FWPM_LAYER_INBOUND_TRANSPORT_V4);
	assert_filter_is(c0->outboundSa->transportFilter, out_id,
			 &FWPM_LAYER_OUTBOUND_TRANSPORT_V4);
	FwpmFreeMemory0((void **)&c0);

	OK(IPsecSaContextCreateEnumHandle0(h, NULL, &eh));
	OK(IPsecSaContextEnum1(h, eh, 1000, &v, &n));
	for (UINT32 i = 0; i < n; i++) {
		if (v[i]->saContextId != id)
			continue;
		found = true;
		assert_filter_is(v[i]->inboundSa->transportFilter, in_id,
				 &FWPM_LAYER_INBOUND_TRANSPORT_V4);
	}
	assert_true(found);
	FwpmFreeMemory0((void **)&v);
	OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	found = false;
	OK(IPsecSaCreateEnumHandle0(h, NULL, &eh));
	OK(IPsecSaEnum1(h, eh, 1000, &sv, &n));
	for (UINT32 i = 0; i < n; i++) {
		const FWPM_FILTER0 *f = sv[i]->transportFilter;

		if (f && f->filterId == out_id) {
			found = true;
			assert_int_equal(sv[i]->saDirection, FWP_DIRECTION_OUTBOUND);
		}
	}
	assert_true(found);
	FwpmFreeMemory0((void **)&sv);
	OK(IPsecSaDestroyEnumHandle0(h, eh));
}

/* peers.md 1.4 and 1.10, transport mode, from start-up to shutdown. */
static void test_strongswan_transport(void **state)
{
	HANDLE h = open_engine();
	UINT64 bypass[16], ale_id, in_id, out_id, v6_id, id, id0;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	struct fbuild b;
	int nb = 0;

	(void)state;
	add_provider(h);
	nb += add_bypass(h, NULL, bypass + nb);
	nb += add_bypass(h, &FWPM_SUBLAYER_IPSEC_TUNNEL, bypass + nb);

	fb_init(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V4, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4);
	fb_u32(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, LOCAL4);
	fb_u32(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, REMOTE4);
	in_id = fb_add(h, &b);
	fb_init(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	fb_u32(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, LOCAL4);
	fb_u32(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, REMOTE4);
	out_id = fb_add(h, &b);
	/* Not transport layers, or the other family: refused. */
	fb_init(&b, &FWPM_LAYER_ALE_AUTH_CONNECT_V4, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4);
	ale_id = fb_add(h, &b);
	fb_init(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6);
	v6_id = fb_add(h, &b);

	t = traffic(IPSEC_TRAFFIC_TYPE_TRANSPORT, out_id + 1000000);
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_FILTER_NOT_FOUND);
	t.ipsecFilterId = ale_id;
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_FILTER_NOT_FOUND);
	t.ipsecFilterId = bypass[0];	/* a transport-layer PERMIT filter: fine */
	OK(IPsecSaContextCreate1(h, &t, NULL, NULL, &id0));
	OK(IPsecSaContextDeleteById0(h, id0));
	t.ipsecFilterId = v6_id;
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_TRAFFIC_MISMATCH);

	/* SetSpi checks its own filter; a failed SetSpi changes nothing. */
	t.ipsecFilterId = out_id;
	OK(IPsecSaContextCreate1(h, &t, NULL, NULL, &id));
	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = traffic(IPSEC_TRAFFIC_TYPE_TRANSPORT, 0x7fff0000);
	g.ipVersion = FWP_IP_VERSION_V4;
	RC(IPsecSaContextSetSpi0(h, id, &g, next_spi()),
	   FWP_E_FILTER_NOT_FOUND);
	OK(IPsecSaContextGetById1(h, id, &c1));
	assert_null(c1->inboundSa);
	FwpmFreeMemory0((void **)&c1);
	OK(IPsecSaContextDeleteById0(h, id));

	id = install_sa(h, IPSEC_TRAFFIC_TYPE_TRANSPORT, out_id, in_id);
	assert_reads_bound(h, id, in_id, out_id);

	/* NAT-T retrofitted (step 7): the binding survives the update. */
	OK(IPsecSaContextGetById1(h, id, &c1));
	c1->inboundSa->udpEncapsulation = &encap;
	c1->outboundSa->udpEncapsulation = &encap;
	OK(IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, c1));
	FwpmFreeMemory0((void **)&c1);
	assert_reads_bound(h, id, in_id, out_id);

	/* A filter a live context names cannot go. */
	RC(FwpmFilterDeleteById0(h, in_id), FWP_E_IN_USE);
	RC(FwpmFilterDeleteById0(h, out_id), FWP_E_IN_USE);

	/* Teardown in strongSwan's order: context, then its filters. */
	OK(IPsecSaContextDeleteById0(h, id));
	OK(FwpmFilterDeleteById0(h, in_id));
	OK(FwpmFilterDeleteById0(h, out_id));
	OK(FwpmFilterDeleteById0(h, ale_id));
	OK(FwpmFilterDeleteById0(h, v6_id));
	for (int i = 0; i < nb; i++)
		OK(FwpmFilterDeleteById0(h, bypass[i]));
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));

	/* ipsecFilterId 0: no binding, no transportFilter. */
	id = install_sa(h, IPSEC_TRAFFIC_TYPE_TRANSPORT, 0, 0);
	OK(IPsecSaContextGetById1(h, id, &c1));
	assert_null(c1->inboundSa->transportFilter);
	assert_null(c1->outboundSa->transportFilter);
	FwpmFreeMemory0((void **)&c1);
	OK(IPsecSaContextDeleteById0(h, id));
	OK(FwpmEngineClose0(h));
}

/* strongSwan's dummy QM tunnel policy (peers.md 1.5 step 1). */
struct tunnel_ctx {
	FWPM_PROVIDER_CONTEXT0 pc;
	IPSEC_TUNNEL_POLICY0 policy;
	IPSEC_PROPOSAL0 proposal;
	IPSEC_SA_TRANSFORM0 transform;
	IPSEC_AUTH_TRANSFORM0 auth;
	GUID provider;
};

static UINT64 add_tunnel_ctx(HANDLE h, struct tunnel_ctx *t)
{
	UINT64 id = 0;

	memset(t, 0, sizeof(*t));
	t->auth.authTransformId.authType = IPSEC_AUTH_SHA_1;
	t->auth.authTransformId.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
	t->transform.ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH;
	t->transform.espAuthTransform = &t->auth;
	t->proposal.lifetime = (IPSEC_SA_LIFETIME0){ 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF };
	t->proposal.numSaTransforms = 1;
	t->proposal.saTransforms = &t->transform;
	t->policy.numIpsecProposals = 1;
	t->policy.ipsecProposals = &t->proposal;
	t->policy.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	t->policy.tunnelEndpoints.localV4Address = LOCAL4;
	t->policy.tunnelEndpoints.remoteV4Address = REMOTE4;
	t->policy.saIdleTimeout.idleTimeoutSeconds = 0xFFFF;
	t->policy.saIdleTimeout.idleTimeoutSecondsFailOver = 0xFFFF;
	t->provider = charon_provider;
	t->pc.providerContextKey = random_guid();
	t->pc.displayData.name = L"charon tunnel policy";
	t->pc.providerKey = &t->provider;
	t->pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	t->pc.ikeQmTunnelPolicy = &t->policy;
	OK(FwpmProviderContextAdd0(h, &t->pc, NULL, &id));
	return id;
}

static UINT64 add_tunnel_filter(HANDLE h, const GUID *layer, const GUID *sublayer,
				const GUID *callout, const GUID *ctx, bool fwd)
{
	struct fbuild b;

	fb_init(&b, layer, sublayer, FWP_ACTION_CALLOUT_TERMINATING, callout);
	if (ctx) {
		b.f.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
		b.f.providerContextKey = *ctx;
	}
	fb_u32(&b, fwd ? &FWPM_CONDITION_IP_SOURCE_ADDRESS : &FWPM_CONDITION_IP_LOCAL_ADDRESS,
	       V4(10, 1, 0, 1));
	fb_u32(&b, fwd ? &FWPM_CONDITION_IP_DESTINATION_ADDRESS : &FWPM_CONDITION_IP_REMOTE_ADDRESS,
	       V4(10, 2, 0, 1));
	return fb_add(h, &b);
}

/* peers.md 1.5 and 1.10, tunnel mode. */
static void test_strongswan_tunnel(void **state)
{
	HANDLE h = open_engine();
	struct tunnel_ctx tc;
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 },
				       NULL };
	IPSEC_SA_TRANSFORM0 tr = { IPSEC_TRANSFORM_ESP_AUTH, { .espAuthTransform = &auth } };
	IPSEC_PROPOSAL0 prop = { { 3600, 100000, 0x7FFFFFFF }, 1, &tr, IPSEC_PFS_NONE };
	IPSEC_TRANSPORT_POLICY0 tpol = { 1, &prop, 0, 0, { 300, 60 }, NULL };
	FWPM_PROVIDER_CONTEXT0 tpc = { .displayData.name = L"qm transport",
				       .type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
				       .ikeQmTransportPolicy = &tpol };
	FWPM_PROVIDER_CONTEXT0 *got = NULL;
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_TRAFFIC1 t;
	UINT64 ctx_id, transport_ctx_id = 0, ids[6], id, id2;
	int n = 0;

	(void)state;
	add_provider(h);
	ctx_id = add_tunnel_ctx(h, &tc);
	OK(FwpmProviderContextAdd0(h, &tpc, NULL, &transport_ctx_id));
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		&FWPM_SUBLAYER_IPSEC_TUNNEL, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4,
		&tc.pc.providerContextKey, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		&FWPM_SUBLAYER_IPSEC_TUNNEL, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4,
		&tc.pc.providerContextKey, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_IPFORWARD_V4, &FWPM_SUBLAYER_IPSEC_TUNNEL,
		&FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4, &tc.pc.providerContextKey, true);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_IPFORWARD_V4,
		&FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL,
		&FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4, &tc.pc.providerContextKey, true);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, NULL,
		&FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4, &tc.pc.providerContextKey, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_ALE_AUTH_CONNECT_V4, NULL,
		&FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4, NULL, false);

	t = traffic(IPSEC_TRAFFIC_TYPE_TUNNEL, ctx_id + 1000000);
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	t.tunnelPolicyId = 0;
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	t.tunnelPolicyId = transport_ctx_id;
	RC(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), FWP_E_PROVIDER_CONTEXT_MISMATCH);

	id = install_sa(h, IPSEC_TRAFFIC_TYPE_TUNNEL, ctx_id, ctx_id);
	OK(IPsecSaContextGetById1(h, id, &c1));
	assert_true(c1->inboundSa->traffic.tunnelPolicyId == ctx_id);
	assert_null(c1->inboundSa->transportFilter);	/* a tunnel, not a filter */
	assert_null(c1->outboundSa->transportFilter);
	FwpmFreeMemory0((void **)&c1);

	/* strongSwan's del_sa: ALE filters, the SA context, the provider
	 * context (still referenced by the policy filters: FWP_E_IN_USE,
	 * which strongSwan ignores), then the policy filters. */
	OK(FwpmFilterDeleteById0(h, ids[4]));
	OK(FwpmFilterDeleteById0(h, ids[5]));
	OK(IPsecSaContextDeleteById0(h, id));
	RC(FwpmProviderContextDeleteById0(h, ctx_id), FWP_E_IN_USE);
	for (int i = 0; i < 4; i++)
		OK(FwpmFilterDeleteById0(h, ids[i]));
	/* What remains: the provider context, leaked in a static session,
	 * and so the provider that it references. */
	OK(FwpmProviderContextGetById0(h, ctx_id, &got));
	assert_true(guid_eq(&got->providerContextKey, &tc.pc.providerContextKey));
	FwpmFreeMemory0((void **)&got);
	RC(FwpmProviderDeleteByKey0(h, &charon_provider), FWP_E_IN_USE);

	/* An SA context alone holds its tunnel policy too. */
	id2 = install_sa(h, IPSEC_TRAFFIC_TYPE_TUNNEL, ctx_id, ctx_id);
	RC(FwpmProviderContextDeleteById0(h, ctx_id), FWP_E_IN_USE);
	RC(FwpmProviderContextDeleteByKey0(h, &tc.pc.providerContextKey), FWP_E_IN_USE);
	OK(IPsecSaContextDeleteById0(h, id2));
	OK(FwpmProviderContextDeleteById0(h, ctx_id));
	OK(FwpmProviderContextDeleteById0(h, transport_ctx_id));
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));
	OK(FwpmEngineClose0(h));
}

/* A context created before its filter is deleted keeps the filter alive
 * across sessions; the delete succeeds once the context is gone. */
static void test_in_use_across_sessions(void **state)
{
	HANDLE a = open_engine(), b = open_engine();
	struct fbuild fb;
	UINT64 out_id, in_id, id;

	(void)state;
	add_provider(a);
	fb_init(&fb, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	out_id = fb_add(a, &fb);
	fb_init(&fb, &FWPM_LAYER_INBOUND_TRANSPORT_V4, NULL, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4);
	in_id = fb_add(a, &fb);
	id = install_sa(b, IPSEC_TRAFFIC_TYPE_TRANSPORT, out_id, in_id);
	RC(FwpmFilterDeleteById0(a, out_id), FWP_E_IN_USE);
	RC(FwpmFilterDeleteByKey0(a, &fb.f.filterKey), FWP_E_IN_USE);
	OK(FwpmEngineClose0(b));	/* a static context outlives its session */
	RC(FwpmFilterDeleteById0(a, in_id), FWP_E_IN_USE);
	OK(IPsecSaContextDeleteById0(a, id));
	OK(FwpmFilterDeleteById0(a, in_id));
	OK(FwpmFilterDeleteById0(a, out_id));
	OK(FwpmProviderDeleteByKey0(a, &charon_provider));
	OK(FwpmEngineClose0(a));
}

/* FwpmIPsecTunnelAdd0: the tunnel policy and its two filters in one call,
 * an SA context bound to it, and FwpmIPsecTunnelDeleteByKey0. */
static void test_ipsec_tunnel_helper(void **state)
{
	HANDLE h = open_engine();
	struct tunnel_ctx tc;
	FWPM_FILTER_CONDITION0 c[2];
	FWPM_PROVIDER_CONTEXT0 *got = NULL;
	FWPM_FILTER0 *f = NULL;
	UINT64 ctx_id, id;

	(void)state;
	add_provider(h);
	ctx_id = add_tunnel_ctx(h, &tc);	/* fills tc; remove it again */
	OK(FwpmProviderContextDeleteById0(h, ctx_id));
	memset(c, 0, sizeof(c));
	c[0].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_UINT32;
	c[0].conditionValue.uint32 = V4(10, 1, 0, 1);
	c[1] = c[0];
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[1].conditionValue.uint32 = V4(10, 2, 0, 1);
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	RC(FwpmIPsecTunnelAdd0(h, 0x80, NULL, &tc.pc, 2, c, NULL), FWP_E_INVALID_FLAGS);
	c[1].fieldKey = FWPM_CONDITION_IP_PROTOCOL;	/* not point to point */
	RC(FwpmIPsecTunnelAdd0(h, 0, NULL, &tc.pc, 2, c, NULL), FWP_E_INVALID_PARAMETER);
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	OK(FwpmIPsecTunnelAdd0(h, 0, NULL, &tc.pc, 2, c, NULL));
	RC(FwpmIPsecTunnelAdd0(h, 0, NULL, &tc.pc, 2, c, NULL), FWP_E_ALREADY_EXISTS);
	OK(FwpmProviderContextGetByKey0(h, &tc.pc.providerContextKey, &got));
	ctx_id = got->providerContextId;
	FwpmFreeMemory0((void **)&got);

	id = install_sa(h, IPSEC_TRAFFIC_TYPE_TUNNEL, ctx_id, ctx_id);
	/* Bound: the tunnel cannot go while the SA context lives. */
	RC(FwpmIPsecTunnelDeleteByKey0(h, &tc.pc.providerContextKey), FWP_E_IN_USE);
	OK(FwpmProviderContextGetById0(h, ctx_id, &got));	/* nothing half-deleted */
	FwpmFreeMemory0((void **)&got);
	OK(IPsecSaContextDeleteById0(h, id));
	OK(FwpmIPsecTunnelDeleteByKey0(h, &tc.pc.providerContextKey));
	RC(FwpmProviderContextGetById0(h, ctx_id, &got), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmIPsecTunnelDeleteByKey0(h, &tc.pc.providerContextKey),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	{
		HANDLE eh = NULL;
		FWPM_FILTER0 **v = NULL;
		UINT32 n = 0;

		OK(FwpmFilterCreateEnumHandle0(h, NULL, &eh));
		OK(FwpmFilterEnum0(h, eh, 1000, &v, &n));
		for (UINT32 i = 0; i < n; i++)
			assert_false(v[i]->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT &&
				     guid_eq(&v[i]->providerContextKey, &tc.pc.providerContextKey));
		FwpmFreeMemory0((void **)&v);
		OK(FwpmFilterDestroyEnumHandle0(h, eh));
	}
	(void)f;
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));
	OK(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongswan_transport),
		cmocka_unit_test(test_strongswan_tunnel),
		cmocka_unit_test(test_in_use_across_sessions),
		cmocka_unit_test(test_ipsec_tunnel_helper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
