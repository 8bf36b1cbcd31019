/* engine.c - engine life cycle and the SA-context tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "engine/engine_internal.h"

static uint64_t monotonic_ms(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t engine_clock(struct engine *e)
{
	return e->cfg.clock_ms(e->cfg.clock_arg);
}

DWORD errno_to_win(int err)
{
	switch (err) {
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case -EEXIST:
		return FWP_E_ALREADY_EXISTS;
	case -EINVAL:
		return FWP_E_INVALID_PARAMETER;
	default:
		return ERROR_NOT_SUPPORTED;
	}
}

uint64_t engine_now_ms(struct engine *e)
{
	return engine_clock(e);
}

int engine_create(const struct engine_config *cfg, struct engine **out)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	if (cfg)
		e->cfg = *cfg;
	if (!e->cfg.clock_ms)
		e->cfg.clock_ms = monotonic_ms;
	e->backend = e->cfg.backend;
	if (!e->backend.ops)
		e->backend.ops = &dp_null_ops;
	e->drain_ms = e->cfg.expire_drain_set ? e->cfg.expire_drain_ms
					      : ENGINE_DEFAULT_DRAIN_MS;
	e->next_id = 1;
	e->next_handle = 1;
	if (idmap_init(&e->by_id, 1024) || idmap_init(&e->by_spi, 1024)) {
		idmap_free(&e->by_id);
		idmap_free(&e->by_spi);
		free(e);
		return -ENOMEM;
	}
	if (security_init(e)) {
		idmap_free(&e->by_id);
		idmap_free(&e->by_spi);
		free(e);
		return -ENOMEM;
	}
	if (policy_init(e)) {
		security_fini(e);
		idmap_free(&e->by_id);
		idmap_free(&e->by_spi);
		free(e);
		return -ENOMEM;
	}
	minheap_init(&e->timers);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->store_done, NULL);
	net_history_init(e);
	*out = e;
	return 0;
}

struct sa_context *engine_find(struct engine *e, uint64_t id)
{
	struct idmap_node *n = idmap_find(&e->by_id, id);

	return n ? idmap_entry(n, struct sa_context, by_id) : NULL;
}

void engine_unindex_spi(struct engine *e, struct sa_context *c)
{
	if (c->has_spi) {
		idmap_remove(&e->by_spi, &c->by_spi);
		c->has_spi = false;
	}
}

void engine_delete_context(struct engine *e, struct sa_context *c)
{
	if (c->out.live) {
		engine_be_remove(e, c, FWP_DIRECTION_OUTBOUND);
		e->stats.sas_deleted++;
	}
	if (c->in.live) {
		engine_be_remove(e, c, FWP_DIRECTION_INBOUND);
		e->stats.sas_deleted++;
	}
	idmap_remove(&e->by_id, &c->by_id);
	engine_unindex_spi(e, c);
	minheap_remove(&e->timers, &c->timer);
	if (c->prev)
		c->prev->next = c->next;
	else
		e->first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		e->last = c->prev;
	e->nr_contexts--;
	subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_DELETE, 0);
	sa_bind_release(c);
	sa_context_free(c);
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	while (e->first)
		engine_delete_context(e, e->first);
	while (e->sessions) {
		struct engine_session *s = e->sessions;

		pthread_mutex_unlock(&e->lock);
		engine_session_close(s);
		pthread_mutex_lock(&e->lock);
	}
	policy_fini(e);
	pthread_mutex_unlock(&e->lock);
	idmap_free(&e->by_id);
	idmap_free(&e->by_spi);
	minheap_free(&e->timers);
	net_history_fini(e);
	security_fini(e);
	pthread_cond_destroy(&e->store_done);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void engine_wipe_keys(struct engine *e)
{
	struct sa_context *c;
	int tries;

	/* At exit another thread may be stuck holding the lock; never hang
	 * the exiting process for it. */
	for (tries = 0; tries < 100; tries++) {
		if (pthread_mutex_trylock(&e->lock) == 0)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (tries == 100) {
		fwp_log(FWP_LOG_WARN, "engine busy at exit; keys not wiped");
		return;
	}
	for (c = e->first; c; c = c->next) {
		for (int i = 0; i < 2; i++) {
			explicit_bzero(c->in.bundle.sas[i].auth_key, SA_MAX_KEY);
			explicit_bzero(c->in.bundle.sas[i].cipher_key, SA_MAX_KEY);
			explicit_bzero(c->out.bundle.sas[i].auth_key, SA_MAX_KEY);
			explicit_bzero(c->out.bundle.sas[i].cipher_key, SA_MAX_KEY);
		}
	}
	pthread_mutex_unlock(&e->lock);
}
