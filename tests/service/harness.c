/* harness.c - see harness.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

int fwpd_default_mode(void)
{
	const char *m = getenv("FWPD_MODE");

	return m && !strcmp(m, "default");
}

/* Daemons are reparented to us; none may outlive the test, whatever
 * assertion ended it. */
static void kill_orphans(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], buf[512], *p;
		int ppid = 0;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == (int)getpid())
			kill(atoi(e->d_name), SIGKILL);
		fclose(f);
	}
	closedir(d);
}

static void become_subreaper(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	atexit(kill_orphans);
}

/* The pid of whoever listens on path (SO_PEERCRED of a connection); -1. */
static pid_t listener_pid(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	pid_t pid = -1;

	/* A path too long for sun_path names no listener. */
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		pid = cred.pid;
	if (fd >= 0)
		close(fd);
	return pid;
}

/* argv for fwpd: the binary, --foreground unless in default mode, then
 * args; at most n entries with the NULL. */
static void build_argv(const char *bin, const char *const *args, const char **av, size_t n)
{
	size_t k = 0;

	av[k++] = bin;
	if (!fwpd_default_mode())
		av[k++] = "--foreground";
	for (; args && *args && k + 1 < n; args++)
		av[k++] = *args;
	av[k] = NULL;
}

static int wait_socket(struct fwpd_proc *p)
{
	struct stat st;

	for (int i = 0; i < 500; i++) {
		if (stat(p->socket, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000L }, NULL);
	}
	fprintf(stderr, "harness: fwpd did not come up\n");
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
	return -1;
}

/* Default mode: the started process returns once the daemon serves. */
static int wait_daemon(struct fwpd_proc *p)
{
	struct stat st;
	int status;

	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	p->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "harness: fwpd exited with status 0x%x\n", status);
		return -1;
	}
	if (stat(p->socket, &st) || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "harness: fwpd returned before its socket existed\n");
		return -1;
	}
	p->pid = listener_pid(p->socket);
	if (p->pid <= 0) {
		fprintf(stderr, "harness: nobody accepts on %s\n", p->socket);
		return -1;
	}
	return 0;
}

static int spawn(struct fwpd_proc *p, const char *const *extra)
{
	const char *bin = getenv("FWPD_BIN");
	const char *args[40] = { "--socket", p->socket, "--state-dir", p->state };
	const char *av[48];
	size_t k = 4;

	if (!bin) {
		fprintf(stderr, "harness: FWPD_BIN not set\n");
		return -1;
	}
	for (; extra && *extra && k + 1 < sizeof(args) / sizeof(args[0]); extra++)
		args[k++] = *extra;
	build_argv(bin, args, av, sizeof(av) / sizeof(av[0]));
	become_subreaper();
	unlink(p->socket);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		/* Never outlive the test, whatever happens to it (the
		 * daemon of default mode: kill_orphans). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(bin, (char *const *)av);
		_exit(127);
	}
	return fwpd_default_mode() ? wait_daemon(p) : wait_socket(p);
}

int fwpd_start_args(struct fwpd_proc *p, const char *const *extra)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/fwpd-test-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	/* Reachable by an unprivileged test client. */
	chmod(p->dir, 0755);
	snprintf(p->socket, sizeof(p->socket), "%s/fwpd.sock", p->dir);
	snprintf(p->state, sizeof(p->state), "%s/state", p->dir);
	setenv("FWP_ENGINE", "service", 1);
	setenv("FWP_SOCKET", p->socket, 1);
	return spawn(p, extra);
}

int fwpd_start(struct fwpd_proc *p, const char *extra_arg)
{
	const char *extra[2] = { extra_arg, NULL };

	return fwpd_start_args(p, extra);
}

int fwpd_restart(struct fwpd_proc *p)
{
	return spawn(p, NULL);
}

int fwpd_run_failing(const char *const *argv, char *err, size_t errlen)
{
	const char *bin = getenv("FWPD_BIN");
	const char *av[48];
	int pfd[2], status = -1;
	size_t got = 0;
	pid_t pid;
	ssize_t n;

	if (!bin || pipe(pfd))
		return -1;
	build_argv(bin, argv + 1, av, sizeof(av) / sizeof(av[0]));
	become_subreaper();
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(bin, (char *const *)av);
		_exit(127);
	}
	close(pfd[1]);
	/* EOF comes when the started process and any daemon left stderr. */
	while (got + 1 < errlen && (n = read(pfd[0], err + got, errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = 0;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

int fwpd_stop(struct fwpd_proc *p, int sig)
{
	int status = -1;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	p->pid = 0;
	return status;
}

double fwpd_cpu_s(const struct fwpd_proc *p)
{
	char path[64], buf[1024], *q;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f) || !(q = strrchr(buf, ')')) ||
	    sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long fwpd_rss_kib(const struct fwpd_proc *p)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

void fwpd_cleanup(struct fwpd_proc *p)
{
	char cmd[300];

	if (p->pid > 0)
		fwpd_stop(p, SIGKILL);
	if (p->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
		if (system(cmd)) {
			/* best effort */
		}
	}
}
