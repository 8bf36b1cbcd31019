#!/bin/sh
# check_docs.sh - the hand-written man pages render without a warning, and
# the bash completion parses. Exit 77 (skipped) without man.
# Usage: check_docs.sh PAGE... COMPLETION
set -u
if ! command -v man >/dev/null 2>&1; then
	echo "check_docs: man is not installed" >&2
	exit 77
fi
status=0
for f in "$@"; do
	case $f in
	*.bash)
		bash -n "$f" || status=1
		;;
	*)
		warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		if [ -n "$warnings" ]; then
			echo "check_docs: $f:" >&2
			echo "$warnings" >&2
			status=1
		fi
		;;
	esac
done
exit $status
