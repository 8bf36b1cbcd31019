/* test_udp_io.c - the outer sockets in a private namespace (root).
 *
 * Over loopback: the encapsulation port with its mark, exclusive binding,
 * UDP GSO trains sent in one message and received as one GRO message with
 * the segment size, packet info both ways, batching, refused messages
 * counted without stalling a batch; raw ESP over IPv4 and IPv6; the
 * classification of what arrives on port 4500. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "datapath/udp_io.h"
#include "nstest.h"

#define MARK 0x4650

static struct udp_io u;

static int open_all(void **state)
{
	struct udp_io_config c;

	(void)state;
	udp_io_config_default(&c);
	c.raw_esp = true;
	c.fwmark = MARK;
	c.rcvbuf = 4 << 20;
	c.sndbuf = 4 << 20;
	return udp_io_open(&u, &c);
}

static int close_all(void **state)
{
	(void)state;
	udp_io_close(&u);
	return 0;
}

static void to(union udp_io_addr *a, const char *addr, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (strchr(addr, ':')) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, addr, &a->in6.sin6_addr), 1);
	} else {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, addr, &a->in4.sin_addr), 1);
	}
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static void test_sockets(void **state)
{
	struct udp_io_config c;
	struct udp_io v;
	int i, mark;
	socklen_t l;

	(void)state;
	for (i = 0; i < UDP_IO_NSOCK; i++) {
		assert_true(u.fd[i] >= 0);
		mark = 0;
		l = sizeof(mark);
		assert_int_equal(getsockopt(u.fd[i], SOL_SOCKET, SO_MARK, &mark,
					    &l), 0);
		assert_int_equal(mark, MARK);
	}
	assert_true(u.gro);
	assert_true(u.gso);

	/* Port 4500 has one owner: a second one fails loudly. */
	udp_io_config_default(&c);
	assert_int_equal(udp_io_open(&v, &c), -EADDRINUSE);
	for (i = 0; i < UDP_IO_NSOCK; i++)
		assert_int_equal(v.fd[i], -1);
	/* Only what is asked for. */
	c.port = 4501;
	c.ipv6 = false;
	assert_int_equal(udp_io_open(&v, &c), 0);
	assert_true(v.fd[UDP_IO_UDP4] >= 0);
	assert_int_equal(v.fd[UDP_IO_UDP6], -1);
	assert_int_equal(v.fd[UDP_IO_RAW4], -1);
	assert_int_equal(udp_io_recv(&v, UDP_IO_RAW4, NULL, 0), -EBADF);
	udp_io_close(&v);
	c.port = 0;
	assert_int_equal(udp_io_open(&v, &c), -EINVAL);
}

/* A GSO train of nseg datagrams (the last short) to ourselves arrives as
 * GRO messages with the segment size and the right local address; with
 * pieces, the train goes as an iovec list whose pieces do not follow the
 * datagram boundaries (the kernel cuts the concatenation). */
static void gso_gro_sent(enum udp_io_sock s, const char *dst, const char *src, bool pieces)
{
	enum { SEG = 1400, NSEG = 20, LAST = 333 };
	static uint8_t tx[SEG * (NSEG - 1) + LAST], rx[65536];
	struct udp_io_msg m = {0}, r[1];
	size_t total = 0, i;
	int n, segs = 0, trains = 0;
	char text[64];

	for (i = 0; i < sizeof(tx); i++)
		tx[i] = (uint8_t)(i / SEG + 1);		/* never 0: ESP */
	m.buf = tx;
	m.len = sizeof(tx);
	m.segsz = SEG;
	if (pieces) {
		static struct iovec v[3 * NSEG];
		size_t at = 0, k = 0;

		m.buf = NULL;
		for (; at < sizeof(tx); k++) {
			size_t len = 1 + (k * 977) % 2100;

			if (len > sizeof(tx) - at)
				len = sizeof(tx) - at;
			v[k] = (struct iovec){ tx + at, len };
			at += len;
		}
		m.iov = v;
		m.iovcnt = (unsigned)k;
	}
	to(&m.peer, dst, UDP_IO_DEFAULT_PORT);
	if (src)
		inet_pton(s == UDP_IO_UDP6 ? AF_INET6 : AF_INET, src, &m.local);
	assert_int_equal(udp_io_send(&u, s, &m, 1, NULL), 1);

	/* One buffer large enough for a whole train. */
	memset(r, 0, sizeof(r));
	r[0].buf = rx;
	r[0].cap = sizeof(rx);
	while (total < sizeof(tx) && readable(u.fd[s], 1000)) {
		n = udp_io_recv(&u, s, r, 1);
		assert_int_equal(n, 1);
		assert_int_equal(r[0].off, 0);
		if (r[0].segsz) {
			assert_int_equal(r[0].segsz, SEG);
			segs += (int)((r[0].len + SEG - 1) / SEG);
			trains++;
		} else {
			segs++;
		}
		assert_memory_equal(r[0].buf, tx + total, r[0].len);
		total += r[0].len;
		if (s == UDP_IO_UDP6) {
			inet_ntop(AF_INET6, &r[0].local.v6, text, sizeof(text));
			assert_string_equal(text, dst);
			inet_ntop(AF_INET6, &r[0].peer.in6.sin6_addr, text,
				  sizeof(text));
			assert_string_equal(text, src ? src : dst);
			assert_int_equal(ntohs(r[0].peer.in6.sin6_port), 4500);
		} else {
			inet_ntop(AF_INET, &r[0].local.v4, text, sizeof(text));
			assert_string_equal(text, dst);
			inet_ntop(AF_INET, &r[0].peer.in4.sin_addr, text,
				  sizeof(text));
			assert_string_equal(text, src ? src : dst);
		}
		assert_true(r[0].ifindex > 0);
	}
	assert_int_equal(total, sizeof(tx));
	assert_int_equal(segs, NSEG);
	/* Loopback keeps the train whole: GRO delivered it in one piece. */
	assert_int_equal(trains, 1);
}

static void gso_gro(enum udp_io_sock s, const char *dst, const char *src)
{
	gso_gro_sent(s, dst, src, false);
	gso_gro_sent(s, dst, src, true);
}

static void test_gso_gro_v4(void **state)
{
	(void)state;
	gso_gro(UDP_IO_UDP4, "127.0.0.1", NULL);
	/* From a chosen source address (IP_PKTINFO on send). */
	gso_gro(UDP_IO_UDP4, "127.0.0.1", "127.0.0.2");
}

static void test_gso_gro_v6(void **state)
{
	(void)state;
	gso_gro(UDP_IO_UDP6, "::1", NULL);
}

/* A batch of 40 single datagrams, one of them unroutable: it is dropped
 * and counted, the 39 others arrive, in recvmmsg batches. */
static void test_batches_and_drops(void **state)
{
	static uint8_t tx[40][200], rx[UDP_IO_BATCH][256];
	struct udp_io_msg m[40], r[UDP_IO_BATCH];
	unsigned dropped = 0;
	int i, n, got = 0, calls = 0;

	(void)state;
	memset(m, 0, sizeof(m));
	for (i = 0; i < 40; i++) {
		memset(tx[i], i + 1, sizeof(tx[i]));
		m[i].buf = tx[i];
		m[i].len = sizeof(tx[i]);
		to(&m[i].peer, i == 17 ? "203.0.113.1" : "127.0.0.1", 4500);
	}
	assert_int_equal(udp_io_send(&u, UDP_IO_UDP4, m, 40, &dropped), 40);
	assert_int_equal(dropped, 1);

	memset(r, 0, sizeof(r));
	for (i = 0; i < UDP_IO_BATCH; i++) {
		r[i].buf = rx[i];
		r[i].cap = sizeof(rx[i]);
	}
	while (got < 39 && readable(u.fd[UDP_IO_UDP4], 1000)) {
		n = udp_io_recv(&u, UDP_IO_UDP4, r, UDP_IO_BATCH);
		assert_true(n > 0);
		calls++;
		for (i = 0; i < n; i++) {
			int want = got + 1 + (got >= 17);

			assert_int_equal(r[i].len, 200);
			assert_int_equal(r[i].segsz, 0);	/* single */
			assert_int_equal(r[i].buf[0], want);
			got++;
		}
	}
	assert_int_equal(got, 39);
	assert_true(calls < 39);
	/* Nothing more waiting: 0, not an error. */
	assert_int_equal(udp_io_recv(&u, UDP_IO_UDP4, r, UDP_IO_BATCH), 0);
}

static void raw_esp(enum udp_io_sock s, const char *addr)
{
	static const uint8_t esp[] = {
		0x00, 0x00, 0x10, 0x01,	/* SPI 0x1001 */
		0x00, 0x00, 0x00, 0x07,	/* sequence 7 */
		0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8,
	};
	uint8_t rx[256];
	struct udp_io_msg m = {0}, r = {0};
	int found = 0;

	m.buf = (uint8_t *)esp;
	m.len = sizeof(esp);
	to(&m.peer, addr, 0);
	assert_int_equal(udp_io_send(&u, s, &m, 1, NULL), 1);
	r.buf = rx;
	r.cap = sizeof(rx);
	while (!found && readable(u.fd[s], 1000)) {
		assert_int_equal(udp_io_recv(&u, s, &r, 1), 1);
		if (r.len - r.off == sizeof(esp) &&
		    memcmp(r.buf + r.off, esp, sizeof(esp)) == 0)
			found = 1;
	}
	assert_true(found);
	if (s == UDP_IO_RAW4) {
		assert_int_equal(r.off, 20);
		assert_int_equal(r.buf[9], IPPROTO_ESP);
		assert_int_equal(r.local.v4.s_addr, htonl(INADDR_LOOPBACK));
	} else {
		assert_int_equal(r.off, 0);
		assert_true(IN6_IS_ADDR_LOOPBACK(&r.local.v6));
	}
}

static void test_raw_esp(void **state)
{
	(void)state;
	raw_esp(UDP_IO_RAW4, "127.0.0.1");
	raw_esp(UDP_IO_RAW6, "::1");
}

static void test_classify(void **state)
{
	static const uint8_t ka[] = { 0xff };
	static const uint8_t ike[] = { 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44 };
	static const uint8_t esp[] = { 0, 0, 0x10, 0x01, 0, 0, 0, 1, 9 };
	static const uint8_t runt[] = { 0, 0, 0x10 };

	(void)state;
	assert_int_equal(udp_io_classify(ka, 1), UDP_IO_KEEPALIVE);
	assert_int_equal(udp_io_classify(ike, sizeof(ike)), UDP_IO_IKE);
	assert_int_equal(udp_io_classify(ike, 4), UDP_IO_IKE);
	assert_int_equal(udp_io_classify(esp, sizeof(esp)), UDP_IO_ESP);
	assert_int_equal(udp_io_classify(esp, 8), UDP_IO_ESP);
	assert_int_equal(udp_io_classify(esp, 7), UDP_IO_INVALID);
	assert_int_equal(udp_io_classify(runt, sizeof(runt)), UDP_IO_INVALID);
	assert_int_equal(udp_io_classify(ka, 0), UDP_IO_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_gso_gro_v4),
		cmocka_unit_test(test_gso_gro_v6),
		cmocka_unit_test(test_batches_and_drops),
		cmocka_unit_test(test_raw_esp),
		cmocka_unit_test(test_classify),
	};

	nstest_enter_private("datapath.io.udp", 0);
	return cmocka_run_group_tests(tests, open_all, close_all);
}
