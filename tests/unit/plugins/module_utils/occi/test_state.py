# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State machines of occi_facts.md 2.8, legal and illegal transitions."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIStateError, OCCIValidationError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    NETWORK,
    NETWORKINTERFACE,
    START,
    STORAGE,
    STORAGELINK,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.state import StateMachine


COMPUTE_LEGAL = {
    ('inactive', 'start'): 'active',
    ('active', 'stop'): 'inactive',
    ('active', 'suspend'): 'suspended',
    ('suspended', 'start'): 'active',
    ('active', 'restart'): 'active',
    ('active', 'save'): 'active',
    ('inactive', 'save'): 'inactive',
}
NETWORK_LEGAL = {('inactive', 'up'): 'active', ('active', 'down'): 'inactive'}
STORAGE_LEGAL = {
    ('offline', 'online'): 'online',
    ('online', 'offline'): 'offline',
    ('online', 'backup'): 'online',
    ('online', 'snapshot'): 'online',
    ('online', 'resize'): 'online',
}


def _all(kind, legal):
    states = kind.state_machine.states
    terms = [a.term for a in kind.actions]
    for state, term in itertools.product(states, terms):
        yield state, term, legal.get((state, term))


@pytest.mark.parametrize('kind, legal', [(COMPUTE, COMPUTE_LEGAL), (NETWORK, NETWORK_LEGAL), (STORAGE, STORAGE_LEGAL)],
                         ids=['compute', 'network', 'storage'])
def test_every_state_and_action(kind, legal):
    for state, term, target in _all(kind, legal):
        if target is None:
            with pytest.raises(OCCIStateError, match='not applicable in state %r' % state):
                kind.transition(state, term)
            assert not kind.state_machine.can(state, term)
        else:
            assert kind.transition(state, term) == target
            assert kind.state_machine.can(state, term)


def test_states_match_spec_1_2():
    assert set(COMPUTE.state_machine.states) == {'active', 'inactive', 'suspended', 'error'}
    assert set(NETWORK.state_machine.states) == {'active', 'inactive', 'error'}
    assert set(STORAGE.state_machine.states) == {'online', 'offline', 'error'}
    assert set(NETWORKINTERFACE.state_machine.states) == {'active', 'inactive', 'error'}
    assert set(STORAGELINK.state_machine.states) == {'active', 'inactive', 'error'}
    assert COMPUTE.initial_state == 'inactive'
    assert NETWORK.initial_state == 'inactive'
    assert STORAGE.initial_state == 'offline'


def test_error_has_no_way_out():
    for kind in (COMPUTE, NETWORK, STORAGE):
        assert kind.state_machine.applicable('error') == []
        for action in kind.actions:
            with pytest.raises(OCCIStateError):
                kind.transition('error', action)


def test_failing_action_leads_to_error():
    assert COMPUTE.state_machine.fail('inactive', 'start') == 'error'
    assert COMPUTE.state_machine.fail('suspended', 'start') == 'error'
    assert COMPUTE.state_machine.fail('active', 'stop') == 'error'
    assert NETWORK.state_machine.fail('inactive', 'up') == 'error'
    assert STORAGE.state_machine.fail('online', 'offline') == 'error'
    with pytest.raises(OCCIStateError):
        COMPUTE.state_machine.fail('inactive', 'stop')


def test_action_by_term_type_id_or_object():
    assert COMPUTE.transition('inactive', START) == 'active'
    assert COMPUTE.transition('inactive', 'http://schemas.ogf.org/occi/infrastructure/compute/action#start') == 'active'
    with pytest.raises(OCCIValidationError, match='defines no action'):
        COMPUTE.transition('inactive', 'up')
    with pytest.raises(OCCIValidationError, match='defines no action'):
        COMPUTE.transition('inactive', 'http://schemas.ogf.org/occi/infrastructure/network/action#start')


def test_unknown_state():
    with pytest.raises(OCCIStateError, match='unknown state'):
        COMPUTE.transition('running', 'stop')


def test_message_lists_applicable_actions():
    with pytest.raises(OCCIStateError) as info:
        COMPUTE.transition('active', 'start')
    assert 'stop, restart, suspend, save' in str(info.value)


def test_applicable_actions_follow_http_note():
    # "Only Actions currently applicable SHOULD be rendered" -- occi-os: active -> stop/suspend/restart
    assert [a.term for a in COMPUTE.applicable_actions('active')] == ['stop', 'restart', 'suspend', 'save']
    assert [a.term for a in COMPUTE.applicable_actions('inactive')] == ['start', 'save']
    assert [a.term for a in COMPUTE.applicable_actions('suspended')] == ['start']
    assert [a.term for a in STORAGE.applicable_actions('offline')] == ['online']
    assert NETWORKINTERFACE.applicable_actions('active') == []


def test_links_have_no_actions():
    assert NETWORKINTERFACE.actions == [] and STORAGELINK.actions == []
    with pytest.raises(OCCIValidationError):
        NETWORKINTERFACE.transition('inactive', 'up')


def test_path():
    machine = COMPUTE.state_machine
    assert machine.path('active', 'active') == []
    assert machine.path('suspended', 'inactive') == ['start', 'stop']
    assert machine.path('inactive', 'suspended') == ['start', 'suspend']
    with pytest.raises(OCCIStateError, match='cannot be reached'):
        machine.path('error', 'active')


def test_bad_machine_definitions():
    with pytest.raises(ValueError):
        StateMachine('x', ['a'], 'b', [])
    with pytest.raises(ValueError):
        StateMachine('x', ['a'], 'a', [('a', 'go', 'b')])
    with pytest.raises(ValueError):
        StateMachine('x', ['a'], 'a', [], error='error')
