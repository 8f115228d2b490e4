"""``zfs`` of the simulated global zone.

Behaviour, messages and layouts follow illumos' zfs(1M) as the reference describes it
(smartos_zfs_zpool.md; source: illumos-joyent usr/src/cmd/zfs/zfs_main.c, zfs_iter.c,
usr/src/lib/libzfs/common/libzfs_dataset.c, libzfs_util.c). The datasets live in
:mod:`smartos_sim.zfsdb`.

Simulated: create, destroy, snapshot, rollback, clone, promote, rename, list, set, get, inherit,
mount, unmount, send, receive (a stream format of our own, see ``STREAM_MAGIC``), upgrade,
hold, holds, release (vmadm's indestructible_* use them).
Not simulated (they print a notice and exit 1): allow/unallow, userspace & co.,
diff, bookmark, program, share/unshare, remap, the key commands.
"""
import base64
import io
import json
import os
import re
import sys
import tarfile

from smartos_sim import zfsdb, zgetopt, zprop
from smartos_sim.zgetopt import getopt, GetoptError
from smartos_sim.zfsdb import FS, VOL, SNAP, PROPS, ZfsError, AuxError, nicenum

# zfs_main.c get_usage(): the usage lines of each command (TAB-indented).
USAGE = {
    'clone': '\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>\n',
    'create': ('\tcreate [-Pnpv] [-o property=value] ... <filesystem>\n'
               '\tcreate [-Pnpsv] [-b blocksize] [-o property=value] ... -V <size> <volume>\n'),
    'destroy': ('\tdestroy [-fnpRrv] <filesystem|volume>\n'
                '\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n'
                '\tdestroy <filesystem|volume>#<bookmark>\n'),
    'get': ('\tget [-crHp] [-d max] [-o "all" | field[,...]]\n'
            '\t    [-t type[,...]] [-s source[,...]]\n'
            '\t    <"all" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n'),
    'inherit': '\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n',
    'upgrade': '\tupgrade [-v]\n\tupgrade [-r] [-V version] <-a | filesystem ...>\n',
    'list': ('\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n'
             '\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n'),
    'mount': '\tmount\n\tmount [-lvO] [-o opts] <-a | filesystem>\n',
    'promote': '\tpromote <clone-filesystem>\n',
    'receive': ('\treceive [-vnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n'
                '\t    <filesystem|volume|snapshot>\n'
                '\treceive [-vnsFhu] [-o <property>=<value>] ... [-x <property>] ... \n'
                '\t    [-d | -e] <filesystem>\n'
                '\treceive -A <filesystem|volume>\n'),
    'rename': ('\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n'
               '\trename [-f] -p <filesystem|volume> <filesystem|volume>\n'
               '\trename -r <snapshot> <snapshot>\n'),
    'rollback': '\trollback [-rRf] <snapshot>\n',
    'send': ('\tsend [-DnPpRvLecwhb] [-[iI] snapshot] <snapshot>\n'
             '\tsend [-nvPLecw] [-i snapshot|bookmark] <filesystem|volume|snapshot>\n'
             '\tsend [-nvPe] -t <receive_resume_token>\n'),
    'set': '\tset <property=value> ... <filesystem|volume|snapshot> ...\n',
    'share': '\tshare [-l] <-a | filesystem>\n',
    'snapshot': '\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n',
    'unmount': '\tunmount [-f] <-a | filesystem|mountpoint>\n',
    'unshare': '\tunshare <-a | filesystem|mountpoint>\n',
    'allow': ('\tallow <filesystem|volume>\n'
              '\tallow [-ldug] <"everyone"|user|group>[,...] <perm|@setname>[,...]\n'
              '\t    <filesystem|volume>\n'
              '\tallow [-ld] -e <perm|@setname>[,...] <filesystem|volume>\n'
              '\tallow -c <perm|@setname>[,...] <filesystem|volume>\n'
              '\tallow -s @setname <perm|@setname>[,...] <filesystem|volume>\n'),
    'unallow': ('\tunallow [-rldug] <"everyone"|user|group>[,...]\n'
                '\t    [<perm|@setname>[,...]] <filesystem|volume>\n'
                '\tunallow [-rld] -e [<perm|@setname>[,...]] <filesystem|volume>\n'
                '\tunallow [-r] -c [<perm|@setname>[,...]] <filesystem|volume>\n'
                '\tunallow [-r] -s @setname [<perm|@setname>[,...]] <filesystem|volume>\n'),
    'userspace': ('\tuserspace [-Hinp] [-o field[,...]] [-s field] ...\n'
                  '\t    [-S field] ... [-t type[,...]] <filesystem|snapshot>\n'),
    'groupspace': ('\tgroupspace [-Hinp] [-o field[,...]] [-s field] ...\n'
                   '\t    [-S field] ... [-t type[,...]] <filesystem|snapshot>\n'),
    'projectspace': ('\tprojectspace [-Hp] [-o field[,...]] [-s field] ... \n'
                     '\t    [-S field] ... <filesystem|snapshot>\n'),
    'project': ('\tproject [-d|-r] <directory|file ...>\n'
                '\tproject -c [-0] [-d|-r] [-p id] <directory|file ...>\n'
                '\tproject -C [-k] [-r] <directory ...>\n'
                '\tproject [-p id] [-r] [-s] <directory ...>\n'),
    'hold': '\thold [-r] <tag> <snapshot> ...\n',
    'holds': '\tholds [-r] <snapshot> ...\n',
    'release': '\trelease [-r] <tag> <snapshot> ...\n',
    'diff': '\tdiff [-FHt] <snapshot> [snapshot|filesystem]\n',
    'remap': '\tremap <filesystem | volume>\n',
    'bookmark': '\tbookmark <snapshot> <bookmark>\n',
    'program': ('\tprogram [-jn] [-t <instruction limit>] [-m <memory limit (b)>] <pool> <program file> '
                '[lua args...]\n'),
    'load-key': '\tload-key [-rn] [-L <keylocation>] <-a | filesystem|volume>\n',
    'unload-key': '\tunload-key [-r] <-a | filesystem|volume>\n',
    'change-key': ('\tchange-key [-l] [-o keyformat=<value>]\n'
                   '\t    [-o keylocation=<value>] [-o pbkfd2iters=<value>]\n'
                   '\t    <filesystem|volume>\n'
                   '\tchange-key -i [-l] <filesystem|volume>\n'),
}
# zfs_main.c command_table order; None prints an empty line in the full usage.
COMMANDS = ['create', 'destroy', None, 'snapshot', 'rollback', 'clone', 'promote', 'rename', 'bookmark',
            'program', None, 'list', None, 'set', 'get', 'inherit', 'upgrade', None, 'userspace',
            'groupspace', 'projectspace', None, 'project', None, 'mount', 'unmount', 'share', 'unshare',
            None, 'send', 'receive', None, 'allow', None, 'unallow', None, 'hold', 'holds', 'release',
            'diff', 'remap', 'load-key', 'unload-key', 'change-key']
ALIASES = {'umount': 'unmount', 'recv': 'receive', 'snap': 'snapshot'}
PROP_USAGE_COMMANDS = ('set', 'get', 'inherit', 'list')

STREAM_MAGIC = b'SMARTOS-SIM-ZFS-STREAM 1\n'
# send's output and receive's input, moved across the state lock by main()
STREAM_IO = {}


class UsageError(Exception):
    """Print the message (if any), then the usage block; exit 2."""


class Exit(Exception):
    """Stop with this exit code (messages already printed)."""

    def __init__(self, rc):
        super().__init__(rc)
        self.rc = rc


def _out(text):
    sys.stdout.write(text)


def _err(text):
    sys.stderr.write(text)


# ---------------------------------------------------------------------------------------------
# usage text

def prop_table():
    """The property table zfs prints after set/get/inherit/list usage (zfs_main.c usage_prop_cb)."""
    lines = ['\nThe following properties are supported:\n', '\n\t%-14s %s  %s   %s\n\n' % ('PROPERTY', 'EDIT', 'INHERIT', 'VALUES')]
    visible = [p for p in zfsdb._PROP_LIST if p.visible]  # pylint: disable=protected-access
    ordered = sorted(visible, key=lambda p: (0 if p.attr == 'readonly' else 1, p.name))
    for p in ordered:
        lines.append('\t%-15s %s%s%s\n' % (p.name, ' NO    ' if p.readonly else 'YES    ',
                                           '  YES   ' if p.inheritable else '   NO   ', p.values or '-'))
    for name in ('userused@...', 'groupused@...', 'projectused@...', 'userobjused@...', 'groupobjused@...',
                 'projectobjused@...'):
        lines.append('\t%-15s  NO       NO   <size>\n' % name)
    for name in ('userquota@...', 'groupquota@...', 'projectquota@...', 'userobjquota@...', 'groupobjquota@...',
                 'projectobjquota@...'):
        lines.append('\t%-15s YES       NO   <size> | none\n' % name)
    lines.append('\t%-15s  NO       NO   <size>\n' % 'written@<snap>')
    lines.append('\nSizes are specified in bytes with standard units such as K, M, G, etc.\n')
    lines.append('\nUser-defined properties can be specified by using a name containing a colon (:).\n')
    lines.append('\nThe {user|group|project}[obj]{used|quota}@ properties must be appended with\n'
                 'a user|group|project specifier of one of these forms:\n'
                 '    POSIX name      (eg: "matt")\n'
                 '    POSIX id        (eg: "126829")\n'
                 '    SMB name@domain (eg: "matt@sun")\n'
                 '    SMB SID         (eg: "S-1-234-567-89")\n')
    return ''.join(lines)


def usage_text(command=None):
    """The usage block (zfs_main.c usage()): one command's, or the full one when ``command`` is None."""
    if command is None:
        text = 'usage: zfs command args ...\nwhere \'command\' is one of the following:\n\n'
        for name in COMMANDS:
            text += '\n' if name is None else USAGE[name]
        text += '\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n'
    else:
        text = 'usage:\n' + USAGE[command]
    if command in PROP_USAGE_COMMANDS:
        text += prop_table()
    else:
        text += '\nFor the property list, run: zfs set|get\n'
        text += '\nFor the delegated permission list, run: zfs allow|unallow\n'
    return text


# ---------------------------------------------------------------------------------------------
# option parsing: smartos_sim/zgetopt.py (shared with zpool)

def _walk_opts(argv, optstring, on_missing=None):
    """getopt, turning '?' into ``invalid option 'X'`` + usage (and ':' into ``on_missing``)."""
    return zgetopt.parse(argv, optstring, UsageError, on_missing)


def _subopts(text, choices, error):
    """getsubopt(3C) over a comma list: the chosen tokens; ``error % token`` on an unknown one."""
    out = []
    for token in text.split(','):
        name = token.split('=', 1)[0]
        if name not in choices:
            raise UsageError(error % token)
        out.append(name)
    return out


def _parse_types(arg, choices):
    """``-t type[,type]...``: the dataset types; ``choices`` is the command's list (list also takes "snap")."""
    types = set()
    for tok in _subopts(arg, choices, "invalid type '%s'"):
        if tok == 'all':
            types = set(ALL_TYPES)
        elif tok != 'bookmark':
            types.add({'filesystem': FS, 'volume': VOL, 'snapshot': SNAP, 'snap': SNAP}[tok])
    return types


def parseprop(props, text):
    """zfs_main.c parseprop(): add ``name=value`` to the ordered dict; False after printing an error."""
    if '=' not in text:
        _err("missing '=' for property=value argument\n")
        return False
    name, value = text.split('=', 1)
    if name in props:
        _err("property '%s' specified multiple times\n" % name)
        return False
    props[name] = value
    return True


# ---------------------------------------------------------------------------------------------
# opening datasets

ALL_TYPES = frozenset((FS, VOL, SNAP))


def zfs_open(db, name, types):
    """libzfs zfs_open(): the dataset name, or ZfsError with the exact message."""
    why = zfsdb.validate_name(name, set(types))
    if why:
        raise ZfsError("cannot open '%s': %s" % (name, why))
    if not db.exists(name):
        raise ZfsError("cannot open '%s': dataset does not exist" % name)
    if db.type(name) not in types:
        raise ZfsError("cannot open '%s': operation not applicable to datasets of this type" % name)
    return name


def path_to_name(db, state, arg, types):
    """zfs_path_to_zhandle(): an argument starting with / or ./ names the filesystem mounted there."""
    if not (arg.startswith('/') or arg.startswith('./')):
        return zfs_open(db, arg, types)
    path = os.path.normpath(os.path.join('/', arg)) if arg.startswith('/') else os.path.normpath(os.path.join(os.getcwd(), arg))
    if not os.path.exists(state.host_path(path)):
        _err('%s: No such file or directory\n' % arg)
        return None
    best_name, best_mnt = None, ''
    for name in db.datasets(types=(FS,)):
        rec = db.record(name)
        mnt = rec.get('mounted_at') if rec.get('mounted') else None
        if mnt and (path == mnt or path.startswith(mnt.rstrip('/') + '/')):
            if best_name is None or len(mnt) > len(best_mnt):
                best_name, best_mnt = name, mnt
    if best_name is None:
        _err("'%s': not a ZFS filesystem\n" % arg)
        return None
    return zfs_open(db, best_name, {FS})


def for_each(db, state, args, types, recurse=False, limit=None, listsnaps=False):
    """zfs_iter.c zfs_for_each(): (sorted unique names, rc); open errors are printed as they come."""
    pool_listsnaps = False
    found = []
    seen = set()
    rc = 0

    def include_snaps():
        if listsnaps:
            return pool_listsnaps
        return SNAP in types

    def visit(name, depth):
        kind = db.type(name)
        if (kind in types or (kind == SNAP and include_snaps())) and name not in seen:
            seen.add(name)
            found.append(name)
        if recurse and (limit is None or depth < limit):
            if kind == FS:
                for child in db.direct_children(name):
                    visit(child, depth + 1)
            if kind != SNAP and include_snaps():
                for snap in db.snapshots(name):
                    visit(snap, depth + 1)

    if not args:
        for pool in db.pools():
            pool_listsnaps = (db.pool(pool).get('props') or {}).get('listsnapshots') == 'on'
            if db.exists(pool):
                recurse = True
                visit(pool, 0)
        return found, rc
    argtypes = set(types)
    if recurse:
        argtypes.add(FS)
        if SNAP in types:
            argtypes.add(VOL)
    for arg in args:
        try:
            name = path_to_name(db, state, arg, argtypes)
        except ZfsError as exc:
            _err('%s\n' % exc)
            rc = 1
            continue
        if name is None:
            rc = 1
            continue
        pool = db.pool(name.split('/')[0].split('@')[0]) or {}
        pool_listsnaps = (pool.get('props') or {}).get('listsnapshots') == 'on'
        visit(name, 0)
    return found, rc


def default_sort(db, names):
    return sorted(names, key=lambda n: zfsdb._sort_key(n, db.record(n)))  # pylint: disable=protected-access


# ---------------------------------------------------------------------------------------------
# property lists (libzfs_util.c zprop_get_list / addlist; zprop_common.c zprop_width)

class Column(zprop.Column):
    """A zfs column: user quotas and ``written@`` are numbers, so they align right like natives."""

    @property
    def right(self):
        if self.native is None:
            return zfsdb.is_userquota_prop(self.name) or self.name.startswith('written@')
        return self.native.right_aligned


def get_list(text):
    """``zprop_get_list`` for datasets: [Column] or None for 'all'; ZfsError('bad property list: ...')."""
    if text == 'all':
        return None
    if text == '':
        raise ZfsError('bad property list: no properties specified', rc=2)
    cols = []
    for item in text.split(','):
        if item == '':
            raise ZfsError('bad property list: empty property name', rc=2)
        names = ['name', 'avail', 'used', 'usedbysnapshots', 'usedbydataset', 'usedbyrefreservation',
                 'usedbychildren'] if item == 'space' else [item]
        for name in names:
            native = zfsdb.prop_lookup(name)
            if native is None and not (zfsdb.is_user_prop(name) or zfsdb.is_userquota_prop(name)
                                       or name.startswith('written@')):
                raise ZfsError("bad property list: invalid property '%s'" % name, rc=2)
            cols.append(Column(native.name if native else name, native))
    return cols


def expand_all():
    """``zprop_expand_list``: name, then every visible native property in table order."""
    cols = [Column('name', PROPS['name'], all_=True)]
    for prop in zfsdb._PROP_LIST:  # pylint: disable=protected-access
        if prop.visible:
            cols.append(Column(prop.name, prop, all_=True))
    return cols


def value_of(db, name, col, literal):
    """(value, source) of a column for a dataset, or None when zfs_prop_get fails."""
    if col.native is not None:
        if col.name == 'name':
            return name, '-'
        return db.prop_value(name, col.name, literal)
    if zfsdb.is_userquota_prop(col.name) or col.name.startswith('written@'):
        return None
    rec = db.record(name)
    value, source = db.prop_value(name, col.name, literal)
    if source == '-' and value == '-' and not _user_prop_present(db, name, col.name):
        return None
    del rec
    return value, source


def _user_prop_present(db, name, prop):
    cur = name
    while cur:
        rec = db.record(cur)
        if rec is not None and prop in rec['props']:
            return True
        cur = db.parent(cur)
    return False


def user_props_of(db, name):
    """The user properties a dataset has (local or inherited), in a stable order."""
    out = []
    cur = name
    chain = []
    while cur:
        chain.append(cur)
        cur = db.parent(cur)
    for ds in chain:
        for prop in db.record(ds)['props']:
            if ':' in prop and prop not in PROPS and prop not in out:
                out.append(prop)
    return out


def expand_widths(db, names, cols, literal, all_mode):
    """``zfs_expand_proplist`` over every listed dataset: user props added for 'all', widths grown."""
    for name in names:
        if all_mode:
            have = set(c.name for c in cols if c.native is None)
            for prop in user_props_of(db, name):
                if prop not in have:
                    cols.append(Column(prop, None, all_=True))
                    have.add(prop)
        for col in cols:
            if col.fixed and not literal:
                continue
            res = value_of(db, name, col, literal)
            if res is not None and len(res[0]) > col.width:
                col.width = len(res[0])


# ---------------------------------------------------------------------------------------------
# list

def do_list(db, state, argv):
    opts, args = _walk_opts(argv, 'HS:d:o:prs:t:')
    scripted = literal = recurse = False
    limit = None
    fields = None
    types = set(ALL_TYPES)
    types_given = False
    sortcols = []
    for opt, arg in opts:
        if opt == 'o':
            fields = arg
        elif opt == 'p':
            literal = True
        elif opt == 'd':
            limit = parse_depth(arg)
            recurse = True
        elif opt == 'r':
            recurse = True
        elif opt == 'H':
            scripted = True
        elif opt in 'sS':
            if zfsdb.prop_lookup(arg) is None and not zfsdb.is_user_prop(arg):
                raise UsageError("invalid property '%s'" % arg)
            sortcols.append((arg, opt == 'S'))
        elif opt == 't':
            types_given = True
            types = _parse_types(arg, ('filesystem', 'volume', 'snapshot', 'snap', 'bookmark', 'all'))
    if fields is None:
        fields = 'name,used,available,referenced,mountpoint'
    if fields == 'space' and not types_given:
        types.discard(SNAP)
    try:
        cols = get_list(fields)
    except ZfsError as exc:
        raise UsageError(str(exc)) from None
    all_mode = cols is None
    if all_mode:
        cols = expand_all()
    names, rc = for_each(db, state, args, types, recurse, limit, listsnaps=not types_given)
    names = sort_names(db, names, sortcols)
    expand_widths(db, names, cols, literal, all_mode)
    if names and not scripted:
        _out(zprop.list_line([c.header for c in cols], cols) + '\n')
    for name in names:
        values = []
        for col in cols:
            res = value_of(db, name, col, literal)
            values.append('-' if res is None else res[0])
        if scripted:
            _out('\t'.join(values) + '\n')
        else:
            _out(zprop.list_line(values, cols) + '\n')
    if rc == 0 and not names and not scripted:
        _out('no datasets available\n')
    return rc


def parse_depth(arg):
    """zfs_main.c parse_depth(): strtol(arg, &end, 0); anything left over is an error."""
    match = re.match(r'^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?', arg)
    digits = match.group(2)
    if match.end() != len(arg) or (digits is None and arg != ''):
        raise UsageError('%s is not an integer' % arg)
    depth = int(digits, 0) if digits and not re.match(r'^0[0-7]+$', digits) else int(digits or '0', 8)
    if match.group(1) == '-':
        depth = -depth
    if depth < 0:
        raise UsageError('Depth can not be negative.')
    return depth


def _sort_key(db, name, prop):
    """(not valid, comparable value) of one -s/-S column for a dataset (zfs_iter.c zfs_sort)."""
    pdef = zfsdb.prop_lookup(prop)
    if pdef is None:
        present = _user_prop_present(db, name, prop)
        return (not present, db.prop_value(name, prop, True)[0] if present else '')
    if pdef.name == 'name':
        return (False, name)
    if pdef.ptype in ('string', 'index'):
        res = db.prop_value(name, pdef.name, True)
        return (res is None, res[0] if res else '')
    if db.type(name) not in pdef.types:
        return (True, 0)
    res = db.prop_value(name, pdef.name, True)
    try:
        return (False, int(res[0]) if res else 0)
    except ValueError:
        return (False, 0)


def sort_names(db, names, sortcols):
    """zfs_iter.c zfs_sort(): the -s/-S columns, most significant first, then the default order."""
    names = default_sort(db, names)
    for prop, reverse in reversed(sortcols):
        keys = dict((n, _sort_key(db, n, prop)) for n in names)
        valid = sorted((n for n in names if not keys[n][0]), key=lambda n, k=keys: k[n][1], reverse=reverse)
        names = valid + [n for n in names if keys[n][0]]
    return names


# ---------------------------------------------------------------------------------------------
# get

GET_COLUMNS = ('name', 'property', 'value', 'received', 'source')
SOURCE_KINDS = ('local', 'default', 'inherited', 'received', 'temporary', 'none')


def _source_kind(source):
    if source.startswith('inherited from '):
        return 'inherited'
    return {'-': 'none'}.get(source, source)


def do_get(db, state, argv):
    opts, args = _walk_opts(argv, ':d:o:s:rt:Hcp')
    scripted = literal = recurse = False
    limit = None
    columns = ['name', 'property', 'value', 'source']
    sources = set(SOURCE_KINDS)
    types = set(ALL_TYPES)
    for opt, arg in opts:
        if opt == 'p':
            literal = True
        elif opt == 'd':
            limit = parse_depth(arg)
            recurse = True
        elif opt == 'r':
            recurse = True
        elif opt == 'H':
            scripted = True
        elif opt == 'o':
            try:
                columns = zprop.parse_get_fields(arg, GET_COLUMNS)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        elif opt == 's':
            sources = set(_subopts(arg, SOURCE_KINDS, "invalid source '%s'"))
        elif opt == 't':
            types = _parse_types(arg, ('filesystem', 'volume', 'snapshot', 'bookmark', 'all'))
    if not args:
        raise UsageError('missing property argument')
    try:
        cols = get_list(args[0])
    except ZfsError as exc:
        _err('%s\n' % exc)
        raise UsageError(None) from None
    all_mode = cols is None
    if all_mode:
        cols = expand_all()
    else:
        cols = [Column('name', PROPS['name'])] + cols
    names, rc = for_each(db, state, args[1:], types, recurse, limit)
    expand_widths(db, names, cols, False, all_mode)
    printer = zprop.GetPrinter(columns, zprop.get_widths(cols), scripted)
    for name in names:
        for i, col in enumerate(cols):
            if i == 0 and col.name == 'name':
                continue
            res = value_of(db, name, col, literal)
            if res is None:
                if col.all:
                    continue
                res = ('-', '-')
            value, source = res
            if _source_kind(source) not in sources:
                continue
            printer.row({'name': name, 'property': col.name, 'value': value, 'received': '-', 'source': source})
    return rc


# ---------------------------------------------------------------------------------------------
# create / destroy

def do_create(db, state, argv):  # pylint: disable=unused-argument
    kind = FS
    props = {}
    volsize = None
    parents = dryrun = verbose = parseable = noreserve = bflag = False
    cli_keys = set()
    try:
        opts, args = getopt(argv, ':PV:b:nso:pv')
    except GetoptError as exc:
        for opt, arg in exc.opts:
            if opt == 'V' and not _create_size(arg, 'bad volume size'):
                return 1
            if opt == 'b' and not _create_size(arg, 'bad volume block size'):
                return 1
        if exc.kind == ':':
            raise UsageError('missing size argument') from None
        raise UsageError("invalid option '%s'" % exc.optopt) from None
    for opt, arg in opts:
        if opt == 'V':
            kind = VOL
            size = _create_size(arg, 'bad volume size')
            if size is None:
                return 1
            props['volsize'] = size
            cli_keys.add('volsize')
            volsize = size
        elif opt == 'P':
            verbose = parseable = True
        elif opt == 'p':
            parents = True
        elif opt == 'b':
            bflag = True
            size = _create_size(arg, 'bad volume block size')
            if size is None:
                return 1
            props['volblocksize'] = size
            cli_keys.add('volblocksize')
        elif opt == 'n':
            dryrun = True
        elif opt == 'o':
            if not parseprop(props, arg):
                return 1
        elif opt == 's':
            noreserve = True
        elif opt == 'v':
            verbose = True
    if (bflag or noreserve) and kind != VOL:
        raise UsageError("'-s' and '-b' can only be used when creating a volume")
    if not args:
        raise UsageError('missing %s argument' % kind)
    if len(args) > 1:
        raise UsageError('too many arguments')
    name = args[0]
    checked = None
    if dryrun or (kind == VOL and not noreserve):
        pool = name.split('/')[0]
        why = zfsdb.pool_namecheck(pool) if '@' not in pool else None
        if why or not db.pool(pool):
            raise ZfsError("cannot open '%s': %s" % (pool, why or 'no such pool'))
        msg = "cannot verify '%s'" if dryrun else "cannot create '%s'"
        try:
            checked = db.valid_proplist(dict(props), kind, name, creating=True)
        except AuxError as exc:
            raise ZfsError((msg % name) + ': ' + str(exc)) from None
    if kind == VOL and not noreserve and 'refreservation' not in props:
        bs = int(checked.get('volblocksize', zfsdb.DEFAULT_VOLBLOCKSIZE))
        copies = int(checked.get('copies', 1))
        props['refreservation'] = zfsdb.volsize_to_reservation(volsize, bs, copies)
    if parents and zfsdb.validate_name(name, {kind}) is None:
        if db.exists(name):
            return 0
        if verbose:
            _out(('create_ancestors\t%s\n' if parseable else 'would create ancestors of %s\n' if dryrun
                  else 'create ancestors of %s\n') % name)
    if verbose:
        _out(('create\t%s\n' if parseable else 'would create %s\n' if dryrun else 'create %s\n') % name)
        for key, value in props.items():
            _out(('property\t%s\t%s\n' if parseable else '\t%s=%s\n') % (key, value))
    if dryrun:
        return 0
    cprops = dict((k, v) for k, v in props.items() if k not in cli_keys)
    if kind == VOL and volsize is None:
        raise ZfsError("cannot create '%s': missing volume size" % name)
    db.create(name, kind=kind, props=cprops, parents=parents, volsize=volsize,
              sparse=noreserve or 'refreservation' in cprops,
              blocksize=props.get('volblocksize') if 'volblocksize' in cli_keys else None)
    return 0


def _create_size(arg, what):
    try:
        return zfsdb.nicestrtonum(arg)
    except AuxError as exc:
        _err("%s '%s': %s\n" % (what, arg, exc))
        return None


def do_destroy(db, state, argv):  # pylint: disable=unused-argument
    opts, args = _walk_opts(argv, 'vpndfFrR')
    flags = set(opt[0] for opt in opts)
    verbose = bool(flags & {'v', 'p'})
    parsable = 'p' in flags
    dryrun = 'n' in flags
    recurse = bool(flags & {'r', 'R'})
    doclones = 'R' in flags
    if not args:
        raise UsageError('missing dataset argument')
    if len(args) > 1:
        raise UsageError('too many arguments')
    target = args[0]
    if '@' in target:
        head, spec = target.split('@', 1)
        zfs_open(db, head, {FS, VOL})
        snaps = _gather_snapshots(db, head, spec, recurse)
        if snaps is None:
            return 1
        if not snaps:
            _err('could not find any snapshots to destroy; check snapshot names.\n')
            return 1
        order = []
        for snap in snaps:
            try:
                order.extend(db.destroy_list(snap, False, doclones))
            except ZfsError as exc:
                _err('%s\n' % exc)
                return 1
        order = zfsdb._dedup(order)  # pylint: disable=protected-access
        reclaim = sum(db.space(n).get('used', 0) for n in order if '@' in n)
        if verbose:
            for snap in order:
                _out(('destroy\t%s\n' if parsable else 'would destroy %s\n' if dryrun else 'will destroy %s\n') % snap)
            _out('reclaim\t%d\n' % reclaim if parsable else ('would reclaim %s\n' if dryrun else 'will reclaim %s\n') % nicenum(reclaim))
        if not dryrun:
            db.destroy_names(order)
        return 0
    if '#' in target:
        _err("bookmark '%s' does not exist.\n" % target)
        return 1
    types = {SNAP} if 'd' in flags else set(ALL_TYPES)
    zfs_open(db, target, types)
    order = db.destroy_list(target, recurse, doclones)
    if verbose:
        for name in order:
            _out(('destroy\t%s\n' if parsable else 'would destroy %s\n' if dryrun else 'will destroy %s\n') % name)
    if not dryrun:
        db.destroy_names(order)
    return 0


def _gather_snapshots(db, head, spec, recurse):
    """The snapshots a ``fs@a%b,c`` spec names (zfs_main.c gather_snapshots / snapshot_to_nvl_cb)."""
    heads = [head] + (db.children(head, types=(FS, VOL)) if recurse else [])
    out = []
    for h in heads:
        snaps = db.snapshots(h)
        short = [s.partition('@')[2] for s in snaps]
        for part in spec.split(','):
            if '%' in part:
                first, last = part.split('%', 1)
                lo = short.index(first) if first in short else (0 if first == '' else None)
                hi = short.index(last) if last in short else (len(short) - 1 if last == '' else None)
                if lo is None or hi is None:
                    if h == head:
                        _err("could not find any snapshots to destroy; check snapshot names.\n")
                        return None
                    continue
                out.extend(snaps[lo:hi + 1])
            elif part in short:
                out.append(h + '@' + part)
            elif not part:
                continue
    return zfsdb._dedup(out)  # pylint: disable=protected-access


# ---------------------------------------------------------------------------------------------
# snapshot / rollback / clone / promote / rename

def do_snapshot(db, state, argv):  # pylint: disable=unused-argument
    props = {}
    recursive = False
    opts, args = _walk_opts(argv, 'ro:')
    for opt, arg in opts:
        if opt == 'o':
            if not parseprop(props, arg):
                return 1
        else:
            recursive = True
    if not args:
        raise UsageError('missing snapshot argument')
    for arg in args:
        if '@' not in arg:
            raise UsageError(None)
        head = arg.partition('@')[0]
        try:
            zfs_open(db, head, {FS, VOL})
        except ZfsError as exc:
            _err('%s\n' % exc)
            raise UsageError(None) from None
    db.snapshots_create(args, props, recursive)
    return 0


def do_rollback(db, state, argv):  # pylint: disable=unused-argument
    opts, args = _walk_opts(argv, 'rRf')
    flags = set(opt[0] for opt in opts)
    if not args:
        raise UsageError('missing dataset argument')
    if len(args) > 1:
        raise UsageError('too many arguments')
    zfs_open(db, args[0], {SNAP})
    db.rollback(args[0], destroy_later=bool(flags & {'r', 'R'}), destroy_clones='R' in flags)
    return 0


def do_clone(db, state, argv):  # pylint: disable=unused-argument
    props = {}
    parents = False
    opts, args = _walk_opts(argv, 'Fo:p')
    for opt, arg in opts:
        if opt == 'o':
            if not parseprop(props, arg):
                return 1
        elif opt == 'p':
            parents = True
    if not args:
        raise UsageError('missing source dataset argument')
    if len(args) < 2:
        raise UsageError('missing target dataset argument')
    if len(args) > 2:
        raise UsageError('too many arguments')
    zfs_open(db, args[0], {SNAP})
    db.clone(args[0], args[1], props, parents=parents)
    return 0


def do_promote(db, state, argv):  # pylint: disable=unused-argument
    if argv and argv[0].startswith('-'):
        raise UsageError("invalid option '%s'" % (argv[0][1:2] or ''))
    if not argv:
        raise UsageError('missing clone filesystem argument')
    if len(argv) > 1:
        raise UsageError('too many arguments')
    zfs_open(db, argv[0], {FS, VOL})
    db.promote(argv[0])
    return 0


def do_rename(db, state, argv):  # pylint: disable=unused-argument
    opts, args = _walk_opts(argv, 'prf')
    flags = set(opt[0] for opt in opts)
    if not args:
        raise UsageError('missing source dataset argument')
    if len(args) < 2:
        raise UsageError('missing target dataset argument')
    if len(args) > 2:
        raise UsageError('too many arguments')
    if 'r' in flags and 'p' in flags:
        raise UsageError('-p and -r options are mutually exclusive')
    if 'r' in flags and '@' not in args[0]:
        raise UsageError('source dataset for recursive rename must be a snapshot')
    zfs_open(db, args[0], {FS, VOL} if 'p' in flags else set(ALL_TYPES))
    db.rename(args[0], args[1], parents='p' in flags, recursive='r' in flags)
    return 0


# ---------------------------------------------------------------------------------------------
# set / inherit

def do_set(db, state, argv):
    if argv and argv[0].startswith('-'):
        raise UsageError("invalid option '%s'" % argv[0][1:2])
    if not argv:
        raise UsageError('missing arguments')
    if len(argv) < 2:
        raise UsageError('missing dataset name(s)' if '=' in argv[0] else 'missing property=value argument(s)')
    ds_start = None
    for i, arg in enumerate(argv):
        if '=' in arg:
            if ds_start is not None:
                raise UsageError('invalid argument order')
        elif ds_start is None:
            ds_start = i
    if ds_start is None:
        raise UsageError('missing dataset name(s)')
    props = {}
    for arg in argv[:ds_start]:
        if not parseprop(props, arg):
            return 255
    names, rc = for_each(db, state, argv[ds_start:], set(ALL_TYPES))
    for name in names:
        try:
            db.set(name, props)
        except ZfsError as exc:
            _err('%s\n' % exc)
            rc = 1
    return rc


def do_inherit(db, state, argv):
    opts, args = _walk_opts(argv, 'rS')
    flags = set(opt[0] for opt in opts)
    if not args:
        raise UsageError('missing property argument')
    if len(args) < 2:
        raise UsageError('missing dataset argument')
    prop = args[0]
    pdef = zfsdb.prop_lookup(prop)
    received = 'S' in flags
    if pdef is not None:
        if pdef.readonly:
            _err('%s property is read-only\n' % prop)
            return 1
        if not pdef.inheritable and not received:
            _err("'%s' property cannot be inherited\n" % prop)
            if pdef.name in ('quota', 'reservation', 'refquota', 'refreservation'):
                _err("use 'zfs set %s=none' to clear\nuse 'zfs inherit -S %s' to revert to received value\n" % (prop, prop))
            return 1
        if received and pdef.name in ('volsize', 'version'):
            _err("'%s' property cannot be reverted to a received value\n" % prop)
            return 1
    elif not zfsdb.is_user_prop(prop):
        raise UsageError("invalid property '%s'" % prop)
    recurse = 'r' in flags
    names, rc = for_each(db, state, args[1:], set(ALL_TYPES), recurse)
    for name in names:
        if recurse and pdef is not None and db.type(name) not in pdef.types:
            continue
        try:
            db.inherit(name, prop, received=received)
        except ZfsError as exc:
            _err('%s\n' % exc)
            rc = 1
    return rc


# ---------------------------------------------------------------------------------------------
# hold / holds / release (zfs_main.c zfs_do_hold_rele_impl, zfs_do_holds, print_holds)

def _hold_rele(db, argv, holding):
    opts, args = _walk_opts(argv, 'rt' if holding else 'r')
    recursive = ('r', None) in opts
    if len(args) < 2:
        raise UsageError(None)
    tag = args[0]
    if holding and tag.startswith('.'):
        raise UsageError("tag may not start with '.'")
    errors = 0
    for path in args[1:]:
        if '@' not in path:
            _err("'%s' is not a snapshot\n" % path)
            errors += 1
            continue
        head, snapname = path.split('@', 1)
        try:
            zfs_open(db, head, {FS, VOL})
            if holding:
                db.hold(head, snapname, tag, recursive)
            else:
                db.release(head, snapname, tag, recursive)
        except ZfsError as exc:
            _err('%s\n' % exc)
            errors += 1
    return 1 if errors else 0


def do_hold(db, state, argv):  # pylint: disable=unused-argument
    return _hold_rele(db, argv, True)


def do_release(db, state, argv):  # pylint: disable=unused-argument
    return _hold_rele(db, argv, False)


def do_holds(db, state, argv):
    opts, args = _walk_opts(argv, 'rH')
    flags = set(opt[0] for opt in opts)
    if not args:
        raise UsageError(None)
    errors = 0
    rows = []
    for arg in args:
        if '@' not in arg:
            _err("'%s' is not a snapshot\n" % arg)
            errors += 1
            continue
        head, snapname = arg.split('@', 1)
        if 'r' in flags:
            names, rc = for_each(db, state, [head], {FS, VOL, SNAP}, recurse=True)
            names = [n for n in names if n.endswith('@' + snapname)]
        else:
            names, rc = for_each(db, state, [arg], {SNAP})
        errors += 1 if rc else 0
        for name in names:
            for tag, stamp in sorted(db.holds(name).items()):
                if (name, tag, stamp) not in rows:
                    rows.append((name, tag, stamp))
    nwidth = max([0] + [len(r[0]) for r in rows])
    twidth = max([0] + [len(r[1]) for r in rows])
    if 'H' not in flags:
        _out('%-*s  %-*s  %s\n' % (nwidth, 'NAME', twidth, 'TAG', 'TIMESTAMP'))
    for name, tag, stamp in rows:
        stamp_text = zfsdb._ctime(stamp)  # pylint: disable=protected-access
        if 'H' in flags:
            _out('%s\t%s\t%s\n' % (name, tag, stamp_text))
        else:
            _out('%-*s  %-*s  %s\n' % (nwidth, name, twidth, tag, stamp_text))
    if not rows:
        _out('no datasets available\n')
    return 1 if errors else 0


# ---------------------------------------------------------------------------------------------
# mount / unmount / upgrade

def do_mount(db, state, argv):  # pylint: disable=unused-argument
    opts, args = _walk_opts(argv, ':alvo:O')
    flags = set(opt[0] for opt in opts)
    if not args and 'a' not in flags:
        for name in db.datasets(types=(FS,)):
            rec = db.record(name)
            if rec.get('mounted'):
                _out('%-30s  %s\n' % (name, rec.get('mounted_at')))
        return 0
    targets = db.datasets(types=(FS,)) if 'a' in flags else args
    if 'a' not in flags and len(args) > 1:
        raise UsageError('too many arguments')
    for name in targets:
        zfs_open(db, name, {FS})
        if db.is_mounted(name):
            if 'a' in flags:
                continue
            raise ZfsError("cannot mount '%s': filesystem already mounted" % name)
        mnt = db.mountpoint(name)
        if mnt == 'legacy' and 'a' not in flags:
            raise ZfsError("cannot mount '%s': legacy mountpoint\nuse mount(1M) to mount this filesystem" % name)
        db.mount(name)
    return 0


def do_unmount(db, state, argv):
    opts, args = _walk_opts(argv, 'af')
    flags = set(opt[0] for opt in opts)
    if 'a' in flags:
        for name in reversed(db.datasets(types=(FS,))):
            if db.is_mounted(name) and db.mountpoint(name) != 'legacy':
                db.unmount(name)
        return 0
    if not args:
        raise UsageError('missing filesystem argument')
    if len(args) > 1:
        raise UsageError('too many arguments')
    name = path_to_name(db, state, args[0], {FS})
    if name is None:
        return 1
    if not db.is_mounted(name):
        raise ZfsError("cannot unmount '%s': not currently mounted" % args[0])
    db.unmount(name)
    return 0


def do_upgrade(db, state, argv):  # pylint: disable=unused-argument
    opts, _args = _walk_opts(argv, 'rvV:a')
    if ('v', None) in opts:
        _out('The following filesystem versions are supported:\n\n'
             'VER  DESCRIPTION\n'
             '---  --------------------------------------------------------\n'
             ' 1   Initial ZFS filesystem version\n'
             ' 2   Enhanced directory entries\n'
             ' 3   Case insensitive and filesystem user identifier (FUID)\n'
             ' 4   userquota, groupquota properties\n'
             ' 5   System attributes\n'
             '\nFor more information on a particular version, including supported releases,\n'
             'see the ZFS Administration Guide.\n\n')
        return 0
    _out('This system is currently running ZFS filesystem version 5.\n\n'
         'All filesystems are formatted with the current version.\n')
    return 0


# ---------------------------------------------------------------------------------------------
# send / receive (a stream format of our own: STREAM_MAGIC, then one JSON document)

def do_send(db, state, argv):  # pylint: disable=unused-argument
    try:
        opts, args = getopt(argv, ':i:I:RDpvnPLeht:cwb')
    except GetoptError as exc:
        if exc.kind == ':':
            raise UsageError("missing argument for '%s' option" % exc.optopt) from None
        raise UsageError("invalid option '%s'" % exc.optopt) from None
    flags = set(opt[0] for opt in opts)
    fromname = None
    incr_all = False
    for opt, arg in opts:
        if opt in 'iI':
            fromname = arg
            incr_all = opt == 'I'
    if not args:
        raise UsageError('missing snapshot argument')
    if len(args) > 1:
        raise UsageError('too many arguments')
    dryrun = 'n' in flags
    if not dryrun and sys.stdout.isatty():
        _err('Error: Stream can not be written to a terminal.\nYou must redirect standard output.\n')
        return 1
    target = args[0]
    if '@' not in target:
        if flags & set('RpnvPDh'):
            _err('Error: Unsupported flag with filesystem or bookmark.\n')
            return 1
        zfs_open(db, target, set(ALL_TYPES))
        raise ZfsError("cannot send '%s': operation not applicable to datasets of this type" % target)
    head, snapname = target.split('@', 1)
    zfs_open(db, head, {FS, VOL})
    if not db.exists(target):
        raise ZfsError("cannot send '%s': dataset does not exist" % target)
    if fromname:
        if fromname.startswith('@'):
            fromname = head + fromname
        elif '@' not in fromname:
            fromname = head + '@' + fromname
        if fromname.partition('@')[0] != head:
            raise UsageError('incremental source must be in same filesystem')
        if not db.exists(fromname):
            raise ZfsError("cannot send '%s': dataset does not exist" % fromname)
    replicate = 'R' in flags
    heads = [head] + (db.children(head, types=(FS, VOL)) if replicate else [])
    datasets = []
    total = 0
    for h in heads:
        snaps = db.snapshots(h)
        if h + '@' + snapname not in snaps:
            continue
        upto = snaps[:snaps.index(h + '@' + snapname) + 1]
        if fromname:
            fshort = fromname.partition('@')[2]
            names = [s.partition('@')[2] for s in upto]
            if fshort not in names:
                # libzfs_sendrecv.c dump_ioctl, EXDEV
                raise ZfsError("cannot send '%s': not an earlier snapshot from the same fs" % target)
            start = names.index(fshort)
            chosen = upto[start + 1:] if incr_all else upto[-1:]
            base = fromname.partition('@')[2]
        elif replicate:
            chosen, base = upto, None
        else:
            chosen, base = upto[-1:], None
        rec = db.record(h)
        entry = {'name': h[len(head):], 'type': rec['type'], 'base': base, 'snapshots': [],
                 'props': dict(rec['props']) if (replicate or 'p' in flags) else {}}
        if rec['type'] == VOL:
            entry['props'] = dict(entry['props'])
            for p in ('volsize', 'volblocksize'):
                if p in rec['props']:
                    entry['props'][p] = rec['props'][p]
        for snap in chosen:
            srec = db.record(snap)
            tree = _pack_tree(db._tree_dir(snap))  # pylint: disable=protected-access
            entry['snapshots'].append({'name': snap.partition('@')[2], 'data': srec['data'], 'tree': tree,
                                       'props': dict((k, v) for k, v in srec['props'].items())})
            total += int(srec['data'])
        datasets.append(entry)
    if 'v' in flags or 'P' in flags or dryrun:
        # UNCONFIRMED: the estimate lines' exact format is not in the reference; chose the
        # `send -nv` shape of illumos libzfs_sendrecv.c (send_print_verbose / "total estimated size").
        for entry in datasets:
            for snap in entry['snapshots']:
                full = head + entry['name'] + '@' + snap['name']
                if 'P' in flags:
                    _err('full\t%s\t%d\n' % (full, snap['data']))
                else:
                    _err('full send of %s estimated size is %s\n' % (full, nicenum(snap['data'])))
        if 'P' in flags:
            _err('size\t%d\n' % total)
        else:
            _err('total estimated size is %s\n' % nicenum(total))
    if dryrun:
        return 0
    doc = {'top': head, 'snapname': snapname, 'replicate': replicate, 'datasets': datasets}
    # written by main() once the state lock is released: `zfs send | zfs recv` must not deadlock
    STREAM_IO['out'] = STREAM_MAGIC + json.dumps(doc).encode('utf-8') + b'\n'
    return 0


def _pack_tree(path):
    if not os.path.isdir(path):
        return None
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        tar.add(path, arcname='.')
    return base64.b64encode(buf.getvalue()).decode('ascii')


def _unpack_tree(blob, dest):
    if os.path.isdir(dest):
        import shutil  # pylint: disable=import-outside-toplevel
        shutil.rmtree(dest)
    os.makedirs(dest, exist_ok=True)
    if not blob:
        return
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(blob)), mode='r:gz') as tar:
        tar.extractall(dest, filter='tar')


def do_receive(db, state, argv):  # pylint: disable=unused-argument
    opts, args = _walk_opts(argv, ':o:x:dehnuvFsA')
    flags = set(opt[0] for opt in opts)
    oprops = {}
    for opt, arg in opts:
        if opt == 'o':
            if not parseprop(oprops, arg):
                return 1
    if not args:
        raise UsageError('missing snapshot argument')
    if len(args) > 1:
        raise UsageError('too many arguments')
    if sys.stdin.isatty():
        _err('Error: Backup stream can not be read from a terminal.\nYou must redirect standard input.\n')
        return 1
    raw = STREAM_IO.get('in') or b''
    if not raw.startswith(STREAM_MAGIC):
        _err('cannot receive: invalid stream (bad magic number)\n')
        return 1
    doc = json.loads(raw[len(STREAM_MAGIC):].decode('utf-8'))
    target = args[0]
    top = doc['top']
    if 'd' in flags:
        base = target + '/' + '/'.join(top.split('/')[1:]) if '/' in top else target
    elif 'e' in flags:
        base = target + '/' + top.split('/')[-1]
    else:
        base = target.partition('@')[0]
    first_snap = target.partition('@')[2] if '@' in target else None
    for entry in doc['datasets']:
        dest = base + entry['name']
        _receive_one(db, dest, entry, flags, oprops, first_snap if entry['name'] == '' else None)
    return 0


def _receive_one(db, dest, entry, flags, oprops, rename_snap):
    force = 'F' in flags
    verbose = 'v' in flags
    dryrun = 'n' in flags
    kind = entry['type']
    exists = db.exists(dest)
    if entry['base'] is None:
        if exists and not force:
            raise ZfsError("cannot receive new filesystem stream: destination '%s' exists\nmust specify -F to overwrite it" % dest)
        if db.parent(dest) and not db.exists(db.parent(dest)) and '/' in dest:
            raise ZfsError("cannot receive new filesystem stream: destination '%s' does not exist" % db.parent(dest))
    else:
        if not exists:
            raise ZfsError("cannot receive incremental stream: destination '%s' does not exist" % dest)
        snaps = db.snapshots(dest)
        if dest + '@' + entry['base'] not in snaps or (snaps[-1] != dest + '@' + entry['base'] and not force):
            raise ZfsError('cannot receive incremental stream: most recent snapshot of %s does not\nmatch incremental source' % dest)
    if not dryrun and exists and force:
        if entry['base'] is None:
            db.destroy_names(list(reversed(db.snapshots(dest))))
        else:
            base_txg = db.record(dest + '@' + entry['base'])['createtxg']
            newer = [s for s in db.snapshots(dest) if db.record(s)['createtxg'] > base_txg]
            db.destroy_names(list(reversed(newer)))
    for snap in entry['snapshots']:
        name = dest + '@' + (rename_snap or snap['name'])
        if verbose:
            _out('receiving %s stream of %s into %s\n' % ('incremental' if entry['base'] else 'full', entry['name'] or 'stream', name))
        if dryrun:
            continue
        if db.exists(name):
            raise ZfsError('cannot restore to %s: destination already exists' % name)
        if not db.exists(dest):
            props = dict((k, v) for k, v in entry['props'].items() if k not in ('volsize', 'volblocksize'))
            props.update(oprops)
            if kind == VOL:
                db.create(dest, kind=VOL, props=props, volsize=int(entry['props'].get('volsize', 1 << 30)),
                          blocksize=entry['props'].get('volblocksize'), sparse=True)
            else:
                db.create(dest, props=props)
            for p in props:
                db.record(dest).setdefault('sources', {})[p] = 'received'
        db.set_data(dest, snap['data'])
        path = db.mountpoint_host_path(dest)
        if path:
            _unpack_tree(snap['tree'], path)
        db.snapshots_create([name], snap.get('props') or {})
        if verbose:
            _out('received %sB stream in 1 seconds (%sB/sec)\n' % (nicenum(snap['data']), nicenum(snap['data'])))


# ---------------------------------------------------------------------------------------------

HANDLERS = {
    'create': do_create, 'destroy': do_destroy, 'snapshot': do_snapshot, 'rollback': do_rollback,
    'clone': do_clone, 'promote': do_promote, 'rename': do_rename, 'list': do_list, 'set': do_set,
    'get': do_get, 'inherit': do_inherit, 'mount': do_mount, 'unmount': do_unmount, 'upgrade': do_upgrade,
    'send': do_send, 'receive': do_receive, 'hold': do_hold, 'holds': do_holds, 'release': do_release,
}
READ_ONLY = ('list', 'get', 'upgrade', 'send', 'holds')


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``zfs`` entry point."""
    if not argv:
        _err('missing command\n')
        _err(usage_text())
        return 2
    cmd = ALIASES.get(argv[0], argv[0])
    if cmd == '-?':
        _out(usage_text())
        return 0
    if cmd in USAGE:
        rest = argv[1:]
    elif '=' in cmd:
        cmd, rest = 'set', argv
    else:
        _err("unrecognized command '%s'\n" % cmd)
        _err(usage_text())
        return 2
    handler = HANDLERS.get(cmd)
    if handler is None:
        _err('smartos-sim: zfs %s is not simulated\n' % cmd)
        return 1
    STREAM_IO.clear()
    if cmd == 'receive' and not sys.stdin.isatty():
        # read the whole stream before taking the lock (the sender holds it while it works)
        STREAM_IO['in'] = sys.stdin.buffer.read()
    rc = _locked(state, cmd, handler, rest)
    if STREAM_IO.get('out') is not None:
        sys.stdout.flush()
        out = getattr(sys.stdout, 'buffer', None)
        if out is None:
            sys.stdout.write(STREAM_IO['out'].decode('utf-8'))
        else:
            out.write(STREAM_IO['out'])
            out.flush()
    return rc


def _locked(state, cmd, handler, rest):
    with state.lock():
        db = zfsdb.Zfs(state)
        try:
            rc = handler(db, state, rest)
        except UsageError as exc:
            if exc.args and exc.args[0]:
                _err('%s\n' % exc.args[0])
            _err(usage_text(cmd))
            return 2
        except ZfsError as exc:
            _err('%s\n' % exc)
            rc = exc.rc
            if rc == 2:
                _err(usage_text(cmd))
        except Exit as exc:
            rc = exc.rc
        if cmd not in READ_ONLY:
            db.save()
    return rc
