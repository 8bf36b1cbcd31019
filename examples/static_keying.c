/* static_keying.c - an example keying module with pre-shared keys.
 *
 * What `ip xfrm state add ... aead/enc/auth KEY` does for the kernel, done
 * through this API: one SA pair with keys from the command line, installed
 * with strongSwan's call sequence (Create1 -> SetSpi0 -> AddInbound0 ->
 * AddOutbound0), optionally bound to policy, then kept up and changed on
 * command from stdin. Tests and demos run one instance per side of a link,
 * with mirrored SPIs and keys; the datapath in fwpd carries the packets.
 *
 * Policy, when asked for, lives in a dynamic session of its own (SA
 * contexts cannot be created in one), so that what a crashed module leaves
 * goes with its session, except what the SA context (static, as every SA
 * context is) still references:
 *   - transport mode, --filters: a provider and sublayer, and a callout
 *     filter at the outbound and the inbound transport layer (the IPsec
 *     transport callouts, as strongSwan's kernel-wfp adds them) matching
 *     IP_REMOTE_ADDRESS = --remote; the SA context is bound to them
 *     (ipsecFilterId). Without --filters the traffic is unbound.
 *   - tunnel mode: FwpmIPsecTunnelAdd0 with a QM tunnel context naming the
 *     endpoints and conditions IP_LOCAL_ADDRESS / IP_REMOTE_ADDRESS on the
 *     inner prefixes (FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK, EQUAL: shapes the
 *     classifier evaluates); the SA context is bound with tunnelPolicyId.
 *   - --block: BLOCK filters at the outbound transport layer, in the same
 *     sublayer as the IPsec filters and weighted above them.
 *
 * Protocol. stdout carries, one line each, flushed:
 *   event TYPE id=N      TYPE: ADD DELETE UPDATE EXPIRE SOFT_LIFETIME
 *                        DROPPED, for this module's context (DROPPED: id=0)
 *   ready id=N           setup done, commands accepted
 *   ok ...               a command succeeded
 *   error NAME 0xCODE    it failed: FwpxErrorName0's name, or TIMEOUT
 *                        (wait-event), or ERROR_INVALID_PARAMETER /
 *                        ERROR_NOT_SUPPORTED for a malformed or unknown
 *                        command
 *   # ...                information, unless --quiet
 * stdin takes one command a line (show, natt on L R, natt off, move ADDR,
 * expire, delete, wait-event TYPE SECONDS, quit); each gets exactly one
 * ok/error line. Event lines may come between a command and its answer.
 * quit, EOF, SIGTERM and SIGINT delete what is left (context, filters,
 * tunnel, sublayer, provider) and exit 0. Exit 1: setup failed; 2: usage.
 *
 * The subscription is made before Create1, so that the context's own ADD
 * event is seen; events of other contexts on the same engine are ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>
#include <fwpx.h>

#define PROG "static_keying"
#define MAX_KEY 64
#define MAX_BLOCKS 16
#define MAX_PENDING 64
#define LINE_MAX_LEN 1024

/* Filter weights inside a weight range (FWPM_WEIGHT_RANGE_MAX is 15):
 * BLOCK filters sort above the IPsec filters of their sublayer. */
#define WEIGHT_IPSEC 8
#define WEIGHT_BLOCK 15
#define SUBLAYER_WEIGHT 0x4000

/* ---- addresses -------------------------------------------------------- */

struct addr {
	FWP_IP_VERSION v;
	UINT8 net[16];		/* network order; IPv4 in the first 4 bytes */
};

struct prefix {
	struct addr a;
	unsigned len;
};

static bool addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->net) == 1) {
		a->v = FWP_IP_VERSION_V4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->net) == 1) {
		a->v = FWP_IP_VERSION_V6;
		return true;
	}
	return false;
}

static UINT32 addr_v4(const struct addr *a)
{
	UINT32 n;

	memcpy(&n, a->net, 4);
	return ntohl(n);
}

/* IPSEC_TRAFFIC1 and tunnel endpoints hold IPv6 addresses byte-reversed
 * (docs/CONTRACT.md, "Byte order"), as strongSwan writes them. */
static void reverse16(const UINT8 in[16], UINT8 out[16])
{
	for (int i = 0; i < 16; i++)
		out[i] = in[15 - i];
}

static void addr_text(const struct addr *a, char *buf, size_t len)
{
	inet_ntop(a->v == FWP_IP_VERSION_V4 ? AF_INET : AF_INET6, a->net, buf,
		  (socklen_t)len);
}

static void traffic_set(IPSEC_TRAFFIC1 *t, const struct addr *local,
			const struct addr *remote)
{
	t->ipVersion = local->v;
	if (local->v == FWP_IP_VERSION_V4) {
		t->localV4Address = addr_v4(local);
		t->remoteV4Address = addr_v4(remote);
	} else {
		reverse16(local->net, t->localV6Address);
		reverse16(remote->net, t->remoteV6Address);
	}
}

static void traffic_set_remote(IPSEC_TRAFFIC1 *t, const struct addr *remote)
{
	if (remote->v == FWP_IP_VERSION_V4)
		t->remoteV4Address = addr_v4(remote);
	else
		reverse16(remote->net, t->remoteV6Address);
}

static void traffic_remote(const IPSEC_TRAFFIC1 *t, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->v = t->ipVersion;
	if (t->ipVersion == FWP_IP_VERSION_V4) {
		UINT32 n = htonl(t->remoteV4Address);

		memcpy(a->net, &n, 4);
	} else {
		reverse16(t->remoteV6Address, a->net);
	}
}

/* ADDR/LEN; host bits are cleared, as the classifier would ignore them. */
static bool prefix_parse(const char *s, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!addr_parse(buf, &p->a))
		return false;
	max = p->a.v == FWP_IP_VERSION_V4 ? 32 : 128;
	if (!slash) {
		p->len = max;
		return true;
	}
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len > max)
		return false;
	p->len = (unsigned)len;
	for (unsigned i = p->len; i < max; i++)
		p->a.net[i / 8] &= (UINT8)~(0x80u >> (i % 8));
	return true;
}

/* ---- numbers and keys ---------------------------------------------------- */

/* Decimal or 0x-hex, at most max. */
static bool num_parse(const char *s, unsigned long long max, unsigned long long *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return !errno && !*end && *out <= max;
}

struct key {
	UINT8 b[MAX_KEY];
	UINT32 len;
	bool set;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool key_parse(const char *s, struct key *k)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (!n || n % 2 || n / 2 > MAX_KEY)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		k->b[i] = (UINT8)(hi << 4 | lo);
	}
	k->len = (UINT32)(n / 2);
	k->set = true;
	return true;
}

/* ---- transforms ---------------------------------------------------------- */

/* The Windows names of each transform, as src/engine/sa_validate.c accepts
 * them. GCM and GMAC keys are key plus 4-byte salt in one blob; Windows
 * clients give a GCM blob as both the cipher and the auth key. */
struct xform {
	const char *name;
	IPSEC_TRANSFORM_TYPE type;
	IPSEC_CIPHER_TRANSFORM_ID0 cipher;
	IPSEC_AUTH_TRANSFORM_ID0 auth;
	UINT8 key_len;		/* --key-in/out: cipher key, or GMAC key+salt */
	UINT8 auth_key_len;	/* --auth-key-in/out: the HMAC key */
	const char *key_what;
};

#define CIPHER(t, c) { IPSEC_CIPHER_TYPE_##t, IPSEC_CIPHER_CONFIG_##c }
#define AUTH(t, c) { IPSEC_AUTH_##t, IPSEC_AUTH_CONFIG_##c }
#define NO_CIPHER { (IPSEC_CIPHER_TYPE)0, 0 }

static const struct xform xforms[] = {
	{ "gcm128", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, GCM_AES_128),
	  AUTH(AES_128, GCM_AES_128), 20, 0, "16-byte AES key + 4-byte salt" },
	{ "gcm192", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_192, GCM_AES_192),
	  AUTH(AES_192, GCM_AES_192), 28, 0, "24-byte AES key + 4-byte salt" },
	{ "gcm256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_256, GCM_AES_256),
	  AUTH(AES_256, GCM_AES_256), 36, 0, "32-byte AES key + 4-byte salt" },
	{ "gmac128", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER,
	  AUTH(AES_128, GCM_AES_128), 20, 0, "16-byte AES key + 4-byte salt" },
	{ "cbc128-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, CBC_AES_128),
	  AUTH(SHA_1, HMAC_SHA_1_96), 16, 20, "AES-128 key" },
	{ "cbc128-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, CBC_AES_128),
	  AUTH(SHA_256, HMAC_SHA_256_128), 16, 32, "AES-128 key" },
	{ "cbc192-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_192, CBC_AES_192),
	  AUTH(SHA_256, HMAC_SHA_256_128), 24, 32, "AES-192 key" },
	{ "cbc256-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_256, CBC_AES_256),
	  AUTH(SHA_256, HMAC_SHA_256_128), 32, 32, "AES-256 key" },
	{ "3des-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(3DES, CBC_3DES),
	  AUTH(SHA_1, HMAC_SHA_1_96), 24, 20, "3DES key" },
	{ "auth-sha1", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER,
	  AUTH(SHA_1, HMAC_SHA_1_96), 0, 20, NULL },
	{ "auth-sha256", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER,
	  AUTH(SHA_256, HMAC_SHA_256_128), 0, 32, NULL },
	/* HMAC-MD5-96 is weak; IMS (3GPP TS 33.203) still requires it. */
	{ "cbc128-md5", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, CBC_AES_128),
	  AUTH(MD5, HMAC_MD5_96), 16, 16, "AES-128 key" },
	{ "3des-md5", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(3DES, CBC_3DES),
	  AUTH(MD5, HMAC_MD5_96), 24, 16, "3DES key" },
	{ "auth-md5", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER,
	  AUTH(MD5, HMAC_MD5_96), 0, 16, NULL },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct xform *xform_find(const char *name)
{
	for (size_t i = 0; i < N(xforms); i++)
		if (!strcmp(xforms[i].name, name))
			return &xforms[i];
	return NULL;
}

/* ---- options --------------------------------------------------------- */

struct block {
	UINT8 proto;
	bool has_port;
	UINT16 port;
};

struct opts {
	struct addr local, remote;
	bool have_local, have_remote;
	bool tunnel;
	struct prefix inner_local, inner_remote;
	bool have_inner_local, have_inner_remote;
	UINT32 spi_in, spi_out;
	bool have_spi_in, have_spi_out;
	const struct xform *xf;
	struct key key_in, key_out, auth_in, auth_out;
	bool natt;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	bool filters;
	struct block blocks[MAX_BLOCKS];
	unsigned nr_blocks;
	IPSEC_SA_LIFETIME0 lifetime;
	UINT32 idle_seconds;
	bool quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " --local ADDR --remote ADDR --spi-in N --spi-out N\n"
"         [--mode transport|tunnel] [--inner-local PREFIX --inner-remote PREFIX]\n"
"         [--transform NAME] [--key-in HEX --key-out HEX]\n"
"         [--auth-key-in HEX --auth-key-out HEX] [--natt LPORT:RPORT]\n"
"         [--filters] [--block PROTO[:PORT]]... [--lifetime-seconds N]\n"
"         [--lifetime-kb N] [--lifetime-packets N] [--idle-seconds N] [--quiet]\n"
"\n"
"Installs one SA pair with static keys, then obeys commands on stdin:\n"
"  show | natt on LPORT RPORT | natt off | move ADDR | expire | delete |\n"
"  wait-event ADD|DELETE|UPDATE|EXPIRE|SOFT_LIFETIME|DROPPED SECONDS | quit\n"
"\n"
"Transforms (key bytes: --key-* / --auth-key-*):\n"
"  gcm128 (20/-) gcm192 (28/-) gcm256 (36/-) gmac128 (20/-)   key + 4-byte salt\n"
"  cbc128-sha1 (16/20) cbc128-sha256 (16/32) cbc192-sha256 (24/32)\n"
"  cbc256-sha256 (32/32) 3des-sha1 (24/20) auth-sha1 (-/20) auth-sha256 (-/32)\n"
"  cbc128-md5 (16/16) 3des-md5 (24/16) auth-md5 (-/16)   HMAC-MD5-96: weak\n"
"Numbers are decimal or 0x-hex. PREFIX is ADDR/LEN. --block PROTO is a\n"
"number, tcp, udp or icmp; for ICMP the port is the code, as in WFP.\n"
"Exit status: 0 ok, 1 setup failed, 2 usage.\n");
}

enum {
	OPT_LOCAL = 256, OPT_REMOTE, OPT_MODE, OPT_INNER_LOCAL, OPT_INNER_REMOTE,
	OPT_SPI_IN, OPT_SPI_OUT, OPT_TRANSFORM, OPT_KEY_IN, OPT_KEY_OUT,
	OPT_AUTH_IN, OPT_AUTH_OUT, OPT_NATT, OPT_FILTERS, OPT_BLOCK,
	OPT_LIFE_S, OPT_LIFE_KB, OPT_LIFE_PKT, OPT_IDLE, OPT_QUIET, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "local", required_argument, NULL, OPT_LOCAL },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "inner-local", required_argument, NULL, OPT_INNER_LOCAL },
	{ "inner-remote", required_argument, NULL, OPT_INNER_REMOTE },
	{ "spi-in", required_argument, NULL, OPT_SPI_IN },
	{ "spi-out", required_argument, NULL, OPT_SPI_OUT },
	{ "transform", required_argument, NULL, OPT_TRANSFORM },
	{ "key-in", required_argument, NULL, OPT_KEY_IN },
	{ "key-out", required_argument, NULL, OPT_KEY_OUT },
	{ "auth-key-in", required_argument, NULL, OPT_AUTH_IN },
	{ "auth-key-out", required_argument, NULL, OPT_AUTH_OUT },
	{ "natt", required_argument, NULL, OPT_NATT },
	{ "filters", no_argument, NULL, OPT_FILTERS },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "lifetime-seconds", required_argument, NULL, OPT_LIFE_S },
	{ "lifetime-kb", required_argument, NULL, OPT_LIFE_KB },
	{ "lifetime-packets", required_argument, NULL, OPT_LIFE_PKT },
	{ "idle-seconds", required_argument, NULL, OPT_IDLE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, PROG ": --%s %s: %s\n", opt, arg, why);
	return 2;
}

static bool ports_parse(const char *s, IPSEC_V4_UDP_ENCAPSULATION0 *e)
{
	char buf[32], *colon;
	unsigned long long l, r;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		return false;
	*colon = '\0';
	if (!num_parse(buf, 65535, &l) || !num_parse(colon + 1, 65535, &r) || !l || !r)
		return false;
	e->localUdpEncapPort = (UINT16)l;
	e->remoteUdpEncapPort = (UINT16)r;
	return true;
}

static bool proto_parse(const char *s, UINT8 *proto)
{
	static const struct { const char *name; UINT8 num; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	unsigned long long n;

	for (size_t i = 0; i < N(names); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*proto = names[i].num;
			return true;
		}
	}
	if (!num_parse(s, 255, &n))
		return false;
	*proto = (UINT8)n;
	return true;
}

static bool block_parse(const char *s, struct block *b)
{
	char buf[32], *colon;
	unsigned long long port;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	memset(b, 0, sizeof(*b));
	if (!proto_parse(buf, &b->proto))
		return false;
	if (!colon)
		return true;
	if (!num_parse(colon + 1, 65535, &port))
		return false;
	b->has_port = true;
	b->port = (UINT16)port;
	return true;
}

/* One option; 0 or the exit status for a usage error. */
static int parse_one(struct opts *o, int c, const char *name, const char *arg)
{
	unsigned long long n;

	switch (c) {
	case OPT_LOCAL:
	case OPT_REMOTE:
		if (!addr_parse(arg, c == OPT_LOCAL ? &o->local : &o->remote))
			return bad(name, arg, "not an IPv4 or IPv6 address");
		*(c == OPT_LOCAL ? &o->have_local : &o->have_remote) = true;
		return 0;
	case OPT_MODE:
		if (strcmp(arg, "transport") && strcmp(arg, "tunnel"))
			return bad(name, arg, "transport or tunnel");
		o->tunnel = !strcmp(arg, "tunnel");
		return 0;
	case OPT_INNER_LOCAL:
	case OPT_INNER_REMOTE:
		if (!prefix_parse(arg, c == OPT_INNER_LOCAL ? &o->inner_local : &o->inner_remote))
			return bad(name, arg, "not an ADDR/LEN prefix");
		*(c == OPT_INNER_LOCAL ? &o->have_inner_local : &o->have_inner_remote) = true;
		return 0;
	case OPT_SPI_IN:
	case OPT_SPI_OUT:
		if (!num_parse(arg, 0xFFFFFFFFull, &n))
			return bad(name, arg, "not a 32-bit number");
		*(c == OPT_SPI_IN ? &o->spi_in : &o->spi_out) = (UINT32)n;
		*(c == OPT_SPI_IN ? &o->have_spi_in : &o->have_spi_out) = true;
		return 0;
	case OPT_TRANSFORM:
		o->xf = xform_find(arg);
		return o->xf ? 0 : bad(name, arg, "unknown transform (see --help)");
	case OPT_KEY_IN:
	case OPT_KEY_OUT:
	case OPT_AUTH_IN:
	case OPT_AUTH_OUT: {
		struct key *k = c == OPT_KEY_IN ? &o->key_in : c == OPT_KEY_OUT ? &o->key_out :
				c == OPT_AUTH_IN ? &o->auth_in : &o->auth_out;

		/* The key itself is not echoed: it may end up in a log. */
		if (!key_parse(arg, k))
			return bad(name, "HEX", "not an even number of hex digits (64 bytes at most)");
		return 0;
	}
	case OPT_NATT:
		if (!ports_parse(arg, &o->encap))
			return bad(name, arg, "LPORT:RPORT, non-zero ports");
		o->natt = true;
		return 0;
	case OPT_FILTERS:
		o->filters = true;
		return 0;
	case OPT_BLOCK:
		if (o->nr_blocks == MAX_BLOCKS)
			return bad(name, arg, "too many --block options");
		if (!block_parse(arg, &o->blocks[o->nr_blocks]))
			return bad(name, arg, "PROTO[:PORT]");
		o->nr_blocks++;
		return 0;
	case OPT_LIFE_S:
	case OPT_LIFE_KB:
	case OPT_LIFE_PKT:
	case OPT_IDLE:
		if (!num_parse(arg, 0xFFFFFFFFull, &n))
			return bad(name, arg, "not a 32-bit number");
		*(c == OPT_LIFE_S ? &o->lifetime.lifetimeSeconds :
		  c == OPT_LIFE_KB ? &o->lifetime.lifetimeKilobytes :
		  c == OPT_LIFE_PKT ? &o->lifetime.lifetimePackets : &o->idle_seconds) = (UINT32)n;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	default:
		return 2;
	}
}

static int usage_error(const char *msg)
{
	fprintf(stderr, PROG ": %s (--help for usage)\n", msg);
	return 2;
}

/* What the options must say together. */
static int check_opts(const struct opts *o)
{
	if (!o->have_local || !o->have_remote)
		return usage_error("--local and --remote are required");
	if (o->local.v != o->remote.v)
		return usage_error("--local and --remote must be of one IP version");
	if (!o->have_spi_in || !o->have_spi_out)
		return usage_error("--spi-in and --spi-out are required");
	if (o->natt && o->local.v != FWP_IP_VERSION_V4)
		return usage_error("--natt is IPv4 only");
	if (o->tunnel) {
		if (!o->have_inner_local || !o->have_inner_remote)
			return usage_error("tunnel mode needs --inner-local and --inner-remote");
		if (o->inner_local.a.v != o->local.v || o->inner_remote.a.v != o->local.v)
			return usage_error("inner prefixes must be of the tunnel's IP version");
		if (o->filters)
			return usage_error("--filters is for transport mode (tunnel mode adds its own policy)");
	} else if (o->have_inner_local || o->have_inner_remote) {
		return usage_error("--inner-local and --inner-remote are for tunnel mode");
	}
	if (!o->xf->key_len && (o->key_in.set || o->key_out.set))
		return usage_error("this transform takes no --key-in/--key-out");
	if (!o->xf->auth_key_len && (o->auth_in.set || o->auth_out.set))
		return usage_error("this transform takes no --auth-key-in/--auth-key-out");
	if (o->xf->key_len && (!o->key_in.set || !o->key_out.set))
		return usage_error("--key-in and --key-out are required");
	if (o->xf->auth_key_len && (!o->auth_in.set || !o->auth_out.set))
		return usage_error("--auth-key-in and --auth-key-out are required");
	return 0;
}

/* 0, the usage error's exit status, or -1 after --help. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	int c, idx, rc;

	memset(o, 0, sizeof(*o));
	o->xf = &xforms[0];
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, &idx)) != -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, PROG ": bad or incomplete option %s\n", argv[optind - 1]);
			return 2;
		}
		rc = parse_one(o, c, long_opts[idx].name, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	return check_opts(o);
}

/* Key lengths are checked here rather than left to the engine, whose
 * FWP_E_INVALID_CIPHER_TRANSFORM would not say which key is wrong. */
static int check_key(const char *opt, const struct key *k, const char *xf,
		     unsigned want, const char *what)
{
	if (k->len == want)
		return 0;
	fprintf(stderr, PROG ": %s: %u bytes, but %s needs %u (%s)\n", opt, k->len, xf,
		want, what);
	return 1;
}

static int check_keys(const struct opts *o)
{
	const struct xform *x = o->xf;
	int rc = 0;

	if (x->key_len) {
		rc |= check_key("--key-in", &o->key_in, x->name, x->key_len, x->key_what);
		rc |= check_key("--key-out", &o->key_out, x->name, x->key_len, x->key_what);
	}
	if (x->auth_key_len) {
		rc |= check_key("--auth-key-in", &o->auth_in, x->name, x->auth_key_len,
				"HMAC key");
		rc |= check_key("--auth-key-out", &o->auth_out, x->name, x->auth_key_len,
				"HMAC key");
	}
	if (rc)
		fprintf(stderr, PROG ": wrong key length: nothing installed\n");
	return rc;
}

/* ---- output and events -------------------------------------------------- */

/* One lock for stdout and the event record: a line is never torn, and an
 * event counted is an event printed. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t event_cond;

static const char *const event_names[] = {
	"ADD", "DELETE", "UPDATE", "EXPIRE", "SOFT_LIFETIME", "DROPPED",
};

enum { EV_ADD, EV_DELETE, EV_UPDATE, EV_EXPIRE, EV_SOFT, EV_DROPPED, EV_COUNT };

struct event_state {
	UINT64 id;		/* 0 until Create1 returns */
	unsigned seen[EV_COUNT];
	FWPX_SA_CONTEXT_EVENT0 pending[MAX_PENDING];
	unsigned nr_pending;
};

static struct event_state evs;

static int event_index(UINT32 type)
{
	switch (type) {
	case FWPX_SA_CONTEXT_EVENT_ADD: return EV_ADD;
	case FWPX_SA_CONTEXT_EVENT_DELETE: return EV_DELETE;
	case FWPX_SA_CONTEXT_EVENT_UPDATE: return EV_UPDATE;
	case FWPX_SA_CONTEXT_EVENT_EXPIRE: return EV_EXPIRE;
	case FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME: return EV_SOFT;
	case FWPX_SA_CONTEXT_EVENT_DROPPED: return EV_DROPPED;
	default: return -1;
	}
}

/* out_lock held. */
static void out_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static bool quiet;

static void info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	pthread_mutex_lock(&out_lock);
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* out_lock held. */
static void event_record(const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	int i = event_index(ev->eventType);

	if (i < 0)
		return;
	evs.seen[i]++;
	out_line("event %s id=%llu", event_names[i], (unsigned long long)ev->saContextId);
	pthread_cond_broadcast(&event_cond);
}

/* On the library's callback thread, one call at a time. Events that come
 * before Create1 has returned our id wait in pending[]. */
static void CALLBACK on_event(void *ctx, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	pthread_mutex_lock(&out_lock);
	if (ev->eventType == FWPX_SA_CONTEXT_EVENT_DROPPED)
		event_record(ev);
	else if (!evs.id && evs.nr_pending < MAX_PENDING)
		evs.pending[evs.nr_pending++] = *ev;
	else if (evs.id && ev->saContextId == evs.id)
		event_record(ev);
	pthread_mutex_unlock(&out_lock);
}

static void events_set_id(UINT64 id)
{
	pthread_mutex_lock(&out_lock);
	evs.id = id;
	for (unsigned i = 0; i < evs.nr_pending; i++)
		if (evs.pending[i].saContextId == id)
			event_record(&evs.pending[i]);
	evs.nr_pending = 0;
	pthread_mutex_unlock(&out_lock);
}

static void deadline_after(struct timespec *ts, double seconds)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)seconds;
	ts->tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* out_lock held: until an event of type ev has been seen, at most seconds. */
static bool wait_seen(int ev, double seconds)
{
	struct timespec end;

	deadline_after(&end, seconds);
	while (!evs.seen[ev])
		if (pthread_cond_timedwait(&event_cond, &out_lock, &end) == ETIMEDOUT)
			break;
	return evs.seen[ev] > 0;
}

/* ---- the module's state ------------------------------------------------ */

struct keyer {
	const struct opts *o;
	HANDLE engine;		/* static session: the SA context */
	HANDLE policy;		/* dynamic session: policy objects */
	HANDLE events;
	UINT64 id;
	bool gone;		/* deleted by the delete command */
	bool expired;
	GUID provider_key, sublayer_key, tunnel_key;
	bool have_provider, have_sublayer, have_tunnel;
	UINT64 tunnel_policy_id;
	UINT64 filter_in, filter_out;
	UINT64 block_ids[MAX_BLOCKS];
	unsigned nr_block_ids;
	int sigfd;
};

static const char *err_name(DWORD rc)
{
	const char *n = FwpxErrorName0(rc);

	return n ? n : "UNKNOWN";
}

static int fail(const char *what, DWORD rc)
{
	fprintf(stderr, PROG ": %s failed: %s (0x%08x)\n", what, err_name(rc), (unsigned)rc);
	return 1;
}

#define CALL(what, call) do { \
	DWORD rc_ = (call); \
	if (rc_ != ERROR_SUCCESS) \
		return fail(what, rc_); \
} while (0)

/* A fresh key per object and run: two instances on one engine never
 * collide, and cleanup finds each object by the key it chose. */
static GUID random_guid(void)
{
	struct timespec ts;
	GUID g;

	if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g)) {
		static unsigned seq;

		clock_gettime(CLOCK_REALTIME, &ts);
		memset(&g, 0, sizeof(g));
		g.Data1 = (UINT32)getpid();
		g.Data2 = (UINT16)++seq;
		memcpy(g.Data4, &ts.tv_nsec, sizeof(ts.tv_nsec) < 8 ? sizeof(ts.tv_nsec) : 8);
	}
	g.Data1 |= 1;	/* never the zero key, which names no object */
	return g;
}

static bool v6(const struct keyer *k)
{
	return k->o->local.v == FWP_IP_VERSION_V6;
}

/* ---- policy ------------------------------------------------------------ */

static int add_provider(struct keyer *k)
{
	FWPM_PROVIDER0 p;
	FWPM_SUBLAYER0 sl;

	memset(&p, 0, sizeof(p));
	p.providerKey = k->provider_key = random_guid();
	p.displayData.name = L"static_keying";
	p.displayData.description = L"example keying module with static keys";
	CALL("FwpmProviderAdd0", FwpmProviderAdd0(k->policy, &p, NULL));
	k->have_provider = true;
	if (k->o->tunnel)
		return 0;	/* the tunnel's filters have their sublayer */
	memset(&sl, 0, sizeof(sl));
	sl.subLayerKey = k->sublayer_key = random_guid();
	sl.displayData.name = L"static_keying";
	sl.providerKey = &k->provider_key;
	sl.weight = SUBLAYER_WEIGHT;
	CALL("FwpmSubLayerAdd0", FwpmSubLayerAdd0(k->policy, &sl, NULL));
	k->have_sublayer = true;
	return 0;
}

/* A filter and the values its conditions point to. */
struct filter_parts {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[3];
	FWP_BYTE_ARRAY16 a16;
	FWP_V4_ADDR_AND_MASK m4;
	FWP_V6_ADDR_AND_MASK m6;
};

static FWPM_FILTER_CONDITION0 *cond_next(struct filter_parts *p, const GUID *field)
{
	FWPM_FILTER_CONDITION0 *c = &p->c[p->f.numFilterConditions++];

	c->fieldKey = *field;
	c->matchType = FWP_MATCH_EQUAL;
	return c;
}

/* An exact address: FWP_UINT32 (host order) or FWP_BYTE_ARRAY16 (network
 * order, as filter conditions hold IPv6). */
static void cond_addr(struct filter_parts *p, const GUID *field, const struct addr *a)
{
	FWPM_FILTER_CONDITION0 *c = cond_next(p, field);

	if (a->v == FWP_IP_VERSION_V4) {
		c->conditionValue.type = FWP_UINT32;
		c->conditionValue.uint32 = addr_v4(a);
	} else {
		memcpy(p->a16.byteArray16, a->net, 16);
		c->conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
		c->conditionValue.byteArray16 = &p->a16;
	}
}

/* A prefix as FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK, for FWP_MATCH_EQUAL:
 * the shape policy_classify.c turns into an address range. */
static void prefix_value(FWP_CONDITION_VALUE0 *v, const struct prefix *pf,
			 FWP_V4_ADDR_AND_MASK *m4, FWP_V6_ADDR_AND_MASK *m6)
{
	if (pf->a.v == FWP_IP_VERSION_V4) {
		m4->addr = addr_v4(&pf->a);
		m4->mask = pf->len ? 0xFFFFFFFFu << (32 - pf->len) : 0;
		v->type = FWP_V4_ADDR_MASK;
		v->v4AddrMask = m4;
	} else {
		memcpy(m6->addr, pf->a.net, 16);
		m6->prefixLength = (UINT8)pf->len;
		v->type = FWP_V6_ADDR_MASK;
		v->v6AddrMask = m6;
	}
}

static void cond_prefix(struct filter_parts *p, const GUID *field, const struct prefix *pf)
{
	prefix_value(&cond_next(p, field)->conditionValue, pf, &p->m4, &p->m6);
}

static void filter_init(struct keyer *k, struct filter_parts *p, const wchar_t *name,
			const GUID *layer, const GUID *sublayer, UINT8 weight)
{
	memset(p, 0, sizeof(*p));
	p->f.displayData.name = (wchar_t *)name;
	p->f.providerKey = &k->provider_key;
	p->f.layerKey = *layer;
	p->f.subLayerKey = *sublayer;
	p->f.weight.type = FWP_UINT8;
	p->f.weight.uint8 = weight;
	p->f.filterCondition = p->c;
}

/* --filters: the IPsec transport callouts for traffic to --remote. */
static int add_transport_filters(struct keyer *k)
{
	struct filter_parts p;
	bool six = v6(k);

	filter_init(k, &p, L"static_keying IPsec outbound",
		    six ? &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 : &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		    &k->sublayer_key, WEIGHT_IPSEC);
	p.f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	p.f.action.calloutKey = six ? FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6
				    : FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	cond_addr(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, &k->o->remote);
	CALL("FwpmFilterAdd0 (outbound IPsec)", FwpmFilterAdd0(k->policy, &p.f, NULL,
								&k->filter_out));

	filter_init(k, &p, L"static_keying IPsec inbound",
		    six ? &FWPM_LAYER_INBOUND_TRANSPORT_V6 : &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		    &k->sublayer_key, WEIGHT_IPSEC);
	p.f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	p.f.action.calloutKey = six ? FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6
				    : FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
	cond_addr(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, &k->o->remote);
	CALL("FwpmFilterAdd0 (inbound IPsec)", FwpmFilterAdd0(k->policy, &p.f, NULL,
							       &k->filter_in));
	info("filters: outbound %llu, inbound %llu (IP_REMOTE_ADDRESS)",
	     (unsigned long long)k->filter_out, (unsigned long long)k->filter_in);
	return 0;
}

/* --block: above the IPsec filters of the same sublayer, for the traffic
 * those filters protect (transport: --remote; tunnel: the inner prefix). */
static int add_blocks(struct keyer *k)
{
	const struct opts *o = k->o;
	struct filter_parts p;
	bool six = v6(k);

	for (unsigned i = 0; i < o->nr_blocks; i++) {
		const struct block *b = &o->blocks[i];
		FWPM_FILTER_CONDITION0 *c;

		filter_init(k, &p, L"static_keying block",
			    six ? &FWPM_LAYER_OUTBOUND_TRANSPORT_V6
				: &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
			    o->tunnel ? &FWPM_SUBLAYER_IPSEC_TUNNEL : &k->sublayer_key,
			    WEIGHT_BLOCK);
		p.f.action.type = FWP_ACTION_BLOCK;
		if (o->tunnel)
			cond_prefix(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, &o->inner_remote);
		else
			cond_addr(&p, &FWPM_CONDITION_IP_REMOTE_ADDRESS, &o->remote);
		c = cond_next(&p, &FWPM_CONDITION_IP_PROTOCOL);
		c->conditionValue.type = FWP_UINT8;
		c->conditionValue.uint8 = b->proto;
		if (b->has_port) {
			c = cond_next(&p, &FWPM_CONDITION_IP_REMOTE_PORT);
			c->conditionValue.type = FWP_UINT16;
			c->conditionValue.uint16 = b->port;
		}
		CALL("FwpmFilterAdd0 (block)", FwpmFilterAdd0(k->policy, &p.f, NULL,
							       &k->block_ids[i]));
		k->nr_block_ids++;
		if (b->has_port)
			info("block filter %llu: protocol %u, remote port %u",
			     (unsigned long long)k->block_ids[i], b->proto, b->port);
		else
			info("block filter %llu: protocol %u",
			     (unsigned long long)k->block_ids[i], b->proto);
	}
	return 0;
}

/* The QM tunnel policy: endpoints, and one proposal naming the transform
 * the SAs use (the engine stores it; this module negotiates nothing). */
struct tunnel_parts {
	FWPM_PROVIDER_CONTEXT0 pc;
	IPSEC_TUNNEL_POLICY0 policy;
	IPSEC_PROPOSAL0 proposal;
	IPSEC_SA_TRANSFORM0 tr;
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 ac;
	FWPM_FILTER_CONDITION0 c[2];
	FWP_V4_ADDR_AND_MASK m4[2];
	FWP_V6_ADDR_AND_MASK m6[2];
};

static void tunnel_build(struct keyer *k, struct tunnel_parts *t)
{
	const struct opts *o = k->o;
	IPSEC_TUNNEL_ENDPOINTS0 *ep = &t->policy.tunnelEndpoints;

	memset(t, 0, sizeof(*t));
	t->ac.authTransform.authTransformId = o->xf->auth;
	t->ac.cipherTransform.cipherTransformId = o->xf->cipher;
	t->tr.ipsecTransformType = o->xf->type;
	if (o->xf->type == IPSEC_TRANSFORM_ESP_AUTH)
		t->tr.espAuthTransform = &t->ac.authTransform;
	else
		t->tr.espAuthAndCipherTransform = &t->ac;
	t->proposal.lifetime = o->lifetime;
	t->proposal.numSaTransforms = 1;
	t->proposal.saTransforms = &t->tr;
	t->proposal.pfsGroup = IPSEC_PFS_NONE;
	t->policy.numIpsecProposals = 1;
	t->policy.ipsecProposals = &t->proposal;
	t->policy.saIdleTimeout.idleTimeoutSeconds = o->idle_seconds;
	t->policy.saIdleTimeout.idleTimeoutSecondsFailOver = o->idle_seconds;
	ep->ipVersion = o->local.v;
	if (o->local.v == FWP_IP_VERSION_V4) {
		ep->localV4Address = addr_v4(&o->local);
		ep->remoteV4Address = addr_v4(&o->remote);
	} else {
		reverse16(o->local.net, ep->localV6Address);
		reverse16(o->remote.net, ep->remoteV6Address);
	}
	t->pc.providerContextKey = k->tunnel_key = random_guid();
	t->pc.displayData.name = L"static_keying tunnel";
	t->pc.providerKey = &k->provider_key;
	t->pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	t->pc.ikeQmTunnelPolicy = &t->policy;
	t->c[0].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	t->c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	t->c[0].matchType = t->c[1].matchType = FWP_MATCH_EQUAL;
	prefix_value(&t->c[0].conditionValue, &o->inner_local, &t->m4[0], &t->m6[0]);
	prefix_value(&t->c[1].conditionValue, &o->inner_remote, &t->m4[1], &t->m6[1]);
}

static int add_tunnel(struct keyer *k)
{
	struct tunnel_parts t;
	FWPM_PROVIDER_CONTEXT0 *pc = NULL;

	tunnel_build(k, &t);
	CALL("FwpmIPsecTunnelAdd0", FwpmIPsecTunnelAdd0(k->policy, 0, NULL, &t.pc, 2, t.c, NULL));
	k->have_tunnel = true;
	/* The SA context names the tunnel by the runtime id of its QM context. */
	CALL("FwpmProviderContextGetByKey0",
	     FwpmProviderContextGetByKey0(k->policy, &k->tunnel_key, &pc));
	k->tunnel_policy_id = pc->providerContextId;
	FwpmFreeMemory0((void **)&pc);
	info("tunnel policy: provider context %llu", (unsigned long long)k->tunnel_policy_id);
	return 0;
}

static int add_policy(struct keyer *k)
{
	const struct opts *o = k->o;
	FWPM_SESSION0 s;

	if (!o->tunnel && !o->filters && !o->nr_blocks)
		return 0;
	memset(&s, 0, sizeof(s));
	s.displayData.name = L"static_keying policy";
	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	CALL("FwpmEngineOpen0 (policy session)",
	     FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, &s, &k->policy));
	if (add_provider(k))
		return 1;
	if (o->tunnel && add_tunnel(k))
		return 1;
	if (o->filters && add_transport_filters(k))
		return 1;
	return add_blocks(k);
}

/* ---- the SA pair ------------------------------------------------------- */

struct bundle_parts {
	IPSEC_SA_BUNDLE0 bundle;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;	/* ac.saAuthInformation: auth-only SAs */
};

static void bundle_build(const struct opts *o, struct bundle_parts *p, UINT32 spi,
			 const struct key *key, const struct key *auth_key)
{
	const struct xform *x = o->xf;
	IPSEC_SA_CIPHER_INFORMATION0 *ci = &p->ac.saCipherInformation;
	IPSEC_SA_AUTH_INFORMATION0 *ai = &p->ac.saAuthInformation;
	FWP_BYTE_BLOB k = { key->len, (UINT8 *)key->b };

	memset(p, 0, sizeof(*p));
	ci->cipherTransform.cipherTransformId = x->cipher;
	ai->authTransform.authTransformId = x->auth;
	if (x->type == IPSEC_TRANSFORM_ESP_AUTH) {
		/* GMAC: key+salt is the auth key; HMAC: the auth key. */
		if (x->key_len)
			ai->authKey = k;
		else
			ai->authKey = (FWP_BYTE_BLOB){ auth_key->len, (UINT8 *)auth_key->b };
		p->sa.espAuthInformation = ai;
	} else {
		ci->cipherKey = k;
		if (x->auth_key_len)
			ai->authKey = (FWP_BYTE_BLOB){ auth_key->len, (UINT8 *)auth_key->b };
		else
			ai->authKey = k;	/* GCM: the same blob, as Windows clients give it */
		p->sa.espAuthAndCipherInformation = &p->ac;
	}
	p->sa.spi = spi;
	p->sa.saTransformType = x->type;
	p->bundle.lifetime = o->lifetime;
	p->bundle.idleTimeoutSeconds = o->idle_seconds;
	p->bundle.numSAs = 1;
	p->bundle.saList = &p->sa;
	p->bundle.ipVersion = o->local.v;
}

static void traffic_build(struct keyer *k, IPSEC_TRAFFIC1 *t, UINT64 filter_id)
{
	memset(t, 0, sizeof(*t));
	/* Tunnel mode: the traffic's addresses are the tunnel endpoints. */
	traffic_set(t, &k->o->local, &k->o->remote);
	if (k->o->tunnel) {
		t->trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
		t->tunnelPolicyId = k->tunnel_policy_id;
	} else {
		t->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
		t->ipsecFilterId = filter_id;
	}
}

static DWORD natt_set(struct keyer *k, const IPSEC_V4_UDP_ENCAPSULATION0 *encap);

static int install(struct keyer *k)
{
	const struct opts *o = k->o;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 getspi;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = o->encap;
	struct bundle_parts p;
	UINT64 id = 0;
	DWORD rc;

	traffic_build(k, &t, k->filter_out);
	CALL("IPsecSaContextCreate1", IPsecSaContextCreate1(k->engine, &t, NULL, NULL, &id));
	k->id = id;
	events_set_id(id);

	memset(&getspi, 0, sizeof(getspi));
	traffic_build(k, &getspi.inboundIpsecTraffic, k->filter_in);
	getspi.ipVersion = o->local.v;
	if (o->natt)
		getspi.inboundUdpEncapsulation = &encap;
	CALL("IPsecSaContextSetSpi0", IPsecSaContextSetSpi0(k->engine, id, &getspi, o->spi_in));

	bundle_build(o, &p, o->spi_in, &o->key_in, &o->auth_in);
	rc = IPsecSaContextAddInbound0(k->engine, id, &p.bundle);
	explicit_bzero(&p, sizeof(p));
	if (rc)
		return fail("IPsecSaContextAddInbound0", rc);
	bundle_build(o, &p, o->spi_out, &o->key_out, &o->auth_out);
	rc = IPsecSaContextAddOutbound0(k->engine, id, &p.bundle);
	explicit_bzero(&p, sizeof(p));
	if (rc)
		return fail("IPsecSaContextAddOutbound0", rc);
	/* A bundle carries no NAT-T setting: the outbound SA gets it by
	 * Update0, as strongSwan does. */
	if (o->natt)
		CALL("IPsecSaContextUpdate0 (NAT-T)", natt_set(k, &encap));
	info("SA pair installed: context %llu, %s, %s, spi in 0x%08x out 0x%08x%s",
	     (unsigned long long)id, o->tunnel ? "tunnel" : "transport", o->xf->name,
	     o->spi_in, o->spi_out, o->natt ? ", NAT-T" : "");
	return 0;
}

static int setup(struct keyer *k)
{
	FWPM_SESSION0 s;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;

	memset(&s, 0, sizeof(s));
	s.displayData.name = L"static_keying";
	CALL("FwpmEngineOpen0", FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, &s, &k->engine));
	memset(&sub, 0, sizeof(sub));
	CALL("FwpxSaContextSubscribe0",
	     FwpxSaContextSubscribe0(k->engine, &sub, FWPX_EVENT_MASK_ALL, on_event, NULL,
				     &k->events));
	if (add_policy(k))
		return 1;
	return install(k);
}

/* One cleanup step: reports a failure (other than `benign`) and keeps the
 * first one in *first. */
static DWORD step(DWORD *first, const char *what, DWORD rc, DWORD benign)
{
	if (rc == ERROR_SUCCESS || rc == benign)
		return rc;
	fprintf(stderr, PROG ": cleanup: %s failed: %s (0x%08x)\n", what, err_name(rc),
		(unsigned)rc);
	if (!*first)
		*first = rc;
	return rc;
}

/* The SA context first: it references the filters or the tunnel. A context
 * already gone (its lifetime ended) is not an error. */
static void delete_context(struct keyer *k, DWORD *first)
{
	DWORD rc;

	if (!k->id || k->gone)
		return;
	rc = step(first, "IPsecSaContextDeleteById0",
		  IPsecSaContextDeleteById0(k->engine, k->id), FWP_E_NOT_FOUND);
	k->gone = true;
	if (rc != ERROR_SUCCESS)
		return;
	/* Let the DELETE event through before unsubscribing: whoever reads
	 * stdout sees the context go. */
	pthread_mutex_lock(&out_lock);
	wait_seen(EV_DELETE, 1);
	pthread_mutex_unlock(&out_lock);
}

static void delete_policy(struct keyer *k, DWORD *first)
{
	while (k->nr_block_ids)
		step(first, "FwpmFilterDeleteById0 (block)",
		     FwpmFilterDeleteById0(k->policy, k->block_ids[--k->nr_block_ids]), 0);
	if (k->filter_out)
		step(first, "FwpmFilterDeleteById0 (outbound)",
		     FwpmFilterDeleteById0(k->policy, k->filter_out), 0);
	if (k->filter_in)
		step(first, "FwpmFilterDeleteById0 (inbound)",
		     FwpmFilterDeleteById0(k->policy, k->filter_in), 0);
	k->filter_out = k->filter_in = 0;
	if (k->have_tunnel)
		step(first, "FwpmIPsecTunnelDeleteByKey0",
		     FwpmIPsecTunnelDeleteByKey0(k->policy, &k->tunnel_key), 0);
	if (k->have_sublayer)
		step(first, "FwpmSubLayerDeleteByKey0",
		     FwpmSubLayerDeleteByKey0(k->policy, &k->sublayer_key), 0);
	if (k->have_provider)
		step(first, "FwpmProviderDeleteByKey0",
		     FwpmProviderDeleteByKey0(k->policy, &k->provider_key), 0);
	k->have_tunnel = k->have_sublayer = k->have_provider = false;
}

/* Everything this module added, newest first, then its sessions. Keeps
 * going past failures (what the dynamic session holds goes with it
 * anyway); returns the first. */
static DWORD cleanup(struct keyer *k)
{
	DWORD first = ERROR_SUCCESS;

	delete_context(k, &first);
	if (k->policy)
		delete_policy(k, &first);
	/* Waits for a running callback: nothing prints after this. */
	if (k->events)
		IPsecSaContextUnsubscribe0(k->engine, k->events);
	k->events = NULL;
	if (k->policy)
		FwpmEngineClose0(k->policy);
	if (k->engine)
		FwpmEngineClose0(k->engine);
	k->policy = k->engine = NULL;
	return first;
}

/* ---- commands ---------------------------------------------------------- */

#define REPLY_MAX 256

static void reply_ok(const char *text)
{
	pthread_mutex_lock(&out_lock);
	out_line(*text ? "ok %s" : "ok", text);
	pthread_mutex_unlock(&out_lock);
}

static void reply_error(DWORD rc)
{
	/* FwpxErrorName0 names the API's codes only; a wait that ran out is
	 * the module's own TIMEOUT. */
	const char *name = rc == ERROR_TIMEOUT ? "TIMEOUT" : err_name(rc);

	pthread_mutex_lock(&out_lock);
	out_line("error %s 0x%08x", name, (unsigned)rc);
	pthread_mutex_unlock(&out_lock);
}

static const char *state_text(const struct keyer *k, const IPSEC_SA_CONTEXT1 *c)
{
	if (c->inboundSa && c->outboundSa)
		return "MATURE";
	if (c->inboundSa)
		return k->expired ? "EXPIRING" : "INBOUND";
	return "CREATED";
}

static DWORD cmd_show(struct keyer *k, int argc, char **argv, char *reply)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	const IPSEC_SA_DETAILS1 *d;
	const IPSEC_V4_UDP_ENCAPSULATION0 *e;
	char remote[INET6_ADDRSTRLEN] = "-";
	struct addr a;
	DWORD rc;

	if (argc != 1)
		return ERROR_INVALID_PARAMETER;
	rc = IPsecSaContextGetById1(k->engine, k->id, &c);
	if (rc)
		return rc;
	d = c->outboundSa ? c->outboundSa : c->inboundSa;
	e = d ? d->udpEncapsulation : NULL;
	if (d) {
		traffic_remote(&d->traffic, &a);
		addr_text(&a, remote, sizeof(remote));
	}
	snprintf(reply, REPLY_MAX, "id=%llu state=%s natt=%s lport=%u rport=%u remote=%s",
		 (unsigned long long)c->saContextId, state_text(k, c), e ? "on" : "off",
		 e ? e->localUdpEncapPort : 0, e ? e->remoteUdpEncapPort : 0, remote);
	FwpmFreeMemory0((void **)&c);
	return ERROR_SUCCESS;
}

/* GetById1, patch the live sides, Update0: strongSwan's way of changing a
 * live SA pair. Pointers inside the result may be overwritten: freeing it
 * never follows them. */
static DWORD natt_set(struct keyer *k, const IPSEC_V4_UDP_ENCAPSULATION0 *encap)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	DWORD rc = IPsecSaContextGetById1(k->engine, k->id, &c);

	if (rc)
		return rc;
	if (c->inboundSa)
		c->inboundSa->udpEncapsulation = (IPSEC_V4_UDP_ENCAPSULATION0 *)encap;
	if (c->outboundSa)
		c->outboundSa->udpEncapsulation = (IPSEC_V4_UDP_ENCAPSULATION0 *)encap;
	rc = IPsecSaContextUpdate0(k->engine, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, c);
	FwpmFreeMemory0((void **)&c);
	return rc;
}

static DWORD cmd_natt(struct keyer *k, int argc, char **argv, char *reply)
{
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	unsigned long long l, r;
	DWORD rc;

	if (argc == 2 && !strcmp(argv[1], "off")) {
		rc = natt_set(k, NULL);
		if (!rc)
			snprintf(reply, REPLY_MAX, "natt=off");
		return rc;
	}
	if (argc != 4 || strcmp(argv[1], "on") || !num_parse(argv[2], 65535, &l) ||
	    !num_parse(argv[3], 65535, &r))
		return ERROR_INVALID_PARAMETER;
	/* Zero ports and IPv6 are the engine's to refuse. */
	encap.localUdpEncapPort = (UINT16)l;
	encap.remoteUdpEncapPort = (UINT16)r;
	rc = natt_set(k, &encap);
	if (!rc)
		snprintf(reply, REPLY_MAX, "natt=on lport=%u rport=%u",
			 (unsigned)l, (unsigned)r);
	return rc;
}

/* The peer moved. The traffic's remote address is the peer (transport) or
 * the remote tunnel endpoint (tunnel); the binding stays as it is, which
 * Update0 requires. The IP version cannot change here: the local address
 * would have to change with it. */
static DWORD cmd_move(struct keyer *k, int argc, char **argv, char *reply)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct addr a;
	char text[INET6_ADDRSTRLEN];
	DWORD rc;

	if (argc != 2 || !addr_parse(argv[1], &a) || a.v != k->o->local.v)
		return ERROR_INVALID_PARAMETER;
	rc = IPsecSaContextGetById1(k->engine, k->id, &c);
	if (rc)
		return rc;
	if (c->inboundSa)
		traffic_set_remote(&c->inboundSa->traffic, &a);
	if (c->outboundSa)
		traffic_set_remote(&c->outboundSa->traffic, &a);
	rc = IPsecSaContextUpdate0(k->engine, IPSEC_SA_DETAILS_UPDATE_TRAFFIC, c);
	FwpmFreeMemory0((void **)&c);
	if (!rc) {
		addr_text(&a, text, sizeof(text));
		snprintf(reply, REPLY_MAX, "remote=%s", text);
	}
	return rc;
}

static DWORD cmd_expire(struct keyer *k, int argc, char **argv, char *reply)
{
	DWORD rc;

	if (argc != 1)
		return ERROR_INVALID_PARAMETER;
	rc = IPsecSaContextExpire0(k->engine, k->id);
	if (!rc)
		k->expired = true;
	return rc;
}

static DWORD cmd_delete(struct keyer *k, int argc, char **argv, char *reply)
{
	DWORD rc;

	if (argc != 1)
		return ERROR_INVALID_PARAMETER;
	rc = IPsecSaContextDeleteById0(k->engine, k->id);
	if (!rc)
		k->gone = true;
	return rc;
}

static bool signal_pending(const struct keyer *k)
{
	struct pollfd p = { .fd = k->sigfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Waits in slices, so that SIGTERM still ends the module promptly. */
static DWORD cmd_wait_event(struct keyer *k, int argc, char **argv, char *reply)
{
	struct timespec end, slice;
	double seconds;
	char *stop;
	int i;
	bool seen;

	if (argc != 3)
		return ERROR_INVALID_PARAMETER;
	for (i = 0; i < EV_COUNT; i++)
		if (!strcasecmp(argv[1], event_names[i]))
			break;
	seconds = strtod(argv[2], &stop);
	if (i == EV_COUNT || *stop || stop == argv[2] || !(seconds >= 0 && seconds <= 86400))
		return ERROR_INVALID_PARAMETER;
	deadline_after(&end, seconds);
	pthread_mutex_lock(&out_lock);
	while (!(seen = evs.seen[i] > 0)) {
		deadline_after(&slice, 0.05);
		if (before(&end, &slice))
			slice = end;
		if (pthread_cond_timedwait(&event_cond, &out_lock, &slice) == ETIMEDOUT &&
		    !before(&slice, &end))
			break;
		if (signal_pending(k))
			break;
	}
	seen = evs.seen[i] > 0;
	pthread_mutex_unlock(&out_lock);
	if (!seen)
		return ERROR_TIMEOUT;
	snprintf(reply, REPLY_MAX, "%s", event_names[i]);
	return ERROR_SUCCESS;
}

typedef DWORD (*cmd_fn)(struct keyer *k, int argc, char **argv, char *reply);

static const struct {
	const char *name;
	cmd_fn fn;
} commands[] = {
	{ "show", cmd_show },
	{ "natt", cmd_natt },
	{ "move", cmd_move },
	{ "expire", cmd_expire },
	{ "delete", cmd_delete },
	{ "wait-event", cmd_wait_event },
};

/* One command line; false when the module is to stop (quit). */
static bool run_command(struct keyer *k, char *line, int *status)
{
	char *argv[8], *save = NULL, reply[REPLY_MAX] = "";
	int argc = 0;
	DWORD rc;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (argc == (int)N(argv)) {
			reply_error(ERROR_INVALID_PARAMETER);
			return true;
		}
		argv[argc++] = t;
	}
	if (!argc || argv[0][0] == '#')
		return true;	/* blank lines and comments get no answer */
	if (!strcmp(argv[0], "quit")) {
		if (argc != 1) {
			reply_error(ERROR_INVALID_PARAMETER);
			return true;
		}
		rc = cleanup(k);
		if (rc)
			reply_error(rc);
		else
			reply_ok("");
		*status = rc ? 1 : 0;
		return false;
	}
	for (size_t i = 0; i < N(commands); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		rc = commands[i].fn(k, argc, argv, reply);
		if (rc)
			reply_error(rc);
		else
			reply_ok(reply);
		return true;
	}
	reply_error(ERROR_NOT_SUPPORTED);
	return true;
}

/* ---- the main loop ------------------------------------------------------- */

struct line_buf {
	char buf[LINE_MAX_LEN];
	size_t len;
	bool overlong;		/* discarding up to the next newline */
};

/* Runs every complete line in lb; false when a command ended the module. */
static bool run_lines(struct keyer *k, struct line_buf *lb, int *status)
{
	char *nl;

	while ((nl = memchr(lb->buf, '\n', lb->len))) {
		size_t n = (size_t)(nl - lb->buf) + 1;
		bool go_on = true;

		*nl = '\0';
		if (lb->overlong)
			lb->overlong = false;
		else
			go_on = run_command(k, lb->buf, status);
		memmove(lb->buf, lb->buf + n, lb->len - n);
		lb->len -= n;
		if (!go_on)
			return false;
	}
	if (lb->len == sizeof(lb->buf)) {
		if (!lb->overlong)
			reply_error(ERROR_INVALID_PARAMETER);
		lb->overlong = true;
		lb->len = 0;
	}
	return true;
}

static int serve(struct keyer *k)
{
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = k->sigfd, .events = POLLIN },
	};
	struct line_buf lb = { .len = 0 };
	int status = 0;

	for (;;) {
		ssize_t n;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents) {
			struct signalfd_siginfo si;

			if (read(k->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				info("signal %u: cleaning up", si.ssi_signo);
			break;
		}
		if (!fds[0].revents)
			continue;
		n = read(STDIN_FILENO, lb.buf + lb.len, sizeof(lb.buf) - lb.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EOF: a last line without its newline still counts. */
			if (lb.len && !lb.overlong && lb.len < sizeof(lb.buf)) {
				lb.buf[lb.len++] = '\n';
				if (!run_lines(k, &lb, &status))
					return status;
			}
			break;
		}
		lb.len += (size_t)n;
		if (!run_lines(k, &lb, &status))
			return status;
	}
	return cleanup(k) ? 1 : 0;
}

/* SIGTERM and SIGINT arrive through a signalfd; blocked before the library
 * starts its threads, so that none of them takes the signal. */
static int signals_init(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void event_cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&event_cond, &a);
	pthread_condattr_destroy(&a);
}

/* The context's ADD event comes on the callback thread, maybe after
 * Create1 has returned: wait for it a little, so that it precedes ready. */
static void ready(struct keyer *k)
{
	pthread_mutex_lock(&out_lock);
	wait_seen(EV_ADD, 2);
	out_line("ready id=%llu", (unsigned long long)k->id);
	pthread_mutex_unlock(&out_lock);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct keyer k;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	quiet = o.quiet;
	if (check_keys(&o)) {
		explicit_bzero(&o, sizeof(o));
		return 1;
	}
	memset(&k, 0, sizeof(k));
	k.o = &o;
	event_cond_init();
	k.sigfd = signals_init();
	if (k.sigfd < 0) {
		perror(PROG ": signalfd");
		return 1;
	}
	if (setup(&k)) {
		cleanup(&k);
		explicit_bzero(&o, sizeof(o));
		return 1;
	}
	/* The engine holds its own copy of the keys now. */
	explicit_bzero(&o.key_in, sizeof(o.key_in));
	explicit_bzero(&o.key_out, sizeof(o.key_out));
	explicit_bzero(&o.auth_in, sizeof(o.auth_in));
	explicit_bzero(&o.auth_out, sizeof(o.auth_out));
	ready(&k);
	rc = serve(&k);
	close(k.sigfd);
	return rc;
}
