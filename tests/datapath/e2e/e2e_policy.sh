#!/bin/sh
# Filters decide: SAs bound to IPsec callout filters (strongSwan's way) carry
# the traffic, a BLOCK filter drops a port with a CLASSIFY_DROP net event
# naming it, Expire0 stops the outbound SA at once (traffic is dropped, not
# sent in the clear) while the inbound one drains, DeleteById0 stops both.
# Then lifetimes in packets: SOFT_LIFETIME at 90%, the context deleted at 100%.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init po
e2e_fwpd a
e2e_fwpd b
e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
	--key-in $KEY_BA --key-out $KEY_AB --filters --block udp:9
e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA --filters

r=$(udp_run a b $B4 200)
[ "$(json_get "$r" unique)" = 200 ] || fail "A->B through the callout filter: $r"
note "traffic through the bound callout filters"

e2e_in a "$NETEV" --count 1 --timeout 10 >"$DIR/netev.log" &
ev=$!
netns_track $ev
i=0
while ! grep -q ready "$DIR/netev.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
r=$(udp_run a b $B4 20 9)
[ "$(json_get "$r" received)" = 0 ] || fail "blocked port reached B: $r"
wait $ev || fail "no net event"
line=$(grep classify_drop "$DIR/netev.log" | head -1) && [ -n "$line" ] || fail "net event: $(cat "$DIR/netev.log")"
case "$line" in
*"proto=17 local=$A4:"*" remote=$B4:9") ;;
*) fail "net event fields: $line" ;;
esac
fid=$(echo "$line" | sed 's/.*filter=\([0-9]*\).*/\1/')
e2e_ctl a --json filter show "$fid" | grep -qi block || fail "filter $fid is not the BLOCK filter"
note "blocked: $line"

e2e_cmd a expire
r=$(udp_run a b $B4 50)
[ "$(json_get "$r" received)" = 0 ] || fail "sent after Expire0: $r"
r=$(udp_run b a $A4 50)
[ "$(json_get "$r" unique)" = 50 ] || fail "inbound not draining after Expire0: $r"
note "Expire0: outbound stopped, inbound drains"
e2e_cmd a delete
before=$(stat a esp_drops invalid_spis_on_inbound)
r=$(udp_run b a $A4 20)
[ "$(json_get "$r" received)" = 0 ] || fail "delivered after DeleteById0: $r"
[ "$(stat a esp_drops invalid_spis_on_inbound)" -ge $((before + 20)) ] || fail "not counted as unknown SPI"
note "DeleteById0: both stopped"
e2e_cmd a quit
e2e_cmd b quit
exec 7>&- 8>&-
rm -f "$DIR/a.in" "$DIR/b.in"

# Lifetimes in packets (100): soft at 90, hard at 100; the filters stay, so
# once the SA is gone the traffic is dropped, not sent in the clear.
e2e_pair --lifetime-packets 100 --filters
udp_run a b $B4 92 >/dev/null
e2e_wait_line a '^event SOFT_LIFETIME' 3 || fail "no SOFT_LIFETIME on A at 92 of 100 packets"
grep -q '^event DELETE' "$DIR/a.out" && fail "deleted before the hard limit"
r=$(udp_run a b $B4 20)
[ "$(json_get "$r" received)" -le 8 ] || fail "more than 100 packets went through: $r"
e2e_wait_line a '^event DELETE' 3 || fail "no DELETE on A at the hard limit"
e2e_wait_line b '^event DELETE' 3 || fail "no DELETE on B (its inbound SA's limit)"
note "lifetime: SOFT_LIFETIME at 90%, deleted at 100%"
e2e_cmd a quit
e2e_cmd b quit
exec 7>&- 8>&-
rm -f "$DIR/a.in" "$DIR/b.in" "$DIR/a.out" "$DIR/b.out"

# Idle timeout (2 s) from the datapath's last use: kept alive by traffic
# for 3 s, deleted once it stops.
e2e_pair --idle-seconds 2 --filters
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 60 0.05
grep -q '^event DELETE' "$DIR/a.out" && fail "idle timeout fired while traffic flowed"
e2e_wait_line a '^event DELETE' 5 || fail "no DELETE after 2 s idle"
note "idle timeout: alive under traffic, deleted when idle"
echo PASS
