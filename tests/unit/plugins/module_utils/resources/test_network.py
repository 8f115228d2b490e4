# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The network resource (resources/network.py) against the simulated global zone's ``nictagadm``.

A small stand-in for AnsibleModule runs the real simulated ``nictagadm``, ``dladm`` and ``vmadm``
(tests/simulator/bin, state in a temporary directory), and the network store lives where the GZ
keeps it (``<state>/root/opt/smartstack``), so every test sees what nictagadm does with the commands
(reference smartos_gz_tools.md §2) and counts them in the simulator's own log: an idempotent run is
ONE ``nictagadm list``.
"""

from __future__ import annotations

import json
import os
import threading

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import (
    Network,
    NetworkInfo,
    build,
    check_ip_fields,
    to_resource,
    vm_nics_on,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.netstore import NetworkStore
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.nictagadm import (
    Nictagadm,
    normalize_mac,
    valid_tag_name,
)
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import (
    SIM_BIN,
    Exit,
    SimGZ as BaseSimGZ,
    FakeModule as BaseFakeModule,
)

DEFAULTS = dict(label=None, vlan=0, link=None, etherstub=False, address=None, gateway=None, allocation=None,
                resolvers=None, reserved=None, allocation_start=None, allocation_end=None, title=None, state='active')


class FakeModule(BaseFakeModule):
    DEFAULTS = DEFAULTS


class SimGZ(BaseSimGZ):
    def __init__(self, state_dir):
        super(SimGZ, self).__init__(state_dir)
        self.store_dir = os.path.join(state_dir, 'root', 'opt', 'smartstack')

    def tags(self):
        proc = self.run('nictagadm', 'list', '-p', '-d', '|')
        assert proc.returncode == 0, proc.stderr
        return dict((t['name'], t) for t in Nictagadm.parse_list(proc.stdout))

    def stored(self):
        return NetworkStore(self.store_dir).read()

    def mac(self, link):
        proc = self.run('dladm', 'show-phys', '-p', '-m', '-o', 'address,link')
        for line in proc.stdout.splitlines():
            mac, _sep, name = line.rpartition(':')
            if name == link:
                return normalize_mac(mac.replace('\\', ''))
        raise AssertionError(link)

    def snapshot(self):
        """Every state document and the store and nic tag config files, byte for byte."""
        result = super(SimGZ, self).snapshot()
        for path in (os.path.join(self.store_dir, 'networks.json'), os.path.join(self.state, 'root', 'usbkey', 'config')):
            if os.path.exists(path):
                with open(path, 'rb') as handle:
                    result[path] = handle.read()
        return result

    def network(self, check_mode=False, diff=False, **params):
        """Run the network flow; return (result dict, commands it ran)."""
        before = len(self.log())
        module = FakeModule(self, params, check_mode=check_mode, diff=diff)
        with pytest.raises(Exit) as info:
            run_resource(module, Network(module, store=NetworkStore(self.store_dir)))
        result = dict(info.value.result, failed=info.value.failed)
        return result, self.log()[before:]

    def info(self, **params):
        before = len(self.log())
        module = FakeModule(self, {})
        module.params = dict(dict(label=None, vlan=None, state=None, type=None, title=None), **params)
        return NetworkInfo(module, store=NetworkStore(self.store_dir)).run(), self.log()[before:]

    def vm_on(self, tag, vlan=None):
        nic = {'nic_tag': tag, 'ip': 'dhcp'}
        if vlan:
            nic['vlan_id'] = vlan
        payload = {'alias': 'nettest', 'image_uuid': self.image(), 'nics': [nic], 'autoboot': False}
        proc = self.run('vmadm', 'create', stdin=json.dumps(payload))
        assert proc.returncode == 0, proc.stderr

    def image(self):
        proc = self.run('imgadm', 'list', '-j')
        images = [i for i in json.loads(proc.stdout) if i['manifest'].get('type') == 'zone-dataset']
        assert images, 'the simulated GZ has no zone image installed'
        return images[0]['manifest']['uuid']


@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state, '--zones', '1')
    assert proc.returncode == 0, proc.stderr
    return zone


# ---------------------------------------------------------------------------------------------
# pure functions

def test_tag_names_follow_nictagadm_and_dladm():
    """valid_name (< 31, [a-zA-Z0-9_]) and valid_stub_name + dladm's no-leading-zero rule (§2.3, §4.1)."""
    assert valid_tag_name('external')
    assert valid_tag_name('a' * 30) and not valid_tag_name('a' * 31)
    assert not valid_tag_name('bad-name') and not valid_tag_name('')
    assert valid_tag_name('stub0', etherstub=True) and valid_tag_name('internal10', etherstub=True)
    assert not valid_tag_name('stub', etherstub=True) and not valid_tag_name('stub01', etherstub=True)


def test_ip_fields_are_checked_and_normalised():
    fields = check_ip_fields(dict(address='10.1.0.7/24', gateway='10.1.0.1', resolvers=['10.1.0.53'], allocation=None))
    assert fields == {'address': '10.1.0.0/24', 'gateway': '10.1.0.1', 'allocation': 'static', 'resolvers': ['10.1.0.53']}
    for params, message in [(dict(address='10.1.0.0'), 'no /prefix'), (dict(address='10.1.0.0/33'), 'not a CIDR'),
                            (dict(address='10.1.0.0/24', gateway='10.2.0.1'), 'outside the network'),
                            (dict(address='10.1.0.0/24', gateway='10.1.0.255'), 'broadcast'),
                            (dict(gateway='10.1.0.1'), 'needs address'), (dict(allocation='static'), 'needs address'),
                            (dict(resolvers=['dns.example.com']), 'not an IP address')]:
        with pytest.raises(ResourceError) as info:
            check_ip_fields(params)
        assert message in info.value.message


def test_parse_list_and_vm_nics():
    tags = Nictagadm.parse_list('admin|00:0c:29:aa:bb:cc|e1000g0|normal\nstub0|-|-|etherstub\nrule1|-|-|overlay rule\n')
    assert tags[1] == {'name': 'stub0', 'mac': None, 'link': None, 'type': 'etherstub'}
    assert tags[2]['type'] == 'overlay rule'
    network = build('admin', 0, tags, {})
    assert network['state'] == 'active' and network['tag']['link'] == 'e1000g0'
    assert build('admin', 5, tags, {}) is None
    nics = [{'nic_tag': 'admin', 'interface': 'net0'}, {'nic_tag': 'admin', 'vlan_id': 5, 'interface': 'net1'}]
    vms = [{'uuid': 'u1', 'alias': 'a', 'nics': nics}]
    assert vm_nics_on(vms, 'admin') == [('u1', 'a', 'net0'), ('u1', 'a', 'net1')]
    assert vm_nics_on(vms, 'admin', 5) == [('u1', 'a', 'net1')]
    assert vm_nics_on(vms, 'admin', 0) == [('u1', 'a', 'net0')]


def test_store_writes_from_two_threads_lose_nothing(tmp_path):
    """Two writers of different networks at once: each put re-reads under the lock, so both stay."""
    store = NetworkStore(str(tmp_path / 'store'))

    def writer(prefix):
        for index in range(20):
            store.put('%s%d' % (prefix, index), {'label': prefix})

    threads = [threading.Thread(target=writer, args=(p,)) for p in ('a', 'b')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.read()) == 40


# ---------------------------------------------------------------------------------------------
# against the simulated GZ

def test_create_over_a_link_by_name_then_idempotent_in_one_command(gz):
    result, commands = gz.network(label='internal', link='e1000g1', address='10.5.0.0/24', gateway='10.5.0.1',
                                  resolvers=['10.5.0.53'], diff=True)
    assert not result['failed'], result
    assert result['changed']
    assert gz.tags()['internal']['mac'] == gz.mac('e1000g1')
    stored = gz.stored()['internal']
    assert stored['address'] == '10.5.0.0/24' and stored['gateway'] == '10.5.0.1' and stored['allocation'] == 'static'
    assert stored['nic_tag'] == {'mac': gz.mac('e1000g1')}
    # e1000g1 already carries the tag external: its MAC is known from nictagadm list, no dladm needed
    assert [c[:2] for c in commands] == [['nictagadm', 'list'], ['nictagadm', 'add']]
    resource = result['resource']
    assert resource['kind'] == 'http://schemas.ogf.org/occi/infrastructure#network'
    assert 'http://schemas.ogf.org/occi/infrastructure/network#ipnetwork' in resource['mixins']
    assert resource['attributes']['occi.network.address'] == '10.5.0.0/24'
    assert resource['attributes']['smartos.network.resolvers'] == ['10.5.0.53']
    assert result['diff']['before'] == {} and result['diff']['after']['state'] == 'active'

    again, commands = gz.network(label='internal', link='e1000g1', address='10.5.0.0/24', gateway='10.5.0.1',
                                 resolvers=['10.5.0.53'])
    assert not again['changed'] and not again['failed']
    assert commands == [['nictagadm', 'list', '-p', '-d', '|']]
    assert again['resource'] == result['resource']


def test_unknown_link_and_bad_mac_change_nothing(gz):
    before = gz.snapshot()
    result, commands = gz.network(label='internal', link='e1000g7')
    assert result['failed'] and 'unknown link e1000g7' in result['msg']
    assert commands[-1][:2] == ['dladm', 'show-phys']
    result, _commands = gz.network(label='internal', link='00:0c:29:00:00:01')
    assert result['failed'] and "No physical nic found with MAC address '00:0c:29:00:00:01'" in result['msg']
    result, commands = gz.network(label='bad-name', link='e1000g1')
    assert result['failed'] and 'not a valid nic tag name' in result['msg'] and commands == []
    result, commands = gz.network(label='internal', link='e1000g1', address='10.5.0.0/24', gateway='10.6.0.1')
    assert result['failed'] and 'outside the network' in result['msg'] and commands == []
    assert gz.snapshot() == before


def test_check_mode_changes_nothing(gz):
    before = gz.snapshot()
    result, commands = gz.network(check_mode=True, label='stub0', etherstub=True, address='192.168.9.0/24')
    assert result['changed'] and result['network']['state'] == 'active'
    assert commands == [['nictagadm', 'list', '-p', '-d', '|']]
    assert gz.snapshot() == before


def test_etherstub_inactive_and_active_again(gz):
    result, _commands = gz.network(label='stub0', etherstub=True, allocation='dynamic')
    assert not result['failed'] and gz.tags()['stub0']['type'] == 'etherstub'
    result, commands = gz.network(label='stub0', state='inactive')
    assert result['changed'] and 'stub0' not in gz.tags()
    assert gz.stored()['stub0']['state'] == 'inactive' and gz.stored()['stub0']['nic_tag'] == {'etherstub': True}
    assert ['nictagadm', 'delete', 'stub0'] in commands
    info, commands = gz.info(label='stub0')
    assert len(commands) == 1 and info['networks'][0]['state'] == 'inactive'
    result, commands = gz.network(label='stub0')
    assert result['changed'] and gz.tags()['stub0']['type'] == 'etherstub'
    assert ['nictagadm', 'add', '-l', 'stub0'] in commands and gz.stored()['stub0']['state'] == 'active'


def test_vlan_network_and_refusal_while_in_use(gz):
    result, _commands = gz.network(label='external', vlan=100, address='10.100.0.0/24', gateway='10.100.0.1')
    assert not result['failed'] and to_resource(result['network']).location == '/network/external.100'
    assert result['resource']['id'] == 'urn:smartstack:network:external.100'
    assert result['resource']['attributes']['occi.network.vlan'] == 100
    assert gz.stored()['external.100']['vlan'] == 100
    gz.vm_on('external', vlan=100)
    before = gz.snapshot()
    result, commands = gz.network(label='external', vlan=100, state='absent')
    assert result['failed'] and 'is in use by VM NICs' in result['msg'], result
    assert commands[-1][:2] == ['vmadm', 'lookup']
    result, _commands = gz.network(label='external', state='absent')
    assert result['failed'] and 'carries the VLAN networks external.100' in result['msg']
    assert gz.snapshot() == before
    info, commands = gz.info(label='external')
    assert [n['key'] for n in info['networks']] == ['external', 'external.100'] and len(commands) == 1


def test_nictagadm_refusal_is_surfaced(gz):
    """A VM NIC on the tag: refused by our lookup; nictagadm's own words when it refuses (§2.4 delete)."""
    gz.network(label='internal', link='e1000g1')
    gz.vm_on('internal')
    result, _commands = gz.network(label='internal', state='absent')
    assert result['failed'] and "nic tag 'internal' is in use" in result['msg']
    assert 'internal' in gz.tags()
    module = FakeModule(gz, {})
    from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import (  # pylint: disable=import-outside-toplevel
        CommandRunner,
        SmartOSCommandError,
    )
    with pytest.raises(SmartOSCommandError) as info:
        Nictagadm(CommandRunner(module)).delete('internal')
    assert info.value.message == "Error: nic tag 'internal' is in use"


def test_absent_removes_tag_and_definition(gz):
    created, commands = gz.network(label='internal', link=gz.mac('e1000g1').upper(), address='10.7.0.0/16')
    assert created['network']['state'] == 'active' and created['network']['tag']['link'] == 'e1000g1'
    assert commands[-1] == ['nictagadm', 'add', 'internal', gz.mac('e1000g1')]
    result, commands = gz.network(label='internal', state='absent')
    assert result['changed'] and result['network'] is None
    assert 'internal' not in gz.tags() and 'internal' not in gz.stored()
    assert ['nictagadm', 'delete', 'internal'] in commands
    again, commands = gz.network(label='internal', state='absent')
    assert not again['changed'] and commands == [['nictagadm', 'list', '-p', '-d', '|']]


def test_moving_a_tag_updates_it(gz):
    gz.network(label='internal', link='e1000g1')
    result, commands = gz.network(label='internal', link='e1000g0')
    assert result['changed'] and ['nictagadm', 'update', 'internal', gz.mac('e1000g0')] in commands
    assert gz.tags()['internal']['link'] == 'e1000g0'


def test_reserved_is_checked_normalised_stored_and_rendered(gz):
    fields = check_ip_fields({'address': '10.9.0.0/24', 'reserved': ['10.9.0.5', ' 10.9.0.10 - 10.9.0.20 ', '10.9.0.7-10.9.0.7']})
    assert fields['reserved'] == ['10.9.0.5', '10.9.0.10-10.9.0.20', '10.9.0.7']
    assert check_ip_fields({'reserved': []})['reserved'] == []
    for params, message in (
            ({'reserved': ['10.9.0.5']}, 'reserved needs address'),
            ({'address': '10.9.0.0/24', 'reserved': ['10.9.1.5']}, "reserved entry '10.9.1.5': 10.9.1.5 is outside the network"),
            ({'address': '10.9.0.0/24', 'reserved': ['10.9.0.9-10.9.0.3']}, 'the range ends (10.9.0.3) before it starts'),
            ({'address': '10.9.0.0/24', 'reserved': ['ten']}, "reserved entry 'ten' is neither an IP address nor a range"),
            ({'address': '10.9.0.0/24', 'reserved': ['fd00::1']}, 'is outside the network')):
        with pytest.raises(ResourceError) as info:
            check_ip_fields(params)
        assert message in info.value.message, (params, info.value.message)

    bounds = check_ip_fields({'address': '10.9.0.0/24', 'allocation_start': '10.9.0.100', 'allocation_end': '10.9.0.199'})
    assert (bounds['allocation_start'], bounds['allocation_end']) == ('10.9.0.100', '10.9.0.199')
    for params, message in (
            ({'allocation_start': '10.9.0.100'}, 'allocation_start needs address'),
            ({'address': '10.9.0.0/24', 'allocation_end': '10.9.1.1'}, 'allocation_end 10.9.1.1 is outside the network 10.9.0.0/24'),
            ({'address': '10.9.0.0/24', 'allocation_start': 'x'}, "allocation_start 'x' is not an IP address"),
            ({'address': '10.9.0.0/24', 'allocation_start': '10.9.0.9', 'allocation_end': '10.9.0.8'},
             'allocation_end 10.9.0.8 is before allocation_start 10.9.0.9')):
        with pytest.raises(ResourceError) as info:
            check_ip_fields(params)
        assert message in info.value.message, (params, info.value.message)

    before = gz.snapshot()
    result, _commands = gz.network(check_mode=True, label='admin', vlan=42, address='10.42.0.0/24', reserved=['10.42.0.300'])
    assert result['failed'] and "reserved entry '10.42.0.300'" in result['msg'] and gz.snapshot() == before
    result, _commands = gz.network(label='admin', vlan=42, address='10.42.0.0/24', gateway='10.42.0.1', reserved=['10.42.0.2-10.42.0.9'])
    assert result['changed'] and gz.stored()['admin.42']['reserved'] == ['10.42.0.2-10.42.0.9']
    assert result['resource']['attributes']['smartos.network.reserved'] == ['10.42.0.2-10.42.0.9']
    ranged, _commands = gz.network(label='admin', vlan=43, address='10.43.0.0/24', allocation_start='10.43.0.10', allocation_end='10.43.0.20')
    assert ranged['resource']['attributes']['smartos.network.allocation_end'] == '10.43.0.20'
    assert gz.stored()['admin.43']['allocation_start'] == '10.43.0.10'
    again, commands = gz.network(label='admin', vlan=42, address='10.42.0.0/24', gateway='10.42.0.1', reserved=['10.42.0.2-10.42.0.9'])
    assert not again['changed'] and len(commands) == 1
