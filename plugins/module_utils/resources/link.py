# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI links: NetworkInterface <-> a VM's NICs (``vmadm update`` add_nics/update_nics/remove_nics),
StorageLink <-> a zone's lofs ``filesystems`` or a bhyve/kvm VM's disks (see :class:`StorageLink`).

Mapping (reference smartos_vmadm.md, occi_facts.md §2.5):

==================================  ============================================================
``occi.core.source``                ``/compute/<uuid>``: the VM (given by uuid, ``urn:uuid:``, location or alias)
``occi.core.target``                ``/network/<label>[.<vlan>]``: the NIC's ``nic_tag`` and ``vlan_id``
``occi.networkinterface.interface`` the NIC's ``interface`` (``net0``...), chosen by vmadm for a new NIC
``occi.networkinterface.mac``       the NIC's ``mac``
``occi.networkinterface.address``   the NIC's first static IP; given, or ALLOCATED from the network's
                                    ``address`` range (the network store of :mod:`.network`)
``occi.networkinterface.gateway``   the NIC's first gateway (default: the network's gateway)
==================================  ============================================================

Allocation: the lowest host address of the network's range that no NIC of any VM on this GZ
holds, the network and broadcast addresses and the gateway excluded. It runs inside the GZ-wide
allocation lock (:meth:`..smartos.netstore.NetworkStore.allocation_lock`): under the lock the VMs'
addresses are read again (one ``vmadm lookup``) and the NIC added (``vmadm update``), so two
allocations from any controllers never pick the same address.

The flow (:mod:`.base`): :meth:`NetworkInterface.read` is ONE ``vmadm lookup -j -o
uuid,alias,state,nics`` of every VM (the source VM, and the addresses in use) plus the store
file; when nothing changes that is the only command. Writes are ONE ``vmadm update`` (with
``add_nics``, ``update_nics`` or ``remove_nics``); an allocation adds the lookup under the lock.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Link
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import COMPUTE, STORAGE, STORAGELINK
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import _nic_links, occi_state
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import network_key
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.netstore import NetworkStore, NetworkStoreError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.vmadm import Vmadm
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import Zfs

UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
TARGET = re.compile(r'^(?:/network/)?([a-zA-Z0-9_]+)(?:\.([0-9]+))?$')
LOOKUP_FIELDS = ['uuid', 'alias', 'state', 'nics']


def parse_target(target):
    match = TARGET.match(target or '')
    if not match:
        raise ResourceError('target %r is not a network: give its label, <label>.<vlan> or /network/<label>[.<vlan>]' % (target,))
    return match.group(1), int(match.group(2) or 0)


def source_uuid(source):
    for prefix in ('urn:uuid:', '/compute/'):
        if source.startswith(prefix):
            return source[len(prefix):]
    return source if UUID.match(source) else None


def find_vm(vms, source):
    """The one VM of ``vms`` that ``source`` (uuid, ``urn:uuid:``, ``/compute/<uuid>`` or alias) names."""
    uuid = source_uuid(source)
    found = [v for v in vms if (v.get('uuid') == uuid if uuid else v.get('alias') == source)]
    if not found:
        raise ResourceError('source %s: no such VM on this global zone' % source)
    if len(found) > 1:
        raise ResourceError('source %s: %d VMs have that alias (%s); give the uuid'
                            % (source, len(found), ', '.join(v['uuid'] for v in found)))
    return found[0]


def used_addresses(vms):
    """Every address a NIC of any VM holds (``ips`` CIDRs and the older ``ip``)."""
    used = set()
    for vm in vms:
        for nic in vm.get('nics') or []:
            for value in list(nic.get('ips') or []) + ([nic['ip']] if nic.get('ip') else []):
                if value in ('dhcp', 'addrconf'):
                    continue
                try:
                    used.add(ipaddress.ip_address(value.split('/')[0]))
                except ValueError:
                    continue
    return used


def next_free(network, gateway, used):
    """The lowest host address of ``network`` not in ``used`` and not the gateway; None when full."""
    gateway = ipaddress.ip_address(gateway) if gateway else None
    for host in network.hosts():
        if host != gateway and host not in used:
            return host
    return None


def static_address(nic):
    """The NIC's first static address (without prefix), or None."""
    for value in (nic or {}).get('ips') or []:
        if value not in ('dhcp', 'addrconf'):
            return value.split('/')[0]
    return None


def render_link(vm, nic):
    links = _nic_links(dict(vm, nics=[nic]), occi_state(vm) == 'active')
    link = links[0]
    link.source = '/compute/%s' % vm['uuid']
    link.source_kind = COMPUTE.type_id
    return link.to_json()


class NetworkInterface(object):
    """One NIC of a VM for the ``link`` module (``kind: networkinterface``)."""

    def __init__(self, module, params=None, runner=None, store=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.store = store or NetworkStore()
        self.vmadm = Vmadm(self.runner)
        self.vm = None
        self.vms = []
        self.definition = None
        self.label, self.vlan = None, 0
        self.predicted = None
        self.allocated = None
        self.pending = None

    # -- 1. read ----------------------------------------------------------------------------

    def read(self):
        if self.params.get('kind') != 'networkinterface':
            raise ResourceError('kind %s is not supported yet: only networkinterface' % self.params.get('kind'))
        self.label, self.vlan = parse_target(self.params.get('target'))
        address = self.params.get('address')
        if address is not None:
            try:
                ipaddress.ip_interface(address)
            except ValueError:
                raise ResourceError('address %r is not an IP address' % address)
        self.vms = self.vmadm.lookup(fields=LOOKUP_FIELDS)
        self.vm = find_vm(self.vms, self.params.get('source') or '')
        try:
            self.definition = self.store.read().get(network_key(self.label, self.vlan))
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)
        return self._find_nic()

    def _on_target(self, nic):
        return nic.get('nic_tag') == self.label and int(nic.get('vlan_id') or 0) == self.vlan

    def _find_nic(self):
        nics = self.vm.get('nics') or []
        if self.params.get('interface'):
            nic = next((n for n in nics if n.get('interface') == self.params['interface']), None)
            if nic is None and (self.params.get('state') or 'active') != 'absent':
                # vmadm names a new NIC itself (netN); a named one that is not there would be added
                # again on every run, so it is refused instead.
                raise ResourceError('VM %s has no NIC %s: leave interface out to add a NIC (vmadm names it)'
                                    % (self.vm['uuid'], self.params['interface']))
            return nic
        if self.params.get('mac'):
            mac = self.params['mac'].lower()
            return next((n for n in nics if (n.get('mac') or '').lower() == mac), None)
        on_target = [n for n in nics if self._on_target(n)]
        if len(on_target) > 1:
            raise ResourceError('VM %s has %d NICs on %s (%s): give interface'
                                % (self.vm['uuid'], len(on_target), network_key(self.label, self.vlan),
                                   ', '.join(n.get('interface') or '?' for n in on_target)))
        return on_target[0] if on_target else None

    # -- 2. plan ----------------------------------------------------------------------------

    def _network(self):
        definition = self.definition or {}
        if definition.get('address'):
            return ipaddress.ip_network(definition['address'])
        return None

    def _cidr(self, address):
        """``address`` with the network's prefix when it has none."""
        if '/' in address:
            return str(ipaddress.ip_interface(address))
        network = self._network()
        if network is None:
            raise ResourceError('address %s has no /prefix and network %s has no address range to take it from'
                                % (address, network_key(self.label, self.vlan)))
        if ipaddress.ip_address(address) not in network:
            raise ResourceError('address %s is outside the network %s' % (address, network))
        return '%s/%d' % (address, network.prefixlen)

    def desired(self, nic):
        """The NIC properties the task sets; ``ips`` None means: allocate."""
        params = self.params
        definition = self.definition or {}
        want = {'nic_tag': self.label}
        if self.vlan:
            want['vlan_id'] = self.vlan
        elif nic is not None and nic.get('vlan_id'):
            want['vlan_id'] = 0
        if params.get('address'):
            want['ips'] = [self._cidr(params['address'])]
        elif definition.get('allocation') == 'dynamic':
            want['ips'] = ['dhcp']
        elif nic is not None and nic.get('ips') and self._on_target(nic):
            pass
        elif self._network() is not None:
            want['ips'] = None
        else:
            want['ips'] = ['dhcp']
        gateway = params.get('gateway') or (definition.get('gateway') if want.get('ips') != ['dhcp'] else None)
        if gateway:
            want['gateways'] = [gateway]
        for key in ('primary', 'allow_ip_spoofing', 'model', 'mtu'):
            if params.get(key) is not None:
                want[key] = params[key]
        for key, value in (params.get('properties') or {}).items():
            want.setdefault(str(key), value)
        return want

    def plan(self, actual):
        state = self.params.get('state') or 'active'
        plan = Plan()
        plan.before = self._summary(actual)
        uuid = self.vm['uuid']
        if state == 'absent':
            if actual is not None:
                mac = actual['mac']
                plan.add('remove NIC %s (%s) from VM %s' % (actual.get('interface'), mac, uuid),
                         lambda: self.vmadm.update(uuid, {'remove_nics': [mac]}))
            plan.after = {}
            return plan
        if (self.definition or {}).get('state') == 'inactive' and (actual is None or not self._on_target(actual)):
            raise ResourceError('network %s is inactive: it takes no new NICs' % network_key(self.label, self.vlan))
        want = self.desired(actual)
        if actual is None:
            if self.params.get('mac'):
                want['mac'] = self.params['mac'].lower()
            if 'ips' in want and want['ips'] is None:
                self._predict_allocation(want)
                plan.add('add a NIC on %s to VM %s with the next free address of %s (now %s)'
                         % (network_key(self.label, self.vlan), uuid, self._network(), self.allocated),
                         self._allocate_and_add)
            else:
                plan.add('add a NIC on %s to VM %s' % (network_key(self.label, self.vlan), uuid),
                         lambda: self.vmadm.update(uuid, {'add_nics': [want]}))
            self.predicted = dict(want, interface='(chosen by vmadm)')
            self.pending = want
        else:
            if 'ips' in want and want['ips'] is None:
                self._predict_allocation(want)
            changes = dict((k, v) for k, v in want.items() if actual.get(k) != v and not (k == 'vlan_id' and not v and not actual.get(k)))
            if changes:
                update = dict(changes, mac=actual['mac'])
                plan.add('update NIC %s of VM %s: %s' % (actual.get('interface'), uuid, ', '.join(sorted(changes))),
                         lambda: self.vmadm.update(uuid, {'update_nics': [update]}))
            self.predicted = dict(actual, **changes)
        plan.after = self._summary(self.predicted)
        return plan

    def _predict_allocation(self, want):
        network = self._network()
        address = next_free(network, (self.definition or {}).get('gateway'), used_addresses(self.vms))
        if address is None:
            raise ResourceError('network %s (%s) has no free address left' % (network_key(self.label, self.vlan), network))
        self.allocated = str(address)
        want['ips'] = ['%s/%d' % (address, network.prefixlen)]

    def _allocate_and_add(self):
        """Under the GZ's allocation lock: read the addresses in use again, pick, add the NIC."""
        uuid = self.vm['uuid']
        network = self._network()
        try:
            with self.store.allocation_lock():
                vms = self.vmadm.lookup(fields=['uuid', 'nics'])
                address = next_free(network, (self.definition or {}).get('gateway'), used_addresses(vms))
                if address is None:
                    raise ResourceError('network %s (%s) has no free address left' % (network_key(self.label, self.vlan), network))
                self.allocated = str(address)
                self.pending['ips'] = ['%s/%d' % (address, network.prefixlen)]
                self.predicted['ips'] = self.pending['ips']
                self.vmadm.update(uuid, {'add_nics': [self.pending]})
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)

    def _summary(self, nic):
        if nic is None:
            return {}
        keys = ('interface', 'mac', 'nic_tag', 'vlan_id', 'ips', 'gateways', 'primary', 'allow_ip_spoofing')
        return dict((k, nic.get(k)) for k in keys if nic.get(k) is not None)

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        state = self.params.get('state') or 'active'
        nic = None
        if state != 'absent':
            nic = self.predicted if plan.changed else actual
        if applied and state != 'absent':
            # the NIC as vmadm made it (interface, mac): one vmadm get after a change
            vm = self.vmadm.get(self.vm['uuid'])
            self.vm = dict(self.vm, state=vm.get('state'))
            mac = (nic or {}).get('mac')
            ips = (nic or {}).get('ips')
            nic = next((n for n in vm.get('nics') or [] if (mac and n.get('mac') == mac) or (not mac and n.get('ips') == ips
                                                                                             and self._on_target(n))), nic)
        return {
            'nic': nic,
            'vm_uuid': self.vm['uuid'],
            'address': static_address(nic),
            'resource': render_link(self.vm, nic) if nic else None,
            'commands': [list(c) for c in self.runner.commands],
        }


# -- kind: storagelink --------------------------------------------------------------------------

ZONE_BRANDS = ('joyent', 'joyent-minimal', 'lx')
HVM_BRANDS = ('bhyve', 'kvm')
STORAGE_TARGET = re.compile(r'^(?:/storage/)?([A-Za-z0-9][A-Za-z0-9_.:-]*(?:/[A-Za-z0-9][A-Za-z0-9_.:-]*)+)$')
STORAGE_LOOKUP_FIELDS = ['uuid', 'alias', 'state', 'brand', 'filesystems', 'disks']
ZVOL_PREFIX = '/dev/zvol/rdsk/'
NIC_ONLY = ('interface', 'mac', 'address', 'gateway', 'primary', 'allow_ip_spoofing', 'mtu')


def parse_storage_target(target):
    """``zones/data`` or ``/storage/zones/data`` -> ``zones/data`` (a dataset below a pool)."""
    match = STORAGE_TARGET.match(target or '')
    if not match or '@' in target:
        raise ResourceError('target %r is not a storage: give its dataset (pool/name) or /storage/<dataset>' % (target,))
    return match.group(1)


def filesystem_link_id(uuid, mountpoint):
    return '%s_%s' % (uuid, mountpoint.strip('/').replace('/', '_') or 'root')


def render_storage_link(vm, dataset, entry, kind):
    """The OCCI StorageLink of a ``filesystems`` entry (zone) or a disk (bhyve/kvm).

    Disks are rendered as compute's ``_disk_links`` renders them (``/link/storagelink/<uuid>_disk<N>``,
    deviceid the disk's path); a zone's lofs mount as ``/link/storagelink/<uuid>_<mountpoint>`` with
    ``occi.storagelink.mountpoint``.
    """
    running = occi_state(vm) == 'active'
    attributes = {'occi.storagelink.state': 'active' if running else 'inactive'}
    if kind == 'disk':
        disks = vm.get('disks') or []
        index = next((i for i, d in enumerate(disks) if d.get('path') == entry.get('path')), len(disks))
        link_id = '%s_disk%d' % (vm['uuid'], index)
        attributes['occi.storagelink.deviceid'] = entry.get('path') or 'disk%d' % index
    else:
        link_id = filesystem_link_id(vm['uuid'], entry['target'])
        attributes['occi.storagelink.deviceid'] = entry['target']
        attributes['occi.storagelink.mountpoint'] = entry['target']
    link = Link(STORAGELINK, '/link/storagelink/%s' % link_id, source='/compute/%s' % vm['uuid'], source_kind=COMPUTE.type_id,
                target='/storage/%s' % dataset, target_kind=STORAGE.type_id, attributes=attributes)
    return link.to_json()


class StorageLink(object):
    """A storage (ZFS dataset) attached to a VM for the ``link`` module (``kind: storagelink``).

    * zones (joyent, joyent-minimal, lx): a ``filesystems`` entry ``{type: lofs, source: <the
      dataset's mountpoint>, target: <mountpoint>, options: [ro|rw, nodevice]}``, keyed by its
      ``target`` (vmadm ``add_filesystems`` / ``update_filesystems`` / ``remove_filesystems``,
      reference smartos_vmadm.md §2.10). A change to a running zone's ``filesystems`` is written to
      its configuration and mounted at the zone's next boot.
    * bhyve/kvm: a disk ``{path: /dev/zvol/rdsk/<dataset>, nocreate: true, model, boot}`` keyed by
      its ``path`` (``add_disks`` / ``update_disks`` / ``remove_disks``). vmadm adds and removes disks
      and changes anything but compression/refreservation only on a STOPPED VM (§2.10): that is
      checked before anything runs (check mode too) and refused with what to do.

    Commands: ONE ``vmadm lookup -j -o uuid,alias,state,brand,filesystems,disks`` when nothing
    changes (a zone's lofs source is matched against the dataset's default mountpoint ``/<dataset>``;
    any other source costs one ``zfs get``). An add reads the dataset once (``zfs get
    type,mountpoint,mounted``: it must exist, be a filesystem (zone) / volume (bhyve, kvm), and a
    filesystem must be mounted), then ONE ``vmadm update``.
    """

    def __init__(self, module, params=None, runner=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.vmadm = Vmadm(self.runner)
        self.zfs = Zfs(self.runner)
        self.vm = None
        self.dataset = None
        self.kind = None
        self.predicted = None
        self.restart_required = False
        self._dataset_props = None

    # -- 1. read ----------------------------------------------------------------------------

    def read(self):
        params = self.params
        given = [k for k in NIC_ONLY if params.get(k) is not None]
        if given:
            raise ResourceError('%s: options of kind networkinterface, not of storagelink' % ', '.join(given))
        self.dataset = parse_storage_target(params.get('target'))
        mountpoint = params.get('mountpoint')
        if mountpoint is not None and (not mountpoint.startswith('/') or mountpoint.rstrip('/') == '' or '/../' in mountpoint + '/'):
            raise ResourceError('mountpoint %r must be an absolute path inside the zone (not /)' % mountpoint)
        vms = self.vmadm.lookup(fields=STORAGE_LOOKUP_FIELDS)
        self.vm = find_vm(vms, params.get('source') or '')
        brand = self.vm.get('brand')
        if brand in ZONE_BRANDS:
            self.kind = 'filesystem'
            if not mountpoint:
                raise ResourceError('mountpoint is required to attach a storage to a %s zone (the lofs mount point in the zone)' % brand)
            for key in ('model', 'boot'):
                if params.get(key) is not None:
                    raise ResourceError('%s is for the disks of bhyve and kvm VMs; VM %s is a %s zone' % (key, self.vm['uuid'], brand))
            target = mountpoint.rstrip('/')
            return next((f for f in self.vm.get('filesystems') or [] if f.get('target') == target), None)
        if brand in HVM_BRANDS:
            self.kind = 'disk'
            if mountpoint is not None or params.get('read_only') is not None:
                raise ResourceError('mountpoint and read_only are for zones; a %s VM gets the storage as a disk' % brand)
            path = ZVOL_PREFIX + self.dataset
            return next((d for d in self.vm.get('disks') or [] if d.get('path') == path), None)
        raise ResourceError('VM %s has brand %s: storage links are for joyent, joyent-minimal, lx, bhyve and kvm' % (self.vm['uuid'], brand))

    def _dataset(self):
        """``{'type', 'mountpoint', 'mounted'}`` of the target dataset: ONE ``zfs get`` (cached)."""
        if self._dataset_props is None:
            found = self.zfs.get(self.dataset, ['type', 'mountpoint', 'mounted'], recursive=False)
            if not found or self.dataset not in found:
                raise ResourceError('storage %s: no such dataset on this global zone' % self.dataset)
            self._dataset_props = dict((k, v[0]) for k, v in found[self.dataset].items())
        return self._dataset_props

    # -- 2. plan ----------------------------------------------------------------------------

    def plan(self, actual):
        state = self.params.get('state') or 'active'
        plan = Plan()
        plan.before = self._summary(actual)
        if self.kind == 'filesystem':
            self._plan_filesystem(plan, actual, state)
        else:
            self._plan_disk(plan, actual, state)
        plan.after = self._summary(self.predicted) if state != 'absent' else {}
        return plan

    def _lofs_source(self, actual):
        """The lofs source: the existing one when it is the dataset's default mountpoint, else zfs's word."""
        default = '/' + self.dataset
        if actual is not None and actual.get('source') == default:
            return default
        props = self._dataset()
        if props.get('type') != 'filesystem':
            raise ResourceError('storage %s is a %s: a zone mounts a filesystem (a volume is a disk of a bhyve or kvm VM)'
                                % (self.dataset, props.get('type')))
        mountpoint = props.get('mountpoint')
        if not mountpoint or not mountpoint.startswith('/'):
            raise ResourceError('storage %s has mountpoint %s: a zone mounts a dataset mounted in the global zone' % (self.dataset, mountpoint))
        if props.get('mounted') != 'yes' and (actual is None or actual.get('source') != mountpoint):
            raise ResourceError('storage %s is not mounted (offline?): bring it online before attaching it' % self.dataset)
        return mountpoint

    def _plan_filesystem(self, plan, actual, state):
        uuid = self.vm['uuid']
        target = self.params['mountpoint'].rstrip('/')
        running = self.vm.get('state') != 'stopped'
        # UNCONFIRMED: the reference (smartos_vmadm.md §2.10) is silent on when a running zone sees a
        # filesystems change; chose "at its next boot" (vmadm writes the zone's configuration; it does
        # not mount into a running zone) and say so in the action and in restart_required.
        later = ' (takes effect at the zone\'s next boot)' if running else ''
        if state == 'absent':
            if actual is not None:
                plan.add('remove the lofs mount %s (%s) from zone %s%s' % (target, actual.get('source'), uuid, later),
                         lambda: self.vmadm.update(uuid, {'remove_filesystems': [target]}))
                self.restart_required = running
            return
        read_only = bool(self.params.get('read_only'))
        options = ['ro' if read_only else 'rw', 'nodevice']
        source = self._lofs_source(actual)
        want = {'type': 'lofs', 'source': source, 'target': target, 'options': options}
        if actual is None:
            plan.add('mount storage %s (%s) at %s in zone %s%s' % (self.dataset, source, target, uuid, later),
                     lambda: self.vmadm.update(uuid, {'add_filesystems': [want]}))
            self.predicted = want
            self.restart_required = running
            return
        current_options = actual.get('options') or []
        current_options = current_options.split(',') if isinstance(current_options, str) else list(current_options)
        changes = {}
        if actual.get('source') != source:
            changes['source'] = source
        if actual.get('type') != 'lofs':
            changes['type'] = 'lofs'
        if ('ro' in current_options) != read_only or 'nodevice' not in current_options:
            kept = [o for o in current_options if o not in ('ro', 'rw', 'nodevice')]
            changes['options'] = options + kept
        if changes:
            update = dict(changes, target=target)
            plan.add('update the lofs mount %s of zone %s: %s%s' % (target, uuid, ', '.join(sorted(changes)), later),
                     lambda: self.vmadm.update(uuid, {'update_filesystems': [update]}))
            self.restart_required = running
        self.predicted = dict(actual, **changes)

    def _require_stopped(self, what):
        if self.vm.get('state') != 'stopped':
            # smartos-live VM.js: disks are added/removed/changed only when stopped (reference smartos_vmadm.md §2.10)
            raise ResourceError('%s needs VM %s stopped (it is %s): vmadm changes disks only on a stopped VM; stop it first '
                                '(smartstack.smartos.compute state=inactive), then run this again'
                                % (what, self.vm['uuid'], self.vm.get('state')), vm_state=self.vm.get('state'))

    def _plan_disk(self, plan, actual, state):
        uuid = self.vm['uuid']
        path = ZVOL_PREFIX + self.dataset
        if state == 'absent':
            if actual is not None:
                self._require_stopped('removing disk %s' % path)
                plan.add('detach disk %s from VM %s (the zvol is kept)' % (path, uuid),
                         lambda: self.vmadm.update(uuid, {'remove_disks': [path]}))
            return
        model = self.params.get('model')
        boot = self.params.get('boot')
        if actual is None:
            self._require_stopped('attaching disk %s' % path)
            props = self._dataset()
            if props.get('type') != 'volume':
                raise ResourceError('storage %s is a %s: a %s VM takes a volume (zvol) as a disk; a filesystem is mounted in a zone'
                                    % (self.dataset, props.get('type'), self.vm.get('brand')))
            # nocreate: vmadm takes the existing zvol at path instead of creating one (reference §4.5)
            want = {'path': path, 'nocreate': True, 'media': 'disk', 'model': model or 'virtio', 'boot': bool(boot)}
            plan.add('attach storage %s to VM %s as a %s disk%s' % (self.dataset, uuid, want['model'], ' (boot)' if boot else ''),
                     lambda: self.vmadm.update(uuid, {'add_disks': [want]}))
            self.predicted = want
            return
        changes = {}
        if model is not None and actual.get('model') != model:
            changes['model'] = model
        if boot is not None and bool(actual.get('boot')) != boot:
            changes['boot'] = boot
        if changes:
            self._require_stopped('changing %s of disk %s' % (', '.join(sorted(changes)), path))
            update = dict(changes, path=path)
            plan.add('update disk %s of VM %s: %s' % (path, uuid, ', '.join(sorted(changes))),
                     lambda: self.vmadm.update(uuid, {'update_disks': [update]}))
        self.predicted = dict(actual, **changes)

    def _summary(self, entry):
        if entry is None:
            return {}
        keys = ('type', 'source', 'target', 'options') if self.kind == 'filesystem' else ('path', 'model', 'boot', 'media', 'size')
        return dict((k, entry.get(k)) for k in keys if entry.get(k) is not None)

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        state = self.params.get('state') or 'active'
        entry = None
        if state != 'absent':
            entry = self.predicted if plan.changed else actual
        vm = self.vm
        if applied and state != 'absent':
            # the entry as vmadm stored it: one vmadm get after a change
            vm = dict(self.vm, **self.vmadm.get(self.vm['uuid']))
            if self.kind == 'disk':
                entry = next((d for d in vm.get('disks') or [] if d.get('path') == entry.get('path')), entry)
            else:
                entry = next((f for f in vm.get('filesystems') or [] if f.get('target') == entry.get('target')), entry)
        return {
            'filesystem' if self.kind == 'filesystem' else 'disk': entry,
            'vm_uuid': self.vm['uuid'],
            'storage': self.dataset,
            'restart_required': self.restart_required,
            'resource': render_storage_link(vm, self.dataset, entry, self.kind) if entry else None,
            'commands': [list(c) for c in self.runner.commands],
        }


def link_resource(module):
    """The resource class of the module's ``kind``."""
    if module.params.get('kind') == 'storagelink':
        return StorageLink(module)
    return NetworkInterface(module)
