/* log.c - see log.h. */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

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

static void vlog(enum fwp_log_level level, unsigned long suppressed, const char *fmt,
		 va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

		if (suppressed)
			syslog(prio[level], "%s (%lu similar messages suppressed)", msg,
			       suppressed);
		else
			syslog(prio[level], "%s", msg);
	} else if (suppressed) {
		fprintf(stderr, "%s: %s: %s (%lu similar messages suppressed)\n", ident,
			names[level], msg, suppressed);
	} else {
		fprintf(stderr, "%s: %s: %s\n", ident, names[level], msg);
	}
}

void fwp_log(enum fwp_log_level level, const char *fmt, ...)
{
	va_list ap;

	pthread_once(&once, read_env);
	if ((int)level > threshold)
		return;
	va_start(ap, fmt);
	vlog(level, 0, fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Refills the bucket for the time gone by; true if a token was left. */
static int take_token(struct fwp_ratelimit *rl)
{
	long long t = now_ms();

	if (!rl->last_ms) {
		rl->tokens = rl->burst;
	} else if (rl->interval_ms) {
		rl->tokens += (double)(t - rl->last_ms) / rl->interval_ms;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
	}
	rl->last_ms = t ? t : 1;
	if (rl->tokens < 1)
		return 0;
	rl->tokens -= 1;
	return 1;
}

void fwp_log_limited(struct fwp_ratelimit *rl, enum fwp_log_level level, const char *fmt, ...)
{
	va_list ap;

	pthread_once(&once, read_env);
	if ((int)level > threshold)
		return;
	if (!take_token(rl)) {
		rl->suppressed++;
		return;
	}
	va_start(ap, fmt);
	vlog(level, rl->suppressed, fmt, ap);
	va_end(ap);
	rl->suppressed = 0;
}
