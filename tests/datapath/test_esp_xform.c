/* test_esp_xform.c - the Windows transform map: sizes per transform, what
 * is refused and why, key-length checks, the IV rules (GCM: the sequence
 * number; CBC: unpredictable, different per SA), and the property-query
 * failure path of the algorithm fetch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "test_esp_util.h"

static const struct {
	const char *spec;
	enum esp_kind kind;
	uint8_t iv, icv, align;
	const char *name;
} expect[] = {
	{ "aes128gcm", ESP_KIND_GCM, 8, 16, 4, "aes128gcm16" },
	{ "aes192gcm", ESP_KIND_GCM, 8, 16, 4, "aes192gcm16" },
	{ "aes256gcm-cipher-only", ESP_KIND_GCM, 8, 16, 4, "aes256gcm16" },
	{ "aes128gmac", ESP_KIND_GMAC, 8, 16, 4, "aes128gmac" },
	{ "aes256gmac", ESP_KIND_GMAC, 8, 16, 4, "aes256gmac" },
	{ "aes128-sha1", ESP_KIND_CBC_HMAC, 16, 12, 16, "aes128-sha1" },
	{ "aes192-sha256", ESP_KIND_CBC_HMAC, 16, 16, 16, "aes192-sha256" },
	{ "aes256-sha256", ESP_KIND_CBC_HMAC, 16, 16, 16, "aes256-sha256" },
	{ "aes256-md5", ESP_KIND_CBC_HMAC, 16, 12, 16, "aes256-md5" },
	{ "3des-sha1", ESP_KIND_CBC_HMAC, 8, 12, 8, "3des-sha1" },
	{ "3des-sha256", ESP_KIND_CBC_HMAC, 8, 16, 8, "3des-sha256" },
	{ "null-sha1", ESP_KIND_NULL_HMAC, 0, 12, 4, "null-sha1" },
	{ "null-sha256-fw", ESP_KIND_NULL_HMAC, 0, 16, 4, "null-sha256" },
	{ "null-md5", ESP_KIND_NULL_HMAC, 0, 12, 4, "null-md5" },
	{ "aes128-cbc-only", ESP_KIND_CBC, 16, 0, 16, "aes128" },
};

static void test_map(void **state)
{
	assert_int_equal(sizeof(expect) / sizeof(expect[0]), xf_nspecs);
	for (size_t i = 0; i < xf_nspecs; i++) {
		struct sa_xform x;
		struct esp_xform_info info;
		struct esp_xform *xf;

		assert_string_equal(expect[i].spec, xf_specs[i].name);
		xf_make(&x, &xf_specs[i], 0x100 + (uint32_t)i, (uint8_t)i);
		assert_int_equal(esp_xform_check(&x, &info, NULL), 0);
		assert_int_equal(info.kind, expect[i].kind);
		assert_int_equal(info.iv_len, expect[i].iv);
		assert_int_equal(info.icv_len, expect[i].icv);
		assert_int_equal(info.align, expect[i].align);
		assert_string_equal(info.name, expect[i].name);
		assert_int_equal(esp_xform_new(&xf, &x, false, true, NULL), 0);
		esp_xform_free(xf);
	}
}

static void test_refused(void **state)
{
	struct sa_xform x;
	const char *why = NULL;

	/* AH: ESP only. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	x.type = IPSEC_TRANSFORM_AH;
	x.auth_type = IPSEC_AUTH_SHA_1;
	x.auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -EPROTONOSUPPORT);
	assert_non_null(strstr(why, "AH"));
	/* Single DES. */
	xf_make(&x, &xf_specs[5], 0x100, 1);
	x.cipher_type = IPSEC_CIPHER_TYPE_DES;
	x.cipher_config = IPSEC_CIPHER_CONFIG_CBC_DES;
	x.cipher_key_len = 8;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -ENOTSUP);
	assert_non_null(strstr(why, "DES"));
	/* GCM cipher with an HMAC auth half. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	x.auth_type = IPSEC_AUTH_SHA_256;
	x.auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
	x.auth_key_len = 32;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -ENOTSUP);
	/* GCM with the auth half of another size. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	x.auth_type = IPSEC_AUTH_AES_256;
	x.auth_config = IPSEC_AUTH_CONFIG_GCM_AES_256;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -ENOTSUP);
	/* GCM auth key present but different. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	x.auth_key[19] ^= 1;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -EINVAL);
	/* CBC with GMAC. */
	xf_make(&x, &xf_specs[5], 0x100, 1);
	x.auth_type = IPSEC_AUTH_AES_128;
	x.auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -ENOTSUP);
	/* Unknown type and ids. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	x.type = IPSEC_TRANSFORM_TYPE_MAX;
	assert_int_equal(esp_xform_check(&x, NULL, &why), -EINVAL);
	xf_make(&x, &xf_specs[11], 0x100, 1);
	x.auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;	/* with SHA-1 type */
	assert_int_equal(esp_xform_check(&x, NULL, &why), -EINVAL);
}

/* Every transform refuses a key one byte short or long. */
static void test_key_lengths(void **state)
{
	for (size_t i = 0; i < xf_nspecs; i++) {
		for (int d = -1; d <= 1; d += 2) {
			struct sa_xform x;
			struct esp_xform *xf;

			xf_make(&x, &xf_specs[i], 0x100, 3);
			if (x.cipher_key_len)
				x.cipher_key_len = (uint8_t)(x.cipher_key_len + d);
			else
				x.auth_key_len = (uint8_t)(x.auth_key_len + d);
			assert_int_equal(esp_xform_check(&x, NULL, NULL), -EINVAL);
			assert_int_equal(esp_xform_new(&xf, &x, false, true, NULL), -EINVAL);
			assert_null(xf);
		}
	}
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void seal_iv(struct esp_xform *xf, uint64_t seq, uint8_t *iv)
{
	uint8_t buf[8 + 16 + 16 + 16] = { 0 };

	assert_int_equal(esp_xform_seal(xf, buf, 16, seq), 0);
	memcpy(iv, buf + 8, esp_xform_info(xf)->iv_len);
}

static void test_ivs(void **state)
{
	struct sa_xform x;
	struct esp_xform *a, *b;
	uint8_t iv1[16], iv2[16], iv3[16];

	/* GCM: a 64-bit big-endian counter per SA, one up per packet, from
	 * a random start: two SAs with the same key do not share IVs. */
	xf_make(&x, &xf_specs[0], 0x100, 1);
	assert_int_equal(esp_xform_new(&a, &x, true, true, NULL), 0);
	assert_int_equal(esp_xform_new(&b, &x, true, true, NULL), 0);
	seal_iv(a, 1, iv1);
	seal_iv(b, 1, iv2);
	assert_memory_not_equal(iv1, iv2, 8);
	for (int i = 0; i < 3; i++) {
		seal_iv(a, 2 + (uint64_t)i, iv3);
		assert_true(be64(iv3) == be64(iv1) + 1 + (uint64_t)i);
	}
	/* A test IV is used once; the counter then starts afresh. */
	memset(iv2, 0x5a, 8);
	esp_xform_test_set_iv(a, iv2);
	seal_iv(a, 9, iv3);
	assert_memory_equal(iv3, iv2, 8);
	seal_iv(a, 10, iv3);
	assert_memory_not_equal(iv3, iv2, 8);
	esp_xform_free(a);
	esp_xform_free(b);

	/* CBC: same keys, same numbers, two SAs: unrelated IVs; and no IV
	 * repeats or counts up within one SA. */
	xf_make(&x, &xf_specs[5], 0x100, 1);
	assert_int_equal(esp_xform_new(&a, &x, false, true, NULL), 0);
	assert_int_equal(esp_xform_new(&b, &x, false, true, NULL), 0);
	seal_iv(a, 1, iv1);
	seal_iv(b, 1, iv2);
	assert_memory_not_equal(iv1, iv2, 16);
	seal_iv(a, 2, iv3);
	assert_memory_not_equal(iv1, iv3, 16);
	assert_memory_not_equal(iv3, iv2, 16);
	esp_xform_free(a);
	esp_xform_free(b);
}

static void test_cbc_length(void **state)
{
	struct sa_xform x;
	struct esp_xform *in;
	uint8_t buf[128] = { 0 };

	xf_make(&x, &xf_specs[5], 0x100, 1);
	assert_int_equal(esp_xform_new(&in, &x, false, false, NULL), 0);
	assert_int_equal(esp_xform_open(in, buf, 15, 1), -EINVAL);
	assert_int_equal(esp_xform_open(in, buf, 32, 1), -EBADMSG);
	esp_xform_free(in);
}

/* A property query nothing satisfies ("fips=yes" where no FIPS provider is
 * installed) is reported, leaves nothing half-fetched, and a later default
 * init works. */
static void test_fetch_failure(void **state)
{
	struct sa_xform x;
	struct esp_xform *xf;
	int rc;

	esp_crypto_fini();
	rc = esp_crypto_init("fips=yes");
	if (rc == 0) {
		esp_crypto_fini();
		skip();	/* a FIPS provider is installed here */
	}
	assert_int_equal(rc, -ENOTSUP);
	assert_int_equal(esp_crypto_init("provider=no-such-provider"), -ENOTSUP);
	xf_make(&x, &xf_specs[0], 0x100, 1);
	assert_int_equal(esp_xform_new(&xf, &x, false, true, NULL), 0);	/* init(NULL) */
	esp_xform_free(xf);
	assert_int_equal(esp_crypto_init(NULL), 0);
}

static int teardown(void **state)
{
	esp_crypto_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_ivs),
		cmocka_unit_test(test_cbc_length),
		cmocka_unit_test(test_fetch_failure),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
