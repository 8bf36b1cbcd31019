/* udp_io.c - the outer sockets: ESP in UDP (GRO/GSO, packet info) and raw
 * ESP. */
#include "datapath/udp_io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

void udp_io_config_default(struct udp_io_config *c)
{
	memset(c, 0, sizeof(*c));
	c->port = UDP_IO_DEFAULT_PORT;
	c->ipv4 = true;
	c->ipv6 = true;
}

static int setint(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ?
	       -errno : 0;
}

/* Buffer sizes above the sysctl maximum need CAP_NET_ADMIN (FORCE). */
static void set_buffers(int fd, const struct udp_io_config *cfg)
{
	if (cfg->rcvbuf && setint(fd, SOL_SOCKET, SO_RCVBUFFORCE, cfg->rcvbuf))
		setint(fd, SOL_SOCKET, SO_RCVBUF, cfg->rcvbuf);
	if (cfg->sndbuf && setint(fd, SOL_SOCKET, SO_SNDBUFFORCE, cfg->sndbuf))
		setint(fd, SOL_SOCKET, SO_SNDBUF, cfg->sndbuf);
}

/* A socket of the family for UDP (proto 0) or raw ESP, with its mark,
 * packet info and buffers; UDP ones bound to the port. */
static int open_one(int family, int type, int proto,
		    const struct udp_io_config *cfg)
{
	union udp_io_addr a = {0};
	socklen_t alen;
	int fd, ret;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	if (cfg->fwmark) {
		ret = setint(fd, SOL_SOCKET, SO_MARK, (int)cfg->fwmark);
		if (ret < 0)
			goto err;
	}
	if (family == AF_INET6) {
		/* IPv4 has its own socket (raw ones are IPv6-only anyway). */
		ret = type == SOCK_DGRAM ?
		      setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) : 0;
		if (ret == 0)
			ret = setint(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	} else {
		ret = setint(fd, IPPROTO_IP, IP_PKTINFO, 1);
	}
	if (ret < 0)
		goto err;
	set_buffers(fd, cfg);
	if (type == SOCK_DGRAM) {
		if (family == AF_INET6) {
			a.in6.sin6_family = AF_INET6;
			a.in6.sin6_addr = in6addr_any;
			a.in6.sin6_port = cfg->private_port ? 0 : htons(cfg->port);
			alen = sizeof(a.in6);
		} else {
			a.in4.sin_family = AF_INET;
			a.in4.sin_addr.s_addr = htonl(INADDR_ANY);
			a.in4.sin_port = cfg->private_port ? 0 : htons(cfg->port);
			alen = sizeof(a.in4);
		}
		if (bind(fd, &a.sa, alen) < 0) {
			ret = -errno;
			goto err;
		}
	}
	return fd;
err:
	close(fd);
	return ret;
}

/* The port a UDP socket is bound to (kernel-chosen with private_port). */
static int bound_port(int fd, uint16_t *port)
{
	union udp_io_addr a;
	socklen_t alen = sizeof(a);

	if (getsockname(fd, &a.sa, &alen) < 0)
		return -errno;
	*port = ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port : a.in4.sin_port);
	return 0;
}

int udp_io_open(struct udp_io *u, const struct udp_io_config *cfg)
{
	static const struct {
		int family, type, proto;
	} kinds[UDP_IO_NSOCK] = {
		[UDP_IO_UDP4] = { AF_INET, SOCK_DGRAM, 0 },
		[UDP_IO_UDP6] = { AF_INET6, SOCK_DGRAM, 0 },
		[UDP_IO_RAW4] = { AF_INET, SOCK_RAW, IPPROTO_ESP },
		[UDP_IO_RAW6] = { AF_INET6, SOCK_RAW, IPPROTO_ESP },
	};
	bool gro = true, gso = true;
	int i, ret;

	for (i = 0; i < UDP_IO_NSOCK; i++)
		u->fd[i] = -1;
	u->gro = u->gso = false;
	u->port[0] = u->port[1] = 0;
	if ((!cfg->port && !cfg->raw_esp) || (!cfg->ipv4 && !cfg->ipv6))
		return -EINVAL;
	for (i = 0; i < UDP_IO_NSOCK; i++) {
		bool raw = kinds[i].type == SOCK_RAW;
		bool v6 = kinds[i].family == AF_INET6;

		if ((raw ? !cfg->raw_esp : !cfg->port) ||
		    (v6 ? !cfg->ipv6 : !cfg->ipv4))
			continue;
		ret = open_one(kinds[i].family, kinds[i].type, kinds[i].proto,
			       cfg);
		if (ret < 0)
			goto err;
		u->fd[i] = ret;
		if (!raw) {
			ret = bound_port(ret, &u->port[v6]);
			if (ret < 0)
				goto err;
		}
	}
	/* GRO and GSO: on every UDP socket or on none, so that callers need
	 * one answer. UDP_SEGMENT 0 on the socket probes the option without
	 * turning segmentation on (it is asked for per message). */
	for (i = UDP_IO_UDP4; i <= UDP_IO_UDP6; i++) {
		if (u->fd[i] < 0)
			continue;
		if (setint(u->fd[i], SOL_UDP, UDP_GRO, 1) < 0)
			gro = false;
		if (setint(u->fd[i], SOL_UDP, UDP_SEGMENT, 0) < 0)
			gso = false;
	}
	for (i = UDP_IO_UDP4; i <= UDP_IO_UDP6 && !gro; i++)
		if (u->fd[i] >= 0)
			setint(u->fd[i], SOL_UDP, UDP_GRO, 0);
	u->gro = cfg->port && gro;
	u->gso = cfg->port && gso;
	return 0;
err:
	udp_io_close(u);
	return ret;
}

void udp_io_close(struct udp_io *u)
{
	int i;

	for (i = 0; i < UDP_IO_NSOCK; i++) {
		if (u->fd[i] >= 0)
			close(u->fd[i]);
		u->fd[i] = -1;
	}
	u->gro = u->gso = false;
	u->port[0] = u->port[1] = 0;
}

/* Room for packet info and one UDP_GRO / UDP_SEGMENT value. */
union ctl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		 CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static void read_ctl(struct msghdr *mh, struct udp_io_msg *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->local.v4 = pi.ipi_addr;
			m->ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->local.v6 = pi.ipi6_addr;
			m->ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_level == SOL_UDP &&
			   c->cmsg_type == UDP_GRO) {
			int seg;

			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			m->segsz = (uint16_t)seg;
		}
	}
}

int udp_io_recv(const struct udp_io *u, enum udp_io_sock s,
		struct udp_io_msg m[], unsigned n)
{
	struct mmsghdr mm[UDP_IO_BATCH];
	struct iovec iov[UDP_IO_BATCH];
	union ctl ctl[UDP_IO_BATCH];
	unsigned i;
	int got;

	if ((unsigned)s >= UDP_IO_NSOCK || u->fd[s] < 0)
		return -EBADF;
	if (n > UDP_IO_BATCH)
		n = UDP_IO_BATCH;
	if (n == 0)
		return 0;
	memset(mm, 0, n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = m[i].buf;
		iov[i].iov_len = m[i].cap;
		mm[i].msg_hdr.msg_name = &m[i].peer;
		mm[i].msg_hdr.msg_namelen = sizeof(m[i].peer);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = ctl[i].buf;
		mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	do
		got = recvmmsg(u->fd[s], mm, n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (i = 0; i < (unsigned)got; i++) {
		struct udp_io_msg *x = &m[i];

		x->len = mm[i].msg_len > x->cap ? x->cap : mm[i].msg_len;
		x->segsz = 0;
		x->off = 0;
		x->ifindex = 0;
		memset(&x->local, 0, sizeof(x->local));
		read_ctl(&mm[i].msg_hdr, x);
		/* Raw IPv4 sockets deliver the IP header as well. */
		if (s == UDP_IO_RAW4) {
			size_t hl = x->len ? (size_t)(x->buf[0] & 0x0f) * 4 : 0;

			x->off = (uint16_t)(hl <= x->len ? hl : x->len);
		}
	}
	return got;
}

static size_t write_ctl(union ctl *ctl, const struct udp_io_msg *m,
			bool v6)
{
	struct msghdr mh = {
		.msg_control = ctl->buf,
		.msg_controllen = sizeof(ctl->buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	size_t len = 0;

	memset(ctl->buf, 0, sizeof(ctl->buf));
	if (v6 && !IN6_IS_ADDR_UNSPECIFIED(&m->local.v6)) {
		struct in6_pktinfo pi = { .ipi6_addr = m->local.v6 };

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
		c = (struct cmsghdr *)(ctl->buf + len);
	} else if (!v6 && m->local.v4.s_addr != 0) {
		struct in_pktinfo pi = { .ipi_spec_dst = m->local.v4 };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		len += CMSG_SPACE(sizeof(pi));
		c = (struct cmsghdr *)(ctl->buf + len);
	}
	if (m->segsz && m->len > m->segsz) {
		uint16_t seg = m->segsz;

		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		len += CMSG_SPACE(sizeof(seg));
	}
	return len;
}

/* Errors that concern one message, not the socket: drop it and go on. */
static bool message_error(int err)
{
	return err != EAGAIN && err != ENOBUFS && err != EBADF &&
	       err != ENOTSOCK && err != EFAULT && err != ENOMEM;
}

int udp_io_send(const struct udp_io *u, enum udp_io_sock s,
		const struct udp_io_msg m[], unsigned n, unsigned *dropped)
{
	struct mmsghdr mm[UDP_IO_BATCH];
	struct iovec iov[UDP_IO_BATCH];
	union ctl ctl[UDP_IO_BATCH];
	bool v6 = s == UDP_IO_UDP6 || s == UDP_IO_RAW6;
	unsigned i, done = 0, lost = 0;
	int r;

	if ((unsigned)s >= UDP_IO_NSOCK || u->fd[s] < 0)
		return -EBADF;
	if (n > UDP_IO_BATCH)
		n = UDP_IO_BATCH;
	memset(mm, 0, n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		size_t cl = write_ctl(&ctl[i], &m[i], v6);

		iov[i].iov_base = m[i].buf;
		iov[i].iov_len = m[i].len;
		mm[i].msg_hdr.msg_name = (void *)&m[i].peer;
		mm[i].msg_hdr.msg_namelen = v6 ? sizeof(m[i].peer.in6) :
						 sizeof(m[i].peer.in4);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (m[i].iov) {
			mm[i].msg_hdr.msg_iov = (struct iovec *)m[i].iov;
			mm[i].msg_hdr.msg_iovlen = m[i].iovcnt;
		}
		mm[i].msg_hdr.msg_control = cl ? ctl[i].buf : NULL;
		mm[i].msg_hdr.msg_controllen = cl;
	}
	while (done < n) {
		r = sendmmsg(u->fd[s], mm + done, n - done, MSG_DONTWAIT);
		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && message_error(errno)) {
			done++;		/* the first message was refused */
			lost++;
			continue;
		}
		if (done == 0 && lost == 0)
			return r < 0 ? -errno : -EIO;
		break;
	}
	if (dropped)
		*dropped += lost;
	return (int)done;
}

enum udp_io_kind udp_io_classify(const uint8_t *p, size_t len)
{
	if (len == 1 && p[0] == 0xff)
		return UDP_IO_KEEPALIVE;
	if (len >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		return UDP_IO_IKE;
	/* SPI and sequence number at least. */
	return len >= 8 ? UDP_IO_ESP : UDP_IO_INVALID;
}
