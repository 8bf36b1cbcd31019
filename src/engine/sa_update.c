/* sa_update.c - IPsecSaContextUpdate0: change a live SA pair in place.
 *
 * Three phases, so that nothing is ever half-applied:
 *   1. validate every flagged field of both sides and build the next state
 *      of each side in a private copy;
 *   2. hand the copies to the backend (which switches between two
 *      packets), undoing the first side if the second one fails;
 *   3. commit the copies into the record.
 * Keys, SPIs, lifetimes, sequence numbers and counters are never touched.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

#define UPDATE_ALL_FLAGS (IPSEC_SA_DETAILS_UPDATE_TRAFFIC | \
	IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION | IPSEC_SA_BUNDLE_UPDATE_FLAGS | \
	IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT | IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE | \
	IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS | IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)

/* Phase 1 for one side. next starts as a copy of cur; on success it holds
 * the side's next state and *new_keymod any freshly allocated state blob. */
static DWORD prepare_side(const struct sa_dir *cur, const IPSEC_SA_DETAILS1 *d,
			  UINT64 flags, struct sa_dir *next, bool *keymod_changed)
{
	const IPSEC_SA_BUNDLE1 *b = &d->saBundle;
	DWORD rc;

	*keymod_changed = false;
	if (flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC) {
		const IPSEC_TRAFFIC1 *t = &d->traffic;

		rc = validate_traffic(t);
		if (rc)
			return rc;
		/* The kind of traffic and its policy binding are fixed. */
		if (t->trafficType != cur->traffic.trafficType ||
		    t->ipsecFilterId != cur->traffic.ipsecFilterId)
			return FWP_E_TRAFFIC_MISMATCH;
		next->traffic = *t;
		next->bundle.ip_version = (uint8_t)t->ipVersion;
	}
	if (flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION) {
		rc = validate_udp_encap(next->traffic.ipVersion, d->udpEncapsulation);
		if (rc)
			return rc;
		next->encap_on = d->udpEncapsulation != NULL;
		if (d->udpEncapsulation)
			next->encap = *d->udpEncapsulation;
		else
			memset(&next->encap, 0, sizeof(next->encap));
	}
	/* NAT-T is IPv4 only: a move to IPv6 must turn it off too. */
	if (next->encap_on && next->traffic.ipVersion != FWP_IP_VERSION_V4)
		return FWP_E_INVALID_PARAMETER;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS) {
		rc = validate_bundle_flags(b->flags);
		if (rc)
			return rc;
		next->bundle.flags = b->flags;
	}
	if (flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
		next->bundle.nap_context = b->napContext;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS) {
		if (next->traffic.ipVersion != FWP_IP_VERSION_V4)
			return FWP_E_INVALID_PARAMETER;
		next->bundle.peer_v4_private = b->peerV4PrivateAddress;
	}
	if (flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
		next->bundle.mm_sa_id = b->mmSaId;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE) {
		rc = validate_keymod(b->keyModuleState);
		if (rc)
			return rc;
		next->bundle.keymod = NULL;
		if (b->keyModuleState) {
			next->bundle.keymod = keymod_dup(b->keyModuleState);
			if (!next->bundle.keymod)
				return ERROR_NOT_ENOUGH_MEMORY;
		}
		*keymod_changed = true;
	}
	return ERROR_SUCCESS;
}

static void drop_new_keymod(struct sa_dir *next, bool changed)
{
	if (changed && next->bundle.keymod) {
		explicit_bzero(next->bundle.keymod->blob, next->bundle.keymod->size);
		free(next->bundle.keymod);
	}
}

static void commit_side(struct sa_dir *cur, struct sa_dir *next, bool keymod_changed)
{
	if (keymod_changed && cur->bundle.keymod) {
		explicit_bzero(cur->bundle.keymod->blob, cur->bundle.keymod->size);
		free(cur->bundle.keymod);
	}
	/* ipsec_id is never replaced, so the shared pointer stays valid. */
	*cur = *next;
}

DWORD engine_sa_update(struct engine_session *s, UINT64 flags,
		       const IPSEC_SA_CONTEXT1 *v)
{
	struct engine *e = s->e;
	struct sa_context *c;
	struct sa_dir next[2];		/* [0] inbound, [1] outbound */
	const IPSEC_SA_DETAILS1 *side[2];
	struct sa_dir *cur[2];
	bool keymod_changed[2] = { false, false }, prepared[2] = { false, false };
	int installed = -1;
	DWORD rc;

	if (!v)
		return FWP_E_NULL_POINTER;
	if (flags & ~(UINT64)UPDATE_ALL_FLAGS)
		return FWP_E_INVALID_FLAGS;
	rc = session_check(s, FWPM_ACTRL_WRITE);
	if (rc)
		return rc;
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
		if (!side[i])
			continue;
		next[i] = *cur[i];
		prepared[i] = true;
		rc = prepare_side(cur[i], side[i], flags, &next[i], &keymod_changed[i]);
		if (rc)
			goto undo;
	}
	for (int i = 0; i < 2; i++) {
		int err;

		if (!side[i])
			continue;
		err = e->backend.ops->sa_update(e->backend.be, c,
				i ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND,
				&next[i], flags);
		if (err) {
			if (installed >= 0)
				e->backend.ops->sa_update(e->backend.be, c,
					installed ? FWP_DIRECTION_OUTBOUND
						  : FWP_DIRECTION_INBOUND,
					cur[installed], flags);
			rc = errno_to_win(err);
			goto undo;
		}
		installed = i;
	}
	for (int i = 0; i < 2; i++)
		if (side[i])
			commit_side(cur[i], &next[i], keymod_changed[i]);
	subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_UPDATE, flags);
	goto wipe;
undo:
	for (int i = 0; i < 2; i++)
		if (prepared[i])
			drop_new_keymod(&next[i], keymod_changed[i]);
wipe:
	/* The copies held keys. */
	explicit_bzero(next, sizeof(next));
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}
