# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the commands-per-task benchmarks share (compute_commands.py, storage_commands.py).

One simulated global zone reached over SSH (tests/simulator's gzhost) in a fresh work dir, a
collection tree of this project, our ansible-playbook and the peer's (community.general, from
``$SMARTSTACK_PEERS_BIN``), one task at a time with either, the commands each task ran counted in
the simulator's command log, and the table of both counts and their ratio.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
SIM_BIN = os.path.join(SIM_HOME, 'bin')


def log(state):
    path = os.path.join(state, 'commands.log')
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line)['argv'] for line in handle if line.strip()]


def sim(state, *argv):
    env = dict(os.environ, SMARTOS_SIM_STATE=state, SMARTOS_SIM_PYTHON=sys.executable)
    return subprocess.run([os.path.join(SIM_BIN, argv[0])] + list(argv[1:]), capture_output=True, text=True,
                          env=env, check=False, timeout=120)


def playbook_text(module, options):
    return json.dumps([{'name': 'bench', 'hosts': 'gz1', 'gather_facts': False,
                        'tasks': [{'name': module, module: options}]}], indent=1)


class Side(object):
    """One module's runs: its ansible-playbook and environment."""

    def __init__(self, name, module, exe, collections_path, workdir):
        self.name, self.module, self.exe = name, module, exe
        self.env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        ANSIBLE_PIPELINING='1', ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_HOST_KEY_CHECKING='0',
                        ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='1')
        self.workdir = workdir

    def run(self, inventory, state, options):
        """Run one task; return (commands it ran, ansible-playbook result)."""
        path = os.path.join(self.workdir, '%s.yml' % self.name.replace('.', '_'))
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(playbook_text(self.module, options))
        before = len(log(state))
        proc = subprocess.run([self.exe, '-i', inventory, path], capture_output=True, text=True, env=self.env,
                              check=False, timeout=300)
        return log(state)[before:], proc


def build_tree(target):
    subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'collection_tree.py'), target], check=True,
                   stdout=subprocess.DEVNULL, cwd=REPO)
    return target


def ansible_playbook():
    here = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    return here if os.access(here, os.X_OK) else shutil.which('ansible-playbook')


def run_bench(kind, port_base, ours_module, peer_module, body):
    """Bring up the bed, call ``body(bed, state, sides)`` and take the bed down again.

    Returns (sides, what body returned), or None after saying on stderr why it cannot run.
    """
    sys.path.insert(0, SIM_HOME)
    from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel

    reason = gzhost.unavailable_reason()
    ours = ansible_playbook()
    peers = os.path.join(os.environ.get('SMARTSTACK_PEERS_BIN') or os.path.join(REPO, '.venv-peers', 'bin'),
                         'ansible-playbook')
    if reason or not ours or not os.access(peers, os.X_OK):
        sys.stderr.write('cannot run: %s\n' % (reason or ('no ansible-playbook for the project (run it with '
                                                          '.venv/bin/python)' if not ours else
                                                          'no peer ansible at %s (make peers)' % peers)))
        return None

    work = tempfile.mkdtemp(prefix='smartstack-bench-%s-' % kind, dir='/tmp')
    bed = gzhost.GzBed(os.path.join(work, 'run'), count=1, bootstrapped=True, port_base=port_base, repo_port=0,
                       remove_run_dir=False)
    try:
        tree = build_tree(os.path.join(work, 'tree'))
        empty = os.path.join(work, 'no-collections')
        os.makedirs(empty)
        bed.up()
        host = bed['gz1']
        sides = [Side(ours_module, ours_module, ours, tree, work),
                 Side(peer_module, peer_module, peers, empty, work)]
        return sides, body(bed, host.state, sides)
    finally:
        try:
            bed.down()
        finally:
            shutil.rmtree(work, ignore_errors=True)


def report(sides, peer_note, peer_label, rows, verbose, seconds):
    """Print the table (and with ``verbose`` every task's commands); return the exit status."""
    print('Commands per task (simulator command log), %s vs %s' % (sides[0].name, sides[1].name))
    print('(%s)' % peer_note)
    print()
    print('%-28s %12s %12s %8s  %s' % ('task', 'smartstack', peer_label, 'ratio', 'reached the goal (smartstack / c.g.)'))
    totals = [0, 0]
    for name, ours_row, peer_row in rows:
        ratio = '%.2f' % (float(ours_row[0]) / peer_row[0]) if peer_row[0] else '-'
        totals[0] += ours_row[0]
        totals[1] += peer_row[0]

        def verdict(cell):
            return ('yes' if cell[2] else 'NO') + ('' if cell[1] else ' (task failed)')
        print('%-28s %12d %12d %8s  %s / %s' % (name, ours_row[0], peer_row[0], ratio, verdict(ours_row), verdict(peer_row)))
    print('%-28s %12d %12d %8s' % ('total', totals[0], totals[1], '%.2f' % (float(totals[0]) / totals[1]) if totals[1] else '-'))
    if verbose:
        for name, ours_row, peer_row in rows:
            print()
            print('== %s' % name)
            for label, cell in (('smartstack', ours_row), (peer_label, peer_row)):
                for argv in cell[3]:
                    print('  %-11s %s' % (label, ' '.join(argv)))
                if not cell[1]:
                    print('  %-11s FAILED: %s' % (label, (cell[4].stdout + cell[4].stderr)[-2000:]))
    print()
    print('(%.0f s)' % seconds)
    return 0 if all(cell[1] for row in rows for cell in row[1:]) else 1
