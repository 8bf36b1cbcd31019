/* tun.h - the datapath's TUN device.
 *
 * A layer-3 TUN (IFF_TUN | IFF_NO_PI: reads and writes are bare IP
 * packets), optionally with one file descriptor per queue
 * (IFF_MULTI_QUEUE: the kernel spreads flows over the queues, one worker
 * thread per queue) and optionally with a virtio-net header in front of
 * every packet (IFF_VNET_HDR, TUNSETVNETHDRSZ 10, TUNSETOFFLOAD): the
 * kernel then hands over TCP super-packets of up to 64 KiB (TSO4/TSO6),
 * UDP ones when it has USO (6.2 and later; probed, else left out), and
 * takes coalesced ones on write. vnet.h splits and builds them.
 *
 * Packets move in struct vnet_pkt buffers: the IP packet at data, and,
 * when the device has the virtio header, that header in the VNET_HDR_LEN
 * bytes before data (written there by a read, taken from there by a write).
 * A plain packet written to a vnet device needs those bytes zeroed.
 *
 * The device is not persistent: it disappears, with its addresses and
 * routes, when its last descriptor closes (also when the process dies).
 * MTU, link state and addresses are set through route netlink (rtnl.h) in
 * the network namespace of the calling thread.
 *
 * Errors: 0 or -errno. Ownership: struct tun owns its descriptors.
 * Threads: tun_open/tun_close/tun_add_address from the control thread;
 * each queue descriptor is read and written by one thread at a time (the
 * kernel serialises nothing for us); the descriptors are non-blocking.
 */
#ifndef FWP_DATAPATH_TUN_H
#define FWP_DATAPATH_TUN_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/if_tun.h>

#include "datapath/vnet.h"

/* Debian 12's kernel headers (6.1) predate USO (kernel 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#define TUN_MAX_QUEUES 16

struct tun_config {
	const char *name;	/* wanted name; NULL or "": the kernel's tunN */
	unsigned queues;	/* 0 or 1: single queue; up to TUN_MAX_QUEUES */
	bool vnet;		/* virtio header and offloads */
	unsigned mtu;		/* 0: the kernel's default (1500) */
	unsigned txqlen;	/* 0: the kernel's default (500) */
	bool up;		/* bring the link up */
};

struct tun {
	char name[IFNAMSIZ];
	int ifindex;
	unsigned nqueues;
	int fd[TUN_MAX_QUEUES];	/* one per queue, O_NONBLOCK, O_CLOEXEC */
	bool vnet;
	unsigned offload;	/* TUN_F_* the kernel accepted (vnet only) */
};

/* Creates the device (or attaches to an existing non-persistent one of
 * that name, as another queue set), sets its offloads, MTU, queue length
 * and link state. On failure nothing is left open. */
int tun_open(struct tun *t, const struct tun_config *cfg);
void tun_close(struct tun *t);

/* Adds addr/prefixlen (struct in_addr or struct in6_addr by family). */
int tun_add_address(const struct tun *t, int family, const void *addr,
		    unsigned prefixlen);

/* Reads up to n packets from queue q into pkts[i].data (at most
 * pkts[i].cap bytes each; VNET_MAX_PACKET holds any), setting len, and
 * stops early when no packet is waiting. Returns the number read (0 when
 * none was waiting) or -errno. A packet larger than cap is cut short by
 * the kernel; callers size buffers for the MTU or for VNET_MAX_PACKET. */
int tun_read_batch(const struct tun *t, unsigned q, struct vnet_pkt pkts[],
		   unsigned n);

/* Writes packets pkts[idx[0..n)] (pkts[0..n) when idx is NULL) to queue q.
 * A packet the kernel refuses is dropped and the others still go. Returns
 * the number written, or -errno when none was (the last error). */
int tun_write_batch(const struct tun *t, unsigned q,
		    const struct vnet_pkt pkts[], const unsigned idx[],
		    unsigned n);

/* As tun_write_batch(), for packets vnet_gro() has just coalesced: each
 * packet goes with its chain of joined payloads in one writev(). */
int tun_write_gro(const struct tun *t, unsigned q,
		  const struct vnet_pkt pkts[], const unsigned idx[],
		  unsigned n);

#endif
