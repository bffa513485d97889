#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py - tables and a plot from udpct-bench's JSON output.

    udpct-bench --benchmark_format=json --benchmark_repetitions=5 \\
        --benchmark_report_aggregates_only=true > run.json
    bench/report.py table run.json              # Markdown, medians
    bench/report.py peers run.json              # peers: ns/op and ratio
                                                # (peer time / udpct time)
    bench/report.py ovs run.json                # the OVS-shaped cases
    bench/report.py plot -o perf.svg run.json [thp.json]

Names are <system>/<operation>/<flows>.  Every figure is the median over
the repetitions (the "_median" aggregate, or the median of the plain runs
when the file has no aggregates) of CPU time per item, in ns; Mpps is
1000 / ns.  Only the Python standard library is needed, plus
python3-matplotlib for `plot`.
"""
import argparse
import collections
import json
import sys

SIZES = [1024, 65536, 1048576, 4194304]


def size_label(n):
    return '%d K' % (n // 1024) if n < 1 << 20 else '%d M' % (n >> 20)


def load(path):
    """{(system/operation, flows): (ns, counters)} from one JSON file."""
    with open(path) as f:
        doc = json.load(f)
    runs = collections.defaultdict(list)
    medians = {}
    for b in doc['benchmarks']:
        if b.get('error_occurred'):
            continue
        name = b.get('run_name', b['name'])
        parts = name.split('/')
        if len(parts) < 3 or not parts[2].isdigit():
            continue
        # udpct/scaling_v4/N/threads:2 -> ('udpct/scaling_v4/threads:2', N)
        key = ('/'.join(parts[:2] + parts[3:]), int(parts[2]))
        unit = {'ns': 1, 'us': 1e3, 'ms': 1e6, 's': 1e9}[b.get('time_unit',
                                                               'ns')]
        ns = b['cpu_time'] * unit
        if b.get('run_type') == 'aggregate':
            if b.get('aggregate_name') == 'median':
                medians[key] = (ns, b)
        else:
            runs[key].append((ns, b))
    out = dict(medians)
    for key, lst in runs.items():
        if key not in out:
            lst.sort(key=lambda r: r[0])
            out[key] = lst[len(lst) // 2]
    return doc.get('context', {}), out


def ns_str(ns):
    return '%.2f' % ns if ns < 10 else '%.1f' % ns if ns < 100 else \
        '%.0f' % ns


def fmt(ns):
    if ns is None:
        return '–'
    mpps = 1000.0 / ns
    return '%s ns (%s Mpps)' % (ns_str(ns), '%.0f' % mpps if mpps >= 1000
                                else '%.3g' % mpps)


# Rows in reading order; anything else follows, sorted.
ORDER = [
    'udpct/classify_v4', 'udpct/classify_v4_burst', 'udpct/classify_v4_nocsum',
    'udpct/classify_v4_zipf', 'udpct/classify_v4_zipf_burst',
    'udpct/classify_v4_acct', 'udpct/classify_v4_acct_burst',
    'udpct/classify_v6', 'udpct/classify_v6_burst', 'udpct/classify_v6_zipf',
    'udpct/classify_v4_1500', 'udpct/classify_v4_1500_nocsum',
    'udpct/scaling_v4/threads:1', 'udpct/scaling_v4/threads:2',
    'udpct/lookup', 'udpct/lookup_burst', 'udpct/miss_new', 'udpct/miss_icmp',
    'udpct/insert', 'udpct/expire', 'udpct/expire_refreshed',
    'udpct/memory_v4', 'udpct/memory_v6', 'udpct/hash_v4', 'udpct/hash_v6',
    'xxh3/hash_13', 'rte_hash/lookup',
    'rte_hash/lookup_burst_prehashed', 'rte_hash/lookup_burst',
    'cds_lfht/lookup', 'mutex_chain/lookup', 'mem/chase', 'mem/parallel',
    'cpu/cycle',
]


def row_order(op):
    return (ORDER.index(op), '') if op in ORDER else (len(ORDER), op)


def cmd_table(a):
    _, res = load(a.json)
    sizes = [s for s in SIZES if any(k[1] == s for k in res)]
    ops = sorted({k[0] for k in res if k[1] in sizes}, key=row_order)
    print('| benchmark | ' + ' | '.join(size_label(s) for s in sizes) + ' |')
    print('|---|' + '---|' * len(sizes))
    for op in ops:
        cells = []
        for s in sizes:
            r = res.get((op, s))
            cells.append(fmt(r[0]) if r else '–')
        print('| `%s` | %s |' % (op, ' | '.join(cells)))


def cmd_counters(a):
    _, res = load(a.json)
    for (op, s), (ns, b) in sorted(res.items()):
        extra = {k: v for k, v in b.items()
                 if k.endswith('_per_flow') or k in ('insert_failed_pct',
                                                     'batch', 'total_pps')}
        if extra:
            kv = ' '.join('%s=%.4g' % x for x in sorted(extra.items()))
            print('%s/%d %s' % (op, s, kv))


def cmd_ovs(a):
    """The cases shaped like Open vSwitch's own benchmarks (bench_ovs.c),
    whose argument is a connection count, not a table size."""
    _, res = load(a.json)
    print('| benchmark | ns per item | Mpps |')
    print('|---|---|---|')
    for (op, n), (ns, b) in sorted(res.items()):
        if op.startswith('udpct/ovs_'):
            name = '/'.join([op.split('/')[0], op.split('/')[1], str(n)] +
                            op.split('/')[2:])
            print('| `%s` | %s | %.3g |' % (name, ns_str(ns), 1000.0 / ns))


# Each peer row against the udpct row doing the same work.
PEERS = [
    ('rte_hash/lookup', 'udpct/lookup'),
    ('cds_lfht/lookup', 'udpct/lookup'),
    ('mutex_chain/lookup', 'udpct/lookup'),
    ('rte_hash/lookup_burst_prehashed', 'udpct/lookup_burst'),
    ('rte_hash/lookup_burst', 'udpct/classify_v4_burst'),
]


def cmd_peers(a):
    _, res = load(a.json)
    sizes = [s for s in SIZES if any(k[1] == s for k in res)]
    print('| peer (vs udpct row) | ' + ' | '.join(size_label(s)
                                                for s in sizes) + ' |')
    print('|---|' + '---|' * len(sizes))
    for base in ('udpct/lookup', 'udpct/lookup_burst',
                 'udpct/classify_v4_burst'):
        row = []
        for s in sizes:
            r = res.get((base, s))
            row.append(ns_str(r[0]) + ' ns' if r else '–')
        print('| `%s` | %s |' % (base, ' | '.join(row)))
    for p, base in PEERS:
        row = []
        for s in sizes:
            r = res.get((p, s))
            u = res.get((base, s))
            if not r:
                row.append('–')
            elif u:
                row.append('%s ns (%.2f×)' % (ns_str(r[0]), r[0] / u[0]))
            else:
                row.append(ns_str(r[0]) + ' ns')
        print('| `%s` (vs `%s`) | %s |' % (p, base, ' | '.join(row)))


PLOT = [
    ('udpct/classify_v4', 'udpct classify IPv4, single calls', 'C0', '-'),
    ('udpct/classify_v4_burst', 'udpct classify IPv4, bursts of 32', 'C0',
     '--'),
    ('udpct/lookup', 'udpct index lookup, single', 'C1', '-'),
    ('udpct/lookup_burst', 'udpct index lookup, staged 32', 'C1', '--'),
    ('rte_hash/lookup', 'rte_hash lookup_with_hash', 'C2', '-'),
    ('rte_hash/lookup_burst_prehashed', 'rte_hash lookup_with_hash_bulk (32)',
     'C2', '--'),
    ('rte_hash/lookup_burst', 'rte_hash lookup_bulk (32, hashing)', 'C2',
     ':'),
    ('cds_lfht/lookup', 'liburcu cds_lfht lookup', 'C3', '-'),
    ('mutex_chain/lookup', 'mutex + chained hash lookup', 'C4', '-'),
    ('mem/chase', 'dependent random load (latency)', 'grey', '-'),
    ('mem/parallel', 'independent random load', 'grey', '--'),
]


def cmd_plot(a):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    # Text as text and no date: a small SVG that only changes with data.
    matplotlib.rcParams['svg.fonttype'] = 'none'
    matplotlib.rcParams['svg.hashsalt'] = 'udpct-bench'

    files = [load(p)[1] for p in a.json]
    titles = a.title or ['run %d' % (i + 1) for i in range(len(files))]
    fig, axes = plt.subplots(1, len(files), figsize=(6.5 * len(files), 6),
                             sharey=True, squeeze=False)
    for ax, res, title in zip(axes[0], files, titles):
        for op, label, color, style in PLOT:
            pts = [(s, res[(op, s)][0]) for s in SIZES if (op, s) in res]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts],
                        marker='o', color=color, linestyle=style, label=label)
        ax.set_xscale('log', base=2)
        ax.set_yscale('log')
        ax.set_xticks(SIZES)
        ax.set_xticklabels([size_label(s) for s in SIZES])
        ax.set_xlabel('flows in the table')
        ax.set_title(title)
        ax.grid(True, which='both', alpha=0.3)
    axes[0][0].set_ylabel('ns per packet / key (CPU time, median)')
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc='lower center', ncol=3, fontsize=8)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    meta = {'Date': None} if a.output.endswith('.svg') else {}
    fig.savefig(a.output, metadata=meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('table', help='every benchmark, medians, Markdown')
    t.add_argument('json')
    c = sub.add_parser('counters', help='memory and failure counters')
    c.add_argument('json')
    p = sub.add_parser('peers', help='lookups of the peers vs udpct')
    p.add_argument('json')
    o = sub.add_parser('ovs', help='the cases shaped like OVS benchmarks')
    o.add_argument('json')
    g = sub.add_parser('plot', help='ns per packet against table size')
    g.add_argument('-o', '--output', required=True)
    g.add_argument('-t', '--title', action='append')
    g.add_argument('json', nargs='+')
    a = ap.parse_args()
    {'table': cmd_table, 'counters': cmd_counters, 'peers': cmd_peers,
     'ovs': cmd_ovs, 'plot': cmd_plot}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
