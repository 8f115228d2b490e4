#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: compute
short_description: Manage SmartOS zones and VMs as OCCI Compute resources
version_added: 0.1.0
description:
  - Creates, updates, starts, stops, restarts and deletes a zone or VM of any SmartOS brand (C(joyent),
    C(joyent-minimal), C(lx), C(bhyve), C(kvm)) with C(vmadm), taking the OCCI Compute attributes as options
    (O(title), O(hostname), O(cores), O(memory) in GiB, O(share), O(architecture)), the OCCI C(os_tpl) and
    C(resource_tpl) mixins (O(os_tpl), O(resource_tpl)), and raw C(vmadm) properties for what OCCI does not name
    (O(properties)).
  - "Mapping: O(title) is C(alias); O(cores) is C(vcpus) for bhyve and kvm and C(cpu_cap) = 100 x cores for zones;
    O(memory) is C(ram) for bhyve and kvm (vmadm adds its overhead to C(max_physical_memory)) and
    C(max_physical_memory) for zones, in GiB of 1024 MiB; O(share) is C(cpu_shares)."
  - The VM is read with ONE C(vmadm lookup -j) (by O(id) or O(title)); when nothing has to change that is the only
    command the task runs. Otherwise the module compares the desired properties with that object, knowing which
    ones C(vmadm update) changes live, which a running VM only picks up at its next boot (C(ram), C(vcpus), ...;
    see O(restart_for_changes)), and which C(vmadm) only takes when a VM is created (brand, image, zpool, NICs and
    disks at creation, ...; refused unless O(recreate)), and writes them with ONE C(vmadm update) payload.
  - A title that matches more than one VM is an error, whatever the state (absent included); nothing is done.
    Give O(id) to pick one.
  - C(vmadm) silently drops properties that a brand or an update does not take; the module refuses them instead,
    so that every task converges.
  - NICs and disks are only used when the VM is created; afterwards they are OCCI links (a later C(link) module).
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes
  - smartstack.smartos.command
options:
  id:
    description:
      - The VM's uuid (or C(urn:uuid:<uuid>), the OCCI id the module returns).
      - When the VM does not exist it is created with this uuid.
    type: str
    aliases: [uuid]
  title:
    description:
      - The OCCI title, the VM's C(alias). Identifies the VM when O(id) is not given; with O(id), the alias is set
        to it.
      - May not start with C(~) (C(vmadm lookup) would read it as a regular expression).
    type: str
    aliases: [alias, name]
  state:
    description:
      - V(present) - the VM exists with the given attributes; a new VM boots as C(vmadm) does by default (unless
        O(properties) sets C(autoboot) false), an existing one is left running or stopped.
      - V(active) - the VM exists and runs (OCCI state active).
      - V(inactive) - the VM exists and is stopped (OCCI state inactive); a new VM is created stopped.
      - V(restarted) - the VM exists and is restarted (started when it was stopped); always a change.
      - V(absent) - the VM does not exist (C(vmadm delete), which also stops a running VM).
      - V(suspended) - refused with an explanation - SmartOS cannot suspend or pause a VM (C(vmadm) has no such
        command), so the OCCI state suspended is not available.
    type: str
    choices: [present, active, inactive, restarted, absent, suspended]
    default: present
  action:
    description:
      - An OCCI Compute action to perform after the VM's attributes converged (with O(state=present) only).
      - V(start) and V(stop) do nothing when the VM already runs or is already stopped. V(restart) of a stopped VM
        fails, as OCCI defines restart for active VMs only (use O(state=restarted) to start a stopped one).
      - V(suspend) is refused, see O(state).
    type: str
    choices: [start, stop, restart, suspend]
  method:
    description:
      - The OCCI method of a stop or restart (from O(state) or O(action)).
      - V(graceful) and V(acpioff) - C(vmadm stop) (a shutdown in a zone, an ACPI power button for bhyve and kvm);
        V(poweroff) - C(vmadm stop -F).
      - V(graceful) and V(warm) - C(vmadm reboot); V(cold) - C(vmadm reboot -F).
    type: str
    choices: [graceful, acpioff, poweroff, warm, cold]
    default: graceful
  timeout:
    description:
      - Seconds a graceful stop of a bhyve or kvm VM waits before it forces the VM off (C(vmadm stop -t)).
      - C(vmadm) takes it for bhyve and kvm only; with a zone the module fails before doing anything.
    type: int
  brand:
    description:
      - The brand of a new VM. Default - the image's C(requirements.brand), else C(lx) for an C(lx-dataset) image,
        C(bhyve) for a C(zvol) image, else C(joyent).
      - Create-only; a different brand of an existing VM is refused unless O(recreate).
    type: str
    choices: [joyent, joyent-minimal, lx, bhyve, kvm]
  os_tpl:
    description:
      - The image (OCCI os_tpl) of a new VM - an image uuid, C(name@version), or C(name) for the newest version.
        It is imported with C(imgadm) when it is not installed.
      - For bhyve and kvm it becomes the boot disk's image (a disk is added when O(disks) has none to take it).
      - Create-only. The VM records the reference in its C(internal_metadata) (C(smartstack:os_tpl)), so that an
        unchanged reference costs no C(imgadm) command; a different one is resolved and, when it names another
        image, refused unless O(recreate). A VM that does not record it (made by another tool) costs one C(imgadm)
        read per run, until the module writes another change to it (the reference is recorded with it).
      - An image uuid together with O(brand) costs no C(imgadm) command at creation either - C(vmadm create) refuses
        an image that is not installed and creates nothing; only then is it imported and the creation repeated.
    type: str
  resource_tpl:
    description:
      - A named size (OCCI resource_tpl) that provides O(cores), O(memory), O(share), O(architecture) and
        O(properties) where the task does not give them.
      - Looked up in O(resource_templates), then in O(resource_templates_file) on the global zone.
      - The VM records it in C(internal_metadata) (C(smartstack:resource_tpl)).
    type: str
  resource_templates:
    description:
      - "Named sizes, for example from a variable: C({small: {cores: 1, memory: 1}, large: {cores: 4, memory: 16,
        properties: {quota: 100}}})."
      - Keys of a size - C(cores), C(memory), C(share), C(architecture), C(properties).
    type: dict
  resource_templates_file:
    description:
      - A JSON file on the global zone with named sizes (same shape as O(resource_templates)); read only when
        O(resource_tpl) is not in O(resource_templates). Not a command, a file read.
    type: path
    default: /opt/smartstack/resource_templates.json
  hostname:
    description: The OCCI hostname, C(hostname). A running VM takes a new hostname at its next boot.
    type: str
  cores:
    description:
      - The OCCI cores - C(vcpus) for bhyve and kvm (taken at the next boot), C(cpu_cap) = 100 x cores for zones
        (live).
      - At most the host's CPUs (C(sysinfo) C(CPU Total Cores), read only when cores are set).
    type: int
  memory:
    description:
      - The OCCI memory in GiB (1024 MiB; fractions allowed, rounded to MiB). Must be more than 0.
      - C(ram) for bhyve and kvm (taken at the next boot), C(max_physical_memory) for zones (live; vmadm adjusts
        C(max_swap), C(max_locked_memory) and C(tmpfs) by its rules).
    type: float
  share:
    description: The OCCI share, C(cpu_shares) (live).
    type: int
  architecture:
    description:
      - The OCCI architecture. SmartOS runs on x86-64 only; V(x86) is refused with that reason.
    type: str
    choices: [x86, x64]
  tags:
    description:
      - Tags to set (merged into the VM's tags; a key with a null value is removed). Other tags are left alone.
    type: dict
  customer_metadata:
    description:
      - Customer metadata to set (merged; a null value removes the key), e.g. C(user-script), C(root_authorized_keys).
      - Not secret - values are shown in the output and in --diff. Use O(secret_metadata) for passwords and keys.
    type: dict
  secret_metadata:
    description:
      - Customer metadata whose values are secrets. Merged into C(customer_metadata) like O(customer_metadata); the
        values are never logged, and are masked in the returned C(vm), C(resource) and --diff.
    type: dict
  properties:
    description:
      - Raw C(vmadm) properties for what OCCI does not name (C(quota), C(max_swap), C(resolvers), C(autoboot),
        C(firewall_enabled), C(zfs_io_priority), C(kernel_version), ...), compared as C(vmadm) stores them.
      - A property the brand does not take, an unknown or read-only property, or an update operation
        (C(set_tags), C(add_nics), ...) is refused before anything is done.
      - Create-only properties (C(zpool), C(delegate_dataset), C(filesystems), ...) are refused on an existing VM
        when they differ, unless O(recreate).
      - Memory values that vmadm would silently raise or clamp (C(max_swap) below 256 or below the memory,
        C(max_locked_memory) or C(tmpfs) above it) are refused.
    type: dict
  nics:
    description:
      - NICs of a new VM, as C(vmadm) takes them (C(nic_tag), C(ips), C(gateways), C(vlan_id), C(primary), ...);
        bhyve and kvm NICs get C(model=virtio) unless given (or C(nic_driver) is in O(properties)).
      - Only used at creation; ignored (with a warning) for an existing VM.
    type: list
    elements: dict
  disks:
    description:
      - Disks of a new bhyve or kvm VM, as C(vmadm) takes them (C(size) in MiB, C(boot), C(model), ...); they get
        C(model=virtio) unless given (or C(disk_driver) is in O(properties)).
      - Only used at creation; ignored (with a warning) for an existing VM.
    type: list
    elements: dict
  recreate:
    description:
      - When a create-only property differs (brand, image, C(zpool), ...), delete the VM and create it anew with
        the same uuid. B(Everything on the VM is lost.)
      - Without it such a difference fails the task and nothing is done.
    type: bool
    default: false
  restart_for_changes:
    description:
      - When a running VM gets a property it only picks up at its next boot (C(ram), C(vcpus), C(hostname), ...),
        restart it after the update (C(vmadm reboot)).
      - Without it the update is made, the task warns and returns RV(restart_needed=true).
    type: bool
    default: false
notes:
  - Commands - an idempotent run is one C(vmadm lookup -j). A converging run adds C(sysinfo) when cores are set,
    C(imgadm) reads (and an import) when an image must be resolved, then C(vmadm create) or one C(vmadm update)
    and the state transitions (C(start), C(stop), C(reboot), C(delete)).
  - Concurrency - C(vmadm) lets two VMs share an alias, so a creation runs under a lock of the global zone (an
    exclusive C(flock) on C(/opt/smartstack/.compute-create.lock), taken by every creation from any controller)
    and looks for the VM once more under it (a second C(vmadm lookup -j)) before C(vmadm create). When another task
    created it meanwhile, this task creates nothing and converges that VM instead (its action says so). A task
    waits up to 900 seconds for the lock, then fails with nothing changed.
  - After a change the returned RV(vm) is the object read before it with the written properties applied (values
    vmadm derives, such as C(max_swap), are not read again); after a creation it is the create payload, with the
    new uuid.
seealso:
  - module: smartstack.smartos.compute_info
  - module: smartstack.smartos.image
'''

EXAMPLES = r'''
- name: A zone from the newest base-64-lts image, 2 cores, 4 GiB, running
  smartstack.smartos.compute:
    title: web1
    os_tpl: base-64-lts
    hostname: web1.example.com
    cores: 2
    memory: 4
    state: active
    nics:
      - nic_tag: admin
        ips: [10.0.0.21/24]
        gateways: [10.0.0.1]
        primary: true
    tags:
      role: web
    properties:
      quota: 20
      resolvers: [10.0.0.1]

- name: A bhyve VM sized by a named template
  smartstack.smartos.compute:
    title: db1
    brand: bhyve
    os_tpl: ubuntu-24.04@20240725
    resource_tpl: large
    resource_templates:
      large: {cores: 4, memory: 16}
    restart_for_changes: true

- name: Stop it hard
  smartstack.smartos.compute:
    title: db1
    state: inactive
    method: poweroff

- name: OCCI action restart (graceful), a VM named by its id
  smartstack.smartos.compute:
    id: 5f1b1b1c-3b7e-4c52-9a2e-0e1c2f3a4b5c
    action: restart

- name: Secrets in customer metadata are not logged
  smartstack.smartos.compute:
    title: web1
    secret_metadata:
      db_password: "{{ vault_db_password }}"

- name: Gone
  smartstack.smartos.compute:
    title: web1
    state: absent
'''

RETURN = r'''
resource:
  description:
    - The OCCI JSON rendering (C(application/occi+json)) of the compute resource - kind, mixins (C(os_tpl),
      C(resource_tpl), the SmartOS C(vm) mixin), attributes (C(occi.compute.*), C(smartos.vm.*)), actions, id
      (C(urn:uuid:<uuid>)), title, and links (NICs as networkinterface links; disks and a zone's C(filesystems) as
      storagelink links, rendered as M(smartstack.smartos.link) renders them).
    - A disk's storagelink targets C(/storage/<dataset>) - its C(zfs_filesystem), or for an attached existing zvol
      (C(nocreate)) the dataset of its C(/dev/zvol/rdsk/<dataset>) path. A lofs mount targets the dataset of its
      source path read as a default mountpoint (C(/<dataset>)); this module runs no extra command to look the
      mountpoint up (M(smartstack.smartos.compute_info) and M(smartstack.smartos.link_info) do).
    - Null when the VM is absent. Render it as text with the P(smartstack.smartos.to_occi_text#filter) filter.
  returned: always
  type: dict
  sample:
    kind: http://schemas.ogf.org/occi/infrastructure#compute
    id: urn:uuid:5f1b1b1c-3b7e-4c52-9a2e-0e1c2f3a4b5c
    title: web1
    attributes:
      occi.compute.architecture: x64
      occi.compute.cores: 2
      occi.compute.memory: 4.0
      occi.compute.state: active
vm:
  description:
    - The raw C(vmadm) object (as C(vmadm lookup -j) prints it); values of O(secret_metadata) keys masked.
    - Null when the VM is absent.
  returned: always
  type: dict
actions:
  description: What the task did (or, in check mode, would do), one line per write.
  returned: always
  type: list
  elements: str
  sample: ["update VM 5f1b1b1c-3b7e-4c52-9a2e-0e1c2f3a4b5c: cpu_cap, max_physical_memory"]
commands:
  description: The SmartOS commands the task ran (argument lists; payloads go to stdin and are not shown).
  returned: always
  type: list
  elements: list
  sample: [["vmadm", "lookup", "-j", "alias=web1"]]
restart_needed:
  description: Whether a running VM got properties it only picks up when it boots again (see O(restart_for_changes)).
  returned: always
  type: bool
image_imported:
  description: Whether the image of O(os_tpl) was imported (would be, in check mode it stays false).
  returned: when O(os_tpl) was resolved
  type: bool
diff:
  description: With --diff, the attributes before and after (OCCI names, tags, customer metadata, given properties).
  returned: with --diff
  type: dict
matches:
  description: On failure because O(title) matches several VMs, their uuids.
  returned: failed
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.compute import Compute
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def argument_spec():
    return dict(
        COMMAND_TIMEOUT_SPEC,
        id=dict(type='str', aliases=['uuid']),
        title=dict(type='str', aliases=['alias', 'name']),
        state=dict(type='str', default='present', choices=['present', 'active', 'inactive', 'restarted', 'absent', 'suspended']),
        action=dict(type='str', choices=['start', 'stop', 'restart', 'suspend']),
        method=dict(type='str', default='graceful', choices=['graceful', 'acpioff', 'poweroff', 'warm', 'cold']),
        timeout=dict(type='int'),
        brand=dict(type='str', choices=['joyent', 'joyent-minimal', 'lx', 'bhyve', 'kvm']),
        os_tpl=dict(type='str'),
        resource_tpl=dict(type='str'),
        resource_templates=dict(type='dict'),
        resource_templates_file=dict(type='path', default='/opt/smartstack/resource_templates.json'),
        hostname=dict(type='str'),
        cores=dict(type='int'),
        memory=dict(type='float'),
        share=dict(type='int'),
        architecture=dict(type='str', choices=['x86', 'x64']),
        tags=dict(type='dict'),
        customer_metadata=dict(type='dict'),
        secret_metadata=dict(type='dict', no_log=True),
        properties=dict(type='dict'),
        nics=dict(type='list', elements='dict'),
        disks=dict(type='list', elements='dict'),
        recreate=dict(type='bool', default=False),
        restart_for_changes=dict(type='bool', default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), required_one_of=[['id', 'title']], supports_check_mode=True)
    run_resource(module, Compute(module))


if __name__ == '__main__':
    main()
