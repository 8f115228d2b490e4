# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Core: categories, entities, validation, mutability, the model."""

from __future__ import annotations

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import (
    CORE_MODEL,
    ENTITY,
    LINK,
    RESOURCE,
    Action,
    Kind,
    Link,
    Mixin,
    Model,
    Resource,
    attribute_options,
    check_client_attributes,
    option_name,
    split_type_id,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIStateError, OCCIValidationError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    INFRASTRUCTURE_MODEL,
    IPNETWORK,
    IPNETWORKINTERFACE,
    NETWORK,
    NETWORKINTERFACE,
    OS_TPL,
    RESOURCE_TPL,
    STORAGE,
    os_template,
    resource_template,
)

UUID = 'urn:uuid:996ad860-2a9a-504f-8861-aeafd0b2ae29'
EXAMPLE = 'http://example.com/occi/'


def vm(**kwargs):
    params = dict(kind=COMPUTE, id=UUID, title='vm1', attributes={'occi.compute.state': 'active'})
    params.update(kwargs)
    return Resource(**params)


# -- categories -----------------------------------------------------------------------------

def test_type_identifier_is_scheme_plus_term():
    assert COMPUTE.type_id == 'http://schemas.ogf.org/occi/infrastructure#compute'
    assert split_type_id('http://example.com/category/scheme#term') == ('http://example.com/category/scheme#', 'term')
    for bad in ('no-hash', '#term', 'http://x#', 'http://x#te rm', 3):
        with pytest.raises(OCCIValidationError):
            split_type_id(bad)


@pytest.mark.parametrize('term', ['compute', 'ubuntu_1604', 'Ubuntu-16.04', '1x'])
def test_relaxed_1_2_terms(term):
    assert Mixin(EXAMPLE + 'os_tpl#', term).term == term


@pytest.mark.parametrize('scheme, term', [('http://x/', 'a'), ('http://x#', ''), ('http://x#', '-a'), ('http://x#', 'a b'),
                                          ('x y#', 'a'), (None, 'a')])
def test_bad_categories(scheme, term):
    with pytest.raises(OCCIValidationError):
        Mixin(scheme, term)


def test_category_equality():
    assert Mixin(EXAMPLE + 'tag#', 'a') == Mixin(EXAMPLE + 'tag#', 'a')
    assert Mixin(EXAMPLE + 'tag#', 'a') != Mixin(EXAMPLE + 'tag#', 'b')
    assert Mixin(EXAMPLE + 'tag#', 'a') != Action(EXAMPLE + 'tag#', 'a')
    assert len({Mixin(EXAMPLE + 'tag#', 'a'), Mixin(EXAMPLE + 'tag#', 'a')}) == 1
    assert str(COMPUTE) == COMPUTE.type_id


def test_kind_hierarchy():
    assert COMPUTE.parent is RESOURCE and RESOURCE.parent is ENTITY and ENTITY.parent is None
    assert NETWORKINTERFACE.parent is LINK
    assert COMPUTE.is_a(RESOURCE) and COMPUTE.is_a(ENTITY.type_id) and not COMPUTE.is_a(LINK)
    assert COMPUTE.entity_type == 'resource' and NETWORKINTERFACE.entity_type == 'link' and ENTITY.entity_type is None
    assert list(COMPUTE.all_attributes())[:3] == ['occi.core.id', 'occi.core.title', 'occi.core.summary']
    assert ENTITY.location is None and COMPUTE.location == '/compute/'


def test_kind_rejects_state_machine_with_undefined_action():
    with pytest.raises(OCCIValidationError, match='undefined action'):
        Kind(EXAMPLE + 'k#', 'k', parent=RESOURCE, state_machine=COMPUTE.state_machine)


def test_mixin_depends_and_applies():
    ubuntu = os_template(EXAMPLE + 'os_tpl#', 'ubuntu_1604', title='Ubuntu 16.04')
    assert ubuntu.depends == [OS_TPL] and ubuntu.is_a(OS_TPL) and not ubuntu.is_a(RESOURCE_TPL)
    assert ubuntu.location == '/mixin/os_tpl/ubuntu_1604/'
    assert ubuntu.applies_to(COMPUTE) and not ubuntu.applies_to(NETWORK)
    assert IPNETWORK.applies == [NETWORK] and IPNETWORK.applies_to(NETWORK) and not IPNETWORK.applies_to(COMPUTE)
    # a mixin without applies applies to any kind (core#entity)
    assert Mixin(EXAMPLE + 'tag#', 'tag').applies_to(STORAGE)
    # a mixin inherits the restriction of what it depends on
    child = Mixin(EXAMPLE + 'x#', 'child', depends=[IPNETWORK])
    assert not child.applies_to(COMPUTE)
    assert child.all_attributes().keys() == IPNETWORK.attributes.keys()


def test_resource_template_defaults():
    medium = resource_template(EXAMPLE + 'resource_tpl#', 'medium', defaults={'occi.compute.cores': 2, 'occi.compute.memory': 4})
    assert medium.is_a(RESOURCE_TPL) and medium.location == '/mixin/resource_tpl/medium/'
    assert medium.attributes['occi.compute.memory'].default == 4.0
    assert medium.attributes['occi.compute.memory'].unit == 'GiB'
    entity = vm(mixins=[medium]).apply_defaults()
    assert entity.attributes['occi.compute.cores'] == 2
    # a value set on the entity wins over the template's default
    assert vm(mixins=[medium], attributes={'occi.compute.cores': 8}).apply_defaults().attributes['occi.compute.cores'] == 8
    with pytest.raises(OCCIValidationError, match='defines no attribute'):
        resource_template(EXAMPLE + 'resource_tpl#', 'bad', defaults={'occi.network.vlan': 1})
    with pytest.raises(OCCIValidationError):
        resource_template(EXAMPLE + 'resource_tpl#', 'bad', defaults={'occi.compute.cores': 'two'})


# -- entities -------------------------------------------------------------------------------

def test_location_from_id():
    assert vm().location == '/compute/996ad860-2a9a-504f-8861-aeafd0b2ae29'
    assert vm(id='web1').location == '/compute/web1'
    assert vm(id='/vms/foo/vm1').location == '/vms/foo/vm1'
    assert vm(location='/x/1').location == '/x/1'


def test_none_attributes_are_absent():
    assert 'occi.compute.hostname' not in vm(attributes={'occi.compute.hostname': None}).attributes


def test_validate_normalises_and_fills_required_default():
    entity = vm(attributes={'occi.compute.memory': 4, 'occi.compute.cores': 2.0}).validate()
    assert entity.attributes == {'occi.compute.memory': 4.0, 'occi.compute.cores': 2, 'occi.compute.state': 'inactive'}
    assert isinstance(entity.attributes['occi.compute.memory'], float)


@pytest.mark.parametrize('attributes, message', [
    ({'occi.compute.cores': 'two'}, 'expected an integer'),
    ({'occi.compute.memory': '4 GiB'}, 'expected a number'),
    ({'occi.compute.architecture': 'arm64'}, "is not one of 'x86', 'x64'"),
    ({'occi.compute.state': 'running'}, 'is not one of'),
    ({'occi.compute.speed': 2.4}, 'occi.compute.speed is not defined'),
    ({'occi.network.vlan': 3}, 'occi.network.vlan is not defined'),
    ({'occi.core.title': 'x'}, 'occi.core.title is not an attribute here'),
])
def test_validate_rejects(attributes, message):
    with pytest.raises(OCCIValidationError, match=message):
        vm(attributes=attributes).validate()


def test_required_attributes():
    with pytest.raises(OCCIValidationError, match=r'required attribute\(s\) missing: occi.storage.size'):
        Resource(STORAGE, 'urn:uuid:1').validate()
    assert Resource(STORAGE, 'urn:uuid:1', attributes={'occi.storage.size': 10}).validate().attributes == {
        'occi.storage.size': 10.0, 'occi.storage.state': 'offline'}
    nic = Link(NETWORKINTERFACE, 'urn:uuid:2', source='/compute/1', target='/network/1', mixins=[IPNETWORKINTERFACE],
               attributes={'occi.networkinterface.interface': 'eth0', 'occi.networkinterface.mac': '00:11:22:33:44:55'})
    with pytest.raises(OCCIValidationError, match='occi.networkinterface.address, occi.networkinterface.allocation'):
        nic.validate()


def test_provider_attributes_strict_and_lenient():
    entity = vm(attributes={'com.joyent.brand': 'bhyve', 'occi.compute.state': 'active'})
    with pytest.raises(OCCIValidationError, match='com.joyent.brand is not defined'):
        entity.validate()
    assert entity.validate(strict=False).attributes['com.joyent.brand'] == 'bhyve'
    # the occi. namespace is reserved: never let through
    with pytest.raises(OCCIValidationError):
        vm(attributes={'occi.compute.brand': 'bhyve'}).validate(strict=False)


def test_provider_mixin_defines_attributes():
    brand = Mixin('http://smartstack.example/occi/smartos#', 'bhyve', applies=[COMPUTE],
                  attributes=[Attribute('com.example.smartos.bootrom', enum=('bios', 'uefi'))])
    assert vm(mixins=[brand], attributes={'com.example.smartos.bootrom': 'uefi'}).validate()
    with pytest.raises(OCCIValidationError):
        vm(mixins=[brand], attributes={'com.example.smartos.bootrom': 'grub'}).validate()


@pytest.mark.parametrize('entity_id', ['', 'has space', None, 5])
def test_id_must_be_uri(entity_id):
    with pytest.raises(OCCIValidationError, match='id must be a URI'):
        vm(id=entity_id).validate()


def test_kind_must_fit_entity_type():
    with pytest.raises(OCCIValidationError, match='does not identify a resource'):
        Resource(NETWORKINTERFACE, 'urn:uuid:1').validate()
    with pytest.raises(OCCIValidationError, match='does not identify a link'):
        Link(COMPUTE, 'urn:uuid:1', source='/a', target='/b').validate()
    with pytest.raises(OCCIValidationError):
        Resource(ENTITY, 'urn:uuid:1').validate()
    with pytest.raises(OCCIValidationError, match='must be a Kind'):
        Resource('compute', 'urn:uuid:1')


def test_mixin_must_apply():
    with pytest.raises(OCCIValidationError, match='does not apply to kind'):
        vm(mixins=[IPNETWORK]).validate()
    with pytest.raises(OCCIValidationError, match='associated twice'):
        vm(mixins=[OS_TPL, OS_TPL]).validate()


def test_link_needs_source_and_target():
    with pytest.raises(OCCIValidationError, match='target must be the URI'):
        Link(NETWORKINTERFACE, 'urn:uuid:1', source='/compute/1',
             attributes={'occi.networkinterface.interface': 'eth0', 'occi.networkinterface.mac': '00:11:22:33:44:55'}).validate()


def test_link_from_entities():
    net = Resource(NETWORK, 'urn:uuid:n1')
    nic = Link(NETWORKINTERFACE, 'urn:uuid:l1', target=net,
               attributes={'occi.networkinterface.interface': 'eth0', 'occi.networkinterface.mac': '00:11:22:33:44:55'})
    machine = vm(links=[nic])
    assert nic.source == machine.location and nic.source_kind == COMPUTE.type_id
    assert nic.target == '/network/n1' and nic.target_kind == NETWORK.type_id
    machine.validate()
    nic.source = '/compute/other'
    with pytest.raises(OCCIValidationError, match='not this resource'):
        machine.validate()


# -- mutability -----------------------------------------------------------------------------

def test_client_may_not_set_immutable_attributes():
    assert check_client_attributes(COMPUTE, {'occi.compute.cores': 4, 'occi.compute.memory': 2}) == {
        'occi.compute.cores': 4, 'occi.compute.memory': 2.0}
    with pytest.raises(OCCIValidationError, match='occi.compute.state is immutable'):
        check_client_attributes(COMPUTE, {'occi.compute.state': 'active'})
    with pytest.raises(OCCIValidationError, match='occi.networkinterface.interface is immutable'):
        check_client_attributes(NETWORKINTERFACE, {'occi.networkinterface.interface': 'eth1'})
    # mac is mutable in the spec (rOCCI makes it immutable)
    assert check_client_attributes(NETWORKINTERFACE, {'occi.networkinterface.mac': '00:11:22:33:44:55'})
    with pytest.raises(OCCIValidationError, match='immutable'):
        vm().validate_changes({'occi.compute.state.message': 'x'})


def test_changed_attributes():
    entity = vm(attributes={'occi.compute.state': 'active', 'occi.compute.memory': 4.0, 'occi.compute.cores': 2})
    assert entity.changed_attributes({'occi.compute.memory': 4, 'occi.compute.cores': 2}) == {}
    assert entity.changed_attributes({'occi.compute.memory': 8, 'occi.compute.hostname': 'web1'}) == {
        'occi.compute.memory': 8.0, 'occi.compute.hostname': 'web1'}


# -- actions on entities --------------------------------------------------------------------

def test_trigger_moves_state_and_checks_parameters():
    entity = vm()
    assert entity.trigger('stop', {'method': 'acpioff'}) == {'method': 'acpioff'}
    assert entity.state == 'inactive'
    with pytest.raises(OCCIStateError):
        entity.trigger('stop')
    with pytest.raises(OCCIValidationError, match="'reboot' is not one of"):
        vm().trigger('stop', {'method': 'reboot'})
    with pytest.raises(OCCIValidationError, match='unknown parameter'):
        vm().trigger('stop', {'force': True})
    entity = vm(attributes={})
    entity.trigger('start')
    assert entity.state == 'active'


def test_required_action_parameter():
    storage = Resource(STORAGE, 'urn:uuid:s', attributes={'occi.storage.size': 1, 'occi.storage.state': 'online'})
    with pytest.raises(OCCIValidationError, match="parameter 'size' is required"):
        storage.trigger('resize')
    assert storage.trigger('resize', {'size': 2}) == {'size': 2.0}


def test_applicable_actions_derived_or_explicit():
    assert [a.term for a in vm().applicable_actions()] == ['stop', 'restart', 'suspend', 'save']
    assert vm(actions=[]).applicable_actions() == []
    snapshot = Action('http://smartstack.example/occi/smartos/action#', 'snapshot')
    tag = Mixin('http://smartstack.example/occi/smartos#', 'zone', actions=[snapshot])
    assert vm(mixins=[tag]).applicable_actions()[-1] == snapshot
    assert vm(mixins=[tag]).find_action('snapshot') is snapshot


def test_listed_actions_must_exist():
    vm(actions=['http://schemas.ogf.org/occi/infrastructure/compute/action#stop']).validate()
    with pytest.raises(OCCIValidationError):
        vm(actions=['http://schemas.ogf.org/occi/infrastructure/network/action#up']).validate()
    unknown = 'http://smartstack.example/occi/smartos/action#reprovision'
    with pytest.raises(OCCIValidationError):
        vm(actions=[unknown]).validate()
    assert vm(actions=[unknown]).validate(strict=False).actions == [unknown]


def test_invocation():
    from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import STOP
    assert STOP.invocation({'method': 'graceful'}) == {
        'action': 'http://schemas.ogf.org/occi/infrastructure/compute/action#stop', 'attributes': {'method': 'graceful'}}


# -- model ----------------------------------------------------------------------------------

def test_model_lookup_and_registration():
    assert INFRASTRUCTURE_MODEL.kind(COMPUTE.type_id) is COMPUTE
    assert INFRASTRUCTURE_MODEL.mixin(IPNETWORK.type_id) is IPNETWORK
    assert INFRASTRUCTURE_MODEL.action('http://schemas.ogf.org/occi/infrastructure/storage/action#resize').term == 'resize'
    with pytest.raises(OCCIValidationError, match='unknown OCCI kind'):
        INFRASTRUCTURE_MODEL.kind(IPNETWORK.type_id)
    assert COMPUTE in INFRASTRUCTURE_MODEL and COMPUTE not in CORE_MODEL
    model = INFRASTRUCTURE_MODEL.copy()
    ubuntu = os_template(EXAMPLE + 'os_tpl#', 'ubuntu_1604')
    model.register(ubuntu)
    assert ubuntu in model and ubuntu not in INFRASTRUCTURE_MODEL
    model.register(ubuntu)  # idempotent
    with pytest.raises(OCCIValidationError, match='already registered'):
        model.register(os_template(EXAMPLE + 'os_tpl#', 'ubuntu_1604'))
    with pytest.raises(OCCIValidationError):
        Model(['compute'])


def test_model_is_complete():
    # pOCCI OCCI/CORE/DISCOVERY/001: the model contains core#entity, core#resource, core#link
    ids = set(c.type_id for c in INFRASTRUCTURE_MODEL)
    for term in ('entity', 'resource', 'link'):
        assert 'http://schemas.ogf.org/occi/core#' + term in ids
    infra = 'http://schemas.ogf.org/occi/infrastructure#'
    for term in ('compute', 'network', 'storage', 'networkinterface', 'storagelink', 'os_tpl', 'resource_tpl'):
        assert infra + term in ids
    assert 'http://schemas.ogf.org/occi/infrastructure/network#ipnetwork' in ids
    assert 'http://schemas.ogf.org/occi/infrastructure/networkinterface#ipnetworkinterface' in ids
    assert len(INFRASTRUCTURE_MODEL.actions) == 5 + 2 + 5


# -- module option names --------------------------------------------------------------------

def test_option_names():
    assert option_name('occi.compute.cores') == 'cores'
    assert option_name('occi.credentials.ssh.publickey') == 'ssh.publickey'
    assert option_name('com.example.brand') == 'com.example.brand'
    assert attribute_options(COMPUTE) == {
        'architecture': 'occi.compute.architecture', 'cores': 'occi.compute.cores', 'hostname': 'occi.compute.hostname',
        'share': 'occi.compute.share', 'memory': 'occi.compute.memory'}
    assert attribute_options(NETWORK, [IPNETWORK]) == {
        'vlan': 'occi.network.vlan', 'label': 'occi.network.label', 'address': 'occi.network.address',
        'gateway': 'occi.network.gateway', 'allocation': 'occi.network.allocation'}
    assert attribute_options(NETWORKINTERFACE, [IPNETWORKINTERFACE], mutable_only=False)['interface'] == (
        'occi.networkinterface.interface')
    clash = Mixin(EXAMPLE + 'x#', 'x', attributes=[Attribute('occi.other.cores', 'integer')])
    with pytest.raises(OCCIValidationError, match='share the option name cores'):
        attribute_options(COMPUTE, [clash])
