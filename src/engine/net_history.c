/* net_history.c - the engine options (FwpmEngineGetOption0 / SetOption0)
 * and the net-event history they switch on, enumerated with templates
 * (FwpmNetEventCreateEnumHandle0 / Enum / DestroyEnumHandle0).
 *
 * While FWPM_ENGINE_COLLECT_NET_EVENTS is on, every event raised is also
 * kept in a ring of NET_HISTORY_SIZE records, the oldest overwritten
 * first; switching it off keeps what was collected. An enumeration handle
 * holds a copy of the records that matched its template when it was made
 * (a snapshot, like every enumeration of the engine), so later events and
 * overwrites do not move it. docs/CONTRACT.md ("Net events") has the
 * rules and codes.
 *
 * Locking: hist_lock guards the ring (packet threads take it only while
 * collecting, never the engine lock); the engine lock guards the
 * enumeration handles. hist_lock is never taken before the engine lock.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "wire/schema.h"

_Static_assert(sizeof(struct fwp_net_event) == sizeof(WF_NET_EVENT_RECORD),
	       "a record travels as WF_NET_EVENT_RECORD");

#define NET_HISTORY_SIZE 1024u
#define NET_ENUM_MAX 16u	/* open net-event enumerations per session */

/* Event kinds the keywords switch on (classify allows, multicast and
 * broadcast drops, capability and port-scanning events): none of them is
 * produced by this engine, so the value is kept and returned only. */
#define KEYWORDS_KNOWN (FWPM_NET_EVENT_KEYWORD_INBOUND_MCAST | \
	FWPM_NET_EVENT_KEYWORD_INBOUND_BCAST | FWPM_NET_EVENT_KEYWORD_CAPABILITY_DROP | \
	FWPM_NET_EVENT_KEYWORD_CAPABILITY_ALLOW | FWPM_NET_EVENT_KEYWORD_CLASSIFY_ALLOW | \
	FWPM_NET_EVENT_KEYWORD_PORT_SCANNING_DROP)

struct net_history {
	struct fwp_net_event rec[NET_HISTORY_SIZE];
	uint32_t head;		/* next slot written */
	uint32_t count;		/* valid records, at most NET_HISTORY_SIZE */
};

struct net_enum {
	struct net_enum *next;
	struct engine_session *owner;
	uint64_t handle;
	struct fwp_net_event *rec;
	uint32_t n, pos;
};

void net_history_init(struct engine *e)
{
	pthread_mutex_init(&e->hist_lock, NULL);
}

void net_history_fini(struct engine *e)
{
	while (e->net_enums) {
		struct net_enum *n = e->net_enums;

		e->net_enums = n->next;
		free(n->rec);
		free(n);
	}
	free(e->hist);
	e->hist = NULL;
	pthread_mutex_destroy(&e->hist_lock);
}

void net_history_record(struct engine *e, const struct fwp_net_event *ev)
{
	struct net_history *h;

	if (!atomic_load_explicit(&e->opt_collect, memory_order_relaxed))
		return;
	pthread_mutex_lock(&e->hist_lock);
	h = e->hist;
	if (h) {
		h->rec[h->head] = *ev;
		h->head = (h->head + 1) % NET_HISTORY_SIZE;
		if (h->count < NET_HISTORY_SIZE)
			h->count++;
	}
	pthread_mutex_unlock(&e->hist_lock);
}

/* ---- options ---- */

static DWORD set_collect(struct engine *e, UINT32 on)
{
	if (on > 1)
		return FWP_E_INVALID_PARAMETER;
	pthread_mutex_lock(&e->hist_lock);
	if (on && !e->hist)
		e->hist = calloc(1, sizeof(*e->hist));
	pthread_mutex_unlock(&e->hist_lock);
	if (on && !e->hist)
		return ERROR_NOT_ENOUGH_MEMORY;
	atomic_store(&e->opt_collect, on);
	return ERROR_SUCCESS;
}

DWORD engine_option_set(struct engine_session *s, UINT32 option, const FWP_VALUE0 *v)
{
	struct engine *e = s->e;
	DWORD rc;

	if (!v)
		return FWP_E_NULL_POINTER;
	if (option >= FWPM_ENGINE_OPTION_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	rc = session_check(s, FWPM_ACTRL_WRITE);
	if (rc)
		return rc;
	if (option == FWPM_ENGINE_NAME_CACHE || option == FWPM_ENGINE_MONITOR_IPSEC_CONNECTIONS ||
	    option == FWPM_ENGINE_PACKET_QUEUING)
		return ERROR_NOT_SUPPORTED;	/* nothing here they could change */
	if (v->type != FWP_UINT32)
		return FWP_E_TYPE_MISMATCH;
	switch (option) {
	case FWPM_ENGINE_COLLECT_NET_EVENTS:
		return set_collect(e, v->uint32);
	case FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS:
		if (v->uint32 & ~(UINT32)KEYWORDS_KNOWN)
			return FWP_E_INVALID_FLAGS;
		atomic_store(&e->opt_keywords, v->uint32);
		return ERROR_SUCCESS;
	default:	/* FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC */
		atomic_store(&e->opt_txn_watchdog_ms, v->uint32);
		return ERROR_SUCCESS;
	}
}

DWORD engine_option_get(struct engine_session *s, UINT32 option, FWP_VALUE0 **out)
{
	struct engine *e = s->e;
	FWP_VALUE0 *v;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	if (option >= FWPM_ENGINE_OPTION_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	rc = session_check(s, FWPM_ACTRL_READ);
	if (rc)
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v)
		return ERROR_NOT_ENOUGH_MEMORY;
	v->type = FWP_UINT32;
	switch (option) {
	case FWPM_ENGINE_COLLECT_NET_EVENTS:
		v->uint32 = atomic_load(&e->opt_collect);
		break;
	case FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS:
		v->uint32 = atomic_load(&e->opt_keywords);
		break;
	case FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC:
		v->uint32 = atomic_load(&e->opt_txn_watchdog_ms);
		break;
	case FWPM_ENGINE_PACKET_QUEUING:
		v->uint32 = FWPM_ENGINE_OPTION_PACKET_QUEUE_NONE;
		break;
	default:	/* name cache, IPsec connection monitoring: off */
		v->uint32 = 0;
		break;
	}
	*out = v;
	return ERROR_SUCCESS;
}

/* ---- enumeration ---- */

/* The time window is inclusive, as FILETIME counts. */
static uint64_t filetime(const FILETIME *t)
{
	return (uint64_t)t->dwHighDateTime << 32 | t->dwLowDateTime;
}

/* The matching records, oldest first, into a new array. */
static DWORD snapshot(struct engine *e, const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t,
		      const struct net_sub *m, struct net_enum *n)
{
	uint64_t lo = t ? filetime(&t->startTime) : 0;
	uint64_t hi = t ? filetime(&t->endTime) : UINT64_MAX;
	struct net_history *h;
	DWORD rc = ERROR_SUCCESS;

	pthread_mutex_lock(&e->hist_lock);
	h = e->hist;
	if (h && h->count) {
		n->rec = malloc(h->count * sizeof(*n->rec));
		if (!n->rec)
			rc = ERROR_NOT_ENOUGH_MEMORY;
		for (uint32_t i = 0; n->rec && i < h->count; i++) {
			const struct fwp_net_event *r = &h->rec[(h->head + NET_HISTORY_SIZE -
								 h->count + i) % NET_HISTORY_SIZE];

			if (r->timestamp >= lo && r->timestamp <= hi && net_template_match(m, r))
				n->rec[n->n++] = *r;
		}
	}
	pthread_mutex_unlock(&e->hist_lock);
	return rc;
}

static unsigned count_enums(const struct engine *e, const struct engine_session *s)
{
	unsigned k = 0;

	for (const struct net_enum *n = e->net_enums; n; n = n->next)
		k += n->owner == s;
	return k;
}

DWORD engine_net_enum_create(struct engine_session *s,
			     const FWPM_NET_EVENT_ENUM_TEMPLATE0 *tmpl, uint64_t *handle)
{
	struct engine *e = s->e;
	struct net_sub *m;
	struct net_enum *n;
	DWORD rc;

	if (!handle)
		return FWP_E_NULL_POINTER;
	rc = session_check(s, FWPM_ACTRL_ENUM | FWPM_ACTRL_READ);
	if (rc)
		return rc;
	m = net_template_compile(tmpl, &rc);
	if (!m)
		return rc;
	n = calloc(1, sizeof(*n));
	rc = n ? snapshot(e, tmpl, m, n) : ERROR_NOT_ENOUGH_MEMORY;
	free(m);
	if (rc)
		goto fail;
	pthread_mutex_lock(&e->lock);
	if (count_enums(e, s) >= NET_ENUM_MAX) {
		pthread_mutex_unlock(&e->lock);
		rc = ERROR_NOT_ENOUGH_QUOTA;
		goto fail;
	}
	n->owner = s;
	n->handle = e->next_handle++;
	n->next = e->net_enums;
	e->net_enums = n;
	*handle = n->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
fail:
	if (n)
		free(n->rec);
	free(n);
	return rc;
}

static struct net_enum **find_enum(struct engine *e, struct engine_session *s, uint64_t h)
{
	struct net_enum **pp;

	for (pp = &e->net_enums; *pp; pp = &(*pp)->next)
		if ((*pp)->handle == h && (*pp)->owner == s)
			return pp;
	return NULL;
}

DWORD engine_net_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		      struct fwp_net_event ***entries, UINT32 *returned)
{
	struct engine *e = s->e;
	struct net_enum **pp;
	DWORD rc = ERROR_SUCCESS;
	uint32_t k = 0;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	*entries = NULL;
	*returned = 0;
	pthread_mutex_lock(&e->lock);
	pp = find_enum(e, s, handle);
	if (!pp) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	k = (*pp)->n - (*pp)->pos < want ? (*pp)->n - (*pp)->pos : want;
	if (k) {
		/* One allocation: the pointers, then the records. */
		struct fwp_net_event **v = malloc(k * (sizeof(*v) + sizeof(**v)));
		struct fwp_net_event *rec = (struct fwp_net_event *)(v + k);

		if (!v) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
		for (uint32_t i = 0; i < k; i++) {
			rec[i] = (*pp)->rec[(*pp)->pos++];
			v[i] = &rec[i];
		}
		*entries = v;
	}
	*returned = k;
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_net_enum_destroy(struct engine_session *s, uint64_t handle)
{
	struct engine *e = s->e;
	struct net_enum **pp, *n = NULL;

	pthread_mutex_lock(&e->lock);
	pp = find_enum(e, s, handle);
	if (pp) {
		n = *pp;
		*pp = n->next;
	}
	pthread_mutex_unlock(&e->lock);
	if (!n)
		return ERROR_INVALID_HANDLE;
	free(n->rec);
	free(n);
	return ERROR_SUCCESS;
}

void net_enums_remove_session(struct engine *e, struct engine_session *s)
{
	struct net_enum **pp = &e->net_enums;

	while (*pp) {
		struct net_enum *n = *pp;

		if (n->owner == s) {
			*pp = n->next;
			free(n->rec);
			free(n);
		} else {
			pp = &n->next;
		}
	}
}
