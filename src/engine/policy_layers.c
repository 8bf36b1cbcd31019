/* policy_layers.c - the built-in layers filters may be added at, the
 * conditions each accepts (policy-facts §3, from the SDK's per-layer field
 * lists) and the built-in IPsec callouts each takes; the same tables are
 * what FwpmLayer* and FwpmCallout* return (layers.h).
 *
 * Tables are const; nothing here takes the engine lock or changes state.
 */
#include <string.h>
#include <wchar.h>

#include "common/flat.h"
#include "engine/engine_internal.h"
#include "engine/layers.h"

enum {
	LC_IPPKT_IN = 1 << 0,
	LC_IPPKT_OUT = 1 << 1,
	LC_FWD = 1 << 2,
	LC_TRANS_IN = 1 << 3,
	LC_TRANS_OUT = 1 << 4,
	LC_ALE_CONN = 1 << 5,
	LC_ALE_RECV = 1 << 6,
};

#define LC_ALL_BUT_FWD (LC_IPPKT_IN | LC_IPPKT_OUT | LC_TRANS_IN | LC_TRANS_OUT | \
			LC_ALE_CONN | LC_ALE_RECV)
#define LC_PORTS (LC_TRANS_IN | LC_TRANS_OUT | LC_ALE_CONN | LC_ALE_RECV)

/* A layer: its key, the conditions it accepts (cls), its IP version, the
 * built-in IPsec callouts a filter there may name, its identifier (the
 * display name: no public source gives the names Windows shows, see
 * docs/CONTRACT.md) and its runtime id. */
struct pol_layer {
	const GUID *key;
	unsigned cls;
	bool v6;
	const GUID *callouts[2];
	const char *name;
	UINT16 id;
};

/* Runtime layer ids are the FWPS_BUILTIN_LAYERS enumeration values of the
 * WDK's fwpsk.h (Windows 10 SDK; members numbered from 0 in declaration
 * order: FWPS_LAYER_INBOUND_IPPACKET_V4 = 0, ..._V4_DISCARD = 1, ...,
 * FWPS_LAYER_ALE_AUTH_CONNECT_V6 = 50), as the documentation page
 * "FWPS_BUILTIN_LAYERS enumeration (fwpsk.h)" lists them. */
#define LAYER(k, c, v6, id, ...) { &k, c, v6, { __VA_ARGS__ }, #k, id }

static const struct pol_layer layers[] = {
	LAYER(FWPM_LAYER_INBOUND_IPPACKET_V4, LC_IPPKT_IN, false, 0, NULL),
	LAYER(FWPM_LAYER_INBOUND_IPPACKET_V6, LC_IPPKT_IN, true, 2, NULL),
	LAYER(FWPM_LAYER_OUTBOUND_IPPACKET_V4, LC_IPPKT_OUT, false, 4, NULL),
	LAYER(FWPM_LAYER_OUTBOUND_IPPACKET_V6, LC_IPPKT_OUT, true, 6, NULL),
	LAYER(FWPM_LAYER_IPFORWARD_V4, LC_FWD, false, 8,
	      &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4,
	      &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4),
	LAYER(FWPM_LAYER_IPFORWARD_V6, LC_FWD, true, 10,
	      &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6,
	      &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6),
	LAYER(FWPM_LAYER_INBOUND_TRANSPORT_V4, LC_TRANS_IN, false, 12,
	      &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4),
	LAYER(FWPM_LAYER_INBOUND_TRANSPORT_V6, LC_TRANS_IN, true, 14,
	      &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6),
	LAYER(FWPM_LAYER_OUTBOUND_TRANSPORT_V4, LC_TRANS_OUT, false, 16,
	      &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4),
	LAYER(FWPM_LAYER_OUTBOUND_TRANSPORT_V6, LC_TRANS_OUT, true, 18,
	      &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6),
	LAYER(FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, LC_ALE_RECV, false, 44,
	      &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4,
	      &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4),
	LAYER(FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6, LC_ALE_RECV, true, 46,
	      &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6,
	      &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6),
	LAYER(FWPM_LAYER_ALE_AUTH_CONNECT_V4, LC_ALE_CONN, false, 48,
	      &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4),
	LAYER(FWPM_LAYER_ALE_AUTH_CONNECT_V6, LC_ALE_CONN, true, 50,
	      &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6),
};

/* Every built-in IPsec callout with the layer it applies to (the
 * documentation's "WFP built-in callout identifiers": transport, forward,
 * ALE accept; the ALE-connect callout, "not applicable" there, is taken at
 * ALE auth connect as filters use it; the DoS-protection callouts at the
 * forward layer). An unknown GUID is FWP_E_CALLOUT_NOT_FOUND, a known one at
 * the wrong layer FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER. Windows assigns
 * calloutId at run time and no public source lists the values: here it is
 * the position in this table plus one, stable across releases (append
 * only). */
struct pol_callout {
	const GUID *key;
	const GUID *layer;
	const char *name;
};

#define CALLOUT(k, l) { &k, &l, #k }

static const struct pol_callout ipsec_callouts[] = {
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, FWPM_LAYER_INBOUND_TRANSPORT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6, FWPM_LAYER_INBOUND_TRANSPORT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, FWPM_LAYER_OUTBOUND_TRANSPORT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6, FWPM_LAYER_OUTBOUND_TRANSPORT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, FWPM_LAYER_INBOUND_TRANSPORT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6, FWPM_LAYER_INBOUND_TRANSPORT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, FWPM_LAYER_OUTBOUND_TRANSPORT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6, FWPM_LAYER_OUTBOUND_TRANSPORT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4, FWPM_LAYER_IPFORWARD_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6, FWPM_LAYER_IPFORWARD_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4, FWPM_LAYER_IPFORWARD_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6, FWPM_LAYER_IPFORWARD_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4,
		FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6,
		FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4,
		FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6,
		FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4, FWPM_LAYER_ALE_AUTH_CONNECT_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6, FWPM_LAYER_ALE_AUTH_CONNECT_V6),
	CALLOUT(FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4, FWPM_LAYER_IPFORWARD_V4),
	CALLOUT(FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V6, FWPM_LAYER_IPFORWARD_V6),
};

enum field_type { FT_ADDR, FT_U8, FT_U16, FT_ADDR_TYPE, FT_LUID };

struct pol_field {
	const GUID *key;
	enum field_type type;
	unsigned cls;
};

static const struct pol_field fields[] = {
	{ &FWPM_CONDITION_IP_LOCAL_ADDRESS, FT_ADDR, LC_ALL_BUT_FWD },
	{ &FWPM_CONDITION_IP_REMOTE_ADDRESS, FT_ADDR, LC_ALL_BUT_FWD },
	{ &FWPM_CONDITION_IP_SOURCE_ADDRESS, FT_ADDR, LC_FWD },
	{ &FWPM_CONDITION_IP_DESTINATION_ADDRESS, FT_ADDR, LC_FWD },
	{ &FWPM_CONDITION_IP_PROTOCOL, FT_U8, LC_PORTS },
	{ &FWPM_CONDITION_IP_LOCAL_PORT, FT_U16, LC_PORTS },
	{ &FWPM_CONDITION_IP_REMOTE_PORT, FT_U16, LC_PORTS },
	{ &FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE, FT_ADDR_TYPE, LC_ALL_BUT_FWD },
	{ &FWPM_CONDITION_IP_LOCAL_INTERFACE, FT_LUID, LC_ALL_BUT_FWD | LC_FWD },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

const struct pol_layer *pol_layer_find(const GUID *key)
{
	for (size_t i = 0; i < N(layers); i++)
		if (guid_eq(layers[i].key, key))
			return &layers[i];
	return NULL;
}

int pol_layer_index(const GUID *key, bool *v6)
{
	const struct pol_layer *l = pol_layer_find(key);

	if (!l)
		return -1;
	*v6 = l->v6;
	return (int)(l - layers);
}

bool pol_layer_is_transport(const GUID *key, bool *v6)
{
	const struct pol_layer *l = pol_layer_find(key);

	if (!l || !(l->cls & (LC_TRANS_IN | LC_TRANS_OUT)))
		return false;
	*v6 = l->v6;
	return true;
}

static const struct pol_field *field_find(const GUID *key)
{
	for (size_t i = 0; i < N(fields); i++)
		if (guid_eq(fields[i].key, key))
			return &fields[i];
	return NULL;
}

/* The scalar value types a field accepts (addresses by IP version). */
static bool scalar_fits(const struct pol_layer *l, enum field_type ft, FWP_DATA_TYPE t)
{
	switch (ft) {
	case FT_ADDR:
		return t == (l->v6 ? FWP_BYTE_ARRAY16_TYPE : FWP_UINT32);
	case FT_U8:
	case FT_ADDR_TYPE:
		return t == FWP_UINT8;
	case FT_U16:
		return t == FWP_UINT16;
	case FT_LUID:
		return t == FWP_UINT64;
	}
	return false;
}

static bool ordered_match(FWP_MATCH_TYPE m)
{
	switch (m) {
	case FWP_MATCH_EQUAL:
	case FWP_MATCH_GREATER:
	case FWP_MATCH_LESS:
	case FWP_MATCH_GREATER_OR_EQUAL:
	case FWP_MATCH_LESS_OR_EQUAL:
	case FWP_MATCH_NOT_EQUAL:
		return true;
	default:
		return false;
	}
}

/* -1, 0, 1 comparing two values of the same scalar type (pointers checked). */
static int scalar_cmp(const FWP_VALUE0 *a, const FWP_VALUE0 *b)
{
	uint64_t x, y;

	switch (a->type) {
	case FWP_UINT8:
		x = a->uint8, y = b->uint8;
		break;
	case FWP_UINT16:
		x = a->uint16, y = b->uint16;
		break;
	case FWP_UINT32:
		x = a->uint32, y = b->uint32;
		break;
	case FWP_UINT64:
		x = *a->uint64, y = *b->uint64;
		break;
	case FWP_BYTE_ARRAY16_TYPE: {
		int c = memcmp(a->byteArray16->byteArray16, b->byteArray16->byteArray16, 16);

		return (c > 0) - (c < 0);
	}
	default:
		return 0;
	}
	return (x > y) - (x < y);
}

static bool scalar_ptr_ok(FWP_DATA_TYPE t, const void *p)
{
	return !(t == FWP_UINT64 || t == FWP_BYTE_ARRAY16_TYPE) || p != NULL;
}

static DWORD check_condition(const struct pol_layer *l, const FWPM_FILTER_CONDITION0 *c)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	const struct pol_field *f = field_find(&c->fieldKey);

	if (!f || !(f->cls & l->cls))
		return FWP_E_CONDITION_NOT_FOUND;
	if ((UINT32)c->matchType >= FWP_MATCH_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	switch (v->type) {
	case FWP_V4_ADDR_MASK: {
		UINT32 m;

		if (f->type != FT_ADDR || l->v6)
			return FWP_E_TYPE_MISMATCH;
		if (c->matchType != FWP_MATCH_EQUAL && c->matchType != FWP_MATCH_NOT_EQUAL)
			return FWP_E_MATCH_TYPE_MISMATCH;
		if (!v->v4AddrMask)
			return FWP_E_NULL_POINTER;
		m = v->v4AddrMask->mask;
		if (m & (~m >> 1))	/* ones must be contiguous from the top */
			return FWP_E_INVALID_NET_MASK;
		return ERROR_SUCCESS;
	}
	case FWP_V6_ADDR_MASK:
		if (f->type != FT_ADDR || !l->v6)
			return FWP_E_TYPE_MISMATCH;
		if (c->matchType != FWP_MATCH_EQUAL && c->matchType != FWP_MATCH_NOT_EQUAL)
			return FWP_E_MATCH_TYPE_MISMATCH;
		if (!v->v6AddrMask)
			return FWP_E_NULL_POINTER;
		if (v->v6AddrMask->prefixLength > 128)
			return FWP_E_INVALID_NET_MASK;
		return ERROR_SUCCESS;
	case FWP_RANGE_TYPE: {
		const FWP_RANGE0 *r = v->rangeValue;

		if (c->matchType != FWP_MATCH_RANGE)
			return FWP_E_MATCH_TYPE_MISMATCH;
		if (!r)
			return FWP_E_NULL_POINTER;
		if (r->valueLow.type != r->valueHigh.type)
			return FWP_E_INVALID_RANGE;
		if (!scalar_fits(l, f->type, r->valueLow.type))
			return FWP_E_TYPE_MISMATCH;
		if (!scalar_ptr_ok(r->valueLow.type, r->valueLow.uint64) ||
		    !scalar_ptr_ok(r->valueHigh.type, r->valueHigh.uint64))
			return FWP_E_NULL_POINTER;
		if (scalar_cmp(&r->valueLow, &r->valueHigh) > 0)
			return FWP_E_INVALID_RANGE;
		return ERROR_SUCCESS;
	}
	default:
		if (!scalar_fits(l, f->type, v->type))
			return FWP_E_TYPE_MISMATCH;
		if (!ordered_match(c->matchType))
			return FWP_E_MATCH_TYPE_MISMATCH;
		if (!scalar_ptr_ok(v->type, v->uint64))
			return FWP_E_NULL_POINTER;
		return ERROR_SUCCESS;
	}
}

DWORD pol_check_conditions(const struct pol_layer *l, UINT32 n,
			   const FWPM_FILTER_CONDITION0 *c)
{
	if (n && !c)
		return FWP_E_NULL_POINTER;
	for (UINT32 i = 0; i < n; i++) {
		DWORD rc = check_condition(l, &c[i]);

		if (rc)
			return rc;
	}
	return ERROR_SUCCESS;
}

DWORD pol_check_action(const struct pol_layer *l, const FWPM_ACTION0 *a)
{
	bool known = false;

	switch (a->type) {
	case FWP_ACTION_BLOCK:
	case FWP_ACTION_PERMIT:
		return ERROR_SUCCESS;
	case FWP_ACTION_CALLOUT_TERMINATING:
	case FWP_ACTION_CALLOUT_INSPECTION:
	case FWP_ACTION_CALLOUT_UNKNOWN:
		break;
	default:
		return FWP_E_INVALID_ACTION_TYPE;
	}
	for (size_t i = 0; i < N(l->callouts); i++)
		if (l->callouts[i] && guid_eq(l->callouts[i], &a->calloutKey))
			return ERROR_SUCCESS;
	for (size_t i = 0; i < N(ipsec_callouts); i++)
		if (guid_eq(ipsec_callouts[i].key, &a->calloutKey))
			known = true;
	return known ? FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER : FWP_E_CALLOUT_NOT_FOUND;
}

/* ---- the tables as FWPM_LAYER0 / FWPM_CALLOUT0 (layers.h) ---- */

size_t builtin_layer_count(void)
{
	return N(layers);
}

size_t builtin_callout_count(void)
{
	return N(ipsec_callouts);
}

int builtin_layer_by_key(const GUID *key)
{
	const struct pol_layer *l = key ? pol_layer_find(key) : NULL;

	return l ? (int)(l - layers) : -1;
}

int builtin_layer_by_id(UINT16 id)
{
	for (size_t i = 0; i < N(layers); i++)
		if (layers[i].id == id)
			return (int)i;
	return -1;
}

int builtin_callout_by_key(const GUID *key)
{
	for (size_t i = 0; key && i < N(ipsec_callouts); i++)
		if (guid_eq(ipsec_callouts[i].key, key))
			return (int)i;
	return -1;
}

int builtin_callout_by_id(UINT32 id)
{
	return id >= 1 && id <= N(ipsec_callouts) ? (int)id - 1 : -1;
}

const GUID *builtin_callout_layer(size_t i)
{
	return ipsec_callouts[i].layer;
}

/* The identifier as the display name (ASCII, so widening is a copy). */
static wchar_t *flat_name(struct flat *f, const char *s)
{
	size_t n = strlen(s);
	wchar_t *w = FLAT_ARRAY(f, wchar_t, n + 1);

	for (size_t i = 0; w && i < n; i++)
		w[i] = (wchar_t)(unsigned char)s[i];
	return w;
}

/* What FWPM_FIELD0 says of a field at layer l: address fields are typed
 * by the layer's IP version, as the conditions they accept are. */
static void field_fill(struct flat *f, const struct pol_layer *l,
		       const struct pol_field *pf, FWPM_FIELD0 *out)
{
	out->fieldKey = flat_dup(f, pf->key, sizeof(GUID), _Alignof(GUID));
	out->type = FWPM_FIELD_RAW_DATA;
	switch (pf->type) {
	case FT_ADDR:
		out->type = FWPM_FIELD_IP_ADDRESS;
		out->dataType = l->v6 ? FWP_BYTE_ARRAY16_TYPE : FWP_UINT32;
		break;
	case FT_U8:
	case FT_ADDR_TYPE:
		out->dataType = FWP_UINT8;
		break;
	case FT_U16:
		out->dataType = FWP_UINT16;
		break;
	case FT_LUID:
		out->dataType = FWP_UINT64;
		break;
	}
}

void builtin_layer_fill(struct flat *f, size_t i, FWPM_LAYER0 *out)
{
	const struct pol_layer *l = &layers[i];
	FWPM_FIELD0 *fa;
	UINT32 n = 0;

	for (size_t j = 0; j < N(fields); j++)
		n += !!(fields[j].cls & l->cls);
	out->layerKey = *l->key;
	out->displayData.name = flat_name(f, l->name);
	/* Classified by the datapath, never by a user process; not removable. */
	out->flags = FWPM_LAYER_FLAG_KERNEL | FWPM_LAYER_FLAG_BUILTIN;
	out->numFields = n;
	/* Never read back what was written: while measuring, every take
	 * hands out the same scratch memory (common/flat.h). */
	fa = FLAT_ARRAY(f, FWPM_FIELD0, n);
	out->field = fa;
	for (size_t j = 0, k = 0; fa && j < N(fields); j++)
		if (fields[j].cls & l->cls)
			field_fill(f, l, &fields[j], &fa[k++]);
	/* Where a filter with a zero subLayerKey goes (policy_filter.c). */
	out->defaultSubLayerKey = FWPM_SUBLAYER_UNIVERSAL;
	out->layerId = l->id;
}

void builtin_callout_fill(struct flat *f, size_t i, FWPM_CALLOUT0 *out)
{
	const struct pol_callout *c = &ipsec_callouts[i];

	out->calloutKey = *c->key;
	out->displayData.name = flat_name(f, c->name);
	out->flags = 0;
	out->providerKey = NULL;
	out->applicableLayer = *c->layer;
	out->calloutId = (UINT32)i + 1;
}
