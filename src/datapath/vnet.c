/* vnet.c - GSO splitting, checksum completion and TCP coalescing for a TUN
 * with IFF_VNET_HDR. */
#include "datapath/vnet.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "datapath/csum.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_URG 0x20
#define TCP_CWR 0x80

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void vnet_hdr_get(struct vnet_hdr *h, const void *wire)
{
	struct virtio_net_hdr v;

	memcpy(&v, wire, sizeof(v));
	h->flags = v.flags;
	h->gso_type = v.gso_type;
	h->hdr_len = le16toh(v.hdr_len);
	h->gso_size = le16toh(v.gso_size);
	h->csum_start = le16toh(v.csum_start);
	h->csum_offset = le16toh(v.csum_offset);
}

void vnet_hdr_put(void *wire, const struct vnet_hdr *h)
{
	struct virtio_net_hdr v = {
		.flags = h->flags,
		.gso_type = h->gso_type,
		.hdr_len = htole16(h->hdr_len),
		.gso_size = htole16(h->gso_size),
		.csum_start = htole16(h->csum_start),
		.csum_offset = htole16(h->csum_offset),
	};

	memcpy(wire, &v, sizeof(v));
}

int vnet_csum_complete(const struct vnet_hdr *h, uint8_t *pkt, size_t len)
{
	size_t start = h->csum_start, field = start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start >= len || field + 2 > len)
		return -EINVAL;
	c = csum_finish(csum_partial(pkt + start, len - start, 0));
	put16(pkt + field, c ? c : 0xffff);
	return 0;
}

/* The layout of a super-packet, checked against its virtio header. */
struct layout {
	bool v6;
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	size_t l4;		/* transport header offset */
	size_t hdr;		/* all headers: where the payload starts */
	size_t payload;		/* payload bytes in all */
	unsigned nseg;
};

static int parse(const struct vnet_hdr *h, const uint8_t *pkt, size_t len,
		 struct layout *l)
{
	uint8_t gso = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	size_t seg;

	if (len < 20)
		return -EINVAL;
	switch (pkt[0] >> 4) {
	case 4:
		l->v6 = false;
		l->l4 = (size_t)(pkt[0] & 0x0f) * 4;
		if (l->l4 < 20 || l->l4 > len)
			return -EINVAL;
		l->proto = pkt[9];
		break;
	case 6:
		if (len < 40)
			return -EINVAL;
		l->v6 = true;
		/* Extension headers may follow: the kernel's csum_start
		 * points past them. Without it, only a bare header. */
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			l->l4 = h->csum_start;
			if (l->l4 < 40 || l->l4 > len)
				return -EINVAL;
		} else {
			l->l4 = 40;
		}
		l->proto = 0;	/* set from the GSO type below */
		if (l->l4 == 40)
			l->proto = pkt[6];
		break;
	default:
		return -EINVAL;
	}

	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		l->hdr = l->l4;
		l->payload = len - l->l4;
		l->nseg = 1;
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if ((gso == VIRTIO_NET_HDR_GSO_TCPV6) != l->v6)
			return -EINVAL;
		if (l->proto && l->proto != IPPROTO_TCP)
			return -EINVAL;
		l->proto = IPPROTO_TCP;
		if (l->l4 + 20 > len)
			return -EINVAL;
		l->hdr = l->l4 + (size_t)(pkt[l->l4 + 12] >> 4) * 4;
		if (l->hdr < l->l4 + 20 || l->hdr > len)
			return -EINVAL;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (l->proto && l->proto != IPPROTO_UDP)
			return -EINVAL;
		l->proto = IPPROTO_UDP;
		l->hdr = l->l4 + 8;
		if (l->hdr > len)
			return -EINVAL;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    h->csum_start != l->l4)
		return -EINVAL;
	seg = h->gso_size;
	if (seg == 0)
		return -EINVAL;
	l->payload = len - l->hdr;
	l->nseg = l->payload ? (unsigned)((l->payload + seg - 1) / seg) : 1;
	return 0;
}

int vnet_split_count(const struct vnet_hdr *h, const uint8_t *pkt,
		     size_t len)
{
	struct layout l;
	int ret = parse(h, pkt, len, &l);

	return ret < 0 ? ret : (int)l.nseg;
}

/* Sets the IP length field of a packet of total length n and, for IPv4,
 * its id and header checksum. */
static void fix_ip(uint8_t *p, const struct layout *l, size_t n, uint16_t id)
{
	if (l->v6) {
		put16(p + 4, (uint16_t)(n - 40));
	} else {
		put16(p + 2, (uint16_t)n);
		put16(p + 4, id);
		csum_ipv4_header(p);
	}
}

static uint64_t pseudo(const uint8_t *p, const struct layout *l, size_t n)
{
	if (l->v6)
		return csum_pseudo6(p + 8, p + 24, l->proto, (uint32_t)n);
	return csum_pseudo4(p + 12, p + 16, l->proto, (uint32_t)n);
}

int vnet_split(const struct vnet_hdr *h, const uint8_t *pkt, size_t len,
	       uint8_t *const out[], size_t out_size, size_t headroom,
	       uint32_t lens[], unsigned n_out)
{
	struct layout l;
	size_t seg, off;
	uint32_t seq0 = 0;
	uint16_t id0;
	uint8_t flags0 = 0;
	unsigned i;
	int ret;

	ret = parse(h, pkt, len, &l);
	if (ret < 0)
		return ret;
	if (l.nseg > n_out || headroom > out_size)
		return -ENOBUFS;

	if ((h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) ==
	    VIRTIO_NET_HDR_GSO_NONE) {
		if (len > out_size - headroom)
			return -ENOBUFS;
		memcpy(out[0] + headroom, pkt, len);
		ret = vnet_csum_complete(h, out[0] + headroom, len);
		if (ret < 0)
			return ret;
		lens[0] = (uint32_t)len;
		return 1;
	}

	seg = h->gso_size;
	if (l.hdr + (l.payload < seg ? l.payload : seg) > out_size - headroom)
		return -ENOBUFS;
	id0 = l.v6 ? 0 : get16(pkt + 4);
	if (l.proto == IPPROTO_TCP) {
		seq0 = get32(pkt + l.l4 + 4);
		flags0 = pkt[l.l4 + 13];
	}

	for (i = 0, off = l.hdr; i < l.nseg; i++, off += seg) {
		size_t chunk = len - off < seg ? len - off : seg;
		size_t n = l.hdr + chunk;
		uint8_t *p = out[i] + headroom, *t = p + l.l4;
		uint64_t sum;
		uint16_t c;

		memcpy(p, pkt, l.hdr);
		memcpy(p + l.hdr, pkt + off, chunk);
		fix_ip(p, &l, n, (uint16_t)(id0 + i));
		if (l.proto == IPPROTO_TCP) {
			uint8_t f = flags0;

			put32(t + 4, seq0 + (uint32_t)(i * seg));
			if (i + 1 < l.nseg)
				f &= (uint8_t)~(TCP_FIN | TCP_PSH);
			if (i > 0)
				f &= (uint8_t)~TCP_CWR;
			t[13] = f;
			t[16] = t[17] = 0;
			sum = pseudo(p, &l, n - l.l4);
			c = csum_finish(csum_partial(t, n - l.l4, sum));
			put16(t + 16, c);
		} else {
			put16(t + 4, (uint16_t)(n - l.l4));
			t[6] = t[7] = 0;
			sum = pseudo(p, &l, n - l.l4);
			c = csum_finish(csum_partial(t, n - l.l4, sum));
			put16(t + 6, c ? c : 0xffff);
		}
		lens[i] = (uint32_t)n;
	}
	return (int)l.nseg;
}

/* --- TCP coalescing ---------------------------------------------------- */

/* What vnet_gro() keeps about a packet that others may join. */
struct gro_head {
	unsigned idx;		/* in pkts[] */
	uint32_t hash;		/* of the flow, to skip most comparisons */
	uint32_t next_seq;	/* the sequence number a joiner must carry */
	unsigned tail;		/* the last packet of its chain, in pkts[] */
	uint16_t gso_size;	/* the first segment's payload */
	uint16_t nseg;
	bool closed;		/* took a PSH or a short segment */
};

/* A TCP or UDP packet's offsets. */
struct tcp_view {
	bool v6;
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	size_t l4, hdr;		/* transport header offset, payload offset */
	size_t payload;
};

enum { VIEW_OTHER, VIEW_TCP, VIEW_JOINABLE };

/* The most datagrams in one UDP train (the kernel's UDP_MAX_SEGMENTS was
 * 64 before 6.11). */
#define GRO_UDP_MAX_SEGS 64

/* A UDP datagram's view: joinable when its lengths agree and it has a
 * payload; otherwise its flow is known (VIEW_TCP: not overtaken). */
static int udp_view(const uint8_t *p, size_t len, bool plain, struct tcp_view *v)
{
	v->proto = IPPROTO_UDP;
	if (v->l4 + 8 > len)
		return VIEW_OTHER;
	v->hdr = v->l4 + 8;
	v->payload = len - v->hdr;
	plain = plain && get16(p + v->l4 + 4) == len - v->l4;
	return plain && v->payload > 0 ? VIEW_JOINABLE : VIEW_TCP;
}

/* VIEW_JOINABLE for a TCP segment or UDP datagram with payload that
 * coalescing can handle, VIEW_TCP for any other TCP or UDP packet whose
 * flow is known (it must not be overtaken by later packets of its flow),
 * VIEW_OTHER for the rest. */
static int tcp_view(const struct vnet_pkt *pk, struct tcp_view *v)
{
	const uint8_t *p = pk->data;
	size_t len = pk->len;
	bool plain;

	if (len < 28)
		return VIEW_OTHER;
	if (p[0] >> 4 == 4) {
		if ((p[0] & 0x0f) < 5 || (p[9] != IPPROTO_TCP && p[9] != IPPROTO_UDP))
			return VIEW_OTHER;
		v->v6 = false;
		v->l4 = (size_t)(p[0] & 0x0f) * 4;
		/* No options, not a fragment, length consistent. */
		plain = p[0] == 0x45 && (get16(p + 6) & 0x3fff) == 0 &&
			get16(p + 2) == len;
		if (p[9] == IPPROTO_UDP)
			return udp_view(p, len, plain, v);
	} else if (p[0] >> 4 == 6) {
		if (len < 48 || (p[6] != IPPROTO_TCP && p[6] != IPPROTO_UDP))
			return VIEW_OTHER;
		v->v6 = true;
		v->l4 = 40;
		plain = (size_t)get16(p + 4) + 40 == len;
		if (p[6] == IPPROTO_UDP)
			return udp_view(p, len, plain, v);
	} else {
		return VIEW_OTHER;
	}
	v->proto = IPPROTO_TCP;
	if (v->l4 + 20 > len)
		return VIEW_OTHER;
	v->hdr = v->l4 + (size_t)(p[v->l4 + 12] >> 4) * 4;
	if (v->hdr < v->l4 + 20 || v->hdr > len)
		return VIEW_TCP;
	v->payload = len - v->hdr;
	return plain && v->payload > 0 ? VIEW_JOINABLE : VIEW_TCP;
}

static uint32_t flow_hash(const uint8_t *p, const struct tcp_view *v)
{
	const uint8_t *a = v->v6 ? p + 8 : p + 12;
	size_t n = v->v6 ? 32 : 8, i;
	uint32_t h = 2166136261u;

	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ p[v->l4 + i]) * 16777619u;
	return h;
}

/* Whether q, whose view is vq, may join the packet of head h (view vh). */
static bool can_join(const struct vnet_pkt *hp, const struct tcp_view *vh,
		     const struct gro_head *h, const struct vnet_pkt *qp,
		     const struct tcp_view *vq)
{
	const uint8_t *a = hp->data, *b = qp->data;
	const uint8_t *ta = a + vh->l4, *tb = b + vq->l4;

	if (h->closed || vh->v6 != vq->v6 || vh->hdr != vq->hdr || vh->proto != vq->proto)
		return false;
	if (vh->v6) {
		/* version, traffic class, flow label; hop limit; addresses */
		if (memcmp(a, b, 4) != 0 || a[7] != b[7] ||
		    memcmp(a + 8, b + 8, 32) != 0)
			return false;
	} else {
		/* TOS; DF; TTL; addresses */
		if (a[1] != b[1] || a[6] != b[6] || a[8] != b[8] ||
		    memcmp(a + 12, b + 12, 8) != 0)
			return false;
	}
	if (vq->proto == IPPROTO_UDP)
		/* ports; equal sizes, only the last datagram shorter */
		return memcmp(ta, tb, 4) == 0 && h->nseg < GRO_UDP_MAX_SEGS &&
		       vq->payload <= h->gso_size &&
		       hp->len + vq->payload <= VNET_MAX_PACKET;
	/* ports; acknowledgement; data offset; window; options */
	if (memcmp(ta, tb, 4) != 0 || memcmp(ta + 8, tb + 8, 5) != 0 ||
	    memcmp(ta + 14, tb + 14, 2) != 0 ||
	    memcmp(ta + 20, tb + 20, vh->hdr - vh->l4 - 20) != 0)
		return false;
	if ((tb[13] & (TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_CWR)) ||
	    (ta[13] & ~TCP_PSH) != (tb[13] & ~TCP_PSH))
		return false;
	if (get32(tb + 4) != h->next_seq || vq->payload > h->gso_size)
		return false;
	/* Not bounded by the head's buffer: the payloads stay in theirs. */
	return hp->len + vq->payload <= VNET_MAX_PACKET;
}

static void put_header(struct vnet_pkt *pk, const struct tcp_view *v,
		       const struct gro_head *h)
{
	struct vnet_hdr vh = {0};
	uint8_t *p = pk->data, *t;
	uint64_t sum;

	if (h && h->nseg > 1) {
		/* UDP: the train's length in its header, as a local UDP_SEGMENT
		 * sender hands it to a device (the kernel adjusts both per
		 * datagram). */
		bool udp = v->proto == IPPROTO_UDP;
		size_t field = udp ? 6 : 16;

		t = p + v->l4;
		if (udp)
			put16(t + 4, (uint16_t)(pk->len - v->l4));
		if (v->v6) {
			put16(p + 4, (uint16_t)(pk->len - 40));
			sum = csum_pseudo6(p + 8, p + 24, v->proto,
					   (uint32_t)(pk->len - 40));
		} else {
			put16(p + 2, (uint16_t)pk->len);
			csum_ipv4_header(p);
			sum = csum_pseudo4(p + 12, p + 16, v->proto,
					   (uint32_t)(pk->len - 20));
		}
		put16(t + field, csum_fold(sum));
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
			      v->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
				      VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = (uint16_t)v->hdr;
		vh.gso_size = h->gso_size;
		vh.csum_start = (uint16_t)v->l4;
		vh.csum_offset = (uint16_t)field;
	}
	vnet_hdr_put(p - VNET_HDR_LEN, &vh);
}

/* The latest head of q's flow, or NULL. */
static struct gro_head *find_head(struct gro_head heads[], unsigned nheads,
				  const struct vnet_pkt pkts[],
				  const struct tcp_view views[],
				  const struct vnet_pkt *q,
				  const struct tcp_view *vq, uint32_t hash)
{
	size_t a = vq->v6 ? 8 : 12, alen = vq->v6 ? 32 : 8;
	unsigned j;

	for (j = nheads; j-- > 0;) {
		const uint8_t *p = pkts[heads[j].idx].data;
		const struct tcp_view *vh = &views[heads[j].idx];

		if (heads[j].hash == hash && vh->v6 == vq->v6 && vh->proto == vq->proto &&
		    memcmp(p + vh->l4, q->data + vq->l4, 4) == 0 &&
		    memcmp(p + a, q->data + a, alen) == 0)
			return &heads[j];
	}
	return NULL;
}

unsigned vnet_gro(struct vnet_pkt pkts[], unsigned n, unsigned out_idx[])
{
	struct gro_head heads[VNET_GRO_MAX];
	struct tcp_view views[VNET_GRO_MAX];
	bool is_head[VNET_GRO_MAX];
	unsigned nheads = 0, nout = 0, i, j;

	if (n > VNET_GRO_MAX)
		n = VNET_GRO_MAX;
	for (i = 0; i < n; i++) {
		struct vnet_pkt *q = &pkts[i];
		struct tcp_view *vq = &views[i];
		struct gro_head *h;
		uint32_t hash;
		int kind;

		is_head[i] = false;
		q->own = q->len;
		q->next = 0;
		kind = tcp_view(q, vq);
		if (kind == VIEW_OTHER) {
			out_idx[nout++] = i;
			continue;
		}
		hash = flow_hash(q->data, vq);
		h = find_head(heads, nheads, pkts, views, q, vq, hash);
		if (kind == VIEW_TCP) {
			/* Later segments must not overtake this one. */
			if (h)
				h->closed = true;
			out_idx[nout++] = i;
			continue;
		}
		if (h && can_join(&pkts[h->idx], &views[h->idx], h, q, vq)) {
			struct vnet_pkt *hp = &pkts[h->idx];
			uint8_t fq = vq->proto == IPPROTO_TCP ? q->data[vq->l4 + 13] : 0;

			/* Chained, not copied: the TUN write gathers. */
			q->own = (uint32_t)vq->payload;
			pkts[h->tail].next = (uint16_t)(i + 1);
			h->tail = i;
			hp->len += (uint32_t)vq->payload;
			h->next_seq += (uint32_t)vq->payload;
			h->nseg++;
			if (fq & TCP_PSH) {
				hp->data[vq->l4 + 13] |= TCP_PSH;
				h->closed = true;
			}
			if (vq->payload < h->gso_size)
				h->closed = true;
			continue;
		}
		/* A new head: this packet starts (or restarts) its flow. */
		if (h)
			h->closed = true;
		h = &heads[nheads++];
		h->idx = i;
		h->tail = i;
		h->hash = hash;
		h->gso_size = (uint16_t)vq->payload;
		h->nseg = 1;
		if (vq->proto == IPPROTO_UDP) {
			h->next_seq = 0;
			h->closed = false;
		} else {
			h->next_seq = get32(q->data + vq->l4 + 4) +
				      (uint32_t)vq->payload;
			h->closed = (q->data[vq->l4 + 13] &
				     (TCP_PSH | TCP_SYN | TCP_FIN | TCP_RST | TCP_URG |
				      TCP_CWR)) != 0;
		}
		is_head[i] = true;
		out_idx[nout++] = i;
	}

	/* Headers, now that every packet has its final length. Heads were
	 * made in index order, as out_idx lists packets. */
	for (i = 0, j = 0; i < nout; i++) {
		unsigned k = out_idx[i];

		if (is_head[k]) {
			put_header(&pkts[k], &views[k], &heads[j]);
			j++;
		} else {
			put_header(&pkts[k], NULL, NULL);
		}
	}
	return nout;
}

int vnet_flatten(struct vnet_pkt pkts[], unsigned k)
{
	struct vnet_pkt *hp = &pkts[k];
	unsigned j;

	if (hp->len > hp->cap)
		return -ENOBUFS;
	for (j = hp->next; j; j = pkts[j - 1].next) {
		const struct vnet_pkt *q = &pkts[j - 1];

		memcpy(hp->data + hp->own, q->data + q->len - q->own, q->own);
		hp->own += q->own;
	}
	hp->next = 0;
	return 0;
}
