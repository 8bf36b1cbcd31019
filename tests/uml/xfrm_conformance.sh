#!/bin/sh
# xfrm_conformance.sh - run inside user-mode Linux (add_uml_test): the
# conformance suite in process with FWP_DATAPATH=xfrm, each binary in a
# namespace of its own, so that every SA the contract installs becomes a
# real XFRM state; at each exit nothing may be left in the kernel.
#   xfrm_conformance.sh TEST...
set -u
[ -n "${UML_GUEST:-}" ] || { echo "xfrm_conformance.sh: not inside UML" >&2; exit 2; }
modprobe -a esp4 esp6 xfrm_user || { echo "FAIL: cannot load the modules"; exit 1; }
export FWP_ENGINE=embedded FWP_DATAPATH=xfrm
rc=0
n=0
for t in "$@"; do
	n=$((n + 1))
	ns=xconf$$-$n
	ip netns add "$ns" || { echo "FAIL: netns"; exit 1; }
	ip -n "$ns" link set lo up
	if ! ip netns exec "$ns" "$t" >"/tmp/xconf-$n.log" 2>&1; then
		echo "FAIL: $t with FWP_DATAPATH=xfrm:"
		grep -v "^\[ *\(RUN\|OK\) " "/tmp/xconf-$n.log" | tail -30
		rc=1
	else
		echo "ok: $(basename "$t"): $(grep -c '^\[       OK \]' "/tmp/xconf-$n.log") tests"
	fi
	s=$(ip -n "$ns" xfrm state | grep -c '^src')
	p=$(ip -n "$ns" xfrm policy | grep -c 'dir \(in\|out\|fwd\)')
	[ "$s$p" = 00 ] || { echo "FAIL: $t left $s states, $p policies"; rc=1; }
	ip netns del "$ns"
done
exit $rc
