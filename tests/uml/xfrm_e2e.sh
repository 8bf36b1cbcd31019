#!/bin/sh
# xfrm_e2e.sh - run inside user-mode Linux (add_uml_test): fwpd --datapath
# xfrm keys the kernel's ESP. Two namespaces (tests/datapath/e2e/lib.sh),
# static_keying on both sides, one scenario per run:
#   transport  AES-GCM transport mode both ways: states and policies as
#              `ip xfrm` shows them, only ESP on the wire with sequence
#              numbers from 1, per-SA counters and IPsecGetStatistics1 from
#              the kernel's counters; DeleteById0 removes states and
#              policies; a clean stop leaves nothing in the kernel
#   tunnel     tunnel mode from FwpmIPsecTunnelAdd0's filters, the peer
#              moved by Update0
#   trap       an IPsec filter with no SA: dropped in the kernel, the
#              acquire raised as the no-SA net event
#   natt       IPsecSaContextUpdate0 switches NAT-T on and off with traffic
#              running: sequence numbers carry on, no datagram meets no
#              state, the only losses are the kernel's other-form drops;
#              fwpd (no IKE daemon, no --udp-port) holds UDP 4500 only
#              while its SAs are in UDP: free before, fwpd's with NAT-T
#              on, free again after NAT-T off and after DeleteById0
#   cbc        AES-CBC + HMAC-SHA-256 both ways
#   drain      Expire0: outbound gone at once, inbound kept and carrying
#   expire     a kilobyte lifetime the kernel enforces reaches the API as
#              SOFT_LIFETIME then DELETE
#   ipxfrm     A with fwpd --datapath xfrm, B keyed by `ip xfrm` by hand
#   killed     fwpd killed: the kernel keeps carrying the traffic
#              protected (states and policies outlive the process), never
#              in cleartext
#   block      a BLOCK filter (UDP to port 9001, weighted above the IPsec
#              filter of its sublayer) is a block policy above the SA's:
#              its traffic is dropped in the kernel, none on the wire,
#              other ports still pass in ESP; deleting the filter removes
#              the policy and the port passes again
#   crash      fwpd killed with SAs installed, a new one started: the dead
#              run's states are gone (keys included), its policies keep
#              the peer's traffic off the wire (no cleartext, no ESP) until
#              the keying module adds SAs again, which then carry; a clean
#              stop leaves nothing
set -u
[ -n "${UML_GUEST:-}" ] || { echo "xfrm_e2e.sh: not inside UML" >&2; exit 2; }
E2E_DATAPATH=xfrm
E2E_FWPD_MODE=${XFRM_E2E_FWPD_MODE:-}
. "$SRC/tests/datapath/e2e/lib.sh"
case=$1

# lib.sh's udp_run, but sending only once the receiver's socket is bound:
# inside UML, under load, Python may take longer to start than lib.sh's
# 0.3 s, and the first datagrams would find no socket.
udp_run() {
	_from=$1 _to=$2 _dst=$3 _n=$4 _port=${5:-9000} _src=${6:-}
	netns_bg "$(ns_of "$_to")" "$PY" "$TRAFFIC" recv "$_port" 3 >"$DIR/recv.json"
	_rp=$NETNS_LAST_PID
	_i=0
	while ! ip netns exec "$(ns_of "$_to")" ss -Huln "sport = :$_port" | grep -q . &&
		[ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	ip netns exec "$(ns_of "$_from")" "$PY" "$TRAFFIC" send "$_dst" "$_port" "$_n" 0.0005 $_src
	wait "$_rp" 2>/dev/null
	cat "$DIR/recv.json"
}

xstates() {
	ip -n "$(ns_of "$1")" xfrm state | grep -c '^src'
}

# The policies that protect (with a template), not the bypasses.
xpolicies() {
	ip -n "$(ns_of "$1")" xfrm policy | grep -c 'tmpl '
}

# Every policy of the namespace but the sockets' own (those say "socket").
xallpolicies() {
	ip -n "$(ns_of "$1")" xfrm policy | grep -c 'dir \(in\|out\|fwd\)'
}

# udp_holders SIDE PORT: the programs with a socket on UDP PORT in SIDE's
# namespace (ss -p), empty when none.
udp_holders() {
	ip netns exec "$(ns_of "$1")" ss -Hulnp "sport = :$2" |
		sed -n 's/.*users:(("\([^"]*\)".*/\1/p' | sort -u | tr '\n' ' '
}

[ "$case" = refuse ] || modprobe -a esp4 esp6 xfrm_user veth || fail "cannot load the modules"
e2e_init "x$case"
# On failure, what the kernels say.
xdump() {
	for _n in "$NSA" "$NSB"; do
		echo "--- $_n: ip -s xfrm state; xfrm_stat"
		ip -n "$_n" -s xfrm state | grep -v "key\|aead\|auth\|enc "
		ip netns exec "$_n" cat /proc/net/xfrm_stat | grep -v " 0$"
	done
}

# UDP both ways, ESP on the wire (seen on B), counters.
traffic_both() {
	sniff_start b
	r=$(udp_run a b $B4 200)
	sniff_stop
	[ "$(json_get "$r" unique)" = 200 ] || fail "A->B UDP: $r"
	s=$(seq_check $SPI_AB) || fail "A->B ESP sequence: $s"
	note "A->B: 200 datagrams; on the wire: $s"
	r=$(udp_run b a $A4 200)
	[ "$(json_get "$r" unique)" = 200 ] || { xdump; fail "B->A UDP: $r"; }
}

case $case in
transport)
	e2e_fwpd a
	e2e_fwpd b
	[ "$(xstates a)" = 0 ] || fail "states before any SA"
	e2e_pair
	[ "$(xstates a)" = 2 ] || fail "A: $(xstates a) states, not 2"
	[ "$(xpolicies a)" = 2 ] || fail "A: $(xpolicies a) policies, not 2"
	# IPv6 neighbour discovery bypasses (ICMPv6 135, 136; in, out).
	[ "$(xallpolicies a)" = 6 ] || fail "A: $(xallpolicies a) policies in all, not 6"
	ip -n "$NSA" xfrm state | grep -q "rfc4106(gcm(aes))" || fail "not AES-GCM"
	ip -n "$NSA" xfrm state | grep -q "mode transport" || fail "not transport"
	traffic_both
	grep -q '"kind": "udp"' "$DIR/sniff.jsonl" && fail "ESP in UDP without NAT-T"
	out=$(counters a 1 outbound packets)
	[ "$out" -ge 200 ] || fail "A outbound packets $out"
	inb=$(counters b 1 inbound packets)
	[ "$inb" -ge 200 ] || fail "B inbound packets $inb"
	k=$(ip -n "$NSA" -s xfrm state | grep -A12 "spi $(printf '0x%08x' $SPI_AB)" |
		sed -n 's/.*\([0-9][0-9]*\)(bytes), *\([0-9][0-9]*\)(packets).*/\2/p' | head -1)
	note "per-SA counters: A out $out, B in $inb (ip xfrm: $k)"
	[ "$(stat b inbound_traffic total_successful_packets)" -ge 200 ] || fail "B statistics"
	[ "$(stat a outbound_traffic transport_bytes)" -gt 0 ] || fail "A transport bytes"
	e2e_cmd a delete
	[ "$(xstates a)" = 0 ] || fail "A: states left after DeleteById0"
	[ "$(xpolicies a)" = 0 ] || fail "A: policies left after DeleteById0"
	note "DeleteById0: A's states and policies gone"
	kill "$(e2e_fwpd_pid "$NSB" "$DIR/b.sock")"
	i=0
	while [ "$(xstates b)" != 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(xstates b)" = 0 ] || fail "B: states left after a clean stop"
	[ "$(xallpolicies b)" = 0 ] || fail "B: policies left after a clean stop"
	note "clean stop: nothing left in B's kernel"
	;;
natt)
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair
	# No SA in UDP yet: the port is free for an IKE daemon.
	[ -z "$(udp_holders a 4500)$(udp_holders b 4500)" ] ||
		fail "UDP 4500 held with no SA in UDP: A $(udp_holders a 4500), B $(udp_holders b 4500)"
	sniff_start b
	netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9000 3 >"$DIR/recv.json"
	rp=$NETNS_LAST_PID
	i=0
	while ! ip netns exec "$NSB" ss -Huln "sport = :9000" | grep -q . && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 1500 0.002 &
	sender=$!
	sleep 1
	# B first (its inbound SA takes both forms anyway), then A's outbound.
	e2e_cmd b "natt on 4500 4500"
	e2e_cmd a "natt on 4500 4500"
	ip -n "$NSA" xfrm state | grep -q "encap type espinudp sport 4500 dport 4500" ||
		fail "A: no ESP-in-UDP state after Update0"
	[ "$(xstates a)" = 2 ] || fail "A: $(xstates a) states after Update0"
	# Nobody else on 4500: fwpd's own socket decapsulates, one per side.
	for _s in a b; do
		[ "$(udp_holders $_s 4500)" = "fwpd " ] ||
			fail "$_s: UDP 4500 held by '$(udp_holders $_s 4500)' with NAT-T on, not fwpd"
	done
	# Replaced, not renumbered: the outbound state carries on its
	# sequence numbers (the sniffer checks them) and its counters.
	note "NAT-T on mid-stream"
	sleep 1
	e2e_cmd a "natt off"
	e2e_cmd b "natt off"
	note "NAT-T off mid-stream"
	[ -z "$(udp_holders a 4500)$(udp_holders b 4500)" ] ||
		fail "UDP 4500 still held after NAT-T off: A $(udp_holders a 4500), B $(udp_holders b 4500)"
	wait "$sender"
	wait "$rp"
	sniff_stop
	r=$(cat "$DIR/recv.json")
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
	u=$(json_get "$r" unique)
	# The kernel's inbound state takes one form at a time: what A sends
	# in the old form between B's update and A's is dropped by B's kernel
	# as XfrmInStateMismatch (the tun backend takes both). Every other
	# loss is a fault, among them a datagram that met no state while A's
	# outbound one was replaced (XfrmOutNoStates).
	mm=$(ip netns exec "$NSB" awk '$1 == "XfrmInStateMismatch" { print $2 }' /proc/net/xfrm_stat)
	ns=$(ip netns exec "$NSA" awk '$1 == "XfrmOutNoStates" { print $2 }' /proc/net/xfrm_stat)
	note "received $u of 1500 across two switches ($mm dropped by B as the other form," \
		"$ns without a state on A); ESP sequence: $s"
	[ $((u + mm)) = 1500 ] || { xdump; fail "lost datagrams beyond the switch: $r"; }
	[ "$ns" = 0 ] || fail "A: $ns datagrams met no state during a replacement"
	# NAT-T on again, then DeleteById0: the last SA in UDP goes, the port
	# with it.
	e2e_cmd a "natt on 4500 4500"
	[ "$(udp_holders a 4500)" = "fwpd " ] || fail "A: 4500 not fwpd's after NAT-T on again"
	e2e_cmd a delete
	[ "$(xstates a)" = 0 ] || fail "A: $(xstates a) states after DeleteById0"
	[ -z "$(udp_holders a 4500)" ] || fail "A: UDP 4500 held after DeleteById0: $(udp_holders a 4500)"
	note "UDP 4500: free with no SA in UDP, fwpd's while NAT-T is on, free after NAT-T off and after DeleteById0"
	;;
tunnel)
	# FwpmIPsecTunnelAdd0's filters become the inner selectors of
	# tunnel-mode policies; the peer moves by Update0 mid-stream.
	ip -n "$NSA" addr add 10.1.0.1/32 dev lo
	ip -n "$NSB" addr add 10.2.0.1/32 dev lo
	ip -n "$NSA" route add 10.2.0.0/24 via $B4
	ip -n "$NSB" route add 10.1.0.0/24 via $A4
	e2e_fwpd a
	e2e_fwpd b
	e2e_keying a --mode tunnel --local $A4 --remote $B4 --inner-local 10.1.0.0/24 \
		--inner-remote 10.2.0.0/24 --spi-in $SPI_BA --spi-out $SPI_AB \
		--key-in $KEY_BA --key-out $KEY_AB
	e2e_keying b --mode tunnel --local $B4 --remote $A4 --inner-local 10.2.0.0/24 \
		--inner-remote 10.1.0.0/24 --spi-in $SPI_AB --spi-out $SPI_BA \
		--key-in $KEY_AB --key-out $KEY_BA
	ip -n "$NSA" xfrm state | grep -q "mode tunnel" || fail "A: no tunnel-mode state"
	ip -n "$NSA" xfrm policy | grep -q "src 10.1.0.0/24 dst 10.2.0.0/24" ||
		fail "A: no policy for the inner prefixes: $(ip -n "$NSA" xfrm policy)"
	[ "$(xpolicies a)" = 3 ] || fail "A: $(xpolicies a) policies, not out, in, fwd"
	sniff_start b
	r=$(udp_run a b 10.2.0.1 300 9000 10.1.0.1)
	sniff_stop
	[ "$(json_get "$r" unique)" = 300 ] || { xdump; fail "A->B inner UDP: $r"; }
	s=$(seq_check $SPI_AB) || fail "A->B ESP: $s"
	"$PY" - "$DIR/sniff.jsonl" <<'PYEOF' || fail "outer addresses"
import json, sys
for l in open(sys.argv[1]):
    h = bytes.fromhex(json.loads(l)["hex"])
    assert h[12:16] == bytes([198, 51, 100, 1]) and h[16:20] == bytes([198, 51, 100, 2]), h[:20].hex()
PYEOF
	note "A->B: 300 inner datagrams in ESP between the endpoints: $s"
	r=$(udp_run b a 10.1.0.1 300 9000 10.2.0.1)
	[ "$(json_get "$r" unique)" = 300 ] || fail "B->A inner UDP: $r"
	[ "$(stat a inbound_traffic tunnel_bytes)" -gt 0 ] || fail "A: no tunnel bytes"
	# The peer moves: Update0 on A points its outbound state and the
	# tunnel policy's template at B's second address, mid-stream.
	ip -n "$NSB" addr add 198.51.100.3/24 dev veth0
	ip -n "$NSB" xfrm state deleteall
	ip -n "$NSB" xfrm state add src 198.51.100.1 dst 198.51.100.3 proto esp spi $SPI_AB \
		mode tunnel reqid 9 aead 'rfc4106(gcm(aes))' 0x$KEY_AB 128 || fail "B: ip xfrm"
	ip -n "$NSB" xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
		tmpl src 198.51.100.1 dst 198.51.100.3 proto esp reqid 9 mode tunnel 2>/dev/null ||
		ip -n "$NSB" xfrm policy update src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
			tmpl src 198.51.100.1 dst 198.51.100.3 proto esp reqid 9 mode tunnel
	e2e_cmd a "move 198.51.100.3"
	ip -n "$NSA" xfrm state | grep -q "dst 198.51.100.3" || fail "A: state not moved"
	ip -n "$NSA" xfrm policy | grep -q "tmpl src 198.51.100.1 dst 198.51.100.3" ||
		fail "A: policy template not moved"
	sniff_start b
	r=$(udp_run a b 10.2.0.1 100 9002 10.1.0.1)
	sniff_stop
	[ "$(json_get "$r" unique)" = 100 ] || { xdump; fail "A->B after the move: $r"; }
	"$PY" - "$DIR/sniff.jsonl" <<'PYEOF' || fail "outer destination after the move"
import json, sys
seqs = []
for l in open(sys.argv[1]):
    h = bytes.fromhex(json.loads(l)["hex"])
    assert h[16:20] == bytes([198, 51, 100, 3]), h[:20].hex()
    seqs.append(json.loads(l)["seq"])
assert seqs and seqs[0] > 300, seqs[:3]
print("# after the move: first sequence number", seqs[0])
PYEOF
	note "Update0 moved the peer: state and policy template follow, sequence numbers carry on"
	e2e_cmd a delete
	[ "$(xpolicies a)" = 0 ] || fail "A: policies left after DeleteById0"
	;;
trap)
	# An IPsec filter is a trap: with no outbound SA its traffic is
	# dropped, never sent in the clear, and the kernel's acquire becomes
	# the no-SA net event naming the filter.
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair --filters
	ip -n "$NSA" xfrm policy | grep -q "priority 16385" || fail "A: no trap policy"
	r=$(udp_run a b $B4 50)
	[ "$(json_get "$r" unique)" = 50 ] || fail "A->B with the SA: $r"
	fid=$(e2e_ctl a --json filter list | "$PY" -c '
import json, sys
print([f["id"] for f in json.load(sys.stdin) if f["name"] == "static_keying IPsec outbound"][0])')
	e2e_in a "$NETEV" --count 100 --timeout 4 >"$DIR/netev.log" &
	ev=$!
	netns_track $ev
	i=0
	while ! grep -q ready "$DIR/netev.log" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	e2e_cmd a expire
	sniff_start b
	r=$(udp_run a b $B4 100)
	sniff_stop
	[ "$(json_get "$r" received)" = 0 ] || fail "sent with no outbound SA: $r"
	[ -s "$DIR/sniff.jsonl" ] && fail "ESP left A with no outbound SA"
	wait $ev
	grep -q "^ipsec_drop status=0xc000a010 spi=0x00000000 dir=out filter=$fid$" "$DIR/netev.log" ||
		{ xdump; fail "no acquire net event: $(cat "$DIR/netev.log")"; }
	note "no SA: 100 datagrams dropped in A's kernel, acquire -> IPSEC_KERNEL_DROP (filter $fid)"
	kill "$(e2e_fwpd_pid "$NSA" "$DIR/a.sock")"
	i=0
	while [ "$(xallpolicies a)" != 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(xallpolicies a)" = 0 ] || fail "A: policies left after a clean stop: $(ip -n "$NSA" xfrm policy)"
	;;
ipxfrm)
	# B is keyed by hand with ip xfrm: an independent peer.
	e2e_fwpd a
	e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
		--key-in $KEY_BA --key-out $KEY_AB
	ip -n "$NSB" xfrm state add src $A4 dst $B4 proto esp spi $SPI_AB mode transport \
		reqid 7 aead 'rfc4106(gcm(aes))' 0x$KEY_AB 128 || fail "ip xfrm state"
	ip -n "$NSB" xfrm state add src $B4 dst $A4 proto esp spi $SPI_BA mode transport \
		reqid 7 aead 'rfc4106(gcm(aes))' 0x$KEY_BA 128 || fail "ip xfrm state"
	ip -n "$NSB" xfrm policy add src $B4 dst $A4 dir out \
		tmpl src $B4 dst $A4 proto esp reqid 7 mode transport || fail "ip xfrm policy"
	ip -n "$NSB" xfrm policy add src $A4 dst $B4 dir in \
		tmpl src $A4 dst $B4 proto esp reqid 7 mode transport || fail "ip xfrm policy"
	traffic_both
	[ "$(counters a 1 inbound packets)" -ge 200 ] || fail "A inbound packets"
	note "fwpd --datapath xfrm and an ip xfrm-keyed kernel agree both ways"
	;;
killed)
	# The kernel's states and policies outlive fwpd: after a kill -9 the
	# traffic stays protected (never cleartext) until the SA's kernel
	# limits end it, or a successor takes over (the crash case).
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair
	kill -9 "$(e2e_fwpd_pid "$NSA" "$DIR/a.sock")"
	sleep 0.3
	[ "$(xstates a)" = 2 ] || fail "A: states gone with fwpd"
	sniff_start b
	r=$(udp_run a b $B4 100)
	sniff_stop
	[ "$(json_get "$r" unique)" = 100 ] || fail "A->B after the kill: $r"
	s=$(seq_check $SPI_AB) || fail "not ESP after the kill: $s"
	note "fwpd killed: A->B still ESP ($s)"
	;;
block)
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair --filters --block 17:9001
	ip -n "$NSA" xfrm policy | grep -B1 -A1 "action block" | grep -q "proto udp dport 9001" ||
		fail "A: no block policy for UDP port 9001: $(ip -n "$NSA" xfrm policy)"
	ip -n "$NSA" xfrm policy | grep -q "dir out action block priority 16382" ||
		fail "A: the block policy is not above the SA's: $(ip -n "$NSA" xfrm policy)"
	capture_start b
	r=$(udp_run a b $B4 100 9001)
	capture_stop
	[ "$(json_get "$r" received)" = 0 ] || fail "A->B port 9001 passed the BLOCK filter: $r"
	c=$(capture_count 'p["proto"] in (17, 50)')
	[ "$c" = 0 ] || fail "A sent $c packets for blocked traffic ($(capture_clear) in the clear)"
	pb=$(ip netns exec "$NSA" awk '$1 == "XfrmOutPolBlock" { print $2 }' /proc/net/xfrm_stat)
	[ "$pb" -ge 100 ] || fail "A: $pb drops by a block policy, not 100"
	sniff_start b
	r=$(udp_run a b $B4 100 9000)
	sniff_stop
	[ "$(json_get "$r" unique)" = 100 ] || fail "A->B port 9000 (not blocked): $r"
	s=$(seq_check $SPI_AB) || fail "A->B port 9000 not in ESP: $s"
	note "BLOCK filter: 100 datagrams to port 9001 dropped by A's kernel ($pb), port 9000 in ESP ($s)"
	fid=$(e2e_ctl a --json filter list | "$PY" -c '
import json, sys
print([f["id"] for f in json.load(sys.stdin) if f["name"] == "static_keying block"][0])')
	e2e_ctl a filter delete "$fid" >/dev/null || fail "A: filter delete $fid"
	ip -n "$NSA" xfrm policy | grep -q "action block" &&
		fail "A: the block policy outlived its filter: $(ip -n "$NSA" xfrm policy)"
	r=$(udp_run a b $B4 100 9001)
	[ "$(json_get "$r" unique)" = 100 ] || fail "A->B port 9001 after the filter's deletion: $r"
	note "filter $fid deleted: its policy gone, port 9001 passes (in ESP)"
	;;
crash)
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair
	kill -9 "$(e2e_fwpd_pid "$NSA" "$DIR/a.sock")"
	exec 7>&-
	sleep 0.3
	[ "$(xstates a)" = 2 ] || fail "A: states gone with fwpd"
	rm -f "$DIR/a.sock" "$DIR/a.in" "$DIR/a.out"
	e2e_fwpd a
	[ "$(xstates a)" = 0 ] || fail "A: the dead run's states kept: $(ip -n "$NSA" xfrm state | grep '^src')"
	[ "$(xpolicies a)" = 2 ] || fail "A: the dead run's policies not kept: $(ip -n "$NSA" xfrm policy)"
	# 6: the two SA policies and the four neighbour-discovery bypasses.
	grep -q "left 2 states (deleted) and 6 policies" "$DIR/fwpd-a.log" ||
		fail "A: no word of the leftovers: $(cat "$DIR/fwpd-a.log")"
	capture_start b
	r=$(udp_run a b $B4 100)
	capture_stop
	[ "$(json_get "$r" received)" = 0 ] || fail "A->B with no SA after the restart: $r"
	c=$(capture_count 'p["proto"] in (17, 50)')
	[ "$c" = 0 ] || fail "A sent $c packets to B with the dead run's SAs gone ($(capture_clear) in the clear)"
	nos=$(ip netns exec "$NSA" awk '$1 == "XfrmOutNoStates" { print $2 }' /proc/net/xfrm_stat)
	[ "$nos" -ge 100 ] || fail "A: $nos drops for lack of a state, not 100"
	note "after kill -9 and a restart: no state left, 100 datagrams held back by the kept policies ($nos)"
	e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
		--key-in $KEY_BA --key-out $KEY_AB
	traffic_both
	note "the keying module's new SAs carry both ways"
	kill "$(e2e_fwpd_pid "$NSA" "$DIR/a.sock")"
	i=0
	while [ "$(xallpolicies a)$(xstates a)" != 00 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(xstates a)" = 0 ] || fail "A: states left after a clean stop"
	[ "$(xallpolicies a)" = 0 ] || fail "A: policies left after a clean stop: $(ip -n "$NSA" xfrm policy)"
	note "clean stop: nothing left in A's kernel"
	;;
cbc)
	e2e_fwpd a
	e2e_fwpd b
	K16=00112233445566778899aabbccddeeff
	K16B=ffeeddccbbaa99887766554433221100
	H32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	H32B=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
	e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
		--transform cbc128-sha256 --key-in $K16B --key-out $K16 \
		--auth-key-in $H32B --auth-key-out $H32
	e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
		--transform cbc128-sha256 --key-in $K16 --key-out $K16B \
		--auth-key-in $H32 --auth-key-out $H32B
	ip -n "$NSA" xfrm state | grep -q "cbc(aes)" || fail "A: not AES-CBC"
	ip -n "$NSA" xfrm state | grep -q "hmac(sha256)" || fail "A: not HMAC-SHA-256"
	traffic_both
	note "AES-128-CBC + HMAC-SHA-256-128 both ways"
	;;
expire)
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair --lifetime-kb 64
	ip -n "$NSA" xfrm state | grep -q . || fail "no states"
	ip -n "$NSA" -s xfrm state | grep -q "hard 65536(bytes)" || {
		ip -n "$NSA" -s xfrm state | grep -i "limit" >&2
		fail "A: the kilobyte limit is not the kernel's"
	}
	# 64 KiB of datagrams pass the soft limit (90%), then the hard one.
	ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B4 9000 1500 0.001 >/dev/null
	e2e_wait_line a 'event SOFT_LIFETIME' 10 || { xdump; fail "A: no SOFT_LIFETIME"; }
	e2e_wait_line a 'event DELETE' 10 || { xdump; fail "A: no DELETE after the hard limit"; }
	[ "$(xstates a)" = 0 ] || fail "A: states left after the hard limit"
	note "kilobyte lifetime: the kernel's expire reached the API (DELETE)"
	;;
drain)
	e2e_fwpd a
	e2e_fwpd b
	e2e_pair
	e2e_cmd a expire
	ip -n "$NSA" xfrm state | grep -q "spi $(printf '0x%08x' $SPI_AB)" &&
		fail "A: outbound state kept after Expire0"
	ip -n "$NSA" xfrm state | grep -q "spi $(printf '0x%08x' $SPI_BA)" ||
		fail "A: inbound state gone at Expire0"
	r=$(udp_run b a $A4 100)
	[ "$(json_get "$r" unique)" = 100 ] || fail "B->A during the drain: $r"
	note "Expire0: A's outbound gone, its inbound still carries B's traffic"
	;;
*)
	fail "unknown case $case"
	;;
esac
echo PASS
