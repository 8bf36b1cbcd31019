/* test_esp_util.h - helpers shared by the ESP core tests: hex vectors,
 * transforms with patterned keys, well-formed IP packets (checksums by an
 * independent reference sum, not the code under test), SA pairs. */
#ifndef FWP_TEST_ESP_UTIL_H
#define FWP_TEST_ESP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/esp_packet.h"

#define TBUF (ESP_MAX_OVERHEAD + 2048 + ESP_MAX_OVERHEAD)

/* Decodes hex, skipping white space; returns the byte count. */
size_t hex(uint8_t *out, size_t cap, const char *s);

struct xf_spec {
	const char *name;
	uint8_t type, auth_type, auth_config, cipher_type, cipher_config;
	uint8_t auth_key_len, cipher_key_len;
};

extern const struct xf_spec xf_specs[];
extern const size_t xf_nspecs;

/* Fills x from spec, keys a pattern derived from seed (a GCM auth key,
 * when the spec has one, equals the cipher key). */
void xf_make(struct sa_xform *x, const struct xf_spec *spec, uint32_t spi, uint8_t seed);

struct pkt_spec {
	uint8_t version;	/* 4 or 6 */
	uint8_t proto;		/* IPPROTO_UDP, _TCP, _ICMP, _ICMPV6 */
	size_t payload;		/* bytes after the L4 header */
	uint8_t tos;		/* TOS / traffic class, ECN included */
	bool df;
	uint8_t fill;
};

extern const uint8_t addr4_a[4], addr4_b[4], addr6_a[16], addr6_b[16];

/* Writes an IP packet per spec at p (addresses a -> b) with correct
 * checksums; returns its length. */
size_t pkt_build(uint8_t *p, const struct pkt_spec *s);
/* The reference Internet checksum over a buffer (sum folded, not inverted). */
uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t sum);
/* Whether the IPv4 header and the TCP/UDP checksum of p verify. */
bool pkt_csums_ok(const uint8_t *p, size_t len);

/* An outbound and an inbound SA over the same transform. base supplies the
 * mode, ESN, outer settings and encapsulation; the outbound copy gets
 * outbound = true. 0 or the esp_sa_new error. */
int sa_pair(struct esp_sa **out, struct esp_sa **in, const struct sa_xform *x,
	    const struct esp_sa_config *base);

#endif
