# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``vmadm``: zones and VMs as parsed JSON.

vmadm prints data on stdout and every message, success included, on stderr
(``Successfully created VM <uuid>``); JSON payloads are read from stdin when no ``-f`` is
given. Reference: smartos-live ``src/vm/sbin/vmadm.js`` and ``man/vmadm.8``.
"""

from __future__ import annotations

import json
import re

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError

_CREATED = re.compile(r'Successfully created VM ([0-9a-f-]{36})')


def filter_args(filters):
    """``{'alias': 'web', 'tags.role': 'db'}`` -> ``['alias=web', 'tags.role=db']`` (sorted: stable argv)."""
    args = []
    for key in sorted(filters or {}):
        value = filters[key]
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        args.append('%s=%s' % (key, value))
    return args


class Vmadm(object):
    """The subcommands of vmadm that the resources need."""

    def __init__(self, runner):
        self.runner = runner

    def _json(self, args, data=None):
        _rc, out, _err = self.runner.run('vmadm', args, data=data)
        try:
            return json.loads(out)
        except ValueError:
            raise SmartOSCommandError(['vmadm'] + list(args), 0, out, '', 'vmadm printed something that is not JSON: %r' % out[:200])

    def lookup(self, filters=None, fields=None):
        """Full VM objects (or only ``fields``) matching ``filters``: one ``vmadm lookup -j``."""
        args = ['lookup', '-j']
        if fields:
            args += ['-o', ','.join(fields)]
        return self._json(args + filter_args(filters))

    def get(self, uuid):
        return self._json(['get', uuid])

    def create(self, payload):
        """Create from a JSON payload on stdin; return the new VM's uuid."""
        _rc, out, err = self.runner.run('vmadm', ['create'], data=json.dumps(payload, sort_keys=True))
        match = _CREATED.search(err) or _CREATED.search(out)
        if not match:
            raise SmartOSCommandError(['vmadm', 'create'], 0, out, err, 'vmadm create did not report the new VM: %s' % err.strip())
        return match.group(1)

    def update(self, uuid, payload):
        self.runner.run('vmadm', ['update', uuid], data=json.dumps(payload, sort_keys=True))

    def validate(self, action, payload, brand=None):
        """``vmadm validate create|update [brand]``: raises with vmadm's list of problems."""
        args = ['validate', action] + ([brand] if action == 'update' and brand else [])
        self.runner.run('vmadm', args, data=json.dumps(payload, sort_keys=True))

    def start(self, uuid):
        self.runner.run('vmadm', ['start', uuid])

    def stop(self, uuid, force=False, timeout=None):
        # nopt: options go after the uuid (`vmadm stop -F <uuid>` is parsed as -F's value).
        args = ['stop', uuid] + (['-F'] if force else []) + (['-t', int(timeout)] if timeout and not force else [])
        # vmadm waits up to -t seconds itself: the command's own time limit must be longer.
        self.runner.run('vmadm', args, at_least=int(timeout) if timeout and not force else None)

    def reboot(self, uuid, force=False):
        self.runner.run('vmadm', ['reboot', uuid] + (['-F'] if force else []))

    def delete(self, uuid):
        self.runner.run('vmadm', ['delete', uuid])
