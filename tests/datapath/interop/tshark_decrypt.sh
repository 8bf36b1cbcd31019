#!/bin/sh
# tshark_decrypt.sh - two fwpd datapaths talk; Wireshark decrypts the wire.
#
# Namespaces A and B, each with fwpd --datapath tun, static_keying
# (transport mode, 198.51.100.1 <-> .2, SPIs and keys mirrored) and a UDP
# echo server. dumpcap captures B's veth0 while A pings B and UDP datagrams
# with a marker go both ways and come back; then tshark, given the two SAs
# on its command line, decrypts the capture and tshark_check.py compares
# what it finds with what was sent (its header lists the checks). Cases:
# AES-GCM-128 and AES-CBC-128 with HMAC-SHA-256-128, each as plain ESP and
# as ESP in UDP 4500 (which tshark decodes through its udpencap dissector)
# over IPv4, and as plain ESP over IPv6 (2001:db8:1::1 <-> ::2).
#
# Needs root, ethtool, dumpcap and tshark; exits 77, a skip, without them.
# Environment: SRC, FWPD, KEYING, FWPCTL.
SRC=${SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
. "$SRC/tests/datapath/interop/lib.sh"

need_root_tools ethtool dumpcap tshark
[ -x "$PY" ] || skip "no $PY"

ECHO_PORT=7777
SPORT_A=5001
SPORT_B=5002
COUNT=3
# ICMP echo 3x2, UDP 2x3x2: the capture stops at this many IPv4 frames.
FRAMES=$((COUNT * 6))
A6=2001:db8:1::1
B6=2001:db8:1::2
# TRANSFORM:ENCAPSULATION; "plain6": plain ESP over IPv6.
CASES="gcm128:plain gcm128:natt cbc128-sha256:plain cbc128-sha256:natt
gcm128:plain6 cbc128-sha256:plain6"

interop_init interop-tshark
for s in a b; do
	start_fwpd $s --udp-port 4500
	netns_bg "$(ns_of $s)" "$PY" "$HERE/traffic.py" udp-echo --port $ECHO_PORT
done

# traffic FROM TO ARGS...: traffic.py in FROM's namespace; must succeed.
traffic() {
	_from=$1
	shift
	timeout 20 ip netns exec "$(ns_of "$_from")" "$PY" "$HERE/traffic.py" "$@" ||
		fail "traffic.py $* in $_from"
}

spi=0x20000
for c in $CASES; do
	xf=${c%%:*}
	encap=${c#*:}
	key_sizes "$xf"
	k_ab=$(hexkey "$CIPHER_KEY")
	k_ba=$(hexkey "$CIPHER_KEY")
	h_ab=
	h_ba=
	auth_a=
	auth_b=
	if [ "$AUTH_KEY" != 0 ]; then
		h_ab=$(hexkey "$AUTH_KEY")
		h_ba=$(hexkey "$AUTH_KEY")
		auth_a="--auth-key-in $h_ba --auth-key-out $h_ab"
		auth_b="--auth-key-in $h_ab --auth-key-out $h_ba"
	fi
	natt=
	natt_check=
	family=4
	a=$A4
	b=$B4
	# IPv4 only (no ARP), or the two IPv6 hosts without ICMPv6 in clear
	# (neighbour discovery); ICMPv6 echo inside ESP is still captured.
	filter=ip
	case "$encap" in
	natt)
		natt="--natt 4500:4500"
		natt_check=--natt
		;;
	plain6)
		family=6
		a=$A6
		b=$B6
		filter="ip6 host $A6 and ip6 host $B6 and not icmp6"
		;;
	esac
	spi_ab=$(printf '0x%08x' $((spi + 1)))
	spi_ba=$(printf '0x%08x' $((spi + 2)))
	spi=$((spi + 0x100))
	marker="fwp-interop-$xf-$encap"
	cap="$TMP/$xf-$encap.pcapng"

	echo "=== $xf, $encap: SPI A->B $spi_ab, B->A $spi_ba"
	# shellcheck disable=SC2086
	start_keying a --quiet --local $a --remote $b --mode transport \
		--spi-in "$spi_ba" --spi-out "$spi_ab" --transform "$xf" \
		--key-in "$k_ba" --key-out "$k_ab" $auth_a $natt
	# shellcheck disable=SC2086
	start_keying b --quiet --local $b --remote $a --mode transport \
		--spi-in "$spi_ab" --spi-out "$spi_ba" --transform "$xf" \
		--key-in "$k_ab" --key-out "$k_ba" $auth_b $natt

	# dumpcap stops by itself after the expected number of frames, or
	# after 30 s.
	ip netns exec "$NSB" dumpcap -q -i veth0 -f "$filter" -a packets:$FRAMES \
		-a duration:30 -w "$cap" 2>"$TMP/dumpcap.log" &
	dc=$!
	netns_track $dc
	i=0
	until grep -q "^Capturing on" "$TMP/dumpcap.log"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $dc 2>/dev/null; then
			fatal "dumpcap did not start"
		fi
		sleep 0.05
	done

	traffic a ping --dst $b --ident 4660 --count $COUNT --payload "$marker ping"
	traffic a udp-ping --dst $b --port $ECHO_PORT --sport $SPORT_A \
		--count $COUNT --payload "$marker a->b"
	traffic b udp-ping --dst $a --port $ECHO_PORT --sport $SPORT_B \
		--count $COUNT --payload "$marker b->a"

	i=0
	while kill -0 $dc 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 $dc 2>/dev/null; then
		fail "$xf, $encap: the capture did not reach $FRAMES frames in 10 s"
		kill -INT $dc
	fi
	wait $dc

	# shellcheck disable=SC2086
	if "$PY" "$HERE/tshark_check.py" --capture "$cap" --transform "$xf" \
		$natt_check --family $family --spi-ab "$spi_ab" --spi-ba "$spi_ba" \
		--key-ab "$k_ab" --key-ba "$k_ba" \
		--auth-key-ab "$h_ab" --auth-key-ba "$h_ba" \
		--marker "$marker" --count $COUNT --ident 4660 \
		--echo-port $ECHO_PORT --sport-a $SPORT_A --sport-b $SPORT_B; then
		ok "$xf, $encap: tshark decrypts what fwpd sent"
	else
		fail "$xf, $encap: see the lines above"
		tshark -n -r "$cap" 2>/dev/null
	fi
	stop_keying a
	stop_keying b
done

stop_fwpd a
stop_fwpd b
finish
