#!/bin/sh
# test_static_keying.sh - examples/static_keying through its stdin protocol.
#
# Each case starts the module with --quiet, its stdin a FIFO, sends one
# command at a time and checks the one ok/error line it answers; then the
# exit status. Against fwpd (mode "service") a second client checks what the
# module installed (fwpctl -j, jq) and that after quit, EOF, SIGTERM or a
# failed setup the engine holds exactly what it held before (inventory).
# Cases: transport with --filters and --block (GCM; NAT-T on/off, move,
# show, expiry, bad commands), tunnel mode (IPv4 with NAT-T, IPv6), CBC and
# other transforms, a lifetime that ends, a bad key length (exit 1), an SPI
# the engine refuses after policy was added (exit 1, nothing left), usage
# errors (exit 2), and two mirrored instances on one engine.
#
# Usage: test_static_keying.sh embedded STATIC_KEYING
#        test_static_keying.sh service STATIC_KEYING FWPD INVENTORY FWPCTL
set -u
mode=$1
sk=$2

tmp=$(mktemp -d)
chmod 755 "$tmp"
daemon=
pids=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "$daemon" ]; then
		kill -9 "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# A module that died must fail a case, not kill the script on its next write.
trap '' PIPE

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

K20=000102030405060708090a0b0c0d0e0f10111213
K28=000102030405060708090a0b0c0d0e0f101112131415161718191a1b
K36=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
K16=00112233445566778899aabbccddeeff
K24=00112233445566778899aabbccddeeff0011223344556677
K32=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

# --- the engine -----------------------------------------------------------
if [ "$mode" = service ]; then
	fwpd=$3
	inventory=$4
	fwpctl=$5
	if ! command -v jq >/dev/null 2>&1; then
		echo "test_static_keying: jq is required (scripts/install-deps.sh)" >&2
		exit 1
	fi
	"$fwpd" --foreground --socket "$tmp/fwpd.sock" --state-dir "$tmp/state" \
		2>"$tmp/fwpd.log" &
	daemon=$!
	i=0
	while [ ! -S "$tmp/fwpd.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 500 ] || ! kill -0 "$daemon" 2>/dev/null; then
			echo "test_static_keying: fwpd did not start" >&2
			cat "$tmp/fwpd.log" >&2
			exit 1
		fi
		sleep 0.01
	done
	export FWP_ENGINE=service FWP_SOCKET="$tmp/fwpd.sock"
	"$inventory" >"$tmp/baseline" || exit 1
else
	export FWP_ENGINE=embedded
fi

# count KIND: how many objects of KIND the engine holds (service only).
count() {
	"$inventory" | sed -n "s/^$1 //p"
}

# nothing_left WHAT: the engine holds what it held before the module ran.
nothing_left() {
	[ "$mode" = service ] || return 0
	"$inventory" >"$tmp/now" || { fail "$1: inventory failed"; return; }
	if ! cmp -s "$tmp/baseline" "$tmp/now"; then
		fail "$1: objects left behind"
		diff "$tmp/baseline" "$tmp/now" | sed 's/^/    /' >&2
	fi
}

# --- one module at a time: commands on fd 3, its stdout on fd 5 -----------
# Reads block (no polling: forks are slow on a busy machine); a module that
# dies gives EOF, one that hangs meets ctest's TIMEOUT. Every line read is
# kept in $tmp/NAME.out.

# next_line: the module's next line in $line; false at EOF.
next_line() {
	IFS= read -r line <&5 || return 1
	printf '%s\n' "$line" >>"$tmp/$name.out"
}

# start NAME ARGS...: runs the module; $id is its context id once ready.
start() {
	name=$1
	shift
	rm -f "$tmp/$name.in" "$tmp/$name.pipe" "$tmp/$name.out"
	mkfifo "$tmp/$name.in" "$tmp/$name.pipe"
	"$sk" --quiet "$@" <"$tmp/$name.in" >"$tmp/$name.pipe" 2>"$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	exec 3>"$tmp/$name.in" 5<"$tmp/$name.pipe"
	id=0
	while next_line; do
		case $line in
		"ready id="*)
			id=${line#ready id=}
			echo "ok: $name: ready, context $id"
			return 0
			;;
		esac
	done
	fail "$name: no ready line"
	sed 's/^/    stderr: /' "$tmp/$name.err" >&2
	return 1
}

# cmd LINE EXPECTED: sends LINE; its answer must match the shell pattern
# EXPECTED. Event lines on the way are kept.
cmd() {
	echo "$1" >&3
	while next_line; do
		case $line in
		ok | "ok "* | "error "*)
			break
			;;
		esac
	done
	# shellcheck disable=SC2254 # $2 is a pattern
	case $line in
	$2)
		echo "ok: $name: $1 -> $line"
		;;
	*)
		fail "$name: '$1' answered '$line', expected '$2'"
		;;
	esac
}

# finish STATUS: closes stdin, reads what is left and waits for the module
# to exit with STATUS.
finish() {
	exec 3>&-
	while next_line; do :; done
	exec 5<&-
	wait "$pid"
	status=$?
	[ "$status" -eq "$1" ] || {
		fail "$name: exit status $status, expected $1"
		sed 's/^/    stderr: /' "$tmp/$name.err" >&2
	}
}

# has NAME REGEXP WHAT: a line of NAME's stdout matches.
has() {
	grep -Eq -- "$2" "$tmp/$1.out" || fail "$3: no line matches '$2'"
}

# jqcheck EXPR WHAT: EXPR holds for the JSON in $tmp/json.
jqcheck() {
	jq -e "$1" "$tmp/json" >/dev/null 2>&1 || fail "$2: jq '$1' is false"
}

E_INVALID=0x80320035

# --- transport, --filters, --block, GCM -----------------------------------
start transport --local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x1001 \
	--spi-out 0x2001 --key-in $K20 --key-out $K20 --filters --block tcp:80 \
	--block icmp
has transport "^event ADD id=$id\$" "transport: ADD before ready"
if [ "$mode" = service ]; then
	[ "$(count sa_contexts)" -eq 1 ] || fail "transport: $(count sa_contexts) SA contexts"
	"$fwpctl" -j filter list >"$tmp/json"
	jqcheck 'map(select(.name | startswith("static_keying"))) | length == 4' \
		"transport: four filters"
	jqcheck '[.[] | select(.name == "static_keying IPsec outbound")][0].layer == "outbound-transport-v4"' \
		"transport: outbound filter layer"
	# Weights are 64-bit: decimal strings, ordered as [length, digits].
	jqcheck '([.[] | select(.action == "block")] | map(.effective_weight | [length, .]) | min) >
		 ([.[] | select(.action == "callout-terminating")] | map(.effective_weight | [length, .]) | max)' \
		"transport: block filters weighted above the IPsec filters"
	jqcheck '[.[] | select(.name | startswith("static_keying"))] | map(.sublayer) | unique | length == 1' \
		"transport: one sublayer"
	out_f=$(jq '.[] | select(.name == "static_keying IPsec outbound") | .id' "$tmp/json")
	in_f=$(jq '.[] | select(.name == "static_keying IPsec inbound") | .id' "$tmp/json")
	"$fwpctl" -j sa show "$id" >"$tmp/json"
	jqcheck ".outbound.transport_filter.filter_id == $out_f" "transport: outbound bound"
	jqcheck ".inbound.transport_filter.filter_id == $in_f" "transport: inbound bound"
	jqcheck '.inbound.spi == 4097 and .outbound.spi == 8193' "transport: SPIs"
fi
cmd show "ok id=$id state=MATURE natt=off lport=0 rport=0 remote=198.51.100.7"
cmd "natt on 4500 4501" "ok natt=on lport=4500 rport=4501"
cmd "wait-event UPDATE 2" "ok UPDATE"
cmd show "ok id=$id state=MATURE natt=on lport=4500 rport=4501 remote=198.51.100.7"
cmd "natt off" "ok natt=off"
cmd show "ok id=$id state=MATURE natt=off lport=0 rport=0 remote=198.51.100.7"
cmd "move 198.51.100.99" "ok remote=198.51.100.99"
cmd show "ok id=$id state=MATURE natt=off lport=0 rport=0 remote=198.51.100.99"
if [ "$mode" = service ]; then
	"$fwpctl" -j sa show "$id" >"$tmp/json"
	jqcheck '.outbound.traffic.remote_address == "198.51.100.99"' "transport: moved"
	jqcheck ".outbound.transport_filter.filter_id == $out_f" "transport: still bound"
fi
cmd "move 2001:db8::1" "error ERROR_INVALID_PARAMETER 0x00000057"
cmd "natt on 0 4500" "error FWP_E_INVALID_PARAMETER $E_INVALID"
cmd "natt sideways" "error ERROR_INVALID_PARAMETER 0x00000057"
cmd frobnicate "error ERROR_NOT_SUPPORTED 0x00000032"
cmd "wait-event SOFT_LIFETIME 0.1" "error TIMEOUT 0x000005b4"
cmd "wait-event NOSUCH 1" "error ERROR_INVALID_PARAMETER 0x00000057"
cmd expire "ok"
cmd "wait-event EXPIRE 2" "ok EXPIRE"
cmd show "ok id=$id state=EXPIRING natt=off lport=0 rport=0 remote=198.51.100.99"
cmd "natt on 4500 4500" "error FWP_E_INCOMPATIBLE_SA_STATE 0x????????"
cmd quit "ok"
finish 0
has transport "^event DELETE id=$id\$" "transport: DELETE at quit"
nothing_left "transport after quit"

# --- tunnel mode, IPv4, NAT-T from the start ------------------------------
start tunnel4 --mode tunnel --local 192.0.2.1 --remote 203.0.113.2 \
	--inner-local 10.1.0.0/16 --inner-remote 10.2.0.0/16 --spi-in 0x1002 \
	--spi-out 0x2002 --transform gcm256 --key-in $K36 --key-out $K36 \
	--natt 4500:4500 --block icmp:0
cmd show "ok id=$id state=MATURE natt=on lport=4500 rport=4500 remote=203.0.113.2"
if [ "$mode" = service ]; then
	[ "$(count provider_contexts)" -eq 1 ] || fail "tunnel4: no tunnel policy"
	"$fwpctl" -j sa show "$id" >"$tmp/json"
	jqcheck '.outbound.traffic.mode == "tunnel" and .outbound.traffic.tunnel_policy_id > 0' \
		"tunnel4: bound to a tunnel policy"
	jqcheck '.outbound.transport_filter == null' "tunnel4: no transport filter"
	"$fwpctl" -j filter list >"$tmp/json"
	jqcheck '[.[] | select(.action == "callout-terminating")] | length == 2' \
		"tunnel4: two tunnel filters"
	jqcheck '[.[] | select(.action == "block")][0].sublayer ==
		 [.[] | select(.action == "callout-terminating")][0].sublayer' \
		"tunnel4: block filter in the tunnel sublayer"
fi
cmd "move 203.0.113.9" "ok remote=203.0.113.9"
cmd show "ok id=$id state=MATURE natt=on lport=4500 rport=4500 remote=203.0.113.9"
cmd "natt off" "ok natt=off"
cmd delete "ok"
cmd "wait-event DELETE 2" "ok DELETE"
cmd show "error FWP_E_NOT_FOUND 0x????????"
cmd quit "ok"
finish 0
nothing_left "tunnel4 after delete and quit"

# --- tunnel mode, IPv6; ended by EOF ----------------------------------------
start tunnel6 --mode tunnel --local 2001:db8::1 --remote 2001:db8::2 \
	--inner-local fd00:1::/64 --inner-remote fd00:2::5/64 --spi-in 0x1003 \
	--spi-out 0x2003 --transform gcm128 --key-in $K20 --key-out $K20
cmd show "ok id=$id state=MATURE natt=off lport=0 rport=0 remote=2001:db8::2"
cmd "natt on 4500 4500" "error FWP_E_INVALID_PARAMETER $E_INVALID"
cmd "move 2001:db8::9" "ok remote=2001:db8::9"
finish 0
nothing_left "tunnel6 after EOF"

# --- CBC with HMAC, IPv6 transport without filters ------------------------
start cbc --local 2001:db8::1 --remote 2001:db8::2 --spi-in 0x1004 \
	--spi-out 0x2004 --transform cbc128-sha256 --key-in $K16 --key-out $K16 \
	--auth-key-in $K32 --auth-key-out $K32
cmd show "ok id=$id state=MATURE natt=off lport=0 rport=0 remote=2001:db8::2"
if [ "$mode" = service ]; then
	"$fwpctl" -j sa show "$id" >"$tmp/json"
	jqcheck '.outbound.transform == "esp aes-cbc-128/hmac-sha256"' "cbc: transform"
	jqcheck '.outbound.traffic.remote_address == "2001:db8::2"' "cbc: IPv6 remote"
	jqcheck '.outbound.transport_filter == null' "cbc: unbound"
fi
cmd quit "ok"
finish 0
nothing_left "cbc after quit"

# --- the other transforms, each ended by SIGTERM ----------------------------
for t in "gcm192 --key-in $K28 --key-out $K28" "gmac128 --key-in $K20 --key-out $K20" \
	 "cbc192-sha256 --key-in $K24 --key-out $K24 --auth-key-in $K32 --auth-key-out $K32" \
	 "cbc256-sha256 --key-in $K32 --key-out $K32 --auth-key-in $K32 --auth-key-out $K32" \
	 "cbc128-sha1 --key-in $K16 --key-out $K16 --auth-key-in $K20 --auth-key-out $K20" \
	 "3des-sha1 --key-in $K24 --key-out $K24 --auth-key-in $K20 --auth-key-out $K20" \
	 "auth-sha1 --auth-key-in $K20 --auth-key-out $K20" \
	 "auth-sha256 --auth-key-in $K32 --auth-key-out $K32"; do
	# shellcheck disable=SC2086 # $t is the transform and its options
	start "xf-${t%% *}" --local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x1005 \
		--spi-out 0x2005 --filters --transform $t || continue
	kill -TERM "$pid"
	finish 0
	nothing_left "${t%% *} after SIGTERM"
done

# --- a lifetime that ends ---------------------------------------------------
start lifetime --local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x1006 \
	--spi-out 0x2006 --key-in $K20 --key-out $K20 --filters --lifetime-seconds 1
cmd "wait-event DELETE 4" "ok DELETE"
cmd show "error FWP_E_NOT_FOUND 0x????????"
cmd quit "ok"
finish 0
nothing_left "lifetime after quit"

# --- two mirrored instances on one engine: each sees its own events ---------
if [ "$mode" = service ]; then
	start side-a --local 192.0.2.1 --remote 192.0.2.2 --spi-in 0x1007 \
		--spi-out 0x2007 --key-in $K20 --key-out ${K16}a0a1a2a3 --filters
	a_pid=$pid a_id=$id
	exec 4>&3 6<&5
	start side-b --local 192.0.2.2 --remote 192.0.2.1 --spi-in 0x2007 \
		--spi-out 0x1007 --key-in ${K16}a0a1a2a3 --key-out $K20 --filters
	b_id=$id
	cmd "natt on 4500 4500" "ok natt=on lport=4500 rport=4500"
	cmd "wait-event UPDATE 2" "ok UPDATE"
	cmd quit "ok"
	finish 0
	grep -q "id=$a_id\$" "$tmp/side-b.out" && fail "side-b printed side-a's events"
	exec 3>&4 4>&- 5<&6 6<&-
	name=side-a pid=$a_pid id=$a_id
	cmd "wait-event UPDATE 0.2" "error TIMEOUT 0x000005b4"
	cmd quit "ok"
	finish 0
	grep -q "id=$b_id\$" "$tmp/side-a.out" && fail "side-a printed side-b's events"
	nothing_left "two instances after quit"
fi

# --- setup failures: exit 1, a clear message, nothing installed -------------
name=badkey
"$sk" --local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x1008 --spi-out 0x2008 \
	--key-in $K16 --key-out $K20 --filters </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
status=$?
[ $status -eq 1 ] || fail "bad key length: exit status $status, expected 1"
grep -q -- '--key-in: 16 bytes, but gcm128 needs 20' "$tmp/$name.err" ||
	fail "bad key length: message: $(cat "$tmp/$name.err")"
grep -q '^ready' "$tmp/$name.out" && fail "bad key length: ready printed"
grep -q "$K16" "$tmp/$name.err" && fail "bad key length: key echoed"
nothing_left "bad key length"
echo "ok: bad key length: exit 1"

name=badspi
"$sk" --local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x10 --spi-out 0x2009 \
	--key-in $K20 --key-out $K20 --filters --block udp:53 \
	</dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
status=$?
[ $status -eq 1 ] || fail "SPI below 0x100: exit status $status, expected 1"
grep -q 'IPsecSaContextSetSpi0 failed: FWP_E_INVALID_PARAMETER' "$tmp/$name.err" ||
	fail "SPI below 0x100: message: $(cat "$tmp/$name.err")"
nothing_left "SPI below 0x100 (policy added, then undone)"
echo "ok: engine refusal at setup: exit 1"

# --- usage errors: exit 2 ---------------------------------------------------
usage_case() {
	what=$1
	shift
	"$sk" "$@" </dev/null >/dev/null 2>"$tmp/usage.err"
	status=$?
	if [ $status -eq 2 ] && [ -s "$tmp/usage.err" ]; then
		echo "ok: usage: $what"
	else
		fail "usage: $what: exit status $status, expected 2 with a message"
	fi
}
base="--local 192.0.2.1 --remote 198.51.100.7 --spi-in 0x1010 --spi-out 0x2010"
# shellcheck disable=SC2086 # $base is a list of options
{
	usage_case "unknown transform" $base --key-in $K20 --key-out $K20 --transform des
	usage_case "missing keys" $base
	usage_case "odd hex" $base --key-in 123 --key-out $K20
	usage_case "NAT-T over IPv6" --local ::1 --remote ::2 --spi-in 0x1010 \
		--spi-out 0x2010 --key-in $K20 --key-out $K20 --natt 4500:4500
	usage_case "tunnel without inner prefixes" $base --mode tunnel \
		--key-in $K20 --key-out $K20
	usage_case "inner prefix of the other family" $base --mode tunnel \
		--inner-local fd00::/64 --inner-remote 10.0.0.0/8 --key-in $K20 --key-out $K20
	usage_case "auth key for GCM" $base --key-in $K20 --key-out $K20 \
		--auth-key-in $K20 --auth-key-out $K20
	usage_case "mixed families" --local 192.0.2.1 --remote ::2 --spi-in 0x1010 \
		--spi-out 0x2010 --key-in $K20 --key-out $K20
	usage_case "bad number" $base --key-in $K20 --key-out $K20 --lifetime-seconds x1
	usage_case "unknown option" $base --key-in $K20 --key-out $K20 --frobnicate
}
"$sk" --help >/dev/null 2>&1 || fail "--help: exit status $?"
nothing_left "usage errors"

# fwpd stops cleanly (under ASan: without a leak report).
if [ "$mode" = service ]; then
	kill -TERM "$daemon"
	wait "$daemon"
	status=$?
	daemon=
	[ $status -eq 0 ] || fail "fwpd exited with $status on SIGTERM"
fi

if [ "$failures" -ne 0 ]; then
	echo "test_static_keying ($mode): $failures failure(s)" >&2
	exit 1
fi
echo "test_static_keying ($mode): all passed"
exit 0
