#!/bin/sh
# xfrm_refuse.sh - on a kernel without ESP (this build host's, not UML's):
# fwpd --datapath xfrm refuses to start, in its default mode and in the
# foreground, and says what is missing and that --datapath tun is the way
# out; FWP_DATAPATH=xfrm fails FwpmEngineOpen0 in process. Skips where the
# kernel has ESP (there the backend starts: the uml.xfrm tests).
#   Environment: SRC, FWPD, FWPCTL.
set -u
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (a network namespace)"; exit 77; }
. "$SRC/scripts/netns.sh"
netns_init xrefuse
trap 'netns_cleanup; rm -rf "$D"' EXIT
D=$(mktemp -d)
netns_add a && NS=$NETNS_LAST || { echo "FAIL: netns"; exit 1; }
if ip -n "$NS" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
	mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 \
	2>/dev/null; then
	echo "skipped: this kernel has ESP (the refusal needs one without)"
	exit 77
fi
rc=0
for mode in "" --foreground; do
	ip netns exec "$NS" "$FWPD" $mode --socket "$D/s.sock" --state-dir "$D/st" \
		--datapath xfrm >"$D/out" 2>&1
	st=$?
	if [ $st = 0 ] || [ -S "$D/s.sock" ]; then
		echo "FAIL: fwpd ${mode:-(default mode)} --datapath xfrm started without ESP"
		rc=1
	elif ! grep -q "no ESP" "$D/out" || ! grep -q -- "--datapath tun" "$D/out"; then
		echo "FAIL: fwpd ${mode:-(default mode)}: the refusal does not say why:"
		cat "$D/out"
		rc=1
	else
		echo "ok: fwpd ${mode:-(default mode)} --datapath xfrm refused (status $st): $(grep -m1 'no ESP' "$D/out")"
	fi
done
FWP_ENGINE=embedded ip netns exec "$NS" "$FWPCTL" stats >/dev/null 2>&1 ||
	{ echo "FAIL: no in-process engine even without a datapath"; exit 1; }
out=$(FWP_ENGINE=embedded FWP_DATAPATH=xfrm ip netns exec "$NS" "$FWPCTL" stats 2>&1)
if [ $? = 0 ]; then
	echo "FAIL: FWP_DATAPATH=xfrm opened an engine without ESP: $out"
	rc=1
else
	echo "ok: FWP_DATAPATH=xfrm in process: FwpmEngineOpen0 failed"
fi
[ $rc = 0 ] && echo PASS
exit $rc
