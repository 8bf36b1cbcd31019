/* policy_classify.c - filters feed the classifier (src/policy/classify.h),
 * and engine_classify answers, for a packet's flow, which filter decides.
 *
 * Every committed filter is offered to the classifier as a cls_rule: its
 * layer (the index in the layer table), IP version, sublayer weight and
 * id, effective weight, action and conditions. A filter with a condition
 * the classifier cannot evaluate (another field, or a match type other
 * than EQUAL and RANGE) is left out of classification and counted
 * (pol.unclassified): treating it as matching everything would be wrong.
 * The classifiers live in the published snapshot (policy_snap.c); here a
 * link or unlink is only noted, to be applied when it is published. The
 * backend hears of it too (pol_backend_tell, with the sublayer's rank),
 * at once, except inside a write transaction, whose net effect
 * policy_txn.c tells at commit.
 * Locking: the engine lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "policy/classify.h"

enum cls_field { F_LOCAL, F_REMOTE, F_LPORT, F_RPORT, F_PROTO, F_NONE };

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static enum cls_field field_of(const GUID *k)
{
	if (guid_eq(k, &FWPM_CONDITION_IP_LOCAL_ADDRESS) ||
	    guid_eq(k, &FWPM_CONDITION_IP_SOURCE_ADDRESS))
		return F_LOCAL;
	if (guid_eq(k, &FWPM_CONDITION_IP_REMOTE_ADDRESS) ||
	    guid_eq(k, &FWPM_CONDITION_IP_DESTINATION_ADDRESS))
		return F_REMOTE;
	if (guid_eq(k, &FWPM_CONDITION_IP_LOCAL_PORT))
		return F_LPORT;
	if (guid_eq(k, &FWPM_CONDITION_IP_REMOTE_PORT))
		return F_RPORT;
	if (guid_eq(k, &FWPM_CONDITION_IP_PROTOCOL))
		return F_PROTO;
	return F_NONE;
}

static void v4_bytes(uint32_t host, uint8_t out[16])
{
	uint32_t n = htonl(host);

	memset(out, 0, 16);
	memcpy(out, &n, 4);
}

/* An address value as an inclusive range; false if not an address. */
static bool addr_point(const FWP_VALUE0 *v, uint8_t out[16])
{
	if (v->type == FWP_UINT32) {
		v4_bytes(v->uint32, out);
		return true;
	}
	if (v->type == FWP_BYTE_ARRAY16_TYPE && v->byteArray16) {
		memcpy(out, v->byteArray16->byteArray16, 16);
		return true;
	}
	return false;
}

static void prefix_range(const uint8_t *addr, unsigned bits, unsigned len,
			 struct cls_addr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->lo, addr, len);
	memcpy(a->hi, addr, len);
	for (unsigned i = 0; i < len * 8; i++) {
		if (i < bits)
			continue;
		a->lo[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		a->hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
}

static bool to_addr(const FWPM_FILTER_CONDITION0 *c, struct cls_addr *a)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;

	if (c->matchType == FWP_MATCH_RANGE && v->type == FWP_RANGE_TYPE && v->rangeValue)
		return addr_point(&v->rangeValue->valueLow, a->lo) &&
		       addr_point(&v->rangeValue->valueHigh, a->hi);
	if (c->matchType != FWP_MATCH_EQUAL)
		return false;
	switch (v->type) {
	case FWP_UINT32:
		v4_bytes(v->uint32, a->lo);
		memcpy(a->hi, a->lo, 16);
		return true;
	case FWP_BYTE_ARRAY16_TYPE:
		memcpy(a->lo, v->byteArray16->byteArray16, 16);
		memcpy(a->hi, a->lo, 16);
		return true;
	case FWP_V4_ADDR_MASK: {
		uint8_t b[16];
		uint32_t m = v->v4AddrMask->mask;
		unsigned bits = m ? 32u - (unsigned)__builtin_ctz(m) : 0;

		v4_bytes(v->v4AddrMask->addr, b);
		prefix_range(b, bits, 4, a);
		return true;
	}
	case FWP_V6_ADDR_MASK:
		prefix_range(v->v6AddrMask->addr, v->v6AddrMask->prefixLength, 16, a);
		return true;
	default:
		return false;
	}
}

static bool scalar(const FWP_VALUE0 *v, uint32_t *out)
{
	switch (v->type) {
	case FWP_UINT8:
		*out = v->uint8;
		return true;
	case FWP_UINT16:
		*out = v->uint16;
		return true;
	default:
		return false;
	}
}

static bool to_range(const FWPM_FILTER_CONDITION0 *c, struct cls_range32 *r)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;

	if (c->matchType == FWP_MATCH_RANGE && v->type == FWP_RANGE_TYPE && v->rangeValue)
		return scalar(&v->rangeValue->valueLow, &r->lo) &&
		       scalar(&v->rangeValue->valueHigh, &r->hi) && r->lo <= r->hi;
	if (c->matchType != FWP_MATCH_EQUAL || !scalar((const FWP_VALUE0 *)v, &r->lo))
		return false;
	r->hi = r->lo;
	return true;
}

/* Where filter r's sublayer comes in the classifier's order: by weight
 * (higher first), then by index (lower first). The backend gets the same
 * pair (struct be_filter), so that it orders sublayers as classify does. */
static void sublayer_rank(const struct pol_obj *r, uint16_t *weight, uint32_t *index)
{
	const FWPM_SUBLAYER0 *sl = r->sublayer ? r->sublayer->blob : NULL;

	*weight = sl ? sl->weight : 0;
	*index = r->sublayer ? (uint32_t)r->sublayer->id : 0;
}

/* The rule for filter r, conditions in *addrs / *ranges (caller frees).
 * -EOPNOTSUPP when a condition cannot be classified. */
static int build_rule(struct pol_obj *r, struct cls_rule *rule,
		      struct cls_addr **addrs, struct cls_range32 **ranges)
{
	const FWPM_FILTER0 *f = r->blob;
	UINT32 n = f->numFilterConditions;
	struct cls_addr *a;
	struct cls_range32 *g;
	uint32_t na[2] = { 0, 0 }, ng[3] = { 0, 0, 0 };
	bool v6;
	int layer = pol_layer_index(&f->layerKey, &v6);

	if (layer < 0)
		return -EOPNOTSUPP;
	*addrs = a = calloc(n ? n : 1, sizeof(*a) * 2);
	*ranges = g = calloc(n ? n : 1, sizeof(*g) * 3);
	if (!a || !g)
		return -ENOMEM;
	/* Two passes would keep fields apart; slots per field of n each. */
	for (UINT32 i = 0; i < n; i++) {
		const FWPM_FILTER_CONDITION0 *c = &f->filterCondition[i];
		enum cls_field fl = field_of(&c->fieldKey);

		if (fl == F_LOCAL || fl == F_REMOTE) {
			if (!to_addr(c, &a[fl * n + na[fl]++]))
				return -EOPNOTSUPP;
		} else if (fl != F_NONE) {
			if (!to_range(c, &g[(fl - F_LPORT) * n + ng[fl - F_LPORT]++]))
				return -EOPNOTSUPP;
		} else {
			return -EOPNOTSUPP;
		}
	}
	memset(rule, 0, sizeof(*rule));
	rule->filter_id = r->id;
	rule->layer = (uint16_t)layer;
	rule->ip_version = v6 ? 6 : 4;
	sublayer_rank(r, &rule->sublayer_weight, &rule->sublayer_index);
	rule->weight = f->effectiveWeight.type == FWP_UINT64 && f->effectiveWeight.uint64 ?
		       *f->effectiveWeight.uint64 : 0;
	rule->action = f->action.type;
	rule->flags = f->flags;
	rule->local_addr = a;
	rule->n_local_addr = na[0];
	rule->remote_addr = a + n;
	rule->n_remote_addr = na[1];
	rule->local_port = g;
	rule->n_local_port = ng[0];
	rule->remote_port = g + n;
	rule->n_remote_port = ng[1];
	rule->protocol = g + 2 * n;
	rule->n_protocol = ng[2];
	return 0;
}

/* Cached verdicts in the datapath are stale after any filter change, and
 * the filter may name traffic to steer or protect. Inside a write
 * transaction (be_quiet) the backend hears nothing now: the commit tells
 * it the transaction's net effect (policy_txn.c), an abort nothing. */
void pol_backend_tell(struct engine *e, const struct pol_obj *r, bool added)
{
	struct be_filter bf = { .f = r->blob, .context_id = r->context ? r->context->id : 0 };

	if (e->pol.be_quiet || !e->backend.ops->policy_changed)
		return;
	sublayer_rank(r, &bf.sublayer_weight, &bf.sublayer_index);
	e->backend.ops->policy_changed(e->backend.be, &bf, added);
}

/* Whether the filter's coming keeps traffic from leaving in the clear (a
 * BLOCK, a callout: IPsec, or another acting as BLOCK) rather than letting
 * some pass (a PERMIT). A callout marked PERMIT_IF_CALLOUT_UNREGISTERED
 * counts as protecting too: an IPsec one may carry the flag, and erring
 * this way only tells it earlier. */
bool pol_backend_protects(const struct pol_obj *r)
{
	const FWPM_FILTER0 *f = r->blob;

	return f->action.type == FWP_ACTION_BLOCK || (f->action.type & FWP_ACTION_FLAG_CALLOUT);
}

int pol_classify_rule(struct pol_obj *r, struct cls_rule *rule, struct cls_addr **addrs,
		      struct cls_range32 **ranges)
{
	int err;

	*addrs = NULL;
	*ranges = NULL;
	err = build_rule(r, rule, addrs, ranges);
	if (!err)
		err = classifier_rule_check(rule);
	if (err) {
		free(*addrs);
		free(*ranges);
		*addrs = NULL;
		*ranges = NULL;
	}
	return err == -EINVAL ? -EOPNOTSUPP : err;
}

void pol_classify_add(struct engine *e, struct pol_obj *r)
{
	struct cls_addr *a;
	struct cls_range32 *g;
	struct cls_rule rule;

	if (r->kind != POL_FILTER)
		return;
	switch (pol_classify_rule(r, &rule, &a, &g)) {
	case -EOPNOTSUPP:
		r->unclassified = true;
		e->pol.unclassified++;
		break;
	case 0:
		pol_snap_note(e, r, true, &rule, a, g);	/* takes a and g */
		break;
	default:
		pol_snap_note(e, r, true, NULL, NULL, NULL);	/* no memory */
		break;
	}
	pol_backend_tell(e, r, true);
}

void pol_classify_remove(struct engine *e, struct pol_obj *r)
{
	if (r->kind != POL_FILTER)
		return;
	if (r->unclassified) {
		r->unclassified = false;
		e->pol.unclassified--;
	} else {
		pol_snap_note(e, r, false, NULL, NULL, NULL);
	}
	pol_backend_tell(e, r, false);
}
