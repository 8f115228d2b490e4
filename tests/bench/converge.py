# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 2, a converge playbook: N zones with a network, NICs and storage links, created, then the same run again.

Ours is the collection's own playbooks/cloud.yml with a generated model: one network with an
address range (a nic tag on e1000g1), N filesystems, N joyent zones, and per zone a NIC on the
network (address allocated by the link module) and its filesystem as a lofs mount (storagelink).

The peer playbook does what community.general can express of the same: ``community.general.zfs``
for the filesystems (refquota for the size), ``community.general.vmadm`` for the zones with the
NIC and the lofs mount in the create payload. It cannot create the network (no module manages
nic tags or address ranges): its NICs go on the existing tag ``external``, with addresses the
playbook computes. It cannot add a NIC or a mount to an existing zone, so both go into the
create payload. Its zones are addressed by uuid (by alias community.general.vmadm is not
idempotent).

Two bootstrapped GZs, ours on gz1 and the peer on gz2, run one after the other (wall time is
measured, and the machine has 2 cores): ours run 1, peer run 1, ours run 2, peer run 2.
"""

from __future__ import annotations

import json
import os
import threading

from benchlib import BASE, REPO, log_path, ratio, sim

CLOUD_PLAYBOOK = os.path.join(REPO, 'playbooks', 'cloud.yml')


def peer_uuid(index):
    return 'b3c40000-0000-4000-8000-%012d' % index


def model(count):
    """Our cloud.yml model of ``count`` zones."""
    names = ['bench%02d' % i for i in range(1, count + 1)]
    return {'cloud': {
        'networks': [{'label': 'benchnet', 'link': 'e1000g1', 'address': '10.80.0.0/24', 'gateway': '10.80.0.1'}],
        'storage': [{'name': 'zones/%s-data' % n, 'type': 'filesystem', 'size': 1} for n in names],
        'computes': [{'title': n, 'brand': 'joyent', 'os_tpl': BASE, 'memory': 0.25} for n in names],
        'links': [link for n in names for link in (
            {'source': n, 'target': 'benchnet'},
            {'kind': 'storagelink', 'source': n, 'target': 'zones/%s-data' % n, 'mountpoint': '/data'})],
    }}


def peer_playbook(host, count):
    """The same cloud with community.general.zfs and community.general.vmadm."""
    zones = [{'name': 'bench%02d' % i, 'uuid': peer_uuid(i), 'ip': '10.80.0.%d' % (10 + i)} for i in range(1, count + 1)]
    loop = {'loop': '{{ zones }}', 'loop_control': {'label': '{{ item.name }}'}}
    storage = {'name': 'zones/{{ item.name }}-data', 'state': 'present', 'extra_zfs_properties': {'refquota': '1G'}}
    compute = {'uuid': '{{ item.uuid }}', 'alias': '{{ item.name }}', 'brand': 'joyent', 'image_uuid': BASE,
               'max_physical_memory': 256, 'state': 'running',
               'nics': [{'nic_tag': 'external', 'ip': '{{ item.ip }}', 'netmask': '255.255.255.0', 'gateway': '10.80.0.1',
                         'primary': True}],
               'filesystems': [{'type': 'lofs', 'source': '/zones/{{ item.name }}-data', 'target': '/data'}]}
    tasks = [dict(loop, **{'name': 'Storage', 'community.general.zfs': storage}),
             dict(loop, **{'name': 'Computes with their NIC and mount', 'community.general.vmadm': compute})]
    return [{'name': 'bench converge, community.general', 'hosts': host, 'gather_facts': False, 'vars': {'zones': zones},
             'tasks': tasks}]


def _count_run(run, host):
    """(commands, changed items, failed items) of a PlayRun on ``host``."""
    changed = failed = 0
    for task in run.tasks:
        for res in task['results']:
            if res['host'] == host and res.get('item'):
                changed += res['changed']
                failed += res['status'] == 'failed'
    return run.commands(host), changed, failed


def measure(bed, costs, count, parallel=False):
    """Both playbooks twice on ``bed`` (gz1 ours, gz2 peer); the table rows of figure 2 and details.

    ``parallel``: both sides at once (a smoke run; the wall times then mean nothing)."""
    ours_gz, peer_gz = bed.hosts[0], bed.hosts[1]
    for host in (ours_gz, peer_gz):
        sim(host.state, 'imgadm', 'import', '-q', BASE)
        sim(host.state, 'sysinfo')
    model_path = os.path.join(bed.work, 'bench_model.json')
    with open(model_path, 'w', encoding='utf-8') as handle:
        json.dump(model(count), handle)
    ours, peer = bed.player('ours'), bed.player('peer')
    peer_play = peer_playbook(peer_gz.name, count)
    results, errors = {}, []

    def play(side, player, host, playbook, args, run_no):
        try:
            run = player.run(bed.inventory, playbook, {host.name: log_path(host.state)}, limit=host.name, extra_args=args)
            commands, changed, failed = _count_run(run, host.name)
            if run.rc and not failed:
                raise RuntimeError('%s converge run %d failed:\n%s' % (side, run_no, run.why()))
            results[(side, run_no)] = {'seconds': run.seconds, 'commands': commands, 'changed': changed,
                                       'failed': failed, 'rc': run.rc}
        except Exception as exc:  # pylint: disable=broad-exception-caught  # re-raised below, in the main thread
            errors.append(exc)

    for run_no in (1, 2):
        sides = [('ours', ours, ours_gz, CLOUD_PLAYBOOK, ['-e', 'cloud_model=' + model_path, '-e', 'cloud_hosts=' + ours_gz.name]),
                 ('peer', peer, peer_gz, peer_play, [])]
        if parallel:
            threads = [threading.Thread(target=play, args=side + (run_no,)) for side in sides]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            for side in sides:
                play(*(side + (run_no,)))
        if errors:
            raise errors[0]
    rows = []
    for run_no, what in ((1, 'create'), (2, 're-run, nothing to do')):
        mine, theirs = results[('ours', run_no)], results[('peer', run_no)]
        items_note = 'items changed ours %d, peer %d' % (mine['changed'], theirs['changed'])
        if mine['failed'] or theirs['failed']:
            items_note += '; FAILED items ours %d, peer %d' % (mine['failed'], theirs['failed'])
        est = '%.0f / %.0f' % (costs.seconds(mine['commands']), costs.seconds(theirs['commands']))
        label = '%d zones, run %d (%s)' % (count, run_no, what)
        cmd_ratio = ratio(len(mine['commands']), len(theirs['commands']))
        rows.append({'figure': '2 converge', 'row': label + ': commands', 'ours': len(mine['commands']),
                     'peer': len(theirs['commands']), 'ratio': cmd_ratio,
                     'target': '<= 0.33' if run_no == 2 else '',
                     'verdict': ('PASS' if cmd_ratio is not None and cmd_ratio <= 1 / 3.0 else 'FAIL') if run_no == 2 else '',
                     'real GZ est. s (ours/peer)': est, 'note': items_note + '; ' + _tools(mine['commands'], theirs['commands'])})
        rows.append({'figure': '2 converge', 'row': label + ': wall s', 'ours': mine['seconds'], 'peer': theirs['seconds'],
                     'ratio': ratio(mine['seconds'], theirs['seconds']), 'target': '', 'verdict': '',
                     'real GZ est. s (ours/peer)': '',
                     'note': 'simulator wall time (ansible + SSH dominate; see the estimate column for a real GZ)'})
    # ours has 4 items a zone (filesystem, zone, NIC, mount) and the network; the peer 2 (filesystem, zone)
    rows[-2]['note'] += '; commands per item ours %.2f, peer %.2f' % (
        len(results[('ours', 2)]['commands']) / (count * 4.0 + 1), len(results[('peer', 2)]['commands']) / (count * 2.0))
    runs = dict(('%s-%d' % key, dict(value, commands=len(value['commands']))) for key, value in results.items())
    return rows, {'zones': count, 'runs': runs}


def _tools(mine, theirs):
    def by_tool(argvs):
        counts = {}
        for argv in argvs:
            tool = os.path.basename(argv[0])
            counts[tool] = counts.get(tool, 0) + 1
        return ' '.join('%s %d' % item for item in sorted(counts.items()))
    return 'ours: %s; peer: %s' % (by_tool(mine) or 'none', by_tool(theirs) or 'none')
