#!/bin/sh
# Filters decide: SAs bound to IPsec callout filters (strongSwan's way) carry
# the traffic, a BLOCK filter drops a port with a CLASSIFY_DROP net event
# naming it, Expire0 stops the outbound SA at once (traffic is dropped, not
# sent in the clear) while the inbound one drains, DeleteById0 stops both.
# Then lifetimes in packets: SOFT_LIFETIME at 90%, the context deleted at 100%.
# First, a transaction's filters reach the datapath at its commit only: an
# IPsec filter added in a transaction routes and guards its prefix from
# the commit, never before it nor after an abort, and a deletion aborted
# leaves both.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init po
e2e_fwpd a
e2e_fwpd b

TP=203.0.113.0/24
routed() { ip -n "$NSA" route show table 18000 2>/dev/null | grep -c "^$TP dev fwp0"; }
guarded() { e2e_nft "$NSA" "list table inet fwpd_fwp0" | grep -c "203\.0\.113\.0/24"; }
# tcmd COMMAND: to txn_filter; its answer's rest ("" or the id) on stdout.
tcmd() {
	_n=$(grep -c '^\(ok\|error\)' "$DIR/t.out")
	echo "$1" >&6
	_i=0
	while [ "$(grep -c '^\(ok\|error\)' "$DIR/t.out")" -le "$_n" ]; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "no answer from txn_filter to: $1"
		sleep 0.05
	done
	_last=$(grep '^\(ok\|error\)' "$DIR/t.out" | tail -1)
	case "$_last" in
	ok*) echo "${_last#ok}" ;;
	*) fail "txn_filter: $1: $_last" ;;
	esac
}
expect_tp() {
	[ "$(routed)" = "$1" ] || fail "$3: route to $TP: $(ip -n "$NSA" route show table 18000 2>&1)"
	[ "$(guarded)" -ge "$2" ] && { [ "$2" != 0 ] || [ "$(guarded)" = 0 ]; } ||
		fail "$3: guard of $TP: $(e2e_nft "$NSA" "list table inet fwpd_fwp0")"
}
mkfifo "$DIR/t.in"
e2e_in a "$TXNF" <"$DIR/t.in" >"$DIR/t.out" 2>&1 &
netns_track $!
exec 6>"$DIR/t.in"
e2e_wait_line t '^ready' 5 || fail "txn_filter not ready: $(cat "$DIR/t.out")"
tcmd begin >/dev/null
tcmd "add $TP" >/dev/null
expect_tp 0 0 "added in an open transaction"
tcmd abort >/dev/null
expect_tp 0 0 "aborted"
tcmd begin >/dev/null
id=$(tcmd "add $TP")
id=${id# }
expect_tp 0 0 "added again, before the commit"
tcmd commit >/dev/null
expect_tp 1 1 "committed"
tcmd begin >/dev/null
tcmd "del $id" >/dev/null
expect_tp 1 1 "deleted in an open transaction"
tcmd abort >/dev/null
expect_tp 1 1 "deletion aborted"
tcmd "del $id" >/dev/null
expect_tp 0 0 "deleted outside a transaction"
echo quit >&6
exec 6>&-
note "a transaction's IPsec filter: no route or guard before the commit or after an abort"
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
