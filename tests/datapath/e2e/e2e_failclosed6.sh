#!/bin/sh
# Fail closed (IPv6): the transport-mode pair over IPv6. Inbound, a
# spoofed datagram from B with source port 500 or 4500 to another port is
# dropped, whole and in fragments (IPv6 reaches the input hook fragment by
# fragment unless conntrack defragments: the first fragment carries the
# verdict, the others alone are never reassembled), IKE to 500 passes;
# with and without conntrack. Then kill -9 of fwpd A in the middle of
# traffic both ways: no cleartext on the wire, the guard stays.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init f6
A6=2001:db8:1::1
B6=2001:db8:1::2
e2e_fwpd a
e2e_fwpd b
e2e_keying a --local $A6 --remote $B6 --spi-in $SPI_BA --spi-out $SPI_AB \
	--key-in $KEY_BA --key-out $KEY_AB
e2e_keying b --local $B6 --remote $A6 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA
ip -6 -n "$NSA" route show table 18000 | grep -q "^$B6 dev fwp0" ||
	fail "A does not route B into fwp0: $(ip -6 -n "$NSA" route show table 18000)"
r=$(udp_run a b $B6 200)
[ "$(json_get "$r" unique)" = 200 ] || fail "A->B over IPv6: $r"

from_b() {
	netns_bg "$NSA" "$PY" "$TRAFFIC" recv "$2" 1 >"$DIR/recv-in.json"
	_r=$NETNS_LAST_PID
	sleep 0.3
	ip netns exec "$NSB" "$PY" "$TRAFFIC" raw-udp $B6 $A6 "$1" "$2" "$3" 0x4650 ${4:-} ||
		fail "raw-udp"
	wait "$_r"
	json_get "$(cat "$DIR/recv-in.json")" received
}

inbound_checks() {
	c0=$(stat a drops invalid_clear_text_inbound)
	[ "$(from_b 500 9005 10)" = 0 ] || fail "source port 500 let in ($1)"
	[ "$(from_b 4500 9005 10)" = 0 ] || fail "source port 4500 let in ($1)"
	[ "$(from_b 4500 9005 5 64)" = 0 ] || fail "fragmented, source port 4500 let in ($1)"
	[ "$(from_b 40000 9005 5 64)" = 0 ] || fail "fragmented cleartext let in ($1)"
	c1=$(stat a drops invalid_clear_text_inbound)
	[ $((c1 - c0)) -ge 30 ] || fail "cleartext drops counted: $c0 -> $c1 ($1)"
	[ "$(from_b 40000 500 10)" = 10 ] || fail "IKE to port 500 dropped ($1)"
	[ "$(from_b 40000 500 5 64)" = 5 ] || fail "fragmented IKE to port 500 dropped ($1)"
	note "inbound IPv6 ($1): source port 500/4500 and fragments to 9005 dropped ($((c1 - c0)) counted); IKE to 500 admitted, whole and fragmented"
}
inbound_checks "no conntrack"
e2e_nft "$NSA" "add table inet e2e_ct
add chain inet e2e_ct pre { type filter hook prerouting priority 0; }
add rule inet e2e_ct pre ct state new counter" || fail "conntrack in A"
inbound_checks "conntrack defragments"

capture_start b
netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9000 2 >"$DIR/recv-b.json"
rb=$NETNS_LAST_PID
sleep 0.3
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B6 9000 1000 0.002 &
sa=$!
ip netns exec "$NSB" "$PY" "$TRAFFIC" send $A6 9000 1000 0.002 &
sb=$!
sleep 1
pid=$(e2e_fwpd_pid "$NSA" "$DIR/a.sock") || fail "no fwpd in A"
kill -9 "$pid"
wait "$sa" "$sb"
wait "$rb"
capture_stop
n=$(capture_clear)
[ "$n" = 0 ] || fail "$n cleartext frames on the wire after kill -9"
got=$(json_get "$(cat "$DIR/recv-b.json")" unique)
[ "$got" -gt 0 ] && [ "$got" -lt 1000 ] || fail "B received $got of 1000"
e2e_nft "$NSA" "list set inet fwpd_fwp0 out6" | grep -q "$B6" || fail "no IPv6 guard left for B"
note "kill -9 of fwpd A mid-stream (IPv6): B got $got of 1000, 0 frames in the clear"
echo PASS
