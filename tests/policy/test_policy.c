/* test_policy.c - policy objects through the public API: strongSwan's
 * kernel-wfp call patterns (startup, IKE bypass, transport and tunnel
 * policies, teardown), Get/Enum round trips, every validation code with a
 * check that the failed call changed nothing, dynamic sessions, built-in
 * sublayers, filter ids.
 *
 * All tests share the process's in-process engine; each removes what it
 * adds. Counts are therefore taken relative to the start of a test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <fwpmu.h>

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s: got 0x%08x, expected 0x%08x", #expr, \
			 (unsigned)rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

/* strongSwan's provider key {59CDAE2E-F6BB-4C09-A959-9D91ACAFF919}. */
static const GUID charon_provider = { 0x59cdae2e, 0xf6bb, 0x4c09,
	{ 0xa9, 0x59, 0x9d, 0x91, 0xac, 0xaf, 0xf9, 0x19 } };

static HANDLE open_engine(UINT32 flags)
{
	FWPM_SESSION0 session = {
		.displayData = { .name = L"charon", .description = L"strongSwan" },
		.flags = flags,
	};
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &h));
	return h;
}

static GUID random_guid(void)
{
	static unsigned n;
	GUID g = { 0x7e570000u + ++n, 0x1234, 0x5678,
		   { 1, 2, 3, 4, 5, 6, 7, (unsigned char)n } };

	return g;
}

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void add_provider(HANDLE h, const GUID *key)
{
	FWPM_PROVIDER0 p = {
		.providerKey = *key,
		.displayData = { .name = L"charon", .description = L"strongSwan IKE kernel-wfp" },
	};

	OK(FwpmProviderAdd0(h, &p, NULL));
}

/* Counts of every kind, to check that a failed call changed nothing. */
struct counts {
	UINT32 providers, sublayers, filters, contexts;
};

static UINT32 count_kind(HANDLE h, int kind)
{
	HANDLE eh = NULL;
	void **entries = NULL;
	UINT32 n = 0;

	switch (kind) {
	case 0:
		OK(FwpmProviderCreateEnumHandle0(h, NULL, &eh));
		OK(FwpmProviderEnum0(h, eh, 100000, (FWPM_PROVIDER0 ***)&entries, &n));
		OK(FwpmProviderDestroyEnumHandle0(h, eh));
		break;
	case 1:
		OK(FwpmSubLayerCreateEnumHandle0(h, NULL, &eh));
		OK(FwpmSubLayerEnum0(h, eh, 100000, (FWPM_SUBLAYER0 ***)&entries, &n));
		OK(FwpmSubLayerDestroyEnumHandle0(h, eh));
		break;
	case 2:
		OK(FwpmFilterCreateEnumHandle0(h, NULL, &eh));
		OK(FwpmFilterEnum0(h, eh, 100000, (FWPM_FILTER0 ***)&entries, &n));
		OK(FwpmFilterDestroyEnumHandle0(h, eh));
		break;
	default:
		OK(FwpmProviderContextCreateEnumHandle0(h, NULL, &eh));
		OK(FwpmProviderContextEnum1(h, eh, 100000,
					    (FWPM_PROVIDER_CONTEXT1 ***)&entries, &n));
		OK(FwpmProviderContextDestroyEnumHandle0(h, eh));
		break;
	}
	if (entries)
		FwpmFreeMemory0((void **)&entries);
	return n;
}

static struct counts counts(HANDLE h)
{
	struct counts c = {
		count_kind(h, 0), count_kind(h, 1), count_kind(h, 2), count_kind(h, 3)
	};

	return c;
}

static void assert_unchanged(HANDLE h, const struct counts *before)
{
	struct counts now = counts(h);

	assert_int_equal(now.providers, before->providers);
	assert_int_equal(now.sublayers, before->sublayers);
	assert_int_equal(now.filters, before->filters);
	assert_int_equal(now.contexts, before->contexts);
}

/* ---- filter builders ---- */

struct fbuild {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[4];
	UINT64 weight;
};

static void fb_init(struct fbuild *b, const GUID *layer, UINT32 action,
		    const GUID *callout)
{
	memset(b, 0, sizeof(*b));
	b->f.displayData.name = L"charon IPsec policy";
	b->f.layerKey = *layer;
	b->f.weight.type = FWP_EMPTY;
	b->f.action.type = action;
	if (callout)
		b->f.action.calloutKey = *callout;
	b->f.filterCondition = b->c;
}

static FWPM_FILTER_CONDITION0 *fb_cond(struct fbuild *b, const GUID *field,
				       FWP_MATCH_TYPE m, FWP_DATA_TYPE t)
{
	FWPM_FILTER_CONDITION0 *c = &b->c[b->f.numFilterConditions++];

	c->fieldKey = *field;
	c->matchType = m;
	c->conditionValue.type = t;
	return c;
}

/* strongSwan's IKE bypass filter: PERMIT, weight 0xff00000000000000,
 * IP_PROTOCOL == UDP and IP_LOCAL_PORT == port. */
static void fb_bypass(struct fbuild *b, const GUID *layer, const GUID *sublayer,
		      UINT16 port)
{
	fb_init(b, layer, FWP_ACTION_PERMIT, NULL);
	b->f.displayData.name = L"charon IKE bypass";
	if (sublayer)
		b->f.subLayerKey = *sublayer;
	b->weight = 0xff00000000000000ull;
	b->f.weight.type = FWP_UINT64;
	b->f.weight.uint64 = &b->weight;
	fb_cond(b, &FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8)
		->conditionValue.uint8 = IPPROTO_UDP;
	fb_cond(b, &FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT16)
		->conditionValue.uint16 = port;
}

static void assert_filter_equal(const FWPM_FILTER0 *got, const FWPM_FILTER0 *want)
{
	assert_true(guid_eq(&got->layerKey, &want->layerKey));
	assert_int_equal(got->flags, want->flags);
	assert_string_equal((const char *)got->displayData.name,
			    (const char *)want->displayData.name);
	assert_int_equal(got->action.type, want->action.type);
	assert_memory_equal(&got->action.calloutKey, &want->action.calloutKey, 16);
	assert_int_equal(got->weight.type, want->weight.type);
	if (want->weight.type == FWP_UINT64)
		assert_true(*got->weight.uint64 == *want->weight.uint64);
	if (want->weight.type == FWP_UINT8)
		assert_int_equal(got->weight.uint8, want->weight.uint8);
	assert_int_equal(got->numFilterConditions, want->numFilterConditions);
	for (UINT32 i = 0; i < want->numFilterConditions; i++) {
		const FWPM_FILTER_CONDITION0 *g = &got->filterCondition[i];
		const FWPM_FILTER_CONDITION0 *w = &want->filterCondition[i];

		assert_true(guid_eq(&g->fieldKey, &w->fieldKey));
		assert_int_equal(g->matchType, w->matchType);
		assert_int_equal(g->conditionValue.type, w->conditionValue.type);
		switch (w->conditionValue.type) {
		case FWP_UINT8:
			assert_int_equal(g->conditionValue.uint8, w->conditionValue.uint8);
			break;
		case FWP_UINT16:
			assert_int_equal(g->conditionValue.uint16, w->conditionValue.uint16);
			break;
		case FWP_UINT32:
			assert_int_equal(g->conditionValue.uint32, w->conditionValue.uint32);
			break;
		case FWP_BYTE_ARRAY16_TYPE:
			assert_memory_equal(g->conditionValue.byteArray16,
					    w->conditionValue.byteArray16, 16);
			break;
		case FWP_V4_ADDR_MASK:
			assert_memory_equal(g->conditionValue.v4AddrMask,
					    w->conditionValue.v4AddrMask,
					    sizeof(FWP_V4_ADDR_AND_MASK));
			break;
		case FWP_V6_ADDR_MASK:
			assert_memory_equal(g->conditionValue.v6AddrMask,
					    w->conditionValue.v6AddrMask,
					    sizeof(FWP_V6_ADDR_AND_MASK));
			break;
		case FWP_RANGE_TYPE: {
			const FWP_RANGE0 *gr = g->conditionValue.rangeValue;
			const FWP_RANGE0 *wr = w->conditionValue.rangeValue;

			assert_int_equal(gr->valueLow.type, wr->valueLow.type);
			if (wr->valueLow.type == FWP_BYTE_ARRAY16_TYPE) {
				assert_memory_equal(gr->valueLow.byteArray16,
						    wr->valueLow.byteArray16, 16);
				assert_memory_equal(gr->valueHigh.byteArray16,
						    wr->valueHigh.byteArray16, 16);
			} else {
				assert_int_equal(gr->valueLow.uint32, wr->valueLow.uint32);
				assert_int_equal(gr->valueHigh.uint32, wr->valueHigh.uint32);
			}
			break;
		}
		default:
			break;
		}
	}
	if (want->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
		assert_true(guid_eq(&got->providerContextKey, &want->providerContextKey));
	else
		assert_true(got->rawContext == want->rawContext);
	if (want->providerKey)
		assert_true(got->providerKey && guid_eq(got->providerKey, want->providerKey));
	else
		assert_null(got->providerKey);
	assert_int_equal(got->effectiveWeight.type, FWP_UINT64);
	assert_non_null(got->effectiveWeight.uint64);
}

/* Adds, reads back by id and by key, compares; returns the id. */
static UINT64 add_and_check(HANDLE h, struct fbuild *b)
{
	FWPM_FILTER0 *got = NULL, *got2 = NULL;
	UINT64 id = 0;

	OK(FwpmFilterAdd0(h, &b->f, NULL, &id));
	assert_true(id != 0);
	OK(FwpmFilterGetById0(h, id, &got));
	assert_filter_equal(got, &b->f);
	assert_true(got->filterId == id);
	if (b->f.weight.type == FWP_UINT64)
		assert_true(*got->effectiveWeight.uint64 == b->weight);
	if (!memcmp(&b->f.subLayerKey, &(GUID){ 0 }, sizeof(GUID)))
		assert_true(guid_eq(&got->subLayerKey, &FWPM_SUBLAYER_UNIVERSAL));
	else
		assert_true(guid_eq(&got->subLayerKey, &b->f.subLayerKey));
	/* A zero key was generated; it finds the same filter. */
	assert_false(guid_eq(&got->filterKey, &(GUID){ 0 }));
	OK(FwpmFilterGetByKey0(h, &got->filterKey, &got2));
	assert_true(got2->filterId == id);
	FwpmFreeMemory0((void **)&got);
	FwpmFreeMemory0((void **)&got2);
	assert_null(got);
	return id;
}

/* ---- tests ---- */

static void test_startup_provider(void **state)
{
	HANDLE h = open_engine(0);
	FWPM_PROVIDER0 *got = NULL;
	UINT8 data[] = { 1, 2, 3 };
	FWPM_PROVIDER0 p = {
		.providerKey = charon_provider,
		.displayData = { .name = L"charon", .description = L"strongSwan" },
		.providerData = { sizeof(data), data },
		.serviceName = L"charon-svc",
	};

	OK(FwpmProviderAdd0(h, &p, NULL));
	RC(FwpmProviderAdd0(h, &p, NULL), FWP_E_ALREADY_EXISTS);
	OK(FwpmProviderGetByKey0(h, &charon_provider, &got));
	assert_true(guid_eq(&got->providerKey, &charon_provider));
	assert_true(wcscmp(got->displayData.name, L"charon") == 0);
	assert_true(wcscmp(got->displayData.description, L"strongSwan") == 0);
	assert_int_equal(got->flags, 0);
	assert_int_equal(got->providerData.size, 3);
	assert_memory_equal(got->providerData.data, data, 3);
	assert_true(wcscmp(got->serviceName, L"charon-svc") == 0);
	FwpmFreeMemory0((void **)&got);
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));
	RC(FwpmProviderDeleteByKey0(h, &charon_provider), FWP_E_PROVIDER_NOT_FOUND);
	RC(FwpmProviderGetByKey0(h, &charon_provider, &got), FWP_E_PROVIDER_NOT_FOUND);
	RC(FwpmProviderDeleteByKey0(h, NULL), FWP_E_NULL_POINTER);
	OK(FwpmEngineClose0(h));
}

static void test_ike_bypass(void **state)
{
	HANDLE h = open_engine(0);
	static const GUID *const layers[] = { &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, &FWPM_LAYER_INBOUND_TRANSPORT_V6,
		&FWPM_LAYER_OUTBOUND_TRANSPORT_V6 };
	UINT64 ids[8];
	struct fbuild b;
	int n = 0;

	add_provider(h, &charon_provider);
	for (int sl = 0; sl < 2; sl++) {
		for (int l = 0; l < 4; l++) {
			fb_bypass(&b, layers[l], sl ? &FWPM_SUBLAYER_IPSEC_TUNNEL : NULL, 500);
			ids[n++] = add_and_check(h, &b);
		}
	}
	/* shutdown: the bypass filters, then the provider */
	for (int i = 0; i < n; i++)
		OK(FwpmFilterDeleteById0(h, ids[i]));
	for (int i = 0; i < n; i++)
		RC(FwpmFilterDeleteById0(h, ids[i]), FWP_E_FILTER_NOT_FOUND);
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));
	OK(FwpmEngineClose0(h));
}

static void test_transport_filters(void **state)
{
	HANDLE h = open_engine(0);
	FWP_V4_ADDR_AND_MASK v4m = { 0xc0a80000u, 0xffff0000u };
	FWP_BYTE_ARRAY16 a6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	FWP_BYTE_ARRAY16 b6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 } };
	FWP_V6_ADDR_AND_MASK v6m = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	FWP_RANGE0 r4 = { { .type = FWP_UINT32, .uint32 = 0x0a000001u },
			  { .type = FWP_UINT32, .uint32 = 0x0a0000ffu } };
	FWP_RANGE0 r6 = { { .type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &a6 },
			  { .type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &b6 } };
	FWP_RANGE0 rp = { { .type = FWP_UINT16, .uint16 = 1000 },
			  { .type = FWP_UINT16, .uint16 = 2000 } };
	UINT64 ids[4];
	struct fbuild b;

	/* v4 inbound: local address UINT32, remote V4_ADDR_MASK, port range */
	fb_init(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4);
	fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32)
		->conditionValue.uint32 = 0xc0a80101u;
	fb_cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK)
		->conditionValue.v4AddrMask = &v4m;
	fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_RANGE, FWP_RANGE_TYPE)
		->conditionValue.rangeValue = &rp;
	ids[0] = add_and_check(h, &b);
	/* v4 outbound: remote address range */
	fb_init(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	fb_cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_RANGE, FWP_RANGE_TYPE)
		->conditionValue.rangeValue = &r4;
	fb_cond(&b, &FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8)
		->conditionValue.uint8 = IPPROTO_TCP;
	ids[1] = add_and_check(h, &b);
	/* v6 inbound: BYTE_ARRAY16 and V6_ADDR_MASK */
	fb_init(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V6, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6);
	fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL,
		FWP_BYTE_ARRAY16_TYPE)->conditionValue.byteArray16 = &a6;
	fb_cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_V6_ADDR_MASK)
		->conditionValue.v6AddrMask = &v6m;
	ids[2] = add_and_check(h, &b);
	/* v6 outbound: a range of v6 addresses, weight range 0 */
	fb_init(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6);
	b.f.weight.type = FWP_UINT8;
	b.f.weight.uint8 = FWPM_WEIGHT_RANGE_IPSEC;
	b.f.rawContext = FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER;
	fb_cond(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_RANGE, FWP_RANGE_TYPE)
		->conditionValue.rangeValue = &r6;
	ids[3] = add_and_check(h, &b);
	for (int i = 0; i < 4; i++)
		OK(FwpmFilterDeleteById0(h, ids[i]));
	OK(FwpmEngineClose0(h));
}

/* strongSwan's dummy QM tunnel policy. */
struct tunnel_ctx {
	FWPM_PROVIDER_CONTEXT0 pc;
	IPSEC_TUNNEL_POLICY0 policy;
	IPSEC_PROPOSAL0 proposal;
	IPSEC_SA_TRANSFORM0 transform;
	IPSEC_AUTH_TRANSFORM0 auth;
	GUID provider;
};

static void tunnel_ctx_init(struct tunnel_ctx *t, const GUID *key)
{
	memset(t, 0, sizeof(*t));
	t->auth.authTransformId.authType = IPSEC_AUTH_SHA_1;
	t->auth.authTransformId.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
	t->transform.ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH;
	t->transform.espAuthTransform = &t->auth;
	t->proposal.lifetime.lifetimeSeconds = 0xFFFF;
	t->proposal.lifetime.lifetimeKilobytes = 0xFFFFFFFF;
	t->proposal.lifetime.lifetimePackets = 0xFFFFFFFF;
	t->proposal.numSaTransforms = 1;
	t->proposal.saTransforms = &t->transform;
	t->policy.numIpsecProposals = 1;
	t->policy.ipsecProposals = &t->proposal;
	t->policy.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	t->policy.tunnelEndpoints.localV4Address = 0xc0a80001u;
	t->policy.tunnelEndpoints.remoteV4Address = 0xc0a80002u;
	t->policy.saIdleTimeout.idleTimeoutSeconds = 0xFFFF;
	t->policy.saIdleTimeout.idleTimeoutSecondsFailOver = 0xFFFF;
	t->provider = charon_provider;
	t->pc.providerContextKey = *key;
	t->pc.displayData.name = L"charon tunnel provider";
	t->pc.providerKey = &t->provider;
	t->pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	t->pc.ikeQmTunnelPolicy = &t->policy;
}

static void assert_tunnel_policy0(const IPSEC_TUNNEL_POLICY0 *g, const IPSEC_TUNNEL_POLICY0 *w)
{
	assert_int_equal(g->flags, w->flags);
	assert_int_equal(g->numIpsecProposals, 1);
	assert_int_equal(g->ipsecProposals[0].lifetime.lifetimeSeconds, 0xFFFF);
	assert_int_equal(g->ipsecProposals[0].lifetime.lifetimeKilobytes, 0xFFFFFFFF);
	assert_int_equal(g->ipsecProposals[0].lifetime.lifetimePackets, 0xFFFFFFFF);
	assert_int_equal(g->ipsecProposals[0].numSaTransforms, 1);
	assert_int_equal(g->ipsecProposals[0].saTransforms[0].ipsecTransformType,
			 IPSEC_TRANSFORM_ESP_AUTH);
	assert_int_equal(g->ipsecProposals[0].saTransforms[0].espAuthTransform
			 ->authTransformId.authType, IPSEC_AUTH_SHA_1);
	assert_int_equal(g->ipsecProposals[0].saTransforms[0].espAuthTransform
			 ->authTransformId.authConfig, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96);
	assert_int_equal(g->tunnelEndpoints.ipVersion, FWP_IP_VERSION_V4);
	assert_int_equal(g->tunnelEndpoints.localV4Address, w->tunnelEndpoints.localV4Address);
	assert_int_equal(g->tunnelEndpoints.remoteV4Address, w->tunnelEndpoints.remoteV4Address);
	assert_int_equal(g->saIdleTimeout.idleTimeoutSeconds, 0xFFFF);
	assert_int_equal(g->saIdleTimeout.idleTimeoutSecondsFailOver, 0xFFFF);
	assert_null(g->emPolicy);
}

static UINT64 add_tunnel_filter(HANDLE h, const GUID *layer, const GUID *sublayer,
				const GUID *callout, const GUID *ctx, bool fwd)
{
	static GUID provider;
	struct fbuild b;

	provider = charon_provider;
	fb_init(&b, layer, FWP_ACTION_CALLOUT_TERMINATING, callout);
	if (sublayer)
		b.f.subLayerKey = *sublayer;
	b.f.providerKey = &provider;
	if (ctx) {
		b.f.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
		b.f.providerContextKey = *ctx;
	}
	fb_cond(&b, fwd ? &FWPM_CONDITION_IP_SOURCE_ADDRESS : &FWPM_CONDITION_IP_LOCAL_ADDRESS,
		FWP_MATCH_EQUAL, FWP_UINT32)->conditionValue.uint32 = 0x0a000001u;
	fb_cond(&b, fwd ? &FWPM_CONDITION_IP_DESTINATION_ADDRESS
			: &FWPM_CONDITION_IP_REMOTE_ADDRESS,
		FWP_MATCH_EQUAL, FWP_UINT32)->conditionValue.uint32 = 0x0a000002u;
	return add_and_check(h, &b);
}

static void test_tunnel_mode(void **state)
{
	HANDLE h = open_engine(0);
	GUID key = random_guid();
	struct tunnel_ctx t;
	FWPM_PROVIDER_CONTEXT0 *g0 = NULL;
	FWPM_PROVIDER_CONTEXT1 *g1 = NULL;
	UINT64 ctx_id = 0, ids[6];
	int n = 0;

	add_provider(h, &charon_provider);
	tunnel_ctx_init(&t, &key);
	OK(FwpmProviderContextAdd0(h, &t.pc, NULL, &ctx_id));
	assert_true(ctx_id != 0);
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_ALREADY_EXISTS);

	OK(FwpmProviderContextGetById0(h, ctx_id, &g0));
	assert_true(guid_eq(&g0->providerContextKey, &key));
	assert_true(wcscmp(g0->displayData.name, L"charon tunnel provider") == 0);
	assert_true(g0->providerKey && guid_eq(g0->providerKey, &charon_provider));
	assert_int_equal(g0->type, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT);
	assert_true(g0->providerContextId == ctx_id);
	assert_tunnel_policy0(g0->ikeQmTunnelPolicy, &t.policy);
	FwpmFreeMemory0((void **)&g0);
	OK(FwpmProviderContextGetByKey0(h, &key, &g0));
	assert_true(g0->providerContextId == ctx_id);
	FwpmFreeMemory0((void **)&g0);
	OK(FwpmProviderContextGetByKey1(h, &key, &g1));
	assert_true(g1->providerContextId == ctx_id);
	assert_int_equal(g1->ikeQmTunnelPolicy->tunnelEndpoints.remoteV4Address, 0xc0a80002u);
	assert_true(g1->ikeQmTunnelPolicy->tunnelEndpoints.localIfLuid == 0);
	FwpmFreeMemory0((void **)&g1);
	OK(FwpmProviderContextGetById1(h, ctx_id, &g1));
	assert_true(guid_eq(&g1->providerContextKey, &key));
	FwpmFreeMemory0((void **)&g1);

	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		&FWPM_SUBLAYER_IPSEC_TUNNEL, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, &key, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		&FWPM_SUBLAYER_IPSEC_TUNNEL, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, &key, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_IPFORWARD_V4, &FWPM_SUBLAYER_IPSEC_TUNNEL,
		&FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4, &key, true);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_IPFORWARD_V4,
		&FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL,
		&FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4, &key, true);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, NULL,
		&FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4, &key, false);
	ids[n++] = add_tunnel_filter(h, &FWPM_LAYER_ALE_AUTH_CONNECT_V4, NULL,
		&FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4, NULL, false);

	/* strongSwan's teardown order: ALE filters, then the context (still
	 * referenced: FWP_E_IN_USE), then the policy filters. */
	OK(FwpmFilterDeleteById0(h, ids[4]));
	OK(FwpmFilterDeleteById0(h, ids[5]));
	RC(FwpmProviderContextDeleteById0(h, ctx_id), FWP_E_IN_USE);
	RC(FwpmProviderDeleteByKey0(h, &charon_provider), FWP_E_IN_USE);
	for (int i = 0; i < 4; i++)
		OK(FwpmFilterDeleteById0(h, ids[i]));
	RC(FwpmProviderDeleteByKey0(h, &charon_provider), FWP_E_IN_USE);
	OK(FwpmProviderContextDeleteById0(h, ctx_id));
	RC(FwpmProviderContextDeleteById0(h, ctx_id), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmProviderContextGetById0(h, ctx_id, &g0), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	OK(FwpmProviderDeleteByKey0(h, &charon_provider));
	OK(FwpmEngineClose0(h));
}

static void test_transport_context_add1(void **state)
{
	HANDLE h = open_engine(0);
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 }, NULL };
	IPSEC_CIPHER_TRANSFORM0 cipher = { { IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128 }, NULL };
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 ac = { auth, cipher };
	IPSEC_SA_TRANSFORM0 tr = { IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
				   { .espAuthAndCipherTransform = &ac } };
	IPSEC_PROPOSAL0 prop = { { 3600, 100000, 0x7FFFFFFF }, 1, &tr, IPSEC_PFS_NONE };
	IPSEC_TRANSPORT_POLICY1 pol = { 1, &prop, IPSEC_POLICY_FLAG_ND_SECURE, 0, { 300, 60 }, NULL };
	FWPM_PROVIDER_CONTEXT1 pc = {
		.displayData.name = L"qm transport",
		.type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
		.ikeQmTransportPolicy = &pol,
	};
	FWPM_PROVIDER_CONTEXT1 *g = NULL;
	FWPM_PROVIDER_CONTEXT0 **v0 = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0;
	UINT64 id = 0;

	OK(FwpmProviderContextAdd1(h, &pc, NULL, &id));
	OK(FwpmProviderContextGetById1(h, id, &g));
	assert_false(guid_eq(&g->providerContextKey, &(GUID){ 0 }));
	assert_null(g->providerKey);
	assert_int_equal(g->ikeQmTransportPolicy->flags, IPSEC_POLICY_FLAG_ND_SECURE);
	assert_int_equal(g->ikeQmTransportPolicy->saIdleTimeout.idleTimeoutSecondsFailOver, 60);
	assert_int_equal(g->ikeQmTransportPolicy->ipsecProposals[0].saTransforms[0]
			 .espAuthAndCipherTransform->cipherTransform.cipherTransformId.cipherType,
			 IPSEC_CIPHER_TYPE_AES_128);
	FwpmFreeMemory0((void **)&g);
	/* enumeration with a type template, version 0 */
	OK(FwpmProviderContextCreateEnumHandle0(h,
		&(FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0){ NULL,
			FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT }, &eh));
	OK(FwpmProviderContextEnum0(h, eh, 10, &v0, &n));
	assert_int_equal(n, 1);
	assert_true(v0[0]->providerContextId == id);
	assert_int_equal(v0[0]->ikeQmTransportPolicy->ipsecProposals[0].lifetime.lifetimeSeconds,
			 3600);
	FwpmFreeMemory0((void **)&v0);
	OK(FwpmProviderContextDestroyEnumHandle0(h, eh));
	RC(FwpmProviderContextDestroyEnumHandle0(h, eh), ERROR_INVALID_HANDLE);
	OK(FwpmProviderContextDeleteById0(h, id));
	OK(FwpmEngineClose0(h));
}

static void test_filter_validation(void **state)
{
	HANDLE h = open_engine(0);
	GUID fkey = random_guid(), unknown = random_guid(), pkey = random_guid();
	FWP_V4_ADDR_AND_MASK badmask = { 0x0a000000u, 0xff00ff00u };
	FWP_V6_ADDR_AND_MASK bad6 = { { 0x20 }, 129 };
	FWP_BYTE_ARRAY16 a6 = { { 1 } };
	FWP_RANGE0 lowhigh = { { .type = FWP_UINT32, .uint32 = 9 },
			       { .type = FWP_UINT32, .uint32 = 1 } };
	FWP_RANGE0 mixed = { { .type = FWP_UINT32, .uint32 = 1 },
			     { .type = FWP_UINT16, .uint16 = 9 } };
	FWPM_FILTER0 *got = NULL;
	struct counts before;
	struct fbuild b;

	add_provider(h, &pkey);
	before = counts(h);
#define BAD(setup, code) do { \
	fb_bypass(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V4, NULL, 500); \
	b.f.filterKey = fkey; \
	setup; \
	RC(FwpmFilterAdd0(h, &b.f, NULL, NULL), code); \
	RC(FwpmFilterGetByKey0(h, &fkey, &got), FWP_E_FILTER_NOT_FOUND); \
	assert_unchanged(h, &before); \
} while (0)
	BAD(b.f.displayData.name = NULL, FWP_E_NULL_DISPLAY_NAME);
	BAD(b.f.flags = FWPM_FILTER_FLAG_DISABLED, FWP_E_INVALID_FLAGS);
	BAD(b.f.flags = 0x80000000u, FWP_E_INVALID_FLAGS);
	BAD(b.f.flags = FWPM_FILTER_FLAG_PERSISTENT | FWPM_FILTER_FLAG_BOOTTIME,
	    FWP_E_INVALID_FLAGS);
	BAD(b.f.providerKey = &unknown, FWP_E_PROVIDER_NOT_FOUND);
	BAD(b.f.subLayerKey = unknown, FWP_E_SUBLAYER_NOT_FOUND);
	BAD(b.f.layerKey = unknown, FWP_E_LAYER_NOT_FOUND);
	BAD(b.f.layerKey = FWPM_LAYER_INBOUND_IPPACKET_V4, FWP_E_CONDITION_NOT_FOUND);
	BAD(b.c[0].fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS, FWP_E_CONDITION_NOT_FOUND);
	BAD(b.f.layerKey = FWPM_LAYER_IPFORWARD_V4; b.f.numFilterConditions = 0;
	    fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32),
	    FWP_E_CONDITION_NOT_FOUND);
	BAD(b.c[1].conditionValue.type = FWP_UINT32, FWP_E_TYPE_MISMATCH);
	BAD(fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL,
		    FWP_BYTE_ARRAY16_TYPE)->conditionValue.byteArray16 = &a6,
	    FWP_E_TYPE_MISMATCH);
	BAD(b.c[1].matchType = FWP_MATCH_FLAGS_ALL_SET, FWP_E_MATCH_TYPE_MISMATCH);
	BAD(b.c[1].matchType = FWP_MATCH_RANGE, FWP_E_MATCH_TYPE_MISMATCH);
	BAD(fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_GREATER,
		    FWP_V4_ADDR_MASK)->conditionValue.v4AddrMask = &badmask,
	    FWP_E_MATCH_TYPE_MISMATCH);
	BAD(fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL,
		    FWP_V4_ADDR_MASK)->conditionValue.v4AddrMask = &badmask,
	    FWP_E_INVALID_NET_MASK);
	BAD(b.f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V6;
	    fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL,
		    FWP_V6_ADDR_MASK)->conditionValue.v6AddrMask = &bad6,
	    FWP_E_INVALID_NET_MASK);
	BAD(fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_RANGE,
		    FWP_RANGE_TYPE)->conditionValue.rangeValue = &lowhigh,
	    FWP_E_INVALID_RANGE);
	BAD(fb_cond(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_RANGE,
		    FWP_RANGE_TYPE)->conditionValue.rangeValue = &mixed,
	    FWP_E_INVALID_RANGE);
	BAD(b.f.weight.type = FWP_UINT8; b.f.weight.uint8 = 16, FWP_E_INVALID_WEIGHT);
	BAD(b.f.weight.type = FWP_UINT32; b.f.weight.uint32 = 1, FWP_E_INVALID_WEIGHT);
	BAD(b.f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	    b.f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4,
	    FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	BAD(b.f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	    b.f.action.calloutKey = FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6,
	    FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	BAD(b.f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	    b.f.action.calloutKey = FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4,
	    FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	BAD(b.f.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
	    b.f.providerContextKey = unknown, FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	BAD(b.f.numFilterConditions = 1; b.f.filterCondition = NULL, FWP_E_NULL_POINTER);

	/* an existing key */
	fb_bypass(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V4, NULL, 500);
	b.f.filterKey = fkey;
	OK(FwpmFilterAdd0(h, &b.f, NULL, NULL));
	before = counts(h);
	RC(FwpmFilterAdd0(h, &b.f, NULL, NULL), FWP_E_ALREADY_EXISTS);
	assert_unchanged(h, &before);
	OK(FwpmFilterDeleteByKey0(h, &fkey));
	RC(FwpmFilterDeleteByKey0(h, &fkey), FWP_E_FILTER_NOT_FOUND);
	OK(FwpmProviderDeleteByKey0(h, &pkey));
	OK(FwpmEngineClose0(h));
#undef BAD
}

static void test_object_validation(void **state)
{
	HANDLE h = open_engine(0);
	GUID key = random_guid(), unknown = random_guid();
	struct counts before = counts(h);
	FWPM_PROVIDER0 p = { .providerKey = key, .displayData.name = L"p" };
	FWPM_SUBLAYER0 sl = { .subLayerKey = key, .displayData.name = L"sl" };
	struct tunnel_ctx t;

	p.displayData.name = NULL;
	RC(FwpmProviderAdd0(h, &p, NULL), FWP_E_NULL_DISPLAY_NAME);
	p.displayData.name = L"p";
	p.flags = FWPM_PROVIDER_FLAG_DISABLED;
	RC(FwpmProviderAdd0(h, &p, NULL), FWP_E_INVALID_FLAGS);
	sl.displayData.name = NULL;
	RC(FwpmSubLayerAdd0(h, &sl, NULL), FWP_E_NULL_DISPLAY_NAME);
	sl.displayData.name = L"sl";
	sl.flags = 2;
	RC(FwpmSubLayerAdd0(h, &sl, NULL), FWP_E_INVALID_FLAGS);
	sl.flags = 0;
	sl.providerKey = &unknown;
	RC(FwpmSubLayerAdd0(h, &sl, NULL), FWP_E_PROVIDER_NOT_FOUND);
	sl.providerKey = NULL;
	sl.subLayerKey = FWPM_SUBLAYER_UNIVERSAL;
	RC(FwpmSubLayerAdd0(h, &sl, NULL), FWP_E_ALREADY_EXISTS);

	tunnel_ctx_init(&t, &key);
	t.pc.displayData.name = NULL;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_NULL_DISPLAY_NAME);
	tunnel_ctx_init(&t, &key);
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_PROVIDER_NOT_FOUND);
	t.pc.providerKey = NULL;
	t.pc.flags = 0x100;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_INVALID_FLAGS);
	t.pc.flags = 0;
	t.pc.type = FWPM_GENERAL_CONTEXT;	/* main modes: test_ikev2_tunnel.c */
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), ERROR_NOT_SUPPORTED);
	t.pc.type = (FWPM_PROVIDER_CONTEXT_TYPE)99;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_INVALID_ENUMERATOR);
	t.pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	t.policy.numIpsecProposals = 0;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_ZERO_LENGTH_ARRAY);
	t.policy.numIpsecProposals = 1;
	t.policy.tunnelEndpoints.ipVersion = FWP_IP_VERSION_NONE;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_INVALID_TUNNEL_ENDPOINT);
	t.policy.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	t.policy.emPolicy = (IKEEXT_EM_POLICY0 *)&t;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_EM_NOT_SUPPORTED);
	t.policy.emPolicy = NULL;
	t.transform.ipsecTransformType = (IPSEC_TRANSFORM_TYPE)0;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_INVALID_ENUMERATOR);
	RC(FwpmProviderContextAdd0(h, NULL, NULL, NULL), FWP_E_NULL_POINTER);
	assert_unchanged(h, &before);
	OK(FwpmEngineClose0(h));
}

static void test_read_only_txn(void **state)
{
	HANDLE h = open_engine(0);
	GUID key = random_guid();
	struct counts before;
	struct tunnel_ctx t;
	struct fbuild b;
	UINT64 id = 0;

	add_provider(h, &key);
	fb_bypass(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, NULL, 4500);
	OK(FwpmFilterAdd0(h, &b.f, NULL, &id));
	before = counts(h);
	OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	RC(FwpmProviderAdd0(h, &(FWPM_PROVIDER0){ .displayData.name = L"x" }, NULL),
	   FWP_E_INCOMPATIBLE_TXN);
	RC(FwpmSubLayerAdd0(h, &(FWPM_SUBLAYER0){ .displayData.name = L"x" }, NULL),
	   FWP_E_INCOMPATIBLE_TXN);
	RC(FwpmFilterAdd0(h, &b.f, NULL, NULL), FWP_E_INCOMPATIBLE_TXN);
	tunnel_ctx_init(&t, &(GUID){ 0 });
	t.pc.providerKey = NULL;
	RC(FwpmProviderContextAdd0(h, &t.pc, NULL, NULL), FWP_E_INCOMPATIBLE_TXN);
	RC(FwpmFilterDeleteById0(h, id), FWP_E_INCOMPATIBLE_TXN);
	RC(FwpmProviderDeleteByKey0(h, &key), FWP_E_INCOMPATIBLE_TXN);
	assert_unchanged(h, &before);	/* reads work inside it */
	OK(FwpmTransactionAbort0(h));
	OK(FwpmFilterDeleteById0(h, id));
	OK(FwpmProviderDeleteByKey0(h, &key));
	OK(FwpmEngineClose0(h));
}

static void test_dynamic_sessions(void **state)
{
	HANDLE st = open_engine(0);
	HANDLE dyn = open_engine(FWPM_SESSION_FLAG_DYNAMIC);
	HANDLE dyn2 = open_engine(FWPM_SESSION_FLAG_DYNAMIC);
	GUID pk = random_guid(), sk = random_guid(), ck = random_guid(), spk = random_guid();
	struct counts before = counts(st);
	FWPM_SUBLAYER0 sl = { .subLayerKey = sk, .displayData.name = L"dyn sublayer",
			      .providerKey = &pk, .weight = 0x100 };
	FWPM_SUBLAYER0 *gsl = NULL;
	struct tunnel_ctx t;
	struct fbuild b;
	UINT64 fid = 0, sfid = 0, cid = 0;

	add_provider(dyn, &pk);
	OK(FwpmSubLayerAdd0(dyn, &sl, NULL));
	tunnel_ctx_init(&t, &ck);
	t.provider = pk;
	OK(FwpmProviderContextAdd0(dyn, &t.pc, NULL, &cid));
	fb_init(&b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4);
	b.f.subLayerKey = sk;
	b.f.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
	b.f.providerContextKey = ck;
	OK(FwpmFilterAdd0(dyn, &b.f, NULL, &fid));
	OK(FwpmSubLayerGetByKey0(st, &sk, &gsl));
	assert_int_equal(gsl->weight, 0x100);
	assert_true(gsl->providerKey && guid_eq(gsl->providerKey, &pk));
	FwpmFreeMemory0((void **)&gsl);

	/* a static object may not reference a dynamic one */
	b.f.flags = 0;
	RC(FwpmFilterAdd0(st, &b.f, NULL, NULL), FWP_E_LIFETIME_MISMATCH);
	/* deleting others' objects from a dynamic session */
	add_provider(st, &spk);
	fb_bypass(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V4, NULL, 500);
	OK(FwpmFilterAdd0(st, &b.f, NULL, &sfid));
	RC(FwpmFilterDeleteById0(dyn, sfid), FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	RC(FwpmProviderDeleteByKey0(dyn, &spk), FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	RC(FwpmFilterDeleteById0(dyn2, fid), FWP_E_WRONG_SESSION);
	RC(FwpmProviderContextDeleteById0(dyn2, cid), FWP_E_WRONG_SESSION);
	RC(FwpmSubLayerDeleteByKey0(dyn2, &sk), FWP_E_WRONG_SESSION);
	RC(FwpmSubLayerDeleteByKey0(dyn, &sk), FWP_E_IN_USE);

	/* closing the dynamic session deletes everything it added */
	OK(FwpmEngineClose0(dyn));
	RC(FwpmFilterGetById0(st, fid, &(FWPM_FILTER0 *){ NULL }), FWP_E_FILTER_NOT_FOUND);
	RC(FwpmProviderContextGetById1(st, cid, &(FWPM_PROVIDER_CONTEXT1 *){ NULL }),
	   FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmSubLayerGetByKey0(st, &sk, &gsl), FWP_E_SUBLAYER_NOT_FOUND);
	RC(FwpmProviderGetByKey0(st, &pk, &(FWPM_PROVIDER0 *){ NULL }),
	   FWP_E_PROVIDER_NOT_FOUND);
	OK(FwpmFilterDeleteById0(st, sfid));
	OK(FwpmProviderDeleteByKey0(st, &spk));
	assert_unchanged(st, &before);
	OK(FwpmEngineClose0(dyn2));
	OK(FwpmEngineClose0(st));
}

static void test_builtin_and_references(void **state)
{
	HANDLE h = open_engine(0);
	GUID pk = random_guid(), sk = random_guid();
	FWPM_SUBLAYER0 sl = { .subLayerKey = sk, .displayData.name = L"charon sublayer",
			      .providerKey = &pk, .weight = 0x7777 };
	FWPM_SUBLAYER0 *g = NULL, **v = NULL;
	HANDLE eh = NULL;
	struct fbuild b;
	UINT64 id = 0;
	UINT32 n = 0;
	bool seen = false;

	RC(FwpmSubLayerDeleteByKey0(h, &FWPM_SUBLAYER_IPSEC_TUNNEL), FWP_E_BUILTIN_OBJECT);
	RC(FwpmSubLayerDeleteByKey0(h, &FWPM_SUBLAYER_UNIVERSAL), FWP_E_BUILTIN_OBJECT);
	OK(FwpmSubLayerGetByKey0(h, &FWPM_SUBLAYER_IPSEC_TUNNEL, &g));
	assert_non_null(g->displayData.name);
	FwpmFreeMemory0((void **)&g);

	add_provider(h, &pk);
	OK(FwpmSubLayerAdd0(h, &sl, NULL));
	RC(FwpmProviderDeleteByKey0(h, &pk), FWP_E_IN_USE);
	fb_bypass(&b, &FWPM_LAYER_INBOUND_TRANSPORT_V6, &sk, 500);
	OK(FwpmFilterAdd0(h, &b.f, NULL, &id));
	RC(FwpmSubLayerDeleteByKey0(h, &sk), FWP_E_IN_USE);

	/* sublayer enumeration by provider, in small batches */
	OK(FwpmSubLayerCreateEnumHandle0(h, &(FWPM_SUBLAYER_ENUM_TEMPLATE0){ &pk }, &eh));
	OK(FwpmSubLayerEnum0(h, eh, 1, &v, &n));
	assert_int_equal(n, 1);
	assert_true(guid_eq(&v[0]->subLayerKey, &sk));
	assert_int_equal(v[0]->weight, 0x7777);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmSubLayerEnum0(h, eh, 1, &v, &n));
	assert_int_equal(n, 0);
	assert_null(v);
	OK(FwpmSubLayerDestroyEnumHandle0(h, eh));
	/* every built-in is listed */
	OK(FwpmSubLayerCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmSubLayerEnum0(h, eh, 1000, &v, &n));
	for (UINT32 i = 0; i < n; i++)
		seen |= guid_eq(&v[i]->subLayerKey, &FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL);
	assert_true(seen);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmSubLayerDestroyEnumHandle0(h, eh));

	OK(FwpmFilterDeleteById0(h, id));
	OK(FwpmSubLayerDeleteByKey0(h, &sk));
	OK(FwpmProviderDeleteByKey0(h, &pk));
	OK(FwpmEngineClose0(h));
}

static void test_filter_ids_and_enum(void **state)
{
	HANDLE h = open_engine(0);
	FWPM_FILTER_ENUM_TEMPLATE0 t = {
		.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
		.enumType = FWP_FILTER_ENUM_OVERLAPPING,
		.actionMask = 0xFFFFFFFFu,
	};
	FWPM_FILTER0 **v = NULL;
	UINT64 ids[3], again;
	HANDLE eh = NULL;
	struct fbuild b;
	UINT32 n = 0;

	for (int i = 0; i < 3; i++) {
		fb_bypass(&b, i == 2 ? &FWPM_LAYER_INBOUND_TRANSPORT_V6
				     : &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, NULL, 500 + i);
		OK(FwpmFilterAdd0(h, &b.f, NULL, &ids[i]));
		assert_true(ids[i] >= 0x10000);
	}
	OK(FwpmFilterCreateEnumHandle0(h, &t, &eh));
	OK(FwpmFilterEnum0(h, eh, 10, &v, &n));
	assert_int_equal(n, 2);
	assert_true(v[0]->filterId == ids[0] && v[1]->filterId == ids[1]);
	assert_int_equal(v[1]->filterCondition[1].conditionValue.uint16, 501);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmFilterDestroyEnumHandle0(h, eh));
	t.calloutKey = (GUID *)&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6;
	RC(FwpmFilterCreateEnumHandle0(h, &t, &eh), ERROR_CALL_NOT_IMPLEMENTED);
	t.calloutKey = NULL;
	/* A built-in layer no filter can be at (FwpmFilterAdd0 there is
	 * ERROR_NOT_SUPPORTED) enumerates nothing; an unknown one is refused. */
	t.layerKey = FWPM_LAYER_IKEEXT_V4;
	OK(FwpmFilterCreateEnumHandle0(h, &t, &eh));
	OK(FwpmFilterEnum0(h, eh, 10, &v, &n));
	assert_int_equal(n, 0);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmFilterDestroyEnumHandle0(h, eh));
	t.layerKey = random_guid();
	RC(FwpmFilterCreateEnumHandle0(h, &t, &eh), FWP_E_LAYER_NOT_FOUND);

	/* ids are never reused */
	OK(FwpmFilterDeleteById0(h, ids[0]));
	OK(FwpmFilterAdd0(h, &b.f, NULL, &again));
	assert_true(again != ids[0] && again > ids[2]);
	RC(FwpmFilterGetById0(h, ids[0], &(FWPM_FILTER0 *){ NULL }), FWP_E_FILTER_NOT_FOUND);
	RC(FwpmFilterDeleteById0(h, 0), FWP_E_FILTER_NOT_FOUND);
	OK(FwpmFilterDeleteById0(h, again));
	OK(FwpmFilterDeleteById0(h, ids[1]));
	OK(FwpmFilterDeleteById0(h, ids[2]));
	OK(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_startup_provider),
		cmocka_unit_test(test_ike_bypass),
		cmocka_unit_test(test_transport_filters),
		cmocka_unit_test(test_tunnel_mode),
		cmocka_unit_test(test_transport_context_add1),
		cmocka_unit_test(test_filter_validation),
		cmocka_unit_test(test_object_validation),
		cmocka_unit_test(test_read_only_txn),
		cmocka_unit_test(test_dynamic_sessions),
		cmocka_unit_test(test_builtin_and_references),
		cmocka_unit_test(test_filter_ids_and_enum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
