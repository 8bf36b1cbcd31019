/* layer.c - the built-in layers and callouts: "layer list|show KEY|ID",
 * "callout list|show KEY|ID", through FwpmLayer* and FwpmCallout*,
 * printed with table.h and doc.h as policy.c does. Layers and callouts
 * print as their words (names.h) and keep their Windows display names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "names.h"
#include "table.h"

#define PAGE 64

static const char *field_type_name(FWPM_FIELD_TYPE t)
{
	switch (t) {
	case FWPM_FIELD_RAW_DATA:
		return "raw";
	case FWPM_FIELD_IP_ADDRESS:
		return "ip-address";
	case FWPM_FIELD_FLAGS:
		return "flags";
	default:
		return "other";
	}
}

static const char *data_type_name(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_UINT8:
		return "uint8";
	case FWP_UINT16:
		return "uint16";
	case FWP_UINT32:
		return "uint32";
	case FWP_UINT64:
		return "uint64";
	case FWP_BYTE_ARRAY16_TYPE:
		return "byte-array16";
	case FWP_BYTE_BLOB_TYPE:
		return "byte-blob";
	case FWP_SID:
		return "sid";
	case FWP_SECURITY_DESCRIPTOR_TYPE:
		return "security-descriptor";
	default:
		return "other";
	}
}

/* The layer's word: names.h's, or for a layer filters cannot be added at
 * (no word there) its identifier without FWPM_LAYER_, lower case, dashes. */
static const char *layer_word(const FWPM_LAYER0 *l, char *buf, size_t len)
{
	static const wchar_t prefix[] = L"FWPM_LAYER_";
	const size_t np = sizeof(prefix) / sizeof(prefix[0]) - 1;
	const char *w = name_layer(&l->layerKey, buf, len);
	const wchar_t *s = l->displayData.name;
	size_t i = 0;

	if (w[0] != '{' || !s || wcsncmp(s, prefix, np) != 0)
		return w;
	for (s += np; *s && i + 1 < len; s++) {
		if (*s == L'_')
			buf[i++] = '-';
		else if (*s >= L'A' && *s <= L'Z')
			buf[i++] = (char)(*s - L'A' + 'a');
		else if ((*s >= L'a' && *s <= L'z') || (*s >= L'0' && *s <= L'9'))
			buf[i++] = (char)*s;
		else
			return fmt_guid(&l->layerKey, buf, len);
	}
	buf[i] = '\0';
	return buf;
}

static void layer_doc(struct doc *d, const FWPM_LAYER0 *l, bool fields)
{
	char buf[128];

	doc_object_begin(d, NULL);
	doc_uint(d, "id", l->layerId);
	doc_str(d, "key", fmt_guid(&l->layerKey, buf, sizeof(buf)));
	doc_str(d, "layer", layer_word(l, buf, sizeof(buf)));
	doc_str(d, "name", l->displayData.name ?
		fmt_wstr(l->displayData.name, buf, sizeof(buf)) : "");
	doc_hex32(d, "flags", l->flags);
	doc_str(d, "default_sublayer", fmt_guid(&l->defaultSubLayerKey, buf, sizeof(buf)));
	doc_uint(d, "fields", l->numFields);
	if (fields && l->field) {
		doc_array_begin(d, "field");
		for (UINT32 i = 0; i < l->numFields; i++) {
			doc_object_begin(d, NULL);
			doc_str(d, "field", l->field[i].fieldKey ?
				name_condition_field(l->field[i].fieldKey, buf, sizeof(buf)) : "");
			doc_str(d, "type", field_type_name(l->field[i].type));
			doc_str(d, "data_type", data_type_name(l->field[i].dataType));
			doc_object_end(d);
		}
		doc_array_end(d);
	}
	doc_object_end(d);
}

static void callout_doc(struct doc *d, const FWPM_CALLOUT0 *c)
{
	char buf[128];

	doc_object_begin(d, NULL);
	doc_uint(d, "id", c->calloutId);
	doc_str(d, "key", fmt_guid(&c->calloutKey, buf, sizeof(buf)));
	doc_str(d, "callout", name_callout(&c->calloutKey, buf, sizeof(buf)));
	doc_str(d, "name", c->displayData.name ?
		fmt_wstr(c->displayData.name, buf, sizeof(buf)) : "");
	doc_hex32(d, "flags", c->flags);
	doc_str(d, "layer", name_layer(&c->applicableLayer, buf, sizeof(buf)));
	doc_object_end(d);
}

enum kind { LAYER, CALLOUT };

static const struct table_column columns[] = {
	{ "id", true }, { "key", false }, { "layer", false }, { "name", false },
};

/* One table row (text) or document entry (JSON) of v. */
static int list_one(struct ctl *ctl, enum kind k, const void *v, struct doc *d,
		    struct table *t)
{
	char id[16], key[48], word[64], name[128];
	const char *cells[4], *w;

	if (ctl->json) {
		if (k == LAYER)
			layer_doc(d, v, false);
		else
			callout_doc(d, v);
		return 0;
	}
	if (k == LAYER) {
		const FWPM_LAYER0 *l = v;

		snprintf(id, sizeof(id), "%u", l->layerId);
		fmt_guid(&l->layerKey, key, sizeof(key));
		w = layer_word(l, word, sizeof(word));
		fmt_wstr(l->displayData.name ? l->displayData.name : L"", name, sizeof(name));
	} else {
		const FWPM_CALLOUT0 *c = v;

		snprintf(id, sizeof(id), "%u", c->calloutId);
		fmt_guid(&c->calloutKey, key, sizeof(key));
		w = name_layer(&c->applicableLayer, word, sizeof(word));
		fmt_wstr(c->displayData.name ? c->displayData.name : L"", name, sizeof(name));
	}
	cells[0] = id;
	cells[1] = key;
	cells[2] = w;
	cells[3] = name;
	return table_add(t, cells) ? ctl_error("list: out of memory") : 0;
}

static DWORD enum_open(HANDLE e, enum kind k, HANDLE *eh)
{
	return k == LAYER ? FwpmLayerCreateEnumHandle0(e, NULL, eh)
			  : FwpmCalloutCreateEnumHandle0(e, NULL, eh);
}

static DWORD enum_page(HANDLE e, enum kind k, HANDLE eh, void ***v, UINT32 *n)
{
	return k == LAYER ? FwpmLayerEnum0(e, eh, PAGE, (FWPM_LAYER0 ***)v, n)
			  : FwpmCalloutEnum0(e, eh, PAGE, (FWPM_CALLOUT0 ***)v, n);
}

static void enum_close(HANDLE e, enum kind k, HANDLE eh)
{
	if (k == LAYER)
		FwpmLayerDestroyEnumHandle0(e, eh);
	else
		FwpmCalloutDestroyEnumHandle0(e, eh);
}

static int list(struct ctl *ctl, enum kind k, const char *what, int argc, char **argv)
{
	struct table *t = NULL;
	struct doc d;
	HANDLE engine, eh;
	void **v;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("%s list: unexpected argument '%s'", what, argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = enum_open(engine, k, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating %ss", what);
	if (ctl->json) {
		doc_init(&d, stdout, true, ctl->pretty);
		doc_array_begin(&d, NULL);
	} else if (!(t = table_new(columns, 4))) {
		enum_close(engine, k, eh);
		return ctl_error("%s list: out of memory", what);
	}
	do {
		rc = enum_page(engine, k, eh, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		for (UINT32 i = 0; i < n && !status; i++)
			status = list_one(ctl, k, v[i], &d, t);
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !status);
	enum_close(engine, k, eh);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating %ss", what);
	if (ctl->json) {
		doc_array_end(&d);
		if (doc_end(&d) && !status)
			status = ctl_error("%s list: malformed output", what);
	} else {
		if (!status)
			table_print(t, stdout);
		table_free(t);
	}
	return status;
}

/* KEY (a GUID) or ID (decimal, up to max). */
static int parse_ref(const char *s, unsigned long max, GUID *key, bool *by_key,
		     unsigned long *id)
{
	char *end;

	if (!ctl_parse_guid(s, key)) {
		*by_key = true;
		return 0;
	}
	*by_key = false;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	*id = strtoul(s, &end, 10);
	return *end || *id > max ? -1 : 0;
}

static int show(struct ctl *ctl, enum kind k, const char *what, int argc, char **argv)
{
	unsigned long id = 0;
	bool by_key;
	struct doc d;
	HANDLE engine;
	void *v = NULL;
	GUID key;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("%s show: missing KEY or ID", what);
	if (argc > 1)
		return ctl_usage("%s show: unexpected argument '%s'", what, argv[1]);
	if (parse_ref(argv[0], k == LAYER ? 0xffff : 0xffffffff, &key, &by_key, &id))
		return ctl_usage("%s show: '%s' is neither a GUID nor an id", what, argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	if (k == LAYER)
		rc = by_key ? FwpmLayerGetByKey0(engine, &key, (FWPM_LAYER0 **)&v)
			    : FwpmLayerGetById0(engine, (UINT16)id, (FWPM_LAYER0 **)&v);
	else
		rc = by_key ? FwpmCalloutGetByKey0(engine, &key, (FWPM_CALLOUT0 **)&v)
			    : FwpmCalloutGetById0(engine, (UINT32)id, (FWPM_CALLOUT0 **)&v);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "%s %s", what, argv[0]);
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	if (k == LAYER)
		layer_doc(&d, v, true);
	else
		callout_doc(&d, v);
	FwpmFreeMemory0(&v);
	return doc_end(&d) ? ctl_error("%s show: malformed output", what) : 0;
}

int layer_list(struct ctl *ctl, int argc, char **argv)
{
	return list(ctl, LAYER, "layer", argc, argv);
}

int layer_show(struct ctl *ctl, int argc, char **argv)
{
	return show(ctl, LAYER, "layer", argc, argv);
}

int callout_list(struct ctl *ctl, int argc, char **argv)
{
	return list(ctl, CALLOUT, "callout", argc, argv);
}

int callout_show(struct ctl *ctl, int argc, char **argv)
{
	return show(ctl, CALLOUT, "callout", argc, argv);
}
