#!/usr/bin/env python3
"""Times bp-search on every whole-network golden and compares its JSON with Tangram's.

    bench/golden_times.py BUILD/examples/bp-search [-p 1 2 ...] [--only SUBSTR] [--csv out.csv]

For each run of tests/data/golden/index.json (layers/ excluded: bench_layer_scheduling times
those), the golden's command is rerun with bp-search (same flags, `-p N` instead of Tangram's
`-p 2`) for each N given. Reported per run and N: the child's CPU time (user + sys, from
wait4's rusage: what the machine's load does not inflate much), its wall time, its peak RSS,
and python_s / cpu_s (python_s = the golden's wall_s, the Python's wall time with -p 2 on a
2-core VM incl. ~1.5 s of interpreter start-up).

Checks, per run: bp-search's JSON equals the golden's `result` (every key in order, ints and
floats of the same type, floats within 1e-9 relative; "elapsed", "cache_stats" and
options.nprocesses skipped), and the outputs for every N are byte-identical except the
"elapsed" and "nprocesses" lines (the options echo N). Exit status 1 if any check fails.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', 'tests', 'data', 'golden')


def run(argv):
    """(stdout text, exit status, cpu seconds, wall seconds, peak RSS in MiB) of one child."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    return out.decode(), proc.returncode, ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024.0


def diff(expected, actual, path, out):
    if type(expected) is not type(actual):
        out.append(f'{path}: type {type(expected).__name__} vs {type(actual).__name__}')
    elif isinstance(expected, dict):
        if list(expected) != list(actual):
            out.append(f'{path}: keys differ')
        else:
            for k in expected:
                if k not in ('elapsed', 'cache_stats', 'nprocesses'):
                    diff(expected[k], actual[k], f'{path}.{k}', out)
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            out.append(f'{path}: length {len(expected)} vs {len(actual)}')
        else:
            for i, (e, a) in enumerate(zip(expected, actual)):
                diff(e, a, f'{path}[{i}]', out)
    elif isinstance(expected, float):
        if not (expected == actual or abs(expected - actual) <= 1e-9 * max(abs(expected), abs(actual))):
            out.append(f'{path}: {expected!r} vs {actual!r}')
    elif expected != actual:
        out.append(f'{path}: {expected!r} vs {actual!r}')


def without_elapsed(text):
    return '\n'.join(l for l in text.splitlines()
                     if not l.lstrip().startswith(('"elapsed"', '"nprocesses"')))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('bp_search')
    ap.add_argument('-p', type=int, nargs='+', default=[1])
    ap.add_argument('--only', action='append', default=[], help='run only files containing this (repeatable)')
    ap.add_argument('--csv', help='write the table here too')
    args = ap.parse_args()

    index = json.load(open(os.path.join(GOLDEN, 'index.json')))
    runs = [r for r in index['runs'] if not r['file'].startswith('layers/')]
    if args.only:
        runs = [r for r in runs if any(s in r['file'] for s in args.only)]

    rows, failures = [], 0
    header = ['file', 'python_s'] + [f'{k}{n}' for n in args.p for k in ('cpu_s_p', 'wall_s_p', 'rss_mib_p')] + \
             ['ratio_cpu_p1' if 1 in args.p else f'ratio_cpu_p{args.p[0]}', 'check']
    print('\t'.join(header), flush=True)
    for r in runs:
        cmd = r['command']
        argv = [args.bp_search] + cmd[1:]
        if '-p' in argv:
            i = argv.index('-p')
            del argv[i:i + 2]
        golden = json.load(open(os.path.join(GOLDEN, r['file'])))['result']
        outs, cells, problems = [], [], []
        for n in args.p:
            text, status, cpu, wall, rss = run(argv + ['-p', str(n)])
            outs.append(text)
            cells += [f'{cpu:.3f}', f'{wall:.3f}', f'{rss:.1f}']
            if n == args.p[0]:
                mine = json.loads(text) if text.strip() else 'no output'
                d = []
                diff(golden, mine, 'result', d)
                if d:
                    problems.append(f'{len(d)} diffs vs golden, first: {d[0]}')
        if any(without_elapsed(o) != without_elapsed(outs[0]) for o in outs[1:]):
            problems.append('output depends on -p')
        cpu0 = float(cells[0])
        ratio = r['wall_s'] / cpu0 if cpu0 > 0 else float('inf')
        check = 'ok' if not problems else '; '.join(problems)
        failures += bool(problems)
        row = [r['file'], f"{r['wall_s']:.2f}"] + cells + [f'{ratio:.0f}', check]
        rows.append(row)
        print('\t'.join(row), flush=True)

    ratios = [float(row[-2]) for row in rows]
    if ratios:
        print(f'# {len(rows)} runs; python_s / cpu_s (-p {args.p[0]}): min {min(ratios):.0f}, '
              f'median {statistics.median(ratios):.0f}, max {max(ratios):.0f}; '
              f'{sum(x < 100 for x in ratios)} below 100; {failures} failed checks')
    if args.csv:
        with open(args.csv, 'w') as f:
            f.write(','.join(header) + '\n')
            for row in rows:
                f.write(','.join(c.replace(',', ';') for c in row) + '\n')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
