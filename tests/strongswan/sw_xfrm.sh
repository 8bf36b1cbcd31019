#!/bin/sh
# sw_xfrm.sh CASE - run inside user-mode Linux (add_uml_test): strongSwan's
# kernel-wfp plugin over fwpd --datapath xfrm (the kernel's ESP, keyed
# through this project) in A, against a stock charon with kernel-netlink
# (the same strongSwan build, keying the kernel itself) in B. The two
# kernels must agree on every SA: states with the SPIs charon negotiated on
# both sides, ESP on the wire with exactly those SPIs.
# CASE:
#   tunnel   tunnel mode, plain ESP: states and policies in both kernels,
#            ping both ways, TCP with a checksum, only ESP with the SAs'
#            SPIs on the wire, per-SA counters; a CHILD_SA and an IKE_SA
#            rekey under a UDP stream and a TCP transfer with nothing
#            lost, the old states gone from both kernels; terminate leaves
#            no state and no policy in either kernel and no SA context or
#            filter (but charon's IKE bypass) in fwpd; DPD clears A's side
#            when B dies; charon's stop leaves fwpd empty, fwpd's stop
#            leaves A's kernel empty
#   transport  transport mode between the outer addresses: charon's IKE
#            bypass filters are kernel allow policies, so IKE (DPD every
#            second) stays in the clear while the SAs' policies cover the
#            two hosts; ping both ways in ESP with the SAs' SPIs, a CHILD_SA
#            rekey, terminate, and the bypass policies go with charon
#   natt     tunnel mode with NAT-T forced (encap = yes): ESP in UDP 4500
#            in both kernels and only that on the wire, with the SAs'
#            SPIs; B->A arrives through charon's own UDP 4500 socket,
#            which fwpd sets to decapsulate (fwpd, started first, holds
#            no UDP socket before, during or after); a CHILD_SA rekey,
#            terminate
#   inproc   the same with the engine in charon's process
#            (FWP_ENGINE=embedded FWP_DATAPATH=xfrm); charon's stop
#            leaves A's kernel empty
# fwpd runs as users run it: started before charon, in its default mode
# (a daemon), with no --udp-port: it binds no UDP port, so charon owns
# UDP 500 and 4500 (docs/strongswan.md, "The kernel's ESP").
# Environment (set by CTest): SRC, SW_WORK.
set -u
[ -n "${UML_GUEST:-}" ] || { echo "sw_xfrm.sh: not inside UML" >&2; exit 2; }
. "$SRC/tests/strongswan/lib.sh"
case=${1:?case}
modprobe -a esp4 esp6 xfrm_user veth || fail "cannot load the kernel's ESP modules"
# The protected addresses on veth0, as on a gateway: the plugin's route for
# the tunnel (table 220, source the local traffic selector) is installed,
# so the host's own traffic to the peer's subnet leaves from the protected
# address and into the tunnel.
HOST_DEV=veth0 sw_init "x$case"

# xfrm_fwpd: the installed fwpd --datapath xfrm in A's namespace, in its
# default mode (it detaches once its socket listens); its PID in FWPD_PID.
xfrm_fwpd() {
	ip netns exec "$NSA" "$FWPD" \
		--socket "$DIR/a.sock" --state-dir "$DIR/a.state" --datapath xfrm \
		2>"$DIR/fwpd-a.log" || fail "fwpd --datapath xfrm did not start"
	sw_wait 10 test -S "$DIR/a.sock" || fail "fwpd a: no socket"
	FWPD_PID=
	for _p in $(ip netns pids "$NSA"); do
		tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null | grep -q "fwpd.* --socket $DIR/a.sock " &&
			FWPD_PID=$_p
	done
	[ -n "$FWPD_PID" ] || fail "fwpd a: no daemon in the namespace"
	netns_track "$FWPD_PID"
}

# xstates SIDE [SPI...]: the number of XFRM states of SIDE's kernel (with
# one of the SPIs, hexadecimal as swanctl prints them).
xstates() {
	_n=$(ns_of "$1")
	shift
	if [ $# = 0 ]; then
		ip -n "$_n" xfrm state | grep -c '^src'
		return
	fi
	_re=$(for _x in "$@"; do printf 'spi 0x%08x[ (]\\|' "0x$_x"; done)
	ip -n "$_n" xfrm state | grep -c "${_re%\\|}"
}

# xpolicies SIDE [all]: the policies of SIDE's kernel that protect (with a
# template); with "all", every one but the sockets' own (fwpd's neighbour
# discovery bypasses too).
xpolicies() {
	if [ "${2:-}" = all ]; then
		ip -n "$(ns_of "$1")" xfrm policy | grep -c 'dir \(in\|out\|fwd\)'
	else
		ip -n "$(ns_of "$1")" xfrm policy | grep -c 'tmpl '
	fi
}

# udp_holders SIDE PORT: the programs with a socket on UDP PORT in SIDE's
# namespace (ss -p), empty when none.
udp_holders() {
	ip netns exec "$(ns_of "$1")" ss -Hulnp "sport = :$2" |
		sed -n 's/.*users:(("\([^"]*\)".*/\1/p' | sort -u | tr '\n' ' '
}

# fwpd_udp: fwpd's UDP sockets in A (ss -p), empty when none.
fwpd_udp() {
	ip netns exec "$NSA" ss -Huanp | grep '"fwpd"'
}

xdump() {
	for _s in a b; do
		echo "--- $_s: ip -s xfrm state, policy; xfrm_stat"
		ip -n "$(ns_of $_s)" -s xfrm state | grep -v "key\|aead\|auth\|enc "
		ip -n "$(ns_of $_s)" xfrm policy
		ip netns exec "$(ns_of $_s)" cat /proc/net/xfrm_stat | grep -v " 0$"
	done
}

# wire_start / wire_stop: captures on both ends of the veth: B's in
# $DIR/sniff.jsonl (sniff_start), A's in $DIR/sniff-a.jsonl. A kernel that
# decapsulates tunnel-mode ESP hands the inner packet in again through the
# interface it came by, so a capture sees it there coming in; what went on
# the wire is what each end sent out.
wire_start() {
	rm -f "$DIR/sniff-a.jsonl"
	netns_bg "$NSA" "$PY" "$SWTRAFFIC" sniff veth0 120 "$DIR/sniff-a.jsonl" 10.0.
	SNIFF_A=$NETNS_LAST_PID
	sw_wait 5 test -f "$DIR/sniff-a.jsonl"
	sniff_start b 10.0.
}

wire_stop() {
	sniff_stop
	netns_kill "$SNIFF_A"
}

# wire_clear: the cleartext packets of the tunnel's addresses either end
# sent out.
wire_clear() {
	cat "$DIR/sniff.jsonl" "$DIR/sniff-a.jsonl" | grep '"dir": "out", "kind": "clear"'
}

# wire_spis: the SPIs (hexadecimal) of the ESP captured on B's wire.
wire_spis() {
	"$PY" - "$DIR/sniff.jsonl" <<'PYEOF'
import json, sys
s = {json.loads(l)["spi"] for l in open(sys.argv[1]) if '"kind": "esp"' in l}
print(" ".join(sorted("%08x" % x for x in s)))
PYEOF
}

# xpackets SIDE SPI: the packet count of SIDE's state SPI (ip -s xfrm).
xpackets() {
	ip -n "$(ns_of "$1")" -s xfrm state | grep -A14 "spi $(printf '0x%08x' "0x$2")[ (]" |
		sed -n 's/.*(bytes), *\([0-9][0-9]*\)(packets).*/\1/p' | head -1
}

# gone_a: A's CHILD_SA, its kernel states and policies, and fwpd's SA
# contexts and filters (but charon's IKE bypass filters) are gone.
gone_a() {
	sw_gone a && [ "$(xstates a)" = 0 ] && [ "$(xpolicies a)" = 0 ] &&
		[ -z "$(sw_fwpd_left a "IKE bypass")" ]
}

gone_b() {
	sw_gone b && [ "$(xstates b)" = 0 ] && [ "$(xpolicies b)" = 0 ]
}

if [ "$case" = inproc ]; then
	# The engine in charon's process, its datapath the kernel's ESP.
	sw_charon a kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=xfrm
else
	# fwpd first, as a system boots (the engine's service before the IKE
	# daemon's): it must leave UDP 4500 to charon.
	xfrm_fwpd
	[ -z "$(fwpd_udp)" ] || fail "fwpd holds UDP sockets at start: $(fwpd_udp)"
	sw_charon a kernel-wfp FWP_ENGINE=service FWP_SOCKET="$DIR/a.sock"
fi
charon_4500() { [ "$(udp_holders a 4500)" = "charon " ]; }
sw_wait 5 charon_4500 || fail "A: UDP 4500 held by '$(udp_holders a 4500)', not charon alone"
sw_charon b ""
grep -q "kernel-wfp" "$DIR/a.log" || fail "A: charon did not load kernel-wfp"
grep -q "kernel-wfp" "$DIR/b.log" && fail "B: charon loaded kernel-wfp"

case $case in
tunnel)
	# A CHILD_SA rekey time within the lifetime: with none (0), charon's
	# jitter makes kernel-netlink's soft limit negative, which the kernel
	# reads as a huge number that wraps: B would rekey every second.
	export REKEY_CHILD=3000
	DPD=1s ENCAP=no sw_swanctl_conf a
	ENCAP=no sw_swanctl_conf b
	sw_up
	spis=$(sw_sas a)
	spis_b=$(sw_sas b)
	[ -n "$spis" ] && [ -n "$spis_b" ] || fail "no CHILD_SA: A $spis, B $spis_b"
	set -- $spis
	in_a=$1 out_a=$2
	[ "$spis_b" = "$out_a $in_a" ] || fail "A's SPIs $spis, B's $spis_b"
	note "CHILD_SA up, A's SPIs (in out): $spis"
	# Both kernels carry the pair, fwpd holds it as an SA context.
	[ "$(xstates a "$in_a" "$out_a")" = 2 ] || { xdump; fail "A: no kernel states for $spis"; }
	[ "$(xstates b "$in_a" "$out_a")" = 2 ] || { xdump; fail "B: no kernel states for $spis"; }
	ip -n "$NSA" xfrm state | grep -q "mode tunnel" || fail "A: not tunnel mode"
	ip -n "$NSA" xfrm state | grep -q "rfc4106(gcm(aes))" || fail "A: not AES-GCM"
	ip -n "$NSA" xfrm policy | grep -q "src $HA4/32 dst $HB4/32" ||
		{ xdump; fail "A: no policy for the tunnel's traffic"; }
	[ -n "$(sw_fwpctl a sa list)" ] || fail "fwpd holds no SA context for charon's CHILD_SA"
	note "A's kernel (through fwpd) and B's (kernel-netlink) hold the same two states"

	wire_start
	ping_ok a $HB4 $HA4 5 || { xdump; fail "ping A->B: $(cat "$DIR/ping.out")"; }
	ping_ok b $HA4 $HB4 5 || { xdump; fail "ping B->A: $(cat "$DIR/ping.out")"; }
	tcp_check a b $HB4 2000000
	wire_stop
	nin=$(sniff_count esp '"in"')
	nout=$(sniff_count esp '"out"')
	[ "$nin" -ge 10 ] && [ "$nout" -ge 10 ] || fail "ESP on B's wire: $nin in, $nout out"
	[ "$(sniff_count udp)" = 0 ] || fail "ESP in UDP without NAT-T"
	[ -z "$(wire_clear)" ] || fail "cleartext on the wire: $(wire_clear | head -3)"
	# The captures do see the tunnel's cleartext: B's kernel hands each
	# decapsulated packet in again through veth0.
	inner=$(grep -c '"dir": "in", "kind": "clear"' "$DIR/sniff.jsonl")
	[ "$inner" -ge 10 ] || fail "B's capture saw $inner decapsulated packets: it would miss cleartext"
	w=$(wire_spis)
	[ "$w" = "$(printf '%s\n' $in_a $out_a | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		fail "SPIs on the wire: $w, the SAs': $spis"
	note "the wire: $nin ESP A->B, $nout B->A, SPIs $w only, no cleartext sent by either end"
	pa=$(xpackets a "$out_a")
	pb=$(xpackets b "$out_a")
	[ "${pa:-0}" -ge "$nin" ] && [ "${pb:-0}" -ge "$nin" ] ||
		fail "SPI $out_a: A sent $pa, B received $pb, the wire saw $nin"
	note "SPI $out_a: $pa packets sent by A's kernel, $pb received by B's"

	# Rekeys under a UDP stream (A->B) and a TCP transfer (B->A).
	udp_start a b $HB4 1200 0.006
	netns_bg "$NSA" "$PY" "$SWTRAFFIC" tcp-sink 5002 10 >"$DIR/sink2.json"
	sink=$NETNS_LAST_PID
	sleep 0.5
	netns_bg "$NSB" "$PY" "$SWTRAFFIC" tcp-send $HA4 5002 2000000 300000 >"$DIR/send2.json"
	sender=$NETNS_LAST_PID
	sleep 2
	sw_ctl a --rekey --child c >"$DIR/rekey.out" 2>&1 || fail "CHILD_SA rekey"
	rekeyed() { [ -n "$(sw_sas a)" ] && [ "$(sw_sas a)" != "$spis" ]; }
	sw_wait 15 rekeyed || fail "CHILD_SA not rekeyed: $(sw_sas a)"
	new=$(sw_sas a)
	note "CHILD_SA rekeyed: $spis -> $new"
	ike=$(sw_ctl a --list-sas --raw | grep -o 'initiator-spi=[0-9a-f]*')
	sw_ctl a --rekey --ike c >"$DIR/rekey.out" 2>&1 || fail "IKE_SA rekey"
	sleep 2
	ike2=$(sw_ctl a --list-sas --raw | grep -o 'initiator-spi=[0-9a-f]*')
	[ -n "$ike2" ] && [ "$ike2" != "$ike" ] || fail "IKE_SA not rekeyed: $ike / $ike2"
	note "IKE_SA rekeyed: $ike -> $ike2"
	udp_wait 1200
	wait "$sender" "$sink" 2>/dev/null
	[ "$(json_get "$(cat "$DIR/sink2.json")" sha256)" = "$(json_get "$(cat "$DIR/send2.json")" sha256)" ] ||
		fail "TCP across the rekeys: $(cat "$DIR/send2.json") / $(cat "$DIR/sink2.json")"
	note "TCP across the rekeys: 2000000 bytes, checksums equal"
	set -- $new
	[ "$(sw_sas b)" = "$2 $1" ] || fail "B's SPIs after the rekey: $(sw_sas b), A's $new"
	for s in a b; do
		[ "$(xstates $s "$1" "$2")" = 2 ] || { xdump; fail "$s: no kernel states for $new"; }
		[ "$(xstates $s "$in_a" "$out_a")" = 0 ] || { xdump; fail "$s: the old states stay"; }
		[ "$(xstates $s)" = 2 ] || { xdump; fail "$s: $(xstates $s) states, not 2"; }
	done
	wire_start
	ping_ok a $HB4 $HA4 || fail "ping after the rekeys"
	wire_stop
	[ -z "$(wire_clear)" ] || fail "cleartext on the wire after the rekeys: $(wire_clear | head -3)"
	w=$(wire_spis)
	[ "$w" = "$(printf '%s\n' $1 $2 | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		fail "SPIs on the wire after the rekey: $w, the SAs': $new"
	note "after the rekeys: both kernels hold only the new pair, the wire carries its SPIs"

	sw_ctl a --terminate --ike c --timeout 10 >"$DIR/term.out" 2>&1 || fail "terminate"
	sw_wait 10 gone_a || { xdump; fail "A: left after terminate: $(sw_fwpd_left a "IKE bypass")"; }
	sw_wait 10 gone_b || { xdump; fail "B: left after terminate"; }
	note "terminate: no state or policy in either kernel, no SA context or filter in fwpd"

	# DPD: B dies without a word; A notices and clears (dpd_action).
	sw_up
	[ "$(xstates a)" = 2 ] || fail "A: $(xstates a) states after the second initiate"
	ping_ok a $HB4 $HA4 || fail "ping before DPD"
	kill -KILL "$CHARON_b"
	sw_wait 30 gone_a || { xdump; fail "DPD: A keeps after the peer died: $(sw_sas a)"; }
	note "DPD: the peer died, A's SA, states and policies went"

	# Clean stops: charon, then fwpd.
	netns_kill "$CHARON_a"
	left=$(sw_fwpd_left a)
	[ -z "$left" ] || fail "fwpd holds objects after charon stopped: $left"
	kill -TERM "$FWPD_PID"
	sw_wait 10 sh -c "! kill -0 $FWPD_PID 2>/dev/null" || fail "fwpd did not stop"
	[ "$(xstates a)" = 0 ] && [ "$(xpolicies a all)" = 0 ] ||
		{ xdump; fail "A's kernel keeps states or policies after fwpd stopped"; }
	note "charon stopped: fwpd empty; fwpd stopped: A's kernel empty"
	;;
transport)
	# Transport mode between the outer addresses: the SAs' policies
	# cover charon's IKE too, which its bypass filters (kernel-wfp's
	# "charon IKE bypass", UDP 500 and 4500) must keep out of ESP.
	export REKEY_CHILD=3000
	DPD=1s MODE=transport ENCAP=no sw_swanctl_conf a
	MODE=transport ENCAP=no sw_swanctl_conf b
	byp=$(ip -n "$NSA" xfrm policy | grep -c "proto udp \(sport\|dport\) \(500\|4500\)")
	[ "$byp" = 8 ] || fail "A: $byp bypass policies for charon's UDP 500 and 4500, not 8"
	note "A: charon's 8 IKE bypass filters are 8 kernel allow policies"
	sw_up
	spis=$(sw_sas a)
	set -- $spis
	[ "$(sw_sas b)" = "$2 $1" ] || fail "A's SPIs $spis, B's $(sw_sas b)"
	[ "$(xstates a "$1" "$2")" = 2 ] && [ "$(xstates b "$1" "$2")" = 2 ] ||
		{ xdump; fail "the kernels do not both hold $spis"; }
	ip -n "$NSA" xfrm state | grep -q "mode transport" || fail "A: not transport mode"
	note "CHILD_SA up in transport mode, A's SPIs (in out): $spis, in both kernels"
	wire_start
	ping_ok a $B4 $A4 5 || { xdump; fail "ping A->B: $(cat "$DIR/ping.out")"; }
	ping_ok b $A4 $B4 5 || { xdump; fail "ping B->A: $(cat "$DIR/ping.out")"; }
	# DPD every second for 4 s: IKE both ways in the clear.
	sleep 4
	wire_stop
	[ -z "$(wire_clear)" ] || fail "cleartext on the wire: $(wire_clear | head -3)"
	nesp=$(sniff_count esp)
	nike=$(sniff_count ike)
	[ "$nesp" -ge 20 ] || fail "ESP on the wire: $nesp packets"
	[ "$nike" -ge 4 ] || fail "IKE (DPD) on the wire in the clear: $nike packets"
	[ "$(wire_spis)" = "$(printf '%s\n' $1 $2 | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		fail "SPIs on the wire: $(wire_spis), the SAs': $spis"
	# B's clear IKE met no policy on A that wants ESP (the bypass is
	# above it), and the IKE_SA lived through the DPD exchanges.
	mm=$(ip netns exec "$NSA" awk '$1 == "XfrmInTmplMismatch" { print $2 }' /proc/net/xfrm_stat)
	[ "$mm" = 0 ] || { xdump; fail "A's kernel dropped $mm packets as not protected (IKE?)"; }
	sw_ctl a --list-sas --raw | grep -q "state=ESTABLISHED" || fail "the IKE_SA did not survive DPD"
	note "the wire: $nesp ESP with the SAs' SPIs, $nike IKE (DPD) in the clear; A dropped none, the IKE_SA lives"
	sw_ctl a --rekey --child c >"$DIR/rekey.out" 2>&1 || fail "CHILD_SA rekey"
	rekeyed() { [ -n "$(sw_sas a)" ] && [ "$(sw_sas a)" != "$spis" ]; }
	sw_wait 15 rekeyed || fail "CHILD_SA not rekeyed: $(sw_sas a)"
	new=$(sw_sas a)
	set -- $new
	ping_ok a $B4 $A4 || fail "ping after the rekey"
	[ "$(xstates a)" = 2 ] && [ "$(xstates a "$1" "$2")" = 2 ] ||
		{ xdump; fail "A after the rekey: not only $new"; }
	note "CHILD_SA rekeyed: $spis -> $new, A's kernel holds only the new pair"
	sw_ctl a --terminate --ike c --timeout 10 >"$DIR/term.out" 2>&1 || fail "terminate"
	sw_wait 10 gone_a || { xdump; fail "A: left after terminate: $(sw_fwpd_left a "IKE bypass")"; }
	sw_wait 10 gone_b || { xdump; fail "B: left after terminate"; }
	netns_kill "$CHARON_a"
	left=$(sw_fwpd_left a)
	[ -z "$left" ] || fail "fwpd holds objects after charon stopped: $left"
	byp=$(ip -n "$NSA" xfrm policy | grep -c "proto udp")
	[ "$byp" = 0 ] || fail "A: $byp bypass policies left after charon's filters went"
	note "terminate: nothing in either kernel; charon stopped: its bypass policies went with its filters"
	kill -TERM "$FWPD_PID"
	sw_wait 10 sh -c "! kill -0 $FWPD_PID 2>/dev/null" || fail "fwpd did not stop"
	[ "$(xpolicies a all)" = 0 ] || { xdump; fail "A's kernel keeps policies after fwpd stopped"; }
	;;
natt | inproc)
	# NAT-T forced (encap = yes): ESP in UDP 4500 both ways. charon owns
	# UDP 4500 and kernel-wfp does not set the kernel's decapsulation on
	# its socket; fwpd sets it there at the first SA in UDP.
	export REKEY_CHILD=3000
	ENCAP=yes sw_swanctl_conf a
	ENCAP=yes sw_swanctl_conf b
	sw_up
	spis=$(sw_sas a)
	set -- $spis
	sw_ctl a --list-sas --raw | grep -q "encap=yes" || fail "the SA is not UDP-encapsulated"
	for s in a b; do
		[ "$(ip -n "$(ns_of $s)" xfrm state | grep -c "encap type espinudp sport 4500 dport 4500")" = 2 ] ||
			{ xdump; fail "$s: the states are not ESP in UDP 4500"; }
	done
	note "CHILD_SA up, ESP in UDP 4500 in both kernels, A's SPIs (in out): $spis"
	[ "$(udp_holders a 4500)" = "charon " ] ||
		fail "A: UDP 4500 held by '$(udp_holders a 4500)' with SAs in UDP, not charon alone"
	wire_start
	ping_ok a $HB4 $HA4 5 || { xdump; fail "ping A->B: $(cat "$DIR/ping.out")"; }
	ping_ok b $HA4 $HB4 5 || { xdump; fail "ping B->A: $(cat "$DIR/ping.out")"; }
	tcp_check b a $HA4 1000000
	wire_stop
	[ -z "$(wire_clear)" ] || fail "cleartext on the wire: $(wire_clear | head -3)"
	nudp=$(sniff_count udp)
	[ "$(sniff_count esp)" = 0 ] || fail "plain ESP on the wire with encap = yes"
	[ "$(sniff_count udp '"in"')" -ge 10 ] && [ "$(sniff_count udp '"out"')" -ge 10 ] ||
		fail "ESP in UDP on the wire: $(sniff_count udp '"in"') in, $(sniff_count udp '"out"') out"
	w=$("$PY" - "$DIR/sniff.jsonl" <<'PYEOF'
import json, sys
s = {json.loads(l)["spi"] for l in open(sys.argv[1]) if '"kind": "udp"' in l}
print(" ".join(sorted("%08x" % x for x in s)))
PYEOF
)
	[ "$w" = "$(printf '%s\n' $1 $2 | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
		fail "SPIs in UDP on the wire: $w, the SAs': $spis"
	note "the wire: $nudp ESP in UDP with the SAs' SPIs only, no plain ESP, no cleartext"
	sw_ctl a --rekey --child c >"$DIR/rekey.out" 2>&1 || fail "CHILD_SA rekey"
	rekeyed() { [ -n "$(sw_sas a)" ] && [ "$(sw_sas a)" != "$spis" ]; }
	sw_wait 15 rekeyed || fail "CHILD_SA not rekeyed: $(sw_sas a)"
	ping_ok b $HA4 $HB4 || { xdump; fail "ping B->A after the rekey"; }
	note "CHILD_SA rekeyed: $spis -> $(sw_sas a), B->A still carried"
	[ "$(udp_holders a 4500)" = "charon " ] ||
		fail "A: UDP 4500 held by '$(udp_holders a 4500)' after the rekey, not charon alone"
	if [ "$case" = inproc ]; then
		# charon's stop is the engine's: everything goes from the kernel.
		netns_kill "$CHARON_a"
		[ "$(xstates a)" = 0 ] && [ "$(xpolicies a all)" = 0 ] ||
			{ xdump; fail "A's kernel keeps states or policies after charon stopped"; }
		note "charon (and its engine) stopped: A's kernel empty"
		exit 0
	fi
	sw_ctl a --terminate --ike c --timeout 10 >"$DIR/term.out" 2>&1 || fail "terminate"
	sw_wait 10 gone_a || { xdump; fail "A: left after terminate"; }
	sw_wait 10 gone_b || { xdump; fail "B: left after terminate"; }
	[ -z "$(fwpd_udp)" ] || fail "fwpd holds UDP sockets: $(fwpd_udp)"
	note "terminate: nothing in either kernel; fwpd held no UDP socket at any point, charon UDP 4500"
	# charon gone, its port free: fwpd does not take it.
	netns_kill "$CHARON_a"
	[ -z "$(udp_holders a 4500)" ] || fail "A: UDP 4500 held after charon stopped: $(udp_holders a 4500)"
	;;
*) fail "unknown case $case" ;;
esac
exit 0
