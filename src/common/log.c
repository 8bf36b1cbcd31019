/* log.c - see log.h. */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int threshold = -1;
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
	fprintf(stderr, "fwpuclnt: %s: ", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
