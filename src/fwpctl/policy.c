/* policy.c - the policy objects: "filter list", "filter show ID" and
 * "provider list", through FwpmFilterEnum0 / FwpmFilterGetById0 /
 * FwpmProviderEnum0, printed with table.h and doc.h as sa.c does. */
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "table.h"

#define PAGE 256

static const struct {
	const GUID *key;
	const char *name;
} layer_names[] = {
	{ &FWPM_LAYER_INBOUND_IPPACKET_V4, "inbound-ippacket-v4" },
	{ &FWPM_LAYER_INBOUND_IPPACKET_V6, "inbound-ippacket-v6" },
	{ &FWPM_LAYER_OUTBOUND_IPPACKET_V4, "outbound-ippacket-v4" },
	{ &FWPM_LAYER_OUTBOUND_IPPACKET_V6, "outbound-ippacket-v6" },
	{ &FWPM_LAYER_IPFORWARD_V4, "ipforward-v4" },
	{ &FWPM_LAYER_IPFORWARD_V6, "ipforward-v6" },
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V4, "inbound-transport-v4" },
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V6, "inbound-transport-v6" },
	{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, "outbound-transport-v4" },
	{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, "outbound-transport-v6" },
	{ &FWPM_LAYER_ALE_AUTH_CONNECT_V4, "ale-auth-connect-v4" },
	{ &FWPM_LAYER_ALE_AUTH_CONNECT_V6, "ale-auth-connect-v6" },
	{ &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, "ale-auth-recv-accept-v4" },
	{ &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6, "ale-auth-recv-accept-v6" },
};

static const char *layer_name(const GUID *k, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(layer_names) / sizeof(layer_names[0]); i++)
		if (!memcmp(layer_names[i].key, k, sizeof(*k)))
			return layer_names[i].name;
	return fmt_guid(k, buf, len);
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

static void filter_doc(struct doc *d, const FWPM_FILTER0 *f)
{
	char buf[256];

	doc_object_begin(d, NULL);
	doc_uint(d, "id", f->filterId);
	doc_str(d, "key", fmt_guid(&f->filterKey, buf, sizeof(buf)));
	doc_str(d, "name", f->displayData.name ?
		fmt_wstr(f->displayData.name, buf, sizeof(buf)) : "");
	doc_str(d, "layer", layer_name(&f->layerKey, buf, sizeof(buf)));
	doc_str(d, "sublayer", fmt_guid(&f->subLayerKey, buf, sizeof(buf)));
	doc_str(d, "action", action_name(f->action.type));
	if (f->action.type & FWP_ACTION_FLAG_CALLOUT)
		doc_str(d, "callout", fmt_guid(&f->action.calloutKey, buf, sizeof(buf)));
	doc_hex32(d, "flags", f->flags);
	doc_u64(d, "effective_weight", weight_of(f));
	doc_uint(d, "conditions", f->numFilterConditions);
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
				filter_doc(&d, v[i]);
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
	filter_doc(&d, f);
	FwpmFreeMemory0((void **)&f);
	return doc_end(&d) ? ctl_error("filter show: malformed output") : 0;
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
