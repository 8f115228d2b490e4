#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: image_info
short_description: List SmartOS images, the OCCI OS templates (os_tpl) a global zone offers
version_added: 0.1.0
description:
  - Lists the images installed in the global zone (C(imgadm list -j)) and, with O(available=true), the images the
    configured image sources offer (C(imgadm avail -j)), optionally filtered.
  - Each image is also rendered as an OCCI OS template, a provider Mixin depending on
    C(http://schemas.ogf.org/occi/infrastructure#os_tpl), of scheme C(http://schemas.smartstack.io/occi/smartos/os_tpl#)
    and term C(<name>-<version>).
  - One command (two with O(available=true)); nothing changes.
author:
  - smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.command
options:
  available:
    description:
      - Also list what the configured image sources offer (active images only, as C(imgadm avail) lists them).
    type: bool
    default: false
  uuid:
    description: Only the image with this uuid (in either case).
    type: str
  name:
    description: Only images of this name (exact match).
    type: str
  version:
    description: Only images of this version (exact match).
    type: str
  os:
    description: Only images of this operating system (exact match), for example V(smartos) or V(linux).
    type: str
  type:
    description: Only images of this type (exact match), for example V(zone-dataset), V(lx-dataset) or V(zvol).
    type: str
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: N/A
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: smartos
  action_group:
    description: Use C(group/smartstack.smartos.smartos) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - smartstack.smartos.smartos
notes:
  - Runs in the global zone of a SmartOS host.
  - The filters compare the manifests' own values, in the module (imgadm's C(field=value) filters would add computed
    fields to the manifests it prints with C(-j)).
seealso:
  - module: smartstack.smartos.image
"""

EXAMPLES = r"""
- name: Installed images
  smartstack.smartos.image_info:
  register: installed

- name: The SmartOS images the sources offer, newest last
  smartstack.smartos.image_info:
    available: true
    os: smartos
  register: offered

- name: Their os_tpl type identifiers
  ansible.builtin.debug:
    msg: "{{ offered.resources | map(attribute='term') | list }}"
"""

RETURN = r"""
images:
  description:
    - The installed images that match, as C(imgadm list -j) prints them (C(manifest), C(zpool), C(source), C(clones),
      C(cloneNames)).
  returned: always
  type: list
  elements: dict
  sample:
    - manifest:
        uuid: e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8
        name: base-64-lts
        version: 24.4.1
        os: smartos
        type: zone-dataset
      zpool: zones
      source: https://images.smartos.org
      clones: 0
      cloneNames: []
available:
  description:
    - With O(available=true), the images the sources offer that match, as C(imgadm avail -j) prints them
      (C(manifest), C(source)), installed or not.
  returned: when O(available=true)
  type: list
  elements: dict
resources:
  description:
    - The OCCI os_tpl Mixins (GFD.225 JSON renderings of categories), one per installed image in RV(images), then, with
      O(available=true), one per offered image that is not installed.
  returned: always
  type: list
  elements: dict
  sample:
    - term: base-64-lts-24.4.1
      scheme: http://schemas.smartstack.io/occi/smartos/os_tpl#
      title: A 64-bit SmartOS image with just essential packages installed.
      depends: [http://schemas.ogf.org/occi/infrastructure#os_tpl]
      applies: [http://schemas.ogf.org/occi/infrastructure#compute]
      location: /mixin/os_tpl/base-64-lts-24.4.1/
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_info
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.image import image_inventory
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC, CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.imgadm import Imgadm

FILTERS = ('uuid', 'name', 'version', 'os', 'type')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            available=dict(type='bool', default=False),
            uuid=dict(type='str'),
            name=dict(type='str'),
            version=dict(type='str'),
            os=dict(type='str'),
            type=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    filters = dict((key, module.params[key]) for key in FILTERS if module.params[key] is not None)
    if 'uuid' in filters:
        filters['uuid'] = filters['uuid'].lower()  # imgadm's uuids are lowercase
    run_info(module, lambda: image_inventory(Imgadm(CommandRunner(module)), filters, available=module.params['available']))


if __name__ == '__main__':
    main()
