# lib.sh - the interoperability tests' common part (sourced; POSIX sh).
#
# Two namespaces A and B joined by veth (198.51.100.1 <-> .2,
# scripts/netns.sh), fwpd --datapath tun with a private socket and state
# directory where asked, and examples/static_keying as its keying module,
# fed commands through a FIFO. Everything is removed at exit, also on a
# failure or an interruption. Every wait has a deadline.
#
# Environment (set by CTest): SRC (the source tree), FWPD, KEYING (the
# static_keying example), FWPCTL.

# Variables here are for the scripts that source this file:
# shellcheck disable=SC2034
set -u
PY=/usr/bin/python3	# Debian's: python3-scapy is installed for it
HERE="$SRC/tests/datapath/interop"
A4=198.51.100.1
B4=198.51.100.2
FAILURES=0
TMP=

skip() {
	echo "skipped: $*"
	exit 77
}

ok() {
	echo "ok: $*"
}

fail() {
	echo "FAIL: $*"
	FAILURES=$((FAILURES + 1))
}

# fatal WHY: a failure after which nothing can go on; shows the logs.
fatal() {
	fail "$*"
	show_logs
	exit 1
}

show_logs() {
	for _f in "$TMP"/*.log "$TMP"/*.out; do
		[ -s "$_f" ] || continue
		echo "--- $(basename "$_f")"
		tail -n 30 "$_f"
	done
}

# need_root_tools TOOL...: skips (77) unless root with /dev/net/tun and
# every TOOL on PATH; FWPD, KEYING and FWPCTL must name the programs.
need_root_tools() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	command -v ip >/dev/null 2>&1 || skip "no ip (iproute2)"
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 ||
			skip "no $_t (scripts/install-deps.sh --with-datapath installs it)"
	done
	for _v in FWPD KEYING FWPCTL; do
		eval "_p=\${$_v:-}"
		if [ ! -x "$_p" ]; then
			echo "FAIL: $_v must name the built program (CTest sets it)"
			exit 1
		fi
	done
}

interop_cleanup() {
	exec 7>&- 8>&-
	netns_cleanup
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# interop_init NAME: namespaces A ($NSA) and B ($NSB), veth between them,
# reverse-path filtering loose enough for steering (docs/datapath-io.md),
# and a temporary directory $TMP.
interop_init() {
	. "$SRC/scripts/netns.sh"
	netns_init "$1"
	TMP=$(mktemp -d)
	trap interop_cleanup EXIT
	trap 'interop_cleanup; trap - EXIT; exit 130' INT
	trap 'interop_cleanup; trap - EXIT; exit 143' TERM HUP
	# A module that died must fail a step, not kill the script on a write.
	trap '' PIPE
	netns_add a || fatal "namespace a"
	NSA=$NETNS_LAST
	netns_add b || fatal "namespace b"
	NSB=$NETNS_LAST
	netns_veth "$NSA" "$NSB" || fatal "veth"
	for _ns in "$NSA" "$NSB"; do
		netns_rp_filter "$_ns" 0
		netns_sysctl "$_ns" net.ipv4.conf.veth0.rp_filter 0
		# What a capture on a real link shows: one datagram per frame.
		# veth would hand a UDP GSO train (fwpd sends ESP in UDP with
		# UDP_SEGMENT) whole to packet sockets; without the offload the
		# kernel cuts it before the device, as a NIC cuts it on the wire.
		ip netns exec "$_ns" ethtool -K veth0 tx-udp-segmentation off \
			>/dev/null 2>&1 || fatal "ethtool -K veth0 tx-udp-segmentation off"
	done
}

ns_of() {
	if [ "$1" = a ]; then echo "$NSA"; else echo "$NSB"; fi
}

# start_fwpd SIDE [OPTIONS...]: fwpd --datapath tun (or $E2E_DATAPATH) in SIDE's namespace;
# its socket is $TMP/SIDE.sock.
start_fwpd() {
	_s=$1
	shift
	netns_bg "$(ns_of "$_s")" "$FWPD" --foreground --socket "$TMP/$_s.sock" \
		--state-dir "$TMP/$_s.state" --datapath "${E2E_DATAPATH:-tun}" "$@" \
		2>"$TMP/fwpd-$_s.log"
	eval "FWPD_PID_$_s=\$NETNS_LAST_PID"
	_i=0
	while [ ! -S "$TMP/$_s.sock" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ] || ! kill -0 "$NETNS_LAST_PID" 2>/dev/null; then
			fatal "fwpd in $_s did not start"
		fi
		sleep 0.05
	done
}

# stop_fwpd SIDE: SIGTERM; fwpd must exit 0 within 5 s.
stop_fwpd() {
	eval "_p=\$FWPD_PID_$1"
	kill -TERM "$_p" 2>/dev/null
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		fail "fwpd in $1 still running 5 s after SIGTERM"
		return
	fi
	wait "$_p"
	_rc=$?
	if [ $_rc = 0 ]; then
		ok "fwpd in $1 stopped cleanly"
	else
		fail "fwpd in $1 exited with status $_rc"
		tail -n 30 "$TMP/fwpd-$1.log"
	fi
}

# ctl SIDE ARGS...: fwpctl against SIDE's fwpd.
ctl() {
	_s=$1
	shift
	"$FWPCTL" -s "$TMP/$_s.sock" "$@"
}

# start_keying SIDE OPTIONS...: static_keying in SIDE's namespace, against
# SIDE's fwpd, its stdin on fd 7 (a) or 8 (b); waits for "ready".
start_keying() {
	_s=$1
	shift
	rm -f "$TMP/$_s.in"
	mkfifo "$TMP/$_s.in"
	: >"$TMP/keying-$_s.out"
	FWP_ENGINE=service FWP_SOCKET="$TMP/$_s.sock" ip netns exec "$(ns_of "$_s")" \
		"$KEYING" "$@" <"$TMP/$_s.in" >"$TMP/keying-$_s.out" 2>&1 &
	eval "KEYING_PID_$_s=\$!"
	netns_track $!
	if [ "$_s" = a ]; then exec 7>"$TMP/a.in"; else exec 8>"$TMP/b.in"; fi
	_i=0
	while ! grep -q '^ready id=' "$TMP/keying-$_s.out"; do
		_i=$((_i + 1))
		eval "_p=\$KEYING_PID_$_s"
		if [ $_i -gt 200 ] || ! kill -0 "$_p" 2>/dev/null; then
			fatal "static_keying in $_s not ready"
		fi
		sleep 0.05
	done
}

# keying_cmd SIDE COMMAND: one command; its answer must be "ok ...".
keying_cmd() {
	_n=$(grep -cE '^(ok|error)( |$)' "$TMP/keying-$1.out")
	if [ "$1" = a ]; then echo "$2" >&7; else echo "$2" >&8; fi
	_i=0
	while [ "$(grep -cE '^(ok|error)( |$)' "$TMP/keying-$1.out")" -le "$_n" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			fail "static_keying in $1: no answer to '$2'"
			return 1
		fi
		sleep 0.05
	done
	_last=$(grep -E '^(ok|error)( |$)' "$TMP/keying-$1.out" | tail -n 1)
	case "$_last" in
	ok*) return 0 ;;
	*) fail "static_keying in $1: '$2' answered '$_last'"; return 1 ;;
	esac
}

# stop_keying SIDE: "quit"; the module must remove its SA pair and exit 0.
stop_keying() {
	eval "_p=\$KEYING_PID_$1"
	keying_cmd "$1" quit
	if [ "$1" = a ]; then exec 7>&-; else exec 8>&-; fi
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		fail "static_keying in $1 still running after quit"
		return
	fi
	wait "$_p"
	_rc=$?
	[ $_rc = 0 ] || fail "static_keying in $1 exited with status $_rc"
}

# hexkey BYTES: a fresh random key, in hex.
hexkey() {
	od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# key_sizes TRANSFORM: the key lengths of static_keying's transforms in
# bytes, into $CIPHER_KEY (GCM: with the salt) and $AUTH_KEY (0: none).
key_sizes() {
	case "$1" in
	gcm128) CIPHER_KEY=20 AUTH_KEY=0 ;;
	gcm256) CIPHER_KEY=36 AUTH_KEY=0 ;;
	cbc128-sha1) CIPHER_KEY=16 AUTH_KEY=20 ;;
	cbc128-sha256) CIPHER_KEY=16 AUTH_KEY=32 ;;
	cbc256-sha256) CIPHER_KEY=32 AUTH_KEY=32 ;;
	cbc128-md5) CIPHER_KEY=16 AUTH_KEY=16 ;;
	3des-md5) CIPHER_KEY=24 AUTH_KEY=16 ;;
	auth-md5) CIPHER_KEY=0 AUTH_KEY=16 ;;
	auth-sha1) CIPHER_KEY=0 AUTH_KEY=20 ;;
	*) fatal "no key sizes for $1" ;;
	esac
}

finish() {
	if [ "$FAILURES" -gt 0 ]; then
		echo "$FAILURES failure(s)"
		show_logs
		exit 1
	fi
	echo "all passed"
	exit 0
}
