/* convert_net_event.c - net_event_convert.h. The header fields every
 * version shares are filled by one macro; the newer headers' extra fields
 * (application, package, enterprise ids) stay empty: packets carry no
 * application identity here. The classify-drop arm grows with the
 * versions (0: filter and layer; 1: profiles and direction; 2: the
 * virtual switch, empty); the IPsec kernel-drop arm is version 0 in all.
 */
#include <string.h>

#include "client/net_event_convert.h"
#include "engine/addr.h"

#define FILL_HEADER(h, r) do { \
	(h)->timeStamp.dwLowDateTime = (DWORD)(r)->timestamp; \
	(h)->timeStamp.dwHighDateTime = (DWORD)((r)->timestamp >> 32); \
	(h)->flags = (r)->flags; \
	(h)->ipVersion = (FWP_IP_VERSION)(r)->ip_version; \
	(h)->ipProtocol = (r)->ip_protocol; \
	if ((r)->ip_version == FWP_IP_VERSION_V6) { \
		addr6_net_to_event_header((r)->local.v6.byteArray16, \
					  (h)->localAddrV6.byteArray16); \
		addr6_net_to_event_header((r)->remote.v6.byteArray16, \
					  (h)->remoteAddrV6.byteArray16); \
	} else { \
		(h)->localAddrV4 = (r)->local.v4; \
		(h)->remoteAddrV4 = (r)->remote.v4; \
	} \
	(h)->localPort = (r)->local_port; \
	(h)->remotePort = (r)->remote_port; \
	(h)->scopeId = (r)->scope_id; \
} while (0)

/* The drop arms of slot version s, pointed to by its event. */
#define FILL_ARMS(s, r) do { \
	(s)->ev.type = (FWPM_NET_EVENT_TYPE)(r)->type; \
	(s)->ipsec = (r)->ipsec_drop; \
	(s)->classify.filterId = (r)->classify_drop.filterId; \
	(s)->classify.layerId = (r)->classify_drop.layerId; \
	if ((r)->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP) \
		(s)->ev.classifyDrop = &(s)->classify; \
	else \
		(s)->ev.ipsecDrop = &(s)->ipsec; \
} while (0)

/* Versions 1 and later carry the whole classify-drop record. */
#define FILL_CLASSIFY1(c, r) do { \
	(c)->reauthReason = (r)->classify_drop.reauthReason; \
	(c)->originalProfile = (r)->classify_drop.originalProfile; \
	(c)->currentProfile = (r)->classify_drop.currentProfile; \
	(c)->msFwpDirection = (r)->classify_drop.msFwpDirection; \
	(c)->isLoopback = (r)->classify_drop.isLoopback; \
} while (0)

void *net_event_build(const struct fwp_net_event *r, int v, union net_event_slot *slot)
{
	memset(slot, 0, sizeof(*slot));
	switch (v) {
	case 0:
		FILL_HEADER(&slot->v0.ev.header, r);
		FILL_ARMS(&slot->v0, r);
		return &slot->v0.ev;
	case 1:
		FILL_HEADER(&slot->v1.ev.header, r);
		FILL_ARMS(&slot->v1, r);
		FILL_CLASSIFY1(&slot->v1.classify, r);
		return &slot->v1.ev;
	case 2:
		FILL_HEADER(&slot->v2.ev.header, r);
		FILL_ARMS(&slot->v2, r);
		FILL_CLASSIFY1(&slot->v2.classify, r);
		return &slot->v2.ev;
	case 3:
		FILL_HEADER(&slot->v3.ev.header, r);
		FILL_ARMS(&slot->v3, r);
		FILL_CLASSIFY1(&slot->v3.classify, r);
		return &slot->v3.ev;
	case 4:
		FILL_HEADER(&slot->v4.ev.header, r);
		FILL_ARMS(&slot->v4, r);
		FILL_CLASSIFY1(&slot->v4.classify, r);
		return &slot->v4.ev;
	default:
		FILL_HEADER(&slot->v5.ev.header, r);
		FILL_ARMS(&slot->v5, r);
		FILL_CLASSIFY1(&slot->v5.classify, r);
		return &slot->v5.ev;
	}
}
