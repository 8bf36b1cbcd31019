/* xfrm_pol.c - the xfrm backend's policies: which traffic the kernel
 * sends through which state, and requires protected on the way in.
 *
 * A transport SA's own traffic (its local and remote host, protocol and
 * ports) is one policy in its direction. A tunnel SA's traffic is what its
 * tunnel's filters name (FwpmIPsecTunnelAdd0: the outbound filter's inner
 * prefixes for the outbound SA; the inbound filter's for the inbound SA,
 * as an IN and a FWD policy), with tunnel-mode templates between the
 * endpoints. Filters and SAs may come in either order; each (SA, selector)
 * holds a reference on a kernel policy, which goes with its last one.
 * An IPsec transport filter is also a trap of its own (struct xtrap, one
 * per selector of its prefixes, protocols and ports): its traffic with no
 * SA is dropped, and outbound the kernel's acquire becomes the no-SA net
 * event (xfrm.c). BLOCK filters are xfrm_block.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"

struct psel {
	struct xfrm_selector sel;
	uint8_t dir;
};

#define MAX_PSEL 16

static void set_addr(xfrm_address_t *a, const uint8_t *b, uint8_t version)
{
	memset(a, 0, sizeof(*a));
	memcpy(a, b, version == 4 ? 4 : 16);
}

static void transport_sel(const struct xsa *s, struct psel *p)
{
	bool out = s->dir == FWP_DIRECTION_OUTBOUND;
	unsigned plen = s->sel.version == 4 ? 32 : 128;
	uint16_t sp = out ? s->sel.lport : s->sel.rport, dp = out ? s->sel.rport : s->sel.lport;
	struct xfrm_selector *sel = &p->sel;

	memset(p, 0, sizeof(*p));
	p->dir = out ? XFRM_POLICY_OUT : XFRM_POLICY_IN;
	sel->family = s->family;
	sel->saddr = s->saddr;
	sel->daddr = s->daddr;
	sel->prefixlen_s = sel->prefixlen_d = (uint8_t)plen;
	sel->proto = s->sel.proto;
	sel->sport = htons(sp);
	sel->sport_mask = sp ? 0xffff : 0;
	sel->dport = htons(dp);
	sel->dport_mask = dp ? 0xffff : 0;
}

static bool tun_matches(const struct xtun *t, const struct xsa *s)
{
	return s->sel.tunnel && t->context_id == s->sel.bind_id &&
	       t->outbound == (s->dir == FWP_DIRECTION_OUTBOUND);
}

/* The selectors of s under tunnel filter t: OUT, or IN and FWD. */
static unsigned tun_sels(const struct xtun *t, struct psel *p)
{
	uint16_t family = t->version == 4 ? AF_INET : AF_INET6;
	struct xfrm_selector sel;

	memset(&sel, 0, sizeof(sel));
	sel.family = family;
	/* Outbound: from the local prefix to the remote one; inbound back. */
	set_addr(&sel.saddr, t->outbound ? t->local : t->remote, t->version);
	set_addr(&sel.daddr, t->outbound ? t->remote : t->local, t->version);
	sel.prefixlen_s = t->outbound ? t->lplen : t->rplen;
	sel.prefixlen_d = t->outbound ? t->rplen : t->lplen;
	memset(p, 0, 2 * sizeof(*p));
	p[0].sel = sel;
	if (t->outbound) {
		p[0].dir = XFRM_POLICY_OUT;
		return 1;
	}
	p[0].dir = XFRM_POLICY_IN;
	p[1].sel = sel;
	p[1].dir = XFRM_POLICY_FWD;
	return 2;
}

static unsigned sels_of(struct xfrm *x, const struct xsa *s, struct psel *p)
{
	unsigned n = 0;

	if (!s->sel.tunnel) {
		transport_sel(s, p);
		return 1;
	}
	for (struct xtun *t = x->tuns; t && n + 2 <= MAX_PSEL; t = t->next)
		if (tun_matches(t, s))
			n += tun_sels(t, p + n);
	return n;
}

static int send_policy(struct xfrm *x, const struct xsa *s, const struct psel *p, bool add)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	if (add) {
		struct xfrm_userpolicy_info *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
		struct xfrm_user_tmpl t[2];

		/* Replaces one a run that died left, or another SA's. */
		nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
		u->sel = p->sel;
		u->dir = p->dir;
		u->action = XFRM_POLICY_ALLOW;
		u->priority = XFRM_BE_PRIORITY;
		u->lft.soft_byte_limit = u->lft.hard_byte_limit = XFRM_INF;
		u->lft.soft_packet_limit = u->lft.hard_packet_limit = XFRM_INF;
		/* Innermost first: ESP, then the bundle's AH around it. */
		memset(t, 0, sizeof(t));
		for (unsigned k = 0; k < s->nst; k++) {
			t[k].family = s->family;
			t[k].id.daddr = s->daddr;
			t[k].id.proto = s->proto[k];
			t[k].saddr = s->saddr;
			t[k].reqid = s->reqid;
			/* The innermost encapsulates; a bundle's AH covers it. */
			t[k].mode = s->sel.tunnel && !k ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
			t[k].aalgos = t[k].ealgos = t[k].calgos = ~0u;
		}
		mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t[0]) * s->nst, t);
	} else {
		struct xfrm_userpolicy_id *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));

		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		u->sel = p->sel;
		u->dir = p->dir;
	}
	return xnl_talk(x, nlh, NULL, NULL);
}

static struct xpol **find(struct xfrm *x, const struct psel *p)
{
	struct xpol **pp;

	for (pp = &x->pols; *pp; pp = &(*pp)->next)
		if ((*pp)->dir == p->dir && !memcmp(&(*pp)->sel, &p->sel, sizeof(p->sel)))
			break;
	return pp;
}

/* The newest SA's templates win: a moved peer, or a rekey, points the
 * shared policy at its states. */
static int get_one(struct xfrm *x, const struct xsa *s, const struct psel *p)
{
	struct xpol **pp = find(x, p), *n;
	int err = send_policy(x, s, p, true);

	if (err)
		return err;
	if (*pp) {
		(*pp)->refs++;
		return 0;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		send_policy(x, s, p, false);
		return -ENOMEM;
	}
	n->sel = p->sel;
	n->dir = p->dir;
	n->refs = 1;
	*pp = n;
	xblk_refresh(x);	/* a block of this selector steps aside */
	return 0;
}

static void put_one(struct xfrm *x, const struct xsa *s, const struct psel *p)
{
	struct xpol **pp = find(x, p), *o = *pp;

	if (!o || --o->refs)
		return;
	*pp = o->next;
	send_policy(x, s, p, false);
	free(o);
	xblk_refresh(x);	/* one it hid comes back */
}

int xpol_get(struct xfrm *x, const struct xsa *s)
{
	struct psel p[MAX_PSEL];
	unsigned n = sels_of(x, s, p);

	for (unsigned i = 0; i < n; i++) {
		int err = get_one(x, s, &p[i]);

		if (err) {
			while (i--)
				put_one(x, s, &p[i]);
			return err;
		}
	}
	return 0;
}

void xpol_put(struct xfrm *x, const struct xsa *s)
{
	struct psel p[MAX_PSEL];
	unsigned n = sels_of(x, s, p);

	for (unsigned i = 0; i < n; i++)
		put_one(x, s, &p[i]);
}

/* ---- traps ---- */

static void walk(void *arg, bool remote, int family, const uint8_t addr[16], unsigned plen);

static bool is_guid(const GUID *a, const GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* An IPsec transport callout: 1 outbound, 0 inbound, -1 neither. */
static int transport_callout(const FWPM_FILTER0 *f)
{
	const GUID *g = &f->action.calloutKey;

	if (!(f->action.type & FWP_ACTION_FLAG_CALLOUT))
		return -1;
	if (is_guid(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4) ||
	    is_guid(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6))
		return 1;
	if (is_guid(g, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4) ||
	    is_guid(g, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6))
		return 0;
	return -1;
}

static int send_trap(struct xfrm *x, const struct xtrap *t, bool add)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	if (add) {
		struct xfrm_userpolicy_info *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
		struct xfrm_user_tmpl tm;

		nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
		u->sel = t->sel;
		u->dir = t->dir;
		u->action = XFRM_POLICY_ALLOW;
		u->priority = XFRM_TRAP_PRIORITY;
		u->lft.soft_byte_limit = u->lft.hard_byte_limit = XFRM_INF;
		u->lft.soft_packet_limit = u->lft.hard_packet_limit = XFRM_INF;
		/* Transport mode: the addresses are the packet's. Inbound any
		 * state will do (reqid 0); outbound none does. */
		memset(&tm, 0, sizeof(tm));
		tm.family = t->sel.family;
		tm.id.proto = IPPROTO_ESP;
		tm.reqid = t->dir == XFRM_POLICY_OUT ? XFRM_TRAP_REQID : 0;
		tm.mode = XFRM_MODE_TRANSPORT;
		tm.aalgos = tm.ealgos = tm.calgos = ~0u;
		mnl_attr_put(nlh, XFRMA_TMPL, sizeof(tm), &tm);
	} else {
		struct xfrm_userpolicy_id *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));

		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		u->sel = t->sel;
		u->dir = t->dir;
	}
	return xnl_talk(x, nlh, NULL, NULL);
}

static void trap_one(struct xfrm *x, uint64_t filter_id, const struct xfrm_selector *sel,
		     uint8_t dir)
{
	struct xtrap *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return;
	t->filter_id = filter_id;
	t->dir = dir;
	t->sel = *sel;
	err = send_trap(x, t, true);
	if (err) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: filter %llu: no trap policy: %s",
			(unsigned long long)filter_id, strerror(-err));
		free(t);
		return;
	}
	t->next = x->traps;
	x->traps = t;
	xblk_refresh(x);
}

/* One trap per selector of the filter's traffic: its prefixes, protocols
 * and ports (xfrm_sel.c). */
static void trap_add(struct xfrm *x, const FWPM_FILTER0 *f, bool outbound)
{
	uint8_t dir = outbound ? XFRM_POLICY_OUT : XFRM_POLICY_IN, ldir;
	struct xsel_set *s;
	int version, rc;

	if (!xblk_layer(&f->layerKey, &ldir, &version))
		version = is_guid(&f->action.calloutKey, &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6) ||
			  is_guid(&f->action.calloutKey, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6) ?
			  6 : 4;
	s = malloc(sizeof(*s));
	if (!s)
		return;
	rc = xsel_expand(f, dir, version, s);
	if (rc == XSEL_UNMAPPED || !s->has_remote) {
		free(s);	/* no remote prefix: too wide to trap */
		return;
	}
	if (rc == XSEL_WIDER)
		fwp_log(FWP_LOG_WARN, "datapath xfrm: filter %llu: more alternatives than %u "
			"selectors: its trap covers more than the filter",
			(unsigned long long)f->filterId, XSEL_MAX);
	for (unsigned i = 0; i < s->n; i++)
		trap_one(x, f->filterId, &s->sel[i], dir);
	free(s);
}

static bool trap_shared(struct xfrm *x, const struct xtrap *t)
{
	for (struct xtrap *o = x->traps; o; o = o->next)
		if (o->dir == t->dir && !memcmp(&o->sel, &t->sel, sizeof(t->sel)))
			return true;
	return false;
}

static void trap_del(struct xfrm *x, uint64_t filter_id)
{
	struct xtrap **pp = &x->traps, *t;

	while (*pp) {
		t = *pp;
		if (t->filter_id != filter_id) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		/* Another filter's trap with the same selector keeps the policy. */
		if (!trap_shared(x, t))
			send_trap(x, t, false);
		free(t);
	}
	xblk_refresh(x);
}

uint64_t xpol_trap_filter(struct xfrm *x, const struct xfrm_selector *sel, uint8_t dir)
{
	for (struct xtrap *t = x->traps; t; t = t->next)
		if (t->dir == dir && t->sel.family == sel->family &&
		    !memcmp(&t->sel, sel, sizeof(*sel)))
			return t->filter_id;
	return 0;
}

/* ---- tunnel filters ---- */

static bool tunnel_callout(const FWPM_FILTER0 *f, bool *outbound)
{
	const GUID *g = &f->action.calloutKey;

	if (!(f->action.type & FWP_ACTION_FLAG_CALLOUT))
		return false;
	*outbound = !memcmp(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, sizeof(*g)) ||
		    !memcmp(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6, sizeof(*g));
	return *outbound || !memcmp(g, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, sizeof(*g)) ||
	       !memcmp(g, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6, sizeof(*g));
}

/* The first local and remote prefix of the filter (none: any). */
static void walk(void *arg, bool remote, int family, const uint8_t addr[16], unsigned plen)
{
	struct xtun *t = arg;
	uint8_t v = family == AF_INET ? 4 : 6;

	if (t->version && t->version != v)
		return;
	if (remote && !t->rplen) {
		memcpy(t->remote, addr, 16);
		t->rplen = (uint8_t)plen;
		t->version = v;
	} else if (!remote && !t->lplen) {
		memcpy(t->local, addr, 16);
		t->lplen = (uint8_t)plen;
		t->version = v;
	}
}

static void tun_add(struct xfrm *x, const FWPM_FILTER0 *f, uint64_t ctx, bool outbound)
{
	struct xtun *t = calloc(1, sizeof(*t));

	if (!t)
		return;
	t->filter_id = f->filterId;
	t->context_id = ctx;
	t->outbound = outbound;
	if (x->host.ops)
		x->host.ops->filter_prefixes(f, walk, t);
	if (!t->version)
		t->version = !memcmp(&f->layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
				     sizeof(GUID)) ||
			     !memcmp(&f->layerKey, &FWPM_LAYER_INBOUND_TRANSPORT_V6,
				     sizeof(GUID)) ? 6 : 4;
	t->next = x->tuns;
	x->tuns = t;
	for (struct xsa *s = x->sas; s; s = s->next) {
		struct psel p[2];
		unsigned n;

		if (!tun_matches(t, s))
			continue;
		n = tun_sels(t, p);
		for (unsigned i = 0; i < n; i++)
			if (get_one(x, s, &p[i]))
				fwp_log(FWP_LOG_WARN, "datapath xfrm: filter %llu: cannot add "
					"the policy of SA context %llu",
					(unsigned long long)f->filterId,
					(unsigned long long)s->ctx_id);
	}
}

static void tun_del(struct xfrm *x, uint64_t filter_id)
{
	struct xtun **pp, *t;

	for (pp = &x->tuns; *pp && (*pp)->filter_id != filter_id; pp = &(*pp)->next)
		;
	t = *pp;
	if (!t)
		return;
	for (struct xsa *s = x->sas; s; s = s->next) {
		struct psel p[2];
		unsigned n;

		if (!tun_matches(t, s))
			continue;
		n = tun_sels(t, p);
		for (unsigned i = 0; i < n; i++)
			put_one(x, s, &p[i]);
	}
	*pp = t->next;
	free(t);
}

void xfrm_policy_changed(void *be, const struct be_filter *bf, bool added)
{
	struct xfrm *x = be;
	const FWPM_FILTER0 *f = bf ? bf->f : NULL;
	bool outbound;
	int tr = f ? transport_callout(f) : -1;

	if (!f)
		return;
	pthread_mutex_lock(&x->lock);
	if (!(f->action.type & FWP_ACTION_FLAG_CALLOUT)) {
		/* An IKE daemon's bypass of its own port (xfrm_bypass.c). */
		if (added)
			xbypass_add(x, f);
		else
			xbypass_del(x, f->filterId);
	}
	if (tr >= 0) {
		if (added)
			trap_add(x, f, tr == 1);
		else
			trap_del(x, f->filterId);
	} else if (tunnel_callout(f, &outbound)) {
		if (added)
			tun_add(x, f, bf->context_id, outbound);
		else
			tun_del(x, f->filterId);
	}
	/* After the traps: a block policy leaves a trap's selector to it. */
	xblk_filter(x, bf, added);
	pthread_mutex_unlock(&x->lock);
}

/* A clean stop: the traps and what policies are left go from the kernel
 * too (the SAs' own went with the SAs). */
void xpol_fini(struct xfrm *x)
{
	xbypass_fini(x);
	xblk_fini(x);
	while (x->traps) {
		struct xtrap *t = x->traps;

		x->traps = t->next;
		send_trap(x, t, false);
		free(t);
	}
	while (x->tuns) {
		struct xtun *t = x->tuns;

		x->tuns = t->next;
		free(t);
	}
	while (x->pols) {
		struct xpol *p = x->pols;
		struct psel ps = { .sel = p->sel, .dir = p->dir };
		struct xsa none = { .nst = 1 };

		x->pols = p->next;
		send_policy(x, &none, &ps, false);
		free(p);
	}
}
