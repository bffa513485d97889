#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""driver.py - send each scenario's packets through the router namespace,
one at a time, and collect the recorder's traces.

Run by run-live.sh (which builds the namespaces and removes them); needs
root and /usr/bin/python3 with scapy.  For each scenario (scenarios.py):

  1. set the router's conntrack sysctls (inside its namespace only) and
     flush its conntrack table and expectations;
  2. start the recorder in the router namespace and wait for "ready";
  3. run the scenario: every Session.send() writes one crafted frame on the
     client's or the server's veth and waits until the recorder has written
     the packet down (its acknowledgement), so the order is exact;
     Session.snapshot() saves `conntrack -L` from the router;
  4. stop the recorder and write OUT/<scenario>/:
       trace.pcap   the packets as the router's forward hook saw them
       kernel.csv   packet,time_ns,state,dir,status,spec,reason,note
       replay.conf  the settings udpct must replay with
       list-N.txt   `conntrack -L` taken right after packet N
       expect-N.txt `conntrack -L expect` at the same moment (helpers)

The "spec" column holds what the spec (section 11) predicts; a kernel
state that differs from it is printed as a warning (the kernel is the
oracle, but such a line means the spec or the scenario is wrong).
"""
import argparse
import ctypes
import os
import signal
import socket
import struct
import subprocess
import sys
import time

import scenarios

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

ROUTER_MAC = {'client': bytes.fromhex('0200000001fe'),
              'server': bytes.fromhex('0200000002fe')}
OWN_MAC = {'client': bytes.fromhex('020000000101'),
           'server': bytes.fromhex('020000000202')}
IFACE = {'client': 'vc', 'server': 'vs'}

# kernel (state, dir) -> the spec's notation
SHORT = {('NEW', 'original'): 'N', ('ESTABLISHED', 'original'): 'E',
         ('ESTABLISHED', 'reply'): 'E<', ('RELATED', 'original'): 'R',
         ('RELATED', 'reply'): 'R<', ('INVALID', ''): 'I',
         ('UNTRACKED', ''): 'U'}


def in_netns(name, fn):
    """Run fn() with the calling thread in network namespace @name."""
    orig = os.open('/proc/self/ns/net', os.O_RDONLY)
    target = os.open('/run/netns/' + name, os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns %s: %s' % (name, os.strerror(err)))
        try:
            return fn()
        finally:
            if _libc.setns(orig, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), 'setns back')
    finally:
        os.close(orig)
        os.close(target)


class HarnessError(Exception):
    pass


def clean(text):
    return ' '.join(str(text).replace(',', ';').split())


def sameish(sent, got):
    """Is the recorded packet the one sent?  The router decremented the
    TTL / hop limit (and fixed the IPv4 header checksum) before logging."""
    if len(sent) != len(got) or not sent:
        return False
    a, b = bytearray(sent), bytearray(got)
    if a[0] >> 4 == 4:
        for i in (8, 10, 11):
            a[i] = b[i] = 0
    else:
        a[7] = b[7] = 0
    return a == b


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from('<IIII', data, off)
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


class Session:
    """What a scenario function gets: send packets, wait, take snapshots."""

    def __init__(self, drv, scen, outdir):
        self.drv = drv
        self.scen = scen
        self.outdir = outdir
        self.sent = []          # one entry per expected record
        self.t0 = None
        self.csv = None
        self.warnings = []

    # -- time ---------------------------------------------------------
    def at(self, t):
        """Sleep until @t seconds after the scenario's first packet."""
        if self.t0 is None:
            self.t0 = time.monotonic()
        delay = self.t0 + t - time.monotonic()
        if delay < -0.05:
            self.warn('at(%.3f) reached %.3f s late' % (t, -delay))
        if delay > 0:
            time.sleep(delay)

    def sleep(self, s):
        time.sleep(s)

    # -- packets ------------------------------------------------------
    def side_of(self, pkt):
        return scenarios.side_of(pkt)

    def send(self, pkt, note='', expect=None, side=None, records=1,
             verify=True):
        """Send one packet (scapy object or bytes, starting at IP) from the
        side that owns its source address, or from @side.  Wait for
        @records recorder entries (0: check that none comes, e.g. a
        fragment that does not complete its datagram).  verify=False: the
        router records other bytes than were sent (a reassembled
        datagram), so do not compare them."""
        raw = bytes(pkt)
        side = side or self.side_of(pkt)
        ether = b'\x86\xdd' if raw[0] >> 4 == 6 else b'\x08\x00'
        frame = ROUTER_MAC[side] + OWN_MAC[side] + ether + raw
        if self.t0 is None:
            self.t0 = time.monotonic()
        self.drv.socks[side].send(frame)
        if records == 0:
            got = self.drv.wait_ack(0.15)
            if got is not None:
                raise HarnessError('%s: packet "%s" was recorded (%s) '
                                   'but none was expected'
                                   % (self.scen.name, note, got))
            return
        for i in range(records):
            got = self.drv.wait_ack(2.0)
            if got is None:
                raise HarnessError(
                    '%s: packet "%s" (%s) was never recorded by the '
                    'router: not forwarded?' % (self.scen.name, note,
                                               pkt.summary()
                                               if hasattr(pkt, 'summary')
                                               else raw[:40].hex()))
            self.sent.append({'raw': raw if verify else None,
                              'note': note, 'expect': expect or ''})
            self.check_spec(len(self.sent))

    def check_spec(self, n):
        line = self.csv.readline().rstrip('\n')
        while not line:
            time.sleep(0.001)
            line = self.csv.readline().rstrip('\n')
        rec = line.split(',', 6)
        if int(rec[0]) != n:
            raise HarnessError('recorder out of step: record %s, sent %d'
                               % (rec[0], n))
        entry = self.sent[n - 1]
        entry['rec'] = rec
        got = SHORT.get((rec[2], rec[3]), rec[2])
        if entry['expect'] and got != entry['expect']:
            self.warn('packet %d (%s): kernel says %s, the spec predicts '
                      '%s' % (n, entry['note'], got, entry['expect']))

    def warn(self, msg):
        self.warnings.append(msg)
        print('  note: %s: %s' % (self.scen.name, msg), flush=True)

    # -- kernel table ---------------------------------------------------
    def snapshot(self, label=''):
        """Save the router's `conntrack -L` (UDP, both families) now."""
        n = len(self.sent)
        now = time.time_ns()
        lines = []
        for fam in ('ipv4', 'ipv6'):
            out = self.drv.router(['conntrack', '-L', '-f', fam, '-p', 'udp'])
            lines += [l for l in out.splitlines() if l.strip()]
        with open(os.path.join(self.outdir, 'list-%d.txt' % n), 'w') as f:
            f.write('# conntrack -L after packet %d at time_ns=%d %s\n'
                    % (n, now, clean(label)))
            for l in sorted(lines):
                f.write(l + '\n')
        if self.scen.conf.get('helper'):
            exp = []
            for fam in ('ipv4', 'ipv6'):
                out = self.drv.router(['conntrack', '-L', 'expect',
                                       '-f', fam])
                exp += [l for l in out.splitlines() if l.strip()]
            with open(os.path.join(self.outdir, 'expect-%d.txt' % n),
                      'w') as f:
                f.write('# conntrack -L expect after packet %d\n' % n)
                for l in sorted(exp):
                    f.write(l + '\n')


class Driver:
    def __init__(self, args):
        self.args = args
        self.ack_path = args.ack or os.path.join(args.out, 'ack.sock')
        self.ack = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.ack.bind(self.ack_path)
        self.socks = {}
        for side, ns in (('client', args.client), ('server', args.server)):
            def mk(side=side):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((IFACE[side], 0))
                return s
            self.socks[side] = in_netns(ns, mk)
        self.kernel = os.uname().release

    def router(self, argv, check=True):
        r = subprocess.run(['ip', 'netns', 'exec', self.args.router] + argv,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if check and r.returncode != 0:
            raise HarnessError('%s: %s' % (' '.join(argv), r.stderr.strip()))
        return r.stdout

    def sysctl(self, name, value):
        self.router(['sh', '-c', 'echo %s > /proc/sys/net/netfilter/%s'
                     % (value, name)])

    def wait_ack(self, timeout):
        self.ack.settimeout(timeout)
        try:
            return self.ack.recv(64).decode()
        except socket.timeout:
            return None

    def drain_acks(self):
        self.ack.setblocking(False)
        try:
            while True:
                self.ack.recv(64)
        except BlockingIOError:
            pass

    def run(self, scen):
        conf = scen.conf
        outdir = os.path.join(self.args.out, scen.name)
        os.makedirs(outdir, exist_ok=True)
        self.sysctl('nf_conntrack_udp_timeout', conf['udp_timeout'])
        self.sysctl('nf_conntrack_udp_timeout_stream',
                    conf['udp_timeout_stream'])
        self.sysctl('nf_conntrack_checksum', conf['checksum'])
        self.router(['conntrack', '-F'], check=False)
        self.router(['conntrack', '-F', 'expect'], check=False)
        self.drain_acks()
        raw_csv = os.path.join(outdir, 'recorder.csv')
        pcap = os.path.join(outdir, 'trace.pcap')
        rec = subprocess.Popen(
            ['ip', 'netns', 'exec', self.args.router, self.args.recorder,
             '--group', str(self.args.group), '--pcap', pcap,
             '--csv', raw_csv, '--ack', self.ack_path])
        sess = Session(self, scen, outdir)
        try:
            if self.wait_ack(5.0) != 'ready':
                raise HarnessError('the recorder did not start')
            sess.csv = open(raw_csv)
            sess.csv.readline()
            started = time.monotonic()
            scen.fn(sess)
            elapsed = time.monotonic() - started
        finally:
            if sess.csv:
                sess.csv.close()
            rec.send_signal(signal.SIGTERM)
            try:
                rec.wait(5)
            except subprocess.TimeoutExpired:
                rec.kill()
                rec.wait()
        if rec.returncode != 0:
            raise HarnessError('recorder exited with %d' % rec.returncode)
        self.finish(sess, outdir, raw_csv, pcap)
        return sess, elapsed

    def finish(self, sess, outdir, raw_csv, pcap):
        scen = sess.scen
        with open(raw_csv) as f:
            rows = [l.rstrip('\n').split(',', 6) for l in f][1:]
        pkts = read_pcap(pcap)
        if len(rows) != len(sess.sent) or len(pkts) != len(sess.sent):
            raise HarnessError('%s: %d packets expected, %d recorded, %d '
                               'in the pcap' % (scen.name, len(sess.sent),
                                                len(rows), len(pkts)))
        for i, (s, p) in enumerate(zip(sess.sent, pkts)):
            if s['raw'] is not None and not sameish(s['raw'], p):
                raise HarnessError('%s: packet %d (%s) was recorded with '
                                   'other bytes than were sent'
                                   % (scen.name, i + 1, s['note']))
        with open(os.path.join(outdir, 'kernel.csv'), 'w') as f:
            f.write('packet,time_ns,state,dir,status,spec,reason,note\n')
            for s, r in zip(sess.sent, rows):
                f.write('%s,%s,%s,%s,%s,%s,%s,%s\n'
                        % (r[0], r[1], r[2], r[3], r[4], s['expect'],
                           r[6], clean(s['note'])))
        os.unlink(raw_csv)
        with open(os.path.join(outdir, 'replay.conf'), 'w') as f:
            f.write('# conformance scenario %s: recorded on Linux %s\n'
                    % (scen.name, self.kernel))
            f.write('description=%s\n' % clean(scen.doc))
            for k in ('udp_timeout', 'udp_timeout_stream', 'checksum',
                      'helper'):
                f.write('%s=%s\n' % (k, scen.conf.get(k, '')))
            for n, why in sorted(scen.conf.get('differ', {}).items()):
                f.write('differ=%d:%s\n' % (n, clean(why)))
            f.write('kernel=%s\n' % self.kernel)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--client', required=True)
    ap.add_argument('--router', required=True)
    ap.add_argument('--server', required=True)
    ap.add_argument('--recorder', required=True)
    ap.add_argument('--group', type=int, default=7)
    ap.add_argument('--out', required=True)
    ap.add_argument('--ack', help='unix socket path for the recorder\'s '
                    'acknowledgements (default OUT/ack.sock)')
    ap.add_argument('--scenario', action='append', default=[])
    args = ap.parse_args()
    # SIGTERM (run-live.sh's cleanup, meson's timeout) unwinds like SIGINT,
    # so that the running recorder is stopped and waited for
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    todo = scenarios.select(args.scenario)
    drv = Driver(args)
    failed = 0
    for scen in todo:
        if scen.skip_live:
            print('conformance-live: %-20s SKIPPED: %s'
                  % (scen.name, scen.skip_live), flush=True)
            continue
        try:
            sess, elapsed = drv.run(scen)
        except Exception as e:  # one broken scenario must not hide others
            print('conformance-live: %-20s HARNESS ERROR: %s: %s'
                  % (scen.name, type(e).__name__, e), flush=True)
            failed += 1
            continue
        print('conformance-live: %-20s recorded %5d packets in %5.1f s%s'
              % (scen.name, len(sess.sent), elapsed,
                 ' (%d spec notes)' % len(sess.warnings)
                 if sess.warnings else ''), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
