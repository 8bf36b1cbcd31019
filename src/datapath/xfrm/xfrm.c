/* xfrm.c - the xfrm backend's life cycle: its netlink sockets, the probe
 * that refuses a kernel without ESP, and the kernel's expire messages
 * handed to the engine. No ESP-in-UDP socket at start: xfrm_adopt.c finds
 * or opens one when an SA in UDP needs it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"
#include "engine/net_event.h"

uint32_t xnl_seq(struct xfrm *x)
{
	return ++x->seq;
}

/* Reads answers until the one for seq (an ACK, an error, or the end of a
 * dump); cb sees the data messages. */
static int xnl_wait(struct xfrm *x, uint32_t seq, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int rc;

	do {
		n = mnl_socket_recvfrom(x->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, x->portid, cb, data);
		explicit_bzero(buf, (size_t)n);	/* a GETSA answer carries keys */
	} while (rc > 0);
	return rc < 0 ? -errno : 0;
}

int xnl_talk(struct xfrm *x, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	x->st.round_trips++;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = xnl_seq(x);
	if (mnl_socket_sendto(x->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return xnl_wait(x, nlh->nlmsg_seq, cb, data);
}

/* Every message of buf asked for an ACK and has the sequence number of
 * the first plus its index: the kernel runs them all, in order, and
 * answers each; res[i] is the i-th's 0 / -errno. */
int xnl_batch(struct xfrm *x, void *buf, size_t len, unsigned n, int *res)
{
	struct nlmsghdr *first = buf;
	uint32_t seq0 = first->nlmsg_seq;
	int err = 0;

	x->st.round_trips++;
	if (mnl_socket_sendto(x->nl, buf, len) < 0) {
		err = -errno;
		for (unsigned i = 0; i < n; i++)
			res[i] = err;
		return err;
	}
	for (unsigned i = 0; i < n; i++) {
		res[i] = xnl_wait(x, seq0 + i, NULL, NULL);
		if (res[i] && !err)
			err = res[i];
	}
	return err;
}

static int xnl_open(struct mnl_socket **out, unsigned groups)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_XFRM);

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl);
		return err;
	}
	*out = nl;
	return 0;
}

/* ---- the probe: a kernel without ESP is refused, by name ---- */

static int probe_state(struct xfrm *x, uint16_t type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int err;

	nlh->nlmsg_type = type;
	if (type == XFRM_MSG_NEWSA) {
		struct xfrm_usersa_info *sa = mnl_nlmsg_put_extra_header(nlh, sizeof(*sa));
		struct {
			struct xfrm_algo_aead a;
			char key[20];
		} aead;

		sa->family = AF_INET;
		sa->id.proto = IPPROTO_ESP;
		sa->id.spi = htonl(0xfffffff0);
		sa->id.daddr.a4 = htonl(0xc0000201);	/* 192.0.2.1: documentation */
		sa->saddr.a4 = htonl(0xc0000202);
		sa->mode = XFRM_MODE_TRANSPORT;
		sa->sel.family = AF_INET;
		sa->lft.soft_byte_limit = sa->lft.hard_byte_limit = XFRM_INF;
		sa->lft.soft_packet_limit = sa->lft.hard_packet_limit = XFRM_INF;
		memset(&aead, 0, sizeof(aead));
		snprintf(aead.a.alg_name, sizeof(aead.a.alg_name), "rfc4106(gcm(aes))");
		aead.a.alg_key_len = 160;
		aead.a.alg_icv_len = 128;
		mnl_attr_put(nlh, XFRMA_ALG_AEAD, sizeof(aead), &aead);
	} else {
		struct xfrm_usersa_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));

		id->family = AF_INET;
		id->proto = IPPROTO_ESP;
		id->spi = htonl(0xfffffff0);
		id->daddr.a4 = htonl(0xc0000201);
	}
	err = xnl_talk(x, nlh, NULL, NULL);
	return err;
}

static int probe(struct xfrm *x, const char **why)
{
	int err;

	probe_state(x, XFRM_MSG_DELSA);	/* a probe a killed run left */
	err = probe_state(x, XFRM_MSG_NEWSA);
	if (err == -EPROTONOSUPPORT || err == -ENOPROTOOPT || err == -ENOSYS ||
	    err == -ENOENT) {
		*why = "this kernel has no ESP (esp4, esp6, rfc4106(gcm(aes))): "
		       "use --datapath tun (FWP_DATAPATH=tun), the user-space ESP";
		return -EPROTONOSUPPORT;
	}
	if (err) {
		*why = "cannot add an XFRM state (CAP_NET_ADMIN?)";
		return err;
	}
	probe_state(x, XFRM_MSG_DELSA);
	return 0;
}

/* ---- IPv6 neighbour discovery stays in the clear ---- */

/* A transport policy protects everything between two hosts, neighbour
 * solicitations and advertisements included: the peer's clear NA would be
 * dropped and the address never resolved. Bypass policies for ICMPv6
 * types 135 and 136 in both directions, above ours (as IKE daemons install
 * them), while the backend runs. The ICMP type is the selector's source
 * port. */
static int ndp_bypass(struct xfrm *x, bool add)
{
	static const uint8_t types[2] = { 135, 136 };
	static const uint8_t dirs[2] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };
	int err = 0;

	for (int t = 0; t < 2; t++) {
		for (int d = 0; d < 2; d++) {
			char buf[512];
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			struct xfrm_selector sel;
			int e;

			memset(&sel, 0, sizeof(sel));
			sel.family = AF_INET6;
			sel.proto = IPPROTO_ICMPV6;
			sel.sport = htons(types[t]);
			sel.sport_mask = 0xffff;
			if (add) {
				struct xfrm_userpolicy_info *p =
					mnl_nlmsg_put_extra_header(nlh, sizeof(*p));

				nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
				p->sel = sel;
				p->dir = dirs[d];
				p->action = XFRM_POLICY_ALLOW;
				p->priority = XFRM_BE_PRIORITY - 1;
				p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
				p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
			} else {
				struct xfrm_userpolicy_id *p =
					mnl_nlmsg_put_extra_header(nlh, sizeof(*p));

				nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
				p->sel = sel;
				p->dir = dirs[d];
			}
			e = xnl_talk(x, nlh, NULL, NULL);
			if (e && !err)
				err = e;
		}
	}
	return err;
}

/* ---- life cycle ---- */

static void xfrm_free(struct xfrm *x)
{
	xpol_fini(x);
	xleft_drop(x);
	dp_instance_unlock(&x->inst);
	if (x->nl)
		mnl_socket_close(x->nl);
	if (x->ev)
		mnl_socket_close(x->ev);
	xnatt_close(x);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

static int xfrm_create(void **out, const struct dp_config *cfg, const char **why)
{
	struct xfrm *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return -ENOMEM;
	x->cfg = *cfg;
	x->cfg.tun_name = NULL;
	x->cfg.lock_dir = NULL;
	x->natt_fd[0] = x->natt_fd[1] = -1;
	x->inst.fd = -1;
	pthread_mutex_init(&x->lock, NULL);
	err = xnl_open(&x->nl, 0);
	if (err) {
		*why = err == -EPROTONOSUPPORT ?
			"this kernel has no XFRM netlink (xfrm_user): use --datapath tun "
			"(FWP_DATAPATH=tun), the user-space ESP" : "NETLINK_XFRM socket";
		goto fail;
	}
	x->portid = mnl_socket_get_portid(x->nl);
	err = probe(x, why);
	if (err)
		goto fail;
	/* One xfrm datapath per namespace: what a dead one left is ours to
	 * take over, a live one's is not. */
	err = dp_instance_lock(&x->inst, cfg->lock_dir, "xfrm", why);
	if (err)
		goto fail;
	err = xleft_adopt(x);
	if (err) {
		*why = "cannot read what a previous run left in the kernel";
		goto fail;
	}
	err = xnl_open(&x->ev, (1u << (XFRMNLGRP_EXPIRE - 1)) |
				       (1u << (XFRMNLGRP_ACQUIRE - 1)));
	if (err) {
		*why = "NETLINK_XFRM event socket";
		goto fail;
	}
	err = ndp_bypass(x, true);
	if (err) {
		*why = "IPv6 neighbour discovery bypass policies";
		ndp_bypass(x, false);
		goto fail;
	}
	snprintf(x->desc, sizeof(x->desc), "the kernel (XFRM)");
	*out = x;
	return 0;
fail:
	xfrm_free(x);
	return err;
}

static struct dp_backend xfrm_backend(void *inst)
{
	return (struct dp_backend){ .ops = &xfrm_ops, .be = inst };
}

static void xfrm_attach(void *inst, const struct be_host *host)
{
	((struct xfrm *)inst)->host = *host;
}

static int xfrm_start(void *inst)
{
	return 0;	/* the kernel carries the packets */
}

static void xfrm_stop(void *inst)
{
}

/* The engine removed every SA before this (engine_destroy). */
static void xfrm_destroy(void *inst)
{
	ndp_bypass(inst, false);
	xleft_fini(inst);
	xfrm_free(inst);
}

/* A process that exits with the engine alive: the kernel must not keep
 * carrying traffic for an engine that is gone, so every state and policy
 * this backend installed goes (keys included). */
static void xfrm_stop_at_exit(void *inst)
{
	struct xfrm *x = inst;

	pthread_mutex_lock(&x->lock);
	while (x->sas) {
		struct xsa *s = x->sas;

		pthread_mutex_unlock(&x->lock);
		xfrm_ops.sa_remove(x, s);
		pthread_mutex_lock(&x->lock);
	}
	ndp_bypass(x, false);
	xpol_fini(x);
	xleft_fini(x);
	pthread_mutex_unlock(&x->lock);
}

static int xfrm_notice_fd(const void *inst)
{
	return mnl_socket_get_fd(((const struct xfrm *)inst)->ev);
}

struct expired {
	uint64_t id;
	FWP_DIRECTION dir;
	enum dp_sa_event ev;
	bool found;
	bool acquire;		/* net event below instead */
	struct fwp_net_event ne;
};

/* STATUS_IPSEC_QUEUE_OVERFLOW: the packet waited for an SA that did not
 * come (the tun backend's no-SA drop, docs/CONTRACT.md). */
#define XFRM_STATUS_QUEUE_OVERFLOW ((INT32)0xC000A010)

static void addr_out(union fwp_net_addr *o, const xfrm_address_t *a, bool v4)
{
	if (v4)
		o->v4 = ntohl(a->a4);
	else
		memcpy(o->v6.byteArray16, a->a6, 16);
}

/* An outbound trap's acquire: the no-SA drop net event, naming the filter.
 * The kernel sends one per flow until its larval state expires. */
static void on_acquire(struct xfrm *x, const struct xfrm_user_acquire *a, struct expired *e)
{
	struct fwp_net_event *ev = &e->ne;
	bool v4 = a->sel.family == AF_INET;

	memset(ev, 0, sizeof(*ev));
	ev->flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		    FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_IP_VERSION_SET;
	ev->ip_version = v4 ? FWP_IP_VERSION_V4 : FWP_IP_VERSION_V6;
	addr_out(&ev->local, &a->sel.saddr, v4);
	addr_out(&ev->remote, &a->sel.daddr, v4);
	ev->ip_protocol = a->sel.proto;
	if (a->sel.proto == IPPROTO_TCP || a->sel.proto == IPPROTO_UDP) {
		ev->flags |= FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET |
			     FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET;
		ev->local_port = ntohs(a->sel.sport);
		ev->remote_port = ntohs(a->sel.dport);
	}
	ev->type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
	ev->ipsec_drop.failureStatus = XFRM_STATUS_QUEUE_OVERFLOW;
	ev->ipsec_drop.direction = FWP_DIRECTION_OUTBOUND;
	ev->ipsec_drop.filterId = xpol_trap_filter(x, &a->policy.sel, a->policy.dir);
	e->acquire = true;
}

/* An expire message: the SA it names, found by (daddr, SPI). */
static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct xfrm *x = ((void **)data)[0];
	struct expired *e = ((void **)data)[1];
	const struct xfrm_user_expire *xe;

	if (nlh->nlmsg_type == XFRM_MSG_ACQUIRE &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct xfrm_user_acquire)) {
		on_acquire(x, mnl_nlmsg_get_payload(nlh), e);
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != XFRM_MSG_EXPIRE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*xe))
		return MNL_CB_OK;
	xe = mnl_nlmsg_get_payload(nlh);
	for (struct xsa *s = x->sas; s; s = s->next) {
		if ((s->spi[0] != xe->state.id.spi &&
		     (s->nst < 2 || s->spi[1] != xe->state.id.spi)) ||
		    s->family != xe->state.family ||
		    memcmp(&s->daddr, &xe->state.id.daddr, sizeof(s->daddr)))
			continue;
		if (!xe->hard && s->soft_told)
			break;
		s->soft_told = true;
		e->id = s->ctx_id;
		e->dir = s->dir;
		e->ev = xe->hard ? DP_SA_HARD_LIFETIME : DP_SA_SOFT_LIFETIME;
		e->found = true;
		break;
	}
	return MNL_CB_OK;
}

static void xfrm_deliver(void *inst)
{
	struct xfrm *x = inst;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(x->ev), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct expired e = { 0 };
		void *data[2] = { x, &e };
		const struct nlmsghdr *nlh = (const void *)buf;
		int len = (int)n;

		/* One message at a time: the upcall runs with no lock held. */
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			memset(&e, 0, sizeof(e));
			pthread_mutex_lock(&x->lock);
			on_event(nlh, data);
			pthread_mutex_unlock(&x->lock);
			if (e.found && x->host.ops)
				x->host.ops->sa_event(x->host.host, e.id, e.dir, e.ev);
			if (e.acquire && x->host.ops)
				x->host.ops->net_event(x->host.host, &e.ne);
		}
		explicit_bzero(buf, (size_t)n);
	}
}

static const char *xfrm_describe(const void *inst)
{
	return ((const struct xfrm *)inst)->desc;
}

const struct be_life_ops xfrm_life = {
	.name = "xfrm",
	.create = xfrm_create,
	.backend = xfrm_backend,
	.attach = xfrm_attach,
	.start = xfrm_start,
	.stop = xfrm_stop,
	.destroy = xfrm_destroy,
	.stop_at_exit = xfrm_stop_at_exit,
	.notice_fd = xfrm_notice_fd,
	.deliver = xfrm_deliver,
	.describe = xfrm_describe,
};
