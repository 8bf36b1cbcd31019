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

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define LC_ALL_BUT_FWD (LC_IPPKT_IN | LC_IPPKT_OUT | LC_TRANS_IN | LC_TRANS_OUT | \
			LC_ALE_CONN | LC_ALE_RECV)
#define LC_PORTS (LC_TRANS_IN | LC_TRANS_OUT | LC_ALE_CONN | LC_ALE_RECV)

/* What a layer this engine filters at accepts: the conditions (cls), its
 * IP version and the built-in IPsec callouts a filter there may name. The
 * position in this table is the layer index the classifier uses. */
struct pol_layer {
	unsigned cls;
	bool v6;
	const GUID *callouts[2];
};

enum {
	FL_IPPKT_IN_V4, FL_IPPKT_IN_V6, FL_IPPKT_OUT_V4, FL_IPPKT_OUT_V6,
	FL_FWD_V4, FL_FWD_V6, FL_TRANS_IN_V4, FL_TRANS_IN_V6,
	FL_TRANS_OUT_V4, FL_TRANS_OUT_V6, FL_RECV_V4, FL_RECV_V6,
	FL_CONN_V4, FL_CONN_V6,
};

static const struct pol_layer layers[] = {
	[FL_IPPKT_IN_V4] = { LC_IPPKT_IN, false, { NULL } },
	[FL_IPPKT_IN_V6] = { LC_IPPKT_IN, true, { NULL } },
	[FL_IPPKT_OUT_V4] = { LC_IPPKT_OUT, false, { NULL } },
	[FL_IPPKT_OUT_V6] = { LC_IPPKT_OUT, true, { NULL } },
	[FL_FWD_V4] = { LC_FWD, false,
		{ &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4,
		  &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4 } },
	[FL_FWD_V6] = { LC_FWD, true,
		{ &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6,
		  &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6 } },
	[FL_TRANS_IN_V4] = { LC_TRANS_IN, false,
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4 } },
	[FL_TRANS_IN_V6] = { LC_TRANS_IN, true,
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6, &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6 } },
	[FL_TRANS_OUT_V4] = { LC_TRANS_OUT, false,
		{ &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4 } },
	[FL_TRANS_OUT_V6] = { LC_TRANS_OUT, true,
		{ &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6, &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6 } },
	[FL_RECV_V4] = { LC_ALE_RECV, false,
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4,
		  &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4 } },
	[FL_RECV_V6] = { LC_ALE_RECV, true,
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6,
		  &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6 } },
	[FL_CONN_V4] = { LC_ALE_CONN, false, { &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4 } },
	[FL_CONN_V6] = { LC_ALE_CONN, true, { &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6 } },
};

/* ---- every built-in layer, as FwpmLayer* return them ----
 *
 * Source of the runtime ids and of the field lists: the FWPS_BUILTIN_LAYERS
 * and FWPS_FIELDS_<LAYER> enumerations of the WDK's fwpsk.h, read in the
 * preprocessed Windows 10 copy of the public repository
 * jchoi2022/NtFuzz-HeaderData (include/fwpsk_bf278d97.h). Enumerators
 * count from 0 in declaration order (FWPS_LAYER_INBOUND_IPPACKET_V4 = 0,
 * ..._ALE_AUTH_CONNECT_V6 = 50, ..._KM_AUTHORIZATION = 102). The layer
 * keys are those of policy-facts §2.2; four of them have no value in that
 * enumeration (INBOUND/OUTBOUND_MAC_FRAME_NATIVE and the two
 * OUTBOUND_NETWORK_CONNECTION_POLICY layers) and are not listed, no id
 * being invented for them.
 *
 * A field is listed with its FWPM_CONDITION_* GUID and the data type the
 * documentation ("Filtering condition identifiers", policy-facts §3)
 * gives its condition. Fields left out, and why: the RESERVED ones and
 * the BITMAP_* ones (the later SDKs dropped them); PEER_NAME, QM_MODE,
 * SIO_FIREWALL_SOCKET_PROPERTY, the MAC, L2, NDIS, VLAN, ether-type,
 * vSwitch and vSwitch source/destination-port fields, the RPC layers'
 * and KM authorization's fields other than DIRECTION: the references
 * give no data type for their conditions. The header's PROFILE_ID field
 * is the CURRENT_PROFILE_ID condition, SIO_FIREWALL_SYSTEM_PORT and
 * NAP_CONTEXT the ALE_ ones, ICMP_TYPE/ICMP_CODE the local/remote port
 * GUIDs (the SDK's aliases). V4, V6 and _DISCARD layers of one kind have
 * the same list. */

enum cond {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_SRC_ADDR, C_DST_ADDR, C_EMB_REMOTE_ADDR,
	C_LOCAL_ADDR_TYPE, C_DST_ADDR_TYPE, C_EMB_LOCAL_ADDR_TYPE, C_PROTOCOL,
	C_EMB_PROTOCOL, C_LOCAL_PORT, C_REMOTE_PORT, C_EMB_LOCAL_PORT,
	C_EMB_REMOTE_PORT, C_ORIG_ICMP_TYPE, C_LOCAL_IF, C_ARRIVAL_IF,
	C_NEXTHOP_IF, C_FORWARD_IF, C_PHYS_ARRIVAL_IF, C_PHYS_NEXTHOP_IF,
	C_QUARANTINE_EPOCH, C_IF_INDEX, C_SUB_IF_INDEX, C_ARRIVAL_IF_INDEX,
	C_NEXTHOP_IF_INDEX, C_NEXTHOP_SUB_IF_INDEX, C_SRC_IF_INDEX,
	C_SRC_SUB_IF_INDEX, C_DST_IF_INDEX, C_DST_SUB_IF_INDEX, C_IF_TYPE,
	C_TUNNEL_TYPE, C_ARRIVAL_IF_TYPE, C_ARRIVAL_TUNNEL_TYPE, C_NEXTHOP_IF_TYPE,
	C_NEXTHOP_TUNNEL_TYPE, C_CUR_PROFILE, C_ORIG_PROFILE, C_ARRIVAL_PROFILE,
	C_NEXTHOP_PROFILE, C_LOCAL_IF_PROFILE, C_FLAGS, C_DIRECTION, C_REAUTH,
	C_PROMISC, C_SIO_SYSTEM_PORT, C_NAP_CONTEXT, C_COMPARTMENT, C_APP_ID,
	C_ORIG_APP_ID, C_FQBN, C_REALM, C_EFFECTIVE_NAME, C_USER_ID,
	C_REMOTE_USER_ID, C_REMOTE_MACHINE_ID, C_PACKAGE_ID,
};

/* DT_ADDR: FWP_UINT32 or FWP_BYTE_ARRAY16_TYPE by the layer's IP version. */
#define DT_ADDR FWP_DATA_TYPE_MAX

static const struct cond_def {
	const GUID *key;
	FWP_DATA_TYPE type;
} conds[] = {
	[C_LOCAL_ADDR] = { &FWPM_CONDITION_IP_LOCAL_ADDRESS, DT_ADDR },
	[C_REMOTE_ADDR] = { &FWPM_CONDITION_IP_REMOTE_ADDRESS, DT_ADDR },
	[C_SRC_ADDR] = { &FWPM_CONDITION_IP_SOURCE_ADDRESS, DT_ADDR },
	[C_DST_ADDR] = { &FWPM_CONDITION_IP_DESTINATION_ADDRESS, DT_ADDR },
	[C_EMB_REMOTE_ADDR] = { &FWPM_CONDITION_EMBEDDED_REMOTE_ADDRESS, DT_ADDR },
	[C_LOCAL_ADDR_TYPE] = { &FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE, FWP_UINT8 },
	[C_DST_ADDR_TYPE] = { &FWPM_CONDITION_IP_DESTINATION_ADDRESS_TYPE, FWP_UINT8 },
	[C_EMB_LOCAL_ADDR_TYPE] = { &FWPM_CONDITION_EMBEDDED_LOCAL_ADDRESS_TYPE, FWP_UINT8 },
	[C_PROTOCOL] = { &FWPM_CONDITION_IP_PROTOCOL, FWP_UINT8 },
	[C_EMB_PROTOCOL] = { &FWPM_CONDITION_EMBEDDED_PROTOCOL, FWP_UINT8 },
	[C_LOCAL_PORT] = { &FWPM_CONDITION_IP_LOCAL_PORT, FWP_UINT16 },
	[C_REMOTE_PORT] = { &FWPM_CONDITION_IP_REMOTE_PORT, FWP_UINT16 },
	[C_EMB_LOCAL_PORT] = { &FWPM_CONDITION_EMBEDDED_LOCAL_PORT, FWP_UINT16 },
	[C_EMB_REMOTE_PORT] = { &FWPM_CONDITION_EMBEDDED_REMOTE_PORT, FWP_UINT16 },
	[C_ORIG_ICMP_TYPE] = { &FWPM_CONDITION_ORIGINAL_ICMP_TYPE, FWP_UINT16 },
	[C_LOCAL_IF] = { &FWPM_CONDITION_IP_LOCAL_INTERFACE, FWP_UINT64 },
	[C_ARRIVAL_IF] = { &FWPM_CONDITION_IP_ARRIVAL_INTERFACE, FWP_UINT64 },
	[C_NEXTHOP_IF] = { &FWPM_CONDITION_IP_NEXTHOP_INTERFACE, FWP_UINT64 },
	[C_FORWARD_IF] = { &FWPM_CONDITION_IP_FORWARD_INTERFACE, FWP_UINT64 },
	[C_PHYS_ARRIVAL_IF] = { &FWPM_CONDITION_IP_PHYSICAL_ARRIVAL_INTERFACE, FWP_UINT64 },
	[C_PHYS_NEXTHOP_IF] = { &FWPM_CONDITION_IP_PHYSICAL_NEXTHOP_INTERFACE, FWP_UINT64 },
	[C_QUARANTINE_EPOCH] = { &FWPM_CONDITION_INTERFACE_QUARANTINE_EPOCH, FWP_UINT64 },
	[C_IF_INDEX] = { &FWPM_CONDITION_INTERFACE_INDEX, FWP_UINT32 },
	[C_SUB_IF_INDEX] = { &FWPM_CONDITION_SUB_INTERFACE_INDEX, FWP_UINT32 },
	[C_ARRIVAL_IF_INDEX] = { &FWPM_CONDITION_ARRIVAL_INTERFACE_INDEX, FWP_UINT32 },
	[C_NEXTHOP_IF_INDEX] = { &FWPM_CONDITION_NEXTHOP_INTERFACE_INDEX, FWP_UINT32 },
	[C_NEXTHOP_SUB_IF_INDEX] = { &FWPM_CONDITION_NEXTHOP_SUB_INTERFACE_INDEX, FWP_UINT32 },
	[C_SRC_IF_INDEX] = { &FWPM_CONDITION_SOURCE_INTERFACE_INDEX, FWP_UINT32 },
	[C_SRC_SUB_IF_INDEX] = { &FWPM_CONDITION_SOURCE_SUB_INTERFACE_INDEX, FWP_UINT32 },
	[C_DST_IF_INDEX] = { &FWPM_CONDITION_DESTINATION_INTERFACE_INDEX, FWP_UINT32 },
	[C_DST_SUB_IF_INDEX] = { &FWPM_CONDITION_DESTINATION_SUB_INTERFACE_INDEX, FWP_UINT32 },
	[C_IF_TYPE] = { &FWPM_CONDITION_INTERFACE_TYPE, FWP_UINT32 },
	[C_TUNNEL_TYPE] = { &FWPM_CONDITION_TUNNEL_TYPE, FWP_UINT32 },
	[C_ARRIVAL_IF_TYPE] = { &FWPM_CONDITION_ARRIVAL_INTERFACE_TYPE, FWP_UINT32 },
	[C_ARRIVAL_TUNNEL_TYPE] = { &FWPM_CONDITION_ARRIVAL_TUNNEL_TYPE, FWP_UINT32 },
	[C_NEXTHOP_IF_TYPE] = { &FWPM_CONDITION_NEXTHOP_INTERFACE_TYPE, FWP_UINT32 },
	[C_NEXTHOP_TUNNEL_TYPE] = { &FWPM_CONDITION_NEXTHOP_TUNNEL_TYPE, FWP_UINT32 },
	[C_CUR_PROFILE] = { &FWPM_CONDITION_CURRENT_PROFILE_ID, FWP_UINT32 },
	[C_ORIG_PROFILE] = { &FWPM_CONDITION_ORIGINAL_PROFILE_ID, FWP_UINT32 },
	[C_ARRIVAL_PROFILE] = { &FWPM_CONDITION_ARRIVAL_INTERFACE_PROFILE_ID, FWP_UINT32 },
	[C_NEXTHOP_PROFILE] = { &FWPM_CONDITION_NEXTHOP_INTERFACE_PROFILE_ID, FWP_UINT32 },
	[C_LOCAL_IF_PROFILE] = { &FWPM_CONDITION_LOCAL_INTERFACE_PROFILE_ID, FWP_UINT32 },
	[C_FLAGS] = { &FWPM_CONDITION_FLAGS, FWP_UINT32 },
	[C_DIRECTION] = { &FWPM_CONDITION_DIRECTION, FWP_UINT32 },
	[C_REAUTH] = { &FWPM_CONDITION_REAUTHORIZE_REASON, FWP_UINT32 },
	[C_PROMISC] = { &FWPM_CONDITION_ALE_PROMISCUOUS_MODE, FWP_UINT32 },
	[C_SIO_SYSTEM_PORT] = { &FWPM_CONDITION_ALE_SIO_FIREWALL_SYSTEM_PORT, FWP_UINT32 },
	[C_NAP_CONTEXT] = { &FWPM_CONDITION_ALE_NAP_CONTEXT, FWP_UINT32 },
	[C_COMPARTMENT] = { &FWPM_CONDITION_COMPARTMENT_ID, FWP_UINT32 },
	[C_APP_ID] = { &FWPM_CONDITION_ALE_APP_ID, FWP_BYTE_BLOB_TYPE },
	[C_ORIG_APP_ID] = { &FWPM_CONDITION_ALE_ORIGINAL_APP_ID, FWP_BYTE_BLOB_TYPE },
	[C_FQBN] = { &FWPM_CONDITION_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE, FWP_BYTE_BLOB_TYPE },
	[C_REALM] = { &FWPM_CONDITION_IPSEC_SECURITY_REALM_ID, FWP_BYTE_BLOB_TYPE },
	[C_EFFECTIVE_NAME] = { &FWPM_CONDITION_ALE_EFFECTIVE_NAME, FWP_BYTE_BLOB_TYPE },
	[C_USER_ID] = { &FWPM_CONDITION_ALE_USER_ID, FWP_SECURITY_DESCRIPTOR_TYPE },
	[C_REMOTE_USER_ID] = { &FWPM_CONDITION_ALE_REMOTE_USER_ID, FWP_SECURITY_DESCRIPTOR_TYPE },
	[C_REMOTE_MACHINE_ID] = { &FWPM_CONDITION_ALE_REMOTE_MACHINE_ID,
				  FWP_SECURITY_DESCRIPTOR_TYPE },
	[C_PACKAGE_ID] = { &FWPM_CONDITION_ALE_PACKAGE_ID, FWP_SID },
};

/* The field lists, in the header's order. */
static const uint8_t f_ippkt_in[] = {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_IF, C_IF_INDEX,
	C_SUB_IF_INDEX, C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE, C_COMPARTMENT,
};
static const uint8_t f_ippkt_out[] = {
	C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_REMOTE_ADDR, C_LOCAL_IF, C_IF_INDEX,
	C_SUB_IF_INDEX, C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE, C_COMPARTMENT,
};
static const uint8_t f_ipfwd[] = {
	C_SRC_ADDR, C_DST_ADDR, C_DST_ADDR_TYPE, C_LOCAL_IF, C_FORWARD_IF,
	C_SRC_IF_INDEX, C_SRC_SUB_IF_INDEX, C_DST_IF_INDEX, C_DST_SUB_IF_INDEX,
	C_FLAGS, C_PHYS_ARRIVAL_IF, C_ARRIVAL_PROFILE, C_PHYS_NEXTHOP_IF,
	C_NEXTHOP_PROFILE, C_COMPARTMENT,
};
static const uint8_t f_trans_in[] = {
	C_PROTOCOL, C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_REMOTE_PORT, C_LOCAL_IF, C_IF_INDEX, C_SUB_IF_INDEX, C_FLAGS, C_IF_TYPE,
	C_TUNNEL_TYPE, C_CUR_PROFILE, C_REALM, C_COMPARTMENT,
};
static const uint8_t f_trans_out[] = {
	C_PROTOCOL, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_REMOTE_ADDR, C_LOCAL_PORT,
	C_REMOTE_PORT, C_LOCAL_IF, C_IF_INDEX, C_SUB_IF_INDEX, C_DST_ADDR_TYPE,
	C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE, C_CUR_PROFILE, C_REALM, C_COMPARTMENT,
};
static const uint8_t f_stream[] = {
	C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_REMOTE_ADDR, C_LOCAL_PORT, C_REMOTE_PORT,
	C_DIRECTION, C_FLAGS, C_COMPARTMENT,
};
static const uint8_t f_datagram[] = {
	C_PROTOCOL, C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_REMOTE_PORT, C_LOCAL_IF, C_IF_INDEX, C_SUB_IF_INDEX, C_DIRECTION, C_FLAGS,
	C_IF_TYPE, C_TUNNEL_TYPE, C_COMPARTMENT,
};
static const uint8_t f_stream_packet[] = {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_PORT, C_REMOTE_PORT, C_LOCAL_IF,
	C_IF_INDEX, C_SUB_IF_INDEX, C_DIRECTION, C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE,
	C_COMPARTMENT,
};
static const uint8_t f_icmp_in[] = {
	C_EMB_PROTOCOL, C_LOCAL_ADDR, C_REMOTE_ADDR, C_EMB_REMOTE_ADDR,
	C_EMB_LOCAL_ADDR_TYPE, C_EMB_LOCAL_PORT, C_EMB_REMOTE_PORT, C_LOCAL_IF,
	C_LOCAL_PORT /* ICMP_TYPE */, C_REMOTE_PORT /* ICMP_CODE */, C_IF_INDEX,
	C_SUB_IF_INDEX, C_IF_TYPE, C_TUNNEL_TYPE, C_ARRIVAL_IF, C_ARRIVAL_IF_INDEX,
	C_ARRIVAL_IF_TYPE, C_ARRIVAL_TUNNEL_TYPE, C_FLAGS, C_ARRIVAL_PROFILE,
	C_QUARANTINE_EPOCH, C_COMPARTMENT,
};
static const uint8_t f_icmp_out[] = {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_IF,
	C_LOCAL_PORT /* ICMP_TYPE */, C_REMOTE_PORT /* ICMP_CODE */, C_IF_INDEX,
	C_SUB_IF_INDEX, C_IF_TYPE, C_TUNNEL_TYPE, C_FLAGS, C_NEXTHOP_PROFILE,
	C_QUARANTINE_EPOCH, C_COMPARTMENT,
};
static const uint8_t f_res_assign[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_PROMISC, C_LOCAL_IF, C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE,
	C_LOCAL_IF_PROFILE, C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_res_release[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_LOCAL_IF, C_FLAGS, C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_closure[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_REMOTE_ADDR, C_REMOTE_PORT, C_LOCAL_IF, C_FLAGS,
	C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_listen[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_LOCAL_IF, C_FLAGS, C_IF_TYPE, C_TUNNEL_TYPE, C_LOCAL_IF_PROFILE,
	C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_recv_accept[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_REMOTE_ADDR, C_REMOTE_PORT, C_REMOTE_USER_ID,
	C_REMOTE_MACHINE_ID, C_LOCAL_IF, C_FLAGS, C_SIO_SYSTEM_PORT, C_NAP_CONTEXT,
	C_IF_TYPE, C_TUNNEL_TYPE, C_IF_INDEX, C_SUB_IF_INDEX, C_ARRIVAL_IF,
	C_ARRIVAL_IF_TYPE, C_ARRIVAL_TUNNEL_TYPE, C_ARRIVAL_IF_INDEX,
	C_NEXTHOP_SUB_IF_INDEX, C_NEXTHOP_IF, C_NEXTHOP_IF_TYPE,
	C_NEXTHOP_TUNNEL_TYPE, C_NEXTHOP_IF_INDEX, C_ORIG_PROFILE, C_CUR_PROFILE,
	C_REAUTH, C_ORIG_ICMP_TYPE, C_QUARANTINE_EPOCH, C_PACKAGE_ID, C_FQBN,
	C_COMPARTMENT,
};
static const uint8_t f_bind_redirect[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_FLAGS, C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_connect_redirect[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_REMOTE_ADDR, C_DST_ADDR_TYPE, C_REMOTE_PORT, C_FLAGS,
	C_ORIG_APP_ID, C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_auth_connect[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_REMOTE_ADDR, C_REMOTE_PORT, C_REMOTE_USER_ID,
	C_REMOTE_MACHINE_ID, C_DST_ADDR_TYPE, C_LOCAL_IF, C_FLAGS, C_IF_TYPE,
	C_TUNNEL_TYPE, C_IF_INDEX, C_SUB_IF_INDEX, C_ARRIVAL_IF, C_ARRIVAL_IF_TYPE,
	C_ARRIVAL_TUNNEL_TYPE, C_ARRIVAL_IF_INDEX, C_NEXTHOP_SUB_IF_INDEX,
	C_NEXTHOP_IF, C_NEXTHOP_IF_TYPE, C_NEXTHOP_TUNNEL_TYPE, C_NEXTHOP_IF_INDEX,
	C_ORIG_PROFILE, C_CUR_PROFILE, C_REAUTH, C_ORIG_ICMP_TYPE,
	C_QUARANTINE_EPOCH, C_ORIG_APP_ID, C_PACKAGE_ID, C_FQBN, C_EFFECTIVE_NAME,
	C_COMPARTMENT,
};
static const uint8_t f_flow_established[] = {
	C_APP_ID, C_USER_ID, C_LOCAL_ADDR, C_LOCAL_ADDR_TYPE, C_LOCAL_PORT,
	C_PROTOCOL, C_REMOTE_ADDR, C_REMOTE_PORT, C_REMOTE_USER_ID,
	C_REMOTE_MACHINE_ID, C_DST_ADDR_TYPE, C_LOCAL_IF, C_DIRECTION, C_IF_TYPE,
	C_TUNNEL_TYPE, C_FLAGS, C_ORIG_APP_ID, C_PACKAGE_ID, C_FQBN, C_COMPARTMENT,
};
static const uint8_t f_name_cache[] = {
	C_USER_ID, C_APP_ID, C_REMOTE_ADDR, C_COMPARTMENT,
};
static const uint8_t f_mac_ethernet[] = { C_IF_INDEX, C_COMPARTMENT };
static const uint8_t f_vswitch_ethernet[] = { C_COMPARTMENT };
static const uint8_t f_vswitch_transport[] = {
	C_SRC_ADDR, C_DST_ADDR, C_PROTOCOL, C_COMPARTMENT,
};
static const uint8_t f_km_demux[] = {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_IF, C_CUR_PROFILE, C_REALM,
};
static const uint8_t f_ipsec[] = {
	C_PROTOCOL, C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_PORT, C_REMOTE_PORT,
	C_LOCAL_IF, C_CUR_PROFILE, C_REALM,
};
static const uint8_t f_ikeext[] = {
	C_LOCAL_ADDR, C_REMOTE_ADDR, C_LOCAL_IF, C_CUR_PROFILE, C_REALM,
};
static const uint8_t f_km_authorization[] = { C_DIRECTION };
static const uint8_t f_none[] = { 0 };	/* numFields 0 (see LNONE) */

/* A layer: key, identifier (the display name: no public source gives the
 * names Windows shows, see docs/CONTRACT.md), runtime id, IP version,
 * fields, and the filter rules when this engine filters there. */
struct layer_info {
	const GUID *key;
	const char *name;
	UINT16 id;
	bool v6;
	const uint8_t *fields;
	UINT32 nfields;
	const struct pol_layer *filt;
};

#define LF(k, id, v6, f, filt) \
	{ &FWPM_LAYER_##k, "FWPM_LAYER_" #k, id, v6, f, N(f), filt }
#define L4(k, id, f) LF(k, id, false, f, NULL)
#define L6(k, id, f) LF(k, id, true, f, NULL)
#define LNONE(k, id) { &FWPM_LAYER_##k, "FWPM_LAYER_" #k, id, false, f_none, 0, NULL }

static const struct layer_info all_layers[] = {
	LF(INBOUND_IPPACKET_V4, 0, false, f_ippkt_in, &layers[FL_IPPKT_IN_V4]),
	L4(INBOUND_IPPACKET_V4_DISCARD, 1, f_ippkt_in),
	LF(INBOUND_IPPACKET_V6, 2, true, f_ippkt_in, &layers[FL_IPPKT_IN_V6]),
	L6(INBOUND_IPPACKET_V6_DISCARD, 3, f_ippkt_in),
	LF(OUTBOUND_IPPACKET_V4, 4, false, f_ippkt_out, &layers[FL_IPPKT_OUT_V4]),
	L4(OUTBOUND_IPPACKET_V4_DISCARD, 5, f_ippkt_out),
	LF(OUTBOUND_IPPACKET_V6, 6, true, f_ippkt_out, &layers[FL_IPPKT_OUT_V6]),
	L6(OUTBOUND_IPPACKET_V6_DISCARD, 7, f_ippkt_out),
	LF(IPFORWARD_V4, 8, false, f_ipfwd, &layers[FL_FWD_V4]),
	L4(IPFORWARD_V4_DISCARD, 9, f_ipfwd),
	LF(IPFORWARD_V6, 10, true, f_ipfwd, &layers[FL_FWD_V6]),
	L6(IPFORWARD_V6_DISCARD, 11, f_ipfwd),
	LF(INBOUND_TRANSPORT_V4, 12, false, f_trans_in, &layers[FL_TRANS_IN_V4]),
	L4(INBOUND_TRANSPORT_V4_DISCARD, 13, f_trans_in),
	LF(INBOUND_TRANSPORT_V6, 14, true, f_trans_in, &layers[FL_TRANS_IN_V6]),
	L6(INBOUND_TRANSPORT_V6_DISCARD, 15, f_trans_in),
	LF(OUTBOUND_TRANSPORT_V4, 16, false, f_trans_out, &layers[FL_TRANS_OUT_V4]),
	L4(OUTBOUND_TRANSPORT_V4_DISCARD, 17, f_trans_out),
	LF(OUTBOUND_TRANSPORT_V6, 18, true, f_trans_out, &layers[FL_TRANS_OUT_V6]),
	L6(OUTBOUND_TRANSPORT_V6_DISCARD, 19, f_trans_out),
	L4(STREAM_V4, 20, f_stream),
	L4(STREAM_V4_DISCARD, 21, f_stream),
	L6(STREAM_V6, 22, f_stream),
	L6(STREAM_V6_DISCARD, 23, f_stream),
	L4(DATAGRAM_DATA_V4, 24, f_datagram),
	L4(DATAGRAM_DATA_V4_DISCARD, 25, f_datagram),
	L6(DATAGRAM_DATA_V6, 26, f_datagram),
	L6(DATAGRAM_DATA_V6_DISCARD, 27, f_datagram),
	L4(INBOUND_ICMP_ERROR_V4, 28, f_icmp_in),
	L4(INBOUND_ICMP_ERROR_V4_DISCARD, 29, f_icmp_in),
	L6(INBOUND_ICMP_ERROR_V6, 30, f_icmp_in),
	L6(INBOUND_ICMP_ERROR_V6_DISCARD, 31, f_icmp_in),
	L4(OUTBOUND_ICMP_ERROR_V4, 32, f_icmp_out),
	L4(OUTBOUND_ICMP_ERROR_V4_DISCARD, 33, f_icmp_out),
	L6(OUTBOUND_ICMP_ERROR_V6, 34, f_icmp_out),
	L6(OUTBOUND_ICMP_ERROR_V6_DISCARD, 35, f_icmp_out),
	L4(ALE_RESOURCE_ASSIGNMENT_V4, 36, f_res_assign),
	L4(ALE_RESOURCE_ASSIGNMENT_V4_DISCARD, 37, f_res_assign),
	L6(ALE_RESOURCE_ASSIGNMENT_V6, 38, f_res_assign),
	L6(ALE_RESOURCE_ASSIGNMENT_V6_DISCARD, 39, f_res_assign),
	L4(ALE_AUTH_LISTEN_V4, 40, f_listen),
	L4(ALE_AUTH_LISTEN_V4_DISCARD, 41, f_listen),
	L6(ALE_AUTH_LISTEN_V6, 42, f_listen),
	L6(ALE_AUTH_LISTEN_V6_DISCARD, 43, f_listen),
	LF(ALE_AUTH_RECV_ACCEPT_V4, 44, false, f_recv_accept, &layers[FL_RECV_V4]),
	L4(ALE_AUTH_RECV_ACCEPT_V4_DISCARD, 45, f_recv_accept),
	LF(ALE_AUTH_RECV_ACCEPT_V6, 46, true, f_recv_accept, &layers[FL_RECV_V6]),
	L6(ALE_AUTH_RECV_ACCEPT_V6_DISCARD, 47, f_recv_accept),
	LF(ALE_AUTH_CONNECT_V4, 48, false, f_auth_connect, &layers[FL_CONN_V4]),
	L4(ALE_AUTH_CONNECT_V4_DISCARD, 49, f_auth_connect),
	LF(ALE_AUTH_CONNECT_V6, 50, true, f_auth_connect, &layers[FL_CONN_V6]),
	L6(ALE_AUTH_CONNECT_V6_DISCARD, 51, f_auth_connect),
	L4(ALE_FLOW_ESTABLISHED_V4, 52, f_flow_established),
	L4(ALE_FLOW_ESTABLISHED_V4_DISCARD, 53, f_flow_established),
	L6(ALE_FLOW_ESTABLISHED_V6, 54, f_flow_established),
	L6(ALE_FLOW_ESTABLISHED_V6_DISCARD, 55, f_flow_established),
	L4(INBOUND_MAC_FRAME_ETHERNET, 56, f_mac_ethernet),
	L4(OUTBOUND_MAC_FRAME_ETHERNET, 57, f_mac_ethernet),
	/* 58, 59: FWPS_LAYER_RESERVED1_V4/V6, no FWPM key */
	L4(NAME_RESOLUTION_CACHE_V4, 60, f_name_cache),
	L6(NAME_RESOLUTION_CACHE_V6, 61, f_name_cache),
	L4(ALE_RESOURCE_RELEASE_V4, 62, f_res_release),
	L6(ALE_RESOURCE_RELEASE_V6, 63, f_res_release),
	L4(ALE_ENDPOINT_CLOSURE_V4, 64, f_closure),
	L6(ALE_ENDPOINT_CLOSURE_V6, 65, f_closure),
	L4(ALE_CONNECT_REDIRECT_V4, 66, f_connect_redirect),
	L6(ALE_CONNECT_REDIRECT_V6, 67, f_connect_redirect),
	L4(ALE_BIND_REDIRECT_V4, 68, f_bind_redirect),
	L6(ALE_BIND_REDIRECT_V6, 69, f_bind_redirect),
	L4(STREAM_PACKET_V4, 70, f_stream_packet),
	L6(STREAM_PACKET_V6, 71, f_stream_packet),
	L4(INGRESS_VSWITCH_ETHERNET, 72, f_vswitch_ethernet),
	L4(EGRESS_VSWITCH_ETHERNET, 73, f_vswitch_ethernet),
	L4(INGRESS_VSWITCH_TRANSPORT_V4, 74, f_vswitch_transport),
	L6(INGRESS_VSWITCH_TRANSPORT_V6, 75, f_vswitch_transport),
	L4(EGRESS_VSWITCH_TRANSPORT_V4, 76, f_vswitch_transport),
	L6(EGRESS_VSWITCH_TRANSPORT_V6, 77, f_vswitch_transport),
	LNONE(INBOUND_TRANSPORT_FAST, 78),
	LNONE(OUTBOUND_TRANSPORT_FAST, 79),
	LNONE(INBOUND_MAC_FRAME_NATIVE_FAST, 80),
	LNONE(OUTBOUND_MAC_FRAME_NATIVE_FAST, 81),
	/* 82..89: FWPS_LAYER_RESERVED_LAYER_1..8, no FWPM key */
	LNONE(INBOUND_RESERVED2, 90),
	L4(IPSEC_KM_DEMUX_V4, 91, f_km_demux),
	L6(IPSEC_KM_DEMUX_V6, 92, f_km_demux),
	L4(IPSEC_V4, 93, f_ipsec),
	L6(IPSEC_V6, 94, f_ipsec),
	L4(IKEEXT_V4, 95, f_ikeext),
	L6(IKEEXT_V6, 96, f_ikeext),
	LNONE(RPC_UM, 97),
	LNONE(RPC_EPMAP, 98),
	LNONE(RPC_EP_ADD, 99),
	LNONE(RPC_PROXY_CONN, 100),
	LNONE(RPC_PROXY_IF, 101),
	L4(KM_AUTHORIZATION, 102, f_km_authorization),
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

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static const struct layer_info *info_find(const GUID *key)
{
	for (size_t i = 0; i < N(all_layers); i++)
		if (guid_eq(all_layers[i].key, key))
			return &all_layers[i];
	return NULL;
}

/* The filter rules of a layer this engine filters at, or NULL. */
const struct pol_layer *pol_layer_find(const GUID *key)
{
	const struct layer_info *li = info_find(key);

	return li ? li->filt : NULL;
}

/* A listed layer this engine does not filter at: ERROR_NOT_SUPPORTED
 * (it exists, so FWP_E_LAYER_NOT_FOUND would be untrue); an unknown one
 * FWP_E_LAYER_NOT_FOUND; ERROR_SUCCESS when filters may be added. */
DWORD pol_layer_filterable(const GUID *key)
{
	const struct layer_info *li = info_find(key);

	if (!li)
		return FWP_E_LAYER_NOT_FOUND;
	return li->filt ? ERROR_SUCCESS : ERROR_NOT_SUPPORTED;
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
	return N(all_layers);
}

size_t builtin_callout_count(void)
{
	return N(ipsec_callouts);
}

int builtin_layer_by_key(const GUID *key)
{
	const struct layer_info *li = key ? info_find(key) : NULL;

	return li ? (int)(li - all_layers) : -1;
}

int builtin_layer_by_id(UINT16 id)
{
	for (size_t i = 0; i < N(all_layers); i++)
		if (all_layers[i].id == id)
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

/* What FWPM_FIELD0 says of condition c at a layer of IP version v6. */
static void field_fill(struct flat *f, bool v6, enum cond c, FWPM_FIELD0 *out)
{
	const struct cond_def *d = &conds[c];

	out->fieldKey = flat_dup(f, d->key, sizeof(GUID), _Alignof(GUID));
	out->type = FWPM_FIELD_RAW_DATA;
	out->dataType = d->type;
	if (d->type == DT_ADDR) {
		out->type = FWPM_FIELD_IP_ADDRESS;
		out->dataType = v6 ? FWP_BYTE_ARRAY16_TYPE : FWP_UINT32;
	}
}

void builtin_layer_fill(struct flat *f, size_t i, FWPM_LAYER0 *out)
{
	const struct layer_info *l = &all_layers[i];
	FWPM_FIELD0 *fa;

	out->layerKey = *l->key;
	out->displayData.name = flat_name(f, l->name);
	/* Every layer is built in; KERNEL only where this engine's datapath
	 * classifies (the references give no per-layer flags). */
	out->flags = FWPM_LAYER_FLAG_BUILTIN | (l->filt ? FWPM_LAYER_FLAG_KERNEL : 0);
	out->numFields = l->nfields;
	/* Never read back what was written: while measuring, every take
	 * hands out the same scratch memory (common/flat.h). */
	fa = l->nfields ? FLAT_ARRAY(f, FWPM_FIELD0, l->nfields) : NULL;
	out->field = fa;
	for (UINT32 j = 0; fa && j < l->nfields; j++)
		field_fill(f, l->v6, (enum cond)l->fields[j], &fa[j]);
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
