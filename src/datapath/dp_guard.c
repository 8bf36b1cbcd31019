/* dp_guard.c - the guard follows the filters: what an inbound or outbound
 * IPsec (or, outbound, BLOCK) filter protects becomes guard classes
 * (guard.h): its remote prefixes times its protocols, local ports and
 * remote ports. What no filter names is in no class and passes in the
 * clear, as the classifier lets it pass.
 *
 * Conditions on one field are alternatives (WFP ORs them), conditions on
 * different fields all hold (AND). A field followed: IP_PROTOCOL (UINT8),
 * IP_LOCAL_PORT and IP_REMOTE_PORT (UINT16), each EQUAL or RANGE. Any other
 * shape on those fields (NOT_EQUAL, GREATER, a mask...) or too many
 * alternatives make the field "any": the guard then drops more than the
 * filter protects, never less. For ICMP the ports are type and code in
 * WFP, not what nftables reads there: a class with ICMP in it guards every
 * "port". */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "datapath/dp_internal.h"

#define DP_GUARD_ALTS 16	/* alternatives per field; more: any */

enum { F_PROTO, F_LPORT, F_RPORT, F_N };

struct field {
	bool any;
	unsigned n;
	uint16_t lo[DP_GUARD_ALTS], hi[DP_GUARD_ALTS];
};

struct guard_walk {
	struct dp *dp;
	enum guard_dir dir;
	bool add;
	int err;
	struct field f[F_N];
};

static const unsigned field_max[F_N] = { 255, 65535, 65535 };

static bool value(const FWP_VALUE0 *v, FWP_DATA_TYPE type, unsigned *out)
{
	if (v->type != type)
		return false;
	*out = type == FWP_UINT8 ? v->uint8 : v->uint16;
	return true;
}

static void field_add(struct field *f, const FWP_CONDITION_VALUE0 *v, FWP_MATCH_TYPE match,
		      FWP_DATA_TYPE type)
{
	unsigned lo, hi;
	bool ok;

	if (f->any)
		return;
	if (match == FWP_MATCH_EQUAL && v->type == type) {
		lo = hi = type == FWP_UINT8 ? v->uint8 : v->uint16;
		ok = true;
	} else if (match == FWP_MATCH_RANGE && v->type == FWP_RANGE_TYPE && v->rangeValue) {
		ok = value(&v->rangeValue->valueLow, type, &lo) &&
		     value(&v->rangeValue->valueHigh, type, &hi) && lo <= hi;
	} else {
		ok = false;
	}
	if (!ok || f->n == DP_GUARD_ALTS) {
		f->any = true;
		return;
	}
	f->lo[f->n] = (uint16_t)lo;
	f->hi[f->n++] = (uint16_t)hi;
}

static void fields(struct guard_walk *w, const FWPM_FILTER0 *f)
{
	for (UINT32 i = 0; i < f->numFilterConditions; i++) {
		const FWPM_FILTER_CONDITION0 *c = &f->filterCondition[i];
		const GUID *k = &c->fieldKey;

		if (!memcmp(k, &FWPM_CONDITION_IP_PROTOCOL, sizeof(GUID)))
			field_add(&w->f[F_PROTO], &c->conditionValue, c->matchType, FWP_UINT8);
		else if (!memcmp(k, &FWPM_CONDITION_IP_LOCAL_PORT, sizeof(GUID)))
			field_add(&w->f[F_LPORT], &c->conditionValue, c->matchType, FWP_UINT16);
		else if (!memcmp(k, &FWPM_CONDITION_IP_REMOTE_PORT, sizeof(GUID)))
			field_add(&w->f[F_RPORT], &c->conditionValue, c->matchType, FWP_UINT16);
	}
	for (int i = 0; i < F_N; i++) {
		if (w->f[i].any || !w->f[i].n) {
			w->f[i].n = 1;
			w->f[i].lo[0] = 0;
			w->f[i].hi[0] = (uint16_t)field_max[i];
		}
	}
}

static bool has_icmp(const struct guard_sel *s)
{
	return (s->proto[0] <= IPPROTO_ICMP && s->proto[1] >= IPPROTO_ICMP) ||
	       (s->proto[0] <= IPPROTO_ICMPV6 && s->proto[1] >= IPPROTO_ICMPV6);
}

static void apply(struct guard_walk *w, struct guard_sel *s)
{
	if (has_icmp(s)) {
		s->lport[0] = s->rport[0] = 0;
		s->lport[1] = s->rport[1] = 65535;
	}
	if (!w->add)
		guard_del_sel(&w->dp->guard, w->dir, s);
	else if (guard_add_sel(&w->dp->guard, w->dir, s) && !w->err)
		w->err = -EINVAL;
}

/* Each remote prefix times every alternative of each field. */
static void walk_prefix(void *arg, bool remote, int family, const uint8_t addr[16],
			unsigned plen)
{
	struct guard_walk *w = arg;
	const struct field *f = w->f;
	struct guard_sel s;

	if (!remote)
		return;
	guard_sel_prefix(&s, family, addr, plen);
	for (unsigned p = 0; p < f[F_PROTO].n; p++) {
		for (unsigned l = 0; l < f[F_LPORT].n; l++) {
			for (unsigned r = 0; r < f[F_RPORT].n; r++) {
				s.proto[0] = (uint8_t)f[F_PROTO].lo[p];
				s.proto[1] = (uint8_t)f[F_PROTO].hi[p];
				s.lport[0] = f[F_LPORT].lo[l];
				s.lport[1] = f[F_LPORT].hi[l];
				s.rport[0] = f[F_RPORT].lo[r];
				s.rport[1] = f[F_RPORT].hi[r];
				apply(w, &s);
			}
		}
	}
}

int dp_guard_filter(struct dp *dp, const FWPM_FILTER0 *f, enum guard_dir dir, bool add)
{
	struct guard_walk w = { .dp = dp, .dir = dir, .add = add };

	if (!dp->guarded)
		return 0;
	fields(&w, f);
	dp->host.ops->filter_prefixes(f, walk_prefix, &w);
	return w.err;
}
