/* guard.h - inbound cleartext that policy says must be protected.
 *
 * Decapsulated traffic reaches the kernel through the TUN; cleartext from
 * a protected peer would arrive on the outer interface, where the datapath
 * never sees it. The guard drops it in the kernel with an nftables table of
 * its own (libnftables, the nft language):
 *
 *   table inet fwpd_<tun>
 *     set guard4, guard6       the protected remote prefixes (intervals)
 *     chain input (hook input, priority -10, policy accept)
 *       iifname <tun> accept            decapsulated: checked by the datapath
 *       meta l4proto esp accept         ESP itself
 *       udp dport {500, NAT-T, ...}     IKE and ESP in UDP (by destination)
 *       ICMP errors and IPv6 neighbour discovery accept
 *       ip saddr @guard4 log group G drop
 *       ip6 saddr @guard6 log group G drop
 *
 * and reads the dropped packets' headers back from NFLOG group G (libmnl)
 * so that each becomes a net event and a counter.
 *
 * Prefixes are counted: guard_add of a prefix already present only counts.
 * Ownership: struct guard owns the table (deleted by guard_close, and
 * replaced at guard_open after a crash) and the NFLOG socket. Threads:
 * guard_open/close/add/del from the control thread; guard_read from one
 * packet thread.
 */
#ifndef FWP_DATAPATH_GUARD_H
#define FWP_DATAPATH_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/prefix_set.h"

struct nft_ctx;
struct mnl_socket;

struct guard {
	struct nft_ctx *nft;
	struct mnl_socket *nl;	/* NFLOG */
	char table[40];
	unsigned group;
	struct prefix_set set;	/* what the nft sets hold, counted */
	uint8_t *rx;		/* receive buffer */
};

#define GUARD_DEFAULT_GROUP 18000

/* ports: the UDP destination ports admitted (IKE, NAT-T and the private
 * ports behind it; at most 8). 0 or -errno (*why says which step). Needs
 * CAP_NET_ADMIN. */
int guard_open(struct guard *g, const char *tun, const uint16_t *ports, unsigned nports,
	       unsigned group, const char **why);
void guard_close(struct guard *g);
int guard_add(struct guard *g, int family, const uint8_t addr[16], unsigned plen);
void guard_del(struct guard *g, int family, const uint8_t addr[16], unsigned plen);

/* The NFLOG socket: readable when drops are waiting; -1 when closed. */
int guard_fd(const struct guard *g);

/* One dropped packet's outer header. */
struct guard_drop {
	uint8_t version, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Reads what is waiting (non-blocking), up to max drops. The number read. */
int guard_read(struct guard *g, struct guard_drop *out, unsigned max);

#endif
