/* rtnl.h - route netlink for the datapath's control side (libmnl).
 *
 * One socket, requests that wait for their acknowledgement, dumps, and the
 * link and address changes a TUN device needs. Routes and rules are built
 * by steer.c on top of rtnl_request() and rtnl_dump().
 *
 * Errors: functions return 0 or -errno. When the kernel explains a refusal
 * (extended ack), its text stays in r->errmsg until the next request.
 * Namespaces: a socket talks to the network namespace that was current for
 * the calling thread when rtnl_open() ran, whatever happens after.
 * Ownership: struct rtnl owns its socket and buffer (rtnl_close frees them).
 * Threads: one thread at a time per struct rtnl; no global state.
 */
#ifndef FWP_DATAPATH_RTNL_H
#define FWP_DATAPATH_RTNL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define RTNL_BUF_SIZE 32768	/* requests and dump batches */

struct rtnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint8_t *buf;		/* RTNL_BUF_SIZE bytes, for replies */
	char errmsg[160];	/* the last extended-ack text, or "" */
};

int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);

/* Starts a request of the given type and flags (NLM_F_REQUEST added) in
 * buf, with a fresh sequence number, and returns it. */
struct nlmsghdr *rtnl_msg(struct rtnl *r, void *buf, uint16_t type,
			  uint16_t flags);

/* Sends nlh with NLM_F_ACK and waits for the answer. */
int rtnl_request(struct rtnl *r, struct nlmsghdr *nlh);

/* Sends the dump request nlh (NLM_F_DUMP added) and calls cb for every
 * message of the answer; cb returns MNL_CB_OK to go on, MNL_CB_STOP to end
 * early (0 is returned), MNL_CB_ERROR with errno set to fail. A dump the
 * kernel marks as interrupted by a concurrent change returns -EINTR. */
int rtnl_dump(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Sets the MTU (mtu 0: unchanged), the transmit queue length (txqlen 0:
 * unchanged) and brings the link up or down. */
int rtnl_link_set(struct rtnl *r, int ifindex, unsigned mtu, unsigned txqlen,
		  bool up);

/* Adds (or replaces) addr/prefixlen on a link; addr is a struct in_addr or
 * struct in6_addr by family. IPv6 addresses are added without duplicate
 * address detection (IFA_F_NODAD), usable at once. */
int rtnl_addr_add(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen);
int rtnl_addr_del(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen);

#endif
