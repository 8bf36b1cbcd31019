/* policy.c - the policy-object tables (see policy.h), providers, sublayers,
 * and what every kind shares: delete, get, enumeration, the dynamic-session
 * clean-up.
 *
 * Each call validates its arguments, then, under the engine lock, the
 * references, rights and transaction, and only then changes anything: a
 * failed call changes nothing. Transactions: a read-only one refuses every
 * change (FWP_E_INCOMPATIBLE_TXN); inside a read/write one changes apply at
 * once, and FwpmTransactionAbort0 does not undo them yet.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "engine/engine_internal.h"
#include "policy/classify.h"
#include "wire/codec.h"

const struct wf_struct *const pol_schema[POL_NKINDS] = {
	[POL_PROVIDER] = &wf_FWPM_PROVIDER0,
	[POL_SUBLAYER] = &wf_FWPM_SUBLAYER0,
	[POL_FILTER] = &wf_FWPM_FILTER0,
	[POL_CONTEXT] = &wf_FWPM_PROVIDER_CONTEXT1,
};

static const DWORD not_found[POL_NKINDS] = {
	[POL_PROVIDER] = FWP_E_PROVIDER_NOT_FOUND,
	[POL_SUBLAYER] = FWP_E_SUBLAYER_NOT_FOUND,
	[POL_FILTER] = FWP_E_FILTER_NOT_FOUND,
	[POL_CONTEXT] = FWP_E_PROVIDER_CONTEXT_NOT_FOUND,
};

bool pol_guid_is_zero(const GUID *g)
{
	static const GUID zero;

	return memcmp(g, &zero, sizeof(zero)) == 0;
}

static uint64_t pol_key_hash(const GUID *g)
{
	uint64_t a, b;

	memcpy(&a, g, 8);
	memcpy(&b, (const char *)g + 8, 8);
	return a ^ (b * 0x9E3779B97F4A7C15ull);
}

/* ---- records and tables ---- */

struct pol_obj *pol_obj_new(enum pol_kind k)
{
	struct pol_obj *r = calloc(1, sizeof(*r));

	if (r)
		r->kind = k;
	return r;
}

void pol_obj_free(struct pol_obj *r)
{
	if (!r)
		return;
	wf_free_secret(r->blob, r->size);
	if (r->enc)	/* a provider context's encoding may hold a key */
		explicit_bzero(r->enc, r->enc->nlmsg_len);
	free(r->enc);
	free(r->sd);
	free(r);
}

struct pol_obj *pol_find_key(struct engine *e, enum pol_kind k, const GUID *key)
{
	struct idmap_node *n = idmap_find(&e->pol.t[k].by_key, pol_key_hash(key));
	struct pol_obj *r;

	for (r = n ? idmap_entry(n, struct pol_obj, by_key) : NULL; r; r = r->same_hash)
		if (memcmp(&r->key, key, sizeof(*key)) == 0)
			return r;
	return NULL;
}

struct pol_obj *pol_find_id(struct engine *e, enum pol_kind k, uint64_t id)
{
	struct idmap_node *n = idmap_find(&e->pol.by_id, id);
	struct pol_obj *r = n ? idmap_entry(n, struct pol_obj, by_id) : NULL;

	return r && r->kind == k ? r : NULL;
}

void pol_link(struct engine *e, struct pol_obj *r)
{
	struct pol_table *t = &e->pol.t[r->kind];
	uint64_t h = pol_key_hash(&r->key);
	struct idmap_node *n = idmap_find(&t->by_key, h);

	if (n) {
		struct pol_obj *head = idmap_entry(n, struct pol_obj, by_key);

		r->same_hash = head->same_hash;
		head->same_hash = r;
	} else {
		idmap_insert(&t->by_key, &r->by_key, h);
	}
	idmap_insert(&e->pol.by_id, &r->by_id, r->id);
	r->next = NULL;		/* a record relinked by an abort had one */
	r->prev = t->last;
	if (t->last)
		t->last->next = r;
	else
		t->first = r;
	t->last = r;
	t->n++;
	pol_classify_add(e, r);
	if (r->provider)
		r->provider->refs++;
	if (r->sublayer)
		r->sublayer->refs++;
	if (r->context)
		r->context->refs++;
}

void pol_unlink(struct engine *e, struct pol_obj *r)
{
	struct pol_table *t = &e->pol.t[r->kind];
	uint64_t h = pol_key_hash(&r->key);
	struct pol_obj *head = idmap_entry(idmap_find(&t->by_key, h), struct pol_obj, by_key);

	if (head == r) {
		idmap_remove(&t->by_key, &r->by_key);
		if (r->same_hash)
			idmap_insert(&t->by_key, &r->same_hash->by_key, h);
	} else {
		struct pol_obj *p = head;

		while (p->same_hash != r)
			p = p->same_hash;
		p->same_hash = r->same_hash;
	}
	r->same_hash = NULL;
	idmap_remove(&e->pol.by_id, &r->by_id);
	if (r->prev)
		r->prev->next = r->next;
	else
		t->first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		t->last = r->prev;
	t->n--;
	pol_classify_remove(e, r);
	if (r->provider)
		r->provider->refs--;
	if (r->sublayer)
		r->sublayer->refs--;
	if (r->context)
		r->context->refs--;
}

/* The record's wire encoding, made once: an SA context's export decodes
 * it into its own block (transportFilter) without a second deep copy. */
const struct nlattr *pol_obj_encoding(struct pol_obj *r)
{
	size_t cap;

	if (!r->enc && wf_encode(pol_schema[r->kind], r->blob, &r->enc, &cap))
		return NULL;
	return mnl_nlmsg_get_payload(r->enc);
}

DWORD pol_check_lifetime(const struct engine_session *s, const struct pol_obj *r,
			 const struct pol_obj *ref)
{
	if (!(s->cred.rights & pol_obj_granted(s, ref) & FWPM_ACTRL_ADD_LINK))
		return ERROR_ACCESS_DENIED;	/* ADD_LINK on what it references */
	if (ref->dyn_owner && ref->dyn_owner != s)
		return FWP_E_LIFETIME_MISMATCH;
	if (pol_is_persistent(r) && !ref->builtin && !pol_is_persistent(ref))
		return FWP_E_LIFETIME_MISMATCH;
	return ERROR_SUCCESS;
}

/* ---- built-in sublayers ---- */

struct builtin_sublayer {
	const GUID *key;
	const wchar_t *name;
	UINT16 weight;	/* Windows' values are not documented; ours */
};

static const struct builtin_sublayer builtin_sublayers[] = {
	{ &FWPM_SUBLAYER_RPC_AUDIT, L"RPC Audit Sublayer", 0x7000 },
	{ &FWPM_SUBLAYER_IPSEC_TUNNEL, L"IPsec Tunnel Sublayer", 0x6000 },
	{ &FWPM_SUBLAYER_UNIVERSAL, L"Universal Sublayer", 0x8000 },
	{ &FWPM_SUBLAYER_LIPS, L"LIPS Sublayer", 0x5000 },
	{ &FWPM_SUBLAYER_SECURE_SOCKET, L"Secure Socket Sublayer", 0x4000 },
	{ &FWPM_SUBLAYER_TCP_CHIMNEY_OFFLOAD, L"TCP Chimney Offload Sublayer", 0x3000 },
	{ &FWPM_SUBLAYER_INSPECTION, L"Inspection Sublayer", 0x0000 },
	{ &FWPM_SUBLAYER_TEREDO, L"Edge Traversal Sublayer", 0xFFFE },
	{ &FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL,
	  L"IPsec Forward Outbound Tunnel Sublayer", 0x6100 },
	{ &FWPM_SUBLAYER_IPSEC_DOSP, L"IPsec DoS Protection Sublayer", 0x6200 },
	{ &FWPM_SUBLAYER_TCP_TEMPLATES, L"TCP Templates Sublayer", 0x2000 },
	{ &FWPM_SUBLAYER_IPSEC_SECURITY_REALM, L"IPsec Security Realm Sublayer", 0x6300 },
	{ &FWPM_SUBLAYER_MPSSVC_WSH, L"Windows Service Hardening Sublayer", 0xFFFF },
	{ &FWPM_SUBLAYER_MPSSVC_WF, L"Windows Firewall Sublayer", 0x1000 },
	{ &FWPM_SUBLAYER_MPSSVC_QUARANTINE, L"Quarantine Sublayer", 0x1100 },
	{ &FWPM_SUBLAYER_MPSSVC_EDP, L"EDP Sublayer", 0x1200 },
	{ &FWPM_SUBLAYER_MPSSVC_TENANT_RESTRICTIONS, L"Tenant Restrictions Sublayer", 0x1300 },
	{ &FWPM_SUBLAYER_MPSSVC_APP_ISOLATION, L"App Isolation Sublayer", 0x1400 },
};

int policy_init(struct engine *e)
{
	struct policy *p = &e->pol;
	size_t i;

	if (idmap_init(&p->by_id, 256))
		return -ENOMEM;
	for (i = 0; i < POL_NKINDS; i++) {
		if (idmap_init(&p->t[i].by_key, 64))
			goto fail;
	}
	p->next_id = POLICY_FIRST_ID;
	for (i = 0; i < sizeof(builtin_sublayers) / sizeof(builtin_sublayers[0]); i++) {
		const struct builtin_sublayer *b = &builtin_sublayers[i];
		FWPM_SUBLAYER0 sl = {
			.subLayerKey = *b->key,
			.displayData.name = (wchar_t *)b->name,
			.weight = b->weight,
		};
		struct pol_obj *r = pol_obj_new(POL_SUBLAYER);

		if (!r || wf_clone(&wf_FWPM_SUBLAYER0, &sl, &r->blob, &r->size)) {
			pol_obj_free(r);
			goto fail;
		}
		r->key = *b->key;
		r->id = i + 1;	/* below POLICY_FIRST_ID */
		r->builtin = true;
		pol_link(e, r);
	}
	if (pol_snap_init(e))
		goto fail;
	return 0;
fail:
	policy_fini(e);
	return -ENOMEM;
}

void policy_fini(struct engine *e)
{
	static const enum pol_kind order[] = { POL_FILTER, POL_CONTEXT, POL_SUBLAYER,
					       POL_PROVIDER };

	e->pol.log = NULL;	/* nothing is published any more */
	for (size_t i = 0; i < POL_NKINDS; i++) {
		struct pol_table *t = &e->pol.t[order[i]];

		while (t->first) {
			struct pol_obj *r = t->first;

			if (t->by_key.buckets)
				pol_unlink(e, r);
			else
				t->first = r->next;
			pol_obj_free(r);
		}
		idmap_free(&t->by_key);
	}
	idmap_free(&e->pol.by_id);
	pol_snap_fini(e);
}

/* ---- providers and sublayers ---- */

/* What a provider or a sublayer add has in common: the checks, a key
 * drawn when zero, the clone, the duplicate check, and (sublayers) the
 * link to a provider. */
struct keyed_add {
	enum pol_kind kind;
	const struct wf_struct *schema;
	void *copy;			/* the caller's struct, copied */
	GUID *key;			/* inside copy; drawn when zero */
	const wchar_t *name;
	UINT32 flags, flags_ok;
	const FWP_BYTE_BLOB *data;
	const GUID *provider_key;	/* may be NULL */
};

static DWORD keyed_add(struct engine_session *s, const struct keyed_add *a)
{
	struct engine *e = s->e;
	struct pol_obj *r;
	DWORD rc;

	if (!a->name)
		return FWP_E_NULL_DISPLAY_NAME;
	if (a->flags & ~a->flags_ok)
		return FWP_E_INVALID_FLAGS;
	if (a->data->size && !a->data->data)
		return FWP_E_NULL_POINTER;
	r = pol_obj_new(a->kind);
	if (!r)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (pol_guid_is_zero(a->key))
		fwp_random_bytes(a->key, sizeof(*a->key));
	if (wf_clone(a->schema, a->copy, &r->blob, &r->size)) {
		pol_obj_free(r);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r->key = *a->key;
	rc = pol_lock_for_write(s, FWPM_ACTRL_ADD);
	if (rc) {
		pol_obj_free(r);
		return rc;
	}
	if (pol_find_key(e, a->kind, &r->key)) {
		rc = FWP_E_ALREADY_EXISTS;
		goto out;
	}
	if (a->provider_key) {
		r->provider = pol_find_key(e, POL_PROVIDER, a->provider_key);
		if (!r->provider) {
			rc = FWP_E_PROVIDER_NOT_FOUND;
			goto out;
		}
		rc = pol_check_lifetime(s, r, r->provider);
		if (rc)
			goto out;
	}
	rc = pol_insert(s, r);
	if (rc == ERROR_SUCCESS)
		r = NULL;
	else
		r->provider = NULL;
out:
	pthread_mutex_unlock(&e->lock);
	pol_obj_free(r);
	return rc;
}

static DWORD provider_add(struct engine_session *s, const FWPM_PROVIDER0 *p)
{
	FWPM_PROVIDER0 copy;

	if (!p)
		return FWP_E_NULL_POINTER;
	copy = *p;
	return keyed_add(s, &(struct keyed_add){
		.kind = POL_PROVIDER, .schema = &wf_FWPM_PROVIDER0,
		.copy = &copy, .key = &copy.providerKey,
		.name = p->displayData.name, .flags = p->flags,
		.flags_ok = FWPM_PROVIDER_FLAG_PERSISTENT, .data = &p->providerData,
	});
}

static DWORD sublayer_add(struct engine_session *s, const FWPM_SUBLAYER0 *sl)
{
	FWPM_SUBLAYER0 copy;

	if (!sl)
		return FWP_E_NULL_POINTER;
	copy = *sl;
	return keyed_add(s, &(struct keyed_add){
		.kind = POL_SUBLAYER, .schema = &wf_FWPM_SUBLAYER0,
		.copy = &copy, .key = &copy.subLayerKey,
		.name = sl->displayData.name, .flags = sl->flags,
		.flags_ok = FWPM_SUBLAYER_FLAG_PERSISTENT, .data = &sl->providerData,
		.provider_key = sl->providerKey,
	});
}

DWORD engine_pol_add(struct engine_session *s, enum pol_kind k, const void *obj,
		     UINT64 *id)
{
	switch (k) {
	case POL_PROVIDER:
		return provider_add(s, obj);
	case POL_SUBLAYER:
		return sublayer_add(s, obj);
	case POL_FILTER:
		return pol_filter_add(s, obj, id);
	case POL_CONTEXT:
		return pol_context_add(s, obj, id);
	default:
		return FWP_E_INVALID_PARAMETER;
	}
}

/* ---- what every kind shares ---- */

static DWORD lookup(struct engine_session *s, enum pol_kind k, const struct pol_ref *ref,
		    struct pol_obj **out)
{
	struct engine *e = s->e;

	if (ref->by_key)
		*out = pol_find_key(e, k, ref->key);
	else if (k == POL_FILTER || k == POL_CONTEXT)
		*out = pol_find_id(e, k, ref->id);
	else
		*out = NULL;
	if (*out && !pol_visible(s, *out))
		*out = NULL;
	return *out ? ERROR_SUCCESS : not_found[k];
}

static DWORD check_ref(enum pol_kind k, const struct pol_ref *ref)
{
	if ((unsigned)k >= POL_NKINDS || !ref)
		return FWP_E_INVALID_PARAMETER;
	if (ref->by_key && !ref->key)
		return FWP_E_NULL_POINTER;
	return ERROR_SUCCESS;
}

static void pol_delete(struct engine *e, struct pol_obj *r)
{
	pol_notify(e, r, FWPM_CHANGE_DELETE);
	pol_unlink(e, r);
	pol_obj_free(r);
}

DWORD engine_pol_delete(struct engine_session *s, enum pol_kind k,
			const struct pol_ref *ref)
{
	struct engine *e = s->e;
	struct pol_obj *r;
	DWORD rc = check_ref(k, ref);

	if (rc)
		return rc;
	rc = pol_lock_for_write(s, 0);
	if (rc)
		return rc;
	rc = lookup(s, k, ref, &r);
	if (rc)
		goto out;
	if (!(s->cred.rights & pol_obj_granted(s, r) & DELETE)) {
		rc = ERROR_ACCESS_DENIED;	/* the object's own descriptor */
		goto out;
	}
	if (r->builtin) {
		rc = FWP_E_BUILTIN_OBJECT;
		goto out;
	}
	if (s->flags & FWPM_SESSION_FLAG_DYNAMIC && r->dyn_owner != s) {
		rc = r->dyn_owner ? FWP_E_WRONG_SESSION : FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
		goto out;
	}
	if (r->refs) {
		rc = FWP_E_IN_USE;
		goto out;
	}
	rc = pol_remove(s, r);
out:
	pthread_mutex_unlock(&e->lock);
	return rc;
}

DWORD engine_pol_get(struct engine_session *s, enum pol_kind k,
		     const struct pol_ref *ref, void **out)
{
	struct engine *e = s->e;
	struct pol_obj *r;
	DWORD rc = check_ref(k, ref);

	if (rc)
		return rc;
	if (!out)
		return FWP_E_NULL_POINTER;
	pthread_mutex_lock(&e->lock);
	rc = lookup(s, k, ref, &r);
	if (rc == ERROR_SUCCESS && !(s->cred.rights & pol_obj_granted(s, r) & FWPM_ACTRL_READ))
		rc = ERROR_ACCESS_DENIED;	/* the object's own descriptor */
	if (rc == ERROR_SUCCESS && wf_clone(pol_schema[k], r->blob, out, NULL))
		rc = ERROR_NOT_ENOUGH_MEMORY;
	pthread_mutex_unlock(&e->lock);
	if (rc == ERROR_SUCCESS && k == POL_CONTEXT)
		pol_context_redact(*out);
	return rc;
}

void policy_session_closed(struct engine *e, struct engine_session *s)
{
	static const enum pol_kind order[] = { POL_FILTER, POL_CONTEXT, POL_SUBLAYER,
					       POL_PROVIDER };

	if (!(s->flags & FWPM_SESSION_FLAG_DYNAMIC))
		return;
	for (size_t i = 0; i < POL_NKINDS; i++) {
		struct pol_obj *r = e->pol.t[order[i]].first, *next;

		for (; r; r = next) {
			next = r->next;
			if (r->dyn_owner != s)
				continue;
			/* The lifetime rule keeps others from referencing a
			 * dynamic object; should one still do, the object
			 * outlives its session rather than dangle. */
			if (r->refs)
				r->dyn_owner = NULL;
			else
				pol_delete(e, r);
		}
	}
	pol_snap_publish(e);
}

/* ---- enumeration ---- */

static bool provider_is(const struct pol_obj *r, const GUID *key)
{
	return r->provider && memcmp(&r->provider->key, key, sizeof(*key)) == 0;
}

bool pol_tmpl_match(const struct pol_tmpl *t, const struct pol_obj *r)
{
	if (t->provider_key && !provider_is(r, t->provider_key))
		return false;
	if (t->has_ctx_type &&
	    ((const FWPM_PROVIDER_CONTEXT1 *)r->blob)->type != t->ctx_type)
		return false;
	if (t->filter && !pol_filter_template_match(t->filter, r))
		return false;
	return true;
}

DWORD pol_tmpl_compile(enum pol_kind k, const void *tmpl, struct pol_tmpl *t)
{
	DWORD rc;

	*t = (struct pol_tmpl){ .kind = k };
	switch (k) {
	case POL_SUBLAYER:
		t->provider_key = ((const FWPM_SUBLAYER_ENUM_TEMPLATE0 *)tmpl)->providerKey;
		return ERROR_SUCCESS;
	case POL_CONTEXT: {
		const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *ct = tmpl;

		if ((UINT32)ct->providerContextType >= FWPM_PROVIDER_CONTEXT_TYPE_MAX)
			return FWP_E_INVALID_ENUMERATOR;
		t->provider_key = ct->providerKey;
		t->has_ctx_type = true;
		t->ctx_type = ct->providerContextType;
		return ERROR_SUCCESS;
	}
	case POL_FILTER:
		rc = pol_filter_template_check(tmpl);
		if (rc)
			return rc;
		t->filter = tmpl;
		t->provider_key = t->filter->providerKey;
		return ERROR_SUCCESS;
	default:	/* providers: the template holds nothing */
		return ERROR_SUCCESS;
	}
}

DWORD engine_pol_enum_create(struct engine_session *s, enum pol_kind k,
			     const void *tmpl, uint64_t *handle)
{
	struct engine *e = s->e;
	struct pol_tmpl t = { .kind = k };
	struct enum_snapshot *sn;
	struct pol_obj *r;
	DWORD rc;

	if ((unsigned)k >= POL_NKINDS)
		return FWP_E_INVALID_PARAMETER;
	if (!handle)
		return FWP_E_NULL_POINTER;
	if (tmpl) {
		rc = pol_tmpl_compile(k, tmpl, &t);
		if (rc)
			return rc;
	}
	rc = session_check(s, FWPM_ACTRL_ENUM | FWPM_ACTRL_READ);
	if (rc)
		return rc;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return ERROR_NOT_ENOUGH_MEMORY;
	sn->kind = ENUM_POLICY;
	sn->pol_kind = k;
	pthread_mutex_lock(&e->lock);
	if (e->pol.t[k].n) {
		sn->ids = malloc(e->pol.t[k].n * sizeof(*sn->ids));
		if (!sn->ids) {
			pthread_mutex_unlock(&e->lock);
			free(sn);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	for (r = e->pol.t[k].first; r; r = r->next)
		if (pol_tmpl_match(&t, r) && pol_visible(s, r) &&
		    (pol_obj_granted(s, r) & FWPM_ACTRL_READ))	/* hidden otherwise */
			sn->ids[sn->n++] = r->id;
	sn->handle = e->next_handle++;
	sn->next = s->enums;
	s->enums = sn;
	*handle = sn->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

static struct enum_snapshot *find_snap(struct engine_session *s, uint64_t h,
				       enum pol_kind k, struct enum_snapshot ***link)
{
	struct enum_snapshot **pp;

	for (pp = &s->enums; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == h && (*pp)->kind == ENUM_POLICY &&
		    (*pp)->pol_kind == (int)k) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

DWORD engine_pol_enum(struct engine_session *s, enum pol_kind k, uint64_t handle,
		      UINT32 want, void ***entries, UINT32 *returned)
{
	struct engine *e = s->e;
	struct enum_snapshot *sn;
	const void **v = NULL;
	size_t n = 0, cap;
	DWORD rc = ERROR_SUCCESS;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	pthread_mutex_lock(&e->lock);
	sn = find_snap(s, handle, k, NULL);
	if (!sn) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	cap = sn->n - sn->pos < want ? sn->n - sn->pos : want;
	if (cap) {
		v = malloc(cap * sizeof(*v));
		if (!v) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	while (n < cap && sn->pos < sn->n) {
		struct idmap_node *node = idmap_find(&e->pol.by_id, sn->ids[sn->pos++]);

		if (node)	/* ids are never reused: same kind, same object */
			v[n++] = idmap_entry(node, struct pol_obj, by_id)->blob;
	}
	*entries = NULL;
	if (n && wf_clone_array(pol_schema[k], v, n, entries)) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	for (size_t i = 0; k == POL_CONTEXT && i < n; i++)
		pol_context_redact(((FWPM_PROVIDER_CONTEXT1 **)*entries)[i]);
	*returned = (UINT32)n;
out:
	pthread_mutex_unlock(&e->lock);
	free(v);
	return rc;
}

DWORD engine_pol_enum_destroy(struct engine_session *s, enum pol_kind k,
			      uint64_t handle)
{
	struct enum_snapshot *sn, **link;
	DWORD rc = ERROR_SUCCESS;

	pthread_mutex_lock(&s->e->lock);
	sn = find_snap(s, handle, k, &link);
	if (sn) {
		*link = sn->next;
		free(sn->ids);
		free(sn);
	} else {
		rc = ERROR_INVALID_HANDLE;
	}
	pthread_mutex_unlock(&s->e->lock);
	return rc;
}
