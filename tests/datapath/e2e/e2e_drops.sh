#!/bin/sh
# Hostile input reaches B's datapath from the wire (injected on A's side,
# past A's datapath): a replayed ESP packet, a tampered one and one with an
# unknown SPI are all dropped, each counted where IPsecGetStatistics1 and
# the per-SA counters say, nothing is delivered twice, and the unknown SPI
# raises an IPSEC_KERNEL_DROP net event (STATUS_IPSEC_BAD_SPI). Cleartext
# from the peer that skips the datapath is dropped by A's guard.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init dr
e2e_fwpd a
e2e_fwpd b
e2e_pair

sniff_start b
sleep 0.2
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 5 0.01
sleep 0.3
sniff_stop
pkt=$(tail -1 "$DIR/sniff.jsonl" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["hex"])')
[ -n "$pkt" ] || fail "no ESP packet captured"
[ "$(counters b 1 inbound packets)" = 5 ] || fail "B inbound packets before the attack"

e2e_in b "$NETEV" --count 1 --timeout 10 >"$DIR/netev.log" &
ev=$!
netns_track $ev
i=0
while ! grep -q ready "$DIR/netev.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

inject() {
	ip netns exec "$NSA" "$PY" "$TRAFFIC" inject "$1" 0x4650 || fail "inject"
	sleep 0.2
}

inject "$pkt"
[ "$(counters b 1 inbound replay_drops)" = 1 ] || fail "replay not counted"
[ "$(stat b esp_drops replay_check_failures_on_inbound)" = 1 ] || fail "replay statistics"
note "replayed packet dropped and counted"

# A sequence number not seen yet (else the replay check, which comes
# first, would drop it) and one ciphertext byte flipped.
bad=$("$PY" -c 'import sys; b=bytearray.fromhex(sys.argv[1]); b[24:28]=(1000).to_bytes(4,"big"); b[len(b)-30]^=0x40; print(b.hex())' "$pkt")
inject "$bad"
[ "$(counters b 1 inbound icv_failures)" = 1 ] || fail "tampering not counted"
[ "$(stat b esp_drops authentication_failures_on_inbound)" = 1 ] || fail "ICV statistics"
note "tampered packet dropped and counted"

unknown=$("$PY" -c 'import sys; b=bytearray.fromhex(sys.argv[1]); b[20:24]=bytes.fromhex("deadbeef"); print(b.hex())' "$pkt")
inject "$unknown"
[ "$(stat b esp_drops invalid_spis_on_inbound)" = 1 ] || fail "unknown SPI not counted"
wait $ev || fail "no net event: $(cat "$DIR/netev.log")"
grep -q "ipsec_drop status=0xc0360001 spi=0xdeadbeef dir=in" "$DIR/netev.log" ||
	fail "net event: $(cat "$DIR/netev.log")"
note "unknown SPI dropped, counted, net event raised"

# Cleartext from the protected peer, past B's own datapath (its socket
# carries fwpd's mark): A's guard drops it in the kernel, counts it and
# raises a net event (STATUS_IPSEC_CLEAR_TEXT_DROP).
e2e_in a "$NETEV" --count 1 --timeout 10 >"$DIR/netev-a.log" &
ev=$!
netns_track $ev
i=0
while ! grep -q ready "$DIR/netev-a.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
netns_bg "$NSA" "$PY" "$TRAFFIC" recv 9003 1.5 >"$DIR/recv-clear.json"
rp=$NETNS_LAST_PID
sleep 0.3
ip netns exec "$NSB" "$PY" "$TRAFFIC" send $A4 9003 10 0.01 - 0x4650
wait "$rp"
[ "$(json_get "$(cat "$DIR/recv-clear.json")" received)" = 0 ] ||
	fail "cleartext from the peer delivered: $(cat "$DIR/recv-clear.json")"
[ "$(stat a drops invalid_clear_text_inbound)" = 10 ] ||
	fail "cleartext drops: $(stat a drops invalid_clear_text_inbound)"
wait $ev || fail "no net event for cleartext"
grep -q "ipsec_drop status=0xc0360007 spi=0x00000000 dir=in" "$DIR/netev-a.log" ||
	fail "cleartext net event: $(cat "$DIR/netev-a.log")"
note "inbound cleartext from the protected peer dropped, counted, net event raised"

# Nothing was delivered twice, and the failed packet did not move the
# window: the next genuine one (6) is taken.
[ "$(counters b 1 inbound packets)" = 5 ] || fail "B delivered an injected packet"
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 1 0
sleep 0.3
[ "$(counters b 1 inbound packets)" = 6 ] || fail "the next genuine packet was not taken"
[ "$(stat b drops total_drop_packets_inbound)" -ge 3 ] || fail "total drops"
echo PASS
