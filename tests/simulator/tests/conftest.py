"""Fixtures for the simulator's own tests: a fresh simulated global zone per test."""
import os
import subprocess
import sys
import tempfile

import pytest

SIM_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM_BIN = os.path.join(SIM_HOME, 'bin')
REFERENCE = os.path.normpath(os.path.join(SIM_HOME, '..', '..', '..', 'shared', 'reference'))


class GlobalZone:
    """A simulated global zone's state directory and a way to run its tools directly."""

    def __init__(self, state_dir):
        self.state = state_dir

    def env(self, extra=None):
        env = dict(os.environ)
        env['PATH'] = SIM_BIN + os.pathsep + env.get('PATH', '')
        env['SMARTOS_SIM_STATE'] = self.state
        env.setdefault('SMARTOS_SIM_PYTHON', sys.executable)
        env.update(extra or {})
        return env

    def run(self, *argv, stdin=None, env=None, timeout=60):
        """Run a simulated tool; returns CompletedProcess with text stdout/stderr."""
        return subprocess.run([os.path.join(SIM_BIN, argv[0])] + [str(a) for a in argv[1:]],
                              input=stdin, capture_output=True, text=True, env=self.env(env),
                              timeout=timeout, check=False)

    def host_path(self, gz_path):
        return os.path.join(self.state, 'root', gz_path.lstrip('/'))


@pytest.fixture
def gz(tmp_path):
    """A fresh global zone (no seeded zones)."""
    zone = GlobalZone(str(tmp_path / 'gz'))
    result = zone.run('smartos-sim', 'init', '--state', zone.state)
    assert result.returncode == 0, result.stderr
    return zone


@pytest.fixture
def reference():
    """The path of ../shared/reference, or skip when this clone has none beside it."""
    if not os.path.isdir(REFERENCE):
        pytest.skip('../shared/reference is not beside this clone (it is in CI); reference checks skipped')
    return REFERENCE


# ---------------------------------------------------------------- simulated GZ hosts over SSH
# (smartos_sim/gzhost.py; owned by the GZ host helper, see tests/simulator/README.md "GZ hosts")

def _gzhost_module():
    if SIM_HOME not in sys.path:
        sys.path.insert(0, SIM_HOME)
    from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel
    return gzhost


def start_gz_bed(tmp_path_factory, name, **kwargs):
    """Start a GzBed in a fresh run dir under pytest's tmp, or skip when this machine cannot."""
    gzhost = _gzhost_module()
    reason = gzhost.unavailable_reason()
    if reason:
        pytest.skip('simulated GZ hosts unavailable: ' + reason)
    run_dir = str(tmp_path_factory.mktemp(name))
    if gzhost.replaced_by(run_dir):
        # pytest's tmp is in a directory every GZ replaces (TMPDIR=/root/...), where the GZs could
        # not see their run dir: use one in /tmp, removed by the bed's `down`.
        run_dir = tempfile.mkdtemp(prefix='smartos-sim-%s-' % name, dir='/tmp')
        kwargs.setdefault('remove_run_dir', True)
    bed = gzhost.GzBed(run_dir, **kwargs)
    try:
        bed.up()
    except gzhost.GzHostError:
        bed.down()
        raise
    return bed


@pytest.fixture(scope='session')
def gz_hosts(tmp_path_factory):
    """Two simulated GZs reached over real SSH, no Python on them (pkgsrc not bootstrapped).

    Yields a GzBed: ``gz_hosts[0]`` / ``gz_hosts['gz1']`` are GzHost objects with ``name``,
    ``address``, ``port``, ``state``, ``inventory``, ``host_path(p)``, ``ssh(cmd)`` and
    ``playbook(path_or_yaml_text, extra_vars=None)``; ``gz_hosts.playbook(...)`` runs on all."""
    bed = start_gz_bed(tmp_path_factory, 'gz_hosts', count=2)
    yield bed
    bed.down()


@pytest.fixture
def ansible_playbook():
    """The ansible-playbook to run, or skip with the reason."""
    exe = _gzhost_module().ansible_playbook()
    if not exe:
        pytest.skip('ansible-playbook not found: set ANSIBLE_PLAYBOOK or put the project venv on PATH (make venv)')
    return exe
