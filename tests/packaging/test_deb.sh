#!/bin/sh
# test_deb.sh - the Debian packages: built from a copy of the source tree
# with `dpkg-buildpackage -b -us -uc`, checked by lintian (no error) and by
# their contents; then, as root and only when none of them is installed
# already, installed with dpkg, fwpd started the way its unit starts it
# (ExecStart with FWPD_OPTS from an EnvironmentFile, the unit's capability
# bounding set, Type=notify readiness), used by the installed fwpctl and by
# a client built with the installed pkg-config file, stopped, and purged.
# No network namespace, no TUN: the datapath is not started.
#
# Usage: test_deb.sh SOURCE_DIR      Exit 77 (skip) without the tools.
# Takes minutes (a release build): label "packaging".
set -u
src=$1
for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v $t >/dev/null 2>&1 || { echo "test_deb: skipped: no $t (apt-get install debhelper lintian fakeroot)"; exit 77; }
done
tmp=$(mktemp -d)
pid=
installed=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$installed" ] && dpkg --purge fwpd libfwpuclnt-dev libfwpuclnt0 >/dev/null 2>&1
	[ -n "$installed" ] && [ -n "${made_group:-}" ] && groupdel fwpd 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# --- build, from a copy without build trees ------------------------------
mkdir "$tmp/src"
(cd "$src" && tar --exclude=./build --exclude=./.git --exclude='./obj-*' -cf - .) |
	(cd "$tmp/src" && tar -xf -) || { echo "test_deb: copying the tree failed" >&2; exit 1; }
if ! (cd "$tmp/src" && dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1); then
	tail -40 "$tmp/build.log" >&2
	echo "FAIL: dpkg-buildpackage -b -us -uc" >&2
	exit 1
fi
ok "dpkg-buildpackage -b -us -uc"
ver=$(cd "$tmp/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in libfwpuclnt0 libfwpuclnt-dev fwpd; do
	[ -f "$tmp/${p}_${ver}_${arch}.deb" ] || fail "no package $p"
done

# --- lintian: no error ----------------------------------------------------
lintian --no-tag-display-limit "$tmp"/*.changes >"$tmp/lintian.log" 2>&1
if grep -q '^E: ' "$tmp/lintian.log"; then
	fail "lintian errors: $(grep '^E: ' "$tmp/lintian.log")"
else
	ok "lintian: no error ($(grep -c '^W: ' "$tmp/lintian.log") warnings)"
fi

# --- contents ---------------------------------------------------------------
contents() { dpkg-deb -c "$tmp/${1}_${ver}_${arch}.deb" | awk '{ print $6 }' | sed 's|^\./|/|'; }
has() { contents "$1" | grep -qx -- "$2" || fail "$1 lacks $2"; }
has libfwpuclnt0 "/usr/lib/$multi/libfwpuclnt.so.0"
has libfwpuclnt-dev "/usr/lib/$multi/libfwpuclnt.so"
has libfwpuclnt-dev "/usr/lib/$multi/pkgconfig/fwpuclnt.pc"
has libfwpuclnt-dev /usr/include/fwpuclnt/fwpmu.h
has libfwpuclnt-dev /usr/share/man/man7/fwpuclnt.7.gz
for f in /usr/sbin/fwpd /usr/bin/fwpctl /lib/systemd/system/fwpd.service \
	 /lib/systemd/system/fwpd.socket /usr/lib/sysusers.d/fwpd.conf \
	 /usr/lib/tmpfiles.d/fwpd.conf /etc/default/fwpd /usr/share/man/man8/fwpd.8.gz \
	 /usr/share/man/man8/fwpctl.8.gz /usr/share/bash-completion/completions/fwpctl; do
	has fwpd "$f"
done
dpkg-deb -x "$tmp/fwpd_${ver}_${arch}.deb" "$tmp/x"
readelf -d "$tmp/x/usr/bin/fwpctl" | grep -Eq 'RPATH|RUNPATH' && fail "packaged fwpctl has an RPATH"
ok "package contents"

if [ "$(id -u)" != 0 ]; then
	echo "skipped: install, start, remove (needs root)"
	[ $failures = 0 ]
	exit $?
fi
if dpkg -s fwpd libfwpuclnt0 libfwpuclnt-dev >/dev/null 2>&1 ||
   dpkg -l fwpd libfwpuclnt0 libfwpuclnt-dev 2>/dev/null | grep -q '^[hi]i'; then
	echo "skipped: install, start, remove (the packages are installed on this system)"
	[ $failures = 0 ]
	exit $?
fi

# --- install -----------------------------------------------------------------
getent group fwpd >/dev/null || made_group=1
installed=1
if ! dpkg -i "$tmp/libfwpuclnt0_${ver}_${arch}.deb" "$tmp/libfwpuclnt-dev_${ver}_${arch}.deb" \
	"$tmp/fwpd_${ver}_${arch}.deb" >"$tmp/dpkg.log" 2>&1; then
	cat "$tmp/dpkg.log" >&2
	fail "dpkg -i"
	exit 1
fi
ok "dpkg -i"
getent group fwpd >/dev/null || fail "no fwpd group after installing (sysusers)"
[ -d /var/lib/fwpd ] || fail "no /var/lib/fwpd after installing (tmpfiles)"
ldconfig -p | grep -q "libfwpuclnt.so.0 .*=> .*/$multi/libfwpuclnt.so.0" ||
	fail "ldconfig does not know libfwpuclnt.so.0"

# --- fwpd as its unit starts it ------------------------------------------------
unit=/lib/systemd/system/fwpd.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_\([a-z_]*\)/+\1/g; s/ /,/g')
envfile=$(sed -n 's/^EnvironmentFile=-//p' "$unit")
[ "$envfile" = /etc/default/fwpd ] || fail "unit EnvironmentFile: $envfile"
# The operator's options file, pointed at a private socket and state.
sed 's|^FWPD_OPTS=.*|FWPD_OPTS="--socket '"$tmp"'/fwpd.sock --state-dir '"$tmp"'/state"|' \
	/etc/default/fwpd >"$tmp/default"
grep -q '^FWPD_OPTS=' "$tmp/default" || fail "/etc/default/fwpd has no FWPD_OPTS line"
. "$tmp/default"
cmd=$(echo "$exec_start" | sed "s|\\\$FWPD_OPTS|$FWPD_OPTS|")
/usr/bin/python3 - "$tmp/notify.sock" >"$tmp/notify.log" 2>&1 <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
try:
    while True:
        msg = s.recv(4096).decode()
        print(msg, flush=True)
        if "READY=1" in msg:
            break
except socket.timeout:
    print("timeout", flush=True)
PYEOF
notify=$!
i=0
while [ ! -S "$tmp/notify.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
# shellcheck disable=SC2086
NOTIFY_SOCKET=$tmp/notify.sock setpriv --bounding-set=-all,$caps $cmd 2>"$tmp/fwpd.log" &
pid=$!
wait $notify
if ! grep -q READY=1 "$tmp/notify.log"; then
	fail "fwpd did not report READY=1: $(cat "$tmp/notify.log" "$tmp/fwpd.log")"
	exit 1
fi
grep -Eq "^CapBnd:\s+0+3000$" /proc/$pid/status ||
	fail "fwpd's bounding set is not CAP_NET_ADMIN and CAP_NET_RAW: $(grep CapBnd /proc/$pid/status)"
ok "fwpd started as the unit starts it: $cmd (bounding set $caps)"
n0=$failures
/usr/bin/fwpctl -s "$tmp/fwpd.sock" -j stats >"$tmp/stats.json" || fail "installed fwpctl stats"
jq -e '.sas.active_sas == 0' "$tmp/stats.json" >/dev/null || fail "stats: $(cat "$tmp/stats.json")"
/usr/bin/fwpctl -s "$tmp/fwpd.sock" sa list >/dev/null || fail "installed fwpctl sa list"
# The README's example, built with the installed pkg-config file, against fwpd.
"$src/tests/examples/extract_readme.sh" "$src/README.md" "$tmp/app.c" || fail "README example"
# shellcheck disable=SC2046
cc -o "$tmp/app" "$tmp/app.c" $(pkg-config --cflags --libs fwpuclnt) || fail "building against the installed package"
FWP_ENGINE=service FWP_SOCKET=$tmp/fwpd.sock "$tmp/app" >/dev/null || fail "README example against the packaged fwpd"
[ $failures = $n0 ] && ok "installed fwpctl and a client of the installed library"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || fail "fwpd: exit status $rc on SIGTERM"

# --- remove --------------------------------------------------------------------
if ! dpkg --purge fwpd libfwpuclnt-dev libfwpuclnt0 >"$tmp/dpkg.log" 2>&1; then
	cat "$tmp/dpkg.log" >&2
	fail "dpkg --purge"
fi
installed=
for f in /usr/sbin/fwpd /usr/bin/fwpctl "/usr/lib/$multi/libfwpuclnt.so.0" /etc/default/fwpd \
	 /lib/systemd/system/fwpd.service; do
	[ -e "$f" ] && fail "$f left after purge"
done
ldconfig -p | grep -q libfwpuclnt && fail "ldconfig still lists libfwpuclnt"
[ -n "${made_group:-}" ] && groupdel fwpd 2>/dev/null
ok "dpkg --purge"
[ $failures = 0 ] || { echo "test_deb: $failures check(s) failed" >&2; exit 1; }
echo "test_deb: all checks passed"
