#!/bin/sh
# Transport mode, AES-GCM-128, plain ESP: UDP both ways, a TCP transfer,
# only ESP on the wire, per-SA counters and IPsecGetStatistics1 from the
# traffic, routes added and removed with the SAs.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init tr
e2e_fwpd a
e2e_fwpd b
e2e_pair
ip -n "$NSA" route show table 18000 | grep -q "^$B4 dev fwp0" ||
	fail "A routes no protected prefix into fwp0"

sniff_start b
r=$(udp_run a b $B4 400)
sniff_stop
[ "$(json_get "$r" unique)" = 400 ] || fail "A->B UDP: $r"
s=$(seq_check $SPI_AB) || fail "A->B ESP sequence: $s"
note "A->B: 400 datagrams, ESP on the wire: $s"
grep -q '"kind": "udp"' "$DIR/sniff.jsonl" && fail "ESP-in-UDP without NAT-T"

r=$(udp_run b a $A4 400)
[ "$(json_get "$r" unique)" = 400 ] || fail "B->A UDP: $r"

netns_bg "$NSB" "$PY" "$TRAFFIC" tcp-sink 9100 3 >"$DIR/sink.json"
sink=$NETNS_LAST_PID
sleep 0.3
sent=$(ip netns exec "$NSA" "$PY" "$TRAFFIC" tcp-send $B4 9100 4000000) || fail "tcp-send"
wait "$sink"
got=$(cat "$DIR/sink.json")
[ "$(json_get "$got" bytes)" = 4000000 ] || fail "TCP: $got"
[ "$(json_get "$got" sha256)" = "$(json_get "$sent" sha256)" ] || fail "TCP data differs"
note "TCP: 4 MB intact"

out=$(counters a 1 outbound packets)
[ "$out" -ge 400 ] || fail "A outbound packets $out"
inb=$(counters b 1 inbound packets)
[ "$inb" -ge 400 ] || fail "B inbound packets $inb"
[ "$(counters b 1 inbound icv_failures)" = 0 ] || fail "ICV failures"
[ "$(stat b inbound_traffic total_successful_packets)" -ge 400 ] || fail "B statistics"
[ "$(stat a outbound_traffic total_successful_packets)" -ge 400 ] || fail "A statistics"
[ "$(stat a outbound_traffic transport_bytes)" -ge 4000000 ] || fail "A transport bytes"
[ "$(stat a outbound_traffic tunnel_bytes)" = 0 ] || fail "A tunnel bytes"
note "counters: A out $out packets, B in $inb packets"

e2e_cmd a delete
sleep 0.2
ip -n "$NSA" route show table 18000 | grep -q "$B4" && fail "route left after delete"
echo "PASS"
