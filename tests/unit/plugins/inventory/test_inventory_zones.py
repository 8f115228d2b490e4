# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The zones inventory plugin with the global zones answered in-process.

``subprocess.run`` of the plugin is replaced by a fake that plays ssh and the GZ: it checks the
ssh argument list, splits the remote command line as the GZ's shell would (so quoting mistakes
show up as wrong vmadm arguments) and answers ``vmadm lookup -j -o ...`` like vmadm does
(reference smartos_vmadm.md §2.4: only the ``-o`` keys, filters ANDed). The simulator test
(tests/simulator/tests/test_inventory_plugin.py) runs the real ansible-inventory over real SSH.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import threading

import pytest

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins import inventory as inventory_base
from ansible.plugins.loader import inventory_loader

from ansible_collections.smartstack.smartos.plugins.inventory import zones as zones_module

UUIDS = ['%08x-0000-4000-8000-%012x' % (i, i) for i in range(1, 20)]


def vm(index, alias, brand='joyent', state='running', ip='10.0.0.%d', tags=None, metadata=None, **extra):
    result = {'uuid': UUIDS[index], 'alias': alias, 'hostname': alias, 'brand': brand, 'state': state,
              'zone_state': state if state != 'stopped' else 'installed', 'ram': 512, 'max_physical_memory': 512,
              'quota': 10, 'type': 'OS', 'autoboot': True, 'owner_uuid': '0' * 8,
              'image_uuid': 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8', 'tags': tags or {},
              'customer_metadata': metadata or {}, 'internal_metadata': {'operator-script': 'secret'},
              'nics': [{'nic_tag': 'admin', 'ip': ip % (index + 2) if '%' in ip else ip, 'ips': ['%s/24' % ip],
                        'primary': True}],
              'create_timestamp': '2026-11-25T09:00:00.000Z'}
    result.update(extra)
    return result


class FakeGZs:
    """ssh + the GZs: ``zones`` maps a GZ host to its VM list; ``down`` hosts fail like ssh does."""

    def __init__(self, zones, down=(), slow=(), sysinfo=None):
        self.zones, self.down, self.slow = zones, set(down), set(slow)
        self.sysinfo = sysinfo or {}
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, argv, **kwargs):
        with self.lock:
            self.calls.append(argv)
        assert isinstance(argv, list), 'never a shell string'
        assert kwargs.get('stdin') is subprocess.DEVNULL
        if argv[0] in ('vmadm', 'sysinfo'):          # localhost: no ssh
            host, remote = 'localhost', argv
        else:
            assert argv[0] == 'ssh'
            assert argv[-3] == '--', argv
            host = argv[-2]
            assert '-o' in argv and 'BatchMode=yes' in argv
            remote = shlex.split(argv[-1])          # what the GZ's shell makes of the command line
        if host in self.slow:
            raise subprocess.TimeoutExpired(argv, kwargs.get('timeout'))
        if host in self.down:
            return subprocess.CompletedProcess(argv, 255, b'', b'ssh: connect to host %s port 22: Connection refused\r\n'
                                               % host.encode())
        if remote == ['sysinfo']:
            return subprocess.CompletedProcess(argv, 0, json.dumps(self.sysinfo.get(host, {})).encode(), b'')
        assert remote[:4] == ['vmadm', 'lookup', '-j', '-o'], remote
        fields = remote[4].split(',')
        result = []
        for zone in self.zones.get(host, []):
            if all(str(zone.get(k)) == v for k, _sep, v in (f.partition('=') for f in remote[5:])):
                result.append({k: zone[k] for k in fields if k in zone})
        return subprocess.CompletedProcess(argv, 0, json.dumps(result, indent=2).encode(), b'')


@pytest.fixture
def inventory_run(tmp_path, monkeypatch):
    """inventory_run(config_text, fake, cache=True) -> (InventoryData, warnings)."""

    def run(config, fake, cache=True, name='test.smartos.yml'):
        monkeypatch.setattr(zones_module.subprocess, 'run', fake)
        path = tmp_path / name
        path.write_text(config, encoding='utf-8')
        plugin = inventory_loader.get('smartstack.smartos.zones')
        warnings = []
        monkeypatch.setattr(plugin.display, 'warning', lambda msg, *a, **k: warnings.append(msg))
        inventory = InventoryData()
        assert plugin.verify_file(str(path))
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if plugin.get_option('cache'):
            plugin.update_cache_if_changed()
        return inventory, warnings

    return run


def hostvars(inventory, host):
    return inventory.get_host(host).get_vars()


THREE = {'gz1': [vm(0, 'web00', tags={'role': 'web'}), vm(1, 'db01', brand='lx', state='stopped', ip='dhcp')],
         'gz2': [vm(2, 'web00', brand='bhyve', image_uuid=None, disks=[{'boot': True, 'image_uuid': UUIDS[9]}]),
                 vm(3, 'cache03')],
         'gz3': [vm(4, 'app04', brand='kvm')]}
CONFIG = 'plugin: smartstack.smartos.zones\nglobal_zones: [gz1, gz2, gz3]\n'


def test_verify_file_wants_the_smartos_suffix(tmp_path):
    plugin = inventory_loader.get('smartstack.smartos.zones')
    for name, wanted in (('a.smartos.yml', True), ('a.smartos.yaml', True), ('a.yml', False), ('smartos.yml', False)):
        (tmp_path / name).write_text('plugin: smartstack.smartos.zones\n', encoding='utf-8')
        assert plugin.verify_file(str(tmp_path / name)) is wanted, name


def test_three_gzs_hosts_vars_and_groups(inventory_run):
    fake = FakeGZs(THREE)
    inventory, warnings = inventory_run(CONFIG, fake)
    assert not warnings
    # one command per GZ, no sysinfo
    assert sorted(c[-2] for c in fake.calls) == ['gz1', 'gz2', 'gz3']
    assert sorted(inventory.hosts) == ['app04', 'cache03', 'db01', 'web00_gz1', 'web00_gz2']
    web = hostvars(inventory, 'web00_gz1')
    assert web['ansible_host'] == '10.0.0.2'
    assert web['smartos_uuid'] == UUIDS[0]
    assert web['smartos_global_zone'] == 'gz1'
    assert web['smartos_gz_host'] == 'gz1' and web['smartos_gz_port'] == 22 and web['smartos_gz_user'] == 'root'
    assert web['smartos_tags'] == {'role': 'web'}
    assert 'smartos_internal_metadata' not in web
    assert 'ansible_connection' not in web
    # HVM: the image is the boot disk's
    assert hostvars(inventory, 'web00_gz2')['smartos_image_uuid'] == UUIDS[9]
    # dhcp only: no ansible_host
    assert 'ansible_host' not in hostvars(inventory, 'db01')
    groups = inventory.groups
    assert sorted(h.name for h in groups['smartos_zones'].hosts) == sorted(inventory.hosts)
    assert [h.name for h in groups['smartos_brand_lx'].hosts] == ['db01']
    assert [h.name for h in groups['smartos_state_stopped'].hosts] == ['db01']
    assert sorted(h.name for h in groups['smartos_gz_gz2'].hosts) == ['cache03', 'web00_gz2']
    assert [h.name for h in groups['smartos_tag_role_web'].hosts] == ['web00_gz1']
    assert 'smartos_image_%s' % UUIDS[9].replace('-', '_') in groups


def test_ssh_argv_keeps_host_key_checking_on_and_takes_the_options(inventory_run):
    fake = FakeGZs({'192.0.2.7': [vm(0, 'a')]})
    config = CONFIG.replace('[gz1, gz2, gz3]', '') + (
        '  - host: 192.0.2.7\n    name: edge\n    port: 2222\n    user: admin\n    private_key_file: /k/id\n'
        '    known_hosts_file: /k/known\n    ssh_extra_args: ["-o", "ProxyJump=bastion"]\n'
        'connect_timeout: 3\n')
    inventory, _unused = inventory_run(config, fake)
    argv = fake.calls[0]
    assert argv[:2] == ['ssh', '-T']
    for pair in (['-p', '2222'], ['-l', 'admin'], ['-i', '/k/id'], ['-o', 'StrictHostKeyChecking=yes'],
                 ['-o', 'UserKnownHostsFile=/k/known'], ['-o', 'ConnectTimeout=3'], ['-o', 'ProxyJump=bastion']):
        assert any(argv[i:i + 2] == pair for i in range(len(argv))), pair
    host = hostvars(inventory, 'a')
    assert host['smartos_global_zone'] == 'edge' and host['smartos_gz_port'] == 2222
    assert host['smartos_gz_private_key_file'] == '/k/id' and host['smartos_gz_ssh_extra_args'] == ['-o', 'ProxyJump=bastion']


def test_host_key_checking_off_only_when_asked(inventory_run):
    fake = FakeGZs({'gz1': []})
    inventory_run(CONFIG.replace('[gz1, gz2, gz3]', '[gz1]') + 'ssh_host_key_checking: false\n', fake)
    assert 'StrictHostKeyChecking=no' in fake.calls[0]


def test_hostile_filters_reach_vmadm_as_single_arguments(tmp_path):
    """The remote command line, run by a real /bin/sh (as sshd does), gives vmadm exactly the filters."""
    hostile = ['alias=$(touch %s/pwned)' % tmp_path, "tags.x=it's; touch %s/pwned" % tmp_path, 'alias=a b\tc\nd',
               'alias=`id`', 'customer_metadata.k=~^"|&<>*?']
    record = tmp_path / 'argv.json'
    tool = tmp_path / 'vmadm'
    tool.write_text('#!%s\nimport json, sys\njson.dump(sys.argv[1:], open(%r, "w"))\nprint("[]")\n'
                    % (os.path.realpath(os.sys.executable), str(record)), encoding='utf-8')
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    gz = {'name': 'gz', 'host': 'gz', 'port': 22, 'user': 'root', 'host_key_checking': True, 'local': False,
          'ssh_executable': 'ssh'}
    argv = zones_module.ssh_argv(gz, zones_module.lookup_argv(hostile, ['uuid', 'alias']), 5)
    subprocess.run(['/bin/sh', '-c', argv[-1]], check=True, env=dict(os.environ, PATH='%s:/usr/bin:/bin' % tmp_path))
    assert json.loads(record.read_text(encoding='utf-8')) == ['lookup', '-j', '-o', 'uuid,alias'] + hostile
    assert not (tmp_path / 'pwned').exists()


def test_filters_are_applied_on_the_gz(inventory_run):
    fake = FakeGZs(THREE)
    inventory, _unused = inventory_run(CONFIG + 'filters: [state=running, brand=joyent]\n', fake)
    assert sorted(inventory.hosts) == ['cache03', 'web00']
    assert shlex.split(fake.calls[0][-1])[5:] == ['state=running', 'brand=joyent']


def test_a_down_gz_is_a_warning_and_its_zones_are_left_out(inventory_run):
    inventory, warnings = inventory_run(CONFIG, FakeGZs(THREE, down=['gz2'], slow=['gz3']))
    assert sorted(inventory.hosts) == ['db01', 'web00']   # no collision left: web00 keeps its name
    assert len(warnings) == 2
    assert 'global zone gz2 left out: gz2: ssh failed (rc 255): ssh: connect to host gz2 port 22: Connection refused' in warnings
    assert 'global zone gz3 left out: gz3: no answer within 60 seconds' in warnings


def test_strict_makes_a_down_gz_an_error(inventory_run):
    with pytest.raises(AnsibleParserError, match='global zone gz2 could not be asked: gz2: ssh failed'):
        inventory_run(CONFIG + 'strict: true\n', FakeGZs(THREE, down=['gz2']))


def test_vmadm_errors_and_bad_json_are_warnings(inventory_run):
    def broken(argv, **kwargs):
        if argv[-2] == 'gz1':
            return subprocess.CompletedProcess(argv, 1, b'', b'Invalid lookup key: "foo"\n')
        if argv[-2] == 'gz2':
            return subprocess.CompletedProcess(argv, 0, b'not json', b'')
        raise FileNotFoundError(2, 'No such file or directory', 'ssh')
    inventory, warnings = inventory_run(CONFIG, broken)
    assert not inventory.hosts
    assert warnings[0] == 'global zone gz1 left out: gz1: vmadm failed (rc 1): Invalid lookup key: "foo"'
    assert warnings[1].startswith('global zone gz2 left out: gz2: vmadm lookup -j did not print JSON')
    assert warnings[2].startswith('global zone gz3 left out: gz3: cannot run ssh')


def test_hostnames_preferences_and_collision_modes(inventory_run):
    zones = {'gz1': [vm(0, 'web', tags={'fqdn': 'web.example.com'}), vm(1, '', tags={}), vm(2, 'dup'), vm(3, 'dup')],
             'gz2': [vm(4, 'web', tags={'fqdn': 'web2.example.com'}), vm(5, 'dup')]}
    inventory, _unused = inventory_run(CONFIG.replace('[gz1, gz2, gz3]', '[gz1, gz2]'), FakeGZs(zones))
    # empty alias -> uuid; 'dup' twice on gz1 -> uuids; once on gz2 -> suffixed
    assert sorted(inventory.hosts) == sorted(['web_gz1', 'web_gz2', UUIDS[1], UUIDS[2], UUIDS[3], 'dup_gz2'])
    inventory, _unused = inventory_run(CONFIG.replace('[gz1, gz2, gz3]', '[gz1, gz2]')
                                       + 'hostnames: [tags.fqdn, alias]\nhostname_collisions: uuid\n', FakeGZs(zones))
    assert sorted(inventory.hosts) == sorted(['web.example.com', 'web2.example.com', UUIDS[1]] + UUIDS[2:4] + [UUIDS[5]])
    with pytest.raises(AnsibleParserError, match='zones share the host names dup, web'):
        inventory_run(CONFIG.replace('[gz1, gz2, gz3]', '[gz1, gz2]') + 'hostname_collisions: error\n', FakeGZs(zones))


def test_odd_names_are_kept_and_never_templated(inventory_run):
    odd = "{{ lookup('pipe', 'id') }}"
    zones = {'gz1': [vm(0, odd, tags={'t': '{{ 7 * 6 }}'}), vm(1, 'web 01/ä:[x]')]}
    inventory, _unused = inventory_run(CONFIG.replace('[gz1, gz2, gz3]', '[gz1]')
                                       + 'compose:\n  shown: smartos_alias\n  tag: smartos_tags.t\n', FakeGZs(zones))
    assert sorted(inventory.hosts) == sorted([odd, 'web 01/ä:[x]'])
    host = hostvars(inventory, odd)
    assert host['shown'] == odd and host['tag'] == '{{ 7 * 6 }}'
    assert 'smartos_tag_t____7___6___' in inventory.groups


def test_secret_metadata_is_left_out(inventory_run):
    zones = {'gz1': [vm(0, 'a', metadata={'root_pw': 'x', 'DB_PASSWORD': 'y', 'user-script': 'z', 'api_token': 't',
                                          'role': 'web', 'fqdn': 'a.example.com'})]}
    config = CONFIG.replace('[gz1, gz2, gz3]', '[gz1]')
    inventory, _unused = inventory_run(config + 'hostnames: [customer_metadata.root_pw, customer_metadata.fqdn]\n', FakeGZs(zones))
    assert list(inventory.hosts) == ['a.example.com']
    assert hostvars(inventory, 'a.example.com')['smartos_customer_metadata'] == {'role': 'web', 'fqdn': 'a.example.com'}
    inventory, _unused = inventory_run(config + 'include_customer_metadata: false\n', FakeGZs(zones))
    assert 'smartos_customer_metadata' not in hostvars(inventory, 'a')


def test_exclude_matches_like_vmadm(inventory_run):
    zones = {'gz1': [vm(0, 'web00', tags={'ansible': False}), vm(1, 'db01', brand='lx'), vm(2, 'cache02'),
                     vm(3, 'ext', nics=[{'nic_tag': 'external', 'ip': 'dhcp'}])]}
    config = CONFIG.replace('[gz1, gz2, gz3]', '[gz1]') + 'exclude: [tags.ansible=false, brand=lx, "alias=~^CACHE", nics.*.nic_tag=external]\n'
    inventory, _unused = inventory_run(config, FakeGZs(zones))
    assert not inventory.hosts
    with pytest.raises(AnsibleParserError, match="exclude entry 'brand' is not key=value"):
        inventory_run(CONFIG + 'exclude: [brand]\n', FakeGZs({}))


def test_ansible_host_nic_tag_and_zlogin_connection(inventory_run):
    nics = [{'nic_tag': 'admin', 'ip': '10.0.0.5', 'ips': ['10.0.0.5/24']},
            {'nic_tag': 'external', 'ips': ['dhcp', '192.0.2.5/24'], 'primary': True}]
    zones = {'gz1': [vm(0, 'a', nics=nics), vm(1, 'b', nics=[{'nic_tag': 'admin', 'ip': 'dhcp', 'ips': ['dhcp']}]),
                     vm(2, 'c', nics=[])]}
    config = CONFIG.replace('[gz1, gz2, gz3]', '[gz1]')
    inventory, _unused = inventory_run(config + 'zlogin_connection: unreachable\n', FakeGZs(zones))
    assert hostvars(inventory, 'a')['ansible_host'] == '192.0.2.5'
    assert 'ansible_connection' not in hostvars(inventory, 'a')
    assert hostvars(inventory, 'b')['ansible_connection'] == 'smartstack.smartos.zlogin'
    assert hostvars(inventory, 'c')['ansible_connection'] == 'smartstack.smartos.zlogin'
    inventory, _unused = inventory_run(config + 'ansible_host_nic_tag: admin\nzlogin_connection: always\n', FakeGZs(zones))
    assert hostvars(inventory, 'a')['ansible_host'] == '10.0.0.5'
    assert hostvars(inventory, 'a')['ansible_connection'] == 'smartstack.smartos.zlogin'


def test_localhost_runs_vmadm_here_and_gz_facts_add_one_sysinfo(inventory_run):
    fake = FakeGZs({'localhost': [vm(0, 'a')]}, sysinfo={'localhost': {'UUID': 'gz-uuid', 'Hostname': 'headnode'}})
    inventory, _unused = inventory_run('plugin: smartstack.smartos.zones\nglobal_zones: [localhost]\ngz_facts: true\n', fake)
    assert [c[:2] for c in fake.calls] == [['vmadm', 'lookup'], ['sysinfo']]
    host = hostvars(inventory, 'a')
    assert host['smartos_gz_local'] is True and host['smartos_gz_sysinfo'] == {'UUID': 'gz-uuid', 'Hostname': 'headnode'}


def test_constructed_options(inventory_run):
    config = CONFIG + '''
compose:
  memory_gib: smartos_ram / 1024
groups:
  small: memory_gib < 1
keyed_groups:
  - key: smartos_brand
    prefix: brand
  - key: smartos_tags
  - key: smartos_state
leading_separator: false
group_by: []
group_prefix: sos_
'''
    inventory, _unused = inventory_run(config, FakeGZs(THREE))
    assert hostvars(inventory, 'db01')['memory_gib'] == 0.5
    assert len(inventory.groups['small'].hosts) == 5
    assert sorted(h.name for h in inventory.groups['brand_joyent'].hosts) == ['cache03', 'web00_gz1']
    assert [h.name for h in inventory.groups['role_web'].hosts] == ['web00_gz1']
    assert 'stopped' in inventory.groups and '_stopped' not in inventory.groups
    assert 'sos_zones' in inventory.groups and 'sos_brand_lx' not in inventory.groups


def test_use_extra_vars_and_strict_compose(inventory_run, monkeypatch):
    monkeypatch.setattr(inventory_base, 'load_extra_vars', lambda loader: {'factor': 3})
    config = CONFIG.replace('[gz1, gz2, gz3]', '[gz1]') + 'compose:\n  scaled: smartos_ram * factor | default(1)\n'
    inventory, _unused = inventory_run(config, FakeGZs(THREE))
    assert hostvars(inventory, 'web00')['scaled'] == 512
    inventory, _unused = inventory_run(config + 'use_extra_vars: true\n', FakeGZs(THREE))
    assert hostvars(inventory, 'web00')['scaled'] == 1536
    config = CONFIG.replace('[gz1, gz2, gz3]', '[gz1]') + 'compose:\n  broken: no_such_var + 1\n'
    inventory, _unused = inventory_run(config, FakeGZs(THREE))
    assert 'broken' not in hostvars(inventory, 'web00')
    with pytest.raises(AnsibleError, match='Could not set broken for host'):
        inventory_run(config + 'strict: true\n', FakeGZs(THREE))


def test_bad_configuration_fails_before_asking(inventory_run):
    fake = FakeGZs({})
    for config, message in (('global_zones: []\n', 'global_zones must be a non-empty list'),
                            ('global_zones: [{port: 22}]\n', 'each global_zones entry must be a host name'),
                            ('global_zones: [{host: a, prot: 22}]\n', 'unknown keys prot'),
                            ('global_zones: [a, {host: b, name: a}]\n', 'two global_zones entries are named a'),
                            ('global_zones: [{host: a, port: x}]\n', "port 'x' is not a number")):
        with pytest.raises(AnsibleParserError, match=message):
            inventory_run('plugin: smartstack.smartos.zones\n' + config, fake)
    assert not fake.calls


def test_cache_answers_without_asking_and_a_failed_gz_is_not_cached(inventory_run, tmp_path):
    config = CONFIG + 'cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % (tmp_path / 'cache')
    first = FakeGZs(THREE, down=['gz3'])
    inventory, _unused = inventory_run(config, first, cache=False)
    assert len(first.calls) == 3 and 'app04' not in inventory.hosts
    assert not os.listdir(tmp_path / 'cache')          # gz3 failed: nothing cached
    second = FakeGZs(THREE)
    inventory, _unused = inventory_run(config, second, cache=False)
    assert len(second.calls) == 3 and 'app04' in inventory.hosts
    assert len(os.listdir(tmp_path / 'cache')) == 1
    third = FakeGZs({})                                    # the GZs now have no zones: the cache answers
    inventory, _unused = inventory_run(config, third, cache=True)
    assert not third.calls
    assert sorted(inventory.hosts) == ['app04', 'cache03', 'db01', 'web00_gz1', 'web00_gz2']
    fourth = FakeGZs({})                                   # --flush-cache (cache=False) asks again
    inventory, _unused = inventory_run(config, fourth, cache=False)
    assert len(fourth.calls) == 3 and not inventory.hosts


def test_max_workers_bounds_the_parallel_queries(inventory_run):
    active, peak = [0], [0]
    lock = threading.Lock()
    inner = FakeGZs({'gz%d' % i: [vm(i, 'z%d' % i)] for i in range(1, 7)})

    def counting(argv, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            threading.Event().wait(0.05)
            return inner(argv, **kwargs)
        finally:
            with lock:
                active[0] -= 1
    config = 'plugin: smartstack.smartos.zones\nglobal_zones: [gz1, gz2, gz3, gz4, gz5, gz6]\nmax_workers: 2\n'
    inventory, _unused = inventory_run(config, counting)
    assert len(inventory.hosts) == 6
    assert peak[0] == 2
