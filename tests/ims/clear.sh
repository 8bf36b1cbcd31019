#!/bin/sh
# clear.sh - fwpctl datapath clear: what a dead in-process keying module
# left is removed on the operator's word, a live one is refused.
#
# Namespace A runs static_keying with the in-process engine and datapath
# (an unbound SA: its guard holds the whole peer, B). While it lives,
# "fwpctl datapath clear" is refused with its PID and changes nothing.
# After kill -9 its guard stays: B cannot ping A; another instance (fwp7)
# starting in A names it in its log and leaves it. "fwpctl datapath clear"
# (root, in A) removes the guard and port rewrite tables, the steering
# rules and routes and the lock file; B pings A again. A second clear finds
# nothing and succeeds.
#
# Needs root; exits 77 (a skip) without it. Environment (CTest): SRC,
# FWPD, KEYING, FWPCTL.
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/datapath/interop/lib.sh"

need_root_tools
interop_init dpclear
KEY=$(hexkey 20)

rm -f "$TMP/a.in"
mkfifo "$TMP/a.in"
FWP_ENGINE=embedded FWP_DATAPATH=tun ip netns exec "$NSA" "$KEYING" --local $A4 \
	--remote $B4 --spi-in 0x100 --spi-out 0x101 --key-in $KEY --key-out $KEY \
	<"$TMP/a.in" >"$TMP/a.out" 2>&1 &
apid=$!
netns_track $apid
exec 7>"$TMP/a.in"
i=0
while ! grep -q '^ready' "$TMP/a.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
grep -q '^ready' "$TMP/a.out" || fatal "static_keying not ready"

# Live: refused, with the holder's PID, nothing removed.
out=$(ip netns exec "$NSA" "$FWPCTL" datapath clear --tun fwp0 2>&1)
rc=$?
[ $rc = 1 ] || fail "a live instance: exit $rc: $out"
echo "$out" | grep -q "alive.*pid $apid" || fail "a live instance: '$out'"
ip netns exec "$NSA" nft list table inet fwpd_fwp0 >/dev/null 2>&1 ||
	fail "the refusal removed the guard"
ip -n "$NSA" rule | grep -q 'lookup 18000' || fail "the refusal removed the rules"
ok "a live instance is refused: $out"

kill -9 $apid
exec 7>&-
wait $apid 2>/dev/null
ip netns exec "$NSA" nft list set inet fwpd_fwp0 in4 | grep -q "$B4" ||
	fail "no guard after kill -9"
ip netns exec "$NSB" ping -c 1 -W 1 $A4 >/dev/null 2>&1 &&
	fail "B pings A while the dead module's guard stays"
ok "kill -9: the guard stays, B cannot ping A"

# Another instance's start names the leftover and leaves it alone.
rm -f "$TMP/o.in"
mkfifo "$TMP/o.in"
FWP_ENGINE=embedded FWP_DATAPATH=tun FWP_TUN_NAME=fwp7 ip netns exec "$NSA" "$KEYING" \
	--local $A4 --remote 198.51.100.9 --spi-in 0x200 --spi-out 0x201 --key-in $KEY \
	--key-out $KEY <"$TMP/o.in" >"$TMP/o.out" 2>&1 &
opid=$!
netns_track $opid
exec 6>"$TMP/o.in"
i=0
while ! grep -q '^ready' "$TMP/o.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
grep -q "instance fwp0 left a guard.*fwpctl datapath clear --tun fwp0" "$TMP/o.out" ||
	fail "another instance's start did not name the leftover: $(cat "$TMP/o.out")"
echo quit >&6
exec 6>&-
i=0
while kill -0 $opid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ip netns exec "$NSA" nft list set inet fwpd_fwp0 in4 | grep -q "$B4" ||
	fail "another instance removed the dead one's guard"
ok "another instance's start names the leftover and keeps it"

ino=$(ip netns exec "$NSA" stat -L -c %i /proc/self/ns/net)
lock=$(ls /run/fwpd/dp-*-"$(printf %x "$ino")"-0.lock 2>/dev/null)
[ -n "$lock" ] || fail "no lock file left by the dead module"
out=$(ip netns exec "$NSA" "$FWPCTL" datapath clear --tun fwp0 2>&1)
rc=$?
[ $rc = 0 ] || fail "clear: exit $rc: $out"
echo "$out" | grep -q "1 guard table, 1 port rewrite table" || fail "clear said: $out"
ip netns exec "$NSA" nft list tables | grep -q 'fwp[dn]_fwp0' &&
	fail "tables left: $(ip netns exec "$NSA" nft list tables)"
ip -n "$NSA" rule | grep -q 'lookup 18000' && fail "rules left: $(ip -n "$NSA" rule)"
[ -n "$lock" ] && [ -e "$lock" ] && fail "lock file left"
ip netns exec "$NSB" ping -c 1 -W 2 $A4 >/dev/null 2>&1 || fail "B cannot ping A after the clear"
ok "cleared: $out; B pings A"

out=$(ip netns exec "$NSA" "$FWPCTL" datapath clear --tun fwp0 2>&1) ||
	fail "a second clear: $out"
echo "$out" | grep -q "0 guard table, 0 port rewrite table, 0 rules" ||
	fail "a second clear said: $out"
out=$("$FWPCTL" datapath clear --bogus 2>&1)
[ $? = 2 ] || fail "a bad argument is no usage error: $out"
finish
