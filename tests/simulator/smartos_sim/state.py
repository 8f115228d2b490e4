"""The state of one simulated global zone.

Everything a global zone remembers lives under one directory (``SMARTOS_SIM_STATE``):

- ``<name>.json``: one JSON document per subsystem (``zfs``, ``vms``, ``images``, ...),
  read and written through :meth:`State.load` / :meth:`State.save` under :meth:`State.lock`;
- ``root/``: the global zone's own file system (``root/zones``, ``root/opt``, ...). A tool
  that touches a path of the GZ calls :meth:`State.host_path`; the GZ host bind-mounts these
  directories over the real ``/zones``, ``/opt`` ... so both views agree;
- ``commands.log``: one JSON object a line (``argv``, ``rc``, ``ts``) per tool invocation;
- ``faults.json``: injected faults (see :mod:`smartos_sim.faults`).
"""
import contextlib
import fcntl
import json
import os
import tempfile
import time


class StateError(Exception):
    """The state directory is missing or unusable."""


class State:
    """Access to one global zone's state directory."""

    def __init__(self, path=None):
        path = path or os.environ.get('SMARTOS_SIM_STATE')
        if not path:
            raise StateError('SMARTOS_SIM_STATE is not set: it names the simulated global zone\'s state directory')
        self.dir = os.path.abspath(path)
        os.makedirs(os.path.join(self.dir, 'root'), exist_ok=True)
        self._lock_fd = None
        self._lock_depth = 0

    def path(self, *parts):
        """A path inside the state directory."""
        return os.path.join(self.dir, *parts)

    def host_path(self, gz_path):
        """Where the global zone's absolute path ``gz_path`` lives on this machine."""
        return os.path.join(self.dir, 'root', gz_path.lstrip('/'))

    @contextlib.contextmanager
    def lock(self):
        """Serialise changes to this global zone (re-entrant within one process)."""
        if self._lock_depth == 0:
            self._lock_fd = os.open(self.path('.lock'), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._lock_depth += 1
        try:
            yield self
        finally:
            self._lock_depth -= 1
            if self._lock_depth == 0:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None

    def load(self, name, default=None):
        """The JSON document ``name`` (``default`` when it does not exist yet)."""
        try:
            with open(self.path(name + '.json'), encoding='utf-8') as handle:
                return json.load(handle)
        except FileNotFoundError:
            return {} if default is None else default

    def save(self, name, data):
        """Replace the JSON document ``name`` atomically."""
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix='.' + name + '.')
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.write('\n')
        os.replace(tmp, self.path(name + '.json'))

    def log_command(self, argv, rc):
        """Append one invocation to ``commands.log`` (O_APPEND keeps lines whole)."""
        line = json.dumps({'argv': list(argv), 'rc': rc, 'ts': round(time.time(), 6)}) + '\n'
        fd = os.open(self.path('commands.log'), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode('utf-8'))
        finally:
            os.close(fd)

    def commands(self):
        """The command log as a list of dicts."""
        try:
            with open(self.path('commands.log'), encoding='utf-8') as handle:
                return [json.loads(line) for line in handle if line.strip()]
        except FileNotFoundError:
            return []
