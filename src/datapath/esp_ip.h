/* esp_ip.h - IP header helpers for the ESP core: the Internet checksum,
 * ECN across a tunnel (RFC 6040), IPv6 extension headers and the 5-tuple
 * selector of a packet.
 *
 * Checksums are summed in host order over native 32-bit loads (RFC 1071
 * sec. 2(B): the one's complement sum does not care about byte order), so
 * an accumulator is only meaningful to esp_csum_* and a value added to it
 * must be in network order (htons/htonl).
 *
 * Pure functions over caller memory; safe from any thread. Every parser
 * here bounds every read by the length it is given.
 */
#ifndef FWP_DATAPATH_ESP_IP_H
#define FWP_DATAPATH_ESP_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP4_HDR_LEN 20
#define IP6_HDR_LEN 40
#define UDP_HDR_LEN 8

/* ECN codepoints (RFC 3168). */
#define ECN_NOT_ECT 0
#define ECN_ECT1 1
#define ECN_ECT0 2
#define ECN_CE 3

uint64_t esp_csum_add(uint64_t sum, const void *buf, size_t len);
/* The 16-bit value to store (already complemented), in network order as
 * it sits in memory: write it with memcpy. */
uint16_t esp_csum_finish(uint64_t sum);
/* Fills in the header checksum of the IPv4 header at ip. */
void esp_ip4_set_csum(uint8_t *ip);
/* Whether the IPv4 header checksum is right. */
bool esp_ip4_csum_ok(const uint8_t *ip);
/* Computes and stores the TCP or UDP checksum of the segment at l4 (len
 * bytes) carried between the given addresses (4 or 16 bytes each). A UDP
 * checksum of 0 is sent as 0xffff. */
void esp_l4_set_csum(uint8_t *l4, size_t len, uint8_t proto, const uint8_t *src,
		     const uint8_t *dst, size_t alen);

/* RFC 6040 sec. 4.2 decapsulation: the ECN field the inner header leaves
 * with, or -1 for the one combination that must be dropped (inner Not-ECT,
 * outer CE: congestion was signalled to a transport that cannot see it). */
int esp_ecn_decap(uint8_t inner, uint8_t outer);

/* IPv6 extension header lengths; 0 when hdr[] is too short (len). */
bool esp_ip6_is_ext(uint8_t nh);
size_t esp_ip6_ext_len(uint8_t nh, const uint8_t *hdr, size_t len);

/* The classification key of an IP packet. Ports are in host order; for
 * ICMP and ICMPv6 they carry type and code, as WFP conditions do; a
 * non-first fragment has none (fragment set). */
struct esp_selector {
	uint8_t version;	/* 4 or 6 */
	uint8_t proto;		/* upper-layer protocol */
	bool fragment;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
};

/* 0, or -EINVAL when the packet is not a well-formed IPv4/IPv6 packet
 * within len bytes. */
int esp_selector_get(const uint8_t *pkt, size_t len, struct esp_selector *sel);

#endif
