#!/usr/bin/python3
"""scapy_peer.py - scapy's ESP implementation as the peer of fwpd's datapath.

Run with Debian's /usr/bin/python3 (python3-scapy, python3-cryptography)
in namespace B, where no fwpd runs: scapy.layers.ipsec's
SecurityAssociation with the SPIs and keys that static_keying installed in
A, mirrored, is the peer. It sends protected packets with a raw socket,
captures on veth0 with a packet socket and checks what A's datapath did
with them. A runs traffic.py's UDP echo server; the peer starts
traffic.py udp-send in A itself. Exit 0: every check passed; 1: some
failed (one "FAIL:" line each); 2: usage.

The checks, for one transform and one encapsulation (plain ESP, IP
protocol 50, or ESP in UDP 4500 with --natt), over IPv4 or IPv6 (--family):

  A->B  A sends UDP datagrams to B (B has no socket for them): each arrives
        as ESP under A's outbound SPI, scapy decrypts it, the inner datagram
        has the payload and valid checksums, sequence numbers are 1, 2, 3.
  B->A  scapy encrypts ICMP(v6) echo requests and UDP datagrams to A's echo
        server; A's datapath decrypts them, A's kernel answers, the answers
        come back as ESP, scapy decrypts them and finds the same id, sequence
        and payload.
  large    (--large) a 1450-byte UDP datagram each way (more than fwpd's
           TUN MTU), the ESP packets fragmented on the veth: B->A delivered,
           the echo back and one A sends itself arrive.
  replay   the same ESP packet again, and the first one again: no answer,
           fwpd's replay drop counter rises by one for each.
  tamper   one ciphertext byte flipped: no answer, one integrity failure;
           then the intact packet with the same sequence number is answered
           (a forgery does not move the replay window).
  window   a jump ahead; then the oldest number inside the replay window
           (answered), one just behind it and number 0 (not answered, two
           more replay drops).
  bad SPI  an SPI A does not know: no answer, one invalid-SPI drop.

Every answer A sends must carry the next outbound sequence number: the
capture is checked for 1, 2, 3, ... without gaps at the end. "No answer" is
decided once a later, valid packet has been answered (one inbound thread and
one outbound thread in fwpd keep the order), plus a short grace period.
"""

import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

ADDRS = {4: ("198.51.100.1", "198.51.100.2"), 6: ("2001:db8:1::1", "2001:db8:1::2")}
IFACE = "veth0"
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
WAIT = 3.0        # seconds for something that must happen
WAIT_KNOWN = 1.5  # the same, for a check in KNOWN_FAILURES
GRACE = 0.2       # after the later packet's answer, for one that must not
TRAFFIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "traffic.py")


# ---- the peer --------------------------------------------------------------

class Failed(Exception):
    pass


# Checks that fail because of a datapath bug that was reported: such a
# check prints "XFAIL" and does not fail the run; once it passes it fails
# the run ("XPASS"), so that the mark is removed.
KNOWN_FAILURES = {}


# static_keying's transform names -> scapy's algorithms:
# (crypt_algo, auth_algo, IV bytes)
TRANSFORMS = {
    "gcm128": ("AES-GCM", None, 8),
    "gcm256": ("AES-GCM", None, 8),
    "cbc128-sha256": ("AES-CBC", "SHA2-256-128", 16),
    "cbc256-sha256": ("AES-CBC", "SHA2-256-128", 16),
    "cbc128-sha1": ("AES-CBC", "HMAC-SHA1-96", 16),
    "cbc128-md5": ("AES-CBC", "HMAC-MD5-96", 16),
    "3des-md5": ("3DES", "HMAC-MD5-96", 8),
    "auth-md5": ("NULL", "HMAC-MD5-96", 0),
    "auth-sha1": ("NULL", "HMAC-SHA1-96", 0),
}


class Wire:
    """Every frame that arrives on an interface, from creation on."""

    def __init__(self, iface):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((iface, ETH_P_ALL))
        self.frames = []

    def pump(self, timeout, whole=False):
        """Reads frames for up to timeout seconds: all that time if whole,
        else only until some have come and no more are waiting."""
        end = time.monotonic() + timeout
        got = False
        while True:
            left = 0.0 if got and not whole else max(0.0, end - time.monotonic())
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return
            data, addr = self.sock.recvfrom(65535)
            got = True
            if addr[2] != PACKET_OUTGOING:
                self.frames.append(data)


class Peer:
    def __init__(self, args):
        from scapy.layers.inet import IP, UDP
        from scapy.layers.inet6 import IPv6
        from scapy.layers.ipsec import ESP, SecurityAssociation

        self.args = args
        self.v6 = args.family == 6
        self.a, self.b = ADDRS[args.family]     # A's and B's (this side's) address
        self.IP = IPv6 if self.v6 else IP
        self.UDP, self.ESP = UDP, ESP
        af = socket.AF_INET6 if self.v6 else socket.AF_INET
        crypt, auth, self.iv_len = TRANSFORMS[args.transform]
        self.natt = args.natt
        natt_hdr = UDP(sport=4500, dport=4500) if args.natt else None
        keys_out = dict(crypt_algo=crypt, crypt_key=bytes.fromhex(args.key_out))
        keys_in = dict(crypt_algo=crypt, crypt_key=bytes.fromhex(args.key_in))
        if auth:
            keys_out.update(auth_algo=auth, auth_key=bytes.fromhex(args.auth_key_out))
            keys_in.update(auth_algo=auth, auth_key=bytes.fromhex(args.auth_key_in))
        self.keys_out, self.natt_hdr = keys_out, natt_hdr
        # B -> A: the SPI A receives on; A -> B: the SPI A sends with.
        self.sa_out = SecurityAssociation(ESP, spi=args.spi_out, nat_t_header=natt_hdr,
                                          **keys_out)
        self.sa_in = SecurityAssociation(ESP, spi=args.spi_in, nat_t_header=natt_hdr,
                                         **keys_in)
        self.failures = 0
        self.seen = 0               # frames of the wire already examined
        self.esp_seqs = []          # sequence numbers of A's ESP, in order
        self.answers = []           # A's decrypted packets
        self.frags = {}             # IPv4 fragments from A, by identification
        self.wire = Wire(IFACE)
        # IPPROTO_RAW: the packet's own IP header is sent (IPv4 and IPv6).
        self.raw = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_RAW)
        # Sockets that only absorb: what A sends to B must not draw
        # "protocol unreachable" or "port unreachable" answers from B's
        # kernel, as it would not from a real peer.
        self.absorb = [socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ESP)]
        if self.natt:
            u = socket.socket(af, socket.SOCK_DGRAM)
            u.bind((self.b, 4500))
            self.absorb.append(u)

    # ---- reporting ----

    def ok(self, what):
        print("ok: %s" % what, flush=True)

    def fail(self, what):
        print("FAIL: %s" % what, flush=True)
        self.failures += 1

    # ---- sending ----

    def seal(self, inner, sa=None, seq=None):
        """The ESP packet (bytes) carrying inner, with sequence number seq
        or else sa's next one (then spent)."""
        sa = sa or self.sa_out
        if seq is None:
            p = sa.encrypt(inner)
        else:
            # encrypt(seq_num=0) would take the SA's number: set it instead.
            keep, sa.seq_num = sa.seq_num, seq
            p = sa.encrypt(inner)
            sa.seq_num = keep
        if self.natt:
            # scapy 2.5 builds the outer IP header, with the UDP header,
            # before the ESP payload is attached: its UDP length stays 8.
            # Recompute it (checksum zero over IPv4, RFC 3948 sec. 2.1).
            p[self.UDP].len = None
            p[self.UDP].chksum = 0
            p[self.IP].len = None
            p[self.IP].chksum = None
        return bytes(p)

    def send(self, pkt):
        self.raw.sendto(pkt, (self.a, 0))

    def esp_offset(self):
        return (40 if self.v6 else 20) + (8 if self.natt else 0)

    # ---- receiving ----

    def collect(self, timeout, whole=False):
        """Reads the wire (Wire.pump); A's ESP is decrypted and kept in
        self.answers."""
        self.wire.pump(timeout, whole)
        while self.seen < len(self.wire.frames):
            frame = self.wire.frames[self.seen]
            self.seen += 1
            self.examine(frame)

    def examine(self, frame):
        from scapy.layers.l2 import Ether

        eth = Ether(frame)
        if not eth.haslayer(self.IP):
            return
        ip = eth[self.IP]
        if ip.src != self.a or ip.dst != self.b:
            return
        if not self.v6 and (ip.flags.MF or ip.frag):
            ip = self.reassemble(ip)
            if ip is None:
                return
        proto = ip.nh if self.v6 else ip.proto
        if proto == 50:
            kind = "ESP"
        elif proto == 17 and ip[self.UDP].dport == 4500:
            kind = "ESP-in-UDP"
            udp = ip[self.UDP]
            if udp.sport != 4500 or udp.len != len(bytes(udp)):
                self.fail("A's ESP-in-UDP: ports %d->%d, UDP length %d for %d bytes"
                          % (udp.sport, udp.dport, udp.len, len(bytes(udp))))
                return
        else:
            self.fail("A sent protocol %d to B in clear: %s" % (proto, ip.summary()))
            return
        if (kind == "ESP-in-UDP") != self.natt:
            self.fail("A sent %s, but the SA is %s" % (kind, "NAT-T" if self.natt
                                                       else "plain ESP"))
            return
        ip = self.IP(bytes(ip))             # its own copy, decrypted in place
        esp = ip[self.ESP]
        if esp.spi != self.args.spi_in:
            self.fail("A's ESP with SPI 0x%08x, expected 0x%08x"
                      % (esp.spi, self.args.spi_in))
            return
        self.esp_seqs.append(esp.seq)
        try:
            inner = self.sa_in.decrypt(ip)
        except Exception as e:          # IPSecIntegrityError, bad padding
            self.fail("A's ESP seq %d does not decrypt: %s %s" % (esp.seq, type(e).__name__, e))
            return
        self.answers.append(self.IP(bytes(inner)))

    def reassemble(self, frag):
        """The IPv4 packet once all its fragments are in, else None."""
        key = (frag.id, frag.proto)
        have = self.frags.setdefault(key, [])
        have.append(self.IP(bytes(frag)))
        have.sort(key=lambda f: f.frag)
        data, end = b"", 0
        for f in have:
            if f.frag * 8 != end:
                return None
            chunk = bytes(f)[f.ihl * 4:f.len]
            data += chunk
            end += len(chunk)
        if have[-1].flags.MF:
            return None
        del self.frags[key]
        first = have[0]
        hdr = bytearray(bytes(first)[:first.ihl * 4])
        hdr[2:4] = struct.pack("!H", len(hdr) + len(data))    # total length
        hdr[6:8] = b"\0\0"                                     # flags, offset
        whole = self.IP(bytes(hdr) + data)
        whole.chksum = None
        return self.IP(bytes(whole))

    def wait_for(self, what, pred, timeout=WAIT):
        """The first answer for which pred holds, or a failure."""
        end = time.monotonic() + timeout
        while True:
            for a in self.answers:
                if pred(a):
                    return a
            left = end - time.monotonic()
            if left <= 0:
                raise Failed("%s: nothing within %.1f s" % (what, timeout))
            self.collect(left)

    def count(self, pred):
        return sum(1 for a in self.answers if pred(a))

    # ---- fwpd's counters ----

    def stats(self):
        out = subprocess.run([self.args.fwpctl, "-s", self.args.socket, "-j", "stats"],
                             check=True, capture_output=True, timeout=10).stdout
        return json.loads(out)["traffic"]

    def expect_counter(self, name, before, delta):
        """Waits until counter name rose by delta; any other drop counter
        that moved is reported too."""
        drops = ("invalid_spi_drops", "replay_drops", "integrity_failures",
                 "decryption_failures")
        end = time.monotonic() + WAIT
        while True:
            now = self.stats()
            if now[name] - before[name] >= delta or time.monotonic() > end:
                break
            time.sleep(0.05)
        got = now[name] - before[name]
        if got != delta:
            self.fail("fwpd's %s rose by %d, expected %d" % (name, got, delta))
        else:
            self.ok("fwpd's %s rose by %d" % (name, delta))
        for d in drops:
            if d != name and now[d] != before[d]:
                self.fail("fwpd's %s also moved: %d -> %d" % (d, before[d], now[d]))
        return now

    # ---- packets ----

    def echo_request(self, ident, seq, payload):
        ip = self.IP(src=self.b, dst=self.a)
        if self.v6:
            from scapy.layers.inet6 import ICMPv6EchoRequest
            return ip / ICMPv6EchoRequest(id=ident, seq=seq, data=payload)
        from scapy.layers.inet import ICMP
        return ip / ICMP(type=8, id=ident, seq=seq) / payload

    def is_echo_reply(self, ident, seq, payload):
        if self.v6:
            from scapy.layers.inet6 import ICMPv6EchoReply

            def pred(a):
                return (a.haslayer(ICMPv6EchoReply) and a[ICMPv6EchoReply].id == ident
                        and a[ICMPv6EchoReply].seq == seq
                        and a[ICMPv6EchoReply].data == payload)
        else:
            from scapy.layers.inet import ICMP

            def pred(a):
                return (a.haslayer(ICMP) and a[ICMP].type == 0 and a[ICMP].id == ident
                        and a[ICMP].seq == seq and bytes(a[ICMP].payload) == payload)
        return pred

    def check_inner(self, what, a):
        """The decrypted packet is a well-formed IP packet from A to B: its
        checksums are what scapy computes (a UDP checksum of zero only over
        IPv4, where it means none)."""
        from scapy.layers.inet import ICMP
        from scapy.layers.inet6 import ICMPv6EchoReply

        if a.src != self.a or a.dst != self.b:
            self.fail("%s: inner %s -> %s" % (what, a.src, a.dst))
        fields = [(self.UDP, "chksum")]
        if self.v6:
            fields.append((ICMPv6EchoReply, "cksum"))
        else:
            fields += [(self.IP, "chksum"), (ICMP, "chksum")]
        fixed = a.copy()
        for layer, name in fields:
            if a.haslayer(layer):
                setattr(fixed[layer], name, None)
        ref = self.IP(bytes(fixed))
        for layer, name in fields:
            if not a.haslayer(layer):
                continue
            have, want = getattr(a[layer], name), getattr(ref[layer], name)
            if have != want and not (layer is self.UDP and have == 0 and not self.v6):
                self.fail("%s: inner %s checksum 0x%04x, expected 0x%04x"
                          % (what, layer.__name__, have, want))

    # ---- the cases ----

    def a_to_b(self):
        n, port, marker = 3, 5555, "fwp-interop a->b %s" % self.args.transform
        cmd = ["ip", "netns", "exec", self.args.ns_a, sys.executable, TRAFFIC,
               "udp-send", "--dst", self.b, "--port", str(port), "--sport", "5556",
               "--count", str(n), "--payload", marker]
        subprocess.run(cmd, check=True, timeout=10)
        for i in range(n):
            want = ("%s #%d" % (marker, i)).encode()
            a = self.wait_for("A->B datagram %d" % i,
                              lambda a: a.haslayer(self.UDP) and a[self.UDP].dport == port
                              and bytes(a[self.UDP].payload) == want)
            self.check_inner("A->B datagram %d" % i, a)
        self.ok("A->B: %d UDP datagrams decrypted by scapy, payloads intact" % n)
        if self.esp_seqs[:n] != list(range(1, n + 1)):
            self.fail("A's first ESP sequence numbers are %s, expected %s"
                      % (self.esp_seqs[:n], list(range(1, n + 1))))
        else:
            self.ok("A's ESP sequence numbers start at 1: %s" % self.esp_seqs[:n])

    def b_to_a(self):
        ident = 0x4242
        self.sent = []
        for seq in (1, 2, 3):
            payload = ("fwp-interop echo %d " % seq).encode() * 4
            pkt = self.seal(self.echo_request(ident, seq, payload))
            self.sent.append((pkt, seq, payload))
            self.send(pkt)
            a = self.wait_for("echo reply %d" % seq, self.is_echo_reply(ident, seq, payload))
            self.check_inner("echo reply %d" % seq, a)
        self.ok("B->A: 3 ICMP echo requests sealed by scapy answered, replies decrypted")
        for i, size in enumerate((1, 200, 1300)):
            payload = bytes((i + j) & 0xff for j in range(size))
            sport = 40000 + i
            inner = (self.IP(src=self.b, dst=self.a) /
                     self.UDP(sport=sport, dport=self.args.echo_port) / payload)
            self.send(self.seal(inner))
            a = self.wait_for("UDP echo of %d bytes" % size,
                              lambda a: a.haslayer(self.UDP) and a[self.UDP].dport == sport
                              and a[self.UDP].sport == self.args.echo_port
                              and bytes(a[self.UDP].payload) == payload)
            self.check_inner("UDP echo of %d bytes" % size, a)
        self.ok("B->A: UDP datagrams of 1, 200 and 1300 bytes echoed by A")

    @staticmethod
    def wait_known(name):
        return WAIT_KNOWN if name in KNOWN_FAILURES else WAIT

    def expect(self, name, what, check):
        """check() raises Failed unless what happened; see KNOWN_FAILURES."""
        known = KNOWN_FAILURES.get(name)
        try:
            check()
        except Failed as e:
            if not known:
                raise
            print("XFAIL: %s: %s (known datapath bug %r)" % (what, e, name), flush=True)
            return
        if known:
            self.fail("%s: passes now; remove %r from KNOWN_FAILURES" % (what, name))
        else:
            self.ok(what)

    def large(self):
        """Datagrams larger than fwpd's TUN MTU (1400 by default) both ways;
        the ESP packets are larger than the veth's 1500 and travel as IP
        fragments."""
        from scapy.layers.inet import fragment

        size, sport = 1450, 40100
        payload = bytes((7 * j) & 0xff for j in range(size))
        before = self.stats()
        inner = (self.IP(src=self.b, dst=self.a) /
                 self.UDP(sport=sport, dport=self.args.echo_port) / payload)
        for f in fragment(self.IP(self.seal(inner)), fragsize=1000):
            self.send(bytes(f))
        end = time.monotonic() + WAIT
        while self.stats()["inbound_packets"] == before["inbound_packets"]:
            if time.monotonic() > end:
                raise Failed("a %d-byte datagram in fragmented ESP: not delivered" % size)
            time.sleep(0.05)
        self.ok("B->A: a %d-byte UDP datagram in fragmented ESP delivered" % size)
        self.expect("large-out", "A->B: the %d-byte echo of it comes back" % size,
                    lambda: self.wait_for("the echo of %d bytes" % size,
                                          lambda a: a.haslayer(self.UDP)
                                          and a[self.UDP].dport == sport
                                          and bytes(a[self.UDP].payload) == payload,
                                          self.wait_known("large-out")))
        marker = "fwp-interop large " + "z" * size
        cmd = ["ip", "netns", "exec", self.args.ns_a, sys.executable, TRAFFIC,
               "udp-send", "--dst", self.b, "--port", "5557", "--count", "1",
               "--payload", marker]
        subprocess.run(cmd, check=True, timeout=10)
        want = (marker + " #0").encode()
        self.expect("large-out", "A->B: a %d-byte UDP datagram sent by A" % len(want),
                    lambda: self.wait_for("A's %d-byte datagram" % len(want),
                                          lambda a: a.haslayer(self.UDP)
                                          and bytes(a[self.UDP].payload) == want,
                                          self.wait_known("large-out")))

    def probe(self, ident, seq, what, esp_seq=None):
        """A fresh valid echo request; waits for its answer."""
        payload = ("probe %s" % what).encode()
        self.send(self.seal(self.echo_request(ident, seq, payload), seq=esp_seq))
        self.wait_for("the probe after %s" % what, self.is_echo_reply(ident, seq, payload))
        self.collect(GRACE, whole=True)

    def replay(self):
        ident = 0x4242
        before = self.stats()
        pkt, seq, payload = self.sent[-1]
        self.send(pkt)
        self.probe(0x5151, 1, "a replay")
        n = self.count(self.is_echo_reply(ident, seq, payload))
        if n != 1:
            self.fail("replayed echo request %d answered %d times in all" % (seq, n))
        else:
            self.ok("replayed ESP packet (the newest) not delivered again")
        before = self.expect_counter("replay_drops", before, 1)
        pkt, seq, payload = self.sent[0]
        self.send(pkt)
        self.probe(0x5151, 2, "an old replay")
        n = self.count(self.is_echo_reply(ident, seq, payload))
        if n != 1:
            self.fail("replayed echo request %d answered %d times in all" % (seq, n))
        else:
            self.ok("replayed ESP packet (the first) not delivered again")
        self.expect_counter("replay_drops", before, 1)

    def tamper(self):
        ident, seq = 0x6161, 1
        payload = b"fwp-interop tampered" * 3
        before = self.stats()
        good = self.seal(self.echo_request(ident, seq, payload))
        bad = bytearray(good)
        at = self.esp_offset() + 8 + self.iv_len + 4     # in the ciphertext
        bad[at] ^= 0x01
        self.send(bytes(bad))
        # The intact packet, same ESP sequence number: the forgery must not
        # have used it up.
        self.send(good)
        self.wait_for("the intact packet after the tampered one",
                      self.is_echo_reply(ident, seq, payload))
        self.collect(GRACE, whole=True)
        n = self.count(self.is_echo_reply(ident, seq, payload))
        if n != 1:
            self.fail("tampered + intact packet answered %d times, expected once" % n)
        else:
            self.ok("tampered ESP packet (one ciphertext byte) not delivered; the intact "
                    "one with the same sequence number was")
        self.expect_counter("integrity_failures", before, 1)

    def window(self):
        """RFC 4303 sec. 3.4.3 with fwpd's window of W packets: after a jump
        to T, T-W+1 (late, never seen) is accepted and T-W is too old; 0 is
        never valid."""
        w = self.args.replay_window
        top = self.sa_out.seq_num + 2 * w
        before = self.stats()
        for ident, seq, what in ((0x8181, top, "a jump ahead by %d" % (2 * w)),
                                 (0x8182, top - w + 1, "the oldest number in the window")):
            payload = ("fwp-interop window %d" % seq).encode()
            self.send(self.seal(self.echo_request(ident, 1, payload), seq=seq))
            self.wait_for(what, self.is_echo_reply(ident, 1, payload))
            self.ok("ESP sequence number %d (%s) accepted" % (seq, what))
        for ident, seq, what in ((0x8183, top - w, "just behind the window"),
                                 (0x8184, 0, "never valid")):
            payload = ("fwp-interop window %d" % seq).encode()
            self.send(self.seal(self.echo_request(ident, 1, payload), seq=seq))
            self.probe(0x8185, ident & 0xff, "sequence number %d" % seq,
                       esp_seq=top + 1 + ident - 0x8183)
            if self.count(self.is_echo_reply(ident, 1, payload)):
                self.fail("ESP sequence number %d (%s) was delivered" % (seq, what))
            else:
                self.ok("ESP sequence number %d (%s) not delivered" % (seq, what))
        self.sa_out.seq_num = top + 3
        self.expect_counter("replay_drops", before, 2)

    def bad_spi(self):
        from scapy.layers.ipsec import ESP, SecurityAssociation

        ident, seq = 0x7171, 1
        payload = b"fwp-interop unknown spi"
        before = self.stats()
        spi = self.args.spi_out ^ 0x00ff0000
        other = SecurityAssociation(ESP, spi=spi, nat_t_header=self.natt_hdr,
                                    **self.keys_out)
        other.seq_num = self.sa_out.seq_num
        self.send(self.seal(self.echo_request(ident, seq, payload), sa=other))
        self.probe(0x7272, 1, "an unknown SPI")
        if self.count(self.is_echo_reply(ident, seq, payload)):
            self.fail("a packet with unknown SPI 0x%08x was delivered" % spi)
        else:
            self.ok("ESP with an unknown SPI (0x%08x) not delivered" % spi)
        self.expect_counter("invalid_spi_drops", before, 1)

    def sequence(self):
        self.collect(GRACE, whole=True)
        want = list(range(1, len(self.esp_seqs) + 1))
        if self.esp_seqs != want:
            self.fail("A's ESP sequence numbers: %s, expected 1..%d without gaps"
                      % (self.esp_seqs, len(want)))
        else:
            self.ok("A's %d ESP packets numbered 1..%d in order"
                    % (len(want), len(want)))

    def run(self):
        steps = [self.a_to_b, self.b_to_a, self.replay, self.tamper, self.window,
                 self.bad_spi, self.sequence]
        if self.args.large:
            steps.insert(2, self.large)
        for step in steps:
            try:
                step()
            except Failed as e:
                self.fail(str(e))
                if step in (self.a_to_b, self.b_to_a):
                    break       # nothing further can work
        return 1 if self.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns-a", required=True, help="namespace A (for udp-send)")
    ap.add_argument("--fwpctl", required=True)
    ap.add_argument("--socket", required=True, help="A's fwpd socket")
    ap.add_argument("--transform", required=True, choices=sorted(TRANSFORMS))
    ap.add_argument("--spi-in", required=True, type=lambda s: int(s, 0),
                    help="A's outbound SPI")
    ap.add_argument("--spi-out", required=True, type=lambda s: int(s, 0),
                    help="A's inbound SPI")
    ap.add_argument("--key-in", required=True, help="A's outbound key (hex)")
    ap.add_argument("--key-out", required=True, help="A's inbound key (hex)")
    ap.add_argument("--auth-key-in", help="A's outbound HMAC key (hex)")
    ap.add_argument("--auth-key-out", help="A's inbound HMAC key (hex)")
    ap.add_argument("--natt", action="store_true", help="ESP in UDP 4500:4500 (IPv4)")
    ap.add_argument("--family", type=int, choices=(4, 6), default=4,
                    help="198.51.100.1/.2 or 2001:db8:1::1/::2")
    ap.add_argument("--echo-port", type=int, required=True, help="A's UDP echo server")
    ap.add_argument("--replay-window", type=int, required=True, help="fwpd's, in packets")
    ap.add_argument("--large", action="store_true",
                    help="also datagrams larger than the TUN MTU (IPv4)")
    args = ap.parse_args()
    if TRANSFORMS[args.transform][1] and not (args.auth_key_in and args.auth_key_out):
        ap.error("%s needs --auth-key-in and --auth-key-out" % args.transform)
    if args.natt and args.family == 6:
        ap.error("ESP in UDP is IPv4 only here")
    if args.large and args.family == 6:
        ap.error("--large is IPv4 only here")
    sys.exit(Peer(args).run())


if __name__ == "__main__":
    main()
