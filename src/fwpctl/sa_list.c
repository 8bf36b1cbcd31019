/* sa_list.c - "sa list" and "sa flush".
 *
 * list enumerates every context in pages and prints one table line per
 * live direction (a context without SAs yet gets one line of dashes), or
 * with -j an array of the documents sa show prints. It selects (spi SPI,
 * peer ADDR), adds the state, age, time left and each SA's counters in
 * human units (-s), and repeats (--watch SECONDS [--count N]). flush
 * deletes every context.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc.h"
#include "format.h"
#include "fwpctl.h"
#include "sa.h"
#include "table.h"

/* What "sa list" selects and adds. */
struct list_opts {
	bool by_spi, by_peer, stats;
	UINT32 spi;
	char peer[FMT_ADDR_LEN];	/* as fmt_traffic_address writes it */
	unsigned long watch_ms, count;
};

static const struct table_column list_columns[] = {
	{ "id", true }, { "dir", false }, { "spi", false }, { "transform", false },
	{ "mode", false }, { "local", false }, { "remote", false },
	{ "nat-t", false }, { "life(s)", true }, { "flags", false },
	/* -s */
	{ "state", false }, { "age", true }, { "left", true }, { "packets", true },
	{ "bytes", true }, { "idle", true },
};
#define LIST_COLUMNS 10
#define STATS_COLUMNS 6

/* 1023, 1.0K, 12.3M, 4.0G: powers of 1024, as ip -h does. */
static char *human(UINT64 v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
	while (x >= 1024 && u < 5) {
		x /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", x, units[u]);
	return buf;
}

/* 350ms, 12s, 5m03s, 2h04m, 3d02h. */
static char *human_duration(UINT64 ms, char *buf, size_t len)
{
	UINT64 s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

/* Since last: a duration, or "never" for 0. */
static char *human_ms(UINT64 last, UINT64 now, char *buf, size_t len)
{
	if (!last) {
		snprintf(buf, len, "never");
		return buf;
	}
	return human_duration(now > last ? now - last : 0, buf, len);
}

/* What is left of this direction in time: its drain when expiring, else
 * its seconds lifetime; NULL when neither applies. */
static const char *time_left(const struct ctx_extra *x, bool outbound, char *buf, size_t len)
{
	const FWPX_SA_CONTEXT_INFO0 *i = &x->info;
	UINT64 deadline;

	if (!x->have_info)
		return NULL;
	if (i->state == FWPX_SA_CONTEXT_STATE_EXPIRING && !outbound)
		deadline = i->drainDeadlineMs;
	else
		deadline = outbound ? i->outboundHardDeadlineMs : i->inboundHardDeadlineMs;
	return deadline ? human_duration(sa_left(deadline, i->nowMs), buf, len) : NULL;
}

/* e: what -s read, else NULL. */
static int list_row(struct table *t, const IPSEC_SA_CONTEXT1 *ctx, const char *dir,
		    const IPSEC_SA_DETAILS1 *x, const struct ctx_extra *e, UINT64 now)
{
	char sid[24], spi[16], xform[FMT_XFORM_LEN], local[FMT_ADDR_LEN],
	     remote[FMT_ADDR_LEN], natt[32], life[16], flags[512], pk[16], by[16],
	     idle[24], age[24], tl[24];
	bool outbound = x && x == ctx->outboundSa;
	const FWPX_SA_COUNTERS0 *c = e && e->have_counters ? &e->cnt[outbound] : NULL;
	const char *cells[LIST_COLUMNS + STATS_COLUMNS] = { sid, dir };

	snprintf(sid, sizeof(sid), "%" PRIu64, ctx->saContextId);
	if (x) {
		const IPSEC_SA_BUNDLE1 *b = &x->saBundle;

		if (b->saList && b->numSAs)
			snprintf(spi, sizeof(spi), "0x%08x", b->saList[0].spi);
		else
			snprintf(spi, sizeof(spi), "-");
		snprintf(life, sizeof(life), "%u", b->lifetime.lifetimeSeconds);
		cells[2] = spi;
		cells[3] = fmt_bundle_transform(b, xform, sizeof(xform));
		cells[4] = fmt_mode(x->traffic.trafficType);
		cells[5] = fmt_traffic_address(&x->traffic, true, true, local, sizeof(local));
		cells[6] = fmt_traffic_address(&x->traffic, false, true, remote, sizeof(remote));
		cells[7] = fmt_natt(x->udpEncapsulation, natt, sizeof(natt));
		cells[8] = b->lifetime.lifetimeSeconds ? life : NULL;
		cells[9] = fmt_flags(fmt_bundle_flags, b->flags, ",", flags, sizeof(flags));
	}
	if (!e)
		return table_add(t, cells);
	cells[10] = sa_context_state(ctx, e);
	if (e->have_info)
		cells[11] = human_duration(sa_left(e->info.nowMs, e->info.createdMs), age, sizeof(age));
	if (x)
		cells[12] = time_left(e, outbound, tl, sizeof(tl));
	if (x && c) {
		cells[13] = human(c->packets, pk, sizeof(pk));
		cells[14] = human(c->bytes, by, sizeof(by));
		cells[15] = human_ms(c->lastUseMs, now, idle, sizeof(idle));
	}
	return table_add(t, cells);
}

static bool details_match(const IPSEC_SA_DETAILS1 *x, const struct list_opts *o)
{
	char peer[FMT_ADDR_LEN];
	bool spi_ok = !o->by_spi;

	if (!x)
		return false;
	for (UINT32 i = 0; i < x->saBundle.numSAs && x->saBundle.saList && !spi_ok; i++)
		spi_ok = x->saBundle.saList[i].spi == o->spi;
	return spi_ok && (!o->by_peer ||
		!strcmp(fmt_traffic_address(&x->traffic, false, false, peer, sizeof(peer)),
			o->peer));
}

static bool context_match(const IPSEC_SA_CONTEXT1 *c, const struct list_opts *o)
{
	if (!o->by_spi && !o->by_peer)
		return true;
	return details_match(c->inboundSa, o) || details_match(c->outboundSa, o);
}

static int print_table(HANDLE engine, const struct sa_pages *p, const struct list_opts *o)
{
	struct table *t = table_new(list_columns, LIST_COLUMNS + (o->stats ? STATS_COLUMNS : 0));
	UINT64 now = sa_now_ms();
	int err = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < p->n && !err; i++) {
		for (UINT32 k = 0; k < p->count[i] && !err; k++) {
			const IPSEC_SA_CONTEXT1 *c = p->page[i][k];
			struct ctx_extra x, *e = o->stats ? &x : NULL;

			if (!context_match(c, o))
				continue;
			if (e)
				sa_read_extra(engine, c->saContextId, true, e);
			if (c->inboundSa)
				err = list_row(t, c, "in", c->inboundSa, e, now);
			if (!err && c->outboundSa)
				err = list_row(t, c, "out", c->outboundSa, e, now);
			if (!err && !c->inboundSa && !c->outboundSa)
				err = list_row(t, c, NULL, NULL, e, now);
		}
	}
	if (!err && table_rows(t))
		table_print(t, stdout);
	table_free(t);
	return err;
}

static int print_json(const struct ctl *ctl, HANDLE engine, const struct sa_pages *p,
		      const struct list_opts *o)
{
	UINT64 now = sa_now_ms();
	struct doc d;

	/* Watching: one document per line (JSON Lines), as monitor writes. */
	doc_init(&d, stdout, true, ctl->pretty && !o->watch_ms);
	doc_array_begin(&d, NULL);
	for (size_t i = 0; i < p->n; i++) {
		for (UINT32 k = 0; k < p->count[i]; k++) {
			const IPSEC_SA_CONTEXT1 *c = p->page[i][k];
			struct ctx_extra x;

			if (!context_match(c, o))
				continue;
			/* Two more calls per context: only when asked (-s). */
			if (o->stats)
				sa_read_extra(engine, c->saContextId, true, &x);
			sa_emit_context(&d, c, o->stats ? &x : NULL, now);
		}
	}
	doc_array_end(&d);
	return doc_end(&d);
}

static int parse_list(int argc, char **argv, struct list_opts *o)
{
	unsigned char bin[16];
	char *end;

	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "-s") || !strcmp(w, "--stats")) {
			o->stats = true;
			continue;
		}
		if (strcmp(w, "spi") && strcmp(w, "peer") && strcmp(w, "--watch") &&
		    strcmp(w, "--count"))
			return ctl_usage("sa list: unexpected argument '%s'", w);
		if (!v)
			return ctl_usage("sa list: %s needs a value", w);
		i++;
		if (!strcmp(w, "spi")) {
			unsigned long long spi;

			errno = 0;
			spi = strtoull(v, &end, 0);
			if (*v < '0' || *v > '9' || errno || *end || spi > UINT32_MAX)
				return ctl_usage("sa list: '%s' is not an SPI", v);
			o->by_spi = true;
			o->spi = (UINT32)spi;
		} else if (!strcmp(w, "peer")) {
			/* Written back the way the table prints addresses. */
			if (inet_pton(AF_INET, v, bin) == 1)
				inet_ntop(AF_INET, bin, o->peer, sizeof(o->peer));
			else if (inet_pton(AF_INET6, v, bin) == 1)
				inet_ntop(AF_INET6, bin, o->peer, sizeof(o->peer));
			else
				return ctl_usage("sa list: '%s' is not an IP address", v);
			o->by_peer = true;
		} else if (!strcmp(w, "--watch")) {
			if (ctl_parse_timeout(v, &o->watch_ms) || o->watch_ms < 100)
				return ctl_usage("sa list: --watch '%s': seconds, 0.1 to 3600", v);
		} else if (ctl_parse_count(v, &o->count)) {
			return ctl_usage("sa list: '%s' is not a count (1 or more)", v);
		}
	}
	if (o->count && !o->watch_ms)
		return ctl_usage("sa list: --count needs --watch");
	return FWPCTL_OK;
}

static int list_once(struct ctl *ctl, HANDLE engine, const struct list_opts *o)
{
	struct sa_pages pages = { 0 };
	DWORD rc = sa_enum_all(engine, &pages);
	int status = FWPCTL_OK;

	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating SA contexts");
	else if (ctl->json && print_json(ctl, engine, &pages, o))
		status = ctl_error("sa list: malformed output");
	else if (!ctl->json && print_table(engine, &pages, o))
		status = ctl_error("sa list: out of memory");
	sa_pages_free(&pages);
	return status;
}

int sa_list(struct ctl *ctl, int argc, char **argv)
{
	struct list_opts o;
	HANDLE engine;
	int status;

	status = parse_list(argc, argv, &o);
	if (!status)
		status = ctl_engine(ctl, &engine);
	if (status || !o.watch_ms)
		return status ? status : list_once(ctl, engine, &o);
	/* Watching: until interrupted, or N times. */
	for (unsigned long n = 1;; n++) {
		struct timespec ts = { .tv_sec = (time_t)(o.watch_ms / 1000),
				       .tv_nsec = (long)(o.watch_ms % 1000) * 1000000L };
		char when[32];
		time_t now = time(NULL);
		struct tm tm;

		if (!ctl->json) {
			localtime_r(&now, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%sEvery %lu.%lus: fwpctl sa list  %s\n\n", n > 1 ? "\n" : "",
			       o.watch_ms / 1000, o.watch_ms % 1000 / 100, when);
		}
		status = list_once(ctl, engine, &o);
		if (status || fflush(stdout) || (o.count && n >= o.count))
			return status;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}

/* Deletes every context the enumeration finds; ones deleted meanwhile are
 * not an error. Prints nothing, as delete. */
int sa_flush(struct ctl *ctl, int argc, char **argv)
{
	struct sa_pages pages = { 0 };
	HANDLE engine;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("sa flush: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = sa_enum_all(engine, &pages);
	if (rc != ERROR_SUCCESS)
		status = ctl_fail(rc, "enumerating SA contexts");
	for (size_t i = 0; i < pages.n && !status; i++) {
		for (UINT32 k = 0; k < pages.count[i] && !status; k++) {
			UINT64 id = pages.page[i][k]->saContextId;

			rc = IPsecSaContextDeleteById0(engine, id);
			if (rc == ERROR_ACCESS_DENIED)
				status = ctl_fail(rc, "flushing SA contexts: only root and the "
						  "service's group may");
			else if (rc != ERROR_SUCCESS && rc != FWP_E_NOT_FOUND)
				status = ctl_fail(rc, "deleting SA context %" PRIu64, id);
		}
	}
	sa_pages_free(&pages);
	return status;
}
