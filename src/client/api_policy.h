/* api_policy.h - helpers of the policy-object API files (api_provider.c,
 * api_filter.c, api_provider_context.c).
 *
 * Every call goes through the transport's pol_* operations; a transport
 * that leaves one NULL (the service, for now) makes the call answer
 * ERROR_CALL_NOT_IMPLEMENTED, never call through NULL.
 */
#ifndef FWP_CLIENT_API_POLICY_H
#define FWP_CLIENT_API_POLICY_H

#include "client/api.h"
#include "client/transport.h"

#define POL_OP(c, op, ...) \
	((c)->ops->op ? (c)->ops->op((c), __VA_ARGS__) : ERROR_CALL_NOT_IMPLEMENTED)

#define BY_KEY(k) (&(struct pol_ref){ .by_key = true, .key = (k) })
#define BY_ID(i) (&(struct pol_ref){ .by_key = false, .id = (i) })

/* api_provider.c: shared by every kind. */
DWORD pol_enum_create_handle(struct fwp_client *c, enum pol_kind k,
			     const void *tmpl, HANDLE *out);
DWORD pol_enum_handle(struct fwp_client *c, enum pol_kind k, HANDLE eh);

/* convert_policy_v0.c: provider contexts, version 0 <-> 1. */
/* Where a version-1 view of a version-0 context keeps its rebuilt policy. */
struct pc0_scratch {
	IPSEC_TUNNEL_POLICY1		tp;
	IPSEC_TRANSPORT_POLICY1		tr;
	IKEEXT_POLICY1			mm;
	IKEEXT_AUTHENTICATION_METHOD1	*methods;	/* allocated */
};

/* Shallow: *out points into *in, except the policy, rebuilt in *s (the
 * main-mode methods differ in size, so they are copied into an array
 * pc0_scratch_free releases). ERROR_NOT_ENOUGH_MEMORY or success. */
DWORD pcontext0_to_1(const FWPM_PROVIDER_CONTEXT0 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc0_scratch *s);
void pc0_scratch_free(struct pc0_scratch *s);
/* New single allocations; NULL when out of memory. */
FWPM_PROVIDER_CONTEXT0 *pcontext1_to_0(const FWPM_PROVIDER_CONTEXT1 *in);
FWPM_PROVIDER_CONTEXT0 **pcontexts1_to_0(FWPM_PROVIDER_CONTEXT1 *const *in, UINT32 n);

/* convert_policy_v2.c: provider contexts, versions 2 and 3 <-> 1. */
struct pc23_scratch {
	IPSEC_KEYING_POLICY0		kp;
	IPSEC_TUNNEL_POLICY1		tp;
	IPSEC_TRANSPORT_POLICY1		tr;
	IKEEXT_POLICY1			mm;
	IKEEXT_AUTHENTICATION_METHOD1	*methods;	/* allocated */
};

/* Shallow, as pcontext0_to_1; what version 1 cannot hold is
 * ERROR_NOT_SUPPORTED (the scratch is to be freed in every case). */
DWORD pcontext2_to_1(const FWPM_PROVIDER_CONTEXT2 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc23_scratch *s);
DWORD pcontext3_to_1(const FWPM_PROVIDER_CONTEXT3 *in, FWPM_PROVIDER_CONTEXT1 *out,
		     struct pc23_scratch *s);
void pc23_scratch_free(struct pc23_scratch *s);
/* New single allocations of version 2 or 3; NULL when out of memory. */
void *pcontext1_to_v(const FWPM_PROVIDER_CONTEXT1 *in, int version);
void **pcontexts1_to_v(FWPM_PROVIDER_CONTEXT1 *const *in, UINT32 n, int version);

#endif