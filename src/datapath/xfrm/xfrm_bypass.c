/* xfrm_bypass.c - an IKE daemon's bypass filters as kernel policies.
 *
 * An IKE daemon keeps its own packets out of IPsec. On Windows it adds
 * PERMIT filters at the transport layers naming its local UDP port
 * (strongSwan's kernel-wfp: "charon IKE bypass", protocol UDP and local
 * port 500, 4500); on Linux it sets a per-socket policy. A transport SA's
 * kernel policy covers every protocol between its two hosts, IKE
 * included: without the exemption the kernel puts the daemon's IKE into
 * ESP and drops the peer's clear IKE (XfrmInTmplMismatch), and the next
 * rekey or DPD exchange fails. So such a filter becomes an allow policy
 * above the SAs' own: inbound for its destination port, outbound for its
 * source port, in its layer's family. Only that exact form is mapped (a
 * PERMIT at a transport layer whose conditions are one protocol and one
 * local port, both equal); filters with addresses or ranges are not
 * kernel policies (docs/datapath-xfrm.md). Two filters naming the same
 * port share one policy, which goes with the last.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"

static bool is_guid(const GUID *a, const GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The layer's family and direction; false for any other layer. */
static bool bypass_layer(const GUID *l, struct xbypass *b)
{
	if (is_guid(l, &FWPM_LAYER_INBOUND_TRANSPORT_V4) ||
	    is_guid(l, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4))
		b->family = AF_INET;
	else if (is_guid(l, &FWPM_LAYER_INBOUND_TRANSPORT_V6) ||
		 is_guid(l, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6))
		b->family = AF_INET6;
	else
		return false;
	b->dir = is_guid(l, &FWPM_LAYER_INBOUND_TRANSPORT_V4) ||
		 is_guid(l, &FWPM_LAYER_INBOUND_TRANSPORT_V6) ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
	return true;
}

/* f as a bypass (protocol and local port filled), or false. */
static bool bypass_of(const FWPM_FILTER0 *f, struct xbypass *b)
{
	if (f->action.type != FWP_ACTION_PERMIT || f->numFilterConditions != 2 ||
	    !f->filterCondition || !bypass_layer(&f->layerKey, b))
		return false;
	b->proto = 0;
	b->port = 0;
	for (UINT32 i = 0; i < 2; i++) {
		const FWPM_FILTER_CONDITION0 *c = &f->filterCondition[i];

		if (c->matchType != FWP_MATCH_EQUAL)
			return false;
		if (is_guid(&c->fieldKey, &FWPM_CONDITION_IP_PROTOCOL) &&
		    c->conditionValue.type == FWP_UINT8)
			b->proto = c->conditionValue.uint8;
		else if (is_guid(&c->fieldKey, &FWPM_CONDITION_IP_LOCAL_PORT) &&
			 c->conditionValue.type == FWP_UINT16)
			b->port = c->conditionValue.uint16;
		else
			return false;
	}
	return (b->proto == IPPROTO_UDP || b->proto == IPPROTO_TCP) && b->port;
}

static bool same_traffic(const struct xbypass *a, const struct xbypass *b)
{
	return a->family == b->family && a->dir == b->dir && a->proto == b->proto &&
	       a->port == b->port;
}

static int send_bypass(struct xfrm *x, const struct xbypass *b, bool add)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_selector sel;

	memset(&sel, 0, sizeof(sel));
	sel.family = b->family;
	sel.proto = b->proto;
	if (b->dir == XFRM_POLICY_IN) {
		sel.dport = htons(b->port);
		sel.dport_mask = 0xffff;
	} else {
		sel.sport = htons(b->port);
		sel.sport_mask = 0xffff;
	}
	if (add) {
		struct xfrm_userpolicy_info *p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));

		nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
		p->sel = sel;
		p->dir = b->dir;
		p->action = XFRM_POLICY_ALLOW;
		p->priority = XFRM_BE_PRIORITY - 1;
		p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
		p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
	} else {
		struct xfrm_userpolicy_id *p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));

		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		p->sel = sel;
		p->dir = b->dir;
	}
	return xnl_talk(x, nlh, NULL, NULL);
}

static struct xbypass *find_traffic(struct xfrm *x, const struct xbypass *b)
{
	for (struct xbypass *o = x->bypasses; o; o = o->next)
		if (o != b && same_traffic(o, b))
			return o;
	return NULL;
}

/* Filter f was added: a bypass when it is one. x->lock held. */
void xbypass_add(struct xfrm *x, const FWPM_FILTER0 *f)
{
	struct xbypass want, *b;
	int err;

	if (!bypass_of(f, &want))
		return;
	b = calloc(1, sizeof(*b));
	if (!b) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: filter %llu: no memory for its bypass",
			(unsigned long long)f->filterId);
		return;
	}
	*b = want;
	b->filter_id = f->filterId;
	if (!find_traffic(x, b) && (err = send_bypass(x, b, true))) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: filter %llu: bypass for port %u: %s",
			(unsigned long long)f->filterId, (unsigned)b->port, strerror(-err));
		free(b);
		return;
	}
	b->next = x->bypasses;
	x->bypasses = b;
}

/* Filter filter_id went: its bypass too, the policy with the last user.
 * x->lock held. */
void xbypass_del(struct xfrm *x, uint64_t filter_id)
{
	struct xbypass **pp = &x->bypasses, *b;

	while (*pp && (*pp)->filter_id != filter_id)
		pp = &(*pp)->next;
	b = *pp;
	if (!b)
		return;
	*pp = b->next;
	if (!find_traffic(x, b))
		send_bypass(x, b, false);
	free(b);
}

/* A clean stop: every bypass policy goes. */
void xbypass_fini(struct xfrm *x)
{
	while (x->bypasses)
		xbypass_del(x, x->bypasses->filter_id);
}
