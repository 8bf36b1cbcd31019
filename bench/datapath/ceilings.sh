#!/bin/bash
# ceilings.sh - what moving packets costs on this machine, side by side:
# the ceilings the user-space ESP datapath is judged against.
#
# Usage: bench/datapath/ceilings.sh [BUILD_DIR]      (root; make bench-datapath)
#   TRIALS    trials per configuration (default 5)
#   DURATION  seconds per iperf3 run (default 5), after OMIT (default 1)
#   OUT       JSON results (default bench-results/datapath-ceilings.json)
#   TUN_RELAY the relay binary (default BUILD_DIR/bench/datapath/tun_relay)
#
# Topology: two namespaces, a veth pair between them (198.51.100.1/.2,
# 2001:db8:1::1/::2); for the relay runs a TUN in each (192.0.2.1/.2,
# MTU 1400) joined by tun_relay, no crypto. iperf3's server runs in B, its
# client in A. Configurations, each run once per trial, trials interleaved
# (the order rotates each trial), medians with min-max:
#   veth_tcp_on / veth_tcp_off   iperf3 TCP over veth, TSO/GSO on / off
#   veth_udp_on / veth_udp_off   iperf3 UDP -b 0 -l 1400 (receiver rate)
#   relay_pkt_tcp                TCP through tun_relay, one packet per syscall
#   relay_pkt_batch_tcp          the same with non-blocking batch reads
#   relay_vnet_tcp               TCP through tun_relay, IFF_VNET_HDR + TSO
#   relay_split_tcp              as vnet, cut to MTU and coalesced again
#   esp_tunnel_tcp               our ESP tunnel: a slot, filled later
set -euo pipefail

BUILD=${1:-build/release}
TRIALS=${TRIALS:-5}
DURATION=${DURATION:-5}
OMIT=${OMIT:-1}
OUT=${OUT:-bench-results/datapath-ceilings.json}
RELAY=${TUN_RELAY:-$BUILD/bench/datapath/tun_relay}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "bench-datapath: skipped: needs root (network namespaces, TUN" \
	     "devices, ethtool)" >&2
	exit 0
fi
for tool in ip iperf3 ethtool jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench-datapath: $tool missing: run" \
		     "scripts/install-deps.sh --with-datapath" >&2
		exit 1
	fi
done
if [ ! -x "$RELAY" ]; then
	echo "bench-datapath: $RELAY not built (the tun_relay target of" \
	     "bench/datapath/CMakeLists.txt); TUN_RELAY= names another" >&2
	exit 1
fi

. "$HERE/../../scripts/netns.sh"
TMP=$(mktemp -d)
cleanup() {
	netns_cleanup
	rm -rf "$TMP"
}
netns_init fwpceil
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM HUP

netns_add a; A=$NETNS_LAST
netns_add b; B=$NETNS_LAST
netns_veth "$A" "$B"
for ns in "$A" "$B"; do
	netns_forwarding "$ns" 0
	netns_rp_filter "$ns" 0
done
netns_bg "$B" iperf3 -s -p 5201 >/dev/null 2>&1
sleep 0.5

# --- measurements: each prints Gbit/s (or null) and may leave extras in
# $TMP/extra as "key value" lines --------------------------------------------

offloads() {	# on|off
	netns_exec "$A" ethtool -K veth0 tso "$1" gso "$1" >/dev/null 2>&1
	netns_exec "$B" ethtool -K veth0 tso "$1" gso "$1" >/dev/null 2>&1
}

tcp() {		# destination
	if ! netns_exec "$A" iperf3 -c "$1" -p 5201 -t "$DURATION" -O "$OMIT" \
	     -J >"$TMP/iperf.json" 2>/dev/null; then
		echo null
		return
	fi
	jq '.end.sum_received.bits_per_second / 1e9' "$TMP/iperf.json"
}

udp() {		# destination
	if ! netns_exec "$A" iperf3 -c "$1" -p 5201 -u -b 0 -l 1400 \
	     -t "$DURATION" -O "$OMIT" -J >"$TMP/iperf.json" 2>/dev/null; then
		echo null
		return
	fi
	echo "loss_percent $(jq '.end.sum_received.lost_percent // .end.sum.lost_percent' \
		"$TMP/iperf.json")" >>"$TMP/extra"
	jq '.end.sum_received.bits_per_second / 1e9' "$TMP/iperf.json"
}

m_veth_tcp_on()  { offloads on;  tcp 198.51.100.2; }
m_veth_tcp_off() { offloads off; tcp 198.51.100.2; offloads on; }
m_veth_udp_on()  { offloads on;  udp 198.51.100.2; }
m_veth_udp_off() { offloads off; udp 198.51.100.2; offloads on; }

relay() {	# mode [--batch]
	local pid i
	"$RELAY" --ns-a "/run/netns/$A" --ns-b "/run/netns/$B" --mode "$@" \
		--mtu 1400 --addr-a 192.0.2.1/24 --addr-b 192.0.2.2/24 \
		>"$TMP/relay.out" 2>"$TMP/relay.err" &
	pid=$!
	netns_track "$pid"
	for i in $(seq 50); do
		grep -q ready "$TMP/relay.out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q ready "$TMP/relay.out"; then
		cat "$TMP/relay.err" >&2
		echo null
		return
	fi
	tcp 192.0.2.2
	kill -TERM "$pid"
	wait "$pid" || true
	tail -n 1 "$TMP/relay.out" | jq -r '
		"relay_cpu_s_per_gb \(if .bytes > 0 then .cpu_s / (.bytes / 1e9) else null end)",
		"relay_avg_read_bytes \(.avg_read_bytes)"' >>"$TMP/extra"
}

m_relay_pkt_tcp()   { relay pkt; }
m_relay_pkt_batch_tcp() { relay pkt --batch; }
m_relay_vnet_tcp()  { relay vnet; }
m_relay_split_tcp() { relay split; }

# ---- SLOT: our ESP tunnel ---------------------------------------------------
# To be filled in once fwpd has its TUN datapath: in each namespace start
#   fwpd --datapath tun (socket in $TMP, its own state directory)
# give both a matching SA context (AES-GCM-128, UDP encapsulation on port
# 4500 between 198.51.100.1 and .2, tunnel mode, inner 192.0.2.1 <-> .2,
# TUN MTU 1400) through the public API (a small keying client), wait until
# ping passes, then print `tcp 192.0.2.2` here, and the daemons' CPU
# seconds per GB into $TMP/extra as for the relay. Stop the daemons before
# returning. Until then it prints null and the table says "not yet".
m_esp_tunnel_tcp() {
	echo null
}
# ------------------------------------------------------------------------------

CONFIGS=(veth_tcp_on veth_tcp_off veth_udp_on veth_udp_off relay_pkt_tcp
	 relay_pkt_batch_tcp relay_vnet_tcp relay_split_tcp esp_tunnel_tcp)
NCONF=${#CONFIGS[@]}

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
echo "bench-datapath: $TRIALS trials x $NCONF configurations x" \
     "$((DURATION + OMIT)) s, interleaved" >&2
for trial in $(seq "$TRIALS"); do
	# Trial t starts with configuration t: no configuration always runs
	# first (or right after the same neighbour).
	for k in $(seq 0 $((NCONF - 1))); do
		c=${CONFIGS[$(((k + trial - 1) % NCONF))]}
		: >"$TMP/extra"
		v=$("m_$c")
		echo "$v" >>"$TMP/$c.samples"
		while read -r key val; do
			echo "$val" >>"$TMP/$c.$key"
		done <"$TMP/extra"
		printf '  trial %d %-16s %s\n' "$trial" "$c" "$v" >&2
	done
done

# --- results -----------------------------------------------------------------

# stats FILE: {"median":..,"min":..,"max":..,"samples":[..]} of the non-null
# numbers in FILE, or null.
stats() {
	jq -s '[.[] | select(. != null)] | sort |
		if length == 0 then null else
		{median: (if length % 2 == 1 then .[length / 2 | floor]
			  else (.[length / 2 - 1] + .[length / 2]) / 2 end),
		 min: .[0], max: .[-1], samples: .} end' "$1" 2>/dev/null ||
		echo null
}

json="{}"
for c in "${CONFIGS[@]}"; do
	entry=$(stats "$TMP/$c.samples")
	if [ "$entry" != null ]; then
		entry=$(echo "$entry" | jq '. + {unit: "Gbit/s"}')
		for f in "$TMP/$c".*; do
			key=${f##*.}
			[ "$key" = samples ] && continue
			entry=$(echo "$entry" | jq --argjson s "$(stats "$f")" \
				--arg k "$key" '. + {($k): $s}')
		done
	fi
	json=$(echo "$json" | jq --argjson e "$entry" --arg c "$c" '. + {($c): $e}')
done

LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
mkdir -p "$(dirname "$OUT")"
jq -n --argjson r "$json" --arg kernel "$(uname -r)" \
	--argjson load_start "$LOAD_START" --argjson load_end "$LOAD_END" \
	--arg iperf "$(iperf3 --version | head -n 1)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--argjson cpus "$(nproc)" --argjson trials "$TRIALS" \
	--argjson duration "$DURATION" --argjson omit "$OMIT" '
	def ratio(a; b): if a == null or b == null then null
		else (a.median / b.median * 100 | round) / 100 end;
	{date: $date, kernel: $kernel, iperf3: $iperf, cpus: $cpus,
	 trials: $trials, duration_s: $duration, omit_s: $omit,
	 mtu_tun: 1400, loadavg_start: $load_start, loadavg_end: $load_end,
	 results: $r,
	 ratios: {
	   veth_tcp_offload_gain: ratio($r.veth_tcp_on; $r.veth_tcp_off),
	   relay_vnet_over_pkt: ratio($r.relay_vnet_tcp; $r.relay_pkt_tcp),
	   relay_pkt_batch_over_pkt: ratio($r.relay_pkt_batch_tcp; $r.relay_pkt_tcp),
	   relay_split_over_vnet: ratio($r.relay_split_tcp; $r.relay_vnet_tcp),
	   relay_vnet_over_veth_tcp_on: ratio($r.relay_vnet_tcp; $r.veth_tcp_on),
	   esp_tunnel_over_relay_vnet: ratio($r.esp_tunnel_tcp; $r.relay_vnet_tcp)
	 }}' >"$OUT"

echo
echo "Datapath ceilings ($(uname -r), $(nproc) CPUs, $TRIALS trials x" \
     "${DURATION} s, medians [min-max], load average $LOAD_START ->" \
     "$LOAD_END; results in $OUT)"
jq -r '
	def n: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def row(k; name):
		.results[k] as $e |
		if $e == null then "\(name)|not yet|"
		else "\(name)|\($e.median | n) [\($e.min | n)-\($e.max | n)]|" +
		  ([ (if $e.loss_percent then "loss \($e.loss_percent.median | n)%" else empty end),
		     (if $e.relay_avg_read_bytes then "avg read \($e.relay_avg_read_bytes.median | round) B" else empty end),
		     (if $e.relay_cpu_s_per_gb then "relay CPU \($e.relay_cpu_s_per_gb.median | n) s/GB" else empty end)
		   ] | join(", "))
		end;
	"configuration|Gbit/s|notes",
	row("veth_tcp_on"; "veth TCP, TSO/GSO on"),
	row("veth_tcp_off"; "veth TCP, TSO/GSO off"),
	row("veth_udp_on"; "veth UDP 1400 B, offloads on"),
	row("veth_udp_off"; "veth UDP 1400 B, TSO/GSO off"),
	row("relay_pkt_tcp"; "TUN relay TCP, per packet"),
	row("relay_pkt_batch_tcp"; "TUN relay TCP, per packet, batch reads"),
	row("relay_vnet_tcp"; "TUN relay TCP, vnet super-packets"),
	row("relay_split_tcp"; "TUN relay TCP, vnet split+coalesce"),
	row("esp_tunnel_tcp"; "our ESP tunnel TCP")
	' "$OUT" | column -t -s '|'
echo
jq -r '.ratios | to_entries[] |
	"ratio \(.key): \(if .value == null then "-" else .value end)"' "$OUT"
