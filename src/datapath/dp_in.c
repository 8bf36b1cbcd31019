/* dp_in.c - the inbound packet thread: sockets -> SPI -> ESP -> policy -> TUN.
 *
 * One thread reads the outer sockets (ESP in UDP with GRO trains, and raw
 * ESP). A batch goes through three passes:
 *   1. no lock: datagrams sorted (ESP, IKE, keepalive), parsed where they
 *      were received (lengths, SPI, sequence number), each given a slot;
 *   2. under the table's read lock: the SA by SPI, replay check, ICV,
 *      decryption from the receive buffer into the slot (no copy first),
 *      trailer (esp_decap_from), the SA's selectors copied out;
 *   3. no lock: the inner packet against policy (the inbound transport
 *      layer's filters must send it through this SA: a tunnel callout
 *      naming its tunnel policy, or its transport filter; an unbound
 *      transport SA checks its own selectors), then TCP coalescing and one
 *      TUN write per packet train.
 * Drops are counted; unknown SPIs and packets that policy refuses raise net
 * events (IPSEC_KERNEL_DROP, CLASSIFY_DROP).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp_internal.h"
#include "datapath/vnet.h"

#define IN_MSGS 16
#define IN_RX 65536
#define IN_PKTS 512
#define IN_DATA 9216			/* the largest outer packet taken */
#define IN_SLOT (ESP_MAX_OVERHEAD + IN_DATA + ESP_MAX_OVERHEAD)

struct in_pkt {
	const uint8_t *src;		/* the packet in the receive buffer */
	struct esp_buf b;		/* its slot: decrypted into from src */
	struct esp_in in;
	struct esp_in_result res;
	int err;			/* 0: decrypted */
	struct dp_sel sel;		/* the SA's, copied under the lock */
};

struct in_ctx {
	struct dp *dp;
	uint8_t *rx;
	struct udp_io_msg msg[IN_MSGS];
	uint8_t *slots;
	struct in_pkt pk[IN_PKTS];
	unsigned n;
	struct vnet_pkt out[IN_PKTS];
	unsigned idx[IN_PKTS];
	struct dp_flow_cache cache;
	uint64_t packets, bytes, tunnel_bytes, bad_spi, auth, decrypt, replay, udp_invalid, drops,
		 not_matching, ike, keepalive;
};

static struct in_pkt *in_slot(struct in_ctx *x, const uint8_t *p, size_t len)
{
	struct in_pkt *k;

	if (x->n == IN_PKTS || len > IN_DATA) {
		x->drops++;
		return NULL;
	}
	k = &x->pk[x->n];
	k->src = p;
	k->b.base = x->slots + (size_t)x->n * IN_SLOT;
	k->b.size = IN_SLOT;
	k->b.off = ESP_MAX_OVERHEAD;
	k->b.len = len;
	return k;
}

static void addr_of(const union udp_io_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->sa.sa_family == AF_INET)
		memcpy(out, &a->in4.sin_addr, 4);
	else
		memcpy(out, &a->in6.sin6_addr, 16);
}

/* One ESP-in-UDP datagram (or a bare ESP packet from a raw IPv6 socket). */
static void in_payload(struct in_ctx *x, const struct udp_io_msg *m, const uint8_t *p,
		       size_t len, bool udp)
{
	struct in_pkt *k;

	if (udp) {
		switch (udp_io_classify(p, len)) {
		case UDP_IO_ESP:
			break;
		case UDP_IO_IKE:
			x->ike++;	/* no IKE daemon behind this port: dropped */
			return;
		case UDP_IO_KEEPALIVE:
			x->keepalive++;
			return;
		default:
			x->udp_invalid++;
			return;
		}
	}
	k = in_slot(x, p, len);
	if (!k)
		return;
	if (esp_parse_udp(p, len, &k->in) != ESP_PARSE_ESP) {
		x->udp_invalid++;
		return;
	}
	k->in.udp = udp;
	k->in.version = m->peer.sa.sa_family == AF_INET ? 4 : 6;
	addr_of(&m->peer, k->in.src);
	memcpy(k->in.dst, &m->local, k->in.version == 4 ? 4 : 16);
	x->n++;
}

static void in_raw4(struct in_ctx *x, const struct udp_io_msg *m)
{
	struct in_pkt *k = in_slot(x, m->buf, m->len);

	if (!k)
		return;
	if (esp_parse_ip(m->buf, m->len, &k->in) != ESP_PARSE_ESP) {
		x->drops++;
		return;
	}
	x->n++;
}

static int in_read(struct in_ctx *x, enum udp_io_sock s)
{
	int r = udp_io_recv(&x->dp->io, s, x->msg, IN_MSGS);

	for (int i = 0; i < r; i++) {
		const struct udp_io_msg *m = &x->msg[i];

		if (s == UDP_IO_RAW4) {
			in_raw4(x, m);
		} else if (s == UDP_IO_RAW6) {
			in_payload(x, m, m->buf, m->len, false);
		} else {
			uint32_t seg = m->segsz ? m->segsz : m->len;

			for (uint32_t off = 0; off < m->len && seg; off += seg)
				in_payload(x, m, m->buf + off,
					   m->len - off < seg ? m->len - off : seg, true);
		}
	}
	return r;
}

static void in_count_error(struct in_ctx *x, int err)
{
	switch (err) {
	case -EALREADY:
		x->replay++;
		break;
	case -EBADMSG:
		x->auth++;
		break;
	case -EPROTO:
		x->decrypt++;
		break;
	default:
		x->drops++;
	}
}

static void in_decrypt(struct in_ctx *x)
{
	struct dp *dp = x->dp;
	uint64_t now = dp_now_ms();
	struct dp_sa *locked = NULL;

	pthread_rwlock_rdlock(&dp->table.lock);
	for (unsigned i = 0; i < x->n; i++) {
		struct in_pkt *k = &x->pk[i];
		struct dp_sa *s = dp_sa_by_spi(dp, k->in.spi);

		if (locked && locked != s) {
			pthread_mutex_unlock(&locked->lock);
			dp_sa_account(dp, locked, now);
			locked = NULL;
		}
		if (!s) {
			k->err = -ENOENT;
			x->bad_spi++;
			continue;
		}
		if (atomic_load_explicit(&s->dead, memory_order_relaxed)) {
			k->err = -ESTALE;
			x->drops++;
			continue;
		}
		if (!locked) {
			locked = s;
			pthread_mutex_lock(&s->lock);
		}
		k->err = esp_decap_from(s->esp, &k->b, k->src, &k->in, &k->res);
		if (k->err) {
			in_count_error(x, k->err);
			continue;
		}
		k->sel = s->sel;
	}
	if (locked) {
		pthread_mutex_unlock(&locked->lock);
		dp_sa_account(dp, locked, now);
	}
	pthread_rwlock_unlock(&dp->table.lock);
}

/* Whether policy sends this inner packet through the SA it came by. */
static bool in_policy(struct in_ctx *x, const struct in_pkt *k, struct dp_flow_key *key,
		      const struct dp_flow **fout)
{
	const struct dp_flow *f;

	*fout = NULL;
	if (!k->sel.tunnel && !k->sel.bind_id)
		return dp_sel_match(&k->sel, key, false);
	f = dp_flow_get(x->dp, &x->cache, key, false);
	*fout = f;
	if (k->sel.tunnel)
		return f->tunnel_callout && f->v.context_id == k->sel.bind_id;
	return f->v.filter_id == k->sel.bind_id;
}

static void in_deliver(struct in_ctx *x)
{
	unsigned n = 0, w;

	for (unsigned i = 0; i < x->n; i++) {
		struct in_pkt *k = &x->pk[i];
		struct esp_selector sel;
		struct dp_flow_key key;
		const struct dp_flow *f;

		if (k->err == -ENOENT) {
			struct dp_flow_key outer = { .version = k->in.version, .proto = IPPROTO_ESP };

			memcpy(outer.src, k->in.src, 16);
			memcpy(outer.dst, k->in.dst, 16);
			dp_raise_drop(x->dp, &outer, false, NULL, DP_STATUS_IPSEC_BAD_SPI,
				      k->in.spi);
		}
		if (k->err || k->res.dummy)
			continue;
		if (esp_selector_get(k->b.base + k->res.off, k->res.len, &sel)) {
			x->drops++;
			continue;
		}
		dp_flow_key(&key, &sel);
		if (!in_policy(x, k, &key, &f)) {
			x->not_matching++;
			if (f && f->v.filter_id && f->v.action == FWP_ACTION_BLOCK)
				dp_raise_drop(x->dp, &key, false, &f->v, 0, 0);
			continue;
		}
		x->packets++;
		x->bytes += k->res.len;
		if (k->sel.tunnel)
			x->tunnel_bytes += k->res.len;
		x->out[n].data = k->b.base + k->res.off;
		x->out[n].len = (uint32_t)k->res.len;
		x->out[n].cap = (uint32_t)(k->b.size - k->res.off);
		n++;
	}
	while (n) {
		unsigned chunk = n > VNET_GRO_MAX ? VNET_GRO_MAX : n;

		w = vnet_gro(x->out, chunk, x->idx);
		if (tun_write_gro(&x->dp->tun, 0, x->out, x->idx, w) < 0)
			x->drops += w;
		memmove(x->out, x->out + chunk, (n - chunk) * sizeof(x->out[0]));
		n -= chunk;
	}
}

/* Cleartext the guard dropped in the kernel: a net event and a count each
 * (inbound: invalidClearTextInbound; outbound: the outbound drops). */
static void in_guard(struct in_ctx *x)
{
	struct guard_drop d[64];
	int n = guard_read(&x->dp->guard, d, 64);

	for (int i = 0; i < n; i++) {
		struct dp_flow_key k = { .version = d[i].version, .proto = d[i].proto,
					 .sport = d[i].sport, .dport = d[i].dport };

		memcpy(k.src, d[i].src, 16);
		memcpy(k.dst, d[i].dst, 16);
		dp_raise_drop(x->dp, &k, d[i].outbound, NULL, DP_STATUS_IPSEC_CLEAR_TEXT_DROP, 0);
		if (d[i].outbound) {
			atomic_fetch_add_explicit(&x->dp->st.out_drops, 1, memory_order_relaxed);
		} else {
			atomic_fetch_add_explicit(&x->dp->st.cleartext, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&x->dp->st.in_drops, 1, memory_order_relaxed);
		}
	}
}

static void in_stats(struct in_ctx *x)
{
	struct dp_stats *st = &x->dp->st;
	uint64_t drops = x->bad_spi + x->auth + x->decrypt + x->replay + x->udp_invalid +
			 x->drops + x->not_matching;

	atomic_fetch_add_explicit(&st->in_packets, x->packets, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->in_bytes, x->bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->in_tunnel_bytes, x->tunnel_bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->bad_spi, x->bad_spi, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->auth_fail, x->auth, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->decrypt_fail, x->decrypt, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->replay, x->replay, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->udp_invalid, x->udp_invalid, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->not_matching, x->not_matching, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->in_drops, drops, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->ike_unhandled, x->ike, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->keepalives, x->keepalive, memory_order_relaxed);
	x->packets = x->bytes = x->tunnel_bytes = x->bad_spi = x->auth = x->decrypt = x->replay = 0;
	x->udp_invalid = x->drops = x->not_matching = x->ike = x->keepalive = 0;
}

static struct in_ctx *in_ctx_new(struct dp *dp)
{
	struct in_ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->dp = dp;
	x->rx = malloc((size_t)IN_MSGS * IN_RX);
	x->slots = malloc((size_t)IN_PKTS * IN_SLOT);
	if (!x->rx || !x->slots) {
		free(x->rx);
		free(x->slots);
		free(x);
		return NULL;
	}
	for (unsigned i = 0; i < IN_MSGS; i++) {
		x->msg[i].buf = x->rx + (size_t)i * IN_RX;
		x->msg[i].cap = IN_RX;
	}
	return x;
}

void *dp_in_thread(void *arg)
{
	struct dp_thread *t = arg;
	struct dp *dp = t->dp;
	struct in_ctx *x = in_ctx_new(dp);
	struct pollfd pfd[UDP_IO_NSOCK + 2];
	enum udp_io_sock which[UDP_IO_NSOCK];
	unsigned nfd = 0, gi;

	if (!x)
		return NULL;
	for (int s = 0; s < UDP_IO_NSOCK; s++) {
		if (dp->io.fd[s] < 0)
			continue;
		which[nfd] = (enum udp_io_sock)s;
		pfd[nfd++] = (struct pollfd){ .fd = dp->io.fd[s], .events = POLLIN };
	}
	/* The guard's NFLOG socket (-1: none, poll ignores it), then stop. */
	gi = nfd;
	pfd[gi] = (struct pollfd){ .fd = dp->guarded ? guard_fd(&dp->guard) : -1,
				   .events = POLLIN };
	pfd[gi + 1] = (struct pollfd){ .fd = dp->stop_fd, .events = POLLIN };
	while (!atomic_load_explicit(&dp->stopping, memory_order_relaxed)) {
		if (poll(pfd, gi + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[gi + 1].revents)
			break;
		if (pfd[gi].revents & POLLIN)
			in_guard(x);
		for (unsigned i = 0; i < nfd; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			/* A few batches from this socket, then the others. */
			for (int round = 0; round < 8; round++) {
				x->n = 0;
				if (in_read(x, which[i]) <= 0)
					break;
				if (!x->n)
					continue;
				in_decrypt(x);
				in_deliver(x);
			}
		}
		in_stats(x);
	}
	free(x->rx);
	free(x->slots);
	free(x);
	return NULL;
}
