"""xfrm_probe.py - the wire and socket side of the kernel ESP tests that run
inside user-mode Linux (standard library only; run with /usr/bin/python3).

  wire IFACE OUT          counts the frames on IFACE by kind until SIGTERM,
                          then writes them to OUT as JSON: esp (IP protocol
                          50, v4 or v6), espinudp (UDP port 4500 with a
                          non-zero SPI), icmp (cleartext echo, v4 or v6),
                          udp (other cleartext UDP), other; OUT.ready once
                          the capture is open
  natt PORT READY         a UDP socket on PORT (IPv4) with UDP_ENCAP_ESPINUDP,
                          exempt from the XFRM policies both ways (as IKE
                          daemons set theirs): the kernel decapsulates the
                          ESP-in-UDP it receives; READY written once it is
                          set; kept open until SIGTERM
"""
import json
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SOL_UDP = 17
UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2
IP_XFRM_POLICY = 17
XFRM_POLICY_IN = 0
XFRM_POLICY_OUT = 1
XFRM_POLICY_ALLOW = 0
XFRM_INF = (1 << 64) - 1


class Stop(Exception):
    pass


def on_term(_sig, _frame):
    raise Stop()


def classify(frame):
    """The kind of one Ethernet frame."""
    if len(frame) < 14:
        return "other"
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and len(ip) >= 20:
        proto, off = ip[9], (ip[0] & 0x0F) * 4
    elif etype == 0x86DD and len(ip) >= 40:
        proto, off = ip[6], 40
    else:
        return "other"
    l4 = ip[off:]
    if proto == 50:
        return "esp"
    if proto in (1, 58) and len(l4) >= 1 and l4[0] in (0, 8, 128, 129):
        return "icmp"
    if proto == 17 and len(l4) >= 12:
        dport = struct.unpack("!H", l4[2:4])[0]
        if dport == 4500 and l4[8:12] != b"\0\0\0\0":
            return "espinudp"
        return "udp"
    return "other"


def wire(iface, out):
    counts = {"esp": 0, "espinudp": 0, "icmp": 0, "udp": 0, "other": 0}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    signal.signal(signal.SIGTERM, on_term)
    with open(out + ".ready", "w"):
        pass
    try:
        while True:
            counts[classify(s.recv(65535))] += 1
    except Stop:
        pass
    with open(out, "w") as f:
        json.dump(counts, f)


def policy_allow(direction):
    """struct xfrm_userpolicy_info: an IPv4 allow policy, no limits."""
    sel = bytes(40) + struct.pack("=HBBB3xii", socket.AF_INET, 0, 0, 0, 0, 0)
    lft = struct.pack("=8Q", *([XFRM_INF] * 8))
    cur = bytes(32)
    tail = struct.pack("=IIBBBB4x", 0, 0, direction, XFRM_POLICY_ALLOW, 0, 0)
    return sel + lft + cur + tail


def natt(port, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    s.setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
    for d in (XFRM_POLICY_IN, XFRM_POLICY_OUT):
        s.setsockopt(socket.IPPROTO_IP, IP_XFRM_POLICY, policy_allow(d))
    signal.signal(signal.SIGTERM, on_term)
    with open(ready, "w"):
        pass
    try:
        signal.pause()
    except Stop:
        pass


def main():
    cmds = {"wire": wire, "natt": natt}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
