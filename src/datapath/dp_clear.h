/* dp_clear.h - clearing what a dead datapath instance left in a network
 * namespace: its guard (nftables table fwpd_<tun>), its NAT-T port rewrite
 * (fwpn_<tun>), its policy-routing rules and routing table, and its lock
 * file. For an operator (fwpctl datapath clear) after an in-process keying
 * module or fwpd died and no successor will take the instance over.
 *
 * Only while no live process holds the instance's lock (instance.h): the
 * clear takes the lock itself for its duration, so that no instance can
 * start in the middle of it. What the guard protected travels in the clear
 * afterwards: that is what clearing means.
 *
 * Needs CAP_NET_ADMIN in the namespace and the right to the lock
 * directory. Threads: any one.
 */
#ifndef FWP_DATAPATH_DP_CLEAR_H
#define FWP_DATAPATH_DP_CLEAR_H

struct dp_clear_result {
	unsigned slot;
	int guard_tables;	/* tables removed: 0 or 1 each */
	int natt_tables;
	int steering;		/* rules and routes removed */
};

/* 0 or -errno: -EBUSY when a live process holds the instance (*why names
 * it, with its PID); other errors with *why saying which step. dir: the
 * lock directory (NULL: DP_LOCK_DIR). */
int dp_instance_clear(const char *dir, const char *tun, struct dp_clear_result *res,
		      const char **why);

/* Logs a warning for each other instance's guard table in the current
 * namespace (own_tun: the caller's TUN name), naming the command that
 * clears it if its process died: a start never clears another instance's
 * guard by itself. The number of such tables. */
int dp_warn_leftovers(const char *own_tun);

#endif
