/* fwpctl.h - what fwpctl's command handlers share.
 *
 * A handler is called with the words after OBJECT COMMAND. It checks its
 * arguments first (a bad one is a usage error, whatever the engine), then
 * opens the engine with ctl_engine(), calls the API, prints, and RETURNS
 * one of the exit statuses below; only main() exits. Results go to
 * stdout, errors to stderr as "fwpctl: NAME (0xCODE): what failed".
 *
 * fwpctl uses the public API only (fwpmu.h, fwpx.h): it is a client like
 * any keying module, and sees exactly what they see. One exception, not an
 * engine call: datapath.c clears a dead datapath's kernel state through
 * src/datapath's dp_clear.h; and sd.c converts descriptors to and from
 * SDDL with src/common/secdesc.h.
 */
#ifndef FWPCTL_H
#define FWPCTL_H

#include <stdbool.h>

#include <fwpmu.h>
#include <fwpx.h>

/* Stable: scripts test them (fwpctl(8), EXIT STATUS). */
enum fwpctl_status {
	FWPCTL_OK = 0,
	FWPCTL_FAILED = 1,	/* the engine refused or the call failed */
	FWPCTL_USAGE = 2,	/* bad command line */
	FWPCTL_UNAVAILABLE = 3,	/* no engine to talk to, or it did not answer
				 * within the call timeout */
};

/* fwpctl's call timeout unless --timeout or FWP_TIMEOUT_MS says otherwise. */
#define FWPCTL_TIMEOUT_MS 5000

struct ctl {
	bool json;		/* -j */
	bool pretty;		/* -p, with -j */
	HANDLE engine;		/* NULL until ctl_engine() */
};

typedef int (*ctl_handler)(struct ctl *ctl, int argc, char **argv);

/* The engine, opened at the first call (an error has been reported when
 * this returns non-zero: return that status). */
int ctl_engine(struct ctl *ctl, HANDLE *engine);
void ctl_close(struct ctl *ctl);

/* The exit status for an API result: 0, FWPCTL_UNAVAILABLE for the codes
 * meaning no engine could be reached, else FWPCTL_FAILED. */
int ctl_status(DWORD rc);
/* Reports rc as "fwpctl: NAME (0x%08x): <fmt>" and returns ctl_status(rc). */
int ctl_fail(DWORD rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports "fwpctl: <fmt>" and a hint to see the help; returns FWPCTL_USAGE. */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports "fwpctl: <fmt>"; returns FWPCTL_FAILED. */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An SA context id: decimal, not 0. 0 or -EINVAL. */
int ctl_parse_id(const char *s, UINT64 *id);
/* Seconds, decimal with up to 3 decimals kept ("5", "0.5"), 0.001 .. 3600;
 * in milliseconds. 0 or -EINVAL. */
int ctl_parse_timeout(const char *s, unsigned long *ms);
/* A GUID as Windows writes it, braces optional. 0 or -EINVAL. */
int ctl_parse_guid(const char *s, GUID *g);
/* A count: decimal, 1 .. UINT32_MAX. 0 or -EINVAL. */
int ctl_parse_count(const char *s, unsigned long *n);

/* Handlers, one file per object. */
int sa_list(struct ctl *ctl, int argc, char **argv);
int sa_show(struct ctl *ctl, int argc, char **argv);
int sa_delete(struct ctl *ctl, int argc, char **argv);
int sa_expire(struct ctl *ctl, int argc, char **argv);
int sa_counters_show(struct ctl *ctl, int argc, char **argv);
int stats_show(struct ctl *ctl, int argc, char **argv);
int session_list(struct ctl *ctl, int argc, char **argv);
int monitor_run(struct ctl *ctl, int argc, char **argv);
int filter_list(struct ctl *ctl, int argc, char **argv);
int filter_show(struct ctl *ctl, int argc, char **argv);
int filter_delete(struct ctl *ctl, int argc, char **argv);
int provider_list(struct ctl *ctl, int argc, char **argv);
int provider_delete(struct ctl *ctl, int argc, char **argv);
int sublayer_list(struct ctl *ctl, int argc, char **argv);
int datapath_clear(struct ctl *ctl, int argc, char **argv);
int sublayer_delete(struct ctl *ctl, int argc, char **argv);
int provider_context_list(struct ctl *ctl, int argc, char **argv);
int provider_context_delete(struct ctl *ctl, int argc, char **argv);
int sa_flush(struct ctl *ctl, int argc, char **argv);
int net_monitor_run(struct ctl *ctl, int argc, char **argv);
int netevent_list(struct ctl *ctl, int argc, char **argv);
int netevent_collect(struct ctl *ctl, int argc, char **argv);
int layer_list(struct ctl *ctl, int argc, char **argv);
int layer_show(struct ctl *ctl, int argc, char **argv);
int callout_list(struct ctl *ctl, int argc, char **argv);
int callout_show(struct ctl *ctl, int argc, char **argv);
int sd_show(struct ctl *ctl, int argc, char **argv);
int sd_set(struct ctl *ctl, int argc, char **argv);
/* monitor.c: one net event as "monitor net" prints it. */
void net_event_print(const FWPM_NET_EVENT1 *ev, const char *when, bool json);

#endif
