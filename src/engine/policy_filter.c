/* policy_filter.c - FwpmFilterAdd0 and the filter enumeration template.
 *
 * A filter is validated entirely (flags, display name, layer, weight,
 * conditions, action) before the engine lock is taken; under the lock its
 * references (sublayer, provider, provider context) are resolved and
 * counted. The stored block has the engine's fields filled in: filterKey
 * (generated when zero), subLayerKey (FWPM_SUBLAYER_UNIVERSAL when zero),
 * filterId and effectiveWeight (FWP_UINT64, policy-facts §7.1).
 */
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "engine/engine_internal.h"
#include "engine/layers.h"
#include "wire/codec.h"

#define FILTER_FLAGS_OK (FWPM_FILTER_FLAG_PERSISTENT | FWPM_FILTER_FLAG_BOOTTIME | \
	FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT | FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT | \
	FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED | FWPM_FILTER_FLAG_INDEXED | \
	FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE)

static DWORD check_weight(const FWP_VALUE0 *w)
{
	switch (w->type) {
	case FWP_EMPTY:
		return ERROR_SUCCESS;
	case FWP_UINT8:
		return w->uint8 <= FWPM_WEIGHT_RANGE_MAX ? ERROR_SUCCESS : FWP_E_INVALID_WEIGHT;
	case FWP_UINT64:
		return w->uint64 ? ERROR_SUCCESS : FWP_E_NULL_POINTER;
	default:
		return FWP_E_INVALID_WEIGHT;
	}
}

/* The weight the engine assigns (policy-facts §7.1). Inside a range the
 * low 60 bits grow with the number of conditions, so a more specific
 * filter sorts first, as Windows' automatic weights do. */
static UINT64 effective_weight(const FWPM_FILTER0 *f)
{
	UINT64 n = f->numFilterConditions > 255 ? 255 : f->numFilterConditions;
	UINT64 auto_w = n << 52;

	switch (f->weight.type) {
	case FWP_UINT8:
		return (UINT64)f->weight.uint8 << FWPM_AUTO_WEIGHT_BITS | auto_w;
	case FWP_UINT64:
		return *f->weight.uint64;
	default:
		return auto_w;
	}
}

DWORD pol_filter_validate(const FWPM_FILTER0 *f)
{
	const struct pol_layer *l;
	DWORD rc;

	if (!f)
		return FWP_E_NULL_POINTER;
	if (!f->displayData.name)
		return FWP_E_NULL_DISPLAY_NAME;
	if (f->flags & ~(UINT32)FILTER_FLAGS_OK)
		return FWP_E_INVALID_FLAGS;
	if ((f->flags & FWPM_FILTER_FLAG_PERSISTENT) && (f->flags & FWPM_FILTER_FLAG_BOOTTIME))
		return FWP_E_INVALID_FLAGS;
	if (f->providerData.size && !f->providerData.data)
		return FWP_E_NULL_POINTER;
	rc = pol_layer_filterable(&f->layerKey);
	if (rc)
		return rc;
	l = pol_layer_find(&f->layerKey);
	rc = check_weight(&f->weight);
	if (rc)
		return rc;
	rc = pol_check_conditions(l, f->numFilterConditions, f->filterCondition);
	if (rc)
		return rc;
	rc = pol_check_action(l, &f->action);
	if (rc)
		return rc;
	if ((f->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) &&
	    f->action.type != FWP_ACTION_CALLOUT_TERMINATING &&
	    f->action.type != FWP_ACTION_CALLOUT_UNKNOWN)
		return FWP_E_INVALID_FLAGS;
	return ERROR_SUCCESS;
}

/* Resolves and checks what f references (engine lock held). */
static DWORD resolve_refs(struct engine_session *s, const FWPM_FILTER0 *f,
			  struct pol_obj *r)
{
	struct engine *e = s->e;
	DWORD rc;

	r->sublayer = pol_find_key(e, POL_SUBLAYER, &f->subLayerKey);
	if (!r->sublayer)
		return FWP_E_SUBLAYER_NOT_FOUND;
	rc = pol_check_lifetime(s, r, r->sublayer);
	if (rc)
		return rc;
	if (f->providerKey) {
		r->provider = pol_find_key(e, POL_PROVIDER, f->providerKey);
		if (!r->provider)
			return FWP_E_PROVIDER_NOT_FOUND;
		rc = pol_check_lifetime(s, r, r->provider);
		if (rc)
			return rc;
	}
	if (f->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT) {
		r->context = pol_find_key(e, POL_CONTEXT, &f->providerContextKey);
		if (!r->context)
			return FWP_E_PROVIDER_CONTEXT_NOT_FOUND;
		rc = pol_check_lifetime(s, r, r->context);
		if (rc)
			return rc;
	}
	return ERROR_SUCCESS;
}

DWORD pol_filter_add(struct engine_session *s, const FWPM_FILTER0 *f, UINT64 *id)
{
	struct engine *e = s->e;
	FWPM_FILTER0 copy;
	UINT64 weight;
	struct pol_obj *r;
	DWORD rc = pol_filter_validate(f);

	if (rc)
		return rc;
	copy = *f;
	if (pol_guid_is_zero(&copy.filterKey))
		fwp_random_bytes(&copy.filterKey, sizeof(copy.filterKey));
	if (pol_guid_is_zero(&copy.subLayerKey))
		copy.subLayerKey = FWPM_SUBLAYER_UNIVERSAL;
	copy.reserved = NULL;
	copy.filterId = 0;
	weight = effective_weight(f);
	copy.effectiveWeight.type = FWP_UINT64;
	copy.effectiveWeight.uint64 = &weight;
	r = pol_obj_new(POL_FILTER);
	if (!r)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (wf_clone(&wf_FWPM_FILTER0, &copy, &r->blob, &r->size)) {
		pol_obj_free(r);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r->key = copy.filterKey;
	rc = pol_lock_for_write(s, FWPM_ACTRL_ADD);
	if (rc) {
		pol_obj_free(r);
		return rc;
	}
	if (pol_find_key(e, POL_FILTER, &r->key)) {
		rc = FWP_E_ALREADY_EXISTS;
		goto out;
	}
	rc = resolve_refs(s, &copy, r);
	if (rc) {
		r->provider = r->sublayer = r->context = NULL;
		goto out;
	}
	rc = pol_insert(s, r);
	if (rc) {
		r->provider = r->sublayer = r->context = NULL;
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

DWORD pol_filter_template_check(const FWPM_FILTER_ENUM_TEMPLATE0 *t)
{
	if ((UINT32)t->enumType >= FWP_FILTER_ENUM_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	/* A listed layer no filter can be at enumerates nothing. */
	if (builtin_layer_by_key(&t->layerKey) < 0)
		return FWP_E_LAYER_NOT_FOUND;
	/* Not supported yet: condition templates, flags, context templates,
	 * callout selection. */
	if (t->flags || t->providerContextTemplate || t->numFilterConditions ||
	    t->calloutKey)
		return ERROR_CALL_NOT_IMPLEMENTED;
	return ERROR_SUCCESS;
}

bool pol_filter_template_match(const FWPM_FILTER_ENUM_TEMPLATE0 *t,
			       const struct pol_obj *r)
{
	const FWPM_FILTER0 *f = r->blob;

	return memcmp(&f->layerKey, &t->layerKey, sizeof(GUID)) == 0 &&
	       (f->action.type & t->actionMask) != 0;
}
