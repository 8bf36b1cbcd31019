/* harness.h - start and stop a private fwpd for a test: its own socket and
 * state directory under a temporary directory, killed on every path. */
#ifndef FWP_TEST_HARNESS_H
#define FWP_TEST_HARNESS_H

#include <sys/types.h>

/* Memory bounds mean nothing under ASan (its quarantine keeps freed
 * memory): tests skip them there. */
#if defined(__SANITIZE_ADDRESS__)
#define FWP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FWP_TEST_ASAN 1
#endif
#endif
#ifndef FWP_TEST_ASAN
#define FWP_TEST_ASAN 0
#endif

struct fwpd_proc {
	pid_t pid;
	char dir[256];
	char socket[300];
	char state[320];
};

/* Starts fwpd (path from the FWPD_BIN environment variable) and waits for
 * its socket; sets FWP_ENGINE=service and FWP_SOCKET. 0 or -1.
 *
 * FWPD_MODE=default in the environment starts it the way users do, without
 * --foreground: the started process must exit 0 with the socket already
 * accepting, and the daemon it leaves (reparented to the test, which makes
 * itself a child subreaper) is found from the socket's SO_PEERCRED. Else
 * it runs with --foreground as the test's child. */
int fwpd_start(struct fwpd_proc *p, const char *extra_arg);
/* The same with a NULL-terminated list of extra arguments. */
int fwpd_start_args(struct fwpd_proc *p, const char *const *extra);
/* True when FWPD_MODE=default. */
int fwpd_default_mode(void);
/* Restarts on the same socket and state directory, without the extra
 * arguments. */
int fwpd_restart(struct fwpd_proc *p);
/* Sends sig and waits; returns the exit status (as from waitpid). */
int fwpd_stop(struct fwpd_proc *p, int sig);
/* Resident memory of the daemon in KiB, -1 if unknown. */
long fwpd_rss_kib(const struct fwpd_proc *p);
/* CPU time (user + system) the daemon used so far, in seconds. */
double fwpd_cpu_s(const struct fwpd_proc *p);
/* Runs fwpd with argv (argv[0] ignored; --foreground added unless
 * FWPD_MODE=default) expecting it to fail: its exit status (as from
 * waitpid) with its stderr in err. A daemon that started anyway is killed
 * and -1 returned. */
int fwpd_run_failing(const char *const *argv, char *err, size_t errlen);
void fwpd_cleanup(struct fwpd_proc *p);

#endif
