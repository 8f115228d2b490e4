# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the benchmarks share (commands.py, converge.py, inventory_scale.py, run_all.py).

- ``Bed``: simulated global zones (tests/simulator's gzhost, real sshd on loopback) in a fresh
  work dir under /tmp with free ports (``port_base=0``, ``repo_port=0``), so a bench never
  collides with ``make integration``, ``make gz-up`` or another bench; and a collection tree of
  this checkout for our side and an empty collections dir for the peer side.
- ``Player``: one side's ``ansible-playbook`` (ours from the project venv, the peer's, with
  community.general, from ``$SMARTSTACK_PEERS_BIN``, default ``.venv-peers/bin``), run with the
  ``bench_marks`` callback (callback_plugins/), which marks where each task starts in every GZ's
  command log: ``PlayRun.tasks`` are the tasks with the commands each ran (``argv`` lists).
- ``CostModel``: the time model, commands x a per-tool cost in seconds.
- ``print_table``: the one table run_all.py prints.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
SIM_BIN = os.path.join(SIM_HOME, 'bin')
CALLBACKS = os.path.join(HERE, 'callback_plugins')
BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'   # base-64-lts 24.4.1 in the simulator's image catalogue

if SIM_HOME not in sys.path:
    sys.path.insert(0, SIM_HOME)


def read_log(path, start=0, end=None):
    """The argv lists of the command log ``path`` between byte offsets ``start`` and ``end``."""
    if not os.path.exists(path):
        return []
    with open(path, 'rb') as handle:
        handle.seek(start)
        data = handle.read() if end is None else handle.read(max(0, end - start))
    return [json.loads(line)['argv'] for line in data.decode('utf-8').splitlines() if line.strip()]


def log_path(state):
    return os.path.join(state, 'commands.log')


def sim(state, *argv, stdin=None):
    """Run a simulator tool on this machine against the GZ state ``state`` (set-up, not counted)."""
    env = dict(os.environ, SMARTOS_SIM_STATE=state, SMARTOS_SIM_PYTHON=sys.executable)
    proc = subprocess.run([os.path.join(SIM_BIN, argv[0])] + list(argv[1:]), capture_output=True, text=True,
                          env=env, check=False, timeout=120, input=stdin)
    if proc.returncode:
        raise RuntimeError('%s failed (rc %d): %s' % (' '.join(argv), proc.returncode, proc.stderr.strip()))
    return proc


def ansible_exe(name):
    """Our ansible tool ``name``: next to the Python running this, else on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    return here if os.access(here, os.X_OK) else shutil.which(name)


def peers_bin():
    return os.path.abspath(os.environ.get('SMARTSTACK_PEERS_BIN') or os.path.join(REPO, '.venv-peers', 'bin'))


def unavailable_reason(need_peers=True):
    """Why the benchmarks cannot run here, or None."""
    from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel

    reason = gzhost.unavailable_reason()
    if reason:
        return reason
    if not ansible_exe('ansible-playbook'):
        return 'no ansible-playbook for the project (make venv; run the bench with .venv/bin/python)'
    if need_peers and not os.access(os.path.join(peers_bin(), 'ansible-playbook'), os.X_OK):
        return 'no peer ansible at %s (make peers)' % peers_bin()
    return None


class Bed(object):
    """``count`` simulated GZs (``zones`` seeded zones each) in a work dir of their own, and a collection tree.

    Use as a context manager: ``with Bed('commands', 2, bootstrapped=True) as bed: bed.gz[0].state``."""

    def __init__(self, kind, count, zones=0, bootstrapped=False):
        self.kind, self.count, self.zones, self.bootstrapped = kind, count, zones, bootstrapped
        self.work = None
        self.bed = None
        self.tree = None
        self.no_collections = None

    def __enter__(self):
        from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel

        self.work = tempfile.mkdtemp(prefix='smartstack-bench-%s-' % self.kind, dir='/tmp')
        try:
            self.tree = os.path.join(self.work, 'collections')
            subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'collection_tree.py'), self.tree], check=True,
                           capture_output=True, cwd=REPO)
            self.no_collections = os.path.join(self.work, 'no-collections')
            os.makedirs(self.no_collections)
            self.bed = gzhost.GzBed(os.path.join(self.work, 'run'), count=self.count, zones=self.zones,
                                    bootstrapped=self.bootstrapped, port_base=0, repo_port=0)
            self.bed.up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self.bed is not None:
                self.bed.down()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
        return False

    @property
    def inventory(self):
        return self.bed.inventory

    @property
    def hosts(self):
        return self.bed.hosts

    def player(self, side):
        """The Player of ``side`` ('ours' or 'peer') for this bed."""
        if side == 'ours':
            return Player('ours', ansible_exe('ansible-playbook'), self.tree, self.work)
        return Player('peer', os.path.join(peers_bin(), 'ansible-playbook'), self.no_collections, self.work)


class PlayRun(object):
    """One ansible-playbook run: rc, wall seconds, and its tasks with the commands each ran per host."""

    def __init__(self, proc, seconds, marks, logs):
        self.rc, self.stdout, self.stderr, self.seconds = proc.returncode, proc.stdout, proc.stderr, seconds
        self.tasks = []   # [{'name', 'commands': {host: [argv]}, 'results': [result records]}]
        task_marks = [m for m in marks if m['event'] in ('task', 'end')]
        for index, mark in enumerate(task_marks):
            if mark['event'] != 'task':
                continue
            following = task_marks[index + 1] if index + 1 < len(task_marks) else None
            commands = {}
            for host, path in logs.items():
                end = following['sizes'].get(host) if following else None
                commands[host] = read_log(path, mark['sizes'].get(host, 0), end)
            self.tasks.append({'name': mark['name'], 'commands': commands, 'results': []})
        by_name = {}
        for task in self.tasks:
            by_name.setdefault(task['name'], []).append(task)
        current = {}
        for mark in marks:
            if mark['event'] == 'task':
                current[mark['name']] = current.get(mark['name'], -1) + 1
            elif mark['event'] == 'result' and mark.get('task') in by_name:
                by_name[mark['task']][current[mark['task']]]['results'].append(mark)

    def commands(self, host=None):
        """Every command of the run (of one host)."""
        return [argv for task in self.tasks for h, argvs in task['commands'].items() if host in (None, h)
                for argv in argvs]

    def why(self):
        return 'rc %d\nstdout:\n%s\nstderr:\n%s' % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


class Player(object):
    """One side's ansible-playbook and environment (collections: our tree, or the peer's own only)."""

    def __init__(self, side, exe, collections_path, workdir):
        self.side, self.exe, self.workdir = side, exe, workdir
        self.env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        ANSIBLE_PIPELINING='1', ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_HOST_KEY_CHECKING='0',
                        ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='1',
                        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='bench_marks',
                        ANSIBLE_HOME=os.path.join(workdir, 'ansible-home-' + side))

    def run(self, inventory, playbook, logs, limit=None, extra_args=(), timeout=3600):
        """Run ``playbook`` (a path, or a list of plays written to a file); ``logs`` {host: commands.log}."""
        if not isinstance(playbook, str):
            path = tempfile.mkstemp(prefix='%s-' % self.side, suffix='.yml', dir=self.workdir)[1]
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(playbook, handle, indent=1)
            playbook = path
        marks_path = tempfile.mkstemp(prefix='marks-', suffix='.jsonl', dir=self.workdir)[1]
        env = dict(self.env, SMARTSTACK_BENCH_MARKS=marks_path, SMARTSTACK_BENCH_LOGS=json.dumps(logs))
        argv = [self.exe, '-i', inventory, playbook] + (['--limit', limit] if limit else []) + list(extra_args)
        started = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, timeout=timeout,
                              cwd=os.path.dirname(playbook), stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        with open(marks_path, encoding='utf-8') as handle:
            marks = [json.loads(line) for line in handle if line.strip()]
        return PlayRun(proc, seconds, marks, logs)


# ------------------------------------------------------------------ time model

# Seconds one command takes on a real SmartOS global zone, per tool. vmadm and imgadm start
# Node.js and read the zones' configuration: "most of a second" (DESIGN.md "Performance"); the
# only public timing we found is smartos-live issue #42 (2012, `vmadm list` ~1 s per zone before
# it was fixed), so 1.0 s is UNCONFIRMED. zfs/zpool/dladm/nictagadm/svc* are C programs or
# small shell scripts (UNCONFIRMED: chose 0.05-0.2 s). Override with --cost tool=seconds,...
DEFAULT_COSTS = {'vmadm': 1.0, 'imgadm': 1.0, 'zfs': 0.05, 'zpool': 0.05, 'nictagadm': 0.2, 'dladm': 0.05,
                 'sysinfo': 0.1, 'svcs': 0.05, 'svcadm': 0.05, 'svccfg': 0.1, 'pkgin': 0.5, 'pkg_info': 0.1,
                 'default': 0.1}


class CostModel(object):
    """commands x per-tool seconds: the time a task would take on a real GZ (the tools' share of it)."""

    def __init__(self, spec=None):
        self.costs = dict(DEFAULT_COSTS)
        for item in (spec or '').split(','):
            if item.strip():
                tool, _sep, value = item.partition('=')
                self.costs[tool.strip()] = float(value)

    def seconds(self, argvs):
        return sum(self.costs.get(os.path.basename(argv[0]), self.costs['default']) for argv in argvs)

    def describe(self):
        return ', '.join('%s %.2f s' % (tool, cost) for tool, cost in sorted(self.costs.items()))


# ------------------------------------------------------------------ the table

COLUMNS = ('figure', 'row', 'ours', 'peer', 'ratio', 'target', 'verdict', 'real GZ est. s (ours/peer)', 'note')


def ratio(ours, peer):
    return float(ours) / peer if peer else None


def fmt_num(value):
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%.2f' % value
    return str(value)


def print_table(rows, out=None):
    """Print ``rows`` (dicts with the keys of COLUMNS) as one Markdown table."""
    out = out or sys.stdout
    cells = [[fmt_num(row.get(col)) if col in ('ours', 'peer', 'ratio') else str(row.get(col) or '')
              for col in COLUMNS] for row in rows]
    widths = [max([len(col)] + [len(c[i]) for c in cells]) for i, col in enumerate(COLUMNS)]
    widths[-1] = 0   # the note column is free text

    def line(values):
        return '| ' + ' | '.join(v.ljust(w) for v, w in zip(values, widths)) + ' |'
    out.write(line(COLUMNS) + '\n')
    out.write('|' + '|'.join('-' * (w + 2) if w else '---' for w in widths) + '|\n')
    for values in cells:
        out.write(line(values) + '\n')
    out.flush()


def parse_table(text):
    """The rows of a table print_table wrote (for tests): a list of dicts keyed by COLUMNS."""
    rows = []
    for text_line in text.splitlines():
        if not text_line.startswith('| ') or text_line.startswith('| figure '):
            continue
        values = [v.strip() for v in text_line.strip()[1:-1].split(' | ')]
        if len(values) == len(COLUMNS):
            rows.append(dict(zip(COLUMNS, values)))
    return rows
