/* sa_validate.c - checks of client-supplied traffic and SA bundles, and
 * the deep copies that follow a successful check.
 *
 * Every check here runs before anything changes, so that a failed call
 * leaves the engine exactly as it was. Error codes follow docs/CONTRACT.md.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "engine/engine_internal.h"

/* Every IPSEC_SA_BUNDLE_FLAG_* the SDK defines. */
#define KNOWN_BUNDLE_FLAGS (0x00000001u | 0x00000002u | 0x00000004u | \
	0x00000008u | 0x00000010u | 0x00000020u | 0x00000040u | 0x00000080u | \
	0x00000200u | 0x00000400u | 0x00000800u | 0x00001000u | 0x00002000u | \
	0x00004000u | 0x00008000u | 0x00010000u | 0x00020000u | 0x00040000u | \
	0x00080000u | 0x00100000u | 0x00200000u | 0x00400000u | 0x00800000u | \
	0x10000000u | 0x20000000u | 0x40000000u | 0x80000000u)

DWORD validate_bundle_flags(UINT32 flags)
{
	return flags & ~KNOWN_BUNDLE_FLAGS ? FWP_E_INVALID_FLAGS : ERROR_SUCCESS;
}

static DWORD check_ip_version(UINT32 v)
{
	if (v == FWP_IP_VERSION_V4 || v == FWP_IP_VERSION_V6)
		return ERROR_SUCCESS;
	/* NONE is a valid enumerator but names no traffic. */
	return v == FWP_IP_VERSION_NONE ? FWP_E_INVALID_PARAMETER
					: FWP_E_INVALID_ENUMERATOR;
}

DWORD validate_traffic(const IPSEC_TRAFFIC1 *t)
{
	DWORD rc;

	if (!t)
		return FWP_E_NULL_POINTER;
	rc = check_ip_version(t->ipVersion);
	if (rc)
		return rc;
	if ((UINT32)t->trafficType >= IPSEC_TRAFFIC_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	/* Tunnel selectors come from the tunnel policy's filters. */
	if (t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL &&
	    (t->remotePort || t->localPort || t->ipProtocol))
		return FWP_E_INVALID_PARAMETER;
	return ERROR_SUCCESS;
}

DWORD validate_udp_encap(FWP_IP_VERSION v, const IPSEC_V4_UDP_ENCAPSULATION0 *u)
{
	if (!u)
		return ERROR_SUCCESS;
	if (v != FWP_IP_VERSION_V4)
		return FWP_E_INVALID_PARAMETER;
	if (!u->localUdpEncapPort || !u->remoteUdpEncapPort)
		return FWP_E_INVALID_PARAMETER;
	return ERROR_SUCCESS;
}

struct auth_alg {
	UINT32 type;
	UINT8 config;
	UINT8 key_len;
	bool gcm;
	bool md5;	/* refused where the engine is told to (refuse_md5) */
};

static const struct auth_alg auth_algs[] = {
	/* HMAC-MD5-96: weak, but Windows accepts it and 3GPP TS 33.203
	 * (IMS) requires it. */
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 16, false, true },
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 20, false, false },
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32, false, false },
	{ IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20, true, false },
	{ IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192, 28, true, false },
	{ IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256, 36, true, false },
};

struct cipher_alg {
	UINT32 type;
	UINT8 config;
	UINT8 key_len;
	bool gcm;
};

static const struct cipher_alg cipher_algs[] = {
	/* Single DES is refused as insecure. */
	{ IPSEC_CIPHER_TYPE_3DES, IPSEC_CIPHER_CONFIG_CBC_3DES, 24, false },
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128, 16, false },
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_CBC_AES_192, 24, false },
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_CBC_AES_256, 32, false },
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128, 20, true },
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_GCM_AES_192, 28, true },
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256, 36, true },
};

static const struct auth_alg *find_auth(const IPSEC_AUTH_TRANSFORM_ID0 *id)
{
	for (size_t i = 0; i < sizeof(auth_algs) / sizeof(auth_algs[0]); i++)
		if (auth_algs[i].type == (UINT32)id->authType &&
		    auth_algs[i].config == id->authConfig)
			return &auth_algs[i];
	return NULL;
}

static const struct cipher_alg *find_cipher(const IPSEC_CIPHER_TRANSFORM_ID0 *id)
{
	for (size_t i = 0; i < sizeof(cipher_algs) / sizeof(cipher_algs[0]); i++)
		if (cipher_algs[i].type == (UINT32)id->cipherType &&
		    cipher_algs[i].config == id->cipherConfig)
			return &cipher_algs[i];
	return NULL;
}

static DWORD check_blob(const FWP_BYTE_BLOB *b)
{
	return b->size && !b->data ? FWP_E_NULL_POINTER : ERROR_SUCCESS;
}

static DWORD check_auth(const IPSEC_SA_AUTH_INFORMATION0 *a, bool refuse_md5,
			const struct auth_alg **out)
{
	const struct auth_alg *alg;

	if (!a)
		return FWP_E_NULL_POINTER;
	if (check_blob(&a->authKey))
		return FWP_E_NULL_POINTER;
	alg = find_auth(&a->authTransform.authTransformId);
	if (!alg || a->authKey.size != alg->key_len || (alg->md5 && refuse_md5))
		return FWP_E_INVALID_AUTH_TRANSFORM;
	*out = alg;
	return ERROR_SUCCESS;
}

static DWORD check_cipher(const IPSEC_SA_CIPHER_INFORMATION0 *ci,
			  const struct cipher_alg **out)
{
	const struct cipher_alg *alg;

	if (!ci)
		return FWP_E_NULL_POINTER;
	if (check_blob(&ci->cipherKey))
		return FWP_E_NULL_POINTER;
	alg = find_cipher(&ci->cipherTransform.cipherTransformId);
	if (!alg || ci->cipherKey.size != alg->key_len)
		return FWP_E_INVALID_CIPHER_TRANSFORM;
	*out = alg;
	return ERROR_SUCCESS;
}

static DWORD validate_sa(const IPSEC_SA0 *sa, bool refuse_md5)
{
	const struct auth_alg *a;
	const struct cipher_alg *ci;
	const IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac;
	DWORD rc;

	if (sa->spi < 0x100)
		return FWP_E_INVALID_PARAMETER;	/* RFC 4303: 1-255 reserved */
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
		return check_auth(sa->ahInformation, refuse_md5, &a);
	case IPSEC_TRANSFORM_ESP_AUTH:
		return check_auth(sa->espAuthInformation, refuse_md5, &a);
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		return check_auth(sa->espAuthFwInformation, refuse_md5, &a);
	case IPSEC_TRANSFORM_ESP_CIPHER:
		rc = check_cipher(sa->espCipherInformation, &ci);
		if (rc)
			return rc;
		/* Confidentiality without integrity only with an AEAD. */
		return ci->gcm ? ERROR_SUCCESS : FWP_E_INVALID_TRANSFORM_COMBINATION;
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		ac = sa->espAuthAndCipherInformation;
		if (!ac)
			return FWP_E_NULL_POINTER;
		rc = check_cipher(&ac->saCipherInformation, &ci);
		if (rc)
			return rc;
		if (ci->gcm) {
			/* GCM: the auth half names the same GCM size and carries
			 * the same key+salt, or no key at all. */
			const IPSEC_SA_AUTH_INFORMATION0 *ai = &ac->saAuthInformation;

			a = find_auth(&ai->authTransform.authTransformId);
			if (!a || !a->gcm || a->key_len != ci->key_len)
				return FWP_E_INVALID_AUTH_TRANSFORM;
			if (ai->authKey.size == 0)
				return ERROR_SUCCESS;
			if (check_blob(&ai->authKey))
				return FWP_E_NULL_POINTER;
			if (ai->authKey.size != ac->saCipherInformation.cipherKey.size ||
			    memcmp(ai->authKey.data, ac->saCipherInformation.cipherKey.data,
				   ai->authKey.size))
				return FWP_E_INVALID_AUTH_TRANSFORM;
			return ERROR_SUCCESS;
		}
		rc = check_auth(&ac->saAuthInformation, refuse_md5, &a);
		if (rc)
			return rc;
		return a->gcm ? FWP_E_INVALID_AUTH_TRANSFORM : ERROR_SUCCESS;
	default:
		return FWP_E_INVALID_ENUMERATOR;
	}
}

DWORD validate_keymod(const IPSEC_KEYMODULE_STATE0 *k)
{
	if (!k)
		return ERROR_SUCCESS;
	if (check_blob(&k->stateBlob))
		return FWP_E_NULL_POINTER;
	if (k->stateBlob.size > SA_MAX_KEYMOD_BLOB)
		return FWP_E_OUT_OF_BOUNDS;
	return ERROR_SUCCESS;
}

static DWORD check_name(const wchar_t *s)
{
	if (s && wcsnlen(s, SA_MAX_NAME_CHARS + 1) > SA_MAX_NAME_CHARS)
		return FWP_E_OUT_OF_BOUNDS;
	return ERROR_SUCCESS;
}

static DWORD validate_ipsec_id(const IPSEC_ID0 *id)
{
	if (!id)
		return ERROR_SUCCESS;
	if (check_name(id->mmTargetName) || check_name(id->emTargetName))
		return FWP_E_OUT_OF_BOUNDS;
	if (id->numTokens > SA_MAX_IPSEC_ID_TOKENS)
		return FWP_E_OUT_OF_BOUNDS;
	if (id->numTokens && !id->tokens)
		return FWP_E_NULL_POINTER;
	for (UINT32 i = 0; i < id->numTokens; i++) {
		const IPSEC_TOKEN0 *t = &id->tokens[i];

		if ((UINT32)t->type >= IPSEC_TOKEN_TYPE_MAX ||
		    (UINT32)t->principal >= IPSEC_TOKEN_PRINCIPAL_MAX ||
		    (UINT32)t->mode >= IPSEC_TOKEN_MODE_MAX)
			return FWP_E_INVALID_ENUMERATOR;
	}
	return ERROR_SUCCESS;
}

DWORD validate_bundle(const IPSEC_SA_BUNDLE1 *b, bool refuse_md5)
{
	DWORD rc;

	if (!b)
		return FWP_E_NULL_POINTER;
	if (validate_bundle_flags(b->flags))
		return FWP_E_INVALID_FLAGS;
	if (b->numSAs != 1 && b->numSAs != 2)
		return FWP_E_INVALID_PARAMETER;
	if (!b->saList)
		return FWP_E_NULL_POINTER;
	rc = check_ip_version(b->ipVersion);
	if (rc)
		return rc;
	if ((UINT32)b->pfsGroup >= IPSEC_PFS_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	rc = validate_keymod(b->keyModuleState);
	if (rc)
		return rc;
	rc = validate_ipsec_id(b->ipsecId);
	if (rc)
		return rc;
	for (UINT32 i = 0; i < b->numSAs; i++) {
		rc = validate_sa(&b->saList[i], refuse_md5);
		if (rc)
			return rc;
	}
	/* Two SAs only as ESP (index 0) plus AH (index 1). */
	if (b->numSAs == 2 &&
	    (b->saList[0].saTransformType == IPSEC_TRANSFORM_AH ||
	     b->saList[1].saTransformType != IPSEC_TRANSFORM_AH))
		return FWP_E_INVALID_TRANSFORM_COMBINATION;
	return ERROR_SUCCESS;
}

struct sa_keymod *keymod_dup(const IPSEC_KEYMODULE_STATE0 *k)
{
	struct sa_keymod *m = malloc(sizeof(*m) + k->stateBlob.size);

	if (!m)
		return NULL;
	m->key = k->keyModuleKey;
	m->size = k->stateBlob.size;
	if (m->size)
		memcpy(m->blob, k->stateBlob.data, m->size);
	return m;
}

static size_t wcs_bytes(const wchar_t *s)
{
	return s ? (wcslen(s) + 1) * sizeof(wchar_t) : 0;
}

static struct sa_ipsec_id *ipsec_id_dup(const IPSEC_ID0 *id)
{
	size_t mm = wcs_bytes(id->mmTargetName), em = wcs_bytes(id->emTargetName);
	size_t tok = id->numTokens * sizeof(IPSEC_TOKEN0);
	size_t size = tok + mm + em;
	struct sa_ipsec_id *c = calloc(1, sizeof(*c) + size);
	unsigned char *p;

	if (!c)
		return NULL;
	c->size = size;
	c->id = *id;
	p = c->data;	/* tokens first: data[] is 8-aligned */
	if (tok) {
		memcpy(p, id->tokens, tok);
		c->id.tokens = (IPSEC_TOKEN0 *)(void *)p;
		p += tok;
	} else {
		c->id.tokens = NULL;
	}
	if (mm) {
		memcpy(p, id->mmTargetName, mm);
		c->id.mmTargetName = (wchar_t *)(void *)p;
		p += mm;
	}
	if (em) {
		memcpy(p, id->emTargetName, em);
		c->id.emTargetName = (wchar_t *)(void *)p;
	}
	return c;
}

static void import_xform(struct sa_xform *x, const IPSEC_SA0 *sa)
{
	const IPSEC_SA_AUTH_INFORMATION0 *a = NULL;
	const IPSEC_SA_CIPHER_INFORMATION0 *ci = NULL;

	x->spi = sa->spi;
	x->type = (uint8_t)sa->saTransformType;
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
		a = sa->ahInformation;
		break;
	case IPSEC_TRANSFORM_ESP_AUTH:
		a = sa->espAuthInformation;
		break;
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		a = sa->espAuthFwInformation;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		ci = sa->espCipherInformation;
		break;
	default:
		a = &sa->espAuthAndCipherInformation->saAuthInformation;
		ci = &sa->espAuthAndCipherInformation->saCipherInformation;
		break;
	}
	if (a) {
		x->auth_type = (uint8_t)a->authTransform.authTransformId.authType;
		x->auth_config = a->authTransform.authTransformId.authConfig;
		x->auth_key_len = (uint8_t)a->authKey.size;
		if (a->authKey.size)
			memcpy(x->auth_key, a->authKey.data, a->authKey.size);
	}
	if (ci) {
		x->cipher_type = (uint8_t)ci->cipherTransform.cipherTransformId.cipherType;
		x->cipher_config = ci->cipherTransform.cipherTransformId.cipherConfig;
		x->cipher_key_len = (uint8_t)ci->cipherKey.size;
		memcpy(x->cipher_key, ci->cipherKey.data, ci->cipherKey.size);
	}
}

DWORD bundle_import(struct sa_bundle *dst, const IPSEC_SA_BUNDLE1 *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->keyModuleState) {
		dst->keymod = keymod_dup(src->keyModuleState);
		if (!dst->keymod)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	if (src->ipsecId) {
		dst->ipsec_id = ipsec_id_dup(src->ipsecId);
		if (!dst->ipsec_id) {
			sa_bundle_clear(dst);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	dst->flags = src->flags;
	dst->lifetime = src->lifetime;
	dst->idle_timeout_s = src->idleTimeoutSeconds;
	dst->nd_allow_clear_timeout_s = src->ndAllowClearTimeoutSeconds;
	dst->nap_context = src->napContext;
	dst->qm_sa_id = src->qmSaId;
	dst->num_sas = (uint8_t)src->numSAs;
	dst->ip_version = (uint8_t)src->ipVersion;
	dst->peer_v4_private = src->ipVersion == FWP_IP_VERSION_V4 ?
			       src->peerV4PrivateAddress : 0;
	dst->mm_sa_id = src->mmSaId;
	dst->pfs_group = (uint8_t)src->pfsGroup;
	dst->sa_lookup_context = src->saLookupContext;
	dst->qm_filter_id = src->qmFilterId;
	for (UINT32 i = 0; i < src->numSAs; i++)
		import_xform(&dst->sas[i], &src->saList[i]);
	return ERROR_SUCCESS;
}
