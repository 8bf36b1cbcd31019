/* test_hostile.c - the requests that crashed fwpd, sent to a real daemon
 * by an unprivileged user (nobody) and by root: six repeated traffic
 * attributes in one side of an SA_UPDATE, a union selector given twice in
 * an SA_ENUM_CREATE template, union pointer arms left out, and the frame
 * whose last attribute ran past the datagram. Each gets ERROR_ACCESS_DENIED
 * (a write by someone without the right: nothing is decoded) or
 * RPC_S_PROTOCOL_ERROR, and afterwards fwpd is alive and serves root.
 *
 * fwpd runs in its default mode (it becomes a daemon) and with
 * --foreground. Needs root (to
 * become nobody); otherwise it prints why and is skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>

#include "service_util.h"
#include "wire/codec.h"
#include "wire/message.h"

#define NOBODY 65534

static unsigned char buf[FWPD_MSG_MAX];

struct daemon {
	char dir[64];
	char socket[96];
	pid_t pid;
	bool foreground;
};

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 },
		  NULL);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 5 };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The next reply's result; -1 at EOF or error, -2 for a bad message. */
static long raw_result(int fd)
{
	static unsigned char rx[FWPD_MSG_MAX + 1];
	struct msg_attrs m;
	ssize_t n;

	for (;;) {
		n = recv(fd, rx, sizeof(rx), 0);
		if (n <= 0)
			return -1;
		if (msg_parse(rx, (size_t)n, &m))
			return -2;
		if (m.nlh->nlmsg_type == FWPD_MSG_REPLY)
			return msg_u32(&m, FWPD_A_RESULT, 0xFFFFFFFF);
	}
}

static int raw_open(const char *path)
{
	unsigned char b[64];
	struct nlmsghdr *nlh = msg_start(b, FWPD_OP_OPEN, 1);
	int fd = raw_connect(path);

	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	if (fd < 0)
		return -1;
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0 || raw_result(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The pid of the fwpd serving socket: the process whose command line
 * names it (the socket's peer credentials name whoever called listen(),
 * which may be the process that then became a daemon). 0 if none. */
static pid_t pid_of_socket(const char *bin, const char *socket)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], cmd[1024];
		size_t n;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[n] = 0;
		if (strcmp(cmd, bin) != 0)
			continue;
		for (size_t i = strlen(cmd) + 1; i < n; i += strlen(cmd + i) + 1)
			if (strcmp(cmd + i, socket) == 0)
				found = (pid_t)atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* Starts fwpd and waits for its socket; in the default mode the process
 * started must return once the daemon serves, and the pid is the
 * daemon's. */
static int daemon_start(struct daemon *d, bool foreground)
{
	const char *bin = getenv("FWPD_BIN");
	char state[128];
	pid_t child;
	int fd = -1;

	memset(d, 0, sizeof(*d));
	d->foreground = foreground;
	snprintf(d->dir, sizeof(d->dir), "/tmp/fwpd-hostile-XXXXXX");
	if (!bin || !mkdtemp(d->dir))
		return -1;
	chmod(d->dir, 0755);	/* reachable by nobody */
	snprintf(d->socket, sizeof(d->socket), "%s/fwpd.sock", d->dir);
	snprintf(state, sizeof(state), "%s/state", d->dir);
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		execl(bin, bin, "--socket", d->socket, "--state-dir", state,
		      foreground ? "--foreground" : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && fd < 0; i++) {
		fd = raw_connect(d->socket);
		if (fd < 0)
			sleep_ms(10);
	}
	if (fd < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return -1;
	}
	close(fd);
	if (foreground) {
		d->pid = child;
	} else {
		int status;

		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return -1;
		d->pid = pid_of_socket(bin, d->socket);
		if (d->pid <= 0 || d->pid == child)
			return -1;
	}
	setenv("FWP_ENGINE", "service", 1);
	setenv("FWP_SOCKET", d->socket, 1);
	return 0;
}

static bool alive(pid_t pid)
{
	return kill(pid, 0) == 0;
}

/* Stops it with SIGTERM; a daemon that does not stop within 3 s fails
 * the test (and is killed). */
static void daemon_stop(struct daemon *d)
{
	char cmd[128];
	int status;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		if (d->foreground) {
			waitpid(d->pid, &status, 0);
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		} else {
			for (int i = 0; i < 300 && alive(d->pid); i++)
				sleep_ms(10);
			if (alive(d->pid)) {
				kill(d->pid, SIGKILL);
				fail_msg("fwpd (default mode) did not stop on SIGTERM");
			}
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd)) {
		/* best effort */
	}
}

/* ---- the hostile requests ---- */

typedef struct nlmsghdr *(*build_fn)(void);

/* SA_UPDATE whose inbound side holds the traffic field six times: once
 * 4 decoded arguments on fwpd's stack were overrun by it. */
static struct nlmsghdr *update_six_traffic(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SA_UPDATE, 2);
	IPSEC_TRAFFIC1 t;
	struct nlattr *side;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FLAGS, IPSEC_SA_DETAILS_UPDATE_TRAFFIC);
	side = mnl_attr_nest_start(nlh, FWPD_A_UPDATE_IN);
	for (int i = 0; i < 6; i++)	/* IPSEC_SA_DETAILS1.traffic is field 3 */
		wf_put(nlh, FWPD_MSG_MAX, 3, &wf_IPSEC_TRAFFIC1, &t);
	mnl_attr_nest_end(nlh, side);
	return nlh;
}

/* The same in the first protocol's shape: FWPD_U_TRAFFIC (1) six times. */
static struct nlmsghdr *update_six_traffic_v1(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SA_UPDATE, 2);
	IPSEC_TRAFFIC1 t;
	struct nlattr *side;

	memset(&t, 0, sizeof(t));
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FLAGS, IPSEC_SA_DETAILS_UPDATE_TRAFFIC);
	side = mnl_attr_nest_start(nlh, FWPD_A_UPDATE_OUT);
	for (int i = 0; i < 6; i++)
		wf_put(nlh, FWPD_MSG_MAX, 1, &wf_IPSEC_TRAFFIC1, &t);
	mnl_attr_nest_end(nlh, side);
	return nlh;
}

/* SA_ENUM_CREATE, localSubNet = {type=FWP_UINT32, value=0x41414141,
 * type=FWP_V4_ADDR_MASK}: the arm was chosen by the first selector and
 * the struct kept the last, a pointer to 0x41414141. */
static struct nlmsghdr *template_selector_twice(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SA_ENUM_CREATE, 3);
	struct nlattr *tmpl = mnl_attr_nest_start(nlh, FWPD_A_CTX_TEMPLATE);
	struct nlattr *sub = mnl_attr_nest_start(nlh, 1);

	mnl_attr_put_u32(nlh, 1, FWP_UINT32);
	mnl_attr_put_u32(nlh, 2, 0x41414141);
	mnl_attr_put_u32(nlh, 1, FWP_V4_ADDR_MASK);
	mnl_attr_nest_end(nlh, sub);
	mnl_attr_nest_end(nlh, tmpl);
	return nlh;
}

/* localSubNet = {type=FWP_V4_ADDR_MASK} and no value: it decoded to a
 * NULL pointer. */
static struct nlmsghdr *template_missing_arm(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SA_ENUM_CREATE, 4);
	struct nlattr *tmpl = mnl_attr_nest_start(nlh, FWPD_A_CTX_TEMPLATE);
	struct nlattr *sub = mnl_attr_nest_start(nlh, 2);

	mnl_attr_put_u32(nlh, 1, FWP_V4_ADDR_MASK);
	mnl_attr_nest_end(nlh, sub);
	mnl_attr_nest_end(nlh, tmpl);
	return nlh;
}

/* The same in a subscription's template (SUBSCRIBE, a read right). */
static struct nlmsghdr *subscribe_missing_arm(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_SUBSCRIBE, 5);
	struct nlattr *s = mnl_attr_nest_start(nlh, FWPD_A_SUBSCRIPTION);
	struct nlattr *tmpl = mnl_attr_nest_start(nlh, 1);
	struct nlattr *sub = mnl_attr_nest_start(nlh, 1);

	msg_put_u32(nlh, FWPD_A_MASK, 0);
	mnl_attr_put_u32(nlh, 1, FWP_V6_ADDR_MASK);
	mnl_attr_nest_end(nlh, sub);
	mnl_attr_nest_end(nlh, tmpl);
	mnl_attr_nest_end(nlh, s);
	return nlh;
}

/* A tunnel provider context (POL_ADD, kind 3) without its policy. */
static struct nlmsghdr *context_missing_arm(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_POL_ADD, 6);
	struct nlattr *obj;

	msg_put_u32(nlh, FWPD_A_KIND, 3);
	obj = mnl_attr_nest_start(nlh, FWPD_A_OBJECT);
	mnl_attr_put_u32(nlh, 6, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT);
	mnl_attr_nest_end(nlh, obj);
	return nlh;
}

/* The fuzzer's SA_ADD whose last attribute ran into the padding past the
 * datagram (tests/fuzz/regressions/request). */
static struct nlmsghdr *sa_add_overrun(void)
{
	FILE *f = fopen(HOSTILE_SA_ADD, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

	if (f)
		fclose(f);
	assert_true(n >= sizeof(struct nlmsghdr));
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_len, n);
	return (struct nlmsghdr *)buf;
}

struct hostile {
	const char *name;
	build_fn build;
	long unprivileged;	/* the result nobody gets */
	long root;		/* the result root gets */
};

static const struct hostile cases[] = {
	{ "update-six-traffic", update_six_traffic, ERROR_ACCESS_DENIED, RPC_S_PROTOCOL_ERROR },
	{ "update-six-traffic-v1", update_six_traffic_v1, ERROR_ACCESS_DENIED,
	  RPC_S_PROTOCOL_ERROR },
	{ "template-selector-twice", template_selector_twice, RPC_S_PROTOCOL_ERROR,
	  RPC_S_PROTOCOL_ERROR },
	{ "template-missing-arm", template_missing_arm, RPC_S_PROTOCOL_ERROR,
	  RPC_S_PROTOCOL_ERROR },
	{ "subscribe-missing-arm", subscribe_missing_arm, RPC_S_PROTOCOL_ERROR,
	  RPC_S_PROTOCOL_ERROR },
	{ "context-missing-arm", context_missing_arm, ERROR_ACCESS_DENIED,
	  RPC_S_PROTOCOL_ERROR },
	{ "sa-add-overrun", sa_add_overrun, RPC_S_PROTOCOL_ERROR, RPC_S_PROTOCOL_ERROR },
};

/* Sends one request on a new session; returns its result. A protocol
 * error must end the connection; a refusal must leave it usable. */
static long send_one(const char *path, const struct hostile *h)
{
	struct nlmsghdr *nlh;
	int fd = raw_open(path);
	long rc;

	if (fd < 0)
		return -10;
	nlh = h->build();
	if (send(fd, nlh, nlh->nlmsg_len, 0) != (ssize_t)nlh->nlmsg_len) {
		close(fd);
		return -11;
	}
	rc = raw_result(fd);
	if (rc == RPC_S_PROTOCOL_ERROR && raw_result(fd) != -1)
		rc = -12;	/* not closed */
	if (rc == ERROR_ACCESS_DENIED) {
		nlh = msg_start(buf, FWPD_OP_STATISTICS, 9);
		if (send(fd, nlh, nlh->nlmsg_len, 0) < 0 || raw_result(fd) != 0)
			rc = -13;	/* the session did not go on */
	}
	close(fd);
	return rc;
}

/* As nobody, in a child: its exit status is the index of the first case
 * that got another answer, plus one; 0 when all were as expected. */
static int run_unprivileged(const char *path)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			long rc = send_one(path, &cases[i]);

			if (rc != cases[i].unprivileged) {
				fprintf(stderr, "test_hostile: %s as nobody: %ld, expected %ld\n",
					cases[i].name, rc, cases[i].unprivileged);
				_exit((int)i + 1);
			}
		}
		_exit(0);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* fwpd is alive and a root client still opens, creates and deletes. */
static void assert_serves(const struct daemon *d)
{
	HANDLE h;
	UINT64 id;

	assert_true(alive(d->pid));
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x5000, &id), ERROR_SUCCESS);
	assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	assert_int_equal(FwpmEngineClose0(h), ERROR_SUCCESS);
}

static void hostile(bool foreground)
{
	struct daemon d;

	if (geteuid() != 0) {
		fprintf(stderr, "test_hostile: skipped: becoming nobody needs root\n");
		skip();
		return;
	}
	assert_int_equal(daemon_start(&d, foreground), 0);
	assert_int_equal(run_unprivileged(d.socket), 0);
	assert_serves(&d);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long rc = send_one(d.socket, &cases[i]);

		if (rc != cases[i].root)
			fprintf(stderr, "test_hostile: %s as root: %ld\n", cases[i].name, rc);
		assert_int_equal(rc, cases[i].root);
		assert_serves(&d);
	}
	daemon_stop(&d);
}

static void test_default_mode(void **state)
{
	hostile(false);
}

static void test_foreground(void **state)
{
	hostile(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_mode),
		cmocka_unit_test(test_foreground),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
