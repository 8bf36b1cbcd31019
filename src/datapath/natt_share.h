/* natt_share.h - the NAT-T port (4500) shared with an IKE daemon.
 *
 * RFC 3948 puts IKE and ESP of one peer on the same UDP port pair; the
 * first four bytes of the payload tell them apart (zero: the non-ESP
 * marker of IKE; else an ESP SPI). On Linux the IKE daemon owns that
 * socket. Two user-space sockets cannot split one port by content
 * (SO_REUSEPORT spreads by flow hash), so the datapath binds private,
 * kernel-chosen ports and this module rewrites port numbers statelessly in
 * the kernel, with an nftables table of its own:
 *
 *   table inet <name>
 *     chain in  (hook prerouting, priority raw)
 *       fib daddr type local  udp dport P  @th,64,32 != 0
 *                               -> udp dport set <private>  notrack
 *       (a zero IPv4 checksum is matched first and kept zero)
 *     chain out (hook output, priority raw)
 *       udp sport <private>     -> udp sport set P  notrack
 *
 * So ESP in UDP to P reaches the datapath, IKE and keepalives (marker or
 * one byte) reach whoever owns P, and the datapath's packets leave from P,
 * whatever order the two start in. The rewrite is stateless (notrack): IKE
 * and ESP of one peer share a 5-tuple, so conntrack NAT, which works per
 * connection, could not tell them apart. The kernel fixes the UDP checksum
 * (incrementally, or not at all for offloaded ones).
 *
 * When the process dies the table stays: ESP to P then goes to a closed
 * port (dropped), never to a cleartext path. natt_share_open replaces a
 * table of the same name left by a crash.
 *
 * Ownership: struct natt_share owns its nft context and the table.
 * Threads: control thread only. Errors: 0 or -errno.
 */
#ifndef FWP_DATAPATH_NATT_SHARE_H
#define FWP_DATAPATH_NATT_SHARE_H

#include <stdint.h>

struct nft_ctx;

struct natt_share {
	struct nft_ctx *nft;
	char table[48];
};

/* Installs the rewrite of served port P to the private ports of the IPv4
 * and IPv6 sockets (0: that family has no socket). name: a table name
 * unique to the datapath instance. Needs CAP_NET_ADMIN. */
int natt_share_open(struct natt_share *s, const char *name, uint16_t served,
		    uint16_t private4, uint16_t private6);

/* Removes the table (a no-op on a zeroed or closed struct). */
void natt_share_close(struct natt_share *s);

#endif
