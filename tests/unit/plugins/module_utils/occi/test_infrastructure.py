# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The infrastructure kinds and mixins carry exactly the attributes of occi_facts.md section 2 (OCCI 1.2)."""

from __future__ import annotations

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import LINK, RESOURCE
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    IPNETWORK,
    IPNETWORKINTERFACE,
    KINDS,
    MIXINS,
    NETWORK,
    NETWORKINTERFACE,
    OS_TPL,
    RESOURCE_TPL,
    SSH_KEY,
    STORAGE,
    STORAGELINK,
    USER_DATA,
)

INFRA = 'http://schemas.ogf.org/occi/infrastructure#'

# name: (type, required, mutable, enum or None, unit or None)
SPEC = {
    COMPUTE: {
        'occi.compute.architecture': ('string', False, True, ('x86', 'x64'), None),
        'occi.compute.cores': ('integer', False, True, None, None),
        'occi.compute.hostname': ('string', False, True, None, None),
        'occi.compute.share': ('integer', False, True, None, None),
        'occi.compute.memory': ('float', False, True, None, 'GiB'),
        'occi.compute.state': ('string', True, False, ('active', 'inactive', 'suspended', 'error'), None),
        'occi.compute.state.message': ('string', False, False, None, None),
    },
    NETWORK: {
        'occi.network.vlan': ('integer', False, True, None, None),
        'occi.network.label': ('string', False, True, None, None),
        'occi.network.state': ('string', True, False, ('active', 'inactive', 'error'), None),
        'occi.network.state.message': ('string', False, False, None, None),
    },
    IPNETWORK: {
        'occi.network.address': ('string', False, True, None, None),
        'occi.network.gateway': ('string', False, True, None, None),
        'occi.network.allocation': ('string', False, True, ('dynamic', 'static'), None),
    },
    STORAGE: {
        'occi.storage.size': ('float', True, True, None, 'GiB'),
        'occi.storage.state': ('string', True, False, ('online', 'offline', 'error'), None),
        'occi.storage.state.message': ('string', False, False, None, None),
    },
    NETWORKINTERFACE: {
        'occi.networkinterface.interface': ('string', True, False, None, None),
        'occi.networkinterface.mac': ('string', True, True, None, None),
        'occi.networkinterface.state': ('string', True, False, ('active', 'inactive', 'error'), None),
        'occi.networkinterface.state.message': ('string', False, False, None, None),
    },
    IPNETWORKINTERFACE: {
        'occi.networkinterface.address': ('string', True, True, None, None),
        'occi.networkinterface.gateway': ('string', False, True, None, None),
        'occi.networkinterface.allocation': ('string', True, True, ('dynamic', 'static'), None),
    },
    STORAGELINK: {
        'occi.storagelink.deviceid': ('string', True, True, None, None),
        'occi.storagelink.mountpoint': ('string', False, True, None, None),
        'occi.storagelink.state': ('string', True, False, ('active', 'inactive', 'error'), None),
        'occi.storagelink.state.message': ('string', False, False, None, None),
    },
    SSH_KEY: {'occi.credentials.ssh.publickey': ('string', True, True, None, None)},
    USER_DATA: {'occi.compute.userdata': ('string', True, True, None, None)},
    OS_TPL: {},
    RESOURCE_TPL: {},
}


@pytest.mark.parametrize('category', list(SPEC), ids=lambda c: c.term)
def test_attributes_exactly_as_spec(category):
    expected = SPEC[category]
    assert list(category.attributes) == list(expected)
    for name, (type_, required, mutable, enum, unit) in expected.items():
        attribute = category.attributes[name]
        assert (attribute.type, attribute.required, attribute.mutable, attribute.enum, attribute.unit) == (
            type_, required, mutable, enum, unit), name


def test_kinds_table():
    # occi_facts.md 2.1
    table = {
        'compute': ('Compute Resource', RESOURCE),
        'storage': ('Storage Resource', RESOURCE),
        'network': ('Network Resource', RESOURCE),
        'storagelink': ('StorageLink Link', LINK),
        'networkinterface': ('NetworkInterface Link', LINK),
    }
    assert set(KINDS) == set(table)
    for term, (title, parent) in table.items():
        kind = KINDS[term]
        assert (kind.scheme, kind.title, kind.parent) == (INFRA, title, parent)


def test_mixin_identifiers():
    assert IPNETWORK.type_id == 'http://schemas.ogf.org/occi/infrastructure/network#ipnetwork'
    assert IPNETWORKINTERFACE.type_id == 'http://schemas.ogf.org/occi/infrastructure/networkinterface#ipnetworkinterface'
    assert OS_TPL.type_id == INFRA + 'os_tpl' and RESOURCE_TPL.type_id == INFRA + 'resource_tpl'
    assert SSH_KEY.type_id == 'http://schemas.ogf.org/occi/infrastructure/credentials#ssh_key'
    assert USER_DATA.type_id == 'http://schemas.ogf.org/occi/infrastructure/compute#user_data'
    # 1.2: ipnetwork MUST apply to network, ipnetworkinterface to networkinterface
    assert IPNETWORK.applies == [NETWORK] and IPNETWORKINTERFACE.applies == [NETWORKINTERFACE]
    assert SSH_KEY.applies == [COMPUTE] and USER_DATA.applies == [COMPUTE]
    assert set(MIXINS) == {'ipnetwork', 'ipnetworkinterface', 'os_tpl', 'resource_tpl', 'ssh_key', 'user_data'}


def test_actions_and_parameters():
    compute = 'http://schemas.ogf.org/occi/infrastructure/compute/action#'
    assert [a.type_id for a in COMPUTE.actions] == [compute + t for t in ('start', 'stop', 'restart', 'suspend', 'save')]
    methods = dict((a.term, a.attributes['method'].enum) for a in COMPUTE.actions if 'method' in a.attributes)
    assert methods == {
        'stop': ('graceful', 'acpioff', 'poweroff'),
        'restart': ('graceful', 'warm', 'cold'),
        'suspend': ('hibernate', 'suspend'),
        'save': ('hot', 'deferred'),
    }
    assert COMPUTE.action('save').attributes['name'].type == 'string'
    assert COMPUTE.action('start').attributes == {}
    network = 'http://schemas.ogf.org/occi/infrastructure/network/action#'
    assert [a.type_id for a in NETWORK.actions] == [network + 'up', network + 'down']
    storage = 'http://schemas.ogf.org/occi/infrastructure/storage/action#'
    assert [a.type_id for a in STORAGE.actions] == [storage + t for t in ('online', 'offline', 'backup', 'snapshot', 'resize')]
    size = STORAGE.action('resize').attributes['size']
    assert (size.type, size.required, size.unit) == ('float', True, 'GiB')


def test_1_1_compute_speed_is_gone():
    assert COMPUTE.find_attribute('occi.compute.speed') is None


def test_vlan_range():
    vlan = NETWORK.attributes['occi.network.vlan']
    assert vlan.validate(4095) == 4095
    with pytest.raises(ValueError):
        vlan.validate(4096)
