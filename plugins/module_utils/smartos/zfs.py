# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``zfs``: datasets, their properties and snapshots as parsed data.

Every read is scripted and exact (``-H``: tab-separated, no header; ``-p``: numbers in bytes,
times in epoch seconds), so nothing here parses human sizes. Every write is silent on success
(reference smartos_zfs_zpool.md §1) and says what went wrong on stderr as
``<action>: <description>``; :class:`~.command.SmartOSCommandError` carries that text with the
usage block zfs appends to argument errors cut off. Nothing here knows OCCI.

Reference: /work/shared/reference/smartos_zfs_zpool.md (illumos ``usr/src/cmd/zfs/zfs_main.c``).
"""

from __future__ import annotations

import re

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError

#: What ``zfs get``/``zfs list`` print for a property that does not apply or a user property
#: that is not set (reference §5, §6).
NONE = '-'

# zfs_nicestrtonum (libzfs_util.c, reference §3.3): digits or a decimal, one suffix letter of
# BKMGTPEZ, optionally followed by B after a non-B letter.
_SIZE = re.compile(r'^(\d+(?:\.\d*)?|\.\d+)([BKMGTPEZ]B?)?$', re.IGNORECASE)
_SHIFT = dict((letter, 10 * i) for i, letter in enumerate('BKMGTPEZ'))

#: Native number properties whose values zfs takes as sizes (reference §4); compared in bytes.
SIZE_PROPERTIES = frozenset(('quota', 'refquota', 'reservation', 'refreservation', 'volsize', 'volblocksize',
                             'recordsize', 'special_small_blocks'))
#: Number properties where ``none`` means 0 (reference §3.3 zprop_parse_value).
NONE_IS_ZERO = frozenset(('quota', 'refquota', 'reservation', 'refreservation'))

#: ``-`` is not a mountable state and ``legacy``/``none`` are not paths; everything else is.
DEFAULT_VOLBLOCKSIZE = 8192  # reference §4 (uts/common/sys/fs/zfs.h)


class ZfsNotFound(SmartOSCommandError):
    """``cannot open '<name>': dataset does not exist``."""


def size_to_bytes(value):
    """``'10G'`` / ``'1.5g'`` / ``'8KB'`` / ``4096`` -> bytes, as zfs_nicestrtonum parses them; None if not a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value).strip())
    if not match:
        return None
    number, suffix = match.groups()
    shift = _SHIFT[suffix[0].upper()] if suffix else 0
    if '.' in number:
        return int(float(number) * (1 << shift))
    return int(number) << shift


def normalise_value(prop, value):
    """A property value as ``zfs get -p`` prints it, for comparing a wanted value with the actual one.

    Booleans become ``on``/``off``; sizes of :data:`SIZE_PROPERTIES` bytes (``none`` -> ``0``);
    anything else its string.
    """
    if isinstance(value, bool):
        return 'on' if value else 'off'
    if prop in SIZE_PROPERTIES:
        if prop in NONE_IS_ZERO and str(value).strip().lower() == 'none':
            return '0'
        size = size_to_bytes(value)
        if size is not None:
            return str(size)
    return str(value)


def is_user_property(name):
    """User properties contain a colon (reference §4 zfs_prop_user)."""
    return ':' in name


def _message(err, out):
    """zfs's own words without the usage block it appends to argument errors (reference §1).

    An argument error with no message line of its own (``zfs snapshot fs`` without ``@``,
    reference §10) keeps the usage line that says what was expected.
    """
    text = (err or '').strip() or (out or '').strip()
    if text.startswith('usage:'):
        return ' '.join(line.strip() for line in text.splitlines()[:2])
    return text.partition('\nusage:')[0].strip()


class Zfs(object):
    """The zfs subcommands the resources need, as argument lists; parsed results."""

    def __init__(self, runner):
        self.runner = runner

    def _run(self, args, ok_rcs=(0,)):
        try:
            return self.runner.run('zfs', args, ok_rcs=ok_rcs)
        except SmartOSCommandError as exc:
            message = _message(exc.stderr, exc.stdout)
            cls = ZfsNotFound if message.endswith(': dataset does not exist') else SmartOSCommandError
            # the usage block and property table zfs appends to argument errors (reference §1) say
            # nothing about this task: stderr is returned without them
            stderr = exc.stderr.partition('\nusage:')[0] + '\n' if '\nusage:' in exc.stderr else exc.stderr
            raise cls(exc.argv, exc.rc, exc.stdout, stderr, message or exc.message) from None

    # -- reads --------------------------------------------------------------------------------

    def get(self, name, properties, recursive=True, depth=None, types='all', missing_ok=True):
        """ONE ``zfs get -H -p -o name,property,value,source [-r|-d N] -t <types> <props> <name>``.

        Returns ``{dataset: {property: (value, source)}}`` in zfs's order (a dataset before its
        snapshots; children after), or None when ``name`` does not exist (unless not
        ``missing_ok``: then zfs's own error). Without ``name``, every dataset of every pool. ``-t all`` with ``-r``
        includes snapshots (reference §6: zfs get shows them without listsnapshots).
        """
        args = ['get', '-H', '-p', '-o', 'name,property,value,source']
        if depth is not None:
            args += ['-d', int(depth)]
        elif recursive:
            args.append('-r')
        args += ['-t', ','.join(types) if isinstance(types, (list, tuple)) else types, ','.join(properties)]
        args += [name] if name else []
        try:
            _rc, out, _err = self._run(args)
        except ZfsNotFound:
            if not missing_ok:
                raise
            return None
        return parse_get(out)

    def list(self, columns, names=None, recursive=False, depth=None, types=None, sort=None):
        """ONE ``zfs list -H -p -o <columns> ...``: a list of ``{column: value}`` rows in zfs's order."""
        args = ['list', '-H', '-p', '-o', ','.join(columns)]
        if depth is not None:
            args += ['-d', int(depth)]
        elif recursive:
            args.append('-r')
        if types:
            args += ['-t', ','.join(types) if isinstance(types, (list, tuple)) else types]
        for prop in sort or ():
            args += ['-s', prop]
        _rc, out, _err = self._run(args + list(names or ()))
        return parse_list(out, columns)

    # -- writes -------------------------------------------------------------------------------

    def create(self, name, properties=None, volsize=None, sparse=False, parents=False):
        """``zfs create [-p] [-s] [-o p=v]... [-V size] name`` (a volume when ``volsize`` is given)."""
        args = ['create'] + (['-p'] if parents else [])
        if volsize is not None and sparse:
            args.append('-s')
        for prop in sorted(properties or {}):
            args += ['-o', '%s=%s' % (prop, properties[prop])]
        if volsize is not None:
            args += ['-V', int(volsize)]
        self._run(args + [name])

    def destroy(self, name, recursive=False):
        """``zfs destroy [-r] name``; never ``-R`` (that destroys clones elsewhere)."""
        self._run(['destroy'] + (['-r'] if recursive else []) + [name])

    def destroy_snapshot(self, snapshot, dependents=False):
        """``zfs destroy [-R] fs@snap``: ``-R`` also destroys the snapshot's clones and what depends on them
        (and, as ``-R`` implies ``-r``, the same-named snapshots of descendants; reference §9)."""
        self._run(['destroy'] + (['-R'] if dependents else []) + [snapshot])

    def destroy_dry_run(self, name, dependents=False):
        """``zfs destroy -n -p [-R] name``: the names zfs would destroy, in its order (reference §9: ``-p``
        prints ``destroy<TAB><name>`` per dataset and, for snapshots, a ``reclaim<TAB><bytes>`` line)."""
        _rc, out, _err = self._run(['destroy', '-n', '-p'] + (['-R'] if dependents else []) + [name])
        return [line.split('\t', 1)[1] for line in out.splitlines() if line.startswith('destroy\t')]

    def holds(self, snapshots):
        """``zfs holds -H snap...`` -> ``{snapshot: [tag, ...]}`` (only snapshots with holds).

        The reference is silent on ``zfs holds``; illumos zfs_main.c (zfs_do_holds, print_holds) prints
        ``<name><TAB><tag><TAB><timestamp>`` per hold with ``-H``. UNCONFIRMED beyond that source.
        """
        if not snapshots:
            return {}
        _rc, out, _err = self._run(['holds', '-H'] + list(snapshots))
        found = {}
        for line in out.splitlines():
            fields = line.split('\t')
            if len(fields) >= 2 and '@' in fields[0]:
                found.setdefault(fields[0], []).append(fields[1])
        return found

    def snapshot(self, snapshot, properties=None):
        """``zfs snapshot [-o user:prop=v]... fs@snap`` (only user properties, reference §10)."""
        args = ['snapshot']
        for prop in sorted(properties or {}):
            args += ['-o', '%s=%s' % (prop, properties[prop])]
        self._run(args + [snapshot])

    def rollback(self, snapshot, destroy_newer=False):
        """``zfs rollback [-r] fs@snap``; never ``-R`` (clones of newer snapshots stop it)."""
        self._run(['rollback'] + (['-r'] if destroy_newer else []) + [snapshot])

    def set(self, name, properties):
        """ONE ``zfs set p=v [p=v]... name``: all validated, then applied in one ioctl (reference §8)."""
        args = ['set'] + ['%s=%s' % (prop, properties[prop]) for prop in sorted(properties)]
        self._run(args + [name])

    def inherit(self, name, prop):
        self._run(['inherit', prop, name])

    def mount(self, name):
        """``zfs mount name``; a filesystem that is already mounted is not an error here."""
        try:
            self._run(['mount', name])
        except SmartOSCommandError as exc:
            if not exc.message.endswith('filesystem already mounted'):
                raise

    def unmount(self, name):
        self._run(['unmount', name])

    def send_to_file(self, snapshot, path, incremental_from=None):
        """``zfs send [-i @from] fs@snap`` into the file ``path`` (0600).

        zfs only writes a stream to standard output (and refuses a terminal, reference §13): the
        runner redirects it into the file through its one constant /bin/sh script (the tool, its
        arguments and the path are positional parameters, never shell text) and never leaves half
        a stream in ``path``.
        """
        args = ['send'] + (['-i', incremental_from] if incremental_from else []) + [snapshot]
        try:
            self.runner.run_with_files('zfs', args, stdout_path=path)
        except SmartOSCommandError as exc:
            raise SmartOSCommandError(exc.argv, exc.rc, exc.stdout, exc.stderr, _message(exc.stderr, exc.stdout))

    def receive_from_file(self, name, path, force=False):
        """``zfs receive [-F] name`` reading the stream from the file ``path``."""
        args = ['receive'] + (['-F'] if force else []) + [name]
        try:
            self.runner.run_with_files('zfs', args, stdin_path=path)
        except SmartOSCommandError as exc:
            raise SmartOSCommandError(exc.argv, exc.rc, exc.stdout, exc.stderr, _message(exc.stderr, exc.stdout))


def parse_get(out):
    """``zfs get -H -o name,property,value,source`` -> ``{name: {property: (value, source)}}``."""
    datasets = {}
    for line in out.splitlines():
        if not line:
            continue
        fields = line.split('\t')
        if len(fields) < 4:
            continue
        name, prop, value, source = fields[0], fields[1], '\t'.join(fields[2:-1]), fields[-1]
        datasets.setdefault(name, {})[prop] = (value, source)
    return datasets


def parse_list(out, columns):
    """``zfs list -H -o <columns>`` -> ``[{column: value}]``."""
    rows = []
    for line in out.splitlines():
        if not line:
            continue
        fields = line.split('\t')
        rows.append(dict(zip(columns, fields + [''] * (len(columns) - len(fields)))))
    return rows
