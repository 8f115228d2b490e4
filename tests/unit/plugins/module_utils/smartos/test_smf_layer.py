# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMF command layer (smartos/smf.py): argument lists and parsing of svcs output.

Outputs are what svcs prints (reference smartos_smf_zones.md §4.2: -H drops the header, columns
separated by blanks, ``-`` for no next state or contract; §1.2: ``svcs: Pattern '...' doesn't
match any instances`` and exit 1 when an operand matches nothing, the matches still listed).
"""

from __future__ import annotations

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos import smf
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError


class FakeRunner(object):
    """CommandRunner's interface: canned (rc, out, err) per tool, every argv recorded."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.commands = []

    def run(self, tool, args, data=None, ok_rcs=(0,)):
        argv = [tool] + list(args)
        self.commands.append(argv)
        rc, out, err = self.answers.get(tool, (0, '', ''))
        if rc not in ok_rcs:
            raise SmartOSCommandError(argv, rc, out, err)
        return rc, out, err


def test_canonical_and_split():
    assert smf.canonical('site/foo') == 'svc:/site/foo'
    assert smf.canonical('svc:/site/foo:default') == 'svc:/site/foo:default'
    assert smf.canonical('svc://localhost/site/foo') == 'svc:/site/foo'
    assert smf.split('site/foo:default') == ('site/foo', 'default')
    assert smf.split('svc:/site/foo') == ('site/foo', None)


def test_log_path_replaces_slashes():
    """§8: svc:/site/foo:default -> /var/svc/log/site-foo:default.log."""
    assert smf.log_path('svc:/site/foo:default') == '/var/svc/log/site-foo:default.log'
    assert smf.log_path('svc:/openstack/nova/compute:default') == '/var/svc/log/openstack-nova-compute:default.log'


def test_states_parses_and_ignores_unmatched_operands():
    out = 'online         -              svc:/site/a:default\noffline        online         svc:/site/a:other\n'
    runner = FakeRunner({'svcs': (1, out, "svcs: Pattern 'svc:/site/b' doesn't match any instances\n")})
    layer = smf.Smf(runner)
    states = layer.states(['svc:/site/a', 'svc:/site/b'])
    assert runner.commands == [['svcs', '-H', '-o', 'state,nstate,fmri', 'svc:/site/a', 'svc:/site/b']]
    assert states == {'svc:/site/a:default': {'state': 'online', 'next_state': None},
                      'svc:/site/a:other': {'state': 'offline', 'next_state': 'online'}}
    assert layer.last_unmatched == ['svc:/site/b']


def test_states_raises_on_other_errors():
    runner = FakeRunner({'svcs': (1, '', 'svcs: Unknown column "nstate".\n')})
    with pytest.raises(SmartOSCommandError) as caught:
        smf.Smf(runner).states(['svc:/site/a'])
    assert caught.value.message == 'svcs: Unknown column "nstate".'


def test_states_raises_on_unparsable_lines():
    runner = FakeRunner({'svcs': (0, 'online svc:/site/a:default\n', '')})
    with pytest.raises(SmartOSCommandError) as caught:
        smf.Smf(runner).states(['svc:/site/a'])
    assert 'not state,nstate,fmri' in caught.value.message


def test_list_with_stime_and_ctid():
    out = ('online         -              9:44:27   1003 svc:/network/ssh:default\n'
           'disabled       -              Aug_02       - svc:/site/x:default\n')
    runner = FakeRunner({'svcs': (0, out, '')})
    rows = smf.Smf(runner).list(all_instances=True)
    assert runner.commands == [['svcs', '-H', '-o', 'state,nstate,stime,ctid,fmri', '-a']]
    assert rows == [
        {'fmri': 'svc:/network/ssh:default', 'state': 'online', 'next_state': None, 'stime': '9:44:27', 'ctid': 1003},
        {'fmri': 'svc:/site/x:default', 'state': 'disabled', 'next_state': None, 'stime': 'Aug_02', 'ctid': None},
    ]


def test_list_all_is_ignored_with_operands():
    """svcs -a with operands only warns (§4.1); the layer does not pass it."""
    runner = FakeRunner({'svcs': (0, '', '')})
    smf.Smf(runner).list(['ssh'], all_instances=True)
    assert runner.commands == [['svcs', '-H', '-o', 'state,nstate,stime,ctid,fmri', 'ssh']]


def test_writes_are_argument_lists():
    runner = FakeRunner()
    layer = smf.Smf(runner)
    layer.validate('/tmp/m.xml')
    layer.import_manifest('/tmp/m.xml')
    layer.enable(['svc:/site/a:default'])
    layer.disable(['svc:/site/a:default'])
    layer.restart(['svc:/site/a:default'])
    layer.refresh(['svc:/site/a:default'])
    layer.clear(['svc:/site/a:default'])
    layer.delete('svc:/site/a')
    layer.delete('svc:/site/a', force=True)
    assert runner.commands == [
        ['svccfg', 'validate', '/tmp/m.xml'],
        ['svccfg', 'import', '/tmp/m.xml'],
        ['svcadm', 'enable', 'svc:/site/a:default'],
        ['svcadm', 'disable', 'svc:/site/a:default'],
        ['svcadm', 'restart', 'svc:/site/a:default'],
        ['svcadm', 'refresh', 'svc:/site/a:default'],
        ['svcadm', 'clear', 'svc:/site/a:default'],
        ['svccfg', 'delete', 'svc:/site/a'],
        ['svccfg', 'delete', '-f', 'svc:/site/a'],
    ]


def test_svccfg_failure_carries_its_message():
    runner = FakeRunner({'svccfg': (1, '', 'svccfg: document has no DTD\nsvccfg: Validation failed.\n')})
    with pytest.raises(SmartOSCommandError) as caught:
        smf.Smf(runner).validate('/tmp/m.xml')
    assert caught.value.message == 'svccfg: document has no DTD\nsvccfg: Validation failed.'
    assert caught.value.rc == 1
