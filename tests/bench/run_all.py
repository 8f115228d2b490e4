# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``make bench``: every performance figure of issue 8, measured side by side in one run, as one table.

1. commands per task, every module against the community.general module doing the same task
   (task_commands.py; targets: 1 command for an idempotent task or a read, <= 1/3 of the peer's);
2. a converge playbook, N zones with a network, NICs and storage links, run twice, against the
   same with community.general (converge.py; wall time and commands);
3. inventory, ``ansible-inventory --list`` over G GZs x Z zones with our plugin against a static
   YAML inventory of the same hosts, at several GZ counts (inventory_scale.py; target <= 1.5);
4. the time model: every command figure also as seconds on a real GZ, commands x a per-tool cost
   (--cost tool=seconds,...; defaults in benchlib.DEFAULT_COSTS).

    sudo .venv/bin/python tests/bench/run_all.py [--quick] [--only commands,converge,inventory]
        [--zones 50] [--gzs 20] [--gz-zones 500] [--scaling 1,5,20] [--repeat 1] [--cost vmadm=0.8,...]
        [--json results.json]

``--quick`` is a smoke run (5 rows of figure 1, 1 zone, 2 GZs x 10 zones, the figures measured at
once: its timings mean nothing). Needs root (the simulated
GZs use mount namespaces), the project venv (``make venv``) and the peer venv (``make peers``).
Exit status: 0 when every figure was measured (PASS/FAIL verdicts are printed, not turned into
the exit status; ``--strict`` makes a FAIL exit 1), 2 when the benchmarks cannot run here, 1 when a
measurement broke.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import threading
import time

import task_commands
import converge
import inventory_scale
from benchlib import Bed, CostModel, peers_bin, print_table, unavailable_reason

FIGURES = ('commands', 'converge', 'inventory')


def machine():
    return '%s, %d cores, Python %s' % (platform.platform(terse=True), os.cpu_count() or 0, platform.python_version())


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='smoke run: small sizes')
    parser.add_argument('--only', default=','.join(FIGURES), help='figures to measure (%s)' % ', '.join(FIGURES))
    parser.add_argument('--zones', type=int, default=None, help='zones of the converge playbook (default 50; quick 1)')
    parser.add_argument('--gzs', type=int, default=None, help='GZs of the inventory bed (default 20; quick 2)')
    parser.add_argument('--gz-zones', type=int, default=None, help='zones per GZ of the inventory bed (default 500; quick 10)')
    parser.add_argument('--scaling', default=None, help='GZ counts the inventory is measured at (default 1,5,20; quick 1,2)')
    parser.add_argument('--repeat', type=int, default=1, help='inventory runs per side and count (the median is shown)')
    parser.add_argument('--cost', default='', help='per-command seconds on a real GZ, tool=seconds,... (default: %s)'
                        % CostModel().describe())
    parser.add_argument('--json', default=None, help='also write the rows and raw figures to this file')
    parser.add_argument('--strict', action='store_true', help='exit 1 when a row misses its target')
    opts = parser.parse_args(argv)
    opts.only = [f.strip() for f in opts.only.split(',') if f.strip()]
    unknown = sorted(set(opts.only) - set(FIGURES))
    if unknown:
        parser.error('unknown figure(s): %s' % ', '.join(unknown))
    opts.zones = opts.zones or (1 if opts.quick else 50)
    opts.gzs = opts.gzs or (2 if opts.quick else 20)
    opts.gz_zones = opts.gz_zones or (10 if opts.quick else 500)
    scaling = opts.scaling or ('1,2' if opts.quick else '1,5,20')
    opts.counts = sorted({min(int(c), opts.gzs) for c in scaling.split(',') if c.strip()} | {opts.gzs})
    return opts


def _on_bed(kind, measure):
    """``measure(bed)`` on 2 bootstrapped GZs of its own (ours on gz1, the peer on gz2)."""
    with Bed(kind, 2, bootstrapped=True) as bed:
        return measure(bed)


def progress(text):
    sys.stderr.write('bench: %s\n' % text)
    sys.stderr.flush()


def main(argv=None):
    opts = parse_args(argv)
    reason = unavailable_reason(need_peers=bool({'commands', 'converge'} & set(opts.only)))
    if reason:
        sys.stderr.write('bench: cannot run: %s\n' % reason)
        return 2
    costs = CostModel(opts.cost)
    started = time.monotonic()
    jobs = {
        'commands': ('figure 1: commands per task (2 GZs, ours on gz1, community.general on gz2)',
                     lambda: _on_bed('commands', lambda bed: task_commands.measure(bed, costs, quick=opts.quick))),
        'converge': ('figure 2: converge playbook, %d zones, twice per side' % opts.zones,
                     lambda: _on_bed('converge', lambda bed: converge.measure(bed, costs, opts.zones, parallel=opts.quick))),
        'inventory': ('figure 3: inventory, %d GZs x %d zones, at %s GZs' % (opts.gzs, opts.gz_zones, opts.counts),
                      lambda: inventory_scale.figure(opts.counts, opts.gz_zones, opts.repeat)),
    }
    results, seconds, errors = {}, {}, []

    def run(figure):
        progress(jobs[figure][0])
        tick = time.monotonic()
        try:
            results[figure] = jobs[figure][1]()
        except Exception as exc:  # pylint: disable=broad-exception-caught  # re-raised below, in the main thread
            errors.append(exc)
        seconds[figure] = time.monotonic() - tick
        if figure in results and not opts.quick:
            # as soon as it is measured (stderr): a long run that is stopped later keeps its figures
            progress('%s measured in %.0f s:' % (figure, seconds[figure]))
            print_table(results[figure][0], sys.stderr)
    if opts.quick:
        # a smoke run: the figures at once (their timings mean nothing), so that it fits in a test
        threads = [threading.Thread(target=run, args=(figure,)) for figure in opts.only]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for figure in opts.only:
            run(figure)
    if errors:
        raise errors[0]
    rows, raw = [], {}
    for figure in FIGURES:
        if figure in results:
            rows += results[figure][0]
            raw[figure] = results[figure][1]
    total = time.monotonic() - started

    out = sys.stdout
    out.write('smartstack.smartos benchmarks, %s UTC, %s%s\n' % (
        datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M'), machine(), ', QUICK' if opts.quick else ''))
    out.write('ours = smartstack.smartos, peer = community.general (ansible in %s); ratio = ours / peer; '
              'counts from the simulated GZs\' command logs\n' % os.path.relpath(peers_bin()))
    out.write('time model (real GZ est.): commands x per-command seconds: %s\n\n' % costs.describe())
    print_table(rows, out)
    fails = [row for row in rows if 'FAIL' in str(row.get('verdict'))]
    out.write('\n%d rows, %d with a FAIL verdict; measured in %s (total %.0f s)\n' % (
        len(rows), len(fails), ', '.join('%s %.0f s' % item for item in seconds.items()), total))
    if opts.json:
        with open(opts.json, 'w', encoding='utf-8') as handle:
            json.dump({'rows': rows, 'raw': raw, 'seconds': seconds, 'costs': costs.costs, 'quick': opts.quick,
                       'machine': machine()}, handle, indent=1, default=str)
    return 1 if opts.strict and fails else 0


if __name__ == '__main__':
    sys.exit(main())
