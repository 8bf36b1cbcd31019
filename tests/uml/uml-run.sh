#!/bin/sh
# uml-run.sh - runs one command as root inside a user-mode Linux guest.
#
#   tests/uml/uml-run.sh [--mem SIZE] [--timeout SECONDS] [--rw DIR]...
#                        [--keep] -- COMMAND [ARG...]
#
# Boots Debian's UML kernel (/usr/bin/linux.uml, or $UML_KERNEL) with the
# host's / as a read-only root under a throwaway tmpfs overlay, so the
# guest runs the host's binaries (and this build tree) at the same paths
# and writes only to memory. COMMAND runs there as root, in the caller's
# working directory, with the caller's exported environment; its standard
# output and error are copied to ours when the guest stops, and its exit
# status is ours. --rw DIR shares a host directory read-write at the same
# path (results that must survive the guest). The guest kernel has ESP,
# XFRM, veth, TUN and nf_tables as modules (modprobe, or autoloaded).
#
# Exit status: COMMAND's; 124 when --timeout (default 120 s) ran out
# (every UML process is killed); 125 when the guest did not run COMMAND;
# 77, a skip, with the reason on stderr, only when UML cannot start on
# this machine (not installed, no room for its memory, a host that
# forbids what it needs). UML runs with uml_xstate.so preloaded (see
# uml_xstate.c): $UML_XSTATE names a built one, else it is compiled into
# the run's directory. Each run has its own directory (UML's umid and
# uml_dir included), so runs may go in parallel. UML_RUN_VERBOSE=1 copies
# the guest's console to stderr. Inside, UML_GUEST=1 is set, so that a test
# script can run itself through this one:
#   [ -n "${UML_GUEST:-}" ] || exec sh tests/uml/uml-run.sh -- sh "$0" "$@"
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
mem=512M
timeout=120
keep=false
rw=
net=

usage() {
	echo "usage: $0 [--mem SIZE] [--timeout SECONDS] [--rw DIR]... [--net TAP] [--keep] -- COMMAND [ARG...]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--rw) [ $# -ge 2 ] || usage; rw="$rw$(cd "$2" && pwd)
"; shift 2 ;;
	--net) [ $# -ge 2 ] || usage; net="vec0:transport=tap,ifname=$2"; shift 2 ;;
	--keep) keep=true; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -ge 1 ] || usage
case $timeout in '' | *[!0-9]*) usage ;; esac
case $mem in '' | *[!0-9KMG]*) usage ;; esac

skip() {
	echo "uml-run: SKIP: $*" >&2
	exit 77
}

# q WORD: WORD quoted for sh (the dot keeps trailing newlines).
q() {
	_v=$(printf '%s.' "$1" | sed "s/'/'\\\\''/g")
	printf "'%s'" "${_v%.}"
}

# What UML needs before it can start.
UML=${UML_KERNEL:-/usr/bin/linux.uml}
[ -x "$UML" ] ||
	skip "no UML kernel $UML (Debian package user-mode-linux: scripts/install-deps.sh --with-datapath)"
kver=$("$UML" --version 2>/dev/null) || skip "$UML --version failed"
[ -d "/usr/lib/uml/modules/$kver" ] ||
	skip "no modules for UML kernel $kver in /usr/lib/uml/modules"
for t in modprobe insmod; do
	PATH=$PATH:/usr/sbin:/sbin command -v $t >/dev/null ||
		skip "no $t (Debian package kmod)"
done
# UML's memory is a file in its $TMPDIR (set below); sparse, but the
# guest's touched pages and its tmpfs overlay live there.
memdir=
for d in /dev/shm /tmp; do
	if [ -d $d ] && [ -w $d ]; then
		avail=$(df -Pk $d | awk 'NR == 2 { print $4 }')
		if [ "${avail:-0}" -ge 131072 ]; then
			memdir=$d
			break
		fi
	fi
done
[ -n "$memdir" ] || skip "no writable /dev/shm or /tmp with 128 MiB free for UML's memory"

RUN=
pid=
wd=

# reap: kills what this run started (the whole UML process group, the
# watchdog) and removes its directory. Safe to call twice.
reap() {
	if [ -n "$wd" ]; then
		kill -TERM "$wd" 2>/dev/null || :
		wait "$wd" 2>/dev/null || :
		wd=
	fi
	if [ -n "$pid" ]; then
		kill -s KILL -- "-$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		# Every process of the group, not only the one we waited for.
		i=0
		while kill -s 0 -- "-$pid" 2>/dev/null && [ $i -lt 50 ]; do
			kill -s KILL -- "-$pid" 2>/dev/null || :
			sleep 0.1
			i=$((i + 1))
		done
		pid=
	fi
	if [ -z "$RUN" ]; then
		:
	elif $keep; then
		echo "uml-run: kept $RUN" >&2
	else
		rm -rf "$RUN"
	fi
}
trap 'reap' EXIT
trap 'reap; trap - EXIT; exit 130' INT
trap 'reap; trap - EXIT; exit 143' TERM HUP

base=${TMPDIR:-/tmp}
case $base in *[!A-Za-z0-9/._-]*) base=/tmp ;; esac
RUN=$(mktemp -d "$base/uml-run.XXXXXX")
S=$RUN/share
mkdir "$S" "$RUN/mnt" "$RUN/uml"
umid=uml-run-$$-$(basename "$RUN" | cut -d. -f2)
shim=${UML_XSTATE:-}
if [ -z "$shim" ]; then
	shim=$RUN/uml_xstate.so
	${CC:-cc} -O2 -shared -fPIC -o "$shim" "$HERE/uml_xstate.c" ||
		{ echo "uml-run: cannot build $HERE/uml_xstate.c" >&2; exit 125; }
fi
printf '%s' "$rw" > "$S/rw"

# The command script: the caller's environment, directory and command.
{
	echo "#!/bin/sh"
	(unset PWD OLDPWD SHLVL UML_GUEST; export -p)
	echo "export UML_GUEST=1"
	echo "cd $(q "$(pwd)") || exit 125"
	printf 'exec'
	for a in "$@"; do
		printf ' %s' "$(q "$a")"
	done
	echo
} > "$S/cmd.sh"

# setsid: UML and every process it forks form one process group, which
# reap kills at once (pid = pgid, since a background job of a
# non-interactive shell is not a group leader and setsid does not fork).
TMPDIR=$memdir LD_PRELOAD=$shim setsid "$UML" \
	"umid=$umid" "uml_dir=$RUN/uml" "mem=$mem" \
	root=/dev/root rootfstype=hostfs rootflags=/ ro \
	"init=$HERE/uml-init.sh" "UML_RUN=$RUN" \
	con=null con0=fd:0,fd:1 ssl=null quiet ${net:+"$net"} \
	< /dev/null > "$RUN/console" 2>&1 &
pid=$!

# The watchdog: after $timeout seconds, marks the run and kills the group;
# and if this script dies without its traps (SIGKILL, as a test driver's
# timeout may send), kills the group and removes the directory too.
parent=$$
(
	trap 'kill $s 2>/dev/null; exit 0' TERM
	t=0
	while [ $t -lt "$timeout" ] && kill -s 0 "$parent" 2>/dev/null; do
		sleep 1 &
		s=$!
		wait $s
		t=$((t + 1))
	done
	[ $t -lt "$timeout" ] || : > "$RUN/timed-out"
	kill -s KILL -- "-$pid" 2>/dev/null
	kill -s 0 "$parent" 2>/dev/null || $keep || rm -rf "$RUN"
) &
wd=$!

uml_status=0
{ wait "$pid"; } 2>/dev/null || uml_status=$?
kill -TERM "$wd" 2>/dev/null || :
wait "$wd" 2>/dev/null || :
wd=

[ "${UML_RUN_VERBOSE:-0}" = 1 ] && sed 's/^/uml-console: /' "$RUN/console" >&2
[ -f "$S/stdout" ] && cat "$S/stdout"
[ -f "$S/stderr" ] && cat "$S/stderr" >&2

if [ -f "$RUN/timed-out" ]; then
	echo "uml-run: timed out after $timeout s: killed the guest" >&2
	exit 124
fi
if [ -f "$S/status" ]; then
	exit "$(cat "$S/status")"
fi
if ! grep -q '^uml-init: started' "$RUN/console"; then
	# UML stopped before the guest's first process ran: its host-side
	# checks failed (ptrace, memory file, ...), so UML cannot run here;
	# unless the kernel itself said why it stopped.
	if ! grep -q -E 'Kernel panic|Failed to execute|No working init' \
		"$RUN/console"; then
		tail -n 5 "$RUN/console" >&2
		skip "UML kernel $kver did not start on this host (exit $uml_status)"
	fi
fi
echo "uml-run: the guest stopped without running the command (UML exit $uml_status); its console:" >&2
tail -n 30 "$RUN/console" >&2
exit 125
