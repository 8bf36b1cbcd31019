#!/bin/sh
# scapy_peer.sh - fwpd's datapath against scapy's ESP implementation.
#
# Namespace A runs fwpd --datapath tun and static_keying (transport mode,
# 198.51.100.1 <-> .2, no filters: the unbound SA protects all traffic
# between the two addresses) and a UDP echo server. Namespace B runs no
# fwpd: scapy.layers.ipsec.SecurityAssociation, with the SPIs and keys
# mirrored, is the peer (scapy_peer.py: what it checks is described
# there). Cases: AES-GCM-128 (RFC 4106, 16-byte ICV) and AES-CBC-128 with
# HMAC-SHA-256-128, each as plain ESP (IP protocol 50) and as ESP in UDP
# (RFC 3948, port 4500 both sides) over IPv4 and as plain ESP over IPv6
# (2001:db8:1::1 <-> ::2); AES-GCM-256, AES-CBC-256 with HMAC-SHA-256-128
# and AES-CBC-128 with HMAC-SHA-1-96 as plain ESP over IPv4. The GCM-128
# IPv4 cases also send datagrams larger than fwpd's TUN MTU (--large; one
# known datapath bug there: KNOWN_FAILURES in scapy_peer.py).
#
# Needs root, ethtool and Debian's python3-scapy (with python3-cryptography);
# exits 77, a skip, without them. Environment: SRC, FWPD, KEYING, FWPCTL.
SRC=${SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
. "$SRC/tests/datapath/interop/lib.sh"

need_root_tools ethtool
"$PY" -c 'import scapy.layers.ipsec, cryptography' 2>/dev/null ||
	skip "no scapy with cryptography for $PY (python3-scapy, python3-cryptography)"

ECHO_PORT=7777
WINDOW=64
# TRANSFORM:ENCAPSULATION[:large]; "plain6": plain ESP over IPv6; "large":
# also datagrams larger than the TUN MTU, in fragmented ESP.
CASES="gcm128:plain:large gcm128:natt:large cbc128-sha256:plain
cbc128-sha256:natt gcm128:plain6 cbc128-sha256:plain6 gcm256:plain
cbc256-sha256:plain cbc128-sha1:plain cbc128-md5:plain 3des-md5:natt
auth-md5:plain auth-sha1:plain"

interop_init interop-scapy
start_fwpd a --udp-port 4500 --replay-window $WINDOW
netns_bg "$NSA" "$PY" "$HERE/traffic.py" udp-echo --port $ECHO_PORT

spi=0x10000
for c in $CASES; do
	xf=${c%%:*}
	encap=${c#*:}
	large=
	case "$encap" in
	*:large)
		encap=${encap%:large}
		large=--large
		;;
	esac
	key_sizes "$xf"
	k_in=$(hexkey "$CIPHER_KEY")	# B -> A
	k_out=$(hexkey "$CIPHER_KEY")	# A -> B
	# ESP_AUTH (NULL encryption): static_keying takes no cipher key.
	keys_a="--key-in $k_in --key-out $k_out"
	[ "$CIPHER_KEY" = 0 ] && keys_a=
	auth_a=
	auth_b=
	if [ "$AUTH_KEY" != 0 ]; then
		a_in=$(hexkey "$AUTH_KEY")
		a_out=$(hexkey "$AUTH_KEY")
		auth_a="--auth-key-in $a_in --auth-key-out $a_out"
		auth_b="--auth-key-in $a_out --auth-key-out $a_in"
	fi
	natt_a=
	natt_b=
	family=4
	a=$A4
	b=$B4
	case "$encap" in
	natt)
		natt_a="--natt 4500:4500"
		natt_b="--natt"
		;;
	plain6)
		family=6
		a=2001:db8:1::1
		b=2001:db8:1::2
		;;
	esac
	spi_in=$(printf '0x%08x' $((spi + 1)))
	spi_out=$(printf '0x%08x' $((spi + 2)))
	spi=$((spi + 0x100))

	echo "=== $xf, $encap: A's SPIs in $spi_in out $spi_out"
	# shellcheck disable=SC2086
	start_keying a --quiet --local $a --remote $b --mode transport \
		--spi-in "$spi_in" --spi-out "$spi_out" --transform "$xf" \
		$keys_a $auth_a $natt_a
	# shellcheck disable=SC2086
	if timeout 60 ip netns exec "$NSB" "$PY" "$HERE/scapy_peer.py" \
		--ns-a "$NSA" --fwpctl "$FWPCTL" --socket "$TMP/a.sock" \
		--family $family --transform "$xf" --spi-in "$spi_out" --spi-out "$spi_in" \
		--key-in "${k_out:-}" --key-out "${k_in:-}" $auth_b $natt_b \
		--echo-port $ECHO_PORT --replay-window $WINDOW $large; then
		ok "$xf, $encap: scapy and fwpd agree"
	else
		fail "$xf, $encap: see the lines above"
		ctl a -j stats
		echo
	fi
	stop_keying a
done

stop_fwpd a
finish
