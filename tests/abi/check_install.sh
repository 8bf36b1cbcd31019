#!/bin/sh
# Installs the build into a temporary prefix and builds a Windows-style
# client with nothing but `cc app.c $(pkg-config --cflags --libs fwpuclnt)`,
# then runs it against the in-process engine.
# Usage: check_install.sh BUILD_DIR CLIENT_SOURCE
set -eu
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name fwpuclnt.pc | head -n1)")
# The .pc names the configured prefix; point it at the temporary one.
pc() { PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$prefix" "$@" fwpuclnt; }
libdir=$(pc --variable=libdir)
test -f "$prefix/include/fwpuclnt/fwpmu.h"
test -e "$libdir/libfwpuclnt.so.0"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -o "$prefix/client" "$src" \
	$(pc --cflags --libs) \
	-Wl,-rpath,"$libdir"
FWP_ENGINE=embedded "$prefix/client"
