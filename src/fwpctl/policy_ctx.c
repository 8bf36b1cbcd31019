/* policy_ctx.c - sublayers and provider contexts: "sublayer list|delete
 * KEY" and "provider-context list|delete ID", the leftovers an operator
 * must be able to see and clean up (persistent ones survive fwpd). One
 * enumeration loop serves both: it collects rows into a table, or objects
 * into a JSON array. */
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "names.h"
#include "table.h"

#define PAGE 256

/* Where one listing goes: JSON objects or table rows. */
struct out {
	struct ctl *ctl;
	struct doc d;
	struct table *t;
	int status;
};

static int out_begin(struct out *o, struct ctl *ctl, const struct table_column *cols,
		     size_t ncols, const char *what)
{
	memset(o, 0, sizeof(*o));
	o->ctl = ctl;
	if (ctl->json) {
		doc_init(&o->d, stdout, true, ctl->pretty);
		doc_array_begin(&o->d, NULL);
	} else if (!(o->t = table_new(cols, ncols))) {
		return ctl_error("%s: out of memory", what);
	}
	return FWPCTL_OK;
}

static int out_end(struct out *o, const char *what)
{
	if (o->ctl->json) {
		doc_array_end(&o->d);
		if (doc_end(&o->d) && !o->status)
			o->status = ctl_error("%s: malformed output", what);
	} else {
		if (!o->status)
			table_print(o->t, stdout);
		table_free(o->t);
	}
	return o->status;
}

static void out_row(struct out *o, const char *const *cells, const char *what)
{
	if (!o->status && table_add(o->t, cells))
		o->status = ctl_error("%s: out of memory", what);
}

static const struct table_column sublayer_columns[] = {
	{ "key", false }, { "weight", true }, { "flags", false }, { "name", false },
};

static void sublayer_out(struct out *o, const FWPM_SUBLAYER0 *s)
{
	char key[64], name[256], w[8], prov[64];
	bool persistent = s->flags & FWPM_SUBLAYER_FLAG_PERSISTENT;
	const char *word = name_sublayer(&s->subLayerKey, name, sizeof(name));

	fmt_guid(&s->subLayerKey, key, sizeof(key));
	if (s->displayData.name && s->displayData.name[0])
		word = fmt_wstr(s->displayData.name, name, sizeof(name));
	else if (word == name)
		word = NULL;
	if (o->ctl->json) {
		doc_object_begin(&o->d, NULL);
		doc_str(&o->d, "key", key);
		doc_str(&o->d, "name", word ? word : "");
		doc_uint(&o->d, "weight", s->weight);
		doc_bool(&o->d, "persistent", persistent);
		if (s->providerKey)
			doc_str(&o->d, "provider", fmt_guid(s->providerKey, prov, sizeof(prov)));
		doc_object_end(&o->d);
	} else {
		const char *cells[4] = { key, w, persistent ? "persistent" : NULL, word };

		snprintf(w, sizeof(w), "%u", s->weight);
		out_row(o, cells, "sublayer list");
	}
}

int sublayer_list(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine, eh;
	FWPM_SUBLAYER0 **v;
	struct out o;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("sublayer list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmSubLayerCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating sublayers");
	status = out_begin(&o, ctl, sublayer_columns, 4, "sublayer list");
	if (status) {
		FwpmSubLayerDestroyEnumHandle0(engine, eh);
		return status;
	}
	do {
		rc = FwpmSubLayerEnum0(engine, eh, PAGE, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		for (UINT32 i = 0; i < n; i++)
			sublayer_out(&o, v[i]);
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !o.status);
	FwpmSubLayerDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS && !o.status)
		o.status = ctl_fail(rc, "enumerating sublayers");
	return out_end(&o, "sublayer list");
}

int sublayer_delete(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	GUID key;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("sublayer delete: missing KEY");
	if (argc > 1)
		return ctl_usage("sublayer delete: unexpected argument '%s'", argv[1]);
	if (ctl_parse_guid(argv[0], &key))
		return ctl_usage("sublayer delete: '%s' is not a GUID", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmSubLayerDeleteByKey0(engine, &key);
	if (rc == FWP_E_IN_USE)
		return ctl_fail(rc, "sublayer %s: filters still use it (delete them first)",
				argv[0]);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "deleting sublayer %s", argv[0]);
	return FWPCTL_OK;
}

static const struct table_column pc_columns[] = {
	{ "id", true }, { "key", false }, { "type", false }, { "flags", false },
	{ "name", false },
};

static void pc_out(struct out *o, const FWPM_PROVIDER_CONTEXT1 *c)
{
	char id[24], key[64], name[256], type[24], prov[64];
	bool persistent = c->flags & FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT;
	const char *tw = name_provider_context_type(c->type);

	snprintf(id, sizeof(id), "%llu", (unsigned long long)c->providerContextId);
	fmt_guid(&c->providerContextKey, key, sizeof(key));
	if (!tw) {
		snprintf(type, sizeof(type), "unknown-%u", (unsigned)c->type);
		tw = type;
	}
	if (c->displayData.name)
		fmt_wstr(c->displayData.name, name, sizeof(name));
	if (o->ctl->json) {
		doc_object_begin(&o->d, NULL);
		doc_uint(&o->d, "id", c->providerContextId);
		doc_str(&o->d, "key", key);
		doc_str(&o->d, "type", tw);
		doc_str(&o->d, "name", c->displayData.name ? name : "");
		doc_bool(&o->d, "persistent", persistent);
		if (c->providerKey)
			doc_str(&o->d, "provider", fmt_guid(c->providerKey, prov, sizeof(prov)));
		doc_object_end(&o->d);
	} else {
		const char *cells[5] = { id, key, tw, persistent ? "persistent" : NULL,
					 c->displayData.name ? name : NULL };

		out_row(o, cells, "provider-context list");
	}
}

int provider_context_list(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine, eh;
	FWPM_PROVIDER_CONTEXT1 **v;
	struct out o;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("provider-context list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmProviderContextCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating provider contexts");
	status = out_begin(&o, ctl, pc_columns, 5, "provider-context list");
	if (status) {
		FwpmProviderContextDestroyEnumHandle0(engine, eh);
		return status;
	}
	do {
		rc = FwpmProviderContextEnum1(engine, eh, PAGE, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		for (UINT32 i = 0; i < n; i++)
			pc_out(&o, v[i]);
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !o.status);
	FwpmProviderContextDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS && !o.status)
		o.status = ctl_fail(rc, "enumerating provider contexts");
	return out_end(&o, "provider-context list");
}

/* By runtime id, or by key when the argument is a GUID. */
int provider_context_delete(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	UINT64 id = 0;
	GUID key;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("provider-context delete: missing ID or KEY");
	if (argc > 1)
		return ctl_usage("provider-context delete: unexpected argument '%s'", argv[1]);
	if (ctl_parse_id(argv[0], &id) && ctl_parse_guid(argv[0], &key))
		return ctl_usage("provider-context delete: '%s' is neither an id nor a GUID",
				 argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = id ? FwpmProviderContextDeleteById0(engine, id) :
		  FwpmProviderContextDeleteByKey0(engine, &key);
	if (rc == FWP_E_IN_USE)
		return ctl_fail(rc, "provider context %s: filters or SA contexts still "
				"use it (delete them first)", argv[0]);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "deleting provider context %s", argv[0]);
	return FWPCTL_OK;
}
