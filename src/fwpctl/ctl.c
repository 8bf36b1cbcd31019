/* ctl.c - what the handlers share: the engine, opened on demand; result
 * codes turned into messages and exit statuses; argument parsing. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwpctl.h"

#define DEFAULT_SOCKET "/run/fwpd/fwpd.sock"

int ctl_status(DWORD rc)
{
	switch (rc) {
	case ERROR_SUCCESS:
		return FWPCTL_OK;
	case EPT_S_NOT_REGISTERED:
	case RPC_S_SERVER_UNAVAILABLE:
	case RPC_S_PROTOCOL_ERROR:
		return FWPCTL_UNAVAILABLE;
	default:
		return FWPCTL_FAILED;
	}
}

int ctl_fail(DWORD rc, const char *fmt, ...)
{
	const char *name = FwpxErrorName0(rc);
	va_list ap;

	if (name)
		fprintf(stderr, "fwpctl: %s (0x%08x): ", name, (unsigned)rc);
	else
		fprintf(stderr, "fwpctl: 0x%08x: ", (unsigned)rc);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* The library says the same for a service that went away and one that
	 * stopped answering (FWP_TIMEOUT_MS, fwpctl --timeout). */
	if (rc == RPC_S_SERVER_UNAVAILABLE)
		fputs(": the service went away or did not answer in time", stderr);
	fputc('\n', stderr);
	return ctl_status(rc);
}

int ctl_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("fwpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'fwpctl help'.\n", stderr);
	return FWPCTL_USAGE;
}

int ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fwpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return FWPCTL_FAILED;
}

static const char *socket_path(void)
{
	const char *p = getenv("FWP_SOCKET");

	return p && *p ? p : DEFAULT_SOCKET;
}

static bool one_of(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(v, *words))
			return true;
	return false;
}

/* ERROR_INVALID_PARAMETER from FwpmEngineOpen0: which variable is bad
 * (FWP_ENGINE, or FWP_DATAPATH for the in-process engine). */
static int bad_variable(DWORD rc)
{
	static const char *const engines[] = { "", "auto", "embedded", "service", NULL };
	static const char *const datapaths[] = { "", "none", "tun", "xfrm", NULL };
	const char *engine = getenv("FWP_ENGINE"), *dp = getenv("FWP_DATAPATH");

	if (engine && !one_of(engine, engines))
		return ctl_fail(rc, "cannot open the engine: FWP_ENGINE=%s "
				"(expected service, embedded or auto)", engine);
	if (dp && !one_of(dp, datapaths))
		return ctl_fail(rc, "cannot open the engine: FWP_DATAPATH=%s "
				"(expected tun, xfrm or none)", dp);
	return ctl_fail(rc, "cannot open the engine");
}

/* FwpmEngineOpen0 says only that no service answered; say why, from
 * what anyone can see of the socket. */
static int open_failed(DWORD rc)
{
	const char *path = socket_path();
	struct stat st;

	if (rc == ERROR_INVALID_PARAMETER)
		return bad_variable(rc);
	if (ctl_status(rc) != FWPCTL_UNAVAILABLE)
		return ctl_fail(rc, "cannot open the engine");
	if (rc == RPC_S_SERVER_UNAVAILABLE)
		return ctl_fail(rc, "no answer from %s", path);
	if (stat(path, &st))
		return ctl_fail(rc, "no engine service: %s: %s (is fwpd running?)",
				path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return ctl_fail(rc, "no engine service: %s is not a socket", path);
	if (access(path, R_OK | W_OK))
		return ctl_fail(rc, "cannot connect to %s: %s", path, strerror(errno));
	return ctl_fail(rc, "no engine service listening on %s (is fwpd running?)",
			path);
}

int ctl_engine(struct ctl *ctl, HANDLE *engine)
{
	FWPM_SESSION0 session;
	DWORD rc;

	if (!ctl->engine) {
		memset(&session, 0, sizeof(session));
		session.displayData.name = (wchar_t *)L"fwpctl";
		session.displayData.description = (wchar_t *)L"IPsec SA engine control";
		rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session,
				     &ctl->engine);
		if (rc != ERROR_SUCCESS) {
			ctl->engine = NULL;
			return open_failed(rc);
		}
	}
	*engine = ctl->engine;
	return FWPCTL_OK;
}

void ctl_close(struct ctl *ctl)
{
	if (ctl->engine)
		FwpmEngineClose0(ctl->engine);
	ctl->engine = NULL;
}

static int parse_decimal(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would take signs, blanks and other bases. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ctl_parse_id(const char *s, UINT64 *id)
{
	unsigned long long v;

	if (parse_decimal(s, UINT64_MAX, &v))
		return -EINVAL;
	*id = v;
	return 0;
}

int ctl_parse_timeout(const char *s, unsigned long *ms)
{
	unsigned long long whole = 0, frac = 0, scale = 1000;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > 3600)
			return -EINVAL;
	}
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -EINVAL;
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (scale > 1) {
				scale /= 10;
				frac += (unsigned)(*s - '0') * scale;
			}
		}
	}
	if (*s || whole * 1000 + frac == 0 || whole * 1000 + frac > 3600000)
		return -EINVAL;
	*ms = (unsigned long)(whole * 1000 + frac);
	return 0;
}

/* n hex digits of s into *v. */
static bool hex_field(const char **s, unsigned n, unsigned long long *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i++, (*s)++) {
		char c = **s;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

int ctl_parse_guid(const char *s, GUID *g)
{
	static const unsigned groups[] = { 8, 4, 4, 4, 12 };
	unsigned long long v[5];
	bool brace = s && *s == '{';

	if (!s)
		return -EINVAL;
	s += brace;
	for (unsigned i = 0; i < 5; i++) {
		if (!hex_field(&s, groups[i], &v[i]))
			return -EINVAL;
		if (i < 4 && *s++ != '-')
			return -EINVAL;
	}
	if ((brace && *s++ != '}') || *s)
		return -EINVAL;
	g->Data1 = (UINT32)v[0];
	g->Data2 = (UINT16)v[1];
	g->Data3 = (UINT16)v[2];
	g->Data4[0] = (UINT8)(v[3] >> 8);
	g->Data4[1] = (UINT8)v[3];
	for (unsigned i = 0; i < 6; i++)
		g->Data4[2 + i] = (UINT8)(v[4] >> (40 - 8 * i));
	return 0;
}

int ctl_parse_count(const char *s, unsigned long *n)
{
	unsigned long long v;

	if (parse_decimal(s, UINT32_MAX, &v))
		return -EINVAL;
	*n = (unsigned long)v;
	return 0;
}
