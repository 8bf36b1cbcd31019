/* main.c - fwpd, the IPsec SA engine as a system service.
 *
 *   fwpd [--foreground] [--socket PATH] [--socket-mode MODE]
 *        [--state-dir DIR] [--group NAME] [--expire-drain MS]
 *        [--client-queue-bytes N] [--max-queued-total N] [--max-sa-contexts N]
 *        [--max-connections N] [--reserved-connections N]
 *        [--max-user-connections N] [--refuse-md5]
 *        [--datapath tun|xfrm [--tun-name NAME] [--tun-queues N] [--tun-mtu N]
 *         [--udp-port N] [--no-raw-esp] [--replay-window N]]
 *
 * Listens on an AF_UNIX SOCK_SEQPACKET socket (default /run/fwpd/fwpd.sock,
 * or the one systemd passes with socket activation), serves the protocol of
 * docs/protocol.md, and stops cleanly on SIGTERM or SIGINT.
 *
 * Without --foreground (and not started by systemd) it becomes a daemon
 * first, before any thread, descriptor or socket exists, and the process
 * that was started waits until the daemon listens and its datapath runs:
 * it exits 0 then, or non-zero with the daemon's error on its stderr.
 *
 * --test-hooks, for the test suite only, is left out of the usage text on
 * purpose (test_hooks.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <net/if.h>

#include "common/log.h"
#include "datapath/tun.h"
#include "fwpd/fwpd.h"
#include "wire/protocol.h"

#ifndef FWPD_VERSION
#define FWPD_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fwpd [--foreground] [--socket PATH] [--socket-mode MODE]\n"
		"            [--state-dir DIR] [--group NAME] [--expire-drain MS]\n"
		"            [OPTION]...\n"
		"\n"
		"  --foreground       stay in the foreground (the default under systemd)\n"
		"  --socket PATH      listening socket (default /run/fwpd/fwpd.sock)\n"
		"  --socket-mode MODE socket permissions, octal (default 0666: every\n"
		"                     call is authorised from the peer's credentials)\n"
		"  --state-dir DIR    persistent state (default /var/lib/fwpd)\n"
		"  --group NAME       members hold every right (default fwpd)\n"
		"  --expire-drain MS  IPsecSaContextExpire0 drain period (default 60000)\n"
		"  --client-queue-bytes N  output queued per client before its events\n"
		"                     are dropped (default 4194304)\n"
		"  --max-queued-total N  output queued for all clients together; beyond,\n"
		"                     the client with the most is cut (default 67108864)\n"
		"  --max-connections N  connections at once (default 1024)\n"
		"  --reserved-connections N  of those, kept for root and the group\n"
		"                     (default 32)\n"
		"  --max-user-connections N  per unprivileged user (default 64, 0: none)\n"
		"  --max-sa-contexts N  SA contexts the engine holds at most; beyond,\n"
		"                     Create answers ERROR_NOT_ENOUGH_QUOTA (default 4000000,\n"
		"                     0: no limit)\n"
		"  --refuse-md5       refuse HMAC-MD5-96 (weak; accepted by default, as\n"
		"                     Windows and IMS clients expect)\n"
		"  --datapath tun     carry packets: the user-space ESP datapath on a TUN\n"
		"                     device (root: CAP_NET_ADMIN, CAP_NET_RAW)\n"
		"  --datapath xfrm    carry packets: the kernel's ESP (XFRM states, policies)\n"
		"  --tun-name NAME    its device (default fwp0)\n"
		"  --tun-queues N     TUN queues = outbound packet threads (default 1)\n"
		"  --tun-mtu N        its MTU (default 1400)\n"
		"  --udp-port N       ESP-in-UDP (NAT-T) port, shared with an IKE daemon\n"
		"                     (default 4500, 0: none)\n"
		"  --no-raw-esp       no plain ESP (IP protocol 50) sockets\n"
		"  --replay-window N  inbound anti-replay window, 64..4096 (default 64)\n"
		"  --version          print the version and exit\n");
}

/* systemd socket activation: one listening socket at fd 3. */
static int activated_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || atoi(pid) != getpid() || atoi(fds) != 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	return 3;
}

/* systemd readiness notification (Type=notify), if asked for. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

/* A whole number in base within [0, max]; 0 or -1. */
static int parse_uint(const char *s, int base, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, base);
	return errno || *end || *out > max ? -1 : 0;
}

/* The started process: copies what the daemon reports on the pipe to
 * stderr until the daemon says it is ready (a NUL byte: exit 0) or the
 * pipe closes without it (the daemon failed: exit 1). */
static int wait_for_daemon(int fd, pid_t child)
{
	char buf[512];
	bool said = false;
	ssize_t n;

	for (;;) {
		char *nul;

		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		nul = memchr(buf, 0, (size_t)n);
		said |= nul != buf;
		if (fwrite(buf, 1, nul ? (size_t)(nul - buf) : (size_t)n, stderr)) {
			/* best effort */
		}
		if (nul) {
			waitpid(child, NULL, 0);
			return 0;
		}
	}
	waitpid(child, NULL, 0);
	if (!said)
		fprintf(stderr, "fwpd: the daemon died while starting\n");
	return 1;
}

/* Becomes a daemon: a new session, a second fork so that it never gets a
 * terminal again, "/" as its directory, stdin and stdout on /dev/null.
 * Its stderr is the pipe to the waiting parent until daemon_ready().
 * Called before anything else is created: threads and descriptors do not
 * survive fork() in the child, and signals must reach the daemon. Returns
 * 0 in the daemon; -1 in the started process when pipe() or fork() failed
 * (said on stderr); the started process otherwise exits in
 * wait_for_daemon(). */
static int daemonize(void)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "fwpd: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fwpd: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		exit(wait_for_daemon(p[0], pid));
	}
	close(p[0]);
	if (dup2(p[1], STDERR_FILENO) < 0)
		_exit(1);
	close(p[1]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
		_exit(1);
	if (null > STDERR_FILENO)
		close(null);
	return 0;
}

/* Tells the waiting parent that the daemon serves, then leaves stderr:
 * logs go to syslog from now on. */
static void daemon_ready(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (write(STDERR_FILENO, "", 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	fwp_log_use_syslog();
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

static int make_parent_dir(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "group", required_argument, NULL, 'g' },
		{ "expire-drain", required_argument, NULL, 'e' },
		{ "client-queue-bytes", required_argument, NULL, 'q' },
		{ "max-sa-contexts", required_argument, NULL, 'M' },
		{ "max-queued-total", required_argument, NULL, 262 },
		{ "max-connections", required_argument, NULL, 263 },
		{ "reserved-connections", required_argument, NULL, 264 },
		{ "max-user-connections", required_argument, NULL, 265 },
		{ "refuse-md5", no_argument, NULL, 266 },
		{ "version", no_argument, NULL, 'V' },
		{ "test-hooks", no_argument, NULL, 'T' },
		{ "datapath", required_argument, NULL, 'D' },
		{ "tun-name", required_argument, NULL, 256 },
		{ "tun-queues", required_argument, NULL, 257 },
		{ "tun-mtu", required_argument, NULL, 258 },
		{ "udp-port", required_argument, NULL, 259 },
		{ "no-raw-esp", no_argument, NULL, 260 },
		{ "replay-window", required_argument, NULL, 261 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_options opt = {
		.socket_path = "/run/fwpd/fwpd.sock",
		.state_dir = "/var/lib/fwpd",
		.group = "fwpd",
		.socket_mode = 0666,
		.max_subscriptions = 64,
		.max_enums = 64,
		.max_queued_bytes = 4u << 20,
		.max_queued_total = 64u << 20,
		.max_connections = 1024,
		.reserved_connections = 32,
		.max_user_connections = 64,
		.max_sa_contexts = 4000000,
	};
	struct server srv;
	unsigned long long v;
	bool daemon_mode;
	int c, fd, err;

	dp_config_default(&opt.dp);

	while ((c = getopt_long(argc, argv, "fs:m:d:g:e:q:M:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opt.foreground = true;
			break;
		case 's':
			opt.socket_path = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, 8, 0777, &v)) {
				fprintf(stderr, "fwpd: bad --socket-mode: %s\n", optarg);
				return 2;
			}
			opt.socket_mode = (unsigned)v;
			break;
		case 'd':
			opt.state_dir = optarg;
			break;
		case 'g':
			opt.group = optarg;
			break;
		case 'e':
			if (parse_uint(optarg, 10, UINT32_MAX, &v)) {
				fprintf(stderr, "fwpd: bad --expire-drain: %s\n", optarg);
				return 2;
			}
			opt.expire_drain_ms = (uint32_t)v;
			opt.expire_drain_set = true;
			break;
		case 'q':
			if (parse_uint(optarg, 10, SIZE_MAX, &v) || v < 4096) {
				fprintf(stderr, "fwpd: bad --client-queue-bytes (>= 4096): %s\n",
					optarg);
				return 2;
			}
			opt.max_queued_bytes = (size_t)v;
			break;
		case 'M':
			if (parse_uint(optarg, 10, SIZE_MAX, &v)) {
				fprintf(stderr, "fwpd: bad --max-sa-contexts: %s\n", optarg);
				return 2;
			}
			opt.max_sa_contexts = (size_t)v;
			break;
		case 'T':
			opt.test_hooks = true;
			break;
		case 'D':
			if (!strcmp(optarg, "none")) {
				opt.datapath = NULL;
			} else if ((opt.datapath = backend_find(optarg))) {
			} else {
				fprintf(stderr, "fwpd: bad --datapath (tun, xfrm or none): %s\n",
					optarg);
				return 2;
			}
			break;
		case 256:
			if (!*optarg || strlen(optarg) >= IFNAMSIZ) {
				fprintf(stderr, "fwpd: bad --tun-name: %s\n", optarg);
				return 2;
			}
			opt.dp.tun_name = optarg;
			break;
		case 257:
			if (parse_uint(optarg, 10, TUN_MAX_QUEUES, &v) || !v) {
				fprintf(stderr, "fwpd: bad --tun-queues (1..%d): %s\n",
					TUN_MAX_QUEUES, optarg);
				return 2;
			}
			opt.dp.queues = (unsigned)v;
			break;
		case 258:
			if (parse_uint(optarg, 10, 9000, &v) || v < 576) {
				fprintf(stderr, "fwpd: bad --tun-mtu (576..9000): %s\n", optarg);
				return 2;
			}
			opt.dp.mtu = (unsigned)v;
			break;
		case 259:
			if (parse_uint(optarg, 10, 65535, &v)) {
				fprintf(stderr, "fwpd: bad --udp-port: %s\n", optarg);
				return 2;
			}
			opt.dp.udp_port = (uint16_t)v;
			break;
		case 260:
			opt.dp.raw_esp = false;
			break;
		case 261:
			if (parse_uint(optarg, 10, 4096, &v) || v < 64) {
				fprintf(stderr, "fwpd: bad --replay-window (64..4096): %s\n", optarg);
				return 2;
			}
			opt.dp.replay_window = (uint32_t)v;
			break;
		case 262:
			if (parse_uint(optarg, 10, SIZE_MAX, &v) || v < 65536) {
				fprintf(stderr, "fwpd: bad --max-queued-total (>= 65536): %s\n",
					optarg);
				return 2;
			}
			opt.max_queued_total = (size_t)v;
			break;
		case 263:
			if (parse_uint(optarg, 10, 1000000, &v) || !v) {
				fprintf(stderr, "fwpd: bad --max-connections (1..1000000): %s\n",
					optarg);
				return 2;
			}
			opt.max_connections = (unsigned)v;
			break;
		case 264:
			if (parse_uint(optarg, 10, 1000000, &v)) {
				fprintf(stderr, "fwpd: bad --reserved-connections: %s\n", optarg);
				return 2;
			}
			opt.reserved_connections = (unsigned)v;
			break;
		case 265:
			if (parse_uint(optarg, 10, 1000000, &v)) {
				fprintf(stderr, "fwpd: bad --max-user-connections: %s\n", optarg);
				return 2;
			}
			opt.max_user_connections = (unsigned)v;
			break;
		case 266:
			opt.refuse_md5 = true;
			break;
		case 'V':
			printf("fwpd %s (protocol %d)\n", FWPD_VERSION, FWPD_PROTOCOL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fwpd: unexpected argument '%s': fwpd takes options only "
			"(see fwpd --help)\n", argv[optind]);
		return 2;
	}
	if (opt.reserved_connections >= opt.max_connections) {
		fprintf(stderr, "fwpd: --reserved-connections (%u) must be below "
			"--max-connections (%u)\n", opt.reserved_connections, opt.max_connections);
		return 2;
	}
	fwp_log_set_ident("fwpd");
	fd = activated_fd();
	daemon_mode = !opt.foreground && fd < 0 && !getenv("NOTIFY_SOCKET");
	if (daemon_mode && daemonize())
		return 1;
	/* Keys live in this process: keep them out of core dumps. */
	prctl(PR_SET_DUMPABLE, 0);
	if (fd < 0 && make_parent_dir(opt.socket_path)) {
		fprintf(stderr, "fwpd: cannot create the directory of %s: %s\n",
			opt.socket_path, strerror(errno));
		return 1;
	}
	err = server_init(&srv, &opt, fd);
	if (err) {
		fprintf(stderr, "fwpd: not started: %s\n", strerror(-err));
		server_fini(&srv);
		return 1;
	}
	if (daemon_mode)
		daemon_ready();
	fwp_log(FWP_LOG_INFO, "listening on %s", opt.socket_path);
	notify_ready();
	err = server_run(&srv);
	server_fini(&srv);
	return err ? 1 : 0;
}
