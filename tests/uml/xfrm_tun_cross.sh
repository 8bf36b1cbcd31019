#!/bin/sh
# xfrm_tun_cross.sh MODE XFORM ENCAP - our two ESP implementations against
# each other: fwpd --datapath tun on the host (real nftables, in a network
# namespace of its own) and fwpd --datapath xfrm inside user-mode Linux (the
# guest kernel's ESP), joined by a TAP device (uml-run.sh --net: UML's
# vector transport). MODE transport|tunnel, XFORM gcm|cbc (AES-GCM-128, or
# AES-128-CBC + HMAC-SHA-256-128), ENCAP plain|natt (ESP in UDP 4500).
#
# The host (A, 198.51.100.1) keys its side and boots the guest (B,
# 198.51.100.2), which keys its own and starts a receiver; then 200
# datagrams each way, the host's first. Both sides' receivers must count
# 200 distinct datagrams, both sides' per-SA counters at least 200 in and
# out, and the TAP carries ESP both ways (or only ESP in UDP between the
# 4500 ports), nothing in the clear. The two sides meet through files in a directory
# the guest shares read-write; every wait is bounded.
set -u
MODE=$1 XFORM=$2 ENCAP=$3
E2E_DATAPATH=tun
E2E_FWPD_MODE=
. "$SRC/tests/datapath/e2e/lib.sh"
N=200

keying_args() {	# SIDE: local, remote, transform, encapsulation
	if [ "$1" = a ]; then
		set -- --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB
		ki=$KEY_BA ko=$KEY_AB ai=$H32B ao=$H32 il=10.1.0.0/24 ir=10.2.0.0/24
	else
		set -- --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA
		ki=$KEY_AB ko=$KEY_BA ai=$H32 ao=$H32B il=10.2.0.0/24 ir=10.1.0.0/24
	fi
	if [ "$XFORM" = cbc ]; then
		ki=$(echo "$ki" | cut -c1-32) ko=$(echo "$ko" | cut -c1-32)
		set -- "$@" --transform cbc128-sha256 --auth-key-in $ai --auth-key-out $ao
	fi
	set -- "$@" --key-in $ki --key-out $ko
	[ "$MODE" = tunnel ] && set -- "$@" --mode tunnel --inner-local $il --inner-remote $ir
	[ "$ENCAP" = natt ] && set -- "$@" --natt 4500:4500
	echo "$@"
}
H32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
H32B=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100

# Addresses the traffic goes between: the hosts, or the inner networks.
if [ "$MODE" = tunnel ]; then
	TA=10.1.0.1 TB=10.2.0.1
else
	TA=$A4 TB=$B4
fi

# waitfile FILE SECONDS
waitfile() {
	_i=0
	while [ ! -f "$1" ] && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -f "$1" ]
}

# ---- the guest: B, fwpd --datapath xfrm ----
if [ "${UML_GUEST:-}" ]; then
	X=$XC_DIR
	gfail() {
		echo "$*" >"$X/guest.fail"
		ip -s xfrm state | grep -v "key\|aead\|auth\|enc " >>"$X/guest.fail"
		grep -v " 0$" /proc/net/xfrm_stat >>"$X/guest.fail"
		exit 1
	}
	modprobe -a esp4 xfrm_user || gfail "cannot load the modules"
	ip link set lo up
	ip link set vec0 up
	ip addr add $B4/24 dev vec0
	if [ "$MODE" = tunnel ]; then
		ip addr add 10.2.0.1/32 dev lo
		ip route add 10.1.0.0/24 via $A4
	fi
	G=/tmp/xc
	mkdir -p $G
	"$FWPD" --socket $G/b.sock --state-dir $G/b.state --datapath xfrm 2>$G/fwpd.log ||
		gfail "fwpd --datapath xfrm: $(cat $G/fwpd.log)"
	mkfifo $G/b.in
	FWP_ENGINE=service FWP_SOCKET=$G/b.sock "$KEYING" $(keying_args b) <$G/b.in \
		>$G/b.out 2>&1 &
	exec 7>$G/b.in
	i=0
	while ! grep -q '^ready' $G/b.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q '^ready' $G/b.out || gfail "static_keying: $(cat $G/b.out)"
	"$PY" "$TRAFFIC" recv 9000 10 >"$X/guest.recv.json" &
	rp=$!
	i=0
	while ! ss -Huln "sport = :9000" | grep -q . && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	: >"$X/guest.ready"
	waitfile "$X/host.ready" 60 || gfail "the host never got ready"
	"$PY" "$TRAFFIC" send $TA 9001 $N 0.002 $TB >/dev/null || gfail "send"
	wait $rp
	FWP_ENGINE=service FWP_SOCKET=$G/b.sock "$FWPCTL" --json sa counters 1 \
		>"$X/guest.counters.json" || gfail "fwpctl sa counters"
	ip xfrm state | grep -q "mode $MODE" || gfail "not a $MODE-mode state"
	[ "$ENCAP" = natt ] && { ip xfrm state | grep -q "encap type espinudp" ||
		gfail "no ESP-in-UDP state"; }
	: >"$X/guest.done"
	exit 0
fi

# ---- the host: A, fwpd --datapath tun ----
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN, TAP)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
. "$SRC/scripts/netns.sh"
netns_init "xc"
DIR=$(mktemp -d)
chmod 755 "$DIR"
trap 'e2e_cleanup 130' INT
trap 'e2e_cleanup 143' TERM HUP
trap 'e2e_cleanup' EXIT
netns_add a && NSA=$NETNS_LAST || fail "netns"
NSB=$NSA
TAP=xct$$
ip -n "$NSA" link set lo up
ip -n "$NSA" tuntap add "$TAP" mode tap || fail "TAP"
ip -n "$NSA" addr add $A4/24 dev "$TAP"
ip -n "$NSA" link set "$TAP" up
netns_rp_filter "$NSA" 0
[ "$MODE" = tunnel ] && ip -n "$NSA" addr add 10.1.0.1/32 dev lo
e2e_fwpd a
e2e_keying a $(keying_args a)

# The guest, in the namespace of the TAP (UML opens it by name there).
netns_bg "$NSA" env XC_DIR="$DIR" sh "$SRC/tests/uml/uml-run.sh" --timeout 100 \
	--net "$TAP" --rw "$DIR" -- sh "$0" "$MODE" "$XFORM" "$ENCAP" >"$DIR/guest.log" 2>&1
guest=$NETNS_LAST_PID
i=0
while [ ! -f "$DIR/guest.ready" ] && [ ! -f "$DIR/guest.fail" ] && kill -0 $guest 2>/dev/null &&
	[ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -f "$DIR/guest.ready" ]; then
	wait $guest
	rc=$?
	[ $rc = 77 ] && skip "UML cannot start here: $(cat "$DIR/guest.log")"
	fail "the guest did not get ready (uml-run $rc): $(cat "$DIR/guest.fail" "$DIR/guest.log" 2>/dev/null)"
fi
netns_bg "$NSA" "$PY" "$TRAFFIC" capture "$TAP" 60 "$DIR/cap.jsonl"
cap=$NETNS_LAST_PID
sleep 0.5
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $TB 9000 $N 0.002 $TA >/dev/null || fail "send"
netns_bg "$NSA" "$PY" "$TRAFFIC" recv 9001 10 >"$DIR/host.recv.json"
rp=$NETNS_LAST_PID
i=0
while ! ip netns exec "$NSA" ss -Huln "sport = :9001" | grep -q . && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
: >"$DIR/host.ready"
wait $rp
wait $guest
rc=$?
sleep 0.3
netns_kill $cap
[ -f "$DIR/guest.done" ] ||
	fail "the guest failed (uml-run $rc): $(cat "$DIR/guest.fail" "$DIR/guest.log" 2>/dev/null)"

g=$(cat "$DIR/guest.recv.json")
h=$(cat "$DIR/host.recv.json")
[ "$(json_get "$g" unique)" = $N ] || fail "tun -> xfrm: the guest received $g"
[ "$(json_get "$h" unique)" = $N ] || fail "xfrm -> tun: the host received $h"
for d in inbound outbound; do
	hp=$(counters a 1 $d packets)
	gp=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["packets"])' \
		"$DIR/guest.counters.json" $d)
	[ "$hp" -ge $N ] || fail "host $d packets $hp"
	[ "$gp" -ge $N ] || fail "guest $d packets $gp"
	note "$d: host (tun) $hp packets, guest (xfrm) $gp"
done
clear=$(capture_clear)
[ "$clear" = 0 ] || fail "$clear frames in the clear on the TAP"
# ESP frames each way (the capture sees both directions), or ESP in UDP
# between the 4500 ports.
if [ "$ENCAP" = natt ]; then
	esp='p["proto"] == 17 and p["sport"] == 4500 and p["dport"] == 4500'
	other='p["proto"] == 50'
else
	esp='p["proto"] == 50'
	other='p["proto"] == 17'
fi
out=$(capture_count "$esp and p['dir'] == 'out'")
in=$(capture_count "$esp and p['dir'] == 'in'")
o=$(capture_count "$other")
[ "$out" -ge $N ] && [ "$in" -ge $N ] || fail "on the TAP: $out ESP frames out, $in in"
[ "$o" = 0 ] || fail "on the TAP: $o frames of the other form"
note "$MODE $XFORM $ENCAP: $N datagrams each way between tun and xfrm; on the TAP $out ESP frames out, $in in ($ENCAP), none in the clear"
echo PASS
