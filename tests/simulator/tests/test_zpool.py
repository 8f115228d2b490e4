"""Conformance tests of the simulated ``zpool`` against reference smartos_zfs_zpool.md §14-16."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim import zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import zpool as zpool_tool  # noqa: E402  pylint: disable=wrong-import-position


def ok(result):
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def fails(result, rc=1):
    assert result.returncode == rc, (result.returncode, result.stdout, result.stderr)
    return result.stderr


def _space(gz):
    state = State(gz.state)
    with state.lock():
        return zfsdb.Zfs(state).pool_space('zones')


def test_list_default_layout(gz):
    """§14: code order of the default columns, right alignment, fixed widths, ALTROOT unpadded."""
    space = _space(gz)
    out = ok(gz.run('zpool', 'list'))
    cap = space['allocated'] * 100 // space['size']
    assert out == ('NAME    SIZE  ALLOC   FREE  CKPOINT  EXPANDSZ   FRAG    CAP  DEDUP  HEALTH  ALTROOT\n'
                   'zones  %5s  %5s  %5s        -         -  %5s  %5s  1.00x  ONLINE  -\n'
                   % (zfsdb.nicenum(space['size']), zfsdb.nicenum(space['allocated']), zfsdb.nicenum(space['free']),
                      '%d%%' % zpool_tool.FRAGMENTATION, '%d%%' % cap))
    assert zfsdb.nicenum(space['size']) == '888G'


def test_list_scripted_parsable_and_columns(gz):
    """§14: -H tabs, -p bytes (capacity without %), -o."""
    space = _space(gz)
    out = ok(gz.run('zpool', 'list', '-Hp'))
    cap = space['allocated'] * 100 // space['size']
    assert out == 'zones\t%d\t%d\t%d\t-\t-\t1%%\t%d\t1.00x\tONLINE\t-\n' % (space['size'], space['allocated'], space['free'], cap)
    assert ok(gz.run('zpool', 'list', '-H', '-o', 'name,health')) == 'zones\tONLINE\n'
    assert ok(gz.run('zpool', 'list', '-o', 'name,size', 'zones')) == 'NAME    SIZE\nzones   888G\n'


def test_list_errors_and_usage(gz):
    """§14: missing pool (exit 1), invalid pool name, bad -o (usage with the pool property table)."""
    result = gz.run('zpool', 'list', 'nosuchpool')
    assert (result.returncode, result.stdout, result.stderr) == (1, '', "cannot open 'nosuchpool': no such pool\n")
    assert fails(gz.run('zpool', 'list', 'zones/foo')) == "cannot open 'zones/foo': invalid character '/' in pool name\n"
    result = gz.run('zpool', 'list', 'zones', 'nosuchpool')
    assert result.returncode == 0 and result.stderr == "cannot open 'nosuchpool': no such pool\n"
    assert result.stdout.splitlines()[1].startswith('zones ')
    err = fails(gz.run('zpool', 'list', '-o', 'foo'), 2)
    assert err.startswith("bad property list: invalid property 'foo'\nusage:\n"
                          '\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n'
                          '\nthe following properties are supported:\n\n\tPROPERTY             EDIT   VALUES\n\n'
                          '\tallocated              NO   <size>\n')
    assert '\taltroot               YES   <path>\n' in err
    assert '\tfailmode              YES   wait | continue | panic\n' in err
    assert err.endswith('\tfeature@...           YES   disabled | enabled | active\n'
                        '\nThe feature@ properties must be appended with a feature name.\nSee zpool-features(5).\n')
    full = zpool_tool.usage_text()
    assert full.startswith("usage: zpool command args ...\nwhere 'command' is one of the following:\n\n\tcreate [-fnd]")
    assert fails(gz.run('zpool'), 2) == 'missing command\n' + full
    assert fails(gz.run('zpool', 'bogus'), 2) == "unrecognized command 'bogus'\n" + full
    assert fails(gz.run('zpool', 'list', '-Z'), 2).startswith("invalid option 'Z'\nusage:\n\tlist ")


def test_get(gz):
    """§15: columns, sources, `all` order with features, -H -p, errors."""
    space = _space(gz)
    out = ok(gz.run('zpool', 'get', '-Hp', 'size,free,listsnapshots', 'zones'))
    assert out == 'zones\tsize\t%d\t-\nzones\tfree\t%d\t-\nzones\tlistsnapshots\toff\tdefault\n' % (space['size'], space['free'])
    assert ok(gz.run('zpool', 'get', 'health,failmode', 'zones')) == (
        'NAME   PROPERTY  VALUE     SOURCE\n'
        'zones  health    ONLINE    -\n'
        'zones  failmode  wait      default\n')
    lines = ok(gz.run('zpool', 'get', 'all', 'zones')).splitlines()
    props = [line.split()[1] for line in lines[1:]]
    assert props[:28] == ['size', 'capacity', 'altroot', 'health', 'guid', 'version', 'bootfs', 'delegation', 'autoreplace',
                          'cachefile', 'failmode', 'listsnapshots', 'autoexpand', 'dedupditto', 'dedupratio', 'free',
                          'allocated', 'readonly', 'comment', 'expandsize', 'freeing', 'fragmentation', 'leaked',
                          'bootsize', 'checkpoint', 'multihost', 'ashift', 'autotrim']
    assert props[28:] == ['feature@' + name for name in dict(zpool_tool.FEATURES)]
    width = len('feature@multi_vdev_crash_dump')
    assert lines[0] == 'NAME   ' + 'PROPERTY'.ljust(width) + '  ' + 'VALUE'.ljust(width) + '  SOURCE'
    assert lines[-1] == 'zones  ' + 'feature@log_spacemap'.ljust(width) + '  ' + 'active'.ljust(width) + '  local'
    assert fails(gz.run('zpool', 'get', 'bogus', 'zones'), 2).startswith("bad property list: invalid property 'bogus'\nusage:\n\tget [-Hp]")
    assert fails(gz.run('zpool', 'get'), 2).startswith('missing property argument\nusage:\n')
    assert fails(gz.run('zpool', 'get', 'size', 'nope')) == "cannot open 'nope': no such pool\n"


def test_status_healthy(gz):
    """§16: the shape of a healthy pool's status (a mirror, children indented 2 per level), -x, a missing pool."""
    assert ok(gz.run('zpool', 'status')) == ('  pool: zones\n'
                                             ' state: ONLINE\n'
                                             '  scan: none requested\n'
                                             'config:\n\n'
                                             '\tNAME        STATE     READ WRITE CKSUM\n'
                                             '\tzones       ONLINE       0     0     0\n'
                                             '\t  mirror-0  ONLINE       0     0     0\n'
                                             '\t    c1t0d0  ONLINE       0     0     0\n'
                                             '\t    c1t1d0  ONLINE       0     0     0\n'
                                             '\nerrors: No known data errors\n')
    assert ok(gz.run('zpool', 'status', '-x')) == 'all pools are healthy\n'
    assert ok(gz.run('zpool', 'status', '-x', 'zones')) == "pool 'zones' is healthy\n"
    assert fails(gz.run('zpool', 'status', 'nope')) == "cannot open 'nope': no such pool\n"


def test_listsnapshots_property_drives_zfs_list(gz):
    """§5: snapshots appear in a plain `zfs list` only with the pool's listsnapshots=on."""
    ok(gz.run('zfs', 'snapshot', 'zones/archive@s'))
    assert 'zones/archive@s' not in ok(gz.run('zfs', 'list', '-H', '-o', 'name'))
    ok(gz.run('zpool', 'set', 'listsnapshots=on', 'zones'))
    assert ok(gz.run('zpool', 'get', '-H', '-o', 'value,source', 'listsnapshots', 'zones')) == 'on\tlocal\n'
    assert 'zones/archive@s' in ok(gz.run('zfs', 'list', '-H', '-o', 'name')).split()
    assert fails(gz.run('zpool', 'set', 'size=1', 'zones')) == "cannot set property for 'zones': 'size' is readonly\n"
