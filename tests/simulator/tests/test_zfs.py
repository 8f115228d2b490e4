"""Conformance tests of the simulated ``zfs`` and of ``zfsdb`` against reference smartos_zfs_zpool.md."""
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim import zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import zfs as zfs_tool  # noqa: E402  pylint: disable=wrong-import-position

GZ_DATASETS = ['zones', 'zones/archive', 'zones/config', 'zones/cores', 'zones/dump', 'zones/opt',
               'zones/swap', 'zones/usbkey', 'zones/var']


def ok(result):
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def fails(result, rc=1):
    assert result.returncode == rc, (result.returncode, result.stdout, result.stderr)
    return result.stderr


def usage_of(command):
    return zfs_tool.usage_text(command)


# --- numbers, names (in-process) -------------------------------------------------------------

def test_nicenum_matches_every_example_of_the_reference(reference):
    """§3.1: every `N→`text`` example of the reference, computed by zfs_nicenum."""
    with open(os.path.join(reference, 'smartos_zfs_zpool.md'), encoding='utf-8') as handle:
        text = handle.read()
    section = text[text.index('### 3.1'):text.index('### 3.2')]
    examples = re.findall(r'(\d+)→`([^`]+)`', section)
    assert len(examples) >= 9
    for number, shown in examples:
        assert zfsdb.nicenum(int(number)) == shown, number
    assert [zfsdb.nicenum(n) for n in (0, 512, 1023, 1024, 8192, 131072, 1048576, 20 * 2 ** 30)] == \
        ['0', '512', '1023', '1K', '8K', '128K', '1M', '20G']


def test_nicestrtonum_accepts_and_rejects_as_libzfs():
    """§3.3: suffixes BKMGTPEZ, optional B after a non-B letter, decimals; the aux texts."""
    assert zfsdb.nicestrtonum('10G') == zfsdb.nicestrtonum('10g') == zfsdb.nicestrtonum('10GB') == 10 * 2 ** 30
    assert zfsdb.nicestrtonum('10gb') == zfsdb.nicestrtonum('10Gb') == 10 * 2 ** 30
    assert zfsdb.nicestrtonum('10Mb') == 10 * 2 ** 20
    assert zfsdb.nicestrtonum('1.5G') == 1610612736
    assert zfsdb.nicestrtonum('512') == 512
    cases = {'abc': "bad numeric value 'abc'", '-1': "bad numeric value '-1'", '10X': "invalid numeric suffix 'X'",
             '10BB': "invalid numeric suffix 'BB'", '1KiB': "invalid numeric suffix 'KiB'",
             '10 G': "invalid numeric suffix ' G'", '1Z': 'numeric value is too large'}
    for value, aux in cases.items():
        with pytest.raises(zfsdb.AuxError) as err:
            zfsdb.nicestrtonum(value)
        assert str(err.value) == aux


def test_volume_reservation_examples():
    """§7: zvol_volsize_to_reservation for 8K blocks, copies=1."""
    assert zfsdb.volsize_to_reservation(2 ** 30) == 1109393408
    assert [zfsdb.nicenum(zfsdb.volsize_to_reservation(v)) for v in (2 ** 30, 10 * 2 ** 30, 100 * 2 ** 20, 2 ** 20)] == \
        ['1.03G', '10.3G', '105M', '3M']


def test_name_checks():
    """§2: the aux texts of zfs_validate_name."""
    assert zfsdb.validate_name('zones/a', {'filesystem'}) is None
    assert zfsdb.validate_name('zones/a b:c.d_e-f', {'filesystem'}) is None
    assert zfsdb.validate_name('/zones', {'filesystem'}) == 'leading slash in name'
    assert zfsdb.validate_name('zones//a', {'filesystem'}) == 'empty component in name'
    assert zfsdb.validate_name('zones/a@', {'snapshot'}) == 'empty component in name'
    assert zfsdb.validate_name('zones/a/', {'filesystem'}) == 'trailing slash in name'
    assert zfsdb.validate_name('zones/a@b/c', {'snapshot'}) == 'trailing slash in name'
    assert zfsdb.validate_name('zones/a*b', {'filesystem'}) == "invalid character '*' in name"
    assert zfsdb.validate_name('zones/a@b@c', {'snapshot'}) == "multiple '@' and/or '#' delimiters in name"
    assert zfsdb.validate_name('zones/a@b', {'filesystem'}) == "snapshot delimiter '@' is not expected here"
    assert zfsdb.validate_name('zones/a', {'snapshot'}) == "missing '@' delimiter in snapshot name"
    assert zfsdb.validate_name('zones/a%b', {'filesystem'}, modifying=True) == 'invalid character % in name'
    assert zfsdb.validate_name('z' * 256, {'filesystem'}) == 'name is too long'
    assert zfsdb.pool_namecheck('zones/x') == "invalid character '/' in pool name"
    assert zfsdb.pool_namecheck('1pool') == 'name must begin with a letter'
    assert zfsdb.pool_namecheck('c0t0d0') == 'pool name is reserved'


# --- the fresh global zone -------------------------------------------------------------------

def test_fresh_gz_has_the_smartos_datasets(gz):
    """A SmartOS GZ's pool (smartos_prompt_config.sh setup_datasets; vmadmd's zones/archive)."""
    out = ok(gz.run('zfs', 'list', '-H', '-o', 'name,type,mountpoint,quota,volblocksize'))
    rows = [line.split('\t') for line in out.splitlines()]
    assert [r[0] for r in rows] == GZ_DATASETS
    table = dict((r[0], r[1:]) for r in rows)
    assert table['zones'] == ['filesystem', '/zones', 'none', '-']
    assert table['zones/cores'] == ['filesystem', '/zones/global/cores', '10G', '-']
    assert table['zones/archive'] == ['filesystem', '/zones/archive', 'none', '-']
    for name in ('zones/config', 'zones/opt', 'zones/usbkey', 'zones/var'):
        assert table[name] == ['filesystem', 'legacy', 'none', '-']
    for name in ('zones/dump', 'zones/swap'):
        assert table[name] == ['volume', '-', '-', '4K']
    out = ok(gz.run('zfs', 'get', '-H', '-o', 'name,value,source', 'atime,compression', 'zones', 'zones/cores'))
    assert out == ('zones\toff\tlocal\nzones\toff\tdefault\n'
                   'zones/cores\toff\tinherited from zones\nzones/cores\tgzip\tlocal\n')
    assert os.path.isdir(gz.host_path('/zones/global/cores'))
    assert os.path.isdir(gz.host_path('/zones/archive'))


def test_list_layout_matches_reference(gz):
    """§5: two-space columns, sizes right-aligned to 5, NAME as wide as the longest name, last column unpadded."""
    ok(gz.run('zfs', 'create', 'zones/foo'))
    out = ok(gz.run('zfs', 'list', '-o', 'name,refer,mountpoint', 'zones', 'zones/foo'))
    assert out == ('NAME       REFER  MOUNTPOINT\n'
                   'zones       620K  /zones\n'
                   'zones/foo    31K  /zones/foo\n')
    header = ok(gz.run('zfs', 'list', 'zones/foo')).splitlines()[0]
    assert header == 'NAME        USED  AVAIL  REFER  MOUNTPOINT'
    out = ok(gz.run('zfs', 'list', '-Hp', '-o', 'name,refer,mountpoint', 'zones/foo'))
    assert out == 'zones/foo\t31744\t/zones/foo\n'
    out = ok(gz.run('zfs', 'list', '-o', 'name,compress,recsize', 'zones/foo'))
    assert out == 'NAME       COMPRESS  RECSIZE\nzones/foo       off     128K\n'


def test_usage_and_unknown_commands(gz):
    """§1: no command, unknown command (exit 2, full usage on stderr), `zfs -?` (stdout, exit 0)."""
    full = usage_of(None)
    assert full.startswith("usage: zfs command args ...\nwhere 'command' is one of the following:\n\n"
                           '\tcreate [-Pnpv] [-o property=value] ... <filesystem>\n')
    assert '\n\n\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n' in full
    assert full.endswith('\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n'
                         '\nFor the property list, run: zfs set|get\n'
                         '\nFor the delegated permission list, run: zfs allow|unallow\n')
    assert fails(gz.run('zfs'), 2) == 'missing command\n' + full
    assert fails(gz.run('zfs', 'frobnicate'), 2) == "unrecognized command 'frobnicate'\n" + full
    result = gz.run('zfs', '-?')
    assert (result.returncode, result.stdout, result.stderr) == (0, full, '')


def test_property_table_rows(gz):
    """§1: the property table after the list usage (read-only first, each group by name)."""
    err = fails(gz.run('zfs', 'list', '-o', 'foo'), 2)
    assert err.startswith("bad property list: invalid property 'foo'\nusage:\n\tlist [-Hp] [-r|-d max] "
                          '[-o property[,...]] [-s property]...\n')
    assert '\nThe following properties are supported:\n\n\tPROPERTY       EDIT  INHERIT   VALUES\n\n' \
        '\tavailable        NO       NO   <size>\n' in err
    assert '\tused             NO       NO   <size>\n' in err
    assert '\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle | lz4\n' in err
    assert '\tquota           YES       NO   <size> | none\n' in err
    assert '\tvolblocksize     NO      YES   512 to 128k, power of 2\n' in err
    assert '\tuserquota@...   YES       NO   <size> | none\n' in err
    assert '\twritten@<snap>   NO       NO   <size>\n' in err
    rows = [line.split()[0] for line in err.split('VALUES\n\n')[1].split('\tuserused@')[0].splitlines()]
    readonly = [r for r in rows if zfsdb.PROPS[r].attr == 'readonly']
    assert rows[:len(readonly)] == sorted(readonly) and rows[len(readonly):] == sorted(rows[len(readonly):])
    assert err.endswith('    SMB SID         (eg: "S-1-234-567-89")\n')


def test_list_errors(gz):
    """§5: missing datasets, wrong types, bad -t / -d, `no datasets available`."""
    result = gz.run('zfs', 'list', 'zones/nope', 'zones/var')
    assert result.returncode == 1
    assert result.stderr == "cannot open 'zones/nope': dataset does not exist\n"
    assert result.stdout.splitlines()[1].startswith('zones/var ')
    assert fails(gz.run('zfs', 'list', '-t', 'snapshot', 'zones/var')) == \
        "cannot open 'zones/var': missing '@' delimiter in snapshot name\n"
    assert fails(gz.run('zfs', 'list', '-t', 'volume', 'zones/var')) == \
        "cannot open 'zones/var': operation not applicable to datasets of this type\n"
    assert fails(gz.run('zfs', 'list', '-t', 'bogus'), 2).startswith("invalid type 'bogus'\nusage:\n\tlist ")
    assert fails(gz.run('zfs', 'list', '-d', 'x'), 2).startswith('x is not an integer\nusage:\n')
    assert fails(gz.run('zfs', 'list', '-d', '-1'), 2).startswith('Depth can not be negative.\nusage:\n')
    assert fails(gz.run('zfs', 'list', '-d', '1a'), 2).startswith('1a is not an integer\nusage:\n')
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-d', '0x0', 'zones')) == 'zones\n'  # strtol(..., 0)
    assert fails(gz.run('zfs', 'list', '-o'), 2).startswith("invalid option 'o'\nusage:\n")
    assert ok(gz.run('zfs', 'list', '-t', 'snapshot')) == 'no datasets available\n'
    assert ok(gz.run('zfs', 'list', '-H', '-t', 'snapshot')) == ''


def test_list_recursion_depth_types_and_sort(gz):
    """§5: -r, -d, -t, default order (strcmp, dataset before its snapshots by createtxg), -s/-S."""
    ok(gz.run('zfs', 'create', '-p', 'zones/a/b'))
    ok(gz.run('zfs', 'create', 'zones/a-b'))
    ok(gz.run('zfs', 'snapshot', 'zones/a@s2'))
    ok(gz.run('zfs', 'snapshot', 'zones/a@s1'))
    ok(gz.run('zfs', 'create', '-V', '16M', 'zones/a/vol'))
    out = ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'all', '-r', 'zones/a', 'zones/a-b'))
    assert out.split() == ['zones/a', 'zones/a@s2', 'zones/a@s1', 'zones/a-b', 'zones/a/b', 'zones/a/vol']
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-r', 'zones/a')).split() == ['zones/a', 'zones/a/b', 'zones/a/vol']
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-d', '1', '-t', 'snapshot', 'zones/a')).split() == \
        ['zones/a@s2', 'zones/a@s1']
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'volume', '-r', 'zones')).split() == \
        ['zones/a/vol', 'zones/dump', 'zones/swap']
    out = ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-S', 'used', '-r', 'zones/a'))
    assert out.split() == ['zones/a', 'zones/a/vol', 'zones/a/b']
    out = ok(gz.run('zfs', 'list', '-H', '-o', 'name,volsize', '-s', 'volsize', '-r', 'zones/a'))
    assert out.splitlines() == ['zones/a/vol\t16M', 'zones/a\t-', 'zones/a/b\t-']
    assert fails(gz.run('zfs', 'list', '-s', 'nope'), 2).startswith("invalid property 'nope'\nusage:\n")


def test_create_filesystems_and_errors(gz):
    """§7: -p, the error texts in the order checked, and the real mountpoint directory."""
    assert ok(gz.run('zfs', 'create', 'zones/data')) == ''
    assert os.path.isdir(gz.host_path('/zones/data'))
    assert fails(gz.run('zfs', 'create', 'zones/data')) == "cannot create 'zones/data': dataset already exists\n"
    assert fails(gz.run('zfs', 'create', 'zones/x/y')) == "cannot create 'zones/x/y': parent does not exist\n"
    assert fails(gz.run('zfs', 'create', 'nopool/a')) == "cannot create 'nopool/a': no such pool 'nopool'\n"
    assert fails(gz.run('zfs', 'create', 'zones/a*b')) == "cannot create 'zones/a*b': invalid character '*' in name\n"
    assert fails(gz.run('zfs', 'create', 'zones/swap/x')) == "cannot create 'zones/swap/x': parent is not a filesystem\n"
    assert ok(gz.run('zfs', 'create', '-p', 'zones/x/y/z')) == ''
    assert ok(gz.run('zfs', 'create', '-p', 'zones/x/y/z')) == ''
    assert os.path.isdir(gz.host_path('/zones/x/y/z'))
    assert fails(gz.run('zfs', 'create', '-o', 'foo=bar', 'zones/p')) == "cannot create 'zones/p': invalid property 'foo'\n"
    assert fails(gz.run('zfs', 'create', '-o', 'quota=0', 'zones/p')) == "cannot create 'zones/p': use 'none' to disable quota/refquota\n"
    assert fails(gz.run('zfs', 'create', '-o', 'volsize=1G', 'zones/p')) == \
        "cannot create 'zones/p': 'volsize' does not apply to datasets of this type\n"
    assert fails(gz.run('zfs', 'create', '-o', 'used=1G', 'zones/p')) == "cannot create 'zones/p': 'used' is readonly\n"
    assert fails(gz.run('zfs', 'create', '-o', 'quota', 'zones/p')) == "missing '=' for property=value argument\n"
    assert fails(gz.run('zfs', 'create', '-o', 'a:b=1', '-o', 'a:b=2', 'zones/p')) == "property 'a:b' specified multiple times\n"
    assert fails(gz.run('zfs', 'create', '-s', 'zones/p'), 2).startswith(
        "'-s' and '-b' can only be used when creating a volume\nusage:\n\tcreate [-Pnpv]")
    assert fails(gz.run('zfs', 'create'), 2).startswith('missing filesystem argument\nusage:\n')
    assert fails(gz.run('zfs', 'create', 'zones/p', 'zones/q'), 2).startswith('too many arguments\nusage:\n')
    assert fails(gz.run('zfs', 'create', '-V'), 2).startswith('missing size argument\nusage:\n')
    assert fails(gz.run('zfs', 'create', '-o'), 2).startswith('missing size argument\nusage:\n')
    assert not gz.run('zfs', 'list', 'zones/p').returncode == 0


def test_create_volumes(gz):
    """§7: automatic refreservation, -s, -b, size errors, -n -v output."""
    ok(gz.run('zfs', 'create', '-V', '1G', 'zones/v1'))
    out = ok(gz.run('zfs', 'get', '-Hp', '-o', 'property,value,source', 'volsize,volblocksize,refreservation,used', 'zones/v1'))
    assert out == ('volsize\t1073741824\tlocal\nvolblocksize\t8192\tdefault\n'
                   'refreservation\t1109393408\tlocal\nused\t1109393408\t-\n')
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'refreservation', 'zones/v1')) == '1.03G\n'
    ok(gz.run('zfs', 'create', '-s', '-b', '4K', '-V', '100M', 'zones/v2'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value,source', 'refreservation,volblocksize', 'zones/v2')) == \
        'none\tdefault\n4K\t-\n'
    assert fails(gz.run('zfs', 'create', '-V', 'abc', 'zones/v3')) == "bad volume size 'abc': bad numeric value 'abc'\n"
    assert fails(gz.run('zfs', 'create', '-b', '1x', '-V', '1G', 'zones/v3')) == \
        "bad volume block size '1x': invalid numeric suffix 'x'\n"
    assert fails(gz.run('zfs', 'create', '-s', '-V', '1000', 'zones/v3')) == \
        "cannot create 'zones/v3': volume size must be a multiple of volume block size\n"
    assert fails(gz.run('zfs', 'create', '-s', '-V', '0', 'zones/v3')) == "cannot create 'zones/v3': volume size cannot be zero\n"
    assert fails(gz.run('zfs', 'create', '-b', '3000', '-V', '1G', 'zones/v3')) == \
        "cannot create 'zones/v3': 'volblocksize' must be power of 2 from 512B to 128KB\n"
    assert fails(gz.run('zfs', 'create', '-V', '1G', 'nopool/v3')) == "cannot open 'nopool': no such pool\n"
    out = ok(gz.run('zfs', 'create', '-n', '-v', '-V', '1G', 'zones/v3'))
    assert out == 'would create zones/v3\n\tvolsize=1073741824\n\trefreservation=1109393408\n'
    assert ok(gz.run('zfs', 'create', '-P', '-o', 'com.x:y=z', 'zones/fs3')) == 'create\tzones/fs3\nproperty\tcom.x:y\tz\n'
    assert gz.run('zfs', 'list', 'zones/v3').returncode == 1


def test_set_get_inherit_and_sources(gz):
    """§4, §6, §8: inherited mountpoints, user properties, sources, validation texts, files follow the mountpoint."""
    ok(gz.run('zfs', 'create', '-p', 'zones/a/b'))
    with open(gz.host_path('/zones/a/b/file'), 'w', encoding='utf-8') as handle:
        handle.write('x')
    assert ok(gz.run('zfs', 'set', 'mountpoint=/data', 'com.example:owner=ops', 'zones/a')) == ''
    out = ok(gz.run('zfs', 'get', '-H', 'mountpoint,com.example:owner', 'zones/a', 'zones/a/b'))
    assert out == ('zones/a\tmountpoint\t/data\tlocal\nzones/a\tcom.example:owner\tops\tlocal\n'
                   'zones/a/b\tmountpoint\t/data/b\tinherited from zones/a\n'
                   'zones/a/b\tcom.example:owner\tops\tinherited from zones/a\n')
    assert os.path.isfile(gz.host_path('/data/b/file'))
    assert not os.path.exists(gz.host_path('/zones/a'))
    ok(gz.run('zfs', 'inherit', 'mountpoint', 'zones/a'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value,source', 'mountpoint', 'zones/a/b')) == '/zones/a/b\tdefault\n'
    assert os.path.isfile(gz.host_path('/zones/a/b/file'))
    errors = {
        ('used=1G',): "cannot set property for 'zones/a': 'used' is readonly\n",
        ('compression=fast',): "cannot set property for 'zones/a': 'compression' must be one of "
                               "'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4'\n",
        ('recordsize=3000',): "cannot set property for 'zones/a': 'recordsize' must be power of 2 from 512B to 1024KB\n",
        ('mountpoint=data',): "cannot set property for 'zones/a': 'mountpoint' must be an absolute path, 'none', or 'legacy'\n",
        ('quota=10Q',): "cannot set property for 'zones/a': invalid numeric suffix 'Q'\n",
        ('volsize=1G',): "cannot set property for 'zones/a': 'volsize' does not apply to datasets of this type\n",
        ('nope=1',): "cannot set property for 'zones/a': invalid property 'nope'\n",
        ('quota=1K',): "cannot set property for 'zones/a': size is less than current used or reserved space\n",
        ('reservation=10T',): "cannot set property for 'zones/a': size is greater than available space\n",
    }
    for args, message in errors.items():
        assert fails(gz.run('zfs', 'set', *(args + ('zones/a',)))) == message, args
    assert fails(gz.run('zfs', 'set', 'a:b=1', 'a:b=2', 'zones/a'), 255) == "property 'a:b' specified multiple times\n"
    assert fails(gz.run('zfs', 'set', 'zones/a', 'a:b=1'), 2).startswith('invalid argument order\nusage:\n\tset <property=value>')
    assert fails(gz.run('zfs', 'set', 'a:b=1'), 2).startswith('missing dataset name(s)\nusage:\n')
    assert fails(gz.run('zfs', 'set', 'a:b=1', 'zones/nope')) == "cannot open 'zones/nope': dataset does not exist\n"
    # `zfs a:b=1 zones/a` is `zfs set` (zfs main())
    ok(gz.run('zfs', 'com.example:x=1', 'zones/a'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'com.example:x', 'zones/a')) == '1\n'
    assert fails(gz.run('zfs', 'inherit', 'used', 'zones/a')) == 'used property is read-only\n'
    assert fails(gz.run('zfs', 'inherit', 'quota', 'zones/a')) == (
        "'quota' property cannot be inherited\n"
        "use 'zfs set quota=none' to clear\n"
        "use 'zfs inherit -S quota' to revert to received value\n")
    assert fails(gz.run('zfs', 'inherit', 'nope', 'zones/a'), 2).startswith("invalid property 'nope'\nusage:\n\tinherit")
    assert fails(gz.run('zfs', 'inherit', 'recordsize', 'zones/swap')) == \
        "cannot inherit recordsize for 'zones/swap': property doesn't apply to datasets of this type\n"
    ok(gz.run('zfs', 'inherit', '-r', 'com.example:owner', 'zones/a'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value,source', 'com.example:owner', 'zones/a/b')) == '-\t-\n'


def test_canmount_and_mountpoint_changes_mount_as_libzfs(gz):
    """libzfs_dataset.c zfs_prop_set_list: only canmount=off unmounts; canmount=on|noauto mount and
    unmount nothing (no changelist), and changelist_postfix remounts only what was mounted."""
    def mounted(name):
        return ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'mounted', name)).strip()

    ok(gz.run('zfs', 'create', 'zones/cm'))
    assert mounted('zones/cm') == 'yes'
    ok(gz.run('zfs', 'set', 'canmount=noauto', 'zones/cm'))
    assert mounted('zones/cm') == 'yes'
    ok(gz.run('zfs', 'set', 'canmount=off', 'zones/cm'))
    assert mounted('zones/cm') == 'no'
    ok(gz.run('zfs', 'set', 'canmount=on', 'zones/cm'))
    assert mounted('zones/cm') == 'no', 'setting canmount=on does not mount'
    ok(gz.run('zfs', 'set', 'mountpoint=/cm-elsewhere', 'zones/cm'))
    assert mounted('zones/cm') == 'no', 'a mountpoint change does not mount what was not mounted'
    assert not os.path.exists(gz.host_path('/cm-elsewhere'))
    ok(gz.run('zfs', 'mount', 'zones/cm'))
    assert mounted('zones/cm') == 'yes'
    assert os.path.isdir(gz.host_path('/cm-elsewhere'))
    ok(gz.run('zfs', 'set', 'mountpoint=/cm-moved', 'zones/cm'))
    assert mounted('zones/cm') == 'yes' and os.path.isdir(gz.host_path('/cm-moved'))


def test_get_layout_columns_and_filters(gz):
    """§6: the reference's example layout, -o, -s, -p, `all`, the hidden `name`, errors."""
    ok(gz.run('zfs', 'create', '-o', 'quota=1G', 'zones/data'))
    assert ok(gz.run('zfs', 'get', 'compression,quota', 'zones/data')) == (
        'NAME        PROPERTY     VALUE     SOURCE\n'
        'zones/data  compression  off       default\n'
        'zones/data  quota        1G        local\n')
    assert ok(gz.run('zfs', 'get', '-p', '-o', 'property,value', 'quota', 'zones/data')) == \
        'PROPERTY  VALUE\nquota     1073741824\n'
    assert ok(gz.run('zfs', 'get', '-H', '-s', 'local', '-o', 'property', 'all', 'zones/data')) == 'quota\n'
    assert ok(gz.run('zfs', 'get', '-Hpo', 'value', 'name', 'zones/archive')) == 'zones/archive\n'
    assert ok(gz.run('zfs', 'get', '-H', 'volsize', 'zones/data')) == 'zones/data\tvolsize\t-\t-\n'
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'avail', 'zones/data')) == '1024M\n'  # 1G - 31K: nicenum, like 1048575 -> 1024K
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'property', 'refer', 'zones/data')) == 'referenced\n'
    props = ok(gz.run('zfs', 'get', '-H', '-o', 'property', 'all', 'zones/data')).split()
    assert props[:8] == ['type', 'creation', 'used', 'available', 'referenced', 'compressratio', 'mounted', 'quota']
    assert 'volsize' not in props and 'origin' not in props and 'clones' not in props
    creation = ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'creation', 'zones/data')).strip()
    assert re.match(r'^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\d [ 12]\d:\d\d \d{4}$', creation)
    assert ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'creation', 'zones/data')).strip().isdigit()
    err = fails(gz.run('zfs', 'get', 'nope', 'zones/data'), 2)
    assert err.startswith("bad property list: invalid property 'nope'\nusage:\n\tget [-crHp] [-d max] ")
    assert fails(gz.run('zfs', 'get'), 2).startswith('missing property argument\nusage:\n')
    assert fails(gz.run('zfs', 'get', '-o', 'bogus', 'all', 'zones'), 2).startswith("invalid column name 'bogus'\n")
    assert fails(gz.run('zfs', 'get', '-s', 'bogus', 'all', 'zones'), 2).startswith("invalid source 'bogus'\n")
    assert fails(gz.run('zfs', 'get', '-o', 'name,all', 'all', 'zones'), 2).startswith(
        '"all" conflicts with specific fields given to -o option\n')
    assert fails(gz.run('zfs', 'get', '-d'), 2).startswith("missing argument for 'd' option\n")
    assert fails(gz.run('zfs', 'get', 'all', 'zones/nope')) == "cannot open 'zones/nope': dataset does not exist\n"


def test_space_accounting(gz):
    """§4: quota limits available, a reservation counts in the parent, volumes carry refreservation."""
    ok(gz.run('zfs', 'create', '-o', 'quota=1G', 'zones/q'))
    ok(gz.run('zfs', 'create', 'zones/q/child'))
    ok(gz.run('zfs', 'set', 'reservation=100M', 'zones/q/child'))
    out = ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'used,available,usedbychildren', 'zones/q'))
    used, avail, child = (int(x) for x in out.split())
    assert child == 100 * 2 ** 20
    assert used == child + 31 * 1024
    assert avail == 2 ** 30 - used
    out = ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'used,available', 'zones/q/child'))
    cused, cavail = (int(x) for x in out.split())
    assert cused == 31 * 1024 and cavail == avail + 100 * 2 ** 20 - cused
    before = int(ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'available', 'zones')))
    ok(gz.run('zfs', 'create', '-V', '1G', 'zones/vol'))
    after = int(ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'available', 'zones')))
    assert before - after == 1109393408
    vol_avail = int(ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'available', 'zones/vol')))
    assert vol_avail == after + 1109393408 - 16 * 1024
    ok(gz.run('zfs', 'set', 'volsize=2G', 'zones/vol'))
    assert ok(gz.run('zfs', 'get', '-Hp', '-o', 'value', 'refreservation', 'zones/vol')).strip() == \
        str(zfsdb.volsize_to_reservation(2 * 2 ** 30))
    assert fails(gz.run('zfs', 'set', 'volsize=1000', 'zones/vol')) == \
        "cannot set property for 'zones/vol': 'volsize' must be a multiple of volume block size (8K)\n"


def test_destroy(gz):
    """§9: refusals with the dependents listed post-order, pool root, -r, -n -v, snapshot specs."""
    ok(gz.run('zfs', 'create', '-p', 'zones/d/e'))
    ok(gz.run('zfs', 'snapshot', '-r', 'zones/d@s1'))
    assert fails(gz.run('zfs', 'destroy', 'zones/d')) == ("cannot destroy 'zones/d': filesystem has children\n"
                                                          "use '-r' to destroy the following datasets:\n"
                                                          'zones/d/e@s1\nzones/d/e\nzones/d@s1\n')
    assert fails(gz.run('zfs', 'destroy', 'zones')) == ("cannot destroy 'zones': operation does not apply to pools\n"
                                                        "use 'zfs destroy -r zones' to destroy all datasets in the pool\n"
                                                        "use 'zpool destroy zones' to destroy the pool itself\n")
    assert fails(gz.run('zfs', 'destroy', 'zones/nope')) == "cannot open 'zones/nope': dataset does not exist\n"
    assert fails(gz.run('zfs', 'destroy'), 2).startswith('missing dataset argument\nusage:\n\tdestroy [-fnpRrv]')
    assert fails(gz.run('zfs', 'destroy', 'a', 'b'), 2).startswith('too many arguments\nusage:\n')
    assert fails(gz.run('zfs', 'destroy', 'zones/d@nope')) == \
        'could not find any snapshots to destroy; check snapshot names.\n'
    assert ok(gz.run('zfs', 'destroy', '-nv', '-r', 'zones/d')) == \
        'would destroy zones/d/e@s1\nwould destroy zones/d/e\nwould destroy zones/d@s1\nwould destroy zones/d\n'
    assert ok(gz.run('zfs', 'destroy', '-v', 'zones/d/e@s1')) == 'will destroy zones/d/e@s1\nwill reclaim 0\n'
    ok(gz.run('zfs', 'clone', 'zones/d@s1', 'zones/c'))
    assert fails(gz.run('zfs', 'destroy', 'zones/d@s1')) == ("cannot destroy 'zones/d@s1': snapshot has dependent clones\n"
                                                             "use '-R' to destroy the following datasets:\nzones/c\n")
    assert fails(gz.run('zfs', 'destroy', '-r', 'zones/d')) == ("cannot destroy 'zones/d': filesystem has dependent clones\n"
                                                                "use '-R' to destroy the following datasets:\nzones/c\n")
    assert os.path.isdir(gz.host_path('/zones/d/e'))
    ok(gz.run('zfs', 'destroy', '-R', 'zones/d'))
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'all')).split() == GZ_DATASETS
    assert not os.path.exists(gz.host_path('/zones/d')) and not os.path.exists(gz.host_path('/zones/c'))


def test_snapshot(gz):
    """§10: arguments, -r, -o user properties only, already exists, invalid names."""
    ok(gz.run('zfs', 'create', '-p', 'zones/s/t'))
    assert ok(gz.run('zfs', 'snapshot', '-r', '-o', 'com.x:why=test', 'zones/s@one')) == ''
    out = ok(gz.run('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name,com.x:why'))
    assert out == 'zones/s@one\ttest\nzones/s/t@one\ttest\n'
    assert fails(gz.run('zfs', 'snapshot', 'zones/s@one')) == "cannot create snapshot 'zones/s@one': dataset already exists\n"
    assert fails(gz.run('zfs', 'snapshot', '-r', 'zones/s@one')) == \
        "cannot create snapshot 'zones/s@one': dataset already exists\nno snapshots were created\n"
    assert fails(gz.run('zfs', 'snapshot', 'zones/s'), 2) == usage_of('snapshot')
    assert fails(gz.run('zfs', 'snapshot'), 2) == 'missing snapshot argument\n' + usage_of('snapshot')
    assert fails(gz.run('zfs', 'snapshot', 'zones/nope@x'), 2) == \
        "cannot open 'zones/nope': dataset does not exist\n" + usage_of('snapshot')
    assert fails(gz.run('zfs', 'snap', 'zones/s@a*b')) == "cannot create snapshot 'zones/s@a*b': invalid character '*' in name\n"
    assert fails(gz.run('zfs', 'snapshot', '-o', 'compression=on', 'zones/s@two')) == \
        "cannot create snapshot 'zones/s@two': this property can not be modified for snapshots\n"
    assert fails(gz.run('zfs', 'set', 'compression=on', 'zones/s@one')) == \
        "cannot set property for 'zones/s@one': this property can not be modified for snapshots\n"


def test_rollback_restores_files(gz):
    """§11: refusal while newer snapshots exist, -r destroys them, the files come back."""
    ok(gz.run('zfs', 'create', 'zones/r'))
    path = gz.host_path('/zones/r/f')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('one')
    ok(gz.run('zfs', 'snapshot', 'zones/r@a'))
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('two')
    ok(gz.run('zfs', 'snapshot', 'zones/r@b'))
    assert fails(gz.run('zfs', 'rollback', 'zones/r@a')) == (
        "cannot rollback to 'zones/r@a': more recent snapshots or bookmarks exist\n"
        "use '-r' to force deletion of the following snapshots and bookmarks:\nzones/r@b\n")
    assert fails(gz.run('zfs', 'rollback', 'zones/r')) == "cannot open 'zones/r': missing '@' delimiter in snapshot name\n"
    assert fails(gz.run('zfs', 'rollback', 'zones/r@x')) == "cannot open 'zones/r@x': dataset does not exist\n"
    assert ok(gz.run('zfs', 'rollback', '-r', 'zones/r@a')) == ''
    with open(path, encoding='utf-8') as handle:
        assert handle.read() == 'one'
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'snapshot', '-r', 'zones/r')) == 'zones/r@a\n'


def test_clone_promote_rename(gz):
    """§12: origin/clones, promote swaps them, rename forms and texts."""
    ok(gz.run('zfs', 'create', 'zones/img'))
    with open(gz.host_path('/zones/img/os-release'), 'w', encoding='utf-8') as handle:
        handle.write('smartos')
    ok(gz.run('zfs', 'snapshot', 'zones/img@final'))
    ok(gz.run('zfs', 'clone', '-o', 'quota=1G', 'zones/img@final', 'zones/vm'))
    assert os.path.isfile(gz.host_path('/zones/vm/os-release'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'origin,quota', 'zones/vm')) == 'zones/img@final\n1G\n'
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'clones', 'zones/img@final')) == 'zones/vm\n'
    assert fails(gz.run('zfs', 'clone', 'zones/img', 'zones/x')) == "cannot open 'zones/img': missing '@' delimiter in snapshot name\n"
    assert fails(gz.run('zfs', 'clone', 'zones/img@final'), 2).startswith('missing target dataset argument\nusage:\n\tclone')
    assert fails(gz.run('zfs', 'promote', 'zones/img')) == "cannot promote 'zones/img': not a cloned filesystem\n"
    ok(gz.run('zfs', 'promote', 'zones/vm'))
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'origin', 'zones/img', 'zones/vm')) == 'zones/vm@final\n-\n'
    assert fails(gz.run('zfs', 'rename', 'zones/img', 'zones/nope/img')) == "cannot create 'zones/nope/img': parent does not exist\n"
    assert fails(gz.run('zfs', 'rename', 'zones/img', 'zones/vm')) == "cannot rename 'zones/img': dataset already exists\n"
    assert fails(gz.run('zfs', 'rename', 'zones/img', 'other/img')) == "cannot rename to 'other/img': datasets must be within same pool\n"
    assert fails(gz.run('zfs', 'rename', 'zones/img', 'zones/img/sub')) == \
        "cannot rename to 'zones/img/sub': New dataset name cannot be a descendant of current dataset name\n"
    assert fails(gz.run('zfs', 'rename', '-p', '-r', 'a', 'b'), 2).startswith('-p and -r options are mutually exclusive\n')
    assert fails(gz.run('zfs', 'rename', '-r', 'zones/a', 'zones/b'), 2).startswith(
        'source dataset for recursive rename must be a snapshot\n')
    ok(gz.run('zfs', 'rename', '-p', 'zones/img', 'zones/new/img'))
    assert os.path.isdir(gz.host_path('/zones/new/img')) and not os.path.exists(gz.host_path('/zones/img'))
    ok(gz.run('zfs', 'rename', 'zones/vm@final', 'gold'))
    assert fails(gz.run('zfs', 'rename', 'zones/vm@gold', 'zones/new@x')) == \
        "cannot rename to 'zones/new@x': snapshots must be part of same dataset\n"
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'origin', 'zones/new/img')) == 'zones/vm@gold\n'


def test_send_receive_round_trip(gz, tmp_path):
    """§13: send to a file, receive it as a new filesystem (files included), -F rules."""
    ok(gz.run('zfs', 'create', 'zones/src'))
    with open(gz.host_path('/zones/src/data'), 'w', encoding='utf-8') as handle:
        handle.write('payload')
    ok(gz.run('zfs', 'snapshot', 'zones/src@s1'))
    stream = tmp_path / 'stream'
    with open(stream, 'wb') as handle:
        result = subprocess.run([os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bin', 'zfs'),
                                 'send', 'zones/src@s1'], stdout=handle, stderr=subprocess.PIPE, env=gz.env(), check=False)
    assert result.returncode == 0, result.stderr
    data = stream.read_bytes()
    assert data.startswith(zfs_tool.STREAM_MAGIC)
    result = gz.run('zfs', 'receive', 'zones/dst', stdin=data.decode('utf-8'))
    assert result.returncode == 0, result.stderr
    with open(gz.host_path('/zones/dst/data'), encoding='utf-8') as handle:
        assert handle.read() == 'payload'
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'snapshot', '-r', 'zones/dst')) == 'zones/dst@s1\n'
    assert fails(gz.run('zfs', 'recv', 'zones/dst', stdin=data.decode('utf-8'))) == (
        "cannot receive new filesystem stream: destination 'zones/dst' exists\nmust specify -F to overwrite it\n")
    assert fails(gz.run('zfs', 'send'), 2).startswith('missing snapshot argument\nusage:\n\tsend [-DnPpRvLecwhb]')
    # a real pipe: the sender and the receiver both use the state (no deadlock), incremental on top
    with open(gz.host_path('/zones/src/data'), 'w', encoding='utf-8') as handle:
        handle.write('second')
    ok(gz.run('zfs', 'snapshot', 'zones/src@s2'))
    result = subprocess.run(['sh', '-c', 'zfs send zones/src@s1 | zfs recv zones/pipe && zfs send -i @s1 zones/src@s2 | zfs recv zones/pipe'],
                            capture_output=True, text=True, env=gz.env(), timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    with open(gz.host_path('/zones/pipe/data'), encoding='utf-8') as handle:
        assert handle.read() == 'second'
    assert ok(gz.run('zfs', 'list', '-H', '-o', 'name', '-t', 'snapshot', '-r', 'zones/pipe')) == 'zones/pipe@s1\nzones/pipe@s2\n'
    assert fails(gz.run('zfs', 'send', '-i', '@s2', 'zones/src@s1')) == "cannot send 'zones/src@s1': not an earlier snapshot from the same fs\n"


def test_zfsdb_api_for_other_tools(tmp_path):
    """The API contract of zfsdb (used by vmadm and imgadm) in-process."""
    state = State(str(tmp_path / 'gz'))
    with state.lock():
        db = zfsdb.Zfs(state)
        db.add_pool('zones', 100 * 2 ** 30)
        db.create('zones/a/b', parents=True, props={'com.x:y': 'v'})
        db.create('zones/vol', kind='volume', volsize='10G')
        db.create('zones/svol', kind='volume', volsize=2 ** 30, sparse=True, blocksize='4K')
        db.snapshot('zones/a/b@final')
        db.clone('zones/a/b@final', 'zones/c', props={'quota': '5G'})
        db.save()
    with state.lock():
        db = zfsdb.Zfs(state)
        assert db.exists('zones/a') and db.type('zones/vol') == 'volume'
        assert db.get('zones/vol', 'refreservation') == ('10.3G', 'local')
        assert db.get_parsable('zones/svol', 'refreservation') == ('0', 'default')
        assert db.get('zones/svol', 'volblocksize') == ('4K', '-')
        assert db.get('zones/c', 'origin') == ('zones/a/b@final', '-')
        assert db.get('zones/a', 'origin') == ('-', '-')
        assert db.get('zones/a/b', 'com.x:y') == ('v', 'local')
        assert db.get('zones/a', 'com.x:y') == ('-', '-')
        assert db.children('zones/a') == ['zones/a/b', 'zones/a/b@final']
        assert db.children('zones', depth=1, types=('filesystem',)) == ['zones/a', 'zones/c']
        assert db.mountpoint_host_path('zones/c') == state.host_path('/zones/c')
        assert db.mountpoint_host_path('zones/vol') is None
        with pytest.raises(zfsdb.ZfsError) as err:
            db.create('zones/a')
        assert str(err.value) == "cannot create 'zones/a': dataset already exists"
        with pytest.raises(zfsdb.ZfsError) as err:
            db.destroy('zones/a/b')
        assert str(err.value).startswith("cannot destroy 'zones/a/b': filesystem has dependent clones") or \
            str(err.value).startswith("cannot destroy 'zones/a/b': filesystem has children")
        assert db.destroy('zones/a', recursive_dependents=True) == ['zones/c', 'zones/a/b@final', 'zones/a/b', 'zones/a']
        db.set('zones/vol', {'com.x:y': 'w'})
        db.inherit('zones/vol', 'com.x:y')
        assert db.get('zones/vol', 'com.x:y') == ('-', '-')
        assert not os.path.exists(state.host_path('/zones/c'))


def test_commands_community_general_runs(gz):
    """The exact commands of community.general's zfs, zfs_facts and zpool_facts modules, and how they parse them."""
    # zfs.py check_openzfs: `zpool get version <pool>`, last line, third field; '-' means a feature-flag pool
    assert ok(gz.run('zpool', 'get', 'version', 'zones')).splitlines()[-1].split()[2] == '-'
    # zfs.py exists / create / set / list_properties / get_property / destroy
    assert gz.run('zfs', 'list', '-t', 'all', 'zones/cg').returncode == 1
    ok(gz.run('zfs', 'create', '-p', '-o', 'compression=lz4', '-o', 'com.example:role=db', 'zones/cg'))
    ok(gz.run('zfs', 'create', '-p', '-V', '1G', '-b', '8K', 'zones/cgvol'))
    ok(gz.run('zfs', 'snapshot', 'zones/cg@s1'))
    ok(gz.run('zfs', 'clone', '-p', 'zones/cg@s1', 'zones/cgclone'))
    assert gz.run('zfs', 'list', '-t', 'all', 'zones/cg@s1').returncode == 0
    ok(gz.run('zfs', 'set', 'quota=1G', 'zones/cg'))
    pairs = [line.split('\t') for line in ok(gz.run('zfs', 'get', '-H', '-p', '-o', 'property,source', 'all', 'zones/cg')).splitlines()]
    assert all(len(p) == 2 for p in pairs)
    listed = [p for p, source in pairs if source in ('local', 'received', '-')]
    assert {'quota', 'compression', 'com.example:role', 'type', 'used'} <= set(listed)
    assert ok(gz.run('zfs', 'get', '-H', '-p', '-o', 'value', 'quota', 'zones/cg')) == '1073741824\n'
    # zfs_facts: `zfs list <name>`, then `zfs get -H [-p] [-r] [-d N] [-t types] -o name,property,value <props> <name>`
    out = ok(gz.run('zfs', 'get', '-H', '-p', '-r', '-d', '1', '-t', 'filesystem,volume', '-o', 'name,property,value',
                    'used,origin', 'zones'))
    rows = [line.split('\t') for line in out.splitlines()]
    assert all(len(r) == 3 for r in rows)
    assert ['zones/cgclone', 'origin', 'zones/cg@s1'] in rows and ['zones/cg', 'origin', '-'] in rows
    assert len(ok(gz.run('zfs', 'get', '-H', '-t', 'all', '-o', 'name,property,value', 'all', 'zones/cg')).splitlines()) > 50
    # zpool_facts: `zpool list <pool>`, then `zpool get -H [-p] -o name,property,value <props> [<pool>]`
    assert gz.run('zpool', 'list', 'zones').returncode == 0
    rows = [line.split('\t') for line in ok(gz.run('zpool', 'get', '-H', '-p', '-o', 'name,property,value', 'all')).splitlines()]
    assert all(len(r) == 3 and r[0] == 'zones' for r in rows)
    assert ['zones', 'health', 'ONLINE'] in rows
    ok(gz.run('zfs', 'destroy', '-R', 'zones/cg'))
    assert gz.run('zfs', 'list', '-t', 'all', 'zones/cgclone').returncode == 1


def test_holds_block_destroy(gz):
    """zfs hold/holds/release (VM.js indestructible_zoneroot: `zfs hold do_not_destroy <ds>@indestructible`)."""
    ok(gz.run('zfs', 'create', 'zones/h'))
    ok(gz.run('zfs', 'snapshot', 'zones/h@indestructible'))
    assert ok(gz.run('zfs', 'hold', 'do_not_destroy', 'zones/h@indestructible')) == ''
    assert fails(gz.run('zfs', 'hold', 'do_not_destroy', 'zones/h@indestructible')) == \
        "cannot hold snapshot 'zones/h@indestructible': tag already exists on this dataset\n"
    out = ok(gz.run('zfs', 'holds', 'zones/h@indestructible'))
    lines = out.splitlines()
    assert lines[0] == 'NAME                    TAG             TIMESTAMP'
    assert lines[1].startswith('zones/h@indestructible  do_not_destroy  ')
    assert ok(gz.run('zfs', 'get', '-H', '-o', 'value', 'userrefs', 'zones/h@indestructible')) == '1\n'
    assert fails(gz.run('zfs', 'destroy', '-r', 'zones/h')) == 'cannot destroy snapshot zones/h@indestructible: dataset is busy\n'
    assert fails(gz.run('zfs', 'hold', 'x', 'zones/h')) == "'zones/h' is not a snapshot\n"
    assert ok(gz.run('zfs', 'release', 'do_not_destroy', 'zones/h@indestructible')) == ''
    assert fails(gz.run('zfs', 'release', 'do_not_destroy', 'zones/h@indestructible')) == \
        "cannot release hold from snapshot 'zones/h@indestructible': no such tag on this dataset\n"
    assert ok(gz.run('zfs', 'holds', '-H', 'zones/h@indestructible')) == 'no datasets available\n'
    ok(gz.run('zfs', 'destroy', '-r', 'zones/h'))
