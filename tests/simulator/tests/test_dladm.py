"""Conformance tests of the simulated ``dladm`` against reference smartos_gz_tools.md §4."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import dladm  # noqa: E402  pylint: disable=wrong-import-position


def _macs(gz):
    doc = dladm.load(State(gz.state))
    return [(p['link'], p['mac']) for p in doc['phys']]


def test_mac_and_linkname_rules():
    """§4.1: MACs without zero padding, all-zero is 'unknown'; link name validity."""
    assert dladm.dladm_mac('00:0c:29:0a:bb:0c') == '0:c:29:a:bb:c'
    assert dladm.dladm_mac('00:00:00:00:00:00') == 'unknown'
    assert dladm.normalize_mac('2:8:20:d:1a:3f') == '02:08:20:0d:1a:3f'
    for good in ('foo0', 'foo10', 'a_b.c7'):
        assert dladm.valid_linkname(good), good
    for bad in ('foo01', 'foo', '0foo1', 'foo-1', 'x' * 31 + '1', ''):
        assert not dladm.valid_linkname(bad), bad


def test_show_phys_parsable_forms(gz):
    """§4.3: the exact lines nictagadm and sysinfo rely on (one field unescaped, several escaped)."""
    (link0, mac0), (link1, mac1) = _macs(gz)
    short0, short1 = dladm.dladm_mac(mac0), dladm.dladm_mac(mac1)
    result = gz.run('dladm', 'show-phys', '-pmo', 'address')
    assert (result.returncode, result.stdout) == (0, '%s\n%s\n' % (short0, short1))
    result = gz.run('dladm', 'show-phys', '-pmo', 'address,link')
    assert result.stdout == '%s:%s\n%s:%s\n' % (short0.replace(':', '\\:'), link0, short1.replace(':', '\\:'), link1)
    result = gz.run('dladm', 'show-phys', '-p', '-olink,state')
    assert result.stdout == '%s:up\n%s:up\n' % (link0, link1)
    assert (link0, link1) == ('e1000g0', 'e1000g1')


def test_show_phys_human(gz):
    """§4.2/4.3: header upper case, %-<width>s columns (LINK 13 ...), last column unpadded."""
    result = gz.run('dladm', 'show-phys')
    lines = result.stdout.splitlines()
    assert lines[0] == 'LINK'.ljust(13) + 'MEDIA'.ljust(21) + 'STATE'.ljust(11) + 'SPEED'.ljust(7) + 'DUPLEX'.ljust(10) + 'DEVICE'
    assert lines[1] == 'e1000g0'.ljust(13) + 'Ethernet'.ljust(21) + 'up'.ljust(11) + '1000'.ljust(7) + 'full'.ljust(10) + 'e1000g0'
    result = gz.run('dladm', 'show-phys', '-m')
    lines = result.stdout.splitlines()
    assert lines[0] == 'LINK'.ljust(13) + 'SLOT'.ljust(9) + 'ADDRESS'.ljust(19) + 'INUSE CLIENT'  # 5 chars in width 5 overflow: one space
    # sysinfo reads awk $1,$3 of these lines
    mac0 = dladm.dladm_mac(_macs(gz)[0][1])
    assert lines[1].split()[0] == 'e1000g0' and lines[1].split()[2] == mac0


def test_show_phys_errors(gz):
    """§4.3: -p without -o, -m with -H/-P, bad link, unknown parsable field; all dladm: ... rc 1."""
    cases = [
        (('show-phys', '-p'), 'dladm: -p requires -o\n'),
        (('show-phys', '-m', '-H'), 'dladm: -m cannot combine with -H\n'),
        (('show-phys', '-m', '-P'), 'dladm: -m not compatible with -P\n'),
        (('show-phys', 'nope0'), 'dladm: link nope0 is not valid: object not found\n'),
        (('show-phys', '-p', '-o', 'link,x'), "dladm: unknown output field: `x'\n"),
        (('show-phys', '-p', '-o', 'a,b'), "dladm: unknown output fields: `a' `b'\n"),
        (('show-phys', '-p', '-o', 'all'), "dladm: output field `all' invalid in parsable mode\n"),
    ]
    for argv, stderr in cases:
        result = gz.run('dladm', *argv)
        assert (result.returncode, result.stdout, result.stderr) == (1, '', stderr), argv
    result = gz.run('dladm', 'show-phys', '-o', 'link,x')
    assert result.returncode == 0
    assert result.stderr == "dladm: warning: ignoring unknown output field: `x'\n"
    assert result.stdout.splitlines()[0] == 'LINK'


def test_etherstub_lifecycle(gz):
    """§4.6/4.7: create silent; duplicate/invalid errors; show-etherstub -p without -o; delete."""
    result = gz.run('dladm', 'create-etherstub', '-t', 'stub0')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('dladm', 'create-etherstub', '-t', 'stub0')
    assert (result.returncode, result.stderr) == (1, 'dladm: etherstub creation failed: object already exists\n')
    result = gz.run('dladm', 'create-etherstub', 'stub01')
    assert (result.returncode, result.stderr) == (1, "dladm: invalid link name 'stub01'\n")
    result = gz.run('dladm', 'show-etherstub', '-p')
    assert (result.returncode, result.stdout) == (0, 'stub0\n')
    result = gz.run('dladm', 'show-etherstub')
    assert result.stdout == 'LINK\nstub0\n'
    result = gz.run('dladm', 'show-link', '-p', '-o', 'link,class,over')
    assert result.stdout == 'e1000g0:phys:\ne1000g1:phys:\nstub0:etherstub:\n'
    result = gz.run('dladm', 'delete-etherstub', 'e1000g0')
    assert (result.returncode, result.stderr) == (1, "dladm: 'e1000g0' is not an etherstub\n")
    result = gz.run('dladm', 'delete-etherstub', 'stub0')
    assert (result.returncode, result.stderr) == (0, '')
    result = gz.run('dladm', 'delete-etherstub', 'stub0')
    assert (result.returncode, result.stderr) == (1, "dladm: invalid link name 'stub0'\n")
    result = gz.run('dladm', 'show-etherstub', '-p')
    assert result.stdout == ''


def test_vnics(gz):
    """§4.5: show-vnic -p needs -o; escaped MACs; ZONE '--' for the GZ; show-link human '--' for empty."""
    result = gz.run('dladm', 'show-vnic', '-p')
    assert (result.returncode, result.stderr) == (1, 'dladm: output fields must be specified in parsable mode\n')
    result = gz.run('dladm', 'create-vnic', '-l', 'e1000g0', '-m', '2:8:20:d:1a:3f', 'vnic0')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('dladm', 'show-vnic', '-p', '-o', 'link,over,macaddress,vid')
    assert result.stdout == 'vnic0:e1000g0:2\\:8\\:20\\:d\\:1a\\:3f:0\n'
    result = gz.run('dladm', 'show-vnic', '-p', '-o', 'link,zone', '-z', '')
    assert result.stdout == 'vnic0:--\n'
    result = gz.run('dladm', 'show-vnic', '-z', '')
    fields = result.stdout.splitlines()[1].split()
    assert (fields[0], fields[1], fields[3], fields[5]) == ('vnic0', 'e1000g0', '2:8:20:d:1a:3f', '0')
    result = gz.run('dladm', 'create-vnic', '-l', 'e1000g0', '-v', '4095', 'vnic1')
    assert (result.returncode, result.stderr) == (1, "dladm: invalid VLAN identifier '4095'\n")
    result = gz.run('dladm', 'create-vnic', '-l', 'nope0', 'vnic1')
    assert (result.returncode, result.stderr) == (1, "dladm: invalid link name 'nope0'\n")
    result = gz.run('dladm', 'show-link')
    assert result.stdout.splitlines()[1] == 'e1000g0'.ljust(12) + 'phys'.ljust(10) + '1500'.ljust(7) + 'up'.ljust(9) + '--'.ljust(11) + '--'
    result = gz.run('dladm', 'delete-vnic', 'vnic0')
    assert (result.returncode, result.stderr) == (0, '')


def test_ofmt_overflow():
    """§4.2: an overflowing value is followed by one space and the excess comes out of the next padding."""
    out = dladm.Ofmt('link,class,mtu', dladm.LINK_FIELDS, False)
    # LINK width 12: 14 chars + ' ' (overflow 3); CLASS width 10 gives 3 back -> 'phys' + 3 spaces
    assert out._line(['averylonglink0', 'phys', '1500']) == 'averylonglink0 phys   1500\n'  # pylint: disable=protected-access
    # an overflow larger than the next column's room: that value too gets one space only
    assert out._line(['averyverylonglink0', 'vnic', '1500']) == 'averyverylonglink0 vnic 1500\n'  # pylint: disable=protected-access


def test_unknown_subcommand_and_options(gz):
    """§4.1: unknown subcommand -> usage on stderr rc 1; bad option -> die_opterr."""
    result = gz.run('dladm', 'frobnicate')
    assert result.returncode == 1
    assert result.stderr.startswith("dladm: unknown subcommand 'frobnicate'\nusage:  dladm <subcommand> <args> ...\n")
    result = gz.run('dladm', 'show-phys', '-q')
    assert result.returncode == 1
    assert result.stderr.startswith("dladm: unrecognized option '-q'\nusage: ")


def test_reboot_drops_temporary_links_and_restores_config_stubs(gz):
    """§4.7: -t links are temporary; at boot the config's etherstub= list is brought up again."""
    assert gz.run('dladm', 'create-etherstub', '-t', 'tmp0').returncode == 0
    assert gz.run('nictagadm', 'add', '-l', 'stub0').returncode == 0
    assert gz.run('dladm', 'show-etherstub', '-p').stdout == 'tmp0\nstub0\n'
    assert gz.run('smartos-sim', 'reboot', '--state', gz.state).returncode == 0
    assert gz.run('dladm', 'show-etherstub', '-p').stdout == 'stub0\n'
