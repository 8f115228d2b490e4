"""The SMF tools of the simulated global zone: ``svcs``, ``svcadm``, ``svccfg``, ``svcprop``.

Reference: smartos_smf_zones.md §0-8 and §12 (cited as §N below), the DTD service_bundle.dtd.1,
and the illumos sources they cite (``ij:`` = illumos-joyent usr/src/). The repository lives in
the ``smf`` JSON document (:mod:`smartos_sim.smfrepo`); svc.startd's work -- running methods as
real processes, deciding online or maintenance -- is :mod:`smartos_sim.smfstartd`, driven by
these tools before they return (and lazily by ``svcs``: a daemon that died is noticed there).
"""
import fcntl
import fnmatch
import getopt
import os
import re
import shlex
import signal
import sys
import time

from smartos_sim import smfrepo, smfstartd
from smartos_sim.smfrepo import get_value, inst_fmri, svc_fmri

EMPTY = {'services': {}, 'next_ctid': 1000}
CUSTOM_SMF = '/opt/custom/smf'

# The platform services of a SmartOS GZ that roles and manifests refer to; they run nothing here.
BASE_SERVICES = (
    ('system/svc/restarter', 'default', 'svc.startd'),
    ('milestone/devices', 'default', 'device configuration milestone'),
    ('system/filesystem/root', 'default', 'root file system mount'),
    ('system/filesystem/usr', 'default', 'read/write usr mount'),
    ('system/filesystem/minimal', 'default', 'minimal file system mounts'),
    ('system/filesystem/local', 'default', 'local file system mounts'),
    ('system/manifest-import', 'default', 'service manifest import'),
    ('network/loopback', 'default', 'loopback network interface'),
    ('network/physical', 'default', 'physical network interfaces'),
    ('network/routing-setup', 'default', 'Initial routing-related configuration.'),
    ('milestone/network', 'default', 'Network milestone'),
    ('milestone/single-user', 'default', 'single-user milestone'),
    ('milestone/multi-user', 'default', 'multi-user milestone'),
    ('milestone/multi-user-server', 'default', 'multi-user plus exports milestone'),
    ('network/ssh', 'default', 'SSH server'),
    ('network/ntp', 'default', 'Network Time Protocol (NTP) Version 4'),
    ('system/cron', 'default', 'clock daemon (cron)'),
    ('system/identity', 'node', 'system identity (nodename)'),
    ('system/zones', 'default', 'Zones autoboot'),
    ('system/smartdc/config', 'default', 'SmartDC config'),
    ('smartdc/metadata', 'default', 'SmartDC metadata'),
    ('system/pkgsrc', 'default', 'pkgsrc'),
)
# UNCONFIRMED: which services a stock SmartOS GZ lists is not in the reference; these are the ones
# our roles and typical manifests depend on (§2 of pkgsrc_nova_facts names several).


def _err(tool, message):
    sys.stderr.write('%s: %s\n' % (tool, message))


def _load(state):
    doc = state.load('smf', None)
    return doc if doc else dict(EMPTY, services={})


def _reconcile(state, blocking=True):
    """A simulated svc.startd's pass (lazy): settle every instance (dead daemons, pending actions).

    ``svcs`` only reconciles when the state lock is free: a method run by a boot or another tool
    may call it while that tool holds the lock.
    """
    if not blocking:
        fd = os.open(state.path('.lock'), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            return
        finally:
            os.close(fd)
    smfstartd.drive(state)


# ---------------------------------------------------------------- hooks for smartos-sim

def _base_instance(desc):
    inst = {'pgs': {'general': smfrepo.pg('framework', {'enabled': smfrepo.prop('boolean', 'true')})},
            'rt': smfstartd.new_runtime(non_process=True)}
    smfstartd.set_state(inst['rt'], 'online')
    return inst, {'tm_common_name': smfrepo.pg('template', {'C': smfrepo.prop('ustring', desc)}),
                  'startd': smfrepo.pg('framework', {'duration': smfrepo.prop('astring', 'transient')})}


def _base_doc():
    doc = {'services': {}, 'next_ctid': 1000}
    for svc, iname, desc in BASE_SERVICES:
        inst, svc_pgs = _base_instance(desc)
        service = {'pgs': svc_pgs, 'instances': {iname: inst}, 'manifest': None, 'base': True,
                   'last_import': {'svc': {}, 'instances': {}}}
        smfrepo.take_snapshot(service, inst)
        doc['services'][svc] = service
    return doc


def init_state(state, rng):  # pylint: disable=unused-argument
    """A fresh GZ: the platform's services online, /var/svc/log and /opt/custom/smf present."""
    os.makedirs(state.host_path('/var/svc/log'), exist_ok=True)
    os.makedirs(state.host_path(CUSTOM_SMF), exist_ok=True)
    state.save('smf', _base_doc())


def on_shutdown(state):
    """Going down: every running instance is stopped (stop methods, then its contract killed)."""
    smfstartd.stop_all(state)


def on_boot(state):
    """Boot: the repository is the platform's again ("Any changes you make to SMF services are reset
    with each reboot", pkgsrc_nova_facts §2), the manifests in /opt/custom/smf are imported, and the
    enabled instances start. Temporary enables do not survive (general_ovr is non-persistent, §2.3).
    """
    doc = _base_doc()
    state.save('smf', doc)
    directory = state.host_path(CUSTOM_SMF)
    if os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            if not name.endswith('.xml'):
                continue
            gz_path = os.path.join(CUSTOM_SMF, name)
            try:
                root = smfrepo.read_manifest(os.path.join(directory, name))
            except smfrepo.ManifestError as exc:
                # UNCONFIRMED: manifest-import's own report; the svccfg message goes to its log
                smfstartd.log(state, 'system/manifest-import', 'default', 'svccfg: %s (%s)' % (exc, gz_path))
                continue
            smfrepo.import_bundle(doc, root, gz_path, smfstartd.new_runtime)
        state.save('smf', doc)
    smfstartd.drive(state)


# ---------------------------------------------------------------- matching helpers

def _walk(tool, doc, operands, unipartial=False):
    """Instances named by operands (scf_walk_fmri, §1.2); ``(pairs, rc)``."""
    out = []
    rc = 0
    for operand in operands:
        if operand.startswith('lrc:'):
            _err(tool, "Operation not supported for legacy service '%s'" % operand)
            rc = 1
            continue
        kind, found, pattern = smfrepo.match(doc, operand)
        if not found:
            _err(tool, "Pattern '%s' doesn't match any instances" % pattern)
            rc = 1
            continue
        if unipartial and kind == 'partial' and len(found) > 1:
            lines = ["Partial FMRI '%s' matches multiple instances:" % operand]
            lines += ['\t%s' % inst_fmri(s, i) for s, i in reversed(found)]
            sys.stderr.write('%s: %s\n' % (tool, '\n'.join(lines)))
            rc = 1
            continue
        for pair in found:
            if pair not in out:
                out.append(pair)
    return out, rc


def _inst(doc, pair):
    return doc['services'][pair[0]]['instances'][pair[1]]


# ---------------------------------------------------------------- svcadm

SVCADM_USAGE = (
    'Usage: svcadm [-S <state>] [-v] [-Z | -z zone] [cmd [args ... ]]\n\n'
    '\tsvcadm enable [-rst] [<service> ...]\t- enable and online service(s)\n'
    '\tsvcadm disable [-st] [<service> ...]\t- disable and offline service(s)\n'
    '\tsvcadm restart [-d] [<service> ...]\t- restart specified service(s)\n'
    '\tsvcadm refresh [<service> ...]\t\t- re-read service configuration\n'
    '\tsvcadm mark [-It] <state> [<service> ...] - set maintenance state\n'
    '\tsvcadm clear [<service> ...]\t\t- clear maintenance state\n'
    '\tsvcadm milestone [-d] <milestone>\t- advance to a service milestone\n'
    '\n\tServices can be specified using an FMRI, abbreviation, or fnmatch(5)\n'
    '\tpattern, as shown in these examples for svc:/network/smtp:sendmail\n\n'
    '\tsvcadm <cmd> svc:/network/smtp:sendmail\n'
    '\tsvcadm <cmd> network/smtp:sendmail\n'
    '\tsvcadm <cmd> network/*mail\n'
    '\tsvcadm <cmd> network/smtp\n'
    '\tsvcadm <cmd> smtp:sendmail\n'
    '\tsvcadm <cmd> smtp\n'
    '\tsvcadm <cmd> sendmail\n')
# ij:cmd/svc/svcadm/svcadm.c usage() (same text in illumos-gate)

MILESTONES = ('all', 'none', 'single-user', 'multi-user', 'multi-user-server')


def _svcadm_usage():
    sys.stderr.write(SVCADM_USAGE)
    return 2


def _dependency_instances(doc, inst_pairs):
    """``-r``: every instance the given ones depend on, recursively (services named by dependencies)."""
    seen = []
    todo = list(inst_pairs)
    while todo:
        pair = todo.pop(0)
        if pair in seen:
            continue
        seen.append(pair)
        service = doc['services'][pair[0]]
        view = smfrepo.running_view(service, service['instances'][pair[1]])
        for group in view.values():
            if group['type'] != 'dependency' or get_value({'d': group}, 'd', 'grouping') == 'exclude_all':
                continue
            for ent in group['props'].get('entities', {'values': []})['values']:
                parsed = smfrepo.split_fmri(ent) if ent.startswith('svc:') else None
                if parsed and parsed[0] in doc['services']:
                    names = [parsed[1]] if parsed[1] else sorted(doc['services'][parsed[0]]['instances'])
                    todo += [(parsed[0], n) for n in names if n in doc['services'][parsed[0]]['instances']]
    return seen


def svcadm(argv, state):  # pylint: disable=too-many-branches,too-many-statements,too-many-return-statements
    try:
        opts, args = getopt.getopt(argv, 'S:vZz:')
    except getopt.GetoptError:
        return _svcadm_usage()
    verbose = any(o == '-v' for o, _v in opts)
    by_state = [v for o, v in opts if o == '-S']
    if not args:
        return _svcadm_usage()
    cmd, rest = args[0], args[1:]
    flags = {'enable': 'rst', 'disable': 'stc', 'restart': 'd', 'refresh': '', 'clear': '', 'mark': 'It', 'milestone': 'd'}
    if cmd not in flags:
        return _svcadm_usage()
    try:
        sub_opts, operands = getopt.getopt(rest, flags[cmd])
    except getopt.GetoptError:
        return _svcadm_usage()
    sub = {o[1] for o, _v in sub_opts}
    if cmd == 'milestone':
        if len(operands) != 1:
            return _svcadm_usage()
        name = operands[0]
        if name not in MILESTONES and not name.startswith('svc:/milestone/'):
            _err('svcadm', '"%s" is not a valid major milestone.' % name)
            return 2
        return 0
    mark_state = None
    if cmd == 'mark':
        if not operands:
            return _svcadm_usage()
        mark_state, operands = operands[0], operands[1:]
        if mark_state not in ('maintenance', 'degraded'):
            return _svcadm_usage()
        if mark_state == 'degraded' and 't' in sub:
            _err('svcadm', '-t may not be used with degraded.')
            return 2
    if by_state:
        if operands:
            return _svcadm_usage()
        if cmd == 'clear' and by_state[0] not in ('maintenance', 'degraded'):
            _err('svcadm', "State must be 'maintenance' or 'degraded'")
            return 1
    elif not operands:
        return _svcadm_usage()
    _reconcile(state)
    rc = 0
    with state.lock():
        doc = _load(state)
        if by_state:
            pairs = [p for p in smfrepo.all_instances(doc) if _inst(doc, p)['rt']['state'] == by_state[0]]
        else:
            pairs, rc = _walk('svcadm', doc, operands, unipartial=True)
        if cmd == 'enable' and 'r' in sub:
            pairs = _dependency_instances(doc, pairs)
        for pair in pairs:
            inst = _inst(doc, pair)
            fmri = inst_fmri(*pair)
            rt = inst['rt']
            temporary = 't' in sub
            if cmd in ('enable', 'disable'):
                smfrepo.set_enabled(inst, cmd == 'enable', temporary)
                if verbose:
                    sys.stdout.write('%s %s%s.\n' % (fmri, 'temporarily ' if temporary else '', cmd + 'd'))
            elif cmd in ('restart', 'refresh'):
                if cmd == 'refresh':
                    smfrepo.take_snapshot(doc['services'][pair[0]], inst)
                rt['pending'].append(cmd)
                if verbose:
                    sys.stdout.write('Action %s set for %s.\n' % (cmd, fmri))
            elif cmd == 'clear':
                if rt['state'] == 'maintenance':
                    rt['pending'].append('maint_off')
                elif rt['state'] == 'degraded':
                    rt['pending'].append('restore')
                else:
                    _err('svcadm', 'Instance "%s" is not in a maintenance or degraded state.' % fmri)
                    rc = 1
                    continue
                if verbose:
                    sys.stdout.write('Action %s set for %s.\n' % ('maint_off' if rt['state'] == 'maintenance' else 'restore', fmri))
            elif cmd == 'mark':
                if mark_state == 'degraded':
                    if rt['state'] != 'online':
                        _err('svcadm', 'Instance "%s" is not online.' % fmri)
                        rc = 1
                        continue
                    rt['pending'].append('degrade')
                else:
                    rt['pending'].append('maint_on')
                if verbose:
                    sys.stdout.write('Action %s set for %s.\n' % ('degraded' if mark_state == 'degraded' else 'maint_on', fmri))
        state.save('smf', doc)
    if cmd == 'restart' and ('system/manifest-import', 'default') in pairs:
        _import_custom(state)
    smfstartd.drive(state)
    if 's' in sub and cmd in ('enable', 'disable') and rc == 0:
        rc = _svcadm_wait(state, pairs, cmd == 'enable')
    return rc


def _svcadm_wait(state, pairs, enable):
    """``-s``: the instances reached online (or disabled), else exit 3 or 4 (§3.2)."""
    doc = _load(state)
    deadline = time.time() + 3600
    while time.time() < deadline and any(
            doc['services'].get(s, {}).get('instances', {}).get(i, {}).get('rt', {}).get('busy') for s, i in pairs):
        # another tool (a method's svcs, say) is running one of these instances' methods: wait for it
        time.sleep(0.1)
        smfstartd.drive(state)
        doc = _load(state)
    rc = 0
    for pair in pairs:
        if pair[0] not in doc['services'] or pair[1] not in doc['services'][pair[0]]['instances']:
            continue
        inst = _inst(doc, pair)
        fmri = inst_fmri(*pair)
        cur = inst['rt']['state']
        if enable:
            if cur in ('online', 'degraded'):
                continue
            if cur == 'maintenance':
                _err('svcadm', 'Instance "%s" is in maintenance state.' % fmri)
                rc = 3
            elif not smfrepo.effective_enabled(inst):
                _err('svcadm', 'Instance "%s" has been disabled by another entity.' % fmri)
                rc = 3
            else:
                # nothing else will bring its dependencies up: the simulated startd has settled
                _err('svcadm', 'Instance "%s" has unsatisfied dependencies.' % fmri)
                rc = max(rc, 4) if rc != 3 else 3
        elif cur != 'disabled':
            _err('svcadm', 'Instance "%s" has been enabled by another entity.' % fmri)
            rc = 3
    return rc


def _import_custom(state):
    """``svcadm restart manifest-import``: import what /opt/custom/smf holds (pkgsrc_nova_facts §2)."""
    directory = state.host_path(CUSTOM_SMF)
    if not os.path.isdir(directory):
        return
    with state.lock():
        doc = _load(state)
        for name in sorted(os.listdir(directory)):
            if name.endswith('.xml'):
                try:
                    root = smfrepo.read_manifest(os.path.join(directory, name))
                except smfrepo.ManifestError:
                    continue
                smfrepo.import_bundle(doc, root, os.path.join(CUSTOM_SMF, name), smfstartd.new_runtime)
        state.save('smf', doc)


# ---------------------------------------------------------------- svcs

SVCS_USAGE = (
    'Usage: svcs [-aHpv] [-o col[,col ... ]] [-R restarter] [-sS col] [-Z | -z zone ]\n'
    '            [<service> ...]\n'
    '       svcs -d | -D [-Hpv] [-o col[,col ... ]] [-sS col] [-Z | -z zone ]\n'
    '            [<service> ...]\n'
    '       svcs [-l | -L] [-Z | -z zone] <service> ...\n'
    '       svcs -x [-v] [-Z | -z zone] [<service> ...]\n'
    '       svcs -?\n')
# ij:cmd/svc/svcs/svcs.c print_usage

STATE_ORDER = {'legacy_run': 0, 'disabled': 1, 'online': 2, 'degraded': 3, 'offline': 4, 'maintenance': 5, 'uninitialized': 6}
STATE_CHAR = {'uninitialized': 'u', 'offline': '0', 'online': '1', 'maintenance': 'm', 'disabled': 'd', 'degraded': 'D',
              'legacy_run': 'L'}
STATE_ABBREV = {'uninitialized': 'UN', 'offline': 'OFF', 'online': 'ON', 'maintenance': 'MNT', 'disabled': 'DIS',
                'degraded': 'DGD', 'legacy_run': 'LRC'}
# header widths of svcs.c columns[]; the cells are built as svcs.c sprint_* do (some differ)
COLUMN_WIDTH = {'CTID': 6, 'DESC': 100, 'FMRI': 50, 'INST': 20, 'N': 1, 'NSTA': 4, 'NSTATE': 13, 'S': 2,
                'SCOPE': 20, 'SN': 2, 'SVC': 20, 'STA': 4, 'STATE': 14, 'STIME': 8, 'ZONE': 16}
NSTATE_COLUMNS = ('NSTATE', 'NSTA', 'N', 'SN')


def _stime(stamp, now):
    """svcs.c sprint_stime: time today, ``%b_%d`` within 12*30 days, else the year."""
    if stamp is None:
        return '-'
    local = time.localtime(stamp)
    if now - stamp < 24 * 3600:
        return time.strftime('%k:%M:%S', local)
    if now - stamp < 12 * 30 * 24 * 3600:
        return time.strftime('%b_%d  ', local)
    return time.strftime('%Y    ', local)


def _common_name(service, inst):
    view = smfrepo.current_view(service, inst)
    return get_value(view, 'tm_common_name', 'C')


def _cell(col, svc, iname, inst, doc, nstate_shown, now):  # pylint: disable=too-many-return-statements
    rt = inst['rt']
    cur, nxt = rt['state'] or '-', rt['next_state']
    star = '*' if nxt != 'none' and not nstate_shown else ''
    if col == 'STATE':
        return (cur + star).ljust(14) + ' '
    if col == 'NSTATE':
        return ('-' if nxt == 'none' else nxt).ljust(13) + ' '
    if col == 'STIME':
        return _stime(rt.get('stime'), now).ljust(8) + ' '
    if col == 'FMRI':
        return inst_fmri(svc, iname).ljust(50) + ' '
    if col == 'CTID':
        return ('-' if not rt.get('ctid') else str(rt['ctid'])).rjust(6) + ' '
    if col == 'SVC':
        return svc.ljust(20) + ' '
    if col == 'INST':
        return iname.ljust(20) + ' '
    if col == 'SCOPE':
        return 'localhost'.ljust(20) + ' '
    if col == 'ZONE':
        return 'global'.ljust(16) + ' '
    if col == 'DESC':
        name = (_common_name(doc['services'][svc], inst) or '-').replace('\n', ' ')
        return name.ljust(100)
    if col == 'S':
        return STATE_CHAR.get(cur, '?') + ('*' if star else ' ') + ' '
    if col == 'N':
        return ('-' if nxt == 'none' else STATE_CHAR.get(nxt, '?')).ljust(2) + ' '
    if col == 'SN':
        return (STATE_CHAR.get(cur, '?') + ('-' if nxt == 'none' else STATE_CHAR.get(nxt, '?')) + ' ').ljust(3) + ' '
    if col == 'STA':
        return (STATE_ABBREV.get(cur, '?') + star).ljust(4) + ' '
    if col == 'NSTA':
        return ('-' if nxt == 'none' else STATE_ABBREV.get(nxt, '?')).ljust(4) + ' '
    return ''


def _sort_key(col, svc, iname, inst, doc):
    rt = inst['rt']
    if col in ('STATE', 'STA', 'S'):
        return STATE_ORDER.get(rt['state'], 7)
    if col in ('NSTATE', 'NSTA', 'N'):
        return STATE_ORDER.get(rt['next_state'], 7)
    if col == 'SN':
        return (STATE_ORDER.get(rt['state'], 7), STATE_ORDER.get(rt['next_state'], 7))
    if col == 'STIME':
        return rt.get('stime') or 0
    if col == 'CTID':
        return rt.get('ctid') or 0
    if col == 'DESC':
        return ''
    return _cell(col, svc, iname, inst, doc, True, time.time())


def _proc_lines(inst, table, now):
    lines = []
    for pid in smfstartd.session_pids(inst['rt'].get('sid'), table):
        info = table[pid]
        lines.append('               %-8s   %6d %s' % (_stime(smfstartd.process_start_time(info), now), pid, info['comm']))
    return lines


def _long_listing(doc, pairs, procs, table, state):  # pylint: disable=too-many-locals
    first = True
    for svc, iname in pairs:
        service = doc['services'][svc]
        inst = service['instances'][iname]
        rt = inst['rt']
        if not first:
            sys.stdout.write('\n')
        first = False
        out = []

        def line(key, value):
            out.append('%-13s%s' % (key, value))
        line('fmri', inst_fmri(svc, iname))
        name = _common_name(service, inst)
        if name:
            line('name', name)
        perm = smfrepo.persistent_enabled(inst)
        temp = smfrepo.effective_enabled(inst)
        line('enabled', ('true' if temp else 'false') + (' (temporary)' if temp != perm else ''))
        line('state', rt['state'])
        line('next_state', rt['next_state'])
        line('state_time', time.strftime('%a %b %e %H:%M:%S %Y', time.localtime(rt['stime'])))
        line('logfile', smfrepo.log_name(svc, iname))
        line('restarter', get_value(smfrepo.current_view(service, inst), 'general', 'restarter', smfrepo.RESTARTER_FMRI))
        if rt.get('ctid'):
            line('contract_id', '%d ' % rt['ctid'])
        view = smfrepo.running_view(service, inst)
        for pgname in sorted(view):
            group = view[pgname]
            if group['type'] != 'dependency' or 'entities' not in group['props']:
                continue
            text = '%s/%s' % (get_value(view, pgname, 'grouping', '?'), get_value(view, pgname, 'restart_on', '?'))
            for ent in group['props']['entities']['values']:
                text += ' %s (%s)' % (ent, _dep_state(state, doc, ent))
            line('dependency', text)
        if procs and rt.get('ctid'):
            for pid in smfstartd.session_pids(rt.get('sid'), table):
                line('process', '%d %s' % (pid, smfstartd.process_args(pid)))
        sys.stdout.write(''.join(x + '\n' for x in out))


def _dep_state(state, doc, ent):
    """svcs.c get_fmri_state: a file's presence, an instance's state, a service's only instance."""
    if ent.startswith('file:'):
        return smfstartd._entity_state(state, doc, ent)  # pylint: disable=protected-access
    parsed = smfrepo.split_fmri(ent)
    if not parsed:
        return 'invalid'
    svc, iname = parsed
    service = doc['services'].get(svc)
    if service is None:
        return 'absent'
    if iname:
        return service['instances'][iname]['rt']['state'] if iname in service['instances'] else 'absent'
    names = sorted(service['instances'])
    if not names:
        return 'absent'
    if len(names) > 1:
        return 'multiple'
    return service['instances'][names[0]]['rt']['state']


MSG_BASE = 'http://illumos.org/msg/'


def _explain(state, doc, svc, iname, verbose):  # pylint: disable=too-many-branches,too-many-locals
    """One ``svcs -x`` block (ij:cmd/svc/svcs/explain.c), as lines."""
    service = doc['services'][svc]
    inst = service['instances'][iname]
    rt = inst['rt']
    cur = rt['state']
    lines = ['%s (%s)' % (inst_fmri(svc, iname), _common_name(service, inst) or '?'),
             ' State: %s since %s' % (cur, time.strftime('%a %b %e %H:%M:%S %Y', time.localtime(rt['stime'])))]
    reason, code = None, None
    aux = rt.get('aux_state')
    last = rt.get('last') or {}
    if cur == 'disabled':
        if smfrepo.persistent_enabled(inst):
            reason, code = 'Temporarily disabled by an administrator.', 'SMF-8000-1S'
        else:
            reason, code = 'Disabled by an administrator.', 'SMF-8000-05'
    elif cur == 'maintenance':
        if aux in ('method_failed', 'fault_threshold_reached'):
            repeated = aux == 'fault_threshold_reached'
            if last.get('signal'):
                desc = 'died on %s (%d)' % (signal.strsignal(last['signal']), last['signal'])
                reason = 'Start method failed repeatedly, last %s.' % desc if repeated else 'Start method %s.' % desc
                code = 'SMF-8000-KS'
            elif last.get('status') is not None:
                status = last['status']
                named = {95: '$SMF_EXIT_ERR_FATAL', 96: '$SMF_EXIT_ERR_CONFIG'}.get(status)
                if repeated:
                    reason = 'Start method failed repeatedly, last exited with status %d.' % status
                elif named:
                    reason = 'Start method exited with %s.' % named
                else:
                    reason = 'Start method exited with status %d.' % status
                code = 'SMF-8000-KS'
            else:
                reason = 'Method failed repeatedly.' if repeated else 'Method failed.'
                code = 'SMF-8000-8Q'
        elif aux == 'administrative_request':
            reason, code = 'Maintenance requested by an administrator.', 'SMF-8000-63'
        elif aux == 'restarting_too_quickly':
            reason, code = 'Restarting too quickly.', 'SMF-8000-L5'
        else:
            reason, code = 'Method failed.', 'SMF-8000-8Q'
    elif cur == 'offline':
        view = smfrepo.running_view(service, inst)
        verdict, culprit, cstate = smfstartd.dependency_status(state, doc, view)
        if rt['next_state'] != 'none':
            reason, code = 'Start method is running.', 'SMF-8000-C4'
        elif verdict != 'ok' and cstate == 'absent':
            reason, code = 'Dependency %s is absent.' % culprit, 'SMF-8000-E2'
        elif verdict != 'ok':
            summary = {'disabled': 'is disabled.', 'maintenance': 'is not running because a method failed repeatedly.'}
            reason, code = 'Service %s %s' % (culprit, summary.get(cstate, 'is not running.')), 'SMF-8000-GE'
    elif cur == 'degraded':
        reason = 'Degraded by an administrator.'
    if reason:
        lines.append('Reason: ' + reason)
    if code:
        lines.append('   See: ' + MSG_BASE + code)
    lines.append('   See: ' + smfrepo.log_name(svc, iname))
    if cur in ('online', 'degraded'):
        lines.append('Impact: None.')
    else:
        dependents = _dependents_down(state, doc, svc, iname)
        if not dependents:
            lines.append('Impact: This service is not running.')
        else:
            word = '1 dependent service is' if len(dependents) == 1 else '%d dependent services are' % len(dependents)
            if verbose:
                lines.append('Impact: %s not running:' % word)
                lines += ['        ' + d for d in dependents]
            else:
                lines.append('Impact: %s not running.  (Use -v for list.)' % word)
    return lines


def _depends_on(doc, svc, iname, target):
    service = doc['services'][svc]
    view = smfrepo.running_view(service, service['instances'][iname])
    for group in view.values():
        if group['type'] != 'dependency' or get_value({'d': group}, 'd', 'grouping') in ('optional_all', 'exclude_all'):
            continue
        for ent in group['props'].get('entities', {'values': []})['values']:
            parsed = smfrepo.split_fmri(ent) if ent.startswith('svc:') else None
            if parsed and parsed[0] == target[0] and parsed[1] in (None, target[1]):
                return True
    return False


def _dependents_down(state, doc, svc, iname):  # pylint: disable=unused-argument
    out = []
    for other in smfrepo.all_instances(doc):
        inst = _inst(doc, other)
        if other != (svc, iname) and inst['rt']['state'] == 'offline' and smfrepo.effective_enabled(inst) \
                and _depends_on(doc, other[0], other[1], (svc, iname)):
            out.append(inst_fmri(*other))
    return out


def _explain_all(state, doc):
    """Root causes (explain.c determine_causes): maintenance, disabled-but-enabled, stuck offline."""
    causes = []
    for pair in smfrepo.all_instances(doc):
        inst = _inst(doc, pair)
        rt = inst['rt']
        enabled = smfrepo.effective_enabled(inst)
        if rt['state'] == 'maintenance':
            causes.append(pair)
        elif rt['state'] == 'disabled' and (smfrepo.persistent_enabled(inst) or _dependents_down(state, doc, *pair)):
            causes.append(pair)
        elif rt['state'] == 'offline' and enabled:
            service = doc['services'][pair[0]]
            verdict = smfstartd.dependency_status(state, doc, smfrepo.running_view(service, inst))
            if rt['next_state'] != 'none' or verdict[2] == 'absent':
                causes.append(pair)
    causes.sort(key=lambda p: -len(_dependents_down(state, doc, *p)))
    return causes


def svcs(argv, state):  # pylint: disable=too-many-branches,too-many-statements,too-many-locals,too-many-return-statements
    try:
        opts, operands = getopt.getopt(argv, 'aHpvno:R:s:S:dDlL?xZz:')
    except getopt.GetoptError:
        sys.stderr.write(SVCS_USAGE)
        return 2
    flags = [o for o, _v in opts]
    if '-?' in flags:
        sys.stdout.write(SVCS_USAGE)
        return 0
    columns = None
    sorts = []
    for opt, value in opts:
        if opt == '-o':
            columns = []
            for name in value.split(','):
                if name.upper() not in COLUMN_WIDTH:
                    _err('svcs', 'Unknown column "%s".' % name)
                    return 1
                columns.append(name.upper())
            if not columns:
                _err('svcs', 'No columns specified.')
                return 1
        elif opt in ('-s', '-S'):
            for name in value.split(','):
                if name.upper() not in COLUMN_WIDTH:
                    _err('svcs', 'Unrecognized sort column "%s".' % name)
                    return 1
                sorts.append((name.upper(), opt == '-S'))
    header = '-H' not in flags
    if ('-H' in flags and ('-l' in flags or '-x' in flags)) or ('-l' in flags and '-L' in flags) \
            or (('-l' in flags or '-L' in flags) and not operands):
        sys.stderr.write(SVCS_USAGE)
        return 2
    _reconcile(state, blocking=False)
    doc = _load(state)
    now = time.time()
    table = smfstartd.proc_table() if '-p' in flags else {}
    if '-x' in flags:
        if operands:
            pairs, rc = _walk('svcs', doc, operands)
        else:
            pairs, rc = _explain_all(state, doc), 0
        blocks = [_explain(state, doc, s, i, '-v' in flags) for s, i in pairs]
        sys.stdout.write('\n'.join('\n'.join(b) + '\n' for b in blocks))
        return rc
    if '-l' in flags or '-L' in flags:
        pairs, rc = _walk('svcs', doc, operands)
        if '-L' in flags:
            for svc, iname in pairs:
                sys.stdout.write(smfrepo.log_name(svc, iname) + '\n')
        else:
            _long_listing(doc, pairs, '-p' in flags, table, state)
        return rc
    rc = 0
    if operands:
        if '-a' in flags:
            _err('svcs', '-a ignored when used with arguments.')
        pairs, rc = _walk('svcs', doc, operands)
        pairs = list(reversed(pairs))
        if '-d' in flags or '-D' in flags:
            targets = pairs
            pairs = []
            for other in smfrepo.all_instances(doc):
                for target in targets:
                    hit = _depends_on(doc, target[0], target[1], other) if '-d' in flags else _depends_on(doc, other[0], other[1], target)
                    if hit and other not in pairs:
                        pairs.append(other)
    elif '-a' in flags:
        pairs = list(reversed(smfrepo.all_instances(doc)))
    else:
        pairs = [p for p in reversed(smfrepo.all_instances(doc))
                 if smfrepo.effective_enabled(_inst(doc, p)) or smfrepo.persistent_enabled(_inst(doc, p))]
    restarter = [v for o, v in opts if o == '-R']
    if restarter:
        pairs = [p for p in pairs if get_value(smfrepo.current_view(doc['services'][p[0]], _inst(doc, p)), 'general',
                                               'restarter', smfrepo.RESTARTER_FMRI) == restarter[0]]
    if columns is None:
        columns = ['STATE', 'NSTATE', 'STIME', 'CTID', 'FMRI'] if '-v' in flags else ['STATE', 'STIME', 'FMRI']
        if '-Z' in flags:
            columns.insert(0, 'ZONE')
        if not sorts:
            sorts = [('STATE', False), ('STIME', False), ('FMRI', False)]
    nstate_shown = any(c in NSTATE_COLUMNS for c in columns)
    for col, reverse in reversed(sorts):
        pairs.sort(key=lambda p, c=col: _sort_key(c, p[0], p[1], _inst(doc, p), doc), reverse=reverse)
    if header:
        sys.stdout.write(''.join(c.ljust(COLUMN_WIDTH[c]) + ' ' for c in columns).rstrip(' ') + '\n')
    for svc, iname in pairs:
        inst = _inst(doc, (svc, iname))
        row = ''.join(_cell(c, svc, iname, inst, doc, nstate_shown, now) for c in columns)
        sys.stdout.write(row.rstrip(' ') + '\n')
        if '-p' in flags:
            sys.stdout.write(''.join(x + '\n' for x in _proc_lines(inst, table, now)))
    return rc


# ---------------------------------------------------------------- svcprop

SVCPROP_USAGE = ('Usage: svcprop [-fqtv] [-C | -c | -s snapshot] [-z zone] [-p [name/]name]... \n'
                 '         {FMRI | pattern}...\n'
                 '       svcprop -w [-fqtv] [-z zone] [-p [name/]name] {FMRI | pattern}\n')
# UNCONFIRMED: the -w line's exact text (§5 gives the first two lines)


def _restarter_pg(svc, iname, rt):
    props = {'state': smfrepo.prop('astring', rt['state']), 'next_state': smfrepo.prop('astring', rt['next_state']),
             'auxiliary_state': smfrepo.prop('astring', rt.get('aux_state') or 'none'),
             'state_timestamp': smfrepo.prop('time', '%.6f' % rt['stime']),
             'logfile': smfrepo.prop('astring', smfrepo.log_name(svc, iname))}
    if rt.get('ctid'):
        props['contract'] = smfrepo.prop('count', rt['ctid'])
        props['start_pid'] = smfrepo.prop('count', rt['sid'])
    return smfrepo.pg('framework', props, flags=1)


def _entity_view(doc, svc, iname, mode):
    service = doc['services'][svc]
    if iname is None:
        return service['pgs']
    inst = service['instances'][iname]
    if mode == 'C':
        view = dict(inst['pgs'])
    elif mode == 'c':
        view = smfrepo.current_view(service, inst)
    else:
        view = smfrepo.running_view(service, inst)
        for name in ('general_ovr', 'restarter_actions'):
            if name in inst['pgs']:
                view[name] = inst['pgs'][name]
    view['restarter'] = _restarter_pg(svc, iname, inst['rt'])
    return view


def _fmt_values(values):
    return ' '.join(smfstartd.quote_for_shell(v) for v in values)


def svcprop(argv, state):  # pylint: disable=too-many-branches,too-many-locals,too-many-statements
    try:
        opts, operands = getopt.getopt(argv, 'fqtvCcs:z:p:w')
    except getopt.GetoptError:
        sys.stderr.write(SVCPROP_USAGE)
        return 2
    flags = [o for o, _v in opts]
    if not operands:
        sys.stderr.write(SVCPROP_USAGE)
        return 2
    quiet = '-q' in flags
    mode = 'C' if '-C' in flags else ('c' if '-c' in flags else 'r')
    props = [v for o, v in opts if o == '-p']
    doc = _load(state)   # read-only: no lock (a method may call svcprop while a tool holds it)
    entities = []
    rc = 0
    for operand in operands:
        kind, found, pattern = smfrepo.match(doc, operand, services=True)
        if kind != 'exact':
            insts = [p for p in found if p[1] is not None]
            found = insts or found
        if not found:
            if not quiet:
                _err('svcprop', "Pattern '%s' doesn't match any entities" % pattern)
            rc = 1
            continue
        entities += [p for p in found if p not in entities]
    full = '-f' in flags or len(entities) > 1
    out = []
    for svc, iname in entities:
        view = _entity_view(doc, svc, iname, mode)
        fmri = inst_fmri(svc, iname) if iname else svc_fmri(svc)
        what = ('instance `%s\'' % fmri) if iname else ('service `%s\'' % fmri)
        selected = []
        if not props:
            for pgname in sorted(view):
                selected += [(pgname, p) for p in sorted(view[pgname]['props'])]
        for spec in props:
            pgname, _slash, pname = spec.partition('/')
            if pgname not in view:
                if not quiet:
                    _err('svcprop', "Couldn't find property group `%s' for %s." % (pgname, what))
                rc = 1
                continue
            if pname:
                if pname not in view[pgname]['props']:
                    if not quiet:
                        _err('svcprop', "Couldn't find property `%s' for %s." % (spec, what))
                    rc = 1
                    continue
                selected.append((pgname, pname, 'single'))
            else:
                selected += [(pgname, p) for p in sorted(view[pgname]['props'])]
        for item in selected:
            pgname, pname = item[0], item[1]
            value = view[pgname]['props'][pname]
            text = _fmt_values(value['values'])
            if full:
                out.append('%s/:properties/%s/%s %s %s' % (fmri, pgname, pname, value['type'], text))
            elif len(item) == 3 and '-t' not in flags:
                out.append(text)
            else:
                out.append('%s/%s %s %s' % (pgname, pname, value['type'], text))
    if not quiet:
        sys.stdout.write(''.join(line + '\n' for line in out))
    return rc


# ---------------------------------------------------------------- svccfg

SVCCFG_USAGE = 'Usage:\tsvccfg [-v] [-s FMRI] [-f file]\n\tsvccfg [-v] [-s FMRI] <command> [args]\n'


class SemErr(Exception):
    """A svccfg semantic error: printed ``svccfg: <msg>``, exit 1 (svccfg engine semerr, §6.1)."""


class Svccfg:
    """One svccfg run: the selected entity and the commands."""

    def __init__(self, state, verbose, where):
        self.state = state
        self.verbose = verbose
        self.where = where          # message prefix: 'svccfg' or 'svccfg (file, line N)'
        self.selected = None        # (svc, inst|None)

    def msg(self, text):
        sys.stderr.write('%s: %s\n' % (self.where, text))

    def select(self, fmri):
        doc = _load(self.state)
        parsed = smfrepo.split_fmri(fmri)
        if parsed and parsed[0] in doc['services'] and (parsed[1] is None or parsed[1] in doc['services'][parsed[0]]['instances']):
            self.selected = parsed
            return
        # UNCONFIRMED: an abbreviation that names one service selects the service (as `svccfg -s
        # site/foo` does), else it must name exactly one instance
        services = [(s, None) for s in sorted(doc['services']) if smfrepo.cmp_pattern(svc_fmri(s), fmri)]
        if len(services) == 1:
            self.selected = services[0]
            return
        _kind, found, _pattern = smfrepo.match(doc, fmri, services=True)
        if len(found) == 1:
            self.selected = found[0]
            return
        if not found:
            # UNCONFIRMED: svccfg's wording for an -s/select operand that names nothing
            raise SemErr('Pattern \'%s\' doesn\'t match any instances or services' % fmri)
        raise SemErr('Pattern \'%s\' matches multiple instances:' % fmri)

    def run(self, words):  # pylint: disable=too-many-return-statements
        if not words:
            return
        cmd, args = words[0], words[1:]
        handler = getattr(self, 'cmd_' + cmd.replace('-', '_'), None)
        if handler is None:
            raise SemErr('Syntax error.')
        handler(args)

    # --- manifests
    def cmd_validate(self, args):
        if len(args) != 1:
            raise SemErr('Syntax error.')
        target = args[0][5:] if args[0].startswith('file:') else args[0]
        if os.path.isfile(target) or args[0].startswith('file:') or '/' in target and target.endswith('.xml'):
            try:
                smfrepo.read_manifest(target)
            except smfrepo.ManifestError as exc:
                sys.stderr.write(''.join(d + '\n' for d in exc.details))
                self.msg(str(exc))
                raise SemErr('Validation failed.') from exc
            return
        doc = _load(self.state)
        _kind, found, pattern = smfrepo.match(doc, target)
        if not found:
            raise SemErr("Pattern '%s' doesn't match any instances" % pattern)

    def cmd_import(self, args):
        try:
            opts, rest = getopt.getopt(args, 'Vnp:')
        except getopt.GetoptError as exc:
            raise SemErr('Syntax error.') from exc
        if len(rest) != 1:
            raise SemErr('Syntax error.')
        path = rest[0]
        files = [path]
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith('.xml'))
        roots = []
        for name in files:
            try:
                roots.append((name, smfrepo.read_manifest(name)))
            except smfrepo.ManifestError as exc:
                sys.stderr.write(''.join(d + '\n' for d in exc.details))
                raise SemErr(str(exc)) from exc
        with self.state.lock():
            doc = _load(self.state)
            for name, root in roots:
                touched = smfrepo.import_bundle(doc, root, os.path.abspath(name), smfstartd.new_runtime)
                if self.verbose:
                    for svc, iname in touched:
                        self.msg('Taking "initial" snapshot for %s.' % inst_fmri(svc, iname))
                        self.msg('Taking "last-import" snapshot for %s.' % inst_fmri(svc, iname))
                        self.msg('Refreshed %s.' % inst_fmri(svc, iname))
            self.state.save('smf', doc)
        if self.verbose:
            self.msg('Successful import.')
        if os.path.isdir(path):
            sys.stderr.write('Loaded %d smf(5) service descriptions\n' % len(roots))
        del opts
        smfstartd.drive(self.state)

    def cmd_inventory(self, args):
        if len(args) != 1:
            raise SemErr('Syntax error.')
        try:
            root = smfrepo.read_manifest(args[0])
        except smfrepo.ManifestError as exc:
            raise SemErr(str(exc)) from exc
        for name, spec in smfrepo.bundle_services(root).items():
            for iname in spec['instances']:
                sys.stdout.write(inst_fmri(name, iname) + '\n')
            sys.stdout.write(svc_fmri(name) + '\n')

    def cmd_export(self, args):
        args = [a for a in args if a != '-a']
        if len(args) != 1:
            raise SemErr('Syntax error.')
        doc = _load(self.state)
        parsed = smfrepo.split_fmri(args[0])
        if not parsed or parsed[0] not in doc['services']:
            _kind, found, pattern = smfrepo.match(doc, args[0], services=True)
            if not found:
                raise SemErr("Pattern '%s' doesn't match any instances or services" % pattern)
            parsed = found[0]
        if parsed[1] is not None:
            # UNCONFIRMED: the warning's exact wording (§6.5 gives its start)
            self.msg('Only services may be exported; ignoring instance %s.' % parsed[1])
        sys.stdout.write(smfrepo.export_service(parsed[0], doc['services'][parsed[0]]))

    def cmd_delete(self, args):
        force = '-f' in args
        args = [a for a in args if a != '-f']
        if len(args) != 1:
            raise SemErr('Syntax error.')
        target = args[0]
        with self.state.lock():
            doc = _load(self.state)
            parsed = smfrepo.split_fmri(target)
            if parsed and parsed[0] in doc['services'] and (parsed[1] is None or parsed[1] in doc['services'][parsed[0]]['instances']):
                found = [parsed]
            else:
                _kind, found, pattern = smfrepo.match(doc, target, services=True)
                if not found:
                    raise SemErr("Pattern '%s' doesn't match any instances or services" % pattern)
            victims = []
            for svc, iname in found:
                names = [iname] if iname else sorted(doc['services'][svc]['instances'])
                for name in names:
                    rt = doc['services'][svc]['instances'][name]['rt']
                    if rt['state'] in ('online', 'degraded') and not force and not rt.get('non_process'):
                        raise SemErr('Instance %s may be running.  Use delete -f if it is not.' % inst_fmri(svc, name))
                    victims.append((svc, name))
            for svc, name in victims:
                smfrepo.set_enabled(doc['services'][svc]['instances'][name], False, True)
            self.state.save('smf', doc)
        smfstartd.drive(self.state)     # the graph engine disables, then stops (§6.4)
        with self.state.lock():
            doc = _load(self.state)
            for svc, iname in found:
                service = doc['services'].get(svc)
                if service is None:
                    continue
                if iname is None:
                    del doc['services'][svc]
                else:
                    service['instances'].pop(iname, None)
            self.state.save('smf', doc)

    def cmd_list(self, args):
        doc = _load(self.state)
        pattern = args[0] if args else '*'
        if self.selected is None:
            for svc in sorted(doc['services']):
                if fnmatch_any(svc, pattern):
                    sys.stdout.write(svc + '\n')
        elif self.selected[1] is None:
            for iname in sorted(doc['services'][self.selected[0]]['instances']):
                if fnmatch_any(iname, pattern):
                    sys.stdout.write(iname + '\n')

    # --- properties of the selected entity
    def _pgs(self):
        if self.selected is None:
            # UNCONFIRMED: svccfg's message when no entity is selected
            raise SemErr('No entity selected.')
        doc = _load(self.state)
        svc, iname = self.selected
        service = doc['services'].get(svc)
        if service is None or (iname and iname not in service['instances']):
            raise SemErr('No entity selected.')
        return doc, (service['instances'][iname]['pgs'] if iname else service['pgs'])

    def cmd_listprop(self, args):
        _doc, pgs = self._pgs()
        pattern = args[0] if args else None
        rows = []
        for pgname in sorted(pgs):
            group = pgs[pgname]
            if pattern is None or fnmatch_any(pgname, pattern):
                rows.append((pgname, group['type'], None))
            for pname in sorted(group['props']):
                full = '%s/%s' % (pgname, pname)
                if pattern is None or fnmatch_any(full, pattern) or fnmatch_any(pgname, pattern):
                    rows.append((full, group['props'][pname]['type'], group['props'][pname]['values']))
        width = max([len(r[0]) for r in rows] + [0])
        # UNCONFIRMED: svccfg_libscf.c list_pg_info/list_prop_info layout: name padded, two spaces,
        # type padded to 7, two spaces, values (double-quoted when they hold blanks)
        for name, ptype, values in rows:
            if values is None:
                sys.stdout.write('%-*s  %s\n' % (width, name, ptype))
            else:
                shown = ' '.join('"%s"' % v.replace('\\', '\\\\').replace('"', '\\"') if (not v or re.search(r'[\s"]', v)) else v
                                 for v in values)
                sys.stdout.write(('%-*s  %-7s  %s' % (width, name, ptype, shown)).rstrip() + '\n')

    def cmd_listpg(self, args):
        _doc, pgs = self._pgs()
        names = [n for n in sorted(pgs) if not args or fnmatch_any(n, args[0])]
        width = max([len(n) for n in names] + [0])
        # UNCONFIRMED: layout as listprop's group lines, NONPERSISTENT flagged after a tab
        for name in names:
            flag = '\tNONPERSISTENT' if pgs[name].get('flags') else ''
            sys.stdout.write('%-*s  %s%s\n' % (width, name, pgs[name]['type'], flag))

    def cmd_setprop(self, args):  # pylint: disable=too-many-branches
        # setprop pg/name = [type:] value   |   setprop pg/name = [type:] (values ...)
        if len(args) < 3 or args[1] != '=':
            raise SemErr('Syntax error.')
        spec, rest = args[0], args[2:]
        if '/' not in spec:
            raise SemErr('Syntax error.')
        pgname, pname = spec.split('/', 1)
        ptype = None
        if rest[0].endswith(':') and rest[0][:-1] in smfrepo.PROP_TYPES:
            ptype, rest = rest[0][:-1], rest[1:]
        elif ':' in rest[0] and rest[0].split(':', 1)[0] in smfrepo.PROP_TYPES and not rest[0].startswith('('):
            ptype, first = rest[0].split(':', 1)
            rest = ([first] if first else []) + rest[1:]
        elif rest[0].endswith(':'):
            raise SemErr('Unknown type "%s".' % rest[0][:-1])
        if rest and rest[0].startswith('('):
            joined = ' '.join(rest)
            if not joined.endswith(')'):
                raise SemErr('Syntax error.')
            values = shlex.split(joined[1:-1])
        elif len(rest) == 1:
            values = [rest[0]]
        else:
            raise SemErr('Syntax error.')
        with self.state.lock():
            doc, pgs = self._pgs()
            group = pgs.get(pgname)
            if group is None:
                raise SemErr('No such property group "%s".' % pgname)
            if ptype is None:
                if pname not in group['props']:
                    raise SemErr('Type required for new properties.')
                ptype = group['props'][pname]['type']
            for value in values:
                _check_value(ptype, value)
            group['props'][pname] = smfrepo.prop(ptype, *values)
            self.state.save('smf', doc)

    def cmd_delprop(self, args):
        if len(args) != 1:
            raise SemErr('Syntax error.')
        with self.state.lock():
            doc, pgs = self._pgs()
            pgname, _slash, pname = args[0].partition('/')
            if pgname not in pgs or (pname and pname not in pgs[pgname]['props']):
                # UNCONFIRMED: the wording for a missing property
                raise SemErr('No such property %s.' % args[0])
            if pname:
                del pgs[pgname]['props'][pname]
            else:
                del pgs[pgname]
            self.state.save('smf', doc)

    def cmd_addpg(self, args):
        if len(args) not in (2, 3):
            raise SemErr('Syntax error.')
        with self.state.lock():
            doc, pgs = self._pgs()
            if args[0] in pgs:
                # UNCONFIRMED: the wording when the group exists
                raise SemErr('Property group "%s" already exists.' % args[0])
            pgs[args[0]] = smfrepo.pg(args[1], flags=1 if len(args) == 3 and 'P' in args[2] else 0)
            self.state.save('smf', doc)

    def cmd_delpg(self, args):
        self.cmd_delprop(args[:1])

    def cmd_setenv(self, args):
        opts, rest = getopt.getopt(args, 'ism:')
        if len(rest) != 2:
            raise SemErr('Syntax error.')
        method = dict(opts).get('-m')
        with self.state.lock():
            doc, pgs = self._pgs()
            pgname = method or 'method_context'
            group = pgs.setdefault(pgname, smfrepo.pg('method' if method else 'framework'))
            env = [e for e in group['props'].get('environment', {'values': []})['values'] if e.split('=', 1)[0] != rest[0]]
            group['props']['environment'] = smfrepo.prop('astring', *(env + ['%s=%s' % (rest[0], rest[1])]))
            self.state.save('smf', doc)

    def cmd_refresh(self, args):
        del args
        if self.selected is None:
            raise SemErr('No entity selected.')
        with self.state.lock():
            doc = _load(self.state)
            svc, iname = self.selected
            service = doc['services'][svc]
            for name in ([iname] if iname else sorted(service['instances'])):
                smfrepo.take_snapshot(service, service['instances'][name])
                service['instances'][name]['rt']['pending'].append('refresh')
            self.state.save('smf', doc)
        smfstartd.drive(self.state)

    def cmd_select(self, args):
        if len(args) != 1:
            raise SemErr('Syntax error.')
        self.select(args[0])

    def cmd_unselect(self, args):
        del args
        if self.selected and self.selected[1]:
            self.selected = (self.selected[0], None)
        else:
            self.selected = None


def fnmatch_any(name, pattern):
    return fnmatch.fnmatchcase(name, pattern)


def _check_value(ptype, value):
    ok = True
    if ptype == 'boolean':
        ok = value in ('true', 'false')
    elif ptype == 'count':
        ok = value.isdigit()
    elif ptype == 'integer':
        ok = value.lstrip('-').isdigit()
    if not ok:
        # UNCONFIRMED: svccfg's wording for a value that does not fit its type
        raise SemErr('Invalid %s value "%s".' % (ptype, value))


def svccfg(argv, state):
    try:
        opts, args = getopt.getopt(argv, 'vs:f:')
    except getopt.GetoptError:
        sys.stderr.write(SVCCFG_USAGE)
        return 2
    opts = dict(opts)
    engine = Svccfg(state, '-v' in opts, 'svccfg')
    try:
        if '-s' in opts:
            engine.select(opts['-s'])
        if '-f' in opts:
            with open(opts['-f'], encoding='utf-8') as handle:
                lines = handle.read().splitlines()
            for number, text in enumerate(lines, 1):
                engine.where = 'svccfg (%s, line %d)' % (opts['-f'], number)
                words = shlex.split(text, comments=True)
                engine.run(words)
            return 0
        if not args:
            # UNCONFIRMED: interactive mode is not simulated; with no command, read commands from stdin
            for text in sys.stdin.read().splitlines():
                engine.run(shlex.split(text, comments=True))
            return 0
        # the remaining words are joined and parsed as one command (§6.1)
        engine.run(shlex.split(' '.join(args)))
    except SemErr as exc:
        engine.msg(str(exc))
        return 1
    except ValueError:
        engine.msg('Syntax error.')
        return 1
    return 0


# ---------------------------------------------------------------- entry point

def main(tool, argv, state):
    if tool == 'svcs':
        return svcs(argv, state)
    if tool == 'svcadm':
        return svcadm(argv, state)
    if tool == 'svcprop':
        return svcprop(argv, state)
    return svccfg(argv, state)
