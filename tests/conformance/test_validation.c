/*
 * test_validation.c - the bad-input table for Create, GetSpi/SetSpi and
 * the four Add calls; every rejected call must change nothing and the
 * next valid call must still succeed.
 * Contract: SEMANTICS.md life-cycle bullets (SPIs, bundles, transforms);
 * decisions 2, 3, 4, 5, 6, 7, 8, 18.
 */
#include "conformance.h"

/* ---- Create --------------------------------------------------------- */

enum { CR_NULL_TRAFFIC, CR_NULL_ID, CR_IPV3, CR_IPVBIG, CR_IPNONE, CR_TT2,
       CR_TTBIG, CR_TUN_RPORT, CR_TUN_LPORT, CR_TUN_PROTO, CR_COUNT };

static const struct {
	const char *name;
	DWORD want;
	bool v1_only;
} cr_rows[CR_COUNT] = {
	{ "outboundTraffic NULL", FWP_E_NULL_POINTER, false },
	{ "id NULL", FWP_E_NULL_POINTER, false },
	{ "ipVersion 3", FWP_E_INVALID_ENUMERATOR, false },
	{ "ipVersion 0x7FFFFFFF", FWP_E_INVALID_ENUMERATOR, false },
	{ "ipVersion NONE", FWP_E_INVALID_PARAMETER, false },
	{ "trafficType 2", FWP_E_INVALID_ENUMERATOR, false },
	{ "trafficType 0x10000", FWP_E_INVALID_ENUMERATOR, false },
	{ "tunnel with remotePort", FWP_E_INVALID_PARAMETER, false },
	{ "tunnel with localPort", FWP_E_INVALID_PARAMETER, true },
	{ "tunnel with ipProtocol", FWP_E_INVALID_PARAMETER, true },
};

static void create_rejects(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template tmpl;
	cf_evlog *log = cf_evlog_new();
	HANDLE ev;
	UINT64 *ids, id;
	size_t n;
	char label[96];

	(void)state;
	cf_template_v4(&tmpl, net, 0xFFFFFF00u, net, 0xFFFFFF00u);
	ev = cf_subscribe(h, &tmpl.t, log);
	for (int row = 0; row < CR_COUNT; row++)
		for (int ver = 0; ver < 2; ver++) {
			IPSEC_TRAFFIC1 t = cf_traffic_v4(net | 1, net | 2,
				IPSEC_TRAFFIC_TYPE_TRANSPORT,
				cf_next_filter_id());
			IPSEC_TRAFFIC0 t0;
			bool null_t = false, null_id = false;
			DWORD rc;

			if (ver == 0 && cr_rows[row].v1_only)
				continue;
			switch (row) {
			case CR_NULL_TRAFFIC: null_t = true; break;
			case CR_NULL_ID: null_id = true; break;
			case CR_IPV3: t.ipVersion = FWP_IP_VERSION_MAX; break;
			case CR_IPVBIG: t.ipVersion = (FWP_IP_VERSION)0x7FFFFFFF;
				break;
			case CR_IPNONE: t.ipVersion = FWP_IP_VERSION_NONE; break;
			case CR_TT2: t.trafficType = IPSEC_TRAFFIC_TYPE_MAX; break;
			case CR_TTBIG: t.trafficType = (IPSEC_TRAFFIC_TYPE)0x10000;
				break;
			case CR_TUN_RPORT:
				t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
				t.remotePort = 4500;
				break;
			case CR_TUN_LPORT:
				t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
				t.localPort = 4500;
				break;
			case CR_TUN_PROTO:
				t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
				t.ipProtocol = 17;
				break;
			}
			t0 = cf_traffic1_to0(&t);
			id = 0;
			if (ver)
				rc = IPsecSaContextCreate1(h, null_t ? NULL : &t,
					NULL, NULL, null_id ? NULL : &id);
			else
				rc = IPsecSaContextCreate0(h, null_t ? NULL : &t0,
					NULL, null_id ? NULL : &id);
			if (rc == ERROR_SUCCESS && id)
				cf_track_ctx(id);
			snprintf(label, sizeof(label), "Create%d: %s", ver,
				 cr_rows[row].name);
			CF_CHECK_RC(rc, cr_rows[row].want, label);
		}

	/* Nothing was created: the template matches no context, and the
	 * first ADD seen for it is that of a valid Create made now. */
	CF_OK(cf_enum_ids(h, &tmpl.t, 16, &ids, &n));
	CF_CHECK(n == 0, "rejected Creates left %zu context(s)", n);
	free(ids);
	{
		cf_ctx_opts o;
		cf_ctx c;

		cf_opts_default(&o);
		o.local4 = net | 1;
		o.remote4 = net | 2;
		cf_ctx_build(h, &c, &o, CF_CREATED);
		if (cf_evlog_wait(log, IPSEC_SA_CONTEXT_EVENT_ADD, c.id, 3000))
			CF_CHECK(cf_evlog_size(log) == 1,
				 "rejected Creates produced %zu event(s)",
				 cf_evlog_size(log) - 1);
		else
			cf_note_failure("no ADD event for a valid Create");
		cf_ctx_delete(h, &c);
	}
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- GetSpi / SetSpi ------------------------------------------------ */

enum { GS_NULL_GETSPI, GS_NULL_OUT, GS_IPV3_BOTH, GS_IPV3_OUTER,
       GS_IPNONE, GS_TT2, GS_TUN_RPORT, GS_TUN_LPORT, GS_TUN_PROTO,
       GS_COUNT };

static const struct {
	const char *name;
	DWORD want;
	bool tunnel, v1_only, has_out;
} gs_rows[GS_COUNT] = {
	{ "getSpi NULL", FWP_E_NULL_POINTER, false, false, false },
	{ "inboundSpi NULL", FWP_E_NULL_POINTER, false, false, true },
	{ "ipVersion 3 (both)", FWP_E_INVALID_ENUMERATOR, false, false, false },
	{ "getSpi->ipVersion 3", FWP_E_INVALID_ENUMERATOR, false, false, false },
	{ "ipVersion NONE (both)", FWP_E_INVALID_PARAMETER, false, false, false },
	{ "trafficType 2", FWP_E_INVALID_ENUMERATOR, false, false, false },
	{ "tunnel with remotePort", FWP_E_INVALID_PARAMETER, true, false, false },
	{ "tunnel with localPort", FWP_E_INVALID_PARAMETER, true, true, false },
	{ "tunnel with ipProtocol", FWP_E_INVALID_PARAMETER, true, true, false },
};

static void spi_rejects(void **state)
{
	static const char *const fn[3] = { "GetSpi0", "GetSpi1", "SetSpi0" };
	HANDLE h = cf_open();
	char label[96];

	(void)state;
	for (int row = 0; row < GS_COUNT; row++)
		for (int f = 0; f < 3; f++) {
			cf_ctx_opts o;
			cf_ctx c;
			IPSEC_GETSPI1 g;
			IPSEC_GETSPI0 g0;
			IPSEC_SA_SPI spi = 0;
			bool null_g = false, null_out = false;
			DWORD rc;

			if (gs_rows[row].v1_only && f == 0)
				continue;
			if (gs_rows[row].has_out && f == 2)
				continue;
			cf_opts_default(&o);
			if (gs_rows[row].tunnel)
				o.type = IPSEC_TRAFFIC_TYPE_TUNNEL;
			cf_ctx_build(h, &c, &o, CF_CREATED);
			g = c.getspi;
			switch (row) {
			case GS_NULL_GETSPI: null_g = true; break;
			case GS_NULL_OUT: null_out = true; break;
			case GS_IPV3_BOTH:
				g.ipVersion = FWP_IP_VERSION_MAX;
				g.inboundIpsecTraffic.ipVersion =
					FWP_IP_VERSION_MAX;
				break;
			case GS_IPV3_OUTER:
				g.ipVersion = FWP_IP_VERSION_MAX;
				break;
			case GS_IPNONE:
				g.ipVersion = FWP_IP_VERSION_NONE;
				g.inboundIpsecTraffic.ipVersion =
					FWP_IP_VERSION_NONE;
				break;
			case GS_TT2:
				g.inboundIpsecTraffic.trafficType =
					IPSEC_TRAFFIC_TYPE_MAX;
				break;
			case GS_TUN_RPORT:
				g.inboundIpsecTraffic.remotePort = 4500;
				break;
			case GS_TUN_LPORT:
				g.inboundIpsecTraffic.localPort = 4500;
				break;
			case GS_TUN_PROTO:
				g.inboundIpsecTraffic.ipProtocol = 50;
				break;
			}
			g0 = cf_getspi1_to0(&g);
			switch (f) {
			case 0:
				rc = IPsecSaContextGetSpi0(h, c.id,
					null_g ? NULL : &g0,
					null_out ? NULL : &spi);
				break;
			case 1:
				rc = IPsecSaContextGetSpi1(h, c.id,
					null_g ? NULL : &g,
					null_out ? NULL : &spi);
				break;
			default:
				rc = IPsecSaContextSetSpi0(h, c.id,
					null_g ? NULL : &g, c.spi_in);
				break;
			}
			snprintf(label, sizeof(label), "%s: %s (%s)", fn[f],
				 gs_rows[row].name,
				 o.type ? "tunnel" : "transport");
			CF_CHECK_RC(rc, gs_rows[row].want, label);
			/* Still CREATED: the valid SetSpi0 and AddInbound work. */
			rc = cf_ctx_step(h, &c);
			if (rc == ERROR_SUCCESS)
				rc = cf_ctx_step(h, &c);
			CF_CHECK(rc == ERROR_SUCCESS, "[%s] next valid %s: %s",
				 label, c.failed_step, cf_rc_str(rc));
			cf_ctx_delete(h, &c);
		}
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- bundles -------------------------------------------------------- */

#define DIR_IN	1u
#define DIR_OUT	2u
#define DIR_ALL	3u

enum {
	B_NUM0, B_NUM3, B_SALIST_NULL, B_AH_ESP, B_ESP_ESP, B_AH_AH,
	B_TYPE0, B_TYPE6, B_SPI_FF, B_SPI_0, B_SPI_FF_SECOND, B_SPI_OTHER,
	B_SPI_OTHER_SECOND, B_IPV6, B_IPV3, B_IPNONE, B_PFS_MAX, B_PFS_BIG,
	B_FLAG_100, B_FLAG_01000000, B_FLAG_04000000,
	B_AH_MD5, B_ESPAUTH_MD5, B_AC_MD5, B_DES,
	B_AUTH_SHA1_CFG2, B_AUTH_SHA256_CFG1, B_AUTH_TYPE6, B_AUTH_AES128_CFG1,
	B_AUTH_MD5_CFG1,
	B_CIPH_AES128_CFG4, B_CIPH_TYPE0, B_CIPH_TYPE6, B_CIPH_3DES_CFG5,
	B_CIPH_AES256_CFG6, B_CIPH_DES_CFG2,
	B_SHA1_19, B_SHA1_21, B_SHA1_0, B_SHA256_20, B_SHA256_31,
	B_AES128_15, B_AES128_24, B_AES192_16, B_AES256_24, B_3DES_16,
	B_GCM128_16, B_GCM128_28, B_GCM256_32, B_GCM192_20, B_GMAC_16,
	B_GCMCIPHER_16, B_AH256_20,
	B_ESPCIPHER_CBC, B_ESPCIPHER_3DES, B_GCM_HMAC, B_GCM128_AUTH256,
	B_GCM_KEYDIFF, B_GCM_KEYLEN, B_CBC_GCMAUTH,
	B_AKEY_NULLDATA, B_CKEY_NULLDATA, B_AHKEY_NULLDATA, B_AC_INFO_NULL,
	B_AH_INFO_NULL, B_CIPH_INFO_NULL, B_SECOND_INFO_NULL,
	B_KMS_4097, B_KMS_NULLDATA, B_MD5_15, B_MD5_20,
	/* accepted */
	B_OK_DEFAULT, B_OK_GCM_EMPTY_AKEY, B_OK_GMAC, B_OK_GCM_CIPHER,
	B_OK_ESP_AH, B_OK_KMS_4096, B_OK_PFS24, B_OK_ALL_FLAGS,
	B_OK_LIFETIMES, B_OK_GCM192, B_OK_3DES, B_OK_3DES_MD5,
	B_COUNT
};

/* HMAC-MD5-96 rows: accepted as Windows does, unless the engine is told to
 * refuse it (FWP_REFUSE_MD5=1 in-process, fwpd --refuse-md5). */
#define MD5_OK	0xFFFFFFFFu

static bool md5_refused(void)
{
	const char *v = getenv("FWP_REFUSE_MD5");

	return v && strcmp(v, "1") == 0;
}

static const struct {
	const char *name;
	DWORD want;
	unsigned dirs;
} b_rows[B_COUNT] = {
	[B_NUM0] = { "numSAs 0", FWP_E_INVALID_PARAMETER, DIR_ALL },
	[B_NUM3] = { "numSAs 3", FWP_E_INVALID_PARAMETER, DIR_ALL },
	[B_SALIST_NULL] = { "saList NULL", FWP_E_NULL_POINTER, DIR_ALL },
	[B_AH_ESP] = { "AH at [0], ESP at [1]",
		       FWP_E_INVALID_TRANSFORM_COMBINATION, DIR_ALL },
	[B_ESP_ESP] = { "ESP at [0] and [1]",
			FWP_E_INVALID_TRANSFORM_COMBINATION, DIR_ALL },
	[B_AH_AH] = { "AH at [0] and [1]",
		      FWP_E_INVALID_TRANSFORM_COMBINATION, DIR_ALL },
	[B_TYPE0] = { "saTransformType 0", FWP_E_INVALID_ENUMERATOR, DIR_ALL },
	[B_TYPE6] = { "saTransformType 6", FWP_E_INVALID_ENUMERATOR, DIR_ALL },
	[B_SPI_FF] = { "spi 0xFF", FWP_E_INVALID_PARAMETER, DIR_ALL },
	[B_SPI_0] = { "spi 0", FWP_E_INVALID_PARAMETER, DIR_ALL },
	[B_SPI_FF_SECOND] = { "spi 0xFF at [1] (ESP+AH)",
			      FWP_E_INVALID_PARAMETER, DIR_ALL },
	[B_SPI_OTHER] = { "inbound spi != context SPI",
			  FWP_E_INVALID_PARAMETER, DIR_IN },
	[B_SPI_OTHER_SECOND] = { "inbound [1].spi != context SPI",
				 FWP_E_INVALID_PARAMETER, DIR_IN },
	[B_IPV6] = { "bundle ipVersion V6 on IPv4 context",
		     FWP_E_TRAFFIC_MISMATCH, DIR_ALL },
	[B_IPV3] = { "bundle ipVersion 3", FWP_E_INVALID_ENUMERATOR, DIR_ALL },
	[B_IPNONE] = { "bundle ipVersion NONE", FWP_E_INVALID_PARAMETER,
		       DIR_ALL },
	[B_PFS_MAX] = { "pfsGroup IPSEC_PFS_MAX", FWP_E_INVALID_ENUMERATOR,
			DIR_ALL },
	[B_PFS_BIG] = { "pfsGroup 0x7FFFFFFF", FWP_E_INVALID_ENUMERATOR,
			DIR_ALL },
	[B_FLAG_100] = { "flags 0x100", FWP_E_INVALID_FLAGS, DIR_ALL },
	[B_FLAG_01000000] = { "flags 0x01000000", FWP_E_INVALID_FLAGS,
			      DIR_ALL },
	[B_FLAG_04000000] = { "flags 0x04000000 | ND_SECURE",
			      FWP_E_INVALID_FLAGS, DIR_ALL },
	[B_AH_MD5] = { "AH HMAC-MD5", MD5_OK, DIR_ALL },
	[B_ESPAUTH_MD5] = { "ESP_AUTH HMAC-MD5", MD5_OK, DIR_ALL },
	[B_AC_MD5] = { "AES-CBC + HMAC-MD5", MD5_OK, DIR_ALL },
	[B_MD5_15] = { "HMAC-MD5 key 15 bytes", FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_MD5_20] = { "HMAC-MD5 key 20 bytes", FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_DES] = { "DES-CBC + HMAC-SHA1", FWP_E_INVALID_CIPHER_TRANSFORM,
		    DIR_ALL },
	[B_AUTH_SHA1_CFG2] = { "auth id {SHA_1, 2}",
			       FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_AUTH_SHA256_CFG1] = { "auth id {SHA_256, 1}",
				 FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_AUTH_TYPE6] = { "auth id {6, 1}", FWP_E_INVALID_AUTH_TRANSFORM,
			   DIR_ALL },
	[B_AUTH_AES128_CFG1] = { "auth id {AES_128, 1}",
				 FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_AUTH_MD5_CFG1] = { "auth id {MD5, 1}",
			      FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_CIPH_AES128_CFG4] = { "cipher id {AES_128, 4}",
				 FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_CIPH_TYPE0] = { "cipher id {0, 0}", FWP_E_INVALID_CIPHER_TRANSFORM,
			   DIR_ALL },
	[B_CIPH_TYPE6] = { "cipher id {6, 3}", FWP_E_INVALID_CIPHER_TRANSFORM,
			   DIR_ALL },
	[B_CIPH_3DES_CFG5] = { "cipher id {3DES, 5}",
			       FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_CIPH_AES256_CFG6] = { "cipher id {AES_256, GCM_AES_128}",
				 FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_CIPH_DES_CFG2] = { "cipher id {DES, 2}",
			      FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_SHA1_19] = { "HMAC-SHA1 key 19", FWP_E_INVALID_AUTH_TRANSFORM,
			DIR_ALL },
	[B_SHA1_21] = { "HMAC-SHA1 key 21", FWP_E_INVALID_AUTH_TRANSFORM,
			DIR_ALL },
	[B_SHA1_0] = { "HMAC-SHA1 key 0", FWP_E_INVALID_AUTH_TRANSFORM,
		       DIR_ALL },
	[B_SHA256_20] = { "HMAC-SHA256 key 20", FWP_E_INVALID_AUTH_TRANSFORM,
			  DIR_ALL },
	[B_SHA256_31] = { "HMAC-SHA256 key 31", FWP_E_INVALID_AUTH_TRANSFORM,
			  DIR_ALL },
	[B_AES128_15] = { "AES-128-CBC key 15", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_AES128_24] = { "AES-128-CBC key 24", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_AES192_16] = { "AES-192-CBC key 16", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_AES256_24] = { "AES-256-CBC key 24", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_3DES_16] = { "3DES key 16", FWP_E_INVALID_CIPHER_TRANSFORM,
			DIR_ALL },
	[B_GCM128_16] = { "GCM-128 key 16 (no salt)",
			  FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_GCM128_28] = { "GCM-128 key 28", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_GCM256_32] = { "GCM-256 key 32 (no salt)",
			  FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_GCM192_20] = { "GCM-192 key 20", FWP_E_INVALID_CIPHER_TRANSFORM,
			  DIR_ALL },
	[B_GMAC_16] = { "GMAC-128 (ESP_AUTH) key 16",
			FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_GCMCIPHER_16] = { "ESP_CIPHER GCM-128 key 16",
			     FWP_E_INVALID_CIPHER_TRANSFORM, DIR_ALL },
	[B_AH256_20] = { "AH HMAC-SHA256 key 20", FWP_E_INVALID_AUTH_TRANSFORM,
			 DIR_ALL },
	[B_ESPCIPHER_CBC] = { "ESP_CIPHER with AES-CBC (no integrity)",
			      FWP_E_INVALID_TRANSFORM_COMBINATION, DIR_ALL },
	[B_ESPCIPHER_3DES] = { "ESP_CIPHER with 3DES (no integrity)",
			       FWP_E_INVALID_TRANSFORM_COMBINATION, DIR_ALL },
	[B_GCM_HMAC] = { "GCM cipher + HMAC-SHA1 auth",
			 FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_GCM128_AUTH256] = { "GCM-128 cipher + GCM-256 auth id",
			       FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_GCM_KEYDIFF] = { "GCM authKey != cipherKey (same length)",
			    FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_GCM_KEYLEN] = { "GCM authKey a 16-byte prefix of cipherKey",
			   FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_CBC_GCMAUTH] = { "AES-CBC cipher + GCM auth id",
			    FWP_E_INVALID_AUTH_TRANSFORM, DIR_ALL },
	[B_AKEY_NULLDATA] = { "authKey size 20, data NULL", FWP_E_NULL_POINTER,
			      DIR_ALL },
	[B_CKEY_NULLDATA] = { "cipherKey size 16, data NULL",
			      FWP_E_NULL_POINTER, DIR_ALL },
	[B_AHKEY_NULLDATA] = { "AH authKey size 32, data NULL",
			       FWP_E_NULL_POINTER, DIR_ALL },
	[B_AC_INFO_NULL] = { "espAuthAndCipherInformation NULL",
			     FWP_E_NULL_POINTER, DIR_ALL },
	[B_AH_INFO_NULL] = { "ahInformation NULL", FWP_E_NULL_POINTER,
			     DIR_ALL },
	[B_CIPH_INFO_NULL] = { "espCipherInformation NULL", FWP_E_NULL_POINTER,
			       DIR_ALL },
	[B_SECOND_INFO_NULL] = { "[1].ahInformation NULL (ESP+AH)",
				 FWP_E_NULL_POINTER, DIR_ALL },
	[B_KMS_4097] = { "keyModuleState 4097 bytes", FWP_E_OUT_OF_BOUNDS,
			 DIR_ALL },
	[B_KMS_NULLDATA] = { "keyModuleState blob size 8, data NULL",
			     FWP_E_NULL_POINTER, DIR_ALL },
	[B_OK_DEFAULT] = { "valid GCM-128 (authKey == cipherKey)",
			   ERROR_SUCCESS, DIR_ALL },
	[B_OK_GCM_EMPTY_AKEY] = { "valid GCM-128 with an empty authKey",
				  ERROR_SUCCESS, DIR_ALL },
	[B_OK_GMAC] = { "valid GMAC (ESP_AUTH, GCM auth id)", ERROR_SUCCESS,
			DIR_ALL },
	[B_OK_GCM_CIPHER] = { "valid ESP_CIPHER with GCM", ERROR_SUCCESS,
			      DIR_ALL },
	[B_OK_ESP_AH] = { "valid ESP + AH", ERROR_SUCCESS, DIR_ALL },
	[B_OK_KMS_4096] = { "valid keyModuleState 4096 bytes", ERROR_SUCCESS,
			    DIR_ALL },
	[B_OK_PFS24] = { "valid pfsGroup IPSEC_PFS_24", ERROR_SUCCESS,
			 DIR_ALL },
	[B_OK_ALL_FLAGS] = { "valid: every defined bundle flag", ERROR_SUCCESS,
			     DIR_ALL },
	[B_OK_LIFETIMES] = { "valid: every lifetime field set", ERROR_SUCCESS,
			     DIR_ALL },
	[B_OK_GCM192] = { "valid GCM-192 (28-byte key)", ERROR_SUCCESS,
			  DIR_ALL },
	[B_OK_3DES] = { "valid 3DES + SHA256", ERROR_SUCCESS, DIR_ALL },
	[B_OK_3DES_MD5] = { "3DES + HMAC-MD5", MD5_OK, DIR_ALL },
};

#define ALL_BUNDLE_FLAGS 0xF0FFFEFFu

static UINT8 kms_blob[4097];
static IPSEC_KEYMODULE_STATE0 kms;

static const IPSEC_TRANSFORM_TYPE AC = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;

/* Sets SA 0 to AES-128-CBC (key ckl) + the auth id (key akl). */
static void cbc_with(cf_bundle *b, UINT32 spi, IPSEC_AUTH_TRANSFORM_ID0 a,
		     UINT32 akl, IPSEC_CIPHER_TRANSFORM_ID0 c, UINT32 ckl)
{
	cf_bundle_set_sa(b, 0, AC, spi, &a, akl, &c, ckl);
}

static void mutate(int row, cf_bundle *b, UINT32 spi)
{
	IPSEC_AUTH_TRANSFORM_ID0 a;
	IPSEC_CIPHER_TRANSFORM_ID0 c;
	const IPSEC_AUTH_TRANSFORM_ID0 sha1 = IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96;
	const IPSEC_AUTH_TRANSFORM_ID0 sha256 =
		IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128;
	const IPSEC_CIPHER_TRANSFORM_ID0 aes128 = IPSEC_CIPHER_TRANSFORM_ID_AES_128;

	switch (row) {
	case B_NUM0: b->b1.numSAs = 0; break;
	case B_NUM3:
		cf_bundle_init(b, CF_SUITE_ESP_AH, spi, b->b1.ipVersion);
		cf_bundle_set_sa(b, 2, IPSEC_TRANSFORM_AH, spi, &sha1, 20,
				 NULL, 0);
		b->b1.numSAs = 3;
		break;
	case B_SALIST_NULL: b->b1.saList = NULL; break;
	case B_AH_ESP:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &sha1, 20,
				 NULL, 0);
		cf_bundle_set_sa(b, 1, AC, spi, &sha1, 20, &aes128, 16);
		break;
	case B_ESP_ESP:
		cf_bundle_set_sa(b, 1, IPSEC_TRANSFORM_ESP_AUTH, spi, &sha1,
				 20, NULL, 0);
		break;
	case B_AH_AH:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &sha1, 20,
				 NULL, 0);
		cf_bundle_set_sa(b, 1, IPSEC_TRANSFORM_AH, spi, &sha1, 20,
				 NULL, 0);
		break;
	case B_TYPE0: b->sa[0].saTransformType = (IPSEC_TRANSFORM_TYPE)0; break;
	case B_TYPE6:
		b->sa[0].saTransformType = IPSEC_TRANSFORM_TYPE_MAX;
		break;
	case B_SPI_FF: b->sa[0].spi = 0xFF; break;
	case B_SPI_0: b->sa[0].spi = 0; break;
	case B_SPI_FF_SECOND:
		cf_bundle_init(b, CF_SUITE_ESP_AH, spi, b->b1.ipVersion);
		b->sa[1].spi = 0xFF;
		break;
	case B_SPI_OTHER: b->sa[0].spi = spi ^ 0x00010000u; break;
	case B_SPI_OTHER_SECOND:
		cf_bundle_init(b, CF_SUITE_ESP_AH, spi, b->b1.ipVersion);
		b->sa[1].spi = spi ^ 0x00010000u;
		break;
	case B_IPV6: b->b1.ipVersion = FWP_IP_VERSION_V6; break;
	case B_IPV3: b->b1.ipVersion = FWP_IP_VERSION_MAX; break;
	case B_IPNONE: b->b1.ipVersion = FWP_IP_VERSION_NONE; break;
	case B_PFS_MAX: b->b1.pfsGroup = IPSEC_PFS_MAX; break;
	case B_PFS_BIG: b->b1.pfsGroup = (IPSEC_PFS_GROUP)0x7FFFFFFF; break;
	case B_FLAG_100: b->b1.flags = 0x100; break;
	case B_FLAG_01000000: b->b1.flags = 0x01000000u; break;
	case B_FLAG_04000000:
		b->b1.flags = 0x04000000u | IPSEC_SA_BUNDLE_FLAG_ND_SECURE;
		break;
	case B_AH_MD5:
		a = IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96;
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &a, 16, NULL, 0);
		break;
	case B_ESPAUTH_MD5:
		a = IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96;
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_AUTH, spi, &a, 16,
				 NULL, 0);
		break;
	case B_AC_MD5:
		cbc_with(b, spi, IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96, 16,
			 aes128, 16);
		break;
	case B_DES:
		cbc_with(b, spi, sha1, 20, IPSEC_CIPHER_TRANSFORM_ID_CBC_DES, 8);
		break;
	case B_MD5_15:
		cbc_with(b, spi, IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96, 15, aes128, 16);
		break;
	case B_MD5_20:
		cbc_with(b, spi, IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96, 20, aes128, 16);
		break;
	case B_OK_3DES_MD5:
		cbc_with(b, spi, IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96, 16,
			 IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES, 24);
		break;
	case B_AUTH_SHA1_CFG2:
		a.authType = IPSEC_AUTH_SHA_1;
		a.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
		cbc_with(b, spi, a, 20, aes128, 16);
		break;
	case B_AUTH_SHA256_CFG1:
		a.authType = IPSEC_AUTH_SHA_256;
		a.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
		cbc_with(b, spi, a, 32, aes128, 16);
		break;
	case B_AUTH_TYPE6:
		a.authType = IPSEC_AUTH_MAX;
		a.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
		cbc_with(b, spi, a, 20, aes128, 16);
		break;
	case B_AUTH_AES128_CFG1:
		a.authType = IPSEC_AUTH_AES_128;
		a.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
		cbc_with(b, spi, a, 20, aes128, 16);
		break;
	case B_AUTH_MD5_CFG1:
		a.authType = IPSEC_AUTH_MD5;
		a.authConfig = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
		cbc_with(b, spi, a, 20, aes128, 16);
		break;
	case B_CIPH_AES128_CFG4:
		c.cipherType = IPSEC_CIPHER_TYPE_AES_128;
		c.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_AES_192;
		cbc_with(b, spi, sha1, 20, c, 16);
		break;
	case B_CIPH_TYPE0:
		c.cipherType = (IPSEC_CIPHER_TYPE)0;
		c.cipherConfig = 0;
		cbc_with(b, spi, sha1, 20, c, 16);
		break;
	case B_CIPH_TYPE6:
		c.cipherType = IPSEC_CIPHER_TYPE_MAX;
		c.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_AES_128;
		cbc_with(b, spi, sha1, 20, c, 16);
		break;
	case B_CIPH_3DES_CFG5:
		c.cipherType = IPSEC_CIPHER_TYPE_3DES;
		c.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_AES_256;
		cbc_with(b, spi, sha1, 20, c, 24);
		break;
	case B_CIPH_AES256_CFG6:
		c.cipherType = IPSEC_CIPHER_TYPE_AES_256;
		c.cipherConfig = IPSEC_CIPHER_CONFIG_GCM_AES_128;
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128, 20, &c,
				 20);
		break;
	case B_CIPH_DES_CFG2:
		c.cipherType = IPSEC_CIPHER_TYPE_DES;
		c.cipherConfig = IPSEC_CIPHER_CONFIG_CBC_3DES;
		cbc_with(b, spi, sha1, 20, c, 24);
		break;
	case B_SHA1_19: cbc_with(b, spi, sha1, 19, aes128, 16); break;
	case B_SHA1_21: cbc_with(b, spi, sha1, 21, aes128, 16); break;
	case B_SHA1_0: cbc_with(b, spi, sha1, 0, aes128, 16); break;
	case B_SHA256_20: cbc_with(b, spi, sha256, 20, aes128, 16); break;
	case B_SHA256_31: cbc_with(b, spi, sha256, 31, aes128, 16); break;
	case B_AES128_15: cbc_with(b, spi, sha1, 20, aes128, 15); break;
	case B_AES128_24: cbc_with(b, spi, sha1, 20, aes128, 24); break;
	case B_AES192_16:
		cbc_with(b, spi, sha1, 20, IPSEC_CIPHER_TRANSFORM_ID_AES_192, 16);
		break;
	case B_AES256_24:
		cbc_with(b, spi, sha1, 20, IPSEC_CIPHER_TRANSFORM_ID_AES_256, 24);
		break;
	case B_3DES_16:
		cbc_with(b, spi, sha1, 20, IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES,
			 16);
		break;
	case B_GCM128_16:
	case B_GCM128_28:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128,
				 row == B_GCM128_16 ? 16 : 28,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128,
				 row == B_GCM128_16 ? 16 : 28);
		break;
	case B_GCM256_32:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256, 32,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256, 32);
		break;
	case B_GCM192_20:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_192, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_192, 20);
		break;
	case B_GMAC_16:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_AUTH, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128, 16,
				 NULL, 0);
		break;
	case B_GCMCIPHER_16:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_CIPHER, spi, NULL, 0,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 16);
		break;
	case B_AH256_20:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &sha256, 20,
				 NULL, 0);
		break;
	case B_ESPCIPHER_CBC:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_CIPHER, spi, NULL, 0,
				 &aes128, 16);
		break;
	case B_ESPCIPHER_3DES:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_CIPHER, spi, NULL, 0,
				 &IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES, 24);
		break;
	case B_GCM_HMAC:
		cf_bundle_set_sa(b, 0, AC, spi, &sha1, 20,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 20);
		break;
	case B_GCM128_AUTH256:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256, 0,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 20);
		break;
	case B_GCM_KEYDIFF:
		b->akey[0][3] ^= 0x5A;	/* default suite is GCM-128 */
		break;
	case B_GCM_KEYLEN:
		b->aci[0].saAuthInformation.authKey.size = 16;
		break;
	case B_CBC_GCMAUTH:
		cf_bundle_set_sa(b, 0, AC, spi,
				 &IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128, 20,
				 &aes128, 16);
		break;
	case B_AKEY_NULLDATA:
		cbc_with(b, spi, sha1, 20, aes128, 16);
		b->aci[0].saAuthInformation.authKey.data = NULL;
		break;
	case B_CKEY_NULLDATA:
		cbc_with(b, spi, sha1, 20, aes128, 16);
		b->aci[0].saCipherInformation.cipherKey.data = NULL;
		break;
	case B_AHKEY_NULLDATA:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &sha256, 32,
				 NULL, 0);
		b->ai[0].authKey.data = NULL;
		break;
	case B_AC_INFO_NULL:
		b->sa[0].espAuthAndCipherInformation = NULL;
		break;
	case B_AH_INFO_NULL:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_AH, spi, &sha256, 32,
				 NULL, 0);
		b->sa[0].ahInformation = NULL;
		break;
	case B_CIPH_INFO_NULL:
		cf_bundle_set_sa(b, 0, IPSEC_TRANSFORM_ESP_CIPHER, spi, NULL, 0,
				 &IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128, 20);
		b->sa[0].espCipherInformation = NULL;
		break;
	case B_SECOND_INFO_NULL:
		cf_bundle_init(b, CF_SUITE_ESP_AH, spi, b->b1.ipVersion);
		b->sa[1].ahInformation = NULL;
		break;
	case B_KMS_4097:
	case B_OK_KMS_4096:
	case B_KMS_NULLDATA:
		kms.keyModuleKey = cf_random_guid();
		kms.stateBlob.size = row == B_KMS_4097 ? 4097 :
				     row == B_KMS_NULLDATA ? 8 : 4096;
		kms.stateBlob.data = row == B_KMS_NULLDATA ? NULL : kms_blob;
		b->b1.keyModuleState = &kms;
		break;
	case B_OK_DEFAULT:
		break;
	case B_OK_GCM_EMPTY_AKEY:
		b->aci[0].saAuthInformation.authKey.size = 0;
		b->aci[0].saAuthInformation.authKey.data = NULL;
		break;
	case B_OK_GMAC:
		cf_bundle_init(b, CF_SUITE_GMAC128, spi, b->b1.ipVersion);
		break;
	case B_OK_GCM_CIPHER:
		cf_bundle_init(b, CF_SUITE_GCM_CIPHER, spi, b->b1.ipVersion);
		break;
	case B_OK_ESP_AH:
		cf_bundle_init(b, CF_SUITE_ESP_AH, spi, b->b1.ipVersion);
		break;
	case B_OK_PFS24: b->b1.pfsGroup = IPSEC_PFS_24; break;
	case B_OK_ALL_FLAGS: b->b1.flags = ALL_BUNDLE_FLAGS; break;
	case B_OK_LIFETIMES:
		b->b1.lifetime.lifetimeSeconds = 86400;
		b->b1.lifetime.lifetimeKilobytes = 1u << 30;
		b->b1.lifetime.lifetimePackets = 0xFFFFFFFFu;
		b->b1.idleTimeoutSeconds = 3600;
		b->b1.ndAllowClearTimeoutSeconds = 60;
		break;
	case B_OK_GCM192:
		cf_bundle_init(b, CF_SUITE_GCM192, spi, b->b1.ipVersion);
		break;
	case B_OK_3DES:
		cbc_with(b, spi, sha256, 32, IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES,
			 24);
		break;
	default:
		break;
	}
}

static const char *const add_names[4] = {
	"AddInbound0", "AddInbound1", "AddOutbound0", "AddOutbound1",
};

static void bundle_table(void **state)
{
	HANDLE h = cf_open();
	cf_bundle *b = malloc(sizeof(*b));
	char label[160];

	(void)state;
	assert_non_null(b);
	assert_int_equal(ALL_BUNDLE_FLAGS,
		IPSEC_SA_BUNDLE_FLAG_ND_SECURE | IPSEC_SA_BUNDLE_FLAG_ND_BOUNDARY |
		IPSEC_SA_BUNDLE_FLAG_ND_PEER_NAT_BOUNDARY |
		IPSEC_SA_BUNDLE_FLAG_GUARANTEE_ENCRYPTION |
		IPSEC_SA_BUNDLE_FLAG_NLB |
		IPSEC_SA_BUNDLE_FLAG_NO_MACHINE_LUID_VERIFY |
		IPSEC_SA_BUNDLE_FLAG_NO_IMPERSONATION_LUID_VERIFY |
		IPSEC_SA_BUNDLE_FLAG_NO_EXPLICIT_CRED_MATCH |
		IPSEC_SA_BUNDLE_FLAG_ALLOW_NULL_TARGET_NAME_MATCH |
		IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL |
		IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND |
		IPSEC_SA_BUNDLE_FLAG_ND_PEER_BOUNDARY |
		IPSEC_SA_BUNDLE_FLAG_SUPPRESS_DUPLICATE_DELETION |
		IPSEC_SA_BUNDLE_FLAG_PEER_SUPPORTS_GUARANTEE_ENCRYPTION |
		IPSEC_SA_BUNDLE_FLAG_FORCE_INBOUND_CONNECTIONS |
		IPSEC_SA_BUNDLE_FLAG_FORCE_OUTBOUND_CONNECTIONS |
		IPSEC_SA_BUNDLE_FLAG_FORWARD_PATH_INITIATOR |
		IPSEC_SA_BUNDLE_FLAG_ENABLE_OPTIONAL_ASYMMETRIC_IDLE |
		IPSEC_SA_BUNDLE_FLAG_USING_DICTATED_KEYS |
		IPSEC_SA_BUNDLE_FLAG_LOCALLY_DICTATED_KEYS |
		IPSEC_SA_BUNDLE_FLAG_SA_OFFLOADED |
		IPSEC_SA_BUNDLE_FLAG_IP_IN_IP_PKT |
		IPSEC_SA_BUNDLE_FLAG_LOW_POWER_MODE_SUPPORT |
		IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH1 |
		IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH2 |
		IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH3 |
		IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH4);
	for (size_t i = 0; i < sizeof(kms_blob); i++)
		kms_blob[i] = (UINT8)(i ^ (i >> 8));

	for (int row = 0; row < B_COUNT; row++)
		for (int fn = 0; fn < 4; fn++) {
			bool inbound = fn < 2;
			cf_ctx c;
			IPSEC_SA_CONTEXT1 *snap;
			UINT32 spi;
			DWORD rc, want = b_rows[row].want;

			if (want == MD5_OK)
				want = md5_refused() ? FWP_E_INVALID_AUTH_TRANSFORM
						     : ERROR_SUCCESS;

			if (!(b_rows[row].dirs & (inbound ? DIR_IN : DIR_OUT)))
				continue;
			snprintf(label, sizeof(label), "%s: %s",
				 add_names[fn], b_rows[row].name);
			cf_ctx_build(h, &c, NULL,
				     inbound ? CF_SPI_SET : CF_INBOUND);
			spi = inbound ? c.spi_in : c.spi_out;
			cf_bundle_init(b, CF_SUITE_GCM128, spi,
				       FWP_IP_VERSION_V4);
			mutate(row, b, spi);
			snap = cf_get1(h, c.id);
			switch (fn) {
			case 0:
				rc = IPsecSaContextAddInbound0(h, c.id,
							       cf_bundle0(b));
				break;
			case 1:
				rc = IPsecSaContextAddInbound1(h, c.id, &b->b1);
				break;
			case 2:
				rc = IPsecSaContextAddOutbound0(h, c.id,
								cf_bundle0(b));
				break;
			default:
				rc = IPsecSaContextAddOutbound1(h, c.id,
								&b->b1);
				break;
			}
			CF_CHECK_RC(rc, want, label);
			if (want != ERROR_SUCCESS) {
				cf_check_unchanged(h, c.id, snap, label);
				rc = cf_ctx_step(h, &c);
				CF_CHECK(rc == ERROR_SUCCESS,
					 "[%s] the valid %s after it: %s",
					 label, c.failed_step, cf_rc_str(rc));
			}
			FwpmFreeMemory0((void **)&snap);
			cf_ctx_delete(h, &c);
		}
	free(b);
	cf_close(h);
	cf_assert_no_failures();
}

/* Add* with a NULL bundle; bundle ipVersion on an IPv6 context. */
static void bundle_null_and_v6(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	cf_ctx_opts o;
	cf_bundle *b = malloc(sizeof(*b));

	(void)state;
	assert_non_null(b);
	cf_ctx_build(h, &c, NULL, CF_SPI_SET);
	CF_CHECK_RC(IPsecSaContextAddInbound0(h, c.id, NULL),
		    FWP_E_NULL_POINTER, "AddInbound0 NULL");
	CF_CHECK_RC(IPsecSaContextAddInbound1(h, c.id, NULL),
		    FWP_E_NULL_POINTER, "AddInbound1 NULL");
	CF_OK(cf_ctx_step(h, &c));
	CF_CHECK_RC(IPsecSaContextAddOutbound0(h, c.id, NULL),
		    FWP_E_NULL_POINTER, "AddOutbound0 NULL");
	CF_CHECK_RC(IPsecSaContextAddOutbound1(h, c.id, NULL),
		    FWP_E_NULL_POINTER, "AddOutbound1 NULL");
	CF_OK(cf_ctx_step(h, &c));
	cf_ctx_delete(h, &c);

	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	cf_ctx_build(h, &c, &o, CF_SPI_SET);
	cf_bundle_init(b, CF_SUITE_GCM128, c.spi_in, FWP_IP_VERSION_V4);
	CF_CHECK_RC(IPsecSaContextAddInbound1(h, c.id, &b->b1),
		    FWP_E_TRAFFIC_MISMATCH, "IPv4 bundle on IPv6 context");
	CF_OK(cf_ctx_step(h, &c));
	cf_bundle_init(b, CF_SUITE_GCM128, c.spi_out, FWP_IP_VERSION_V4);
	CF_CHECK_RC(IPsecSaContextAddOutbound0(h, c.id, cf_bundle0(b)),
		    FWP_E_TRAFFIC_MISMATCH, "IPv4 bundle on IPv6 context");
	CF_OK(cf_ctx_step(h, &c));
	cf_ctx_delete(h, &c);
	free(b);
	cf_close(h);
	cf_assert_no_failures();
}

/* A tunnel context built through the whole sequence with IPv6. */
static void tunnel_v6_accepted(void **state)
{
	HANDLE h = cf_open();
	cf_ctx c;
	cf_ctx_opts o;

	(void)state;
	cf_opts_default(&o);
	o.ipv = FWP_IP_VERSION_V6;
	o.type = IPSEC_TRAFFIC_TYPE_TUNNEL;
	o.suite = CF_SUITE_AES256_SHA256;
	cf_ctx_build(h, &c, &o, CF_MATURE);
	cf_ctx_delete(h, &c);
	cf_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(create_rejects),
		CF_TEST(spi_rejects),
		CF_TEST(bundle_table),
		CF_TEST(bundle_null_and_v6),
		CF_TEST(tunnel_v6_accepted),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.validation", tests,
					   NULL, NULL);
}
