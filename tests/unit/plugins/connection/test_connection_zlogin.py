# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The zlogin connection with a stand-in ssh and zlogin that use real shells.

The stand-in ``ssh`` (the plugin's ``ssh_executable``) checks the options, then runs the remote
command line with ``/bin/sh -c`` as sshd does; the stand-in ``zlogin`` runs its single command
argument with ``/bin/sh -c`` in a zone root directory, as zlogin hands it to the zone's shell
(zlogin.c prep_args; the simulator's tools/zones.py does the same). So every quoting layer is real:
a path or command that is quoted wrongly shows up as a wrong file or a command that ran.
The simulator test runs the same against a simulated GZ over real SSH.
"""

from __future__ import annotations

import io
import os
import shlex
import sys

import pytest

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

ZONE = '0f3c2a6e-1b7d-4c2e-9a8f-5e6d7c8b9a01'
HOSTILE = "we ird $(touch PWNED) `touch PWNED2` 'q' \"d\"; touch PWNED3 &.txt"

FAKE_SSH = r'''#!{python}
import json, os, sys
argv = sys.argv[1:]
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(argv) + '\n')
if os.environ.get('FAKE_SSH_DOWN'):
    sys.stderr.write('ssh: connect to host gz port 22: Connection refused\n')
    sys.exit(255)
assert argv[-3] == '--', argv
os.execv('/bin/sh', ['/bin/sh', '-c', argv[-1]])
'''

FAKE_ZLOGIN = r'''#!{python}
import os, sys
args = sys.argv[1:]
if args[0] == '-l':
    os.environ['ZUSER'] = args[1]
    args = args[2:]
zone, command = args[0], args[1:]
if zone != os.environ['FAKE_ZONE']:
    sys.stderr.write("zlogin: zone '%s' unknown\n" % zone)
    sys.exit(1)
assert len(command) == 1, command
os.chdir(os.environ['FAKE_ROOT'])
os.execv('/bin/sh', ['/bin/sh', '-c', command[0]])
'''


@pytest.fixture
def zone(tmp_path, monkeypatch):
    """A zone root, stand-ins on PATH; returns a function making a connection with given variables."""
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    for name, text in (('fake-ssh', FAKE_SSH), ('zlogin', FAKE_ZLOGIN)):
        path = bindir / name
        path.write_text(text.format(python=os.path.realpath(sys.executable)), encoding='utf-8')
        path.chmod(0o755)
    root = tmp_path / 'zoneroot'
    root.mkdir()
    monkeypatch.setenv('PATH', '%s:%s' % (bindir, os.environ['PATH']))
    monkeypatch.setenv('FAKE_LOG', str(tmp_path / 'ssh.log'))
    monkeypatch.setenv('FAKE_ZONE', ZONE)
    monkeypatch.setenv('FAKE_ROOT', str(root))

    def connect(**variables):
        base = {'smartos_uuid': ZONE, 'smartos_gz_host': 'gz1.example.com', 'ansible_zlogin_ssh_executable': 'fake-ssh'}
        base.update(variables)
        conn = connection_loader.get('smartstack.smartos.zlogin', PlayContext(), io.StringIO())
        conn.set_options(var_options=base)
        return conn

    connect.root = root
    connect.tmp = tmp_path
    return connect


def ssh_calls(zone_fixture):
    import json  # pylint: disable=import-outside-toplevel
    path = zone_fixture.tmp / 'ssh.log'
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()] if path.exists() else []


def test_argv_is_a_list_with_host_key_checking_on(zone):
    conn = zone(smartos_gz_port=2201, smartos_gz_private_key_file='/k/id', smartos_gz_known_hosts_file='/k/kh',
                smartos_gz_ssh_extra_args=['-o', 'ProxyJump=bastion'])
    conn._connect()
    argv = conn.argv('uname -a')
    assert argv[:2] == ['fake-ssh', '-T']
    for pair in (['-p', '2201'], ['-l', 'root'], ['-i', '/k/id'], ['-o', 'BatchMode=yes'], ['-o', 'StrictHostKeyChecking=yes'],
                 ['-o', 'UserKnownHostsFile=/k/kh'], ['-o', 'ConnectTimeout=10'], ['-o', 'ProxyJump=bastion']):
        assert any(argv[i:i + 2] == pair for i in range(len(argv))), pair
    assert argv[-3:-1] == ['--', 'gz1.example.com']
    assert shlex.split(argv[-1]) == ['zlogin', ZONE, 'uname -a']
    assert 'StrictHostKeyChecking=no' in zone(smartos_gz_host_key_checking=False).argv('true')
    assert shlex.split(zone(ansible_zlogin_user='app').argv('id')[-1]) == ['zlogin', '-l', 'app', ZONE, 'id']


def test_the_zone_comes_from_ansible_zlogin_zone_over_smartos_uuid(zone):
    conn = zone(ansible_zlogin_zone='other')
    conn._connect()
    assert shlex.split(conn.argv('x')[-1])[1] == 'other'


def test_exec_command_runs_in_the_zone_with_stdin(zone):
    conn = zone()
    rc, out, err = conn.exec_command('pwd; printf "%s|" "a b" $0')
    assert (rc, err) == (0, b'')
    assert out.decode().startswith(str(zone.root) + '\n' + 'a b|')
    rc, out, err = conn.exec_command('cat; exit 3', in_data=b'piped \x00 data')
    assert (rc, out) == (3, b'piped \x00 data')
    assert ssh_calls(zone)[-1][-2] == 'gz1.example.com'


def test_put_and_fetch_hostile_paths_round_trip(zone, tmp_path):
    conn = zone()
    source = tmp_path / 'source.bin'
    data = bytes(range(256)) * 400
    source.write_bytes(data)
    conn.put_file(str(source), HOSTILE)
    assert (zone.root / HOSTILE).read_bytes() == data
    back = tmp_path / 'back.bin'
    conn.fetch_file(HOSTILE, str(back))
    assert back.read_bytes() == data
    assert not [p for p in os.listdir(zone.root) if p.startswith('PWNED')]
    assert not [p for p in os.listdir(os.getcwd()) if p.startswith('PWNED')]


def test_fetch_of_a_missing_file_fails_and_leaves_nothing(zone, tmp_path):
    conn = zone()
    with pytest.raises(AnsibleError, match='zlogin: failed to read /nope in zone %s' % ZONE):
        conn.fetch_file('/nope', str(tmp_path / 'out'))
    assert not (tmp_path / 'out').exists()


def test_put_of_a_missing_source_and_an_unwritable_target(zone, tmp_path):
    conn = zone()
    with pytest.raises(AnsibleFileNotFound):
        conn.put_file(str(tmp_path / 'missing'), 'x')
    (tmp_path / 'f').write_text('x', encoding='utf-8')
    with pytest.raises(AnsibleError, match='zlogin: failed to write /no/such/dir/f'):
        conn.put_file(str(tmp_path / 'f'), '/no/such/dir/f')


def test_ssh_failure_is_a_connection_failure(zone, monkeypatch):
    monkeypatch.setenv('FAKE_SSH_DOWN', '1')
    with pytest.raises(AnsibleConnectionFailure, match='ssh to the global zone gz1.example.com failed: ssh: connect'):
        zone().exec_command('true')


def test_unknown_zone_is_zlogins_own_error(zone):
    rc, _out, err = zone(smartos_uuid='nope').exec_command('true')
    assert rc == 1 and err == b"zlogin: zone 'nope' unknown\n"


def test_no_gz_host_is_a_clear_error(zone):
    with pytest.raises(AnsibleConnectionFailure, match='no global zone for %s' % ZONE):
        zone(smartos_gz_host=None).exec_command('true')


def test_gz_local_runs_zlogin_here_without_ssh(zone):
    conn = zone(smartos_gz_local=True)
    rc, out, _err = conn.exec_command('echo here')
    assert (rc, out) == (0, b'here\n')
    assert conn.argv('echo here') == ['zlogin', ZONE, 'echo here']
    assert not ssh_calls(zone)
