# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected faults (issue 8): every write command a module issues fails once, and hangs once.

Each module is driven through a chain of steps (create, change, act, delete ...) that ends where it
began, as tasks of one playbook per GZ (modules run on the GZ over SSH), in two passes:

- the **clean** pass runs the chain once: it tells which write commands each step issues (the
  simulator's command log) and what the system looks like after each step;
- the **faulted** pass runs each step three times: with its write command failing once (a
  faults.json rule: rc 1 and a message of the test's), then with it hanging (the simulated tool
  sleeps 30 s; the task has ``command_timeout: 3``), then without a fault.

For every fault: the task fails with the tool's own message (or ``<tool> <subcommand> timed out
after 3 s``), without a traceback; the fault was really hit (its rule consumed); a hung tool
leaves no process behind; and the run without a fault succeeds and leaves the system equal to the
clean pass's after the same step (VMs, datasets, nic tags, SMF services, the network store, images
and the GZ's files, compared with volatile values — uuids, MACs, times, pids — normalised), so no
dataset, NIC, manifest or half-created VM is left orphaned. Whether a failed run left the system
untouched or half-changed (which the next runs then converge from) is counted in the summary.
Coverage: every write command seen in the clean pass is faulted both ways, per module.

The checkpoints (what the system looks like, the command log's length, the fault to inject) are
taken by a callback plugin (``FaultCheckpoint`` below, loaded through a two-line shim) at the
start and end of the tasks, so a step costs no extra task. Two chains run at once, one per GZ.
Objects are named ``flt-*``; the image is base-64-lts 23.4.0, which no other test uses.
"""

from __future__ import annotations

import json
import os
import re
import sys

import pytest

from ansible.plugins.callback import CallbackBase

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from conftest import REPO, SIM_HOME, SUMMARY, traceback_problems  # noqa: E402  pylint: disable=wrong-import-position

BASE_OLD = '58f8b534-2753-432f-b758-dd75e154e791'   # base-64-lts 23.4.0 (simulator catalogue)
HANG_LIMIT = 3          # command_timeout of a hung step
HANG_SECONDS = 30       # how long the simulated tool would hang
PLAY_TIMEOUT = 900

# Write commands, by tool: what changes the system (everything else only reads).
WRITES = {
    'vmadm': {'create', 'update', 'start', 'stop', 'reboot', 'delete', 'rollback-snapshot', 'create-snapshot',
              'delete-snapshot'},
    'imgadm': {'import', 'delete'},
    'zfs': {'create', 'set', 'inherit', 'snapshot', 'destroy', 'rollback', 'send', 'receive', 'recv', 'clone', 'rename',
            'promote', 'mount', 'unmount', 'umount'},
    'nictagadm': {'add', 'delete', 'update'},
    'svccfg': {'import', 'delete'},
    'svcadm': {'enable', 'disable', 'restart', 'refresh', 'clear', 'mark'},
    'dladm': {'create-vnic', 'delete-vnic', 'create-etherstub', 'delete-etherstub'},
}

MANIFEST = '''<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="site-flt-svc">
  <service name="site/flt-svc" type="service" version="1">
    <create_default_instance enabled="true"/>
    <exec_method type="method" name="start" exec="/bin/sleep 600 &amp;" timeout_seconds="10"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="10"/>
    <stability value="Unstable"/>
  </service>
</service_bundle>
'''


class Step(object):
    """One task of a chain; ``fault`` = (tool, subcommand) it is faulted on, or None (set-up)."""

    def __init__(self, name, module, args, fault=None):
        self.name, self.module, self.args, self.fault = name, module, args, fault


VM = dict(title='flt-vm', brand='joyent', os_tpl=BASE_OLD, memory=0.25, cores=1, customer_metadata={'role': 'flt'})

# gz1: image, compute, network, link (networkinterface and storagelink).
CHAIN_A = [
    Step('image import', 'image', dict(image=BASE_OLD), ('imgadm', 'import')),
    Step('image delete', 'image', dict(image=BASE_OLD, state='absent'), ('imgadm', 'delete')),
    Step('compute create, image imported on the way', 'compute', dict(VM, state='active'), ('imgadm', 'import')),
    Step('compute update', 'compute', dict(VM, memory=0.5, customer_metadata={'role': 'flt2'}), ('vmadm', 'update')),
    Step('compute stop', 'compute', dict(title='flt-vm', state='inactive'), ('vmadm', 'stop')),
    Step('compute start', 'compute', dict(title='flt-vm', state='active'), ('vmadm', 'start')),
    Step('compute restart', 'compute', dict(title='flt-vm', action='restart'), ('vmadm', 'reboot')),
    Step('network create', 'network', dict(label='flt0', etherstub=True, address='10.77.0.0/24', gateway='10.77.0.1',
                                           allocation='static'), ('nictagadm', 'add')),
    Step('link add', 'link', dict(source='flt-vm', target='flt0'), ('vmadm', 'update')),
    Step('link change', 'link', dict(source='flt-vm', target='flt0', mtu=1400), ('vmadm', 'update')),
    Step('link remove', 'link', dict(source='flt-vm', target='flt0', state='absent'), ('vmadm', 'update')),
    Step('storage for the storagelink', 'storage', dict(name='zones/flt-lfs', size=1)),
    Step('storagelink add', 'link', dict(kind='storagelink', source='flt-vm', target='zones/flt-lfs', mountpoint='/flt'),
         ('vmadm', 'update')),
    Step('storagelink remove', 'link', dict(kind='storagelink', source='flt-vm', target='zones/flt-lfs', mountpoint='/flt',
                                            state='absent'), ('vmadm', 'update')),
    Step('storage of the storagelink absent', 'storage', dict(name='zones/flt-lfs', state='absent')),
    Step('compute delete', 'compute', dict(title='flt-vm', state='absent'), ('vmadm', 'delete')),
    Step('compute create, image installed', 'compute', dict(VM, state='active'), ('vmadm', 'create')),
    Step('compute delete again', 'compute', dict(title='flt-vm', state='absent')),
    Step('network absent', 'network', dict(label='flt0', state='absent'), ('nictagadm', 'delete')),
    Step('image absent again', 'image', dict(image=BASE_OLD, state='absent')),
]

# gz2: storage, smf.
FS = 'zones/flt-fs'
CHAIN_B = [
    Step('storage create', 'storage', dict(name=FS, size=1), ('zfs', 'create')),
    Step('storage resize and property', 'storage', dict(name=FS, size=2, properties={'compression': 'lz4'}), ('zfs', 'set')),
    Step('storage snapshot', 'storage', dict(name=FS, action='snapshot', snapshot='s1'), ('zfs', 'snapshot')),
    Step('storage backup, its snapshot', 'storage', dict(name=FS, action='backup', snapshot='b1', backup_dir='/var/tmp/flt-backup'),
         ('zfs', 'snapshot')),
    Step('storage backup, its stream', 'storage', dict(name=FS, action='backup', snapshot='b2', backup_dir='/var/tmp/flt-backup'),
         ('zfs', 'send')),
    Step('storage rollback', 'storage', dict(name=FS, action='rollback', snapshot='s1', force=True), ('zfs', 'rollback')),
    Step('storage offline', 'storage', dict(name=FS, state='offline'), ('zfs', 'set')),
    Step('storage online', 'storage', dict(name=FS, state='online'), ('zfs', 'set')),
    Step('storage offline again', 'storage', dict(name=FS, state='offline')),
    Step('storage online, mounted', 'storage', dict(name=FS, state='online'), ('zfs', 'mount')),
    Step('storage absent', 'storage', dict(name=FS, state='absent', recursive=True), ('zfs', 'destroy')),
    Step('volume create', 'storage', dict(name='zones/flt-vol', type='volume', size=0.5, sparse=True), ('zfs', 'create')),
    Step('volume absent', 'storage', dict(name='zones/flt-vol', state='absent'), ('zfs', 'destroy')),
    Step('smf import and enable', 'smf', dict(content=MANIFEST, persist=True), ('svccfg', 'import')),
    Step('smf restart', 'smf', dict(name='site/flt-svc', state='restarted'), ('svcadm', 'restart')),
    Step('smf refresh', 'smf', dict(name='site/flt-svc', state='refreshed'), ('svcadm', 'refresh')),
    Step('smf disable', 'smf', dict(name='site/flt-svc', state='disabled'), ('svcadm', 'disable')),
    Step('smf enable', 'smf', dict(name='site/flt-svc', state='enabled'), ('svcadm', 'enable')),
    Step('smf absent', 'smf', dict(name='site/flt-svc', state='absent'), ('svccfg', 'delete')),
]

CHAINS = {'A': CHAIN_A, 'B': CHAIN_B}
PASSES = ('clean', 'faulted')
PHASES = ('run', 'fail', 'hang', 'rerun')


def injected_message(chain, index, tool, sub):
    """The failure a faulted tool prints: unique per step, in a tool's words."""
    return '%s %s: error: injected fault flt-%s%d (the test bed made this call fail)' % (tool, sub, chain, index)


def scenarios():
    for chain, steps in sorted(CHAINS.items()):
        for index, step in enumerate(steps):
            if step.fault:
                for mode in ('fail', 'hang'):
                    yield pytest.param(chain, index, mode, id='%s-%s-%s' % (mode, step.module, step.name.replace(' ', '_').replace(',', '')))


# --------------------------------------------------------------------------- what the system looks like

UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
MAC_RE = re.compile(r'\b[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}\b')
TIME_RE = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z')
TMP_RE = re.compile(r'ansible-(?:module)?tmp-[^/\s"]+|smartstack-[a-z]+-[A-Za-z0-9_]+')
PASS_DIR_RE = re.compile(r'(flt-backup)-(?:clean|faulted)')
# Values that differ between two identical runs: identities, times, process ids, counters.
VOLATILE = frozenset(['uuid', 'zonename', 'zonepath', 'zfs_filesystem', 'zonedid', 'zoneid', 'pid', 'server_uuid',
                      'boot_timestamp', 'create_timestamp', 'last_modified', 'state_timestamp', 'createtxg', 'creation',
                      'guid', 'txg', 'next_ctid', 'ctid', 'stime', 'start_times', 'sid', 'last', 'mac', 'data',
                      'mounted_at', 'used', 'written', 'exit_status', 'contract', 'init_restarts'])
SKIP_PATHS = ('opt/tools', 'root/.ansible', 'root/.ssh', 'var/svc/log', 'tmp/.sysinfo')


def _load(path, default):
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return default


def _normaliser(aliases, images):
    def text(value):
        value = UUID_RE.sub(lambda m: aliases.get(m.group(0)) or (m.group(0) if m.group(0) in images else '<uuid>'), value)
        value = TIME_RE.sub('<time>', MAC_RE.sub('<mac>', value))
        return PASS_DIR_RE.sub(r'\1', TMP_RE.sub('<tmp>', value))

    def norm(value):
        if isinstance(value, dict):
            return dict((text(str(k)), norm(v)) for k, v in value.items() if k not in VOLATILE)
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, str):
            return text(value)
        return value
    return norm


def inventory(state, pass_name=None):
    """What the simulated GZ at ``state`` holds, volatile values normalised (see VOLATILE); of the
    backup directories of the passes, only ``pass_name``'s (under the common name).

    What a first use of a tool leaves and that means nothing is left out: an empty network store
    (it is created on first use, and stays empty when the last network goes), and an empty list in
    /usbkey/config (``etherstub=`` once the last etherstub is gone)."""
    vms = _load(os.path.join(state, 'vms.json'), {})
    aliases = dict((uuid, 'vm:%s' % (vm.get('alias') or '?')) for uuid, vm in vms.items())
    image_dir = os.path.join(state, 'root', 'var', 'imgadm', 'images')
    images = sorted(os.listdir(image_dir)) if os.path.isdir(image_dir) else []
    image_uuids = set(UUID_RE.findall(' '.join(images)))
    norm = _normaliser(aliases, image_uuids)
    zfs = _load(os.path.join(state, 'zfs.json'), {}).get('datasets', {})
    smf = _load(os.path.join(state, 'smf.json'), {}).get('services', {})
    services = {}
    for name, service in smf.items():
        if service.get('base'):
            continue
        instances = {}
        for inst, body in (service.get('instances') or {}).items():
            rt = body.get('rt') or {}
            enabled = (((body.get('pgs') or {}).get('general') or {}).get('props') or {}).get('enabled', {}).get('values')
            instances[inst] = {'enabled': enabled, 'state': rt.get('state'), 'next_state': rt.get('next_state'),
                               'pgs': norm(body.get('pgs'))}
        services[name] = {'instances': instances, 'manifest': norm(service.get('manifest')), 'pgs': norm(service.get('pgs'))}
    files = []
    root = os.path.join(state, 'root')
    for top, dirs, names in os.walk(root):
        rel = os.path.relpath(top, root)
        dirs[:] = sorted(d for d in dirs if not os.path.join(rel, d).lstrip('./').startswith(SKIP_PATHS))
        for name in sorted(names):
            path = os.path.normpath(os.path.join(rel, name))
            if name.startswith('.') and name.endswith('.lock') or path.startswith(SKIP_PATHS):
                continue
            other = PASS_DIR_RE.search(path)
            if other and other.group(0) != 'flt-backup-%s' % pass_name:
                continue
            if path == 'opt/smartstack/networks.json':
                continue        # compared as 'networks'
            files.append(norm(path))
    with open(os.path.join(root, 'usbkey', 'config'), encoding='utf-8') as handle:
        config = sorted(norm(line.strip()) for line in handle
                        if line.strip() and not line.startswith('#') and not line.strip().endswith('='))
    networks = norm(_load(os.path.join(root, 'opt', 'smartstack', 'networks.json'), {}))
    if not networks.get('networks') and not networks.get('links'):
        networks = {}
    return {
        'vms': sorted((norm(vm) for vm in vms.values()), key=lambda vm: json.dumps(vm, sort_keys=True)),
        'datasets': dict((norm(name), norm({'type': ds.get('type'), 'props': ds.get('props'), 'origin': ds.get('origin')}))
                         for name, ds in zfs.items()),
        'services': services,
        'dladm': norm(_load(os.path.join(state, 'dladm.json'), {})),
        'usbkey_config': config,
        'networks': networks,
        'images': images,
        'files': sorted(set(files)),
    }


def diff(expected, actual, path=''):
    """The first differences between two inventories, as readable lines."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                lines.append('%s/%s: missing (expected %s)' % (path, key, json.dumps(expected[key], sort_keys=True)[:300]))
            elif key not in expected:
                lines.append('%s/%s: unexpected %s' % (path, key, json.dumps(actual[key], sort_keys=True)[:300]))
            else:
                lines += diff(expected[key], actual[key], '%s/%s' % (path, key))
        return lines
    if expected != actual:
        return ['%s: expected %s, got %s' % (path, json.dumps(expected, sort_keys=True)[:400], json.dumps(actual, sort_keys=True)[:400])]
    return []


def _sim_processes(state):
    """Simulated tools still running for this GZ (a hung tool the timeout should have stopped)."""
    marker = ('SMARTOS_SIM_STATE=%s' % state).encode('utf-8')
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % pid, 'rb') as handle:
                if marker not in handle.read().split(b'\0'):
                    continue
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                cmdline = [part.decode('utf-8', 'replace') for part in handle.read().split(b'\0') if part]
        except OSError:
            continue
        if any(part.endswith('run.py') for part in cmdline):
            found.append(' '.join(cmdline))
    return found


# --------------------------------------------------------------------------- the checkpoint callback

class FaultCheckpoint(CallbackBase):
    """Checkpoints around the tasks named ``flt|<pass>|<index>|<phase>|...`` (module docstring).

    Configured by ``FLT_SPEC`` (a JSON file: ``state``, ``record``, ``faults``: ``{"<phase>|<index>":
    {tool, sub, rc, stderr, hang}}``). Before each task: a checkpoint ``<pass>|<index>|<phase>|before``
    and the task's fault queued; after a faulted task: ``...|after`` (with the simulated tools still
    running); when a pass is over: ``<pass>|end``. A checkpoint is a JSON line ``{"label", "offset" (of
    the command log), "inventory", "leftover" (faults not consumed, then cleared), "strays"}``."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'flt_checkpoint'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(FaultCheckpoint, self).__init__(*args, **kwargs)
        self.spec = _load(os.environ.get('FLT_SPEC', ''), {})
        self.pass_name = None

    def _faults(self):
        if SIM_HOME not in sys.path:
            sys.path.insert(0, SIM_HOME)
        from smartos_sim import faults  # pylint: disable=import-outside-toplevel
        from smartos_sim.state import State  # pylint: disable=import-outside-toplevel
        return faults, State(self.spec['state'])

    def _checkpoint(self, label, strays=False):
        state = self.spec['state']
        faults, sim_state = self._faults()
        with sim_state.lock():
            leftover = sim_state.load('faults', [])
        log = os.path.join(state, 'commands.log')
        offset = 0
        if os.path.exists(log):
            with open(log, encoding='utf-8') as handle:
                offset = sum(1 for line in handle if line.strip())
        record = {'label': label, 'offset': offset, 'inventory': inventory(state, label.split('|')[0]), 'leftover': leftover,
                  'strays': _sim_processes(state) if strays else []}
        if leftover:
            faults.clear(sim_state)
        with open(self.spec['record'], 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record, sort_keys=True) + '\n')

    @staticmethod
    def _parse(task):
        parts = task.get_name().split('|')
        return parts[1:4] if len(parts) >= 4 and parts[0] == 'flt' else None

    def v2_playbook_on_task_start(self, task, is_conditional):
        parsed = self._parse(task)
        if not parsed:
            return
        pass_name, index, phase = parsed
        if pass_name != self.pass_name:
            if self.pass_name:
                self._checkpoint('%s|end' % self.pass_name)
            self.pass_name = pass_name
        self._checkpoint('%s|%s|%s|before' % (pass_name, index, phase))
        fault = self.spec['faults'].get('%s|%s' % (phase, index))
        if fault:
            faults, sim_state = self._faults()
            faults.add(sim_state, fault['tool'], fault['sub'], count=1, rc=fault['rc'], stderr=fault['stderr'],
                       hang=fault['hang'])

    def _after(self, result):
        parsed = self._parse(result._task)  # pylint: disable=protected-access
        if parsed and '%s|%s' % (parsed[2], parsed[1]) in self.spec['faults']:
            self._checkpoint('%s|%s|%s|after' % tuple(parsed), strays=True)

    def v2_runner_on_ok(self, result):
        self._after(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._after(result)

    def v2_playbook_on_stats(self, stats):
        self._checkpoint('%s|end' % self.pass_name)


SHIM = '''# Generated by tests/reliability/test_faults.py: its FaultCheckpoint callback.
DOCUMENTATION = """
    name: flt_checkpoint
    type: aggregate
    short_description: fault-injection checkpoints (tests only)
    description: [Checkpoints and injected faults around the fault tests' tasks.]
"""
import sys
sys.path.insert(0, %r)
from test_faults import FaultCheckpoint as CallbackModule  # noqa: E402,F401
'''


# --------------------------------------------------------------------------- running the chains

def _module_options(module):
    """The options of a module in the collection the playbooks use (its DOCUMENTATION)."""
    import yaml  # pylint: disable=import-outside-toplevel
    collections = os.environ.get('ANSIBLE_COLLECTIONS_PATH', os.path.join(REPO, 'build', 'collections')).split(os.pathsep)[0]
    path = os.path.join(collections, 'ansible_collections', 'smartstack', 'smartos', 'plugins', 'modules', module + '.py')
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    doc = yaml.safe_load(re.search(r'DOCUMENTATION = r?(?:"""|\'\'\')(.*?)(?:"""|\'\'\')', source, re.S).group(1))
    options = set(doc.get('options') or {})
    if 'smartstack.smartos.command' in (doc.get('extends_documentation_fragment') or []):
        options.add('command_timeout')
    return options


class ChainRun(object):
    """The two passes of one chain on one GZ: task records and checkpoints."""

    def __init__(self, chain, steps, gz, work):
        self.chain, self.steps, self.gz = chain, steps, gz
        self.record = os.path.join(work, 'checkpoints-%s.jsonl' % chain)
        self.spec_path = os.path.join(work, 'spec-%s.json' % chain)
        self.timeout_supported = dict((m, 'command_timeout' in _module_options(m)) for m in set(s.module for s in steps))
        self.faults = {}
        tasks = []
        for pass_name in PASSES:
            for index, step in enumerate(steps):
                phases = ['run']
                if pass_name == 'faulted' and step.fault:
                    # no way to bound a hang without the option: reported by the test, not run for 30 s
                    phases = ['fail'] + (['hang'] if self.timeout_supported[step.module] else []) + ['rerun']
                for phase in phases:
                    args = dict(step.args)
                    if 'backup_dir' in args:
                        # a backup file is never overwritten: each pass writes its own (inventory() folds the names)
                        args['backup_dir'] = '%s-%s' % (args['backup_dir'], pass_name)
                    if phase in ('fail', 'hang'):
                        tool, sub = step.fault
                        self.faults['%s|%d' % (phase, index)] = {
                            'tool': tool, 'sub': sub, 'rc': 1, 'hang': HANG_SECONDS if phase == 'hang' else 0,
                            'stderr': ('%s %s: still hanging (never seen)\n' % (tool, sub)) if phase == 'hang'
                            else injected_message(chain, index, tool, sub) + '\n'}
                        if phase == 'hang':
                            args['command_timeout'] = HANG_LIMIT
                    # every task goes on whatever happens: the tests judge the records
                    tasks.append({'name': 'flt|%s|%d|%s|%s' % (pass_name, index, phase, step.name),
                                  'smartstack.smartos.' + step.module: args, 'ignore_errors': True})
        with open(self.spec_path, 'w', encoding='utf-8') as handle:
            json.dump({'state': gz.state, 'record': self.record, 'faults': self.faults}, handle)
        self.tasks = tasks
        self.run = None
        self.checkpoints = {}
        self.initial = inventory(gz.state, 'clean')

    def start(self, callback_dir):
        from conftest import CALLBACKS  # pylint: disable=import-outside-toplevel
        env = {'FLT_SPEC': self.spec_path, 'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS + os.pathsep + callback_dir,
               'ANSIBLE_CALLBACKS_ENABLED': 'reliability_recorder,flt_checkpoint'}
        return self.gz.start_playbook(self.tasks, env=env, timeout=PLAY_TIMEOUT)

    def finish(self, pending):
        self.run = pending.wait()
        if os.path.exists(self.record):
            with open(self.record, encoding='utf-8') as handle:
                for line in handle:
                    if line.strip():
                        point = json.loads(line)
                        self.checkpoints[point['label']] = point

    # -- reading the outcome
    def result(self, pass_name, index, phase):
        return self.run['flt|%s|%d|%s|%s' % (pass_name, index, phase, self.steps[index].name)]

    def first(self, pass_name, index):
        """The checkpoint before the first task of step ``index`` of a pass."""
        for phase in PHASES:
            point = self.checkpoints.get('%s|%d|%s|before' % (pass_name, index, phase))
            if point:
                return point
        return None

    def after(self, pass_name, index):
        """The checkpoint after step ``index`` of a pass (after its last run)."""
        if index + 1 < len(self.steps):
            return self.first(pass_name, index + 1)
        return self.checkpoints.get('%s|end' % pass_name)

    def commands(self, pass_name, index):
        """The commands step ``index`` of a pass issued (from the command log)."""
        start, end = self.first(pass_name, index), self.after(pass_name, index)
        if not start or not end:
            return []
        return [c['argv'] for c in self.gz.commands()[start['offset']:end['offset']]]


def _writes(argvs):
    found = []
    for argv in argvs:
        sub = next((a for a in argv[1:] if not a.startswith('-')), None)
        if sub in WRITES.get(argv[0], ()):
            found.append((argv[0], sub))
    return found


@pytest.fixture(scope='module')
def chains(sim_gz, sim_gz2, playbook_dir):
    """Both chains, all passes, run at once on the two GZs of the bed."""
    for gz in (sim_gz, sim_gz2):
        gz.clear_faults()
    callback_dir = os.path.join(playbook_dir, 'flt-callbacks')
    os.makedirs(callback_dir, exist_ok=True)
    with open(os.path.join(callback_dir, 'flt_checkpoint.py'), 'w', encoding='utf-8') as handle:
        handle.write(SHIM % HERE)
    runs = {'A': ChainRun('A', CHAIN_A, sim_gz, playbook_dir), 'B': ChainRun('B', CHAIN_B, sim_gz2, playbook_dir)}
    pending = dict((key, run.start(callback_dir)) for key, run in runs.items())
    for key, run in runs.items():
        run.finish(pending[key])
    for gz in (sim_gz, sim_gz2):
        gz.clear_faults()
    counts = {'fail': 0, 'hang': 0, 'untouched': 0}
    for run in runs.values():
        for key in run.faults:
            phase, index = key.split('|')
            counts[phase] += 1
            if phase == 'fail' and not run.run.state_changed(run.result('faulted', int(index), 'fail')):
                counts['untouched'] += 1
    SUMMARY.append('faults: %d injected (%d failing, %d hanging) into %d write steps of %d modules; %d of the failures left '
                   'the state untouched, %d a partial state the next runs had to converge from'
                   % (counts['fail'] + counts['hang'], counts['fail'], counts['hang'],
                      sum(1 for run in runs.values() for s in run.steps if s.fault),
                      len(set(s.module for run in runs.values() for s in run.steps)), counts['untouched'],
                      counts['fail'] - counts['untouched']))
    return runs


def test_clean_chains_run(chains):
    """The chains without faults: every task succeeds, and each chain ends where it began."""
    for key, run in sorted(chains.items()):
        for index, step in enumerate(run.steps):
            record = run.result('clean', index, 'run')
            assert record['status'] == 'ok', '%s: %s\n%s' % (step.name, json.dumps(record['result'])[:2000], run.run.why())
        end = run.after('clean', len(run.steps) - 1)
        assert end, 'chain %s: no checkpoint after the clean pass\n%s' % (key, run.run.why())
        # ... but for the backup streams it wrote (kept: a backup is the point of the action)
        final = dict(end['inventory'], files=[f for f in end['inventory']['files'] if 'flt-backup' not in f])
        assert diff(run.initial, final) == [], 'chain %s does not end where it began' % key
        assert diff(run.initial, run.first('faulted', 0)['inventory']) == [], 'the faulted pass of chain %s starts elsewhere' % key


def test_every_write_is_faulted_both_ways(chains):
    """Coverage: each write command (tool, subcommand) a module issued in the clean pass is, for
    that module, the target of a fail fault and of a hang fault."""
    written, faulted = {}, {}
    for run in chains.values():
        for index, step in enumerate(run.steps):
            written.setdefault(step.module, set()).update(_writes(run.commands('clean', index)))
            if step.fault:
                faulted.setdefault(step.module, set()).add(step.fault)
    missing = ['%s: %s %s' % (module, tool, sub) for module, writes in sorted(written.items())
               for tool, sub in sorted(writes - faulted.get(module, set()))]
    assert missing == [], 'write commands no fault covers: %s' % missing
    SUMMARY.append('faults: write commands seen in the clean pass: %s' % '; '.join(
        '%s: %s' % (module, ', '.join('%s %s' % w for w in sorted(writes))) for module, writes in sorted(written.items())))


@pytest.mark.parametrize('chain,index,mode', list(scenarios()))
def test_fault(chains, chain, index, mode):
    """One write command of one step failing (or hanging) once; see the module docstring."""
    run = chains[chain]
    step = run.steps[index]
    tool, sub = step.fault
    if mode == 'hang' and not run.timeout_supported[step.module]:
        pytest.fail('%s has no command_timeout option: a hung `%s %s` holds the task for the default limit (3600 s); '
                    'add the option (doc fragment smartstack.smartos.command, COMMAND_TIMEOUT_SPEC)' % (step.module, tool, sub))
    before = run.checkpoints.get('faulted|%d|%s|before' % (index, mode))
    after = run.checkpoints.get('faulted|%d|%s|after' % (index, mode))
    assert before and after, 'no checkpoints around the faulted task\n%s' % run.run.why()
    assert after['leftover'] == [], ('the module never issued `%s %s` in this run (the fault was not consumed); it ran: %s'
                                     % (tool, sub, [c['argv'] for c in run.gz.commands()[before['offset']:after['offset']]]))
    record = run.result('faulted', index, mode)
    result = record['result']
    assert record['status'] == 'failed', 'the task did not fail: %s' % json.dumps(result)[:1500]
    assert traceback_problems(record) == []
    if mode == 'fail':
        assert injected_message(chain, index, tool, sub) in str(result.get('msg')), \
            'the tool\'s message is not in msg: %r' % result.get('msg')
    else:
        assert '%s %s timed out after %d s' % (tool, sub, HANG_LIMIT) in str(result.get('msg')), result.get('msg')
        assert after['strays'] == [], 'the hung tool still runs: %s' % after['strays']
    rerun = run.result('faulted', index, 'rerun')
    assert rerun['status'] == 'ok', 'the run without a fault did not converge: %s' % json.dumps(rerun['result'])[:2000]
    expected, actual = run.after('clean', index), run.after('faulted', index)
    assert expected and actual, run.run.why()
    problems = diff(expected['inventory'], actual['inventory'])
    assert problems == [], 'after the faults and the run without one, the system differs from a clean run\'s:\n' + '\n'.join(problems[:20])
