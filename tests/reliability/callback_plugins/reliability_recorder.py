# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only callback of tests/reliability: one JSON line per task result, with the simulated GZ's
state digest just before the task started on the host and just after its result came back.

Enabled by tests/reliability/conftest.py (ANSIBLE_CALLBACK_PLUGINS + ANSIBLE_CALLBACKS_ENABLED);
configured through the environment:

- ``RELIABILITY_RECORD``: the JSON-lines file to append to;
- ``RELIABILITY_STATES``: JSON ``{"<inventory host>": "<its state dir on the controller>"}``
  (the inventory's ``smartos_sim_state``).

A record: ``{"task", "host", "status" (ok|failed|skipped|unreachable), "ignore_errors",
"result" (the module's result), "before", "after" (hex digests), "changed_files" (paths whose
content changed, appeared or vanished), "seconds" (from the task's start on the host)}``. With one host per play the digests bracket exactly
one module run, so a playbook of many cases costs one ansible-playbook start.

The digest covers every file of the state dir except what reads and the test bed change on their
own: ``commands.log`` (every read appends), ``faults.json`` (the tests' injected faults),
``.lock``, SMF's service logs (``root/var/svc/log``, written by running services) and Ansible's
own remote temp dir (``root/root/.ansible``). It is the function ``state_snapshot`` here, which
conftest.py uses too (one definition).
"""

from __future__ import annotations

DOCUMENTATION = '''
    name: reliability_recorder
    type: aggregate
    short_description: records task results with the simulated GZ's state digest (tests only)
    description:
        - Appends one JSON line per task result to E(RELIABILITY_RECORD).
    requirements:
        - enabled in ANSIBLE_CALLBACKS_ENABLED
'''

import hashlib
import json
import os
import time

from ansible.plugins.callback import CallbackBase

IGNORED_FILES = frozenset(['commands.log', 'faults.json', '.lock'])
IGNORED_DIRS = ('root/var/svc/log', 'root/root/.ansible')


def state_snapshot(state_dir):
    """``{relative path: sha256 hex}`` of every file of a simulated GZ's state dir that counts."""
    snapshot = {}
    for top, dirs, files in os.walk(state_dir):
        rel_top = os.path.relpath(top, state_dir)
        rel_top = '' if rel_top == '.' else rel_top
        dirs[:] = sorted(d for d in dirs if os.path.join(rel_top, d) not in IGNORED_DIRS)
        for name in files:
            rel = os.path.join(rel_top, name)
            if not rel_top and name in IGNORED_FILES:
                continue
            path = os.path.join(top, name)
            if os.path.islink(path):
                snapshot[rel] = 'link:' + os.readlink(path)
                continue
            digest = hashlib.sha256()
            try:
                with open(path, 'rb') as handle:
                    for block in iter(lambda handle=handle: handle.read(1 << 16), b''):
                        digest.update(block)
            except OSError as exc:  # a file removed while walking, a socket, a fifo
                snapshot[rel] = 'error:%s' % exc.__class__.__name__
                continue
            snapshot[rel] = digest.hexdigest()
    return snapshot


def snapshot_digest(snapshot):
    """One hex digest of a snapshot (order-independent)."""
    digest = hashlib.sha256()
    for rel in sorted(snapshot):
        digest.update(('%s\0%s\n' % (rel, snapshot[rel])).encode('utf-8', 'surrogateescape'))
    return digest.hexdigest()


def changed_files(before, after):
    return sorted(rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'reliability_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._record = os.environ.get('RELIABILITY_RECORD')
        self._states = json.loads(os.environ.get('RELIABILITY_STATES') or '{}')
        self._before = {}

    def _snapshot(self, host):
        state_dir = self._states.get(host)
        return state_snapshot(state_dir) if state_dir else {}

    def v2_runner_on_start(self, host, task):
        self._before[host.get_name()] = (self._snapshot(host.get_name()), time.time())

    def _write(self, result, status, ignore_errors=False):
        if not self._record:
            return
        host = result._host.get_name()
        before, started = self._before.pop(host, (None, None))
        after = self._snapshot(host)
        if before is None:
            before = after
        record = dict(task=result._task.get_name(), host=host, status=status, ignore_errors=bool(ignore_errors),
                      result=result._result, before=snapshot_digest(before), after=snapshot_digest(after),
                      changed_files=changed_files(before, after),
                      seconds=round(time.time() - started, 3) if started else None)
        with open(self._record, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record, default=repr, sort_keys=True) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed', ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')
