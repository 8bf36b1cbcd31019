/* vnet.h - virtio-net headers on a TUN opened with IFF_VNET_HDR.
 *
 * With TUNSETOFFLOAD the kernel hands a TUN reader GSO super-packets (one
 * TCP or UDP packet of up to 64 KiB standing for many MTU-sized ones) and
 * packets whose transport checksum is only partly computed, each after a
 * 10-byte struct virtio_net_hdr. On the way in, vnet_split() turns such a
 * read into ordinary IP packets with complete checksums, ready to be
 * encrypted one by one. On the way out, vnet_gro() coalesces consecutive
 * TCP segments (or UDP datagrams) of a flow into one super-packet (the
 * joined payloads chained, not copied) and writes the virtio header in
 * front of every packet, so one writev() (tun_write_gro) carries up to
 * 64 KiB.
 *
 * Byte order: the header's 16-bit fields are little-endian on the wire
 * (the TUN default on little-endian hosts, no TUNSETVNETBE); struct
 * vnet_hdr holds them in host order.
 *
 * Ownership: every buffer belongs to the caller; nothing is allocated.
 * Threads: pure functions over caller memory, safe from any thread.
 */
#ifndef FWP_DATAPATH_VNET_H
#define FWP_DATAPATH_VNET_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* Debian 12's kernel headers (6.1) predate USO (kernel 6.2). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define VNET_HDR_LEN 10		/* sizeof(struct virtio_net_hdr) */
#define VNET_MAX_PACKET 65535	/* the largest IP packet a TUN read returns */
#define VNET_GRO_MAX 256	/* the most packets vnet_gro() takes at once */

struct vnet_hdr {
	uint8_t flags;		/* VIRTIO_NET_HDR_F_* */
	uint8_t gso_type;	/* VIRTIO_NET_HDR_GSO_*, ECN bit included */
	uint16_t hdr_len;	/* not trusted on input: recomputed */
	uint16_t gso_size;	/* payload bytes per segment */
	uint16_t csum_start;	/* transport header offset from the IP header */
	uint16_t csum_offset;	/* checksum field offset from csum_start */
};

void vnet_hdr_get(struct vnet_hdr *h, const void *wire);
void vnet_hdr_put(void *wire, const struct vnet_hdr *h);

/* Completes the partial checksum of a packet that is not GSO, in place,
 * when VIRTIO_NET_HDR_F_NEEDS_CSUM is set (the field holds the pseudo-header
 * sum; the sum from csum_start to the end is folded into it). A zero result
 * is stored as 0xffff. Returns 0 (also when the flag is clear) or -EINVAL
 * when the offsets fall outside the packet. */
int vnet_csum_complete(const struct vnet_hdr *h, uint8_t *pkt, size_t len);

/* The number of IP packets vnet_split() makes of pkt, or -EINVAL /
 * -EPROTONOSUPPORT as vnet_split() would return. */
int vnet_split_count(const struct vnet_hdr *h, const uint8_t *pkt,
		     size_t len);

/* Splits the IP packet pkt (len bytes, read after the header h) into IP
 * packets: TCP (GSO_TCPV4/TCPV6) into segments of gso_size payload bytes
 * with consecutive sequence numbers, FIN and PSH on the last only, CWR on
 * the first only; UDP (GSO_UDP_L4) into datagrams of gso_size bytes with
 * their own UDP headers. IPv4 ids increase by one per packet; lengths and
 * the IPv4 header and transport checksums are recomputed for each packet.
 * A packet without GSO is copied whole, its checksum completed.
 *
 * Packet i goes to out[i] + headroom and its length to lens[i]; each out[i]
 * has out_size bytes in all. pkt is not modified. The IP total length field
 * of a super-packet is not trusted (len is).
 *
 * Returns the number of packets, -EINVAL for a malformed packet (or one
 * that disagrees with h), -EPROTONOSUPPORT for a GSO type other than those
 * above (legacy UFO), -ENOBUFS when n_out or out_size is too small. */
int vnet_split(const struct vnet_hdr *h, const uint8_t *pkt, size_t len,
	       uint8_t *const out[], size_t out_size, size_t headroom,
	       uint32_t lens[], unsigned n_out);

/* One IP packet waiting to be written to a TUN with IFF_VNET_HDR. */
struct vnet_pkt {
	uint8_t *data;		/* the IP packet; VNET_HDR_LEN writable bytes
				 * precede it for the virtio header */
	uint32_t len;		/* its length; grows when segments join it */
	uint32_t cap;		/* bytes usable from data on (vnet_flatten()
				 * needs len of them) */
	/* Set by vnet_gro() for every packet it takes, read by
	 * tun_write_gro() and vnet_flatten(): */
	uint32_t own;		/* a packet to write: its first own bytes
				 * are at data, the rest of len comes from
				 * the chain; an absorbed packet: its
				 * payload, the last own bytes of len */
	uint16_t next;		/* 1 + the index of the next absorbed packet
				 * whose payload follows; 0: none */
};

/* TCP coalescing before a TUN write (what the kernel's GRO does).
 *
 * A TCP segment joins the latest earlier packet of its flow when it carries
 * the next sequence number and that packet can still grow: the same
 * addresses, ports, IPv4 TOS/TTL/DF or IPv6 traffic class, flow label and
 * hop limit, the same TCP options, acknowledgement, window and flags (PSH
 * aside), a payload no larger than the first segment's, no SYN, FIN, RST,
 * URG or CWR, IPv4 without options or fragments, IPv6 without extension
 * headers. The joined packet takes PSH from the last segment and accepts
 * nothing after a PSH or a shorter segment. Checksums of the joined
 * segments are not verified (the ESP ICV has authenticated them); the
 * kernel is told to trust the result (NEEDS_CSUM with the pseudo-header
 * sum, as a local TCP stack would hand it over).
 *
 * UDP datagrams of one flow join likewise into a train of up to 64 of
 * equal size (the last may be shorter and closes it).
 *
 * Joining copies nothing: a joined packet's len grows to the whole, its
 * own bytes stay at data (own of them), and the joiners' payloads are
 * chained behind it (next; an absorbed packet's data and len are left as
 * they were). tun_write_gro() hands the chain to the kernel as one
 * iovec list; vnet_flatten() copies it behind the head when cap allows
 * (joining is not bounded by cap, only by 64 KiB).
 * The absorbed packets' buffers must stay until then.
 *
 * Every packet to write gets its virtio header in the VNET_HDR_LEN bytes
 * before data: GSO_TCPV4/TCPV6/UDP_L4 for a packet that others joined, all
 * zeros otherwise. The indices of the packets to write, in their order, go to
 * out_idx (n entries at most); the others were absorbed. n is at most
 * VNET_GRO_MAX. Returns the number of indices. */
unsigned vnet_gro(struct vnet_pkt pkts[], unsigned n, unsigned out_idx[]);

/* Copies the chain of pkts[k] (as vnet_gro() left it) behind its own
 * bytes, so that data holds all len bytes; own becomes len, next 0.
 * Returns 0, or -ENOBUFS (nothing copied) when len exceeds cap. */
int vnet_flatten(struct vnet_pkt pkts[], unsigned k);

#endif
