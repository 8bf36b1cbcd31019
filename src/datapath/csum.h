/* csum.h - the Internet checksum (RFC 1071) for the datapath's I/O shell.
 *
 * Sums are carried as 64-bit accumulators of 16-bit big-endian words, so
 * partial sums over pieces can be added before one final fold. Every piece
 * but the last must have an even length: csum_partial() treats its buffer
 * as starting on an even offset. Buffers are below 1 GiB.
 *
 * Pure functions; no state, safe from any thread.
 */
#ifndef FWP_DATAPATH_CSUM_H
#define FWP_DATAPATH_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds the 16-bit big-endian words of buf (a trailing odd byte is padded
 * with zero) to sum and returns the new accumulator. */
uint64_t csum_partial(const void *buf, size_t len, uint64_t sum);

/* Folds an accumulator to 16 bits, not inverted. */
uint16_t csum_fold(uint64_t sum);

/* The checksum to store for an accumulator, ~fold, as a host-order number
 * (write it big-endian). */
static inline uint16_t csum_finish(uint64_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

/* The pseudo-header sum of TCP/UDP over IPv4: addresses as they sit in
 * the IP header, the protocol and the upper-layer length. */
uint64_t csum_pseudo4(const void *saddr, const void *daddr, uint8_t proto,
		      uint32_t len);
/* The same for IPv6 (16-byte addresses). */
uint64_t csum_pseudo6(const void *saddr, const void *daddr, uint8_t proto,
		      uint32_t len);

/* Recomputes the header checksum of the IPv4 header at ip (its length is
 * taken from the IHL field). */
void csum_ipv4_header(uint8_t *ip);

#endif
