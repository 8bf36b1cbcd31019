/* sa.c - the "sa" object: show, delete and expire SA contexts, read their
 * counters, and the context documents list prints too (sa_list.c).
 *
 * show prints everything IPsecSaContextGetById1 returns, then what the
 * engine adds (FwpxSaContextGetInfo0: state, age, lifetime left, creator)
 * and the counters; with -j, list prints an array of the same objects, so
 * a script can use either. Key blobs print as "(hidden)", whatever they
 * hold: the API returns them empty, and fwpctl would not print key bytes
 * if it did not. counters prints FwpxSaContextGetCounters0 for both
 * directions.
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
#include "sa.h"

#define SA_PAGE 256
#define HIDDEN "(hidden)"

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

void sa_pages_free(struct sa_pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		FwpmFreeMemory0((void **)&p->page[i]);
	free(p->page);
	free(p->count);
}

DWORD sa_enum_all(HANDLE engine, struct sa_pages *p)
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

void sa_read_extra(HANDLE engine, UINT64 id, bool counters, struct ctx_extra *x)
{
	memset(x, 0, sizeof(*x));
	x->have_info = FwpxSaContextGetInfo0(engine, id, &x->info) == ERROR_SUCCESS;
	x->have_counters = counters &&
		FwpxSaContextGetCounters0(engine, id, &x->cnt[0], &x->cnt[1]) == ERROR_SUCCESS;
}

/* The engine's state; without it (a context gone meanwhile), what GetById
 * shows: no SA yet, both, or the inbound one alone. */
const char *sa_context_state(const IPSEC_SA_CONTEXT1 *c, const struct ctx_extra *x)
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

UINT64 sa_left(UINT64 deadline, UINT64 now)
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
		doc_uint(d, "ms", sa_left(deadline, x->info.nowMs));
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

	doc_uint(d, "age_ms", sa_left(i->nowMs, i->createdMs));
	if (i->state == FWPX_SA_CONTEXT_STATE_EXPIRING)
		doc_uint(d, "drain_left_ms", sa_left(i->drainDeadlineMs, i->nowMs));
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
void sa_emit_context(struct doc *d, const IPSEC_SA_CONTEXT1 *c,
				 const struct ctx_extra *x, UINT64 now)
{
	doc_object_begin(d, NULL);
	doc_uint(d, "id", c->saContextId);
	doc_str(d, "state", sa_context_state(c, x));
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
	sa_read_extra(engine, id, true, &x);
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	sa_emit_context(&d, c, &x, sa_now_ms());
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
UINT64 sa_now_ms(void)
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
	now = sa_now_ms();
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
