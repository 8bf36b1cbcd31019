/* test_esp_util.c - see test_esp_util.h. */
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>

#include "test_esp_util.h"

const uint8_t addr4_a[4] = { 192, 0, 2, 1 };
const uint8_t addr4_b[4] = { 198, 51, 100, 2 };
const uint8_t addr6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t addr6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

size_t hex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		v = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else if (n < cap) {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

#define A(t, c, k) IPSEC_TRANSFORM_ESP_AUTH, t, c, 0, 0, k, 0
const struct xf_spec xf_specs[] = {
	{ "aes128gcm", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_AES_128,
	  IPSEC_AUTH_CONFIG_GCM_AES_128, IPSEC_CIPHER_TYPE_AES_128,
	  IPSEC_CIPHER_CONFIG_GCM_AES_128, 20, 20 },
	{ "aes192gcm", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_AES_192,
	  IPSEC_AUTH_CONFIG_GCM_AES_192, IPSEC_CIPHER_TYPE_AES_192,
	  IPSEC_CIPHER_CONFIG_GCM_AES_192, 0, 28 },
	{ "aes256gcm-cipher-only", IPSEC_TRANSFORM_ESP_CIPHER, 0, 0, IPSEC_CIPHER_TYPE_AES_256,
	  IPSEC_CIPHER_CONFIG_GCM_AES_256, 0, 36 },
	{ "aes128gmac", A(IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20) },
	{ "aes256gmac", A(IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256, 36) },
	{ "aes128-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_SHA_1,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, IPSEC_CIPHER_TYPE_AES_128,
	  IPSEC_CIPHER_CONFIG_CBC_AES_128, 20, 16 },
	{ "aes192-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_SHA_256,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, IPSEC_CIPHER_TYPE_AES_192,
	  IPSEC_CIPHER_CONFIG_CBC_AES_192, 32, 24 },
	{ "aes256-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_SHA_256,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, IPSEC_CIPHER_TYPE_AES_256,
	  IPSEC_CIPHER_CONFIG_CBC_AES_256, 32, 32 },
	{ "aes256-md5", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_MD5,
	  IPSEC_AUTH_CONFIG_HMAC_MD5_96, IPSEC_CIPHER_TYPE_AES_256,
	  IPSEC_CIPHER_CONFIG_CBC_AES_256, 16, 32 },
	{ "3des-sha1", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_SHA_1,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, IPSEC_CIPHER_TYPE_3DES,
	  IPSEC_CIPHER_CONFIG_CBC_3DES, 20, 24 },
	{ "3des-sha256", IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_AUTH_SHA_256,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, IPSEC_CIPHER_TYPE_3DES,
	  IPSEC_CIPHER_CONFIG_CBC_3DES, 32, 24 },
	{ "null-sha1", A(IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20) },
	{ "null-sha256-fw", IPSEC_TRANSFORM_ESP_AUTH_FW, IPSEC_AUTH_SHA_256,
	  IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 0, 0, 32, 0 },
	{ "null-md5", A(IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16) },
	{ "aes128-cbc-only", IPSEC_TRANSFORM_ESP_CIPHER, 0, 0, IPSEC_CIPHER_TYPE_AES_128,
	  IPSEC_CIPHER_CONFIG_CBC_AES_128, 0, 16 },
};
const size_t xf_nspecs = sizeof(xf_specs) / sizeof(xf_specs[0]);

void xf_make(struct sa_xform *x, const struct xf_spec *s, uint32_t spi, uint8_t seed)
{
	memset(x, 0, sizeof(*x));
	x->spi = spi;
	x->type = s->type;
	x->auth_type = s->auth_type;
	x->auth_config = s->auth_config;
	x->cipher_type = s->cipher_type;
	x->cipher_config = s->cipher_config;
	x->auth_key_len = s->auth_key_len;
	x->cipher_key_len = s->cipher_key_len;
	for (int i = 0; i < SA_MAX_KEY; i++) {
		x->cipher_key[i] = (uint8_t)(seed * 31 + i * 7 + 1);
		x->auth_key[i] = (uint8_t)(seed * 17 + i * 13 + 5);
	}
	/* GCM named twice: the same key+salt in both halves. */
	if (s->cipher_config >= IPSEC_CIPHER_CONFIG_GCM_AES_128 && s->auth_key_len)
		memcpy(x->auth_key, x->cipher_key, s->auth_key_len);
}

uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t pseudo(const uint8_t *ip, size_t l4len, uint8_t proto)
{
	uint32_t sum = proto + (uint32_t)l4len;

	if (ip[0] >> 4 == 4)
		return ref_sum(ip + 12, 8, sum);
	return ref_sum(ip + 8, 32, sum);
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t pkt_build(uint8_t *p, const struct pkt_spec *s)
{
	size_t hl = s->version == 4 ? 20 : 40;
	size_t l4h = s->proto == IPPROTO_TCP ? 20 : s->proto == IPPROTO_UDP ? 8 : 4;
	size_t l4len = l4h + s->payload, tot = hl + l4len;
	uint8_t *l4 = p + hl;
	uint16_t c;

	memset(p, 0, tot);
	if (s->version == 4) {
		p[0] = 0x45;
		p[1] = s->tos;
		put16(p + 2, tot);
		put16(p + 4, 0x1234);
		p[6] = s->df ? 0x40 : 0;
		p[8] = 61;
		p[9] = s->proto;
		memcpy(p + 12, addr4_a, 4);
		memcpy(p + 16, addr4_b, 4);
		c = (uint16_t)~ref_sum(p, 20, 0);
		put16(p + 10, c);
	} else {
		p[0] = (uint8_t)(0x60 | s->tos >> 4);
		p[1] = (uint8_t)(s->tos << 4 | 0x0a);	/* flow label bits */
		p[3] = 0x42;
		put16(p + 4, l4len);
		p[6] = s->proto;
		p[7] = 61;
		memcpy(p + 8, addr6_a, 16);
		memcpy(p + 24, addr6_b, 16);
	}
	for (size_t i = 0; i < s->payload; i++)
		l4[l4h + i] = (uint8_t)(s->fill + i * 3);
	if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP) {
		put16(l4, 40000);
		put16(l4 + 2, s->proto == IPPROTO_TCP ? 443 : 53);
	}
	if (s->proto == IPPROTO_TCP) {
		l4[12] = 0x50;
		l4[13] = 0x18;
		c = (uint16_t)~ref_sum(l4, l4len, pseudo(p, l4len, s->proto));
		put16(l4 + 16, c);
	} else if (s->proto == IPPROTO_UDP) {
		put16(l4 + 4, l4len);
		c = (uint16_t)~ref_sum(l4, l4len, pseudo(p, l4len, s->proto));
		put16(l4 + 6, c ? c : 0xffff);
	} else {
		l4[0] = 8;	/* echo request */
	}
	return tot;
}

bool pkt_csums_ok(const uint8_t *p, size_t len)
{
	size_t hl;
	uint8_t proto;

	if (p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 15) * 4;
		if (ref_sum(p, hl, 0) != 0xffff)
			return false;
		proto = p[9];
	} else {
		hl = 40;
		proto = p[6];
	}
	if (proto == IPPROTO_UDP && p[0] >> 4 == 4 && !p[hl + 6] && !p[hl + 7])
		return true;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return true;
	return ref_sum(p + hl, len - hl, pseudo(p, len - hl, proto)) == 0xffff;
}

int sa_pair(struct esp_sa **out, struct esp_sa **in, const struct sa_xform *x,
	    const struct esp_sa_config *base)
{
	struct esp_sa_config c = *base;
	int rc;

	c.xform = x;
	c.outbound = true;
	rc = esp_sa_new(out, &c, NULL);
	if (rc)
		return rc;
	c.outbound = false;
	rc = esp_sa_new(in, &c, NULL);
	if (rc) {
		esp_sa_free(*out);
		*out = NULL;
	}
	return rc;
}
