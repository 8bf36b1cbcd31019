/* convert_policy_v0.c - FWPM_PROVIDER_CONTEXT0 <-> FWPM_PROVIDER_CONTEXT1.
 *
 * The two differ only in the quick-mode policies the union points to:
 * IPSEC_TUNNEL_POLICY0's endpoints lack localIfLuid (so the layouts
 * differ), IPSEC_TRANSPORT_POLICY0/1 differ only in the emPolicy type.
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

void pcontext0_to_1(const FWPM_PROVIDER_CONTEXT0 *in, FWPM_PROVIDER_CONTEXT1 *out,
		    IPSEC_TUNNEL_POLICY1 *tp1, IPSEC_TRANSPORT_POLICY1 *tr1)
{
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
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
}

/* A shallow version-0 view of in, using *tp0 / *tr0 for the policy. */
static void view0(const FWPM_PROVIDER_CONTEXT1 *in, FWPM_PROVIDER_CONTEXT0 *out,
		  IPSEC_TUNNEL_POLICY0 *tp0, IPSEC_TRANSPORT_POLICY0 *tr0)
{
	memset(out, 0, sizeof(*out));
	COPY_HEAD(out, in);
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
}

FWPM_PROVIDER_CONTEXT0 *pcontext1_to_0(const FWPM_PROVIDER_CONTEXT1 *in)
{
	FWPM_PROVIDER_CONTEXT0 pc0;
	IPSEC_TUNNEL_POLICY0 tp0;
	IPSEC_TRANSPORT_POLICY0 tr0;
	void *out = NULL;

	view0(in, &pc0, &tp0, &tr0);
	if (wf_clone(&wf_FWPM_PROVIDER_CONTEXT0, &pc0, &out, NULL))
		return NULL;
	return out;
}

FWPM_PROVIDER_CONTEXT0 **pcontexts1_to_0(FWPM_PROVIDER_CONTEXT1 *const *in, UINT32 n)
{
	struct view {
		FWPM_PROVIDER_CONTEXT0 pc0;
		IPSEC_TUNNEL_POLICY0 tp0;
		IPSEC_TRANSPORT_POLICY0 tr0;
	} *v = calloc(n, sizeof(*v));
	const void **src = calloc(n, sizeof(*src));
	void **out = NULL;

	if (v && src) {
		for (UINT32 i = 0; i < n; i++) {
			view0(in[i], &v[i].pc0, &v[i].tp0, &v[i].tr0);
			src[i] = &v[i].pc0;
		}
		if (wf_clone_array(&wf_FWPM_PROVIDER_CONTEXT0, src, n, &out))
			out = NULL;
	}
	free(v);
	free(src);
	return (FWPM_PROVIDER_CONTEXT0 **)out;
}
