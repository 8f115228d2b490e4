# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SMF: ``svcs``, ``svcadm`` and ``svccfg`` as argument lists in, parsed output out.

Nothing here knows OCCI. Reference: smartos_smf_zones.md (cited as §N): FMRI forms §1, states §2,
svcadm §3, svcs §4, svccfg §6, log files §8.

API:

- ``Smf(runner).states(operands)`` -> ``{fmri: {'state': ..., 'next_state': ...}}`` from
  ``svcs -H -o state,nstate,fmri``; an operand that matches nothing is simply absent (svcs
  exits 1 with ``Pattern '...' doesn't match any instances``, §4.2); any other failure raises.
- ``Smf(runner).list(operands=None, all_instances=False)`` -> list of dicts (state, next_state,
  stime, ctid, fmri) from ``svcs -H -o state,nstate,stime,ctid,fmri [-a]``.
- ``validate(path)``, ``import_manifest(path)``, ``delete(fmri, force)`` (svccfg);
  ``enable(fmris)``, ``disable(fmris)``, ``restart(fmris)``, ``refresh(fmris)``, ``clear(fmris)``
  (svcadm, asynchronous on a real SmartOS, §3.3); ``explain(fmris)`` (``svcs -x``).
- ``log_path(fmri)``: ``/var/svc/log/<service>:<instance>.log`` with ``/`` -> ``-`` (§8).
- ``canonical(fmri)``: ``svc:/<service>[:<instance>]`` from the short and long forms (§1.1).
"""

from __future__ import annotations

import re

from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError

LOG_DIR = '/var/svc/log'
# svcs / svcadm / svccfg, when an operand names nothing (§1.2, libscf error.c scf_get_msg)
NO_MATCH = re.compile(r"Pattern '(.*)' doesn't match any instances( or services)?$")
STATES = ('uninitialized', 'offline', 'online', 'degraded', 'maintenance', 'disabled', 'legacy_run')


def canonical(fmri):
    """``site/foo``, ``svc:/site/foo``, ``svc://localhost/site/foo`` -> ``svc:/site/foo`` (§1.1)."""
    fmri = fmri.strip()
    if fmri.startswith('svc://localhost/'):
        fmri = fmri[len('svc://localhost/'):]
    elif fmri.startswith('svc:/'):
        fmri = fmri[len('svc:/'):]
    return 'svc:/' + fmri.lstrip('/')


def split(fmri):
    """``svc:/site/foo:default`` -> ``('site/foo', 'default')``; ``svc:/site/foo`` -> ``('site/foo', None)``."""
    body = canonical(fmri)[len('svc:/'):]
    if ':' in body:
        service, instance = body.split(':', 1)
        return service, instance
    return body, None


def log_path(fmri):
    """The instance's log file: ``svc:/site/foo:default`` -> ``/var/svc/log/site-foo:default.log`` (§8)."""
    service, instance = split(fmri)
    return '%s/%s:%s.log' % (LOG_DIR, service.replace('/', '-'), instance or 'default')


class Smf(object):
    """The SMF commands the resources need."""

    def __init__(self, runner):
        self.runner = runner
        # the operands the last svcs named as matching nothing (globs with svc:/ prepended, §1.2)
        self.last_unmatched = []

    def _svcs(self, columns, operands, all_instances=False):
        args = ['-H', '-o', ','.join(columns)] + (['-a'] if all_instances and not operands else []) + list(operands or [])
        rc, out, err = self.runner.run('svcs', args, ok_rcs=(0, 1))
        self.last_unmatched = [m.group(1) for m in (NO_MATCH.search(line) for line in err.splitlines()) if m]
        if rc != 0:
            # svcs lists what matched and exits 1 when an operand matched nothing (§4.2, §4.6);
            # anything else on stderr is a real failure
            others = [line for line in err.splitlines() if line.strip() and not NO_MATCH.search(line)]
            if others or not operands:
                raise SmartOSCommandError(['svcs'] + args, rc, out, err)
        rows = []
        for line in out.splitlines():
            fields = line.split()
            if len(fields) != len(columns):
                raise SmartOSCommandError(['svcs'] + args, rc, out, err,
                                          'svcs printed a line that is not %s: %r' % (','.join(columns), line))
            rows.append(dict(zip(columns, fields)))
        return rows

    def states(self, operands):
        """``{fmri: {'state', 'next_state'}}`` of every instance the operands match."""
        result = {}
        for row in self._svcs(['state', 'nstate', 'fmri'], operands):
            result[row['fmri']] = {'state': row['state'], 'next_state': None if row['nstate'] == '-' else row['nstate']}
        return result

    def list(self, operands=None, all_instances=False):
        """Instances with state, next_state, stime, ctid (None without a contract) and fmri."""
        rows = []
        for row in self._svcs(['state', 'nstate', 'stime', 'ctid', 'fmri'], operands, all_instances):
            rows.append({
                'fmri': row['fmri'],
                'state': row['state'],
                'next_state': None if row['nstate'] == '-' else row['nstate'],
                'stime': row['stime'],
                'ctid': None if row['ctid'] == '-' else int(row['ctid']),
            })
        return rows

    def explain(self, fmris):
        """``svcs -x``: why instances are not online (free text, for error messages)."""
        _rc, out, _err = self.runner.run('svcs', ['-x'] + list(fmris), ok_rcs=(0, 1))
        return out

    # svccfg (§6): silent on success, ``svccfg: <message>`` and exit 1 on failure
    def validate(self, path):
        self.runner.run('svccfg', ['validate', path])

    def import_manifest(self, path):
        self.runner.run('svccfg', ['import', path])

    def delete(self, fmri, force=False):
        self.runner.run('svccfg', ['delete'] + (['-f'] if force else []) + [fmri])

    # svcadm (§3): persistent enable/disable only; -t would not survive a reboot (§2.3)
    def enable(self, fmris):
        self.runner.run('svcadm', ['enable'] + list(fmris))

    def disable(self, fmris):
        self.runner.run('svcadm', ['disable'] + list(fmris))

    def restart(self, fmris):
        self.runner.run('svcadm', ['restart'] + list(fmris))

    def refresh(self, fmris):
        self.runner.run('svcadm', ['refresh'] + list(fmris))

    def clear(self, fmris):
        self.runner.run('svcadm', ['clear'] + list(fmris))
