/* fuzz_esp_input.c - the ESP input path, which faces the network:
 * esp_parse_ip / esp_parse_udp, then esp_decap with fixed SAs.
 *
 * The first input byte picks the case, the rest is the data:
 *   bits 0-1  0: a raw outer IP packet; 1: a NAT-T UDP payload;
 *             2, 3: an ESP plaintext (payload + trailer) sealed with the
 *             SA's own keys, so that the trailer and inner-packet checks
 *             behind the ICV are reached too
 *   bit 2     transform: AES-128-GCM or AES-256-CBC + HMAC-SHA-256-128
 *   bit 3     tunnel or transport mode
 *   bit 4     64-bit ESN
 * The replay window is reset for every input, so runs are reproducible.
 *
 * Built with -DESP_MAKE_SEEDS instead, main(DIR) writes valid packets of
 * every case into DIR as the starting corpus.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datapath/esp_packet.h"

#define NCASES 8	/* transform x mode x ESN */
#define SPI 0x4242

static struct esp_sa *sa_in[NCASES], *sa_out[NCASES];
static const uint8_t tun_src[4] = { 192, 0, 2, 1 }, tun_dst[4] = { 192, 0, 2, 2 };

static void make_sas(void)
{
	for (int c = 0; c < NCASES; c++) {
		struct sa_xform x = { .spi = SPI, .type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER };
		struct esp_sa_config cfg = { .xform = &x, .mode = c & 2 ? ESP_TRANSPORT : ESP_TUNNEL,
					     .esn = c & 4, .outer_version = 4, .replay_window = 64,
					     .udp_sport = 4500, .udp_dport = 4500 };

		memcpy(cfg.outer_src, tun_src, 4);
		memcpy(cfg.outer_dst, tun_dst, 4);
		if (c & 1) {
			x.auth_type = IPSEC_AUTH_SHA_256;
			x.auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
			x.auth_key_len = 32;
			x.cipher_type = IPSEC_CIPHER_TYPE_AES_256;
			x.cipher_config = IPSEC_CIPHER_CONFIG_CBC_AES_256;
			x.cipher_key_len = 32;
		} else {
			x.auth_type = IPSEC_AUTH_AES_128;
			x.auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
			x.cipher_type = IPSEC_CIPHER_TYPE_AES_128;
			x.cipher_config = IPSEC_CIPHER_CONFIG_GCM_AES_128;
			x.cipher_key_len = 20;
		}
		for (int i = 0; i < SA_MAX_KEY; i++)
			x.cipher_key[i] = x.auth_key[i] = (uint8_t)(0x30 + i);
		if (esp_sa_new(&sa_in[c], &cfg, NULL))
			abort();
		cfg.outbound = true;
		if (esp_sa_new(&sa_out[c], &cfg, NULL))
			abort();
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* IPv4 (protocol 50) + ESP, sequence number 1, whose plaintext is data
 * (zero-filled up to the cipher block), sealed with the outbound twin of
 * the SA. Returns the packet length. */
static size_t seal_plaintext(int c, uint8_t *p, const uint8_t *data, size_t n)
{
	const struct esp_xform_info *xi = esp_sa_info(sa_out[c]);
	size_t plen = (n + xi->align - 1) / xi->align * xi->align, tot;
	uint32_t seq = 1;
	uint8_t *esp = p + 20, *payload;
	uint32_t sum = 0;

	if (plen < 2)
		plen = xi->align;
	tot = 20 + 8 + xi->iv_len + plen + xi->icv_len;
	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = 50;
	memcpy(p + 12, tun_src, 4);
	memcpy(p + 16, tun_dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	put32(esp, SPI);
	put32(esp + 4, seq);
	payload = esp + 8 + xi->iv_len;
	memcpy(payload, data, n);
	if (esp_xform_seal(esp_sa_test_xform(sa_out[c]), esp, plen, seq))
		abort();
	return tot;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	static size_t cap;
	struct esp_buf b;
	struct esp_in in;
	struct esp_in_result res;
	int sel, c, rc;

	if (size < 1 || size > 65535)
		return 0;
	if (!sa_in[0])
		make_sas();
	sel = data[0];
	c = (sel >> 2) & 7;
	data++;
	size--;
	/* Exactly sized, so that ASan sees any read past the packet. */
	free(mem);
	cap = 2 * ESP_MAX_OVERHEAD + size + 64;
	mem = malloc(cap);
	if (!mem)
		return 0;
	b = (struct esp_buf){ mem, ESP_MAX_OVERHEAD + size, ESP_MAX_OVERHEAD, size };
	memcpy(mem + b.off, data, size);
	esp_replay_init(esp_sa_test_replay(sa_in[c]), 64, c & 4);

	switch (sel & 3) {
	case 0:
		rc = esp_parse_ip(mem + b.off, b.len, &in);
		break;
	case 1:
		rc = esp_parse_udp(mem + b.off, b.len, &in);
		in.version = 4;	/* from recvmsg, for transport mode */
		memcpy(in.src, tun_src, 4);
		memcpy(in.dst, tun_dst, 4);
		break;
	default:
		b.len = seal_plaintext(c, mem + b.off, data, size);
		b.size = b.off + b.len;
		rc = esp_parse_ip(mem + b.off, b.len, &in);
		break;
	}
	if (rc != ESP_PARSE_ESP || in.spi != SPI)
		return 0;
	rc = esp_decap(sa_in[c], &b, &in, &res);
	if (rc == 0 && res.off + res.len > b.size)
		abort();	/* delivered bytes must lie inside the buffer */
	return 0;
}

#ifdef ESP_MAKE_SEEDS
static int save(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	static uint8_t mem[ESP_MAX_OVERHEAD + 2048 + ESP_MAX_OVERHEAD], seed[2048];
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_esp_seeds DIR\n");
		return 2;
	}
	/* Its parent too: fuzz.seeds, which may run at the same time, makes
	 * it only for itself. */
	for (char *q = argv[1] + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		mkdir(argv[1], 0755);
		*q = '/';
	}
	mkdir(argv[1], 0755);
	make_sas();
	for (int c = 0; c < NCASES; c++) {
		for (int kind = 0; kind < 3; kind++) {
			struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 60 };
			struct esp_out_meta m;
			uint8_t *p = mem + b.off;
			char name[64];
			size_t n;

			/* An inner IPv4/UDP packet of 60 bytes. */
			memset(p, 0, 60);
			p[0] = 0x45;
			p[3] = 60;
			p[8] = 64;
			p[9] = 17;
			memcpy(p + 12, tun_src, 4);
			memcpy(p + 16, tun_dst, 4);
			p[25] = 40;
			if (kind == 2) {
				/* The plaintext: the packet and a trailer. */
				seed[0] = (uint8_t)(2 | c << 2);
				memcpy(seed + 1, p, 60);
				n = 1 + 60;
				seed[n++] = 1;
				seed[n++] = 2;
				seed[n++] = 2;
				seed[n++] = c & 2 ? 17 : 4;
			} else {
				esp_sa_set_udp_encap(sa_out[c], kind == 1, 4500, 4500);
				if (esp_encap(sa_out[c], &b, &m) < 0)
					return 1;
				seed[0] = (uint8_t)(kind | c << 2);
				n = kind == 1 ? b.off + b.len - (m.udp_off + 8) : b.len;
				memcpy(seed + 1, kind == 1 ? mem + m.udp_off + 8 : mem + b.off, n);
				n++;
			}
			snprintf(name, sizeof(name), "case%d-kind%d", c, kind);
			err |= save(argv[1], name, seed, n);
		}
	}
	return err;
}
#endif
