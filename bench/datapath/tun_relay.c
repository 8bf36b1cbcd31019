/* tun_relay.c - a TUN <-> TUN relay between two network namespaces, no
 * crypto: the ceiling any user-space tunnel over TUN can reach here.
 *
 *   tun_relay --ns-a PATH --ns-b PATH --mode pkt|vnet|split [--batch]
 *             [--mtu N] [--addr-a CIDR]... [--addr-b CIDR]...
 *
 * One TUN in each namespace (PATH: /run/netns/NAME or /proc/PID/ns/net),
 * one thread per direction, reading a batch from one TUN and writing it to
 * the other:
 *   pkt    plain TUNs, one read() and one write() per IP packet;
 *   vnet   IFF_VNET_HDR + TSO/USO offloads: the kernel's super-packets
 *          (up to 64 KiB) pass through whole, virtio header included;
 *   split  as vnet, but every super-packet is cut into MTU-sized packets
 *          (vnet_split) and coalesced again before the write (vnet_gro):
 *          what the ESP datapath must do around its crypto.
 * By default each thread blocks in read() and writes what it read, as a
 * simple per-packet tunnel does; --batch uses the library's non-blocking
 * batch reads (up to 32 per wake-up, poll() when the TUN is empty).
 * Prints "ready" once both TUNs are up; on SIGINT/SIGTERM prints one line
 * of JSON statistics (packets, reads, bytes, CPU seconds) and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "datapath/tun.h"
#include "datapath/vnet.h"

enum mode { MODE_PKT, MODE_VNET, MODE_SPLIT };

#define BATCH 32
#define MAX_SEGS 128
#define MAX_ADDRS 4

static atomic_int stop;

struct dir {
	const struct tun *in, *out;
	enum mode mode;
	unsigned mtu;
	int batch;
	pthread_t th;
	/* statistics, read after join */
	unsigned long long reads, bytes, gso_reads, segments, writes, drops;
};

/* SIGUSR1 only interrupts a blocked read(); no SA_RESTART. */
static void on_wake(int sig)
{
	(void)sig;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "tun_relay: out of memory\n");
		exit(1);
	}
	return p;
}

static void *dir_main(void *arg)
{
	struct dir *d = arg;
	size_t slot = VNET_HDR_LEN + VNET_MAX_PACKET;
	struct vnet_pkt rd[BATCH], seg[MAX_SEGS];
	size_t hl = d->mode == MODE_PKT ? 0 : VNET_HDR_LEN;
	uint8_t *rmem = xmalloc(slot * BATCH), *smem = NULL;
	uint8_t *segp[MAX_SEGS];
	uint32_t lens[MAX_SEGS];
	unsigned idx[MAX_SEGS];
	int i, k, n, ns, w;

	for (i = 0; i < BATCH; i++) {
		rd[i].data = rmem + (size_t)i * slot + VNET_HDR_LEN;
		rd[i].cap = d->mode == MODE_PKT ? d->mtu : VNET_MAX_PACKET;
	}
	if (d->mode == MODE_SPLIT) {
		smem = xmalloc(slot * MAX_SEGS);
		for (i = 0; i < MAX_SEGS; i++) {
			segp[i] = smem + (size_t)i * slot;
			seg[i].data = segp[i] + VNET_HDR_LEN;
			seg[i].cap = VNET_MAX_PACKET;
		}
	}
	while (!atomic_load(&stop)) {
		if (d->batch) {
			struct pollfd p = { .fd = d->in->fd[0], .events = POLLIN };

			n = tun_read_batch(d->in, 0, rd, BATCH);
			if (n == 0)
				poll(&p, 1, 200);
			if (n <= 0)
				continue;
		} else {
			/* Blocking: one read, woken by the stop signal. */
			ssize_t r = read(d->in->fd[0], rd[0].data - hl,
					 rd[0].cap + hl);

			if (r < (ssize_t)hl)
				continue;
			rd[0].len = (uint32_t)(r - (ssize_t)hl);
			n = 1;
		}
		d->reads += (unsigned)n;
		for (i = 0; i < n; i++)
			d->bytes += rd[i].len;
		if (d->mode != MODE_SPLIT) {
			for (i = 0; i < n && d->mode == MODE_VNET; i++) {
				struct vnet_hdr h;

				vnet_hdr_get(&h, rd[i].data - VNET_HDR_LEN);
				d->gso_reads += h.gso_type != 0;
			}
			w = tun_write_batch(d->out, 0, rd, NULL, (unsigned)n);
			d->writes += w > 0 ? (unsigned)w : 0;
			d->drops += (unsigned)n - (w > 0 ? (unsigned)w : 0);
			d->segments += (unsigned)n;
			continue;
		}
		for (i = 0; i < n; i++) {
			struct vnet_hdr h;
			unsigned nw;

			vnet_hdr_get(&h, rd[i].data - VNET_HDR_LEN);
			d->gso_reads += h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
			ns = vnet_split(&h, rd[i].data, rd[i].len, segp, slot,
					VNET_HDR_LEN, lens, MAX_SEGS);
			if (ns < 0) {
				d->drops++;
				continue;
			}
			for (k = 0; k < ns; k++)
				seg[k].len = lens[k];
			d->segments += (unsigned)ns;
			nw = vnet_gro(seg, (unsigned)ns, idx);
			w = tun_write_gro(d->out, 0, seg, idx, nw);
			d->writes += w > 0 ? (unsigned)w : 0;
			d->drops += nw - (w > 0 ? (unsigned)w : 0);
		}
	}
	free(rmem);
	free(smem);
	return NULL;
}

static void join_woken(struct dir *d)
{
	struct timespec t;

	for (;;) {
		pthread_kill(d->th, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 50 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(d->th, NULL, &t) == 0)
			return;
	}
}

static int enter_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

static int parse_cidr(const char *s, int *family, unsigned char *a,
		      unsigned *plen)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	*plen = (unsigned)atoi(slash + 1);
	*family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, buf, a) == 1 ? 0 : -1;
}

/* Opens the TUN in the namespace at path with its addresses. */
static int open_side(struct tun *t, const char *path, enum mode mode,
		     unsigned mtu, char **addrs, int naddrs)
{
	struct tun_config cfg = { .name = "fwprelay", .mtu = mtu, .up = true,
				  .vnet = mode != MODE_PKT, .txqlen = 1000 };
	unsigned char a[16];
	unsigned plen;
	int ret, i, fam;

	ret = enter_ns(path);
	if (ret < 0) {
		fprintf(stderr, "tun_relay: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = tun_open(t, &cfg);
	if (ret < 0) {
		fprintf(stderr, "tun_relay: TUN in %s: %s\n", path,
			strerror(-ret));
		return ret;
	}
	for (i = 0; i < naddrs; i++) {
		if (parse_cidr(addrs[i], &fam, a, &plen) < 0) {
			fprintf(stderr, "tun_relay: bad address %s\n", addrs[i]);
			return -EINVAL;
		}
		ret = tun_add_address(t, fam, a, plen);
		if (ret < 0) {
			fprintf(stderr, "tun_relay: address %s: %s\n", addrs[i],
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tun_relay --ns-a PATH --ns-b PATH --mode pkt|vnet|split [--batch]\n"
		"                 [--mtu N] [--addr-a CIDR]... [--addr-b CIDR]...\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns-a", required_argument, NULL, 'a' },
		{ "ns-b", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "addr-a", required_argument, NULL, 'A' },
		{ "addr-b", required_argument, NULL, 'B' },
		{ "batch", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns_a = NULL, *ns_b = NULL;
	char *addrs_a[MAX_ADDRS], *addrs_b[MAX_ADDRS];
	int na = 0, nb = 0, c, batch = 0;
	enum mode mode = MODE_PKT;
	const char *mode_name = "pkt";
	unsigned mtu = 1400;
	struct tun ta, tb;
	struct dir ab = {0}, ba = {0};
	struct sigaction sa = { .sa_handler = on_wake };
	sigset_t stopsigs;
	struct rusage ru;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': ns_a = optarg; break;
		case 'b': ns_b = optarg; break;
		case 'u': mtu = (unsigned)atoi(optarg); break;
		case 'n': batch = 1; break;
		case 'A':
			if (na < MAX_ADDRS)
				addrs_a[na++] = optarg;
			break;
		case 'B':
			if (nb < MAX_ADDRS)
				addrs_b[nb++] = optarg;
			break;
		case 'm':
			mode_name = optarg;
			if (!strcmp(optarg, "pkt"))
				mode = MODE_PKT;
			else if (!strcmp(optarg, "vnet"))
				mode = MODE_VNET;
			else if (!strcmp(optarg, "split"))
				mode = MODE_SPLIT;
			else {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!ns_a || !ns_b || mtu < 576 || mtu > 65535) {
		usage();
		return 2;
	}
	/* SIGINT and SIGTERM reach only the main thread, through sigwait. */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stopsigs, NULL);
	if (open_side(&ta, ns_a, mode, mtu, addrs_a, na) < 0 ||
	    open_side(&tb, ns_b, mode, mtu, addrs_b, nb) < 0)
		return 1;

	if (!batch) {
		fcntl(ta.fd[0], F_SETFL, fcntl(ta.fd[0], F_GETFL) & ~O_NONBLOCK);
		fcntl(tb.fd[0], F_SETFL, fcntl(tb.fd[0], F_GETFL) & ~O_NONBLOCK);
	}
	ab = (struct dir){ .in = &ta, .out = &tb, .mode = mode, .mtu = mtu,
			   .batch = batch };
	ba = (struct dir){ .in = &tb, .out = &ta, .mode = mode, .mtu = mtu,
			   .batch = batch };
	if (pthread_create(&ab.th, NULL, dir_main, &ab) ||
	    pthread_create(&ba.th, NULL, dir_main, &ba)) {
		fprintf(stderr, "tun_relay: cannot start threads\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&stopsigs, &c);
	atomic_store(&stop, 1);
	/* Wake the readers blocked in read() until both are gone (a reader
	 * may be between its check and its read when the first one lands). */
	join_woken(&ab);
	join_woken(&ba);

	getrusage(RUSAGE_SELF, &ru);
	printf("{\"mode\":\"%s\",\"reads\":%llu,\"gso_reads\":%llu,"
	       "\"bytes\":%llu,\"packets\":%llu,\"writes\":%llu,"
	       "\"drops\":%llu,\"avg_read_bytes\":%.0f,\"cpu_s\":%.3f}\n",
	       mode_name, ab.reads + ba.reads, ab.gso_reads + ba.gso_reads,
	       ab.bytes + ba.bytes, ab.segments + ba.segments,
	       ab.writes + ba.writes, ab.drops + ba.drops,
	       ab.reads + ba.reads ?
	       (double)(ab.bytes + ba.bytes) / (double)(ab.reads + ba.reads) : 0,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	tun_close(&ta);
	tun_close(&tb);
	return 0;
}
