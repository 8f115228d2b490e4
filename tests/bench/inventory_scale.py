# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wall time of ``ansible-inventory --list``: the smartstack.smartos.zones plugin against a static YAML inventory.

Starts N simulated global zones (tests/simulator's gzhost over real SSH, its own run dir in /tmp,
port base 2500, so it collides with neither `make gz-up` (2200), `make integration` (2300) nor
tests/bench/compute_commands.py (2400)), each seeded with Z zones of mixed brands and states.
For each GZ count in --scaling (the first K GZs), it runs ``ansible-inventory --list`` with the
plugin, writes a static YAML inventory of the same hosts, groups and host variables (the
plugin's own output, untrusted markers removed), checks that ansible-inventory reads the same
hosts and variables back from it, and then times both, alternating, --repeat times; the medians
and their ratio (plugin / static) are printed as a table. Target: ratio within 1.5 at 20 x 500.

    sudo .venv/bin/python tests/bench/inventory_scale.py [--gzs 20] [--zones 500] [--scaling 1,5,20] [--repeat 3]

Needs root (the GZ hosts use mount namespaces) and the project venv's ansible-inventory (next to
the Python running this, else on PATH). Not part of `make test`. Exit status 0 when everything
ran; the ratio is printed, and judged only with --max-ratio.

Measured 2026-11-25 on this project's 2-core, 23 GiB test machine (20 sshd fit easily; the GZs
come up in 44 s), ansible-core 2.19.14, median of 2 runs, other jobs running beside it:

    | GZs | zones per GZ | hosts | zones plugin (s) | static YAML (s) | ratio |
    |   1 |          500 |   500 |             2.73 |            7.66 |  0.36 |
    |   5 |          500 |  2500 |             7.71 |           20.86 |  0.37 |
    |  20 |          500 | 10000 |            31.32 |          109.97 |  0.28 |

The plugin is faster than the static file: YAML parsing with ansible-core 2.19's origin and
trust tags costs more than one ``vmadm lookup`` per GZ (in parallel) and JSON decoding.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_HOME = os.path.join(REPO, 'tests', 'simulator')
PORT_BASE = 2500

try:
    DUMPER = yaml.CSafeDumper
except AttributeError:  # PyYAML without libyaml
    DUMPER = yaml.SafeDumper


def plain(obj):
    """ansible-inventory 2.19 writes untrusted strings as {"__ansible_unsafe": value}: the value."""
    return obj['__ansible_unsafe'] if list(obj) == ['__ansible_unsafe'] else obj


def ansible_inventory():
    here = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
    return here if os.path.exists(here) else shutil.which('ansible-inventory')


def plugin_config(hosts):
    lines = ['plugin: smartstack.smartos.zones', 'max_workers: 20', 'global_zones:']
    for host in hosts:
        lines.append('  - {host: %s, name: %s, port: %d}' % (host.address, host.name, host.port))
    lines += ['ssh_private_key_file: %s' % hosts[0].run.key, 'ssh_known_hosts_file: %s' % hosts[0].run.known_hosts]
    return '\n'.join(lines) + '\n'


def static_inventory(listing):
    """The YAML inventory of an ansible-inventory --list result (hosts, their variables, groups)."""
    hostvars = listing['_meta']['hostvars']
    children = {}
    for group, body in listing.items():
        if group in ('_meta', 'all', 'ungrouped'):
            continue
        children[group] = {'hosts': {h: None for h in body.get('hosts', [])}}
    return {'all': {'hosts': hostvars, 'children': children}}


def run(exe, source, env, out_path):
    # Each side with only its own inventory plugin enabled (no `auto`/`ini` attempts): both at their fastest.
    enabled = 'ansible.builtin.yaml' if source.endswith('static.yml') else 'smartstack.smartos.zones'
    env = dict(env, ANSIBLE_INVENTORY_ENABLED=enabled)
    started = time.monotonic()
    with open(out_path, 'w', encoding='utf-8') as out:
        result = subprocess.run([exe, '-i', source, '--list'], stdout=out, stderr=subprocess.PIPE, text=True,
                                env=env, check=False, timeout=1800)
    elapsed = time.monotonic() - started
    if result.returncode or 'WARNING' in result.stderr:
        raise RuntimeError('%s -i %s --list: rc %d\n%s' % (exe, source, result.returncode, result.stderr[-3000:]))
    return elapsed


def load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle, object_hook=plain)


def measure(exe, hosts, work, env, repeat):
    """(hosts, plugin median s, static median s, all plugin times, all static times) for the given GZs."""
    config = os.path.join(work, 'bench.smartos.yml')
    with open(config, 'w', encoding='utf-8') as handle:
        handle.write(plugin_config(hosts))
    listing_path = os.path.join(work, 'plugin.json')
    run(exe, config, env, listing_path)   # warm-up (and the listing the static inventory is made of)
    listing = load(listing_path)
    static = os.path.join(work, 'static.yml')
    with open(static, 'w', encoding='utf-8') as handle:
        yaml.dump(static_inventory(listing), handle, Dumper=DUMPER, default_flow_style=False, allow_unicode=True)
    static_out = os.path.join(work, 'static.json')
    run(exe, static, env, static_out)
    if load(static_out)['_meta']['hostvars'] != listing['_meta']['hostvars']:
        raise RuntimeError('the static inventory does not give the same host variables')
    plugin_times, static_times = [], []
    for _round in range(repeat):
        plugin_times.append(run(exe, config, env, listing_path))
        static_times.append(run(exe, static, env, static_out))
    return (len(listing['_meta']['hostvars']), statistics.median(plugin_times), statistics.median(static_times),
            plugin_times, static_times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--gzs', type=int, default=20)
    parser.add_argument('--zones', type=int, default=500, help='zones seeded into each GZ')
    parser.add_argument('--scaling', default='1,5,20', help='GZ counts to measure (each at most --gzs)')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--max-ratio', type=float, default=None, help='fail when the largest count exceeds this ratio')
    parser.add_argument('--keep', action='store_true', help='leave the GZs running and the work dir in place')
    opts = parser.parse_args(argv)
    counts = sorted({min(int(c), opts.gzs) for c in opts.scaling.split(',') if c.strip()} | {opts.gzs})

    sys.path.insert(0, SIM_HOME)
    from smartos_sim import gzhost  # pylint: disable=import-outside-toplevel
    reason = gzhost.unavailable_reason()
    if reason:
        sys.stderr.write('inventory_scale: %s\n' % reason)
        return 2
    exe = ansible_inventory()
    if not exe:
        sys.stderr.write('inventory_scale: ansible-inventory not found (make venv)\n')
        return 2
    work = tempfile.mkdtemp(prefix='smartstack-bench-inventory-', dir='/tmp')
    tree = os.path.join(work, 'collections')
    subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'collection_tree.py'), tree], check=True,
                   capture_output=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=tree, ANSIBLE_NOCOLOR='1', ANSIBLE_HOME=os.path.join(work, 'home'),
               ANSIBLE_INVENTORY_UNPARSED_FAILED='1')
    bed = gzhost.GzBed(os.path.join(work, 'run'), count=opts.gzs, zones=opts.zones, port_base=PORT_BASE, repo_port=0)
    started = time.monotonic()
    sys.stdout.write('starting %d simulated GZs with %d zones each ...\n' % (opts.gzs, opts.zones))
    sys.stdout.flush()
    rows = []
    try:
        bed.up()
        sys.stdout.write('GZs up in %.1f s; ansible-inventory --list, median of %d runs each:\n\n'
                         % (time.monotonic() - started, opts.repeat))
        sys.stdout.write('| GZs | zones per GZ | hosts | zones plugin (s) | static YAML (s) | ratio |\n|---|---|---|---|---|---|\n')
        for count in counts:
            hosts, plugin_s, static_s, plugin_all, static_all = measure(exe, bed.hosts[:count], work, env, opts.repeat)
            rows.append((count, hosts, plugin_s / static_s))
            ratio = plugin_s / static_s
            sys.stdout.write('| %d | %d | %d | %.2f | %.2f | %.2f |\n' % (count, opts.zones, hosts, plugin_s, static_s, ratio))
            runs = (', '.join('%.2f' % t for t in plugin_all), ', '.join('%.2f' % t for t in static_all))
            sys.stdout.write('<!-- runs: plugin %s, static %s -->\n' % runs)
            sys.stdout.flush()
    finally:
        if not opts.keep:
            bed.down()
            shutil.rmtree(work, ignore_errors=True)
        else:
            sys.stdout.write('kept: %s (stop with: cd tests/simulator && python3 -m smartos_sim.gzhost down --run-dir %s)\n'
                             % (work, os.path.join(work, 'run')))
    if opts.max_ratio is not None and rows and rows[-1][2] > opts.max_ratio:
        sys.stdout.write('ratio %.2f above %.2f\n' % (rows[-1][2], opts.max_ratio))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
