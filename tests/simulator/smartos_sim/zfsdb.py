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

Extensions (also stable):

    db.snapshot(name_at_snap, props=None, recursive=False)
    db.rename(old, new, parents=False)
    db.promote(clone)
    db.type(name) -> 'filesystem' | 'volume' | 'snapshot' (ZfsError when missing)
    db.datasets(types=None) -> [names] every dataset, sorted as zfs does
    db.snapshots(name) -> [snapshot names of ``name``, oldest first]
    db.set_data(name, nbytes) / db.add_data(name, nbytes)   # what the dataset itself references
                                               # (image import, a zone writing files, ...)
    db.pool(name) -> pool record or None; db.pools() -> [names]
    db.add_pool(name, size, vdevs=None, props=None)        # used by ``zpool``'s init_state
    db.pool_space(name) -> dict(size, allocated, free)
    db.zvol_path(name) -> '/dev/zvol/rdsk/<name>'
    db.hold(fs, snapname, tag, recursive=False) / db.release(...) / db.holds(fs@snap) -> {tag: epoch}
    db.clone(snapshot, name, props=None, parents=False)
    db.rollback(snapshot, destroy_later=False, destroy_clones=False)   # -r / -R
    db.snapshots_create([fs@a, vol@a, ...], props=None, recursive=False)   # one atomic `zfs snapshot`
    db.destroy_list(name, recursive, recursive_dependents) -> [names]  # what destroy would remove, in order
    db.destroy_names([names])                  # destroy exactly these (already checked)
    db.prop_value(name, prop, literal) -> (value, source) or None      # None: zfs_prop_get fails
    db.mountpoint(name) -> the effective mountpoint string; db.is_mounted(name)
    db.mount(name) / db.unmount(name) / db.legacy_mount(name, '/opt')   # `zfs mount`, `mount -F zfs`
    db.valid_proplist(props, kind, name, creating) -> normalised props; raises AuxError(aux text)
    nicenum(n) / nicestrtonum(text) / namecheck(name) / validate_name(name, types) /
    pool_namecheck(name) / volsize_to_reservation(volsize, blocksize, copies) / PROPS (the catalogue)

Semantics (reference smartos_zfs_zpool.md): names are checked as ``zfs_validate_name`` does,
properties as ``zfs_valid_proplist`` does (same messages), mountpoints inherit with the relative
path appended, non-sparse volumes get the automatic ``refreservation``, space is accounted
(used = usedbydataset + usedbysnapshots + usedbyrefreservation + usedbychildren; a child counts
``max(used, reservation)`` in its parent; ``available`` honours quota/refquota/reservations).

Filesystems get a real directory at their mountpoint (``state.host_path(mountpoint)``) while
mounted; ``mountpoint=legacy|none``, ``canmount=off|noauto`` and ``zoned=on`` leave none. A
snapshot keeps a copy of its filesystem's directory tree in the state directory, so ``rollback``,
``clone`` and ``send``/``receive`` carry files as ZFS would.
"""
import hashlib
import os
import re
import shutil
import time
from urllib.parse import quote

DOC = 'zfs'
UINT64_MAX = 2 ** 64 - 1
MAXNAMELEN = 256
MAX_NESTING = 50
# An empty filesystem references 31K (reference smartos_zfs_zpool.md §5 example); UNCONFIRMED:
# an empty volume references 16K (chose the value older illumos zvols show).
EMPTY_FS_BYTES = 31 * 1024
EMPTY_VOL_BYTES = 16 * 1024
SPA_MINBLOCKSIZE = 512
SPA_OLD_MAXBLOCKSIZE = 128 * 1024
SPA_MAXBLOCKSIZE = 1024 * 1024
DEFAULT_VOLBLOCKSIZE = 8192
SNAPSHOT_TREES = 'zfs-snapshots'


class ZfsError(Exception):
    """A zfs failure; ``str(exc)`` is the message the real tool prints (without newline)."""

    def __init__(self, message, rc=1):
        super().__init__(message)
        self.rc = rc


class AuxError(Exception):
    """A libzfs "aux" text (the part after ``cannot <action> '<name>': ``)."""


# ---------------------------------------------------------------------------------------------
# numbers (reference §3)

def nicenum(num):
    """``zfs_nicenum``: 1024-based, suffixes KMGTPE, at most 5 characters (libcmdutils nicenum.c)."""
    num = int(num)
    index = 0
    n = num
    while n >= 1024 and index < 6:
        n //= 1024
        index += 1
    unit = ' KMGTPE'[index]
    if index == 0:
        return '%d' % n
    if num % (1 << (10 * index)) == 0:
        return '%d%s' % (n, unit)
    value = num / float(1 << (10 * index))
    for precision in (2, 1, 0):
        text = '%.*f%s' % (precision, value, unit)
        if len(text) <= 5:
            return text
    return text


def nicestrtonum(value):
    """``zfs_nicestrtonum``: the number of bytes ``value`` means; AuxError with libzfs's text."""
    if not value or not (value[0].isdigit() or value[0] == '.'):
        raise AuxError("bad numeric value '%s'" % value)
    match = re.match(r'[0-9]*', value)
    digits = match.group(0)
    end = len(digits)
    if end < len(value) and value[end] == '.':
        fmatch = re.match(r'[0-9]*\.[0-9]*(?:[eE][+-]?[0-9]+)?', value)
        ftext = fmatch.group(0)
        if not re.search(r'[0-9]', ftext):
            ftext = ''
        shift = _str2shift(value[len(ftext):])
        fval = (float(ftext) if ftext else 0.0) * (2 ** shift)
        if fval > UINT64_MAX:
            raise AuxError('numeric value is too large')
        return int(fval)
    num = int(digits)
    if num > UINT64_MAX:
        raise AuxError('numeric value is too large')
    shift = _str2shift(value[end:])
    if shift >= 64 or (num << shift) > UINT64_MAX:
        raise AuxError('numeric value is too large')
    return num << shift


def _str2shift(buf):
    ends = 'BKMGTPEZ'
    if buf == '':
        return 0
    index = ends.find(buf[0].upper())
    if index < 0:
        raise AuxError("invalid numeric suffix '%s'" % buf)
    if len(buf) == 1 or (len(buf) == 2 and buf[1].upper() == 'B' and buf[0].upper() != 'B'):
        return 10 * index
    raise AuxError("invalid numeric suffix '%s'" % buf)


# ---------------------------------------------------------------------------------------------
# names (reference §2; illumos usr/src/common/zfs/zfs_namecheck.c entity_namecheck)

def _valid_char(char):
    return char.isascii() and (char.isalnum() or char in '-_.: ')


def namecheck(path):
    """None when ``path`` is a well-formed dataset/snapshot name, else the aux text."""
    if len(path.encode('utf-8')) >= MAXNAMELEN:
        return 'name is too long'
    if path.startswith('/'):
        return 'leading slash in name'
    if path == '':
        return 'empty component in name'
    start = 0
    found_delim = False
    while True:
        end = start
        while end < len(path) and path[end] not in '/@#':
            end += 1
        if end == len(path) and end > 0 and path[end - 1] == '/':
            return 'trailing slash in name'
        for char in path[start:end]:
            if not _valid_char(char) and char != '%':
                return "invalid character '%s' in name" % char
        if end < len(path) and path[end] in '@#':
            if found_delim:
                return "multiple '@' and/or '#' delimiters in name"
            found_delim = True
        if start == end:
            return 'empty component in name'
        if end == len(path):
            return None
        if path[end] == '/' and found_delim:
            return 'trailing slash in name'
        start = end + 1


def validate_name(path, types, modifying=False):
    """``zfs_validate_name``: None or the aux text; ``types`` is a set of allowed kinds."""
    why = namecheck(path)
    if why:
        return why
    if 'snapshot' not in types and '@' in path:
        return "snapshot delimiter '@' is not expected here"
    if types == {'snapshot'} and '@' not in path:
        return "missing '@' delimiter in snapshot name"
    if '#' in path:
        return "bookmark delimiter '#' is not expected here"
    if modifying and '%' in path:
        return 'invalid character % in name'
    return None


def pool_namecheck(name, isopen=True):
    """``zpool_name_valid``'s aux text, or None (illumos zfs_namecheck.c pool_namecheck)."""
    if len(name) >= MAXNAMELEN - 2 - len('$ORIGIN') * 2:
        return 'name is too long'
    for char in name:
        if not _valid_char(char):
            return "invalid character '%s' in pool name" % char
    if not name or not (name[0].isascii() and name[0].isalpha()):
        return 'name must begin with a letter'
    if name in ('mirror', 'raidz'):
        return 'name is reserved'
    if len(name) > 1 and name[0] == 'c' and name[1].isdigit():
        return 'pool name is reserved'
    if not isopen and (name.startswith(('mirror', 'raidz', 'spare')) or name == 'log'):
        return 'name is reserved'
    return None


# ---------------------------------------------------------------------------------------------
# the property catalogue (illumos usr/src/common/zfs/zfs_prop.c zfs_prop_init; reference §4)

FS, VOL, SNAP = 'filesystem', 'volume', 'snapshot'
DATASET = frozenset((FS, VOL, SNAP))
FSVOL = frozenset((FS, VOL))

_ON_OFF = ('off', 'on')


class Prop:
    """One native property: ``ptype`` number|string|index, ``attr`` readonly|onetime|default|inherit."""

    def __init__(self, name, ptype, attr, types, values, colname, default=None, table=None, visible=True):
        self.name = name
        self.ptype = ptype
        self.attr = attr
        self.types = frozenset(types)
        self.values = values
        self.colname = colname
        self.default = default
        self.table = table
        self.visible = visible

    @property
    def readonly(self):
        """``zfs_prop_readonly`` (also true for set-once properties)."""
        return self.attr in ('readonly', 'onetime', 'onetime_default')

    @property
    def setonce(self):
        return self.attr in ('onetime', 'onetime_default')

    @property
    def inheritable(self):
        return self.attr in ('inherit', 'onetime')

    @property
    def right_aligned(self):
        return self.ptype in ('number', 'index') and self.name != 'creation'

    def width(self):
        """``zprop_width``: (width, fixed)."""
        width = len(self.colname)
        if self.ptype == 'number':
            return max(width, 5), self.name != 'creation'
        if self.ptype == 'index':
            return max([width] + [len(v) for v in self.table]), True
        return width, False


def _p(name, ptype, attr, types, values, colname, default=None, table=None, visible=True):
    return Prop(name, ptype, attr, types, values, colname, default, table, visible)


_COMPRESS = ('on', 'off', 'lzjb', 'gzip', 'gzip-1', 'gzip-2', 'gzip-3', 'gzip-4', 'gzip-5', 'gzip-6',
             'gzip-7', 'gzip-8', 'gzip-9', 'zle', 'lz4')
_CHECKSUM = ('on', 'off', 'fletcher2', 'fletcher4', 'sha256', 'noparity', 'sha512', 'skein', 'edonr')
_DEDUP = ('on', 'off', 'verify', 'sha256', 'sha256,verify', 'sha512', 'sha512,verify', 'skein',
          'skein,verify', 'edonr,verify')
_CACHE = ('none', 'metadata', 'all')
_CRYPT = ('on', 'off', 'aes-128-ccm', 'aes-192-ccm', 'aes-256-ccm', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm')

# In zfs_prop_t enum order (reference §6 "zfs get all"): that is the order of `zfs get all`.
_PROP_LIST = [
    _p('type', 'string', 'readonly', DATASET, 'filesystem | volume | snapshot | bookmark', 'TYPE'),
    _p('creation', 'number', 'readonly', DATASET, '<date>', 'CREATION'),
    _p('used', 'number', 'readonly', DATASET, '<size>', 'USED'),
    _p('available', 'number', 'readonly', FSVOL, '<size>', 'AVAIL'),
    _p('referenced', 'number', 'readonly', DATASET, '<size>', 'REFER'),
    _p('compressratio', 'number', 'readonly', DATASET, '<1.00x or higher if compressed>', 'RATIO'),
    _p('mounted', 'index', 'readonly', (FS,), 'yes | no', 'MOUNTED', table=('no', 'yes')),
    _p('origin', 'string', 'readonly', FSVOL, '<snapshot>', 'ORIGIN'),
    _p('quota', 'number', 'default', (FS,), '<size> | none', 'QUOTA', 0),
    _p('reservation', 'number', 'default', FSVOL, '<size> | none', 'RESERV', 0),
    _p('volsize', 'number', 'default', (VOL,), '<size>', 'VOLSIZE', 0),
    _p('volblocksize', 'number', 'onetime', (VOL,), '512 to 128k, power of 2', 'VOLBLOCK', DEFAULT_VOLBLOCKSIZE),
    _p('recordsize', 'number', 'inherit', (FS,), '512 to 1M, power of 2', 'RECSIZE', SPA_OLD_MAXBLOCKSIZE),
    _p('mountpoint', 'string', 'inherit', (FS,), '<path> | legacy | none', 'MOUNTPOINT', '/'),
    _p('sharenfs', 'string', 'inherit', (FS,), 'on | off | share(1M) options', 'SHARENFS', 'off'),
    _p('checksum', 'index', 'inherit', FSVOL, 'on | off | fletcher2 | fletcher4 | sha256 | sha512 | skein | edonr',
       'CHECKSUM', 'on', _CHECKSUM),
    _p('compression', 'index', 'inherit', FSVOL, 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4', 'COMPRESS',
       'off', _COMPRESS),
    _p('atime', 'index', 'inherit', (FS,), 'on | off', 'ATIME', 'on', _ON_OFF),
    _p('devices', 'index', 'inherit', (FS, SNAP), 'on | off', 'DEVICES', 'on', _ON_OFF),
    _p('exec', 'index', 'inherit', (FS, SNAP), 'on | off', 'EXEC', 'on', _ON_OFF),
    _p('setuid', 'index', 'inherit', (FS, SNAP), 'on | off', 'SETUID', 'on', _ON_OFF),
    _p('readonly', 'index', 'inherit', FSVOL, 'on | off', 'RDONLY', 'off', _ON_OFF),
    _p('zoned', 'index', 'inherit', (FS,), 'on | off', 'ZONED', 'off', _ON_OFF),
    _p('snapdir', 'index', 'inherit', (FS,), 'hidden | visible', 'SNAPDIR', 'hidden', ('hidden', 'visible')),
    _p('aclmode', 'index', 'inherit', (FS,), 'discard | groupmask | passthrough | restricted', 'ACLMODE', 'discard',
       ('discard', 'groupmask', 'passthrough', 'restricted')),
    _p('aclinherit', 'index', 'inherit', (FS,), 'discard | noallow | restricted | passthrough | passthrough-x',
       'ACLINHERIT', 'restricted', ('discard', 'noallow', 'restricted', 'passthrough', 'secure', 'passthrough-x')),
    _p('createtxg', 'number', 'readonly', DATASET, '<uint64>', 'CREATETXG'),
    _p('canmount', 'index', 'default', (FS,), 'on | off | noauto', 'CANMOUNT', 'on', ('off', 'on', 'noauto')),
    _p('xattr', 'index', 'inherit', (FS, SNAP), 'on | off', 'XATTR', 'on', _ON_OFF),
    _p('copies', 'index', 'inherit', FSVOL, '1 | 2 | 3', 'COPIES', '1', ('1', '2', '3')),
    _p('version', 'index', 'default', (FS, SNAP), '1 | 2 | 3 | 4 | 5 | current', 'VERSION', '5',
       ('1', '2', '3', '4', '5', 'current')),
    _p('utf8only', 'index', 'onetime', (FS, SNAP), 'on | off', 'UTF8ONLY', 'off', _ON_OFF),
    _p('normalization', 'index', 'onetime', (FS, SNAP), 'none | formC | formD | formKC | formKD', 'NORMALIZATION',
       'none', ('none', 'formD', 'formKC', 'formC', 'formKD')),
    _p('casesensitivity', 'index', 'onetime', (FS, SNAP), 'sensitive | insensitive | mixed', 'CASE', 'sensitive',
       ('sensitive', 'insensitive', 'mixed')),
    _p('vscan', 'index', 'inherit', (FS,), 'on | off', 'VSCAN', 'off', _ON_OFF),
    _p('nbmand', 'index', 'inherit', (FS, SNAP), 'on | off', 'NBMAND', 'off', _ON_OFF),
    _p('sharesmb', 'string', 'inherit', (FS,), 'on | off | sharemgr(1M) options', 'SHARESMB', 'off'),
    _p('refquota', 'number', 'default', (FS,), '<size> | none', 'REFQUOTA', 0),
    _p('refreservation', 'number', 'default', FSVOL, '<size> | none', 'REFRESERV', 0),
    _p('guid', 'number', 'readonly', DATASET, '<uint64>', 'GUID'),
    _p('primarycache', 'index', 'inherit', DATASET, 'all | none | metadata', 'PRIMARYCACHE', 'all', _CACHE),
    _p('secondarycache', 'index', 'inherit', DATASET, 'all | none | metadata', 'SECONDARYCACHE', 'all', _CACHE),
    _p('usedbysnapshots', 'number', 'readonly', FSVOL, '<size>', 'USEDSNAP'),
    _p('usedbydataset', 'number', 'readonly', FSVOL, '<size>', 'USEDDS'),
    _p('usedbychildren', 'number', 'readonly', FSVOL, '<size>', 'USEDCHILD'),
    _p('usedbyrefreservation', 'number', 'readonly', FSVOL, '<size>', 'USEDREFRESERV'),
    _p('defer_destroy', 'index', 'readonly', (SNAP,), 'yes | no', 'DEFER_DESTROY', 'off', _ON_OFF),
    _p('userrefs', 'number', 'readonly', (SNAP,), '<count>', 'USERREFS'),
    _p('logbias', 'index', 'inherit', FSVOL, 'latency | throughput', 'LOGBIAS', 'latency', ('latency', 'throughput')),
    _p('dedup', 'index', 'inherit', FSVOL, 'on | off | verify | sha256[,verify], sha512[,verify], skein[,verify], edonr,verify',
       'DEDUP', 'off', _DEDUP),
    _p('mlslabel', 'string', 'inherit', DATASET, '<sensitivity label>', 'MLSLABEL', 'none'),
    _p('sync', 'index', 'inherit', FSVOL, 'standard | always | disabled', 'SYNC', 'standard',
       ('standard', 'always', 'disabled')),
    _p('dnodesize', 'index', 'inherit', (FS,), 'legacy | auto | 1k | 2k | 4k | 8k | 16k', 'DNSIZE', 'legacy',
       ('legacy', 'auto', '1k', '2k', '4k', '8k', '16k')),
    _p('refcompressratio', 'number', 'readonly', DATASET, '<1.00x or higher if compressed>', 'REFRATIO'),
    _p('written', 'number', 'readonly', DATASET, '<size>', 'WRITTEN'),
    _p('clones', 'string', 'readonly', (SNAP,), '<dataset>[,...]', 'CLONES'),
    _p('logicalused', 'number', 'readonly', FSVOL, '<size>', 'LUSED'),
    _p('logicalreferenced', 'number', 'readonly', DATASET, '<size>', 'LREFER'),
    _p('filesystem_limit', 'number', 'default', (FS,), '<count> | none', 'FSLIMIT', UINT64_MAX),
    _p('snapshot_limit', 'number', 'default', FSVOL, '<count> | none', 'SSLIMIT', UINT64_MAX),
    _p('filesystem_count', 'number', 'readonly', (FS,), '<count>', 'FSCOUNT', UINT64_MAX),
    _p('snapshot_count', 'number', 'readonly', FSVOL, '<count>', 'SSCOUNT', UINT64_MAX),
    _p('redundant_metadata', 'index', 'inherit', FSVOL, 'all | most', 'REDUND_MD', 'all', ('all', 'most')),
    _p('receive_resume_token', 'string', 'readonly', FSVOL, '<string token>', 'RESUMETOK'),
    _p('special_small_blocks', 'number', 'inherit', (FS,), 'zero or 512 to 128K, power of 2', 'SPECIAL_SMALL_BLOCKS', 0),
    _p('encryption', 'index', 'onetime', DATASET, 'on | off | aes-128-ccm | aes-192-ccm | aes-256-ccm | '
       'aes-128-gcm | aes-192-gcm | aes-256-gcm', 'ENCRYPTION', 'off', _CRYPT),
    _p('keylocation', 'string', 'default', FSVOL, 'prompt | <file URI>', 'KEYLOCATION', 'none'),
    _p('keyformat', 'index', 'onetime_default', FSVOL, 'none | raw | hex | passphrase', 'KEYFORMAT', 'none',
       ('none', 'raw', 'hex', 'passphrase')),
    _p('pbkdf2iters', 'number', 'onetime_default', FSVOL, '<iters>', 'PBKDF2ITERS', 0),
    _p('encryptionroot', 'string', 'readonly', DATASET, '<filesystem | volume>', 'ENCROOT'),
    _p('keystatus', 'index', 'readonly', DATASET, 'none | unavailable | available', 'KEYSTATUS', 'none',
       ('none', 'unavailable', 'available')),
    # hidden ones that a name lookup still finds (zfs_name_to_prop)
    _p('name', 'string', 'readonly', DATASET, None, 'NAME', visible=False),
    _p('numclones', 'number', 'readonly', (SNAP,), None, 'NUMCLONES', visible=False),
    _p('unique', 'number', 'readonly', DATASET, None, 'UNIQUE', visible=False),
    _p('objsetid', 'number', 'readonly', DATASET, None, 'OBJSETID', visible=False),
    _p('inconsistent', 'number', 'readonly', DATASET, None, 'INCONSISTENT', visible=False),
]
PROPS = dict((p.name, p) for p in _PROP_LIST)
_ALIASES = dict((p.colname.lower(), p.name) for p in _PROP_LIST)
# Values that are not shown when absent (the "readonly and absent" rule, reference §6).
_ABSENT_WHEN_UNSET = ('origin', 'receive_resume_token', 'encryptionroot', 'keystatus')
# compressratio etc. are shown with an 'x'; never changed by -p (reference §3.2)
_RATIOS = ('compressratio', 'refcompressratio')
_QUOTAS = ('quota', 'refquota', 'reservation', 'refreservation')
_LIMITS = ('filesystem_limit', 'snapshot_limit', 'filesystem_count', 'snapshot_count')


def prop_lookup(name):
    """The canonical native property for ``name`` (a name or lowercase column alias), or None."""
    if name in PROPS:
        return PROPS[name]
    if name in _ALIASES:
        return PROPS[_ALIASES[name]]
    return None


def is_user_prop(name):
    """``zfs_prop_user``: lowercase ``[a-z0-9-_.:]`` with at least one ``:``."""
    return ':' in name and all(c in 'abcdefghijklmnopqrstuvwxyz0123456789-_.:' for c in name)


def is_userquota_prop(name):
    return name.startswith(('userused@', 'userquota@', 'groupused@', 'groupquota@', 'userobjused@',
                            'userobjquota@', 'groupobjused@', 'groupobjquota@', 'projectused@',
                            'projectquota@', 'projectobjused@', 'projectobjquota@'))


def volsize_to_reservation(volsize, blocksize=DEFAULT_VOLBLOCKSIZE, copies=1):
    """``zvol_volsize_to_reservation`` for a non-raidz pool (reference §7)."""
    nblocks = volsize // blocksize
    numdb = 7
    while nblocks > 1:
        nblocks = (nblocks + 1023) // 1024
        numdb += nblocks
    numdb *= min(3, copies + 1)
    return volsize * copies + numdb * 128 * 1024


def _ctime(epoch):
    """``%a %b %e %k:%M %Y`` (libzfs zfs_prop_get, creation)."""
    tm = time.localtime(epoch)
    return '%s %s %2d %2d:%02d %d' % (time.strftime('%a', tm), time.strftime('%b', tm), tm.tm_mday,
                                      tm.tm_hour, tm.tm_min, tm.tm_year)


def _sort_key(name, rec):
    base = name.partition('@')[0]
    return (base.encode('utf-8'), 1 if '@' in name else 0, rec.get('createtxg', 0))


def _is_under(name, top):
    return name == top or name.startswith(top + '/') or name.startswith(top + '@')


# ---------------------------------------------------------------------------------------------

class Zfs:
    """The dataset store of one global zone (see the module docstring)."""

    def __init__(self, state):
        self.state = state
        self.doc = state.load(DOC, {'pools': {}, 'datasets': {}, 'txg': 1})
        self.doc.setdefault('pools', {})
        self.doc.setdefault('datasets', {})
        self.doc.setdefault('txg', 1)
        self._space_cache = None
        self._tree_cache = None

    # -- basic access ----------------------------------------------------------------------

    @property
    def ds(self):
        return self.doc['datasets']

    def save(self):
        self.state.save(DOC, self.doc)

    def exists(self, name):
        return name in self.ds

    def type(self, name):
        rec = self.ds.get(name)
        if rec is None:
            raise ZfsError("cannot open '%s': dataset does not exist" % name)
        return rec['type']

    def record(self, name):
        return self.ds.get(name)

    def datasets(self, types=None):
        names = [n for n, r in self.ds.items() if types is None or r['type'] in types]
        return sorted(names, key=lambda n: _sort_key(n, self.ds[n]))

    def children(self, name, depth=None, types=None):
        """Descendants of ``name`` (not ``name`` itself), snapshots included unless ``types`` says."""
        out = []
        kids, snaps = self._tree()
        todo = [(name, 0)]
        while todo:
            cur, level = todo.pop()
            if depth is not None and level >= depth:
                continue
            for snap in snaps.get(cur, []):
                if types is None or SNAP in types:
                    out.append(snap)
            for child in kids.get(cur, []):
                if types is None or self.ds[child]['type'] in types:
                    out.append(child)
                todo.append((child, level + 1))
        return sorted(out, key=lambda n: _sort_key(n, self.ds[n]))

    def snapshots(self, name):
        return list(self._tree()[1].get(name, []))

    def _tree(self):
        """(parent -> sorted child filesystems/volumes, head -> snapshots by createtxg), cached until a change."""
        if self._tree_cache is None:
            kids, snaps = {}, {}
            for n, rec in self.ds.items():
                if '@' in n:
                    snaps.setdefault(n.partition('@')[0], []).append(n)
                elif '/' in n:
                    kids.setdefault(n.rpartition('/')[0], []).append(n)
            for v in kids.values():
                v.sort()
            for v in snaps.values():
                v.sort(key=lambda x: self.ds[x]['createtxg'])
            self._tree_cache = (kids, snaps)
        return self._tree_cache

    def direct_children(self, name):
        return list(self._tree()[0].get(name, []))

    def parent(self, name):
        if '@' in name:
            return name.partition('@')[0]
        return name.rpartition('/')[0] if '/' in name else None

    def pools(self):
        return sorted(self.doc['pools'])

    def pool(self, name):
        return self.doc['pools'].get(name)

    def zvol_path(self, name):
        return '/dev/zvol/rdsk/' + name

    def add_pool(self, name, size, vdevs=None, props=None, creation=None):
        """A new pool with its root filesystem (what ``zpool create`` leaves)."""
        now = int(creation or time.time())
        self.doc['pools'][name] = {
            'size': int(size), 'vdevs': vdevs or [], 'props': dict(props or {}),
            'guid': self._guid('pool:' + name), 'creation': now, 'txg': 1,
        }
        self.ds[name] = self._new_record(FS, {}, now)
        self._mount_tree(name)
        self._dirty()

    def _next_txg(self):
        self.doc['txg'] = int(self.doc.get('txg', 1)) + 1
        return self.doc['txg']

    def _guid(self, seed):
        digest = hashlib.sha256(('%s:%s:%s' % (seed, self.doc.get('txg'), time.time())).encode('utf-8')).digest()
        return int.from_bytes(digest[:8], 'big') or 1

    def _new_record(self, kind, props, now=None, data=None):
        txg = self._next_txg()
        return {
            'type': kind, 'props': props, 'creation': int(now or time.time()), 'createtxg': txg,
            'guid': self._guid(txg), 'data': int(data if data is not None else (EMPTY_FS_BYTES if kind == FS else EMPTY_VOL_BYTES)),
            'origin': None, 'shared': 0,
        }

    def _dirty(self):
        self._space_cache = None
        self._tree_cache = None

    def _require(self, name, action='open'):
        if name not in self.ds:
            raise ZfsError("cannot %s '%s': dataset does not exist" % (action, name))
        return self.ds[name]

    def set_data(self, name, nbytes):
        """What ``name`` itself references, in bytes (files written, an image received...)."""
        self._require(name)['data'] = max(0, int(nbytes))
        self._dirty()

    def add_data(self, name, nbytes):
        rec = self._require(name)
        rec['data'] = max(0, int(rec['data']) + int(nbytes))
        self._dirty()

    # -- property values -------------------------------------------------------------------

    def _lookup_inherited(self, name, prop):
        """(value, source dataset or None) for an inheritable/stored property: local first, then ancestors."""
        cur = name
        while cur:
            rec = self.ds.get(cur)
            if rec is not None and prop in rec['props']:
                return rec['props'][prop], cur
            cur = self.parent(cur)
        return None, None

    def _raw(self, name, prop):
        """(raw value, source) of a settable native property; source 'local'|'default'|'inherited from X'."""
        rec = self.ds[name]
        pdef = PROPS[prop]
        if pdef.inheritable:
            value, where = self._lookup_inherited(name, prop)
            if where is None:
                return pdef.default, 'default'
            if where == name:
                return value, rec.get('sources', {}).get(prop, 'local')
            return value, 'inherited from %s' % where
        holder = name.partition('@')[0] if (pdef.setonce and '@' in name) else name
        hrec = self.ds.get(holder, rec)
        if prop in hrec['props']:
            return hrec['props'][prop], hrec.get('sources', {}).get(prop, 'local')
        return pdef.default, 'default'

    def mountpoint(self, name):
        """The effective mountpoint (string) of a filesystem, as `zfs get mountpoint` shows it."""
        value, where = self._lookup_inherited(name, 'mountpoint')
        if value in ('legacy', 'none'):
            return value
        if where is None:
            value, rel = '/', name
        else:
            rel = name[len(where) + 1:]
        if rel:
            value = (value.rstrip('/') or '') + '/' + rel
        pool = self.pool(name.split('/')[0]) or {}
        altroot = (pool.get('props') or {}).get('altroot')
        if altroot:
            value = altroot.rstrip('/') + (value if value != '/' else '')
        return value

    def is_mounted(self, name):
        rec = self.ds.get(name)
        return bool(rec and rec['type'] == FS and rec.get('mounted'))

    def _mount_target(self, name):
        """The GZ path ``name`` is mounted at when its properties say it is mounted, else None.

        ``mountpoint=legacy`` filesystems are mounted where ``mount -F zfs`` put them
        (``legacy_mount``), as the GZ's /opt, /var, /usbkey and /etc/zones are.
        """
        rec = self.ds[name]
        if rec['type'] != FS:
            return None
        if self._raw(name, 'zoned')[0] == 'on':
            return None
        mnt = self.mountpoint(name)
        if mnt == 'legacy':
            return rec.get('legacy_at')
        if self._raw(name, 'canmount')[0] != 'on' or mnt == 'none':
            return None
        return mnt

    def mount(self, name):
        """``zfs mount <fs>``: mount at its mountpoint (``legacy`` ones need ``legacy_mount``)."""
        target = self.mountpoint(name)
        if target not in ('legacy', 'none'):
            self._mount_at(name, target)

    def unmount(self, name):
        """``zfs unmount <fs>``: its files wait in the state directory until it is mounted again."""
        rec = self._require(name)
        if rec.get('mounted'):
            self._unmount(name, rec.get('mounted_at'))
        rec.pop('legacy_at', None)

    def legacy_mount(self, name, path):
        """``mount -F zfs <name> <path>`` for a ``mountpoint=legacy`` filesystem."""
        rec = self._require(name)
        rec['legacy_at'] = path
        self._mount_tree(name)

    def mountpoint_host_path(self, name):
        """Where a mounted filesystem's files are on this machine (None when not mounted)."""
        if not self.is_mounted(name):
            return None
        return self.state.host_path(self.ds[name].get('mounted_at') or self.mountpoint(name))

    def _user_value(self, name, prop):
        cur = name
        while cur:
            rec = self.ds.get(cur)
            if rec is not None and prop in rec['props']:
                src = rec.get('sources', {}).get(prop, 'local') if cur == name else 'inherited from %s' % cur
                return rec['props'][prop], src
            cur = self.parent(cur)
        return '-', '-'

    def prop_value(self, name, prop, literal=False):
        """(value, source) as ``zfs get`` prints it, or None when ZFS has no value to show.

        ``prop`` is a canonical native name or a user property. Not applicable -> None.
        """
        rec = self.ds[name]
        if ':' in prop and prop not in PROPS:
            return self._user_value(name, prop)
        pdef = PROPS[prop]
        kind = rec['type']
        if kind not in pdef.types:
            return None
        if prop == 'type':
            return kind, '-'
        if prop == 'name':
            return name, '-'
        if prop == 'creation':
            return (str(rec['creation']) if literal else _ctime(rec['creation'])), '-'
        if prop in ('createtxg', 'guid'):
            return str(rec[prop]), '-'
        if prop == 'userrefs':
            return str(len(rec.get('holds', {}))), '-'
        if prop == 'defer_destroy':
            return 'off', '-'
        if prop == 'numclones':
            return str(len(self.clones_of(name))), '-'
        if prop in ('unique', 'objsetid', 'inconsistent'):
            return '0', '-'
        if prop in _RATIOS:
            return '1.00x', '-'
        if prop == 'mounted':
            return ('yes' if rec.get('mounted') else 'no'), '-'
        if prop == 'origin':
            return (rec['origin'], '-') if rec.get('origin') else None
        if prop == 'clones':
            return ','.join(self.clones_of(name)), '-'
        if prop in _ABSENT_WHEN_UNSET:
            return None
        if prop in ('filesystem_count', 'snapshot_count'):
            return self._count(name, prop, literal)
        space = self.space(name)
        if prop in space and pdef.attr == 'readonly':
            return (str(space[prop]) if literal else nicenum(space[prop])), '-'
        if prop == 'mountpoint':
            value, src = self._raw(name, prop)
            return self.mountpoint(name), src
        if prop in ('version', 'utf8only', 'normalization', 'casesensitivity'):
            # the ZPL properties of a snapshot are its filesystem's; none for a volume's snapshot
            if kind == SNAP and rec.get('head_type', FS) != FS:
                return None
            value, _src = self._raw(name.partition('@')[0], prop)
            return str(value), '-'
        value, src = self._raw(name, prop)
        if prop == 'volsize':
            return (str(value) if literal else nicenum(value)), 'local'
        if prop == 'volblocksize':
            return (str(value) if literal else nicenum(value)), ('default' if int(value) == DEFAULT_VOLBLOCKSIZE else '-')
        if prop in _QUOTAS:
            if literal:
                return str(value), src
            return ('none' if int(value) == 0 else nicenum(value)), src
        if prop in _LIMITS:
            if literal:
                return str(value), src
            return ('none' if int(value) == UINT64_MAX else nicenum(value)), src
        if pdef.ptype == 'number':
            return (str(value) if literal else nicenum(value)), src
        return str(value), src

    def _count(self, name, prop, literal):
        # the counts exist only below a dataset with a limit (dsl_dir.c counts are only kept then)
        limit = 'filesystem_limit' if prop == 'filesystem_count' else 'snapshot_limit'
        cur, tracked = name, False
        while cur:
            if limit in self.ds[cur]['props'] or (prop == 'filesystem_count' and 'snapshot_limit' in self.ds[cur]['props']):
                tracked = True
            cur = self.parent(cur)
        if not tracked:
            return (str(UINT64_MAX) if literal else 'none'), 'default'
        if prop == 'filesystem_count':
            count = len(self.children(name, types=(FS,)))
        else:
            count = len(self.children(name, types=(SNAP,)))
        return (str(count) if literal else nicenum(count)), '-'

    def get(self, name, prop):
        """(value, source) as ``zfs get -H`` shows them; ('-', '-') when not applicable/absent."""
        return self._get(name, prop, False)

    def get_parsable(self, name, prop):
        """(value, source) as ``zfs get -Hp`` shows them."""
        return self._get(name, prop, True)

    def _get(self, name, prop, literal):
        self._require(name)
        pdef = prop_lookup(prop)
        if pdef is None and not is_user_prop(prop):
            raise ZfsError("bad property list: invalid property '%s'" % prop, rc=2)
        res = self.prop_value(name, pdef.name if pdef else prop, literal)
        return res if res is not None else ('-', '-')

    def clones_of(self, snap):
        return sorted(n for n, r in self.ds.items() if r.get('origin') == snap)

    # -- space accounting ------------------------------------------------------------------

    def _usable(self, pool):
        """What the pool's root dataset can hold: size less metaslab overhead and slop space."""
        size = int(self.pool(pool)['size']) if self.pool(pool) else 0
        # UNCONFIRMED: chose 1/64 for allocation overhead and spa_slop_shift=5 (1/32) for slop,
        # so a 500G pool's root shows ~477G available (spa_get_slop_space, spa_misc.c).
        dspace = size - size // 64
        return max(0, dspace - max(dspace // 32, min(dspace // 2, 128 * 1024 * 1024)))

    def space(self, name):
        if self._space_cache is None:
            self._space_cache = self._compute_space()
        return self._space_cache.get(name, {})

    def _compute_space(self):
        out = {}
        names = sorted(self.ds, key=lambda n: (-n.partition('@')[0].count('/'), n))
        snaps_of = {}
        for n in self.ds:
            if '@' in n:
                snaps_of.setdefault(n.partition('@')[0], []).append(n)
        for head in snaps_of:
            snaps_of[head].sort(key=lambda s: self.ds[s]['createtxg'])
        # snapshots: unique = what only they still hold, against their neighbours
        for head, snaps in snaps_of.items():
            live = int(self.ds[head]['data']) if head in self.ds else 0
            refs = [int(self.ds[s]['data']) for s in snaps]
            prev_ref = 0
            for i, snap in enumerate(snaps):
                nxt = refs[i + 1] if i + 1 < len(snaps) else live
                unique = max(0, refs[i] - max(prev_ref if i else 0, nxt))
                written = max(0, refs[i] - (refs[i - 1] if i else 0)) if i else refs[i]
                out[snap] = {'used': unique, 'referenced': refs[i], 'written': written, 'logicalreferenced': refs[i]}
                prev_ref = refs[i]
        # datasets, deepest first so children are known before parents
        for n in names:
            if '@' in n:
                continue
            rec = self.ds[n]
            data = int(rec['data'])
            usedds = max(0, data - int(rec.get('shared') or 0))
            if rec.get('origin') is None:
                usedds = data
            usedsnap = sum(out[s]['used'] for s in snaps_of.get(n, []))
            refres = int(rec['props'].get('refreservation', 0))
            usedrefres = max(0, refres - usedds)
            usedchild = 0
            lused = usedds + usedsnap
            for child in self.direct_children(n):
                lused += out[child]['logicalused']
                cused = out[child]['used']
                resv = int(self.ds[child]['props'].get('reservation', 0))
                usedchild += max(cused, resv)
            used = usedds + usedsnap + usedrefres + usedchild
            snaps = snaps_of.get(n, [])
            written = max(0, data - int(self.ds[snaps[-1]]['data'])) if snaps else data
            out[n] = {'used': used, 'referenced': data, 'usedbydataset': usedds, 'usedbysnapshots': usedsnap,
                      'usedbyrefreservation': usedrefres, 'usedbychildren': usedchild, 'written': written,
                      'logicalused': lused, 'logicalreferenced': data}
        # available, top down
        dir_avail = {}
        for n in sorted((x for x in self.ds if '@' not in x), key=lambda x: (x.count('/'), x)):
            rec = self.ds[n]
            props = rec['props']
            used = out[n]['used']
            parent = self.parent(n)
            if parent is None:
                avail = max(0, self._usable(n) - used)
            else:
                avail = dir_avail.get(parent, 0)
                resv = int(props.get('reservation', 0))
                if resv > used:
                    avail += resv - used
            quota = int(props.get('quota', 0))
            if quota:
                avail = min(avail, max(0, quota - used))
            dir_avail[n] = avail
            ds_avail = avail + out[n]['usedbyrefreservation']
            refquota = int(props.get('refquota', 0))
            if refquota:
                ds_avail = min(ds_avail, max(0, refquota - out[n]['referenced']))
            out[n]['available'] = ds_avail
        return out

    def pool_space(self, pool):
        """(size, allocated, free) of a pool: allocated counts data, not reservations."""
        size = int(self.pool(pool)['size'])
        alloc = 0
        for n in self.ds:
            if n.split('/')[0].partition('@')[0] != pool:
                continue
            sp = self.space(n)
            if '@' in n:
                alloc += sp['used']
            else:
                alloc += sp['usedbydataset']
        # pool metadata (MOS, spacemaps); UNCONFIRMED: chose a small fixed overhead
        alloc += 2 * 1024 * 1024 + len(self.ds) * 64 * 1024
        alloc = min(alloc, size)
        return {'size': size, 'allocated': alloc, 'free': size - alloc}

    # -- validation (zfs_valid_proplist) -----------------------------------------------------

    def valid_proplist(self, props, kind, name=None, creating=True, volsize=None, blocksize=None):
        """Check and normalise ``props`` (dict name -> value); AuxError with libzfs's aux text.

        Returns a dict of canonical name -> stored value (ints for numbers, strings otherwise).
        """
        out = {}
        for pname, value in props.items():
            value = str(value) if not isinstance(value, str) else value
            pdef = prop_lookup(pname)
            if pdef is None and is_user_prop(pname):
                if len(pname) >= MAXNAMELEN:
                    raise AuxError("property name '%s' is too long" % pname)
                if len(value) >= 8192:
                    raise AuxError('property value too long')
                out[pname] = value
                continue
            if kind == SNAP:
                raise AuxError('this property can not be modified for snapshots')
            if pdef is None and is_userquota_prop(pname):
                # UNCONFIRMED: userquota@ values are accepted and stored as plain numbers
                out[pname] = value
                continue
            if pdef is None and pname.startswith('written@'):
                raise AuxError("'%s' is readonly" % pname)
            if pdef is None or not pdef.visible:
                if pdef is None:
                    raise AuxError("invalid property '%s'" % pname)
            if kind not in pdef.types:
                raise AuxError("'%s' does not apply to datasets of this type" % pname)
            if pdef.readonly and not (pdef.setonce and creating):
                raise AuxError("'%s' is readonly" % pname)
            stored = self._parse_value(pdef, pname, value, kind)
            self._check_specific(pdef, pname, stored, kind, name, creating, volsize, blocksize)
            out[pdef.name] = stored
        return out

    @staticmethod
    def _parse_value(pdef, pname, value, kind):
        """``zprop_parse_value``."""
        if pdef.ptype == 'number':
            if value == 'none':
                return UINT64_MAX if pdef.name in ('filesystem_limit', 'snapshot_limit') else 0
            if value == 'auto':
                if pdef.name != 'refreservation':
                    raise AuxError("'auto' is invalid value for '%s'" % pname)
                if kind != VOL:
                    raise AuxError("'%s=auto' only allowed on volumes" % pname)
                return 'auto'
            num = nicestrtonum(value)
            if num == 0 and pdef.name in ('quota', 'refquota'):
                raise AuxError("use 'none' to disable quota/refquota")
            return num
        if pdef.ptype == 'index':
            if value not in pdef.table:
                raise AuxError("'%s' must be one of '%s'" % (pname, pdef.values))
            if pdef.name == 'aclinherit' and value == 'secure':
                return 'restricted'
            return value
        if len(value) >= 1024:
            raise AuxError("'%s' is too long" % pname)
        return value

    def _check_specific(self, pdef, pname, value, kind, name, creating, volsize, blocksize):
        prop = pdef.name
        if prop in ('volblocksize', 'recordsize'):
            maxbs = SPA_OLD_MAXBLOCKSIZE if prop == 'volblocksize' else SPA_MAXBLOCKSIZE
            if value < SPA_MINBLOCKSIZE or value > maxbs or value & (value - 1):
                raise AuxError("'%s' must be power of 2 from 512B to %uKB" % (pname, maxbs >> 10))
        if prop == 'special_small_blocks':
            if value and (value < SPA_MINBLOCKSIZE or value > SPA_OLD_MAXBLOCKSIZE or value & (value - 1)):
                raise AuxError("invalid '%s=%d' property: must be zero or a power of 2 from 512B to 128K" % (pname, value))
        if prop == 'keylocation':
            if not (value in ('none', 'prompt') or (len(value) > 8 and value.startswith('file:///'))):
                raise AuxError('invalid keylocation')
            if not creating and value != 'none':
                raise AuxError("keylocation must be 'none' for unencrypted datasets")
        if prop == 'mountpoint' and value not in ('none', 'legacy'):
            if not value.startswith('/'):
                raise AuxError("'%s' must be an absolute path, 'none', or 'legacy'" % pname)
            for comp in value.split('/'):
                if len(comp) >= MAXNAMELEN:
                    raise AuxError("component of '%s' is too long" % pname)
        if prop in ('mountpoint', 'sharenfs', 'sharesmb') and name:
            # zfs_valid_proplist gets the dataset's zoned (or, on create, its parent's)
            holder = name if (name in self.ds and not creating) else self.parent(name)
            if holder in self.ds and self._raw(holder, 'zoned')[0] == 'on':
                raise AuxError("'%s' cannot be set on dataset in a non-global zone" % pname)
        if kind == VOL and not creating and name in self.ds:
            cur_volsize = int(self._raw(name, 'volsize')[0])
            cur_bs = int(self._raw(name, 'volblocksize')[0])
            if prop == 'reservation' and value > cur_volsize:
                raise AuxError("'%s' is greater than current volume size" % pname)
            if prop == 'refreservation' and value != 'auto' and value > cur_volsize and value != UINT64_MAX:
                raise AuxError("'%s' is greater than current volume size" % pname)
            if prop == 'volsize':
                if value % cur_bs:
                    raise AuxError("'%s' must be a multiple of volume block size (%s)" % (pname, nicenum(cur_bs)))
                if value == 0:
                    raise AuxError("'%s' cannot be zero" % pname)
        del volsize, blocksize

    # -- create ------------------------------------------------------------------------------

    def check_create_target(self, name, kind, parents=False):
        """The name/pool/parent checks of ``zfs create`` (ZfsError with the exact text)."""
        why = validate_name(name, {kind}, modifying=True)
        if why:
            raise ZfsError("cannot create '%s': %s" % (name, why))
        if name.count('/') >= MAX_NESTING:
            raise ZfsError("cannot create '%s': maximum name nesting depth exceeded" % name)
        pool = name.split('/')[0]
        if pool not in self.doc['pools']:
            raise ZfsError("cannot create '%s': no such pool '%s'" % (name, pool))
        parent = self.parent(name)
        if parent is None:
            raise ZfsError("cannot create '%s': missing dataset name" % name)
        if not parents:
            if parent not in self.ds:
                raise ZfsError("cannot create '%s': parent does not exist" % name)
        cur = parent
        while cur:
            if cur in self.ds and self.ds[cur]['type'] != FS:
                raise ZfsError("cannot create '%s': parent is not a filesystem" % name)
            cur = self.parent(cur)
        if name in self.ds:
            raise ZfsError("cannot create '%s': dataset already exists" % name)

    def create(self, name, kind='filesystem', props=None, parents=False, volsize=None, sparse=False, blocksize=None):
        """``zfs create [-p] [-o ...] [-V size [-s] [-b bs]] name``; returns nothing, raises ZfsError."""
        props = dict(props or {})
        if parents and name in self.ds:
            return
        self.check_create_target(name, kind, parents)
        try:
            if kind == VOL:
                if volsize is None:
                    raise AuxError('missing volume size')
                volsize = nicestrtonum(volsize) if isinstance(volsize, str) else int(volsize)
                if blocksize is not None:
                    props['volblocksize'] = blocksize
            checked = self.valid_proplist(props, kind, name, creating=True)
            if kind == VOL:
                bs = int(checked.get('volblocksize', DEFAULT_VOLBLOCKSIZE))
                if volsize == 0:
                    raise AuxError('volume size cannot be zero')
                if volsize % bs:
                    raise AuxError('volume size must be a multiple of volume block size')
        except AuxError as exc:
            raise ZfsError("cannot create '%s': %s" % (name, exc)) from None
        if parents:
            self._create_ancestors(name)
        now = int(time.time())
        rec = self._new_record(kind, {}, now)
        if kind == VOL:
            rec['props']['volsize'] = volsize
            if 'volblocksize' in checked:
                rec['props']['volblocksize'] = checked.pop('volblocksize')
            copies = int(checked.get('copies') or self._lookup_inherited(self.parent(name), 'copies')[0] or 1)
            if checked.get('refreservation') == 'auto' or ('refreservation' not in checked and not sparse):
                checked['refreservation'] = volsize_to_reservation(volsize, int(rec['props'].get('volblocksize', DEFAULT_VOLBLOCKSIZE)), copies)
        rec['props'].update(checked)
        self.ds[name] = rec
        self._dirty()
        if kind == FS:
            self._mount_tree(name)

    def _create_ancestors(self, name):
        parts = name.split('/')
        for i in range(2, len(parts)):
            anc = '/'.join(parts[:i])
            if anc not in self.ds:
                self.ds[anc] = self._new_record(FS, {})
                self._dirty()
                self._mount_tree(anc)

    # -- mounting / directories ------------------------------------------------------------

    def _stash_dir(self, name):
        """Where an unmounted filesystem's files wait until it is mounted again."""
        return self.state.path('zfs-unmounted', quote(name, safe=''))

    def _mount_at(self, name, target):
        rec = self.ds[name]
        host = self.state.host_path(target)
        stash = self._stash_dir(name)
        if os.path.isdir(stash) and (not os.path.isdir(host) or not os.listdir(host)):
            if os.path.isdir(host):
                os.rmdir(host)
            os.makedirs(os.path.dirname(host), exist_ok=True)
            shutil.move(stash, host)
        os.makedirs(host, exist_ok=True)
        rec['mounted'] = True
        rec['mounted_at'] = target

    def _unmount(self, name, old):
        rec = self.ds[name]
        rec['mounted'] = False
        rec.pop('mounted_at', None)
        if not old:
            return
        host = self.state.host_path(old)
        if not os.path.isdir(host):
            return
        if os.listdir(host):
            stash = self._stash_dir(name)
            if os.path.isdir(stash):
                shutil.rmtree(stash)
            os.makedirs(os.path.dirname(stash), exist_ok=True)
            shutil.move(host, stash)
        else:
            os.rmdir(host)

    def _mount_tree(self, name):
        """(Re)mount ``name`` and its descendant filesystems as their properties say."""
        for n in [name] + self.children(name, types=(FS,)):
            target = self._mount_target(n)
            if target:
                self._mount_at(n, target)
            elif self.ds[n].get('mounted'):
                self._unmount(n, self.ds[n].get('mounted_at'))

    def _remount_subtree(self, name, old_mounts, was_legacy=False):
        """After a property change: move each filesystem's files from its old mountpoint to its new one.

        As libzfs' changelist_postfix does, only a filesystem that was mounted before is mounted
        again (or the top one when its mountpoint was ``legacy``): a change never mounts one that
        was not (zssfred/illumos-joyent usr/src/lib/libzfs/common/libzfs_changelist.c).
        """
        for n in [name] + self.children(name, types=(FS,)):
            rec = self.ds[n]
            old = old_mounts.get(n)
            if self.mountpoint(n) != 'legacy':
                rec.pop('legacy_at', None)
            new = self._mount_target(n) if old or (was_legacy and n == name) else None
            if old and new and old != new:
                old_host, new_host = self.state.host_path(old), self.state.host_path(new)
                if os.path.isdir(old_host) and not os.path.exists(new_host):
                    os.makedirs(os.path.dirname(new_host), exist_ok=True)
                    shutil.move(old_host, new_host)
                elif os.path.isdir(old_host) and os.path.isdir(new_host) and not os.listdir(old_host):
                    os.rmdir(old_host)
            if new:
                self._mount_at(n, new)
            elif old:
                self._unmount(n, old)
            else:
                rec['mounted'] = False
                rec.pop('mounted_at', None)

    def _other_mounts_under(self, host_path, exclude):
        out = []
        for n, rec in self.ds.items():
            if n in exclude or rec['type'] != FS or not rec.get('mounted'):
                continue
            path = self.state.host_path(rec.get('mounted_at') or self.mountpoint(n))
            if path.startswith(host_path.rstrip('/') + '/'):
                out.append(path)
        return out

    def _tree_dir(self, snap):
        return self.state.path(SNAPSHOT_TREES, quote(snap, safe=''))

    def _copy_tree(self, src, dst, skip):
        """Copy a directory tree without the mountpoints of other filesystems below it."""
        skip = set(os.path.normpath(p) for p in skip)

        def ignore(directory, names):
            return [n for n in names if os.path.normpath(os.path.join(directory, n)) in skip]
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        shutil.copytree(src, dst, symlinks=True, ignore=ignore, ignore_dangling_symlinks=True)

    def _save_snapshot_tree(self, snap):
        head = snap.partition('@')[0]
        path = self.mountpoint_host_path(head)
        if path and os.path.isdir(path):
            self._copy_tree(path, self._tree_dir(snap), self._other_mounts_under(path, {head}))

    def _restore_tree(self, snap, dest_host, owner):
        """Replace the files of ``dest_host`` (mountpoint of ``owner``) with ``snap``'s copy."""
        tree = self._tree_dir(snap)
        keep = set(os.path.normpath(p) for p in self._other_mounts_under(dest_host, {owner}))
        os.makedirs(dest_host, exist_ok=True)
        for entry in os.listdir(dest_host):
            full = os.path.join(dest_host, entry)
            if os.path.normpath(full) in keep or any(k.startswith(os.path.normpath(full) + '/') for k in keep):
                continue
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.unlink(full)
        if os.path.isdir(tree):
            for entry in os.listdir(tree):
                src, dst = os.path.join(tree, entry), os.path.join(dest_host, entry)
                if os.path.isdir(src) and not os.path.islink(src):
                    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
                else:
                    shutil.copy2(src, dst, follow_symlinks=False)

    def _remove_files(self, name):
        rec = self.ds[name]
        if rec['type'] == SNAP:
            tree = self._tree_dir(name)
            if os.path.isdir(tree):
                shutil.rmtree(tree)
            return
        stash = self._stash_dir(name)
        if os.path.isdir(stash):
            shutil.rmtree(stash)
        if rec['type'] == FS and rec.get('mounted'):
            path = self.state.host_path(rec.get('mounted_at') or self.mountpoint(name))
            others = self._other_mounts_under(path, {name})
            if os.path.isdir(path) and not others:
                shutil.rmtree(path)

    # -- destroy -----------------------------------------------------------------------------

    def _postorder(self, name):
        """Descendants in destroy order: a child's subtree and snapshots before the child; own snapshots last."""
        out = []
        for child in self.direct_children(name):
            out.extend(self._postorder(child))
            out.append(child)
        out.extend(self.snapshots(name))
        return out

    def destroy_list(self, name, recursive=False, recursive_dependents=False):
        """What ``zfs destroy`` would destroy, in order (target last); ZfsError on refusal."""
        rec = self._require(name)
        kind = rec['type']
        if kind == SNAP:
            return self._destroy_snapshot_list(name, recursive, recursive_dependents)
        if '/' not in name and not recursive and not recursive_dependents:
            raise ZfsError("cannot destroy '%s': operation does not apply to pools\n"
                           "use 'zfs destroy -r %s' to destroy all datasets in the pool\n"
                           "use 'zpool destroy %s' to destroy the pool itself" % (name, name, name))
        desc = self._postorder(name)
        if desc and not recursive and not recursive_dependents:
            raise ZfsError("cannot destroy '%s': %s has children\nuse '-r' to destroy the following datasets:\n%s"
                           % (name, kind, '\n'.join(desc)))
        order = desc + [name]
        inside = set(order)
        clones = []
        for n in order:
            if '@' in n:
                for c in self.clones_of(n):
                    if c not in inside:
                        clones.append(c)
        if clones and not recursive_dependents:
            names = []
            for c in clones:
                names.extend(self._postorder(c) + [c])
            raise ZfsError("cannot destroy '%s': %s has dependent clones\nuse '-R' to destroy the following datasets:\n%s"
                           % (name, kind, '\n'.join(names)))
        if clones:
            extra = []
            for c in clones:
                extra.extend(self._dependents_with_clones(c))
            order = [n for n in extra if n not in inside] + order
        if '/' not in name:
            order = [n for n in order if n != name]
        return _dedup(order)

    def _dependents_with_clones(self, name):
        """Everything destroying ``name`` takes with -R (clones of its snapshots first)."""
        out = []
        for n in self._postorder(name) + [name]:
            if '@' in n:
                for c in self.clones_of(n):
                    out.extend(self._dependents_with_clones(c))
            out.append(n)
        return out

    def _destroy_snapshot_list(self, name, recursive, recursive_dependents):
        heads = [name.partition('@')[0]]
        snapname = name.partition('@')[2]
        if recursive:
            heads += self.children(heads[0], types=FSVOL)
        targets = [h + '@' + snapname for h in heads if h + '@' + snapname in self.ds]
        order = []
        for snap in targets:
            clones = self.clones_of(snap)
            if clones and not recursive_dependents:
                names = []
                for c in clones:
                    names.extend(self._postorder(c) + [c])
                raise ZfsError("cannot destroy '%s': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n%s"
                               % (snap, '\n'.join(names)))
            for c in clones:
                order.extend(self._dependents_with_clones(c))
            order.append(snap)
        return _dedup(order)

    def destroy(self, name, recursive=False, recursive_dependents=False):
        """``zfs destroy [-r|-R] name`` (filesystem, volume or one snapshot name)."""
        order = self.destroy_list(name, recursive, recursive_dependents)
        self.destroy_names(order)
        return order

    def destroy_names(self, order):
        """Destroy exactly these datasets (already checked), in this order.

        A snapshot with user holds is refused as the kernel does (EBUSY), before anything goes.
        """
        for n in order:
            if n in self.ds and self.ds[n].get('holds'):
                raise ZfsError('cannot destroy snapshot %s: dataset is busy' % n)
        for n in order:
            if n not in self.ds:
                continue
            self._remove_files(n)
            del self.ds[n]
            self._dirty()

    # -- user holds (zfs hold / holds / release) --------------------------------------------------

    def hold(self, head, snapname, tag, recursive=False):
        """``zfs hold [-r] tag head@snapname``; ZfsError with libzfs's texts."""
        targets = [h + '@' + snapname for h in [head] + (self.children(head, types=FSVOL) if recursive else [])]
        targets = [t for t in targets if t in self.ds]
        if not targets:
            raise ZfsError("cannot hold snapshot '%s@%s': dataset does not exist" % (head, snapname))
        for t in targets:
            if tag in self.ds[t].get('holds', {}):
                raise ZfsError("cannot hold snapshot '%s': tag already exists on this dataset" % t)
        now = int(time.time())
        for t in targets:
            self.ds[t].setdefault('holds', {})[tag] = now

    def release(self, head, snapname, tag, recursive=False):
        """``zfs release [-r] tag head@snapname``."""
        targets = [h + '@' + snapname for h in [head] + (self.children(head, types=FSVOL) if recursive else [])]
        targets = [t for t in targets if t in self.ds]
        if not targets:
            raise ZfsError("cannot release hold from snapshot '%s@%s': dataset does not exist" % (head, snapname))
        for t in targets:
            if tag not in self.ds[t].get('holds', {}):
                raise ZfsError("cannot release hold from snapshot '%s': no such tag on this dataset" % t)
        for t in targets:
            del self.ds[t]['holds'][tag]

    def holds(self, snapshot):
        """{tag: epoch} of a snapshot's user holds."""
        return dict(self._require(snapshot).get('holds') or {})

    # -- snapshots, clones, rollback -----------------------------------------------------------

    def snapshot(self, name_at_snap, props=None, recursive=False):
        """``zfs snapshot [-r] [-o user:prop=v] fs@snap``."""
        return self.snapshots_create([name_at_snap], props, recursive)

    def snapshots_create(self, names, props=None, recursive=False):
        """Several snapshots atomically (all or nothing), as one ``zfs snapshot`` command."""
        props = dict(props or {})
        targets = []
        for full in names:
            why = validate_name(full, {SNAP}, modifying=True)
            if why:
                raise ZfsError("cannot create snapshot '%s': %s" % (full, why))
            head, snap = full.split('@', 1)
            if head not in self.ds:
                raise ZfsError("cannot open '%s': dataset does not exist" % head)
            targets.append(full)
            if recursive:
                targets.extend(c + '@' + snap for c in self.children(head, types=FSVOL))
        try:
            checked = self.valid_proplist(props, SNAP, creating=True)
        except AuxError as exc:
            raise ZfsError("cannot create snapshot '%s': %s" % (names[0], exc)) from None
        heads = [t.partition('@')[0] for t in targets]
        if len(set(heads)) != len(heads):
            raise ZfsError('cannot create snapshots : multiple snapshots of same fs not allowed')
        for t in targets:
            if t in self.ds:
                msg = "cannot create snapshot '%s': dataset already exists" % t
                if recursive or len(names) > 1:
                    msg += '\nno snapshots were created'
                raise ZfsError(msg)
        now = int(time.time())
        txg = self._next_txg()
        for t in targets:
            head = t.partition('@')[0]
            rec = self._new_record(SNAP, dict(checked), now, data=self.ds[head]['data'])
            rec['createtxg'] = txg
            rec['head_type'] = self.ds[head]['type']
            self.ds[t] = rec
            self._save_snapshot_tree(t)
        self._dirty()
        return targets

    def clone(self, snapshot, name, props=None, parents=False):
        """``zfs clone [-p] [-o ...] snap name``."""
        why = validate_name(snapshot, {SNAP})
        if why:
            raise ZfsError("cannot open '%s': %s" % (snapshot, why))
        srec = self._require(snapshot)
        kind = srec.get('head_type') or self.ds.get(snapshot.partition('@')[0], {}).get('type', FS)
        if parents and name in self.ds:
            return
        why = validate_name(name, {kind}, modifying=True)
        if why:
            raise ZfsError("cannot create '%s': %s" % (name, why))
        if name.split('/')[0] != snapshot.split('/')[0].partition('@')[0]:
            if name.split('/')[0] not in self.doc['pools']:
                raise ZfsError("cannot create '%s': no such pool '%s'" % (name, name.split('/')[0]))
            raise ZfsError("cannot create '%s': source and target pools differ" % name)
        self.check_create_target(name, kind, parents)
        try:
            checked = self.valid_proplist(dict(props or {}), kind, name, creating=True)
        except AuxError as exc:
            raise ZfsError("cannot create '%s': %s" % (name, exc)) from None
        if parents:
            self._create_ancestors(name)
        rec = self._new_record(kind, checked, data=srec['data'])
        rec['origin'] = snapshot
        rec['shared'] = int(srec['data'])
        if kind == VOL:
            head = snapshot.partition('@')[0]
            hrec = self.ds.get(head, {})
            for p in ('volsize', 'volblocksize'):
                if p in hrec.get('props', {}):
                    rec['props'].setdefault(p, hrec['props'][p])
            rec['props'].setdefault('volsize', srec.get('volsize', 0))
        self.ds[name] = rec
        self._dirty()
        if kind == FS:
            self._mount_tree(name)
            path = self.mountpoint_host_path(name)
            if path and os.path.isdir(self._tree_dir(snapshot)):
                self._restore_tree(snapshot, path, name)

    def rollback_blockers(self, snapshot):
        """Snapshots newer than ``snapshot`` (rollback -r would destroy them)."""
        head = snapshot.partition('@')[0]
        txg = self.ds[snapshot]['createtxg']
        return [s for s in self.snapshots(head) if self.ds[s]['createtxg'] > txg]

    def rollback(self, snapshot, destroy_later=False, destroy_clones=False):
        """``zfs rollback [-r] [-R] snap``."""
        why = validate_name(snapshot, {SNAP})
        if why:
            raise ZfsError("cannot open '%s': %s" % (snapshot, why))
        self._require(snapshot)
        newer = self.rollback_blockers(snapshot)
        if newer and not destroy_later and not destroy_clones:
            raise ZfsError("cannot rollback to '%s': more recent snapshots or bookmarks exist\n"
                           "use '-r' to force deletion of the following snapshots and bookmarks:\n%s"
                           % (snapshot, '\n'.join(newer)))
        clones = []
        for s in newer:
            for c in self.clones_of(s):
                clones.extend(self._dependents_with_clones(c))
        if clones and not destroy_clones:
            raise ZfsError("cannot rollback to '%s': clones of previous snapshots exist\n"
                           "use '-R' to force deletion of the following clones and dependents:\n%s"
                           % (snapshot, '\n'.join(clones)))
        self.destroy_names(_dedup(clones) + list(reversed(newer)))
        head = snapshot.partition('@')[0]
        hrec = self.ds[head]
        hrec['data'] = self.ds[snapshot]['data']
        path = self.mountpoint_host_path(head)
        if path:
            self._restore_tree(snapshot, path, head)
        self._dirty()

    def promote(self, name):
        """``zfs promote clone``: the origin's snapshots up to the origin move to the clone."""
        rec = self._require(name)
        origin = rec.get('origin')
        if not origin:
            raise ZfsError("cannot promote '%s': not a cloned filesystem" % name)
        ohead = origin.partition('@')[0]
        otxg = self.ds[origin]['createtxg']
        moving = [s for s in self.snapshots(ohead) if self.ds[s]['createtxg'] <= otxg]
        for s in moving:
            new = name + '@' + s.partition('@')[2]
            if new in self.ds:
                raise ZfsError("cannot promote '%s': conflicting snapshot '%s' from parent '%s'"
                               % (name, s.partition('@')[2], ohead))
        renames = {}
        for s in moving:
            new = name + '@' + s.partition('@')[2]
            renames[s] = new
            self.ds[new] = self.ds.pop(s)
            self._rename_tree(s, new)
        for other in self.ds.values():
            if other.get('origin') in renames:
                other['origin'] = renames[other['origin']]
        new_origin = renames[origin]
        rec['origin'] = self.ds[ohead].get('origin')
        rec['shared'] = 0
        self.ds[ohead]['origin'] = new_origin
        self.ds[ohead]['shared'] = int(self.ds[new_origin]['data'])
        self._dirty()

    def _rename_tree(self, old, new):
        src = self._tree_dir(old)
        if os.path.isdir(src):
            os.makedirs(os.path.dirname(self._tree_dir(new)), exist_ok=True)
            os.replace(src, self._tree_dir(new))

    # -- rename ----------------------------------------------------------------------------------

    def rename(self, old, new, parents=False, recursive=False):
        """``zfs rename [-p] old new`` / ``zfs rename -r pool/fs@a pool/fs@b``."""
        rec = self._require(old)
        if rec['type'] == SNAP:
            head = old.partition('@')[0]
            if new.startswith('@'):
                new = head + new
            elif '@' not in new and '/' not in new:
                new = head + '@' + new
            if new.partition('@')[0] != head:
                raise ZfsError("cannot rename to '%s': snapshots must be part of same dataset" % new)
            why = validate_name(new, {SNAP}, modifying=True)
            if why:
                raise ZfsError("cannot rename to '%s': %s" % (new, why))
            if old == new:
                return
            pairs = [(old, new)]
            if recursive:
                oldsnap, newsnap = old.partition('@')[2], new.partition('@')[2]
                for child in self.children(head, types=FSVOL):
                    if child + '@' + oldsnap in self.ds:
                        if child + '@' + newsnap in self.ds:
                            raise ZfsError("cannot rename '%s': a child dataset already has a snapshot with the new name" % old)
                        pairs.append((child + '@' + oldsnap, child + '@' + newsnap))
            if new in self.ds:
                raise ZfsError("cannot rename to '%s': dataset already exists" % new)
            for a, b in pairs:
                self.ds[b] = self.ds.pop(a)
                self._rename_tree(a, b)
                for other in self.ds.values():
                    if other.get('origin') == a:
                        other['origin'] = b
            self._dirty()
            return
        why = validate_name(new, {rec['type']}, modifying=True)
        if why:
            raise ZfsError("cannot rename to '%s': %s" % (new, why))
        if old == new:
            return
        if new.split('/')[0] != old.split('/')[0]:
            raise ZfsError("cannot rename to '%s': datasets must be within same pool" % new)
        if new.startswith(old + '/'):
            raise ZfsError("cannot rename to '%s': New dataset name cannot be a descendant of current dataset name" % new)
        parent = self.parent(new)
        if parent is None or (parent not in self.ds and not parents):
            raise ZfsError("cannot create '%s': parent does not exist" % new)
        if parent in self.ds and self.ds[parent]['type'] != FS:
            raise ZfsError("cannot create '%s': parent is not a filesystem" % new)
        if new in self.ds:
            raise ZfsError("cannot rename '%s': dataset already exists" % old)
        if '/' not in old:
            raise ZfsError("cannot rename '%s': operation does not apply to pools" % old)
        if parents:
            self._create_ancestors(new)
        old_mounts = dict((n, self.ds[n].get('mounted_at')) for n in [old] + self.children(old, types=(FS,)))
        moved = {}
        for n in [old] + self.children(old):
            moved[n] = new + n[len(old):]
        for a, b in moved.items():
            self.ds[b] = self.ds.pop(a)
            if '@' in a:
                self._rename_tree(a, b)
        for other in self.ds.values():
            if other.get('origin') in moved:
                other['origin'] = moved[other['origin']]
        self._dirty()
        renamed_mounts = dict((moved[n], m) for n, m in old_mounts.items())
        self._remount_subtree(new, renamed_mounts)

    # -- set / inherit -----------------------------------------------------------------------

    def set(self, name, props, received=False):
        """``zfs set p=v ... name`` (all validated, then applied together)."""
        rec = self._require(name)
        kind = rec['type']
        try:
            checked = self.valid_proplist(dict(props), kind, name, creating=False)
        except AuxError as exc:
            raise ZfsError("cannot set property for '%s': %s" % (name, exc)) from None
        self._kernel_checks(name, checked)
        if kind == VOL and 'volsize' in checked:
            old_vs = int(rec['props'].get('volsize', 0))
            bs = int(rec['props'].get('volblocksize', DEFAULT_VOLBLOCKSIZE))
            copies = int(self._raw(name, 'copies')[0])
            old_auto = volsize_to_reservation(old_vs, bs, copies)
            if 'refreservation' not in checked and int(rec['props'].get('refreservation', 0)) == old_auto:
                checked['refreservation'] = volsize_to_reservation(checked['volsize'], bs, copies)
        if checked.get('refreservation') == 'auto':
            checked['refreservation'] = volsize_to_reservation(
                int(checked.get('volsize', rec['props'].get('volsize', 0))),
                int(rec['props'].get('volblocksize', DEFAULT_VOLBLOCKSIZE)), int(self._raw(name, 'copies')[0]))
        # libzfs_dataset.c zfs_prop_set_list: canmount=on|noauto gathers no changelist (nothing is
        # mounted or unmounted); only canmount=off unmounts a mounted filesystem.
        mount_related = any(p in checked for p in ('mountpoint', 'zoned')) or checked.get('canmount') == 'off'
        old_mounts = {}
        was_legacy = kind == FS and self.mountpoint(name) == 'legacy'
        if mount_related and kind == FS:
            old_mounts = dict((n, self.ds[n].get('mounted_at')) for n in [name] + self.children(name, types=(FS,)))
        for p, v in checked.items():
            if p in ('quota', 'refquota', 'reservation', 'refreservation') and v == 0:
                rec['props'].pop(p, None)
                rec.get('sources', {}).pop(p, None)
                continue
            rec['props'][p] = v
            if received:
                rec.setdefault('sources', {})[p] = 'received'
            else:
                rec.get('sources', {}).pop(p, None)
        self._dirty()
        if mount_related and kind == FS:
            self._remount_subtree(name, old_mounts, was_legacy)

    def _kernel_checks(self, name, checked):
        """The kernel's refusals (zfs_setprop_error): quota below usage, reservation above space."""
        space = self.space(name)
        rec = self.ds[name]
        for p in ('quota', 'refquota'):
            v = checked.get(p)
            if v:
                used = space['used'] if p == 'quota' else space['referenced']
                if p == 'quota':
                    used = max(used, int(rec['props'].get('reservation', 0)))
                if v < used:
                    raise ZfsError("cannot set property for '%s': size is less than current used or reserved space" % name)
        for p in ('reservation', 'refreservation'):
            v = checked.get(p)
            if isinstance(v, int) and v:
                old = int(rec['props'].get(p, 0))
                base = space['used'] if p == 'reservation' else space['usedbydataset']
                grow = max(0, v - max(old, base))
                if grow > space['available']:
                    raise ZfsError("cannot set property for '%s': size is greater than available space" % name)
        if 'volsize' in checked and rec['type'] == VOL:
            old_vs = int(rec['props'].get('volsize', 0))
            new_vs = checked['volsize']
            if new_vs > old_vs and int(rec['props'].get('refreservation', 0)) and new_vs - old_vs > space['available']:
                raise ZfsError("cannot set property for '%s': size is greater than available space" % name)

    def inherit(self, name, prop, recursive=False, received=False):
        """``zfs inherit [-r] prop name`` (the CLI's own read-only/non-inheritable texts included)."""
        self._require(name)
        pdef = prop_lookup(prop)
        if pdef is None:
            if not is_user_prop(prop):
                raise ZfsError("invalid property '%s'" % prop, rc=2)
            targets = [name] + (self.children(name) if recursive else [])
            for n in targets:
                self.ds[n]['props'].pop(prop, None)
                self.ds[n].get('sources', {}).pop(prop, None)
            return
        if pdef.readonly:
            raise ZfsError('%s property is read-only' % prop)
        if not pdef.inheritable and not received:
            msg = "'%s' property cannot be inherited" % prop
            if pdef.name in _QUOTAS:
                msg += "\nuse 'zfs set %s=none' to clear\nuse 'zfs inherit -S %s' to revert to received value" % (prop, prop)
            raise ZfsError(msg)
        targets = [name] + (self.children(name) if recursive else [])
        for n in targets:
            if self.ds[n]['type'] not in pdef.types:
                if recursive:
                    continue
                raise ZfsError("cannot inherit %s for '%s': property doesn't apply to datasets of this type" % (prop, n))
            if pdef.name == 'mountpoint' and self._raw(n, 'zoned')[0] == 'on':
                raise ZfsError("cannot inherit %s for '%s': dataset is used in a non-global zone" % (prop, n))
        mount_related = pdef.name in ('mountpoint', 'zoned')   # canmount is not inheritable
        old_mounts = {}
        was_legacy = self.ds[name]['type'] == FS and self.mountpoint(name) == 'legacy'
        if mount_related and self.ds[name]['type'] == FS:
            old_mounts = dict((n, self.ds[n].get('mounted_at')) for n in [name] + self.children(name, types=(FS,)))
        for n in targets:
            self.ds[n]['props'].pop(pdef.name, None)
            self.ds[n].get('sources', {}).pop(pdef.name, None)
        self._dirty()
        if old_mounts:
            self._remount_subtree(name, old_mounts, was_legacy)

    # -- user properties helpers -------------------------------------------------------------

    def local_props(self, name):
        """The locally set properties (native and user) of ``name``: {prop: stored value}."""
        return dict(self._require(name)['props'])


def _dedup(names):
    seen = set()
    out = []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out
