#!/bin/bash
# profile.sh - turns the perf recordings of `PROFILE=DIR ceilings.sh` into a
# top-function table (text) and a flamegraph (SVG).
#
# Usage: bench/datapath/profile.sh PERF_DATA OUT_PREFIX
#   writes OUT_PREFIX.top.txt: the shares of the samples by DSO, by
#          function (self: where the CPU was), and by function including
#          what it called (children: which stage costs what);
#   and    OUT_PREFIX.svg: a flamegraph, when stackvis (npm's `stackvis`,
#          which reads `perf script` output) is in PATH or STACKVIS names
#          it; else the SVG is skipped with a note.
# Not part of any build or test: a tool for whoever tunes the datapath.
# Debian's libcrypto has no symbols for its assembly (AES-NI, GHASH): those
# samples show as addresses inside libcrypto.so.3.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 PERF_DATA OUT_PREFIX" >&2
	exit 2
fi
DATA=$1
OUT=$2
STACKVIS=${STACKVIS:-$(command -v stackvis || true)}

report() {	# perf report options...
	perf report -i "$DATA" --stdio -g none --percent-limit 0.5 "$@" 2>/dev/null |
		grep '%' || true
}

{
	echo "# perf profile: $(basename "$DATA")"
	perf report -i "$DATA" --stdio --header-only 2>/dev/null |
		grep -E '^# (captured on|nrcpus avail|cpudesc)' || true
	echo "# samples: $(perf report -i "$DATA" --stdio -g none --sort dso 2>/dev/null |
		sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -n 1)"
	echo
	echo "## by DSO (self)"
	report --no-children --sort dso
	echo
	echo "## by function, self (>= 0.5%)"
	report --no-children --sort dso,sym
	echo
	echo "## by function with its callees (children; >= 0.5%, top 60)"
	report --children --sort sym | head -n 60
} >"$OUT.top.txt"

if [ -n "$STACKVIS" ]; then
	perf script -i "$DATA" 2>/dev/null | "$STACKVIS" perf flamegraph-svg >"$OUT.svg"
else
	echo "profile.sh: no stackvis: $OUT.svg not written" >&2
fi
