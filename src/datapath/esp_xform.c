/* esp_xform.c - Windows transforms to OpenSSL 3 EVP, one keyed context per
 * SA direction. See esp_xform.h for the contract. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "datapath/esp_xform.h"

/* ---- process-wide algorithms ----
 * EVP_CIPHER_fetch costs ~190 ns, several times a GCM packet's fixed cost,
 * so everything is fetched once and shared read-only by all contexts. */

enum { A_GCM128, A_GCM192, A_GCM256, A_CBC128, A_CBC192, A_CBC256, A_3DES,
       A_NCIPHERS };

static const char *const cipher_names[A_NCIPHERS] = {
	"AES-128-GCM", "AES-192-GCM", "AES-256-GCM", "AES-128-CBC",
	"AES-192-CBC", "AES-256-CBC", "DES-EDE3-CBC",
};

static pthread_mutex_t algs_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool algs_ready;
static struct {
	EVP_CIPHER *cipher[A_NCIPHERS];
	EVP_MAC *hmac;
	char *propq;
} algs;

static void algs_release(void)
{
	for (int i = 0; i < A_NCIPHERS; i++) {
		EVP_CIPHER_free(algs.cipher[i]);
		algs.cipher[i] = NULL;
	}
	EVP_MAC_free(algs.hmac);
	algs.hmac = NULL;
	free(algs.propq);
	algs.propq = NULL;
}

int esp_crypto_init(const char *propq)
{
	int rc = 0;

	if (atomic_load_explicit(&algs_ready, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&algs_lock);
	if (atomic_load_explicit(&algs_ready, memory_order_relaxed))
		goto out;
	if (propq && !(algs.propq = strdup(propq))) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < A_NCIPHERS; i++)
		if (!(algs.cipher[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], propq)))
			rc = -ENOTSUP;
	if (!(algs.hmac = EVP_MAC_fetch(NULL, "HMAC", propq)))
		rc = -ENOTSUP;
	if (rc) {
		ERR_clear_error();
		algs_release();
		goto out;
	}
	atomic_store_explicit(&algs_ready, true, memory_order_release);
out:
	pthread_mutex_unlock(&algs_lock);
	return rc;
}

void esp_crypto_fini(void)
{
	pthread_mutex_lock(&algs_lock);
	atomic_store_explicit(&algs_ready, false, memory_order_relaxed);
	algs_release();
	pthread_mutex_unlock(&algs_lock);
}

/* ---- the transform map ---- */

struct auth_alg {
	uint8_t type, config, key_len, icv_len;
	bool gmac;
	const char *digest;	/* HMAC digest, or NULL for GMAC */
	int gcm;		/* A_GCM*, for GMAC */
};

/* IPSEC_AUTH_TYPE x IPSEC_AUTH_CONFIG; GMAC keys carry a 4-byte salt. */
static const struct auth_alg auth_algs[] = {
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16, 12, false, "MD5", 0 },
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20, 12, false, "SHA1", 0 },
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32, 16, false, "SHA256", 0 },
	{ IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20, 16, true, NULL, A_GCM128 },
	{ IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192, 28, 16, true, NULL, A_GCM192 },
	{ IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256, 36, 16, true, NULL, A_GCM256 },
};

struct cipher_alg {
	uint8_t type, config, key_len, iv_len, block;
	bool gcm;
	int alg;		/* A_*, or -1: refused */
};

static const struct cipher_alg cipher_algs[] = {
	/* Single DES needs OpenSSL's legacy provider and is broken: refused. */
	{ IPSEC_CIPHER_TYPE_DES, IPSEC_CIPHER_CONFIG_CBC_DES, 8, 8, 8, false, -1 },
	{ IPSEC_CIPHER_TYPE_3DES, IPSEC_CIPHER_CONFIG_CBC_3DES, 24, 8, 8, false, A_3DES },
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128, 16, 16, 16, false, A_CBC128 },
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_CBC_AES_192, 24, 16, 16, false, A_CBC192 },
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_CBC_AES_256, 32, 16, 16, false, A_CBC256 },
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128, 20, 8, 4, true, A_GCM128 },
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_GCM_AES_192, 28, 8, 4, true, A_GCM192 },
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256, 36, 8, 4, true, A_GCM256 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct auth_alg *find_auth(const struct sa_xform *x)
{
	for (size_t i = 0; i < NELEM(auth_algs); i++)
		if (auth_algs[i].type == x->auth_type && auth_algs[i].config == x->auth_config)
			return &auth_algs[i];
	return NULL;
}

static const struct cipher_alg *find_cipher(const struct sa_xform *x)
{
	for (size_t i = 0; i < NELEM(cipher_algs); i++)
		if (cipher_algs[i].type == x->cipher_type &&
		    cipher_algs[i].config == x->cipher_config)
			return &cipher_algs[i];
	return NULL;
}

static const char *const gcm_names[3] = { "aes128gcm16", "aes192gcm16", "aes256gcm16" };
static const char *const gmac_names[3] = { "aes128gmac", "aes192gmac", "aes256gmac" };
/* [cipher: 3des, aes128, aes192, aes256][mac: md5, sha1, sha256] */
static const char *const cbc_names[4][3] = {
	{ "3des-md5", "3des-sha1", "3des-sha256" },
	{ "aes128-md5", "aes128-sha1", "aes128-sha256" },
	{ "aes192-md5", "aes192-sha1", "aes192-sha256" },
	{ "aes256-md5", "aes256-sha1", "aes256-sha256" },
};
static const char *const cbc_only_names[4] = { "3des", "aes128", "aes192", "aes256" };

static int refuse(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* The whole map in one place; resolves the algorithms too. */
static int resolve(const struct sa_xform *x, struct esp_xform_info *info,
		   const struct auth_alg **pa, const struct cipher_alg **pc,
		   const char **why)
{
	const struct auth_alg *a = NULL;
	const struct cipher_alg *c = NULL;

	memset(info, 0, sizeof(*info));
	switch (x->type) {
	case IPSEC_TRANSFORM_AH:
		return refuse(why, "AH is not supported: this datapath implements ESP only",
			      -EPROTONOSUPPORT);
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		if (!(a = find_auth(x)))
			return refuse(why, "unknown authentication transform", -EINVAL);
		if (x->auth_key_len != a->key_len)
			return refuse(why, "authentication key length does not match the transform",
				      -EINVAL);
		info->kind = a->gmac ? ESP_KIND_GMAC : ESP_KIND_NULL_HMAC;
		info->iv_len = a->gmac ? 8 : 0;
		info->icv_len = a->icv_len;
		info->align = 4;
		info->cipher_key_len = a->gmac ? a->key_len - 4 : 0;
		info->name = a->gmac ? gmac_names[a->type - IPSEC_AUTH_AES_128] :
			a->type == IPSEC_AUTH_MD5 ? "null-md5" :
			a->type == IPSEC_AUTH_SHA_1 ? "null-sha1" : "null-sha256";
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		if (!(c = find_cipher(x)))
			return refuse(why, "unknown cipher transform", -EINVAL);
		if (c->alg < 0)
			return refuse(why, "DES is not supported (insecure; OpenSSL's legacy provider only)",
				      -ENOTSUP);
		if (x->cipher_key_len != c->key_len)
			return refuse(why, "cipher key length does not match the transform", -EINVAL);
		info->iv_len = c->iv_len;
		info->align = c->block;
		info->cipher_key_len = c->gcm ? c->key_len - 4 : c->key_len;
		if (c->gcm) {
			info->kind = ESP_KIND_GCM;
			info->icv_len = 16;
			info->name = gcm_names[c->alg - A_GCM128];
			if (x->type == IPSEC_TRANSFORM_ESP_CIPHER)
				break;
			/* Windows names GCM twice: the auth half must be the
			 * same GCM size, with no key or the same key+salt. */
			a = find_auth(x);
			if (!a || !a->gmac || a->gcm != c->alg)
				return refuse(why, "GCM cipher needs the matching GCM auth transform",
					      -ENOTSUP);
			if (x->auth_key_len &&
			    (x->auth_key_len != x->cipher_key_len ||
			     CRYPTO_memcmp(x->auth_key, x->cipher_key, x->cipher_key_len)))
				return refuse(why, "GCM auth key differs from the cipher key", -EINVAL);
			a = NULL;
			break;
		}
		if (x->type == IPSEC_TRANSFORM_ESP_CIPHER) {
			/* RFC 4303 allows it; the engine refuses it above us. */
			info->kind = ESP_KIND_CBC;
			info->name = cbc_only_names[c->alg == A_3DES ? 0 : c->alg - A_CBC128 + 1];
			break;
		}
		a = find_auth(x);
		if (!a)
			return refuse(why, "unknown authentication transform", -EINVAL);
		if (a->gmac)
			return refuse(why, "GMAC cannot be combined with a CBC cipher", -ENOTSUP);
		if (x->auth_key_len != a->key_len)
			return refuse(why, "authentication key length does not match the transform",
				      -EINVAL);
		info->kind = ESP_KIND_CBC_HMAC;
		info->icv_len = a->icv_len;
		info->name = cbc_names[c->alg == A_3DES ? 0 : c->alg - A_CBC128 + 1][a->type];
		break;
	default:
		return refuse(why, "unknown transform type", -EINVAL);
	}
	*pa = a;
	*pc = c;
	return 0;
}

int esp_xform_check(const struct sa_xform *x, struct esp_xform_info *info,
		    const char **why)
{
	const struct auth_alg *a;
	const struct cipher_alg *c;
	struct esp_xform_info tmp;

	return resolve(x, info ? info : &tmp, &a, &c, why);
}

/* ---- keyed contexts ---- */

struct esp_xform {
	struct esp_xform_info info;
	bool esn, outbound, test_iv;
	bool iv_ready;			/* GCM/GMAC outbound: next_iv is set */
	uint8_t salt[4];
	uint8_t next_iv[8];		/* GCM/GMAC outbound: the provider's next */
	uint8_t iv_next[ESP_MAX_IV];	/* test hook */
	EVP_CIPHER_CTX *cipher;		/* GCM, GMAC or CBC */
	EVP_MAC_CTX *mac;		/* HMAC, key set once */
};

const struct esp_xform_info *esp_xform_info(const struct esp_xform *x)
{
	return &x->info;
}

size_t esp_xform_size(void)
{
	return sizeof(struct esp_xform);
}

void esp_xform_fini(struct esp_xform *x)
{
	/* EVP_*_free cleanse the key schedules. */
	EVP_CIPHER_CTX_free(x->cipher);
	EVP_MAC_CTX_free(x->mac);
	OPENSSL_cleanse(x, sizeof(*x));
}

void esp_xform_free(struct esp_xform *x)
{
	if (!x)
		return;
	esp_xform_fini(x);
	free(x);
}

/* CBC pads itself (ESP's trailer): padding off. Not for GCM: OpenSSL 3.0
 * passes a context's no-padding flag to the provider again on every
 * EVP_CipherInit_ex2, a parameter call per packet (stream modes ignore it). */
static EVP_CIPHER_CTX *cipher_ctx(int alg, const uint8_t *key, bool enc, bool pad_off)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, algs.cipher[alg], key, NULL, enc, NULL) ||
	    (pad_off && !EVP_CIPHER_CTX_set_padding(ctx, 0))) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static EVP_MAC_CTX *hmac_ctx(const char *digest, const uint8_t *key, size_t len)
{
	EVP_MAC_CTX *m = EVP_MAC_CTX_new(algs.hmac);
	OSSL_PARAM params[3], *p = params;

	if (!m)
		return NULL;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	if (algs.propq)
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES,
							algs.propq, 0);
	*p = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(m, key, len, params)) {
		EVP_MAC_CTX_free(m);
		return NULL;
	}
	return m;
}

/* Outbound CBC IVs must be unpredictable (RFC 3602 sec. 3): an attacker
 * who can guess the next IV can test guesses about plaintext blocks. They
 * come from OpenSSL's CSPRNG, drawn 4 KiB at a time into a per-thread
 * pool: one RAND_bytes call serves 256 AES IVs, no lock is shared, and no
 * per-SA state is touched. (An AES-ECB encryption of the sequence number
 * under a per-SA random key was measured too: its extra keyed context per
 * SA cost cache misses with 10k SAs.) IVs are public: the pool needs no
 * wiping. */
static _Thread_local struct {
	size_t used;
	uint8_t bytes[4096];
} iv_pool = { .used = 4096 };

static int random_iv(uint8_t *iv, size_t n)
{
	if (iv_pool.used + n > sizeof(iv_pool.bytes)) {
		if (RAND_bytes(iv_pool.bytes, sizeof(iv_pool.bytes)) != 1)
			return -EIO;
		iv_pool.used = 0;
	}
	memcpy(iv, iv_pool.bytes + iv_pool.used, n);
	iv_pool.used += n;
	return 0;
}

/* GCM/GMAC nonces without a re-initialisation per packet.
 *
 * EVP_CipherInit_ex2 with a new nonce costs OpenSSL 3.0 two provider
 * parameter calls per packet (the IV length is asked for anew each time),
 * each a run of string compares; with the tag's ctrl that was about 40%
 * of a 1400-byte packet's EVP cost. The provider's IV generator (made for
 * TLS) does the same work in one call: the salt is set once as its fixed
 * field; outbound, the provider draws a random 8-byte invocation field
 * and counts it up by one per packet, handing out each IV (with the tag
 * of the packet before, in the same call); inbound, the packet's IV is
 * set as the invocation field together with the expected tag.
 *
 * Outbound IVs are therefore a counter from a random start, not the
 * sequence number: RFC 4106 sec. 3.1 asks only that an IV never repeat
 * under a key, and a 64-bit counter does not within an SA's life. */
static int gcm_fix_salt(struct esp_xform *x)
{
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED,
						  x->salt, 4),
		OSSL_PARAM_construct_end(),
	};

	x->iv_ready = false;
	return EVP_CIPHER_CTX_set_params(x->cipher, p) ? 0 : -EIO;
}

/* Outbound: the tag of the packet just finished (when tag is not NULL)
 * and the next IV, which also resets the GCM state for it. */
static int gcm_next(struct esp_xform *x, uint8_t *tag)
{
	OSSL_PARAM p[3], *q = p;

	if (tag)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN,
						 x->next_iv, 8);
	*q = OSSL_PARAM_construct_end();
	x->iv_ready = EVP_CIPHER_CTX_get_params(x->cipher, p) == 1;
	return x->iv_ready ? 0 : -EIO;
}

/* Inbound: the packet's IV and the tag to check, in one call. */
static int gcm_set_iv_tag(struct esp_xform *x, const uint8_t *iv, const uint8_t *tag)
{
	/* Both are only read (OSSL_PARAM has no const variant). */
	OSSL_PARAM p[3] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, 16),
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
						  (void *)iv, 8),
		OSSL_PARAM_construct_end(),
	};

	return EVP_CIPHER_CTX_set_params(x->cipher, p) ? 0 : -EIO;
}

int esp_xform_init(struct esp_xform *x, const struct sa_xform *sx, bool esn,
		   bool outbound, const char **why)
{
	const struct auth_alg *a;
	const struct cipher_alg *c;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = esp_crypto_init(NULL);
	if (rc)
		return refuse(why, "OpenSSL algorithms unavailable", rc);
	rc = resolve(sx, &x->info, &a, &c, why);
	if (rc)
		return rc;
	x->esn = esn;
	x->outbound = outbound;
	switch (x->info.kind) {
	case ESP_KIND_GCM:
		/* RFC 4106 sec. 8.1: the salt is the last 4 bytes of the key. */
		memcpy(x->salt, sx->cipher_key + c->key_len - 4, 4);
		if (!(x->cipher = cipher_ctx(c->alg, sx->cipher_key, outbound, false)) ||
		    gcm_fix_salt(x))
			goto err;
		break;
	case ESP_KIND_GMAC:
		memcpy(x->salt, sx->auth_key + a->key_len - 4, 4);
		if (!(x->cipher = cipher_ctx(a->gcm, sx->auth_key, outbound, false)) ||
		    gcm_fix_salt(x))
			goto err;
		break;
	case ESP_KIND_CBC_HMAC:
	case ESP_KIND_CBC:
		if (!(x->cipher = cipher_ctx(c->alg, sx->cipher_key, outbound, true)))
			goto err;
		if (x->info.kind == ESP_KIND_CBC)
			break;
		/* fall through */
	case ESP_KIND_NULL_HMAC:
		if (!(x->mac = hmac_ctx(a->digest, sx->auth_key, a->key_len)))
			goto err;
		break;
	}
	return 0;
err:
	ERR_clear_error();
	esp_xform_fini(x);
	return refuse(why, "OpenSSL refused the key", -EIO);
}

int esp_xform_new(struct esp_xform **out, const struct sa_xform *sx, bool esn,
		  bool outbound, const char **why)
{
	struct esp_xform *x = malloc(sizeof(*x));
	int rc;

	*out = NULL;
	if (!x)
		return -ENOMEM;
	rc = esp_xform_init(x, sx, esn, outbound, why);
	if (rc) {
		free(x);
		return rc;
	}
	*out = x;
	return 0;
}

void esp_xform_test_set_iv(struct esp_xform *x, const uint8_t *iv)
{
	memcpy(x->iv_next, iv, x->info.iv_len);
	x->test_iv = true;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* CBC and NULL: the IV (GCM and GMAC: aead_seal). */
static int make_iv(struct esp_xform *x, uint8_t *iv)
{
	if (x->test_iv) {
		memcpy(iv, x->iv_next, x->info.iv_len);
		x->test_iv = false;
		return 0;
	}
	if (x->info.kind == ESP_KIND_NULL_HMAC)
		return 0;
	return random_iv(iv, x->info.iv_len);
}

/* AAD of RFC 4106 sec. 5: SPI, then seq_lo, or seq_hi and seq_lo with ESN. */
static int gcm_aad(struct esp_xform *x, const uint8_t *esp, uint64_t seq, bool enc)
{
	uint8_t aad[12];
	int n;

	if (!x->esn)
		return enc ? EVP_EncryptUpdate(x->cipher, NULL, &n, esp, 8) :
			EVP_DecryptUpdate(x->cipher, NULL, &n, esp, 8);
	memcpy(aad, esp, 4);
	put_be32(aad + 4, (uint32_t)(seq >> 32));
	memcpy(aad + 8, esp + 4, 4);
	return enc ? EVP_EncryptUpdate(x->cipher, NULL, &n, aad, 12) :
		EVP_DecryptUpdate(x->cipher, NULL, &n, aad, 12);
}

/* RFC 4543 sec. 3.3: GMAC authenticates SPI, sequence number (seq_hi
 * inserted with ESN), IV and the whole payload as AAD. */
static int gmac_aad(struct esp_xform *x, const uint8_t *esp, size_t plen, uint64_t seq,
		    bool enc)
{
	int (*upd)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int) =
		enc ? EVP_EncryptUpdate : EVP_DecryptUpdate;
	uint8_t hi[4];
	int n;

	if (!x->esn)
		return upd(x->cipher, NULL, &n, esp, (int)(ESP_HDR_LEN + 8 + plen));
	put_be32(hi, (uint32_t)(seq >> 32));
	return upd(x->cipher, NULL, &n, esp, 4) &&
		upd(x->cipher, NULL, &n, hi, 4) &&
		upd(x->cipher, NULL, &n, esp + 4, (int)(4 + 8 + plen));
}

/* A known-answer test's IV: an explicit nonce, then the generator again
 * from a fresh random start. */
static int aead_seal_test_iv(struct esp_xform *x, uint8_t *esp)
{
	uint8_t nonce[12];

	memcpy(esp + ESP_HDR_LEN, x->iv_next, 8);
	x->test_iv = false;
	memcpy(nonce, x->salt, 4);
	memcpy(nonce + 4, x->iv_next, 8);
	return EVP_EncryptInit_ex2(x->cipher, NULL, NULL, nonce, NULL) ? 0 : -EIO;
}

static int aead_seal(struct esp_xform *x, uint8_t *esp, size_t plen, uint64_t seq)
{
	uint8_t *payload = esp + ESP_HDR_LEN + 8;
	int n, n2;
	bool gmac = x->info.kind == ESP_KIND_GMAC, test = x->test_iv;

	if (test) {
		if (aead_seal_test_iv(x, esp))
			return -EIO;
	} else {
		if (!x->iv_ready && gcm_next(x, NULL))
			return -EIO;
		memcpy(esp + ESP_HDR_LEN, x->next_iv, 8);
		x->iv_ready = false;	/* used: the next comes with the tag */
	}
	if (gmac) {
		if (!gmac_aad(x, esp, plen, seq, true))
			return -EIO;
	} else if (!gcm_aad(x, esp, seq, true) ||
		   !EVP_EncryptUpdate(x->cipher, payload, &n, payload, (int)plen)) {
		return -EIO;
	}
	if (!EVP_EncryptFinal_ex(x->cipher, payload + plen, &n2))
		return -EIO;
	if (test)
		return EVP_CIPHER_CTX_ctrl(x->cipher, EVP_CTRL_AEAD_GET_TAG, 16,
					   payload + plen) > 0 && !gcm_fix_salt(x) ? 0 : -EIO;
	return gcm_next(x, payload + plen);
}

static int aead_open(struct esp_xform *x, const uint8_t *src, uint8_t *esp, size_t plen,
		     uint64_t seq)
{
	const uint8_t *in = src + ESP_HDR_LEN + 8;
	uint8_t *payload = esp + ESP_HDR_LEN + 8;
	int n, n2;
	bool gmac = x->info.kind == ESP_KIND_GMAC;

	/* The provider copies the tag: decryption in place may overwrite. */
	if (gcm_set_iv_tag(x, src + ESP_HDR_LEN, in + plen))
		return -EIO;
	if (gmac) {
		if (!gmac_aad(x, src, plen, seq, false))
			return -EIO;
		if (payload != in)
			memcpy(payload, in, plen);
	} else if (!gcm_aad(x, src, seq, false) ||
		   !EVP_DecryptUpdate(x->cipher, payload, &n, in, (int)plen)) {
		return -EIO;
	}
	/* Final compares the tag in constant time. */
	if (EVP_DecryptFinal_ex(x->cipher, payload + plen, &n2) <= 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return 0;
}

/* HMAC over header, IV and payload, then seq_hi with ESN (RFC 4303 sec.
 * 2.2.1), truncated to the ICV length. */
static int hmac_icv(struct esp_xform *x, const uint8_t *esp, size_t len, uint64_t seq,
		    uint8_t *icv)
{
	uint8_t md[EVP_MAX_MD_SIZE], hi[4];
	size_t n;

	if (!EVP_MAC_init(x->mac, NULL, 0, NULL) || !EVP_MAC_update(x->mac, esp, len))
		return -EIO;
	if (x->esn) {
		put_be32(hi, (uint32_t)(seq >> 32));
		if (!EVP_MAC_update(x->mac, hi, 4))
			return -EIO;
	}
	if (!EVP_MAC_final(x->mac, md, &n, sizeof(md)) || n < x->info.icv_len)
		return -EIO;
	memcpy(icv, md, x->info.icv_len);
	return 0;
}

/* CBC from src to esp (the same buffer when sealing): the IV is src's. */
static int cbc_crypt(struct esp_xform *x, const uint8_t *src, uint8_t *esp, size_t plen,
		     bool enc)
{
	const uint8_t *iv = src + ESP_HDR_LEN, *in = iv + x->info.iv_len;
	uint8_t *payload = esp + ESP_HDR_LEN + x->info.iv_len;
	int n, n2;

	if (plen % x->info.align)
		return -EINVAL;
	if (!EVP_CipherInit_ex2(x->cipher, NULL, NULL, iv, enc, NULL) ||
	    !EVP_CipherUpdate(x->cipher, payload, &n, in, (int)plen) ||
	    !EVP_CipherFinal_ex(x->cipher, payload + n, &n2))
		return -EIO;
	return 0;
}

int esp_xform_seal(struct esp_xform *x, uint8_t *esp, size_t plen, uint64_t seq)
{
	size_t covered = ESP_HDR_LEN + x->info.iv_len + plen;
	int rc;

	if (plen > INT_MAX / 2)
		return -EINVAL;
	if (x->info.kind == ESP_KIND_GCM || x->info.kind == ESP_KIND_GMAC)
		return aead_seal(x, esp, plen, seq);
	rc = make_iv(x, esp + ESP_HDR_LEN);
	if (rc)
		return rc;
	switch (x->info.kind) {
	case ESP_KIND_GCM:
	case ESP_KIND_GMAC:
		return -EIO;	/* above */
	case ESP_KIND_CBC_HMAC:
		rc = cbc_crypt(x, esp, esp, plen, true);
		return rc ? rc : hmac_icv(x, esp, covered, seq, esp + covered);
	case ESP_KIND_CBC:
		return cbc_crypt(x, esp, esp, plen, true);
	case ESP_KIND_NULL_HMAC:
		return hmac_icv(x, esp, covered, seq, esp + covered);
	}
	return -EIO;
}

int esp_xform_open(struct esp_xform *x, uint8_t *esp, size_t plen, uint64_t seq)
{
	return esp_xform_open_to(x, esp, esp, plen, seq);
}

int esp_xform_open_to(struct esp_xform *x, const uint8_t *src, uint8_t *esp, size_t plen,
		      uint64_t seq)
{
	size_t covered = ESP_HDR_LEN + x->info.iv_len + plen;
	uint8_t icv[ESP_MAX_ICV];
	int rc;

	if (plen > INT_MAX / 2)
		return -EINVAL;
	switch (x->info.kind) {
	case ESP_KIND_GCM:
	case ESP_KIND_GMAC:
		return aead_open(x, src, esp, plen, seq);
	case ESP_KIND_CBC_HMAC:
	case ESP_KIND_NULL_HMAC:
		if (plen % x->info.align && x->info.kind == ESP_KIND_CBC_HMAC)
			return -EINVAL;
		rc = hmac_icv(x, src, covered, seq, icv);
		if (rc)
			return rc;
		if (CRYPTO_memcmp(icv, src + covered, x->info.icv_len))
			return -EBADMSG;
		if (x->info.kind == ESP_KIND_CBC_HMAC)
			return cbc_crypt(x, src, esp, plen, false);
		if (src != esp)
			memcpy(esp + ESP_HDR_LEN, src + ESP_HDR_LEN, plen);
		return 0;
	case ESP_KIND_CBC:
		return cbc_crypt(x, src, esp, plen, false);
	}
	return -EIO;
}
