# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""vmadm disks given by an existing zvol (``nocreate``): what ``get`` shows and what ``remove_disks`` does.

Source (the reference, smartos_vmadm.md §2.10 and §4.5, is silent on removal): smartos-live
``src/vm/node_modules/vmload/vmload-datasets.js`` lists every disk whose path is
``/dev/zvol/r?dsk/<name>``, ``vmload/index.js`` ``addDiskProperties()`` gives such a disk its
``zfs_filesystem`` and ``zpool``, and ``VM.js`` update runs ``deleteVolume()`` (``zfs destroy -rF``)
for every removed disk that has one - so removing a ``nocreate`` disk destroys the zvol too.
"""

from __future__ import annotations

import json


def _bhyve(gz):
    payload = {'brand': 'bhyve', 'alias': 'nocreate', 'ram': 1024, 'autoboot': False,
               'disks': [{'size': 1024, 'model': 'virtio', 'boot': True}]}
    result = gz.run('vmadm', 'create', stdin=json.dumps(payload))
    assert result.returncode == 0, result.stderr
    return json.loads(gz.run('vmadm', 'lookup', '-j', 'alias=nocreate').stdout)[0]['uuid']


def test_nocreate_disk_shows_its_zvol_and_removing_it_destroys_the_zvol(gz):
    """vmload addDiskProperties (zfs_filesystem, zpool); VM.js remove_disks -> deleteVolume (zfs destroy -rF)."""
    uuid = _bhyve(gz)
    assert gz.run('zfs', 'create', '-V', '1G', 'zones/attached').returncode == 0
    path = '/dev/zvol/rdsk/zones/attached'
    result = gz.run('vmadm', 'update', uuid, stdin=json.dumps({'add_disks': [{'path': path, 'nocreate': True, 'model': 'virtio'}]}))
    assert (result.returncode, result.stderr) == (0, 'Successfully updated VM %s\n' % uuid)
    disk = json.loads(gz.run('vmadm', 'get', uuid).stdout)['disks'][1]
    assert (disk['path'], disk['zfs_filesystem'], disk['zpool']) == (path, 'zones/attached', 'zones')
    assert gz.run('zfs', 'list', 'zones/attached').returncode == 0
    result = gz.run('vmadm', 'update', uuid, stdin=json.dumps({'remove_disks': [path]}))
    assert (result.returncode, result.stderr) == (0, 'Successfully updated VM %s\n' % uuid)
    assert [d['path'] for d in json.loads(gz.run('vmadm', 'get', uuid).stdout)['disks']] == ['/dev/zvol/rdsk/zones/%s/disk0' % uuid]
    gone = gz.run('zfs', 'list', 'zones/attached')
    assert gone.returncode == 1 and gone.stderr == "cannot open 'zones/attached': dataset does not exist\n"
