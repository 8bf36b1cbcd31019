/* addr.h - the one place that knows the byte order of addresses in the
 * SA-context structs.
 *
 * IPv4 addresses, ports and SPIs are host order everywhere (Windows).
 * IPv6 addresses in IPSEC_TRAFFIC*, IPSEC_GETSPI* and tunnel endpoints are
 * the 16 bytes in reverse order (the address as one little-endian 128-bit
 * number), as strongSwan's Windows backend writes them; so are those of
 * net-event headers (FWPM_NET_EVENT_HEADER1), which strongSwan reads back
 * with the same reversal. IPv6 values in filter conditions and enumeration
 * templates stay in network order, as do the engine's own records (struct
 * fwp_net_event). If Windows proves otherwise, only this file changes.
 */
#ifndef FWP_ENGINE_ADDR_H
#define FWP_ENGINE_ADDR_H

#include <stdint.h>

/* Traffic-struct IPv6 bytes <-> network order (the mapping is its own
 * inverse; both names exist for readability). */
void addr6_traffic_to_net(const uint8_t in[16], uint8_t out[16]);
void addr6_net_to_traffic(const uint8_t in[16], uint8_t out[16]);
/* Network order -> the IPv6 bytes of a net-event header. */
void addr6_net_to_event_header(const uint8_t in[16], uint8_t out[16]);

/* True when the first prefix_len bits of a and b (network order) agree. */
int addr6_prefix_match(const uint8_t a[16], const uint8_t b[16], unsigned prefix_len);

#endif
