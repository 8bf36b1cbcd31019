/* sa_bind.c - what an SA context is bound to: the transport filter named by
 * ipsecFilterId, or the quick-mode tunnel policy (a provider context) named
 * by tunnelPolicyId (docs/CONTRACT.md, "Binding").
 *
 * A bound object is referenced: its refs count the context's directions
 * that name it, so deleting it while a context uses it is FWP_E_IN_USE.
 * Locking: the engine lock is held by every caller.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "engine/engine_internal.h"

DWORD sa_bind_lookup(struct engine *e, const IPSEC_TRAFFIC1 *t, struct pol_obj **out)
{
	struct pol_obj *r;
	bool v6;

	*out = NULL;
	if (t->trafficType == IPSEC_TRAFFIC_TYPE_TRANSPORT) {
		/* 0: the selectors are the traffic's own addresses. */
		if (!t->ipsecFilterId)
			return ERROR_SUCCESS;
		r = pol_find_id(e, POL_FILTER, t->ipsecFilterId);
		if (r && (r->txn_owner || r->pend_del))
			r = NULL;	/* not committed yet, or being deleted */
		if (!r || !pol_layer_is_transport(&((FWPM_FILTER0 *)r->blob)->layerKey, &v6))
			return FWP_E_FILTER_NOT_FOUND;
		if (v6 != (t->ipVersion == FWP_IP_VERSION_V6))
			return FWP_E_TRAFFIC_MISMATCH;
		/* Made now, so that every later export finds it. */
		if (!pol_obj_encoding(r))
			return ERROR_NOT_ENOUGH_MEMORY;
	} else {
		const FWPM_PROVIDER_CONTEXT1 *pc;

		r = pol_find_id(e, POL_CONTEXT, t->tunnelPolicyId);
		if (!r || r->txn_owner || r->pend_del)
			return FWP_E_PROVIDER_CONTEXT_NOT_FOUND;
		pc = r->blob;
		if (pc->type != FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT &&
		    pc->type != FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT &&
		    pc->type != FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT)
			return FWP_E_PROVIDER_CONTEXT_MISMATCH;
	}
	*out = r;
	return ERROR_SUCCESS;
}

void sa_bind_set(struct pol_obj **slot, struct pol_obj *r)
{
	if (*slot)
		(*slot)->refs--;
	*slot = r;
	if (r)
		r->refs++;
}

const struct nlattr *sa_bound_filter(const struct sa_context *c, FWP_DIRECTION dir)
{
	const struct pol_obj *r = dir == FWP_DIRECTION_INBOUND ? c->bound_in : c->bound_out;

	if (!r || r->kind != POL_FILTER || !r->enc)
		return NULL;
	return mnl_nlmsg_get_payload(r->enc);
}

void sa_bind_release(struct sa_context *c)
{
	sa_bind_set(&c->bound_in, NULL);
	sa_bind_set(&c->bound_out, NULL);
}

/* One address condition as a prefix; false for other fields and shapes. */
static bool cond_prefix(const FWPM_FILTER_CONDITION0 *fc, int *family,
			uint8_t addr[16], unsigned *plen)
{
	const FWP_CONDITION_VALUE0 *v = &fc->conditionValue;
	uint32_t n;

	if (fc->matchType != FWP_MATCH_EQUAL)
		return false;
	memset(addr, 0, 16);
	switch (v->type) {
	case FWP_UINT32:
		n = htonl(v->uint32);
		memcpy(addr, &n, 4);
		*family = AF_INET;
		*plen = 32;
		return true;
	case FWP_V4_ADDR_MASK:
		if (!v->v4AddrMask)
			return false;
		n = htonl(v->v4AddrMask->addr & v->v4AddrMask->mask);
		memcpy(addr, &n, 4);
		*family = AF_INET;
		*plen = (unsigned)__builtin_popcount(v->v4AddrMask->mask);
		return true;
	case FWP_BYTE_ARRAY16_TYPE:
		if (!v->byteArray16)
			return false;
		memcpy(addr, v->byteArray16->byteArray16, 16);
		*family = AF_INET6;
		*plen = 128;
		return true;
	case FWP_V6_ADDR_MASK:
		if (!v->v6AddrMask || v->v6AddrMask->prefixLength > 128)
			return false;
		memcpy(addr, v->v6AddrMask->addr, 16);
		*family = AF_INET6;
		*plen = v->v6AddrMask->prefixLength;
		return true;
	default:
		return false;
	}
}

void engine_filter_prefixes(const FWPM_FILTER0 *f, engine_prefix_fn fn, void *arg)
{
	uint8_t addr[16];
	unsigned plen;
	int family;

	for (UINT32 i = 0; i < f->numFilterConditions; i++) {
		const FWPM_FILTER_CONDITION0 *fc = &f->filterCondition[i];
		bool remote;

		if (!memcmp(&fc->fieldKey, &FWPM_CONDITION_IP_REMOTE_ADDRESS, sizeof(GUID)))
			remote = true;
		else if (!memcmp(&fc->fieldKey, &FWPM_CONDITION_IP_LOCAL_ADDRESS, sizeof(GUID)))
			remote = false;
		else
			continue;
		if (cond_prefix(fc, &family, addr, &plen))
			fn(arg, remote, family, addr, plen);
	}
}
