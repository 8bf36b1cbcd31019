#!/bin/sh
# Install the Debian 12 packages the build, tests and benchmarks need.
# Idempotent: does nothing (not even `apt-get update`) when all are present.
# Usage: scripts/install-deps.sh [--with-datapath]
set -eu

PKGS="cmake ninja-build pkgconf gcc clang libclang-rt-14-dev make
libssl-dev libmnl-dev libcmocka-dev libsqlite3-dev jq"

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
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
