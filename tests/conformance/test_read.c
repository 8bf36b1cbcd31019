/*
 * test_read.c - GetById0/1, context enumeration (paging, templates,
 * snapshots, handles), IPsecSaEnum0/1, statistics; keys never returned.
 * Contract: SEMANTICS.md "Reading"; decisions 9, 13, 14.
 */
#include "conformance.h"

/* ---- a context with every readable field set ------------------------ */

typedef struct full_ctx {
	cf_ctx c;
	IPSEC_KEYMODULE_STATE0 kms_in, kms_out;
	UINT8 blob_in[64], blob_out[200];
} full_ctx;

static void build_full(HANDLE h, full_ctx *f, cf_suite suite, bool v0)
{
	cf_ctx_opts o;
	DWORD rc;

	cf_opts_default(&o);
	o.suite = suite;
	o.v0 = v0;
	o.in_flags = IPSEC_SA_BUNDLE_FLAG_ND_SECURE | IPSEC_SA_BUNDLE_FLAG_NLB;
	o.out_flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND |
		      IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL;
	o.in_life.lifetimeSeconds = 3600;
	o.in_life.lifetimeKilobytes = 100000;
	o.in_life.lifetimePackets = 0;
	o.out_life.lifetimeSeconds = 3500;
	o.out_life.lifetimePackets = 1000000;
	o.in_idle = 300;
	o.out_idle = 301;
	cf_ctx_build(h, &f->c, &o, CF_SPI_SET);

	for (size_t i = 0; i < sizeof(f->blob_in); i++)
		f->blob_in[i] = (UINT8)(3 * i + 1);
	for (size_t i = 0; i < sizeof(f->blob_out); i++)
		f->blob_out[i] = (UINT8)(5 * i + 2);
	f->kms_in.keyModuleKey = cf_random_guid();
	f->kms_in.stateBlob.size = sizeof(f->blob_in);
	f->kms_in.stateBlob.data = f->blob_in;
	f->kms_out.keyModuleKey = cf_random_guid();
	f->kms_out.stateBlob.size = sizeof(f->blob_out);
	f->kms_out.stateBlob.data = f->blob_out;

	/* Inbound by hand, with every bundle field. */
	cf_bundle_init(&f->c.in, suite, f->c.spi_in, FWP_IP_VERSION_V4);
	f->c.in.b1.flags = o.in_flags;
	f->c.in.b1.lifetime = o.in_life;
	f->c.in.b1.idleTimeoutSeconds = o.in_idle;
	f->c.in.b1.napContext = 0xA1;
	f->c.in.b1.mmSaId = 0x1234567890ull;
	f->c.in.b1.pfsGroup = IPSEC_PFS_ECP_256;
	f->c.in.b1.peerV4PrivateAddress = CF_V4(192, 168, 10, 10);
	f->c.in.b1.keyModuleState = &f->kms_in;
	rc = v0 ? IPsecSaContextAddInbound0(h, f->c.id, cf_bundle0(&f->c.in)) :
		  IPsecSaContextAddInbound1(h, f->c.id, &f->c.in.b1);
	CF_OK(rc);
	cf_bundle_init(&f->c.out, suite, f->c.spi_out, FWP_IP_VERSION_V4);
	f->c.out.b1.flags = o.out_flags;
	f->c.out.b1.lifetime = o.out_life;
	f->c.out.b1.idleTimeoutSeconds = o.out_idle;
	f->c.out.b1.napContext = 0xB2;
	f->c.out.b1.mmSaId = 0x1234567890ull;
	f->c.out.b1.pfsGroup = IPSEC_PFS_2048;
	f->c.out.b1.peerV4PrivateAddress = CF_V4(192, 168, 10, 11);
	f->c.out.b1.keyModuleState = &f->kms_out;
	rc = v0 ? IPsecSaContextAddOutbound0(h, f->c.id, cf_bundle0(&f->c.out)) :
		  IPsecSaContextAddOutbound1(h, f->c.id, &f->c.out.b1);
	CF_OK(rc);
	f->c.state = CF_MATURE;
}

/* What decision 9 says comes back, for one direction. */
static void check_bundle_common(const char *label, UINT32 flags,
				const IPSEC_SA_LIFETIME0 *life, UINT32 idle,
				UINT32 nap, UINT64 mm, IPSEC_PFS_GROUP pfs,
				UINT32 peer, FWP_IP_VERSION ipv,
				const IPSEC_KEYMODULE_STATE0 *kms,
				const IPSEC_SA0 *sa, UINT32 nsa,
				const cf_bundle *want)
{
	char why[256];

	CF_CHECK(flags == want->b1.flags, "[%s] flags 0x%x, want 0x%x", label,
		 flags, want->b1.flags);
	CF_CHECK(!memcmp(life, &want->b1.lifetime, sizeof(*life)),
		 "[%s] lifetime %u/%u/%u, want %u/%u/%u", label,
		 life->lifetimeSeconds, life->lifetimeKilobytes,
		 life->lifetimePackets, want->b1.lifetime.lifetimeSeconds,
		 want->b1.lifetime.lifetimeKilobytes,
		 want->b1.lifetime.lifetimePackets);
	CF_CHECK(idle == want->b1.idleTimeoutSeconds,
		 "[%s] idleTimeoutSeconds %u, want %u", label, idle,
		 want->b1.idleTimeoutSeconds);
	CF_CHECK(nap == want->b1.napContext, "[%s] napContext %u, want %u",
		 label, nap, want->b1.napContext);
	CF_CHECK(mm == want->b1.mmSaId, "[%s] mmSaId %llu, want %llu", label,
		 (unsigned long long)mm, (unsigned long long)want->b1.mmSaId);
	CF_CHECK(pfs == want->b1.pfsGroup, "[%s] pfsGroup %d, want %d", label,
		 pfs, want->b1.pfsGroup);
	CF_CHECK(peer == want->b1.peerV4PrivateAddress,
		 "[%s] peerV4PrivateAddress 0x%x, want 0x%x", label, peer,
		 want->b1.peerV4PrivateAddress);
	CF_CHECK(ipv == want->b1.ipVersion, "[%s] bundle ipVersion %d", label,
		 ipv);
	if (!cf_salist_matches(sa, nsa, want->sa, want->b1.numSAs, why,
			       sizeof(why)))
		cf_note_failure("[%s] %s", label, why);
	if (CF_CHECK(kms != NULL, "[%s] keyModuleState not returned", label)) {
		const IPSEC_KEYMODULE_STATE0 *w = want->b1.keyModuleState;

		CF_CHECK(kms != w, "[%s] keyModuleState is the caller's own "
			 "pointer", label);
		CF_CHECK(cf_guid_eq(&kms->keyModuleKey, &w->keyModuleKey),
			 "[%s] keyModuleKey differs", label);
		CF_CHECK(kms->stateBlob.size == w->stateBlob.size &&
			 kms->stateBlob.data &&
			 !memcmp(kms->stateBlob.data, w->stateBlob.data,
				 w->stateBlob.size),
			 "[%s] keyModuleState blob differs (size %u)", label,
			 kms->stateBlob.size);
		CF_CHECK(kms->stateBlob.data != w->stateBlob.data,
			 "[%s] keyModuleState blob is not a copy", label);
	}
}

static void check_details1(const IPSEC_SA_DETAILS1 *d, FWP_DIRECTION dir,
			   const IPSEC_TRAFFIC1 *traffic, const cf_bundle *want,
			   const char *label)
{
	char why[256];

	if (!CF_CHECK(d != NULL, "[%s] details missing", label))
		return;
	CF_CHECK(d->saDirection == dir, "[%s] saDirection %d, want %d", label,
		 d->saDirection, dir);
	CF_CHECK(d->ipVersion == traffic->ipVersion, "[%s] ipVersion %d",
		 label, d->ipVersion);
	if (!cf_traffic1_equal(&d->traffic, traffic, "traffic", why,
			       sizeof(why)))
		cf_note_failure("[%s] %s differs from what was given", label,
				why);
	check_bundle_common(label, d->saBundle.flags, &d->saBundle.lifetime,
			    d->saBundle.idleTimeoutSeconds,
			    d->saBundle.napContext, d->saBundle.mmSaId,
			    d->saBundle.pfsGroup,
			    d->saBundle.peerV4PrivateAddress,
			    d->saBundle.ipVersion, d->saBundle.keyModuleState,
			    d->saBundle.saList, d->saBundle.numSAs, want);
	if (!cf_keys_absent1(d, why, sizeof(why)))
		cf_note_failure("[%s] %s", label, why);
	CF_CHECK(d->udpEncapsulation == NULL, "[%s] udpEncapsulation set",
		 label);
}

static void check_details0(const IPSEC_SA_DETAILS0 *d, FWP_DIRECTION dir,
			   const IPSEC_TRAFFIC1 *t, const cf_bundle *want,
			   const char *label)
{
	char why[256];

	if (!CF_CHECK(d != NULL, "[%s] details missing", label))
		return;
	CF_CHECK(d->saDirection == dir, "[%s] saDirection %d", label,
		 d->saDirection);
	CF_CHECK(d->traffic.ipVersion == t->ipVersion &&
		 d->traffic.localV4Address == t->localV4Address &&
		 d->traffic.remoteV4Address == t->remoteV4Address &&
		 d->traffic.trafficType == t->trafficType &&
		 d->traffic.ipsecFilterId == t->ipsecFilterId,
		 "[%s] traffic (v0) differs from what was given", label);
	check_bundle_common(label, d->saBundle.flags, &d->saBundle.lifetime,
			    d->saBundle.idleTimeoutSeconds,
			    d->saBundle.napContext, d->saBundle.mmSaId,
			    d->saBundle.pfsGroup,
			    d->saBundle.peerV4PrivateAddress,
			    d->saBundle.ipVersion, d->saBundle.keyModuleState,
			    d->saBundle.saList, d->saBundle.numSAs, want);
	if (!cf_keys_absent0(d, why, sizeof(why)))
		cf_note_failure("[%s] %s", label, why);
}

/*
 * Decision 9: ids, SPIs, lifetimes, flags, traffic, keyModuleState come
 * back; keys come back as {0, NULL}. The inbound SA carries the traffic
 * given to SetSpi0 (inbound filter id), the outbound one that of Create.
 */
static void getbyid_fields(void **state)
{
	HANDLE h = cf_open();
	full_ctx *f = calloc(1, sizeof(*f));
	IPSEC_SA_CONTEXT1 *r1;
	IPSEC_SA_CONTEXT0 *r0 = NULL;
	char label[64];

	(void)state;
	assert_non_null(f);
	for (int s = 0; s < CF_SUITE_COUNT; s++)
		for (int v0 = 0; v0 < 2; v0++) {
			build_full(h, f, (cf_suite)s, v0);
			r1 = cf_get1(h, f->c.id);
			snprintf(label, sizeof(label), "GetById1 %s inbound%s",
				 cf_suite_name(s), v0 ? " (added with v0)" : "");
			check_details1(r1->inboundSa, FWP_DIRECTION_INBOUND,
				       &f->c.getspi.inboundIpsecTraffic,
				       &f->c.in, label);
			snprintf(label, sizeof(label), "GetById1 %s outbound%s",
				 cf_suite_name(s), v0 ? " (added with v0)" : "");
			check_details1(r1->outboundSa, FWP_DIRECTION_OUTBOUND,
				       &f->c.out_traffic, &f->c.out, label);
			FwpmFreeMemory0((void **)&r1);

			CF_OK(IPsecSaContextGetById0(h, f->c.id, &r0));
			assert_non_null(r0);
			assert_int_equal(r0->saContextId, f->c.id);
			snprintf(label, sizeof(label), "GetById0 %s inbound",
				 cf_suite_name(s));
			check_details0(r0->inboundSa, FWP_DIRECTION_INBOUND,
				       &f->c.getspi.inboundIpsecTraffic,
				       &f->c.in, label);
			snprintf(label, sizeof(label), "GetById0 %s outbound",
				 cf_suite_name(s));
			check_details0(r0->outboundSa, FWP_DIRECTION_OUTBOUND,
				       &f->c.out_traffic, &f->c.out, label);
			FwpmFreeMemory0((void **)&r0);
			cf_ctx_delete(h, &f->c);
		}
	free(f);
	cf_close(h);
	cf_assert_no_failures();
}

/* Results are copies: changing the caller's inputs changes nothing. */
static void getbyid_is_a_copy(void **state)
{
	HANDLE h = cf_open();
	full_ctx *f = calloc(1, sizeof(*f));
	IPSEC_SA_CONTEXT1 *a, *b;
	char why[256];

	(void)state;
	assert_non_null(f);
	build_full(h, f, CF_SUITE_CBC_SHA1, false);
	a = cf_get1(h, f->c.id);
	memset(f->blob_in, 0xEE, sizeof(f->blob_in));
	memset(&f->c.in, 0xEE, sizeof(f->c.in));
	memset(&f->c.out_traffic, 0xEE, sizeof(f->c.out_traffic));
	a->inboundSa->saBundle.napContext = 999;	/* our copy only */
	b = cf_get1(h, f->c.id);
	a->inboundSa->saBundle.napContext = b->inboundSa->saBundle.napContext;
	if (!cf_ctx1_equal(a, b, why, sizeof(why)))
		fail_msg("stored context changed with the caller's memory: %s",
			 why);
	FwpmFreeMemory0((void **)&a);
	FwpmFreeMemory0((void **)&b);
	cf_ctx_delete(h, &f->c);
	free(f);
	cf_close(h);
}

static void getbyid_null_out(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;

	(void)state;
	cf_mature(h, &c);
	CF_ASSERT_RC(IPsecSaContextGetById1(h, c.id, NULL), FWP_E_NULL_POINTER);
	CF_ASSERT_RC(IPsecSaContextGetById0(h, c.id, NULL), FWP_E_NULL_POINTER);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

/* ---- keys are write-only -------------------------------------------- */

static void keys_never_returned(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c[CF_SUITE_COUNT];
	UINT32 net = cf_unique_net24();
	cf_template t;
	HANDLE eh = NULL;
	IPSEC_SA_CONTEXT1 **e1 = NULL;
	IPSEC_SA_CONTEXT0 **e0 = NULL;
	IPSEC_SA_DETAILS1 **s1 = NULL;
	IPSEC_SA_DETAILS0 **s0 = NULL;
	UINT32 n = 0;
	char why[256];

	(void)state;
	for (int s = 0; s < CF_SUITE_COUNT; s++) {
		cf_ctx_opts o;

		cf_opts_default(&o);
		o.suite = (cf_suite)s;
		o.local4 = net | (UINT32)(s + 1);
		o.remote4 = net | 0xFE;
		cf_ctx_build(h, &c[s], &o, CF_MATURE);
	}
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);

	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	CF_OK(IPsecSaContextEnum1(h, eh, 100, &e1, &n));
	CF_CHECK(n == CF_SUITE_COUNT, "Enum1 returned %u of %d", n,
		 CF_SUITE_COUNT);
	for (UINT32 i = 0; i < n; i++) {
		if (e1[i]->inboundSa && !cf_keys_absent1(e1[i]->inboundSa, why,
							 sizeof(why)))
			cf_note_failure("Enum1 inbound: %s", why);
		if (e1[i]->outboundSa && !cf_keys_absent1(e1[i]->outboundSa,
							  why, sizeof(why)))
			cf_note_failure("Enum1 outbound: %s", why);
	}
	FwpmFreeMemory0((void **)&e1);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	CF_OK(IPsecSaContextEnum0(h, eh, 100, &e0, &n));
	CF_CHECK(n == CF_SUITE_COUNT, "Enum0 returned %u of %d", n,
		 CF_SUITE_COUNT);
	for (UINT32 i = 0; i < n; i++) {
		if (e0[i]->inboundSa && !cf_keys_absent0(e0[i]->inboundSa, why,
							 sizeof(why)))
			cf_note_failure("Enum0 inbound: %s", why);
		if (e0[i]->outboundSa && !cf_keys_absent0(e0[i]->outboundSa,
							  why, sizeof(why)))
			cf_note_failure("Enum0 outbound: %s", why);
	}
	FwpmFreeMemory0((void **)&e0);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &eh));
	for (;;) {
		CF_OK(IPsecSaEnum1(h, eh, 7, &s1, &n));
		for (UINT32 i = 0; i < n; i++)
			if (!cf_keys_absent1(s1[i], why, sizeof(why)))
				cf_note_failure("IPsecSaEnum1: %s", why);
		FwpmFreeMemory0((void **)&s1);
		if (n < 7)
			break;
	}
	CF_OK(IPsecSaDestroyEnumHandle0(h, eh));
	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &eh));
	for (;;) {
		CF_OK(IPsecSaEnum0(h, eh, 7, &s0, &n));
		for (UINT32 i = 0; i < n; i++)
			if (!cf_keys_absent0(s0[i], why, sizeof(why)))
				cf_note_failure("IPsecSaEnum0: %s", why);
		FwpmFreeMemory0((void **)&s0);
		if (n < 7)
			break;
	}
	CF_OK(IPsecSaDestroyEnumHandle0(h, eh));

	for (int s = 0; s < CF_SUITE_COUNT; s++)
		cf_ctx_delete(h, &c[s]);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- context enumeration -------------------------------------------- */

static void enum_paging(void **state)
{
	enum { N = 5 };
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_ctx c[N];
	cf_template t;
	HANDLE eh = NULL;
	IPSEC_SA_CONTEXT1 **e1;
	IPSEC_SA_CONTEXT0 **e0;
	UINT32 n, total = 0, batches[4] = { 2, 2, 1, 0 };
	UINT64 seen[N];
	int dummy;

	(void)state;
	for (int i = 0; i < N; i++) {
		cf_ctx_opts o;

		cf_opts_default(&o);
		o.local4 = net | (UINT32)(10 + i);
		o.remote4 = net | 0xFE;
		cf_ctx_build(h, &c[i], &o, i % 2 ? CF_MATURE : CF_CREATED);
	}
	cf_template_v4(&t, net, 0xFFFFFF00u, net, 0xFFFFFF00u);

	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	for (int b = 0; b < 4; b++) {
		e1 = (IPSEC_SA_CONTEXT1 **)&dummy;	/* must be overwritten */
		n = 99;
		CF_OK(IPsecSaContextEnum1(h, eh, 2, &e1, &n));
		CF_CHECK(n == batches[b], "Enum1 batch %d: %u entries, want %u",
			 b, n, batches[b]);
		if (n == 0) {
			CF_CHECK(e1 == NULL, "Enum1 with 0 entries: entries "
				 "not NULL");
			continue;
		}
		for (UINT32 i = 0; i < n && total < N; i++) {
			for (UINT32 j = 0; j < total; j++)
				CF_CHECK(seen[j] != e1[i]->saContextId,
					 "id %llu returned twice",
					 (unsigned long long)seen[j]);
			seen[total++] = e1[i]->saContextId;
		}
		FwpmFreeMemory0((void **)&e1);
	}
	/* Still the end. */
	e1 = (IPSEC_SA_CONTEXT1 **)&dummy;
	CF_OK(IPsecSaContextEnum1(h, eh, 2, &e1, &n));
	CF_CHECK(n == 0 && e1 == NULL, "Enum1 after the end: %u entries", n);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));
	for (int i = 0; i < N; i++) {
		bool found = false;

		for (UINT32 j = 0; j < total; j++)
			found |= seen[j] == c[i].id;
		CF_CHECK(found, "context %llu not enumerated",
			 (unsigned long long)c[i].id);
	}

	/* Enum0, batches of 3: 3, 2, 0. */
	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	CF_OK(IPsecSaContextEnum0(h, eh, 3, &e0, &n));
	CF_CHECK(n == 3, "Enum0 first batch %u", n);
	FwpmFreeMemory0((void **)&e0);
	CF_OK(IPsecSaContextEnum0(h, eh, 3, &e0, &n));
	CF_CHECK(n == 2, "Enum0 second batch %u", n);
	for (UINT32 i = 0; i < n; i++)
		CF_CHECK(e0[i]->saContextId != 0, "Enum0 entry without id");
	FwpmFreeMemory0((void **)&e0);
	e0 = (IPSEC_SA_CONTEXT0 **)&dummy;
	CF_OK(IPsecSaContextEnum0(h, eh, 3, &e0, &n));
	CF_CHECK(n == 0 && e0 == NULL, "Enum0 at the end: %u entries%s", n,
		 e0 ? ", entries not NULL" : "");
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	/* A template matching nothing: 0 entries at once. */
	cf_template_v4(&t, cf_unique_net24(), 0xFFFFFF00u, 0, 0);
	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	e1 = (IPSEC_SA_CONTEXT1 **)&dummy;
	CF_OK(IPsecSaContextEnum1(h, eh, 10, &e1, &n));
	CF_CHECK(n == 0 && e1 == NULL, "empty enumeration: %u entries%s", n,
		 e1 ? ", entries not NULL" : "");
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));

	for (int i = 0; i < N; i++)
		cf_ctx_delete(h, &c[i]);
	cf_close(h);
	cf_assert_no_failures();
}

/* Membership is fixed at CreateEnumHandle; deleted ones are skipped. */
static void enum_snapshot(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_ctx a, b, c, d, x;
	cf_ctx_opts o;
	cf_template t;
	HANDLE eh = NULL, sh = NULL;
	UINT64 ids[16];
	size_t n = 0;
	IPSEC_SA_DETAILS1 **s1 = NULL;
	UINT32 got;
	bool x_in = false, x_out = false, d_seen = false;

	(void)state;
	cf_opts_default(&o);
	o.local4 = net | 1;
	o.remote4 = net | 2;
	cf_ctx_build(h, &a, &o, CF_MATURE);
	cf_ctx_build(h, &b, &o, CF_MATURE);
	cf_ctx_build(h, &c, &o, CF_INBOUND);
	cf_ctx_build(h, &x, &o, CF_MATURE);
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	CF_OK(IPsecSaContextCreateEnumHandle0(h, &t.t, &eh));
	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &sh));

	cf_ctx_delete(h, &b);
	cf_ctx_build(h, &d, &o, CF_MATURE);
	CF_OK(IPsecSaContextExpire0(h, x.id));	/* x's outbound SA goes */

	for (;;) {
		IPSEC_SA_CONTEXT1 **e = NULL;
		UINT32 k = 0;

		CF_OK(IPsecSaContextEnum1(h, eh, 1, &e, &k));
		for (UINT32 i = 0; i < k && n < 16; i++)
			ids[n++] = e[i]->saContextId;
		FwpmFreeMemory0((void **)&e);
		if (k < 1)
			break;
	}
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, eh));
	CF_CHECK(cf_ids_contain(ids, n, a.id), "snapshot lost a live context");
	CF_CHECK(cf_ids_contain(ids, n, c.id), "snapshot lost a live context");
	CF_CHECK(cf_ids_contain(ids, n, x.id), "snapshot lost an expiring "
		 "context");
	CF_CHECK(!cf_ids_contain(ids, n, b.id), "snapshot returned a context "
		 "deleted after CreateEnumHandle");
	CF_CHECK(!cf_ids_contain(ids, n, d.id), "snapshot returned a context "
		 "created after CreateEnumHandle");
	CF_CHECK(n == 3, "snapshot returned %zu contexts, want 3", n);

	/* SA enumeration: the same rules for SAs. */
	for (;;) {
		CF_OK(IPsecSaEnum1(h, sh, 50, &s1, &got));
		for (UINT32 i = 0; i < got; i++) {
			const IPSEC_SA0 *sa = s1[i]->saBundle.saList;

			if (!sa)
				continue;
			if (sa->spi == x.spi_in)
				x_in = true;
			if (sa->spi == x.spi_out &&
			    s1[i]->saDirection == FWP_DIRECTION_OUTBOUND)
				x_out = true;
			if (sa->spi == d.spi_in || sa->spi == b.spi_in)
				d_seen = true;
		}
		FwpmFreeMemory0((void **)&s1);
		if (got < 50)
			break;
	}
	CF_OK(IPsecSaDestroyEnumHandle0(h, sh));
	CF_CHECK(x_in, "IPsecSaEnum snapshot lost the draining inbound SA");
	CF_CHECK(!x_out, "IPsecSaEnum returned an outbound SA removed after "
		 "CreateEnumHandle");
	CF_CHECK(!d_seen, "IPsecSaEnum returned an SA deleted or added after "
		 "CreateEnumHandle");

	cf_ctx_delete(h, &a);
	cf_ctx_delete(h, &c);
	cf_ctx_delete(h, &d);
	cf_ctx_delete(h, &x);
	cf_close(h);
	cf_assert_no_failures();
}

static void expect_ids(HANDLE h, const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		       const UINT64 *want, size_t nwant, const UINT64 *notwant,
		       size_t nnot, const char *label)
{
	UINT64 *ids = NULL;
	size_t n = 0;
	DWORD rc = cf_enum_ids(h, t, 3, &ids, &n);

	if (!CF_CHECK_RC(rc, ERROR_SUCCESS, label))
		return;
	for (size_t i = 0; i < nwant; i++)
		CF_CHECK(cf_ids_contain(ids, n, want[i]),
			 "[%s] context %llu not matched", label,
			 (unsigned long long)want[i]);
	for (size_t i = 0; i < nnot; i++)
		CF_CHECK(!cf_ids_contain(ids, n, notwant[i]),
			 "[%s] context %llu matched", label,
			 (unsigned long long)notwant[i]);
	free(ids);
}

/* Templates match the Create (outbound) traffic's addresses. */
static void enum_templates(void **state)
{
	HANDLE h = cf_open();
	UINT32 n1 = cf_unique_net24(), n2 = cf_unique_net24();
	UINT32 n3 = cf_unique_net24(), n4 = cf_unique_net24();
	UINT32 n5 = cf_unique_net24(), n6 = cf_unique_net24();
	cf_ctx x, y, z, w, v;
	cf_ctx_opts o;
	cf_template t;
	UINT8 net6[16], other6[16], a6[16], b6[16];
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t6;
	FWP_V6_ADDR_AND_MASK m6;

	(void)state;
	cf_opts_default(&o);
	o.local4 = n1 | 5;
	o.remote4 = n2 | 6;
	cf_ctx_build(h, &x, &o, CF_MATURE);
	o.local4 = n1 | 7;
	o.remote4 = n3 | 6;
	cf_ctx_build(h, &y, &o, CF_CREATED);
	o.local4 = n4 | 5;
	o.remote4 = n2 | 9;
	cf_ctx_build(h, &z, &o, CF_INBOUND);
	/* w: Create in n5, SetSpi inbound traffic in n6 (caller's choice). */
	o.local4 = n5 | 1;
	o.remote4 = n5 | 2;
	cf_ctx_build(h, &w, &o, CF_CREATED);
	w.getspi.inboundIpsecTraffic.localV4Address = n6 | 1;
	w.getspi.inboundIpsecTraffic.remoteV4Address = n6 | 2;
	CF_OK(cf_ctx_step(h, &w));
	CF_OK(cf_ctx_step(h, &w));
	CF_OK(cf_ctx_step(h, &w));

	{
		UINT64 want[] = { x.id, y.id }, nw[] = { z.id, w.id };

		cf_template_v4(&t, n1, 0xFFFFFF00u, 0, 0);
		expect_ids(h, &t.t, want, 2, nw, 2, "local n1/24");
	}
	{
		UINT64 want[] = { x.id, z.id }, nw[] = { y.id, w.id };

		cf_template_v4(&t, 0, 0, n2, 0xFFFFFF00u);
		expect_ids(h, &t.t, want, 2, nw, 2, "remote n2/24");
	}
	{
		UINT64 want[] = { x.id }, nw[] = { y.id, z.id, w.id };

		cf_template_v4(&t, n1, 0xFFFFFF00u, n2, 0xFFFFFF00u);
		expect_ids(h, &t.t, want, 1, nw, 3, "local n1/24 + remote n2/24");
		cf_template_v4(&t, n1 | 5, 0xFFFFFFFFu, 0, 0);
		expect_ids(h, &t.t, want, 1, nw, 3, "local /32");
	}
	{
		UINT64 want[] = { x.id, y.id, z.id, w.id };

		cf_template_v4(&t, 0, 0, 0, 0);
		expect_ids(h, &t.t, want, 4, NULL, 0, "both FWP_EMPTY");
		expect_ids(h, NULL, want, 4, NULL, 0, "NULL template");
	}
	{
		UINT64 want[] = { w.id }, nw[] = { w.id };

		cf_template_v4(&t, n5, 0xFFFFFF00u, 0, 0);
		expect_ids(h, &t.t, want, 1, NULL, 0,
			   "Create (outbound) traffic address");
		cf_template_v4(&t, n6, 0xFFFFFF00u, 0, 0);
		expect_ids(h, &t.t, NULL, 0, nw, 1,
			   "SetSpi (inbound) traffic address");
	}

	/* IPv6: traffic bytes reversed, template in network order. */
	cf_unique_net6(net6);
	memcpy(other6, net6, 16);
	other6[7] ^= 0x40;
	net6[15] = 1;
	cf_v6_to_traffic(a6, net6);
	net6[15] = 2;
	cf_v6_to_traffic(b6, net6);
	net6[15] = 0;
	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	memcpy(o.local6, a6, 16);
	memcpy(o.remote6, b6, 16);
	cf_ctx_build(h, &v, &o, CF_MATURE);
	memset(&t6, 0, sizeof(t6));
	memcpy(m6.addr, net6, 16);
	m6.prefixLength = 64;
	t6.localSubNet.type = FWP_V6_ADDR_MASK;
	t6.localSubNet.v6AddrMask = &m6;
	{
		UINT64 want[] = { v.id }, nw[] = { x.id, y.id };

		expect_ids(h, &t6, want, 1, nw, 2, "v6 local /64");
		net6[15] = 1;
		memcpy(m6.addr, net6, 16);
		m6.prefixLength = 128;
		expect_ids(h, &t6, want, 1, NULL, 0, "v6 local /128");
		memcpy(m6.addr, other6, 16);
		m6.prefixLength = 64;
		expect_ids(h, &t6, NULL, 0, want, 1, "v6 other /64");
		/* A v4 template never matches an IPv6 context. */
		cf_template_v4(&t, 0, 0x80000000u, 0, 0);
		expect_ids(h, &t.t, NULL, 0, want, 1, "v4 0/1 vs IPv6");
	}

	cf_ctx_delete(h, &x);
	cf_ctx_delete(h, &y);
	cf_ctx_delete(h, &z);
	cf_ctx_delete(h, &w);
	cf_ctx_delete(h, &v);
	cf_close(h);
	cf_assert_no_failures();
}

static void enum_template_invalid(void **state)
{
	HANDLE h = cf_open();
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t;
	FWP_V4_ADDR_AND_MASK m4;
	FWP_V6_ADDR_AND_MASK m6;
	FWP_RANGE0 range;
	FWP_BYTE_ARRAY16 ba16;
	HANDLE eh;
	char label[96];
	struct {
		const char *name;
		FWP_DATA_TYPE type;
		UINT32 mask;
		UINT8 prefix;
		bool null_ptr;
		DWORD want;
	} rows[] = {
		{ "FWP_UINT32", FWP_UINT32, 0, 0, false, FWP_E_INVALID_PARAMETER },
		{ "FWP_BYTE_ARRAY16_TYPE", FWP_BYTE_ARRAY16_TYPE, 0, 0, false,
		  FWP_E_INVALID_PARAMETER },
		{ "FWP_RANGE_TYPE", FWP_RANGE_TYPE, 0, 0, false,
		  FWP_E_INVALID_PARAMETER },
		{ "FWP_UINT8", FWP_UINT8, 0, 0, false, FWP_E_INVALID_PARAMETER },
		{ "type 0x200", (FWP_DATA_TYPE)0x200, 0, 0, false,
		  FWP_E_INVALID_PARAMETER },
		{ "v4 mask 0xFF00FF00", FWP_V4_ADDR_MASK, 0xFF00FF00u, 0, false,
		  FWP_E_INVALID_NET_MASK },
		{ "v4 mask 0x00FFFFFF", FWP_V4_ADDR_MASK, 0x00FFFFFFu, 0, false,
		  FWP_E_INVALID_NET_MASK },
		{ "v4 mask 0xFFFFFFFE ok", FWP_V4_ADDR_MASK, 0xFFFFFFFEu, 0, false,
		  ERROR_SUCCESS },
		{ "v6 prefix 129", FWP_V6_ADDR_MASK, 0, 129, false,
		  FWP_E_INVALID_NET_MASK },
		{ "v6 prefix 255", FWP_V6_ADDR_MASK, 0, 255, false,
		  FWP_E_INVALID_NET_MASK },
		{ "v6 prefix 128 ok", FWP_V6_ADDR_MASK, 0, 128, false,
		  ERROR_SUCCESS },
		{ "v4 mask pointer NULL", FWP_V4_ADDR_MASK, 0, 0, true,
		  FWP_E_NULL_POINTER },
		{ "v6 mask pointer NULL", FWP_V6_ADDR_MASK, 0, 0, true,
		  FWP_E_NULL_POINTER },
	};

	(void)state;
	/* Well-formed values of the wrong types: only the type is wrong. */
	memset(&range, 0, sizeof(range));
	range.valueLow.type = FWP_UINT32;
	range.valueLow.uint32 = CF_V4(10, 0, 0, 0);
	range.valueHigh.type = FWP_UINT32;
	range.valueHigh.uint32 = CF_V4(10, 0, 0, 255);
	memset(&ba16, 0x20, sizeof(ba16));
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		for (int side = 0; side < 2; side++) {
			FWP_CONDITION_VALUE0 *v;
			DWORD rc;

			memset(&t, 0, sizeof(t));
			memset(&m6, 0, sizeof(m6));
			m4.addr = CF_V4(10, 0, 0, 0);
			m4.mask = rows[r].mask;
			m6.prefixLength = rows[r].prefix;
			v = side ? &t.remoteSubNet : &t.localSubNet;
			v->type = rows[r].type;
			if (rows[r].type == FWP_V4_ADDR_MASK)
				v->v4AddrMask = rows[r].null_ptr ? NULL : &m4;
			else if (rows[r].type == FWP_V6_ADDR_MASK)
				v->v6AddrMask = rows[r].null_ptr ? NULL : &m6;
			else if (rows[r].type == FWP_RANGE_TYPE)
				v->rangeValue = &range;
			else if (rows[r].type == FWP_BYTE_ARRAY16_TYPE)
				v->byteArray16 = &ba16;
			else if (rows[r].type == FWP_UINT32 ||
				 rows[r].type == FWP_UINT8)
				v->uint32 = 5;
			else
				v->v4AddrMask = &m4;	/* a valid pointer */
			eh = NULL;
			rc = IPsecSaContextCreateEnumHandle0(h, &t, &eh);
			snprintf(label, sizeof(label), "%s subnet %s",
				 side ? "remote" : "local", rows[r].name);
			CF_CHECK_RC(rc, rows[r].want, label);
			if (rc == ERROR_SUCCESS)
				IPsecSaContextDestroyEnumHandle0(h, eh);
		}
	cf_close(h);
	cf_assert_no_failures();
}

/* Decision 14: enum handles of another engine, kind, or destroyed. */
static void enum_handles(void **state)
{
	HANDLE h = cf_open(), h2 = cf_open();
	HANDLE ce = NULL, se = NULL, dead = NULL, sdead = NULL;
	IPSEC_SA_CONTEXT1 **e1 = NULL;
	IPSEC_SA_CONTEXT0 **e0 = NULL;
	IPSEC_SA_DETAILS1 **s1 = NULL;
	IPSEC_SA_DETAILS0 **s0 = NULL;
	UINT32 n = 0;
	cf_ctx c;
	const DWORD IH = ERROR_INVALID_HANDLE;

	(void)state;
	cf_mature(h, &c);
	CF_OK(IPsecSaContextCreateEnumHandle0(h, NULL, &ce));
	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &se));
	CF_OK(IPsecSaContextCreateEnumHandle0(h, NULL, &dead));
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, dead));
	CF_OK(IPsecSaCreateEnumHandle0(h, NULL, &sdead));
	CF_OK(IPsecSaDestroyEnumHandle0(h, sdead));

	CF_CHECK_RC(IPsecSaContextEnum1(h2, ce, 1, &e1, &n), IH,
		    "Enum1, enum handle of another engine handle");
	CF_CHECK_RC(IPsecSaContextEnum0(h2, ce, 1, &e0, &n), IH,
		    "Enum0, enum handle of another engine handle");
	CF_CHECK_RC(IPsecSaContextDestroyEnumHandle0(h2, ce), IH,
		    "Destroy, enum handle of another engine handle");
	CF_CHECK_RC(IPsecSaEnum1(h2, se, 1, &s1, &n), IH,
		    "IPsecSaEnum1, handle of another engine handle");
	CF_CHECK_RC(IPsecSaDestroyEnumHandle0(h2, se), IH,
		    "IPsecSaDestroyEnumHandle0, another engine handle");

	CF_CHECK_RC(IPsecSaEnum1(h, ce, 1, &s1, &n), IH,
		    "IPsecSaEnum1 with a context enum handle");
	CF_CHECK_RC(IPsecSaEnum0(h, ce, 1, &s0, &n), IH,
		    "IPsecSaEnum0 with a context enum handle");
	CF_CHECK_RC(IPsecSaContextEnum1(h, se, 1, &e1, &n), IH,
		    "IPsecSaContextEnum1 with an SA enum handle");
	CF_CHECK_RC(IPsecSaDestroyEnumHandle0(h, ce), IH,
		    "IPsecSaDestroyEnumHandle0 with a context enum handle");
	CF_CHECK_RC(IPsecSaContextDestroyEnumHandle0(h, se), IH,
		    "IPsecSaContextDestroyEnumHandle0 with an SA enum handle");

	CF_CHECK_RC(IPsecSaContextEnum1(h, dead, 1, &e1, &n), IH,
		    "Enum1 with a destroyed handle");
	CF_CHECK_RC(IPsecSaContextDestroyEnumHandle0(h, dead), IH,
		    "destroying twice");
	CF_CHECK_RC(IPsecSaEnum1(h, sdead, 1, &s1, &n), IH,
		    "IPsecSaEnum1 with a destroyed handle");
	CF_CHECK_RC(IPsecSaDestroyEnumHandle0(h, sdead), IH,
		    "IPsecSaDestroyEnumHandle0 twice");
	CF_CHECK_RC(IPsecSaContextEnum1(h, NULL, 1, &e1, &n), IH,
		    "Enum1 with a NULL enum handle");
	CF_CHECK_RC(IPsecSaEnum1(h, NULL, 1, &s1, &n), IH,
		    "IPsecSaEnum1 with a NULL enum handle");
	CF_CHECK_RC(IPsecSaContextEnum1(h, (HANDLE)(uintptr_t)0xdead, 1, &e1,
					&n), IH, "Enum1, never-issued handle");

	/* NULL out-parameters. */
	CF_CHECK_RC(IPsecSaContextCreateEnumHandle0(h, NULL, NULL),
		    FWP_E_NULL_POINTER, "CreateEnumHandle0 enumHandle NULL");
	CF_CHECK_RC(IPsecSaCreateEnumHandle0(h, NULL, NULL),
		    FWP_E_NULL_POINTER, "IPsecSaCreateEnumHandle0 NULL");
	CF_CHECK_RC(IPsecSaContextEnum1(h, ce, 1, NULL, &n),
		    FWP_E_NULL_POINTER, "Enum1 entries NULL");
	CF_CHECK_RC(IPsecSaContextEnum1(h, ce, 1, &e1, NULL),
		    FWP_E_NULL_POINTER, "Enum1 numEntriesReturned NULL");
	CF_CHECK_RC(IPsecSaEnum1(h, se, 1, NULL, &n), FWP_E_NULL_POINTER,
		    "IPsecSaEnum1 entries NULL");
	CF_CHECK_RC(IPsecSaEnum0(h, se, 1, &s0, NULL), FWP_E_NULL_POINTER,
		    "IPsecSaEnum0 numEntriesReturned NULL");

	/* The good handles still work with their own engine handle. */
	CF_CHECK_RC(IPsecSaContextEnum1(h, ce, 1, &e1, &n), ERROR_SUCCESS,
		    "Enum1 on the right engine");
	FwpmFreeMemory0((void **)&e1);
	CF_CHECK_RC(IPsecSaEnum1(h, se, 1, &s1, &n), ERROR_SUCCESS,
		    "IPsecSaEnum1 on the right engine");
	FwpmFreeMemory0((void **)&s1);
	CF_OK(IPsecSaContextDestroyEnumHandle0(h, ce));
	CF_OK(IPsecSaDestroyEnumHandle0(h, se));
	cf_ctx_delete(h, &c);
	cf_close(h2);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- IPsecSaEnum ---------------------------------------------------- */

typedef struct sa_seen {
	int in, out, in_wrong_dir, out_wrong_dir;
} sa_seen;

static void sa_enum_collect(HANDLE h, const IPSEC_SA_ENUM_TEMPLATE0 *t,
			    UINT32 batch, bool v0, const cf_ctx *c, int nc,
			    sa_seen *seen, size_t *total)
{
	HANDLE eh = NULL;
	char why[256];

	memset(seen, 0, sizeof(*seen) * (size_t)nc);
	*total = 0;
	CF_OK(IPsecSaCreateEnumHandle0(h, t, &eh));
	for (;;) {
		IPSEC_SA_DETAILS1 **e1 = NULL;
		IPSEC_SA_DETAILS0 **e0 = NULL;
		UINT32 n = 0;

		if (v0)
			CF_OK(IPsecSaEnum0(h, eh, batch, &e0, &n));
		else
			CF_OK(IPsecSaEnum1(h, eh, batch, &e1, &n));
		for (UINT32 i = 0; i < n; i++) {
			FWP_DIRECTION dir = v0 ? e0[i]->saDirection :
						 e1[i]->saDirection;
			const IPSEC_SA0 *sa = v0 ? e0[i]->saBundle.saList :
						   e1[i]->saBundle.saList;

			(*total)++;
			if (t)
				CF_CHECK(dir == t->saDirection,
					 "IPsecSaEnum template direction %d "
					 "returned direction %d",
					 t->saDirection, dir);
			if (!v0 && !cf_keys_absent1(e1[i], why, sizeof(why)))
				cf_note_failure("IPsecSaEnum1: %s", why);
			if (!sa)
				continue;
			for (int k = 0; k < nc; k++) {
				if (sa->spi == c[k].spi_in) {
					if (dir == FWP_DIRECTION_INBOUND)
						seen[k].in++;
					else
						seen[k].in_wrong_dir++;
				}
				if (sa->spi == c[k].spi_out) {
					if (dir == FWP_DIRECTION_OUTBOUND)
						seen[k].out++;
					else
						seen[k].out_wrong_dir++;
				}
			}
		}
		if (v0)
			FwpmFreeMemory0((void **)&e0);
		else
			FwpmFreeMemory0((void **)&e1);
		if (n < batch)
			break;
	}
	CF_OK(IPsecSaDestroyEnumHandle0(h, eh));
}

static void sa_enum(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c[4];
	static const cf_state st[4] = { CF_MATURE, CF_MATURE, CF_INBOUND,
					CF_SPI_SET };
	sa_seen seen[4];
	IPSEC_SA_ENUM_TEMPLATE0 t;
	size_t total, total1;
	HANDLE eh = NULL;

	(void)state;
	for (int i = 0; i < 4; i++)
		cf_ctx_build(h, &c[i], NULL, st[i]);

	for (int v0 = 0; v0 < 2; v0++) {
		const char *V = v0 ? "IPsecSaEnum0" : "IPsecSaEnum1";

		sa_enum_collect(h, NULL, 100, v0, c, 4, seen, &total);
		for (int i = 0; i < 4; i++) {
			int want_in = st[i] >= CF_INBOUND;
			int want_out = st[i] >= CF_MATURE;

			CF_CHECK(seen[i].in == want_in && seen[i].out == want_out,
				 "%s: %s context: %d inbound, %d outbound SAs, "
				 "want %d, %d", V, cf_state_name(st[i]),
				 seen[i].in, seen[i].out, want_in, want_out);
			CF_CHECK(!seen[i].in_wrong_dir && !seen[i].out_wrong_dir,
				 "%s: an SA with the wrong saDirection", V);
		}
		sa_enum_collect(h, NULL, 1, v0, c, 4, seen, &total1);
		CF_CHECK(total1 == total, "%s: batches of 1 gave %zu SAs, of "
			 "100 gave %zu", V, total1, total);
	}

	t.saDirection = FWP_DIRECTION_INBOUND;
	sa_enum_collect(h, &t, 3, false, c, 4, seen, &total);
	CF_CHECK(seen[0].in == 1 && seen[0].out == 0 && seen[2].in == 1,
		 "template INBOUND: %d in, %d out", seen[0].in, seen[0].out);
	t.saDirection = FWP_DIRECTION_OUTBOUND;
	sa_enum_collect(h, &t, 3, false, c, 4, seen, &total);
	CF_CHECK(seen[0].in == 0 && seen[0].out == 1 && seen[2].in == 0,
		 "template OUTBOUND: %d in, %d out", seen[0].in, seen[0].out);

	t.saDirection = FWP_DIRECTION_MAX;
	CF_CHECK_RC(IPsecSaCreateEnumHandle0(h, &t, &eh),
		    FWP_E_INVALID_ENUMERATOR, "saDirection 2");
	t.saDirection = (FWP_DIRECTION)0x7FFFFFFF;
	CF_CHECK_RC(IPsecSaCreateEnumHandle0(h, &t, &eh),
		    FWP_E_INVALID_ENUMERATOR, "saDirection 0x7FFFFFFF");

	/* After Expire0 the outbound SA is gone, the inbound one stays. */
	CF_OK(IPsecSaContextExpire0(h, c[1].id));
	sa_enum_collect(h, NULL, 100, false, c, 4, seen, &total);
	CF_CHECK(seen[1].in == 1 && seen[1].out == 0,
		 "after Expire0: %d inbound, %d outbound", seen[1].in,
		 seen[1].out);

	for (int i = 0; i < 4; i++)
		cf_ctx_delete(h, &c[i]);
	sa_enum_collect(h, NULL, 100, false, c, 4, seen, &total);
	for (int i = 0; i < 4; i++)
		CF_CHECK(!seen[i].in && !seen[i].out,
			 "SAs of a deleted context still enumerated");
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- statistics ----------------------------------------------------- */

static void statistics(void **state)
{
	HANDLE h = cf_open();
	IPSEC_STATISTICS1 s0, s;
	IPSEC_STATISTICS0 v0;
	cf_ctx a, b, c;

#define D(field) ((INT64)s.aggregateSaStatistics.field - \
		  (INT64)s0.aggregateSaStatistics.field)
#define EXPECT(when, active, added, deleted) \
	CF_CHECK(D(activeSas) == (active) && D(totalSasAdded) == (added) && \
		 D(totalSasDeleted) == (deleted), \
		 "%s: activeSas %+lld totalSasAdded %+lld totalSasDeleted " \
		 "%+lld, want %+d %+d %+d", when, (long long)D(activeSas), \
		 (long long)D(totalSasAdded), (long long)D(totalSasDeleted), \
		 active, added, deleted)

	(void)state;
	s0 = cf_stats(h);
	cf_ctx_build(h, &a, NULL, CF_SPI_SET);
	s = cf_stats(h);
	EXPECT("SPI_SET context", 0, 0, 0);
	CF_OK(cf_ctx_step(h, &a));
	s = cf_stats(h);
	EXPECT("after AddInbound", 1, 1, 0);
	CF_OK(cf_ctx_step(h, &a));
	s = cf_stats(h);
	EXPECT("after AddOutbound", 2, 2, 0);
	cf_ctx_build(h, &b, NULL, CF_MATURE);
	cf_ctx_build(h, &c, NULL, CF_INBOUND);
	s = cf_stats(h);
	EXPECT("three contexts", 5, 5, 0);
	CF_OK(IPsecSaContextExpire0(h, a.id));
	s = cf_stats(h);
	EXPECT("after Expire0", 4, 5, 1);

	CF_OK(IPsecGetStatistics0(h, &v0));
	CF_CHECK(!memcmp(&v0.aggregateSaStatistics, &s.aggregateSaStatistics,
			 sizeof(v0.aggregateSaStatistics)),
		 "IPsecGetStatistics0 aggregate differs from version 1");

	cf_ctx_delete(h, &a);
	cf_ctx_delete(h, &b);
	s = cf_stats(h);
	EXPECT("after two deletions", 1, 5, 4);
	cf_ctx_delete(h, &c);
	s = cf_stats(h);
	EXPECT("everything deleted", 0, 5, 5);

	CF_CHECK_RC(IPsecGetStatistics1(h, NULL), FWP_E_NULL_POINTER,
		    "IPsecGetStatistics1(NULL)");
	CF_CHECK_RC(IPsecGetStatistics0(h, NULL), FWP_E_NULL_POINTER,
		    "IPsecGetStatistics0(NULL)");
	CF_OK(FwpmTransactionBegin0(h, 0));
	CF_CHECK_RC(IPsecGetStatistics1(h, &s), FWP_E_TXN_IN_PROGRESS,
		    "IPsecGetStatistics1 inside a transaction");
	CF_OK(FwpmTransactionAbort0(h));
#undef D
#undef EXPECT
	cf_close(h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(getbyid_fields),
		CF_TEST(getbyid_is_a_copy),
		CF_TEST(getbyid_null_out),
		CF_TEST(keys_never_returned),
		CF_TEST(enum_paging),
		CF_TEST(enum_snapshot),
		CF_TEST(enum_templates),
		CF_TEST(enum_template_invalid),
		CF_TEST(enum_handles),
		CF_TEST(sa_enum),
		CF_TEST(statistics),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.read", tests, NULL,
					   NULL);
}
