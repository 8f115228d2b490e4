# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The global zone's store of what SmartOS has no place for: IP network definitions.

SmartOS keeps nic tags (``nictagadm``) but no IP network object. smartstack keeps one JSON
document, ``/opt/smartstack/networks.json``, on the global zone (``/opt`` is the persistent
``zones/opt`` dataset while ``/`` is a ramdisk, reference pkgsrc_nova_facts.md "live image",
smartos-live docs administering-the-global-zone.md; so it survives reboots, and every controller
that reaches the GZ reads the same file). Of the two places DESIGN.md names, the file was chosen over ZFS user properties on
the pool's root dataset because the module runs ON the global zone and reads the file itself:
deciding a network task then costs ONE command (``nictagadm list``) instead of two
(``nictagadm list`` + ``zfs get``), and a read-modify-write can hold a lock (``flock``) that a
``zfs get``/``zfs set`` pair cannot.

Document: ``{"version": 1, "networks": {"<key>": {...}}, "links": {"<key>": {...}}}`` where a
network's ``<key>`` is its ``<label>`` or ``<label>.<vlan>`` and a link's key is chosen by the caller
(the inactive links of :mod:`..resources.link`: what a detached NIC, mount or disk was, kept so that
it can be attached again as it was); the values are plain dicts (their meaning belongs to the caller).
A document without ``links`` (written before links were kept) reads as one with no links.

Writes take an exclusive ``flock`` on ``<dir>/.networks.lock``, re-read the document, change
ONE key and replace the file atomically (write a temporary file, ``fsync``, ``rename``), so two
controllers writing different networks at once lose neither change. Nothing here knows OCCI.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile

STORE_DIR = '/opt/smartstack'
STORE_FILE = 'networks.json'
LOCK_FILE = '.networks.lock'
ALLOCATE_LOCK_FILE = '.allocate.lock'
VERSION = 1
#: The sections of the document: each maps a key to a plain dict.
SECTIONS = ('networks', 'links')


class NetworkStoreError(Exception):
    """The store cannot be read or written; ``message`` says which file and why."""

    def __init__(self, message):
        super(NetworkStoreError, self).__init__(message)
        self.message = message


class NetworkStore(object):
    """``/opt/smartstack/networks.json`` (``directory`` may be changed for tests)."""

    def __init__(self, directory=STORE_DIR):
        self.directory = directory
        self.path = os.path.join(directory, STORE_FILE)

    def _load(self):
        try:
            with open(self.path, encoding='utf-8') as handle:
                text = handle.read()
        except FileNotFoundError:
            return {'version': VERSION, 'networks': {}, 'links': {}}
        except OSError as exc:
            raise NetworkStoreError('cannot read %s: %s' % (self.path, exc))
        try:
            doc = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise NetworkStoreError('%s is not valid JSON (%s); fix or remove it by hand' % (self.path, exc))
        if not isinstance(doc, dict) or not isinstance(doc.get('networks', {}), dict):
            raise NetworkStoreError('%s is not a smartstack network store (no "networks" object)' % self.path)
        if not isinstance(doc.get('links', {}), dict):
            raise NetworkStoreError('%s is not a smartstack network store ("links" is not an object)' % self.path)
        doc.setdefault('version', VERSION)
        for section in SECTIONS:
            doc.setdefault(section, {})
        return doc

    def read(self):
        """``{key: definition}`` of every stored network (empty when there is no store yet)."""
        return self._load()['networks']

    def read_all(self):
        """``{'networks': {...}, 'links': {...}}``: both sections from ONE read of the file."""
        doc = self._load()
        return dict((section, doc[section]) for section in SECTIONS)

    def put_link(self, key, value):
        """Set (``value`` a dict) or remove (``value`` None) one link record, under the lock."""
        self.put(key, value, section='links')

    def put(self, key, value, section='networks'):
        """Set (``value`` a dict) or remove (``value`` None) one network (or ``section`` entry), under the lock."""
        if section not in SECTIONS:
            raise NetworkStoreError('unknown section %s of %s' % (section, self.path))
        try:
            os.makedirs(self.directory, mode=0o755, exist_ok=True)
            with open(os.path.join(self.directory, LOCK_FILE), 'a', encoding='utf-8') as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                try:
                    doc = self._load()
                    if value is None:
                        doc[section].pop(key, None)
                    else:
                        doc[section][key] = value
                    self._write(doc)
                finally:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        except OSError as exc:
            raise NetworkStoreError('cannot write %s: %s' % (self.path, exc))

    @contextlib.contextmanager
    def allocation_lock(self):
        """Held while an address is chosen and given to a NIC: the GZ-wide lock of address allocation.

        An exclusive ``flock`` on ``<dir>/.allocate.lock``: every smartstack allocation on this GZ,
        from any controller, runs its read of the addresses in use and its ``vmadm update`` inside
        it, so two allocations never pick the same address. The kernel drops the lock if the
        holder dies, so a killed task leaves no stale lock behind.
        """
        try:
            os.makedirs(self.directory, mode=0o755, exist_ok=True)
            lock = open(os.path.join(self.directory, ALLOCATE_LOCK_FILE), 'a', encoding='utf-8')
        except OSError as exc:
            raise NetworkStoreError('cannot open the allocation lock in %s: %s' % (self.directory, exc))
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _write(self, doc):
        fd, tmp = tempfile.mkstemp(prefix='.networks.', dir=self.directory)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as handle:
                json.dump(doc, handle, indent=2, sort_keys=True)
                handle.write('\n')
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.rename(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
