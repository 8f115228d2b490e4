"""The control plane of tools/controlplane.py with a hand-written nova.conf (no role, no GZ).

nova-compute 34.0.0 runs on this machine from the control plane's own virtualenv (the same
PyPI nova the role installs), against the real RabbitMQ, MariaDB, Placement and nova-conductor:

- it registers: a service record (binary nova-compute, our host) in the cell database, the
  AMQP connection in its log, a resource provider in Placement; a restart keeps the record;
- what the role's nova.conf must therefore carry, each shown by nova's own failure:
  without [placement] it exits before any record exists; with compute_driver fake.FakeDriver a
  second start of a known host is refused (no compute_id file is ever written).

    python3 -m pytest -q tests/controlplane        (root; apt-get when RabbitMQ/MariaDB are missing)

SMARTSTACK_CONTROLPLANE_DIR=<run dir of a running control plane> reuses it (left running);
otherwise the tests start one under pytest's tmp and stop it. Its nova virtualenv is kept in
$SMARTSTACK_CONTROLPLANE_VENV (default /tmp/smartstack-controlplane-venv) between runs.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(REPO, 'tools', 'controlplane.py')
LOG_LEVELS = 'oslo.messaging._drivers.impl_rabbit=DEBUG,amqp=WARN,urllib3=WARN,keystoneauth=WARN,stevedore=WARN'


def _tool(*args, timeout=1800):
    return subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True, check=False,
                          timeout=timeout)


@pytest.fixture(scope='module')
def controlplane(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip('the control plane needs root (apt-get, MariaDB and RabbitMQ as plain processes)')
    shared = os.environ.get('SMARTSTACK_CONTROLPLANE_DIR')
    if shared and _tool('status', '--run-dir', shared).returncode == 0:
        run_dir, own = shared, False
    else:
        run_dir, own = str(tmp_path_factory.mktemp('controlplane')), True
        venv = os.environ.get('SMARTSTACK_CONTROLPLANE_VENV', '/tmp/smartstack-controlplane-venv')
        result = _tool('up', '--run-dir', run_dir, '--venv', venv)
        assert result.returncode == 0, result.stderr
    with open(os.path.join(run_dir, 'controlplane.json'), encoding='utf-8') as handle:
        data = json.load(handle)
    yield data
    if own:
        _tool('down', '--run-dir', run_dir)


def _services(cp, host):
    result = _tool('services', '--run-dir', cp['run_dir'], '--binary', 'nova-compute', '--host', host)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class Compute:
    """nova-compute from the control plane's virtualenv with a nova.conf of our own."""

    def __init__(self, cp, directory, driver='fake.FakeDriverWithoutFakeNodes', placement=True):
        self.cp = cp
        self.host = 'hand-%s' % uuid.uuid4().hex[:8]
        self.dir = directory
        self.log = os.path.join(directory, 'nova-compute.log')
        self.conf = os.path.join(directory, 'nova.conf')
        os.makedirs(os.path.join(directory, 'state'), exist_ok=True)
        lines = ['[DEFAULT]', 'transport_url = ' + cp['transport_url'], 'compute_driver = ' + driver,
                 'host = ' + self.host, 'state_path = ' + os.path.join(directory, 'state'),
                 'default_log_levels = ' + LOG_LEVELS,
                 '[database]', 'connection = ' + cp['database_connection'],
                 '[oslo_concurrency]', 'lock_path = ' + os.path.join(directory, 'state')]
        if placement:
            lines += ['[placement]'] + ['%s = %s' % item for item in sorted(cp['placement'].items())]
        with open(self.conf, 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(lines) + '\n')
        self.proc = None

    def start(self):
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen([os.path.join(self.cp['venv'], 'bin', 'nova-compute'), '--config-file', self.conf],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def text(self):
        with open(self.log, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def wait_for(self, predicate, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(1)
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@pytest.fixture
def computes(tmp_path):
    started = []

    def make(cp, name, **kwargs):
        compute = Compute(cp, str(tmp_path / name), **kwargs)
        started.append(compute)
        return compute

    yield make
    for compute in started:
        compute.stop()


def test_up_writes_the_endpoints_and_conductor_runs(controlplane):
    """controlplane.json names the broker, the databases and Placement; nova-conductor has its record."""
    cp = controlplane
    assert cp['transport_url'] == 'rabbit://nova:%s@127.0.0.1:%d/nova' % (cp['secrets']['rabbit'], cp['rabbitmq']['port'])
    assert cp['database_connection'].endswith('@127.0.0.1:%d/nova' % cp['mariadb']['port'])
    assert cp['placement'] == {'auth_type': 'admin_token', 'endpoint': cp['placement_url'], 'token': 'admin'}
    assert _tool('status', '--run-dir', cp['run_dir']).returncode == 0
    result = _tool('services', '--run-dir', cp['run_dir'], '--binary', 'nova-conductor')
    assert [(r['host'], r['topic']) for r in json.loads(result.stdout)] == [('controlplane', 'conductor')]
    with urllib.request.urlopen(cp['placement_url'] + '/', timeout=10) as response:
        assert json.loads(response.read())['versions'][0]['id'] == 'v1.0'


def test_compute_registers_and_keeps_its_record_over_a_restart(controlplane, computes):
    """Service record, AMQP connection in the log, a resource provider; a restart reuses all of it."""
    cp = controlplane
    compute = computes(cp, 'single').start()
    assert compute.wait_for(lambda: _services(cp, compute.host)), compute.text()[-3000:]
    amqp = 'Connected to AMQP server on 127.0.0.1:%d' % cp['rabbitmq']['port']
    assert amqp in compute.text()
    request = urllib.request.Request(cp['placement_url'] + '/resource_providers?name=' + compute.host,
                                     headers={'X-Auth-Token': 'admin', 'OpenStack-API-Version': 'placement 1.14'})

    def providers():
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())['resource_providers']
    assert compute.wait_for(lambda: len(providers()) == 1), compute.text()[-3000:]
    first = _services(cp, compute.host)
    assert [(r['binary'], r['topic'], r['disabled']) for r in first] == [('nova-compute', 'compute', 0)]

    compute.stop()
    assert os.path.exists(os.path.join(compute.dir, 'state', 'compute_id'))
    compute.start()
    assert compute.wait_for(lambda: compute.text().count('Starting compute node (version 34.0.0)') == 2)
    assert compute.wait_for(lambda: _services(cp, compute.host)[0]['report_count'] > first[0]['report_count'] + 1)
    again = _services(cp, compute.host)
    assert [(r['id'], r['uuid']) for r in again] == [(first[0]['id'], first[0]['uuid'])]
    assert compute.proc.poll() is None
    assert 'CRITICAL' not in compute.text()


def test_compute_without_placement_exits_before_registering(controlplane, computes):
    """nova/compute/manager.py ComputeManager.__init__ builds a SchedulerReportClient: no auth plugin, no start."""
    compute = computes(controlplane, 'noplacement', placement=False).start()
    assert compute.proc.wait(180) != 0
    assert 'MissingAuthPlugin: An auth plugin is required to determine endpoint URL' in compute.text()
    assert _services(controlplane, compute.host) == []


def test_fake_driver_refuses_a_second_start(controlplane, computes):
    """fake.FakeDriver writes no compute_id: nova refuses to start again a host it knows."""
    cp = controlplane
    compute = computes(cp, 'fakedriver', driver='fake.FakeDriver').start()
    assert compute.wait_for(lambda: _services(cp, compute.host)), compute.text()[-3000:]
    assert compute.wait_for(lambda: 'Compute node record created' in compute.text())
    compute.stop()
    assert not os.path.exists(os.path.join(compute.dir, 'state', 'compute_id'))
    compute.start()
    assert compute.proc.wait(180) != 0
    assert ('No local node identity found, but this is not our first startup on this host. '
            'Refusing to start after potentially having lost that state!') in compute.text()
