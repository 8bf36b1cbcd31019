/* test_esp_kat.c - known-answer tests of the ESP core against published
 * vectors, IVs injected through the test hook:
 *  - AES-GCM ESP: the fourteen AES-GCM test cases of section 4 of
 *    draft-mcgrew-gcm-test-01 (AES-128/192/256, 32-bit and 64-bit ESN
 *    sequence numbers), at the transform level, then through esp_decap and
 *    (where the vector's padding is the minimal one we emit) esp_encap;
 *  - AES-GMAC ESP: the draft's GMAC case (SPI 0x4321, seq 7);
 *  - HMAC-SHA-1-96 and HMAC-MD5-96: RFC 2202 cases 1, 3, 5; HMAC-SHA-256-
 *    128: RFC 4868 sec. 2.7.2.1 AUTH256-1..3 (the RFC 4231 cases use
 *    20-byte keys, which HMAC-SHA-256-128 ESP never has);
 *  - AES-CBC ESP: RFC 3602 sec. 4 cases 5 (transport) and 7 (tunnel),
 *    whole IPv4 packets byte for byte, both directions;
 *  - 3DES-CBC: the NIST SP 800-67 three-key example.
 * Every expected byte below is typed from those documents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "datapath/esp_ip.h"
#include "test_esp_util.h"

struct gcm_case {
	const char *label;
	bool gmac;
	const char *key, *spi, *seq, *nonce, *plain, *packet;
};

static const struct gcm_case gcm_cases[] = {
	{ "AES-128 SPI 4321 ESN", false, "4c80cdefbb5d10da906ac73c3613a634", "00004321",
	  "8765432100000000", "2e443b684956ed7e3b244cfe",
	  "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	  "00000000045f736970045f756470037369700963796265726369747902646b00"
	  "0021000101020201",
	  "00004321000000004956ed7e3b244cfe"
	  "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	  "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	  "61bc17d768fd9732459018148f6cbe722fd04796562dfdb4" },
	{ "AES-128 SPI a5f8", false, "feffe9928665731c6d6a8f9467308308", "0000a5f8",
	  "0000000a", "cafebabefacedbaddecaf888",
	  "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
	  "0001000000000000037369700963796265726369747902646b00000100010001",
	  "0000a5f80000000afacedbaddecaf888"
	  "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
	  "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1"
	  "83b70d3aa8bc6ee4c309e9d85a41ad4a" },
	{ "AES-256 SPI 4a2cbfe3", false,
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "4a2cbfe3",
	  "00000002", "112233440102030405060708",
	  "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	  "7002400020bf0000020405b40101040201020201",
	  "4a2cbfe3000000020102030405060708"
	  "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
	  "748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c49"
	  "15956c96" },
	{ "AES-128 zero key, SPI 0", false, "00000000000000000000000000000000", "00000000",
	  "00000001", "000000000000000000000000",
	  "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
	  "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "00000000000000010000000000000000"
	  "4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284"
	  "456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3"
	  "f821d496eeb096e98ad2b69e4799c71d" },
	{ "AES-128 SPI 42f67e3f ESN, ICMP", false, "3de09874b388e6491988d0c3607eae1f",
	  "42f67e3f", "1010101010101010", "57690e434e280000a2fca1a3",
	  "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
	  "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "42f67e3f101010104e280000a2fca1a3"
	  "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917"
	  "65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a"
	  "e0d731cc978ecafaeae88f00e80d6e48" },
	{ "AES-128 SPI 42f67e3f ESN, short", false, "3de09874b388e6491988d0c3607eae1f",
	  "42f67e3f", "1010101010101010", "57690e434e280000a2fca1a3",
	  "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
	  "42f67e3f101010104e280000a2fca1a3"
	  "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f"
	  "35e034be95f112e4e7d05d35" },
	{ "AES-192 SPI a5f8", false, "feffe9928665731c6d6a8f9467308308feffe9928665731c",
	  "0000a5f8", "0000000a", "cafebabefacedbaddecaf888",
	  "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
	  "501016d075680001",
	  "0000a5f80000000afacedbaddecaf888"
	  "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
	  "315b27452144cc7795457b9652037f5318027b5b4cd7a636" },
	{ "AES-128 SPI 100 ESN, UDP", false, "abbccddef00112233445566778899aab", "00000100",
	  "0000000000000001", "decaf888cafedebaceface74",
	  "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
	  "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
	  "9b6266c04722b14923010101",
	  "0000010000000001cafedebaceface74"
	  "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f"
	  "9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22"
	  "6f2127b27db35724e7845d68651f57e65f354f75ff17015769623436" },
	{ "AES-256 SPI 17405e67 ESN, TCP", false,
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "17405e67",
	  "156f3126dd0db99b", "73616c74616e640169766563",
	  "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
	  "50101f646d540001",
	  "17405e67dd0db99b616e640169766563"
	  "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f"
	  "f4d3a31ce673119e451626c2415771e3b7eebca614c89b35" },
	{ "AES-128 SPI 42f67e3f ESN, UDP", false, "3de09874b388e6491988d0c3607eae1f",
	  "42f67e3f", "1010101010101010", "57690e434e280000a2fca1a3",
	  "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b"
	  "000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32"
	  "5ae270c03899493915010101",
	  "42f67e3f101010104e280000a2fca1a3"
	  "fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d541828"
	  "00cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39"
	  "ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2" },
	{ "AES-256 SPI 17405e67 ESN, text", false,
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "17405e67",
	  "156f3126dd0db99b", "73616c74616e640169766563",
	  "636973636f0172756c65730174686501" "6e6574776501646566696e6501746865"
	  "746563686e6f6c6f6769657301746861" "7477696c6c01646566696e65746f6d6f"
	  "72726f7701020201",
	  "17405e67dd0db99b616e640169766563"
	  "d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18"
	  "d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b0"
	  "12a49363412364f8c0cac587f249e56b11e24f30e44ccc76" },
	{ "AES-128 SPI 335467ae seq ffffffff, trailer only", false,
	  "7d773d00c144c525ac619d18c84a3f47", "335467ae", "ffffffff",
	  "d966426743457e9182443bc6", "01020201",
	  "335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c4504bef270" },
	{ "AES-128 SPI 100 ESN, text", false, "abbccddef00112233445566778899aab", "00000100",
	  "0000000000000001", "decaf888cafedebaceface74",
	  "746f016265016f72016e6f7401746f0162650001",
	  "0000010000000001cafedebaceface74"
	  "29c9fc69a197d038ccdd14e2ddfcaa054333216441250352"
	  "4303ed3c6c5f283843af8c3e" },
	{ "AES-256 SPI 796b6963 ESN ffffffffffffffff", false,
	  "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961", "796b6963",
	  "ffffffffffffffff", "7475726e333021696765746d",
	  "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	  "65666768696a6b6c6d6e6f707172737401020201",
	  "796b6963ffffffff333021696765746d"
	  "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86"
	  "4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a32"
	  "9fb4c053" },
	/* GMAC: the payload travels in clear, all of it authenticated. */
	{ "GMAC AES-128 SPI 4321", true, "4c80cdefbb5d10da906ac73c3613a634", "00004321",
	  "00000007", "22433c640000000000000000",
	  "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	  "65666768696a6b6c6d6e6f707172737401020201",
	  "00004321000000070000000000000000"
	  "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	  "65666768696a6b6c6d6e6f707172737401020201"
	  "f2a9a836e155106aa8dcd618e4099aaa" },
};

struct vec {
	uint8_t key[36], nonce[12], plain[256], packet[320], spi[4], seqb[8];
	size_t key_len, plain_len, packet_len, seq_len;
	uint32_t spi32;
	uint64_t seq;
	bool esn;
};

static void load(const struct gcm_case *c, struct vec *v)
{
	memset(v, 0, sizeof(*v));
	v->key_len = hex(v->key, 32, c->key);
	assert_int_equal(hex(v->nonce, 12, c->nonce), 12);
	memcpy(v->key + v->key_len, v->nonce, 4);	/* key || salt */
	v->key_len += 4;
	v->plain_len = hex(v->plain, sizeof(v->plain), c->plain);
	v->packet_len = hex(v->packet, sizeof(v->packet), c->packet);
	assert_int_equal(hex(v->spi, 4, c->spi), 4);
	v->spi32 = (uint32_t)v->spi[0] << 24 | v->spi[1] << 16 | v->spi[2] << 8 | v->spi[3];
	v->seq_len = hex(v->seqb, 8, c->seq);
	v->esn = v->seq_len == 8;
	for (size_t i = 0; i < v->seq_len; i++)
		v->seq = v->seq << 8 | v->seqb[i];
}

static void gcm_xform(struct sa_xform *x, const struct vec *v, bool gmac)
{
	uint8_t idx = (uint8_t)((v->key_len - 4 - 16) / 8);	/* 0, 1, 2 */

	memset(x, 0, sizeof(*x));
	x->spi = v->spi32;
	if (gmac) {
		x->type = IPSEC_TRANSFORM_ESP_AUTH;
	} else {
		x->type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
		x->cipher_type = (uint8_t)(IPSEC_CIPHER_TYPE_AES_128 + idx);
		x->cipher_config = (uint8_t)(IPSEC_CIPHER_CONFIG_GCM_AES_128 + idx);
		x->cipher_key_len = (uint8_t)v->key_len;
		memcpy(x->cipher_key, v->key, v->key_len);
	}
	/* Windows passes key+salt as the auth key too. */
	x->auth_type = (uint8_t)(IPSEC_AUTH_AES_128 + idx);
	x->auth_config = (uint8_t)(IPSEC_AUTH_CONFIG_GCM_AES_128 + idx);
	x->auth_key_len = (uint8_t)v->key_len;
	memcpy(x->auth_key, v->key, v->key_len);
}

/* Transform level: seal must produce the published packet, open must give
 * the published plaintext back, and one flipped bit must fail. */
static void gcm_xform_level(const struct gcm_case *c, const struct vec *v)
{
	struct sa_xform x;
	struct esp_xform *out, *in;
	uint8_t buf[320];
	size_t plen = v->plain_len;

	gcm_xform(&x, v, c->gmac);
	assert_int_equal(esp_xform_new(&out, &x, v->esn, true, NULL), 0);
	assert_int_equal(esp_xform_new(&in, &x, v->esn, false, NULL), 0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, v->packet, 8);	/* SPI, seq_lo */
	memcpy(buf + 16, v->plain, plen);
	esp_xform_test_set_iv(out, v->nonce + 4);
	assert_int_equal(esp_xform_seal(out, buf, plen, v->seq), 0);
	assert_int_equal(16 + plen + 16, v->packet_len);
	if (memcmp(buf, v->packet, v->packet_len))
		fail_msg("%s: sealed packet differs from the vector", c->label);

	memcpy(buf, v->packet, v->packet_len);
	assert_int_equal(esp_xform_open(in, buf, plen, v->seq), 0);
	assert_memory_equal(buf + 16, v->plain, plen);
	/* With ESN, the inferred high half is authenticated too. */
	memcpy(buf, v->packet, v->packet_len);
	if (v->esn)
		assert_int_equal(esp_xform_open(in, buf, plen, v->seq ^ (1ull << 40)), -EBADMSG);
	memcpy(buf, v->packet, v->packet_len);
	buf[v->packet_len / 2] ^= 0x10;
	assert_int_equal(esp_xform_open(in, buf, plen, v->seq), -EBADMSG);
	esp_xform_free(out);
	esp_xform_free(in);
}

static size_t wrap_ip4(uint8_t *p, uint8_t proto, const uint8_t *payload, size_t len)
{
	size_t tot = 20 + len;
	uint16_t c;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, addr4_a, 4);
	memcpy(p + 16, addr4_b, 4);
	c = (uint16_t)~ref_sum(p, 20, 0);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	memcpy(p + 20, payload, len);
	return tot;
}

/* Packet level: the vector's ESP packet in an IPv4 header through
 * esp_parse_ip and esp_decap (transport mode), and back through esp_encap
 * when the vector's padding is the one we would choose. */
static bool gcm_packet_level(const struct gcm_case *c, const struct vec *v)
{
	struct esp_sa_config cfg = { .mode = ESP_TRANSPORT, .esn = v->esn };
	struct sa_xform x;
	struct esp_sa *out, *in;
	struct esp_in pin;
	struct esp_in_result res;
	uint8_t mem[TBUF], *pkt = mem + ESP_MAX_OVERHEAD, pad, nh;
	struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };
	size_t data;
	bool encap = false;

	if (v->spi32 == 0)
		return false;	/* SPI 0 never reaches an SA (RFC 4303 sec. 2.1) */
	gcm_xform(&x, v, c->gmac);
	assert_int_equal(sa_pair(&out, &in, &x, &cfg), 0);
	pad = v->plain[v->plain_len - 2];
	nh = v->plain[v->plain_len - 1];
	data = v->plain_len - 2 - pad;

	b.len = wrap_ip4(pkt, IPPROTO_ESP, v->packet, v->packet_len);
	assert_int_equal(esp_parse_ip(pkt, b.len, &pin), ESP_PARSE_ESP);
	assert_int_equal(pin.spi, v->spi32);
	assert_int_equal(pin.seq_lo, (uint32_t)v->seq);
	if (v->seq > 1)
		esp_sa_test_replay(in)->top = v->seq - 1;
	assert_int_equal(esp_decap(in, &b, &pin, &res), 0);
	assert_int_equal(res.next_header, nh);
	assert_int_equal(res.len, 20 + data);
	assert_int_equal(mem[res.off + 9], nh);
	assert_memory_equal(mem + res.off + 20, v->plain, data);
	/* The same packet again is a replay. */
	b.off = ESP_MAX_OVERHEAD;
	b.len = wrap_ip4(pkt, IPPROTO_ESP, v->packet, v->packet_len);
	assert_int_equal(esp_decap(in, &b, &pin, &res), -EALREADY);

	if (pad == (4 - (data + 2) % 4) % 4) {
		b.off = ESP_MAX_OVERHEAD;
		b.len = wrap_ip4(pkt, nh, v->plain, data);
		esp_sa_test_seq(out)->next = v->seq;
		esp_xform_test_set_iv(esp_sa_test_xform(out), v->nonce + 4);
		assert_true(esp_encap(out, &b, NULL) >= 0);
		assert_int_equal(b.len, 20 + v->packet_len);
		assert_int_equal(mem[b.off + 9], IPPROTO_ESP);
		if (memcmp(mem + b.off + 20, v->packet, v->packet_len))
			fail_msg("%s: encapsulated packet differs from the vector", c->label);
		encap = true;
	}
	esp_sa_free(out);
	esp_sa_free(in);
	return encap;
}

static void test_gcm_gmac(void **state)
{
	int encap_checked = 0;

	for (size_t i = 0; i < sizeof(gcm_cases) / sizeof(gcm_cases[0]); i++) {
		struct vec v;

		load(&gcm_cases[i], &v);
		gcm_xform_level(&gcm_cases[i], &v);
		encap_checked += gcm_packet_level(&gcm_cases[i], &v);
	}
	/* Every vector with a non-zero SPI uses minimal padding. */
	assert_int_equal(encap_checked, 14);
}

/* ---- HMAC ---- */

struct hmac_case {
	uint8_t auth_type, config, key_len, key_byte;
	const char *key_text;	/* when the key is text */
	const char *data;	/* text, or NULL: 50 bytes of 0xdd */
	const char *digest;	/* the RFC's full digest */
};

static const struct hmac_case hmac_cases[] = {
	/* RFC 2202 HMAC-SHA-1 test cases 1, 3, 5. */
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20, 0x0b, NULL, "Hi There",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20, 0xaa, NULL, NULL,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20, 0x0c, NULL,
	  "Test With Truncation", "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	/* RFC 2202 HMAC-MD5 test cases 1, 3, 5. */
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16, 0x0b, NULL, "Hi There",
	  "9294727a3638bb1c13f48ef8158bfc9d" },
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16, 0xaa, NULL, NULL,
	  "56be34521d144c88dbb8c733f0e8b3f6" },
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16, 0x0c, NULL,
	  "Test With Truncation", "56461ef2342edc00f9bab995690efd4c" },
	/* RFC 4868 sec. 2.7.2.1 AUTH256-1, -2, -3 (32-byte keys). */
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32, 0x0b, NULL, "Hi There",
	  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32, 0,
	  "JefeJefeJefeJefeJefeJefeJefeJefe", "what do ya want for nothing?",
	  "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6" },
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32, 0xaa, NULL, NULL,
	  "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0" },
};

/* NULL encryption: the ICV covers the whole "ESP packet", here the RFC's
 * message (its first 8 bytes standing for SPI and sequence number). */
static void test_hmac(void **state)
{
	for (size_t i = 0; i < sizeof(hmac_cases) / sizeof(hmac_cases[0]); i++) {
		const struct hmac_case *c = &hmac_cases[i];
		struct sa_xform x = { .spi = 0x1000, .type = IPSEC_TRANSFORM_ESP_AUTH };
		struct esp_xform *out, *in;
		uint8_t msg[128], digest[32];
		size_t len, icv;

		x.auth_type = c->auth_type;
		x.auth_config = c->config;
		x.auth_key_len = c->key_len;
		if (c->key_text)
			memcpy(x.auth_key, c->key_text, c->key_len);
		else
			memset(x.auth_key, c->key_byte, c->key_len);
		if (c->data) {
			len = strlen(c->data);
			memcpy(msg, c->data, len);
		} else {
			len = 50;
			memset(msg, 0xdd, len);
		}
		hex(digest, sizeof(digest), c->digest);
		assert_int_equal(esp_xform_new(&out, &x, false, true, NULL), 0);
		assert_int_equal(esp_xform_new(&in, &x, false, false, NULL), 0);
		icv = esp_xform_info(out)->icv_len;
		assert_int_equal(icv, c->auth_type == IPSEC_AUTH_SHA_256 ? 16 : 12);
		assert_int_equal(esp_xform_seal(out, msg, len - 8, 1), 0);
		assert_memory_equal(msg + len, digest, icv);
		assert_int_equal(esp_xform_open(in, msg, len - 8, 1), 0);
		msg[len + icv - 1] ^= 1;
		assert_int_equal(esp_xform_open(in, msg, len - 8, 1), -EBADMSG);
		esp_xform_free(out);
		esp_xform_free(in);
	}
}

/* ---- RFC 3602 ---- */

static void cbc_only(struct sa_xform *x, uint32_t spi, const char *key)
{
	memset(x, 0, sizeof(*x));
	x->spi = spi;
	x->type = IPSEC_TRANSFORM_ESP_CIPHER;
	x->cipher_type = IPSEC_CIPHER_TYPE_AES_128;
	x->cipher_config = IPSEC_CIPHER_CONFIG_CBC_AES_128;
	x->cipher_key_len = (uint8_t)hex(x->cipher_key, 16, key);
}

/* Encapsulates plain with the IV injected and compares with the published
 * packet, then decapsulates the published packet back to plain. */
static void rfc3602_case(const struct esp_sa_config *base, uint32_t spi, const char *key,
			 uint64_t seq, uint16_t ip_id, const char *iv_hex,
			 const char *plain_hex, const char *esp_hex)
{
	struct sa_xform x;
	struct esp_sa *out, *in;
	uint8_t mem[TBUF], plain[256], esp[256], iv[16];
	struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };
	struct esp_in pin;
	struct esp_in_result res;
	size_t plen, elen;

	cbc_only(&x, spi, key);
	hex(iv, 16, iv_hex);
	plen = hex(plain, sizeof(plain), plain_hex);
	elen = hex(esp, sizeof(esp), esp_hex);
	assert_int_equal(sa_pair(&out, &in, &x, base), 0);

	memcpy(mem + b.off, plain, plen);
	b.len = plen;
	esp_sa_test_seq(out)->next = seq;
	esp_sa_test_set_ip_id(out, ip_id);
	esp_xform_test_set_iv(esp_sa_test_xform(out), iv);
	assert_int_equal(esp_encap(out, &b, NULL), 0);
	assert_int_equal(b.len, elen);
	assert_memory_equal(mem + b.off, esp, elen);

	b.off = ESP_MAX_OVERHEAD;
	b.len = elen;
	memcpy(mem + b.off, esp, elen);
	assert_int_equal(esp_parse_ip(mem + b.off, b.len, &pin), ESP_PARSE_ESP);
	assert_int_equal(pin.spi, spi);
	assert_int_equal(esp_decap(in, &b, &pin, &res), 0);
	assert_int_equal(res.len, plen);
	assert_memory_equal(mem + res.off, plain, plen);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_rfc3602(void **state)
{
	struct esp_sa_config transport = { .mode = ESP_TRANSPORT };
	struct esp_sa_config tunnel = { .mode = ESP_TUNNEL, .outer_version = 4,
					.outer_src = { 192, 168, 123, 3 },
					.outer_dst = { 192, 168, 123, 200 } };

	/* Case #5: transport-mode ESP packet (ping 192.168.123.100). */
	rfc3602_case(&transport, 0x4321, "90d382b410eeba7ad938c46cec1a82bf", 1, 0,
		     "e96e8c08ab465763fd098d45dd3ff893",
		     "4500005408f200004001f9fec0a87b03c0a87b64"
		     "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
		     "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
		     "4500007c08f200004032f9a5c0a87b03c0a87b64"
		     "0000432100000001e96e8c08ab465763fd098d45dd3ff893"
		     "f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
		     "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
		     "a269add047ad2d5913ac19b7cfbad4a6");
	/* Case #7: tunnel-mode ESP packet to 192.168.123.200. */
	rfc3602_case(&tunnel, 0x8765, "0123456789abcdef0123456789abcdef", 2, 0x0905,
		     "f4e765244f6407adf13dc1380f673f37",
		     "4500005409040000" "4001f988c0a87b03c0a87bc808009f76a90a0100b49c083d"
		     "02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
		     "2425262728292a2b2c2d2e2f3031323334353637",
		     "4500008c090500004032f91ec0a87b03c0a87bc8"
		     "0000876500000002f4e765244f6407adf13dc1380f673f37"
		     "773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8"
		     "e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5"
		     "c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d");
}

/* NIST SP 800-67 (three keys, "The qufck brown fox jump"): ECB blocks
 * C1..C3. CBC with a zero IV gives C1 for P1; feeding P2 ^ C1 and P3 ^ C2
 * as the next blocks makes CBC produce exactly C2 and C3. */
static void test_3des(void **state)
{
	struct sa_xform x = { .spi = 0x2000, .type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
			      .auth_type = IPSEC_AUTH_SHA_1,
			      .auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, .auth_key_len = 20,
			      .cipher_type = IPSEC_CIPHER_TYPE_3DES,
			      .cipher_config = IPSEC_CIPHER_CONFIG_CBC_3DES };
	uint8_t p[24], c[24], buf[8 + 8 + 24 + 12] = { 0 }, zero[8] = { 0 };
	struct esp_xform *out, *in;

	x.cipher_key_len = (uint8_t)hex(x.cipher_key, 24,
					"0123456789abcdef23456789abcdef01456789abcdef0123");
	memset(x.auth_key, 0x42, 20);
	hex(p, 24, "5468652071756663" "6b2062726f776e20" "666f78206a756d70");
	hex(c, 24, "a826fd8ce53b855f" "cce21c8112256fe6" "68d5c05dd9b6b900");
	for (int i = 0; i < 8; i++) {
		buf[16 + i] = p[i];
		buf[24 + i] = p[8 + i] ^ c[i];
		buf[32 + i] = p[16 + i] ^ c[8 + i];
	}
	assert_int_equal(esp_xform_new(&out, &x, false, true, NULL), 0);
	assert_int_equal(esp_xform_new(&in, &x, false, false, NULL), 0);
	esp_xform_test_set_iv(out, zero);
	assert_int_equal(esp_xform_seal(out, buf, 24, 1), 0);
	assert_memory_equal(buf + 16, c, 24);
	assert_int_equal(esp_xform_open(in, buf, 24, 1), 0);
	assert_memory_equal(buf + 16, p, 8);
	esp_xform_free(out);
	esp_xform_free(in);
}

static int teardown(void **state)
{
	esp_crypto_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcm_gmac),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_rfc3602),
		cmocka_unit_test(test_3des),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
