"""Conformance tests of the simulated ``sysinfo`` against reference smartos_gz_tools.md §3."""
import json
import os
import re
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import dladm  # noqa: E402  pylint: disable=wrong-import-position

# §3.2, global zone without SDC: keys in emission order (the script's output_json)
GZ_KEYS = ['Live Image', 'System Type', 'Boot Time', 'Manufacturer', 'Product', 'Serial Number', 'SKU Number',
           'HW Version', 'HW Family', 'Setup', 'VM Capable', 'Bhyve Capable', 'Bhyve Max Vcpus', 'HVM API',
           'CPU Type', 'CPU Virtualization', 'CPU Physical Cores', 'Admin NIC Tag', 'Admin IP', 'UUID', 'Hostname',
           'CPU Total Cores', 'CPU Socket Count', 'CPU Core Count', 'CPU Online Count', 'CPU Count', 'MiB of Memory',
           'Zpool', 'Zpool Encrypted', 'Zpool Disks', 'Zpool Profile', 'Zpool Creation', 'Zpool Size in GiB',
           'Zpool Recovery', 'Disks', 'Boot Parameters', 'Psrinfo', 'Network Interfaces', 'Virtual Network Interfaces',
           'Link Aggregations']
TYPES = {str: ['Live Image', 'System Type', 'Boot Time', 'Setup', 'CPU Type', 'CPU Virtualization', 'Admin NIC Tag',
               'Admin IP', 'UUID', 'Hostname', 'MiB of Memory', 'Zpool', 'Zpool Disks', 'Zpool Profile'],
         bool: ['VM Capable', 'Bhyve Capable', 'HVM API', 'Zpool Encrypted'],
         int: ['Bhyve Max Vcpus', 'CPU Physical Cores', 'CPU Total Cores', 'CPU Socket Count', 'CPU Core Count',
               'CPU Online Count', 'CPU Count', 'Zpool Creation', 'Zpool Size in GiB']}


def _phys(gz):
    return [(p['link'], dladm.normalize_mac(p['mac']), p['ip4addr']) for p in dladm.load(State(gz.state))['phys']]


def test_json_keys_order_and_types(gz):
    """§3.2: every key in emission order with its JSON type; 2-space hand-built document."""
    result = gz.run('sysinfo')
    assert (result.returncode, result.stderr) == (0, '')
    pairs = json.loads(result.stdout, object_pairs_hook=lambda p: p)
    assert [pair[0] for pair in pairs] == GZ_KEYS
    doc = dict(pairs)
    for kind, keys in TYPES.items():
        for key in keys:
            assert type(doc[key]) is kind, key  # pylint: disable=unidiomatic-typecheck
    assert doc['System Type'] == 'SunOS' and doc['Boot Time'].isdigit() and doc['MiB of Memory'].isdigit()
    assert re.match(r'^\d{8}T\d{6}Z$', doc['Live Image'])
    assert doc['Zpool'] == 'zones' and doc['Admin NIC Tag'] == 'admin'
    assert doc['CPU Total Cores'] == doc['CPU Count']
    assert '\n  "Zpool Recovery": {\n  },\n  "Disks": {\n' in result.stdout
    assert result.stdout.startswith('{\n  "Live Image": "') and result.stdout.endswith('  "Link Aggregations": {\n  }\n}\n')


def test_network_interfaces(gz):
    """§3.2: one line per NIC, normalised MAC, NIC Names from the tags; Admin IP from the config."""
    (link0, mac0, ip0), (link1, mac1) = _phys(gz)[0], _phys(gz)[1][:2]
    result = gz.run('sysinfo')
    assert ('    "%s": {"MAC Address": "%s", "ip4addr": "%s", "Link Status": "up", "NIC Names": ["admin"]},\n'
            % (link0, mac0, ip0)) in result.stdout
    assert ('    "%s": {"MAC Address": "%s", "ip4addr": "", "Link Status": "up", "NIC Names": ["external"]}\n  },\n'
            % (link1, mac1)) in result.stdout
    doc = json.loads(result.stdout)
    assert doc['Admin IP'] == ip0
    assert doc['Virtual Network Interfaces'] == {} and doc['Link Aggregations'] == {}
    assert doc['Boot Parameters']['smartos'] == 'true'


def test_parsable(gz):
    """§3.4: KEY=value lines, quoting as the script does, nic tags, no zpool keys."""
    (link0, mac0, ip0), link1 = _phys(gz)[0], _phys(gz)[1][0]
    result = gz.run('sysinfo', '-p')
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Live_Image='") and lines[1] == "System_Type='SunOS'"
    for line in ('Nic_Tags=admin,external', 'Admin_NIC_Tag=admin', 'Admin_IP=%s' % ip0, "NIC_admin='%s'" % link0,
                 "NIC_external='%s'" % link1, "Network_Interface_%s_MAC_Address='%s'" % (link0, mac0),
                 "Network_Interface_%s_NIC_Names='admin'" % link0, "Bootparam_smartos='true'", "Setup=''"):
        assert line in lines, line
    assert not any(line.startswith('Zpool') for line in lines)
    assert all(re.match(r'^[A-Za-z0-9_]+=', line) for line in lines)


def test_usage(gz):
    """§3.1: an unknown flag prints the usage on stdout with rc 2; -n is accepted."""
    result = gz.run('sysinfo', '-x')
    assert (result.returncode, result.stdout) == (2, 'Usage: /usr/bin/sysinfo: [-f] [-p] [-u]\n')
    assert result.stderr.endswith('illegal option -- x\n')
    assert gz.run('sysinfo', '-n').returncode == 0


def test_cache_and_update(gz):
    """§3.1: -u writes both caches (mode 600) and prints nothing; plain runs read the cache; -f regenerates."""
    result = gz.run('sysinfo', '-u')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    for path in ('/tmp/.sysinfo.json', '/tmp/.sysinfo.parsable'):
        assert stat.S_IMODE(os.stat(gz.host_path(path)).st_mode) == 0o600
    assert gz.run('dladm', 'create-vnic', '-l', 'e1000g0', '-m', '2:8:20:d:1a:3f', '-v', '12', 'gzvnic0').returncode == 0
    assert '"gzvnic0"' not in gz.run('sysinfo').stdout  # stale cache, as on SmartOS
    result = gz.run('sysinfo', '-f')
    assert ('  "Virtual Network Interfaces": {\n    "gzvnic0": {"MAC Address": "02:08:20:0d:1a:3f", "ip4addr": "", '
            '"Link Status": "up", "Host Interface": "e1000g0", "VLAN": "12"}\n  },\n') in result.stdout
    assert '"gzvnic0"' in gz.run('sysinfo').stdout
    assert "Virtual_Network_Interface_gzvnic0_VLAN='12'" in gz.run('sysinfo', '-p').stdout


def test_reboot_changes_boot_time_and_clears_cache(gz):
    """/tmp is empty after a reboot: the cache goes; Boot Time is the new boot's."""
    gz.run('sysinfo', '-u')
    before = json.loads(gz.run('sysinfo').stdout)
    state = State(gz.state)
    with state.lock():
        doc = state.load('sysinfo')
        doc['Boot Time'] = '1000'
        state.save('sysinfo', doc)
    assert gz.run('smartos-sim', 'reboot', '--state', gz.state).returncode == 0
    assert not os.path.exists(gz.host_path('/tmp/.sysinfo.json'))
    after = json.loads(gz.run('sysinfo').stdout)
    assert after['Boot Time'] != '1000' and after['UUID'] == before['UUID']
