# lib.sh - the strongSwan tests' common part (sourced; POSIX sh).
#
# Two namespaces A and B joined by veth (198.51.100.1 <-> .2, 2001:db8:1::1
# <-> ::2), each with a protected host address on its loopback (10.0.1.1 /
# fd00:1::1 in A, 10.0.2.1 / fd00:2::1 in B), and a charon in each: with
# the kernel-wfp plugin (strongSwan's Windows backend, unchanged) over this
# project's engine, or stock with kernel-libipsec. The plugin and the
# project's install come from the fixture (setup.sh, $SW_WORK/env).
#
# Each charon runs in its namespace with a private mount namespace (what
# `ip netns exec` gives): a tmpfs over the prefix's run directory (pid
# files) and an overlay that puts the plugin built against the tree under
# test first in charon's plugin directory. Configuration, logs and the
# vici socket of side S are $DIR/S.*. Everything is removed at exit.
# Environment (set by CTest): SRC, SW_WORK.

set -u
PY=/usr/bin/python3
SWTRAFFIC="$SRC/tests/strongswan/traffic6.py"
A4=198.51.100.1
B4=198.51.100.2
A6=2001:db8:1::1
B6=2001:db8:1::2
HA4=10.0.1.1
HB4=10.0.2.1
HA6=fd00:1::1
HB6=fd00:2::1
PSK=0sdGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0

skip() {
	echo "skipped: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	for f in "$DIR"/*.log "$DIR"/*.out; do
		[ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }
	done
	exit 1
}

note() {
	echo "# $*"
}

sw_init() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
	[ -f "$SW_WORK/skip" ] && skip "$(cat "$SW_WORK/skip")"
	[ -f "$SW_WORK/env" ] || fail "no $SW_WORK/env: the fixture strongswan.setup did not run"
	. "$SW_WORK/env"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ -x "$PY" ] || skip "no $PY"
	SWANCTL=$SW_PREFIX/sbin/swanctl
	FWPD=$FWP_PREFIX/sbin/fwpd
	FWPCTL=$FWP_PREFIX/bin/fwpctl
	. "$SRC/scripts/netns.sh"
	netns_init "sw$1"
	DIR=$(mktemp -d)
	chmod 755 "$DIR"
	trap 'sw_cleanup 130' INT
	trap 'sw_cleanup 143' TERM HUP
	trap 'sw_cleanup' EXIT
	netns_add a && NSA=$NETNS_LAST || fail "netns a"
	netns_add b && NSB=$NETNS_LAST || fail "netns b"
	if [ -n "${NAT:-}" ]; then
		sw_nat
	else
		netns_veth "$NSA" "$NSB" || fail "veth"
	fi
	netns_rp_filter "$NSA" 2
	netns_rp_filter "$NSB" 2
	# On lo the plugin's own routes (table 220, through the interface of
	# the source address) cannot be installed; HOST_DEV=veth0 lets them.
	_hd=${HOST_DEV:-lo}
	ip -n "$NSA" addr add $HA4/32 dev "$_hd"
	ip -n "$NSB" addr add $HB4/32 dev "$_hd"
	ip -n "$NSA" addr add $HA6/128 dev "$_hd" nodad
	ip -n "$NSB" addr add $HB6/128 dev "$_hd" nodad
	[ -n "${NAT:-}" ] && return 0
	# Routes to the peer's host addresses for traffic that a policy does
	# not catch (cleartext checks): through the veth.
	ip -n "$NSA" route add $HB4/32 via $B4
	ip -n "$NSB" route add $HA4/32 via $A4
	ip -n "$NSA" -6 route add $HB6/128 via $B6
	ip -n "$NSB" -6 route add $HA6/128 via $A6
}

# sw_nat: A behind a NAT instead of beside B (NAT=1 before sw_init): A
# (192.168.1.1) -- R -- B (198.51.100.2), R masquerading A's IPv4 to
# 198.51.100.254 with random source ports (so NAT-T's ports really change).
# IPv4 only; A4 becomes A's private address.
sw_nat() {
	netns_add r && NSR=$NETNS_LAST || fail "netns r"
	A4=192.168.1.1
	ip -n "$NSA" link add veth0 type veth peer name va netns "$NSR" &&
		ip -n "$NSB" link add veth0 type veth peer name vb netns "$NSR" || fail "veth"
	ip -n "$NSA" addr add $A4/24 dev veth0
	ip -n "$NSR" addr add 192.168.1.254/24 dev va
	ip -n "$NSR" addr add 198.51.100.254/24 dev vb
	ip -n "$NSB" addr add $B4/24 dev veth0
	for _l in "$NSA veth0" "$NSR va" "$NSR vb" "$NSB veth0"; do
		set -- $_l
		ip -n "$1" link set "$2" up
	done
	ip -n "$NSA" route add default via 192.168.1.254
	netns_forwarding "$NSR" 1
	ip netns exec "$NSR" nft -f - <<EON || fail "NAT rules"
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "vb" masquerade random
	}
}
EON
}

sw_cleanup() {
	_rc=$?
	[ $# -gt 0 ] && _rc=$1
	netns_cleanup
	[ -n "${SW_KEEP:-}" ] || rm -rf "$DIR"
	trap - EXIT
	exit $_rc
}

ns_of() {
	[ "$1" = a ] && echo "$NSA" || echo "$NSB"
}

# sw_strongswan_conf SIDE KERNEL: charon's strongswan.conf for SIDE with
# KERNEL (kernel-wfp or kernel-libipsec) loaded before kernel-netlink,
# which still does addresses and routes. kdf: 5.9.8's PRF+ needs it named.
sw_strongswan_conf() {
	cat >"$DIR/$1.conf" <<EOC
charon {
	load = random nonce openssl kdf pem pkcs1 x509 $2 kernel-netlink socket-default vici
	retransmit_timeout = 1
	retransmit_base = 1
	retransmit_tries = 3
	filelog {
		$1 {
			path = $DIR/$1.log
			default = 1
			knl = 2
			ike = 2
			time_format = %H:%M:%S
			flush_line = yes
		}
	}
	plugins {
		vici {
			socket = unix://$DIR/$1.vici
		}
	}
}
EOC
}

# sw_charon SIDE KERNEL [VAR=VALUE...]: charon in SIDE's namespace with
# KERNEL, the variables in its environment (FWP_ENGINE, ...); waits for
# its vici socket.
sw_charon() {
	_s=$1 _k=$2
	shift 2
	sw_strongswan_conf "$_s" "$_k"
	netns_bg "$(ns_of "$_s")" env STRONGSWAN_CONF="$DIR/$_s.conf" "$@" sh -c '
		mount -t tmpfs tmpfs "$1/run" &&
		mount -t overlay overlay -o lowerdir="$2:$1/lib/ipsec/plugins" \
			"$1/lib/ipsec/plugins" &&
		exec "$1/libexec/ipsec/charon"' charon "$SW_PREFIX" "$SW_PLUGINS" \
		>"$DIR/$_s.out" 2>&1
	eval "CHARON_$_s=\$NETNS_LAST_PID"
	_i=0
	while [ ! -S "$DIR/$_s.vici" ]; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && fail "charon $_s did not start"
		sleep 0.05
	done
}

# sw_fwpd SIDE [OPTIONS...]: the installed fwpd --datapath tun in SIDE's
# namespace (private socket $DIR/SIDE.sock and state directory), in its
# default mode as users run it: it detaches once its socket listens, and
# the namespace's cleanup stops it.
sw_fwpd() {
	_s=$1
	shift
	ip netns exec "$(ns_of "$_s")" "$FWPD" \
		--socket "$DIR/$_s.sock" --state-dir "$DIR/$_s.state" --datapath tun "$@" \
		2>"$DIR/fwpd-$_s.log" || fail "fwpd $_s did not start: $(cat "$DIR/fwpd-$_s.log")"
	sw_wait 10 test -S "$DIR/$_s.sock" || fail "fwpd $_s: no socket"
}

# sw_fwpctl SIDE ARGS...: the installed fwpctl against SIDE's fwpd.
sw_fwpctl() {
	_s=$1
	shift
	ip netns exec "$(ns_of "$_s")" "$FWPCTL" \
		--socket "$DIR/$_s.sock" "$@"
}

# sw_fwpd_left SIDE [EXCEPT]: the SA contexts and filters SIDE's fwpd
# holds, without the filters whose line has EXCEPT.
sw_fwpd_left() {
	sw_fwpctl "$1" sa list
	sw_fwpctl "$1" filter list | grep -v "^ *id  \|${2:-^\$}"
}

# sw_ctl SIDE ARGS...: swanctl against SIDE's charon.
sw_ctl() {
	_s=$1
	shift
	ip netns exec "$(ns_of "$_s")" "$SWANCTL" "$@" --uri "unix://$DIR/$_s.vici"
}

# sw_swanctl_conf SIDE: swanctl.conf of SIDE from these variables
# (defaults in brackets): LOCAL_ADDRS, REMOTE_ADDRS [the veth's], FAMILY [4], MODE [tunnel], ENCAP [yes], START
# [none: initiated by swanctl; trap], MOBIKE [no], DPD [0s], REKEY_CHILD
# [0: none], REKEY_IKE [0], LIFE [3600]. Traffic selectors: the two host
# addresses in tunnel mode, the outer addresses in transport mode.
sw_swanctl_conf() {
	_s=$1
	_f=${FAMILY:-4}
	if [ "$_s" = a ]; then
		eval "_me=\$A$_f _peer=\$B$_f _lh=\$HA$_f _rh=\$HB$_f"
	else
		eval "_me=\$B$_f _peer=\$A$_f _lh=\$HB$_f _rh=\$HA$_f"
	fi
	_pl=32
	[ "$_f" = 6 ] && _pl=128
	_mode=${MODE:-tunnel}
	if [ "$_mode" = transport ]; then
		_lts=$_me/$_pl _rts=$_peer/$_pl
	else
		_lts=$_lh/$_pl _rts=$_rh/$_pl
	fi
	cat >"$DIR/$_s-swanctl.conf" <<EOC
connections {
	c {
		version = 2
		local_addrs = ${LOCAL_ADDRS:-$_me}
		remote_addrs = ${REMOTE_ADDRS:-$_peer}
		encap = ${ENCAP:-yes}
		mobike = ${MOBIKE:-no}
		dpd_delay = ${DPD:-0s}
		rekey_time = ${REKEY_IKE:-0}
		proposals = aes128gcm16-prfsha256-ecp256
		local {
			auth = psk
			id = side-$_s
		}
		remote {
			auth = psk
		}
		children {
			c {
				local_ts = $_lts
				remote_ts = $_rts
				esp_proposals = ${ESP:-aes128gcm16}
				mode = $_mode
				rekey_time = ${REKEY_CHILD:-0}
				life_time = ${LIFE:-3600}
				start_action = ${START:-none}
				dpd_action = clear
			}
		}
	}
}
secrets {
	ike {
		secret = $PSK
	}
}
EOC
	sw_ctl "$_s" --load-all --file "$DIR/$_s-swanctl.conf" >"$DIR/$_s-load.out" 2>&1 ||
		fail "swanctl --load-all $_s"
}

# sw_up: A initiates the CHILD_SA c; fails unless it is established.
sw_up() {
	sw_ctl a --initiate --child c --timeout 30 >"$DIR/initiate.out" 2>&1 ||
		fail "initiate: $(tail -3 "$DIR/initiate.out")"
}

# sw_sas SIDE: the installed CHILD_SAs of SIDE, one "spi-in spi-out" a line.
sw_sas() {
	sw_ctl "$1" --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED[^}]*' |
		grep -o 'spi-in=[0-9a-f]* spi-out=[0-9a-f]*' | sed 's/spi-in=//;s/spi-out=//'
}

# sw_gone SIDE: SIDE has no CHILD_SA, and none of the routes a CHILD_SA
# brought (the datapath's table 18000, the plugin's table 220) is left.
sw_gone() {
	[ -z "$(sw_sas "$1")" ] || return 1
	_r=$(ip -n "$(ns_of "$1")" route show table all | grep "table \(18000\|220\)\b")
	_r6=$(ip -n "$(ns_of "$1")" -6 route show table all | grep "table \(18000\|220\)\b")
	[ -z "$_r$_r6" ] || { echo "left: $_r $_r6"; return 1; }
}

# sniff_start SIDE PREFIX...: captures ESP, ESP in UDP and cleartext of the
# PREFIXes on SIDE's veth0 into $DIR/sniff.jsonl (sniff_stop ends it).
sniff_start() {
	_s=$1
	shift
	rm -f "$DIR/sniff.jsonl"
	netns_bg "$(ns_of "$_s")" "$PY" "$SWTRAFFIC" sniff veth0 120 "$DIR/sniff.jsonl" "$@"
	SNIFF_PID=$NETNS_LAST_PID
	sw_wait 5 test -f "$DIR/sniff.jsonl"
	sleep 0.2
}

sniff_stop() {
	sleep 0.3
	netns_kill "$SNIFF_PID"
}

# sniff_count KIND [DIR]: captured packets of KIND (esp, udp, clear).
sniff_count() {
	grep "\"kind\": \"$1\"" "$DIR/sniff.jsonl" | grep -c "${2:-.}"
}

# udp_start FROM TO DST COUNT INTERVAL: a stream of numbered datagrams
# (udp_wait reads what arrived).
udp_start() {
	netns_bg "$(ns_of "$2")" "$PY" "$SWTRAFFIC" recv 9000 3 >"$DIR/recv.json"
	UDP_RECV=$NETNS_LAST_PID
	sleep 0.3
	netns_bg "$(ns_of "$1")" "$PY" "$SWTRAFFIC" send "$3" 9000 "$4" "$5"
	UDP_SEND=$NETNS_LAST_PID
}

# udp_wait COUNT: the stream has ended; fails unless all COUNT arrived.
udp_wait() {
	wait "$UDP_SEND" 2>/dev/null
	wait "$UDP_RECV" 2>/dev/null
	_r=$(cat "$DIR/recv.json")
	[ "$(json_get "$_r" unique)" = "$1" ] || fail "UDP stream: $_r of $1"
	note "UDP stream: all $1 datagrams arrived"
}

# sw_wait SECONDS COMMAND...: until COMMAND succeeds.
sw_wait() {
	_t=$1
	shift
	_i=0
	while ! "$@"; do
		_i=$((_i + 1))
		[ $_i -gt $((_t * 10)) ] && return 1
		sleep 0.1
	done
}

json_get() {
	echo "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# ping_ok SIDE DST SRC [COUNT]: COUNT (3) pings from SRC to DST all answered.
ping_ok() {
	ip netns exec "$(ns_of "$1")" ping -q -c "${4:-3}" -i 0.2 -W 2 -I "$3" "$2" \
		>"$DIR/ping.out" 2>&1
}

# tcp_check FROM TO DST BYTES: BYTES over one TCP connection from side FROM
# to side TO's address DST, checksums compared.
tcp_check() {
	netns_bg "$(ns_of "$2")" "$PY" "$SWTRAFFIC" tcp-sink 5001 10 >"$DIR/sink.json"
	_sp=$NETNS_LAST_PID
	sleep 0.5
	_snd=$(ip netns exec "$(ns_of "$1")" "$PY" "$SWTRAFFIC" tcp-send "$3" 5001 "$4") ||
		fail "tcp-send to $3"
	wait "$_sp" 2>/dev/null
	_rcv=$(cat "$DIR/sink.json")
	[ "$(json_get "$_rcv" bytes)" = "$4" ] || fail "TCP: $_rcv"
	[ "$(json_get "$_rcv" sha256)" = "$(json_get "$_snd" sha256)" ] ||
		fail "TCP checksum: sent $_snd, received $_rcv"
	note "TCP $4 bytes to $3, checksums equal"
}
