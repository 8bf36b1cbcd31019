#!/bin/sh
# make demo: the example keying module against the in-process engine, then
# against a private fwpd (on a socket in a temporary directory), with
# fwpctl showing the service's SA database from outside.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
build=$1
example=$build/examples/keying_module
fwpd=$build/fwpd
fwpctl=$build/src/fwpctl/fwpctl

echo "### 1. in-process engine (FWP_ENGINE=embedded)"
FWP_ENGINE=embedded "$example"

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
"$fwpd" --foreground --socket "$dir/fwpd.sock" --state-dir "$dir/state" &
pid=$!
i=0
while [ ! -S "$dir/fwpd.sock" ]; do
	i=$((i + 1))
	[ $i -gt 500 ] && { echo "demo: fwpd did not start" >&2; exit 1; }
	sleep 0.01
done

export FWP_ENGINE=service FWP_SOCKET="$dir/fwpd.sock"
# Another process watches the service while the keying module works.
"$fwpctl" monitor --count 7 >"$dir/monitor.log" &
mon=$!
sleep 0.3

echo
echo "### 2. the same keying module against fwpd (FWP_ENGINE=service)"
"$example"

wait "$mon" || true
echo
echo "### 3. what \`fwpctl monitor\` saw from another process"
cat "$dir/monitor.log"
echo
echo "### 4. \`fwpctl stats\` (this fwpd has no datapath: the traffic counters stay 0)"
"$fwpctl" stats | head -8

# The datapath, in two network namespaces (root only; it says so otherwise).
kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
pid=
echo
"$(dirname "$0")/demo_datapath.sh" "$build"
