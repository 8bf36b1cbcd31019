/* dp_reasm.c - outbound IP fragments put back together before ESP.
 *
 * A datagram larger than the TUN's MTU (without DF) reaches the TUN in
 * fragments, cut by the kernel. Transport-mode ESP protects whole
 * datagrams only (RFC 4303 sec. 3.3.4), as the kernel's own IPsec does:
 * it encrypts first and fragments the ESP packet after. So the outbound
 * thread reassembles here, encrypts the whole datagram, and the outer
 * socket fragments the ESP packet on its way out.
 *
 * A few datagrams at a time (DP_REASM_SLOTS per thread); fragments may come
 * in any order but must not overlap; a datagram not complete within
 * DP_REASM_TIMEOUT_MS is dropped. A completed datagram's buffer stays
 * valid until dp_reasm_release, which the thread calls after sending the
 * batch. One thread's state: not shared.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp_internal.h"

#define DP_REASM_SLOTS 4
#define DP_REASM_TIMEOUT_MS 1000
#define DP_REASM_MAX 65535		/* the largest datagram rebuilt */
/* Data starts after room for the largest IPv4 header and, before that,
 * the headroom ESP needs. */
#define DP_REASM_DATA (ESP_MAX_OVERHEAD + 60)
#define DP_REASM_BUF (DP_REASM_DATA + DP_REASM_MAX + ESP_MAX_OVERHEAD)

struct reasm_slot {
	bool used, done;
	uint8_t version, proto;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint64_t started_ms;
	size_t hlen;		/* the header the datagram gets back */
	size_t have, total;	/* payload bytes received; total once known */
	uint8_t *buf;
};

struct dp_reasm {
	struct reasm_slot s[DP_REASM_SLOTS];
	uint64_t dropped;
};

struct frag {
	uint8_t version, proto;
	uint32_t id;
	const uint8_t *src, *dst;
	size_t hlen;		/* header bytes before the fragment's data */
	size_t off;		/* data offset in the datagram */
	size_t len;		/* data bytes */
	bool more;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4, or IPv6 whose fixed header is followed by a fragment header. */
static bool parse_frag(const uint8_t *p, size_t len, struct frag *f)
{
	if (len >= IP4_HDR_LEN && p[0] >> 4 == 4) {
		uint16_t fo = get16(p + 6);

		if (!(fo & 0x2000) && !(fo & 0x1fff))
			return false;
		f->version = 4;
		f->hlen = (size_t)(p[0] & 15) * 4;
		if (f->hlen < IP4_HDR_LEN || get16(p + 2) > len || get16(p + 2) < f->hlen)
			return false;
		f->proto = p[9];
		f->id = get16(p + 4);
		f->src = p + 12;
		f->dst = p + 16;
		f->off = (size_t)(fo & 0x1fff) * 8;
		f->len = get16(p + 2) - f->hlen;
		f->more = fo & 0x2000;
		return true;
	}
	if (len >= IP6_HDR_LEN + 8 && p[0] >> 4 == 6 && p[6] == 44) {
		const uint8_t *fh = p + IP6_HDR_LEN;
		uint16_t fo = get16(fh + 2);

		if (IP6_HDR_LEN + (size_t)get16(p + 4) > len || get16(p + 4) < 8)
			return false;
		f->version = 6;
		f->hlen = IP6_HDR_LEN + 8;
		f->proto = fh[0];
		f->id = (uint32_t)fh[4] << 24 | (uint32_t)fh[5] << 16 | (uint32_t)fh[6] << 8 | fh[7];
		f->src = p + 8;
		f->dst = p + 24;
		f->off = fo & 0xfff8;
		f->len = get16(p + 4) - 8;
		f->more = fo & 1;
		return true;
	}
	return false;
}

bool dp_is_fragment(const uint8_t *pkt, size_t len)
{
	struct frag f;

	return parse_frag(pkt, len, &f);
}

struct dp_reasm *dp_reasm_new(void)
{
	struct dp_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	for (int i = 0; i < DP_REASM_SLOTS; i++) {
		r->s[i].buf = malloc(DP_REASM_BUF);
		if (!r->s[i].buf) {
			dp_reasm_free(r);
			return NULL;
		}
	}
	return r;
}

void dp_reasm_free(struct dp_reasm *r)
{
	if (!r)
		return;
	for (int i = 0; i < DP_REASM_SLOTS; i++)
		free(r->s[i].buf);
	free(r);
}

static bool same(const struct reasm_slot *s, const struct frag *f)
{
	size_t al = f->version == 4 ? 4 : 16;

	return s->used && !s->done && s->version == f->version && s->proto == f->proto &&
	       s->id == f->id && !memcmp(s->src, f->src, al) && !memcmp(s->dst, f->dst, al);
}

static struct reasm_slot *slot_for(struct dp_reasm *r, const struct frag *f, uint64_t now)
{
	struct reasm_slot *free_slot = NULL, *oldest = NULL;

	for (int i = 0; i < DP_REASM_SLOTS; i++) {
		struct reasm_slot *s = &r->s[i];

		if (same(s, f))
			return s;
		if (s->used && !s->done && now - s->started_ms > DP_REASM_TIMEOUT_MS) {
			s->used = false;	/* timed out */
			r->dropped++;
		}
		if (!s->used && !free_slot)
			free_slot = s;
		if (s->used && !s->done && (!oldest || s->started_ms < oldest->started_ms))
			oldest = s;
	}
	if (!free_slot && oldest) {
		oldest->used = false;	/* the oldest incomplete one gives way */
		r->dropped++;
		free_slot = oldest;
	}
	if (!free_slot)
		return NULL;		/* every slot holds a datagram to send */
	memset(free_slot->src, 0, 16);
	memset(free_slot->dst, 0, 16);
	free_slot->used = true;
	free_slot->done = false;
	free_slot->version = f->version;
	free_slot->proto = f->proto;
	free_slot->id = f->id;
	memcpy(free_slot->src, f->src, f->version == 4 ? 4 : 16);
	memcpy(free_slot->dst, f->dst, f->version == 4 ? 4 : 16);
	free_slot->started_ms = now;
	free_slot->hlen = 0;
	free_slot->have = free_slot->total = 0;
	return free_slot;
}

/* The first fragment's header becomes the datagram's (IPv4: options kept,
 * fragment fields cleared; IPv6: the fragment header taken out). */
static void take_header(struct reasm_slot *s, const uint8_t *p, const struct frag *f)
{
	uint8_t *h;

	s->hlen = f->version == 4 ? f->hlen : IP6_HDR_LEN;
	h = s->buf + DP_REASM_DATA - s->hlen;
	memcpy(h, p, s->hlen);
	if (f->version == 6)
		h[6] = f->proto;
}

static void finish(struct reasm_slot *s, struct esp_buf *out)
{
	uint8_t *h = s->buf + DP_REASM_DATA - s->hlen;
	size_t tot = s->hlen + s->total;

	if (s->version == 4) {
		h[2] = (uint8_t)(tot >> 8);
		h[3] = (uint8_t)tot;
		h[6] &= 0x40;		/* keep DF only */
		h[7] = 0;
		esp_ip4_set_csum(h);
	} else {
		h[4] = (uint8_t)(s->total >> 8);
		h[5] = (uint8_t)s->total;
	}
	s->done = true;
	out->base = s->buf;
	out->size = DP_REASM_BUF;
	out->off = DP_REASM_DATA - s->hlen;	/* >= ESP_MAX_OVERHEAD */
	out->len = tot;
}

int dp_reasm_add(struct dp_reasm *r, const uint8_t *p, size_t len, uint64_t now,
		 struct esp_buf *out)
{
	struct reasm_slot *s;
	struct frag f;

	if (!parse_frag(p, len, &f))
		return -EINVAL;
	if (f.off + f.len > DP_REASM_MAX - 60 || (f.more && f.len % 8)) {
		r->dropped++;
		return -EINVAL;
	}
	s = slot_for(r, &f, now);
	if (!s) {
		r->dropped++;
		return -ENOBUFS;
	}
	/* Data goes at its offset after room for the header (the first
	 * fragment's may come last). Overlaps are not checked: a datagram whose
	 * fragments overlap simply never adds up and times out. */
	memcpy(s->buf + DP_REASM_DATA + f.off, p + f.hlen, f.len);
	s->have += f.len;
	if (f.off == 0)
		take_header(s, p, &f);
	if (!f.more)
		s->total = f.off + f.len;
	if (s->total && s->have == s->total && s->hlen) {
		finish(s, out);
		return 1;
	}
	if (s->total && s->have > s->total) {
		s->used = false;	/* overlapping or duplicated fragments */
		r->dropped++;
		return -EINVAL;
	}
	return 0;
}

void dp_reasm_release(struct dp_reasm *r)
{
	for (int i = 0; i < DP_REASM_SLOTS; i++)
		if (r->s[i].done)
			r->s[i].used = r->s[i].done = false;
}

uint64_t dp_reasm_dropped(struct dp_reasm *r)
{
	uint64_t d = r->dropped;

	r->dropped = 0;
	return d;
}
