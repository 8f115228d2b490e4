"""``zpool`` of the simulated global zone (reference smartos_zfs_zpool.md §14-16), and the pool
``zones`` with the datasets a SmartOS global zone has (``init_state``)."""
import sys

from smartos_sim import zfsdb, zgetopt, zprop
from smartos_sim.zfsdb import ZfsError, nicenum

GIB = 1024 ** 3
MIB = 1024 ** 2


def _hardware():
    """The disks and DRAM sysinfo reports, so that both tools describe the same machine."""
    disks, memory = [['c1t0d0', 960197124096], ['c1t1d0', 960197124096]], 130941
    try:
        from smartos_sim.tools import sysinfo  # pylint: disable=import-outside-toplevel
        disks = sysinfo.HARDWARE.get('Disks') or disks
        memory = int(sysinfo.HARDWARE.get('MiB of Memory') or memory)
    except (ImportError, AttributeError, ValueError):
        pass
    return disks, memory


# UNCONFIRMED: chose a two-way mirror of sysinfo's two 960 GB disks; the pool's SIZE is the
# disk's size less labels and metaslab rounding, 888G.
POOL_SIZE = 888 * GIB
# The swap zvol is as large as DRAM (smartos-live src/smartdc/lib/smartos_prompt_config.sh
# setup_datasets: `zfs create -V ${SYSINFO_MiB_of_Memory}mb -b $pagesize ...`).
# dump: twice dumpadm's estimate, at least 1024 MB (same file, create_dump); chose the minimum.
DUMP_MIB = 1024
PAGESIZE = 4096


def init_state(state, rng):  # pylint: disable=unused-argument
    """The pool ``zones`` as ``smartos_prompt_config.sh`` (create_zpool, setup_datasets) and
    vmadmd's start method (zones/archive) leave it."""
    db = zfsdb.Zfs(state)
    disks, memory_mib = _hardware()
    db.add_pool('zones', POOL_SIZE, vdevs=[{'name': 'mirror-0', 'type': 'mirror',
                                            'children': [{'name': d[0], 'type': 'disk'} for d in disks]}])
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
    db.create('zones/swap', kind='volume', volsize=memory_mib * MIB, blocksize=PAGESIZE, props=dict(vol_props))
    db.set_data('zones/swap', 212 * MIB)
    # vmadmd's start method: `zfs create -o compression=lzjb -o mountpoint=/zones/archive zones/archive`
    # (smartos-live src/vm/smf/system-vmadmd)
    db.create('zones/archive', props={'compression': 'lzjb', 'mountpoint': '/zones/archive'})
    db.save()


# ---------------------------------------------------------------------------------------------
# usage (illumos-joyent usr/src/cmd/zpool/zpool_main.c get_usage / usage)

USAGE = {
    'add': '\tadd [-fgLnP] [-o property=value] <pool> <vdev> ...\n',
    'attach': '\tattach [-f] [-o property=value] <pool> <device> <new-device>\n',
    'clear': '\tclear [-nF] <pool> [device]\n',
    'create': ('\tcreate [-fnd] [-B] [-o property=value] ... \n'
               '\t    [-O file-system-property=value] ...\n'
               '\t    [-m mountpoint] [-R root] [-t tempname] <pool> <vdev> ...\n'),
    'checkpoint': '\tcheckpoint [--discard] <pool> ...\n',
    'destroy': '\tdestroy [-f] <pool>\n',
    'detach': '\tdetach <pool> <device>\n',
    'export': '\texport [-f] <pool> ...\n',
    'history': '\thistory [-il] [<pool>] ...\n',
    'import': ('\timport [-d dir] [-D]\n'
               '\timport [-d dir | -c cachefile] [-F [-n]] [-l] <pool | id>\n'
               '\timport [-o mntopts] [-o property=value] ... \n'
               '\t    [-d dir | -c cachefile] [-D] [-l] [-f] [-m] [-N] [-R root] [-F [-n]] -a\n'
               '\timport [-o mntopts] [-o property=value] ... \n'
               '\t    [-d dir | -c cachefile] [-D] [-l] [-f] [-m] [-N] [-R root] [-F [-n]] [-t]\n'
               '\t    [--rewind-to-checkpoint] <pool | id> [newpool]\n'),
    'iostat': '\tiostat [-gLPv] [-T d|u] [pool] ... [interval [count]]\n',
    'labelclear': '\tlabelclear [-f] <vdev>\n',
    'list': '\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n',
    'offline': '\toffline [-t] <pool> <device> ...\n',
    'online': '\tonline <pool> <device> ...\n',
    'replace': '\treplace [-f] <pool> <device> [new-device]\n',
    'remove': '\tremove [-nps] <pool> <device> ...\n',
    'reopen': '\treopen <pool>\n',
    'initialize': '\tinitialize [-c | -s] <pool> [<device> ...]\n',
    'scrub': '\tscrub [-s | -p] <pool> ...\n',
    'resilver': '\tresilver <pool> ...\n',
    'trim': '\ttrim [-d] [-r <rate>] [-c | -s] <pool> [<device> ...]\n',
    'status': '\tstatus [-igLPvxD] [-T d|u] [pool] ... [interval [count]]\n',
    'upgrade': '\tupgrade\n\tupgrade -v\n\tupgrade [-V version] <-a | pool ...>\n',
    'get': '\tget [-Hp] [-o "all" | field[,...]] <"all" | property[,...]> <pool> ...\n',
    'set': '\tset <property=value> <pool> \n',
    'split': ('\tsplit [-gLlnP] [-R altroot] [-o mntopts]\n'
              '\t    [-o property=value] <pool> <newpool> [<device> ...]\n'),
    'reguid': '\treguid <pool>\n',
    'sync': '\tsync [pool] ...\n',
}
COMMANDS = ['create', 'destroy', None, 'add', 'remove', None, 'labelclear', None, 'checkpoint', None,
            'list', 'iostat', 'status', None, 'online', 'offline', 'clear', 'reopen', None, 'attach',
            'detach', 'replace', 'split', None, 'initialize', 'resilver', 'scrub', 'trim', None, 'import',
            'export', 'upgrade', 'reguid', None, 'history', 'get', 'set', 'sync']


class PoolProp:
    """A pool property (usr/src/common/zfs/zpool_prop.c zpool_prop_init)."""

    def __init__(self, name, ptype, attr, values, colname, default=None, table=None, visible=True):
        self.name, self.ptype, self.attr, self.values = name, ptype, attr, values
        self.colname, self.default, self.table, self.visible = colname, default, table, visible

    @property
    def readonly(self):
        return self.attr == 'readonly'

    @property
    def right_aligned(self):
        return self.ptype in ('number', 'index')

    def width(self):
        width = len(self.colname)
        if self.ptype == 'number':
            return max(width, 5), True
        if self.ptype == 'index':
            return max([width] + [len(v) for v in self.table]), True
        return width, False


_BOOL = ('off', 'on')
# zpool_prop_t enum order (reference §15 "all")
POOL_PROPS = [
    PoolProp('name', 'string', 'readonly', None, 'NAME', visible=False),
    PoolProp('size', 'number', 'readonly', '<size>', 'SIZE'),
    PoolProp('capacity', 'number', 'readonly', '<size>', 'CAP'),
    PoolProp('altroot', 'string', 'default', '<path>', 'ALTROOT'),
    PoolProp('health', 'number', 'readonly', '<state>', 'HEALTH'),
    PoolProp('guid', 'number', 'readonly', '<guid>', 'GUID'),
    PoolProp('version', 'number', 'default', '<version>', 'VERSION'),
    PoolProp('bootfs', 'string', 'default', '<filesystem>', 'BOOTFS'),
    PoolProp('delegation', 'index', 'default', 'on | off', 'DELEGATION', 'on', _BOOL),
    PoolProp('autoreplace', 'index', 'default', 'on | off', 'REPLACE', 'off', _BOOL),
    PoolProp('cachefile', 'string', 'default', '<file> | none', 'CACHEFILE'),
    PoolProp('failmode', 'index', 'default', 'wait | continue | panic', 'FAILMODE', 'wait', ('wait', 'continue', 'panic')),
    PoolProp('listsnapshots', 'index', 'default', 'on | off', 'LISTSNAPS', 'off', _BOOL),
    PoolProp('autoexpand', 'index', 'default', 'on | off', 'EXPAND', 'off', _BOOL),
    PoolProp('dedupditto', 'number', 'default', '<threshold (min 100)>', 'DEDUPDITTO', 0),
    PoolProp('dedupratio', 'number', 'readonly', '<1.00x or higher if deduped>', 'DEDUP'),
    PoolProp('free', 'number', 'readonly', '<size>', 'FREE'),
    PoolProp('allocated', 'number', 'readonly', '<size>', 'ALLOC'),
    PoolProp('readonly', 'index', 'default', 'on | off', 'RDONLY', 'off', _BOOL),
    PoolProp('comment', 'string', 'default', '<comment-string>', 'COMMENT'),
    PoolProp('expandsize', 'number', 'readonly', '<size>', 'EXPANDSZ'),
    PoolProp('freeing', 'number', 'readonly', '<size>', 'FREEING'),
    PoolProp('fragmentation', 'number', 'readonly', '<percent>', 'FRAG'),
    PoolProp('leaked', 'number', 'readonly', '<size>', 'LEAKED'),
    PoolProp('maxblocksize', 'number', 'readonly', None, 'MAXBLOCKSIZE', visible=False),
    PoolProp('bootsize', 'number', 'onetime', '<size>', 'BOOTSIZE'),
    PoolProp('checkpoint', 'number', 'readonly', '<size>', 'CKPOINT'),
    PoolProp('tname', 'string', 'onetime', None, 'TNAME', visible=False),
    PoolProp('maxdnodesize', 'number', 'readonly', None, 'MAXDNODESIZE', visible=False),
    PoolProp('multihost', 'index', 'default', 'on | off', 'MULTIHOST', 'off', _BOOL),
    PoolProp('ashift', 'number', 'default', '<ashift, 9-16, or 0=default>', 'ASHIFT', 0),
    PoolProp('autotrim', 'index', 'default', 'on | off', 'AUTOTRIM', 'off', _BOOL),
]
PPROPS = dict((p.name, p) for p in POOL_PROPS)
_PALIASES = dict((p.colname.lower(), p.name) for p in POOL_PROPS)

# usr/src/common/zfs/zfeature_common.h spa_feature_t order, with the state a SmartOS pool
# created by a 2019+ platform shows. UNCONFIRMED: which ones are 'active' on a fresh GZ pool;
# chose the ones the GZ's datasets (lz4 not used, spacemaps, large dnodes off) would activate.
FEATURES = [
    ('async_destroy', 'enabled'), ('empty_bpobj', 'active'), ('lz4_compress', 'active'),
    ('multi_vdev_crash_dump', 'enabled'), ('spacemap_histogram', 'active'), ('enabled_txg', 'active'),
    ('hole_birth', 'active'), ('extensible_dataset', 'active'), ('embedded_data', 'active'),
    ('bookmarks', 'enabled'), ('filesystem_limits', 'enabled'), ('large_blocks', 'enabled'),
    ('large_dnode', 'enabled'), ('sha512', 'enabled'), ('skein', 'enabled'), ('edonr', 'enabled'),
    ('device_removal', 'enabled'), ('obsolete_counts', 'enabled'), ('zpool_checkpoint', 'enabled'),
    ('spacemap_v2', 'active'), ('allocation_classes', 'enabled'), ('resilver_defer', 'enabled'),
    ('encryption', 'enabled'), ('bookmark_v2', 'enabled'), ('userobj_accounting', 'enabled'),
    ('project_quota', 'enabled'), ('log_spacemap', 'active'),
]
# UNCONFIRMED: chose 1% fragmentation for a young pool.
FRAGMENTATION = 1


def _out(text):
    sys.stdout.write(text)


def _err(text):
    sys.stderr.write(text)


class UsageError(Exception):
    """Print the message (if any) and the command's usage; exit 2."""


def prop_table():
    lines = ['\nthe following properties are supported:\n', '\n\t%-19s  %s   %s\n\n' % ('PROPERTY', 'EDIT', 'VALUES')]
    visible = [p for p in POOL_PROPS if p.visible]
    for p in sorted(visible, key=lambda p: (0 if p.readonly else 1, p.name)):
        lines.append('\t%-19s  %s%s\n' % (p.name, '  NO   ' if p.readonly else ' YES   ', p.values or '-'))
    lines.append('\t%-19s   YES   disabled | enabled | active\n' % 'feature@...')
    lines.append('\nThe feature@ properties must be appended with a feature name.\nSee zpool-features(5).\n')
    return ''.join(lines)


def usage_text(command=None):
    if command is None:
        text = 'usage: zpool command args ...\nwhere \'command\' is one of the following:\n\n'
        for name in COMMANDS:
            text += '\n' if name is None else USAGE[name]
    else:
        text = 'usage:\n' + USAGE[command]
    if command in ('set', 'get', 'list'):
        text += prop_table()
    return text


def _getopt(argv, optstring):
    """illumos getopt(3C) (smartos_sim/zgetopt.py): ([(opt, arg)], rest); UsageError on a bad option."""
    return zgetopt.parse(argv, optstring, UsageError)


# ---------------------------------------------------------------------------------------------
# property values (libzfs_pool.c zpool_get_prop)

def pool_value(db, pool, prop, literal):
    """(value, source) of a pool property, as ``zpool get`` shows it."""
    rec = db.pool(pool)
    props = rec.get('props') or {}
    if prop.startswith('feature@'):
        states = dict(FEATURES)
        states.update(rec.get('features') or {})
        return states.get(prop[len('feature@'):], '-'), 'local'
    space = db.pool_space(pool)
    if prop == 'name':
        return pool, '-'
    if prop in ('size', 'allocated', 'free'):
        return (str(space[prop]) if literal else nicenum(space[prop])), '-'
    if prop in ('freeing', 'leaked'):
        return '0', '-'
    if prop in ('expandsize', 'checkpoint'):
        return '-', '-'
    if prop == 'bootsize':
        return '-', 'default'
    if prop == 'capacity':
        cap = space['allocated'] * 100 // space['size'] if space['size'] else 0
        return (str(cap) if literal else '%d%%' % cap), '-'
    if prop == 'fragmentation':
        return '%d%%' % FRAGMENTATION, '-'
    if prop == 'dedupratio':
        return '1.00x', '-'
    if prop == 'health':
        return rec.get('health', 'ONLINE'), '-'
    if prop == 'guid':
        return str(rec['guid']), '-'
    if prop == 'version':
        return '-', 'default'
    if prop == 'readonly':
        return props.get('readonly', 'off'), '-'
    if prop == 'maxblocksize':
        return str(zfsdb.SPA_MAXBLOCKSIZE) if literal else nicenum(zfsdb.SPA_MAXBLOCKSIZE), '-'
    if prop == 'maxdnodesize':
        return str(16384) if literal else '16K', '-'
    if prop == 'tname':
        return '-', 'default'
    pdef = PPROPS[prop]
    if prop in props:
        return str(props[prop]), 'local'
    if pdef.ptype == 'string':
        return '-', 'default'
    return str(pdef.default), 'default'


def lookup(name):
    if name in PPROPS:
        return PPROPS[name]
    if name in _PALIASES:
        return PPROPS[_PALIASES[name]]
    return None


def get_list(text):
    """zprop_get_list for pools: [zprop.Column], None for 'all'; ZfsError('bad property list: ...')."""
    if text == 'all':
        return None
    if text == '':
        raise ZfsError('bad property list: no properties specified')
    cols = []
    for item in text.split(','):
        if item == '':
            raise ZfsError('bad property list: empty property name')
        pdef = lookup(item)
        if pdef is None and not (item.startswith('feature@') and item[len('feature@'):] in dict(FEATURES)):
            if not item.startswith('unsupported@'):
                raise ZfsError("bad property list: invalid property '%s'" % item)
        cols.append(zprop.Column(pdef.name if pdef else item, pdef))
    return cols


def _usage_get_list(text):
    """get_list for list -o and get: on a bad list print its message, then the usage (UsageError)."""
    try:
        return get_list(text)
    except ZfsError as exc:
        _err('%s\n' % exc)
        raise UsageError(None) from None


def expand_all(with_features):
    cols = [zprop.Column('name', PPROPS['name'], True)]
    cols += [zprop.Column(p.name, p, True) for p in POOL_PROPS if p.visible]
    if with_features:
        cols += [zprop.Column('feature@' + f, None, True) for f in dict(FEATURES)]
    return cols


def pool_list(db, args):
    """pool_list_get: (pools, rc); unknown pools are reported as zpool_open_canfail does."""
    if not args:
        return db.pools(), 0
    out, rc = [], 0
    for arg in args:
        why = zfsdb.pool_namecheck(arg)
        if why:
            _err("cannot open '%s': %s\n" % (arg, why))
            rc = 1
        elif db.pool(arg) is None:
            _err("cannot open '%s': no such pool\n" % arg)
            rc = 1
        elif arg not in out:
            out.append(arg)
    return sorted(out), rc


def expand_widths(db, pools, cols):
    for pool in pools:
        for col in cols:
            if col.fixed:
                continue
            if col.native is not None:
                value = pool_value(db, pool, col.name, False)[0]
                col.width = max(col.width, len(value))


def do_list(db, argv):
    opts, args = _getopt(argv, ':gHLo:pPT:v')
    scripted = literal = False
    fields = 'name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot'
    for opt, arg in opts:
        if opt == 'H':
            scripted = True
        elif opt == 'p':
            literal = True
        elif opt == 'o':
            fields = arg
    cols = _usage_get_list(fields)
    if cols is None:
        cols = expand_all(False)
    pools, rc = pool_list(db, args)
    if not pools:
        if not args and not scripted:
            _out('no pools available\n')
            return 0
        return rc
    expand_widths(db, pools, cols)
    if not scripted:
        _out(zprop.list_line([c.header for c in cols], cols) + '\n')
    for pool in pools:
        values = []
        for col in cols:
            if col.native is not None:
                values.append(pool_value(db, pool, col.name, literal)[0])
            elif col.name.startswith('feature@'):
                values.append(pool_value(db, pool, col.name, literal)[0])
            else:
                values.append('-')
        _out(('\t'.join(values) if scripted else zprop.list_line(values, cols)) + '\n')
    return 0


def do_get(db, argv):
    opts, args = _getopt(argv, ':Hpo:')
    scripted = literal = False
    columns = ['name', 'property', 'value', 'source']
    for opt, arg in opts:
        if opt == 'p':
            literal = True
        elif opt == 'H':
            scripted = True
        elif opt == 'o':
            try:
                columns = zprop.parse_get_fields(arg, ('name', 'property', 'value', 'source'))
            except ValueError as exc:
                raise UsageError(str(exc)) from None
    if not args:
        raise UsageError('missing property argument')
    cols = _usage_get_list(args[0])
    if cols is None:
        cols = expand_all(True)
    else:
        cols = [zprop.Column('name', PPROPS['name'])] + cols
    pools, rc = pool_list(db, args[1:])
    expand_widths(db, pools, cols)
    printer = zprop.GetPrinter(columns, zprop.get_widths(cols), scripted)
    for pool in pools:
        for i, col in enumerate(cols):
            if i == 0 and col.name == 'name':
                continue
            if col.native is None and not col.name.startswith('feature@'):
                continue
            value, source = pool_value(db, pool, col.name, literal)
            printer.row({'name': pool, 'property': col.name, 'value': value, 'source': source})
    return rc


def do_set(db, argv):
    if argv and argv[0].startswith('-'):
        raise UsageError("invalid option '%s'" % argv[0][1:2])
    if not argv:
        raise UsageError('missing property=value argument')
    if len(argv) < 2:
        raise UsageError('missing pool name')
    if len(argv) > 2:
        raise UsageError('too many pool names')
    if '=' not in argv[0]:
        raise UsageError('missing value in property=value argument')
    prop, value = argv[0].split('=', 1)
    pool = argv[1]
    if db.pool(pool) is None:
        raise ZfsError("cannot open '%s': no such pool" % pool)
    errbuf = "cannot set property for '%s'" % pool
    pdef = lookup(prop)
    if pdef is None:
        if prop.startswith('feature@') and prop[len('feature@'):] in dict(FEATURES):
            if value != 'enabled':
                raise ZfsError("%s: property '%s' can only be set to 'enabled'" % (errbuf, prop))
            feats = db.pool(pool).setdefault('features', {})
            if dict(FEATURES).get(prop[8:]) == 'disabled':
                feats[prop[8:]] = 'enabled'
            return 0
        raise ZfsError("%s: invalid property '%s'" % (errbuf, prop))
    if pdef.readonly or pdef.attr == 'onetime':
        raise ZfsError("%s: '%s' is readonly" % (errbuf, pdef.name))
    if pdef.ptype == 'index' and value not in pdef.table:
        raise ZfsError("%s: '%s' must be one of '%s'" % (errbuf, pdef.name, pdef.values))
    db.pool(pool).setdefault('props', {})[pdef.name] = value
    return 0


def do_status(db, argv):
    opts, args = _getopt(argv, 'igLPvxDtT:')
    flags = set(opt[0] for opt in opts)
    pools, rc = pool_list(db, args)
    if not pools:
        if not args:
            _out('no pools available\n')
        return rc
    if 'x' in flags:
        if not args:
            _out('all pools are healthy\n')
        else:
            for pool in pools:
                _out("pool '%s' is healthy\n" % pool)
        return rc
    for i, pool in enumerate(pools):
        if i:
            _out('\n')
        rec = db.pool(pool)
        rows = [(0, pool)]

        def walk(vdevs, depth):
            for vdev in vdevs or []:
                rows.append((depth, vdev['name']))
                walk(vdev.get('children'), depth + 2)
        walk(rec.get('vdevs'), 2)
        # print_status_config: the NAME column is as wide as the deepest name, at least 10
        width = max([10] + [depth + len(name) for depth, name in rows])
        _out('  pool: %s\n state: %s\n  scan: none requested\nconfig:\n\n' % (pool, rec.get('health', 'ONLINE')))
        _out('\t%-*s  %-8s %5s %5s %5s\n' % (width, 'NAME', 'STATE', 'READ', 'WRITE', 'CKSUM'))
        for depth, name in rows:
            _out('\t%s%-*s  %-8s %5s %5s %5s\n' % (' ' * depth, width - depth, name, 'ONLINE', '0', '0', '0'))
        _out('\nerrors: No known data errors\n')
    return rc


HANDLERS = {'list': do_list, 'get': do_get, 'set': do_set, 'status': do_status}


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``zpool`` entry point."""
    if not argv:
        _err('missing command\n')
        _err(usage_text())
        return 2
    cmd = argv[0]
    if cmd == '-?':
        _out(usage_text())
        return 0
    if cmd not in USAGE:
        _err("unrecognized command '%s'\n" % cmd)
        _err(usage_text())
        return 2
    handler = HANDLERS.get(cmd)
    if handler is None:
        _err('smartos-sim: zpool %s is not simulated\n' % cmd)
        return 1
    with state.lock():
        db = zfsdb.Zfs(state)
        try:
            rc = handler(db, argv[1:])
        except UsageError as exc:
            if exc.args and exc.args[0]:
                _err('%s\n' % exc.args[0])
            _err(usage_text(cmd))
            return 2
        except ZfsError as exc:
            _err('%s\n' % exc)
            return 1
        if cmd == 'set':
            db.save()
    return rc
