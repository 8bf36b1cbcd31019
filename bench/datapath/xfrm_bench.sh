#!/bin/sh
# xfrm_bench.sh - the xfrm backend's control-plane cost inside user-mode
# Linux (one CPU, no AES-NI: only relative figures mean anything), beside
# `ip xfrm state add` doing the same installs: one process per state (as a
# script would) and one `ip -batch` (one process, one netlink request per
# state, no policy). Run from the source tree with the build directory:
#   sh bench/datapath/xfrm_bench.sh [BUILD_DIR [PAIRS]]
set -eu
B=${1:-build/debug}
N=${2:-500}
[ -n "${UML_GUEST:-}" ] ||
	exec sh tests/uml/uml-run.sh --timeout 300 -- sh "$0" "$(cd "$B" && pwd)" "$N"
modprobe -a esp4 xfrm_user
ip netns add xb1
ip netns exec xb1 "$B/bench/datapath/bench_xfrm" "$N" 200
# The same with --udp-port 4500: the backend binds its own ESP-in-UDP
# socket with the first SA in UDP and closes it with the last.
ip netns add xb4
echo "with --udp-port 4500:"
ip netns exec xb4 "$B/bench/datapath/bench_xfrm" "$N" 200 4500
key=0x0102030405060708090a0b0c0d0e0f1011121314
ip netns add xb2
t0=$(date +%s.%N)
i=0
while [ $i -lt $((2 * N)) ]; do
	ip -n xb2 xfrm state add src 10.0.0.1 dst 10.1.$((i / 250)).$((i % 250 + 1)) proto esp \
		spi $((0x100000 + i)) mode transport aead 'rfc4106(gcm(aes))' $key 128
	i=$((i + 1))
done
t1=$(date +%s.%N)
echo "ip xfrm state add, one process each: $((2 * N)) states:" \
	"$(echo "$2 $t1 $t0" | awk -v n=$((2 * N)) '{ printf "%.0f states/s", n / ($2 - $3) }')"
ip netns add xb3
i=0
while [ $i -lt $((2 * N)) ]; do
	echo "xfrm state add src 10.0.0.1 dst 10.1.$((i / 250)).$((i % 250 + 1)) proto esp" \
		"spi $((0x100000 + i)) mode transport aead rfc4106(gcm(aes)) $key 128"
	i=$((i + 1))
done >/tmp/xb.batch
t0=$(date +%s.%N)
ip -n xb3 -batch /tmp/xb.batch
t1=$(date +%s.%N)
echo "ip -batch xfrm state add: $((2 * N)) states:" \
	"$(echo "x $t1 $t0" | awk -v n=$((2 * N)) '{ printf "%.0f states/s", n / ($2 - $3) }')"
