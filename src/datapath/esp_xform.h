/* esp_xform.h - one ESP transform keyed for one SA direction (OpenSSL 3).
 *
 * Maps a Windows transform (struct sa_xform) to EVP: AES-GCM (RFC 4106),
 * AES-GMAC (RFC 4543), AES-CBC and 3DES-CBC with HMAC-SHA-1-96 (RFC 2404),
 * HMAC-SHA-256-128 (RFC 4868) or HMAC-MD5-96 (RFC 2403), and NULL
 * encryption with HMAC (ESP_AUTH, ESP_AUTH_FW). AH and single DES are
 * refused (docs/datapath-core.md has the whole map).
 *
 * The algorithms are fetched once per process (esp_crypto_init); each
 * esp_xform holds its own keyed contexts, so a packet only sets an IV.
 * Key bytes live only inside those contexts: the copy passed in is read,
 * never kept, and every free path wipes what it touched.
 *
 * Buffer layout both calls work on, in place (esp points at the SPI):
 *
 *	[SPI 4][seq_lo 4][IV iv_len][payload + padding + 2-byte trailer: plen][ICV icv_len]
 *
 * The caller writes SPI and seq_lo first; seal writes the IV, encrypts the
 * payload and writes the ICV; open verifies the ICV, then decrypts.
 *
 * Ownership: the caller owns an esp_xform and the buffers.
 * Threads: esp_crypto_init/fini are thread-safe. An esp_xform is used by
 * one thread at a time (its EVP contexts carry per-packet state);
 * different esp_xforms may be used concurrently.
 * Returns: 0 or -errno, as documented per function.
 */
#ifndef FWP_DATAPATH_ESP_XFORM_H
#define FWP_DATAPATH_ESP_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sa_context.h"

#define ESP_HDR_LEN 8		/* SPI + sequence number */
#define ESP_MAX_IV 16
#define ESP_MAX_ICV 16

enum esp_kind {
	ESP_KIND_GCM,		/* AEAD: AES-GCM, 16-byte ICV */
	ESP_KIND_GMAC,		/* AES-GMAC: integrity only, IV sent */
	ESP_KIND_CBC_HMAC,	/* AES-CBC or 3DES-CBC, then HMAC */
	ESP_KIND_NULL_HMAC,	/* NULL encryption, HMAC */
	ESP_KIND_CBC,		/* CBC without integrity (core only, see docs) */
};

struct esp_xform_info {
	enum esp_kind kind;
	uint8_t iv_len;		/* bytes on the wire */
	uint8_t icv_len;
	uint8_t align;		/* payload + trailer is a multiple of this */
	uint8_t cipher_key_len;	/* AES/3DES key, salt excluded */
	const char *name;	/* for logs, e.g. "aes128gcm16" */
};

struct esp_xform;

/* Fetches every algorithm once, with the property query propq (NULL: the
 * default provider; "fips=yes" on a FIPS-enabled system). Idempotent: the
 * first successful call wins. 0, -ENOTSUP when an algorithm cannot be
 * fetched (the error queue is cleared), -ENOMEM. */
int esp_crypto_init(const char *propq);
/* Releases the fetched algorithms. No esp_xform may be alive. */
void esp_crypto_fini(void);

/* Checks that x is a transform this datapath runs and describes it; no
 * allocation. 0, or -EPROTONOSUPPORT (AH), -ENOTSUP (DES, a combination
 * Windows does not define), -EINVAL (bad type or key length); *why (if not
 * NULL) then names the reason in a static string. */
int esp_xform_check(const struct sa_xform *x, struct esp_xform_info *info,
		    const char **why);

/* Keys a transform for one direction. esn: 64-bit sequence numbers in the
 * ICV / AAD. Calls esp_crypto_init(NULL) if nobody did. 0, the errors of
 * esp_xform_check, -ENOMEM, -EIO (OpenSSL refused the key). */
int esp_xform_new(struct esp_xform **out, const struct sa_xform *x, bool esn,
		  bool outbound, const char **why);
/* Wipes and frees; NULL is a no-op. */
void esp_xform_free(struct esp_xform *x);
/* The same in caller memory of esp_xform_size() bytes (8-byte aligned),
 * so that an SA can hold its transform in its own allocation: init
 * returns what esp_xform_new does and leaves nothing to undo on failure;
 * fini wipes. */
size_t esp_xform_size(void);
int esp_xform_init(struct esp_xform *x, const struct sa_xform *sx, bool esn,
		   bool outbound, const char **why);
void esp_xform_fini(struct esp_xform *x);

const struct esp_xform_info *esp_xform_info(const struct esp_xform *x);

/* Outbound: writes the IV (GCM/GMAC: a per-SA counter from a random
 * start, so it never repeats within the SA; CBC: unpredictable; see the .c),
 * encrypts plen bytes after it and appends the ICV. 0 or -EIO. */
int esp_xform_seal(struct esp_xform *x, uint8_t *esp, size_t plen, uint64_t seq);

/* Inbound: checks the ICV in constant time, then decrypts in place (seq
 * supplies seq_hi for ESN). 0, -EBADMSG (ICV mismatch: the payload bytes
 * are then meaningless), -EINVAL (plen not a multiple of the block), -EIO. */
int esp_xform_open(struct esp_xform *x, uint8_t *esp, size_t plen, uint64_t seq);
/* The same reading the packet at src and writing the payload (only) at
 * the same offset from esp: decryption out of place, no copy first. */
int esp_xform_open_to(struct esp_xform *x, const uint8_t *src, uint8_t *esp, size_t plen,
		      uint64_t seq);

/* Test hook for known-answer tests: the next seal uses iv (iv_len bytes)
 * instead of generating one. Never called outside tests. */
void esp_xform_test_set_iv(struct esp_xform *x, const uint8_t *iv);

#endif
