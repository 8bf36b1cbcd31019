/* guard.h - the kernel's side of "protected traffic never travels in the
 * clear": an nftables table per datapath instance that drops what the
 * datapath would have had to protect but never saw, in both directions,
 * and outlives the process that made it.
 *
 *   table inet fwpd_<tun>
 *     sets in4, in6     remote prefixes whose traffic must arrive protected
 *     sets out4, out6   remote prefixes whose traffic must leave protected
 *                       (those routed into the TUN)
 *     chain input (filter, priority -10): from @in*, not through the
 *       TUN: jump peer_in
 *     chain peer_in: ESP; UDP to port 500, 4500, the NAT-T port or the
 *       private ports behind it (by destination port: the local ports
 *       served); non-first fragments
 *       (their first fragment carries the verdict: without it nothing is
 *       reassembled); ICMP errors and IPv6 neighbour discovery; else
 *       log (NFLOG group G, prefix "fwpd-in") and drop
 *     chain reroute (route, output, priority -150): to @out*, not to the
 *       TUN or lo, not the datapath's own (mark M), not IKE (UDP from
 *       local port 500 or 4500) or neighbour discovery: mark S, so that
 *       the kernel routes it again, into the TUN (steer.h, rule R)
 *     chain output (filter, priority 10), forward (priority -10): to
 *       @out*, not to the TUN or lo (forward: nor from the TUN), not mark
 *       M (nor S: see post): jump out_check
 *     chain out_check: IKE by local port, neighbour discovery and MLD;
 *       else log (prefix "fwpd-out") and drop
 *     chain post (filter, postrouting, priority 10): marked S and not
 *       leaving through the TUN (the reroute found no route into it: the
 *       TUN is gone, or a rule ahead of R): log and drop. (At the output
 *       hook the device is still the first route's; the kernel routes a
 *       packet again only after the route chain.)
 *
 * The table is the kernel's, not the process's: when the process dies
 * (kill -9, a crash) the TUN and its routes go, the table stays, and
 * traffic to the protected prefixes is dropped instead of leaving in the
 * clear. guard_open adopts such a table: the prefixes it holds become
 * held references, and the table is replaced by the new one, with them,
 * in one nftables transaction (no instant without a guard). Held prefixes
 * stay until guard_release_held or a clean stop (guard_close), which
 * removes the table.
 *
 * The kernel sets hold only prefixes no other entry contains (nftables
 * refuses overlapping intervals); a prefix inside a wider one is counted
 * and enters the kernel when the wider one leaves, in the same
 * transaction.
 *
 * Dropped packets' headers come back through NFLOG group G (libmnl), so
 * that each becomes a net event and a counter.
 *
 * Ownership: struct guard owns its nft context, the NFLOG socket and the
 * counted sets; the table in the kernel is the instance's (instance.h: one
 * holder at a time). Threads: guard_open/close/add/del/release_held from
 * the control thread; guard_read from one packet thread.
 */
#ifndef FWP_DATAPATH_GUARD_H
#define FWP_DATAPATH_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/prefix_set.h"

struct nft_ctx;
struct mnl_socket;

enum guard_dir { GUARD_IN, GUARD_OUT };

struct guard_config {
	const char *tun;	/* the TUN: what passes through it is checked */
	uint16_t natt_port;	/* the datapath's ESP-in-UDP port; 0: none */
	uint16_t private_ports[2];	/* the ports ESP in UDP is rewritten to
					 * (natt_share.h); 0: none */
	unsigned group;		/* NFLOG group */
	uint32_t own_mark;	/* M: the datapath's sockets (SO_MARK) */
	uint32_t reroute_mark;	/* S: 0 for none (drop only) */
};

struct guard {
	struct nft_ctx *nft;
	struct mnl_socket *nl;	/* NFLOG */
	char table[64];
	unsigned group;
	struct prefix_set set[2];	/* [GUARD_IN], [GUARD_OUT], counted */
	unsigned held;		/* adopted at open (both sets) */
	uint8_t *rx;		/* receive buffer */
};

/* 0 or -errno (*why says which step; nothing in the kernel changed then).
 * Needs CAP_NET_ADMIN. A leftover table it cannot read is an error: it
 * might protect what the new one would not. */
int guard_open(struct guard *g, const struct guard_config *cfg, const char **why);
/* keep: leave the table in the kernel (a start that failed after adopting
 * a leftover); else remove it (a clean stop). Frees everything. */
void guard_close(struct guard *g, bool keep);

/* 0 or -errno (the kernel refused; the count is not taken). */
int guard_add(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	      unsigned plen);
void guard_del(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	       unsigned plen);
/* Drops the held references of what guard_open adopted; what nothing
 * else references leaves the kernel sets. */
void guard_release_held(struct guard *g);

/* The NFLOG socket: readable when drops are waiting; -1 when closed. */
int guard_fd(const struct guard *g);

/* One dropped packet's header. */
struct guard_drop {
	bool outbound;
	uint8_t version, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Reads what is waiting (non-blocking), up to max drops. The number read. */
int guard_read(struct guard *g, struct guard_drop *out, unsigned max);

#endif
