# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Commands per task: smartstack.smartos.storage against community.general.zfs.

Runs the same tasks (create a filesystem with a size and a property, the same task again,
converge both, create a volume, destroy the filesystem) with each module against one simulated
global zone reached over SSH (tests/simulator's gzhost, its own run dir, port base 2410),
counts the zfs commands each task ran in the simulator's command log, checks what each task
left in the simulator's state (``zfs get`` in the state, run after counting), and prints both
counts and their ratio. It is not a timed test. Mirrors tests/bench/compute_commands.py.

    sudo .venv/bin/python tests/bench/storage_commands.py [--verbose]

Needs root (the GZ hosts use mount namespaces), the project venv's ansible-playbook (next to
the Python running this, else on PATH) and the peer ansible with community.general
(``$SMARTSTACK_PEERS_BIN``, default ``.venv-peers/bin``; ``make peers``). Exit status 0 when
both sides ran; the ratios are printed, not judged.

Measured (simulator, 2026-11-25; commands per task, smartstack / community.general.zfs):
create filesystem 2 / 3, idempotent re-run 1 / 11, converge size + property 2 / 12, create
volume 2 / 3, destroy 2 / 3; total 9 / 32 (0.28). The peer's re-run is not idempotent: it
compares ``refquota=1G`` with the exact ``1073741824`` and sets it again each run (one
``zfs get`` per property, twice, plus ``zfs get all`` twice); it destroys with ``-R``, which
takes every clone of the dataset's snapshots with it (this module never does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
SIM_BIN = os.path.join(SIM_HOME, 'bin')
PORT_BASE = 2410
GIB = 1 << 30

PEER_NOTE = ('community.general.zfs takes no size: the size is its extra_zfs_properties refquota (volsize for the '
             'volume); it has no online/offline, snapshot, backup, resize or rollback')

SS_FS = {'name': 'zones/bench-ss', 'size': 1, 'properties': {'compression': 'lz4'}}
CG_FS = {'name': 'zones/bench-cg', 'state': 'present', 'extra_zfs_properties': {'refquota': '1G', 'compression': 'lz4'}}


def _props(want):
    def check(props):
        return props is not None and all(props.get(k) == v for k, v in want.items())
    return check


# (task name, storage options, community.general.zfs options, dataset suffix, check on its properties)
TASKS = [
    ('create filesystem', SS_FS, CG_FS, '', _props({'refquota': str(GIB), 'compression': 'lz4'})),
    ('idempotent re-run', SS_FS, CG_FS, '', _props({'refquota': str(GIB), 'compression': 'lz4'})),
    ('converge size + property', dict(SS_FS, size=2, properties={'compression': 'off'}),
     dict(CG_FS, extra_zfs_properties={'refquota': '2G', 'compression': 'off'}), '',
     _props({'refquota': str(2 * GIB), 'compression': 'off'})),
    ('create volume 64M', {'name': 'zones/bench-ss-vol', 'type': 'volume', 'size': 0.0625},
     {'name': 'zones/bench-cg-vol', 'state': 'present', 'extra_zfs_properties': {'volsize': '64M'}}, '-vol',
     _props({'volsize': str(64 << 20)})),
    ('destroy filesystem', {'name': 'zones/bench-ss', 'state': 'absent'}, {'name': 'zones/bench-cg', 'state': 'absent'},
     '', lambda props: props is None),
]


def log(state):
    path = os.path.join(state, 'commands.log')
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line)['argv'] for line in handle if line.strip()]


def dataset_props(state, name):
    """The dataset's properties (``zfs get -H -p``) in the simulator, or None when it does not exist."""
    proc = sim(state, 'zfs', 'get', '-H', '-p', '-o', 'property,value', 'refquota,compression,volsize', name)
    if proc.returncode:
        return None
    return dict(line.split('\t', 1) for line in proc.stdout.splitlines() if '\t' in line)


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--verbose', action='store_true', help='print the commands of every task')
    args = parser.parse_args(argv)
    started = time.monotonic()

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
        return 2

    work = tempfile.mkdtemp(prefix='smartstack-bench-storage-', dir='/tmp')
    bed = gzhost.GzBed(os.path.join(work, 'run'), count=1, bootstrapped=True, port_base=PORT_BASE, repo_port=0,
                       remove_run_dir=False)
    try:
        tree = build_tree(os.path.join(work, 'tree'))
        empty = os.path.join(work, 'no-collections')
        os.makedirs(empty)
        bed.up()
        host = bed['gz1']
        state = host.state
        sides = [Side('smartstack.smartos.storage', 'smartstack.smartos.storage', ours, tree, work),
                 Side('community.general.zfs', 'community.general.zfs', peers, empty, work)]
        rows = []
        for name, ss_options, cg_options, suffix, check in TASKS:
            row = [name]
            for side, options, dataset in ((sides[0], ss_options, 'zones/bench-ss' + suffix),
                                           (sides[1], cg_options, 'zones/bench-cg' + suffix)):
                commands, proc = side.run(bed.inventory, state, options)
                ok = proc.returncode == 0
                row.append((len(commands), ok, check(dataset_props(state, dataset)), commands, proc))
            rows.append(row)
    finally:
        try:
            bed.down()
        finally:
            shutil.rmtree(work, ignore_errors=True)

    print('Commands per task (simulator command log), %s vs %s' % (sides[0].name, sides[1].name))
    print('(%s)' % PEER_NOTE)
    print()
    print('%-28s %12s %12s %8s  %s' % ('task', 'smartstack', 'c.g.zfs', 'ratio', 'reached the goal (smartstack / c.g.)'))
    totals = [0, 0]
    for name, ours_row, peer_row in rows:
        ratio = '%.2f' % (float(ours_row[0]) / peer_row[0]) if peer_row[0] else '-'
        totals[0] += ours_row[0]
        totals[1] += peer_row[0]

        def verdict(cell):
            return ('yes' if cell[2] else 'NO') + ('' if cell[1] else ' (task failed)')
        print('%-28s %12d %12d %8s  %s / %s' % (name, ours_row[0], peer_row[0], ratio, verdict(ours_row), verdict(peer_row)))
    print('%-28s %12d %12d %8s' % ('total', totals[0], totals[1], '%.2f' % (float(totals[0]) / totals[1]) if totals[1] else '-'))
    if args.verbose:
        for name, ours_row, peer_row in rows:
            print()
            print('== %s' % name)
            for label, cell in (('smartstack', ours_row), ('c.g.zfs', peer_row)):
                for argv in cell[3]:
                    print('  %-11s %s' % (label, ' '.join(argv)))
                if not cell[1]:
                    print('  %-11s FAILED: %s' % (label, (cell[4].stdout + cell[4].stderr)[-2000:]))
    print()
    print('(%.0f s)' % (time.monotonic() - started))
    return 0 if all(cell[1] for row in rows for cell in row[1:]) else 1


if __name__ == '__main__':
    sys.exit(main())
