#!/bin/sh
# binaries.sh - run inside user-mode Linux (add_uml_test): the build tree
# works there at its host paths. fwpd --version prints the project's
# version, then TEST runs in this script's place (a conformance test in
# process: CTest sets FWP_ENGINE=embedded, which the guest receives).
#   binaries.sh VERSION FWPD TEST [ARG...]
set -eu
[ $# -ge 3 ] || { echo "usage: $0 VERSION FWPD TEST [ARG...]" >&2; exit 2; }
[ -n "${UML_GUEST:-}" ] || { echo "binaries.sh: not inside UML" >&2; exit 2; }
want=$1 fwpd=$2
shift 2
v=$("$fwpd" --version)
case $v in
"fwpd $want "* | "fwpd $want") echo "fwpd --version in UML: $v" ;;
*) echo "FAIL: fwpd --version in UML: \"$v\", not fwpd $want" >&2; exit 1 ;;
esac
[ "${FWP_ENGINE:-}" = embedded ] || {
	echo "FAIL: FWP_ENGINE did not reach the guest" >&2
	exit 1
}
exec "$@"
