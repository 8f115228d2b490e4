# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Commands per task: smartstack.smartos.compute against community.general.vmadm.

Runs the same four tasks (create a zone, the same task again, converge one property, stop the
zone) with each module against one simulated global zone reached over SSH (tests/simulator's
gzhost, its own run dir, port base 2400), counts the SmartOS commands each task ran in the
simulator's command log, checks what each task left in the simulator's state, and prints both
counts and their ratio. What a SmartOS operator waits for is commands (each vmadm starts
Node.js), so this is the figure that matters; it is not a timed test.

    sudo .venv/bin/python tests/bench/compute_commands.py [--verbose]

Needs root (the GZ hosts use mount namespaces), the project venv's ansible-playbook (next to
the Python running this, else on PATH) and the peer ansible with community.general
(``$SMARTSTACK_PEERS_BIN``, default ``.venv-peers/bin``; ``make peers``). Exit status 0 when
both sides ran; the ratios are printed, not judged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from benchlib import report, run_bench, sim

PORT_BASE = 2400

BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'   # base-64-lts 24.4.1 in the simulator's catalogue
PEER_UUID = '6a3a1b2c-0000-4000-8000-00000000be0c'  # the peer addresses its zone by uuid (see PEER_NOTE)

# community.general.vmadm puts its `name` option into the create payload as "name", which
# vmadm drops, so a zone it creates has no alias and a second run by alias creates another
# (tests/simulator/tests/test_crosscheck.py). Given a uuid, it is idempotent: that is how
# this benchmark runs it, its best case.
PEER_NOTE = 'community.general.vmadm addressed by uuid (by alias it is not idempotent: its payload drops the alias)'

SS_ZONE = {'title': 'bench-ss', 'brand': 'joyent', 'os_tpl': BASE, 'cores': 1, 'memory': 1, 'properties': {'quota': 10}}
CG_ZONE = {'uuid': PEER_UUID, 'alias': 'bench-cg', 'brand': 'joyent', 'image_uuid': BASE, 'cpu_cap': 100,
           'max_physical_memory': 1024, 'quota': 10, 'state': 'running'}

# (task name, smartstack.smartos.compute options, community.general.vmadm options, check on the VM)
TASKS = [
    ('create', SS_ZONE, CG_ZONE, lambda vm: vm is not None and vm.get('max_physical_memory') == 1024),
    ('idempotent re-run', SS_ZONE, CG_ZONE, lambda vm: vm is not None),
    ('converge memory 1 -> 2 GiB', dict(SS_ZONE, memory=2), dict(CG_ZONE, max_physical_memory=2048),
     lambda vm: vm is not None and vm.get('max_physical_memory') == 2048),
    ('stop', {'title': 'bench-ss', 'state': 'inactive'}, {'uuid': PEER_UUID, 'state': 'stopped'},
     lambda vm: vm is not None and vm.get('state') == 'stopped'),
]


def find_vm(state, alias=None, uuid=None):
    path = os.path.join(state, 'vms.json')
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as handle:
        vms = json.load(handle)
    for vm in vms.values():
        if (uuid and vm.get('uuid') == uuid) or (alias and vm.get('alias') == alias):
            return vm
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--verbose', action='store_true', help='print the commands of every task')
    args = parser.parse_args(argv)
    started = time.monotonic()

    def tasks(bed, state, sides):
        # both start alike: the image installed, sysinfo's cache written (a booted GZ has it)
        for argv in (('imgadm', 'import', '-q', BASE), ('sysinfo',)):
            proc = sim(state, *argv)
            if proc.returncode:
                raise RuntimeError('%s failed: %s' % (' '.join(argv), proc.stderr))
        rows = []
        for name, ss_options, cg_options, check in TASKS:
            row = [name]
            for side, options, where in ((sides[0], ss_options, {'alias': 'bench-ss'}),
                                         (sides[1], cg_options, {'uuid': PEER_UUID})):
                commands, proc = side.run(bed.inventory, state, options)
                vm = find_vm(state, **where)
                ok = proc.returncode == 0
                row.append((len(commands), ok, check(vm), commands, proc))
            rows.append(row)
        return rows

    ran = run_bench('compute', PORT_BASE, 'smartstack.smartos.compute', 'community.general.vmadm', tasks)
    if ran is None:
        return 2
    sides, rows = ran
    return report(sides, PEER_NOTE, 'c.g.vmadm', rows, args.verbose, time.monotonic() - started)


if __name__ == '__main__':
    sys.exit(main())
