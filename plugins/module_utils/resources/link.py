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
``occi.networkinterface.state``     ``active``: the NIC is on the VM (shown ``inactive`` while the VM is not
                                    running, as compute renders it); ``inactive``: the link was made
                                    inactive (see below)
==================================  ============================================================

What ``state: inactive`` means on SmartOS (OCCI has no link actions; a link's state is
active/inactive, occi_facts.md §2.5, §2.6). SmartOS has no "disabled NIC", so an inactive
networkinterface is a NIC DETACHED from its VM (``vmadm update`` ``remove_nics``) whose definition
- interface, MAC, addresses, gateway, every other NIC property - is kept in the GZ's store
(``/opt/smartstack/networks.json``, section ``links``, :mod:`..smartos.netstore`), so that its
addresses stay RESERVED (allocation skips them, a given address one holds is refused) and ``state:
active`` attaches it again (``add_nics``) with the same MAC and addresses. A record whose VM was
deleted reserves nothing. An inactive storagelink is a zone's lofs mount taken out of the zone's
``filesystems`` (``remove_filesystems``) with the entry kept the same way; a bhyve/kvm DISK cannot
be inactive: vmadm destroys the zvol of a disk it removes (smartos-live VM.js: ``remove_disks`` ->
``deleteVolume`` -> ``zfs destroy -rF``; vmload sets ``zfs_filesystem`` on every disk whose path is
a zvol, nocreate ones included), so detaching while keeping the data is impossible and refused.
Delegated datasets (``delegate: true``) are rendered as storagelinks but vmadm cannot add or remove
them on an existing zone (man vmadm: ``delegate_dataset`` create yes, update no; ``datasets``
create no, update no): asking for a change is refused with what to do.

Allocation: the lowest host address of the network's range that no NIC of any VM on this GZ
holds and no inactive link keeps, between the network's ``allocation_start`` and ``allocation_end``
when it has them, the network and broadcast addresses, the gateway and the network's ``reserved``
addresses and ranges excluded. It runs inside the GZ-wide
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
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import allocation_bounds, network_key, reserved_ranges
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


def in_ranges(address, ranges):
    """Whether ``address`` lies in one of ``ranges`` (``(first, last)`` pairs of its IP version)."""
    return any(first.version == address.version and first <= address <= last for first, last in ranges)


def next_free(network, gateway, used, reserved=(), bounds=(None, None)):
    """The lowest host address of ``network`` between ``bounds`` (first, last; None: no bound) not in ``used``,
    not the gateway and not in a ``reserved`` range; None when there is none left."""
    gateway = ipaddress.ip_address(gateway) if gateway else None
    first, last = bounds
    for host in network.hosts():
        if first is not None and host < first:
            continue
        if last is not None and host > last:
            break
        if host != gateway and host not in used and not in_ranges(host, reserved):
            return host
    return None


def static_address(nic):
    """The NIC's first static address (without prefix), or None."""
    for value in (nic or {}).get('ips') or []:
        if value not in ('dhcp', 'addrconf'):
            return value.split('/')[0]
    return None


# -- inactive links: what a detached NIC, mount or disk was, kept in the GZ's store ---------------

#: Where an inactive link's record is kept (for the messages).
STORE_PATH = '/opt/smartstack/networks.json'
#: The representative fields vmload derives from ``ips``/``gateways`` (reference smartos_vmadm.md §4.4):
#: not part of what is given back to ``add_nics``.
NIC_DERIVED = ('ip', 'netmask', 'gateway')
INACTIVE_MESSAGE = 'detached from the VM; kept in %s so that state active attaches it again as it was' % STORE_PATH


def nic_record_key(uuid, mac):
    return 'networkinterface/%s/%s' % (uuid, (mac or '').lower())


def storage_record_key(uuid, key):
    return 'storagelink/%s/%s' % (uuid, key)


def records_of(links, kind, uuid):
    """``[(key, record)]`` of the inactive ``kind`` links of VM ``uuid``, by key."""
    return [(k, r) for k, r in sorted(links.items()) if (r or {}).get('kind') == kind and r.get('vm_uuid') == uuid]


def reserved_by_links(links, vms):
    """``{address: record key}`` of every address an inactive NIC holds, for VMs that still exist (a deleted VM's
    record reserves nothing)."""
    alive = set(vm.get('uuid') for vm in vms)
    reserved = {}
    for key, record in sorted(links.items()):
        if (record or {}).get('kind') != 'networkinterface' or record.get('vm_uuid') not in alive:
            continue
        for address in used_addresses([{'nics': [record.get('nic') or {}]}]):
            reserved[address] = key
    return reserved


def render_link(vm, nic, inactive=False):
    links = _nic_links(dict(vm, nics=[nic]), occi_state(vm) == 'active' and not inactive)
    link = links[0]
    link.source = '/compute/%s' % vm['uuid']
    link.source_kind = COMPUTE.type_id
    if inactive:
        link.attributes['occi.networkinterface.state.message'] = INACTIVE_MESSAGE
    return link.to_json()


def diff_summary(entry, keys, inactive=False):
    """What --diff shows of a NIC or storage entry: its set ``keys``, and ``state: inactive`` for a detached one."""
    if entry is None:
        return {}
    summary = dict((k, entry.get(k)) for k in keys if entry.get(k) is not None)
    if inactive:
        summary['state'] = 'inactive'
    return summary


class NetworkInterface(object):
    """One NIC of a VM for the ``link`` module (``kind: networkinterface``).

    ``state``: ``active`` - the NIC is on the VM; ``inactive`` - the NIC is DETACHED from the VM
    (``remove_nics``) while its definition (interface, MAC, addresses, gateway and the other NIC
    properties) is kept in the GZ's store (``links`` of :mod:`..smartos.netstore`): its addresses stay
    reserved (allocation skips them, a given address that one holds is refused) and ``active``
    attaches it again (``add_nics``) with the same MAC and addresses (and interface, when no other NIC
    took it); ``absent`` - neither. The record is written before the NIC is detached and removed after
    it is attached, so a failure in between leaves the address reserved rather than free.
    """

    def __init__(self, module, params=None, runner=None, store=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.store = store or NetworkStore()
        self.vmadm = Vmadm(self.runner)
        self.vm = None
        self.vms = []
        self.definition = None
        self.links = {}
        self.record_key = None
        self.detached = False
        self.label, self.vlan = None, 0
        self.predicted = None
        self.allocated = None
        self.pending = None

    # -- 1. read ----------------------------------------------------------------------------

    def read(self):
        """ONE ``vmadm lookup`` of every VM and the store file; the NIC (attached, or the inactive record's) or None."""
        if self.params.get('kind') != 'networkinterface':
            raise ResourceError('kind %s is not supported yet: only networkinterface' % self.params.get('kind'))
        self.label, self.vlan = parse_target(self.params.get('target'))
        address = self.params.get('address')
        if address is not None:
            try:
                ipaddress.ip_interface(address)
            except ValueError:
                raise ResourceError('address %r is not an IP address' % address)
        for key in ('deviceid', 'delegate', 'purge'):
            if self.params.get(key):
                raise ResourceError('%s is an option of kind storagelink, not of networkinterface' % key)
        self.vms = self.vmadm.lookup(fields=LOOKUP_FIELDS)
        self.vm = find_vm(self.vms, self.params.get('source') or '')
        try:
            document = self.store.read_all()
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)
        self.definition = document['networks'].get(network_key(self.label, self.vlan))
        self.links = document['links']
        nic = self._match(self.vm.get('nics') or [], 'NICs')
        if nic is not None:
            key = nic_record_key(self.vm['uuid'], nic.get('mac'))
            self.record_key = key if key in self.links else None
            return nic
        records = dict(((r.get('nic') or {}).get('mac'), k) for k, r in records_of(self.links, 'networkinterface', self.vm['uuid']))
        nic = self._match([self.links[k].get('nic') or {} for k in records.values()], 'inactive NICs')
        if nic is not None:
            self.record_key, self.detached = records[nic.get('mac')], True
            return dict(nic)
        if self.params.get('interface') and (self.params.get('state') or 'active') != 'absent':
            # vmadm names a new NIC itself (netN); a named one that is not there would be added
            # again on every run, so it is refused instead.
            raise ResourceError('VM %s has no NIC %s: leave interface out to add a NIC (vmadm names it)'
                                % (self.vm['uuid'], self.params['interface']))
        return None

    def _on_target(self, nic):
        return nic.get('nic_tag') == self.label and int(nic.get('vlan_id') or 0) == self.vlan

    def _match(self, nics, what):
        """The NIC of ``nics`` the task means (by interface, MAC, or the one on the target), or None."""
        if self.params.get('interface'):
            return next((n for n in nics if n.get('interface') == self.params['interface']), None)
        if self.params.get('mac'):
            mac = self.params['mac'].lower()
            return next((n for n in nics if (n.get('mac') or '').lower() == mac), None)
        on_target = [n for n in nics if self._on_target(n)]
        if len(on_target) > 1:
            raise ResourceError('VM %s has %d %s on %s (%s): give interface'
                                % (self.vm['uuid'], len(on_target), what, network_key(self.label, self.vlan),
                                   ', '.join(n.get('interface') or n.get('mac') or '?' for n in on_target)))
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

    def _free(self, vms):
        """The next free address of the network for the VMs ``vms``, or a ResourceError when the network is full."""
        network = self._network()
        address = next_free(network, (self.definition or {}).get('gateway'), self._excluded(vms), reserved_ranges(self.definition),
                            allocation_bounds(self.definition))
        if address is None:
            raise ResourceError('network %s (%s) has no free address left' % (network_key(self.label, self.vlan), network))
        return address

    def _check_given_address(self, actual):
        """A given address that an inactive link of another NIC keeps reserved is refused."""
        if not self.params.get('address'):
            return
        address = ipaddress.ip_interface(self._cidr(self.params['address'])).ip
        holder = reserved_by_links(self.links, self.vms).get(address)
        own = nic_record_key(self.vm['uuid'], (actual or {}).get('mac')) if actual else None
        if holder and holder != own:
            raise ResourceError('address %s is reserved by the inactive link %s (a detached NIC kept in %s): give another '
                                'address, or remove that link (state absent)' % (address, holder, STORE_PATH))

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

    @staticmethod
    def _changes(actual, want):
        return dict((k, v) for k, v in want.items() if actual.get(k) != v and not (k == 'vlan_id' and not v and not actual.get(k)))

    def _put_record(self, key, value):
        try:
            self.store.put_link(key, value)
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)

    def _record(self, nic):
        clean = dict((k, v) for k, v in nic.items() if k not in NIC_DERIVED)
        return {'kind': 'networkinterface', 'vm_uuid': self.vm['uuid'], 'network': network_key(self.label, self.vlan),
                'nic': clean}

    def plan(self, actual):
        state = self.params.get('state') or 'active'
        plan = Plan()
        plan.before = self._summary(actual, self.detached)
        if state == 'absent':
            self._plan_absent(plan, actual)
            plan.after = {}
            return plan
        if state == 'inactive':
            self._plan_inactive(plan, actual)
            plan.after = self._summary(self.predicted, True)
            return plan
        self._check_given_address(actual)
        if (self.definition or {}).get('state') == 'inactive' and (actual is None or self.detached or not self._on_target(actual)):
            raise ResourceError('network %s is inactive: it takes no new NICs' % network_key(self.label, self.vlan))
        uuid = self.vm['uuid']
        want = self.desired(actual)
        if self.detached:
            self._plan_attach_again(plan, actual, want)
        elif actual is None:
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
            changes = self._changes(actual, want)
            if changes:
                update = dict(changes, mac=actual['mac'])
                plan.add('update NIC %s of VM %s: %s' % (actual.get('interface'), uuid, ', '.join(sorted(changes))),
                         lambda: self.vmadm.update(uuid, {'update_nics': [update]}))
            if self.record_key:
                # left behind by a run that stopped between its two writes: the NIC is attached, the record goes
                key = self.record_key
                plan.add('forget the stale inactive record %s (the NIC is attached)' % key, lambda: self._put_record(key, None))
            self.predicted = dict(actual, **changes)
        plan.after = self._summary(self.predicted)
        return plan

    def _plan_absent(self, plan, actual):
        uuid = self.vm['uuid']
        if actual is not None and not self.detached:
            mac = actual['mac']
            plan.add('remove NIC %s (%s) from VM %s' % (actual.get('interface'), mac, uuid),
                     lambda: self.vmadm.update(uuid, {'remove_nics': [mac]}))
        if self.record_key:
            key = self.record_key
            plan.add('forget the inactive link %s (its address is no longer reserved)' % key, lambda: self._put_record(key, None))

    def _plan_inactive(self, plan, actual):
        uuid = self.vm['uuid']
        if actual is None:
            raise ResourceError('VM %s has no NIC on %s to make inactive: an inactive link is a NIC that was attached; create '
                                'it with state active first' % (uuid, network_key(self.label, self.vlan)))
        want = self.desired(actual)
        if want.get('ips', []) is None:
            del want['ips']  # keep what it has: an inactive NIC is not given an address
        if self.params.get('address'):
            self._check_given_address(actual)
        nic = dict(actual, **self._changes(actual, want))
        record = self._record(nic)
        key = nic_record_key(uuid, actual.get('mac'))
        if self.detached:
            if record != self.links.get(key):
                plan.add('update the inactive link %s: %s' % (key, ', '.join(sorted(self._changes(actual, want)))),
                         lambda: self._put_record(key, record))
        else:
            mac = actual['mac']
            plan.add('keep NIC %s (%s, %s) of VM %s in %s: its address stays reserved'
                     % (actual.get('interface'), mac, ', '.join(actual.get('ips') or []) or 'no address', uuid, STORE_PATH),
                     lambda: self._put_record(key, record))
            plan.add('detach NIC %s (%s) from VM %s (inactive)' % (actual.get('interface'), mac, uuid),
                     lambda: self.vmadm.update(uuid, {'remove_nics': [mac]}))
        self.predicted = record['nic']

    def _plan_attach_again(self, plan, actual, want):
        uuid = self.vm['uuid']
        if want.get('ips', []) is None:
            del want['ips']
        nic = dict(actual, **self._changes(actual, want))
        taken = set(n.get('interface') for n in self.vm.get('nics') or [])
        if nic.get('interface') in taken:
            # another NIC has its name now: vmadm names it (reference smartos_vmadm.md §4.4, lowest free index)
            nic.pop('interface')
        key = self.record_key
        what = (nic.get('interface') or '(named by vmadm)', nic.get('mac'), ', '.join(nic.get('ips') or []) or 'no address', uuid)
        plan.add('attach NIC %s (%s, %s) to VM %s again' % what, lambda: self.vmadm.update(uuid, {'add_nics': [nic]}))
        plan.add('forget the inactive link %s' % key, lambda: self._put_record(key, None))
        self.predicted = dict(nic, interface=nic.get('interface') or '(chosen by vmadm)')

    def _excluded(self, vms):
        """Addresses allocation never picks: held by a NIC, or by an inactive link (``vms``: the VMs now)."""
        return used_addresses(vms) | set(reserved_by_links(self.links, vms))

    def _predict_allocation(self, want):
        network = self._network()
        address = self._free(self.vms)
        self.allocated = str(address)
        want['ips'] = ['%s/%d' % (address, network.prefixlen)]

    def _allocate_and_add(self):
        """Under the GZ's allocation lock: read the addresses in use again, pick, add the NIC."""
        uuid = self.vm['uuid']
        network = self._network()
        try:
            with self.store.allocation_lock():
                vms = self.vmadm.lookup(fields=['uuid', 'nics'])
                self.links = self.store.read_all()['links']
                address = self._free(vms)
                self.allocated = str(address)
                self.pending['ips'] = ['%s/%d' % (address, network.prefixlen)]
                self.predicted['ips'] = self.pending['ips']
                self.vmadm.update(uuid, {'add_nics': [self.pending]})
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)

    def _summary(self, nic, inactive=False):
        return diff_summary(nic, ('interface', 'mac', 'nic_tag', 'vlan_id', 'ips', 'gateways', 'primary', 'allow_ip_spoofing'),
                            inactive)

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        state = self.params.get('state') or 'active'
        nic = None
        if state != 'absent':
            nic = self.predicted if plan.changed else actual
        if applied and state == 'active':
            # the NIC as vmadm made it (interface, mac): one vmadm get after a change
            vm = self.vmadm.get(self.vm['uuid'])
            self.vm = dict(self.vm, state=vm.get('state'))
            mac = (nic or {}).get('mac')
            ips = (nic or {}).get('ips')
            nic = next((n for n in vm.get('nics') or [] if (mac and n.get('mac') == mac) or (not mac and n.get('ips') == ips
                                                                                             and self._on_target(n))), nic)
        inactive = state == 'inactive'
        return {
            'nic': nic,
            'vm_uuid': self.vm['uuid'],
            'address': static_address(nic),
            'link_state': state if nic else 'absent',
            'resource': render_link(self.vm, nic, inactive=inactive) if nic else None,
            'commands': [list(c) for c in self.runner.commands],
        }


# -- kind: storagelink --------------------------------------------------------------------------

ZONE_BRANDS = ('joyent', 'joyent-minimal', 'lx')
HVM_BRANDS = ('bhyve', 'kvm')
STORAGE_TARGET = re.compile(r'^(?:/storage/)?([A-Za-z0-9][A-Za-z0-9_.:-]*(?:/[A-Za-z0-9][A-Za-z0-9_.:-]*)+)$')
STORAGE_LOOKUP_FIELDS = ['uuid', 'alias', 'state', 'brand', 'zfs_filesystem', 'filesystems', 'disks', 'datasets']
ZVOL_PREFIX = '/dev/zvol/rdsk/'
NIC_ONLY = ('interface', 'mac', 'address', 'gateway', 'primary', 'allow_ip_spoofing', 'mtu')
#: man vmadm disks.*.pci_slot: "All functions on devices 0, 6, 30, and 31 on bus 0 are reserved."
RESERVED_PCI_DEVICES = (0, 6, 30, 31)
#: Why a disk cannot be detached and kept (for the messages).
DISK_REMOVAL = ('vmadm destroys the zvol of a disk it removes (smartos-live VM.js: remove_disks -> deleteVolume -> '
                'zfs destroy -rF; vmload gives every disk whose path is a zvol its zfs_filesystem, nocreate disks included)')


def parse_storage_target(target):
    """``zones/data`` or ``/storage/zones/data`` -> ``zones/data`` (a dataset below a pool)."""
    match = STORAGE_TARGET.match(target or '')
    if not match or '@' in target:
        raise ResourceError('target %r is not a storage: give its dataset (pool/name) or /storage/<dataset>' % (target,))
    return match.group(1)


def parse_pci_slot(value):
    """A bhyve disk's ``pci_slot`` as ``<bus>:<device>:<function>`` from any form vmadm takes.

    man vmadm ``disks.*.pci_slot``: ``<bus>:<device>:<function>`` (``0:4:0``), ``<device>:<function>``
    (``4:0``) or ``<device>`` (``4``), bus or function not given meaning 0; bus 0-255, device 0-31,
    function 0-7; every function of devices 0, 6, 30 and 31 on bus 0 is reserved.
    """
    parts = str(value).strip().split(':')
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ResourceError('deviceid %r is not a PCI slot: give <bus>:<device>:<function> (0:4:1), <device>:<function> '
                            '(4:1) or <device> (4)' % (value,))
    numbers = [int(p) for p in parts]
    bus, device, function = {1: lambda: (0, numbers[0], 0), 2: lambda: (0, numbers[0], numbers[1]),
                             3: lambda: tuple(numbers)}[len(numbers)]()
    for name, number, top in (('bus', bus, 255), ('device', device, 31), ('function', function, 7)):
        if number > top:
            raise ResourceError('deviceid %r: PCI %s %d is out of range (0-%d)' % (value, name, number, top))
    if bus == 0 and device in RESERVED_PCI_DEVICES:
        raise ResourceError('deviceid %r: PCI device %d on bus 0 is reserved (devices 0, 6, 30 and 31)' % (value, device))
    return '%d:%d:%d' % (bus, device, function)


def same_pci_slot(left, right):
    try:
        return parse_pci_slot(left) == parse_pci_slot(right)
    except ResourceError:
        return left == right


def filesystem_link_id(uuid, mountpoint):
    return '%s_%s' % (uuid, mountpoint.strip('/').replace('/', '_') or 'root')


def render_storage_link(vm, dataset, entry, kind, inactive=False):
    """The OCCI StorageLink of a ``filesystems`` entry (zone), a disk (bhyve/kvm) or a delegated dataset (zone).

    Disks are rendered as compute's ``_disk_links`` renders them (``/link/storagelink/<uuid>_disk<N>``),
    deviceid the disk's ``pci_slot`` (bhyve, where the guest sees it) or else its path; a zone's lofs
    mount as ``/link/storagelink/<uuid>_<mountpoint>`` with ``occi.storagelink.mountpoint``; a delegated
    dataset as ``/link/storagelink/<uuid>_<dataset>`` with deviceid the dataset (the zone mounts it
    itself, so no mountpoint is claimed).
    """
    running = occi_state(vm) == 'active' and not inactive
    attributes = {'occi.storagelink.state': 'active' if running else 'inactive'}
    if inactive:
        attributes['occi.storagelink.state.message'] = INACTIVE_MESSAGE
    if kind == 'disk':
        disks = vm.get('disks') or []
        index = next((i for i, d in enumerate(disks) if d.get('path') == entry.get('path')), len(disks))
        link_id = '%s_disk%d' % (vm['uuid'], index)
        attributes['occi.storagelink.deviceid'] = entry.get('pci_slot') or entry.get('path') or 'disk%d' % index
    elif kind == 'delegated':
        link_id = '%s_%s' % (vm['uuid'], dataset.replace('/', '_'))
        attributes['occi.storagelink.deviceid'] = dataset
        attributes['occi.storagelink.state.message'] = 'delegated to the zone (vmadm datasets); the zone mounts and manages it'
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
      its configuration and mounted at the zone's next boot. ``inactive``: the entry is taken out
      (``remove_filesystems``) and kept in the GZ's store; ``active`` puts it back.
    * bhyve/kvm: a disk ``{path: /dev/zvol/rdsk/<dataset>, nocreate: true, model, boot, pci_slot}``
      keyed by its ``path`` (``add_disks`` / ``update_disks`` / ``remove_disks``). vmadm adds and
      removes disks and changes anything but compression/refreservation only on a STOPPED VM (§2.10):
      that is checked before anything runs (check mode too) and refused with what to do. vmadm destroys
      the zvol of a disk it removes (see :data:`DISK_REMOVAL`), so ``absent`` needs ``purge: true`` and
      ``inactive`` is refused. ``deviceid`` is the bhyve disk's ``pci_slot`` (man vmadm: where the guest
      sees the disk, create and update); kvm has no device id vmadm lets one set.
    * delegated datasets of zones (``delegate: true``): vmadm's ``datasets``, rendered as links; vmadm
      delegates a dataset only when it creates the zone, so any change is refused with what to do.

    Commands: ONE ``vmadm lookup -j -o uuid,alias,state,brand,zfs_filesystem,filesystems,disks,datasets``
    (plus the store file) when nothing changes (a zone's lofs source is matched against the dataset's
    default mountpoint ``/<dataset>``; any other source costs one ``zfs get``). An add reads the
    dataset once (``zfs get type,mountpoint,mounted``: it must exist, be a filesystem (zone) / volume
    (bhyve, kvm), and a filesystem must be mounted), then ONE ``vmadm update``.
    """

    def __init__(self, module, params=None, runner=None, store=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.store = store or NetworkStore()
        self.vmadm = Vmadm(self.runner)
        self.zfs = Zfs(self.runner)
        self.vm = None
        self.dataset = None
        self.kind = None
        self.links = {}
        self.record_key = None
        self.detached = False
        self.pci_slot = None
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
        try:
            self.links = self.store.read_all()['links']
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)
        brand = self.vm.get('brand')
        if params.get('delegate'):
            return self._read_delegated(brand)
        if brand in ZONE_BRANDS:
            return self._read_filesystem(brand, mountpoint)
        if brand in HVM_BRANDS:
            self.kind = 'disk'
            if mountpoint is not None or params.get('read_only') is not None:
                raise ResourceError('mountpoint and read_only are for zones; a %s VM gets the storage as a disk' % brand)
            if params.get('deviceid') is not None:
                if brand != 'bhyve':
                    raise ResourceError('deviceid is the PCI slot of a bhyve disk (vmadm disks.*.pci_slot); vmadm lets no device id '
                                        'be set for a kvm disk (the guest sees kvm disks in the order of disks): leave deviceid out')
                self.pci_slot = parse_pci_slot(params['deviceid'])
            path = ZVOL_PREFIX + self.dataset
            return next((d for d in self.vm.get('disks') or [] if d.get('path') == path), None)
        raise ResourceError('VM %s has brand %s: storage links are for joyent, joyent-minimal, lx, bhyve and kvm' % (self.vm['uuid'], brand))

    def _read_delegated(self, brand):
        self.kind = 'delegated'
        if brand not in ZONE_BRANDS:
            raise ResourceError('delegate: a dataset is delegated to a zone (joyent, joyent-minimal, lx); VM %s is a %s VM: attach '
                                'a volume as its disk instead (leave delegate out)' % (self.vm['uuid'], brand))
        given = [k for k in ('mountpoint', 'read_only', 'model', 'boot', 'deviceid') if self.params.get(k) is not None]
        if given:
            raise ResourceError('%s: not for a delegated dataset (the zone mounts and manages it itself)' % ', '.join(given))
        return {'dataset': self.dataset} if self.dataset in (self.vm.get('datasets') or []) else None

    def _read_filesystem(self, brand, mountpoint):
        self.kind = 'filesystem'
        if not mountpoint:
            raise ResourceError('mountpoint is required to attach a storage to a %s zone (the lofs mount point in the zone)' % brand)
        for key in ('model', 'boot'):
            if self.params.get(key) is not None:
                raise ResourceError('%s is for the disks of bhyve and kvm VMs; VM %s is a %s zone' % (key, self.vm['uuid'], brand))
        if self.params.get('deviceid') is not None:
            raise ResourceError('deviceid is the PCI slot of a bhyve disk; a storage link of zone %s is named by its mountpoint'
                                % self.vm['uuid'])
        target = mountpoint.rstrip('/')
        key = storage_record_key(self.vm['uuid'], target)
        found = next((f for f in self.vm.get('filesystems') or [] if f.get('target') == target), None)
        if found is not None:
            self.record_key = key if key in self.links else None
            return found
        record = self.links.get(key)
        if record and record.get('kind') == 'storagelink' and record.get('filesystem'):
            self.record_key, self.detached = key, True
            return dict(record['filesystem'])
        return None

    def _dataset(self):
        """``{'type', 'mountpoint', 'mounted'}`` of the target dataset: ONE ``zfs get`` (cached)."""
        if self._dataset_props is None:
            found = self.zfs.get(self.dataset, ['type', 'mountpoint', 'mounted'], recursive=False)
            if not found or self.dataset not in found:
                raise ResourceError('storage %s: no such dataset on this global zone' % self.dataset)
            self._dataset_props = dict((k, v[0]) for k, v in found[self.dataset].items())
        return self._dataset_props

    def _put_record(self, key, value):
        try:
            self.store.put_link(key, value)
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)

    # -- 2. plan ----------------------------------------------------------------------------

    def plan(self, actual):
        state = self.params.get('state') or 'active'
        if self.params.get('purge') and self.kind != 'disk':
            raise ResourceError('purge is for the disks of bhyve and kvm VMs (removing one destroys its zvol)')
        plan = Plan()
        plan.before = self._summary(actual, self.detached)
        if self.kind == 'delegated':
            self._plan_delegated(actual, state)
        elif self.kind == 'filesystem':
            self._plan_filesystem(plan, actual, state)
        else:
            self._plan_disk(plan, actual, state)
        plan.after = self._summary(self.predicted, state == 'inactive') if state != 'absent' else {}
        return plan

    def _plan_delegated(self, actual, state):
        uuid = self.vm['uuid']
        zoneroot = self.vm.get('zfs_filesystem') or 'zones/%s' % uuid
        if state == 'active' and actual is None:
            raise ResourceError('zone %s has no delegated dataset %s, and vmadm cannot delegate a dataset to an existing zone '
                                '(man vmadm: delegate_dataset is create-only, datasets is neither created nor updated directly). '
                                'Create the zone with one - smartstack.smartos.compute with properties: {delegate_dataset: true} '
                                '(recreate: true for an existing zone, which destroys it) - and vmadm delegates %s/data; '
                                'or mount a dataset into the zone (leave delegate out, give mountpoint); nothing was done'
                                % (uuid, self.dataset, zoneroot))
        if state != 'active' and actual is not None:
            raise ResourceError('dataset %s is delegated to zone %s, and vmadm cannot take a delegated dataset from an existing zone '
                                '(man vmadm: datasets cannot be updated); only deleting the zone (smartstack.smartos.compute '
                                'state=absent) does; nothing was done' % (self.dataset, uuid))
        if state == 'inactive':
            raise ResourceError('zone %s has no delegated dataset %s to make inactive; nothing was done' % (uuid, self.dataset))
        self.predicted = actual

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

    def _filesystem_entry(self, actual):
        """The ``filesystems`` entry the task wants and the changes against ``actual`` (None: a new entry)."""
        target = self.params['mountpoint'].rstrip('/')
        read_only = bool(self.params.get('read_only'))
        options = ['ro' if read_only else 'rw', 'nodevice']
        source = self._lofs_source(actual)
        if actual is None:
            return {'type': 'lofs', 'source': source, 'target': target, 'options': options}, None
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
        return dict(actual, **changes), changes

    def _plan_filesystem(self, plan, actual, state):
        uuid = self.vm['uuid']
        target = self.params['mountpoint'].rstrip('/')
        key = storage_record_key(uuid, target)
        running = self.vm.get('state') != 'stopped'
        # UNCONFIRMED: the reference (smartos_vmadm.md §2.10) is silent on when a running zone sees a
        # filesystems change; chose "at its next boot" (vmadm writes the zone's configuration; it does
        # not mount into a running zone) and say so in the action and in restart_required.
        later = ' (takes effect at the zone\'s next boot)' if running else ''
        attached = actual is not None and not self.detached
        if state == 'absent':
            if attached:
                plan.add('remove the lofs mount %s (%s) from zone %s%s' % (target, actual.get('source'), uuid, later),
                         lambda: self.vmadm.update(uuid, {'remove_filesystems': [target]}))
                self.restart_required = running
            if self.record_key:
                plan.add('forget the inactive link %s' % key, lambda: self._put_record(key, None))
            return
        if state == 'inactive':
            if actual is None:
                raise ResourceError('zone %s has no storage mounted at %s to make inactive: create the link with state active first'
                                    % (uuid, target))
            entry, changes = self._filesystem_entry(actual)
            record = {'kind': 'storagelink', 'vm_uuid': uuid, 'storage': self.dataset, 'filesystem': entry}
            if attached:
                plan.add('keep the lofs mount %s of zone %s in %s' % (target, uuid, STORE_PATH), lambda: self._put_record(key, record))
                plan.add('take the lofs mount %s (%s) out of zone %s (inactive)%s' % (target, actual.get('source'), uuid, later),
                         lambda: self.vmadm.update(uuid, {'remove_filesystems': [target]}))
                self.restart_required = running
            elif changes or self.links.get(key) != record:
                plan.add('update the inactive link %s: %s' % (key, ', '.join(sorted(changes or {})) or 'storage'),
                         lambda: self._put_record(key, record))
            self.predicted = entry
            return
        if self.detached:
            entry, _changes = self._filesystem_entry(actual)
            plan.add('mount storage %s (%s) at %s in zone %s again%s' % (self.dataset, entry['source'], target, uuid, later),
                     lambda: self.vmadm.update(uuid, {'add_filesystems': [entry]}))
            plan.add('forget the inactive link %s' % key, lambda: self._put_record(key, None))
            self.predicted = entry
            self.restart_required = running
            return
        entry, changes = self._filesystem_entry(actual)
        if actual is None:
            plan.add('mount storage %s (%s) at %s in zone %s%s' % (self.dataset, entry['source'], target, uuid, later),
                     lambda: self.vmadm.update(uuid, {'add_filesystems': [entry]}))
            self.predicted = entry
            self.restart_required = running
            return
        if changes:
            update = dict(changes, target=target)
            plan.add('update the lofs mount %s of zone %s: %s%s' % (target, uuid, ', '.join(sorted(changes)), later),
                     lambda: self.vmadm.update(uuid, {'update_filesystems': [update]}))
            self.restart_required = running
        if self.record_key:
            plan.add('forget the stale inactive record %s (the mount is attached)' % key, lambda: self._put_record(key, None))
        self.predicted = entry

    def _require_stopped(self, what):
        if self.vm.get('state') != 'stopped':
            # smartos-live VM.js: disks are added/removed/changed only when stopped (reference smartos_vmadm.md §2.10)
            raise ResourceError('%s needs VM %s stopped (it is %s): vmadm changes disks only on a stopped VM; stop it first '
                                '(smartstack.smartos.compute state=inactive), then run this again'
                                % (what, self.vm['uuid'], self.vm.get('state')), vm_state=self.vm.get('state'))

    def _check_slot_free(self, path):
        other = next((d for d in self.vm.get('disks') or [] if d.get('path') != path and d.get('pci_slot')
                      and same_pci_slot(d['pci_slot'], self.pci_slot)), None)
        if other is not None:
            raise ResourceError('deviceid %s: disk %s of VM %s is in that PCI slot already' % (self.pci_slot, other.get('path'), self.vm['uuid']))

    def _plan_disk(self, plan, actual, state):
        uuid = self.vm['uuid']
        path = ZVOL_PREFIX + self.dataset
        if state == 'inactive':
            raise ResourceError('a disk link cannot be inactive: %s, so a disk cannot be detached and kept. Stop the VM '
                                '(smartstack.smartos.compute state=inactive) to take the disk out of use, or detach it and '
                                'destroy its zvol with state=absent and purge=true; nothing was done' % DISK_REMOVAL)
        if state == 'absent':
            if actual is not None:
                if not self.params.get('purge'):
                    raise ResourceError('removing disk %s from VM %s destroys its zvol %s: %s. Give purge: true to detach it and '
                                        'destroy the zvol; nothing was done' % (path, uuid, self.dataset, DISK_REMOVAL))
                self._require_stopped('removing disk %s' % path)
                plan.add('detach disk %s from VM %s; vmadm destroys its zvol %s (purge)' % (path, uuid, self.dataset),
                         lambda: self.vmadm.update(uuid, {'remove_disks': [path]}))
            return
        model = self.params.get('model')
        boot = self.params.get('boot')
        if self.pci_slot:
            self._check_slot_free(path)
        if actual is None:
            self._require_stopped('attaching disk %s' % path)
            props = self._dataset()
            if props.get('type') != 'volume':
                raise ResourceError('storage %s is a %s: a %s VM takes a volume (zvol) as a disk; a filesystem is mounted in a zone'
                                    % (self.dataset, props.get('type'), self.vm.get('brand')))
            # nocreate: vmadm takes the existing zvol at path instead of creating one (reference §4.5)
            want = {'path': path, 'nocreate': True, 'media': 'disk', 'model': model or 'virtio', 'boot': bool(boot)}
            if self.pci_slot:
                want['pci_slot'] = self.pci_slot
            what = (self.dataset, uuid, want['model'], ' (boot)' if boot else '', ' in PCI slot %s' % self.pci_slot if self.pci_slot else '')
            plan.add('attach storage %s to VM %s as a %s disk%s%s' % what, lambda: self.vmadm.update(uuid, {'add_disks': [want]}))
            self.predicted = want
            return
        changes = {}
        if model is not None and actual.get('model') != model:
            changes['model'] = model
        if boot is not None and bool(actual.get('boot')) != boot:
            changes['boot'] = boot
        if self.pci_slot and not same_pci_slot(actual.get('pci_slot'), self.pci_slot):
            changes['pci_slot'] = self.pci_slot
        if changes:
            self._require_stopped('changing %s of disk %s' % (', '.join(sorted(changes)), path))
            update = dict(changes, path=path)
            plan.add('update disk %s of VM %s: %s' % (path, uuid, ', '.join(sorted(changes))),
                     lambda: self.vmadm.update(uuid, {'update_disks': [update]}))
        self.predicted = dict(actual, **changes)

    def _summary(self, entry, inactive=False):
        keys = {'filesystem': ('type', 'source', 'target', 'options'), 'delegated': ('dataset',),
                'disk': ('path', 'model', 'boot', 'media', 'size', 'pci_slot')}[self.kind]
        return diff_summary(entry, keys, inactive)

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        state = self.params.get('state') or 'active'
        entry = None
        if state != 'absent':
            entry = self.predicted if plan.changed else actual
        vm = self.vm
        if applied and state == 'active':
            # the entry as vmadm stored it: one vmadm get after a change
            vm = dict(self.vm, **self.vmadm.get(self.vm['uuid']))
            if self.kind == 'disk':
                entry = next((d for d in vm.get('disks') or [] if d.get('path') == entry.get('path')), entry)
            else:
                entry = next((f for f in vm.get('filesystems') or [] if f.get('target') == entry.get('target')), entry)
        name = {'filesystem': 'filesystem', 'disk': 'disk', 'delegated': 'dataset'}[self.kind]
        return {
            name: entry,
            'vm_uuid': self.vm['uuid'],
            'storage': self.dataset,
            'restart_required': self.restart_required,
            'link_state': state if entry else 'absent',
            'resource': render_storage_link(vm, self.dataset, entry, self.kind, inactive=state == 'inactive') if entry else None,
            'commands': [list(c) for c in self.runner.commands],
        }


def link_resource(module):
    """The resource class of the module's ``kind``."""
    if module.params.get('kind') == 'storagelink':
        return StorageLink(module)
    return NetworkInterface(module)
