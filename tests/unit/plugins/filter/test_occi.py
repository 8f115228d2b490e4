# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The to_occi_json and to_occi_text filters."""

from __future__ import annotations

import copy
import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.smartstack.smartos.plugins.filter.occi import FilterModule, to_occi_json, to_occi_text

INFRA = 'http://schemas.ogf.org/occi/infrastructure#'
ACTION = 'http://schemas.ogf.org/occi/infrastructure/compute/action#'

VM = {
    'kind': INFRA + 'compute',
    'mixins': ['http://smartstack.example/occi/smartos#bhyve'],
    'id': 'urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29',
    'title': 'web1',
    'attributes': {'occi.compute.memory': 4, 'occi.compute.cores': 2, 'occi.compute.state': 'active',
                   'com.example.smartos.brand': 'bhyve'},
}


def test_registered():
    assert set(FilterModule().filters()) == {'to_occi_json', 'to_occi_text'}


def test_to_occi_json_normalises():
    result = json.loads(to_occi_json(copy.deepcopy(VM)))
    assert result == {
        'kind': INFRA + 'compute',
        'mixins': ['http://smartstack.example/occi/smartos#bhyve'],
        'attributes': {'occi.compute.cores': 2, 'occi.compute.memory': 4.0, 'occi.compute.state': 'active',
                       'com.example.smartos.brand': 'bhyve'},
        'actions': [ACTION + 'stop', ACTION + 'restart', ACTION + 'suspend', ACTION + 'save'],
        'id': 'urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29',
        'title': 'web1',
    }


def test_to_occi_json_is_stable_text():
    once = to_occi_json(copy.deepcopy(VM))
    assert to_occi_json(json.loads(once)) == once
    assert '\n' not in once
    pretty = to_occi_json(copy.deepcopy(VM), indent=2, sort_keys=True)
    assert pretty.startswith('{\n  "actions"')
    assert json.loads(pretty) == json.loads(once)


def test_module_result_and_lists():
    result = {'changed': False, 'resource': copy.deepcopy(VM), 'vm': {'uuid': '996ad860'}}
    assert to_occi_json(result) == to_occi_json(copy.deepcopy(VM))
    collection = json.loads(to_occi_json([result, copy.deepcopy(VM)]))
    assert list(collection) == ['resources'] and len(collection['resources']) == 2
    assert to_occi_text([result]) == 'X-OCCI-Location: /compute/996ad860-2a9a-504f-8861-aeafd0b2ae29'


def test_strict():
    with pytest.raises(AnsibleFilterError, match='unknown mixin http://smartstack.example/occi/smartos#bhyve'):
        to_occi_json(copy.deepcopy(VM), strict=True)
    with pytest.raises(AnsibleFilterError, match='unknown mixin'):
        to_occi_text(copy.deepcopy(VM), strict=True)


def test_to_occi_text():
    text = to_occi_text(copy.deepcopy(VM))
    lines = text.split('\n')
    assert lines[0] == 'Category: compute; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"'
    assert lines[1] == 'Category: bhyve; scheme="http://smartstack.example/occi/smartos#"; class="mixin"'
    assert lines[2] == ('Link: </compute/996ad860-2a9a-504f-8861-aeafd0b2ae29?action=stop>; '
                        'rel="http://schemas.ogf.org/occi/infrastructure/compute/action#stop"')
    assert lines[6:] == [
        'X-OCCI-Attribute: occi.core.id="urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29"',
        'X-OCCI-Attribute: occi.core.title="web1"',
        'X-OCCI-Attribute: occi.compute.cores=2',
        'X-OCCI-Attribute: occi.compute.memory=4.0',
        'X-OCCI-Attribute: occi.compute.state="active"',
        'X-OCCI-Attribute: com.example.smartos.brand="bhyve"',
    ]
    joined = to_occi_text(copy.deepcopy(VM), joined=True)
    assert len(joined.split('\n')) == 3
    full = to_occi_text(copy.deepcopy(VM), full_categories=True)
    assert 'title="Compute Resource"; rel="http://schemas.ogf.org/occi/core#resource"; location="/compute/"' in full


@pytest.mark.parametrize('data, message', [
    ('compute', 'expected an OCCI resource or link'),
    (42, 'expected an OCCI resource or link'),
    ([1], 'expected an OCCI resource or link'),
    ({'id': 'urn:uuid:1'}, 'the "kind" member is required'),
    ({'kind': INFRA + 'compute'}, 'the "id" member is required'),
    ({'kind': 'http://example.com/x#vm', 'id': 'x'}, "unknown OCCI kind 'http://example.com/x#vm'"),
    ({'kind': INFRA + 'compute', 'id': 'x', 'attributes': {'occi.compute.cores': 'two'}},
     "attribute occi.compute.cores: expected an integer, got string 'two'"),
    ({'kind': INFRA + 'compute', 'id': 'x', 'attributes': {'occi.compute.state': 'running'}},
     "'running' is not one of 'active', 'inactive', 'suspended', 'error'"),
    ({'kind': INFRA + 'storage', 'id': 'x'}, r'required attribute\(s\) missing: occi.storage.size'),
    ({'kind': INFRA + 'compute', 'id': 'x', 'mixins': ['http://schemas.ogf.org/occi/infrastructure/network#ipnetwork']},
     'does not apply to kind'),
])
def test_bad_input(data, message):
    for function in (to_occi_json, to_occi_text):
        with pytest.raises(AnsibleFilterError, match=message):
            function(copy.deepcopy(data))


@pytest.mark.parametrize('kwargs', [{'strict': 'yes'}, {'indent': -1}, {'indent': True}, {'sort_keys': 1}])
def test_bad_json_options(kwargs):
    with pytest.raises(AnsibleFilterError, match='option'):
        to_occi_json(copy.deepcopy(VM), **kwargs)


@pytest.mark.parametrize('kwargs', [{'strict': 'yes'}, {'joined': 1}, {'full_categories': None}])
def test_bad_text_options(kwargs):
    with pytest.raises(AnsibleFilterError, match='option'):
        to_occi_text(copy.deepcopy(VM), **kwargs)


def test_input_is_not_modified():
    data = copy.deepcopy(VM)
    data['attributes']['occi.core.title'] = 'web1'
    before = copy.deepcopy(data)
    to_occi_json(data)
    to_occi_text(data)
    assert data == before


# ---------------------------------------------------------------- os_tpl mixins (category renderings)

OS_TPL = 'http://schemas.smartstack.io/occi/smartos/os_tpl#'
IMAGE = {'uuid': 'e44ed3e0-910b-11ed-a5d4-00151714048c', 'name': 'base-64-lts', 'version': '22.4.0', 'os': 'smartos',
         'type': 'zone-dataset', 'published_at': '2023-01-11T16:23:35Z', 'description': 'A 64-bit SmartOS image'}
OS_TPL_TEXT = ('Category: base-64-lts-22.4.0; scheme="http://schemas.smartstack.io/occi/smartos/os_tpl#"; class="mixin"; '
               'title="A 64-bit SmartOS image"; rel="http://schemas.ogf.org/occi/infrastructure#os_tpl"; '
               'location="/mixin/os_tpl/base-64-lts-22.4.0/"; attributes="smartos.image.uuid{immutable} '
               'smartos.image.name{immutable} smartos.image.version{immutable} smartos.image.os{immutable} '
               'smartos.image.type{immutable} smartos.image.published_at{immutable}"')


def _os_tpl(image=None):
    # What the image modules return in "resource" / "resources".
    from ansible_collections.smartstack.smartos.plugins.module_utils.resources.image import render_os_tpl
    return render_os_tpl(dict(image or IMAGE))


def test_os_tpl_mixin_json():
    rendering = _os_tpl()
    assert json.loads(to_occi_json(copy.deepcopy(rendering))) == rendering
    assert to_occi_json({'changed': False, 'resource': copy.deepcopy(rendering)}) == to_occi_json(rendering)
    once = to_occi_json(rendering)
    assert list(json.loads(once)) == ['term', 'scheme', 'title', 'attributes', 'depends', 'applies', 'location']
    assert to_occi_json(json.loads(once)) == once


def test_category_rendering_is_normalised():
    """Members in the order of GFD.225, attribute descriptions completed (mutable, required, type)."""
    data = {'location': '/mixin/os_tpl/mine/', 'applies': [INFRA + 'compute'], 'depends': [INFRA + 'os_tpl'],
            'scheme': OS_TPL, 'term': 'mine', 'attributes': {'smartos.image.uuid': {'default': 'x', 'mutable': False}}}
    assert json.loads(to_occi_json(data)) == {
        'term': 'mine', 'scheme': OS_TPL,
        'attributes': {'smartos.image.uuid': {'mutable': False, 'required': False, 'type': 'string', 'default': 'x'}},
        'depends': [INFRA + 'os_tpl'], 'applies': [INFRA + 'compute'], 'location': '/mixin/os_tpl/mine/'}
    assert to_occi_text(data) == ('Category: mine; scheme="%s"; class="mixin"; rel="%sos_tpl"; location="/mixin/os_tpl/mine/"; '
                                  'attributes="smartos.image.uuid{immutable}"' % (OS_TPL, INFRA))


def test_os_tpl_mixin_text():
    rendering = _os_tpl()
    assert to_occi_text(rendering) == OS_TPL_TEXT
    assert to_occi_text(rendering, full_categories=True) == OS_TPL_TEXT


def test_image_info_result_lists_mixins():
    """image_info returns its os_tpl mixins in "resources": one Category header each; in JSON the
    query interface's {"mixins": [...]}."""
    other = _os_tpl({'uuid': '2f1dc911-6401-4fa4-8e9d-67ea2e39c271'})
    result = {'changed': False, 'resources': [_os_tpl(), other]}
    lines = to_occi_text(copy.deepcopy(result)).split('\n')
    assert lines[0] == OS_TPL_TEXT
    assert lines[1].startswith('Category: 2f1dc911-6401-4fa4-8e9d-67ea2e39c271; scheme="%s"; class="mixin"; ' % OS_TPL)
    assert len(lines) == 2
    joined = to_occi_text(copy.deepcopy(result), joined=True)
    assert joined == 'Category: %s, %s' % (OS_TPL_TEXT[len('Category: '):], lines[1][len('Category: '):])
    assert json.loads(to_occi_json(copy.deepcopy(result))) == {'mixins': [_os_tpl(), other]}


@pytest.mark.parametrize('data, message', [
    ({'term': 'x', 'scheme': OS_TPL, 'parent': INFRA + 'compute'}, r'unknown member\(s\) parent'),
    ({'term': 'x y', 'scheme': OS_TPL}, "invalid OCCI term 'x y'"),
    ({'term': 'x', 'scheme': 'no-hash'}, "invalid OCCI scheme 'no-hash'"),
    ({'term': 'x', 'scheme': OS_TPL, 'applies': ['http://example.com/x#vm']}, 'unknown kind http://example.com/x#vm'),
    ({'term': 'x', 'scheme': OS_TPL, 'depends': 'os_tpl'}, '"depends" must be a list of strings'),
    ({'term': 'x', 'scheme': OS_TPL, 'attributes': {'a.b': {'type': 'text'}}}, "attribute a.b: unknown type 'text'"),
    ({'term': 'x', 'scheme': OS_TPL, 'attributes': {'a.b': {'type': 'number', 'default': 'many'}}}, 'attribute a.b'),
    ([{'term': 'x', 'scheme': OS_TPL}, VM], 'either OCCI entities or OCCI mixins'),
])
def test_bad_category_input(data, message):
    for function in (to_occi_json, to_occi_text):
        with pytest.raises(AnsibleFilterError, match=message):
            function(copy.deepcopy(data))


def test_strict_category():
    """strict: what a mixin depends on and its actions must be in the OCCI model."""
    data = {'term': 'x', 'scheme': OS_TPL, 'depends': ['http://example.com/tpl#base']}
    assert json.loads(to_occi_json(copy.deepcopy(data)))['depends'] == ['http://example.com/tpl#base']
    for function in (to_occi_json, to_occi_text):
        with pytest.raises(AnsibleFilterError, match='unknown mixin http://example.com/tpl#base'):
            function(copy.deepcopy(data), strict=True)
    assert json.loads(to_occi_json(_os_tpl(), strict=True)) == _os_tpl()
