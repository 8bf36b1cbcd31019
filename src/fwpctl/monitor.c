/* monitor.c - the "monitor" object: SA-context, net or policy events as
 * they happen.
 *
 *   fwpctl [-j] monitor [net|policy] [--count N]
 *
 * Subscribes with FwpxSaContextSubscribe0 to every event type (or, with
 * "net", with FwpmNetEventSubscribe0 to every net event: the drops of the
 * datapath and of BLOCK filters; with "policy", with the four
 * Fwpm*SubscribeChanges0 to every committed add and delete of a provider,
 * sublayer, filter or provider context) and prints
 * one line per event, stamped with the local time, flushing each line so
 * that a pipe sees it at once; with -j each line is one JSON object (JSON
 * Lines; -p is ignored). Stops at SIGINT or SIGTERM (status 0), after N
 * events with --count, or when the engine goes away (status 3).
 *
 * Threads: events arrive on the library's callback thread, one callback
 * at a time, and are printed there. The main thread blocks SIGINT and
 * SIGTERM before the library starts any thread, so they reach only its
 * signalfd, and waits on that, on a pipe the callback writes to once N
 * events are printed, and on a heartbeat timer: a service that stopped
 * is noticed within HEARTBEAT_MS (the library does not tell subscribers
 * that their connection dropped).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "fwpctl.h"
#include "json.h"

#define HEARTBEAT_MS 1000

enum monitor_what { MON_SA, MON_NET, MON_POLICY };

struct monitor {
	bool json;
	enum monitor_what what;
	unsigned long limit;	/* 0: no limit */
	/* Callback thread only, until Unsubscribe returns. */
	unsigned long seen;
	bool finished;
	int write_errno;	/* stdout failed: stop */
	int done_fd;		/* written once when finished */
};

/* "2024-05-01T12:00:00.123+0200" */
static void timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char date[32], zone[8];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, len, "%s.%03ld%s", date, ts.tv_nsec / 1000000L, zone);
}

static void print_json(const FWPX_SA_CONTEXT_EVENT0 *ev, const char *when)
{
	const char *name = fmt_event(ev->eventType);
	struct json j;

	json_init(&j, stdout, false);
	json_object_begin(&j);
	json_key(&j, "time");
	json_string(&j, when);
	json_key(&j, "event");
	if (name)
		json_string(&j, name);
	else
		json_uint(&j, ev->eventType);
	if (ev->eventType == FWPX_SA_CONTEXT_EVENT_DROPPED) {
		json_key(&j, "dropped");
		json_uint(&j, ev->numDropped);
	} else {
		json_key(&j, "id");
		json_uint(&j, ev->saContextId);
	}
	if (ev->eventType == FWPX_SA_CONTEXT_EVENT_UPDATE) {
		json_key(&j, "update_flags");
		json_array_begin(&j);
		for (unsigned i = 0; i < 64; i++) {
			UINT64 bit = 1ULL << i;
			const char *flag;
			char hex[24];

			if (!(ev->updateFlags & bit))
				continue;
			flag = fmt_flag_name(fmt_update_flags, bit);
			if (!flag) {
				snprintf(hex, sizeof(hex), "0x%" PRIx64, bit);
				flag = hex;
			}
			json_string(&j, flag);
		}
		json_array_end(&j);
	}
	json_object_end(&j);
	json_end(&j);
}

static void print_text(const FWPX_SA_CONTEXT_EVENT0 *ev, const char *when)
{
	const char *name = fmt_event(ev->eventType);
	char unknown[24], flags[256];

	if (!name) {
		snprintf(unknown, sizeof(unknown), "0x%x", ev->eventType);
		name = unknown;
	}
	if (ev->eventType == FWPX_SA_CONTEXT_EVENT_DROPPED) {
		printf("%s %-13s %u events lost\n", when, name, ev->numDropped);
		return;
	}
	printf("%s %-13s id %" PRIu64, when, name, ev->saContextId);
	if (ev->eventType == FWPX_SA_CONTEXT_EVENT_UPDATE)
		printf(" flags %s", fmt_flags(fmt_update_flags, ev->updateFlags, ",",
					      flags, sizeof(flags)));
	putchar('\n');
}

static void finish(struct monitor *m)
{
	ssize_t n;

	m->finished = true;
	n = write(m->done_fd, "x", 1);
	(void)n;	/* a full pipe has a byte in it already */
}

static void CALLBACK on_event(void *context, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	struct monitor *m = context;
	char when[64];

	if (m->finished)
		return;
	timestamp(when, sizeof(when));
	if (m->json)
		print_json(ev, when);
	else
		print_text(ev, when);
	if (fflush(stdout) || ferror(stdout)) {
		m->write_errno = errno ? errno : EIO;
		finish(m);
		return;
	}
	if (m->limit && ++m->seen >= m->limit)
		finish(m);
}

/* Net events: "TIME ipsec-drop out 0xc000a010 spi 0x00000000 filter 7
 * udp 192.0.2.1:5000 -> 198.51.100.7:9" or "TIME classify-drop ...". */
static void net_addr(const FWPM_NET_EVENT_HEADER1 *h, bool local, char *buf, size_t len)
{
	bool have = h->flags & (local ? FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET :
					FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET);

	if (!have)
		snprintf(buf, len, "-");
	else if (h->ipVersion == FWP_IP_VERSION_V4)
		fmt_v4(local ? h->localAddrV4 : h->remoteAddrV4, buf, len);
	else
		fmt_v6_reversed(local ? h->localAddrV6.byteArray16 : h->remoteAddrV6.byteArray16,
				buf, len);
}

static const char *net_type(const FWPM_NET_EVENT1 *ev)
{
	if (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP)
		return "classify-drop";
	if (ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP)
		return "ipsec-drop";
	return NULL;
}

static void net_print_json(const FWPM_NET_EVENT1 *ev, const char *when)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;
	const char *type = net_type(ev);
	char l[FMT_ADDR_LEN], r[FMT_ADDR_LEN];
	struct json j;

	net_addr(h, true, l, sizeof(l));
	net_addr(h, false, r, sizeof(r));
	json_init(&j, stdout, false);
	json_object_begin(&j);
	json_key(&j, "time");
	json_string(&j, when);
	json_key(&j, "type");
	if (type)
		json_string(&j, type);
	else
		json_uint(&j, ev->type);
	json_key(&j, "protocol");
	json_uint(&j, h->ipProtocol);
	json_key(&j, "local");
	json_string(&j, l);
	json_key(&j, "remote");
	json_string(&j, r);
	json_key(&j, "local_port");
	json_uint(&j, h->localPort);
	json_key(&j, "remote_port");
	json_uint(&j, h->remotePort);
	if (ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP && ev->ipsecDrop) {
		json_key(&j, "direction");
		json_string(&j, fmt_direction(ev->ipsecDrop->direction));
		json_key(&j, "status");
		json_uint(&j, (UINT32)ev->ipsecDrop->failureStatus);
		json_key(&j, "spi");
		json_uint(&j, ev->ipsecDrop->spi);
		json_key(&j, "filter_id");
		json_uint(&j, ev->ipsecDrop->filterId);
	} else if (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP && ev->classifyDrop) {
		json_key(&j, "direction");
		json_string(&j, fmt_direction(ev->classifyDrop->msFwpDirection));
		json_key(&j, "filter_id");
		json_uint(&j, ev->classifyDrop->filterId);
	}
	json_object_end(&j);
	json_end(&j);
}

static void net_print_text(const FWPM_NET_EVENT1 *ev, const char *when)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;
	const char *type = net_type(ev);
	char l[FMT_ADDR_LEN], r[FMT_ADDR_LEN];

	net_addr(h, true, l, sizeof(l));
	net_addr(h, false, r, sizeof(r));
	if (type)
		printf("%s %s", when, type);
	else
		printf("%s type-%u", when, (unsigned)ev->type);
	if (ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP && ev->ipsecDrop)
		printf(" %s status 0x%08x spi 0x%08x filter %" PRIu64,
		       fmt_direction(ev->ipsecDrop->direction) ?
		       fmt_direction(ev->ipsecDrop->direction) : "-",
		       (unsigned)ev->ipsecDrop->failureStatus, (unsigned)ev->ipsecDrop->spi,
		       (uint64_t)ev->ipsecDrop->filterId);
	else if (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP && ev->classifyDrop)
		printf(" %s filter %" PRIu64,
		       fmt_direction(ev->classifyDrop->msFwpDirection) ?
		       fmt_direction(ev->classifyDrop->msFwpDirection) : "-",
		       (uint64_t)ev->classifyDrop->filterId);
	printf(" proto %u %s:%u -> %s:%u\n", h->ipProtocol, l, h->localPort, r,
	       h->remotePort);
}

void net_event_print(const FWPM_NET_EVENT1 *ev, const char *when, bool json)
{
	if (json)
		net_print_json(ev, when);
	else
		net_print_text(ev, when);
}

static void CALLBACK on_net_event(void *context, const FWPM_NET_EVENT1 *ev)
{
	struct monitor *m = context;
	char when[64];

	if (m->finished)
		return;
	timestamp(when, sizeof(when));
	if (m->json)
		net_print_json(ev, when);
	else
		net_print_text(ev, when);
	if (fflush(stdout) || ferror(stdout)) {
		m->write_errno = errno ? errno : EIO;
		finish(m);
		return;
	}
	if (m->limit && ++m->seen >= m->limit)
		finish(m);
}

/* Policy changes: "TIME add filter {KEY} id 65537" (no id for providers
 * and sublayers). */
static void change_print(struct monitor *m, const char *object, FWPM_CHANGE_TYPE type,
			 const GUID *key, const UINT64 *id)
{
	const char *change = type == FWPM_CHANGE_ADD ? "add" :
			     type == FWPM_CHANGE_DELETE ? "delete" : "?";
	char when[64], k[64];

	if (m->finished)
		return;
	timestamp(when, sizeof(when));
	fmt_guid(key, k, sizeof(k));
	if (m->json) {
		struct json j;

		json_init(&j, stdout, false);
		json_object_begin(&j);
		json_key(&j, "time");
		json_string(&j, when);
		json_key(&j, "change");
		json_string(&j, change);
		json_key(&j, "object");
		json_string(&j, object);
		json_key(&j, "key");
		json_string(&j, k);
		if (id) {
			json_key(&j, "id");
			json_uint(&j, *id);
		}
		json_object_end(&j);
		json_end(&j);
	} else {
		printf("%s %-6s %-16s %s", when, change, object, k);
		if (id)
			printf(" id %" PRIu64, (uint64_t)*id);
		putchar('\n');
	}
	if (fflush(stdout) || ferror(stdout)) {
		m->write_errno = errno ? errno : EIO;
		finish(m);
		return;
	}
	if (m->limit && ++m->seen >= m->limit)
		finish(m);
}

static void CALLBACK on_provider(void *context, const FWPM_PROVIDER_CHANGE0 *ch)
{
	change_print(context, "provider", ch->changeType, &ch->providerKey, NULL);
}

static void CALLBACK on_sublayer(void *context, const FWPM_SUBLAYER_CHANGE0 *ch)
{
	change_print(context, "sublayer", ch->changeType, &ch->subLayerKey, NULL);
}

static void CALLBACK on_filter(void *context, const FWPM_FILTER_CHANGE0 *ch)
{
	change_print(context, "filter", ch->changeType, &ch->filterKey, &ch->filterId);
}

static void CALLBACK on_context(void *context, const FWPM_PROVIDER_CONTEXT_CHANGE0 *ch)
{
	change_print(context, "provider-context", ch->changeType, &ch->providerContextKey,
		     &ch->providerContextId);
}

/* The four change subscriptions (flags 0: adds and deletes). On failure
 * those made are undone. */
static DWORD policy_subscribe(HANDLE engine, struct monitor *m, HANDLE h[4])
{
	FWPM_PROVIDER_SUBSCRIPTION0 ps = { 0 };
	FWPM_SUBLAYER_SUBSCRIPTION0 ss = { 0 };
	FWPM_FILTER_SUBSCRIPTION0 fs = { 0 };
	FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0 cs = { 0 };
	DWORD rc;

	rc = FwpmProviderSubscribeChanges0(engine, &ps, on_provider, m, &h[0]);
	if (!rc)
		rc = FwpmSubLayerSubscribeChanges0(engine, &ss, on_sublayer, m, &h[1]);
	if (!rc)
		rc = FwpmFilterSubscribeChanges0(engine, &fs, on_filter, m, &h[2]);
	if (!rc)
		rc = FwpmProviderContextSubscribeChanges0(engine, &cs, on_context, m, &h[3]);
	return rc;
}

static DWORD policy_unsubscribe(HANDLE engine, HANDLE h[4])
{
	DWORD rc = FwpmProviderUnsubscribeChanges0(engine, h[0]);
	DWORD rc1 = FwpmSubLayerUnsubscribeChanges0(engine, h[1]);
	DWORD rc2 = FwpmFilterUnsubscribeChanges0(engine, h[2]);
	DWORD rc3 = FwpmProviderContextUnsubscribeChanges0(engine, h[3]);

	return rc ? rc : rc1 ? rc1 : rc2 ? rc2 : rc3;
}

static int parse_args(int argc, char **argv, unsigned long *limit, enum monitor_what *what)
{
	if (argc > 0 && (!strcmp(argv[0], "net") || !strcmp(argv[0], "policy"))) {
		*what = argv[0][0] == 'n' ? MON_NET : MON_POLICY;
		argc--;
		argv++;
	}
	for (int i = 0; i < argc; i++) {
		const char *value = NULL;

		if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "-c")) {
			if (i + 1 == argc)
				return ctl_usage("monitor: %s needs a number", argv[i]);
			value = argv[++i];
		} else if (!strncmp(argv[i], "--count=", 8)) {
			value = argv[i] + 8;
		} else {
			return ctl_usage("monitor: unexpected argument '%s'", argv[i]);
		}
		if (ctl_parse_count(value, limit))
			return ctl_usage("monitor: '%s' is not a count (1 or more)", value);
	}
	return FWPCTL_OK;
}

/* Waits until a signal, the callback's "finished", or a failed heartbeat. */
static int wait_loop(HANDLE engine, int sig_fd, int done_fd)
{
	struct pollfd fds[2] = {
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = done_fd, .events = POLLIN },
	};

	for (;;) {
		int n = poll(fds, 2, HEARTBEAT_MS);
		UINT32 ms;
		DWORD rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ctl_error("monitor: poll: %s", strerror(errno));
		if (n > 0)
			return FWPCTL_OK;	/* a signal, or done */
		rc = FwpxEngineGetExpireDrain0(engine, &ms);
		if (rc != ERROR_SUCCESS)
			return ctl_fail(rc, "monitor: lost the engine");
	}
}

int monitor_run(struct ctl *ctl, int argc, char **argv)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	struct monitor m = { .json = ctl->json };
	sigset_t mask, old_mask;
	int pipe_fd[2] = { -1, -1 }, sig_fd = -1;
	HANDLE engine, events = NULL, changes[4] = { NULL };
	static const char *const what_name[] = { "SA-context events", "net events",
						 "policy changes" };
	DWORD rc;
	int status;

	status = parse_args(argc, argv, &m.limit, &m.what);
	if (status)
		return status;
	/* Before the library starts any thread: they inherit the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, &old_mask);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0 || pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK)) {
		status = ctl_error("monitor: %s", strerror(errno));
		goto out;
	}
	m.done_fd = pipe_fd[1];
	status = ctl_engine(ctl, &engine);
	if (status)
		goto out;
	if (m.what == MON_NET) {
		FWPM_NET_EVENT_SUBSCRIPTION0 nsub;

		memset(&nsub, 0, sizeof(nsub));
		rc = FwpmNetEventSubscribe0(engine, &nsub, on_net_event, &m, &events);
	} else if (m.what == MON_POLICY) {
		rc = policy_subscribe(engine, &m, changes);
	} else {
		memset(&sub, 0, sizeof(sub));
		rc = FwpxSaContextSubscribe0(engine, &sub, FWPX_EVENT_MASK_ALL, on_event,
					     &m, &events);
	}
	if (rc != ERROR_SUCCESS) {
		status = ctl_fail(rc, "subscribing to %s", what_name[m.what]);
		goto out;	/* closing the engine ends what was made */
	}
	status = wait_loop(engine, sig_fd, pipe_fd[0]);
	/* Waits for a running callback; after it, m is ours again. */
	rc = m.what == MON_NET ? FwpmNetEventUnsubscribe0(engine, events) :
	     m.what == MON_POLICY ? policy_unsubscribe(engine, changes) :
	     IPsecSaContextUnsubscribe0(engine, events);
	if (!status && rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "unsubscribing");
	if (!status && m.write_errno)
		status = ctl_error("monitor: write error: %s", strerror(m.write_errno));
out:
	ctl_close(ctl);		/* no library thread may outlive the mask */
	if (sig_fd >= 0) {
		struct signalfd_siginfo si;

		/* Consume the signals that stopped us, or they would be
		 * delivered when the mask is restored. */
		while (read(sig_fd, &si, sizeof(si)) == sizeof(si))
			;
		close(sig_fd);
	}
	if (pipe_fd[0] >= 0) {
		close(pipe_fd[0]);
		close(pipe_fd[1]);
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
