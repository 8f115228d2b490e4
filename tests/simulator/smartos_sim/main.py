"""Dispatch a tool invocation: fault injection, the tool itself, the command log."""
import importlib
import os
import sys
import time
import traceback

from smartos_sim import faults
from smartos_sim.state import State, StateError

# tool name -> module under smartos_sim.tools exposing main(tool, argv, state) -> int
TOOLS = {
    'vmadm': 'vmadm',
    'imgadm': 'imgadm',
    'zfs': 'zfs',
    'zpool': 'zpool',
    'nictagadm': 'nictagadm',
    'dladm': 'dladm',
    'sysinfo': 'sysinfo',
    'svcs': 'smf',
    'svcadm': 'smf',
    'svccfg': 'smf',
    'svcprop': 'smf',
    'zlogin': 'zones',
    'zoneadm': 'zones',
    'zonename': 'zones',
    'pkgin': 'pkgsrc',
    'pkg_info': 'pkgsrc',
    'pkg_add': 'pkgsrc',
    'pkg_delete': 'pkgsrc',
    'pkg_admin': 'pkgsrc',
    'digest': 'digest',
    'smartos-sim': 'admin',
}

# The test bed's own command is not a SmartOS tool: it is neither logged nor faulted.
UNLOGGED = ('smartos-sim',)

INTERNAL_ERROR_RC = 99


def main(args):
    """Run ``args[0]`` (a tool name) with ``args[1:]``; return its exit code."""
    if not args:
        sys.stderr.write('usage: run.py <tool> [args...]\n')
        return 2
    tool, argv = os.path.basename(args[0]), args[1:]
    if tool not in TOOLS:
        sys.stderr.write('smartos-sim: unknown tool %s\n' % tool)
        return 2
    if tool in UNLOGGED:
        return _run(tool, argv, None)
    try:
        state = State()
    except StateError as exc:
        sys.stderr.write('%s: %s\n' % (tool, exc))
        return 1
    rule = faults.take(state, tool, argv)
    if rule:
        rc = _apply_fault(rule)
    else:
        rc = _run(tool, argv, state)
    state.log_command([tool] + list(argv), rc)
    return rc


def _apply_fault(rule):
    if rule.get('hang'):
        time.sleep(rule['hang'])
    sys.stdout.write(rule.get('stdout') or '')
    sys.stderr.write(rule.get('stderr') or '')
    return rule.get('rc', 1)


def _run(tool, argv, state):
    module = importlib.import_module('smartos_sim.tools.' + TOOLS[tool])
    try:
        rc = module.main(tool, list(argv), state)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BrokenPipeError:
        rc = 1
    except Exception:  # pylint: disable=broad-exception-caught
        # A simulator bug must be loud, and distinguishable from any real tool's exit code.
        sys.stderr.write('smartos-sim internal error in %s:\n%s' % (tool, traceback.format_exc()))
        rc = INTERNAL_ERROR_RC
    sys.stdout.flush()
    sys.stderr.flush()
    return 0 if rc is None else rc
