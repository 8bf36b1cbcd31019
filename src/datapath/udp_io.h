/* udp_io.h - the datapath's outer sockets: ESP in UDP, and plain ESP.
 *
 * UDP (RFC 3948): one socket per family bound to the encapsulation port
 * (4500 by default), with IP_PKTINFO / IPV6_RECVPKTINFO (the local address
 * a datagram came to, and the source address to send from), UDP_GRO on
 * receive (one recvmmsg slot carries a train of equal-size datagrams of a
 * flow, the last maybe shorter) and UDP_SEGMENT on send (one sendmmsg slot
 * carries many datagrams cut by the kernel), both probed. Plain ESP: one
 * raw IPPROTO_ESP socket per family (IP protocol 50). Every socket carries
 * SO_MARK = the steering fwmark (steer.h), so that ESP leaves by the main
 * routing table, not back into the TUN. The outer UDP checksum is kept
 * (RFC 3948 allows zero over IPv4, but the kernel refuses UDP_SEGMENT on
 * SO_NO_CHECK sockets, and veth/loopback offload it anyway).
 *
 * Port 4500 and an IKE daemon. The IKE daemon owns the port-4500 socket;
 * with private_port the UDP sockets are bound to kernel-chosen ports
 * instead (udp_io.port[]) and natt_share.h rewrites ESP in UDP to and from
 * the served port in the kernel, so IKE (the non-ESP marker) and ESP share
 * 4500 whichever process starts first. Without it the sockets own the
 * port (bound without SO_REUSEPORT, so that a second owner fails loudly
 * with EADDRINUSE instead of silently sharing). Either way every datagram
 * is classified with udp_io_classify(): marker datagrams and NAT
 * keepalives that reach these sockets are not ESP and are dropped.
 *
 * Errors: 0 or -errno. Ownership: struct udp_io owns its descriptors;
 * message buffers belong to the caller. Threads: udp_io_recv/udp_io_send
 * keep no state; a socket may be read by one thread while others write
 * it. All descriptors are non-blocking and close-on-exec.
 */
#ifndef FWP_DATAPATH_UDP_IO_H
#define FWP_DATAPATH_UDP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>

#define UDP_IO_DEFAULT_PORT 4500
#define UDP_IO_BATCH 64		/* the most messages one call moves */
#define UDP_IO_MAX_SEGS 64	/* the kernel's UDP_MAX_SEGMENTS */

struct udp_io_config {
	uint16_t port;		/* ESP-in-UDP port, host order; 0: no UDP */
	bool private_port;	/* bind kernel-chosen ports, not port */
	bool raw_esp;		/* also raw IPPROTO_ESP sockets */
	bool ipv4, ipv6;	/* the families to open */
	uint32_t fwmark;	/* SO_MARK on every socket; 0: none */
	int rcvbuf, sndbuf;	/* bytes; 0: the system default */
};

enum udp_io_sock {
	UDP_IO_UDP4,		/* ESP in UDP over IPv4 */
	UDP_IO_UDP6,		/* ESP in UDP over IPv6 */
	UDP_IO_RAW4,		/* plain ESP over IPv4 */
	UDP_IO_RAW6,		/* plain ESP over IPv6 */
	UDP_IO_NSOCK
};

struct udp_io {
	int fd[UDP_IO_NSOCK];	/* -1 when not open; poll these */
	bool gro;		/* UDP_GRO accepted on the UDP sockets */
	bool gso;		/* UDP_SEGMENT available */
	uint16_t port[2];	/* the UDP sockets' bound ports: IPv4, IPv6
				 * (host order; 0: no socket) */
};

/* Default configuration: port 4500, both families, no raw ESP, no mark. */
void udp_io_config_default(struct udp_io_config *c);

/* Opens what cfg asks for; on failure nothing is left open. */
int udp_io_open(struct udp_io *u, const struct udp_io_config *cfg);
void udp_io_close(struct udp_io *u);

union udp_io_addr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct udp_io_msg {
	uint8_t *buf;		/* the caller's buffer */
	uint32_t cap;		/* receive: its size (64 KiB for GRO trains) */
	uint32_t len;		/* receive: bytes received; send: to send */
	uint16_t segsz;		/* receive: GRO segment size, 0 for a single
				 * datagram; send: cut buf into datagrams of
				 * segsz bytes (UDP_SEGMENT), 0: one datagram */
	uint16_t off;		/* receive on raw IPv4: the IP header length
				 * in front of the ESP header; else 0 */
	union udp_io_addr peer;	/* receive: source; send: destination */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} local;		/* receive: destination address; send: source
				 * (zero: the kernel chooses) */
	int ifindex;		/* receive: arriving interface; send: 0 */
	const struct iovec *iov;	/* send, when not NULL: the bytes, in
				 * iovcnt pieces (len is their sum), e.g. the
				 * datagrams of a UDP_SEGMENT train where they
				 * lie, uncopied; buf is then unused */
	unsigned iovcnt;
};

/* Receives up to n (at most UDP_IO_BATCH) messages from socket s.
 * Returns the number received, 0 when none is
 * waiting, or -errno. A datagram larger than cap is cut (MSG_TRUNC in the
 * kernel); it is reported with len = cap. */
int udp_io_recv(const struct udp_io *u, enum udp_io_sock s,
		struct udp_io_msg m[], unsigned n);

/* Sends up to n (at most UDP_IO_BATCH) messages from socket s (on raw
 * sockets the kernel builds the IP header; buf starts at the ESP header;
 * segsz must be 0). Returns the number
 * consumed, fewer than n only when the socket buffer is full, or -errno
 * when none could go (-EAGAIN: wait until writable). A message the kernel
 * refuses for itself (too large, no route, EPERM from a firewall) is
 * consumed, dropped and added to *dropped (may be NULL), like a datagram
 * lost on the wire, so one bad message never stalls a batch. */
int udp_io_send(const struct udp_io *u, enum udp_io_sock s,
		const struct udp_io_msg m[], unsigned n, unsigned *dropped);

enum udp_io_kind {
	UDP_IO_ESP,		/* an ESP packet (SPI nonzero) */
	UDP_IO_IKE,		/* non-ESP marker: IKE, not ours */
	UDP_IO_KEEPALIVE,	/* NAT keepalive (one byte 0xff) */
	UDP_IO_INVALID,		/* too short to be any of these */
};

/* What a UDP payload on the encapsulation port is (RFC 3948 2.2, 2.3). */
enum udp_io_kind udp_io_classify(const uint8_t *p, size_t len);

#endif
