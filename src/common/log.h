/* log.h - the library's and daemon's diagnostics.
 *
 * Messages go to stderr, filtered by the FWP_LOG environment variable
 * (error, warn, info, debug; default warn). Never pass key material.
 */
#ifndef FWP_COMMON_LOG_H
#define FWP_COMMON_LOG_H

enum fwp_log_level { FWP_LOG_ERROR, FWP_LOG_WARN, FWP_LOG_INFO, FWP_LOG_DEBUG };

void fwp_log(enum fwp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The program name in front of messages (default "fwpuclnt"). */
void fwp_log_set_ident(const char *ident);
/* Sends messages to syslog (daemon facility) instead of stderr. */
void fwp_log_use_syslog(void);

/* A token bucket for messages an outsider can repeat at will (refused
 * connections, cut clients): at most burst messages, then one more every
 * interval_ms; the next message that passes says how many were held back.
 * Zero-initialised apart from burst and interval_ms; one thread per bucket. */
struct fwp_ratelimit {
	unsigned burst;
	unsigned interval_ms;
	double tokens;
	long long last_ms;	/* 0: not used yet */
	unsigned long suppressed;
};

#define FWP_RATELIMIT_INIT(b, ms) { .burst = (b), .interval_ms = (ms) }

void fwp_log_limited(struct fwp_ratelimit *rl, enum fwp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
