/* keying_module.c - an example keying module for the SA-context API.
 *
 * It does what an IKE daemon does after a negotiation, with the calls
 * strongSwan's Windows backend makes: Create1 -> SetSpi0 -> AddInbound0 ->
 * AddOutbound0, then NAT-T switched on and the peer moved with
 * IPsecSaContextUpdate0 (GetById1, patch, Update0, FwpmFreeMemory0), while
 * a subscription reports every change; finally Expire0 and DeleteById0.
 * Each step prints the SA database as a table. Only fwpmu.h names are used,
 * plus fwpx.h for the extension events.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fwpmu.h>
#include <fwpx.h>

#define MAX_EVENTS 64

static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
static FWPX_SA_CONTEXT_EVENT0 event_log[MAX_EVENTS];
static unsigned nr_events;

static const char *result_name(DWORD rc)
{
	const char *n = FwpxErrorName0(rc);

	return n ? n : "unknown";
}

#define TRY(call) do { \
	DWORD rc_ = (call); \
	if (rc_ != ERROR_SUCCESS) { \
		fprintf(stderr, "%s failed: %s (0x%08x)\n", #call, \
			result_name(rc_), (unsigned)rc_); \
		return 1; \
	} \
} while (0)

static void CALLBACK on_event(void *ctx, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	pthread_mutex_lock(&event_lock);
	if (nr_events < MAX_EVENTS)
		event_log[nr_events++] = *ev;
	pthread_mutex_unlock(&event_lock);
}

static const char *event_name(UINT32 t)
{
	switch (t) {
	case FWPX_SA_CONTEXT_EVENT_ADD: return "ADD";
	case FWPX_SA_CONTEXT_EVENT_DELETE: return "DELETE";
	case FWPX_SA_CONTEXT_EVENT_UPDATE: return "UPDATE";
	case FWPX_SA_CONTEXT_EVENT_EXPIRE: return "EXPIRE";
	case FWPX_SA_CONTEXT_EVENT_DROPPED: return "DROPPED";
	default: return "?";
	}
}

static void flags_text(UINT64 f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s",
		 f & IPSEC_SA_DETAILS_UPDATE_TRAFFIC ? "TRAFFIC " : "",
		 f & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION ? "UDP_ENCAP " : "",
		 f & IPSEC_SA_BUNDLE_UPDATE_FLAGS ? "FLAGS " : "",
		 f & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT ? "NAP " : "",
		 f & IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE ? "KEYMOD " : "",
		 f & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS ? "PEER_PRIV " : "",
		 f & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID ? "MM_SA_ID " : "");
}

static void print_events(void)
{
	char flags[128];

	pthread_mutex_lock(&event_lock);
	printf("\n  %-4s %-8s %-8s %s\n", "#", "event", "context", "update flags");
	for (unsigned i = 0; i < nr_events; i++) {
		flags_text(event_log[i].updateFlags, flags, sizeof(flags));
		printf("  %-4u %-8s %-8llu %s\n", i + 1, event_name(event_log[i].eventType),
		       (unsigned long long)event_log[i].saContextId, flags);
	}
	pthread_mutex_unlock(&event_lock);
}

static void addr_text(const IPSEC_TRAFFIC1 *t, int local, char *buf, size_t len)
{
	if (t->ipVersion == FWP_IP_VERSION_V4) {
		struct in_addr a = { htonl(local ? t->localV4Address : t->remoteV4Address) };

		inet_ntop(AF_INET, &a, buf, (socklen_t)len);
	} else {
		/* IPv6 in traffic structs is byte-reversed (Windows convention). */
		const UINT8 *r = local ? t->localV6Address : t->remoteV6Address;
		UINT8 net[16];

		for (int i = 0; i < 16; i++)
			net[i] = r[15 - i];
		inet_ntop(AF_INET6, net, buf, (socklen_t)len);
	}
}

static const char *transform_text(const IPSEC_SA0 *sa)
{
	if (sa->saTransformType != IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER)
		return "other";
	switch (sa->espAuthAndCipherInformation->saCipherInformation
			.cipherTransform.cipherTransformId.cipherConfig) {
	case IPSEC_CIPHER_CONFIG_GCM_AES_128: return "esp aes-gcm-128";
	case IPSEC_CIPHER_CONFIG_GCM_AES_256: return "esp aes-gcm-256";
	case IPSEC_CIPHER_CONFIG_CBC_AES_128: return "esp aes-cbc-128";
	default: return "esp other";
	}
}

static void print_details(const char *dir, const IPSEC_SA_DETAILS1 *d, UINT64 id)
{
	char local[64], remote[64], encap[32] = "-";
	const IPSEC_SA0 *sa = &d->saBundle.saList[0];
	const FWP_BYTE_BLOB *key = &sa->espAuthAndCipherInformation
					    ->saCipherInformation.cipherKey;

	addr_text(&d->traffic, 1, local, sizeof(local));
	addr_text(&d->traffic, 0, remote, sizeof(remote));
	if (d->udpEncapsulation)
		snprintf(encap, sizeof(encap), "udp %u->%u",
			 d->udpEncapsulation->localUdpEncapPort,
			 d->udpEncapsulation->remoteUdpEncapPort);
	printf("  %-4llu %-4s 0x%08x %-16s %-24s %-24s %-16s %-6u %s\n",
	       (unsigned long long)id, dir, sa->spi, transform_text(sa), local, remote,
	       encap, d->saBundle.lifetime.lifetimeSeconds,
	       key->size ? "LEAKED" : "(hidden)");
}

static int print_table(HANDLE engine, const char *title)
{
	HANDLE eh;
	IPSEC_SA_CONTEXT1 **entries;
	UINT32 n;

	printf("\n== %s\n", title);
	printf("  %-4s %-4s %-10s %-16s %-24s %-24s %-16s %-6s %s\n", "id", "dir",
	       "spi", "transform", "local", "remote", "nat-t", "life", "keys");
	TRY(IPsecSaContextCreateEnumHandle0(engine, NULL, &eh));
	do {
		TRY(IPsecSaContextEnum1(engine, eh, 16, &entries, &n));
		for (UINT32 i = 0; i < n; i++) {
			IPSEC_SA_CONTEXT1 *c = entries[i];

			if (c->inboundSa)
				print_details("in", c->inboundSa, c->saContextId);
			if (c->outboundSa)
				print_details("out", c->outboundSa, c->saContextId);
			if (!c->inboundSa && !c->outboundSa)
				printf("  %-4llu (no SA yet)\n",
				       (unsigned long long)c->saContextId);
		}
		FwpmFreeMemory0((void **)&entries);
	} while (n == 16);
	TRY(IPsecSaContextDestroyEnumHandle0(engine, eh));
	return 0;
}

static const UINT8 key_material[2][20] = {
	{ 0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
	  0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68 },
	{ 0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a,
	  0x8f, 0x94, 0x67, 0x30, 0x83, 0x08, 0xca, 0xfe, 0xba, 0xbe },
};

struct bundle_parts {
	IPSEC_SA_BUNDLE0 bundle;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
};

/* AES-GCM-128: the key+salt blob is given as both cipher and auth key,
 * as Windows clients do. */
static void make_bundle(struct bundle_parts *p, UINT32 spi, const UINT8 *key,
			FWP_IP_VERSION v, UINT32 flags)
{
	memset(p, 0, sizeof(*p));
	p->info.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	p->info.saCipherInformation.cipherKey.size = 20;
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

/* The strongSwan kernel-wfp install sequence for one CHILD_SA. */
static int install(HANDLE engine, const IPSEC_TRAFFIC1 *traffic, UINT32 spi_in,
		   UINT32 spi_out, UINT64 *id)
{
	IPSEC_GETSPI1 getspi;
	struct bundle_parts p;

	TRY(IPsecSaContextCreate1(engine, traffic, NULL, NULL, id));
	memset(&getspi, 0, sizeof(getspi));
	getspi.inboundIpsecTraffic = *traffic;
	getspi.ipVersion = traffic->ipVersion;
	TRY(IPsecSaContextSetSpi0(engine, *id, &getspi, spi_in));
	make_bundle(&p, spi_in, key_material[0], traffic->ipVersion, 0);
	TRY(IPsecSaContextAddInbound0(engine, *id, &p.bundle));
	make_bundle(&p, spi_out, key_material[1], traffic->ipVersion,
		    IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND);
	TRY(IPsecSaContextAddOutbound0(engine, *id, &p.bundle));
	return 0;
}

static UINT32 v4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void v6(const char *s, UINT8 out[16])
{
	UINT8 net[16];

	inet_pton(AF_INET6, s, net);
	for (int i = 0; i < 16; i++)
		out[i] = net[15 - i];
}

int main(void)
{
	FWPM_SESSION0 session;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	IPSEC_TRAFFIC1 t4, t6;
	IPSEC_SA_CONTEXT1 *ctx;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_STATISTICS1 stats;
	HANDLE engine, events;
	UINT64 id4, id6;
	UINT32 drain;

	memset(&session, 0, sizeof(session));
	session.displayData.name = L"example keying module";
	TRY(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &engine));
	memset(&sub, 0, sizeof(sub));
	TRY(FwpxSaContextSubscribe0(engine, &sub, FWPX_EVENT_MASK_ALL, on_event,
				    NULL, &events));
	printf("engine open (FWP_ENGINE=%s); subscribed to all SA-context events\n",
	       getenv("FWP_ENGINE") ? getenv("FWP_ENGINE") : "auto");

	memset(&t4, 0, sizeof(t4));
	t4.ipVersion = FWP_IP_VERSION_V4;
	t4.localV4Address = v4("192.0.2.1");
	t4.remoteV4Address = v4("198.51.100.7");
	t4.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	if (install(engine, &t4, 0xc0000101, 0xc1000101, &id4))
		return 1;
	memset(&t6, 0, sizeof(t6));
	t6.ipVersion = FWP_IP_VERSION_V6;
	v6("2001:db8::1", t6.localV6Address);
	v6("2001:db8:ffff::7", t6.remoteV6Address);
	t6.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	if (install(engine, &t6, 0xc0000202, 0xc1000202, &id6))
		return 1;
	if (print_table(engine, "two SA pairs installed (Create1, SetSpi0, AddInbound0, AddOutbound0)"))
		return 1;

	/* NAT detected: retrofit UDP encapsulation, strongSwan style. */
	TRY(IPsecSaContextGetById1(engine, id4, &ctx));
	ctx->inboundSa->udpEncapsulation = &encap;
	ctx->outboundSa->udpEncapsulation = &encap;
	TRY(IPsecSaContextUpdate0(engine, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx));
	FwpmFreeMemory0((void **)&ctx);
	if (print_table(engine, "NAT-T switched on for context 1 (Update0 UDP_ENCAPSULATION)"))
		return 1;

	/* MOBIKE: the peer moved behind a NAT that maps it to a new address. */
	TRY(IPsecSaContextGetById1(engine, id4, &ctx));
	ctx->inboundSa->traffic.remoteV4Address = v4("203.0.113.99");
	ctx->outboundSa->traffic.remoteV4Address = v4("203.0.113.99");
	encap.remoteUdpEncapPort = 31337;
	ctx->inboundSa->udpEncapsulation = &encap;
	ctx->outboundSa->udpEncapsulation = &encap;
	TRY(IPsecSaContextUpdate0(engine, IPSEC_SA_DETAILS_UPDATE_TRAFFIC |
				  IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, ctx));
	FwpmFreeMemory0((void **)&ctx);
	if (print_table(engine, "peer moved to 203.0.113.99:31337 (Update0 TRAFFIC|UDP_ENCAPSULATION)"))
		return 1;

	TRY(IPsecGetStatistics1(engine, &stats));
	printf("\n== statistics: %u active SAs, %u added, %u deleted\n",
	       stats.aggregateSaStatistics.activeSas,
	       stats.aggregateSaStatistics.totalSasAdded,
	       stats.aggregateSaStatistics.totalSasDeleted);

	/* Rekeyed: expire the old pair; the inbound SA drains, then goes. */
	TRY(FwpxEngineGetExpireDrain0(engine, &drain));
	TRY(FwpxEngineSetExpireDrain0(engine, 300));
	TRY(IPsecSaContextExpire0(engine, id6));
	if (print_table(engine, "context 2 expired: outbound removed, inbound draining (300 ms here)"))
		return 1;
	nanosleep(&(struct timespec){ .tv_nsec = 600 * 1000000L }, NULL);
	if (print_table(engine, "drain over: context 2 gone"))
		return 1;
	TRY(FwpxEngineSetExpireDrain0(engine, drain));

	TRY(IPsecSaContextDeleteById0(engine, id4));
	if (print_table(engine, "context 1 deleted"))
		return 1;

	/* Events arrive on the library's callback thread: let it catch up. */
	for (unsigned seen = ~0u, i = 0; i < 100; i++) {
		unsigned now;

		pthread_mutex_lock(&event_lock);
		now = nr_events;
		pthread_mutex_unlock(&event_lock);
		if (now == seen)
			break;
		seen = now;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000L }, NULL);
	}
	TRY(IPsecSaContextUnsubscribe0(engine, events));
	printf("\n== events seen by the subscription, in order");
	print_events();
	TRY(FwpmEngineClose0(engine));
	return 0;
}
