/* make_contexts.c - puts SA contexts into an engine for the fwpctl tests.
 *
 *   make_contexts create N         N mature contexts; prints their ids
 *   make_contexts churn            one context, created then deleted
 *   make_contexts larval           one context just created (no SPI, no SA)
 *   make_contexts policy           a provider and one filter; prints its id
 *   make_contexts probe            a provider {f7c71e59-...} added, deleted
 *   make_contexts wait-subscribers N
 *                                  waits (10 s at most) until the engine
 *                                  has N subscriptions
 *
 * Public API only, with whatever engine FWP_ENGINE selects (the tests use
 * the service). Contexts are installed the way strongSwan's kernel-wfp
 * backend does: Create1, SetSpi0, AddInbound0, AddOutbound0, with an
 * AES-GCM-128 bundle (key and salt given as both cipher and auth key).
 *
 * Context i of "create" (0-based): even i is IPv4, 192.0.2.1 ->
 * 198.51.100.(10+i); odd i is IPv6, 2001:db8::1 -> 2001:db8:ffff::(10+i);
 * inbound SPI 0xc0000101+i, outbound 0xc1000101+i; lifetime 3600 s;
 * context 0 gets NAT-T (UDP 4500->4500) afterwards, through GetById1 and
 * Update0. "churn" uses SPIs 0xd0000101/0xd1000101. The key bytes are
 * KEY_HEX below, so that a test can check fwpctl never prints them.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fwpmu.h>
#include <fwpx.h>

/* 4c80cdefbb5d10da906ac73c3613a6342e443b68 */
static const UINT8 key[20] = {
	0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
	0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68,
};

static int failed(const char *call, DWORD rc)
{
	const char *name = FwpxErrorName0(rc);

	fprintf(stderr, "make_contexts: %s: %s (0x%08x)\n", call, name ? name : "?",
		(unsigned)rc);
	return 1;
}

#define TRY(call) do { \
	DWORD rc_ = (call); \
	if (rc_ != ERROR_SUCCESS) \
		return failed(#call, rc_); \
} while (0)

struct bundle_parts {
	IPSEC_SA_BUNDLE0 bundle;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
};

static void make_bundle(struct bundle_parts *p, UINT32 spi, FWP_IP_VERSION v,
			UINT32 flags)
{
	memset(p, 0, sizeof(*p));
	p->info.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	p->info.saCipherInformation.cipherKey.size = sizeof(key);
	p->info.saCipherInformation.cipherKey.data = (UINT8 *)key;
	p->info.saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	p->info.saAuthInformation.authKey = p->info.saCipherInformation.cipherKey;
	p->sa.spi = spi;
	p->sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	p->sa.espAuthAndCipherInformation = &p->info;
	p->bundle.flags = flags;
	p->bundle.lifetime.lifetimeSeconds = 3600;
	p->bundle.numSAs = 1;
	p->bundle.saList = &p->sa;
	p->bundle.ipVersion = v;
}

static int install(HANDLE engine, const IPSEC_TRAFFIC1 *t, UINT32 spi_in,
		   UINT32 spi_out, UINT64 *id)
{
	IPSEC_GETSPI1 getspi;
	struct bundle_parts p;

	TRY(IPsecSaContextCreate1(engine, t, NULL, NULL, id));
	memset(&getspi, 0, sizeof(getspi));
	getspi.inboundIpsecTraffic = *t;
	getspi.ipVersion = t->ipVersion;
	TRY(IPsecSaContextSetSpi0(engine, *id, &getspi, spi_in));
	make_bundle(&p, spi_in, t->ipVersion, 0);
	TRY(IPsecSaContextAddInbound0(engine, *id, &p.bundle));
	make_bundle(&p, spi_out, t->ipVersion,
		    IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND);
	TRY(IPsecSaContextAddOutbound0(engine, *id, &p.bundle));
	return 0;
}

static void traffic(IPSEC_TRAFFIC1 *t, unsigned i)
{
	char remote[64];
	struct in_addr a4;
	UINT8 a6[16];

	memset(t, 0, sizeof(*t));
	t->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	if (i % 2 == 0) {
		t->ipVersion = FWP_IP_VERSION_V4;
		inet_pton(AF_INET, "192.0.2.1", &a4);
		t->localV4Address = ntohl(a4.s_addr);
		snprintf(remote, sizeof(remote), "198.51.100.%u", 10 + i);
		inet_pton(AF_INET, remote, &a4);
		t->remoteV4Address = ntohl(a4.s_addr);
		return;
	}
	/* IPv6 in traffic structs: the 16 bytes reversed. */
	t->ipVersion = FWP_IP_VERSION_V6;
	inet_pton(AF_INET6, "2001:db8::1", a6);
	for (int k = 0; k < 16; k++)
		t->localV6Address[k] = a6[15 - k];
	snprintf(remote, sizeof(remote), "2001:db8:ffff::%u", 10 + i);
	inet_pton(AF_INET6, remote, a6);
	for (int k = 0; k < 16; k++)
		t->remoteV6Address[k] = a6[15 - k];
}

static int nat_t(HANDLE engine, UINT64 id)
{
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_SA_CONTEXT1 *ctx;
	DWORD rc;

	TRY(IPsecSaContextGetById1(engine, id, &ctx));
	ctx->inboundSa->udpEncapsulation = &encap;
	ctx->outboundSa->udpEncapsulation = &encap;
	rc = IPsecSaContextUpdate0(engine, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx);
	FwpmFreeMemory0((void **)&ctx);
	if (rc != ERROR_SUCCESS)
		return failed("IPsecSaContextUpdate0", rc);
	return 0;
}

static int create(HANDLE engine, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		IPSEC_TRAFFIC1 t;
		UINT64 id;

		traffic(&t, i);
		if (install(engine, &t, 0xc0000101u + i, 0xc1000101u + i, &id))
			return 1;
		if (i == 0 && nat_t(engine, id))
			return 1;
		printf("%" PRIu64 "\n", id);
	}
	return 0;
}

static int churn(HANDLE engine)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;

	traffic(&t, 0);
	if (install(engine, &t, 0xd0000101u, 0xd1000101u, &id))
		return 1;
	TRY(IPsecSaContextDeleteById0(engine, id));
	printf("%" PRIu64 "\n", id);
	return 0;
}

static int larval(HANDLE engine)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;

	traffic(&t, 1);
	TRY(IPsecSaContextCreate1(engine, &t, NULL, NULL, &id));
	printf("%" PRIu64 "\n", id);
	return 0;
}

static int wait_subscribers(HANDLE engine, unsigned n)
{
	for (int tries = 0; tries < 1000; tries++) {
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 **subs = NULL;
		UINT32 count = 0;

		TRY(IPsecSaContextSubscriptionsGet0(engine, &subs, &count));
		FwpmFreeMemory0((void **)&subs);
		if (count >= n)
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000L }, NULL);
	}
	fprintf(stderr, "make_contexts: fewer than %u subscriptions after 10 s\n", n);
	return 1;
}

/* A change a policy monitor sees, to learn that it is subscribed. */
static int probe(HANDLE h)
{
	GUID probe_key = { 0xf7c71e59, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 12 } };
	FWPM_PROVIDER0 p = { .providerKey = probe_key, .displayData.name = L"fwpctl probe" };

	TRY(FwpmProviderAdd0(h, &p, NULL));
	TRY(FwpmProviderDeleteByKey0(h, &probe_key));
	return 0;
}

/* A static provider, a sublayer, a provider context, and one outbound
 * IPsec filter of them with two conditions (remote 198.51.100.0/24, UDP);
 * prints the filter's id, then the provider context's. */
static int policy(HANDLE h)
{
	GUID prov = { 0xf7c71e57, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };
	GUID sub = { 0xf7c71e58, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 11 } };
	FWPM_PROVIDER0 p = { .providerKey = prov, .displayData.name = L"fwpctl test provider" };
	FWPM_SUBLAYER0 sl = { .subLayerKey = sub, .displayData.name = L"fwpctl test sublayer",
			      .providerKey = &prov, .weight = 0x100 };
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 gcm = {
		.authTransform.authTransformId = IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128,
		.cipherTransform.cipherTransformId = IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128,
	};
	IPSEC_SA_TRANSFORM0 xf = { .ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
				   .espAuthAndCipherTransform = &gcm };
	IPSEC_PROPOSAL0 prop = { .lifetime.lifetimeSeconds = 3600, .numSaTransforms = 1,
				 .saTransforms = &xf };
	IPSEC_TRANSPORT_POLICY1 tp = { .numIpsecProposals = 1, .ipsecProposals = &prop };
	FWPM_PROVIDER_CONTEXT1 pc = { .displayData.name = L"fwpctl test context",
				      .providerKey = &prov,
				      .type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
				      .ikeQmTransportPolicy = &tp };
	FWP_V4_ADDR_AND_MASK net = { 0xC6336400, 0xFFFFFF00 };	/* 198.51.100.0/24 */
	FWPM_FILTER_CONDITION0 cond[2] = {
		{ .fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS, .matchType = FWP_MATCH_EQUAL,
		  .conditionValue = { .type = FWP_V4_ADDR_MASK, .v4AddrMask = &net } },
		{ .fieldKey = FWPM_CONDITION_IP_PROTOCOL, .matchType = FWP_MATCH_EQUAL,
		  .conditionValue = { .type = FWP_UINT8, .uint8 = 17 } },
	};
	FWPM_FILTER0 f;
	UINT64 id = 0, pcid = 0;

	memset(&f, 0, sizeof(f));
	f.displayData.name = L"fwpctl test filter";
	f.providerKey = &prov;
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.subLayerKey = sub;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	f.numFilterConditions = 2;
	f.filterCondition = cond;
	TRY(FwpmProviderAdd0(h, &p, NULL));
	TRY(FwpmSubLayerAdd0(h, &sl, NULL));
	TRY(FwpmProviderContextAdd1(h, &pc, NULL, &pcid));
	TRY(FwpmFilterAdd0(h, &f, NULL, &id));
	printf("%" PRIu64 "\n%" PRIu64 "\n", (uint64_t)id, (uint64_t)pcid);
	return 0;
}

int main(int argc, char **argv)
{
	HANDLE engine;
	int status;

	if (argc < 2 || (argc != 3 && strcmp(argv[1], "churn") && strcmp(argv[1], "larval") &&
			  strcmp(argv[1], "policy") && strcmp(argv[1], "probe"))) {
		fprintf(stderr, "usage: make_contexts create N | churn | larval | "
			"wait-subscribers N\n");
		return 2;
	}
	TRY(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &engine));
	if (!strcmp(argv[1], "create"))
		status = create(engine, (unsigned)strtoul(argv[2], NULL, 10));
	else if (!strcmp(argv[1], "churn"))
		status = churn(engine);
	else if (!strcmp(argv[1], "policy"))
		status = policy(engine);
	else if (!strcmp(argv[1], "larval"))
		status = larval(engine);
	else if (!strcmp(argv[1], "probe"))
		status = probe(engine);
	else if (!strcmp(argv[1], "wait-subscribers"))
		status = wait_subscribers(engine, (unsigned)strtoul(argv[2], NULL, 10));
	else
		status = 2;
	FwpmEngineClose0(engine);
	return status;
}
