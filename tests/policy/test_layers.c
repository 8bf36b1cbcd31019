/* test_layers.c - the built-in layers and IPsec callouts (FwpmLayer*,
 * FwpmCallout*) through the public API, in-process and (tests/service)
 * against fwpd:
 *  - every built-in layer (all of the SDK's with an FWPS runtime id)
 *    gettable by key and by id, equal to what enumeration returns, ids
 *    unique, with the FWPS runtime ids and sane Windows field lists;
 *  - at the 14 layers the engine filters at, every listed field is either
 *    accepted by a filter or refused as FWP_E_CONDITION_NOT_FOUND, the
 *    engine's own conditions among the accepted, and a field the layer
 *    does not list refused; at the other layers FwpmFilterAdd0 is
 *    ERROR_NOT_SUPPORTED;
 *  - every callout gettable by key and id, applicable at a listed layer,
 *    usable by a filter there; the enumeration template honoured;
 *  - unknown keys and ids, user callouts, deleting built-ins, and
 *    enumeration handles misused or left open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include <fwpmu.h>

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s: got 0x%08x, expected 0x%08x", #expr, \
			 (unsigned)rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

#define N_LAYERS 93	/* every layer of fwpsk.h's FWPS_BUILTIN_LAYERS with a key */
#define MAX_LAYERS 128

/* The layers the engine filters at (CONTRACT.md). */
static const GUID *const filterable[] = {
	&FWPM_LAYER_INBOUND_IPPACKET_V4, &FWPM_LAYER_INBOUND_IPPACKET_V6,
	&FWPM_LAYER_OUTBOUND_IPPACKET_V4, &FWPM_LAYER_OUTBOUND_IPPACKET_V6,
	&FWPM_LAYER_IPFORWARD_V4, &FWPM_LAYER_IPFORWARD_V6,
	&FWPM_LAYER_INBOUND_TRANSPORT_V4, &FWPM_LAYER_INBOUND_TRANSPORT_V6,
	&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
	&FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6,
	&FWPM_LAYER_ALE_AUTH_CONNECT_V4, &FWPM_LAYER_ALE_AUTH_CONNECT_V6,
};
#define N_FILTERABLE (sizeof(filterable) / sizeof(filterable[0]))
#define N_CALLOUTS 20	/* the built-in IPsec callouts */

static const GUID unknown_key = { 0x0badc0de, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };

static HANDLE open_engine(void)
{
	FWPM_SESSION0 s = { .flags = FWPM_SESSION_FLAG_DYNAMIC };
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h));
	return h;
}

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool is_filterable(const GUID *key)
{
	for (size_t i = 0; i < N_FILTERABLE; i++)
		if (guid_eq(filterable[i], key))
			return true;
	return false;
}

/* Address fields by IP version, every other type one a condition has,
 * no field twice. */
static void fields_sane(const FWPM_LAYER0 *l)
{
	bool v6 = wcsstr(l->displayData.name, L"_V6") != NULL;

	assert_true((l->numFields == 0) == (l->field == NULL));
	for (UINT32 f = 0; f < l->numFields; f++) {
		const FWPM_FIELD0 *fd = &l->field[f];

		assert_non_null(fd->fieldKey);
		for (UINT32 g = 0; g < f; g++)
			assert_false(guid_eq(l->field[g].fieldKey, fd->fieldKey));
		if (fd->type == FWPM_FIELD_IP_ADDRESS) {
			assert_int_equal(fd->dataType, v6 ? FWP_BYTE_ARRAY16_TYPE : FWP_UINT32);
			continue;
		}
		assert_int_equal(fd->type, FWPM_FIELD_RAW_DATA);
		switch (fd->dataType) {
		case FWP_UINT8: case FWP_UINT16: case FWP_UINT32: case FWP_UINT64:
		case FWP_BYTE_BLOB_TYPE: case FWP_SID: case FWP_SECURITY_DESCRIPTOR_TYPE:
			break;
		default:
			fail_msg("field %u of %ls: data type %d", f, l->displayData.name,
				 fd->dataType);
		}
	}
}

/* All layers in one page (the caller frees it). */
static FWPM_LAYER0 **all_layers(HANDLE h, UINT32 *n)
{
	FWPM_LAYER0 **page = NULL;
	HANDLE eh = NULL;

	OK(FwpmLayerCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmLayerEnum0(h, eh, 1000, &page, n));
	OK(FwpmLayerDestroyEnumHandle0(h, eh));
	return page;
}

static const FWPM_FIELD0 *find_field(const FWPM_LAYER0 *l, const GUID *key)
{
	for (UINT32 i = 0; i < l->numFields; i++)
		if (guid_eq(l->field[i].fieldKey, key))
			return &l->field[i];
	return NULL;
}

static void layers_get_and_enum_agree(void **state)
{
	HANDLE h = open_engine();
	FWPM_LAYER0 *e[MAX_LAYERS], *k = NULL, *i = NULL;
	HANDLE eh = NULL;
	UINT32 n, seen_ids[MAX_LAYERS], nfilt = 0;
	FWPM_LAYER0 **pages[MAX_LAYERS];
	UINT32 npages = 0, got;

	(void)state;
	/* Keep every page to free it afterwards. */
	OK(FwpmLayerCreateEnumHandle0(h, NULL, &eh));
	n = 0;
	do {
		OK(FwpmLayerEnum0(h, eh, 3, &pages[npages], &got));
		for (UINT32 j = 0; j < got; j++)
			e[n++] = pages[npages][j];
		npages++;
	} while (got == 3);
	OK(FwpmLayerDestroyEnumHandle0(h, eh));
	assert_int_equal(n, N_LAYERS);
	for (UINT32 j = 0; j < n; j++) {
		const FWPM_LAYER0 *l = e[j];

		assert_non_null(l->displayData.name);
		assert_true(wcsncmp(l->displayData.name, L"FWPM_LAYER_", 11) == 0);
		assert_true(l->flags & FWPM_LAYER_FLAG_BUILTIN);
		/* KERNEL where this engine's datapath classifies. */
		assert_int_equal(!!(l->flags & FWPM_LAYER_FLAG_KERNEL), is_filterable(&l->layerKey));
		nfilt += is_filterable(&l->layerKey);
		assert_true(guid_eq(&l->defaultSubLayerKey, &FWPM_SUBLAYER_UNIVERSAL));
		fields_sane(l);
		for (UINT32 m = 0; m < j; m++)
			assert_true(seen_ids[m] != l->layerId);
		seen_ids[j] = l->layerId;

		OK(FwpmLayerGetByKey0(h, &l->layerKey, &k));
		OK(FwpmLayerGetById0(h, l->layerId, &i));
		assert_true(guid_eq(&k->layerKey, &l->layerKey));
		assert_true(guid_eq(&i->layerKey, &l->layerKey));
		assert_int_equal(k->layerId, l->layerId);
		assert_int_equal(k->numFields, l->numFields);
		assert_int_equal(i->numFields, l->numFields);
		assert_true(wcscmp(k->displayData.name, l->displayData.name) == 0);
		for (UINT32 f = 0; f < l->numFields; f++) {
			assert_true(guid_eq(k->field[f].fieldKey, l->field[f].fieldKey));
			assert_int_equal(k->field[f].type, l->field[f].type);
			assert_int_equal(k->field[f].dataType, l->field[f].dataType);
		}
		FwpmFreeMemory0((void **)&k);
		FwpmFreeMemory0((void **)&i);
		assert_null(k);
	}
	assert_int_equal(nfilt, N_FILTERABLE);
	for (UINT32 p = 0; p < npages; p++)
		FwpmFreeMemory0((void **)&pages[p]);
	OK(FwpmEngineClose0(h));
}

/* The FWPS_BUILTIN_LAYERS values and the field types Windows gives. */
static void layer_ids_and_fields(void **state)
{
	static const struct { const GUID *key; UINT16 id; } ids[] = {
		{ &FWPM_LAYER_INBOUND_IPPACKET_V4, 0 },
		{ &FWPM_LAYER_OUTBOUND_IPPACKET_V6, 6 },
		{ &FWPM_LAYER_IPFORWARD_V4, 8 },
		{ &FWPM_LAYER_INBOUND_TRANSPORT_V4, 12 },
		{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, 18 },
		{ &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, 44 },
		{ &FWPM_LAYER_ALE_AUTH_CONNECT_V6, 50 },
		{ &FWPM_LAYER_INBOUND_IPPACKET_V4_DISCARD, 1 },
		{ &FWPM_LAYER_STREAM_V4, 20 },
		{ &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD, 55 },
		{ &FWPM_LAYER_OUTBOUND_MAC_FRAME_ETHERNET, 57 },
		{ &FWPM_LAYER_NAME_RESOLUTION_CACHE_V4, 60 },
		{ &FWPM_LAYER_STREAM_PACKET_V6, 71 },
		{ &FWPM_LAYER_OUTBOUND_TRANSPORT_FAST, 79 },
		{ &FWPM_LAYER_INBOUND_RESERVED2, 90 },
		{ &FWPM_LAYER_IKEEXT_V6, 96 },
		{ &FWPM_LAYER_KM_AUTHORIZATION, 102 },
	};
	HANDLE h = open_engine();
	FWPM_LAYER0 *l = NULL;
	const FWPM_FIELD0 *f;

	(void)state;
	for (size_t j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
		OK(FwpmLayerGetByKey0(h, ids[j].key, &l));
		assert_int_equal(l->layerId, ids[j].id);
		FwpmFreeMemory0((void **)&l);
	}
	OK(FwpmLayerGetById0(h, 12, &l));
	assert_true(guid_eq(&l->layerKey, &FWPM_LAYER_INBOUND_TRANSPORT_V4));
	assert_true(wcscmp(l->displayData.name, L"FWPM_LAYER_INBOUND_TRANSPORT_V4") == 0);
	f = find_field(l, &FWPM_CONDITION_IP_REMOTE_ADDRESS);
	assert_non_null(f);
	assert_int_equal(f->type, FWPM_FIELD_IP_ADDRESS);
	assert_int_equal(f->dataType, FWP_UINT32);
	f = find_field(l, &FWPM_CONDITION_IP_LOCAL_PORT);
	assert_non_null(f);
	assert_int_equal(f->type, FWPM_FIELD_RAW_DATA);
	assert_int_equal(f->dataType, FWP_UINT16);
	f = find_field(l, &FWPM_CONDITION_IP_PROTOCOL);
	assert_true(f && f->dataType == FWP_UINT8);
	assert_null(find_field(l, &FWPM_CONDITION_IP_SOURCE_ADDRESS));
	/* The Windows list, in fwpsk.h's order: protocol first, 14 fields
	 * (the 15 of FWPS_FIELDS_INBOUND_TRANSPORT_V4 less none). */
	assert_int_equal(l->numFields, 15);
	assert_true(guid_eq(l->field[0].fieldKey, &FWPM_CONDITION_IP_PROTOCOL));
	f = find_field(l, &FWPM_CONDITION_INTERFACE_INDEX);
	assert_true(f && f->dataType == FWP_UINT32);
	f = find_field(l, &FWPM_CONDITION_IPSEC_SECURITY_REALM_ID);
	assert_true(f && f->dataType == FWP_BYTE_BLOB_TYPE);
	FwpmFreeMemory0((void **)&l);

	OK(FwpmLayerGetByKey0(h, &FWPM_LAYER_ALE_AUTH_CONNECT_V4, &l));
	f = find_field(l, &FWPM_CONDITION_ALE_USER_ID);
	assert_true(f && f->dataType == FWP_SECURITY_DESCRIPTOR_TYPE);
	f = find_field(l, &FWPM_CONDITION_ALE_PACKAGE_ID);
	assert_true(f && f->dataType == FWP_SID);
	assert_null(find_field(l, &FWPM_CONDITION_PEER_NAME));	/* no type known */
	FwpmFreeMemory0((void **)&l);

	/* No field of the references' is known here: none listed. */
	OK(FwpmLayerGetByKey0(h, &FWPM_LAYER_RPC_UM, &l));
	assert_int_equal(l->numFields, 0);
	assert_null(l->field);
	FwpmFreeMemory0((void **)&l);

	OK(FwpmLayerGetByKey0(h, &FWPM_LAYER_IPFORWARD_V6, &l));
	f = find_field(l, &FWPM_CONDITION_IP_SOURCE_ADDRESS);
	assert_true(f && f->dataType == FWP_BYTE_ARRAY16_TYPE);
	assert_true(f->type == FWPM_FIELD_IP_ADDRESS);
	assert_null(find_field(l, &FWPM_CONDITION_IP_LOCAL_ADDRESS));
	assert_null(find_field(l, &FWPM_CONDITION_IP_LOCAL_PORT));
	f = find_field(l, &FWPM_CONDITION_IP_LOCAL_INTERFACE);
	assert_true(f && f->dataType == FWP_UINT64);
	FwpmFreeMemory0((void **)&l);
	OK(FwpmEngineClose0(h));
}

static UINT8 blob_bytes[4] = { 1, 2, 3, 4 };
static FWP_BYTE_BLOB blob = { sizeof(blob_bytes), blob_bytes };
static const UINT8 local_system_sid[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };

/* A condition value of the field's data type. */
static void value_of(const FWPM_FIELD0 *f, FWP_CONDITION_VALUE0 *v, UINT64 *u64,
		     FWP_BYTE_ARRAY16 *a16)
{
	memset(v, 0, sizeof(*v));
	v->type = f->dataType;
	switch (f->dataType) {
	case FWP_UINT8:
		v->uint8 = 6;
		break;
	case FWP_UINT16:
		v->uint16 = 500;
		break;
	case FWP_UINT32:
		v->uint32 = 0x0a000001;
		break;
	case FWP_UINT64:
		*u64 = 1;
		v->uint64 = u64;
		break;
	case FWP_BYTE_ARRAY16_TYPE:
		memset(a16, 0, sizeof(*a16));
		a16->byteArray16[15] = 1;
		v->byteArray16 = a16;
		break;
	case FWP_BYTE_BLOB_TYPE:
		v->byteBlob = &blob;
		break;
	case FWP_SECURITY_DESCRIPTOR_TYPE:
		v->sd = &blob;
		break;
	case FWP_SID:
		v->sid = (SID *)local_system_sid;	/* S-1-5-18 */
		break;
	default:
		fail_msg("unexpected field data type %d", f->dataType);
	}
}

static DWORD add_filter(HANDLE h, const GUID *layer, const FWPM_FILTER_CONDITION0 *c,
			UINT32 nc, const FWPM_ACTION0 *a, UINT64 *id)
{
	FWPM_FILTER0 f = {
		.displayData = { .name = L"layer field test" },
		.layerKey = *layer,
		.numFilterConditions = nc,
		.filterCondition = (FWPM_FILTER_CONDITION0 *)c,
		.action = *a,
	};

	return FwpmFilterAdd0(h, &f, NULL, id);
}

/* At the layers the engine filters at, each listed field is accepted or
 * refused as unknown (never another code), the engine's own conditions are
 * among the accepted, and a port field where none is listed is refused.
 * Elsewhere a filter is ERROR_NOT_SUPPORTED, and enumerating filters there
 * finds none. */
static void fields_are_what_filters_accept(void **state)
{
	HANDLE h = open_engine();
	UINT32 n = 0, nfilt = 0;
	FWPM_LAYER0 **e = all_layers(h, &n);
	FWPM_ACTION0 permit = { .type = FWP_ACTION_PERMIT };

	(void)state;
	for (UINT32 j = 0; j < n; j++) {
		const FWPM_LAYER0 *l = e[j];
		bool has_port = find_field(l, &FWPM_CONDITION_IP_LOCAL_PORT) != NULL;
		FWPM_FILTER_CONDITION0 c = {
			.fieldKey = FWPM_CONDITION_IP_LOCAL_PORT,
			.matchType = FWP_MATCH_EQUAL,
			.conditionValue = { .type = FWP_UINT16, .uint16 = 500 },
		};
		UINT64 id = 0, u64;
		FWP_BYTE_ARRAY16 a16;
		UINT32 accepted = 0;
		bool iface = false;

		if (!is_filterable(&l->layerKey)) {
			RC(add_filter(h, &l->layerKey, NULL, 0, &permit, &id),
			   ERROR_NOT_SUPPORTED);
			continue;
		}
		nfilt++;
		for (UINT32 f = 0; f < l->numFields; f++) {
			FWPM_FILTER_CONDITION0 fc = {
				.fieldKey = *l->field[f].fieldKey,
				.matchType = FWP_MATCH_EQUAL,
			};
			DWORD rc;

			value_of(&l->field[f], &fc.conditionValue, &u64, &a16);
			rc = add_filter(h, &l->layerKey, &fc, 1, &permit, &id);
			if (rc == FWP_E_CONDITION_NOT_FOUND)
				continue;
			OK(rc);
			OK(FwpmFilterDeleteById0(h, id));
			accepted++;
			iface |= guid_eq(&fc.fieldKey, &FWPM_CONDITION_IP_LOCAL_INTERFACE);
		}
		/* Forward: source, destination, interface; the others more. */
		assert_true(accepted >= 3);
		assert_true(iface);
		if (!has_port)
			RC(add_filter(h, &l->layerKey, &c, 1, &permit, &id),
			   FWP_E_CONDITION_NOT_FOUND);
	}
	assert_int_equal(n, N_LAYERS);
	assert_int_equal(nfilt, N_FILTERABLE);
	FwpmFreeMemory0((void **)&e);
	OK(FwpmEngineClose0(h));
}

/* A filter enumeration at a listed layer no filter can be at is empty; at
 * an unknown layer FWP_E_LAYER_NOT_FOUND. */
static void filter_enum_at_unfiltered_layer(void **state)
{
	HANDLE h = open_engine(), eh = NULL;
	FWPM_FILTER_ENUM_TEMPLATE0 t = { .layerKey = FWPM_LAYER_STREAM_V4,
					 .enumType = FWP_FILTER_ENUM_OVERLAPPING };
	FWPM_FILTER0 **page = NULL;
	UINT32 n = 1;

	(void)state;
	OK(FwpmFilterCreateEnumHandle0(h, &t, &eh));
	OK(FwpmFilterEnum0(h, eh, 10, &page, &n));
	assert_int_equal(n, 0);
	FwpmFreeMemory0((void **)&page);
	OK(FwpmFilterDestroyEnumHandle0(h, eh));
	t.layerKey = unknown_key;
	RC(FwpmFilterCreateEnumHandle0(h, &t, &eh), FWP_E_LAYER_NOT_FOUND);
	OK(FwpmEngineClose0(h));
}

static void layer_errors(void **state)
{
	HANDLE h = open_engine();
	FWPM_LAYER0 *l = (void *)1;
	HANDLE eh = NULL, other = open_engine();
	FWPM_LAYER0 **page = NULL;
	UINT32 n = 0;

	(void)state;
	RC(FwpmLayerGetByKey0(h, &unknown_key, &l), FWP_E_LAYER_NOT_FOUND);
	assert_null(l);
	/* SDK layers with no FWPS runtime id in the source read are not
	 * listed; ids of reserved FWPS layers (no FWPM key) are unknown. */
	RC(FwpmLayerGetByKey0(h, &FWPM_LAYER_INBOUND_MAC_FRAME_NATIVE, &l),
	   FWP_E_LAYER_NOT_FOUND);
	RC(FwpmLayerGetById0(h, 58, &l), FWP_E_LAYER_NOT_FOUND);	/* RESERVED1_V4 */
	RC(FwpmLayerGetById0(h, 85, &l), FWP_E_LAYER_NOT_FOUND);	/* RESERVED_LAYER_4 */
	RC(FwpmLayerGetById0(h, 103, &l), FWP_E_LAYER_NOT_FOUND);	/* ..._MAX */
	RC(FwpmLayerGetById0(h, 0xffff, &l), FWP_E_LAYER_NOT_FOUND);
	RC(FwpmLayerGetByKey0(h, NULL, &l), FWP_E_NULL_POINTER);
	RC(FwpmLayerGetByKey0(h, &FWPM_LAYER_IPFORWARD_V4, NULL), FWP_E_NULL_POINTER);
	RC(FwpmLayerCreateEnumHandle0(h, NULL, NULL), FWP_E_NULL_POINTER);
	RC(FwpmLayerGetById0(NULL, 0, &l), ERROR_INVALID_HANDLE);

	/* The template's member is reserved: all layers either way. */
	FWPM_LAYER_ENUM_TEMPLATE0 t = { 0 };
	OK(FwpmLayerCreateEnumHandle0(h, &t, &eh));
	/* Valid only with its own engine handle, and only for layers. */
	RC(FwpmLayerEnum0(other, eh, 10, &page, &n), ERROR_INVALID_HANDLE);
	RC(FwpmCalloutEnum0(h, eh, 10, (FWPM_CALLOUT0 ***)&page, &n), ERROR_INVALID_HANDLE);
	RC(FwpmLayerEnum0(h, eh, 10, NULL, &n), FWP_E_NULL_POINTER);
	OK(FwpmLayerEnum0(h, eh, 100, &page, &n));
	assert_int_equal(n, N_LAYERS);
	FwpmFreeMemory0((void **)&page);
	OK(FwpmLayerEnum0(h, eh, 100, &page, &n));
	assert_int_equal(n, 0);
	assert_null(page);
	OK(FwpmLayerEnum0(h, eh, 0, &page, &n));
	assert_int_equal(n, 0);
	RC(FwpmCalloutDestroyEnumHandle0(h, eh), ERROR_INVALID_HANDLE);
	OK(FwpmLayerDestroyEnumHandle0(h, eh));
	RC(FwpmLayerDestroyEnumHandle0(h, eh), ERROR_INVALID_HANDLE);
	RC(FwpmLayerEnum0(h, eh, 10, &page, &n), ERROR_INVALID_HANDLE);
	OK(FwpmEngineClose0(other));
	OK(FwpmEngineClose0(h));
}

/* Enumerations are bounded per engine handle, and those left open go with
 * the handle (ASan's leak check sees it). */
static void enum_handles_bounded(void **state)
{
	HANDLE h = open_engine(), eh[65];
	UINT32 i;

	(void)state;
	for (i = 0; i < 64; i++)
		OK(FwpmCalloutCreateEnumHandle0(h, NULL, &eh[i]));
	RC(FwpmLayerCreateEnumHandle0(h, NULL, &eh[64]), ERROR_NOT_ENOUGH_MEMORY);
	OK(FwpmCalloutDestroyEnumHandle0(h, eh[3]));
	OK(FwpmLayerCreateEnumHandle0(h, NULL, &eh[3]));
	OK(FwpmEngineClose0(h));
}

static void callouts_get_enum_and_use(void **state)
{
	HANDLE h = open_engine(), eh = NULL;
	FWPM_CALLOUT0 **all = NULL, *k = NULL, *i = NULL;
	FWPM_LAYER0 *l = NULL;
	UINT32 n = 0;

	(void)state;
	OK(FwpmCalloutCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmCalloutEnum0(h, eh, 1000, &all, &n));
	OK(FwpmCalloutDestroyEnumHandle0(h, eh));
	assert_int_equal(n, N_CALLOUTS);
	for (UINT32 j = 0; j < n; j++) {
		const FWPM_CALLOUT0 *c = all[j];
		FWPM_ACTION0 a = { .type = FWP_ACTION_CALLOUT_TERMINATING,
				   .calloutKey = c->calloutKey };
		UINT64 id = 0;
		DWORD rc;

		assert_true(wcsncmp(c->displayData.name, L"FWPM_CALLOUT_IPSEC_", 19) == 0);
		assert_null(c->providerKey);
		OK(FwpmCalloutGetByKey0(h, &c->calloutKey, &k));
		OK(FwpmCalloutGetById0(h, c->calloutId, &i));
		assert_true(guid_eq(&k->calloutKey, &c->calloutKey));
		assert_true(guid_eq(&i->calloutKey, &c->calloutKey));
		assert_int_equal(k->calloutId, c->calloutId);
		assert_true(guid_eq(&k->applicableLayer, &c->applicableLayer));
		/* Its layer is a listed one, where a filter may name it (the
		 * DoS-protection callouts excepted: that state is not kept). */
		OK(FwpmLayerGetByKey0(h, &c->applicableLayer, &l));
		rc = add_filter(h, &c->applicableLayer, NULL, 0, &a, &id);
		if (guid_eq(&c->calloutKey, &FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4) ||
		    guid_eq(&c->calloutKey, &FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V6)) {
			RC(rc, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
		} else {
			RC(rc, ERROR_SUCCESS);
			OK(FwpmFilterDeleteById0(h, id));
		}
		FwpmFreeMemory0((void **)&k);
		FwpmFreeMemory0((void **)&i);
		FwpmFreeMemory0((void **)&l);
	}
	FwpmFreeMemory0((void **)&all);
	OK(FwpmEngineClose0(h));
}

static UINT32 count_callouts(HANDLE h, const FWPM_CALLOUT_ENUM_TEMPLATE0 *t,
			     const GUID *layer)
{
	HANDLE eh = NULL;
	FWPM_CALLOUT0 **page = NULL;
	UINT32 n = 0;

	OK(FwpmCalloutCreateEnumHandle0(h, t, &eh));
	OK(FwpmCalloutEnum0(h, eh, 1000, &page, &n));
	for (UINT32 j = 0; layer && j < n; j++)
		assert_true(guid_eq(&page[j]->applicableLayer, layer));
	FwpmFreeMemory0((void **)&page);
	OK(FwpmCalloutDestroyEnumHandle0(h, eh));
	return n;
}

static void callout_template(void **state)
{
	HANDLE h = open_engine();
	GUID provider = unknown_key;
	FWPM_CALLOUT_ENUM_TEMPLATE0 t = { .layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4 };

	(void)state;
	assert_int_equal(count_callouts(h, &t, &t.layerKey), 2);
	t.layerKey = FWPM_LAYER_IPFORWARD_V6;	/* two tunnel + DoS protection */
	assert_int_equal(count_callouts(h, &t, &t.layerKey), 3);
	t.layerKey = FWPM_LAYER_ALE_AUTH_CONNECT_V4;
	assert_int_equal(count_callouts(h, &t, &t.layerKey), 1);
	t.layerKey = FWPM_LAYER_INBOUND_IPPACKET_V4;
	assert_int_equal(count_callouts(h, &t, NULL), 0);
	memset(&t.layerKey, 0, sizeof(t.layerKey));
	assert_int_equal(count_callouts(h, &t, NULL), N_CALLOUTS);
	t.providerKey = &provider;	/* built-ins have no provider */
	assert_int_equal(count_callouts(h, &t, NULL), 0);
	OK(FwpmEngineClose0(h));
}

static void callout_errors(void **state)
{
	HANDLE h = open_engine();
	FWPM_CALLOUT0 *c = (void *)1;
	FWPM_CALLOUT0 user = {
		.calloutKey = unknown_key,
		.displayData = { .name = L"user callout" },
		.applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4,
	};
	UINT32 id = 7;

	(void)state;
	RC(FwpmCalloutGetByKey0(h, &unknown_key, &c), FWP_E_CALLOUT_NOT_FOUND);
	assert_null(c);
	RC(FwpmCalloutGetById0(h, 0, &c), FWP_E_CALLOUT_NOT_FOUND);
	RC(FwpmCalloutGetById0(h, N_CALLOUTS + 1, &c), FWP_E_CALLOUT_NOT_FOUND);
	RC(FwpmCalloutGetByKey0(h, NULL, &c), FWP_E_NULL_POINTER);
	/* User callouts need a kernel driver to classify. */
	RC(FwpmCalloutAdd0(h, &user, NULL, &id), ERROR_NOT_SUPPORTED);
	assert_int_equal(id, 0);
	user.calloutKey = FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
	RC(FwpmCalloutAdd0(h, &user, NULL, NULL), FWP_E_ALREADY_EXISTS);
	RC(FwpmCalloutAdd0(h, NULL, NULL, NULL), FWP_E_NULL_POINTER);
	RC(FwpmCalloutDeleteByKey0(h, &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4),
	   FWP_E_BUILTIN_OBJECT);
	RC(FwpmCalloutDeleteById0(h, 1), FWP_E_BUILTIN_OBJECT);
	RC(FwpmCalloutDeleteByKey0(h, &unknown_key), FWP_E_CALLOUT_NOT_FOUND);
	RC(FwpmCalloutDeleteById0(h, 999), FWP_E_CALLOUT_NOT_FOUND);
	/* Still there. */
	OK(FwpmCalloutGetById0(h, 1, &c));
	FwpmFreeMemory0((void **)&c);
	OK(FwpmEngineClose0(h));
	RC(FwpmCalloutGetById0(h, 1, &c), ERROR_INVALID_HANDLE);
}

/* The version-independent names (fwpvi.h) reach the same functions. */
static void unversioned_names(void **state)
{
	HANDLE h = open_engine(), eh = NULL;
	FWPM_LAYER *l = NULL;
	FWPM_CALLOUT *c = NULL;
	FWPM_CALLOUT_ENUM_TEMPLATE t = { .layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V6 };

	(void)state;
	OK(FwpmLayerGetById(h, 18, &l));
	assert_true(guid_eq(&l->layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6));
	FwpmFreeMemory((void **)&l);
	OK(FwpmCalloutGetByKey(h, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6, &c));
	assert_true(guid_eq(&c->applicableLayer, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6));
	FwpmFreeMemory((void **)&c);
	OK(FwpmCalloutCreateEnumHandle(h, &t, &eh));
	OK(FwpmCalloutDestroyEnumHandle(h, eh));
	OK(FwpmEngineClose(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layers_get_and_enum_agree),
		cmocka_unit_test(layer_ids_and_fields),
		cmocka_unit_test(fields_are_what_filters_accept),
		cmocka_unit_test(filter_enum_at_unfiltered_layer),
		cmocka_unit_test(layer_errors),
		cmocka_unit_test(enum_handles_bounded),
		cmocka_unit_test(callouts_get_enum_and_use),
		cmocka_unit_test(callout_template),
		cmocka_unit_test(callout_errors),
		cmocka_unit_test(unversioned_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
