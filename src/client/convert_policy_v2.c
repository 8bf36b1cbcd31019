/* convert_policy_v2.c - FWPM_PROVIDER_CONTEXT2/3 <-> FWPM_PROVIDER_CONTEXT1.
 *
 * The engine keeps version 1. Versions 2 and 3 have the same head and
 * union; they differ from version 1 in the policies it points to:
 * IPSEC_TRANSPORT_POLICY2 (the emPolicy type only), IPSEC_TUNNEL_POLICY2
 * (IPSEC_TUNNEL_ENDPOINTS2: a remote FQDN and extra remote addresses; a
 * forward-path SA lifetime) and IPSEC_TUNNEL_POLICY3 (a compartment and
 * traffic-selector policies), IKEEXT_POLICY2 (80-byte
 * IKEEXT_AUTHENTICATION_METHOD2: a Kerberos proxy server, a reserved arm),
 * IPSEC_KEYING_POLICY1 (flags).
 * Towards version 1 a member version 1 cannot hold is refused
 * (ERROR_NOT_SUPPORTED), never dropped; an extended-mode policy is
 * FWP_E_EM_NOT_SUPPORTED as in every version. Back from version 1 a
 * shallow version-3 view is deep-copied with the wire codec into one
 * allocation (a version-2 copy reads the view's tunnel policy through its
 * version-2 prefix, the layouts agreeing up to fwdPathSaLifetime).
 * Nothing here locks or owns anything.
 */
#include <stdlib.h>
#include <string.h>

#include "client/api_policy.h"
#include "wire/codec.h"

static bool is_tunnel(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT ||
	       t == FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT ||
	       t == FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT;
}

/* The IKEv2 arm (ikeV2QmTransportPolicy, versions 2 and 3 only) is the
 * union's one pointer like the others: version 1 records keep it where
 * ikeQmTransportPolicy is. */
static bool is_transport(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT ||
	       t == FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT ||
	       t == FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT;
}

static bool is_mm(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	return t == FWPM_IPSEC_IKE_MM_CONTEXT || t == FWPM_IPSEC_AUTHIP_MM_CONTEXT ||
	       t == FWPM_IPSEC_IKEV2_MM_CONTEXT;
}

/* The policy head all versions share. */
#define COPY_MM(out, in) do { \
	(out)->softExpirationTime = (in)->softExpirationTime; \
	(out)->numAuthenticationMethods = (in)->numAuthenticationMethods; \
	(out)->initiatorImpersonationType = (in)->initiatorImpersonationType; \
	(out)->numIkeProposals = (in)->numIkeProposals; \
	(out)->ikeProposals = (in)->ikeProposals; \
	(out)->flags = (in)->flags; \
	(out)->maxDynamicFilters = (in)->maxDynamicFilters; \
	(out)->retransmitDurationSecs = (in)->retransmitDurationSecs; \
} while (0)

#define COPY_HEAD(out, in) do { \
	(out)->providerContextKey = (in)->providerContextKey; \
	(out)->displayData = (in)->displayData; \
	(out)->flags = (in)->flags; \
	(out)->providerKey = (in)->providerKey; \
	(out)->providerData = (in)->providerData; \
	(out)->type = (in)->type; \
	(out)->providerContextId = (in)->providerContextId; \
} while (0)

/* Past MM_METHODS_MAX methods the array is passed on uncopied (as in
 * convert_policy_v0.c): the encoder and the engine refuse the count before
 * reading an element (FWP_E_OUT_OF_BOUNDS). */
#define MM_METHODS_MAX 16

static DWORD method2_to_1(const IKEEXT_AUTHENTICATION_METHOD2 *in,
			  IKEEXT_AUTHENTICATION_METHOD1 *out)
{
	memset(out, 0, sizeof(*out));
	out->authenticationMethodType = in->authenticationMethodType;
	switch (in->authenticationMethodType) {
	case IKEEXT_PRESHARED_KEY:
		out->presharedKeyAuthentication = in->presharedKeyAuthentication;
		break;
	case IKEEXT_KERBEROS:
		/* A proxy server has no place in version 1. */
		if (in->kerberosAuthentication.proxyServer)
			return ERROR_NOT_SUPPORTED;
		out->kerberosAuthentication.flags = in->kerberosAuthentication.flags;
		break;
	case IKEEXT_NTLM_V2:
		out->ntlmV2Authentication.flags = in->ntlmV2Authentication.flags;
		break;
	case IKEEXT_EAP:
		out->eapAuthentication.flags = in->eapAuthentication.flags;
		break;
	default:	/* the type alone: the engine refuses or needs no arm */
		break;
	}
	return ERROR_SUCCESS;
}

static void method1_to_2(const IKEEXT_AUTHENTICATION_METHOD1 *in,
			 IKEEXT_AUTHENTICATION_METHOD2 *out)
{
	memset(out, 0, sizeof(*out));
	out->authenticationMethodType = in->authenticationMethodType;
	switch (in->authenticationMethodType) {
	case IKEEXT_PRESHARED_KEY:
		out->presharedKeyAuthentication = in->presharedKeyAuthentication;
		break;
	case IKEEXT_KERBEROS:
		out->kerberosAuthentication.flags = in->kerberosAuthentication.flags;
		break;
	case IKEEXT_NTLM_V2:
		out->ntlmV2Authentication.flags = in->ntlmV2Authentication.flags;
		break;
	case IKEEXT_EAP:
		out->eapAuthentication.flags = in->eapAuthentication.flags;
		break;
	default:
		break;
	}
}

static DWORD mm2_to_1(const IKEEXT_POLICY2 *in, struct pc23_scratch *s)
{
	UINT32 n = in->numAuthenticationMethods;
	DWORD rc = ERROR_SUCCESS;

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
	for (UINT32 i = 0; i < n && !rc; i++)
		rc = method2_to_1(&in->authenticationMethods[i], &s->methods[i]);
	s->mm.authenticationMethods = s->methods;
	return rc;
}

/* A version-2 tunnel policy (in3: its version-3 extension, or NULL). */
static DWORD tunnel2_to_1(const IPSEC_TUNNEL_POLICY2 *t, const IPSEC_TUNNEL_POLICY3 *t3,
			  IPSEC_TUNNEL_POLICY1 *out)
{
	const IPSEC_TUNNEL_ENDPOINTS2 *e = &t->tunnelEndpoints;

	if (e->remoteFqdn || e->numAddresses || e->remoteAddresses ||
	    t->fwdPathSaLifetime)
		return ERROR_NOT_SUPPORTED;
	if (t3 && (t3->compartmentId || t3->numTrafficSelectorPolicy ||
		   t3->trafficSelectorPolicies))
		return ERROR_NOT_SUPPORTED;
	memset(out, 0, sizeof(*out));
	out->flags = t->flags;
	out->numIpsecProposals = t->numIpsecProposals;
	out->ipsecProposals = t->ipsecProposals;
	out->tunnelEndpoints.ipVersion = e->ipVersion;
	memcpy(out->tunnelEndpoints.localV6Address, e->localV6Address, 16);
	memcpy(out->tunnelEndpoints.remoteV6Address, e->remoteV6Address, 16);
	out->tunnelEndpoints.localIfLuid = e->localIfLuid;
	out->saIdleTimeout = t->saIdleTimeout;
	/* The engine refuses any emPolicy; only its presence matters. */
	out->emPolicy = (IKEEXT_EM_POLICY1 *)(void *)t->emPolicy;
	return ERROR_SUCCESS;
}

static void transport2_to_1(const IPSEC_TRANSPORT_POLICY2 *t, IPSEC_TRANSPORT_POLICY1 *out)
{
	memset(out, 0, sizeof(*out));
	out->numIpsecProposals = t->numIpsecProposals;
	out->ipsecProposals = t->ipsecProposals;
	out->flags = t->flags;
	out->ndAllowClearTimeoutSeconds = t->ndAllowClearTimeoutSeconds;
	out->saIdleTimeout = t->saIdleTimeout;
	out->emPolicy = (IKEEXT_EM_POLICY1 *)(void *)t->emPolicy;
}

/* IPSEC_KEYING_POLICY1's flags have no place in version 0. */
static DWORD keying1_to_0(const IPSEC_KEYING_POLICY1 *k, IPSEC_KEYING_POLICY0 *out)
{
	if (k->flags)
		return ERROR_NOT_SUPPORTED;
	out->numKeyMods = k->numKeyMods;
	out->keyModKeys = k->keyModKeys;
	return ERROR_SUCCESS;
}

/* Versions 2 and 3 share everything but the tunnel policy's extension. */
static DWORD to_1(const FWPM_PROVIDER_CONTEXT3 *in, bool v3, FWPM_PROVIDER_CONTEXT1 *out,
		  struct pc23_scratch *s)
{
	s->methods = NULL;
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
	/* The union's one pointer, whatever its arm: the engine refuses the
	 * types with no version-1 arm before reading it. */
	memcpy(&out->keyingPolicy, &in->keyingPolicy, sizeof(void *));
	if (in->type == FWPM_IPSEC_KEYING_CONTEXT && in->keyingPolicy) {
		out->keyingPolicy = &s->kp;
		return keying1_to_0(in->keyingPolicy, &s->kp);
	}
	if (is_mm(in->type) && in->ikeMmPolicy) {
		out->ikeMmPolicy = &s->mm;
		return mm2_to_1(in->ikeMmPolicy, s);
	}
	if (is_tunnel(in->type) && in->ikeQmTunnelPolicy) {
		out->ikeQmTunnelPolicy = &s->tp;
		return tunnel2_to_1((const IPSEC_TUNNEL_POLICY2 *)(const void *)
				    in->ikeQmTunnelPolicy, v3 ? in->ikeQmTunnelPolicy : NULL,
				    &s->tp);
	}
	if (is_transport(in->type) && in->ikeQmTransportPolicy) {
		transport2_to_1(in->ikeQmTransportPolicy, &s->tr);
		out->ikeQmTransportPolicy = &s->tr;
	}
	return ERROR_SUCCESS;
}

DWORD pcontext2_to_1(const FWPM_PROVIDER_CONTEXT2 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc23_scratch *s)
{
	/* Same layout as version 3; the tunnel policy is read as version 2. */
	return to_1((const FWPM_PROVIDER_CONTEXT3 *)(const void *)in, false, out, s);
}

DWORD pcontext3_to_1(const FWPM_PROVIDER_CONTEXT3 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc23_scratch *s)
{
	return to_1(in, true, out, s);
}

void pc23_scratch_free(struct pc23_scratch *s)
{
	free(s->methods);	/* holds pointers to the caller's keys, not keys */
	s->methods = NULL;
}

struct view {
	FWPM_PROVIDER_CONTEXT3		pc;
	IPSEC_KEYING_POLICY1		kp;
	IPSEC_TUNNEL_POLICY3		tp;
	IPSEC_TRANSPORT_POLICY2		tr;
	IKEEXT_POLICY2			mm;
	IKEEXT_AUTHENTICATION_METHOD2	*methods;	/* allocated */
};

static int view_mm(const IKEEXT_POLICY1 *in, struct view *v)
{
	UINT32 n = in->authenticationMethods ? in->numAuthenticationMethods : 0;

	memset(&v->mm, 0, sizeof(v->mm));
	COPY_MM(&v->mm, in);
	if (n) {
		v->methods = calloc(n, sizeof(*v->methods));
		if (!v->methods)
			return -1;
		for (UINT32 i = 0; i < n; i++)
			method1_to_2(&in->authenticationMethods[i], &v->methods[i]);
	}
	v->mm.authenticationMethods = v->methods;
	v->mm.numAuthenticationMethods = n;
	v->pc.ikeMmPolicy = &v->mm;
	return 0;
}

/* A shallow version-3 view of in, in *v. */
static int view(const FWPM_PROVIDER_CONTEXT1 *in, struct view *v)
{
	FWPM_PROVIDER_CONTEXT3 *out = &v->pc;

	v->methods = NULL;
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
	memcpy(&out->keyingPolicy, &in->keyingPolicy, sizeof(void *));
	if (in->type == FWPM_IPSEC_KEYING_CONTEXT && in->keyingPolicy) {
		v->kp.numKeyMods = in->keyingPolicy->numKeyMods;
		v->kp.keyModKeys = in->keyingPolicy->keyModKeys;
		v->kp.flags = 0;
		out->keyingPolicy = &v->kp;
		return 0;
	}
	if (is_mm(in->type) && in->ikeMmPolicy)
		return view_mm(in->ikeMmPolicy, v);
	if (is_tunnel(in->type) && in->ikeQmTunnelPolicy) {
		const IPSEC_TUNNEL_POLICY1 *t = in->ikeQmTunnelPolicy;

		memset(&v->tp, 0, sizeof(v->tp));
		v->tp.flags = t->flags;
		v->tp.numIpsecProposals = t->numIpsecProposals;
		v->tp.ipsecProposals = t->ipsecProposals;
		v->tp.tunnelEndpoints.ipVersion = t->tunnelEndpoints.ipVersion;
		memcpy(v->tp.tunnelEndpoints.localV6Address,
		       t->tunnelEndpoints.localV6Address, 16);
		memcpy(v->tp.tunnelEndpoints.remoteV6Address,
		       t->tunnelEndpoints.remoteV6Address, 16);
		v->tp.tunnelEndpoints.localIfLuid = t->tunnelEndpoints.localIfLuid;
		v->tp.saIdleTimeout = t->saIdleTimeout;
		out->ikeQmTunnelPolicy = &v->tp;
	} else if (is_transport(in->type) && in->ikeQmTransportPolicy) {
		const IPSEC_TRANSPORT_POLICY1 *t = in->ikeQmTransportPolicy;

		memset(&v->tr, 0, sizeof(v->tr));
		v->tr.numIpsecProposals = t->numIpsecProposals;
		v->tr.ipsecProposals = t->ipsecProposals;
		v->tr.flags = t->flags;
		v->tr.ndAllowClearTimeoutSeconds = t->ndAllowClearTimeoutSeconds;
		v->tr.saIdleTimeout = t->saIdleTimeout;
		out->ikeQmTransportPolicy = &v->tr;
	}
	return 0;
}

static const struct wf_struct *schema(int version)
{
	return version == 2 ? &wf_FWPM_PROVIDER_CONTEXT2 : &wf_FWPM_PROVIDER_CONTEXT3;
}

void *pcontext1_to_v(const FWPM_PROVIDER_CONTEXT1 *in, int version)
{
	struct view v;
	void *out = NULL;

	if (view(in, &v) || wf_clone(schema(version), &v.pc, &out, NULL))
		out = NULL;
	free(v.methods);
	return out;
}

void **pcontexts1_to_v(FWPM_PROVIDER_CONTEXT1 *const *in, UINT32 n, int version)
{
	struct view *v = calloc(n, sizeof(*v));
	const void **src = calloc(n, sizeof(*src));
	void **out = NULL;
	bool ok = v && src;

	for (UINT32 i = 0; ok && i < n; i++) {
		ok = !view(in[i], &v[i]);
		src[i] = &v[i].pc;
	}
	if (ok && wf_clone_array(schema(version), src, n, &out))
		out = NULL;
	for (UINT32 i = 0; v && i < n; i++)
		free(v[i].methods);
	free(v);
	free(src);
	return out;
}
