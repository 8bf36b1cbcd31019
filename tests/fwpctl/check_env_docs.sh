#!/bin/sh
# check_env_docs.sh - the manual pages name every environment variable the
# library and the programs read, and fwpctl(8) every option fwpctl takes.
# Usage: check_env_docs.sh SOURCE_DIR
set -u
src=$1
man=$src/docs/man
status=0
vars=$(grep -rhoE 'getenv\("FWP_[A-Z_]+"\)' "$src/src/client" "$src/src/fwpctl" "$src/src/common" |
	sed 's/getenv("\(.*\)")/\1/' | sort -u)
[ -n "$vars" ] || { echo "check_env_docs: no FWP_ variable found in the sources" >&2; exit 1; }
for v in $vars; do
	if ! grep -q "^\.B $v\$" "$man/fwpuclnt.7"; then
		echo "check_env_docs: fwpuclnt(7) has no entry for $v" >&2
		status=1
	fi
done
opts=$(sed -n '/longopts\[\] = {/,/};/p' "$src/src/fwpctl/main.c" |
	sed -n 's/.*{ "\([a-z-]*\)".*/\1/p')
[ -n "$opts" ] || { echo "check_env_docs: no fwpctl option found" >&2; exit 1; }
for o in $opts; do
	esc=$(echo "$o" | sed 's/-/\\\\-/g')
	if ! grep -q "^\.BR .*\\\\-\\\\-$esc\\b" "$man/fwpctl.8"; then
		echo "check_env_docs: fwpctl(8) does not describe --$o" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "check_env_docs: $(echo $vars | wc -w) variables, $(echo $opts | wc -w) options documented"
exit $status
