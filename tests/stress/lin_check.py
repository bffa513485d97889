#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Linearisability check of a history from lin_record (Wing & Gong search
with memoisation, the approach of Porcupine): is there a total order of the
calls, consistent with their real-time order, under which a sequential
model of the library gives every recorded result?

Sequential model, per flow: absent, or present with a "replied" bit.
  classify original: present -> ESTABLISHED original if replied else NEW
                     original; absent -> NEW original (tentative).
  classify reply:    present -> ESTABLISHED reply, sets replied; absent ->
                     NEW original (the reply tuple starts a flow of its own).
  commit:            absent -> present (not replied); present -> clash,
                     joins it; result: the flow's replied bit.
(A reply-tuple NEW committed creates the flow with the reply tuple as its
original direction; FLOWS are keyed by the unordered pair, so a commit of
either tuple makes "the flow" present, as the library's symmetric key does,
and the model then tracks which tuple is the original.)

Usage: lin_record | lin_check.py  (runs it itself with --run PATH [N])
"""
import subprocess
import sys


def parse(lines):
    ops = []
    for ln in lines:
        f = ln.split()
        op = dict(tid=int(f[0]), inv=int(f[1]), ret=int(f[2]), kind=f[3],
                  flow=int(f[4]), reply=f[5] == 'r')
        if op['kind'] == 'classify':
            op['res'] = (f[6], f[7])
        else:
            op['res'] = int(f[6])
        ops.append(op)
    return ops


def step(state, op):
    """Apply op to state (tuple per flow: None or (orig_is_reply, replied)).
    Returns the new state, or None if the recorded result is impossible."""
    st = list(state)
    cur = st[op['flow']]
    if op['kind'] == 'classify':
        if cur is None:
            want = ('NEW', 'original')
        else:
            orig_is_reply, replied = cur
            if op['reply'] == orig_is_reply:
                want = ('ESTABLISHED', 'original') if replied \
                    else ('NEW', 'original')
            else:
                want = ('ESTABLISHED', 'reply')
                st[op['flow']] = (orig_is_reply, True)
        return tuple(st) if op['res'] == want else None
    if cur is None:
        st[op['flow']] = (op['reply'], False)
        return tuple(st) if op['res'] == 0 else None
    return tuple(st) if op['res'] == int(cur[1]) else None


def linearizable(ops, nflows):
    n = len(ops)
    # An op may go next only if no pending op returned before it started.
    seen = set()
    sys.setrecursionlimit(10000)

    def dfs(done, state):
        if done == (1 << n) - 1:
            return True
        key = (done, state)
        if key in seen:
            return False
        seen.add(key)
        pending = [i for i in range(n) if not done >> i & 1]
        min_ret = min(ops[i]['ret'] for i in pending)
        for i in pending:
            if ops[i]['inv'] > min_ret:
                continue
            nxt = step(state, ops[i])
            if nxt is not None and dfs(done | 1 << i, nxt):
                return True
        return False

    return dfs(0, tuple([None] * nflows))


# A history that must be rejected: the reply is classified after the commit
# returned, yet reported NEW; and its linearisable twin.
BAD = ['0 0 1 classify 0 o NEW original', '0 2 3 commit 0 o 0',
       '1 4 5 classify 0 r NEW original']
GOOD = ['0 0 1 classify 0 o NEW original', '0 2 5 commit 0 o 0',
        '1 3 4 classify 0 r NEW original']


def selftest():
    return not linearizable(parse(BAD), 3) and linearizable(parse(GOOD), 3)


def main():
    if not selftest():
        print('checker self-test failed')
        return 1
    if len(sys.argv) >= 3 and sys.argv[1] == '--run':
        runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
        for r in range(runs):
            out = subprocess.run([sys.argv[2]], check=True,
                                 capture_output=True, text=True).stdout
            ops = parse(out.splitlines())
            if not linearizable(ops, 3):
                print(out)
                print(f'run {r}: history of {len(ops)} calls is NOT '
                      'linearisable')
                return 1
        print(f'{runs} histories linearisable')
        return 0
    ops = parse(sys.stdin.read().splitlines())
    ok = linearizable(ops, 3)
    print('linearisable' if ok else 'NOT linearisable')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
