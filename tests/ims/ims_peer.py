#!/usr/bin/python3
"""ims_peer.py - a P-CSCF made of scapy, the peer of an IMS UE whose keying
module (ims_keying) runs our engine and datapath.

Run with Debian's /usr/bin/python3 (python3-scapy, python3-cryptography) in
namespace B. The UE (namespace A) runs UDP echo servers on its client and
server ports, on the SIP port 5060 and on an RTP-like port. Its four SAs
protect UDP between its ports and ours (TS 33.203): UE client port <-> our
server port (UE inbound SPI spi_uc, outbound spi_ps), UE server port <-> our
client port (spi_us, spi_pc). Checks, one "ok:" or "FAIL:" line each:

  protected   a datagram sealed by scapy to each UE port is echoed back as
              ESP under the right SPI, which scapy opens: the same payload,
              from and to the right ports; sequence numbers 1, 2, ...
  clear drop  the same datagram in the clear to a protected port: no echo
              (the UE's guard drops it)
  replay      a sealed datagram sent again: no second echo
  unprotected SIP (5060) and the RTP-like port in the clear: echoed in the
              clear; ping in the clear: answered in the clear
IPv4 or IPv6, as --ue and --me are. Exit 0: all passed; 1: some failed;
2: usage.
"""

import argparse
import socket
import sys
import time

from scapy.all import IP, IPv6, UDP, ICMP, Raw, Ether, conf  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoRequest, ICMPv6EchoReply  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation  # noqa: E402

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
WAIT = 3.0

# ims_keying's transform names -> scapy's (crypt_algo, auth_algo)
TRANSFORMS = {
    "null-md5": ("NULL", "HMAC-MD5-96"),
    "null-sha1": ("NULL", "HMAC-SHA1-96"),
    "aes-md5": ("AES-CBC", "HMAC-MD5-96"),
    "aes-sha1": ("AES-CBC", "HMAC-SHA1-96"),
    "3des-md5": ("3DES", "HMAC-MD5-96"),
    "3des-sha1": ("3DES", "HMAC-SHA1-96"),
}


class Peer:
    def __init__(self, a):
        self.a = a
        crypt, auth = TRANSFORMS[a.transform]
        key = bytes.fromhex(a.key) if a.key else None
        akey = bytes.fromhex(a.auth_key)

        def sa(spi):
            return SecurityAssociation(ESP, spi=spi, crypt_algo=crypt, crypt_key=key,
                                       auth_algo=auth, auth_key=akey)
        # Ours to the UE (we seal) and the UE's to us (we open).
        self.to_uc, self.to_us = sa(a.spi_uc), sa(a.spi_us)
        self.from_uc, self.from_us = sa(a.spi_ps), sa(a.spi_pc)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((a.iface, ETH_P_ALL))
        self.sock.settimeout(0.05)
        self.v6 = ":" in a.ue
        self.L3 = IPv6 if self.v6 else IP
        self.raw = socket.socket(socket.AF_INET6 if self.v6 else socket.AF_INET,
                                 socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.frames = []
        self.failures = 0
        self.esp_seq = {a.spi_ps: [], a.spi_pc: []}

    def ok(self, what):
        print("ok: " + what, flush=True)

    def fail(self, what):
        print("FAIL: " + what, flush=True)
        self.failures += 1

    def send(self, pkt):
        self.raw.sendto(bytes(pkt), (self.a.ue, 0))

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            pkt = Ether(data)
            if self.L3 in pkt and pkt[self.L3].src == self.a.ue:
                self.frames.append(pkt[self.L3])

    def wait_for(self, pred, seconds=WAIT):
        """The first frame from the UE (new or seen) that pred accepts."""
        end = time.monotonic() + seconds
        while True:
            for f in self.frames:
                if pred(f):
                    return f
            if time.monotonic() >= end:
                return None
            self.pump(0.1)

    def opened(self, f):
        """The inner packet of an ESP frame from the UE, or None."""
        if ESP not in f:
            return None
        spi = f[ESP].spi
        sa = {self.a.spi_ps: self.from_uc, self.a.spi_pc: self.from_us}.get(spi)
        if sa is None:
            return None
        try:
            return sa.decrypt(f.copy())
        except Exception:
            return None

    def ip(self):
        return self.L3(src=self.a.me, dst=self.a.ue)

    def sealed(self, sa, sport, dport, payload):
        inner = self.ip() / UDP(sport=sport, dport=dport) / payload
        return sa.encrypt(inner)

    def echoed_esp(self, payload, spi):
        def pred(f):
            if ESP not in f or f[ESP].spi != spi:
                return False
            inner = self.opened(f)
            return inner is not None and Raw in inner and inner[Raw].load == payload
        return pred

    def clear_udp(self, payload):
        def pred(f):
            return UDP in f and ESP not in f and Raw in f[UDP] and f[UDP][Raw].load == payload
        return pred

    # ---- the checks ----

    def protected(self, name, sa, our_port, ue_port, spi_back):
        a = self.a
        payload = ("%s %s" % (a.transform, name)).encode()
        self.send(self.sealed(sa, our_port, ue_port, payload))
        f = self.wait_for(self.echoed_esp(payload, spi_back))
        if f is None:
            self.fail("%s: no ESP echo under SPI 0x%x" % (name, spi_back))
            return None
        inner = self.opened(f)
        u = inner[UDP]
        if u.sport != ue_port or u.dport != our_port:
            self.fail("%s: echo from port %d to %d" % (name, u.sport, u.dport))
        elif self.wait_for(self.clear_udp(payload), 0) is not None:
            self.fail("%s: an echo in the clear too" % name)
        else:
            self.ok("%s: ESP both ways, SPI 0x%x back, seq %d" % (name, spi_back, f[ESP].seq))
        return f

    def clear_dropped(self, name, our_port, ue_port, spi_back):
        payload = ("%s clear %s" % (self.a.transform, name)).encode()
        self.send(self.ip() / UDP(sport=our_port, dport=ue_port) / payload)
        # A sealed one after it is answered: then the clear one had its chance.
        later = payload + b" later"
        sa = self.to_uc if ue_port == self.a.uc else self.to_us
        self.send(self.sealed(sa, our_port, ue_port, later))
        if self.wait_for(self.echoed_esp(later, spi_back)) is None:
            self.fail("%s: no echo of the sealed datagram after the clear one" % name)
            return
        self.pump(0.2)
        if (self.wait_for(self.clear_udp(payload), 0) or
                self.wait_for(self.echoed_esp(payload, spi_back), 0)):
            self.fail("%s: a cleartext datagram to a protected port was answered" % name)
        else:
            self.ok("%s: cleartext to the protected port dropped" % name)

    def replay(self):
        a = self.a
        payload = ("%s replay" % a.transform).encode()
        pkt = self.sealed(self.to_uc, a.ps, a.uc, payload)
        self.send(pkt)
        if self.wait_for(self.echoed_esp(payload, a.spi_ps)) is None:
            self.fail("replay: the first copy was not echoed")
            return
        self.send(pkt)
        later = payload + b" later"
        self.send(self.sealed(self.to_uc, a.ps, a.uc, later))
        if self.wait_for(self.echoed_esp(later, a.spi_ps)) is None:
            self.fail("replay: no echo after the replay")
            return
        self.pump(0.2)
        n = sum(1 for f in self.frames if self.echoed_esp(payload, a.spi_ps)(f))
        if n != 1:
            self.fail("replay: %d echoes of one sealed datagram" % n)
        else:
            self.ok("replay dropped")

    def unprotected(self, port):
        a = self.a
        payload = ("%s clear port %d" % (a.transform, port)).encode()
        self.send(self.ip() / UDP(sport=port, dport=port) / payload)
        f = self.wait_for(self.clear_udp(payload))
        if f is None:
            self.fail("port %d: no echo in the clear" % port)
        elif f[UDP].sport != port:
            self.fail("port %d: echo from port %d" % (port, f[UDP].sport))
        else:
            self.ok("port %d: in the clear both ways" % port)

    def ping(self):
        if self.v6:
            self.send(self.ip() / ICMPv6EchoRequest(id=0x1ab, seq=7, data=b"ims ping"))
            f = self.wait_for(lambda f: ICMPv6EchoReply in f and
                              f[ICMPv6EchoReply].id == 0x1ab)
        else:
            self.send(self.ip() / ICMP(type=8, id=0x1ab, seq=7) / b"ims ping")
            f = self.wait_for(lambda f: ICMP in f and f[ICMP].type == 0 and
                              f[ICMP].id == 0x1ab)
        if f is None:
            self.fail("ping: no echo reply in the clear")
        else:
            self.ok("ping: answered in the clear")

    def sequences(self):
        seen = {}
        for f in self.frames:
            if ESP in f:
                seen.setdefault(f[ESP].spi, []).append(f[ESP].seq)
        for spi in (self.a.spi_ps, self.a.spi_pc):
            s = seen.get(spi, [])
            if s != list(range(1, len(s) + 1)) or not s:
                self.fail("SPI 0x%x: sequence numbers %s" % (spi, s))
            else:
                self.ok("SPI 0x%x: sequence numbers 1..%d" % (spi, len(s)))

    def run(self):
        a = self.a
        self.pump(0.1)
        if self.protected("UE client port", self.to_uc, a.ps, a.uc, a.spi_ps) is None:
            return
        self.protected("UE server port", self.to_us, a.pc, a.us, a.spi_pc)
        self.clear_dropped("UE client port", a.ps, a.uc, a.spi_ps)
        self.clear_dropped("UE server port", a.pc, a.us, a.spi_pc)
        self.replay()
        self.unprotected(5060)
        self.unprotected(a.rtp)
        self.ping()
        self.sequences()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    num = lambda s: int(s, 0)  # noqa: E731
    ap.add_argument("--ue", required=True)
    ap.add_argument("--me", required=True)
    ap.add_argument("--iface", default="veth0")
    ap.add_argument("--transform", required=True, choices=sorted(TRANSFORMS))
    ap.add_argument("--key", default="")
    ap.add_argument("--auth-key", required=True)
    for p in ("uc", "us", "pc", "ps", "rtp"):
        ap.add_argument("--" + p, type=int, required=True)
    for s in ("spi-uc", "spi-us", "spi-pc", "spi-ps"):
        ap.add_argument("--" + s, type=num, required=True)
    conf.verb = 0
    peer = Peer(ap.parse_args())
    peer.run()
    return 1 if peer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
