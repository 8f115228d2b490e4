#!/usr/bin/python
# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: storage
short_description: Manage ZFS filesystems and volumes of a SmartOS global zone as OCCI Storage resources
version_added: 0.1.0
description:
  - Creates, changes, takes offline or online, snapshots, backs up, resizes, rolls back and destroys a ZFS
    filesystem or volume with C(zfs), taking the OCCI Storage attributes as options (O(size) in GiB, O(state)
    online or offline), the OCCI storage actions (O(action)) and raw ZFS properties for the rest (O(properties)).
  - "Mapping: O(size) is the C(refquota) of a filesystem (the space its own data may take: snapshots and children
    are not charged to it, so taking a snapshot or a backup never fills it up) and the C(volsize) of a volume,
    rounded up to a multiple of its C(volblocksize). A size is in GiB of 2^30 bytes; fractions are allowed."
  - "O(state): a filesystem is V(online) when it is mounted; V(offline) sets C(canmount=off), which unmounts it
    and keeps it unmounted across reboots. illumos has no C(volmode): a volume's device exists as long as the
    volume does, so a volume is V(offline) when it is C(readonly=on) (nothing can write to it) and V(online)
    when it is writable."
  - The dataset is read with ONE C(zfs get -H -p -r -t all) of the properties that decide (existence, its
    properties with their sources, its children, snapshots and their clones); when nothing has to change that is
    the only command the task runs. Changes are written with C(zfs create) (every property on its command line) or
    ONE C(zfs set) of every changed property (zfs checks them all before it applies any), then C(zfs inherit) for
    properties given as null, C(zfs mount)/C(zfs unmount) and the action.
  - A dataset with children, snapshots or dependent clones is not destroyed unless O(recursive); clones elsewhere
    are never destroyed (no C(zfs destroy -R)). A dataset named like a VM's (C(<pool>/<uuid>), C(<uuid>-disk0),
    C(<uuid>/data) ...) is checked with one C(vmadm lookup) and never destroyed when the VM exists.
author: smartstack.smartos contributors (@smartstack)
extends_documentation_fragment:
  - smartstack.smartos.attributes
  - smartstack.smartos.command
options:
  name:
    description:
      - The dataset, C(pool/path) (a filesystem or volume).
      - With O(state=absent) it may name ONE snapshot, C(pool/path@snap), to destroy it (C(zfs destroy)); nothing
        to do when it (or its dataset) does not exist. A snapshot with dependent clones is refused unless
        O(recursive), and a snapshot with user holds (C(zfs holds)) is always refused, naming the holds.
      - Required unless O(title) is given.
    type: str
    aliases: [dataset]
  title:
    description:
      - The OCCI title. Without O(name), the dataset is C(<parent>/<title>). With O(name), the title is kept in the
        dataset's user property C(smartstack:title).
      - The returned title is that property when set, else the last component of the dataset name.
    type: str
  parent:
    description: The parent dataset of C(<parent>/<title>) when only O(title) names the dataset.
    type: str
    default: zones
  type:
    description:
      - The dataset type. A different type than the existing dataset's is refused (nothing is converted).
      - Default - V(filesystem) for a new dataset, whatever it is for an existing one.
    type: str
    choices: [filesystem, volume]
  size:
    description:
      - The OCCI size in GiB - C(refquota) of a filesystem, C(volsize) of a volume (required to create a volume).
      - Growing is always done. Shrinking a filesystem below the data it references, or a volume below the data
        written to it, is refused; shrinking a volume at all needs O(force) (the end of the device is cut off).
    type: float
  state:
    description:
      - V(present) - the dataset exists; a new filesystem is mounted as zfs does (canmount on), the mount state of an
        existing one is left alone.
      - V(online), V(offline) - the OCCI storage states, see the description.
      - V(absent) - the dataset does not exist (C(zfs destroy), C(-r) with O(recursive)).
    type: str
    choices: [present, online, offline, absent]
    default: present
  properties:
    description:
      - ZFS properties, native (C(compression), C(mountpoint), C(recordsize), C(quota), C(volblocksize) ...) or
        user (C(com.example:owner)), as zfs takes them (sizes like C(16K), C(10G) or bytes; C(true)/C(false) become
        C(on)/C(off)). They are compared with what C(zfs get -p) reports, so an inherited value that already matches
        is not set again.
      - A null value reverts the property to its inherited value (C(zfs inherit)) when it is set on the dataset.
      - Read-only properties (C(used), C(mounted) ...) are refused; set-once properties (C(volblocksize),
        C(casesensitivity) ...) are refused on an existing dataset when they differ.
    type: dict
  sparse:
    description: Create a volume without its automatic C(refreservation) (C(zfs create -s)).
    type: bool
    default: false
  parents:
    description: Create missing parent filesystems (C(zfs create -p)).
    type: bool
    default: false
  action:
    description:
      - An OCCI storage action, performed after the dataset converged.
      - V(snapshot) - C(zfs snapshot <name>@<snapshot>); with O(snapshot) named (nothing to do when it exists), else
        named after the UTC time (C(20261125T094500Z)).
      - V(backup) - a snapshot (O(snapshot) or C(backup-<UTC time>)) sent with C(zfs send) into a file in
        O(backup_dir), incrementally (C(zfs send -i)) from the newest earlier backup snapshot whose file still exists
        (unless O(incremental=false)). The snapshot carries the file's path in its user property
        C(smartstack:backup). A failed send removes the snapshot and leaves no file.
      - V(resize) - the same as setting O(size) (OCCI 1.2 resizes by updating the size); O(size) is required.
      - V(rollback) - C(zfs rollback) to O(snapshot), always run (an explicit request; the task reports a change).
        Newer snapshots are refused unless O(force) (C(zfs rollback -r) destroys them); clones of them are always
        refused.
      - V(online), V(offline) - the same as O(state).
    type: str
    choices: [snapshot, backup, resize, rollback, online, offline]
  snapshot:
    description: The snapshot name (without C(<dataset>@)) of O(action=snapshot), O(action=backup) or O(action=rollback).
    type: str
  backup_dir:
    description: The directory on the global zone that O(action=backup) writes its stream files into (created when missing).
    type: path
  incremental:
    description: Whether O(action=backup) sends incrementally from the previous backup when there is one.
    type: bool
    default: true
  force:
    description: Allow O(action=rollback) to destroy newer snapshots, and O(size) to shrink a volume.
    type: bool
    default: false
  recursive:
    description:
      - Allow O(state=absent) to destroy the dataset's children and snapshots with it (C(zfs destroy -r)).
      - For a snapshot (O(name) C(pool/path@snap)) - allow destroying its clones and whatever depends on them with
        it (C(zfs destroy -R)). A dry run (C(zfs destroy -n -p -R)) names first everything that goes (also the
        same-named snapshots of the dataset's descendants, which C(-R) takes too); the action and RV(destroyed) list
        it. Datasets of an existing VM and held snapshots among them are refused.
    type: bool
    default: false
notes:
  - Commands - an idempotent run is one C(zfs get). A converging run adds C(zfs create) or one C(zfs set), a
    C(zfs inherit) per property to revert, C(zfs mount)/C(zfs unmount), and its action (C(zfs snapshot); C(zfs
    snapshot) + C(zfs send) for a backup; C(zfs rollback)). Destroying a dataset named like a VM's reads C(vmadm
    lookup) once. Destroying one snapshot is one C(zfs get) and C(zfs destroy); a hold adds C(zfs holds); with
    clones and O(recursive) the dry run C(zfs destroy -n -p -R) and one C(zfs list) of the holds of the snapshots
    it takes come first.
  - After a change the returned RV(dataset) is the one read before it with the written properties applied (values
    zfs derives, such as C(used) or a volume's C(refreservation), are not read again).
seealso:
  - module: smartstack.smartos.storage_info
  - module: smartstack.smartos.compute
'''

EXAMPLES = r'''
- name: A workspace filesystem of 20 GiB mounted at /data/workspace, lz4 compressed
  smartstack.smartos.storage:
    name: zones/workspace
    size: 20
    state: online
    properties:
      mountpoint: /data/workspace
      compression: lz4
      com.example:owner: build

- name: Snapshot it before a change
  smartstack.smartos.storage:
    name: zones/workspace
    action: snapshot
    snapshot: before-upgrade

- name: Roll it back when the change failed
  smartstack.smartos.storage:
    name: zones/workspace
    action: rollback
    snapshot: before-upgrade
    force: true

- name: Nightly backup, incremental from the previous one
  smartstack.smartos.storage:
    name: zones/workspace
    action: backup
    backup_dir: /zones/backups

- name: A 10 GiB volume with 16K blocks, read-only (offline)
  smartstack.smartos.storage:
    name: zones/vol1
    type: volume
    size: 10
    state: offline
    properties:
      volblocksize: 16K

- name: Grow it to 12 GiB
  smartstack.smartos.storage:
    name: zones/vol1
    action: resize
    size: 12

- name: Drop one snapshot (nothing to do when it is gone already)
  smartstack.smartos.storage:
    name: zones/workspace@before-upgrade
    state: absent

- name: Gone, with its snapshots
  smartstack.smartos.storage:
    name: zones/workspace
    state: absent
    recursive: true
'''

RETURN = r'''
resource:
  description:
    - The OCCI JSON rendering of the storage resource - kind C(storage), the SmartOS C(zfs) mixin, attributes
      (C(occi.storage.size) in GiB, C(occi.storage.state), C(occi.storage.state.message), C(smartos.zfs.*)),
      id (C(urn:smartstack:zfs:<guid>)), title, location C(/storage/<dataset>).
    - Null when the dataset is absent.
  returned: always
  type: dict
  sample:
    kind: http://schemas.ogf.org/occi/infrastructure#storage
    id: urn:smartstack:zfs:1234567890
    title: workspace
    attributes:
      occi.storage.size: 20.0
      occi.storage.state: online
dataset:
  description:
    - The raw dataset - C(name), C(type), C(properties) and their C(sources) (as C(zfs get -H -p) prints them),
      C(snapshots) (oldest first; C(name), C(createtxg), C(written), C(clones), C(backup) file), C(children),
      C(descendant_snapshots) and C(clones) of its snapshots elsewhere.
    - Null when the dataset is absent.
  returned: always
  type: dict
actions:
  description: What the task did (or, in check mode, would do), one line per write.
  returned: always
  type: list
  elements: str
  sample: ["set compression=lz4, refquota=21474836480 on zones/workspace"]
commands:
  description: The SmartOS commands the task ran (argument lists; a send shows its redirection).
  returned: always
  type: list
  elements: list
  sample: [["zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-r", "-t", "all", "type,guid", "zones/workspace"]]
snapshot:
  description: The snapshot that O(action=snapshot) or O(action=backup) took (would take, in check mode).
  returned: when a snapshot is taken
  type: str
  sample: zones/workspace@20261125T094500Z
backup_file:
  description: The stream file of O(action=backup).
  returned: when a backup is taken
  type: str
  sample: /zones/backups/zones_workspace@backup-20261125T094500Z.zfs
diff:
  description: With --diff, the attributes before and after (OCCI names, snapshots, the given properties).
  returned: with --diff
  type: dict
dependents:
  description: On failure because the dataset has children or snapshots, their names.
  returned: failed
  type: list
  elements: str
destroyed:
  description: For O(name) naming a snapshot with O(state=absent), the datasets and snapshots destroyed (would be, in
    check mode), in zfs's order; empty when there was nothing to destroy.
  returned: when O(name) is a snapshot
  type: list
  elements: str
  sample: [zones/copy@c1, zones/copy, zones/workspace@before-upgrade]
clones:
  description: On failure because the snapshot has dependent clones (and O(recursive) is not set), their names.
  returned: failed
  type: list
  elements: str
holds:
  description: On failure because snapshots are held, the holds' tags by snapshot (C(zfs holds)).
  returned: failed
  type: dict
  sample: {zones/workspace@before-upgrade: [keep]}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import run_resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.storage import Storage
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import COMMAND_TIMEOUT_SPEC


def argument_spec():
    return dict(
        COMMAND_TIMEOUT_SPEC,
        name=dict(type='str', aliases=['dataset']),
        title=dict(type='str'),
        parent=dict(type='str', default='zones'),
        type=dict(type='str', choices=['filesystem', 'volume']),
        size=dict(type='float'),
        state=dict(type='str', default='present', choices=['present', 'online', 'offline', 'absent']),
        properties=dict(type='dict'),
        sparse=dict(type='bool', default=False),
        parents=dict(type='bool', default=False),
        action=dict(type='str', choices=['snapshot', 'backup', 'resize', 'rollback', 'online', 'offline']),
        snapshot=dict(type='str'),
        backup_dir=dict(type='path'),
        incremental=dict(type='bool', default=True),
        force=dict(type='bool', default=False),
        recursive=dict(type='bool', default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), required_one_of=[['name', 'title']], supports_check_mode=True)
    run_resource(module, Storage(module))


if __name__ == '__main__':
    main()
