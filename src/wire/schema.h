/* schema.h - descriptions of the Windows structs that cross the engine
 * service's socket (and that persistent objects are stored as).
 *
 * One generic codec (codec.c) walks these tables, so every struct nests on
 * the wire exactly as in memory: pointers become nested attributes (absent
 * when NULL), arrays become a nest of elements, anonymous unions carry the
 * arm that their selector field names. Field i of a struct is attribute
 * type i + 1. Values are host-endian: the socket never leaves the machine.
 *
 * Tables are const and global; nothing here is ever freed.
 */
#ifndef FWP_WIRE_SCHEMA_H
#define FWP_WIRE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <fwpmu.h>

enum wf_kind {
	WF_NONE = 0,	/* carries nothing (e.g. the FWP_EMPTY arm) */
	WF_U8,	/* scalars: enums and BOOL are U32, float U32, */
	WF_U16,		/* double and INT64 through pointers are PTR_RAW */
	WF_U32,
	WF_U64,
	WF_RAW,		/* fixed-size bytes in place (GUIDs, addresses) */
	WF_STRUCT,	/* a struct in place */
	WF_PTR,		/* pointer to one struct, or NULL */
	WF_ARRAY,	/* pointer to count structs; count is a UINT32 field */
	WF_WSTR,	/* NUL-terminated wchar_t string, or NULL */
	WF_BLOB,	/* an FWP_BYTE_BLOB in place {size, data} */
	WF_PTR_RAW,	/* pointer to fixed-size bytes, or NULL */
	WF_UNION,	/* anonymous union; the arm is chosen by a selector */
};

/* Field flags. */
#define WF_SECRET 0x1	/* key material: wiped wherever decoded */

struct wf_struct;
struct wf_arm;

struct wf_field {
	uint8_t kind;
	uint8_t flags;
	uint32_t offset;
	uint32_t size;			/* RAW, PTR_RAW: bytes */
	const struct wf_struct *sub;	/* STRUCT, PTR, ARRAY */
	uint32_t count_offset;		/* ARRAY: its UINT32 count field */
	uint32_t max_count;		/* ARRAY: bound checked on decode */
	uint32_t selector_offset;	/* UNION: a UINT32 field of the struct */
	const struct wf_arm *arms;	/* UNION */
	uint16_t narms;
};

struct wf_arm {
	uint32_t value;			/* selector value */
	struct wf_field field;		/* at the union's offset */
};

struct wf_struct {
	const char *name;
	uint32_t size;
	uint32_t align;
	const struct wf_field *fields;
	uint16_t nfields;
};

/* The SA-context family. */
extern const struct wf_struct wf_IPSEC_TRAFFIC1;
extern const struct wf_struct wf_IPSEC_VIRTUAL_IF_TUNNEL_INFO0;
extern const struct wf_struct wf_IPSEC_GETSPI1;
extern const struct wf_struct wf_IPSEC_SA_BUNDLE1;
extern const struct wf_struct wf_IPSEC_SA_DETAILS1;
extern const struct wf_struct wf_IPSEC_SA_CONTEXT1;
extern const struct wf_struct wf_IPSEC_KEYMODULE_STATE0;
extern const struct wf_struct wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0;
extern const struct wf_struct wf_IPSEC_SA_ENUM_TEMPLATE0;
extern const struct wf_struct wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0;
extern const struct wf_struct wf_FWPM_SESSION0;
extern const struct wf_struct wf_FWP_VALUE0;
extern const struct wf_struct wf_FWP_CONDITION_VALUE0;
extern const struct wf_struct wf_FWPM_FILTER0;
extern const struct wf_struct wf_FWPM_NET_EVENT_ENUM_TEMPLATE0;
extern const struct wf_struct wf_FWPM_NET_EVENT_SUBSCRIPTION0;

/* A net-event record (engine/net_event.h: pointer-free, 96 bytes) as an
 * enumeration entry; the receiver checks it with net_event_valid(). */
typedef struct WF_NET_EVENT_RECORD {
	_Alignas(8) uint8_t raw[96];
} WF_NET_EVENT_RECORD;
extern const struct wf_struct wf_WF_NET_EVENT_RECORD;

/* Policy objects (stored by the engine as wf_clone'd blocks). */
extern const struct wf_struct wf_FWPM_PROVIDER0;
extern const struct wf_struct wf_FWPM_SUBLAYER0;
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT0;
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT1;
/* Client-side copies of versions 2 and 3 (never on the wire). */
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT2;
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT3;
extern const struct wf_struct wf_IKEEXT_POLICY0;
extern const struct wf_struct wf_IKEEXT_POLICY1;
extern const struct wf_struct wf_FWPM_PROVIDER_ENUM_TEMPLATE0;
extern const struct wf_struct wf_FWPM_SUBLAYER_ENUM_TEMPLATE0;
extern const struct wf_struct wf_FWPM_FILTER_ENUM_TEMPLATE0;
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

/* Policy objects by kind (engine/policy_kind.h order: provider, sublayer,
 * filter, provider context): the object and its enumeration template. */
#define WF_POL_KINDS 4
extern const struct wf_struct *const wf_pol_object[WF_POL_KINDS];
extern const struct wf_struct *const wf_pol_template[WF_POL_KINDS];
/* ... and its change subscription (FWPM_<kind>_SUBSCRIPTION0). */
extern const struct wf_struct wf_FWPM_PROVIDER_SUBSCRIPTION0;
extern const struct wf_struct wf_FWPM_SUBLAYER_SUBSCRIPTION0;
extern const struct wf_struct wf_FWPM_FILTER_SUBSCRIPTION0;
extern const struct wf_struct wf_FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0;
extern const struct wf_struct *const wf_pol_subscription[WF_POL_KINDS];

#endif
