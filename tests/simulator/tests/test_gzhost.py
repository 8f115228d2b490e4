"""The simulated global zone hosts: real sshd per GZ, private SmartOS directories, no Python
until pkgsrc is bootstrapped (reference pkgsrc_nova_facts.md §1.1, §1.6, §2; ansible_toolchain.md
"A simulated global zone host on this machine")."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import SIM_HOME, start_gz_bed

sys.path.insert(0, SIM_HOME)

from smartos_sim import gzhost  # noqa: E402  pylint: disable=wrong-import-position

RAW_VMADM = """
- hosts: global_zones
  gather_facts: false
  tasks:
    - name: vmadm before any Python exists
      ansible.builtin.raw: vmadm list
      register: listing
    - name: show it
      ansible.builtin.debug:
        msg: "LISTING={{ listing.stdout_lines | to_json }}"
"""

PING = """
- hosts: global_zones
  gather_facts: false
  tasks:
    - ansible.builtin.ping:
"""


# A persistent custom service (pkgsrc_nova_facts.md §2: manifests in /opt/custom/smf are imported at boot).
DEMO_MANIFEST = """<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="gzhost-demo">
  <service name="site/gzhost-demo" type="service" version="1">
    <create_default_instance enabled="true"/>
    <single_instance/>
    <exec_method type="method" name="start" exec="/opt/custom/bin/gzhost-demo &amp;" timeout_seconds="60"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="60"/>
  </service>
</service_bundle>
"""


def _install_demo_service(host):
    """Import the demo service in the GZ; return the pid of its process (`sleep 997`)."""
    if not os.path.exists(os.path.join(SIM_HOME, 'smartos_sim', 'tools', 'smf.py')):
        pytest.skip('smartos_sim/tools/smf.py (svccfg/svcadm) is not there yet')
    result = host.ssh('set -e; mkdir -p /opt/custom/smf /opt/custom/bin; cat > /opt/custom/smf/gzhost-demo.xml; '
                      'printf "#!/bin/sh\\nexec sleep 997\\n" > /opt/custom/bin/gzhost-demo; '
                      'chmod +x /opt/custom/bin/gzhost-demo; svccfg import /opt/custom/smf/gzhost-demo.xml',
                      stdin=DEMO_MANIFEST)
    assert result.returncode == 0, result.stderr
    return _demo_pid(host)


def _demo_pid(host):
    for attempt in range(100):
        pids = [p for p in _ns_pids(host.namespace()) if _cmdline(p) == 'sleep 997 ']
        if pids:
            return pids[0]
        time.sleep(0.05 if attempt < 99 else 0)
    return None


def _cli(*args):
    return subprocess.run([sys.executable, '-m', 'smartos_sim.gzhost'] + list(args), cwd=SIM_HOME,
                          capture_output=True, text=True, check=False, timeout=300)


def _ns_pids(namespace):
    # pylint: disable=protected-access
    return gzhost._pids_in_ns(namespace)


@pytest.fixture(scope='module')
def bootstrapped(tmp_path_factory):
    """One GZ with pkgsrc-tools and python311 installed over SSH, as the pkgsrc role does."""
    try:
        import smartos_sim.pkgrepo  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        pytest.skip('smartos_sim/pkgrepo.py (the simulated pkgsrc repository) is not there yet')
    bed = start_gz_bed(tmp_path_factory, 'gz_bootstrapped', count=1, bootstrapped=True)
    yield bed
    bed.down()


def test_up_is_idempotent_and_down_stops_everything(tmp_path):
    """`up` twice gives the same sshd (no duplicates); `down` stops the GZ's SMF services, sshd,
    every process of the GZ's namespace and the repository server, removes the inventory, and is
    idempotent too."""
    reason = gzhost.unavailable_reason()
    if reason:
        pytest.skip(reason)
    run, inventory = str(tmp_path / 'run'), str(tmp_path / 'inventory.yml')
    if gzhost.replaced_by(run):
        # pytest's tmp is in /root (TMPDIR), which the GZs replace: the run dir goes to /tmp.
        run = tempfile.mkdtemp(prefix='smartos-sim-gzhost-test-', dir='/tmp')
    args = ['--run-dir', run, '--inventory', inventory]
    first = _cli('up', '--count', '1', '--zones', '2', '--port-base', '0', '--repo-port', '0', *args)
    assert first.returncode == 0, first.stderr
    try:
        host = gzhost.hosts(run, inventory)[0]
        listing = host.ssh('vmadm list -H -o alias')
        assert listing.stdout.count('\n') == 2, listing.stdout + listing.stderr
        pid, namespace = host.pid, host.namespace()
        assert host.is_up() and namespace != os.readlink('/proc/self/ns/mnt')
        service = _install_demo_service(host)
        assert service
        # A session left open in the GZ: `down` must end it too (it is in the GZ's namespace).
        sleeper = subprocess.Popen(host.ssh_argv('sleep 300'), stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        second = _cli('up', '--count', '1', '--port-base', '0', '--repo-port', '0', *args)
        assert second.returncode == 0, second.stderr
        assert first.stdout == second.stdout
        assert host.pid == pid
        sshds = [p for p in _ns_pids(namespace) if host.config in _cmdline(p) and '[listener]' in _cmdline(p)]
        assert sshds == [pid]
        status = _cli('status', '--run-dir', run)
        assert status.returncode == 0 and '\tup pid %d\t' % pid in status.stdout
        with open(inventory, encoding='utf-8') as handle:
            text = handle.read()
        assert text.count('ansible_host:') == 1
        repo = json.loads(open(os.path.join(run, 'gzhost.json'), encoding='utf-8').read()).get('repo') or {}
    finally:
        stopped = _cli('down', *args)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == 'gz1\tstopped\n'
    assert not host.is_up()
    assert _ns_pids(namespace) == []
    assert not gzhost._pid_alive(service)  # pylint: disable=protected-access
    assert sleeper.wait(timeout=10) != 0
    assert not os.path.exists(inventory)
    if repo.get('pid'):
        assert not gzhost._pid_alive(repo['pid'], 'smartos_sim.pkgrepo')  # pylint: disable=protected-access
    again = _cli('down', *args)
    assert again.returncode == 0 and again.stdout == ''
    status = _cli('status', '--run-dir', run)
    assert status.returncode == 1 and '\tdown\t' in status.stdout
    if not run.startswith(str(tmp_path)):
        shutil.rmtree(run)


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return ''


def test_inventory(gz_hosts):
    """The inventory: group global_zones, root over SSH with the test bed's key, host keys checked
    against the known_hosts gz-up wrote, the GZ's state dir, pkgsrc's interpreter."""
    with open(gz_hosts.inventory, encoding='utf-8') as handle:
        text = handle.read()
    run = gz_hosts.run_dir
    for host in gz_hosts:
        assert '        %s:\n          ansible_host: "%s"\n          ansible_port: %d\n          smartos_sim_state: "%s"\n' % (
            host.name, host.address, host.port, host.state) in text
    assert '    global_zones:\n' in text
    assert '        ansible_user: root\n' in text
    assert '        ansible_ssh_private_key_file: "%s/id_ed25519"\n' % run in text
    assert '-o UserKnownHostsFile=%s/known_hosts -o StrictHostKeyChecking=yes' % run in text
    assert '        ansible_python_interpreter: "/opt/tools/bin/python3.11"\n' in text
    assert oct(os.stat(os.path.join(run, 'id_ed25519')).st_mode & 0o777) == '0o600'
    with open(os.path.join(run, 'known_hosts'), encoding='utf-8') as handle:
        known = handle.read().splitlines()
    assert [line.split()[0] for line in known] == ['[%s]:%d' % (h.address, h.port) for h in gz_hosts]


def test_two_gzs_are_reachable_over_ssh(gz_hosts):
    """Each GZ answers on its own loopback address with its own state and the SmartOS tools first on PATH."""
    assert [h.name for h in gz_hosts] == ['gz1', 'gz2']
    assert [h.address for h in gz_hosts] == ['127.0.0.11', '127.0.0.12']
    for host in gz_hosts:
        result = host.ssh('echo "$SMARTOS_SIM_STATE"; echo "$PATH"; echo "$HOME"; id -u')
        assert result.returncode == 0, result.stderr
        state, path, home, uid = result.stdout.splitlines()
        assert state == host.state
        # The simulator's code is mounted at <run>/sim in the GZ, wherever the checkout is.
        assert path == gz_hosts.run_dir + '/sim/bin:/opt/tools/bin:/opt/tools/sbin:/usr/sbin:/usr/bin:/sbin:/bin'
        assert (home, uid) == ('/root', '0')
    # Two machines, not two copies of one: each GZ has its own server UUID and admin MAC.
    identities = [json.loads(host.ssh('sysinfo').stdout) for host in gz_hosts]
    assert identities[0]['UUID'] != identities[1]['UUID']
    assert identities[0]['Hostname'] != identities[1]['Hostname']


def test_no_python_before_bootstrap_but_the_tools_work(gz_hosts):
    """No interpreter on the GZ PATH nor on Ansible's discovery list (pkgsrc_nova_facts.md §1.6:
    the GZ has no Python until pkgsrc installs one), while vmadm runs (on the simulator's own
    interpreter, which lives outside PATH)."""
    host = gz_hosts[0]
    names = 'python python3 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13 python2'
    result = host.ssh('for p in %s; do command -v $p; done; ls /usr/bin/python3 /usr/bin/python3.11 '
                      '/usr/libexec/platform-python; echo end' % names)
    assert result.stdout == 'end\n'
    assert 'No such file or directory' in result.stderr
    result = host.ssh('vmadm list; echo "rc=$?"')
    assert result.stdout.endswith('rc=0\n'), result.stderr
    assert result.stdout.startswith('UUID')
    # The simulator's interpreter is where SMARTOS_SIM_PYTHON says, under the run dir.
    result = host.ssh('"$SMARTOS_SIM_PYTHON" -c "import sys; print(sys.version_info[0])"; echo "$SMARTOS_SIM_PYTHON"')
    assert result.stdout == '3\n%s/sim-python\n' % gz_hosts.run_dir, result.stderr


def test_raw_works_before_bootstrap(gz_hosts, ansible_playbook):  # pylint: disable=unused-argument
    """ansible.builtin.raw with gather_facts: false needs no Python (pkgsrc_nova_facts.md §1.6):
    `vmadm list` runs in every GZ and lands in that GZ's command log."""
    result = gz_hosts.playbook(RAW_VMADM)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count('"msg": "LISTING=[\\"UUID') == 2, result.stdout
    for host in gz_hosts:
        with open(os.path.join(host.state, 'commands.log'), encoding='utf-8') as handle:
            argvs = [json.loads(line)['argv'] for line in handle]
        assert ['vmadm', 'list'] in argvs


def test_modules_fail_without_python(gz_hosts, ansible_playbook):  # pylint: disable=unused-argument
    """A module task fails: the inventory's interpreter does not exist yet, and interpreter
    discovery finds none of its candidates."""
    host = gz_hosts[0]
    result = host.playbook(PING)
    assert result.returncode != 0
    assert "The module interpreter '/opt/tools/bin/python3.11' was not found" in result.stdout + result.stderr
    result = host.playbook(PING, extra_vars={'ansible_python_interpreter': 'auto'})
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "No python interpreters found for host 'gz1'" in out, out
    assert "The module interpreter '/usr/bin/python3' was not found" in out


def test_gz_directories_are_private(gz_hosts):
    """/opt, /zones, /var/svc/log, /usbkey and /root are each GZ's own (its state dir's root/),
    /etc is private too, /usr is read-only (pkgsrc_nova_facts.md §2)."""
    gz1, gz2 = gz_hosts[0], gz_hosts[1]
    marker = 'gzhost-test-%d' % os.getpid()
    result = gz1.ssh('set -e; for d in /opt /zones /var/svc/log /usbkey /root /etc; do echo 1 > $d/%s; done' % marker)
    assert result.returncode == 0, result.stderr
    try:
        for directory in ('/opt', '/zones', '/var/svc/log', '/usbkey', '/root'):
            assert os.path.exists(gz1.host_path(directory + '/' + marker))
            assert not os.path.exists(gz2.host_path(directory + '/' + marker))
        assert not os.path.exists('/opt/' + marker) and not os.path.exists('/etc/' + marker)
        result = gz2.ssh('ls /opt/{0} /zones/{0} /etc/{0} 2>&1; echo rc=$?'.format(marker))
        assert result.stdout.count('No such file or directory') == 3 and result.stdout.endswith('rc=2\n')
        result = gz1.ssh('touch /usr/bin/%s' % marker)
        assert result.returncode == 1 and 'Read-only file system' in result.stderr
    finally:
        gz1.ssh('rm -f /opt/{0} /zones/{0} /var/svc/log/{0} /usbkey/{0} /root/{0} /etc/{0}'.format(marker))


def test_reboot_keeps_persistent_directories_and_forgets_the_ramdisk(bootstrapped):
    """A reboot keeps /opt (so the pkgsrc bootstrap and its Python, and /opt/custom/smf services),
    loses /etc and /root changes (ramdisk, pkgsrc_nova_facts.md §2); root's key comes back as from
    /usbkey; sshd stays up."""
    host = bootstrapped[0]
    pid = host.pid
    service = _install_demo_service(host)
    result = host.ssh('echo 1 > /etc/gzhost-marker && echo 1 > /root/marker && echo 1 > /opt/marker')
    assert result.returncode == 0, result.stderr
    bootstrapped.reboot(host.name)
    assert host.pid == pid
    # The service was stopped and, its manifest being in /opt/custom/smf, started again at boot.
    assert not gzhost._pid_alive(service)  # pylint: disable=protected-access
    assert _demo_pid(host) not in (None, service)
    result = host.ssh('ls /etc/gzhost-marker /root/marker /opt/marker /opt/tools/bin/python3.11 2>&1')
    assert result.stdout.splitlines() == ['ls: cannot access \'/etc/gzhost-marker\': No such file or directory',
                                          'ls: cannot access \'/root/marker\': No such file or directory',
                                          '/opt/marker', '/opt/tools/bin/python3.11']
    # The ramdisk's /etc comes back with the platform image's /etc/release.
    assert host.ssh('cat /etc/release').stdout == gzhost.etc_release()


def test_a_virtualenv_with_a_clean_environment_loads_the_simulators_libpython(bootstrapped):
    """A virtualenv's bin/python links straight to the simulator's interpreter and an SMF method
    starts with a clean environment: neither has sim-python's LD_LIBRARY_PATH, yet extension
    modules load (the GZ's /etc names the interpreter's lib/ to the dynamic linker), before and
    after a reboot. Without it, `import ssl` failed with an undefined symbol of the machine's
    older libpython3.11."""
    host = bootstrapped[0]
    script = ('python3.11 -m venv /var/tmp/gzhost-venv && env -i PATH=/usr/bin:/bin /var/tmp/gzhost-venv/bin/python '
              '-c "import ssl, sys; print(sys.prefix)"; rc=$?; rm -rf /var/tmp/gzhost-venv; exit $rc')
    result = host.ssh(script)
    assert (result.returncode, result.stdout) == (0, '/var/tmp/gzhost-venv\n'), result.stderr
    bootstrapped.reboot(host.name)
    result = host.ssh(script)
    assert (result.returncode, result.stdout) == (0, '/var/tmp/gzhost-venv\n'), result.stderr


def test_bootstrapped_gz_runs_modules(bootstrapped, ansible_playbook):  # pylint: disable=unused-argument
    """After the pkgsrc bootstrap and `pkgin -y install python311`, modules run with
    ansible_python_interpreter=/opt/tools/bin/python3.11 (pkgsrc_nova_facts.md §1.6)."""
    host = bootstrapped[0]
    result = host.ssh('command -v python3.11; command -v python3; command -v pkgin')
    assert result.stdout == '/opt/tools/bin/python3.11\n/opt/tools/bin/pkgin\n'
    result = bootstrapped.playbook(PING)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'ok: [gz1]' in result.stdout


def test_etc_release_is_the_platform_images(gz_hosts):
    """/etc/release is there at every start, as smartos-live tools/build_etcrelease writes it at
    build time, with the buildstamp sysinfo reports as 'Live Image' (smartos_gz_tools.md)."""
    host = gz_hosts[0]
    result = host.ssh('cat /etc/release; sysinfo')
    assert result.returncode == 0, result.stderr
    release, _sep, sysinfo = result.stdout.partition(']\n')
    stamp = json.loads(sysinfo)['Live Image']
    assert release.splitlines()[:5] == ['                     SmartOS %s x86_64' % stamp,
                                        '                    Copyright %s Edgecast Cloud LLC.' % stamp[:4],
                                        '', '  Built with the following components:', '']
    components = json.loads(release.split('\n\n', 2)[2] + ']')
    assert [c['repo'] for c in components] == ['smartos-live', 'illumos-joyent', 'illumos-extra', 'kbmd', 'kvm',
                                               'kvm-cmd', 'mdata-client', 'ur-agent']
    assert release + ']\n' == gzhost.etc_release(stamp)


# ansible.builtin.service picks its class by platform.system(). The GZ's python311 is this
# machine's interpreter and says Linux, so the module runs under a shim that says SunOS, as a real
# GZ's Python does: then SunOSService reads /etc/release (svcadm_supports_sync) and drives svcs/svcadm.
SUNOS_SHIM = """import platform
import runpy
import sys
platform.system = lambda: 'SunOS'
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""

SSH_STARTED = """
- hosts: global_zones
  gather_facts: false
  tasks:
    - ansible.builtin.service:
        name: svc:/network/ssh:default
        state: started
"""


def test_service_module_runs_on_a_bootstrapped_gz(bootstrapped, ansible_playbook):  # pylint: disable=unused-argument
    """ansible.builtin.service (SunOS) on a bootstrapped GZ: without /etc/release it crashes
    (open('/etc/release') in svcadm_supports_sync), with the platform's /etc/release it runs and
    finds ssh online (pkgsrc_nova_facts.md §4, Ansible side)."""
    host = bootstrapped[0]
    result = host.ssh('set -e; cat > /var/tmp/sunos_shim.py; printf "#!/bin/sh\\nexec /opt/tools/bin/python3.11 '
                      '/var/tmp/sunos_shim.py \\"\\$@\\"\\n" > /var/tmp/sunos-python; chmod +x /var/tmp/sunos-python; '
                      'mv /etc/release /etc/release.saved', stdin=SUNOS_SHIM)
    assert result.returncode == 0, result.stderr
    try:
        shim = {'ansible_python_interpreter': '/var/tmp/sunos-python'}
        result = bootstrapped.playbook(SSH_STARTED, extra_vars=shim)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "No such file or directory: '/etc/release'" in result.stdout, result.stdout
    finally:
        assert host.ssh('mv /etc/release.saved /etc/release').returncode == 0
    result = bootstrapped.playbook(SSH_STARTED, extra_vars=shim)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'ok: [gz1]' in result.stdout and 'changed=0' in result.stdout, result.stdout


def test_a_checkout_under_root_runs_its_gzs(tmp_path):
    """A newcomer's clone in /root (a directory every GZ replaces with its own): `up` without
    --run-dir puts the bed in /tmp/smartos-sim-run-<hash of the checkout>, the GZ runs the
    simulator of that checkout (mounted at <run>/sim) although its /root hides the checkout, the
    pkgsrc kit's tools run it too; an explicit --run-dir under /root is refused, clearly."""
    reason = gzhost.unavailable_reason()
    if reason:
        pytest.skip(reason)
    if not os.path.isdir('/root'):
        pytest.skip('no /root on this machine')
    home = tempfile.mkdtemp(prefix='.smartos-sim-gzhost-test-', dir='/root')
    sim = os.path.join(home, 'simulator')
    ignore = shutil.ignore_patterns('__pycache__')
    for part in ('bin', 'smartos_sim'):
        shutil.copytree(os.path.join(SIM_HOME, part), os.path.join(sim, part), ignore=ignore, symlinks=True)
    shutil.copy2(os.path.join(SIM_HOME, 'run.py'), sim)
    marker = 'copy %s\n' % home
    with open(os.path.join(sim, 'smartos_sim', 'COPY'), 'w', encoding='utf-8') as handle:
        handle.write(marker)
    inventory = str(tmp_path / 'inventory.yml')

    def cli(*args):
        return subprocess.run([sys.executable, '-m', 'smartos_sim.gzhost'] + list(args), cwd=sim,
                              capture_output=True, text=True, check=False, timeout=300,
                              env=dict(os.environ, PYTHONPATH=sim))

    run = '/tmp/smartos-sim-run-' + hashlib.sha256(os.path.realpath(sim).encode('utf-8')).hexdigest()[:12]
    stopped = None
    try:
        default = cli('default-run-dir')
        assert (default.returncode, default.stdout) == (0, run + '\n'), default.stderr
        refused = cli('up', '--count', '1', '--run-dir', os.path.join(sim, 'run'), '--inventory', inventory)
        assert refused.returncode == 1
        assert refused.stderr == ('gzhost: run dir %s/run is under /root, which the GZs replace: choose another '
                                  '--run-dir (without --run-dir, gzhost uses %s)\n' % (sim, run))
        assert not os.path.exists(os.path.join(sim, 'run'))
        started = cli('up', '--count', '1', '--port-base', '0', '--repo-port', '0', '--inventory', inventory,
                      '--bootstrapped')
        assert started.returncode == 0, started.stdout + started.stderr
        assert started.stdout.startswith('gz1\t127.0.0.11:') and '\t%s/gz1/state\n' % run in started.stdout
        host = gzhost.hosts(run, inventory)[0]
        result = host.ssh('echo "$PATH"; cat {run}/sim/smartos_sim/COPY; ls {sim}/run.py; vmadm list; echo rc=$?; '
                          '/opt/tools/bin/pkgin list | cut -d" " -f1 | grep python; '
                          'grep -c {run}/sim/run.py /opt/tools/bin/pkgin'.format(run=run, sim=sim))
        lines = result.stdout.splitlines()
        assert lines[0] == run + '/sim/bin:/opt/tools/bin:/opt/tools/sbin:/usr/sbin:/usr/bin:/sbin:/bin'
        assert lines[1] == marker.strip()
        # The GZ's /root is its own: the checkout itself is not visible in it.
        assert 'ls: cannot access \'%s/run.py\': No such file or directory' % sim in result.stderr
        assert lines[2].startswith('UUID') and lines[3] == 'rc=0', result.stdout + result.stderr
        # Installed by the kit's pkgin, which execs the simulator at its mount point.
        assert lines[4:] == ['python311-3.11.7', '1'], result.stdout + result.stderr
        with open(os.path.join(host.state, 'commands.log'), encoding='utf-8') as handle:
            argvs = [json.loads(line)['argv'] for line in handle]
        assert ['vmadm', 'list'] in argvs and ['pkgin', 'list'] in argvs
        with open(os.path.join(run, 'pkgrepo', 'pkgrepo.json'), encoding='utf-8') as handle:
            assert json.load(handle)['sets']['tools']['repo_url'].startswith('http://127.0.0.9:')
    finally:
        stopped = cli('down', '--inventory', inventory)
        if stopped.returncode == 0:
            shutil.rmtree(run, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    assert stopped.returncode == 0 and stopped.stdout == 'gz1\tstopped\n', stopped.stderr
    assert not os.path.exists(run)
