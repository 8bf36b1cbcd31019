#!/bin/sh
# The library exports exactly the functions the headers declare: the
# FWPUCLNT_API_FUNCTIONS, FWPUCLNT_POLICY_API_FUNCTIONS,
# FWPUCLNT_LAYER_API_FUNCTIONS, FWPUCLNT_CONTEXT23_API_FUNCTIONS,
# FWPUCLNT_UNSUPPORTED_API_FUNCTIONS and FWPUCLNT_CHANGE_API_FUNCTIONS of
# fwpmu.h plus FWPX_API_FUNCTIONS of fwpx.h.
# Usage: check_exports.sh LIBRARY INCLUDE_DIR CC
set -eu
lib=$1 inc=$2 cc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/list.c" <<'SRC'
#include <fwpx.h>
#define X(name) EXPORTED name
FWPUCLNT_API_FUNCTIONS(X)
FWPUCLNT_POLICY_API_FUNCTIONS(X)
FWPUCLNT_LAYER_API_FUNCTIONS(X)
FWPUCLNT_CONTEXT23_API_FUNCTIONS(X)
FWPUCLNT_UNSUPPORTED_API_FUNCTIONS(X)
FWPUCLNT_CHANGE_API_FUNCTIONS(X)
FWPX_API_FUNCTIONS(X)
SRC
"$cc" -E -P -I"$inc" "$tmp/list.c" | tr ' ' '\n' | grep -A1 '^EXPORTED$' |
	grep -v -e '^EXPORTED$' -e '^--$' | sort -u >"$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"

# Every declared prototype must also be in the list: count prototypes.
protos=$(grep -hoE '^FWPUCLNT_API [A-Za-z_ *]+WINAPI [A-Za-z0-9_]+' "$inc"/fwpmu.h "$inc"/fwpx.h |
	awk '{print $NF}' | sort -u)
echo "$protos" >"$tmp/prototypes"

status=0
if ! diff -u "$tmp/declared" "$tmp/exported"; then
	echo "FAIL: exported symbols differ from the declared API list" >&2
	status=1
fi
if ! diff -u "$tmp/declared" "$tmp/prototypes"; then
	echo "FAIL: prototypes in the headers differ from the API list" >&2
	status=1
fi
n=$(wc -l <"$tmp/declared")
[ "$status" = 0 ] && echo "exports: $n functions declared, exported and listed"
exit $status
