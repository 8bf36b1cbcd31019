/* ims_keying.c - an IMS user agent's keying, as Doubango's tinyIPSec drives
 * the Windows API (tipsec_vista.c; SIP over IPsec, 3GPP TS 33.203).
 *
 * The UE (or P-CSCF) has a client port and a server port. For each of its
 * two ports it adds, in its session (not a dynamic one: SA contexts cannot
 * be created in one; the filters are deleted at the end), an outbound and an inbound IPsec
 * transport filter with the conditions tinyIPSec gives them (IP_LOCAL_ADDRESS,
 * IP_REMOTE_ADDRESS, IP_LOCAL_PORT, IP_PROTOCOL), creates an SA context with
 * IPsecSaContextCreate0 bound to the outbound filter, and asks
 * IPsecSaContextGetSpi0 for the inbound SPI (bound to the inbound filter).
 * Four SAs in all, transport mode:
 *
 *   inbound  spi_c: peer's server port -> our client port
 *   outbound peer's spi_s: our client port -> peer's server port
 *   inbound  spi_s: peer's client port -> our server port
 *   outbound peer's spi_c: our server port -> peer's client port
 *
 * The SPIs travel in SIP (Security-Client/Server headers); here:
 *   stdout  "spi C S"           our inbound SPIs, after GetSpi0
 *   stdin   "peer C S"          the peer's (its client and server port's)
 *   stdout  "ready"             after AddInbound0 and AddOutbound0 of both
 *   stdin   "quit" (or EOF)     everything deleted; "deleted", exit 0
 * One key for every SA (IK/CK from AKA in IMS: --key, --auth-key).
 * Exit 1: a call failed (its name and code on stderr); 2: usage.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwpmu.h>

#define PROG "ims_keying"

struct xform {
	const char *name;
	IPSEC_TRANSFORM_TYPE type;
	IPSEC_CIPHER_TRANSFORM_ID0 cipher;
	IPSEC_AUTH_TRANSFORM_ID0 auth;
	unsigned key_len, auth_len;
};

#define CIPHER(t, c) { IPSEC_CIPHER_TYPE_##t, IPSEC_CIPHER_CONFIG_##c }
#define AUTH(t, c) { IPSEC_AUTH_##t, IPSEC_AUTH_CONFIG_##c }
#define NO_CIPHER { (IPSEC_CIPHER_TYPE)0, 0 }

/* What TS 33.203 allows: HMAC-MD5-96 and HMAC-SHA-1-96, with NULL (ESP
 * authentication only), AES-CBC or 3DES-CBC. */
static const struct xform xforms[] = {
	{ "null-md5", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER, AUTH(MD5, HMAC_MD5_96), 0, 16 },
	{ "null-sha1", IPSEC_TRANSFORM_ESP_AUTH, NO_CIPHER, AUTH(SHA_1, HMAC_SHA_1_96), 0, 20 },
	{ "aes-md5", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, CBC_AES_128),
	  AUTH(MD5, HMAC_MD5_96), 16, 16 },
	{ "aes-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(AES_128, CBC_AES_128),
	  AUTH(SHA_1, HMAC_SHA_1_96), 16, 20 },
	{ "3des-md5", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(3DES, CBC_3DES),
	  AUTH(MD5, HMAC_MD5_96), 24, 16 },
	{ "3des-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, CIPHER(3DES, CBC_3DES),
	  AUTH(SHA_1, HMAC_SHA_1_96), 24, 20 },
};

struct addr {
	FWP_IP_VERSION v;
	UINT8 net[16];
};

/* One port of ours: its two filters and its SA context. */
struct port {
	UINT16 port;
	UINT64 filter_out, filter_in, ctx;
	IPSEC_SA_SPI spi;		/* ours, inbound */
	IPSEC_SA_SPI peer_spi;		/* the peer's port it talks to */
};

struct ims {
	struct addr local, remote;
	UINT8 proto;
	const struct xform *xf;
	UINT8 key[32], auth[32];
	HANDLE engine;
	struct port c, s;
};

static int fail(const char *what, DWORD rc)
{
	fprintf(stderr, PROG ": %s: 0x%08x\n", what, (unsigned)rc);
	return 1;
}

#define CALL(what, expr)                         \
	do {                                     \
		DWORD rc_ = (expr);              \
		if (rc_)                         \
			return fail(what, rc_);  \
	} while (0)

static bool v6(const struct ims *m)
{
	return m->local.v == FWP_IP_VERSION_V6;
}

/* ---- filters: tinyIPSec's four conditions ---- */

struct filter_parts {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[4];
	FWP_BYTE_ARRAY16 a16[2];
};

static UINT32 host4(const struct addr *a)
{
	UINT32 n;

	memcpy(&n, a->net, 4);
	return ntohl(n);
}

static void cond_addr(FWPM_FILTER_CONDITION0 *c, const GUID *field, const struct addr *a,
		      FWP_BYTE_ARRAY16 *a16)
{
	c->fieldKey = *field;
	c->matchType = FWP_MATCH_EQUAL;
	if (a->v == FWP_IP_VERSION_V4) {
		c->conditionValue.type = FWP_UINT32;
		c->conditionValue.uint32 = host4(a);
	} else {
		memcpy(a16->byteArray16, a->net, 16);
		c->conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
		c->conditionValue.byteArray16 = a16;
	}
}

static int add_filter(struct ims *m, struct port *p, bool outbound)
{
	struct filter_parts fp;
	FWPM_FILTER0 *f = &fp.f;

	memset(&fp, 0, sizeof(fp));
	f->displayData.name = outbound ? L"ims outbound" : L"ims inbound";
	if (outbound) {
		f->layerKey = v6(m) ? FWPM_LAYER_OUTBOUND_TRANSPORT_V6 :
				      FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
		f->action.calloutKey = v6(m) ? FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6 :
					       FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	} else {
		f->layerKey = v6(m) ? FWPM_LAYER_INBOUND_TRANSPORT_V6 :
				      FWPM_LAYER_INBOUND_TRANSPORT_V4;
		f->action.calloutKey = v6(m) ? FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6 :
					       FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
	}
	f->action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f->weight.type = FWP_EMPTY;	/* the engine weighs it */
	f->filterCondition = fp.c;
	f->numFilterConditions = 4;
	cond_addr(&fp.c[0], &FWPM_CONDITION_IP_LOCAL_ADDRESS, &m->local, &fp.a16[0]);
	cond_addr(&fp.c[1], &FWPM_CONDITION_IP_REMOTE_ADDRESS, &m->remote, &fp.a16[1]);
	fp.c[2].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	fp.c[2].matchType = FWP_MATCH_EQUAL;
	fp.c[2].conditionValue.type = FWP_UINT16;
	fp.c[2].conditionValue.uint16 = p->port;
	fp.c[3].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	fp.c[3].matchType = FWP_MATCH_EQUAL;
	fp.c[3].conditionValue.type = FWP_UINT8;
	fp.c[3].conditionValue.uint8 = m->proto;
	CALL(outbound ? "FwpmFilterAdd0 (outbound)" : "FwpmFilterAdd0 (inbound)",
	     FwpmFilterAdd0(m->engine, f, NULL, outbound ? &p->filter_out : &p->filter_in));
	return 0;
}

/* ---- SA contexts ---- */

static void traffic(const struct ims *m, IPSEC_TRAFFIC0 *t, UINT64 filter)
{
	memset(t, 0, sizeof(*t));
	t->ipVersion = m->local.v;
	if (!v6(m)) {
		t->localV4Address = host4(&m->local);
		t->remoteV4Address = host4(&m->remote);
	} else {
		/* byte-reversed, as IPSEC_TRAFFIC holds IPv6 (docs/CONTRACT.md) */
		for (int i = 0; i < 16; i++) {
			t->localV6Address[i] = m->local.net[15 - i];
			t->remoteV6Address[i] = m->remote.net[15 - i];
		}
	}
	t->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	t->ipsecFilterId = filter;
}

/* Filters, Create0, GetSpi0: what happens before the SPIs go into SIP. */
static int create_local(struct ims *m, struct port *p)
{
	IPSEC_TRAFFIC0 t;
	IPSEC_GETSPI0 gs;

	if (add_filter(m, p, true) || add_filter(m, p, false))
		return 1;
	traffic(m, &t, p->filter_out);
	CALL("IPsecSaContextCreate0", IPsecSaContextCreate0(m->engine, &t, NULL, &p->ctx));
	memset(&gs, 0, sizeof(gs));
	traffic(m, &gs.inboundIpsecTraffic, p->filter_in);
	gs.ipVersion = m->local.v;
	CALL("IPsecSaContextGetSpi0", IPsecSaContextGetSpi0(m->engine, p->ctx, &gs, &p->spi));
	return 0;
}

static void bundle(const struct ims *m, IPSEC_SA_BUNDLE0 *b, IPSEC_SA0 *sa,
		   IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac, IPSEC_SA_SPI spi)
{
	const struct xform *x = m->xf;

	memset(b, 0, sizeof(*b));
	memset(sa, 0, sizeof(*sa));
	memset(ac, 0, sizeof(*ac));
	ac->saCipherInformation.cipherTransform.cipherTransformId = x->cipher;
	ac->saCipherInformation.cipherKey = (FWP_BYTE_BLOB){ x->key_len, (UINT8 *)m->key };
	ac->saAuthInformation.authTransform.authTransformId = x->auth;
	ac->saAuthInformation.authKey = (FWP_BYTE_BLOB){ x->auth_len, (UINT8 *)m->auth };
	sa->spi = spi;
	sa->saTransformType = x->type;
	if (x->type == IPSEC_TRANSFORM_ESP_AUTH)
		sa->espAuthInformation = &ac->saAuthInformation;
	else
		sa->espAuthAndCipherInformation = ac;
	b->numSAs = 1;
	b->saList = sa;
	b->ipVersion = m->local.v;
	b->lifetime.lifetimeSeconds = 3600;
}

/* AddInbound0 with our SPI, AddOutbound0 with the peer's. */
static int bind_sas(struct ims *m, struct port *p)
{
	IPSEC_SA_BUNDLE0 b;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;
	DWORD rc;

	bundle(m, &b, &sa, &ac, p->spi);
	rc = IPsecSaContextAddInbound0(m->engine, p->ctx, &b);
	if (rc)
		return fail("IPsecSaContextAddInbound0", rc);
	bundle(m, &b, &sa, &ac, p->peer_spi);
	rc = IPsecSaContextAddOutbound0(m->engine, p->ctx, &b);
	if (rc)
		return fail("IPsecSaContextAddOutbound0", rc);
	return 0;
}

static void delete_port(struct ims *m, struct port *p)
{
	if (p->ctx)
		IPsecSaContextDeleteById0(m->engine, p->ctx);
	if (p->filter_out)
		FwpmFilterDeleteById0(m->engine, p->filter_out);
	if (p->filter_in)
		FwpmFilterDeleteById0(m->engine, p->filter_in);
}

/* ---- options ---- */

static bool hex(const char *s, UINT8 *out, unsigned len)
{
	if (strlen(s) != len * 2)
		return false;
	for (unsigned i = 0; i < len; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return false;
	return true;
}

static bool addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->net) == 1)
		a->v = FWP_IP_VERSION_V4;
	else if (inet_pton(AF_INET6, s, a->net) == 1)
		a->v = FWP_IP_VERSION_V6;
	else
		return false;
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " --local ADDR --remote ADDR --port-c N --port-s N\n"
		"         --transform null-md5|null-sha1|aes-md5|aes-sha1|3des-md5|3des-sha1\n"
		"         [--key HEX] --auth-key HEX [--proto udp|tcp]\n");
	return 2;
}

static int parse(int argc, char **argv, struct ims *m)
{
	static const struct option opts[] = {
		{ "local", 1, NULL, 'l' }, { "remote", 1, NULL, 'r' },
		{ "port-c", 1, NULL, 'c' }, { "port-s", 1, NULL, 's' },
		{ "transform", 1, NULL, 't' }, { "key", 1, NULL, 'k' },
		{ "auth-key", 1, NULL, 'a' }, { "proto", 1, NULL, 'p' }, { 0 } };
	const char *key = NULL, *auth = NULL;
	bool lo = false, re = false;
	int c;

	m->proto = IPPROTO_UDP;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lo = addr_parse(optarg, &m->local); break;
		case 'r': re = addr_parse(optarg, &m->remote); break;
		case 'c': m->c.port = (UINT16)atoi(optarg); break;
		case 's': m->s.port = (UINT16)atoi(optarg); break;
		case 'k': key = optarg; break;
		case 'a': auth = optarg; break;
		case 'p': m->proto = strcmp(optarg, "tcp") ? IPPROTO_UDP : IPPROTO_TCP; break;
		case 't':
			for (size_t i = 0; i < sizeof(xforms) / sizeof(xforms[0]); i++)
				if (!strcmp(xforms[i].name, optarg))
					m->xf = &xforms[i];
			break;
		default:
			return usage();
		}
	}
	if (!lo || !re || m->local.v != m->remote.v || !m->c.port || !m->s.port || !m->xf ||
	    !auth || !hex(auth, m->auth, m->xf->auth_len) ||
	    (m->xf->key_len && (!key || !hex(key, m->key, m->xf->key_len))))
		return usage();
	return 0;
}

/* ---- the session ---- */

static int run(struct ims *m)
{
	FWPM_SESSION0 s;
	char line[128];
	unsigned pc, ps;

	memset(&s, 0, sizeof(s));
	s.displayData.name = L"ims_keying";
	CALL("FwpmEngineOpen0", FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, &s,
						&m->engine));
	if (create_local(m, &m->c) || create_local(m, &m->s))
		return 1;
	printf("spi 0x%08x 0x%08x\n", m->c.spi, m->s.spi);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || sscanf(line, "peer %x %x", &pc, &ps) != 2)
		return fail("no \"peer C S\" line", 0);
	/* Our client port talks to the peer's server port, and back. */
	m->c.peer_spi = ps;
	m->s.peer_spi = pc;
	if (bind_sas(m, &m->c) || bind_sas(m, &m->s))
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) && strncmp(line, "quit", 4))
		;
	return 0;
}

int main(int argc, char **argv)
{
	struct ims m;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = parse(argc, argv, &m);
	if (!rc) {
		rc = run(&m);
		if (m.engine) {
			delete_port(&m, &m.c);
			delete_port(&m, &m.s);
			FwpmEngineClose0(m.engine);
		}
		if (!rc)
			printf("deleted\n");
	}
	explicit_bzero(m.key, sizeof(m.key));
	explicit_bzero(m.auth, sizeof(m.auth));
	return rc;
}
