#!/bin/sh
# setup.sh - the strongSwan tests' CTest fixture: installs the project from
# the build tree under test into a private prefix and builds strongSwan's
# unchanged kernel-wfp plugin against that install (contrib/strongswan/
# build.sh; strongSwan itself comes from its cache). Writes $SW_WORK/env,
# which lib.sh reads; when strongSwan cannot be had here it writes the
# reason to $SW_WORK/skip instead, and every test skips with it.
# Environment (set by CTest): SRC, BUILD, SW_WORK.
set -u
rm -rf "$SW_WORK"
mkdir -p "$SW_WORK"
if [ "$(id -u)" != 0 ]; then
	echo "needs root (network namespaces, TUN, strongSwan's build dependencies)" >"$SW_WORK/skip"
	echo "skipped: $(cat "$SW_WORK/skip")"
	exit 0
fi
cmake --install "$BUILD" --prefix "$SW_WORK/inst" >"$SW_WORK/install.log" 2>&1 || {
	cat "$SW_WORK/install.log"
	echo "FAIL: cmake --install"
	exit 1
}
# An fwpuclnt.pc that names its configured prefix rather than the one it
# was installed to: point it at this install.
pc="$SW_WORK/inst/lib/pkgconfig/fwpuclnt.pc"
grep -q "^prefix=$SW_WORK/inst\$" "$pc" || grep -q '^prefix=${pcfiledir}' "$pc" ||
	sed -i "s|^prefix=.*|prefix=$SW_WORK/inst|" "$pc"
if ! prefix=$(PKG_CONFIG_PATH="$SW_WORK/inst/lib/pkgconfig" \
	"$SRC/contrib/strongswan/build.sh" --plugin-dir "$SW_WORK/plugins" 2>"$SW_WORK/build.log"); then
	cat "$SW_WORK/build.log"
	# The plugin failing against this tree is a failure; strongSwan that
	# cannot be fetched (no mirror, nothing cached) is a skip.
	if grep -q "cannot fetch strongswan\|build failed" "$SW_WORK/build.log"; then
		echo "strongSwan cannot be fetched or built here (see build.log)" >"$SW_WORK/skip"
		echo "skipped: $(cat "$SW_WORK/skip")"
		exit 0
	fi
	echo "FAIL: the kernel-wfp plugin does not build against this tree"
	exit 1
fi
cat "$SW_WORK/build.log"
cat >"$SW_WORK/env" <<EOT
SW_PREFIX=$prefix
FWP_PREFIX=$SW_WORK/inst
SW_PLUGINS=$SW_WORK/plugins
EOT
cat "$SW_WORK/env"
