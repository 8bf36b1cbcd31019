/* session.c - the "session" object: the sessions open on the engine
 * (FwpmSessionEnum0), one per engine handle of every client. */
#include <stdio.h>
#include <stdlib.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "table.h"

#define PAGE 256

static const struct table_column columns[] = {
	{ "key", false }, { "pid", true }, { "user", false }, { "flags", false },
	{ "name", false },
};

static int print_table(FWPM_SESSION0 **v, UINT32 n, struct table *t)
{
	for (UINT32 i = 0; i < n; i++) {
		char key[64], pid[16], user[128], name[256];
		const char *cells[5];

		snprintf(pid, sizeof(pid), "%u", (unsigned)v[i]->processId);
		cells[0] = fmt_guid(&v[i]->sessionKey, key, sizeof(key));
		cells[1] = pid;
		cells[2] = v[i]->username ? fmt_wstr(v[i]->username, user, sizeof(user)) : NULL;
		cells[3] = v[i]->flags & FWPM_SESSION_FLAG_DYNAMIC ? "dynamic" : "static";
		cells[4] = v[i]->displayData.name ?
			   fmt_wstr(v[i]->displayData.name, name, sizeof(name)) : NULL;
		if (table_add(t, cells))
			return -1;
	}
	return 0;
}

static void emit_json(struct doc *d, FWPM_SESSION0 **v, UINT32 n)
{
	for (UINT32 i = 0; i < n; i++) {
		char buf[256];

		doc_object_begin(d, NULL);
		doc_str(d, "key", fmt_guid(&v[i]->sessionKey, buf, sizeof(buf)));
		doc_uint(d, "pid", v[i]->processId);
		doc_str(d, "user", v[i]->username ?
			   fmt_wstr(v[i]->username, buf, sizeof(buf)) : "");
		doc_bool(d, "dynamic", (v[i]->flags & FWPM_SESSION_FLAG_DYNAMIC) != 0);
		doc_str(d, "name", v[i]->displayData.name ?
			   fmt_wstr(v[i]->displayData.name, buf, sizeof(buf)) : "");
		doc_str(d, "description", v[i]->displayData.description ?
			   fmt_wstr(v[i]->displayData.description, buf, sizeof(buf)) : "");
		doc_uint(d, "txn_wait_ms", v[i]->txnWaitTimeoutInMSec);
		doc_object_end(d);
	}
}

int session_list(struct ctl *ctl, int argc, char **argv)
{
	struct table *t = NULL;
	struct doc d;
	HANDLE engine, eh;
	FWPM_SESSION0 **v;
	UINT32 n;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("session list: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = FwpmSessionCreateEnumHandle0(engine, NULL, &eh);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "enumerating sessions");
	if (ctl->json) {
		doc_init(&d, stdout, true, ctl->pretty);
		doc_array_begin(&d, NULL);
	} else {
		t = table_new(columns, sizeof(columns) / sizeof(columns[0]));
		if (!t) {
			FwpmSessionDestroyEnumHandle0(engine, eh);
			return ctl_error("session list: out of memory");
		}
	}
	do {
		rc = FwpmSessionEnum0(engine, eh, PAGE, &v, &n);
		if (rc != ERROR_SUCCESS)
			break;
		if (ctl->json)
			emit_json(&d, v, n);
		else if (print_table(v, n, t))
			status = ctl_error("session list: out of memory");
		FwpmFreeMemory0((void **)&v);
	} while (n == PAGE && !status);
	FwpmSessionDestroyEnumHandle0(engine, eh);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating sessions");
	if (ctl->json) {
		doc_array_end(&d);
		if (doc_end(&d) && !status)
			status = ctl_error("session list: malformed output");
	} else {
		if (!status)
			table_print(t, stdout);
		table_free(t);
	}
	return status;
}
