/* dispatcher.c - see dispatcher.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "client/dispatcher.h"
#include "client/net_event_convert.h"
#include "common/log.h"

struct dsub {
	struct dsub *next;
	uint64_t cookie;
	uint64_t engine_handle;
	enum dispatch_kind kind;
	IPSEC_SA_CONTEXT_CALLBACK0 wcb;
	FWPX_SA_CONTEXT_CALLBACK0 xcb;
	struct net_callback ncb;
	struct change_callback ccb;
	void *context;
	uint32_t head, count;
	uint32_t dropped;	/* since the last report */
	uint64_t lost;		/* since the subscription was made */
	bool dead;
	size_t esize;		/* bytes per queued event of this kind */
	/* DISPATCH_QUEUE_LEN slots, each the event's sequence number (the
	 * dispatcher's, one count over all subscriptions) then the event,
	 * copied with memcpy. */
	unsigned char q[];
};

#define SLOT(s, i) ((s)->q + (size_t)(i) * (sizeof(uint64_t) + (s)->esize))

/* Either kind of event, as the thread takes it off a queue. */
union devent {
	FWPX_SA_CONTEXT_EVENT0 sa;
	struct fwp_net_event net;
	struct fwp_pol_change change;
};

struct dispatcher {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* events queued or stop */
	pthread_cond_t idle;	/* a callback returned */
	pthread_t thread;
	bool started, stop, self_free;
	struct dsub *subs;
	struct dsub *running;	/* whose callback runs now */
	uint64_t next_cookie;
	uint64_t next_seq;	/* stamps every queued event, all kinds */
};

struct dispatcher *dispatcher_create(void)
{
	struct dispatcher *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->work, NULL);
	pthread_cond_init(&d->idle, NULL);
	d->next_cookie = 1;
	return d;
}

static void free_all(struct dispatcher *d)
{
	while (d->subs) {
		struct dsub *n = d->subs->next;

		free(d->subs);
		d->subs = n;
	}
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->work);
	pthread_cond_destroy(&d->idle);
	free(d);
}

static void unlink_sub(struct dispatcher *d, struct dsub *s)
{
	struct dsub **pp;

	for (pp = &d->subs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s);
}

/* Picks the subscription whose oldest queued event is the oldest of all,
 * so callbacks see events in the order they were posted, across kinds
 * and subscriptions (a policy monitor sees a provider's add before the
 * sublayer that names it). Being first in, first out, no subscription
 * can starve another. A queue that drained after losing events reports
 * that first. */
static struct dsub *pick(struct dispatcher *d)
{
	struct dsub *best = NULL;
	uint64_t best_seq = 0;

	for (struct dsub *s = d->subs; s; s = s->next) {
		uint64_t seq;

		if (s->dead)
			continue;
		if (!s->count) {
			if (s->dropped)
				return s;
			continue;
		}
		memcpy(&seq, SLOT(s, s->head), sizeof(seq));
		if (!best || seq < best_seq) {
			best = s;
			best_seq = seq;
		}
	}
	return best;
}

/* The Windows event of a record, in the callback's version, with its arm,
 * on this thread's stack; the callback must not keep pointers into it (as
 * on Windows). */
static void call_net(const struct dsub *s, const struct fwp_net_event *r)
{
	union net_event_slot slot;
	void *ev = net_event_build(r, s->ncb.version + 1, &slot);

	switch (s->ncb.version) {
	case 0:
		s->ncb.c0(s->context, ev);
		break;
	case 1:
		s->ncb.c1(s->context, ev);
		break;
	case 2:
		s->ncb.c2(s->context, ev);
		break;
	case 3:
		s->ncb.c3(s->context, ev);
		break;
	default:
		s->ncb.c4(s->context, ev);
		break;
	}
}

static void call_sa(const struct dsub *s, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	IPSEC_SA_CONTEXT_CHANGE0 ch;

	if (s->xcb) {
		s->xcb(s->context, ev);
		return;
	}
	memset(&ch, 0, sizeof(ch));
	ch.changeType = (IPSEC_SA_CONTEXT_EVENT_TYPE0)ev->eventType;
	ch.saContextId = ev->saContextId;
	s->wcb(s->context, &ch);
}

/* The Windows change struct of the subscription's kind, on this stack. */
static void call_change(const struct dsub *s, const struct fwp_pol_change *r)
{
	switch (s->ccb.kind) {
	case POL_PROVIDER: {
		FWPM_PROVIDER_CHANGE0 ch = { .changeType = r->change_type, .providerKey = r->key };

		s->ccb.provider(s->context, &ch);
		break;
	}
	case POL_SUBLAYER: {
		FWPM_SUBLAYER_CHANGE0 ch = { .changeType = r->change_type, .subLayerKey = r->key };

		s->ccb.sublayer(s->context, &ch);
		break;
	}
	case POL_FILTER: {
		FWPM_FILTER_CHANGE0 ch = {
			.changeType = r->change_type, .filterKey = r->key, .filterId = r->id,
		};

		s->ccb.filter(s->context, &ch);
		break;
	}
	default: {
		FWPM_PROVIDER_CONTEXT_CHANGE0 ch = {
			.changeType = r->change_type, .providerContextKey = r->key,
			.providerContextId = r->id,
		};

		s->ccb.context(s->context, &ch);
		break;
	}
	}
}

static const char *kind_label(enum dispatch_kind k)
{
	return k == DISPATCH_NET ? "net-event " : k >= DISPATCH_CHANGE ? "change " : "";
}

static void *dispatch_main(void *arg)
{
	struct dispatcher *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		struct dsub *s = pick(d);
		union devent ev;

		if (!s) {
			pthread_cond_wait(&d->work, &d->lock);
			continue;
		}
		if (s->count) {
			memcpy(&ev, SLOT(s, s->head) + sizeof(uint64_t), s->esize);
			s->head = (s->head + 1) % DISPATCH_QUEUE_LEN;
			s->count--;
		} else {
			/* The queue drained: report what was lost, in order. */
			memset(&ev, 0, sizeof(ev));
			ev.sa.eventType = FWPX_SA_CONTEXT_EVENT_DROPPED;
			ev.sa.numDropped = s->dropped;
			s->dropped = 0;
			if (!s->xcb) {
				fwp_log(FWP_LOG_WARN, "%ssubscription %llu: %u events dropped "
					"(FWP_E_NOTIFICATION_DROPPED)",
					kind_label(s->kind),
					(unsigned long long)s->cookie, ev.sa.numDropped);
				continue;
			}
		}
		d->running = s;
		pthread_mutex_unlock(&d->lock);
		if (s->kind == DISPATCH_NET)
			call_net(s, &ev.net);
		else if (s->kind >= DISPATCH_CHANGE)
			call_change(s, &ev.change);
		else
			call_sa(s, &ev.sa);
		pthread_mutex_lock(&d->lock);
		d->running = NULL;
		if (s->dead)
			unlink_sub(d, s);
		pthread_cond_broadcast(&d->idle);
	}
	if (d->self_free) {
		pthread_mutex_unlock(&d->lock);
		free_all(d);
		return NULL;
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static bool on_dispatch_thread(struct dispatcher *d)
{
	return d->started && pthread_equal(pthread_self(), d->thread);
}

void dispatcher_destroy(struct dispatcher *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_broadcast(&d->work);
	if (on_dispatch_thread(d)) {
		/* EngineClose0 from inside a callback: the thread frees the
		 * dispatcher once that callback returns. */
		d->self_free = true;
		pthread_detach(d->thread);
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_unlock(&d->lock);
	if (d->started)
		pthread_join(d->thread, NULL);
	free_all(d);
}

/* The subscription and its queue are one allocation, sized for its kind:
 * a net event is four times an SA event. */
static struct dsub *dsub_new(enum dispatch_kind kind)
{
	size_t esize = kind == DISPATCH_NET ? sizeof(struct fwp_net_event) :
		       kind >= DISPATCH_CHANGE ? sizeof(struct fwp_pol_change) :
		       sizeof(FWPX_SA_CONTEXT_EVENT0);
	struct dsub *s = calloc(1, sizeof(*s) + DISPATCH_QUEUE_LEN * (sizeof(uint64_t) + esize));

	if (s) {
		s->kind = kind;
		s->esize = esize;
	}
	return s;
}

static uint64_t add(struct dispatcher *d, struct dsub *s)
{
	uint64_t cookie;

	pthread_mutex_lock(&d->lock);
	if (!d->started) {
		if (pthread_create(&d->thread, NULL, dispatch_main, d)) {
			pthread_mutex_unlock(&d->lock);
			free(s);
			return 0;
		}
		d->started = true;
	}
	cookie = s->cookie = d->next_cookie++;
	s->next = d->subs;
	d->subs = s;
	pthread_mutex_unlock(&d->lock);
	return cookie;
}

uint64_t dispatcher_add(struct dispatcher *d, IPSEC_SA_CONTEXT_CALLBACK0 wcb,
			FWPX_SA_CONTEXT_CALLBACK0 xcb, void *context)
{
	struct dsub *s = dsub_new(DISPATCH_SA);

	if (!s)
		return 0;
	s->wcb = wcb;
	s->xcb = xcb;
	s->context = context;
	return add(d, s);
}

uint64_t dispatcher_add_net(struct dispatcher *d, const struct net_callback *cb,
			    void *context)
{
	struct dsub *s = dsub_new(DISPATCH_NET);

	if (!s)
		return 0;
	s->ncb = *cb;
	s->context = context;
	return add(d, s);
}

uint64_t dispatcher_add_change(struct dispatcher *d, const struct change_callback *cb,
			       void *context)
{
	struct dsub *s = dsub_new(DISPATCH_CHANGE + cb->kind);

	if (!s)
		return 0;
	s->ccb = *cb;
	s->context = context;
	return add(d, s);
}

static struct dsub *find(struct dispatcher *d, uint64_t cookie)
{
	for (struct dsub *s = d->subs; s; s = s->next)
		if (s->cookie == cookie && !s->dead)
			return s;
	return NULL;
}

void dispatcher_set_engine_handle(struct dispatcher *d, uint64_t cookie,
				  uint64_t engine_handle)
{
	struct dsub *s;

	pthread_mutex_lock(&d->lock);
	s = find(d, cookie);
	if (s)
		s->engine_handle = engine_handle;
	pthread_mutex_unlock(&d->lock);
}

int dispatcher_lookup(struct dispatcher *d, uint64_t cookie, enum dispatch_kind kind,
		      uint64_t *engine_handle)
{
	struct dsub *s;

	pthread_mutex_lock(&d->lock);
	s = find(d, cookie);
	if (s && s->kind != kind)
		s = NULL;
	if (s)
		*engine_handle = s->engine_handle;
	pthread_mutex_unlock(&d->lock);
	return s != NULL;
}

void dispatcher_remove(struct dispatcher *d, uint64_t cookie)
{
	struct dsub *s;

	pthread_mutex_lock(&d->lock);
	s = find(d, cookie);
	if (!s) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	s->dead = true;
	s->count = s->dropped = 0;
	if (d->running == s) {
		/* From inside its own callback the thread frees it after the
		 * return; from anywhere else wait for that (Windows semantics). */
		if (!on_dispatch_thread(d))
			while (d->running == s)
				pthread_cond_wait(&d->idle, &d->lock);
	} else {
		unlink_sub(d, s);
	}
	pthread_mutex_unlock(&d->lock);
}

/* Queues ev for cookie, if cookie is a subscription of that kind. */
static void post(struct dispatcher *d, uint64_t cookie, enum dispatch_kind kind,
		 const void *ev)
{
	struct dsub *s;

	pthread_mutex_lock(&d->lock);
	s = find(d, cookie);
	if (s && s->kind == kind) {
		if (s->count == DISPATCH_QUEUE_LEN) {
			s->dropped++;
			s->lost++;
		} else {
			unsigned char *slot = SLOT(s, (s->head + s->count) % DISPATCH_QUEUE_LEN);

			memcpy(slot, &d->next_seq, sizeof(uint64_t));
			memcpy(slot + sizeof(uint64_t), ev, s->esize);
			d->next_seq++;
			s->count++;
		}
		pthread_cond_signal(&d->work);
	}
	pthread_mutex_unlock(&d->lock);
}

void dispatcher_post(struct dispatcher *d, uint64_t cookie,
		     const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	post(d, cookie, DISPATCH_SA, ev);
}

void dispatcher_post_net(struct dispatcher *d, uint64_t cookie,
			 const struct fwp_net_event *ev)
{
	post(d, cookie, DISPATCH_NET, ev);
}

void dispatcher_post_change(struct dispatcher *d, uint64_t cookie,
			    const struct fwp_pol_change *ch)
{
	if (ch->kind < POL_NKINDS)
		post(d, cookie, DISPATCH_CHANGE + ch->kind, ch);
}

void dispatcher_drop_all(struct dispatcher *d, uint32_t n)
{
	pthread_mutex_lock(&d->lock);
	for (struct dsub *s = d->subs; s; s = s->next) {
		if (!s->dead) {
			s->dropped += n;
			s->lost += n;
		}
	}
	pthread_cond_signal(&d->work);
	pthread_mutex_unlock(&d->lock);
}

uint64_t dispatcher_lost(struct dispatcher *d, uint64_t cookie)
{
	struct dsub *s;
	uint64_t n = 0;

	pthread_mutex_lock(&d->lock);
	s = find(d, cookie);
	if (s)
		n = s->lost;
	pthread_mutex_unlock(&d->lock);
	return n;
}
