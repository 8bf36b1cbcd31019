#!/bin/sh
# The in-process engine with the datapath (FWP_ENGINE=embedded
# FWP_DATAPATH=tun): the keying module in A carries its own engine and
# datapath, no fwpd; B runs fwpd. UDP both ways, ESP on the wire, NAT-T
# switched on in the middle; at exit A's routing rules and guard are gone.
# Then a module killed with kill -9 in the middle of traffic: a capture on
# B's side sees no cleartext, its guard stays, and the next module takes
# the namespace over and carries the traffic again.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init ip
e2e_fwpd b

# A datapath asked for and not had fails FwpmEngineOpen0, with a reason.
args="--local $A4 --remote $B4 --spi-in 1 --spi-out 2 --key-in $KEY_BA --key-out $KEY_AB"
out=$(FWP_ENGINE=embedded FWP_DATAPATH=bogus "$KEYING" $args </dev/null 2>&1) &&
	fail "FWP_DATAPATH=bogus accepted"
echo "$out" | grep -q "ERROR_INVALID_PARAMETER" || fail "FWP_DATAPATH=bogus: $out"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	out=$(FWP_ENGINE=embedded FWP_DATAPATH=tun setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=-all "$KEYING" $args </dev/null 2>&1) &&
		fail "FWP_DATAPATH=tun accepted without privileges"
	echo "$out" | grep -q "ERROR_ACCESS_DENIED" || fail "unprivileged: $out"
fi

mkfifo "$DIR/a.in"
FWP_ENGINE=embedded FWP_DATAPATH=tun ip netns exec "$NSA" "$KEYING" --local $A4 \
	--remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB --key-in $KEY_BA \
	--key-out $KEY_AB <"$DIR/a.in" >"$DIR/a.out" 2>&1 &
apid=$!
netns_track $apid
exec 7>"$DIR/a.in"
e2e_wait_line a '^ready' 5 || fail "in-process keying module not ready"
e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA
ip -n "$NSA" link show fwp0 >/dev/null || fail "no TUN in A"
ip -n "$NSA" rule | grep -q "lookup 18000" || fail "no steering rule in A"

sniff_start b
r=$(udp_run a b $B4 300)
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B: $r"
e2e_cmd b "natt on 4500 4500"
e2e_cmd a "natt on 4500 4500"
r=$(udp_run a b $B4 300)
sniff_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B after NAT-T on: $r"
s=$(seq_check $SPI_AB) || fail "sequence: $s"
# (The capture may miss a packet under load; the receiver counted all.)
case "$s" in
*" esp,udp") ;;
*) fail "on the wire: $s" ;;
esac
r=$(udp_run b a $A4 300)
[ "$(json_get "$r" unique)" = 300 ] || fail "B->A: $r"
note "in-process datapath: 600 datagrams out ($s), 300 in"

e2e_cmd a quit
i=0
while kill -0 $apid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 $apid 2>/dev/null && fail "the keying module did not exit"
ip -n "$NSA" rule | grep -q "lookup 18000" && fail "steering rule left after exit"
ip -n "$NSA" link show fwp0 >/dev/null 2>&1 && fail "TUN left after exit"
e2e_nft "$NSA" "list table inet fwpd_fwp0" >/dev/null 2>&1 && fail "guard left after a clean exit"

# inproc NAME: an in-process keying module in A (stdin $DIR/NAME.in on
# fd 5, output $DIR/NAME.out); its PID in $apid.
inproc() {
	rm -f "$DIR/$1.in"
	mkfifo "$DIR/$1.in"
	FWP_ENGINE=embedded FWP_DATAPATH=tun ip netns exec "$NSA" "$KEYING" --local $A4 \
		--remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB --key-in $KEY_BA \
		--key-out $KEY_AB <"$DIR/$1.in" >"$DIR/$1.out" 2>&1 &
	apid=$!
	netns_track $apid
	exec 5>"$DIR/$1.in"
	e2e_wait_line "$1" '^ready' 5 || fail "in-process keying module $1 not ready"
}

# B starts over with each new A (sequence numbers start at 1 again).
b_again() {
	e2e_cmd b quit
	exec 8>&-
	mv "$DIR/b.out" "$DIR/b.out.$1"
	rm -f "$DIR/b.in"
	e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
		--key-in $KEY_AB --key-out $KEY_BA
}

b_again 1
inproc a2
capture_start b
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 1000 0.002 &
snd=$!
sleep 1
kill -9 $apid
wait $snd
capture_stop
[ "$(capture_clear)" = 0 ] || fail "cleartext after kill -9 of the in-process datapath"
[ "$(capture_count 'p["proto"] == 50')" -gt 0 ] || fail "no ESP before the kill"
e2e_nft "$NSA" "list set inet fwpd_fwp0 out4" | grep -q "$B4" || fail "no guard after kill -9"
r=$(udp_run a b $B4 50)
[ "$(json_get "$r" received)" = 0 ] || fail "delivered with the module dead: $r"
note "kill -9 of an in-process datapath: its guard stays, no cleartext"
exec 5>&-
b_again 2
inproc a3
grep -q "took over" "$DIR/a3.out" || fail "no takeover: $(cat "$DIR/a3.out")"
capture_start b
r=$(udp_run a b $B4 300)
capture_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B after the takeover: $r"
[ "$(capture_clear)" = 0 ] || fail "cleartext after the takeover"
echo quit >&5
i=0
while kill -0 $apid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
e2e_nft "$NSA" "list table inet fwpd_fwp0" >/dev/null 2>&1 && fail "guard left after the successor's exit"
note "the next in-process module took over: 300 datagrams protected; its exit removed the guard"
echo PASS
