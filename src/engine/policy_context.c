/* policy_context.c - FwpmProviderContextAdd0/1: validation of the IPsec
 * quick-mode transport and tunnel contexts, and their addition.
 *
 * Supported types: FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT,
 * FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT and their AuthIP twins, without an
 * extended-mode policy, FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT, and the
 * main-mode policies (IKE, AuthIP, IKEv2) authenticated by pre-shared key,
 * Kerberos, NTLMv2, EAP or anonymously. Other valid types and methods
 * answer ERROR_NOT_SUPPORTED, values out of an enumeration
 * FWP_E_INVALID_ENUMERATOR. The engine works on the version-1 shape; the
 * API layer converts version 0. The stored block gets providerContextKey
 * (generated when zero) and providerContextId. A pre-shared key is
 * write-only: reads return it empty (pol_context_redact).
 */
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "engine/engine_internal.h"
#include "wire/codec.h"

#define PC_FLAGS_OK (FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT | \
		     FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL)
#define POLICY_FLAGS_OK 0xF001FFFEu	/* IPSEC_POLICY_FLAG_*: no bit 0x1 */
#define MAX_PROPOSALS 64		/* as the wire schema carries */

static bool auth_arm(IPSEC_TRANSFORM_TYPE t)
{
	return t == IPSEC_TRANSFORM_AH;
}

static DWORD check_transform(const IPSEC_SA_TRANSFORM0 *t)
{
	if ((UINT32)t->ipsecTransformType < IPSEC_TRANSFORM_AH ||
	    (UINT32)t->ipsecTransformType >= IPSEC_TRANSFORM_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	/* Every arm is a pointer at the same offset. */
	return t->ahTransform ? ERROR_SUCCESS : FWP_E_NULL_POINTER;
}

static DWORD check_proposals(UINT32 n, const IPSEC_PROPOSAL0 *p)
{
	if (!n)
		return FWP_E_ZERO_LENGTH_ARRAY;
	if (!p)
		return FWP_E_NULL_POINTER;
	if (n > MAX_PROPOSALS)
		return FWP_E_OUT_OF_BOUNDS;
	for (UINT32 i = 0; i < n; i++) {
		DWORD rc;

		if (!p[i].numSaTransforms)
			return FWP_E_ZERO_LENGTH_ARRAY;
		if (!p[i].saTransforms)
			return FWP_E_NULL_POINTER;
		if (p[i].numSaTransforms > 2)
			return FWP_E_INVALID_TRANSFORM_COMBINATION;
		for (UINT32 j = 0; j < p[i].numSaTransforms; j++) {
			rc = check_transform(&p[i].saTransforms[j]);
			if (rc)
				return rc;
		}
		/* Two transforms: AH plus one ESP transform. */
		if (p[i].numSaTransforms == 2 &&
		    auth_arm(p[i].saTransforms[0].ipsecTransformType) ==
		    auth_arm(p[i].saTransforms[1].ipsecTransformType))
			return FWP_E_INVALID_TRANSFORM_COMBINATION;
		if ((UINT32)p[i].pfsGroup >= IPSEC_PFS_MAX)
			return FWP_E_INVALID_ENUMERATOR;
	}
	return ERROR_SUCCESS;
}

static DWORD check_transport(const IPSEC_TRANSPORT_POLICY1 *t)
{
	if (!t)
		return FWP_E_NULL_POINTER;
	if (t->flags & ~POLICY_FLAGS_OK)
		return FWP_E_INVALID_FLAGS;
	if (t->emPolicy)
		return FWP_E_EM_NOT_SUPPORTED;
	return check_proposals(t->numIpsecProposals, t->ipsecProposals);
}

static DWORD check_tunnel(const IPSEC_TUNNEL_POLICY1 *t)
{
	DWORD rc;

	if (!t)
		return FWP_E_NULL_POINTER;
	if (t->flags & ~POLICY_FLAGS_OK)
		return FWP_E_INVALID_FLAGS;
	if (t->emPolicy)
		return FWP_E_EM_NOT_SUPPORTED;
	rc = check_proposals(t->numIpsecProposals, t->ipsecProposals);
	if (rc)
		return rc;
	if (t->tunnelEndpoints.ipVersion != FWP_IP_VERSION_V4 &&
	    t->tunnelEndpoints.ipVersion != FWP_IP_VERSION_V6)
		return FWP_E_INVALID_TUNNEL_ENDPOINT;
	return ERROR_SUCCESS;
}

#define MM_FLAGS_OK 0x000001FFu		/* IKEEXT_POLICY_FLAG_* and the two */
#define MAX_AUTH_METHODS 16		/* as the wire schema carries */

static DWORD check_psk(const IKEEXT_PRESHARED_KEY_AUTHENTICATION1 *k)
{
	const UINT32 both = IKEEXT_PSK_FLAG_LOCAL_AUTH_ONLY | IKEEXT_PSK_FLAG_REMOTE_AUTH_ONLY;

	if (!k->presharedKey.size)
		return FWP_E_INVALID_PARAMETER;
	if (!k->presharedKey.data)
		return FWP_E_NULL_POINTER;
	if ((k->flags & ~both) || (k->flags & both) == both)
		return FWP_E_INVALID_FLAGS;
	return ERROR_SUCCESS;
}

/* One method; IKEv2 authenticates by pre-shared key, certificate or EAP,
 * IKE and AuthIP never by EAP. */
static DWORD check_auth(const IKEEXT_AUTHENTICATION_METHOD1 *m, bool ikev2)
{
	switch ((UINT32)m->authenticationMethodType) {
	case IKEEXT_PRESHARED_KEY:
		return check_psk(&m->presharedKeyAuthentication);
	case IKEEXT_KERBEROS:
		if (ikev2)
			return FWP_E_INCOMPATIBLE_AUTH_METHOD;
		return m->kerberosAuthentication.flags & ~0x7u ? FWP_E_INVALID_FLAGS : 0;
	case IKEEXT_NTLM_V2:
		if (ikev2)
			return FWP_E_INCOMPATIBLE_AUTH_METHOD;
		return m->ntlmV2Authentication.flags & ~0x1u ? FWP_E_INVALID_FLAGS : 0;
	case IKEEXT_ANONYMOUS:
		return ikev2 ? FWP_E_INCOMPATIBLE_AUTH_METHOD : ERROR_SUCCESS;
	case IKEEXT_EAP:
		if (!ikev2)
			return FWP_E_INCOMPATIBLE_AUTH_METHOD;
		return m->eapAuthentication.flags & ~0x3u ? FWP_E_INVALID_FLAGS : 0;
	default:
		if ((UINT32)m->authenticationMethodType >= IKEEXT_AUTHENTICATION_METHOD_TYPE_MAX)
			return FWP_E_INVALID_ENUMERATOR;
		return ERROR_NOT_SUPPORTED;	/* certificates, SSL, CGA: not carried */
	}
}

static DWORD check_ike_proposal(const IKEEXT_PROPOSAL0 *p)
{
	if ((UINT32)p->cipherAlgorithm.algoIdentifier >= IKEEXT_CIPHER_TYPE_MAX ||
	    (UINT32)p->integrityAlgorithm.algoIdentifier >= IKEEXT_INTEGRITY_TYPE_MAX ||
	    (UINT32)p->dhGroup >= IKEEXT_DH_GROUP_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	return ERROR_SUCCESS;
}

static DWORD check_mm(const IKEEXT_POLICY1 *p, bool ikev2)
{
	DWORD rc;

	if (!p)
		return FWP_E_NULL_POINTER;
	if (p->flags & ~MM_FLAGS_OK)
		return FWP_E_INVALID_FLAGS;
	if ((UINT32)p->initiatorImpersonationType >= IKEEXT_IMPERSONATION_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	if (!p->numAuthenticationMethods || !p->numIkeProposals)
		return FWP_E_ZERO_LENGTH_ARRAY;
	if (!p->authenticationMethods || !p->ikeProposals)
		return FWP_E_NULL_POINTER;
	if (p->numAuthenticationMethods > MAX_AUTH_METHODS ||
	    p->numIkeProposals > MAX_PROPOSALS)
		return FWP_E_OUT_OF_BOUNDS;
	for (UINT32 i = 0; i < p->numAuthenticationMethods; i++) {
		rc = check_auth(&p->authenticationMethods[i], ikev2);
		if (rc)
			return rc;
	}
	for (UINT32 i = 0; i < p->numIkeProposals; i++) {
		rc = check_ike_proposal(&p->ikeProposals[i]);
		if (rc)
			return rc;
	}
	return ERROR_SUCCESS;
}

static IKEEXT_POLICY1 *mm_policy(FWPM_PROVIDER_CONTEXT1 *pc)
{
	switch ((UINT32)pc->type) {
	case FWPM_IPSEC_IKE_MM_CONTEXT:
	case FWPM_IPSEC_AUTHIP_MM_CONTEXT:
	case FWPM_IPSEC_IKEV2_MM_CONTEXT:
		return pc->ikeMmPolicy;	/* the arms alias */
	default:
		return NULL;
	}
}

void pol_context_redact(FWPM_PROVIDER_CONTEXT1 *pc)
{
	IKEEXT_POLICY1 *p = pc ? mm_policy(pc) : NULL;

	for (UINT32 i = 0; p && p->authenticationMethods && i < p->numAuthenticationMethods; i++) {
		IKEEXT_AUTHENTICATION_METHOD1 *m = &p->authenticationMethods[i];

		if (m->authenticationMethodType != IKEEXT_PRESHARED_KEY)
			continue;
		if (m->presharedKeyAuthentication.presharedKey.data)
			explicit_bzero(m->presharedKeyAuthentication.presharedKey.data,
				       m->presharedKeyAuthentication.presharedKey.size);
		m->presharedKeyAuthentication.presharedKey.size = 0;
		m->presharedKeyAuthentication.presharedKey.data = NULL;
	}
}

/* The keying modules a keying policy may allow (fwpmu.h). */
static bool known_keying_module(const GUID *g)
{
	return !memcmp(g, &FWPM_KEYING_MODULE_IKE, sizeof(*g)) ||
	       !memcmp(g, &FWPM_KEYING_MODULE_AUTHIP, sizeof(*g)) ||
	       !memcmp(g, &FWPM_KEYING_MODULE_IKEV2, sizeof(*g));
}

#define KEY_MODS_MAX 16		/* the wire's cap too (wire/schema.c) */

/* 1 to KEY_MODS_MAX known keying modules, none twice. */
static DWORD check_keying(const IPSEC_KEYING_POLICY0 *k)
{
	if (!k)
		return FWP_E_NULL_POINTER;
	if (!k->numKeyMods)
		return FWP_E_ZERO_LENGTH_ARRAY;
	if (k->numKeyMods > KEY_MODS_MAX)
		return FWP_E_OUT_OF_BOUNDS;
	if (!k->keyModKeys)
		return FWP_E_NULL_POINTER;
	for (UINT32 i = 0; i < k->numKeyMods; i++) {
		if (!known_keying_module(&k->keyModKeys[i]))
			return FWP_E_INVALID_PARAMETER;
		for (UINT32 j = 0; j < i; j++)
			if (!memcmp(&k->keyModKeys[i], &k->keyModKeys[j], sizeof(GUID)))
				return FWP_E_INVALID_PARAMETER;
	}
	return ERROR_SUCCESS;
}

DWORD pol_context_validate(const FWPM_PROVIDER_CONTEXT1 *pc)
{
	if (!pc)
		return FWP_E_NULL_POINTER;
	if (!pc->displayData.name)
		return FWP_E_NULL_DISPLAY_NAME;
	if (pc->flags & ~(UINT32)PC_FLAGS_OK)
		return FWP_E_INVALID_FLAGS;
	if (pc->providerData.size && !pc->providerData.data)
		return FWP_E_NULL_POINTER;
	switch ((UINT32)pc->type) {
	case FWPM_IPSEC_KEYING_CONTEXT:
		return check_keying(pc->keyingPolicy);
	case FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT:
	case FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT:
	case FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT:	/* kept in the same slot */
		return check_transport(pc->ikeQmTransportPolicy);
	case FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT:
	case FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT:
		return check_tunnel(pc->ikeQmTunnelPolicy);
	case FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT:
		return check_tunnel(pc->ikeV2QmTunnelPolicy);
	case FWPM_IPSEC_IKE_MM_CONTEXT:
	case FWPM_IPSEC_AUTHIP_MM_CONTEXT:
		return check_mm(pc->ikeMmPolicy, false);
	case FWPM_IPSEC_IKEV2_MM_CONTEXT:
		return check_mm(pc->ikeV2MmPolicy, true);
	default:
		if ((UINT32)pc->type >= FWPM_PROVIDER_CONTEXT_TYPE_MAX)
			return FWP_E_INVALID_ENUMERATOR;
		return ERROR_NOT_SUPPORTED;
	}
}

DWORD pol_context_add(struct engine_session *s, const FWPM_PROVIDER_CONTEXT1 *pc,
		      UINT64 *id)
{
	struct engine *e = s->e;
	FWPM_PROVIDER_CONTEXT1 copy;
	struct pol_obj *r;
	DWORD rc = pol_context_validate(pc);

	if (rc)
		return rc;
	copy = *pc;
	if (pol_guid_is_zero(&copy.providerContextKey))
		fwp_random_bytes(&copy.providerContextKey, sizeof(copy.providerContextKey));
	copy.providerContextId = 0;
	r = pol_obj_new(POL_CONTEXT);
	if (!r)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (wf_clone(&wf_FWPM_PROVIDER_CONTEXT1, &copy, &r->blob, &r->size)) {
		pol_obj_free(r);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r->key = copy.providerContextKey;
	rc = pol_lock_for_write(s, FWPM_ACTRL_ADD);
	if (rc) {
		pol_obj_free(r);
		return rc;
	}
	if (pol_find_key(e, POL_CONTEXT, &r->key)) {
		rc = FWP_E_ALREADY_EXISTS;
		goto out;
	}
	if (pc->providerKey) {
		struct pol_obj *p = pol_find_key(e, POL_PROVIDER, pc->providerKey);

		if (!p) {
			rc = FWP_E_PROVIDER_NOT_FOUND;
			goto out;
		}
		rc = pol_check_lifetime(s, r, p);
		if (rc)
			goto out;
		r->provider = p;
	}
	rc = pol_insert(s, r);
	if (rc) {
		r->provider = NULL;
		goto out;
	}
	if (id)
		*id = r->id;
	r = NULL;
out:
	pthread_mutex_unlock(&e->lock);
	pol_obj_free(r);
	return rc;
}
