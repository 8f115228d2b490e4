"""Conformance tests of the simulated ``nictagadm`` against reference smartos_gz_tools.md §2."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import dladm  # noqa: E402  pylint: disable=wrong-import-position

USAGE_HEAD = 'Manage nic tags\n\nUsage:\n'
USAGE_TAIL = 'See nictagadm(8) for more information\n'


def _phys(gz):
    return [(p['link'], dladm.normalize_mac(p['mac'])) for p in dladm.load(State(gz.state))['phys']]


def _vm_with_tag(gz, tag):
    """A VM in the vmadm store whose NIC uses ``tag`` (what `vmadm list nics.*.nic_tag=` finds)."""
    state = State(gz.state)
    with state.lock():
        vms = state.load('vms', {})
        uuid = 'bbbbbbbb-0000-4000-8000-000000000001'
        vms[uuid] = {'uuid': uuid, 'brand': 'joyent', 'state': 'stopped', 'alias': 'tagged', 'zonename': uuid,
                     'create_timestamp': '2026-01-01T00:00:00.000Z', 'nics': [{'nic_tag': tag, 'interface': 'net0'}]}
        state.save('vms', vms)
    return uuid


def test_list_forms(gz):
    """§2.4 list: human printf with trailing spaces, parsable with escaped MACs only for ':'."""
    (link0, mac0), (link1, mac1) = _phys(gz)
    result = gz.run('nictagadm', 'list')
    assert result.returncode == 0
    fmt = '%-14s %-18s %-14s %-16s\n'
    assert result.stdout == (fmt % ('NAME', 'MACADDRESS', 'LINK', 'TYPE') + fmt % ('admin', mac0, link0, 'normal')
                             + fmt % ('external', mac1, link1, 'normal'))
    result = gz.run('nictagadm', 'list', '-p')
    assert result.stdout == 'admin:%s:%s:normal\nexternal:%s:%s:normal\n' % (
        mac0.replace(':', '\\:'), link0, mac1.replace(':', '\\:'), link1)
    result = gz.run('nictagadm', 'list', '-d', '=', '-p', '-L')
    assert result.stdout == 'admin=%s=%s=normal\nexternal=%s=%s=normal\n' % (mac0, link0, mac1, link1)


def test_list_option_errors(gz):
    """§2.1: -l with -L; -d without -p; bash getopts diagnostic then 'invalid option: ' + usage rc 2."""
    result = gz.run('nictagadm', 'list', '-l', '-L')
    assert (result.returncode, result.stderr) == (1, 'Error: Cannot specify both local and non-local options\n')
    result = gz.run('nictagadm', 'list', '-d', '=')
    assert (result.returncode, result.stderr) == (1, 'Error: Delimiter option requires parsable option to be set\n')
    result = gz.run('nictagadm', 'list', '-q')
    assert (result.returncode, result.stdout) == (2, 'invalid option: \n')
    diagnostic, usage = result.stderr.split(USAGE_HEAD, 1)
    assert diagnostic.endswith(': illegal option -- q\n')
    assert usage.endswith(USAGE_TAIL)


def test_no_and_unknown_subcommand(gz):
    """§2.1: no subcommand -> stdout message + usage rc 2; unknown -> Error rc 1; help rc 0."""
    result = gz.run('nictagadm')
    assert (result.returncode, result.stdout) == (2, 'no subcommand given\n')
    assert result.stderr.startswith(USAGE_HEAD) and result.stderr.endswith(USAGE_TAIL)
    assert '        add             [-l] [-p prop=value,...] <name> [mac]\n' in result.stderr
    result = gz.run('nictagadm', 'frob')
    assert (result.returncode, result.stdout, result.stderr) == (1, '', 'Error: unknown command frob\n')
    result = gz.run('nictagadm', 'help')
    assert (result.returncode, result.stdout) == (0, '')
    assert result.stderr.startswith(USAGE_HEAD)
    result = gz.run('nictagadm', '-h')
    assert result.returncode == 0


def test_add_normal_tag_and_validation(gz):
    """§2.3/2.4 add: check order and messages; success is silent; the tag lands in the config."""
    mac0 = _phys(gz)[0][1]
    upper = mac0.upper()
    cases = [
        (('add',), 2, None),
        (('add', 'storage', mac0, '-p', 'mac=%s' % mac0), 0, None),  # getopts stops at the first operand
        (('add', '-p', 'mac=%s' % mac0, 'storage2', mac0), 1, 'Error: mac address specified twice\n'),
        (('add', 'storage3'), 1, 'Error: create non-local tag, but no mac address specified\n'),
        (('add', '-l', 'stub0', mac0), 1, 'Error: create local tag, but mac address specified\n'),
        (('add', '-l', '-p', 'mtu=9000', 'stub0'), 1, 'Error: Cannot specify MTU for local nic tag\n'),
        (('add', '-p', 'mtu=abc', 'storage4', mac0), 1, 'Error: invalid mtu: abc\n'),
        (('add', '-p', 'mtu=1499', 'storage4', mac0), 1, 'Error: mtu must be between 1500-9000\n'),
        (('add', '-p', 'mtu=', 'storage4', mac0), 1, 'Error: invalid property: mtu=\n'),
        (('add', 'admin', mac0), 1, "Error: nic tag 'admin' already exists\n"),
        (('add', 'storage5', 'aggr0'), 1, "Error: aggregation 'aggr0' does not exist\n"),
        (('add', 'storage5', 'zz:00:00:00:00:00'), 1, "Error: MAC address 'zz:00:00:00:00:00' is invalid\n"),
        (('add', 'storage5', '2:8:20:0:0:1'), 1, "Error: No physical nic found with MAC address '02:08:20:00:00:01'\n"),
    ]
    for argv, rc, stderr in cases:
        result = gz.run('nictagadm', *argv)
        assert result.returncode == rc, (argv, result.stderr)
        if stderr is not None:
            assert (result.stdout, result.stderr) == ('', stderr), argv
    result = gz.run('nictagadm', 'add', '-p', 'mtu=9000', 'storage6', upper)
    assert (result.returncode, result.stdout) == (0, '')
    assert result.stderr == 'MTU changes will not take effect until next reboot\n'
    with open(gz.host_path('/usbkey/config'), encoding='utf-8') as handle:
        config = handle.read()
    assert 'storage6_nic=%s\nstorage6_mtu=9000\n' % mac0 in config
    result = gz.run('nictagadm', 'exists', 'storage6')
    assert (result.returncode, result.stderr) == (0, '')


def test_invalid_name_quirk(gz):
    """§2.3: an invalid non-local tag name is not fatal: bash's 'command not found' and the add goes on."""
    mac0 = _phys(gz)[0][1]
    name = 'a' * 31
    result = gz.run('nictagadm', 'add', name, mac0)
    assert result.returncode == 0
    assert result.stderr.endswith(': nic tag name is invalid: command not found\n')
    assert gz.run('nictagadm', 'exists', name).returncode == 0


def test_etherstub_tags(gz):
    """§2.4: add -l makes an etherstub (config + dladm); list sorts stubs; delete removes both."""
    assert gz.run('nictagadm', 'add', '-l', 'stub1').returncode == 0
    result = gz.run('nictagadm', 'add', '-l', 'stub0')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('nictagadm', 'add', '-l', 'stub')
    assert (result.returncode, result.stderr) == (1, 'Error: nic tag name is invalid\n')
    assert gz.run('dladm', 'show-etherstub', '-p').stdout == 'stub1\nstub0\n'
    result = gz.run('nictagadm', 'list', '-l', '-p')
    assert result.stdout == 'stub0:-:-:etherstub\nstub1:-:-:etherstub\n'
    with open(gz.host_path('/usbkey/config'), encoding='utf-8') as handle:
        assert handle.read().endswith('etherstub=stub1,stub0\n')
    result = gz.run('nictagadm', 'delete', 'stub1')
    assert (result.returncode, result.stderr) == (0, '')
    assert gz.run('dladm', 'show-etherstub', '-p').stdout == 'stub0\n'
    with open(gz.host_path('/usbkey/config'), encoding='utf-8') as handle:
        assert handle.read().endswith('etherstub=stub0\n')
    result = gz.run('nictagadm', 'update', '-l', 'stub0', '-p', 'mtu=1500')
    assert (result.returncode, result.stderr) == (1, 'Error: cannot update a local tag\n')


def test_update(gz):
    """§2.4 update: nothing to update; missing tag; mac change rewrites the config line."""
    (mac0, (link1, mac1)) = (_phys(gz)[0][1], _phys(gz)[1])
    result = gz.run('nictagadm', 'update', 'admin')
    assert (result.returncode, result.stderr) == (1, 'Error: nothing to update\n')
    result = gz.run('nictagadm', 'update', 'nope', mac0)
    assert (result.returncode, result.stderr) == (1, "Error: nic tag 'nope' does not exist\n")
    result = gz.run('nictagadm', 'update', 'admin', mac1)
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('nictagadm', 'list', '-p', '-d', '|')
    assert 'admin|%s|%s|normal\n' % (mac1, link1) in result.stdout


def test_exists(gz):
    """§2.4 exists: no args fatal; each missing tag on stderr; -l prints bare names; rc 1 if any missing."""
    result = gz.run('nictagadm', 'exists')
    assert (result.returncode, result.stderr) == (1, 'Error: tag_exists: no tag specified\n')
    result = gz.run('nictagadm', 'exists', 'admin', 'external')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('nictagadm', 'exists', 'admin', 'nope', 'nada')
    assert (result.returncode, result.stderr) == (1, 'invalid tag: nope\ninvalid tag: nada\n')
    result = gz.run('nictagadm', 'exists', '-l', 'nope')
    assert (result.returncode, result.stderr) == (1, 'nope\n')


def test_delete_in_use_and_vms(gz):
    """§2.4 delete/vms: a tag used by a VM is refused without -f; vms lists the VM uuids."""
    uuid = _vm_with_tag(gz, 'external')
    result = gz.run('nictagadm', 'vms', 'external')
    assert (result.returncode, result.stdout) == (0, uuid + '\n')
    result = gz.run('nictagadm', 'delete', 'external')
    assert (result.returncode, result.stderr) == (1, "Error: nic tag 'external' is in use\n")
    result = gz.run('nictagadm', 'delete', '-f', 'external')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('nictagadm', 'delete', 'external')
    assert (result.returncode, result.stderr) == (1, "Error: nic tag 'external' does not exist\n")
    assert gz.run('nictagadm', 'list', '-p', '-d', '=').stdout.count('\n') == 1


def test_tag_changes_update_sysinfo(gz):
    """§2.2: after add/delete nictagadm runs `sysinfo -u`, so the cached sysinfo shows the change."""
    mac0 = _phys(gz)[0][1]
    assert gz.run('sysinfo').returncode == 0  # fills the cache
    assert gz.run('nictagadm', 'add', 'storage', mac0).returncode == 0
    result = gz.run('sysinfo', '-p')
    assert 'Nic_Tags=admin,external,storage\n' in result.stdout
    assert "Network_Interface_e1000g0_NIC_Names='admin,storage'\n" in result.stdout
