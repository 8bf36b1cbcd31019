/* api_net_history.c - FwpmEngineGetOption0 / SetOption0 and the
 * net-event history: FwpmNetEventCreateEnumHandle0, FwpmNetEventEnum0/1,
 * FwpmNetEventDestroyEnumHandle0 (docs/CONTRACT.md, "Net events").
 *
 * The transport hands out raw records (engine/net_event.h); they become
 * the Windows structs here, each enumeration result one allocation (the
 * pointer array, the events, their arms) that FwpmFreeMemory0 releases.
 */
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "engine/addr.h"
#include "engine/net_event.h"

FWP_EXPORT DWORD WINAPI FwpmEngineGetOption0(HANDLE engineHandle,
	FWPM_ENGINE_OPTION option, FWP_VALUE0 **value)
{
	WITH_CLIENT(engineHandle, c_->ops->option_get(c_, (UINT32)option, value));
}

FWP_EXPORT DWORD WINAPI FwpmEngineSetOption0(HANDLE engineHandle,
	FWPM_ENGINE_OPTION option, const FWP_VALUE0 *newValue)
{
	WITH_CLIENT(engineHandle, c_->ops->option_set(c_, (UINT32)option, newValue));
}

static DWORD enum_create(struct fwp_client *c, const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t,
			 HANDLE *out)
{
	uint64_t h = 0;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->net_enum_create(c, t, &h);
	*out = rc ? NULL : (HANDLE)(uintptr_t)h;
	return rc;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventCreateEnumHandle0(HANDLE engineHandle,
	const FWPM_NET_EVENT_ENUM_TEMPLATE0 *enumTemplate, HANDLE *enumHandle)
{
	WITH_CLIENT(engineHandle, enum_create(c_, enumTemplate, enumHandle));
}

FWP_EXPORT DWORD WINAPI FwpmNetEventDestroyEnumHandle0(HANDLE engineHandle,
	HANDLE enumHandle)
{
	WITH_CLIENT(engineHandle, c_->ops->net_enum_destroy(c_,
		(uint64_t)(uintptr_t)enumHandle));
}

/* The header fields both versions share (HEADER1 adds reserved ones). */
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

/* Version 1: the event, then its arm, in one slot. */
struct slot1 {
	FWPM_NET_EVENT1 ev;
	union {
		FWPM_NET_EVENT_CLASSIFY_DROP1 classify;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec;
	};
};

struct slot0 {
	FWPM_NET_EVENT0 ev;
	union {
		FWPM_NET_EVENT_CLASSIFY_DROP0 classify;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 ipsec;
	};
};

static void to1(const struct fwp_net_event *r, struct slot1 *s)
{
	memset(s, 0, sizeof(*s));
	FILL_HEADER(&s->ev.header, r);
	s->ev.type = (FWPM_NET_EVENT_TYPE)r->type;
	if (r->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP) {
		s->classify = r->classify_drop;
		s->ev.classifyDrop = &s->classify;
	} else {
		s->ipsec = r->ipsec_drop;
		s->ev.ipsecDrop = &s->ipsec;
	}
}

static void to0(const struct fwp_net_event *r, struct slot0 *s)
{
	memset(s, 0, sizeof(*s));
	FILL_HEADER(&s->ev.header, r);
	s->ev.type = (FWPM_NET_EVENT_TYPE)r->type;
	if (r->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP) {
		s->classify.filterId = r->classify_drop.filterId;
		s->classify.layerId = r->classify_drop.layerId;
		s->ev.classifyDrop = &s->classify;
	} else {
		s->ipsec = r->ipsec_drop;
		s->ev.ipsecDrop = &s->ipsec;
	}
}

/* Takes up to want records and converts them with version v's slots. */
static DWORD net_enum(struct fwp_client *c, HANDLE eh, UINT32 want, int v,
		      void ***entries, UINT32 *returned)
{
	struct fwp_net_event **recs = NULL;
	size_t slot = v ? sizeof(struct slot1) : sizeof(struct slot0);
	UINT32 n = 0;
	void **out;
	DWORD rc;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	rc = c->ops->net_enum(c, (uint64_t)(uintptr_t)eh, want, &recs, &n);
	if (rc)
		return rc;
	*entries = NULL;
	*returned = 0;
	if (!n)
		return ERROR_SUCCESS;
	/* Slots hold pointers and UINT64s: 8-aligned after the array. */
	out = malloc(n * (sizeof(void *) + slot));
	if (!out) {
		free(recs);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	for (UINT32 i = 0; i < n; i++) {
		unsigned char *p = (unsigned char *)(out + n) + i * slot;

		if (v)
			to1(recs[i], (struct slot1 *)(void *)p);
		else
			to0(recs[i], (struct slot0 *)(void *)p);
		out[i] = p;
	}
	free(recs);
	*entries = out;
	*returned = n;
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI FwpmNetEventEnum0(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_NET_EVENT0 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, net_enum(c_, enumHandle, numEntriesRequested, 0,
		(void ***)entries, numEntriesReturned));
}

FWP_EXPORT DWORD WINAPI FwpmNetEventEnum1(HANDLE engineHandle, HANDLE enumHandle,
	UINT32 numEntriesRequested, FWPM_NET_EVENT1 ***entries, UINT32 *numEntriesReturned)
{
	WITH_CLIENT(engineHandle, net_enum(c_, enumHandle, numEntriesRequested, 1,
		(void ***)entries, numEntriesReturned));
}
