# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The image and image_info modules end to end, with imgadm answered in-process.

``AnsibleModule.run_command`` is replaced by a small imgadm that prints what the real one
prints (reference smartos_gz_tools.md §1.4 list/avail -j, §1.5 get rc 3, §1.6 import, §1.7
delete and its ImageHasDependentClones refusal), so these tests cover the argument lists the
modules run, the parsing of imgadm's output and the module results; the integration targets
run the same against the simulated global zone over SSH.
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import DEFAULT_COMMAND_TIMEOUT, WATCHDOG_SCRIPT
from ansible_collections.smartstack.smartos.plugins.modules import image as image_module
from ansible_collections.smartstack.smartos.plugins.modules import image_info as image_info_module

SOURCE = 'https://images.smartos.org'
OLD = '58f8b534-2753-432f-b758-dd75e154e791'
NEW = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'
LX = 'bc054a84-b017-47c6-8052-bc1c380db6fa'
SCHEME = 'http://schemas.smartstack.io/occi/smartos/os_tpl#'


def manifest(uuid, name, version, published_at, os='smartos', type='zone-dataset'):
    return {'v': 2, 'uuid': uuid, 'name': name, 'version': version, 'os': os, 'type': type, 'state': 'active',
            'published_at': published_at, 'description': '%s %s' % (name, version)}


CATALOGUE = [
    manifest(OLD, 'base-64-lts', '23.4.0', '2024-01-09T17:28:05.352Z'),
    manifest(NEW, 'base-64-lts', '24.4.1', '2025-02-04T12:46:31.870Z'),
    manifest(LX, 'ubuntu-22.04', '20240122', '2024-01-22T21:02:47.511Z', os='linux', type='lx-dataset'),
]


class Exit(Exception):
    def __init__(self, result):
        super(Exit, self).__init__(result)
        self.result = result


class Imgadm(object):
    """An in-memory imgadm answering the subcommands the modules run, as the real one does."""

    timeout = DEFAULT_COMMAND_TIMEOUT

    def __init__(self, installed=(), clones=None):
        self.installed = dict((m['uuid'], copy.deepcopy(m)) for m in CATALOGUE if m['uuid'] in installed)
        self.clones = clones or {}
        self.argvs = []

    def info(self, uuid):
        return {'manifest': copy.deepcopy(self.installed[uuid]), 'zpool': 'zones', 'source': SOURCE}

    def __call__(self, argv, **kwargs):
        # Every command runs under CommandRunner's watchdog with the module's command_timeout.
        limit = str(self.timeout)
        assert argv[:6] == [sys.executable, '-I', '-c', WATCHDOG_SCRIPT, limit, 'imgadm ' + argv[7]], argv[:8]
        argv = argv[6:]
        assert argv[0] == '/usr/sbin/imgadm'
        args = list(argv[1:])
        self.argvs.append(args)
        if args == ['list', '-j']:
            infos = []
            for uuid in self.installed:
                info = self.info(uuid)
                info.update(cloneNames=list(self.clones.get(uuid, [])), clones=len(self.clones.get(uuid, [])))
                infos.append(info)
            return 0, json.dumps(infos, indent=2) + '\n', ''
        if args == ['avail', '-j']:
            return 0, json.dumps([{'manifest': m, 'source': SOURCE} for m in CATALOGUE], indent=2) + '\n', ''
        if args[0] == 'get':
            if args[1] not in self.installed:
                return 3, '', 'imgadm get: error (ImageNotInstalled): image "%s" was not found on zpool "zones"\n' % args[1]
            return 0, json.dumps(self.info(args[1]), indent=2) + '\n', ''
        if args[:4] == ['import', '-q', '-P', 'zones']:
            uuid = args[-1]
            found = [m for m in CATALOGUE if m['uuid'] == uuid]
            if not found or ('-S' in args and args[args.index('-S') + 1] != SOURCE):
                return 1, '', 'imgadm import: error (ActiveImageNotFound): an active image "%s" was not found in image sources\n' % uuid
            self.installed[uuid] = copy.deepcopy(found[0])
            return 0, 'Imported image %s (%s@%s)\n' % (uuid, found[0]['name'], found[0]['version']), ''
        if args[:3] == ['delete', '-P', 'zones']:
            uuid = args[3]
            if self.clones.get(uuid):
                return 1, '', ('imgadm delete: error (ImageHasDependentClones): image "%s" has dependent clones: %s\n'
                               % (uuid, self.clones[uuid][0]))
            del self.installed[uuid]
            return 0, 'Deleted image %s\n' % uuid, ''
        raise AssertionError('unexpected imgadm %r' % (args,))


@pytest.fixture
def run(monkeypatch):
    """run(module, args, imgadm) -> (result dict, failed bool)."""

    def exit_json(self, **result):
        raise Exit(dict(result, failed=False))

    def fail_json(self, msg, **result):
        raise Exit(dict(result, msg=msg, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, name, *a, **k: '/usr/sbin/%s' % name)

    def runner(module, args, imgadm):
        monkeypatch.setattr(basic.AnsibleModule, 'run_command', lambda self, argv, **kwargs: imgadm(argv, **kwargs))
        with patch_module_args(args):
            with pytest.raises(Exit) as info:
                module.main()
        return info.value.result

    return runner


# ---------------------------------------------------------------------------------------------
# image

def test_import_by_name_version(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': 'base-64-lts@24.4.1', '_ansible_diff': True}, imgadm)
    assert not result['failed'] and result['changed']
    assert imgadm.argvs == [['list', '-j'], ['avail', '-j'], ['import', '-q', '-P', 'zones', NEW]]
    assert result['image'] == {'manifest': CATALOGUE[1], 'zpool': 'zones', 'source': SOURCE}
    assert (result['resource']['scheme'], result['resource']['term']) == (SCHEME, 'base-64-lts-24.4.1')
    assert result['actions'] == ['import image %s (base-64-lts@24.4.1) from %s' % (NEW, SOURCE)]
    assert result['diff']['before'] == {'state': 'absent'} and result['diff']['after']['uuid'] == NEW


def test_imported_is_one_command(run):
    imgadm = Imgadm(installed=[NEW])
    result = run(image_module, {'name': NEW}, imgadm)
    assert not result['changed'] and result['actions'] == []
    assert imgadm.argvs == [['get', NEW]]
    assert result['image'] == imgadm.info(NEW)
    assert 'diff' not in result


def test_check_mode_does_not_import(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': 'ubuntu-22.04', '_ansible_check_mode': True}, imgadm)
    assert result['changed'] and result['image']['manifest']['uuid'] == LX
    assert imgadm.argvs == [['list', '-j'], ['avail', '-j']] and imgadm.installed == {}


def test_explicit_source(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': NEW, 'source': SOURCE}, imgadm)
    assert imgadm.argvs == [['get', NEW], ['import', '-q', '-P', 'zones', '-S', SOURCE, NEW], ['get', NEW]]
    assert result['changed'] and result['image']['manifest']['name'] == 'base-64-lts'


def test_import_failure_is_imgadms_message(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': NEW, 'source': 'https://images.example.com'}, imgadm)
    assert result['failed'] and result['rc'] == 1
    assert result['msg'] == 'imgadm import: error (ActiveImageNotFound): an active image "%s" was not found in image sources' % NEW
    assert imgadm.installed == {}


def test_unknown_image_fails_before_any_write(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': 'nope'}, imgadm)
    assert result['failed'] and 'no such image is installed or offered' in result['msg']
    assert imgadm.argvs == [['list', '-j'], ['avail', '-j']]


def test_absent(run):
    imgadm = Imgadm(installed=[OLD, NEW])
    result = run(image_module, {'image': 'base-64-lts@23.4.0', 'state': 'absent'}, imgadm)
    assert result['changed'] and result['image'] is None and result['resource'] is None
    assert imgadm.argvs == [['list', '-j'], ['delete', '-P', 'zones', OLD]]
    assert list(imgadm.installed) == [NEW]


def test_absent_in_use_surfaces_imgadms_refusal(run):
    imgadm = Imgadm(installed=[OLD], clones={OLD: ['zones/vm-1']})
    result = run(image_module, {'image': OLD, 'state': 'absent'}, imgadm)
    assert result['failed'] and result['rc'] == 1
    assert result['msg'] == 'imgadm delete: error (ImageHasDependentClones): image "%s" has dependent clones: zones/vm-1' % OLD
    assert list(imgadm.installed) == [OLD]


def test_source_with_absent_is_refused(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': OLD, 'state': 'absent', 'source': SOURCE}, imgadm)
    assert result['failed'] and result['msg'] == 'source is only used with state=imported'
    assert imgadm.argvs == []


def test_malformed_reference_is_refused_before_any_command(run):
    imgadm = Imgadm()
    result = run(image_module, {'image': 'a@b@c'}, imgadm)
    assert result['failed'] and 'is not an image uuid, name@version or name' in result['msg']
    assert imgadm.argvs == []


# ---------------------------------------------------------------------------------------------
# image_info

def test_info_lists_installed_images(run):
    imgadm = Imgadm(installed=[OLD, LX])
    result = run(image_info_module, {}, imgadm)
    assert not result['changed'] and imgadm.argvs == [['list', '-j']]
    assert [i['manifest']['uuid'] for i in result['images']] == [OLD, LX]
    assert [r['term'] for r in result['resources']] == ['base-64-lts-23.4.0', 'ubuntu-22.04-20240122']
    assert 'available' not in result


def test_info_filters_and_available(run):
    imgadm = Imgadm(installed=[OLD, LX])
    result = run(image_info_module, {'available': True, 'os': 'smartos', 'type': 'zone-dataset'}, imgadm)
    assert imgadm.argvs == [['list', '-j'], ['avail', '-j']]
    assert [i['manifest']['uuid'] for i in result['images']] == [OLD]
    assert [i['manifest']['uuid'] for i in result['available']] == [OLD, NEW]
    assert [r['term'] for r in result['resources']] == ['base-64-lts-23.4.0', 'base-64-lts-24.4.1']


def test_info_uuid_filter_ignores_case(run):
    imgadm = Imgadm(installed=[OLD, LX])
    result = run(image_info_module, {'uuid': LX.upper()}, imgadm)
    assert [i['manifest']['uuid'] for i in result['images']] == [LX]
