/* dp_flow.c - which filter decides a packet, cached per flow and thread.
 *
 * The first packet of a flow asks the engine (engine_classify: the
 * committed filters at the outbound or inbound transport layer of its IP
 * version, from the engine's published snapshot, without the engine
 * lock); the answer is kept in the thread's direct-mapped cache until a
 * filter changes and its snapshot is published (pol_gen). Called without
 * the table lock (no upcall is made under it).
 */
#include <string.h>

#include "datapath/dp_internal.h"

void dp_flow_key(struct dp_flow_key *k, const struct esp_selector *sel)
{
	memset(k, 0, sizeof(*k));
	k->version = sel->version;
	k->proto = sel->proto;
	k->sport = sel->sport;
	k->dport = sel->dport;
	memcpy(k->src, sel->src, sel->version == 4 ? 4 : 16);
	memcpy(k->dst, sel->dst, sel->version == 4 ? 4 : 16);
}

/* Word at a time: this runs for every packet whose flow differs from the
 * previous packet's. */
static uint32_t flow_hash(const struct dp_flow_key *k)
{
	uint64_t w[4], h;

	memcpy(w, k->src, 16);
	memcpy(w + 2, k->dst, 16);
	h = ((uint64_t)k->sport << 48 | (uint64_t)k->dport << 32 |
	     (uint64_t)k->proto << 8 | k->version) * 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	return (uint32_t)h;
}

static bool is_tunnel_callout(const GUID *g)
{
	return !memcmp(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, sizeof(*g)) ||
	       !memcmp(g, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6, sizeof(*g)) ||
	       !memcmp(g, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, sizeof(*g)) ||
	       !memcmp(g, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6, sizeof(*g));
}

static const GUID *layer_of(uint8_t version, bool outbound)
{
	if (outbound)
		return version == 4 ? &FWPM_LAYER_OUTBOUND_TRANSPORT_V4 :
				      &FWPM_LAYER_OUTBOUND_TRANSPORT_V6;
	return version == 4 ? &FWPM_LAYER_INBOUND_TRANSPORT_V4 :
			      &FWPM_LAYER_INBOUND_TRANSPORT_V6;
}

static void classify(struct dp *dp, const struct dp_flow_key *k, bool outbound,
		     struct engine_verdict *v)
{
	struct engine_flow f;

	memset(&f, 0, sizeof(f));
	f.layer = layer_of(k->version, outbound);
	f.ip_version = k->version;
	f.protocol = k->proto;
	/* Outbound the packet's source is local; inbound its destination. */
	f.local_port = outbound ? k->sport : k->dport;
	f.remote_port = outbound ? k->dport : k->sport;
	memcpy(f.local_addr, outbound ? k->src : k->dst, 16);
	memcpy(f.remote_addr, outbound ? k->dst : k->src, 16);
	/* A flow that cannot be classified is dropped, never sent in the
	 * clear: what reached the datapath was routed here to be protected. */
	if (!dp->host.ops || dp->host.ops->classify(dp->host.host, &f, v)) {
		memset(v, 0, sizeof(*v));
		v->action = FWP_ACTION_BLOCK;
	}
}

struct dp_flow *dp_flow_slot(struct dp_flow_cache *fc, const struct dp_flow_key *k)
{
	return &fc->slot[flow_hash(k) & (DP_FLOW_SLOTS - 1)];
}

struct dp_flow *dp_flow_get(struct dp *dp, struct dp_flow_cache *fc,
			    const struct dp_flow_key *k, bool outbound)
{
	struct dp_flow *f = dp_flow_slot(fc, k);
	uint64_t gen = atomic_load_explicit(&dp->pol_gen, memory_order_acquire) + 1;

	if (f->pol_gen == gen && !memcmp(&f->key, k, sizeof(*k)))
		return f;
	/* gen is read before classifying: a change meanwhile makes this
	 * entry stale at once. (Stored +1 so that 0 means empty.) */
	f->key = *k;
	classify(dp, k, outbound, &f->v);
	f->tunnel_callout = (f->v.action & FWP_ACTION_FLAG_CALLOUT) &&
			    is_tunnel_callout(&f->v.callout);
	f->pol_gen = gen;
	f->sa_gen = 0;
	f->sa = NULL;
	return f;
}

void dp_raise_drop(struct dp *dp, const struct dp_flow_key *k, bool outbound,
		   const struct engine_verdict *v, INT32 status, uint32_t spi)
{
	struct fwp_net_event ev;
	const uint8_t *local = outbound ? k->src : k->dst;
	const uint8_t *remote = outbound ? k->dst : k->src;

	if (!dp->host.ops)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		   FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_IP_VERSION_SET;
	ev.ip_protocol = k->proto;
	if (k->version == 4) {
		uint32_t l, r;

		memcpy(&l, local, 4);
		memcpy(&r, remote, 4);
		ev.ip_version = FWP_IP_VERSION_V4;
		ev.local.v4 = ntohl(l);
		ev.remote.v4 = ntohl(r);
	} else {
		ev.ip_version = FWP_IP_VERSION_V6;
		memcpy(ev.local.v6.byteArray16, local, 16);
		memcpy(ev.remote.v6.byteArray16, remote, 16);
	}
	if (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) {
		ev.flags |= FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET | FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET;
		ev.local_port = outbound ? k->sport : k->dport;
		ev.remote_port = outbound ? k->dport : k->sport;
	}
	if (status) {
		ev.type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
		ev.ipsec_drop.failureStatus = status;
		ev.ipsec_drop.direction = outbound ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND;
		ev.ipsec_drop.spi = spi;
		ev.ipsec_drop.filterId = v ? v->filter_id : 0;
	} else {
		ev.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP;
		ev.classify_drop.filterId = v ? v->filter_id : 0;
		ev.classify_drop.msFwpDirection = outbound ? FWP_DIRECTION_OUTBOUND :
							     FWP_DIRECTION_INBOUND;
	}
	dp->host.ops->net_event(dp->host.host, &ev);
}
