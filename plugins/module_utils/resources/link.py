# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI NetworkInterface links <-> a VM's NICs (``vmadm update`` add_nics/update_nics/remove_nics).

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

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import COMPUTE
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import _nic_links, occi_state
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import network_key
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.netstore import NetworkStore, NetworkStoreError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.vmadm import Vmadm

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
        source = self.params.get('source') or ''
        uuid = source_uuid(source)
        found = [v for v in self.vms if (v.get('uuid') == uuid if uuid else v.get('alias') == source)]
        if not found:
            raise ResourceError('source %s: no such VM on this global zone' % source)
        if len(found) > 1:
            raise ResourceError('source %s: %d VMs have that alias (%s); give the uuid'
                                % (source, len(found), ', '.join(v['uuid'] for v in found)))
        self.vm = found[0]
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
