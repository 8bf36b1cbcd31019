/* test_harden.c - no local client can spin, starve or bloat fwpd, and fwpd
 * starts, reports and stops as documented: a client that pipelines and
 * never reads, a flood of unprivileged connections, a descriptor limit
 * reached, subscribers that never read against the global output cap;
 * SIGTERM, start failures, foreign files, stray arguments. Run with
 * FWPD_MODE=default (fwpd as users start it) and without (--foreground).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "common/log.h"
#include "harness.h"
#include "raw_util.h"
#include "service_util.h"
#include "wire/message.h"

#define NOBODY 65534

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* fwpd's CPU time over secs of doing nothing on our side. */
static double cpu_over(const struct fwpd_proc *d, double secs)
{
	double c0 = fwpd_cpu_s(d), c1;

	assert_true(c0 >= 0);
	sleep_s(secs);
	c1 = fwpd_cpu_s(d);
	assert_true(c1 >= 0);
	return c1 - c0;
}

static void expect_served(void)
{
	IPSEC_STATISTICS1 st;
	HANDLE h;

	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(IPsecGetStatistics1(h, &st), ERROR_SUCCESS);
	assert_int_equal(FwpmEngineClose0(h), ERROR_SUCCESS);
}

static void stop_clean(struct fwpd_proc *d)
{
	int status = fwpd_stop(d, SIGTERM);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fwpd_cleanup(d);
}

/* A client that sends requests as fast as it can and never reads: fwpd
 * stops reading it once its queue is half full, and idles (no spin) while
 * it waits; others are served; reading again gets every reply. */
static void test_pipelining_client_does_not_spin(void **state)
{
	unsigned char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_STATISTICS, 9);
	struct fwpd_proc d;
	int fd, rcvbuf = 4096;
	long sent = 0, got = 0;
	double last, t0, cpu;

	assert_int_equal(fwpd_start(&d, NULL), 0);
	fd = raw_open(d.socket);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Until fwpd takes nothing more for a second. */
	t0 = last = now_s();
	while (now_s() - last < 1.0 && now_s() - t0 < 60) {
		if (send(fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT) > 0) {
			sent++;
			last = now_s();
		} else {
			sleep_s(0.001);
		}
	}
	assert_true(sent > 100);
	cpu = cpu_over(&d, 3.0);
	print_message("pipelined %ld requests; fwpd CPU while blocked: %.2f s over 3 s\n", sent,
		      cpu);
	assert_true(cpu < 0.3);
	expect_served();
	/* Reading resumes service: every request is answered. */
	while (got < sent && raw_result(fd) == 0)
		got++;
	assert_int_equal(got, sent);
	close(fd);
	stop_clean(&d);
}

/* In a child as nobody: n connections, then an OPEN on each; reports how
 * many were served through out, holds them until go is readable. */
static void flood_as_nobody(const char *sock, int n, int out, int go)
{
	struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };
	unsigned char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_OPEN, 1);
	int *fds = calloc((size_t)n, sizeof(int)), served = 0;
	char c;

	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	if (!fds || setrlimit(RLIMIT_NOFILE, &rl) || setgroups(0, NULL) || setgid(NOBODY) ||
	    setuid(NOBODY))
		_exit(10);
	for (int i = 0; i < n; i++)
		fds[i] = raw_connect(sock);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && send(fds[i], nlh, nlh->nlmsg_len, MSG_NOSIGNAL) > 0 &&
		    raw_result(fds[i]) == 0)
			served++;
	if (write(out, &served, sizeof(served)) != sizeof(served))
		_exit(11);
	if (read(go, &c, 1) < 0)
		_exit(12);
	_exit(0);
}

/* 1100 connections of one unprivileged user: they get at most their share
 * and root is still served (before: 1024 locked root out). */
static void run_flood(const char *const *args, int expect_served_conns)
{
	struct fwpd_proc d;
	int out[2], go[2], served = -1, status;
	pid_t child;

	assert_int_equal(fwpd_start_args(&d, args), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	if (child == 0) {
		close(out[0]);
		close(go[1]);
		flood_as_nobody(d.socket, 1100, out[1], go[0]);
	}
	close(out[1]);
	close(go[0]);
	assert_int_equal(read(out[0], &served, sizeof(served)), sizeof(served));
	print_message("unprivileged connections served: %d of 1100\n", served);
	/* Root, with every unprivileged slot taken. */
	for (int i = 0; i < 4; i++)
		expect_served();
	assert_int_equal(served, expect_served_conns);
	close(go[1]);
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(out[0]);
	stop_clean(&d);
}

static void test_unprivileged_flood_per_user_limit(void **state)
{
	if (geteuid() != 0) {
		skip();	/* switching to another user needs root */
		return;
	}
	run_flood(NULL, 64);	/* --max-user-connections default */
}

static void test_unprivileged_flood_reserved_slots(void **state)
{
	static const char *const args[] = { "--max-user-connections=0", NULL };
	struct rlimit rl;
	int max = 1024;

	if (geteuid() != 0) {
		skip();	/* switching to another user needs root */
		return;
	}
	/* fwpd lowers --max-connections to what its descriptor limit allows
	 * (64 kept for the rest), then keeps 32 for privileged clients. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max < (rlim_t)max + 64)
		max = (int)rl.rlim_max - 64;
	run_flood(args, max - 32);
}

/* Descriptors run out under fwpd (its limit lowered while it runs): accept
 * fails with EMFILE, and fwpd must not retry it in a loop; once clients go,
 * waiting ones are served. */
static void test_fd_limit_no_spin(void **state)
{
	struct rlimit rl = { 40, 40 };
	struct fwpd_proc d;
	int fds[100];
	double cpu;

	if (geteuid() != 0) {
		skip();	/* lowering another process's hard limit needs root */
		return;
	}
	assert_int_equal(fwpd_start(&d, NULL), 0);
	assert_int_equal(prlimit(d.pid, RLIMIT_NOFILE, &rl, NULL), 0);
	for (int i = 0; i < 100; i++) {
		fds[i] = raw_connect(d.socket);
		assert_true(fds[i] >= 0);	/* accepted, or waiting in the backlog */
	}
	sleep_s(0.3);
	cpu = cpu_over(&d, 2.0);
	print_message("fwpd CPU out of descriptors: %.2f s over 2 s\n", cpu);
	assert_true(cpu < 0.1);
	for (int i = 0; i < 100; i++)
		close(fds[i]);
	expect_served();
	stop_clean(&d);
}

static int subscribe_raw(const char *sock)
{
	unsigned char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SUBSCRIBE, 2);
	int fd = raw_open(sock), rcvbuf = 4096;
	struct nlattr *nest;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	msg_put_u32(nlh, FWPD_A_MASK, FWPX_EVENT_MASK_ALL);
	msg_put_u64(nlh, FWPD_A_COOKIE, 77);
	nest = mnl_attr_nest_start(nlh, FWPD_A_SUBSCRIPTION);
	mnl_attr_nest_end(nlh, nest);
	assert_true(send(fd, nlh, nlh->nlmsg_len, 0) > 0);
	assert_int_equal(raw_result(fd), 0);
	return fd;
}

/* n SA contexts created and deleted: two events each to every subscriber. */
static void make_events(HANDLE h, int n)
{
	for (int i = 0; i < n; i++) {
		IPSEC_TRAFFIC1 t;
		UINT64 id;

		memset(&t, 0, sizeof(t));
		t.ipVersion = FWP_IP_VERSION_V4;
		t.localV4Address = 0xC0000201;
		t.remoteV4Address = 0xC0000202;
		t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
		assert_int_equal(IPsecSaContextCreate1(h, &t, NULL, NULL, &id), ERROR_SUCCESS);
		assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	}
}

/* Reads everything fd holds: 1 if it ended in EOF (cut), 0 if it is still
 * open (nothing more within a second). */
static int drained_to_eof(int fd)
{
	static unsigned char buf[FWPD_MSG_MAX + 1];
	struct timeval tv = { .tv_sec = 1 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0)
			return 1;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/* Subscribers that never read, against --max-queued-total: fwpd stays
 * small, the largest queue (the oldest subscriber) is cut first, a late
 * subscriber with little queued keeps its connection. */
static void test_global_output_cap(void **state)
{
	static const char *const args[] = { "--client-queue-bytes=1048576",
					    "--max-queued-total=4194304", NULL };
	enum { NSUBS = 30 };
	struct fwpd_proc d;
	int first, subs[NSUBS], late, ncut = 0;
	long rss0, rss1;
	HANDLE h;

	assert_int_equal(fwpd_start_args(&d, args), 0);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	rss0 = fwpd_rss_kib(&d);
	first = subscribe_raw(d.socket);
	make_events(h, 2000);
	for (int i = 0; i < NSUBS; i++)
		subs[i] = subscribe_raw(d.socket);
	/* Every queue reaches its own cap: 31 MiB unless something cuts. */
	make_events(h, 6000);
	late = subscribe_raw(d.socket);
	make_events(h, 50);
	rss1 = fwpd_rss_kib(&d);
	print_message("fwpd RSS %ld KiB -> %ld KiB with %d subscribers that never read\n", rss0,
		      rss1, NSUBS + 2);
	if (!FWP_TEST_ASAN)
		assert_true(rss1 - rss0 < 16 * 1024);
	/* The oldest had the most: cut. */
	assert_true(drained_to_eof(first));
	for (int i = 0; i < NSUBS; i++) {
		ncut += drained_to_eof(subs[i]);
		close(subs[i]);
	}
	print_message("cut: the first subscriber and %d of the %d others\n", ncut, NSUBS);
	assert_true(ncut > 0);
	/* The late one is still served. */
	assert_int_equal(drained_to_eof(late), 0);
	{
		unsigned char buf[256];
		struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_STATISTICS, 3);

		assert_true(send(late, nlh, nlh->nlmsg_len, 0) > 0);
		assert_int_equal(raw_result(late), 0);
	}
	close(late);
	close(first);
	expect_served();
	FwpmEngineClose0(h);
	stop_clean(&d);
}

/* SIGTERM stops the daemon cleanly and its socket goes with it. */
static void test_sigterm_stops_and_removes_socket(void **state)
{
	struct fwpd_proc d;
	struct stat st;

	assert_int_equal(fwpd_start(&d, NULL), 0);
	expect_served();
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	assert_int_equal(lstat(d.socket, &st), -1);
	assert_int_equal(errno, ENOENT);
	fwpd_cleanup(&d);
}

static void expect_refused(const char *const *argv, const char *why)
{
	char err[4096];
	int status = fwpd_run_failing(argv, err, sizeof(err));

	print_message("%s", err);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 0);
	if (!strstr(err, why))
		fail_msg("expected \"%s\" in: %s", why, err);
}

/* A second fwpd on a busy socket: refused at once, saying so; the first
 * one is unharmed. */
static void test_busy_socket_refused(void **state)
{
	struct fwpd_proc d;
	char state2[400];
	const char *argv[] = { "fwpd", "--socket", NULL, "--state-dir", state2, NULL };

	assert_int_equal(fwpd_start(&d, NULL), 0);
	argv[2] = d.socket;
	snprintf(state2, sizeof(state2), "%s/state2", d.dir);
	expect_refused(argv, "is busy: another fwpd is listening there");
	expect_served();
	stop_clean(&d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_file(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, text);
}

/* A temporary directory 0755 for a refused start; sock and state in it. */
static void scratch(char *dir, size_t n, char *sock, char *state)
{
	snprintf(dir, n, "/tmp/fwpd-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	sprintf(sock, "%s/fwpd.sock", dir);
	sprintf(state, "%s/state", dir);
}

static void rm_rf(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A state directory or database another user owns or may write to is
 * refused (it could hold a planted policy); nothing is started. */
static void test_foreign_state_refused(void **state)
{
	char dir[64], sock[100], st[100], db[120];
	const char *argv[] = { "fwpd", "--socket", sock, "--state-dir", st, NULL };
	struct stat sb;

	if (geteuid() != 0) {
		skip();	/* giving a directory away needs root */
		return;
	}
	scratch(dir, sizeof(dir), sock, st);
	assert_int_equal(mkdir(st, 0700), 0);
	assert_int_equal(chown(st, NOBODY, NOBODY), 0);
	expect_refused(argv, "is owned by uid 65534");
	assert_int_equal(chown(st, 0, 0), 0);
	assert_int_equal(chmod(st, 0770), 0);
	expect_refused(argv, "is writable by its group");
	assert_int_equal(chmod(st, 0707), 0);
	expect_refused(argv, "is writable by others");
	assert_int_equal(chmod(st, 0700), 0);
	sprintf(db, "%s/policy.db", st);
	write_file(db, "planted");
	assert_int_equal(chown(db, NOBODY, NOBODY), 0);
	expect_refused(argv, "policy.db is owned by uid 65534");
	assert_int_equal(chown(db, 0, 0), 0);
	assert_int_equal(chmod(db, 0620), 0);
	expect_refused(argv, "policy.db is writable by its group");
	expect_file(db, "planted");
	/* A parent directory anyone may write to (not sticky). */
	assert_int_equal(unlink(db), 0);
	assert_int_equal(chmod(dir, 0757), 0);
	expect_refused(argv, "is writable by others");
	assert_int_equal(lstat(sock, &sb), -1);	/* never listened */
	rm_rf(dir);
}

/* What is at --socket and is not a socket is never replaced or removed. */
static void test_non_socket_at_socket_path(void **state)
{
	char dir[64], sock[100], st[100], target[120];
	const char *argv[] = { "fwpd", "--socket", sock, "--state-dir", st, NULL };
	struct stat sb;

	scratch(dir, sizeof(dir), sock, st);
	write_file(sock, "precious");
	expect_refused(argv, "is a regular file, not a socket: not replacing it");
	expect_file(sock, "precious");
	assert_int_equal(unlink(sock), 0);

	sprintf(target, "%s/target", dir);
	write_file(target, "precious");
	assert_int_equal(symlink(target, sock), 0);
	expect_refused(argv, "is a symbolic link, not a socket: not replacing it");
	assert_int_equal(lstat(sock, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	expect_file(target, "precious");
	assert_int_equal(unlink(sock), 0);

	/* A socket directory others may write to (they could swap the
	 * socket): refused, whatever the state directory. */
	sprintf(sock, "%s/run", dir);
	assert_int_equal(mkdir(sock, 0757), 0);
	assert_int_equal(chmod(sock, 0757), 0);
	strcat(sock, "/fwpd.sock");
	expect_refused(argv, "/run is writable by others");
	assert_int_equal(lstat(sock, &sb), -1);
	rm_rf(dir);
}

static void test_stray_argument_refused(void **state)
{
	const char *argv[] = { "fwpd", "extra-arg", NULL };
	char err[1024];
	int status = fwpd_run_failing(argv, err, sizeof(err));

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(err, "unexpected argument 'extra-arg'"));
}

static void test_version(void **state)
{
	char cmd[512], out[256] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' --version", getenv("FWPD_BIN"));
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, sizeof(out), f));
	assert_int_equal(pclose(f), 0);
	assert_int_equal(strncmp(out, "fwpd ", 5), 0);
	assert_non_null(strstr(out, "(protocol "));
}

/* Messages an outsider can repeat: a burst, then held back and counted. */
static void test_log_rate_limit(void **state)
{
	struct fwp_ratelimit rl = FWP_RATELIMIT_INIT(5, 1000);
	char path[] = "/tmp/fwpd-log-XXXXXX", line[256];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO), lines = 0, summary = 0;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	for (int i = 0; i < 1000; i++)
		fwp_log_limited(&rl, FWP_LOG_WARN, "refused %d", i);
	sleep_s(1.1);
	fwp_log_limited(&rl, FWP_LOG_WARN, "refused again");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		summary += strstr(line, "refused again") && strstr(line, "suppressed") != NULL;
	}
	fclose(f);
	unlink(path);
	assert_in_range(lines, 6, 7);
	assert_int_equal(summary, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelining_client_does_not_spin),
		cmocka_unit_test(test_unprivileged_flood_per_user_limit),
		cmocka_unit_test(test_unprivileged_flood_reserved_slots),
		cmocka_unit_test(test_fd_limit_no_spin),
		cmocka_unit_test(test_global_output_cap),
		cmocka_unit_test(test_sigterm_stops_and_removes_socket),
		cmocka_unit_test(test_busy_socket_refused),
		cmocka_unit_test(test_foreign_state_refused),
		cmocka_unit_test(test_non_socket_at_socket_path),
		cmocka_unit_test(test_stray_argument_refused),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_log_rate_limit),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
