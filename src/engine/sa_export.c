/* sa_export.c - engine records to Windows structs, as single allocations.
 *
 * Results never carry key material: every key blob is {0, NULL} (keys are
 * write-only). A direction appears only while its SA is live, so a context
 * in CREATED or SPI_SET state has no inboundSa, and an EXPIRING one has no
 * outboundSa. Builders follow common/flat.h: read sources, never targets.
 */
#include <string.h>
#include <wchar.h>

#include "common/flat.h"
#include "engine/engine_internal.h"
#include "wire/codec.h"

static void *auth_info(struct flat *f, const struct sa_xform *x)
{
	IPSEC_SA_AUTH_INFORMATION0 *a = FLAT_NEW(f, IPSEC_SA_AUTH_INFORMATION0);

	if (a) {
		a->authTransform.authTransformId.authType = (IPSEC_AUTH_TYPE)x->auth_type;
		a->authTransform.authTransformId.authConfig = x->auth_config;
	}
	return a;
}

static void *cipher_info(struct flat *f, const struct sa_xform *x)
{
	IPSEC_SA_CIPHER_INFORMATION0 *ci = FLAT_NEW(f, IPSEC_SA_CIPHER_INFORMATION0);

	if (ci) {
		ci->cipherTransform.cipherTransformId.cipherType =
			(IPSEC_CIPHER_TYPE)x->cipher_type;
		ci->cipherTransform.cipherTransformId.cipherConfig = x->cipher_config;
	}
	return ci;
}

static void export_xform(struct flat *f, const struct sa_xform *x, IPSEC_SA0 *sa)
{
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac;

	sa->spi = x->spi;
	sa->saTransformType = (IPSEC_TRANSFORM_TYPE)x->type;
	switch (x->type) {
	case IPSEC_TRANSFORM_AH:
		sa->ahInformation = auth_info(f, x);
		break;
	case IPSEC_TRANSFORM_ESP_AUTH:
		sa->espAuthInformation = auth_info(f, x);
		break;
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		sa->espAuthFwInformation = auth_info(f, x);
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		sa->espCipherInformation = cipher_info(f, x);
		break;
	default:
		ac = FLAT_NEW(f, IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0);
		if (!ac)
			break;
		ac->saCipherInformation.cipherTransform.cipherTransformId.cipherType =
			(IPSEC_CIPHER_TYPE)x->cipher_type;
		ac->saCipherInformation.cipherTransform.cipherTransformId.cipherConfig =
			x->cipher_config;
		ac->saAuthInformation.authTransform.authTransformId.authType =
			(IPSEC_AUTH_TYPE)x->auth_type;
		ac->saAuthInformation.authTransform.authTransformId.authConfig =
			x->auth_config;
		sa->espAuthAndCipherInformation = ac;
		break;
	}
}

static IPSEC_ID0 *export_ipsec_id(struct flat *f, const IPSEC_ID0 *src)
{
	IPSEC_ID0 *id = FLAT_NEW(f, IPSEC_ID0);

	if (!id)
		return NULL;
	id->numTokens = src->numTokens;
	id->explicitCredentials = src->explicitCredentials;
	id->logonId = src->logonId;
	if (src->numTokens)
		id->tokens = flat_dup(f, src->tokens, src->numTokens * sizeof(IPSEC_TOKEN0),
				      _Alignof(IPSEC_TOKEN0));
	if (src->mmTargetName)
		id->mmTargetName = flat_dup(f, src->mmTargetName,
			(wcslen(src->mmTargetName) + 1) * sizeof(wchar_t), _Alignof(wchar_t));
	if (src->emTargetName)
		id->emTargetName = flat_dup(f, src->emTargetName,
			(wcslen(src->emTargetName) + 1) * sizeof(wchar_t), _Alignof(wchar_t));
	return id;
}

static void export_bundle(struct flat *f, const struct sa_bundle *b, IPSEC_SA_BUNDLE1 *dst)
{
	IPSEC_SA0 *list;

	dst->flags = b->flags;
	dst->lifetime = b->lifetime;
	dst->idleTimeoutSeconds = b->idle_timeout_s;
	dst->ndAllowClearTimeoutSeconds = b->nd_allow_clear_timeout_s;
	dst->napContext = b->nap_context;
	dst->qmSaId = b->qm_sa_id;
	dst->numSAs = b->num_sas;
	dst->ipVersion = (FWP_IP_VERSION)b->ip_version;
	dst->peerV4PrivateAddress = b->peer_v4_private;
	dst->mmSaId = b->mm_sa_id;
	dst->pfsGroup = (IPSEC_PFS_GROUP)b->pfs_group;
	dst->saLookupContext = b->sa_lookup_context;
	dst->qmFilterId = b->qm_filter_id;
	if (b->ipsec_id)
		dst->ipsecId = export_ipsec_id(f, &b->ipsec_id->id);
	if (b->keymod) {
		IPSEC_KEYMODULE_STATE0 *k = FLAT_NEW(f, IPSEC_KEYMODULE_STATE0);

		if (k) {
			k->keyModuleKey = b->keymod->key;
			k->stateBlob.size = b->keymod->size;
			if (b->keymod->size)
				k->stateBlob.data = flat_dup(f, b->keymod->blob,
							     b->keymod->size, 1);
		}
		dst->keyModuleState = k;
	}
	list = FLAT_ARRAY(f, IPSEC_SA0, b->num_sas);
	dst->saList = list;
	for (unsigned i = 0; list && i < b->num_sas; i++)
		export_xform(f, &b->sas[i], &list[i]);
}

static void export_dir(struct flat *f, const struct sa_context *c,
		       FWP_DIRECTION dir, IPSEC_SA_DETAILS1 *d)
{
	const struct sa_dir *s = dir == FWP_DIRECTION_INBOUND ? &c->in : &c->out;
	const struct nlattr *filter;

	d->ipVersion = s->traffic.ipVersion;
	d->saDirection = dir;
	d->traffic = s->traffic;
	export_bundle(f, &s->bundle, &d->saBundle);
	if (s->encap_on)
		d->udpEncapsulation = flat_dup(f, &s->encap, sizeof(s->encap),
					      _Alignof(IPSEC_V4_UDP_ENCAPSULATION0));
	d->transportFilter = NULL;
	filter = sa_bound_filter(c, dir);
	if (filter) {
		FWPM_FILTER0 *fl = FLAT_NEW(f, FWPM_FILTER0);

		/* The encoding was checked when it was made: only the
		 * builder's memory can fail, and flat_end reports that. */
		if (fl && wf_decode_into(f, &wf_FWPM_FILTER0, filter, fl) == 0)
			d->transportFilter = fl;
	}
	if (c->has_vif)
		d->virtualIfTunnelInfo = c->vif;
}

static void build_context(struct flat *f, const struct sa_context *c,
			  IPSEC_SA_CONTEXT1 *dst)
{
	IPSEC_SA_DETAILS1 *d;

	dst->saContextId = c->id;
	if (c->in.live) {
		d = FLAT_NEW(f, IPSEC_SA_DETAILS1);
		dst->inboundSa = d;
		if (d)
			export_dir(f, c, FWP_DIRECTION_INBOUND, d);
	}
	if (c->out.live) {
		d = FLAT_NEW(f, IPSEC_SA_DETAILS1);
		dst->outboundSa = d;
		if (d)
			export_dir(f, c, FWP_DIRECTION_OUTBOUND, d);
	}
}

IPSEC_SA_CONTEXT1 *export_context(const struct sa_context *c)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_CONTEXT1 *ctx = FLAT_NEW(&f, IPSEC_SA_CONTEXT1);

		if (ctx)
			build_context(&f, c, ctx);
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

IPSEC_SA_CONTEXT1 **export_contexts(struct sa_context *const *v, size_t n)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_CONTEXT1 **arr = FLAT_ARRAY(&f, IPSEC_SA_CONTEXT1 *, n);

		for (size_t i = 0; arr && i < n; i++) {
			IPSEC_SA_CONTEXT1 *ctx = FLAT_NEW(&f, IPSEC_SA_CONTEXT1);

			arr[i] = ctx;
			if (ctx)
				build_context(&f, v[i], ctx);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

IPSEC_SA_DETAILS1 **export_details(struct sa_context *const *v,
				   const FWP_DIRECTION *dirs, size_t n)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_DETAILS1 **arr = FLAT_ARRAY(&f, IPSEC_SA_DETAILS1 *, n);

		for (size_t i = 0; arr && i < n; i++) {
			IPSEC_SA_DETAILS1 *d = FLAT_NEW(&f, IPSEC_SA_DETAILS1);

			arr[i] = d;
			if (d)
				export_dir(&f, v[i], dirs[i], d);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}
