#!/bin/sh
# binaries.sh - the build tree runs inside user-mode Linux at its host
# paths: fwpd --version prints there what it prints here, and a
# conformance test (in process: CTest sets FWP_ENGINE=embedded, which the
# guest receives) passes there.
#   binaries.sh FWPD TEST [ARG...]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 FWPD TEST [ARG...]" >&2; exit 2; }
fwpd=$1
shift
# One boot: the version compared inside, then the test in its place.
WANT=$("$fwpd" --version)
export WANT
exec sh "$HERE/uml-run.sh" --timeout "${UML_TIMEOUT:-120}" -- sh -c '
	v=$("$0" --version) || exit 1
	if [ "$v" != "$WANT" ]; then
		echo "FAIL: fwpd --version in UML: \"$v\", on the host: \"$WANT\"" >&2
		exit 1
	fi
	echo "fwpd --version in UML: $v"
	exec "$@"' "$fwpd" "$@"
