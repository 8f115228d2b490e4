# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute, valid_attribute_name
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIValidationError


@pytest.mark.parametrize('name', ['occi.compute.cores', 'method', 'com.example.Foo-bar_1', 'occi.core.target.kind'])
def test_valid_names(name):
    assert valid_attribute_name(name)


@pytest.mark.parametrize('name', ['', '.occi', 'occi..core', 'occi.core.', 'a b', 'a=b', 'a;b', '-x', 42, None])
def test_invalid_names(name):
    assert not valid_attribute_name(name)
    with pytest.raises(OCCIValidationError):
        Attribute(name)


def test_unknown_type_and_format():
    with pytest.raises(OCCIValidationError, match='unknown type'):
        Attribute('x', 'decimal')
    with pytest.raises(OCCIValidationError, match='unknown format'):
        Attribute('x', format='email')


@pytest.mark.parametrize('type_, good, normalised, bad', [
    ('string', 'eth0', 'eth0', [1, 1.5, True, [], {}]),
    ('integer', 2, 2, ['2', 1.5, True, [], float('nan')]),
    ('integer', 2.0, 2, []),
    ('float', 4, 4.0, ['4', True, None, float('inf'), float('nan')]),
    ('float', 0.5, 0.5, []),
    ('boolean', False, False, [0, 'false', None]),
    ('array', ('a', 'b'), ['a', 'b'], ['a', {}]),
    ('object', {'a': 1}, {'a': 1}, [['a'], 'a']),
])
def test_types(type_, good, normalised, bad):
    attribute = Attribute('x', type_)
    result = attribute.validate(good)
    assert result == normalised
    assert type(result) is type(normalised)
    for value in bad:
        with pytest.raises(OCCIValidationError, match='attribute x'):
            attribute.validate(value)


def test_none_is_not_a_value():
    with pytest.raises(OCCIValidationError, match='null'):
        Attribute('x').validate(None)


def test_enum():
    attribute = Attribute('occi.network.allocation', enum=('dynamic', 'static'))
    assert attribute.validate('static') == 'static'
    with pytest.raises(OCCIValidationError, match=r"'dhcp' is not one of 'dynamic', 'static'"):
        attribute.validate('dhcp')


def test_pattern_and_range():
    label = Attribute('occi.network.label', pattern=r'^[^\s]+$')
    assert label.validate('external-dmz') == 'external-dmz'
    with pytest.raises(OCCIValidationError, match='does not match pattern'):
        label.validate('external dmz')
    vlan = Attribute('occi.network.vlan', 'integer', minimum=0, maximum=4095)
    assert vlan.validate(343) == 343
    assert vlan.validate(0) == 0 and vlan.validate(4095) == 4095
    with pytest.raises(OCCIValidationError, match='above the maximum'):
        vlan.validate(4096)
    with pytest.raises(OCCIValidationError, match='below the minimum'):
        vlan.validate(-1)


@pytest.mark.parametrize('fmt, good, bad', [
    ('ip', ['192.168.0.1', 'fc00::', '::1'], ['192.168.0.1/24', 'localhost', '300.1.1.1']),
    ('cidr', ['192.168.0.1/24', 'fc00::/7', '10.0.0.0/8'], ['192.168.0.1', '10.0.0.0/33', 'x/24']),
    ('mac', ['00:11:22:33:44:55', '00-80-41-AE-FD-7E'], ['00:11:22:33:44', 'zz:11:22:33:44:55']),
    ('uri', ['urn:uuid:de7335a7-07e0-4487-9cbd-ed51be7f2ce4', '/compute/1', 'http://example.com/x'], ['', 'a b', '<x>']),
])
def test_formats(fmt, good, bad):
    attribute = Attribute('x', format=fmt)
    for value in good:
        assert attribute.validate(value) == value
    for value in bad:
        with pytest.raises(OCCIValidationError):
            attribute.validate(value)


def test_default_is_validated():
    assert Attribute('x', 'float', default=1).default == 1.0
    with pytest.raises(OCCIValidationError):
        Attribute('x', enum=('a',), default='b')


def test_copy_with_default():
    cores = Attribute('occi.compute.cores', 'integer', description='cores')
    copy = cores.with_default(4)
    assert copy.default == 4 and cores.default is None
    assert copy.name == cores.name and copy.type == cores.type and copy.description == 'cores'


def test_json_description_matches_gfd225_example():
    # occi_facts.md 3.4, the ipnetwork mixin's allocation attribute and compute's state attribute
    allocation = Attribute('occi.network.allocation', enum=('dynamic', 'static'))
    assert allocation.to_json() == {
        'mutable': True, 'required': False, 'type': 'string',
        'pattern': {'$schema': 'http://json-schema.org/draft-04/schema#', 'type': 'string', 'pattern': '^(dynamic|static)$'},
    }
    state = Attribute('occi.compute.state', mutable=False, required=True, default='inactive')
    assert state.to_json() == {'mutable': False, 'required': True, 'type': 'string', 'default': 'inactive'}
    cores = Attribute('occi.compute.cores', 'integer')
    assert cores.to_json()['type'] == 'number'
    assert cores.to_json()['pattern']['type'] == 'integer'


def test_json_description_unit():
    memory = Attribute('occi.compute.memory', 'float', unit='GiB', description='Maximum RAM')
    assert memory.to_json() == {'mutable': True, 'required': False, 'type': 'number', 'description': 'Maximum RAM (GiB)'}
    assert Attribute('x', 'float', unit='GiB').to_json()['description'] == 'unit: GiB'


def test_text_flags():
    assert Attribute('x').text_flags() == ''
    assert Attribute('x', mutable=False).text_flags() == '{immutable}'
    assert Attribute('x', required=True).text_flags() == '{required}'
    assert Attribute('x', mutable=False, required=True).text_flags() == '{immutable required}'
