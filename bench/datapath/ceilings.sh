#!/bin/bash
# ceilings.sh - what moving packets costs on this machine, side by side:
# the ceilings the user-space ESP datapath is judged against.
#
# Usage: bench/datapath/ceilings.sh [BUILD_DIR]      (root; make bench-datapath)
#   TRIALS    trials per configuration (default 5)
#   DURATION  seconds per iperf3 run (default 5), after OMIT (default 1)
#   OUT       JSON results (default bench-results/datapath-ceilings.json)
#   ONLY      a space-separated subset of the configurations below
#   SKIP_OVERLOAD=1  leaves out the UDP overload run
#   TUN_RELAY the relay binary (default BUILD_DIR/bench/datapath/tun_relay)
#   PROFILE   a directory: each ESP run also records the two fwpd processes
#             with `perf record -g` (DWARF call graphs) into
#             PROFILE/CONFIG.tTRIAL.perf.data (needs perf; off by default)
#
# Topology: two namespaces, a veth pair between them (198.51.100.1/.2,
# 2001:db8:1::1/::2); for the relay runs a TUN in each (192.0.2.1/.2,
# MTU 1400) joined by tun_relay, no crypto. iperf3's server runs in B, its
# client in A. Configurations, each run once per trial, trials interleaved
# (the order rotates each trial), medians with min-max:
#   veth_tcp_on / veth_tcp_off   iperf3 TCP over veth, TSO/GSO on / off
#   veth_udp_on / veth_udp_off   iperf3 UDP -b 0 -l 1400 -w 4M (receiver rate;
#                                the socket buffers of iperf3 are the limit)
#   relay_pkt_tcp                TCP through tun_relay, one packet per syscall
#   relay_pkt_batch_tcp          the same with non-blocking batch reads
#   relay_vnet_tcp               TCP through tun_relay, IFF_VNET_HDR + TSO
#   relay_split_tcp              as vnet, cut to MTU and coalesced again
#   esp_tunnel_tcp               iperf3 TCP through our ESP tunnel (fwpd
#                                --datapath tun both sides, AES-GCM-128,
#                                tunnel mode, ESP in UDP 4500)
#   esp_tunnel_udp               iperf3 UDP -b 0 -l 1372 through it (receiver
#                                rate; 1400-byte packets, the TUN's MTU)
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

udp() {		# destination [datagram bytes, default 1400]
	if ! netns_exec "$A" iperf3 -c "$1" -p 5201 -u -b 0 -l "${2:-1400}" -w 4M \
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

# ---- our ESP tunnel ----------------------------------------------------------
# fwpd --datapath tun in each namespace, static_keying giving both a tunnel-
# mode SA pair (AES-GCM-128, ESP in UDP 4500 between 198.51.100.1 and .2,
# inner 192.0.2.1 <-> 192.0.2.2 on lo, TUN MTU 1400), then iperf3 between the
# inner addresses. Extras: the two daemons' CPU seconds per GB moved.
FWPD=${FWPD:-$BUILD/fwpd}
KEYING=${KEYING:-$BUILD/examples/static_keying}
ESP_PIDS=

esp_up() {	# extra static_keying options
	local s ns i spi_in spi_out kin kout loc rem il ir
	ip -n "$A" addr add 192.0.2.1/32 dev lo
	ip -n "$B" addr add 192.0.2.2/32 dev lo
	ESP_PIDS=
	for s in a b; do
		ns=$A; [ $s = b ] && ns=$B
		rm -rf "$TMP/$s.state" "$TMP/$s.sock"
		ip netns exec "$ns" "$FWPD" --foreground --socket "$TMP/$s.sock" \
			--state-dir "$TMP/$s.state" --datapath tun 2>>"$TMP/fwpd.err" &
		ESP_PIDS="$ESP_PIDS $!"
		netns_track $!
	done
	for s in a b; do
		for i in $(seq 100); do [ -S "$TMP/$s.sock" ] && break; sleep 0.05; done
	done
	for s in a b; do
		if [ $s = a ]; then ns=$A loc=198.51.100.1 rem=198.51.100.2 il=192.0.2.1 ir=192.0.2.2 \
			spi_in=0x2002 spi_out=0x1001 kin=$KEY_BA kout=$KEY_AB
		else ns=$B loc=198.51.100.2 rem=198.51.100.1 il=192.0.2.2 ir=192.0.2.1 \
			spi_in=0x1001 spi_out=0x2002 kin=$KEY_AB kout=$KEY_BA; fi
		rm -f "$TMP/$s.in"; mkfifo "$TMP/$s.in"
		FWP_ENGINE=service FWP_SOCKET="$TMP/$s.sock" ip netns exec "$ns" "$KEYING" \
			--quiet --mode tunnel --local $loc --remote $rem \
			--inner-local $il/32 --inner-remote $ir/32 --spi-in $spi_in \
			--spi-out $spi_out --key-in "$kin" --key-out "$kout" "$@" \
			<"$TMP/$s.in" >"$TMP/$s.out" 2>&1 &
		netns_track $!
	done
	exec 5>"$TMP/a.in" 6>"$TMP/b.in"
	for s in a b; do
		for i in $(seq 100); do grep -q '^ready' "$TMP/$s.out" && break; sleep 0.05; done
		grep -q '^ready' "$TMP/$s.out" || { cat "$TMP/$s.out" >&2; return 1; }
	done
}

esp_down() {
	local p
	exec 5>&- 6>&-
	for p in $ESP_PIDS; do netns_kill "$p"; done
	ip -n "$A" addr del 192.0.2.1/32 dev lo 2>/dev/null || true
	ip -n "$B" addr del 192.0.2.2/32 dev lo 2>/dev/null || true
}

cpu_ticks() {	# the fwpd processes' user + system ticks
	local p t=0
	for p in $ESP_PIDS; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $t
}

# PROFILE=dir: perf record of both daemons for the length of one run.
PERF_PID=
profile_start() {	# name
	local pids
	[ -n "${PROFILE:-}" ] || return 0
	mkdir -p "$PROFILE"
	pids=$(echo $ESP_PIDS | tr ' ' ',')
	perf record -q -F 499 --call-graph dwarf,16384 -p "$pids" \
		-o "$PROFILE/$1.t$TRIAL.perf.data" >/dev/null 2>>"$TMP/perf.err" &
	PERF_PID=$!
	sleep 0.3
}

profile_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
}

esp_run() {	# tcp|udp
	local t0 t1 v
	if ! esp_up --natt 4500:4500; then
		esp_down
		echo null
		return
	fi
	profile_start "esp_tunnel_$1"
	t0=$(cpu_ticks)
	# UDP: 1372-byte datagrams make 1400-byte packets, the TUN's MTU.
	v=$("$1" 192.0.2.2 1372)
	t1=$(cpu_ticks)
	profile_stop
	if [ "$v" != null ]; then
		# Gbit/s over DURATION + OMIT seconds -> GB moved.
		echo "fwpd_cpu_s_per_gb $(echo "$t0 $t1 $v" | awk -v d="$((DURATION + OMIT))" \
			-v hz="$(getconf CLK_TCK)" '{gb = $3 * d / 8; print (gb > 0 ? ($2 - $1) / hz / gb : "null")}')" \
			>>"$TMP/extra"
	fi
	esp_down
	echo "$v"
}
KEY_AB=0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
m_esp_tunnel_tcp() { esp_run tcp; }
m_esp_tunnel_udp() { esp_run udp; }
# ------------------------------------------------------------------------------

CONFIGS=(veth_tcp_on veth_tcp_off veth_udp_on veth_udp_off relay_pkt_tcp
	 relay_pkt_batch_tcp relay_vnet_tcp relay_split_tcp esp_tunnel_tcp
	 esp_tunnel_udp)
# ONLY="a b": just those configurations (more trials where they matter).
[ -n "${ONLY:-}" ] && read -r -a CONFIGS <<<"$ONLY"
NCONF=${#CONFIGS[@]}

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
echo "bench-datapath: $TRIALS trials x $NCONF configurations x" \
     "$((DURATION + OMIT)) s, interleaved" >&2
for trial in $(seq "$TRIALS"); do
	TRIAL=$trial
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

# --- overload (D4): UDP through the tunnel at twice the loss-free rate --------
# The loss-free rate: the highest of a rising series of offered rates with
# under 1% loss (3 s each). Then 10 s at twice that rate: goodput against
# the loss-free rate, and the daemons' RSS sampled every 0.5 s.
rss_kb() {
	local p t=0
	for p in $ESP_PIDS; do
		t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status")))
	done
	echo $t
}

udp_at() {	# rate (Mbit/s), seconds -> "Gbit/s loss%"
	if ! netns_exec "$A" iperf3 -c 192.0.2.2 -p 5201 -u -b "${1}M" -l 1372 -w 4M \
	     -t "$2" -J >"$TMP/ov.json" 2>/dev/null; then
		echo "null null"
		return
	fi
	jq -r '"\(.end.sum_received.bits_per_second / 1e9) \(.end.sum_received.lost_percent // .end.sum.lost_percent)"' \
		"$TMP/ov.json"
}

OVERLOAD=null
if [ "${SKIP_OVERLOAD:-0}" != 1 ] && esp_up --natt 4500:4500; then
	best=0 best_gbps=0
	for rate in 200 400 600 800 1000 1300 1600 2000 2500 3000; do
		read -r g loss <<<"$(udp_at $rate 3)"
		[ "$g" = null ] && break
		echo "  overload: offered $rate Mbit/s -> $g Gbit/s, loss $loss%" >&2
		if awk -v l="$loss" 'BEGIN { exit !(l < 1) }'; then
			best=$rate best_gbps=$g
		else
			break
		fi
	done
	if [ "$best" -gt 0 ]; then
		rss0=$(rss_kb)
		peak=$rss0
		udp_at $((best * 2)) 10 >"$TMP/ov.result" &
		ovp=$!
		while kill -0 $ovp 2>/dev/null; do
			r=$(rss_kb)
			[ "$r" -gt "$peak" ] && peak=$r
			sleep 0.5
		done
		read -r g loss <"$TMP/ov.result"
		sleep 5
		rss5=$(rss_kb)
		echo "  overload: offered $((best * 2)) Mbit/s -> $g Gbit/s (loss-free $best_gbps)," \
		     "RSS $rss0 -> peak $peak -> $rss5 kB 5 s later" >&2
		OVERLOAD=$(jq -n --argjson lf "$best_gbps" --argjson lr "$best" --argjson g "$g" \
			--argjson r0 "$rss0" --argjson rp "$peak" --argjson r5 "$rss5" '
			{loss_free_offered_mbit: $lr, loss_free_gbit: $lf,
			 offered_2x_mbit: ($lr * 2), goodput_2x_gbit: $g,
			 goodput_ratio: (if $lf > 0 then ($g / $lf * 100 | round) / 100 else null end),
			 rss_kb_start: $r0, rss_kb_peak: $rp, rss_kb_after_5s: $r5,
			 rss_growth_mib: ((($rp - $r0) / 1024 * 10 | round) / 10)}')
	fi
	esp_down
fi

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
jq -n --argjson r "$json" --argjson overload "$OVERLOAD" --arg kernel "$(uname -r)" \
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
	 results: $r, esp_tunnel_udp_overload: $overload,
	 ratios: {
	   veth_tcp_offload_gain: ratio($r.veth_tcp_on; $r.veth_tcp_off),
	   relay_vnet_over_pkt: ratio($r.relay_vnet_tcp; $r.relay_pkt_tcp),
	   relay_pkt_batch_over_pkt: ratio($r.relay_pkt_batch_tcp; $r.relay_pkt_tcp),
	   relay_split_over_vnet: ratio($r.relay_split_tcp; $r.relay_vnet_tcp),
	   relay_vnet_over_veth_tcp_on: ratio($r.relay_vnet_tcp; $r.veth_tcp_on),
	   esp_tunnel_over_relay_vnet: ratio($r.esp_tunnel_tcp; $r.relay_vnet_tcp),
	   esp_tunnel_over_veth_tcp_on: ratio($r.esp_tunnel_tcp; $r.veth_tcp_on),
	   esp_tunnel_udp_over_veth_udp_on: ratio($r.esp_tunnel_udp; $r.veth_udp_on)
	 }}' >"$OUT"

echo
echo "Datapath ceilings ($(uname -r), $(nproc) CPUs, $TRIALS trials x" \
     "${DURATION} s, medians [min-max], load average $LOAD_START ->" \
     "$LOAD_END; results in $OUT)"
jq -r '
	def n: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def row(k; name):
		.results[k] as $e |
		if $e == null then "\(name)|not measured|"
		else "\(name)|\($e.median | n) [\($e.min | n)-\($e.max | n)]|" +
		  ([ (if $e.loss_percent then "loss \($e.loss_percent.median | n)%" else empty end),
		     (if $e.relay_avg_read_bytes then "avg read \($e.relay_avg_read_bytes.median | round) B" else empty end),
		     (if $e.relay_cpu_s_per_gb then "relay CPU \($e.relay_cpu_s_per_gb.median | n) s/GB" else empty end),
		     (if $e.fwpd_cpu_s_per_gb then "fwpd CPU \($e.fwpd_cpu_s_per_gb.median | n) s/GB" else empty end)
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
	row("esp_tunnel_tcp"; "our ESP tunnel TCP (GCM-128, UDP 4500)"),
	row("esp_tunnel_udp"; "our ESP tunnel UDP 1372 B")
	' "$OUT" | column -t -s '|'
echo
jq -r 'if .esp_tunnel_udp_overload then .esp_tunnel_udp_overload |
	"overload (UDP at 2x the loss-free \(.loss_free_offered_mbit) Mbit/s): goodput \(.goodput_2x_gbit) Gbit/s = \(.goodput_ratio) of loss-free, RSS growth \(.rss_growth_mib) MiB"
	else "overload: not measured" end' "$OUT"
jq -r '.ratios | to_entries[] |
	"ratio \(.key): \(if .value == null then "-" else .value end)"' "$OUT"
