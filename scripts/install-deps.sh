#!/bin/sh
# Install the Debian 12 packages the build, tests and benchmarks need.
# Idempotent: does nothing (not even `apt-get update`) when all are present.
# Usage: scripts/install-deps.sh [--with-datapath]
#   (default)        the build and test packages; as root also the tools of
#                    the root-only datapath tests (ethtool, tshark, scapy)
#                    and the user-mode Linux kernel of tests/uml (with kmod
#                    for its modules) and the Debian packaging tools
#                    (debhelper, lintian), which otherwise only skip, so a user
#                    without root is told about them but not stopped
#   --with-datapath  those tools required, and the datapath's benchmark
#                    tools too (iperf3)
set -eu

PKGS="cmake ninja-build pkgconf gcc clang libclang-rt-14-dev make
libssl-dev libmnl-dev libnftables-dev libcmocka-dev libsqlite3-dev jq iproute2"
# tests/datapath/interop: scapy's ESP needs python3-cryptography, which
# python3-scapy only recommends (and recommends are not installed here).
# tests/uml: Debian's UML kernel (ESP and XFRM as modules), modprobe.
# tests/packaging: dpkg-buildpackage and lintian on the debian/ directory.
# tests/strongswan: ping; strongSwan's build (contrib/strongswan/build.sh):
# a compiler, dpkg-source, and its archives' compressors.
TEST_PKGS="ethtool tshark python3-scapy python3-cryptography user-mode-linux kmod
debhelper lintian fakeroot dpkg-dev iputils-ping build-essential xz-utils bzip2"
BENCH_PKGS="iperf3"
with_datapath=false

for arg in "$@"; do
	case "$arg" in
	--with-datapath) with_datapath=true ;;
	*) echo "usage: $0 [--with-datapath]" >&2; exit 2 ;;
	esac
done
if $with_datapath; then
	PKGS="$PKGS $TEST_PKGS $BENCH_PKGS"
	TEST_PKGS=
fi

# missing PACKAGE...: those not installed.
missing() {
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
			printf ' %s' "$p"
		fi
	done
}

# shellcheck disable=SC2086
need=$(missing $PKGS)
# shellcheck disable=SC2086
optional=$(missing $TEST_PKGS)

[ -z "$need$optional" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	if [ -n "$optional" ]; then
		echo "install-deps: not installed:$optional (the root-only datapath tests and the UML tests skip without them)" >&2
	fi
	[ -z "$need" ] && exit 0
	echo "install-deps: missing packages:$need" >&2
	echo "install-deps: run as root (or install them) and try again" >&2
	exit 1
fi

echo "install-deps: installing$need$optional"
export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether to install dumpcap setuid; answer
# no beforehand so the install never waits for a terminal.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need $optional
