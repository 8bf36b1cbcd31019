/* rtnl.c - route netlink requests, dumps, links and addresses. */
#include "datapath/rtnl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

int rtnl_open(struct rtnl *r)
{
	int one = 1, ret;

	memset(r, 0, sizeof(*r));
	r->buf = malloc(RTNL_BUF_SIZE);
	if (!r->buf)
		return -ENOMEM;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl) {
		ret = -errno;
		goto err_buf;
	}
	/* Short acks carrying the kernel's explanation. */
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_sock;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	return 0;

err_sock:
	mnl_socket_close(r->nl);
err_buf:
	free(r->buf);
	memset(r, 0, sizeof(*r));
	return ret;
}

void rtnl_close(struct rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

struct nlmsghdr *rtnl_msg(struct rtnl *r, void *buf, uint16_t type,
			  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

static int cb_errattr(const struct nlattr *a, void *data)
{
	struct rtnl *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s",
			 mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: 0 for an ack, else -errno, keeping the extended-ack text. */
static int parse_error(struct rtnl *r, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return -EBADMSG;
	if (err->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off <= mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, (unsigned)off, cb_errattr, r);
	}
	return err->error < 0 ? err->error : -err->error;
}

/* Sends nlh and reads until its answer ends: an error message (an ack
 * when the error is 0) or the end of a dump. Messages left from an earlier
 * request (another sequence number) are skipped. */
static int talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlmsghdr *m;
	ssize_t n;
	int len, ret;

	r->errmsg[0] = '\0';
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, RTNL_BUF_SIZE);
		if (n < 0)
			return -errno;
		len = (int)n;
		for (m = (const void *)r->buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != r->portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				return -EINTR;
			switch (m->nlmsg_type) {
			case NLMSG_ERROR:
				return parse_error(r, m);
			case NLMSG_DONE:
				if (mnl_nlmsg_get_payload_len(m) >= sizeof(int)) {
					memcpy(&ret, mnl_nlmsg_get_payload(m),
					       sizeof(ret));
					if (ret < 0)
						return ret;
				}
				return 0;
			case NLMSG_NOOP:
			case NLMSG_OVERRUN:
				continue;
			default:
				if (!cb)
					break;
				errno = 0;
				ret = cb(m, data);
				if (ret == MNL_CB_STOP)
					return 0;
				if (ret < MNL_CB_STOP)
					return errno ? -errno : -EIO;
				break;
			}
		}
	}
}

int rtnl_request(struct rtnl *r, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return talk(r, nlh, NULL, NULL);
}

int rtnl_dump(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_DUMP;
	return talk(r, nlh, cb, data);
}

int rtnl_link_set(struct rtnl *r, int ifindex, unsigned mtu, unsigned txqlen,
		  bool up)
{
	char buf[256];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (txqlen)
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, txqlen);
	return rtnl_request(r, nlh);
}

static int addr_msg(struct rtnl *r, uint16_t type, uint16_t flags,
		    int ifindex, int family, const void *addr,
		    unsigned prefixlen)
{
	char buf[256];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = family == AF_INET6 ? 16 : 4;

	if ((family != AF_INET && family != AF_INET6) ||
	    prefixlen > alen * 8 || ifindex <= 0)
		return -EINVAL;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	if (family == AF_INET6 && type == RTM_NEWADDR) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return rtnl_request(r, nlh);
}

int rtnl_addr_add(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen)
{
	return addr_msg(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
			family, addr, prefixlen);
}

int rtnl_addr_del(struct rtnl *r, int ifindex, int family, const void *addr,
		  unsigned prefixlen)
{
	return addr_msg(r, RTM_DELADDR, 0, ifindex, family, addr, prefixlen);
}
