/* net_relay.c - net events, from the thread that raised them to their
 * subscribers' connections.
 *
 * The engine calls a session's net-event sink on the thread that raised
 * the event (the datapath's packet threads, or the loop itself), with the
 * engine lock held. Connections belong to the loop, so the sink only
 * copies the event into a bounded ring, under a mutex held for that copy
 * and never for I/O, and wakes the loop through an eventfd. The loop moves
 * the events into the connections' output queues, where they are bounded,
 * dropped and counted like every other event. When the ring is full the
 * event is dropped too, and counted on its connection (an atomic: the
 * connection lives as long as its session's sink can be called), so the
 * client hears of it through the usual DROPPED notice.
 *
 * Ownership: the server owns the relay. Entries name connections; a
 * connection's entries are forgotten when it goes, after its session is
 * closed, once no sink call can name it any more.
 * Lock order: engine lock, then the relay's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fwpd/fwpd.h"
#include "wire/message.h"

#define RELAY_LEN 4096		/* events in flight between threads */
#define DRAIN_BATCH 64

struct relay_entry {
	struct conn *c;		/* NULL once forgotten */
	uint64_t cookie;
	struct fwp_net_event ev;
};

struct net_relay {
	pthread_mutex_t lock;
	int efd;
	size_t head, count;
	bool lost;		/* some connection's net_lost is non-zero */
	struct relay_entry ring[RELAY_LEN];
};

int net_relay_init(struct server *srv)
{
	struct net_relay *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		free(r);
		return -errno;
	}
	pthread_mutex_init(&r->lock, NULL);
	srv->relay = r;
	return 0;
}

void net_relay_fini(struct server *srv)
{
	struct net_relay *r = srv->relay;

	if (!r)
		return;
	close(r->efd);
	pthread_mutex_destroy(&r->lock);
	free(r);
	srv->relay = NULL;
}

int net_relay_fd(const struct server *srv)
{
	return srv->relay->efd;
}

void net_relay_post(void *conn, uint64_t cookie, const struct fwp_net_event *ev)
{
	struct conn *c = conn;
	struct net_relay *r = c->srv->relay;
	bool wake = false;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	if (r->count == RELAY_LEN) {
		atomic_fetch_add_explicit(&c->net_lost, 1, memory_order_relaxed);
		r->lost = true;
	} else {
		struct relay_entry *e = &r->ring[(r->head + r->count) % RELAY_LEN];

		e->c = c;
		e->cookie = cookie;
		e->ev = *ev;
		wake = r->count++ == 0;
	}
	pthread_mutex_unlock(&r->lock);
	/* Only the first event of a batch wakes the loop; it drains until
	 * the ring is empty. */
	if (wake) {
		uint64_t one = 1;

		if (write(r->efd, &one, sizeof(one)) < 0) {
			/* The counter is saturated: the loop is awake anyway. */
		}
	}
}

static void queue_event(struct conn *c, uint64_t cookie, const struct fwp_net_event *ev)
{
	unsigned char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_MSG_NET_EVENT, 0);

	if (c->closing)
		return;
	msg_put_u64(nlh, FWPD_A_COOKIE, cookie);
	msg_put_raw(nlh, FWPD_A_NET_EVENT, ev, sizeof(*ev));
	/* A subscriber that does not read loses events, and is told. */
	if (conn_queue(c, nlh, nlh->nlmsg_len))
		c->events_dropped++;
}

void net_relay_drain(struct server *srv)
{
	struct net_relay *r = srv->relay;
	struct relay_entry batch[DRAIN_BATCH];
	uint64_t x;
	size_t n;

	if (read(r->efd, &x, sizeof(x)) < 0) {
		/* Nothing signalled: drain anyway, it costs one lock. */
	}
	do {
		bool lost;

		pthread_mutex_lock(&r->lock);
		for (n = 0; n < DRAIN_BATCH && r->count; n++) {
			batch[n] = r->ring[r->head];
			r->head = (r->head + 1) % RELAY_LEN;
			r->count--;
		}
		lost = r->lost;
		r->lost = false;
		pthread_mutex_unlock(&r->lock);
		for (size_t i = 0; i < n; i++)
			if (batch[i].c)
				queue_event(batch[i].c, batch[i].cookie, &batch[i].ev);
		if (lost) {
			for (struct conn *c = srv->conns; c; c = c->next)
				c->events_dropped += atomic_exchange_explicit(
					&c->net_lost, 0, memory_order_relaxed);
		}
	} while (n == DRAIN_BATCH);
}

void net_relay_forget(struct server *srv, struct conn *c)
{
	struct net_relay *r = srv->relay;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->count; i++) {
		struct relay_entry *e = &r->ring[(r->head + i) % RELAY_LEN];

		if (e->c == c)
			e->c = NULL;
	}
	pthread_mutex_unlock(&r->lock);
}
