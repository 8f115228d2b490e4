"""A real OpenStack control plane on this machine, for the tests of the nova_compute role.

    python3 tools/controlplane.py up [--run-dir D] [--python PY] [--venv DIR]
    python3 tools/controlplane.py down [--run-dir D]
    python3 tools/controlplane.py status [--run-dir D]
    python3 tools/controlplane.py services [--run-dir D] [--binary B] [--host H]
    python3 tools/controlplane.py discover-hosts [--run-dir D]

Not a mock: Debian's RabbitMQ and MariaDB (installed with apt-get when missing), the
nova==34.0.0 that the role installs, from PyPI, in a virtualenv of its own; `nova-manage`
creates the API, cell0 and cell1 databases, then a real `nova-conductor` and a real Placement
API (openstack-placement, PyPI) run. Every process is a plain child of this tool (no systemd,
no init scripts), listens on 127.0.0.1 only, on ports picked free, and keeps its data, logs
and pid under the run dir (default /tmp/smartstack-controlplane). The simulated global zones
share this machine's network (they are mount namespaces), so nova-compute inside one reaches
all of it at 127.0.0.1.

`up` writes <run-dir>/controlplane.json (mode 0600; test bed passwords): transport_url,
database_connection, api_database_connection, placement (the [placement] options a
nova-compute needs), the pids, ports and logs, and how long each step took (`timings`).
`up` while everything runs changes nothing; otherwise it starts again from empty databases
(a compute host of an earlier run would otherwise be "not its first startup"). The
virtualenv is kept (it is rebuilt only when the nova version or the interpreter changes).
`down` stops only the processes whose pids it recorded, and keeps the logs.

Why Placement runs too: nova-compute 34.0.0 cannot create its service record without it.
ComputeManager.__init__ builds a SchedulerReportClient, which needs a reachable Placement:
without a [placement] section nova-compute exits with "MissingAuthPlugin: An auth plugin is
required to determine endpoint URL", with an unreachable one with "DiscoveryFailure: Unable
to find a version discovery document" (measured; nova/compute/manager.py, nova/scheduler/
client/report.py in the 34.0.0 wheel). nova-conductor only logs a warning in both cases.
Placement runs with [api] auth_strategy = noauth2; keystoneauth's admin_token plugin sends
"X-Auth-Token: admin", which noauth2 takes for the admin role (placement/auth.py).
"""
import argparse
import contextlib
import fcntl
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

NOVA_VERSION = '34.0.0'
# The Placement release of the same OpenStack series (2026.2) as nova 34.0.0.
PLACEMENT_VERSION = '16.0.0'
DEFAULT_RUN_DIR = '/tmp/smartstack-controlplane'
DEFAULT_PIP_CACHE = '/tmp/smartstack-pip-cache'
ADDRESS = '127.0.0.1'
RABBIT_USER = 'nova'
RABBIT_VHOST = 'nova'
DB_USER = 'nova'
DATABASES = ('nova_api', 'nova', 'nova_cell0', 'placement')
DEBIAN_PACKAGES = ('rabbitmq-server', 'mariadb-server')
MARIADBD = '/usr/sbin/mariadbd'
MARIADB_INSTALL_DB = '/usr/bin/mariadb-install-db'
MARIADB = '/usr/bin/mariadb'
RABBIT_SBIN = '/usr/lib/rabbitmq/bin'
EPMD_GLOB = '/usr/lib/erlang/erts-*/bin/epmd'
# Stop order of the processes (reverse of start).
PROCESSES = ('conductor', 'placement_api', 'rabbitmq', 'mariadb', 'epmd')

# Placement's WSGI application (placement/wsgi/api.py) served by the standard library's
# wsgiref, one thread a request; run by the virtualenv's interpreter.
PLACEMENT_SERVER = '''"""Placement API over wsgiref (written by tools/controlplane.py)."""
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from placement.wsgi.api import application


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Handler(WSGIRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write('%s %s\\n' % (self.address_string(), format % args))


make_server(sys.argv[1], int(sys.argv[2]), application, server_class=Server,
            handler_class=Handler).serve_forever()
'''


class ControlPlaneError(Exception):
    """A step of the control plane failed."""


# ------------------------------------------------------------------ helpers

def _write(path, text, mode=0o644):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, mode)


def _read(path, default=''):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        return default


def _tail(path, lines=30):
    return '\n'.join(_read(path).splitlines()[-lines:])


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ADDRESS, 0))
        return sock.getsockname()[1]


def _port_open(port):
    try:
        with socket.create_connection((ADDRESS, port), timeout=0.5):
            return True
    except OSError:
        return False


def _alive(pid, marker=None):
    """``pid`` runs (not a zombie) and its command line contains ``marker``."""
    if not pid:
        return False
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            stat = handle.read()
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            cmdline = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return False
    if stat.rsplit(')', 1)[1].split()[0] in ('Z', 'X'):
        return False
    return marker is None or marker in cmdline


def _run(argv, env=None, timeout=600, check=True, what=None):
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    if check and result.returncode:
        raise ControlPlaneError('%s failed (rc %d):\n%s%s' % (what or ' '.join(argv), result.returncode,
                                                              result.stdout[-3000:], result.stderr[-3000:]))
    return result


def _wait(predicate, timeout, what, log=None, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise ControlPlaneError('%s: the process exited with %s:\n%s' % (what, proc.returncode, _tail(log) if log else ''))
        time.sleep(0.2)
    raise ControlPlaneError('%s: not ready after %d s:\n%s' % (what, timeout, _tail(log) if log else ''))


@contextlib.contextmanager
def _flock(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Timer:
    """Seconds per step, in the order they ran."""

    def __init__(self):
        self.steps = {}

    @contextlib.contextmanager
    def step(self, name):
        start = time.monotonic()
        try:
            yield
        finally:
            self.steps[name] = round(time.monotonic() - start, 2)
            sys.stderr.write('controlplane: %-22s %6.1f s\n' % (name, self.steps[name]))


# ------------------------------------------------------------------ the run dir

class RunDir:
    def __init__(self, path):
        self.path = os.path.abspath(path)

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    @property
    def json(self):
        return self.file('controlplane.json')

    @contextlib.contextmanager
    def lock(self):
        os.makedirs(self.path, exist_ok=True)
        fd = os.open(self.file('.controlplane.lock'), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self
        finally:
            os.close(fd)

    def load(self):
        text = _read(self.json)
        return json.loads(text) if text else {}

    def save(self, data):
        tmp = self.file('.controlplane.json.tmp')
        _write(tmp, json.dumps(data, indent=1, sort_keys=True) + '\n', 0o600)
        os.replace(tmp, self.json)


def _start(run, name, argv, env=None, cwd=None):
    """Start a long-running process in its own session, output to logs/<name>.out."""
    log = run.file('logs', name + '.out')
    with open(log, 'ab') as handle:
        proc = subprocess.Popen(argv, env=env, cwd=cwd or run.path, stdin=subprocess.DEVNULL, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    return proc, log


def _stop(entry, timeout=20):
    """SIGTERM the process group we started (its session), SIGKILL what is left after ``timeout``."""
    entry = entry or {}
    pid = entry.get('pid')
    if not _alive(pid, entry.get('marker')):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    return True


# ------------------------------------------------------------------ Debian packages

def ensure_packages(timer):
    """apt-get install rabbitmq-server mariadb-server, only when their programs are missing.

    No service may start from the packages' maintainer scripts (they would take the default
    ports with /var/lib data): when the machine has no /usr/sbin/policy-rc.d, one answering 101
    ("action forbidden") is in place for the installation and removed afterwards."""
    if os.access(MARIADBD, os.X_OK) and os.access(os.path.join(RABBIT_SBIN, 'rabbitmq-server'), os.X_OK):
        return
    with timer.step('apt-get install'):
        policy = '/usr/sbin/policy-rc.d'
        ours = not os.path.exists(policy)
        if ours:
            _write(policy, '#!/bin/sh\n# tools/controlplane.py: no service starts while it installs packages\nexit 101\n', 0o755)
        try:
            env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
            argv = ['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + list(DEBIAN_PACKAGES)
            if _run(argv, env=env, check=False).returncode:
                _run(['apt-get', 'update', '-q'], env=env)
                _run(argv, env=env)
        finally:
            if ours:
                os.unlink(policy)


# ------------------------------------------------------------------ the nova virtualenv

def _venv_python(venv):
    return os.path.join(venv, 'bin', 'python')


def ensure_venv(venv, python, timer):
    """nova==NOVA_VERSION, openstack-placement and PyMySQL in ``venv`` (kept between runs)."""
    python = os.path.realpath(python)
    marker = os.path.join(venv, '.controlplane-installed')
    wanted = 'nova==%s openstack-placement==%s PyMySQL python=%s\n' % (NOVA_VERSION, PLACEMENT_VERSION, python)
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    with _flock(venv + '.lock'):   # two control planes may share one virtualenv
        if _read(marker) == wanted and os.access(_venv_python(venv), os.X_OK):
            return
        _build_venv(venv, python, marker, wanted, timer)


def _build_venv(venv, python, marker, wanted, timer):
    with timer.step('nova venv (pip)'):
        shutil.rmtree(venv, ignore_errors=True)
        _run([python, '-m', 'venv', venv])
        env = dict(os.environ)
        env.setdefault('PIP_CACHE_DIR', DEFAULT_PIP_CACHE)
        # --no-compile: the services compile what they import (a fraction of nova) on first start
        _run([_venv_python(venv), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-compile',
              'nova==' + NOVA_VERSION, 'openstack-placement==' + PLACEMENT_VERSION, 'PyMySQL'], env=env)
        _write(marker, wanted)


# ------------------------------------------------------------------ MariaDB

def _mariadb(data, sql):
    """SQL as MariaDB's root over the unix socket; tab-separated rows, no header."""
    return _run([MARIADB, '--no-defaults', '-S', data['mariadb']['socket'], '-u', 'root', '-N', '-B', '-e', sql],
                what='mariadb -e %r' % sql[:60]).stdout


def start_mariadb(run, data, timer):
    home = run.file('mariadb')
    datadir = os.path.join(home, 'data')
    sock = os.path.join(home, 'mysqld.sock')
    if len(sock) > 100:   # sun_path holds 108 bytes
        sock = '/tmp/smartstack-cp-%s.sock' % secrets.token_hex(4)
    shutil.rmtree(datadir, ignore_errors=True)
    os.makedirs(home, exist_ok=True)
    with timer.step('mariadb install-db'):
        _run([MARIADB_INSTALL_DB, '--no-defaults', '--datadir=' + datadir, '--user=root',
              '--auth-root-authentication-method=socket', '--skip-test-db'])
    port = _free_port()
    log = run.file('logs', 'mariadb.err')
    with timer.step('mariadb start'):
        proc, out = _start(run, 'mariadb', [MARIADBD, '--no-defaults', '--datadir=' + datadir, '--socket=' + sock,
                                            '--port=%d' % port, '--bind-address=' + ADDRESS,
                                            '--pid-file=' + os.path.join(home, 'mariadbd.pid'), '--log-error=' + log,
                                            '--user=root', '--skip-name-resolve', '--innodb-buffer-pool-size=64M',
                                            # a throw-away test database: no fsync per commit
                                            '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0'])
        data['mariadb'] = {'pid': proc.pid, 'marker': 'mariadbd', 'port': port, 'socket': sock, 'log': log,
                           'out': out, 'datadir': datadir}
        run.save(data)
        _wait(lambda: os.path.exists(sock) and _port_open(port), 60, 'mariadbd', log, proc)
    with timer.step('mariadb databases'):
        password = data['secrets']['db']
        grants = ''.join("GRANT ALL PRIVILEGES ON %s.* TO '%s'@'%s';" % (db, DB_USER, host)
                         for db in DATABASES for host in (ADDRESS, 'localhost'))
        _mariadb(data, ''.join('CREATE DATABASE %s;' % db for db in DATABASES)
                 + ''.join("CREATE USER '%s'@'%s' IDENTIFIED BY '%s';" % (DB_USER, host, password)
                           for host in (ADDRESS, 'localhost'))
                 + grants)


def _db_url(data, database):
    return 'mysql+pymysql://%s:%s@%s:%d/%s' % (DB_USER, data['secrets']['db'], ADDRESS, data['mariadb']['port'], database)


# ------------------------------------------------------------------ RabbitMQ

def _rabbit_env(run, data):
    entry = data['rabbitmq']
    home = run.file('rabbitmq')
    return {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'HOME': os.path.join(home, 'home'), 'LC_ALL': 'C.UTF-8',
            'LANG': 'C.UTF-8', 'ERL_EPMD_ADDRESS': ADDRESS, 'ERL_EPMD_PORT': str(entry['epmd_port']),
            'RABBITMQ_CONF_ENV_FILE': os.path.join(home, 'rabbitmq-env.conf'),
            'RABBITMQ_NODENAME': entry['nodename'], 'RABBITMQ_NODE_IP_ADDRESS': ADDRESS,
            'RABBITMQ_NODE_PORT': str(entry['port']), 'RABBITMQ_DIST_PORT': str(entry['dist_port']),
            'RABBITMQ_CONFIG_FILE': os.path.join(home, 'rabbitmq.conf'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(home, 'enabled_plugins'),
            'RABBITMQ_MNESIA_BASE': os.path.join(home, 'mnesia'), 'RABBITMQ_LOG_BASE': run.file('logs'),
            'RABBITMQ_PID_FILE': os.path.join(home, 'rabbitmq.pid')}


def rabbitmqctl(run, data, *args):
    return _run([os.path.join(RABBIT_SBIN, 'rabbitmqctl')] + list(args), env=_rabbit_env(run, data),
                what='rabbitmqctl ' + ' '.join(args)).stdout


def start_rabbitmq(run, data, timer):
    """epmd (our own, on a free port: no other Erlang node on the machine is involved) and
    rabbitmq-server. The user, its password and the vhost with full permissions are the
    broker's default_* settings, which it creates at its first boot on an empty database."""
    home = run.file('rabbitmq')
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.join(home, 'home'))
    os.makedirs(os.path.join(home, 'mnesia'))
    epmd = sorted(glob.glob(EPMD_GLOB))
    if not epmd:
        raise ControlPlaneError('epmd not found (%s): is erlang-base installed?' % EPMD_GLOB)
    data['rabbitmq'] = {'port': _free_port(), 'dist_port': _free_port(), 'epmd_port': _free_port(),
                        'nodename': 'smartstack-cp@localhost', 'marker': 'rabbitmq-server'}
    entry = data['rabbitmq']
    _write(os.path.join(home, 'rabbitmq-env.conf'), '# tools/controlplane.py: everything is in the environment\n')
    _write(os.path.join(home, 'enabled_plugins'), '[].\n')
    _write(os.path.join(home, 'rabbitmq.conf'), '\n'.join([
        '# tools/controlplane.py',
        'listeners.tcp.1 = %s:%d' % (ADDRESS, entry['port']),
        'default_vhost = ' + RABBIT_VHOST,
        'default_user = ' + RABBIT_USER,
        'default_pass = ' + data['secrets']['rabbit'],
        'default_permissions.configure = .*',
        'default_permissions.read = .*',
        'default_permissions.write = .*',
        'loopback_users = none',
        '']), 0o600)
    env = _rabbit_env(run, data)
    with timer.step('rabbitmq start'):
        proc, out = _start(run, 'epmd', [epmd[-1], '-address', ADDRESS, '-port', str(entry['epmd_port'])], env=env)
        data['epmd'] = {'pid': proc.pid, 'marker': 'epmd', 'port': entry['epmd_port'], 'out': out}
        run.save(data)
        _wait(lambda: _port_open(entry['epmd_port']), 10, 'epmd', out, proc)
        proc, out = _start(run, 'rabbitmq', [os.path.join(RABBIT_SBIN, 'rabbitmq-server')], env=env)
        entry.update(pid=proc.pid, out=out, log=run.file('logs', entry['nodename'] + '.log'))
        run.save(data)
        _wait(lambda: _port_open(entry['port']), 90, 'rabbitmq-server', out, proc)
    with timer.step('rabbitmq await_startup'):
        rabbitmqctl(run, data, 'await_startup')


# ------------------------------------------------------------------ nova and placement

def _nova_conf(run, data):
    state = run.file('nova', 'state')
    os.makedirs(state, exist_ok=True)
    os.makedirs(run.file('nova', 'lock'), exist_ok=True)
    placement = data['placement']
    return '\n'.join([
        '# The control plane of tools/controlplane.py (nova-manage, nova-conductor)',
        '[DEFAULT]',
        'transport_url = ' + data['transport_url'],
        'host = controlplane',
        'state_path = ' + state,
        '[api_database]',
        'connection = ' + data['api_database_connection'],
        '[database]',
        'connection = ' + data['database_connection'],
        '[conductor]',
        'workers = 1',
        '[placement]'] + ['%s = %s' % item for item in sorted(placement.items())] + [
        '[oslo_concurrency]',
        'lock_path = ' + run.file('nova', 'lock'),
        ''])


def nova_manage(data, *args):
    return _run([os.path.join(data['venv'], 'bin', 'nova-manage'), '--config-file', data['nova_conf']] + list(args),
                what='nova-manage ' + ' '.join(args))


def setup_nova(run, data, timer):
    _write(data['nova_conf'], _nova_conf(run, data), 0o600)
    with timer.step('nova-manage api_db sync'):
        nova_manage(data, 'api_db', 'sync')
    with timer.step('cell_v2 map_cell0'):
        nova_manage(data, 'cell_v2', 'map_cell0', '--database_connection', data['cell0_database_connection'])
    with timer.step('cell_v2 create_cell'):
        data['cell1_uuid'] = nova_manage(data, 'cell_v2', 'create_cell', '--name', 'cell1',
                                         '--verbose').stdout.strip().splitlines()[-1]
    with timer.step('nova-manage db sync'):
        nova_manage(data, 'db', 'sync')


def start_placement(run, data, timer):
    home = run.file('placement')
    os.makedirs(home, exist_ok=True)
    _write(os.path.join(home, 'placement.conf'), '\n'.join([
        '# Placement of tools/controlplane.py',
        '[DEFAULT]',
        'log_file = ' + run.file('logs', 'placement-api.log'),
        '[api]',
        'auth_strategy = noauth2',
        '[placement_database]',
        'connection = ' + _db_url(data, 'placement'),
        '']), 0o600)
    _write(os.path.join(home, 'serve.py'), PLACEMENT_SERVER)
    env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=home)
    with timer.step('placement db sync'):
        _run([os.path.join(data['venv'], 'bin', 'placement-manage'), '--config-file',
              os.path.join(home, 'placement.conf'), 'db', 'sync'], env=env)
    port = data['placement_api']['port']
    with timer.step('placement api start'):
        proc, out = _start(run, 'placement-api', [_venv_python(data['venv']), os.path.join(home, 'serve.py'), ADDRESS,
                                                  str(port)], env=env)
        data['placement_api'].update(pid=proc.pid, marker='serve.py', out=out, log=run.file('logs', 'placement-api.log'))
        run.save(data)
        _wait(lambda: _placement_versions(port) is not None, 60, 'placement api', out, proc)


def _placement_versions(port):
    try:
        with urllib.request.urlopen('http://%s:%d/' % (ADDRESS, port), timeout=2) as response:
            return json.loads(response.read().decode('utf-8'))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def services(data, binary=None, host=None):
    """Rows of the cell database's services table (deleted ones left out)."""
    where = ['deleted = 0']
    if binary:
        where.append("`binary` = '%s'" % binary.replace("'", ''))
    if host:
        where.append("host = '%s'" % host.replace("'", ''))
    sql = ('SELECT id, host, `binary`, topic, report_count, disabled, forced_down, version, uuid, '
           'DATE_FORMAT(created_at, "%%Y-%%m-%%dT%%H:%%i:%%S"), DATE_FORMAT(updated_at, "%%Y-%%m-%%dT%%H:%%i:%%S"), '
           'TIMESTAMPDIFF(SECOND, COALESCE(updated_at, created_at), UTC_TIMESTAMP()) '
           'FROM nova.services WHERE %s ORDER BY id' % ' AND '.join(where))
    keys = ('id', 'host', 'binary', 'topic', 'report_count', 'disabled', 'forced_down', 'version', 'uuid',
            'created_at', 'updated_at', 'seconds_since_update')
    rows = []
    for line in _mariadb(data, sql).splitlines():
        row = dict(zip(keys, line.split('\t')))
        for key in ('id', 'report_count', 'disabled', 'forced_down', 'version', 'seconds_since_update'):
            row[key] = int(row[key]) if row[key] not in ('NULL', '') else None
        rows.append(row)
    return rows


def start_conductor(run, data, timer):
    with timer.step('nova-conductor start'):
        log = run.file('logs', 'nova-conductor.log')
        proc, out = _start(run, 'nova-conductor', [os.path.join(data['venv'], 'bin', 'nova-conductor'),
                                                   '--config-file', data['nova_conf'], '--log-file', log])
        data['conductor'] = {'pid': proc.pid, 'marker': 'nova-conductor', 'log': log, 'out': out}
        run.save(data)
        # nova-conductor's service record appears once it has started its RPC server.
        _wait(lambda: services(data, 'nova-conductor'), 120, 'nova-conductor', log, proc)


# ------------------------------------------------------------------ up / down / status

def _running(data):
    return {name: _alive((data.get(name) or {}).get('pid'), (data.get(name) or {}).get('marker')) for name in PROCESSES}


def up(run_dir, python, venv=None):
    run = RunDir(run_dir)
    with run.lock():
        data = run.load()
        running = _running(data)
        if data and all(running.values()):
            return data, False
        timer = Timer()
        start = time.monotonic()
        for name in PROCESSES:
            _stop(data.get(name))
        os.makedirs(run.file('logs'), exist_ok=True)
        ensure_packages(timer)
        venv = os.path.abspath(venv or data.get('venv') or run.file('venv'))
        ensure_venv(venv, python, timer)
        data = {'run_dir': run.path, 'address': ADDRESS, 'venv': venv, 'nova_version': NOVA_VERSION,
                'placement_version': PLACEMENT_VERSION, 'nova_conf': run.file('nova', 'nova.conf'),
                'secrets': {'db': secrets.token_hex(12), 'rabbit': secrets.token_hex(12)},
                'placement_api': {'port': _free_port()}}
        run.save(data)
        try:
            start_mariadb(run, data, timer)
            start_rabbitmq(run, data, timer)
            data['transport_url'] = 'rabbit://%s:%s@%s:%d/%s' % (RABBIT_USER, data['secrets']['rabbit'], ADDRESS,
                                                                 data['rabbitmq']['port'], RABBIT_VHOST)
            data['database_connection'] = _db_url(data, 'nova')
            data['api_database_connection'] = _db_url(data, 'nova_api')
            data['cell0_database_connection'] = _db_url(data, 'nova_cell0')
            data['placement_url'] = 'http://%s:%d' % (ADDRESS, data['placement_api']['port'])
            # keystoneauth's admin_token plugin: "X-Auth-Token: admin" (placement noauth2: role admin).
            data['placement'] = {'auth_type': 'admin_token', 'endpoint': data['placement_url'], 'token': 'admin'}
            setup_nova(run, data, timer)
            start_placement(run, data, timer)
            start_conductor(run, data, timer)
        except BaseException:
            run.save(data)
            for name in PROCESSES:
                _stop(data.get(name))
            raise
        data['timings'] = dict(timer.steps, total=round(time.monotonic() - start, 2))
        run.save(data)
        return data, True


def down(run_dir):
    run = RunDir(run_dir)
    if not os.path.exists(run.json):
        return []
    with run.lock():
        data = run.load()
        stopped = [name for name in PROCESSES if _stop(data.get(name))]
        sock = (data.get('mariadb') or {}).get('socket', '')
        if sock.startswith('/tmp/smartstack-cp-'):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(sock)
        return stopped


def status(run_dir):
    run = RunDir(run_dir)
    data = run.load()
    if not data:
        return 'no control plane in %s\n' % run.path, False
    lines = []
    running = _running(data)
    for name in PROCESSES:
        entry = data.get(name) or {}
        port = entry.get('port')
        state = 'up pid %d' % entry['pid'] if running[name] else 'down'
        lines.append('%s\t%s\t%s' % (name, '%s:%d' % (ADDRESS, port) if port else '-', state))
    return '\n'.join(lines) + '\n', all(running.values())


def _parser():
    parser = argparse.ArgumentParser(prog='python3 tools/controlplane.py', description=__doc__.split('\n', maxsplit=1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p_up = sub.add_parser('up', help='start RabbitMQ, MariaDB, Placement and nova-conductor (idempotent)')
    p_up.add_argument('--python', default=sys.executable, help='interpreter of the nova virtualenv (>= 3.11)')
    p_up.add_argument('--venv', default=None, help='the nova virtualenv (default: <run-dir>/venv)')
    sub.add_parser('down', help='stop what `up` started')
    sub.add_parser('status', help='which processes run (exit 0 when all do)')
    p_services = sub.add_parser('services', help="the cell database's service records as JSON")
    p_services.add_argument('--binary')
    p_services.add_argument('--host')
    sub.add_parser('discover-hosts', help='nova-manage cell_v2 discover_hosts --verbose (maps new computes)')
    for p in sub.choices.values():
        p.add_argument('--run-dir', default=os.environ.get('SMARTSTACK_CONTROLPLANE_DIR', DEFAULT_RUN_DIR),
                       help='default: $SMARTSTACK_CONTROLPLANE_DIR or %s' % DEFAULT_RUN_DIR)
    return parser


def main(argv=None):
    opts = _parser().parse_args(argv)
    try:
        if opts.command == 'up':
            data, started = up(opts.run_dir, opts.python, opts.venv)
            sys.stdout.write('%s\n' % RunDir(opts.run_dir).json)
            if started:
                sys.stderr.write('controlplane: up in %.1f s\n' % data['timings']['total'])
        elif opts.command == 'down':
            for name in down(opts.run_dir):
                sys.stdout.write('%s\tstopped\n' % name)
        elif opts.command == 'status':
            text, all_up = status(opts.run_dir)
            sys.stdout.write(text)
            return 0 if all_up else 1
        else:
            data = RunDir(opts.run_dir).load()
            if not data.get('conductor'):
                raise ControlPlaneError('no control plane in %s (run `up` first)' % opts.run_dir)
            if opts.command == 'services':
                sys.stdout.write(json.dumps(services(data, opts.binary, opts.host), indent=1) + '\n')
            else:
                result = nova_manage(data, 'cell_v2', 'discover_hosts', '--verbose')
                sys.stdout.write(result.stdout)
    except ControlPlaneError as exc:
        sys.stderr.write('controlplane: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
