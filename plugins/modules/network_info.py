#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network_info
short_description: List the networks of a SmartOS global zone (nic tags, VLANs, IP ranges) as OCCI Network resources
version_added: 0.1.0
description:
  - Lists every network - one per nic tag (the untagged network), and the VLAN networks and inactive networks kept in the
    global zone's network store C(/opt/smartstack/networks.json) (see M(smartstack.smartos.network) for the mapping and
    the store) - or those matching the filters.
  - Returns each as an OCCI JSON rendering (RV(resources)) and raw (RV(networks)), and the nic tags as C(nictagadm) lists them.
  - One command - C(nictagadm list -p -d '|'); the store file is read by the module on the global zone.
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes.info_module
  - smartstack.smartos.command
options:
  label:
    description: Only networks on this nic tag.
    type: str
    aliases: [nic_tag, name]
  vlan:
    description: Only networks with this VLAN id (V(0) - untagged networks).
    type: int
  state:
    description: Only networks in this OCCI state.
    type: str
    choices: [active, inactive, error]
  type:
    description: Only networks whose nic tag is of this type.
    type: str
    choices: [normal, aggr, etherstub, overlay rule]
  title:
    description: Only networks with this OCCI title.
    type: str
'''

EXAMPLES = r'''
- name: Every network
  smartstack.smartos.network_info:
  register: networks

- name: The VLAN networks on the external tag
  smartstack.smartos.network_info:
    label: external

- name: Print them as text/occi
  ansible.builtin.debug:
    msg: "{{ networks.resources | smartstack.smartos.to_occi_text }}"
'''

RETURN = r'''
resources:
  description: The OCCI JSON renderings of the matching networks.
  returned: always
  type: list
  elements: dict
networks:
  description: The matching networks, as RV(smartstack.smartos.network#module:network) returns one.
  returned: always
  type: list
  elements: dict
nic_tags:
  description: Every nic tag as C(nictagadm list) shows it - C(name), C(mac), C(link) (null for C(-)), C(type).
  returned: always
  type: list
  elements: dict
commands:
  description: The SmartOS commands the module ran (argument lists).
  returned: always
  type: list
  elements: list
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_info
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.network import NetworkInfo
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            label=dict(type='str', aliases=['nic_tag', 'name']),
            vlan=dict(type='int'),
            state=dict(type='str', choices=['active', 'inactive', 'error']),
            type=dict(type='str', choices=['normal', 'aggr', 'etherstub', 'overlay rule']),
            title=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    run_info(module, lambda: NetworkInfo(module).run())


if __name__ == '__main__':
    main()
