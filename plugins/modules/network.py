#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network
short_description: Manage networks of a SmartOS global zone (nic tags, etherstubs, VLANs, IP ranges) as OCCI Network resources
version_added: 0.1.0
description:
  - Creates, changes, takes down (inactive), brings up (active) and removes a network - a nic tag (O(label)) over a
    physical link or an etherstub, optionally a VLAN on it (O(vlan)), with an IP definition (the OCCI C(ipnetwork)
    mixin - O(address), O(gateway), O(allocation), and O(resolvers)).
  - "A network is a nic tag and a VLAN id. The untagged network (no O(vlan)) IS the nic tag (C(nictagadm)); a VLAN
    network rides on its tag (SmartOS sets the VLAN on each VM NIC, C(vlan_id)). Its OCCI location is
    C(/network/<label>) or C(/network/<label>.<vlan>), the target of the network interface links that
    M(smartstack.smartos.compute) returns."
  - "SmartOS keeps no IP network object. The IP definition (and a VLAN network as a whole) is kept in ONE JSON document
    on the global zone, C(/opt/smartstack/networks.json) (C(/opt) is the persistent C(zones/opt) dataset, so it survives
    reboots, and every controller that manages the global zone reads the same file). It was chosen over ZFS user
    properties on the pool's root dataset because the module reads it itself on the global zone - deciding a task then
    costs ONE command. Writes hold an exclusive lock (C(flock) on C(/opt/smartstack/.networks.lock)), re-read the file,
    change only this network and replace the file atomically, so controllers writing other networks at the same time
    lose nothing."
  - "O(state=inactive) - an untagged network's nic tag is deleted (C(nictagadm delete); VMs then cannot get NICs on it)
    while its definition, with the tag's MAC or etherstub, stays in the store, so O(state=active) creates the tag again
    over the same link. A VLAN network shares its tag, so going inactive only marks its definition inactive (the
    C(link) module refuses new NICs on it); SmartOS is not changed."
  - Removing (O(state=absent)) or deactivating a network that VM NICs still use is refused, before anything changes
    (one C(vmadm lookup) of the VMs with a NIC on the tag; for a VLAN network only NICs on that VLAN count). Removing
    it is refused as well while inactive links of existing VMs (NICs detached by the C(link) module with
    C(state=inactive), whose address stays reserved) are on it. An untagged
    network that VLAN networks ride on is not removed either. C(nictagadm delete) refuses a tag in use too, and its
    message is reported as it is.
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes
  - smartstack.smartos.command
options:
  label:
    description:
      - The nic tag (OCCI C(occi.network.label)) - letters, digits and C(_), at most 30 characters. An etherstub's name must
        also end in a number without a leading zero (C(stub0), C(internal10)), as C(nictagadm add -l) and C(dladm) require.
      - C(nictagadm) itself lets some invalid names through (a bug in its name check, reference smartos_gz_tools.md 2.3);
        this module refuses them before any command.
    type: str
    required: true
    aliases: [nic_tag, name]
  vlan:
    description:
      - The 802.1q VLAN id of a VLAN network on the tag, 1 to 4094; V(0) or not given - the untagged network (the tag itself).
    type: int
    default: 0
  link:
    description:
      - The physical link of the nic tag, by name (C(e1000g1), C(ixgbe0); also an aggregation) or by MAC address. Needed
        to create the tag, optional afterwards - a different link moves the tag (C(nictagadm update)).
      - A name that no tag uses yet is looked up with one C(dladm show-phys); an unknown name is refused. A MAC that no
        physical NIC has is refused by C(nictagadm) with its own message.
    type: str
  etherstub:
    description:
      - The nic tag is an etherstub (a virtual switch with no physical link, C(nictagadm add -l)). Excludes O(link).
      - A tag is not converted between etherstub and link - remove the network and create it again.
    type: bool
    default: false
  address:
    description:
      - The IP range in CIDR notation (C(10.1.0.0/24), C(fd00:1::/64)); host bits are cleared (C(10.1.0.7/24) is kept as
        C(10.1.0.0/24)). OCCI C(occi.network.address).
    type: str
  gateway:
    description:
      - The default gateway, an address inside O(address) (not its network or broadcast address). OCCI C(occi.network.gateway).
    type: str
  allocation:
    description:
      - How NICs get addresses - V(static) (allocated from O(address) by the C(link) module or given) or V(dynamic) (DHCP).
        OCCI C(occi.network.allocation). Default V(static) when O(address) is given.
    type: str
    choices: [dynamic, static]
  resolvers:
    description: DNS resolvers of the network (IP addresses), given to NICs on it.
    type: list
    elements: str
  reserved:
    description:
      - Addresses of O(address) that the C(link) module never allocates - single addresses (C(10.1.0.5)) and ranges
        C(<first>-<last>) (C(10.1.0.200-10.1.0.254)), all inside O(address) (which the task must give). The gateway is
        never allocated either. A link given one of them as its address still gets it.
      - Kept in the definition (C(smartos.network.reserved) in the OCCI rendering); V([]) clears it.
    type: list
    elements: str
  allocation_start:
    description:
      - The first address of O(address) the C(link) module allocates (default - the first host address). Inside O(address),
        which the task must give. C(smartos.network.allocation_start) in the OCCI rendering.
    type: str
  allocation_end:
    description:
      - The last address of O(address) the C(link) module allocates (default - the last host address); not before
        O(allocation_start). C(smartos.network.allocation_end) in the OCCI rendering.
    type: str
  title:
    description: The OCCI title; default C(<label>) or C(<label>.<vlan>).
    type: str
  state:
    description:
      - V(active) - the network exists and takes NICs (the OCCI C(up) action); V(inactive) - see the description (the OCCI
        C(down) action); V(absent) - the tag (untagged network) and the definition are removed.
      - Options not given are left as they are; an existing definition keeps fields the task does not name.
    type: str
    choices: [active, inactive, absent]
    default: active
notes:
  - Commands - an idempotent run is one C(nictagadm list -p -d '|') (plus the store file, read by the module). A converging
    run adds C(nictagadm add), C(update) or C(delete) and writes the store file. A link given by a name no tag uses costs
    one C(dladm show-phys); removal and deactivation one C(vmadm lookup).
  - The MTU of a tag is not managed (C(nictagadm list) does not show it).
seealso:
  - module: smartstack.smartos.network_info
  - module: smartstack.smartos.compute
'''

EXAMPLES = r'''
- name: An external network on the second NIC with its IP range
  smartstack.smartos.network:
    label: external
    link: e1000g1
    address: 192.0.2.0/24
    gateway: 192.0.2.1
    resolvers: [192.0.2.53]

- name: VLAN 100 on the same tag; .2 to .9 and .250 are never allocated
  smartstack.smartos.network:
    label: external
    vlan: 100
    address: 10.100.0.0/24
    gateway: 10.100.0.1
    reserved: [10.100.0.2-10.100.0.9, 10.100.0.250]

- name: A network whose VMs get addresses from .100 to .199 only
  smartstack.smartos.network:
    label: internal
    link: e1000g2
    address: 10.5.0.0/24
    gateway: 10.5.0.1
    allocation_start: 10.5.0.100
    allocation_end: 10.5.0.199

- name: A private network on an etherstub, addresses by DHCP
  smartstack.smartos.network:
    label: stub0
    etherstub: true
    allocation: dynamic

- name: Take it down (the etherstub goes; its definition stays)
  smartstack.smartos.network:
    label: stub0
    state: inactive

- name: Remove VLAN 100 (refused while VM NICs use it)
  smartstack.smartos.network:
    label: external
    vlan: 100
    state: absent
'''

RETURN = r'''
resource:
  description: The OCCI JSON rendering of the network (kind C(network), mixins C(ipnetwork) when it has an IP definition and
    the SmartOS C(nictag) one); null when it is absent.
  returned: always
  type: dict
network:
  description:
    - The network - C(label), C(vlan), C(key) (C(<label>) or C(<label>.<vlan>)), C(tag) (the C(nictagadm list) row - C(name),
      C(mac), C(link), C(type) - or null), C(definition) (the stored IP definition or null), C(state), C(state_message).
    - After a change, what the task made it (not read again); null when absent.
  returned: always
  type: dict
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
commands:
  description: The SmartOS commands the module ran (argument lists).
  returned: always
  type: list
  elements: list
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import Network
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def argument_spec():
    return dict(
        COMMAND_TIMEOUT_SPEC,
        label=dict(type='str', required=True, aliases=['nic_tag', 'name']),
        vlan=dict(type='int', default=0),
        link=dict(type='str'),
        etherstub=dict(type='bool', default=False),
        address=dict(type='str'),
        gateway=dict(type='str'),
        allocation=dict(type='str', choices=['dynamic', 'static']),
        resolvers=dict(type='list', elements='str'),
        reserved=dict(type='list', elements='str'),
        allocation_start=dict(type='str'),
        allocation_end=dict(type='str'),
        title=dict(type='str'),
        state=dict(type='str', default='active', choices=['active', 'inactive', 'absent']),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), mutually_exclusive=[['link', 'etherstub']], supports_check_mode=True)
    run_resource(module, Network(module))


if __name__ == '__main__':
    main()
