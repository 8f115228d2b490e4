# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI 1.2 JSON rendering (GFD.225) against the examples of occi_facts.md 3.4."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Link, Mixin, Resource
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIRenderingError, OCCIValidationError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    INFRASTRUCTURE_MODEL,
    IPNETWORK,
    IPNETWORKINTERFACE,
    NETWORK,
    NETWORKINTERFACE,
    STOP,
    os_template,
    resource_template,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.json_rendering import (
    dumps,
    normalise,
    parse_entity,
    parse_invocation,
    render_json,
)

ACTION = 'http://schemas.ogf.org/occi/infrastructure/compute/action#'

# occi_facts.md 3.4, "Literal example -- resource"
SPEC_RESOURCE = {
    'kind': 'http://schemas.ogf.org/occi/infrastructure#compute',
    'mixins': [
        'http://example.com/occi/os_tpl#ubuntu_1604',
        'http://example.com/occi/resource_tpl#medium',
    ],
    'attributes': {
        'occi.compute.cores': 2,
        'occi.compute.memory': 4.0,
        'occi.compute.architecture': 'x64',
        'occi.compute.state': 'active',
    },
    'actions': [ACTION + 'stop', ACTION + 'restart', ACTION + 'suspend'],
    'id': 'urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29',
    'title': 'vm1',
    'summary': 'test machine',
    'links': [
        {
            'kind': 'http://schemas.ogf.org/occi/infrastructure#networkinterface',
            'mixins': ['http://schemas.ogf.org/occi/infrastructure/networkinterface#ipnetworkinterface'],
            'attributes': {
                'occi.networkinterface.interface': 'eth0',
                'occi.networkinterface.mac': '00:80:41:ae:fd:7e',
                'occi.networkinterface.state': 'active',
                'occi.networkinterface.address': '192.168.0.100',
                'occi.networkinterface.allocation': 'dynamic',
            },
            'id': 'urn:uuid:22fe83ae-a20f-54fc-b436-cec85c94c5e8',
            'source': {'location': '/compute/996ad860-2a9a-504f-8861-aeafd0b2ae29',
                       'kind': 'http://schemas.ogf.org/occi/infrastructure#compute'},
            'target': {'location': '/network/b7d55bf4-7057-5113-85c8-141871bf7635',
                       'kind': 'http://schemas.ogf.org/occi/infrastructure#network'},
        }
    ],
}

UBUNTU = os_template('http://example.com/occi/os_tpl#', 'ubuntu_1604', title='Ubuntu 16.04')
MEDIUM = resource_template('http://example.com/occi/resource_tpl#', 'medium', defaults={'occi.compute.cores': 2})


def spec_resource():
    """The spec example built with the Python API."""
    network = Resource(NETWORK, 'urn:uuid:b7d55bf4-7057-5113-85c8-141871bf7635')
    nic = Link(NETWORKINTERFACE, 'urn:uuid:22fe83ae-a20f-54fc-b436-cec85c94c5e8', target=network, mixins=[IPNETWORKINTERFACE],
               attributes={'occi.networkinterface.interface': 'eth0', 'occi.networkinterface.mac': '00:80:41:ae:fd:7e',
                           'occi.networkinterface.state': 'active', 'occi.networkinterface.address': '192.168.0.100',
                           'occi.networkinterface.allocation': 'dynamic'})
    return Resource(kind=COMPUTE, id='urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29', title='vm1', summary='test machine',
                    mixins=[UBUNTU, MEDIUM], links=[nic], actions=[STOP, COMPUTE.action('restart'), COMPUTE.action('suspend')],
                    attributes={'occi.compute.cores': 2, 'occi.compute.memory': 4.0, 'occi.compute.architecture': 'x64',
                                'occi.compute.state': 'active'})


def model_with_templates():
    return INFRASTRUCTURE_MODEL.copy().register(UBUNTU, MEDIUM)


def test_python_api_renders_the_spec_example():
    assert spec_resource().validate().to_json() == SPEC_RESOURCE


def test_member_order_follows_the_spec():
    rendering = spec_resource().to_json()
    assert list(rendering) == ['kind', 'mixins', 'attributes', 'actions', 'id', 'title', 'summary', 'links']
    assert list(rendering['links'][0]) == ['kind', 'mixins', 'attributes', 'id', 'source', 'target']
    # attributes in definition order
    assert list(rendering['attributes']) == ['occi.compute.architecture', 'occi.compute.cores', 'occi.compute.memory',
                                             'occi.compute.state']


def test_spec_example_parses_and_normalises_to_itself():
    for model, strict in ((model_with_templates(), True), (None, False)):
        assert normalise(copy.deepcopy(SPEC_RESOURCE), model=model, strict=strict) == SPEC_RESOURCE


def test_unknown_mixins_are_opaque_unless_strict():
    entity = parse_entity(copy.deepcopy(SPEC_RESOURCE))
    assert [m.term for m in entity.mixins] == ['ubuntu_1604', 'medium']
    with pytest.raises(OCCIRenderingError, match='unknown mixin http://example.com/occi/os_tpl#ubuntu_1604'):
        parse_entity(copy.deepcopy(SPEC_RESOURCE), strict=True)


def test_link_alone():
    link = copy.deepcopy(SPEC_RESOURCE['links'][0])
    parsed = parse_entity(link).validate()
    assert isinstance(parsed, Link)
    assert parsed.source == '/compute/996ad860-2a9a-504f-8861-aeafd0b2ae29'
    assert parsed.target_kind == NETWORK.type_id
    assert parsed.to_json() == link
    del link['source']
    with pytest.raises(OCCIRenderingError, match='"source" member is required'):
        parse_entity(link)


def test_inline_link_without_source_gets_the_resource():
    data = copy.deepcopy(SPEC_RESOURCE)
    del data['links'][0]['source']
    assert normalise(data) == SPEC_RESOURCE


def test_inline_link_source_gives_the_resource_location():
    data = copy.deepcopy(SPEC_RESOURCE)
    data['links'][0]['source']['location'] = 'https://gz1.example.com/compute/vm1'
    resource = parse_entity(data).validate(strict=False)
    assert resource.location == 'https://gz1.example.com/compute/vm1'


def test_normalisation():
    data = {
        'kind': COMPUTE.type_id,
        'id': 'urn:uuid:1',
        'attributes': {'occi.compute.memory': 4, 'occi.core.title': 'web', 'occi.compute.cores': 2},
    }
    assert normalise(data) == {
        'kind': COMPUTE.type_id,
        'attributes': {'occi.compute.cores': 2, 'occi.compute.memory': 4.0, 'occi.compute.state': 'inactive'},
        'actions': [ACTION + 'start', ACTION + 'save'],
        'id': 'urn:uuid:1',
        'title': 'web',
    }


def test_core_attributes_inside_attributes_rocci_style():
    data = copy.deepcopy(SPEC_RESOURCE)
    data['attributes'].update({'occi.core.id': data['id'], 'occi.core.title': 'vm1', 'occi.core.summary': 'test machine'})
    assert normalise(data) == SPEC_RESOURCE
    data['attributes']['occi.core.title'] = 'other'
    with pytest.raises(OCCIRenderingError, match='disagrees'):
        parse_entity(data)
    link = copy.deepcopy(SPEC_RESOURCE['links'][0])
    source, target = link.pop('source'), link.pop('target')
    link['attributes'].update({'occi.core.source': source['location'], 'occi.core.target': target['location'],
                               'occi.core.target.kind': target['kind'], 'occi.core.source.kind': source['kind']})
    assert normalise(link) == SPEC_RESOURCE['links'][0]


def test_bare_location_strings_are_accepted_for_source_and_target():
    link = copy.deepcopy(SPEC_RESOURCE['links'][0])
    link['target'] = link['target']['location']
    assert normalise(link)['target'] == {'location': '/network/b7d55bf4-7057-5113-85c8-141871bf7635'}


@pytest.mark.parametrize('mutate, error, message', [
    (lambda d: d.pop('kind'), OCCIRenderingError, '"kind" member is required'),
    (lambda d: d.pop('id'), OCCIRenderingError, '"id" member is required'),
    (lambda d: d.update(kind='http://example.com/x#vm'), OCCIValidationError, 'unknown OCCI kind'),
    (lambda d: d.update(kind='http://schemas.ogf.org/occi/core#entity'), OCCIRenderingError, 'cannot be instantiated'),
    (lambda d: d.update(location='/compute/1'), OCCIRenderingError, r'unknown member\(s\) location'),
    (lambda d: d.update(attributes=[1]), OCCIRenderingError, '"attributes" must be an object'),
    (lambda d: d.update(mixins='x'), OCCIRenderingError, '"mixins" must be a list'),
    (lambda d: d.update(links={}), OCCIRenderingError, '"links" must be a list'),
    (lambda d: d.update(title=3), OCCIRenderingError, '"title" must be a string'),
    (lambda d: d['links'].append(copy.deepcopy(d)), OCCIRenderingError, r'links\[\] must be links, got a compute'),
    (lambda d: d['links'][0].update(source=[1]), OCCIRenderingError, '"source" must be an object'),
    (lambda d: d['links'][0]['target'].update(rel='x'), OCCIRenderingError, 'unknown member'),
    (lambda d: d['links'][0]['target'].pop('location'), OCCIRenderingError, 'needs a "location"'),
    (lambda d: d['attributes'].update({'occi.compute.cores': '2'}), OCCIValidationError, 'expected an integer'),
])
def test_malformed_renderings(mutate, error, message):
    data = copy.deepcopy(SPEC_RESOURCE)
    mutate(data)
    with pytest.raises(error, match=message):
        normalise(data)


def test_not_an_object():
    with pytest.raises(OCCIRenderingError, match='must be a JSON object'):
        parse_entity(['kind'])


def test_collection():
    resource = spec_resource()
    link = resource.links[0]
    assert render_json([resource]) == {'resources': [SPEC_RESOURCE]}
    assert render_json([link]) == {'links': [SPEC_RESOURCE['links'][0]]}
    assert render_json([]) == {'resources': []}
    assert normalise([copy.deepcopy(SPEC_RESOURCE), copy.deepcopy(SPEC_RESOURCE['links'][0])]) == {
        'resources': [SPEC_RESOURCE], 'links': [SPEC_RESOURCE['links'][0]]}
    with pytest.raises(OCCIRenderingError):
        render_json([COMPUTE])


def test_action_invocation():
    # occi_facts.md 3.4: {"action": ".../compute/action#stop", "attributes": {"method": "graceful"}}
    invocation = {'action': ACTION + 'stop', 'attributes': {'method': 'graceful'}}
    action, parameters = parse_invocation(invocation)
    assert action is STOP and parameters == {'method': 'graceful'}
    assert STOP.invocation(parameters) == invocation
    with pytest.raises(OCCIValidationError):
        parse_invocation({'action': ACTION + 'stop', 'attributes': {'method': 'now'}})
    with pytest.raises(OCCIRenderingError):
        parse_invocation({'attributes': {}})
    with pytest.raises(OCCIRenderingError):
        parse_invocation({'action': ACTION + 'stop', 'extra': 1})


# -- the model rendering (query interface) --------------------------------------------------

KIND_MEMBERS = {'term', 'scheme', 'title', 'attributes', 'parent', 'actions', 'location'}
MIXIN_MEMBERS = {'term', 'scheme', 'title', 'attributes', 'actions', 'depends', 'applies', 'location'}
ACTION_MEMBERS = {'term', 'scheme', 'title', 'attributes'}
DESCRIPTION_MEMBERS = {'mutable', 'required', 'type', 'pattern', 'default', 'description'}


def test_model_rendering_shapes():
    model = INFRASTRUCTURE_MODEL.to_json()
    assert set(model) == {'kinds', 'mixins', 'actions'}
    for members, items in ((KIND_MEMBERS, model['kinds']), (MIXIN_MEMBERS, model['mixins']), (ACTION_MEMBERS, model['actions'])):
        for item in items:
            assert set(item) <= members, item
            assert {'term', 'scheme'} <= set(item)
            for description in item.get('attributes', {}).values():
                assert set(description) <= DESCRIPTION_MEMBERS
                assert description['type'] in ('string', 'number', 'boolean', 'array', 'object')
    for mixin in model['mixins']:
        assert 'location' in mixin
    for kind in model['kinds']:
        assert ('location' in kind) == (kind['term'] != 'entity')
    json.dumps(model)


def test_model_rendering_matches_spec_example():
    compute = COMPUTE.to_json()
    assert {k: compute[k] for k in ('term', 'scheme', 'title', 'parent', 'location')} == {
        'term': 'compute', 'scheme': 'http://schemas.ogf.org/occi/infrastructure#', 'title': 'Compute Resource',
        'parent': 'http://schemas.ogf.org/occi/core#resource', 'location': '/compute/'}
    cores = compute['attributes']['occi.compute.cores']
    assert {k: cores[k] for k in ('mutable', 'required', 'type')} == {'mutable': True, 'required': False, 'type': 'number'}
    state = compute['attributes']['occi.compute.state']
    assert {k: state[k] for k in ('mutable', 'required', 'type', 'default')} == {
        'mutable': False, 'required': True, 'type': 'string', 'default': 'inactive'}
    assert compute['actions'][:2] == [ACTION + 'start', ACTION + 'stop']

    ipnetwork = IPNETWORK.to_json()
    assert ipnetwork['location'] == '/mixin/ipnetwork/'
    assert ipnetwork['applies'] == ['http://schemas.ogf.org/occi/infrastructure#network']
    allocation = ipnetwork['attributes']['occi.network.allocation']
    assert allocation['type'] == 'string' and allocation['mutable'] is True
    assert allocation['pattern'] == {'$schema': 'http://json-schema.org/draft-04/schema#', 'type': 'string',
                                     'pattern': '^(dynamic|static)$'}

    stop = STOP.to_json()
    assert stop['term'] == 'stop' and stop['scheme'] == ACTION
    assert {k: stop['attributes']['method'][k] for k in ('type', 'mutable')} == {'type': 'string', 'mutable': True}

    ubuntu = UBUNTU.to_json()
    assert ubuntu['depends'] == ['http://schemas.ogf.org/occi/infrastructure#os_tpl']
    assert ubuntu['location'] == '/mixin/os_tpl/ubuntu_1604/'


def test_dumps():
    text = dumps(spec_resource())
    assert json.loads(text) == SPEC_RESOURCE
    assert '\n' not in text
    assert json.loads(dumps(spec_resource(), indent=2, sort_keys=True)) == SPEC_RESOURCE
    assert json.loads(dumps(INFRASTRUCTURE_MODEL))['kinds'][0]['term'] == 'entity'
    assert dumps(Mixin('http://x#', 'y')) == '{"term": "y", "scheme": "http://x#", "location": "/mixin/y/"}'
    with pytest.raises(OCCIRenderingError):
        dumps(object())
