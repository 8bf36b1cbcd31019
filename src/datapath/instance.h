/* instance.h - which datapath instance this is in its network namespace,
 * and the lock that makes it the only one.
 *
 * Several datapaths (fwpd --datapath tun, an in-process FWP_DATAPATH=tun)
 * may share a network namespace, each with its own TUN device. What each
 * puts in the kernel must not meet the others': every number is derived
 * from a slot, and the slot from the TUN name:
 *
 *   "fwpN" (N in 0..255, no leading zero)   slot N
 *   any other name                          FNV-1a(name) % 256
 *
 *   slot k:  routing table 18000 + k, fwmark 0x4650 + 2k (own packets),
 *            0x4651 + 2k (rerouted packets), rule priorities 17998 - 2k
 *            and 17999 - 2k, reroute rule at 150, NFLOG group 18000 + k
 *            (steer.h, guard.h)
 *
 * The lock: flock on DIR/dp-<netns dev>-<netns inode>-<slot>.lock (DIR is
 * /run/fwpd unless configured), taken before anything of the namespace is
 * touched and held for the life of the datapath (the kernel drops it when
 * the process dies). The file holds the owner's TUN name and PID, so a
 * refusal says who holds the slot: the same name (this instance runs
 * already) or another (two names with one slot: rename a device). DIR
 * must be a directory owned by this user (or root) and writable by no one
 * else.
 *
 * The NAT-T port an instance shares with an IKE daemon is locked the same
 * way (dp_port_lock), so that two instances never rewrite one port.
 *
 * Errors: 0 or -errno, *why says what. Threads: any one; no global state.
 */
#ifndef FWP_DATAPATH_INSTANCE_H
#define FWP_DATAPATH_INSTANCE_H

#include <limits.h>
#include <stddef.h>

#include "datapath/steer.h"

#define DP_SLOTS 256
#define DP_LOCK_DIR "/run/fwpd"
#define DP_GROUP_BASE 18000		/* NFLOG group of slot 0 */
#define DP_REROUTE_PRIORITY 150		/* ahead of an IKE daemon's 220 */

struct dp_instance {
	unsigned slot;
	unsigned port;			/* a port lock (dp_port_lock); else 0 */
	int fd;				/* the locked file; -1: none */
	char path[PATH_MAX];
};

unsigned dp_instance_slot(const char *tun);
/* Table, marks and priorities of a slot. */
void dp_instance_steer(unsigned slot, struct steer_config *c);
unsigned dp_instance_group(unsigned slot);

/* Takes the slot of tun in the current thread's network namespace, under
 * dir (NULL: DP_LOCK_DIR). -EBUSY when another process holds it (*why
 * names the holder; the text lives until the thread's next call). Nothing
 * is changed on failure. */
int dp_instance_lock(struct dp_instance *in, const char *dir, const char *tun,
		     const char **why);
/* Takes NAT-T port `port` of the current network namespace for instance
 * tun (natt_share.h: one datapath rewrites a port), as a file
 * natt-<netns dev>-<netns inode>-<port>.lock beside the slots' locks.
 * -EBUSY names the instance that serves the port. */
int dp_port_lock(struct dp_instance *in, const char *dir, unsigned port, const char *tun,
		 const char **why);
/* Removes the file and drops the lock. Idempotent. */
void dp_instance_unlock(struct dp_instance *in);

#endif
