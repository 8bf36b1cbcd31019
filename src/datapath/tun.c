/* tun.c - opening, configuring, reading and writing the TUN device. */
#include "datapath/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "datapath/rtnl.h"

/* Offload sets, best first: USO needs kernel 6.2; older kernels answer
 * EINVAL to unknown bits. */
static const unsigned offload_sets[] = {
	TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN |
		TUN_F_USO4 | TUN_F_USO6,
	TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
	TUN_F_CSUM,
};

static int open_queue(struct tun *t, const struct tun_config *cfg,
		      const char *name)
{
	struct ifreq ifr = {0};
	int fd, sz = VNET_HDR_LEN;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (cfg->queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (cfg->vnet)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (name)
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto err;
	if (cfg->vnet && ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		goto err;
	if (!t->name[0])
		snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	return fd;
err:
	sz = -errno;
	close(fd);
	return sz;
}

static int set_offload(struct tun *t)
{
	size_t i;

	for (i = 0; i < sizeof(offload_sets) / sizeof(offload_sets[0]); i++) {
		if (ioctl(t->fd[0], TUNSETOFFLOAD, offload_sets[i]) == 0) {
			t->offload = offload_sets[i];
			return 0;
		}
		if (errno != EINVAL)
			return -errno;
	}
	return -EINVAL;
}

int tun_open(struct tun *t, const struct tun_config *cfg)
{
	unsigned nq = cfg->queues ? cfg->queues : 1, i;
	struct rtnl r;
	int ret;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < TUN_MAX_QUEUES; i++)
		t->fd[i] = -1;
	if (nq > TUN_MAX_QUEUES)
		return -EINVAL;
	t->vnet = cfg->vnet;
	for (i = 0; i < nq; i++) {
		/* Later queues attach to the device the first one made. */
		ret = open_queue(t, cfg, i ? t->name :
				 (cfg->name && cfg->name[0] ? cfg->name : NULL));
		if (ret < 0)
			goto err_close;
		t->fd[i] = ret;
		t->nqueues = i + 1;
	}
	t->ifindex = (int)if_nametoindex(t->name);
	if (!t->ifindex) {
		ret = -errno;
		goto err_close;
	}
	if (cfg->vnet) {
		ret = set_offload(t);
		if (ret < 0)
			goto err_close;
	}
	if (cfg->mtu || cfg->txqlen || cfg->up) {
		ret = rtnl_open(&r);
		if (ret < 0)
			goto err_close;
		ret = rtnl_link_set(&r, t->ifindex, cfg->mtu, cfg->txqlen,
				    cfg->up);
		rtnl_close(&r);
		if (ret < 0)
			goto err_close;
	}
	return 0;

err_close:
	tun_close(t);
	return ret;
}

void tun_close(struct tun *t)
{
	unsigned i;

	for (i = 0; i < t->nqueues; i++)
		if (t->fd[i] >= 0)
			close(t->fd[i]);
	memset(t, 0, sizeof(*t));
	for (i = 0; i < TUN_MAX_QUEUES; i++)
		t->fd[i] = -1;
}

int tun_add_address(const struct tun *t, int family, const void *addr,
		    unsigned prefixlen)
{
	struct rtnl r;
	int ret = rtnl_open(&r);

	if (ret < 0)
		return ret;
	ret = rtnl_addr_add(&r, t->ifindex, family, addr, prefixlen);
	rtnl_close(&r);
	return ret;
}

int tun_read_batch(const struct tun *t, unsigned q, struct vnet_pkt pkts[],
		   unsigned n)
{
	size_t hl = t->vnet ? VNET_HDR_LEN : 0;
	unsigned got = 0;
	ssize_t r;

	if (q >= t->nqueues)
		return -EINVAL;
	while (got < n) {
		r = read(t->fd[q], pkts[got].data - hl, pkts[got].cap + hl);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || got > 0)
				break;
			return -errno;
		}
		if ((size_t)r < hl)	/* a runt cannot come from the kernel */
			continue;
		pkts[got++].len = (uint32_t)((size_t)r - hl);
	}
	return (int)got;
}

int tun_write_batch(const struct tun *t, unsigned q,
		    const struct vnet_pkt pkts[], const unsigned idx[],
		    unsigned n)
{
	size_t hl = t->vnet ? VNET_HDR_LEN : 0;
	unsigned i, written = 0;
	int err = 0;

	if (q >= t->nqueues)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct vnet_pkt *p = &pkts[idx ? idx[i] : i];
		ssize_t r;

		do
			r = write(t->fd[q], p->data - hl, p->len + hl);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			err = -errno;
		else
			written++;
	}
	return written || !n ? (int)written : err;
}

/* The iovec list of packet k and its chain: the virtio header and the
 * packet's own bytes, then each joined payload. Returns its length. */
static int gather(const struct vnet_pkt pkts[], unsigned k, size_t hl,
		  struct iovec iov[], int max)
{
	const struct vnet_pkt *p = &pkts[k];
	int n = 0;

	iov[n++] = (struct iovec){ p->data - hl, p->own + hl };
	while (p->next && n < max) {
		p = &pkts[p->next - 1];
		iov[n++] = (struct iovec){ p->data + p->len - p->own, p->own };
	}
	return n;
}

int tun_write_gro(const struct tun *t, unsigned q,
		  const struct vnet_pkt pkts[], const unsigned idx[],
		  unsigned n)
{
	struct iovec iov[VNET_GRO_MAX + 1];
	size_t hl = t->vnet ? VNET_HDR_LEN : 0;
	unsigned i, written = 0;
	int err = 0;

	if (q >= t->nqueues)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int cnt = gather(pkts, idx[i], hl, iov, VNET_GRO_MAX + 1);
		ssize_t r;

		do
			r = writev(t->fd[q], iov, cnt);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			err = -errno;
		else
			written++;
	}
	return written || !n ? (int)written : err;
}
