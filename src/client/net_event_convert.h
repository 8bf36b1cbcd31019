/* net_event_convert.h - a net-event record (engine/net_event.h) as the
 * Windows struct of any version: FWPM_NET_EVENT0 to FWPM_NET_EVENT5, each
 * with its arm, built in one caller-provided slot with no allocation.
 * Used by the subscription callbacks (dispatcher.c) and the history
 * enumerations (api_net_history.c).
 */
#ifndef FWP_CLIENT_NET_EVENT_CONVERT_H
#define FWP_CLIENT_NET_EVENT_CONVERT_H

#include <fwpmu.h>

#include "engine/net_event.h"

#define NET_EVENT_VERSION_MAX 5

/* An event and its arm; the event points into the slot. */
union net_event_slot {
	struct { FWPM_NET_EVENT0 ev; FWPM_NET_EVENT_CLASSIFY_DROP0 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v0;
	struct { FWPM_NET_EVENT1 ev; FWPM_NET_EVENT_CLASSIFY_DROP1 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v1;
	struct { FWPM_NET_EVENT2 ev; FWPM_NET_EVENT_CLASSIFY_DROP2 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v2;
	struct { FWPM_NET_EVENT3 ev; FWPM_NET_EVENT_CLASSIFY_DROP2 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v3;
	struct { FWPM_NET_EVENT4 ev; FWPM_NET_EVENT_CLASSIFY_DROP2 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v4;
	struct { FWPM_NET_EVENT5 ev; FWPM_NET_EVENT_CLASSIFY_DROP2 classify;
		 FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec; } v5;
};

/* Fills *slot with version v (0..NET_EVENT_VERSION_MAX) of r; returns the
 * event (the first member of the slot). */
void *net_event_build(const struct fwp_net_event *r, int v, union net_event_slot *slot);

#endif
