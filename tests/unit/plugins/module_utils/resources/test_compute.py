# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The compute resource (resources/compute.py) against the simulated global zone's tools.

A small stand-in for AnsibleModule runs the real simulated ``vmadm``, ``imgadm`` and ``sysinfo``
(tests/simulator/bin, state in a temporary directory), so every test sees what vmadm really
does with the payloads (reference smartos_vmadm.md) and counts the commands in the simulator's
own log: an idempotent run is ONE command, a converging one a read plus the fewest writes.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.json_rendering import normalise
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError, run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import (
    CREATE_ONLY,
    NO_LOG_MASK,
    Compute,
    ComputeInfo,
    occi_state,
    same_value,
)
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import (
    SIM_BIN,
    Exit,
    SimGZ as BaseSimGZ,
    WarningFakeModule,
)

BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'        # base-64-lts 24.4.1 (the simulator's catalogue)
BASE_OLD = '58f8b534-2753-432f-b758-dd75e154e791'    # base-64-lts 23.4.0
UBUNTU_ZVOL = '0e79fdf8-2c52-4451-ad1f-3209db6538a2'  # ubuntu-certified-22.04 (zvol)

DEFAULTS = dict(id=None, title=None, state='present', action=None, method='graceful', timeout=None, brand=None,
                os_tpl=None, resource_tpl=None, resource_templates=None,
                resource_templates_file='/nonexistent/resource_templates.json', hostname=None, cores=None, memory=None,
                share=None, architecture=None, tags=None, customer_metadata=None, secret_metadata=None, properties=None,
                nics=None, disks=None, recreate=False, restart_for_changes=False)


class FakeModule(WarningFakeModule):
    DEFAULTS = DEFAULTS


class SimGZ(BaseSimGZ):
    @property
    def lock_dir(self):
        """The GZ's /opt/smartstack (its GZ-wide locks) as the host sees it."""
        return os.path.join(self.state, 'root', 'opt', 'smartstack')

    def vms(self):
        with open(os.path.join(self.state, 'vms.json'), encoding='utf-8') as handle:
            return json.load(handle)

    def compute(self, check_mode=False, diff=False, **params):
        """Run the compute flow; return (result dict, commands it ran)."""
        before = len(self.log())
        module = FakeModule(self, params, check_mode=check_mode, diff=diff)
        resource = Compute(module)
        resource.lock_dir = self.lock_dir
        with pytest.raises(Exit) as info:
            run_resource(module, resource)
        result = dict(info.value.result, failed=info.value.failed, warnings=module.warnings)
        return result, self.log()[before:]

    def create(self, payload):
        proc = self.run('vmadm', 'create', stdin=json.dumps(payload))
        assert proc.returncode == 0, proc.stderr
        return proc.stderr.strip().split()[-1]


@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state)
    assert proc.returncode == 0, proc.stderr
    proc = zone.run('imgadm', 'import', '-q', BASE)
    assert proc.returncode == 0, proc.stderr
    return zone


# ---------------------------------------------------------------------------------------------
# pure functions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name, desired, actual, same', [
    ('limit_priv', ['default', 'dtrace_proc'], 'default,dtrace_proc', True),   # §4.6: lists stored as comma strings
    ('cpu_cap', 0, None, True),                                              # §2.10: cpu_cap=0 removes the cap
    ('do_not_inventory', False, None, True),                                 # §4.1: only present when true
    ('firewall_enabled', False, False, True),
    ('quota', '20', 20, True),
    ('quota', 20, 10, False),
    ('resolvers', ['8.8.8.8'], ['8.8.8.8'], True),
    ('resolvers', ['8.8.8.8'], [], False),
    ('alias', 'web', 'web2', False),
    ('autoboot', 'true', True, True),
])
def test_same_value_knows_vmadm_representations(name, desired, actual, same):
    assert same_value(name, desired, actual) is same


@pytest.mark.parametrize('vm_state, occi', [('running', 'active'), ('stopped', 'inactive'), ('failed', 'error'),
                                            ('provisioning', 'inactive'), ('stopping', 'active')])
def test_occi_state_of_vmadm_states(vm_state, occi):
    """reference smartos_vmadm.md §3: state values."""
    assert occi_state({'state': vm_state}) == occi


def test_create_only_table_follows_proptable():
    """reference §4.7: brand, image_uuid, zpool, nics, disks ... are create-only; alias, quota are not."""
    assert {'brand', 'image_uuid', 'zpool', 'nics', 'disks', 'uuid', 'delegate_dataset', 'filesystems'} <= CREATE_ONLY
    assert not {'alias', 'quota', 'cpu_cap', 'ram', 'vcpus', 'tags', 'customer_metadata'} & CREATE_ONLY


# ---------------------------------------------------------------------------------------------
# create / idempotence / converge, counted in the simulator's command log
# ---------------------------------------------------------------------------------------------

def test_create_then_idempotent_one_command(gz):
    result, commands = gz.compute(title='web1', os_tpl='base-64-lts@24.4.1', hostname='web1.example.com', cores=2,
                                  memory=1, share=200, tags={'role': 'web'}, properties={'quota': 15})
    assert not result['failed'], result
    assert result['changed']
    # read, image resolution (installed: one list), host CPUs, the second look under the GZ lock, create
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['imgadm', 'list'], ['sysinfo'], ['vmadm', 'lookup'],
                                         ['vmadm', 'create']]
    vm = [v for v in gz.vms().values() if v.get('alias') == 'web1'][0]
    assert vm['brand'] == 'joyent' and vm['image_uuid'] == BASE
    assert vm['cpu_cap'] == 200 and vm['max_physical_memory'] == 1024 and vm['cpu_shares'] == 200
    assert vm['hostname'] == 'web1.example.com' and vm['quota'] == 15 and vm['tags'] == {'role': 'web'}
    assert vm['internal_metadata']['smartstack:os_tpl'] == 'base-64-lts@24.4.1'
    assert vm['state'] == 'running'
    assert result['resource']['id'] == 'urn:uuid:%s' % vm['uuid']

    again, commands = gz.compute(title='web1', os_tpl='base-64-lts@24.4.1', hostname='web1.example.com', cores=2,
                                 memory=1, share=200, tags={'role': 'web'}, properties={'quota': 15})
    assert not again['failed'] and not again['changed'], again
    assert commands == [['vmadm', 'lookup', '-j', 'alias=web1']]
    attributes = again['resource']['attributes']
    assert attributes['occi.compute.cores'] == 2 and attributes['occi.compute.memory'] == 1.0
    assert attributes['occi.compute.state'] == 'active'
    assert again['resource']['mixins'][1].endswith('os_tpl#base-64-lts-24.4.1')
    normalise(again['resource'])  # a valid OCCI rendering the filters can parse


def test_converge_is_one_read_one_update(gz):
    uuid = gz.create({'alias': 'db', 'image_uuid': BASE, 'max_physical_memory': 512, 'cpu_cap': 100})
    result, commands = gz.compute(title='db', memory=2, share=50, diff=True)
    assert result['changed'] and not result['failed'], result
    assert commands == [['vmadm', 'lookup', '-j', 'alias=db'], ['vmadm', 'update', uuid]]
    vm = gz.vms()[uuid]
    assert vm['max_physical_memory'] == 2048 and vm['cpu_shares'] == 50
    assert result['diff']['before']['memory'] == 0.5 and result['diff']['after']['memory'] == 2.0
    assert not result['restart_needed']  # zones: max_physical_memory and cpu_shares are live


def test_check_mode_changes_nothing(gz):
    gz.create({'alias': 'db', 'image_uuid': BASE})
    before = gz.snapshot()
    result, commands = gz.compute(check_mode=True, title='db', memory=2, state='inactive', tags={'a': 'b'})
    assert result['changed'] and result['actions'][0].startswith('stop VM')
    assert commands == [['vmadm', 'lookup', '-j', 'alias=db']]
    result, commands = gz.compute(check_mode=True, title='new', os_tpl='base-64-lts', cores=1)
    assert result['changed'] and result['vm']['brand'] == 'joyent'
    assert all(c[0] == 'sysinfo' or c[1] in ('lookup', 'list', 'get', 'avail') for c in commands), commands
    assert gz.snapshot() == before


def test_hvm_cores_and_memory_need_a_boot(gz):
    gz.run('imgadm', 'import', '-q', UBUNTU_ZVOL)
    result, _commands = gz.compute(title='vm1', os_tpl=UBUNTU_ZVOL, cores=1, memory=1)
    assert not result['failed'], result
    vm = [v for v in gz.vms().values() if v.get('alias') == 'vm1'][0]
    assert vm['brand'] == 'bhyve'  # from the zvol image
    assert vm['vcpus'] == 1 and vm['ram'] == 1024 and vm['disks'][0]['image_uuid'] == UBUNTU_ZVOL
    result, commands = gz.compute(title='vm1', cores=2)
    assert result['changed'] and result['restart_needed'] and result['warnings']
    assert [c[1] for c in commands if c[0] == 'vmadm'] == ['lookup', 'update']
    result, commands = gz.compute(title='vm1', memory=2, restart_for_changes=True)
    assert [c[1] for c in commands if c[0] == 'vmadm'] == ['lookup', 'update', 'reboot']
    assert gz.vms()[vm['uuid']]['ram'] == 2048


def test_states_and_actions(gz):
    uuid = gz.create({'alias': 'z', 'image_uuid': BASE})
    result, commands = gz.compute(title='z', state='inactive', method='poweroff')
    assert commands[1] == ['vmadm', 'stop', uuid, '-F'] and gz.vms()[uuid]['state'] == 'stopped'
    result, commands = gz.compute(title='z', state='inactive')
    assert not result['changed'] and len(commands) == 1
    result, commands = gz.compute(title='z', action='start')
    assert commands[1] == ['vmadm', 'start', uuid] and gz.vms()[uuid]['state'] == 'running'
    result, commands = gz.compute(title='z', action='start')
    assert not result['changed'] and len(commands) == 1
    result, commands = gz.compute(title='z', action='restart', method='cold')
    assert commands[1] == ['vmadm', 'reboot', uuid, '-F']
    result, commands = gz.compute(title='z', state='restarted')
    assert result['changed'] and commands[1] == ['vmadm', 'reboot', uuid]
    result, commands = gz.compute(title='z', state='absent')
    assert commands[1] == ['vmadm', 'delete', uuid] and uuid not in gz.vms()
    result, commands = gz.compute(title='z', state='absent')
    assert not result['changed'] and result['vm'] is None and len(commands) == 1


@pytest.mark.parametrize('params, message', [
    (dict(title='x', memory=0), 'memory must be more than 0'),
    (dict(title='x', cores=4096), 'more than this host has'),
    (dict(title='x', os_tpl='no-such-image@1.0'), 'no such image'),
    (dict(title='x', architecture='x86'), 'x86-64 only'),
    (dict(title='x', state='suspended'), 'cannot suspend'),
    (dict(title='x', properties={'foo': 1}), 'not a vmadm property'),
    (dict(title='x', os_tpl=BASE, properties={'vcpus': 2}), 'does not apply to brand joyent'),
    (dict(title='x', properties={'max_swap': 128}), 'minimum of 256'),
    (dict(title='x', state='inactive', method='cold'), 'does not apply to stop'),
    (dict(title='~x'), 'regular expression'),
])
def test_bad_input_fails_and_changes_nothing(gz, params, message):
    before = gz.snapshot()
    result, commands = gz.compute(**params)
    assert result['failed'] and message in result['msg'], result
    assert not [c for c in commands if c[1:2] in (['create'], ['update'], ['import'], ['delete'], ['start'], ['stop'])]
    assert gz.snapshot() == before


def test_title_matching_two_vms_refuses(gz):
    one = gz.create({'alias': 'twin', 'image_uuid': BASE})
    two = gz.create({'alias': 'twin', 'image_uuid': BASE})
    before = gz.snapshot()
    for state in ('present', 'absent'):
        result, commands = gz.compute(title='twin', state=state, memory=2)
        assert result['failed'] and 'matches 2 VMs' in result['msg'] and sorted(result['matches']) == sorted([one, two])
        assert len(commands) == 1
    assert gz.snapshot() == before
    result, _commands = gz.compute(id=one, memory=2)
    assert result['changed'] and gz.vms()[one]['max_physical_memory'] == 2048


def test_create_only_refused_unless_recreate(gz):
    uuid = gz.create({'alias': 'c', 'image_uuid': BASE, 'internal_metadata': {'smartstack:os_tpl': BASE}})
    before = gz.snapshot()
    result, _commands = gz.compute(title='c', brand='lx')
    assert result['failed'] and 'can only be set when a VM is created' in result['msg']
    result, _commands = gz.compute(title='c', os_tpl=BASE_OLD)
    assert result['failed'] and 'os_tpl' in result['msg']
    assert gz.snapshot() == before
    result, commands = gz.compute(title='c', os_tpl=BASE_OLD, recreate=True)
    assert not result['failed'], result
    assert [c[:2] for c in commands if c[0] == 'vmadm'] == [['vmadm', 'lookup'], ['vmadm', 'delete'], ['vmadm', 'lookup'],
                                                            ['vmadm', 'create']]
    assert ['imgadm', 'import', '-q', '-P', 'zones', BASE_OLD] in commands
    assert gz.vms()[uuid]['image_uuid'] == BASE_OLD  # same uuid, new image


def test_secret_metadata_is_masked(gz):
    result, _commands = gz.compute(title='s', os_tpl=BASE, secret_metadata={'pw': 'hunter2'},
                                   customer_metadata={'user-data': 'hello'}, diff=True)
    assert not result['failed'], result
    vm = [v for v in gz.vms().values() if v.get('alias') == 's'][0]
    assert vm['customer_metadata'] == {'pw': 'hunter2', 'user-data': 'hello'}
    assert result['vm']['customer_metadata']['pw'] == NO_LOG_MASK
    assert result['diff']['after']['customer_metadata']['pw'] == NO_LOG_MASK
    assert 'hunter2' not in json.dumps(result)
    again, commands = gz.compute(title='s', secret_metadata={'pw': 'hunter2'})
    assert not again['changed'] and len(commands) == 1


def test_resource_template_from_option(gz):
    gz.create({'alias': 't', 'image_uuid': BASE})
    templates = {'small': {'cores': 1, 'memory': 0.5}, 'large': {'cores': 2, 'memory': 2, 'properties': {'quota': 30}}}
    result, _commands = gz.compute(title='t', resource_tpl='large', resource_templates=templates)
    vm = [v for v in gz.vms().values() if v.get('alias') == 't'][0]
    assert vm['cpu_cap'] == 200 and vm['max_physical_memory'] == 2048 and vm['quota'] == 30
    assert any(m.endswith('resource_tpl#large') for m in result['resource']['mixins'])
    again, commands = gz.compute(title='t', resource_tpl='large', resource_templates=templates)
    assert not again['changed'] and len(commands) == 1
    result, _commands = gz.compute(title='t', resource_tpl='huge', resource_templates=templates)
    assert result['failed'] and "unknown resource_tpl 'huge'" in result['msg']


def test_compute_info_filters(gz):
    one = gz.create({'alias': 'a', 'image_uuid': BASE, 'tags': {'role': 'web'}})
    two = gz.create({'alias': 'b', 'image_uuid': BASE, 'autoboot': False})
    module = FakeModule(gz, {})
    module.params = {'id': None, 'title': None, 'hostname': None, 'brand': None, 'state': 'inactive', 'filters': None}
    info = ComputeInfo(module).run()
    assert [v['uuid'] for v in info['vms']] == [two] and info['commands'] == [['vmadm', 'lookup', '-j', 'state=~^(?!running$)']]
    module.params.update(state='active', filters={'tags.role': 'web'})
    info = ComputeInfo(module).run()
    assert [v['uuid'] for v in info['vms']] == [one]
    assert info['resources'][0]['attributes']['occi.compute.state'] == 'active'
    module.params.update(state='suspended', filters=None)
    assert ComputeInfo(module).run()['vms'] == []
    module.params.update(state=None, filters={'bogus': 1})
    with pytest.raises(ResourceError) as info:
        ComputeInfo(module).run()
    # vmadm's words, under the option that carried the key
    assert str(info.value).startswith('filters: ') and 'Invalid lookup key' in str(info.value)
    module.params.update(filters={'': None})
    before = len(gz.log())
    with pytest.raises(ResourceError, match='^filters: a lookup key may not be empty'):
        ComputeInfo(module).run()
    assert len(gz.log()) == before  # refused before any command


def test_resource_error_is_raised_before_reading_for_bad_id(gz):
    module = FakeModule(gz, {'id': 'not-a-uuid'})
    with pytest.raises(ResourceError):
        Compute(module).read()


def test_image_by_uuid_with_brand_costs_no_imgadm_read(gz):
    """vmadm create refuses an image that is not installed and creates nothing (reference §2.1
    step 4), so a uuid os_tpl with a brand goes straight to create; a missing image is imported
    after that refusal and the create repeated."""
    result, commands = gz.compute(title='fast', brand='joyent', os_tpl=BASE, memory=1)
    assert not result['failed'], result
    assert commands == [['vmadm', 'lookup', '-j', 'alias=fast'], ['vmadm', 'lookup', '-j', 'alias=fast'], ['vmadm', 'create']]
    result, commands = gz.compute(title='slow', brand='joyent', os_tpl=BASE_OLD, memory=1)
    assert not result['failed'], result
    assert [c[:2] for c in commands] == [['vmadm', 'lookup'], ['vmadm', 'lookup'], ['vmadm', 'create'], ['imgadm', 'get'],
                                         ['imgadm', 'avail'], ['imgadm', 'import'], ['vmadm', 'create']]
    assert result['actions'][-1].startswith('import image %s' % BASE_OLD) and result['image_imported']
    vm = [v for v in gz.vms().values() if v.get('alias') == 'slow'][0]
    assert vm['image_uuid'] == BASE_OLD
    before = gz.snapshot()
    result, commands = gz.compute(title='none', brand='joyent', os_tpl='00000000-1111-4222-8333-444444444444')
    assert result['failed'] and 'no such image' in result['msg']
    assert gz.snapshot() == before
