"""Simulated global zone hosts: N SmartOS global zones that Ansible reaches over real SSH.

    python3 -m smartos_sim.gzhost up [--count N] [--run-dir DIR] [--inventory FILE] [--zones N]
                                     [--bootstrapped] [--fresh] [--port-base P] [--repo-port P]
    python3 -m smartos_sim.gzhost down [--run-dir DIR] [--inventory FILE]
    python3 -m smartos_sim.gzhost reboot NAME [--run-dir DIR]
    python3 -m smartos_sim.gzhost status [--run-dir DIR]
    python3 -m smartos_sim.gzhost default-run-dir

(run from tests/simulator, or with it on PYTHONPATH). See tests/simulator/README.md.

Each global zone ``gzI`` is a real ``sshd`` on its own loopback address (127.0.0.<10+I>),
started through ``unshare -m`` so that it, and every SSH session it serves, sees the GZ's
private directories: ``<state>/root/<dir>`` bind-mounted over ``/opt``, ``/zones``,
``/var/svc/log``, ``/var/tmp``, ``/usbkey`` and ``/root``; ``/etc`` is a private,
writable overlay that is thrown away at reboot (SmartOS's /etc lives in the ramdisk); ``/usr``
is read-only and holds no Python (every interpreter on the GZ PATH and on Ansible's
interpreter discovery list is whited out), as on a SmartOS GZ before pkgsrc is bootstrapped.
The simulator's own Python is bind-mounted at ``<run-dir>/python`` (not on the GZ PATH) and
reached through ``SMARTOS_SIM_PYTHON``; the simulator's code (this checkout's tests/simulator) is
bind-mounted at ``<run-dir>/sim``, whose ``bin`` heads the GZ PATH, so that the GZs run it
wherever the checkout is (even under /root, which they replace).

Processes are only ever stopped by the ids recorded in the run directory (pid files and the
GZ's mount namespace), never by name: other sshd may run on this machine.
"""
import argparse
import calendar
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib

from smartos_sim.tools.sysinfo import LIVE_IMAGE

SIM_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM_BIN = os.path.join(SIM_HOME, 'bin')
DEFAULT_INVENTORY = os.path.join(SIM_HOME, 'inventory.yml')
SSHD = '/usr/sbin/sshd'

# The GZ's private directories: <state>/root/<dir> is bind-mounted over /<dir>.
# /opt carries /opt/custom, /opt/local and /opt/tools. SmartOS keeps /var persistent and
# /usbkey holds the persistent config (reference pkgsrc_nova_facts.md §2).
PRIVATE_DIRS = ('opt', 'zones', 'var/svc/log', 'var/tmp', 'usbkey', 'root')

# Where Python interpreters may be found by a GZ session: the GZ PATH and Ansible's interpreter
# discovery list (INTERPRETER_PYTHON_FALLBACK: python3.N and python3 on PATH, /usr/bin/python3,
# older releases also /usr/bin/python and /usr/libexec/platform-python). All are hidden.
HIDE_DIRS = ('/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/usr/libexec')
HIDE_RE = re.compile(r'^(python|pydoc|pip|platform-python|idle|2to3)')

# root's PATH. smartos-live ships root's login profile as illumos-gate
# usr/src/cmd/nsadmin/dot-profile.sh: /usr/bin:/usr/sbin:/smartdc/bin:/opt/smartdc/bin:/opt/local/bin:
# /opt/local/sbin:/opt/tools/bin:/opt/tools/sbin:/opt/smartdc/agents/bin.
# UNCONFIRMED: the PATH a non-interactive SSH command gets on a GZ (sshd's default, probably
# without /opt/tools); chose the project's interface (simulator first, /opt/tools/bin, then the
# system dirs) so that pkgsrc tools are found after the bootstrap, as in a login shell.
GZ_PATH_TAIL = '/opt/tools/bin:/opt/tools/sbin:/usr/sbin:/usr/bin:/sbin:/bin'

DEFAULT_COUNT = 2
DEFAULT_PORT_BASE = 2200
DEFAULT_REPO_ADDRESS = '127.0.0.9'
DEFAULT_REPO_PORT = 8080
# What the inventory gives Ansible as the GZ's interpreter. pkgsrc's python311 package installs
# bin/python3.11; bin/python3 is only an ALTERNATIVES entry (reference pkgsrc_nova_facts.md §1.6,
# "pointing the interpreter at /opt/tools/bin/python3.11 is safer"), and the simulated package
# (smartos_sim/pkgrepo.py) has no python3 either.
GZ_PYTHON = '/opt/tools/bin/python3.11'


# /etc/release of the platform image. smartos-live tools/build_live (bi_gen_version_files) writes
# it at build time with `tools/build_etcrelease -v <buildstamp>`: two centred lines (SmartOS
# <buildstamp> x86_64, Copyright <build year> Edgecast Cloud LLC. since 2025, MNX/Joyent before),
# a blank line, "  Built with the following components:", a blank line, then the gitstatus JSON
# (`json -o json-4`: JSON.stringify with 4 spaces) of smartos-live, illumos-joyent, illumos-extra
# and projects/local/* (default.configure-projects: kbmd, kvm, kvm-cmd, mdata-client, ur-agent;
# configure create_projects names their GitHub repositories). The buildstamp is the one sysinfo
# reports as 'Live Image' (uname -v is joyent_<buildstamp>).
# UNCONFIRMED: branch, commit dates and revisions of a given release build; chose branch master,
# commit dates a few hours before the buildstamp and revisions derived from the buildstamp.
RELEASE_COMPONENTS = (('smartos-live', 'smartos-live'), ('illumos-joyent', 'illumos-joyent'),
                      ('illumos-extra', 'illumos-extra'), ('kbmd', 'kbmd'), ('kvm', 'illumos-kvm'),
                      ('kvm-cmd', 'illumos-kvm-cmd'), ('mdata-client', 'mdata-client'), ('ur-agent', 'sdc-ur-agent'))


def etc_release(buildstamp=LIVE_IMAGE):
    """The text of a SmartOS GZ's /etc/release for the platform ``buildstamp``."""
    built = calendar.timegm(time.strptime(buildstamp, '%Y%m%dT%H%M%SZ'))
    components = []
    for index, (repo, git_name) in enumerate(RELEASE_COMPONENTS):
        components.append({'repo': repo, 'branch': 'master', 'commit_date': str(built - 3600 * (index + 2)),
                           'rev': hashlib.sha1(('%s@%s' % (repo, buildstamp)).encode('utf-8')).hexdigest(),
                           'url': 'https://github.com/TritonDataCenter/%s.git' % git_name})
    return ('                     SmartOS %s x86_64\n'
            '                    Copyright %s Edgecast Cloud LLC.\n'
            '\n'
            '  Built with the following components:\n'
            '\n%s\n') % (buildstamp, buildstamp[:4], json.dumps(components, indent=4))


class GzHostError(Exception):
    """A GZ host could not be started, stopped or reached."""


def replaced_by(path):
    """The directory (``/root`` ...) the GZs replace that holds ``path``, or None.

    A run dir there would be hidden from the GZs' own sshd and sessions (its state dirs, keys,
    interpreter mount point), so it must lie elsewhere."""
    real = os.path.realpath(path)
    for directory in ['/' + d for d in PRIVATE_DIRS]:
        if real == directory or real.startswith(directory + '/'):
            return directory
    return None


def default_run_dir():
    """``tests/simulator/run`` of this checkout, unless the checkout is in a directory the GZs
    replace (a clone in /root): then ``/tmp/smartos-sim-run-<hash of the checkout's path>``, one
    per checkout, so that two checkouts never share (or stop) each other's GZs."""
    run = os.path.join(SIM_HOME, 'run')
    if not replaced_by(run):
        return run
    digest = hashlib.sha256(os.path.realpath(SIM_HOME).encode('utf-8')).hexdigest()[:12]
    return os.path.join('/tmp', 'smartos-sim-run-' + digest)


# ------------------------------------------------------------------ small helpers

def _write(path, text, mode=0o644):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, mode)


def _read(path, default=None):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        return default


def _pid_alive(pid, marker=None):
    """True when ``pid`` runs (not a zombie) and, if given, its command line contains ``marker``."""
    if not pid:
        return False
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            stat = handle.read()
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            cmdline = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except (FileNotFoundError, ProcessLookupError):
        return False
    if stat.rsplit(')', 1)[1].split()[0] in ('Z', 'X'):
        return False
    return marker is None or marker in cmdline


def _mnt_ns(pid):
    try:
        return os.readlink('/proc/%d/ns/mnt' % pid)
    except OSError:
        return None


def _pids_in_ns(namespace):
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit() and int(entry) != os.getpid():
            if _mnt_ns(int(entry)) == namespace:
                pids.append(int(entry))
    return pids


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [p for p in pids if _pid_alive(p)]
        if not pids:
            return []
        time.sleep(0.05)
    return [p for p in pids if _pid_alive(p)]


def _run(argv, env=None, timeout=300, cwd=None):
    """subprocess.run with stdout/stderr in files, not pipes: a daemon started by the command
    (an SMF service at boot) inherits them and would keep a pipe open until it exits."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        result = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                check=False, timeout=timeout)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(argv, result.returncode, out.read().decode('utf-8', 'replace'),
                                           err.read().decode('utf-8', 'replace'))


def _free_port(address):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _port_open(address, port):
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def _yaml_str(value):
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(str(value))


# ------------------------------------------------------------------ the run directory

class RunDir:
    """The files of one test bed (all its GZs) under ``path``."""

    def __init__(self, path):
        self.path = os.path.abspath(path)

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    @contextlib.contextmanager
    def lock(self):
        os.makedirs(self.path, exist_ok=True)
        fd = os.open(self.file('.gzhost.lock'), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self
        finally:
            os.close(fd)

    def load(self):
        text = _read(self.file('gzhost.json'))
        return json.loads(text) if text else {'hosts': {}}

    def save(self, data):
        tmp = self.file('.gzhost.json.tmp')
        _write(tmp, json.dumps(data, indent=1, sort_keys=True) + '\n')
        os.replace(tmp, self.file('gzhost.json'))

    @property
    def key(self):
        return self.file('id_ed25519')

    @property
    def known_hosts(self):
        return self.file('known_hosts')

    @property
    def python_mount(self):
        """Where the simulator's interpreter tree is bind-mounted inside each GZ."""
        return self.file('python')

    @property
    def sim_mount(self):
        """Where the simulator's code (SIM_HOME) is bind-mounted inside each GZ (empty outside)."""
        return self.file('sim')

    @property
    def sim_bin(self):
        """The simulated tools as the GZs see them: the head of the GZ PATH."""
        return os.path.join(self.sim_mount, 'bin')

    @property
    def sim_python(self):
        """SMARTOS_SIM_PYTHON inside the GZs: a launcher for the bind-mounted interpreter."""
        return self.file('sim-python')


# ------------------------------------------------------------------ one-off set-up of a run dir

def ensure_sshd():
    """Install Debian's openssh-server when /usr/sbin/sshd is missing (only then)."""
    if not os.access(SSHD, os.X_OK):
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        for argv in (['apt-get', 'update', '-q'], ['apt-get', 'install', '-y', '-q', 'openssh-server']):
            result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if result.returncode:
                raise GzHostError('%s failed:\n%s' % (' '.join(argv), result.stderr[-2000:]))
    if not os.access(SSHD, os.X_OK):
        raise GzHostError('%s is missing and openssh-server could not be installed' % SSHD)
    # Debian's sshd refuses to start without its privilege separation directory.
    os.makedirs('/run/sshd', mode=0o755, exist_ok=True)


def _keygen(path):
    if not os.path.exists(path):
        result = subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'smartos-sim', '-f', path],
                                capture_output=True, text=True, check=False)
        if result.returncode:
            raise GzHostError('ssh-keygen failed: %s' % result.stderr)
    os.chmod(path, 0o600)


def _python_tree():
    """(tree, relative executable, needs LD_LIBRARY_PATH) of the real interpreter running this.

    The whole installation prefix is bind-mounted into the GZ (a venv is only a pointer to it;
    the simulator needs nothing but the standard library)."""
    exe = os.path.realpath(sys.executable)
    prefix = os.path.realpath(sys.base_prefix)
    if not exe.startswith(prefix + os.sep):
        prefix = os.path.dirname(os.path.dirname(exe))
    libpython = glob.glob(os.path.join(prefix, 'lib', 'libpython3*.so*'))
    return prefix, os.path.relpath(exe, prefix), bool(libpython)


def _prepare_run_dir(run, data):
    os.makedirs(run.path, exist_ok=True)
    os.chmod(run.path, 0o755)
    _keygen(run.key)
    os.makedirs(run.python_mount, exist_ok=True)
    os.makedirs(run.sim_mount, exist_ok=True)
    if data.get('python') and any(h.is_up() for h in _hosts(run, data)):
        # GZs running have that interpreter mounted: keep it, whoever runs `up` now.
        prefix, rel_exe, needs_lib = data['python']
    else:
        prefix, rel_exe, needs_lib = _python_tree()
    data['python'] = [prefix, rel_exe, needs_lib]
    inside = os.path.join(run.python_mount, rel_exe)
    lines = ['#!/bin/sh',
             '# The simulator\'s interpreter (%s), bind-mounted at %s inside the GZs.' % (
                 os.path.join(prefix, rel_exe), run.python_mount)]
    if needs_lib:
        # Its RUNPATH names the original prefix, which /root (pyenv) may hide in the GZ.
        lib = os.path.join(run.python_mount, 'lib')
        lines.append('LD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH' % shlex.quote(lib))
    lines.append('exec %s "$@"' % shlex.quote(inside))
    _write(run.sim_python, '\n'.join(lines) + '\n', 0o755)
    # Whiteouts (character devices 0/0) for an overlay over each directory holding a Python.
    hidden = {}
    for directory in HIDE_DIRS:
        if not os.path.isdir(directory) or os.path.islink(directory):
            continue
        names = [n for n in sorted(os.listdir(directory)) if HIDE_RE.match(n)]
        if not names:
            continue
        wdir = run.file('whiteouts', directory.lstrip('/'))
        os.makedirs(wdir, exist_ok=True)
        for name in names:
            target = os.path.join(wdir, name)
            if not os.path.lexists(target):
                os.mknod(target, 0o600 | 0o020000, os.makedev(0, 0))
        hidden[directory] = wdir
    return prefix, hidden


# ------------------------------------------------------------------ one GZ

class GzHost:
    """One simulated global zone of a run directory."""

    def __init__(self, run, name, address, port, playbook_env=None, sim_bin=None):
        self.run = run
        # The simulated tools inside this GZ. A GZ started before the simulator was mounted at
        # <run>/sim (its entry records no sim_bin) still runs them from the checkout.
        self.sim_bin = sim_bin or SIM_BIN
        self.name = name
        self.address = address
        self.port = port
        self.dir = run.file(name)
        self.state = os.path.join(self.dir, 'state')
        self.inventory = None
        self._playbook_env = playbook_env

    # paths
    def file(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def pidfile(self):
        return self.file('sshd.pid')

    @property
    def config(self):
        return self.file('sshd_config')

    def host_path(self, gz_path):
        """Where the GZ's absolute path lives on this machine (persistent directories only)."""
        return os.path.join(self.state, 'root', gz_path.lstrip('/'))

    @property
    def pid(self):
        text = _read(self.pidfile, '').strip()
        return int(text) if text.isdigit() else None

    def is_up(self):
        return _pid_alive(self.pid, self.config)

    def env(self):
        """The environment of a GZ session (what sshd's SetEnv gives)."""
        return {'PATH': self.sim_bin + ':' + GZ_PATH_TAIL, 'SMARTOS_SIM_STATE': self.state,
                'SMARTOS_SIM_PYTHON': self.run.sim_python, 'HOME': '/root', 'LANG': 'C', 'LC_ALL': 'C'}

    # set-up
    def _fresh_home(self):
        """/root is in the ramdisk: empty at each boot, then provisioned."""
        home = self.host_path('/root')
        for entry in os.listdir(home) if os.path.isdir(home) else ():
            path = os.path.join(home, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        self._provision_home()

    def _provision_home(self):
        """What SmartOS does at boot from /usbkey: root's home with the authorized key."""
        home = self.host_path('/root')
        os.makedirs(os.path.join(home, '.ssh'), mode=0o700, exist_ok=True)
        os.chmod(home, 0o700)
        pub = _read(self.run.key + '.pub')
        _write(os.path.join(home, '.ssh', 'authorized_keys'), pub, 0o600)
        # A login shell reads this (not the host root's pyenv/cargo rc files): root's SmartOS PATH.
        _write(os.path.join(home, '.profile'),
               'PATH=%s\nexport PATH\n' % (self.sim_bin + ':' + GZ_PATH_TAIL))

    def _write_config(self):
        env = self.env()
        setenv = ' '.join('"%s=%s"' % (k, env[k]) for k in ('PATH', 'SMARTOS_SIM_STATE', 'SMARTOS_SIM_PYTHON'))
        _write(self.config, '\n'.join([
            '# sshd of the simulated global zone %s (written by smartos_sim.gzhost)' % self.name,
            'ListenAddress %s:%d' % (self.address, self.port),
            'HostKey %s' % self.file('ssh_host_ed25519_key'),
            'PidFile %s' % self.pidfile,
            'AuthorizedKeysFile .ssh/authorized_keys',
            'UsePAM no',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            'PermitRootLogin prohibit-password',
            'PermitUserEnvironment no',
            'StrictModes yes',
            'UseDNS no',
            'PrintMotd no',
            'X11Forwarding no',
            'MaxStartups 50:30:100',
            'MaxSessions 50',
            'Subsystem sftp internal-sftp',
            'SetEnv %s' % setenv,
            '']), 0o600)

    def _write_start_script(self, python_prefix, hidden):
        etc = self.file('etc')
        lines = ['#!/bin/sh',
                 '# Runs inside `unshare -m --propagation private`: the GZ\'s view, then its sshd.',
                 'set -e',
                 # Before /root is replaced: the simulator's interpreter (pyenv lives in /root).
                 'mount --bind %s %s' % (shlex.quote(python_prefix), shlex.quote(self.run.python_mount)),
                 # ... and the simulator's code, which a clone in /root (or /opt, /var/tmp ...) would
                 # lose too. One mount rather than a copy: nothing to refresh, never stale, and the
                 # same path (<run>/sim) wherever the checkout is. Outside the GZs it stays an empty
                 # directory; being a plain (non-recursive) bind, the GZs see no mount inside it.
                 'mount --bind %s %s' % (shlex.quote(SIM_HOME), shlex.quote(self.run.sim_mount))]
        for directory, wdir in sorted(hidden.items()):
            lines.append('mount -t overlay smartos-sim-nopython -o ro,lowerdir=%s:%s %s' % (
                shlex.quote(wdir), shlex.quote(directory), shlex.quote(directory)))
        lines.append('mount -t overlay smartos-sim-etc -o lowerdir=/etc,upperdir=%s,workdir=%s /etc' % (
            shlex.quote(os.path.join(etc, 'upper')), shlex.quote(os.path.join(etc, 'work'))))
        lines.append(self._libpython_script())
        for directory in PRIVATE_DIRS:
            lines.append('mount --bind %s %s' % (shlex.quote(self.host_path('/' + directory)), '/' + directory))
        lines.append('exec %s -D -f %s -E %s' % (SSHD, shlex.quote(self.config), shlex.quote(self.file('sshd.log'))))
        _write(self.file('start.sh'), '\n'.join(lines) + '\n', 0o755)

    def _libpython_script(self):
        """Shell lines run after /etc is mounted: the dynamic linker's cache of the GZ's /etc learns
        where the simulator's libpython is. Its RUNPATH names the original prefix (pyenv's, under
        /root, hidden in the GZ) and sim-python's LD_LIBRARY_PATH is not inherited by processes
        that do not start through it: a virtualenv's bin/python links straight to the interpreter,
        and SMF methods start with a clean environment. Without this they would load this machine's
        older libpython3.11 and fail on extension modules (`_ssl ... undefined symbol`)."""
        lib = shlex.quote(os.path.join(self.run.python_mount, 'lib'))
        return ('if ls %s/libpython3*.so* >/dev/null 2>&1; then echo %s > /etc/ld.so.conf.d/0-smartos-sim-python.conf'
                ' && PATH=/usr/sbin:/usr/bin:/sbin:/bin ldconfig || true; fi' % (lib, lib))

    def _reset_etc(self):
        """An empty upper layer for the /etc overlay (not mounted now), with what the platform
        image's /etc has that this machine's /etc lacks: /etc/release (ansible.builtin.service's
        SunOS class reads it for every task)."""
        etc = self.file('etc')
        shutil.rmtree(etc, ignore_errors=True)
        os.makedirs(os.path.join(etc, 'upper'))
        os.makedirs(os.path.join(etc, 'work'))
        _write(os.path.join(etc, 'upper', 'release'), etc_release())

    def prepare(self, zones=0, fresh=False):
        """The GZ's files: state (``smartos-sim init`` when new), host key, sshd config."""
        os.makedirs(self.dir, exist_ok=True)
        created = False
        if fresh or not os.path.isfile(self.file('initialised')):
            # Each GZ its own seed: its own server UUID, MACs and hostname, as distinct machines have.
            args = ['init', '--state', self.state, '--seed', str(zlib.crc32(self.name.encode('utf-8')))]
            if zones:
                args += ['--zones', str(zones)]
            result = self.sim(*args)
            if result.returncode:
                raise GzHostError('%s: smartos-sim init failed:\n%s' % (self.name, result.stderr))
            _write(self.file('initialised'), '')
            created = True
        for directory in PRIVATE_DIRS:
            os.makedirs(self.host_path('/' + directory), exist_ok=True)
        self._provision_home()
        _keygen(self.file('ssh_host_ed25519_key'))
        self._write_config()
        return created

    def sim(self, *args):
        """``smartos-sim ARGS`` on this machine (outside the GZ's namespace)."""
        env = dict(os.environ, SMARTOS_SIM_STATE=self.state, SMARTOS_SIM_PYTHON=sys.executable)
        return _run([os.path.join(SIM_BIN, 'smartos-sim')] + list(args), env=env)

    # running
    def start(self, python_prefix, hidden):
        if self.is_up():
            return False
        for mountpoint in PRIVATE_DIRS:
            if mountpoint != 'root':
                # Empty mount points on this machine (they hide nothing outside the namespaces).
                os.makedirs('/' + mountpoint, exist_ok=True)
        self._reset_etc()
        self._fresh_home()
        self._write_start_script(python_prefix, hidden)
        check = subprocess.run([SSHD, '-t', '-f', self.config], capture_output=True, text=True, check=False)
        if check.returncode:
            raise GzHostError('%s: sshd -t: %s' % (self.name, check.stderr.strip()))
        if _port_open(self.address, self.port):
            raise GzHostError('%s: %s:%d is already in use by another process' % (self.name, self.address, self.port))
        with open(self.file('start.log'), 'ab') as log:
            proc = subprocess.Popen(['unshare', '-m', '--propagation', 'private', self.file('start.sh')],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    start_new_session=True, close_fds=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise GzHostError('%s: sshd exited with %s:\n%s%s' % (
                    self.name, proc.returncode, _read(self.file('start.log'), ''), _read(self.file('sshd.log'), '')))
            if self.pid == proc.pid and _port_open(self.address, self.port):
                break
            time.sleep(0.05)
        else:
            _signal(proc.pid, signal.SIGTERM)
            raise GzHostError('%s: sshd did not come up on %s:%d:\n%s' % (
                self.name, self.address, self.port, _read(self.file('sshd.log'), '')))
        return True

    def namespace(self):
        pid = self.pid
        return _mnt_ns(pid) if self.is_up() else None

    def nsenter(self, argv, timeout=300):
        """Run ``argv`` inside the GZ (its mount namespace, a GZ session's environment)."""
        if not self.is_up():
            raise GzHostError('%s is not up' % self.name)
        return _run(['nsenter', '-t', str(self.pid), '-m', '--'] + list(argv), env=self.env(), timeout=timeout, cwd='/')

    def _strays(self, namespace):
        """Processes of this GZ left behind after its sshd died: in its recorded namespace and
        carrying its state dir in their environment (the namespace id alone could be reused)."""
        marker = ('SMARTOS_SIM_STATE=%s' % self.state).encode('utf-8')
        found = []
        for pid in _pids_in_ns(namespace) if namespace else []:
            try:
                with open('/proc/%d/environ' % pid, 'rb') as handle:
                    if marker in handle.read().split(b'\0'):
                        found.append(pid)
            except OSError:
                continue
        return found

    def stop(self, namespace=None):
        """Shut the GZ down (its services), then stop sshd and whatever still runs in its namespace.

        ``namespace`` (recorded at start) finds what is left of a GZ whose sshd died."""
        if not self.is_up():
            strays = self._strays(namespace)
            for other in strays:
                _signal(other, signal.SIGTERM)
            for other in _wait_gone(strays, 5):
                _signal(other, signal.SIGKILL)
            return bool(strays)
        namespace = self.namespace()
        self.nsenter([os.path.join(self.sim_bin, 'smartos-sim'), 'shutdown', '--state', self.state])
        pid = self.pid
        # SSH sessions (ControlPersist masters' servers) and services left behind, by namespace,
        # listed while sshd still holds the namespace: once its last process is gone the kernel
        # may give the same id to a new namespace (another bed's GZ starting), whose sshd a later
        # listing would kill.
        rest = [other for other in _pids_in_ns(namespace) if other != pid] if namespace else []
        _signal(pid, signal.SIGTERM)
        _wait_gone([pid], 5)
        for other in rest:
            _signal(other, signal.SIGTERM)
        for other in _wait_gone(rest, 5):
            _signal(other, signal.SIGKILL)
        _signal(pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.pidfile)
        return True

    def reboot(self):
        """``smartos-sim shutdown``, the ramdisk's state thrown away, ``smartos-sim boot``.

        sshd stays up: the machine rebooted under it (its sessions survive)."""
        if not self.is_up():
            raise GzHostError('%s is not up' % self.name)
        result = self.nsenter([os.path.join(self.sim_bin, 'smartos-sim'), 'shutdown', '--state', self.state])
        if result.returncode:
            raise GzHostError('%s: smartos-sim shutdown: %s' % (self.name, result.stderr))
        # /etc and /root are in the ramdisk on SmartOS: a fresh /etc overlay, an empty home with
        # the key that /usbkey/config provides at boot.
        etc = self.file('etc')
        result = self.nsenter(['umount', '/etc'])
        if result.returncode:
            raise GzHostError('%s: resetting /etc: %s' % (self.name, result.stderr))
        self._reset_etc()
        script = 'mount -t overlay smartos-sim-etc -o lowerdir=/etc,upperdir={upper},workdir={work} /etc'.format(
            upper=shlex.quote(os.path.join(etc, 'upper')), work=shlex.quote(os.path.join(etc, 'work')))
        script += '\n' + self._libpython_script()
        result = self.nsenter(['/bin/sh', '-c', script])
        if result.returncode:
            raise GzHostError('%s: resetting /etc: %s' % (self.name, result.stderr))
        self._fresh_home()
        result = self.nsenter([os.path.join(self.sim_bin, 'smartos-sim'), 'boot', '--state', self.state])
        if result.returncode:
            raise GzHostError('%s: smartos-sim boot: %s' % (self.name, result.stderr))

    def boot(self):
        result = self.nsenter([os.path.join(self.sim_bin, 'smartos-sim'), 'boot', '--state', self.state])
        if result.returncode:
            raise GzHostError('%s: smartos-sim boot: %s' % (self.name, result.stderr))

    def host_key_line(self):
        pub = _read(self.file('ssh_host_ed25519_key.pub')).split()
        where = self.address if self.port == 22 else '[%s]:%d' % (self.address, self.port)
        return '%s %s %s\n' % (where, pub[0], pub[1])

    # access from tests
    def ssh_argv(self, command=None):
        argv = ['ssh', '-q', '-i', self.run.key, '-p', str(self.port), '-o', 'BatchMode=yes',
                '-o', 'IdentitiesOnly=yes', '-o', 'UserKnownHostsFile=' + self.run.known_hosts,
                '-o', 'StrictHostKeyChecking=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none',
                'root@' + self.address]
        return argv + ([command] if command is not None else [])

    def ssh(self, command, timeout=120, stdin=None):
        """Run a shell command in the GZ over SSH; CompletedProcess with text output."""
        return subprocess.run(self.ssh_argv(command), input=stdin, capture_output=True, text=True,
                              check=False, timeout=timeout)

    def playbook(self, playbook, extra_vars=None, timeout=600, args=()):
        """ansible-playbook against the inventory, limited to this GZ."""
        return run_playbook(self.inventory, playbook, extra_vars, timeout, list(args) + ['--limit', self.name],
                            env=self._playbook_env)

    def __repr__(self):
        return 'GzHost(%s %s:%d %s)' % (self.name, self.address, self.port, self.state)


# ------------------------------------------------------------------ ansible-playbook

def ansible_playbook():
    """The ansible-playbook to use: $ANSIBLE_PLAYBOOK, else the one on PATH, else None."""
    return os.environ.get('ANSIBLE_PLAYBOOK') or shutil.which('ansible-playbook')


def run_playbook(inventory, playbook, extra_vars=None, timeout=600, args=(), env=None):
    """Run ansible-playbook; ``playbook`` is a path or the YAML text of a playbook."""
    exe = ansible_playbook()
    if not exe:
        raise GzHostError('ansible-playbook not found (set ANSIBLE_PLAYBOOK or put it on PATH)')
    tmp = None
    if '\n' in playbook or not os.path.exists(playbook):
        fd, tmp = _mkstemp(os.path.dirname(inventory), '.playbook-', '.yml')
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(playbook)
        playbook = tmp
    argv = [exe, '-i', inventory, playbook] + list(args)
    if extra_vars:
        argv += ['-e', json.dumps(extra_vars)]
    run_env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0')
    run_env.update(env or {})
    try:
        # A fresh /dev/null: an inherited stdin may have been left O_NONBLOCK by another process
        # (ssh), and ansible then refuses to start.
        return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout, env=run_env,
                              stdin=subprocess.DEVNULL)
    finally:
        if tmp:
            os.unlink(tmp)


def _mkstemp(directory, prefix, suffix):
    return tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)


# ------------------------------------------------------------------ the pkgsrc repository

def _start_repo(run, data, address, port):
    """Build the pkgsrc repository once into the run dir and serve it over HTTP on loopback.

    Returns {} when smartos_sim/pkgrepo.py is not there (no repository, GZs still start)."""
    repo = data.get('repo') or {}
    if repo.get('pid') and _pid_alive(repo['pid'], 'smartos_sim.pkgrepo') and _port_open(repo['address'], repo['port']):
        return repo
    try:
        from smartos_sim import pkgrepo  # pylint: disable=import-outside-toplevel
    except ImportError:
        data['repo'] = {}
        return {}
    if repo.get('address') == address and repo.get('port') and not _port_open(address, repo['port']):
        port = repo['port']   # the same URL as before: the GZs' repositories.conf stays valid
    elif port == 0:
        port = _free_port(address)
    base_url = 'http://%s:%d' % (address, port)
    out = run.file('pkgrepo')
    info = json.loads(_read(os.path.join(out, 'pkgrepo.json'), 'null') or 'null')
    # The kit's tools exec <sim>/run.py: the simulator as the GZs see it (the <run>/sim mount),
    # never the checkout's own path, which /root may hide in the GZs.
    if not info or info.get('base_url') != base_url or repo.get('sim_home') != run.sim_mount:
        shutil.rmtree(out, ignore_errors=True)
        info = pkgrepo.build_repository(out, run.sim_mount, run.sim_python, base_url)
    if _port_open(address, port):
        raise GzHostError('%s:%d (the pkgsrc repository) is already in use by another process' % (address, port))
    with open(run.file('pkgrepo.log'), 'ab') as log:
        proc = subprocess.Popen([sys.executable, '-m', 'smartos_sim.pkgrepo', 'serve', '--dir', out,
                                 '--host', address, '--port', str(port)], cwd=SIM_HOME,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 15
    while not _port_open(address, port):
        if proc.poll() is not None or time.monotonic() > deadline:
            _signal(proc.pid, signal.SIGTERM)
            raise GzHostError('the pkgsrc repository server did not start:\n%s' % _read(run.file('pkgrepo.log'), ''))
        time.sleep(0.05)
    tools = info['sets']['tools']
    repo = {'pid': proc.pid, 'address': address, 'port': port, 'url': base_url, 'dir': out, 'sim_home': run.sim_mount,
            'bootstrap_url': tools['bootstrap_url'], 'bootstrap_name': tools['bootstrap_name'],
            'bootstrap_sha1': tools['sha1'], 'repo_url': tools['repo_url']}
    data['repo'] = repo
    return repo


def _stop_repo(data):
    repo = data.get('repo') or {}
    pid = repo.get('pid')
    if _pid_alive(pid, 'smartos_sim.pkgrepo'):
        _signal(pid, signal.SIGTERM)
        if _wait_gone([pid], 5):
            _signal(pid, signal.SIGKILL)
    repo.pop('pid', None)


def bootstrap(host, repo, python_package='python311'):
    """Install pkgsrc-tools and Python into a GZ over SSH, the way the pkgsrc role does
    (reference pkgsrc_nova_facts.md §1.1: download into /var/tmp, check the SHA1, unpack over /,
    then ``pkgin -y install``). Nothing is done where /opt/tools/bin/pkgin is already there."""
    tar = shlex.quote(repo['bootstrap_name'])
    template = ('set -e; if ! test -x /opt/tools/bin/pkgin; then cd /var/tmp; curl -sSfk -o {tar} {url}; '
                'test "$(sha1sum {tar} | cut -d" " -f1)" = {sha1}; tar -zxpf {tar} -C /; rm -f {tar}; fi; '
                '/opt/tools/sbin/pkg_info -q -E {pkg} || /opt/tools/bin/pkgin -y install {pkg}')
    script = template.format(tar=tar, url=shlex.quote(repo['bootstrap_url']), sha1=repo['bootstrap_sha1'],
                             pkg=shlex.quote(python_package))
    result = host.ssh(script, timeout=300)
    if result.returncode:
        raise GzHostError('%s: pkgsrc bootstrap failed (rc %d):\n%s%s' % (
            host.name, result.returncode, result.stdout, result.stderr))
    return result


# ------------------------------------------------------------------ the test bed

def _host(run, name, entry, env=None):
    return GzHost(run, name, entry['address'], entry['port'], env, entry.get('sim_bin'))


def _hosts(run, data, env=None):
    return [_host(run, name, h, env) for name, h in sorted(data.get('hosts', {}).items(), key=lambda kv: int(kv[0][2:]))]


def write_inventory(run, data, inventory, python_interpreter=GZ_PYTHON):
    hosts = [h for h in _hosts(run, data) if h.is_up()]
    repo = data.get('repo') or {}
    lines = ['# The simulated global zones of %s.' % run.path,
             '# Written by `python3 -m smartos_sim.gzhost up`; removed by `down`. Do not edit.',
             'all:', '  children:', '    global_zones:', '      hosts:']
    for host in hosts:
        lines += ['        %s:' % host.name,
                  '          ansible_host: %s' % _yaml_str(host.address),
                  '          ansible_port: %d' % host.port,
                  '          smartos_sim_state: %s' % _yaml_str(host.state)]
    if not hosts:
        lines[-1] = '      hosts: {}'
    common = '-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes' % run.known_hosts
    lines += ['      vars:',
              '        ansible_user: root',
              '        ansible_ssh_private_key_file: %s' % _yaml_str(run.key),
              '        ansible_ssh_common_args: %s' % _yaml_str(common),
              '        ansible_python_interpreter: %s' % _yaml_str(python_interpreter),
              '        smartos_sim_run_dir: %s' % _yaml_str(run.path)]
    if repo.get('url'):
        # The simulated https://pkgsrc.smartos.org: server root, the tools kit and its SHA1.
        lines += ['        smartos_pkgsrc_url: %s' % _yaml_str(repo['url']),
                  '        smartos_pkgsrc_bootstrap_tarball: %s' % _yaml_str(repo['bootstrap_name']),
                  '        smartos_pkgsrc_bootstrap_sha1: %s' % _yaml_str(repo['bootstrap_sha1']),
                  '        smartos_pkgsrc_bootstrap_url: %s' % _yaml_str(repo['bootstrap_url'])]
    tmp = inventory + '.tmp'
    _write(tmp, '\n'.join(lines) + '\n')
    os.replace(tmp, inventory)
    _write(run.known_hosts, ''.join(h.host_key_line() for h in _hosts(run, data)))


def up(run_dir=None, count=DEFAULT_COUNT, inventory=DEFAULT_INVENTORY, zones=0, bootstrapped=False,
       fresh=False, port_base=DEFAULT_PORT_BASE, repo_address=DEFAULT_REPO_ADDRESS, repo_port=DEFAULT_REPO_PORT,
       python_interpreter=GZ_PYTHON):
    """Start gz1..gzN (idempotent); write the inventory; return the list of GzHost.

    ``run_dir`` None: default_run_dir(). The checkout (SIM_HOME) may be anywhere, the GZs get it
    mounted at <run>/sim; the run dir itself must not be in a directory the GZs replace."""
    run = RunDir(run_dir or default_run_dir())
    hidden_by = replaced_by(run.path)
    if hidden_by:
        raise GzHostError('run dir %s is under %s, which the GZs replace: choose another --run-dir '
                          '(without --run-dir, gzhost uses %s)' % (run.path, hidden_by, default_run_dir()))
    ensure_sshd()
    with run.lock():
        data = run.load()
        python_prefix, hidden = _prepare_run_dir(run, data)
        hosts = data.setdefault('hosts', {})
        for index in range(1, count + 1):
            name = 'gz%d' % index
            entry = hosts.get(name)
            host = _host(run, name, entry) if entry else None
            if host and host.is_up() and not fresh:
                continue
            if host:
                # Running (and --fresh): power off first. Not running: what a dead sshd left behind
                # goes, as in a power cut.
                host.stop(entry.get('namespace'))
            address = '127.0.0.%d' % (10 + index)
            if port_base:
                port = port_base + index
            elif entry and entry.get('address') == address and not _port_open(address, entry['port']):
                port = entry['port']
            else:
                port = _free_port(address)
            host = GzHost(run, name, address, port, sim_bin=run.sim_bin)
            hosts[name] = {'address': address, 'port': port, 'state': host.state, 'sim_bin': run.sim_bin}
            run.save(data)
            created = host.prepare(zones=zones, fresh=fresh)
            _write(run.known_hosts, ''.join(h.host_key_line() for h in _hosts(run, data)))
            host.start(python_prefix, hidden)
            hosts[name]['namespace'] = host.namespace()
            run.save(data)
            if not created:
                host.boot()   # the machine was powered off by `down`: boot it again
        for name in [n for n in hosts if int(n[2:]) > count]:
            _host(run, name, hosts[name]).stop(hosts[name].get('namespace'))
            del hosts[name]
        repo = _start_repo(run, data, repo_address, repo_port)
        run.save(data)
        data['python_interpreter'] = python_interpreter
        run.save(data)
        write_inventory(run, data, inventory, python_interpreter)
        result = _hosts(run, data)
        for host in result:
            host.inventory = os.path.abspath(inventory)
        if bootstrapped:
            if not repo:
                raise GzHostError('--bootstrapped needs smartos_sim/pkgrepo.py (the pkgsrc repository), which is missing')
            for host in result:
                bootstrap(host, repo)
        return result


def down(run_dir=None, inventory=DEFAULT_INVENTORY):
    """Stop every GZ of the run dir and the repository server (idempotent); remove the inventory."""
    run = RunDir(run_dir or default_run_dir())
    if not os.path.isdir(run.path):
        return []
    with run.lock():
        data = run.load()
        stopped = [h.name for h in _hosts(run, data) if h.stop(data['hosts'][h.name].get('namespace'))]
        _stop_repo(data)
        run.save(data)
    if inventory and os.path.exists(inventory):
        os.unlink(inventory)
    return stopped


def reboot(name, run_dir=None):
    run = RunDir(run_dir or default_run_dir())
    with run.lock():
        data = run.load()
        for host in _hosts(run, data):
            if host.name == name:
                host.reboot()
                return host
    raise GzHostError('no GZ named %s in %s' % (name, run.path))


def hosts(run_dir=None, inventory=DEFAULT_INVENTORY, env=None):
    """The GzHost objects of a run dir (up or not)."""
    run = RunDir(run_dir or default_run_dir())
    result = _hosts(run, run.load(), env)
    for host in result:
        host.inventory = os.path.abspath(inventory)
    return result


def status(run_dir=None):
    """Lines describing each GZ; (text, all_up)."""
    run = RunDir(run_dir or default_run_dir())
    data = run.load() if os.path.isdir(run.path) else {'hosts': {}}
    lines, all_up = [], bool(data.get('hosts'))
    for host in _hosts(run, data):
        is_up = host.is_up()
        all_up = all_up and is_up
        running = 'up pid %d' % host.pid if is_up else 'down'
        lines.append('%s\t%s:%d\t%s\t%s' % (host.name, host.address, host.port, running, host.state))
    repo = data.get('repo') or {}
    if repo.get('url'):
        running = 'up pid %d' % repo['pid'] if _pid_alive(repo.get('pid'), 'smartos_sim.pkgrepo') else 'down'
        lines.append('pkgsrc\t%s\t%s' % (repo['url'], running))
    if not lines:
        lines.append('no simulated global zone in %s' % run.path)
    return '\n'.join(lines) + '\n', all_up


class GzBed:
    """A test bed of N GZs in one run dir, driven through the command line (as `make gz-up` does).

    ``bed[0]``, ``bed['gz1']``, ``len(bed)``, ``for host in bed``; ``bed.inventory``,
    ``bed.playbook(path_or_yaml, extra_vars=None)`` (all hosts), ``bed.reboot(name)``.
    ``remove_run_dir``: a successful ``down`` deletes the run dir (one made just for this bed)."""

    def __init__(self, run_dir, count=DEFAULT_COUNT, zones=0, bootstrapped=False, inventory=None,
                 port_base=0, repo_port=0, playbook_env=None, remove_run_dir=False):
        self.run_dir = os.path.abspath(run_dir)
        self.remove_run_dir = remove_run_dir
        self.inventory = inventory or os.path.join(self.run_dir, 'inventory.yml')
        self.count, self.zones, self.bootstrapped = count, zones, bootstrapped
        self.port_base, self.repo_port = port_base, repo_port
        self.playbook_env = playbook_env
        self.hosts = []

    def _cli(self, *args, timeout=600):
        return subprocess.run([sys.executable, '-m', 'smartos_sim.gzhost'] + list(args), cwd=SIM_HOME,
                              capture_output=True, text=True, check=False, timeout=timeout,
                              env=dict(os.environ, PYTHONPATH=SIM_HOME))

    def up(self):
        args = ['up', '--run-dir', self.run_dir, '--inventory', self.inventory, '--count', str(self.count),
                '--zones', str(self.zones), '--port-base', str(self.port_base), '--repo-port', str(self.repo_port)]
        result = self._cli(*(args + (['--bootstrapped'] if self.bootstrapped else [])))
        if result.returncode:
            raise GzHostError('gzhost up failed (rc %d):\n%s%s' % (result.returncode, result.stdout, result.stderr))
        self.hosts = hosts(self.run_dir, self.inventory, self.playbook_env)
        return self

    def down(self):
        result = self._cli('down', '--run-dir', self.run_dir, '--inventory', self.inventory)
        if result.returncode:
            raise GzHostError('gzhost down failed (rc %d):\n%s' % (result.returncode, result.stderr))
        if self.remove_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        return result

    def reboot(self, name):
        result = self._cli('reboot', name, '--run-dir', self.run_dir)
        if result.returncode:
            raise GzHostError('gzhost reboot failed (rc %d):\n%s' % (result.returncode, result.stderr))
        return result

    def playbook(self, playbook, extra_vars=None, timeout=600, args=()):
        return run_playbook(self.inventory, playbook, extra_vars, timeout, args, env=self.playbook_env)

    def __getitem__(self, key):
        if isinstance(key, str):
            for host in self.hosts:
                if host.name == key:
                    return host
            raise KeyError(key)
        return self.hosts[key]

    def __iter__(self):
        return iter(self.hosts)

    def __len__(self):
        return len(self.hosts)


def unavailable_reason():
    """Why GZ hosts cannot run on this machine, or None."""
    if os.geteuid() != 0:
        return 'the simulated GZ hosts need root (mount namespaces, bind mounts, sshd)'
    for tool in ('unshare', 'nsenter', 'ssh', 'ssh-keygen', 'mount'):
        if not shutil.which(tool):
            return '%s is not installed' % tool
    return None


# ------------------------------------------------------------------ command line

def _parser():
    parser = argparse.ArgumentParser(prog='python3 -m smartos_sim.gzhost',
                                     description='Simulated SmartOS global zones reached over SSH.')
    sub = parser.add_subparsers(dest='command', required=True)
    p_up = sub.add_parser('up', help='start the GZs and write the inventory (idempotent)')
    p_up.add_argument('--count', type=int, default=DEFAULT_COUNT)
    p_up.add_argument('--zones', type=int, default=0, help='seed N zones into a new GZ state')
    p_up.add_argument('--bootstrapped', action='store_true', help='install pkgsrc-tools and Python')
    p_up.add_argument('--fresh', action='store_true', help='re-initialise the GZ states')
    p_up.add_argument('--port-base', type=int, default=DEFAULT_PORT_BASE,
                      help='gzI listens on port BASE+I (0: any free port)')
    p_up.add_argument('--repo-address', default=DEFAULT_REPO_ADDRESS)
    p_up.add_argument('--repo-port', type=int, default=DEFAULT_REPO_PORT, help='0: any free port')
    p_up.add_argument('--python-interpreter', default=GZ_PYTHON, help='ansible_python_interpreter in the inventory')
    p_down = sub.add_parser('down', help='stop every GZ (idempotent)')
    p_reboot = sub.add_parser('reboot', help='reboot one GZ')
    p_reboot.add_argument('name')
    p_status = sub.add_parser('status', help='which GZs run')
    sub.add_parser('default-run-dir', help='print the run dir used without --run-dir')
    for p in (p_up, p_down, p_reboot, p_status):
        p.add_argument('--run-dir', default=None,
                       help='default: tests/simulator/run, or /tmp/smartos-sim-run-<hash> when the checkout '
                            'is in a directory the GZs replace (see default-run-dir)')
    for p in (p_up, p_down):
        p.add_argument('--inventory', default=DEFAULT_INVENTORY)
    return parser


def main(argv=None):
    opts = _parser().parse_args(argv)
    try:
        if opts.command == 'up':
            started = up(opts.run_dir, opts.count, opts.inventory, opts.zones, opts.bootstrapped, opts.fresh,
                         opts.port_base, opts.repo_address, opts.repo_port, opts.python_interpreter)
            for host in started:
                sys.stdout.write('%s\t%s:%d\t%s\n' % (host.name, host.address, host.port, host.state))
            sys.stdout.write('inventory: %s\n' % os.path.abspath(opts.inventory))
        elif opts.command == 'down':
            for name in down(opts.run_dir, opts.inventory):
                sys.stdout.write('%s\tstopped\n' % name)
        elif opts.command == 'default-run-dir':
            sys.stdout.write(default_run_dir() + '\n')
        elif opts.command == 'reboot':
            host = reboot(opts.name, opts.run_dir)
            sys.stdout.write('%s\trebooted\n' % host.name)
        else:
            text, all_up = status(opts.run_dir)
            sys.stdout.write(text)
            return 0 if all_up else 1
    except GzHostError as exc:
        sys.stderr.write('gzhost: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
