# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Security (issue 8): no shell built from input, secrets kept out of results and logs, hostile
values escaped, temporary files private and removed, host keys checked.

- **Static** (the source of plugins/, by its syntax tree): no ``use_unsafe_shell``, no
  ``shell=True``, no ``os.system``/``os.popen``/``os.exec*``/``os.spawn*``/``pty``; ``run_command``
  is called in one place (smartos/command.py) with an argument list; a subprocess of the
  controller-side plugins gets a list; the only shell text is command.py's constant
  ``REDIRECT_SCRIPT``, whose values are positional parameters; the watchdog program is a constant
  run with its values as arguments; the ssh command lines of zlogin and the zones inventory quote
  every value (and hostile values survive the round trip).
- **Secrets**: ``secret_metadata`` of compute (create, change, a NIC added by link on the same
  VM) never appears in ``ansible-playbook -vvv`` output, in the task results, in the simulator's
  command log or in any file of the GZ but the VM's own store; nova.conf's passwords are hidden
  by the role's ``no_log`` (static check of its tasks).
- **Rendering**: a hostile network title survives the network store (JSON) unchanged; nova.conf
  rendered from hostile values parses back to exactly those values (no option or section
  injected), and the role's own check (its validate.yml task) refuses a value with line breaks
  without showing it. No module renders XML: smf takes the manifest text as given.
- **Temporary files**: the manifest smf writes for ``content`` and the ``.partial`` stream of a
  storage backup are 0600 while they exist (seen during an injected hang) and gone afterwards;
  a finished backup stream is 0600.
- **Host keys**: the zlogin connection checks the GZ's host key unless told not to
  (``smartos_gz_host_key_checking: false``): a GZ whose key is unknown is refused; the reliability
  bed's inventory checks keys too.
"""

from __future__ import annotations

import ast
import configparser
import glob
import importlib.util
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from conftest import REPO, SUMMARY, ansible_env, traceback_problems  # noqa: E402  pylint: disable=wrong-import-position

PLUGINS = os.path.join(REPO, 'plugins')
COMMAND_PY = os.path.join(PLUGINS, 'module_utils', 'smartos', 'command.py')
BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'       # base-64-lts 24.4.1 (simulator catalogue)

# Strings that would make a shell (or run arbitrary programs) out of input.
FORBIDDEN_CALLS = {('os', 'system'), ('os', 'popen'), ('os', 'execl'), ('os', 'execlp'), ('os', 'execv'), ('os', 'execvp'),
                   ('os', 'execve'), ('os', 'execvpe'), ('os', 'spawnl'), ('os', 'spawnv'), ('os', 'spawnvp'),
                   ('os', 'posix_spawn'), ('os', 'posix_spawnp'), ('subprocess', 'getoutput'),
                   ('subprocess', 'getstatusoutput'), ('pty', 'spawn'), ('commands', 'getoutput')}
SUBPROCESS_CALLS = {'run', 'Popen', 'call', 'check_call', 'check_output'}
# Controller-side plugins that may start processes (ssh) themselves.
SUBPROCESS_ALLOWED = {os.path.join('connection', 'zlogin.py'), os.path.join('inventory', 'zones.py')}

HOSTILE = ['a b', "it's", 'say "hi"', '$(touch /tmp/sec-pwned)', '`id`', 'x; rm -rf /', 'a|b', 'a&&b', '*', '~root',
           '$HOME', '${IFS}', 'new\nline', 'tab\there', '-rf', '--', '\\', "'\"'", 'ü€\u2028', '']


def plugin_files():
    for path in sorted(glob.glob(os.path.join(PLUGINS, '**', '*.py'), recursive=True)):
        yield os.path.relpath(path, PLUGINS), path


def _tree(path):
    with open(path, encoding='utf-8') as handle:
        return ast.parse(handle.read(), filename=path)


def _dotted(node):
    """``os.system`` -> ('os', 'system'); None for anything else."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return (node.value.id, node.attr)
    return None


def _is_false(node):
    return isinstance(node, ast.Constant) and node.value is False


def _is_string_built(node):
    """A command given as one string (literal, f-string, % or + or .format of strings)."""
    if isinstance(node, (ast.JoinedStr,)) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _is_string_built(node.left) or _is_string_built(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ('format', 'join'):
        return isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
    return False


# --------------------------------------------------------------------------- static

def test_no_shell_primitives_in_plugins():
    """No shell=True, use_unsafe_shell, os.system/popen/exec*/spawn*, pty, commands anywhere in plugins/."""
    problems = []
    checked = 0
    for rel, path in plugin_files():
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            checked += 1
            for keyword in node.keywords:
                if keyword.arg in ('use_unsafe_shell', 'shell') and not _is_false(keyword.value):
                    problems.append('%s:%d: %s=%s' % (rel, node.lineno, keyword.arg, ast.unparse(keyword.value)))
            if _dotted(node.func) in FORBIDDEN_CALLS:
                problems.append('%s:%d: %s' % (rel, node.lineno, ast.unparse(node.func)))
    assert checked > 500, 'the scan saw too few calls (%d): is plugins/ there?' % checked
    assert problems == []


def test_run_command_only_in_command_py_with_an_argument_list():
    """Modules run tools through CommandRunner only: ``run_command`` appears in smartos/command.py
    alone, and every call there passes a variable built as a list, never a string."""
    calls = []
    for rel, path in plugin_files():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'run_command':
                calls.append((rel, node))
    assert sorted(set(rel for rel, _node in calls)) == [os.path.join('module_utils', 'smartos', 'command.py')]
    tree = _tree(COMMAND_PY)
    list_names = set()
    for node in ast.walk(tree):
        # argv = self.watched([...] + [...], limit): a list built from lists
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == 'watched':
            first = node.value.args[0]
            assert isinstance(first, (ast.List, ast.BinOp)) and not _is_string_built(first), ast.unparse(first)
            list_names.add(node.targets[0].id)
    for _rel, node in calls:
        assert isinstance(node.args[0], ast.Name) and node.args[0].id in list_names, ast.unparse(node)
        assert not any(k.arg == 'use_unsafe_shell' for k in node.keywords)


def test_controller_subprocesses_get_argument_lists():
    """The controller-side plugins (zlogin connection, zones inventory) start ssh from lists only."""
    problems, seen = [], 0
    for rel, path in plugin_files():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and _dotted(node.func) and _dotted(node.func)[0] == 'subprocess' \
                    and _dotted(node.func)[1] in SUBPROCESS_CALLS:
                seen += 1
                if rel not in SUBPROCESS_ALLOWED:
                    problems.append('%s:%d: %s in a module or module_utils' % (rel, node.lineno, ast.unparse(node.func)))
                if node.args and _is_string_built(node.args[0]):
                    problems.append('%s:%d: a command string' % (rel, node.lineno))
    assert seen >= 4 and problems == []


def test_the_only_shell_text_is_the_constant_redirect_script():
    """'/bin/sh' appears once in plugins/ (command.py), as ``['/bin/sh', '-c', REDIRECT_SCRIPT,
    '<name>', <values>...]``; REDIRECT_SCRIPT is a constant that only expands positional
    parameters and is never formatted; the watchdog is a constant program run by the module's
    Python with ``-c``, its values as arguments."""
    shells = []
    for rel, path in plugin_files():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r'(^|/)(ba|k|z|da)?sh$', node.value):
                shells.append((rel, node.lineno, node.value))
    assert [(rel, value) for rel, _line, value in shells] == [(os.path.join('module_utils', 'smartos', 'command.py'), '/bin/sh')]
    tree = _tree(COMMAND_PY)
    assignments = [n for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)]
    script = [n for n in assignments if n.targets[0].id == 'REDIRECT_SCRIPT']
    assert len(script) == 1 and isinstance(script[0].value, ast.Constant), 'REDIRECT_SCRIPT must be one constant'
    text = script[0].value.value
    # every expansion is a positional parameter ($1, $2, "$@") or a variable the script set from one: nothing
    # from the environment, no command substitution
    own = set(re.findall(r'(?:^|;)\s*(\w+)=\$\d', text))
    expansions = re.findall(r'\$\{?(\w+|@)', text)
    assert own == {'in', 'out'} and expansions and all(name.isdigit() or name == '@' or name in own for name in expansions), text
    assert '`' not in text and '$(' not in text
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == 'REDIRECT_SCRIPT' and isinstance(n.ctx, ast.Load)]
    assert len(uses) == 1
    lists = [n for n in ast.walk(tree) if isinstance(n, ast.List) and any(isinstance(e, ast.Name) and e.id == 'REDIRECT_SCRIPT' for e in n.elts)]
    assert len(lists) == 1
    elts = lists[0].elts
    assert [ast.literal_eval(e) for e in elts[:2]] == ['/bin/sh', '-c'] and elts[2].id == 'REDIRECT_SCRIPT'
    assert isinstance(elts[3], ast.Constant), 'the $0 of the script is a constant name'
    # the watchdog: a constant (built from constants at import), run as [python, -I, -c, WATCHDOG_SCRIPT, limit, argv...]
    watchdog = [n for n in assignments if n.targets[0].id == 'WATCHDOG_SCRIPT']
    assert len(watchdog) == 1
    for node in ast.walk(watchdog[0].value):
        if isinstance(node, ast.Name):
            assert node.id in ('TIMEOUT_MARK', 'TIMEOUT_RC', 'str'), 'WATCHDOG_SCRIPT uses %s' % node.id
    lists = [n for n in ast.walk(tree) if isinstance(n, ast.List) and any(isinstance(e, ast.Name) and e.id == 'WATCHDOG_SCRIPT' for e in n.elts)]
    assert len(lists) == 1 and ast.unparse(lists[0]).startswith("[sys.executable, '-I', '-c', WATCHDOG_SCRIPT")
    spec = importlib.util.spec_from_file_location('sec_command', COMMAND_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    compile(module.WATCHDOG_SCRIPT, 'watchdog', 'exec')
    assert 'sys.argv[1]' in module.WATCHDOG_SCRIPT and 'sys.argv[3:]' in module.WATCHDOG_SCRIPT
    assert 'shell' not in module.WATCHDOG_SCRIPT and 'eval' not in module.WATCHDOG_SCRIPT


def test_redirect_script_keeps_hostile_values_as_data(tmp_path):
    """Run the real REDIRECT_SCRIPT with hostile file names and arguments: each arrives as one
    argument, none is executed."""
    spec = importlib.util.spec_from_file_location('sec_command2', COMMAND_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    canary = tmp_path / 'pwned'
    hostile = [v.replace('/tmp/sec-pwned', 'pwned') for v in HOSTILE if v]
    source = tmp_path / 'in $(touch pwned) `touch pwned`; x'
    source.write_text('payload\n', encoding='utf-8')
    target = tmp_path / 'out; touch pwned'
    printer = [sys.executable, '-c', 'import json, sys; print(json.dumps(sys.argv[1:])); print(sys.stdin.read(), end="")']
    proc = subprocess.run(['/bin/sh', '-c', module.REDIRECT_SCRIPT, 'smartstack-redirect', str(source), str(target)] + printer + hostile,
                          capture_output=True, text=True, check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = target.read_text(encoding='utf-8').splitlines()
    assert json.loads(lines[0]) == hostile and lines[1] == 'payload'
    assert not canary.exists()
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o600


def _load_plugin(rel):
    spec = importlib.util.spec_from_file_location('sec_' + os.path.basename(rel)[:-3], os.path.join(PLUGINS, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ssh_command_lines_quote_every_value():
    """ssh joins its remote arguments with spaces for the GZ's shell: zlogin and the zones inventory
    quote each value, so hostile zone names, users, paths and commands come back as they were."""
    zlogin = _load_plugin(os.path.join('connection', 'zlogin.py'))
    zones = _load_plugin(os.path.join('inventory', 'zones.py'))
    for quote in (zlogin.remote_command, zones._remote_command):  # pylint: disable=protected-access
        for value in HOSTILE:
            argv = ['zlogin', '-l', value, value, 'cat > %s' % shlex.quote(value)]
            assert shlex.split(quote(argv)) == argv
    # every file name put into a zone-shell command by zlogin is shlex.quote'd
    tree = _tree(os.path.join(PLUGINS, 'connection', 'zlogin.py'))
    formatted = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == 'argv' and n.args and isinstance(n.args[0], ast.BinOp)]
    assert len(formatted) == 2
    for call in formatted:
        right = call.args[0].right
        assert isinstance(right, ast.Call) and ast.unparse(right.func) == 'shlex.quote', ast.unparse(call)


def test_host_key_checking_is_on_by_default():
    """zlogin: gz_host_key_checking defaults to true and only an explicit false turns it off; the
    zones inventory likewise; the reliability bed and the ansible runs here check keys."""
    for rel, option in ((os.path.join('connection', 'zlogin.py'), 'gz_host_key_checking'),
                        (os.path.join('inventory', 'zones.py'), 'ssh_host_key_checking')):
        module = _load_plugin(rel)
        doc = yaml.safe_load(module.DOCUMENTATION)
        assert doc['options'][option]['default'] is True, (rel, doc['options'][option])
        with open(os.path.join(PLUGINS, rel), encoding='utf-8') as handle:
            source = handle.read()
        assert "'StrictHostKeyChecking=' + ('yes' if " in source
        assert 'StrictHostKeyChecking=no' not in source
    assert ansible_env()['ANSIBLE_HOST_KEY_CHECKING'] == '1'


# --------------------------------------------------------------------------- against the simulated GZ

def _zone(gz, alias):
    """A running joyent zone made with the simulator's own vmadm (set-up, not under test)."""
    found = gz.sim_json('vmadm', 'lookup', '-j', 'alias=%s' % alias)
    if found:
        return found[0]['uuid']
    assert gz.sim('imgadm', 'import', '-q', BASE).returncode == 0
    payload = json.dumps({'alias': alias, 'brand': 'joyent', 'image_uuid': BASE, 'max_physical_memory': 128})
    result = gz.sim('vmadm', 'create', stdin=payload)
    assert result.returncode == 0, result.stderr
    return re.search(r'Successfully created VM (\S+)', result.stderr).group(1)


def test_zlogin_refuses_an_unknown_gz_host_key(sim_gz, tmp_path):
    """A GZ whose key is not in the known hosts file: refused by default (unreachable, ssh's "Host
    key verification failed"); reached only with ``smartos_gz_host_key_checking: false``; reached
    with the right known hosts file and the default."""
    uuid = _zone(sim_gz, 'sec-zone')
    host = sim_gz.host
    empty = tmp_path / 'known_hosts_empty'
    empty.write_text('', encoding='utf-8')
    explicit_off = tmp_path / 'known_hosts_off'
    explicit_off.write_text('', encoding='utf-8')
    common = {'ansible_connection': 'smartstack.smartos.zlogin', 'smartos_uuid': uuid, 'smartos_gz_host': host.address,
              'smartos_gz_port': host.port, 'smartos_gz_private_key_file': host.run.key}
    inventory = {'all': {'hosts': {
        'sec-default': dict(common, smartos_gz_known_hosts_file=str(empty)),
        'sec-off': dict(common, smartos_gz_known_hosts_file=str(explicit_off), smartos_gz_host_key_checking=False),
        'sec-known': dict(common, smartos_gz_known_hosts_file=host.run.known_hosts)}}}
    inventory_path = tmp_path / 'inventory.yml'
    inventory_path.write_text(yaml.safe_dump(inventory), encoding='utf-8')
    playbook = tmp_path / 'zlogin.yml'
    playbook.write_text(yaml.safe_dump([{'name': 'zlogin', 'hosts': 'all', 'gather_facts': False,
                                         'tasks': [{'name': 'zone name', 'ansible.builtin.raw': 'echo sec-in-zone'}]}]),
                        encoding='utf-8')
    from conftest import _gzhost  # pylint: disable=import-outside-toplevel
    proc = subprocess.run([_gzhost().ansible_playbook(), '-i', str(inventory_path), str(playbook)], capture_output=True,
                          text=True, env=ansible_env(), timeout=300, check=False, cwd=str(tmp_path),
                          stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert re.search(r'sec-default\s*:\s*ok=0 .*unreachable=1', out), out[-3000:]
    assert 'Host key verification failed' in out, out[-3000:]
    assert re.search(r'sec-off\s*:\s*ok=1 .*unreachable=0', out), out[-3000:]
    assert re.search(r'sec-known\s*:\s*ok=1 .*unreachable=0', out), out[-3000:]
    assert empty.read_text(encoding='utf-8') == '', 'the refused connection must not learn the key'
    with open(sim_gz.inventory, encoding='utf-8') as handle:
        assert 'StrictHostKeyChecking=yes' in handle.read()
    assert sim_gz.sim('vmadm', 'delete', uuid).returncode == 0


SECRET = 'sec-S3cr3t-Zq8xW-%d' % os.getpid()
SECRET2 = 'sec-R0tat3d-Kp4vY-%d' % os.getpid()


def _files_containing(root, needles, skip=()):
    found = []
    for top, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.join(top, d).startswith(tuple(skip))]
        for name in names:
            path = os.path.join(top, name)
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except OSError:
                continue
            if any(n.encode('utf-8') in data for n in needles):
                found.append(os.path.relpath(path, root))
    return found


def test_secret_metadata_never_shown(sim_gz):
    """compute with ``secret_metadata`` (create, then a changed secret), a NIC added to the same VM
    by link, all with -vvv: the secret values appear in no task result, nowhere in ansible-playbook's
    output, not in the simulator's command log, and in no file of the GZ but the VM's own store."""
    gz = sim_gz
    sim_gz.clear_faults()
    network = {'label': 'sec0', 'etherstub': True, 'address': '10.78.0.0/24', 'gateway': '10.78.0.1', 'allocation': 'static'}
    vm = {'title': 'sec-vm', 'brand': 'joyent', 'os_tpl': BASE, 'memory': 0.25, 'customer_metadata': {'plain': 'visible'}}
    tasks = [
        {'name': 'sec network', 'smartstack.smartos.network': network},
        {'name': 'sec create', 'smartstack.smartos.compute': dict(vm, secret_metadata={'db_password': SECRET}), 'diff': True},
        {'name': 'sec again', 'smartstack.smartos.compute': dict(vm, secret_metadata={'db_password': SECRET}), 'diff': True},
        {'name': 'sec rotate', 'smartstack.smartos.compute': dict(vm, secret_metadata={'db_password': SECRET2}), 'diff': True},
        {'name': 'sec nic', 'smartstack.smartos.link': {'source': 'sec-vm', 'target': 'sec0'}},
        {'name': 'sec nic gone', 'smartstack.smartos.link': {'source': 'sec-vm', 'target': 'sec0', 'state': 'absent'}},
        {'name': 'sec vm gone', 'smartstack.smartos.compute': {'title': 'sec-vm', 'state': 'absent'}},
        {'name': 'sec network gone', 'smartstack.smartos.network': {'label': 'sec0', 'state': 'absent'}},
    ]
    before = len(gz.commands())
    run = gz.playbook(tasks, args=['-vvv'])
    for record in run.records:
        assert record['status'] == 'ok', '%s: %s' % (record['task'], json.dumps(record['result'])[:1500])
        assert traceback_problems(record) == []
    assert run.rc == 0, run.why()
    assert run['sec create']['result']['changed'] and run['sec rotate']['result']['changed']
    leaks = []
    for secret in (SECRET, SECRET2):
        if secret in run.stdout or secret in run.stderr:
            leaks.append('ansible-playbook -vvv output shows %s' % secret)
        for record in run.records:
            if secret in json.dumps(record['result']):
                leaks.append('the result of %r shows %s' % (record['task'], secret))
    log = json.dumps(gz.commands()[before:])
    leaks += ['the command log shows %s' % s for s in (SECRET, SECRET2) if s in log]
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in run.stdout, 'the secret should show masked in the -vvv output'
    files = _files_containing(gz.state, [SECRET, SECRET2], skip=[os.path.join(gz.state, 'root', 'var', 'svc', 'log')])
    # the VM's own store (vms.json, gone with the VM) is where the secret lives; nothing else may hold it
    leaks += ['%s holds a secret' % f for f in files if f != 'vms.json']
    SUMMARY.append('secrets: 2 secret values through 8 tasks at -vvv; %d leaks' % len(leaks))
    assert leaks == []


def test_nova_conf_passwords_are_not_logged():
    """The nova_compute role writes nova.conf (transport and database passwords) with no_log, and
    its default hides them."""
    role = os.path.join(REPO, 'roles', 'nova_compute')
    if not os.path.isdir(role):
        pytest.fail('roles/nova_compute is missing: nova.conf passwords are not covered')
    with open(os.path.join(role, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        defaults = yaml.safe_load(handle)
    assert defaults.get('nova_compute_no_log') is True
    writes = []
    for path in glob.glob(os.path.join(role, 'tasks', '*.yml')):
        with open(path, encoding='utf-8') as handle:
            tasks = yaml.safe_load(handle) or []
        for task in _all_tasks(tasks):
            action = [k for k in task if k in ('ansible.builtin.template', 'ansible.builtin.copy', 'template', 'copy')]
            if action and 'nova.conf' in json.dumps(task[action[0]]):
                writes.append((os.path.basename(path), task.get('name'), task.get('no_log')))
    assert writes, 'no task of the role writes nova.conf'
    assert all(no_log == '{{ nova_compute_no_log }}' for _path, _name, no_log in writes), writes


def _all_tasks(tasks):
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from _all_tasks(task.get(key))


NOVA_SECRET = 'sec-N0va-Pw-%d' % os.getpid()
NOVA_HOSTILE = {
    'DEFAULT': {'host': 'gz1 # not a comment', 'my_ip': '10.0.0.1"; evil = 1', 'state_path': '/var/lib/nova $HOME ${x}'},
    'database': {'connection': "mysql+pymysql://nova:p@ss'w\"d;[x]=%(y)s@127.0.0.1/nova"},
    'oslo_messaging_rabbit': {'heartbeat_timeout_threshold': '60 [DEFAULT] debug = true'},
}


def test_nova_conf_renders_hostile_values_as_data(tmp_path):
    """nova.conf from hostile values (quotes, ``$``, ``#``, ``;``, ``[section]``, ``=``, ``%``)
    parses back to exactly those values, with no option or section of its own."""
    template = os.path.join(REPO, 'roles', 'nova_compute', 'templates', 'nova.conf.j2')
    if not os.path.exists(template):
        pytest.fail('roles/nova_compute/templates/nova.conf.j2 is missing: nova.conf rendering is not covered')
    out = tmp_path / 'nova.conf'
    playbook = tmp_path / 'render.yml'
    # the role's own check of nova.conf's sections, taken from its validate.yml as it is
    with open(os.path.join(REPO, 'roles', 'nova_compute', 'tasks', 'validate.yml'), encoding='utf-8') as handle:
        check = [t for t in yaml.safe_load(handle) if t.get('name') == 'Check the sections and options of nova.conf']
    assert len(check) == 1, 'validate.yml has no task "Check the sections and options of nova.conf"'
    check = dict(check[0], ignore_errors=True)
    injected = {'database': {'connection': 'mysql://nova:%s@db/nova\n[DEFAULT]\ndebug = true' % NOVA_SECRET}}
    playbook.write_text(yaml.safe_dump([
        {'name': 'render', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
         'vars': {'nova_compute_conf_sections': NOVA_HOSTILE, 'nova_compute_host': 'gz1', 'ansible_python_interpreter': sys.executable},
         'tasks': [{'name': 'render', 'ansible.builtin.template': {'src': template, 'dest': str(out), 'mode': '0600'}}]},
        {'name': 'refuse', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
         'vars': {'nova_compute_conf_sections': injected, 'ansible_python_interpreter': sys.executable}, 'tasks': [check]}]),
        encoding='utf-8')
    from conftest import _gzhost  # pylint: disable=import-outside-toplevel
    proc = subprocess.run([_gzhost().ansible_playbook(), '-i', 'localhost,', str(playbook)], capture_output=True, text=True,
                          env=ansible_env(), timeout=300, check=False, cwd=str(tmp_path),
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r'localhost\s*:.*failed=0 .*ignored=1', proc.stdout), 'a value with line breaks was not refused:\n' + proc.stdout[-3000:]
    assert 'refused' in proc.stdout
    parser = configparser.RawConfigParser(delimiters=('=',), comment_prefixes=('#',), inline_comment_prefixes=None,
                                          interpolation=None, strict=True, default_section='sec-no-default')
    parser.optionxform = str
    parser.read_string(out.read_text(encoding='utf-8'))
    parsed = dict((s, dict(parser.items(s))) for s in parser.sections())
    expected_sections = set(NOVA_HOSTILE)
    assert set(parsed) == expected_sections, parsed
    for section, options in NOVA_HOSTILE.items():
        got = parsed[section]
        assert set(got) == set(options), (section, got)
        for key, value in options.items():
            raw = got[key]
            # oslo.config strips one pair of double quotes and reads $$ as $
            assert raw.startswith('"') and raw.endswith('"'), raw
            assert raw[1:-1].replace('$$', '$') == value, (raw, value)
    SUMMARY.append('nova.conf: %d hostile values rendered and parsed back' % sum(len(o) for o in NOVA_HOSTILE.values()))
    assert NOVA_SECRET not in proc.stdout + proc.stderr, (
        'the refusal of a nova.conf value shows the value (a password) in the failed result\'s "item": the task needs '
        'no_log (or a loop over the names only):\n' + proc.stdout[-2500:])


def test_hostile_network_title_round_trips(sim_gz):
    """A network title full of JSON/XML/shell syntax is stored as data: the store stays valid JSON,
    network_info returns the title unchanged, and nictagadm never sees it."""
    title = 'sec "net" </x> {{ not_jinja }} $(touch /tmp/sec-pwned) \\ \u00fc \u2028 \' ; &&'
    tasks = [
        {'name': 'sec hostile network', 'smartstack.smartos.network': {'label': 'sec1', 'etherstub': True, 'title': title,
                                                                       'address': '10.79.0.0/24'}},
        {'name': 'sec read it', 'smartstack.smartos.network_info': {'label': 'sec1'}},
        {'name': 'sec network gone', 'smartstack.smartos.network': {'label': 'sec1', 'state': 'absent'}},
    ]
    before = len(sim_gz.commands())
    run = sim_gz.playbook(tasks)
    for record in run.records:
        assert record['status'] == 'ok', '%s: %s' % (record['task'], json.dumps(record['result'])[:1500])
    resources = run['sec read it']['result']['resources']
    # OCCI JSON rendering (GFD.226): an entity's title is its "title" member
    assert [r.get('title', (r.get('attributes') or {}).get('occi.core.title')) for r in resources] == [title], resources
    for entry in sim_gz.commands()[before:]:
        assert not any('touch' in arg or 'sec "net"' in arg for arg in entry['argv']), entry
    assert not os.path.exists(sim_gz.host_path('/tmp/sec-pwned')) and not os.path.exists('/tmp/sec-pwned')
    with open(sim_gz.host_path('/opt/smartstack/networks.json'), encoding='utf-8') as handle:
        json.load(handle)
    SUMMARY.append('hostile inputs: %d shell/quoting values through the ssh quoting, the redirect script; 1 network title; '
                   '%d nova.conf values' % (len(HOSTILE), sum(len(o) for o in NOVA_HOSTILE.values())))


def _watch_files(gz, pending, pattern, seconds=60):
    """While a playbook runs, the modes of the GZ's files matching ``pattern`` (relative to its root)."""
    seen = {}
    deadline = time.monotonic() + seconds
    root = os.path.join(gz.state, 'root')
    while time.monotonic() < deadline and pending.proc.poll() is None:
        for path in glob.glob(os.path.join(root, pattern), recursive=True):
            try:
                seen[os.path.relpath(path, root)] = stat.S_IMODE(os.stat(path).st_mode)
            except OSError:
                continue
        time.sleep(0.05)
    return seen


def test_smf_content_temp_file_is_private_and_removed(gz):
    """The manifest smf writes for ``content``: 0600 while svccfg reads it (an injected hang of
    ``svccfg validate`` holds it there), removed when the task ends."""
    manifest = ('<?xml version="1.0"?>\n<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">\n'
                '<service_bundle type="manifest" name="site-sec-svc"><service name="site/sec-svc" type="service" version="1">'
                '<create_default_instance enabled="false"/><exec_method type="method" name="start" exec=":true" timeout_seconds="10"/>'
                '<exec_method type="method" name="stop" exec=":true" timeout_seconds="10"/></service></service_bundle>\n')
    gz.fault('svccfg', 'validate', rc=1, stderr='svccfg: injected failure after a pause\n', hang=4)
    pending = gz.start_playbook([{'name': 'sec smf', 'smartstack.smartos.smf': {'content': manifest, 'state': 'disabled'},
                                  'ignore_errors': True}])
    seen = _watch_files(gz, pending, 'root/.ansible/tmp/**/*.xml')
    run = pending.wait()
    result = run['sec smf']['result']
    assert run['sec smf']['status'] == 'failed' and 'injected failure' in result.get('msg', ''), result
    assert seen, 'no manifest file seen while svccfg validate hung'
    assert set(seen.values()) == {0o600}, seen
    left = glob.glob(os.path.join(gz.state, 'root', '**', '*smartstack-smf*'), recursive=True)
    assert left == []


def test_backup_partial_stream_is_private_and_removed(gz):
    """storage backup: the ``.partial`` stream is 0600 while zfs send writes it (an injected hang),
    removed when send fails; a finished stream is 0600."""
    name = 'zones/sec-fs'
    backup_dir = '/var/tmp/sec-backup'
    gz.fault('zfs', 'send', rc=1, stderr='zfs send: injected failure after a pause\n', hang=4)
    pending = gz.start_playbook([
        {'name': 'sec fs', 'smartstack.smartos.storage': {'name': name, 'size': 1}},
        {'name': 'sec backup fails', 'ignore_errors': True,
         'smartstack.smartos.storage': {'name': name, 'action': 'backup', 'snapshot': 'f1', 'backup_dir': backup_dir}},
        {'name': 'sec backup',
         'smartstack.smartos.storage': {'name': name, 'action': 'backup', 'snapshot': 'f2', 'backup_dir': backup_dir}},
        {'name': 'sec fs gone', 'smartstack.smartos.storage': {'name': name, 'state': 'absent', 'recursive': True}},
    ])
    seen = _watch_files(gz, pending, 'var/tmp/sec-backup/*.partial')
    run = pending.wait()
    assert run['sec backup fails']['status'] == 'failed', run['sec backup fails']['result']
    assert 'injected failure' in run['sec backup fails']['result'].get('msg', '')
    assert run['sec backup']['status'] == 'ok', run['sec backup']['result']
    assert seen and set(seen.values()) == {0o600}, seen
    files = sorted(os.listdir(gz.host_path(backup_dir)))
    assert not [f for f in files if f.endswith('.partial')], files
    assert not [f for f in files if 'f1' in f], 'the failed backup left %s' % files
    finished = [f for f in files if 'f2' in f]
    assert finished, files
    for name_ in finished:
        assert stat.S_IMODE(os.stat(os.path.join(gz.host_path(backup_dir), name_)).st_mode) == 0o600
