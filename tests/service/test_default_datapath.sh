#!/bin/sh
# fwpd --datapath tun in its default mode (no --foreground), as users start
# it: the command returns only once the daemon serves and its packet
# threads run, traffic is carried (ESP on the wire), SIGTERM reaches the
# daemon, which removes its socket and its TUN. Before, the threads stayed
# in the parent that daemon() left: nothing was carried and SIGTERM was
# never seen. A start on a busy socket and on a busy UDP port fails with
# the reason. Uses the end-to-end tests' namespaces and helpers
# (tests/datapath/e2e/lib.sh); B runs with --foreground.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init dm

# The daemon of side a, found among the namespace's processes.
daemon_pid() {
	for _p in $(ip netns pids "$NSA"); do
		[ "$(readlink "/proc/$_p/exe")" = "$(readlink -f "$FWPD")" ] && echo "$_p"
	done
}

ip netns exec "$NSA" "$FWPD" --socket "$DIR/a.sock" --state-dir "$DIR/a.state" \
	--datapath tun 2>"$DIR/fwpd-a.log" || fail "fwpd a (default mode) did not start"
[ -S "$DIR/a.sock" ] || fail "fwpd a returned before its socket existed"
ip -n "$NSA" link show fwp0 >/dev/null 2>&1 || fail "fwpd a returned before its TUN existed"
pid=$(daemon_pid)
[ -n "$pid" ] || fail "no fwpd daemon in namespace a"
note "fwpd a: daemon pid $pid, session leader $(ps -o sid= -p "$pid")"
e2e_fwpd b
e2e_pair

sniff_start b
r=$(udp_run a b $B4 100)
sniff_stop
[ "$(json_get "$r" unique)" = 100 ] || fail "A->B UDP through the daemon: $r"
s=$(seq_check $SPI_AB) || fail "A->B ESP sequence: $s"
r=$(udp_run b a $A4 100)
[ "$(json_get "$r" unique)" = 100 ] || fail "B->A UDP into the daemon: $r"
note "100 datagrams each way, ESP on the wire: $s"

# A second daemon in the same namespace: busy socket, then busy UDP port.
if ip netns exec "$NSA" "$FWPD" --socket "$DIR/a.sock" --state-dir "$DIR/a2.state" \
	--datapath tun --tun-name fwp9 2>"$DIR/second.err"; then
	fail "a second fwpd started on a busy socket"
fi
grep -q "is busy: another fwpd is listening there" "$DIR/second.err" ||
	fail "no reason given: $(cat "$DIR/second.err")"
if ip netns exec "$NSA" "$FWPD" --socket "$DIR/a2.sock" --state-dir "$DIR/a2.state" \
	--datapath tun --tun-name fwp9 --no-raw-esp 2>"$DIR/second.err"; then
	fail "a second fwpd started on a busy UDP port"
fi
grep -q "ESP-in-UDP port 4500 is served by instance fwp0 (pid $pid).*--udp-port" "$DIR/second.err" ||
	fail "no reason given: $(cat "$DIR/second.err")"
[ "$(daemon_pid)" = "$pid" ] || fail "the first daemon is not alone"

e2e_cmd a delete
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "fwpd a ignored SIGTERM"
	sleep 0.05
done
[ -e "$DIR/a.sock" ] && fail "socket left after SIGTERM"
ip -n "$NSA" link show fwp0 >/dev/null 2>&1 && fail "TUN left after SIGTERM"
echo "PASS"
