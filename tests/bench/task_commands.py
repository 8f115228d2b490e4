# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 1, commands per task: every module of ours against the community.general module doing the same task.

Two bootstrapped simulated GZs: our playbook runs on gz1, the peer's on gz2, at the same time
(the counts do not depend on timing). Each playbook is the list ROWS below in order, one task a
row (``ignore_errors`` so that a failure does not hide the rows after it); the ``bench_marks``
callback marks each task's start in the GZ's command log, so each row gets exactly the commands
its task ran. Set-up (image cache, sysinfo cache, a dataset, a daemon's program) is done on the
state directly before the playbooks and not counted.

Targets (issue 8): an idempotent task (and a read) runs exactly 1 command; a task runs at most
1/3 of the peer's commands. Both verdicts are printed per row; nothing is hidden.
"""

from __future__ import annotations

import os
import threading

from benchlib import BASE, log_path, ratio, sim

IMAGE = '0e79fdf8-2c52-4451-ad1f-3209db6538a2'       # ubuntu-certified-22.04 (zvol) in the simulator's catalogue
PEER_UUID = '6a3a1b2c-0000-4000-8000-00000000be0c'   # the peer's zone, by uuid (see the compute notes)
GIB = 1 << 30

DAEMON = '''<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="site-benchd">
  <service name="site/benchd" type="service" version="1">
    <create_default_instance enabled="true"/>
    <exec_method type="method" name="start" exec="/opt/custom/bin/benchd &amp;" timeout_seconds="10"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="10"/>
    <stability value="Unstable"/>
  </service>
</service_bundle>
'''

SS_ZONE = {'title': 'bench-ss', 'brand': 'joyent', 'os_tpl': BASE, 'cores': 1, 'memory': 1, 'properties': {'quota': 10}}
# community.general.vmadm puts its `name` option into the create payload as "name", which vmadm
# drops, so a zone it creates has no alias and a second run by alias creates another
# (tests/simulator/tests/test_crosscheck.py). Given a uuid it is idempotent: its best case.
CG_ZONE = {'uuid': PEER_UUID, 'alias': 'bench-cg', 'brand': 'joyent', 'image_uuid': BASE, 'cpu_cap': 100,
           'max_physical_memory': 1024, 'quota': 10, 'state': 'running'}
SS_FS = {'name': 'zones/bench-ss', 'size': 1, 'properties': {'compression': 'lz4'}}
# community.general.zfs takes no size: the size is its extra_zfs_properties refquota (volsize).
CG_FS = {'name': 'zones/bench-cg', 'state': 'present', 'extra_zfs_properties': {'refquota': '1G', 'compression': 'lz4'}}
NIC = {'source': 'bench-ss', 'target': 'benchnet'}
MOUNT = {'kind': 'storagelink', 'source': 'bench-ss', 'target': '/storage/zones/bench-shared', 'mountpoint': '/shared',
         'read_only': True}
PKGSRC = {'name': 'smartstack.smartos.pkgsrc', 'tasks_from': 'packages'}

CONVERGE, IDEMPOTENT, READ = 'converge', 'idempotent', 'read'


def row(module, task, kind, ours, peer=None, note='', ours_module=None):
    """One row: our module's options, the peer's (module, options) or None, what the row shows."""
    return {'module': module, 'task': task, 'kind': kind, 'ours': ours, 'peer': peer, 'note': note,
            'ours_module': ours_module or 'smartstack.smartos.' + module}


ROWS = [
    row('compute', 'create zone', CONVERGE, SS_ZONE, ('community.general.vmadm', CG_ZONE),
        'ours reads sysinfo (cores is checked against the host); peer addressed by uuid (by alias it is not idempotent)'),
    row('compute', 'same task again', IDEMPOTENT, SS_ZONE, ('community.general.vmadm', CG_ZONE)),
    row('compute', 'memory 1 -> 2 GiB', CONVERGE, dict(SS_ZONE, memory=2),
        ('community.general.vmadm', dict(CG_ZONE, max_physical_memory=2048)),
        'the peer cannot change an existing VM (reports ok; memory stays 1 GiB)'),
    row('compute', 'stop', CONVERGE, {'title': 'bench-ss', 'state': 'inactive'},
        ('community.general.vmadm', {'uuid': PEER_UUID, 'state': 'stopped'})),
    row('compute', 'stop again', IDEMPOTENT, {'title': 'bench-ss', 'state': 'inactive'},
        ('community.general.vmadm', {'uuid': PEER_UUID, 'state': 'stopped'})),
    row('compute_info', 'every VM', READ, {}, None, 'no community.general module lists VMs'),
    row('image', 'import by uuid', CONVERGE, {'image': IMAGE},
        ('community.general.imgadm', {'uuid': IMAGE, 'state': 'imported'})),
    row('image', 'same task again', IDEMPOTENT, {'image': IMAGE},
        ('community.general.imgadm', {'uuid': IMAGE, 'state': 'imported'})),
    row('image_info', 'installed images', READ, {}, ('community.general.smartos_image_info', {})),
    row('image_info', 'images the sources offer', READ, {'available': True}, None,
        'no community.general module lists available images'),
    row('image', 'delete', CONVERGE, {'image': IMAGE, 'state': 'absent'},
        ('community.general.imgadm', {'uuid': IMAGE, 'state': 'deleted'})),
    row('storage', 'create filesystem', CONVERGE, SS_FS, ('community.general.zfs', CG_FS)),
    row('storage', 'same task again', IDEMPOTENT, SS_FS, ('community.general.zfs', CG_FS),
        'the peer compares refquota=1G with 1073741824 and sets it again every run'),
    row('storage', 'size + property', CONVERGE, dict(SS_FS, size=2, properties={'compression': 'off'}),
        ('community.general.zfs', dict(CG_FS, extra_zfs_properties={'refquota': '2G', 'compression': 'off'}))),
    row('storage', 'create volume 64M', CONVERGE, {'name': 'zones/bench-ss-vol', 'type': 'volume', 'size': 0.0625},
        ('community.general.zfs', {'name': 'zones/bench-cg-vol', 'state': 'present',
                                   'extra_zfs_properties': {'volsize': '64M'}})),
    row('storage_info', 'one filesystem', READ, {'name': 'zones/bench-ss', 'recursive': False},
        ('community.general.zfs_facts', {'name': 'zones/bench-cg'})),
    row('storage', 'destroy filesystem', CONVERGE, {'name': 'zones/bench-ss', 'state': 'absent'},
        ('community.general.zfs', {'name': 'zones/bench-cg', 'state': 'absent'}),
        'the peer destroys with -R (every clone of its snapshots too)'),
    row('network', 'create with address range', CONVERGE,
        {'label': 'benchnet', 'link': 'e1000g1', 'address': '10.70.0.0/24', 'gateway': '10.70.0.1'}, None,
        'no community.general module manages nic tags or address ranges'),
    row('network', 'same task again', IDEMPOTENT,
        {'label': 'benchnet', 'link': 'e1000g1', 'address': '10.70.0.0/24', 'gateway': '10.70.0.1'}),
    row('network_info', 'every network', READ, {}),
    row('link', 'NIC, address allocated', CONVERGE, NIC, None,
        'community.general.vmadm cannot add a NIC to an existing VM'),
    row('link', 'same task again', IDEMPOTENT, NIC),
    row('link', 'storagelink lofs mount', CONVERGE, MOUNT, None,
        'community.general.vmadm cannot add a mount to an existing VM'),
    row('link', 'same task again', IDEMPOTENT, MOUNT),
    row('link_info', 'links of one VM', READ, {'source': 'bench-ss'}),
    row('smf', 'import + enable manifest', CONVERGE, {'content': DAEMON}, None,
        'ansible.builtin.service drives svcadm only on SunOS; the simulated GZ Python reports Linux'),
    row('smf', 'same task again', IDEMPOTENT, {'content': DAEMON}),
    row('smf', 'disable', CONVERGE, {'name': 'site/benchd', 'state': 'disabled'}),
    row('smf_info', 'site services', READ, {'name': ['svc:/site/*']}),
    row('pkgsrc role', 'install a package', CONVERGE, dict(PKGSRC, vars={'pkgsrc_install': ['gmake']}),
        ('community.general.pkgin', {'name': 'gmake', 'state': 'present'}),
        'ours: the role\'s packages.yml (pkg_info, then pkgin install of what is missing)', 'include_role'),
    row('pkgsrc role', 'same task again', IDEMPOTENT, dict(PKGSRC, vars={'pkgsrc_install': ['gmake']}),
        ('community.general.pkgin', {'name': 'gmake', 'state': 'present'}), '', 'include_role'),
]

# --quick: a few rows that still cover both sides, a ratio and both targets
QUICK_ROWS = (('compute', 'create zone'), ('compute', 'same task again'), ('storage', 'create filesystem'),
              ('storage', 'same task again'), ('image_info', 'installed images'))


def _task(index, name, module, options):
    task = {'name': 'bench-row %02d %s' % (index, name), 'ignore_errors': True}
    if module == 'include_role':
        options = dict(options)
        task['vars'] = options.pop('vars')
        task['ansible.builtin.include_role'] = options
    else:
        task[module] = options
    return task


def playbooks(rows, ours_host, peer_host):
    ours, peer = [], []
    for index, entry in enumerate(rows):
        name = '%s: %s' % (entry['module'], entry['task'])
        ours.append(_task(index, name, entry['ours_module'], entry['ours']))
        if entry['peer']:
            peer.append(_task(index, name, entry['peer'][0], entry['peer'][1]))

    def play(host, tasks):
        return [{'name': 'bench commands per task', 'hosts': host, 'gather_facts': False, 'tasks': tasks}]
    return play(ours_host, ours), play(peer_host, peer)


def per_row(run, host):
    """{row index: (commands, changed, failed, failure message)} of a PlayRun (included tasks go to their row)."""
    result = {}
    current = None
    for task in run.tasks:
        name = task['name']
        if name.startswith('bench-row '):
            current = int(name.split()[1])
            result[current] = [[], False, False, '']
        if current is None:
            continue
        cell = result[current]
        cell[0].extend(task['commands'].get(host, []))
        for res in task['results']:
            if res['host'] != host or res.get('item'):
                continue
            cell[1] = cell[1] or res['changed']
            if res['status'] == 'failed':
                cell[2], cell[3] = True, res.get('msg', '')
    return result


def set_up(state):
    """What both GZs have before the playbooks (not counted): the zone image, sysinfo's cache, a dataset, a daemon."""
    sim(state, 'imgadm', 'import', '-q', BASE)
    sim(state, 'sysinfo')
    sim(state, 'zfs', 'create', 'zones/bench-shared')
    program = os.path.join(state, 'root', 'opt', 'custom', 'bin', 'benchd')
    os.makedirs(os.path.dirname(program), exist_ok=True)
    with open(program, 'w', encoding='utf-8') as handle:
        handle.write('#!/bin/sh\necho "benchd starting for $SMF_FMRI"\nexec sleep 3600\n')
    os.chmod(program, 0o755)


def measure(bed, costs, quick=False):
    """Run both playbooks on ``bed`` (gz1 ours, gz2 peer); the table rows of figure 1 and a details dict."""
    rows = [r for r in ROWS if not quick or (r['module'], r['task']) in QUICK_ROWS]
    ours_gz, peer_gz = bed.hosts[0], bed.hosts[1]
    for host in (ours_gz, peer_gz):
        set_up(host.state)
    ours_play, peer_play = playbooks(rows, ours_gz.name, peer_gz.name)
    runs, errors = {}, []

    def play(side, host, plays):
        try:
            runs[side] = bed.player(side).run(bed.inventory, plays, {host.name: log_path(host.state)}, limit=host.name)
        except Exception as exc:  # pylint: disable=broad-exception-caught  # re-raised below, in the main thread
            errors.append(exc)
    threads = [threading.Thread(target=play, args=('ours', ours_gz, ours_play)),
               threading.Thread(target=play, args=('peer', peer_gz, peer_play))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    ours_cells, peer_cells = per_row(runs['ours'], ours_gz.name), per_row(runs['peer'], peer_gz.name)
    table, details = [], []
    totals = {'ours': 0, 'peer': 0, 'ours_s': 0.0, 'peer_s': 0.0}
    for index, entry in enumerate(rows):
        ours = ours_cells.get(index)
        peer = peer_cells.get(index) if entry['peer'] else None
        if ours is None:
            raise RuntimeError('row %d (%s %s) did not run:\n%s' % (index, entry['module'], entry['task'], runs['ours'].why()))
        table.append(_table_row(entry, ours, peer, costs, totals))
        details.append({'module': entry['module'], 'task': entry['task'], 'kind': entry['kind'],
                        'ours': ours[0], 'peer': peer[0] if peer else None,
                        'ours_failed': ours[3] if ours[2] else None, 'peer_failed': peer[3] if peer and peer[2] else None})
    table.append({'figure': '1 commands/task', 'row': 'total, rows with a peer', 'ours': totals['ours'],
                  'peer': totals['peer'], 'ratio': ratio(totals['ours'], totals['peer']), 'target': '<= 0.33',
                  'verdict': _verdict(ratio(totals['ours'], totals['peer']) <= 1 / 3.0) if totals['peer'] else '',
                  'real GZ est. s (ours/peer)': '%.1f / %.1f' % (totals['ours_s'], totals['peer_s'])})
    return table, {'rows': details, 'seconds': {side: run.seconds for side, run in runs.items()}}


def _verdict(ok):
    return 'PASS' if ok else 'FAIL'


def _table_row(entry, ours, peer, costs, totals):
    count = len(ours[0])
    peer_count = len(peer[0]) if peer else None
    targets, verdicts = [], []
    if entry['kind'] in (IDEMPOTENT, READ):
        targets.append('1 cmd')
        verdicts.append(_verdict(count == 1))
    rat = ratio(count, peer_count) if peer else None
    if peer:
        targets.append('<= 1/3 peer')
        verdicts.append(_verdict(rat is not None and rat <= 1 / 3.0))
        totals['ours'] += count
        totals['peer'] += peer_count
        totals['ours_s'] += costs.seconds(ours[0])
        totals['peer_s'] += costs.seconds(peer[0])
    notes = []
    want_changed = entry['kind'] == CONVERGE
    for side, cell in (('ours', ours), ('peer', peer)):
        if cell is None:
            continue
        if cell[2]:
            notes.append('%s FAILED: %s' % (side, cell[3][:160].replace('|', '/').replace('\n', ' ')))
        elif cell[1] != want_changed and entry['kind'] != READ:
            notes.append('%s reported %s' % (side, 'changed' if cell[1] else 'no change'))
    notes.append('ours: %s' % (', '.join(_short(argv) for argv in ours[0]) or 'no command'))
    if peer:
        notes.append('peer: %s' % (', '.join(_short(argv) for argv in peer[0]) or 'no command'))
    if entry['note']:
        notes.append(entry['note'])
    if peer and peer_count < 3:
        notes.append('<= 1/3 unattainable: one command is more than 1/3 of the peer\'s %d' % peer_count)
    est = '%.1f / %s' % (costs.seconds(ours[0]), '%.1f' % costs.seconds(peer[0]) if peer else '-')
    return {'figure': '1 commands/task', 'row': '%s: %s (%s)' % (entry['module'], entry['task'], entry['kind']),
            'ours': count, 'peer': peer_count, 'ratio': rat, 'target': ', '.join(targets),
            'verdict': ', '.join(verdicts), 'real GZ est. s (ours/peer)': est, 'note': '; '.join(notes)}


SUBCOMMAND_TOOLS = ('vmadm', 'imgadm', 'zfs', 'zpool', 'nictagadm', 'dladm', 'svcadm', 'svccfg', 'pkgin')


def _short(argv):
    """``vmadm lookup`` / ``zfs get`` / ``svcs``: the tool and its subcommand."""
    tool = os.path.basename(argv[0])
    words = [tool]
    if tool in SUBCOMMAND_TOOLS:
        for arg in argv[1:]:
            if not arg.startswith('-'):
                words.append(arg)
                break
    return ' '.join(words)
