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
import sys
import time

from benchlib import report, run_bench, sim

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


def dataset_props(state, name):
    """The dataset's properties (``zfs get -H -p``) in the simulator, or None when it does not exist."""
    proc = sim(state, 'zfs', 'get', '-H', '-p', '-o', 'property,value', 'refquota,compression,volsize', name)
    if proc.returncode:
        return None
    return dict(line.split('\t', 1) for line in proc.stdout.splitlines() if '\t' in line)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--verbose', action='store_true', help='print the commands of every task')
    args = parser.parse_args(argv)
    started = time.monotonic()

    def tasks(bed, state, sides):
        rows = []
        for name, ss_options, cg_options, suffix, check in TASKS:
            row = [name]
            for side, options, dataset in ((sides[0], ss_options, 'zones/bench-ss' + suffix),
                                           (sides[1], cg_options, 'zones/bench-cg' + suffix)):
                commands, proc = side.run(bed.inventory, state, options)
                ok = proc.returncode == 0
                row.append((len(commands), ok, check(dataset_props(state, dataset)), commands, proc))
            rows.append(row)
        return rows

    ran = run_bench('storage', PORT_BASE, 'smartstack.smartos.storage', 'community.general.zfs', tasks)
    if ran is None:
        return 2
    sides, rows = ran
    return report(sides, PEER_NOTE, 'c.g.zfs', rows, args.verbose, time.monotonic() - started)


if __name__ == '__main__':
    sys.exit(main())
