/* tun_write_bench.c - what one coalesced TUN write costs: the joined
 * payloads gathered by writev() (tun_write_gro) against copied behind the
 * first packet and written in one piece (vnet_flatten + tun_write_batch).
 *
 *   tun_write_bench [ROUNDS]      (root: it runs in a network namespace of
 *                                  its own, made by unshare, gone at exit)
 *
 * A TCP super-packet of 45 segments of 1400 bytes (192.0.2.2 -> 192.0.2.1,
 * nobody listening: the local stack answers with resets) is cut by
 * vnet_split() into slots 9600 bytes apart (as fwpd's receive slots lie),
 * coalesced again by vnet_gro() and written to a TUN with the virtio
 * header. Both ways alternate; each round is 2000 writes; prints the best
 * round of each in microseconds per write, the split and the coalescing
 * included (the same work on both sides).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "datapath/csum.h"
#include "datapath/tun.h"
#include "datapath/vnet.h"

#define SEGS 45
#define MSS 1400
#define STRIDE 9600
#define WRITES 2000

struct bench {
	struct tun tun;
	uint8_t super[VNET_MAX_PACKET];
	size_t len;
	uint8_t *slots, *ptr[SEGS];
	struct vnet_pkt pk[SEGS];
	unsigned idx[SEGS];
	uint32_t lens[SEGS];
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* 192.0.2.2:1234 -> 192.0.2.1:5001, ACK, SEGS * MSS bytes of payload. */
static void build(struct bench *b)
{
	uint8_t *ip = b->super, *t = ip + 20;
	size_t i;

	b->len = 40 + (size_t)SEGS * MSS;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(b->len >> 8);
	ip[3] = (uint8_t)b->len;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	inet_pton(AF_INET, "192.0.2.2", ip + 12);
	inet_pton(AF_INET, "192.0.2.1", ip + 16);
	csum_ipv4_header(ip);
	t[0] = 1234 >> 8;
	t[1] = 1234 & 0xff;
	t[2] = 5001 >> 8;
	t[3] = 5001 & 0xff;
	t[12] = 5 << 4;
	t[13] = 0x10;
	t[14] = 0xff;
	for (i = 40; i < b->len; i++)
		ip[i] = (uint8_t)(i * 7);
}

/* Split, coalesce; returns the number of packets to write (1). */
static unsigned cut_and_join(struct bench *b)
{
	struct vnet_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = MSS, .csum_start = 20, .csum_offset = 16,
	};
	int n = vnet_split(&h, b->super, b->len, b->ptr, STRIDE, VNET_HDR_LEN,
			   b->lens, SEGS);

	for (int i = 0; i < n; i++)
		b->pk[i].len = b->lens[i];
	return n > 0 ? vnet_gro(b->pk, (unsigned)n, b->idx) : 0;
}

/* One round of WRITES writes; microseconds per write. */
static double round_us(struct bench *b, int flatten)
{
	double t0 = now();

	for (int i = 0; i < WRITES; i++) {
		unsigned w = cut_and_join(b);

		if (flatten) {
			for (unsigned k = 0; k < w; k++)
				if (vnet_flatten(b->pk, b->idx[k]) < 0)
					return -1;
			if (tun_write_batch(&b->tun, 0, b->pk, b->idx, w) != (int)w)
				return -1;
		} else if (tun_write_gro(&b->tun, 0, b->pk, b->idx, w) != (int)w) {
			return -1;
		}
	}
	return (now() - t0) / WRITES * 1e6;
}

static int setup(struct bench *b)
{
	struct tun_config cfg = { .vnet = true, .mtu = 1400, .up = true };
	struct in_addr a;
	int ret;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	ret = tun_open(&b->tun, &cfg);
	if (ret < 0)
		return ret;
	inet_pton(AF_INET, "192.0.2.1", &a);
	ret = tun_add_address(&b->tun, AF_INET, &a, 24);
	if (ret < 0)
		return ret;
	/* Slot 0 can hold the whole packet, so flattening it works. */
	b->slots = calloc(SEGS, STRIDE + VNET_MAX_PACKET);
	if (!b->slots)
		return -ENOMEM;
	for (int i = 0; i < SEGS; i++) {
		b->ptr[i] = b->slots + (size_t)i * STRIDE + (i ? VNET_MAX_PACKET : 0);
		b->pk[i].data = b->ptr[i] + VNET_HDR_LEN;
		b->pk[i].cap = i ? STRIDE - VNET_HDR_LEN : VNET_MAX_PACKET;
	}
	build(b);
	return cut_and_join(b) == 1 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static struct bench b;
	int rounds = argc > 1 ? atoi(argv[1]) : 10, ret;
	double best_copy = 1e9, best_gather = 1e9;

	ret = setup(&b);
	if (ret < 0) {
		fprintf(stderr, "tun_write_bench: setup: %s\n", strerror(-ret));
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		double c = round_us(&b, 1), g = round_us(&b, 0);

		if (c < 0 || g < 0) {
			fprintf(stderr, "tun_write_bench: a write failed\n");
			return 1;
		}
		best_copy = c < best_copy ? c : best_copy;
		best_gather = g < best_gather ? g : best_gather;
	}
	printf("{\"segments\": %d, \"copied_us\": %.2f, \"gathered_us\": %.2f}\n",
	       SEGS, best_copy, best_gather);
	tun_close(&b.tun);
	free(b.slots);
	return 0;
}
