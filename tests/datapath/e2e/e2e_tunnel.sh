#!/bin/sh
# Tunnel mode: inner networks 10.1.0.0/24 (A) and 10.2.0.0/24 (B) behind
# the tunnel endpoints 198.51.100.1 and .2, the policy added with
# FwpmIPsecTunnelAdd0 (filters at the transport layers with the tunnel
# callouts). Traffic both ways between the inner addresses; on the wire
# only ESP between the endpoints; inner traffic the policy does not cover
# is not tunnelled.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init tu
ip -n "$NSA" addr add 10.1.0.1/32 dev lo
ip -n "$NSB" addr add 10.2.0.1/32 dev lo
e2e_fwpd a
e2e_fwpd b
e2e_keying a --mode tunnel --local $A4 --remote $B4 --inner-local 10.1.0.0/24 \
	--inner-remote 10.2.0.0/24 --spi-in $SPI_BA --spi-out $SPI_AB \
	--key-in $KEY_BA --key-out $KEY_AB
e2e_keying b --mode tunnel --local $B4 --remote $A4 --inner-local 10.2.0.0/24 \
	--inner-remote 10.1.0.0/24 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA
ip -n "$NSA" route show table 18000 | grep -q "^10.2.0.0/24 dev fwp0" ||
	fail "A routes no inner prefix into fwp0: $(ip -n "$NSA" route show table 18000)"

sniff_start b
r=$(udp_run a b 10.2.0.1 300 9000 10.1.0.1)
sniff_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B inner UDP: $r"
s=$(seq_check $SPI_AB) || fail "A->B ESP: $s"
note "A->B: 300 inner datagrams in ESP between the endpoints: $s"
"$PY" - "$DIR/sniff.jsonl" <<'PYEOF' || fail "outer addresses"
import json, sys
for l in open(sys.argv[1]):
    h = bytes.fromhex(json.loads(l)["hex"])
    assert h[12:16] == bytes([198, 51, 100, 1]) and h[16:20] == bytes([198, 51, 100, 2]), h[:20].hex()
PYEOF

r=$(udp_run b a 10.1.0.1 300 9000 10.2.0.1)
[ "$(json_get "$r" unique)" = 300 ] || fail "B->A inner UDP: $r"
[ "$(counters a 1 inbound packets)" -ge 300 ] || fail "A inbound counter"
[ "$(stat a inbound_traffic tunnel_bytes)" -gt 0 ] || fail "A's statistics: no tunnel bytes"
[ "$(stat a inbound_traffic transport_bytes)" = 0 ] || fail "A's statistics: transport bytes"

# The peer moves (a second address on B): Update0 with a traffic change on
# A moves its outbound SA's outer destination mid-stream; nothing is lost
# and the sequence numbers carry on.
ip -n "$NSB" addr add 198.51.100.3/24 dev veth0
sniff_start b
netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9002 2 >"$DIR/recv.json"
rp=$NETNS_LAST_PID
sleep 0.3
ip netns exec "$NSA" "$PY" "$TRAFFIC" send 10.2.0.1 9002 1500 0.001 10.1.0.1 &
snd=$!
sleep 0.7
e2e_cmd a "move 198.51.100.3"
wait "$snd"
wait "$rp"
sniff_stop
r=$(cat "$DIR/recv.json")
[ "$(json_get "$r" unique)" = 1500 ] || fail "lost during the move: $r"
"$PY" - "$DIR/sniff.jsonl" "$(($SPI_AB))" <<'PYEOF' || fail "outer destination or sequence across the move"
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["spi"] == int(sys.argv[2])]
dst = [bytes.fromhex(p["hex"])[19] for p in pk]
runs = [dst[0]] + [dst[i] for i in range(1, len(dst)) if dst[i] != dst[i - 1]]
seq = [p["seq"] for p in pk]
print("# outer destinations .%s, %d packets" % (" -> .".join(map(str, runs)), len(pk)))
sys.exit(0 if runs == [2, 3] and all(b == a + 1 for a, b in zip(seq, seq[1:])) else 1)
PYEOF
note "peer moved mid-stream: no loss, sequence continuous"

# An inner source outside the policy: not protected by this tunnel.
ip -n "$NSA" addr add 10.9.0.1/32 dev lo
r=$(udp_run a b 10.2.0.1 50 9001 10.9.0.1)
[ "$(json_get "$r" unique)" = 0 ] || fail "uncovered traffic arrived: $r"
note "traffic outside the tunnel policy not tunnelled"

netns_add c && NSC=$NETNS_LAST || fail "netns c"
ip -n "$NSA" link add lan0 type veth peer name lan0 netns "$NSC"
ip -n "$NSA" addr add 10.1.0.254/24 dev lan0
ip -n "$NSA" link set lan0 up
ip -n "$NSC" addr add 10.1.0.2/24 dev lan0
ip -n "$NSC" link set lan0 up
ip -n "$NSC" route add default via 10.1.0.254
netns_forwarding "$NSA" 1
# from_c COUNT: datagrams from C to B's inner address; what B received.
from_c() {
	netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9004 1.5 >"$DIR/recv-c.json"
	_r=$NETNS_LAST_PID
	sleep 0.3
	ip netns exec "$NSC" "$PY" "$TRAFFIC" send 10.2.0.1 9004 "$1" 0.002
	wait "$_r"
	json_get "$(cat "$DIR/recv-c.json")" unique
}
capture_start b
[ "$(from_c 100)" = 100 ] || fail "C->B through A's tunnel"
ip -n "$NSA" rule add pref 100 table 220
ip -n "$NSA" route add 10.2.0.0/24 dev veth0 table 220
[ "$(from_c 100)" = 0 ] || fail "C->B delivered past A's TUN"
capture_stop
[ "$(capture_clear)" = 0 ] || fail "forwarded traffic in the clear"
note "gateway: C's traffic tunnelled; with a route past the TUN, dropped (no cleartext)"
echo PASS
