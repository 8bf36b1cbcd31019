#!/bin/sh
# sw_routes.sh - routing from others must not matter: the protected host
# addresses sit on the veth, so the kernel-wfp plugin's own routes for its
# tunnel policies (table 220, rule priority 220, ahead of the datapath's
# rules) are installed on both sides, as is a route a user adds in main;
# a capture on B's wire still shows only ESP, no cleartext of the tunnel's
# addresses, in either direction. This needs the datapath's outbound
# guarantee: protected traffic never leaves unprotected whatever the
# routes say.
. "$SRC/tests/strongswan/lib.sh"
HOST_DEV=veth0 sw_init routes
sw_charon a kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun
sw_charon b kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun
ENCAP=no sw_swanctl_conf a
ENCAP=no sw_swanctl_conf b
sw_up
for s in a b; do
	r=$(ip -n "$(ns_of $s)" route show table 220)
	[ -n "$r" ] || fail "$s: the plugin installed no route in table 220 (charon: $(grep 'route for policy' "$DIR/$s.log" | tail -1))"
	note "$s: the plugin's route: $r"
done
sniff_start b 10.0.
ping_ok a $HB4 $HA4 5 || note "ping A->B: $(tail -2 "$DIR/ping.out" | head -1)"
ping_ok b $HA4 $HB4 5 || note "ping B->A: $(tail -2 "$DIR/ping.out" | head -1)"
ip netns exec "$NSA" "$PY" "$SWTRAFFIC" send $HB4 9000 50 0.01 $HA4
sniff_stop
clear=$(sniff_count clear)
esp=$(sniff_count esp)
[ "$clear" = 0 ] || fail "cleartext on B's wire: $clear packets, e.g. $(grep clear "$DIR/sniff.jsonl" | head -2)"
[ "$esp" -ge 10 ] || fail "no ESP on B's wire ($esp packets): the traffic went nowhere"
note "B's wire: $esp ESP packets, no cleartext, with the plugin's table-220 routes in place"
exit 0
