/* esp_ip.c - checksums, RFC 6040 ECN, IPv6 extension headers, selectors. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "datapath/esp_ip.h"

uint64_t esp_csum_add(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t w32;
	uint16_t w16;

	while (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* A trailing byte is the first byte of a zero-padded word. */
		uint8_t last[2] = { *p, 0 };

		memcpy(&w16, last, 2);
		sum += w16;
	}
	return sum;
}

uint16_t esp_csum_finish(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void esp_ip4_set_csum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = esp_csum_finish(esp_csum_add(0, ip, (size_t)(ip[0] & 0x0f) * 4));
	memcpy(ip + 10, &c, 2);
}

bool esp_ip4_csum_ok(const uint8_t *ip)
{
	return esp_csum_finish(esp_csum_add(0, ip, (size_t)(ip[0] & 0x0f) * 4)) == 0;
}

void esp_l4_set_csum(uint8_t *l4, size_t len, uint8_t proto, const uint8_t *src,
		     const uint8_t *dst, size_t alen)
{
	size_t off = proto == IPPROTO_TCP ? 16 : 6;
	uint64_t sum;
	uint16_t c;

	l4[off] = l4[off + 1] = 0;
	sum = esp_csum_add(0, src, alen);
	sum = esp_csum_add(sum, dst, alen);
	sum += htonl((uint32_t)len);
	sum += htonl(proto);
	sum = esp_csum_add(sum, l4, len);
	c = esp_csum_finish(sum);
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	memcpy(l4 + off, &c, 2);
}

int esp_ecn_decap(uint8_t inner, uint8_t outer)
{
	/* [inner][outer], RFC 6040 Figure 4. */
	static const signed char table[4][4] = {
		/* outer: Not-ECT  ECT(1)    ECT(0)    CE */
		[ECN_NOT_ECT] = { ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT, -1 },
		[ECN_ECT1] = { ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE },
		[ECN_ECT0] = { ECN_ECT0, ECN_ECT1, ECN_ECT0, ECN_CE },
		[ECN_CE] = { ECN_CE, ECN_CE, ECN_CE, ECN_CE },
	};

	return table[inner & 3][outer & 3];
}

bool esp_ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
		nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

size_t esp_ip6_ext_len(uint8_t nh, const uint8_t *hdr, size_t len)
{
	size_t n;

	if (len < 8)
		return 0;
	if (nh == IPPROTO_FRAGMENT)
		n = 8;
	else if (nh == IPPROTO_AH)
		n = ((size_t)hdr[1] + 2) * 4;
	else
		n = ((size_t)hdr[1] + 1) * 8;
	return n <= len ? n : 0;
}

static void ports(struct esp_selector *sel, const uint8_t *l4, size_t len)
{
	switch (sel->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		if (len >= 4) {
			sel->sport = (uint16_t)(l4[0] << 8 | l4[1]);
			sel->dport = (uint16_t)(l4[2] << 8 | l4[3]);
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (len >= 2) {
			sel->sport = l4[0];
			sel->dport = l4[1];
		}
		break;
	}
}

static int selector4(const uint8_t *p, size_t len, struct esp_selector *sel)
{
	size_t ihl, tot;

	if (len < IP4_HDR_LEN)
		return -EINVAL;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	if (ihl < IP4_HDR_LEN || tot < ihl || tot > len)
		return -EINVAL;
	sel->proto = p[9];
	memcpy(sel->src, p + 12, 4);
	memcpy(sel->dst, p + 16, 4);
	if ((p[6] & 0x1f) || p[7]) {
		sel->fragment = true;	/* not the first: no ports */
		return 0;
	}
	ports(sel, p + ihl, tot - ihl);
	return 0;
}

static int selector6(const uint8_t *p, size_t len, struct esp_selector *sel)
{
	size_t off = IP6_HDR_LEN, end;
	uint8_t nh;

	if (len < IP6_HDR_LEN)
		return -EINVAL;
	end = IP6_HDR_LEN + ((size_t)p[4] << 8 | p[5]);
	if (end > len)
		return -EINVAL;
	memcpy(sel->src, p + 8, 16);
	memcpy(sel->dst, p + 24, 16);
	nh = p[6];
	/* Bounded: each header is at least 8 bytes. */
	while (esp_ip6_is_ext(nh) && nh != IPPROTO_AH) {
		size_t n = esp_ip6_ext_len(nh, p + off, end - off);

		if (!n)
			return -EINVAL;
		if (nh == IPPROTO_FRAGMENT &&
		    ((p[off + 2] << 8 | p[off + 3]) & 0xfff8)) {
			sel->fragment = true;
			sel->proto = p[off];
			return 0;
		}
		nh = p[off];
		off += n;
	}
	sel->proto = nh;
	ports(sel, p + off, end - off);
	return 0;
}

int esp_selector_get(const uint8_t *pkt, size_t len, struct esp_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (len < 1)
		return -EINVAL;
	sel->version = pkt[0] >> 4;
	if (sel->version == 4)
		return selector4(pkt, len, sel);
	if (sel->version == 6)
		return selector6(pkt, len, sel);
	return -EINVAL;
}
