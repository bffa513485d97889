#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Builds the seed corpus of the fuzz targets from real captures: every
IPv4/IPv6 packet of a few Ethernet captures becomes a fuzz_parse seed, and
the first packets of each capture become one fuzz_classify sequence
(record: flags, time step in 10 ms, u16 LE length, L3 bytes).

Usage: make-corpus.py SHARED_CAPTURES_DIR FUZZ_CORPUS_DIR
"""
import hashlib
import os
import struct
import sys

CAPTURES = [
    'tcpdump_tftp.pcap', 'zeek_icmp-destunreach-udp.pcap',
    'zeek_icmp6-destunreach-ip6ext-udp.pcap', 'zeek_icmp6-toobig.pcap',
    'zeek_chksums_ip4-udp-bad-chksum.pcap',
    'zeek_chksums_ip6-udp-bad-chksum.pcap', 'suricata_udp-len-invalid.pcap',
    'zeek_ipv6-fragmented-dns.pcap', 'pcapplusplus_ip4_fragments.pcap',
    'zeek_dns_long-connection.pcap', 'zeek_wikipedia-filtered-plus-udp.pcap',
]


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, ts0 = 24, None
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        et = struct.unpack('>H', frame[12:14])[0] if len(frame) >= 14 else 0
        l3 = frame[14:]
        while et == 0x8100 and len(l3) >= 4:
            et, l3 = struct.unpack('>H', l3[2:4])[0], l3[4:]
        if et not in (0x0800, 0x86dd):
            continue
        t = sec + usec / 1e6
        ts0 = t if ts0 is None else ts0
        yield t, l3


def main():
    src, out = sys.argv[1], sys.argv[2]
    for target in ('parse', 'classify'):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    for name in CAPTURES:
        seq, last = b'', None
        for i, (t, l3) in enumerate(packets(os.path.join(src, name))):
            digest = hashlib.sha1(l3).hexdigest()[:16]
            with open(os.path.join(out, 'parse', digest), 'wb') as f:
                f.write(l3)
            if i < 48:
                step = 0 if last is None else min(255, int((t - last) * 100))
                last = t
                seq += struct.pack('<BBH', 3, step, len(l3)) + l3
        with open(os.path.join(out, 'classify', name + '.seq'), 'wb') as f:
            f.write(seq)


if __name__ == '__main__':
    main()
