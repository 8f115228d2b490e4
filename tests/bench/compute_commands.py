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
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
SIM_BIN = os.path.join(SIM_HOME, 'bin')
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


def log(state):
    path = os.path.join(state, 'commands.log')
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line)['argv'] for line in handle if line.strip()]


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

    work = tempfile.mkdtemp(prefix='smartstack-bench-compute-', dir='/tmp')
    bed = gzhost.GzBed(os.path.join(work, 'run'), count=1, bootstrapped=True, port_base=PORT_BASE, repo_port=0,
                       remove_run_dir=False)
    try:
        tree = build_tree(os.path.join(work, 'tree'))
        empty = os.path.join(work, 'no-collections')
        os.makedirs(empty)
        bed.up()
        host = bed['gz1']
        state = host.state
        # both start alike: the image installed, sysinfo's cache written (a booted GZ has it)
        for argv in (('imgadm', 'import', '-q', BASE), ('sysinfo',)):
            proc = sim(state, *argv)
            if proc.returncode:
                raise RuntimeError('%s failed: %s' % (' '.join(argv), proc.stderr))
        sides = [Side('smartstack.smartos.compute', 'smartstack.smartos.compute', ours, tree, work),
                 Side('community.general.vmadm', 'community.general.vmadm', peers, empty, work)]
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
    finally:
        try:
            bed.down()
        finally:
            shutil.rmtree(work, ignore_errors=True)

    print('Commands per task (simulator command log), %s vs %s' % (sides[0].name, sides[1].name))
    print('(%s)' % PEER_NOTE)
    print()
    print('%-28s %12s %12s %8s  %s' % ('task', 'smartstack', 'c.g.vmadm', 'ratio', 'reached the goal (smartstack / c.g.)'))
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
            for label, cell in (('smartstack', ours_row), ('c.g.vmadm', peer_row)):
                for argv in cell[3]:
                    print('  %-11s %s' % (label, ' '.join(argv)))
                if not cell[1]:
                    print('  %-11s FAILED: %s' % (label, (cell[4].stdout + cell[4].stderr)[-2000:]))
    print()
    print('(%.0f s)' % (time.monotonic() - started))
    return 0 if all(cell[1] for row in rows for cell in row[1:]) else 1


if __name__ == '__main__':
    sys.exit(main())
