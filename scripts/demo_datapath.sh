#!/bin/sh
# The datapath demo (part of make demo; needs root): two network namespaces
# joined by veth, fwpd --datapath tun in each, the example keying module
# examples/static_keying on both sides with mirrored SPIs and fresh random
# keys. TCP and UDP between them, counters, NAT-T switched on with
# IPsecSaContextUpdate0 in the middle of a stream (the flow goes on over UDP
# 4500, nothing lost), then Expire0 and DeleteById0. Everything it made is
# removed at the end, also when interrupted.
# Usage: scripts/demo_datapath.sh BUILD_DIR
set -u
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
FWPD=$build/fwpd
KEYING=$build/examples/static_keying
FWPCTL=$build/src/fwpctl/fwpctl
PY=/usr/bin/python3
TRAFFIC=$src/tests/datapath/e2e/traffic.py

if [ "$(id -u)" != 0 ]; then
	echo "demo: the datapath part needs root (network namespaces, a TUN device,"
	echo "      raw sockets): run 'make demo' as root to see packets protected."
	exit 1
fi
[ -c /dev/net/tun ] || { echo "demo: no /dev/net/tun in this system"; exit 1; }

. "$src/scripts/netns.sh"
DIR=$(mktemp -d)
cleanup() {
	exec 7>&- 8>&- 2>/dev/null
	netns_cleanup
	rm -rf "$DIR"
}
netns_init fwpdemo
trap 'cleanup' EXIT
trap 'echo "demo: interrupted, cleaning up"; cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM HUP
die() { echo "demo: $*" >&2; exit 1; }

netns_add a; NSA=$NETNS_LAST
netns_add b; NSB=$NETNS_LAST
netns_veth "$NSA" "$NSB" || die "veth"
netns_rp_filter "$NSA" 0
netns_rp_filter "$NSB" 0
A=198.51.100.1
B=198.51.100.2
ns_of() { [ "$1" = a ] && echo "$NSA" || echo "$NSB"; }
in_ns() { s=$1; shift; FWP_ENGINE=service FWP_SOCKET="$DIR/$s.sock" ip netns exec "$(ns_of "$s")" "$@"; }

echo "### 5. the datapath: namespaces $NSA ($A) and $NSB ($B), fwpd --datapath tun in each"
for s in a b; do
	netns_bg "$(ns_of $s)" "$FWPD" --foreground --socket "$DIR/$s.sock" \
		--state-dir "$DIR/$s.state" --datapath tun 2>"$DIR/fwpd-$s.log"
done
for s in a b; do
	i=0
	while [ ! -S "$DIR/$s.sock" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && die "fwpd $s did not start"; sleep 0.05
	done
done

# Fresh AES-GCM-128 keys (key + salt) for this run; never printed.
key() { od -An -N20 -tx1 /dev/urandom | tr -d ' \n'; }
KAB=$(key)
KBA=$(key)
keying() {
	s=$1; shift
	mkfifo "$DIR/$s.in"
	in_ns "$s" "$KEYING" "$@" <"$DIR/$s.in" >"$DIR/$s.out" 2>&1 &
	netns_track $!
	if [ "$s" = a ]; then exec 7>"$DIR/a.in"; else exec 8>"$DIR/b.in"; fi
	i=0
	while ! grep -q '^ready' "$DIR/$s.out"; do
		i=$((i + 1)); [ $i -gt 100 ] && { cat "$DIR/$s.out"; die "keying $s"; }; sleep 0.05
	done
}
cmd() {
	n=$(grep -c '^\(ok\|error\)' "$DIR/$1.out")
	if [ "$1" = a ]; then echo "$2" >&7; else echo "$2" >&8; fi
	i=0
	while [ "$(grep -c '^\(ok\|error\)' "$DIR/$1.out")" -le "$n" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && die "no answer to $2"; sleep 0.05
	done
	echo "  $1> $2: $(grep '^\(ok\|error\)' "$DIR/$1.out" | tail -1)"
}
keying a --local $A --remote $B --spi-in 0xb0000001 --spi-out 0xa0000001 \
	--key-in "$KBA" --key-out "$KAB" --filters
keying b --local $B --remote $A --spi-in 0xa0000001 --spi-out 0xb0000001 \
	--key-in "$KAB" --key-out "$KBA" --filters
echo "static_keying added an SA pair and its filters on each side:"
in_ns a "$FWPCTL" sa list
echo "and fwpd routes the peer into its TUN (table 18000):"
ip -n "$NSA" route show table 18000

echo
echo "### 6. TCP: 20 MB from A to B through ESP"
netns_bg "$NSB" "$PY" "$TRAFFIC" tcp-sink 9100 3 >"$DIR/sink.json"
sink=$NETNS_LAST_PID
sleep 0.3
t0=$(date +%s.%N)
sent=$(ip netns exec "$NSA" "$PY" "$TRAFFIC" tcp-send $B 9100 20000000) || die "tcp"
t1=$(date +%s.%N)
wait "$sink"
echo "  sent: $sent"
echo "  got:  $(cat "$DIR/sink.json")  ($(echo "$t0 $t1" | awk '{printf "%.0f Mbit/s", 160/($2-$1)}'), the Python sender's pace)"
echo "UDP: 500 datagrams from B to A"
netns_bg "$NSA" "$PY" "$TRAFFIC" recv 9000 1.5 >"$DIR/recv.json"
rp=$NETNS_LAST_PID; sleep 0.3
ip netns exec "$NSB" "$PY" "$TRAFFIC" send $A 9000 500 0.0005
wait "$rp"
echo "  A received: $(cat "$DIR/recv.json")"
echo "per-SA counters on A (FwpxSaContextGetCounters0):"
in_ns a "$FWPCTL" sa counters 1
echo "IPsecGetStatistics1 on B:"
in_ns b "$FWPCTL" stats | sed -n '/^traffic:/,/^esp drops:/p' | grep -v '^esp drops:'

echo
echo "### 7. NAT-T on with IPsecSaContextUpdate0 in the middle of a UDP stream"
netns_bg "$NSB" "$PY" "$TRAFFIC" sniff veth0 30 "$DIR/sniff.jsonl"
snf=$NETNS_LAST_PID
netns_bg "$NSB" "$PY" "$TRAFFIC" recv 9000 2 >"$DIR/recv.json"
rp=$NETNS_LAST_PID
sleep 0.4
ip netns exec "$NSA" "$PY" "$TRAFFIC" send $B 9000 3000 0.001 &
snd=$!
sleep 1
cmd b "natt on 4500 4500"
cmd a "natt on 4500 4500"
wait "$snd"
wait "$rp"
sleep 0.2
netns_kill "$snf"
echo "  B received: $(cat "$DIR/recv.json")"
"$PY" - "$DIR/sniff.jsonl" <<'PYEOF'
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pk = [p for p in pk if p["spi"] == 0xa0000001]
kinds = [p["kind"] for p in pk]
first_udp = kinds.index("udp") if "udp" in kinds else None
seqs = [p["seq"] for p in pk]
inc = all(b > a for a, b in zip(seqs, seqs[1:]))
print("  on the wire from A: %d ESP packets (protocol 50), then %d in UDP 4500"
      % (first_udp if first_udp is not None else len(kinds), kinds.count("udp")))
if first_udp:
    print("  sequence numbers around the switch: %s | %s"
          % (seqs[first_udp - 3:first_udp], seqs[first_udp:first_udp + 3]))
print("  sequence numbers strictly increasing: %s" % ("yes" if inc else "NO"))
PYEOF
in_ns a "$FWPCTL" sa list

echo
echo "### 8. Expire0, then DeleteById0"
cmd a expire
in_ns a "$FWPCTL" sa list
cmd a delete
cmd b delete
in_ns a "$FWPCTL" sa list
echo "events the keying module on A saw:"
grep '^event' "$DIR/a.out" | sed 's/^/  /'
cmd a quit
cmd b quit
echo
echo "demo: done; removing the namespaces, fwpd instances and routes"
