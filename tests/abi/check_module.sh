#!/bin/sh
# The in-process datapath is a module: libfwpuclnt links neither OpenSSL
# nor libnftables; the module (fwpuclnt/fwpuclnt-datapath.so beside the
# library) exports one symbol; an installed client finds it relative to the
# installed library, and without it FWP_DATAPATH fails FwpmEngineOpen0
# naming the module, while a client without FWP_DATAPATH never needs it.
# Usage: check_module.sh BUILD_DIR
set -eu
build=$1
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

lib=$build/libfwpuclnt.so.0
mod=$build/fwpuclnt/fwpuclnt-datapath.so
needed=$(objdump -p "$lib" | awk '$1 == "NEEDED" { print $2 }')
case $needed in *libcrypto* | *libssl* | *libnftables*)
	fail "libfwpuclnt needs: $(echo $needed)" ;; esac
echo "ok: libfwpuclnt needs $(echo $needed)"
[ "$(nm -D --defined-only "$mod" | awk '{ print $3 }')" = fwp_datapath_find ] ||
	fail "the module exports more than fwp_datapath_find"
echo "ok: the module exports fwp_datapath_find only"

cmake --install "$build" --prefix "$top/p" >/dev/null
ctl=$top/p/bin/fwpctl
m=$(find "$top/p" -name fwpuclnt-datapath.so)
[ -n "$m" ] || fail "the module is not installed"
case $m in */fwpuclnt/fwpuclnt-datapath.so) ;; *) fail "module at $m" ;; esac
echo "ok: installed at ${m#"$top/p/"}"
# Loaded: whatever the backend says (no ESP, no privileges), it is not
# that the module is missing.
out=$(FWP_ENGINE=embedded FWP_DATAPATH=xfrm "$ctl" stats 2>&1) || true
case $out in *"cannot be loaded"*) fail "installed client did not load the module: $out" ;; esac
echo "ok: the installed client loads the module (FWP_DATAPATH=xfrm: $(echo "$out" | head -1))"
rm "$m"
FWP_ENGINE=embedded "$ctl" stats >/dev/null || fail "no engine without the module"
out=$(FWP_ENGINE=embedded FWP_DATAPATH=tun "$ctl" stats 2>&1) &&
	fail "FWP_DATAPATH=tun without the module opened an engine"
case $out in *"fwpuclnt-datapath.so"*"cannot be loaded"*) ;;
	*) fail "the refusal does not name the module: $out" ;; esac
echo "ok: without the module: $(echo "$out" | grep -m1 'cannot be loaded')"
echo PASS
