#!/bin/sh
# The in-process engine with the datapath (FWP_ENGINE=embedded
# FWP_DATAPATH=tun): the keying module in A carries its own engine and
# datapath, no fwpd; B runs fwpd. UDP both ways, ESP on the wire, NAT-T
# switched on in the middle; at exit A's routing rules are gone.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init ip
e2e_fwpd b

# A datapath asked for and not had fails FwpmEngineOpen0, with a reason.
args="--local $A4 --remote $B4 --spi-in 1 --spi-out 2 --key-in $KEY_BA --key-out $KEY_AB"
out=$(FWP_ENGINE=embedded FWP_DATAPATH=bogus "$KEYING" $args </dev/null 2>&1) &&
	fail "FWP_DATAPATH=bogus accepted"
echo "$out" | grep -q "ERROR_INVALID_PARAMETER" || fail "FWP_DATAPATH=bogus: $out"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	out=$(FWP_ENGINE=embedded FWP_DATAPATH=tun setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=-all "$KEYING" $args </dev/null 2>&1) &&
		fail "FWP_DATAPATH=tun accepted without privileges"
	echo "$out" | grep -q "ERROR_ACCESS_DENIED" || fail "unprivileged: $out"
fi

mkfifo "$DIR/a.in"
FWP_ENGINE=embedded FWP_DATAPATH=tun ip netns exec "$NSA" "$KEYING" --local $A4 \
	--remote $B4 --spi-in $SPI_BA --spi-out $SPI_AB --key-in $KEY_BA \
	--key-out $KEY_AB <"$DIR/a.in" >"$DIR/a.out" 2>&1 &
apid=$!
netns_track $apid
exec 7>"$DIR/a.in"
e2e_wait_line a '^ready' 5 || fail "in-process keying module not ready"
e2e_keying b --local $B4 --remote $A4 --spi-in $SPI_AB --spi-out $SPI_BA \
	--key-in $KEY_AB --key-out $KEY_BA
ip -n "$NSA" link show fwp0 >/dev/null || fail "no TUN in A"
ip -n "$NSA" rule | grep -q "lookup 18000" || fail "no steering rule in A"

sniff_start b
r=$(udp_run a b $B4 300)
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B: $r"
e2e_cmd b "natt on 4500 4500"
e2e_cmd a "natt on 4500 4500"
r=$(udp_run a b $B4 300)
sniff_stop
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B after NAT-T on: $r"
s=$(seq_check $SPI_AB) || fail "sequence: $s"
# (The capture may miss a packet under load; the receiver counted all.)
case "$s" in
*" esp,udp") ;;
*) fail "on the wire: $s" ;;
esac
r=$(udp_run b a $A4 300)
[ "$(json_get "$r" unique)" = 300 ] || fail "B->A: $r"
note "in-process datapath: 600 datagrams out ($s), 300 in"

e2e_cmd a quit
i=0
while kill -0 $apid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 $apid 2>/dev/null && fail "the keying module did not exit"
ip -n "$NSA" rule | grep -q "lookup 18000" && fail "steering rule left after exit"
ip -n "$NSA" link show fwp0 >/dev/null 2>&1 && fail "TUN left after exit"
echo PASS
