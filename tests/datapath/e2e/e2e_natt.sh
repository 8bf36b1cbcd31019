#!/bin/sh
# IPsecSaContextUpdate0 turns NAT-T on and off during a running UDP stream:
# no datagram lost, the ESP sequence numbers of the outbound SA strictly
# increasing across plain ESP -> ESP in UDP 4500 -> plain ESP.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init nt
e2e_fwpd a
e2e_fwpd b
e2e_pair

sniff_start b
netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9000 2 >"$DIR/recv.json"
rp=$NETNS_LAST_PID
sleep 0.3
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 3000 0.001 &
sender=$!
sleep 0.8
# B first (its inbound SA takes both forms anyway), then A's outbound.
e2e_cmd b "natt on 4500 4500"
e2e_cmd a "natt on 4500 4500"
note "NAT-T on mid-stream"
sleep 0.8
e2e_cmd a "natt off"
e2e_cmd b "natt off"
note "NAT-T off mid-stream"
wait "$sender"
wait "$rp"
sniff_stop
r=$(cat "$DIR/recv.json")
[ "$(json_get "$r" unique)" = 3000 ] || fail "lost datagrams: $r"
s=$(seq_check $SPI_AB) || fail "sequence: $s"
case "$s" in
*esp,udp*) ;;
*) fail "not both plain and UDP-encapsulated ESP: $s" ;;
esac
"$PY" - "$DIR/sniff.jsonl" "$(($SPI_AB))" <<'PYEOF' || fail "the switch order"
import json, sys
k = [json.loads(l)["kind"] for l in open(sys.argv[1]) if json.loads(l)["spi"] == int(sys.argv[2])]
runs = [k[0]] + [k[i] for i in range(1, len(k)) if k[i] != k[i - 1]]
print("# runs:", runs)
sys.exit(0 if runs == ["esp", "udp", "esp"] else 1)
PYEOF
note "3000 datagrams, none lost; ESP sequence: $s"
echo PASS
