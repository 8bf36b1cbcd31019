#!/bin/sh
# Instances: fwpd A (fwp0) protects B. A second fwpd in A's namespace with
# the same TUN is refused with a clear message and touches nothing; one
# whose TUN name falls in the same slot as a running instance is refused
# too. A second instance with another TUN (fwp1, its own UDP port) starts
# beside the first, with its own table, rules and guard; the first keeps
# protecting (a capture on B's side sees no cleartext) while it runs and
# after it stops, and its stop removes only its own state.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init in
e2e_fwpd a
e2e_fwpd b
e2e_pair

# The state of instance fwp0 in A (its rules, routes and guard).
snapshot() {
	{
		ip -n "$NSA" rule | grep -w "18000\|main"
		ip -n "$NSA" -6 rule | grep -w "18000\|main"
		ip -n "$NSA" route show table 18000
		e2e_nft "$NSA" "list table inet fwpd_fwp0"
	} | grep -v "counter packets"
}

# protected WHEN: A->B carried, ESP only on B's wire.
protected() {
	capture_start b
	_r=$(udp_run a b $B4 300)
	capture_stop
	[ "$(json_get "$_r" unique)" = 300 ] || fail "A->B $1: $_r"
	[ "$(capture_clear)" = 0 ] || fail "cleartext $1"
	[ "$(capture_count 'p["proto"] == 50 and p["dir"] == "in"')" -ge 150 ] || fail "no ESP $1"
}

snap0=$(snapshot)
echo "$snap0" | grep -q "lookup 18000" || fail "no rule of fwp0: $snap0"

# The same instance again: refused before anything is touched.
e2e_fwpd_as a2 "$NSA" "$E2E_FWPD_MODE" && fail "a second fwp0 started"
[ -z "$E2E_FWPD_MODE" ] || grep -q "instance fwp0 already runs in this network namespace" \
	"$DIR/fwpd-a2.log" || fail "refusal: $(cat "$DIR/fwpd-a2.log")"
[ "$(snapshot)" = "$snap0" ] || fail "the refused start changed fwp0's state"
protected "after a refused second fwp0"
note "second fwp0 refused: $(grep -o 'instance fwp0 already runs[^:]*' "$DIR/fwpd-a2.log" || true)"

# Another instance beside it.
e2e_fwpd_as a3 "$NSA" "$E2E_FWPD_MODE" --tun-name fwp1 --udp-port 4501 --no-raw-esp ||
	fail "fwp1 did not start: $(cat "$DIR/fwpd-a3.log")"
ip -n "$NSA" rule | grep -q "lookup 18001" || fail "no rule of fwp1"
e2e_nft "$NSA" "list table inet fwpd_fwp1" >/dev/null || fail "no guard of fwp1"
[ "$(snapshot)" = "$snap0" ] || fail "fwp1's start changed fwp0's state"
protected "while fwp1 runs"
# t8 falls in slot 1 (FNV-1a), fwp1's.
e2e_fwpd_as a4 "$NSA" "$E2E_FWPD_MODE" --tun-name t8 --udp-port 4502 --no-raw-esp &&
	fail "t8 started in fwp1's slot"
[ -z "$E2E_FWPD_MODE" ] || grep -q "slot 1 of t8 is held by instance fwp1" \
	"$DIR/fwpd-a4.log" || fail "collision: $(cat "$DIR/fwpd-a4.log")"
note "fwp1 beside fwp0; t8 (same slot as fwp1) refused"

pid=$(e2e_fwpd_pid "$NSA" "$DIR/a3.sock") || fail "no fwpd fwp1"
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$pid" 2>/dev/null && fail "fwp1 did not stop"
ip -n "$NSA" rule | grep -q "lookup 18001" && fail "fwp1's rule left"
e2e_nft "$NSA" "list table inet fwpd_fwp1" >/dev/null 2>&1 && fail "fwp1's guard left"
[ "$(snapshot)" = "$snap0" ] || fail "fwp1's stop changed fwp0's state"
protected "after fwp1 stopped"
note "fwp1 stopped: its state gone, fwp0's untouched and protecting"
echo PASS
