/* convert_v0.c - version-0 structs to version 1 (inputs) and back
 * (outputs). Version 0 structs are version 1 without the trailing members
 * (TRAFFIC1's localPort/ipProtocol/localIfLuid/realIfProfileId,
 * BUNDLE1's saLookupContext/qmFilterId, DETAILS1's virtualIfTunnelInfo),
 * which become zero on the way in and are dropped on the way out.
 * Outputs are rebuilt as single allocations (common/flat.h).
 */
#include <string.h>
#include <wchar.h>

#include "client/api.h"
#include "common/flat.h"
#include "wire/codec.h"

void traffic0_to_1(const IPSEC_TRAFFIC0 *in, IPSEC_TRAFFIC1 *out)
{
	memset(out, 0, sizeof(*out));
	out->ipVersion = in->ipVersion;
	memcpy(out->localV6Address, in->localV6Address, sizeof(out->localV6Address));
	memcpy(out->remoteV6Address, in->remoteV6Address, sizeof(out->remoteV6Address));
	out->trafficType = in->trafficType;
	out->ipsecFilterId = in->ipsecFilterId;
	out->remotePort = in->remotePort;
}

void getspi0_to_1(const IPSEC_GETSPI0 *in, IPSEC_GETSPI1 *out)
{
	memset(out, 0, sizeof(*out));
	traffic0_to_1(&in->inboundIpsecTraffic, &out->inboundIpsecTraffic);
	out->ipVersion = in->ipVersion;
	out->inboundUdpEncapsulation = in->inboundUdpEncapsulation;
	out->rngCryptoModuleID = in->rngCryptoModuleID;
}

void bundle0_to_1(const IPSEC_SA_BUNDLE0 *in, IPSEC_SA_BUNDLE1 *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = in->flags;
	out->lifetime = in->lifetime;
	out->idleTimeoutSeconds = in->idleTimeoutSeconds;
	out->ndAllowClearTimeoutSeconds = in->ndAllowClearTimeoutSeconds;
	out->ipsecId = in->ipsecId;
	out->napContext = in->napContext;
	out->qmSaId = in->qmSaId;
	out->numSAs = in->numSAs;
	out->saList = in->saList;
	out->keyModuleState = in->keyModuleState;
	out->ipVersion = in->ipVersion;
	out->peerV4PrivateAddress = in->peerV4PrivateAddress;
	out->mmSaId = in->mmSaId;
	out->pfsGroup = in->pfsGroup;
}

static void traffic1_to_0(const IPSEC_TRAFFIC1 *in, IPSEC_TRAFFIC0 *out)
{
	out->ipVersion = in->ipVersion;
	memcpy(out->localV6Address, in->localV6Address, sizeof(out->localV6Address));
	memcpy(out->remoteV6Address, in->remoteV6Address, sizeof(out->remoteV6Address));
	out->trafficType = in->trafficType;
	out->ipsecFilterId = in->ipsecFilterId;
	out->remotePort = in->remotePort;
}

/* Results carry no keys, so info structs are copied as they are: their
 * key blobs are already {0, NULL}. */
static void copy_sa_list(struct flat *f, const IPSEC_SA0 *src, UINT32 n,
			 IPSEC_SA0 **out)
{
	IPSEC_SA0 *list = FLAT_ARRAY(f, IPSEC_SA0, n);

	*out = list;
	for (UINT32 i = 0; list && i < n; i++) {
		const IPSEC_SA0 *s = &src[i];

		list[i].spi = s->spi;
		list[i].saTransformType = s->saTransformType;
		switch (s->saTransformType) {
		case IPSEC_TRANSFORM_AH:
		case IPSEC_TRANSFORM_ESP_AUTH:
		case IPSEC_TRANSFORM_ESP_AUTH_FW:
			if (s->ahInformation)
				list[i].ahInformation = flat_dup(f, s->ahInformation,
					sizeof(*s->ahInformation),
					_Alignof(IPSEC_SA_AUTH_INFORMATION0));
			break;
		case IPSEC_TRANSFORM_ESP_CIPHER:
			if (s->espCipherInformation)
				list[i].espCipherInformation = flat_dup(f,
					s->espCipherInformation,
					sizeof(*s->espCipherInformation),
					_Alignof(IPSEC_SA_CIPHER_INFORMATION0));
			break;
		default:
			if (s->espAuthAndCipherInformation)
				list[i].espAuthAndCipherInformation = flat_dup(f,
					s->espAuthAndCipherInformation,
					sizeof(*s->espAuthAndCipherInformation),
					_Alignof(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0));
			break;
		}
	}
}

static IPSEC_ID0 *copy_ipsec_id(struct flat *f, const IPSEC_ID0 *src)
{
	IPSEC_ID0 *id = flat_dup(f, src, sizeof(*src), _Alignof(IPSEC_ID0));

	if (!id)
		return NULL;
	id->tokens = NULL;
	id->mmTargetName = id->emTargetName = NULL;
	if (src->numTokens && src->tokens)
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

static void bundle1_to_0(struct flat *f, const IPSEC_SA_BUNDLE1 *in, IPSEC_SA_BUNDLE0 *out)
{
	out->flags = in->flags;
	out->lifetime = in->lifetime;
	out->idleTimeoutSeconds = in->idleTimeoutSeconds;
	out->ndAllowClearTimeoutSeconds = in->ndAllowClearTimeoutSeconds;
	out->napContext = in->napContext;
	out->qmSaId = in->qmSaId;
	out->numSAs = in->numSAs;
	out->ipVersion = in->ipVersion;
	out->peerV4PrivateAddress = in->peerV4PrivateAddress;
	out->mmSaId = in->mmSaId;
	out->pfsGroup = in->pfsGroup;
	if (in->ipsecId)
		out->ipsecId = copy_ipsec_id(f, in->ipsecId);
	if (in->keyModuleState) {
		IPSEC_KEYMODULE_STATE0 *k = FLAT_NEW(f, IPSEC_KEYMODULE_STATE0);

		out->keyModuleState = k;
		if (k) {
			k->keyModuleKey = in->keyModuleState->keyModuleKey;
			k->stateBlob.size = in->keyModuleState->stateBlob.size;
			if (k->stateBlob.size)
				k->stateBlob.data = flat_dup(f,
					in->keyModuleState->stateBlob.data,
					in->keyModuleState->stateBlob.size, 1);
		}
	}
	copy_sa_list(f, in->saList, in->numSAs, &out->saList);
}

static void details1_to_0_into(struct flat *f, const IPSEC_SA_DETAILS1 *in,
			       IPSEC_SA_DETAILS0 *out)
{
	out->ipVersion = in->ipVersion;
	out->saDirection = in->saDirection;
	traffic1_to_0(&in->traffic, &out->traffic);
	bundle1_to_0(f, &in->saBundle, &out->saBundle);
	if (in->udpEncapsulation)
		out->udpEncapsulation = flat_dup(f, in->udpEncapsulation,
			sizeof(*in->udpEncapsulation),
			_Alignof(IPSEC_V4_UDP_ENCAPSULATION0));
	out->transportFilter = NULL;
	if (in->transportFilter) {
		FWPM_FILTER0 *fl = FLAT_NEW(f, FWPM_FILTER0);

		if (fl && wf_copy_into(f, &wf_FWPM_FILTER0, in->transportFilter, fl) == 0)
			out->transportFilter = fl;
	}
}

static void context1_to_0_into(struct flat *f, const IPSEC_SA_CONTEXT1 *in,
			       IPSEC_SA_CONTEXT0 *out)
{
	IPSEC_SA_DETAILS0 *d;

	out->saContextId = in->saContextId;
	if (in->inboundSa) {
		d = FLAT_NEW(f, IPSEC_SA_DETAILS0);
		out->inboundSa = d;
		if (d)
			details1_to_0_into(f, in->inboundSa, d);
	}
	if (in->outboundSa) {
		d = FLAT_NEW(f, IPSEC_SA_DETAILS0);
		out->outboundSa = d;
		if (d)
			details1_to_0_into(f, in->outboundSa, d);
	}
}

IPSEC_SA_CONTEXT0 *context1_to_0(const IPSEC_SA_CONTEXT1 *in)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_CONTEXT0 *c = FLAT_NEW(&f, IPSEC_SA_CONTEXT0);

		if (c)
			context1_to_0_into(&f, in, c);
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

IPSEC_SA_CONTEXT0 **contexts1_to_0(IPSEC_SA_CONTEXT1 *const *in, UINT32 n)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_CONTEXT0 **arr = FLAT_ARRAY(&f, IPSEC_SA_CONTEXT0 *, n);

		for (UINT32 i = 0; arr && i < n; i++) {
			IPSEC_SA_CONTEXT0 *c = FLAT_NEW(&f, IPSEC_SA_CONTEXT0);

			arr[i] = c;
			if (c)
				context1_to_0_into(&f, in[i], c);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

IPSEC_SA_DETAILS0 **details1_to_0(IPSEC_SA_DETAILS1 *const *in, UINT32 n)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		IPSEC_SA_DETAILS0 **arr = FLAT_ARRAY(&f, IPSEC_SA_DETAILS0 *, n);

		for (UINT32 i = 0; arr && i < n; i++) {
			IPSEC_SA_DETAILS0 *d = FLAT_NEW(&f, IPSEC_SA_DETAILS0);

			arr[i] = d;
			if (d)
				details1_to_0_into(&f, in[i], d);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}
