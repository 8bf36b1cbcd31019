/* convert_policy_v0.c - FWPM_PROVIDER_CONTEXT0 <-> FWPM_PROVIDER_CONTEXT1.
 *
 * The two differ only in the policies the union points to:
 * IPSEC_TUNNEL_POLICY0's endpoints lack localIfLuid (so the layouts
 * differ), IPSEC_TRANSPORT_POLICY0/1 differ only in the emPolicy type, and
 * IKEEXT_POLICY0/1 in retransmitDurationSecs and the authentication-method
 * arrays (64-byte IKEEXT_AUTHENTICATION_METHOD0, 80-byte ...1).
 * Towards version 1 the conversion is shallow (the engine copies); back to
 * version 0 a shallow version-0 view is deep-copied with the wire codec
 * into one allocation. Nothing here locks or owns anything.
 */
#include <stdlib.h>
#include <string.h>

#include "client/api_policy.h"
#include "wire/codec.h"

static bool is_tunnel(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT ||
	       t == FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT;
}

static bool is_transport(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT ||
	       t == FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT;
}

static bool is_mm(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_MM_CONTEXT || t == FWPM_IPSEC_AUTHIP_MM_CONTEXT;
}

/* A method's arm, version 0 to 1 (the pre-shared key gains flags, 0). */
static void method0_to_1(const IKEEXT_AUTHENTICATION_METHOD0 *in,
			 IKEEXT_AUTHENTICATION_METHOD1 *out)
{
	memset(out, 0, sizeof(*out));
	out->authenticationMethodType = in->authenticationMethodType;
	switch (in->authenticationMethodType) {
	case IKEEXT_PRESHARED_KEY:
		out->presharedKeyAuthentication.presharedKey =
			in->presharedKeyAuthentication.presharedKey;
		break;
	case IKEEXT_KERBEROS:
	case IKEEXT_NTLM_V2:	/* one UINT32 flags at the same offset */
		out->kerberosAuthentication.flags = in->kerberosAuthentication.flags;
		break;
	default:		/* refused by the engine, or no arm */
		break;
	}
}

static void method1_to_0(const IKEEXT_AUTHENTICATION_METHOD1 *in,
			 IKEEXT_AUTHENTICATION_METHOD0 *out)
{
	memset(out, 0, sizeof(*out));
	out->authenticationMethodType = in->authenticationMethodType;
	switch (in->authenticationMethodType) {
	case IKEEXT_PRESHARED_KEY:
		out->presharedKeyAuthentication.presharedKey =
			in->presharedKeyAuthentication.presharedKey;
		break;
	case IKEEXT_KERBEROS:
	case IKEEXT_NTLM_V2:
		out->kerberosAuthentication.flags = in->kerberosAuthentication.flags;
		break;
	default:
		break;
	}
}

/* The policy head that both versions share. */
#define COPY_MM(out, in) do { \
	(out)->softExpirationTime = (in)->softExpirationTime; \
	(out)->numAuthenticationMethods = (in)->numAuthenticationMethods; \
	(out)->initiatorImpersonationType = (in)->initiatorImpersonationType; \
	(out)->numIkeProposals = (in)->numIkeProposals; \
	(out)->ikeProposals = (in)->ikeProposals; \
	(out)->flags = (in)->flags; \
	(out)->maxDynamicFilters = (in)->maxDynamicFilters; \
} while (0)

/* Past MM_METHODS_MAX methods the array is passed on uncopied: both the
 * wire encoder and the engine refuse the count before reading an element
 * (FWP_E_OUT_OF_BOUNDS). A NULL array stays NULL for the engine to report. */
#define MM_METHODS_MAX 16

static DWORD mm0_to_1(const IKEEXT_POLICY0 *in, struct pc0_scratch *s)
{
	UINT32 n = in->numAuthenticationMethods;

	memset(&s->mm, 0, sizeof(s->mm));
	COPY_MM(&s->mm, in);
	if (!n || !in->authenticationMethods || n > MM_METHODS_MAX) {
		s->mm.authenticationMethods = (IKEEXT_AUTHENTICATION_METHOD1 *)(void *)
			in->authenticationMethods;
		return ERROR_SUCCESS;
	}
	s->methods = calloc(n, sizeof(*s->methods));
	if (!s->methods)
		return ERROR_NOT_ENOUGH_MEMORY;
	for (UINT32 i = 0; i < n; i++)
		method0_to_1(&in->authenticationMethods[i], &s->methods[i]);
	s->mm.authenticationMethods = s->methods;
	return ERROR_SUCCESS;
}

void pc0_scratch_free(struct pc0_scratch *s)
{
	free(s->methods);	/* holds pointers to the caller's keys, not keys */
	s->methods = NULL;
}

/* The common head; the union pointer is carried as is (all arms alias). */
#define COPY_HEAD(out, in) do { \
	(out)->providerContextKey = (in)->providerContextKey; \
	(out)->displayData = (in)->displayData; \
	(out)->flags = (in)->flags; \
	(out)->providerKey = (in)->providerKey; \
	(out)->providerData = (in)->providerData; \
	(out)->type = (in)->type; \
	memcpy(&(out)->keyingPolicy, &(in)->keyingPolicy, sizeof(void *)); \
	(out)->providerContextId = (in)->providerContextId; \
} while (0)

DWORD pcontext0_to_1(const FWPM_PROVIDER_CONTEXT0 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc0_scratch *s)
{
	IPSEC_TUNNEL_POLICY1 *tp1 = &s->tp;
	IPSEC_TRANSPORT_POLICY1 *tr1 = &s->tr;

	s->methods = NULL;
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
	/* Version 0 has no arm for the types added after it (IKEv2, DoS
	 * protection): a policy there is some other struct, never to be read
	 * as a version-1 one. Reads give these types a NULL policy too. */
	if (in->type >= FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT &&
	    in->type < FWPM_PROVIDER_CONTEXT_TYPE_MAX && in->keyingPolicy)
		return ERROR_INVALID_PARAMETER;
	if (is_mm(in->type) && in->ikeMmPolicy) {
		out->ikeMmPolicy = &s->mm;
		return mm0_to_1(in->ikeMmPolicy, s);
	}
	if (is_tunnel(in->type) && in->ikeQmTunnelPolicy) {
		const IPSEC_TUNNEL_POLICY0 *t = in->ikeQmTunnelPolicy;

		memset(tp1, 0, sizeof(*tp1));
		tp1->flags = t->flags;
		tp1->numIpsecProposals = t->numIpsecProposals;
		tp1->ipsecProposals = t->ipsecProposals;
		tp1->tunnelEndpoints.ipVersion = t->tunnelEndpoints.ipVersion;
		memcpy(tp1->tunnelEndpoints.localV6Address,
		       t->tunnelEndpoints.localV6Address, 16);
		memcpy(tp1->tunnelEndpoints.remoteV6Address,
		       t->tunnelEndpoints.remoteV6Address, 16);
		tp1->saIdleTimeout = t->saIdleTimeout;
		/* The engine refuses any emPolicy; only its presence matters. */
		tp1->emPolicy = (IKEEXT_EM_POLICY1 *)(void *)t->emPolicy;
		out->ikeQmTunnelPolicy = tp1;
	} else if (is_transport(in->type) && in->ikeQmTransportPolicy) {
		const IPSEC_TRANSPORT_POLICY0 *t = in->ikeQmTransportPolicy;

		memset(tr1, 0, sizeof(*tr1));
		tr1->numIpsecProposals = t->numIpsecProposals;
		tr1->ipsecProposals = t->ipsecProposals;
		tr1->flags = t->flags;
		tr1->ndAllowClearTimeoutSeconds = t->ndAllowClearTimeoutSeconds;
		tr1->saIdleTimeout = t->saIdleTimeout;
		tr1->emPolicy = (IKEEXT_EM_POLICY1 *)(void *)t->emPolicy;
		out->ikeQmTransportPolicy = tr1;
	}
	return ERROR_SUCCESS;
}

struct view {
	FWPM_PROVIDER_CONTEXT0		pc0;
	IPSEC_TUNNEL_POLICY0		tp0;
	IPSEC_TRANSPORT_POLICY0		tr0;
	IKEEXT_POLICY0			mm0;
	IKEEXT_AUTHENTICATION_METHOD0	*methods;	/* allocated */
};

/* A version-0 main-mode policy: IKEv2 has no version-0 arm, so only the
 * IKE and AuthIP types come here. */
static int view_mm0(const IKEEXT_POLICY1 *in, struct view *v)
{
	UINT32 n = in->authenticationMethods ? in->numAuthenticationMethods : 0;

	memset(&v->mm0, 0, sizeof(v->mm0));
	COPY_MM(&v->mm0, in);
	if (n) {
		v->methods = calloc(n, sizeof(*v->methods));
		if (!v->methods)
			return -1;
		for (UINT32 i = 0; i < n; i++)
			method1_to_0(&in->authenticationMethods[i], &v->methods[i]);
	}
	v->mm0.authenticationMethods = v->methods;
	v->mm0.numAuthenticationMethods = n;
	v->pc0.ikeMmPolicy = &v->mm0;
	return 0;
}

/* A shallow version-0 view of in, in *v. */
static int view0(const FWPM_PROVIDER_CONTEXT1 *in, struct view *v)
{
	FWPM_PROVIDER_CONTEXT0 *out = &v->pc0;
	IPSEC_TUNNEL_POLICY0 *tp0 = &v->tp0;
	IPSEC_TRANSPORT_POLICY0 *tr0 = &v->tr0;

	v->methods = NULL;
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
	if (is_mm(in->type) && in->ikeMmPolicy)
		return view_mm0(in->ikeMmPolicy, v);
	if (in->type >= FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT)
		out->keyingPolicy = NULL;	/* no version-0 arm */
	if (is_tunnel(in->type) && in->ikeQmTunnelPolicy) {
		const IPSEC_TUNNEL_POLICY1 *t = in->ikeQmTunnelPolicy;

		memset(tp0, 0, sizeof(*tp0));
		tp0->flags = t->flags;
		tp0->numIpsecProposals = t->numIpsecProposals;
		tp0->ipsecProposals = t->ipsecProposals;
		tp0->tunnelEndpoints.ipVersion = t->tunnelEndpoints.ipVersion;
		memcpy(tp0->tunnelEndpoints.localV6Address,
		       t->tunnelEndpoints.localV6Address, 16);
		memcpy(tp0->tunnelEndpoints.remoteV6Address,
		       t->tunnelEndpoints.remoteV6Address, 16);
		tp0->saIdleTimeout = t->saIdleTimeout;
		out->ikeQmTunnelPolicy = tp0;
	} else if (is_transport(in->type) && in->ikeQmTransportPolicy) {
		const IPSEC_TRANSPORT_POLICY1 *t = in->ikeQmTransportPolicy;

		memset(tr0, 0, sizeof(*tr0));
		tr0->numIpsecProposals = t->numIpsecProposals;
		tr0->ipsecProposals = t->ipsecProposals;
		tr0->flags = t->flags;
		tr0->ndAllowClearTimeoutSeconds = t->ndAllowClearTimeoutSeconds;
		tr0->saIdleTimeout = t->saIdleTimeout;
		out->ikeQmTransportPolicy = tr0;
	}
	return 0;
}

FWPM_PROVIDER_CONTEXT0 *pcontext1_to_0(const FWPM_PROVIDER_CONTEXT1 *in)
{
	struct view v;
	void *out = NULL;

	if (view0(in, &v) || wf_clone(&wf_FWPM_PROVIDER_CONTEXT0, &v.pc0, &out, NULL))
		out = NULL;
	free(v.methods);
	return out;
}

FWPM_PROVIDER_CONTEXT0 **pcontexts1_to_0(FWPM_PROVIDER_CONTEXT1 *const *in, UINT32 n)
{
	struct view *v = calloc(n, sizeof(*v));
	const void **src = calloc(n, sizeof(*src));
	void **out = NULL;
	bool ok = v && src;

	for (UINT32 i = 0; ok && i < n; i++) {
		ok = !view0(in[i], &v[i]);
		src[i] = &v[i].pc0;
	}
	if (ok && wf_clone_array(&wf_FWPM_PROVIDER_CONTEXT0, src, n, &out))
		out = NULL;
	for (UINT32 i = 0; v && i < n; i++)
		free(v[i].methods);
	free(v);
	free(src);
	return (FWPM_PROVIDER_CONTEXT0 **)out;
}
