#!/usr/bin/python3
"""traffic.py - plain traffic for the interoperability tests (standard
library only; run with /usr/bin/python3 inside a namespace). Addresses are
IPv4 or IPv6.

  udp-echo --port P              echo every datagram to its sender (IPv4 and
                                 IPv6), until killed
  udp-send --dst A --port P --payload TEXT [--count N] [--sport S] [--gap S]
                                 N datagrams "TEXT #0", "TEXT #1", ...
  udp-ping --dst A --port P --payload TEXT [--count N]
                                 the same, each answered by an echo server
                                 within 3 s (exit 1 if one is not)
  ping --dst A --payload TEXT [--count N] [--ident I]
                                 ICMP(v6) echo requests (sequence 1..N), each
                                 answered within 3 s (exit 1 if one is not)
"""

import argparse
import os
import select
import socket
import struct
import sys
import time

WAIT = 3.0


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_socket(dst, sport):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind(("::" if ":" in dst else "0.0.0.0", sport))
    return s


def udp_echo(args):
    v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v4.bind(("0.0.0.0", args.port))
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    v6.bind(("::", args.port))
    while True:
        for s in select.select([v4, v6], [], [])[0]:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)


def udp_send(args):
    s = udp_socket(args.dst, args.sport)
    for i in range(args.count):
        s.sendto(("%s #%d" % (args.payload, i)).encode(), (args.dst, args.port))
        time.sleep(args.gap)
    return 0


def wait_for(sock, pred, what):
    end = time.monotonic() + WAIT
    while True:
        left = end - time.monotonic()
        if left <= 0:
            print("traffic.py: %s: no answer within %.0f s" % (what, WAIT), file=sys.stderr)
            return False
        r, _, _ = select.select([sock], [], [], left)
        if r and pred(sock.recv(65535)):
            return True


def udp_ping(args):
    s = udp_socket(args.dst, args.sport)
    s.connect((args.dst, args.port))
    for i in range(args.count):
        data = ("%s #%d" % (args.payload, i)).encode()
        s.send(data)
        if not wait_for(s, lambda d: d == data, "UDP datagram %d" % i):
            return 1
        time.sleep(args.gap)
    return 0


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ping(args):
    v6 = family(args.dst) == socket.AF_INET6
    if v6:
        # The kernel computes ICMPv6 checksums on raw sockets itself.
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        request, answer = 128, 129
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        request, answer = 8, 0
    for seq in range(1, args.count + 1):
        payload = ("%s #%d" % (args.payload, seq)).encode()
        hdr = struct.pack("!BBHHH", request, 0, 0, args.ident, seq)
        if not v6:
            hdr = struct.pack("!BBHHH", request, 0, checksum(hdr + payload), args.ident, seq)
        s.sendto(hdr + payload, (args.dst, 0))

        def reply(d, seq=seq, payload=payload):
            ihl = 0 if v6 else (d[0] & 15) * 4  # IPv4 raw sockets get the IP header
            if len(d) < ihl + 8:
                return False
            t, _, _, ident, sq = struct.unpack("!BBHHH", d[ihl:ihl + 8])
            return t == answer and ident == args.ident and sq == seq and d[ihl + 8:] == payload
        if not wait_for(s, reply, "echo request %d" % seq):
            return 1
        time.sleep(args.gap)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-echo")
    p.add_argument("--port", type=int, required=True)
    p.set_defaults(func=udp_echo)
    for name, func in (("udp-send", udp_send), ("udp-ping", udp_ping), ("ping", ping)):
        p = sub.add_parser(name)
        p.add_argument("--dst", required=True)
        p.add_argument("--payload", required=True)
        p.add_argument("--count", type=int, default=3)
        p.add_argument("--gap", type=float, default=0.05)
        if name == "ping":
            p.add_argument("--ident", type=int, default=os.getpid() & 0xffff)
        else:
            p.add_argument("--port", type=int, required=True)
            p.add_argument("--sport", type=int, default=0)
        p.set_defaults(func=func)
    args = ap.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
