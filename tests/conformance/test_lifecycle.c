/*
 * test_lifecycle.c - the SA-context state machine, GetSpi/SetSpi, Add*,
 * Delete, Expire, the strongSwan and Doubango call patterns, 0/1 mixing,
 * context ids. Contract: SEMANTICS.md "SA-context life cycle"; peers.md
 * 1.4, 1.5, 1.6, 6a; decisions 1, 11 (state part), 17, 18.
 */
#include "conformance.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------- */

static void check_live_directions(HANDLE h, UINT64 id, bool in, bool out,
				  const char *label)
{
	IPSEC_SA_CONTEXT1 *r = NULL;
	DWORD rc = IPsecSaContextGetById1(h, id, &r);

	if (!CF_CHECK_RC(rc, ERROR_SUCCESS, label) || !r)
		return;
	CF_CHECK((r->inboundSa != NULL) == in,
		 "[%s] inboundSa is %s, expected %s", label,
		 r->inboundSa ? "present" : "NULL", in ? "present" : "NULL");
	CF_CHECK((r->outboundSa != NULL) == out,
		 "[%s] outboundSa is %s, expected %s", label,
		 r->outboundSa ? "present" : "NULL", out ? "present" : "NULL");
	FwpmFreeMemory0((void **)&r);
}

/* ---- strongSwan transport mode (peers.md 1.4, 6a) ------------------- */

static void strongswan_transport(HANDLE h, FWP_IP_VERSION v, cf_suite suite)
{
	UINT64 policy_in = cf_policy_id(v, IPSEC_TRAFFIC_TYPE_TRANSPORT,
					FWP_DIRECTION_INBOUND);
	UINT64 policy_out = cf_policy_id(v, IPSEC_TRAFFIC_TYPE_TRANSPORT,
					 FWP_DIRECTION_OUTBOUND);
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getspi;
	IPSEC_SA_BUNDLE0 *b0;
	IPSEC_SA_CONTEXT1 *ctx = NULL;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 31337 };
	UINT8 l6[16], r6[16], net[16];
	UINT64 sa_id = 0;
	UINT32 spi_in = cf_next_spi(), spi_out = cf_next_spi();
	cf_bundle in, out;
	char why[256];

	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = v;
	if (v == FWP_IP_VERSION_V4) {
		traffic.localV4Address = CF_V4(192, 168, 1, 10);
		traffic.remoteV4Address = CF_V4(203, 0, 113, 7);
	} else {
		cf_unique_net6(net);
		net[15] = 1;
		cf_v6_to_traffic(l6, net);
		net[15] = 2;
		cf_v6_to_traffic(r6, net);
		memcpy(traffic.localV6Address, l6, 16);
		memcpy(traffic.remoteV6Address, r6, 16);
	}
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	traffic.ipsecFilterId = policy_out;
	CF_OK(IPsecSaContextCreate1(h, &traffic, NULL, NULL, &sa_id));
	cf_track_ctx(sa_id);
	assert_true(sa_id != 0);

	memset(&getspi, 0, sizeof(getspi));
	getspi.inboundIpsecTraffic.ipVersion = v;
	memcpy(getspi.inboundIpsecTraffic.localV6Address,
	       traffic.localV6Address, 16);
	memcpy(getspi.inboundIpsecTraffic.remoteV6Address,
	       traffic.remoteV6Address, 16);
	getspi.inboundIpsecTraffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	getspi.inboundIpsecTraffic.ipsecFilterId = policy_in;
	getspi.ipVersion = v;
	getspi.inboundUdpEncapsulation = NULL;
	CF_OK(IPsecSaContextSetSpi0(h, sa_id, &getspi, spi_in));

	cf_bundle_init(&in, suite, spi_in, v);
	in.b1.lifetime.lifetimeSeconds = 3600;
	b0 = (IPSEC_SA_BUNDLE0 *)cf_bundle0(&in);
	CF_OK(IPsecSaContextAddInbound0(h, sa_id, b0));

	cf_bundle_init(&out, suite, spi_out, v);
	out.b1.lifetime.lifetimeSeconds = 3300;
	out.b1.flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
	CF_OK(IPsecSaContextAddOutbound0(h, sa_id, cf_bundle0(&out)));

	if (v == FWP_IP_VERSION_V4) {
		/* Step 7: NAT-T retro-fitted through GetById1/Update0. */
		CF_OK(IPsecSaContextGetById1(h, sa_id, &ctx));
		assert_non_null(ctx);
		assert_non_null(ctx->inboundSa);
		assert_non_null(ctx->outboundSa);
		ctx->inboundSa->udpEncapsulation = &encap;
		ctx->outboundSa->udpEncapsulation = &encap;
		CF_OK(IPsecSaContextUpdate0(h,
			IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx));
		FwpmFreeMemory0((void **)&ctx);
		assert_null(ctx);
	}

	ctx = cf_get1(h, sa_id);
	assert_non_null(ctx->inboundSa);
	assert_non_null(ctx->outboundSa);
	assert_int_equal(ctx->inboundSa->saDirection, FWP_DIRECTION_INBOUND);
	assert_int_equal(ctx->outboundSa->saDirection, FWP_DIRECTION_OUTBOUND);
	if (!cf_salist_matches(ctx->inboundSa->saBundle.saList,
			       ctx->inboundSa->saBundle.numSAs, in.sa,
			       in.b1.numSAs, why, sizeof(why)) ||
	    !cf_salist_matches(ctx->outboundSa->saBundle.saList,
			       ctx->outboundSa->saBundle.numSAs, out.sa,
			       out.b1.numSAs, why, sizeof(why)))
		fail_msg("suite %s: %s", cf_suite_name(suite), why);
	assert_int_equal(ctx->inboundSa->saBundle.lifetime.lifetimeSeconds,
			 3600);
	assert_int_equal(ctx->outboundSa->saBundle.lifetime.lifetimeSeconds,
			 3300);
	assert_int_equal(ctx->outboundSa->saBundle.flags,
			 IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND);
	if (v == FWP_IP_VERSION_V4) {
		assert_non_null(ctx->inboundSa->udpEncapsulation);
		assert_non_null(ctx->outboundSa->udpEncapsulation);
		assert_int_equal(ctx->inboundSa->udpEncapsulation->
				 localUdpEncapPort, 4500);
		assert_int_equal(ctx->inboundSa->udpEncapsulation->
				 remoteUdpEncapPort, 31337);
		assert_int_equal(ctx->outboundSa->udpEncapsulation->
				 localUdpEncapPort, 4500);
		assert_int_equal(ctx->outboundSa->udpEncapsulation->
				 remoteUdpEncapPort, 31337);
	} else {
		assert_memory_equal(ctx->outboundSa->traffic.localV6Address, l6,
				    16);
		assert_memory_equal(ctx->outboundSa->traffic.remoteV6Address,
				    r6, 16);
	}
	FwpmFreeMemory0((void **)&ctx);
	CF_OK(IPsecSaContextDeleteById0(h, sa_id));
	cf_untrack_ctx(sa_id);
}

static void strongswan_transport_v4(void **state)
{
	static const cf_suite suites[] = {
		CF_SUITE_GCM128, CF_SUITE_GCM256, CF_SUITE_CBC_SHA1,
		CF_SUITE_AES256_SHA256, CF_SUITE_3DES_SHA1, CF_SUITE_GMAC128,
		CF_SUITE_ESP_SHA1, CF_SUITE_AH_SHA256,
	};
	HANDLE h;
	FWPM_SESSION0 s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.displayData.name = L"charon";
	h = cf_open_session(&s);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		strongswan_transport(h, FWP_IP_VERSION_V4, suites[i]);
	cf_close(h);
}

static void strongswan_transport_v6(void **state)
{
	HANDLE h = cf_open();

	(void)state;
	strongswan_transport(h, FWP_IP_VERSION_V6, CF_SUITE_GCM128);
	strongswan_transport(h, FWP_IP_VERSION_V6, CF_SUITE_CBC_SHA1);
	cf_close(h);
}

/* peers.md 1.5: tunnel mode, same tunnelPolicyId at Create and SetSpi. */
static void strongswan_tunnel(void **state)
{
	HANDLE h = cf_open();
	cf_ctx_opts o;
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *r, *ctx = NULL;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };

	(void)state;
	cf_opts_default(&o);
	o.type = IPSEC_TRAFFIC_TYPE_TUNNEL;
	o.v0 = true;
	o.in_life.lifetimeSeconds = 3600;
	o.out_life.lifetimeSeconds = 3600;
	cf_ctx_build(h, &c, &o, CF_MATURE);
	assert_int_equal(c.getspi.inboundIpsecTraffic.tunnelPolicyId,
			 c.out_traffic.tunnelPolicyId);

	CF_OK(IPsecSaContextGetById1(h, c.id, &ctx));
	ctx->inboundSa->udpEncapsulation = &encap;
	ctx->outboundSa->udpEncapsulation = &encap;
	CF_OK(IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
				    ctx));
	FwpmFreeMemory0((void **)&ctx);

	r = cf_get1(h, c.id);
	assert_non_null(r->inboundSa);
	assert_non_null(r->outboundSa);
	assert_int_equal(r->outboundSa->traffic.trafficType,
			 IPSEC_TRAFFIC_TYPE_TUNNEL);
	assert_int_equal(r->outboundSa->traffic.tunnelPolicyId,
			 c.out_traffic.tunnelPolicyId);
	assert_non_null(r->outboundSa->udpEncapsulation);
	FwpmFreeMemory0((void **)&r);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* peers.md 6a.4: Doubango's Create0, GetSpi0, AddInbound0, AddOutbound0. */
static void doubango_pattern(void **state)
{
	HANDLE h = cf_open();
	IPSEC_TRAFFIC0 t;
	IPSEC_GETSPI0 g;
	IPSEC_SA_SPI spi = 0;
	UINT64 id = 0;
	cf_bundle in, out;
	IPSEC_SA_CONTEXT0 *r = NULL;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = CF_V4(192, 168, 0, 5);
	t.remoteV4Address = CF_V4(192, 168, 0, 9);
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	t.ipsecFilterId = cf_next_filter_id();
	t.remotePort = 5060;
	CF_OK(IPsecSaContextCreate0(h, &t, NULL, &id));
	cf_track_ctx(id);

	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t;
	g.ipVersion = FWP_IP_VERSION_V4;
	CF_OK(IPsecSaContextGetSpi0(h, id, &g, &spi));
	assert_true(spi >= 0x100);

	cf_bundle_init(&in, CF_SUITE_CBC_SHA1, spi, FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddInbound0(h, id, cf_bundle0(&in)));
	cf_bundle_init(&out, CF_SUITE_CBC_SHA1, cf_next_spi(),
		       FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddOutbound0(h, id, cf_bundle0(&out)));

	CF_OK(IPsecSaContextGetById0(h, id, &r));
	assert_non_null(r);
	assert_int_equal(r->saContextId, id);
	assert_non_null(r->inboundSa);
	assert_non_null(r->outboundSa);
	assert_non_null(r->inboundSa->saBundle.saList);
	assert_int_equal(r->inboundSa->saBundle.saList[0].spi, spi);
	assert_int_equal(r->outboundSa->traffic.remotePort, 5060);
	FwpmFreeMemory0((void **)&r);
	CF_OK(IPsecSaContextDeleteById0(h, id));
	cf_untrack_ctx(id);
	cf_close(h);
}

/* Every supported suite, with 0 and 1 calls, IPv4 and IPv6. */
static void all_suites_accepted(void **state)
{
	HANDLE h = cf_open();
	char label[96], why[256];

	(void)state;
	for (int s = 0; s < CF_SUITE_COUNT; s++)
		for (int v0 = 0; v0 < 2; v0++)
			for (int ipv = 0; ipv < 2; ipv++) {
				cf_ctx_opts o;
				cf_ctx c;
				IPSEC_SA_CONTEXT1 *r;
				DWORD rc;

				cf_opts_default(&o);
				o.suite = (cf_suite)s;
				o.v0 = v0;
				o.ipv = ipv ? FWP_IP_VERSION_V6 :
					      FWP_IP_VERSION_V4;
				snprintf(label, sizeof(label), "%s %s %s",
					 cf_suite_name(o.suite),
					 v0 ? "v0" : "v1", ipv ? "IPv6" : "IPv4");
				rc = cf_ctx_try(h, &c, &o, CF_MATURE);
				if (!CF_CHECK_RC(rc, ERROR_SUCCESS, label)) {
					cf_note_failure("[%s] failing call: %s",
							label, c.failed_step);
					if (c.id)
						cf_ctx_delete(h, &c);
					continue;
				}
				r = cf_get1(h, c.id);
				if (!cf_salist_matches(
					r->inboundSa->saBundle.saList,
					r->inboundSa->saBundle.numSAs, c.in.sa,
					c.in.b1.numSAs, why, sizeof(why)) ||
				    !cf_salist_matches(
					r->outboundSa->saBundle.saList,
					r->outboundSa->saBundle.numSAs,
					c.out.sa, c.out.b1.numSAs, why,
					sizeof(why)))
					cf_note_failure("[%s] read back: %s",
							label, why);
				FwpmFreeMemory0((void **)&r);
				cf_ctx_delete(h, &c);
			}
	cf_close(h);
	cf_assert_no_failures();
}

/* 0 and 1 variants on one context, in both directions of mixing. */
static void mix_versions(void **state)
{
	HANDLE h = cf_open();
	IPSEC_TRAFFIC1 t1 = cf_traffic_v4(CF_DEFAULT_LOCAL4, CF_DEFAULT_REMOTE4,
					  IPSEC_TRAFFIC_TYPE_TRANSPORT,
					  cf_next_filter_id());
	IPSEC_TRAFFIC0 t0 = cf_traffic1_to0(&t1);
	IPSEC_GETSPI1 g1 = cf_getspi1(&t1);
	IPSEC_GETSPI0 g0 = cf_getspi1_to0(&g1);
	IPSEC_SA_CONTEXT0 *r0 = NULL;
	IPSEC_SA_CONTEXT1 *r1;
	UINT64 a = 0, b = 0;
	UINT32 spi_a = cf_next_spi(), spi_b = 0;
	cf_bundle in, out;

	(void)state;
	/* Create0, SetSpi0, AddInbound1, AddOutbound0. */
	CF_OK(IPsecSaContextCreate0(h, &t0, NULL, &a));
	cf_track_ctx(a);
	CF_OK(IPsecSaContextSetSpi0(h, a, &g1, spi_a));
	cf_bundle_init(&in, CF_SUITE_GCM128, spi_a, FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddInbound1(h, a, &in.b1));
	cf_bundle_init(&out, CF_SUITE_GCM128, cf_next_spi(), FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddOutbound0(h, a, cf_bundle0(&out)));

	/* Create1, GetSpi0, AddInbound0, AddOutbound1. */
	CF_OK(IPsecSaContextCreate1(h, &t1, NULL, NULL, &b));
	cf_track_ctx(b);
	CF_OK(IPsecSaContextGetSpi0(h, b, &g0, &spi_b));
	cf_bundle_init(&in, CF_SUITE_CBC_SHA1, spi_b, FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddInbound0(h, b, cf_bundle0(&in)));
	cf_bundle_init(&out, CF_SUITE_CBC_SHA1, cf_next_spi(),
		       FWP_IP_VERSION_V4);
	CF_OK(IPsecSaContextAddOutbound1(h, b, &out.b1));

	/* Both are readable with both GetById versions. */
	for (int i = 0; i < 2; i++) {
		UINT64 id = i ? b : a;
		UINT32 spi = i ? spi_b : spi_a;

		CF_OK(IPsecSaContextGetById0(h, id, &r0));
		assert_non_null(r0->inboundSa);
		assert_non_null(r0->outboundSa);
		assert_int_equal(r0->inboundSa->saBundle.saList[0].spi, spi);
		assert_int_equal(r0->outboundSa->traffic.localV4Address,
				 CF_DEFAULT_LOCAL4);
		FwpmFreeMemory0((void **)&r0);
		r1 = cf_get1(h, id);
		assert_non_null(r1->inboundSa);
		assert_non_null(r1->outboundSa);
		assert_int_equal(r1->inboundSa->saBundle.saList[0].spi, spi);
		FwpmFreeMemory0((void **)&r1);
	}
	CF_OK(IPsecSaContextDeleteById0(h, a));
	CF_OK(IPsecSaContextDeleteById0(h, b));
	cf_untrack_ctx(a);
	cf_untrack_ctx(b);
	cf_close(h);
}

/* ---- state machine -------------------------------------------------- */

typedef enum {
	OP_GETSPI0, OP_GETSPI1, OP_SETSPI0, OP_ADDIN0, OP_ADDIN1, OP_ADDOUT0,
	OP_ADDOUT1, OP_UPDATE0, OP_EXPIRE0, OP_DELETE, OP_COUNT
} op_t;

static const char *const op_names[OP_COUNT] = {
	"GetSpi0", "GetSpi1", "SetSpi0", "AddInbound0", "AddInbound1",
	"AddOutbound0", "AddOutbound1", "Update0", "Expire0", "DeleteById0",
};

static DWORD run_op(HANDLE h, cf_ctx *c, op_t op)
{
	IPSEC_GETSPI0 g0 = cf_getspi1_to0(&c->getspi);
	IPSEC_SA_SPI spi = 0;
	IPSEC_SA_DETAILS1 d;
	IPSEC_SA_CONTEXT1 nv;
	cf_bundle *b = malloc(sizeof(*b));
	DWORD rc = ERROR_INVALID_PARAMETER;

	if (!b)
		abort();
	switch (op) {
	case OP_GETSPI0:
		rc = IPsecSaContextGetSpi0(h, c->id, &g0, &spi);
		break;
	case OP_GETSPI1:
		rc = IPsecSaContextGetSpi1(h, c->id, &c->getspi, &spi);
		break;
	case OP_SETSPI0:
		rc = IPsecSaContextSetSpi0(h, c->id, &c->getspi, cf_next_spi());
		break;
	case OP_ADDIN0:
	case OP_ADDIN1:
		cf_bundle_init(b, c->o.suite, c->spi_in, c->o.ipv);
		rc = op == OP_ADDIN0 ?
		     IPsecSaContextAddInbound0(h, c->id, cf_bundle0(b)) :
		     IPsecSaContextAddInbound1(h, c->id, &b->b1);
		break;
	case OP_ADDOUT0:
	case OP_ADDOUT1:
		cf_bundle_init(b, c->o.suite, c->spi_out, c->o.ipv);
		rc = op == OP_ADDOUT0 ?
		     IPsecSaContextAddOutbound0(h, c->id, cf_bundle0(b)) :
		     IPsecSaContextAddOutbound1(h, c->id, &b->b1);
		break;
	case OP_UPDATE0:
		memset(&d, 0, sizeof(d));
		d.ipVersion = c->o.ipv;
		d.saDirection = FWP_DIRECTION_INBOUND;
		d.saBundle.napContext = 5;
		nv.saContextId = c->id;
		nv.inboundSa = &d;
		nv.outboundSa = NULL;
		rc = IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT,
					   &nv);
		break;
	case OP_EXPIRE0:
		rc = IPsecSaContextExpire0(h, c->id);
		break;
	case OP_DELETE:
		rc = IPsecSaContextDeleteById0(h, c->id);
		break;
	default:
		break;
	}
	free(b);
	return rc;
}

static DWORD expected_for(cf_state s, op_t op)
{
	const DWORD INC = FWP_E_INCOMPATIBLE_SA_STATE, OK = ERROR_SUCCESS;

	switch (op) {
	case OP_GETSPI0:
	case OP_GETSPI1:
	case OP_SETSPI0:
		return s == CF_CREATED ? OK : INC;
	case OP_ADDIN0:
	case OP_ADDIN1:
		return s == CF_SPI_SET ? OK : INC;
	case OP_ADDOUT0:
	case OP_ADDOUT1:
		return s == CF_INBOUND ? OK : INC;
	case OP_UPDATE0:
	case OP_EXPIRE0:
		return s == CF_INBOUND || s == CF_MATURE ? OK : INC;
	case OP_DELETE:
	default:
		return OK;
	}
}

static void state_machine(void **state)
{
	HANDLE h = cf_open();
	char label[96];

	(void)state;
	for (cf_state s = CF_CREATED; s <= CF_EXPIRING; s++)
		for (op_t op = 0; op < OP_COUNT; op++) {
			cf_ctx c;
			IPSEC_SA_CONTEXT1 *snap;
			DWORD want = expected_for(s, op), rc;

			snprintf(label, sizeof(label), "%s in state %s",
				 op_names[op], cf_state_name(s));
			cf_ctx_build(h, &c, NULL, s);
			snap = cf_get1(h, c.id);
			rc = run_op(h, &c, op);
			CF_CHECK_RC(rc, want, label);
			if (want != ERROR_SUCCESS) {
				cf_check_unchanged(h, c.id, snap, label);
				/* The state did not move: its next step works. */
				if (s < CF_EXPIRING) {
					rc = cf_ctx_step(h, &c);
					CF_CHECK(rc == ERROR_SUCCESS,
						 "[%s] next step %s after the "
						 "failed call: %s", label,
						 c.failed_step, cf_rc_str(rc));
				}
			}
			FwpmFreeMemory0((void **)&snap);
			if (op == OP_DELETE && rc == ERROR_SUCCESS) {
				IPSEC_SA_CONTEXT1 *r = NULL;

				cf_untrack_ctx(c.id);
				CF_CHECK_RC(IPsecSaContextGetById1(h, c.id, &r),
					    FWP_E_NOT_FOUND, label);
			} else {
				CF_CHECK_RC(IPsecSaContextDeleteById0(h, c.id),
					    ERROR_SUCCESS, label);
				cf_untrack_ctx(c.id);
			}
		}
	cf_close(h);
	cf_assert_no_failures();
}

/* Decision 9 (state part): directions appear only while their SA lives. */
static void live_directions_by_state(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;

	(void)state;
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	check_live_directions(h, c.id, false, false, "after Create");
	CF_OK(cf_ctx_step(h, &c));
	check_live_directions(h, c.id, false, false, "after SetSpi");
	CF_OK(cf_ctx_step(h, &c));
	check_live_directions(h, c.id, true, false, "after AddInbound");
	CF_OK(cf_ctx_step(h, &c));
	check_live_directions(h, c.id, true, true, "after AddOutbound");
	CF_OK(cf_ctx_step(h, &c));
	check_live_directions(h, c.id, true, false, "after Expire0");
	cf_ctx_delete(h, &c);

	/* Expire0 from INBOUND keeps the inbound SA for the drain. */
	cf_ctx_build(h, &c, NULL, CF_INBOUND);
	CF_OK(IPsecSaContextExpire0(h, c.id));
	check_live_directions(h, c.id, true, false, "Expire0 from INBOUND");
	CF_ASSERT_RC(IPsecSaContextExpire0(h, c.id),
		     FWP_E_INCOMPATIBLE_SA_STATE);
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- SPIs ----------------------------------------------------------- */

static void setspi_range(void **state)
{
	static const UINT32 bad[] = { 0, 1, 0x7F, 0xFF };
	HANDLE h = cf_open();
	cf_ctx c, d;
	char label[64];

	(void)state;
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(label, sizeof(label), "SetSpi0 spi 0x%x", bad[i]);
		CF_CHECK_RC(IPsecSaContextSetSpi0(h, c.id, &c.getspi, bad[i]),
			    FWP_E_INVALID_PARAMETER, label);
	}
	/* The context is still CREATED: boundary values work. */
	CF_OK(IPsecSaContextSetSpi0(h, c.id, &c.getspi, 0x100));
	c.spi_in = 0x100;
	c.state = CF_SPI_SET;
	CF_OK(cf_ctx_step(h, &c));	/* AddInbound with SPI 0x100 */
	cf_ctx_build(h, &d, NULL, CF_CREATED);
	CF_OK(IPsecSaContextSetSpi0(h, d.id, &d.getspi, 0xFFFFFFFFu));
	d.spi_in = 0xFFFFFFFFu;
	d.state = CF_SPI_SET;
	CF_OK(cf_ctx_step(h, &d));
	cf_ctx_delete(h, &c);
	cf_ctx_delete(h, &d);
	cf_close(h);
	cf_assert_no_failures();
}

/* SPI held by another inbound SA: FWP_E_ALREADY_EXISTS, freed on delete. */
static void setspi_duplicate(void **state)
{
	HANDLE h = cf_open();
	cf_ctx_opts o;
	cf_ctx holder, b, late, exp;

	(void)state;
	cf_ctx_build(h, &holder, NULL, CF_INBOUND);
	cf_ctx_build(h, &b, NULL, CF_CREATED);
	CF_ASSERT_RC(IPsecSaContextSetSpi0(h, b.id, &b.getspi, holder.spi_in),
		     FWP_E_ALREADY_EXISTS);
	CF_OK(cf_ctx_step(h, &holder));		/* MATURE: still held */
	CF_ASSERT_RC(IPsecSaContextSetSpi0(h, b.id, &b.getspi, holder.spi_in),
		     FWP_E_ALREADY_EXISTS);
	/* b is still CREATED and can take another SPI. */
	CF_OK(cf_ctx_step(h, &b));

	/* Draining inbound SA (after Expire0) still holds its SPI. */
	cf_ctx_build(h, &exp, NULL, CF_EXPIRING);
	cf_ctx_build(h, &late, NULL, CF_CREATED);
	CF_ASSERT_RC(IPsecSaContextSetSpi0(h, late.id, &late.getspi,
					   exp.spi_in), FWP_E_ALREADY_EXISTS);

	/* Deleting the holder frees the SPI. */
	cf_ctx_delete(h, &holder);
	CF_OK(IPsecSaContextSetSpi0(h, late.id, &late.getspi, holder.spi_in));
	cf_ctx_delete(h, &late);
	cf_ctx_delete(h, &exp);

	/* Two contexts reserving one SPI: at most one inbound SA gets it,
	 * whether SetSpi0 or AddInbound refuses the second. */
	{
		cf_ctx r1, r2;
		UINT32 x = cf_next_spi();
		DWORD rc2;

		cf_ctx_build(h, &r1, NULL, CF_CREATED);
		cf_ctx_build(h, &r2, NULL, CF_CREATED);
		CF_OK(IPsecSaContextSetSpi0(h, r1.id, &r1.getspi, x));
		rc2 = IPsecSaContextSetSpi0(h, r2.id, &r2.getspi, x);
		r1.spi_in = r2.spi_in = x;
		r1.state = CF_SPI_SET;
		CF_OK(cf_ctx_step(h, &r1));
		if (rc2 == ERROR_SUCCESS) {
			r2.state = CF_SPI_SET;
			rc2 = cf_ctx_step(h, &r2);
			if (rc2 == ERROR_SUCCESS)
				fail_msg("two inbound SAs hold SPI 0x%x", x);
		} else {
			CF_ASSERT_RC(rc2, FWP_E_ALREADY_EXISTS);
		}
		cf_ctx_delete(h, &r1);
		cf_ctx_delete(h, &r2);
	}

	/* A new context can now use the SPI through the builder too. */
	cf_opts_default(&o);
	o.spi = holder.spi_in;
	cf_ctx_build(h, &late, &o, CF_MATURE);
	cf_ctx_delete(h, &late);
	cf_ctx_delete(h, &b);
	cf_close(h);
}

/* GetSpi: 0x100..0xFFFFFFFF, never 0, never one that is held. */
static void getspi_values(void **state)
{
	enum { N = 64 };
	HANDLE h = cf_open();
	cf_ctx_opts o;
	cf_ctx *c = calloc(N, sizeof(*c));
	cf_ctx held;

	(void)state;
	assert_non_null(c);
	cf_ctx_build(h, &held, NULL, CF_MATURE);
	cf_opts_default(&o);
	o.getspi = true;
	for (int i = 0; i < N; i++) {
		o.v0 = i & 1;
		cf_ctx_build(h, &c[i], &o, CF_INBOUND);
		CF_CHECK(c[i].spi_in >= 0x100, "GetSpi returned 0x%x",
			 c[i].spi_in);
		CF_CHECK(c[i].spi_in != held.spi_in,
			 "GetSpi returned the held SPI 0x%x", held.spi_in);
		for (int j = 0; j < i; j++)
			CF_CHECK(c[i].spi_in != c[j].spi_in,
				 "GetSpi returned SPI 0x%x twice", c[i].spi_in);
	}
	for (int i = 0; i < N; i++)
		cf_ctx_delete(h, &c[i]);
	cf_ctx_delete(h, &held);
	free(c);
	cf_close(h);
	cf_assert_no_failures();
}

/*
 * Decision 1: GetSpi/SetSpi traffic must match the context's type and IP
 * version, getSpi->ipVersion must equal the inbound traffic's; tunnel mode
 * needs the same tunnelPolicyId; transport mode may use another filter id.
 */
static void spi_calls(HANDLE h, cf_ctx *c, const IPSEC_GETSPI1 *g,
		      DWORD want, const char *what)
{
	IPSEC_GETSPI0 g0 = cf_getspi1_to0(g);
	IPSEC_SA_SPI spi = 0;
	char label[128];

	snprintf(label, sizeof(label), "GetSpi0: %s", what);
	CF_CHECK_RC(IPsecSaContextGetSpi0(h, c->id, &g0, &spi), want, label);
	if (want == ERROR_SUCCESS)
		return;	/* the context moved on */
	snprintf(label, sizeof(label), "GetSpi1: %s", what);
	CF_CHECK_RC(IPsecSaContextGetSpi1(h, c->id, g, &spi), want, label);
	snprintf(label, sizeof(label), "SetSpi0: %s", what);
	CF_CHECK_RC(IPsecSaContextSetSpi0(h, c->id, g, cf_next_spi()), want,
		    label);
}

static void spi_traffic_mismatch(void **state)
{
	HANDLE h = cf_open();
	cf_ctx_opts o;
	cf_ctx c;
	IPSEC_GETSPI1 g;
	IPSEC_SA_SPI spi;
	UINT8 v6[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	(void)state;
	/* IPv4 transport context. */
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	g.inboundIpsecTraffic.tunnelPolicyId = c.out_traffic.ipsecFilterId;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH, "tunnel on transport");
	g = c.getspi;
	g.inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V6;
	memcpy(g.inboundIpsecTraffic.localV6Address, v6, 16);
	memcpy(g.inboundIpsecTraffic.remoteV6Address, v6, 16);
	g.ipVersion = FWP_IP_VERSION_V6;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH, "IPv6 on IPv4 context");
	g = c.getspi;
	g.ipVersion = FWP_IP_VERSION_V6;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH,
		  "getSpi->ipVersion != inboundIpsecTraffic.ipVersion");
	g = c.getspi;
	g.inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V6;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH,
		  "inboundIpsecTraffic.ipVersion != getSpi->ipVersion");
	/* Transport: another filter id is fine (strongSwan's inbound one). */
	g = c.getspi;
	g.inboundIpsecTraffic.ipsecFilterId = cf_next_filter_id();
	CF_OK(IPsecSaContextSetSpi0(h, c.id, &g, c.spi_in));
	c.state = CF_SPI_SET;
	CF_OK(cf_ctx_step(h, &c));
	cf_ctx_delete(h, &c);

	cf_ctx_build(h, &c, NULL, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.ipsecFilterId = cf_policy_id(FWP_IP_VERSION_V4,
		IPSEC_TRAFFIC_TYPE_TRANSPORT, FWP_DIRECTION_INBOUND);
	CF_OK(IPsecSaContextGetSpi1(h, c.id, &g, &spi));
	cf_ctx_delete(h, &c);

	/* IPv4 tunnel context. */
	cf_opts_default(&o);
	o.type = IPSEC_TRAFFIC_TYPE_TUNNEL;
	cf_ctx_build(h, &c, &o, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.tunnelPolicyId = c.out_traffic.tunnelPolicyId + 1;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH, "other tunnelPolicyId");
	g = c.getspi;
	g.inboundIpsecTraffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH, "transport on tunnel");
	CF_OK(cf_ctx_step(h, &c));	/* the matching SetSpi0 */
	CF_OK(cf_ctx_step(h, &c));
	cf_ctx_delete(h, &c);

	/* IPv6 transport context. */
	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	cf_ctx_build(h, &c, &o, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V4;
	g.inboundIpsecTraffic.localV4Address = CF_DEFAULT_LOCAL4;
	g.inboundIpsecTraffic.remoteV4Address = CF_DEFAULT_REMOTE4;
	g.ipVersion = FWP_IP_VERSION_V4;
	spi_calls(h, &c, &g, FWP_E_TRAFFIC_MISMATCH, "IPv4 on IPv6 context");
	CF_OK(cf_ctx_step(h, &c));
	cf_ctx_delete(h, &c);

	/* IPv6, the traffic's ipVersion left zero and getSpi->ipVersion set,
	 * as strongSwan's kernel-wfp calls SetSpi0: read as IPv6. */
	cf_ctx_build(h, &c, &o, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V4;
	CF_OK(IPsecSaContextGetSpi1(h, c.id, &g, &spi));
	cf_ctx_delete(h, &c);
	cf_ctx_build(h, &c, &o, CF_CREATED);
	g = c.getspi;
	g.inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V4;
	CF_OK(IPsecSaContextSetSpi0(h, c.id, &g, c.spi_in));
	c.state = CF_SPI_SET;
	CF_OK(cf_ctx_step(h, &c));
	{
		IPSEC_SA_CONTEXT1 *ctx = NULL;

		CF_OK(IPsecSaContextGetById1(h, c.id, &ctx));
		CF_CHECK(ctx->inboundSa->traffic.ipVersion == FWP_IP_VERSION_V6,
			 "unset traffic ipVersion read as getSpi->ipVersion");
		CF_CHECK(!memcmp(ctx->inboundSa->traffic.localV6Address,
				 c.getspi.inboundIpsecTraffic.localV6Address, 16),
			 "IPv6 address kept");
		FwpmFreeMemory0((void **)&ctx);
	}
	cf_ctx_delete(h, &c);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- delete, unknown ids, ids --------------------------------------- */

static void unknown_ids(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c, tmpl;
	UINT64 ids[3];
	char label[64];

	(void)state;
	cf_mature(h, &tmpl);	/* valid inputs to pass with the bad ids */
	cf_ctx_build(h, &c, NULL, CF_CREATED);
	cf_ctx_delete(h, &c);
	ids[0] = c.id;		/* deleted */
	ids[1] = 0;		/* never issued */
	ids[2] = 0xFFFFFFFFFFFFFFF0ull;
	for (int i = 0; i < 3; i++) {
		cf_ctx t = tmpl;
		IPSEC_SA_CONTEXT1 *r1 = NULL;
		IPSEC_SA_CONTEXT0 *r0 = NULL;

		t.id = ids[i];
		snprintf(label, sizeof(label), "context id %llu",
			 (unsigned long long)ids[i]);
		for (op_t op = 0; op < OP_COUNT; op++) {
			char l2[128];

			snprintf(l2, sizeof(l2), "%s %s", op_names[op], label);
			CF_CHECK_RC(run_op(h, &t, op), FWP_E_NOT_FOUND, l2);
		}
		CF_CHECK_RC(IPsecSaContextGetById1(h, ids[i], &r1),
			    FWP_E_NOT_FOUND, label);
		CF_CHECK_RC(IPsecSaContextGetById0(h, ids[i], &r0),
			    FWP_E_NOT_FOUND, label);
	}
	cf_ctx_delete(h, &tmpl);
	CF_ASSERT_RC(IPsecSaContextDeleteById0(h, tmpl.id), FWP_E_NOT_FOUND);
	cf_close(h);
	cf_assert_no_failures();
}

/* Decision 17: ids are never 0, strictly increasing, never reused. */
static void context_ids(void **state)
{
	enum { N = 12 };
	HANDLE h = cf_open(), h2 = cf_open();
	cf_ctx c[N];
	UINT64 seen[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		cf_ctx_build(h, &c[i], NULL, CF_CREATED);
		seen[i] = c[i].id;
		assert_true(c[i].id != 0);
		if (i)
			assert_true(c[i].id > c[i - 1].id);
		if (i % 3 == 1)
			cf_ctx_delete(h, &c[i]);	/* ids of deleted ones */
	}
	/* From another session too, after deletions. */
	for (int i = 0; i < N; i++) {
		cf_ctx d;

		cf_ctx_build(h2, &d, NULL, CF_CREATED);
		assert_true(d.id > seen[N - 1]);
		for (int j = 0; j < N; j++)
			assert_true(d.id != seen[j]);
		seen[N - 1] = d.id;
		cf_ctx_delete(h2, &d);
	}
	for (int i = 0; i < N; i++)
		if (i % 3 != 1)
			cf_ctx_delete(h, &c[i]);
	cf_close(h);
	cf_close(h2);
}

/* Delete works in every state and takes everything with it. */
static void delete_everything(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c, d;
	IPSEC_SA_CONTEXT1 *r = NULL;
	cf_ctx_opts o;

	(void)state;
	for (cf_state s = CF_CREATED; s <= CF_EXPIRING; s++) {
		cf_ctx_build(h, &c, NULL, s);
		cf_ctx_delete(h, &c);
		CF_ASSERT_RC(IPsecSaContextGetById1(h, c.id, &r),
			     FWP_E_NOT_FOUND);
		CF_ASSERT_RC(IPsecSaContextDeleteById0(h, c.id),
			     FWP_E_NOT_FOUND);
		/* Its inbound SPI (if any) is free again. */
		if (s >= CF_SPI_SET) {
			cf_opts_default(&o);
			o.spi = c.spi_in;
			cf_ctx_build(h, &d, &o, CF_INBOUND);
			cf_ctx_delete(h, &d);
		}
	}
	cf_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(strongswan_transport_v4),
		CF_TEST(strongswan_transport_v6),
		CF_TEST(strongswan_tunnel),
		CF_TEST(doubango_pattern),
		CF_TEST(all_suites_accepted),
		CF_TEST(mix_versions),
		CF_TEST(state_machine),
		CF_TEST(live_directions_by_state),
		CF_TEST(setspi_range),
		CF_TEST(setspi_duplicate),
		CF_TEST(getspi_values),
		CF_TEST(spi_traffic_mismatch),
		CF_TEST(unknown_ids),
		CF_TEST(context_ids),
		CF_TEST(delete_everything),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.lifecycle", tests, NULL,
					   NULL);
}
