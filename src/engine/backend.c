/* backend.c - the engine's side of the seam (backend.h): the plain data a
 * backend gets for each SA, the calls through the backend with the
 * handles the records keep, and the host table of upcalls. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "engine/addr.h"
#include "engine/engine_internal.h"
#include "engine/net_event.h"

static void traffic_addrs(const IPSEC_TRAFFIC1 *t, uint8_t local[16], uint8_t remote[16])
{
	memset(local, 0, 16);
	memset(remote, 0, 16);
	if (t->ipVersion == FWP_IP_VERSION_V4) {
		uint32_t l = htonl(t->localV4Address), r = htonl(t->remoteV4Address);

		memcpy(local, &l, 4);
		memcpy(remote, &r, 4);
	} else {
		addr6_traffic_to_net(t->localV6Address, local);
		addr6_traffic_to_net(t->remoteV6Address, remote);
	}
}

void be_sel_from_traffic(const IPSEC_TRAFFIC1 *t, struct be_sel *s)
{
	memset(s, 0, sizeof(*s));
	s->version = t->ipVersion == FWP_IP_VERSION_V6 ? 6 : 4;
	s->tunnel = t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL;
	traffic_addrs(t, s->local, s->remote);
	s->bind_id = t->ipsecFilterId;	/* = tunnelPolicyId */
	s->proto = t->ipProtocol;
	s->lport = t->localPort;
	s->rport = t->remotePort;
}

static void encap_from(struct be_encap *o, bool on, const IPSEC_V4_UDP_ENCAPSULATION0 *e)
{
	o->on = on;
	o->sport = e->localUdpEncapPort;
	o->dport = e->remoteUdpEncapPort;
}

void be_sa_build(const struct sa_context *c, FWP_DIRECTION dir, struct be_sa *out)
{
	const struct sa_dir *d = dir == FWP_DIRECTION_OUTBOUND ? &c->out : &c->in;

	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->dir = dir;
	be_sel_from_traffic(&d->traffic, &out->sel);
	encap_from(&out->encap, d->encap_on, &d->encap);
	out->xform = d->bundle.sas[0];
	out->num_xforms = d->bundle.num_sas;
	if (d->bundle.num_sas == 2)
		out->ah_xform = d->bundle.sas[1];
	out->ah = d->bundle.num_sas != 1 || d->bundle.sas[0].type == IPSEC_TRANSFORM_AH;
	out->limit_packets = d->bundle.lifetime.lifetimePackets;
	out->limit_bytes = (uint64_t)d->bundle.lifetime.lifetimeKilobytes * 1024;
	out->limit_seconds = d->bundle.lifetime.lifetimeSeconds;
}

void be_sa_wipe(struct be_sa *sa)
{
	explicit_bzero(sa, sizeof(*sa));
}

void dp_config_default(struct dp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->tun_name = "fwp0";
	c->queues = 1;
	c->mtu = 1400;
	c->udp_port = 4500;	/* RFC 3948 (UDP_IO_DEFAULT_PORT) */
	c->raw_esp = true;
	c->replay_window = 64;
}

/* ---- calls with the records' handles (engine lock held) ---- */

int engine_be_install(struct engine *e, struct sa_context *c, FWP_DIRECTION dir)
{
	struct be_sa sa;
	void *h = NULL;
	int err;

	be_sa_build(c, dir, &sa);
	err = e->backend.ops->sa_install(e->backend.be, &sa, &h);
	be_sa_wipe(&sa);
	if (!err)
		c->be[dir] = h;
	return err;
}

void engine_be_remove(struct engine *e, struct sa_context *c, FWP_DIRECTION dir)
{
	e->backend.ops->sa_remove(e->backend.be, c->be[dir]);
	c->be[dir] = NULL;
}

int engine_be_counters(struct engine *e, const struct sa_context *c, FWP_DIRECTION dir,
		       struct sa_counters *out)
{
	memset(out, 0, sizeof(*out));
	return e->backend.ops->sa_counters(e->backend.be, c->be[dir], out);
}

static void change_from(const struct sa_patch *p, struct be_change *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->flags = p->flags & (IPSEC_SA_DETAILS_UPDATE_TRAFFIC |
				IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION);
	if (ch->flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC)
		be_sel_from_traffic(&p->traffic, &ch->sel);
	encap_from(&ch->encap, p->encap_on, &p->encap);
}

int engine_be_update(struct engine *e, struct sa_context *c, const struct sa_patch *const p[2])
{
	struct be_change ch[2];
	const struct be_change *chp[2] = { NULL, NULL };

	for (int dir = 0; dir < 2; dir++) {
		if (!p[dir])
			continue;
		change_from(p[dir], &ch[dir]);
		if (ch[dir].flags)
			chp[dir] = &ch[dir];
	}
	if (!chp[0] && !chp[1])
		return 0;
	return e->backend.ops->sa_update_pair(e->backend.be, c->be, chp);
}

/* ---- upcalls ---- */

static void host_sa_event(void *host, uint64_t id, FWP_DIRECTION dir, enum dp_sa_event ev)
{
	engine_sa_datapath_event(host, id, dir, ev);
}

static void host_net_event(void *host, const struct fwp_net_event *ev)
{
	engine_net_event_raise(host, ev);
}

static DWORD host_classify(void *host, const struct engine_flow *f, struct engine_verdict *v)
{
	return engine_classify(host, f, v);
}

static const struct be_host_ops host_ops = {
	.sa_event = host_sa_event,
	.net_event = host_net_event,
	.classify = host_classify,
	.filter_prefixes = engine_filter_prefixes,
};

struct be_host engine_host(struct engine *e)
{
	return (struct be_host){ .ops = &host_ops, .host = e };
}
