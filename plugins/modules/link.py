#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: link
short_description: Manage the NICs and attached storage of SmartOS VMs as OCCI links
version_added: 0.1.0
description:
  - Adds, changes and removes a NIC of a VM (O(source)) on a network (O(target)) with C(vmadm update) (C(add_nics),
    C(update_nics), C(remove_nics)) - an OCCI C(networkinterface) link from C(/compute/<uuid>) to C(/network/<label>[.<vlan>]).
  - "Addresses: O(address) when given (without a prefix it takes the network's); else V(dhcp) on a network with
    C(allocation: dynamic); else, on a network with an address range (M(smartstack.smartos.network)), the next free address
    is ALLOCATED - the lowest host address of the range that no NIC of any VM on this global zone holds, the network's
    gateway excluded. Allocation runs under a global-zone-wide lock (C(flock) on C(/opt/smartstack/.allocate.lock)), which
    it holds while it reads the addresses in use again and adds the NIC, so that two allocations from any controllers
    never pick the same address. An existing NIC on the network keeps its address."
  - The gateway defaults to the network's. A new NIC on an inactive network is refused. Allocation stays between the network's
    C(allocation_start) and C(allocation_end), skips its C(reserved) addresses and ranges (M(smartstack.smartos.network)) and
    the addresses inactive links keep.
  - "O(kind=storagelink): a storage (O(target), a ZFS dataset as M(smartstack.smartos.storage) manages it) on a VM (O(source)).
    On a zone (C(joyent), C(joyent-minimal), C(lx)) it is a C(filesystems) lofs mount of the dataset's mountpoint at
    O(mountpoint) in the zone (O(read_only)), with C(vmadm update) C(add_filesystems), C(update_filesystems),
    C(remove_filesystems); a running zone sees the change at its next boot (RV(restart_required)). On a C(bhyve) or C(kvm) VM
    it is a disk - the existing zvol (C(nocreate), path C(/dev/zvol/rdsk/<dataset>)) with O(model) and O(boot) - with
    C(add_disks), C(update_disks), C(remove_disks). vmadm changes disks only on a stopped VM: a disk change on a running VM
    is refused before anything runs (also in check mode) with what to do. vmadm destroys the zvol of a disk it removes
    (smartos-live VM.js C(deleteVolume), C(zfs destroy -rF)), so removing a disk link needs O(purge=true)."
  - "O(state=inactive) (OCCI link state C(inactive)) - SmartOS has no disabled NIC or mount, so an inactive link is DETACHED
    from the VM while its definition is KEPT in the global zone's store (C(/opt/smartstack/networks.json), section C(links)):
    a network interface is removed from the VM (C(remove_nics)) and its interface, MAC, addresses, gateway and other
    properties are kept, so its addresses stay reserved (allocation skips them, a task giving one is refused) and
    O(state=active) attaches it again with the same MAC and addresses (and interface, unless another NIC took it). A zone's
    mount is taken out of C(filesystems) (C(remove_filesystems)) and put back the same way. A disk cannot be inactive
    (vmadm would destroy its zvol) - refused with what to do. The record is written before the detach and removed after the
    attach; a record whose VM was deleted reserves nothing. A link that does not exist cannot be created inactive."
  - "O(delegate=true) - a dataset delegated to a zone (vmadm C(datasets), made by C(delegate_dataset) when the zone is
    created), rendered as a storagelink. vmadm cannot delegate a dataset to an existing zone or take one away (man vmadm -
    C(delegate_dataset) create only, C(datasets) not updatable), so a task that would change one is refused with what to
    do - create the zone with M(smartstack.smartos.compute) O(smartstack.smartos.compute#module:properties)
    C({delegate_dataset: true})."
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes
  - smartstack.smartos.command
options:
  kind:
    description: The OCCI link kind.
    type: str
    choices: [networkinterface, storagelink]
    default: networkinterface
  source:
    description: The VM - its uuid, C(urn:uuid:<uuid>), C(/compute/<uuid>) or its alias (the OCCI title; it must be unique).
    type: str
    required: true
  target:
    description:
      - O(kind=networkinterface) - the network - its label (nic tag), C(<label>.<vlan>) or C(/network/<label>[.<vlan>]).
      - O(kind=storagelink) - the storage - its dataset (C(zones/data)) or C(/storage/<dataset>).
    type: str
    required: true
  interface:
    description:
      - The NIC (C(net0) ...) this link is; it must exist unless O(state=absent). Without it, the VM's one NIC on O(target)
        (more than one is refused), or a new NIC (vmadm names it).
    type: str
  mac:
    description: The NIC's MAC address (identifies an existing NIC when O(interface) is not given; set on a new one).
    type: str
  address:
    description: The NIC's IP address, with or without a prefix. Default - allocated, see the description.
    type: str
  gateway:
    description: The NIC's gateway. Default - the network's gateway.
    type: str
  primary:
    description: Whether this is the VM's primary NIC (its default route).
    type: bool
  allow_ip_spoofing:
    description: Let the VM send packets from other addresses.
    type: bool
  model:
    description:
      - The emulated NIC model of a bhyve or KVM VM (C(virtio), C(e1000) ...).
      - O(kind=storagelink) - the disk model (bhyve C(virtio), C(ahci), C(nvme); kvm C(virtio), C(scsi), C(ide)); a new disk defaults
        to C(virtio).
    type: str
  mountpoint:
    description: O(kind=storagelink) on a zone - where the storage is mounted in the zone (absolute path); it identifies the link.
    type: str
  read_only:
    description: O(kind=storagelink) on a zone - mount read-only (lofs option C(ro); else C(rw)). Mounts are always C(nodevice).
    type: bool
  boot:
    description: O(kind=storagelink) on a bhyve or kvm VM - whether the disk is the boot disk.
    type: bool
  deviceid:
    description:
      - O(kind=storagelink) on a bhyve VM - the disk's PCI slot in the guest (OCCI C(occi.storagelink.deviceid), vmadm
        C(disks.*.pci_slot)) - C(<bus>:<device>:<function>) (C(0:4:1)), C(<device>:<function>) or C(<device>); bus 0-255,
        device 0-31, function 0-7, devices 0, 6, 30 and 31 of bus 0 reserved. Kept as C(<bus>:<device>:<function>);
        changing it needs the VM stopped. Without it vmadm picks a free slot.
      - The rendered deviceid is the disk's C(pci_slot), else its path. kvm disks have no settable device id (refused);
        a zone's storagelink is named by O(mountpoint).
    type: str
  delegate:
    description:
      - O(kind=storagelink) on a zone - O(target) is (to be) a dataset delegated to the zone (see the description); nothing
        is ever changed, a task that would change one is refused.
    type: bool
    default: false
  purge:
    description:
      - O(kind=storagelink) on a bhyve or kvm VM with O(state=absent) - confirm that removing the disk destroys its zvol
        (vmadm does so); without it the removal is refused.
    type: bool
    default: false
  mtu:
    description: The NIC's MTU.
    type: int
  properties:
    description: Other vmadm NIC properties (C(allow_mac_spoofing), C(blocked_outgoing_ports) ...), as vmadm takes them.
    type: dict
  state:
    description:
      - V(active) - the NIC (or mount, or disk) is attached as described; V(inactive) - detached, its definition kept (see
        the description); V(absent) - neither attached nor kept.
    type: str
    choices: [active, inactive, absent]
    default: active
notes:
  - Commands - an idempotent run is one C(vmadm lookup -j -o uuid,alias,state,nics). A change adds one C(vmadm update) and one
    C(vmadm get) (the NIC as vmadm made it); an allocation adds one C(vmadm lookup) under the lock.
  - VM-wide settings (C(resolvers)) are M(smartstack.smartos.compute)'s.
  - Storage links - an idempotent run is one C(vmadm lookup -j -o uuid,alias,state,brand,filesystems,disks) (a zone's lofs
    source other than the dataset's default mountpoint C(/<dataset>) adds one C(zfs get)). An attach adds one C(zfs get)
    (the dataset must exist, be a mounted filesystem for a zone, a volume for a disk), one C(vmadm update) and one C(vmadm get).
  - Inactive links - an idempotent run is the same one C(vmadm lookup) (the store file is read by the module itself).
    Deactivation writes the store file and runs one C(vmadm update); activation one C(vmadm update), one C(vmadm get),
    and writes the store file.
seealso:
  - module: smartstack.smartos.network
  - module: smartstack.smartos.compute
'''

EXAMPLES = r'''
- name: A NIC on VLAN 100 of external, address allocated from the network's range
  smartstack.smartos.link:
    source: web1
    target: external.100
  register: nic

- name: A fixed address, not the primary NIC
  smartstack.smartos.link:
    source: urn:uuid:7b282a47-7af8-4f61-9bdb-0b567b9ddb46
    target: internal
    address: 10.5.0.20
    primary: false

- name: Remove it
  smartstack.smartos.link:
    source: web1
    target: internal
    state: absent

- name: Mount the dataset zones/shared read-only at /shared in zone web1
  smartstack.smartos.link:
    kind: storagelink
    source: web1
    target: /storage/zones/shared
    mountpoint: /shared
    read_only: true

- name: The zvol zones/db-data as a second disk of the (stopped) bhyve VM db1, in PCI slot 0:4:1
  smartstack.smartos.link:
    kind: storagelink
    source: db1
    target: zones/db-data
    model: nvme
    deviceid: "0:4:1"

- name: Detach web1's NIC on internal but keep its MAC and address reserved
  smartstack.smartos.link:
    source: web1
    target: internal
    state: inactive

- name: Attach it again, as it was
  smartstack.smartos.link:
    source: web1
    target: internal
    state: active

- name: The dataset delegated to zone web1 at its creation, as an OCCI storagelink
  smartstack.smartos.link:
    kind: storagelink
    source: web1
    target: zones/7b282a47-7af8-4f61-9bdb-0b567b9ddb46/data
    delegate: true

- name: Detach the disk zones/db-data from db1 and destroy the zvol (vmadm does)
  smartstack.smartos.link:
    kind: storagelink
    source: db1
    target: zones/db-data
    state: absent
    purge: true
'''

RETURN = r'''
resource:
  description:
    - The OCCI JSON rendering of the link (kind C(networkinterface), mixin C(ipnetworkinterface) with a static address; or kind
      C(storagelink)); null when absent.
  returned: always
  type: dict
nic:
  description: The vmadm NIC object; null when absent.
  returned: when O(kind=networkinterface)
  type: dict
filesystem:
  description: The zone's vmadm C(filesystems) entry; null when absent.
  returned: when O(kind=storagelink) and the VM is a zone
  type: dict
disk:
  description: The VM's vmadm disk object; null when absent.
  returned: when O(kind=storagelink) and the VM is bhyve or kvm
  type: dict
dataset:
  description: The delegated dataset (C({dataset})); null when the zone has none by that name.
  returned: when O(kind=storagelink) and O(delegate=true)
  type: dict
link_state:
  description:
    - V(active) (attached), V(inactive) (detached, its definition kept in the store) or V(absent).
    - With O(state=inactive), RV(nic) and RV(filesystem) are the kept definition.
  returned: always
  type: str
  sample: inactive
storage:
  description: The storage's dataset.
  returned: when O(kind=storagelink)
  type: str
restart_required:
  description: The zone is running and sees the changed mount at its next boot.
  returned: when O(kind=storagelink)
  type: bool
vm_uuid:
  description: The source VM's uuid.
  returned: always
  type: str
address:
  description: The NIC's static address (allocated or given), without prefix; null with DHCP.
  returned: when O(kind=networkinterface)
  type: str
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
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.link import link_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def argument_spec():
    return dict(
        COMMAND_TIMEOUT_SPEC,
        kind=dict(type='str', default='networkinterface', choices=['networkinterface', 'storagelink']),
        source=dict(type='str', required=True),
        target=dict(type='str', required=True),
        interface=dict(type='str'),
        mac=dict(type='str'),
        address=dict(type='str'),
        gateway=dict(type='str'),
        primary=dict(type='bool'),
        allow_ip_spoofing=dict(type='bool'),
        model=dict(type='str'),
        mtu=dict(type='int'),
        mountpoint=dict(type='str'),
        read_only=dict(type='bool'),
        boot=dict(type='bool'),
        deviceid=dict(type='str'),
        delegate=dict(type='bool', default=False),
        purge=dict(type='bool', default=False),
        properties=dict(type='dict'),
        state=dict(type='str', default='active', choices=['active', 'inactive', 'absent']),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_resource(module, link_resource(module))


if __name__ == '__main__':
    main()
