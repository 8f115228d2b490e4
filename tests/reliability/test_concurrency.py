# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Concurrent tasks on one GZ (issue 8): two ansible-playbook runs at once against the same GZ.

- ``link`` allocations: two playbooks attach NICs of four VMs to one network with static
  allocation at the same time; every NIC gets its own address inside the network (not the
  gateway), and the network store (JSON) stays whole.
- ``compute`` creations of one alias: two playbooks create the same VM (one alias) at the same
  time; there is one VM afterwards (and one zone dataset), both tasks succeed, one of them says
  it created it.

Set-up (image, VMs) uses the simulator's own tools on the GZ's state; only the tasks under test
are modules. Objects are named ``cc-*``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from conftest import SUMMARY, traceback_problems  # noqa: E402  pylint: disable=wrong-import-position

BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'       # base-64-lts 24.4.1 (simulator catalogue)
NETWORK = {'label': 'cc0', 'etherstub': True, 'address': '10.81.0.0/24', 'gateway': '10.81.0.1', 'allocation': 'static'}


def _vm(gz, alias):
    found = gz.sim_json('vmadm', 'lookup', '-j', 'alias=%s' % alias)
    if found:
        return found[0]['uuid']
    assert gz.sim('imgadm', 'import', '-q', BASE).returncode == 0
    result = gz.sim('vmadm', 'create', stdin=json.dumps({'alias': alias, 'brand': 'joyent', 'image_uuid': BASE,
                                                         'max_physical_memory': 128}))
    assert result.returncode == 0, result.stderr
    return re.search(r'Successfully created VM (\S+)', result.stderr).group(1)


def _ok(run):
    for record in run.records:
        assert record['status'] == 'ok', '%s: %s\n%s' % (record['task'], json.dumps(record['result'])[:1500], run.why())
        assert traceback_problems(record) == []
    assert run.rc == 0, run.why()


def test_two_link_allocations_at_once_get_different_addresses(gz):
    aliases = ['cc-vm1', 'cc-vm2', 'cc-vm3', 'cc-vm4']
    uuids = dict((alias, _vm(gz, alias)) for alias in aliases)
    _ok(gz.playbook([{'name': 'cc network', 'smartstack.smartos.network': NETWORK}]))
    halves = (aliases[:2], aliases[2:])
    pending = [gz.start_playbook([{'name': 'cc attach %s' % alias, 'smartstack.smartos.link': {'source': alias, 'target': 'cc0'}}
                                  for alias in half]) for half in halves]
    runs = [p.wait() for p in pending]
    for run in runs:
        _ok(run)
    addresses = {}
    for alias, uuid in uuids.items():
        nics = [n for n in gz.sim_json('vmadm', 'get', uuid).get('nics', []) if n.get('nic_tag') == 'cc0']
        assert len(nics) == 1, (alias, nics)
        addresses[alias] = nics[0]['ip']
    assert len(set(addresses.values())) == len(aliases), 'two NICs share an address: %s' % addresses
    network = ipaddress.ip_network(NETWORK['address'])
    for ip in addresses.values():
        assert ipaddress.ip_address(ip) in network and ip != NETWORK['gateway']
    with open(gz.host_path('/opt/smartstack/networks.json'), encoding='utf-8') as handle:
        store = json.load(handle)      # whole JSON after two writers
    assert store['networks']['cc0']['address'] == NETWORK['address'], store
    # tidy up: detach, remove the network and the VMs
    _ok(gz.playbook([{'name': 'cc detach %s' % alias, 'smartstack.smartos.link': {'source': alias, 'target': 'cc0', 'state': 'absent'}}
                     for alias in aliases] + [{'name': 'cc network gone', 'smartstack.smartos.network': {'label': 'cc0', 'state': 'absent'}}]))
    for uuid in uuids.values():
        assert gz.sim('vmadm', 'delete', uuid).returncode == 0
    SUMMARY.append('concurrency: 4 NICs allocated by 2 playbooks at once on one network: %d distinct addresses'
                   % len(set(addresses.values())))


def test_two_creates_of_one_alias_at_once_make_one_vm(gz):
    assert gz.sim('imgadm', 'import', '-q', BASE).returncode == 0
    vm = {'title': 'cc-same', 'brand': 'joyent', 'os_tpl': BASE, 'memory': 0.25, 'state': 'active'}
    pending = [gz.start_playbook([{'name': 'cc create', 'smartstack.smartos.compute': vm}]) for _n in range(2)]
    runs = [p.wait() for p in pending]
    for run in runs:
        _ok(run)
    found = gz.sim_json('vmadm', 'lookup', '-j', 'alias=cc-same')
    assert len(found) == 1, 'two creations of one alias made %d VMs: %s' % (len(found), [v['uuid'] for v in found])
    actions = [run['cc create']['result'].get('actions') or [] for run in runs]
    creations = [a for acts in actions for a in acts if a.startswith('create')]
    assert len(creations) == 1, 'exactly one of the two tasks creates the VM: %s' % actions
    datasets = gz.sim('zfs', 'list', '-H', '-o', 'name').stdout.split()
    orphans = [d for d in datasets if re.match(r'^zones/[0-9a-f-]{36}$', d) and d != 'zones/' + found[0]['uuid']
               and d != 'zones/' + BASE and not gz.sim_json('vmadm', 'lookup', '-j', 'uuid=%s' % d.split('/')[1])
               and not d.split('/')[1] in [i['manifest']['uuid'] for i in gz.sim_json('imgadm', 'list', '-j')]]
    assert orphans == [], 'zone datasets without a VM: %s' % orphans
    assert gz.sim('vmadm', 'delete', found[0]['uuid']).returncode == 0
    SUMMARY.append('concurrency: 2 creations of one alias at once: %d VM; what the two tasks did: %s' % (len(found), actions))
