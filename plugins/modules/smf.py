#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: smf
short_description: Import an SMF service from a manifest and enable, disable, restart, refresh or delete it
version_added: 0.1.0
description:
  - Imports an SMF service from a manifest (a file on the host, O(manifest), or the text of one, O(content)) after
    C(svccfg validate) accepts it, and brings its instances to O(state).
  - Waits until the instances are C(online) (or C(disabled)) for up to O(timeout) seconds, as C(svcadm) itself returns
    before the restarter has acted. An instance that goes to C(maintenance) fails the task with the last lines of its
    log (C(/var/svc/log/<service>:<instance>.log)).
  - O(persist=true) copies the manifest into C(/opt/custom/smf), from where SmartOS imports it again at every boot of the
    global zone; without it, the service is gone after a reboot, like every other SMF change in a SmartOS global zone.
  - When nothing has to change, the module runs exactly one command (C(svcs)); it compares the manifest with the copy
    of the manifest it last imported, kept in C(/etc/svc/volatile/smartstack) (a tmpfs emptied at boot, like the SMF
    changes it records) or, after a reboot, with the persisted copy. Changes made to the service by hand with
    C(svccfg) are therefore not detected; use O(state=refreshed) or O(state=restarted) after them.
  - A changed manifest is validated, imported again (C(svccfg import) keeps each instance's enabled state) and, with
    O(restart_on_change=true), running instances are restarted so that new methods take effect.
author:
  - smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.command
options:
  name:
    description:
      - The service (C(site/foo), C(svc:/site/foo)) or one instance (C(svc:/site/foo:default)).
      - With O(manifest) or O(content), optional and limited to the services of the manifest; without, required (for
        example to delete, restart or refresh a service that exists).
    type: str
    aliases: [fmri]
  manifest:
    description:
      - Path of a manifest on the host (the global zone).
      - Mutually exclusive with O(content).
    type: path
  content:
    description:
      - The text of a manifest, for example from a template (C(lookup('template', 'foo.xml.j2'))).
      - Written to a private temporary file (mode 0600) for C(svccfg), removed afterwards.
    type: str
  state:
    description:
      - V(enabled) imports the manifest when needed and makes every instance online (enabling it, or clearing its
        maintenance state).
      - V(disabled) imports the manifest when needed and disables every instance (persistently).
      - V(restarted) restarts the running instances and starts the others; always changes.
      - V(refreshed) makes the instances re-read their configuration (C(svcadm refresh)); always changes.
      - V(absent) disables the instances, deletes the service (C(svccfg delete)) and removes the persisted manifest.
    type: str
    choices: [enabled, disabled, restarted, refreshed, absent]
    default: enabled
  persist:
    description:
      - Keep a copy of the manifest in O(persist_dir) so that the service survives a reboot of the global zone.
      - V(false) removes a copy the module persisted earlier (as C(<service with / as ->.xml)).
    type: bool
    default: false
  persist_dir:
    description:
      - Where SmartOS imports manifests from at boot.
    type: path
    default: /opt/custom/smf
  timeout:
    description:
      - Seconds to wait for the instances to reach C(online) or C(disabled).
    type: int
    default: 60
  restart_on_change:
    description:
      - Restart running instances after a changed manifest was imported (O(state=enabled)).
    type: bool
    default: true
  log_lines:
    description:
      - How many lines of the instance's log a failure reports.
    type: int
    default: 20
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode the manifest is still validated (C(svccfg validate) changes nothing).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: smartos
notes:
  - Runs in the global zone of a SmartOS host (or in a zone, without persistence).
  - Enabling is persistent (C(svcadm enable) without C(-t)), but in a SmartOS global zone only a persisted manifest
    brings a service back after a reboot; its instances then start as the manifest says (C(enabled='true')).
seealso:
  - module: smartstack.smartos.smf_info
  - name: smf(7)
    description: The Service Management Facility.
    link: https://smartos.org/man/7/smf
  - name: Persistent services in the SmartOS global zone
    description: Manifests in /opt/custom/smf are imported at boot.
    link: https://docs.smartos.org/administering-the-global-zone/
"""

EXAMPLES = r"""
- name: A daemon from a manifest on the host, online now and after every reboot
  smartstack.smartos.smf:
    manifest: /opt/custom/share/svc/mydaemon.xml
    state: enabled
    persist: true

- name: From a template
  smartstack.smartos.smf:
    content: "{{ lookup('ansible.builtin.template', 'nova-compute.xml.j2') }}"
    persist: true
    timeout: 120

- name: Restart it
  smartstack.smartos.smf:
    name: svc:/site/mydaemon:default
    state: restarted

- name: Remove it (and its persisted manifest)
  smartstack.smartos.smf:
    name: site/mydaemon
    state: absent
"""

RETURN = r"""
services:
  description: The instances after the task, as C(svcs) lists them, with their log file.
  returned: success
  type: list
  elements: dict
  sample:
    - fmri: svc:/site/mydaemon:default
      state: online
      next_state: null
      stime: "10:02:03"
      ctid: 1001
      logfile: /var/svc/log/site-mydaemon:default.log
fmris:
  description: The services the task acted on.
  returned: success
  type: list
  elements: str
  sample: [svc:/site/mydaemon]
persist_path:
  description: Where the manifest is persisted (V(null) without O(persist)).
  returned: success
  type: str
  sample: /opt/custom/smf/site-mydaemon.xml
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["validate and import the manifest of svc:/site/mydaemon", "wait until svc:/site/mydaemon:default online"]
log:
  description: On failure because an instance went to maintenance, the last O(log_lines) lines of its log.
  returned: failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import reported_errors, run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.smf import SmfService
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC, CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.smf import Smf


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            name=dict(type='str', aliases=['fmri']),
            manifest=dict(type='path'),
            content=dict(type='str'),
            state=dict(type='str', default='enabled', choices=['enabled', 'disabled', 'restarted', 'refreshed', 'absent']),
            persist=dict(type='bool', default=False),
            persist_dir=dict(type='path', default='/opt/custom/smf'),
            timeout=dict(type='int', default=60),
            restart_on_change=dict(type='bool', default=True),
            log_lines=dict(type='int', default=20),
        ),
        mutually_exclusive=[('manifest', 'content')],
        required_one_of=[('name', 'manifest', 'content')],
        supports_check_mode=True,
    )
    params = module.params
    if params['timeout'] < 0:
        module.fail_json(msg='timeout must be 0 or more seconds, not %s' % params['timeout'])
    with reported_errors(module):
        resource = SmfService(module, Smf(CommandRunner(module)), name=params['name'], manifest=params['manifest'],
                              content=params['content'], state=params['state'], persist=params['persist'],
                              persist_dir=params['persist_dir'], timeout=params['timeout'], log_lines=params['log_lines'],
                              restart_on_change=params['restart_on_change'])
    run_resource(module, resource)


if __name__ == '__main__':
    main()
