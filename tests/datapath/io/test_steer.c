/* test_steer.c - policy routing into the TUN, in private namespaces (root).
 *
 * Topology (namespace A is the test's own):
 *
 *   A: tun (192.0.2.1)        veth a 198.51.100.1/24 ---- veth b 198.51.100.2/24 :B
 *      main: 203.0.113.0/24 via 198.51.100.2               lo: 203.0.113.5,
 *            2001:db8:ff::/48 via 2001:db8:100::2              2001:db8:ff::5
 *
 * Protected: 203.0.113.0/24 and 2001:db8:ff::/48 (table T -> tun). An
 * unmarked packet to 203.0.113.5 must be read from the TUN and not reach B;
 * one from a socket with the fwmark (also udp_io's sockets) must reach B
 * and not the TUN. The rules and routes are checked with `ip`, an
 * independent reader, as they appear and disappear. */
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

#include "datapath/steer.h"
#include "datapath/tun.h"
#include "datapath/udp_io.h"
#include "nstest.h"

static int home_ns, ns_b;
static struct tun tun;
static char out[16384];

#define PORT 9999

static int setup(void **state)
{
	struct tun_config cfg = { .mtu = 1400, .up = true };
	unsigned char a[16];
	unsigned plen;
	int fam;

	(void)state;
	ns_b = nstest_new_ns();
	if (nstest_veth("fwpa", "198.51.100.1/24", "2001:db8:100::1/64", ns_b,
			"fwpb", "198.51.100.2/24", "2001:db8:100::2/64") < 0)
		return -1;
	if (tun_open(&tun, &cfg) < 0)
		return -1;
	fam = nstest_parse("192.0.2.1/32", a, &plen);
	if (tun_add_address(&tun, fam, a, plen) < 0)
		return -1;
	if (nstest_sh(out, sizeof(out),
		      "ip route add 203.0.113.0/24 via 198.51.100.2 && "
		      "ip -6 route add 2001:db8:ff::/48 via 2001:db8:100::2") != 0)
		return -1;
	nstest_enter(ns_b);
	fam = nstest_sh(out, sizeof(out),
			"ip addr add 203.0.113.5/32 dev lo && "
			"ip addr add 2001:db8:ff::5/128 dev lo && "
			"ip route add 192.0.2.0/24 via 198.51.100.1");
	nstest_enter(home_ns);
	return fam == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tun_close(&tun);
	close(ns_b);
	return 0;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* `ip rule` lines for a family with our priorities and table. */
static void rules(int v6, int *fwmark_rule, int *suppress_rule)
{
	assert_int_equal(nstest_sh(out, sizeof(out), "ip %s rule show",
				   v6 ? "-6" : "-4"), 0);
	*fwmark_rule = count(out, "17999:\tnot from all fwmark 0x4650 "
				  "lookup 18000");
	*suppress_rule = count(out, "17998:\tfrom all lookup main "
				    "suppress_prefixlength 0");
}

static int routes_in_table(int v6)
{
	int lines = 0;
	char *p;

	assert_int_equal(nstest_sh(out, sizeof(out),
				   "ip %s route show table 18000",
				   v6 ? "-6" : "-4"), 0);
	for (p = out; *p; p++)
		lines += *p == '\n';
	return lines;
}

/* A UDP socket bound in B to receive what crosses the veth. */
static int sink_in_b(int family)
{
	union udp_io_addr a = {0};
	int fd;

	nstest_enter(ns_b);
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (family == AF_INET6) {
		int one = 1;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(PORT);
	} else {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons(PORT);
	}
	assert_int_equal(bind(fd, &a.sa, family == AF_INET6 ?
			      sizeof(a.in6) : sizeof(a.in4)), 0);
	nstest_enter(home_ns);
	return fd;
}

static void dest(union udp_io_addr *a, const char *addr)
{
	memset(a, 0, sizeof(*a));
	if (strchr(addr, ':')) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(PORT);
		assert_int_equal(inet_pton(AF_INET6, addr, &a->in6.sin6_addr), 1);
	} else {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(PORT);
		assert_int_equal(inet_pton(AF_INET, addr, &a->in4.sin_addr), 1);
	}
}

/* Sends one datagram carrying tag to addr, with mark (0: none); returns
 * 0 or -errno. */
static int send_tagged(const char *addr, uint32_t mark, uint32_t tag)
{
	union udp_io_addr a;
	int fd, ret = 0;

	dest(&a, addr);
	fd = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (mark)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark,
					    sizeof(mark)), 0);
	if (sendto(fd, &tag, sizeof(tag), 0, &a.sa,
		   a.sa.sa_family == AF_INET6 ? sizeof(a.in6) :
						sizeof(a.in4)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Whether a UDP datagram carrying tag shows up on the TUN within ms. */
static int seen_on_tun(uint32_t tag, int ms)
{
	static uint8_t mem[8][2048];
	struct vnet_pkt pk[8];
	int i, n, waited;

	for (i = 0; i < 8; i++) {
		pk[i].data = mem[i];
		pk[i].cap = sizeof(mem[i]);
	}
	for (waited = 0; waited <= ms; waited += 20) {
		n = tun_read_batch(&tun, 0, pk, 8);
		assert_true(n >= 0);
		for (i = 0; i < n; i++) {
			const uint8_t *p = pk[i].data;
			size_t l4 = (p[0] >> 4) == 6 ? 40 : 20;
			uint8_t proto = (p[0] >> 4) == 6 ? p[6] : p[9];

			if (pk[i].len == l4 + 8 + 4 && proto == IPPROTO_UDP &&
			    memcmp(p + l4 + 8, &tag, 4) == 0)
				return 1;
		}
		if (n == 0)
			poll(NULL, 0, 20);
	}
	return 0;
}

static int seen_in_b(int fd, uint32_t tag, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t got;

	while (poll(&p, 1, ms) == 1) {
		if (recv(fd, &got, sizeof(got), 0) == sizeof(got) && got == tag)
			return 1;
	}
	return 0;
}

static void add_prefix(struct steer *s, const char *text)
{
	unsigned char a[16];
	unsigned plen;
	int fam = nstest_parse(text, a, &plen);

	assert_true(fam > 0);
	assert_int_equal(steer_add_prefix(s, tun.ifindex, fam, a, plen, NULL),
			 0);
}

static void del_prefix(struct steer *s, const char *text)
{
	unsigned char a[16];
	unsigned plen;
	int fam = nstest_parse(text, a, &plen);

	assert_true(fam > 0);
	assert_int_equal(steer_del_prefix(s, tun.ifindex, fam, a, plen), 0);
}

static void test_rules_and_routes_come_and_go(void **state)
{
	struct steer_config cfg;
	struct steer s;
	int fw, sup;

	(void)state;
	steer_config_default(&cfg);
	assert_int_equal(steer_open(&s, &cfg), 0);
	assert_int_equal(steer_install(&s), 0);
	assert_int_equal(steer_install(&s), 0);		/* idempotent */
	rules(0, &fw, &sup);
	assert_int_equal(fw, 1);
	assert_int_equal(sup, 0);
	rules(1, &fw, &sup);
	assert_int_equal(fw, 1);

	add_prefix(&s, "203.0.113.0/24");
	add_prefix(&s, "2001:db8:ff::/48");
	assert_int_equal(routes_in_table(0), 1);
	assert_non_null(strstr(out, "203.0.113.0/24 dev tun"));
	assert_non_null(strstr(out, "proto static scope link"));
	assert_int_equal(routes_in_table(1), 1);
	assert_non_null(strstr(out, "2001:db8:ff::/48 dev tun"));
	/* Host bits are cleared; a second add of the same prefix is -EEXIST. */
	{
		unsigned char a[4] = { 203, 0, 113, 77 };

		assert_int_equal(steer_add_prefix(&s, tun.ifindex, AF_INET, a,
						  24, NULL), -EEXIST);
		assert_int_equal(steer_del_prefix(&s, tun.ifindex, AF_INET, a,
						  25), -ENOENT);
	}

	/* A protected default route brings the suppress rule, per family. */
	add_prefix(&s, "0.0.0.0/0");
	rules(0, &fw, &sup);
	assert_int_equal(sup, 1);
	rules(1, &fw, &sup);
	assert_int_equal(sup, 0);
	assert_int_equal(routes_in_table(0), 2);
	del_prefix(&s, "0.0.0.0/0");
	rules(0, &fw, &sup);
	assert_int_equal(sup, 0);
	assert_int_equal(fw, 1);

	del_prefix(&s, "2001:db8:ff::/48");
	assert_int_equal(routes_in_table(1), 0);
	assert_int_equal(routes_in_table(0), 1);

	steer_close(&s);
	rules(0, &fw, &sup);
	assert_int_equal(fw + sup, 0);
	rules(1, &fw, &sup);
	assert_int_equal(fw + sup, 0);
	assert_int_equal(routes_in_table(0), 0);
	assert_int_equal(routes_in_table(1), 0);
}

static void test_unmarked_into_tun_marked_past_it(void **state)
{
	struct steer_config cfg;
	struct steer s;
	int b4 = sink_in_b(AF_INET), b6 = sink_in_b(AF_INET6);

	(void)state;
	/* Before steering: the main table sends both to B. */
	assert_int_equal(send_tagged("203.0.113.5", 0, 0x1001), 0);
	assert_true(seen_in_b(b4, 0x1001, 1000));

	steer_config_default(&cfg);
	assert_int_equal(steer_open(&s, &cfg), 0);
	assert_int_equal(steer_install(&s), 0);
	add_prefix(&s, "203.0.113.0/24");
	add_prefix(&s, "2001:db8:ff::/48");

	assert_int_equal(send_tagged("203.0.113.5", 0, 0x2002), 0);
	assert_true(seen_on_tun(0x2002, 1000));
	assert_false(seen_in_b(b4, 0x2002, 200));

	assert_int_equal(send_tagged("203.0.113.5", cfg.fwmark, 0x3003), 0);
	assert_true(seen_in_b(b4, 0x3003, 1000));
	assert_false(seen_on_tun(0x3003, 200));

	assert_int_equal(send_tagged("2001:db8:ff::5", 0, 0x4004), 0);
	assert_true(seen_on_tun(0x4004, 1000));
	assert_false(seen_in_b(b6, 0x4004, 200));

	assert_int_equal(send_tagged("2001:db8:ff::5", cfg.fwmark, 0x5005), 0);
	assert_true(seen_in_b(b6, 0x5005, 1000));
	assert_false(seen_on_tun(0x5005, 200));

	/* Only the marked bits count: another mark is still steered. */
	assert_int_equal(send_tagged("203.0.113.5", 0x1, 0x6006), 0);
	assert_true(seen_on_tun(0x6006, 1000));

	/* fwpd's own sockets: udp_io with the mark goes past the TUN. */
	{
		struct udp_io_config uc;
		struct udp_io u;
		struct udp_io_msg m = {0};
		uint32_t tag = 0x7007;

		udp_io_config_default(&uc);
		uc.port = 14500;
		uc.fwmark = cfg.fwmark;
		assert_int_equal(udp_io_open(&u, &uc), 0);
		m.buf = (uint8_t *)&tag;
		m.len = sizeof(tag);
		dest(&m.peer, "203.0.113.5");
		assert_int_equal(udp_io_send(&u, UDP_IO_UDP4, &m, 1, NULL), 1);
		assert_true(seen_in_b(b4, 0x7007, 1000));
		assert_false(seen_on_tun(0x7007, 200));
		tag = 0x8008;
		dest(&m.peer, "2001:db8:ff::5");
		assert_int_equal(udp_io_send(&u, UDP_IO_UDP6, &m, 1, NULL), 1);
		assert_true(seen_in_b(b6, 0x8008, 1000));
		udp_io_close(&u);
	}

	/* A protected default route: what only a default would catch goes
	 * into the TUN; routes of main more specific than a default (the
	 * veth's own network) keep winning (suppress_prefixlength 0). */
	add_prefix(&s, "0.0.0.0/0");
	assert_int_equal(send_tagged("100.64.0.1", 0, 0x9009), 0);
	assert_true(seen_on_tun(0x9009, 1000));
	assert_int_equal(send_tagged("100.64.0.1", cfg.fwmark, 0x900a),
			 -ENETUNREACH);
	assert_int_equal(send_tagged("198.51.100.2", 0, 0x900b), 0);
	assert_true(seen_in_b(b4, 0x900b, 1000));
	assert_false(seen_on_tun(0x900b, 200));

	steer_close(&s);
	/* Unsteered again. */
	assert_int_equal(send_tagged("203.0.113.5", 0, 0xa00a), 0);
	assert_true(seen_in_b(b4, 0xa00a, 1000));
	close(b4);
	close(b6);
}

static void test_cleanup_after_crash(void **state)
{
	struct steer_config cfg;
	struct steer s;
	int fw, sup;

	(void)state;
	steer_config_default(&cfg);
	/* Someone else's rules, at other priorities or for another table,
	 * must survive. */
	assert_int_equal(nstest_sh(out, sizeof(out),
				   "ip rule add pref 100 lookup 100 && "
				   "ip rule add pref 17999 lookup 101 && "
				   "ip route add 10.9.0.0/16 dev fwpa table 101"),
			 0);

	assert_int_equal(steer_open(&s, &cfg), 0);
	assert_int_equal(steer_install(&s), 0);
	add_prefix(&s, "203.0.113.0/24");
	add_prefix(&s, "0.0.0.0/0");
	add_prefix(&s, "::/0");
	/* The process "dies": its socket goes, the kernel state stays. */
	rtnl_close(&s.rtnl);
	free(s.routes);
	rules(0, &fw, &sup);
	assert_int_equal(fw + sup, 2);

	/* The next run: 4 rules (fwmark and suppress, both families) and 3
	 * routes. */
	assert_int_equal(steer_cleanup(&cfg), 7);
	rules(0, &fw, &sup);
	assert_int_equal(fw + sup, 0);
	rules(1, &fw, &sup);
	assert_int_equal(fw + sup, 0);
	assert_int_equal(routes_in_table(0), 0);
	assert_int_equal(routes_in_table(1), 0);
	assert_int_equal(nstest_sh(out, sizeof(out), "ip rule show"), 0);
	assert_non_null(strstr(out, "100:\tfrom all lookup 100"));
	assert_non_null(strstr(out, "17999:\tfrom all lookup 101"));
	assert_int_equal(nstest_sh(out, sizeof(out),
				   "ip route show table 101"), 0);
	assert_non_null(strstr(out, "10.9.0.0/16"));
	/* Nothing left: a second cleanup removes nothing. */
	assert_int_equal(steer_cleanup(&cfg), 0);
	assert_int_equal(nstest_sh(out, sizeof(out),
				   "ip rule del pref 100 && "
				   "ip rule del pref 17999"), 0);
}

static void test_config_checks(void **state)
{
	struct steer_config cfg;
	struct steer s;

	(void)state;
	steer_config_default(&cfg);
	cfg.table = 254;	/* main */
	assert_int_equal(steer_open(&s, &cfg), -EINVAL);
	steer_config_default(&cfg);
	cfg.fwmark = 0;
	assert_int_equal(steer_open(&s, &cfg), -EINVAL);
	steer_config_default(&cfg);
	cfg.fwmask = 0xff;	/* mark outside the mask */
	assert_int_equal(steer_open(&s, &cfg), -EINVAL);
	assert_int_equal(steer_cleanup(&cfg), -EINVAL);

	/* Another table, mark and priority work the same way. */
	steer_config_default(&cfg);
	cfg.table = 200;
	cfg.fwmark = 0x10000;
	cfg.fwmask = 0xf0000;
	cfg.priority = 300;
	assert_int_equal(steer_open(&s, &cfg), 0);
	assert_int_equal(steer_install(&s), 0);
	add_prefix(&s, "203.0.113.0/24");
	assert_int_equal(nstest_sh(out, sizeof(out), "ip rule show"), 0);
	assert_non_null(strstr(out, "301:\tnot from all fwmark 0x10000/0xf0000 "
				    "lookup 200"));
	assert_int_equal(nstest_sh(out, sizeof(out),
				   "ip route show table 200"), 0);
	assert_non_null(strstr(out, "203.0.113.0/24 dev tun"));
	steer_close(&s);
	assert_int_equal(nstest_sh(out, sizeof(out), "ip rule show"), 0);
	assert_null(strstr(out, "lookup 200"));
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
		cmocka_unit_test_setup(test_rules_and_routes_come_and_go,
				       at_home),
		cmocka_unit_test_setup(test_unmarked_into_tun_marked_past_it,
				       at_home),
		cmocka_unit_test_setup(test_cleanup_after_crash, at_home),
		cmocka_unit_test_setup(test_config_checks, at_home),
	};

	home_ns = nstest_enter_private("datapath.io.steer", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
