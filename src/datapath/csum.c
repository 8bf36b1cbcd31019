/* csum.c - the Internet checksum (RFC 1071). */
#include "datapath/csum.h"

#include <string.h>

/* Sums 32-bit native words into two 64-bit accumulators (no carry is lost
 * below 2^32 words), folds to 16 bits of native order and swaps to
 * big-endian once at the end: the ones' complement sum is independent of
 * byte order up to that swap (RFC 1071, section 2). */
uint64_t csum_partial(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint64_t a = 0, b = 0;
	uint32_t t;

	while (len >= 16) {
		uint32_t w[4];

		memcpy(w, p, sizeof(w));
		a += (uint64_t)w[0] + w[1];
		b += (uint64_t)w[2] + w[3];
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		a += w;
		p += 4;
		len -= 4;
	}
	t = csum_fold(a + b);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	t = ((t & 0xffu) << 8) | (t >> 8);
#endif
	sum += t;
	if (len >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t csum_pseudo4(const void *saddr, const void *daddr, uint8_t proto,
		      uint32_t len)
{
	uint64_t sum = csum_partial(saddr, 4, 0);

	sum = csum_partial(daddr, 4, sum);
	return sum + proto + (len >> 16) + (len & 0xffffu);
}

uint64_t csum_pseudo6(const void *saddr, const void *daddr, uint8_t proto,
		      uint32_t len)
{
	uint64_t sum = csum_partial(saddr, 16, 0);

	sum = csum_partial(daddr, 16, sum);
	return sum + proto + (len >> 16) + (len & 0xffffu);
}

void csum_ipv4_header(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = csum_finish(csum_partial(ip, hl, 0));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}
