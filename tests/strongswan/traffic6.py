"""traffic6.py - traffic and capture for the strongSwan tests, IPv4 and IPv6
(standard library only; run with /usr/bin/python3).

  send DST PORT COUNT INTERVAL [SRC]  UDP datagrams carrying sequence numbers
  recv PORT IDLE                   counts them until IDLE seconds pass
                                   without one: {"received","unique","missing"}
  tcp-sink PORT IDLE               {"bytes","sha256"} of one TCP connection
  tcp-send DST PORT BYTES [RATE]   BYTES pseudo-random bytes, at most RATE
                                   bytes/s (0: as fast as it goes): {"sha256"}
  sniff IFACE SECONDS OUT PREFIX.. every frame on IFACE, one JSON object per
                                   line in OUT: ESP (kind esp), ESP in UDP
                                   (kind udp) with spi and seq, IKE (kind ike)
                                   and other cleartext (kind clear) from or
                                   to an address starting with one of the
                                   PREFIXes (neighbour discovery left out)
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def send(dst, port, count, interval, src=None):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    for i in range(int(count)):
        try:
            s.sendto(struct.pack("!Q", i) + b"p" * 200, (dst, int(port)))
        except OSError:
            pass  # no route while an SA is replaced: counted as missing
        time.sleep(float(interval))


def recv(port, idle):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("::", int(port)))
    s.settimeout(float(idle))
    got = []
    try:
        while True:
            d, _ = s.recvfrom(65535)
            if len(d) >= 8:
                got.append(struct.unpack("!Q", d[:8])[0])
    except socket.timeout:
        pass
    uniq = set(got)
    top = max(uniq) + 1 if uniq else 0
    lost = sorted(set(range(top)) - uniq)[:10]
    print(json.dumps({"received": len(got), "unique": len(uniq),
                      "missing": top - len(uniq), "max": top, "lost": lost}))


def tcp_sink(port, idle):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::", int(port)))
    ls.listen(1)
    ls.settimeout(float(idle) * 3)
    c, _ = ls.accept()
    c.settimeout(float(idle))
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    c.sendall(b"k")
    print(json.dumps({"bytes": n, "sha256": h.hexdigest()}))


def tcp_send(dst, port, nbytes, rate="0"):
    c = socket.create_connection((dst, int(port)), timeout=20)
    h, left, blk = hashlib.sha256(), int(nbytes), os.urandom(1 << 16)
    step = 1 << 14 if float(rate) else 1 << 16
    start, sent = time.time(), 0
    while left:
        d = blk[(sent % 7) * 997:][:min(left, step)]
        c.sendall(d)
        h.update(d)
        left -= len(d)
        sent += len(d)
        if float(rate):
            ahead = sent / float(rate) - (time.time() - start)
            if ahead > 0:
                time.sleep(ahead)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()
    print(json.dumps({"sha256": h.hexdigest()}))


def classify(ip, prefixes):
    """(kind, spi, seq, src, dst) of an IP packet, or None."""
    if len(ip) >= 20 and ip[0] >> 4 == 4:
        hl, proto = (ip[0] & 15) * 4, ip[9]
        src, dst = socket.inet_ntop(socket.AF_INET, ip[12:16]), \
            socket.inet_ntop(socket.AF_INET, ip[16:20])
    elif len(ip) >= 40 and ip[0] >> 4 == 6:
        hl, proto = 40, ip[6]
        src, dst = socket.inet_ntop(socket.AF_INET6, ip[8:24]), \
            socket.inet_ntop(socket.AF_INET6, ip[24:40])
    else:
        return None
    if proto == 50 and len(ip) >= hl + 8:
        spi, seq = struct.unpack("!II", ip[hl:hl + 8])
        return ("esp", spi, seq, src, dst)
    if proto == 17 and len(ip) >= hl + 16:
        sport, dport = struct.unpack("!HH", ip[hl:hl + 4])
        spi, seq = struct.unpack("!II", ip[hl + 8:hl + 16])
        if 4500 in (sport, dport) and spi:
            return ("udp", spi, seq, src, dst)
        if 500 in (sport, dport) or 4500 in (sport, dport):
            return ("ike", 0, 0, src, dst)
    if proto == 58 and len(ip) > hl and 133 <= ip[hl] <= 137:
        return None  # neighbour discovery: below IPsec
    for p in prefixes:
        if src.startswith(p) or dst.startswith(p):
            return ("clear", 0, 0, src, dst)
    return None


def sniff(iface, seconds, out, *prefixes):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind((iface, 0))
    s.settimeout(0.2)
    end = time.time() + float(seconds)
    with open(out, "w") as f:
        while time.time() < end:
            try:
                frame, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            e = classify(frame[14:], prefixes)
            if e:
                d = "out" if addr[2] == socket.PACKET_OUTGOING else "in"
                f.write(json.dumps({"dir": d, "kind": e[0], "spi": e[1],
                                    "seq": e[2], "src": e[3], "dst": e[4]})
                        + "\n")
                f.flush()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"send": send, "recv": recv, "tcp-sink": tcp_sink,
          "tcp-send": tcp_send, "sniff": sniff}[cmd]
    fn(*args)


if __name__ == "__main__":
    main()
