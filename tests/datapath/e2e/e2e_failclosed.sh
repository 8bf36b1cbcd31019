#!/bin/sh
# Fail closed (IPv4): fwpd A protects B (transport mode) and dies by
# kill -9 in the middle of traffic both ways: a capture on B's side sees
# no cleartext, A's guard table stays in the kernel with B in it. A new
# fwpd takes the namespace over: before its keying module is back,
# traffic to B is still dropped; after, it flows as ESP. A route to B in a
# higher-priority table (an IKE daemon's table 220) does not matter: the
# traffic is routed into the TUN again, or, with a rule ahead of that,
# dropped; never in the clear. Inbound, a spoofed datagram from B with
# source port 500 or 4500 to another port is dropped, IKE to 500 and 4500
# passes; whole and fragmented alike, with and without conntrack's
# defragmentation in the namespace.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init fc
e2e_fwpd a
e2e_fwpd b
e2e_pair
ip -n "$NSA" route show table 18000 | grep -q "^$B4 dev fwp0" || fail "A does not route B into fwp0"

# ---- kill -9 in the middle of traffic both ways ----
capture_start b
netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9000 2 >"$DIR/recv-b.json"
rb=$NETNS_LAST_PID
netns_bg "$NSA" "$PY" "$TRAFFIC" recv 9000 2 >"$DIR/recv-a.json"
ra=$NETNS_LAST_PID
sleep 0.3
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 1500 0.002 &
sa=$!
ip netns exec "$NSB" "$PY" "$TRAFFIC" send $A4 9000 1500 0.002 &
sb=$!
sleep 1
pid=$(e2e_fwpd_pid "$NSA" "$DIR/a.sock") || fail "no fwpd in A"
kill -9 "$pid"
wait "$sa" "$sb"
wait "$ra" "$rb"
capture_stop
n=$(capture_clear)
[ "$n" = 0 ] || fail "$n cleartext frames on the wire after kill -9"
got=$(json_get "$(cat "$DIR/recv-b.json")" unique)
[ "$got" -gt 0 ] && [ "$got" -lt 1500 ] || fail "B received $got of 1500"
esp=$(capture_count 'p["proto"] == 50')
note "kill -9 of fwpd A mid-stream: B got $got of 1500, $esp ESP frames, 0 in the clear"
ip -n "$NSA" link show fwp0 >/dev/null 2>&1 && fail "the TUN outlived fwpd"
e2e_nft "$NSA" "list set inet fwpd_fwp0 out4" | grep -q "$B4" ||
	fail "no guard left for B: $(e2e_nft "$NSA" 'list ruleset')"

# The keying module lost its fwpd; it goes, a new fwpd comes.
exec 7>&-
mv "$DIR/a.out" "$DIR/a.out.1"
rm -f "$DIR/a.in" "$DIR/a.sock"
e2e_fwpd a
e2e_nft "$NSA" "list set inet fwpd_fwp0 out4" | grep -q "$B4" || fail "the successor dropped B's guard"
for r in "fwmark 0x4651 lookup 18000" "not from all fwmark 0x4650 lookup 18000"; do
	[ "$(ip -n "$NSA" rule | grep -c "$r")" = 1 ] || fail "rule '$r' not once: $(ip -n "$NSA" rule)"
done
if [ -n "$E2E_FWPD_MODE" ]; then
	grep -q "took over 2 protected prefixes" "$DIR/fwpd-a.log" ||
		fail "no takeover: $(cat "$DIR/fwpd-a.log")"
fi
capture_start b
r=$(udp_run a b $B4 50)
capture_stop
[ "$(json_get "$r" received)" = 0 ] || fail "delivered before the keying module came back: $r"
[ "$(capture_clear)" = 0 ] || fail "cleartext while the successor waits for SAs"
note "successor: B still dropped until protected again"
e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
	--key-in $KEY_BA --key-out $KEY_AB
# B's SA pair is the old one: its outbound sequence carries on, A's new
# inbound SA accepts it; A's new outbound SA starts at 1 again, which B's
# replay window refuses: B's side starts over too.
e2e_cmd b delete
exec 8>&-
mv "$DIR/b.out" "$DIR/b.out.1"
rm -f "$DIR/b.in"
e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA
capture_start b
r=$(udp_run a b $B4 300)
capture_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B after the takeover: $r"
[ "$(capture_clear)" = 0 ] || fail "cleartext after the takeover"
[ "$(capture_count 'p["proto"] == 50 and p["dir"] == "in"')" -ge 150 ] || fail "no ESP after the takeover"
note "successor with a new keying module: 300 datagrams, ESP only"

# ---- a route to B in a table ahead of the steering ----
ip -n "$NSA" rule add pref 220 table 220
ip -n "$NSA" route add $B4 dev veth0 table 220
capture_start b
r=$(udp_run a b $B4 300)
capture_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B with table 220: $r"
[ "$(capture_clear)" = 0 ] || fail "cleartext with a route in table 220"
[ "$(capture_count 'p["proto"] == 50 and p["dir"] == "in"')" -ge 150 ] || fail "not ESP with table 220"
note "route in table 220 (priority 220): traffic routed into the TUN again, ESP"
ip -n "$NSA" rule add pref 100 table 220
capture_start b
r=$(udp_run a b $B4 100)
capture_stop
[ "$(json_get "$r" received)" = 0 ] || fail "delivered past the datapath: $r"
[ "$(capture_clear)" = 0 ] || fail "cleartext with a rule ahead of the reroute"
note "rule at priority 100, ahead of everything of fwpd's: dropped, not in the clear"
ip -n "$NSA" rule del pref 100 table 220
ip -n "$NSA" rule del pref 220 table 220

# ---- inbound: source ports prove nothing ----
# from_b SPORT DPORT COUNT [FRAG]: hand-made datagrams from B to A, past
# B's datapath (its mark); prints how many A's receiver on DPORT got.
from_b() {
	netns_bg "$NSA" "$PY" "$TRAFFIC" recv "$2" 1 >"$DIR/recv-in.json"
	_r=$NETNS_LAST_PID
	sleep 0.3
	ip netns exec "$NSB" "$PY" "$TRAFFIC" raw-udp $B4 $A4 "$1" "$2" "$3" 0x4650 ${4:-} ||
		fail "raw-udp"
	wait "$_r"
	json_get "$(cat "$DIR/recv-in.json")" received
}

inbound_checks() {
	c0=$(stat a drops invalid_clear_text_inbound)
	[ "$(from_b 500 9005 10)" = 0 ] || fail "source port 500 let in ($1)"
	[ "$(from_b 4500 9005 10)" = 0 ] || fail "source port 4500 let in ($1)"
	[ "$(from_b 4500 9005 5 64)" = 0 ] || fail "fragmented, source port 4500 let in ($1)"
	c1=$(stat a drops invalid_clear_text_inbound)
	[ $((c1 - c0)) -ge 25 ] || fail "cleartext drops counted: $c0 -> $c1 ($1)"
	[ "$(from_b 40000 500 10)" = 10 ] || fail "IKE to port 500 dropped ($1)"
	[ "$(from_b 40000 500 5 64)" = 5 ] || fail "fragmented IKE to port 500 dropped ($1)"
	c2=$(stat a drops invalid_clear_text_inbound)
	ip netns exec "$NSB" "$PY" "$TRAFFIC" raw-udp $B4 $A4 4500 4500 5 0x4650
	sleep 0.3
	[ "$(stat a drops invalid_clear_text_inbound)" = "$c2" ] || fail "UDP to 4500 dropped ($1)"
	note "inbound ($1): source port 500/4500 to 9005 dropped, whole and in fragments; to 500 and 4500 admitted"
}
inbound_checks "no conntrack"
e2e_nft "$NSA" "add table ip e2e_ct
add chain ip e2e_ct pre { type filter hook prerouting priority 0; }
add rule ip e2e_ct pre ct state new counter" || fail "conntrack in A"
inbound_checks "conntrack defragments"
echo PASS
