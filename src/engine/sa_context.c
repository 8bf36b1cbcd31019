/* sa_context.c - the SA-context state machine:
 * CREATED -> SPI_SET -> INBOUND -> MATURE -> EXPIRING -> gone.
 *
 * Each call checks everything first (arguments, rights, transaction, state)
 * and only then changes the record, so a failed call changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "engine/engine_internal.h"

struct sa_context *sa_context_alloc(void)
{
	struct sa_context *c = calloc(1, sizeof(*c));

	if (c)
		heap_node_init(&c->timer);
	return c;
}

void sa_bundle_clear(struct sa_bundle *b)
{
	if (b->keymod) {
		explicit_bzero(b->keymod->blob, b->keymod->size);
		free(b->keymod);
	}
	if (b->ipsec_id) {
		explicit_bzero(b->ipsec_id, sizeof(*b->ipsec_id) + b->ipsec_id->size);
		free(b->ipsec_id);
	}
	explicit_bzero(b, sizeof(*b));
}

void sa_context_free(struct sa_context *c)
{
	if (!c)
		return;
	sa_bundle_clear(&c->in.bundle);
	sa_bundle_clear(&c->out.bundle);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/* Common entry checks of calls that change a context: rights, then the
 * transaction rule. Returns with the engine lock held on success only. */
static DWORD lock_for_change(struct engine_session *s, uint32_t rights)
{
	DWORD rc = session_check_sadb(s, rights);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&s->e->lock);
		return FWP_E_TXN_IN_PROGRESS;
	}
	return ERROR_SUCCESS;
}

DWORD engine_sa_create(struct engine_session *s, const IPSEC_TRAFFIC1 *traffic,
		       const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif,
		       UINT64 *inbound_filter_id, UINT64 *id)
{
	struct engine *e = s->e;
	struct sa_context *c;
	struct pol_obj *bound;
	DWORD rc;

	if (!traffic || !id)
		return FWP_E_NULL_POINTER;
	rc = validate_traffic(traffic);
	if (rc)
		return rc;
	rc = lock_for_change(s, FWPM_ACTRL_ADD);
	if (rc)
		return rc;
	if (s->flags & FWPM_SESSION_FLAG_DYNAMIC) {
		rc = FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
		goto out;
	}
	rc = sa_bind_lookup(e, traffic, &bound);
	if (rc)
		goto out;
	/* The service bounds the SA database so no client can exhaust it. */
	if (e->cfg.max_contexts && e->nr_contexts >= e->cfg.max_contexts) {
		rc = ERROR_NOT_ENOUGH_QUOTA;
		goto out;
	}
	c = sa_context_alloc();
	if (!c) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	c->id = e->next_id++;
	c->state = SA_CREATED;
	c->created_ms = engine_now_ms(e);
	c->creator_key = s->key;
	c->creator_pid = (uint32_t)s->cred.pid;
	c->creator_uid = (uint32_t)s->cred.uid;
	c->out.traffic = *traffic;
	c->out.ip_version = (uint8_t)traffic->ipVersion;
	sa_bind_set(&c->bound_out, bound);
	if (vif) {
		c->vif = *vif;
		c->has_vif = true;
	}
	idmap_insert(&e->by_id, &c->by_id, c->id);
	c->prev = e->last;
	if (e->last)
		e->last->next = c;
	else
		e->first = c;
	e->last = c;
	e->nr_contexts++;
	subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_ADD, 0);
	*id = c->id;
	/* No cached inbound filter: callers must cope with 0 (Windows). */
	if (inbound_filter_id)
		*inbound_filter_id = 0;
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* GetSpi traffic must describe the same kind of traffic as the context:
 * type, IP version, and for tunnels the same tunnel policy. Transport mode
 * names the inbound filter here and the outbound one at Create, so the
 * filter ids may differ (docs/CONTRACT.md). */
static DWORD match_getspi(const struct sa_context *c, const IPSEC_GETSPI1 *g)
{
	const IPSEC_TRAFFIC1 *t = &g->inboundIpsecTraffic, *o = &c->out.traffic;

	if (t->trafficType != o->trafficType || t->ipVersion != o->ipVersion ||
	    g->ipVersion != t->ipVersion)
		return FWP_E_TRAFFIC_MISMATCH;
	if (t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL &&
	    t->tunnelPolicyId != o->tunnelPolicyId)
		return FWP_E_TRAFFIC_MISMATCH;
	return ERROR_SUCCESS;
}

static bool spi_taken(struct engine *e, uint32_t spi)
{
	return idmap_find(&e->by_spi, spi) != NULL;
}

static DWORD assign_spi(struct engine_session *s, UINT64 id,
			const IPSEC_GETSPI1 *g, bool fixed, IPSEC_SA_SPI *spi)
{
	struct engine *e = s->e;
	struct sa_context *c;
	const IPSEC_V4_UDP_ENCAPSULATION0 *encap;
	struct pol_obj *bound;
	DWORD rc;

	if (!g || !spi)
		return FWP_E_NULL_POINTER;
	if ((UINT32)g->ipVersion >= FWP_IP_VERSION_MAX)
		return FWP_E_INVALID_ENUMERATOR;	/* enums before relations */
	rc = validate_traffic(&g->inboundIpsecTraffic);
	if (rc)
		return rc;
	encap = g->ipVersion == FWP_IP_VERSION_V4 ? g->inboundUdpEncapsulation : NULL;
	rc = validate_udp_encap(g->ipVersion, encap);
	if (rc)
		return rc;
	if (fixed && *spi < 0x100)
		return FWP_E_INVALID_PARAMETER;
	rc = lock_for_change(s, FWPM_ACTRL_ADD);
	if (rc)
		return rc;
	c = engine_find(e, id);
	if (!c) {
		rc = FWP_E_NOT_FOUND;
		goto out;
	}
	if (c->state != SA_CREATED) {
		rc = FWP_E_INCOMPATIBLE_SA_STATE;
		goto out;
	}
	rc = match_getspi(c, g);
	if (rc)
		goto out;
	rc = sa_bind_lookup(e, &g->inboundIpsecTraffic, &bound);
	if (rc)
		goto out;
	if (fixed) {
		if (spi_taken(e, *spi)) {
			rc = FWP_E_ALREADY_EXISTS;
			goto out;
		}
	} else {
		uint32_t v;
		int tries = 0;

		/* Random, never 0..0xFF, never one in use; the space is 2^32,
		 * so the bound is only a guard against a pathological table. */
		do {
			v = fwp_random_u32();
			if (++tries > 1000) {
				rc = ERROR_NOT_ENOUGH_MEMORY;
				goto out;
			}
		} while (v < 0x100 || spi_taken(e, v));
		*spi = v;
	}
	c->spi = *spi;
	c->has_spi = true;
	idmap_insert(&e->by_spi, &c->by_spi, c->spi);
	c->in.traffic = g->inboundIpsecTraffic;
	c->in.ip_version = (uint8_t)g->inboundIpsecTraffic.ipVersion;
	sa_bind_set(&c->bound_in, bound);
	if (encap) {
		c->in.encap = *encap;
		c->in.encap_on = true;
	}
	c->state = SA_SPI_SET;
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_sa_get_spi(struct engine_session *s, UINT64 id,
			const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI *spi)
{
	return assign_spi(s, id, getspi, false, spi);
}

DWORD engine_sa_set_spi(struct engine_session *s, UINT64 id,
			const IPSEC_GETSPI1 *getspi, IPSEC_SA_SPI spi)
{
	return assign_spi(s, id, getspi, true, &spi);
}

static uint64_t deadline_after(uint64_t now, uint32_t seconds)
{
	return seconds ? now + (uint64_t)seconds * 1000 : 0;
}

DWORD engine_sa_add(struct engine_session *s, UINT64 id, FWP_DIRECTION dir,
		    const IPSEC_SA_BUNDLE1 *bundle)
{
	struct engine *e = s->e;
	struct sa_context *c;
	struct sa_dir *d;
	bool inbound = dir == FWP_DIRECTION_INBOUND;
	DWORD rc;
	int err;

	rc = validate_bundle(bundle, e->cfg.refuse_md5);
	if (rc)
		return rc;
	rc = lock_for_change(s, FWPM_ACTRL_ADD);
	if (rc)
		return rc;
	c = engine_find(e, id);
	if (!c) {
		rc = FWP_E_NOT_FOUND;
		goto out;
	}
	if (c->state != (inbound ? SA_SPI_SET : SA_INBOUND)) {
		rc = FWP_E_INCOMPATIBLE_SA_STATE;
		goto out;
	}
	if ((UINT32)bundle->ipVersion != (UINT32)c->out.traffic.ipVersion) {
		rc = FWP_E_TRAFFIC_MISMATCH;
		goto out;
	}
	if (inbound) {
		for (UINT32 i = 0; i < bundle->numSAs; i++) {
			if (bundle->saList[i].spi != c->spi) {
				rc = FWP_E_INVALID_PARAMETER;
				goto out;
			}
		}
	}
	d = inbound ? &c->in : &c->out;
	rc = bundle_import(&d->bundle, bundle);
	if (rc)
		goto out;
	d->added_ms = engine_clock(e);
	d->hard_deadline_ms = deadline_after(d->added_ms,
					     d->bundle.lifetime.lifetimeSeconds);
	/* The soft lifetime (FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME) at 90%. */
	d->soft_deadline_ms = d->hard_deadline_ms ?
		d->added_ms + (uint64_t)d->bundle.lifetime.lifetimeSeconds * 900 : 0;
	err = engine_be_install(e, c, dir);
	if (err) {
		sa_bundle_clear(&d->bundle);
		d->added_ms = d->hard_deadline_ms = d->soft_deadline_ms = 0;
		rc = errno_to_win(err);
		goto out;
	}
	d->live = true;
	c->last_use_ms = d->added_ms;
	c->state = inbound ? SA_INBOUND : SA_MATURE;
	e->stats.sas_added++;
	timers_rearm(e, c);
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_sa_get(struct engine_session *s, UINT64 id, IPSEC_SA_CONTEXT1 **out)
{
	struct engine *e = s->e;
	struct sa_context *c;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	c = engine_find(e, id);
	if (!c) {
		rc = FWP_E_NOT_FOUND;
	} else {
		*out = export_context(c);
		if (!*out)
			rc = ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_sa_delete(struct engine_session *s, UINT64 id)
{
	struct engine *e = s->e;
	struct sa_context *c;
	DWORD rc;

	rc = lock_for_change(s, DELETE);
	if (rc)
		return rc;
	if (s->flags & FWPM_SESSION_FLAG_DYNAMIC) {
		rc = FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
		goto out;
	}
	c = engine_find(e, id);
	if (!c)
		rc = FWP_E_NOT_FOUND;
	else
		engine_delete_context(e, c);
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_sa_expire(struct engine_session *s, UINT64 id)
{
	struct engine *e = s->e;
	struct sa_context *c;
	DWORD rc;

	rc = lock_for_change(s, DELETE);
	if (rc)
		return rc;
	c = engine_find(e, id);
	if (!c) {
		rc = FWP_E_NOT_FOUND;
		goto out;
	}
	if (c->state != SA_INBOUND && c->state != SA_MATURE) {
		rc = FWP_E_INCOMPATIBLE_SA_STATE;
		goto out;
	}
	if (c->out.live) {
		engine_be_remove(e, c, FWP_DIRECTION_OUTBOUND);
		c->out.live = false;
		e->stats.sas_deleted++;
	}
	c->state = SA_EXPIRING;
	subs_emit(e, c, FWPX_SA_CONTEXT_EVENT_EXPIRE, 0);
	if (e->drain_ms == 0) {
		engine_delete_context(e, c);
		goto out;
	}
	c->drain_deadline_ms = engine_clock(e) + e->drain_ms;
	timers_rearm(e, c);
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}
