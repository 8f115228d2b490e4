"""``smartos-sim``: the test bed's own command (not a SmartOS tool; never logged or faulted).

    smartos-sim init --state DIR [--zones N] [--seed N]
        a fresh global zone: pool ``zones``, images available to import, nic tags
        ``admin`` and ``external``, SMF's base services; with N ready zones of mixed
        brands and states.
    smartos-sim fault --state DIR --tool T [--subcommand S] [--count N] [--rc N]
                      [--stderr TEXT] [--stdout TEXT] [--hang SECONDS]
    smartos-sim fault --state DIR --clear
    smartos-sim log --state DIR [--clear]        the command log, one JSON object a line
    smartos-sim boot --state DIR                 what the GZ does at boot
    smartos-sim shutdown --state DIR             what it does going down
    smartos-sim reboot --state DIR               shutdown, then boot

Subsystems take part through optional functions of their tool module:
``init_state(state, rng)``, ``seed_zones(state, rng, count)``, ``on_shutdown(state)``,
``on_boot(state)``; they are called in the order of ``SUBSYSTEMS``.
"""
import argparse
import importlib
import os
import random
import shutil
import sys

from smartos_sim import faults
from smartos_sim.state import State

# Order matters: the pool exists before images, images before zones, zones before services.
SUBSYSTEMS = ('zpool', 'zfs', 'imgadm', 'nictagadm', 'dladm', 'sysinfo', 'vmadm', 'zones', 'smf', 'pkgsrc')


def _modules():
    for name in SUBSYSTEMS:
        try:
            yield importlib.import_module('smartos_sim.tools.' + name)
        except ImportError:
            continue


def _call_all(hook, *args):
    for module in _modules():
        func = getattr(module, hook, None)
        if func:
            func(*args)


def init(state_dir, zones=0, seed=0):
    """Make a fresh global zone state in ``state_dir`` (anything there is removed)."""
    if os.path.isdir(state_dir):
        shutil.rmtree(state_dir)
    state = State(state_dir)
    rng = random.Random(seed)
    with state.lock():
        _call_all('init_state', state, rng)
        if zones:
            for module in _modules():
                func = getattr(module, 'seed_zones', None)
                if func:
                    func(state, rng, zones)
    return state


def boot(state):
    with state.lock():
        _call_all('on_boot', state)


def shutdown(state):
    with state.lock():
        _call_all('on_shutdown', state)


def _parser():
    parser = argparse.ArgumentParser(prog='smartos-sim')
    sub = parser.add_subparsers(dest='command', required=True)
    p_init = sub.add_parser('init', help='make a fresh global zone state')
    p_init.add_argument('--zones', type=int, default=0)
    p_init.add_argument('--seed', type=int, default=0)
    p_fault = sub.add_parser('fault', help='inject a fault into the next calls of a tool')
    p_fault.add_argument('--tool')
    p_fault.add_argument('--subcommand')
    p_fault.add_argument('--count', type=int, default=1)
    p_fault.add_argument('--rc', type=int, default=1)
    p_fault.add_argument('--stderr', default='')
    p_fault.add_argument('--stdout', default='')
    p_fault.add_argument('--hang', type=float, default=0.0)
    p_fault.add_argument('--clear', action='store_true')
    p_log = sub.add_parser('log', help='print (or clear) the command log')
    p_log.add_argument('--clear', action='store_true')
    for name in ('boot', 'shutdown', 'reboot'):
        sub.add_parser(name, help='what the global zone does at %s' % name)
    for p in sub.choices.values():
        p.add_argument('--state', default=os.environ.get('SMARTOS_SIM_STATE'), required=not os.environ.get('SMARTOS_SIM_STATE'))
    return parser


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``smartos-sim`` entry point."""
    opts = _parser().parse_args(argv)
    if opts.command == 'init':
        init(opts.state, opts.zones, opts.seed)
        return 0
    state = State(opts.state)
    if opts.command == 'fault':
        if opts.clear:
            faults.clear(state)
            return 0
        if not opts.tool:
            sys.stderr.write('smartos-sim fault: --tool or --clear is required\n')
            return 2
        faults.add(state, opts.tool, opts.subcommand, opts.count, opts.rc, opts.stderr, opts.stdout, opts.hang)
        return 0
    if opts.command == 'log':
        if opts.clear:
            with state.lock():
                open(state.path('commands.log'), 'w', encoding='utf-8').close()
            return 0
        try:
            with open(state.path('commands.log'), encoding='utf-8') as handle:
                sys.stdout.write(handle.read())
        except FileNotFoundError:
            pass
        return 0
    if opts.command in ('shutdown', 'reboot'):
        shutdown(state)
    if opts.command in ('boot', 'reboot'):
        boot(state)
    return 0
