/* guard.h - the kernel's side of "protected traffic never travels in the
 * clear": an nftables table per datapath instance that drops what the
 * datapath would have had to protect but never saw, in both directions,
 * and outlives the process that made it.
 *
 *   table inet fwpd_<tun>
 *     sets in4, in6     remote prefixes all of whose traffic must arrive
 *                       protected (type ipv4_addr / ipv6_addr, interval)
 *     sets in4p, in6p   classes of it: remote prefix . protocol . local
 *                       port . remote port (type ipv4_addr . inet_proto .
 *                       inet_service . inet_service, interval: each field
 *                       a value or a range), for filters with protocol or
 *                       port conditions
 *     sets out4, out6, out4p, out6p   the same, for traffic that must
 *                       leave protected (through the TUN)
 *     chain input (filter, priority -10): not through the TUN, and from
 *       @in4/@in6, or (source . l4proto . dport . sport) in @in4p/@in6p:
 *       jump peer_in
 *     chain peer_in: ESP; UDP to port 500, 4500, the NAT-T port or the
 *       private ports behind it (by destination port: the local ports
 *       served); non-first fragments
 *       (their first fragment carries the verdict: without it nothing is
 *       reassembled); ICMP errors and IPv6 neighbour discovery; else
 *       log (NFLOG group G, prefix "fwpd-in") and drop
 *     chain reroute (route, output, priority -150): to @out* (the class
 *       sets by daddr . l4proto . sport . dport), not to the
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
 * What the filters let through in the clear is in no set: a peer whose
 * filters protect only some ports still reaches the others (and pings) in
 * the clear, now and after a crash. A class needs the transport header:
 * a non-first fragment matches only the prefix sets (the first fragment
 * carries the verdict, and nothing is reassembled without it).
 *
 * Entries are counted (struct guard_sel, one reference per user). The
 * kernel sets hold only entries no other entry contains (nftables refuses
 * nested intervals in the prefix sets); one inside a wider one is counted
 * and enters the kernel when the wider one leaves, in the same
 * transaction. Adoption keeps each entry's classes as they were.
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

/* What must travel protected: traffic with a remote address in the
 * prefix, a protocol in proto[0..1] and ports in lport/rport[0..1]
 * (inclusive; 0..255 and 0..65535 are any: the whole prefix). */
struct guard_sel {
	int family;		/* AF_INET, AF_INET6 */
	uint8_t addr[16];	/* network order */
	unsigned plen;
	uint8_t proto[2];
	uint16_t lport[2], rport[2];
};

struct guard_entry {
	struct guard_sel sel;	/* host bits cleared */
	unsigned refs;
	bool held;		/* one of refs: adopted from a run that died */
};

struct guard_list {
	struct guard_entry *v;
	size_t n;
};

struct guard {
	struct nft_ctx *nft;
	struct mnl_socket *nl;	/* NFLOG */
	char table[64];
	unsigned group;
	struct guard_list set[2];	/* [GUARD_IN], [GUARD_OUT], counted */
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

/* The whole prefix: any protocol, any port. */
void guard_sel_prefix(struct guard_sel *s, int family, const uint8_t addr[16], unsigned plen);
bool guard_sel_whole(const struct guard_sel *s);

/* 0 or -errno (the kernel refused, or a range is upside down; the count
 * is not taken). */
int guard_add_sel(struct guard *g, enum guard_dir dir, const struct guard_sel *s);
void guard_del_sel(struct guard *g, enum guard_dir dir, const struct guard_sel *s);
/* The whole prefix (guard_sel_prefix). */
int guard_add(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	      unsigned plen);
void guard_del(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	       unsigned plen);
/* Drops the held references of what guard_open adopted; what nothing
 * else references leaves the kernel sets. */
void guard_release_held(struct guard *g);

/* The table's name for a TUN name: "fwpd_" and the name, letters and
 * digits kept, any other byte as _xx (one to one). */
void guard_table_name(char *out, size_t size, const char *tun);

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
