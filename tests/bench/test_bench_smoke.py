# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Smoke test of the bench harness: one ``run_all.py --quick`` (what ``make bench`` runs, small sizes).

The run measures every figure on beds of its own; the test parses the table it printed and checks
it against the raw figures of ``--json``: every count is the number of commands the simulator
logged for that task, every ratio is ours / peer of those counts, every verdict follows its
target. It also holds the two figures the README claims that --quick can see: an
idempotent ``compute`` or ``storage`` task runs exactly one command, and a re-run of the converge
playbook changes nothing at one command per item. Skipped (with the reason) where the simulated
GZs cannot run (not root) or the venvs are missing.

    SMARTSTACK_PEERS_BIN=.venv-peers/bin .venv/bin/python -m pytest -q tests/bench/test_bench_smoke.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from benchlib import REPO, parse_table, unavailable_reason  # noqa: E402  pylint: disable=wrong-import-position


def quick(tmp_path):
    """(table rows, the --json document) of one ``run_all.py --quick`` (every figure, small sizes, at once)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    out = tmp_path / 'bench.json'
    proc = subprocess.run([sys.executable, os.path.join(HERE, 'run_all.py'), '--quick', '--json', str(out)],
                          capture_output=True, text=True, check=False, timeout=600, cwd=REPO,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = parse_table(proc.stdout)
    assert rows, proc.stdout
    with open(out, encoding='utf-8') as handle:
        return rows, json.load(handle)


def ratio_text(ours, peer):
    return '%.2f' % (float(ours) / peer) if peer else '-'


def check_commands_per_task(rows, data):
    raw = data['raw']['commands']['rows']
    table = [r for r in rows if r['figure'] == '1 commands/task' and not r['row'].startswith('total')]
    assert [r['row'] for r in table] == ['%s: %s (%s)' % (d['module'], d['task'], d['kind']) for d in raw]
    for row, counted in zip(table, raw):
        assert counted['ours_failed'] is None and counted['peer_failed'] is None, counted
        assert counted['ours'], 'no command counted for %s' % row['row']
        assert row['ours'] == str(len(counted['ours']))
        peer = counted['peer']
        assert row['peer'] == (str(len(peer)) if peer is not None else '-')
        assert row['ratio'] == ratio_text(len(counted['ours']), len(peer) if peer else 0)
        if counted['kind'] in ('idempotent', 'read'):
            assert row['verdict'].split(', ')[0] == ('PASS' if len(counted['ours']) == 1 else 'FAIL')
    by_row = dict((r['row'], r) for r in table)
    for name in ('compute: same task again (idempotent)', 'storage: same task again (idempotent)'):
        assert by_row[name]['ours'] == '1', by_row[name]
    assert [argv[:2] for argv in raw[1]['ours']] == [['vmadm', 'lookup']]
    total = [r for r in rows if r['row'] == 'total, rows with a peer'][0]
    ours_total = sum(len(d['ours']) for d in raw if d['peer'] is not None)
    peer_total = sum(len(d['peer']) for d in raw if d['peer'] is not None)
    assert (total['ours'], total['peer']) == (str(ours_total), str(peer_total))
    assert total['ratio'] == ratio_text(ours_total, peer_total)


def check_converge_playbook(rows, data):
    runs = data['raw']['converge']['runs']
    table = [r for r in rows if r['figure'] == '2 converge']
    assert len(table) == 4
    for row, run_no in zip(table[::2], (1, 2)):
        ours, peer = runs['ours-%d' % run_no], runs['peer-%d' % run_no]
        assert (row['ours'], row['peer']) == (str(ours['commands']), str(peer['commands']))
        assert row['ratio'] == ratio_text(ours['commands'], peer['commands'])
        assert ours['failed'] == 0 and peer['failed'] == 0
    # 1 zone: the network, the filesystem, the zone, its NIC and its mount, each one read when unchanged
    assert runs['ours-2']['changed'] == 0 and runs['ours-2']['commands'] == 5
    assert runs['ours-1']['changed'] == 5


def check_inventory(rows, data):
    runs = data['raw']['inventory']
    table = [r for r in rows if r['figure'] == '3 inventory']
    assert [r['row'] for r in table] == ['%d GZs x 10 zones (%d hosts): --list s' % (n, n * 10) for n in (1, 2)]
    for row, run in zip(table, runs):
        assert run['hosts'] == run['gzs'] * 10
        # the table rounds each to 2 decimals; the ratio is of the unrounded medians
        assert abs(float(row['ratio']) - float(row['ours']) / float(row['peer'])) < 0.02, row
    assert table[-1]['verdict'] in ('PASS', 'FAIL') and table[-1]['target'] == '<= 1.5'


def test_quick_run(tmp_path):
    """One run for the three figures (one test, so that pytest-xdist does not run it twice)."""
    rows, data = quick(tmp_path)
    check_commands_per_task(rows, data)
    check_converge_playbook(rows, data)
    check_inventory(rows, data)
