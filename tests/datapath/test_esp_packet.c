/* test_esp_packet.c - whole packets: round trips for every transform x
 * transport/tunnel x IPv4/IPv6 (outer and inner independently) x UDP
 * encapsulation on/off x ESN on/off, decrypted in place and out of place
 * (esp_decap_from, from a receive buffer); then hostile and odd input: one-bit
 * tampering anywhere, bad trailers, truncation at every length, replay,
 * ESN across 2^32, RFC 6040 ECN, outer header rules, NAT-T markers and
 * checksums, IPv6 extension headers, buffer room, selectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/esp_ip.h"
#include "test_esp_util.h"

static const uint8_t tun4_a[4] = { 203, 0, 113, 1 }, tun4_b[4] = { 203, 0, 113, 2 };
static const uint8_t tun6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 };
static const uint8_t tun6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 };

static struct esp_sa_config config(enum esp_mode mode, int outer, bool natt, bool esn)
{
	struct esp_sa_config c = { .mode = mode, .esn = esn, .outer_version = (uint8_t)outer,
				   .udp_encap = natt, .udp_sport = 4500, .udp_dport = 4500 };

	memcpy(c.outer_src, outer == 4 ? tun4_a : tun6_a, outer == 4 ? 4 : 16);
	memcpy(c.outer_dst, outer == 4 ? tun4_b : tun6_b, outer == 4 ? 4 : 16);
	return c;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fix4(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~ref_sum(ip, (size_t)(ip[0] & 15) * 4, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* Encapsulates a fresh packet per ps at the standard offset. */
static int encap(struct esp_sa *out, uint8_t *mem, struct esp_buf *b,
		 const struct pkt_spec *ps, struct esp_out_meta *meta, uint8_t *orig,
		 size_t *orig_len)
{
	*b = (struct esp_buf){ mem, TBUF, ESP_MAX_OVERHEAD, 0 };
	b->len = pkt_build(mem + b->off, ps);
	if (orig) {
		memcpy(orig, mem + b->off, b->len);
		*orig_len = b->len;
	}
	return esp_encap(out, b, meta);
}

static int decap_ip(struct esp_sa *in, struct esp_buf *b, struct esp_in_result *res)
{
	struct esp_in pin;
	int rc = esp_parse_ip(b->base + b->off, b->len, &pin);

	if (rc != ESP_PARSE_ESP)
		return rc < 0 ? rc : -EINVAL;
	return esp_decap(in, b, &pin, res);
}

/* As decap_ip, the way the inbound thread does it: the packet stays in a
 * receive buffer and is decrypted from there into b, whose bytes are
 * garbage first. */
static int decap_ip_from(struct esp_sa *in, struct esp_buf *b, struct esp_in_result *res)
{
	static uint8_t rx[TBUF];
	struct esp_in pin;
	int rc;

	memcpy(rx, b->base + b->off, b->len);
	memset(b->base + b->off, 0xee, b->len);
	rc = esp_parse_ip(rx, b->len, &pin);
	if (rc != ESP_PARSE_ESP)
		return rc < 0 ? rc : -EINVAL;
	return esp_decap_from(in, b, rx, &pin, res);
}

/* ---- round trips ---- */

static void check_outer(const struct esp_sa_config *c, const uint8_t *o, size_t len,
			const struct esp_out_meta *m, size_t off, uint32_t spi)
{
	size_t hl = (o[0] >> 4) == 4 ? (size_t)(o[0] & 15) * 4 : 40;

	assert_true(pkt_csums_ok(o, len));	/* outer IPv4 and UDP sums */
	if (c->mode == ESP_TUNNEL) {
		assert_int_equal(o[0] >> 4, c->outer_version);
		if (c->outer_version == 4) {
			assert_memory_equal(o + 12, tun4_a, 4);
			assert_int_equal(o[8], 64);
			assert_int_equal(o[9], c->udp_encap ? IPPROTO_UDP : IPPROTO_ESP);
			assert_int_equal(be16(o + 2), len);
		} else {
			assert_memory_equal(o + 24, tun6_b, 16);
			assert_int_equal(o[7], 64);
			assert_int_equal(o[6], c->udp_encap ? IPPROTO_UDP : IPPROTO_ESP);
			assert_int_equal(be16(o + 4), len - 40);
		}
	}
	if (c->udp_encap) {
		assert_int_equal(m->udp_off, off + hl);
		assert_int_equal(be16(o + hl), 4500);
		assert_int_equal(be16(o + hl + 2), 4500);
		assert_int_equal(be16(o + hl + 4), len - hl);
		if (c->mode == ESP_TRANSPORT || c->outer_version == 4)
			assert_true((o[0] >> 4) == 6 || be16(o + hl + 6) == 0);
	} else {
		assert_int_equal(m->udp_off, 0);
	}
	assert_int_equal(be32(o + (m->esp_off - off)), spi);
}

static void round_trip(const struct xf_spec *spec, enum esp_mode mode, int outer, int inner,
		       bool natt, bool esn)
{
	static const struct { uint8_t proto; size_t payload; } shapes[] = {
		{ IPPROTO_UDP, 1 }, { IPPROTO_TCP, 333 }, { IPPROTO_UDP, 1400 }, { 0, 0 },
	};
	static uint32_t spi = 0x10000;
	struct esp_sa_config c = config(mode, outer, natt, esn);
	struct sa_xform x;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t mem[TBUF], orig[2048];
	size_t olen, delivered = 0, n = 0;

	spi++;
	xf_make(&x, spec, spi, (uint8_t)spi);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct pkt_spec ps = { .version = (uint8_t)inner, .proto = shapes[i].proto,
				       .payload = shapes[i].payload, .fill = (uint8_t)i };
		struct esp_buf b;
		struct esp_out_meta m;
		struct esp_in_result res;
		struct esp_in pin;

		if (!ps.proto)
			ps.proto = inner == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		assert_int_equal(encap(out, mem, &b, &ps, &m, orig, &olen), 0);
		check_outer(&c, mem + b.off, b.len, &m, b.off, spi);
		assert_int_equal((b.len - (m.esp_off - b.off) - 8 - esp_sa_info(out)->iv_len -
				  esp_sa_info(out)->icv_len) % esp_sa_info(out)->align, 0);
		assert_int_equal(decap_ip(in, &b, &res), 0);
		assert_int_equal(res.len, olen);
		if (memcmp(mem + res.off, orig, olen))
			fail_msg("%s mode %d outer %d inner %d natt %d: packet differs", spec->name,
				 mode, outer, inner, natt);
		delivered += olen;
		n++;
		if (!natt)
			continue;

		/* The same through a UDP socket: only the payload arrives. */
		assert_int_equal(encap(out, mem, &b, &ps, &m, orig, &olen), 0);
		memset(&pin, 0, sizeof(pin));
		b.len -= m.udp_off + 8 - b.off;
		b.off = m.udp_off + 8;
		assert_int_equal(esp_parse_udp(mem + b.off, b.len, &pin), ESP_PARSE_ESP);
		if (mode == ESP_TRANSPORT) {
			pin.version = (uint8_t)inner;
			memcpy(pin.src, inner == 4 ? addr4_a : addr6_a, 16 - (inner == 4) * 12);
			memcpy(pin.dst, inner == 4 ? addr4_b : addr6_b, 16 - (inner == 4) * 12);
		}
		if (n % 2) {
			assert_int_equal(esp_decap(in, &b, &pin, &res), 0);
		} else {
			/* Out of place, as the inbound thread decrypts. */
			static uint8_t rx[TBUF];

			memcpy(rx, mem + b.off, b.len);
			memset(mem + b.off, 0xee, b.len);
			assert_int_equal(esp_decap_from(in, &b, rx, &pin, &res), 0);
		}
		assert_int_equal(res.len, olen);
		if (mode == ESP_TUNNEL) {
			assert_memory_equal(mem + res.off, orig, olen);
		} else {
			size_t hl = inner == 4 ? 20 : 40;

			/* A fresh header: same addresses, protocol, payload. */
			assert_memory_equal(mem + res.off + hl, orig + hl, olen - hl);
			assert_true(pkt_csums_ok(mem + res.off, res.len));
			if (inner == 4)
				assert_memory_equal(mem + res.off + 9, orig + 9, 1);
		}
		delivered += olen;
		n++;
	}
	esp_sa_stats(in, &st);
	assert_int_equal(st.packets, n);
	assert_int_equal(st.bytes, delivered);
	assert_int_equal(st.icv_failures + st.replay_drops + st.malformed, 0);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_round_trips(void **state)
{
	for (size_t s = 0; s < xf_nspecs; s++)
		for (int natt = 0; natt < 2; natt++)
			for (int outer = 4; outer <= 6; outer += 2) {
				bool esn = (s + natt + outer) % 2;

				round_trip(&xf_specs[s], ESP_TRANSPORT, outer, outer, natt, esn);
				for (int inner = 4; inner <= 6; inner += 2)
					round_trip(&xf_specs[s], ESP_TUNNEL, outer, inner, natt,
						   !esn);
			}
}

/* ---- tampering ---- */

static void test_tamper(void **state)
{
	static const size_t specs[] = { 0, 3, 5, 10, 12, 13 };	/* GCM, GMAC, CBC, 3DES, NULL */

	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct esp_sa_config c = config(ESP_TUNNEL, 4, k % 2, false);
		struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 40 };
		struct sa_xform x;
		struct esp_sa *out, *in;
		struct esp_sa_stats st;
		uint8_t mem[TBUF], good[TBUF], orig[256];
		struct esp_buf b;
		struct esp_out_meta m;
		struct esp_in_result res;
		size_t olen, esp, fails = 0;

		xf_make(&x, &xf_specs[specs[k]], 0x5000 + (uint32_t)k, 9);
		assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
		esp_sa_test_seq(out)->next = 1000;	/* no single flip reaches 0 */
		assert_int_equal(encap(out, mem, &b, &ps, &m, orig, &olen), 0);
		memcpy(good, mem, sizeof(mem));
		esp = m.esp_off;
		for (size_t i = b.off; i < b.off + b.len; i++) {
			/* The UDP header is outside ESP's protection by design:
			 * ports float with NATs, the IPv4 sum is ignored. */
			if (m.udp_off && i >= m.udp_off && i < m.udp_off + 8)
				continue;
			for (int bit = 0; bit < 8; bit++) {
				struct esp_buf t = b;
				int rc;

				memcpy(mem, good, sizeof(mem));
				mem[i] ^= (uint8_t)(1 << bit);
				rc = bit % 2 ? decap_ip_from(in, &t, &res) : decap_ip(in, &t, &res);
				if (i >= esp + 4) {
					/* Sequence number, IV, payload, ICV. */
					assert_int_equal(rc, -EBADMSG);
					fails++;
				} else {
					/* Outer header (checksum), UDP ports or SPI. */
					assert_true(rc < 0);
				}
			}
		}
		esp_sa_stats(in, &st);
		assert_int_equal(st.icv_failures, fails);
		assert_int_equal(st.packets, 0);
		/* Forgeries did not move the window: the real one passes. */
		memcpy(mem, good, sizeof(mem));
		assert_int_equal(k % 2 ? decap_ip_from(in, &b, &res) : decap_ip(in, &b, &res), 0);
		assert_memory_equal(mem + res.off, orig, olen);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* ---- crafted trailers: authentic packets with bad content ---- */

/* IPv4 + ESP with exactly the given plaintext, sealed with the outbound
 * SA's own transform, so the ICV is right. */
static size_t craft(struct esp_sa *out, uint8_t *p, const uint8_t *plain, size_t plen,
		    uint32_t spi, uint64_t seq)
{
	const struct esp_xform_info *xi = esp_sa_info(out);
	uint8_t *esp = p + 20;
	size_t tot = 20 + 8 + xi->iv_len + plen + xi->icv_len;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = IPPROTO_ESP;
	memcpy(p + 12, tun4_a, 4);
	memcpy(p + 16, tun4_b, 4);
	fix4(p);
	esp[0] = (uint8_t)(spi >> 24);
	esp[1] = (uint8_t)(spi >> 16);
	esp[2] = (uint8_t)(spi >> 8);
	esp[3] = (uint8_t)spi;
	esp[4] = (uint8_t)(seq >> 24);
	esp[5] = (uint8_t)(seq >> 16);
	esp[6] = (uint8_t)(seq >> 8);
	esp[7] = (uint8_t)seq;
	memcpy(esp + 8 + xi->iv_len, plain, plen);
	assert_int_equal(esp_xform_seal(esp_sa_test_xform(out), esp, plen, seq), 0);
	return tot;
}

struct crafted {
	const char *what;
	int want;
	size_t inner;		/* bytes of inner IPv4 packet first, 0: none */
	size_t junk;		/* TFC padding after it */
	const uint8_t *pad;	/* pad bytes */
	uint8_t npad, padlen, nh;
	size_t deliver;		/* expected res.len on success */
};

static void test_trailer(void **state)
{
	static const uint8_t good_pad[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const uint8_t bad_pad[] = { 1, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const uint8_t zero_pad[16] = { 0 };

	for (size_t k = 0; k < 2; k++) {
		/* GCM (align 4) and AES-CBC-SHA1 (align 16). */
		const struct xf_spec *spec = &xf_specs[k ? 5 : 0];
		size_t align = k ? 16 : 4;
		struct crafted cases[] = {
			{ "good", 0, 60, 0, good_pad, 0, 0, 4, 60 },
			{ "TFC padding", 0, 60, 20, good_pad, 0, 0, 4, 60 },
			{ "dummy", 0, 0, 30, good_pad, 0, 0, 59, 0 },
			{ "pad byte wrong", -EPROTO, 60, 0, bad_pad, 0, 0, 4, 0 },
			{ "zero padding", -EPROTO, 60, 0, zero_pad, 0, 0, 4, 0 },
			{ "pad length past start", -EPROTO, 2, 0, good_pad, 0, 200, 4, 0 },
			{ "next header TCP in tunnel", -EPROTO, 60, 0, good_pad, 0, 0, 6, 0 },
			{ "IPv6 named, IPv4 inside", -EINVAL, 60, 0, good_pad, 0, 0, 41, 0 },
			{ "inner longer than payload", -EINVAL, 60, 0, good_pad, 0, 0, 4, 0 },
		};
		struct esp_sa_config c = config(ESP_TUNNEL, 4, false, false);
		struct sa_xform x;
		struct esp_sa *out, *in;
		struct esp_sa_stats st;
		uint64_t seq = 0;
		int errs = 0;

		xf_make(&x, spec, 0x6000 + (uint32_t)k, 3);
		assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct crafted *cs = &cases[i];
			uint8_t mem[TBUF], plain[512];
			struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP,
					       .payload = cs->inner > 28 ? cs->inner - 28 : 0 };
			struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };
			struct esp_in_result res;
			size_t n = 0, npad;
			int rc;

			if (cs->inner >= 28) {
				n = pkt_build(plain, &ps);
				if (i == 8) {	/* claim 8 bytes more than sent */
					plain[3] = (uint8_t)(plain[3] + 8);
					fix4(plain);
				}
			} else {
				memset(plain, 0xab, cs->inner);
				n = cs->inner;
			}
			memset(plain + n, 0xee, cs->junk);
			n += cs->junk;
			npad = (align - (n + 2) % align) % align;
			memcpy(plain + n, cs->pad, npad);
			plain[n + npad] = cs->padlen ? cs->padlen : (uint8_t)npad;
			plain[n + npad + 1] = cs->nh;
			if (cs->pad == zero_pad && npad == 0) {
				/* force padding so the zero bytes are checked */
				npad = align;
				memset(plain + n, 0, npad);
				plain[n + npad] = (uint8_t)npad;
				plain[n + npad + 1] = cs->nh;
			}
			b.len = craft(out, mem + b.off, plain, n + npad + 2, x.spi, ++seq);
			rc = decap_ip(in, &b, &res);
			if (rc != cs->want)
				fail_msg("%s (%s): got %d want %d", cs->what, spec->name, rc, cs->want);
			if (rc == 0) {
				assert_int_equal(res.len, cs->deliver);
				assert_int_equal(res.dummy, cs->nh == 59);
			} else {
				errs++;
			}
			/* Authentic packets move the window whatever they held. */
			b.off = ESP_MAX_OVERHEAD;
			b.len = craft(out, mem + b.off, plain, n + npad + 2, x.spi, seq);
			assert_int_equal(decap_ip(in, &b, &res), -EALREADY);
		}
		esp_sa_stats(in, &st);
		assert_int_equal(st.trailer_errors + st.malformed, errs);
		assert_int_equal(st.replay_drops, sizeof(cases) / sizeof(cases[0]));
		assert_int_equal(st.icv_failures, 0);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* ---- truncation ---- */

static void truncate_all(int outer, bool natt, const struct xf_spec *spec)
{
	struct esp_sa_config c = config(ESP_TUNNEL, outer, natt, false);
	struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 50 };
	struct sa_xform x;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	uint8_t mem[TBUF], good[2048];
	struct esp_buf b;
	struct esp_out_meta m;
	size_t len, hl = outer == 4 ? 20 : 40;

	xf_make(&x, spec, 0x7000, 5);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	assert_int_equal(encap(out, mem, &b, &ps, &m, NULL, NULL), 0);
	len = b.len;
	memcpy(good, mem + b.off, len);
	for (size_t l = 0; l < len; l++) {
		/* Exactly l bytes in a buffer that ends there, so ASan sees
		 * any read past them. */
		uint8_t *heap = malloc(ESP_MAX_OVERHEAD + l + 1);
		struct esp_buf t = { heap, ESP_MAX_OVERHEAD + l, ESP_MAX_OVERHEAD, l };
		struct esp_in pin;
		struct esp_in_result res;
		int rc;

		assert_non_null(heap);
		memcpy(heap + ESP_MAX_OVERHEAD, good, l);
		/* As cut: the IP length no longer fits. */
		assert_int_equal(esp_parse_ip(heap + t.off, l, &pin), -EINVAL);
		/* As if sent that short: lengths rewritten to match. */
		if (l >= hl) {
			uint8_t *p = heap + t.off;

			if (outer == 4) {
				p[2] = (uint8_t)(l >> 8);
				p[3] = (uint8_t)l;
				fix4(p);
			} else {
				p[4] = (uint8_t)((l - 40) >> 8);
				p[5] = (uint8_t)(l - 40);
			}
			if (natt && l >= hl + 8) {
				p[hl + 4] = (uint8_t)((l - hl) >> 8);
				p[hl + 5] = (uint8_t)(l - hl);
			}
			rc = esp_parse_ip(p, l, &pin);
			if (rc == ESP_PARSE_ESP) {
				rc = esp_decap(in, &t, &pin, &res);
				assert_true(rc == -EINVAL || rc == -EBADMSG);
			} else {
				assert_true(rc < 0);
			}
		}
		free(heap);
	}
	esp_sa_stats(in, &st);
	assert_int_equal(st.packets, 0);
	/* The whole packet still passes. */
	memcpy(mem + ESP_MAX_OVERHEAD, good, len);
	b = (struct esp_buf){ mem, sizeof(mem), ESP_MAX_OVERHEAD, len };
	{
		struct esp_in_result res;

		assert_int_equal(decap_ip(in, &b, &res), 0);
	}
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_truncation(void **state)
{
	truncate_all(4, false, &xf_specs[0]);
	truncate_all(4, true, &xf_specs[5]);
	truncate_all(6, false, &xf_specs[10]);
	truncate_all(6, true, &xf_specs[3]);
}

/* ---- replay through packets ---- */

static void test_replay_packets(void **state)
{
	struct esp_sa_config c = config(ESP_TUNNEL, 4, false, false);
	struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 20 };
	struct sa_xform x;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	static uint8_t pkts[70][256];
	size_t lens[70];
	uint8_t mem[TBUF];
	struct esp_buf b;
	struct esp_in_result res;

	c.replay_window = 64;
	xf_make(&x, &xf_specs[0], 0x8000, 7);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	for (int i = 0; i < 70; i++) {
		assert_int_equal(encap(out, mem, &b, &ps, NULL, NULL, NULL), 0);
		memcpy(pkts[i], mem + b.off, b.len);
		lens[i] = b.len;
	}
#define DELIVER(i, want) do { \
		b = (struct esp_buf){ mem, sizeof(mem), ESP_MAX_OVERHEAD, lens[i] }; \
		memcpy(mem + b.off, pkts[i], lens[i]); \
		assert_int_equal(decap_ip(in, &b, &res), want); \
	} while (0)
	DELIVER(69, 0);		/* seq 70 */
	DELIVER(69, -EALREADY);	/* duplicate */
	DELIVER(5, -EALREADY);	/* seq 6: 70 - 64, too old */
	DELIVER(6, 0);		/* seq 7: the window's last slot */
	DELIVER(6, -EALREADY);
	DELIVER(40, 0);
	DELIVER(0, -EALREADY);
#undef DELIVER
	esp_sa_stats(in, &st);
	assert_int_equal(st.packets, 3);
	assert_int_equal(st.replay_drops, 4);
	esp_sa_free(out);
	esp_sa_free(in);
}

/* ESN: a sender crossing 2^32 is followed; the 32-bit form of the same
 * stream stops at the hard limit instead. */
static void test_esn_wrap_packets(void **state)
{
	struct esp_sa_config c = config(ESP_TRANSPORT, 6, false, true);
	struct pkt_spec ps = { .version = 6, .proto = IPPROTO_UDP, .payload = 20 };
	struct sa_xform x;
	struct esp_sa *out, *in;
	uint8_t mem[TBUF];
	struct esp_buf b;
	struct esp_out_meta m;
	struct esp_in_result res;

	xf_make(&x, &xf_specs[5], 0x9000, 2);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	esp_sa_test_seq(out)->next = 0xfffffffdull;
	esp_replay_update(esp_sa_test_replay(in), 0xfffffffcull);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(encap(out, mem, &b, &ps, &m, NULL, NULL), 0);
		assert_int_equal(m.seq, 0xfffffffdull + (uint64_t)i);
		assert_int_equal(be32(mem + m.esp_off + 4), (uint32_t)m.seq);
		assert_int_equal(decap_ip(in, &b, &res), 0);
	}
	assert_int_equal(esp_sa_test_replay(in)->top, 0x100000002ull);
	esp_sa_free(out);
	esp_sa_free(in);
}

/* ---- ECN and the outer header ---- */

static void test_ecn(void **state)
{
	/* RFC 6040 Figure 4, [inner][outer] in Not-ECT, ECT(1), ECT(0), CE
	 * order; -1: drop. */
	static const int table[4][4] = {
		{ 0, 0, 0, -1 }, { 1, 1, 1, 3 }, { 2, 1, 2, 3 }, { 3, 3, 3, 3 },
	};

	for (int outer = 4; outer <= 6; outer += 2)
		for (int inner = 4; inner <= 6; inner += 2)
			for (int ie = 0; ie < 4; ie++)
				for (int oe = 0; oe < 4; oe++) {
		struct esp_sa_config c = config(ESP_TUNNEL, outer, false, false);
		struct pkt_spec ps = { .version = (uint8_t)inner, .proto = IPPROTO_UDP,
				       .payload = 10, .tos = (uint8_t)(0xb8 | ie) };
		struct sa_xform x;
		struct esp_sa *out, *in;
		struct esp_sa_stats st;
		uint8_t mem[TBUF], *o, *p;
		struct esp_buf b;
		struct esp_in_result res;
		int rc, got;

		xf_make(&x, &xf_specs[0], 0xa000, 1);
		assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
		assert_int_equal(encap(out, mem, &b, &ps, NULL, NULL, NULL), 0);
		o = mem + b.off;
		/* Normal mode: DSCP and ECN copied out. */
		if (outer == 4) {
			assert_int_equal(o[1], 0xb8 | ie);
			o[1] = (uint8_t)((o[1] & ~3) | oe);	/* a router marks */
			fix4(o);
		} else {
			assert_int_equal(((o[0] & 15) << 4 | o[1] >> 4), 0xb8 | ie);
			o[1] = (uint8_t)((o[1] & 0xcf) | oe << 4);
		}
		rc = decap_ip(in, &b, &res);
		esp_sa_stats(in, &st);
		if (table[ie][oe] < 0) {
			assert_int_equal(rc, -ECANCELED);
			assert_int_equal(st.ecn_drops, 1);
		} else {
			assert_int_equal(rc, 0);
			p = mem + res.off;
			got = inner == 4 ? (p[1] & 3) : ((p[1] >> 4) & 3);
			assert_int_equal(got, table[ie][oe]);
			if (inner == 4) {
				assert_int_equal(p[1] >> 2, 0xb8 >> 2);	/* DSCP kept */
				assert_int_equal(ref_sum(p, 20, 0), 0xffff);
			}
		}
		esp_sa_free(out);
		esp_sa_free(in);
				}
}

static void test_outer_header(void **state)
{
	static const struct { enum esp_df df; bool inner_df; int inner; bool want; } t[] = {
		{ ESP_DF_COPY, true, 4, true }, { ESP_DF_COPY, false, 4, false },
		{ ESP_DF_COPY, false, 6, false }, { ESP_DF_SET, false, 4, true },
		{ ESP_DF_SET, false, 6, true }, { ESP_DF_CLEAR, true, 4, false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct esp_sa_config c = config(ESP_TUNNEL, 4, false, false);
		struct pkt_spec ps = { .version = (uint8_t)t[i].inner, .proto = IPPROTO_UDP,
				       .payload = 10, .df = t[i].inner_df };
		struct sa_xform x;
		struct esp_sa *out, *in;
		uint8_t mem[TBUF];
		struct esp_buf b;
		uint16_t id;

		c.df = t[i].df;
		c.ttl = 7;
		xf_make(&x, &xf_specs[5], 0xb000, 1);
		assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
		esp_sa_test_set_ip_id(out, 0xfffe);
		assert_int_equal(encap(out, mem, &b, &ps, NULL, NULL, NULL), 0);
		assert_int_equal(!!(mem[b.off + 6] & 0x40), t[i].want);
		assert_int_equal(mem[b.off + 8], 7);
		id = be16(mem + b.off + 4);
		assert_int_equal(id, 0xfffe);
		assert_int_equal(encap(out, mem, &b, &ps, NULL, NULL, NULL), 0);
		assert_int_equal(be16(mem + b.off + 4), 0xffff);
		assert_int_equal(encap(out, mem, &b, &ps, NULL, NULL, NULL), 0);
		assert_int_equal(be16(mem + b.off + 4), 0);
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* ---- NAT-T ---- */

static size_t udp4(uint8_t *p, const uint8_t *payload, size_t n)
{
	size_t tot = 28 + n;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, tun4_a, 4);
	memcpy(p + 16, tun4_b, 4);
	fix4(p);
	p[20] = 0x11;
	p[21] = 0x94;
	p[22] = 0x11;
	p[23] = 0x94;
	p[24] = (uint8_t)((n + 8) >> 8);
	p[25] = (uint8_t)(n + 8);
	memcpy(p + 28, payload, n);
	return tot;
}

static void test_natt_markers(void **state)
{
	static const uint8_t ike[] = { 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	static const uint8_t keepalive[] = { 0xff };
	static const uint8_t esp[] = { 0, 0, 1, 0, 0, 0, 0, 9, 1, 2, 3 };
	static const uint8_t shorts[][3] = { { 0 }, { 0xfe }, { 0, 0 }, { 0, 0, 0 } };
	uint8_t p[256];
	struct esp_in in;
	size_t n;

	assert_int_equal(esp_parse_udp(ike, sizeof(ike), &in), ESP_PARSE_IKE);
	assert_int_equal(esp_parse_udp(ike, 4, &in), ESP_PARSE_IKE);
	assert_int_equal(esp_parse_udp(keepalive, 1, &in), ESP_PARSE_KEEPALIVE);
	assert_int_equal(esp_parse_udp(esp, sizeof(esp), &in), ESP_PARSE_ESP);
	assert_int_equal(in.spi, 0x100);
	assert_int_equal(in.seq_lo, 9);
	assert_int_equal(esp_parse_udp(esp, 7, &in), -EINVAL);
	assert_int_equal(esp_parse_udp(shorts[0], 1, &in), -EINVAL);
	assert_int_equal(esp_parse_udp(shorts[1], 1, &in), -EINVAL);
	assert_int_equal(esp_parse_udp(shorts[2], 2, &in), -EINVAL);
	assert_int_equal(esp_parse_udp(shorts[3], 3, &in), -EINVAL);
	assert_int_equal(esp_parse_udp(keepalive, 0, &in), -EINVAL);

	n = udp4(p, ike, sizeof(ike));
	assert_int_equal(esp_parse_ip(p, n, &in), ESP_PARSE_IKE);
	n = udp4(p, keepalive, 1);
	assert_int_equal(esp_parse_ip(p, n, &in), ESP_PARSE_KEEPALIVE);
	n = udp4(p, esp, sizeof(esp));
	assert_int_equal(esp_parse_ip(p, n, &in), ESP_PARSE_ESP);
	assert_true(in.udp);
	assert_int_equal(in.sport, 4500);
	assert_int_equal(in.esp_off, 28);
	assert_int_equal(in.esp_len, sizeof(esp));
	/* UDP length past the IP payload; below 8. */
	p[25] = (uint8_t)(p[25] + 1);
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
	p[24] = 0;
	p[25] = 7;
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
	/* A fragment, a wrong header checksum, an unknown protocol. */
	n = udp4(p, esp, sizeof(esp));
	p[6] = 0x20;
	fix4(p);
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
	n = udp4(p, esp, sizeof(esp));
	p[10] ^= 1;
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
	n = udp4(p, esp, sizeof(esp));
	p[9] = IPPROTO_TCP;
	fix4(p);
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
	/* Raw ESP with SPI 0. */
	n = udp4(p, esp, sizeof(esp));
	p[9] = IPPROTO_ESP;
	fix4(p);
	memset(p + 20, 0, 4);
	assert_int_equal(esp_parse_ip(p, n, &in), -EINVAL);
}

/* Transport mode through a NAT: the outer source changes on the way; the
 * TCP/UDP checksum is made right again for the new address. Without UDP
 * encapsulation nothing touches it. */
static void test_natt_transport_checksum(void **state)
{
	static const uint8_t nat[4] = { 198, 18, 0, 77 };

	for (int natt = 0; natt < 2; natt++)
		for (int tcp = 0; tcp < 2; tcp++) {
			struct esp_sa_config c = config(ESP_TRANSPORT, 4, natt, false);
			struct pkt_spec ps = { .version = 4,
					       .proto = tcp ? IPPROTO_TCP : IPPROTO_UDP,
					       .payload = 99 };
			struct sa_xform x;
			struct esp_sa *out, *in;
			uint8_t mem[TBUF], orig[256];
			struct esp_buf b;
			struct esp_in_result res;
			size_t olen;

			xf_make(&x, &xf_specs[0], 0xc000, 4);
			assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
			assert_int_equal(encap(out, mem, &b, &ps, NULL, orig, &olen), 0);
			memcpy(mem + b.off + 12, nat, 4);
			fix4(mem + b.off);
			assert_int_equal(decap_ip(in, &b, &res), 0);
			assert_memory_equal(mem + res.off + 12, nat, 4);
			assert_int_equal(pkt_csums_ok(mem + res.off, res.len), natt);
			if (!natt)	/* untouched: everything but the address */
				assert_memory_equal(mem + res.off + 20, orig + 20, olen - 20);
			esp_sa_free(out);
			esp_sa_free(in);
		}
}

/* ---- IPv6 extension headers and IPv4 options in transport mode ---- */

/* IPv6 + the given extension headers (types in order, 8 bytes each except
 * routing: 24) + UDP. */
static size_t ip6_ext(uint8_t *p, const uint8_t *ext, size_t next)
{
	struct pkt_spec ps = { .version = 6, .proto = IPPROTO_UDP, .payload = 30 };
	uint8_t udp[256];
	size_t n = pkt_build(udp, &ps), off = 40, plen;
	uint8_t *nhp = p + 6;

	memcpy(p, udp, 40);
	for (size_t i = 0; i < next; i++) {
		size_t len = ext[i] == IPPROTO_ROUTING ? 24 : 8;

		*nhp = ext[i];
		memset(p + off, 0, len);
		p[off + 1] = (uint8_t)(len / 8 - 1);
		if (ext[i] == IPPROTO_ROUTING)
			p[off + 2] = 4;	/* segment routing type, segments left 0 */
		nhp = p + off;
		off += len;
	}
	*nhp = IPPROTO_UDP;
	memcpy(p + off, udp + 40, n - 40);
	plen = off + n - 40 - 40;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	return off + n - 40;
}

static void test_transport_headers(void **state)
{
	static const struct { uint8_t ext[3]; size_t n; int want; size_t esp_at; } t[] = {
		{ { 0 }, 0, 0, 40 },
		{ { IPPROTO_HOPOPTS }, 1, 0, 48 },
		{ { IPPROTO_HOPOPTS, IPPROTO_ROUTING }, 2, 0, 72 },
		{ { IPPROTO_DSTOPTS }, 1, 0, 40 },	/* end-to-end: inside ESP */
		{ { IPPROTO_DSTOPTS, IPPROTO_ROUTING }, 2, 0, 72 },
		{ { IPPROTO_HOPOPTS, IPPROTO_FRAGMENT }, 2, -EPROTONOSUPPORT, 0 },
	};
	struct esp_sa_config c = config(ESP_TRANSPORT, 6, false, false);
	struct sa_xform x;
	struct esp_sa *out, *in;

	xf_make(&x, &xf_specs[7], 0xd000, 8);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t mem[TBUF], orig[512];
		struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };
		struct esp_out_meta m;
		struct esp_in_result res;
		size_t olen;

		olen = b.len = ip6_ext(mem + b.off, t[i].ext, t[i].n);
		memcpy(orig, mem + b.off, olen);
		assert_int_equal(esp_encap(out, &b, &m), t[i].want);
		if (t[i].want)
			continue;
		assert_int_equal(m.esp_off - b.off, t[i].esp_at);
		assert_int_equal(mem[b.off + (t[i].n && t[i].esp_at > 40 ?
				      t[i].esp_at - (t[i].ext[t[i].n - 1] == IPPROTO_ROUTING ? 24 : 8) :
				      6)], IPPROTO_ESP);
		assert_int_equal(decap_ip(in, &b, &res), 0);
		assert_int_equal(res.len, olen);
		assert_memory_equal(mem + res.off, orig, olen);
	}
	esp_sa_free(out);
	esp_sa_free(in);

	/* IPv4: options stay in front; fragments refused in transport mode
	 * and carried whole in tunnel mode. */
	c = config(ESP_TRANSPORT, 4, true, false);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	{
		struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 30 };
		uint8_t mem[TBUF], orig[256], *p = mem + ESP_MAX_OVERHEAD;
		struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };
		struct esp_in_result res;
		size_t n = pkt_build(orig, &ps);

		/* 4 bytes of options: NOP NOP NOP EOL. */
		memcpy(p, orig, 20);
		p[0] = 0x46;
		memcpy(p + 20, "\x01\x01\x01\x00", 4);
		memcpy(p + 24, orig + 20, n - 20);
		p[3] = (uint8_t)(p[3] + 4);
		fix4(p);
		b.len = n + 4;
		memcpy(orig, p, b.len);
		assert_int_equal(esp_encap(out, &b, NULL), 0);
		assert_int_equal(mem[b.off] & 15, 6);
		assert_int_equal(decap_ip(in, &b, &res), 0);
		assert_int_equal(res.len, n + 4);
		assert_memory_equal(mem + res.off, orig, n + 4);

		b = (struct esp_buf){ mem, sizeof(mem), ESP_MAX_OVERHEAD, pkt_build(p, &ps) };
		p[6] = 0x20;	/* more fragments */
		fix4(p);
		assert_int_equal(esp_encap(out, &b, NULL), -EPROTONOSUPPORT);
	}
	esp_sa_free(out);
	esp_sa_free(in);
}

/* ---- buffer room and misuse ---- */

static void test_room_and_misuse(void **state)
{
	struct esp_sa_config c = config(ESP_TUNNEL, 6, true, false);
	struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 100 };
	struct sa_xform x;
	struct esp_sa *out, *in;
	uint8_t mem[TBUF], copy[TBUF];
	struct esp_buf b;
	struct esp_in pin;
	struct esp_in_result res;
	size_t n;

	xf_make(&x, &xf_specs[5], 0xe000, 6);
	assert_int_equal(sa_pair(&out, &in, &x, &c), 0);
	/* Head: IPv6 + UDP + ESP + IV = 72; tail: <= 15 + 2 + 12. */
	n = pkt_build(mem + 71, &ps);
	b = (struct esp_buf){ mem, sizeof(mem), 71, n };
	memcpy(copy, mem, sizeof(mem));
	assert_int_equal(esp_encap(out, &b, NULL), -ENOBUFS);
	assert_memory_equal(copy, mem, sizeof(mem));
	b = (struct esp_buf){ mem, 72 + n + 5, 72, n };
	n = pkt_build(mem + 72, &ps);
	assert_int_equal(esp_encap(out, &b, NULL), -ENOBUFS);
	assert_int_equal(esp_sa_test_seq(out)->next, 1);	/* nothing spent */
	b = (struct esp_buf){ mem, 72 + n + 29, 72, n };
	assert_int_equal(esp_encap(out, &b, NULL), 0);
	assert_int_equal(b.off, 0);

	/* Wrong direction, wrong SPI, not IP. */
	assert_int_equal(esp_parse_ip(mem + b.off, b.len, &pin), ESP_PARSE_ESP);
	assert_int_equal(esp_decap(out, &b, &pin, &res), -EINVAL);
	pin.spi ^= 1;
	assert_int_equal(esp_decap(in, &b, &pin, &res), -EINVAL);
	b = (struct esp_buf){ mem, sizeof(mem), ESP_MAX_OVERHEAD, 10 };
	memset(mem + b.off, 0x55, 10);
	assert_int_equal(esp_encap(out, &b, NULL), -EINVAL);
	assert_int_equal(esp_encap(in, &b, NULL), -EINVAL);
	esp_sa_free(out);
	esp_sa_free(in);
}

/* ---- selectors ---- */

static void test_selector(void **state)
{
	struct pkt_spec ps = { .version = 4, .proto = IPPROTO_TCP, .payload = 5 };
	uint8_t p[512];
	struct esp_selector sel;
	size_t n;
	static const uint8_t hbh[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING };

	n = pkt_build(p, &ps);
	assert_int_equal(esp_selector_get(p, n, &sel), 0);
	assert_int_equal(sel.version, 4);
	assert_int_equal(sel.proto, IPPROTO_TCP);
	assert_int_equal(sel.sport, 40000);
	assert_int_equal(sel.dport, 443);
	assert_memory_equal(sel.src, addr4_a, 4);
	assert_memory_equal(sel.dst, addr4_b, 4);
	assert_false(sel.fragment);
	p[7] = 10;	/* a later fragment: no ports */
	assert_int_equal(esp_selector_get(p, n, &sel), 0);
	assert_true(sel.fragment);
	assert_int_equal(sel.sport, 0);

	ps.proto = IPPROTO_ICMP;
	n = pkt_build(p, &ps);
	p[21] = 3;
	assert_int_equal(esp_selector_get(p, n, &sel), 0);
	assert_int_equal(sel.sport, 8);	/* type */
	assert_int_equal(sel.dport, 3);	/* code */

	n = ip6_ext(p, hbh, 2);
	assert_int_equal(esp_selector_get(p, n, &sel), 0);
	assert_int_equal(sel.version, 6);
	assert_int_equal(sel.proto, IPPROTO_UDP);
	assert_int_equal(sel.dport, 53);
	assert_memory_equal(sel.dst, addr6_b, 16);

	/* Every truncation is refused or read within bounds. */
	for (size_t l = 0; l < n; l++) {
		uint8_t *h = malloc(l + 1);

		memcpy(h, p, l);
		assert_int_equal(esp_selector_get(h, l, &sel), -EINVAL);
		free(h);
	}
	p[0] = 0x50;
	assert_int_equal(esp_selector_get(p, n, &sel), -EINVAL);
}

static int teardown(void **state)
{
	esp_crypto_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_trailer),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_replay_packets),
		cmocka_unit_test(test_esn_wrap_packets),
		cmocka_unit_test(test_ecn),
		cmocka_unit_test(test_outer_header),
		cmocka_unit_test(test_natt_markers),
		cmocka_unit_test(test_natt_transport_checksum),
		cmocka_unit_test(test_transport_headers),
		cmocka_unit_test(test_room_and_misuse),
		cmocka_unit_test(test_selector),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
