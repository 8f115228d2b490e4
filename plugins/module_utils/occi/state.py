# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State machines of OCCI Infrastructure kinds.

A :class:`StateMachine` knows the state attribute of a Kind (e.g. ``occi.compute.state``),
its states, its initial state, and which action leads from which state to which.
:meth:`StateMachine.transition` answers "what state does this action lead to" or raises
:class:`OCCIStateError` when the action is not applicable; :meth:`StateMachine.applicable`
lists the action terms a resource in a state offers (OCCI: "only Actions currently
applicable SHOULD be rendered").
"""

from __future__ import annotations

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIStateError


class StateMachine(object):
    """Finite state machine driven by action terms.

    :param attribute: name of the state attribute, e.g. ``occi.compute.state``.
    :param states: every state, in the order of the spec's enumeration.
    :param initial: state of a newly created entity.
    :param transitions: iterable of ``(from_state, action_term, to_state)``.
    :param error: the state a failing action leads to (OCCI 1.2 ``error``), or ``None``.
    """

    def __init__(self, attribute, states, initial, transitions, error='error'):
        self.attribute = attribute
        self.states = tuple(states)
        self.initial = initial
        self.error = error
        if initial not in self.states:
            raise ValueError('initial state %r is not one of %r' % (initial, self.states))
        if error is not None and error not in self.states:
            raise ValueError('error state %r is not one of %r' % (error, self.states))
        self._table = {}
        for source, action, target in transitions:
            if source not in self.states or target not in self.states:
                raise ValueError('transition %s --%s--> %s uses an unknown state' % (source, action, target))
            self._table[(source, action)] = target

    def __repr__(self):
        return 'StateMachine(%r)' % (self.attribute,)

    @property
    def actions(self):
        """Every action term that appears in a transition."""
        seen = []
        for dummy, action in self._table:
            if action not in seen:
                seen.append(action)
        return tuple(seen)

    @property
    def transitions(self):
        """The transitions as ``(from_state, action_term, to_state)`` tuples."""
        return tuple((s, a, t) for (s, a), t in self._table.items())

    def _check_state(self, state):
        if state not in self.states:
            raise OCCIStateError('%s: unknown state %r, expected one of %s' % (self.attribute, state, ', '.join(self.states)))

    def transition(self, state, action):
        """Return the state ``action`` (a term) leads to from ``state``.

        Raises :class:`OCCIStateError` for an unknown state or an action that is not
        applicable in ``state``.
        """
        self._check_state(state)
        try:
            return self._table[(state, action)]
        except KeyError:
            legal = self.applicable(state)
            raise OCCIStateError('%s: action %r is not applicable in state %r (applicable: %s)'
                                 % (self.attribute, action, state, ', '.join(legal) if legal else 'none'))

    def can(self, state, action):
        """Return whether ``action`` is applicable in ``state``."""
        return state in self.states and (state, action) in self._table

    def applicable(self, state):
        """Return the action terms applicable in ``state``, in definition order."""
        self._check_state(state)
        return [a for (s, a) in self._table if s == state]

    def fail(self, state, action):
        """Return the state a failing ``action`` leaves the entity in.

        OCCI 1.2 draws an arrow to ``error`` for every action that fails. The action
        must still be applicable in ``state``.
        """
        self.transition(state, action)
        if self.error is None:
            return state
        return self.error

    def path(self, state, goal):
        """Return the shortest list of action terms leading from ``state`` to ``goal``.

        ``[]`` when already there; raises :class:`OCCIStateError` when ``goal`` cannot be
        reached (e.g. from ``error``). Lets a module converge a desired state.
        """
        self._check_state(state)
        self._check_state(goal)
        frontier = [(state, [])]
        seen = set([state])
        while frontier:
            current, actions = frontier.pop(0)
            if current == goal:
                return actions
            for action in self.applicable(current):
                target = self._table[(current, action)]
                if target not in seen:
                    seen.add(target)
                    frontier.append((target, actions + [action]))
        raise OCCIStateError('%s: state %r cannot be reached from state %r' % (self.attribute, goal, state))
