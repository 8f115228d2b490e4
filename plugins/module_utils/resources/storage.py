# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Storage <-> ``zfs``: a ZFS filesystem or volume as an OCCI storage resource.

Mapping (reference smartos_zfs_zpool.md, occi_facts.md §2.4):

==========================  =====================================================================
``occi.core.id``            ``urn:smartstack:zfs:<guid>`` (the dataset's guid: stable across renames)
``occi.core.title``         the user property ``smartstack:title`` when set, else the last
                            component of the dataset name
location                    ``/storage/<dataset>`` (what compute's storagelinks point at)
``occi.storage.size``       GiB (2^30 bytes). A filesystem: its ``refquota`` (the space its own
                            data may take; snapshots and children are not charged to it, so a
                            backup or snapshot never makes the filesystem run out of space),
                            else ``quota``, else what it could hold now (``referenced`` +
                            ``available``). A volume: ``volsize`` (rounded UP to a multiple of
                            ``volblocksize``, which zfs requires, reference §4).
``occi.storage.state``      filesystem: ``online`` when mounted, else ``offline``; going offline
                            is ``canmount=off`` (which unmounts it and keeps it unmounted across
                            reboots), online is ``canmount=on`` + ``zfs mount``.
                            volume: illumos has no ``volmode`` (its zvol device node exists as long
                            as the volume does), so a volume is ``offline`` when ``readonly=on``
                            (nothing can write to it) and ``online`` otherwise.
==========================  =====================================================================

The flow (:mod:`.base`): :meth:`Storage.read` is ONE ``zfs get -H -p -r -t all`` of the
properties that decide, on the dataset: existence (a missing dataset is zfs's own ``dataset does
not exist``), its properties with their sources, its children, its snapshots and their clones.
When nothing has to change that is the only command. Writes: ``zfs create`` with every property
on its command line; or ONE ``zfs set`` of every changed property (zfs validates them all and
applies them in one ioctl, reference §8), ``zfs inherit`` for each property given as null, then
``zfs mount``/``zfs unmount`` and the actions (``zfs snapshot``, ``zfs send``, ``zfs rollback``).
Only a destroy of a dataset named like a VM's (``<pool>/<uuid>...``) reads ``vmadm`` once.
"""

from __future__ import annotations

import copy
import datetime
import os
import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Mixin, Resource
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import STORAGE
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import CommandRunner, SmartOSCommandError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.vmadm import Vmadm
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import (
    DEFAULT_VOLBLOCKSIZE,
    NONE,
    Zfs,
    is_user_property,
    normalise_value,
    size_to_bytes,
)

GIB = 1 << 30
SMARTOS_SCHEME = 'http://schemas.smartstack.io/occi/smartos#'

#: User properties the module keeps on datasets and snapshots.
PROP_TITLE = 'smartstack:title'
PROP_BACKUP = 'smartstack:backup'

#: What the one read asks for, beside the properties the task names.
READ_PROPERTIES = ('type', 'guid', 'createtxg', 'creation', 'used', 'available', 'referenced', 'written', 'quota',
                   'refquota', 'reservation', 'refreservation', 'volsize', 'volblocksize', 'mountpoint', 'mounted',
                   'canmount', 'readonly', 'origin', 'clones', PROP_TITLE, PROP_BACKUP)

#: What the one read of a single snapshot asks for.
SNAPSHOT_READ_PROPERTIES = ('type', 'guid', 'createtxg', 'creation', 'used', 'referenced', 'clones', 'userrefs',
                            'defer_destroy', PROP_BACKUP)

#: Native properties zfs computes or fixes; ``properties`` may not set them (zfs: "'x' is readonly").
READ_ONLY = frozenset(('type', 'guid', 'createtxg', 'creation', 'used', 'available', 'referenced', 'written',
                       'compressratio', 'refcompressratio', 'mounted', 'origin', 'clones', 'usedbysnapshots',
                       'usedbydataset', 'usedbychildren', 'usedbyrefreservation', 'logicalused',
                       'logicalreferenced', 'userrefs', 'defer_destroy', 'filesystem_count', 'snapshot_count',
                       'version', 'utf8only', 'normalization', 'casesensitivity'))

#: Set-once on create (reference §4): a different value on an existing dataset is refused.
CREATE_ONLY = frozenset(('volblocksize', 'utf8only', 'normalization', 'casesensitivity', 'encryption'))

# A VM's datasets (vmadm): zones/<uuid> (zone root), zones/<uuid>/data (delegated),
# zones/<uuid>-disk<N> (bhyve/kvm disks), zones/cores/<uuid>; an image is zones/<uuid> too.
UUID_COMPONENT = re.compile(r'^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(-disk\d+)?$')

SNAPSHOT_NAME = re.compile(r'^[A-Za-z0-9_.: -]+$')

#: The SmartOS attributes a storage resource carries beside the OCCI ones.
SMARTOS_ZFS = Mixin(SMARTOS_SCHEME, 'zfs', title='ZFS dataset', applies=[STORAGE], attributes=[
    Attribute('smartos.zfs.name', 'string', mutable=False, description='Dataset name'),
    Attribute('smartos.zfs.type', 'string', mutable=False, enum=('filesystem', 'volume'), description='Dataset type'),
    Attribute('smartos.zfs.used', 'float', mutable=False, unit='GiB', description='Space used, snapshots and children included'),
    Attribute('smartos.zfs.referenced', 'float', mutable=False, unit='GiB', description='Space its own data references'),
    Attribute('smartos.zfs.mountpoint', 'string', description='Mountpoint (filesystems)'),
    Attribute('smartos.zfs.snapshots', 'array', mutable=False, description='Snapshot names, oldest first'),
    Attribute('smartos.zfs.origin', 'string', mutable=False, description='Snapshot this dataset was cloned from'),
])


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def gib(nbytes):
    return round(float(nbytes) / GIB, 3)


def human(nbytes):
    """``1.5 GiB (1610612736 bytes)`` for messages: exact, and readable when small."""
    return '%s GiB (%d bytes)' % (round(float(nbytes) / GIB, 6), nbytes)


def timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')


# ---------------------------------------------------------------------------------------------
# The dataset as read
# ---------------------------------------------------------------------------------------------

def dataset_from_get(name, rows):
    """``zfs get`` rows (``{dataset: {prop: (value, source)}}``) -> the raw ``dataset`` this module returns.

    ``{'name', 'type', 'properties': {prop: value}, 'sources': {prop: source}, 'snapshots': [{'name',
    'createtxg', 'written', 'clones', 'backup'}] oldest first, 'children': [names], 'descendant_snapshots':
    [names], 'clones': [clones of its snapshots and of its children's]}``.
    """
    own = rows.get(name)
    if own is None:
        return None
    dataset = {'name': name, 'type': own.get('type', (NONE,))[0],
               'properties': dict((p, v[0]) for p, v in own.items()),
               'sources': dict((p, v[1]) for p, v in own.items()),
               'snapshots': [], 'children': [], 'descendant_snapshots': [], 'clones': []}
    for other, props in rows.items():
        if other == name:
            continue
        clones = [c for c in props.get('clones', ('', ''))[0].split(',') if c and c != NONE]
        dataset['clones'].extend(c for c in clones if c != name and not c.startswith(name + '/'))
        head, at, snap = other.partition('@')
        if at and head == name:
            dataset['snapshots'].append({'name': snap, 'createtxg': _int(props.get('createtxg', ('0',))[0]),
                                         'written': _int(props.get('written', ('0',))[0]), 'clones': clones,
                                         'backup': None if props.get(PROP_BACKUP, (NONE,))[0] == NONE
                                         else props[PROP_BACKUP][0]})
        elif at:
            dataset['descendant_snapshots'].append(other)
        else:
            dataset['children'].append(other)
    dataset['snapshots'].sort(key=lambda s: s['createtxg'])
    return dataset


def occi_state(dataset):
    props = dataset['properties']
    if dataset['type'] == 'volume':
        if props.get('readonly') == 'on':
            return 'offline', 'readonly=on (a volume is offline while it cannot be written)'
        return 'online', 'writable volume'
    if props.get('mounted') == 'yes':
        return 'online', 'mounted at %s' % props.get('mountpoint')
    return 'offline', 'not mounted (canmount=%s, mountpoint=%s)' % (props.get('canmount'), props.get('mountpoint'))


def size_bytes(dataset):
    """The OCCI size in bytes (see the module docstring)."""
    props = dataset['properties']
    if dataset['type'] == 'volume':
        return _int(props.get('volsize'))
    for prop in ('refquota', 'quota'):
        if _int(props.get(prop)):
            return _int(props.get(prop))
    return _int(props.get('referenced')) + _int(props.get('available'))


def title_of(dataset):
    """``smartstack:title`` when set on the dataset itself (user properties inherit: a child's is its parent's)."""
    value = dataset['properties'].get(PROP_TITLE)
    if value and value != NONE and dataset.get('sources', {}).get(PROP_TITLE, 'local') in ('local', 'received'):
        return value
    return dataset['name'].rsplit('/', 1)[-1]


def to_resource(dataset):
    props = dataset['properties']
    state, message = occi_state(dataset)
    attributes = {
        'occi.storage.size': gib(size_bytes(dataset)),
        'occi.storage.state': state,
        'occi.storage.state.message': message,
        'smartos.zfs.name': dataset['name'],
        'smartos.zfs.type': dataset['type'],
        'smartos.zfs.used': gib(_int(props.get('used'))),
        'smartos.zfs.referenced': gib(_int(props.get('referenced'))),
        'smartos.zfs.snapshots': [s['name'] for s in dataset.get('snapshots', [])],
    }
    if dataset['type'] == 'filesystem' and props.get('mountpoint'):
        attributes['smartos.zfs.mountpoint'] = props['mountpoint']
    if props.get('origin') not in (None, '', NONE):
        attributes['smartos.zfs.origin'] = props['origin']
    guid = props.get('guid')
    ident = 'urn:smartstack:zfs:%s' % guid if guid and guid != NONE else 'urn:smartstack:zfs:new'
    return Resource(STORAGE, ident, title=title_of(dataset), attributes=attributes, mixins=[SMARTOS_ZFS],
                    location='/storage/%s' % dataset['name'])


def render(dataset):
    """``resource`` as the modules return it: the OCCI JSON rendering (a dict)."""
    return to_resource(dataset).to_json()


def summary(dataset, keys=()):
    """What ``--diff`` shows: OCCI names plus the properties the task gave."""
    if dataset is None:
        return {}
    props = dataset['properties']
    result = {'name': dataset['name'], 'title': title_of(dataset), 'type': dataset['type'],
              'size': gib(size_bytes(dataset)), 'state': occi_state(dataset)[0],
              'snapshots': [s['name'] for s in dataset.get('snapshots', [])]}
    if keys:
        result['properties'] = dict((k, props.get(k)) for k in sorted(keys))
    return result


def snapshot_summary(snapshot):
    """What ``--diff`` shows of a snapshot: its name, clones and hold count."""
    if snapshot is None:
        return {}
    return {'name': snapshot['name'], 'type': 'snapshot', 'clones': snapshot['clones'], 'holds': snapshot['userrefs']}


def vm_uuids_in(names):
    """The uuids that dataset names carry the way vmadm names a VM's datasets."""
    uuids = set()
    for name in names:
        for component in name.partition('@')[0].split('/')[1:]:
            match = UUID_COMPONENT.match(component)
            if match:
                uuids.add(match.group(1))
    return uuids


# ---------------------------------------------------------------------------------------------
# The resource class
# ---------------------------------------------------------------------------------------------

class Storage(object):
    """One storage resource (ZFS filesystem or volume) for the ``storage`` module."""

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.zfs = Zfs(self.runner)
        self.vmadm = Vmadm(self.runner)
        self.name = None
        self.predicted = None
        self.warnings = []
        self.backup_file = None
        self.snapshot_taken = None
        self.is_snapshot = False
        self.destroyed = None

    # -- input ------------------------------------------------------------------------------

    def dataset_name(self):
        name, title = self.params.get('name'), self.params.get('title')
        if not name:
            if not title:
                raise ResourceError('one of name or title is required to identify the dataset')
            if '/' in title or '@' in title:
                raise ResourceError('title %r names no dataset by itself: give name (the dataset) or a title without "/" '
                                    'or "@" (the dataset is then <parent>/<title>)' % title)
            name = '%s/%s' % ((self.params.get('parent') or 'zones').rstrip('/'), title)
        if '@' in name and '#' not in name and self.params.get('name') and (self.params.get('state') or 'present') == 'absent':
            head, _at, snap = name.partition('@')
            if not head or head.startswith('/') or head.endswith('/') or '//' in head or not SNAPSHOT_NAME.match(snap):
                raise ResourceError('name %r is not a snapshot name (<dataset>@<snapshot>)' % name)
            for option in ('action', 'size', 'type', 'properties', 'title'):
                if self.params.get(option) is not None:
                    raise ResourceError('%s does not apply to destroying the snapshot %s (state absent)' % (option, name))
            self.is_snapshot = True
            return name
        if '@' in name or '#' in name:
            raise ResourceError('name must be a filesystem or volume, not a snapshot or bookmark: %r (a snapshot is only '
                                'named to destroy it, with state absent; take one with action snapshot)' % name)
        if name.startswith('/') or name.endswith('/') or '//' in name:
            raise ResourceError('name must be a dataset name (pool/path), got %r' % name)
        return name

    def wanted_properties(self, kind):
        """``properties`` as zfs strings (None: inherit); refuses read-only and clashing ones before any command."""
        wanted = {}
        for prop, value in (self.params.get('properties') or {}).items():
            prop = str(prop)
            if prop in READ_ONLY:
                raise ResourceError('property %s is read-only (zfs computes it); remove it from properties' % prop)
            if isinstance(value, (dict, list)):
                raise ResourceError('property %s: a ZFS property value is a string or number, got %s' % (prop, type(value).__name__))
            wanted[prop] = None if value is None else (normalise_value(prop, value) if not is_user_property(prop)
                                                       else str(value))
        clash = {'filesystem': 'refquota', 'volume': 'volsize'}[kind]
        if self.params.get('size') is not None and clash in wanted:
            raise ResourceError('size is the %s of a %s: give one of size and properties.%s' % (clash, kind, clash))
        if self.params.get('state') in ('online', 'offline') or self.params.get('action') in ('online', 'offline'):
            if kind == 'filesystem' and 'canmount' in wanted:
                raise ResourceError('state online/offline sets canmount: leave canmount out of properties')
            if kind == 'volume' and 'readonly' in wanted:
                raise ResourceError('state online/offline of a volume sets readonly: leave readonly out of properties')
        if self.params.get('title') and self.params.get('name'):
            wanted.setdefault(PROP_TITLE, self.params['title'])
        return wanted

    def wanted_size(self, kind, volblocksize):
        size = self.params.get('size')
        if size is None:
            return None
        if size <= 0:
            raise ResourceError('size must be more than 0 GiB, got %s' % size)
        nbytes = int(round(size * GIB))
        if kind == 'volume':
            block = volblocksize or DEFAULT_VOLBLOCKSIZE
            rounded = -(-nbytes // block) * block
            if rounded != nbytes:
                self.warnings.append('size %s GiB is not a multiple of volblocksize %d: rounded up to %d bytes'
                                     % (size, block, rounded))
            nbytes = rounded
        return nbytes

    # -- 1. read ----------------------------------------------------------------------------

    def read(self):
        """ONE ``zfs get -H -p -r -t all``: the dataset with its children and snapshots, or None."""
        self.name = self.dataset_name()
        if self.is_snapshot:
            return self._read_snapshot()
        props = list(READ_PROPERTIES)
        for prop in self.params.get('properties') or {}:
            if str(prop) not in props:
                props.append(str(prop))
        rows = self.zfs.get(self.name, props, recursive=True, types='all')
        if rows is None:
            return None
        return dataset_from_get(self.name, rows)

    # -- 2. plan ----------------------------------------------------------------------------

    def plan(self, actual):
        params = self.params
        state = params.get('state') or 'present'
        action = params.get('action')
        if action and state not in ('present', 'online', 'offline'):
            raise ResourceError('action %s cannot be combined with state %s' % (action, state))
        if action in ('online', 'offline'):
            if state != 'present' and state != action:
                raise ResourceError('action %s contradicts state %s' % (action, state))
            state = action
        if action == 'resize' and params.get('size') is None:
            raise ResourceError('action resize needs size (the new size in GiB)')
        keys = set(str(k) for k in (params.get('properties') or {}))
        plan = Plan()
        if self.is_snapshot:
            plan.before = snapshot_summary(actual)
            self._plan_destroy_snapshot(plan, actual)
            plan.after = {}
            return plan
        plan.before = summary(actual, keys)
        if state == 'absent':
            self._plan_absent(plan, actual)
            plan.after = {}
            return plan
        wanted = self.wanted_properties(actual['type'] if actual else (params.get('type') or 'filesystem'))
        if actual is None:
            if action in ('rollback', 'resize'):
                raise ResourceError('dataset %s does not exist: cannot %s it' % (self.name, action))
            self._plan_create(plan, state, wanted)
        else:
            self._plan_update(plan, actual, state, wanted)
        if action in ('snapshot', 'backup'):
            self._plan_snapshot(plan, backup=action == 'backup')
        elif action == 'rollback':
            self._plan_rollback(plan, actual)
        plan.after = summary(self.predicted, keys)
        return plan

    def _plan_create(self, plan, state, wanted):
        kind = self.params.get('type') or 'filesystem'
        create_props = dict((k, v) for k, v in wanted.items() if v is not None)
        blocksize = size_to_bytes(create_props.get('volblocksize')) if kind == 'volume' else None
        nbytes = self.wanted_size(kind, blocksize)
        volsize = None
        if kind == 'volume':
            if nbytes is None and 'volsize' not in create_props:
                raise ResourceError('a new volume needs size (GiB)')
            volsize = nbytes if nbytes is not None else int(create_props.pop('volsize'))
            create_props.pop('volsize', None)
            if state == 'offline':
                create_props['readonly'] = 'on'
            elif state == 'online':
                create_props['readonly'] = 'off'
        else:
            if nbytes is not None:
                create_props['refquota'] = str(nbytes)
            if state == 'offline':
                create_props['canmount'] = 'off'
            elif state == 'online':
                create_props['canmount'] = 'on'
        sparse = bool(self.params.get('sparse'))
        plan.add('create %s %s%s' % (kind, self.name, ' (%d bytes)' % volsize if volsize else ''),
                 lambda: self.zfs.create(self.name, create_props, volsize=volsize, sparse=sparse,
                                         parents=self.params.get('parents')))
        props = dict(create_props)
        props.update(type=kind, guid=NONE, used='0', referenced='0', available='0', written='0')
        if kind == 'volume':
            props.update(volsize=str(volsize), volblocksize=str(blocksize or DEFAULT_VOLBLOCKSIZE))
        else:
            props.setdefault('canmount', 'on')
            props['mounted'] = 'yes' if props['canmount'] == 'on' and props.get('mountpoint') not in ('none', 'legacy') else 'no'
            props.setdefault('mountpoint', '/' + self.name)
        self.predicted = {'name': self.name, 'type': kind, 'properties': props, 'sources': {}, 'snapshots': [],
                          'children': [], 'descendant_snapshots': [], 'clones': []}

    def _plan_update(self, plan, actual, state, wanted):
        kind = self.params.get('type')
        if kind and kind != actual['type']:
            raise ResourceError('%s is a %s, not a %s: this module does not convert datasets (destroy it first)'
                                % (self.name, actual['type'], kind))
        kind = actual['type']
        props, sources = actual['properties'], actual['sources']
        changes, inherits = {}, []
        for prop, value in sorted(wanted.items()):
            current = props.get(prop)
            if value is None:
                if sources.get(prop) in ('local', 'received'):
                    inherits.append(prop)
                continue
            if current == value:
                continue
            if prop in CREATE_ONLY:
                raise ResourceError('%s is set when a dataset is created: %s has %s=%s, the task wants %s'
                                    % (prop, self.name, prop, current, value))
            changes[prop] = value
        nbytes = self.wanted_size(kind, _int(props.get('volblocksize')) if kind == 'volume' else None)
        if nbytes is not None:
            self._plan_size(actual, nbytes, changes)
        mount_step = None
        if kind == 'filesystem':
            if state == 'online':
                if props.get('canmount') != 'on':
                    changes['canmount'] = 'on'
                if props.get('mounted') != 'yes':
                    # canmount=on does not mount (zfs_prop_set_list gathers no changelist for it), so
                    # zfs mount follows; it tolerates "already mounted" (another mount in between)
                    mount_step = 'mount'
            elif state == 'offline':
                if props.get('canmount') != 'off':
                    # zfs unmounts it: libzfs gathers canmount as a mountpoint change and only a change to
                    # canmount=off runs changelist_prefix's unmount (CL_GATHER_DONT_UNMOUNT otherwise;
                    # illumos libzfs_changelist.c, libzfs_dataset.c zfs_prop_set_list).
                    # UNCONFIRMED on SmartOS beyond that source: the reference is silent.
                    changes['canmount'] = 'off'
                elif props.get('mounted') == 'yes':
                    mount_step = 'unmount'
        elif state in ('online', 'offline'):
            readonly = 'on' if state == 'offline' else 'off'
            if props.get('readonly') != readonly:
                changes['readonly'] = readonly
        predicted = copy.deepcopy(actual)
        if changes:
            plan.add('set %s on %s' % (', '.join('%s=%s' % (k, changes[k]) for k in sorted(changes)), self.name),
                     lambda: self.zfs.set(self.name, changes))
            predicted['properties'].update(changes)
            for prop in changes:
                predicted['sources'][prop] = 'local'
        for prop in inherits:
            plan.add('inherit %s on %s' % (prop, self.name), lambda prop=prop: self.zfs.inherit(self.name, prop))
            predicted['sources'][prop] = 'inherited'
        if kind == 'filesystem' and state == 'offline':
            predicted['properties']['mounted'] = 'no'
        if mount_step == 'mount':
            plan.add('mount %s' % self.name, lambda: self.zfs.mount(self.name))
            predicted['properties']['mounted'] = 'yes'
        elif mount_step == 'unmount':
            plan.add('unmount %s' % self.name, lambda: self.zfs.unmount(self.name))
        self.predicted = predicted

    def _plan_size(self, actual, nbytes, changes):
        props = actual['properties']
        referenced = _int(props.get('referenced'))
        if actual['type'] == 'volume':
            current = _int(props.get('volsize'))
            if nbytes == current:
                return
            if nbytes < current:
                if nbytes < referenced:
                    raise ResourceError('cannot shrink volume %s to %s: it references %s of data; nothing was done'
                                        % (self.name, human(nbytes), human(referenced)))
                if not self.params.get('force'):
                    raise ResourceError('shrinking volume %s from %s to %s cuts off whatever lies past the new end '
                                        '(a guest\'s partitions, file systems); nothing was done - set force: true to do it'
                                        % (self.name, human(current), human(nbytes)))
            changes['volsize'] = str(nbytes)
            return
        if _int(props.get('refquota')) == nbytes:
            return
        if nbytes < referenced:
            raise ResourceError('cannot shrink filesystem %s to %s: its data takes %s (referenced); nothing '
                                'was done' % (self.name, human(nbytes), human(referenced)))
        changes['refquota'] = str(nbytes)

    def _plan_snapshot(self, plan, backup):
        dataset = self.predicted
        requested = self.params.get('snapshot')
        if requested and not SNAPSHOT_NAME.match(requested):
            raise ResourceError('snapshot name %r: only letters, digits and "_ . : - " are allowed (zfs names)' % requested)
        existing = dict((s['name'], s) for s in dataset['snapshots'])
        name = requested or (('backup-' if backup else '') + timestamp())
        if name in existing:
            if requested and (not backup or existing[name]['backup']):
                return  # named snapshot (or backup) already there: nothing to do
            raise ResourceError('snapshot %s@%s exists already%s' % (self.name, name, ' and is no backup of this module'
                                                                     if backup else ''))
        full = '%s@%s' % (self.name, name)
        record = {'name': name, 'createtxg': (dataset['snapshots'][-1]['createtxg'] + 1) if dataset['snapshots'] else 1,
                  'written': 0, 'clones': [], 'backup': None}
        if not backup:
            plan.add('snapshot %s' % full, lambda: self.zfs.snapshot(full))
            dataset['snapshots'].append(record)
            self.snapshot_taken = full
            return
        directory = self.params.get('backup_dir')
        if not directory or not directory.startswith('/'):
            raise ResourceError('action backup needs backup_dir, an absolute directory on the global zone')
        previous = None
        if self.params.get('incremental', True):
            for snap in reversed(dataset['snapshots']):
                if snap['backup'] and os.path.exists(snap['backup']):
                    previous = snap
                    break
        flat = self.name.replace('/', '_')
        if previous:
            path = os.path.join(directory, '%s@%s.from-%s.zfs' % (flat, name, previous['name']))
        else:
            path = os.path.join(directory, '%s@%s.zfs' % (flat, name))
        if os.path.exists(path):
            raise ResourceError('backup file %s exists already; nothing was done' % path)
        since = '@' + previous['name'] if previous else None
        record['backup'] = path
        plan.add('snapshot %s and send it%s to %s' % (full, ' incrementally from %s' % since if since else '', path),
                 lambda: self._backup(full, path, since, directory))
        dataset['snapshots'].append(record)
        self.backup_file = path
        self.snapshot_taken = full

    def _backup(self, snapshot, path, since, directory):
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        self.zfs.snapshot(snapshot, {PROP_BACKUP: path})
        try:
            self.zfs.send_to_file(snapshot, path, incremental_from=since)
        except SmartOSCommandError:
            # a backup snapshot without its file would be taken as the base of the next one
            self.zfs.destroy(snapshot)
            raise

    def _plan_rollback(self, plan, actual):
        requested = self.params.get('snapshot')
        if not requested:
            raise ResourceError('action rollback needs snapshot (the snapshot name to roll back to)')
        name = requested.partition('@')[2] if '@' in requested else requested
        if '@' in requested and requested.partition('@')[0] != self.name:
            raise ResourceError('snapshot %s is not a snapshot of %s' % (requested, self.name))
        snaps = actual['snapshots']
        names = [s['name'] for s in snaps]
        if name not in names:
            raise ResourceError('%s has no snapshot %s (snapshots: %s); nothing was done'
                                % (self.name, name, ', '.join(names) or 'none'))
        index = names.index(name)
        newer = snaps[index + 1:]
        # Always a change: an explicit action. (zfs's `written` would tell whether anything was written since
        # the newest snapshot, but a rollback skipped on a stale figure would leave the data unrestored.)
        cloned = [c for s in newer for c in s['clones']]
        if cloned:
            raise ResourceError('cannot roll %s back to %s: newer snapshots have clones (%s); this module never '
                                'destroys clones' % (self.name, name, ', '.join(cloned)))
        if newer and not self.params.get('force'):
            raise ResourceError('cannot roll %s back to %s: it would destroy the newer snapshots %s; set force: true '
                                'to destroy them; nothing was done' % (self.name, name, ', '.join(s['name'] for s in newer)))
        full = '%s@%s' % (self.name, name)
        plan.add('roll %s back to %s%s' % (self.name, name, ' destroying %s' % ', '.join(s['name'] for s in newer) if newer else ''),
                 lambda: self.zfs.rollback(full, destroy_newer=bool(newer)))
        self.predicted['snapshots'] = [s for s in self.predicted['snapshots'] if s['name'] not in set(x['name'] for x in newer)]
        self.predicted['properties']['written'] = '0'

    def _plan_absent(self, plan, actual):
        if actual is None:
            return
        if '/' not in self.name:
            raise ResourceError('%s is a pool\'s root dataset: this module does not destroy pools' % self.name)
        involved = [self.name] + actual['children']
        uuids = vm_uuids_in(involved)
        if uuids:
            vms = dict((vm.get('uuid'), vm.get('alias')) for vm in self.vmadm.lookup(fields=['uuid', 'alias']))
            backing = sorted(u for u in uuids if u in vms)
            if backing:
                raise ResourceError('%s backs VM %s: this module never destroys a VM\'s datasets (use compute with '
                                    'state absent); nothing was done'
                                    % (self.name, ', '.join('%s (%s)' % (u, vms[u]) if vms[u] else u for u in backing)),
                                    vms=backing)
        dependents = actual['children'] + actual['descendant_snapshots'] + ['%s@%s' % (self.name, s['name'])
                                                                            for s in actual['snapshots']]
        recursive = bool(self.params.get('recursive'))
        if dependents and not recursive:
            raise ResourceError('%s has children or snapshots (%s): set recursive: true to destroy them with it; '
                                'nothing was done' % (self.name, ', '.join(dependents)), dependents=dependents)
        if actual['clones']:
            raise ResourceError('%s has dependent clones (%s): this module never destroys clones; nothing was done'
                                % (self.name, ', '.join(sorted(set(actual['clones'])))), clones=sorted(set(actual['clones'])))
        plan.add('destroy %s%s' % (self.name, ' and %d dependents' % len(dependents) if dependents else ''),
                 lambda: self.zfs.destroy(self.name, recursive=bool(dependents)))

    # -- a single snapshot (state absent) ------------------------------------------------------

    def _read_snapshot(self):
        """ONE ``zfs get -H -p -t snapshot`` of the snapshot: None when it (or its dataset) does not exist."""
        rows = self.zfs.get(self.name, SNAPSHOT_READ_PROPERTIES, recursive=False, types='snapshot')
        if not rows or self.name not in rows:
            return None
        own = rows[self.name]
        props = dict((p, v[0]) for p, v in own.items())
        clones = [c for c in props.get('clones', '').split(',') if c and c != NONE]
        return {'name': self.name, 'type': 'snapshot', 'properties': props,
                'sources': dict((p, v[1]) for p, v in own.items()), 'clones': clones,
                'userrefs': _int(props.get('userrefs'))}

    def _refuse_held(self, names):
        """Refuse, naming each hold (``zfs holds``), when any of ``names`` has user holds: zfs would
        refuse the destroy with ``dataset is busy`` (reference §9), and ``-R`` does not release holds."""
        holds = self.zfs.holds(names)
        if not holds:
            return
        text = '; '.join('%s is held by %s' % (n, ', '.join(sorted(tags))) for n, tags in sorted(holds.items()))
        first, tags = sorted(holds.items())[0]
        raise ResourceError('cannot destroy %s: %s (zfs holds); release the holds first (zfs release %s %s); nothing '
                            'was done' % (self.name, text, sorted(tags)[0], first),
                            holds=dict((n, sorted(t)) for n, t in holds.items()))

    def _refuse_vm_datasets(self, names):
        uuids = vm_uuids_in(names)
        if not uuids:
            return
        vms = dict((vm.get('uuid'), vm.get('alias')) for vm in self.vmadm.lookup(fields=['uuid', 'alias']))
        backing = sorted(u for u in uuids if u in vms)
        if backing:
            raise ResourceError('destroying %s would destroy datasets of VM %s (%s): this module never destroys a VM\'s '
                                'datasets; nothing was done'
                                % (self.name, ', '.join('%s (%s)' % (u, vms[u]) if vms[u] else u for u in backing),
                                   ', '.join(n for n in names if vm_uuids_in([n]) & set(backing))), vms=backing)

    def _plan_destroy_snapshot(self, plan, actual):
        """``state: absent`` of ``<dataset>@<snapshot>``: ``zfs destroy`` it; its clones only with ``recursive``
        (``zfs destroy -R``, after a dry run ``zfs destroy -n -p -R`` that names everything it takes); a held
        snapshot is refused naming the holds."""
        if actual is None:
            return
        clones = sorted(actual['clones'])
        if actual['userrefs']:
            self._refuse_held([self.name])
        if not clones:
            plan.add('destroy snapshot %s' % self.name, lambda: self.zfs.destroy_snapshot(self.name))
            self.destroyed = [self.name]
            return
        if not self.params.get('recursive'):
            raise ResourceError('cannot destroy snapshot %s: it has dependent clones (%s); set recursive: true to destroy '
                                'them with it (zfs destroy -R); nothing was done' % (self.name, ', '.join(clones)),
                                clones=clones)
        # zfs's own list of what -R takes: the clones, their children and snapshots, and (-R implies -r)
        # same-named snapshots of the dataset's descendants (reference §9)
        order = self.zfs.destroy_dry_run(self.name, dependents=True)
        self._refuse_vm_datasets(order)
        snapshots = [n for n in order if '@' in n and n != self.name]
        if snapshots:
            held = self.zfs.list(['name', 'userrefs'], names=snapshots, types='snapshot')
            self._refuse_held([row['name'] for row in held if _int(row.get('userrefs'))])
        others = [n for n in order if n != self.name]
        plan.add('destroy snapshot %s with its dependents (zfs destroy -R): %s' % (self.name, ', '.join(others)),
                 lambda: self.zfs.destroy_snapshot(self.name, dependents=True), destroys=order)
        self.destroyed = order

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        if self.is_snapshot:
            result = {'dataset': None, 'resource': None, 'destroyed': self.destroyed or [],
                      'commands': [list(c) for c in self.runner.commands]}
            return result
        state = self.params.get('state')
        if state == 'absent':
            dataset = None if plan.changed or actual is None else actual
        elif plan.changed:
            dataset = self.predicted
        else:
            dataset = actual
        for warning in self.warnings:
            self.module.warn(warning)
        result = {
            'dataset': dataset,
            'resource': render(dataset) if dataset else None,
            'commands': [list(c) for c in self.runner.commands],
        }
        if self.snapshot_taken:
            result['snapshot'] = self.snapshot_taken
        if self.backup_file:
            result['backup_file'] = self.backup_file
        return result


# ---------------------------------------------------------------------------------------------
# storage_info
# ---------------------------------------------------------------------------------------------

INFO_COLUMNS = ('name', 'type', 'guid', 'createtxg', 'creation', 'used', 'available', 'referenced', 'written', 'quota',
                'refquota', 'volsize', 'volblocksize', 'mountpoint', 'mounted', 'canmount', 'readonly', 'origin',
                'clones', PROP_TITLE, PROP_BACKUP)


class StorageInfo(object):
    """The ``storage_info`` query: ONE ``zfs get -H -p`` of the properties, datasets and snapshots."""

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.zfs = Zfs(self.runner)

    def columns(self):
        columns = list(INFO_COLUMNS)
        for option in ('properties', 'filters'):
            for prop in self.params.get(option) or []:
                # zfs get takes them as one comma-separated list: an empty or comma'd name breaks it
                if not str(prop).strip() or ',' in str(prop):
                    raise ResourceError('%s: %r is not a property name' % (option, prop))
        for prop in list(self.params.get('properties') or []) + list(self.params.get('filters') or {}):
            if str(prop) not in columns:
                columns.append(str(prop))
        return columns

    def query(self):
        """ONE ``zfs get -H -p -o name,property,value,source -t <types> [-r|-d N] <properties> [name]``.

        Returns ``[(name, {property: value}, {property: source})]`` in zfs's order.
        """
        columns = self.columns()
        name = self.params.get('name')
        kind = self.params.get('type') or 'all'
        types = ['filesystem', 'volume'] if kind in ('all', 'snapshot') else [kind]
        if kind == 'snapshot' or self.params.get('snapshots', True):
            types.append('snapshot')
        depth = self.params.get('depth')
        only_self = False
        if name and '@' in name:
            types, depth, recursive = ['snapshot'], None, False
        elif name and depth is None and not self.params.get('recursive', True):
            # the dataset and its own snapshots: -d 1, without the children it also lists
            depth, recursive, only_self = 1, False, True
            types = list(dict.fromkeys(types + ['filesystem', 'volume']))
        else:
            recursive = depth is None
        found = self.zfs.get(name, [c for c in columns if c != 'name'], recursive=recursive, depth=depth, types=types,
                             missing_ok=False)
        rows = []
        for dataset, props in found.items():
            if only_self and dataset.partition('@')[0] != name:
                continue
            rows.append((dataset, dict((p, v[0]) for p, v in props.items()), dict((p, v[1]) for p, v in props.items())))
        return rows

    def _keep(self, row, dataset):
        params = self.params
        for prop, value in (params.get('filters') or {}).items():
            if row.get(str(prop)) != normalise_value(str(prop), value):
                return False
        if dataset is None:
            return True
        if params.get('type') not in (None, 'all') and row.get('type') != params['type']:
            return False
        if params.get('title') and title_of(dataset) != params['title']:
            return False
        if params.get('state') and occi_state(dataset)[0] != params['state']:
            return False
        return True

    def run(self):
        """Datasets (filesystems and volumes) that pass the filters, and snapshots: those of the kept
        datasets, or with ``type: snapshot`` every snapshot that passes ``filters``."""
        # a snapshot named (``name: pool/fs@snap``) is listed by itself, as ``type: snapshot`` lists them
        only_snapshots = self.params.get('type') == 'snapshot' or '@' in (self.params.get('name') or '')
        datasets, snapshots, by_name = [], [], {}
        for name, row, sources in self.query():
            if row.get('type') != 'snapshot':
                dataset = {'name': name, 'type': row.get('type'), 'properties': row, 'sources': sources, 'snapshots': []}
                if not only_snapshots and self._keep(row, dataset):
                    datasets.append(dataset)
                    by_name[name] = dataset
                continue
            head, _at, snap = name.partition('@')
            backup = None if row.get(PROP_BACKUP) in (None, NONE) else row[PROP_BACKUP]
            if head in by_name:
                by_name[head]['snapshots'].append({
                    'name': snap, 'createtxg': _int(row.get('createtxg')), 'written': _int(row.get('written')),
                    'clones': [c for c in row.get('clones', '').split(',') if c and c != NONE], 'backup': backup})
            if head in by_name or (only_snapshots and self._keep(row, None)):
                snapshots.append({'name': name, 'dataset': head, 'snapshot': snap, 'backup': backup, 'properties': row})
        return {
            'datasets': datasets,
            'snapshots': snapshots,
            'resources': [render(d) for d in datasets],
            'commands': [list(c) for c in self.runner.commands],
        }
