# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures of the reliability suite (issue 8): fuzzing, check mode, faults, concurrency, security.

Every test here runs the collection's modules for real: ``ansible-playbook`` (the project's, on
PATH or ``$ANSIBLE_PLAYBOOK``; the collection from ``$ANSIBLE_COLLECTIONS_PATH``, default
``build/collections`` of this clone, made by ``make tree``) against simulated global zones
reached over SSH (tests/simulator/README.md "GZ hosts"), bootstrapped so modules run on the GZ
with its pkgsrc Python — never on this machine. The GZ's state dir is on this machine, so tests
hash it and read its command log directly.

API (stable; the other files of this directory code against it)
----------------------------------------------------------------
Fixtures
  ``reliability_bed`` (session)  a GzBed of ``RELIABILITY_GZ_COUNT`` (default 2) bootstrapped GZs.
  ``sim_gz`` (session)           ``SimGz`` of gz1: the one GZ most tests use.
  ``sim_gz2`` (session)          ``SimGz`` of gz2 (the fuzz and check-mode tests split their work
                                 over both GZs to run two playbooks at once).
  ``gz`` (function)              ``sim_gz`` with every injected fault cleared before and after the test.
  ``playbook_dir`` (session)     a private tmp dir for generated playbooks (kept out of `make lint`).

``SimGz`` (one simulated GZ)
  ``.name`` ('gz1'), ``.state`` (its state dir here), ``.inventory``, ``.host`` (gzhost.GzHost:
  ``.ssh(cmd)``), ``.host_path('/zones/x')`` (the GZ path's file here),
  ``.sim(tool, *args, stdin=None)`` -> CompletedProcess: a simulated tool run HERE on the GZ's
  state (reads and set-up only; never a module), ``.sim_json(...)`` its stdout parsed,
  ``.fault(tool, subcommand=None, count=1, rc=1, stderr=None, stdout=None, hang=None)`` /
  ``.clear_faults()`` (smartos-sim fault), ``.commands()`` the command log (list of
  ``{"argv", "rc", "ts"}``), ``.snapshot()`` / ``.digest()`` (below, of this GZ),
  ``.playbook(playbook, check=False, diff=False, extra_vars=None, timeout=600, env=None,
  args=())`` -> ``PlaybookRun`` (limited to this GZ), ``.start_playbook(...)`` -> ``PendingRun``
  (same, not waited for: ``.wait()`` -> PlaybookRun; two GZs work at once).
  ``playbook`` is a path, YAML text, or a list of task dicts (``tasks_playbook`` wraps them in one
  play on the host, ``gather_facts: false``; every string with a ``{`` is written ``!unsafe`` so
  a fuzzed ``{{`` is never templated).

``PlaybookRun``
  ``.rc``, ``.stdout``, ``.stderr`` (the default callback's output, what a user sees),
  ``.records``: one dict per task result from callback_plugins/reliability_recorder.py:
  ``task``, ``host``, ``status`` (ok|failed|skipped|unreachable), ``ignore_errors``, ``result``
  (the module's result dict), ``before`` / ``after`` (state digests bracketing the task on its
  host), ``changed_files``, ``seconds``; ``.state_changed(record)``; ``run[name]`` the last record of a task
  name (AssertionError with the output when it did not run); ``.why()`` output for messages.

Functions
  ``state_snapshot(state_dir)`` -> ``{relative path: sha256}`` of the state dir (every file but
  commands.log, faults.json, .lock, root/var/svc/log/**, root/root/.ansible/**);
  ``state_digest(state_dir)`` -> one hex digest of it; ``changed_files(before, after)``.
  ``traceback_problems(record_or_result)`` -> list of reasons the result leaks a traceback
  (``exception``, ``module_stderr`` with a Python exception, "MODULE FAILURE", "Traceback").
  ``tasks_playbook(hosts, tasks)`` -> playbook YAML text (strings with ``{`` ``!unsafe``).
  ``SUMMARY``: a list of lines; append a figure (cases tried, defects...) and pytest prints them
  at the end of the run under "reliability summary".

Conventions: name the objects you create with a prefix of your file (``cm-`` check mode,
``fz-`` fuzz, ``flt-`` faults, ``cc-`` concurrency, ``sec-`` security) so tests never touch each
other's; leave no fault behind (use the ``gz`` fixture or ``clear_faults()``).
Environment: ``RELIABILITY_GZ_COUNT`` (default 2), ``RELIABILITY_FUZZ_CASES`` (see test_fuzz.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
SIM_BIN = os.path.join(SIM_HOME, 'bin')
CALLBACKS = os.path.join(HERE, 'callback_plugins')
DEFAULT_COLLECTIONS = os.path.join(REPO, 'build', 'collections')


def _load_recorder():
    spec = importlib.util.spec_from_file_location('reliability_recorder', os.path.join(CALLBACKS, 'reliability_recorder.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_RECORDER = _load_recorder()
state_snapshot = _RECORDER.state_snapshot
changed_files = _RECORDER.changed_files


def state_digest(state_dir):
    """One hex digest of the state dir (see state_snapshot)."""
    return _RECORDER.snapshot_digest(state_snapshot(state_dir))


def _gzhost():
    if SIM_HOME not in sys.path:
        sys.path.insert(0, SIM_HOME)
    from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel
    return gzhost


# ------------------------------------------------------------------ playbooks

class _UnsafeDumper(yaml.SafeDumper):
    """YAML with every string tagged !unsafe: Ansible never templates a fuzzed '{{'. No anchors
    (a value shared by two tasks is written twice)."""

    def ignore_aliases(self, data):
        return True


def _represent_unsafe(dumper, value):
    if '{' not in value:
        # Only '{{', '{%' and '{#' start a template. (ansible's !unsafe constructor resolves the
        # scalar again as if it were plain: !unsafe '*' or '=' fail to load.)
        return dumper.represent_str(value)
    style = '"' if (not value.isprintable() or '\n' in value or value != value.strip()) else None
    return dumper.represent_scalar('!unsafe', value, style=style)


_UnsafeDumper.add_representer(str, _represent_unsafe)


def tasks_playbook(hosts, tasks, name='reliability'):
    """The YAML text of one play on ``hosts`` running ``tasks`` (dicts), strings written !unsafe."""
    play = dict(name=name, hosts=hosts, gather_facts=False, tasks=list(tasks))
    return yaml.dump([play], Dumper=_UnsafeDumper, allow_unicode=True, sort_keys=False, width=1 << 20)


_PY_EXCEPTION = re.compile(r'Traceback \(most recent call last\)|^\w+(\.\w+)*(Error|Exception): ', re.M)


def traceback_problems(record):
    """Why a task result (a record or a result dict) shows a traceback to the user; [] when clean.
    (ansible-core 2.19 puts ``exception: "(traceback unavailable)"`` in every failure without one.)"""
    result = record.get('result', record) if 'status' in record else record
    problems = []
    if result.get('exception') and _PY_EXCEPTION.search(str(result['exception'])):
        problems.append('exception: %s' % str(result['exception'])[-600:])
    stderr = result.get('module_stderr') or ''
    if stderr and _PY_EXCEPTION.search(stderr):
        problems.append('module_stderr: %s' % stderr[-600:])
    msg = str(result.get('msg', ''))
    if 'MODULE FAILURE' in msg:
        problems.append('msg: %s' % msg[:300])
    if 'Traceback (most recent' in json.dumps(result, default=repr):
        problems.append('"Traceback" in the result')
    return problems


class PlaybookRun:
    """The outcome of one ansible-playbook run: exit code, output, per-task records."""

    def __init__(self, proc, records):
        self.rc = proc.returncode
        self.stdout = proc.stdout or ''
        self.stderr = proc.stderr or ''
        self.records = records

    def __getitem__(self, task):
        found = [r for r in self.records if r['task'] == task]
        assert found, 'task %r did not run\n%s' % (task, self.why())
        return found[-1]

    @staticmethod
    def state_changed(record):
        return record['before'] != record['after']

    def why(self):
        return 'rc %s\nstdout (end):\n%s\nstderr (end):\n%s' % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


class _Completed:  # the shape of CompletedProcess that PlaybookRun reads
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


class PendingRun:
    """An ansible-playbook started and not yet waited for."""

    def __init__(self, proc, record, cleanup, timeout):
        self.proc, self.record, self.cleanup, self.timeout = proc, record, cleanup, timeout
        self._run = None

    def wait(self):
        if self._run is None:
            try:
                stdout, stderr = self.proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                stdout, stderr = self.proc.communicate()
                stderr += '\nreliability conftest: ansible-playbook killed after %ss' % self.timeout
            records = []
            if os.path.exists(self.record):
                with open(self.record, encoding='utf-8') as handle:
                    records = [json.loads(line) for line in handle if line.strip()]
            for path in self.cleanup:
                shutil.rmtree(path, ignore_errors=True)
            self._run = PlaybookRun(_Completed(self.proc.returncode, stdout, stderr), records)
        return self._run


def ansible_env(extra=None):
    """The environment of every ansible-playbook here (also for other tests' own runs)."""
    env = dict(os.environ)
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', DEFAULT_COLLECTIONS)
    env.update(ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0',
               ANSIBLE_PIPELINING='1', ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
               ANSIBLE_CALLBACKS_ENABLED='reliability_recorder', ANSIBLE_DEPRECATION_WARNINGS='0',
               ANSIBLE_HOST_KEY_CHECKING='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
    env.update(extra or {})
    return env


class SimGz:
    """One simulated GZ of the bed: its state here, its tools here, playbooks against it over SSH."""

    def __init__(self, bed, host, tmp_root):
        self.bed = bed
        self.host = host
        self.name = host.name
        self.state = host.state
        self.inventory = bed.inventory
        self.tmp_root = tmp_root

    def __repr__(self):
        return 'SimGz(%s %s)' % (self.name, self.state)

    def host_path(self, gz_path):
        return self.host.host_path(gz_path)

    # -- the simulated tools, run here on the GZ's state
    def sim(self, tool, *args, stdin=None, timeout=120):
        env = dict(os.environ, SMARTOS_SIM_STATE=self.state, SMARTOS_SIM_PYTHON=sys.executable)
        env['PATH'] = SIM_BIN + os.pathsep + env.get('PATH', '')
        return subprocess.run([os.path.join(SIM_BIN, tool)] + [str(a) for a in args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=timeout, check=False)

    def sim_json(self, tool, *args):
        result = self.sim(tool, *args)
        assert result.returncode == 0, '%s %s: rc %d %s' % (tool, args, result.returncode, result.stderr)
        return json.loads(result.stdout)

    def fault(self, tool, subcommand=None, count=1, rc=1, stderr=None, stdout=None, hang=None):
        args = ['fault', '--state', self.state, '--tool', tool, '--count', count, '--rc', rc]
        for option, value in (('--subcommand', subcommand), ('--stderr', stderr), ('--stdout', stdout), ('--hang', hang)):
            if value is not None:
                args += [option, value]
        result = self.sim('smartos-sim', *args)
        assert result.returncode == 0, result.stderr
        return result

    def clear_faults(self):
        result = self.sim('smartos-sim', 'fault', '--state', self.state, '--clear')
        assert result.returncode == 0, result.stderr

    def commands(self):
        path = os.path.join(self.state, 'commands.log')
        if not os.path.exists(path):
            return []
        with open(path, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def snapshot(self):
        return state_snapshot(self.state)

    def digest(self):
        return state_digest(self.state)

    # -- playbooks
    def start_playbook(self, playbook, check=False, diff=False, extra_vars=None, timeout=600, env=None, args=()):
        work = tempfile.mkdtemp(prefix='run-', dir=self.tmp_root)
        if isinstance(playbook, (list, tuple)):
            playbook = tasks_playbook(self.name, playbook)
        if '\n' in playbook or not os.path.exists(playbook):
            path = os.path.join(work, 'playbook.yml')
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(playbook)
            playbook = path
        record = os.path.join(work, 'records.jsonl')
        exe = _gzhost().ansible_playbook()
        argv = [exe, '-i', self.inventory, playbook, '--limit', self.name] + list(args)
        if check:
            argv.append('--check')
        if diff:
            argv.append('--diff')
        if extra_vars:
            argv += ['-e', json.dumps(extra_vars)]
        run_env = ansible_env(dict(RELIABILITY_RECORD=record, RELIABILITY_STATES=json.dumps({self.name: self.state}),
                                   ANSIBLE_LOCAL_TEMP=os.path.join(work, 'ansible-local')))
        run_env.update(env or {})
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=run_env,  # pylint: disable=consider-using-with
                                cwd=work, stdin=subprocess.DEVNULL)
        return PendingRun(proc, record, [work], timeout)

    def playbook(self, playbook, **kwargs):
        return self.start_playbook(playbook, **kwargs).wait()


# ------------------------------------------------------------------ fixtures

SUMMARY = []


def pytest_terminal_summary(terminalreporter):
    if SUMMARY:
        terminalreporter.section('reliability summary')
        for line in SUMMARY:
            terminalreporter.write_line(line)


def _prime(sim):
    """What a booted SmartOS GZ already has: sysinfo's cache (the first sysinfo writes it), so that
    a read in a test never writes a file for the first time."""
    for argv in (('sysinfo',), ('imgadm', 'list', '-j'), ('vmadm', 'list'), ('nictagadm', 'list'), ('zfs', 'list')):
        sim.sim(*argv)


@pytest.fixture(scope='session')
def reliability_bed(tmp_path_factory):
    gzhost = _gzhost()
    if not os.environ.get('ANSIBLE_PLAYBOOK') and not shutil.which('ansible-playbook'):
        pytest.skip('ansible-playbook not found: run through `make reliability` or put .venv/bin on PATH')
    collections = os.environ.get('ANSIBLE_COLLECTIONS_PATH', DEFAULT_COLLECTIONS).split(os.pathsep)[0]
    if not os.path.isdir(os.path.join(collections, 'ansible_collections', 'smartstack', 'smartos')):
        pytest.skip('the collection tree is not built at %s: run `make tree`' % collections)
    reason = gzhost.unavailable_reason()
    if reason:
        pytest.skip('simulated GZ hosts unavailable: ' + reason)
    run_dir = str(tmp_path_factory.mktemp('reliability-bed'))
    remove = False
    if gzhost.replaced_by(run_dir):
        run_dir = tempfile.mkdtemp(prefix='smartos-sim-reliability-', dir='/tmp')
        remove = True
    count = int(os.environ.get('RELIABILITY_GZ_COUNT', '2'))
    bed = gzhost.GzBed(run_dir, count=count, bootstrapped=True, remove_run_dir=remove)
    try:
        bed.up()
    except gzhost.GzHostError:
        bed.down()
        raise
    yield bed
    bed.down()


@pytest.fixture(scope='session')
def playbook_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp('reliability-playbooks'))


def _sim_gz(bed, index, playbook_dir):
    if len(bed) <= index:
        pytest.skip('RELIABILITY_GZ_COUNT=%d: no gz%d' % (len(bed), index + 1))
    sim = SimGz(bed, bed[index], playbook_dir)
    sim.clear_faults()
    _prime(sim)
    return sim


@pytest.fixture(scope='session')
def sim_gz(reliability_bed, playbook_dir):
    return _sim_gz(reliability_bed, 0, playbook_dir)


@pytest.fixture(scope='session')
def sim_gz2(reliability_bed, playbook_dir):
    return _sim_gz(reliability_bed, 1, playbook_dir)


@pytest.fixture
def gz(sim_gz):
    sim_gz.clear_faults()
    yield sim_gz
    sim_gz.clear_faults()
