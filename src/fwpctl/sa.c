/* sa.c - the "sa" object: list, show, delete and expire SA contexts, and
 * read their counters.
 *
 * list enumerates every context in pages of SA_PAGE and prints one table
 * line per live direction (a context without SAs yet gets one line of
 * dashes); show prints everything IPsecSaContextGetById1 returns. With -j
 * both print the same objects (list as an array), so a script can use
 * either. Key blobs print as "(hidden)", whatever they hold: the API
 * returns them empty, and fwpctl would not print key bytes if it did not.
 * counters prints FwpxSaContextGetCounters0 for both directions.
 *
 * list also selects (spi SPI, peer ADDR), adds the state and each SA's
 * counters in human units (-s), and repeats (--watch SECONDS [--count N]);
 * flush deletes every context.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "table.h"

#define SA_PAGE 256
#define HIDDEN "(hidden)"

/* What "sa list" selects and adds. */
struct list_opts {
	bool by_spi, by_peer, stats;
	UINT32 spi;
	char peer[FMT_ADDR_LEN];	/* as fmt_traffic_address writes it */
	unsigned long watch_ms, count;
};

/* All the pages of one enumeration, kept until printed. */
struct sa_pages {
	IPSEC_SA_CONTEXT1 ***page;
	UINT32 *count;
	size_t n, cap;
};

static int pages_add(struct sa_pages *p, IPSEC_SA_CONTEXT1 **entries, UINT32 n)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		IPSEC_SA_CONTEXT1 ***page = realloc(p->page, cap * sizeof(*page));
		UINT32 *count;

		if (!page)
			return -ENOMEM;
		p->page = page;
		count = realloc(p->count, cap * sizeof(*count));
		if (!count)
			return -ENOMEM;
		p->count = count;
		p->cap = cap;
	}
	p->page[p->n] = entries;
	p->count[p->n] = n;
	p->n++;
	return 0;
}

static void pages_free(struct sa_pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		FwpmFreeMemory0((void **)&p->page[i]);
	free(p->page);
	free(p->count);
}

static DWORD enum_all(HANDLE engine, struct sa_pages *p)
{
	HANDLE eh;
	DWORD rc, rc_destroy;

	rc = IPsecSaContextCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return rc;
	for (;;) {
		IPSEC_SA_CONTEXT1 **entries = NULL;
		UINT32 n = 0;

		rc = IPsecSaContextEnum1(engine, eh, SA_PAGE, &entries, &n);
		if (rc != ERROR_SUCCESS)
			break;
		if (!n) {
			FwpmFreeMemory0((void **)&entries);
			break;
		}
		if (pages_add(p, entries, n)) {
			FwpmFreeMemory0((void **)&entries);
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		if (n < SA_PAGE)
			break;
	}
	rc_destroy = IPsecSaContextDestroyEnumHandle0(engine, eh);
	return rc != ERROR_SUCCESS ? rc : rc_destroy;
}

/* An enum value: its word, or the number when this version has none. */
static void doc_enum(struct doc *d, const char *name, const char *word, unsigned v)
{
	char buf[24];

	if (!word) {
		snprintf(buf, sizeof(buf), "unknown-%u", v);
		word = buf;
	}
	doc_str(d, name, word);
}

static void doc_guid(struct doc *d, const char *name, const GUID *g)
{
	char buf[FMT_ADDR_LEN];

	doc_str(d, name, fmt_guid(g, buf, sizeof(buf)));
}

static void doc_flags(struct doc *d, const char *name, const struct fmt_flag *table,
		      UINT64 flags)
{
	doc_array_begin(d, name);
	for (unsigned i = 0; i < 64; i++) {
		UINT64 bit = 1ULL << i;
		const char *word;
		char hex[24];

		if (!(flags & bit))
			continue;
		word = fmt_flag_name(table, bit);
		if (!word) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, bit);
			word = hex;
		}
		doc_str(d, NULL, word);
	}
	doc_array_end(d);
}

static void emit_traffic(struct doc *d, const IPSEC_TRAFFIC1 *t)
{
	char buf[FMT_ADDR_LEN];

	doc_object_begin(d, "traffic");
	doc_enum(d, "ip_version", fmt_ip_version(t->ipVersion), t->ipVersion);
	doc_str(d, "local_address", fmt_traffic_address(t, true, false, buf, sizeof(buf)));
	doc_str(d, "remote_address", fmt_traffic_address(t, false, false, buf, sizeof(buf)));
	doc_enum(d, "mode", fmt_mode(t->trafficType), t->trafficType);
	if (t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL)
		doc_uint(d, "tunnel_policy_id", t->tunnelPolicyId);
	else
		doc_uint(d, "ipsec_filter_id", t->ipsecFilterId);
	doc_uint(d, "local_port", t->localPort);
	doc_uint(d, "remote_port", t->remotePort);
	doc_uint(d, "ip_protocol", t->ipProtocol);
	doc_uint(d, "local_if_luid", t->localIfLuid);
	doc_uint(d, "real_if_profile_id", t->realIfProfileId);
	doc_object_end(d);
}

static void emit_auth(struct doc *d, const IPSEC_SA_AUTH_INFORMATION0 *a)
{
	const IPSEC_AUTH_TRANSFORM_ID0 *id = &a->authTransform.authTransformId;

	doc_object_begin(d, "auth");
	doc_enum(d, "algorithm", fmt_auth(id->authConfig), id->authConfig);
	doc_enum(d, "type", fmt_auth_type(id->authType), id->authType);
	doc_uint(d, "config", id->authConfig);
	doc_str(d, "key", HIDDEN);
	doc_object_end(d);
}

static void emit_cipher(struct doc *d, const IPSEC_SA_CIPHER_INFORMATION0 *c)
{
	const IPSEC_CIPHER_TRANSFORM_ID0 *id = &c->cipherTransform.cipherTransformId;

	doc_object_begin(d, "cipher");
	doc_enum(d, "algorithm", fmt_cipher(id->cipherConfig), id->cipherConfig);
	doc_enum(d, "type", fmt_cipher_type(id->cipherType), id->cipherType);
	doc_uint(d, "config", id->cipherConfig);
	doc_str(d, "key", HIDDEN);
	doc_object_end(d);
}

static void emit_sa(struct doc *d, const IPSEC_SA0 *sa)
{
	char buf[FMT_XFORM_LEN];

	doc_object_begin(d, "sa");
	doc_hex32(d, "spi", sa->spi);
	doc_str(d, "transform", fmt_sa_transform(sa, buf, sizeof(buf)));
	doc_enum(d, "transform_type", fmt_transform_type(sa->saTransformType),
		 sa->saTransformType);
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		if (sa->espAuthInformation)
			emit_auth(d, sa->espAuthInformation);
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		if (sa->espCipherInformation)
			emit_cipher(d, sa->espCipherInformation);
		break;
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		if (sa->espAuthAndCipherInformation) {
			emit_cipher(d, &sa->espAuthAndCipherInformation->saCipherInformation);
			emit_auth(d, &sa->espAuthAndCipherInformation->saAuthInformation);
		}
		break;
	default:
		break;
	}
	doc_object_end(d);
}

/* Names hold at most 1024 characters (docs/CONTRACT.md). */
#define NAME_LEN (4 * 1024 + 1)

static void emit_ipsec_id(struct doc *d, const IPSEC_ID0 *id)
{
	char buf[NAME_LEN];

	if (!id) {
		doc_null(d, "ipsec_id");
		return;
	}
	doc_object_begin(d, "ipsec_id");
	if (id->mmTargetName)
		doc_str(d, "mm_target_name", fmt_wstr(id->mmTargetName, buf, sizeof(buf)));
	else
		doc_null(d, "mm_target_name");
	if (id->emTargetName)
		doc_str(d, "em_target_name", fmt_wstr(id->emTargetName, buf, sizeof(buf)));
	else
		doc_null(d, "em_target_name");
	doc_array_begin(d, "tokens");
	for (UINT32 i = 0; id->tokens && i < id->numTokens; i++) {
		const IPSEC_TOKEN0 *t = &id->tokens[i];

		doc_object_begin(d, "token");
		doc_enum(d, "type", fmt_token_type(t->type), t->type);
		doc_enum(d, "principal", fmt_token_principal(t->principal), t->principal);
		doc_enum(d, "mode", fmt_token_mode(t->mode), t->mode);
		doc_uint(d, "token", t->token);
		doc_object_end(d);
	}
	doc_array_end(d);
	doc_uint(d, "explicit_credentials", id->explicitCredentials);
	doc_uint(d, "logon_id", id->logonId);
	doc_object_end(d);
}

static void emit_bundle(struct doc *d, const IPSEC_SA_BUNDLE1 *b)
{
	char buf[FMT_ADDR_LEN];

	doc_object_begin(d, "bundle");
	doc_flags(d, "flags", fmt_bundle_flags, b->flags);
	doc_object_begin(d, "lifetime");
	doc_uint(d, "seconds", b->lifetime.lifetimeSeconds);
	doc_uint(d, "kilobytes", b->lifetime.lifetimeKilobytes);
	doc_uint(d, "packets", b->lifetime.lifetimePackets);
	doc_object_end(d);
	doc_uint(d, "idle_timeout_seconds", b->idleTimeoutSeconds);
	doc_uint(d, "nd_allow_clear_timeout_seconds", b->ndAllowClearTimeoutSeconds);
	emit_ipsec_id(d, b->ipsecId);
	doc_uint(d, "nap_context", b->napContext);
	doc_uint(d, "qm_sa_id", b->qmSaId);
	doc_array_begin(d, "sas");
	for (UINT32 i = 0; b->saList && i < b->numSAs; i++)
		emit_sa(d, &b->saList[i]);
	doc_array_end(d);
	if (b->keyModuleState) {
		/* Opaque to fwpctl, and possibly secret to its owner: only
		 * its size is shown. */
		doc_object_begin(d, "key_module_state");
		doc_guid(d, "key_module_key", &b->keyModuleState->keyModuleKey);
		doc_uint(d, "state_bytes", b->keyModuleState->stateBlob.size);
		doc_object_end(d);
	} else {
		doc_null(d, "key_module_state");
	}
	doc_enum(d, "ip_version", fmt_ip_version(b->ipVersion), b->ipVersion);
	if (b->ipVersion == FWP_IP_VERSION_V4 && b->peerV4PrivateAddress)
		doc_str(d, "peer_v4_private_address",
			fmt_v4(b->peerV4PrivateAddress, buf, sizeof(buf)));
	else
		doc_null(d, "peer_v4_private_address");
	doc_uint(d, "mm_sa_id", b->mmSaId);
	doc_enum(d, "pfs_group", fmt_pfs_group(b->pfsGroup), b->pfsGroup);
	doc_guid(d, "sa_lookup_context", &b->saLookupContext);
	doc_uint(d, "qm_filter_id", b->qmFilterId);
	doc_object_end(d);
}

static void emit_details(struct doc *d, const char *name, const IPSEC_SA_DETAILS1 *x)
{
	char buf[FMT_XFORM_LEN];

	if (!x) {
		doc_null(d, name);
		return;
	}
	doc_object_begin(d, name);
	doc_enum(d, "direction", fmt_direction(x->saDirection), x->saDirection);
	doc_enum(d, "ip_version", fmt_ip_version(x->ipVersion), x->ipVersion);
	/* The first SA's SPI and the whole transform, for a quick look. */
	if (x->saBundle.saList && x->saBundle.numSAs)
		doc_hex32(d, "spi", x->saBundle.saList[0].spi);
	else
		doc_null(d, "spi");
	doc_str(d, "transform", fmt_bundle_transform(&x->saBundle, buf, sizeof(buf)));
	emit_traffic(d, &x->traffic);
	if (x->udpEncapsulation) {
		doc_object_begin(d, "udp_encapsulation");
		doc_uint(d, "local_port", x->udpEncapsulation->localUdpEncapPort);
		doc_uint(d, "remote_port", x->udpEncapsulation->remoteUdpEncapPort);
		doc_object_end(d);
	} else {
		doc_null(d, "udp_encapsulation");
	}
	emit_bundle(d, &x->saBundle);
	if (x->transportFilter) {
		doc_object_begin(d, "transport_filter");
		doc_uint(d, "filter_id", x->transportFilter->filterId);
		doc_guid(d, "filter_key", &x->transportFilter->filterKey);
		doc_object_end(d);
	} else {
		doc_null(d, "transport_filter");
	}
	doc_object_begin(d, "virtual_if_tunnel");
	doc_uint(d, "virtual_if_tunnel_id", x->virtualIfTunnelInfo.virtualIfTunnelId);
	doc_uint(d, "traffic_selector_id", x->virtualIfTunnelInfo.trafficSelectorId);
	doc_object_end(d);
	doc_object_end(d);
}

/* What fwpctl adds to a context beyond GetById: FwpxSaContextGetInfo0
 * (state, times, creator), and with -s or counters each SA's counters. */
struct ctx_extra {
	bool have_info, have_counters;
	FWPX_SA_CONTEXT_INFO0 info;
	FWPX_SA_COUNTERS0 cnt[2];	/* inbound, outbound */
};

static void read_extra(HANDLE engine, UINT64 id, bool counters, struct ctx_extra *x)
{
	memset(x, 0, sizeof(*x));
	x->have_info = FwpxSaContextGetInfo0(engine, id, &x->info) == ERROR_SUCCESS;
	x->have_counters = counters &&
		FwpxSaContextGetCounters0(engine, id, &x->cnt[0], &x->cnt[1]) == ERROR_SUCCESS;
}

/* The engine's state; without it (a context gone meanwhile), what GetById
 * shows: no SA yet, both, or the inbound one alone. */
static const char *context_state(const IPSEC_SA_CONTEXT1 *c, const struct ctx_extra *x)
{
	static const char *const words[] = {
		[FWPX_SA_CONTEXT_STATE_CREATED] = "larval",
		[FWPX_SA_CONTEXT_STATE_SPI_SET] = "larval",
		[FWPX_SA_CONTEXT_STATE_INBOUND] = "inbound",
		[FWPX_SA_CONTEXT_STATE_MATURE] = "mature",
		[FWPX_SA_CONTEXT_STATE_EXPIRING] = "expiring",
	};

	if (x && x->have_info && x->info.state <= FWPX_SA_CONTEXT_STATE_EXPIRING)
		return words[x->info.state];
	if (c->inboundSa && c->outboundSa)
		return "mature";
	return c->inboundSa ? "inbound" : "larval";
}

static UINT64 left(UINT64 deadline, UINT64 now)
{
	return deadline > now ? deadline - now : 0;
}

static void emit_counters(struct doc *d, const char *name, const FWPX_SA_COUNTERS0 *c,
			  UINT64 now);

/* Lifetime left of one direction: time from its deadline, kilobytes and
 * packets from its bundle's limits less its counters (when read). */
static void emit_left(struct doc *d, const char *name, const IPSEC_SA_DETAILS1 *sa,
		      UINT64 deadline, const struct ctx_extra *x, int dir)
{
	const IPSEC_SA_LIFETIME0 *l;

	if (!sa)
		return;
	l = &sa->saBundle.lifetime;
	doc_object_begin(d, name);
	if (deadline)
		doc_uint(d, "ms", left(deadline, x->info.nowMs));
	else
		doc_null(d, "ms");
	if (l->lifetimeKilobytes && x->have_counters) {
		UINT64 used = x->cnt[dir].bytes / 1024;

		doc_uint(d, "kilobytes", used < l->lifetimeKilobytes ?
			 l->lifetimeKilobytes - used : 0);
	} else {
		doc_null(d, "kilobytes");
	}
	if (l->lifetimePackets && x->have_counters)
		doc_uint(d, "packets", x->cnt[dir].packets < l->lifetimePackets ?
			 l->lifetimePackets - x->cnt[dir].packets : 0);
	else
		doc_null(d, "packets");
	doc_object_end(d);
}

/* The engine's view: state, age, drain and lifetime left, creator. */
static void emit_info(struct doc *d, const IPSEC_SA_CONTEXT1 *c, const struct ctx_extra *x)
{
	const FWPX_SA_CONTEXT_INFO0 *i = &x->info;
	char key[FMT_ADDR_LEN];

	doc_uint(d, "age_ms", left(i->nowMs, i->createdMs));
	if (i->state == FWPX_SA_CONTEXT_STATE_EXPIRING)
		doc_uint(d, "drain_left_ms", left(i->drainDeadlineMs, i->nowMs));
	else
		doc_null(d, "drain_left_ms");
	doc_object_begin(d, "lifetime_left");
	emit_left(d, "inbound", c->inboundSa, i->inboundHardDeadlineMs, x, 0);
	emit_left(d, "outbound", c->outboundSa, i->outboundHardDeadlineMs, x, 1);
	doc_object_end(d);
	doc_object_begin(d, "creator");
	doc_uint(d, "pid", i->creatorPid);
	doc_uint(d, "uid", i->creatorUid);
	doc_str(d, "session", fmt_guid(&i->creatorSessionKey, key, sizeof(key)));
	doc_object_end(d);
}

/* x: what fwpctl read besides GetById, or NULL. */
static void emit_context_counted(struct doc *d, const IPSEC_SA_CONTEXT1 *c,
				 const struct ctx_extra *x, UINT64 now)
{
	doc_object_begin(d, NULL);
	doc_uint(d, "id", c->saContextId);
	doc_str(d, "state", context_state(c, x));
	if (x && x->have_info)
		emit_info(d, c, x);
	emit_details(d, "inbound", c->inboundSa);
	emit_details(d, "outbound", c->outboundSa);
	if (x && x->have_counters) {
		doc_object_begin(d, "counters");
		emit_counters(d, "inbound", &x->cnt[0], now);
		emit_counters(d, "outbound", &x->cnt[1], now);
		doc_object_end(d);
	}
	doc_object_end(d);
}

static const struct table_column list_columns[] = {
	{ "id", true }, { "dir", false }, { "spi", false }, { "transform", false },
	{ "mode", false }, { "local", false }, { "remote", false },
	{ "nat-t", false }, { "life(s)", true }, { "flags", false },
	/* -s */
	{ "state", false }, { "age", true }, { "left", true }, { "packets", true },
	{ "bytes", true }, { "idle", true },
};
#define LIST_COLUMNS 10
#define STATS_COLUMNS 6

static UINT64 monotonic_ms(void);

/* 1023, 1.0K, 12.3M, 4.0G: powers of 1024, as ip -h does. */
static char *human(UINT64 v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
	while (x >= 1024 && u < 5) {
		x /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", x, units[u]);
	return buf;
}

/* 350ms, 12s, 5m03s, 2h04m, 3d02h. */
static char *human_duration(UINT64 ms, char *buf, size_t len)
{
	UINT64 s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* Since last: a duration, or "never" for 0. */
static char *human_ms(UINT64 last, UINT64 now, char *buf, size_t len)
{
	if (!last) {
		snprintf(buf, len, "never");
		return buf;
	}
	return human_duration(now > last ? now - last : 0, buf, len);
}

/* What is left of this direction in time: its drain when expiring, else
 * its seconds lifetime; NULL when neither applies. */
static const char *time_left(const struct ctx_extra *x, bool outbound, char *buf, size_t len)
{
	const FWPX_SA_CONTEXT_INFO0 *i = &x->info;
	UINT64 deadline;

	if (!x->have_info)
		return NULL;
	if (i->state == FWPX_SA_CONTEXT_STATE_EXPIRING && !outbound)
		deadline = i->drainDeadlineMs;
	else
		deadline = outbound ? i->outboundHardDeadlineMs : i->inboundHardDeadlineMs;
	return deadline ? human_duration(left(deadline, i->nowMs), buf, len) : NULL;
}

/* e: what -s read, else NULL. */
static int list_row(struct table *t, const IPSEC_SA_CONTEXT1 *ctx, const char *dir,
		    const IPSEC_SA_DETAILS1 *x, const struct ctx_extra *e, UINT64 now)
{
	char sid[24], spi[16], xform[FMT_XFORM_LEN], local[FMT_ADDR_LEN],
	     remote[FMT_ADDR_LEN], natt[32], life[16], flags[512], pk[16], by[16],
	     idle[24], age[24], tl[24];
	bool outbound = x && x == ctx->outboundSa;
	const FWPX_SA_COUNTERS0 *c = e && e->have_counters ? &e->cnt[outbound] : NULL;
	const char *cells[LIST_COLUMNS + STATS_COLUMNS] = { sid, dir };

	snprintf(sid, sizeof(sid), "%" PRIu64, ctx->saContextId);
	if (x) {
		const IPSEC_SA_BUNDLE1 *b = &x->saBundle;

		if (b->saList && b->numSAs)
			snprintf(spi, sizeof(spi), "0x%08x", b->saList[0].spi);
		else
			snprintf(spi, sizeof(spi), "-");
		snprintf(life, sizeof(life), "%u", b->lifetime.lifetimeSeconds);
		cells[2] = spi;
		cells[3] = fmt_bundle_transform(b, xform, sizeof(xform));
		cells[4] = fmt_mode(x->traffic.trafficType);
		cells[5] = fmt_traffic_address(&x->traffic, true, true, local, sizeof(local));
		cells[6] = fmt_traffic_address(&x->traffic, false, true, remote, sizeof(remote));
		cells[7] = fmt_natt(x->udpEncapsulation, natt, sizeof(natt));
		cells[8] = b->lifetime.lifetimeSeconds ? life : NULL;
		cells[9] = fmt_flags(fmt_bundle_flags, b->flags, ",", flags, sizeof(flags));
	}
	if (!e)
		return table_add(t, cells);
	cells[10] = context_state(ctx, e);
	if (e->have_info)
		cells[11] = human_duration(left(e->info.nowMs, e->info.createdMs), age, sizeof(age));
	if (x)
		cells[12] = time_left(e, outbound, tl, sizeof(tl));
	if (x && c) {
		cells[13] = human(c->packets, pk, sizeof(pk));
		cells[14] = human(c->bytes, by, sizeof(by));
		cells[15] = human_ms(c->lastUseMs, now, idle, sizeof(idle));
	}
	return table_add(t, cells);
}

static bool details_match(const IPSEC_SA_DETAILS1 *x, const struct list_opts *o)
{
	char peer[FMT_ADDR_LEN];
	bool spi_ok = !o->by_spi;

	if (!x)
		return false;
	for (UINT32 i = 0; i < x->saBundle.numSAs && x->saBundle.saList && !spi_ok; i++)
		spi_ok = x->saBundle.saList[i].spi == o->spi;
	return spi_ok && (!o->by_peer ||
		!strcmp(fmt_traffic_address(&x->traffic, false, false, peer, sizeof(peer)),
			o->peer));
}

static bool context_match(const IPSEC_SA_CONTEXT1 *c, const struct list_opts *o)
{
	if (!o->by_spi && !o->by_peer)
		return true;
	return details_match(c->inboundSa, o) || details_match(c->outboundSa, o);
}

static int print_table(HANDLE engine, const struct sa_pages *p, const struct list_opts *o)
{
	struct table *t = table_new(list_columns, LIST_COLUMNS + (o->stats ? STATS_COLUMNS : 0));
	UINT64 now = monotonic_ms();
	int err = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < p->n && !err; i++) {
		for (UINT32 k = 0; k < p->count[i] && !err; k++) {
			const IPSEC_SA_CONTEXT1 *c = p->page[i][k];
			struct ctx_extra x, *e = o->stats ? &x : NULL;

			if (!context_match(c, o))
				continue;
			if (e)
				read_extra(engine, c->saContextId, true, e);
			if (c->inboundSa)
				err = list_row(t, c, "in", c->inboundSa, e, now);
			if (!err && c->outboundSa)
				err = list_row(t, c, "out", c->outboundSa, e, now);
			if (!err && !c->inboundSa && !c->outboundSa)
				err = list_row(t, c, NULL, NULL, e, now);
		}
	}
	if (!err && table_rows(t))
		table_print(t, stdout);
	table_free(t);
	return err;
}

static int print_json(const struct ctl *ctl, HANDLE engine, const struct sa_pages *p,
		      const struct list_opts *o)
{
	UINT64 now = monotonic_ms();
	struct doc d;

	/* Watching: one document per line (JSON Lines), as monitor writes. */
	doc_init(&d, stdout, true, ctl->pretty && !o->watch_ms);
	doc_array_begin(&d, NULL);
	for (size_t i = 0; i < p->n; i++) {
		for (UINT32 k = 0; k < p->count[i]; k++) {
			const IPSEC_SA_CONTEXT1 *c = p->page[i][k];
			struct ctx_extra x;

			if (!context_match(c, o))
				continue;
			/* Two more calls per context: only when asked (-s). */
			if (o->stats)
				read_extra(engine, c->saContextId, true, &x);
			emit_context_counted(&d, c, o->stats ? &x : NULL, now);
		}
	}
	doc_array_end(&d);
	return doc_end(&d);
}

static int parse_list(int argc, char **argv, struct list_opts *o)
{
	unsigned char bin[16];
	char *end;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "-s") || !strcmp(w, "--stats")) {
			o->stats = true;
			continue;
		}
		if (strcmp(w, "spi") && strcmp(w, "peer") && strcmp(w, "--watch") &&
		    strcmp(w, "--count"))
			return ctl_usage("sa list: unexpected argument '%s'", w);
		if (!v)
			return ctl_usage("sa list: %s needs a value", w);
		i++;
		if (!strcmp(w, "spi")) {
			unsigned long long spi;

			errno = 0;
			spi = strtoull(v, &end, 0);
			if (*v < '0' || *v > '9' || errno || *end || spi > UINT32_MAX)
				return ctl_usage("sa list: '%s' is not an SPI", v);
			o->by_spi = true;
			o->spi = (UINT32)spi;
		} else if (!strcmp(w, "peer")) {
			/* Written back the way the table prints addresses. */
			if (inet_pton(AF_INET, v, bin) == 1)
				inet_ntop(AF_INET, bin, o->peer, sizeof(o->peer));
			else if (inet_pton(AF_INET6, v, bin) == 1)
				inet_ntop(AF_INET6, bin, o->peer, sizeof(o->peer));
			else
				return ctl_usage("sa list: '%s' is not an IP address", v);
			o->by_peer = true;
		} else if (!strcmp(w, "--watch")) {
			if (ctl_parse_timeout(v, &o->watch_ms) || o->watch_ms < 100)
				return ctl_usage("sa list: --watch '%s': seconds, 0.1 to 3600", v);
		} else if (ctl_parse_count(v, &o->count)) {
			return ctl_usage("sa list: '%s' is not a count (1 or more)", v);
		}
	}
	if (o->count && !o->watch_ms)
		return ctl_usage("sa list: --count needs --watch");
	return FWPCTL_OK;
}

static int list_once(struct ctl *ctl, HANDLE engine, const struct list_opts *o)
{
	struct sa_pages pages = { 0 };
	DWORD rc = enum_all(engine, &pages);
	int status = FWPCTL_OK;

	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating SA contexts");
	else if (ctl->json && print_json(ctl, engine, &pages, o))
		status = ctl_error("sa list: malformed output");
	else if (!ctl->json && print_table(engine, &pages, o))
		status = ctl_error("sa list: out of memory");
	pages_free(&pages);
	return status;
}

int sa_list(struct ctl *ctl, int argc, char **argv)
{
	struct list_opts o;
	HANDLE engine;
	int status;

	status = parse_list(argc, argv, &o);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status || !o.watch_ms)
		return status ? status : list_once(ctl, engine, &o);
	/* Watching: until interrupted, or N times. */
	for (unsigned long n = 1;; n++) {
		struct timespec ts = { .tv_sec = (time_t)(o.watch_ms / 1000),
				       .tv_nsec = (long)(o.watch_ms % 1000) * 1000000L };
		char when[32];
		time_t now = time(NULL);
		struct tm tm;

		if (!ctl->json) {
			localtime_r(&now, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%sEvery %lu.%lus: fwpctl sa list  %s\n\n", n > 1 ? "\n" : "",
			       o.watch_ms / 1000, o.watch_ms % 1000 / 100, when);
		}
		status = list_once(ctl, engine, &o);
		if (status || fflush(stdout) || (o.count && n >= o.count))
			return status;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}

/* Deletes every context the enumeration finds; ones deleted meanwhile are
 * not an error. Prints nothing, as delete. */
int sa_flush(struct ctl *ctl, int argc, char **argv)
{
	struct sa_pages pages = { 0 };
	HANDLE engine;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("sa flush: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = enum_all(engine, &pages);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating SA contexts");
	for (size_t i = 0; i < pages.n && !status; i++) {
		for (UINT32 k = 0; k < pages.count[i] && !status; k++) {
			UINT64 id = pages.page[i][k]->saContextId;

			rc = IPsecSaContextDeleteById0(engine, id);
			if (rc == ERROR_ACCESS_DENIED)
				status = ctl_fail(rc, "flushing SA contexts: only root and the "
						  "service's group may");
			else if (rc != ERROR_SUCCESS && rc != FWP_E_NOT_FOUND)
				status = ctl_fail(rc, "deleting SA context %" PRIu64, id);
		}
	}
	pages_free(&pages);
	return status;
}

/* The one ID argument of show, delete, expire and counters. */
static int one_id(const char *cmd, int argc, char **argv, UINT64 *id)
{
	if (argc < 1)
		return ctl_usage("sa %s: missing ID", cmd);
	if (argc > 1)
		return ctl_usage("sa %s: unexpected argument '%s'", cmd, argv[1]);
	if (ctl_parse_id(argv[0], id))
		return ctl_usage("sa %s: '%s' is not an SA context id", cmd, argv[0]);
	return FWPCTL_OK;
}

int sa_show(struct ctl *ctl, int argc, char **argv)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct ctx_extra x;
	HANDLE engine;
	struct doc d;
	UINT64 id;
	DWORD rc;
	int status;

	status = one_id("show", argc, argv, &id);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = IPsecSaContextGetById1(engine, id, &c);
	if (rc == FWP_E_NOT_FOUND)
		return ctl_fail(rc, "no SA context %" PRIu64, id);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading SA context %" PRIu64, id);
	read_extra(engine, id, true, &x);
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	emit_context_counted(&d, c, &x, monotonic_ms());
	FwpmFreeMemory0((void **)&c);
	if (doc_end(&d))
		return ctl_error("sa show: malformed output");
	return FWPCTL_OK;
}

int sa_delete(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int status;

	status = one_id("delete", argc, argv, &id);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = IPsecSaContextDeleteById0(engine, id);
	switch (rc) {
	case ERROR_SUCCESS:
		return FWPCTL_OK;
	case FWP_E_NOT_FOUND:
		return ctl_fail(rc, "no SA context %" PRIu64, id);
	case ERROR_ACCESS_DENIED:
		return ctl_fail(rc, "deleting SA context %" PRIu64
				": only root and the service's group may", id);
	default:
		return ctl_fail(rc, "deleting SA context %" PRIu64, id);
	}
}

int sa_expire(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int status;

	status = one_id("expire", argc, argv, &id);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = IPsecSaContextExpire0(engine, id);
	switch (rc) {
	case ERROR_SUCCESS:
		return FWPCTL_OK;
	case FWP_E_NOT_FOUND:
		return ctl_fail(rc, "no SA context %" PRIu64, id);
	case FWP_E_INCOMPATIBLE_SA_STATE:
		return ctl_fail(rc, "SA context %" PRIu64 " cannot expire now: "
				"it has no inbound SA yet, or is expiring already", id);
	case ERROR_ACCESS_DENIED:
		return ctl_fail(rc, "expiring SA context %" PRIu64
				": only root and the service's group may", id);
	default:
		return ctl_fail(rc, "expiring SA context %" PRIu64, id);
	}
}

/* The engine's clock is CLOCK_MONOTONIC in milliseconds (fwpx.h), on this
 * machine: fwpd is reached over a local socket. */
static UINT64 monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (UINT64)ts.tv_sec * 1000 + (UINT64)ts.tv_nsec / 1000000;
}

/* When the SA last carried a packet: raw and as an age ("never" / null). */
static void emit_last_use(struct doc *d, UINT64 last, UINT64 now)
{
	UINT64 idle = now > last ? now - last : 0;
	char buf[48];

	if (d->json) {
		doc_uint(d, "last_use_ms", last);
		if (last)
			doc_uint(d, "idle_ms", idle);
		else
			doc_null(d, "idle_ms");
		return;
	}
	if (!last)
		snprintf(buf, sizeof(buf), "never");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 ".%03u s ago", idle / 1000,
			 (unsigned)(idle % 1000));
	doc_str(d, "last_use", buf);
}

/* A direction that is not live reads as zeros, as the API returns it. */
static void emit_counters(struct doc *d, const char *name, const FWPX_SA_COUNTERS0 *c,
			  UINT64 now)
{
	doc_object_begin(d, name);
	doc_bool(d, "live", c->flags & FWPX_SA_COUNTERS_FLAG_LIVE);
	doc_uint(d, "packets", c->packets);
	doc_uint(d, "bytes", c->bytes);
	doc_uint(d, "replay_drops", c->replayDrops);
	doc_uint(d, "icv_failures", c->icvFailures);
	doc_uint(d, "other_drops", c->otherDrops);
	emit_last_use(d, c->lastUseMs, now);
	doc_object_end(d);
}

int sa_counters_show(struct ctl *ctl, int argc, char **argv)
{
	FWPX_SA_COUNTERS0 in, out;
	HANDLE engine;
	struct doc d;
	UINT64 id, now;
	DWORD rc;
	int status;

	status = one_id("counters", argc, argv, &id);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpxSaContextGetCounters0(engine, id, &in, &out);
	if (rc == FWP_E_NOT_FOUND)
		return ctl_fail(rc, "no SA context %" PRIu64, id);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the counters of SA context %" PRIu64, id);
	now = monotonic_ms();
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	doc_object_begin(&d, NULL);
	doc_uint(&d, "id", id);
	emit_counters(&d, "inbound", &in, now);
	emit_counters(&d, "outbound", &out, now);
	doc_object_end(&d);
	if (doc_end(&d))
		return ctl_error("sa counters: malformed output");
	return FWPCTL_OK;
}
