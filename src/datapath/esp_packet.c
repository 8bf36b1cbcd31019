/* esp_packet.c - ESP encapsulation and decapsulation in memory. Contract:
 * esp_packet.h. Offsets are computed once and every read is bounded by a
 * length checked before it: the input side faces the network. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "datapath/esp_ip.h"
#include "datapath/esp_packet.h"
#include "datapath/esp_sa_internal.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* ---- output ---- */

/* What encapsulation needs to know about the packet it protects. */
struct plain {
	uint8_t version;
	size_t len;		/* IP total length */
	size_t hdr;		/* transport: bytes that stay in front of ESP */
	size_t nh_off;		/* transport: the byte naming what follows them */
	uint8_t nh;		/* the trailer's next header */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	bool df;
};

/* Transport mode keeps hop-by-hop and routing headers (and destination
 * options in front of a routing header) outside ESP, where routers read
 * them (RFC 4303 sec. 3.1.1); the rest goes inside. */
static int plain_ip6_transport(const uint8_t *p, struct plain *pl)
{
	for (;;) {
		uint8_t nh = p[pl->nh_off];
		size_t n;

		if (nh == IPPROTO_FRAGMENT)
			return -EPROTONOSUPPORT;	/* ESP comes before fragmenting */
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS)
			break;
		n = esp_ip6_ext_len(nh, p + pl->hdr, pl->len - pl->hdr);
		if (!n)
			return -EINVAL;
		if (nh == IPPROTO_DSTOPTS && p[pl->hdr] != IPPROTO_ROUTING)
			break;
		pl->nh_off = pl->hdr;
		pl->hdr += n;
	}
	pl->nh = p[pl->nh_off];
	return 0;
}

static int plain_parse(const struct esp_sa *sa, const uint8_t *p, size_t len,
		       struct plain *pl)
{
	size_t ihl;

	if (len < 1)
		return -EINVAL;
	pl->version = p[0] >> 4;
	if (pl->version == 4) {
		if (len < IP4_HDR_LEN)
			return -EINVAL;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		pl->len = get16(p + 2);
		if (ihl < IP4_HDR_LEN || pl->len < ihl || pl->len > len)
			return -EINVAL;
		pl->tos = p[1];
		pl->df = p[6] & 0x40;
		pl->hdr = ihl;
		pl->nh_off = 9;
		pl->nh = p[9];
		/* A fragment's offsets describe a payload ESP would replace. */
		if (sa->mode == ESP_TRANSPORT && ((p[6] & 0x3f) || p[7]))
			return -EPROTONOSUPPORT;
	} else if (pl->version == 6) {
		if (len < IP6_HDR_LEN)
			return -EINVAL;
		pl->len = IP6_HDR_LEN + get16(p + 4);
		if (pl->len > len)
			return -EINVAL;
		pl->tos = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
		pl->df = false;
		pl->hdr = IP6_HDR_LEN;
		pl->nh_off = 6;
		if (sa->mode == ESP_TRANSPORT) {
			int rc = plain_ip6_transport(p, pl);

			if (rc)
				return rc;
		}
	} else {
		return -EINVAL;
	}
	if (sa->mode == ESP_TUNNEL)
		pl->nh = pl->version == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	return 0;
}

/* RFC 4301 sec. 5.1.2.1 and RFC 6040 sec. 4.1 (normal mode): DSCP and ECN
 * copied from the inner header, TTL set fresh, DF as configured. */
static void put_outer(struct esp_sa *sa, uint8_t *o, const struct plain *pl, size_t total)
{
	uint8_t proto = sa->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	bool df = sa->df == ESP_DF_SET || (sa->df == ESP_DF_COPY && pl->df);

	if (sa->outer_version == 4) {
		o[0] = 0x45;
		o[1] = pl->tos;
		put16(o + 2, total);
		put16(o + 4, sa->ip_id++);
		o[6] = df ? 0x40 : 0;
		o[7] = 0;
		o[8] = sa->ttl;
		o[9] = proto;
		memcpy(o + 12, sa->outer_src, 4);
		memcpy(o + 16, sa->outer_dst, 4);
		esp_ip4_set_csum(o);
	} else {
		o[0] = (uint8_t)(0x60 | pl->tos >> 4);
		o[1] = (uint8_t)(pl->tos << 4);
		o[2] = o[3] = 0;	/* flow label */
		put16(o + 4, total - IP6_HDR_LEN);
		o[6] = proto;
		o[7] = sa->ttl;
		memcpy(o + 8, sa->outer_src, 16);
		memcpy(o + 24, sa->outer_dst, 16);
	}
}

int esp_encap(struct esp_sa *sa, struct esp_buf *b, struct esp_out_meta *meta)
{
	const struct esp_xform_info *xi = &sa->info;
	uint8_t *p, *o, *esp, *t;
	struct plain pl = { 0 };
	size_t udp = sa->udp_encap ? UDP_HDR_LEN : 0, hdr, front, data, plen, pad, total;
	size_t start;
	uint64_t seq;
	int rc, seq_rc;

	if (!sa->outbound || b->off > b->size || b->len > b->size - b->off)
		return -EINVAL;
	p = b->base + b->off;
	rc = plain_parse(sa, p, b->len, &pl);
	if (rc) {
		esp_ctr_add(&sa->ctr.malformed, 1);
		return rc;
	}
	if (sa->mode == ESP_TUNNEL) {
		hdr = sa->outer_version == 4 ? IP4_HDR_LEN : IP6_HDR_LEN;
		data = pl.len;
	} else {
		hdr = pl.hdr;
		data = pl.len - pl.hdr;
	}
	front = (sa->mode == ESP_TUNNEL ? hdr : 0) + udp + ESP_HDR_LEN + xi->iv_len;
	plen = data + 2;
	pad = (xi->align - plen % xi->align) % xi->align;
	plen += pad;
	if (b->off < front || b->size - b->off - pl.len < pad + 2 + xi->icv_len)
		return -ENOBUFS;
	seq_rc = esp_seq_next(&sa->seq, &seq);
	if (seq_rc < 0) {
		esp_ctr_add(&sa->ctr.seq_exhausted, 1);
		return seq_rc;
	}

	start = b->off - front;
	o = b->base + start;
	if (sa->mode == ESP_TRANSPORT)
		memmove(o, p, hdr);
	esp = o + hdr + udp;
	/* RFC 4303 sec. 2.4: pad bytes 1, 2, 3, ... then length and next header. */
	t = esp + ESP_HDR_LEN + xi->iv_len + data;
	for (size_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);
	t[pad] = (uint8_t)pad;
	t[pad + 1] = pl.nh;
	put32(esp, sa->spi);
	put32(esp + 4, (uint32_t)seq);
	rc = esp_xform_seal(sa->x, esp, plen, seq);
	if (rc)
		return rc;	/* the number is spent, never reused */

	total = hdr + udp + ESP_HDR_LEN + xi->iv_len + plen + xi->icv_len;
	if (sa->mode == ESP_TUNNEL) {
		put_outer(sa, o, &pl, total);
	} else if (pl.version == 4) {
		o[9] = udp ? IPPROTO_UDP : IPPROTO_ESP;
		put16(o + 2, total);
		esp_ip4_set_csum(o);
	} else {
		o[pl.nh_off] = udp ? IPPROTO_UDP : IPPROTO_ESP;
		put16(o + 4, total - IP6_HDR_LEN);
	}
	if (udp) {
		uint8_t *u = o + hdr;
		bool v6 = (o[0] >> 4) == 6;

		put16(u, sa->udp_sport);
		put16(u + 2, sa->udp_dport);
		put16(u + 4, total - hdr);
		/* RFC 3948 sec. 2.1: zero over IPv4; IPv6 requires a sum. */
		u[6] = u[7] = 0;
		if (v6)
			esp_l4_set_csum(u, total - hdr, IPPROTO_UDP, o + 8, o + 24, 16);
	}
	esp_ctr_add(&sa->ctr.packets, 1);
	esp_ctr_add(&sa->ctr.bytes, pl.len);
	b->off = start;
	b->len = total;
	if (meta) {
		meta->udp_off = udp ? start + hdr : 0;
		meta->esp_off = start + hdr + udp;
		meta->seq = seq;
		meta->rekey = seq_rc == ESP_SEQ_REKEY;
	}
	return 0;
}

/* ---- input parse ---- */

static int parse_esp_hdr(const uint8_t *p, size_t len, size_t off, struct esp_in *in)
{
	if (len < ESP_HDR_LEN)
		return -EINVAL;
	in->spi = get32(p);
	if (in->spi == 0)
		return -EINVAL;	/* reserved (RFC 4303 sec. 2.1) */
	in->seq_lo = get32(p + 4);
	in->esp_off = off;
	in->esp_len = len;
	return ESP_PARSE_ESP;
}

/* RFC 3948 sec. 2.2/2.3: one 0xFF byte is a keepalive; four zero bytes (a
 * zero SPI) mark an IKE message; anything else is ESP. */
static int parse_udp_payload(const uint8_t *p, size_t len, size_t off, struct esp_in *in)
{
	if (len == 1 && p[0] == 0xff)
		return ESP_PARSE_KEEPALIVE;
	if (len >= 4 && !p[0] && !p[1] && !p[2] && !p[3])
		return ESP_PARSE_IKE;
	return parse_esp_hdr(p, len, off, in);
}

int esp_parse_udp(const uint8_t *payload, size_t len, struct esp_in *in)
{
	memset(in, 0, sizeof(*in));
	in->udp = true;
	return parse_udp_payload(payload, len, 0, in);
}

int esp_parse_ip(const uint8_t *pkt, size_t len, struct esp_in *in)
{
	size_t l3, end, ulen;
	uint8_t proto;

	memset(in, 0, sizeof(*in));
	if (len < 1)
		return -EINVAL;
	in->version = pkt[0] >> 4;
	if (in->version == 4) {
		if (len < IP4_HDR_LEN)
			return -EINVAL;
		l3 = (size_t)(pkt[0] & 0x0f) * 4;
		end = get16(pkt + 2);
		if (l3 < IP4_HDR_LEN || end < l3 || end > len || !esp_ip4_csum_ok(pkt))
			return -EINVAL;
		if ((pkt[6] & 0x3f) || pkt[7])
			return -EINVAL;	/* fragments are reassembled first */
		in->ecn = pkt[1] & 3;
		in->nh_off = 9;
		proto = pkt[9];
		memcpy(in->src, pkt + 12, 4);
		memcpy(in->dst, pkt + 16, 4);
	} else if (in->version == 6) {
		if (len < IP6_HDR_LEN)
			return -EINVAL;
		end = IP6_HDR_LEN + get16(pkt + 4);
		if (end > len)
			return -EINVAL;
		in->ecn = (pkt[1] >> 4) & 3;
		in->nh_off = 6;
		l3 = IP6_HDR_LEN;
		proto = pkt[6];
		memcpy(in->src, pkt + 8, 16);
		memcpy(in->dst, pkt + 24, 16);
		/* Headers that may precede ESP; fragments and AH end the walk. */
		while (proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING ||
		       proto == IPPROTO_DSTOPTS) {
			size_t n = esp_ip6_ext_len(proto, pkt + l3, end - l3);

			if (!n)
				return -EINVAL;
			in->nh_off = l3;
			l3 += n;
			proto = pkt[in->nh_off];
		}
	} else {
		return -EINVAL;
	}
	in->l3_len = l3;
	if (proto == IPPROTO_ESP)
		return parse_esp_hdr(pkt + l3, end - l3, l3, in);
	if (proto != IPPROTO_UDP || end - l3 < UDP_HDR_LEN)
		return -EINVAL;
	ulen = get16(pkt + l3 + 4);
	if (ulen < UDP_HDR_LEN || ulen > end - l3)
		return -EINVAL;
	in->udp = true;
	in->sport = get16(pkt + l3);
	in->dport = get16(pkt + l3 + 2);
	return parse_udp_payload(pkt + l3 + UDP_HDR_LEN, ulen - UDP_HDR_LEN,
				 l3 + UDP_HDR_LEN, in);
}

/* ---- decapsulation ---- */

/* Tunnel mode: the payload must be one IP packet of the version the
 * trailer names; TFC padding after it is dropped. ECN per RFC 6040. */
static int tunnel_inner(uint8_t *p, size_t len, uint8_t nh, uint8_t outer_ecn,
			size_t *out_len)
{
	size_t ihl, tot;
	int ecn;

	if (nh == IPPROTO_IPIP) {
		if (len < IP4_HDR_LEN || p[0] >> 4 != 4)
			return -EINVAL;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tot = get16(p + 2);
		if (ihl < IP4_HDR_LEN || tot < ihl || tot > len)
			return -EINVAL;
		ecn = esp_ecn_decap(p[1] & 3, outer_ecn);
		if (ecn < 0)
			return -ECANCELED;
		if (ecn != (p[1] & 3)) {
			/* RFC 1624 incremental update keeps a wrong sum wrong. */
			uint16_t old, new, hc;

			memcpy(&old, p, 2);
			p[1] = (uint8_t)((p[1] & ~3) | ecn);
			memcpy(&new, p, 2);
			memcpy(&hc, p + 10, 2);
			hc = esp_csum_finish((uint64_t)(uint16_t)~hc + (uint16_t)~old + new);
			memcpy(p + 10, &hc, 2);
		}
	} else if (nh == IPPROTO_IPV6) {
		if (len < IP6_HDR_LEN || p[0] >> 4 != 6)
			return -EINVAL;
		tot = IP6_HDR_LEN + get16(p + 4);
		if (tot > len)
			return -EINVAL;
		ecn = esp_ecn_decap((p[1] >> 4) & 3, outer_ecn);
		if (ecn < 0)
			return -ECANCELED;
		p[1] = (uint8_t)((p[1] & 0xcf) | ecn << 4);
	} else {
		return -EPROTO;
	}
	*out_len = tot;
	return 0;
}

/* Transport mode: the outer header(s) move up to the payload and name the
 * trailer's next header; a bare UDP payload gets a fresh header. */
static int transport_rebuild(struct esp_buf *b, const struct esp_in *in, size_t data_off,
			     size_t data_len, uint8_t nh, struct esp_in_result *res)
{
	size_t hl = in->l3_len, start;
	uint8_t *o;

	if (hl) {
		start = data_off - hl;
		o = b->base + start;
		memmove(o, b->base + b->off, hl);
		o[in->nh_off] = nh;
	} else {
		hl = in->version == 4 ? IP4_HDR_LEN : in->version == 6 ? IP6_HDR_LEN : 0;
		if (!hl)
			return -EINVAL;
		if (data_off < hl)
			return -ENOBUFS;
		start = data_off - hl;
		o = b->base + start;
		memset(o, 0, hl);
		if (hl == IP4_HDR_LEN) {
			o[0] = 0x45;
			o[8] = 64;
			o[9] = nh;
			memcpy(o + 12, in->src, 4);
			memcpy(o + 16, in->dst, 4);
		} else {
			o[0] = 0x60;
			o[6] = nh;
			o[7] = 64;
			memcpy(o + 8, in->src, 16);
			memcpy(o + 24, in->dst, 16);
		}
	}
	if ((o[0] >> 4) == 4) {
		put16(o + 2, hl + data_len);
		esp_ip4_set_csum(o);
	} else {
		put16(o + 4, hl - IP6_HDR_LEN + data_len);
	}
	/* RFC 3948 sec. 3.1.2: a NAT rewrote the addresses the sender's
	 * TCP/UDP checksum covered; ESP's ICV already vouched for the data,
	 * so the checksum is recomputed (an IPv4 UDP zero sum stays zero). */
	if (in->udp && ((nh == IPPROTO_TCP && data_len >= 20) ||
			(nh == IPPROTO_UDP && data_len >= UDP_HDR_LEN))) {
		uint8_t *l4 = o + hl;
		bool v4 = (o[0] >> 4) == 4;

		if (!(nh == IPPROTO_UDP && v4 && !l4[6] && !l4[7]))
			esp_l4_set_csum(l4, data_len, nh, v4 ? o + 12 : o + 8,
					v4 ? o + 16 : o + 24, v4 ? 4 : 16);
	}
	res->off = start;
	res->len = hl + data_len;
	return 0;
}

static int count(_Atomic uint64_t *c, int rc)
{
	esp_ctr_add(c, 1);
	return rc;
}

int esp_decap(struct esp_sa *sa, struct esp_buf *b, const struct esp_in *in,
	      struct esp_in_result *res)
{
	return esp_decap_from(sa, b, NULL, in, res);
}

int esp_decap_from(struct esp_sa *sa, struct esp_buf *b, const uint8_t *src,
		   const struct esp_in *in, struct esp_in_result *res)
{
	const struct esp_xform_info *xi = &sa->info;
	size_t fixed = ESP_HDR_LEN + xi->iv_len + xi->icv_len, plen, pad, data_len, data_off;
	uint8_t *esp, *payload, nh;
	uint64_t seq;
	int rc;

	if (sa->outbound || in->spi != sa->spi || b->off > b->size ||
	    b->len > b->size - b->off)
		return -EINVAL;
	if (in->esp_off > b->len || in->esp_len > b->len - in->esp_off ||
	    in->esp_len < fixed + 2)
		return count(&sa->ctr.malformed, -EINVAL);
	plen = in->esp_len - fixed;
	if ((xi->kind == ESP_KIND_CBC_HMAC || xi->kind == ESP_KIND_CBC) && plen % xi->align)
		return count(&sa->ctr.malformed, -EINVAL);
	if (esp_replay_check(sa->replay, in->seq_lo, &seq))
		return count(&sa->ctr.replay_drops, -EALREADY);
	esp = b->base + b->off + in->esp_off;
	if (src) {
		/* Outer headers, ESP header and IV; the payload comes below. */
		memcpy(b->base + b->off, src, in->esp_off + ESP_HDR_LEN + xi->iv_len);
		rc = esp_xform_open_to(sa->x, src + in->esp_off, esp, plen, seq);
	} else {
		rc = esp_xform_open(sa->x, esp, plen, seq);
	}
	if (rc == -EBADMSG)
		return count(&sa->ctr.icv_failures, rc);
	if (rc)
		return count(&sa->ctr.malformed, rc);
	/* Authentic: the window moves even if the content is then refused. */
	esp_replay_update(sa->replay, seq);

	payload = esp + ESP_HDR_LEN + xi->iv_len;
	pad = payload[plen - 2];
	nh = payload[plen - 1];
	if (pad + 2 > plen)
		return count(&sa->ctr.trailer_errors, -EPROTO);
	for (size_t i = 0; i < pad; i++)
		if (payload[plen - 2 - pad + i] != (uint8_t)(i + 1))
			return count(&sa->ctr.trailer_errors, -EPROTO);
	data_len = plen - 2 - pad;
	data_off = (size_t)(payload - b->base);
	res->next_header = nh;
	res->dummy = nh == IPPROTO_NONE;
	if (res->dummy) {
		res->off = data_off;
		res->len = 0;
		return 0;
	}
	if (sa->mode == ESP_TUNNEL) {
		rc = tunnel_inner(payload, data_len, nh, in->ecn, &res->len);
		res->off = data_off;
	} else {
		rc = transport_rebuild(b, in, data_off, data_len, nh, res);
	}
	switch (rc) {
	case 0:
		break;
	case -EPROTO:
		return count(&sa->ctr.trailer_errors, rc);
	case -ECANCELED:
		return count(&sa->ctr.ecn_drops, rc);
	default:
		return count(&sa->ctr.malformed, rc);
	}
	esp_ctr_add(&sa->ctr.packets, 1);
	esp_ctr_add(&sa->ctr.bytes, res->len);
	return 0;
}
