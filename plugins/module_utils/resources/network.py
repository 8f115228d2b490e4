# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Network <-> nic tags (``nictagadm``) + IP network definitions (the GZ's network store).

Mapping (reference smartos_gz_tools.md §2, occi_facts.md §2.3):

==========================  =====================================================================
network                     a nic tag (``label``) and a VLAN id (``vlan``, 0 = untagged). The
                            untagged network IS the nic tag; a VLAN network rides on its tag
                            (SmartOS sets the VLAN per VM NIC: ``nics.*.vlan_id``).
location                    ``/network/<label>`` or ``/network/<label>.<vlan>``: what compute's
                            networkinterface links point at.
``occi.core.id``            ``urn:smartstack:network:<label>[.<vlan>]``
``occi.network.label``      the nic tag name
``occi.network.vlan``       the VLAN id (only for a VLAN network)
``occi.network.state``      ``active``: the nic tag exists (and for a VLAN network its definition
                            is not marked inactive); ``inactive``: the definition is kept but the
                            network takes no NICs (see below); ``error``: the tag's MAC matches no
                            physical NIC (nictagadm lists its link as ``-``).
ipnetwork mixin             ``occi.network.address`` (CIDR), ``gateway``, ``allocation`` from the
                            definition in :mod:`..smartos.netstore` (``/opt/smartstack/networks.json``).
``smartos.network.reserved``  addresses and ranges (``a-b``) of the range that the link module never
                            allocates (routers, VIPs, hosts outside SmartOS); the gateway is
                            always excluded as well. Given addresses may still use them.
``smartos.network.allocation_start``/``_end``  the part of the range allocation takes addresses from
==========================  =====================================================================

What ``inactive`` means on SmartOS: an untagged network that goes down has its nic tag DELETED
(``nictagadm delete``; vmadm then refuses new NICs on it, and nictagadm itself refuses while VM
NICs use it), while its definition (IP range and the tag's MAC or etherstub) stays in the store,
so going ``active`` again re-creates the tag over the same link. A VLAN network shares its tag
with the untagged one, so going down only marks its definition inactive (the link module refuses
new NICs on it); SmartOS itself is not changed.

The flow (:mod:`.base`): :meth:`Network.read` is ONE ``nictagadm list -p -d '|'`` plus a read of
the store file (done by the module's own Python on the GZ, not a command); when nothing changes
that is the only command. Only a link given by name that no tag uses yet costs one ``dladm
show-phys`` (to learn its MAC), and only a delete or deactivation costs one ``vmadm lookup`` (the
VM NICs still on the network, which refuse it before anything changes).
"""

from __future__ import annotations

import copy
import ipaddress

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Mixin, Resource
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import IPNETWORK, NETWORK
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.netstore import NetworkStore, NetworkStoreError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.nictagadm import (
    MAC,
    Dladm,
    Nictagadm,
    normalize_mac,
    valid_tag_name,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.vmadm import Vmadm

SMARTOS_SCHEME = 'http://schemas.smartstack.io/occi/smartos#'

#: The SmartOS attributes a network resource carries beside the OCCI ones.
SMARTOS_NETWORK = Mixin(SMARTOS_SCHEME, 'nictag', title='SmartOS nic tag', applies=[NETWORK], attributes=[
    Attribute('smartos.nictag.type', 'string', mutable=False, description='normal, aggr, etherstub or overlay rule'),
    Attribute('smartos.nictag.link', 'string', mutable=False, description='The physical link or aggregation of the tag'),
    Attribute('smartos.nictag.mac', 'string', mutable=False, description='The MAC address of the tag'),
    Attribute('smartos.network.resolvers', 'array', description='DNS resolvers of the network'),
    Attribute('smartos.network.reserved', 'array',
              description='Addresses and ranges (first-last) of the network that are never allocated'),
    Attribute('smartos.network.allocation_start', 'string', description='The first address allocated from the network'),
    Attribute('smartos.network.allocation_end', 'string', description='The last address allocated from the network'),
])

#: The definition fields a task may set.
IP_FIELDS = ('address', 'gateway', 'allocation', 'resolvers', 'reserved', 'allocation_start', 'allocation_end')

VLAN_MAX = 4094


def network_key(label, vlan):
    return '%s.%d' % (label, vlan) if vlan else label


def _tag_memo(row, etherstub=False, mac=None):
    """What the store keeps of a tag so that an inactive network can be brought up again."""
    if row is not None:
        if row['type'] == 'etherstub':
            return {'etherstub': True}
        return {'mac': row['mac'] if row['type'] == 'normal' else row['link']}
    if etherstub:
        return {'etherstub': True}
    return {'mac': mac}


def build(label, vlan, tags, stored):
    """The raw ``network`` object of ``label``/``vlan`` from the tag rows and the store, or None.

    ``{'label', 'vlan', 'key', 'tag' (nictagadm row or None), 'definition' (stored dict or None),
    'state', 'state_message'}``.
    """
    key = network_key(label, vlan)
    row = next((t for t in tags if t['name'] == label), None)
    definition = stored.get(key)
    if vlan and definition is None:
        return None
    if row is None and definition is None:
        return None
    if row is None:
        state, message = 'inactive', 'nic tag %s does not exist' % label
    elif definition is not None and definition.get('state') == 'inactive':
        state, message = 'inactive', 'defined but marked inactive: it takes no new NICs'
    elif row['type'] == 'normal' and not row.get('link'):
        state, message = 'error', 'no physical NIC has the MAC %s of nic tag %s' % (row.get('mac'), label)
    else:
        state = 'active'
        if row['type'] == 'etherstub':
            message = 'nic tag %s on etherstub %s' % (label, label)
        else:
            message = 'nic tag %s on %s' % (label, row.get('link'))
        if vlan:
            message += ', VLAN %d' % vlan
    return {'label': label, 'vlan': vlan, 'key': key, 'tag': copy.deepcopy(row), 'definition': copy.deepcopy(definition),
            'state': state, 'state_message': message}


def all_networks(tags, stored):
    """Every network: one per tag (untagged) in nictagadm's order, then the stored ones without a tag, by key."""
    networks, seen = [], set()
    for row in tags:
        network = build(row['name'], 0, tags, stored)
        networks.append(network)
        seen.add(network['key'])
    for key in sorted(stored):
        if key in seen:
            continue
        definition = stored[key] or {}
        label = definition.get('label') or key.partition('.')[0]
        try:
            vlan = int(definition.get('vlan') or 0)
        except (TypeError, ValueError):
            vlan = 0
        network = build(label, vlan, tags, stored)
        if network is not None and network['key'] not in seen:
            networks.append(network)
            seen.add(network['key'])
    return networks


def title_of(network):
    definition = network.get('definition') or {}
    return definition.get('title') or network['key']


def to_resource(network):
    definition = network.get('definition') or {}
    row = network.get('tag') or {}
    attributes = {
        'occi.network.label': network['label'],
        'occi.network.state': network['state'],
        'occi.network.state.message': network['state_message'],
    }
    if network['vlan']:
        attributes['occi.network.vlan'] = network['vlan']
    mixins = []
    if any(definition.get(field) for field in ('address', 'gateway', 'allocation')):
        mixins.append(IPNETWORK)
        for field in ('address', 'gateway', 'allocation'):
            if definition.get(field):
                attributes['occi.network.%s' % field] = definition[field]
    mixins.append(SMARTOS_NETWORK)
    if row.get('type'):
        attributes['smartos.nictag.type'] = row['type']
    if row.get('link'):
        attributes['smartos.nictag.link'] = row['link']
    if row.get('mac'):
        attributes['smartos.nictag.mac'] = row['mac']
    if definition.get('resolvers'):
        attributes['smartos.network.resolvers'] = list(definition['resolvers'])
    if definition.get('reserved'):
        attributes['smartos.network.reserved'] = list(definition['reserved'])
    for field in ('allocation_start', 'allocation_end'):
        if definition.get(field):
            attributes['smartos.network.%s' % field] = definition[field]
    return Resource(NETWORK, 'urn:smartstack:network:%s' % network['key'], title=title_of(network), attributes=attributes,
                    mixins=mixins, location='/network/%s' % network['key'])


def render(network):
    """``resource`` as the modules return it: the OCCI JSON rendering (a dict)."""
    return to_resource(network).to_json()


def summary(network):
    """What ``--diff`` shows."""
    if network is None:
        return {}
    definition = network.get('definition') or {}
    row = network.get('tag') or {}
    result = {'label': network['label'], 'vlan': network['vlan'], 'state': network['state'], 'title': title_of(network),
              'nic_tag': {'type': row.get('type'), 'link': row.get('link'), 'mac': row.get('mac')} if row else None}
    for field in IP_FIELDS:
        if definition.get(field):
            result[field] = definition[field]
    return result


def vm_nics_on(vms, label, vlan=None):
    """``[(uuid, alias, interface)]`` of the NICs on tag ``label`` (and VLAN ``vlan`` when not None)."""
    used = []
    for vm in vms or []:
        for nic in vm.get('nics') or []:
            if nic.get('nic_tag') != label:
                continue
            if vlan is not None and int(nic.get('vlan_id') or 0) != vlan:
                continue
            used.append((vm.get('uuid'), vm.get('alias'), nic.get('interface')))
    return used


def reserved_ranges(definition):
    """``[(first, last)]`` (ip_address pairs) of a stored definition's ``reserved`` entries; bad entries are skipped."""
    ranges = []
    for entry in (definition or {}).get('reserved') or []:
        first, _sep, last = str(entry).partition('-')
        try:
            pair = (ipaddress.ip_address(first.strip()), ipaddress.ip_address((last or first).strip()))
        except ValueError:
            continue
        if pair[0].version == pair[1].version:
            ranges.append(pair)
    return ranges


def _check_reserved(reserved, net):
    """``reserved`` (addresses and ``first-last`` ranges inside ``net``) normalised, or ResourceError naming the entry."""
    if net is None and reserved:
        raise ResourceError('reserved needs address (the CIDR range the reserved addresses belong to)')
    checked = []
    for entry in reserved:
        text = str(entry).strip()
        first, sep, last = text.partition('-')
        try:
            low = ipaddress.ip_address(first.strip())
            high = ipaddress.ip_address(last.strip()) if sep else low
        except ValueError:
            raise ResourceError('reserved entry %r is neither an IP address nor a range first-last of IP addresses' % (entry,))
        for address in (low, high):
            if address.version != net.version or address not in net:
                raise ResourceError('reserved entry %r: %s is outside the network %s' % (entry, address, net))
        if high < low:
            raise ResourceError('reserved entry %r: the range ends (%s) before it starts (%s)' % (entry, high, low))
        checked.append('%s-%s' % (low, high) if sep and high != low else str(low))
    return checked


def allocation_bounds(definition):
    """``(first, last)`` ip_address bounds of allocation from a stored definition (None where not set or bad)."""
    bounds = []
    for field in ('allocation_start', 'allocation_end'):
        try:
            bounds.append(ipaddress.ip_address(str((definition or {}).get(field))) if (definition or {}).get(field) else None)
        except ValueError:
            bounds.append(None)
    return tuple(bounds)


def _describe_users(used):
    return ', '.join('%s%s %s' % (uuid, ' (%s)' % alias if alias else '', interface) for uuid, alias, interface in used)


# ---------------------------------------------------------------------------------------------
# Input checks (before any command)
# ---------------------------------------------------------------------------------------------

def check_ip_fields(params):
    """Validated and normalised ``address``, ``gateway``, ``allocation``, ``resolvers`` (only those given)."""
    given = {}
    address = params.get('address')
    net = None
    if address is not None:
        if '/' not in str(address):
            raise ResourceError('address must be a CIDR range such as 10.0.1.0/24, got %r (no /prefix)' % address)
        try:
            net = ipaddress.ip_network(str(address), strict=False)
        except ValueError as exc:
            raise ResourceError('address %r is not a CIDR range: %s' % (address, exc))
        given['address'] = str(net)
    gateway = params.get('gateway')
    if gateway is not None:
        try:
            gw = ipaddress.ip_address(str(gateway))
        except ValueError:
            raise ResourceError('gateway %r is not an IP address' % gateway)
        if net is None:
            raise ResourceError('gateway needs address (the CIDR range it belongs to)')
        if gw.version != net.version or gw not in net:
            raise ResourceError('gateway %s is outside the network %s' % (gw, net))
        if net.version == 4 and net.prefixlen < 31 and gw in (net.network_address, net.broadcast_address):
            raise ResourceError('gateway %s is the %s address of %s' % (
                gw, 'network' if gw == net.network_address else 'broadcast', net))
        given['gateway'] = str(gw)
    allocation = params.get('allocation')
    if allocation is not None:
        if allocation == 'static' and net is None:
            raise ResourceError('allocation static needs address (the range addresses are allocated from)')
        given['allocation'] = allocation
    elif net is not None:
        given['allocation'] = 'static'
    resolvers = params.get('resolvers')
    if resolvers is not None:
        checked = []
        for resolver in resolvers:
            try:
                checked.append(str(ipaddress.ip_address(str(resolver))))
            except ValueError:
                raise ResourceError('resolver %r is not an IP address' % resolver)
        given['resolvers'] = checked
    reserved = params.get('reserved')
    if reserved is not None:
        given['reserved'] = _check_reserved(reserved, net)
    for field in ('allocation_start', 'allocation_end'):
        value = params.get(field)
        if value is None:
            continue
        if net is None:
            raise ResourceError('%s needs address (the CIDR range it belongs to)' % field)
        try:
            bound = ipaddress.ip_address(str(value).strip())
        except ValueError:
            raise ResourceError('%s %r is not an IP address' % (field, value))
        if bound.version != net.version or bound not in net:
            raise ResourceError('%s %s is outside the network %s' % (field, bound, net))
        given[field] = str(bound)
    if 'allocation_start' in given and 'allocation_end' in given and \
            ipaddress.ip_address(given['allocation_end']) < ipaddress.ip_address(given['allocation_start']):
        raise ResourceError('allocation_end %s is before allocation_start %s' % (given['allocation_end'], given['allocation_start']))
    return given


# ---------------------------------------------------------------------------------------------
# The resource class
# ---------------------------------------------------------------------------------------------

class Network(object):
    """One network (nic tag + VLAN + IP definition) for the ``network`` module."""

    def __init__(self, module, params=None, runner=None, store=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.store = store or NetworkStore()
        self.nictagadm = Nictagadm(self.runner)
        self.dladm = Dladm(self.runner)
        self.vmadm = Vmadm(self.runner)
        self.label = self.params.get('label')
        self.vlan = int(self.params.get('vlan') or 0)
        self.predicted = None
        self.tags = []
        self.stored = {}
        self.links = {}
        self.ip_fields = {}

    # -- input ------------------------------------------------------------------------------

    def check_input(self):
        params = self.params
        etherstub = bool(params.get('etherstub'))
        if params.get('link') and etherstub:
            raise ResourceError('give one of link (a physical link or MAC) and etherstub: true')
        if not 0 <= self.vlan <= VLAN_MAX:
            raise ResourceError('vlan must be 0 (untagged) or a VLAN id from 1 to %d, got %d' % (VLAN_MAX, self.vlan))
        if not valid_tag_name(self.label, etherstub=False) and not (etherstub and valid_tag_name(self.label, etherstub=True)):
            raise ResourceError('label %r is not a valid nic tag name: letters, digits and _ only, at most 30 characters'
                                % (self.label,))
        if etherstub and not valid_tag_name(self.label, etherstub=True):
            raise ResourceError('label %r is not a valid etherstub name: it must end in a number without a leading zero '
                                '(for example stub0 or internal10), at most 31 characters' % (self.label,))
        link = params.get('link')
        if link and ':' in link and not MAC.match(link):
            raise ResourceError('link %r is neither a link name nor a MAC address' % link)
        return check_ip_fields(params)

    # -- 1. read ----------------------------------------------------------------------------

    def read(self):
        """ONE ``nictagadm list`` and the store file; the network or None."""
        self.ip_fields = self.check_input()
        self.tags = self.nictagadm.list()
        try:
            document = self.store.read_all()
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)
        self.stored, self.links = document['networks'], document['links']
        return build(self.label, self.vlan, self.tags, self.stored)

    # -- helpers ----------------------------------------------------------------------------

    def _row(self):
        return next((t for t in self.tags if t['name'] == self.label), None)

    def _desired_mac(self, row):
        """The MAC (or aggr name) the task's ``link`` means; None when ``link`` is not given."""
        link = self.params.get('link')
        if not link:
            return None
        if MAC.match(link):
            return normalize_mac(link)
        if row is not None and row.get('link') == link:
            return row['mac'] if row['type'] == 'normal' else row['link']
        for other in self.tags:
            if other.get('link') == link:
                return other['mac'] if other['type'] == 'normal' else other['link']
        physical = self.dladm.physical_links()
        if link not in physical:
            raise ResourceError('unknown link %s: the physical links are %s' % (link, ', '.join(sorted(physical)) or 'none'))
        return physical[link]

    def _link_of(self, mac):
        """The link name a tag on ``mac`` will show: the task's link name, another tag's, else one ``dladm show-phys``.

        A MAC no physical NIC has gets None (nictagadm refuses it with its own message).
        """
        link = self.params.get('link')
        if link and not MAC.match(link):
            return link
        known = next((t['link'] for t in self.tags if t.get('mac') == mac and t.get('link')), None)
        if known:
            return known
        return next((name for name, address in sorted(self.dladm.physical_links().items()) if address == mac), None)

    def _vm_users(self, vlan):
        vms = self.vmadm.lookup({'nics.*.nic_tag': self.label}, fields=['uuid', 'alias', 'nics'])
        return vm_nics_on(vms, self.label, vlan)

    def _inactive_links(self, vlan, vms):
        """``[(uuid, alias, interface)]`` of the inactive (detached, reserved) links on the tag (``vlan`` None: any VLAN)
        whose VM still exists (``vms``: the lookup's VMs; a record of a deleted VM reserves nothing)."""
        found = []
        aliases = dict((vm.get('uuid'), vm.get('alias')) for vm in vms or [])
        for record in self.links.values():
            nic = (record or {}).get('nic') or {}
            if record.get('kind') != 'networkinterface' or nic.get('nic_tag') != self.label:
                continue
            if vlan is not None and int(nic.get('vlan_id') or 0) != vlan:
                continue
            if record.get('vm_uuid') in aliases:
                found.append((record['vm_uuid'], aliases[record['vm_uuid']], '%s (inactive)' % (nic.get('interface') or nic.get('mac'))))
        return found

    def _users(self, vlan):
        """The VM NICs on the network and its inactive links: ONE ``vmadm lookup`` (of every VM when links are kept)."""
        if not any((r or {}).get('kind') == 'networkinterface' for r in self.links.values()):
            return self._vm_users(vlan)
        vms = self.vmadm.lookup(fields=['uuid', 'alias', 'nics'])
        return vm_nics_on(vms, self.label, vlan) + self._inactive_links(vlan, vms)

    def _put(self, key, value):
        try:
            self.store.put(key, value)
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)

    def _vlan_keys(self):
        return sorted(k for k, d in self.stored.items() if k != self.label and (d or {}).get('label') == self.label
                      and int((d or {}).get('vlan') or 0))

    # -- 2. plan ----------------------------------------------------------------------------

    def plan(self, actual):
        state = self.params.get('state') or 'active'
        plan = Plan()
        plan.before = summary(actual)
        if state == 'absent':
            self._plan_absent(plan, actual)
            self.predicted = None
        elif self.vlan:
            self._plan_vlan(plan, state)
        else:
            self._plan_untagged(plan, state)
        plan.after = summary(self.predicted)
        return plan

    def _definition(self, current, state, memo=None):
        """The definition to store: the current one with the task's fields, ``state``, ``memo``."""
        definition = dict(current or {})
        definition.update(label=self.label, vlan=self.vlan)
        definition.update(self.ip_fields)
        if self.params.get('title') is not None:
            definition['title'] = self.params['title']
        definition['state'] = state
        if memo is not None:
            definition['nic_tag'] = memo
        return definition

    def _plan_tag(self, plan, row, definition):
        """Create or update the nic tag for an active network; return the predicted tag row."""
        etherstub = bool(self.params.get('etherstub'))
        if row is None:
            memo = (definition or {}).get('nic_tag') or {}
            if etherstub or (not self.params.get('link') and memo.get('etherstub')):
                plan.add('create etherstub nic tag %s' % self.label, lambda: self.nictagadm.add(self.label, etherstub=True))
                return {'name': self.label, 'mac': None, 'link': None, 'type': 'etherstub'}
            mac = self._desired_mac(None) or memo.get('mac')
            if not mac:
                raise ResourceError('network %s does not exist: give link (a physical link name or MAC address) or '
                                    'etherstub: true to create its nic tag' % network_key(self.label, self.vlan))
            plan.add('create nic tag %s on %s' % (self.label, self.params.get('link') or mac),
                     lambda: self.nictagadm.add(self.label, mac=mac))
            return {'name': self.label, 'mac': mac, 'link': self._link_of(mac), 'type': 'normal'}
        if etherstub and row['type'] != 'etherstub':
            raise ResourceError('nic tag %s is a %s tag on %s, not an etherstub: remove the network (state absent) and '
                                'create it again to change that' % (self.label, row['type'], row.get('link')))
        if self.params.get('link') and row['type'] == 'etherstub':
            raise ResourceError('nic tag %s is an etherstub: remove the network (state absent) and create it again over '
                                'a link to change that' % self.label)
        if row['type'] not in ('normal', 'aggr', 'etherstub'):
            raise ResourceError('nic tag %s is an %s: this module does not manage those' % (self.label, row['type']))
        mac = self._desired_mac(row)
        current = row['mac'] if row['type'] == 'normal' else row['link']
        if mac and mac != current:
            plan.add('move nic tag %s to %s' % (self.label, self.params.get('link')),
                     lambda: self.nictagadm.update(self.label, mac))
            return {'name': self.label, 'mac': mac, 'link': self._link_of(mac), 'type': 'normal'}
        return row

    def _plan_untagged(self, plan, state):
        row = self._row()
        current = self.stored.get(self.label)
        if state == 'active':
            new_row = self._plan_tag(plan, row, current)
            definition = current
            if current is not None or self.ip_fields or self.params.get('title') is not None:
                definition = self._definition(current, 'active', _tag_memo(new_row))
                if definition != current:
                    plan.add('store the definition of network %s' % self.label, lambda: self._put(self.label, definition))
            tags = [t for t in self.tags if t['name'] != self.label] + [new_row]
            self.predicted = build(self.label, 0, tags, {self.label: definition} if definition else {})
            return
        # inactive: the tag goes, the definition stays
        if row is None:
            if current is None:
                link = self.params.get('link')
                if not (link or self.params.get('etherstub')):
                    raise ResourceError('network %s does not exist: give link or etherstub: true to define it inactive'
                                        % self.label)
                memo = _tag_memo(None, etherstub=bool(self.params.get('etherstub')), mac=self._desired_mac(None))
            else:
                memo = current.get('nic_tag')
        else:
            others = [k for k in self._vlan_keys() if (self.stored[k] or {}).get('state') != 'inactive']
            if others:
                raise ResourceError('network %s carries the active VLAN networks %s: take them down first; nothing was done'
                                    % (self.label, ', '.join(others)), networks=others)
            used = self._vm_users(None)
            if used:
                raise ResourceError("nic tag '%s' is in use by VM NICs: %s; nothing was done" % (self.label, _describe_users(used)),
                                    vms=sorted(set(u[0] for u in used)))
            memo = _tag_memo(row)
            plan.add('delete nic tag %s (network %s inactive)' % (self.label, self.label),
                     lambda: self.nictagadm.delete(self.label))
        definition = self._definition(current, 'inactive', memo)
        if definition != current:
            plan.add('store the definition of network %s (inactive)' % self.label, lambda: self._put(self.label, definition))
        tags = [t for t in self.tags if t['name'] != self.label]
        self.predicted = build(self.label, 0, tags, {self.label: definition})

    def _plan_vlan(self, plan, state):
        """A VLAN network: active makes sure its nic tag exists (as _plan_tag); the definition is always stored."""
        key = network_key(self.label, self.vlan)
        tags = self.tags
        if state == 'active':
            new_row = self._plan_tag(plan, self._row(), self.stored.get(self.label))
            tags = [t for t in self.tags if t['name'] != self.label] + [new_row]
        current = self.stored.get(key)
        definition = self._definition(current, state)
        if definition != current:
            plan.add('store the definition of network %s%s' % (key, ' (inactive)' if state == 'inactive' else ''),
                     lambda: self._put(key, definition))
        self.predicted = build(self.label, self.vlan, tags, dict(self.stored, **{key: definition}))

    def _plan_absent(self, plan, actual):
        if actual is None:
            return
        key = network_key(self.label, self.vlan)
        if self.vlan:
            used = self._users(self.vlan)
            if used:
                raise ResourceError('network %s is in use by VM NICs: %s; nothing was done' % (key, _describe_users(used)),
                                    vms=sorted(set(u[0] for u in used)))
            plan.add('remove the definition of network %s' % key, lambda: self._put(key, None))
            return
        vlans = self._vlan_keys()
        if vlans:
            raise ResourceError('nic tag %s carries the VLAN networks %s: remove them first (state absent with their vlan); '
                                'nothing was done' % (self.label, ', '.join(vlans)), networks=vlans)
        used = self._users(None)
        if used:
            raise ResourceError("nic tag '%s' is in use by VM NICs: %s; nothing was done" % (self.label, _describe_users(used)),
                                vms=sorted(set(u[0] for u in used)))
        if actual.get('tag') is not None:
            plan.add('delete nic tag %s' % self.label, lambda: self.nictagadm.delete(self.label))
        if actual.get('definition') is not None:
            plan.add('remove the definition of network %s' % key, lambda: self._put(key, None))

    # -- 4. result ----------------------------------------------------------------------------

    def result(self, actual, plan, applied):
        state = self.params.get('state') or 'active'
        if state == 'absent':
            network = None if plan.changed or actual is None else actual
        elif plan.changed:
            network = self.predicted
        else:
            network = actual
        del applied
        return {
            'network': network,
            'resource': render(network) if network else None,
            'commands': [list(c) for c in self.runner.commands],
        }


# ---------------------------------------------------------------------------------------------
# network_info
# ---------------------------------------------------------------------------------------------

class NetworkInfo(object):
    """The ``network_info`` query: ONE ``nictagadm list`` and the store file."""

    def __init__(self, module, params=None, runner=None, store=None):
        self.module = module
        self.params = dict(params if params is not None else module.params)
        self.runner = runner or CommandRunner(module)
        self.store = store or NetworkStore()

    def _keep(self, network):
        params = self.params
        if params.get('label') and network['label'] != params['label']:
            return False
        if params.get('vlan') is not None and network['vlan'] != params['vlan']:
            return False
        if params.get('state') and network['state'] != params['state']:
            return False
        if params.get('type') and (network.get('tag') or {}).get('type') != params['type']:
            return False
        if params.get('title') and title_of(network) != params['title']:
            return False
        return True

    def run(self):
        tags = Nictagadm(self.runner).list()
        try:
            stored = self.store.read()
        except NetworkStoreError as exc:
            raise ResourceError(exc.message)
        networks = [n for n in all_networks(tags, stored) if self._keep(n)]
        return {
            'networks': networks,
            'resources': [render(n) for n in networks],
            'nic_tags': tags,
            'commands': [list(c) for c in self.runner.commands],
        }
