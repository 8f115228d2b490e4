"""``zpool`` of the simulated global zone (reference smartos_zfs_zpool.md §14-16), and the pool
``zones`` with the datasets a SmartOS global zone has (``init_state``)."""
import sys

from smartos_sim import zfsdb

GIB = 1024 ** 3
MIB = 1024 ** 2
# UNCONFIRMED: chose one 512 GB disk (c1t0d0): `zpool list` shows SIZE 476G, a realistic
# single-disk SmartOS compute node.
POOL_SIZE = 476 * GIB
POOL_DISK = 'c1t0d0'
# The swap zvol is as large as DRAM (smartos-live src/smartdc/lib/smartos_prompt_config.sh
# setup_datasets: `zfs create -V ${SYSINFO_MiB_of_Memory}mb -b $pagesize ...`).
# UNCONFIRMED: chose 8 GiB of DRAM; sysinfo's "MiB of Memory" should say 8192.
MEMORY_MIB = 8192
# dump: twice dumpadm's estimate, at least 1024 MB (same file, create_dump); chose the minimum.
DUMP_MIB = 1024
PAGESIZE = 4096


def init_state(state, rng):  # pylint: disable=unused-argument
    """The pool ``zones`` as ``smartos_prompt_config.sh`` (create_zpool, setup_datasets) and
    vmadmd's start method (zones/archive) leave it."""
    db = zfsdb.Zfs(state)
    db.add_pool('zones', POOL_SIZE, vdevs=[{'name': POOL_DISK, 'type': 'disk'}])
    # create_zpool: `zfs set atime=off zones`
    db.set('zones', {'atime': 'off'})
    db.set_data('zones', 620 * 1024)
    vol_props = {'logbias': 'throughput', 'sync': 'always', 'primarycache': 'metadata', 'secondarycache': 'none'}
    dump_props = dict(vol_props, checksum='noparity')
    db.create('zones/dump', kind='volume', volsize=DUMP_MIB * MIB, blocksize=PAGESIZE, props=dump_props)
    db.set_data('zones/dump', 1024 * MIB)
    # zones/config: created at /zones/config, then mountpoint=legacy and mounted on /etc/zones
    db.create('zones/config')
    db.set('zones/config', {'mountpoint': 'legacy'})
    db.legacy_mount('zones/config', '/etc/zones')
    db.set_data('zones/config', 55 * 1024)
    db.create('zones/usbkey', props={'mountpoint': 'legacy'})
    db.legacy_mount('zones/usbkey', '/usbkey')
    db.set_data('zones/usbkey', 127 * 1024)
    db.create('zones/cores', props={'quota': '10g', 'mountpoint': '/zones/global/cores', 'compression': 'gzip'})
    db.create('zones/opt', props={'mountpoint': 'legacy'})
    db.legacy_mount('zones/opt', '/opt')
    db.create('zones/var')
    db.set('zones/var', {'mountpoint': 'legacy'})
    db.legacy_mount('zones/var', '/var')
    db.set_data('zones/var', 7 * MIB + 339 * 1024)
    db.create('zones/swap', kind='volume', volsize=MEMORY_MIB * MIB, blocksize=PAGESIZE, props=dict(vol_props))
    db.set_data('zones/swap', 212 * MIB)
    # vmadmd's start method: `zfs create -o compression=lzjb -o mountpoint=/zones/archive zones/archive`
    # (smartos-live src/vm/smf/system-vmadmd)
    db.create('zones/archive', props={'compression': 'lzjb', 'mountpoint': '/zones/archive'})
    db.save()


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``zpool`` entry point (filled in below)."""
    sys.stderr.write('zpool: not implemented yet\n')
    return 1
