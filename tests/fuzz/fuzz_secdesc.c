/* fuzz_secdesc.c - the security-descriptor parser (common/secdesc.c) on
 * hostile input: what a client sends in SD_SET and POL_ADD, what fwpd
 * sends back in SD_GET, and SDDL as fwpctl reads it.
 *
 * The input is tried both ways. As a binary descriptor: one sd_parse
 * accepts must evaluate, print as SDDL, and read back to the same SDDL and
 * the same rights. As SDDL: a string sd_from_sddl accepts must yield a
 * descriptor sd_parse accepts. A broken invariant aborts (a finding).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secdesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sd_token tokens[] = {
	{ .uid = 0, .gid = 0 },
	{ .uid = 1000, .gid = 1000, .ngroups = 2, .groups = { 990, 27 } },
	{ .uid = 65534, .gid = 65534, .truncated = true },
};

#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_secdesc: %s\n", what);
		abort();
	}
}

/* v printed, read back, printed again: the same text and rights. */
static void round_trip(const struct sd_view *v)
{
	static char a[4 * SD_MAX_LEN], b[4 * SD_MAX_LEN];
	struct sd_view w;
	void *sd = NULL;
	size_t len = 0;
	int n = sd_to_sddl(v, a, sizeof(a));

	check(n >= 0 && (size_t)n < sizeof(a), "a parsed descriptor does not print");
	check(sd_from_sddl(a, &sd, &len) == 0, "printed SDDL does not read back");
	check(sd_parse(sd, len, &w) == 0, "SDDL read back does not parse");
	check(sd_to_sddl(&w, b, sizeof(b)) == n && !strcmp(a, b), "SDDL round trip differs");
	for (size_t i = 0; i < NTOKENS; i++)
		check(sd_granted(v, &tokens[i]) == sd_granted(&w, &tokens[i]),
		      "rights differ after the round trip");
	free(sd);
}

static void as_binary(const uint8_t *data, size_t size)
{
	struct sd_view v;
	void *sd = NULL;
	size_t len = 0;

	if (sd_parse(data, size, &v))
		return;
	check(sd_claimed_len(data) == size, "claimed length differs from the parsed one");
	round_trip(&v);
	/* A rebuilt copy (what Get returns) parses too. */
	sd_select(&v, SD_INFO_ALL & ~(uint32_t)SACL_SECURITY_INFORMATION);
	check(sd_build(&v, &sd, &len) == 0 && sd_parse(sd, len, &v) == 0, "rebuilt copy refused");
	free(sd);
}

static void as_sddl(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct sd_view v;
	void *sd = NULL;
	size_t len = 0;

	memcpy(s, data, size);
	s[size] = 0;
	if (sd_from_sddl(s, &sd, &len) == 0) {
		check(sd_parse(sd, len, &v) == 0, "SDDL accepted, descriptor refused");
		round_trip(&v);
		free(sd);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size > 4 * SD_MAX_LEN)
		return 0;
	copy = malloc(size ? size : 1);	/* exactly size: reads past it are caught */
	memcpy(copy, data, size);
	as_binary(copy, size);
	as_sddl(copy, size);
	free(copy);
	return 0;
}
