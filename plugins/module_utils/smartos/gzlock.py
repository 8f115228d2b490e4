# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A global-zone-wide lock: an exclusive ``flock`` on ``/opt/smartstack/.<name>.lock``.

Every smartstack task on a global zone, from any controller, that must not interleave with
another one (two creations of the same alias, say) runs its re-check and its write inside the
same named lock. ``/opt`` is the persistent ``zones/opt`` dataset of a SmartOS global zone (``/`` is
a ramdisk), so the lock file survives reboots; the kernel drops the lock when its holder dies, so
a killed task leaves no stale lock behind (the same design as :mod:`.netstore`'s allocation lock).

Nothing here knows OCCI or the tools.

    with gz_lock('compute-create'):
        ...  # read again, then write
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time

LOCK_DIR = '/opt/smartstack'
#: How long a task waits for the lock before it gives up (seconds): a ``vmadm create`` of a VM
#: whose image is imported first can take minutes.
DEFAULT_TIMEOUT = 900
_NAME = re.compile(r'^[a-z0-9][a-z0-9_.-]*$')


class GZLockError(Exception):
    """The lock could not be opened or taken in time."""

    def __init__(self, message):
        super(GZLockError, self).__init__(message)
        self.message = message


def lock_path(name, directory=LOCK_DIR):
    if not _NAME.match(name):
        raise ValueError('lock name %r: lower-case letters, digits, "_", "." and "-" only' % (name,))
    return os.path.join(directory, '.%s.lock' % name)


@contextlib.contextmanager
def gz_lock(name, directory=LOCK_DIR, timeout=DEFAULT_TIMEOUT, poll=0.1):
    """Hold the exclusive lock ``name`` of this global zone for the ``with`` block.

    Waits up to ``timeout`` seconds (None: for ever), then raises :class:`GZLockError` naming the
    lock file; an unusable lock directory raises it at once.
    """
    path = lock_path(name, directory)
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        handle = open(path, 'a', encoding='utf-8')
    except OSError as exc:
        raise GZLockError('cannot open the lock %s: %s' % (path, exc.strerror or exc))
    with handle:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (fcntl.LOCK_NB if deadline is not None else 0))
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EINTR):
                    raise GZLockError('cannot lock %s: %s' % (path, exc.strerror or exc))
                if deadline is not None and time.monotonic() >= deadline:
                    raise GZLockError('another task has held the lock %s for more than %s seconds; nothing was done '
                                      '(remove nothing: the lock is released when its holder ends)' % (path, timeout))
                time.sleep(poll)
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
