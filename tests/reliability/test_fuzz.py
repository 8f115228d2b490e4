# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fuzzed arguments (issue 8): hypothesis-generated options for every module of plugins/modules,
run through the real ansible-playbook against simulated GZs (modules run on the GZ over SSH).

For every case:

- no traceback reaches the user (no ``exception``, no ``module_stderr`` with a Python exception,
  no "MODULE FAILURE", no "Traceback" in the result or in ansible-playbook's output);
- a failure's ``msg`` names the bad option (one of the case's options, or a required one it
  lacks) or contains the offending value;
- a failed run leaves the simulator's state byte-identical (digest of the state dir before and
  after the task, by callback_plugins/reliability_recorder.py);
- a successful run (some cases are valid) is only held to the first rule.

The options of a module come from its DOCUMENTATION (type, elements, choices, aliases,
required), so a new module is fuzzed without a change here. Each option's values mix plausible
ones (pools below, so that cases get past argument parsing into the module's logic: existing
images, VMs, datasets and nic tags of the fuzz GZ) with hostile ones: wrong types, empty and
huge strings, unicode, shell metacharacters, Jinja, huge/negative/NaN numbers, unknown keys.
A case is plausible throughout, has exactly one hostile option (or an unknown key), or is
chaos (see module_case).

Cases are drawn by hypothesis with a fixed seed (``RELIABILITY_FUZZ_SEED``, default 20261125),
``RELIABILITY_FUZZ_CASES`` per module (default 5: the whole suite stays within its CI budget);
all cases of a module run as the tasks of one playbook, the modules split over the two GZs of the
bed, both playbooks at once. Objects a case may create are named ``fz-*`` or live under
``/var/tmp/fz-*``; paths a module writes to are never generated outside ``/var/tmp``.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings, strategies as st

from conftest import REPO, SUMMARY, traceback_problems

MODULES_DIR = os.path.join(REPO, 'plugins', 'modules')
CASES = int(os.environ.get('RELIABILITY_FUZZ_CASES', '5'))
SEED = int(os.environ.get('RELIABILITY_FUZZ_SEED', '20261125'))
TASK_TIMEOUT = 120

BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'       # base-64-lts 24.4.1 (simulator catalogue)
MINIMAL = 'minimal-64-lts'
FZ_VM_UUID = '0f0f0f0f-1111-4222-8333-444455556666'

# A manifest that imports (a contract service sleeping in the background): a valid `content`.
MANIFEST = '''<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="site-fz-svc">
  <service name="site/fz-svc" type="service" version="1">
    <create_default_instance enabled="true"/>
    <exec_method type="method" name="start" exec="/bin/sleep 600 &amp;" timeout_seconds="10"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="10"/>
  </service>
</service_bundle>
'''

# ------------------------------------------------------------------ the modules' options


def module_options():
    """{module: {option: spec}} from every module's DOCUMENTATION."""
    found = {}
    for filename in sorted(os.listdir(MODULES_DIR)):
        if not filename.endswith('.py') or filename.startswith('_'):
            continue
        with open(os.path.join(MODULES_DIR, filename), encoding='utf-8') as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
                doc = yaml.safe_load(node.value.value)
                found[filename[:-3]] = doc.get('options') or {}
    return found


OPTIONS = module_options()

# ------------------------------------------------------------------ values

SHELL = ['; rm -rf /var/tmp/fz-pwned', '$(touch /var/tmp/fz-pwned)', '`id`', 'a|b', 'a && b', 'a\nb', "it's", '"q"',
         'back\\slash', '>/var/tmp/fz-out', '*', '?', '~root', '#', '-rf', '--help', '-o', '{{ 7 * 7 }}', '{% raw %}',
         '%s%n%x', '\x00', '\t', '\u202eevil', '\u2603', 'z\u00fcrich', '\U0001f600', '\ufeff', '..', '../../etc/passwd',
         '', ' ', 'None', 'null', 'true', '0', '-1', 'x' * 300, 'y' * 5000]
BAD_NUMBERS = [0, -1, -2 ** 31, 2 ** 31, 2 ** 63, 2 ** 64 + 1, -(10 ** 30), 10 ** 100, 0.5, -0.0, 1e308, float('inf'),
               float('-inf'), float('nan'), '12abc', '', ' ', '0x1f', '1e3', '1_000', 'ten', '\u0663', [1], {'a': 1}, True]
BAD_BOOLS = ['maybe', '', 'yes please', 2, -1, 0.5, [True], {'a': 1}, 'None']
BAD_CONTAINERS = ['a=b', 'not a dict', '', 5, 2.5, True, ['a=b'], '{"a": }']

WRITE_PATHS = {('storage', 'backup_dir'), ('smf', 'persist_dir')}

POOLS = {
    ('image', 'image'): [BASE, 'base-64-lts@24.4.1', 'base-64-lts', MINIMAL, 'minimal-64-lts@24.4.1',
                         'ubuntu-22.04', 'fz-no-such-image', 'base-64-lts@99.9', BASE.upper(), 'urn:uuid:' + BASE],
    ('image', 'source'): ['https://images.smartos.org', 'http://127.0.0.1:9/', 'ftp://x', 'not a url'],
    ('image_info', 'uuid'): [BASE, BASE.upper(), 'not-a-uuid'],
    ('image_info', 'name'): ['base-64-lts', 'minimal-64-lts', 'fz-none'],
    ('image_info', 'version'): ['24.4.1', '23.4.0', '0'],
    ('image_info', 'os'): ['smartos', 'linux', 'other'],
    ('image_info', 'type'): ['zone-dataset', 'lx-dataset', 'zvol', 'docker'],
    ('compute', 'id'): [FZ_VM_UUID, '0f0f0f0f-2222-4222-8333-444455556666', 'urn:uuid:' + FZ_VM_UUID, 'not-a-uuid'],
    ('compute', 'title'): ['fz-web', 'fz-new', 'fz-new2', '~fz', 'fz web', 'fz-web*'],
    ('compute', 'os_tpl'): [BASE, 'base-64-lts@24.4.1', 'base-64-lts', MINIMAL, 'fz-no-image', 'ubuntu-22.04'],
    ('compute', 'resource_tpl'): ['small', 'large', 'fz-none'],
    ('compute', 'resource_templates'): [{'small': {'cores': 1, 'memory': 0.25}}, {'small': {'memory': -1}},
                                        {'small': 'tiny'}, {'small': {'cores': 'x', 'bogus': 1}}],
    ('compute', 'resource_templates_file'): ['/opt/smartstack/resource_templates.json', '/etc/passwd', '/nonexistent/x.json',
                                             '/var/tmp'],
    ('compute', 'hostname'): ['fz-web.example.com', 'fz_bad host', 'a' * 300],
    ('compute', 'cores'): [1, 2, 64, 100000],
    ('compute', 'memory'): [0.25, 0.5, 1, 1e-9, 4096],
    ('compute', 'share'): [100, 1, 0],
    ('compute', 'tags'): [{'role': 'fz'}, {'role': None}, {'': 'x'}, {'k': [1, 2]}],
    ('compute', 'customer_metadata'): [{'user-script': 'true'}, {'k': None}, {'k': {'nested': 1}}],
    ('compute', 'secret_metadata'): [{'db_password': 'fz-secret'}, {'': ''}],
    ('compute', 'properties'): [{'quota': 10}, {'autoboot': False}, {'fz_unknown_prop': 1}, {'zpool': 'fz'},
                                {'max_physical_memory': -5}, {'brand': 'kvm'}, {'uuid': 'x'}],
    ('compute', 'nics'): [[{'nic_tag': 'admin', 'ips': ['10.9.0.21/24']}], [{'nic_tag': 'fz-nope'}], [{}], ['admin'],
                          [{'nic_tag': 'admin', 'ips': ['999.1.1.1/99']}]],
    ('compute', 'disks'): [[{'size': 1024}], [{'size': -1}], [{'image_uuid': BASE}], ['x']],
    ('compute', 'timeout'): [10, 0, -1],
    ('compute_info', 'id'): [FZ_VM_UUID, 'not-a-uuid'],
    ('compute_info', 'title'): ['fz-web', '~fz', 'fz-none'],
    ('compute_info', 'filters'): [{'brand': 'joyent'}, {'ram': 256}, {'': None}, {'a;b': '$(id)'}],
    ('storage', 'name'): ['zones/fz-data', 'zones/fz-new', 'zones/fz-data/child', 'zones/fz-vol', 'zones/fz-data@snap',
                          'fz-nopool/x', 'zones/fz-data/', '/zones/fz-data'],
    ('storage', 'title'): ['fz-data', 'fz-new', 'fz-vol'],
    ('storage', 'parent'): ['zones', 'zones/fz-data', 'fz-nopool', 'zones/fz-missing'],
    ('storage', 'size'): [1, 0.5, 2, 1e-6, 1e6],
    ('storage', 'properties'): [{'compression': 'lz4'}, {'com.example:owner': 'fz'}, {'quota': '1G'},
                                {'fz_bad': 'x'}, {'mountpoint': '/var/tmp/fz-mnt'}, {'volsize': '-1'}, {'readonly': True}],
    ('storage', 'snapshot'): ['fz-snap', 'bad@name', 'fz snap'],
    ('storage', 'backup_dir'): ['/var/tmp/fz-backup'],
    ('storage_info', 'name'): ['zones', 'zones/fz-data', 'fz-nopool', 'zones/fz-data@snap'],
    ('storage_info', 'depth'): [0, 1, 5],
    ('storage_info', 'properties'): [['used', 'quota'], ['fz_bad'], ['all'], ['name']],
    ('storage_info', 'filters'): [{'type': 'filesystem'}, {'used': 0}, {'': ''}],
    ('network', 'label'): ['fz0', 'fznet', 'fzstub0', 'fz-bad', 'x' * 31, 'stub01'],
    ('network', 'vlan'): [0, 1, 100, 4094, 4095],
    ('network', 'link'): ['e1000g1', 'e1000g0', 'fz-nolink0', '00:11:22:33:44:55'],
    ('network', 'address'): ['10.77.0.0/24', '10.77.0.7/24', 'fd00:77::/64', '10.77.0.0/33', '300.0.0.0/8', '10.77.0.0'],
    ('network', 'gateway'): ['10.77.0.1', '10.77.0.0', '10.77.0.255', '10.99.0.1', 'gw'],
    ('network', 'resolvers'): [['10.77.0.53'], ['8.8.8.8', '1.1.1.1'], ['not-an-ip'], []],
    ('network', 'title'): ['fz network', 'fz-net'],
    ('link_info', 'source'): ['fz-web', FZ_VM_UUID, 'urn:uuid:' + FZ_VM_UUID, '/compute/' + FZ_VM_UUID, 'fz-none', '~fz'],
    ('network_info', 'label'): ['admin', 'external', 'fzstub0', 'fz-none'],
    ('link', 'source'): ['fz-web', FZ_VM_UUID, 'urn:uuid:' + FZ_VM_UUID, '/compute/' + FZ_VM_UUID, 'fz-none'],
    ('link', 'target'): ['admin', 'external', 'external.100', '/network/admin', 'fzstub0', 'zones/fz-data',
                         '/storage/zones/fz-data', 'fz-none'],
    ('link', 'interface'): ['net0', 'net1', 'net99', 'eth0'],
    ('link', 'mac'): ['02:08:20:aa:bb:cc', 'zz:zz', '02:08:20:AA:BB:CC'],
    ('link', 'address'): ['10.9.0.30', '10.9.0.31/24', '999.0.0.1', 'dhcp'],
    ('link', 'gateway'): ['10.9.0.1', 'nope'],
    ('link', 'model'): ['virtio', 'e1000', 'nvme', 'fz'],
    ('link', 'mtu'): [1500, 9000, 576, 0, 65536],
    ('link', 'mountpoint'): ['/fz-data', 'relative', '/', '/fz data'],
    ('link', 'properties'): [{'allow_mac_spoofing': True}, {'fz_bad': 1}, {'nic_tag': 'x'}],
    ('smf', 'name'): ['site/fz-svc', 'svc:/site/fz-svc:default', 'svc:/site/fz-none', 'fz', 'svc:/', 'site/fz-*'],
    ('smf', 'manifest'): ['/etc/passwd', '/nonexistent/fz.xml', '/var/tmp'],
    ('smf', 'content'): [MANIFEST, '<service_bundle/>', '<?xml version="1.0"?><nope', MANIFEST.replace('site/fz-svc', '$(id)')],
    ('smf', 'persist_dir'): ['/var/tmp/fz-smf'],
    ('smf', 'timeout'): [5, 0, -1],
    ('smf', 'log_lines'): [0, 5, -1, 10 ** 9],
    ('smf_info', 'name'): [['network/ssh'], ['svc:/site/fz-none'], ['*'], ['svc:/system/*']],
}


def _text_hostile(valid):
    prefixed = st.builds(lambda base, bad: base + bad, st.sampled_from(valid or ['fz']), st.sampled_from(SHELL))
    return st.one_of(st.sampled_from(SHELL), st.text(max_size=24), prefixed, st.sampled_from([[1, 2], {'a': 1}, None]))


def _write_path():
    safe = st.text(max_size=16).map(lambda t: '/var/tmp/fz-' + t.replace('/', '_').replace('..', '_').replace('\x00', '_'))
    return st.one_of(safe, st.sampled_from(['', ' ', '/var/tmp/fz;touch x', '/var/tmp/fz\nx', '/dev/null/fz', 5, [1]]))


def _scalar():
    return st.one_of(st.none(), st.booleans(), st.integers(-2 ** 65, 2 ** 65), st.floats(), st.text(max_size=12),
                     st.sampled_from(SHELL))


def _valid(spec):
    kind = spec.get('type', 'str')
    if spec.get('choices'):
        return list(spec['choices'])
    if kind == 'bool':
        return [True, False]
    if kind == 'int':
        return [0, 1, 10]
    if kind == 'float':
        return [0.5, 1, 2]
    if kind == 'dict':
        return [{'fz': 'x'}]
    if kind == 'list':
        return [['fz']]
    return ['fz']


def value_strategies(module, option, spec):
    """(plausible, hostile) strategies for one option."""
    kind = spec.get('type', 'str')
    valid = POOLS.get((module, option)) or _valid(spec)
    if spec.get('choices') and (module, option) not in POOLS:
        valid = list(spec['choices'])
    if (module, option) in WRITE_PATHS:
        hostile = _write_path()
    elif kind in ('int', 'float'):
        hostile = st.one_of(st.sampled_from(BAD_NUMBERS), st.integers(-2 ** 70, 2 ** 70),
                            st.floats() if kind == 'float' else st.integers(-100, 100))
    elif kind == 'bool':
        hostile = st.sampled_from(BAD_BOOLS)
    elif kind == 'dict':
        hostile = st.one_of(st.sampled_from(BAD_CONTAINERS),
                            st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(SHELL[:20])), _scalar(), max_size=3))
    elif kind == 'list':
        if spec.get('elements') == 'dict':
            element = st.one_of(st.dictionaries(st.text(max_size=8), _scalar(), max_size=3), _scalar())
        else:
            element = st.one_of(st.sampled_from(SHELL), st.text(max_size=12), st.sampled_from(valid[0] if isinstance(valid[0], list) else valid))
        hostile = st.one_of(st.lists(element, max_size=3), st.sampled_from(BAD_CONTAINERS))
    else:
        hostile = _text_hostile([v for v in valid if isinstance(v, str)])
    return st.sampled_from(valid), hostile


# required_one_of groups (in the modules' code, not in DOCUMENTATION): a case names one most of the time
IDENTITY = {'compute': ['id', 'title'], 'storage': ['name', 'title'], 'smf': ['name', 'content', 'manifest']}

UNKNOWN_KEYS = ['fz_unknown', 'Name', 'state ', 'nmae', '$(id)', 'x' * 60, '\u2603', 'ansible_python_interpreter']


@st.composite
def module_case(draw, module):
    """One task's options for ``module``: some of its options (its required ones most of the time),
    an alias now and then. A case is plausible (every value from the pools: a quarter of the
    cases, they reach the module's logic and some succeed), has exactly one hostile option or an
    unknown key (half of them), or is chaos (each option hostile or not)."""
    options = OPTIONS[module]
    names = sorted(options)
    chosen = set(draw(st.lists(st.sampled_from(names), max_size=min(5, len(names)), unique=True))) if names else set()
    for name, spec in options.items():
        if spec.get('required') and draw(st.integers(0, 9)) < 9:
            chosen.add(name)
    group = [name for name in IDENTITY.get(module, []) if name in options]
    if group and not chosen & set(group) and draw(st.integers(0, 9)) < 9:
        chosen.add(draw(st.sampled_from(group)))
    kind = draw(st.sampled_from(['plausible'] * 5 + ['one bad'] * 10 + ['chaos'] * 5))
    bad = set()
    if kind == 'one bad' and chosen and draw(st.integers(0, 5)):
        bad = {draw(st.sampled_from(sorted(chosen)))}
    elif kind == 'chaos':
        bad = set(name for name in chosen if draw(st.booleans()))
    case = {}
    for name in sorted(chosen):
        spec = options[name]
        key = name
        aliases = spec.get('aliases') or []
        if aliases and draw(st.integers(0, 4)) == 0:
            key = draw(st.sampled_from(aliases))
        plausible, hostile = value_strategies(module, name, spec)
        case[key] = draw(hostile if name in bad else plausible)
    if (kind == 'one bad' and not bad) or (kind == 'chaos' and draw(st.integers(0, 3)) == 0):
        case[draw(st.sampled_from(UNKNOWN_KEYS))] = draw(_scalar())
    return case


# Cases that found a defect once (/work/notes/defects.md), run before the drawn ones whatever the
# seed and count, so that the test stays red until the module is fixed, and green after.
REGRESSIONS = {
    'smf': [{'content': '\u6cf0\x05\xc0k', 'state': 'enabled'}],
    'storage_info': [{'filters': {'': ''}}],
    'compute_info': [{'filters': {'': None}}, {'filters': 'a=b', 'title': 'fz-web'}],
}


def draw_cases(module, count, fuzz_seed):
    """``count`` cases for ``module``, the same on every run with the same seed (no shrinking: the
    cases only feed a playbook)."""
    cases, seen = [], set()

    @seed(fuzz_seed)
    @settings(max_examples=count * 3, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(module_case(module))
    def collect(case):
        key = json.dumps(case, sort_keys=True, default=repr)
        if key not in seen and len(cases) < count:
            seen.add(key)
            cases.append(case)

    collect()
    return cases


# ------------------------------------------------------------------ judging a result

def _scalars(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def _renderings(value):
    """How a value may appear in a message."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        out = [repr(value), str(value)]
        if isinstance(value, float) and math.isfinite(value) and value == int(value):
            out.append(str(int(value)))
        if isinstance(value, int) and abs(value) < 10 ** 300:
            out.append(str(float(value)))
        return out
    text = str(value)
    return [text, json.dumps(text)[1:-1], repr(text)[1:-1], text.strip()]


def names_offender(module, case, msg):
    """The failure message names one of the case's options (or nested keys), a required option the
    case lacks, or contains one of the case's values."""
    low = msg.lower()
    for key in case:
        if re.search(r'(?<![a-z0-9_])%s(?![a-z0-9_])' % re.escape(key.lower().strip()), low) and key.strip():
            return True
    for value in _scalars(case):
        for text in _renderings(value):
            if len(text.strip()) >= 2 and text in msg:
                return True
    if re.search(r'required|mutually exclusive|one of|only (used )?with|needs|requires', low):
        for name, spec in OPTIONS[module].items():
            for word in [name] + list(spec.get('aliases') or []):
                if re.search(r'(?<![a-z0-9_])%s(?![a-z0-9_])' % re.escape(word), low):
                    return True
    return False


# ansible-core's own argument validation, before any code of the collection runs: check_type_int
# does int(decimal.Decimal(value)) and catches ValueError but not the OverflowError of an infinite
# float (ansible-core 2.19 module_utils/common/validation.py), so AnsibleModule() dies with
# "cannot convert Infinity to integer" without naming the option. Not the collection's to fix:
# counted apart (UPSTREAM) instead of failing the module's test.
UPSTREAM = re.compile(r'^(Task failed: Module failed: )?cannot convert (-?Infinity|NaN) to integer$')


def upstream_issue(module, case, record):
    """The failure is ansible-core's (see UPSTREAM), for an infinite value of an int option."""
    msg = str(record['result'].get('msg', ''))
    if record['status'] != 'failed' or not UPSTREAM.match(msg):
        return False
    options = OPTIONS[module]
    for key, value in case.items():
        spec = options.get(key) or next((s for s in options.values() if key in (s.get('aliases') or [])), {})
        if spec.get('type') == 'int' and isinstance(value, float) and math.isinf(value):
            return True
    return False


def judge(module, case, record):
    """The problems of one case's record (empty: the module behaved)."""
    problems = ['traceback: ' + p for p in traceback_problems(record)]
    result = record['result']
    if record['status'] == 'unreachable':
        problems.append('unreachable: %s' % result.get('msg'))
    if record['status'] == 'failed':
        msg = str(result.get('msg', ''))
        if upstream_issue(module, case, record):
            pass
        elif not names_offender(module, case, msg):
            problems.append('the failure does not name the bad option or value: %r' % msg[:400])
        if record['changed_files']:
            problems.append('the failed run changed the state: %s' % ', '.join(record['changed_files']))
    return problems


# ------------------------------------------------------------------ the runs

def _setup_fuzz_gz(sim):
    """What fuzz cases find on a GZ: an image, a VM fz-web (uuid FZ_VM_UUID) with a NIC on admin,
    a dataset zones/fz-data with a snapshot, an etherstub nic tag fzstub0."""
    assert sim.sim('imgadm', 'import', '-q', BASE).returncode == 0
    if sim.sim('vmadm', 'get', FZ_VM_UUID).returncode != 0:
        payload = dict(uuid=FZ_VM_UUID, brand='joyent', image_uuid=BASE, alias='fz-web', max_physical_memory=256,
                       nics=[dict(nic_tag='admin', ip='10.9.0.5', netmask='255.255.255.0', gateway='10.9.0.1', primary=True)])
        result = sim.sim('vmadm', 'create', stdin=json.dumps(payload))
        assert result.returncode == 0, result.stderr
    if sim.sim('zfs', 'list', 'zones/fz-data').returncode != 0:
        assert sim.sim('zfs', 'create', 'zones/fz-data').returncode == 0
        assert sim.sim('zfs', 'snapshot', 'zones/fz-data@snap').returncode == 0
    if sim.sim('nictagadm', 'exists', 'fzstub0').returncode != 0:
        assert sim.sim('nictagadm', 'add', '-l', 'fzstub0').returncode == 0


def _tasks(module, cases):
    tasks = []
    for index, case in enumerate(cases):
        tasks.append({'name': 'fz %s %d' % (module, index), 'smartstack.smartos.%s' % module: case,
                      'ignore_errors': True, 'timeout': TASK_TIMEOUT})
    return tasks


class FuzzRun:
    def __init__(self):
        self.cases = {}     # module -> [case]
        self.records = {}   # module -> [record or None]
        self.outputs = []   # (gz, PlaybookRun)


@pytest.fixture(scope='module')
def fuzz_run(sim_gz, sim_gz2):
    """Every module's cases, run once: modules alternate between gz1 and gz2; one playbook per GZ,
    both at once."""
    run = FuzzRun()
    split = {sim_gz.name: [], sim_gz2.name: []}
    for index, module in enumerate(sorted(OPTIONS)):
        run.cases[module] = REGRESSIONS.get(module, []) + draw_cases(module, CASES, SEED + index)
        split[(sim_gz, sim_gz2)[index % 2].name].append(module)
    pending = []
    for sim in (sim_gz, sim_gz2):
        _setup_fuzz_gz(sim)
        tasks = []
        for module in split[sim.name]:
            tasks += _tasks(module, run.cases[module])
        pending.append((sim, pending_run(sim, tasks)))
    for sim, waiting in pending:
        played = waiting.wait()
        run.outputs.append((sim, played))
        by_task = dict((r['task'], r) for r in played.records)
        for module in split[sim.name]:
            run.records[module] = [by_task.get('fz %s %d' % (module, i)) for i in range(len(run.cases[module]))]
    if os.environ.get('RELIABILITY_FUZZ_DUMP'):
        with open(os.environ['RELIABILITY_FUZZ_DUMP'], 'w', encoding='utf-8') as handle:
            json.dump(dict(cases=run.cases, records=run.records), handle, default=repr)
    tried = sum(len(c) for c in run.cases.values())
    failed = upstream = misbehaved = 0
    for module, records in run.records.items():
        for case, record in zip(run.cases[module], records):
            if record is None:
                continue
            failed += record['status'] == 'failed'
            upstream += upstream_issue(module, case, record)
            misbehaved += bool(judge(module, case, record))
    SUMMARY.append('fuzz: %d cases over %d modules (seed %d, %d drawn per module + %d regression cases): %d refused, '
                   '%d succeeded; %d misbehaved (defects), %d hit the ansible-core int validation issue'
                   % (tried, len(run.cases), SEED, CASES, sum(len(c) for c in REGRESSIONS.values()), failed, tried - failed,
                      misbehaved, upstream))
    return run


def pending_run(sim, tasks):
    return sim.start_playbook(tasks, timeout=900)


def test_every_module_is_fuzzed():
    """The modules found are the collection's (a module without DOCUMENTATION options would be missed)."""
    assert {'compute', 'compute_info', 'image', 'image_info', 'link', 'network', 'network_info', 'smf', 'smf_info',
            'storage', 'storage_info'} <= set(OPTIONS)
    for module, options in OPTIONS.items():
        assert options or module.endswith('_info'), module


def test_cases_are_reproducible():
    """The same seed draws the same cases (CI and a local rerun agree)."""
    assert draw_cases('storage', 5, SEED) == draw_cases('storage', 5, SEED)


def test_playbooks_show_no_traceback(fuzz_run):
    """What the user sees of every fuzz playbook: no Python traceback, no MODULE FAILURE."""
    for sim, played in fuzz_run.outputs:
        text = played.stdout + played.stderr
        assert 'Traceback (most recent call last)' not in text and 'MODULE FAILURE' not in text, '%s\n%s' % (sim, played.why())
        assert played.rc == 0, '%s: ansible-playbook failed outside the cases\n%s' % (sim, played.why())


@pytest.mark.parametrize('module', sorted(OPTIONS))
def test_fuzzed_module(fuzz_run, module):
    """Every case of the module ran, and each behaved (see the module docstring)."""
    problems = []
    for index, (case, record) in enumerate(zip(fuzz_run.cases[module], fuzz_run.records[module])):
        if record is None:
            problems.append('case %d did not run: %s' % (index, json.dumps(case, default=repr)[:300]))
            continue
        for problem in judge(module, case, record):
            problems.append('case %d %s\n    -> %s' % (index, json.dumps(case, default=repr, ensure_ascii=False)[:600], problem))
    total = len(fuzz_run.cases[module])
    assert not problems, '%s: %d of %d cases misbehaved:\n%s' % (module, len(problems), total, '\n'.join(problems))
