# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SMF services from manifests (resources/smf.py) against a recording fake SMF.

The fake behaves as svc.startd does in the cases the resource relies on (reference
smartos_smf_zones.md §2.2: an imported instance with enabled='true' starts, enable does not clear
maintenance, restart acts on online instances; §6.2: re-import keeps general/enabled), and
records each call, so the tests hold the resource to one read when nothing changes.
"""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.smartstack.smartos.plugins.module_utils.resources import smf as resource
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import ResourceError
from ansible_collections.smartstack.smartos.plugins.module_utils.smartos import smf as smfcmd

MANIFEST = """<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="foo">
  <service name="site/foo" type="service" version="1">
    <create_default_instance enabled="%s"/>
    <exec_method type="method" name="start" exec="%s" timeout_seconds="10"/>
    <exec_method type="method" name="stop" exec=":kill" timeout_seconds="10"/>
  </service>
</service_bundle>
"""
FMRI = 'svc:/site/foo:default'


def manifest(enabled=True, start='/opt/foo/bin/foo &amp;'):
    return MANIFEST % ('true' if enabled else 'false', start)


class FakeModule(object):
    def __init__(self, tmpdir, check_mode=False):
        self.tmpdir = str(tmpdir)
        self.check_mode = check_mode


class FakeSmf(object):
    """Smf's interface over an in-memory repository: {fmri: state}."""

    def __init__(self, instances=None, failing=()):
        self.instances = dict(instances or {})
        self.failing = set(failing)     # instances whose start method fails (-> maintenance)
        self.calls = []
        self.seen_files = []

    def _start(self, fmri):
        self.instances[fmri] = 'maintenance' if fmri in self.failing else 'online'

    def states(self, operands):
        self.calls.append(('states', tuple(operands)))
        return dict((f, {'state': s, 'next_state': None}) for f, s in self.instances.items()
                    if any(f == o or f.startswith(o + ':') for o in operands))

    def list(self, operands=None, all_instances=False):
        self.calls.append(('list', tuple(operands or ())))
        return [dict(fmri=f, state=s, next_state=None, stime='10:00:00', ctid=None) for f, s in sorted(self.instances.items())]

    def explain(self, fmris):
        self.calls.append(('explain', tuple(fmris)))
        return 'Reason: Start method exited with $SMF_EXIT_ERR_CONFIG.\n'

    def _file(self, path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        self.seen_files.append((path, mode, text))
        return text

    def validate(self, path):
        self.calls.append(('validate',))
        if '<!DOCTYPE' not in self._file(path):
            from ansible_collections.smartstack.smartos.plugins.module_utils.smartos.command import SmartOSCommandError
            raise SmartOSCommandError(['svccfg', 'validate', path], 1, '', 'svccfg: document has no DTD\nsvccfg: Validation failed.\n')

    def import_manifest(self, path):
        self.calls.append(('import',))
        bundle = resource.parse_manifest(self._file(path).encode('utf-8'))
        for service, instances in bundle.items():
            for name, enabled in instances.items():
                fmri = 'svc:/%s:%s' % (service, name)
                if fmri not in self.instances:     # re-import keeps the enabled state (§6.2)
                    self.instances[fmri] = 'disabled'
                    if enabled:
                        self._start(fmri)

    def enable(self, fmris):
        self.calls.append(('enable', tuple(fmris)))
        for fmri in fmris:
            if self.instances[fmri] == 'disabled':
                self._start(fmri)

    def disable(self, fmris):
        self.calls.append(('disable', tuple(fmris)))
        for fmri in fmris:
            self.instances[fmri] = 'disabled'

    def restart(self, fmris):
        self.calls.append(('restart', tuple(fmris)))
        for fmri in fmris:
            if self.instances[fmri] == 'online':
                self._start(fmri)

    def refresh(self, fmris):
        self.calls.append(('refresh', tuple(fmris)))

    def clear(self, fmris):
        self.calls.append(('clear', tuple(fmris)))
        for fmri in fmris:
            self._start(fmri)

    def delete(self, fmri, force=False):
        self.calls.append(('delete', fmri))
        for key in [k for k in self.instances if k.startswith(fmri + ':')]:
            del self.instances[key]


@pytest.fixture
def dirs(tmp_path):
    paths = {name: tmp_path / name for name in ('record', 'persist', 'tmp')}
    for path in paths.values():
        path.mkdir()
    return paths


def service(fake, dirs, check_mode=False, **kwargs):
    kwargs.setdefault('timeout', 0)
    return resource.SmfService(FakeModule(dirs['tmp'], check_mode), fake, record_dir=str(dirs['record']),
                               persist_dir=str(dirs['persist']), **kwargs)


def converge(svc):
    actual = svc.read()
    plan = svc.plan(actual)
    plan.apply()
    return plan, svc.result(actual, plan, applied=plan.changed)


def test_parse_manifest():
    assert resource.parse_manifest(manifest().encode()) == {'site/foo': {'default': True}}
    assert resource.parse_manifest(manifest(enabled=False).encode()) == {'site/foo': {'default': False}}
    with pytest.raises(ResourceError, match='not well-formed XML'):
        resource.parse_manifest(b'<service_bundle><service')
    with pytest.raises(ResourceError, match='not a service bundle'):
        resource.parse_manifest(b'<foo/>')
    # the error names the option the bytes came from
    with pytest.raises(ResourceError, match='^content is not well-formed XML'):
        resource.parse_manifest(b'<not XML>', 'content')
    with pytest.raises(ResourceError, match='^manifest /x.xml is not a service bundle'):
        resource.parse_manifest(b'<foo/>', 'manifest /x.xml')
    with pytest.raises(ResourceError, match='defines no service'):
        resource.parse_manifest(b'<service_bundle type="manifest" name="x"/>')


def test_create_validates_imports_waits_and_persists(dirs):
    fake = FakeSmf()
    plan, result = converge(service(fake, dirs, content=manifest(), persist=True))
    assert plan.describe() == ['validate and import the manifest of svc:/site/foo', 'wait until %s online' % FMRI,
                               'persist the manifest as %s/site-foo.xml' % dirs['persist']]
    assert [c[0] for c in fake.calls] == ['states', 'validate', 'import', 'states', 'list']
    assert fake.instances == {FMRI: 'online'}
    assert (dirs['persist'] / 'site-foo.xml').read_text() == manifest()
    assert stat.S_IMODE(os.stat(dirs['persist'] / 'site-foo.xml').st_mode) == 0o644
    assert (dirs['record'] / 'site-foo.xml').read_text() == manifest()
    assert stat.S_IMODE(os.stat(dirs['record'] / 'site-foo.xml').st_mode) == 0o600
    # the content went to svccfg through private temporary files, removed afterwards
    assert [mode for _path, mode, _text in fake.seen_files] == [0o600, 0o600]
    assert not any(os.path.exists(path) for path, _mode, _text in fake.seen_files)
    assert os.listdir(dirs['tmp']) == []
    assert result['services'][0]['state'] == 'online'
    assert result['services'][0]['logfile'] == '/var/svc/log/site-foo:default.log'
    assert plan.before == ''
    assert plan.after.startswith('# %s: online\n<?xml' % FMRI)


def test_idempotent_is_one_read(dirs):
    fake = FakeSmf()
    converge(service(fake, dirs, content=manifest(), persist=True))
    fake.calls = []
    plan, result = converge(service(fake, dirs, content=manifest(), persist=True))
    assert not plan.changed
    assert fake.calls == [('states', ('svc:/site/foo',))]
    assert result['services'] == [{'fmri': FMRI, 'state': 'online', 'next_state': None, 'logfile': '/var/svc/log/site-foo:default.log'}]


def test_after_a_reboot_the_persisted_copy_stands_for_the_record(dirs):
    """/etc/svc/volatile is emptied at boot; the boot imported /opt/custom/smf again."""
    fake = FakeSmf()
    converge(service(fake, dirs, content=manifest(), persist=True))
    os.unlink(str(dirs['record'] / 'site-foo.xml'))
    fake.calls = []
    plan, _result = converge(service(fake, dirs, content=manifest(), persist=True))
    assert not plan.changed
    assert len(fake.calls) == 1


def test_check_mode_validates_and_writes_nothing(dirs):
    fake = FakeSmf()
    svc = service(fake, dirs, check_mode=True, content=manifest(), persist=True)
    actual = svc.read()
    plan = svc.plan(actual)
    assert plan.changed
    assert [c[0] for c in fake.calls] == ['states', 'validate']
    assert fake.instances == {}
    assert os.listdir(dirs['persist']) == [] and os.listdir(dirs['record']) == [] and os.listdir(dirs['tmp']) == []


def test_invalid_manifest_is_refused_before_any_write(dirs):
    fake = FakeSmf()
    bad = manifest().replace('<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">\n', '')
    svc = service(fake, dirs, content=bad)
    with pytest.raises(ResourceError) as caught:
        svc.plan(svc.read())
    assert caught.value.message == 'the manifest is not valid (svccfg validate): svccfg: document has no DTD\nsvccfg: Validation failed.'
    assert [c[0] for c in fake.calls] == ['states', 'validate']
    assert os.listdir(dirs['tmp']) == []


def test_changed_manifest_restarts_running_instances(dirs):
    fake = FakeSmf()
    converge(service(fake, dirs, content=manifest()))
    fake.calls = []
    plan, _result = converge(service(fake, dirs, content=manifest(start='/opt/foo/bin/foo -v &amp;')))
    assert plan.describe() == ['validate and import the manifest of svc:/site/foo', 'restart %s for the new manifest' % FMRI,
                               'wait until %s online' % FMRI]
    assert '-v &amp;' not in plan.before and '-v &amp;' in plan.after


def test_maintenance_fails_with_the_log_tail_and_is_not_remembered(dirs, tmp_path, monkeypatch):
    log_dir = tmp_path / 'log'
    log_dir.mkdir()
    lines = ''.join('line %d\n' % i for i in range(30)) + '[ Nov 25 09:49:40 Method "start" exited with status 96. ]\n'
    (log_dir / 'site-foo:default.log').write_text(lines)
    monkeypatch.setattr(smfcmd, 'LOG_DIR', str(log_dir))
    fake = FakeSmf(failing=[FMRI])
    svc = service(fake, dirs, content=manifest(), persist=True, log_lines=3)
    plan = svc.plan(svc.read())
    with pytest.raises(ResourceError) as caught:
        plan.apply()
    assert caught.value.message == ('%s went to maintenance instead of online; the last lines of %s/site-foo:default.log:\n'
                                    'line 28\nline 29\n[ Nov 25 09:49:40 Method "start" exited with status 96. ]' % (FMRI, log_dir))
    assert caught.value.details['explain'] == ['Reason: Start method exited with $SMF_EXIT_ERR_CONFIG.']
    assert os.listdir(dirs['record']) == []      # imported again next time
    assert os.listdir(dirs['persist']) == []     # a failing service does not come back at boot


def test_enabled_clears_maintenance(dirs):
    fake = FakeSmf()
    converge(service(fake, dirs, content=manifest()))
    fake.instances[FMRI] = 'maintenance'
    plan, _result = converge(service(fake, dirs, content=manifest()))
    assert plan.describe() == ['clear the maintenance state of %s' % FMRI, 'wait until %s online' % FMRI]
    assert fake.instances[FMRI] == 'online'


def test_disabled_from_a_manifest_with_enabled_false_needs_no_disable(dirs):
    fake = FakeSmf()
    plan, _result = converge(service(fake, dirs, content=manifest(enabled=False), state='disabled'))
    assert plan.describe() == ['validate and import the manifest of svc:/site/foo']
    assert fake.instances == {FMRI: 'disabled'}


def test_restarted_and_refreshed_always_change(dirs):
    fake = FakeSmf({FMRI: 'online'})
    plan, _result = converge(service(fake, dirs, name='site/foo', state='restarted'))
    assert plan.describe() == ['restart %s' % FMRI, 'wait until %s online' % FMRI]
    plan, _result = converge(service(fake, dirs, name='site/foo', state='refreshed'))
    assert plan.describe() == ['refresh %s' % FMRI]


def test_absent_disables_deletes_and_unpersists(dirs):
    fake = FakeSmf()
    converge(service(fake, dirs, content=manifest(), persist=True))
    plan, result = converge(service(fake, dirs, name='svc:/site/foo', state='absent'))
    assert plan.describe() == ['disable %s' % FMRI, 'wait until %s disabled' % FMRI, 'delete svc:/site/foo',
                               'remove the persisted manifest %s/site-foo.xml' % dirs['persist'], 'forget the imported manifest']
    assert fake.instances == {}
    assert os.listdir(dirs['persist']) == [] and os.listdir(dirs['record']) == []
    assert result['services'] == []
    fake.calls = []
    plan, _result = converge(service(fake, dirs, name='site/foo', state='absent'))
    assert not plan.changed and len(fake.calls) == 1


def test_bad_names(dirs):
    fake = FakeSmf()
    with pytest.raises(ResourceError, match='is not a service of the manifest'):
        service(fake, dirs, content=manifest(), name='site/bar')
    with pytest.raises(ResourceError, match='defines no instance other'):
        service(fake, dirs, content=manifest(), name='site/foo:other')
    with pytest.raises(ResourceError, match='does not exist on the host'):
        service(fake, dirs, manifest=str(dirs['tmp'] / 'missing.xml'))
    svc = service(fake, dirs, name='site/nosuch')
    with pytest.raises(ResourceError, match='^service svc:/site/nosuch does not exist and no manifest'):
        svc.plan(svc.read())


def test_timeout_reports_the_state(dirs):
    fake = FakeSmf({FMRI: 'online'})
    svc = service(fake, dirs, name='site/foo')
    fake.instances[FMRI] = 'offline'
    with pytest.raises(ResourceError, match='^timed out after 0 s waiting for %s to be online: %s is offline$' % (FMRI, FMRI)):
        svc._wait([FMRI], 'online')  # pylint: disable=protected-access
