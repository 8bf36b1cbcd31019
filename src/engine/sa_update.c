/* sa_update.c - IPsecSaContextUpdate0: change a live SA pair in place.
 *
 * Three phases, so that nothing is ever half-applied:
 *   1. validate every flagged field of both sides into a patch per side
 *      (struct sa_patch: the flagged values only, never keys);
 *   2. hand the patches to the backend as one pair update (it switches
 *      between two packets and applies both sides or neither);
 *   3. apply the patches to the record.
 * Keys, SPIs, lifetimes, sequence numbers and counters are never touched.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

#define UPDATE_ALL_FLAGS (IPSEC_SA_DETAILS_UPDATE_TRAFFIC | \
	IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION | IPSEC_SA_BUNDLE_UPDATE_FLAGS | \
	IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT | IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE | \
	IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS | IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)

/* The patch that leaves dir as it is, for the fields named by flags (the
 * base phase 1 writes the flagged values over). Only flagged fields are read: an update
 * touches as few cache lines of the record as it can. */
static void patch_from_current(const struct sa_dir *cur, uint64_t flags,
			       struct sa_patch *p)
{
	memset(p, 0, sizeof(*p));
	p->flags = flags & ~(uint64_t)IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE;
	if (flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC)
		p->traffic = cur->traffic;
	if (flags & (IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION |
		     IPSEC_SA_DETAILS_UPDATE_TRAFFIC)) {
		p->encap_on = cur->encap_on;
		p->encap = cur->encap;
	}
	if (flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS)
		p->bundle_flags = cur->bundle.flags;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
		p->nap_context = cur->bundle.nap_context;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS)
		p->peer_v4_private = cur->bundle.peer_v4_private;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
		p->mm_sa_id = cur->bundle.mm_sa_id;
}

/* Phase 1 for one side. */
static DWORD prepare_side(const struct sa_dir *cur, const IPSEC_SA_DETAILS1 *d,
			  UINT64 flags, struct sa_patch *p)
{
	const IPSEC_SA_BUNDLE1 *b = &d->saBundle;
	FWP_IP_VERSION version;
	DWORD rc;

	patch_from_current(cur, flags, p);
	p->flags = flags;
	version = (FWP_IP_VERSION)cur->ip_version;
	if (flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC) {
		const IPSEC_TRAFFIC1 *t = &d->traffic;

		rc = validate_traffic(t);
		if (rc)
			return rc;
		/* The kind of traffic and its policy binding are fixed. */
		if (t->trafficType != cur->traffic.trafficType ||
		    t->ipsecFilterId != cur->traffic.ipsecFilterId)
			return FWP_E_TRAFFIC_MISMATCH;
		p->traffic = *t;
		version = t->ipVersion;
	}
	if (flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION) {
		rc = validate_udp_encap(version, d->udpEncapsulation);
		if (rc)
			return rc;
		p->encap_on = d->udpEncapsulation != NULL;
		if (d->udpEncapsulation)
			p->encap = *d->udpEncapsulation;
		else
			memset(&p->encap, 0, sizeof(p->encap));
	}
	/* NAT-T is IPv4 only: a move to IPv6 must turn it off too. */
	if ((flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC) && version != FWP_IP_VERSION_V4 &&
	    p->encap_on)
		return FWP_E_INVALID_PARAMETER;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS) {
		rc = validate_bundle_flags(b->flags);
		if (rc)
			return rc;
		p->bundle_flags = b->flags;
	}
	if (flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
		p->nap_context = b->napContext;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS) {
		if (version != FWP_IP_VERSION_V4)
			return FWP_E_INVALID_PARAMETER;
		p->peer_v4_private = b->peerV4PrivateAddress;
	}
	if (flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
		p->mm_sa_id = b->mmSaId;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE) {
		rc = validate_keymod(b->keyModuleState);
		if (rc)
			return rc;
		if (b->keyModuleState) {
			p->keymod = keymod_dup(b->keyModuleState);
			if (!p->keymod)
				return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	return ERROR_SUCCESS;
}

static void keymod_free(struct sa_keymod *k)
{
	if (k) {
		explicit_bzero(k->blob, k->size);
		free(k);
	}
}

/* Phase 3: the patch's keymod moves into the record. */
static void apply_patch(struct sa_dir *d, struct sa_patch *p)
{
	if (p->flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC) {
		d->traffic = p->traffic;
		d->ip_version = (uint8_t)p->traffic.ipVersion;
		d->bundle.ip_version = d->ip_version;
	}
	if (p->flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION) {
		d->encap_on = p->encap_on;
		d->encap = p->encap;
	}
	if (p->flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS)
		d->bundle.flags = p->bundle_flags;
	if (p->flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
		d->bundle.nap_context = p->nap_context;
	if (p->flags & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS)
		d->bundle.peer_v4_private = p->peer_v4_private;
	if (p->flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
		d->bundle.mm_sa_id = p->mm_sa_id;
	if (p->flags & IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE) {
		keymod_free(d->bundle.keymod);
		d->bundle.keymod = p->keymod;
		p->keymod = NULL;
	}
}

DWORD engine_sa_update(struct engine_session *s, UINT64 flags,
		       const IPSEC_SA_CONTEXT1 *v)
{
	struct engine *e = s->e;
	struct sa_context *c;
	struct sa_patch patch[2];	/* [0] inbound, [1] outbound */
	const IPSEC_SA_DETAILS1 *side[2];
	struct sa_dir *cur[2];
	DWORD rc;

	if (!v)
		return FWP_E_NULL_POINTER;
	if (flags & ~(UINT64)UPDATE_ALL_FLAGS)
		return FWP_E_INVALID_FLAGS;
	rc = session_check_sadb(s, FWPM_ACTRL_WRITE);
	if (rc)
		return rc;
	patch[0].keymod = patch[1].keymod = NULL;	/* freed at out: */
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		rc = FWP_E_TXN_IN_PROGRESS;
		goto out;
	}
	c = engine_find(e, v->saContextId);
	if (!c) {
		rc = FWP_E_NOT_FOUND;
		goto out;
	}
	if (c->state != SA_INBOUND && c->state != SA_MATURE) {
		rc = FWP_E_INCOMPATIBLE_SA_STATE;
		goto out;
	}
	side[0] = v->inboundSa;
	side[1] = v->outboundSa;
	cur[0] = &c->in;
	cur[1] = &c->out;
	if (!side[0] && !side[1]) {
		rc = FWP_E_NULL_POINTER;
		goto out;
	}
	if (side[1] && !c->out.live) {
		rc = FWP_E_INCOMPATIBLE_SA_STATE;
		goto out;
	}
	if (flags == 0)
		goto out;

	for (int i = 0; i < 2; i++) {
		if (side[i] && (rc = prepare_side(cur[i], side[i], flags, &patch[i])))
			goto out;
	}
	/* The backend applies both sides or neither. */
	{
		const struct sa_patch *pp[2];
		int err;

		pp[FWP_DIRECTION_INBOUND] = side[0] ? &patch[0] : NULL;
		pp[FWP_DIRECTION_OUTBOUND] = side[1] ? &patch[1] : NULL;
		err = engine_be_update(e, c, pp);
		if (err) {
			rc = errno_to_win(err);
			goto out;
		}
	}
	for (int i = 0; i < 2; i++)
		if (side[i])
			apply_patch(cur[i], &patch[i]);
	subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_UPDATE, flags);
out:
	pthread_mutex_unlock(&e->lock);
	keymod_free(patch[0].keymod);
	keymod_free(patch[1].keymod);
	return rc;
}
