#!/bin/bash
# bench.sh - strongSwan over this project, side by side in one run (root;
# make bench-strongswan):
#
#   static_tcp     iperf3 TCP through the statically keyed tunnel: fwpd
#                  --datapath tun both sides, examples/static_keying
#   wfp_tcp        the same tunnel keyed by charon with kernel-wfp on both
#                  ends (in-process engine, FWP_DATAPATH=tun)
#   libipsec_tcp   charon with strongSwan's own user-space ESP,
#                  kernel-libipsec, on both ends
#   Each: tunnel mode, AES-GCM-128, ESP in UDP 4500, inner 10.0.1.1 <->
#   10.0.2.1, iperf3 client in A; trials interleaved, medians [min-max].
#   child_sa_inproc, child_sa_service  CHILD_SAs set up per second by charon
#                  with kernel-wfp in A, over the in-process engine and over
#                  fwpd (B: kernel-wfp in process): swanctl --initiate of
#                  CHILDREN children, one after the other, in one IKE_SA (no
#                  PFS: the exchange and the SA install, not a DH).
#
# Usage: bench/strongswan/bench.sh BUILD_DIR
#   TRIALS (3), DURATION (5 s per iperf3 run, after OMIT 1), CHILDREN (50),
#   OUT (bench-results/strongswan.json)
# The project is installed from BUILD_DIR into a private prefix and the
# kernel-wfp plugin built against it (contrib/strongswan/build.sh), as the
# tests do (tests/strongswan/setup.sh).
set -uo pipefail

BUILD=$(cd "${1:-build/release}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TRIALS=${TRIALS:-3}
DURATION=${DURATION:-5}
OMIT=${OMIT:-1}
CHILDREN=${CHILDREN:-50}
OUT=${OUT:-bench-results/strongswan.json}
export SRC

if [ "$(id -u)" != 0 ]; then
	echo "bench-strongswan: skipped: needs root (namespaces, TUN)" >&2
	exit 0
fi
for tool in iperf3 jq; do
	command -v $tool >/dev/null || {
		echo "bench-strongswan: $tool missing: scripts/install-deps.sh --with-datapath" >&2
		exit 1
	}
done
SW_WORK=$BUILD/bench/strongswan-work
export SW_WORK
BUILD=$BUILD sh "$SRC/tests/strongswan/setup.sh" >&2 || exit 1
[ -f "$SW_WORK/skip" ] && { echo "bench-strongswan: skipped: $(cat "$SW_WORK/skip")" >&2; exit 0; }

. "$SRC/tests/strongswan/lib.sh"
sw_init bench
exec 3>&2	# lib.sh's fail and note write to stdout: keep it for results
TMP=$DIR
KEYING=$FWP_PREFIX/bin/static_keying
[ -x "$KEYING" ] || KEYING=$BUILD/examples/static_keying
netns_bg "$NSB" iperf3 -s -p 5201 >/dev/null 2>&1
IPERF_SERVER=$NETNS_LAST_PID
sleep 0.3

# Between configurations: nothing of the last one left running (a
# configuration runs in a subshell and may have stopped half-way).
reset() {
	local p
	for p in $(ip netns pids "$NSA") $(ip netns pids "$NSB"); do
		[ "$p" = "$IPERF_SERVER" ] || kill -TERM "$p" 2>/dev/null
	done
	sleep 1
	for p in $(ip netns pids "$NSA") $(ip netns pids "$NSB"); do
		[ "$p" = "$IPERF_SERVER" ] || kill -KILL "$p" 2>/dev/null
	done
	rm -f "$DIR"/*.vici "$DIR"/*.sock
}

tcp() {
	if ! ip netns exec "$NSA" iperf3 -c $HB4 -B $HA4 -p 5201 -t "$DURATION" -O "$OMIT" \
		-J >"$TMP/iperf.json" 2>/dev/null; then
		echo null
		return
	fi
	jq '.end.sum_received.bits_per_second / 1e9' "$TMP/iperf.json"
}

# charon_pair KERNEL [A's environment...]: both charons, the tunnel up.
charon_pair() {
	_k=$1
	shift
	rm -f "$DIR"/a.vici "$DIR"/b.vici
	_env=
	[ "$_k" = kernel-wfp ] && _env="FWP_ENGINE=embedded FWP_DATAPATH=tun"
	if [ $# -gt 0 ]; then
		sw_charon a "$_k" "$@" >&3
	else
		sw_charon a "$_k" $_env >&3
	fi
	sw_charon b "$_k" $_env >&3
	sw_swanctl_conf a
	sw_swanctl_conf b
	sw_up
}

charon_down() {
	netns_kill "$CHARON_a"
	netns_kill "$CHARON_b"
}

m_wfp_tcp() {
	charon_pair kernel-wfp
	tcp
	charon_down
}

m_libipsec_tcp() {
	charon_pair kernel-libipsec
	tcp
	charon_down
}

# The static tunnel: fwpd and static_keying in each namespace, the same
# addresses, algorithm and encapsulation as charon's.
KEY_AB=0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
m_static_tcp() {
	local s p pids=
	for s in a b; do
		rm -rf "$DIR/$s.sock" "$DIR/$s.state"
		sw_fwpd $s
		pids="$pids $NETNS_LAST_PID"
	done
	for s in a b; do
		if [ $s = a ]; then set -- $A4 $B4 $HA4 $HB4 0x2002 0x1001 $KEY_BA $KEY_AB
		else set -- $B4 $A4 $HB4 $HA4 0x1001 0x2002 $KEY_AB $KEY_BA; fi
		rm -f "$DIR/$s.in"
		mkfifo "$DIR/$s.in"
		FWP_ENGINE=service FWP_SOCKET="$DIR/$s.sock" LD_LIBRARY_PATH="$FWP_PREFIX/lib" \
			ip netns exec "$(ns_of $s)" "$KEYING" --quiet --mode tunnel --local $1 \
			--remote $2 --inner-local $3/32 --inner-remote $4/32 --spi-in $5 \
			--spi-out $6 --key-in $7 --key-out $8 --natt 4500:4500 \
			<"$DIR/$s.in" >"$DIR/$s.keying" 2>&1 &
		pids="$pids $!"
		netns_track $!
	done
	exec 5>"$DIR/a.in" 6>"$DIR/b.in"
	sw_wait 5 grep -q '^ready' "$DIR/a.keying" && sw_wait 5 grep -q '^ready' "$DIR/b.keying" &&
		tcp || echo null
	exec 5>&- 6>&-
	for p in $pids; do netns_kill "$p"; done
}

# child_rate ENGINE: CHILD_SAs per second, A's charon over ENGINE.
child_conf() {	# SIDE
	local s=$1 me peer lts i
	if [ $s = a ]; then me=$A4 peer=$B4; else me=$B4 peer=$A4; fi
	{
		echo "connections { c { version = 2
			local_addrs = $me
			remote_addrs = $peer
			encap = yes
			proposals = aes128gcm16-prfsha256-ecp256
			local { auth = psk
				id = side-$s }
			remote { auth = psk }
			children {"
		for i in $(seq "$CHILDREN"); do
			if [ $s = a ]; then lts="$HA4/32" rts="10.0.3.$i/32"
			else lts="10.0.3.$i/32" rts="$HA4/32"; fi
			echo "c$i { local_ts = $lts
				remote_ts = $rts
				esp_proposals = aes128gcm16 }"
		done
		echo "} } }
		secrets { ike { secret = $PSK } }"
	} >"$DIR/$s-children.conf"
	sw_ctl $s --load-all --file "$DIR/$s-children.conf" >/dev/null 2>&1
}

child_rate() {
	local t0 t1 i n
	rm -f "$DIR"/a.vici "$DIR"/b.vici
	if [ "$1" = service ]; then
		rm -rf "$DIR/a.sock" "$DIR/a.state"
		sw_fwpd a
		local fwpd=$NETNS_LAST_PID
		sw_charon a kernel-wfp FWP_ENGINE=service FWP_SOCKET="$DIR/a.sock" >&3
	else
		sw_charon a kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun >&3
	fi
	sw_charon b kernel-wfp FWP_ENGINE=embedded FWP_DATAPATH=tun >&3
	child_conf a
	child_conf b
	sw_ctl a --initiate --child c1 --timeout 30 >/dev/null 2>&1 || { echo null; charon_down; return; }
	t0=$(date +%s.%N)
	for i in $(seq 2 "$CHILDREN"); do
		sw_ctl a --initiate --child c$i --timeout 30 >/dev/null 2>&1 || break
	done
	t1=$(date +%s.%N)
	n=$(sw_ctl a --list-sas --raw | grep -o 'state=INSTALLED' | wc -l)
	charon_down
	[ "$1" = service ] && netns_kill "$fwpd"
	[ "$n" = "$CHILDREN" ] || { echo null; return; }
	echo "$t0 $t1" | awk -v n=$((CHILDREN - 1)) '{printf "%.1f\n", n / ($2 - $1)}'
}
m_child_sa_inproc() { child_rate inproc; }
m_child_sa_service() { child_rate service; }

CONFIGS=(static_tcp wfp_tcp libipsec_tcp child_sa_inproc child_sa_service)
NCONF=${#CONFIGS[@]}
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
for trial in $(seq "$TRIALS"); do
	for k in $(seq 0 $((NCONF - 1))); do
		c=${CONFIGS[$(((k + trial - 1) % NCONF))]}
		v=$("m_$c" 2>>"$DIR/bench.err" | tail -n 1)
		reset
		[ -n "$v" ] || v=null
		echo "$v" >>"$DIR/$c.samples"
		printf '  trial %d %-18s %s\n' "$trial" "$c" "$v" >&3
	done
done
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

stats() {
	jq -s '[.[] | select(. != null)] | sort |
		if length == 0 then null else
		{median: (if length % 2 == 1 then .[length / 2 | floor]
			  else (.[length / 2 - 1] + .[length / 2]) / 2 end),
		 min: .[0], max: .[-1], samples: .} end' "$1" 2>/dev/null || echo null
}
json="{}"
for c in "${CONFIGS[@]}"; do
	json=$(echo "$json" | jq --argjson e "$(stats "$DIR/$c.samples")" --arg c "$c" '. + {($c): $e}')
done
mkdir -p "$(dirname "$OUT")"
jq -n --argjson r "$json" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--argjson load_start "$LOAD_START" --argjson load_end "$LOAD_END" \
	--argjson trials "$TRIALS" --argjson duration "$DURATION" --argjson children "$CHILDREN" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
	def ratio(a; b): if a == null or b == null then null
		else (a.median / b.median * 100 | round) / 100 end;
	{date: $date, kernel: $kernel, cpus: $cpus, trials: $trials,
	 duration_s: $duration, children: $children,
	 loadavg_start: $load_start, loadavg_end: $load_end, results: $r,
	 units: {tcp: "Gbit/s", child_sa: "CHILD_SAs/s"},
	 ratios: {wfp_over_static: ratio($r.wfp_tcp; $r.static_tcp),
		  wfp_over_libipsec: ratio($r.wfp_tcp; $r.libipsec_tcp)}}' >"$OUT"

echo
echo "strongSwan over this project ($(uname -r), $(nproc) CPUs, $TRIALS trials," \
     "medians [min-max], load average $LOAD_START -> $LOAD_END; $OUT)"
jq -r '
	def n: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def row(k; name; unit): .results[k] as $e |
		if $e == null then "\(name)|not measured|"
		else "\(name)|\($e.median | n) [\($e.min | n)-\($e.max | n)]|\(unit)" end;
	row("static_tcp"; "static keying, fwpd both ends"; "Gbit/s"),
	row("wfp_tcp"; "charon kernel-wfp both ends"; "Gbit/s"),
	row("libipsec_tcp"; "charon kernel-libipsec both ends"; "Gbit/s"),
	row("child_sa_inproc"; "CHILD_SA setups, in-process engine"; "/s"),
	row("child_sa_service"; "CHILD_SA setups, over fwpd"; "/s"),
	"kernel-wfp / static|\(.ratios.wfp_over_static | n)|",
	"kernel-wfp / libipsec|\(.ratios.wfp_over_libipsec | n)|"' "$OUT" | column -t -s '|'
