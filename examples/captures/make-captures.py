#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make-captures.py - build the example captures and their expected output.

Run from anywhere with Debian's python3 and python3-scapy:

    /usr/bin/python3 examples/captures/make-captures.py [OUTDIR]

It writes, into OUTDIR (default: this script's directory), for each capture
NAME both NAME.pcap (or .pcapng) and NAME.csv, the exact stdout expected from

    udpct replay --format=csv NAME.pcap

A capture that needs options says so (tftp.csv is for --helper=tftp), and a
capture replayed under several option sets gets one CSV per variant
(tftp-nohelper.csv: the same frames without the helper).

The output is deterministic: fixed timestamps, fixed addresses (documentation
ranges only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32),
no randomness.  Running the script twice gives identical bytes.

Every frame is added together with the verdict it must get, written by hand
from the behavioural specification (shared/spec/udp-conntrack.md: 3.3 states,
3.5 ASSURED, 4 timeouts, 5.2 UDP validation, 6a ICMP errors, 6b
expectations, 6c TFTP) and NOT copied
from the tool's output.  The comment beside each frame says why.  The tuple
column is derived mechanically from the frame (for an ICMP error, from the
quoted datagram), except where a frame carries no parsable tuple.

Timeouts used below (the defaults): 30 s while unreplied and while a
replied flow is at most 2 s old; 120 s once a packet after the first reply
arrives more than 2 s after the flow's first packet (then ASSURED).  A flow
is gone once the clock passes its deadline; frames that test expiry come at
least 10 ms after a deadline, because both the kernel (jiffies) and the
library (4.19 ms ticks) only resolve expiry to within one tick.
"""

import ipaddress
import os
import struct
import sys
from decimal import Decimal

from scapy.all import (ARP, DNS, DNSQR, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q,
                       Ether, ICMPv6DestUnreach, ICMPv6EchoRequest,
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded,
                       IPOption_Router_Alert, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, PadN, Raw)
from scapy.contrib.mpls import MPLS

AUTO = object()         # tuple column: derive it from the frame

# Hosts.  Clients on 192.0.2.0/24, servers on 198.51.100.0/24 and
# 203.0.113.0/24.
C1, C2, C3 = "192.0.2.10", "192.0.2.11", "192.0.2.12"
FLOODER = "192.0.2.66"
RES = "198.51.100.53"           # a DNS resolver
AUTH = "198.51.100.7"           # an authoritative server under a flood
S2 = "203.0.113.53"             # another server
C6 = "2001:db8:1::10"
C6_OTHER = "2001:db8:1::99"
R6 = "2001:db8:2::53"
ROUTER6 = "2001:db8:3::1"
MAC_HOST = "02:00:00:00:00:01"
MAC_GW = "02:00:00:00:00:fe"


# ---------------------------------------------------------------- helpers

def csum16(data):
    """RFC 1071 ones' complement sum, folded, not inverted."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def pseudo_header(src, dst, length):
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version == 4:
        return a.packed + b.packed + struct.pack("!BBH", 0, 17, length)
    return a.packed + b.packed + struct.pack("!I3xB", length, 17)


def udp_checksum(src, dst, segment, pseudo_len=None):
    """Checksum of @segment (its checksum field zero), 0 sent as 0xffff."""
    if pseudo_len is None:
        pseudo_len = len(segment)
    c = ~csum16(pseudo_header(src, dst, pseudo_len) + segment) & 0xffff
    return c or 0xffff


def udp_raw(src, dst, sport, dport, payload, ulen=None, csum=AUTO,
            trailer=b"", sum_whole_payload=False):
    """UDP header + payload + trailer, built by hand for malformed cases.

    ulen: the UDP length field (default: header + payload).
    csum: a forced checksum field, or AUTO to compute one.
    trailer: bytes inside the IP payload beyond the UDP length.
    sum_whole_payload: compute the checksum over the whole IP payload with
    that length in the pseudo-header (what the kernel's nf_checksum() does)
    instead of over ulen bytes (RFC 768).
    """
    if ulen is None:
        ulen = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, ulen, 0) + payload + trailer
    if csum is AUTO:
        if sum_whole_payload:
            csum = udp_checksum(src, dst, seg)
        else:
            csum = udp_checksum(src, dst, seg[:ulen], ulen)
    return seg[:6] + struct.pack("!H", csum) + seg[8:]


def eth(ipv6=False):
    return Ether(src=MAC_HOST, dst=MAC_GW,
                 type=0x86dd if ipv6 else 0x0800)


def query(name, qid, qtype="A"):
    return DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype))


def answer(name, qid, qtype="A"):
    return DNS(id=qid, qr=1, ra=1, qd=DNSQR(qname=name, qtype=qtype))


def udp4(src, sport, dst, dport, payload):
    return eth() / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) \
        / payload


def udp6(src, sport, dst, dport, payload, *ext):
    pkt = IPv6(src=src, dst=dst)
    for h in ext:
        pkt = pkt / h
    return eth(True) / pkt / UDP(sport=sport, dport=dport) / payload


def ip4_raw(src, dst, l4, **kw):
    """IPv4 frame around hand-made L4 bytes; scapy fills length/checksum."""
    return eth() / IP(src=src, dst=dst, proto=kw.pop("proto", 17), **kw) \
        / Raw(l4)


def set_ip_first_byte(pkt, value):
    """Frame bytes with the IPv4 version/IHL byte replaced and the header
    checksum recomputed over 20 bytes, so that only that byte is wrong."""
    b = bytearray(bytes(pkt))
    b[14] = value
    b[24:26] = b"\0\0"
    b[24:26] = struct.pack("!H", ~csum16(bytes(b[14:34])) & 0xffff)
    return bytes(b)


def with_bad_udp_checksum(pkt):
    """The same frame with its (correct) UDP checksum changed."""
    good = type(pkt)(bytes(pkt))[UDP].chksum
    pkt = pkt.copy()
    pkt[UDP].chksum = good ^ 0x5a5a
    assert pkt[UDP].chksum not in (0, 0xffff, good)
    return pkt


def fmt_addr(a):
    ip = ipaddress.ip_address(a)
    return "[%s]" % ip.compressed if ip.version == 6 else str(ip)


def tup(src, sport, dst, dport):
    """The tuple column, as udpct_tuple_format() prints it."""
    return "udp %s:%d -> %s:%d" % (fmt_addr(src), sport, fmt_addr(dst),
                                   dport)


def tuple_of(pkt):
    l3 = pkt[IP] if IP in pkt else pkt[IPv6]
    return tup(l3.src, pkt[UDP].sport, l3.dst, pkt[UDP].dport)


def quote(pkt, nbytes):
    """The first @nbytes of @pkt's IP packet, as an ICMP error quotes it."""
    l3 = pkt[IP] if IP in pkt else pkt[IPv6]
    return bytes(l3)[:nbytes]


# ---------------------------------------------------------------- writers

class Capture:
    """Frames plus the CSV rows udpct must print for them."""

    def __init__(self, name, t0, variants=()):
        """@variants: names of other option sets the capture is replayed
        with, each written to NAME-VARIANT.csv (see add())."""
        self.name = name
        self.t0 = t0 * 10**9
        self.frames = []        # (time_ns, bytes)
        header = "packet,time_ns,state,dir,reason,tuple"
        self.rows = {None: [header]}
        for v in variants:
            self.rows[v] = [header]

    @staticmethod
    def row(n, ts, expect, tuple):
        words = expect.split()
        state, rest = words[0], words[1:]
        dir_, reason = "", ""
        if state in ("NEW", "ESTABLISHED", "RELATED"):
            (dir_,) = rest
            assert dir_ in ("original", "reply")
        elif state == "INVALID":
            (reason,) = rest
        else:
            assert state == "IGNORED" and not rest
        if state == "IGNORED":
            tuple = ""
        return "%d,%d,%s,%s,%s,%s" % (n, ts, state, dir_, reason, tuple)

    def add(self, t, pkt, expect, tuple=AUTO, **variants):
        """Frame @pkt (a scapy packet, or bytes with an explicit @tuple) at
        t0 + @t seconds (a string, exact to the ns) must get @expect: "NEW
        original", "ESTABLISHED reply", "RELATED reply", "INVALID <reason>"
        or "IGNORED".  A keyword VARIANT="..." gives the verdict under that
        variant's options when it differs from @expect."""
        ts = self.t0 + int(Decimal(t) * 10**9)
        data = pkt if isinstance(pkt, bytes) else bytes(pkt)
        assert not self.frames or ts >= self.frames[-1][0], t
        assert set(variants) <= set(self.rows) - {None}, variants
        if tuple is AUTO:
            tuple = "" if expect == "IGNORED" else tuple_of(pkt)
        self.frames.append((ts, data))
        for v, rows in self.rows.items():
            rows.append(self.row(len(self.frames), ts,
                                 variants.get(v, expect), tuple))

    def write_csv(self, outdir):
        for v, rows in self.rows.items():
            name = self.name + ("-" + v if v else "")
            with open(os.path.join(outdir, name + ".csv"), "w") as f:
                f.write("\n".join(rows) + "\n")

    def write_pcap(self, outdir, nano=False):
        """Classic pcap, Ethernet, microsecond or nanosecond stamps."""
        div = 1 if nano else 1000
        with open(os.path.join(outdir, self.name + ".pcap"), "wb") as f:
            f.write(struct.pack("<IHHiIII",
                                0xa1b23c4d if nano else 0xa1b2c3d4,
                                2, 4, 0, 0, 65535, 1))
            for ts, data in self.frames:
                sec, sub = divmod(ts, 10**9)
                assert sub % div == 0, "time not representable"
                f.write(struct.pack("<IIII", sec, sub // div, len(data),
                                    len(data)))
                f.write(data)

    def write_pcapng(self, outdir):
        """pcapng: one section, one Ethernet interface, if_tsresol 10^-9."""
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            n = 12 + len(body)
            return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

        shb = block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))
        opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
        idb = block(1, struct.pack("<HHI", 1, 0, 65535) + opts)
        with open(os.path.join(outdir, self.name + ".pcapng"), "wb") as f:
            f.write(shb + idb)
            for ts, data in self.frames:
                f.write(block(6, struct.pack("<IIIII", 0, ts >> 32,
                                             ts & 0xffffffff, len(data),
                                             len(data)) + data))


# ---------------------------------------------------------------- dns

def make_dns():
    """DNS over IPv4: the lifecycle of spec section 11, rows 1-9 and 19.

    Flows (names used in the comments):
      F1  C1:40001 -> RES:53     query, repeat, reply, ASSURED at 2.5 s
      F2  RES:5353 -> C1:40001   the "reply" from a wrong source port
      F3  C2:40002 -> RES:53     replied, next packet exactly 2 s after
                                 creation: NOT assured (strictly > 2 s)
      F4  C3:40003 -> S2:53      first reply only after 3.5 s
      F5  C3:40004 -> S2:53      unreplied; ICMP port unreachable
      F6  S2:53 -> C3:40004      role reversal after F5 expired
      F7  C2:40005 -> RES:53     unreplied, repeated after 31 s idle
    """
    c = Capture("dns", 1700000000)
    f1q = udp4(C1, 40001, RES, 53, query("example.com", 0x1001))
    f1r = udp4(RES, 53, C1, 40001, answer("example.com", 0x1001))
    f5q = udp4(C3, 40004, S2, 53, query("example.net", 0x5001))
    unknown = udp4(C3, 40009, S2, 53, query("example.org", 0x5009))

    # F1 created: deadline 30.0
    c.add("0.000000", f1q, "NEW original")
    # not IP at the link layer: never reaches the library
    c.add("0.100000", Ether(src=MAC_HOST, dst="ff:ff:ff:ff:ff:ff") /
          ARP(psrc=C1, pdst=RES, hwsrc=MAC_HOST), "IGNORED")
    # IP but neither UDP nor an ICMP error: untracked by the library
    c.add("0.150000", eth() / IP(src=C1, dst=RES) /
          TCP(sport=50000, dport=53, flags="S", seq=1), "IGNORED")
    c.add("0.160000", eth() / IP(src=C1, dst=RES) /
          ICMP(type=8, id=1, seq=1), "IGNORED")
    # 3.3: every original packet before the first reply is NEW (30.2)
    c.add("0.200000", f1q, "NEW original")
    # 11 row 7: a reply from another source port is a new flow, F2 (30.3)
    c.add("0.300000", udp4(RES, 5353, C1, 40001,
                           answer("example.com", 0x1001)), "NEW original")
    # first reply: ESTABLISHED, reply direction; SEEN_REPLY, 30 s (30.4)
    c.add("0.400000", f1r, "ESTABLISHED reply")
    # after the reply, < 2 s old: ESTABLISHED, still 30 s (30.5, 30.55)
    c.add("0.500000", udp4(C1, 40001, RES, 53,
                           query("example.com", 0x1002, "AAAA")),
          "ESTABLISHED original")
    c.add("0.550000", udp4(RES, 53, C1, 40001,
                           answer("example.com", 0x1002, "AAAA")),
          "ESTABLISHED reply")
    # F3 created (31.0), replied (31.05)
    c.add("1.000000", udp4(C2, 40002, RES, 53, query("a.example", 0x2001)),
          "NEW original")
    c.add("1.050000", udp4(RES, 53, C2, 40002, answer("a.example", 0x2001)),
          "ESTABLISHED reply")
    # 3.5: 2.5 s after F1's first packet, after a reply: ASSURED, 120 s
    # (deadline 122.5)
    c.add("2.500000", udp4(C1, 40001, RES, 53, query("b.example", 0x1003)),
          "ESTABLISHED original")
    # exactly 2 s after F3's first packet: not "more than 2 s", so 30 s
    # and no ASSURED (deadline 33.0; frame 25 depends on it)
    c.add("3.000000", udp4(C2, 40002, RES, 53, query("c.example", 0x2002)),
          "ESTABLISHED original")
    # F4 created (34.0)
    c.add("4.000000", udp4(C3, 40003, S2, 53, query("d.example", 0x4001)),
          "NEW original")
    # F5 created (35.0)
    c.add("5.000000", f5q, "NEW original")
    # 6a: port unreachable from the server about F5's query: RELATED,
    # reply direction, tuple of the quoted datagram; no refresh (still 35.0)
    c.add("5.100000", eth() / IP(src=S2, dst=C3) /
          ICMP(type=3, code=3) / Raw(quote(f5q, 28)), "RELATED reply",
          tup(C3, 40004, S2, 53))
    # 6a step 7: an error about a datagram of no flow is INVALID
    c.add("5.200000", eth() / IP(src=S2, dst=C3) /
          ICMP(type=3, code=3) / Raw(quote(unknown, 28)),
          "INVALID icmp_unknown_flow", tup(C3, 40009, S2, 53))
    # F7 created (36.0)
    c.add("6.000000", udp4(C2, 40005, RES, 53, query("e.example", 0x7001)),
          "NEW original")
    # 11 row 6: first reply 3.5 s after creation: 30 s, not ASSURED (37.5)
    c.add("7.500000", udp4(S2, 53, C3, 40003, answer("d.example", 0x4001)),
          "ESTABLISHED reply")
    # the next packet, 3.6 s after creation: ASSURED, 120 s (127.6)
    c.add("7.600000", udp4(C3, 40003, S2, 53, query("f.example", 0x4002)),
          "ESTABLISHED original")
    # F2's deadline was 30.3: gone, so this is not F2's reply but a new
    # flow F2' (60.31).  10 ms after the deadline, not at it: the kernel
    # counts time in jiffies (4 ms at HZ=250) and libudpct in 4.19 ms
    # ticks, so expiry is only defined to within one tick.
    c.add("30.310000", udp4(C1, 40001, RES, 5353, Raw(b"\0" * 12)),
          "NEW original")
    # F5 expired at 35.0 (the ICMP error did not refresh it): the server
    # speaking first now becomes the originator, F6 (65.05)
    c.add("35.050000", udp4(S2, 53, C3, 40004, answer("example.net",
                                                      0x5001)),
          "NEW original")
    # ... and the client is F6's reply (65.1)
    c.add("35.100000", udp4(C3, 40004, S2, 53, query("example.net",
                                                     0x5002)),
          "ESTABLISHED reply")
    # F7 expired at 36.0 unreplied: NEW again, F7' (67.0)
    c.add("37.000000", udp4(C2, 40005, RES, 53, query("e.example", 0x7002)),
          "NEW original")
    # F3 expired at 33.0 (not ASSURED): NEW again, F3' (70.0)
    c.add("40.000000", udp4(C2, 40002, RES, 53, query("g.example", 0x2003)),
          "NEW original")
    # F1 is ASSURED with 120 s (deadline 122.5): still there (170.0)
    c.add("50.000000", udp4(RES, 53, C1, 40001, answer("b.example",
                                                        0x1003)),
          "ESTABLISHED reply")
    # F4 is ASSURED (127.6): still there (179.0)
    c.add("59.000000", udp4(C3, 40003, S2, 53, query("h.example", 0x4003)),
          "ESTABLISHED original")
    # Live at 59.0 (checked by tests/tool, --list): F1 111 s ASSURED,
    # F2' 1 s, F3' 11 s, F7' 8 s (UNREPLIED), F4 120 s ASSURED, F6 6 s.
    # Created 10 flows, 4 expired (F2, F3, F5, F7), 6 live.
    return c


# ---------------------------------------------------------------- flood

def make_flood():
    """IPv4: an unreplied flood, then every kind of malformed datagram of
    spec 5.2 (and the IP-level checks), each on its own source port."""
    c = Capture("flood", 1700000100)
    # 200 queries from 200 source ports, one every 1.000123 ms (a
    # nanosecond pcap keeps the odd nanoseconds): 200 NEW flows
    for i in range(200):
        t = "%d.%09d" % divmod(i * 1000123, 10**9)
        c.add(t, udp4(FLOODER, 10000 + i, AUTH, 53,
                      query("flood%d.example" % i, i)), "NEW original")

    def raw4(l4, **kw):
        return ip4_raw(FLOODER, AUTH, l4, **kw)

    def seg(port, payload=b"\x12\x34" * 6, **kw):
        return udp_raw(FLOODER, AUTH, port, 53, payload, **kw)

    # 5.2 step 4: bad checksum on a new flow: INVALID, no flow
    c.add("0.300000", with_bad_udp_checksum(
        udp4(FLOODER, 20001, AUTH, 53, query("bad.example", 1))),
        "INVALID bad_checksum")
    # 5.2 step 2: UDP length beyond the IP payload
    c.add("0.310000", raw4(seg(20002, ulen=8 + 12 + 10)),
          "INVALID bad_udp_length", tup(FLOODER, 20002, AUTH, 53))
    # 5.2 step 2: UDP length below 8
    c.add("0.320000", raw4(seg(20003, ulen=5)),
          "INVALID bad_udp_length", tup(FLOODER, 20003, AUTH, 53))
    # 5.2 step 1: 6 bytes of UDP header: short, but the ports were read
    c.add("0.330000", raw4(struct.pack("!HHH", 20004, 53, 14)),
          "INVALID truncated_udp_header", tup(FLOODER, 20004, AUTH, 53))
    # 2 bytes: not even the ports, so no tuple
    c.add("0.340000", raw4(struct.pack("!H", 20005)),
          "INVALID truncated_udp_header", "")
    # 5.2 step 3: checksum 0 means "none": valid
    c.add("0.350000", raw4(seg(20007, csum=0)), "NEW original",
          tup(FLOODER, 20007, AUTH, 53))
    # 0xffff is valid only when the computed sum really is 0: make the
    # last payload word cancel the rest
    zero_sum = seg(20008, b"\x12\x34" * 5 + b"\0\0", csum=0)
    fix = udp_checksum(FLOODER, AUTH, zero_sum)
    good_ffff = zero_sum[:-2] + struct.pack("!H", fix)
    good_ffff = good_ffff[:6] + b"\xff\xff" + good_ffff[8:]
    assert udp_checksum(FLOODER, AUTH, good_ffff[:6] + b"\0\0" +
                        good_ffff[8:]) == 0xffff
    c.add("0.360000", raw4(good_ffff), "NEW original",
          tup(FLOODER, 20008, AUTH, 53))
    # ... and bad otherwise
    c.add("0.370000", raw4(seg(20009, csum=0xffff)),
          "INVALID bad_checksum", tup(FLOODER, 20009, AUTH, 53))
    # 11 row 26: UDP length < IP payload: checksum 0 -> NEW; RFC checksum
    # over the UDP length -> INVALID (the kernel sums the whole IP
    # payload); checksum over the whole IP payload -> NEW
    trailer = b"\xee" * 8
    c.add("0.380000", raw4(seg(20010, b"abcd", csum=0,
                                      trailer=trailer)),
          "NEW original", tup(FLOODER, 20010, AUTH, 53))
    c.add("0.390000", raw4(seg(20011, b"abcd", trailer=trailer)),
          "INVALID bad_checksum", tup(FLOODER, 20011, AUTH, 53))
    c.add("0.400000", raw4(seg(20012, b"abcd", trailer=trailer,
                                      sum_whole_payload=True)),
          "NEW original", tup(FLOODER, 20012, AUTH, 53))
    # 3.3: a reply that fails validation is INVALID and sets no SEEN_REPLY
    c.add("0.410000", with_bad_udp_checksum(
        udp4(AUTH, 53, FLOODER, 10000, answer("flood0.example", 0))),
        "INVALID bad_checksum")
    # ... so the client's next packet on that flow is still NEW
    c.add("0.420000", udp4(FLOODER, 10000, AUTH, 53,
                           query("flood0.example", 1)), "NEW original")
    # and a valid reply is ESTABLISHED
    c.add("0.430000", udp4(AUTH, 53, FLOODER, 10000,
                           answer("flood0.example", 1)),
          "ESTABLISHED reply")
    # 5.1: a bad IPv4 header checksum (ip_rcv would drop it): no tuple
    bad_ip = udp4(FLOODER, 20016, AUTH, 53, query("ip.example", 16))
    good_ip_sum = Ether(bytes(bad_ip))[IP].chksum
    bad_ip[IP].chksum = good_ip_sum ^ 0x0f0f
    c.add("0.440000", bad_ip, "INVALID bad_ip_checksum", "")
    # a minimum-size Ethernet frame: 16 bytes of padding after the IP
    # packet must be ignored (the checksum covers the datagram only)
    c.add("0.450000", bytes(udp4(FLOODER, 20017, AUTH, 53, Raw(b"hi"))) +
          b"\0" * 16, "NEW original", tup(FLOODER, 20017, AUTH, 53))
    # 1: fragments are reassembled before conntrack; a lone one is INVALID
    c.add("0.460000", raw4(seg(20018, b"x" * 16, ulen=8 + 64),
                           flags="MF", frag=0, id=0x4242),
          "INVALID fragment", "")
    c.add("0.470000", raw4(b"y" * 24, frag=3, id=0x4242),
          "INVALID non_first_fragment", "")
    # IP options (IHL 6) are skipped
    c.add("0.480000", eth() / IP(src=FLOODER, dst=AUTH,
                                 options=[IPOption_Router_Alert()]) /
          UDP(sport=20020, dport=53) / query("opt.example", 20),
          "NEW original")
    # 5.1: IP version 5 behind an IPv4 ethertype; IHL 4 (< 20 bytes)
    c.add("0.490000", set_ip_first_byte(
        udp4(FLOODER, 20021, AUTH, 53, Raw(b"v5")), 0x55),
        "INVALID bad_ip_version", "")
    c.add("0.500000", set_ip_first_byte(
        udp4(FLOODER, 20022, AUTH, 53, Raw(b"ihl")), 0x44),
        "INVALID bad_ihl", "")
    # Counted: 206 flows created (200 + 20007, 20008, 20010, 20012,
    # 20017, 20020); INVALID bad_checksum 4, bad_udp_length 2,
    # truncated_udp_header 2, one each of the IP-level reasons.
    return c


# ---------------------------------------------------------------- ipv6

def make_ipv6():
    """IPv6: extension headers (5.4, 11 row 30), zero and bad checksums
    (5.2), ICMPv6 errors (6a), fragments (1)."""
    c = Capture("ipv6", 1700000300)
    q0 = udp6(C6, 50000, R6, 53, query("v6.example", 0x6000, "AAAA"),
              IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]))
    q1 = udp6(C6, 50001, R6, 53, query("zero.example", 0x6001, "AAAA"))
    q1[UDP].chksum = 0
    q3 = udp6(C6, 50003, R6, 53, query("bad.example", 0x6003, "AAAA"))

    # 11 row 30: Destination Options before UDP: tracked by the UDP ports
    c.add("0.000000", q0, "NEW original")
    # the reply without the extension header matches the flow
    c.add("0.010000", udp6(R6, 53, C6, 50000,
                           answer("v6.example", 0x6000, "AAAA")),
          "ESTABLISHED reply")
    # Hop-by-Hop + Destination Options: still the same flow
    c.add("0.020000", udp6(C6, 50000, R6, 53,
                           query("v6.example", 0x6001, "AAAA"),
                           IPv6ExtHdrHopByHop(options=[PadN(
                               optdata=b"\0" * 4)]),
                           IPv6ExtHdrDestOpt(options=[PadN(
                               optdata=b"\0" * 4)])),
          "ESTABLISHED original")
    # 5.2 step 3: a zero checksum is accepted on IPv6 too
    c.add("0.100000", q1, "NEW original")
    # 6a (IPv6 step 5): port unreachable about it: RELATED, reply
    c.add("0.110000", eth(True) / IPv6(src=R6, dst=C6) /
          ICMPv6DestUnreach(code=4) / Raw(quote(q1, 48 + 8)),
          "RELATED reply", tup(C6, 50001, R6, 53))
    # 5.2 step 4: bad checksum, new flow: INVALID
    c.add("0.200000", with_bad_udp_checksum(
        udp6(C6, 50002, R6, 53, query("x.example", 0x6002, "AAAA"))),
        "INVALID bad_checksum")
    # a flow, an INVALID reply (no SEEN_REPLY), so the next query is NEW
    c.add("0.300000", q3, "NEW original")
    c.add("0.310000", with_bad_udp_checksum(
        udp6(R6, 53, C6, 50003, answer("bad.example", 0x6003, "AAAA"))),
        "INVALID bad_checksum")
    c.add("0.320000", udp6(C6, 50003, R6, 53,
                           query("bad.example", 0x6004, "AAAA")),
          "NEW original")
    # echo request: not UDP, not an error: untracked by the library
    c.add("0.400000", eth(True) / IPv6(src=C6, dst=R6) /
          ICMPv6EchoRequest(id=1, seq=1), "IGNORED")
    # 1: a first fragment is reassembled before conntrack: INVALID alone
    first = udp_raw(C6, R6, 50004, 53, b"z" * 24, ulen=8 + 1200)
    c.add("0.500000", eth(True) / IPv6(src=C6, dst=R6) /
          IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x600d) /
          Raw(first), "INVALID fragment", "")
    # 5.1: a Destination Options header claiming 48 bytes of 16
    c.add("0.600000", eth(True) / IPv6(src=C6, dst=R6, nh=60) /
          Raw(b"\x11\x05" + b"\0" * 14), "INVALID bad_extension_header",
          "")
    # 6a: Packet Too Big from a router (any source may send errors),
    # quoting q0 with its extension header: RELATED, reply direction
    c.add("0.700000", eth(True) / IPv6(src=ROUTER6, dst=C6) /
          ICMPv6PacketTooBig(mtu=1280) / Raw(quote(q0, 48 + 8 + 8)),
          "RELATED reply", tup(C6, 50000, R6, 53))
    # 6a step 8: addressed to another host than the quoted sender
    c.add("0.800000", eth(True) / IPv6(src=R6, dst=C6_OTHER) /
          ICMPv6DestUnreach(code=4) / Raw(quote(q3, 48)),
          "INVALID icmp_daddr_mismatch", tup(C6, 50003, R6, 53))
    # ESP: not tracked
    c.add("0.900000", eth(True) / IPv6(src=C6, dst=R6, nh=50) /
          Raw(b"\0\0\0\x01\0\0\0\x01" + b"\0" * 16), "IGNORED")
    # 1: an atomic fragment (offset 0, M=0) is a whole datagram: tracked
    c.add("1.000000", udp6(C6, 50005, R6, 53,
                           query("atomic.example", 0x6005, "AAAA"),
                           IPv6ExtHdrFragment(offset=0, m=0, id=0x600e)),
          "NEW original")
    c.add("1.100000", udp6(R6, 53, C6, 50005,
                           answer("atomic.example", 0x6005, "AAAA")),
          "ESTABLISHED reply")
    return c


# ---------------------------------------------------------------- tftp

TFTP = "198.51.100.69"          # a TFTP server
TFTP2 = "203.0.113.69"          # another one
TFTP6 = "2001:db8:2::69"


def tftp_req(op, name):
    """RRQ (1) or WRQ (2): opcode, file name, mode (RFC 1350)."""
    return Raw(struct.pack("!H", op) + name + b"\0octet\0")


def tftp_data(block, payload):
    return Raw(struct.pack("!HH", 3, block) + payload)


def tftp_ack(block):
    return Raw(struct.pack("!HH", 4, block))


def tftp_error(code, msg):
    return Raw(struct.pack("!HH", 5, code) + msg + b"\0")


def make_tftp():
    """TFTP with the server answering from a new port (spec 6c, section 11
    rows 17 and 18), replayed with --helper=tftp (tftp.csv) and without it
    (tftp-nohelper.csv, keyword nohelper= below where the verdict differs).

    With the helper, a read (RRQ, opcode 1) or write (WRQ, opcode 2)
    request to port 69 expects the server's answer from any source port to
    the client's port: a single-use expectation for 300 s that dies with
    the request's flow.  The answer's flow is RELATED (original direction)
    until the client replies, then ESTABLISHED.  Without the helper the
    answer is simply a new flow: NEW until the client replies.

    Flows:
      R1  C1:3000 -> TFTP:69      RRQ, IPv4; data from TFTP:4000
      W1  C2:3001 -> TFTP:69      WRQ, IPv4; acks from TFTP:4100
      R6  C6:3002 -> TFTP6:69     RRQ, IPv6; data from TFTP6:4200
      R2  C3:3003 -> TFTP:69      RRQ whose first answer has a bad checksum
      X   C3:3004 -> TFTP:69      an ERROR packet, not a request
      R3  C1:3005 -> TFTP:69      RRQ whose answer comes after the request's
                                  flow expired and was reaped
    """
    c = Capture("tftp", 1700000500, variants=("nohelper",))
    block = bytes(range(256)) * 2             # a full 512-byte block

    # R1: spec 6c's observed sequence, exactly.  RRQ: NEW (+expectation
    # TFTP:* -> C1:3000, 300 s)
    c.add("0.000000", udp4(C1, 3000, TFTP, 69, tftp_req(1, b"boot.img")),
          "NEW original")
    # DATA 1 from a new port: matches the expectation, which is used up;
    # RELATED, original direction of a new flow TFTP:4000 -> C1:3000
    c.add("0.010000", udp4(TFTP, 4000, C1, 3000, tftp_data(1, block)),
          "RELATED original", nohelper="NEW original")
    # the same DATA again (the client was slow): RELATED until a reply
    c.add("0.510000", udp4(TFTP, 4000, C1, 3000, tftp_data(1, block)),
          "RELATED original", nohelper="NEW original")
    # the client's ACK is that flow's first reply: ESTABLISHED, reply
    c.add("0.511000", udp4(C1, 3000, TFTP, 4000, tftp_ack(1)),
          "ESTABLISHED reply")
    # and from then on the flow is ESTABLISHED both ways
    c.add("0.520000", udp4(TFTP, 4000, C1, 3000,
                           tftp_data(2, b"end of file\n")),
          "ESTABLISHED original")
    c.add("0.521000", udp4(C1, 3000, TFTP, 4000, tftp_ack(2)),
          "ESTABLISHED reply")
    # a second server port: the expectation was single-use, so NEW
    c.add("0.600000", udp4(TFTP, 4001, C1, 3000, tftp_data(1, block)),
          "NEW original")
    # another server to the same client port: the expectation named
    # TFTP's address exactly, so NEW
    c.add("0.700000", udp4(TFTP2, 4000, C1, 3000, tftp_data(1, block)),
          "NEW original")

    # W1: a write.  WRQ: NEW (+expectation TFTP:* -> C2:3001)
    c.add("1.000000", udp4(C2, 3001, TFTP, 69, tftp_req(2, b"log.txt")),
          "NEW original")
    # the server's ACK 0 from a new port: RELATED
    c.add("1.010000", udp4(TFTP, 4100, C2, 3001, tftp_ack(0)),
          "RELATED original", nohelper="NEW original")
    # the client's DATA is that flow's first reply; then ESTABLISHED
    c.add("1.020000", udp4(C2, 3001, TFTP, 4100, tftp_data(1, block)),
          "ESTABLISHED reply")
    c.add("1.030000", udp4(TFTP, 4100, C2, 3001, tftp_ack(1)),
          "ESTABLISHED original")
    c.add("1.040000", udp4(C2, 3001, TFTP, 4100, tftp_data(2, b"bye\n")),
          "ESTABLISHED reply")
    c.add("1.050000", udp4(TFTP, 4100, C2, 3001, tftp_ack(2)),
          "ESTABLISHED original")

    # R6: the helper works for IPv6 too (nf_conntrack_tftp is l3-agnostic)
    c.add("2.000000", udp6(C6, 3002, TFTP6, 69, tftp_req(1, b"v6.img")),
          "NEW original")
    c.add("2.010000", udp6(TFTP6, 4200, C6, 3002, tftp_data(1, block)),
          "RELATED original", nohelper="NEW original")
    c.add("2.020000", udp6(C6, 3002, TFTP6, 4200, tftp_ack(1)),
          "ESTABLISHED reply")

    # R2: 11 row 18.  RRQ NEW (+expectation TFTP:* -> C3:3003)
    c.add("3.000000", udp4(C3, 3003, TFTP, 69, tftp_req(1, b"x")),
          "NEW original")
    # the first answer has a bad UDP checksum: INVALID (5.2), and - as in
    # the kernel, which matches expectations before validating - it uses
    # the expectation up
    c.add("3.010000", with_bad_udp_checksum(
        udp4(TFTP, 4300, C3, 3003, tftp_data(1, block))),
        "INVALID bad_checksum")
    # so the valid answer after it is NEW, with or without the helper
    c.add("3.020000", udp4(TFTP, 4300, C3, 3003, tftp_data(1, block)),
          "NEW original")

    # X: only RRQ and WRQ expect anything (6c): an ERROR to port 69 ...
    c.add("3.100000", udp4(C3, 3004, TFTP, 69,
                           tftp_error(0, b"no request")), "NEW original")
    # ... leaves the answer from another port NEW
    c.add("3.110000", udp4(TFTP, 4400, C3, 3004, tftp_data(1, block)),
          "NEW original")

    # R3: RRQ at 4.0; the request's flow is never answered on port 69, so
    # it expires at 34.0 (30 s, 4), long before its expectation (304.0)
    c.add("4.000000", udp4(C1, 3005, TFTP, 69, tftp_req(1, b"late")),
          "NEW original")
    # 6b: expectations die with their master.  The kernel deletes an
    # expired master only when something meets it (a lookup of its tuple,
    # a dump, a GC pass about 60 s apart), so in the window between
    # expiry and deletion its expectations still match ("deleted is not
    # expired"); libudpct deletes the master when udpct_table_advance()
    # reaps it (docs/helpers.md), and udpct replay advances the clock
    # before every frame.  At 40.0 the master was reaped at 34.0: the
    # expectation is gone and the late answer is NEW.
    c.add("40.000000", udp4(TFTP, 4500, C1, 3005, tftp_data(1, block)),
          "NEW original")
    return c


# ---------------------------------------------------------------- icmp

ROUTER4 = "203.0.113.1"


def make_icmp():
    """ICMP and ICMPv6 errors about UDP (spec 6a, section 11 rows 9-16 and
    28): port unreachable and time exceeded for a tracked flow (RELATED,
    whoever sends it) and an unknown one (INVALID), an error in the
    original direction, the outer destination check, truncated quotes, an
    error about an error, a bad ICMP checksum; and that errors neither
    refresh a flow nor set SEEN_REPLY (6a step 9).

    Flows: Q4 C1:41000 -> RES:53 (IPv4), Q6 C6:42000 -> R6:53 (IPv6).
    """
    c = Capture("icmp", 1700000600)
    q4 = udp4(C1, 41000, RES, 53, query("icmp.example", 0x4100))
    r4 = udp4(RES, 53, C1, 41000, answer("icmp.example", 0x4100))
    u4 = udp4(C1, 41001, RES, 53, query("unknown.example", 0x4101))
    q6 = udp6(C6, 42000, R6, 53, query("icmp6.example", 0x4200, "AAAA"))
    r6 = udp6(R6, 53, C6, 42000, answer("icmp6.example", 0x4200, "AAAA"))
    u6 = udp6(C6, 42001, R6, 53, query("unknown6.example", 0x4201, "AAAA"))
    t_q4, t_q6 = tup(C1, 41000, RES, 53), tup(C6, 42000, R6, 53)
    t_r4, t_r6 = tup(RES, 53, C1, 41000), tup(R6, 53, C6, 42000)

    def err4(src, dst, quoted, nbytes=None, typ=3, code=3, **kw):
        q = quote(quoted, nbytes if nbytes else 1500)
        return eth() / IP(src=src, dst=dst) / ICMP(type=typ, code=code,
                                                   **kw) / Raw(q)

    def err6(src, dst, quoted, layer, nbytes=None):
        q = quote(quoted, nbytes if nbytes else 1232)
        return eth(True) / IPv6(src=src, dst=dst) / layer / Raw(q)

    # ---- IPv4
    # Q4 created: deadline 30.0
    c.add("0.000000", q4, "NEW original")
    # row 9: port unreachable from the server about Q4's query: RELATED,
    # reply direction; the tuple column is the quoted datagram's
    pu4 = err4(RES, C1, q4)
    c.add("0.010000", pu4, "RELATED reply", t_q4)
    # row 10: time exceeded from a router on the path: the outer source
    # is not checked (6a step 8), so RELATED too
    c.add("0.020000", err4(ROUTER4, C1, q4, typ=11, code=0),
          "RELATED reply", t_q4)
    # row 12: port unreachable about a datagram of no flow: INVALID
    c.add("0.030000", err4(RES, C1, u4), "INVALID icmp_unknown_flow",
          tup(C1, 41001, RES, 53))
    # ... and time exceeded from the router about it
    c.add("0.040000", err4(ROUTER4, C1, u4, typ=11, code=0),
          "INVALID icmp_unknown_flow", tup(C1, 41001, RES, 53))
    # row 15: 4 bytes of quoted UDP hold both ports: RELATED
    c.add("0.050000", err4(RES, C1, q4, 20 + 4), "RELATED reply", t_q4)
    # ... 2 bytes do not (6a step 5): INVALID, and no tuple could be read
    c.add("0.060000", err4(RES, C1, q4, 20 + 2), "INVALID bad_icmp_quote",
          "")
    # row 14: the client answers the server's port unreachable with an
    # error of its own: an error about an error cannot be inverted (6a
    # step 6): INVALID; the quote is ICMP, so no UDP tuple
    c.add("0.070000", err4(C1, RES, pu4[IP]), "INVALID icmp_quotes_untracked",
          "")
    # row 13: an error about Q4's query addressed to another host than
    # the query's sender (6a step 8): INVALID
    c.add("0.075000", err4(RES, C2, q4), "INVALID icmp_daddr_mismatch", t_q4)
    # row 16: a bad ICMP checksum (6a step 2): INVALID, found before the
    # quote is read (step 5), so no tuple
    c.add("0.078000", err4(RES, C1, q4, chksum=0x1234),
          "INVALID bad_icmp_checksum", "")
    # 6a step 9: none of these errors set SEEN_REPLY, so the client's
    # next query is still NEW (deadline 30.08)
    c.add("0.080000", q4, "NEW original")
    # and the server's answer is the first reply (30.085)
    c.add("0.085000", r4, "ESTABLISHED reply")
    # row 11: the client reports the server's answer undeliverable: the
    # quoted datagram is in the reply direction, so the error is RELATED
    # in the original direction
    c.add("0.090000", err4(C1, RES, r4), "RELATED original", t_r4)

    # ---- IPv6 (row 28)
    # Q6 created: deadline 31.0
    c.add("1.000000", q6, "NEW original")
    # port unreachable (ICMPv6 1/4) from the server: RELATED, reply
    pu6 = err6(R6, C6, q6, ICMPv6DestUnreach(code=4))
    c.add("1.010000", pu6, "RELATED reply", t_q6)
    # time exceeded (ICMPv6 3/0) from a router: RELATED, reply
    c.add("1.020000", err6(ROUTER6, C6, q6, ICMPv6TimeExceeded(code=0)),
          "RELATED reply", t_q6)
    # packet too big (ICMPv6 2) from a router: RELATED, reply
    c.add("1.025000", err6(ROUTER6, C6, q6, ICMPv6PacketTooBig(mtu=1280)),
          "RELATED reply", t_q6)
    # the same two errors about a datagram of no flow: INVALID
    c.add("1.030000", err6(R6, C6, u6, ICMPv6DestUnreach(code=4)),
          "INVALID icmp_unknown_flow", tup(C6, 42001, R6, 53))
    c.add("1.040000", err6(ROUTER6, C6, u6, ICMPv6TimeExceeded(code=0)),
          "INVALID icmp_unknown_flow", tup(C6, 42001, R6, 53))
    # 4 bytes of quoted UDP: RELATED; 2 bytes: INVALID, no tuple
    c.add("1.050000", err6(R6, C6, q6, ICMPv6DestUnreach(code=4), 40 + 4),
          "RELATED reply", t_q6)
    c.add("1.060000", err6(R6, C6, q6, ICMPv6DestUnreach(code=4), 40 + 2),
          "INVALID bad_icmp_quote", "")
    # an error about the server's error: INVALID
    c.add("1.070000", err6(C6, R6, pu6[IPv6], ICMPv6DestUnreach(code=4)),
          "INVALID icmp_quotes_untracked", "")
    # addressed to another host than the query's sender: INVALID
    c.add("1.075000", err6(R6, C6_OTHER, q6, ICMPv6DestUnreach(code=4)),
          "INVALID icmp_daddr_mismatch", t_q6)
    # still unreplied: the next query is NEW (31.08), the answer the
    # first reply (31.085)
    c.add("1.080000", q6, "NEW original")
    c.add("1.085000", r6, "ESTABLISHED reply")
    # the client reports the answer undeliverable: RELATED, original
    c.add("1.090000", err6(C6, R6, r6, ICMPv6DestUnreach(code=4)),
          "RELATED original", t_r6)

    # 4, 6a step 9: errors do not refresh.  Q4's last accepted packet was
    # the answer at 0.085 (deadline 30.085): an error at 20.0 is RELATED
    # but does not move the deadline ...
    c.add("20.000000", err4(RES, C1, q4), "RELATED reply", t_q4)
    # ... so at 30.2 the flow is gone and the same error is INVALID
    c.add("30.200000", err4(RES, C1, q4), "INVALID icmp_unknown_flow", t_q4)
    # same for Q6 (deadline 31.085)
    c.add("31.200000", err6(R6, C6, q6, ICMPv6DestUnreach(code=4)),
          "INVALID icmp_unknown_flow", t_q6)
    return c


# ---------------------------------------------------------------- vlan

def make_vlan():
    """pcapng, nanosecond stamps: 802.1Q, 802.1ad and stacked tags, MPLS,
    and non-IP frames behind tags; the link layer must not change a verdict.
    """
    c = Capture("vlan", 1700000400)
    mac = dict(src=MAC_HOST, dst=MAC_GW)

    def ipv4(src, sport, dst, dport, payload):
        return IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / payload

    c.add("0.000000001", Ether(**mac) / Dot1Q(vlan=100) /
          ipv4(C1, 41000, RES, 53, query("vlan.example", 1)),
          "NEW original")
    c.add("0.000500002", Ether(**mac) / Dot1AD(vlan=10) / Dot1Q(vlan=100) /
          ipv4(RES, 53, C1, 41000, answer("vlan.example", 1)),
          "ESTABLISHED reply")
    c.add("0.001000003", Ether(**mac) / Dot1Q(vlan=1) / Dot1Q(vlan=2) /
          Dot1Q(vlan=3) / ipv4(C1, 41000, RES, 53,
                               query("vlan.example", 2)),
          "ESTABLISHED original")
    c.add("0.002000004", Ether(src=MAC_HOST, dst="ff:ff:ff:ff:ff:ff") /
          Dot1Q(vlan=100) / ARP(psrc=C1, pdst=RES, hwsrc=MAC_HOST),
          "IGNORED")
    c.add("0.003000005", Ether(**mac) / Dot1Q(vlan=100) /
          IPv6(src=C6, dst=R6) / UDP(sport=41001, dport=53) /
          query("vlan6.example", 3, "AAAA"), "NEW original")
    # 802.3 length field + LLC (spanning tree): not IP
    c.add("0.004000006", Ether(src=MAC_HOST, dst="01:80:c2:00:00:00",
                               type=38) / Raw(b"\x42\x42\x03" + b"\0" * 35),
          "IGNORED")
    c.add("0.005000007", Ether(**mac, type=0x8847) / MPLS(label=100, s=0) /
          MPLS(label=200, s=1) / ipv4(C1, 41002, RES, 53,
                                      query("mpls.example", 4)),
          "NEW original")
    c.add("0.006000008", Ether(**mac, type=0x9100) / Dot1Q(vlan=7) /
          Dot1Q(vlan=8) / ipv4(RES, 53, C1, 41002,
                               answer("mpls.example", 4)),
          "ESTABLISHED reply")
    return c


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    dns, flood, ipv6, vlan = make_dns(), make_flood(), make_ipv6(), \
        make_vlan()
    tftp, icmp = make_tftp(), make_icmp()
    dns.write_pcap(outdir)
    flood.write_pcap(outdir, nano=True)
    ipv6.write_pcap(outdir)
    vlan.write_pcapng(outdir)
    tftp.write_pcap(outdir)
    icmp.write_pcap(outdir)
    for c in (dns, flood, ipv6, vlan, tftp, icmp):
        c.write_csv(outdir)


if __name__ == "__main__":
    main()
