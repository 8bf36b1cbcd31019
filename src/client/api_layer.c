/* api_layer.c - FwpmLayer* and FwpmCallout*: the built-in layers and IPsec
 * callouts, read-only.
 *
 * Both transports answer from the library's own const table (engine/
 * layers.h), the one fwpd links as well, so the answers are the same
 * in-process and over fwpd without a message (docs/protocol.md). The
 * engine handle is still checked as every call checks it. Enumeration
 * handles live in the client (bounded: BI_MAX_ENUMS per engine handle) and
 * are valid only with the engine handle that created them. Every result is
 * one allocation, released with FwpmFreeMemory0.
 *
 * User callouts need a kernel driver to classify: FwpmCalloutAdd0 answers
 * ERROR_NOT_SUPPORTED, and the built-in ones cannot be deleted.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "common/flat.h"
#include "common/handle_table.h"
#include "engine/layers.h"

/* Open layer and callout enumerations per engine handle (a client that
 * never destroys them cannot grow the process without bound); one more is
 * refused as an allocation failure, WFP having no quota code for it. */
#define BI_MAX_ENUMS 64

enum bi_kind { BI_LAYER, BI_CALLOUT };

struct bi_enum {
	enum bi_kind kind;
	size_t pos;
	bool none;		/* template matches nothing (a provider key) */
	bool by_layer;
	GUID layer;
};

struct builtin_enums {
	pthread_mutex_t lock;	/* guards n and every bi_enum's pos */
	struct handle_table t;
	unsigned n;
};

static bool guid_zero(const GUID *g)
{
	static const GUID zero;

	return memcmp(g, &zero, sizeof(zero)) == 0;
}

/* The client's table, created on first use; NULL when out of memory. */
static struct builtin_enums *enums_of(struct fwp_client *c)
{
	struct builtin_enums *b;

	pthread_mutex_lock(&c->lock);
	if (!c->bienums) {
		b = calloc(1, sizeof(*b));
		if (b) {
			pthread_mutex_init(&b->lock, NULL);
			handle_table_init(&b->t);
		}
		c->bienums = b;
	}
	b = c->bienums;
	pthread_mutex_unlock(&c->lock);
	return b;
}

void client_builtin_enums_free(struct fwp_client *c)
{
	struct builtin_enums *b = c->bienums;

	if (!b)
		return;
	for (uint32_t i = 0; i < b->t.nslots; i++)
		free(b->t.slots[i].obj);	/* NULL for free slots */
	handle_table_fini(&b->t);
	pthread_mutex_destroy(&b->lock);
	free(b);
	c->bienums = NULL;
}

static DWORD enum_open(struct fwp_client *c, struct bi_enum *e, HANDLE *out)
{
	struct builtin_enums *b = enums_of(c);
	uint64_t h = 0;

	if (!b)
		return ERROR_NOT_ENOUGH_MEMORY;
	pthread_mutex_lock(&b->lock);
	if (b->n < BI_MAX_ENUMS)
		h = handle_table_add(&b->t, e);
	if (h)
		b->n++;
	pthread_mutex_unlock(&b->lock);
	if (!h)
		return ERROR_NOT_ENOUGH_MEMORY;
	*out = (HANDLE)(uintptr_t)h;
	return ERROR_SUCCESS;
}

static DWORD enum_create(struct fwp_client *c, enum bi_kind k,
			 const FWPM_CALLOUT_ENUM_TEMPLATE0 *t, HANDLE *out)
{
	struct bi_enum *e;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ERROR_NOT_ENOUGH_MEMORY;
	e->kind = k;
	if (t) {
		/* Built-in callouts have no provider. */
		e->none = t->providerKey != NULL;
		e->by_layer = !guid_zero(&t->layerKey);
		e->layer = t->layerKey;
	}
	rc = enum_open(c, e, out);
	if (rc)
		free(e);
	return rc;
}

static bool callout_matches(const struct bi_enum *e, size_t i)
{
	return !e->by_layer || !memcmp(builtin_callout_layer(i), &e->layer, sizeof(GUID));
}

/* Table positions of the next up to want entries of e (advancing it). */
static size_t enum_next(struct bi_enum *e, UINT32 want, size_t *idx)
{
	size_t total = e->kind == BI_LAYER ? builtin_layer_count() : builtin_callout_count();
	size_t n = 0;

	if (e->none)
		return 0;
	while (n < want && e->pos < total) {
		size_t i = e->pos++;

		if (e->kind == BI_LAYER || callout_matches(e, i))
			idx[n++] = i;
	}
	return n;
}

/* One block: an array of n pointers (when array) followed by the entries. */
static void *build(enum bi_kind k, const size_t *idx, size_t n, bool array)
{
	size_t size = k == BI_LAYER ? sizeof(FWPM_LAYER0) : sizeof(FWPM_CALLOUT0);
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		void **arr = array ? FLAT_ARRAY(&f, void *, n) : NULL;

		for (size_t i = 0; i < n; i++) {
			void *obj = flat_take(&f, size, 8);

			if (arr)
				arr[i] = obj;
			if (obj && k == BI_LAYER)
				builtin_layer_fill(&f, idx[i], obj);
			else if (obj)
				builtin_callout_fill(&f, idx[i], obj);
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

static DWORD enum_page(struct fwp_client *c, enum bi_kind k, HANDLE eh, UINT32 want,
		       void ***entries, UINT32 *returned)
{
	struct builtin_enums *b;
	struct bi_enum *e;
	size_t *idx = NULL, n = 0;
	DWORD rc = ERROR_SUCCESS;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	b = enums_of(c);
	if (!b)
		return ERROR_NOT_ENOUGH_MEMORY;
	pthread_mutex_lock(&b->lock);
	e = handle_table_get(&b->t, (uint64_t)(uintptr_t)eh, NULL);
	if (!e || e->kind != k) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	if (want > builtin_layer_count() + builtin_callout_count())
		want = (UINT32)(builtin_layer_count() + builtin_callout_count());
	idx = malloc((want ? want : 1) * sizeof(*idx));
	if (!idx) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	n = enum_next(e, want, idx);
	*entries = NULL;
	if (n) {
		*entries = build(k, idx, n, true);
		if (!*entries) {
			e->pos = idx[0];	/* nothing handed out: retry gets the same */
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	*returned = (UINT32)n;
out:
	pthread_mutex_unlock(&b->lock);
	free(idx);
	return rc;
}

static DWORD enum_destroy(struct fwp_client *c, enum bi_kind k, HANDLE eh)
{
	struct builtin_enums *b = enums_of(c);
	struct bi_enum *e;
	DWORD rc = ERROR_SUCCESS;

	if (!b)
		return ERROR_NOT_ENOUGH_MEMORY;
	pthread_mutex_lock(&b->lock);
	e = handle_table_get(&b->t, (uint64_t)(uintptr_t)eh, NULL);
	if (e && e->kind == k) {
		handle_table_remove(&b->t, (uint64_t)(uintptr_t)eh);
		b->n--;
		free(e);
	} else {
		rc = ERROR_INVALID_HANDLE;
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

static DWORD get_one(enum bi_kind k, int i, DWORD not_found, void **out)
{
	size_t idx = (size_t)i;

	if (!out)
		return FWP_E_NULL_POINTER;
	*out = NULL;
	if (i < 0)
		return not_found;
	*out = build(k, &idx, 1, false);
	return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

static DWORD layer_get_key(const GUID *key, FWPM_LAYER0 **layer)
{
	if (!key)
		return FWP_E_NULL_POINTER;
	return get_one(BI_LAYER, builtin_layer_by_key(key), FWP_E_LAYER_NOT_FOUND,
		       (void **)layer);
}

static DWORD callout_get_key(const GUID *key, FWPM_CALLOUT0 **callout)
{
	if (!key)
		return FWP_E_NULL_POINTER;
	return get_one(BI_CALLOUT, builtin_callout_by_key(key), FWP_E_CALLOUT_NOT_FOUND,
		       (void **)callout);
}

FWP_EXPORT DWORD WINAPI FwpmLayerGetById0(HANDLE engineHandle, UINT16 id,
	FWPM_LAYER0 **layer)
{
	WITH_CLIENT(engineHandle, get_one(BI_LAYER, builtin_layer_by_id(id),
		FWP_E_LAYER_NOT_FOUND, (void **)layer));
}

FWP_EXPORT DWORD WINAPI FwpmLayerGetByKey0(HANDLE engineHandle, const GUID *key,
	FWPM_LAYER0 **layer)
{
	WITH_CLIENT(engineHandle, layer_get_key(key, layer));
}

/* The template's one member is reserved: every layer is returned. */
FWP_EXPORT DWORD WINAPI FwpmLayerCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_LAYER_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, enum_create(c_, BI_LAYER, NULL, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmLayerEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_LAYER0 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, enum_page(c_, BI_LAYER, enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmLayerDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, enum_destroy(c_, BI_LAYER, enumHandle));
}

static DWORD callout_add(const FWPM_CALLOUT0 *callout, UINT32 *id)
{
	if (id)
		*id = 0;
	if (!callout)
		return FWP_E_NULL_POINTER;
	if (builtin_callout_by_key(&callout->calloutKey) >= 0)
		return FWP_E_ALREADY_EXISTS;
	return ERROR_NOT_SUPPORTED;
}

static DWORD callout_delete(int i)
{
	return i < 0 ? FWP_E_CALLOUT_NOT_FOUND : FWP_E_BUILTIN_OBJECT;
}

FWP_EXPORT DWORD WINAPI FwpmCalloutAdd0(HANDLE engineHandle, const FWPM_CALLOUT0 *callout,
	PSECURITY_DESCRIPTOR sd, UINT32 *id)
{
	WITH_CLIENT(engineHandle, callout_add(callout, id));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutDeleteById0(HANDLE engineHandle, UINT32 id)
{
	WITH_CLIENT(engineHandle, callout_delete(builtin_callout_by_id(id)));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	WITH_CLIENT(engineHandle, key ? callout_delete(builtin_callout_by_key(key))
		: FWP_E_NULL_POINTER);
}

FWP_EXPORT DWORD WINAPI FwpmCalloutGetById0(HANDLE engineHandle, UINT32 id,
	FWPM_CALLOUT0 **callout)
{
	WITH_CLIENT(engineHandle, get_one(BI_CALLOUT, builtin_callout_by_id(id),
		FWP_E_CALLOUT_NOT_FOUND, (void **)callout));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutGetByKey0(HANDLE engineHandle, const GUID *key,
	FWPM_CALLOUT0 **callout)
{
	WITH_CLIENT(engineHandle, callout_get_key(key, callout));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_CALLOUT_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, enum_create(c_, BI_CALLOUT, enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_CALLOUT0 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, enum_page(c_, BI_CALLOUT, enumHandle, numEntriesRequested,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmCalloutDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, enum_destroy(c_, BI_CALLOUT, enumHandle));
}
