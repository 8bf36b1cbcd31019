#!/bin/sh
# test_fwpctl.sh - fwpctl against a private fwpd.
#
# Starts fwpd on a socket in a temporary directory, fills it with contexts
# through make_contexts (see its header for the ids, SPIs and addresses it
# uses), and checks what fwpctl prints and how it exits: the table, the
# JSON (with jq), show without key bytes, delete, expire, counters, statistics,
# monitor (text, JSON, --count and SIGTERM), usage errors, the policy
# objects, -s, an unprivileged user when run as root, and finally, with
# the daemon stopped, exit status 3. The daemon is stopped on every path.
#
# Usage: test_fwpctl.sh FWPD FWPCTL MAKE_CONTEXTS
set -u
fwpd=$1
fwpctl=$2
helper=$3

if ! command -v jq >/dev/null 2>&1; then
	echo "test_fwpctl: jq is required to check fwpctl's JSON (scripts/install-deps.sh)" >&2
	exit 1
fi

tmp=$(mktemp -d)
chmod 755 "$tmp"
sock=$tmp/fwpd.sock
pid=
bg=
cleanup() {
	for p in $bg; do
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run ARGS...: fwpctl's output in $tmp/out and $tmp/err, its status in $rc.
run() {
	"$fwpctl" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect STATUS WHAT: the last run exited with STATUS.
expect() {
	if [ "$rc" -ne "$1" ]; then
		fail "$2: exit status $rc, expected $1"
		sed 's/^/    stdout: /' "$tmp/out" >&2
		sed 's/^/    stderr: /' "$tmp/err" >&2
		return 1
	fi
	echo "ok: $2"
	return 0
}

# jqcheck EXPR WHAT: EXPR holds for $tmp/out.
jqcheck() {
	if ! jq -e "$1" "$tmp/out" >/dev/null 2>"$tmp/jq.err"; then
		fail "$2: jq '$1' is false"
		sed 's/^/    jq: /' "$tmp/jq.err" >&2
		head -c 2000 "$tmp/out" | sed 's/^/    stdout: /' >&2
	fi
}

# has FILE PATTERN WHAT: an extended regexp matches a line of FILE.
has() {
	grep -Eq -- "$2" "$1" || fail "$3: no line of $(basename "$1") matches '$2'"
}

hasnt() {
	! grep -Eqi -- "$2" "$1" || fail "$3: a line of $(basename "$1") matches '$2'"
}

lines() {
	wc -l <"$1" | tr -d ' '
}

# --- the daemon ---------------------------------------------------------
"$fwpd" --foreground --socket "$sock" --state-dir "$tmp/state" 2>"$tmp/fwpd.log" &
pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 500 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "test_fwpctl: fwpd did not start" >&2
		cat "$tmp/fwpd.log" >&2
		exit 1
	fi
	sleep 0.01
done
export FWP_ENGINE=service FWP_SOCKET="$sock"

# --- three contexts: 1 IPv4 with NAT-T, 2 IPv6, 3 IPv4 -------------------
if ! "$helper" create 3 >"$tmp/ids" || [ "$(lines "$tmp/ids")" -ne 3 ]; then
	echo "test_fwpctl: make_contexts create 3 failed" >&2
	exit 1
fi
id1=$(sed -n 1p "$tmp/ids")
id2=$(sed -n 2p "$tmp/ids")
id3=$(sed -n 3p "$tmp/ids")
in1=$((0xc0000101)) in2=$((0xc0000102)) in3=$((0xc0000103))
out1=$((0xc1000101)) out2=$((0xc1000102)) out3=$((0xc1000103))

# --- sa list: the table -------------------------------------------------
run sa list
expect 0 "sa list"
has "$tmp/out" '^id +dir +spi +transform +mode +local +remote +nat-t +life\(s\) +flags$' "sa list header"
[ "$(lines "$tmp/out")" -eq 7 ] || fail "sa list: $(lines "$tmp/out") lines, expected 7"
n=1
for id in $id1 $id2 $id3; do
	has "$tmp/out" "^ *$id +in +0xc000010$n +esp aes-gcm-128 +transport " "sa list: context $id in"
	has "$tmp/out" "^ *$id +out +0xc100010$n +esp aes-gcm-128 +transport " "sa list: context $id out"
	n=$((n + 1))
done
has "$tmp/out" "^ *$id1 +in .* 192\.0\.2\.1 +198\.51\.100\.10 +udp 4500->4500 +3600 +-$" "sa list: NAT-T in"
has "$tmp/out" "^ *$id1 +out .* udp 4500->4500 +3600 +assume-udp-context-outbound$" "sa list: NAT-T out, flags"
[ "$(grep -c 'udp 4500->4500' "$tmp/out")" -eq 2 ] || fail "sa list: NAT-T on other contexts"
# IPv6 comes byte-reversed from the API: printed the right way round.
has "$tmp/out" "^ *$id2 +in .* 2001:db8::1 +2001:db8:ffff::11 +- " "sa list: IPv6 addresses"
# Aligned: every column starts at the same offset on every line.
for word in spi transform mode local remote nat-t flags; do
	col=$(head -1 "$tmp/out" | awk -v w="$word" '{ print index($0, w) }')
	sed 1d "$tmp/out" | awk -v c="$col" '
		substr($0, c - 2, 2) != "  " || substr($0, c, 1) == " " { bad = 1 }
		END { exit bad }' || fail "sa list: column $word is not aligned"
done

# --- sa list -j ---------------------------------------------------------
run -j sa list
expect 0 "sa list -j"
[ "$(lines "$tmp/out")" -eq 1 ] || fail "sa list -j: compact JSON is not one line"
jqcheck 'length == 3' "sa list -j: count"
jqcheck "[.[].id] == [$id1, $id2, $id3]" "sa list -j: ids"
jqcheck "[.[].inbound.spi] == [$in1, $in2, $in3]" "sa list -j: inbound SPIs"
jqcheck "[.[].outbound.spi] == [$out1, $out2, $out3]" "sa list -j: outbound SPIs"
jqcheck "[.[].inbound.bundle.sas[0].spi] == [$in1, $in2, $in3]" "sa list -j: bundle SPIs"
jqcheck '.[0].inbound.udp_encapsulation == {"local_port": 4500, "remote_port": 4500}
	and .[0].outbound.udp_encapsulation == {"local_port": 4500, "remote_port": 4500}
	and .[1].inbound.udp_encapsulation == null and .[2].outbound.udp_encapsulation == null' \
	"sa list -j: NAT-T"
jqcheck '.[1].inbound.traffic.local_address == "2001:db8::1"
	and .[1].inbound.traffic.remote_address == "2001:db8:ffff::11"
	and .[0].outbound.traffic.remote_address == "198.51.100.10"' "sa list -j: addresses"
jqcheck 'all(.[]; .inbound.transform == "esp aes-gcm-128" and .inbound.traffic.mode == "transport")' \
	"sa list -j: transform, mode"
jqcheck '[.[].outbound.bundle.flags] == [["assume-udp-context-outbound"],
	["assume-udp-context-outbound"], ["assume-udp-context-outbound"]]' "sa list -j: flags"

run -j -p sa list
expect 0 "sa list -j -p"
jqcheck 'length == 3' "sa list -j -p: count"
[ "$(lines "$tmp/out")" -gt 100 ] || fail "sa list -j -p: not indented"
has "$tmp/out" '^  \{$' "sa list -j -p: indentation"

# --- sa show: everything, no key bytes ----------------------------------
run -j sa show "$id1"
expect 0 "sa show -j"
jqcheck ".id == $id1 and .inbound.spi == $in1 and .outbound.spi == $out1" "sa show -j: ids, SPIs"
jqcheck '.inbound.bundle.lifetime.seconds == 3600 and .inbound.bundle.sas[0].cipher.algorithm == "aes-gcm-128"
	and .inbound.direction == "inbound" and .outbound.direction == "outbound"' "sa show -j: details"
jqcheck '[.. | objects | select(has("key")) | .key] | length == 4 and all(. == "(hidden)")' \
	"sa show -j: keys hidden"
jqcheck '[.. | arrays | select(length > 0 and all(.[]; type == "number"))] | length == 0' \
	"sa show -j: no byte arrays"
hasnt "$tmp/out" '4c80cdef|4c:80:cd:ef|76, *128, *205' "sa show -j: key bytes"

run sa show "$id1"
expect 0 "sa show"
has "$tmp/out" "^id +$id1$" "sa show: id"
has "$tmp/out" '^  spi +0xc0000101$' "sa show: inbound SPI"
has "$tmp/out" '^    local port +4500$' "sa show: NAT-T"
[ "$(grep -c '(hidden)' "$tmp/out")" -eq 4 ] || fail "sa show: keys not shown as (hidden)"
hasnt "$tmp/out" '4c80cdef|4c:80:cd:ef' "sa show: key bytes"

# --- sa list: selection, state and counters, watch ------------------------
run sa list spi 0xc0000102
expect 0 "sa list spi"
[ "$(lines "$tmp/out")" -eq 3 ] || fail "sa list spi: $(lines "$tmp/out") lines, expected 3"
has "$tmp/out" "^ *$id2 +in +0xc0000102 " "sa list spi: the context"
run sa list spi $((0xc1000103))
[ "$(grep -Ec "^ *$id3 " "$tmp/out")" -eq 2 ] || fail "sa list spi (decimal, outbound): context $id3"
run sa list peer 2001:db8:ffff:0::11
expect 0 "sa list peer (IPv6, not normalised)"
[ "$(grep -Ec "^ *$id2 " "$tmp/out")" -eq 2 ] && [ "$(lines "$tmp/out")" -eq 3 ] ||
	fail "sa list peer: $(cat "$tmp/out")"
run sa list peer 203.0.113.9
expect 0 "sa list peer (none)"
[ -s "$tmp/out" ] && fail "sa list peer (none): printed $(cat "$tmp/out")"
run sa list -s
expect 0 "sa list -s"
has "$tmp/out" '^id +dir +spi .* flags +state +age +left +packets +bytes +idle$' "sa list -s: header"
has "$tmp/out" "^ *$id1 +in .* mature +[0-9]+m?s +59m[0-9]{2}s +0 +0 +never$" \
	"sa list -s: state, age, lifetime left, counters"
run -j sa list -s spi 0xc1000101
expect 0 "sa list -j -s spi"
jqcheck 'length == 1 and .[0].state == "mature" and .[0].counters.inbound.live
	and .[0].counters.outbound.packets == 0 and .[0].counters.outbound.idle_ms == null' \
	"sa list -j -s: state and counters"
run -j sa list
jqcheck 'all(.[]; .state == "mature") and all(.[]; has("counters") | not)' "sa list -j: state, no counters"
run -j sa show "$id1"
jqcheck '.state == "mature" and .age_ms >= 0 and .age_ms < 60000 and .drain_left_ms == null
	and .lifetime_left.inbound.ms > 3500000 and .lifetime_left.inbound.ms <= 3600000
	and .lifetime_left.outbound.packets == null
	and .creator.pid > 0 and .creator.uid == '"$(id -u)"'
	and (.creator.session | test("^[{][0-9a-f-]{36}[}]$"))
	and .counters.inbound.live' "sa show -j: state, age, lifetime left, creator, counters"
t0=$(date +%s%N)
run sa list --watch 0.2 --count 3
took=$((($(date +%s%N) - t0) / 1000000))
expect 0 "sa list --watch --count"
[ "$(grep -c '^Every 0.2s: fwpctl sa list ' "$tmp/out")" -eq 3 ] || fail "sa list --watch: not 3 listings"
[ "$(grep -Ec "^ *$id1 +in " "$tmp/out")" -eq 3 ] || fail "sa list --watch: rows"
[ "$took" -ge 350 ] || fail "sa list --watch 0.2 --count 3 took $took ms"
run -j sa list --watch 0.1 --count 2
expect 0 "sa list -j --watch"
[ "$(lines "$tmp/out")" -eq 2 ] || fail "sa list -j --watch: not one document per line"
jq -s -e 'length == 2 and all(.[]; length == 3)' "$tmp/out" >/dev/null ||
	fail "sa list -j --watch: documents"
for args in "sa list spi" "sa list spi x" "sa list spi 0x100000000" "sa list peer" \
	    "sa list peer 1.2.3" "sa list --watch 0" "sa list --count 2" "sa list bogus" \
	    "sa list --watch 0.05" "sa flush 1"; do
	# shellcheck disable=SC2086
	run $args
	expect 2 "usage error: fwpctl $args"
done

# --- sa delete ----------------------------------------------------------
run sa delete "$id3"
expect 0 "sa delete"
[ -s "$tmp/out" ] && fail "sa delete: printed something"
run sa show "$id3"
expect 1 "sa show of a deleted context"
has "$tmp/err" "^fwpctl: FWP_E_NOT_FOUND \(0x80320008\): no SA context $id3$" "sa show: error message"
run sa delete "$id3"
expect 1 "sa delete of a deleted context"
has "$tmp/err" 'FWP_E_NOT_FOUND' "sa delete: error name"
run -j sa list
jqcheck "[.[].id] == [$id1, $id2]" "sa list -j after delete"

# --- sa expire: outbound gone, inbound draining (60 s by default) ---------
run sa expire "$id2"
expect 0 "sa expire"
run -j sa show "$id2"
expect 0 "sa show of an expiring context"
jqcheck ".outbound == null and .inbound.spi == $in2" "sa show -j: expiring context"
jqcheck '.state == "expiring" and .drain_left_ms > 0 and .drain_left_ms <= 60000' \
	"sa show -j: expiring, with the drain left"
run sa list -s
has "$tmp/out" "^ *$id2 +in .* expiring +[0-9]+m?s +[0-9]+s +0 +0 +never$" "sa list -s: expiring, drain left"
run sa expire "$id2"
expect 1 "sa expire twice"
has "$tmp/err" 'FWP_E_INCOMPATIBLE_SA_STATE' "sa expire twice: error name"
run sa list
[ "$(grep -c "^ *$id2 " "$tmp/out")" -eq 1 ] || fail "sa list: expiring context has not one line"

# --- sa counters: no datapath, so zeros; LIVE follows the directions ------
run sa counters "$id1"
expect 0 "sa counters"
has "$tmp/out" "^id +$id1$" "sa counters: id"
has "$tmp/out" '^inbound:$' "sa counters: inbound heading"
has "$tmp/out" '^  live +yes$' "sa counters: live"
has "$tmp/out" '^  packets +0$' "sa counters: packets"
has "$tmp/out" '^  replay drops +0$' "sa counters: replay drops"
has "$tmp/out" '^  last use +never$' "sa counters: never used"
[ "$(grep -c '^  live  *yes$' "$tmp/out")" -eq 2 ] || fail "sa counters: both directions live"
run -j sa counters "$id1"
expect 0 "sa counters -j"
jqcheck ".id == $id1 and .inbound.live and .outbound.live" "sa counters -j: live"
jqcheck '[.inbound, .outbound][] | .packets == 0 and .bytes == 0 and .replay_drops == 0
	and .icv_failures == 0 and .other_drops == 0 and .last_use_ms == 0 and .idle_ms == null' \
	"sa counters -j: zeros"
run -j sa counters "$id2"
expect 0 "sa counters -j of an expiring context"
jqcheck '.inbound.live and (.outbound.live | not) and .outbound.packets == 0' \
	"sa counters -j: outbound gone after expire"
run sa counters "$id2"
has "$tmp/out" '^  live +no$' "sa counters: outbound not live"
run sa counters "$id3"
expect 1 "sa counters of a deleted context"
has "$tmp/err" "^fwpctl: FWP_E_NOT_FOUND \(0x80320008\): no SA context $id3$" \
	"sa counters: error message"

# --- stats: 2 SAs of context 1, the inbound of context 2 ------------------
run stats
expect 0 "stats"
has "$tmp/out" '^sas:$' "stats: heading"
has "$tmp/out" '^  active sas +3$' "stats: active SAs"
has "$tmp/out" '^traffic:$' "stats: traffic heading"
has "$tmp/out" '^  inbound packets +0$' "stats: inbound packets"
has "$tmp/out" '^  outbound bytes +0$' "stats: outbound bytes"
run -j stats
expect 0 "stats -j"
jqcheck '.sas.active_sas == 3 and .sas.total_sas_added == 6 and .sas.total_sas_deleted == 3' \
	"stats -j: counters"
jqcheck '.inbound_traffic.encrypted_bytes == 0 and (.drops | length) == 10' "stats -j: groups"
jqcheck '.traffic == {"inbound_packets": 0, "inbound_bytes": 0, "outbound_packets": 0,
	"outbound_bytes": 0, "inbound_drops": 0, "invalid_spi_drops": 0, "replay_drops": 0,
	"integrity_failures": 0, "decryption_failures": 0}' "stats -j: traffic summary"
jqcheck 'keys_unsorted == ["sas", "traffic", "esp_drops", "ah_drops", "drops",
	"outbound_drops", "inbound_traffic", "outbound_traffic"]' "stats -j: group order"
jqcheck '.outbound_drops == {"no_sa": 0, "blocked": 0, "other": 0}' "stats -j: outbound drops"

# --- session list: fwpctl's own session is there, with its process --------
run session list
expect 0 "session list"
has "$tmp/out" '^key +pid +user +flags +name$' "session list: header"
has "$tmp/out" ' fwpctl$' "session list: fwpctl's own session"
run -j session list
expect 0 "session list -j"
jqcheck 'length >= 1 and (map(select(.name == "fwpctl")) | length) == 1' \
	"session list -j: one fwpctl session"
jqcheck 'all(.[]; (.pid > 0) and (.key | test("^[{][0-9a-f-]{36}[}]$")))' \
	"session list -j: pids and keys"

# --- a context without SAs yet: one line of dashes, no SA in JSON ---------
larval=$("$helper" larval) || fail "make_contexts larval"
run sa list
expect 0 "sa list with a larval context"
has "$tmp/out" "^ *$larval +- +- +- +- +- +- +- +- +-$" "sa list: larval context"
run -j sa show "$larval"
expect 0 "sa show -j of a larval context"
jqcheck ".id == $larval and .inbound == null and .outbound == null and .state == \"larval\"" \
	"sa show -j: larval context"
run sa show "$larval"
has "$tmp/out" '^inbound +-$' "sa show: larval context"
run sa expire "$larval"
expect 1 "sa expire of a larval context"
has "$tmp/err" 'FWP_E_INCOMPATIBLE_SA_STATE' "sa expire of a larval context: error name"
run sa delete "$larval"
expect 0 "sa delete of a larval context"

# --- monitor ------------------------------------------------------------
# Three monitors: text with --count, JSON with --count, and one stopped
# by SIGTERM. make_contexts waits until all three are subscribed, then
# makes and deletes one context. timeout(1) bounds a monitor that hangs.
timeout 20 "$fwpctl" monitor --count 2 >"$tmp/mon.txt" 2>"$tmp/mon.txt.err" &
m1=$!
timeout 20 "$fwpctl" -j monitor --count=2 >"$tmp/mon.json" 2>"$tmp/mon.json.err" &
m2=$!
timeout 20 "$fwpctl" monitor >"$tmp/mon.sig" 2>"$tmp/mon.sig.err" &
m3=$!
bg="$m1 $m2 $m3"
if ! "$helper" wait-subscribers 3; then
	fail "monitor: not subscribed"
fi
churn=$("$helper" churn) || fail "make_contexts churn"
wait "$m1"
rc=$?
[ "$rc" -eq 0 ] || fail "monitor --count 2: exit status $rc ($(cat "$tmp/mon.txt.err"))"
[ "$(lines "$tmp/mon.txt")" -eq 2 ] || fail "monitor --count 2: $(lines "$tmp/mon.txt") lines"
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4} '
sed -n 1p "$tmp/mon.txt" | grep -Eq "${stamp}ADD +id $churn$" || fail "monitor: first line is not ADD $churn"
sed -n 2p "$tmp/mon.txt" | grep -Eq "${stamp}DELETE +id $churn$" || fail "monitor: second line is not DELETE $churn"
wait "$m2"
rc=$?
[ "$rc" -eq 0 ] || fail "monitor -j: exit status $rc ($(cat "$tmp/mon.json.err"))"
[ "$(lines "$tmp/mon.json")" -eq 2 ] || fail "monitor -j: $(lines "$tmp/mon.json") lines"
jq -s -e "length == 2 and .[0].event == \"ADD\" and .[0].id == $churn
	and .[1].event == \"DELETE\" and .[1].id == $churn
	and all(.[]; .time | test(\"^[0-9-]+T[0-9:.]+[+-][0-9]{4}\$\"))" \
	"$tmp/mon.json" >/dev/null || fail "monitor -j: events"
i=0
while [ "$(lines "$tmp/mon.sig")" -lt 2 ] && [ $i -lt 200 ]; do
	i=$((i + 1))
	sleep 0.05
done
# To fwpctl itself, not to timeout(1), which may die of the signal itself
# when it comes before it has recorded its child.
pkill -TERM -P "$m3" -x "$(basename "$fwpctl")" || kill -TERM "$m3"
wait "$m3"
rc=$?
[ "$rc" -eq 0 ] || fail "monitor stopped by SIGTERM: exit status $rc ($(cat "$tmp/mon.sig.err"))"
[ "$(lines "$tmp/mon.sig")" -eq 2 ] || fail "monitor stopped by SIGTERM: $(lines "$tmp/mon.sig") lines"
bg=
echo "ok: monitor"

# --- usage errors: status 2, with or without an engine -------------------
for args in "bogus" "sa bogus" "sa show" "sa show abc" "sa show 0" "sa show -1" \
	    "sa show 1 2" "sa list extra" "stats extra" "--bogus sa list" "-x" \
	    "sa counters" "sa counters abc" "sa counters 0" "sa counters 1 2" \
	    "monitor --count 0" "monitor --count" "monitor extra" "-s" "help bogus" \
	    "netevent collect" "netevent collect maybe" "netevent collect on off" \
	    "netevent list extra" "sd" "sd show" "sd show bogus" "sd show provider" \
	    "sd show provider nokey" "sd show engine extra" "sd set engine" \
	    "sd set engine D:NO" "sd set engine (A;;0x1;;;WD)" "sd set provider D:"; do
	# shellcheck disable=SC2086
	run $args
	expect 2 "usage error: fwpctl $args"
	has "$tmp/err" '^fwpctl: ' "usage error: fwpctl $args: message"
done
run --json=1 sa list
expect 2 "--json=1"
has "$tmp/err" "^fwpctl: option '--json' takes no value$" "--json=1: names --json"
run
expect 2 "no arguments"
has "$tmp/err" '^Usage: fwpctl ' "no arguments: usage"
for args in "help" "-h" "--help" "sa help" "help monitor"; do
	# shellcheck disable=SC2086
	run $args
	expect 0 "fwpctl $args"
	has "$tmp/out" '^Usage: fwpctl ' "fwpctl $args: usage"
done
run help
has "$tmp/out" 'sa \{ list \[spi SPI\] \[peer ADDR\] \[-s\] \[--watch SECONDS \[--count N\]\] \| show ID \| delete ID \| expire ID \| counters ID \| flush \}' "help: grammar"

# --- policy objects -----------------------------------------------------
# Two policy monitors (text and JSON) watch what follows until the provider
# is deleted; probes until both are subscribed (their SubscriptionsGet0 is
# their own, so another process cannot ask).
timeout 60 "$fwpctl" monitor policy >"$tmp/mon.pol" 2>"$tmp/mon.pol.err" &
mp1=$!
timeout 60 "$fwpctl" -j monitor policy >"$tmp/mon.polj" 2>"$tmp/mon.polj.err" &
mp2=$!
bg="$mp1 $mp2"
probe='{f7c71e59-0001-0002-0304-05060708090c}'
i=0
until grep -qs "$probe" "$tmp/mon.pol" && grep -qs "$probe" "$tmp/mon.polj"; do
	i=$((i + 1))
	[ $i -gt 100 ] && { fail "monitor policy: not subscribed"; break; }
	"$helper" probe || fail "make_contexts probe"
	sleep 0.05
done
"$helper" policy >"$tmp/pol" || fail "make_contexts policy"
fid=$(sed -n 1p "$tmp/pol")
pcid=$(sed -n 2p "$tmp/pol")
prov='{f7c71e57-0001-0002-0304-05060708090a}'
sub='{f7c71e58-0001-0002-0304-05060708090b}'
run filter list
expect 0 "filter list"
has "$tmp/out" "^ *$fid +outbound-transport-v4 +callout-terminating .*fwpctl test filter" "filter list: the filter"
run -j filter show "$fid"
expect 0 "filter show"
has "$tmp/out" "\"id\": *$fid" "filter show: id"
has "$tmp/out" '"callout"' "filter show: callout"
jqcheck '.condition == [{"field": "ip-remote-address", "match": "==", "value": "198.51.100.0/24"},
	{"field": "ip-protocol", "match": "==", "value": "17"}] and .conditions == 2' \
	"filter show -j: conditions"
jqcheck '.layer == "outbound-transport-v4" and .callout_name == "ipsec-outbound-transport-v4"
	and .sublayer_name == "fwpctl test sublayer" and .sublayer == "'"$sub"'"' \
	"filter show -j: names for the layer, sublayer and callout"
run filter show "$fid"
expect 0 "filter show (text)"
has "$tmp/out" '^condition\[0\]:$' "filter show: condition heading"
has "$tmp/out" '^  field +ip-remote-address$' "filter show: condition field"
has "$tmp/out" '^  value +198\.51\.100\.0/24$' "filter show: condition value"
has "$tmp/out" '^callout name +ipsec-outbound-transport-v4$' "filter show: callout name"

# --- the net-event history: empty until collected; nothing raises here --
run netevent list
expect 0 "netevent list"
[ -s "$tmp/out" ] && fail "netevent list: not empty before collection"
run netevent collect on
expect 0 "netevent collect on"
run -j netevent list
expect 0 "netevent list -j"
run netevent collect off
expect 0 "netevent collect off"
echo "ok: netevent"

# --- the built-in layers and callouts --------------------------------------
run layer list
expect 0 "layer list"
has "$tmp/out" '^ *id +key +layer +name$' "layer list: header"
has "$tmp/out" '^ *12 +[{]5926dfc8-e3cf-4426-a283-dc393f5d0f9d[}] +inbound-transport-v4 +FWPM_LAYER_INBOUND_TRANSPORT_V4$' \
	"layer list: inbound transport v4 with its runtime id"
run -j layer list
expect 0 "layer list -j"
jqcheck 'length == 93 and (map(.id) | unique | length) == 93 and (map(select(.flags == 3)) | length) == 14' \
	"layer list -j: 93 layers, ids unique, 14 filtered at (kernel)"
has "$tmp/out" '"layer":"ikeext-v4"' "layer list -j: a layer without a filter word gets its identifier's"

run -j layer show '{09e61aea-d214-46e2-9b21-b26b0b2f28c8}'
expect 0 "layer show KEY"
jqcheck '.id == 16 and (.field | map(select(.field == "ip-remote-port" and .data_type == "uint16")) | length) == 1' \
	"layer show -j: outbound transport v4, its remote-port field"
run -j layer show 1
expect 0 "layer show: a discard layer"
jqcheck '.layer == "inbound-ippacket-v4-discard" and .flags == 2 and .fields == 10' \
	"layer show -j: inbound IP packet v4 discard, built in, not filtered at"
run layer show 58
expect 1 "layer show: a reserved runtime id is no layer"
run layer show nonsense
expect 2 "layer show: neither GUID nor id"
run -j callout list
expect 0 "callout list -j"
jqcheck 'length == 20 and (map(select(.layer == "inbound-transport-v4")) | length) == 2' \
	"callout list -j: 20 callouts, two at inbound transport v4"
run -j callout show 3
expect 0 "callout show ID"
jqcheck '.callout == "ipsec-outbound-transport-v4" and .layer == "outbound-transport-v4"' \
	"callout show -j: the outbound transport callout"
run callout show '{0badc0de-0001-0002-0304-05060708090a}'
expect 1 "callout show: unknown key"
echo "ok: layer, callout"

# --- security descriptors in SDDL ----------------------------------------
run sd show engine
expect 0 "sd show engine"
has "$tmp/out" '^O:SYG:S[-0-9A-Z]*D:\(A;;0xf07ff;;;SY\)' "sd show engine: root holds every right"
has "$tmp/out" '\(A;;0x3e4;;;WD\)$' "sd show engine: everyone else reads"
cp "$tmp/out" "$tmp/engine.sddl"
run sd set engine "$(sed 's/^.*D:/D:/' "$tmp/engine.sddl" | sed 's/$/(D;;0x400;;;S-1-22-1-4242)/')"
expect 0 "sd set engine"
run -j sd show engine
expect 0 "sd show engine -j"
has "$tmp/out" '\(D;;0x400;;;S-1-22-1-4242\)"}$' "sd show -j: the new entry"
run sd set engine "$(sed 's/^.*D:/D:/' "$tmp/engine.sddl")"
expect 0 "sd set engine back"
run sd set provider "$prov" 'O:SYD:(A;;0xf07ff;;;SY)(A;;0x80;;;S-1-22-1-4242)'
expect 0 "sd set provider"
run sd show provider "$prov"
expect 0 "sd show provider"
has "$tmp/out" '^O:SYG:[^D]*D:\(A;;0xf07ff;;;SY\)\(A;;0x80;;;S-1-22-1-4242\)$' "sd show provider"
run sd show filter "$fid"
expect 0 "sd show filter ID"
run sd show filter 999999999
expect 1 "sd show filter unknown"
echo "ok: sd"

run filter show 999999999
expect 1 "filter show unknown"
run -j provider list
expect 0 "provider list"
has "$tmp/out" 'fwpctl test provider' "provider list: the provider"

# --- sublayers and provider contexts --------------------------------------
run sublayer list
expect 0 "sublayer list"
has "$tmp/out" '^key +weight +flags +name$' "sublayer list: header"
has "$tmp/out" "^[{]f7c71e58-0001-0002-0304-05060708090b[}] +256 +- +fwpctl test sublayer$" \
	"sublayer list: the sublayer"
run -j sublayer list
expect 0 "sublayer list -j"
jqcheck 'map(select(.key == "'"$sub"'")) == [{"key": "'"$sub"'", "name": "fwpctl test sublayer",
	"weight": 256, "persistent": false, "provider": "'"$prov"'"}]' "sublayer list -j: the sublayer"
run provider-context list
expect 0 "provider-context list"
has "$tmp/out" "^ *$pcid +[{][0-9a-f-]{36}[}] +ike-qm-transport +- +fwpctl test context$" \
	"provider-context list: the context"
run -j provider-context list
expect 0 "provider-context list -j"
jqcheck 'length == 1 and .[0].id == '"$pcid"' and .[0].type == "ike-qm-transport"
	and .[0].name == "fwpctl test context" and .[0].provider == "'"$prov"'"' \
	"provider-context list -j"

# --- deleting policy objects: the filter first, then what it named ---------
run sublayer delete "$sub"
expect 1 "sublayer delete while a filter uses it"
run filter delete "$fid"
expect 0 "filter delete"
[ -s "$tmp/out" ] && fail "filter delete: printed something"
run filter show "$fid"
expect 1 "filter show after delete"
run filter delete "$fid"
expect 1 "filter delete twice"
has "$tmp/err" 'FWP_E_FILTER_NOT_FOUND' "filter delete twice: error name"
run provider-context delete "$pcid"
expect 0 "provider-context delete ID"
run -j provider-context list
jqcheck 'length == 0' "provider-context list -j after delete"
run sublayer delete "$sub"
expect 0 "sublayer delete KEY"
run -j sublayer list
jqcheck 'map(select(.key == "'"$sub"'")) | length == 0' "sublayer list -j after delete"
run provider delete "$prov"
expect 0 "provider delete KEY"
run -j provider list
jqcheck 'map(select(.name == "fwpctl test provider")) | length == 0' "provider list -j after delete"
run provider delete "$prov"
expect 1 "provider delete twice"
i=0
while ! grep -q "delete.*$prov" "$tmp/mon.polj" && [ $i -lt 200 ]; do
	i=$((i + 1))
	sleep 0.05
done
for p in $mp1 $mp2; do
	pkill -TERM -P "$p" -x "$(basename "$fwpctl")" || kill -TERM "$p"
	wait "$p" || fail "monitor policy: exit status $?"
done
bg=
has "$tmp/mon.pol" "${stamp}add +filter +[{][0-9a-f-]{36}[}] id $fid\$" "monitor policy: filter added"
has "$tmp/mon.pol" "${stamp}delete +filter +[{][0-9a-f-]{36}[}] id $fid\$" "monitor policy: filter deleted"
has "$tmp/mon.pol" "${stamp}add +sublayer +[{]f7c71e58-0001-0002-0304-05060708090b[}]\$" \
	"monitor policy: sublayer added"
has "$tmp/mon.pol" "${stamp}delete +provider-context +[{][0-9a-f-]{36}[}] id $pcid\$" \
	"monitor policy: provider context deleted"
jq -s -e 'map(select(.key != "'"$probe"'")) |
	map(.change + " " + .object) == ["add provider", "add sublayer", "add provider-context",
		"add filter", "delete filter", "delete provider-context", "delete sublayer",
		"delete provider"]
	and (map(select(.object == "filter")) | all(.id == '"$fid"'))
	and (map(select(.object == "provider")) | all(.key == "'"$prov"'" and (has("id") | not)))' \
	"$tmp/mon.polj" >/dev/null || fail "monitor policy -j: $(cat "$tmp/mon.polj")"
echo "ok: monitor policy"
for args in "filter delete" "filter delete x" "filter delete 1 2" "provider delete" \
	    "provider delete not-a-guid" "provider delete {f7c71e57-0001-0002-0304-05060708090}" \
	    "sublayer delete 12" "provider-context delete" "provider-context delete x" \
	    "sublayer list extra" "provider-context list extra"; do
	# shellcheck disable=SC2086
	run $args
	expect 2 "usage error: fwpctl $args"
done
run filter show x
expect 2 "filter show x"
# Weights are 64-bit: strings, which jq keeps exact.
run -j filter list
jqcheck 'all(.[]; .effective_weight | type == "string" and test("^[0-9]+$"))' \
	"filter list -j: weights are strings of digits"

# --- -s/--socket: no environment needed ----------------------------------
env -u FWP_ENGINE -u FWP_SOCKET "$fwpctl" -s "$sock" -j sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 0 "-s PATH"
jqcheck 'length == 2' "-s PATH: contexts"
env -u FWP_ENGINE -u FWP_SOCKET "$fwpctl" --socket="$sock" sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 0 "--socket=PATH"

# --- another user: reads yes, writes ERROR_ACCESS_DENIED -------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
   setpriv --reuid=65534 --regid=65534 --clear-groups "$fwpctl" help >/dev/null 2>&1; then
	nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$fwpctl" "$@" \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
	}
	nobody -j sa list
	expect 0 "another user: sa list"
	jqcheck 'length == 2' "another user: contexts"
	nobody stats
	expect 0 "another user: stats"
	nobody -j sa counters "$id1"
	expect 0 "another user: sa counters"
	jqcheck '.inbound.live and .outbound.live' "another user: counters"
	nobody sa delete "$id1"
	expect 1 "another user: sa delete"
	has "$tmp/err" '^fwpctl: ERROR_ACCESS_DENIED \(0x00000005\): ' "another user: error name"
	nobody sa expire "$id1"
	expect 1 "another user: sa expire"
	nobody sa flush
	expect 1 "another user: sa flush"
	has "$tmp/err" '^fwpctl: ERROR_ACCESS_DENIED \(0x00000005\): flushing' "another user: sa flush message"
	nobody -j sa list
	jqcheck 'length == 2' "another user: nothing flushed"
else
	echo "skipped: another user (needs root, setpriv, and a build others can run)"
fi

# --- bash completion ----------------------------------------------------
comp=$(cd "$(dirname "$0")/../../contrib/completion" && pwd)/fwpctl.bash
if command -v bash >/dev/null 2>&1; then
	# complete WORDS...: what _fwpctl offers for the last word, sorted, on one line.
	completions() {
		env -u FWP_SOCKET -u FWP_ENGINE PATH="$(dirname "$fwpctl"):$PATH" bash -c '
			. "$1" || exit 1
			shift
			COMP_WORDS=("$@")
			COMP_CWORD=$(($# - 1))
			_fwpctl
			((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sort | tr '\n' ' '
	}
	check_completion() {
		want=$1
		shift
		got=$(completions "$@")
		[ "$got" = "$want" ] || fail "completion of '$*': got '$got', expected '$want'"
	}
	check_completion "callout datapath filter help layer monitor netevent provider provider-context sa sd session stats sublayer " fwpctl ""
	check_completion "sa sd session stats sublayer " fwpctl s
	check_completion "help set show " fwpctl sd ""
	check_completion "engine filter provider provider-context sadb sublayer " fwpctl sd show ""
	check_completion "--json " fwpctl --j
	check_completion "--timeout " fwpctl --t
	check_completion "counters delete expire flush help list show " fwpctl -j sa ""
	check_completion "--count --stats --watch -s peer spi " fwpctl sa list ""
	check_completion "delete help list show " fwpctl filter ""
	check_completion "delete help list " fwpctl provider-context ""
	check_completion "clear help " fwpctl datapath ""
	check_completion "--lock-dir --tun " fwpctl datapath clear ""
	check_completion "--count help net " fwpctl monitor ""
	check_completion "--count " fwpctl monitor net ""
	check_completion "{eebecc03-ced4-4380-819a-2734397b2b74} " \
		fwpctl -s "$sock" sublayer delete "{eebecc03"
	[ "$(completions fwpctl -s "$sock" sublayer delete "" | wc -w)" -eq 18 ] ||
		fail "completion of sublayer delete: not the 18 built-in sublayers"
	check_completion "$(printf '%s\n' "$id1" "$id2" | sort | tr '\n' ' ')" \
		fwpctl -s "$sock" sa show ""
	check_completion "" fwpctl -s "$sock" sa show "$id1" ""
	check_completion "$(printf '%s\n' "$id1" "$id2" | sort | tr '\n' ' ')" \
		fwpctl -s "$sock" sa counters ""
	check_completion "" fwpctl monitor --count ""
	check_completion "callout datapath filter layer monitor netevent provider provider-context sa sd session stats sublayer " fwpctl help ""
	check_completion "help list show " fwpctl callout ""
	[ "$(completions fwpctl -s "$sock" layer show "" | wc -w)" -eq 93 ] ||
		fail "completion of layer show: not the 93 layer ids"
	check_completion "1 10 100 101 102 11 12 13 14 15 16 17 18 19 " \
		fwpctl -s "$sock" layer show 1

	check_completion "collect help list " fwpctl netevent ""
	check_completion "off on " fwpctl netevent collect ""
	echo "ok: bash completion"
else
	echo "skipped: bash completion (no bash)"
fi

# --- sa flush: every context goes -----------------------------------------
run -j sa list
[ "$(jq length "$tmp/out")" -ge 1 ] || fail "sa flush: nothing to flush"
run sa flush
expect 0 "sa flush"
[ -s "$tmp/out" ] && fail "sa flush: printed something"
run -j sa list
jqcheck 'length == 0' "sa list -j after flush"
run sa flush
expect 0 "sa flush of nothing"

# --- --version ---------------------------------------------------------
run --version
expect 0 "--version"
has "$tmp/out" '^fwpctl [0-9]+\.[0-9]+\.[0-9]+$' "--version: fwpctl X.Y.Z"

# --- a daemon that does not answer: status 3 within the timeout -----------
# ms_since START: milliseconds since START (date +%s%N).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
kill -STOP "$pid"
for t in "-t 1" "--timeout=0.5" "env"; do
	t0=$(date +%s%N)
	if [ "$t" = env ]; then
		FWP_TIMEOUT_MS=700 "$fwpctl" sa list >"$tmp/out" 2>"$tmp/err"
		rc=$? want=700
	else
		# shellcheck disable=SC2086
		run $t sa list
		want=1000
		[ "$t" = "-t 1" ] || want=500
	fi
	took=$(ms_since "$t0")
	expect 3 "stopped daemon, $t: exit status" &&
	if [ "$took" -lt $((want / 2)) ] || [ "$took" -gt $((want + 1500)) ]; then
		fail "stopped daemon, $t: took $took ms, timeout ~$want ms"
	else
		echo "ok: stopped daemon, $t: exit 3 after $took ms"
	fi
	has "$tmp/err" "RPC_S_SERVER_UNAVAILABLE .*no answer from $sock" \
		"stopped daemon, $t: message"
done
# The default: a few seconds, not the library's 30.
t0=$(date +%s%N)
run sa list
took=$(ms_since "$t0")
expect 3 "stopped daemon, default timeout"
[ "$took" -ge 4000 ] && [ "$took" -le 7500 ] ||
	fail "stopped daemon, default timeout: took $took ms, expected ~5000"
run -t 0 sa list
expect 2 "--timeout 0"
run -t 3601 sa list
expect 2 "--timeout 3601"
run -t 1s sa list
expect 2 "--timeout 1s"
kill -CONT "$pid"
run -t 1 sa list
expect 0 "the daemon answers again after SIGCONT"

# --- no daemon: status 3 --------------------------------------------------
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] || fail "fwpd: exit status $rc on SIGTERM"
for args in "sa list" "-j sa list" "sa show 1" "sa counters 1" "stats" "monitor"; do
	# shellcheck disable=SC2086
	run $args
	expect 3 "no daemon: fwpctl $args"
	has "$tmp/err" '^fwpctl: EPT_S_NOT_REGISTERED \(0x000006d9\): ' "no daemon: fwpctl $args: message"
done
# A bad variable is named: FWP_DATAPATH is not blamed on FWP_ENGINE.
env FWP_ENGINE=embedded FWP_DATAPATH=bogus "$fwpctl" sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 1 "FWP_DATAPATH=bogus"
has "$tmp/err" '^fwpctl: ERROR_INVALID_PARAMETER .*: FWP_DATAPATH=bogus \(expected tun, xfrm or none\)$' \
	"FWP_DATAPATH=bogus: message"
hasnt "$tmp/err" 'FWP_ENGINE=' "FWP_DATAPATH=bogus: FWP_ENGINE not blamed"
env FWP_ENGINE=bogus "$fwpctl" sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 1 "FWP_ENGINE=bogus"
has "$tmp/err" 'FWP_ENGINE=bogus \(expected service, embedded or auto\)$' "FWP_ENGINE=bogus: message"
# FWP_ENGINE unset: fwpctl still wants the service, not an empty private engine.
env -u FWP_ENGINE "$fwpctl" sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 3 "no daemon, FWP_ENGINE unset"
env -u FWP_ENGINE -u FWP_SOCKET "$fwpctl" -s "$sock" sa list >"$tmp/out" 2>"$tmp/err"
rc=$?
expect 3 "no daemon, -s PATH"
has "$tmp/err" 'EPT_S_NOT_REGISTERED' "no daemon, -s PATH: message"

if [ "$failures" -ne 0 ]; then
	echo "test_fwpctl: $failures check(s) failed" >&2
	exit 1
fi
echo "test_fwpctl: all checks passed"
exit 0
