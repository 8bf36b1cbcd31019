/* netevent.c - the "netevent" object: the engine's net-event history.
 *
 *   fwpctl [-j] netevent list
 *   fwpctl netevent collect on|off
 *
 * "list" prints what FwpmNetEventEnum1 returns, oldest first, one line
 * (or, with -j, one JSON object) per event as "monitor net" prints them,
 * stamped with the event's own time. "collect" sets the engine option
 * FWPM_ENGINE_COLLECT_NET_EVENTS, without which nothing is kept.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fwpctl.h"

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000ull

static void when_of(const FILETIME *t, char *buf, size_t len)
{
	uint64_t ft = (uint64_t)t->dwHighDateTime << 32 | t->dwLowDateTime;
	time_t sec = ft > FILETIME_UNIX_EPOCH ?
		     (time_t)((ft - FILETIME_UNIX_EPOCH) / 10000000u) : 0;
	unsigned ms = ft > FILETIME_UNIX_EPOCH ?
		      (unsigned)((ft - FILETIME_UNIX_EPOCH) / 10000u % 1000u) : 0;
	char date[32], zone[8];
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%03u%s", date, ms, zone);
}

int netevent_list(struct ctl *ctl, int argc, char **argv)
{
	HANDLE engine, eh = NULL;
	FWPM_NET_EVENT1 **v = NULL;
	UINT32 n = 0;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("netevent list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmNetEventCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the net-event history");
	do {
		rc = FwpmNetEventEnum1(engine, eh, 256, &v, &n);
		for (UINT32 i = 0; rc == ERROR_SUCCESS && i < n; i++) {
			char when[64];

			when_of(&v[i]->header.timeStamp, when, sizeof(when));
			net_event_print(v[i], when, ctl->json);
		}
		FwpmFreeMemory0((void **)&v);
	} while (rc == ERROR_SUCCESS && n);
	FwpmNetEventDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the net-event history");
	if (fflush(stdout) || ferror(stdout))
		return ctl_error("netevent list: write error");
	return FWPCTL_OK;
}

int netevent_collect(struct ctl *ctl, int argc, char **argv)
{
	FWP_VALUE0 v = { .type = FWP_UINT32 };
	HANDLE engine;
	DWORD rc;
	int status;

	if (argc < 1)
		return ctl_usage("netevent collect: missing on or off");
	if (argc > 1)
		return ctl_usage("netevent collect: unexpected argument '%s'", argv[1]);
	if (!strcmp(argv[0], "on"))
		v.uint32 = 1;
	else if (strcmp(argv[0], "off"))
		return ctl_usage("netevent collect: '%s' is neither on nor off", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmEngineSetOption0(engine, FWPM_ENGINE_COLLECT_NET_EVENTS, &v);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "switching net-event collection %s", argv[0]);
	return FWPCTL_OK;
}
