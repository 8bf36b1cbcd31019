/* xfrm_block.c - BLOCK filters as the kernel's block policies, ordered as
 * the classifier orders them.
 *
 * A BLOCK filter at the outbound or inbound transport layer or the forward
 * layer becomes an XFRM policy with action block per selector of its
 * traffic (xfrm_sel.c), so the kernel drops what the filter blocks.
 * The classifier's arbitration (src/policy/classify.h) decides where
 * filters overlap; the kernel knows one order, the policies' priorities.
 * The backend hears each filter's weight and its sublayer's place in the
 * classifier's order (struct be_filter), so for each selector of a BLOCK
 * filter:
 *  - above the SAs' own policies and the traps (XFRM_BLOCK_HIGH_PRIORITY)
 *    when it comes before every overlapping IPsec filter in that order
 *    (a heavier sublayer, or its own with a higher weight): block wins;
 *  - below them (XFRM_BLOCK_LOW_PRIORITY) when every overlapping IPsec
 *    callout filter comes before it (its sublayer with a higher weight,
 *    or a heavier sublayer): there the IPsec filter decides;
 *  - a PERMIT filter of its sublayer that outweighs it becomes a bypass
 *    policy for their common traffic just above it, when no other
 *    blocking or IPsec filter overlaps that traffic (a permit never beats
 *    a filter of another sublayer: its permit is soft);
 *  - what one priority cannot express (IPsec filters on both sides of
 *    it, a permit whose bypass would open another filter's traffic) is
 *    resolved fail closed: the kernel blocks the common traffic, and the
 *    backend says so once per filter.
 * The whole set is recomputed on each change of such a filter and the
 * kernel brought to it: new and changed policies first, then the removed.
 * A filter with a condition the classifier cannot see is one it never
 * matches (policy_classify.c): it is not mapped either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"

enum { XK_BLOCK = 1, XK_PERMIT, XK_IPSEC };

/* A filter the kernel enforces, or that decides against one. */
struct xflt {
	struct xflt *next;
	uint64_t id, weight;
	uint16_t sl_weight;		/* its sublayer's place (be_filter) */
	uint32_t sl_index;
	uint8_t dir, kind;
	bool warned;
	unsigned n;
	struct xfrm_selector sel[];
};

/* A block or bypass policy in the kernel (or wanted there). */
struct xblk {
	struct xblk *next;
	struct xfrm_selector sel;
	uint8_t dir, action;
	uint32_t prio;
	bool keep;
};

struct want {
	unsigned n, cap;
	struct xblk *v;
};

static bool guid_is(const GUID *a, const GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

bool xblk_layer(const GUID *l, uint8_t *dir, int *version)
{
	static const struct {
		const GUID *layer;
		uint8_t dir, version;
	} map[] = {
		{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, XFRM_POLICY_OUT, 4 },
		{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, XFRM_POLICY_OUT, 6 },
		{ &FWPM_LAYER_INBOUND_TRANSPORT_V4, XFRM_POLICY_IN, 4 },
		{ &FWPM_LAYER_INBOUND_TRANSPORT_V6, XFRM_POLICY_IN, 6 },
		{ &FWPM_LAYER_IPFORWARD_V4, XFRM_POLICY_FWD, 4 },
		{ &FWPM_LAYER_IPFORWARD_V6, XFRM_POLICY_FWD, 6 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (guid_is(l, map[i].layer)) {
			*dir = map[i].dir;
			*version = map[i].version;
			return true;
		}
	return false;
}

static bool ipsec_callout(const GUID *g)
{
	static const GUID *const ipsec[] = {
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6,
		&FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6,
		&FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6,
	};

	for (size_t i = 0; i < sizeof(ipsec) / sizeof(ipsec[0]); i++)
		if (guid_is(g, ipsec[i]))
			return true;
	return false;
}

/* What the filter is to the arbitration (classify.c decision_of): other
 * callouts are never registered here and act as BLOCK, or as PERMIT with
 * FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED; inspection decides
 * nothing. */
static uint8_t kind_of(const FWPM_FILTER0 *f)
{
	switch (f->action.type) {
	case FWP_ACTION_BLOCK:
		return XK_BLOCK;
	case FWP_ACTION_PERMIT:
		return XK_PERMIT;
	case FWP_ACTION_CALLOUT_TERMINATING:
	case FWP_ACTION_CALLOUT_UNKNOWN:
		if (ipsec_callout(&f->action.calloutKey))
			return XK_IPSEC;
		return f->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED ? XK_PERMIT :
										      XK_BLOCK;
	default:
		return 0;
	}
}

/* The classifier's order inside a sublayer: weight, then the lower id. */
static bool outranks(const struct xflt *a, const struct xflt *b)
{
	return a->weight > b->weight || (a->weight == b->weight && a->id < b->id);
}

static bool same_sublayer(const struct xflt *a, const struct xflt *b)
{
	return a->sl_index == b->sl_index;
}

/* The classifier's order of all filters of a layer: sublayers by weight,
 * then the lower index; inside one, outranks. Between two filters that
 * both end the evaluation (BLOCK, IPsec) the first decides. */
static bool precedes(const struct xflt *a, const struct xflt *b)
{
	if (a->sl_weight != b->sl_weight)
		return a->sl_weight > b->sl_weight;
	if (a->sl_index != b->sl_index)
		return a->sl_index < b->sl_index;
	return outranks(a, b);
}

static bool flt_overlap(const struct xflt *a, const struct xflt *b)
{
	if (a->dir != b->dir)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (xsel_overlap(&a->sel[i], &b->sel[j]))
				return true;
	return false;
}

static bool sel_in(const struct xflt *a, const struct xfrm_selector *s)
{
	for (unsigned i = 0; i < a->n; i++)
		if (xsel_overlap(&a->sel[i], s))
			return true;
	return false;
}

/* ---- the wanted set ---- */

static bool same_sel(const struct xfrm_selector *a, const struct xfrm_selector *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* One kernel policy per (selector, direction): a bypass there means a
 * permit outweighs every block of that traffic; between blocks the
 * higher priority. */
static int want_add(struct want *w, const struct xfrm_selector *sel, uint8_t dir,
		    uint8_t action, uint32_t prio)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct xblk *b = &w->v[i];

		if (b->dir != dir || !same_sel(&b->sel, sel))
			continue;
		if (action == XFRM_POLICY_ALLOW && b->action != XFRM_POLICY_ALLOW) {
			b->action = action;
			b->prio = prio;
		} else if (action == b->action && prio < b->prio) {
			b->prio = prio;
		}
		return 0;
	}
	if (w->n == w->cap) {
		unsigned cap = w->cap ? w->cap * 2 : 16;
		struct xblk *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	w->v[w->n].sel = *sel;
	w->v[w->n].dir = dir;
	w->v[w->n].action = action;
	w->v[w->n].prio = prio;
	w->n++;
	return 0;
}

static void warn_once(struct xflt *b, const char *what, uint64_t other)
{
	if (b->warned)
		return;
	b->warned = true;
	fwp_log(FWP_LOG_WARN, "datapath xfrm: BLOCK filter %llu and filter %llu overlap %s: "
		"the kernel blocks their common traffic", (unsigned long long)b->id,
		(unsigned long long)other, what);
}

/* Whether a bypass for s (P's and B's common traffic) opens nothing that
 * another blocking or IPsec filter decides before P. */
static bool bypass_safe(struct xfrm *x, const struct xflt *p, const struct xflt *b,
			const struct xfrm_selector *s)
{
	for (struct xflt *h = x->flts; h; h = h->next) {
		if (h == b || h->kind == XK_PERMIT || h->dir != p->dir || !sel_in(h, s))
			continue;
		if (!same_sublayer(h, p) || !outranks(p, h))
			return false;
	}
	return true;
}

/* prio[j]: the priority of b's selector j. */
static int want_permits(struct xfrm *x, struct xflt *b, const uint32_t *prio, struct want *w)
{
	int err = 0;

	for (struct xflt *p = x->flts; p && !err; p = p->next) {
		if (p->kind != XK_PERMIT || !same_sublayer(p, b) || !outranks(p, b) ||
		    !flt_overlap(p, b))
			continue;
		for (unsigned i = 0; i < p->n && !err; i++)
			for (unsigned j = 0; j < b->n && !err; j++) {
				struct xfrm_selector s;

				if (!xsel_overlap(&p->sel[i], &b->sel[j]))
					continue;
				xsel_intersect(&p->sel[i], &b->sel[j], &s);
				if (bypass_safe(x, p, b, &s))
					err = want_add(w, &s, b->dir, XFRM_POLICY_ALLOW,
						       prio[j] - 1);
				else
					warn_once(b, "where a permit of higher weight would open "
						  "what a third filter decides", p->id);
			}
	}
	return err;
}

/* Where selector sel of b goes: below the SAs' policies and the traps
 * when every IPsec filter overlapping it comes first in the classifier's
 * order (its own sublayer or a heavier one), so that they decide; above
 * them otherwise. IPsec filters on both sides of it cannot be expressed
 * by one priority: above, fail closed. */
static uint32_t block_prio(struct xfrm *x, struct xflt *b, const struct xfrm_selector *sel)
{
	bool lose = false, win = false;
	uint64_t other = 0;

	for (struct xflt *c = x->flts; c; c = c->next) {
		if (c->kind != XK_IPSEC || c->dir != b->dir || !sel_in(c, sel))
			continue;
		if (precedes(c, b))
			lose = true;
		else
			win = true;
		other = c->id;
	}
	if (lose && win)
		warn_once(b, "with IPsec filters on both sides of it", other);
	return lose && !win ? XFRM_BLOCK_LOW_PRIORITY : XFRM_BLOCK_HIGH_PRIORITY;
}

static int want_block(struct xfrm *x, struct xflt *b, struct want *w)
{
	uint32_t prio[XSEL_MAX];
	int err = 0;

	for (unsigned i = 0; i < b->n && !err; i++) {
		prio[i] = block_prio(x, b, &b->sel[i]);
		err = want_add(w, &b->sel[i], b->dir, XFRM_POLICY_BLOCK, prio[i]);
	}
	if (!err)
		err = want_permits(x, b, prio, w);
	return err;
}

/* ---- the kernel ---- */

static int send_blk(struct xfrm *x, const struct xblk *b, bool add)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	if (add) {
		struct xfrm_userpolicy_info *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));

		nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
		u->sel = b->sel;
		u->dir = b->dir;
		u->action = b->action;
		u->priority = b->prio;
		u->lft.soft_byte_limit = u->lft.hard_byte_limit = XFRM_INF;
		u->lft.soft_packet_limit = u->lft.hard_packet_limit = XFRM_INF;
	} else {
		struct xfrm_userpolicy_id *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));

		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		u->sel = b->sel;
		u->dir = b->dir;
	}
	return xnl_talk(x, nlh, NULL, NULL);
}

/* XFRM keeps one policy per selector: one an SA or a trap holds stays
 * theirs. */
static bool held_by_ipsec(struct xfrm *x, const struct xblk *b)
{
	for (struct xpol *p = x->pols; p; p = p->next)
		if (p->dir == b->dir && same_sel(&p->sel, &b->sel))
			return true;
	for (struct xtrap *t = x->traps; t; t = t->next)
		if (t->dir == b->dir && same_sel(&t->sel, &b->sel))
			return true;
	return false;
}

static void forget(struct xfrm *x, struct xblk *b)
{
	for (struct xblk **pp = &x->blks; *pp; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			free(b);
			return;
		}
}

static void apply_one(struct xfrm *x, const struct xblk *want)
{
	struct xblk *b;
	int err;

	for (b = x->blks; b; b = b->next)
		if (b->dir == want->dir && same_sel(&b->sel, &want->sel))
			break;
	if (held_by_ipsec(x, want)) {
		/* The kernel's policy is theirs now (b, if any, was replaced):
		 * not ours to delete. */
		if (b)
			forget(x, b);
		fwp_log(FWP_LOG_WARN, "datapath xfrm: a %s policy has the selector of an IPsec "
			"policy: the kernel keeps one, the IPsec one",
			want->action == XFRM_POLICY_BLOCK ? "block" : "bypass");
		return;
	}
	if (b && b->action == want->action && b->prio == want->prio) {
		b->keep = true;
		return;
	}
	err = send_blk(x, want, true);
	if (err) {
		fwp_log(FWP_LOG_ERROR, "datapath xfrm: cannot add a %s policy: %s",
			want->action == XFRM_POLICY_BLOCK ? "block" : "bypass", strerror(-err));
		return;
	}
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			send_blk(x, want, false);
			return;
		}
		b->next = x->blks;
		x->blks = b;
	}
	*b = (struct xblk){ .next = b->next, .sel = want->sel, .dir = want->dir,
			    .action = want->action, .prio = want->prio, .keep = true };
}

static void recompute(struct xfrm *x)
{
	struct want w = { 0 };
	int err = 0;

	for (struct xflt *f = x->flts; f && !err; f = f->next)
		if (f->kind == XK_BLOCK)
			err = want_block(x, f, &w);
	if (err) {
		fwp_log(FWP_LOG_ERROR, "datapath xfrm: block policies not recomputed: %s",
			strerror(-err));
		free(w.v);
		return;
	}
	for (struct xblk *b = x->blks; b; b = b->next)
		b->keep = false;
	for (unsigned i = 0; i < w.n; i++)
		apply_one(x, &w.v[i]);
	for (struct xblk **pp = &x->blks; *pp;) {
		struct xblk *b = *pp;

		if (b->keep) {
			pp = &b->next;
			continue;
		}
		*pp = b->next;
		send_blk(x, b, false);
		free(b);
	}
	free(w.v);
}

/* ---- filters coming and going ---- */

static void flt_add(struct xfrm *x, const struct be_filter *bf, uint8_t dir, int version,
		    uint8_t kind)
{
	const FWPM_FILTER0 *f = bf->f;
	struct xsel_set *s = malloc(sizeof(*s));
	struct xflt *n;
	int rc;

	if (!s)
		return;
	rc = xsel_expand(f, dir, version, s);
	if (rc == XSEL_UNMAPPED) {
		if (kind == XK_BLOCK)
			fwp_log(FWP_LOG_INFO, "datapath xfrm: BLOCK filter %llu has a condition "
				"the classifier does not evaluate: not a kernel policy either",
				(unsigned long long)f->filterId);
		free(s);
		return;
	}
	if (rc == XSEL_WIDER && kind == XK_BLOCK)
		fwp_log(FWP_LOG_WARN, "datapath xfrm: BLOCK filter %llu has more alternatives "
			"than %u selectors: the kernel blocks more than it names",
			(unsigned long long)f->filterId, XSEL_MAX);
	if (rc == XSEL_WIDER && kind == XK_PERMIT) {
		free(s);	/* a wider bypass would open more: not mapped */
		return;
	}
	n = calloc(1, sizeof(*n) + s->n * sizeof(n->sel[0]));
	if (n) {
		n->id = f->filterId;
		n->weight = f->effectiveWeight.type == FWP_UINT64 && f->effectiveWeight.uint64 ?
			    *f->effectiveWeight.uint64 : 0;
		n->sl_weight = bf->sublayer_weight;
		n->sl_index = bf->sublayer_index;
		n->dir = dir;
		n->kind = kind;
		n->n = s->n;
		memcpy(n->sel, s->sel, s->n * sizeof(n->sel[0]));
		n->next = x->flts;
		x->flts = n;
	}
	free(s);
}

static bool flt_del(struct xfrm *x, uint64_t id)
{
	for (struct xflt **pp = &x->flts; *pp; pp = &(*pp)->next) {
		struct xflt *f = *pp;

		if (f->id != id)
			continue;
		*pp = f->next;
		free(f);
		return true;
	}
	return false;
}

static bool any_block(struct xfrm *x)
{
	for (struct xflt *f = x->flts; f; f = f->next)
		if (f->kind == XK_BLOCK)
			return true;
	return x->blks != NULL;
}

void xblk_filter(struct xfrm *x, const struct be_filter *bf, bool added)
{
	const FWPM_FILTER0 *f = bf->f;
	uint8_t dir, kind = kind_of(f);
	int version;

	if (!kind || !xblk_layer(&f->layerKey, &dir, &version))
		return;
	if (added)
		flt_add(x, bf, dir, version, kind);
	else if (!flt_del(x, f->filterId))
		return;
	if (any_block(x))
		recompute(x);
}

/* An SA's or a trap's policy came or went: a block of the same selector
 * steps aside for it, or comes back. */
void xblk_refresh(struct xfrm *x)
{
	if (any_block(x))
		recompute(x);
}

void xblk_fini(struct xfrm *x)
{
	while (x->blks) {
		struct xblk *b = x->blks;

		x->blks = b->next;
		send_blk(x, b, false);
		free(b);
	}
	while (x->flts) {
		struct xflt *f = x->flts;

		x->flts = f->next;
		free(f);
	}
}
