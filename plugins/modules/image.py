#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: image
short_description: Import or delete SmartOS images, the OCCI OS templates (os_tpl)
version_added: 0.1.0
description:
  - Makes sure an image is installed in the global zone (imported with C(imgadm import) from the configured image
    sources or from an explicit O(source)), or that it is not (C(imgadm delete)).
  - An image is an OCCI OS template, a provider Mixin depending on C(http://schemas.ogf.org/occi/infrastructure#os_tpl),
    of scheme C(http://schemas.smartstack.io/occi/smartos/os_tpl#) and term C(<name>-<version>).
    The module returns it in RV(resource), beside imgadm's own object in RV(image).
  - An image that is already in the desired state costs exactly one command (C(imgadm get <uuid>) or
    C(imgadm list -j)). Importing adds C(imgadm avail -j) (to find the image in the sources and fail before
    changing anything when it is not there) and C(imgadm import).
  - Images are imported into and deleted from the zpool C(zones), imgadm's default.
author:
  - smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.command
options:
  image:
    description:
      - The image, as its uuid, as C(name@version), or (O(state=imported) only) as a name alone.
      - A name alone means the newest installed image of that name (by C(published_at), then version); only when
        none is installed, the newest image of that name the sources offer is imported.
      - An uuid of this provider's os_tpl scheme (C(http://schemas.smartstack.io/occi/smartos/os_tpl#<uuid>)) is
        accepted too.
      - A reference that matches two images (the same name and version under two uuids) is refused; name the
        image by uuid.
    type: str
    required: true
    aliases: [name, os_tpl]
  state:
    description:
      - V(imported) installs the image if it is not installed.
      - V(absent) deletes the installed image. imgadm refuses to delete an image that VMs (or other images) are
        cloned from, and the module fails with imgadm's message; there is no forced deletion, as imgadm offers
        none. A missing image is not an error.
    type: str
    choices: [imported, absent]
    default: imported
  source:
    description:
      - URL of an image source (IMGAPI) to import from instead of the configured sources (C(imgadm import -S)).
      - O(image) must then be an uuid, because imgadm can only list the configured sources.
      - Not used with O(state=absent).
    type: str
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode, deleting an image that VMs use fails as imgadm would, without running it.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
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
seealso:
  - module: smartstack.smartos.image_info
  - name: imgadm(8)
    description: The SmartOS image tool.
    link: https://smartos.org/man/8/imgadm
"""

EXAMPLES = r"""
- name: Import an image by uuid
  smartstack.smartos.image:
    image: e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8

- name: Import base-64-lts 24.4.1
  smartstack.smartos.image:
    image: base-64-lts@24.4.1

- name: Make sure some version of minimal-64-lts is installed (the newest when none is)
  smartstack.smartos.image:
    image: minimal-64-lts
  register: minimal

- name: Show the image as an OCCI os_tpl mixin
  ansible.builtin.debug:
    msg: "{{ minimal.resource.scheme }}{{ minimal.resource.term }}"

- name: Import from a source that is not configured
  smartstack.smartos.image:
    image: e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8
    source: https://images.example.com

- name: Delete an image (fails while VMs use it)
  smartstack.smartos.image:
    image: base-64-lts@23.4.0
    state: absent
"""

RETURN = r"""
resource:
  description:
    - The image as an OCCI os_tpl Mixin (GFD.225 JSON rendering of a category). Its attributes carry the
      image's facts as immutable defaults (C(smartos.image.uuid), C(.name), C(.version), C(.os), C(.type),
      C(.published_at)).
    - V(null) with O(state=absent).
  returned: success
  type: dict
  sample:
    term: base-64-lts-24.4.1
    scheme: http://schemas.smartstack.io/occi/smartos/os_tpl#
    title: A 64-bit SmartOS image with just essential packages installed.
    attributes:
      smartos.image.uuid:
        mutable: false
        required: false
        type: string
        default: e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8
        description: UUID of the SmartOS image
    depends: [http://schemas.ogf.org/occi/infrastructure#os_tpl]
    applies: [http://schemas.ogf.org/occi/infrastructure#compute]
    location: /mixin/os_tpl/base-64-lts-24.4.1/
image:
  description:
    - The installed image as C(imgadm get) (or C(imgadm list -j)) prints it, C(manifest), C(zpool) and C(source).
    - In check mode, when the image would be imported, what it would be (the manifest the source offers).
    - V(null) with O(state=absent).
  returned: success
  type: dict
  sample:
    manifest:
      v: 2
      uuid: e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8
      name: base-64-lts
      version: 24.4.1
      type: zone-dataset
      os: smartos
    zpool: zones
    source: https://images.smartos.org
actions:
  description: What was done (or would be done in check mode), one line per command that changes something.
  returned: always
  type: list
  elements: str
  sample: ["import image e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8 (base-64-lts@24.4.1) from https://images.smartos.org"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import reported_errors, run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.image import ImageResource
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC, CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.imgadm import Imgadm


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            image=dict(type='str', required=True, aliases=['name', 'os_tpl']),
            state=dict(type='str', default='imported', choices=['imported', 'absent']),
            source=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params['source'] is not None and params['state'] == 'absent':
        module.fail_json(msg='source is only used with state=imported')
    imgadm = Imgadm(CommandRunner(module))
    with reported_errors(module):
        resource = ImageResource(imgadm, params['image'], state=params['state'], source=params['source'],
                                 check_mode=module.check_mode)
    run_resource(module, resource)


if __name__ == '__main__':
    main()
