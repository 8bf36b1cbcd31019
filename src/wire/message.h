/* message.h - building and checking protocol messages (protocol.h).
 *
 * msg_parse() is the first thing that touches bytes from a peer: it checks
 * the header, that the attributes exactly fill the message, that each is a
 * type the protocol has, given once (FWPD_A_ENTRY excepted), with the
 * nested flag exactly on nests, and the size of every fixed-size one,
 * before anything reads them.
 */
#ifndef FWP_WIRE_MESSAGE_H
#define FWP_WIRE_MESSAGE_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#include "wire/protocol.h"

struct msg_attrs {
	const struct nlmsghdr *nlh;
	const struct nlattr *a[FWPD_A_MAX];	/* each type at most once */
	unsigned nentries;			/* FWPD_A_ENTRY count */
};

/* Starts a message of type/seq in buf (FWPD_MSG_MAX bytes). */
struct nlmsghdr *msg_start(void *buf, uint16_t type, uint32_t seq);
bool msg_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v);
bool msg_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v);
bool msg_put_raw(struct nlmsghdr *nlh, uint16_t type, const void *p, size_t len);

/* 0, or -EINVAL for a malformed message. */
int msg_parse(const void *buf, size_t len, struct msg_attrs *out);
uint32_t msg_u32(const struct msg_attrs *m, int type, uint32_t dflt);
uint64_t msg_u64(const struct msg_attrs *m, int type, uint64_t dflt);

#endif
