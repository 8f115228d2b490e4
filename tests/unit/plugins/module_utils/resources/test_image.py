# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""os_tpl resolution and rendering (resources/image.py) against a recording fake imgadm.

The fake answers as imgadm does (reference smartos_gz_tools.md §1.4 list/avail -j shapes,
§1.5 get -> None when not installed) and records each call, so the tests hold the resolution
to its command budget: one read when the image is installed.
"""

from __future__ import annotations

import copy

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import OS_TPL
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.image import (
    OS_TPL_SCHEME,
    ImageResource,
    image_inventory,
    os_tpl_mixin,
    os_tpl_term,
    os_tpl_type_id,
    parse_ref,
    render_os_tpl,
    resolve_os_tpl,
)

SOURCE = 'https://images.smartos.org'
OLD = '58f8b534-2753-432f-b758-dd75e154e791'
NEW = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'
MINIMAL = 'a485ac0c-9367-4742-8ecb-d5e78070e5cc'
TWIN = 'f00df00d-0000-4000-8000-000000000001'


def manifest(uuid, name, version, published_at, **extra):
    result = {'v': 2, 'uuid': uuid, 'name': name, 'version': version, 'type': 'zone-dataset', 'os': 'smartos',
              'state': 'active', 'published_at': published_at, 'description': '%s %s image' % (name, version)}
    result.update(extra)
    return result


CATALOGUE = [
    manifest(OLD, 'base-64-lts', '23.4.0', '2024-01-09T17:28:05.352Z'),
    manifest(NEW, 'base-64-lts', '24.4.1', '2025-02-04T12:46:31.870Z'),
    manifest(MINIMAL, 'minimal-64-lts', '24.4.1', '2025-02-04T12:51:09.114Z'),
]


class FakeImgadm(object):
    """Imgadm's interface over in-memory installed/available manifests; records every call."""

    def __init__(self, installed=(), available=None):
        self.installed = {m['uuid']: copy.deepcopy(m) for m in installed}
        self.available = [copy.deepcopy(m) for m in (CATALOGUE if available is None else available)]
        self.calls = []
        self.clones = {}

    def list(self, filters=None):
        self.calls.append(('list', filters))
        return [{'manifest': copy.deepcopy(m), 'zpool': 'zones', 'source': SOURCE, 'clones': len(self.clones.get(u, [])),
                 'cloneNames': list(self.clones.get(u, []))} for u, m in self.installed.items()]

    def get(self, uuid):
        self.calls.append(('get', uuid))
        m = self.installed.get(uuid)
        return {'manifest': copy.deepcopy(m), 'zpool': 'zones', 'source': SOURCE} if m else None

    def avail(self, filters=None):
        self.calls.append(('avail', filters))
        return [{'manifest': copy.deepcopy(m), 'source': SOURCE} for m in self.available]

    def import_image(self, uuid, source=None, pool='zones'):
        self.calls.append(('import', uuid) if source is None else ('import', uuid, source))
        self.installed[uuid] = [m for m in self.available if m['uuid'] == uuid][0]

    def delete(self, uuid, pool='zones'):
        self.calls.append(('delete', uuid))
        del self.installed[uuid]

    def names(self):
        return [c[0] for c in self.calls]


# ---------------------------------------------------------------------------------------------
# parse_ref

@pytest.mark.parametrize('ref, expected', [
    (NEW, (NEW, None, None)),
    (NEW.upper(), (NEW, None, None)),
    ('base-64-lts@24.4.1', (None, 'base-64-lts', '24.4.1')),
    ('base-64-lts', (None, 'base-64-lts', None)),
    (' base-64-lts ', (None, 'base-64-lts', None)),
    (OS_TPL_SCHEME + NEW, (NEW, None, None)),
])
def test_parse_ref(ref, expected):
    assert parse_ref(ref) == expected


@pytest.mark.parametrize('ref', ['', '   ', None, 12, '@1.0', 'base@', 'a@b@c', OS_TPL_SCHEME + 'base-64-lts-24.4.1'])
def test_parse_ref_refuses_malformed(ref):
    with pytest.raises(ResourceError):
        parse_ref(ref)


# ---------------------------------------------------------------------------------------------
# resolve_os_tpl: installed first, one read

def test_installed_uuid_is_one_get():
    imgadm = FakeImgadm(installed=[CATALOGUE[1]])
    found, imported = resolve_os_tpl(imgadm, NEW)
    assert (found['uuid'], imported) == (NEW, False)
    assert imgadm.calls == [('get', NEW)]


def test_installed_name_version_is_one_list():
    imgadm = FakeImgadm(installed=CATALOGUE)
    found, imported = resolve_os_tpl(imgadm, 'base-64-lts@23.4.0')
    assert (found['uuid'], imported) == (OLD, False)
    assert imgadm.calls == [('list', None)]


def test_name_alone_is_the_newest_installed():
    imgadm = FakeImgadm(installed=CATALOGUE[:2])
    assert resolve_os_tpl(imgadm, 'base-64-lts')[0]['uuid'] == NEW
    assert imgadm.names() == ['list']


def test_name_alone_prefers_an_installed_older_version_to_importing():
    """Installed images are looked at first: no avail, no import when any version is there."""
    imgadm = FakeImgadm(installed=[CATALOGUE[0]])
    found, imported = resolve_os_tpl(imgadm, 'base-64-lts')
    assert (found['uuid'], imported) == (OLD, False)
    assert imgadm.names() == ['list']


def test_newest_by_version_when_published_at_ties():
    same = '2025-01-01T00:00:00.000Z'
    images = [manifest(OLD, 'x', '1.9.0', same), manifest(NEW, 'x', '1.10.0', same)]
    assert resolve_os_tpl(FakeImgadm(installed=images), 'x')[0]['uuid'] == NEW


# ---------------------------------------------------------------------------------------------
# resolve_os_tpl: missing -> avail -> import

def test_missing_uuid_is_imported():
    imgadm = FakeImgadm()
    found, imported = resolve_os_tpl(imgadm, MINIMAL)
    assert (found['uuid'], found['name'], imported) == (MINIMAL, 'minimal-64-lts', True)
    assert imgadm.calls == [('get', MINIMAL), ('avail', None), ('import', MINIMAL)]


def test_missing_name_imports_the_newest_available():
    imgadm = FakeImgadm()
    found, imported = resolve_os_tpl(imgadm, 'base-64-lts')
    assert (found['uuid'], imported) == (NEW, True)
    assert imgadm.calls == [('list', None), ('avail', None), ('import', NEW)]


def test_check_mode_reports_the_import_and_does_not_run_it():
    imgadm = FakeImgadm()
    found, imported = resolve_os_tpl(imgadm, 'base-64-lts@23.4.0', check_mode=True)
    assert (found['uuid'], imported) == (OLD, True)
    assert 'import' not in imgadm.names()
    assert imgadm.installed == {}


def test_import_missing_false_refuses_without_asking_the_sources():
    imgadm = FakeImgadm()
    with pytest.raises(ResourceError, match='no such image is installed'):
        resolve_os_tpl(imgadm, 'base-64-lts', import_missing=False)
    assert imgadm.names() == ['list']


@pytest.mark.parametrize('ref', ['no-such-image', 'base-64-lts@99.0.0', '00000000-0000-4000-8000-000000000000'])
def test_unknown_image_is_a_clear_error_and_nothing_is_imported(ref):
    imgadm = FakeImgadm()
    with pytest.raises(ResourceError, match='no such image is installed or offered') as info:
        resolve_os_tpl(imgadm, ref)
    assert ref in info.value.message
    assert 'import' not in imgadm.names()


def test_two_images_with_the_same_name_and_version_are_ambiguous():
    twins = CATALOGUE + [manifest(TWIN, 'base-64-lts', '24.4.1', '2025-03-01T00:00:00.000Z')]
    for installed in ([], twins):
        imgadm = FakeImgadm(installed=installed, available=twins)
        with pytest.raises(ResourceError, match='ambiguous') as info:
            resolve_os_tpl(imgadm, 'base-64-lts@24.4.1')
        assert NEW in info.value.message and TWIN in info.value.message
        assert 'import' not in imgadm.names()
    # a uuid is never ambiguous
    assert resolve_os_tpl(FakeImgadm(installed=twins), TWIN)[0]['uuid'] == TWIN


# ---------------------------------------------------------------------------------------------
# OCCI rendering

def test_mixin_is_an_os_template_of_this_provider():
    mixin = os_tpl_mixin(CATALOGUE[1])
    assert mixin.scheme == OS_TPL_SCHEME
    assert mixin.term == 'base-64-lts-24.4.1'
    assert mixin.title == 'base-64-lts 24.4.1 image'
    assert mixin.is_a(OS_TPL)
    assert os_tpl_type_id(CATALOGUE[1]) == OS_TPL_SCHEME + 'base-64-lts-24.4.1'


def test_rendering_carries_the_image_facts_as_immutable_defaults():
    rendered = render_os_tpl(CATALOGUE[1])
    assert rendered['scheme'] == OS_TPL_SCHEME
    assert rendered['term'] == 'base-64-lts-24.4.1'
    assert rendered['depends'] == ['http://schemas.ogf.org/occi/infrastructure#os_tpl']
    assert rendered['applies'] == ['http://schemas.ogf.org/occi/infrastructure#compute']
    assert rendered['location'] == '/mixin/os_tpl/base-64-lts-24.4.1/'
    uuid = rendered['attributes']['smartos.image.uuid']
    assert (uuid['default'], uuid['mutable'], uuid['type']) == (NEW, False, 'string')
    assert rendered['attributes']['smartos.image.os']['default'] == 'smartos'


@pytest.mark.parametrize('m, term', [
    ({'uuid': NEW}, NEW),
    ({'uuid': NEW, 'name': 'ubuntu 22.04', 'version': '2024/01'}, 'ubuntu_22.04-2024_01'),
    ({'uuid': NEW, 'name': '_odd', 'version': '1'}, 'i_odd-1'),
    ({'uuid': NEW, 'name': 'noversion'}, 'noversion'),
])
def test_terms_are_valid_occi_terms(m, term):
    assert os_tpl_term(m) == term
    assert os_tpl_mixin(m).term == term


def test_image_without_cached_manifest_renders_by_uuid():
    rendered = render_os_tpl({'uuid': NEW})
    assert rendered['term'] == NEW and rendered['title'] == NEW
    assert list(rendered['attributes']) == ['smartos.image.uuid']


# ---------------------------------------------------------------------------------------------
# ImageResource: the image module's read / plan / result

def converge(imgadm, ref, state='imported', source=None, check_mode=False):
    """What run_resource does, without a module: read, plan, apply unless check mode, result."""
    resource = ImageResource(imgadm, ref, state=state, source=source, check_mode=check_mode)
    actual = resource.read()
    plan = resource.plan(actual)
    if plan.changed and not check_mode:
        plan.apply()
    return plan, resource.result(actual, plan, applied=plan.changed and not check_mode)


@pytest.mark.parametrize('ref, read', [(NEW, ('get', NEW)), ('base-64-lts@24.4.1', ('list', None)), ('base-64-lts', ('list', None))])
def test_imported_and_nothing_to_do_is_one_read(ref, read):
    imgadm = FakeImgadm(installed=CATALOGUE)
    plan, result = converge(imgadm, ref)
    assert not plan.changed and plan.describe() == []
    assert imgadm.calls == [read]
    assert result['image']['manifest']['uuid'] == NEW
    assert result['resource']['term'] == 'base-64-lts-24.4.1'
    assert plan.diff()['before'] == plan.diff()['after']


def test_import_by_name_version_reads_lists_and_imports():
    imgadm = FakeImgadm()
    plan, result = converge(imgadm, 'minimal-64-lts@24.4.1')
    assert plan.changed
    assert imgadm.calls == [('list', None), ('avail', None), ('import', MINIMAL)]
    assert plan.describe() == ['import image %s (minimal-64-lts@24.4.1) from %s' % (MINIMAL, SOURCE)]
    assert result['image'] == {'manifest': CATALOGUE[2], 'zpool': 'zones', 'source': SOURCE}
    assert plan.diff() == {'before': {'state': 'absent'},
                           'after': {'state': 'imported', 'uuid': MINIMAL, 'name': 'minimal-64-lts', 'version': '24.4.1',
                                     'os': 'smartos', 'type': 'zone-dataset', 'published_at': '2025-02-04T12:51:09.114Z'}}


def test_import_check_mode_changes_nothing():
    imgadm = FakeImgadm()
    plan, result = converge(imgadm, NEW, check_mode=True)
    assert plan.changed and imgadm.installed == {}
    assert imgadm.names() == ['get', 'avail']
    assert result['image']['manifest']['uuid'] == NEW


def test_import_from_an_explicit_source_skips_avail_and_reads_the_result():
    imgadm = FakeImgadm()
    plan, result = converge(imgadm, NEW, source='https://images.example.com/')
    assert plan.describe() == ['import image %s from https://images.example.com/' % NEW]
    assert imgadm.calls == [('get', NEW), ('import', NEW, 'https://images.example.com/'), ('get', NEW)]
    assert result['image']['manifest']['name'] == 'base-64-lts'


def test_explicit_source_needs_a_uuid():
    with pytest.raises(ResourceError, match='with source, name the image by uuid'):
        ImageResource(FakeImgadm(), 'base-64-lts@24.4.1', source='https://images.example.com')


def test_unknown_image_fails_before_importing():
    imgadm = FakeImgadm()
    with pytest.raises(ResourceError, match='no such image'):
        converge(imgadm, 'nope@1.0')
    assert 'import' not in imgadm.names()


@pytest.mark.parametrize('ref', [NEW, 'base-64-lts@24.4.1'])
def test_absent_deletes_after_one_list(ref):
    imgadm = FakeImgadm(installed=CATALOGUE)
    plan, result = converge(imgadm, ref, state='absent')
    assert imgadm.calls == [('list', None), ('delete', NEW)]
    assert plan.describe() == ['delete image %s (base-64-lts@24.4.1)' % NEW]
    assert result == {'image': None, 'resource': None}
    assert plan.diff()['after'] == {'state': 'absent'} and plan.diff()['before']['uuid'] == NEW
    assert NEW not in imgadm.installed


def test_absent_and_missing_is_one_read():
    imgadm = FakeImgadm()
    plan = converge(imgadm, NEW, state='absent')[0]
    assert not plan.changed and imgadm.calls == [('list', None)]


def test_absent_needs_a_version_or_uuid():
    with pytest.raises(ResourceError, match='needs an image uuid or name@version'):
        ImageResource(FakeImgadm(), 'base-64-lts', state='absent')


def test_absent_in_check_mode_predicts_the_dependent_clones_refusal():
    """imgadm's ImageHasDependentClones message (reference smartos_gz_tools.md §1.7)."""
    imgadm = FakeImgadm(installed=CATALOGUE)
    imgadm.clones[NEW] = ['zones/vm-1', 'zones/vm-2', 'zones/vm-3']
    with pytest.raises(ResourceError) as info:
        converge(imgadm, NEW, state='absent', check_mode=True)
    assert info.value.message == ('image "%s" has dependent clones: zones/vm-1 and 2 others... (imgadm delete would refuse)' % NEW)
    assert imgadm.names() == ['list']


def test_bad_state_is_refused():
    with pytest.raises(ResourceError, match='state must be'):
        ImageResource(FakeImgadm(), NEW, state='present')


# ---------------------------------------------------------------------------------------------
# image_inventory: the image_info module

def test_inventory_filters_installed_images_in_one_list():
    imgadm = FakeImgadm(installed=CATALOGUE)
    result = image_inventory(imgadm, {'name': 'base-64-lts'})
    assert [i['manifest']['uuid'] for i in result['images']] == [OLD, NEW]
    assert [r['term'] for r in result['resources']] == ['base-64-lts-23.4.0', 'base-64-lts-24.4.1']
    assert 'available' not in result and imgadm.calls == [('list', None)]
    assert image_inventory(imgadm, {'version': '24.4.1', 'os': 'smartos', 'type': 'zone-dataset'})['resources'][1]['term'] \
        == 'minimal-64-lts-24.4.1'
    assert image_inventory(imgadm, {'os': 'linux'}) == {'images': [], 'resources': []}


def test_inventory_with_available_renders_offered_images_once():
    imgadm = FakeImgadm(installed=[CATALOGUE[1]])
    result = image_inventory(imgadm, {'version': '24.4.1'}, available=True)
    assert imgadm.names() == ['list', 'avail']
    assert [i['manifest']['uuid'] for i in result['available']] == [NEW, MINIMAL]
    assert [r['term'] for r in result['resources']] == ['base-64-lts-24.4.1', 'minimal-64-lts-24.4.1']
