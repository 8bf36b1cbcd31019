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
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

SO_MARK = 36


def send(dst, port, count, interval=0.001, src=None, mark=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src and src != "-":
        s.bind((src, 0))
    if mark:
        # Marked like fwpd's own sockets: past the TUN, in the clear.
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, int(mark, 0))
    for i in range(int(count)):
        s.sendto(struct.pack("!Q", i) + b"p" * 200, (dst, int(port)))
        if float(interval):
            time.sleep(float(interval))


def recv(port, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", int(port)))
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


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"send": send, "recv": recv, "tcp-sink": tcp_sink, "tcp-send": tcp_send,
          "sniff": sniff, "inject": inject}[cmd]
    fn(*args)


if __name__ == "__main__":
    main()
