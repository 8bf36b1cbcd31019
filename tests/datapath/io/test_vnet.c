/* test_vnet.c - checksums, GSO splitting and TCP coalescing (no root).
 *
 * Synthetic super-packets, shaped like those a TUN with TSO/USO hands
 * over, are split; every resulting packet is checked field by field and
 * its checksums against a naive RFC 1071 sum written independently here.
 * Coalescing is checked against the original super-packet (round trip). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "datapath/csum.h"
#include "datapath/vnet.h"

/* --- an independent reference ------------------------------------------ */

static uint32_t naive_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
		s = (s & 0xffff) + (s >> 16);
	}
	if (n & 1) {
		s += (uint32_t)p[n - 1] << 8;
		s = (s & 0xffff) + (s >> 16);
	}
	return s;
}

/* The ones' complement sum of a transport segment with its pseudo-header:
 * 0xffff when the checksum in it is right. */
static uint32_t l4_verify(const uint8_t *ip, int v6, uint8_t proto,
			  const uint8_t *l4, size_t l4len)
{
	uint8_t ph[40] = {0};
	size_t phlen;

	if (v6) {
		memcpy(ph, ip + 8, 32);
		ph[32] = (uint8_t)(l4len >> 24);
		ph[33] = (uint8_t)(l4len >> 16);
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[39] = proto;
		phlen = 40;
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = proto;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		phlen = 12;
	}
	return naive_sum(l4, l4len, naive_sum(ph, phlen, 0));
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rng = 12345;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (uint8_t)rng;
}

/* --- packet builders ----------------------------------------------------- */

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

/* An IPv4 or IPv6 header (IPv6 optionally followed by an 8-byte
 * destination-options header) and a TCP (12 bytes of options) or UDP
 * header, then payload bytes; returns the total length and sets *l4. */
static size_t build(uint8_t *p, int v6, int ext, uint8_t proto,
		    size_t payload, uint8_t tcpflags, size_t *l4)
{
	size_t ip = v6 ? 40 + (ext ? 8 : 0) : 20;
	size_t th = proto == IPPROTO_TCP ? 32 : 8;
	size_t len = ip + th + payload, i;

	memset(p, 0, ip + th);
	if (v6) {
		p[0] = 0x60;
		p[1] = 0x0a;		/* traffic class, flow label */
		p[2] = 0xbc;
		p[3] = 0xde;
		put_be16(p + 4, (uint16_t)(len - 40));
		p[6] = ext ? 60 : proto;
		p[7] = 64;
		p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8;
		p[23] = 1;
		p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8;
		p[39] = 2;
		if (ext) {
			p[40] = proto;	/* next header; length 0: 8 bytes */
			p[42] = 1;	/* PadN option over the rest */
			p[43] = 4;
		}
	} else {
		p[0] = 0x45;
		put_be16(p + 2, (uint16_t)len);
		put_be16(p + 4, 0xfffe);	/* the id wraps */
		p[6] = 0x40;			/* DF */
		p[8] = 64;
		p[9] = proto;
		p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 1;
		p[16] = 198; p[17] = 51; p[18] = 100; p[19] = 7;
		csum_ipv4_header(p);
	}
	put_be16(p + ip, 40000);
	put_be16(p + ip + 2, 5201);
	if (proto == IPPROTO_TCP) {
		put_be32(p + ip + 4, 0xfffff000u);	/* seq wraps */
		put_be32(p + ip + 8, 0x01020304u);
		p[ip + 12] = 8 << 4;			/* 32-byte header */
		p[ip + 13] = tcpflags;
		put_be16(p + ip + 14, 501);
		p[ip + 20] = 1;				/* NOP NOP TS */
		p[ip + 21] = 1;
		p[ip + 22] = 8;
		p[ip + 23] = 10;
		put_be32(p + ip + 24, 0xaabbccdd);
		put_be32(p + ip + 28, 0x11223344);
	} else {
		put_be16(p + ip + 4, (uint16_t)(th + payload));
	}
	for (i = ip + th; i < len; i++)
		p[i] = rnd8();
	*l4 = ip;
	return len;
}

/* The partial checksum a local stack leaves for the device. */
static void seed_partial(uint8_t *p, int v6, uint8_t proto, size_t l4,
			 size_t len)
{
	size_t field = l4 + (proto == IPPROTO_TCP ? 16 : 6);
	uint64_t s = v6 ? csum_pseudo6(p + 8, p + 24, proto, (uint32_t)(len - l4))
			: csum_pseudo4(p + 12, p + 16, proto, (uint32_t)(len - l4));

	put_be16(p + field, csum_fold(s));
}

#define NOUT 64
#define OUTSZ 2048
#define HEADROOM 32

struct outbufs {
	uint8_t mem[NOUT][OUTSZ];
	uint8_t *ptr[NOUT];
	uint32_t lens[NOUT];
};

static struct outbufs *outbufs_new(void)
{
	struct outbufs *o = calloc(1, sizeof(*o));
	int i;

	assert_non_null(o);
	for (i = 0; i < NOUT; i++)
		o->ptr[i] = o->mem[i];
	return o;
}

/* --- checksum ------------------------------------------------------------ */

static void test_csum_matches_naive(void **state)
{
	static uint8_t buf[4099];
	size_t len, i, cut;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd8();
	for (len = 0; len <= sizeof(buf); len += len < 80 ? 1 : 97) {
		uint32_t want = naive_sum(buf, len, 0);

		assert_int_equal(csum_fold(csum_partial(buf, len, 0)),
				 want == 0 ? 0 : want);
		/* Pieces of even length, then the rest. */
		for (cut = 0; cut <= len; cut += 38) {
			uint64_t s = csum_partial(buf, cut, 0);

			s = csum_partial(buf + cut, len - cut, s);
			assert_int_equal(csum_fold(s), naive_sum(buf, len, 0));
		}
	}
	/* Unaligned starts. */
	for (i = 1; i < 8; i++)
		assert_int_equal(csum_fold(csum_partial(buf + i, 1500, 0)),
				 naive_sum(buf + i, 1500, 0));
}

static void test_csum_ipv4_header(void **state)
{
	uint8_t p[60];
	size_t l4;

	(void)state;
	build(p, 0, 0, IPPROTO_UDP, 0, 0, &l4);
	p[10] = 0x12;
	p[11] = 0x34;
	csum_ipv4_header(p);
	assert_int_equal(naive_sum(p, 20, 0), 0xffff);
	/* RFC 1071's all-ones sum case: a zero-sum header yields 0xffff. */
	memset(p, 0, 20);
	p[0] = 0x45;
	csum_ipv4_header(p);
	assert_int_equal(naive_sum(p, 20, 0), 0xffff);
}

/* --- splitting ----------------------------------------------------------- */

static void check_tcp_split(int v6, int ext, size_t payload, uint16_t mss,
			    uint8_t flags, int ecn)
{
	static uint8_t pkt[70000];
	struct outbufs *o = outbufs_new();
	struct vnet_hdr h = {0};
	size_t l4, len, hdr, off;
	int n, i, want;

	len = build(pkt, v6, ext, IPPROTO_TCP, payload, flags, &l4);
	seed_partial(pkt, v6, IPPROTO_TCP, l4, len);
	hdr = l4 + 32;
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = (uint8_t)((v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
				     VIRTIO_NET_HDR_GSO_TCPV4) |
			       (ecn ? VIRTIO_NET_HDR_GSO_ECN : 0));
	h.hdr_len = 7;		/* nonsense: must not be trusted */
	h.gso_size = mss;
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 16;

	want = (int)((payload + mss - 1) / mss);
	assert_int_equal(vnet_split_count(&h, pkt, len), want);
	n = vnet_split(&h, pkt, len, o->ptr, OUTSZ, HEADROOM, o->lens, NOUT);
	assert_int_equal(n, want);

	for (i = 0, off = hdr; i < n; i++) {
		const uint8_t *s = o->ptr[i] + HEADROOM;
		size_t chunk = payload - (off - hdr) < mss ?
			       payload - (off - hdr) : mss;
		uint8_t f = s[l4 + 13];

		assert_int_equal(o->lens[i], hdr + chunk);
		if (v6) {
			assert_int_equal(be16(s + 4), hdr + chunk - 40);
			assert_memory_equal(s, pkt, 4);
		} else {
			assert_int_equal(be16(s + 2), hdr + chunk);
			assert_int_equal(be16(s + 4),
					 (uint16_t)(0xfffe + i));
			assert_int_equal(naive_sum(s, 20, 0), 0xffff);
			assert_int_equal(s[6], 0x40);
		}
		/* TTL, protocol, addresses, ports, ack, options unchanged */
		if (v6) {
			assert_memory_equal(s + 6, pkt + 6, 34);
		} else {
			assert_memory_equal(s + 8, pkt + 8, 2);
			assert_memory_equal(s + 12, pkt + 12, 8);
		}
		assert_memory_equal(s + l4, pkt + l4, 4);
		assert_memory_equal(s + l4 + 8, pkt + l4 + 8, 5);
		assert_memory_equal(s + l4 + 14, pkt + l4 + 14, 2);
		assert_memory_equal(s + l4 + 20, pkt + l4 + 20, 12);
		if (ext)
			assert_memory_equal(s + 40, pkt + 40, 8);
		assert_int_equal(be32(s + l4 + 4),
				 (uint32_t)(0xfffff000u + (uint32_t)(off - hdr)));
		assert_int_equal(f & (TCP_FIN | TCP_PSH),
				 i == n - 1 ? flags & (TCP_FIN | TCP_PSH) : 0);
		assert_int_equal(f & TCP_CWR, i == 0 ? flags & TCP_CWR : 0);
		assert_int_equal(f & TCP_ACK, flags & TCP_ACK);
		assert_memory_equal(s + hdr, pkt + off, chunk);
		assert_int_equal(l4_verify(s, v6, IPPROTO_TCP, s + l4,
					   hdr + chunk - l4), 0xffff);
		off += chunk;
	}
	assert_int_equal(off, len);
	free(o);
}

static void test_split_tcp4(void **state)
{
	(void)state;
	check_tcp_split(0, 0, 10000, 1448, TCP_ACK | TCP_PSH | TCP_FIN, 0);
	check_tcp_split(0, 0, 1448 * 3, 1448, TCP_ACK | TCP_CWR, 1);
	check_tcp_split(0, 0, 1, 536, TCP_ACK | TCP_PSH, 0);
	check_tcp_split(0, 0, 65535 - 52, 1360, TCP_ACK, 0);
	check_tcp_split(0, 0, 1447, 1448, TCP_ACK, 0);
}

static void test_split_tcp6(void **state)
{
	(void)state;
	check_tcp_split(1, 0, 20001, 1428, TCP_ACK | TCP_PSH, 0);
	check_tcp_split(1, 1, 5000, 1000, TCP_ACK | TCP_FIN, 0);
	check_tcp_split(1, 0, 65535 - 72, 1208, TCP_ACK | TCP_CWR, 1);
}

static void check_udp_split(int v6, size_t payload, uint16_t segsz)
{
	static uint8_t pkt[70000];
	struct outbufs *o = outbufs_new();
	struct vnet_hdr h = {0};
	size_t l4, len, hdr, off;
	int n, i, want;

	len = build(pkt, v6, 0, IPPROTO_UDP, payload, 0, &l4);
	seed_partial(pkt, v6, IPPROTO_UDP, l4, len);
	hdr = l4 + 8;
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	h.gso_size = segsz;
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 6;
	want = (int)((payload + segsz - 1) / segsz);
	n = vnet_split(&h, pkt, len, o->ptr, OUTSZ, 0, o->lens, NOUT);
	assert_int_equal(n, want);
	for (i = 0, off = hdr; i < n; i++) {
		const uint8_t *s = o->ptr[i];
		size_t chunk = len - off < segsz ? len - off : segsz;

		assert_int_equal(o->lens[i], hdr + chunk);
		assert_int_equal(be16(s + l4 + 4), 8 + chunk);
		assert_memory_equal(s + l4, pkt + l4, 4);
		assert_memory_equal(s + hdr, pkt + off, chunk);
		assert_int_not_equal(be16(s + l4 + 6), 0);
		assert_int_equal(l4_verify(s, v6, IPPROTO_UDP, s + l4,
					   8 + chunk), 0xffff);
		if (!v6) {
			assert_int_equal(naive_sum(s, 20, 0), 0xffff);
			assert_int_equal(be16(s + 2), hdr + chunk);
		} else {
			assert_int_equal(be16(s + 4), hdr + chunk - 40);
		}
		off += chunk;
	}
	free(o);
}

static void test_split_udp(void **state)
{
	(void)state;
	check_udp_split(0, 5000, 1200);
	check_udp_split(1, 5000, 1200);
	check_udp_split(0, 1200 * 40, 1200);
	check_udp_split(1, 1, 1400);
}

static void test_csum_complete(void **state)
{
	static uint8_t pkt[2000];
	struct outbufs *o = outbufs_new();
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	size_t l4, len;
	int v6, n;

	(void)state;
	for (v6 = 0; v6 < 2; v6++) {
		/* TCP in place */
		len = build(pkt, v6, 0, IPPROTO_TCP, 1001, TCP_ACK, &l4);
		seed_partial(pkt, v6, IPPROTO_TCP, l4, len);
		h.csum_start = (uint16_t)l4;
		h.csum_offset = 16;
		assert_int_equal(vnet_csum_complete(&h, pkt, len), 0);
		assert_int_equal(l4_verify(pkt, v6, IPPROTO_TCP, pkt + l4,
					   len - l4), 0xffff);
		/* UDP through vnet_split (GSO none: one copy) */
		len = build(pkt, v6, 0, IPPROTO_UDP, 999, 0, &l4);
		seed_partial(pkt, v6, IPPROTO_UDP, l4, len);
		h.csum_start = (uint16_t)l4;
		h.csum_offset = 6;
		n = vnet_split(&h, pkt, len, o->ptr, OUTSZ, HEADROOM, o->lens,
			       NOUT);
		assert_int_equal(n, 1);
		assert_int_equal(o->lens[0], len);
		assert_int_equal(l4_verify(o->ptr[0] + HEADROOM, v6,
					   IPPROTO_UDP,
					   o->ptr[0] + HEADROOM + l4, len - l4),
				 0xffff);
	}
	/* No flag: untouched. */
	h.flags = 0;
	pkt[l4 + 6] = 0x12;
	assert_int_equal(vnet_csum_complete(&h, pkt, len), 0);
	assert_int_equal(pkt[l4 + 6], 0x12);
	/* Offsets outside the packet. */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)(len - 1);
	h.csum_offset = 6;
	assert_int_equal(vnet_csum_complete(&h, pkt, len), -EINVAL);
	free(o);
}

static void test_split_rejects(void **state)
{
	static uint8_t pkt[8000];
	struct outbufs *o = outbufs_new();
	struct vnet_hdr h = {0}, g;
	size_t l4, len;

	(void)state;
	len = build(pkt, 0, 0, IPPROTO_TCP, 5000, TCP_ACK, &l4);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1000;
	h.csum_start = 20;
	h.csum_offset = 16;
	assert_int_equal(vnet_split(&h, pkt, len, o->ptr, OUTSZ, 0, o->lens,
				    NOUT), 5);
	/* too few output buffers, too small ones */
	assert_int_equal(vnet_split(&h, pkt, len, o->ptr, OUTSZ, 0, o->lens,
				    4), -ENOBUFS);
	assert_int_equal(vnet_split(&h, pkt, len, o->ptr, 1000, 0, o->lens,
				    NOUT), -ENOBUFS);
	/* gso_size 0, wrong family, csum_start elsewhere, UFO, truncation */
	g = h;
	g.gso_size = 0;
	assert_int_equal(vnet_split_count(&g, pkt, len), -EINVAL);
	g = h;
	g.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(vnet_split_count(&g, pkt, len), -EINVAL);
	g = h;
	g.csum_start = 24;
	assert_int_equal(vnet_split_count(&g, pkt, len), -EINVAL);
	g = h;
	g.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(vnet_split_count(&g, pkt, len), -EPROTONOSUPPORT);
	assert_int_equal(vnet_split_count(&h, pkt, 30), -EINVAL);
	assert_int_equal(vnet_split_count(&h, pkt, 10), -EINVAL);
	/* a UDP packet announced as TCP */
	len = build(pkt, 0, 0, IPPROTO_UDP, 5000, 0, &l4);
	assert_int_equal(vnet_split_count(&h, pkt, len), -EINVAL);
	/* TCP data offset below 5 */
	len = build(pkt, 0, 0, IPPROTO_TCP, 5000, TCP_ACK, &l4);
	pkt[l4 + 12] = 4 << 4;
	assert_int_equal(vnet_split_count(&h, pkt, len), -EINVAL);
	/* not IP */
	pkt[0] = 0x55;
	assert_int_equal(vnet_split_count(&h, pkt, len), -EINVAL);
	free(o);
}

static void test_hdr_wire(void **state)
{
	struct vnet_hdr h = { 1, 4, 0x1234, 0x5678, 0x9abc, 0xdef0 }, g;
	uint8_t w[VNET_HDR_LEN];

	(void)state;
	vnet_hdr_put(w, &h);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 4);
	assert_int_equal(w[2], 0x34);	/* little-endian on the wire */
	assert_int_equal(w[3], 0x12);
	vnet_hdr_get(&g, w);
	assert_memory_equal(&g, &h, sizeof(h));
}

/* --- coalescing ---------------------------------------------------------- */

#define GRO_CAP (VNET_MAX_PACKET + 64)

struct grobufs {
	uint8_t mem[NOUT][VNET_HDR_LEN + GRO_CAP];
	struct vnet_pkt pk[NOUT];
	unsigned idx[NOUT];
};

static struct grobufs *grobufs_new(void)
{
	struct grobufs *g = calloc(1, sizeof(*g));
	int i;

	assert_non_null(g);
	for (i = 0; i < NOUT; i++) {
		g->pk[i].data = g->mem[i] + VNET_HDR_LEN;
		g->pk[i].cap = GRO_CAP;
	}
	return g;
}

/* Coalesces g's first n packets, then copies each chain behind its head
 * (as a TUN write gathers it), so the tests read whole packets. */
static unsigned gro_flat(struct grobufs *g, unsigned n)
{
	unsigned nw = vnet_gro(g->pk, n, g->idx), i;

	for (i = 0; i < nw; i++)
		assert_int_equal(vnet_flatten(g->pk, g->idx[i]), 0);
	return nw;
}

/* Splits a super-packet and coalesces the segments again: one packet,
 * the original bytes (IPv4 id aside), a GSO header that splits back into
 * the same segments. */
static void check_roundtrip(int v6, size_t payload, uint16_t mss)
{
	static uint8_t pkt[70000];
	struct outbufs *o = outbufs_new(), *o2 = outbufs_new();
	struct grobufs *g = grobufs_new();
	struct vnet_hdr h = {0}, gh;
	size_t l4, len;
	unsigned nw;
	int n, n2, i;

	len = build(pkt, v6, 0, IPPROTO_TCP, payload, TCP_ACK | TCP_PSH, &l4);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = mss;
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 16;
	n = vnet_split(&h, pkt, len, o->ptr, OUTSZ, 0, o->lens, NOUT);
	assert_true(n > 1);
	for (i = 0; i < n; i++) {
		memcpy(g->pk[i].data, o->ptr[i], o->lens[i]);
		g->pk[i].len = o->lens[i];
	}
	nw = vnet_gro(g->pk, (unsigned)n, g->idx);
	assert_int_equal(nw, 1);
	assert_int_equal(g->idx[0], 0);
	assert_int_equal(g->pk[0].len, len);
	/* Nothing copied: the head keeps its segment, the others' payloads
	 * are chained behind it in order, straight from their buffers. */
	assert_int_equal(g->pk[0].own, o->lens[0]);
	{
		size_t at = o->lens[0];
		unsigned j = g->pk[0].next, cnt = 1;

		for (; j; j = g->pk[j - 1].next, cnt++) {
			assert_int_equal(j - 1, cnt);
			const struct vnet_pkt *q = &g->pk[j - 1];

			assert_int_equal(q->len, o->lens[cnt]);
			assert_int_equal(q->own, q->len - l4 - 32);
			assert_memory_equal(q->data + l4 + 32, pkt + at, q->own);
			at += q->own;
		}
		assert_int_equal(cnt, n);
		assert_int_equal(at, len);
	}
	assert_int_equal(vnet_flatten(g->pk, 0), 0);
	assert_int_equal(g->pk[0].own, len);
	assert_int_equal(g->pk[0].next, 0);
	vnet_hdr_get(&gh, g->pk[0].data - VNET_HDR_LEN);
	assert_int_equal(gh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(gh.gso_type, h.gso_type);
	assert_int_equal(gh.gso_size, mss);
	assert_int_equal(gh.csum_start, l4);
	assert_int_equal(gh.csum_offset, 16);
	assert_int_equal(gh.hdr_len, l4 + 32);
	/* Everything but the checksum field as in the original. */
	assert_memory_equal(g->pk[0].data, pkt, l4 + 16);
	assert_memory_equal(g->pk[0].data + l4 + 18, pkt + l4 + 18,
			    len - l4 - 18);
	/* The field holds the pseudo-header sum for the kernel to finish. */
	{
		uint64_t s = v6 ? csum_pseudo6(pkt + 8, pkt + 24, IPPROTO_TCP,
					       (uint32_t)(len - l4))
				: csum_pseudo4(pkt + 12, pkt + 16, IPPROTO_TCP,
					       (uint32_t)(len - l4));

		assert_int_equal(be16(g->pk[0].data + l4 + 16), csum_fold(s));
	}
	/* And what the kernel would cut is what we cut. */
	n2 = vnet_split(&gh, g->pk[0].data, g->pk[0].len, o2->ptr, OUTSZ, 0,
			o2->lens, NOUT);
	assert_int_equal(n2, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(o2->lens[i], o->lens[i]);
		assert_memory_equal(o2->ptr[i], o->ptr[i], o->lens[i]);
	}
	free(o);
	free(o2);
	free(g);
}

/* A UDP train: split into datagrams, coalesced again into one USO packet
 * (of up to 64 datagrams) whose header splits back
 * into the same datagrams. */
static void check_udp_roundtrip(int v6, size_t payload, uint16_t segsz, unsigned want_trains)
{
	static uint8_t pkt[70000];
	struct outbufs *o = outbufs_new(), *o2 = outbufs_new();
	struct grobufs *g = grobufs_new();
	struct vnet_hdr h = {0}, gh;
	size_t l4, len;
	unsigned nw, t;
	int n, n2, i, at = 0;

	len = build(pkt, v6, 0, IPPROTO_UDP, payload, 0, &l4);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	h.gso_size = segsz;
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 6;
	n = vnet_split(&h, pkt, len, o->ptr, OUTSZ, 0, o->lens, NOUT);
	assert_true(n > 1);
	for (i = 0; i < n; i++) {
		memcpy(g->pk[i].data, o->ptr[i], o->lens[i]);
		g->pk[i].len = o->lens[i];
	}
	nw = gro_flat(g, (unsigned)n);
	assert_int_equal(nw, want_trains);
	for (t = 0; t < nw; t++) {
		const uint8_t *q = g->pk[g->idx[t]].data;
		uint32_t qlen = g->pk[g->idx[t]].len;

		vnet_hdr_get(&gh, q - VNET_HDR_LEN);
		assert_int_equal(gh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(gh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
		assert_int_equal(gh.gso_size, segsz);
		assert_int_equal(gh.csum_start, l4);
		assert_int_equal(gh.csum_offset, 6);
		assert_int_equal(gh.hdr_len, l4 + 8);
		assert_int_equal(be16(q + l4 + 4), qlen - l4);
		if (!v6)
			assert_int_equal(naive_sum(q, 20, 0), 0xffff);
		/* What the kernel would cut is what was cut. */
		n2 = vnet_split(&gh, q, qlen, o2->ptr, OUTSZ, 0, o2->lens, NOUT);
		assert_true(n2 >= 1 && n2 <= 64 && at + n2 <= n);
		for (i = 0; i < n2; i++, at++) {
			size_t hl = l4 + 8;

			assert_int_equal(o2->lens[i], o->lens[at]);
			/* IPv4 ids restart per train; all else is equal. */
			assert_memory_equal(o2->ptr[i] + hl, o->ptr[at] + hl,
					    o->lens[at] - hl);
			assert_memory_equal(o2->ptr[i] + l4, o->ptr[at] + l4, 8);
			assert_memory_equal(o2->ptr[i] + (v6 ? 6 : 8),
					    o->ptr[at] + (v6 ? 6 : 8), v6 ? 34 : 2);
		}
	}
	assert_int_equal(at, n);
	free(o);
	free(o2);
	free(g);
}

static void test_gro_roundtrip(void **state)
{
	(void)state;
	check_roundtrip(0, 30000, 1448);
	check_roundtrip(1, 30001, 1428);
	check_roundtrip(0, 65535 - 52, 1448);	/* fills 64 KiB exactly */
	check_udp_roundtrip(0, 30000, 1372, 1);
	check_udp_roundtrip(1, 12001, 1200, 1);	/* the last one short */
	check_udp_roundtrip(0, 64 * 500, 500, 1);	/* 64 in a train, the most */
}

/* Copies segment i of a split into slot k of g. */
static void put_seg(struct grobufs *g, unsigned k, const struct outbufs *o,
		    int i)
{
	memcpy(g->pk[k].data, o->ptr[i], o->lens[i]);
	g->pk[k].len = o->lens[i];
}

static void test_gro_flows(void **state)
{
	static uint8_t a[20000], b[20000], u[300];
	struct outbufs *oa = outbufs_new(), *ob = outbufs_new();
	struct grobufs *g = grobufs_new();
	struct vnet_hdr h = {0}, gh;
	size_t l4, la, lb, lu;
	unsigned nw, k = 0, i;
	int na, nb;

	(void)state;
	la = build(a, 0, 0, IPPROTO_TCP, 8000, TCP_ACK, &l4);
	lb = build(b, 1, 0, IPPROTO_TCP, 8000, TCP_ACK, &l4);
	lu = build(u, 0, 0, IPPROTO_UDP, 100, 0, &l4);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1000;
	h.csum_start = 20;
	h.csum_offset = 16;
	na = vnet_split(&h, a, la, oa->ptr, OUTSZ, 0, oa->lens, NOUT);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	h.csum_start = 40;
	nb = vnet_split(&h, b, lb, ob->ptr, OUTSZ, 0, ob->lens, NOUT);
	assert_int_equal(na, 8);
	assert_int_equal(nb, 8);

	/* a0 b0 a1 b1 u a2 a4(gap) a5 b2 [a3: retransmit order] b3 */
	put_seg(g, k++, oa, 0);
	put_seg(g, k++, ob, 0);
	put_seg(g, k++, oa, 1);
	put_seg(g, k++, ob, 1);
	memcpy(g->pk[k].data, u, lu);
	g->pk[k++].len = (uint32_t)lu;
	put_seg(g, k++, oa, 2);
	put_seg(g, k++, oa, 4);
	put_seg(g, k++, oa, 5);
	put_seg(g, k++, ob, 2);
	put_seg(g, k++, oa, 3);
	put_seg(g, k++, ob, 3);
	nw = gro_flat(g, k);
	/* a0+a1+a2 | b0+b1+b2+b3 | u | a4+a5 | a3 */
	assert_int_equal(nw, 5);
	assert_int_equal(g->idx[0], 0);
	assert_int_equal(g->idx[1], 1);
	assert_int_equal(g->idx[2], 4);
	assert_int_equal(g->idx[3], 6);
	assert_int_equal(g->idx[4], 9);
	assert_int_equal(g->pk[0].len, 20 + 32 + 3000);
	assert_int_equal(g->pk[1].len, 40 + 32 + 4000);
	assert_int_equal(g->pk[6].len, 20 + 32 + 2000);
	assert_int_equal(g->pk[9].len, 20 + 32 + 1000);
	assert_memory_equal(g->pk[0].data + 52, a + 52, 3000);
	assert_memory_equal(g->pk[1].data + 72, b + 72, 4000);
	assert_memory_equal(g->pk[6].data + 52, a + 52 + 4000, 2000);
	/* headers: GSO for the joined, zero for the single ones */
	vnet_hdr_get(&gh, g->pk[1].data - VNET_HDR_LEN);
	assert_int_equal(gh.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(be16(g->pk[1].data + 4), 32 + 4000);
	vnet_hdr_get(&gh, g->pk[0].data - VNET_HDR_LEN);
	assert_int_equal(gh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(naive_sum(g->pk[0].data, 20, 0), 0xffff);
	assert_int_equal(be16(g->pk[0].data + 2), 52 + 3000);
	for (i = 2; i < 5; i += 2) {
		static const uint8_t zero[VNET_HDR_LEN];

		assert_memory_equal(g->pk[g->idx[i]].data - VNET_HDR_LEN,
				    zero, VNET_HDR_LEN);
	}
	/* a3 kept its own, complete checksum */
	assert_int_equal(l4_verify(g->pk[9].data, 0, IPPROTO_TCP,
				   g->pk[9].data + 20, 32 + 1000), 0xffff);
	free(oa);
	free(ob);
	free(g);
}

static void test_gro_barriers(void **state)
{
	static uint8_t a[20000];
	struct outbufs *o = outbufs_new();
	struct grobufs *g = grobufs_new();
	struct vnet_hdr h = {0};
	size_t l4, la;
	unsigned nw;
	int n;

	(void)state;
	la = build(a, 0, 0, IPPROTO_TCP, 6000, TCP_ACK, &l4);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1000;
	h.csum_start = 20;
	h.csum_offset = 16;
	n = vnet_split(&h, a, la, o->ptr, OUTSZ, 0, o->lens, NOUT);
	assert_int_equal(n, 6);

	/* A pure ACK of the flow between segments: nothing may pass it. */
	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	memcpy(g->pk[2].data, o->ptr[2], 52);	/* headers only */
	g->pk[2].len = 52;
	put_be16(g->pk[2].data + 2, 52);
	put_seg(g, 3, o, 2);
	nw = gro_flat(g, 4);
	assert_int_equal(nw, 3);
	assert_int_equal(g->pk[0].len, 52 + 2000);
	assert_int_equal(g->idx[1], 2);
	assert_int_equal(g->idx[2], 3);

	/* A different window or TTL, a FIN, PSH: each closes or refuses. */
	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	g->pk[1].data[20 + 15] ^= 1;		/* window */
	nw = gro_flat(g, 2);
	assert_int_equal(nw, 2);

	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	g->pk[1].data[8] = 63;			/* TTL */
	nw = gro_flat(g, 2);
	assert_int_equal(nw, 2);

	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	g->pk[1].data[20 + 13] |= TCP_PSH;	/* joins, then closes */
	put_seg(g, 2, o, 2);
	nw = gro_flat(g, 3);
	assert_int_equal(nw, 2);
	assert_int_equal(g->pk[0].len, 52 + 2000);
	assert_true(g->pk[0].data[20 + 13] & TCP_PSH);

	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	g->pk[1].data[20 + 13] |= TCP_FIN;	/* never joins */
	nw = gro_flat(g, 2);
	assert_int_equal(nw, 2);

	/* The head's buffer does not bound joining (the payloads stay in
	 * theirs); only a flatten needs the room, and refuses without it. */
	put_seg(g, 0, o, 0);
	put_seg(g, 1, o, 1);
	g->pk[0].cap = 52 + 1500;
	nw = vnet_gro(g->pk, 2, g->idx);
	assert_int_equal(nw, 1);
	assert_int_equal(g->pk[0].len, 52 + 2000);
	assert_int_equal(g->pk[0].next, 2);
	assert_int_equal(vnet_flatten(g->pk, 0), -ENOBUFS);
	assert_int_equal(g->pk[0].own, 52 + 1000);
	assert_int_equal(g->pk[0].next, 2);
	free(o);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_matches_naive),
		cmocka_unit_test(test_csum_ipv4_header),
		cmocka_unit_test(test_hdr_wire),
		cmocka_unit_test(test_split_tcp4),
		cmocka_unit_test(test_split_tcp6),
		cmocka_unit_test(test_split_udp),
		cmocka_unit_test(test_csum_complete),
		cmocka_unit_test(test_split_rejects),
		cmocka_unit_test(test_gro_roundtrip),
		cmocka_unit_test(test_gro_flows),
		cmocka_unit_test(test_gro_barriers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
