# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 3, inventory: ``ansible-inventory --list`` with the smartstack.smartos.zones plugin against a static YAML inventory.

Starts N simulated global zones (tests/simulator's gzhost over real SSH, benchlib.Bed: its own
run dir in /tmp, free ports), each seeded with Z zones of mixed brands and states. For each GZ
count in --scaling (the first K GZs), it runs ``ansible-inventory --list`` with the plugin,
writes a static YAML inventory of the same hosts, groups and host variables (the plugin's own
output, untrusted markers removed), checks that ansible-inventory reads the same hosts and
variables back from it, and then times both, alternating, --repeat times; the medians and their
ratio (plugin / static) are printed. Target: ratio within 1.5 at 20 x 500. Each side runs with
only its own inventory plugin enabled (both at their fastest).

    sudo .venv/bin/python tests/bench/inventory_scale.py [--gzs 20] [--zones 500] [--scaling 1,5,20] [--repeat 3]

run_all.py (``make bench``) calls ``figure()``; this command line runs figure 3 alone. Needs root
(the GZ hosts use mount namespaces) and the project venv's ansible-inventory (next to the Python
running this, else on PATH). Exit status 0 when everything ran; the ratio is judged only with
--max-ratio. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import yaml

from benchlib import Bed, ansible_exe, print_table, unavailable_reason

try:
    DUMPER = yaml.CSafeDumper
except AttributeError:  # PyYAML without libyaml
    DUMPER = yaml.SafeDumper


def plain(obj):
    """ansible-inventory 2.19 writes untrusted strings as {"__ansible_unsafe": value}: the value."""
    return obj['__ansible_unsafe'] if list(obj) == ['__ansible_unsafe'] else obj


def ansible_inventory():
    return ansible_exe('ansible-inventory')


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
                                env=env, check=False, timeout=1800, stdin=subprocess.DEVNULL)
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


def figure(counts, zones, repeat, out=None):
    """Figure 3: a bed of max(counts) GZs with ``zones`` zones each; the table rows and the measured runs.

    Each count is the first K GZs of the bed; ratio = zones plugin / static YAML; target <= 1.5 at
    the largest count; the growth of each side's time against the smallest count is in the note."""
    exe = ansible_inventory()
    if not exe:
        raise RuntimeError('ansible-inventory not found (make venv)')
    rows, runs = [], []
    started = time.monotonic()
    with Bed('inventory', max(counts), zones=zones) as bed:
        if out:
            out.write('inventory: %d GZs with %d zones each up in %.0f s\n' % (max(counts), zones, time.monotonic() - started))
            out.flush()
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=bed.tree, ANSIBLE_NOCOLOR='1',
                   ANSIBLE_HOME=os.path.join(bed.work, 'home'), ANSIBLE_INVENTORY_UNPARSED_FAILED='1')
        first = None
        for count in counts:
            hosts, plugin_s, static_s, plugin_all, static_all = measure(exe, bed.hosts[:count], bed.work, env, repeat)
            first = first or (count, plugin_s, static_s)
            rat = plugin_s / static_s
            largest = count == max(counts)
            growth = 'x%.1f GZs: time x%.2f ours, x%.2f static' % (
                float(count) / first[0], plugin_s / first[1], static_s / first[2])
            rows.append({'figure': '3 inventory', 'row': '%d GZs x %d zones (%d hosts): --list s' % (count, zones, hosts),
                         'ours': plugin_s, 'peer': static_s, 'ratio': rat, 'target': '<= 1.5' if largest else '',
                         'verdict': ('PASS' if rat <= 1.5 else 'FAIL') if largest else '',
                         'real GZ est. s (ours/peer)': '',
                         'note': 'peer = static YAML of the same hosts and vars; median of %d; %s' % (repeat, growth)})
            runs.append({'gzs': count, 'hosts': hosts, 'plugin': plugin_all, 'static': static_all})
            if out:
                out.write('inventory: %d GZs measured\n' % count)
                out.flush()
    return rows, runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--gzs', type=int, default=20)
    parser.add_argument('--zones', type=int, default=500, help='zones seeded into each GZ')
    parser.add_argument('--scaling', default='1,5,20', help='GZ counts to measure (each at most --gzs)')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--max-ratio', type=float, default=None, help='fail when the largest count exceeds this ratio')
    opts = parser.parse_args(argv)
    counts = sorted({min(int(c), opts.gzs) for c in opts.scaling.split(',') if c.strip()} | {opts.gzs})

    reason = unavailable_reason(need_peers=False)
    if reason:
        sys.stderr.write('inventory_scale: %s\n' % reason)
        return 2
    rows = figure(counts, opts.zones, opts.repeat, out=sys.stdout)[0]
    print_table(rows)
    if opts.max_ratio is not None and rows and rows[-1]['ratio'] > opts.max_ratio:
        sys.stdout.write('ratio %.2f above %.2f\n' % (rows[-1]['ratio'], opts.max_ratio))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
