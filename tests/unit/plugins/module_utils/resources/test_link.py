# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The networkinterface link resource (resources/link.py) against the simulated GZ's ``vmadm``.

The real simulated ``vmadm`` and ``nictagadm`` run (tests/simulator/bin, state in a temporary
directory); the network store is where the GZ keeps it (``<state>/root/opt/smartstack``).
An idempotent run is ONE ``vmadm lookup``; allocations never collide, also when concurrent.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.link import (
    NetworkInterface,
    StorageLink,
    next_free,
    parse_storage_target,
    parse_target,
    used_addresses,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import Network
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.netstore import NetworkStore
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import (
    SIM_BIN,
    Exit,
    SimGZ as BaseSimGZ,
    FakeModule as BaseFakeModule,
)
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.test_network import FakeModule as NetModule

DEFAULTS = dict(kind='networkinterface', source=None, target=None, interface=None, mac=None, address=None, gateway=None,
                primary=None, allow_ip_spoofing=None, model=None, mtu=None, properties=None, state='active', mountpoint=None,
                read_only=None, boot=None, deviceid=None, delegate=False, purge=False)


class FakeModule(BaseFakeModule):
    DEFAULTS = DEFAULTS


class SimGZ(BaseSimGZ):
    def __init__(self, state_dir):
        super(SimGZ, self).__init__(state_dir)
        self.store_dir = os.path.join(state_dir, 'root', 'opt', 'smartstack')

    def vm(self, alias):
        proc = self.run('imgadm', 'list', '-j')
        image = [i for i in json.loads(proc.stdout) if i['manifest'].get('type') == 'zone-dataset'][0]['manifest']['uuid']
        proc = self.run('vmadm', 'create', stdin=json.dumps({'alias': alias, 'image_uuid': image, 'autoboot': False}))
        assert proc.returncode == 0, proc.stderr
        return json.loads(self.run('vmadm', 'lookup', '-j', 'alias=%s' % alias).stdout)[0]['uuid']

    def bhyve(self, alias):
        payload = {'brand': 'bhyve', 'alias': alias, 'ram': 1024, 'autoboot': False, 'disks': [{'size': 1024, 'model': 'virtio', 'boot': True}]}
        proc = self.run('vmadm', 'create', stdin=json.dumps(payload))
        assert proc.returncode == 0, proc.stderr
        return json.loads(self.run('vmadm', 'lookup', '-j', 'alias=%s' % alias).stdout)[0]['uuid']

    def get(self, uuid):
        return json.loads(self.run('vmadm', 'get', uuid).stdout)

    def storage(self, check_mode=False, diff=False, **params):
        before = len(self.log())
        module = FakeModule(self, dict(params, kind='storagelink'), check_mode=check_mode, diff=diff)
        with pytest.raises(Exit) as info:
            run_resource(module, StorageLink(module, store=NetworkStore(self.store_dir)))
        return dict(info.value.result, failed=info.value.failed), self.log()[before:]

    def snapshot(self):
        """Every state document and the GZ's store (inactive links live there), byte for byte."""
        result = super(SimGZ, self).snapshot()
        path = os.path.join(self.store_dir, 'networks.json')
        if os.path.exists(path):
            with open(path, 'rb') as handle:
                result[path] = handle.read()
        return result

    def records(self):
        return NetworkStore(self.store_dir).read_all()['links']

    def nics(self, uuid):
        return json.loads(self.run('vmadm', 'get', uuid).stdout).get('nics') or []

    def link(self, check_mode=False, diff=False, **params):
        before = len(self.log())
        module = FakeModule(self, params, check_mode=check_mode, diff=diff)
        with pytest.raises(Exit) as info:
            run_resource(module, NetworkInterface(module, store=NetworkStore(self.store_dir)))
        return dict(info.value.result, failed=info.value.failed), self.log()[before:]


@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state, '--zones', '1')
    assert proc.returncode == 0, proc.stderr
    NetworkStore(zone.store_dir).put('external.100', {'label': 'external', 'vlan': 100, 'address': '10.100.0.0/29',
                                                      'gateway': '10.100.0.1', 'allocation': 'static', 'state': 'active'})
    return zone


def test_pure_helpers():
    assert parse_target('/network/external.100') == ('external', 100)
    assert parse_target('admin') == ('admin', 0)
    vms = [{'nics': [{'ips': ['10.100.0.2/29', 'dhcp']}, {'ip': '10.100.0.3'}]}]
    used = used_addresses(vms)
    assert next_free(ipaddress.ip_network('10.100.0.0/29'), '10.100.0.1', used) == ipaddress.ip_address('10.100.0.4')
    full = set(ipaddress.ip_network('10.100.0.0/30').hosts())
    assert next_free(ipaddress.ip_network('10.100.0.0/30'), None, full) is None


def test_allocate_then_idempotent_then_update_then_remove(gz):
    uuid = gz.vm('linktest-a')
    before = gz.snapshot()
    result, commands = gz.link(check_mode=True, source='linktest-a', target='external.100')
    assert result['changed'] and result['address'] == '10.100.0.2' and gz.snapshot() == before
    assert len(commands) == 1

    result, commands = gz.link(source='linktest-a', target='external.100')
    assert not result['failed'], result
    nic = gz.nics(uuid)[0]
    assert nic['nic_tag'] == 'external' and nic['vlan_id'] == 100
    assert nic['ips'] == ['10.100.0.2/29'] and nic['gateways'] == ['10.100.0.1']
    assert result['resource']['target']['location'] == '/network/external.100'
    assert result['resource']['source']['location'] == '/compute/%s' % uuid
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['vmadm', 'lookup'], ['vmadm', 'update'], ['vmadm', 'get']]

    again, commands = gz.link(source='urn:uuid:%s' % uuid, target='/network/external.100')
    assert not again['changed'], again['actions']
    assert len(commands) == 1 and again['address'] == '10.100.0.2'

    changed, commands = gz.link(source=uuid, target='external.100', allow_ip_spoofing=True)
    assert changed['changed'] and gz.nics(uuid)[0]['allow_ip_spoofing'] is True
    assert ['vmadm', 'update', uuid] in commands

    removed, commands = gz.link(source=uuid, target='external.100', state='absent')
    assert removed['changed'] and gz.nics(uuid) == []


def test_concurrent_allocations_do_not_collide(gz):
    uuids = [gz.vm('linktest-%d' % index) for index in range(3)]
    results = {}

    def add(uuid):
        results[uuid] = gz.link(source=uuid, target='external.100')[0]

    threads = [threading.Thread(target=add, args=(u,)) for u in uuids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    addresses = sorted(r['address'] for r in results.values())
    assert all(not r['failed'] for r in results.values()), results
    assert addresses == ['10.100.0.2', '10.100.0.3', '10.100.0.4']


def test_errors_change_nothing(gz):
    gz.vm('linktest-e')
    NetworkStore(gz.store_dir).put('external.300', {'label': 'external', 'vlan': 300, 'state': 'inactive'})
    before = gz.snapshot()
    result, _commands = gz.link(source='nosuchvm', target='external.100')
    assert result['failed'] and 'no such VM' in result['msg']
    result, _commands = gz.link(source='linktest-e', target='external.100', address='10.200.0.5')
    assert result['failed'] and 'outside the network' in result['msg']
    result, _commands = gz.link(source='linktest-e', target='external.100', interface='net5')
    assert result['failed'] and 'has no NIC net5' in result['msg']
    result, _commands = gz.link(source='linktest-e', target='bad-target')
    assert result['failed'] and 'is not a network' in result['msg']
    result, _commands = gz.link(source='linktest-e', target='external.300')
    assert result['failed'] and 'is inactive' in result['msg']
    result, _commands = gz.link(source='linktest-e', target='nosuchtag')
    assert result['failed'] and result['msg'] == 'Invalid nic tag "nosuchtag"'
    assert gz.snapshot() == before


# -- kind: storagelink ------------------------------------------------------------------------


def test_parse_storage_target():
    assert parse_storage_target('/storage/zones/shared') == 'zones/shared'
    assert parse_storage_target('zones/a/b') == 'zones/a/b'
    for bad in ('zones', 'zones/x@snap', '/network/x', '', 'zones/../x y'):
        with pytest.raises(Exception):
            parse_storage_target(bad)


def test_zone_lofs_mount_check_add_idempotent_update_remove(gz):
    uuid = gz.vm('stl-zone')
    assert gz.run('zfs', 'create', 'zones/shared').returncode == 0
    before = gz.snapshot()
    result, commands = gz.storage(check_mode=True, diff=True, source='stl-zone', target='/storage/zones/shared', mountpoint='/shared')
    assert result['changed'] and not result['failed'] and gz.snapshot() == before
    assert result['diff'] == {'before': {}, 'after': {'type': 'lofs', 'source': '/zones/shared', 'target': '/shared',
                                                      'options': ['rw', 'nodevice']}}
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['zfs', 'get']]

    result, commands = gz.storage(source='stl-zone', target='zones/shared', mountpoint='/shared/')
    assert result['changed'] and not result['failed'], result
    assert gz.get(uuid)['filesystems'] == [{'type': 'lofs', 'source': '/zones/shared', 'target': '/shared', 'options': ['rw', 'nodevice']}]
    assert result['resource']['kind'] == 'http://schemas.ogf.org/occi/infrastructure#storagelink'
    assert result['resource']['target']['location'] == '/storage/zones/shared'
    assert result['resource']['attributes']['occi.storagelink.mountpoint'] == '/shared'
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['zfs', 'get'], ['vmadm', 'update'], ['vmadm', 'get']]

    again, commands = gz.storage(source=uuid, target='zones/shared', mountpoint='/shared')
    assert not again['changed'] and len(commands) == 1 and commands[0][:2] == ['vmadm', 'lookup'], (again, commands)

    ro, commands = gz.storage(source=uuid, target='zones/shared', mountpoint='/shared', read_only=True)
    assert ro['changed'] and gz.get(uuid)['filesystems'][0]['options'] == ['ro', 'nodevice']
    assert ['vmadm', 'update', uuid] in commands

    gone, commands = gz.storage(source=uuid, target='zones/shared', mountpoint='/shared', state='absent')
    assert gone['changed'] and 'filesystems' not in gz.get(uuid)
    again, commands = gz.storage(source=uuid, target='zones/shared', mountpoint='/shared', state='absent')
    assert not again['changed'] and len(commands) == 1


def test_zone_errors_change_nothing(gz):
    gz.vm('stl-err')
    assert gz.run('zfs', 'create', '-V', '1G', 'zones/avol').returncode == 0
    before = gz.snapshot()
    cases = [
        (dict(target='zones/shared'), 'mountpoint is required'),
        (dict(target='zones/nosuch', mountpoint='/x'), 'no such dataset'),
        (dict(target='zones/avol', mountpoint='/x'), 'is a volume'),
        (dict(target='zones/avol', mountpoint='relative'), 'must be an absolute path'),
        (dict(target='zones/avol', mountpoint='/x', model='nvme'), 'disks of bhyve and kvm'),
        (dict(target='zones/avol', mountpoint='/x', address='10.0.0.1'), 'options of kind networkinterface'),
        (dict(target='zones', mountpoint='/x'), 'is not a storage'),
    ]
    for params, message in cases:
        result, _commands = gz.storage(source='stl-err', **params)
        assert result['failed'] and message in result['msg'], (params, result)
    assert gz.snapshot() == before


def test_bhyve_disk_attach_deviceid_needs_stopped_inactive_refused_purge_destroys(gz):
    uuid = gz.bhyve('stl-hvm')
    assert gz.run('zfs', 'create', '-V', '1G', 'zones/data1').returncode == 0
    assert gz.run('zfs', 'create', 'zones/fs1').returncode == 0
    result, _commands = gz.storage(source='stl-hvm', target='zones/fs1')
    assert result['failed'] and 'is a filesystem' in result['msg']

    result, commands = gz.storage(source='stl-hvm', target='zones/data1', model='nvme', deviceid='4:1')
    assert result['changed'] and not result['failed'], result
    disk = gz.get(uuid)['disks'][1]
    assert disk['path'] == '/dev/zvol/rdsk/zones/data1' and disk['model'] == 'nvme' and disk['boot'] is False
    assert disk['pci_slot'] == '0:4:1'
    assert result['resource']['id'].endswith('/link/storagelink/%s_disk1' % uuid)
    assert result['resource']['target']['location'] == '/storage/zones/data1'
    assert result['resource']['attributes']['occi.storagelink.deviceid'] == '0:4:1'

    again, commands = gz.storage(source=uuid, target='zones/data1', model='nvme', deviceid='0:4:1')
    assert not again['changed'] and len(commands) == 1

    assert gz.run('vmadm', 'start', uuid).returncode == 0
    before = gz.snapshot()
    for params, message in ((dict(boot=True), 'changing boot of disk'), (dict(deviceid='5'), 'changing pci_slot of disk'),
                            (dict(state='absent', purge=True), 'removing disk')):
        result, commands = gz.storage(check_mode=True, source=uuid, target='zones/data1', **params)
        assert result['failed'] and message in result['msg'] and 'needs VM %s stopped' % uuid in result['msg'], result
        assert len(commands) == 1
    assert gz.snapshot() == before
    assert gz.run('vmadm', 'stop', uuid, '-F').returncode == 0

    before = gz.snapshot()
    cases = [
        (dict(state='inactive'), 'a disk link cannot be inactive: vmadm destroys the zvol of a disk it removes'),
        (dict(state='absent'), 'destroys its zvol zones/data1'),
        (dict(deviceid='0:6:0'), 'PCI device 6 on bus 0 is reserved'),
        (dict(deviceid='4:9'), 'PCI function 9 is out of range (0-7)'),
        (dict(deviceid='x'), 'is not a PCI slot'),
        (dict(deviceid='0:4:0'), 'is in that PCI slot already'),
        (dict(mountpoint='/x'), 'mountpoint and read_only are for zones'),
    ]
    gz.run('vmadm', 'update', uuid, stdin=json.dumps({'update_disks': [{'path': gz.get(uuid)['disks'][0]['path'], 'pci_slot': '0:4:0'}]}))
    before = gz.snapshot()
    for params, message in cases:
        result, commands = gz.storage(source=uuid, target='zones/data1', **params)
        assert result['failed'] and message in result['msg'], (params, result)
    assert gz.snapshot() == before

    changed, commands = gz.storage(source=uuid, target='zones/data1', boot=True, deviceid='5')
    assert changed['changed'] and gz.get(uuid)['disks'][1]['boot'] is True and gz.get(uuid)['disks'][1]['pci_slot'] == '0:5:0'
    gone, commands = gz.storage(source=uuid, target='zones/data1', state='absent', purge=True)
    assert gone['changed'] and len(gz.get(uuid)['disks']) == 1
    assert gz.run('zfs', 'list', 'zones/data1').returncode == 1


def test_kvm_deviceid_refused(gz):
    payload = {'brand': 'kvm', 'alias': 'stl-kvm', 'ram': 512, 'autoboot': False, 'disks': [{'size': 1024, 'model': 'virtio'}]}
    assert gz.run('vmadm', 'create', stdin=json.dumps(payload)).returncode == 0
    assert gz.run('zfs', 'create', '-V', '1G', 'zones/kvmdata').returncode == 0
    result, commands = gz.storage(source='stl-kvm', target='zones/kvmdata', deviceid='4')
    assert result['failed'] and 'vmadm lets no device id be set for a kvm disk' in result['msg'] and len(commands) == 1


# -- state inactive ---------------------------------------------------------------------------


def test_nic_inactive_keeps_address_reserved_and_active_attaches_it_again(gz):
    uuid = gz.vm('inact-a')
    other = gz.vm('inact-b')
    added, _commands = gz.link(source='inact-a', target='external.100', allow_ip_spoofing=True)
    nic = gz.nics(uuid)[0]
    assert added['address'] == '10.100.0.2'

    before = gz.snapshot()
    check, commands = gz.link(check_mode=True, diff=True, source='inact-a', target='external.100', state='inactive')
    assert check['changed'] and gz.snapshot() == before and len(commands) == 1
    assert check['diff']['after']['state'] == 'inactive' and check['diff']['after']['mac'] == nic['mac']
    assert 'state' not in check['diff']['before']

    result, commands = gz.link(source='inact-a', target='external.100', state='inactive')
    assert result['changed'] and not result['failed'], result
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['vmadm', 'update']]
    assert gz.nics(uuid) == []
    record = gz.records()['networkinterface/%s/%s' % (uuid, nic['mac'])]
    assert record['nic']['ips'] == ['10.100.0.2/29'] and record['nic']['interface'] == 'net0' and 'ip' not in record['nic']
    attributes = result['resource']['attributes']
    assert attributes['occi.networkinterface.state'] == 'inactive' and attributes['occi.networkinterface.mac'] == nic['mac']
    assert 'kept in /opt/smartstack/networks.json' in attributes['occi.networkinterface.state.message']
    assert result['link_state'] == 'inactive'

    again, commands = gz.link(source='inact-a', target='external.100', state='inactive')
    assert not again['changed'] and len(commands) == 1 and again['nic']['mac'] == nic['mac']

    # the kept address is skipped by allocation and refused when given
    taken, _commands = gz.link(source='inact-b', target='external.100', address='10.100.0.2')
    assert taken['failed'] and 'reserved by the inactive link networkinterface/%s/%s' % (uuid, nic['mac']) in taken['msg']
    allocated, _commands = gz.link(source='inact-b', target='external.100')
    assert allocated['address'] == '10.100.0.3'

    back, commands = gz.link(source=uuid, target='external.100', diff=True)
    assert back['changed'] and not back['failed'], back
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['vmadm', 'update'], ['vmadm', 'get']]
    nics = gz.nics(uuid)
    assert len(nics) == 1 and nics[0]['mac'] == nic['mac'] and nics[0]['ips'] == ['10.100.0.2/29']
    assert nics[0]['interface'] == 'net0' and nics[0]['allow_ip_spoofing'] is True
    assert gz.records() == {} and back['link_state'] == 'active'
    assert back['diff']['before']['state'] == 'inactive' and 'state' not in back['diff']['after']

    once_more, commands = gz.link(source=uuid, target='external.100')
    assert not once_more['changed'] and len(commands) == 1
    del other


def test_nic_inactive_then_absent_forgets_it_and_errors_change_nothing(gz):
    uuid = gz.vm('inact-c')
    gz.link(source=uuid, target='external.100')
    mac = gz.nics(uuid)[0]['mac']
    before = gz.snapshot()
    result, _commands = gz.link(source=uuid, target='admin', state='inactive')
    assert result['failed'] and 'has no NIC on admin to make inactive' in result['msg']
    result, _commands = gz.link(source=uuid, target='external.100', state='inactive', deviceid='4')
    assert result['failed'] and 'deviceid is an option of kind storagelink' in result['msg']
    assert gz.snapshot() == before
    gz.link(source=uuid, target='external.100', state='inactive')
    assert list(gz.records()) == ['networkinterface/%s/%s' % (uuid, mac)]
    # the VLAN network cannot go while an inactive link is on it
    module = NetModule(gz, dict(label='external', vlan=100, state='absent'))
    with pytest.raises(Exit) as info:
        run_resource(module, Network(module, store=NetworkStore(gz.store_dir)))
    assert info.value.failed and '%s (inact-c) net0 (inactive)' % uuid in info.value.result['msg']
    gone, commands = gz.link(source=uuid, target='external.100', state='absent')
    assert gone['changed'] and gz.records() == {} and len(commands) == 1
    again, commands = gz.link(source=uuid, target='external.100', state='absent')
    assert not again['changed'] and len(commands) == 1


def test_reserved_addresses_are_skipped(gz):
    NetworkStore(gz.store_dir).put('external.200', {'label': 'external', 'vlan': 200, 'address': '10.200.0.0/28',
                                                    'gateway': '10.200.0.1', 'allocation': 'static', 'state': 'active',
                                                    'reserved': ['10.200.0.2-10.200.0.4', '10.200.0.6']})
    first, second = gz.vm('resv-a'), gz.vm('resv-b')
    result, _commands = gz.link(source=first, target='external.200')
    assert result['address'] == '10.200.0.5'
    result, _commands = gz.link(source=second, target='external.200')
    assert result['address'] == '10.200.0.7'
    given, _commands = gz.link(source=second, target='external.200', address='10.200.0.3', interface='net0')
    assert not given['failed'] and gz.nics(second)[0]['ips'] == ['10.200.0.3/28']
    NetworkStore(gz.store_dir).put('external.201', {'label': 'external', 'vlan': 201, 'address': '10.201.0.0/28',
                                                    'allocation': 'static', 'state': 'active',
                                                    'allocation_start': '10.201.0.12', 'allocation_end': '10.201.0.13'})
    third = gz.vm('resv-c')
    assert gz.link(source=first, target='external.201')[0]['address'] == '10.201.0.12'
    assert gz.link(source=second, target='external.201')[0]['address'] == '10.201.0.13'
    before = gz.snapshot()
    full, commands = gz.link(source=third, target='external.201')
    assert full['failed'] and 'network external.201 (10.201.0.0/28) has no free address left' in full['msg'] and len(commands) == 1
    assert gz.snapshot() == before
    ranges = [(ipaddress.ip_address('10.0.0.2'), ipaddress.ip_address('10.0.0.3'))]
    assert next_free(ipaddress.ip_network('10.0.0.0/29'), '10.0.0.1', set(), ranges) == ipaddress.ip_address('10.0.0.4')
    assert next_free(ipaddress.ip_network('fd00::/126'), None, set(), ranges) == ipaddress.ip_address('fd00::1')


def test_zone_mount_inactive_and_active_again(gz):
    uuid = gz.vm('inact-zone')
    assert gz.run('zfs', 'create', 'zones/keep').returncode == 0
    gz.storage(source=uuid, target='zones/keep', mountpoint='/keep', read_only=True)
    entry = gz.get(uuid)['filesystems'][0]
    before = gz.snapshot()
    check, commands = gz.storage(check_mode=True, diff=True, source=uuid, target='zones/keep', mountpoint='/keep', read_only=True,
                                 state='inactive')
    assert check['changed'] and gz.snapshot() == before and len(commands) == 1
    assert check['diff']['after'] == dict(entry, state='inactive')
    result, commands = gz.storage(source=uuid, target='zones/keep', mountpoint='/keep', read_only=True, state='inactive')
    assert result['changed'] and 'filesystems' not in gz.get(uuid)
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['vmadm', 'update']]
    assert gz.records()['storagelink/%s//keep' % uuid]['filesystem'] == entry
    assert result['resource']['attributes']['occi.storagelink.state'] == 'inactive'
    again, commands = gz.storage(source=uuid, target='zones/keep', mountpoint='/keep', read_only=True, state='inactive')
    assert not again['changed'] and len(commands) == 1
    back, commands = gz.storage(source=uuid, target='zones/keep', mountpoint='/keep', read_only=True)
    assert back['changed'] and gz.get(uuid)['filesystems'] == [entry] and gz.records() == {}
    again, commands = gz.storage(source=uuid, target='zones/keep', mountpoint='/keep', read_only=True)
    assert not again['changed'] and len(commands) == 1


def test_delegated_dataset_rendered_and_changes_refused(gz):
    proc = gz.run('imgadm', 'list', '-j')
    image = [i for i in json.loads(proc.stdout) if i['manifest'].get('type') == 'zone-dataset'][0]['manifest']['uuid']
    assert gz.run('vmadm', 'create', stdin=json.dumps({'alias': 'deleg', 'image_uuid': image, 'autoboot': False,
                                                       'delegate_dataset': True})).returncode == 0
    uuid = json.loads(gz.run('vmadm', 'lookup', '-j', 'alias=deleg').stdout)[0]['uuid']
    plain = gz.vm('nodeleg')
    result, commands = gz.storage(source=uuid, target='zones/%s/data' % uuid, delegate=True)
    assert not result['changed'] and not result['failed'] and len(commands) == 1, result
    assert result['dataset'] == {'dataset': 'zones/%s/data' % uuid}
    assert result['resource']['attributes']['occi.storagelink.deviceid'] == 'zones/%s/data' % uuid
    assert result['resource']['target']['location'] == '/storage/zones/%s/data' % uuid
    before = gz.snapshot()
    cases = [
        (dict(source=plain, target='zones/%s/data' % plain), 'vmadm cannot delegate a dataset to an existing zone'),
        (dict(source=uuid, target='zones/%s/data' % uuid, state='absent'), 'vmadm cannot take a delegated dataset'),
        (dict(source=uuid, target='zones/%s/data' % uuid, state='inactive'), 'vmadm cannot take a delegated dataset'),
        (dict(source=uuid, target='zones/%s/data' % uuid, mountpoint='/data'), 'not for a delegated dataset'),
    ]
    for params, message in cases:
        result, commands = gz.storage(delegate=True, **params)
        assert result['failed'] and message in result['msg'] and len(commands) == 1, (params, result)
    assert 'properties: {delegate_dataset: true}' in gz.storage(delegate=True, source=plain, target='zones/x/data')[0]['msg']
    absent, commands = gz.storage(delegate=True, source=plain, target='zones/%s/data' % plain, state='absent')
    assert not absent['changed'] and not absent['failed']
    assert gz.snapshot() == before
