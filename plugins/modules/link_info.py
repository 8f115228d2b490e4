#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: link_info
short_description: List the OCCI links of a SmartOS zone or VM (its NICs, disks and lofs mounts)
version_added: 0.1.0
description:
  - Lists every link of one compute (O(source)) - its NICs as OCCI C(networkinterface) links and its disks and
    C(filesystems) entries as OCCI C(storagelink) links - rendered as M(smartstack.smartos.link) renders them
    (RV(links)), beside the raw C(vmadm) entries they come from (RV(entries)).
  - A disk's storagelink targets C(/storage/<dataset>) - the disk's C(zfs_filesystem), or for an attached existing
    zvol (C(nocreate)) the dataset of its C(/dev/zvol/rdsk/<dataset>) path; cdroms are no storage and are left out.
    A lofs mount targets the dataset mounted at its source path on the global zone.
  - Commands - ONE C(vmadm lookup -j) (C(uuid=) or C(alias=)). When storagelinks are listed and the VM is a zone with
    lofs C(filesystems), one C(zfs list -H -p -o name,mountpoint,mounted -t filesystem) names the dataset at each
    lofs source (a source that is no dataset's mountpoint is read as a default mountpoint, C(/<dataset>)).
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes.info_module
  - smartstack.smartos.command
options:
  source:
    description:
      - The compute whose links are listed - its uuid, C(urn:uuid:<uuid>), location C(/compute/<uuid>) or alias (the
        OCCI title). An alias that several VMs have is refused (give the uuid); an alias may not start with C(~).
    type: str
    required: true
    aliases: [compute]
  kind:
    description:
      - Only links of this kind - V(networkinterface) (NICs) or V(storagelink) (disks, C(filesystems)). All when not
        given.
    type: str
    choices: [networkinterface, storagelink]
seealso:
  - module: smartstack.smartos.link
  - module: smartstack.smartos.compute_info
'''

EXAMPLES = r'''
- name: Every link of the zone web01
  smartstack.smartos.link_info:
    source: web01
  register: web01_links

- name: The storage links of a VM by uuid
  smartstack.smartos.link_info:
    source: 6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c
    kind: storagelink
  register: disks

- name: The datasets it uses
  ansible.builtin.debug:
    msg: "{{ disks.links | map(attribute='target.location') | list }}"
'''

RETURN = r'''
links:
  description:
    - The OCCI JSON renderings of the links - kind (C(networkinterface) or C(storagelink)), mixins (C(ipnetworkinterface)
      for a static address), attributes (C(occi.networkinterface.*), C(occi.storagelink.*)), id, source (the compute)
      and target (C(/network/<label>[.<vlan>]) or C(/storage/<dataset>)).
    - NICs first (in C(vmadm)'s order), then disks, then C(filesystems).
  returned: always
  type: list
  elements: dict
  sample:
    - kind: http://schemas.ogf.org/occi/infrastructure#storagelink
      id: /link/storagelink/6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c_disk1
      attributes:
        occi.storagelink.deviceid: /dev/zvol/rdsk/zones/extra
        occi.storagelink.state: inactive
      source:
        location: /compute/6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c
        kind: http://schemas.ogf.org/occi/infrastructure#compute
      target:
        location: /storage/zones/extra
        kind: http://schemas.ogf.org/occi/infrastructure#storage
entries:
  description:
    - The raw C(vmadm) entries, one per link and in the same order - C(kind), C(id) (the link's id) and one of C(nic),
      C(disk) or C(filesystem) (the object as C(vmadm get) prints it).
  returned: always
  type: list
  elements: dict
  sample:
    - kind: storagelink
      id: /link/storagelink/6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c_disk1
      disk: {path: /dev/zvol/rdsk/zones/extra, nocreate: true, model: virtio, media: disk, boot: false}
source:
  description: The location of the compute, C(/compute/<uuid>).
  returned: always
  type: str
  sample: /compute/6b1b1c3e-3b7e-4c52-9a2e-0e1c2f3a4b5c
vm_uuid:
  description: The uuid of the compute.
  returned: always
  type: str
commands:
  description: The SmartOS commands the module ran (argument lists).
  returned: always
  type: list
  elements: list
  sample: [["vmadm", "lookup", "-j", "alias=web01"]]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_info
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import LinkInfo
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            source=dict(type='str', required=True, aliases=['compute']),
            kind=dict(type='str', choices=['networkinterface', 'storagelink']),
        ),
        supports_check_mode=True,
    )
    run_info(module, lambda: LinkInfo(module).run())


if __name__ == '__main__':
    main()
