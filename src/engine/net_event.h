/* net_event.h - net events: the drops the datapath reports, and the
 * FwpmNetEventSubscribe0 subscriptions that receive them.
 *
 * The source is engine_net_event_raise(). The datapath calls it from its
 * packet threads, without the engine lock, with a pointer-free record of
 * what FWPM_NET_EVENT1 carries for the two types produced here
 * (CLASSIFY_DROP and IPSEC_KERNEL_DROP). It matches the record against
 * every net-event subscription of the engine and hands a copy to the owner
 * session's sink (event_sink.deliver_net, engine.h), which queues it
 * boundedly: raising never waits for a subscriber.
 *
 * A subscription belongs to its session and goes when the session closes.
 * Its template is compiled when subscribing into at most one inclusive
 * range per field, so matching follows no pointer. docs/CONTRACT.md ("Net
 * events") has the rules and result codes.
 *
 * Ownership: the engine owns every subscription; records are copied in and
 * out, nothing points into a caller's memory. The record travels to fwpd's
 * clients as raw bytes, so it has no pointers, and raising zeroes its
 * padding (inside the arms) and its reserved bytes.
 * Locking: the engine lock guards the subscriptions; the raised counter is
 * atomic. Stop raising before engine_destroy().
 */
#ifndef FWP_ENGINE_NET_EVENT_H
#define FWP_ENGINE_NET_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>

struct engine;
struct engine_session;

/* An address of the event header, read according to ip_version. */
union fwp_net_addr {
	uint32_t v4;			/* host order, like localAddrV4 */
	FWP_BYTE_ARRAY16 v6;		/* network order, like localAddrV6 */
};

struct fwp_net_event {
	uint64_t timestamp;		/* FILETIME: 100 ns units since 1601-01-01
					 * UTC; 0 when raised: the time of raising */
	uint32_t flags;			/* FWPM_NET_EVENT_FLAG_*: the fields set */
	uint32_t ip_version;		/* FWP_IP_VERSION */
	union fwp_net_addr local, remote;
	uint16_t local_port, remote_port;
	uint32_t scope_id;
	uint8_t ip_protocol;
	uint8_t reserved[3];		/* zero */
	uint32_t type;			/* FWPM_NET_EVENT_TYPE_CLASSIFY_DROP or
					 * FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP */
	union {				/* the arm type names */
		FWPM_NET_EVENT_CLASSIFY_DROP1 classify_drop;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec_drop;
	};
};

/* A template names each field once: five conditions at most. */
#define NET_EVENT_MAX_CONDITIONS 5

/* The source. Any thread, engine lock not held; never blocks on a
 * subscriber. A record of another type or IP version is ignored; flags
 * for fields the record does not carry (APP_ID_SET...) are cleared. */
void engine_net_event_raise(struct engine *e, const struct fwp_net_event *ev);
/* Records raised since the engine was created, listened to or not. */
uint64_t engine_net_events_raised(struct engine *e);
/* The current time as a FILETIME count. */
uint64_t net_event_filetime_now(void);
/* Whether a record from a peer is one this build produces: a known type
 * and IP version, known flags (the size is the receiver's to check). */
bool net_event_valid(const struct fwp_net_event *ev);

/* FwpmNetEventSubscribe0: events go to the session's sink tagged with
 * cookie (the transport's choice, so it can be ready for events before
 * this returns). The subscription's own handle comes back in *handle. */
DWORD engine_net_subscribe(struct engine_session *s,
			   const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
			   uint64_t cookie, uint64_t *handle);
DWORD engine_net_unsubscribe(struct engine_session *s, uint64_t handle);

#endif
