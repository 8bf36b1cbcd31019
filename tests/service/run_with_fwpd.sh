#!/bin/sh
# Runs one test program against a private fwpd: starts the daemon on a
# socket in a temporary directory, runs the program with FWP_ENGINE=service,
# then stops the daemon with SIGTERM and requires a clean exit (no crash,
# no leak report under ASan). FWPD_ARGS adds options to the daemon's.
# Usage: run_with_fwpd.sh FWPD_BINARY PROGRAM [ARGS...]
set -u
fwpd=$1
shift
dir=$(mktemp -d)
chmod 755 "$dir"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# shellcheck disable=SC2086 # FWPD_ARGS is a list of options
"$fwpd" --foreground --socket "$dir/fwpd.sock" --state-dir "$dir/state" ${FWPD_ARGS:-} &
pid=$!
i=0
while [ ! -S "$dir/fwpd.sock" ]; do
	i=$((i + 1))
	if [ $i -gt 500 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "run_with_fwpd: fwpd did not start" >&2
		exit 1
	fi
	sleep 0.01
done

FWP_ENGINE=service FWP_SOCKET="$dir/fwpd.sock" "$@"
status=$?

if ! kill -0 "$pid" 2>/dev/null; then
	echo "run_with_fwpd: fwpd died during the test" >&2
	status=1
else
	kill -TERM "$pid"
	wait "$pid"
	dstatus=$?
	pid=
	if [ $dstatus -ne 0 ]; then
		echo "run_with_fwpd: fwpd exited with $dstatus on SIGTERM" >&2
		status=1
	fi
fi
exit $status
