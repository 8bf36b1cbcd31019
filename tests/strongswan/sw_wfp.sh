#!/bin/sh
# sw_wfp.sh CASE - charon with strongSwan's kernel-wfp plugin on both ends,
# each over the in-process engine with its datapath (FWP_DATAPATH=tun).
# CASE:
#   transport4, tunnel4  IPv4, NAT-T forced (encap = yes): ESP in UDP 4500
#   transport6, tunnel6  IPv6, plain ESP
#     each: ping both ways, TCP with a checksum, only ESP on the wire,
#     terminate leaves no SA and no route on either side
#   mobike   A moves to a second address (ip addr): the plugin updates the
#            SA contexts (IPsecSaContextUpdate0); a UDP stream continues on
#            the same SPIs with continuing sequence numbers (wire capture)
#   trap     start_action = trap: the first packet raises the net event the
#            plugin turns into an acquire, the SA is negotiated; nothing of
#            the flow leaves in the clear
#   trap_traffic  the same, then traffic flows over that SA
. "$SRC/tests/strongswan/lib.sh"
case=${1:?case}
sw_init "w$case"

sw_charon a kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun
sw_charon b kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun

# modes FAMILY MODE ENCAP: the traffic checks of one mode.
modes() {
	FAMILY=$1 MODE=$2 ENCAP=$3 sw_swanctl_conf a
	FAMILY=$1 MODE=$2 ENCAP=$3 sw_swanctl_conf b
	sw_up
	[ -n "$(sw_sas a)" ] && [ -n "$(sw_sas b)" ] || fail "no CHILD_SA"
	note "$2 IPv$1 encap=$3 up: A $(sw_sas a), B $(sw_sas b)"
	case $2$1 in
	transport4) da=$B4 db=$A4 prefix=198.51.100. ;;
	transport6) da=$B6 db=$A6 prefix=2001:db8:1:: ;;
	tunnel4) da=$HB4 db=$HA4 prefix=10.0. ;;
	tunnel6) da=$HB6 db=$HA6 prefix=fd00: ;;
	esac
	sniff_start b "$prefix"
	ping_ok a "$da" "$db" 5 || fail "ping A->B: $(cat "$DIR/ping.out")"
	ping_ok b "$db" "$da" 5 || fail "ping B->A: $(cat "$DIR/ping.out")"
	tcp_check a b "$da" 3000000
	sniff_stop
	kind=esp
	[ "$3" = yes ] && kind=udp
	nin=$(sniff_count $kind '"in"')
	nout=$(sniff_count $kind '"out"')
	[ "$nin" -ge 10 ] && [ "$nout" -ge 10 ] ||
		fail "ESP ($kind) on the wire: $nin in, $nout out"
	clear=$(sniff_count clear)
	[ "$clear" = 0 ] || fail "cleartext on the wire: $(grep clear "$DIR/sniff.jsonl" | head -3)"
	note "on B's wire: $nin packets in, $nout out, all $kind, no cleartext"
	sw_ctl a --terminate --ike c --timeout 10 >"$DIR/term.out" 2>&1 || fail "terminate"
	both_gone() { sw_gone a && sw_gone b; }
	sw_wait 10 both_gone || fail "left after terminate"
	note "terminate: no SA and no route left on either side"
}

# seq_continues SPI: the captured ESP-in-UDP packets of SPI coming in have
# strictly increasing sequence numbers and came from both of A's
# addresses, the old first.
seq_continues() {
	"$PY" - "$DIR/sniff.jsonl" "$(printf %d "0x$1")" $A4 198.51.100.11 <<'PYEOF'
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
spis = {p["spi"] for p in pk if p["kind"] == "udp" and p["dir"] == "in"}
pk = [p for p in pk if p["kind"] == "udp" and p["dir"] == "in" and p["spi"] == int(sys.argv[2])]
seqs = [p["seq"] for p in pk]
srcs = [p["src"] for p in pk]
if spis != {int(sys.argv[2])}:
    print("other SPIs from A:", spis); sys.exit(1)
bad = [i for i in range(1, len(seqs)) if seqs[i] <= seqs[i - 1]]
if not seqs or bad:
    print("sequence numbers not increasing:", bad[:5]); sys.exit(1)
old, new = sys.argv[3], sys.argv[4]
if old not in srcs or new not in srcs or srcs.index(new) < len(srcs) - srcs[::-1].index(old) - 1:
    print("sources not old then new:", sorted(set(srcs))); sys.exit(1)
first = srcs.index(new)
print("%d packets, seq %d..%d from %s, %d..%d from %s" % (len(seqs), seqs[0],
      seqs[first - 1], old, seqs[first], seqs[-1], new))
PYEOF
}

case $case in
transport4) modes 4 transport yes ;;
tunnel4) modes 4 tunnel yes ;;
transport6) modes 6 transport no ;;
tunnel6) modes 6 tunnel no ;;
mobike)
	# A may use any of its addresses; B accepts A from any.
	MOBIKE=yes LOCAL_ADDRS=%any sw_swanctl_conf a
	MOBIKE=yes REMOTE_ADDRS=%any sw_swanctl_conf b
	sw_up
	spis_a=$(sw_sas a)
	out_a=${spis_a#* }
	note "up: A's SPIs (in out) $spis_a"
	# The second address survives the first's removal as the primary.
	netns_sysctl "$NSA" net.ipv4.conf.veth0.promote_secondaries 1
	ip -n "$NSA" addr add 198.51.100.11/24 dev veth0
	sniff_start b 10.0.
	udp_start a b $HB4 1200 0.005
	sleep 2
	ip -n "$NSA" addr del $A4/24 dev veth0
	moved() { sw_ctl a --list-sas --raw | grep -q "local-host=198.51.100.11 "; }
	sw_wait 15 moved || fail "charon did not move the IKE_SA to 198.51.100.11"
	note "MOBIKE: the IKE_SA moved to 198.51.100.11"
	wait "$UDP_SEND"
	wait "$UDP_RECV"
	sniff_stop
	r=$(cat "$DIR/recv.json")
	note "UDP stream across the move: $r"
	[ "$(sw_sas a)" = "$spis_a" ] || fail "the SPIs changed: $spis_a -> $(sw_sas a)"
	# Same SPIs and a new outer source on the wire: only an update of the
	# live SA context moves it (kernel-wfp: IPsecSaContextUpdate0 with
	# the TRAFFIC flag), and it logs nothing unless that fails.
	! grep -qi "updat.*WFP.*failed\|WFP.*updat.*failed" "$DIR/a.log" ||
		fail "the plugin's update failed: $(grep -i "updat.*failed" "$DIR/a.log")"
	s=$(seq_continues "$out_a") || fail "on the wire: $s"
	note "on B's wire, SPI $out_a: $s"
	# A few datagrams sent between the address going and charon's
	# update may be lost (no route from the old address); none after.
	missing=$(json_get "$r" missing)
	[ "$(json_get "$r" max)" = 1200 ] || fail "the stream did not continue: $r"
	[ "$missing" -le 100 ] || fail "too many datagrams lost across the move: $r"
	ping_ok a $HB4 $HA4 || fail "ping after the move"
	;;
trap | trap_traffic)
	START=trap sw_swanctl_conf a
	sw_swanctl_conf b
	[ -z "$(sw_sas a)" ] || fail "a CHILD_SA before any traffic"
	# A's wire (its sends and the answers): the trapped flow never
	# leaves in the clear, before the SA or after.
	sniff_start a 10.0.
	ip netns exec "$NSA" ping -c 10 -i 0.3 -W 1 -I $HA4 $HB4 >"$DIR/ping.out" 2>&1
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$DIR/ping.out")
	sniff_stop
	grep -q "creating acquire job for policy $HA4/32\[icmp\] === $HB4/32\[icmp\]" "$DIR/a.log" ||
		fail "no acquire for the first packet in charon's log"
	[ -n "$(sw_sas a)" ] || fail "no CHILD_SA negotiated on demand"
	[ "$(sniff_count clear)" = 0 ] ||
		fail "the trapped flow left in the clear: $(grep clear "$DIR/sniff.jsonl" | head -3)"
	note "trap: the first packet raised the acquire, the CHILD_SA came up ($(sw_sas a)), nothing in the clear"
	[ "$case" = trap ] && exit 0
	[ "${got:-0}" -ge 5 ] || fail "traffic over the negotiated SA: $(cat "$DIR/ping.out")"
	note "$got of 10 pings answered"
	tcp_check a b $HB4 2000000
	;;
*) fail "unknown case $case" ;;
esac
exit 0
