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
import sys

# Where SmartOS keeps its tools, and pkgsrc's tools prefix in the global zone.
TOOL_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/opt/tools/bin', '/opt/tools/sbin']

# The only shell text this collection runs: constant, with every value a positional parameter
# ($1 the input file, $2 the output file, then the command and its arguments).
REDIRECT_SCRIPT = 'umask 077; in=$1; out=$2; shift 2; exec "$@" < "$in" > "$out"'

# Every command has a time limit, so that a hung tool fails the task instead of hanging the play.
# The default is generous: `imgadm import` of a large image and `zfs send` of a large dataset are
# legitimately slow; the limit is there to catch a tool that never returns. Modules offer it as
# the option `command_timeout` (COMMAND_TIMEOUT_SPEC, doc fragment smartstack.smartos.command);
# 0 turns it off.
DEFAULT_COMMAND_TIMEOUT = 3600
COMMAND_TIMEOUT_SPEC = dict(command_timeout=dict(type='int', default=DEFAULT_COMMAND_TIMEOUT))
# A command that waits for something with a limit of its own (`vmadm stop -t N`) gets at least
# that limit plus this margin, so that the tool's own, clearer, message wins.
TIMEOUT_MARGIN = 60

# The exit code of a command stopped by the watchdog: timeout(1)'s (GNU coreutils, the BSDs).
TIMEOUT_RC = 124
# What the watchdog writes on stderr when it stops a command, after "<tool> <subcommand> timed out
# after N s": it tells the watchdog's 124 from the tool's own, and the line is the whole message,
# so that a layer which words errors from stderr (zfs drops its usage block) still says it.
TIMEOUT_MARK = '(stopped at the command_timeout of smartstack.smartos)'

# How a time limit is enforced. A SmartOS global zone has no timeout(1): the platform's file list
# (TritonDataCenter/illumos-joyent `manifest`, 2023: usr/bin has time, timex, tip, touch, no
# timeout) and illumos-extra's coreutils (installs only readlink, seq and stat into /usr/bin)
# deliver none, and pkgsrc's coreutils is not part of the tools bootstrap. AnsibleModule's
# run_command has no time limit, and module_utils may not use subprocess (ansible-core's
# sanity rules). So the command runs under this constant watchdog program, run by the Python
# that runs the module: argv[1] the limit in seconds, argv[2] what to call the command in the
# message ("zfs send"), argv[3:] the command. The command gets
# the watchdog's standard input, output and error, in a process group of its own, which is sent
# SIGTERM at the limit (SIGKILL 5 s later if still alive); then the watchdog says so on stderr
# and exits 124 like timeout(1). Otherwise it exits with the command's code (128+N for a signal).
WATCHDOG_SCRIPT = (
    'import os, signal, subprocess, sys\n'
    'limit = float(sys.argv[1])\n'
    'try:\n'
    '    child = subprocess.Popen(sys.argv[3:], start_new_session=True)\n'
    'except OSError as exc:\n'
    '    sys.stderr.write("%s: %s\\n" % (sys.argv[3], exc.strerror))\n'
    '    sys.exit(127)\n'
    'def stop(sig):\n'
    '    try:\n'
    '        os.killpg(child.pid, sig)\n'
    '    except OSError:\n'
    '        pass\n'
    'try:\n'
    '    rc = child.wait(limit)\n'
    'except subprocess.TimeoutExpired:\n'
    '    stop(signal.SIGTERM)\n'
    '    try:\n'
    '        child.wait(5)\n'
    '    except subprocess.TimeoutExpired:\n'
    '        stop(signal.SIGKILL)\n'
    '        child.wait()\n'
    '    sys.stderr.write("%s timed out after %s s ' + TIMEOUT_MARK + '\\n" % (sys.argv[2], sys.argv[1]))\n'
    '    sys.exit(' + str(TIMEOUT_RC) + ')\n'
    'sys.exit(rc if rc >= 0 else 128 - rc)\n'
)


def label(shown):
    """What a command is called in messages: the tool and its subcommand (``zfs send``)."""
    return ' '.join(shown[:2])


class SmartOSCommandError(Exception):
    """A SmartOS tool failed; ``message`` is what the tool itself said."""

    def __init__(self, argv, rc, stdout='', stderr='', message=None):
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout or ''
        self.stderr = stderr or ''
        self.message = message or self.stderr.strip() or self.stdout.strip() or 'exit code %s' % rc
        super(SmartOSCommandError, self).__init__(self.message)

    @property
    def timed_out(self):
        """Whether the command was stopped at its time limit (rather than failing on its own)."""
        return self.rc == TIMEOUT_RC and TIMEOUT_MARK in self.stderr

    def __str__(self):
        return '%s failed (rc=%s): %s' % (' '.join(self.argv[:2]), self.rc, self.message)

    def to_result(self):
        """The fields a module adds to ``fail_json`` so the user sees the tool's own words."""
        return {'cmd': self.argv, 'rc': self.rc, 'stdout': self.stdout, 'stderr': self.stderr}


class CommandRunner(object):
    """Runs tools through an AnsibleModule (``run_command``) and records what it ran.

    ``commands`` lists every argv run, which modules may return for transparency and which the
    tests use to hold modules to their command budget (one read to decide, fewest writes).
    Every command runs under the watchdog (WATCHDOG_SCRIPT) with the module's ``command_timeout``
    (DEFAULT_COMMAND_TIMEOUT when the module has no such option; 0: no limit).
    """

    def __init__(self, module):
        self.module = module
        self.commands = []
        self._paths = {}
        params = getattr(module, 'params', None) or {}
        timeout = params.get('command_timeout')
        self.timeout = DEFAULT_COMMAND_TIMEOUT if timeout is None else timeout

    def path(self, tool):
        if tool not in self._paths:
            self._paths[tool] = self.module.get_bin_path(tool, required=True, opt_dirs=TOOL_DIRS)
        return self._paths[tool]

    def limit(self, shown, at_least=None):
        """The time limit of the command ``shown`` in seconds (0: none); ``at_least``: a wait of the tool's own."""
        if not isinstance(self.timeout, int) or isinstance(self.timeout, bool) or self.timeout < 0:
            raise SmartOSCommandError(shown, None, message='command_timeout must be 0 (no limit) or a number of seconds, not %r'
                                      % (self.timeout,))
        if self.timeout and at_least:
            return max(self.timeout, int(at_least) + TIMEOUT_MARGIN)
        return self.timeout

    def watched(self, argv, limit, shown):
        """``argv`` under the watchdog when there is a limit (and an interpreter to run it: an embedded
        Python may have no ``sys.executable``; the command then runs without a limit)."""
        if not limit or not sys.executable:
            return list(argv)
        return [sys.executable, '-I', '-c', WATCHDOG_SCRIPT, str(limit), label(shown)] + list(argv)

    @staticmethod
    def _check_limit(shown, limit, rc, out, err):
        if limit and rc == TIMEOUT_RC and TIMEOUT_MARK in (err or ''):
            raise SmartOSCommandError(shown, rc, out, err, message='%s timed out after %s s' % (label(shown), limit))

    def run(self, tool, args, data=None, ok_rcs=(0,), at_least=None):
        """Run ``tool args...``; return ``(rc, stdout, stderr)`` or raise SmartOSCommandError.

        ``at_least``: seconds the tool itself may legitimately wait (``vmadm stop -t``); the
        command's limit is then at least that plus TIMEOUT_MARGIN."""
        shown = [tool] + [str(a) for a in args]
        limit = self.limit(shown, at_least)
        argv = self.watched([self.path(tool)] + [str(a) for a in args], limit, shown)
        self.commands.append(shown)
        rc, out, err = self.module.run_command(argv, data=data, binary_data=data is not None,
                                               check_rc=False, encoding='utf-8', errors='surrogate_or_strict')
        self._check_limit(shown, limit, rc, out, err)
        if rc not in ok_rcs:
            raise SmartOSCommandError(shown, rc, out, err)
        return rc, out, err

    def run_with_files(self, tool, args, stdin_path=None, stdout_path=None):
        """Run ``tool args...`` with its standard input read from and/or its output written to files.

        For streams (``zfs send``/``receive``) that must not pass through memory (they can be as
        big as a dataset): a fixed ``/bin/sh`` script does the redirection while the tool, its
        arguments and the file names travel as positional parameters, never as shell text. The
        output goes to ``stdout_path.partial`` (umask 077: 0600), renamed to ``stdout_path`` when
        the tool succeeded and removed when it failed (or timed out), so ``stdout_path`` never
        holds half a stream. Returns stderr; raises SmartOSCommandError with the tool's message.
        """
        shown = [tool] + [str(a) for a in args]
        limit = self.limit(shown)
        self.commands.append(shown + (['<', stdin_path] if stdin_path else []) + (['>', stdout_path] if stdout_path else []))
        partial = stdout_path + '.partial' if stdout_path else None
        argv = self.watched(['/bin/sh', '-c', REDIRECT_SCRIPT, 'smartstack-redirect', stdin_path or os.devnull, partial or os.devnull,
                             self.path(tool)] + [str(a) for a in args], limit, shown)
        rc, out, err = self.module.run_command(argv, check_rc=False, encoding='utf-8', errors='surrogate_or_replace')
        if rc != 0:
            if partial and os.path.exists(partial):
                os.unlink(partial)
            self._check_limit(shown, limit, rc, out, err)
            raise SmartOSCommandError(shown, rc, out, err)
        if partial:
            os.rename(partial, stdout_path)
        return err
