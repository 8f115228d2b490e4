# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``sysinfo``: the global zone's hardware and configuration as parsed JSON.

``sysinfo`` prints its cached JSON document (``/tmp/.sysinfo.json``) when the cache is
there, so a read is cheap. Keys carry blanks (``"CPU Total Cores"``) and some numbers are
strings (``"MiB of Memory"``). Reference: smartos-live ``src/sysinfo``
(reference smartos_gz_tools.md §3).
"""

from __future__ import annotations

import json

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError


class Sysinfo(object):
    """``sysinfo`` (no options: the cached document)."""

    def __init__(self, runner):
        self.runner = runner

    def read(self):
        _rc, out, _err = self.runner.run('sysinfo', [])
        try:
            return json.loads(out)
        except ValueError:
            raise SmartOSCommandError(['sysinfo'], 0, out, '', 'sysinfo printed something that is not JSON: %r' % out[:200])

    def total_cpus(self):
        """``CPU Total Cores``: what ``psrinfo -t`` counts, i.e. the host's logical CPUs (§3.2)."""
        value = self.read().get('CPU Total Cores')
        return int(value) if value is not None else None
