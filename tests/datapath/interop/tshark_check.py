#!/usr/bin/python3
"""tshark_check.py - tshark decrypts a capture of two fwpd datapaths talking;
the decrypted packets must be exactly the traffic that was sent.

Standard library only; run with /usr/bin/python3. Wireshark's ESP
dissector (packet-ipsec.c) is the independent implementation: the SAs
(addresses, SPI, algorithm and keys) are given on tshark's command line as
records of its "esp_sa" table, in the field order of Wireshark 4.0:
protocol, source, destination, SPI, encryption algorithm, encryption key,
authentication algorithm, authentication key.

The traffic (tshark_decrypt.sh sends it through traffic.py), over IPv4 or
IPv6 (--family):
  ping   A -> B, ICMP(v6) echo, identifier --ident, sequence 1..COUNT, payload
         "MARKER ping #k"; B's kernel answers
  udp    A:--sport-a -> B:--echo-port, payloads "MARKER a->b #i", echoed
         back by B; and B:--sport-b -> A:--echo-port, "MARKER b->a #i",
         echoed back by A

Checked:
  - every frame between A and B is ESP of the expected encapsulation (IP
    protocol / next header 50, or UDP 4500 -> 4500 with --natt): nothing
    in clear;
  - every ESP frame carries one of the two SPIs, in its SA's direction;
  - each SPI's sequence numbers are 1, 2, 3, ... in capture order;
  - tshark checks the ICV of every frame (the HMAC, or AES-GCM's tag) and
    finds it correct;
  - the padding is RFC 4303's default (1, 2, 3, ...) and aligns the
    encrypted part to the cipher's block (4 bytes for AES-GCM); no IV is
    used twice under one SPI;
  - the decrypted packets are exactly the expected ones (as a multiset).
Exit 0: all hold; 1: one "FAIL:" line per problem; 2: usage.
"""

import argparse
import collections
import json
import subprocess
import sys

ADDRS = {4: ("198.51.100.1", "198.51.100.2"), 6: ("2001:db8:1::1", "2001:db8:1::2")}
A_ADDR, B_ADDR = ADDRS[4]       # --family 6 changes them
ICMP_ECHO = {4: (8, 0), 6: (128, 129)}

# static_keying's transform names -> Wireshark 4.0's esp_sa names.
ALGOS = {
    "gcm128": ("AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
    "gcm256": ("AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
    "cbc128-sha256": ("AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"),
    "cbc256-sha256": ("AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"),
    "cbc128-sha1": ("AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]"),
}

# What the encrypted part (payload, padding, pad length, next header) must
# be a multiple of: the cipher's block, or 4 bytes (RFC 4303 sec. 2.4).
ALIGN = {"gcm128": 4, "gcm256": 4, "cbc128-sha256": 16, "cbc256-sha256": 16,
         "cbc128-sha1": 16}

FIELDS = ["frame.number", "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst",
          "ipv6.nxt", "udp.srcport", "udp.dstport",
          "udp.payload", "esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad",
          "esp.iv", "esp.decrypted_data", "esp.pad", "esp.pad_len",
          "icmp.type", "icmp.ident", "icmp.seq", "icmpv6.type", "icmpv6.echo.identifier",
          "icmpv6.echo.sequence_number", "data.data", "frame.protocols"]


def esp_sa(family, src, dst, spi, enc, enc_key, auth, auth_key):
    return 'uat:esp_sa:"IPv%d","%s","%s","0x%08x","%s","0x%s","%s","%s"' % (
        family, src, dst, spi, enc, enc_key, auth, "0x" + auth_key if auth_key else "")


def run_tshark(args):
    enc, auth = ALGOS[args.transform]
    cmd = [args.tshark, "-n", "-r", args.capture,
           "-o", "esp.enable_encryption_decode:TRUE",
           "-o", "esp.enable_authentication_check:TRUE",
           "-o", esp_sa(args.family, A_ADDR, B_ADDR, args.spi_ab, enc, args.key_ab, auth,
                        args.auth_key_ab),
           "-o", esp_sa(args.family, B_ADDR, A_ADDR, args.spi_ba, enc, args.key_ba, auth,
                        args.auth_key_ba),
           "-Y", "ip" if args.family == 4 else "ipv6", "-T", "json"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, timeout=60).stdout
    return [p["_source"]["layers"] for p in json.loads(out or b"[]")]


def last(layers, name, default=None):
    v = layers.get(name)
    return v[-1] if v else default


def expected(args):
    want = collections.Counter()
    request, reply = ICMP_ECHO[args.family]
    for k in range(1, args.count + 1):
        payload = ("%s ping #%d" % (args.marker, k)).encode().hex()
        want[(A_ADDR, B_ADDR, "icmp", request, args.ident, k, payload)] += 1
        want[(B_ADDR, A_ADDR, "icmp", reply, args.ident, k, payload)] += 1
    for i in range(args.count):
        ab = ("%s a->b #%d" % (args.marker, i)).encode().hex()
        ba = ("%s b->a #%d" % (args.marker, i)).encode().hex()
        want[(A_ADDR, B_ADDR, "udp", args.sport_a, args.echo_port, ab)] += 1
        want[(B_ADDR, A_ADDR, "udp", args.echo_port, args.sport_a, ab)] += 1
        want[(B_ADDR, A_ADDR, "udp", args.sport_b, args.echo_port, ba)] += 1
        want[(A_ADDR, B_ADDR, "udp", args.echo_port, args.sport_b, ba)] += 1
    return want


def check_padding(args, n, f):
    """RFC 4303 sec. 2.4: the default padding 1, 2, 3, ..., and the
    encrypted part aligned."""
    plain = bytes.fromhex(last(f, "esp.decrypted_data", "").replace(":", ""))
    if not plain or "esp.pad_len" not in f:
        return ["frame %s: tshark shows no decrypted trailer" % n]
    pad_len = int(last(f, "esp.pad_len"))
    pad = bytes.fromhex(last(f, "esp.pad", "").replace(":", ""))
    fails = []
    if pad != bytes(range(1, pad_len + 1)):
        fails.append("frame %s: padding %s, expected 1..%d" % (n, pad.hex(), pad_len))
    if len(plain) % ALIGN[args.transform]:
        fails.append("frame %s: %d encrypted bytes, not a multiple of %d"
                     % (n, len(plain), ALIGN[args.transform]))
    return fails


def check(args, frames):
    fails = []
    spis = {args.spi_ab: (A_ADDR, B_ADDR), args.spi_ba: (B_ADDR, A_ADDR)}
    seqs = collections.defaultdict(list)
    ivs = collections.defaultdict(dict)
    got = collections.Counter()
    icv_checked = 0
    ip = "ip" if args.family == 4 else "ipv6"
    icmp = "icmp" if args.family == 4 else "icmpv6"
    for f in frames:
        n = last(f, "frame.number")
        src, dst = last(f, ip + ".src"), last(f, ip + ".dst")
        if {src, dst} != {A_ADDR, B_ADDR}:
            continue
        protos = last(f, "frame.protocols", "")
        if "esp" not in protos.split(":"):
            fails.append("frame %s: %s -> %s in clear (%s)" % (n, src, dst, protos))
            continue
        outer = f["ip.proto" if args.family == 4 else "ipv6.nxt"][0]
        if args.natt:
            ports = f.get("udp.srcport", [None])[0], f.get("udp.dstport", [None])[0]
            if outer != "17" or ports != ("4500", "4500"):
                fails.append("frame %s: ESP not in UDP 4500 -> 4500 (IP protocol %s, "
                             "ports %s)" % (n, outer, ports))
        elif outer != "50":
            fails.append("frame %s: ESP in IP protocol %s, expected 50" % (n, outer))
        spi = int(last(f, "esp.spi"), 16)
        if spi not in spis or spis[spi] != (src, dst):
            fails.append("frame %s: SPI 0x%08x from %s to %s" % (n, spi, src, dst))
            continue
        seqs[spi].append(int(last(f, "esp.sequence")))
        iv = last(f, "esp.iv", "").replace(":", "")
        if iv in ivs[spi]:
            fails.append("frame %s: IV %s already used in frame %s" % (n, iv, ivs[spi][iv]))
        ivs[spi][iv] = n
        fails += check_padding(args, n, f)
        if "esp.icv_good" in f or "esp.icv_bad" in f:
            icv_checked += 1
            if last(f, "esp.icv_good") not in ("1", "True", "true") or \
                    last(f, "esp.icv_bad") in ("1", "True", "true"):
                fails.append("frame %s: tshark finds the ICV wrong" % n)
        if icmp in protos.split(":"):
            if args.family == 4:
                ident, seq = last(f, "icmp.ident"), last(f, "icmp.seq")
            else:
                ident = last(f, "icmpv6.echo.identifier")
                seq = last(f, "icmpv6.echo.sequence_number")
            got[(src, dst, "icmp", int(last(f, icmp + ".type")), int(ident, 0), int(seq, 0),
                 last(f, "data.data", "").replace(":", ""))] += 1
        elif len(f.get("udp.srcport", [])) == (2 if args.natt else 1):
            got[(src, dst, "udp", int(last(f, "udp.srcport")), int(last(f, "udp.dstport")),
                 last(f, "udp.payload", "").replace(":", ""))] += 1
        else:
            fails.append("frame %s: not decrypted into ICMP or UDP (%s)" % (n, protos))
    for spi, s in sorted(seqs.items()):
        if s != list(range(1, len(s) + 1)):
            fails.append("SPI 0x%08x: sequence numbers %s, expected 1..%d" % (spi, s, len(s)))
    want = expected(args)
    for k in sorted((want - got).keys(), key=str):
        fails.append("missing after decryption: %s (x%d)" % (k, (want - got)[k]))
    for k in sorted((got - want).keys(), key=str):
        fails.append("decrypted but not sent: %s (x%d)" % (k, (got - want)[k]))
    if icv_checked != sum(len(s) for s in seqs.values()):
        fails.append("tshark checked the ICV of %d of %d ESP frames"
                     % (icv_checked, sum(len(s) for s in seqs.values())))
    return fails, seqs, sum(got.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--capture", required=True)
    ap.add_argument("--transform", required=True, choices=sorted(ALGOS))
    ap.add_argument("--natt", action="store_true")
    ap.add_argument("--family", type=int, choices=(4, 6), default=4)
    num = lambda s: int(s, 0)
    ap.add_argument("--spi-ab", type=num, required=True, help="A's outbound SPI")
    ap.add_argument("--spi-ba", type=num, required=True, help="B's outbound SPI")
    ap.add_argument("--key-ab", required=True)
    ap.add_argument("--key-ba", required=True)
    ap.add_argument("--auth-key-ab", default="")
    ap.add_argument("--auth-key-ba", default="")
    ap.add_argument("--marker", required=True)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--ident", type=int, required=True)
    ap.add_argument("--echo-port", type=int, required=True)
    ap.add_argument("--sport-a", type=int, required=True)
    ap.add_argument("--sport-b", type=int, required=True)
    args = ap.parse_args()
    global A_ADDR, B_ADDR
    A_ADDR, B_ADDR = ADDRS[args.family]
    if args.natt and args.family == 6:
        ap.error("ESP in UDP is IPv4 only here")

    fails, seqs, n = check(args, run_tshark(args))
    for f in fails:
        print("FAIL: %s" % f)
    if not fails:
        print("ok: tshark decrypted %d ESP frames (%s) into exactly the traffic sent; "
              "sequence numbers 1..%s" % (n, ", ".join("SPI 0x%08x" % s for s in seqs),
                                          "/".join(str(len(s)) for s in seqs.values())))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
