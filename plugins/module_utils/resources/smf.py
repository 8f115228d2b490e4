# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An SMF service from a manifest: imported, enabled/disabled/restarted/refreshed or absent.

Follows the flow of :mod:`.base` (read, plan, apply, result). The read is one ``svcs`` call
plus local file reads: the manifest, the copy of the manifest last imported (the *record*) and
the persisted copy in ``/opt/custom/smf``.

The record: SMF keeps no trace of the file a service came from that a single read could compare
with the desired manifest, so the module keeps a copy of what it imported in
``/etc/svc/volatile/smartstack`` -- a tmpfs on SmartOS, emptied at boot exactly like the SMF
changes of the global zone ("Any changes you make to SMF services are reset with each reboot",
pkgsrc_nova_facts.md §2). After a reboot the persisted copy (imported again at boot from
``/opt/custom/smf``) takes its place. A change made to the service by hand with ``svccfg`` is not
detected (documented in the module).

Waiting: after a write the instances are polled with ``svcs`` until they are ``online`` (or
``disabled``), up to ``timeout`` seconds; ``maintenance`` fails at once with the tail of the
instance's log (smartos_smf_zones.md §7, §8).
"""

from __future__ import annotations

import os
import tempfile
import time
import xml.etree.ElementTree as ET

from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos import smf as smfcmd
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError

RECORD_DIR = '/etc/svc/volatile/smartstack'
PERSIST_DIR = '/opt/custom/smf'
RUNNING = ('online', 'degraded')


def parse_manifest(data, source='the manifest'):
    """``{service name: {instance name: enabled (bool)}}`` of a service bundle (DTD, §6.6).

    Only what the module needs; ``svccfg validate`` is the judge of validity. ``source`` names
    where the bytes came from (the option and its value) in the errors.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ResourceError('%s is not well-formed XML: %s' % (source, exc))
    if root.tag != 'service_bundle':
        raise ResourceError('%s is not a service bundle (its root element is <%s>)' % (source, root.tag))
    services = {}
    for service in root.findall('service'):
        name = service.get('name')
        if not name:
            raise ResourceError('a <service> of the manifest has no name')
        instances = {}
        default = service.find('create_default_instance')
        if default is not None:
            instances['default'] = default.get('enabled') == 'true'
        for inst in service.findall('instance'):
            instances[inst.get('name')] = inst.get('enabled') == 'true'
        services[name] = instances
    if not services:
        raise ResourceError('the manifest defines no service')
    return services


def tail(path, lines):
    """The last ``lines`` lines of a text file ('' when it cannot be read)."""
    try:
        with open(path, 'rb') as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 65536))
            data = handle.read().decode('utf-8', 'replace')
    except (IOError, OSError):
        return ''
    return '\n'.join(data.splitlines()[-lines:]) if lines > 0 else ''


def _read_bytes(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


class SmfService(object):  # pylint: disable=too-many-instance-attributes
    """One SMF service (all instances of the bundle's services, or the named instance)."""

    def __init__(self, module, smf, name=None, manifest=None, content=None, state='enabled', persist=False,
                 persist_dir=PERSIST_DIR, timeout=60, log_lines=20, restart_on_change=True, record_dir=RECORD_DIR):
        self.module = module
        self.smf = smf
        self.state = state
        self.manifest = manifest
        self.persist = persist
        self.persist_dir = persist_dir
        self.timeout = timeout
        self.log_lines = log_lines
        self.restart_on_change = restart_on_change
        self.record_dir = record_dir
        self.desired = None
        self.bundle = None
        if content is not None:
            self.desired = content.encode('utf-8')
        elif manifest is not None:
            if not os.path.isfile(manifest):
                raise ResourceError('manifest %s does not exist on the host' % manifest)
            self.desired = _read_bytes(manifest)
            if self.desired is None:
                raise ResourceError('manifest %s cannot be read' % manifest)
        self.instance = None
        if self.desired is not None:
            self.bundle = parse_manifest(self.desired, 'content' if content is not None else 'manifest %s' % manifest)
            self.services = sorted(self.bundle)
            if name is not None:
                service, instance = smfcmd.split(name)
                if service not in self.bundle:
                    raise ResourceError('name %s is not a service of the manifest (it defines %s)' % (name, ', '.join(self.services)))
                self.services = [service]
                self.instance = instance
        elif name is not None:
            service, self.instance = smfcmd.split(name)
            self.services = [service]
        else:
            raise ResourceError('one of name, manifest or content is required')
        if self.instance is not None and self.bundle is not None and self.instance not in self.bundle[self.services[0]]:
            raise ResourceError('the manifest defines no instance %s of %s' % (self.instance, self.services[0]))
        key = self.services[0].replace('/', '-')
        self.record_path = os.path.join(record_dir, key + '.xml')
        if manifest is not None and os.path.dirname(os.path.abspath(manifest)) == os.path.abspath(persist_dir):
            self.persist_path = os.path.abspath(manifest)
        else:
            self.persist_path = os.path.join(persist_dir, key + '.xml')

    # ------------------------------------------------------------------ read
    def operands(self):
        if self.instance is not None:
            return ['svc:/%s:%s' % (self.services[0], self.instance)]
        return ['svc:/%s' % s for s in self.services]

    def read(self):
        states = self.smf.states(self.operands())
        record = _read_bytes(self.record_path)
        persisted = _read_bytes(self.persist_path)
        return {'instances': states, 'imported': record if record is not None else persisted, 'persisted': persisted}

    def wanted_fmris(self, actual):
        """The instances the module acts on: those the manifest defines, else those that exist."""
        if self.bundle is None:
            return sorted(actual['instances'])
        fmris = []
        for service in self.services:
            for instance in sorted(self.bundle[service]):
                if self.instance is None or instance == self.instance:
                    fmris.append('svc:/%s:%s' % (service, instance))
        return fmris

    # ------------------------------------------------------------------ plan
    def plan(self, actual):  # pylint: disable=too-many-branches,too-many-statements
        plan = Plan()
        current = actual['instances']
        plan.before = self._view(current, actual['imported'])
        if self.state == 'absent':
            return self._plan_absent(plan, actual)
        if self.bundle is None and not current:
            raise ResourceError('service %s does not exist and no manifest or content was given to import it' % self.operands()[0])
        fmris = self.wanted_fmris(actual)
        predicted = {}
        for fmri in fmris:
            if fmri in current:
                predicted[fmri] = current[fmri]['state']
            else:
                service, instance = smfcmd.split(fmri)
                predicted[fmri] = 'online' if self.bundle[service][instance] else 'disabled'
        new = [f for f in fmris if f not in current]
        need_import = self.bundle is not None and (bool(new) or actual['imported'] != self.desired)
        if need_import:
            self._validate()
            plan.add('validate and import the manifest of %s' % ', '.join('svc:/' + s for s in self.services), self._import)
        changed_running = [f for f in fmris if f in current and need_import and current[f]['state'] in RUNNING]
        if self.state == 'enabled':
            maint = [f for f in fmris if predicted[f] == 'maintenance']
            off = [f for f in fmris if predicted[f] not in RUNNING and predicted[f] != 'maintenance']
            if maint:
                plan.add('clear the maintenance state of %s' % ', '.join(maint), lambda: self.smf.clear(maint))
            if off:
                plan.add('enable %s' % ', '.join(off), lambda: self.smf.enable(off))
            if changed_running and self.restart_on_change:
                plan.add('restart %s for the new manifest' % ', '.join(changed_running), lambda: self.smf.restart(changed_running))
            for fmri in fmris:
                predicted[fmri] = 'online'
            if plan.steps:
                plan.add('wait until %s online' % ', '.join(fmris), lambda: self._wait(fmris, 'online'))
        elif self.state == 'disabled':
            on = [f for f in fmris if predicted[f] != 'disabled']
            if on:
                plan.add('disable %s' % ', '.join(on), lambda: self.smf.disable(on))
                plan.add('wait until %s disabled' % ', '.join(on), lambda: self._wait(on, 'disabled'))
            for fmri in fmris:
                predicted[fmri] = 'disabled'
        elif self.state == 'restarted':
            running = [f for f in fmris if predicted[f] in RUNNING and f in current]
            maint = [f for f in fmris if predicted[f] == 'maintenance']
            off = [f for f in fmris if f not in running and f not in maint and predicted[f] not in RUNNING]
            if running:
                plan.add('restart %s' % ', '.join(running), lambda: self.smf.restart(running))
            if maint:
                plan.add('clear the maintenance state of %s' % ', '.join(maint), lambda: self.smf.clear(maint))
            if off:
                plan.add('enable %s' % ', '.join(off), lambda: self.smf.enable(off))
            plan.add('wait until %s online' % ', '.join(fmris), lambda: self._wait(fmris, 'online'))
            for fmri in fmris:
                predicted[fmri] = 'online'
        elif self.state == 'refreshed':
            plan.add('refresh %s' % ', '.join(fmris), lambda: self.smf.refresh(fmris))
        if self.persist and actual['persisted'] != self.desired and self.bundle is not None:
            plan.add('persist the manifest as %s' % self.persist_path, self._persist)
        elif not self.persist and actual['persisted'] is not None and self.bundle is not None \
                and self.persist_path != (os.path.abspath(self.manifest) if self.manifest else None):
            plan.add('remove the persisted manifest %s' % self.persist_path, lambda: self._remove(self.persist_path))
        plan.after = self._view(dict((f, {'state': predicted[f]}) for f in fmris),
                                self.desired if self.bundle is not None else actual['imported'])
        return plan

    def _plan_absent(self, plan, actual):
        current = actual['instances']
        if current:
            fmris = sorted(current)
            running = [f for f in fmris if current[f]['state'] != 'disabled']
            if running:
                plan.add('disable %s' % ', '.join(running), lambda: self.smf.disable(running))
                plan.add('wait until %s disabled' % ', '.join(running), lambda: self._wait(running, 'disabled'))
            targets = self.operands()
            plan.add('delete %s' % ', '.join(targets), lambda: [self.smf.delete(t) for t in targets])
        if actual['persisted'] is not None:
            plan.add('remove the persisted manifest %s' % self.persist_path, lambda: self._remove(self.persist_path))
        if plan.steps or os.path.exists(self.record_path):
            # the record is the module's own bookkeeping, not a change of the host
            if not plan.steps and not self.module.check_mode:
                self._remove(self.record_path)
            elif plan.steps:
                plan.add('forget the imported manifest', lambda: self._remove(self.record_path))
        plan.after = self._view({}, None)
        return plan

    @staticmethod
    def _text(data):
        return data.decode('utf-8', 'replace') if data is not None else ''

    def _view(self, instances, imported):
        """``--diff`` text: one comment line per instance and its state, then the imported manifest."""
        lines = ['# %s: %s\n' % (f, v['state']) for f, v in sorted(instances.items())]
        return ''.join(lines) + self._text(imported)

    # ------------------------------------------------------------------ writes
    def _tempfile(self, data):
        """A private (0600) file holding ``data``; the caller removes it."""
        fd, path = tempfile.mkstemp(prefix='smartstack-smf-', suffix='.xml', dir=getattr(self.module, 'tmpdir', None))
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        return path

    def _with_manifest_file(self, action):
        if self.manifest is not None and _read_bytes(self.manifest) == self.desired:
            return action(self.manifest)
        path = self._tempfile(self.desired)
        try:
            return action(path)
        finally:
            os.unlink(path)

    def _validate(self):
        try:
            self._with_manifest_file(self.smf.validate)
        except SmartOSCommandError as exc:
            raise ResourceError('the manifest is not valid (svccfg validate): %s' % exc.message, rc=exc.rc, stderr=exc.stderr)

    def _import(self):
        self._with_manifest_file(self.smf.import_manifest)
        self._write(self.record_path, self.desired, 0o600)

    def _persist(self):
        self._write(self.persist_path, self.desired, 0o644)

    def _write(self, path, data, mode):
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        fd, tmp = tempfile.mkstemp(prefix='.smartstack-', dir=directory)
        try:
            os.write(fd, data)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        try:
            os.rename(tmp, path)
        except OSError:
            os.unlink(tmp)
            raise

    @staticmethod
    def _remove(path):
        try:
            os.unlink(path)
        except OSError:
            pass

    def _wait(self, fmris, target):
        """Poll ``svcs`` until every instance is ``target`` (online: or degraded); fail on maintenance."""
        deadline = time.time() + self.timeout
        while True:
            states = self.smf.states(fmris)
            settled = []
            for fmri in fmris:
                info = states.get(fmri)
                if info is None:
                    raise ResourceError('%s disappeared while waiting for it to be %s' % (fmri, target))
                if info['state'] == 'maintenance' and target == 'online':
                    self._forget()
                    log = smfcmd.log_path(fmri)
                    lines = tail(log, self.log_lines)
                    raise ResourceError('%s went to maintenance instead of %s; the last lines of %s:\n%s' % (fmri, target, log, lines),
                                        fmri=fmri, logfile=log, log=lines.splitlines(), explain=self.smf.explain([fmri]).splitlines())
                ok = info['state'] in RUNNING if target == 'online' else info['state'] == target
                settled.append(ok and info['next_state'] is None)
            if all(settled):
                return
            if time.time() >= deadline:
                pending = ', '.join('%s is %s' % (f, states[f]['state']) for f, ok in zip(fmris, settled) if not ok)
                if target == 'online':
                    self._forget()
                raise ResourceError('timed out after %s s waiting for %s to be %s: %s' % (self.timeout, ', '.join(fmris), target, pending),
                                    explain=self.smf.explain(fmris).splitlines())
            time.sleep(1)

    def _forget(self):
        """A service that failed is imported again next time (the record would hide the failure)."""
        self._remove(self.record_path)

    # ------------------------------------------------------------------ result
    def result(self, actual, plan, applied):
        if applied:
            services = self.smf.list(self.operands()) if self.state != 'absent' else []
        else:
            services = [dict(fmri=f, state=v['state'], next_state=v['next_state']) for f, v in sorted(actual['instances'].items())]
        for service in services:
            service['logfile'] = smfcmd.log_path(service['fmri'])
        return {
            'services': services,
            'fmris': ['svc:/%s' % s for s in self.services],
            'persist_path': self.persist_path if self.persist else None,
        }
