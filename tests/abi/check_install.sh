#!/bin/sh
# Installs the build the way the README says and uses it the way a user
# does, with nothing pointing back into the build tree:
#  - `cmake --install BUILD --prefix DIR`: fwpuclnt.pc names DIR, and a
#    Windows-style client builds with `cc app.c $(pkg-config --cflags --libs
#    fwpuclnt)` from DIR's pkgconfig directory alone, then runs against the
#    in-process engine;
#  - the installed fwpctl and fwpd run without LD_LIBRARY_PATH;
#  - `DESTDIR=STAGE cmake --install BUILD --prefix /usr`: files land under
#    STAGE, and the .pc and the unit name /usr, not STAGE;
#  - the installed unit grants what `fwpd --datapath tun` needs.
# Usage: check_install.sh BUILD_DIR CLIENT_SOURCE...
#   (the clients: tests/abi/windows_client.c and README.md's example)
set -eu
build=$1
shift
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
prefix=$top/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
pcfile=$(find "$prefix" -name fwpuclnt.pc | head -n1)
[ -n "$pcfile" ] || fail "no fwpuclnt.pc installed"
pc() { PKG_CONFIG_PATH=$(dirname "$pcfile") pkg-config "$@" fwpuclnt; }
[ "$(pc --variable=prefix)" = "$prefix" ] ||
	fail "fwpuclnt.pc: prefix=$(pc --variable=prefix), want $prefix"
libdir=$(pc --variable=libdir)
case $libdir in "$prefix"/*) ;; *) fail "libdir $libdir outside $prefix" ;; esac
test -f "$prefix/include/fwpuclnt/fwpmu.h" || fail "no fwpmu.h"
test -e "$libdir/libfwpuclnt.so.0" || fail "no libfwpuclnt.so.0 in $libdir"
case $(pc --cflags) in *"-I$prefix/include/fwpuclnt"*) ;;
	*) fail "cflags $(pc --cflags)" ;; esac

for src in "$@"; do
	# shellcheck disable=SC2046
	cc -std=c11 -Wall -Wextra -Werror -o "$top/client" "$src" \
		$(pc --cflags --libs) -Wl,-rpath,"$libdir"
	FWP_ENGINE=embedded "$top/client" >/dev/null ||
		fail "$(basename "$src") against $prefix"
done

# The installed programs find their library by themselves.
unset LD_LIBRARY_PATH
fwpctl=$prefix/bin/fwpctl
test -x "$fwpctl" || fail "no installed fwpctl"
found=$(ldd "$fwpctl" | sed -n 's/.*libfwpuclnt\.so\.0 => \([^ ]*\) .*/\1/p')
[ -n "$found" ] && [ "$(readlink -f "$found")" = "$(readlink -f "$libdir/libfwpuclnt.so.0")" ] ||
	fail "installed fwpctl does not resolve libfwpuclnt in $libdir: $(ldd "$fwpctl")"
"$fwpctl" --help >/dev/null || fail "installed fwpctl --help"
# With no service, listing says so and exits 3 (no engine), not 127.
st=0
FWP_SOCKET=$top/none.sock "$fwpctl" -s "$top/none.sock" sa list \
	>/dev/null 2>&1 || st=$?
[ "$st" = 3 ] || fail "installed fwpctl with no service exited $st, want 3"
"$prefix/sbin/fwpd" --help >/dev/null || fail "installed fwpd --help"

# Staged install (packagers): paths name the final prefix, not the stage.
stage=$top/stage
DESTDIR=$stage cmake --install "$build" --prefix /usr >/dev/null
spc=$(find "$stage" -name fwpuclnt.pc | head -n1)
grep -qx 'prefix=/usr' "$spc" || fail "staged fwpuclnt.pc: $(grep prefix= "$spc")"
unit=$stage/usr/lib/systemd/system/fwpd.service
[ -f "$unit" ] || unit=$stage/lib/systemd/system/fwpd.service
[ -f "$unit" ] || fail "no fwpd.service staged"
grep -qx 'ExecStart=/usr/sbin/fwpd --foreground $FWPD_OPTS' "$unit" ||
	fail "unit ExecStart: $(grep ExecStart "$unit")"
for want in 'EnvironmentFile=-/etc/default/fwpd' 'LimitNOFILE=65536' \
	'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW'; do
	grep -qx "$want" "$unit" || fail "unit lacks $want"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# Only our own units: verify names what is wrong with them.
	out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v \
		-e 'Command .* is not executable' -e 'not found' || true)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
fi
echo "install: prefix, pkg-config, RPATH, DESTDIR and unit OK"
