/* protocol.h - the engine service's wire protocol (docs/protocol.md).
 *
 * One message per SOCK_SEQPACKET datagram: a struct nlmsghdr (length, type
 * = operation, flags 0, seq = request id, pid 0) followed by netlink
 * attributes; structs travel as described in schema.h. The first request
 * of a connection is FWPD_OP_OPEN, carrying FWPD_PROTOCOL_VERSION; every
 * request gets exactly one FWPD_MSG_REPLY with the same seq, whose
 * FWPD_A_RESULT holds the Windows result code. The service pushes
 * FWPD_MSG_EVENT, FWPD_MSG_NET_EVENT and FWPD_MSG_CHANGE messages (seq 0)
 * at any time
 * between replies.
 */
#ifndef FWP_WIRE_PROTOCOL_H
#define FWP_WIRE_PROTOCOL_H

/* 2: Update0's sides travel as IPSEC_SA_DETAILS1 structs, and every
 * decoder is strict (no unknown or repeated attribute is skipped). */
#define FWPD_PROTOCOL_VERSION 2

/* Largest datagram either side sends or accepts. Below the default socket
 * buffer (212992 bytes), so a reply always fits; enumerations page. */
#define FWPD_MSG_MAX (192 * 1024)
/* Room kept free in an enumeration reply for one more entry: the largest
 * encoded context (two directions at their size caps) plus headers. */
#define FWPD_ENTRY_MAX (40 * 1024)

/* Message types; below 0x10 netlink reserves them. */
enum fwpd_msg {
	FWPD_OP_OPEN = 0x10,
	FWPD_OP_TXN_BEGIN,
	FWPD_OP_TXN_COMMIT,
	FWPD_OP_TXN_ABORT,
	FWPD_OP_SA_CREATE,
	FWPD_OP_SA_GET_SPI,
	FWPD_OP_SA_SET_SPI,
	FWPD_OP_SA_ADD,
	FWPD_OP_SA_UPDATE,
	FWPD_OP_SA_GET,
	FWPD_OP_SA_DELETE,
	FWPD_OP_SA_EXPIRE,
	FWPD_OP_SA_ENUM_CREATE,
	FWPD_OP_SA_ENUM,
	FWPD_OP_SA_ENUM_DESTROY,
	FWPD_OP_SAD_ENUM_CREATE,
	FWPD_OP_SAD_ENUM,
	FWPD_OP_SAD_ENUM_DESTROY,
	FWPD_OP_SUBSCRIBE,
	FWPD_OP_UNSUBSCRIBE,
	FWPD_OP_SUBSCRIPTIONS_GET,
	FWPD_OP_STATISTICS,
	FWPD_OP_SET_DRAIN,
	FWPD_OP_GET_DRAIN,
	FWPD_OP_SESSION_ENUM_CREATE,
	FWPD_OP_SESSION_ENUM,
	FWPD_OP_SESSION_ENUM_DESTROY,
	FWPD_OP_POL_ADD,
	FWPD_OP_POL_DELETE,
	FWPD_OP_POL_GET,
	FWPD_OP_POL_ENUM_CREATE,
	FWPD_OP_POL_ENUM,
	FWPD_OP_POL_ENUM_DESTROY,
	FWPD_OP_NET_SUBSCRIBE,
	FWPD_OP_NET_UNSUBSCRIBE,
	FWPD_OP_TEST_NET_RAISE,		/* test hook: fwpd --test-hooks only */
	/* New operations go here, at the end: numbers never change. */
	FWPD_OP_SA_COUNTERS,		/* 0x34: FwpxSaContextGetCounters0 */
	FWPD_OP_SA_INFO,		/* 0x35: FwpxSaContextGetInfo0 */
	FWPD_OP_OPTION_GET,		/* 0x36: FwpmEngineGetOption0 */
	FWPD_OP_OPTION_SET,		/* 0x37: FwpmEngineSetOption0 */
	FWPD_OP_NET_ENUM_CREATE,	/* 0x38: FwpmNetEventCreateEnumHandle0 */
	FWPD_OP_NET_ENUM,		/* 0x39: FwpmNetEventEnum0/1 */
	FWPD_OP_NET_ENUM_DESTROY,	/* 0x3a: FwpmNetEventDestroyEnumHandle0 */
	/* 0x40-0x4f: object-change subscriptions (KIND says which object). */
	FWPD_OP_CHANGE_SUBSCRIBE = 0x40,	/* Fwpm*SubscribeChanges0 */
	FWPD_OP_CHANGE_UNSUBSCRIBE = 0x41,	/* Fwpm*UnsubscribeChanges0 */
	FWPD_OP_CHANGE_SUBSCRIPTIONS_GET = 0x42,/* Fwpm*SubscriptionsGet0 */
	/* 0x50-0x5f: security descriptors (Fwpm*GetSecurityInfo*0 and
	 * Set*, IPsecSaDb*SecurityInfo0). */
	FWPD_OP_SD_GET = 0x50,		/* SD_TARGET, KEY, SECINFO -> SD */
	FWPD_OP_SD_SET = 0x51,		/* SD_TARGET, KEY, SECINFO, SD */
	FWPD_OP_MAX,

	FWPD_MSG_REPLY = 0x100,
	FWPD_MSG_EVENT = 0x101,
	FWPD_MSG_NET_EVENT = 0x102,
	FWPD_MSG_CHANGE = 0x103,	/* a committed policy-object change */
};

/* Top-level attributes. Each operation's arguments and results are listed
 * in docs/protocol.md. */
enum fwpd_attr {
	FWPD_A_UNSPEC,
	FWPD_A_RESULT,		/* u32: the Windows result code */
	FWPD_A_VERSION,		/* u32 */
	FWPD_A_SESSION,		/* FWPM_SESSION0 */
	FWPD_A_ID,		/* u64: SA context id */
	FWPD_A_HANDLE,		/* u64: enumeration or subscription handle */
	FWPD_A_FLAGS,		/* u32 or u64, per operation */
	FWPD_A_TRAFFIC,		/* IPSEC_TRAFFIC1 */
	FWPD_A_VIF,		/* IPSEC_VIRTUAL_IF_TUNNEL_INFO0 */
	FWPD_A_GETSPI,		/* IPSEC_GETSPI1 */
	FWPD_A_SPI,		/* u32 */
	FWPD_A_DIRECTION,	/* u32: FWP_DIRECTION */
	FWPD_A_BUNDLE,		/* IPSEC_SA_BUNDLE1 */
	FWPD_A_CONTEXT,		/* IPSEC_SA_CONTEXT1 */
	FWPD_A_UPDATE_IN,	/* IPSEC_SA_DETAILS1: Update0's inbound side,
				 * only the fields its flags name set */
	FWPD_A_UPDATE_OUT,	/* IPSEC_SA_DETAILS1: the outbound side */
	FWPD_A_CTX_TEMPLATE,	/* IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 */
	FWPD_A_SA_TEMPLATE,	/* IPSEC_SA_ENUM_TEMPLATE0 */
	FWPD_A_COUNT,		/* u32: entries wanted */
	FWPD_A_ENTRY,		/* repeated: one enumeration entry */
	FWPD_A_MORE,		/* u32 1: the enumeration has more entries */
	FWPD_A_SUBSCRIPTION,	/* IPSEC_SA_CONTEXT_SUBSCRIPTION0 */
	FWPD_A_MASK,		/* u32: FWPX_EVENT_MASK_* */
	FWPD_A_COOKIE,		/* u64: the client's subscription cookie */
	FWPD_A_EVENT,		/* raw FWPX_SA_CONTEXT_EVENT0 */
	FWPD_A_STATS,		/* raw IPSEC_STATISTICS1 */
	FWPD_A_MS,		/* u32: milliseconds */
	FWPD_A_FILTER_ID,	/* u64 */
	FWPD_A_KIND,		/* u32: policy object kind (provider, sublayer,
				 * filter, provider context) */
	FWPD_A_OBJECT,		/* the kind's struct (FWPM_PROVIDER0, ...) */
	FWPD_A_KEY,		/* raw GUID: the object's key */
	FWPD_A_POL_TEMPLATE,	/* the kind's enumeration template */
	FWPD_A_NET_SUBSCRIPTION,/* FWPM_NET_EVENT_SUBSCRIPTION0 */
	FWPD_A_NET_EVENT,	/* raw struct fwp_net_event (engine/net_event.h) */
	FWPD_A_COUNTERS_IN,	/* raw FWPX_SA_COUNTERS0 (56 bytes): inbound */
	FWPD_A_COUNTERS_OUT,	/* raw FWPX_SA_COUNTERS0: outbound */
	FWPD_A_STATS_EXT,	/* raw FWPX_STATISTICS0 (64 bytes) */
	FWPD_A_SA_INFO,		/* raw FWPX_SA_CONTEXT_INFO0 (120 bytes) */
	FWPD_A_OPTION,		/* u32: FWPM_ENGINE_OPTION */
	FWPD_A_VALUE,		/* FWP_VALUE0: an engine option's value */
	FWPD_A_NET_TEMPLATE,	/* FWPM_NET_EVENT_ENUM_TEMPLATE0 */
	/* 0x40-0x4f: object-change subscriptions. */
	FWPD_A_CHANGE_SUBSCRIPTION = 0x40,	/* FWPM_<KIND>_SUBSCRIPTION0 */
	FWPD_A_CHANGE = 0x41,	/* raw struct fwp_pol_change (32 bytes) */
	/* 0x50-0x5f: security descriptors. */
	FWPD_A_SD = 0x50,	/* a self-relative security descriptor, 20 to
				 * 8192 bytes (also POL_ADD's, optional) */
	FWPD_A_SECINFO = 0x51,	/* u32: SECURITY_INFORMATION */
	FWPD_A_SD_TARGET = 0x52,/* u32: 0-3 a policy kind (its KEY), 16 the
				 * engine, 17 the IPsec SA database */
	FWPD_A_MAX,
};

#endif
