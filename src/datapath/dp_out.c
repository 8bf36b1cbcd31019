/* dp_out.c - the outbound packet thread: TUN -> classify -> ESP -> socket.
 *
 * One thread per TUN queue. A batch is TUN reads (with the virtio
 * header, each may be a TCP or UDP super-packet of up to 64 KiB), split
 * into MTU-sized packets in slots that leave ESP_MAX_OVERHEAD on each
 * side, then three passes:
 *   1. verdicts, no lock (dp_flow.c asks the engine on a flow's first packet);
 *   2. under the table's read lock: the SA of each flow, encryption (runs
 *      of packets of one SA under its lock), the send messages;
 *   3. no lock: sockets (consecutive equal-size ESP-in-UDP packets to one
 *      peer go as one UDP_SEGMENT message), permitted packets out through
 *      the bypass socket, net events for blocked flows.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/dp_internal.h"
#include "datapath/vnet.h"

#define OUT_READS 8
#define OUT_SEGS 512
/* Another OUT_READS reads only below this many packets: 8 super-packets
 * of 45 MSS-sized segments still fit. */
#define OUT_MAX_BATCH (OUT_SEGS / 4)
#define OUT_GSO_BYTES 65000

struct out_pkt {
	uint8_t *slot;
	struct esp_buf b;
	struct dp_flow_key key;
	struct dp_flow v;		/* the verdict, copied */
	enum dp_kind kind;
	struct dp_sa *sa;		/* phase 2 only */
	uint32_t dead_spi;		/* DP_NOSA: the SA that reached its limit */
	int sock;			/* enum udp_io_sock, -1: none */
	struct udp_io_msg m;
};

struct out_ctx {
	struct dp *dp;
	unsigned q;
	uint8_t *rdbuf;
	struct vnet_pkt rd[OUT_READS];
	uint8_t *slots;
	uint8_t *slot_ptr[OUT_SEGS];
	uint32_t lens[OUT_SEGS];
	struct out_pkt pk[OUT_SEGS];
	unsigned n;
	struct udp_io_msg msg[UDP_IO_BATCH];
	struct iovec giov[UDP_IO_BATCH][UDP_IO_MAX_SEGS];	/* GSO trains */
	struct dp_flow_cache cache;
	struct dp_reasm *reasm;
	uint64_t drops, out_packets, out_bytes, blocked, no_sa, bypass, out_tunnel_bytes;
	uint64_t nosa_ev_sec;		/* second of the last no-SA events */
	unsigned nosa_ev_n;		/* events raised in that second */
};

/* No-SA net events per second and packet thread, at most: a flow without
 * its SA sends at line rate, and each event reaches every subscriber. */
#define OUT_NOSA_EVENTS_PER_SEC 10

static size_t alen(uint8_t version)
{
	return version == 4 ? 4 : 16;
}

/* Splits r TUN packets just read into ctx->pk (after those there). */
static void out_split(struct out_ctx *x, int r, uint64_t now)
{
	struct dp *dp = x->dp;

	for (int i = 0; i < r; i++) {
		struct vnet_hdr h;
		int cnt;

		vnet_hdr_get(&h, x->rd[i].data - VNET_HDR_LEN);
		cnt = vnet_split(&h, x->rd[i].data, x->rd[i].len, &x->slot_ptr[x->n],
				 dp->slot_out, ESP_MAX_OVERHEAD, &x->lens[x->n],
				 OUT_SEGS - x->n);
		if (cnt < 0) {
			x->drops++;
			continue;
		}
		for (int k = 0, n0 = (int)x->n; k < cnt; k++) {
			unsigned from = (unsigned)(n0 + k);
			uint8_t *slot = x->slot_ptr[from];
			uint32_t len = x->lens[from];
			struct out_pkt *p = &x->pk[x->n];

			/* Kept packets move down over consumed fragments; the
			 * freed slot moves up for the next split to fill. */
			x->slot_ptr[from] = x->slot_ptr[x->n];
			x->slot_ptr[x->n] = slot;
			p->slot = slot;
			p->b.base = slot;
			p->b.size = dp->slot_out;
			p->b.off = ESP_MAX_OVERHEAD;
			p->b.len = len;
			/* A fragment waits for the rest of its datagram; the
			 * whole datagram takes the fragment's place. */
			if (dp_is_fragment(slot + ESP_MAX_OVERHEAD, len) &&
			    dp_reasm_add(x->reasm, slot + ESP_MAX_OVERHEAD, len, now, &p->b) != 1)
				continue;
			x->n++;
		}
	}
}

/* Reads and splits TUN packets into ctx->pk: OUT_READS at a time (the
 * split copies them out, so the read buffers serve again) while the queue
 * still gives full reads and the slots have room for another round of
 * super-packets. Per-packet traffic (UDP without USO, ACKs) thus comes in
 * batches of up to OUT_MAX_BATCH packets, not OUT_READS: fewer wake-ups,
 * locks and sendmmsg calls per packet, longer GSO trains. */
static int out_read(struct out_ctx *x)
{
	struct dp *dp = x->dp;
	int r, total = 0;
	uint64_t now = 0;

	x->n = 0;
	do {
		r = tun_read_batch(&dp->tun, x->q, x->rd, OUT_READS);
		if (r <= 0)
			break;
		if (!total)
			now = dp_now_ms();
		out_split(x, r, now);
		total += r;
	} while (r == OUT_READS && x->n <= OUT_MAX_BATCH);
	x->drops += dp_reasm_dropped(x->reasm);
	return total ? total : r;
}

static void out_classify(struct out_ctx *x)
{
	struct out_pkt *prev = NULL;

	for (unsigned i = 0; i < x->n; i++) {
		struct out_pkt *p = &x->pk[i];
		struct esp_selector sel;

		p->sock = -1;
		p->sa = NULL;
		p->dead_spi = 0;
		if (esp_selector_get(p->b.base + p->b.off, p->b.len, &sel)) {
			p->kind = DP_BLOCK;
			p->v.v.filter_id = 0;	/* malformed: dropped, no event */
			x->drops++;
			continue;
		}
		dp_flow_key(&p->key, &sel);
		if (prev && !memcmp(&prev->key, &p->key, sizeof(p->key))) {
			p->v = prev->v;
		} else {
			p->v = *dp_flow_get(x->dp, &x->cache, &p->key, true);
			prev = p;
		}
		p->kind = DP_PROTECT;	/* resolved in pass 2 */
	}
}

/* The flow's SA under the read lock, through the cache when it is fresh. */
static void out_resolve(struct out_ctx *x, struct out_pkt *p, uint64_t sa_gen,
			struct out_pkt *prev)
{
	struct dp_flow *f;

	if (prev && prev->kind != DP_BLOCK && !memcmp(&prev->key, &p->key, sizeof(p->key))) {
		p->kind = prev->kind;
		p->sa = prev->sa;
		return;
	}
	/* Never dp_flow_get here: it may call the engine. The cached kind
	 * is stored with sa_gen + 1, as pol_gen is: 0 means none yet, also
	 * before the first SA ever came (sa_gen 0), when a stale kind would
	 * send a flow of a BLOCK or IPsec filter in the clear. */
	f = dp_flow_slot(&x->cache, &p->key);
	if (f->pol_gen == p->v.pol_gen && f->sa_gen == sa_gen + 1 &&
	    !memcmp(&f->key, &p->key, sizeof(p->key))) {
		p->kind = f->kind;
		p->sa = f->sa;
		return;
	}
	p->kind = dp_resolve_out(x->dp, &p->v, &p->sa);
	if (f->pol_gen == p->v.pol_gen && !memcmp(&f->key, &p->key, sizeof(p->key))) {
		f->kind = p->kind;
		f->sa = p->sa;
		f->sa_gen = sa_gen + 1;
	}
}

static void set_peer(union udp_io_addr *a, uint8_t version, const uint8_t *addr, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (version == 4) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
		memcpy(&a->in4.sin_addr, addr, 4);
	} else {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		memcpy(&a->in6.sin6_addr, addr, 16);
	}
}

/* The message that sends p's ESP packet (SA fields read under the lock). */
static void out_message(struct out_pkt *p, const struct esp_out_meta *meta)
{
	const struct dp_sel *s = &p->sa->sel;
	const uint8_t *dst = s->tunnel ? s->remote : p->key.dst;
	const uint8_t *src = s->tunnel ? s->local : p->key.src;
	size_t start, end = p->b.off + p->b.len;

	memset(&p->m, 0, sizeof(p->m));
	if (meta->udp_off) {
		start = meta->udp_off + UDP_HDR_LEN;
		p->sock = s->version == 4 ? UDP_IO_UDP4 : UDP_IO_UDP6;
		set_peer(&p->m.peer, s->version, dst, s->udp_dport);
	} else {
		start = meta->esp_off;
		p->sock = s->version == 4 ? UDP_IO_RAW4 : UDP_IO_RAW6;
		set_peer(&p->m.peer, s->version, dst, 0);
	}
	p->m.buf = p->b.base + start;
	p->m.len = (uint32_t)(end - start);
	memcpy(&p->m.local, src, alen(s->version));
}

static void out_encrypt(struct out_ctx *x)
{
	struct dp *dp = x->dp;
	uint64_t sa_gen, now = dp_now_ms();
	struct out_pkt *prev = NULL;
	struct dp_sa *locked = NULL;
	size_t inner;

	pthread_rwlock_rdlock(&dp->table.lock);
	sa_gen = atomic_load_explicit(&dp->sa_gen, memory_order_acquire);
	for (unsigned i = 0; i < x->n; i++) {
		struct out_pkt *p = &x->pk[i];
		struct esp_out_meta meta;

		if (p->kind == DP_BLOCK && !p->v.v.filter_id)
			continue;	/* malformed */
		out_resolve(x, p, sa_gen, prev);
		prev = p;
		if (locked && locked != p->sa) {
			pthread_mutex_unlock(&locked->lock);
			dp_sa_account(dp, locked, now);
			locked = NULL;
		}
		if (p->kind != DP_PROTECT)
			continue;
		if (atomic_load_explicit(&p->sa->dead, memory_order_relaxed)) {
			/* Counted as no SA, and on the SA it would have used. */
			atomic_fetch_add_explicit(&p->sa->nosa_drops, 1, memory_order_relaxed);
			p->dead_spi = esp_sa_spi(p->sa->esp);
			p->kind = DP_NOSA;
			continue;
		}
		if (!locked) {
			locked = p->sa;
			pthread_mutex_lock(&locked->lock);
		}
		inner = p->b.len;
		if (esp_encap(p->sa->esp, &p->b, &meta)) {
			x->drops++;
			p->sock = -1;
			continue;
		}
		if (meta.rekey)
			dp_post_notice(dp, p->sa->ctx_id, FWP_DIRECTION_OUTBOUND, DP_SA_SOFT_LIFETIME);
		out_message(p, &meta);
		/* Inner bytes, as the per-SA counters and the inbound side count. */
		x->out_packets++;
		x->out_bytes += inner;
		if (p->sa->sel.tunnel)
			x->out_tunnel_bytes += inner;
	}
	if (locked) {
		pthread_mutex_unlock(&locked->lock);
		dp_sa_account(dp, locked, now);
	}
	pthread_rwlock_unlock(&dp->table.lock);
}

static bool same_dest(const struct udp_io_msg *a, const struct udp_io_msg *b)
{
	return !memcmp(&a->peer, &b->peer, sizeof(a->peer)) &&
	       !memcmp(&a->local, &b->local, sizeof(a->local));
}

/* Waits (briefly) until the socket takes more: back-pressure to the TUN. */
static bool wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 100) > 0;
}

static void flush(struct out_ctx *x, int sock, unsigned n)
{
	const struct udp_io *u = &x->dp->io;
	unsigned done = 0, dropped = 0;
	int tries = 0;

	while (done < n) {
		int r = udp_io_send(u, (enum udp_io_sock)sock, x->msg + done, n - done, &dropped);

		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r != -EAGAIN || ++tries > 20 || !wait_writable(u->fd[sock])) {
			x->drops += n - done;
			break;
		}
	}
	x->drops += dropped;
}

/* Queues p for sending on its socket, joining it to the previous message
 * as one more UDP_SEGMENT datagram when it can: the train is a list of
 * pieces where the ESP packets were built, not a copy. */
static void out_queue(struct out_ctx *x, struct out_pkt *p, int *cur, unsigned *nm)
{
	const struct udp_io *u = &x->dp->io;
	struct udp_io_msg *last = *nm ? &x->msg[*nm - 1] : NULL;
	bool udp = p->sock == UDP_IO_UDP4 || p->sock == UDP_IO_UDP6;

	if (*cur != p->sock || *nm == UDP_IO_BATCH) {
		if (*nm)
			flush(x, *cur, *nm);
		*nm = 0;
		*cur = p->sock;
		last = NULL;
	}
	if (udp && u->gso && last && same_dest(last, &p->m)) {
		uint16_t seg = last->segsz ? last->segsz : (uint16_t)last->len;
		unsigned segs = last->iov ? last->iovcnt : 1;

		/* Equal sizes; only the last datagram may be shorter. */
		if (last->len % seg == 0 && p->m.len <= seg && segs < UDP_IO_MAX_SEGS &&
		    last->len + p->m.len <= OUT_GSO_BYTES) {
			struct iovec *v = x->giov[*nm - 1];

			if (!last->iov) {
				v[0] = (struct iovec){ last->buf, last->len };
				last->iov = v;
				last->iovcnt = 1;
			}
			v[last->iovcnt++] = (struct iovec){ p->m.buf, p->m.len };
			last->len += p->m.len;
			last->segsz = seg;
			return;
		}
	}
	x->msg[(*nm)++] = p->m;
}

/* Only unicast packets routed here by a protected prefix leave again: what
 * the kernel itself sends on the TUN (IPv6 multicast listener reports,
 * link-local traffic, broadcasts) would come straight back. */
static bool may_bypass(const struct dp_flow_key *k)
{
	if (k->version == 4)
		return k->dst[0] < 224 && k->dst[0] != 0 && k->dst[0] != 127 &&
		       !(k->dst[0] == 169 && k->dst[1] == 254);
	return k->dst[0] != 0xff && !(k->dst[0] == 0xfe && (k->dst[1] & 0xc0) == 0x80) &&
	       !(k->dst[0] == 0 && k->dst[15] <= 1 && !memcmp(k->dst, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15));
}

static void out_bypass(struct out_ctx *x, struct out_pkt *p)
{
	union udp_io_addr a;
	int fd = x->dp->bypass_fd[p->key.version == 4 ? 0 : 1];

	if (!may_bypass(&p->key)) {
		x->drops++;
		return;
	}

	set_peer(&a, p->key.version, p->key.dst, 0);
	if (fd < 0 || sendto(fd, p->b.base + p->b.off, p->b.len, MSG_DONTWAIT, &a.sa,
			     p->key.version == 4 ? sizeof(a.in4) : sizeof(a.in6)) < 0)
		x->drops++;
	else
		x->bypass++;
}

/* A packet its callout filter sends to IPsec, with no live SA: an
 * IPSEC_KERNEL_DROP net event naming the filter (and the SA that reached
 * its limit, if one did), one per flow and batch, rate-limited. */
static void out_no_sa(struct out_ctx *x, const struct out_pkt *p,
		      const struct dp_flow_key **last)
{
	uint64_t sec = dp_now_ms() / 1000;

	x->no_sa++;
	if (*last && !memcmp(*last, &p->key, sizeof(p->key)))
		return;
	*last = &p->key;
	if (sec != x->nosa_ev_sec) {
		x->nosa_ev_sec = sec;
		x->nosa_ev_n = 0;
	}
	if (x->nosa_ev_n >= OUT_NOSA_EVENTS_PER_SEC)
		return;
	x->nosa_ev_n++;
	dp_raise_drop(x->dp, &p->key, true, &p->v.v,
		      p->dead_spi ? DP_STATUS_IPSEC_SA_LIFETIME_EXPIRED :
				    DP_STATUS_IPSEC_QUEUE_OVERFLOW, p->dead_spi);
}

static void out_send(struct out_ctx *x)
{
	int cur = -1;
	unsigned nm = 0;
	const struct dp_flow_key *last_block = NULL, *last_nosa = NULL;

	for (unsigned i = 0; i < x->n; i++) {
		struct out_pkt *p = &x->pk[i];

		switch (p->kind) {
		case DP_PROTECT:
			if (p->sock < 0)
				break;
			out_queue(x, p, &cur, &nm);
			break;
		case DP_BYPASS:
			out_bypass(x, p);
			break;
		case DP_BLOCK:
			if (!p->v.v.filter_id)
				break;
			x->blocked++;
			/* One event per flow and batch. */
			if (!last_block || memcmp(last_block, &p->key, sizeof(p->key)))
				dp_raise_drop(x->dp, &p->key, true, &p->v.v, 0, 0);
			last_block = &p->key;
			break;
		case DP_NOSA:
			out_no_sa(x, p, &last_nosa);
			break;
		}
	}
	if (nm)
		flush(x, cur, nm);
}

static void out_stats(struct out_ctx *x)
{
	struct dp_stats *st = &x->dp->st;

	atomic_fetch_add_explicit(&st->out_packets, x->out_packets, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->out_bytes, x->out_bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->out_drops, x->drops, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->blocked, x->blocked, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->no_sa, x->no_sa, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->bypass, x->bypass, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->out_tunnel_bytes, x->out_tunnel_bytes, memory_order_relaxed);
	x->out_packets = x->out_bytes = x->drops = x->blocked = x->no_sa = x->bypass = 0;
	x->out_tunnel_bytes = 0;
}

static struct out_ctx *out_ctx_new(struct dp *dp, unsigned q)
{
	struct out_ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->dp = dp;
	x->q = q;
	x->reasm = dp_reasm_new();
	x->rdbuf = malloc((size_t)OUT_READS * (VNET_HDR_LEN + VNET_MAX_PACKET));
	x->slots = malloc((size_t)OUT_SEGS * dp->slot_out);
	if (!x->rdbuf || !x->slots || !x->reasm) {
		dp_reasm_free(x->reasm);
		free(x->rdbuf);
		free(x->slots);
		free(x);
		return NULL;
	}
	for (unsigned i = 0; i < OUT_READS; i++) {
		x->rd[i].data = x->rdbuf + (size_t)i * (VNET_HDR_LEN + VNET_MAX_PACKET) + VNET_HDR_LEN;
		x->rd[i].cap = VNET_MAX_PACKET;
	}
	for (unsigned i = 0; i < OUT_SEGS; i++)
		x->slot_ptr[i] = x->slots + (size_t)i * dp->slot_out;
	return x;
}

static void out_ctx_free(struct out_ctx *x)
{
	/* Slots held cleartext and ciphertext only; no keys. */
	dp_reasm_free(x->reasm);
	free(x->rdbuf);
	free(x->slots);
	free(x);
}

void *dp_out_thread(void *arg)
{
	struct dp_thread *t = arg;
	struct dp *dp = t->dp;
	struct out_ctx *x = out_ctx_new(dp, t->queue);
	struct pollfd pfd[2] = {
		{ .fd = dp->tun.fd[t->queue], .events = POLLIN },
		{ .fd = dp->stop_fd, .events = POLLIN },
	};

	if (!x)
		return NULL;
	while (!atomic_load_explicit(&dp->stopping, memory_order_relaxed)) {
		int r = out_read(x);

		if (r > 0) {
			out_classify(x);
			out_encrypt(x);
			out_send(x);
			dp_reasm_release(x->reasm);
			out_stats(x);
			continue;
		}
		if (r < 0 && r != -EAGAIN && r != -EINTR)
			break;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
	}
	out_ctx_free(x);
	return NULL;
}
