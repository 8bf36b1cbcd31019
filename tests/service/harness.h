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
};

/* Starts fwpd (path from the FWPD_BIN environment variable) and waits for
 * its socket; sets FWP_ENGINE=service and FWP_SOCKET. 0 or -1. */
int fwpd_start(struct fwpd_proc *p, const char *extra_arg);
/* Restarts on the same socket and state directory. */
int fwpd_restart(struct fwpd_proc *p);
/* Sends sig and waits; returns the exit status (as from waitpid). */
int fwpd_stop(struct fwpd_proc *p, int sig);
/* Resident memory of the daemon in KiB, -1 if unknown. */
long fwpd_rss_kib(const struct fwpd_proc *p);
void fwpd_cleanup(struct fwpd_proc *p);

#endif
