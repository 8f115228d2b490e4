# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running SmartOS tools: argument lists in, output out, one error type.

Every tool wrapper in this package (``vmadm``, ``imgadm``, ``zfs`` ...) runs its tool through a
:class:`CommandRunner` and raises :class:`SmartOSCommandError` carrying the tool's own message
when it fails. Nothing here knows OCCI. Commands are argument lists, never shell strings; a
payload goes to the tool's standard input so that it never appears on a command line (where
any local user could read it) or in a file.
"""

from __future__ import annotations

# Where SmartOS keeps its tools, and pkgsrc's tools prefix in the global zone.
TOOL_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/opt/tools/bin', '/opt/tools/sbin']


class SmartOSCommandError(Exception):
    """A SmartOS tool failed; ``message`` is what the tool itself said."""

    def __init__(self, argv, rc, stdout='', stderr='', message=None):
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout or ''
        self.stderr = stderr or ''
        self.message = message or self.stderr.strip() or self.stdout.strip() or 'exit code %s' % rc
        super(SmartOSCommandError, self).__init__(self.message)

    def __str__(self):
        return '%s failed (rc=%s): %s' % (' '.join(self.argv[:2]), self.rc, self.message)

    def to_result(self):
        """The fields a module adds to ``fail_json`` so the user sees the tool's own words."""
        return {'cmd': self.argv, 'rc': self.rc, 'stdout': self.stdout, 'stderr': self.stderr}


class CommandRunner(object):
    """Runs tools through an AnsibleModule (``run_command``) and records what it ran.

    ``commands`` lists every argv run, which modules may return for transparency and which the
    tests use to hold modules to their command budget (one read to decide, fewest writes).
    """

    def __init__(self, module):
        self.module = module
        self.commands = []
        self._paths = {}

    def path(self, tool):
        if tool not in self._paths:
            self._paths[tool] = self.module.get_bin_path(tool, required=True, opt_dirs=TOOL_DIRS)
        return self._paths[tool]

    def run(self, tool, args, data=None, ok_rcs=(0,)):
        """Run ``tool args...``; return ``(rc, stdout, stderr)`` or raise SmartOSCommandError."""
        argv = [self.path(tool)] + [str(a) for a in args]
        self.commands.append([tool] + [str(a) for a in args])
        rc, out, err = self.module.run_command(argv, data=data, binary_data=data is not None,
                                               check_rc=False, encoding='utf-8', errors='surrogate_or_strict')
        if rc not in ok_rcs:
            raise SmartOSCommandError([tool] + [str(a) for a in args], rc, out, err)
        return rc, out, err
