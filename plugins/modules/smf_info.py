#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: smf_info
short_description: List SMF service instances and their states
version_added: 0.1.0
description:
  - Lists SMF instances with C(svcs -H -o state,nstate,stime,ctid,fmri) (one command) and filters them by state.
  - Without O(name), the enabled instances (as C(svcs) lists them) or, with O(all=true), every instance.
author:
  - smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.command
options:
  name:
    description:
      - FMRIs, abbreviations or globs as C(svcs) accepts them (for example C(ssh), C(svc:/site/*)).
      - A pattern that matches nothing is not an error; it is listed in RV(unmatched).
    type: list
    elements: str
    default: []
    aliases: [fmri]
  state:
    description:
      - Only the instances in one of these states.
    type: list
    elements: str
    choices: [uninitialized, offline, online, degraded, maintenance, disabled, legacy_run]
    default: []
  all:
    description:
      - Without O(name), list every instance, not only the enabled ones (C(svcs -a)).
    type: bool
    default: false
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
notes:
  - Runs in the global zone of a SmartOS host or in a zone.
seealso:
  - module: smartstack.smartos.smf
"""

EXAMPLES = r"""
- name: Everything in maintenance
  smartstack.smartos.smf_info:
    all: true
    state: [maintenance]
  register: broken

- name: The site's services
  smartstack.smartos.smf_info:
    name: ['svc:/site/*']
"""

RETURN = r"""
services:
  description: The matching instances, sorted by FMRI.
  returned: success
  type: list
  elements: dict
  sample:
    - fmri: svc:/network/ssh:default
      state: online
      next_state: null
      stime: "9:44:27"
      ctid: 1003
      logfile: /var/svc/log/network-ssh:default.log
unmatched:
  description: The patterns of O(name) that matched no instance.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import reported_errors
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC, CommandRunner
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.smf import STATES, Smf, log_path


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMAND_TIMEOUT_SPEC,
            name=dict(type='list', elements='str', default=[], aliases=['fmri']),
            state=dict(type='list', elements='str', default=[], choices=list(STATES)),
            all=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    runner = CommandRunner(module)
    smf = Smf(runner)
    names = module.params['name']
    with reported_errors(module):
        rows = smf.list(names, all_instances=module.params['all'])
    wanted = set(module.params['state'])
    services = []
    for row in sorted(rows, key=lambda r: r['fmri']):
        if wanted and row['state'] not in wanted:
            continue
        row['logfile'] = log_path(row['fmri']) if row['fmri'].startswith('svc:/') else None
        services.append(row)
    unmatched = []
    if names:
        # svcs names each operand that matched nothing on stderr (smartos_smf_zones.md §1.2)
        printed = set(smf.last_unmatched)
        unmatched = [name for name in names if name in printed or 'svc:/' + name in printed]
    module.exit_json(changed=False, services=services, unmatched=unmatched)


if __name__ == '__main__':
    main()
