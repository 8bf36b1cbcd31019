/* test_mingw_compat.c - FWPUCLNT_MINGW_COMPAT (fwpbase.h): code written for
 * MinGW-w64 that declares the names MinGW lacks as enum constants compiles
 * against these headers, and everything else stays.
 *
 * This file is built with the macro: each name is declared here as an enum
 * constant, as such code does (a name the headers still #define would turn
 * the declaration into a compile error). mingw_compat_sdk.c is built
 * without it and lists the headers' own values, which must be the same. */
#define FWPUCLNT_MINGW_COMPAT
#include <fwpmu.h>

#include <stdio.h>

#include "mingw_names.h"

#define AS_ENUM(name, value) name = (value),
enum { MINGW_LACKS(AS_ENUM) };

#define AS_ENTRY(name, value) { #name, name },
static const struct { const char *name; unsigned long long value; } own[] = {
	MINGW_LACKS(AS_ENTRY)
};

/* from mingw_compat_sdk.c */
extern const unsigned long long sdk_values[];
extern const unsigned sdk_count;

/* Names outside the list are still the headers' own. */
_Static_assert(FWPM_FILTER_FLAG_INDEXED == 0x40, "FWPM_FILTER_FLAG_INDEXED kept");
_Static_assert(FWPM_NET_EVENT_FLAG_PACKAGE_ID_SET == 0x400, "net-event flags kept");
_Static_assert(IPSEC_SA_BUNDLE_FLAG_LOW_POWER_MODE_SUPPORT == 0x800000, "bundle flags kept");
_Static_assert(FWPM_TUNNEL_FLAG_RESERVED0 == 4, "tunnel flags kept");

int main(void)
{
	unsigned n = (unsigned)(sizeof(own) / sizeof(own[0])), bad = 0;

	if (n != 42 || sdk_count != n) {
		fprintf(stderr, "expected 42 names, have %u and %u\n", n, sdk_count);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (own[i].value != sdk_values[i]) {
			fprintf(stderr, "%s: 0x%llx here, 0x%llx in the headers\n",
				own[i].name, own[i].value, sdk_values[i]);
			bad++;
		}
	}
	printf("%u names left out under FWPUCLNT_MINGW_COMPAT, %u differ\n", n, bad);
	return bad != 0;
}
