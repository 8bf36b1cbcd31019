#!/bin/sh
# ims.sh - SIP over IPsec (3GPP TS 33.203) with tinyIPSec's call sequence.
#
# Namespace A is the UE: ims_keying (filters on local and remote address,
# local port and protocol; IPsecSaContextCreate0, GetSpi0, AddInbound0,
# AddOutbound0) with the in-process engine and datapath (FWP_ENGINE=embedded
# FWP_DATAPATH=tun), and UDP echo servers on its client and server ports,
# on SIP's 5060 and on an RTP-like port. Namespace B is the P-CSCF: scapy
# (ims_peer.py says what it checks: ESP both ways on the protected port
# pairs, cleartext to them dropped, a replay dropped, 5060, the RTP port
# and ping in the clear both ways). For each transform TS 33.203 allows:
# HMAC-MD5-96 and HMAC-SHA-1-96 with NULL, AES-CBC and 3DES, over IPv4
# (and two of them over IPv6). After the
# module's exit nothing is left: no nftables table, rule, route or TUN.
# Then once more against fwpd (default mode) instead of the in-process
# datapath; once with our engine on both sides (the P-CSCF's ims_keying
# against fwpd in B); and a module killed with kill -9: its guard stays with the
# protected ports only (cleartext to them dropped, ping and SIP pass), and
# the next module takes the namespace over.
#
# Needs root, ethtool and python3-scapy; exits 77 (a skip) without them.
# Environment (CTest): SRC, FWPD, KEYING (static_keying), FWPCTL, IMS.
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/datapath/interop/lib.sh"
IMSDIR="$SRC/tests/ims"

need_root_tools ethtool
[ -x "${IMS:-}" ] || { echo "FAIL: IMS must name ims_keying"; exit 1; }
"$PY" -c 'import scapy.layers.ipsec, cryptography' 2>/dev/null ||
	skip "no scapy with cryptography for $PY (python3-scapy, python3-cryptography)"

UC=6100 US=6101 PC=6200 PS=6201 RTP=40000
A6=2001:db8:1::1 B6=2001:db8:1::2
UE=$A4 PCSCF=$B4
CASES=${IMS_CASES:-"null-md5 null-sha1 aes-md5 aes-sha1 3des-md5 3des-sha1"}
CASES6=${IMS_CASES6:-"aes-sha1 3des-md5"}

interop_init ims
for p in $UC $US 5060 $RTP; do
	netns_bg "$NSA" "$PY" "$HERE/traffic.py" udp-echo --port $p
	[ $p = $UC ] && ECHO_UC=$NETNS_LAST_PID
done

keys() {
	case "$1" in
	null-*) KEY= ;;
	aes-*) KEY=$(hexkey 16) ;;
	3des-*) KEY=$(hexkey 24) ;;
	esac
	case "$1" in
	*-md5) AUTH=$(hexkey 16) ;;
	*-sha1) AUTH=$(hexkey 20) ;;
	esac
}

# ue NAME TRANSFORM [ENV...]: ims_keying in A (stdin on fd 7), through the
# SPI exchange; the P-CSCF's SPIs are SPI_PC and SPI_PS; the UE's in
# SPI_UC and SPI_US; its PID in UE_PID.
ue() {
	_n=$1 _x=$2
	shift 2
	rm -f "$TMP/$_n.in"
	mkfifo "$TMP/$_n.in"
	env FWP_ENGINE=embedded FWP_DATAPATH=tun "$@" ip netns exec "$NSA" "$IMS" \
		--local $UE --remote $PCSCF --port-c $UC --port-s $US --transform "$_x" \
		${KEY:+--key $KEY} --auth-key "$AUTH" <"$TMP/$_n.in" >"$TMP/$_n.out" 2>&1 &
	UE_PID=$!
	netns_track $UE_PID
	exec 7>"$TMP/$_n.in"
	wait_line "$_n" '^spi ' || fatal "$_n: no SPIs"
	# "spi C S": the words, split on purpose.
	# shellcheck disable=SC2046
	set -- $(grep '^spi ' "$TMP/$_n.out")
	SPI_UC=$2 SPI_US=$3
	echo "peer $SPI_PC $SPI_PS" >&7
	wait_line "$_n" '^ready' || fatal "$_n: not ready"
}

wait_line() {
	_i=0
	while ! grep -q "$2" "$TMP/$1.out" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && return 1
		kill -0 $UE_PID 2>/dev/null || { grep -q "$2" "$TMP/$1.out"; return; }
		sleep 0.05
	done
}

ue_quit() {
	echo quit >&7
	exec 7>&-
	_i=0
	while kill -0 $UE_PID 2>/dev/null && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	kill -0 $UE_PID 2>/dev/null && fail "$1: ims_keying did not exit"
	wait $UE_PID
	_rc=$?
	[ $_rc = 0 ] || fail "$1: ims_keying exited with status $_rc: $(cat "$TMP/$1.out")"
	grep -q '^deleted' "$TMP/$1.out" || fail "$1: not deleted: $(cat "$TMP/$1.out")"
}

peer() {
	ip netns exec "$NSB" "$PY" "$IMSDIR/ims_peer.py" --ue $UE --me $PCSCF \
		--transform "$1" ${KEY:+--key $KEY} --auth-key "$AUTH" --uc $UC --us $US \
		--pc $PC --ps $PS --rtp $RTP --spi-uc "$SPI_UC" --spi-us "$SPI_US" \
		--spi-pc "$SPI_PC" --spi-ps "$SPI_PS" >"$TMP/peer-$1-$SPI_PS.log" 2>&1
	_rc=$?
	cat "$TMP/peer-$1-$SPI_PS.log"
	[ $_rc = 0 ] && return
	fail "$1: the P-CSCF's checks"
	# What A had then, for the log.
	{
		ip netns exec "$NSA" nft list ruleset
		ip -n "$NSA" rule
		ip -n "$NSA" route show table all | grep -v '^local\|^broadcast\|fe80'
	} >"$TMP/a-state-$1-$SPI_PS.log" 2>&1
}

# nothing_left WHAT: no guard, NAT-T table, steering rule, route or TUN in A.
nothing_left() {
	ip netns exec "$NSA" nft list tables | grep -q 'fwp[dn]_' &&
		fail "$1: nftables table left: $(ip netns exec "$NSA" nft list tables)"
	ip -n "$NSA" rule | grep -q 'lookup 18000' && fail "$1: steering rule left"
	ip -4 -n "$NSA" rule | grep -q 'fwmark 0x4651' && fail "$1: reroute rule left"
	[ -z "$(ip -n "$NSA" route show table 18000 2>/dev/null)" ] || fail "$1: routes left"
	ip -n "$NSA" link show fwp0 >/dev/null 2>&1 && fail "$1: TUN left"
	return 0
}

n=0
for x in $CASES; do
	n=$((n + 1))
	keys "$x"
	SPI_PC=$(printf 0x%x $((0x5000 + 2 * n))) SPI_PS=$(printf 0x%x $((0x5001 + 2 * n)))
	ue "ue-$x" "$x"
	# The guard holds classes, not the whole peer.
	ip netns exec "$NSA" nft list set inet fwpd_fwp0 in4p | grep -q "$B4 . udp . $UC " ||
		fail "$x: no inbound class for the client port"
	ip netns exec "$NSA" nft list set inet fwpd_fwp0 in4 | grep -q "$B4" &&
		fail "$x: the whole peer is guarded"
	peer "$x"
	# The UE sends SIP and RTP in the clear too, and pings.
	ip netns exec "$NSA" "$PY" "$HERE/traffic.py" ping --dst $B4 --payload "ue ping" \
		--count 2 >/dev/null || fail "$x: UE ping to the P-CSCF"
	ue_quit "ue-$x"
	nothing_left "$x"
	ok "$x: done, nothing left"
done

# IPv6: the same classes in the IPv6 sets.
UE=$A6 PCSCF=$B6
for x in $CASES6; do
	n=$((n + 1))
	keys "$x"
	SPI_PC=$(printf 0x%x $((0x5000 + 2 * n))) SPI_PS=$(printf 0x%x $((0x5001 + 2 * n)))
	ue "ue6-$x" "$x"
	ip netns exec "$NSA" nft list set inet fwpd_fwp0 in6p | grep -q "$B6 . udp . $US " ||
		fail "IPv6 $x: no inbound class for the server port"
	peer "$x"
	ip netns exec "$NSA" "$PY" "$HERE/traffic.py" ping --dst $B6 --payload "ue ping" \
		--count 2 >/dev/null || fail "IPv6 $x: UE ping to the P-CSCF"
	ue_quit "ue6-$x"
	nothing_left "IPv6 $x"
	ok "IPv6 $x: done, nothing left"
done
UE=$A4 PCSCF=$B4

# The same against fwpd in its default mode (it daemonizes).
keys aes-md5
SPI_PC=0x6000 SPI_PS=0x6001
ip netns exec "$NSA" "$FWPD" --socket "$TMP/ue.sock" --state-dir "$TMP/ue.state" \
	--datapath tun 2>"$TMP/fwpd-ue.log" || fatal "fwpd in A did not start"
i=0
while [ ! -S "$TMP/ue.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ue ue-fwpd aes-md5 FWP_ENGINE=service FWP_SOCKET="$TMP/ue.sock"
peer aes-md5
ue_quit ue-fwpd
for p in $(ip netns pids "$NSA"); do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = fwpd ] && FWPD_PID=$p
done
kill -TERM "${FWPD_PID:-0}" 2>/dev/null || fail "no fwpd daemon in A"
i=0
while kill -0 "${FWPD_PID:-0}" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
nothing_left "fwpd"
ok "against fwpd: done, nothing left"

# Both sides our engine: the P-CSCF runs ims_keying too, against fwpd (its
# default mode) in B; the SPIs cross as in SIP. Counters in B's input hook
# show what came over the wire: ESP, and no cleartext to the protected
# ports.
ip netns exec "$NSB" "$FWPD" --socket "$TMP/pcscf.sock" --state-dir "$TMP/pcscf.state" \
	--datapath tun 2>"$TMP/fwpd-pcscf.log" || fatal "fwpd in B did not start"
# The UE's client port and the P-CSCF's client port send; the server
# ports and 5060 in B echo (two echo servers on one port would echo each
# other forever: B's go at the end).
netns_kill "$ECHO_UC"
netns_bg "$NSB" "$PY" "$HERE/traffic.py" udp-echo --port $PS
ECHO_B1=$NETNS_LAST_PID
netns_bg "$NSB" "$PY" "$HERE/traffic.py" udp-echo --port 5060
ECHO_B2=$NETNS_LAST_PID
printf '%s\n' "add table inet imscount" \
	"add chain inet imscount in { type filter hook input priority -200; policy accept; }" \
	"add rule inet imscount in iifname \"veth0\" meta l4proto esp counter" \
	"add rule inet imscount in iifname \"veth0\" udp dport { $PC, $PS } counter" \
	"add rule inet imscount in iifname \"veth0\" udp dport 5060 counter" |
	ip netns exec "$NSB" nft -f - || fatal "counters in B"
i=0
while [ ! -S "$TMP/pcscf.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
keys aes-md5
rm -f "$TMP/pcscf.in"
mkfifo "$TMP/pcscf.in"
FWP_ENGINE=service FWP_SOCKET="$TMP/pcscf.sock" ip netns exec "$NSB" "$IMS" --local $B4 \
	--remote $A4 --port-c $PC --port-s $PS --transform aes-md5 --key "$KEY" \
	--auth-key "$AUTH" <"$TMP/pcscf.in" >"$TMP/pcscf.out" 2>&1 &
P_PID=$!
netns_track $P_PID
exec 8>"$TMP/pcscf.in"
i=0
while ! grep -q '^spi ' "$TMP/pcscf.out" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
grep -q '^spi ' "$TMP/pcscf.out" || fatal "P-CSCF: no SPIs: $(cat "$TMP/pcscf.out")"
# shellcheck disable=SC2046
set -- $(grep '^spi ' "$TMP/pcscf.out")
SPI_PC=$2 SPI_PS=$3
ue ue-both aes-md5
echo "peer $SPI_UC $SPI_US" >&8
i=0
while ! grep -q '^ready' "$TMP/pcscf.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
grep -q '^ready' "$TMP/pcscf.out" || fatal "P-CSCF not ready: $(cat "$TMP/pcscf.out")"
ip netns exec "$NSA" "$PY" "$HERE/traffic.py" udp-ping --dst $B4 --port $PS --sport $UC \
	--payload "REGISTER" --count 3 >/dev/null || fail "both: UE client -> P-CSCF server"
ip netns exec "$NSB" "$PY" "$HERE/traffic.py" udp-ping --dst $A4 --port $US --sport $PC \
	--payload "NOTIFY" --count 3 >/dev/null || fail "both: P-CSCF client -> UE server"
ip netns exec "$NSA" "$PY" "$HERE/traffic.py" udp-ping --dst $B4 --port 5060 \
	--payload "SIP in the clear" --count 2 >/dev/null || fail "both: SIP 5060 in the clear"
ip netns exec "$NSB" ping -c 1 -W 2 $A4 >/dev/null || fail "both: ping"
counts=$(ip netns exec "$NSB" nft list chain inet imscount in |
	sed -n 's/.*packets \([0-9]*\).*/\1/p' | tr '\n' ' ')
# shellcheck disable=SC2086
set -- $counts
[ "${1:-0}" -ge 6 ] || fail "both: ${1:-0} ESP packets into B, expected 6 (counts: $counts)"
[ "${2:-1}" = 0 ] || fail "both: ${2:-?} cleartext packets to the protected ports on the wire"
[ "${3:-0}" -ge 2 ] || fail "both: ${3:-0} SIP datagrams in the clear, expected 2"
ok "both sides our engine: ESP on the protected port pairs ($1 packets into B), SIP and ping in the clear"
echo quit >&8
exec 8>&-
ue_quit ue-both
i=0
while kill -0 $P_PID 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
grep -q '^deleted' "$TMP/pcscf.out" || fail "P-CSCF: not deleted: $(cat "$TMP/pcscf.out")"
nothing_left "both sides"
ip netns exec "$NSB" nft delete table inet imscount
netns_kill "$ECHO_B1"
netns_kill "$ECHO_B2"
netns_bg "$NSA" "$PY" "$HERE/traffic.py" udp-echo --port $UC

# kill -9: the classes stay, and only they.
keys aes-sha1
SPI_PC=0x7000 SPI_PS=0x7001
ue ue-dead aes-sha1
kill -9 $UE_PID
exec 7>&-
sleep 0.2
ip netns exec "$NSA" nft list set inet fwpd_fwp0 in4p | grep -q "$B4 . udp . $UC " ||
	fail "kill -9: the inbound class went"
ip netns exec "$NSB" "$PY" "$HERE/traffic.py" ping --dst $A4 --payload "after" >/dev/null ||
	fail "kill -9: no ping with the guard left"
ip netns exec "$NSB" "$PY" "$HERE/traffic.py" udp-ping --dst $A4 --port 5060 \
	--payload "sip after" >/dev/null || fail "kill -9: SIP in the clear dropped"
ip netns exec "$NSB" "$PY" "$HERE/traffic.py" udp-ping --dst $A4 --port $UC --sport $PS \
	--payload "protected after" >/dev/null 2>&1 &&
	fail "kill -9: cleartext to a protected port answered"
ok "kill -9: the protected ports stay guarded; ping and SIP pass"
SPI_PC=0x7100 SPI_PS=0x7101
ue ue-next aes-sha1
grep -q "took over" "$TMP/ue-next.out" || fail "no takeover: $(cat "$TMP/ue-next.out")"
peer aes-sha1
ue_quit ue-next
nothing_left "successor"
finish
