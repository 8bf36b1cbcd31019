# netns.sh - network namespaces for tests, demos and benchmarks.
#
# A library to source (POSIX sh; needs root and iproute2):
#
#   . scripts/netns.sh
#   netns_init fwpbench           # prefix "fwpbench-<pid>", cleanup trap
#   netns_add a; A=$NETNS_LAST    # namespace "fwpbench-<pid>-a"
#   netns_add b; B=$NETNS_LAST
#   netns_veth "$A" "$B"          # veth0 <-> veth0, documentation addresses
#   netns_forwarding "$A" 1; netns_rp_filter "$A" 0
#   netns_bg "$B" iperf3 -s; SERVER=$NETNS_LAST_PID   # killed at exit
#   netns_exec "$A" iperf3 -c 198.51.100.2
#
# Everything made through it is undone by netns_cleanup: background
# processes are killed (TERM, then KILL), then the namespaces are deleted
# (with their veth, TUN and routes). netns_init installs it as the trap
# for EXIT, INT, TERM and HUP; a script with its own trap calls
# netns_cleanup from it. Names carry the PID, so parallel runs and
# leftovers of a killed run never collide.

NETNS_PREFIX=
NETNS_LIST=
NETNS_PIDS=
NETNS_LAST=
NETNS_LAST_PID=

# netns_init PREFIX
netns_init() {
	NETNS_PREFIX="${1:-fwp}-$$"
	NETNS_LIST=
	NETNS_PIDS=
	trap netns_cleanup EXIT
	trap 'netns_cleanup; trap - EXIT; exit 130' INT
	trap 'netns_cleanup; trap - EXIT; exit 143' TERM HUP
}

# netns_add SUFFIX: creates "$NETNS_PREFIX-SUFFIX" (in $NETNS_LAST) with
# its loopback up.
netns_add() {
	NETNS_LAST="$NETNS_PREFIX-$1"
	ip netns add "$NETNS_LAST" || return 1
	NETNS_LIST="$NETNS_LAST $NETNS_LIST"
	ip -n "$NETNS_LAST" link set lo up
}

# netns_exec NS COMMAND...: runs COMMAND in NS and waits for it.
netns_exec() {
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

# netns_bg NS COMMAND...: starts COMMAND in NS in the background; its PID
# (the command's own: ip netns exec execs it) is in $NETNS_LAST_PID and it
# is killed at cleanup. Standard output and error go where the caller's go.
netns_bg() {
	_ns=$1
	shift
	ip netns exec "$_ns" "$@" &
	NETNS_LAST_PID=$!
	NETNS_PIDS="$NETNS_LAST_PID $NETNS_PIDS"
}

# netns_track PID: kills PID at cleanup too (a process started otherwise).
netns_track() {
	NETNS_PIDS="$1 $NETNS_PIDS"
}

# netns_kill PID: stops one background process now (TERM, KILL after 2 s).
# Safe under set -e, like netns_cleanup.
netns_kill() {
	kill -TERM "$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 20 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# netns_veth NS_A NS_B [ADDR4_A ADDR4_B [ADDR6_A ADDR6_B]]: a veth pair,
# veth0 in each namespace, up, with addresses (default 198.51.100.1/24,
# .2/24 and 2001:db8:1::1/64, ::2/64; "-" for none).
netns_veth() {
	_a=$1 _b=$2
	_a4=${3:-198.51.100.1/24} _b4=${4:-198.51.100.2/24}
	_a6=${5:-2001:db8:1::1/64} _b6=${6:-2001:db8:1::2/64}
	ip -n "$_a" link add veth0 type veth peer name veth0 netns "$_b" ||
		return 1
	for _side in "$_a $_a4 $_a6" "$_b $_b4 $_b6"; do
		set -- $_side
		ip -n "$1" link set veth0 up
		[ "$2" = - ] || ip -n "$1" addr add "$2" dev veth0
		[ "$3" = - ] || ip -n "$1" addr add "$3" dev veth0 nodad
	done
}

# netns_sysctl NS KEY VALUE: KEY as in /proc/sys, with dots.
netns_sysctl() {
	ip netns exec "$1" sh -c "echo '$3' > /proc/sys/$(echo "$2" | tr . /)"
}

# netns_forwarding NS 0|1: IPv4 and IPv6 forwarding.
netns_forwarding() {
	netns_sysctl "$1" net.ipv4.ip_forward "$2" &&
		netns_sysctl "$1" net.ipv6.conf.all.forwarding "$2"
}

# netns_rp_filter NS 0|1|2: reverse-path filtering, all and default.
netns_rp_filter() {
	netns_sysctl "$1" net.ipv4.conf.all.rp_filter "$2" &&
		netns_sysctl "$1" net.ipv4.conf.default.rp_filter "$2"
}

# netns_cleanup: kills what netns_bg started (and anything else still
# running in the namespaces), deletes the namespaces. Idempotent.
netns_cleanup() {
	for _p in $NETNS_PIDS; do
		netns_kill "$_p"
	done
	NETNS_PIDS=
	# What else runs in them (daemons that left their parent): TERM, a
	# moment to clean up, then KILL.
	_left=
	for _n in $NETNS_LIST; do
		for _p in $(ip netns pids "$_n" 2>/dev/null); do
			kill -TERM "$_p" 2>/dev/null && _left="$_left $_p"
		done
	done
	_i=0
	while [ -n "$_left" ] && [ $_i -lt 20 ]; do
		_still=
		for _p in $_left; do
			kill -0 "$_p" 2>/dev/null && _still="$_still $_p"
		done
		_left=$_still
		[ -n "$_left" ] && sleep 0.05
		_i=$((_i + 1))
	done
	for _n in $NETNS_LIST; do
		for _p in $(ip netns pids "$_n" 2>/dev/null); do
			kill -KILL "$_p" 2>/dev/null || true
		done
		ip netns del "$_n" 2>/dev/null || true
	done
	NETNS_LIST=
}
