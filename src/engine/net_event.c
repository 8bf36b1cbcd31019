/* net_event.c - net-event subscriptions, their templates, and the source
 * the datapath raises events through (net_event.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_internal.h"

/* The fields a template may name, in the order of net_fields[]. */
enum net_field { NF_PROTOCOL, NF_LOCAL_ADDR, NF_REMOTE_ADDR, NF_LOCAL_PORT,
		 NF_REMOTE_PORT, NF_COUNT };

_Static_assert(NF_COUNT == NET_EVENT_MAX_CONDITIONS, "one condition per field");
_Static_assert(sizeof(struct fwp_net_event) == 96 &&
	       offsetof(struct fwp_net_event, classify_drop) == 64,
	       "the record has no implicit padding outside its arm");

static const GUID *const net_fields[NF_COUNT] = {
	&FWPM_CONDITION_IP_PROTOCOL, &FWPM_CONDITION_IP_LOCAL_ADDRESS,
	&FWPM_CONDITION_IP_REMOTE_ADDRESS, &FWPM_CONDITION_IP_LOCAL_PORT,
	&FWPM_CONDITION_IP_REMOTE_PORT,
};

/* One compiled condition: the inclusive range [lo, hi] of a field's value
 * as big-endian bytes, so that memcmp orders them; width 4 or 16 also
 * tells an address's family. */
struct net_cond {
	uint8_t field;
	uint8_t width;
	uint8_t lo[16], hi[16];
};

struct net_sub {
	struct net_sub *next;
	struct engine_session *owner;
	uint64_t handle;
	uint64_t cookie;	/* passed to the sink */
	unsigned ncond;
	struct net_cond cond[NF_COUNT];
};

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000ull

uint64_t net_event_filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000u +
	       (uint64_t)ts.tv_nsec / 100u;
}

#define KNOWN_FLAGS (FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET | \
	FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET | \
	FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET | FWPM_NET_EVENT_FLAG_SCOPE_ID_SET | \
	FWPM_NET_EVENT_FLAG_IP_VERSION_SET)

bool net_event_valid(const struct fwp_net_event *ev)
{
	return (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP ||
		ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP) &&
	       ev->ip_version < FWP_IP_VERSION_MAX && !(ev->flags & ~KNOWN_FLAGS);
}

/* Copies the fields only, so that padding inside the arms (which reaches
 * other processes through fwpd) never carries the raiser's stack. */
static void copy_clean(struct fwp_net_event *d, const struct fwp_net_event *s)
{
	memset(d, 0, sizeof(*d));
	d->timestamp = s->timestamp;
	d->flags = s->flags & KNOWN_FLAGS;	/* the record carries no more */
	d->ip_version = s->ip_version;
	d->local = s->local;
	d->remote = s->remote;
	d->local_port = s->local_port;
	d->remote_port = s->remote_port;
	d->scope_id = s->scope_id;
	d->ip_protocol = s->ip_protocol;
	d->type = s->type;
	if (s->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP) {
		d->classify_drop.filterId = s->classify_drop.filterId;
		d->classify_drop.layerId = s->classify_drop.layerId;
		d->classify_drop.reauthReason = s->classify_drop.reauthReason;
		d->classify_drop.originalProfile = s->classify_drop.originalProfile;
		d->classify_drop.currentProfile = s->classify_drop.currentProfile;
		d->classify_drop.msFwpDirection = s->classify_drop.msFwpDirection;
		d->classify_drop.isLoopback = s->classify_drop.isLoopback;
	} else {
		d->ipsec_drop.failureStatus = s->ipsec_drop.failureStatus;
		d->ipsec_drop.direction = s->ipsec_drop.direction;
		d->ipsec_drop.spi = s->ipsec_drop.spi;
		d->ipsec_drop.filterId = s->ipsec_drop.filterId;
		d->ipsec_drop.layerId = s->ipsec_drop.layerId;
	}
}

static void put_be(uint8_t *out, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		out[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

/* The event's value of field f as big-endian bytes; false when the event
 * does not carry it. */
static bool event_value(const struct fwp_net_event *ev, unsigned f, uint8_t out[16],
			unsigned *width)
{
	static const uint32_t need[NF_COUNT] = {
		FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET, FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET,
		FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET, FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET,
		FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET,
	};
	const union fwp_net_addr *a = f == NF_LOCAL_ADDR ? &ev->local : &ev->remote;

	if (!(ev->flags & need[f]))
		return false;
	switch (f) {
	case NF_PROTOCOL:
		*width = 1;
		out[0] = ev->ip_protocol;
		return true;
	case NF_LOCAL_PORT:
	case NF_REMOTE_PORT:
		*width = 2;
		put_be(out, f == NF_LOCAL_PORT ? ev->local_port : ev->remote_port, 2);
		return true;
	default:
		if (ev->ip_version == FWP_IP_VERSION_V4) {
			*width = 4;
			put_be(out, a->v4, 4);
		} else if (ev->ip_version == FWP_IP_VERSION_V6) {
			*width = 16;
			memcpy(out, a->v6.byteArray16, 16);
		} else {
			return false;
		}
		return true;
	}
}

/* Every condition must hold; an event without a field fails its condition. */
static bool sub_match(const struct net_sub *sub, const struct fwp_net_event *ev)
{
	for (unsigned i = 0; i < sub->ncond; i++) {
		const struct net_cond *c = &sub->cond[i];
		uint8_t v[16];
		unsigned w;

		if (!event_value(ev, c->field, v, &w) || w != c->width ||
		    memcmp(c->lo, v, w) > 0 || memcmp(v, c->hi, w) > 0)
			return false;
	}
	return true;
}

void engine_net_event_raise(struct engine *e, const struct fwp_net_event *ev)
{
	struct fwp_net_event n;

	if (!ev || (ev->type != FWPM_NET_EVENT_TYPE_CLASSIFY_DROP &&
		    ev->type != FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP))
		return;
	copy_clean(&n, ev);
	/* What fwpd's clients would refuse, nobody gets. */
	if (!net_event_valid(&n))
		return;
	if (!n.timestamp)
		n.timestamp = net_event_filetime_now();
	atomic_fetch_add_explicit(&e->net_raised, 1, memory_order_relaxed);
	net_history_record(e, &n);
	/* Nobody listening (the usual case): the packet threads never touch
	 * the engine lock. A subscription made meanwhile misses this event,
	 * as it would have a moment earlier. */
	if (!atomic_load_explicit(&e->net_nsubs, memory_order_relaxed))
		return;
	pthread_mutex_lock(&e->lock);
	for (struct net_sub *sub = e->net_subs; sub; sub = sub->next) {
		struct event_sink *sink = &sub->owner->sink;

		if (sink->deliver_net && sub_match(sub, &n))
			sink->deliver_net(sink->arg, sub->cookie, &n);
	}
	pthread_mutex_unlock(&e->lock);
}

uint64_t engine_net_events_raised(struct engine *e)
{
	return atomic_load_explicit(&e->net_raised, memory_order_relaxed);
}

/* ---- templates ---- */

static int field_of(const GUID *key)
{
	for (int i = 0; i < NF_COUNT; i++)
		if (!memcmp(net_fields[i], key, sizeof(*key)))
			return i;
	return -1;
}

/* A scalar of a condition or a range bound, whichever union it came from. */
struct scalar {
	FWP_DATA_TYPE type;
	uint32_t u;			/* UINT8, UINT16, UINT32 */
	const FWP_BYTE_ARRAY16 *b16;	/* BYTE_ARRAY16 */
};

static struct scalar of_value(const FWP_VALUE0 *v)
{
	struct scalar s = { .type = v->type };

	if (v->type == FWP_UINT8)
		s.u = v->uint8;
	else if (v->type == FWP_UINT16)
		s.u = v->uint16;
	else if (v->type == FWP_UINT32)
		s.u = v->uint32;
	else if (v->type == FWP_BYTE_ARRAY16_TYPE)
		s.b16 = v->byteArray16;
	return s;
}

static struct scalar of_condition(const FWP_CONDITION_VALUE0 *v)
{
	struct scalar s = { .type = v->type };

	if (v->type == FWP_UINT8)
		s.u = v->uint8;
	else if (v->type == FWP_UINT16)
		s.u = v->uint16;
	else if (v->type == FWP_UINT32)
		s.u = v->uint32;
	else if (v->type == FWP_BYTE_ARRAY16_TYPE)
		s.b16 = v->byteArray16;
	return s;
}

/* The width of field f's values of type t; 0 when f does not take t. */
static unsigned width_of(unsigned f, FWP_DATA_TYPE t)
{
	switch (f) {
	case NF_PROTOCOL:
		return t == FWP_UINT8 ? 1 : 0;
	case NF_LOCAL_PORT:
	case NF_REMOTE_PORT:
		return t == FWP_UINT16 ? 2 : 0;
	default:
		return t == FWP_UINT32 ? 4 : t == FWP_BYTE_ARRAY16_TYPE ? 16 : 0;
	}
}

/* A checked scalar as big-endian bytes of width w. */
static void scalar_bytes(const struct scalar *s, unsigned w, uint8_t out[16])
{
	if (w == 16)
		memcpy(out, s->b16->byteArray16, 16);
	else
		put_be(out, s->u, w);
}

static DWORD compile_mask(unsigned f, const FWP_CONDITION_VALUE0 *v, struct net_cond *c)
{
	if (f != NF_LOCAL_ADDR && f != NF_REMOTE_ADDR)
		return FWP_E_TYPE_MISMATCH;
	if (v->type == FWP_V4_ADDR_MASK) {
		uint32_t m;

		if (!v->v4AddrMask)
			return FWP_E_NULL_POINTER;
		m = v->v4AddrMask->mask;
		if (m & (~m >> 1))	/* ones must be contiguous from the top */
			return FWP_E_INVALID_NET_MASK;
		c->width = 4;
		put_be(c->lo, v->v4AddrMask->addr & m, 4);
		put_be(c->hi, (v->v4AddrMask->addr & m) | ~m, 4);
		return ERROR_SUCCESS;
	}
	if (!v->v6AddrMask)
		return FWP_E_NULL_POINTER;
	if (v->v6AddrMask->prefixLength > 128)
		return FWP_E_INVALID_NET_MASK;
	c->width = 16;
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = v->v6AddrMask->prefixLength > 8 * i ?
				v->v6AddrMask->prefixLength - 8 * i : 0;
		uint8_t m = bits >= 8 ? 0xFF : (uint8_t)(0xFF00u >> bits);

		c->lo[i] = v->v6AddrMask->addr[i] & m;
		c->hi[i] = c->lo[i] | (uint8_t)~m;
	}
	return ERROR_SUCCESS;
}

static DWORD compile_range(unsigned f, const FWP_RANGE0 *r, struct net_cond *c)
{
	struct scalar lo, hi;
	unsigned w;

	if (!r)
		return FWP_E_NULL_POINTER;
	if (r->valueLow.type != r->valueHigh.type)
		return FWP_E_INVALID_RANGE;
	w = width_of(f, r->valueLow.type);
	if (!w)
		return FWP_E_TYPE_MISMATCH;
	lo = of_value(&r->valueLow);
	hi = of_value(&r->valueHigh);
	if (w == 16 && (!lo.b16 || !hi.b16))
		return FWP_E_NULL_POINTER;
	scalar_bytes(&lo, w, c->lo);
	scalar_bytes(&hi, w, c->hi);
	if (memcmp(c->lo, c->hi, w) > 0)
		return FWP_E_INVALID_RANGE;
	c->width = (uint8_t)w;
	return ERROR_SUCCESS;
}

static DWORD compile_condition(const FWPM_FILTER_CONDITION0 *fc, struct net_cond *c,
			       unsigned *seen)
{
	const FWP_CONDITION_VALUE0 *v = &fc->conditionValue;
	int f = field_of(&fc->fieldKey);
	struct scalar scalar;
	unsigned w;

	if (f < 0) {
		/* Documented for net events, but Linux has no application or
		 * user ids on packets to match. */
		if (!memcmp(&fc->fieldKey, &FWPM_CONDITION_ALE_APP_ID, sizeof(GUID)) ||
		    !memcmp(&fc->fieldKey, &FWPM_CONDITION_ALE_USER_ID, sizeof(GUID)))
			return ERROR_NOT_SUPPORTED;
		return FWP_E_CONDITION_NOT_FOUND;
	}
	if (*seen & (1u << f))
		return FWP_E_INVALID_PARAMETER;	/* each field once (doc) */
	*seen |= 1u << f;
	c->field = (uint8_t)f;
	if ((UINT32)fc->matchType >= FWP_MATCH_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	if (fc->matchType == FWP_MATCH_RANGE)
		return v->type == FWP_RANGE_TYPE ? compile_range((unsigned)f, v->rangeValue, c)
						 : FWP_E_MATCH_TYPE_MISMATCH;
	if (fc->matchType != FWP_MATCH_EQUAL || v->type == FWP_RANGE_TYPE)
		return FWP_E_MATCH_TYPE_MISMATCH;
	if (v->type == FWP_V4_ADDR_MASK || v->type == FWP_V6_ADDR_MASK)
		return compile_mask((unsigned)f, v, c);
	w = width_of((unsigned)f, v->type);
	if (!w)
		return FWP_E_TYPE_MISMATCH;
	scalar = of_condition(v);
	if (w == 16 && !scalar.b16)
		return FWP_E_NULL_POINTER;
	scalar_bytes(&scalar, w, c->lo);
	memcpy(c->hi, c->lo, w);
	c->width = (uint8_t)w;
	return ERROR_SUCCESS;
}

/* The time window is not checked: it selects stored events, and a live
 * subscription has none (docs/CONTRACT.md). */
static DWORD compile_template(const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, struct net_sub *n)
{
	unsigned seen = 0;

	if (!t || !t->numFilterConditions)
		return ERROR_SUCCESS;
	if (!t->filterCondition)
		return FWP_E_NULL_POINTER;
	/* A sixth condition repeats a field, so this stops by then. */
	for (UINT32 i = 0; i < t->numFilterConditions; i++) {
		DWORD rc;

		if (n->ncond == NF_COUNT)
			return FWP_E_INVALID_PARAMETER;
		rc = compile_condition(&t->filterCondition[i], &n->cond[n->ncond], &seen);
		if (rc)
			return rc;
		n->ncond++;
	}
	return ERROR_SUCCESS;
}

struct net_sub *net_template_compile(const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, DWORD *rc)
{
	struct net_sub *n = calloc(1, sizeof(*n));

	if (!n) {
		*rc = ERROR_NOT_ENOUGH_MEMORY;
		return NULL;
	}
	*rc = compile_template(t, n);
	if (*rc) {
		free(n);
		return NULL;
	}
	return n;
}

bool net_template_match(const struct net_sub *m, const struct fwp_net_event *ev)
{
	return sub_match(m, ev);
}

/* ---- subscriptions ---- */

DWORD engine_net_subscribe(struct engine_session *s,
			   const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
			   uint64_t cookie, uint64_t *handle)
{
	struct engine *e = s->e;
	struct net_sub *n;
	DWORD rc;

	if (!sub || !handle)
		return FWP_E_NULL_POINTER;
	if (sub->flags)
		return FWP_E_INVALID_FLAGS;
	rc = session_check(s, FWPM_ACTRL_SUBSCRIBE);
	if (rc)
		return rc;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = compile_template(sub->enumTemplate, n);
	if (rc) {
		free(n);
		return rc;
	}
	n->owner = s;
	n->cookie = cookie;
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&e->lock);
		free(n);
		return FWP_E_TXN_IN_PROGRESS;
	}
	n->handle = e->next_handle++;
	n->next = e->net_subs;
	e->net_subs = n;
	atomic_fetch_add_explicit(&e->net_nsubs, 1, memory_order_relaxed);
	*handle = n->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

static void unlink_sub(struct engine *e, struct net_sub **pp)
{
	struct net_sub *n = *pp;

	*pp = n->next;
	atomic_fetch_sub_explicit(&e->net_nsubs, 1, memory_order_relaxed);
	free(n);
}

DWORD engine_net_unsubscribe(struct engine_session *s, uint64_t handle)
{
	struct engine *e = s->e;
	struct net_sub **pp;
	DWORD rc = ERROR_INVALID_HANDLE;

	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		rc = FWP_E_TXN_IN_PROGRESS;
		goto out;
	}
	for (pp = &e->net_subs; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == handle && (*pp)->owner == s) {
			unlink_sub(e, pp);
			rc = ERROR_SUCCESS;
			break;
		}
	}
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

void net_subs_remove_session(struct engine *e, struct engine_session *s)
{
	struct net_sub **pp = &e->net_subs;

	while (*pp) {
		if ((*pp)->owner == s)
			unlink_sub(e, pp);
		else
			pp = &(*pp)->next;
	}
}
