# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Two ``compute`` tasks creating the same alias at the same time on one GZ create ONE VM.

vmadm itself lets two VMs share an alias (reference smartos_vmadm.md: ``alias`` is a free string,
not a key), so the check has to be ours: each task's read finds no VM, then both want to create it.
Two processes here are held at a barrier until BOTH have read and planned, then apply at once:
the create path takes the GZ-wide lock (``smartos/gzlock.py``) and looks again under it, so the
second one finds the first one's VM and converges it instead. The control case (the same race
without the lock) shows the simulator does create two, so the test can fail.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import Compute
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.gzlock import GZLockError, gz_lock, lock_path
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.sim_helpers import SIM_BIN
from ansible_collections.smartstack.smartos.tests.unit.plugins.module_utils.resources.test_compute import (
    BASE,
    FakeModule,
    SimGZ,
)

CTX = multiprocessing.get_context('fork')


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


class Unlocked(Compute):
    """The create path as it was: no lock, no second look (the control case)."""

    def _create(self, payload):
        self._create_unlocked(payload)


def _task(gz, barrier, queue, locked):
    try:
        module = FakeModule(gz, dict(title='race', os_tpl=BASE, brand='joyent', state='inactive'))
        resource = (Compute if locked else Unlocked)(module)
        resource.lock_dir = gz.lock_dir
        actual = resource.read()
        plan = resource.plan(actual)
        barrier.wait(timeout=60)
        plan.apply()
        queue.put({'found': actual is not None, 'actions': plan.describe(), 'new_uuid': resource.new_uuid,
                   'uuid': (resource.result(actual, plan, applied=True)['vm'] or {}).get('uuid')})
    except Exception as exc:  # pylint: disable=broad-exception-caught  # reported to the parent, which fails the test
        queue.put({'error': repr(exc)})


def _race(gz, locked):
    barrier, queue = CTX.Barrier(2), CTX.Queue()
    tasks = [CTX.Process(target=_task, args=(gz, barrier, queue, locked)) for _index in range(2)]
    for task in tasks:
        task.start()
    results = [queue.get(timeout=120) for _task_ in tasks]
    for task in tasks:
        task.join(timeout=30)
    assert all('error' not in r for r in results), results
    return results


def _aliases(gz, alias):
    return [vm['uuid'] for vm in json.loads(gz.run('vmadm', 'lookup', '-j', '-o', 'uuid,alias').stdout) if vm.get('alias') == alias]


def test_two_tasks_creating_one_alias_create_one_vm(gz):
    results = _race(gz, locked=True)
    assert [r['found'] for r in results] == [False, False], 'both reads must have found nothing'
    uuids = _aliases(gz, 'race')
    assert len(uuids) == 1, uuids
    created = [r for r in results if r['new_uuid']]
    converged = [r for r in results if not r['new_uuid']]
    assert len(created) == 1 and len(converged) == 1, results
    assert created[0]['new_uuid'] == uuids[0] and converged[0]['uuid'] == uuids[0]
    assert 'another task created it (%s)' % uuids[0] in converged[0]['actions'][-1], converged[0]['actions']
    assert os.path.exists(lock_path('compute-create', gz.lock_dir))


def test_without_the_lock_the_same_race_creates_two(gz):
    """The control case: the race is real (vmadm allows duplicate aliases), so the test above can fail."""
    _race(gz, locked=False)
    assert len(_aliases(gz, 'race')) == 2


def test_the_lock_excludes_and_times_out(tmp_path):
    directory = str(tmp_path / 'locks')
    with gz_lock('compute-create', directory):
        started = time.monotonic()
        child = CTX.Process(target=_hold_briefly, args=(directory,))
        child.start()
        child.join(timeout=30)
        assert child.exitcode == 3, 'the second holder must time out while the first holds the lock'
        assert time.monotonic() - started >= 0.3
    child = CTX.Process(target=_hold_briefly, args=(directory,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0, 'free again once released'
    with pytest.raises(ValueError):
        lock_path('../etc/x', directory)
    with pytest.raises(GZLockError) as info:
        with gz_lock('x', '/proc/nonexistent/dir'):
            pass
    assert 'cannot open the lock /proc/nonexistent/dir/.x.lock' in info.value.message


def _hold_briefly(directory):
    try:
        with gz_lock('compute-create', directory, timeout=0.3, poll=0.05):
            pass
    except GZLockError:
        os._exit(3)  # pylint: disable=protected-access
    os._exit(0)  # pylint: disable=protected-access
