/* Unit tests: the socket that decapsulates an SA's ESP in UDP
 * (xfrm_adopt.c), on the build host's kernel (the option needs no ESP):
 * a root-owned socket on the SA's port gets UDP_ENCAP_ESPINUDP, IPv4 and
 * IPv6; once only per socket; the backend's own socket, other ports and a
 * socket of another owner are left alone. The backend's own socket: none
 * until an SA in UDP on --udp-port needs it and nobody holds the port, in
 * the SA's family only, closed (the port free again) with the last such
 * SA; never on another port, never with --udp-port 0. Needs root (skips
 * otherwise). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "datapath/xfrm/xfrm_internal.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif

/* A UDP socket on the loopback of family fam, any port; its port. */
static int udp_socket(int fam, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(fam, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = fam;
	if (fam == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, fam == AF_INET ?
			      sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int encap_of(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, &len), 0);
	return v;
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (unsigned long)st.st_ino;
}

static struct xfrm the_x;

static int setup(void **state)
{
	memset(&the_x, 0, sizeof(the_x));
	the_x.natt_fd[0] = the_x.natt_fd[1] = -1;
	*state = &the_x;
	return 0;
}

/* 77 (a skip) unless root on a kernel that takes the option. */
static int can_run(void)
{
	int fd, v = 2;

	if (geteuid() != 0) {
		printf("skipped: needs root (another process's descriptors)\n");
		return 77;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, sizeof(v))) {
		printf("skipped: this kernel refuses UDP_ENCAP (no XFRM)\n");
		if (fd >= 0)
			close(fd);
		return 77;
	}
	close(fd);
	return 0;
}

static void test_ipv4_and_ipv6(void **state)
{
	struct xfrm *x = *state;
	uint16_t p4, p6, other;
	int fd4 = udp_socket(AF_INET, &p4);
	int fd6 = udp_socket(AF_INET6, &p6);
	int fdo = udp_socket(AF_INET, &other);

	assert_int_equal(encap_of(fd4), 0);
	xadopt_port(x, p4);
	assert_int_equal(encap_of(fd4), 2);	/* UDP_ENCAP_ESPINUDP */
	assert_int_equal(x->adopted[0], inode_of(fd4));
	assert_int_equal(encap_of(fdo), 0);	/* another port: untouched */
	xadopt_port(x, p6);
	assert_int_equal(encap_of(fd6), 2);
	assert_int_equal(x->adopted[1], inode_of(fd6));
	/* Done once: the option taken off again stays off on a second SA. */
	{
		int zero = 0;

		assert_int_equal(setsockopt(fd4, IPPROTO_UDP, UDP_ENCAP, &zero, sizeof(zero)), 0);
	}
	xadopt_port(x, p4);
	assert_int_equal(encap_of(fd4), 0);
	/* A new socket on that port (the daemon restarted) is done again. */
	close(fd4);
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p4),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd4 = socket(AF_INET, SOCK_DGRAM, 0);
		assert_int_equal(bind(fd4, (struct sockaddr *)&a, sizeof(a)), 0);
	}
	xadopt_port(x, p4);
	assert_int_equal(encap_of(fd4), 2);
	close(fd4);
	close(fd6);
	close(fdo);
}

static void test_own_socket_left(void **state)
{
	struct xfrm *x = *state;
	uint16_t p;
	int fd = udp_socket(AF_INET, &p);

	x->natt_fd[0] = fd;
	x->cfg.udp_port = p;
	assert_int_equal(xadopt_port(x, p) & 1, 1);	/* held: by us */
	assert_int_equal(encap_of(fd), 0);
	x->natt_fd[0] = -1;
	x->cfg.udp_port = 0;
	close(fd);
}

/* A socket of uid 65534 in a child: not set (checked through the child's
 * descriptor, duplicated as the backend would). */
static void test_other_owner_left(void **state)
{
	struct xfrm *x = *state;
	int rp[2], wp[2], pfd, sfd;
	uint16_t p;
	int fd;
	pid_t pid;
	char c = 0;

	assert_int_equal(pipe(rp), 0);
	assert_int_equal(pipe(wp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		fd = udp_socket(AF_INET, &p);
		if (write(rp[1], &fd, sizeof(fd)) != sizeof(fd) ||
		    write(rp[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		if (read(wp[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(read(rp[0], &fd, sizeof(fd)), sizeof(fd));
	assert_int_equal(read(rp[0], &p, sizeof(p)), sizeof(p));
	xadopt_port(x, p);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	assert_true(pfd >= 0);
	sfd = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	assert_true(sfd >= 0);
	assert_int_equal(encap_of(sfd), 0);
	close(sfd);
	close(pfd);
	assert_int_equal(write(wp[1], &c, 1), 1);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < 2; i++) {
		close(rp[i]);
		close(wp[i]);
	}
}

/* A port nobody holds now (IPv4 and IPv6). */
static uint16_t free_port(void)
{
	uint16_t p;
	int fd = udp_socket(AF_INET6, &p);

	close(fd);
	return p;
}

/* 0 when a wildcard socket of family fam can bind port, else errno. */
static int bind_errno(int fam, uint16_t port)
{
	struct sockaddr_storage ss;
	int fd = socket(fam, SOCK_DGRAM, 0), on = 1, err = 0;

	assert_true(fd >= 0);
	if (fam == AF_INET6)
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = fam;
	((struct sockaddr_in *)&ss)->sin_port = htons(port);	/* same offset in6 */
	if (bind(fd, (struct sockaddr *)&ss, fam == AF_INET ? sizeof(struct sockaddr_in) :
		 sizeof(struct sockaddr_in6)))
		err = errno;
	close(fd);
	return err;
}

static void sa_in_udp(struct xsa *s, uint16_t family, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->encap.on = true;
	s->encap.sport = port;
	s->encap.dport = 4500;
}

/* Nobody on --udp-port: ours, bound while the SA lives, then released. */
static void test_own_on_demand(void **state)
{
	struct xfrm *x = *state;
	uint16_t p = free_port();
	struct xsa s;

	x->cfg.udp_port = p;
	assert_int_equal(bind_errno(AF_INET, p), 0);	/* nothing at start */
	sa_in_udp(&s, AF_INET, p);
	x->sas = &s;
	xnatt_need(x, AF_INET, p);
	assert_true(x->natt_fd[0] >= 0);
	assert_int_equal(x->natt_fd[1], -1);		/* the SA's family only */
	assert_int_equal(encap_of(x->natt_fd[0]), 2);
	assert_int_equal(bind_errno(AF_INET, p), EADDRINUSE);
	assert_int_equal(bind_errno(AF_INET6, p), 0);
	{
		int fd = x->natt_fd[0];

		xnatt_need(x, AF_INET, p);		/* a second SA: the same */
		assert_int_equal(x->natt_fd[0], fd);
	}
	xnatt_release(x);				/* still used */
	assert_true(x->natt_fd[0] >= 0);
	s.encap.on = false;				/* Update0: NAT-T off */
	xnatt_release(x);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(bind_errno(AF_INET, p), 0);	/* free again */
	/* IPv6: its own socket, IPv6 only; removed with the SA. */
	sa_in_udp(&s, AF_INET6, p);
	xnatt_need(x, AF_INET6, p);
	assert_true(x->natt_fd[1] >= 0);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(encap_of(x->natt_fd[1]), 2);
	assert_int_equal(bind_errno(AF_INET6, p), EADDRINUSE);
	assert_int_equal(bind_errno(AF_INET, p), 0);
	x->sas = NULL;
	xnatt_release(x);
	assert_int_equal(x->natt_fd[1], -1);
	assert_int_equal(bind_errno(AF_INET6, p), 0);
	x->cfg.udp_port = 0;
}

/* A daemon bound --udp-port first: its socket decapsulates, none of ours. */
static void test_daemon_first(void **state)
{
	struct xfrm *x = *state;
	uint16_t p;
	int daemon = udp_socket(AF_INET, &p);
	struct xsa s;

	x->cfg.udp_port = p;
	sa_in_udp(&s, AF_INET, p);
	x->sas = &s;
	xnatt_need(x, AF_INET, p);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(encap_of(daemon), 2);
	x->sas = NULL;
	xnatt_release(x);
	close(daemon);
	/* Gone, and a new SA: now ours. */
	x->sas = &s;
	xnatt_need(x, AF_INET, p);
	assert_true(x->natt_fd[0] >= 0);
	x->sas = NULL;
	xnatt_close(x);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(bind_errno(AF_INET, p), 0);
	x->cfg.udp_port = 0;
}

/* Another port than --udp-port, or --udp-port 0: never ours. */
static void test_never_bound(void **state)
{
	struct xfrm *x = *state;
	uint16_t p = free_port(), q;
	struct xsa s;

	while ((q = free_port()) == p)
		;

	x->cfg.udp_port = p;
	sa_in_udp(&s, AF_INET, q);
	x->sas = &s;
	xnatt_need(x, AF_INET, q);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(bind_errno(AF_INET, q), 0);
	x->cfg.udp_port = 0;
	sa_in_udp(&s, AF_INET, p);
	xnatt_need(x, AF_INET, p);
	assert_int_equal(x->natt_fd[0], -1);
	assert_int_equal(bind_errno(AF_INET, p), 0);
	x->sas = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_and_ipv6),
		cmocka_unit_test(test_own_socket_left),
		cmocka_unit_test(test_other_owner_left),
		cmocka_unit_test(test_own_on_demand),
		cmocka_unit_test(test_daemon_first),
		cmocka_unit_test(test_never_bound),
	};

	int rc = can_run();

	if (rc)
		return rc;
	return cmocka_run_group_tests(tests, setup, NULL);
}
