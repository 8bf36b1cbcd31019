/* dp_sa.c - the datapath's SA table: the engine's backend ops.
 *
 * An op runs with the engine lock held; it prepares everything that can
 * fail (keying OpenSSL, routes) before it takes the table's write lock, so
 * the packet threads wait only for a pointer swap. An update changes the
 * live esp_sa in place under that lock: the packets before it saw the old
 * settings, the packets after it see the new ones, and the sequence
 * numbers and the replay window simply carry on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/dp_internal.h"
#include "common/log.h"

static void set_traffic(struct dp_sel *s, const struct be_sel *t)
{
	s->version = t->version;
	s->tunnel = t->tunnel;
	memcpy(s->local, t->local, 16);
	memcpy(s->remote, t->remote, 16);
	s->bind_id = t->bind_id;
	s->proto = t->proto;
	s->lport = t->lport;
	s->rport = t->rport;
}

static void set_encap(struct dp_sel *s, const struct be_encap *e)
{
	s->udp = e->on;
	s->udp_sport = e->sport;
	s->udp_dport = e->dport;
}

/* A host prefix for the SA's peer. */
static int peer_family(const struct dp_sel *s, unsigned *plen)
{
	*plen = s->version == 4 ? 32 : 128;
	return s->version == 4 ? AF_INET : AF_INET6;
}

/* ---- routes into the TUN ---- */

/* A routed prefix is guarded first (what misses the TUN is dropped, even
 * after this process dies) and unguarded last: the whole prefix (guard),
 * or the classes of the filter that asks for the route, which the caller
 * guards (dp_guard_filter). */
static int route_get(struct dp *dp, int family, const uint8_t *a, unsigned plen,
		     const uint8_t *src, bool guard)
{
	int err = guard ? guard_add(&dp->guard, GUARD_OUT, family, a, plen) : 0;

	if (err)
		return err;
	err = prefix_set_get(&dp->table.routes, family, a, plen);
	if (err < 0 && guard)
		guard_del(&dp->guard, GUARD_OUT, family, a, plen);
	if (err <= 0)
		return err;	/* routed already: the guard's count is taken */
	err = steer_add_prefix(&dp->steer, dp->tun.ifindex, family, a, plen, src);
	if (err && err != -EEXIST) {
		prefix_set_put(&dp->table.routes, family, a, plen);
		if (guard)
			guard_del(&dp->guard, GUARD_OUT, family, a, plen);
		return err;
	}
	return 0;
}

static void route_put(struct dp *dp, int family, const uint8_t *a, unsigned plen, bool guard)
{
	if (prefix_set_put(&dp->table.routes, family, a, plen))
		steer_del_prefix(&dp->steer, dp->tun.ifindex, family, a, plen);
	if (guard)
		guard_del(&dp->guard, GUARD_OUT, family, a, plen);
}

/* Prefixes to steer, walked from filter conditions. */
struct prefix_walk {
	struct dp *dp;
	bool add;
	int err;
	const uint8_t *src;	/* a host local prefix: the preferred source */
	uint8_t srcbuf[16];
	int src_family;
};

static void walk_local(void *arg, bool remote, int family, const uint8_t addr[16],
		       unsigned plen)
{
	struct prefix_walk *w = arg;

	if (!remote && plen == (family == AF_INET ? 32u : 128u) && !w->src) {
		memcpy(w->srcbuf, addr, 16);
		w->src = w->srcbuf;
		w->src_family = family;
	}
}

static void walk_remote(void *arg, bool remote, int family, const uint8_t addr[16],
			unsigned plen)
{
	struct prefix_walk *w = arg;
	const uint8_t *src = w->src_family == family ? w->src : NULL;

	if (!remote || w->err)
		return;
	if (w->add)
		w->err = route_get(w->dp, family, addr, plen, src, false);
	else
		route_put(w->dp, family, addr, plen, false);
}

/* An unbound transport SA steers its own peer, and (inbound) has the guard
 * drop its peer's cleartext; bound SAs get both from their filters
 * (dp_policy_changed). */
static bool unbound(const struct dp_sel *s)
{
	return !s->tunnel && !s->bind_id;
}

static int routes_apply(struct dp *dp, const struct dp_sel *sel, bool *routed, bool add)
{
	unsigned plen;
	int family = peer_family(sel, &plen), err = 0;

	if (!unbound(sel) || *routed == add)
		return 0;
	if (add)
		err = route_get(dp, family, sel->remote, plen, sel->local, true);
	else
		route_put(dp, family, sel->remote, plen, true);
	if (!err)
		*routed = add;
	return err;
}

static void guard_apply(struct dp *dp, struct dp_sa *s, bool add)
{
	unsigned plen;
	int family = peer_family(&s->sel, &plen);

	if (!dp->guarded || s->outbound || !unbound(&s->sel) || s->guarded == add)
		return;
	if (add && guard_add(&dp->guard, GUARD_IN, family, s->sel.remote, plen))
		fwp_log(FWP_LOG_WARN, "datapath: cannot guard a peer of SA context %llu",
			(unsigned long long)s->ctx_id);
	if (!add)
		guard_del(&dp->guard, GUARD_IN, family, s->sel.remote, plen);
	s->guarded = add;
}

/* ---- SAs ---- */

static int sa_build(struct dp *dp, const struct be_sa *sa, struct dp_sa **out)
{
	struct esp_sa_config cfg;
	struct dp_sa *s;
	const char *why;
	int err;

	if (sa->ah)
		return -EPROTONOSUPPORT;	/* AH is not carried */
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ctx_id = sa->id;
	s->outbound = sa->dir == FWP_DIRECTION_OUTBOUND;
	set_traffic(&s->sel, &sa->sel);
	set_encap(&s->sel, &sa->encap);
	s->limit_packets = sa->limit_packets;
	s->limit_bytes = sa->limit_bytes;
	memset(&cfg, 0, sizeof(cfg));
	cfg.xform = &sa->xform;
	cfg.outbound = s->outbound;
	cfg.mode = s->sel.tunnel ? ESP_TUNNEL : ESP_TRANSPORT;
	cfg.replay_window = dp->cfg.replay_window;
	cfg.outer_version = s->sel.version;
	memcpy(cfg.outer_src, s->sel.local, 16);
	memcpy(cfg.outer_dst, s->sel.remote, 16);
	cfg.df = ESP_DF_COPY;
	cfg.udp_encap = s->outbound && s->sel.udp;
	cfg.udp_sport = s->sel.udp_sport;
	cfg.udp_dport = s->sel.udp_dport;
	err = esp_sa_new(&s->esp, &cfg, &why);
	if (err) {
		free(s);
		return err;
	}
	pthread_mutex_init(&s->lock, NULL);
	atomic_store(&s->last_use_ms, dp_now_ms());
	*out = s;
	return 0;
}

static void sa_free(struct dp_sa *s)
{
	if (!s)
		return;
	esp_sa_free(s->esp);	/* wipes the keys */
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void bump(_Atomic uint64_t *gen)
{
	atomic_fetch_add_explicit(gen, 1, memory_order_release);
}

static int dp_install(void *be, const struct be_sa *sa, void **handle)
{
	struct dp *dp = be;
	struct dp_sa *s;
	int err;

	err = sa_build(dp, sa, &s);
	if (err)
		return err;
	if (s->outbound) {
		err = routes_apply(dp, &s->sel, &s->routed, true);
		if (err) {
			sa_free(s);
			return err;
		}
	}
	pthread_rwlock_wrlock(&dp->table.lock);
	if (s->outbound) {
		s->next = dp->table.out;
		if (s->next)
			s->next->prev = s;
		dp->table.out = s;
	} else {
		idmap_insert(&dp->table.by_spi, &s->by_spi, esp_sa_spi(s->esp));
	}
	bump(&dp->sa_gen);
	pthread_rwlock_unlock(&dp->table.lock);
	guard_apply(dp, s, true);
	*handle = s;
	return 0;
}

static void unlink_sa(struct dp *dp, struct dp_sa *s)
{
	if (!s->outbound) {
		idmap_remove(&dp->table.by_spi, &s->by_spi);
		return;
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		dp->table.out = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static void dp_remove(void *be, void *handle)
{
	struct dp *dp = be;
	struct dp_sa *s = handle;

	if (!s)
		return;
	pthread_rwlock_wrlock(&dp->table.lock);
	unlink_sa(dp, s);
	bump(&dp->sa_gen);
	pthread_rwlock_unlock(&dp->table.lock);
	if (s->outbound)
		routes_apply(dp, &s->sel, &s->routed, false);
	guard_apply(dp, s, false);
	sa_free(s);
}

/* A traffic change moves the addresses (the peer moved, or NAT-T came
 * with a new address); the routes follow the outbound SA. */
static int dp_update(struct dp *dp, struct dp_sa *s, const struct be_change *p)
{
	struct dp_sel next;
	bool traffic = p->flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC;
	bool encap = traffic || (p->flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION);
	bool moved, routed = false;
	int err;

	if (!s || (!traffic && !encap))
		return 0;
	/* This thread is the only writer of s->sel: reading it needs no lock. */
	next = s->sel;
	if (traffic)
		set_traffic(&next, &p->sel);
	if (encap)
		set_encap(&next, &p->encap);
	moved = memcmp(next.remote, s->sel.remote, 16) || next.bind_id != s->sel.bind_id ||
		next.tunnel != s->sel.tunnel;
	if (moved && s->outbound) {
		/* New routes first: a failure leaves the old ones. */
		err = routes_apply(dp, &next, &routed, true);
		if (err)
			return err;
		routes_apply(dp, &s->sel, &s->routed, false);
	}
	if (moved)
		guard_apply(dp, s, false);	/* again below, with the new peer */
	pthread_rwlock_wrlock(&dp->table.lock);
	s->sel = next;
	if (moved && s->outbound)
		s->routed = routed;
	if (s->outbound) {
		esp_sa_set_udp_encap(s->esp, next.udp, next.udp_sport, next.udp_dport);
		if (next.tunnel)
			esp_sa_set_outer(s->esp, next.version, next.local, next.remote);
	}
	bump(&dp->sa_gen);
	pthread_rwlock_unlock(&dp->table.lock);
	if (moved)
		guard_apply(dp, s, true);
	return 0;
}

/* Only an outbound update can fail (its routes): it goes first, and the
 * inbound one, which cannot fail, after it. */
static int dp_update_pair(void *be, void *const h[2], const struct be_change *const ch[2])
{
	struct dp *dp = be;
	int err = 0;

	if (ch[FWP_DIRECTION_OUTBOUND])
		err = dp_update(dp, h[FWP_DIRECTION_OUTBOUND], ch[FWP_DIRECTION_OUTBOUND]);
	if (!err && ch[FWP_DIRECTION_INBOUND])
		err = dp_update(dp, h[FWP_DIRECTION_INBOUND], ch[FWP_DIRECTION_INBOUND]);
	return err;
}

static int dp_counters(void *be, void *handle, struct sa_counters *out)
{
	struct dp_sa *s = handle;
	struct esp_sa_stats st;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOENT;
	esp_sa_stats(s->esp, &st);
	out->packets = st.packets;
	out->bytes = st.bytes;
	out->replay_drops = st.replay_drops;
	out->icv_failures = st.icv_failures;
	out->other_drops = st.malformed + st.trailer_errors + st.ecn_drops + st.seq_exhausted +
			   atomic_load_explicit(&s->nosa_drops, memory_order_relaxed);
	out->last_use_ms = st.packets ? atomic_load(&s->last_use_ms) : 0;
	return 0;
}

static UINT32 u32(_Atomic uint64_t *v)
{
	uint64_t x = atomic_load_explicit(v, memory_order_relaxed);

	return x > UINT32_MAX ? UINT32_MAX : (UINT32)x;
}

static void dp_statistics(void *be, IPSEC_STATISTICS1 *out)
{
	struct dp *dp = be;
	struct dp_stats *st = &dp->st;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *a = &out->aggregateDropPacketStatistics;
	uint64_t in_b = atomic_load(&st->in_bytes), out_b = atomic_load(&st->out_bytes);

	out->espDropPacketStatistics.invalidSpisOnInbound = u32(&st->bad_spi);
	out->espDropPacketStatistics.decryptionFailuresOnInbound = u32(&st->decrypt_fail);
	out->espDropPacketStatistics.authenticationFailuresOnInbound = u32(&st->auth_fail);
	out->espDropPacketStatistics.replayCheckFailuresOnInbound = u32(&st->replay);
	a->invalidSpisOnInbound = u32(&st->bad_spi);
	a->decryptionFailuresOnInbound = u32(&st->decrypt_fail);
	a->authenticationFailuresOnInbound = u32(&st->auth_fail);
	a->udpEspValidationFailuresOnInbound = u32(&st->udp_invalid);
	a->replayCheckFailuresOnInbound = u32(&st->replay);
	a->secureReceivesNotMatchingFilters = u32(&st->not_matching);
	a->invalidClearTextInbound = u32(&st->cleartext);
	a->totalDropPacketsInbound = u32(&st->in_drops);
	uint64_t in_t = atomic_load(&st->in_tunnel_bytes), out_t = atomic_load(&st->out_tunnel_bytes);

	out->inboundTrafficStatistics.tunnelByteCount = in_t;
	out->inboundTrafficStatistics.transportByteCount = in_b - in_t;
	out->outboundTrafficStatistics.tunnelByteCount = out_t;
	out->outboundTrafficStatistics.transportByteCount = out_b > out_t ? out_b - out_t : 0;
	out->inboundTrafficStatistics.encryptedByteCount = in_b;
	out->inboundTrafficStatistics.authenticatedESPByteCount = in_b;
	out->inboundTrafficStatistics.totalSuccessfulPackets = atomic_load(&st->in_packets);
	out->outboundTrafficStatistics.encryptedByteCount = out_b;
	out->outboundTrafficStatistics.authenticatedESPByteCount = out_b;
	out->outboundTrafficStatistics.totalSuccessfulPackets = atomic_load(&st->out_packets);
}

static void dp_ext_statistics(void *be, FWPX_STATISTICS0 *out)
{
	struct dp_stats *st = &((struct dp *)be)->st;

	out->outboundNoSaDrops = atomic_load_explicit(&st->no_sa, memory_order_relaxed);
	out->outboundBlockDrops = atomic_load_explicit(&st->blocked, memory_order_relaxed);
	out->outboundOtherDrops = atomic_load_explicit(&st->out_drops, memory_order_relaxed);
}

static bool is_layer(const FWPM_FILTER0 *f, const GUID *v4, const GUID *v6)
{
	return !memcmp(&f->layerKey, v4, sizeof(GUID)) || !memcmp(&f->layerKey, v6, sizeof(GUID));
}

static bool steers(const FWPM_FILTER0 *f)
{
	if (memcmp(&f->layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, sizeof(GUID)) &&
	    memcmp(&f->layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, sizeof(GUID)))
		return false;
	return (f->action.type & FWP_ACTION_FLAG_CALLOUT) || f->action.type == FWP_ACTION_BLOCK;
}

/* An outbound filter that protects or blocks traffic to a remote prefix
 * routes that prefix into the TUN for as long as it exists, SA or not: with
 * no SA the traffic is dropped there, never sent in the clear. */
static void dp_policy_changed(void *be, const struct be_filter *bf, bool added)
{
	struct dp *dp = be;
	const FWPM_FILTER0 *f = bf ? bf->f : NULL;
	struct prefix_walk w = { .dp = dp, .add = added };

	bump(&dp->pol_gen);
	if (f && dp->guarded && (f->action.type & FWP_ACTION_FLAG_CALLOUT) &&
	    is_layer(f, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &FWPM_LAYER_INBOUND_TRANSPORT_V6)) {
		/* Inbound IPsec filters: what they protect must come as ESP. */
		if (dp_guard_filter(dp, f, GUARD_IN, added))
			fwp_log(FWP_LOG_WARN, "datapath: filter %llu: cannot guard its peers",
				(unsigned long long)f->filterId);
		return;
	}
	if (!f || !steers(f))
		return;
	/* What it protects is guarded before the route and after it. */
	if (added && dp_guard_filter(dp, f, GUARD_OUT, true))
		fwp_log(FWP_LOG_WARN, "datapath: filter %llu: cannot guard its peers",
			(unsigned long long)f->filterId);
	dp->host.ops->filter_prefixes(f, walk_local, &w);
	dp->host.ops->filter_prefixes(f, walk_remote, &w);
	if (!added)
		dp_guard_filter(dp, f, GUARD_OUT, false);
	if (w.err)
		fwp_log(FWP_LOG_WARN, "datapath: filter %llu: a route into %s failed: %s",
			(unsigned long long)f->filterId, dp->tun.name, strerror(-w.err));
}

/* The engine's classifier snapshot changed: verdicts cached from the old
 * one are stale (dp_flow.c). The bump in dp_policy_changed alone could
 * come before the new snapshot is there. */
static void dp_policy_published(void *be)
{
	struct dp *dp = be;

	bump(&dp->pol_gen);
}

const struct dp_backend_ops dp_tun_ops = {
	.name = "tun",
	.sa_install = dp_install,
	.sa_update_pair = dp_update_pair,
	.sa_remove = dp_remove,
	.sa_counters = dp_counters,
	.statistics = dp_statistics,
	.ext_statistics = dp_ext_statistics,
	.policy_changed = dp_policy_changed,
	.policy_published = dp_policy_published,
};

void dp_table_fini(struct dp *dp)
{
	/* The engine removed every SA before this (engine_destroy). */
	prefix_set_free(&dp->table.routes);
	idmap_free(&dp->table.by_spi);
	pthread_rwlock_destroy(&dp->table.lock);
}

struct dp_sa *dp_sa_by_spi(struct dp *dp, uint32_t spi)
{
	struct idmap_node *n = idmap_find(&dp->table.by_spi, spi);

	return n ? idmap_entry(n, struct dp_sa, by_spi) : NULL;
}

static bool is_ike(const struct dp_flow_key *k)
{
	return k->proto == IPPROTO_UDP &&
	       (k->dport == 500 || k->dport == 4500 || k->sport == 500 || k->sport == 4500);
}

bool dp_sel_match(const struct dp_sel *sel, const struct dp_flow_key *k, bool outbound)
{
	size_t alen = sel->version == 4 ? 4 : 16;
	const uint8_t *local = outbound ? k->src : k->dst, *remote = outbound ? k->dst : k->src;
	uint16_t lport = outbound ? k->sport : k->dport, rport = outbound ? k->dport : k->sport;

	return k->version == sel->version && !memcmp(remote, sel->remote, alen) &&
	       !memcmp(local, sel->local, alen) && (!sel->proto || sel->proto == k->proto) &&
	       (!sel->rport || sel->rport == rport) && (!sel->lport || sel->lport == lport);
}

enum dp_kind dp_resolve_out(struct dp *dp, const struct dp_flow *f, struct dp_sa **sa)
{
	const struct engine_verdict *v = &f->v;
	size_t alen = f->key.version == 4 ? 4 : 16;

	*sa = NULL;
	if (v->filter_id && v->action == FWP_ACTION_BLOCK)
		return DP_BLOCK;
	if (v->filter_id && !(v->action & FWP_ACTION_FLAG_CALLOUT))
		return DP_BYPASS;
	/* Newest first: after a rekey the new SA wins. */
	for (struct dp_sa *s = dp->table.out; s; s = s->next) {
		const struct dp_sel *sel = &s->sel;

		if (atomic_load_explicit(&s->dead, memory_order_relaxed) ||
		    sel->version != f->key.version)
			continue;
		if (!v->filter_id) {
			if (!unbound(sel) || is_ike(&f->key) || !dp_sel_match(sel, &f->key, true))
				continue;
		} else if (f->tunnel_callout) {
			if (!sel->tunnel || sel->bind_id != v->context_id)
				continue;
		} else if (sel->tunnel || sel->bind_id != v->filter_id ||
			   memcmp(sel->remote, f->key.dst, alen)) {
			continue;
		}
		*sa = s;
		return DP_PROTECT;
	}
	return v->filter_id ? DP_NOSA : DP_BYPASS;
}

void dp_sa_account(struct dp *dp, struct dp_sa *s, uint64_t now_ms)
{
	struct esp_sa_stats st;
	FWP_DIRECTION dir = s->outbound ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND;

	atomic_store_explicit(&s->last_use_ms, now_ms, memory_order_relaxed);
	if (!s->limit_packets && !s->limit_bytes)
		return;
	esp_sa_stats(s->esp, &st);
	if ((s->limit_packets && st.packets >= s->limit_packets) ||
	    (s->limit_bytes && st.bytes >= s->limit_bytes)) {
		atomic_store(&s->dead, true);
		if (!atomic_load(&s->hard_sent) &&
		    dp_post_notice(dp, s->ctx_id, dir, DP_SA_HARD_LIFETIME))
			atomic_store(&s->hard_sent, true);
		return;
	}
	if (atomic_load(&s->soft_sent))
		return;
	if ((s->limit_packets && st.packets * 1000 >= s->limit_packets * DP_SOFT_PERMILLE) ||
	    (s->limit_bytes && st.bytes * 1000 >= s->limit_bytes * DP_SOFT_PERMILLE)) {
		if (dp_post_notice(dp, s->ctx_id, dir, DP_SA_SOFT_LIFETIME))
			atomic_store(&s->soft_sent, true);
	}
}
