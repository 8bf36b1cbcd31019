/* timers.c - lifetimes, idle timeouts and the Expire0 drain.
 *
 * Each context sits in the engine's heap once, keyed by its earliest
 * deadline (soft lifetimes included: 90% of lifetimeSeconds raises
 * FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME once); firing re-checks the context (a datapath may report recent use
 * that pushes an idle deadline back) and either deletes it or re-queues it.
 */
#include "engine/engine_internal.h"

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static uint64_t idle_deadline(const struct sa_context *c)
{
	uint32_t idle = 0;

	if (c->in.live && c->in.bundle.idle_timeout_s)
		idle = c->in.bundle.idle_timeout_s;
	if (c->out.live && c->out.bundle.idle_timeout_s &&
	    (!idle || c->out.bundle.idle_timeout_s < idle))
		idle = c->out.bundle.idle_timeout_s;
	return idle ? c->last_use_ms + (uint64_t)idle * 1000 : 0;
}

static uint64_t next_deadline(const struct sa_context *c)
{
	uint64_t d = 0;

	if (c->in.live)
		d = earliest(earliest(d, c->in.hard_deadline_ms), c->in.soft_deadline_ms);
	if (c->out.live)
		d = earliest(earliest(d, c->out.hard_deadline_ms), c->out.soft_deadline_ms);
	d = earliest(d, idle_deadline(c));
	if (c->state == SA_EXPIRING)
		d = earliest(d, c->drain_deadline_ms);
	return d;
}

void timers_rearm(struct engine *e, struct sa_context *c)
{
	uint64_t d = next_deadline(c);
	struct heap_node *top = minheap_top(&e->timers);
	uint64_t old_top = top ? top->key : UINT64_MAX;

	if (!d) {
		minheap_remove(&e->timers, &c->timer);
		return;
	}
	/* On allocation failure the context keeps its old slot, if any; the
	 * deadline is re-checked the next time the context changes. */
	minheap_set(&e->timers, &c->timer, d);
	if (d < old_top && e->cfg.deadline_changed)
		e->cfg.deadline_changed(e->cfg.deadline_arg);
}

uint64_t engine_next_deadline(struct engine *e)
{
	struct heap_node *top;
	uint64_t d;

	pthread_mutex_lock(&e->lock);
	top = minheap_top(&e->timers);
	d = top ? top->key : UINT64_MAX;
	pthread_mutex_unlock(&e->lock);
	return d;
}

/* Refreshes last use from the backend's counters. */
static void refresh_use(struct engine *e, struct sa_context *c)
{
	struct sa_counters ctr;

	for (int dir = 0; dir < 2; dir++) {
		const struct sa_dir *d = dir ? &c->in : &c->out;

		if (!d->live)
			continue;
		if (engine_be_counters(e, c, (FWP_DIRECTION)dir, &ctr))
			continue;
		if (ctr.last_use_ms > c->last_use_ms)
			c->last_use_ms = ctr.last_use_ms;
	}
}

/* A soft seconds lifetime that passed: one SOFT_LIFETIME event per
 * context, however many directions reached it. */
static void fire_soft(struct engine *e, struct sa_context *c, uint64_t now)
{
	bool fire = false;

	for (int dir = 0; dir < 2; dir++) {
		struct sa_dir *d = dir ? &c->in : &c->out;

		if (d->live && d->soft_deadline_ms && d->soft_deadline_ms <= now) {
			d->soft_deadline_ms = 0;
			fire = true;
		}
	}
	if (fire)
		subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME, 0);
}

void engine_run_timers(struct engine *e)
{
	struct heap_node *top;
	uint64_t now;

	pthread_mutex_lock(&e->lock);
	now = engine_clock(e);
	while ((top = minheap_top(&e->timers)) && top->key <= now) {
		struct sa_context *c = (struct sa_context *)(void *)
			((char *)top - offsetof(struct sa_context, timer));
		uint64_t d;

		refresh_use(e, c);
		fire_soft(e, c, now);
		d = next_deadline(c);
		if (d && d > now) {
			minheap_set(&e->timers, &c->timer, d);
			continue;
		}
		/* A hard lifetime, an idle timeout or the drain ended: the pair
		 * is gone (DELETE event). */
		engine_delete_context(e, c);
	}
	pthread_mutex_unlock(&e->lock);
}

void engine_sa_datapath_event(struct engine *e, uint64_t id, FWP_DIRECTION dir,
			      enum dp_sa_event ev)
{
	struct sa_context *c;

	pthread_mutex_lock(&e->lock);
	c = engine_find(e, id);
	if (!c || !(dir == FWP_DIRECTION_INBOUND ? c->in.live : c->out.live))
		goto out;
	if (ev == DP_SA_SOFT_LIFETIME)
		subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME, 0);
	else
		engine_delete_context(e, c);
out:
	pthread_mutex_unlock(&e->lock);
}
