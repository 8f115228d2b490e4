#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: storage_info
short_description: List ZFS filesystems, volumes and snapshots of a SmartOS global zone as OCCI Storage resources
version_added: 0.1.0
description:
  - Lists datasets (filesystems and volumes) with their snapshots - all of them, those under O(name), or those
    matching filters by OCCI names (O(title), O(state)), by type, or by ZFS property values (O(filters)).
  - Returns each filesystem and volume as an OCCI JSON rendering (RV(resources), see M(smartstack.smartos.storage)
    for the mapping) and raw (RV(datasets)), and the snapshots raw (RV(snapshots)).
  - One command - C(zfs get -H -p -o name,property,value,source -t filesystem,volume,snapshot [-r|-d N] <properties>
    [name]); the sources tell a title set on a dataset from one inherited from its parent.
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes.info_module
  - smartstack.smartos.command
options:
  name:
    description:
      - The dataset to list (with its descendants unless O(recursive=false)); every pool's datasets when not given.
      - A snapshot name (C(pool/fs@snap)) lists that snapshot.
    type: str
    aliases: [dataset]
  recursive:
    description: List the descendants of O(name) (C(zfs get -r)).
    type: bool
    default: true
  depth:
    description: List descendants down to this depth only (C(zfs get -d)); overrides O(recursive).
    type: int
  snapshots:
    description: Whether to list snapshots.
    type: bool
    default: true
  type:
    description:
      - Only datasets of this type. V(snapshot) lists snapshots only (RV(datasets) is empty).
    type: str
    choices: [filesystem, volume, snapshot, all]
    default: all
  title:
    description: Only datasets with this OCCI title (user property C(smartstack:title), else the last name component).
    type: str
  state:
    description: Only datasets in this OCCI state (see M(smartstack.smartos.storage)).
    type: str
    choices: [online, offline]
  properties:
    description: More properties to read and return (native or user), beside the ones the OCCI rendering needs.
    type: list
    elements: str
  filters:
    description:
      - "Only rows whose property has this value, as C(zfs get -p) prints it (sizes in bytes; C(10G) and
        C(true)/C(false) are converted): C({compression: lz4, com.example:owner: build})."
      - The property is read as well; zfs refuses an unknown one (C(bad property list)).
    type: dict
'''

EXAMPLES = r'''
- name: Every dataset and snapshot
  smartstack.smartos.storage_info:
  register: all_storage

- name: The workspace and its snapshots
  smartstack.smartos.storage_info:
    name: zones/workspace
    recursive: false

- name: Volumes that are offline (read-only)
  smartstack.smartos.storage_info:
    name: zones
    type: volume
    state: offline

- name: Backups of the workspace
  smartstack.smartos.storage_info:
    name: zones/workspace
    type: snapshot
  register: snaps

- name: Print the datasets as text/occi
  ansible.builtin.debug:
    msg: "{{ all_storage.resources | smartstack.smartos.to_occi_text }}"
'''

RETURN = r'''
resources:
  description: The OCCI JSON renderings of the matching filesystems and volumes.
  returned: always
  type: list
  elements: dict
datasets:
  description:
    - The matching filesystems and volumes - C(name), C(type), C(properties) (as C(zfs get -H -p) prints them), their C(sources) and
      C(snapshots) (oldest first; C(name), C(createtxg), C(written), C(clones), C(backup) file).
  returned: always
  type: list
  elements: dict
snapshots:
  description:
    - The snapshots of the matching datasets (with O(type=snapshot), every snapshot matching O(filters)) - C(name),
      C(dataset), C(snapshot), C(backup) (the stream file of a backup snapshot), C(properties).
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
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.storage import StorageInfo
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            name=dict(type='str', aliases=['dataset']),
            recursive=dict(type='bool', default=True),
            depth=dict(type='int'),
            snapshots=dict(type='bool', default=True),
            type=dict(type='str', default='all', choices=['filesystem', 'volume', 'snapshot', 'all']),
            title=dict(type='str'),
            state=dict(type='str', choices=['online', 'offline']),
            properties=dict(type='list', elements='str'),
            filters=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    run_info(module, lambda: StorageInfo(module).run())


if __name__ == '__main__':
    main()
