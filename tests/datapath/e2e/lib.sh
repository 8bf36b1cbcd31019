# lib.sh - the end-to-end tests' common part (sourced; POSIX sh).
#
# Two namespaces A and B joined by veth (198.51.100.1 <-> .2), an fwpd
# with the datapath in each (private socket and state directory), and on
# request a static_keying in each, fed commands through a FIFO. Everything
# is removed at exit, also on failure or interruption (netns.sh).
# Environment (set by CTest): SRC, FWPD, KEYING, FWPCTL, NETEV, NFTLIST.

set -u
PY=/usr/bin/python3
TRAFFIC="$SRC/tests/datapath/e2e/traffic.py"
A4=198.51.100.1
B4=198.51.100.2
# Test keys (never used outside tests): GCM-128 key + 4-byte salt.
KEY_AB=0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
SPI_AB=0x1001
SPI_BA=0x2002

skip() {
	echo "skipped: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	for f in "$DIR"/*.out "$DIR"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }
	done
	exit 1
}

note() {
	echo "# $*"
}

e2e_init() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ -x "$PY" ] || skip "no $PY"
	. "$SRC/scripts/netns.sh"
	netns_init "e2e$1"
	DIR=$(mktemp -d)
	trap 'e2e_cleanup 130' INT
	trap 'e2e_cleanup 143' TERM HUP
	trap 'e2e_cleanup' EXIT
	netns_add a && NSA=$NETNS_LAST || fail "netns a"
	netns_add b && NSB=$NETNS_LAST || fail "netns b"
	netns_veth "$NSA" "$NSB" || fail "veth"
	netns_rp_filter "$NSA" 0
	netns_rp_filter "$NSB" 0
}

# Stops everything; a sanitizer report in a daemon's log (the ASan and TSan
# builds run these tests too) fails the test even when it passed so far.
e2e_cleanup() {
	_rc=$?
	[ $# -gt 0 ] && _rc=$1
	exec 7>&- 8>&- 2>/dev/null
	# Lock files of datapaths killed in these namespaces (instance.h).
	for _n in $NETNS_LIST; do
		set -- $(stat -L -c '%d %i' "/run/netns/$_n" 2>/dev/null) 0 0
		rm -f /run/fwpd/dp-$(printf '%x-%x' "$1" "$2")-*.lock
	done
	netns_cleanup
	for _f in "$DIR"/fwpd-*.log "$DIR"/*.out; do
		[ -f "$_f" ] || continue
		if grep -q "Sanitizer\|runtime error:" "$_f"; then
			echo "FAIL: sanitizer report in $_f:"
			head -40 "$_f"
			_rc=1
		fi
	done
	rm -rf "$DIR"
	trap - EXIT
	exit $_rc
}

ns_of() {
	[ "$1" = a ] && echo "$NSA" || echo "$NSB"
}

# How the tests run fwpd: "" is its default mode (a daemon, as users start
# it), "--foreground" keeps its stderr for the checks that read it and for
# sanitizer reports. CTest sets it per build: the default mode in plain
# builds, --foreground in sanitizer builds (tests/datapath/e2e/CMakeLists.txt).
# e2e_fwpd_pid finds the daemon either way; the checks that need fwpd's
# stderr, which a daemon no longer has, skip themselves in default mode.
E2E_FWPD_MODE=${E2E_FWPD_MODE---foreground}

# e2e_fwpd SIDE [OPTIONS...]: fwpd --datapath tun (or $E2E_DATAPATH, e.g.
# xfrm inside UML) in SIDE's namespace.
e2e_fwpd() {
	_s=$1
	shift
	netns_bg "$(ns_of "$_s")" "$FWPD" $E2E_FWPD_MODE --socket "$DIR/$_s.sock" \
		--state-dir "$DIR/$_s.state" --datapath "${E2E_DATAPATH:-tun}" "$@" \
		2>"$DIR/fwpd-$_s.log"
	_i=0
	while [ ! -S "$DIR/$_s.sock" ]; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "fwpd $_s did not start"
		sleep 0.05
	done
}

# e2e_fwpd_as NAME NS MODE [OPTIONS...]: one more fwpd (socket
# $DIR/NAME.sock, log $DIR/fwpd-NAME.log) in namespace NS, in MODE
# ("--foreground" or "" for the default, a daemon); waits for its socket.
# Returns fwpd's exit status if it stops before that.
e2e_fwpd_as() {
	_n=$1 _ns=$2 _m=$3
	shift 3
	netns_bg "$_ns" "$FWPD" $_m --socket "$DIR/$_n.sock" --state-dir "$DIR/$_n.state" \
		--datapath tun "$@" 2>"$DIR/fwpd-$_n.log"
	_p=$NETNS_LAST_PID _gone=
	_i=0
	while [ ! -S "$DIR/$_n.sock" ]; do
		if [ -z "$_gone" ] && ! kill -0 "$_p" 2>/dev/null; then
			# Stopped: refused, or (default mode) the parent of the daemon.
			wait "$_p"
			_rc=$?
			[ $_rc = 0 ] || return $_rc
			_gone=1
		fi
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "fwpd $_n did not start"
		sleep 0.05
	done
	return 0
}

# e2e_fwpd_pid NS SOCKET: the PID of the fwpd serving SOCKET in NS (found
# in the namespace: a daemon's PID is not the one started).
e2e_fwpd_pid() {
	for _p in $(ip netns pids "$1"); do
		tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null | grep -q "fwpd.* --socket $2 " &&
			{ echo "$_p"; return 0; }
	done
	return 1
}

# e2e_nft NS COMMAND: an nftables command in NS (libnftables; prints).
e2e_nft() {
	ip netns exec "$1" "$NFTLIST" "$2"
}

# capture_start SIDE: every IP frame on SIDE's veth0 into $DIR/cap.jsonl
# (traffic.py capture) until capture_stop.
capture_start() {
	rm -f "$DIR/cap.jsonl"
	netns_bg "$(ns_of "$1")" "$PY" "$TRAFFIC" capture veth0 60 "$DIR/cap.jsonl"
	CAPTURE_PID=$NETNS_LAST_PID
	_i=0
	while [ ! -f "$DIR/cap.jsonl" ] && [ $_i -lt 50 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	sleep 0.2
}

capture_stop() {
	sleep 0.2
	netns_kill "$CAPTURE_PID"
}

# capture_clear: how many captured frames carried traffic.py's payload in
# the clear; capture_count PY-EXPRESSION: how many frames p satisfy it.
capture_clear() {
	capture_count 'p["clear"]'
}

capture_count() {
	"$PY" - "$DIR/cap.jsonl" "$1" <<'PYEOF'
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for p in pk if eval(sys.argv[2], {"p": p})))
PYEOF
}

# e2e_in SIDE COMMAND...: runs COMMAND in SIDE's namespace as a client of
# SIDE's fwpd.
e2e_in() {
	_s=$1
	shift
	FWP_ENGINE=service FWP_SOCKET="$DIR/$_s.sock" ip netns exec "$(ns_of "$_s")" "$@"
}

e2e_ctl() {
	_s=$1
	shift
	e2e_in "$_s" "$FWPCTL" "$@"
}

# e2e_keying SIDE OPTIONS...: static_keying in SIDE (stdin: fd 7 for a,
# 8 for b), waits for "ready".
e2e_keying() {
	_s=$1
	shift
	mkfifo "$DIR/$_s.in"
	FWP_ENGINE=service FWP_SOCKET="$DIR/$_s.sock" ip netns exec "$(ns_of "$_s")" \
		"$KEYING" "$@" <"$DIR/$_s.in" >"$DIR/$_s.out" 2>&1 &
	netns_track $!
	if [ "$_s" = a ]; then exec 7>"$DIR/a.in"; else exec 8>"$DIR/b.in"; fi
	e2e_wait_line "$_s" '^ready' 5 || fail "static_keying $_s not ready"
}

# The usual pair: A and B with mirrored SPIs and keys; extra options for both.
e2e_pair() {
	e2e_keying a --local $A4 --remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB \
		--key-in $KEY_BA --key-out $KEY_AB "$@"
	e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
		--key-in $KEY_AB --key-out $KEY_BA "$@"
}

# e2e_wait_line SIDE REGEX SECONDS: until SIDE's keying output has a match.
e2e_wait_line() {
	_i=0
	while ! grep -q "$2" "$DIR/$1.out" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
}

# e2e_cmd SIDE COMMAND: sends a command to SIDE's keying module and waits
# for its answer (the next ok/error line); fails on error.
e2e_cmd() {
	_n=$(grep -c '^\(ok\|error\)' "$DIR/$1.out")
	if [ "$1" = a ]; then echo "$2" >&7; else echo "$2" >&8; fi
	_i=0
	while [ "$(grep -c '^\(ok\|error\)' "$DIR/$1.out")" -le "$_n" ]; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "no answer from $1 to: $2"
		sleep 0.05
	done
	_last=$(grep '^\(ok\|error\)' "$DIR/$1.out" | tail -1)
	case "$_last" in
	ok*) ;;
	*) fail "$1: $2: $_last" ;;
	esac
}

# json_get JSON KEY: one value of a flat JSON object.
json_get() {
	echo "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# counters SIDE ID DIR FIELD: one per-SA counter (fwpctl sa counters --json).
counters() {
	e2e_ctl "$1" --json sa counters "$2" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
side = d[sys.argv[1]] if sys.argv[1] in d else d
print(side[sys.argv[2]])' "$3" "$4"
}

# udp_run FROM TO DST COUNT [PORT [SRC]]: COUNT datagrams from side FROM to
# DST, received on side TO; prints the receiver's JSON.
udp_run() {
	_from=$1 _to=$2 _dst=$3 _n=$4 _port=${5:-9000} _src=${6:-}
	netns_bg "$(ns_of "$_to")" "$PY" "$TRAFFIC" recv "$_port" 1.5 >"$DIR/recv.json"
	_rp=$NETNS_LAST_PID
	sleep 0.3
	ip netns exec "$(ns_of "$_from")" "$PY" "$TRAFFIC" send "$_dst" "$_port" "$_n" 0.0005 $_src
	wait "$_rp" 2>/dev/null
	cat "$DIR/recv.json"
}

# stat SIDE SECTION KEY: one IPsecGetStatistics1 field (fwpctl --json stats).
stat() {
	e2e_ctl "$1" --json stats | "$PY" -c '
import json, sys
print(json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])' "$2" "$3"
}

# sniff_start SIDE: captures ESP and ESP-in-UDP on SIDE's veth0 into
# $DIR/sniff.jsonl for up to 30 s (sniff_stop ends it).
sniff_start() {
	rm -f "$DIR/sniff.jsonl"
	netns_bg "$(ns_of "$1")" "$PY" "$TRAFFIC" sniff veth0 30 "$DIR/sniff.jsonl"
	SNIFF_PID=$NETNS_LAST_PID
	_i=0
	while [ ! -f "$DIR/sniff.jsonl" ] && [ $_i -lt 50 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	sleep 0.1
}

sniff_stop() {
	sleep 0.2
	netns_kill "$SNIFF_PID"
}

# seq_check SPI [KINDS]: the captured packets of SPI have strictly
# increasing sequence numbers starting at 1; prints "count kinds".
seq_check() {
	"$PY" - "$DIR/sniff.jsonl" "$(($1))" <<'PYEOF'
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pk = [p for p in pk if p["spi"] == int(sys.argv[2])]
seqs = [p["seq"] for p in pk]
if not seqs:
    print("none"); sys.exit(1)
bad = [i for i in range(1, len(seqs)) if seqs[i] <= seqs[i - 1]]
if bad or seqs[0] != 1:
    print("not increasing from 1:", seqs[:5], bad[:5]); sys.exit(1)
print(len(seqs), ",".join(sorted({p["kind"] for p in pk})))
PYEOF
}
