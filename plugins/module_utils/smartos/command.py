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

import os

# Where SmartOS keeps its tools, and pkgsrc's tools prefix in the global zone.
TOOL_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/opt/tools/bin', '/opt/tools/sbin']

# The only shell text this collection runs: constant, with every value a positional parameter
# ($1 the input file, $2 the output file, then the command and its arguments).
REDIRECT_SCRIPT = 'umask 077; in=$1; out=$2; shift 2; exec "$@" < "$in" > "$out"'


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

    def run_with_files(self, tool, args, stdin_path=None, stdout_path=None):
        """Run ``tool args...`` with its standard input read from and/or its output written to files.

        For streams (``zfs send``/``receive``) that must not pass through memory (they can be as
        big as a dataset): a fixed ``/bin/sh`` script does the redirection while the tool, its
        arguments and the file names travel as positional parameters, never as shell text. The
        output goes to ``stdout_path.partial`` (umask 077: 0600), renamed to ``stdout_path`` when
        the tool succeeded and removed when it failed, so ``stdout_path`` never holds half a
        stream. Returns stderr; raises SmartOSCommandError with the tool's message.
        """
        shown = [tool] + [str(a) for a in args]
        self.commands.append(shown + (['<', stdin_path] if stdin_path else []) + (['>', stdout_path] if stdout_path else []))
        partial = stdout_path + '.partial' if stdout_path else None
        argv = ['/bin/sh', '-c', REDIRECT_SCRIPT, 'smartstack-redirect', stdin_path or os.devnull, partial or os.devnull,
                self.path(tool)] + [str(a) for a in args]
        rc, out, err = self.module.run_command(argv, check_rc=False, encoding='utf-8', errors='surrogate_or_replace')
        if rc != 0:
            if partial and os.path.exists(partial):
                os.unlink(partial)
            raise SmartOSCommandError(shown, rc, out, err)
        if partial:
            os.rename(partial, stdout_path)
        return err
