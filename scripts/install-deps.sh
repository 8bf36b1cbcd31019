#!/bin/sh
# Install the Debian 12 packages the build, tests and benchmarks need.
# Idempotent: does nothing (not even `apt-get update`) when all are present.
# Usage: scripts/install-deps.sh [--with-datapath]
#   --with-datapath  also the datapath's benchmark and interop tools
#                    (iperf3, ethtool, tshark, python3-scapy)
set -eu

PKGS="cmake ninja-build pkgconf gcc clang libclang-rt-14-dev make
libssl-dev libmnl-dev libcmocka-dev libsqlite3-dev jq iproute2"
DATAPATH_PKGS="iperf3 ethtool tshark python3-scapy"

for arg in "$@"; do
	case "$arg" in
	--with-datapath) PKGS="$PKGS $DATAPATH_PKGS" ;;
	*) echo "usage: $0 [--with-datapath]" >&2; exit 2 ;;
	esac
done

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root (or install them) and try again" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether to install dumpcap setuid; answer
# no beforehand so the install never waits for a terminal.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
