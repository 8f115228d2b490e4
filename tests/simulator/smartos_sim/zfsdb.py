"""The ZFS datasets of a simulated global zone, shared by ``zfs``, ``zpool``, ``vmadm`` and ``imgadm``.

API CONTRACT (other tools depend on it; extend, don't break):

    db = Zfs(state)            # call inside ``with state.lock():``; reads zfs.json
    db.exists(name) -> bool
    db.create(name, kind='filesystem'|'volume', props=None, parents=False,
              volsize=None, sparse=False, blocksize=None)
    db.destroy(name, recursive=False, recursive_dependents=False)
    db.snapshot(name_at_snap, props=None)          # 'zones/x@snap'
    db.clone(snapshot, name, props=None)
    db.rollback(snapshot, destroy_later=False)
    db.set(name, props)                            # {'quota': '10G', 'user:prop': 'v'}
    db.inherit(name, prop)
    db.get(name, prop) -> (value_string, source_string)    # what `zfs get -H` shows
    db.get_parsable(name, prop) -> (value_string, source)  # what `zfs get -Hp` shows
    db.children(name, depth=None, types=None) -> [names]   # descendants, sorted as zfs does
    db.mountpoint_host_path(name) -> path on this machine or None
    db.save()                                  # write zfs.json
    raise ZfsError(message)                    # message is the exact text zfs prints,
                                               # e.g. "cannot create 'zones/a': dataset already exists"

Filesystems get a real directory at their mountpoint (``state.host_path(mountpoint)``).
"""


class ZfsError(Exception):
    """A zfs failure; ``str(exc)`` is the message the real tool prints (without newline)."""

    def __init__(self, message, rc=1):
        super().__init__(message)
        self.rc = rc
