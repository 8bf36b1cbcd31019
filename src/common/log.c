/* log.c - see log.h. */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static int threshold = -1;
static const char *ident = "fwpuclnt";
static int use_syslog;

void fwp_log_set_ident(const char *name)
{
	ident = name;
}

void fwp_log_use_syslog(void)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
	const char *v = getenv("FWP_LOG");

	threshold = FWP_LOG_WARN;
	if (!v)
		return;
	if (!strcmp(v, "error"))
		threshold = FWP_LOG_ERROR;
	else if (!strcmp(v, "info"))
		threshold = FWP_LOG_INFO;
	else if (!strcmp(v, "debug"))
		threshold = FWP_LOG_DEBUG;
}

void fwp_log(enum fwp_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	va_list ap;

	pthread_once(&once, read_env);
	if ((int)level > threshold)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

		vsyslog(prio[level], fmt, ap);
	} else {
		fprintf(stderr, "%s: %s: ", ident, names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
