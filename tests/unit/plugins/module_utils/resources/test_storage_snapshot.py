# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``storage`` with ``state: absent`` on ONE snapshot (``name: zones/ws@snap``), against the simulated ``zfs``.

Reference smartos_zfs_zpool.md §9: a snapshot with clones is destroyed only with ``-R`` (which also takes
what depends on the clones and, implying ``-r``, same-named snapshots of descendants); a held snapshot
is refused by the kernel (``dataset is busy``). The module refuses both up front with nothing changed,
names the clones or the holds, and with ``recursive: true`` says what ``-R`` destroys.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import SIM_BIN
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.test_storage import SimGZ


@pytest.fixture
def gz(tmp_path):
    if not os.path.isdir(SIM_BIN):
        pytest.skip('tests/simulator is not in this tree')
    zone = SimGZ(str(tmp_path / 'gz'))
    proc = zone.run('smartos-sim', 'init', '--state', zone.state)
    assert proc.returncode == 0, proc.stderr
    zone.zfs('create', 'zones/ws')
    zone.zfs('snapshot', 'zones/ws@s1')
    return zone


def test_destroy_one_snapshot_then_idempotent(gz):
    gz.zfs('snapshot', 'zones/ws@s2')
    result, commands = gz.storage(name='zones/ws@s1', state='absent', diff=True)
    assert result['changed'] and not result['failed'], result
    assert commands == [['zfs', 'get', '-H', '-p', '-o', 'name,property,value,source', '-t', 'snapshot',
                         'type,guid,createtxg,creation,used,referenced,clones,userrefs,defer_destroy,smartstack:backup',
                         'zones/ws@s1'], ['zfs', 'destroy', 'zones/ws@s1']]
    assert result['destroyed'] == ['zones/ws@s1'] and result['actions'] == ['destroy snapshot zones/ws@s1']
    assert result['diff']['before']['name'] == 'zones/ws@s1' and result['diff']['after'] == {}
    assert not gz.exists('zones/ws@s1') and gz.exists('zones/ws@s2') and gz.exists('zones/ws')
    again, commands = gz.storage(name='zones/ws@s1', state='absent')
    assert not again['changed'] and not again['failed'] and len(commands) == 1, again
    assert again['destroyed'] == []
    # a missing dataset is as gone as a missing snapshot
    gone, commands = gz.storage(name='zones/nothing@s1', state='absent')
    assert not gone['changed'] and not gone['failed'] and len(commands) == 1, gone


def test_check_mode_changes_nothing(gz):
    before = gz.snapshot()
    result, commands = gz.storage(check_mode=True, name='zones/ws@s1', state='absent')
    assert result['changed'] and result['actions'] == ['destroy snapshot zones/ws@s1'] and len(commands) == 1
    assert gz.snapshot() == before and gz.exists('zones/ws@s1')


def test_clones_refused_unless_recursive_which_names_what_it_destroys(gz):
    gz.zfs('clone', 'zones/ws@s1', 'zones/copy')
    gz.zfs('snapshot', 'zones/copy@c1')
    before = gz.snapshot()
    result, commands = gz.storage(name='zones/ws@s1', state='absent')
    assert result['failed'] and result['clones'] == ['zones/copy'], result
    assert 'zones/copy' in result['msg'] and 'recursive' in result['msg'] and 'nothing was done' in result['msg']
    assert len(commands) == 1 and gz.snapshot() == before
    result, commands = gz.storage(check_mode=True, name='zones/ws@s1', state='absent', recursive=True)
    assert result['changed'] and not result['failed'], result
    assert set(result['destroyed']) == {'zones/ws@s1', 'zones/copy', 'zones/copy@c1'}
    assert 'zones/copy@c1' in result['actions'][0] and 'zones/copy,' in result['actions'][0] + ','
    assert [c[1] for c in commands] == ['get', 'destroy', 'list'] and commands[1][:4] == ['zfs', 'destroy', '-n', '-p']
    assert gz.snapshot() == before
    result, commands = gz.storage(name='zones/ws@s1', state='absent', recursive=True)
    assert result['changed'] and not result['failed'], result
    assert commands[-1] == ['zfs', 'destroy', '-R', 'zones/ws@s1']
    assert not gz.exists('zones/ws@s1') and not gz.exists('zones/copy') and gz.exists('zones/ws')


def test_a_held_snapshot_is_refused_naming_the_hold(gz):
    gz.zfs('hold', 'keep-me', 'zones/ws@s1')
    before = gz.snapshot()
    for recursive in (False, True):
        result, commands = gz.storage(name='zones/ws@s1', state='absent', recursive=recursive)
        assert result['failed'] and 'keep-me' in result['msg'] and 'zfs release keep-me zones/ws@s1' in result['msg'], result
        assert result['holds'] == {'zones/ws@s1': ['keep-me']}
        assert [c[1] for c in commands] == ['get', 'holds']
    assert gz.snapshot() == before
    # a hold on a clone's snapshot stops -R as well, before anything is destroyed
    gz.zfs('release', 'keep-me', 'zones/ws@s1')
    gz.zfs('clone', 'zones/ws@s1', 'zones/copy')
    gz.zfs('snapshot', 'zones/copy@c1')
    gz.zfs('hold', 'backup', 'zones/copy@c1')
    result, commands = gz.storage(name='zones/ws@s1', state='absent', recursive=True)
    assert result['failed'] and 'zones/copy@c1 is held by backup' in result['msg'], result
    assert gz.exists('zones/copy') and gz.exists('zones/ws@s1')


def test_a_snapshot_name_is_only_for_state_absent(gz):
    result, commands = gz.storage(name='zones/ws@s1')
    assert result['failed'] and 'only named to destroy it' in result['msg'] and commands == []
    result, commands = gz.storage(name='zones/ws@s1', state='absent', size=1)
    assert result['failed'] and result['msg'].startswith('size does not apply') and commands == []
    result, commands = gz.storage(name='zones/ws@bad*name', state='absent')
    assert result['failed'] and 'not a snapshot name' in result['msg'] and commands == []


def test_storage_info_lists_the_snapshot(gz):
    result, commands = gz.info(name='zones/ws@s1')
    assert [s['name'] for s in result['snapshots']] == ['zones/ws@s1'] and len(commands) == 1
    gz.storage(name='zones/ws@s1', state='absent')
    result, commands = gz.info(name='zones/ws', type='snapshot')
    assert result['snapshots'] == []
