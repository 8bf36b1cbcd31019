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
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "table.h"

#define SA_PAGE 256
#define HIDDEN "(hidden)"

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

static void emit_context(struct doc *d, const IPSEC_SA_CONTEXT1 *c)
{
	doc_object_begin(d, NULL);
	doc_uint(d, "id", c->saContextId);
	emit_details(d, "inbound", c->inboundSa);
	emit_details(d, "outbound", c->outboundSa);
	doc_object_end(d);
}

static const struct table_column list_columns[] = {
	{ "id", true }, { "dir", false }, { "spi", false }, { "transform", false },
	{ "mode", false }, { "local", false }, { "remote", false },
	{ "nat-t", false }, { "life(s)", true }, { "flags", false },
};
#define LIST_COLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static int list_row(struct table *t, UINT64 id, const char *dir,
		    const IPSEC_SA_DETAILS1 *x)
{
	char sid[24], spi[16], xform[FMT_XFORM_LEN], local[FMT_ADDR_LEN],
	     remote[FMT_ADDR_LEN], natt[32], life[16], flags[512];
	const char *cells[LIST_COLUMNS] = { sid, dir };

	snprintf(sid, sizeof(sid), "%" PRIu64, id);
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
	return table_add(t, cells);
}

static int print_table(const struct sa_pages *p)
{
	struct table *t = table_new(list_columns, LIST_COLUMNS);
	int err = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < p->n && !err; i++) {
		for (UINT32 k = 0; k < p->count[i] && !err; k++) {
			const IPSEC_SA_CONTEXT1 *c = p->page[i][k];

			if (c->inboundSa)
				err = list_row(t, c->saContextId, "in", c->inboundSa);
			if (!err && c->outboundSa)
				err = list_row(t, c->saContextId, "out", c->outboundSa);
			if (!err && !c->inboundSa && !c->outboundSa)
				err = list_row(t, c->saContextId, NULL, NULL);
		}
	}
	if (!err && table_rows(t))
		table_print(t, stdout);
	table_free(t);
	return err;
}

static int print_json(const struct ctl *ctl, const struct sa_pages *p)
{
	struct doc d;

	doc_init(&d, stdout, true, ctl->pretty);
	doc_array_begin(&d, NULL);
	for (size_t i = 0; i < p->n; i++)
		for (UINT32 k = 0; k < p->count[i]; k++)
			emit_context(&d, p->page[i][k]);
	doc_array_end(&d);
	return doc_end(&d);
}

int sa_list(struct ctl *ctl, int argc, char **argv)
{
	struct sa_pages pages = { 0 };
	HANDLE engine;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("sa list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = enum_all(engine, &pages);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating SA contexts");
	else if (ctl->json && print_json(ctl, &pages))
		status = ctl_error("sa list: malformed output");
	else if (!ctl->json && print_table(&pages))
		status = ctl_error("sa list: out of memory");
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
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	emit_context(&d, c);
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
