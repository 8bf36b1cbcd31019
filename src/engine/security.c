/* security.c - the security descriptors of the engine, the IPsec SA
 * database and each policy object, and the access checks they decide.
 *
 * Every descriptor stored here passed sd_parse and has an owner, a group
 * and a DACL (parts a client leaves out come from the default). A session
 * holds the caller's token; what the engine's and the SA database's
 * descriptors grant it is computed when it opens and again whenever one of
 * them changes, so the per-call check (session_check) is one atomic load.
 * Objects are checked against their own descriptor when named (Get,
 * Delete, Set/GetSecurityInfo) and when enumerated (those the caller may
 * not READ are left out).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/secdesc.h"
#include "engine/engine_internal.h"
#include "wire/schema.h"

static int blob_set(struct sd_blob *b, const void *p, size_t len)
{
	void *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, p, len);
	free(b->p);
	b->p = copy;
	b->len = len;
	return 0;
}

int security_init(struct engine *e)
{
	const void *sd = e->cfg.default_sd;
	size_t len = e->cfg.default_sd_len;
	void *own = NULL;
	struct sd_view v;
	int err;

	if (!sd) {
		err = sd_default_process(geteuid(), getegid(), &own, &len);
		if (err)
			return err;
		sd = own;
	}
	err = sd_parse(sd, len, &v) ? -EINVAL : 0;
	if (!err && (!v.part[SD_OWNER] || !v.part[SD_GROUP] || !v.part[SD_DACL]))
		err = -EINVAL;
	if (!err)
		err = blob_set(&e->sd_default, sd, len);
	if (!err)
		err = blob_set(&e->sd_engine, sd, len);
	if (!err)
		err = blob_set(&e->sd_sadb, sd, len);
	free(own);
	if (err)
		security_fini(e);
	return err;
}

void security_fini(struct engine *e)
{
	free(e->sd_default.p);
	free(e->sd_engine.p);
	free(e->sd_sadb.p);
	e->sd_default = e->sd_engine = e->sd_sadb = (struct sd_blob){ NULL, 0 };
}

static uint32_t granted(const struct sd_token *t, const void *sd, size_t len)
{
	struct sd_view v;

	if (!t)
		return ~0u;
	if (sd_parse(sd, len, &v))
		return 0;	/* cannot happen: stored descriptors parsed */
	return sd_granted(&v, t);
}

static void regrant(struct engine_session *s)
{
	struct engine *e = s->e;

	atomic_store(&s->granted_engine, granted(s->token, e->sd_engine.p, e->sd_engine.len));
	atomic_store(&s->granted_sadb, granted(s->token, e->sd_sadb.p, e->sd_sadb.len));
}

int security_session_init(struct engine_session *s, const struct sd_token *t)
{
	if (t) {
		s->token = malloc(sizeof(*t));
		if (!s->token)
			return -ENOMEM;
		*s->token = *t;
	}
	regrant(s);
	return 0;
}

void security_session_fini(struct engine_session *s)
{
	free(s->token);
	s->token = NULL;
}

uint32_t engine_session_rights(struct engine_session *s)
{
	return s->cred.rights & (atomic_load(&s->granted_engine) |
				 atomic_load(&s->granted_sadb));
}

uint32_t pol_obj_granted(const struct engine_session *s, const struct pol_obj *r)
{
	const struct engine *e = s->e;

	if (r->sd)
		return granted(s->token, r->sd, r->sd_len);
	return granted(s->token, e->sd_default.p, e->sd_default.len);
}

/* ---- Get and Set ------------------------------------------------------ */

struct target {
	struct sd_blob *blob;		/* the engine's or the SA database's */
	struct pol_obj *obj;		/* or an object's */
};

static const DWORD not_found[POL_NKINDS] = {
	[POL_PROVIDER] = FWP_E_PROVIDER_NOT_FOUND,
	[POL_SUBLAYER] = FWP_E_SUBLAYER_NOT_FOUND,
	[POL_FILTER] = FWP_E_FILTER_NOT_FOUND,
	[POL_CONTEXT] = FWP_E_PROVIDER_CONTEXT_NOT_FOUND,
};

/* Finds the target (engine lock held). */
static DWORD find_target(struct engine_session *s, int target, const struct pol_ref *ref,
			 struct target *t)
{
	struct engine *e = s->e;

	memset(t, 0, sizeof(*t));
	if (target == ENGINE_SD_ENGINE) {
		t->blob = &e->sd_engine;
		return ERROR_SUCCESS;
	}
	if (target == ENGINE_SD_SADB) {
		t->blob = &e->sd_sadb;
		return ERROR_SUCCESS;
	}
	t->obj = ref->by_key ? pol_find_key(e, target, ref->key) :
		 target == POL_FILTER || target == POL_CONTEXT ?
		 pol_find_id(e, target, ref->id) : NULL;
	if (!t->obj || !pol_visible(s, t->obj))
		return not_found[target];
	return ERROR_SUCCESS;
}

static void target_view(const struct engine *e, const struct target *t, struct sd_view *v)
{
	const struct sd_blob *b = t->blob ? t->blob : &e->sd_default;
	const void *p = t->obj && t->obj->sd ? t->obj->sd : b->p;
	size_t len = t->obj && t->obj->sd ? t->obj->sd_len : b->len;

	sd_parse(p, len, v);	/* stored: valid */
}

static uint32_t target_granted(struct engine_session *s, const struct target *t)
{
	if (t->obj)
		return pol_obj_granted(s, t->obj);
	if (t->blob == &s->e->sd_engine)
		return atomic_load(&s->granted_engine);
	return atomic_load(&s->granted_sadb);
}

static DWORD check_args(int target, const struct pol_ref *ref, UINT32 info)
{
	if (target != ENGINE_SD_ENGINE && target != ENGINE_SD_SADB) {
		if (target < 0 || target >= POL_NKINDS || !ref)
			return FWP_E_INVALID_PARAMETER;
		if (ref->by_key && !ref->key)
			return FWP_E_NULL_POINTER;
	}
	if (!info || (info & ~(UINT32)SD_INFO_ALL))
		return ERROR_INVALID_PARAMETER;
	return ERROR_SUCCESS;
}

/* The rights reading (write false) or changing the parts info names takes. */
static uint32_t rights_for(UINT32 info, bool write)
{
	uint32_t r = 0;

	if (info & SACL_SECURITY_INFORMATION)
		r |= ACCESS_SYSTEM_SECURITY;
	if (!write)
		return r | (info & ~(UINT32)SACL_SECURITY_INFORMATION ? READ_CONTROL : 0);
	if (info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION))
		r |= WRITE_OWNER;
	if (info & DACL_SECURITY_INFORMATION)
		r |= WRITE_DAC;
	return r;
}

static bool holds(struct engine_session *s, uint32_t have, uint32_t want)
{
	return (s->cred.rights & have & want) == want;
}

DWORD engine_sd_get(struct engine_session *s, int target, const struct pol_ref *ref,
		    UINT32 info, void **sd, size_t *len)
{
	struct engine *e = s->e;
	struct sd_view v;
	struct target t;
	DWORD rc;

	if (!sd || !len)
		return FWP_E_NULL_POINTER;
	*sd = NULL;
	rc = check_args(target, ref, info);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	rc = find_target(s, target, ref, &t);
	if (rc == ERROR_SUCCESS && !holds(s, target_granted(s, &t), rights_for(info, false)))
		rc = ERROR_ACCESS_DENIED;
	if (rc == ERROR_SUCCESS) {
		target_view(e, &t, &v);
		sd_select(&v, info);
		if (sd_build(&v, sd, len))
			rc = ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* Every part info names is in upd; a new owner is one of the caller's
 * SIDs unless the caller is root (as Windows wants SeRestorePrivilege). */
static DWORD check_update(struct engine_session *s, const struct sd_view *upd, UINT32 info)
{
	static const UINT32 bit[4] = {
		OWNER_SECURITY_INFORMATION, GROUP_SECURITY_INFORMATION,
		DACL_SECURITY_INFORMATION, SACL_SECURITY_INFORMATION,
	};

	for (int i = 0; i < 4; i++)
		if ((info & bit[i]) && !upd->part[i])
			return ERROR_INVALID_SECURITY_DESCR;
	if ((info & OWNER_SECURITY_INFORMATION) && s->token &&
	    !sd_token_is_root(s->token) && !sd_token_has_sid(s->token, upd->part[SD_OWNER]))
		return ERROR_INVALID_OWNER;
	return ERROR_SUCCESS;
}

/* The store's copy of a persistent object follows its descriptor. */
static DWORD persist(struct engine *e, struct pol_obj *r)
{
	struct pol_change c;
	int err;

	if (!e->cfg.store || !pol_is_persistent(r))
		return ERROR_SUCCESS;
	c = (struct pol_change){ .kind = r->kind, .key = &r->key, .id = r->id,
				 .enc = pol_obj_encoding(r), .sd = r->sd, .sd_len = r->sd_len };
	if (!c.enc)
		return ERROR_NOT_ENOUGH_MEMORY;
	err = e->cfg.store->write(e->cfg.store_arg, &c, 1);
	return pol_store_result(err);
}

/* The host's copy of the container descriptors follows them. */
static DWORD persist_containers(struct engine *e, const struct sd_blob *which,
				const void *p, size_t len)
{
	bool eng = which == &e->sd_engine;
	int err;

	if (!e->cfg.sd_store)
		return ERROR_SUCCESS;
	err = e->cfg.sd_store->write(e->cfg.sd_store_arg,
				     eng ? p : e->sd_engine.p, eng ? len : e->sd_engine.len,
				     eng ? e->sd_sadb.p : p, eng ? e->sd_sadb.len : len);
	return pol_store_result(err);
}

DWORD engine_sd_restore(struct engine *e, int target, const void *sd, size_t len)
{
	struct sd_blob *b = target == ENGINE_SD_ENGINE ? &e->sd_engine :
			    target == ENGINE_SD_SADB ? &e->sd_sadb : NULL;
	struct sd_view v;
	int err;

	if (!b)
		return ERROR_INVALID_PARAMETER;
	if (sd_parse(sd, len, &v) || !v.part[SD_OWNER] || !v.part[SD_GROUP] ||
	    !v.part[SD_DACL])
		return ERROR_INVALID_SECURITY_DESCR;
	pthread_mutex_lock(&e->lock);
	err = blob_set(b, sd, len);
	for (struct engine_session *it = e->sessions; it; it = it->next)
		regrant(it);
	pthread_mutex_unlock(&e->lock);
	return err ? ERROR_NOT_ENOUGH_MEMORY : ERROR_SUCCESS;
}

static DWORD replace(struct engine_session *s, struct target *t, struct sd_view *v)
{
	struct engine *e = s->e;
	void *p, *old;
	size_t len, old_len;
	DWORD rc;

	if (sd_build(v, &p, &len))
		return ERROR_NOT_ENOUGH_MEMORY;
	if (t->blob) {
		rc = persist_containers(e, t->blob, p, len);
		if (rc) {
			free(p);
			return rc;
		}
		free(t->blob->p);
		t->blob->p = p;
		t->blob->len = len;
		for (struct engine_session *it = e->sessions; it; it = it->next)
			regrant(it);
		return ERROR_SUCCESS;
	}
	old = t->obj->sd;
	old_len = t->obj->sd_len;
	t->obj->sd = p;
	t->obj->sd_len = len;
	rc = persist(e, t->obj);
	if (rc) {	/* the store refused it: nothing changes */
		t->obj->sd = old;
		t->obj->sd_len = old_len;
		old = p;
	}
	free(old);
	return rc;
}

DWORD engine_sd_set(struct engine_session *s, int target, const struct pol_ref *ref,
		    UINT32 info, const void *sd, size_t len)
{
	struct engine *e = s->e;
	struct sd_view upd, v;
	struct target t;
	DWORD rc;

	rc = check_args(target, ref, info);
	if (rc)
		return rc;
	if (!sd)
		return FWP_E_NULL_POINTER;
	if (sd_parse(sd, len, &upd))
		return ERROR_INVALID_SECURITY_DESCR;
	rc = check_update(s, &upd, info);
	if (rc)
		return rc;
	if (session_in_txn(s))
		return FWP_E_TXN_IN_PROGRESS;
	pthread_mutex_lock(&e->lock);
	/* A policy change writing to the store (lock released) finishes
	 * first: the object may be on its way out, and writes stay in order.
	 * This write is short (one record) and keeps the lock. */
	pol_store_wait(e);
	rc = find_target(s, target, ref, &t);
	if (rc == ERROR_SUCCESS && !holds(s, target_granted(s, &t), rights_for(info, true)))
		rc = ERROR_ACCESS_DENIED;
	if (rc == ERROR_SUCCESS) {
		target_view(e, &t, &v);
		sd_merge(&v, &upd, info);
		rc = replace(s, &t, &v);
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* ---- Add with a descriptor -------------------------------------------- */

/* The object's descriptor: the default with the parts sd has. */
static DWORD complete(struct engine *e, const void *sd, size_t len, struct sd_blob *out)
{
	struct sd_view v, upd;
	UINT32 info = 0;

	if (sd_parse(sd, len, &upd))
		return ERROR_INVALID_SECURITY_DESCR;
	for (int i = 0; i < 4; i++)
		if (upd.part[i])
			info |= 1u << i;	/* OWNER, GROUP, DACL, SACL: bits 0-3 */
	pthread_mutex_lock(&e->lock);
	sd_parse(e->sd_default.p, e->sd_default.len, &v);
	sd_merge(&v, &upd, info);
	if (sd_build(&v, &out->p, &out->len))
		out->p = NULL;
	pthread_mutex_unlock(&e->lock);
	return out->p ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

DWORD engine_pol_add_sd(struct engine_session *s, enum pol_kind k, const void *obj,
			const void *sd, size_t sd_len, UINT64 *id)
{
	struct sd_blob b = { NULL, 0 };
	DWORD rc;

	if (sd) {
		struct sd_view upd;

		/* The owner it names is one of the caller's (as at Set). */
		if (sd_parse(sd, sd_len, &upd))
			return ERROR_INVALID_SECURITY_DESCR;
		rc = check_update(s, &upd, upd.part[SD_OWNER] ? OWNER_SECURITY_INFORMATION : 0);
		if (!rc)
			rc = complete(s->e, sd, sd_len, &b);
		if (rc)
			return rc;
		s->add_sd = &b;
	}
	rc = engine_pol_add(s, k, obj, id);
	s->add_sd = NULL;
	free(b.p);	/* pol_insert took a copy */
	return rc;
}
