#!/bin/sh
# kernel_esp.sh - the guest kernel's own ESP carries traffic between two
# network namespaces, keyed by hand with ip xfrm (inside user-mode Linux:
# it runs itself through uml-run.sh when started on the host).
#
#   kernel_esp.sh esp    IPv4 and IPv6, rfc4106(gcm(aes)) transport mode
#                        both ways: pings pass, the SAs' counters rose, and
#                        the veth carried ESP and no cleartext echo
#   kernel_esp.sh natt   the same over IPv4 in ESP-in-UDP (encap espinudp
#                        4500 4500), received by a UDP_ENCAP_ESPINUDP
#                        socket that bypasses the policies: only UDP/4500
#                        with SPIs on the wire
#
# Needs SRC (the source tree). This proves the guest can do what the xfrm
# backend will ask of it; the figures are for function only.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${SRC:-$(cd "$HERE/../.." && pwd)}
mode=${1:-esp}
case $mode in esp | natt) ;; *) echo "usage: $0 esp|natt" >&2; exit 2 ;; esac
if [ -z "${UML_GUEST:-}" ]; then
	exec sh "$HERE/uml-run.sh" --timeout "${UML_TIMEOUT:-90}" -- \
		env SRC="$SRC" sh "$0" "$@"
fi

PY=/usr/bin/python3
PROBE=$HERE/xfrm_probe.py
. "$SRC/scripts/netns.sh"
netns_init umlesp
T=$(mktemp -d)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# key: 20 random bytes (AES-128 key and 4-byte salt) in hex.
key() {
	od -An -tx1 -N20 /dev/urandom | tr -d ' \n'
}

# sa NS SRC DST SPI KEY [ENCAP...]: one ESP state in NS.
sa() {
	_ns=$1 _s=$2 _d=$3 _spi=$4 _k=$5
	shift 5
	ip -n "$_ns" xfrm state add src "$_s" dst "$_d" proto esp spi "$_spi" \
		reqid 1 mode transport replay-window 32 \
		aead 'rfc4106(gcm(aes))' "0x$_k" 128 "$@"
}

# pair NS LOCAL PEER: the policies of NS for traffic with PEER.
pair() {
	for _dir in "out $2 $3" "in $3 $2"; do
		set -- $_dir
		ip -n "$_ns" xfrm policy add dir "$1" src "$2" dst "$3" \
			tmpl src "$2" dst "$3" proto esp reqid 1 mode transport
	done
}

# keyed A B ADDR_A ADDR_B SPI_AB SPI_BA [ENCAP...]: both SAs in both
# namespaces, and the policies.
keyed() {
	_a=$1 _b=$2 _x=$3 _y=$4 _s1=$5 _s2=$6
	shift 6
	_k1=$(key) _k2=$(key)
	for _ns in "$_a" "$_b"; do
		sa "$_ns" "$_x" "$_y" "$_s1" "$_k1" "$@"
		sa "$_ns" "$_y" "$_x" "$_s2" "$_k2" "$@"
	done
	_ns=$_a; pair "$_a" "$_x" "$_y"
	_ns=$_b; pair "$_b" "$_y" "$_x"
}

# packets NS SRC DST SPI: the packets counted on that state.
packets() {
	ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
		sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' | head -n 1
}

# wait_file FILE: up to 20 s (a loaded host slows the guest down).
wait_file() {
	_i=0
	while [ ! -e "$1" ]; do
		[ $_i -lt 200 ] || fail "no $1"
		sleep 0.1
		_i=$((_i + 1))
	done
}

modprobe -a esp4 esp6 xfrm_user veth || fail "cannot load the ESP modules"
netns_add a; A=$NETNS_LAST
netns_add b; B=$NETNS_LAST
netns_veth "$A" "$B"

# Every frame B's veth receives, counted by kind.
netns_bg "$B" "$PY" "$PROBE" wire veth0 "$T/wire"
WIRE=$NETNS_LAST_PID
wait_file "$T/wire.ready"

A4=198.51.100.1 B4=198.51.100.2 A6=2001:db8:1::1 B6=2001:db8:1::2
n=3
if [ "$mode" = esp ]; then
	keyed "$A" "$B" $A4 $B4 0x1001 0x1002
	keyed "$A" "$B" $A6 $B6 0x1003 0x1004
	checks="$A4 $B4 0x1001|$B4 $A4 0x1002|$A6 $B6 0x1003|$B6 $A6 0x1004"
	netns_exec "$A" ping -q -c $n -i 0.1 -W 2 $B4 || fail "IPv4 ping over ESP"
	netns_exec "$A" ping -q -c $n -i 0.1 -W 2 $B6 || fail "IPv6 ping over ESP"
else
	for ns in "$A" "$B"; do
		netns_bg "$ns" "$PY" "$PROBE" natt 4500 "$T/natt.$ns"
		wait_file "$T/natt.$ns"
	done
	keyed "$A" "$B" $A4 $B4 0x2001 0x2002 encap espinudp 4500 4500 0.0.0.0
	checks="$A4 $B4 0x2001|$B4 $A4 0x2002"
	netns_exec "$A" ping -q -c $n -i 0.1 -W 2 $B4 ||
		fail "IPv4 ping over ESP-in-UDP"
fi

# Each SA counted the echoes (requests one way, replies the other) on
# both its ends.
echo "$checks" | tr '|' '\n' | while read -r s d spi; do
	for ns in "$A" "$B"; do
		p=$(packets "$ns" "$s" "$d" "$spi")
		[ "${p:-0}" -ge $n ] ||
			fail "SA $spi in $ns counted ${p:-none} packets, not >= $n"
		echo "SA $spi in $ns: $p packets"
	done
done

netns_kill "$WIRE"
wait_file "$T/wire"
w=$(cat "$T/wire")
echo "wire at B: $w"
count() {
	echo "$w" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"
}
[ "$(count icmp)" -eq 0 ] || fail "cleartext echo on the wire: $w"
if [ "$mode" = esp ]; then
	[ "$(count esp)" -ge $((2 * n)) ] || fail "too few ESP frames: $w"
	[ "$(count espinudp)" -eq 0 ] || fail "ESP-in-UDP on the wire: $w"
else
	[ "$(count espinudp)" -ge $n ] || fail "too few ESP-in-UDP frames: $w"
	[ "$(count esp)" -eq 0 ] || fail "bare ESP on the wire: $w"
fi
echo "PASS: kernel ESP ($mode) between two namespaces"
