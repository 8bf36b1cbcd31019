/* pol_store.c - see pol_store.h. The objects are kept as their wire
 * encoding (one schema for the socket and the disk), keyed by GUID. An
 * object with a security descriptor of its own has it appended to the
 * record as a second attribute (type POL_RECORD_SD, the self-relative
 * descriptor), so the store's schema is unchanged and a record without
 * one is what earlier versions wrote (docs/ARCHITECTURE.md). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "engine/policy_kind.h"
#include "policy/pol_store.h"
#include "policy/store.h"

struct pol_store {
	struct store *st;
};

static const enum store_kind store_kind_of[POL_NKINDS] = {
	[POL_PROVIDER] = STORE_PROVIDER,
	[POL_SUBLAYER] = STORE_SUBLAYER,
	[POL_FILTER] = STORE_FILTER,
	[POL_CONTEXT] = STORE_PROVIDER_CONTEXT,
};

static int pol_kind_of(enum store_kind k)
{
	for (int i = 0; i < POL_NKINDS; i++)
		if (store_kind_of[i] == k)
			return i;
	return -1;
}

/* The object's encoding, then its descriptor if it has its own. */
static int put_record(struct pol_store *ps, enum store_kind k, const struct pol_change *c)
{
	size_t head = MNL_ALIGN(c->enc->nla_len), len;
	struct nlattr *sd;
	uint8_t *rec;
	int err;

	if (!c->sd)
		return store_put(ps->st, k, (const uint8_t *)c->key, c->id, c->enc,
				 c->enc->nla_len);
	len = head + MNL_ALIGN(MNL_ATTR_HDRLEN + c->sd_len);
	rec = calloc(1, len);
	if (!rec)
		return -ENOMEM;
	memcpy(rec, c->enc, c->enc->nla_len);
	sd = (struct nlattr *)(rec + head);
	sd->nla_type = POL_RECORD_SD;
	sd->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + c->sd_len);
	memcpy(mnl_attr_get_payload(sd), c->sd, c->sd_len);
	err = store_put(ps->st, k, (const uint8_t *)c->key, c->id, rec, len);
	free(rec);
	return err;
}

static int write_batch(void *arg, const struct pol_change *v, size_t n)
{
	struct pol_store *ps = arg;
	int err = store_begin(ps->st);

	for (size_t i = 0; i < n && !err; i++) {
		const struct pol_change *c = &v[i];
		enum store_kind k = store_kind_of[c->kind];

		if (c->enc)
			err = put_record(ps, k, c);
		else if ((err = store_delete(ps->st, k, (const uint8_t *)c->key)) == -ENOENT)
			err = 0;
	}
	if (err) {
		store_abort(ps->st);
		return err;
	}
	return store_commit(ps->st);
}

const struct pol_store_ops pol_store_ops = { .write = write_batch };

int pol_store_open(const char *path, struct pol_store **out)
{
	struct pol_store *ps = calloc(1, sizeof(*ps));
	int err;

	if (!ps)
		return -ENOMEM;
	err = store_open(path, &ps->st);
	if (err < 0) {
		free(ps);
		return err;
	}
	if (err == STORE_OPEN_RECOVERED)
		fwp_log(FWP_LOG_WARN, "%s was damaged: moved to %s, starting empty",
			path, store_corrupt_path(ps->st));
	*out = ps;
	return 0;
}

void pol_store_close(struct pol_store *ps)
{
	if (!ps)
		return;
	store_close(ps->st);
	free(ps);
}

struct restore {
	struct engine *e;
	size_t restored, skipped;
};

static int restore_one(void *arg, enum store_kind kind, const uint8_t key[STORE_KEY_LEN],
		       uint64_t id, const void *blob, size_t len)
{
	struct restore *r = arg;
	int k = pol_kind_of(kind);
	DWORD rc = k < 0 ? ERROR_INVALID_DATA : engine_pol_restore(r->e, k, id, blob, len);

	if (rc) {
		fwp_log(FWP_LOG_WARN, "persistent object %llu (kind %d) not restored: 0x%08x",
			(unsigned long long)id, (int)kind, rc);
		r->skipped++;
	} else {
		r->restored++;
	}
	return 0;
}

int pol_store_restore(struct pol_store *ps, struct engine *e, size_t *restored,
		      size_t *skipped)
{
	struct restore r = { .e = e };
	uint64_t max_id = 0;
	int err = store_load(ps->st, restore_one, &r);

	if (!err)
		err = store_max_id(ps->st, &max_id);
	if (!err)
		engine_pol_reserve_ids(e, max_id);
	engine_pol_publish(e);	/* what was restored, also after an error */
	if (restored)
		*restored = r.restored;
	if (skipped)
		*skipped = r.skipped;
	return err;
}
