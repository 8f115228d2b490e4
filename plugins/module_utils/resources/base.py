# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every OCCI resource class shares: the plan, the error type and the module flow.

A resource class (one per OCCI kind, in this package) does four things, in this order:

1. ``read()``: one read of the system (the fewest commands that decide);
2. ``plan(actual)``: compare the desired state with ``actual`` and return a :class:`Plan`,
   the ordered writes that converge, each with the command layer call that performs it;
3. ``apply(plan)`` (skipped in check mode): run the plan's steps;
4. ``result(...)``: the OCCI rendering (``resource``) beside the raw SmartOS object.

:func:`run_resource` drives that flow for a module, so that check mode, ``--diff``, the
``changed`` flag and error reporting are the same in every module.
"""

from __future__ import annotations

import contextlib

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError


class ResourceError(Exception):
    """Bad input or an impossible request: reported to the user before anything changes."""

    def __init__(self, message, **details):
        super(ResourceError, self).__init__(message)
        self.message = message
        self.details = details


class Step(object):
    """One write of a plan: what it does (for the user) and how (a callable)."""

    def __init__(self, description, run, **details):
        self.description = description
        self.run = run
        self.details = details


class Plan(object):
    """The ordered writes that bring the system to the desired state; empty when it is there."""

    def __init__(self):
        self.steps = []
        self.before = {}
        self.after = {}

    def add(self, description, run, **details):
        self.steps.append(Step(description, run, **details))
        return self

    @property
    def changed(self):
        return bool(self.steps)

    def describe(self):
        return [step.description for step in self.steps]

    def diff(self):
        """``--diff`` output: the resource's attributes before and after."""
        return {'before': self.before, 'after': self.after}

    def apply(self):
        for step in self.steps:
            step.run()


@contextlib.contextmanager
def reported_errors(module):
    """End the module with ``fail_json`` and the tool's own message for the errors of this layer:
    validation (ResourceError) and failed commands (SmartOSCommandError); never a traceback."""
    try:
        yield
    except ResourceError as exc:
        module.fail_json(msg=exc.message, **exc.details)
    except SmartOSCommandError as exc:
        module.fail_json(msg=exc.message, **exc.to_result())


def run_info(module, read):
    """An ``*_info`` module's flow: ``read()`` returns the result; nothing changes."""
    with reported_errors(module):
        result = read()
    module.exit_json(changed=False, **result)


def run_resource(module, resource):
    """Drive ``resource`` (read, plan, apply unless check mode, result) and exit the module.

    ``resource`` provides ``read()``, ``plan(actual)`` and ``result(actual, plan, applied)``
    returning a dict with at least ``resource`` (OCCI JSON) and the raw object. Errors from
    the tools and from validation end in ``fail_json`` with the tool's own message; nothing
    reaches the user as a traceback.
    """
    with reported_errors(module):
        actual = resource.read()
        plan = resource.plan(actual)
        if plan.changed and not module.check_mode:
            plan.apply()
        result = resource.result(actual, plan, applied=plan.changed and not module.check_mode)
    result['changed'] = plan.changed
    result['actions'] = plan.describe()
    if module._diff:
        result['diff'] = plan.diff()
    module.exit_json(**result)
