"""The smartstack.smartos.zones inventory and zlogin connection against 3 simulated GZs over real SSH.

Runs the project's real ``ansible-inventory`` / ``ansible`` on a collection tree built with
tools/collection_tree.py. Each GZ is seeded with 6 zones of mixed brands and states (vmadm
seed_zones: every GZ seeds the same aliases web00..build05, so every alias collides across GZs);
a fourth configured GZ has nothing listening (down). The GZs' own command logs prove that each GZ
was asked exactly once with one ``vmadm lookup`` (none when the cache answers).
"""
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import SIM_BIN, SIM_HOME, start_gz_bed

REPO = os.path.dirname(os.path.dirname(SIM_HOME))
ODD_ALIAS = "{{ lookup('pipe', 'touch /tmp/smartstack-inventory-PWNED') }} ä"
ODD_TAG = '{{ 7 * 6 }}'
PWNED = '/tmp/smartstack-inventory-PWNED'


def _ansible_bin():
    exe = os.environ.get('ANSIBLE_INVENTORY') or shutil.which('ansible-inventory')
    if not exe and os.path.exists(os.path.join(REPO, '.venv', 'bin', 'ansible-inventory')):
        exe = os.path.join(REPO, '.venv', 'bin', 'ansible-inventory')
    return os.path.dirname(exe) if exe else None


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Setup:
    """The bed, a collection tree, and a way to run ansible-inventory / ansible with a config."""

    def __init__(self, bed, tree, workdir, bindir):
        self.bed, self.tree, self.workdir, self.bindir = bed, tree, workdir, bindir
        self.down_port = _free_port()

    def config(self, extra='', down=True):
        lines = ['plugin: smartstack.smartos.zones', 'global_zones:']
        for host in self.bed:
            lines.append('  - {host: %s, name: %s, port: %d}' % (host.address, host.name, host.port))
        if down:
            lines.append('  - {host: 127.0.0.1, name: gz4, port: %d}' % self.down_port)
        lines += ['ssh_private_key_file: %s' % self.bed[0].run.key,
                  'ssh_known_hosts_file: %s' % self.bed[0].run.known_hosts, 'connect_timeout: 5', 'timeout: 60']
        return '\n'.join(lines) + '\n' + extra

    def run(self, tool, config, *args):
        path = os.path.join(self.workdir, 'zones.smartos.yml')
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(config)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.tree, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                   ANSIBLE_HOME=os.path.join(self.workdir, 'ansible-home'), ANSIBLE_LOCAL_TEMP=os.path.join(self.workdir, 'tmp'),
                   ANSIBLE_INVENTORY_UNPARSED_FAILED='1', ANSIBLE_DEPRECATION_WARNINGS='0')
        return subprocess.run([os.path.join(self.bindir, tool), '-i', path] + list(args), capture_output=True, text=True,
                              check=False, timeout=180, env=env, cwd=self.workdir, stdin=subprocess.DEVNULL)

    def inventory(self, config, *args):
        result = self.run('ansible-inventory', config, '--list', *args)
        assert result.returncode == 0, result.stderr
        assert 'Traceback' not in result.stderr
        return json.loads(result.stdout, object_hook=_plain), result.stderr

    def lookups(self):
        """How many vmadm lookups each GZ has logged so far."""
        counts = {}
        for host in self.bed:
            path = os.path.join(host.state, 'commands.log')
            if not os.path.exists(path):   # no command run yet
                counts[host.name] = 0
                continue
            with open(path, encoding='utf-8') as handle:
                counts[host.name] = sum(1 for line in handle if json.loads(line)['argv'][:2] == ['vmadm', 'lookup'])
        return counts

    def vms(self, host):
        with open(os.path.join(host.state, 'vms.json'), encoding='utf-8') as handle:
            return json.load(handle)


def _plain(obj):
    """ansible-core 2.19's --list writes each untrusted string (every value read from a GZ) as
    {"__ansible_unsafe": value}: proof that it will not be templated; unwrapped here."""
    return obj['__ansible_unsafe'] if list(obj) == ['__ansible_unsafe'] else obj


def _vmadm(host, *args, stdin=None):
    env = dict(os.environ, SMARTOS_SIM_STATE=host.state, SMARTOS_SIM_PYTHON=sys.executable)
    result = subprocess.run([os.path.join(SIM_BIN, 'vmadm')] + list(args), input=stdin, capture_output=True, text=True,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    bindir = _ansible_bin()
    if not bindir:
        pytest.skip('ansible-inventory not found: put the project venv on PATH (make venv) or set ANSIBLE_INVENTORY')
    bed = start_gz_bed(tmp_path_factory, 'inventory', count=3, zones=6)
    try:
        workdir = str(tmp_path_factory.mktemp('inventory-work'))
        tree = os.path.join(workdir, 'collections')
        subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'collection_tree.py'), tree], check=True,
                       capture_output=True)
        # gz3's lb04 gets an alias and a tag that would run code if Ansible templated them
        uuid = _vmadm(bed['gz3'], 'lookup', 'alias=lb04').strip()
        _vmadm(bed['gz3'], 'update', uuid, 'alias=' + ODD_ALIAS)
        _vmadm(bed['gz3'], 'update', uuid, stdin=json.dumps({'set_tags': {'t': ODD_TAG}}))
        yield Setup(bed, tree, workdir, bindir)
    finally:
        bed.down()


def _zones(setup):
    """[(gz name, vm)] of every GZ of the bed."""
    return [(host.name, vm) for host in setup.bed for vm in setup.vms(host).values()]


def test_list_three_gzs_one_down(setup):
    """Every zone of the 3 GZs, named alias_gz (each alias is on every GZ), its vars from vmadm; gz4 is a warning."""
    before = setup.lookups()
    data, stderr = setup.inventory(setup.config())
    assert setup.lookups() == {name: count + 1 for name, count in before.items()}   # one lookup per GZ
    assert 'global zone gz4 left out: gz4: ssh failed (rc 255)' in stderr
    hostvars = data['_meta']['hostvars']
    zones = _zones(setup)
    assert len(hostvars) == len(zones) == 18
    brands, states = set(), set()
    aliases = [vm['alias'] for _gz, vm in zones]
    for gz_name, vm in zones:
        name = '%s_%s' % (vm['alias'], gz_name) if aliases.count(vm['alias']) > 1 else vm['alias']
        host = hostvars[name]
        assert host['smartos_uuid'] == vm['uuid'] and host['smartos_global_zone'] == gz_name
        assert host['smartos_brand'] == vm['brand'] and host['smartos_state'] == vm['state']
        assert host['smartos_tags'] == vm.get('tags', {})
        assert host['ansible_host'] == vm['nics'][0]['ips'][0].split('/')[0]
        assert name in data['smartos_gz_' + gz_name]['hosts']
        assert name in data['smartos_brand_' + vm['brand'].replace('-', '_')]['hosts']
        assert name in data['smartos_state_' + vm['state']]['hosts']
        assert 'user-script' not in host['smartos_customer_metadata']   # a secret by default
        brands.add(vm['brand'])
        states.add(vm['state'])
    assert len(brands) >= 3 and states >= {'running', 'stopped'}, (brands, states)
    assert 'smartos_gz_gz4' not in data


def test_graph_and_odd_names_never_templated(setup):
    """--graph shows the GZ groups; the odd alias stays literal in names, vars and composed vars."""
    config = setup.config('compose:\n  shown: smartos_alias\n  tag: smartos_tags.t\n', down=False)
    result = setup.run('ansible-inventory', config, '--graph', 'smartos_gz_gz3')
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('@smartos_gz_gz3:\n')
    assert '  |--%s\n' % ODD_ALIAS in result.stdout   # the only zone with that alias: no suffix
    assert '  |--web00_gz3\n' in result.stdout
    data, _stderr = setup.inventory(config)
    host = data['_meta']['hostvars'][ODD_ALIAS]
    assert host['shown'] == ODD_ALIAS and host['tag'] == ODD_TAG and host['smartos_tags']['t'] == ODD_TAG
    assert not os.path.exists(PWNED)
    raw = json.loads(setup.run('ansible-inventory', config, '--list').stdout)['_meta']['hostvars'][ODD_ALIAS]
    assert raw['smartos_alias'] == {'__ansible_unsafe': ODD_ALIAS}   # untrusted: never templated downstream


def test_strict_makes_the_down_gz_an_error(setup):
    result = setup.run('ansible-inventory', setup.config('strict: true\n'), '--list')
    assert result.returncode != 0
    assert 'global zone gz4 could not be asked: gz4: ssh failed (rc 255)' in result.stderr
    assert 'Traceback' not in result.stderr


def test_host_key_checking_is_on(setup, tmp_path):
    """An empty known hosts file: every GZ fails host key verification (StrictHostKeyChecking=yes)."""
    empty = tmp_path / 'known_hosts'
    empty.write_text('', encoding='utf-8')
    config = setup.config(down=False).replace(setup.bed[0].run.known_hosts, str(empty))
    data, stderr = setup.inventory(config)
    assert not data['_meta']['hostvars']
    assert stderr.count('Host key verification failed') == 3


def test_cache(setup, tmp_path):
    config = setup.config('cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % tmp_path, down=False)
    first, _stderr = setup.inventory(config)
    after_first = setup.lookups()
    second, _stderr = setup.inventory(config)
    assert setup.lookups() == after_first          # the cache answered, no GZ was asked
    assert second == first
    setup.inventory(config, '--flush-cache')
    assert setup.lookups() == {name: count + 1 for name, count in after_first.items()}


def test_filters_compose_keyed_groups_and_hostnames(setup):
    extra = '''filters: [state=running]
exclude: [brand=kvm]
hostnames: [hostname, uuid]
hostname_collisions: uuid
compose:
  memory_mib: smartos_ram
keyed_groups:
  - key: smartos_tags.role
    prefix: role
  - key: smartos_global_zone
    separator: ''
leading_separator: false
'''
    data, _stderr = setup.inventory(setup.config(extra, down=False))
    hostvars = data['_meta']['hostvars']
    running = [(gz, vm) for gz, vm in _zones(setup) if vm['state'] == 'running' and vm['brand'] != 'kvm']
    assert running
    hostnames = [vm.get('hostname') for _gz, vm in running]
    for gz_name, vm in running:
        name = vm['uuid'] if hostnames.count(vm.get('hostname')) > 1 else vm['hostname']
        assert hostvars[name]['memory_mib'] == vm['ram'] if 'ram' in vm else vm['max_physical_memory']
        assert name in data['role_' + vm['tags']['role']]['hosts']
        assert name in data[gz_name]['hosts']
    assert len(hostvars) == len(running)


def test_adhoc_raw_and_script_through_zlogin(setup, tmp_path):
    """ansible.builtin.raw and .script (put_file) run inside a running zone via its GZ; a stopped one is refused."""
    zones = _zones(setup)
    gz_name, running = next((gz, vm) for gz, vm in zones if vm['state'] == 'running' and gz == 'gz2')
    _gz, stopped = next((gz, vm) for gz, vm in zones if vm['state'] == 'stopped')
    config = setup.config('zlogin_connection: always\nhostnames: [uuid]\n', down=False)
    result = setup.run('ansible', config, running['uuid'], '-m', 'ansible.builtin.raw', '-a', 'zonename; pwd')
    assert result.returncode == 0, result.stdout + result.stderr
    assert '%s | CHANGED | rc=0 >>\n%s\n' % (running['uuid'], running['uuid']) in result.stdout
    assert '/zones/%s/root\n' % running['uuid'] in result.stdout
    script = tmp_path / "a script.sh"
    script.write_text('#!/bin/sh\necho "in $(zonename) as $1"\n', encoding='utf-8')
    result = setup.run('ansible', config, running['uuid'], '-m', 'ansible.builtin.script', '-a', '"%s" "x y"' % script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'in %s as x y' % running['uuid'] in result.stdout
    result = setup.run('ansible', config, stopped['uuid'], '-m', 'ansible.builtin.raw', '-a', 'true')
    assert result.returncode != 0
    assert "login allowed only to running zones (%s is 'installed')." % stopped['uuid'] in result.stdout
    assert gz_name == 'gz2'


PLAYBOOK = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: a module, transferred with put_file (no pipelining)
      ansible.builtin.command: zonename
      register: plain
    - name: the same module piped to the interpreter's stdin
      ansible.builtin.command: zonename
      register: piped
      vars:
        ansible_pipelining: true
    - name: copy into the zone
      ansible.builtin.copy:
        content: "hello {{ inventory_hostname }}\\n"
        dest: "{{ home }}/copied file.txt"
    - name: fetch it back
      ansible.builtin.fetch:
        src: "{{ home }}/copied file.txt"
        dest: "{{ out }}/fetched.txt"
        flat: true
    - name: show
      ansible.builtin.debug:
        msg: "ZONES={{ [plain.stdout, piped.stdout] | to_json }}"
'''


def test_modules_copy_and_fetch_through_zlogin(setup, tmp_path):
    """A zone given a Python: modules (put_file and pipelined), copy and fetch all go through zlogin.

    The zone's Python is the simulator's own interpreter (<run>/sim-python): the simulated zlogin
    does not chroot, so the zone can reach it; a real zone would use pkgsrc's python."""
    running = next(vm for gz, vm in _zones(setup) if vm['state'] == 'running' and gz == 'gz1')
    home = os.path.join(setup.bed['gz1'].host_path(running['zonepath']), 'root', 'root')
    config = setup.config('zlogin_connection: always\nhostnames: [uuid]\nfilters: [uuid=%s]\ncompose:\n'
                          '  ansible_python_interpreter: "%r"\n' % (running['uuid'], setup.bed[0].run.sim_python), down=False)
    playbook = tmp_path / 'zlogin.yml'
    playbook.write_text(PLAYBOOK, encoding='utf-8')
    result = setup.run('ansible-playbook', config, str(playbook), '-e', json.dumps({'home': home, 'out': str(tmp_path)}))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"msg": "ZONES=[\\"%s\\", \\"%s\\"]"' % (running['uuid'], running['uuid']) in result.stdout
    with open(os.path.join(home, 'copied file.txt'), encoding='utf-8') as handle:
        assert handle.read() == 'hello %s\n' % running['uuid']
    assert (tmp_path / 'fetched.txt').read_text(encoding='utf-8') == 'hello %s\n' % running['uuid']
