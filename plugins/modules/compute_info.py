#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: compute_info
short_description: List SmartOS zones and VMs as OCCI Compute resources
version_added: 0.1.0
description:
  - Lists the zones and VMs of a global zone - all of them, or those matching filters given by OCCI names
    (O(id), O(title), O(hostname), O(state)), by brand, or as raw C(vmadm lookup) filters (O(filters)).
  - Returns each as an OCCI JSON rendering (RV(resources)) and as the raw C(vmadm) object (RV(vms)).
  - One command - C(vmadm lookup -j) with the filters; a second, one C(zfs list) of the filesystems' mountpoints,
    only when a listed zone has lofs C(filesystems), to name the dataset mounted at each lofs source.
  - Each resource's links are the VM's NICs (networkinterface) and its disks and C(filesystems) (storagelink),
    rendered as M(smartstack.smartos.link) and M(smartstack.smartos.link_info) render them.
  - C(customer_metadata) is returned as C(vmadm) prints it; set C(no_log) on the task when it holds secrets.
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes.info_module
  - smartstack.smartos.command
options:
  id:
    description: Only the VM with this uuid (or C(urn:uuid:<uuid>)).
    type: str
    aliases: [uuid]
  title:
    description: Only VMs with this alias (the OCCI title).
    type: str
    aliases: [alias, name]
  hostname:
    description: Only VMs with this hostname.
    type: str
  brand:
    description: Only VMs of this brand.
    type: str
    choices: [joyent, joyent-minimal, lx, bhyve, kvm]
  state:
    description:
      - Only VMs in this OCCI state - V(active) (vmadm C(running)), V(inactive) (any other vmadm state but
        C(failed)), V(error) (C(failed)). V(suspended) lists nothing - SmartOS cannot suspend a VM - and runs no
        command.
    type: str
    choices: [active, inactive, suspended, error]
  filters:
    description:
      - "Raw C(vmadm lookup) filters, C(field=value) as a mapping (C({brand: lx, tags.role: web, nics.*.nic_tag:
        admin})); a value starting with C(~) is a regular expression (vmadm's own rule)."
      - C(vmadm) refuses keys it does not know (C(Invalid lookup key)).
    type: dict
'''

EXAMPLES = r'''
- name: Every zone and VM
  smartstack.smartos.compute_info:
  register: all_vms

- name: Running web servers
  smartstack.smartos.compute_info:
    state: active
    filters:
      tags.role: web
  register: web

- name: Print them as text/occi
  ansible.builtin.debug:
    msg: "{{ web.resources | smartstack.smartos.to_occi_text }}"
'''

RETURN = r'''
resources:
  description: The OCCI JSON renderings of the matching VMs (see the C(resource) return of M(smartstack.smartos.compute)).
  returned: always
  type: list
  elements: dict
vms:
  description: The raw C(vmadm lookup -j) objects of the matching VMs.
  returned: always
  type: list
  elements: dict
commands:
  description: The SmartOS commands the module ran (argument lists).
  returned: always
  type: list
  elements: list
  sample: [["vmadm", "lookup", "-j", "state=running"], ["zfs", "list", "-H", "-p", "-o", "name,mountpoint,mounted", "-t", "filesystem"]]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_info
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import ComputeInfo
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            id=dict(type='str', aliases=['uuid']),
            title=dict(type='str', aliases=['alias', 'name']),
            hostname=dict(type='str'),
            brand=dict(type='str', choices=['joyent', 'joyent-minimal', 'lx', 'bhyve', 'kvm']),
            state=dict(type='str', choices=['active', 'inactive', 'suspended', 'error']),
            filters=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    run_info(module, lambda: ComputeInfo(module).run())


if __name__ == '__main__':
    main()
