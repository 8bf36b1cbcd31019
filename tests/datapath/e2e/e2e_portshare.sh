#!/bin/sh
# NAT-T port 4500 shared with an IKE daemon (natt_share.h): a stand-in IKE
# daemon binds UDP 4500 in each namespace after fwpd started; IKE messages
# (the non-ESP marker) and NAT keepalives to 4500 reach it, ESP in UDP to
# 4500 reaches the datapath, and the datapath's ESP leaves from port 4500.
. "$SRC/tests/datapath/e2e/lib.sh"
e2e_init ps
e2e_fwpd a
e2e_fwpd b
e2e_pair

# ike PEER: binds 4500, answers each datagram with "ack" + what it got
# (marker kept), counts marker datagrams, keepalives and anything else.
cat >"$DIR/ike.py" <<'PYEOF'
import json, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
s.settimeout(0.2)
peer, sends, idle = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
got = {"ike": 0, "keepalive": 0, "other": 0, "acks": 0}
print("bound", flush=True)
time.sleep(0.5)
for i in range(sends):
    s.sendto(b"\0\0\0\0IKE-%d" % i, (peer, 4500))
    s.sendto(b"\xff", (peer, 4500))
end = time.time() + idle
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    if a[1] != 4500:
        got["other"] += 1
    elif d == b"\xff":
        got["keepalive"] += 1
    elif d.startswith(b"\0\0\0\0ack"):
        got["acks"] += 1
    elif d.startswith(b"\0\0\0\0IKE"):
        got["ike"] += 1
        s.sendto(b"\0\0\0\0ack", a)
    else:
        got["other"] += 1
print(json.dumps(got), flush=True)
PYEOF
netns_bg "$NSA" "$PY" "$DIR/ike.py" $B4 5 3 >"$DIR/ike-a.out" 2>&1
ike_a=$NETNS_LAST_PID
netns_bg "$NSB" "$PY" "$DIR/ike.py" $A4 5 3 >"$DIR/ike-b.out" 2>&1
ike_b=$NETNS_LAST_PID
sleep 0.3
grep -q bound "$DIR/ike-a.out" && grep -q bound "$DIR/ike-b.out" ||
	fail "the IKE daemon could not bind 4500 beside fwpd"
note "IKE stand-ins bound UDP 4500 after fwpd started"

e2e_cmd b "natt on 4500 4500"
e2e_cmd a "natt on 4500 4500"
# Each capture sees what arrives (AF_PACKET for IPv4 only sees incoming).
netns_bg "$NSA" "$PY" "$TRAFFIC" sniff veth0 30 "$DIR/sniff-a.jsonl"
sniff_a=$NETNS_LAST_PID
sniff_start b
r=$(udp_run a b $B4 300 9000)
[ "$(json_get "$r" unique)" = 300 ] || fail "A->B over ESP in UDP: $r"
r=$(udp_run b a $A4 300 9001)
[ "$(json_get "$r" unique)" = 300 ] || fail "B->A over ESP in UDP: $r"
sniff_stop
netns_kill "$sniff_a"
wait "$ike_a" "$ike_b"
for s in a b; do
	g=$(tail -1 "$DIR/ike-$s.out")
	note "IKE stand-in $s: $g"
	[ "$(json_get "$g" ike)" = 5 ] || fail "$s: IKE datagrams lost: $g"
	[ "$(json_get "$g" keepalive)" = 5 ] || fail "$s: keepalives lost: $g"
	[ "$(json_get "$g" acks)" = 5 ] || fail "$s: answers lost: $g"
	[ "$(json_get "$g" other)" = 0 ] || fail "$s: ESP reached the IKE socket: $g"
done
"$PY" - "$DIR/sniff.jsonl" "$DIR/sniff-a.jsonl" <<'PYEOF' || fail "outer ports"
import json, sys
n = bad = 0
seen = []
for f in sys.argv[1:]:
    seen.append(0)
    for l in open(f):
        r = json.loads(l)
        if r["kind"] != "udp":
            continue
        seen[-1] += 1
        ip = bytes.fromhex(r["hex"])
        hl = (ip[0] & 15) * 4
        ports = int.from_bytes(ip[hl:hl + 2], "big"), int.from_bytes(ip[hl + 2:hl + 4], "big")
        bad += ports != (4500, 4500)
print("# ESP in UDP on the wire: A->B %d, B->A %d frames (trains count once), %d not 4500 -> 4500"
      % (seen[0], seen[1], bad))
# GRO and GSO trains are one frame each: some frames each way is enough.
sys.exit(0 if min(seen) >= 30 and bad == 0 else 1)
PYEOF
echo PASS
