#!/bin/sh
# Packets an IPsec callout filter sends to IPsec when no live outbound SA
# exists (here: after Expire0, the filters stay) are dropped, never sent in
# the clear, counted in FwpxGetStatistics0's outboundNoSaDrops (fwpctl
# stats: outbound_drops.no_sa), and raised as IPSEC_KERNEL_DROP net events
# (STATUS_IPSEC_QUEUE_OVERFLOW, outbound, naming the filter), at most
# 10 a second per packet thread.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init ns
e2e_fwpd a
e2e_fwpd b
e2e_pair --filters

r=$(udp_run a b $B4 20)
[ "$(json_get "$r" unique)" = 20 ] || fail "A->B through the callout filter: $r"
[ "$(stat a outbound_drops no_sa)" = 0 ] || fail "no-SA drops with a live SA"
fid=$(e2e_ctl a --json filter list | "$PY" -c '
import json, sys
print([f["id"] for f in json.load(sys.stdin) if f["name"] == "static_keying IPsec outbound"][0])')
[ -n "$fid" ] || fail "no outbound callout filter"

e2e_in a "$NETEV" --count 1000 --timeout 4 >"$DIR/netev.log" &
ev=$!
netns_track $ev
i=0
while ! grep -q ready "$DIR/netev.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

# fwpctl's net-event monitor, in text and JSON, sees the same events.
e2e_ctl a monitor net --count 2 >"$DIR/mon.txt" 2>&1 &
m1=$!
netns_track $m1
e2e_ctl a -j monitor net --count 1 >"$DIR/mon.json" 2>&1 &
m2=$!
netns_track $m2
sleep 0.5

e2e_cmd a expire
sniff_start b
sleep 0.2
r=$(udp_run a b $B4 300)
sniff_stop
[ "$(json_get "$r" received)" = 0 ] || fail "sent with no outbound SA: $r"
[ -s "$DIR/sniff.jsonl" ] && fail "ESP left A with no outbound SA"
n=$(stat a outbound_drops no_sa)
[ "$n" -ge 300 ] && [ "$n" -le 310 ] || fail "no-SA drops counted: $n, expected 300"
note "300 packets without an SA: dropped, $n counted"

wait $ev	# runs out its 4 s: counts every event meanwhile
events=$(grep -c "^ipsec_drop status=0xc000a010 spi=0x00000000 dir=out filter=$fid$" "$DIR/netev.log")
others=$(grep -vc -e '^ready' -e '^ipsec_drop status=0xc000a010 ' "$DIR/netev.log")
[ "$events" -ge 1 ] || fail "no net event for the no-SA drops: $(cat "$DIR/netev.log")"
[ "$events" -le 20 ] || fail "$events net events for one flow in under 2 s: not rate-limited"
[ "$others" = 0 ] || fail "unexpected net events: $(cat "$DIR/netev.log")"
note "$events IPSEC_KERNEL_DROP net events (STATUS_IPSEC_QUEUE_OVERFLOW, filter $fid)"
wait $m1 || fail "fwpctl monitor net: $(cat "$DIR/mon.txt")"
wait $m2 || fail "fwpctl -j monitor net: $(cat "$DIR/mon.json")"
[ "$(wc -l <"$DIR/mon.txt")" -eq 2 ] || fail "fwpctl monitor net --count 2: $(cat "$DIR/mon.txt")"
grep -Eq "^[0-9T:.+-]+ ipsec-drop outbound status 0xc000a010 spi 0x00000000 filter $fid proto 17 $A4:[0-9]+ -> $B4:9000\$" \
	"$DIR/mon.txt" || fail "fwpctl monitor net: $(cat "$DIR/mon.txt")"
"$PY" -c '
import json, sys
e = json.loads(open(sys.argv[1]).read())
want = {"type": "ipsec-drop", "direction": "outbound", "status": 0xC000A010, "spi": 0,
        "filter_id": int(sys.argv[2]), "protocol": 17, "local": sys.argv[3],
        "remote": sys.argv[4], "remote_port": 9000}
bad = {k: e.get(k) for k in want if e.get(k) != want[k]}
sys.exit("fwpctl -j monitor net: %r in %s" % (bad, e) if bad else 0)' \
	"$DIR/mon.json" "$fid" "$A4" "$B4" || fail "fwpctl -j monitor net fields"
note "fwpctl monitor net: text and JSON"
echo PASS
