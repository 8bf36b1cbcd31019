/* api_tunnel.c - FwpmIPsecTunnelAdd0/1/2/3 and FwpmIPsecTunnelDeleteByKey0,
 * composed from the public policy calls so that both transports carry
 * them unchanged (docs/CONTRACT.md, "IPsec tunnel helpers").
 *
 * A tunnel is: the optional main-mode context (IKE, AuthIP or IKEv2), the quick-mode tunnel
 * context (whose providerContextKey K names the tunnel), and two filters
 * in FWPM_SUBLAYER_IPSEC_TUNNEL with the caller's conditions, at the
 * inbound and outbound transport layers of the tunnel's IP version, with
 * the IPsec tunnel callouts and K as provider context. The filters' keys
 * are derived from K (so that DeleteByKey finds them), and the outbound
 * filter's providerData holds the main-mode context's key. Everything is
 * added in one transaction: the caller's when one is open (undone by hand
 * on failure), else its own. Each object gets the caller's descriptor.
 */
#include <string.h>

#include "client/api_policy.h"

static GUID derived_key(const GUID *k, UINT8 which)
{
	GUID g = *k;

	g.Data4[7] ^= which;
	g.Data4[6] ^= 0x5a;
	return g;
}

static bool is_zero(const GUID *g)
{
	static const GUID zero;

	return memcmp(g, &zero, sizeof(zero)) == 0;
}

struct tunnel_txn {
	HANDLE h;
	bool own;
	PSECURITY_DESCRIPTOR sd;	/* every object's (NULL: the default) */
};

static DWORD txn_open(struct tunnel_txn *t, HANDLE h)
{
	DWORD rc = FwpmTransactionBegin0(h, 0);

	t->h = h;
	t->own = rc == ERROR_SUCCESS;
	return rc == FWP_E_TXN_IN_PROGRESS ? ERROR_SUCCESS : rc;
}

static DWORD add_filter(const struct tunnel_txn *t, const GUID *key, bool out, bool v6,
			const FWPM_PROVIDER_CONTEXT1 *qm, UINT32 n,
			const FWPM_FILTER_CONDITION0 *conds, const GUID *mm_key,
			UINT64 *id)
{
	FWPM_FILTER0 f;

	memset(&f, 0, sizeof(f));
	f.filterKey = *key;
	f.displayData.name = out ? L"IPsec tunnel (outbound)" : L"IPsec tunnel (inbound)";
	f.flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT |
		  (qm->flags & FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT ?
		   FWPM_FILTER_FLAG_PERSISTENT : 0);
	f.providerKey = qm->providerKey;
	if (out && mm_key) {
		f.providerData.size = sizeof(*mm_key);
		f.providerData.data = (UINT8 *)mm_key;
	}
	f.layerKey = out ? (v6 ? FWPM_LAYER_OUTBOUND_TRANSPORT_V6 : FWPM_LAYER_OUTBOUND_TRANSPORT_V4)
			 : (v6 ? FWPM_LAYER_INBOUND_TRANSPORT_V6 : FWPM_LAYER_INBOUND_TRANSPORT_V4);
	f.subLayerKey = FWPM_SUBLAYER_IPSEC_TUNNEL;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = out ?
		(v6 ? FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6 : FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4) :
		(v6 ? FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6 : FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4);
	f.providerContextKey = qm->providerContextKey;
	f.numFilterConditions = n;
	f.filterCondition = (FWPM_FILTER_CONDITION0 *)conds;
	return FwpmFilterAdd0(t->h, &f, t->sd, id);
}

static bool address_condition(const GUID *k)
{
	return !memcmp(k, &FWPM_CONDITION_IP_LOCAL_ADDRESS, sizeof(*k)) ||
	       !memcmp(k, &FWPM_CONDITION_IP_REMOTE_ADDRESS, sizeof(*k));
}

static DWORD tunnel_add(HANDLE h, UINT32 flags, const FWPM_PROVIDER_CONTEXT1 *mm,
			const FWPM_PROVIDER_CONTEXT1 *qm_in, UINT32 n,
			const FWPM_FILTER_CONDITION0 *conds, PSECURITY_DESCRIPTOR sd)
{
	FWPM_PROVIDER_CONTEXT1 qm, mmc;
	struct tunnel_txn t;
	UINT64 ids[4] = { 0 };	/* mm, qm, in, out */
	GUID kin, kout;
	bool v6;
	DWORD rc;

	if (!qm_in || (n && !conds))
		return FWP_E_NULL_POINTER;
	if (flags & ~(UINT32)(FWPM_TUNNEL_FLAG_POINT_TO_POINT |
			      FWPM_TUNNEL_FLAG_ENABLE_VIRTUAL_IF_TUNNELING))
		return FWP_E_INVALID_FLAGS;
	if ((qm_in->type != FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT &&
	     qm_in->type != FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT &&
	     qm_in->type != FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT) || !qm_in->ikeQmTunnelPolicy)
		return FWP_E_INVALID_PARAMETER;	/* the tunnel arms alias */
	if (mm && mm->type != FWPM_IPSEC_IKE_MM_CONTEXT &&
	    mm->type != FWPM_IPSEC_AUTHIP_MM_CONTEXT && mm->type != FWPM_IPSEC_IKEV2_MM_CONTEXT)
		return FWP_E_INVALID_PARAMETER;
	for (UINT32 i = 0; !(flags & FWPM_TUNNEL_FLAG_POINT_TO_POINT) && i < n; i++)
		if (!address_condition(&conds[i].fieldKey))
			return FWP_E_INVALID_PARAMETER;
	qm = *qm_in;
	if (is_zero(&qm.providerContextKey))
		return FWP_E_INVALID_PARAMETER;	/* it names the tunnel */
	v6 = qm.ikeQmTunnelPolicy->tunnelEndpoints.ipVersion == FWP_IP_VERSION_V6;
	kin = derived_key(&qm.providerContextKey, 1);
	kout = derived_key(&qm.providerContextKey, 2);
	rc = txn_open(&t, h);
	if (rc)
		return rc;
	t.sd = sd;
	if (mm) {
		mmc = *mm;
		rc = FwpmProviderContextAdd1(h, &mmc, sd, &ids[0]);
	}
	if (!rc)
		rc = FwpmProviderContextAdd1(h, &qm, sd, &ids[1]);
	if (!rc)
		rc = add_filter(&t, &kin, false, v6, &qm, n, conds, NULL, &ids[2]);
	if (!rc)
		rc = add_filter(&t, &kout, true, v6, &qm, n, conds,
				mm ? &mm->providerContextKey : NULL, &ids[3]);
	if (t.own)
		return rc ? (FwpmTransactionAbort0(h), rc) : FwpmTransactionCommit0(h);
	if (rc) {	/* inside the caller's transaction: undo by hand */
		if (ids[3])
			FwpmFilterDeleteById0(h, ids[3]);
		if (ids[2])
			FwpmFilterDeleteById0(h, ids[2]);
		if (ids[1])
			FwpmProviderContextDeleteById0(h, ids[1]);
		if (ids[0])
			FwpmProviderContextDeleteById0(h, ids[0]);
	}
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd1(HANDLE engineHandle, UINT32 flags,
	const FWPM_PROVIDER_CONTEXT1 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT1 *tunnelPolicy, UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions, const GUID *keyModKey,
	PSECURITY_DESCRIPTOR sd)
{
	return tunnel_add(engineHandle, flags, mainModePolicy, tunnelPolicy,
			  numFilterConditions, filterConditions, sd);
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd0(HANDLE engineHandle, UINT32 flags,
	const FWPM_PROVIDER_CONTEXT0 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT0 *tunnelPolicy, UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions, PSECURITY_DESCRIPTOR sd)
{
	FWPM_PROVIDER_CONTEXT1 mm1, qm1;
	struct pc0_scratch s[2] = { 0 };
	DWORD rc = ERROR_SUCCESS;

	if (!tunnelPolicy)
		return FWP_E_NULL_POINTER;
	if (mainModePolicy)
		rc = pcontext0_to_1(mainModePolicy, &mm1, &s[0]);
	if (!rc)
		rc = pcontext0_to_1(tunnelPolicy, &qm1, &s[1]);
	if (!rc)
		rc = tunnel_add(engineHandle, flags, mainModePolicy ? &mm1 : NULL, &qm1,
				numFilterConditions, filterConditions, sd);
	pc0_scratch_free(&s[0]);
	pc0_scratch_free(&s[1]);
	return rc;
}

/* Versions 2 and 3: converted to version 1 (convert_policy_v2.c), where
 * what version 1 cannot hold is refused before anything is added. */
static DWORD to_1(int version, const void *in, FWPM_PROVIDER_CONTEXT1 *out,
		  struct pc23_scratch *s)
{
	return version == 2 ? pcontext2_to_1(in, out, s) : pcontext3_to_1(in, out, s);
}

static DWORD tunnel_add23(HANDLE h, UINT32 flags, const void *mm, const void *qm,
			  int version, UINT32 n, const FWPM_FILTER_CONDITION0 *conds,
			  PSECURITY_DESCRIPTOR sd)
{
	FWPM_PROVIDER_CONTEXT1 mm1, qm1;
	struct pc23_scratch s[2] = { 0 };
	DWORD rc = ERROR_SUCCESS;

	if (!qm)
		return FWP_E_NULL_POINTER;
	if (mm)
		rc = to_1(version, mm, &mm1, &s[0]);
	if (!rc)
		rc = to_1(version, qm, &qm1, &s[1]);
	if (!rc)
		rc = tunnel_add(h, flags, mm ? &mm1 : NULL, &qm1, n, conds, sd);
	pc23_scratch_free(&s[0]);
	pc23_scratch_free(&s[1]);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd2(HANDLE engineHandle, UINT32 flags,
	const FWPM_PROVIDER_CONTEXT2 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT2 *tunnelPolicy, UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions, const GUID *keyModKey,
	PSECURITY_DESCRIPTOR sd)
{
	return tunnel_add23(engineHandle, flags, mainModePolicy, tunnelPolicy, 2,
			    numFilterConditions, filterConditions, sd);
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelAdd3(HANDLE engineHandle, UINT32 flags,
	const FWPM_PROVIDER_CONTEXT3 *mainModePolicy,
	const FWPM_PROVIDER_CONTEXT3 *tunnelPolicy, UINT32 numFilterConditions,
	const FWPM_FILTER_CONDITION0 *filterConditions, const GUID *keyModKey,
	PSECURITY_DESCRIPTOR sd)
{
	return tunnel_add23(engineHandle, flags, mainModePolicy, tunnelPolicy, 3,
			    numFilterConditions, filterConditions, sd);
}

FWP_EXPORT DWORD WINAPI FwpmIPsecTunnelDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	FWPM_PROVIDER_CONTEXT1 *qm = NULL;
	FWPM_FILTER0 *out = NULL;
	struct tunnel_txn t;
	GUID kin, kout, mm_key;
	bool have_mm = false;
	DWORD rc;

	if (!key)
		return FWP_E_NULL_POINTER;
	rc = txn_open(&t, engineHandle);
	if (rc)
		return rc;
	rc = FwpmProviderContextGetByKey1(engineHandle, key, &qm);
	if (rc)
		goto out;
	FwpmFreeMemory0((void **)&qm);
	kin = derived_key(key, 1);
	kout = derived_key(key, 2);
	if (FwpmFilterGetByKey0(engineHandle, &kout, &out) == ERROR_SUCCESS) {
		if (out->providerData.size == sizeof(mm_key) && out->providerData.data) {
			memcpy(&mm_key, out->providerData.data, sizeof(mm_key));
			have_mm = true;
		}
		FwpmFreeMemory0((void **)&out);
	}
	rc = FwpmFilterDeleteByKey0(engineHandle, &kin);
	if (rc == ERROR_SUCCESS || rc == FWP_E_FILTER_NOT_FOUND)
		rc = FwpmFilterDeleteByKey0(engineHandle, &kout);
	if (rc == ERROR_SUCCESS || rc == FWP_E_FILTER_NOT_FOUND)
		rc = FwpmProviderContextDeleteByKey0(engineHandle, key);
	if (rc == ERROR_SUCCESS && have_mm) {
		rc = FwpmProviderContextDeleteByKey0(engineHandle, &mm_key);
		if (rc == FWP_E_PROVIDER_CONTEXT_NOT_FOUND)
			rc = ERROR_SUCCESS;
	}
out:
	if (t.own)
		return rc ? (FwpmTransactionAbort0(engineHandle), rc)
			  : FwpmTransactionCommit0(engineHandle);
	return rc;
}
