# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Compute <-> ``vmadm``: a zone or VM of any brand as an OCCI compute resource.

Mapping (OCCI attribute -> vmadm property, reference smartos_vmadm.md §4):

==========================  =====================================================================
``occi.core.id``            ``urn:uuid:<uuid>``
``occi.core.title``         ``alias``
``occi.compute.hostname``   ``hostname``
``occi.compute.cores``      ``vcpus`` (bhyve, kvm); ``cpu_cap`` = 100 x cores (zones: joyent,
                            joyent-minimal, lx), a zone without a cap has no cores attribute
``occi.compute.memory``     GiB (1024 MiB): ``ram`` (bhyve, kvm; vmadm adds its overhead to
                            ``max_physical_memory``) or ``max_physical_memory`` (zones)
``occi.compute.share``      ``cpu_shares``
``occi.compute.architecture``  always ``x64``: SmartOS runs on x86-64 only and has no 32-bit VMs
``occi.compute.state``      ``running`` (and ``stopping``/``shutting_down``) -> active,
                            ``failed`` -> error, anything else -> inactive; vmadm's own state in
                            ``occi.compute.state.message``. SmartOS cannot suspend a VM (vmadm
                            has no such command, reference §1.3), so ``suspended`` never appears
                            and is refused as a goal.
os_tpl mixin                ``image_uuid`` (zones) or the boot disk's ``image_uuid`` (bhyve, kvm)
resource_tpl mixin          the template the VM was last sized from (kept in
                            ``internal_metadata["smartstack:resource_tpl"]``)
==========================  =====================================================================

The flow (:mod:`.base`): :meth:`Compute.read` is ONE ``vmadm lookup -j`` with the identifying
filter (``uuid=`` or ``alias=``); it decides idempotence alone. :meth:`Compute.plan` compares
the desired vmadm properties with that object, knowing per property whether vmadm updates it
live, applies it at the next boot, or only takes it at creation (:data:`CREATE_ONLY`: refused
unless ``recreate``), and plans the fewest writes: one ``vmadm create``, or one ``vmadm
update`` payload plus the state transitions. Extra reads happen only on a converging run that
needs them: ``sysinfo`` when cores are set, ``imgadm`` when an image must be resolved.
"""

from __future__ import annotations

import copy
import json
import os
import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Link, Mixin, Resource
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    IPNETWORKINTERFACE,
    NETWORKINTERFACE,
    SSH_KEY,
    STORAGE,
    STORAGELINK,
    USER_DATA,
    resource_template,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import CommandRunner, SmartOSCommandError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.gzlock import LOCK_DIR, GZLockError, gz_lock
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.imgadm import Imgadm
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.sysinfo import Sysinfo
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.vmadm import Vmadm
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import Zfs

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.image import os_tpl_mixin, resolve_os_tpl


OS_BRANDS = ('joyent', 'joyent-minimal', 'lx')
HVM_BRANDS = ('bhyve', 'kvm')
BRANDS = OS_BRANDS + HVM_BRANDS
_ALL = BRANDS + ('builder',)
_OS = OS_BRANDS + ('builder',)

# os_tpl mixins are resources/image.py's (scheme http://schemas.smartstack.io/occi/smartos/os_tpl#)
RESOURCE_TPL_SCHEME = 'http://schemas.smartstack.io/occi/smartos/resource_tpl#'
SMARTOS_SCHEME = 'http://schemas.smartstack.io/occi/smartos#'

#: internal_metadata keys where the module remembers how a VM was made (no command needed to read them).
META_OS_TPL = 'smartstack:os_tpl'
META_RESOURCE_TPL = 'smartstack:resource_tpl'
META_IMAGE = 'smartstack:image'

DEFAULT_TEMPLATES_FILE = '/opt/smartstack/resource_templates.json'
#: The GZ-wide lock every ``vmadm create`` of this module runs under (:mod:`..smartos.gzlock`).
CREATE_LOCK = 'compute-create'
MIB_PER_GIB = 1024
NO_LOG_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')

#: The SmartOS attributes a compute resource carries beside the OCCI ones.
SMARTOS_VM = Mixin(SMARTOS_SCHEME, 'vm', title='SmartOS VM', applies=[COMPUTE], attributes=[
    Attribute('smartos.vm.brand', 'string', mutable=False, enum=_ALL, description='vmadm brand (create-only)'),
    Attribute('smartos.vm.state', 'string', mutable=False, description='vmadm state'),
    Attribute('smartos.vm.image_uuid', 'string', mutable=False, description='Image the VM was created from'),
    Attribute('smartos.vm.autoboot', 'boolean', description='Whether the VM boots with the global zone'),
    Attribute('smartos.vm.quota', 'integer', unit='GiB', description='Quota of the zone root (0: none)'),
])

# ---------------------------------------------------------------------------------------------
# vmadm's properties (reference smartos_vmadm.md §4.7, from smartos-live proptable.js
# payload.allowed): which brands take them and whether `vmadm update` does. vmadm silently
# DROPS what it does not allow (§2.1 step 4, §2.10), so the module checks first: a dropped
# property would never converge and every run would report a change.
# ---------------------------------------------------------------------------------------------

_PROPS = {}


def _props(names, brands, update):
    for name in names.split():
        _PROPS[name] = (brands, update)


_props('alias hostname billing_id owner_uuid zfs_root_compression autoboot archive_on_delete firewall_enabled '
       'do_not_inventory indestructible_zoneroot indestructible_delegated cpu_cap cpu_shares zfs_io_priority '
       'max_lwps max_physical_memory max_locked_memory max_swap max_msg_ids max_sem_ids max_shm_ids '
       'max_shm_memory quota ram zfs_root_recsize zfs_filesystem_limit zfs_snapshot_limit limit_priv resolvers '
       'internal_metadata_namespaces', _ALL, True)
_props('brand uuid zonename zpool image_uuid nics', _ALL, False)
_props('customer_metadata internal_metadata tags routes', _ALL, True)  # through set_/remove_ on update
_props('dns_domain init_name fs_allowed maintain_resolvers restart_init tmpfs zfs_data_compression '
       'zfs_data_recsize zlog_max_size', _OS, True)
_props('delegate_dataset nowait mdata_exec_timeout filesystems', _OS, False)
_props('kernel_version', ('lx',), True)
_props('docker', ('joyent-minimal', 'lx'), True)
_props('package_name package_version', ('joyent', 'joyent-minimal', 'builder', 'lx', 'kvm'), True)
_props('vcpus vnc_port boot disk_driver nic_driver vnc_password', HVM_BRANDS, True)
_props('disks', HVM_BRANDS, False)
_props('cpu_type vga qemu_opts qemu_extra_opts spice_opts spice_password spice_port virtio_txburst virtio_txtimer',
       ('kvm',), True)
_props('bootrom bhyve_extra_opts com1 com2 flexible_disk_size pci_devices', ('bhyve',), True)

#: Properties vmadm only takes in a create payload (reference §4.7 "c only").
CREATE_ONLY = frozenset(name for name, (brands, update) in _PROPS.items() if not update)

#: Flat objects: changed on update with ``set_<name>`` / ``remove_<name>`` (reference §2.10, §4.6).
FLAT_OBJECTS = ('customer_metadata', 'internal_metadata', 'tags', 'routes')

#: Properties a running VM only picks up when it boots again: for bhyve/kvm the hypervisor's
#: command line (man vmadm: "ram/vcpus need a reboot", reference §4.7 "live update"), for zones
#: the zone's configuration read by zoneadm boot.
# UNCONFIRMED: the reference names only ram and vcpus; the others are set on the bhyve/qemu
# command line or the zone's boot configuration, so they are taken to need a boot as well.
NEXT_BOOT = frozenset('ram vcpus boot disk_driver nic_driver cpu_type vga qemu_opts qemu_extra_opts spice_opts '
                      'bootrom bhyve_extra_opts com1 com2 pci_devices limit_priv fs_allowed kernel_version '
                      'init_name hostname'.split())

#: Never accepted by create or update (reference §4.7 "read-only").
READ_ONLY = frozenset('state zone_state zonepath zfs_filesystem zoneid zonedid pid boot_timestamp create_timestamp '
                      'last_modified hvm server_uuid snapshots type transition_to transition_expire exit_status '
                      'exit_timestamp free_space datasets platform_buildstamp v'.split())

#: Booleans vmadm leaves out of the object when false (reference §4.1).
_ABSENT_WHEN_FALSE = ('do_not_inventory', 'indestructible_zoneroot', 'indestructible_delegated', 'archive_on_delete',
                      'docker', 'maintain_resolvers', 'restart_init')
#: Integers vmadm leaves out (or shows as 0) when unset: 0 means none.
_ABSENT_WHEN_ZERO = ('cpu_cap', 'quota', 'zfs_filesystem_limit', 'zfs_snapshot_limit')
_LIST_AS_STRING = ('limit_priv', 'fs_allowed')

#: The module's own names for properties it maps from OCCI attributes.
_OCCI_PROPERTY = {'alias': 'title', 'hostname': 'hostname', 'cpu_shares': 'share'}


def is_hvm(brand):
    return brand in HVM_BRANDS


def occi_state(vm):
    """The OCCI state of a vmadm object (see the module docstring)."""
    state = vm.get('state')
    if state in ('running', 'stopping', 'shutting_down'):
        return 'active'
    if state == 'failed':
        return 'error'
    return 'inactive'


def _as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ('true', '1', 'yes', 'on')
    return bool(value)


def _as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value) if '.' in value else int(value)
        except ValueError:
            return None
    return None


def same_value(name, desired, actual):
    """Whether vmadm's ``actual`` value of property ``name`` already is ``desired``.

    Knows vmadm's representations: lists stored as comma strings (``limit_priv``), booleans
    absent when false, integers absent when 0 (``cpu_cap``), numbers given as strings.
    """
    if desired is None or desired == '':
        return actual in (None, '', 0, False, [], {})
    if name in _ABSENT_WHEN_ZERO and actual is None:
        actual = 0
    if isinstance(desired, bool) or isinstance(actual, bool) or name in _ABSENT_WHEN_FALSE:
        if actual is None:
            actual = False
        return _as_bool(desired) == _as_bool(actual)
    if isinstance(desired, (list, tuple)) and isinstance(actual, str):
        return ','.join(str(d) for d in desired) == actual
    if isinstance(desired, str) and isinstance(actual, list):
        return desired == ','.join(str(a) for a in actual)
    if isinstance(desired, str) and isinstance(actual, str):
        return desired == actual  # "1.10" is not "1.1" (package_version), whatever numbers they look like
    number = _as_number(desired)
    if number is not None and not isinstance(desired, (list, dict)):
        return _as_number(actual) is not None and float(number) == float(_as_number(actual))
    if isinstance(desired, dict) and isinstance(actual, dict):
        return all(same_value(k, v, actual.get(k)) for k, v in desired.items()) and \
            all(k in desired for k in actual)
    if isinstance(desired, list) and isinstance(actual, list):
        return len(desired) == len(actual) and all(same_value(name, d, a) for d, a in zip(desired, actual))
    return desired == actual


# ---------------------------------------------------------------------------------------------
# OCCI rendering of a vmadm object
# ---------------------------------------------------------------------------------------------

def vm_memory_mib(vm):
    return vm.get('ram') if vm.get('brand') in HVM_BRANDS else vm.get('max_physical_memory')


def vm_cores(vm):
    if vm.get('brand') in HVM_BRANDS:
        return vm.get('vcpus')
    cap = vm.get('cpu_cap')
    if not cap:
        return None
    return -(-int(cap) // 100)  # a cap of 150 (1.5 CPUs) needs 2 cores


def occi_attributes(vm):
    """``{attribute name: value}`` of the OCCI compute attributes of a vmadm object."""
    memory = vm_memory_mib(vm)
    return dict((k, v) for k, v in (
        ('occi.compute.architecture', 'x64'),
        ('occi.compute.cores', vm_cores(vm)),
        ('occi.compute.hostname', vm.get('hostname')),
        ('occi.compute.share', vm.get('cpu_shares')),
        ('occi.compute.memory', round(float(memory) / MIB_PER_GIB, 6) if memory is not None else None),
        ('occi.compute.state', occi_state(vm)),
        ('occi.compute.state.message', vm.get('state')),
    ) if v is not None)


def _image_uuid(vm):
    if vm.get('image_uuid'):
        return vm['image_uuid']
    for disk in vm.get('disks') or []:
        if disk.get('image_uuid'):
            return disk['image_uuid']
    return None


def _nic_links(vm, running):
    links = []
    for nic in vm.get('nics') or []:
        interface = nic.get('interface') or 'net%d' % len(links)
        attributes = {'occi.networkinterface.interface': interface, 'occi.networkinterface.mac': nic.get('mac'),
                      'occi.networkinterface.state': 'active' if running else 'inactive'}
        mixins = []
        ips = nic.get('ips') or ([nic['ip']] if nic.get('ip') else [])
        static = [ip for ip in ips if ip not in ('dhcp', 'addrconf')]
        if static:
            mixins.append(IPNETWORKINTERFACE)
            attributes['occi.networkinterface.address'] = static[0].split('/')[0]
            attributes['occi.networkinterface.allocation'] = 'static'
            gateways = nic.get('gateways') or ([nic['gateway']] if nic.get('gateway') else [])
            if gateways:
                attributes['occi.networkinterface.gateway'] = gateways[0]
        target = '/network/%s' % nic.get('nic_tag', 'unknown')
        if nic.get('vlan_id'):
            target += '.%s' % nic['vlan_id']
        links.append(Link(NETWORKINTERFACE, '/link/networkinterface/%s_%s' % (vm.get('uuid'), interface),
                          target=target, target_kind='http://schemas.ogf.org/occi/infrastructure#network',
                          attributes=attributes, mixins=mixins))
    return links


#: The device paths of a zvol: ``/dev/zvol/rdsk/<dataset>`` (raw, what vmadm stores as a disk's ``path``)
#: and ``/dev/zvol/dsk/<dataset>`` (block); reference smartos_vmadm.md §4.5.
ZVOL_DEVICE_PREFIXES = ('/dev/zvol/rdsk/', '/dev/zvol/dsk/')


def disk_dataset(vm, index, disk):
    """The ZFS volume behind a VM's disk.

    vmadm's own zvols carry ``zfs_filesystem``; a disk added with ``nocreate`` (an existing zvol, as
    ``link kind: storagelink`` attaches one) has none, only its ``path`` ``/dev/zvol/rdsk/<dataset>``
    (reference smartos_vmadm.md §4.5: nocreate disks get no zvol of their own), so the dataset is taken
    from the path. Without either, vmadm's naming (``<zfs_filesystem>/disk<N>``) is the best guess.
    """
    if disk.get('zfs_filesystem'):
        return disk['zfs_filesystem']
    path = disk.get('path') or ''
    for prefix in ZVOL_DEVICE_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix):]
    return '%s/disk%d' % (vm.get('zfs_filesystem') or 'zones/%s' % vm.get('uuid'), index)


def filesystem_dataset(entry, mountpoints=None):
    """The dataset a zone's ``filesystems`` entry mounts.

    A ``zfs`` entry names it as its ``source``. A ``lofs`` entry's source is a path of the global zone:
    the dataset mounted exactly there when ``mountpoints`` (``{mountpoint: dataset}``, see
    :func:`filesystem_mountpoints`) knows it, else the path read as a default mountpoint (``/<dataset>``,
    what ``link kind: storagelink`` mounts for a dataset with zfs's default mountpoint).
    """
    source = entry.get('source') or ''
    if entry.get('type') == 'zfs':
        return source.strip('/')
    if mountpoints and source.rstrip('/') in mountpoints:
        return mountpoints[source.rstrip('/')]
    return source.strip('/')


def filesystem_mountpoints(zfs):
    """``{mountpoint: dataset}`` of every mounted filesystem: ONE ``zfs list -H -p -o name,mountpoint,mounted``."""
    found = {}
    for row in zfs.list(['name', 'mountpoint', 'mounted'], types=['filesystem']):
        mountpoint = row.get('mountpoint') or ''
        if mountpoint.startswith('/') and (row.get('mounted') == 'yes' or mountpoint not in found):
            found[mountpoint.rstrip('/') or '/'] = row['name']
    return found


def lofs_mountpoints(vms, zfs):
    """:func:`filesystem_mountpoints` when a zone of ``vms`` has a lofs mount (else None, no command)."""
    if any(entry.get('type', 'lofs') == 'lofs' and entry.get('source')
           for vm in vms for entry in vm.get('filesystems') or []):
        return filesystem_mountpoints(zfs)
    return None


def filesystem_link_id(uuid, mountpoint):
    """``<uuid>_<mountpoint with / as _>``: the id of a zone's lofs storagelink (as the link module names it)."""
    return '%s_%s' % (uuid, (mountpoint or '').strip('/').replace('/', '_') or 'root')


def storage_link(vm, kind, entry, dataset, index=None):
    """The OCCI StorageLink (a :class:`Link` whose source is the VM) of a disk (``kind`` ``disk``, its
    ``index`` in ``disks``) or a ``filesystems`` entry (``kind`` ``filesystem``) on ``dataset``."""
    attributes = {'occi.storagelink.state': 'active' if occi_state(vm) == 'active' else 'inactive'}
    if kind == 'disk':
        link_id = '%s_disk%d' % (vm.get('uuid'), index)
        attributes['occi.storagelink.deviceid'] = entry.get('path') or 'disk%d' % index
    else:
        link_id = filesystem_link_id(vm.get('uuid'), entry.get('target'))
        attributes['occi.storagelink.deviceid'] = entry.get('target')
        attributes['occi.storagelink.mountpoint'] = entry.get('target')
    return Link(STORAGELINK, '/link/storagelink/%s' % link_id, source='/compute/%s' % vm.get('uuid'),
                source_kind=COMPUTE.type_id, target='/storage/%s' % dataset, target_kind=STORAGE.type_id,
                attributes=attributes)


def _disk_links(vm, running=None):  # pylint: disable=unused-argument
    """StorageLinks of a VM's disks (cdroms are no storage); ``running`` is kept for old callers."""
    return [storage_link(vm, 'disk', disk, disk_dataset(vm, index, disk), index)
            for index, disk in enumerate(vm.get('disks') or []) if disk.get('media') != 'cdrom']


def _filesystem_links(vm, mountpoints=None):
    """StorageLinks of a zone's ``filesystems`` (lofs mounts, zfs datasets)."""
    return [storage_link(vm, 'filesystem', entry, filesystem_dataset(entry, mountpoints))
            for entry in vm.get('filesystems') or [] if entry.get('target')]


def links_of(vm, mountpoints=None, kind=None):
    """Every OCCI link of a VM as :class:`Link` objects: NICs (networkinterface), then disks and
    ``filesystems`` (storagelink); ``kind`` keeps only ``networkinterface`` or ``storagelink``."""
    links = []
    if kind in (None, 'networkinterface'):
        links += _nic_links(vm, occi_state(vm) == 'active')
        for link in links:
            link.source, link.source_kind = '/compute/%s' % vm.get('uuid'), COMPUTE.type_id
    if kind in (None, 'storagelink'):
        links += _disk_links(vm) + _filesystem_links(vm, mountpoints)
    return links


def render_links(vm, mountpoints=None, kind=None):
    """:func:`links_of` as OCCI JSON dicts."""
    return [link.to_json() for link in links_of(vm, mountpoints, kind)]


def to_resource(vm, secret_keys=(), mountpoints=None):
    """The OCCI Resource of a vmadm object (``secret_keys``: customer_metadata keys to mask;
    ``mountpoints``: see :func:`filesystem_dataset`)."""
    attributes = occi_attributes(vm)
    mixins = [SMARTOS_VM]
    attributes['smartos.vm.brand'] = vm.get('brand')
    attributes['smartos.vm.state'] = vm.get('state')
    attributes['smartos.vm.autoboot'] = vm.get('autoboot')
    attributes['smartos.vm.quota'] = vm.get('quota')
    image = _image_uuid(vm)
    internal = vm.get('internal_metadata') or {}
    if image:
        attributes['smartos.vm.image_uuid'] = image
        manifest = {'uuid': image}
        name, _at, version = str(internal.get(META_IMAGE) or '').partition('@')
        if name and version:
            manifest.update(name=name, version=version)
        mixins.append(os_tpl_mixin(manifest))
    template = internal.get(META_RESOURCE_TPL)
    if template and re.match(r'^[A-Za-z0-9][A-Za-z0-9_.\-]*$', template):
        mixins.append(resource_template(RESOURCE_TPL_SCHEME, template))
    metadata = vm.get('customer_metadata') or {}
    if isinstance(metadata.get('root_authorized_keys'), str):
        mixins.append(SSH_KEY)
        attributes['occi.credentials.ssh.publickey'] = metadata['root_authorized_keys']
    if isinstance(metadata.get('user-data'), str):
        mixins.append(USER_DATA)
        attributes['occi.compute.userdata'] = NO_LOG_MASK if 'user-data' in secret_keys else metadata['user-data']
    uuid = vm.get('uuid')
    location = '/compute/%s' % (uuid or 'new')
    links = links_of(vm, mountpoints)
    for link in links:
        link.source = location
    return Resource(COMPUTE, 'urn:uuid:%s' % uuid if uuid else 'urn:smartstack:compute:new', title=vm.get('alias'),
                    attributes=attributes, mixins=mixins, links=links, location=location)


def render(vm, secret_keys=(), mountpoints=None):
    """``resource`` as the modules return it: the OCCI JSON rendering (a dict)."""
    return to_resource(vm, secret_keys, mountpoints).to_json()


def mask_vm(vm, secret_keys):
    """A copy of ``vm`` whose customer_metadata values of ``secret_keys`` are masked."""
    if not secret_keys or not vm:
        return vm
    vm = copy.deepcopy(vm)
    metadata = vm.get('customer_metadata') or {}
    for key in secret_keys:
        if key in metadata:
            metadata[key] = NO_LOG_MASK
    return vm


def summary(vm, secret_keys=(), keys=()):
    """The attributes ``--diff`` shows: OCCI names plus the raw properties in ``keys``."""
    if vm is None:
        return {}
    result = {
        'id': vm.get('uuid'), 'title': vm.get('alias'), 'hostname': vm.get('hostname'), 'cores': vm_cores(vm),
        'memory': occi_attributes(vm).get('occi.compute.memory'), 'share': vm.get('cpu_shares'),
        'state': occi_state(vm), 'brand': vm.get('brand'), 'os_tpl': _image_uuid(vm),
        'tags': vm.get('tags') or {},
        'customer_metadata': mask_vm(vm, secret_keys).get('customer_metadata') or {},
    }
    properties = dict((k, vm.get(k)) for k in sorted(keys) if k not in ('customer_metadata', 'tags'))
    if properties:
        result['properties'] = properties
    return result


# ---------------------------------------------------------------------------------------------
# Resource templates
# ---------------------------------------------------------------------------------------------

TEMPLATE_KEYS = ('cores', 'memory', 'share', 'architecture', 'properties')


def load_templates(path):
    """Resource templates from a JSON file on the managed host (``{}`` when it does not exist)."""
    if not path or not os.path.exists(path):
        return {}
    try:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ResourceError('cannot read resource templates from %s: %s' % (path, exc))
    if not isinstance(data, dict):
        raise ResourceError('resource templates file %s must hold a JSON object of name -> size, got %s'
                            % (path, type(data).__name__))
    return data


def find_template(name, templates, path):
    """The size ``name`` from the ``templates`` option, else from the file at ``path``."""
    template = (templates or {}).get(name)
    source = 'resource_templates'
    if template is None:
        template = load_templates(path).get(name)
        source = path
    if template is None:
        known = sorted(set(templates or {}) | set(load_templates(path)))
        raise ResourceError('unknown resource_tpl %r: neither resource_templates nor %s defines it (known: %s)'
                            % (name, path, ', '.join(known) or 'none'))
    if not isinstance(template, dict):
        raise ResourceError('resource template %r (%s) must be a mapping of %s' % (name, source, ', '.join(TEMPLATE_KEYS)))
    unknown = sorted(set(template) - set(TEMPLATE_KEYS))
    if unknown:
        raise ResourceError('resource template %r (%s) has unknown keys %s (known: %s)'
                            % (name, source, ', '.join(unknown), ', '.join(TEMPLATE_KEYS)))
    return template


# ---------------------------------------------------------------------------------------------
# The resource class
# ---------------------------------------------------------------------------------------------

class Compute(object):
    """One compute resource (zone or VM) for the ``compute`` module; see the module docstring.

    ``params`` are the module's options (``module.params``).
    """

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.vmadm = Vmadm(self.runner)
        self.imgadm = Imgadm(self.runner)
        self.sysinfo = Sysinfo(self.runner)
        self.secret_keys = sorted((self.params.get('secret_metadata') or {}).keys())
        self.warnings = []
        self.restart_needed = False
        self.new_uuid = None
        self.predicted = None
        self.desired_state = None
        self._image = None
        self._optimistic = None
        self._create_step = None
        #: where the GZ-wide creation lock lives (tests point it into a simulated GZ)
        self.lock_dir = LOCK_DIR

    # -- 1. read ------------------------------------------------------------------------------

    def identity_filter(self):
        vm_id, title = self.params.get('id'), self.params.get('title')
        if vm_id:
            vm_id = vm_id.lower()
            if vm_id.startswith('urn:uuid:'):
                vm_id = vm_id[len('urn:uuid:'):]
            if not UUID_RE.match(vm_id):
                raise ResourceError('id must be a VM uuid (or urn:uuid:<uuid>), got %r' % self.params.get('id'))
            self.params['id'] = vm_id
            return {'uuid': vm_id}
        if not title:
            raise ResourceError('one of id or title is required to identify the VM')
        if title.startswith('~'):
            # vmadm lookup reads alias=~x as a regular expression (reference §2.4)
            raise ResourceError('a title may not start with "~" (vmadm lookup would take it for a regular expression)')
        return {'alias': title}

    def read(self):
        """The VM (its full vmadm object) or None: ONE ``vmadm lookup -j``; several matches refuse."""
        found = self.vmadm.lookup(self.identity_filter())
        if len(found) > 1:
            raise ResourceError('title %r matches %d VMs (%s): nothing was done; give the id (uuid) of the one to manage'
                                % (self.params.get('title'), len(found), ', '.join(sorted(v.get('uuid', '?') for v in found))),
                                matches=sorted(v.get('uuid') for v in found))
        return found[0] if found else None

    # -- 2. plan ------------------------------------------------------------------------------

    def plan(self, actual):
        params = self.params
        state = params.get('state') or 'present'
        if state == 'suspended' or params.get('action') == 'suspend':
            raise ResourceError('SmartOS cannot suspend a VM: vmadm has no suspend or pause command (only start, stop '
                                'and reboot), so the OCCI state "suspended" is not available; use inactive (stop) instead')
        if params.get('action') and state not in ('present',):
            raise ResourceError('action %s cannot be combined with state %s (use state present, the default)'
                                % (params['action'], state))
        self._check_method(state)
        plan = Plan()
        keys = set(params.get('properties') or {})
        plan.before = summary(actual, self.secret_keys, keys) if actual else {}
        if state == 'absent':
            return self._plan_absent(plan, actual)
        if actual is None:
            if params.get('action') in ('stop', 'restart'):
                raise ResourceError('VM %s does not exist: cannot %s it' % (params.get('id') or params.get('title'),
                                                                            params['action']))
            self._plan_create(plan, state)
        else:
            self._plan_update(plan, actual, state)
        plan.after = summary(self.predicted, self.secret_keys, keys) if self.predicted else {}
        return plan

    def _check_method(self, state):
        """The OCCI stop/restart ``method`` must be one the action defines (infrastructure STOP/RESTART)."""
        method = self.params.get('method')
        action = self.params.get('action') or {'inactive': 'stop', 'restarted': 'restart'}.get(state)
        if not method or action not in ('stop', 'restart'):
            return
        try:
            COMPUTE.action(action).validate_parameters({'method': method})
        except OCCIError as exc:
            raise ResourceError('method %s does not apply to %s: %s' % (method, action, exc))

    def _plan_absent(self, plan, actual):
        if actual is not None:
            uuid = actual['uuid']
            if actual.get('indestructible_zoneroot') or actual.get('indestructible_delegated'):
                raise ResourceError('VM %s is indestructible (indestructible_zoneroot/indestructible_delegated): set it to '
                                    'false with properties first; nothing was done' % uuid)
            plan.add('delete VM %s (%s)' % (uuid, actual.get('alias') or 'no alias'), lambda: self.vmadm.delete(uuid))
        self.predicted = None
        return plan

    # desired vmadm properties ------------------------------------------------------------

    def _template(self):
        name = self.params.get('resource_tpl')
        if not name:
            return {}
        return find_template(name, self.params.get('resource_templates'),
                             self.params.get('resource_templates_file') or DEFAULT_TEMPLATES_FILE)

    def desired_properties(self, brand):
        """The vmadm properties the options ask for a VM of ``brand``, without the create-only image.

        Explicit options win over the resource template; an OCCI option and the same raw
        property with a different value is an error.
        """
        params = self.params
        template = self._template()
        properties = dict(template.get('properties') or {})
        properties.update(params.get('properties') or {})
        for key in properties:
            if key in READ_ONLY:
                raise ResourceError('properties.%s is read-only in vmadm (it is never accepted by create or update)' % key)
            if key.startswith(('set_', 'remove_', 'add_', 'update_')):
                raise ResourceError('properties.%s is an update operation, not a property: give the property itself '
                                    '(tags and customer_metadata have their own options; NICs and disks are links)' % key)
            if key not in _PROPS:
                raise ResourceError('properties.%s is not a vmadm property (vmadm would silently drop it and the task '
                                    'would never converge)' % key)
        if 'nics' in properties or 'disks' in properties:
            raise ResourceError('give NICs and disks with the nics and disks options, not in properties')
        if params.get('state') in ('active', 'inactive') and 'autoboot' in properties:
            raise ResourceError('properties.autoboot cannot be combined with state %s: vmadm start sets autoboot '
                                'true and vmadm stop sets it false' % params['state'])

        occi = {}
        for option in ('cores', 'memory', 'share', 'architecture'):
            value = params.get(option)
            if value is None:
                value = template.get(option)
            occi[option] = value
        if occi['architecture'] not in (None, 'x64'):
            raise ResourceError('architecture %s is not available: SmartOS runs on x86-64 only and every zone or VM is '
                                'x64' % occi['architecture'])
        if params.get('title') is not None:
            self._merge(properties, 'alias', params['title'], 'title')
        if params.get('hostname') is not None:
            self._merge(properties, 'hostname', params['hostname'], 'hostname')
        if occi['share'] is not None:
            if int(occi['share']) < 0:
                raise ResourceError('share must be 0 or more, got %s' % occi['share'])
            self._merge(properties, 'cpu_shares', int(occi['share']), 'share')
        if occi['cores'] is not None:
            cores = occi['cores']
            if not isinstance(cores, int) or isinstance(cores, bool) or cores < 1:
                raise ResourceError('cores must be a whole number of 1 or more, got %r' % (cores,))
            if is_hvm(brand):
                self._merge(properties, 'vcpus', cores, 'cores')
            else:
                self._merge(properties, 'cpu_cap', 100 * cores, 'cores')
        if occi['memory'] is not None:
            try:
                memory = float(occi['memory'])
            except (TypeError, ValueError):
                raise ResourceError('memory must be a number of GiB, got %r' % (occi['memory'],))
            mib = int(round(memory * MIB_PER_GIB))
            if mib <= 0:
                raise ResourceError('memory must be more than 0 GiB, got %s' % occi['memory'])
            self._merge(properties, 'ram' if is_hvm(brand) else 'max_physical_memory', mib, 'memory')
        for key, option in (('tags', 'tags'), ('customer_metadata', 'customer_metadata')):
            merged = dict(properties.get(key) or {})
            merged.update(params.get(option) or {})
            if key == 'customer_metadata':
                merged.update(params.get('secret_metadata') or {})
            if merged:
                properties[key] = merged
            else:
                properties.pop(key, None)
        if params.get('resource_tpl'):
            internal = dict(properties.get('internal_metadata') or {})
            internal[META_RESOURCE_TPL] = params['resource_tpl']
            properties['internal_metadata'] = internal
        self._check_memory(properties, brand)
        return properties

    @staticmethod
    def _merge(properties, name, value, option):
        if name in properties and not same_value(name, value, properties[name]):
            raise ResourceError('%s (%r) and properties.%s (%r) disagree: give one of them'
                                % (option, value, name, properties[name]))
        properties[name] = value

    @staticmethod
    def _check_memory(properties, brand):
        """vmadm raises or clamps some memory values (reference §4.3, VM.js fixPayloadMemory):
        a value it would change is refused here, since the next run would find it changed."""
        def num(name):
            value = properties.get(name)
            return _as_number(value) if value is not None else None
        phys, swap, locked, tmpfs, ram = (num(n) for n in ('max_physical_memory', 'max_swap', 'max_locked_memory',
                                                           'tmpfs', 'ram'))
        if swap is not None and swap < 256:
            raise ResourceError('properties.max_swap %s is below vmadm\'s minimum of 256 MiB' % swap)
        if phys is not None:
            if swap is not None and swap < phys:
                raise ResourceError('properties.max_swap (%s MiB) is below the memory (%s MiB): vmadm would raise it'
                                    % (swap, phys))
            if locked is not None and locked > phys:
                raise ResourceError('properties.max_locked_memory (%s MiB) is above the memory (%s MiB): vmadm would '
                                    'lower it' % (locked, phys))
            if tmpfs is not None and tmpfs > phys and not is_hvm(brand):
                raise ResourceError('properties.tmpfs (%s MiB) is above the memory (%s MiB): vmadm would lower it'
                                    % (tmpfs, phys))
        if is_hvm(brand) and ram is not None and phys is not None and phys < ram + 256:
            raise ResourceError('properties.max_physical_memory (%s MiB) must be at least ram + 256 MiB (%s) for %s'
                                % (phys, ram + 256, brand))

    def _check_cores(self, properties, brand):
        """Refuse more cores than the host has (sysinfo ``CPU Total Cores``): one read, only when setting cores."""
        if is_hvm(brand):
            cores = properties.get('vcpus')
        else:
            cap = properties.get('cpu_cap')
            cores = -(-int(cap) // 100) if cap else None
        if cores is None:
            return
        total = self.sysinfo.total_cpus()
        if total is not None and int(cores) > total:
            raise ResourceError('cores %s is more than this host has: sysinfo reports %d CPUs (CPU Total Cores); '
                                'nothing was done' % (cores, total))

    def _check_brand(self, properties, brand):
        for key in sorted(properties):
            brands = _PROPS[key][0]
            if brand not in brands:
                raise ResourceError('properties.%s does not apply to brand %s (vmadm takes it for %s only, and would '
                                    'silently drop it)' % (key, brand, ', '.join(b for b in brands if b != 'builder')))

    # -- create -------------------------------------------------------------------------------

    def _resolve_image(self):
        ref = self.params.get('os_tpl')
        if not ref:
            return None
        if self._image is None:
            # resolved without importing: the import is a step of the plan, after every check passed
            self._image = resolve_os_tpl(self.imgadm, ref, import_missing=True, check_mode=True)
        return self._image[0]

    @staticmethod
    def _brand_for_image(manifest):
        requirements = manifest.get('requirements') or {}
        if requirements.get('brand') in BRANDS:
            return requirements['brand']
        return {'lx-dataset': 'lx', 'zvol': 'bhyve'}.get(manifest.get('type'), 'joyent')

    def _plan_create(self, plan, state, recreating=False):
        params = self.params
        ref = params.get('os_tpl')
        if ref and params.get('brand') and UUID_RE.match(ref.lower()) and not self.module.check_mode and not recreating:
            # An image named by uuid for a given brand: vmadm create checks it is installed (and
            # creates nothing when it is not: "Invalid value(s) for: image_uuid", reference §2.1
            # step 4), so the common case costs no imgadm read; _create imports and retries.
            manifest = {'uuid': ref.lower()}
            self._optimistic = plan
        else:
            manifest = self._resolve_image()
        brand = params.get('brand') or (self._brand_for_image(manifest) if manifest else 'joyent')
        if brand not in BRANDS:
            raise ResourceError('unknown brand %r (SmartOS brands: %s)' % (brand, ', '.join(BRANDS)))
        payload = self.desired_properties(brand)
        self._check_brand(payload, brand)
        payload['brand'] = brand
        if params.get('id'):
            payload['uuid'] = params['id']
        if state == 'active':
            payload['autoboot'] = True
        elif state == 'inactive':
            payload['autoboot'] = False
        nics = copy.deepcopy(params.get('nics') or [])
        disks = copy.deepcopy(params.get('disks') or [])
        image_uuid = (params.get('properties') or {}).get('image_uuid')
        if manifest is not None and image_uuid and image_uuid != manifest['uuid']:
            raise ResourceError('os_tpl %s is image %s, properties.image_uuid says %s: give one of them'
                                % (params['os_tpl'], manifest['uuid'], image_uuid))
        if is_hvm(brand):
            payload.pop('image_uuid', None)
            for nic in nics:
                if 'model' not in nic and 'nic_driver' not in payload:
                    nic['model'] = 'virtio'
            if manifest is not None:
                boot = [d for d in disks if d.get('boot')] or [d for d in disks if d.get('media', 'disk') == 'disk']
                if boot and not boot[0].get('image_uuid') and not boot[0].get('size'):
                    boot[0]['image_uuid'] = manifest['uuid']
                    boot[0].setdefault('boot', True)
                elif not any(d.get('image_uuid') for d in disks):
                    disks.insert(0, {'image_uuid': manifest['uuid'], 'boot': True})
            for disk in disks:
                if 'model' not in disk and 'disk_driver' not in payload:
                    disk['model'] = 'virtio'
            if disks:
                payload['disks'] = disks
        else:
            if disks:
                raise ResourceError('disks are for bhyve and kvm VMs; a %s zone has no disks (give quota in properties)'
                                    % brand)
            if manifest is not None:
                payload['image_uuid'] = manifest['uuid']
        if nics:
            payload['nics'] = nics
        if manifest is not None:
            internal = dict(payload.get('internal_metadata') or {})
            internal[META_OS_TPL] = params['os_tpl']
            if manifest.get('name'):
                internal[META_IMAGE] = '%s@%s' % (manifest['name'], manifest.get('version'))
            payload['internal_metadata'] = internal
        for name in FLAT_OBJECTS:
            values = payload.get(name)
            if values is not None:
                payload[name] = dict((k, v) for k, v in values.items() if v is not None)
        self._check_cores(payload, brand)
        self.desired_state = 'active' if payload.get('autoboot', True) else 'inactive'
        self.predicted = self._predict_create(payload, brand)
        if params.get('action') == 'stop' and self.desired_state == 'active':
            raise ResourceError('action stop on a VM this task creates: use state inactive to create it stopped')
        description = 'create %s VM %s' % (brand, params.get('title') or params.get('id'))
        if manifest is not None:
            description += ' from image %s' % manifest['uuid']
            if manifest.get('name'):
                description += ' (%s@%s)' % (manifest['name'], manifest.get('version'))
            if self._image is not None and self._image[1]:
                image = manifest['uuid']
                plan.add('import image %s (%s@%s)' % (image, manifest.get('name'), manifest.get('version')),
                         lambda: self.imgadm.import_image(image))
        plan.add(description, lambda: self._create(payload), payload=payload)
        self._create_step = plan.steps[-1]
        return plan

    def _create(self, payload):
        """``vmadm create`` under the GZ-wide creation lock, after looking for the VM again.

        The read (outside the lock) decided that the VM does not exist; another task (another play,
        another controller) may have created it since. Under :func:`..smartos.gzlock.gz_lock` ONE more
        ``vmadm lookup`` with the same filter decides: still missing -> create; there now -> this task
        creates nothing and converges that VM as if the read had found it.
        """
        try:
            with gz_lock(CREATE_LOCK, self.lock_dir):
                found = self.vmadm.lookup(self.identity_filter())
                if found:
                    self._converge_instead(found)
                    return
                self._create_unlocked(payload)
        except GZLockError as exc:
            raise ResourceError(exc.message)

    def _converge_instead(self, found):
        if len(found) > 1:
            raise ResourceError('title %r matches %d VMs (%s) created by other tasks while this one waited: nothing was '
                                'created; give the id (uuid) of the one to manage'
                                % (self.params.get('title'), len(found), ', '.join(sorted(v.get('uuid', '?') for v in found))),
                                matches=sorted(v.get('uuid') for v in found))
        vm = found[0]
        step = self._create_step
        self._optimistic = None
        recreate = self.params.get('recreate')
        self.params['recreate'] = False  # never delete the VM another task just created (nor take this lock again)
        try:
            replan = self.plan(vm)
        finally:
            self.params['recreate'] = recreate
        replan.apply()
        self.new_uuid = None
        done = '; '.join(replan.describe()) or 'it needed no change'
        step.description = ('did not create VM %s: another task created it (%s) while this one waited for the GZ lock; '
                            'converged that one instead: %s' % (self.params.get('title') or self.params.get('id'),
                                                                vm.get('uuid'), done))

    def _create_unlocked(self, payload):
        try:
            self.new_uuid = self.vmadm.create(payload)
        except SmartOSCommandError as exc:
            if self._optimistic is None or 'image_uuid' not in exc.message:
                raise
            # the image is not installed: resolve it (ResourceError when no source has it; nothing
            # was created), import it, create again
            manifest, imported = resolve_os_tpl(self.imgadm, self.params['os_tpl'], import_missing=True, check_mode=True)
            if not imported:
                raise
            self._image = (manifest, imported)
            self.imgadm.import_image(manifest['uuid'])
            self._optimistic.add('import image %s (%s@%s): vmadm create found it missing'
                                 % (manifest['uuid'], manifest.get('name'), manifest.get('version')), lambda: None)
            self.new_uuid = self.vmadm.create(payload)
        if self.predicted is not None:
            self.predicted['uuid'] = self.new_uuid

    @staticmethod
    def _predict_create(payload, brand):
        vm = copy.deepcopy(payload)
        vm['brand'] = brand
        vm['state'] = 'running' if vm.get('autoboot', True) else 'stopped'
        vm.setdefault('tags', {})
        vm.setdefault('customer_metadata', {})
        return vm

    # -- update -------------------------------------------------------------------------------

    def _plan_update(self, plan, actual, state):
        params = self.params
        uuid = actual['uuid']
        brand = actual.get('brand')
        if params.get('brand') and params['brand'] != brand:
            return self._recreate_or_refuse(plan, actual, state, ['brand (%s -> %s)' % (brand, params['brand'])])
        desired = self.desired_properties(brand)
        self._check_brand(desired, brand)
        create_only = self._create_only_changes(actual, desired)
        if create_only:
            return self._recreate_or_refuse(plan, actual, state, create_only)
        payload = {}
        changed = []
        for name in sorted(desired):
            value = desired[name]
            if name in FLAT_OBJECTS:
                current = actual.get(name) or {}
                sets = dict((k, v) for k, v in value.items() if v is not None and not same_value(k, v, current.get(k)))
                removes = sorted(k for k, v in value.items() if v is None and k in current)
                if sets:
                    payload['set_' + name] = sets
                if removes:
                    payload['remove_' + name] = removes
                if sets or removes:
                    changed.append(name)
            elif not same_value(name, value, actual.get(name)):
                payload[name] = value
                changed.append(name)
        if params.get('os_tpl') and (actual.get('internal_metadata') or {}).get(META_OS_TPL) != params['os_tpl'] \
                and payload:
            # remember how the VM was made while writing anyway (keeps the next run at one command)
            payload.setdefault('set_internal_metadata', {})[META_OS_TPL] = params['os_tpl']
        if 'vcpus' in payload or 'cpu_cap' in payload:
            self._check_cores(payload, brand)
        predicted = self._predict_update(actual, payload)
        running = actual.get('state') == 'running'
        transitions = self._transitions(actual, state)
        stop_first = transitions and transitions[0][0] == 'stop'
        if stop_first:
            self._add_transitions(plan, uuid, brand, transitions)
        if payload:
            plan.add('update VM %s: %s' % (uuid, ', '.join(changed) or 'internal metadata'),
                     lambda: self.vmadm.update(uuid, payload), payload=payload)
        needs_boot = sorted(n for n in changed if n in NEXT_BOOT)
        if not stop_first:
            self._add_transitions(plan, uuid, brand, transitions)
        booted = any(t[0] in ('start', 'restart') for t in transitions)
        if needs_boot and running and not stop_first and not booted:
            if params.get('restart_for_changes'):
                self._add_transitions(plan, uuid, brand, [('restart', 'restart VM %s: %s take effect at boot'
                                                           % (uuid, ', '.join(needs_boot)))])
            else:
                self.restart_needed = True
                self.warnings.append('VM %s is running: %s take effect when it boots again (restart it, or set '
                                     'restart_for_changes: true)' % (uuid, ', '.join(needs_boot)))
        for name, _description in transitions or []:
            if name == 'stop':
                predicted['state'] = 'stopped'
            elif name in ('start', 'restart'):
                predicted['state'] = 'running'
        self.predicted = predicted
        return plan

    def _create_only_changes(self, actual, desired):
        changes = []
        for name in sorted(desired):
            if name in CREATE_ONLY and name not in FLAT_OBJECTS and not same_value(name, desired[name], actual.get(name)):
                changes.append('%s (%r -> %r)' % (name, actual.get(name), desired[name]))
        ref = self.params.get('os_tpl')
        if ref:
            current = _image_uuid(actual)
            recorded = (actual.get('internal_metadata') or {}).get(META_OS_TPL)
            if UUID_RE.match(ref.lower()):
                if current != ref.lower():
                    changes.append('os_tpl (image %s -> %s)' % (current, ref))
            elif recorded != ref:
                # given by name: resolve only when the VM does not record this very reference
                manifest = self._resolve_image()
                if manifest is not None and manifest.get('uuid') != current:
                    changes.append('os_tpl (image %s -> %s, %s)' % (current, manifest.get('uuid'), ref))
        if self.params.get('nics') or self.params.get('disks'):
            self.warnings.append('nics and disks are only used when the VM is created; VM %s exists, so they were not '
                                 'compared (manage its NICs and disks as links)' % actual.get('uuid'))
        return changes

    def _recreate_or_refuse(self, plan, actual, state, changes):
        uuid = actual['uuid']
        if not self.params.get('recreate'):
            raise ResourceError('VM %s: %s can only be set when a VM is created; nothing was done (set recreate: true '
                                'to delete the VM and create it anew, losing its data)' % (uuid, '; '.join(changes)),
                                create_only=changes)
        if actual.get('indestructible_zoneroot') or actual.get('indestructible_delegated'):
            raise ResourceError('VM %s is indestructible: it cannot be recreated; nothing was done' % uuid)
        if not self.params.get('id'):
            self.params['id'] = uuid  # the new VM keeps the uuid
        plan.add('delete VM %s to recreate it (%s)' % (uuid, '; '.join(changes)), lambda: self.vmadm.delete(uuid))
        return self._plan_create(plan, state, recreating=True)

    @staticmethod
    def _predict_update(actual, payload):
        vm = copy.deepcopy(actual)
        for key, value in payload.items():
            if key.startswith('set_'):
                vm.setdefault(key[4:], {}).update(value)
            elif key.startswith('remove_'):
                for item in value:
                    vm.setdefault(key[7:], {}).pop(item, None)
            elif value in (None, ''):
                vm.pop(key, None)
            else:
                vm[key] = value
        return vm

    # -- state transitions --------------------------------------------------------------------

    def _transitions(self, actual, state):
        """``[(verb, description)]`` that bring the VM to ``state`` / perform ``action``."""
        uuid = actual['uuid']
        current = occi_state(actual)
        running = actual.get('state') == 'running'
        action = self.params.get('action')
        if action:
            if action == 'start' and running or action == 'stop' and not running:
                return []
            try:
                COMPUTE.transition(current, action)
            except OCCIError as exc:
                raise ResourceError('VM %s is %s (vmadm: %s): %s' % (uuid, current, actual.get('state'), exc))
            return [(action, '%s VM %s' % (action, uuid))]
        if state == 'active' and not running:
            return [('start', 'start VM %s' % uuid)]
        if state == 'inactive' and actual.get('state') not in ('stopped',):
            return [('stop', 'stop VM %s' % uuid)]
        if state == 'restarted':
            if running:
                return [('restart', 'restart VM %s' % uuid)]
            return [('start', 'start VM %s (restarted: it was not running)' % uuid)]
        return []

    def _add_transitions(self, plan, uuid, brand, transitions):
        method = self.params.get('method')
        timeout = self.params.get('timeout')
        for verb, description in transitions:
            if verb == 'start':
                plan.add(description, lambda: self.vmadm.start(uuid))
            elif verb == 'stop':
                force = method == 'poweroff'
                if timeout and not force and not is_hvm(brand):
                    raise ResourceError('timeout applies to graceful stops of bhyve and kvm VMs only (vmadm: "Timeout '
                                        'option is only supported for bhyve, KVM and docker containers"); this is a %s '
                                        'zone' % brand)
                if method == 'poweroff':
                    description += ' (forced: vmadm stop -F)'
                plan.add(description, lambda: self.vmadm.stop(uuid, force=force, timeout=timeout))
            elif verb == 'restart':
                force = method == 'cold'
                if force:
                    description += ' (forced: vmadm reboot -F)'
                plan.add(description, lambda: self.vmadm.reboot(uuid, force=force))

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        if self.params.get('state') == 'absent':
            vm = None if plan.changed or actual is None else actual
        elif plan.changed:
            vm = self.predicted
            if applied and self.new_uuid and vm is not None:
                vm['uuid'] = self.new_uuid
        else:
            vm = actual
        for warning in self.warnings:
            self.module.warn(warning)
        result = {
            'vm': mask_vm(vm, self.secret_keys),
            'resource': render(vm, self.secret_keys) if vm else None,
            'restart_needed': self.restart_needed,
            'commands': [list(c) for c in self.runner.commands],
        }
        if self._image is not None:
            result['image_imported'] = bool(self._image[1]) and applied
        return result


class ComputeInfo(object):
    """The ``compute_info`` query: one ``vmadm lookup -j`` with the filters."""

    #: OCCI option -> vmadm lookup key
    FILTERS = {'id': 'uuid', 'title': 'alias', 'hostname': 'hostname', 'brand': 'brand'}

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.vmadm = Vmadm(self.runner)

    def filters(self):
        filters = dict((str(k), v) for k, v in (self.params.get('filters') or {}).items())
        if '' in filters:
            raise ResourceError('filters: a lookup key may not be empty')
        for option, key in self.FILTERS.items():
            value = self.params.get(option)
            if value is None:
                continue
            if option == 'id' and value.lower().startswith('urn:uuid:'):
                value = value[len('urn:uuid:'):]
            if key in filters and str(filters[key]) != str(value):
                raise ResourceError('%s and filters.%s disagree' % (option, key))
            filters[key] = value
        state = self.params.get('state')
        if state == 'active':
            filters['state'] = 'running'
        elif state == 'inactive':
            filters['state'] = '~^(?!running$)'
        elif state == 'error':
            filters['state'] = 'failed'
        elif state == 'suspended':
            filters = None  # SmartOS has no suspended VMs
        return filters

    def query(self):
        filters = self.filters()
        if filters is None:
            return []
        # inactive is "state=~^(?!running$)": vmadm takes key=~<re> as a JS regular expression (reference §2.4)
        try:
            return self.vmadm.lookup(filters)
        except SmartOSCommandError as exc:
            if self.params.get('filters'):
                # vmadm judges the keys (e.g. 'Invalid lookup key: "a"'): say which option carried them
                raise ResourceError('filters: %s' % exc.message)
            raise

    def run(self):
        vms = self.query()
        mountpoints = lofs_mountpoints(vms, Zfs(self.runner))
        return {
            'vms': vms,
            'resources': [render(vm, mountpoints=mountpoints) for vm in vms],
            'commands': [list(c) for c in self.runner.commands],
        }


class LinkInfo(object):
    """The ``link_info`` query: every link of ONE compute, as OCCI links beside the raw vmadm entries.

    ONE ``vmadm lookup -j`` (``uuid=`` or ``alias=``) finds the VM; a zone with lofs ``filesystems``
    adds one ``zfs list`` of the mountpoints (:func:`lofs_mountpoints`) when storagelinks are asked for.
    """

    KINDS = ('networkinterface', 'storagelink')

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.vmadm = Vmadm(self.runner)

    def source_filter(self):
        source = (self.params.get('source') or '').strip()
        if not source:
            raise ResourceError('source is required: the compute (uuid, urn:uuid:<uuid>, /compute/<uuid> or alias)')
        for prefix in ('urn:uuid:', '/compute/'):
            if source.lower().startswith(prefix):
                uuid = source[len(prefix):].lower()
                if not UUID_RE.match(uuid):
                    raise ResourceError('source %r: %s must be followed by a VM uuid' % (source, prefix))
                return {'uuid': uuid}
        if UUID_RE.match(source.lower()):
            return {'uuid': source.lower()}
        if source.startswith('~'):
            # vmadm lookup reads alias=~x as a regular expression (reference smartos_vmadm.md §2.4)
            raise ResourceError('source %r: an alias may not start with "~" (vmadm lookup would take it for a regular '
                                'expression)' % source)
        return {'alias': source}

    def run(self):
        kind = self.params.get('kind')
        if kind not in (None,) + self.KINDS:
            raise ResourceError('kind must be one of %s, got %r' % (', '.join(self.KINDS), kind))
        filters = self.source_filter()
        found = self.vmadm.lookup(filters)
        source = self.params.get('source')
        if not found:
            raise ResourceError('source %s: no such VM on this global zone' % source)
        if len(found) > 1:
            raise ResourceError('source %s: %d VMs have that alias (%s); give the uuid'
                                % (source, len(found), ', '.join(sorted(v.get('uuid', '?') for v in found))),
                                matches=sorted(v.get('uuid') for v in found))
        vm = found[0]
        mountpoints = lofs_mountpoints([vm], Zfs(self.runner)) if kind in (None, 'storagelink') else None
        links = render_links(vm, mountpoints, kind)
        entries = []
        if kind in (None, 'networkinterface'):
            entries += [{'kind': 'networkinterface', 'nic': nic} for nic in vm.get('nics') or []]
        if kind in (None, 'storagelink'):
            entries += [{'kind': 'storagelink', 'disk': disk} for disk in vm.get('disks') or [] if disk.get('media') != 'cdrom']
            entries += [{'kind': 'storagelink', 'filesystem': entry} for entry in vm.get('filesystems') or [] if entry.get('target')]
        for link, entry in zip(links, entries):
            entry['id'] = link['id']
        return {
            'source': '/compute/%s' % vm.get('uuid'),
            'vm_uuid': vm.get('uuid'),
            'links': links,
            'entries': entries,
            'commands': [list(c) for c in self.runner.commands],
        }
