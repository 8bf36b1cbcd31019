#!/bin/sh
# sw_libipsec.sh ENGINE [nat] - charon with strongSwan's kernel-wfp plugin in A
# against a stock charon with kernel-libipsec in B: tunnel mode, NAT-T
# (encap = yes: ESP in UDP 4500 both ways on the wire), ping, TCP with a
# checksum, a CHILD_SA and an IKE_SA rekey with traffic running and nothing
# lost, terminate and DPD (the SA goes, no route of it is left).
# ENGINE: inproc (FWP_ENGINE=embedded FWP_DATAPATH=tun in charon) or
# service (FWP_ENGINE=service against fwpd --datapath tun, whose SA
# contexts and filters fwpctl must find empty once the SA is gone).
# nat: A sits behind a masquerading router (random ports) and encap is
# left to NAT detection; B sees A at the router's address and port.
. "$SRC/tests/strongswan/lib.sh"
engine=${1:?inproc or service}
nat=${2:-}
[ "$nat" = nat ] && NAT=1
sw_init "l$engine$nat"

if [ "$engine" = service ]; then
	sw_fwpd a
	sw_charon a kernel-wfp FWP_ENGINE=service FWP_SOCKET="$DIR/a.sock"
else
	sw_charon a kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun FWP_TUN_NAME=fwpsw
fi
sw_charon b kernel-libipsec
if [ -n "$nat" ]; then
	DPD=1s ENCAP=no sw_swanctl_conf a
	ENCAP=no REMOTE_ADDRS=%any sw_swanctl_conf b
else
	DPD=1s sw_swanctl_conf a
	sw_swanctl_conf b
fi

# gone_everywhere: A's SA, routes and (with fwpd) SA contexts and filters
# (but the IKE bypass filters, which live as long as charon).
gone_everywhere() {
	sw_gone a || return 1
	[ "$engine" = service ] || return 0
	[ -z "$(sw_fwpd_left a "IKE bypass")" ]
}

sw_up
spis=$(sw_sas a)
[ -n "$spis" ] || fail "no CHILD_SA in A after initiate"
note "CHILD_SA up, A's SPIs (in out): $spis"
sw_ctl a --list-sas --raw | grep -q "encap=yes" || fail "the SA is not UDP-encapsulated"
if [ -n "$nat" ]; then
	sw_ctl a --list-sas --raw | grep -q "nat-local=yes" || fail "A does not see itself behind the NAT"
	peer=$(sw_ctl b --list-sas --raw | grep -o 'remote-host=[0-9.]* remote-port=[0-9]*')
	note "B sees A at $peer"
	case "$peer" in
	*"remote-host=198.51.100.254 "*) ;;
	*) fail "B does not see A at the NAT's address: $peer" ;;
	esac
fi
if [ "$engine" = service ]; then
	[ -n "$(sw_fwpctl a sa list)" ] || fail "fwpd holds no SA context for charon's CHILD_SA"
fi

sniff_start b 10.0.
ping_ok a $HB4 $HA4 5 || fail "ping A->B: $(cat "$DIR/ping.out")"
ping_ok b $HA4 $HB4 5 || fail "ping B->A: $(cat "$DIR/ping.out")"
sniff_stop
[ "$(sniff_count udp)" -ge 20 ] || fail "ESP in UDP on the wire: $(sniff_count udp) packets"
[ "$(sniff_count esp)" = 0 ] || fail "plain ESP on the wire with encap = yes"
[ "$(sniff_count clear)" = 0 ] || fail "cleartext on the wire: $(grep clear "$DIR/sniff.jsonl" | head -3)"
note "ping both ways: $(sniff_count udp) ESP-in-UDP packets, no cleartext"

tcp_check a b $HB4 4000000

# Rekeys under a running UDP stream (A->B) and a TCP transfer (B->A).
udp_start a b $HB4 1500 0.006
netns_bg "$NSA" "$PY" "$SWTRAFFIC" tcp-sink 5002 10 >"$DIR/sink2.json"
sink=$NETNS_LAST_PID
sleep 0.3
netns_bg "$NSB" "$PY" "$SWTRAFFIC" tcp-send $HA4 5002 3000000 400000 >"$DIR/send2.json"
sender=$NETNS_LAST_PID
sleep 2
sw_ctl a --rekey --child c >"$DIR/rekey.out" 2>&1 || fail "CHILD_SA rekey"
rekeyed() { [ "$(sw_sas a)" != "$spis" ]; }
sw_wait 15 rekeyed
sleep 2
new=$(sw_sas a)
[ -n "$new" ] && [ "$new" != "$spis" ] || fail "CHILD_SA not rekeyed: $new"
note "CHILD_SA rekeyed: $spis -> $new"
ike=$(sw_ctl a --list-sas --raw | grep -o 'initiator-spi=[0-9a-f]*')
sw_ctl a --rekey --ike c >"$DIR/rekey.out" 2>&1 || fail "IKE_SA rekey"
sleep 2
ike2=$(sw_ctl a --list-sas --raw | grep -o 'initiator-spi=[0-9a-f]*')
[ -n "$ike2" ] && [ "$ike2" != "$ike" ] || fail "IKE_SA not rekeyed: $ike / $ike2"
note "IKE_SA rekeyed: $ike -> $ike2"
udp_wait 1500
wait "$sender" "$sink" 2>/dev/null
[ "$(json_get "$(cat "$DIR/sink2.json")" sha256)" = "$(json_get "$(cat "$DIR/send2.json")" sha256)" ] ||
	fail "TCP across the rekeys: $(cat "$DIR/send2.json") / $(cat "$DIR/sink2.json")"
note "TCP across the rekeys: 3000000 bytes, checksums equal"
ping_ok a $HB4 $HA4 || fail "ping after the rekeys"

sw_ctl a --terminate --ike c --timeout 10 >"$DIR/term.out" 2>&1 || fail "terminate"
sw_wait 10 gone_everywhere || fail "left after terminate: $(sw_sas a) $(sw_fwpd_left a "IKE bypass")"
note "terminate: no SA, no route of it$([ "$engine" = service ] && echo ", no SA context or filter in fwpd")"

# DPD: the peer dies; A notices within dpd_delay and the retransmits and
# clears the SA (dpd_action = clear).
sw_up
[ -n "$(sw_sas a)" ] || fail "no CHILD_SA after the second initiate"
ping_ok a $HB4 $HA4 || fail "ping before DPD"
kill -KILL "$CHARON_b"
sw_wait 30 gone_everywhere || fail "DPD: left after the peer died: $(sw_sas a) $(sw_fwpd_left a "IKE bypass")"
grep -q "giving up after\|retransmit.*DPD\|deleting IKE_SA" "$DIR/a.log" || note "no DPD line in the log"
note "DPD: the peer died, the SA and its routes went"
if [ "$engine" = inproc ]; then
	# The in-process datapath goes with charon: no nftables table, rule
	# or route of it is left for the next daemon to trip over.
	netns_kill "$CHARON_a"
	left=$(ip netns exec "$NSA" nft list tables | grep fwp)
	[ -z "$left" ] || fail "charon stopped, its datapath's tables stay: $left"
	left=$(ip -n "$NSA" rule | grep "lookup 18000")
	[ -z "$left" ] || fail "charon stopped, its datapath's rules stay: $left"
	note "charon stopped: no table, rule or route of its datapath left"
fi
if [ "$engine" = service ]; then
	netns_kill "$CHARON_a"
	left=$(sw_fwpd_left a)
	[ -z "$left" ] || fail "fwpd holds objects after charon stopped: $left"
	note "charon stopped: fwpd holds no SA context and no filter"
fi
exit 0
