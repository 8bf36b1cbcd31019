/* api_callout_change.c - FwpmCalloutSubscribeChanges0,
 * FwpmCalloutUnsubscribeChanges0 and FwpmCalloutSubscriptionsGet0
 * (docs/CONTRACT.md, "Change subscriptions").
 *
 * Callouts here are only the built-in ones, which never change (adds and
 * deletes are refused, api_layer.c), so a callout subscription is a real,
 * validated record that never fires. The library keeps them itself, like
 * the callout table: no message goes to fwpd, and the answers are the same
 * in-process and over fwpd. SubscriptionsGet0 returns every callout
 * subscription of the calling process (all its engine handles): nobody
 * else's is known here.
 *
 * Locking: one process-wide mutex guards the list. Bounded: at most
 * CALLOUT_SUBS_MAX per engine handle, like fwpd's per-connection limit.
 * A subscription dies with its engine handle (client_callout_subs_free).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "common/flat.h"

#define CALLOUT_SUBS_MAX 64
#define CHANGE_FLAGS_ALL (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | \
	FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE)

struct callout_sub {
	struct callout_sub *next;
	const struct fwp_client *owner;
	uint64_t handle;
	UINT32 flags;
	bool has_tmpl;
	FWPM_CALLOUT_ENUM_TEMPLATE0 tmpl;	/* providerKey points to provider */
	GUID provider;
	FWPM_CALLOUT_CHANGE_CALLBACK0 callback;	/* kept, never called */
	void *context;
};

static pthread_mutex_t subs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct callout_sub *subs;
static uint64_t next_handle = 1;

static unsigned count_owned(const struct fwp_client *c)
{
	unsigned n = 0;

	for (const struct callout_sub *s = subs; s; s = s->next)
		n += s->owner == c;
	return n;
}

static DWORD subscribe(struct fwp_client *c, const FWPM_CALLOUT_SUBSCRIPTION0 *sub,
		       FWPM_CALLOUT_CHANGE_CALLBACK0 cb, void *context, HANDLE *out)
{
	struct callout_sub *n;
	DWORD rc = ERROR_SUCCESS;

	if (!sub || !cb || !out)
		return FWP_E_NULL_POINTER;
	if (sub->flags & ~(UINT32)CHANGE_FLAGS_ALL)
		return FWP_E_INVALID_FLAGS;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERROR_NOT_ENOUGH_MEMORY;
	n->owner = c;
	n->flags = sub->flags;
	n->callback = cb;
	n->context = context;
	if (sub->enumTemplate) {
		n->has_tmpl = true;
		n->tmpl.layerKey = sub->enumTemplate->layerKey;
		if (sub->enumTemplate->providerKey) {
			n->provider = *sub->enumTemplate->providerKey;
			n->tmpl.providerKey = &n->provider;
		}
	}
	pthread_mutex_lock(&subs_lock);
	if (count_owned(c) >= CALLOUT_SUBS_MAX) {
		rc = ERROR_NOT_ENOUGH_QUOTA;
	} else {
		n->handle = next_handle++;
		n->next = subs;
		subs = n;
		*out = (HANDLE)(uintptr_t)n->handle;
	}
	pthread_mutex_unlock(&subs_lock);
	if (rc)
		free(n);
	return rc;
}

static DWORD unsubscribe(const struct fwp_client *c, HANDLE h)
{
	struct callout_sub **pp, *n = NULL;

	if (!h)
		return ERROR_SUCCESS;	/* like the other UnsubscribeChanges0 */
	pthread_mutex_lock(&subs_lock);
	for (pp = &subs; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == (uint64_t)(uintptr_t)h && (*pp)->owner == c) {
			n = *pp;
			*pp = n->next;
			break;
		}
	}
	pthread_mutex_unlock(&subs_lock);
	free(n);
	return n ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

void client_callout_subs_free(const struct fwp_client *c)
{
	struct callout_sub **pp = &subs, *n;

	pthread_mutex_lock(&subs_lock);
	while ((n = *pp)) {
		if (n->owner == c) {
			*pp = n->next;
			free(n);
		} else {
			pp = &n->next;
		}
	}
	pthread_mutex_unlock(&subs_lock);
}

/* One entry of the result: the struct, its template and provider key. */
static void fill(struct flat *f, const struct callout_sub *s, FWPM_CALLOUT_SUBSCRIPTION0 *out)
{
	FWPM_CALLOUT_ENUM_TEMPLATE0 *t = NULL;

	out->flags = s->flags;
	out->sessionKey = s->owner->session_key;
	if (s->has_tmpl) {
		t = FLAT_NEW(f, FWPM_CALLOUT_ENUM_TEMPLATE0);
		if (t) {
			t->layerKey = s->tmpl.layerKey;
			t->providerKey = s->tmpl.providerKey ?
				flat_dup(f, &s->provider, sizeof(GUID), _Alignof(GUID)) : NULL;
		}
	}
	out->enumTemplate = t;
}

/* The process's subscriptions, list lock held: n pointers, then entries. */
static void *build(size_t n)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		FWPM_CALLOUT_SUBSCRIPTION0 **arr = FLAT_ARRAY(&f, FWPM_CALLOUT_SUBSCRIPTION0 *, n);
		size_t i = 0;

		for (const struct callout_sub *s = subs; s; s = s->next, i++) {
			FWPM_CALLOUT_SUBSCRIPTION0 *e = FLAT_NEW(&f, FWPM_CALLOUT_SUBSCRIPTION0);

			if (arr)
				arr[i] = e;
			if (e)
				fill(&f, s, e);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

static DWORD subscriptions_get(FWPM_CALLOUT_SUBSCRIPTION0 ***entries, UINT32 *count)
{
	DWORD rc = ERROR_SUCCESS;
	size_t n = 0;

	if (!entries || !count)
		return FWP_E_NULL_POINTER;
	*entries = NULL;
	*count = 0;
	pthread_mutex_lock(&subs_lock);
	for (const struct callout_sub *s = subs; s; s = s->next)
		n++;
	if (n) {
		*entries = build(n);
		if (*entries)
			*count = (UINT32)n;
		else
			rc = ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_unlock(&subs_lock);
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmCalloutSubscribeChanges0(HANDLE engineHandle,
	const FWPM_CALLOUT_SUBSCRIPTION0 *subscription, FWPM_CALLOUT_CHANGE_CALLBACK0 callback,
	void *context, HANDLE *changeHandle)
{
	if (changeHandle)
		*changeHandle = NULL;
	WITH_CLIENT(engineHandle, subscribe(c_, subscription, callback, context, changeHandle));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutUnsubscribeChanges0(HANDLE engineHandle,
	HANDLE changeHandle)
{
	WITH_CLIENT(engineHandle, unsubscribe(c_, changeHandle));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutSubscriptionsGet0(HANDLE engineHandle,
	FWPM_CALLOUT_SUBSCRIPTION0 ***entries, UINT32 *numEntries)
{
	WITH_CLIENT(engineHandle, subscriptions_get(entries, numEntries));
}
