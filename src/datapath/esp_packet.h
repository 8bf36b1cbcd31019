/* esp_packet.h - ESP encapsulation and decapsulation of whole IP packets,
 * in memory, without system calls: transport and tunnel mode, IPv4 and
 * IPv6 (outer and inner independently), optional UDP encapsulation (RFC
 * 3948), padding per RFC 4303, ECN per RFC 6040.
 *
 * Buffer contract. A packet sits inside a caller's buffer (struct esp_buf)
 * and is rewritten in place; nothing is allocated per packet. The caller
 * leaves ESP_MAX_OVERHEAD bytes free in front of the packet and behind it:
 * encapsulation grows it by at most ESP_HEADROOM in front and ESP_TAILROOM
 * behind; decapsulation only shrinks it, except that a transport-mode
 * packet that came as a bare UDP payload gets a fresh IP header in front
 * (up to 40 bytes over what the ESP header and IV free). A call that lacks
 * room fails with -ENOBUFS and leaves the packet untouched.
 *
 * Input is two steps around the caller's SA lookup: esp_parse_ip (a raw
 * IP packet: ESP, or UDP-encapsulated ESP) or esp_parse_udp (the payload
 * a UDP socket returned) validates lengths and extracts SPI and sequence
 * number; the caller finds the SA by SPI, then esp_decap checks replay,
 * verifies and decrypts, checks the trailer and returns the inner packet
 * (tunnel) or the rebuilt packet (transport). A packet that fails returns
 * nothing: the buffer's contents are then undefined.
 *
 * Errors (0 or -errno): -EINVAL malformed, -ENOBUFS no room, -ENOSPC
 * sequence numbers exhausted, -EALREADY replayed or too old, -EBADMSG ICV
 * mismatch, -EPROTO bad padding or next header, -ECANCELED dropped by
 * RFC 6040, -EPROTONOSUPPORT a packet shape the core refuses (IPv6
 * fragment or routing-after-destination options in transport mode, IPv4
 * fragments in transport mode), -EIO OpenSSL failed.
 *
 * Threads: pure functions of their arguments, except that encap and decap
 * update the SA (see esp_sa.h: one thread at a time per SA).
 */
#ifndef FWP_DATAPATH_ESP_PACKET_H
#define FWP_DATAPATH_ESP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/esp_sa.h"

/* Outer IPv6 + UDP + ESP header + largest IV. */
#define ESP_HEADROOM (40 + 8 + 8 + ESP_MAX_IV)
/* Largest padding (CBC block - 1) + pad length + next header + ICV. */
#define ESP_TAILROOM (15 + 2 + ESP_MAX_ICV)
/* What a caller reserves on each side. */
#define ESP_MAX_OVERHEAD 128

struct esp_buf {
	uint8_t *base;		/* the caller's buffer */
	size_t size;		/* its size */
	size_t off;		/* where the packet starts */
	size_t len;		/* packet length */
};

struct esp_out_meta {
	size_t udp_off;		/* offset of the UDP header in base, 0: none */
	size_t esp_off;		/* offset of the ESP header in base */
	uint64_t seq;		/* the sequence number used */
	bool rekey;		/* the soft sequence limit was reached now */
};

/* Protects the IP packet in b with the outbound SA; on success b holds the
 * ESP packet, outer IP header first (a UDP socket sends from udp_off + 8).
 * meta may be NULL. Transport mode keeps the packet's header (IPv4 options
 * and IPv6 hop-by-hop and routing headers stay in front of ESP). */
int esp_encap(struct esp_sa *sa, struct esp_buf *b, struct esp_out_meta *meta);

/* What the parse step found. Offsets are from the start of the parsed
 * bytes; ports and numbers in host order. */
struct esp_in {
	uint32_t spi, seq_lo;
	uint8_t version;	/* outer IP version; 0 from esp_parse_udp */
	uint8_t ecn;		/* outer ECN (esp_parse_udp: Not-ECT) */
	bool udp;		/* UDP-encapsulated */
	uint16_t sport, dport;	/* UDP ports when udp */
	size_t l3_len;		/* IP header + extension headers before ESP/UDP */
	size_t nh_off;		/* the byte that said ESP (or UDP) */
	size_t esp_off, esp_len;	/* the ESP packet: header to ICV */
	uint8_t src[16], dst[16];	/* outer addresses (IPv4: first 4) */
};

#define ESP_PARSE_ESP 0
#define ESP_PARSE_IKE 1		/* non-ESP marker: an IKE message for IKE */
#define ESP_PARSE_KEEPALIVE 2	/* NAT-keepalive (RFC 3948 sec. 2.3): drop */

/* A raw IP packet carrying ESP (protocol 50) or UDP whose payload is ESP,
 * an IKE message or a keepalive (any UDP ports: the caller chose which
 * reach here). ESP_PARSE_* or -EINVAL. */
int esp_parse_ip(const uint8_t *pkt, size_t len, struct esp_in *in);
/* The payload of a UDP datagram on the NAT-T port. For a transport-mode
 * SA the caller fills version, src and dst (from recvmsg) before
 * esp_decap, which builds the IP header from them. */
int esp_parse_udp(const uint8_t *payload, size_t len, struct esp_in *in);

struct esp_in_result {
	size_t off, len;	/* the packet to deliver, within b->base */
	uint8_t next_header;	/* from the ESP trailer */
	bool dummy;		/* TFC dummy (next header 59): deliver nothing */
};

/* Decapsulates the packet in b that in describes (from a parse of the
 * bytes at b->base + b->off) with the inbound SA whose SPI is in->spi. */
int esp_decap(struct esp_sa *sa, struct esp_buf *b, const struct esp_in *in,
	      struct esp_in_result *res);
/* The same for a packet that still lies at src (b->len bytes, the ones
 * parsed): it is decrypted from there into b (b->off up), the bytes before
 * the payload copied, so that a receive buffer needs no copy into b
 * first. src is only read, and must not overlap b's packet room. */
int esp_decap_from(struct esp_sa *sa, struct esp_buf *b, const uint8_t *src,
		   const struct esp_in *in, struct esp_in_result *res);

#endif
