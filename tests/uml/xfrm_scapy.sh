#!/bin/sh
# xfrm_scapy.sh - run inside user-mode Linux (add_uml_test): scapy's ESP
# (tests/datapath/interop/scapy_peer.sh, its every case and check) against
# fwpd --datapath xfrm: the kernel's ESP keyed through the API, checked by
# an independent implementation.
set -u
[ -n "${UML_GUEST:-}" ] || { echo "xfrm_scapy.sh: not inside UML" >&2; exit 2; }
modprobe -a esp4 esp6 xfrm_user veth || { echo "FAIL: cannot load the modules"; exit 1; }
E2E_DATAPATH=xfrm
export E2E_DATAPATH
exec sh "$SRC/tests/datapath/interop/scapy_peer.sh"
