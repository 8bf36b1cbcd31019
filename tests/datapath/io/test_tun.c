/* test_tun.c - the TUN device in private network namespaces (root).
 *
 * Opening (single and multi-queue, with and without the virtio header),
 * MTU, link state and addresses; a packet written is answered by the
 * kernel and read back; and the whole offload path under real TCP and UDP
 * load: two namespaces joined only by a relay thread that reads the
 * kernel's super-packets from one TUN, splits them (vnet_split), checks
 * every segment's checksums independently, coalesces them again
 * (vnet_gro) and writes them to the other TUN. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "datapath/csum.h"
#include "datapath/tun.h"
#include "datapath/vnet.h"
#include "nstest.h"

static int home_ns;

static void parse_or_die(const char *s, void *a)
{
	unsigned plen;

	assert_true(nstest_parse(s, a, &plen) > 0);
}

static void add_addr(const struct tun *t, const char *s)
{
	unsigned char a[16];
	unsigned plen;
	int fam = nstest_parse(s, a, &plen);

	assert_true(fam > 0);
	assert_int_equal(tun_add_address(t, fam, a, plen), 0);
}

/* Waits until fd is readable; false on timeout. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* --- opening and configuring -------------------------------------------- */

static void test_open_plain(void **state)
{
	struct tun_config cfg = { .mtu = 1400, .up = true, .txqlen = 1000 };
	struct tun t;
	struct ifreq ifr = {0};
	char out[4096];
	int s;

	(void)state;
	assert_int_equal(tun_open(&t, &cfg), 0);
	assert_true(t.ifindex > 0);
	assert_int_equal(t.nqueues, 1);
	assert_false(t.vnet);
	assert_int_equal(t.offload, 0);
	assert_true(strncmp(t.name, "tun", 3) == 0);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t.name);
	assert_int_equal(ioctl(s, SIOCGIFMTU, &ifr), 0);
	assert_int_equal(ifr.ifr_mtu, 1400);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	assert_true(ifr.ifr_flags & IFF_UP);
	close(s);

	add_addr(&t, "192.0.2.1/24");
	add_addr(&t, "2001:db8:1::1/64");
	assert_int_equal(nstest_sh(out, sizeof(out), "ip -o addr show dev %s",
				   t.name), 0);
	assert_non_null(strstr(out, "inet 192.0.2.1/24"));
	assert_non_null(strstr(out, "inet6 2001:db8:1::1/64"));
	assert_int_equal(nstest_sh(out, sizeof(out), "ip -o link show dev %s",
				   t.name), 0);
	assert_non_null(strstr(out, "mtu 1400"));
	assert_non_null(strstr(out, "qlen 1000"));

	/* The fds are non-blocking: nothing to read yet (or an IPv6
	 * router solicitation) never blocks. */
	tun_close(&t);
	assert_int_equal(t.nqueues, 0);
	assert_int_not_equal(nstest_sh(out, sizeof(out),
				       "ip link show dev tun0 2>/dev/null"), 0);
}

static void test_open_named_multiqueue_vnet(void **state)
{
	struct tun_config cfg = { .name = "fwpq", .queues = 4, .vnet = true,
				  .mtu = 1500, .up = true };
	struct tun t;
	struct ifreq ifr;
	unsigned i;

	(void)state;
	assert_int_equal(tun_open(&t, &cfg), 0);
	assert_string_equal(t.name, "fwpq");
	assert_int_equal(t.nqueues, 4);
	assert_true(t.vnet);
	assert_true((t.offload & (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) ==
		    (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
	printf("# offloads accepted: 0x%x (USO %s)\n", t.offload,
	       t.offload & TUN_F_USO4 ? "yes" : "no");
	for (i = 0; i < 4; i++) {
		memset(&ifr, 0, sizeof(ifr));
		assert_int_equal(ioctl(t.fd[i], TUNGETIFF, &ifr), 0);
		assert_true(ifr.ifr_flags & IFF_MULTI_QUEUE);
		assert_true(ifr.ifr_flags & IFF_VNET_HDR);
		assert_true(ifr.ifr_flags & IFF_NO_PI);
	}
	tun_close(&t);
	/* Too many queues: refused, nothing left open. */
	cfg.queues = TUN_MAX_QUEUES + 1;
	assert_int_equal(tun_open(&t, &cfg), -EINVAL);
}

/* An ICMP echo request from 192.0.2.2 to the TUN's 192.0.2.1, written
 * into the TUN: the kernel answers through the TUN. */
static size_t echo_request(uint8_t *p, uint16_t id)
{
	size_t len = 20 + 8 + 32, i;
	uint16_t c;

	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	parse_or_die("192.0.2.2", p + 12);
	parse_or_die("192.0.2.1", p + 16);
	csum_ipv4_header(p);
	p[20] = 8;		/* echo request */
	p[24] = (uint8_t)(id >> 8);
	p[25] = (uint8_t)id;
	p[27] = 1;
	for (i = 28; i < len; i++)
		p[i] = (uint8_t)i;
	c = csum_finish(csum_partial(p + 20, len - 20, 0));
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
	return len;
}

static void ping_through(int vnet)
{
	struct tun_config cfg = { .mtu = 1400, .up = true, .vnet = vnet };
	static uint8_t mem[4][VNET_HDR_LEN + 2048];
	struct vnet_pkt pk[4];
	struct tun t;
	int i, n, found = 0, tries;

	for (i = 0; i < 4; i++) {
		pk[i].data = mem[i] + VNET_HDR_LEN;
		pk[i].cap = 2048;
	}
	assert_int_equal(tun_open(&t, &cfg), 0);
	add_addr(&t, "192.0.2.1/24");
	pk[0].len = (uint32_t)echo_request(pk[0].data, 0x4242);
	memset(pk[0].data - VNET_HDR_LEN, 0, VNET_HDR_LEN);
	assert_int_equal(tun_write_batch(&t, 0, pk, NULL, 1), 1);
	for (tries = 0; tries < 50 && !found; tries++) {
		if (!wait_readable(t.fd[0], 100))
			continue;
		n = tun_read_batch(&t, 0, pk, 4);
		assert_true(n >= 0);
		for (i = 0; i < n; i++) {
			const uint8_t *p = pk[i].data;

			if (pk[i].len < 28 || p[0] != 0x45 || p[9] != 1)
				continue;	/* e.g. IPv6 noise */
			assert_int_equal(p[20], 0);	/* echo reply */
			assert_int_equal(p[24] << 8 | p[25], 0x4242);
			assert_int_equal(csum_fold(csum_partial(p + 20,
					 pk[i].len - 20, 0)), 0xffff);
			found = 1;
		}
	}
	assert_true(found);
	/* Nothing more: a read returns 0 packets, not an error. */
	while ((n = tun_read_batch(&t, 0, pk, 4)) > 0)
		;
	assert_int_equal(n, 0);
	tun_close(&t);
}

static void test_ping_plain(void **state)
{
	(void)state;
	ping_through(0);
}

static void test_ping_vnet(void **state)
{
	(void)state;
	ping_through(1);
}

/* --- the offload path under load ---------------------------------------- */

#define RELAY_READ 8
#define RELAY_SEGS 64

struct relay {
	struct tun a, b;
	atomic_int stop;
	/* statistics, read after join */
	unsigned long reads, gso_reads, segments, bad_csum, coalesced_writes,
		writes, uso_reads;
	uint8_t *rmem, *smem;
};

/* Checks a segment's IPv4 header and TCP/UDP checksum with a naive sum. */
static int segment_ok(const uint8_t *p, size_t len)
{
	uint8_t ph[40] = {0};
	size_t l4, phlen, i;
	uint32_t s = 0;
	uint8_t proto;

	if ((p[0] >> 4) == 4) {
		l4 = (size_t)(p[0] & 15) * 4;
		for (i = 0; i < l4; i += 2)
			s += (uint32_t)(p[i] << 8 | p[i + 1]);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		if (s != 0xffff || (size_t)(p[2] << 8 | p[3]) != len)
			return 0;
		proto = p[9];
		memcpy(ph, p + 12, 8);
		ph[9] = proto;
		ph[10] = (uint8_t)((len - l4) >> 8);
		ph[11] = (uint8_t)(len - l4);
		phlen = 12;
	} else {
		l4 = 40;
		proto = p[6];
		memcpy(ph, p + 8, 32);
		ph[34] = (uint8_t)((len - l4) >> 8);
		ph[35] = (uint8_t)(len - l4);
		ph[39] = proto;
		phlen = 40;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 1;
	s = 0;
	for (i = 0; i < phlen; i += 2)
		s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	for (i = l4; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static void relay_one(struct relay *r, const struct tun *from,
		      const struct tun *to)
{
	struct vnet_pkt rd[RELAY_READ], seg[RELAY_SEGS];
	uint8_t *segp[RELAY_SEGS];
	uint32_t lens[RELAY_SEGS];
	unsigned idx[RELAY_SEGS];
	const size_t slot = VNET_HDR_LEN + VNET_MAX_PACKET;
	int n, i, k, ns;

	for (i = 0; i < RELAY_READ; i++) {
		rd[i].data = r->rmem + (size_t)i * slot + VNET_HDR_LEN;
		rd[i].cap = VNET_MAX_PACKET;
	}
	for (i = 0; i < RELAY_SEGS; i++) {
		segp[i] = r->smem + (size_t)i * slot;
		seg[i].data = segp[i] + VNET_HDR_LEN;
		seg[i].cap = VNET_MAX_PACKET;
	}
	n = tun_read_batch(from, 0, rd, RELAY_READ);
	for (i = 0; i < n; i++) {
		struct vnet_hdr h;
		unsigned nw;

		r->reads++;
		vnet_hdr_get(&h, rd[i].data - VNET_HDR_LEN);
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			r->gso_reads++;
		if ((h.gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_UDP_L4)
			r->uso_reads++;
		ns = vnet_split(&h, rd[i].data, rd[i].len, segp, slot,
				VNET_HDR_LEN, lens, RELAY_SEGS);
		if (ns < 0) {
			r->bad_csum++;
			continue;
		}
		for (k = 0; k < ns; k++) {
			seg[k].len = lens[k];
			r->segments++;
			if (!segment_ok(seg[k].data, seg[k].len))
				r->bad_csum++;
		}
		nw = vnet_gro(seg, (unsigned)ns, idx);
		for (k = 0; k < (int)nw; k++)
			if (seg[idx[k]].len > lens[idx[k]])
				r->coalesced_writes++;
		r->writes += nw;
		tun_write_gro(to, 0, seg, idx, nw);
	}
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;

	while (!atomic_load(&r->stop)) {
		struct pollfd p[2] = {
			{ .fd = r->a.fd[0], .events = POLLIN },
			{ .fd = r->b.fd[0], .events = POLLIN },
		};

		if (poll(p, 2, 50) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			relay_one(r, &r->a, &r->b);
		if (p[1].revents & POLLIN)
			relay_one(r, &r->b, &r->a);
	}
	return NULL;
}

/* Namespace A (the test's) and B, each with a vnet TUN, joined by the
 * relay: A 192.0.2.1/24 2001:db8:2::1/64, B .2 and ::2. */
static struct relay *relay_start(int ns_b, pthread_t *th)
{
	struct tun_config cfg = { .vnet = true, .mtu = 1400, .up = true };
	struct relay *r = calloc(1, sizeof(*r));
	size_t slot = VNET_HDR_LEN + VNET_MAX_PACKET;

	assert_non_null(r);
	r->rmem = malloc(slot * RELAY_READ);
	r->smem = malloc(slot * RELAY_SEGS);
	assert_non_null(r->rmem);
	assert_non_null(r->smem);
	assert_int_equal(tun_open(&r->a, &cfg), 0);
	add_addr(&r->a, "192.0.2.1/24");
	add_addr(&r->a, "2001:db8:2::1/64");
	nstest_enter(ns_b);
	assert_int_equal(tun_open(&r->b, &cfg), 0);
	add_addr(&r->b, "192.0.2.2/24");
	add_addr(&r->b, "2001:db8:2::2/64");
	nstest_enter(home_ns);
	assert_int_equal(pthread_create(th, NULL, relay_main, r), 0);
	return r;
}

/* Stops the relay thread; its statistics may be read afterwards. */
static void relay_join(struct relay *r, pthread_t th)
{
	atomic_store(&r->stop, 1);
	pthread_join(th, NULL);
	printf("# relay: %lu reads (%lu GSO, %lu USO), %lu segments, "
	       "%lu writes (%lu coalesced), %lu bad\n", r->reads,
	       r->gso_reads, r->uso_reads, r->segments, r->writes,
	       r->coalesced_writes, r->bad_csum);
}

static void relay_free(struct relay *r)
{
	tun_close(&r->a);
	tun_close(&r->b);
	free(r->rmem);
	free(r->smem);
	free(r);
}

struct sink {
	int fd;
	size_t want, got;
	int bad;
};

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	static uint8_t buf[1 << 16];
	int c = accept(s->fd, NULL, NULL);

	if (c < 0) {
		s->bad = 1;
		return NULL;
	}
	while (s->got < s->want) {
		ssize_t n = recv(c, buf, sizeof(buf), 0);
		ssize_t i;

		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(s->got + (size_t)i))
				s->bad = 1;
		s->got += (size_t)n;
	}
	close(c);
	return NULL;
}

static void tcp_transfer(int ns_b, int family, const char *dst)
{
	const size_t total = 48u << 20;
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} a = {0};
	socklen_t alen;
	struct sink s = { .want = total };
	static uint8_t buf[1 << 16];
	pthread_t th_relay, th_sink;
	struct relay *r;
	size_t sent = 0, i;
	struct timeval tv = { .tv_sec = 20 };
	int c, one = 1;

	r = relay_start(ns_b, &th_relay);
	if (family == AF_INET6) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(5201);
		parse_or_die(dst, &a.in6.sin6_addr);
		alen = sizeof(a.in6);
	} else {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(5201);
		parse_or_die(dst, &a.in4.sin_addr);
		alen = sizeof(a.in4);
	}
	/* The server in B, the client in A. */
	nstest_enter(ns_b);
	s.fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s.fd >= 0);
	setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s.fd, &a.sa, alen), 0);
	assert_int_equal(listen(s.fd, 1), 0);
	nstest_enter(home_ns);
	assert_int_equal(pthread_create(&th_sink, NULL, sink_main, &s), 0);

	c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(c, &a.sa, alen), 0);
	while (sent < total) {
		size_t n = total - sent < sizeof(buf) ? total - sent :
							sizeof(buf);
		ssize_t w;

		for (i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		w = send(c, buf, n, 0);
		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	shutdown(c, SHUT_WR);
	pthread_join(th_sink, NULL);
	close(c);
	close(s.fd);
	relay_join(r, th_relay);
	assert_int_equal(sent, total);
	assert_int_equal(s.got, total);
	assert_false(s.bad);
	/* The kernel did hand us super-packets, we cut them right (or the
	 * receiving TCP would have dropped them and the transfer stalled),
	 * and we gave it coalesced ones back. */
	assert_true(r->gso_reads > 0);
	assert_true(r->coalesced_writes > 0);
	assert_int_equal(r->bad_csum, 0);
	relay_free(r);
}

static void test_tcp4_through_offload_relay(void **state)
{
	int ns_b = nstest_new_ns();

	(void)state;
	tcp_transfer(ns_b, AF_INET, "192.0.2.2");
	close(ns_b);
}

static void test_tcp6_through_offload_relay(void **state)
{
	int ns_b = nstest_new_ns();

	(void)state;
	tcp_transfer(ns_b, AF_INET6, "2001:db8:2::2");
	close(ns_b);
}

/* UDP GSO from a socket in A becomes one USO super-packet on A's TUN (when
 * the kernel has USO), which the relay splits into datagrams for B. */
static void test_udp_gso_through_offload_relay(void **state)
{
	int ns_b = nstest_new_ns(), tx, rx, i, got = 0;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(9000) };
	static uint8_t buf[1200 * 20], in[2000];
	pthread_t th;
	struct relay *r;
	char cbuf[CMSG_SPACE(sizeof(uint16_t))] = {0};
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof(a),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	uint16_t seg = 1200;
	int uso;

	(void)state;
	r = relay_start(ns_b, &th);
	uso = (r->a.offload & TUN_F_USO4) != 0;
	parse_or_die("192.0.2.2", &a.sin_addr);
	nstest_enter(ns_b);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof(a)), 0);
	nstest_enter(home_ns);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)(i / 1200 + 1);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	assert_int_equal(sendmsg(tx, &mh, 0), (ssize_t)sizeof(buf));
	while (got < 20 && wait_readable(rx, 2000)) {
		ssize_t n = recv(rx, in, sizeof(in), 0);

		assert_int_equal(n, 1200);
		assert_int_equal(in[0], got + 1);
		assert_int_equal(in[1199], got + 1);
		got++;
	}
	assert_int_equal(got, 20);
	close(tx);
	close(rx);
	relay_join(r, th);
	if (uso)
		assert_true(r->uso_reads > 0);
	else
		printf("# no USO on this kernel: the kernel cut the datagrams\n");
	assert_int_equal(r->bad_csum, 0);
	relay_free(r);
	close(ns_b);
}

/* A failed assertion may leave the thread in namespace B. */
static int at_home(void **state)
{
	(void)state;
	nstest_enter(home_ns);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_plain),
		cmocka_unit_test(test_open_named_multiqueue_vnet),
		cmocka_unit_test(test_ping_plain),
		cmocka_unit_test(test_ping_vnet),
		cmocka_unit_test_setup(test_tcp4_through_offload_relay, at_home),
		cmocka_unit_test_setup(test_tcp6_through_offload_relay, at_home),
		cmocka_unit_test_setup(test_udp_gso_through_offload_relay,
				       at_home),
	};

	home_ns = nstest_enter_private("datapath.io.tun", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
