/* format.h - the words and numbers fwpctl prints for API values.
 *
 * Addresses follow the API's byte order (docs/CONTRACT.md, "Reading"):
 * IPv4 addresses are host order; IPv6 addresses in IPSEC_TRAFFIC* are the
 * 16 bytes reversed, and are turned back before printing. Names of enum
 * values are short lower-case words ("esp", "aes-gcm-128", "tunnel");
 * values this version does not know print as numbers, never as a guess.
 *
 * Every function writes into the caller's buffer, truncating safely, and
 * returns it. Nothing here prints key material: no function takes a key.
 */
#ifndef FWPCTL_FORMAT_H
#define FWPCTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include <fwpmu.h>
#include <fwpx.h>

/* Room for any address with a port ("[v6]:65535"), or a GUID. */
#define FMT_ADDR_LEN	64
/* Room for any bundle's transform ("esp aes-cbc-256/hmac-sha256 + ah ..."). */
#define FMT_XFORM_LEN	128

/* One named bit of a flags word. Tables end with { 0, NULL }. */
struct fmt_flag {
	UINT64 bit;
	const char *name;
};

extern const struct fmt_flag fmt_bundle_flags[];	/* IPSEC_SA_BUNDLE_FLAG_* */
extern const struct fmt_flag fmt_update_flags[];	/* IPsecSaContextUpdate0 */

/* The name of one bit, or NULL when the table does not know it. */
const char *fmt_flag_name(const struct fmt_flag *table, UINT64 bit);
/* Names joined by sep, unknown bits as one hex number; "-" for 0. */
char *fmt_flags(const struct fmt_flag *table, UINT64 flags, const char *sep,
		char *buf, size_t len);

char *fmt_v4(UINT32 host_order, char *buf, size_t len);
/* An IPv6 address in the API's reversed byte order. */
char *fmt_v6_reversed(const UINT8 reversed[16], char *buf, size_t len);
/* One end of a traffic description; with ports, "addr:port"/"[addr]:port". */
char *fmt_traffic_address(const IPSEC_TRAFFIC1 *t, bool local, bool with_port,
			  char *buf, size_t len);
/* "udp 4500->4500", or "-" without NAT-T. */
char *fmt_natt(const IPSEC_V4_UDP_ENCAPSULATION0 *e, char *buf, size_t len);
/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", as Windows writes GUIDs. */
char *fmt_guid(const GUID *g, char *buf, size_t len);
/* A wide string as UTF-8; invalid code points become U+FFFD. */
char *fmt_wstr(const wchar_t *w, char *buf, size_t len);

/* "esp aes-gcm-128", "esp aes-cbc-256/hmac-sha256", "ah hmac-sha1",
 * "esp gmac-128"; two SAs are joined with " + ". */
char *fmt_sa_transform(const IPSEC_SA0 *sa, char *buf, size_t len);
char *fmt_bundle_transform(const IPSEC_SA_BUNDLE1 *b, char *buf, size_t len);

/* Names of enum values; NULL when unknown (print the number). */
const char *fmt_cipher(IPSEC_CIPHER_CONFIG config);		/* "aes-gcm-128" */
const char *fmt_auth(IPSEC_AUTH_CONFIG config);		/* "hmac-sha1", "gmac-128" */
const char *fmt_cipher_type(IPSEC_CIPHER_TYPE type);		/* "aes-128" */
const char *fmt_auth_type(IPSEC_AUTH_TYPE type);		/* "sha-1" */
const char *fmt_transform_type(IPSEC_TRANSFORM_TYPE type);	/* "esp-auth-and-cipher" */
const char *fmt_mode(IPSEC_TRAFFIC_TYPE type);			/* "transport" */
const char *fmt_direction(FWP_DIRECTION dir);			/* "inbound" */
const char *fmt_ip_version(FWP_IP_VERSION v);			/* "ipv4" */
const char *fmt_pfs_group(IPSEC_PFS_GROUP g);			/* "ecp-256" */
const char *fmt_token_type(IPSEC_TOKEN_TYPE t);
const char *fmt_token_principal(IPSEC_TOKEN_PRINCIPAL p);
const char *fmt_token_mode(IPSEC_TOKEN_MODE m);
const char *fmt_event(UINT32 event_type);			/* "ADD" */

#endif
