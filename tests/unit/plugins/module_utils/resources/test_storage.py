# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The storage resource (resources/storage.py) against the simulated global zone's ``zfs``.

A small stand-in for AnsibleModule runs the real simulated ``zfs`` and ``vmadm``
(tests/simulator/bin, state in a temporary directory), so every test sees what zfs does with the
commands (reference smartos_zfs_zpool.md) and counts them in the simulator's own log: an
idempotent run is ONE ``zfs get``, a converging one that read plus the fewest writes.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError, run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.storage import (
    GIB,
    Storage,
    StorageInfo,
    vm_uuids_in,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import normalise_value, size_to_bytes
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import (
    SIM_BIN,
    Exit,
    SimGZ as BaseSimGZ,
    WarningFakeModule,
)

DEFAULTS = dict(name=None, title=None, parent='zones', type=None, size=None, state='present', properties=None,
                sparse=False, parents=False, action=None, snapshot=None, backup_dir=None, incremental=True, force=False,
                recursive=False)


class FakeModule(WarningFakeModule):
    """A FakeModule with the storage defaults; its run_command also runs a shell pipeline."""

    DEFAULTS = DEFAULTS

    def run_command(self, argv, data=None, use_unsafe_shell=False, **kwargs):  # pylint: disable=unused-argument
        proc = subprocess.run(argv, input=data, capture_output=True, text=True, env=self.gz.env, check=False, timeout=60,
                              shell=use_unsafe_shell)
        return proc.returncode, proc.stdout, proc.stderr


class SimGZ(BaseSimGZ):
    def zfs(self, *argv):
        proc = self.run('zfs', *argv)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def prop(self, name, prop):
        return self.zfs('get', '-H', '-p', '-o', 'value', prop, name).strip()

    def exists(self, name):
        return self.run('zfs', 'list', '-H', '-t', 'all', '-o', 'name', name).returncode == 0

    def storage(self, check_mode=False, diff=False, **params):
        """Run the storage flow; return (result dict, commands it ran)."""
        before = len(self.log())
        module = FakeModule(self, params, check_mode=check_mode, diff=diff)
        with pytest.raises(Exit) as info:
            run_resource(module, Storage(module))
        result = dict(info.value.result, failed=info.value.failed, warnings=module.warnings)
        return result, self.log()[before:]

    def info(self, **params):
        before = len(self.log())
        defaults = dict(name=None, recursive=True, depth=None, snapshots=True, type='all', title=None, state=None,
                        properties=None, filters=None)
        module = FakeModule(self, {}, check_mode=False)
        module.params = dict(defaults, **params)
        return StorageInfo(module).run(), self.log()[before:]


@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state)
    assert proc.returncode == 0, proc.stderr
    return zone


# ---------------------------------------------------------------------------------------------
# pure functions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, nbytes', [('10G', 10 * GIB), ('10gb', 10 * GIB), ('1.5G', 3 * GIB // 2), ('8K', 8192),
                                          ('512', 512), (4096, 4096), ('KiB', None), ('-1', None), ('10 G', None)])
def test_size_to_bytes_parses_as_zfs_nicestrtonum(text, nbytes):
    """Reference §3.3: one suffix letter, optional B, decimals truncated; KiB and blanks refused."""
    assert size_to_bytes(text) == nbytes


@pytest.mark.parametrize('prop, value, expected', [('compression', 'lz4', 'lz4'), ('atime', False, 'off'),
                                                   ('refquota', 'none', '0'), ('recordsize', '16K', '16384'),
                                                   ('com.example:x', 'a b', 'a b')])
def test_normalise_value_is_what_zfs_get_p_prints(prop, value, expected):
    assert normalise_value(prop, value) == expected


def test_vm_uuids_in_recognises_vmadm_dataset_names():
    uuid = '5f1b1b1c-3b7e-4c52-9a2e-0e1c2f3a4b5c'
    assert vm_uuids_in(['zones/%s' % uuid, 'zones/%s-disk0' % uuid, 'zones/workspace']) == {uuid}
    assert vm_uuids_in(['zones/workspace', 'zones/workspace/a@%s' % uuid]) == set()


# ---------------------------------------------------------------------------------------------
# the flow against the simulator
# ---------------------------------------------------------------------------------------------

WS = dict(name='zones/workspace', size=2, state='online', properties={'mountpoint': '/data/workspace', 'compression': 'lz4'})


def test_create_then_idempotent_at_one_command(gz):
    result, commands = gz.storage(**WS)
    assert not result['failed'], result
    assert result['changed']
    assert [c[:2] for c in commands] == [['zfs', 'get'], ['zfs', 'create']]
    assert gz.prop('zones/workspace', 'refquota') == str(2 * GIB)
    assert gz.prop('zones/workspace', 'mountpoint') == '/data/workspace'
    assert gz.prop('zones/workspace', 'mounted') == 'yes'
    assert result['resource']['attributes']['occi.storage.size'] == 2.0
    again, commands = gz.storage(**WS)
    assert not again['changed'] and not again['failed'], again
    assert len(commands) == 1 and commands[0][:2] == ['zfs', 'get']
    assert again['resource']['attributes']['occi.storage.state'] == 'online'
    assert again['resource']['kind'] == 'http://schemas.ogf.org/occi/infrastructure#storage'
    assert again['resource']['id'].startswith('urn:smartstack:zfs:')


def test_check_mode_changes_nothing(gz):
    before = gz.snapshot()
    result, commands = gz.storage(check_mode=True, diff=True, **WS)
    assert result['changed'] and not result['failed']
    assert result['diff']['before'] == {} and result['diff']['after']['size'] == 2.0
    assert len(commands) == 1
    assert gz.snapshot() == before
    assert not gz.exists('zones/workspace')


def test_converge_in_one_set_and_offline_online(gz):
    gz.storage(**WS)
    result, commands = gz.storage(name='zones/workspace', size=3, properties={'compression': 'off', 'atime': False})
    assert result['changed'], result
    assert [c[:2] for c in commands] == [['zfs', 'get'], ['zfs', 'set']]
    assert gz.prop('zones/workspace', 'refquota') == str(3 * GIB)
    assert gz.prop('zones/workspace', 'atime') == 'off'
    result, commands = gz.storage(name='zones/workspace', state='offline')
    assert [c[:2] for c in commands] == [['zfs', 'get'], ['zfs', 'set']]
    assert gz.prop('zones/workspace', 'mounted') == 'no'
    assert gz.prop('zones/workspace', 'canmount') == 'off'
    assert result['resource']['attributes']['occi.storage.state'] == 'offline'
    result, commands = gz.storage(name='zones/workspace', action='online')
    assert result['changed'] and not result['failed'], result
    assert gz.prop('zones/workspace', 'mounted') == 'yes'


def test_inherit_on_null(gz):
    gz.storage(**WS)
    result, commands = gz.storage(name='zones/workspace', properties={'compression': None})
    assert result['changed']
    assert commands[1] == ['zfs', 'inherit', 'compression', 'zones/workspace']
    result, commands = gz.storage(name='zones/workspace', properties={'compression': None})
    assert not result['changed'] and len(commands) == 1


def test_shrink_below_referenced_refused(gz):
    gz.storage(**WS)
    # an empty filesystem references 31K (reference §5): 1073 bytes is below that
    before = gz.snapshot()
    result, commands = gz.storage(name='zones/workspace', size=0.000001)
    assert result['failed'] and 'cannot shrink' in result['msg'], result
    assert len(commands) == 1 and gz.snapshot() == before


def test_volume_size_rounded_to_volblocksize_and_offline_is_readonly(gz):
    result, commands = gz.storage(name='zones/vol1', type='volume', size=0.001, state='offline',
                                  properties={'volblocksize': '16K'})
    assert not result['failed'], result
    volsize = int(gz.prop('zones/vol1', 'volsize'))
    assert volsize % 16384 == 0 and volsize >= 0.001 * GIB
    assert gz.prop('zones/vol1', 'readonly') == 'on'
    assert result['resource']['attributes']['occi.storage.state'] == 'offline'
    again, commands = gz.storage(name='zones/vol1', size=0.001, state='offline')
    assert not again['changed'] and len(commands) == 1, again
    grow, commands = gz.storage(name='zones/vol1', action='resize', size=0.002)
    assert grow['changed'] and int(gz.prop('zones/vol1', 'volsize')) > volsize
    shrink, commands = gz.storage(name='zones/vol1', size=0.001)
    assert shrink['failed'] and 'force' in shrink['msg'] and len(commands) == 1
    vbs, commands = gz.storage(name='zones/vol1', properties={'volblocksize': '8K'})
    assert vbs['failed'] and 'created' in vbs['msg'] and len(commands) == 1


def test_snapshot_rollback_and_refusals(gz):
    gz.storage(**WS)
    result, commands = gz.storage(name='zones/workspace', action='snapshot', snapshot='before')
    assert result['changed'] and commands[-1] == ['zfs', 'snapshot', 'zones/workspace@before']
    again, commands = gz.storage(name='zones/workspace', action='snapshot', snapshot='before')
    assert not again['changed'] and len(commands) == 1
    stamped, commands = gz.storage(name='zones/workspace', action='snapshot')
    assert stamped['changed'] and stamped['snapshot'].startswith('zones/workspace@20')
    refused, commands = gz.storage(name='zones/workspace', action='rollback', snapshot='before')
    assert refused['failed'] and 'force' in refused['msg'] and len(commands) == 1
    assert gz.exists(stamped['snapshot'])
    done, commands = gz.storage(name='zones/workspace', action='rollback', snapshot='before', force=True)
    assert done['changed'], done
    assert commands[-1] == ['zfs', 'rollback', '-r', 'zones/workspace@before']
    assert not gz.exists(stamped['snapshot'])
    latest, commands = gz.storage(name='zones/workspace', action='rollback', snapshot='before')
    assert latest['changed'] and commands[-1] == ['zfs', 'rollback', 'zones/workspace@before'], latest
    missing, commands = gz.storage(name='zones/workspace', action='rollback', snapshot='nope')
    assert missing['failed'] and 'no snapshot nope' in missing['msg']


def test_backup_full_then_incremental(gz, tmp_path):
    gz.storage(**WS)
    target = str(tmp_path / 'backups')
    first, commands = gz.storage(name='zones/workspace', action='backup', backup_dir=target, snapshot='b1')
    assert not first['failed'], first
    assert os.path.isfile(first['backup_file']) and first['backup_file'].endswith('zones_workspace@b1.zfs')
    assert gz.prop('zones/workspace@b1', 'smartstack:backup') == first['backup_file']
    second, commands = gz.storage(name='zones/workspace', action='backup', backup_dir=target, snapshot='b2')
    assert second['backup_file'].endswith('zones_workspace@b2.from-b1.zfs'), second
    assert ['zfs', 'send', '-i', '@b1', 'zones/workspace@b2'] in commands
    assert ['zfs', 'send', '-i', '@b1', 'zones/workspace@b2', '>', second['backup_file']] in second['commands']
    assert os.path.isfile(second['backup_file'])
    again, commands = gz.storage(name='zones/workspace', action='backup', backup_dir=target, snapshot='b2')
    assert not again['changed'] and len(commands) == 1
    # the stream restores: receive the full stream, then the incremental one
    for path in (first['backup_file'], second['backup_file']):
        with open(path, 'rb') as handle:
            proc = subprocess.run([os.path.join(SIM_BIN, 'zfs'), 'receive', 'zones/restored'], stdin=handle,
                                  capture_output=True, env=gz.env, check=False, timeout=60)
        assert proc.returncode == 0, proc.stderr
    assert gz.exists('zones/restored@b2')


def test_destroy_refusals_and_recursive(gz):
    gz.storage(**WS)
    gz.zfs('create', 'zones/workspace/child')
    before = gz.snapshot()
    result, commands = gz.storage(name='zones/workspace', state='absent')
    assert result['failed'] and 'recursive' in result['msg'] and result['dependents'] == ['zones/workspace/child']
    assert len(commands) == 1 and gz.snapshot() == before
    gz.zfs('snapshot', 'zones/workspace/child@s')
    gz.zfs('clone', 'zones/workspace/child@s', 'zones/elsewhere')
    result, commands = gz.storage(name='zones/workspace', state='absent', recursive=True)
    assert result['failed'] and 'clones' in result['msg'] and 'zones/elsewhere' in result['msg'], result
    gz.zfs('destroy', 'zones/elsewhere')
    result, commands = gz.storage(name='zones/workspace', state='absent', recursive=True)
    assert result['changed'] and not result['failed'], result
    assert commands[-1] == ['zfs', 'destroy', '-r', 'zones/workspace']
    assert not gz.exists('zones/workspace')
    again, commands = gz.storage(name='zones/workspace', state='absent')
    assert not again['changed'] and len(commands) == 1


def test_pool_root_and_bad_input_refused(gz):
    result, commands = gz.storage(name='zones', state='absent', recursive=True)
    assert result['failed'] and 'pool' in result['msg'] and len(commands) == 1
    result, commands = gz.storage(name='zones/x@s')
    assert result['failed'] and 'snapshot' in result['msg'] and commands == []
    result, commands = gz.storage(name='zones/x', properties={'used': 1})
    assert result['failed'] and 'read-only' in result['msg']
    result, commands = gz.storage(name='zones/x', properties={'nosuchprop': 1})
    assert result['failed'] and result['msg'] == "bad property list: invalid property 'nosuchprop'", result
    assert not gz.exists('zones/x')
    result, commands = gz.storage(name='zones/x', type='volume')
    assert result['failed'] and 'needs size' in result['msg']


def test_title_names_dataset_under_parent(gz):
    result, commands = gz.storage(title='scratch')
    assert not result['failed'], result
    assert gz.exists('zones/scratch')
    assert result['resource']['title'] == 'scratch'
    result, commands = gz.storage(name='zones/scratch', title='Scratch space')
    assert gz.prop('zones/scratch', 'smartstack:title') == 'Scratch space'
    assert result['resource']['title'] == 'Scratch space'


def test_info_one_command_and_filters(gz):
    gz.storage(**WS)
    gz.storage(name='zones/workspace', action='snapshot', snapshot='s1')
    gz.storage(name='zones/vol1', type='volume', size=0.01, state='offline')
    result, commands = gz.info(name='zones')
    assert len(commands) == 1 and commands[0][:2] == ['zfs', 'get']
    names = [d['name'] for d in result['datasets']]
    assert 'zones/workspace' in names and 'zones/vol1' in names
    assert 'zones/workspace@s1' in [s['name'] for s in result['snapshots']]
    result, commands = gz.info(name='zones', type='volume', state='offline')
    assert [d['name'] for d in result['datasets']] == ['zones/vol1']
    assert result['resources'][0]['attributes']['occi.storage.state'] == 'offline'
    result, commands = gz.info(name='zones/workspace', recursive=False)
    assert [d['name'] for d in result['datasets']] == ['zones/workspace']
    assert [s['name'] for s in result['datasets'][0]['snapshots']] == ['s1']
    result, commands = gz.info(name='zones', filters={'compression': 'lz4'})
    assert [d['name'] for d in result['datasets']] == ['zones/workspace']
    result, commands = gz.info(name='zones/workspace', type='snapshot')
    assert result['datasets'] == [] and [s['name'] for s in result['snapshots']] == ['zones/workspace@s1']


def test_actions_and_destroy_in_check_mode_change_nothing(gz, tmp_path):
    gz.storage(**WS)
    gz.zfs('snapshot', 'zones/workspace@s0')
    before = gz.snapshot()
    target = str(tmp_path / 'backups')
    for params in (dict(action='snapshot', snapshot='s1'), dict(action='backup', backup_dir=target),
                   dict(action='rollback', snapshot='s0'), dict(state='offline'), dict(size=5),
                   dict(state='absent', recursive=True)):
        result, commands = gz.storage(check_mode=True, name='zones/workspace', **params)
        assert result['changed'] and not result['failed'], (params, result)
        assert len(commands) == 1, (params, commands)
    assert gz.snapshot() == before
    assert not os.path.exists(target)
    assert gz.exists('zones/workspace') and not gz.exists('zones/workspace@s1')


def test_a_vms_dataset_is_never_destroyed(gz):
    proc = gz.run('vmadm', 'create', stdin=json.dumps({'brand': 'bhyve', 'alias': 'storage-unit', 'ram': 256,
                                                      'autoboot': False, 'disks': [{'size': 64, 'boot': True, 'model': 'virtio'}]}))
    assert proc.returncode == 0, proc.stderr
    uuid = proc.stderr.strip().split()[-1]
    datasets = [n for n in gz.zfs('list', '-H', '-o', 'name', '-r', 'zones').split() if uuid in n]
    assert datasets, 'the VM has no dataset'
    before = gz.snapshot()
    for name in datasets:
        result, commands = gz.storage(name=name, state='absent', recursive=True)
        assert result['failed'] and ('backs VM %s' % uuid) in result['msg'], result
        assert [c[0] for c in commands] == ['zfs', 'vmadm']
    assert gz.snapshot() == before


def test_info_refuses_empty_or_comma_property_names_before_zfs(gz):
    for option, value in (('filters', {'': ''}), ('properties', ['used,quota']), ('properties', [' '])):
        before = len(gz.log())
        with pytest.raises(ResourceError) as info:
            gz.info(**{option: value})
        assert str(info.value).startswith('%s: ' % option)
        assert len(gz.log()) == before
