/* sa.h - what the "sa" commands share (sa.c: show and the rest; sa_list.c:
 * list and flush): enumerating every context, and one context's document. */
#ifndef FWPCTL_SA_H
#define FWPCTL_SA_H

#include <stdbool.h>
#include <stddef.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "doc.h"

/* All the pages of one enumeration, kept until printed. */
struct sa_pages {
	IPSEC_SA_CONTEXT1 ***page;
	UINT32 *count;
	size_t n, cap;
};

/* Every context, in pages; free with sa_pages_free() whatever it returns. */
DWORD sa_enum_all(HANDLE engine, struct sa_pages *p);
void sa_pages_free(struct sa_pages *p);

/* What fwpctl adds to a context beyond GetById: FwpxSaContextGetInfo0
 * (state, times, creator), and when asked each SA's counters. */
struct ctx_extra {
	bool have_info, have_counters;
	FWPX_SA_CONTEXT_INFO0 info;
	FWPX_SA_COUNTERS0 cnt[2];	/* inbound, outbound */
};

/* Reads what it can; a context gone meanwhile leaves have_* false. */
void sa_read_extra(HANDLE engine, UINT64 id, bool counters, struct ctx_extra *x);
/* "larval", "inbound", "mature", "expiring"; x may be NULL. */
const char *sa_context_state(const IPSEC_SA_CONTEXT1 *c, const struct ctx_extra *x);
/* deadline - now, or 0 once passed. */
UINT64 sa_left(UINT64 deadline, UINT64 now);
/* One context as a document object; x: what was read besides, or NULL. */
void sa_emit_context(struct doc *d, const IPSEC_SA_CONTEXT1 *c,
		     const struct ctx_extra *x, UINT64 now);
/* The engine's clock: CLOCK_MONOTONIC in milliseconds (fwpx.h). */
UINT64 sa_now_ms(void);

#endif
