/* sa_enum.c - enumeration handles for SA contexts and for SAs.
 *
 * CreateEnumHandle records which contexts (or SAs) match, 8 bytes each;
 * Enum reads their current contents and skips those deleted since. So the
 * set is a snapshot and no Enum call copies the whole table.
 */
#include <stdlib.h>

#include "engine/engine_internal.h"

struct enum_snapshot *enum_find(struct engine_session *s, uint64_t h,
			       enum enum_kind kind, struct enum_snapshot ***link)
{
	struct enum_snapshot **pp;

	for (pp = &s->enums; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == h && (*pp)->kind == kind) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

void enum_snapshot_free(struct enum_snapshot *sn)
{
	free(sn->ids);
	free(sn);
}

void enums_free_session(struct engine_session *s)
{
	while (s->enums) {
		struct enum_snapshot *n = s->enums->next;

		enum_snapshot_free(s->enums);
		s->enums = n;
	}
}

static DWORD snap_create(struct engine_session *s, enum enum_kind kind,
			 const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *ct,
			 const IPSEC_SA_ENUM_TEMPLATE0 *st, uint64_t *handle)
{
	struct engine *e = s->e;
	struct enum_snapshot *sn;
	struct sa_context *c;
	size_t cap;
	DWORD rc;

	if (!handle)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_ENUM | FWPM_ACTRL_READ);
	if (rc)
		return rc;
	if (ct) {
		rc = template_validate(ct);
		if (rc)
			return rc;
	}
	if (st && (UINT32)st->saDirection >= FWP_DIRECTION_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return ERROR_NOT_ENOUGH_MEMORY;
	sn->kind = kind;
	pthread_mutex_lock(&e->lock);
	cap = e->nr_contexts * (kind == ENUM_SAS ? 2 : 1);
	if (cap) {
		sn->ids = malloc(cap * sizeof(*sn->ids));
		if (!sn->ids) {
			pthread_mutex_unlock(&e->lock);
			free(sn);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	for (c = e->first; c; c = c->next) {
		if (kind == ENUM_CONTEXTS) {
			if (!ct || template_match(ct, c))
				sn->ids[sn->n++] = c->id;
			continue;
		}
		if (c->in.live && (!st || st->saDirection == FWP_DIRECTION_INBOUND))
			sn->ids[sn->n++] = c->id << 1 | FWP_DIRECTION_INBOUND;
		if (c->out.live && (!st || st->saDirection == FWP_DIRECTION_OUTBOUND))
			sn->ids[sn->n++] = c->id << 1 | FWP_DIRECTION_OUTBOUND;
	}
	sn->handle = e->next_handle++;
	sn->next = s->enums;
	s->enums = sn;
	*handle = sn->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_sa_enum_create(struct engine_session *s,
			    const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
			    uint64_t *handle)
{
	return snap_create(s, ENUM_CONTEXTS, tmpl, NULL, handle);
}

DWORD engine_sad_enum_create(struct engine_session *s,
			     const IPSEC_SA_ENUM_TEMPLATE0 *tmpl, uint64_t *handle)
{
	return snap_create(s, ENUM_SAS, NULL, tmpl, handle);
}

/* Collects up to want still-existing entries from the cursor on. */
static DWORD snap_next(struct engine_session *s, uint64_t h, enum enum_kind kind,
		       UINT32 want, void ***entries, UINT32 *returned)
{
	struct engine *e = s->e;
	struct enum_snapshot *sn;
	struct sa_context **v = NULL;
	FWP_DIRECTION *dirs = NULL;
	size_t n = 0, cap;
	DWORD rc = ERROR_SUCCESS;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	pthread_mutex_lock(&e->lock);
	sn = enum_find(s, h, kind, NULL);
	if (!sn) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	cap = sn->n - sn->pos < want ? sn->n - sn->pos : want;
	if (cap) {
		v = malloc(cap * sizeof(*v));
		dirs = malloc(cap * sizeof(*dirs));
		if (!v || !dirs) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	while (n < cap && sn->pos < sn->n) {
		uint64_t key = sn->ids[sn->pos++];
		struct sa_context *c;

		if (kind == ENUM_CONTEXTS) {
			c = engine_find(e, key);
			if (c)
				v[n++] = c;
			continue;
		}
		c = engine_find(e, key >> 1);
		dirs[n] = (FWP_DIRECTION)(key & 1);
		if (c && (dirs[n] == FWP_DIRECTION_INBOUND ? c->in.live : c->out.live))
			v[n++] = c;
	}
	*entries = NULL;
	if (n) {
		*entries = kind == ENUM_CONTEXTS ? (void **)export_contexts(v, n)
						 : (void **)export_details(v, dirs, n);
		if (!*entries) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	*returned = (UINT32)n;
out:
	pthread_mutex_unlock(&e->lock);
	free(v);
	free(dirs);
	return rc;
}

DWORD engine_sa_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		     IPSEC_SA_CONTEXT1 ***entries, UINT32 *returned)
{
	return snap_next(s, handle, ENUM_CONTEXTS, want, (void ***)entries, returned);
}

DWORD engine_sad_enum(struct engine_session *s, uint64_t handle, UINT32 want,
		      IPSEC_SA_DETAILS1 ***entries, UINT32 *returned)
{
	return snap_next(s, handle, ENUM_SAS, want, (void ***)entries, returned);
}

static DWORD snap_destroy(struct engine_session *s, uint64_t h, enum enum_kind kind)
{
	struct enum_snapshot *sn, **link;
	DWORD rc = ERROR_SUCCESS;

	pthread_mutex_lock(&s->e->lock);
	sn = enum_find(s, h, kind, &link);
	if (sn) {
		*link = sn->next;
		enum_snapshot_free(sn);
	} else {
		rc = ERROR_INVALID_HANDLE;
	}
	pthread_mutex_unlock(&s->e->lock);
	return rc;
}

DWORD engine_sa_enum_destroy(struct engine_session *s, uint64_t handle)
{
	return snap_destroy(s, handle, ENUM_CONTEXTS);
}

DWORD engine_sad_enum_destroy(struct engine_session *s, uint64_t handle)
{
	return snap_destroy(s, handle, ENUM_SAS);
}
