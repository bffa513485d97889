#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compare.py - does `udpct replay` give the kernel's verdict for every
packet of a recorded trace?

  compare.py --udpct PATH [--reference TRACES] DIR...

Each DIR is a scenario directory (trace.pcap, kernel.csv, replay.conf,
list-N.txt...) or a directory of them (tests/conformance/traces).  For each
scenario:

  * `udpct replay --format=csv` with the scenario's timeouts and checksum
    setting must give the kernel's state and direction for every packet;
    a mismatch prints the packet, both verdicts, the tuple and the note;
  * each list-N.txt (the kernel's `conntrack -L` right after packet N) must
    match `udpct replay --list` over the first N packets: the same flows,
    [UNREPLIED] and [ASSURED] alike, timeouts within a second (plus the
    time the snapshot took);
  * the kernel's INVALID diagnostics are shown next to our reason (not
    compared: the texts differ by design).

Scenarios that need a udpct option the tool does not have yet (--helper)
are skipped with a message.  Packets listed as differ=N:why in replay.conf
are known, documented differences: reported, not failures.

--reference TRACES (the live suite) also compares the kernel states of the
freshly recorded traces with the committed ones and reports any change.

Standard library only, so any python3 runs it.  Exit 0 when everything
agrees, 1 on a mismatch, 2 on a usage or tool error.
"""
import argparse
import concurrent.futures
import csv
import ipaddress
import math
import os
import struct
import subprocess
import sys
import tempfile

# Kernel diagnostics (nf_conntrack_log_invalid) -> our reason names.
KERNEL_REASONS = [
    ('short packet', 'truncated_udp_header'),
    ('truncated/malformed', 'bad_udp_length'),
    ('bad checksum', 'bad_checksum'),
    ('bad hw icmp checksum', 'bad_icmp_checksum'),
    ('bad icmp checksum', 'bad_icmp_checksum'),
    ('outer daddr', 'icmp_daddr_mismatch'),
]


class ToolError(Exception):
    pass


def read_conf(d):
    conf, differ = {}, {}
    with open(os.path.join(d, 'replay.conf')) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#') or '=' not in line:
                continue
            k, v = line.split('=', 1)
            if k == 'differ':
                n, why = v.split(':', 1)
                differ[int(n)] = why
            else:
                conf[k] = v
    return conf, differ


def read_csv(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise ToolError('%s: not a little-endian pcap file' % path)
    off, recs = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack_from('<I', data, off + 8)[0]
        recs.append((off, off + 16 + incl))
        off += 16 + incl
    return data, recs


def write_prefix(path, n, out):
    data, recs = read_pcap(path)
    end = recs[n - 1][1] if n > 0 else 24
    with open(out, 'wb') as f:
        f.write(data[:end])


def describe(raw):
    """A one-line description of an IP packet, for mismatch reports."""
    try:
        if raw[0] >> 4 == 4:
            hl = (raw[0] & 15) * 4
            src, dst = (ipaddress.ip_address(raw[12:16]),
                        ipaddress.ip_address(raw[16:20]))
            proto, l4, frag = raw[9], raw[hl:], struct.unpack('!H', raw[6:8])[0]
            extra = ' frag=0x%04x' % frag if frag & 0x3fff else ''
        else:
            src, dst = (ipaddress.ip_address(raw[8:24]),
                        ipaddress.ip_address(raw[24:40]))
            proto, l4, extra, off = raw[6], raw[40:], '', 40
            while proto in (0, 43, 60, 44) and len(raw) >= off + 8:
                extra += ' ext%d' % proto
                proto = raw[off]
                off += 8 if proto == 44 else (raw[off + 1] + 1) * 8
                l4 = raw[off:]
        if proto == 17 and len(l4) >= 8:
            sp, dp, ulen, ck = struct.unpack('!HHHH', l4[:8])
            return ('udp %s:%d -> %s:%d ulen=%d csum=0x%04x ip_len=%d%s'
                    % (src, sp, dst, dp, ulen, ck, len(raw), extra))
        if proto in (1, 58) and len(l4) >= 4:
            return ('icmp%s %s -> %s type=%d code=%d len=%d%s'
                    % ('v6' if proto == 58 else '', src, dst, l4[0], l4[1],
                       len(raw), extra))
        return 'proto %d %s -> %s, %d bytes of L4%s' % (proto, src, dst,
                                                        len(l4), extra)
    except (IndexError, ValueError, struct.error):
        return '%d bytes: %s' % (len(raw), raw[:48].hex())


def capacity(conf, npackets):
    """The table size for udpct.  replay.conf's max= when the scenario is
    about a full table (the router's nf_conntrack_max); otherwise the
    kernel's 262144 would do, but a trace of P packets creates at most P
    flows, so any capacity above P gives the same verdicts, and a small
    table is much cheaper to create (the default one is 45 MB)."""
    if conf.get('max'):
        return int(conf['max'])
    cap = 4096
    while cap < 2 * npackets:
        cap *= 2
    return cap


class Udpct:
    def __init__(self, path):
        self.path = path
        try:
            r = subprocess.run([path, 'replay', '--help'], capture_output=True,
                               text=True, timeout=30)
        except OSError as e:
            raise ToolError('cannot run %s: %s' % (path, e))
        self.help = r.stdout

    def supports(self, opt):
        return opt in self.help

    def args(self, conf, npackets):
        a = ['--udp-timeout=%s' % conf['udp_timeout'],
             '--udp-timeout-stream=%s' % conf['udp_timeout_stream'],
             '--checksum=%s' % conf['checksum'],
             '--max=%d' % capacity(conf, npackets)]
        if conf.get('helper'):
            a.append('--helper=%s' % conf['helper'])
        return a

    def run(self, argv):
        r = subprocess.run([self.path, 'replay'] + argv, capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            raise ToolError('udpct replay %s: exit %d: %s'
                            % (' '.join(argv), r.returncode,
                               r.stderr.strip()))
        return r.stdout

    def classify(self, conf, pcap, npackets):
        out = self.run(['--format=csv'] + self.args(conf, npackets) + [pcap])
        return list(csv.DictReader(out.splitlines()))

    def listing(self, conf, pcap, npackets):
        out = self.run(['-q', '--list'] + self.args(conf, npackets) + [pcap])
        return [l for l in out.splitlines() if l.startswith('udp')]


def parse_ct_line(line):
    """A `conntrack -L` line -> (key, timeout, unreplied, assured)."""
    tok = line.split()
    timeout = int(tok[2])
    fields, tuples = {}, []
    for t in tok[3:]:
        if '=' in t:
            k, v = t.split('=', 1)
            if k in fields and k in ('src', 'dst', 'sport', 'dport'):
                tuples.append(fields)
                fields = {}
            fields[k] = v
    tuples.append(fields)
    o = tuples[0]
    key = (str(ipaddress.ip_address(o['src'])), int(o['sport']),
           str(ipaddress.ip_address(o['dst'])), int(o['dport']))
    return key, timeout, '[UNREPLIED]' in tok, '[ASSURED]' in tok


def fmt_key(k):
    return '%s:%d -> %s:%d' % k


class Result:
    """Counters and the report of one scenario (merged at the end)."""
    FIELDS = ('scenarios', 'packets', 'mismatches', 'expected', 'skipped',
              'listings', 'list_mismatches', 'drift')

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, 0)
        self.lines = []

    def say(self, text):
        self.lines.append(text)

    def add(self, other):
        for f in self.FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))


def compare_listing(res, name, d, fname, conf, tool, kernel_rows):
    n = int(fname[5:-4])
    with open(os.path.join(d, fname)) as f:
        lines = f.read().splitlines()
    head = lines[0] if lines and lines[0].startswith('#') else ''
    snap_ns = 0
    for t in head.split():
        if t.startswith('time_ns='):
            snap_ns = int(t[8:])
    delay = 0.0
    if n > 0 and snap_ns:
        delay = max(0.0, (snap_ns - int(kernel_rows[n - 1]['time_ns'])) / 1e9)
    # ours - kernel: the kernel truncates a few ms (delay) later; its
    # deadline is a few microseconds earlier than ours (the recorder's
    # timestamp): so 0..ceil(delay), with a second for rounding jitter.
    # Tight enough to see a refresh that should not have happened 2 s ago.
    lo, hi = -1, max(1, math.ceil(delay))
    kern = {}
    for l in lines:
        if l.startswith('udp'):
            k = parse_ct_line(l)
            kern[k[0]] = k[1:]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, 'prefix.pcap')
        write_prefix(os.path.join(d, 'trace.pcap'), n, prefix)
        ours = {}
        for l in tool.listing(conf, prefix, n):
            k = parse_ct_line(l)
            ours[k[0]] = k[1:]
    res.listings += 1
    problems = []
    for k in sorted(set(kern) | set(ours)):
        if k not in ours:
            problems.append('kernel has %s (%s), udpct has no such flow'
                            % (fmt_key(k), flags(kern[k])))
        elif k not in kern:
            problems.append('udpct has %s (%s), the kernel has no such flow'
                            % (fmt_key(k), flags(ours[k])))
        else:
            kt, ku, ka = kern[k]
            ot, ou, oa = ours[k]
            if (ku, ka) != (ou, oa) or not lo <= ot - kt <= hi:
                problems.append('%s: kernel %s, udpct %s'
                                % (fmt_key(k), flags(kern[k]),
                                   flags(ours[k])))
    if problems:
        res.list_mismatches += 1
        res.say('LIST MISMATCH %s after packet %d (%s):' % (name, n, fname))
        for p in problems:
            res.say('    ' + p)
    return not problems


def flags(v):
    t, unreplied, assured = v
    return 'timeout %d%s%s' % (t, ' UNREPLIED' if unreplied else '',
                               ' ASSURED' if assured else '')


def kernel_reason_name(text):
    low = text.lower()
    for pat, name in KERNEL_REASONS:
        if pat in low:
            return name
    return None


def compare_scenario(res, d, tool, reference):
    name = os.path.basename(os.path.normpath(d))
    conf, differ = read_conf(d)
    kernel = read_csv(os.path.join(d, 'kernel.csv'))
    res.scenarios += 1
    if conf.get('helper') and not tool.supports('--helper'):
        res.skipped += 1
        res.say('SKIP %s: needs `udpct replay --helper=%s`, which the tool '
              'does not have yet (kernel helpers and expectations are a '
              'later issue); the kernel trace (%d packets) is kept'
              % (name, conf['helper'], len(kernel)))
        return
    pcap = os.path.join(d, 'trace.pcap')
    ours = tool.classify(conf, pcap, len(kernel))
    data, recs = read_pcap(pcap)
    if len(ours) != len(kernel) or len(recs) != len(kernel):
        raise ToolError('%s: kernel.csv has %d packets, the pcap %d, udpct '
                        'printed %d' % (name, len(kernel), len(recs),
                                        len(ours)))
    bad = 0
    for i, (k, o) in enumerate(zip(kernel, ours)):
        n = i + 1
        res.packets += 1
        kv = (k['state'], k['dir'])
        ov = (o['state'], o['dir'])
        kr = k.get('reason', '')
        if kv != ov:
            what = ('EXPECTED DIFFERENCE' if n in differ else 'MISMATCH')
            raw = data[recs[i][0] + 16:recs[i][1]]
            res.say('%s %s packet %d: kernel %s%s vs udpct %s%s'
                  % (what, name, n, '/'.join(x for x in kv if x),
                     ' [%s]' % kr if kr else '',
                     '/'.join(x for x in ov if x),
                     ' [%s]' % o['reason'] if o['reason'] else ''))
            res.say('    packet: %s' % describe(raw))
            res.say('    tuple:  %s' % (o['tuple'] or '-'))
            res.say('    note:   %s' % k.get('note', ''))
            if n in differ:
                res.say('    why:    %s' % differ[n])
                res.expected += 1
            else:
                bad += 1
        elif n in differ:
            res.say('NOTE %s packet %d now agrees with the kernel; remove its '
                  'differ= line' % (name, n))
        elif kr and o['state'] == 'INVALID':
            kn = kernel_reason_name(kr)
            if kn and kn != o['reason']:
                res.say('reason %s packet %d: kernel "%s", udpct %s (both '
                      'INVALID)' % (name, n, kr, o['reason']))
    res.mismatches += bad
    lists = sorted((f for f in os.listdir(d)
                    if f.startswith('list-') and f.endswith('.txt')),
                   key=lambda f: int(f[5:-4]))
    lbad = 0
    for f in lists:
        if not compare_listing(res, name, d, f, conf, tool, kernel):
            lbad += 1
    if reference:
        ref = os.path.join(reference, name)
        if os.path.isdir(ref):
            old = read_csv(os.path.join(ref, 'kernel.csv'))
            oldv = [(r['state'], r['dir']) for r in old]
            newv = [(r['state'], r['dir']) for r in kernel]
            if len(oldv) != len(newv):
                res.drift += 1
                res.say('TRACE CHANGED %s: %d packets recorded, %d in the '
                        'committed trace (scenario edited?); commit the new '
                        'one with run-live.sh --update'
                        % (name, len(newv), len(oldv)))
            elif oldv != newv:
                res.drift += 1
                diff = [i + 1 for i in range(len(oldv)) if oldv[i] != newv[i]]
                res.say('KERNEL CHANGED %s: this kernel gives other verdicts '
                        'than the committed trace for packets %s; if that is '
                        'the kernel (not the harness), commit the new trace '
                        'with run-live.sh --update' % (name, diff[:20]))
        else:
            res.say('NEW %s: no committed trace yet (run-live.sh --update)'
                  % name)
    status = 'FAIL' if bad or lbad else 'ok  '
    res.say('%s %-20s %5d packets, %d mismatches, %d listings%s'
          % (status, name, len(kernel), bad, len(lists),
             ', %d listing mismatches' % lbad if lbad else ''))


def scenario_dirs(paths):
    out = []
    for p in paths:
        if os.path.isfile(os.path.join(p, 'replay.conf')):
            out.append(p)
        elif os.path.isdir(p):
            sub = sorted(os.path.join(p, s) for s in os.listdir(p)
                         if os.path.isfile(os.path.join(p, s, 'replay.conf')))
            out += sub
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--udpct', required=True)
    ap.add_argument('--reference')
    ap.add_argument('dirs', nargs='+')
    args = ap.parse_args()
    dirs = scenario_dirs(args.dirs)
    if not dirs:
        print('compare.py: no scenario directories in %s'
              % ' '.join(args.dirs))
        return 2
    res = Result()
    try:
        tool = Udpct(args.udpct)
    except ToolError as e:
        print('compare.py: ERROR: %s' % e)
        return 2

    def one(d):
        r = Result()
        try:
            compare_scenario(r, d, tool, args.reference)
        except (ToolError, OSError, ValueError, KeyError) as e:
            r.say('compare.py: ERROR: %s: %s' % (d, e))
            r.error = True
        return r

    # udpct runs dominate: one scenario per CPU at a time
    errors = 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        for r in ex.map(one, dirs):
            for line in r.lines:
                print(line)
            sys.stdout.flush()
            res.add(r)
            errors += getattr(r, 'error', False)
    print('conformance: %d scenarios (%d skipped), %d packets compared, '
          '%d mismatches, %d expected differences; %d listings compared, '
          '%d listing mismatches%s'
          % (res.scenarios, res.skipped, res.packets, res.mismatches,
             res.expected, res.listings, res.list_mismatches,
             '; %d scenarios differ from the committed traces' % res.drift
             if res.drift else ''))
    if errors:
        return 2
    return 1 if res.mismatches or res.list_mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
