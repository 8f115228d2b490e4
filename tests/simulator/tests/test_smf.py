"""Conformance of the simulated SMF tools (svcs, svcadm, svccfg, svcprop) and their real processes.

Reference: smartos_smf_zones.md (cited as §N), service_bundle.dtd.1, pkgsrc_nova_facts.md §2 and §4.
Every test that starts a daemon stops it again: the ``smf`` fixture shuts the simulated GZ down
(stop methods, then contract kills) and kills any session still recorded.
"""
import json
import os
import re
import signal
import sys
import time

import pytest

HEADER = 'STATE          STIME    FMRI\n'
LOG_LINE = re.compile(r'^\[ [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d (.*) \]$')

MANIFEST = """<?xml version="1.0"?>
<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">
<service_bundle type="manifest" name="{bundle}">
  <service name="{name}" type="service" version="1">
    <create_default_instance enabled="{enabled}"/>
    <dependency name="fs" grouping="require_all" restart_on="none" type="service">
      <service_fmri value="{dep}"/>
    </dependency>
{context}    <exec_method type="method" name="start" exec="{start}" timeout_seconds="{timeout}"/>
    <exec_method type="method" name="stop" exec="{stop}" timeout_seconds="5"/>
    <property_group name="startd" type="framework">
      <propval name="duration" type="astring" value="{duration}"/>
    </property_group>
    <property_group name="config" type="application">
      <propval name="greeting" type="astring" value="hello world"/>
    </property_group>
    <stability value="Evolving"/>
    <template>
      <common_name><loctext xml:lang="C">{name} daemon</loctext></common_name>
    </template>
  </service>
</service_bundle>
"""


def manifest(path, name='site/demo', start='sleep 300 &amp;', stop=':kill', enabled='false', duration='contract',
             dep='svc:/system/filesystem/local', context='', timeout=10, bundle='demo'):
    path.write_text(MANIFEST.format(name=name, start=start, stop=stop, enabled=enabled, duration=duration, dep=dep,
                                    context=context, timeout=timeout, bundle=bundle), encoding='utf-8')
    return str(path)


def _kill_recorded_sessions(gz):
    try:
        with open(os.path.join(gz.state, 'smf.json'), encoding='utf-8') as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return
    for service in doc.get('services', {}).values():
        for inst in service['instances'].values():
            sid = inst['rt'].get('sid')
            if not sid:
                continue
            for name in os.listdir('/proc'):
                if not name.isdigit():
                    continue
                try:
                    with open('/proc/%s/stat' % name, encoding='utf-8') as handle:
                        fields = handle.read().rsplit(')', 1)[1].split()
                except OSError:
                    continue
                if int(fields[3]) == sid:
                    try:
                        os.kill(int(name), signal.SIGKILL)
                    except OSError:
                        pass


@pytest.fixture
def smf(gz):
    """The ``gz`` fixture, with every SMF process it started stopped at the end."""
    yield gz
    gz.run('smartos-sim', 'shutdown', '--state', gz.state)
    _kill_recorded_sessions(gz)


def log_messages(gz, fmri_log):
    with open(gz.host_path(fmri_log), encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    out = []
    for line in lines:
        match = LOG_LINE.match(line)
        out.append(match.group(1) if match else line)
    return out


def alive(pid):
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def wait_gone(pid, seconds=5.0):
    deadline = time.time() + seconds
    while alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def contract_pids(gz, fmri):
    """The pids ``svcs -Hp`` lists under the instance (§4.3)."""
    out = gz.run('svcs', '-Hp', fmri).stdout.splitlines()
    return [int(line.split()[1]) for line in out[1:]]


# ---------------------------------------------------------------- svcs listing and matching

def test_base_services_online(smf):
    """A fresh GZ has the platform services our roles depend on, online (default listing, §4.2)."""
    result = smf.run('svcs', '-H', '-o', 'state,fmri', 'svc:/system/filesystem/local:default', 'network/physical',
                     'multi-user', 'manifest-import')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'online         svc:/system/manifest-import:default',
        'online         svc:/milestone/multi-user:default',
        'online         svc:/network/physical:default',
        'online         svc:/system/filesystem/local:default',
    ]


def test_svcs_no_match_prints_header_and_exits_1(smf):
    """§4.2 / §12: the header is printed even when an operand matched nothing; exit 1."""
    result = smf.run('svcs', 'nosuch')
    assert (result.returncode, result.stdout, result.stderr) == (
        1, HEADER, "svcs: Pattern 'nosuch' doesn't match any instances\n")
    result = smf.run('svcs', '-H', 'nosuch')
    assert (result.returncode, result.stdout) == (1, '')


def test_svcs_glob_reports_stored_pattern(smf):
    """§1.2: a glob operand is reported with the prepended svc:/."""
    result = smf.run('svcs', 'fo*')
    assert result.returncode == 1
    assert result.stderr == "svcs: Pattern 'svc:/fo*' doesn't match any instances\n"


def test_svcs_partial_matching(smf):
    """§1.1: `physical` and `network/physical` match; `network/phys` and `ysical` do not."""
    assert smf.run('svcs', '-H', '-o', 'fmri', 'physical').stdout == 'svc:/network/physical:default\n'
    assert smf.run('svcs', '-H', '-o', 'fmri', ':default', 'network/physical').returncode == 0
    for bad in ('network/phys', 'ysical'):
        assert smf.run('svcs', bad).returncode == 1


def test_svcs_usage_and_column_errors(smf):
    """§4.1: -H with -l is a usage error (2); §4.2: unknown column exits 1."""
    result = smf.run('svcs', '-H', '-l', 'ssh')
    assert result.returncode == 2
    assert result.stderr.startswith('Usage: svcs [-aHpv] [-o col[,col ... ]] [-R restarter] [-sS col] [-Z | -z zone ]\n'
                                    '            [<service> ...]\n')
    result = smf.run('svcs', '-o', 'foo')
    assert (result.returncode, result.stderr) == (1, 'svcs: Unknown column "foo".\n')
    result = smf.run('svcs', '-a', 'ssh')
    assert result.stderr == 'svcs: -a ignored when used with arguments.\n'
    assert result.returncode == 0


def test_svcs_verbose_header(smf):
    """§4.2: the -v header."""
    out = smf.run('svcs', '-v', 'ssh').stdout.splitlines()
    assert out[0] == 'STATE          NSTATE        STIME    CTID   FMRI'
    assert re.match(r'^online         -             [ \d]\d:\d\d:\d\d      - svc:/network/ssh:default$', out[1])


# ---------------------------------------------------------------- svccfg: validation and import errors

def test_svccfg_usage(smf):
    """§6.1: a bad option prints the usage and exits 2."""
    result = smf.run('svccfg', '-x')
    assert (result.returncode, result.stderr) == (
        2, 'Usage:\tsvccfg [-v] [-s FMRI] [-f file]\n\tsvccfg [-v] [-s FMRI] <command> [args]\n')


def test_svccfg_missing_file(smf):
    """§6.2: `Unable to stat file %s.  %s`."""
    result = smf.run('svccfg', 'import', '/opt/site/x.xml')
    assert (result.returncode, result.stderr) == (
        1, 'svccfg: Unable to stat file /opt/site/x.xml.  No such file or directory\n')


DOCUMENT_CHECKS = [
    ('<service_bundle type="manifest" name="x"/>', 'document has no DTD'),
    ('<!DOCTYPE service_bundle SYSTEM "/tmp/other.dtd"><service_bundle type="manifest" name="x"/>',
     'document DTD unknown; not service bundle?'),
    ('<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1"><service type="x"/>',
     'document is not a service bundle'),
    ('<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">'
     '<service_bundle type="profile" name="x"/>', 'document is not a manifest.'),
]


def test_svccfg_import_document_checks(smf, tmp_path):
    """§6.2: the document checks, in svccfg's order, each `svccfg: <msg>` and exit 1."""
    for number, (text, message) in enumerate(DOCUMENT_CHECKS):
        path = tmp_path / ('m%d.xml' % number)
        path.write_text(text, encoding='utf-8')
        result = smf.run('svccfg', 'import', str(path))
        assert (result.returncode, result.stderr) == (1, 'svccfg: %s\n' % message)


def test_svccfg_validate_dtd_violations(smf, tmp_path):
    """§6.2/§6.3: DTD validity errors (libxml2 frame), `Document is not valid.`, `Validation failed.`."""
    path = tmp_path / 'bad.xml'
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE service_bundle SYSTEM "/usr/share/lib/xml/dtd/service_bundle.dtd.1">\n'
        '<service_bundle type="manifest" name="bad">\n'
        '  <service name="site/bad" type="service" version="1">\n'
        '    <exec_method type="method" name="start" exec="/bin/true"/>\n'
        '    <create_default_instance enabled="maybe"/>\n'
        '  </service>\n'
        '</service_bundle>\n', encoding='utf-8')
    result = smf.run('svccfg', 'validate', str(path))
    assert result.returncode == 1
    assert result.stderr == (
        '%s:4: element service: validity error : Element service content does not follow the DTD, expecting '
        '(create_default_instance? , single_instance? , restarter? , dependency* , dependent* , method_context? , '
        'exec_method* , property_group* , instance* , stability? , template?), got (exec_method create_default_instance )\n'
        '%s:5: element exec_method: validity error : Element exec_method does not carry attribute timeout_seconds\n'
        '%s:6: element create_default_instance: validity error : Value "maybe" for attribute enabled of '
        'create_default_instance is not among the enumerated set\n'
        'svccfg: Document is not valid.\n'
        'svccfg: Validation failed.\n' % ((str(path),) * 3))
    assert smf.run('svcs', 'site/bad').returncode == 1


def test_svccfg_validate_with_the_real_dtd(smf, tmp_path, reference):
    """The DTD read at run time (SMARTOS_SIM_DTD) and the embedded rules judge alike."""
    good = manifest(tmp_path / 'good.xml')
    bad = tmp_path / 'bad.xml'
    bad.write_text(open(good, encoding='utf-8').read().replace(' timeout_seconds="5"', ''), encoding='utf-8')
    env = {'SMARTOS_SIM_DTD': os.path.join(reference, 'service_bundle.dtd.1')}
    assert smf.run('svccfg', 'validate', good, env=env).returncode == 0
    with_real = smf.run('svccfg', 'validate', str(bad), env=env)
    embedded = smf.run('svccfg', 'validate', str(bad))
    assert with_real.returncode == embedded.returncode == 1
    assert with_real.stderr == embedded.stderr
    assert 'Element exec_method does not carry attribute timeout_seconds' in with_real.stderr


def test_svccfg_validate_fmri(smf):
    """§6.3: a non-file argument is an FMRI pattern."""
    assert smf.run('svccfg', 'validate', 'svc:/network/ssh:default').returncode == 0
    result = smf.run('svccfg', 'validate', 'x')
    assert (result.returncode, result.stderr) == (1, "svccfg: Pattern 'x' doesn't match any instances\n")


# ---------------------------------------------------------------- real processes

def test_import_disabled_then_enable_starts_a_real_daemon(smf, tmp_path):
    """§6.2: import is silent; §2.2/§7.4: enable runs the start method, the daemon it leaves keeps the
    instance online; §4.3: svcs -p lists it; §8: the log lines."""
    path = manifest(tmp_path / 'demo.xml')
    result = smf.run('svccfg', 'import', path)
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'disabled\n'
    result = smf.run('svcadm', 'enable', '-s', 'demo')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'online\n'
    pids = contract_pids(smf, 'demo')
    assert len(pids) == 1 and alive(pids[0])
    out = smf.run('svcs', '-p', 'demo').stdout.splitlines()
    assert re.match('^' + ' ' * 15 + r'[ \d]\d:\d\d:\d\d   ' + '%6d' % pids[0] + ' sleep$', out[2]), out
    with open(smf.host_path('/var/svc/log/site-demo:default.log'), encoding='utf-8') as handle:
        raw = handle.read().splitlines()
    assert all(LOG_LINE.match(line) for line in raw), raw
    assert log_messages(smf, '/var/svc/log/site-demo:default.log') == [
        'Disabled.', 'Enabled.', 'Executing start method ("sleep 300 &").', 'Method "start" exited with status 0.']
    assert smf.run('svcs', '-L', 'demo').stdout == '/var/svc/log/site-demo:default.log\n'


def test_kill_stop_method_stops_the_daemon(smf, tmp_path):
    """§6.7: `:kill` signals the contract; disable logs `Stopping because service disabled.` (§8)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'online\n'
    pid = contract_pids(smf, 'demo')[0]
    result = smf.run('svcadm', '-v', 'disable', '-s', 'svc:/site/demo:default')
    assert (result.returncode, result.stdout) == (0, 'svc:/site/demo:default disabled.\n')
    assert wait_gone(pid)
    assert smf.run('svcs', '-H', '-o', 'state,ctid', 'demo').stdout == 'disabled            -\n'
    assert log_messages(smf, '/var/svc/log/site-demo:default.log')[-2:] == [
        'Stopping because service disabled.', 'Executing stop method (:kill).']


def test_dead_daemon_is_restarted(smf, tmp_path):
    """§7.4: when the contract empties the instance is stopped and started again (new process)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    pid = contract_pids(smf, 'demo')[0]
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid)
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'online\n'
    new = contract_pids(smf, 'demo')
    assert len(new) == 1 and new[0] != pid and alive(new[0])
    assert 'Stopping because all processes in service exited.' in log_messages(smf, '/var/svc/log/site-demo:default.log')


def test_restart_and_refresh(smf, tmp_path):
    """§2.2: restart stops and starts (a new daemon); refresh without a refresh method is :true."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    pid = contract_pids(smf, 'demo')[0]
    assert smf.run('svcadm', 'restart', 'demo').returncode == 0
    assert wait_gone(pid)
    assert contract_pids(smf, 'demo') and contract_pids(smf, 'demo')[0] != pid
    assert smf.run('svcadm', 'refresh', 'demo').returncode == 0
    messages = log_messages(smf, '/var/svc/log/site-demo:default.log')
    assert 'Stopping because service restarting.' in messages
    assert messages[-2:] == ['Rereading configuration.', "No 'refresh' method defined.  Treating as :true."]


def test_failing_start_goes_to_maintenance_after_three_tries(smf, tmp_path):
    """§7.2: a non-zero exit is retried until 3 faults; svcadm enable -s exits 3 (§3.2); svcs -x (§4.5)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'fail.xml', name='site/fail', start='/bin/sh -c &quot;echo boom; exit 1&quot;'))
    result = smf.run('svcadm', 'enable', '-s', 'fail')
    assert (result.returncode, result.stderr) == (3, 'svcadm: Instance "svc:/site/fail:default" is in maintenance state.\n')
    messages = log_messages(smf, '/var/svc/log/site-fail:default.log')
    assert messages.count('Method "start" exited with status 1.') == 3
    assert messages.count('boom') == 3
    explain = smf.run('svcs', '-x').stdout
    assert 'svc:/site/fail:default (site/fail daemon)\n State: maintenance since ' in explain
    assert ('Reason: Start method failed repeatedly, last exited with status 1.\n'
            '   See: http://illumos.org/msg/SMF-8000-KS\n'
            '   See: /var/svc/log/site-fail:default.log\n'
            'Impact: This service is not running.\n') in explain
    # enable does not clear maintenance; clear does (§2.2), and it fails again the same way
    result = smf.run('svcadm', 'clear', 'fail')
    assert result.returncode == 0
    assert 'Leaving maintenance because clear requested.' in log_messages(smf, '/var/svc/log/site-fail:default.log')


def test_config_error_is_not_retried(smf, tmp_path):
    """§7.2: exit 96 (SMF_EXIT_ERR_CONFIG) -> maintenance at once; svcs -x names it."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'cfg.xml', name='site/cfg', start='/bin/sh -c &quot;exit 96&quot;',
                                         enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'cfg').stdout == 'maintenance\n'
    assert log_messages(smf, '/var/svc/log/site-cfg:default.log').count('Method "start" exited with status 96.') == 1
    assert 'Reason: Start method exited with $SMF_EXIT_ERR_CONFIG.\n' in smf.run('svcs', '-x', 'cfg').stdout


def test_start_leaving_no_process_restarts_too_quickly(smf, tmp_path):
    """§7.4/§7.5: contract model, start exits 0 with nothing left -> maintenance, restarting too quickly."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'quick.xml', name='site/quick', start='/bin/true', enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'quick').stdout == 'maintenance\n'
    messages = log_messages(smf, '/var/svc/log/site-quick:default.log')
    assert messages.count('Executing start method ("/bin/true").') == 10
    assert messages[-1] == 'Restarting too quickly, changing state to maintenance.'
    assert 'Reason: Restarting too quickly.\n   See: http://illumos.org/msg/SMF-8000-L5\n' in smf.run('svcs', '-x', 'quick').stdout
    assert smf.run('svcprop', '-p', 'restarter/auxiliary_state', 'quick').stdout == 'restarting_too_quickly\n'


def test_transient_service(smf, tmp_path):
    """§7.4: transient: exit 0 -> online, nothing tracked (CTID -)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 't.xml', name='site/oneshot', start='/bin/true', duration='transient',
                                         stop=':true', enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state,ctid', 'oneshot').stdout == 'online              -\n'
    assert log_messages(smf, '/var/svc/log/site-oneshot:default.log')[-1] == 'Method "start" exited with status 0.'


def test_method_tokens_context_and_environment(smf, tmp_path):
    """§6.7: %m %s %i %f %r and %{pg/prop}, SMF_* variables, envvar, working_directory."""
    out = tmp_path / 'out.txt'
    script = tmp_path / 'start.sh'
    script.write_text('#!/bin/sh\necho "$@" > %s\necho "$SMF_FMRI $SMF_METHOD $GREETING $(pwd)" >> %s\n' % (out, out),
                      encoding='utf-8')
    script.chmod(0o755)
    context = ('    <method_context working_directory="%s">\n      <method_environment>\n'
               '        <envvar name="GREETING" value="hi"/>\n      </method_environment>\n    </method_context>\n'
               % tmp_path)
    smf.run('svccfg', 'import', manifest(tmp_path / 'tok.xml', name='site/tok', start='%s %%m %%s %%i %%f %%r %%{config/greeting}' % script,
                                         duration='transient', stop=':true', enabled='true', context=context))
    assert smf.run('svcs', '-H', '-o', 'state', 'tok').stdout == 'online\n'
    assert out.read_text(encoding='utf-8').splitlines() == [
        'start site/tok default svc:/site/tok:default svc.startd hello world',
        'svc:/site/tok:default start hi %s' % tmp_path]


def test_missing_working_directory_is_a_config_error(smf, tmp_path):
    """§6.7: a failed chdir logs `chdir: ...` and exits 96 -> maintenance."""
    context = '    <method_context working_directory="/nonexistent/dir"/>\n'
    smf.run('svccfg', 'import', manifest(tmp_path / 'wd.xml', name='site/wd', context=context, enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'wd').stdout == 'maintenance\n'
    messages = log_messages(smf, '/var/svc/log/site-wd:default.log')
    assert 'chdir: No such file or directory ("/nonexistent/dir")' in messages
    assert messages[-1] == 'Method "start" exited with status 96.'


def test_unsatisfied_dependency_exit_4(smf, tmp_path):
    """§3.2: enable -s on an instance whose dependency can never come online exits 4."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'dep.xml', name='site/dep', dep='svc:/site/absent:default'))
    result = smf.run('svcadm', 'enable', '-s', 'dep')
    assert (result.returncode, result.stderr) == (4, 'svcadm: Instance "svc:/site/dep:default" has unsatisfied dependencies.\n')
    assert smf.run('svcs', '-H', '-o', 'state', 'dep').stdout == 'offline\n'
    assert 'Reason: Dependency svc:/site/absent:default is absent.\n' in smf.run('svcs', '-x', 'dep').stdout


def test_reboot_stops_and_restarts_custom_services(smf, tmp_path):
    """pkgsrc_nova_facts §2: at boot the manifests in /opt/custom/smf are imported again and enabled ones
    start; other SMF changes (imports elsewhere, temporary enables) do not survive."""
    custom = smf.host_path('/opt/custom/smf/demo.xml')
    manifest(type(tmp_path)(custom), enabled='true')
    assert smf.run('svccfg', 'import', custom).returncode == 0
    smf.run('svccfg', 'import', manifest(tmp_path / 'other.xml', name='site/other', bundle='other'))
    smf.run('svcadm', 'enable', '-t', 'other')
    old = contract_pids(smf, 'demo')
    others = contract_pids(smf, 'other')
    assert len(old) == 1 and len(others) == 1
    assert smf.run('smartos-sim', 'shutdown', '--state', smf.state).returncode == 0
    assert wait_gone(old[0]) and wait_gone(others[0])
    assert smf.run('smartos-sim', 'boot', '--state', smf.state).returncode == 0
    new = contract_pids(smf, 'demo')
    assert len(new) == 1 and new[0] != old[0] and alive(new[0])
    assert smf.run('svcs', '-H', '-o', 'state', 'svc:/site/demo:default').stdout == 'online\n'
    assert smf.run('svcs', 'site/other').returncode == 1


# ---------------------------------------------------------------- svcadm messages

def test_svcadm_usage_and_errors(smf, tmp_path):
    """§3.1-§3.2: usage (exit 2), unknown pattern, ambiguous partial, clear, mark."""
    result = smf.run('svcadm')
    assert result.returncode == 2
    assert result.stderr.startswith('Usage: svcadm [-S <state>] [-v] [-Z | -z zone] [cmd [args ... ]]\n\n'
                                    '\tsvcadm enable [-rst] [<service> ...]\t- enable and online service(s)\n')
    result = smf.run('svcadm', 'enable', 'site/nosuch')
    assert (result.returncode, result.stderr) == (1, "svcadm: Pattern 'site/nosuch' doesn't match any instances\n")
    smf.run('svccfg', 'import', manifest(tmp_path / 'a.xml', name='site/foo', bundle='a'))
    smf.run('svccfg', 'import', manifest(tmp_path / 'b.xml', name='other/foo', bundle='b'))
    result = smf.run('svcadm', 'enable', 'foo')
    assert result.returncode == 1
    assert result.stderr == ("svcadm: Partial FMRI 'foo' matches multiple instances:\n"
                             "\tsvc:/site/foo:default\n\tsvc:/other/foo:default\n")
    result = smf.run('svcadm', 'clear', 'site/foo')
    assert (result.returncode, result.stderr) == (
        1, 'svcadm: Instance "svc:/site/foo:default" is not in a maintenance or degraded state.\n')
    result = smf.run('svcadm', 'mark', '-t', 'degraded', 'site/foo')
    assert (result.returncode, result.stderr) == (2, 'svcadm: -t may not be used with degraded.\n')
    result = smf.run('svcadm', 'mark', 'degraded', 'site/foo')
    assert (result.returncode, result.stderr) == (1, 'svcadm: Instance "svc:/site/foo:default" is not online.\n')
    result = smf.run('svcadm', 'restart', 'site/foo')
    assert (result.returncode, result.stderr) == (0, '')


def test_temporary_disable(smf, tmp_path):
    """§2.3: disable -t shows `enabled      false (temporary)` in svcs -l; svcs -x explains it."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    assert smf.run('svcadm', 'disable', '-t', 'demo').returncode == 0
    long_out = smf.run('svcs', '-l', 'demo').stdout.splitlines()
    assert long_out[:5] == ['fmri         svc:/site/demo:default', 'name         site/demo daemon',
                            'enabled      false (temporary)', 'state        disabled', 'next_state   none']
    assert 'dependency   require_all/none svc:/system/filesystem/local (online)' in long_out
    assert 'Reason: Temporarily disabled by an administrator.\n' in smf.run('svcs', '-x').stdout
    assert smf.run('svcs', '-H', '-o', 'fmri').stdout.count('svc:/site/demo:default') == 1


def test_mark_maintenance_and_clear(smf, tmp_path):
    """§2.2: mark maintenance stops the daemon; clear brings the instance back online."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    pid = contract_pids(smf, 'demo')[0]
    assert smf.run('svcadm', 'mark', 'maintenance', 'demo').returncode == 0
    assert wait_gone(pid)
    assert 'Reason: Maintenance requested by an administrator.\n' in smf.run('svcs', '-x', 'demo').stdout
    assert smf.run('svcadm', 'clear', 'demo').returncode == 0
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'online\n'
    assert log_messages(smf, '/var/svc/log/site-demo:default.log').count(
        'Stopping for maintenance due to administrative_request.') == 1


# ---------------------------------------------------------------- svcprop and svccfg properties

def test_svcprop_values_and_errors(smf, tmp_path):
    """§5: quoting, -t, whole groups, -q, and the error messages."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml'))
    run = smf.run
    assert run('svcprop', '-p', 'config/greeting', 'demo').stdout == 'hello\\ world\n'
    assert run('svcprop', '-t', '-p', 'start/timeout_seconds', 'demo').stdout == 'start/timeout_seconds count 10\n'
    assert run('svcprop', '-p', 'start', 'demo').stdout == (
        'start/exec astring sleep\\ 300\\ \\&\nstart/timeout_seconds count 10\nstart/type astring method\n')
    assert run('svcprop', '-p', 'general/enabled', 'svc:/site/demo:default').stdout == 'false\n'
    result = run('svcprop', '-p', 'nopg/x', 'demo')
    assert (result.returncode, result.stderr) == (
        1, "svcprop: Couldn't find property group `nopg' for instance `svc:/site/demo:default'.\n")
    result = run('svcprop', '-p', 'start/foo', 'demo')
    assert (result.returncode, result.stderr) == (
        1, "svcprop: Couldn't find property `start/foo' for instance `svc:/site/demo:default'.\n")
    result = run('svcprop', '-q', '-p', 'start/foo', 'demo')
    assert (result.returncode, result.stdout, result.stderr) == (1, '', '')
    result = run('svcprop', 'x')
    assert (result.returncode, result.stderr) == (1, "svcprop: Pattern 'x' doesn't match any entities\n")
    assert run('svcprop', '-f', '-p', 'config/greeting', 'demo').stdout == (
        'svc:/site/demo:default/:properties/config/greeting astring hello\\ world\n')


def test_setprop_needs_refresh(smf, tmp_path):
    """§5: svcprop reads the running snapshot: a setprop shows after refresh (svcadm or svccfg)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml'))
    result = smf.run('svccfg', '-s', 'site/demo', 'setprop', 'config/greeting', '=', 'astring:', 'bye')
    assert (result.returncode, result.stderr) == (0, '')
    assert smf.run('svcprop', '-p', 'config/greeting', 'demo').stdout == 'hello\\ world\n'
    assert smf.run('svcprop', '-c', '-p', 'config/greeting', 'demo').stdout == 'bye\n'
    assert smf.run('svcadm', 'refresh', 'demo').returncode == 0
    assert smf.run('svcprop', '-p', 'config/greeting', 'demo').stdout == 'bye\n'
    listing = smf.run('svccfg', '-s', 'site/demo', 'listprop', 'config').stdout
    assert listing.splitlines() == ['config           application', 'config/greeting  astring  bye']
    result = smf.run('svccfg', '-s', 'site/demo', 'setprop', 'nopg/x', '=', 'astring:', 'y')
    assert (result.returncode, result.stderr) == (1, 'svccfg: No such property group "nopg".\n')
    result = smf.run('svccfg', '-s', 'site/demo', 'setprop', 'config/new', '=', 'y')
    assert (result.returncode, result.stderr) == (1, 'svccfg: Type required for new properties.\n')


def test_reimport_keeps_enabled(smf, tmp_path):
    """§6.2: re-import never changes general/enabled of an existing instance."""
    path = manifest(tmp_path / 'demo.xml', enabled='false')
    smf.run('svccfg', 'import', path)
    smf.run('svcadm', 'enable', 'demo')
    assert smf.run('svccfg', 'import', path).returncode == 0
    assert smf.run('svcs', '-H', '-o', 'state', 'demo').stdout == 'online\n'


def test_delete_guard_and_force(smf, tmp_path):
    """§6.4: an online instance is not deleted without -f; -f stops it (the daemon goes) and removes it."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml', enabled='true'))
    pid = contract_pids(smf, 'demo')[0]
    result = smf.run('svccfg', 'delete', 'site/demo')
    assert (result.returncode, result.stderr) == (
        1, 'svccfg: Instance svc:/site/demo:default may be running.  Use delete -f if it is not.\n')
    result = smf.run('svccfg', 'delete', '-f', 'site/demo')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    assert wait_gone(pid)
    assert smf.run('svcs', 'site/demo').returncode == 1
    result = smf.run('svccfg', 'delete', 'site/demo')
    assert (result.returncode, result.stderr) == (1, "svccfg: Pattern 'site/demo' doesn't match any instances or services\n")


def test_export_round_trip(smf, tmp_path):
    """§6.5: export writes a valid service bundle that imports again."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'demo.xml'))
    result = smf.run('svccfg', 'export', 'site/demo')
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["<?xml version='1.0'?>",
                         "<!DOCTYPE service_bundle SYSTEM '/usr/share/lib/xml/dtd/service_bundle.dtd.1'>",
                         "<service_bundle type='manifest' name='export'>"]
    exported = tmp_path / 'exported.xml'
    exported.write_text(result.stdout, encoding='utf-8')
    assert smf.run('svccfg', 'validate', str(exported)).stderr == ''
    smf.run('svccfg', 'delete', 'site/demo')
    assert smf.run('svccfg', 'import', str(exported)).returncode == 0
    assert smf.run('svcprop', '-p', 'config/greeting', 'demo').stdout == 'hello\\ world\n'


# ---------------------------------------------------------------- daemons the roles will run

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'smf')


def test_python_daemon_manifest(smf):
    """pkgsrc_nova_facts §4: a contract-model Python daemon with method_context, %{pg/prop} tokens,
    `:kill -HUP` refresh and `:kill` stop; svccfg -s setprop + refresh changes what starts (§5)."""
    path = os.path.join(DATA, 'python-daemon.xml')
    assert smf.run('svccfg', 'validate', path).returncode == 0
    assert smf.run('svccfg', 'import', path).returncode == 0
    fmri = 'svc:/site/smartstack/pydaemon:default'
    result = smf.run('svccfg', '-s', 'site/smartstack/pydaemon', 'setprop', 'config/python', '=', 'astring:', sys.executable)
    assert (result.returncode, result.stderr) == (0, '')
    assert smf.run('svccfg', '-s', 'pydaemon', 'refresh').returncode == 0
    result = smf.run('svcadm', 'enable', '-s', 'pydaemon')
    assert (result.returncode, result.stderr) == (0, '')
    pids = contract_pids(smf, fmri)
    assert len(pids) == 1 and alive(pids[0])
    assert smf.run('svcs', '-H', '-o', 'fmri,state,desc', 'pydaemon').stdout.split(None, 2)[:2] == [fmri, 'online']
    assert smf.run('svcadm', 'refresh', 'pydaemon').returncode == 0
    logfile = '/var/svc/log/site-smartstack-pydaemon:default.log'
    deadline = time.time() + 5
    while 'reloaded' not in log_messages(smf, logfile) and time.time() < deadline:
        time.sleep(0.05)
    messages = log_messages(smf, logfile)
    assert 'started' in messages and 'reloaded' in messages
    assert 'Executing refresh method (:kill).' in messages
    assert alive(pids[0])
    assert smf.run('svcadm', 'disable', '-s', 'pydaemon').returncode == 0
    assert wait_gone(pids[0])


def test_child_model_daemon(smf, tmp_path):
    """§7.4: duration=child: the start method is the daemon (online once forked); `:kill` stops it."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'child.xml', name='site/child', start='sleep 300', duration='child',
                                         enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'child').stdout == 'online\n'
    pids = contract_pids(smf, 'child')
    assert len(pids) == 1 and alive(pids[0])
    assert log_messages(smf, '/var/svc/log/site-child:default.log')[-1] == 'Executing start method ("sleep 300").'
    assert smf.run('svcadm', 'disable', 'child').returncode == 0
    assert wait_gone(pids[0])


def test_start_timeout_kills_the_contract(smf, tmp_path):
    """§7.3: a start method past timeout_seconds is killed (`Method or service exit timed out.  Killing
    contract N.`), retried, and after 3 faults the instance is in maintenance; svcs -x: `Method failed
    repeatedly.` (wait status unknown, SMF-8000-8Q, §4.5)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'slow.xml', name='site/slow', start='sleep 30', timeout=1, enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'slow').stdout == 'maintenance\n'
    messages = log_messages(smf, '/var/svc/log/site-slow:default.log')
    timed_out = [m for m in messages if m.startswith('Method or service exit timed out.  Killing contract ')]
    assert len(timed_out) == 3 and all(re.match(r'^Method or service exit timed out\.  Killing contract \d+\.$', m) for m in timed_out)
    assert 'Reason: Method failed repeatedly.\n   See: http://illumos.org/msg/SMF-8000-8Q\n' in smf.run('svcs', '-x', 'slow').stdout
    assert smf.run('svcs', '-H', '-d', '-o', 'fmri', 'slow').stdout == 'svc:/system/filesystem/local:default\n'


def test_start_method_killed_by_a_signal(smf, tmp_path):
    """§7.2: death by a signal is retried; log `Method "start" failed due to signal KILL.`; svcs -x says
    `died on Killed (9)` (§4.5)."""
    smf.run('svccfg', 'import', manifest(tmp_path / 'sig.xml', name='site/sig', start='/bin/sh -c &quot;kill -9 $$&quot;',
                                         enabled='true'))
    assert smf.run('svcs', '-H', '-o', 'state', 'sig').stdout == 'maintenance\n'
    assert log_messages(smf, '/var/svc/log/site-sig:default.log').count('Method "start" failed due to signal KILL.') == 3
    assert 'Reason: Start method failed repeatedly, last died on Killed (9).\n' in smf.run('svcs', '-x', 'sig').stdout
