#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""icount.py - instructions per operation of one udpct-bench case, counted
by callgrind (perf counters are not available in every VM; instruction
counts do not depend on the machine's load).

    bench/icount.py BUILD/bench/udpct-bench udpct/classify_v4/65536 \\
        classify_batch udpct_classify

runs the case under `valgrind --tool=callgrind`, collecting only inside
the benchmark's timed loop function (classify_batch, lookup_batch, ...,
possibly a compiler clone such as classify_batch.constprop.0), and prints
for every function called below it the inclusive and self instructions
per call of the unit function (udpct_classify here): where the
instructions of one packet go.  Inclusive counts of a function inlined in
several places, or called from several, are summed.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile


def parse(path):
    """Self cost, inclusive cost per call site, and call counts by name."""
    names = {}
    self_ir = collections.Counter()
    incl = collections.Counter()
    calls = collections.Counter()   # (caller, callee) -> calls
    fn = cfn = None
    pending_calls = None

    def name_of(spec):
        m = re.match(r'\((\d+)\)(?:\s+(.*))?$', spec.strip())
        if not m:
            return spec.strip()
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), m.group(1))

    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('fn='):
                fn = name_of(line[3:])
            elif line.startswith('cfn='):
                cfn = name_of(line[4:])
            elif line.startswith('calls='):
                pending_calls = int(line[6:].split()[0])
            elif line and (line[0].isdigit() or line[0] in '+-*'):
                parts = line.split()
                ir = int(parts[-1]) if len(parts) > 1 else 0
                if pending_calls is not None:
                    calls[(fn, cfn)] += pending_calls
                    incl[cfn] += ir
                    pending_calls = None
                else:
                    self_ir[fn] += ir
    return self_ir, incl, calls


def base(name):
    """Drop compiler clone suffixes: f.constprop.0 -> f."""
    return re.sub(r'\.(constprop|isra|part|cold|lto_priv)\.\d+.*$', '', name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('exe')
    ap.add_argument('case', help='exact benchmark name')
    ap.add_argument('loop', help='timed loop function, e.g. classify_batch')
    ap.add_argument('unit', help='function called once per operation')
    ap.add_argument('--per', type=int, default=1,
                    help='operations per call of the unit function')
    ap.add_argument('--min-time', default='0.05')
    ap.add_argument('--top', type=int, default=25)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, 'cg.out')
        cmd = ['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out,
               '--toggle-collect=' + a.loop + '*', a.exe,
               '--benchmark_min_time=' + a.min_time,
               '--benchmark_filter=^' + re.escape(a.case) + '$']
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self_ir, incl, calls = parse(out)

    agg_self = collections.Counter()
    agg_incl = collections.Counter()
    for k, v in self_ir.items():
        agg_self[base(k)] += v
    for k, v in incl.items():
        agg_incl[base(k)] += v
    # Callgrind counts calls even where it does not collect costs, so the
    # operations are the unit's calls from callers that ran collected
    # (inside the loop), not those of the untimed set-up.
    ops = sum(v for (caller, callee), v in calls.items()
              if base(callee) == a.unit and
              (self_ir.get(caller, 0) > 0 or a.unit == a.loop)) * a.per
    if not ops:
        sys.exit('icount: %s was never called inside %s' % (a.unit, a.loop))
    total = sum(self_ir.values())
    print('%s: %d operations, %.1f instructions each (%.1f in %s)'
          % (a.case, ops, total / ops,
             agg_incl[a.unit] / ops if a.unit != a.loop else total / ops,
             a.unit))
    print('%-40s %11s %9s' % ('function (below ' + a.loop + ')',
                              'incl Ir/op', 'self/op'))
    rows = [k for k in set(agg_incl) | set(agg_self)
            if agg_incl.get(k, 0) < total and k != a.loop]
    rows.sort(key=lambda k: -max(agg_incl.get(k, 0), agg_self.get(k, 0)))
    for k in rows[:a.top]:
        print('%-40s %11.1f %9.1f' % (k[:40], agg_incl.get(k, 0) / ops,
                                      agg_self.get(k, 0) / ops))


if __name__ == '__main__':
    main()
