#!/bin/sh
# build.sh - strongSwan from Debian's source package, with its Windows
# backend (the charon plugin kernel-wfp) built from its unchanged sources
# against the installed fwpuclnt.
#
#   contrib/strongswan/build.sh            # prints the strongSwan prefix
#   contrib/strongswan/build.sh --plugin-dir DIR
#   contrib/strongswan/build.sh --prepare  # strongSwan only (CI, before
#                                          # the project is built)
#
# With --plugin-dir the plugin goes to DIR (created) instead of charon's
# plugin directory of the cached prefix, which is shared by every build
# on the machine: a test suite puts its own plugin, built against the tree
# under test, first in charon's search with an overlay mount (see
# tests/strongswan/lib.sh) and leaves the cache untouched.
#
# strongSwan itself is built once and cached: under $FWP_CACHE (default
# /var/cache/fwpuclnt), in a directory named after its version and a hash
# of this script, so it is rebuilt only when either changes. The plugin
# (three files) is rebuilt every run against whatever `pkg-config fwpuclnt`
# finds (set PKG_CONFIG_PATH for a private install), with -DFWPUCLNT_MINGW_COMPAT
# and the small windows.h / winsock2.h of shim/, and installed into
# charon's plugin directory of that prefix as libstrongswan-kernel-wfp.so.
#
# The source is fetched with apt through a private source list (kept in
# the cache directory); the system's apt configuration is left alone.
# Needs root to install build dependencies (apt-get) on first use.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${FWP_CACHE:-/var/cache/fwpuclnt}
SUITE=${STRONGSWAN_SUITE:-bookworm}
MIRROR=${STRONGSWAN_MIRROR:-http://deb.debian.org/debian}
JOBS=${JOBS:-$(nproc)}

# charon with what the tests and docs use: IKEv2, swanctl/vici, OpenSSL,
# kernel-libipsec for a stock peer without kernel ESP; kernel-netlink stays
# (addresses, routes). kdf: 5.9.8's PRF+ needs it named in load lists.
CONFIGURE_OPTS="--enable-kernel-libipsec --enable-swanctl --enable-vici \
--enable-openssl --enable-kdf --disable-stroke --disable-gmp --disable-ikev1 \
--disable-scepclient --disable-pki --disable-charon-cmd --disable-updown"

log() { echo "strongswan: $*" >&2; }

need_pkgs() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing$missing"
	apt-get update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
}

apt_opts() {
	echo -o Dir::Etc::sourcelist="$CACHE/apt/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$CACHE/apt/lists" \
		-o Dir::Cache="$CACHE/apt/cache"
}

apt_private() {
	apt-get -o Dir::Etc::sourcelist="$CACHE/apt/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$CACHE/apt/lists" \
		-o Dir::Cache="$CACHE/apt/cache" "$@"
}

# Prints the version of Debian's strongswan source package.
fetch_version() {
	mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main" \
		>"$CACHE/apt/sources.list"
	apt_private -qq update >&2 || return 1
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) showsrc strongswan 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1
}

build_strongswan() {
	_ver=$1 _dir=$2
	need_pkgs build-essential dpkg-dev pkgconf libssl-dev xz-utils bzip2
	rm -rf "$_dir.tmp"
	mkdir -p "$_dir.tmp/src"
	log "fetching strongswan $_ver"
	(cd "$_dir.tmp/src" && apt_private -qq source --download-only "strongswan=$_ver" >&2 &&
		dpkg-source -x --no-check ./*.dsc tree >&2)
	log "building strongswan $_ver (cached afterwards in $_dir)"
	(cd "$_dir.tmp/src/tree" &&
		./configure --prefix="$_dir" --sysconfdir="$_dir/etc" \
			--with-piddir="$_dir/run" $CONFIGURE_OPTS >"$_dir.tmp/configure.log" 2>&1 &&
		make -j"$JOBS" >"$_dir.tmp/make.log" 2>&1) || {
		log "build failed: see $_dir.tmp/*.log"
		return 1
	}
	# The prefix is the final directory: install there, then keep the
	# built tree (the plugin compiles against its headers and config.h).
	rm -rf "$_dir"
	(cd "$_dir.tmp/src/tree" && make install >"$_dir.tmp/install.log" 2>&1)
	mv "$_dir.tmp/src/tree" "$_dir/src"
	mv "$_dir.tmp"/*.log "$_dir/"
	rm -rf "$_dir.tmp"
	touch "$_dir/.complete"
}

build_plugin() {
	_dir=$1 _outdir=$2
	_src=$_dir/src
	_pdir=$_src/src/libcharon/plugins/kernel_wfp
	mkdir -p "$_outdir"
	_out=$_outdir/libstrongswan-kernel-wfp.so
	pkg-config --exists fwpuclnt || {
		log "pkg-config finds no fwpuclnt: install the project first"
		return 1
	}
	log "building kernel-wfp against fwpuclnt $(pkg-config --modversion fwpuclnt)"
	# shellcheck disable=SC2046
	cc -shared -fPIC -O2 -g -o "$_out.tmp" \
		-DHAVE_CONFIG_H -DFWPUCLNT_MINGW_COMPAT -include "$_src/config.h" \
		-include windows.h -I"$HERE/shim" \
		-I"$_src/src/libstrongswan" -I"$_src/src/libcharon" \
		$(pkg-config --cflags fwpuclnt) \
		"$_pdir/kernel_wfp_plugin.c" "$_pdir/kernel_wfp_ipsec.c" \
		"$_pdir/kernel_wfp_compat.c" \
		-L"$_dir/lib/ipsec" -Wl,-rpath,"$_dir/lib/ipsec" -lstrongswan -lcharon \
		-Wl,-rpath,"$(pkg-config --variable=libdir fwpuclnt)" \
		$(pkg-config --libs fwpuclnt) -ldl \
		-Wno-pointer-sign -Wno-deprecated-declarations 2>"$_out.log" || {
		cat "$_out.log" >&2
		return 1
	}
	rm -f "$_out.log"
	mv "$_out.tmp" "$_out"
}

plugin_dir=
prepare=false
case "${1:-}" in
--plugin-dir) plugin_dir=${2:?--plugin-dir needs a directory} ;;
--prepare) prepare=true ;;
"") ;;
*) log "usage: $0 [--plugin-dir DIR | --prepare]"; exit 2 ;;
esac

mkdir -p "$CACHE"
key=$(echo "$CONFIGURE_OPTS" | sha256sum | cut -c1-12)
if ver=$(fetch_version) && [ -n "$ver" ]; then
	dir="$CACHE/strongswan-$ver-$key"
	[ -e "$dir/.complete" ] || build_strongswan "$ver" "$dir"
else
	# No mirror: the newest complete build of this script, if any.
	dir=$(ls -d "$CACHE"/strongswan-*-"$key" 2>/dev/null | sort -V | while read -r d; do
		[ -e "$d/.complete" ] && echo "$d"; done | tail -n 1)
	[ -n "$dir" ] || { log "cannot fetch strongswan and nothing is cached"; exit 1; }
	log "no mirror: using the cached $dir"
fi
$prepare || build_plugin "$dir" "${plugin_dir:-$dir/lib/ipsec/plugins}"
echo "$dir"
