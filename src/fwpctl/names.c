/* names.c - words for the policy objects' GUIDs and filter conditions
 * (names.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "names.h"

struct guid_name {
	const GUID *key;
	const char *name;
};

#define N(g, s) { &(g), s }
#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const struct guid_name layers[] = {
	N(FWPM_LAYER_INBOUND_IPPACKET_V4, "inbound-ippacket-v4"),
	N(FWPM_LAYER_INBOUND_IPPACKET_V6, "inbound-ippacket-v6"),
	N(FWPM_LAYER_OUTBOUND_IPPACKET_V4, "outbound-ippacket-v4"),
	N(FWPM_LAYER_OUTBOUND_IPPACKET_V6, "outbound-ippacket-v6"),
	N(FWPM_LAYER_IPFORWARD_V4, "ipforward-v4"),
	N(FWPM_LAYER_IPFORWARD_V6, "ipforward-v6"),
	N(FWPM_LAYER_INBOUND_TRANSPORT_V4, "inbound-transport-v4"),
	N(FWPM_LAYER_INBOUND_TRANSPORT_V6, "inbound-transport-v6"),
	N(FWPM_LAYER_OUTBOUND_TRANSPORT_V4, "outbound-transport-v4"),
	N(FWPM_LAYER_OUTBOUND_TRANSPORT_V6, "outbound-transport-v6"),
	N(FWPM_LAYER_ALE_AUTH_CONNECT_V4, "ale-auth-connect-v4"),
	N(FWPM_LAYER_ALE_AUTH_CONNECT_V6, "ale-auth-connect-v6"),
	N(FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, "ale-auth-recv-accept-v4"),
	N(FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6, "ale-auth-recv-accept-v6"),
};

static const struct guid_name sublayers[] = {
	N(FWPM_SUBLAYER_IPSEC_TUNNEL, "ipsec-tunnel"),
	N(FWPM_SUBLAYER_UNIVERSAL, "universal"),
	N(FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL, "ipsec-forward-outbound-tunnel"),
	N(FWPM_SUBLAYER_IPSEC_SECURITY_REALM, "ipsec-security-realm"),
	N(FWPM_SUBLAYER_INSPECTION, "inspection"),
};

static const struct guid_name callouts[] = {
	N(FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4, "ipsec-inbound-transport-v4"),
	N(FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6, "ipsec-inbound-transport-v6"),
	N(FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4, "ipsec-outbound-transport-v4"),
	N(FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6, "ipsec-outbound-transport-v6"),
	N(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4, "ipsec-inbound-tunnel-v4"),
	N(FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6, "ipsec-inbound-tunnel-v6"),
	N(FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4, "ipsec-outbound-tunnel-v4"),
	N(FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6, "ipsec-outbound-tunnel-v6"),
	N(FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4, "ipsec-forward-inbound-tunnel-v4"),
	N(FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6, "ipsec-forward-inbound-tunnel-v6"),
};

static const struct guid_name fields[] = {
	N(FWPM_CONDITION_IP_LOCAL_ADDRESS, "ip-local-address"),
	N(FWPM_CONDITION_IP_REMOTE_ADDRESS, "ip-remote-address"),
	N(FWPM_CONDITION_IP_SOURCE_ADDRESS, "ip-source-address"),
	N(FWPM_CONDITION_IP_DESTINATION_ADDRESS, "ip-destination-address"),
	N(FWPM_CONDITION_IP_LOCAL_PORT, "ip-local-port"),
	N(FWPM_CONDITION_IP_REMOTE_PORT, "ip-remote-port"),
	N(FWPM_CONDITION_IP_SOURCE_PORT, "ip-source-port"),
	N(FWPM_CONDITION_IP_DESTINATION_PORT, "ip-destination-port"),
	N(FWPM_CONDITION_IP_PROTOCOL, "ip-protocol"),
	N(FWPM_CONDITION_IP_LOCAL_INTERFACE, "ip-local-interface"),
	N(FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE, "ip-local-address-type"),
	N(FWPM_CONDITION_ALE_APP_ID, "ale-app-id"),
	N(FWPM_CONDITION_ALE_USER_ID, "ale-user-id"),
	N(FWPM_CONDITION_EMBEDDED_REMOTE_ADDRESS, "embedded-remote-address"),
	N(FWPM_CONDITION_IP_DESTINATION_ADDRESS_TYPE, "ip-destination-address-type"),
	N(FWPM_CONDITION_EMBEDDED_LOCAL_ADDRESS_TYPE, "embedded-local-address-type"),
	N(FWPM_CONDITION_EMBEDDED_PROTOCOL, "embedded-protocol"),
	N(FWPM_CONDITION_EMBEDDED_LOCAL_PORT, "embedded-local-port"),
	N(FWPM_CONDITION_EMBEDDED_REMOTE_PORT, "embedded-remote-port"),
	N(FWPM_CONDITION_ORIGINAL_ICMP_TYPE, "original-icmp-type"),
	N(FWPM_CONDITION_IP_ARRIVAL_INTERFACE, "ip-arrival-interface"),
	N(FWPM_CONDITION_IP_NEXTHOP_INTERFACE, "ip-nexthop-interface"),
	N(FWPM_CONDITION_IP_FORWARD_INTERFACE, "ip-forward-interface"),
	N(FWPM_CONDITION_IP_PHYSICAL_ARRIVAL_INTERFACE, "ip-physical-arrival-interface"),
	N(FWPM_CONDITION_IP_PHYSICAL_NEXTHOP_INTERFACE, "ip-physical-nexthop-interface"),
	N(FWPM_CONDITION_INTERFACE_QUARANTINE_EPOCH, "interface-quarantine-epoch"),
	N(FWPM_CONDITION_INTERFACE_INDEX, "interface-index"),
	N(FWPM_CONDITION_SUB_INTERFACE_INDEX, "sub-interface-index"),
	N(FWPM_CONDITION_ARRIVAL_INTERFACE_INDEX, "arrival-interface-index"),
	N(FWPM_CONDITION_NEXTHOP_INTERFACE_INDEX, "nexthop-interface-index"),
	N(FWPM_CONDITION_NEXTHOP_SUB_INTERFACE_INDEX, "nexthop-sub-interface-index"),
	N(FWPM_CONDITION_SOURCE_INTERFACE_INDEX, "source-interface-index"),
	N(FWPM_CONDITION_SOURCE_SUB_INTERFACE_INDEX, "source-sub-interface-index"),
	N(FWPM_CONDITION_DESTINATION_INTERFACE_INDEX, "destination-interface-index"),
	N(FWPM_CONDITION_DESTINATION_SUB_INTERFACE_INDEX, "destination-sub-interface-index"),
	N(FWPM_CONDITION_INTERFACE_TYPE, "interface-type"),
	N(FWPM_CONDITION_TUNNEL_TYPE, "tunnel-type"),
	N(FWPM_CONDITION_ARRIVAL_INTERFACE_TYPE, "arrival-interface-type"),
	N(FWPM_CONDITION_ARRIVAL_TUNNEL_TYPE, "arrival-tunnel-type"),
	N(FWPM_CONDITION_NEXTHOP_INTERFACE_TYPE, "nexthop-interface-type"),
	N(FWPM_CONDITION_NEXTHOP_TUNNEL_TYPE, "nexthop-tunnel-type"),
	N(FWPM_CONDITION_CURRENT_PROFILE_ID, "current-profile-id"),
	N(FWPM_CONDITION_ORIGINAL_PROFILE_ID, "original-profile-id"),
	N(FWPM_CONDITION_ARRIVAL_INTERFACE_PROFILE_ID, "arrival-interface-profile-id"),
	N(FWPM_CONDITION_NEXTHOP_INTERFACE_PROFILE_ID, "nexthop-interface-profile-id"),
	N(FWPM_CONDITION_LOCAL_INTERFACE_PROFILE_ID, "local-interface-profile-id"),
	N(FWPM_CONDITION_FLAGS, "flags"),
	N(FWPM_CONDITION_DIRECTION, "direction"),
	N(FWPM_CONDITION_REAUTHORIZE_REASON, "reauthorize-reason"),
	N(FWPM_CONDITION_ALE_PROMISCUOUS_MODE, "ale-promiscuous-mode"),
	N(FWPM_CONDITION_ALE_SIO_FIREWALL_SYSTEM_PORT, "ale-sio-firewall-system-port"),
	N(FWPM_CONDITION_ALE_NAP_CONTEXT, "ale-nap-context"),
	N(FWPM_CONDITION_COMPARTMENT_ID, "compartment-id"),
	N(FWPM_CONDITION_ALE_ORIGINAL_APP_ID, "ale-original-app-id"),
	N(FWPM_CONDITION_ALE_SECURITY_ATTRIBUTE_FQBN_VALUE, "ale-security-attribute-fqbn-value"),
	N(FWPM_CONDITION_IPSEC_SECURITY_REALM_ID, "ipsec-security-realm-id"),
	N(FWPM_CONDITION_ALE_EFFECTIVE_NAME, "ale-effective-name"),
	N(FWPM_CONDITION_ALE_REMOTE_USER_ID, "ale-remote-user-id"),
	N(FWPM_CONDITION_ALE_REMOTE_MACHINE_ID, "ale-remote-machine-id"),
	N(FWPM_CONDITION_ALE_PACKAGE_ID, "ale-package-id"),
};

static const char *lookup(const struct guid_name *t, size_t n, const GUID *k,
			  char *buf, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(t[i].key, k, sizeof(*k)))
			return t[i].name;
	return fmt_guid(k, buf, len);
}

const char *name_layer(const GUID *k, char *buf, size_t len)
{
	return lookup(layers, COUNT(layers), k, buf, len);
}

const char *name_sublayer(const GUID *k, char *buf, size_t len)
{
	return lookup(sublayers, COUNT(sublayers), k, buf, len);
}

const char *name_callout(const GUID *k, char *buf, size_t len)
{
	return lookup(callouts, COUNT(callouts), k, buf, len);
}

const char *name_condition_field(const GUID *k, char *buf, size_t len)
{
	return lookup(fields, COUNT(fields), k, buf, len);
}

const char *name_match(FWP_MATCH_TYPE m)
{
	static const char *const words[FWP_MATCH_TYPE_MAX] = {
		[FWP_MATCH_EQUAL] = "==", [FWP_MATCH_GREATER] = ">",
		[FWP_MATCH_LESS] = "<", [FWP_MATCH_GREATER_OR_EQUAL] = ">=",
		[FWP_MATCH_LESS_OR_EQUAL] = "<=", [FWP_MATCH_RANGE] = "range",
		[FWP_MATCH_FLAGS_ALL_SET] = "all-set", [FWP_MATCH_FLAGS_ANY_SET] = "any-set",
		[FWP_MATCH_FLAGS_NONE_SET] = "none-set",
		[FWP_MATCH_EQUAL_CASE_INSENSITIVE] = "==i", [FWP_MATCH_NOT_EQUAL] = "!=",
		[FWP_MATCH_PREFIX] = "prefix", [FWP_MATCH_NOT_PREFIX] = "not-prefix",
	};

	return (unsigned)m < FWP_MATCH_TYPE_MAX ? words[m] : NULL;
}

/* One value of the integer types; false for the others. */
static bool scalar(const FWP_VALUE0 *v, char *buf, size_t len)
{
	switch (v->type) {
	case FWP_UINT8:
		snprintf(buf, len, "%u", v->uint8);
		return true;
	case FWP_UINT16:
		snprintf(buf, len, "%u", v->uint16);
		return true;
	case FWP_UINT32:
		snprintf(buf, len, "%" PRIu32, v->uint32);
		return true;
	case FWP_UINT64:
		if (!v->uint64)
			return false;
		snprintf(buf, len, "%" PRIu64, (uint64_t)*v->uint64);
		return true;
	default:
		return false;
	}
}

/* A prefix length from a contiguous IPv4 mask; -1 when not contiguous. */
static int v4_prefix(UINT32 mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n < 32 && (mask << n) ? -1 : n;
}

static const char *v4mask(const FWP_V4_ADDR_AND_MASK *m, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int plen = v4_prefix(m->mask);

	fmt_v4(m->addr, a, sizeof(a));
	if (plen >= 0)
		snprintf(buf, len, "%s/%d", a, plen);
	else
		snprintf(buf, len, "%s/%s", a, fmt_v4(m->mask, b, sizeof(b)));
	return buf;
}

/* The integer arms of a condition value, as an FWP_VALUE0. */
static bool cond_scalar(const FWP_CONDITION_VALUE0 *v, char *buf, size_t len)
{
	FWP_VALUE0 x = { .type = v->type };

	switch (v->type) {
	case FWP_UINT8:
		x.uint8 = v->uint8;
		break;
	case FWP_UINT16:
		x.uint16 = v->uint16;
		break;
	case FWP_UINT32:
		x.uint32 = v->uint32;
		break;
	case FWP_UINT64:
		x.uint64 = v->uint64;
		break;
	default:
		return false;
	}
	return scalar(&x, buf, len);
}

const char *name_condition_value(const FWP_CONDITION_VALUE0 *v, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], lo[48], hi[48];

	if (cond_scalar(v, buf, len))
		return buf;
	switch ((unsigned)v->type) {
	case FWP_EMPTY:
		return "(empty)";
	case FWP_V4_ADDR_MASK:
		if (v->v4AddrMask)
			return v4mask(v->v4AddrMask, buf, len);
		break;
	case FWP_V6_ADDR_MASK:
		if (v->v6AddrMask) {
			inet_ntop(AF_INET6, v->v6AddrMask->addr, a, sizeof(a));
			snprintf(buf, len, "%s/%u", a, v->v6AddrMask->prefixLength);
			return buf;
		}
		break;
	case FWP_BYTE_ARRAY16_TYPE:
		if (v->byteArray16) {
			inet_ntop(AF_INET6, v->byteArray16->byteArray16, buf, (socklen_t)len);
			return buf;
		}
		break;
	case FWP_RANGE_TYPE:
		if (v->rangeValue && scalar(&v->rangeValue->valueLow, lo, sizeof(lo)) &&
		    scalar(&v->rangeValue->valueHigh, hi, sizeof(hi))) {
			snprintf(buf, len, "%s-%s", lo, hi);
			return buf;
		}
		break;
	default:
		break;
	}
	snprintf(buf, len, "(type %u)", (unsigned)v->type);
	return buf;
}

const char *name_provider_context_type(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	switch (t) {
	case FWPM_IPSEC_KEYING_CONTEXT:
		return "keying";
	case FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT:
		return "ike-qm-transport";
	case FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT:
		return "ike-qm-tunnel";
	case FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT:
		return "authip-qm-transport";
	case FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT:
		return "authip-qm-tunnel";
	case FWPM_IPSEC_IKE_MM_CONTEXT:
		return "ike-mm";
	case FWPM_IPSEC_AUTHIP_MM_CONTEXT:
		return "authip-mm";
	case FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT:
		return "ikev2-qm-tunnel";
	case FWPM_IPSEC_IKEV2_MM_CONTEXT:
		return "ikev2-mm";
	case FWPM_IPSEC_DOSP_CONTEXT:
		return "dosp";
	case FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT:
		return "ikev2-qm-transport";
	default:
		return NULL;
	}
}
