# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CommandRunner's time limit (smartos/command.py): every command runs under the watchdog.

The stand-in module runs the argv it is given for real (as AnsibleModule.run_command does, with
the payload on standard input), so the watchdog program itself is under test: the limit, the
exit codes it passes through, the process group it stops, the payload it lets through.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import (
    COMMAND_TIMEOUT_SPEC,
    DEFAULT_COMMAND_TIMEOUT,
    TIMEOUT_MARGIN,
    TIMEOUT_RC,
    WATCHDOG_SCRIPT,
    CommandRunner,
    SmartOSCommandError,
)

TOOLS = {'sh': '/bin/sh', 'cat': '/bin/cat', 'sleep': '/bin/sleep'}


class Module(object):
    """What CommandRunner uses of AnsibleModule; run_command runs the argv and records it."""

    def __init__(self, **params):
        self.params = params
        self.argvs = []

    def get_bin_path(self, tool, required=False, opt_dirs=None):  # pylint: disable=unused-argument
        return TOOLS.get(tool, '/nonexistent/' + tool)

    def run_command(self, argv, data=None, **kwargs):  # pylint: disable=unused-argument
        self.argvs.append(list(argv))
        proc = subprocess.run(argv, input=data, capture_output=True, text=True, check=False, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr


class NoParams(object):
    """A module object without params at all (CommandRunner must still work)."""

    def get_bin_path(self, tool, required=False, opt_dirs=None):  # pylint: disable=unused-argument
        return TOOLS[tool]

    def run_command(self, argv, data=None, **kwargs):  # pylint: disable=unused-argument
        proc = subprocess.run(argv, input=data, capture_output=True, text=True, check=False, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr


def test_default_limit_when_the_module_has_no_option():
    """A module without ``command_timeout`` still gets the default limit (params.get)."""
    module = Module()
    runner = CommandRunner(module)
    assert runner.timeout == DEFAULT_COMMAND_TIMEOUT == COMMAND_TIMEOUT_SPEC['command_timeout']['default']
    assert runner.run('sh', ['-c', 'echo out; echo err >&2']) == (0, 'out\n', 'err\n')
    assert module.argvs == [[sys.executable, '-I', '-c', WATCHDOG_SCRIPT, str(DEFAULT_COMMAND_TIMEOUT), 'sh -c', '/bin/sh', '-c',
                             'echo out; echo err >&2']]
    assert runner.commands == [['sh', '-c', 'echo out; echo err >&2']]
    assert CommandRunner(NoParams()).run('sh', ['-c', 'exit 0'])[0] == 0


def test_zero_means_no_limit_and_no_watchdog():
    module = Module(command_timeout=0)
    CommandRunner(module).run('sh', ['-c', 'exit 0'])
    assert module.argvs == [['/bin/sh', '-c', 'exit 0']]


def test_a_hung_command_is_stopped_at_the_limit():
    """The tool's own output so far is kept; the message says which command and the limit."""
    runner = CommandRunner(Module(command_timeout=1))
    started = time.monotonic()
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'echo begun >&2; sleep 30'])
    assert time.monotonic() - started < 10
    exc = info.value
    assert exc.timed_out and exc.rc == TIMEOUT_RC
    assert exc.message == 'sh -c timed out after 1 s'
    assert exc.stderr.startswith('begun\n')
    # the watchdog's line is the whole message, for layers that word errors from stderr (zfs)
    assert exc.stderr.splitlines()[-1].startswith('sh -c timed out after 1 s ')
    assert exc.argv == ['sh', '-c', 'echo begun >&2; sleep 30']


def test_the_whole_process_group_is_stopped(tmp_path):
    """A tool's helpers (its children) are stopped with it: nothing keeps running after the task."""
    pidfile = tmp_path / 'child.pid'
    runner = CommandRunner(Module(command_timeout=1))
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'sleep 30 & echo $! > "$0"; wait', str(pidfile)])
    assert info.value.timed_out
    pid = int(pidfile.read_text(encoding='utf-8'))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail('the child %d of the stopped command still runs' % pid)


def test_a_command_ignoring_sigterm_is_killed():
    runner = CommandRunner(Module(command_timeout=1))
    started = time.monotonic()
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'trap "" TERM; sleep 30 & wait; sleep 30'])
    assert info.value.timed_out
    assert time.monotonic() - started < 15


def test_the_payload_goes_through_the_watchdog():
    """vmadm create/update read their JSON payload from stdin: the watchdog must not eat it."""
    runner = CommandRunner(Module(command_timeout=30))
    payload = '{"alias": "web", "customer_metadata": {"k": "v"}}'
    assert runner.run('cat', [], data=payload)[1] == payload


def test_exit_codes_pass_through():
    runner = CommandRunner(Module(command_timeout=30))
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'echo "vmadm: no such VM" >&2; exit 3'])
    assert (info.value.rc, info.value.message, info.value.timed_out) == (3, 'vmadm: no such VM', False)
    assert runner.run('sh', ['-c', 'exit 3'], ok_rcs=(0, 3))[0] == 3
    # A tool that exits 124 by itself did not time out: its own message is reported.
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'echo "own failure" >&2; exit 124'])
    assert (info.value.rc, info.value.message, info.value.timed_out) == (124, 'own failure', False)
    # Death by a signal: 128 + N, as a shell reports it.
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('sh', ['-c', 'kill -KILL $$'])
    assert info.value.rc == 128 + 9


def test_a_missing_tool_is_127_with_its_name():
    runner = CommandRunner(Module(command_timeout=30))
    with pytest.raises(SmartOSCommandError) as info:
        runner.run('vmadm', ['list'])
    assert info.value.rc == 127
    assert info.value.message.startswith('/nonexistent/vmadm: ')


@pytest.mark.parametrize('bad', [-1, 'soon', True, 1.5])
def test_a_bad_limit_is_a_clear_error_before_anything_runs(bad):
    module = Module(command_timeout=bad)
    with pytest.raises(SmartOSCommandError) as info:
        CommandRunner(module).run('sh', ['-c', 'exit 0'])
    assert info.value.message == 'command_timeout must be 0 (no limit) or a number of seconds, not %r' % (bad,)
    assert module.argvs == []


def test_a_wait_of_the_tool_s_own_raises_the_limit():
    """``vmadm stop -t N`` waits N seconds itself: the limit is at least N + TIMEOUT_MARGIN."""
    module = Module(command_timeout=10)
    runner = CommandRunner(module)
    runner.run('sh', ['-c', 'exit 0'], at_least=300)
    runner.run('sh', ['-c', 'exit 0'], at_least=1)
    runner.run('sh', ['-c', 'exit 0'])
    assert [argv[4] for argv in module.argvs] == [str(300 + TIMEOUT_MARGIN), str(1 + TIMEOUT_MARGIN), '10']
    module = Module(command_timeout=0)
    CommandRunner(module).run('sh', ['-c', 'exit 0'], at_least=300)
    assert module.argvs == [['/bin/sh', '-c', 'exit 0']]


def test_run_with_files_times_out_and_leaves_no_partial_stream(tmp_path):
    """``zfs send > file`` that hangs: the task fails, neither the file nor its .partial remain."""
    out = tmp_path / 'stream'
    runner = CommandRunner(Module(command_timeout=1))
    with pytest.raises(SmartOSCommandError) as info:
        runner.run_with_files('sh', ['-c', 'echo half; sleep 30'], stdout_path=str(out))
    assert info.value.timed_out
    assert info.value.message == 'sh -c timed out after 1 s'
    assert sorted(os.listdir(str(tmp_path))) == []


def test_run_with_files_success_writes_a_0600_file(tmp_path):
    out = tmp_path / 'stream'
    runner = CommandRunner(Module(command_timeout=30))
    runner.run_with_files('sh', ['-c', 'echo whole'], stdout_path=str(out))
    assert out.read_text(encoding='utf-8') == 'whole\n'
    assert os.stat(str(out)).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(str(tmp_path))) == ['stream']


def test_no_interpreter_no_watchdog(monkeypatch):
    """An embedded Python without sys.executable cannot run the watchdog: the command runs as it is."""
    monkeypatch.setattr(sys, 'executable', '')
    module = Module(command_timeout=30)
    assert CommandRunner(module).run('sh', ['-c', 'echo ok'])[1] == 'ok\n'
    assert module.argvs == [['/bin/sh', '-c', 'echo ok']]


def test_a_layer_that_words_errors_from_stderr_keeps_the_timeout(tmp_path, monkeypatch):
    """The zfs layer words its errors from zfs's stderr (without the usage block): a hung zfs still
    reads '<tool> <subcommand> timed out after N s', because that is the watchdog's stderr line."""
    from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import Zfs  # pylint: disable=import-outside-toplevel
    hung = tmp_path / 'zfs'
    hung.write_text('#!/bin/sh\nsleep 30\n', encoding='utf-8')
    hung.chmod(0o755)
    monkeypatch.setitem(TOOLS, 'zfs', str(hung))
    with pytest.raises(SmartOSCommandError) as info:
        Zfs(CommandRunner(Module(command_timeout=1))).set('zones/x', {'compression': 'lz4'})
    assert info.value.message.startswith('zfs set timed out after 1 s'), info.value.message
