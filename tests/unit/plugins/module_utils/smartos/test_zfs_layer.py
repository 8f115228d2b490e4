# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The zfs command layer (smartos/zfs.py): argument lists, parsing, errors in zfs's own words.

A recording runner stands in for CommandRunner; the outputs are the shapes of reference
smartos_zfs_zpool.md §5 and §6 (``-H``: tab-separated, no header; ``-p``: bytes).
"""

from __future__ import annotations

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.zfs import (
    Zfs,
    ZfsNotFound,
    parse_get,
    parse_list,
)

USAGE = "usage:\n\tget [-crHp] [-d max] [-o \"all\" | field[,...]]\n\nThe following properties are supported:\n"


class Runner(object):
    """Answers each command with the next (rc, out, err); records the argvs."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.commands = []

    def run(self, tool, args, data=None, ok_rcs=(0,)):  # pylint: disable=unused-argument
        argv = [tool] + [str(a) for a in args]
        self.commands.append(argv)
        rc, out, err = self.answers.pop(0) if self.answers else (0, '', '')
        if rc not in ok_rcs:
            raise SmartOSCommandError(argv, rc, out, err)
        return rc, out, err


def test_get_is_one_scripted_exact_recursive_read():
    out = ('zones/ws\ttype\tfilesystem\t-\nzones/ws\trefquota\t0\tdefault\n'
           'zones/ws@a\ttype\tsnapshot\t-\nzones/ws@a\tclones\t\t-\n')
    runner = Runner((0, out, ''))
    rows = Zfs(runner).get('zones/ws', ['type', 'refquota', 'clones'])
    assert runner.commands == [['zfs', 'get', '-H', '-p', '-o', 'name,property,value,source', '-r', '-t', 'all',
                                'type,refquota,clones', 'zones/ws']]
    assert rows == {'zones/ws': {'type': ('filesystem', '-'), 'refquota': ('0', 'default')},
                    'zones/ws@a': {'type': ('snapshot', '-'), 'clones': ('', '-')}}
    assert list(rows) == ['zones/ws', 'zones/ws@a']


def test_get_of_a_missing_dataset_is_none_or_zfs_error():
    err = "cannot open 'zones/nope': dataset does not exist\n"
    assert Zfs(Runner((1, '', err))).get('zones/nope', ['type']) is None
    with pytest.raises(ZfsNotFound) as info:
        Zfs(Runner((1, '', err))).get('zones/nope', ['type'], missing_ok=False)
    assert info.value.message == "cannot open 'zones/nope': dataset does not exist"


def test_errors_drop_the_usage_block():
    """Reference §5/§6: a bad property list prints the message, then usage and the property table."""
    runner = Runner((2, '', "bad property list: invalid property 'foo'\n" + USAGE))
    with pytest.raises(SmartOSCommandError) as info:
        Zfs(runner).get('zones/ws', ['foo'])
    assert info.value.message == "bad property list: invalid property 'foo'"
    assert info.value.stderr == "bad property list: invalid property 'foo'\n"
    runner = Runner((2, '', "usage:\n\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n\nFor the property list, run: zfs set|get\n"))
    with pytest.raises(SmartOSCommandError) as info:
        Zfs(runner).snapshot('zones/ws')
    assert info.value.message == 'usage: snapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...'


def test_write_argument_lists():
    runner = Runner()
    zfs = Zfs(runner)
    zfs.create('zones/v', {'volblocksize': '16384', 'readonly': 'on'}, volsize=1048576, sparse=True)
    zfs.create('zones/a/b', {'refquota': '1073741824'}, parents=True)
    zfs.set('zones/a', {'compression': 'lz4', 'atime': 'off'})
    zfs.inherit('zones/a', 'compression')
    zfs.snapshot('zones/a@s', {'smartstack:backup': '/x y'})
    zfs.rollback('zones/a@s', destroy_newer=True)
    zfs.destroy('zones/a', recursive=True)
    zfs.unmount('zones/a')
    assert runner.commands == [
        ['zfs', 'create', '-s', '-o', 'readonly=on', '-o', 'volblocksize=16384', '-V', '1048576', 'zones/v'],
        ['zfs', 'create', '-p', '-o', 'refquota=1073741824', 'zones/a/b'],
        ['zfs', 'set', 'atime=off', 'compression=lz4', 'zones/a'],
        ['zfs', 'inherit', 'compression', 'zones/a'],
        ['zfs', 'snapshot', '-o', 'smartstack:backup=/x y', 'zones/a@s'],
        ['zfs', 'rollback', '-r', 'zones/a@s'],
        ['zfs', 'destroy', '-r', 'zones/a'],
        ['zfs', 'unmount', 'zones/a'],
    ]


def test_mount_of_a_mounted_filesystem_is_no_error():
    runner = Runner((1, '', "cannot mount 'zones/a': filesystem already mounted\n"), (1, '', "cannot mount 'zones/b': no such pool\n"))
    Zfs(runner).mount('zones/a')
    with pytest.raises(SmartOSCommandError):
        Zfs(runner).mount('zones/b')


def test_list_parses_tab_separated_rows():
    out = 'zones/a\tfilesystem\t31744\nzones/a@s\tsnapshot\t0\n'
    runner = Runner((0, out, ''))
    rows = Zfs(runner).list(['name', 'type', 'used'], names=['zones/a'], recursive=True, types=['filesystem', 'snapshot'])
    assert runner.commands == [['zfs', 'list', '-H', '-p', '-o', 'name,type,used', '-r', '-t', 'filesystem,snapshot', 'zones/a']]
    assert rows == [{'name': 'zones/a', 'type': 'filesystem', 'used': '31744'},
                    {'name': 'zones/a@s', 'type': 'snapshot', 'used': '0'}]
    assert parse_list('', ['name']) == []
    assert parse_get('\n') == {}
