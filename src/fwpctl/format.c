/* format.c - the words and numbers fwpctl prints for API values (see
 * format.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#define FLAG(prefix, name, word) { prefix##name, word }

const struct fmt_flag fmt_bundle_flags[] = {
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ND_SECURE, "nd-secure"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ND_BOUNDARY, "nd-boundary"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ND_PEER_NAT_BOUNDARY, "nd-peer-nat-boundary"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, GUARANTEE_ENCRYPTION, "guarantee-encryption"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, NLB, "nlb"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, NO_MACHINE_LUID_VERIFY, "no-machine-luid-verify"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, NO_IMPERSONATION_LUID_VERIFY,
	     "no-impersonation-luid-verify"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, NO_EXPLICIT_CRED_MATCH, "no-explicit-cred-match"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ALLOW_NULL_TARGET_NAME_MATCH,
	     "allow-null-target-name-match"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, CLEAR_DF_ON_TUNNEL, "clear-df-on-tunnel"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ASSUME_UDP_CONTEXT_OUTBOUND,
	     "assume-udp-context-outbound"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ND_PEER_BOUNDARY, "nd-peer-boundary"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, SUPPRESS_DUPLICATE_DELETION,
	     "suppress-duplicate-deletion"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, PEER_SUPPORTS_GUARANTEE_ENCRYPTION,
	     "peer-supports-guarantee-encryption"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, FORCE_INBOUND_CONNECTIONS, "force-inbound-connections"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, FORCE_OUTBOUND_CONNECTIONS, "force-outbound-connections"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, FORWARD_PATH_INITIATOR, "forward-path-initiator"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, ENABLE_OPTIONAL_ASYMMETRIC_IDLE,
	     "enable-optional-asymmetric-idle"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, USING_DICTATED_KEYS, "using-dictated-keys"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, LOCALLY_DICTATED_KEYS, "locally-dictated-keys"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, SA_OFFLOADED, "sa-offloaded"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, IP_IN_IP_PKT, "ip-in-ip-pkt"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, LOW_POWER_MODE_SUPPORT, "low-power-mode-support"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, TUNNEL_BANDWIDTH1, "tunnel-bandwidth1"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, TUNNEL_BANDWIDTH2, "tunnel-bandwidth2"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, TUNNEL_BANDWIDTH3, "tunnel-bandwidth3"),
	FLAG(IPSEC_SA_BUNDLE_FLAG_, TUNNEL_BANDWIDTH4, "tunnel-bandwidth4"),
	{ 0, NULL },
};

const struct fmt_flag fmt_update_flags[] = {
	FLAG(IPSEC_SA_DETAILS_UPDATE_, TRAFFIC, "traffic"),
	FLAG(IPSEC_SA_DETAILS_UPDATE_, UDP_ENCAPSULATION, "udp-encapsulation"),
	FLAG(IPSEC_SA_BUNDLE_UPDATE_, FLAGS, "flags"),
	FLAG(IPSEC_SA_BUNDLE_UPDATE_, NAP_CONTEXT, "nap-context"),
	FLAG(IPSEC_SA_BUNDLE_UPDATE_, KEY_MODULE_STATE, "key-module-state"),
	FLAG(IPSEC_SA_BUNDLE_UPDATE_, PEER_V4_PRIVATE_ADDRESS, "peer-v4-private-address"),
	FLAG(IPSEC_SA_BUNDLE_UPDATE_, MM_SA_ID, "mm-sa-id"),
	{ 0, NULL },
};

const char *fmt_flag_name(const struct fmt_flag *table, UINT64 bit)
{
	for (; table->name; table++)
		if (table->bit == bit)
			return table->name;
	return NULL;
}

char *fmt_flags(const struct fmt_flag *table, UINT64 flags, const char *sep,
		char *buf, size_t len)
{
	UINT64 unknown = 0;
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	if (!flags) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (unsigned i = 0; i < 64; i++) {
		UINT64 bit = 1ULL << i;
		const char *name;
		int n;

		if (!(flags & bit))
			continue;
		name = fmt_flag_name(table, bit);
		if (!name) {
			unknown |= bit;
			continue;
		}
		n = snprintf(buf + used, len - used, "%s%s", used ? sep : "", name);
		if (n < 0 || (size_t)n >= len - used)
			return buf;	/* truncated */
		used += (size_t)n;
	}
	if (unknown)
		snprintf(buf + used, len - used, "%s0x%" PRIx64, used ? sep : "", unknown);
	return buf;
}

char *fmt_v4(UINT32 host_order, char *buf, size_t len)
{
	struct in_addr a = { .s_addr = htonl(host_order) };

	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len) && len)
		buf[0] = 0;
	return buf;
}

char *fmt_v6_reversed(const UINT8 reversed[16], char *buf, size_t len)
{
	UINT8 net[16];

	for (int i = 0; i < 16; i++)
		net[i] = reversed[15 - i];
	if (!inet_ntop(AF_INET6, net, buf, (socklen_t)len) && len)
		buf[0] = 0;
	return buf;
}

char *fmt_traffic_address(const IPSEC_TRAFFIC1 *t, bool local, bool with_port,
			  char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	UINT16 port = local ? t->localPort : t->remotePort;

	switch (t->ipVersion) {
	case FWP_IP_VERSION_V4:
		fmt_v4(local ? t->localV4Address : t->remoteV4Address, addr, sizeof(addr));
		if (with_port && port)
			snprintf(buf, len, "%s:%u", addr, port);
		else
			snprintf(buf, len, "%s", addr);
		break;
	case FWP_IP_VERSION_V6:
		fmt_v6_reversed(local ? t->localV6Address : t->remoteV6Address,
				addr, sizeof(addr));
		if (with_port && port)
			snprintf(buf, len, "[%s]:%u", addr, port);
		else
			snprintf(buf, len, "%s", addr);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}

char *fmt_natt(const IPSEC_V4_UDP_ENCAPSULATION0 *e, char *buf, size_t len)
{
	if (e)
		snprintf(buf, len, "udp %u->%u", e->localUdpEncapPort, e->remoteUdpEncapPort);
	else
		snprintf(buf, len, "-");
	return buf;
}

char *fmt_guid(const GUID *g, char *buf, size_t len)
{
	snprintf(buf, len,
		 "{%08" PRIx32 "-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
		 (uint32_t)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1],
		 g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6],
		 g->Data4[7]);
	return buf;
}

char *fmt_wstr(const wchar_t *w, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	for (; w && *w; w++) {
		uint32_t c = (uint32_t)*w;
		unsigned char u[4];
		size_t n;

		if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			c = 0xfffd;
		if (c < 0x80) {
			u[0] = (unsigned char)c;
			n = 1;
		} else if (c < 0x800) {
			u[0] = (unsigned char)(0xc0 | c >> 6);
			u[1] = (unsigned char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			u[0] = (unsigned char)(0xe0 | c >> 12);
			u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			u[2] = (unsigned char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			u[0] = (unsigned char)(0xf0 | c >> 18);
			u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			u[3] = (unsigned char)(0x80 | (c & 0x3f));
			n = 4;
		}
		if (used + n >= len)
			break;	/* truncate at a character boundary */
		memcpy(buf + used, u, n);
		used += n;
	}
	buf[used] = 0;
	return buf;
}

const char *fmt_cipher(IPSEC_CIPHER_CONFIG config)
{
	switch (config) {
	case IPSEC_CIPHER_CONFIG_CBC_DES:	return "des-cbc";
	case IPSEC_CIPHER_CONFIG_CBC_3DES:	return "3des-cbc";
	case IPSEC_CIPHER_CONFIG_CBC_AES_128:	return "aes-cbc-128";
	case IPSEC_CIPHER_CONFIG_CBC_AES_192:	return "aes-cbc-192";
	case IPSEC_CIPHER_CONFIG_CBC_AES_256:	return "aes-cbc-256";
	case IPSEC_CIPHER_CONFIG_GCM_AES_128:	return "aes-gcm-128";
	case IPSEC_CIPHER_CONFIG_GCM_AES_192:	return "aes-gcm-192";
	case IPSEC_CIPHER_CONFIG_GCM_AES_256:	return "aes-gcm-256";
	default:				return NULL;
	}
}

/* GCM ids as the only integrity are GMAC (RFC 4543). */
const char *fmt_auth(IPSEC_AUTH_CONFIG config)
{
	switch (config) {
	case IPSEC_AUTH_CONFIG_HMAC_MD5_96:	return "hmac-md5";
	case IPSEC_AUTH_CONFIG_HMAC_SHA_1_96:	return "hmac-sha1";
	case IPSEC_AUTH_CONFIG_HMAC_SHA_256_128: return "hmac-sha256";
	case IPSEC_AUTH_CONFIG_GCM_AES_128:	return "gmac-128";
	case IPSEC_AUTH_CONFIG_GCM_AES_192:	return "gmac-192";
	case IPSEC_AUTH_CONFIG_GCM_AES_256:	return "gmac-256";
	default:				return NULL;
	}
}

static bool is_gcm(IPSEC_CIPHER_CONFIG config)
{
	return config == IPSEC_CIPHER_CONFIG_GCM_AES_128 ||
	       config == IPSEC_CIPHER_CONFIG_GCM_AES_192 ||
	       config == IPSEC_CIPHER_CONFIG_GCM_AES_256;
}

static const char *cipher_word(const IPSEC_SA_CIPHER_INFORMATION0 *c, char *buf, size_t len)
{
	IPSEC_CIPHER_CONFIG config = c->cipherTransform.cipherTransformId.cipherConfig;
	const char *name = fmt_cipher(config);

	if (name)
		return name;
	snprintf(buf, len, "cipher-%u", config);
	return buf;
}

static const char *auth_word(const IPSEC_SA_AUTH_INFORMATION0 *a, char *buf, size_t len)
{
	IPSEC_AUTH_CONFIG config = a->authTransform.authTransformId.authConfig;
	const char *name = fmt_auth(config);

	if (name)
		return name;
	snprintf(buf, len, "auth-%u", config);
	return buf;
}

char *fmt_sa_transform(const IPSEC_SA0 *sa, char *buf, size_t len)
{
	const IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac;
	char c[16], a[16];

	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
		if (!sa->ahInformation)
			break;
		snprintf(buf, len, "ah %s", auth_word(sa->ahInformation, a, sizeof(a)));
		return buf;
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW: {
		const IPSEC_SA_AUTH_INFORMATION0 *info = sa->espAuthInformation;
		const char *esp = sa->saTransformType == IPSEC_TRANSFORM_ESP_AUTH
				  ? "esp" : "esp-fw";

		if (!info)
			break;
		/* Integrity only: GMAC is a mode of its own, HMAC is with the
		 * NULL cipher. */
		if (info->authTransform.authTransformId.authConfig >= IPSEC_AUTH_CONFIG_GCM_AES_128 &&
		    info->authTransform.authTransformId.authConfig <= IPSEC_AUTH_CONFIG_GCM_AES_256)
			snprintf(buf, len, "%s %s", esp, auth_word(info, a, sizeof(a)));
		else
			snprintf(buf, len, "%s null/%s", esp, auth_word(info, a, sizeof(a)));
		return buf;
	}
	case IPSEC_TRANSFORM_ESP_CIPHER:
		if (!sa->espCipherInformation)
			break;
		snprintf(buf, len, "esp %s",
			 cipher_word(sa->espCipherInformation, c, sizeof(c)));
		return buf;
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		ac = sa->espAuthAndCipherInformation;
		if (!ac)
			break;
		/* AES-GCM is one combined algorithm: its auth id only repeats it. */
		if (is_gcm(ac->saCipherInformation.cipherTransform.cipherTransformId.cipherConfig))
			snprintf(buf, len, "esp %s",
				 cipher_word(&ac->saCipherInformation, c, sizeof(c)));
		else
			snprintf(buf, len, "esp %s/%s",
				 cipher_word(&ac->saCipherInformation, c, sizeof(c)),
				 auth_word(&ac->saAuthInformation, a, sizeof(a)));
		return buf;
	default:
		snprintf(buf, len, "transform-%u", (unsigned)sa->saTransformType);
		return buf;
	}
	snprintf(buf, len, "%s ?", fmt_transform_type(sa->saTransformType));
	return buf;
}

char *fmt_bundle_transform(const IPSEC_SA_BUNDLE1 *b, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	if (!b->saList || !b->numSAs) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (UINT32 i = 0; i < b->numSAs && used + 1 < len; i++) {
		char one[FMT_XFORM_LEN];

		fmt_sa_transform(&b->saList[i], one, sizeof(one));
		snprintf(buf + used, len - used, "%s%s", i ? " + " : "", one);
		used += strlen(buf + used);
	}
	return buf;
}

const char *fmt_cipher_type(IPSEC_CIPHER_TYPE type)
{
	switch (type) {
	case IPSEC_CIPHER_TYPE_DES:	return "des";
	case IPSEC_CIPHER_TYPE_3DES:	return "3des";
	case IPSEC_CIPHER_TYPE_AES_128:	return "aes-128";
	case IPSEC_CIPHER_TYPE_AES_192:	return "aes-192";
	case IPSEC_CIPHER_TYPE_AES_256:	return "aes-256";
	default:			return NULL;
	}
}

const char *fmt_auth_type(IPSEC_AUTH_TYPE type)
{
	switch (type) {
	case IPSEC_AUTH_MD5:		return "md5";
	case IPSEC_AUTH_SHA_1:		return "sha-1";
	case IPSEC_AUTH_SHA_256:	return "sha-256";
	case IPSEC_AUTH_AES_128:	return "aes-128";
	case IPSEC_AUTH_AES_192:	return "aes-192";
	case IPSEC_AUTH_AES_256:	return "aes-256";
	default:			return NULL;
	}
}

const char *fmt_transform_type(IPSEC_TRANSFORM_TYPE type)
{
	switch (type) {
	case IPSEC_TRANSFORM_AH:			return "ah";
	case IPSEC_TRANSFORM_ESP_AUTH:			return "esp-auth";
	case IPSEC_TRANSFORM_ESP_CIPHER:		return "esp-cipher";
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:	return "esp-auth-and-cipher";
	case IPSEC_TRANSFORM_ESP_AUTH_FW:		return "esp-auth-fw";
	default:					return NULL;
	}
}

const char *fmt_mode(IPSEC_TRAFFIC_TYPE type)
{
	switch (type) {
	case IPSEC_TRAFFIC_TYPE_TRANSPORT:	return "transport";
	case IPSEC_TRAFFIC_TYPE_TUNNEL:		return "tunnel";
	default:				return NULL;
	}
}

const char *fmt_direction(FWP_DIRECTION dir)
{
	switch (dir) {
	case FWP_DIRECTION_OUTBOUND:	return "outbound";
	case FWP_DIRECTION_INBOUND:	return "inbound";
	default:			return NULL;
	}
}

const char *fmt_ip_version(FWP_IP_VERSION v)
{
	switch (v) {
	case FWP_IP_VERSION_V4:		return "ipv4";
	case FWP_IP_VERSION_V6:		return "ipv6";
	case FWP_IP_VERSION_NONE:	return "none";
	default:			return NULL;
	}
}

const char *fmt_pfs_group(IPSEC_PFS_GROUP g)
{
	switch (g) {
	case IPSEC_PFS_NONE:	return "none";
	case IPSEC_PFS_1:	return "modp-768";
	case IPSEC_PFS_2:	return "modp-1024";
	case IPSEC_PFS_2048:	return "modp-2048";
	case IPSEC_PFS_ECP_256:	return "ecp-256";
	case IPSEC_PFS_ECP_384:	return "ecp-384";
	case IPSEC_PFS_MM:	return "main-mode";
	case IPSEC_PFS_24:	return "modp-2048-256";
	default:		return NULL;
	}
}

const char *fmt_token_type(IPSEC_TOKEN_TYPE t)
{
	switch (t) {
	case IPSEC_TOKEN_TYPE_MACHINE:		return "machine";
	case IPSEC_TOKEN_TYPE_IMPERSONATION:	return "impersonation";
	default:				return NULL;
	}
}

const char *fmt_token_principal(IPSEC_TOKEN_PRINCIPAL p)
{
	switch (p) {
	case IPSEC_TOKEN_PRINCIPAL_LOCAL:	return "local";
	case IPSEC_TOKEN_PRINCIPAL_PEER:	return "peer";
	default:				return NULL;
	}
}

const char *fmt_token_mode(IPSEC_TOKEN_MODE m)
{
	switch (m) {
	case IPSEC_TOKEN_MODE_MAIN:	return "main";
	case IPSEC_TOKEN_MODE_EXTENDED:	return "extended";
	default:			return NULL;
	}
}

const char *fmt_event(UINT32 event_type)
{
	switch (event_type) {
	case FWPX_SA_CONTEXT_EVENT_ADD:			return "ADD";
	case FWPX_SA_CONTEXT_EVENT_DELETE:		return "DELETE";
	case FWPX_SA_CONTEXT_EVENT_UPDATE:		return "UPDATE";
	case FWPX_SA_CONTEXT_EVENT_EXPIRE:		return "EXPIRE";
	case FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME:	return "SOFT_LIFETIME";
	case FWPX_SA_CONTEXT_EVENT_DROPPED:		return "DROPPED";
	default:					return NULL;
	}
}
