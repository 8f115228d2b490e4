# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode (issue 8): for every module and every state it manages, a check-mode run leaves the
simulator's state byte-identical and predicts ``changed`` correctly.

Each step of a scenario becomes three tasks on one GZ:

1. ``[check]`` the step with ``check_mode: true``: the state digest (every file of the GZ's state
   dir but the command log, see conftest.py) is the same before and after;
2. ``[real]`` the step for real: its ``changed`` is the one ``[check]`` predicted (and, for a
   failing step, both fail alike and neither changes anything);
3. ``[again]`` the step in check mode once more: ``changed`` is false (the real run converged) and
   the state is unchanged — except for steps that change every time by definition (a restart, a
   refresh, an OCCI action), which must still predict ``changed: true``.

A refused step (``fails``) runs in check mode and for real: both fail alike, neither changes
anything. The info modules run once in check mode: never changed, state untouched.

Two scenarios (compute, link, smf on gz1; image, storage, network on gz2) run as one playbook per
GZ, both at once. Every object is named ``cm-*`` (``cmstub0``, ``cmlink0`` for nic tags, which
must end in a number).
"""

from __future__ import annotations

import json

import pytest

from conftest import SUMMARY, traceback_problems

BASE = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'       # base-64-lts 24.4.1
MINIMAL = 'minimal-64-lts@24.4.1'
VM_UUID = 'c0c0c0c0-1111-4222-8333-444455556666'

MANIFEST = '''<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="site-cm-svc">
  <service name="site/cm-svc" type="service" version="1">
    <create_default_instance enabled="true"/>
    <exec_method type="method" name="start" exec="/bin/sleep 600 &amp;" timeout_seconds="10"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="10"/>
  </service>
</service_bundle>
'''


class Step:
    """One module call of a scenario. ``repeats``: it changes every time (restart, refresh,
    action); ``fails``: the module refuses it (check and real must both fail, changing nothing)."""

    def __init__(self, label, module, args, repeats=False, fails=False):
        self.label, self.module, self.args = label, module, args
        self.repeats, self.fails = repeats, fails

    def tasks(self):
        fqcn = 'smartstack.smartos.' + self.module
        out = []
        phases = (('check', True), ('real', False)) if self.fails else (('check', True), ('real', False), ('again', True))
        for phase, check in phases:
            task = {'name': '%s [%s]' % (self.label, phase), fqcn: self.args, 'check_mode': check, 'timeout': 120}
            if self.fails:
                task['ignore_errors'] = True
            out.append(task)
        return out


class Info(Step):
    """An info module: run in check mode (nothing changes, changed is false; the real run is the
    same code, run by the integration targets)."""

    def tasks(self):
        fqcn = 'smartstack.smartos.' + self.module
        return [{'name': '%s [check]' % self.label, fqcn: self.args, 'check_mode': True, 'timeout': 120}]


def compute_link_smf_steps():
    web = dict(id=VM_UUID, title='cm-web', brand='joyent', os_tpl=BASE, memory=0.25, properties=dict(autoboot=False),
               nics=[dict(nic_tag='admin', ips=['10.9.8.10/24'], gateways=['10.9.8.1'], primary=True)])
    return [
        Step('image: base imported', 'image', dict(image=BASE)),
        Step('compute: created (present)', 'compute', web),
        Step('compute: active', 'compute', dict(title='cm-web', state='active')),
        Step('compute: memory, cores, tags, metadata changed', 'compute',
             dict(title='cm-web', memory=0.5, cores=1, share=50, tags=dict(role='cm'),
                  customer_metadata={'cm-key': 'v'}, secret_metadata={'cm-secret': 's3cr3t'})),
        Step('compute: restarted', 'compute', dict(title='cm-web', state='restarted'), repeats=True),
        Step('compute: inactive', 'compute', dict(title='cm-web', state='inactive')),
        Step('compute: action start', 'compute', dict(title='cm-web', action='start')),
        Step('compute: action restart', 'compute', dict(title='cm-web', action='restart'), repeats=True),
        Step('compute: action stop poweroff', 'compute', dict(title='cm-web', action='stop', method='poweroff')),
        Step('compute: suspended (refused: vmadm cannot)', 'compute', dict(title='cm-web', state='suspended'), fails=True),
        Step('compute: a brand change refused', 'compute', dict(title='cm-web', brand='lx'), fails=True),
        Info('compute_info: all', 'compute_info', {}),
        # links need a network with addresses and a VM of their own
        Step('network: cmlink0 etherstub with a range', 'network',
             dict(label='cmlink0', etherstub=True, address='10.67.0.0/28', gateway='10.67.0.1')),
        Step('compute: cm-lnk created stopped', 'compute',
             dict(title='cm-lnk', brand='joyent', os_tpl=BASE, memory=0.25, state='inactive')),
        Step('link: NIC added', 'link', dict(source='cm-lnk', target='cmlink0')),
        Step('link: NIC changed', 'link', dict(source='cm-lnk', target='cmlink0', allow_ip_spoofing=True, mtu=1400)),
        Info('link_info: all links', 'link_info', dict(source='cm-lnk')),
        Step('link: NIC removed', 'link', dict(source='cm-lnk', target='cmlink0', state='absent')),
        Step('storage: cm-share for a mount', 'storage', dict(name='zones/cm-share')),
        Step('link: storagelink mounted', 'link',
             dict(kind='storagelink', source='cm-lnk', target='zones/cm-share', mountpoint='/shared', read_only=True)),
        Step('link: storagelink removed', 'link',
             dict(kind='storagelink', source='cm-lnk', target='zones/cm-share', mountpoint='/shared', state='absent')),
        Step('compute: cm-lnk absent', 'compute', dict(title='cm-lnk', state='absent')),
        Step('compute: cm-web absent', 'compute', dict(title='cm-web', state='absent')),
        Step('smf: imported and enabled', 'smf', dict(content=MANIFEST, timeout=30)),
        Step('smf: disabled', 'smf', dict(name='site/cm-svc', state='disabled', timeout=30)),
        Step('smf: enabled', 'smf', dict(name='svc:/site/cm-svc:default', state='enabled', timeout=30)),
        Step('smf: restarted', 'smf', dict(name='site/cm-svc', state='restarted', timeout=30), repeats=True),
        Step('smf: refreshed', 'smf', dict(name='site/cm-svc', state='refreshed', timeout=30), repeats=True),
        Step('smf: persisted', 'smf', dict(content=MANIFEST, persist=True, timeout=30)),
        Step('smf: changed manifest', 'smf', dict(content=MANIFEST.replace('sleep 600', 'sleep 700'), persist=True, timeout=30)),
        Info('smf_info: all', 'smf_info', {}),
        Step('smf: absent', 'smf', dict(name='site/cm-svc', state='absent', timeout=30)),
    ]


def image_storage_network_steps():
    return [
        Step('image: minimal imported', 'image', dict(image=MINIMAL)),
        Step('image: minimal absent', 'image', dict(image=MINIMAL, state='absent')),
        Info('image_info: installed', 'image_info', {}),
        Step('storage: filesystem created', 'storage', dict(name='zones/cm-fs', size=1)),
        Step('storage: properties changed', 'storage',
             dict(name='zones/cm-fs', properties={'compression': 'lz4', 'com.example:owner': 'cm'})),
        Step('storage: action resize', 'storage', dict(name='zones/cm-fs', action='resize', size=3)),
        Step('storage: offline', 'storage', dict(name='zones/cm-fs', state='offline')),
        Step('storage: online', 'storage', dict(name='zones/cm-fs', state='online')),
        Step('storage: snapshot named', 'storage', dict(name='zones/cm-fs', action='snapshot', snapshot='cm-snap')),
        Step('storage: rollback', 'storage', dict(name='zones/cm-fs', action='rollback', snapshot='cm-snap'), repeats=True),
        Step('storage: backup', 'storage',
             dict(name='zones/cm-fs', action='backup', snapshot='cm-bk', backup_dir='/var/tmp/cm-backup')),
        Step('storage: volume created', 'storage', dict(name='zones/cm-vol', type='volume', size=1)),
        Step('storage: by title under a parent', 'storage', dict(title='cm-child', parent='zones/cm-fs')),
        Info('storage_info: all', 'storage_info', {}),
        Step('storage: volume absent', 'storage', dict(name='zones/cm-vol', state='absent')),
        Step('storage: children refused without recursive', 'storage', dict(name='zones/cm-fs', state='absent'), fails=True),
        Step('storage: absent recursively', 'storage', dict(name='zones/cm-fs', state='absent', recursive=True)),
        Step('network: etherstub created', 'network', dict(label='cmstub0', etherstub=True)),
        Step('network: IP definition', 'network',
             dict(label='cmstub0', address='10.66.0.0/24', gateway='10.66.0.1', resolvers=['10.66.0.53'])),
        Step('network: VLAN on a physical tag', 'network',
             dict(label='external', vlan=166, address='10.166.0.0/24', gateway='10.166.0.1')),
        Step('network: VLAN inactive', 'network', dict(label='external', vlan=166, state='inactive')),
        Step('network: VLAN absent', 'network', dict(label='external', vlan=166, state='absent')),
        Step('network: a tag on a link', 'network', dict(label='cmphys', link='e1000g1')),
        Step('network: inactive', 'network', dict(label='cmstub0', state='inactive')),
        Step('network: active', 'network', dict(label='cmstub0', state='active')),
        Info('network_info: all', 'network_info', {}),
        Step('network: absent', 'network', dict(label='cmstub0', state='absent')),
        Step('network: link tag absent', 'network', dict(label='cmphys', state='absent')),
    ]


SCENARIOS = {'compute_link_smf': compute_link_smf_steps, 'image_storage_network': image_storage_network_steps}


@pytest.fixture(scope='module')
def check_runs(sim_gz, sim_gz2):
    """Both scenarios, one per GZ, at once: {scenario: (steps, PlaybookRun)}."""
    started = {}
    for (name, steps), sim in zip(sorted(SCENARIOS.items()), (sim_gz, sim_gz2)):
        steps = steps()
        tasks = [task for step in steps for task in step.tasks()]
        started[name] = (steps, sim.start_playbook(tasks, timeout=900))
    runs = dict((name, (steps, pending.wait())) for name, (steps, pending) in started.items())
    count = sum(len(steps) for steps, _unused in runs.values())
    SUMMARY.append('check mode: %d steps over %d modules, each run in check mode, for real and in check mode again'
                   % (count, len(set(step.module for steps, _unused in runs.values() for step in steps))))
    return runs


def judge(step, run):
    """The problems of one step (empty when check mode told the truth and changed nothing)."""
    problems = []
    records = {}
    for phase in ('check', 'real', 'again'):
        found = [r for r in run.records if r['task'] == '%s [%s]' % (step.label, phase)]
        if found:
            records[phase] = found[-1]
    phases = ('check',) if isinstance(step, Info) else ('check', 'real') if step.fails else ('check', 'real', 'again')
    missing = [phase for phase in phases if phase not in records]
    if missing:
        return ['did not run: %s' % ', '.join(missing)]
    for phase in phases:
        record = records[phase]
        result = record['result']
        problems += ['%s: traceback: %s' % (phase, p) for p in traceback_problems(record)]
        failed = record['status'] == 'failed'
        if failed != step.fails:
            problems.append('%s: %s (%s)' % (phase, 'failed' if failed else 'did not fail', str(result.get('msg', ''))[:300]))
        if (phase != 'real' or failed or isinstance(step, Info)) and record['changed_files']:
            problems.append('%s: changed the state: %s' % (phase, ', '.join(record['changed_files'])))
    if step.fails:
        return problems
    if isinstance(step, Info):
        if records['check']['result'].get('changed'):
            problems.append('an info module reported changed')
        return problems
    check, real = records['check']['result'], records['real']['result']
    if bool(check.get('changed')) != bool(real.get('changed')):
        problems.append('check mode predicted changed=%s, the real run reported changed=%s (check actions %s, real actions %s)'
                        % (check.get('changed'), real.get('changed'), check.get('actions'), real.get('actions')))
    again = records['again']['result']
    if bool(again.get('changed')) != step.repeats:
        problems.append('check mode after the real run reported changed=%s (expected %s; actions %s)'
                        % (again.get('changed'), step.repeats, again.get('actions')))
    if records['real']['status'] == 'ok' and not real.get('changed') and not step.repeats:
        problems.append('note: the real run changed nothing (the step does not exercise a change)')
    return problems


def _all_steps():
    return [(name, step.label) for name, steps in sorted(SCENARIOS.items()) for step in steps()]


@pytest.mark.parametrize('scenario,label', _all_steps())
def test_check_mode_step(check_runs, scenario, label):
    steps, run = check_runs[scenario]
    step = [s for s in steps if s.label == label][0]
    problems = judge(step, run)
    assert not problems, '%s (%s %s):\n  %s\n%s' % (label, step.module, json.dumps(step.args)[:300], '\n  '.join(problems),
                                                    run.why() if any('did not run' in p for p in problems) else '')


def test_every_module_has_check_mode_steps(check_runs):
    from test_fuzz import OPTIONS  # pylint: disable=import-outside-toplevel
    covered = set(step.module for steps, _unused in check_runs.values() for step in steps)
    assert set(OPTIONS) <= covered, sorted(set(OPTIONS) - covered)
