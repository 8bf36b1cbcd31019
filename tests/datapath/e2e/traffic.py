"""traffic.py - traffic, capture and injection for the datapath's end-to-end
tests (standard library only; run with /usr/bin/python3).

  send DST PORT COUNT [INTERVAL [SRC|- [MARK]]]  UDP datagrams carrying
                                   sequence numbers (MARK: sent in the clear)
  recv PORT IDLE                   counts them until IDLE seconds pass
                                   without one: {"received","unique","missing"}
  tcp-sink PORT IDLE               {"bytes","sha256"} of one TCP connection
  tcp-send DST PORT BYTES          sends BYTES pseudo-random bytes: {"sha256"}
  sniff IFACE SECONDS OUT          ESP and ESP-in-UDP frames on IFACE, one JSON
                                   object per line in OUT: kind, spi, seq, hex
  inject HEX MARK                  sends the IPv4 packet HEX as it is, from a
                                   raw socket with SO_MARK = MARK
  capture IFACE SECONDS OUT        every IP frame on IFACE, one JSON object per
                                   line in OUT: dir, v, proto, sport, dport,
                                   clear (it carries the payload of send)
  raw-udp SRC DST SPORT DPORT COUNT MARK [FRAG]  UDP datagrams like send's,
                                   built by hand (any source port), IPv4 or
                                   IPv6, from a raw socket with SO_MARK = MARK;
                                   FRAG: cut into fragments of FRAG bytes
Addresses with a colon are IPv6; recv takes both.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

SO_MARK = 36


PAYLOAD = b"p" * 200
MARKER = b"p" * 64


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def send(dst, port, count, interval=0.001, src=None, mark=None):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if src and src != "-":
        s.bind((src, 0))
    if mark:
        # Marked like fwpd's own sockets: past the TUN, in the clear.
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(mark, 0))
    for i in range(int(count)):
        try:
            s.sendto(struct.pack("!Q", i) + PAYLOAD, (dst, int(port)))
        except OSError:
            pass    # EPERM from a guard's drop, ENETUNREACH while a route is gone
        if float(interval):
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
    print(json.dumps({"received": len(got), "unique": len(uniq),
                      "missing": top - len(uniq), "max": top}))


def tcp_sink(port, idle):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(1)
    ls.settimeout(float(idle) * 4)
    c, _ = ls.accept()
    c.settimeout(float(idle))
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    print(json.dumps({"bytes": n, "sha256": h.hexdigest()}))


def tcp_send(dst, port, nbytes):
    c = socket.create_connection((dst, int(port)), timeout=10)
    h, left, blk = hashlib.sha256(), int(nbytes), os.urandom(1 << 16)
    while left:
        d = blk[:min(left, len(blk))]
        c.sendall(d)
        h.update(d)
        left -= len(d)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()
    print(json.dumps({"sha256": h.hexdigest()}))


def esp_of(ip):
    """(kind, spi, seq) of an IPv4 packet carrying ESP, or None."""
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    hl = (ip[0] & 15) * 4
    if ip[9] == 50 and len(ip) >= hl + 8:
        spi, seq = struct.unpack("!II", ip[hl:hl + 8])
        return ("esp", spi, seq)
    if ip[9] == 17 and len(ip) >= hl + 16:
        sport, dport = struct.unpack("!HH", ip[hl:hl + 4])
        spi, seq = struct.unpack("!II", ip[hl + 8:hl + 16])
        if 4500 in (sport, dport) and spi:
            return ("udp", spi, seq)
    return None


def sniff(iface, seconds, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    # Big enough for a burst while the (slow, sanitized) test runs beside.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind((iface, 0))
    s.settimeout(0.2)
    end = time.time() + float(seconds)
    with open(out, "w") as f:
        f.write("")
        f.flush()
        while time.time() < end:
            try:
                frame, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                direction = "out"
            else:
                direction = "in"
            ip = frame[14:]
            e = esp_of(ip)
            if e:
                f.write(json.dumps({"dir": direction, "kind": e[0], "spi": e[1],
                                    "seq": e[2], "hex": ip.hex()}) + "\n")
                f.flush()


def inject(hexstr, mark):
    pkt = bytes.fromhex(hexstr)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(mark, 0))
    s.sendto(pkt, (socket.inet_ntoa(pkt[16:20]), 0))


def l4_of(frame):
    """(version, proto, sport, dport) of an Ethernet frame's IP packet."""
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and len(ip) >= 20:
        hl, proto = (ip[0] & 15) * 4, ip[9]
        first = (struct.unpack("!H", ip[6:8])[0] & 0x1fff) == 0
        l4 = ip[hl:] if first else b""
        v = 4
    elif etype == 0x86DD and len(ip) >= 40:
        proto, l4, v = ip[6], ip[40:], 6
        if proto == 44 and len(l4) >= 8:        # a fragment header
            first = (struct.unpack("!H", l4[2:4])[0] & 0xfff8) == 0
            proto, l4 = l4[0], (l4[8:] if first else b"")
    else:
        return None
    sport = dport = 0
    if proto in (6, 17) and len(l4) >= 4:
        sport, dport = struct.unpack("!HH", l4[:4])
    return v, proto, sport, dport


def capture(iface, seconds, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind((iface, 0))
    s.settimeout(0.2)
    end = time.time() + float(seconds)
    with open(out, "w") as f:
        f.flush()
        while time.time() < end:
            try:
                frame, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            l4 = l4_of(frame)
            if not l4:
                continue
            f.write(json.dumps({"dir": "out" if addr[2] == socket.PACKET_OUTGOING else "in",
                                "v": l4[0], "proto": l4[1], "sport": l4[2], "dport": l4[3],
                                "clear": MARKER in frame}) + "\n")
            f.flush()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def raw_udp(src, dst, sport, dport, count, mark, frag=0):
    fam, frag = family(dst), int(frag)
    sa, da = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(mark, 0))
    for i in range(int(count)):
        data = struct.pack("!Q", i) + PAYLOAD
        ulen = 8 + len(data)
        pseudo = sa + da + (struct.pack("!BBH", 0, 17, ulen) if fam == socket.AF_INET
                            else struct.pack("!IxxxB", ulen, 17))
        udp = struct.pack("!HHHH", int(sport), int(dport), ulen, 0) + data
        c = csum(pseudo + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", c) + udp[8:]
        pieces = [(0, udp, False)]
        if frag:
            pieces = [(o, udp[o:o + frag], o + frag < len(udp)) for o in range(0, len(udp), frag)]
        for off, body, more in pieces:
            if fam == socket.AF_INET:
                hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0x4000 + i,
                                  (off // 8) | (0x2000 if more else 0), 64, 17, 0, sa, da)
                hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            elif frag:
                fh = struct.pack("!BxHI", 17, off | (1 if more else 0), 0x4000 + i)
                hdr = struct.pack("!IHBB16s16s", 0x60000000, 8 + len(body), 44, 64, sa, da) + fh
            else:
                hdr = struct.pack("!IHBB16s16s", 0x60000000, len(body), 17, 64, sa, da)
            s.sendto(hdr + body, (dst, 0))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"send": send, "recv": recv, "tcp-sink": tcp_sink, "tcp-send": tcp_send,
          "sniff": sniff, "inject": inject, "capture": capture, "raw-udp": raw_udp}[cmd]
    fn(*args)


if __name__ == "__main__":
    main()
