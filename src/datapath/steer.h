/* steer.h - routing protected traffic into the TUN, and fwpd's own
 * ESP packets past it (policy routing, the wg-quick pattern).
 *
 * fwpd's outer sockets (udp_io.h) carry SO_MARK = fwmark. For each address
 * family steer installs, with its own priorities:
 *
 *   priority P      lookup main suppress_prefixlength 0
 *                   (only while a default route, a /0, is protected in
 *                   that family: routes more specific than a default in
 *                   the main table keep winning, e.g. the local network
 *                   and the path to the peer, as in wg-quick)
 *   priority P + 1  not fwmark M/MASK lookup T
 *   priority R      fwmark S lookup T   (when S is set: the reroute rule)
 *
 * and, for every protected prefix, a route in table T:
 *
 *   PREFIX dev TUN proto static scope link [src S]
 *
 * Unmarked packets to a protected prefix thus enter the TUN; the datapath
 * encrypts them and sends the ESP packet from a marked socket, which skips
 * rule P + 1 and follows the main table out of the real interface.
 *
 * A rule or route ahead of P + 1 (an IKE daemon's table 220 at priority
 * 220, a user's rule) would send such a packet elsewhere; the guard's
 * output chain (guard.h) then marks it S, and the kernel routes it again:
 * rule R, low enough to come before those, sends it into table T. R is
 * shared by every instance; each matches its own mark only.
 *
 * Ownership of the kernel state: table T, rule priorities P and P + 1 and
 * the rule at R with mark S belong to one datapath instance alone
 * (instance.h derives them from its slot). Everything a struct steer added is removed by
 * steer_uninstall() (and steer_close()). After a crash, steer_cleanup()
 * removes every rule at P or P + 1 that looks like ours and every route in
 * table T, whoever added them; fwpd calls it before steer_install(). (The
 * routes also vanish with the TUN, which is never persistent; rules do
 * not.)
 *
 * Reverse-path filtering: with rp_filter strict (1) and a protected prefix
 * covering the peer's outer address, the kernel validates incoming ESP
 * against table T and drops it; use rp_filter 2 (loose) on the outer
 * interface, or restore the mark from conntrack with src_valid_mark as
 * wg-quick does.
 *
 * Errors: 0 or -errno; the kernel's explanation of a refusal, if any, is
 * in s->rtnl.errmsg. Namespaces: the network namespace current when
 * steer_open() ran. Threads: the control thread only; not thread-safe.
 */
#ifndef FWP_DATAPATH_STEER_H
#define FWP_DATAPATH_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/rtnl.h"

#define STEER_DEFAULT_TABLE 18000	/* 0x4650, "FP" */
#define STEER_DEFAULT_FWMARK 0x4650
#define STEER_DEFAULT_PRIORITY 17998	/* suppress rule; fwmark rule + 1 */

struct steer_config {
	uint32_t table;		/* T: 1..2^32-1 but not 253-255 (main etc.) */
	uint32_t fwmark;	/* M: on fwpd's sockets, nonzero */
	uint32_t fwmask;	/* MASK: which mark bits are ours */
	uint32_t priority;	/* P */
	uint32_t reroute_mark;	/* S: what the guard marks; 0: no rule R */
	uint32_t reroute_priority;	/* R */
};

struct steer_route {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t dst[16];	/* host bits cleared */
	uint8_t src[16];	/* preferred source, if has_src */
	unsigned prefixlen;
	int ifindex;
	bool has_src;
};

struct steer {
	struct rtnl rtnl;
	struct steer_config cfg;
	bool installed;			/* the fwmark rules (and rule R) */
	bool suppress[2];		/* the suppress rule, IPv4 and IPv6 */
	struct steer_route *routes;	/* the routes added, in table T */
	size_t nroutes, cap;
};

/* The defaults above (mask 0xffffffff), no reroute rule: slot 0 of
 * instance.h without S. */
void steer_config_default(struct steer_config *c);

/* Opens the netlink socket; installs nothing. */
int steer_open(struct steer *s, const struct steer_config *cfg);
/* steer_uninstall(), then frees everything. */
void steer_close(struct steer *s);

/* Adds the fwmark rules (rule P + 1, and R when S is set) for IPv4 and
 * IPv6. Idempotent. */
int steer_install(struct steer *s);
/* Removes every route and rule this struct added. Returns the first error
 * met but always goes through the whole list; entries the kernel no longer
 * has (the TUN went away with its routes) are not errors. */
int steer_uninstall(struct steer *s);

/* Routes family's prefix addr/prefixlen (struct in_addr or in6_addr) into
 * the device ifindex through table T, with the preferred source src when
 * not NULL. A /0 also installs that family's suppress rule. A prefix
 * already routed by this struct gives -EEXIST. */
int steer_add_prefix(struct steer *s, int ifindex, int family,
		     const void *addr, unsigned prefixlen, const void *src);
/* Removes one; the family's suppress rule goes with its last /0.
 * -ENOENT if this struct did not add it. */
int steer_del_prefix(struct steer *s, int ifindex, int family,
		     const void *addr, unsigned prefixlen);

/* Removes leftovers of an earlier run in the current namespace: rules at
 * cfg->priority that look up main with suppress_prefixlength 0, rules at
 * cfg->priority + 1 that look up cfg->table, rules at cfg->reroute_priority
 * with mark cfg->reroute_mark that look up cfg->table (none other: several
 * instances share that priority), every route in cfg->table.
 * Returns the number of rules and routes removed, or -errno. */
int steer_cleanup(const struct steer_config *cfg);

#endif
