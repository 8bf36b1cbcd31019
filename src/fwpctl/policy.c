/* policy.c - filters and providers: "filter list|show ID|delete ID",
 * "provider list|delete KEY", through FwpmFilter* and FwpmProvider*,
 * printed with table.h and doc.h as sa.c does; GUIDs as names (names.h).
 * Sublayers and provider contexts are in policy_ctx.c. */
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "names.h"
#include "table.h"

#define PAGE 256

static const char *layer_name(const GUID *k, char *buf, size_t len)
{
	return name_layer(k, buf, len);
}

static const char *action_name(UINT32 a)
{
	switch (a) {
	case FWP_ACTION_BLOCK:
		return "block";
	case FWP_ACTION_PERMIT:
		return "permit";
	case FWP_ACTION_CALLOUT_TERMINATING:
		return "callout-terminating";
	case FWP_ACTION_CALLOUT_INSPECTION:
		return "callout-inspection";
	case FWP_ACTION_CALLOUT_UNKNOWN:
		return "callout-unknown";
	default:
		return "other";
	}
}

static UINT64 weight_of(const FWPM_FILTER0 *f)
{
	return f->effectiveWeight.type == FWP_UINT64 && f->effectiveWeight.uint64 ?
	       *f->effectiveWeight.uint64 : 0;
}

static void condition_doc(struct doc *d, const FWPM_FILTER_CONDITION0 *c)
{
	char field[64], value[128];
	const char *match = name_match(c->matchType);

	doc_object_begin(d, NULL);
	doc_str(d, "field", name_condition_field(&c->fieldKey, field, sizeof(field)));
	if (match)
		doc_str(d, "match", match);
	else
		doc_uint(d, "match", c->matchType);
	doc_str(d, "value", name_condition_value(&c->conditionValue, value, sizeof(value)));
	doc_object_end(d);
}

/* The sublayer's word, else its display name from the engine, else the
 * GUID. */
static const char *sublayer_word(HANDLE engine, const GUID *k, char *buf, size_t len)
{
	FWPM_SUBLAYER0 *sl = NULL;
	const char *w = name_sublayer(k, buf, len);

	if (w != buf || !engine)
		return w;
	if (FwpmSubLayerGetByKey0(engine, k, &sl) == ERROR_SUCCESS && sl &&
	    sl->displayData.name && sl->displayData.name[0])
		fmt_wstr(sl->displayData.name, buf, len);
	FwpmFreeMemory0((void **)&sl);
	return buf;
}

/* engine NULL: names known without asking it (list). */
static void filter_doc(struct doc *d, HANDLE engine, const FWPM_FILTER0 *f)
{
	char buf[256];

	doc_object_begin(d, NULL);
	doc_uint(d, "id", f->filterId);
	doc_str(d, "key", fmt_guid(&f->filterKey, buf, sizeof(buf)));
	doc_str(d, "name", f->displayData.name ?
		fmt_wstr(f->displayData.name, buf, sizeof(buf)) : "");
	doc_str(d, "layer", layer_name(&f->layerKey, buf, sizeof(buf)));
	doc_str(d, "sublayer", fmt_guid(&f->subLayerKey, buf, sizeof(buf)));
	if (engine)
		doc_str(d, "sublayer_name", sublayer_word(engine, &f->subLayerKey, buf, sizeof(buf)));
	doc_str(d, "action", action_name(f->action.type));
	if (f->action.type & FWP_ACTION_FLAG_CALLOUT) {
		doc_str(d, "callout", fmt_guid(&f->action.calloutKey, buf, sizeof(buf)));
		doc_str(d, "callout_name", name_callout(&f->action.calloutKey, buf, sizeof(buf)));
	}
	doc_hex32(d, "flags", f->flags);
	doc_u64(d, "effective_weight", weight_of(f));
	doc_uint(d, "conditions", f->numFilterConditions);
	if (engine && f->filterCondition) {
		doc_array_begin(d, "condition");
		for (UINT32 i = 0; i < f->numFilterConditions; i++)
			condition_doc(d, &f->filterCondition[i]);
		doc_array_end(d);
	}
	if (f->providerKey)
		doc_str(d, "provider", fmt_guid(f->providerKey, buf, sizeof(buf)));
	if (f->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
		doc_str(d, "provider_context", fmt_guid(&f->providerContextKey, buf, sizeof(buf)));
	doc_object_end(d);
}

static const struct table_column filter_columns[] = {
	{ "id", true }, { "layer", false }, { "action", false }, { "weight", true },
	{ "conds", true }, { "name", false },
};

int filter_list(struct ctl *ctl, int argc, char **argv)
{
	struct table *t = NULL;
	struct doc d;
	HANDLE engine, eh;
	FWPM_FILTER0 **v;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("filter list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmFilterCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating filters");
	if (ctl->json) {
		doc_init(&d, stdout, true, ctl->pretty);
		doc_array_begin(&d, NULL);
	} else if (!(t = table_new(filter_columns, 6))) {
		FwpmFilterDestroyEnumHandle0(engine, eh);
		return ctl_error("filter list: out of memory");
	}
	do {
		rc = FwpmFilterEnum0(engine, eh, PAGE, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		for (UINT32 i = 0; i < n && !status; i++) {
			char id[24], w[24], c[16], lb[64], name[256];
			const char *cells[6];

			if (ctl->json) {
				filter_doc(&d, NULL, v[i]);
				continue;
			}
			snprintf(id, sizeof(id), "%llu", (unsigned long long)v[i]->filterId);
			snprintf(w, sizeof(w), "%llu", (unsigned long long)weight_of(v[i]));
			snprintf(c, sizeof(c), "%u", v[i]->numFilterConditions);
			cells[0] = id;
			cells[1] = layer_name(&v[i]->layerKey, lb, sizeof(lb));
			cells[2] = action_name(v[i]->action.type);
			cells[3] = w;
			cells[4] = c;
			cells[5] = v[i]->displayData.name ?
				   fmt_wstr(v[i]->displayData.name, name, sizeof(name)) : NULL;
			if (table_add(t, cells))
				status = ctl_error("filter list: out of memory");
		}
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !status);
	FwpmFilterDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating filters");
	if (ctl->json) {
		doc_array_end(&d);
		if (doc_end(&d) && !status)
			status = ctl_error("filter list: malformed output");
	} else {
		if (!status)
			table_print(t, stdout);
		table_free(t);
	}
	return status;
}

int filter_show(struct ctl *ctl, int argc, char **argv)
{
	FWPM_FILTER0 *f = NULL;
	struct doc d;
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("filter show: missing ID");
	if (argc > 1)
		return ctl_usage("filter show: unexpected argument '%s'", argv[1]);
	if (ctl_parse_id(argv[0], &id))
		return ctl_usage("filter show: '%s' is not a filter id", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmFilterGetById0(engine, id, &f);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "filter %llu", (unsigned long long)id);
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	filter_doc(&d, engine, f);
	FwpmFreeMemory0((void **)&f);
	return doc_end(&d) ? ctl_error("filter show: malformed output") : 0;
}

int filter_delete(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("filter delete: missing ID");
	if (argc > 1)
		return ctl_usage("filter delete: unexpected argument '%s'", argv[1]);
	if (ctl_parse_id(argv[0], &id))
		return ctl_usage("filter delete: '%s' is not a filter id", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmFilterDeleteById0(engine, id);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "deleting filter %llu", (unsigned long long)id);
	return FWPCTL_OK;
}

int provider_delete(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine;
	GUID key;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("provider delete: missing KEY");
	if (argc > 1)
		return ctl_usage("provider delete: unexpected argument '%s'", argv[1]);
	if (ctl_parse_guid(argv[0], &key))
		return ctl_usage("provider delete: '%s' is not a GUID", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmProviderDeleteByKey0(engine, &key);
	if (rc == FWP_E_IN_USE)
		return ctl_fail(rc, "provider %s: objects still name it (delete them first)",
				argv[0]);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "deleting provider %s", argv[0]);
	return FWPCTL_OK;
}

static const struct table_column provider_columns[] = {
	{ "key", false }, { "flags", false }, { "name", false },
};

int provider_list(struct ctl *ctl, int argc, char **argv)
{
	struct table *t = NULL;
	struct doc d;
	HANDLE engine, eh;
	FWPM_PROVIDER0 **v;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("provider list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmProviderCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating providers");
	if (ctl->json) {
		doc_init(&d, stdout, true, ctl->pretty);
		doc_array_begin(&d, NULL);
	} else if (!(t = table_new(provider_columns, 3))) {
		FwpmProviderDestroyEnumHandle0(engine, eh);
		return ctl_error("provider list: out of memory");
	}
	do {
		rc = FwpmProviderEnum0(engine, eh, PAGE, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		for (UINT32 i = 0; i < n && !status; i++) {
			char key[64], name[256];
			const char *persistent = v[i]->flags & FWPM_PROVIDER_FLAG_PERSISTENT ?
						 "persistent" : "-";

			fmt_guid(&v[i]->providerKey, key, sizeof(key));
			if (v[i]->displayData.name)
				fmt_wstr(v[i]->displayData.name, name, sizeof(name));
			if (ctl->json) {
				doc_object_begin(&d, NULL);
				doc_str(&d, "key", key);
				doc_bool(&d, "persistent",
					 (v[i]->flags & FWPM_PROVIDER_FLAG_PERSISTENT) != 0);
				doc_str(&d, "name", v[i]->displayData.name ? name : "");
				doc_object_end(&d);
			} else {
				const char *cells[3] = { key, persistent,
					v[i]->displayData.name ? name : NULL };

				if (table_add(t, cells))
					status = ctl_error("provider list: out of memory");
			}
		}
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !status);
	FwpmProviderDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating providers");
	if (ctl->json) {
		doc_array_end(&d);
		if (doc_end(&d) && !status)
			status = ctl_error("provider list: malformed output");
	} else {
		if (!status)
			table_print(t, stdout);
		table_free(t);
	}
	return status;
}
