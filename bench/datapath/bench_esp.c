/* bench_esp.c - goal D1 (perf-anchors 6.1): the ESP core's packet rate
 * against the crypto ceiling, measured side by side in one process.
 *
 * (a) reference: only the EVP calls of an ESP-shaped packet on one keyed
 *     context pair, encrypt then decrypt: AES-128-GCM: new nonce, 8 bytes
 *     of AAD, the payload (inner + 2 trailer bytes, padded to 4), tag out /
 *     tag check; AES-128-CBC + HMAC-SHA-256-128: CBC over the payload
 *     padded to 16, HMAC over header + IV + ciphertext, then HMAC check and
 *     CBC decrypt.
 * (b) ours: esp_encap + esp_parse_ip + esp_decap of the same inner packets
 *     (tunnel mode, IPv4 outer, UDP encapsulation), including the SA
 *     lookup by SPI in an open-addressing table of N SAs (N = 1 and 10k,
 *     one chosen at random per packet), sequence numbers, replay window,
 *     header and trailer, padding and the ICV check. The packets are a
 *     ring of 256 prebuilt IPv4/UDP packets; tunnel mode decapsulates each
 *     back to where it was, so the ring is reused without copies.
 *
 * The reference runs with N = 1 and 10k keyed context pairs too: D1's
 * ratio is ours(N) against the 1-SA reference; the same-N ratio shows what
 * is ours and what is the cache cost of 10k keyed contexts, which the
 * EVP-only loop pays as well.
 *
 * Each trial runs every variant for --seconds (default 0.4) in turn
 * (interleaved A/B), --trials times (default 5); printed are median, min
 * and max ns/packet (one encap + one decap), Mpps and the ratios of the
 * median packet rates. Targets: >= 85% at 1400 B and >= 70% at 64 B for
 * GCM, >= 80% for CBC+HMAC. One thread.
 *
 * Prints a table; --out FILE also writes the figures as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>

#include "datapath/esp_packet.h"

#define RING 256
#define MAX_TRIALS 15
#define BUFSZ (ESP_MAX_OVERHEAD + 1500 + ESP_MAX_OVERHEAD)

static volatile uint64_t sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stats(double *v, int n)
{
	double s[MAX_TRIALS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), dbl_cmp);
	return (struct stat3){ s[n / 2], s[0], s[n - 1] };
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_esp: %s\n", what);
	exit(1);
}

/* ---- (a) the EVP-only reference ---- */

struct ref_ctx {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_MAC_CTX *mac;
};

struct ref {
	bool cbc;
	int n;			/* keyed context pairs, one chosen per packet */
	size_t plen;		/* encrypted bytes per packet */
	struct ref_ctx *c;
	uint64_t rng;
	uint8_t buf[2048];
};

static void ref_init(struct ref *r, bool cbc, size_t inner, int n)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cbc ? "AES-128-CBC" : "AES-128-GCM", NULL);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);

	memset(r, 0, sizeof(*r));
	r->cbc = cbc;
	r->n = n;
	r->rng = 0x2545f4914f6cdd1dull;
	r->plen = cbc ? (inner + 2 + 15) / 16 * 16 : (inner + 2 + 3) / 4 * 4;
	r->c = calloc((size_t)n, sizeof(*r->c));
	if (!c || !m || !r->c)
		die("reference setup");
	for (int i = 0; i < n; i++) {
		struct ref_ctx *x = &r->c[i];
		uint8_t key[32];
		OSSL_PARAM p[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
								      "SHA256", 0),
				    OSSL_PARAM_construct_end() };

		for (int k = 0; k < 32; k++)
			key[k] = (uint8_t)(i + k);
		x->enc = EVP_CIPHER_CTX_new();
		x->dec = EVP_CIPHER_CTX_new();
		if (!x->enc || !x->dec || !EVP_EncryptInit_ex2(x->enc, c, key, NULL, NULL) ||
		    !EVP_DecryptInit_ex2(x->dec, c, key, NULL, NULL))
			die("reference cipher");
		EVP_CIPHER_CTX_set_padding(x->enc, 0);
		EVP_CIPHER_CTX_set_padding(x->dec, 0);
		if (cbc) {
			x->mac = EVP_MAC_CTX_new(m);
			if (!x->mac || !EVP_MAC_init(x->mac, key, 32, p))
				die("reference HMAC");
		}
	}
	EVP_CIPHER_free(c);
	EVP_MAC_free(m);
	for (size_t i = 0; i < sizeof(r->buf); i++)
		r->buf[i] = (uint8_t)i;
}

static void ref_free(struct ref *r)
{
	for (int i = 0; i < r->n; i++) {
		EVP_CIPHER_CTX_free(r->c[i].enc);
		EVP_CIPHER_CTX_free(r->c[i].dec);
		EVP_MAC_CTX_free(r->c[i].mac);
	}
	free(r->c);
}

/* One ESP-shaped packet through encrypt and decrypt, EVP calls only. */
static void ref_packet(struct ref *r, uint64_t seq)
{
	struct ref_ctx *x = &r->c[r->n == 1 ? 0 : rng(&r->rng) % (uint64_t)r->n];
	uint8_t nonce[16] = { 0xca, 0xfe, 0xba, 0xbe }, tag[32], *hdr = r->buf;
	uint8_t *p = r->buf + 24;
	int n;
	size_t mlen;

	memcpy(nonce + 4, &seq, 8);
	memcpy(hdr + 4, &seq, 4);
	if (!r->cbc) {
		EVP_EncryptInit_ex2(x->enc, NULL, NULL, nonce, NULL);
		EVP_EncryptUpdate(x->enc, NULL, &n, hdr, 8);
		EVP_EncryptUpdate(x->enc, p, &n, p, (int)r->plen);
		EVP_EncryptFinal_ex(x->enc, p + n, &n);
		EVP_CIPHER_CTX_ctrl(x->enc, EVP_CTRL_AEAD_GET_TAG, 16, tag);
		EVP_DecryptInit_ex2(x->dec, NULL, NULL, nonce, NULL);
		EVP_CIPHER_CTX_ctrl(x->dec, EVP_CTRL_AEAD_SET_TAG, 16, tag);
		EVP_DecryptUpdate(x->dec, NULL, &n, hdr, 8);
		EVP_DecryptUpdate(x->dec, p, &n, p, (int)r->plen);
		if (EVP_DecryptFinal_ex(x->dec, p + n, &n) <= 0)
			die("reference tag");
	} else {
		uint8_t icv[32];

		EVP_EncryptInit_ex2(x->enc, NULL, NULL, nonce, NULL);
		EVP_EncryptUpdate(x->enc, p, &n, p, (int)r->plen);
		EVP_EncryptFinal_ex(x->enc, p + n, &n);
		EVP_MAC_init(x->mac, NULL, 0, NULL);
		EVP_MAC_update(x->mac, hdr, 8 + 16 + r->plen);
		EVP_MAC_final(x->mac, tag, &mlen, sizeof(tag));
		EVP_MAC_init(x->mac, NULL, 0, NULL);
		EVP_MAC_update(x->mac, hdr, 8 + 16 + r->plen);
		EVP_MAC_final(x->mac, icv, &mlen, sizeof(icv));
		if (CRYPTO_memcmp(icv, tag, 16))
			die("reference ICV");
		EVP_DecryptInit_ex2(x->dec, NULL, NULL, nonce, NULL);
		EVP_DecryptUpdate(x->dec, p, &n, p, (int)r->plen);
		EVP_DecryptFinal_ex(x->dec, p + n, &n);
	}
}

static double run_ref(struct ref *r, double secs)
{
	uint64_t count = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < 256; i++)
			ref_packet(r, count++);
		t = now_s();
	} while (t - t0 < secs);
	sink += r->buf[30];
	return (t - t0) * 1e9 / (double)count;
}

/* ---- (b) the ESP core over N SAs ---- */

struct slot {
	uint32_t spi;
	struct esp_sa *sa;
};

/* Open addressing by SPI, linear probing, at most half full: the SA table a
 * datapath keeps (lookups dominate; it is never iterated per packet). */
struct table {
	struct slot *slots;
	uint32_t mask;
};

static uint32_t spi_hash(uint32_t spi)
{
	return (spi * 0x9e3779b1u) >> 7;
}

static void table_put(struct table *t, struct esp_sa *sa)
{
	uint32_t spi = esp_sa_spi(sa), i = spi_hash(spi) & t->mask;

	while (t->slots[i].sa)
		i = (i + 1) & t->mask;
	t->slots[i] = (struct slot){ spi, sa };
}

static struct esp_sa *table_get(const struct table *t, uint32_t spi)
{
	uint32_t i = spi_hash(spi) & t->mask;

	for (; t->slots[i].sa; i = (i + 1) & t->mask)
		if (t->slots[i].spi == spi)
			return t->slots[i].sa;
	return NULL;
}

struct ours {
	int n;
	uint32_t *out_spi;	/* outbound SPIs, to pick one at random */
	struct table out, in;
	uint8_t *ring;		/* RING buffers of BUFSZ */
	size_t len;		/* inner packet length */
	uint64_t rng;
};

static void ours_init(struct ours *o, int n, bool cbc, size_t inner)
{
	struct sa_xform x = { .type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER };
	struct esp_sa_config c = { .mode = ESP_TUNNEL, .outer_version = 4,
				   .outer_src = { 192, 0, 2, 1 }, .outer_dst = { 192, 0, 2, 2 },
				   .udp_encap = true, .udp_sport = 4500, .udp_dport = 4500 };
	uint32_t size = 1;

	memset(o, 0, sizeof(*o));
	o->n = n;
	o->len = inner;
	o->rng = 0x9e3779b97f4a7c15ull;
	while (size < 2u * (uint32_t)n)
		size <<= 1;
	o->out.mask = o->in.mask = size - 1;
	o->out.slots = calloc(size, sizeof(struct slot));
	o->in.slots = calloc(size, sizeof(struct slot));
	o->out_spi = calloc((size_t)n, sizeof(uint32_t));
	o->ring = malloc((size_t)RING * BUFSZ);
	if (!o->out.slots || !o->in.slots || !o->out_spi || !o->ring)
		die("out of memory");
	if (cbc) {
		x.auth_type = IPSEC_AUTH_SHA_256;
		x.auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
		x.auth_key_len = 32;
		x.cipher_type = IPSEC_CIPHER_TYPE_AES_128;
		x.cipher_config = IPSEC_CIPHER_CONFIG_CBC_AES_128;
		x.cipher_key_len = 16;
	} else {
		x.auth_type = IPSEC_AUTH_AES_128;
		x.auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
		x.cipher_type = IPSEC_CIPHER_TYPE_AES_128;
		x.cipher_config = IPSEC_CIPHER_CONFIG_GCM_AES_128;
		x.cipher_key_len = 20;
	}
	for (int i = 0; i < n; i++) {
		struct esp_sa *sa;

		x.spi = 0x1000 + (uint32_t)i * 7919;
		for (int k = 0; k < SA_MAX_KEY; k++)
			x.cipher_key[k] = x.auth_key[k] = (uint8_t)(i + k);
		c.xform = &x;
		c.outbound = true;
		if (esp_sa_new(&sa, &c, NULL))
			die("esp_sa_new");
		table_put(&o->out, sa);
		o->out_spi[i] = x.spi;
		c.outbound = false;
		if (esp_sa_new(&sa, &c, NULL))
			die("esp_sa_new");
		table_put(&o->in, sa);
	}
	/* IPv4/UDP packets of the given total length. */
	for (int r = 0; r < RING; r++) {
		uint8_t *p = o->ring + (size_t)r * BUFSZ + ESP_MAX_OVERHEAD;

		memset(p, 0, inner);
		p[0] = 0x45;
		p[2] = (uint8_t)(inner >> 8);
		p[3] = (uint8_t)inner;
		p[8] = 64;
		p[9] = 17;
		p[12] = 10;
		p[15] = 1;
		p[16] = 10;
		p[19] = (uint8_t)(2 + r);
		p[22] = (uint8_t)((inner - 20) >> 8);
		p[23] = (uint8_t)(inner - 20);
		for (size_t i = 28; i < inner; i++)
			p[i] = (uint8_t)(i * r);
	}
}

static void ours_free(struct ours *o)
{
	for (uint32_t i = 0; i <= o->out.mask; i++) {
		esp_sa_free(o->out.slots[i].sa);
		esp_sa_free(o->in.slots[i].sa);
	}
	free(o->out.slots);
	free(o->in.slots);
	free(o->out_spi);
	free(o->ring);
}

static double run_ours(struct ours *o, double secs)
{
	uint64_t count = 0;
	double t0 = now_s(), t;
	int r = 0;

	do {
		for (int k = 0; k < 256; k++) {
			struct esp_buf b = { o->ring + (size_t)r * BUFSZ, BUFSZ, ESP_MAX_OVERHEAD,
					     o->len };
			uint32_t spi = o->out_spi[o->n == 1 ? 0 : rng(&o->rng) % (uint64_t)o->n];
			struct esp_sa *sa = table_get(&o->out, spi);
			struct esp_in in;
			struct esp_in_result res;

			if (esp_encap(sa, &b, NULL) < 0)
				die("encap");
			if (esp_parse_ip(b.base + b.off, b.len, &in) != ESP_PARSE_ESP)
				die("parse");
			sa = table_get(&o->in, in.spi);
			if (!sa || esp_decap(sa, &b, &in, &res) ||
			    res.off != ESP_MAX_OVERHEAD || res.len != o->len)
				die("decap");
			r = (r + 1) % RING;
		}
		count += 256;
		t = now_s();
	} while (t - t0 < secs);
	return (t - t0) * 1e9 / (double)count;
}

/* ---- HMAC per packet: key kept by re-init, or a keyed template dup'd ---- */

static double run_hmac(EVP_MAC_CTX *tmpl, bool dup, size_t len, double secs)
{
	static uint8_t data[1500];
	uint8_t md[64];
	size_t n;
	uint64_t count = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < 256; i++) {
			EVP_MAC_CTX *c = tmpl;

			if (dup)
				c = EVP_MAC_CTX_dup(tmpl);
			else
				EVP_MAC_init(c, NULL, 0, NULL);
			EVP_MAC_update(c, data, len);
			EVP_MAC_final(c, md, &n, sizeof(md));
			if (dup)
				EVP_MAC_CTX_free(c);
			sink += md[0];
		}
		count += 256;
		t = now_s();
	} while (t - t0 < secs);
	return (t - t0) * 1e9 / (double)count;
}

/* [size: 64, 1400][reinit, dup] medians, ns per HMAC-SHA-256. */
static void measure_hmac(int trials, double secs, struct stat3 out[2][2])
{
	static const uint8_t key[32] = { 7 };
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *tmpl = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
			    OSSL_PARAM_construct_end() };
	double v[2][2][MAX_TRIALS];

	if (!tmpl || !EVP_MAC_init(tmpl, key, sizeof(key), p))
		die("HMAC");
	for (int t = 0; t < trials; t++)
		for (int s = 0; s < 2; s++)
			for (int d = 0; d < 2; d++)
				v[s][d][t] = run_hmac(tmpl, d, s ? 1400 : 64, secs / 4);
	for (int s = 0; s < 2; s++)
		for (int d = 0; d < 2; d++)
			out[s][d] = stats(v[s][d], trials);
	EVP_MAC_CTX_free(tmpl);
	EVP_MAC_free(m);
}

/* ---- the runs ---- */

struct config {
	const char *name;
	bool cbc;
	size_t inner;
	double target;		/* fraction of the reference rate */
};

static const struct config configs[] = {
	{ "aes128gcm_1400", false, 1400, 0.85 },
	{ "aes128gcm_64", false, 64, 0.70 },
	{ "aes128cbc_sha256_1400", true, 1400, 0.80 },
	{ "aes128cbc_sha256_64", true, 64, 0.80 },
};
#define NCONF (sizeof(configs) / sizeof(configs[0]))

static const int nsas[] = { 1, 10000 };

struct result {
	struct stat3 ref[2], ours[2];	/* ns per packet, encap + decap */
	double ratio[2];		/* ours(N) rate / reference(1 SA) rate: D1 */
	double ratio_same_n[2];		/* ours(N) rate / reference(N SAs) rate */
};

static void measure(const struct config *c, int trials, double secs, struct result *res)
{
	double ref_ns[2][MAX_TRIALS], ours_ns[2][MAX_TRIALS];
	struct ref r[2];
	struct ours o[2];

	for (int k = 0; k < 2; k++) {
		ref_init(&r[k], c->cbc, c->inner, nsas[k]);
		ours_init(&o[k], nsas[k], c->cbc, c->inner);
	}
	/* Warm-up: caches, page faults, OpenSSL's first-use paths. */
	for (int k = 0; k < 2; k++) {
		run_ref(&r[k], secs / 4);
		run_ours(&o[k], secs / 4);
	}
	for (int t = 0; t < trials; t++)
		for (int k = 0; k < 2; k++) {
			ref_ns[k][t] = run_ref(&r[k], secs);
			ours_ns[k][t] = run_ours(&o[k], secs);
		}
	for (int k = 0; k < 2; k++) {
		res->ref[k] = stats(ref_ns[k], trials);
		res->ours[k] = stats(ours_ns[k], trials);
	}
	for (int k = 0; k < 2; k++) {
		res->ratio[k] = res->ref[0].med / res->ours[k].med;
		res->ratio_same_n[k] = res->ref[k].med / res->ours[k].med;
		ours_free(&o[k]);
		ref_free(&r[k]);
	}
}

static void print_row(const char *what, struct stat3 s, size_t inner)
{
	printf("  %-22s %8.1f ns/pkt (%6.1f - %6.1f)  %5.2f Mpps  %6.2f Gbit/s inner\n", what,
	       s.med, s.min, s.max, 1e3 / s.med, inner * 8.0 / s.med);
}

static int write_json(const char *path, const struct result *res, struct stat3 hm[2][2],
		      int trials, double secs)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "{\n  \"bench\": \"esp\",\n  \"trials\": %d,\n  \"seconds\": %.2f,\n",
		trials, secs);
	fprintf(f, "  \"openssl\": \"%s\",\n  \"unit\": \"ns per packet, encap + decap\",\n",
		OpenSSL_version(OPENSSL_VERSION));
	fprintf(f, "  \"mode\": \"tunnel, IPv4 outer, UDP-encapsulated\",\n  \"results\": [\n");
	for (size_t i = 0; i < NCONF; i++) {
		const struct result *r = &res[i];

		fprintf(f, "    {\"name\": \"%s\", \"inner_bytes\": %zu, \"target\": %.2f",
			configs[i].name, configs[i].inner, configs[i].target);
		for (int k = 0; k < 2; k++) {
			int n = nsas[k];

			fprintf(f, ",\n     \"reference_%d_ns\": %.1f, \"reference_%d_min\": %.1f, "
				"\"reference_%d_max\": %.1f, \"reference_%d_mpps\": %.3f",
				n, r->ref[k].med, n, r->ref[k].min, n, r->ref[k].max, n,
				1e3 / r->ref[k].med);
			fprintf(f, ",\n     \"ours_%d_ns\": %.1f, \"ours_%d_min\": %.1f, "
				"\"ours_%d_max\": %.1f, \"ours_%d_mpps\": %.3f, "
				"\"ratio_%d\": %.3f, \"ratio_%d_same_n\": %.3f",
				n, r->ours[k].med, n, r->ours[k].min, n, r->ours[k].max, n,
				1e3 / r->ours[k].med, n, r->ratio[k], n, r->ratio_same_n[k]);
		}
		fprintf(f, "}%s\n", i + 1 < NCONF ? "," : "");
	}
	fprintf(f, "  ],\n  \"hmac_sha256_ns\": {\"reinit_64\": %.1f, \"dup_64\": %.1f, "
		"\"reinit_1400\": %.1f, \"dup_1400\": %.1f}\n}\n", hm[0][0].med, hm[0][1].med,
		hm[1][0].med, hm[1][1].med);
	return fclose(f);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int trials = 5;
	double secs = 0.4;
	struct result res[NCONF];
	struct stat3 hm[2][2];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--trials") && i + 1 < argc) {
			trials = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			secs = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--out FILE] [--trials N] [--seconds S]\n",
				argv[0]);
			return 2;
		}
	}
	if (trials < 1 || trials > MAX_TRIALS || secs <= 0)
		die("--trials 1..15, --seconds > 0");
	if (esp_crypto_init(NULL))
		die("OpenSSL algorithms unavailable");
	printf("ESP core vs the EVP-only loop, one thread, %s; %d trials of %.2f s, "
	       "interleaved; median (min - max)\n", OpenSSL_version(OPENSSL_VERSION), trials,
	       secs);
	for (size_t i = 0; i < NCONF; i++) {
		measure(&configs[i], trials, secs, &res[i]);
		printf("%s (target >= %.0f%% of the 1-SA reference)\n", configs[i].name,
		       configs[i].target * 100);
		for (int k = 0; k < 2; k++) {
			char label[48];

			snprintf(label, sizeof(label), "EVP only, %d SA%s", nsas[k],
				 nsas[k] > 1 ? "s" : "");
			print_row(label, res[i].ref[k], configs[i].inner);
			snprintf(label, sizeof(label), "esp core, %d SA%s", nsas[k],
				 nsas[k] > 1 ? "s" : "");
			print_row(label, res[i].ours[k], configs[i].inner);
			printf("  %-22s %5.1f%% of the 1-SA reference%s; %5.1f%% of the %d-SA one\n",
			       "", res[i].ratio[k] * 100,
			       res[i].ratio[k] >= configs[i].target ? "" : " (below target)",
			       res[i].ratio_same_n[k] * 100, nsas[k]);
		}
	}
	measure_hmac(trials, secs, hm);
	printf("HMAC-SHA-256 per packet: EVP_MAC_init(ctx, NULL) re-init vs EVP_MAC_CTX_dup "
	       "of a keyed template\n");
	for (int z = 0; z < 2; z++)
		printf("  %4d B: re-init %6.1f ns, dup %6.1f ns\n", z ? 1400 : 64, hm[z][0].med,
		       hm[z][1].med);
	esp_crypto_fini();
	if (out && write_json(out, res, hm, trials, secs)) {
		fprintf(stderr, "bench_esp: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
	return 0;
}
