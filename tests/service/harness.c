/* harness.c - see harness.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static int spawn(struct fwpd_proc *p, const char *extra)
{
	const char *bin = getenv("FWPD_BIN");
	char state[300];
	struct stat st;

	if (!bin) {
		fprintf(stderr, "harness: FWPD_BIN not set\n");
		return -1;
	}
	snprintf(state, sizeof(state), "%s/state", p->dir);
	unlink(p->socket);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		/* Never outlive the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(bin, bin, "--foreground", "--socket", p->socket, "--state-dir", state,
		      extra ? extra : (char *)NULL, (char *)NULL);
		_exit(127);
	}
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

int fwpd_start(struct fwpd_proc *p, const char *extra_arg)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/fwpd-test-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	/* Reachable by an unprivileged test client. */
	chmod(p->dir, 0755);
	snprintf(p->socket, sizeof(p->socket), "%s/fwpd.sock", p->dir);
	setenv("FWP_ENGINE", "service", 1);
	setenv("FWP_SOCKET", p->socket, 1);
	return spawn(p, extra_arg);
}

int fwpd_restart(struct fwpd_proc *p)
{
	return spawn(p, NULL);
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
