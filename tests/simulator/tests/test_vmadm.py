"""Conformance tests of the simulated ``vmadm`` against reference/smartos_vmadm.md (section in each docstring)."""
import json
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim import images, zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import vmadm  # noqa: E402  pylint: disable=wrong-import-position

BASE = images.BASE_64_LTS
MINIMAL = images.MINIMAL_64_LTS
LX = images.UBUNTU_LX
ZVOL = images.UBUNTU_CERTIFIED
MISSING = '11111111-2222-4333-8444-555555555555'
USAGE_TAIL = "For more detailed information on the use of this command,type 'man vmadm'.\n"
CREATED = re.compile(r'^Successfully created VM ([0-9a-f-]{36})\n$')


@pytest.fixture(name='vgz')
def vgz_fixture(gz):
    """A fresh GZ with the pool, nic tags admin/external and four images installed."""
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        if not db.pool('zones'):  # before zpool's init_state exists in this tree
            db.add_pool('zones', 500 * 1024 ** 3)
            db.save()
        if not {'admin', 'external'} <= vmadm.nic_tags(state):  # before nictagadm's init_state exists
            state.save('nictags', {'admin': {}, 'external': {}})
        for uuid in (BASE, MINIMAL, LX, ZVOL):
            images.install_image(state, uuid)
    gz.sim_state = state
    return gz


def create(zone, payload, rc=0):
    result = zone.run('vmadm', 'create', stdin=json.dumps(payload))
    assert result.returncode == rc, result.stderr
    if rc:
        return result
    match = CREATED.match(result.stderr)
    assert match, result.stderr
    assert result.stdout == ''
    return match.group(1)


def get(zone, uuid):
    result = zone.run('vmadm', 'get', uuid)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def zfs_names(zone):
    state = State(zone.state)
    with state.lock():
        return set(zfsdb.Zfs(state).datasets())


def fails(result, stderr, rc=1):
    assert (result.returncode, result.stderr, result.stdout) == (rc, stderr, '')


def usage_error(result, message):
    assert result.returncode == 2
    assert result.stdout == ''
    assert result.stderr.startswith(message + '\nUsage: /usr/sbin/vmadm <command> [options]\n\ncreate [-f <filename>]\n')
    assert result.stderr.endswith(USAGE_TAIL)


# ----------------------------------------------------------------------------------------------
# CLI


def test_usage_goes_to_stderr_with_exit_2(vgz):
    """§1.1, §1.2: no command, -h and help all print the usage on stderr and exit 2."""
    for argv in ((), ('-h',), ('help',)):
        result = vgz.run('vmadm', *argv)
        assert result.returncode == 2 and result.stdout == ''
        assert result.stderr.startswith('Usage: /usr/sbin/vmadm <command> [options]\n\ncreate [-f <filename>]\n')
        assert ' -or- update <uuid> property=value [property=value ...]\n' in result.stderr
        assert result.stderr.endswith('validate update <brand> [-f <filename>]\n\n' + USAGE_TAIL)
    usage_error(vgz.run('vmadm', 'foo'), 'Invalid command: "foo".')


def test_invalid_uuid_and_delete_dash_f(vgz):
    """§1.4, §2.9: a non-UUID argument and community.general's `delete -F <uuid>` are usage errors."""
    usage_error(vgz.run('vmadm', 'get', 'web01'), 'Invalid or missing UUID for get')
    uuid = create(vgz, {'image_uuid': BASE, 'autoboot': False})
    usage_error(vgz.run('vmadm', 'delete', '-F', uuid), 'Invalid or missing UUID for delete')
    result = vgz.run('vmadm', 'delete', uuid, '-F')
    assert (result.returncode, result.stderr) == (0, 'Successfully deleted VM %s\n' % uuid)


def test_unknown_uuid_matrix(vgz):
    """§2.15: the message for an unknown UUID differs per subcommand."""
    expected = [
        (('get', MISSING), 'zoneadm: %s: No such zone configured' % MISSING),
        (('start', MISSING), 'Unable to start VM %s: bad statusCode: 404' % MISSING),
        (('stop', MISSING), 'VM %s not found' % MISSING),
        (('stop', '-F', MISSING), 'bad statusCode: 404'),
        (('reboot', MISSING), 'bad statusCode: 404'),
        (('delete', MISSING), 'Failed to delete VM %s: VM %s not found' % (MISSING, MISSING)),
        (('update', MISSING, 'alias=x'), 'VM %s not found' % MISSING),
        (('info', MISSING), 'Unable to get VM info for VM %s: bad statusCode: 404' % MISSING),
        (('sysrq', MISSING, 'nmi'), 'bad statusCode: 404'),
        (('create-snapshot', MISSING, 's1'), 'VM %s not found' % MISSING),
        (('delete-snapshot', MISSING, 's1'), 'VM %s not found' % MISSING),
        (('rollback-snapshot', MISSING, 's1'), 'bad statusCode: 404'),
    ]
    for argv, message in expected:
        fails(vgz.run('vmadm', *argv), message + '\n')
    result = vgz.run('vmadm', 'lookup', '-j', 'uuid=' + MISSING)
    assert (result.returncode, result.stdout, result.stderr) == (0, '[]\n', '')


# ----------------------------------------------------------------------------------------------
# create


def test_create_defaults_of_an_os_zone(vgz):
    """§2.1, §4.1, §4.2: a minimal payload gets the documented defaults; zone dataset is a clone."""
    uuid = create(vgz, {'brand': 'joyent-minimal', 'image_uuid': MINIMAL})
    vm = get(vgz, uuid)
    expected = {
        'autoboot': True, 'billing_id': '00000000-0000-0000-0000-000000000000', 'brand': 'joyent-minimal',
        'cpu_shares': 100, 'customer_metadata': {}, 'dns_domain': 'local', 'firewall_enabled': False,
        'hvm': False, 'image_uuid': MINIMAL, 'internal_metadata': {}, 'limit_priv': 'default',
        'max_locked_memory': 256, 'max_lwps': 2000, 'max_msg_ids': 4096, 'max_physical_memory': 256,
        'max_sem_ids': 4096, 'max_shm_ids': 4096, 'max_shm_memory': 256, 'max_swap': 256, 'nics': [],
        'owner_uuid': '00000000-0000-0000-0000-000000000000', 'quota': 10, 'resolvers': [], 'routes': {},
        'snapshots': [], 'state': 'running', 'tags': {}, 'tmpfs': 256, 'uuid': uuid, 'v': 1,
        'zfs_filesystem': 'zones/' + uuid, 'zfs_io_priority': 100, 'zfs_root_recsize': 131072,
        'zone_state': 'running', 'zonename': uuid, 'zonepath': '/zones/' + uuid, 'zpool': 'zones',
    }
    assert {k: vm.get(k) for k in expected} == expected
    assert 'type' not in vm and 'ram' not in vm and 'do_not_inventory' not in vm
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', vm['create_timestamp'])
    assert isinstance(vm['pid'], int) and isinstance(vm['zoneid'], int)
    state = vgz.sim_state
    with state.lock():
        db = zfsdb.Zfs(state)
        assert db.get('zones/' + uuid, 'origin')[0] == 'zones/%s@final' % MINIMAL
        assert db.get_parsable('zones/' + uuid, 'quota')[0] == str(10 * 1024 ** 3)
        # the brand's install hook: zones/cores/<uuid>, 100G, mounted in the zonepath
        assert db.get_parsable('zones/cores/' + uuid, 'quota')[0] == str(100 * 1024 ** 3)
        assert db.get('zones/cores/' + uuid, 'mountpoint')[0] == '/zones/%s/cores' % uuid
    assert os.path.isdir(vgz.host_path('/zones/%s/root' % uuid))


def test_create_autoboot_false_is_stopped_and_alias_need_not_be_unique(vgz):
    """§2.1 (7, 8), §3: autoboot false leaves the VM stopped; the same alias twice makes two VMs."""
    first = create(vgz, {'image_uuid': BASE, 'alias': 'twin', 'autoboot': False})
    second = create(vgz, {'image_uuid': BASE, 'alias': 'twin', 'autoboot': 'false'})
    assert first != second
    vm = get(vgz, first)
    assert (vm['state'], vm['zone_state'], vm['autoboot'], vm['brand']) == ('stopped', 'installed', False, 'joyent')
    assert 'pid' not in vm and 'zoneid' not in vm


def test_create_errors_leave_nothing_behind(vgz):
    """§2.1: bad values first, then missing properties; an image not installed is a bad image_uuid."""
    before = zfs_names(vgz)
    fails(create(vgz, {'brand': 'joyent'}, rc=1), 'Missing required properties: image_uuid\n')
    fails(create(vgz, {'brand': 'lx', 'image_uuid': LX}, rc=1), 'Missing required properties: kernel_version\n')
    fails(create(vgz, {'autoboot': 'yes', 'brand': 'joyent'}, rc=1), 'Invalid value(s) for: autoboot\n')
    fails(create(vgz, {'image_uuid': BASE, 'quota': 'abc'}, rc=1), 'Invalid value for quota: null:number\n')
    fails(create(vgz, {'image_uuid': images.BASE_64_LTS_OLD}, rc=1), 'Invalid value(s) for: image_uuid\n')
    fails(create(vgz, {'brand': 'lx', 'image_uuid': BASE, 'kernel_version': '5.15.0'}, rc=1),
          'Invalid value(s) for: image_uuid\n')
    fails(create(vgz, {'image_uuid': BASE, 'nics': [{'nic_tag': 'nosuch', 'ip': 'dhcp'}]}, rc=1),
          'Invalid nic tag "nosuch"\n')
    fails(create(vgz, {'image_uuid': BASE, 'nics': [{'ip': 'dhcp'}]}, rc=1),
          'invalid or missing .nic_tag option for NIC: {"ip":"dhcp"}\n')
    fails(create(vgz, {'image_uuid': BASE, 'nics': [{'nic_tag': 'admin', 'ip': '10.0.0.9'}]}, rc=1),
          'Missing .netmask option for NIC: {"nic_tag":"admin","ip":"10.0.0.9"}\n')
    fails(create(vgz, {'image_uuid': BASE, 'zfs_root_compression': 'zstd'}, rc=1),
          'invalid compression type for zstd, must be one of: on, off, gzip, gzip-1, gzip-2, gzip-3, gzip-4, '
          'gzip-5, gzip-6, gzip-7, gzip-8, gzip-9, lz4, lzjb, zle\n')
    fails(create(vgz, {'image_uuid': BASE, 'routes': {'10.2.0.0/16': 'nics[0]'}}, rc=1),
          'Route gateway: "nics[0]" refers to non-existent or DHCP nic\n')
    fails(create(vgz, {'brand': 'kvm', 'vga': 'svga'}, rc=1),
          'Invalid VGA type: "svga", supported types are: cirrus,std,vmware,qxl,xenfb\n')
    result = create(vgz, {'brand': 'nosuch'}, rc=134)
    assert "TypeError: Cannot read property 'features' of undefined" in result.stderr
    assert zfs_names(vgz) == before
    result = vgz.run('vmadm', 'list', '-H')
    assert (result.returncode, result.stdout) == (0, '')


def test_create_existing_uuid_and_unknown_properties(vgz):
    """§2.1 (1, 4): an existing uuid is refused; unknown and wrong-brand properties are dropped quietly."""
    uuid = create(vgz, {'image_uuid': BASE, 'uuid': MISSING, 'foo': 'bar', 'vcpus': 4, 'autoboot': False})
    assert uuid == MISSING
    vm = get(vgz, uuid)
    assert 'foo' not in vm and 'vcpus' not in vm
    fails(create(vgz, {'image_uuid': BASE, 'uuid': MISSING}, rc=1), 'VM with UUID %s already exists\n' % MISSING)


def test_create_from_file_and_payload_errors(vgz, tmp_path):
    """§1.5: -f <file>, a missing file and bad JSON."""
    path = tmp_path / 'p.json'
    path.write_text(json.dumps({'image_uuid': BASE, 'alias': 'fromfile', 'autoboot': False}), encoding='utf-8')
    result = vgz.run('vmadm', 'create', '-f', str(path))
    assert result.returncode == 0 and CREATED.match(result.stderr)
    fails(vgz.run('vmadm', 'create', '-f', '/nonexistent.json'), 'File: /nonexistent.json does not exist.\n')
    fails(vgz.run('vmadm', 'create', stdin='{"alias": }'), 'Invalid JSON payload: Unexpected token }\n')
    fails(vgz.run('vmadm', 'create', stdin=''), 'Invalid JSON payload: Unexpected end of input\n')


def test_validate_reports_what_create_drops(vgz):
    """§2.2: VALID line, error JSON key order, bad_brand, and fixPayloadMemory not applied."""
    result = vgz.run('vmadm', 'validate', 'create', stdin=json.dumps({'brand': 'joyent', 'image_uuid': BASE}))
    assert (result.returncode, result.stdout, result.stderr) == (0, '', "VALID 'create' payload for joyent brand VMs.\n")
    result = vgz.run('vmadm', 'validate', 'create', stdin=json.dumps({'brand': 'joyent', 'foo': 1, 'max_swap': 128}))
    fails(result, '{\n  "bad_values": [\n    "max_swap"\n  ],\n  "bad_properties": [\n    "foo"\n  ],\n'
                  '  "missing_properties": [\n    "image_uuid"\n  ]\n}\n')
    fails(vgz.run('vmadm', 'validate', 'create', stdin='{"image_uuid": "%s"}' % BASE), '{\n  "bad_brand": "undefined"\n}\n')
    result = vgz.run('vmadm', 'validate', 'update', 'kvm', stdin=json.dumps({'uuid': MISSING, 'ram': 1024}))
    fails(result, '{\n  "bad_values": [],\n  "bad_properties": [\n    "uuid"\n  ],\n  "missing_properties": []\n}\n')
    usage_error(vgz.run('vmadm', 'validate', 'update', stdin='{}'), 'Will not validate without a valid action and brand.')


def test_brand_rules_on_validate(vgz):
    """§4.7: OS-only, HVM-only and create-only properties per brand and action."""
    cases = [
        ('create', {'brand': 'kvm', 'dns_domain': 'x', 'tmpfs': 10}, ['dns_domain', 'tmpfs']),
        ('create', {'brand': 'joyent', 'image_uuid': BASE, 'vcpus': 2, 'disks': []}, ['vcpus', 'disks']),
        ('create', {'brand': 'bhyve', 'qemu_opts': 'x', 'bootrom': 'uefi'}, ['qemu_opts']),
        ('create', {'brand': 'kvm', 'kernel_version': '5'}, ['kernel_version']),
    ]
    for action, payload, bad in cases:
        result = vgz.run('vmadm', 'validate', action, stdin=json.dumps(payload))
        assert result.returncode == 1
        assert json.loads(result.stderr)['bad_properties'] == bad
    result = vgz.run('vmadm', 'validate', 'update', 'joyent', stdin=json.dumps({'tags': {}, 'set_tags': {'a': 1}}))
    assert json.loads(result.stderr)['bad_properties'] == ['tags']


def test_memory_relations(vgz):
    """§2.1 (5), §4.3: max_swap raised on create; kvm/bhyve overheads; OS ram update drives the rest."""
    uuid = create(vgz, {'image_uuid': BASE, 'max_physical_memory': 512, 'max_swap': 128, 'max_locked_memory': 4096,
                        'autoboot': False})
    vm = get(vgz, uuid)
    assert (vm['max_physical_memory'], vm['max_swap'], vm['max_locked_memory'], vm['tmpfs']) == (512, 512, 512, 512)
    result = vgz.run('vmadm', 'update', uuid, 'ram=1024')
    assert (result.returncode, result.stderr) == (0, 'Successfully updated VM %s\n' % uuid)
    vm = get(vgz, uuid)
    assert (vm['max_physical_memory'], vm['max_locked_memory'], vm['max_swap'], 'ram' in vm) == (1024, 1024, 1024, False)
    vgz.run('vmadm', 'update', uuid, 'ram=128')
    vm = get(vgz, uuid)
    assert (vm['max_physical_memory'], vm['max_locked_memory'], vm['max_swap']) == (128, 128, 256)
    kvm = get(vgz, create(vgz, {'brand': 'kvm', 'autoboot': False}))
    assert (kvm['ram'], kvm['max_physical_memory'], kvm['vcpus'], kvm['disks'], kvm['quota']) == (256, 1280, 1, [], 10)
    assert kvm['limit_priv'] == 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session'
    assert 'dns_domain' not in kvm and 'image_uuid' not in kvm and 'tmpfs' not in kvm
    bhyve = get(vgz, create(vgz, {'brand': 'bhyve', 'ram': 1024, 'autoboot': False}))
    assert (bhyve['max_physical_memory'], bhyve['quota'], bhyve['com1']) == (2304, 1, '/dev/zconsole')
    fails(vgz.run('vmadm', 'update', bhyve['uuid'], 'max_physical_memory=512'),
          'vm.max_physical_memory (512) cannot be lower than vm.ram (1024)\n')


def test_hvm_disks_and_nics(vgz):
    """§2.1 (6), §4.4, §4.5: model required; zvol names per brand; image clone on disk0."""
    fails(create(vgz, {'brand': 'kvm', 'nics': [{'nic_tag': 'admin', 'ip': 'dhcp'}]}, rc=1),
          'missing .model option for NIC: {"nic_tag":"admin","ip":"dhcp"}\n')
    fails(create(vgz, {'brand': 'bhyve', 'disks': [{'size': 1024, 'model': 'ide'}]}, rc=1),
          '"ide" is not a valid disk model for bhyve brand. Valid are: virtio,ahci,nvme\n')
    fails(create(vgz, {'brand': 'kvm', 'disks': [{'image_uuid': ZVOL, 'model': 'virtio'}, {'model': 'virtio'}]}, rc=1),
          'Missing required properties: disks.1.size\n')
    kvm = create(vgz, {'brand': 'kvm', 'nic_driver': 'virtio', 'disk_driver': 'virtio', 'autoboot': False,
                       'nics': [{'nic_tag': 'admin', 'ip': 'dhcp'}], 'disks': [{'size': 2048}]})
    disk = get(vgz, kvm)['disks'][0]
    assert disk['path'] == '/dev/zvol/rdsk/zones/%s-disk0' % kvm
    assert (disk['size'], disk['model'], disk['media'], disk['zfs_filesystem']) == (2048, 'virtio', 'disk', 'zones/%s-disk0' % kvm)
    bhyve = create(vgz, {'brand': 'bhyve', 'autoboot': False, 'nics': [{'nic_tag': 'admin', 'model': 'virtio', 'ip': 'dhcp'}],
                         'disks': [{'image_uuid': ZVOL, 'boot': True, 'model': 'virtio'}, {'size': 1024, 'model': 'nvme'}]})
    disks = get(vgz, bhyve)['disks']
    assert [d['path'] for d in disks] == ['/dev/zvol/rdsk/zones/%s/disk0' % bhyve, '/dev/zvol/rdsk/zones/%s/disk1' % bhyve]
    assert (disks[0]['image_size'], disks[0]['size'], disks[0]['boot']) == (10240, 10240, True)
    state = vgz.sim_state
    with state.lock():
        db = zfsdb.Zfs(state)
        assert db.get('zones/%s/disk0' % bhyve, 'origin')[0] == 'zones/%s@final' % ZVOL
        assert db.type('zones/%s/disk1' % bhyve) == 'volume'
        assert db.type('zones/%s-disk0' % kvm) == 'volume'
    vgz.run('vmadm', 'delete', kvm)
    assert not [n for n in zfs_names(vgz) if kvm in n]


def test_nics_shape(vgz):
    """§4.4: generated MACs, interfaces net0.., first NIC primary, legacy ip/netmask -> ips."""
    uuid = create(vgz, {'image_uuid': BASE, 'autoboot': False, 'nics': [
        {'nic_tag': 'admin', 'ip': '10.88.88.213', 'netmask': '255.255.255.0', 'gateway': '10.88.88.2'},
        {'nic_tag': 'external', 'ips': ['dhcp'], 'vlan_id': 12}]})
    nics = get(vgz, uuid)['nics']
    assert [n['interface'] for n in nics] == ['net0', 'net1']
    for nic in nics:
        assert re.match(r'^[1-9a-f]2(:(0[1-9a-f]|[1-9a-f][0-9a-f])){5}$', nic['mac']), nic['mac']
    first = dict(nics[0])
    del first['mac']
    assert first == {'interface': 'net0', 'nic_tag': 'admin', 'gateway': '10.88.88.2', 'gateways': ['10.88.88.2'],
                     'netmask': '255.255.255.0', 'ip': '10.88.88.213', 'ips': ['10.88.88.213/24'], 'primary': True}
    assert 'primary' not in nics[1] and nics[1]['vlan_id'] == 12 and nics[1]['ips'] == ['dhcp']
    fails(create(vgz, {'image_uuid': BASE, 'nics': [{'nic_tag': 'admin', 'ips': ['10.88.88.213/24']}]}, rc=1),
          'Conflict detected with another vm, please check the MAC, IP, and VRID\n')
    fails(create(vgz, {'image_uuid': BASE, 'nics': [{'nic_tag': 'admin', 'primary': True, 'ip': 'dhcp'},
                                                    {'nic_tag': 'admin', 'primary': True, 'ip': 'dhcp'}]}, rc=1),
          'payload specifies more than 1 primary NIC\n')
    lx_vm = create(vgz, {'brand': 'lx', 'image_uuid': LX, 'kernel_version': '5.15.0', 'autoboot': False,
                         'nics': [{'nic_tag': 'admin', 'ip': 'dhcp'}]})
    assert get(vgz, lx_vm)['nics'][0]['interface'] == 'eth0'


# ----------------------------------------------------------------------------------------------
# lookup and list


@pytest.fixture(name='three')
def three_fixture(vgz):
    """web (joyent, running), db (bhyve, stopped), cache (lx, stopped)."""
    web = create(vgz, {'image_uuid': BASE, 'alias': 'web', 'max_physical_memory': 512, 'tags': {'role': 'www'},
                       'nics': [{'nic_tag': 'admin', 'ips': ['10.1.1.5/24']}]})
    db = create(vgz, {'brand': 'bhyve', 'alias': 'db', 'ram': 2048, 'autoboot': False,
                      'nics': [{'nic_tag': 'external', 'model': 'virtio', 'ips': ['192.0.2.7/24']}]})
    cache = create(vgz, {'brand': 'lx', 'image_uuid': LX, 'kernel_version': '5.15.0', 'autoboot': False})
    vgz.ids = {'web': web, 'db': db, 'cache': cache}
    return vgz


def test_lookup_forms(three):
    """§2.4: default, -j -o (community.general's call), -1, -o without -j, filters, type truncation."""
    ids = three.ids
    result = three.run('vmadm', 'lookup', '-j', '-o', 'uuid', 'alias=web')
    assert (result.returncode, result.stdout, result.stderr) == (0, '[\n  {\n    "uuid": "%s"\n  }\n]\n' % ids['web'], '')
    result = three.run('vmadm', 'lookup', 'alias=~^(WEB|DB)$')
    assert sorted(result.stdout.split()) == sorted([ids['web'], ids['db']])
    assert three.run('vmadm', 'lookup', 'nics.0.ip=10.1.1.5').stdout == ids['web'] + '\n'
    assert three.run('vmadm', 'lookup', 'nics.*.nic_tag=external').stdout == ids['db'] + '\n'
    assert three.run('vmadm', 'lookup', 'tags.role=~w+').stdout == ids['web'] + '\n'
    assert three.run('vmadm', 'lookup', 'type=BHYV', 'state=stopped').stdout == ids['db'] + '\n'
    assert three.run('vmadm', 'lookup', 'type=BHYVE').stdout == ''
    assert three.run('vmadm', 'lookup', 'ram=512').stdout == ids['web'] + '\n'
    found = json.loads(three.run('vmadm', 'lookup', '-j', 'alias=web').stdout)
    assert (found[0]['type'], found[0]['ram']) == ('OS', 512)
    # -o keeps only the keys a VM has (cache has no alias)
    assert json.loads(three.run('vmadm', 'lookup', '-j1', '-o', 'alias,brand', 'brand=lx').stdout) == [{'brand': 'lx'}]
    fails(three.run('vmadm', 'lookup', '-1', 'state=stopped'), 'Requested unique lookup but found 2 results.\n')
    fails(three.run('vmadm', 'lookup', '-o', 'uuid'), 'Cannot specify -o without -j\n')
    fails(three.run('vmadm', 'lookup', 'nics.0.ips=x'), 'Invalid lookup key: "nics.0.ips"\n')
    assert three.run('vmadm', 'lookup', '-j', '-o', 'nosuch').stdout == '[]\n'


def test_list_forms(three):
    """§2.5: columns, two-space separator, right-trim, TYPE, `-`, -p, -H, -o, -s, errors."""
    ids = three.ids
    result = three.run('vmadm', 'list')
    lines = [
        'UUID                                  TYPE  RAM      STATE             ALIAS',
        '%s  OS    512      running           web' % ids['web'],
        '%s  BHYV  2048     stopped           db' % ids['db'],
    ]
    cache_line = '%s  LX    256      stopped           -' % ids['cache']
    assert result.returncode == 0 and result.stderr == ''
    # default sort ram,uuid: 256 < 512 < 2048
    assert result.stdout == '\n'.join([lines[0], cache_line, lines[1], lines[2]]) + '\n'
    # a sort field that is not an -o column has no effect: VM order stays (creation order here)
    result = three.run('vmadm', 'list', '-p', '-o', 'alias,autoboot,nics.0.ip', '-s', '-ram', 'state=stopped')
    assert result.stdout == 'db::192.0.2.7\n::\n'
    result = three.run('vmadm', 'list', '-H', '-o', 'alias,tags.role', '-s', 'alias')
    assert result.stdout == 'db          -\nweb         www\n-           -\n'
    result = three.run('vmadm', 'list', '-o', 'alias,autoboot,type', '-s', '-autoboot,alias')
    assert result.stdout == 'ALIAS       AUTOBOOT  TYPE\nweb         true      OS\ndb          -         BHYV\n-           -         LX\n'
    assert three.run('vmadm', 'list', '-o', 'uuid', '-pH').stdout.count('\n') == 3
    fails(three.run('vmadm', 'list', '-o', 'nosuch'), 'invalid order field: nosuch\n')
    fails(three.run('vmadm', 'list', '-s', 'nosuch'), 'invalid sort field: nosuch\n')
    fails(three.run('vmadm', 'list', 'foo=bar'), 'Invalid filter key: "foo"\n')
    fails(three.run('vmadm', 'list', '-o', 'nics.*.ip'), 'Invalid order key: "nics.*.ip"\n')


# ----------------------------------------------------------------------------------------------
# lifecycle


def test_start_stop_reboot_semantics(three):
    """§2.6-2.8, §3: idempotent start/stop exit 0; stop clears autoboot even when stopped; reboot needs running."""
    web, db = three.ids['web'], three.ids['db']
    result = three.run('vmadm', 'start', web)
    assert (result.returncode, result.stderr) == (0, "Unable to start VM %s: VM %s is already 'running'\n" % (web, web))
    fails(three.run('vmadm', 'stop', web, '-t', '30'), 'Timeout option is only supported for bhyve, KVM and docker containers.\n')
    # a -t value that is not a number is dropped by nopt (§1.4): a plain graceful stop
    result = three.run('vmadm', 'stop', web, '-t', 'abc')
    assert (result.returncode, result.stderr) == (0, 'Successfully completed stop for VM %s\n' % web)
    assert (get(three, web)['state'], get(three, web)['autoboot']) == ('stopped', False)
    result = three.run('vmadm', 'stop', web)
    assert (result.returncode, result.stderr) == (0, "VM %s is already not 'running' (currently: stopped)\n" % web)
    fails(three.run('vmadm', 'reboot', web), 'Cannot reboot vm from state "stopped", must be "running"\n')
    fails(three.run('vmadm', 'reboot', '-F', web), 'Cannot reset vm from state "stopped", must be "running".\n')
    result = three.run('vmadm', 'boot', db)
    assert (result.returncode, result.stderr) == (0, 'Successfully started VM %s\n' % db)
    assert (get(three, db)['state'], get(three, db)['autoboot']) == ('running', True)
    result = three.run('vmadm', 'reboot', db)
    assert (result.returncode, result.stderr) == (0, 'Successfully completed reboot for VM %s\n' % db)
    result = three.run('vmadm', 'halt', db, '-F')
    assert (result.returncode, result.stderr) == (0, 'Successfully completed stop for VM %s\n' % db)
    usage_error(three.run('vmadm', 'start', db, 'foo=bar'), 'Invalid argument to start: foo')


def test_delete_and_indestructible(three):
    """§2.9: delete works on running VMs and removes datasets; indestructible_zoneroot refuses."""
    web = three.ids['web']
    result = three.run('vmadm', 'update', web, 'indestructible_zoneroot=true')
    assert result.returncode == 0
    fails(three.run('vmadm', 'delete', web), 'Failed to delete VM %s: indestructible_zoneroot is set, cannot delete\n' % web)
    three.run('vmadm', 'update', web, 'indestructible_zoneroot=false')
    result = three.run('vmadm', 'delete', web)
    assert (result.returncode, result.stderr) == (0, 'Successfully deleted VM %s\n' % web)
    assert not {'zones/' + web, 'zones/cores/' + web} & zfs_names(three)
    assert not os.path.exists(three.host_path('/zones/' + web))
    fails(three.run('vmadm', 'delete', web), 'Failed to delete VM %s: VM %s not found\n' % (web, web))


# ----------------------------------------------------------------------------------------------
# update


def test_update_properties(three):
    """§2.10: key=value, quiet drops, bad values, unsetting, quota on the dataset."""
    web = three.ids['web']
    result = three.run('vmadm', 'update', web, 'alias=www', 'brand=kvm', 'vcpus=4', 'nosuch=1', 'quota=20')
    assert (result.returncode, result.stderr, result.stdout) == (0, 'Successfully updated VM %s\n' % web, '')
    vm = get(three, web)
    assert (vm['alias'], vm['brand'], vm['quota'], 'vcpus' in vm) == ('www', 'joyent', 20, False)
    with three.sim_state.lock():
        assert zfsdb.Zfs(three.sim_state).get_parsable('zones/' + web, 'quota')[0] == str(20 * 1024 ** 3)
    fails(three.run('vmadm', 'update', web, 'autoboot=0'), 'Invalid value(s) for: autoboot\n')
    fails(three.run('vmadm', 'update', web, 'quota=abc'), 'Invalid value for quota: null:number\n')
    fails(three.run('vmadm', 'update', web, 'set_tags=a'), 'Invalid value(s) for: set_tags\n')
    three.run('vmadm', 'update', web, 'alias=', 'cpu_cap=0', 'do_not_inventory=true')
    vm = get(three, web)
    assert 'alias' not in vm and 'cpu_cap' not in vm and vm['do_not_inventory'] is True
    payload = {'set_tags': {'env': 'prod', 'n': 3}, 'remove_tags': ['role'], 'set_customer_metadata': {'k': 'v'}}
    result = three.run('vmadm', 'update', web, stdin=json.dumps(payload))
    assert result.returncode == 0
    vm = get(three, web)
    assert (vm['tags'], vm['customer_metadata']) == ({'env': 'prod', 'n': 3}, {'k': 'v'})
    # JSON null unsets; quota becomes 0 (none) on the dataset too
    assert three.run('vmadm', 'update', web, stdin='{"quota": null, "hostname": null}').returncode == 0
    vm = get(three, web)
    assert (vm['quota'], 'hostname' in vm) == (0, False)
    with three.sim_state.lock():
        assert zfsdb.Zfs(three.sim_state).get('zones/' + web, 'quota')[0] == 'none'


def test_update_nics(three):
    """§2.10: add_nics, update_nics (keyed by mac), remove_nics and the primary flag."""
    web = three.ids['web']
    result = three.run('vmadm', 'update', web, stdin=json.dumps({'add_nics': [
        {'nic_tag': 'external', 'ips': ['198.51.100.4/24'], 'primary': True}]}))
    assert result.returncode == 0, result.stderr
    nics = get(three, web)['nics']
    assert [(n['interface'], n.get('primary', False)) for n in nics] == [('net0', False), ('net1', True)]
    fails(three.run('vmadm', 'update', web, stdin=json.dumps({'update_nics': [{'mtu': 1500}]})),
          'NIC object needs a .mac property to update\n')
    fails(three.run('vmadm', 'update', web, stdin=json.dumps({'update_nics': [{'mac': '02:00:00:00:00:01', 'mtu': 1500}]})),
          'There is no existing NIC with that mac address\n')
    result = three.run('vmadm', 'update', web, stdin=json.dumps({'update_nics': [{'mac': nics[0]['mac'], 'mtu': 1500}]}))
    assert result.returncode == 0 and get(three, web)['nics'][0]['mtu'] == 1500
    result = three.run('vmadm', 'update', web, stdin=json.dumps({'remove_nics': [nics[1]['mac']]}))
    assert result.returncode == 0
    nics = get(three, web)['nics']
    assert [(n['interface'], n.get('primary')) for n in nics] == [('net0', True)]


def test_update_disks_only_when_stopped(three):
    """§2.10: add_disks needs a stopped VM; removing a disk destroys its zvol."""
    db = three.ids['db']
    three.run('vmadm', 'start', db)
    fails(three.run('vmadm', 'update', db, stdin=json.dumps({'add_disks': [{'size': 512, 'model': 'virtio'}]})),
          'updates to disks are only allowed when state is "stopped", currently: running (running)\n')
    three.run('vmadm', 'stop', db)
    assert three.run('vmadm', 'update', db, stdin=json.dumps({'add_disks': [{'size': 512, 'model': 'virtio'}]})).returncode == 0
    path = '/dev/zvol/rdsk/zones/%s/disk0' % db
    assert [d['path'] for d in get(three, db)['disks']] == [path]
    assert 'zones/%s/disk0' % db in zfs_names(three)
    assert three.run('vmadm', 'update', db, stdin=json.dumps({'remove_disks': [path]})).returncode == 0
    assert get(three, db)['disks'] == [] and 'zones/%s/disk0' % db not in zfs_names(three)


# ----------------------------------------------------------------------------------------------
# snapshots


def test_snapshots(three):
    """§2.13, §5: names, messages, zfs names, newest first, rollback destroys newer and boots."""
    web, cache = three.ids['web'], three.ids['cache']
    fails(three.run('vmadm', 'create-snapshot', web, 'bad/name'), 'Invalid snapshot name\n')
    usage_error(three.run('vmadm', 'create-snapshot', web), 'Wrong number of parameters to "create-snapshot"')
    for name in ('s1', 's2'):
        result = three.run('vmadm', 'create-snapshot', cache, name)
        assert (result.returncode, result.stderr) == (0, 'Created snapshot %s for VM %s\n' % (name, cache))
    fails(three.run('vmadm', 'create-snapshot', cache, 's1'), 'snapshot with name "s1" already exists.\n')
    assert [s['name'] for s in get(three, cache)['snapshots']] == ['s2', 's1']
    assert {'zones/%s@vmsnap-s1' % cache, 'zones/%s@vmsnap-s2' % cache} <= zfs_names(three)
    assert get(three, cache)['state'] == 'stopped'
    result = three.run('vmadm', 'rollback-snapshot', cache, 's1')
    assert (result.returncode, result.stderr) == (0, 'Rolled back snapshot s1 for VM %s\n' % cache)
    vm = get(three, cache)
    assert ([s['name'] for s in vm['snapshots']], vm['state'], vm['autoboot']) == (['s1'], 'running', True)
    assert 'zones/%s@vmsnap-s2' % cache not in zfs_names(three)
    fails(three.run('vmadm', 'delete-snapshot', cache, 's2'), 'No snapshot named "s2" for %s\n' % cache)
    result = three.run('vmadm', 'delete-snapshot', cache, 's1')
    assert (result.returncode, result.stderr) == (0, 'Deleted snapshot s1 for VM %s\n' % cache)
    kvm = create(three, {'brand': 'kvm', 'autoboot': False})
    fails(three.run('vmadm', 'create-snapshot', kvm, 's1'), 'snapshots for kvm VMs currently unsupported\n')


def test_info_and_sysrq(three):
    """§2.11, §2.12: brand and state checks."""
    web, db = three.ids['web'], three.ids['db']
    fails(three.run('vmadm', 'info', web), 'Unable to get VM info for VM %s: no info types supported for brand joyent\n' % web)
    fails(three.run('vmadm', 'info', db), 'Unable to get VM info for VM %s: Unable to get info for vm from state '
                                          '"stopped", must be "running" or "stopping".\n' % db)
    fails(three.run('vmadm', 'sysrq', web, 'nmi'), 'The sysrq command is only supported for VMs  with brand "bhyve" or "kvm".\n')
    usage_error(three.run('vmadm', 'sysrq', web, 'foo'), 'Invalid sysrq type: foo')


# ----------------------------------------------------------------------------------------------
# test bed hooks


def test_seed_zones_and_gz_reboot(gz):
    """The seeded zones are deterministic, mixed, and follow autoboot over a GZ reboot (§3, §6)."""
    states = []
    for name in ('a', 'b'):
        path = os.path.join(os.path.dirname(gz.state), name)
        result = gz.run('smartos-sim', 'init', '--state', path, '--zones', '30', '--seed', '7')
        assert result.returncode == 0, result.stderr
        states.append(State(path))
    first, second = (vmadm.load_vms(s) for s in states)
    assert sorted(first) == sorted(second) and len(first) == 30
    assert {vm['brand'] for vm in first.values()} == {'joyent', 'joyent-minimal', 'lx', 'bhyve', 'kvm'}
    assert {vm['state'] for vm in first.values()} == {'running', 'stopped'}
    with states[0].lock():
        names = set(zfsdb.Zfs(states[0]).datasets())
    assert all('zones/' + uuid in names for uuid in first)
    autoboot = {u for u, vm in first.items() if vm['autoboot']}
    env = {'SMARTOS_SIM_STATE': states[0].dir}
    assert gz.run('smartos-sim', 'reboot', '--state', states[0].dir).returncode == 0
    after = vmadm.load_vms(states[0])
    assert {u for u, vm in after.items() if vm['state'] == 'running'} == autoboot
    listed = gz.run('vmadm', 'list', '-p', '-o', 'uuid', 'state=running', env=env).stdout.split()
    assert sorted(listed) == sorted(autoboot)


# ----------------------------------------------------------------------------------------------
# the calls community.general.vmadm makes (plugins/modules/vmadm.py), in its order


def test_community_general_vmadm_calls(vgz, tmp_path):
    """§2.1, §2.4, §2.7-2.9: create -f <0400 file>, lookup -j -o <prop> uuid=/alias=, stop -F, delete -F."""
    payload = tmp_path / 'payload'
    # the module sends its own option names: `name` (not alias) and kvm's cpu_type default are dropped quietly
    payload.write_text(json.dumps({'name': 'cg1', 'brand': 'joyent', 'cpu_type': 'qemu64', 'image_uuid': BASE,
                                   'nics': [{'nic_tag': 'admin', 'ip': 'dhcp', 'primary': True}], 'quota': 1}),
                       encoding='utf-8')
    payload.chmod(0o400)
    assert vgz.run('vmadm', 'lookup', '-j', '-o', 'uuid', 'alias=cg1').stdout == '[]\n'
    result = vgz.run('vmadm', 'create', '-f', str(payload))
    match = re.match('Successfully created VM (.*)', result.stderr)
    assert result.returncode == 0 and match
    uuid = match.group(1).strip()
    state = vgz.run('vmadm', 'lookup', '-j', '-o', 'state', 'uuid=' + uuid)
    assert json.loads(state.stdout) == [{'state': 'running'}]
    assert vgz.run('vmadm', 'lookup', '-j', '-o', 'uuid', 'alias=cg1').stdout == '[]\n'
    assert [v['uuid'] for v in json.loads(vgz.run('vmadm', 'lookup', '-j', '-o', 'uuid').stdout)] == [uuid]
    assert re.match('^Successfully.*', vgz.run('vmadm', 'stop', '-F', uuid).stderr)
    assert re.match('^Successfully.*', vgz.run('vmadm', 'start', uuid).stderr)
    assert re.match('^Successfully.*', vgz.run('vmadm', 'reboot', uuid).stderr)
    forced = vgz.run('vmadm', 'delete', '-F', uuid)
    assert forced.returncode == 2 and not re.match('^Successfully.*', forced.stderr)
    assert re.match('^Successfully.*', vgz.run('vmadm', 'delete', uuid).stderr)
    assert vgz.run('vmadm', 'lookup', '-j', '-o', 'state', 'uuid=' + uuid).stdout == '[]\n'
