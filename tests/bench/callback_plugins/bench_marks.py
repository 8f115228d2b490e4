# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Marks each task's start in the simulated GZs' command logs, for tests/bench.

Enabled by tests/bench/benchlib.py (``ANSIBLE_CALLBACK_PLUGINS`` + ``ANSIBLE_CALLBACKS_ENABLED``)
for our ansible-playbook and the peer's alike. ``SMARTSTACK_BENCH_LOGS`` is a JSON object
{host: path of its commands.log}; ``SMARTSTACK_BENCH_MARKS`` the file this writes, one JSON
object a line: ``{"event": "task", "name", "sizes": {host: bytes}, "t"}`` when a task starts (with
the linear strategy every result of the task before is in by then, so the log bytes between two
marks are the commands of one task), ``{"event": "result", "task", "host", "status", "changed",
"msg"}`` per host result and per loop item (``"item": true``), and ``{"event": "end", ...}``.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: bench_marks
type: aggregate
short_description: Record where each task starts in the simulator's command logs (tests/bench only)
description:
  - Writes one JSON line per task start and result to the file in E(SMARTSTACK_BENCH_MARKS).
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_marks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.out = os.environ.get('SMARTSTACK_BENCH_MARKS')
        self.logs = json.loads(os.environ.get('SMARTSTACK_BENCH_LOGS') or '{}')
        self.task = None

    def _write(self, record):
        if not self.out:
            return
        with open(self.out, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record) + '\n')

    def _sizes(self):
        return dict((host, os.path.getsize(path) if os.path.exists(path) else 0) for host, path in self.logs.items())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.task = task.get_name()
        self._write({'event': 'task', 'name': self.task, 'sizes': self._sizes(), 't': time.time()})

    def v2_playbook_on_stats(self, stats):
        self._write({'event': 'end', 'sizes': self._sizes(), 't': time.time()})

    def _result(self, result, status, item=False):
        res = result._result  # pylint: disable=protected-access
        self._write({'event': 'result', 'task': self.task, 'host': result._host.get_name(),  # pylint: disable=protected-access
                     'status': status, 'changed': bool(res.get('changed')), 'item': item,
                     'msg': str(res.get('msg', ''))[:500] if status == 'failed' else ''})

    def v2_runner_on_ok(self, result):
        self._result(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'failed')

    def v2_runner_item_on_ok(self, result):
        self._result(result, 'ok', item=True)

    def v2_runner_item_on_failed(self, result):
        self._result(result, 'failed', item=True)
