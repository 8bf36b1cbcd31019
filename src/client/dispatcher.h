/* dispatcher.h - runs a client's subscription callbacks.
 *
 * One thread per client (started at its first subscription) delivers
 * events in the order they were posted, across all its subscriptions,
 * one callback at a time.
 * Three kinds of subscription share it: SA-context changes, net events
 * (FWPM_NET_EVENT1, built on the thread's stack from the engine's
 * pointer-free record) and policy-object changes (FWPM_<kind>_CHANGE0,
 * likewise built from struct fwp_pol_change). Each subscription has a bounded queue
 * (DISPATCH_QUEUE_LEN events of its kind, allocated with it): a subscriber
 * that falls behind loses events, never stalls the engine, and is told:
 * extension subscribers get an FWPX_SA_CONTEXT_EVENT_DROPPED event, Windows
 * ones (SA, net and change alike) a warning in the log
 * (FWP_E_NOTIFICATION_DROPPED).
 *
 * Locking: internal mutex. dispatcher_post() is called with the engine's
 * lock held and only takes the dispatcher's; callbacks run with no lock
 * held, so they may call the API, Unsubscribe and EngineClose included.
 */
#ifndef FWP_CLIENT_DISPATCHER_H
#define FWP_CLIENT_DISPATCHER_H

#include <stdint.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "engine/net_event.h"
#include "engine/policy_kind.h"

#define DISPATCH_QUEUE_LEN 1024

/* A change subscription of policy kind k is DISPATCH_CHANGE + k. */
enum dispatch_kind { DISPATCH_SA, DISPATCH_NET, DISPATCH_CHANGE };

struct dispatcher;

struct dispatcher *dispatcher_create(void);
/* Stops delivery and frees; waits for a running callback unless called
 * from one, in which case the thread finishes on its own. */
void dispatcher_destroy(struct dispatcher *d);

/* Registers a callback before the engine knows the subscription; returns
 * its cookie (also the events HANDLE value), 0 when out of memory.
 * Exactly one of wcb and xcb is non-NULL. */
uint64_t dispatcher_add(struct dispatcher *d, IPSEC_SA_CONTEXT_CALLBACK0 wcb,
			FWPX_SA_CONTEXT_CALLBACK0 xcb, void *context);
/* A net-event callback: FWPM_NET_EVENT_CALLBACK<version> (0..4), which
 * receives FWPM_NET_EVENT<version + 1>. */
struct net_callback {
	int version;
	union {
		FWPM_NET_EVENT_CALLBACK0 c0;
		FWPM_NET_EVENT_CALLBACK1 c1;
		FWPM_NET_EVENT_CALLBACK2 c2;
		FWPM_NET_EVENT_CALLBACK3 c3;
		FWPM_NET_EVENT_CALLBACK4 c4;
	};
};

/* The same for a net-event subscription. */
uint64_t dispatcher_add_net(struct dispatcher *d, const struct net_callback *cb,
			    void *context);
/* A change callback: the one of its kind (FWPM_<kind>_CHANGE_CALLBACK0). */
struct change_callback {
	enum pol_kind kind;
	union {
		FWPM_PROVIDER_CHANGE_CALLBACK0 provider;
		FWPM_SUBLAYER_CHANGE_CALLBACK0 sublayer;
		FWPM_FILTER_CHANGE_CALLBACK0 filter;
		FWPM_PROVIDER_CONTEXT_CHANGE_CALLBACK0 context;
	};
};

/* The same for a change subscription. */
uint64_t dispatcher_add_change(struct dispatcher *d, const struct change_callback *cb,
			       void *context);
void dispatcher_set_engine_handle(struct dispatcher *d, uint64_t cookie,
				  uint64_t engine_handle);
/* Finds the engine handle of cookie, a subscription of that kind; 0 when
 * there is none. */
int dispatcher_lookup(struct dispatcher *d, uint64_t cookie, enum dispatch_kind kind,
		      uint64_t *engine_handle);
/* Removes cookie: drops queued events and waits for its running callback
 * (unless called from inside that callback). */
void dispatcher_remove(struct dispatcher *d, uint64_t cookie);

void dispatcher_post(struct dispatcher *d, uint64_t cookie,
		     const FWPX_SA_CONTEXT_EVENT0 *ev);
void dispatcher_post_net(struct dispatcher *d, uint64_t cookie,
			 const struct fwp_net_event *ev);
/* Queued only for a change subscription of ch->kind. */
void dispatcher_post_change(struct dispatcher *d, uint64_t cookie,
			    const struct fwp_pol_change *ch);
/* Records n events lost for every subscription (the service's queue for
 * this client overflowed). */
void dispatcher_drop_all(struct dispatcher *d, uint32_t n);
/* Events cookie's subscription has lost since it was made (0 once gone). */
uint64_t dispatcher_lost(struct dispatcher *d, uint64_t cookie);

#endif
