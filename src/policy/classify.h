/* classify.h - the filter classifier: which filter decides a packet at a
 * layer (policy-facts §7.2, "Filter Arbitration").
 *
 * The engine converts each FWPM_FILTER0 into a struct cls_rule (its own
 * representation, no Windows structs here) and asks, per new flow, which
 * filter decides. Conditions understood: local/remote address, local/remote
 * port and IP protocol (policy-facts §3: the transport, IP packet and ALE
 * layers; the forward layers map IP_SOURCE_ADDRESS to local_addr and
 * IP_DESTINATION_ADDRESS to remote_addr). Other conditions are the engine's
 * business: a rule that carries one the classifier cannot see must not be
 * handed over as if it matched everything.
 *
 * Semantics
 * ---------
 * Matching: a rule matches a packet iff layer and ip_version are equal and,
 * for every field that has ranges, the packet value lies in at least one of
 * them (conditions on one field OR'ed, different fields AND'ed, a field
 * without ranges matches everything; policy-facts §3 "Condition
 * combination"). All ranges are inclusive. Ports and protocol are host
 * numbers; addresses are network-order bytes compared as big-endian numbers
 * (v4 in bytes 0..3, the other 12 bytes ignored).
 *
 * Order: rules of one (layer, ip_version) are grouped into sublayers by the
 * pair (sublayer_weight, sublayer_index). Sublayers are visited by
 * decreasing sublayer_weight, equal weights by increasing sublayer_index.
 * Inside a sublayer, filters by decreasing weight, equal weights by
 * increasing filter_id (WFP leaves equal weights unordered, policy-facts
 * §7.1; we pick a deterministic order).
 *
 * Decisions (policy-facts §7.2, applied without callouts):
 *   FWP_ACTION_BLOCK               terminating, hard block (filter default)
 *   FWP_ACTION_PERMIT              terminating, soft permit (filter default)
 *   FWP_ACTION_CALLOUT_INSPECTION  non-terminating: never decides, the next
 *                                  filter of the same sublayer is evaluated
 *   FWP_ACTION_CALLOUT_TERMINATING / FWP_ACTION_CALLOUT_UNKNOWN
 *       No callout is ever registered here, so these act as Block
 *       (§7.2 item 7), treated as a filter Block, i.e. hard; with
 *       FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED in flags they act as
 *       a (soft) Permit.
 * The first matching terminating filter of a sublayer is that sublayer's
 * result. Across sublayers, in sublayer order: the first result is taken;
 * a later result replaces it only when the current one is soft (the right
 * to override is kept) and the later action differs; a hard result ends the
 * evaluation. With the defaults above this reads: the highest sublayer that
 * blocks wins (Block beats Permit, §7.2 item 3); otherwise the highest
 * sublayer that permits.
 *
 * Left out (documented, deliberate):
 *  - FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT (0x8) is ignored; its documented
 *    meaning is self-contradictory (policy-facts §9 item 3). It would only
 *    change the "hard" bit chosen in classify.c:decision_of().
 *  - Callouts are never invoked, so there are no callout permits/blocks, no
 *    soft blocks, no vetoes of hard permits (§7.2 items 4-5) and no audit
 *    events.
 *  - Other FWPM_FILTER_FLAG_* bits in cls_rule.flags are ignored.
 *
 * Verdict: filter_id of the deciding filter and action FWP_ACTION_BLOCK or
 * FWP_ACTION_PERMIT (for a callout filter: the action it stood for). When no
 * terminating filter matches: filter_id 0 and action FWP_ACTION_PERMIT (the
 * layer default; the engine may substitute its own).
 *
 * Design and complexity
 * ---------------------
 * Per (layer, ip_version) the terminating rules are sorted into the order
 * above (their "rank") and indexed once ("built"; classify_index.c):
 *  - each rule is filed under ONE "home" field: the condition field whose
 *    ranges intersect the fewest ranges of other rules on that field
 *    (counted by two sweeps over sorted range ends); rules without any
 *    condition go to an always-candidate list;
 *  - per field, the value space is cut into elementary intervals at the
 *    ends of the home ranges; each interval lists, by ascending rank, the
 *    home ranges covering it - each entry a 32-byte copy of the rule's
 *    match data (the five fields as lo + span), so testing a candidate
 *    reads only the list. A range covering more than cover_cap intervals
 *    moves to the next "level" (the same structure built from such broad
 *    ranges only), so nested ranges are not copied into every small
 *    interval; ranges beyond the copy budget go to a per-field scan list;
 *  - a lookup finds its interval in every level (one branch-free binary
 *    search each; IPv6: on the high 64 bits, then the low 64 bits), moves
 *    every candidate list to its first match, takes the smallest rank of
 *    those (the first match overall; lists are sorted by rank), feeds it
 *    to the arbitration and, unless that was final, moves every list past
 *    its sublayer and repeats. No candidate is tested twice.
 * Lookup: O(sum over levels of log(intervals) + C), C = the candidates
 * visited: rules whose home range holds the packet's value, up to the
 * deciding one, plus catch-alls, scan lists and the overlay. Worst case
 * (every rule a candidate) O(n), like the reference with cheaper steps.
 * Realistic sets (bench/bench_classify.c): 5 to 7 searches, about 5
 * candidates tested, about 190 ns per IPv4 lookup with 10k rules.
 * Memory per index: 60 bytes per rule (+64 for IPv6), per level 8 bytes
 * (IPv6: 12) per cut point, and 32 bytes per (range, covered interval)
 * copy, the copies at most budget_per_rule * n. About 1.5 MiB for 10k
 * realistic IPv4 rules, 14 MiB for 100k (bench/bench_classify.c).
 * Build: O(n log n + copies) (radix sorts for IPv4, ports, protocol).
 *
 * Updates (incremental overlay, lazy rebuild): an added rule goes to a small
 * per-class overlay that every lookup of the class scans (fewer than
 * min(pending_max, 8 + n / 256) rules for n indexed ones), merged into the
 * rank order by its position among the index keys; a removed indexed rule
 * is tombstoned in place (more than 16 + n / 8 tombstones, or a full
 * overlay, mark the class stale). The next lookup of a stale class (or
 * classifier_build) rebuilds its index from scratch; other classes are not
 * touched. add: O(log n + overlay), remove: O(overlay), plus an amortised
 * share of a rebuild (O(n log n) after min(pending_max, 8 + n / 256) adds
 * or 16 + n / 8 removes). Adds made while a class is stale only join its
 * member list.
 *
 * Ownership: rules are deep-copied by classifier_add; the caller keeps its
 * own. The classifier owns all its memory; classifier_destroy frees it.
 *
 * Locking: none against writers. classifier_add, classifier_remove,
 * classifier_set_tuning, classifier_build and classifier_destroy need
 * exclusive access (the engine serialises them). Any number of
 * classifier_lookup / classifier_lookup_reference / classifier_get_stats
 * calls may run concurrently with each other; a lookup that finds its class
 * stale rebuilds it under an internal mutex, and lookups of a class that is
 * not stale take no lock.
 *
 * Errors: 0 or -errno (EINVAL bad argument, ENOMEM, EEXIST duplicate
 * filter_id, ENOENT unknown filter_id). Nothing here exits or logs.
 */
#ifndef FWP_POLICY_CLASSIFY_H
#define FWP_POLICY_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

/* Action values (fwptypes.h, policy-facts §4.1). */
#define CLS_ACTION_BLOCK		0x1001u
#define CLS_ACTION_PERMIT		0x1002u
#define CLS_ACTION_CALLOUT_TERMINATING	0x5003u
#define CLS_ACTION_CALLOUT_INSPECTION	0x6004u
#define CLS_ACTION_CALLOUT_UNKNOWN	0x4005u

/* The only FWPM_FILTER_FLAG_* bit honoured in cls_rule.flags. */
#define CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED	0x10u

struct cls_range32 {
	uint32_t lo, hi;		/* inclusive */
};

struct cls_addr {
	uint8_t lo[16], hi[16];		/* inclusive, network order, v4 in [0..3] */
};

struct cls_rule {
	uint64_t filter_id;		/* nonzero, unique; returned by lookup */
	uint16_t layer;			/* small integer chosen by the engine */
	uint16_t sublayer_weight;	/* higher first */
	uint64_t weight;		/* effective filter weight, higher first */
	uint32_t action;		/* CLS_ACTION_* (FWP_ACTION_* values) */
	uint32_t sublayer_index;	/* which sublayer the rule sits in */
	uint8_t ip_version;		/* 4 or 6 */
	/* Conditions; n == 0 means no condition on that field. Ports must be
	 * <= 0xffff, protocols <= 0xff, and lo <= hi everywhere. */
	const struct cls_addr *local_addr;	uint32_t n_local_addr;
	const struct cls_addr *remote_addr;	uint32_t n_remote_addr;
	const struct cls_range32 *local_port;	uint32_t n_local_port;
	const struct cls_range32 *remote_port;	uint32_t n_remote_port;
	const struct cls_range32 *protocol;	uint32_t n_protocol;
	/* FWPM_FILTER_FLAG_* of the filter; only
	 * CLS_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED is honoured (0 = none). */
	uint32_t flags;
};

struct cls_packet {
	uint16_t layer;
	uint8_t ip_version;		/* 4 or 6 */
	uint8_t protocol;
	uint16_t local_port, remote_port;	/* host order */
	uint8_t local_addr[16], remote_addr[16];	/* network order */
};

struct cls_verdict {
	uint64_t filter_id;		/* 0: no terminating filter matched */
	uint32_t action;		/* CLS_ACTION_BLOCK or CLS_ACTION_PERMIT */
};

struct classifier;

int classifier_create(struct classifier **out);
void classifier_destroy(struct classifier *c);

/* Copies r in. 0, -EINVAL (bad field, action or ip_version, filter_id 0),
 * -EEXIST (filter_id present) or -ENOMEM; on error nothing changed. */
int classifier_add(struct classifier *c, const struct cls_rule *r);
/* Whether classifier_add would take r (its -EINVAL cases): 0 or -EINVAL. */
int classifier_rule_check(const struct cls_rule *r);
/* 0 or -ENOENT. */
int classifier_remove(struct classifier *c, uint64_t filter_id);

/* The deciding filter for p (see "Semantics"). 0 or -EINVAL (NULL, bad
 * ip_version). If a needed rebuild fails for lack of memory the answer is
 * still exact (computed by the reference scan) and 0 is returned. */
int classifier_lookup(struct classifier *c, const struct cls_packet *p,
		      struct cls_verdict *v);
/* The same answer by scanning every rule of the layer (no index, no
 * overlay; shares only the arbitration step with classifier_lookup). For
 * tests and benchmarks. */
int classifier_lookup_reference(struct classifier *c, const struct cls_packet *p,
				struct cls_verdict *v);

/* Rebuilds every stale class now, so that later lookups take no lock and
 * do no work of that kind. Optional. 0 or -ENOMEM (indexes left as they
 * were, still correct). */
int classifier_build(struct classifier *c);

/* Index parameters; defaults in parentheses. For tests (to force every
 * code path on small rule sets) and benchmarks. */
struct classifier_tuning {
	uint32_t cover_cap;	  /* intervals a range may cover in a level (32) */
	uint32_t max_levels;	  /* levels per field, 1..4 (4) */
	uint32_t budget_per_rule; /* interval copies per rule in an index (64) */
	uint32_t pending_max;	  /* overlay capacity (64); at most 8 + n / 256
				   * for a layer of n rules; 1 = no overlay:
				   * every add makes the layer stale */
};
void classifier_get_tuning(const struct classifier *c, struct classifier_tuning *t);
/* Marks every class stale. 0 or -EINVAL (zero fields, max_levels > 4). */
int classifier_set_tuning(struct classifier *c, const struct classifier_tuning *t);

struct classifier_stats {
	uint64_t rules;		/* stored rules (all actions) */
	uint64_t classes;	/* (layer, ip_version) pairs with rules */
	uint64_t index_bytes;	/* memory held by built indexes */
	uint64_t rebuilds;	/* class index builds so far */
};
void classifier_get_stats(struct classifier *c, struct classifier_stats *s);

#endif
