#!/bin/sh
# harness.sh - uml-run.sh does what it promises: the command's exit status,
# output and error kept apart, arguments and environment intact, the same
# working directory, root, a guest with what the kernel tests need, the
# host's tree untouched unless shared with --rw, two runs side by side,
# and a timeout or a signal that leaves no UML process behind.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RUNNER=$HERE/uml-run.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# left RUNNER_PID: the UML processes of that run still alive (its umid).
left() {
	pgrep -f "umid=uml-run-$1-" || :
}

mkdir "$T/wd" "$T/shared"

# 1 and 2 in parallel: everything about one command; a --rw share.
(
	cd "$T/wd"
	FWP_UML_Q="it's a \"b\" \$c
two lines" sh "$RUNNER" -- sh -c '
	printf "%s|" "$@"; echo
	printf "%s\n" "$FWP_UML_Q"; pwd; id -u
	echo "to stderr" >&2
	test -c /dev/net/tun || echo "no /dev/net/tun" >&2
	modprobe esp4 || echo "no esp4" >&2
	ip netns add uml-harness || echo "no ip netns" >&2
	echo x > "/tmp/uml-harness.$$" && echo tmp-ok
	echo y > ./written && echo wd-ok
	exit 7' sh "a b" "c'd" '' > "$T/out1" 2> "$T/err1" || rc=$?
	echo "${rc:-0}" > "$T/rc1"
) &
p1=$!
sh "$RUNNER" --rw "$T/shared" -- sh -c "echo z > $T/shared/kept" \
	> "$T/out2" 2> "$T/err2" || fail "the --rw run failed: $(cat "$T/err2")"
wait $p1 || :

[ "$(cat "$T/rc1")" = 7 ] || fail "exit status $(cat "$T/rc1"), not 7: $(cat "$T/err1")"
cat > "$T/want1" <<EOW
a b|c'd||
it's a "b" \$c
two lines
$T/wd
0
tmp-ok
wd-ok
EOW
diff -u "$T/want1" "$T/out1" || fail "standard output differs"
[ "$(cat "$T/err1")" = "to stderr" ] || fail "standard error: $(cat "$T/err1")"
[ ! -e "$T/wd/written" ] || fail "the guest wrote to the host's tree"
[ "$(cat "$T/shared/kept" 2>/dev/null)" = z ] ||
	fail "the --rw directory did not keep the guest's file"

# 3: --timeout kills the guest and every UML process; status 124.
start=$(date +%s)
sh "$RUNNER" --timeout 3 -- sleep 60 > /dev/null 2> "$T/err3" &
p3=$!
rc=0
wait $p3 || rc=$?
[ $rc = 124 ] || fail "timeout: status $rc, not 124: $(cat "$T/err3")"
[ $(($(date +%s) - start)) -lt 30 ] || fail "timeout took too long"
[ -z "$(left $p3)" ] || fail "UML processes left after the timeout: $(left $p3)"

# 4: SIGTERM of the runner (the guest runs, not boots): the same.
sh "$RUNNER" --timeout 60 -- sh -c 'echo up > /dev/console; sleep 60' \
	> /dev/null 2> "$T/err4" &
p4=$!
i=0
while [ -z "$(left $p4)" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 2
kill -TERM $p4
rc=0
wait $p4 || rc=$?
[ $rc = 143 ] || fail "SIGTERM: status $rc, not 143: $(cat "$T/err4")"
sleep 0.5
[ -z "$(left $p4)" ] || fail "UML processes left after SIGTERM: $(left $p4)"
echo "PASS: uml-run.sh"
