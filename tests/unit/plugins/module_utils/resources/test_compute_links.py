# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A VM's links as compute/compute_info render them and as the link module renders them: the same.

Reference smartos_vmadm.md §4.5: vmadm's own zvols carry ``zfs_filesystem``; a ``nocreate`` disk (an
existing zvol, what ``link kind: storagelink`` attaches) has only its ``path``
``/dev/zvol/rdsk/<dataset>``. A zone's lofs ``filesystems`` entry mounts a global-zone path.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources import compute, link
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import ComputeInfo, LinkInfo
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import (
    SIM_BIN,
    FakeModule,
    SimGZ,
)

UUID = '6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c'

HVM = {
    'uuid': UUID, 'alias': 'hvm', 'brand': 'bhyve', 'state': 'stopped', 'zfs_filesystem': 'zones/%s' % UUID,
    'nics': [{'interface': 'net0', 'mac': '90:b8:d0:00:00:01', 'nic_tag': 'admin', 'ips': ['10.0.0.5/24'],
              'gateways': ['10.0.0.1'], 'primary': True},
             {'interface': 'net1', 'mac': '90:b8:d0:00:00:02', 'nic_tag': 'internal', 'vlan_id': 12, 'ips': ['dhcp']}],
    'disks': [
        {'path': '/dev/zvol/rdsk/zones/%s/disk0' % UUID, 'zfs_filesystem': 'zones/%s/disk0' % UUID, 'boot': True},
        {'path': '/dev/zvol/rdsk/zones/extra', 'nocreate': True, 'media': 'disk', 'model': 'virtio'},
        {'path': '/dev/zvol/dsk/data/vols/v1', 'nocreate': True, 'media': 'disk'},
        {'path': '/iso/install.iso', 'media': 'cdrom'},
    ],
}

ZONE = {
    'uuid': UUID, 'alias': 'zone', 'brand': 'joyent', 'state': 'running', 'zfs_filesystem': 'zones/%s' % UUID,
    'nics': [{'interface': 'net0', 'mac': '90:b8:d0:00:00:03', 'nic_tag': 'admin', 'ips': ['10.0.0.6/24']}],
    'filesystems': [
        {'type': 'lofs', 'source': '/zones/shared', 'target': '/shared', 'options': ['rw', 'nodevice']},
        {'type': 'lofs', 'source': '/data/workspace', 'target': '/srv/work/space', 'options': ['ro', 'nodevice']},
    ],
}


def _by_id(links):
    return dict((item['id'], item) for item in links)


def test_a_nocreate_disk_targets_the_dataset_of_its_path():
    links = _by_id(compute.render(HVM)['links'])
    targets = dict((i, item['target']['location']) for i, item in links.items())
    assert targets['/link/storagelink/%s_disk0' % UUID] == '/storage/zones/%s/disk0' % UUID
    assert targets['/link/storagelink/%s_disk1' % UUID] == '/storage/zones/extra'
    assert targets['/link/storagelink/%s_disk2' % UUID] == '/storage/data/vols/v1'
    assert '/link/storagelink/%s_disk3' % UUID not in targets, 'a cdrom is no storage'
    assert compute.disk_dataset(HVM, 5, {}) == 'zones/%s/disk5' % UUID


@pytest.mark.parametrize('index, dataset', [(0, 'zones/%s/disk0' % UUID), (1, 'zones/extra'), (2, 'data/vols/v1')])
def test_disks_render_as_the_link_module_renders_them(index, dataset):
    ours = _by_id(compute.render(HVM)['links'])
    theirs = link.render_storage_link(HVM, dataset, HVM['disks'][index], 'disk')
    assert ours[theirs['id']] == theirs


@pytest.mark.parametrize('index, dataset', [(0, 'zones/shared'), (1, 'zones/workspace')])
def test_lofs_filesystems_render_as_the_link_module_renders_them(index, dataset):
    """compute_info knows the dataset mounted at a lofs source (mountpoints); without it the source is read as
    the default mountpoint /<dataset>, which is what link mounts for a dataset with zfs's default mountpoint."""
    mountpoints = {'/zones/shared': 'zones/shared', '/data/workspace': 'zones/workspace'}
    ours = _by_id(compute.render(ZONE, mountpoints=mountpoints)['links'])
    theirs = link.render_storage_link(ZONE, dataset, ZONE['filesystems'][index], 'filesystem')
    assert ours[theirs['id']] == theirs
    plain = _by_id(compute.render(ZONE)['links'])
    assert plain['/link/storagelink/%s_shared' % UUID] == link.render_storage_link(ZONE, 'zones/shared', ZONE['filesystems'][0],
                                                                                   'filesystem')
    assert plain['/link/storagelink/%s_srv_work_space' % UUID]['target']['location'] == '/storage/data/workspace'


@pytest.mark.parametrize('vm', [HVM, ZONE], ids=['hvm', 'zone'])
def test_nics_render_as_the_link_module_renders_them(vm):
    ours = _by_id(compute.render(vm)['links'])
    for nic in vm['nics']:
        theirs = link.render_link(vm, nic)
        assert ours[theirs['id']] == theirs


def test_links_of_filters_by_kind():
    kinds = set(item['kind'] for item in compute.render_links(HVM, kind='storagelink'))
    assert kinds == {'http://schemas.ogf.org/occi/infrastructure#storagelink'}
    nics = compute.render_links(ZONE, kind='networkinterface')
    assert [n['id'] for n in nics] == ['/link/networkinterface/%s_net0' % UUID]
    assert nics[0]['source'] == {'location': '/compute/%s' % UUID, 'kind': 'http://schemas.ogf.org/occi/infrastructure#compute'}


# ---------------------------------------------------------------------------------------------
# the same against the simulated GZ: vmadm's own objects, compute_info's one extra zfs read
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state, '--zones', '1')  # --zones: an image is installed
    assert proc.returncode == 0, proc.stderr
    return zone


def _create(gz, payload):
    proc = gz.run('vmadm', 'create', stdin=json.dumps(payload))
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.strip().split()[-1]


def _info(gz, **params):
    before = len(gz.log())
    module = FakeModule(gz, dict(dict(id=None, title=None, hostname=None, brand=None, state=None, filters=None), **params))
    return ComputeInfo(module).run(), gz.log()[before:]


def test_compute_info_and_link_agree_on_a_simulated_gz(gz):
    for argv in (['create', '-V', '64M', 'zones/extra'], ['create', '-o', 'mountpoint=/data/ws', 'zones/ws']):
        assert gz.run('zfs', *argv).returncode == 0
    hvm = _create(gz, {'brand': 'bhyve', 'alias': 'links-hvm', 'ram': 256, 'autoboot': False,
                       'disks': [{'size': 64, 'boot': True, 'model': 'virtio'},
                                 {'path': '/dev/zvol/rdsk/zones/extra', 'nocreate': True, 'model': 'virtio'}]})
    images = json.loads(gz.run('imgadm', 'list', '-j').stdout)
    image = [i for i in images if i['manifest'].get('type') == 'zone-dataset'][0]['manifest']['uuid']
    zone = _create(gz, {'brand': 'joyent', 'alias': 'links-zone', 'max_physical_memory': 128, 'autoboot': False,
                        'image_uuid': image,
                        'filesystems': [{'type': 'lofs', 'source': '/data/ws', 'target': '/ws', 'options': ['rw', 'nodevice']}]})
    result, commands = _info(gz, id=hvm)
    assert [c[:2] for c in commands] == [['vmadm', 'lookup']], 'no lofs mount: no zfs read'
    vm = result['vms'][0]
    ours = _by_id(result['resources'][0]['links'])
    extra = next(d for d in vm['disks'] if d['path'] == '/dev/zvol/rdsk/zones/extra')
    theirs = link.render_storage_link(vm, 'zones/extra', extra, 'disk')
    assert ours[theirs['id']] == theirs and theirs['target']['location'] == '/storage/zones/extra'
    result, commands = _info(gz, id=zone)
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['zfs', 'list']]
    vm = result['vms'][0]
    ours = _by_id(result['resources'][0]['links'])
    theirs = link.render_storage_link(vm, 'zones/ws', vm['filesystems'][0], 'filesystem')
    assert ours[theirs['id']] == theirs and theirs['target']['location'] == '/storage/zones/ws'


# ---------------------------------------------------------------------------------------------
# link_info
# ---------------------------------------------------------------------------------------------

def _link_info(gz, **params):
    before = len(gz.log())
    module = FakeModule(gz, dict(dict(source=None, kind=None), **params))
    return LinkInfo(module).run(), gz.log()[before:]


def test_link_info_lists_every_link_with_its_raw_entry(gz):
    assert gz.run('zfs', 'create', '-V', '64M', 'zones/extra').returncode == 0
    uuid = _create(gz, {'brand': 'bhyve', 'alias': 'li-hvm', 'ram': 256, 'autoboot': False,
                        'nics': [{'nic_tag': 'admin', 'model': 'virtio', 'ips': ['10.9.0.5/24'], 'gateways': ['10.9.0.1'], 'primary': True}],
                        'disks': [{'size': 64, 'boot': True, 'model': 'virtio'},
                                  {'path': '/dev/zvol/rdsk/zones/extra', 'nocreate': True, 'model': 'virtio'}]})
    vm = json.loads(gz.run('vmadm', 'get', uuid).stdout)
    for source in ('li-hvm', uuid, 'urn:uuid:%s' % uuid, '/compute/%s' % uuid):
        result, commands = _link_info(gz, source=source)
        assert len(commands) == 1 and commands[0][:3] == ['vmadm', 'lookup', '-j'], commands
        assert result['vm_uuid'] == uuid and result['source'] == '/compute/%s' % uuid
        assert result['links'] == compute.render(vm)['links']
    assert [e['kind'] for e in result['entries']] == ['networkinterface', 'storagelink', 'storagelink']
    assert [e['id'] for e in result['entries']] == [item['id'] for item in result['links']]
    assert result['entries'][0]['nic'] == vm['nics'][0] and result['entries'][2]['disk'] == vm['disks'][1]
    assert result['links'][2] == link.render_storage_link(vm, 'zones/extra', vm['disks'][1], 'disk')
    assert result['links'][0] == link.render_link(vm, vm['nics'][0])
    only, commands = _link_info(gz, source=uuid, kind='networkinterface')
    assert [item['kind'] for item in only['links']] == ['http://schemas.ogf.org/occi/infrastructure#networkinterface']
    assert [e['kind'] for e in only['entries']] == ['networkinterface'] and len(commands) == 1


def test_link_info_zone_lofs_costs_one_zfs_list(gz):
    assert gz.run('zfs', 'create', '-o', 'mountpoint=/data/ws', 'zones/ws').returncode == 0
    images = json.loads(gz.run('imgadm', 'list', '-j').stdout)
    image = [i for i in images if i['manifest'].get('type') == 'zone-dataset'][0]['manifest']['uuid']
    uuid = _create(gz, {'alias': 'li-zone', 'image_uuid': image, 'autoboot': False,
                        'filesystems': [{'type': 'lofs', 'source': '/data/ws', 'target': '/ws', 'options': ['ro', 'nodevice']}]})
    result, commands = _link_info(gz, source='li-zone', kind='storagelink')
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['zfs', 'list']]
    assert [item['target']['location'] for item in result['links']] == ['/storage/zones/ws']
    assert result['entries'][0]['filesystem']['source'] == '/data/ws'
    nics, commands = _link_info(gz, source=uuid, kind='networkinterface')
    assert len(commands) == 1, 'no storagelinks asked for: no zfs read'
    assert nics['links'] == [] and nics['entries'] == [], 'a zone created without NICs has no networkinterface'


@pytest.mark.parametrize('source, message', [('nosuchvm', 'source nosuchvm: no such VM on this global zone'),
                                             ('~^x', 'may not start with "~"'),
                                             ('urn:uuid:nope', 'must be followed by a VM uuid'),
                                             ('', 'source is required')])
def test_link_info_errors(gz, source, message):
    with pytest.raises(ResourceError) as info:
        _link_info(gz, source=source)
    assert message in info.value.message


def test_link_info_refuses_an_alias_two_vms_have(gz):
    for _index in range(2):
        _create(gz, {'brand': 'bhyve', 'alias': 'li-twin', 'ram': 256, 'autoboot': False, 'disks': [{'size': 64, 'boot': True, 'model': 'virtio'}]})
    with pytest.raises(ResourceError) as info:
        _link_info(gz, source='li-twin')
    assert '2 VMs have that alias' in info.value.message and len(info.value.details['matches']) == 2
