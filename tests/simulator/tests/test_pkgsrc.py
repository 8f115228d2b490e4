"""Conformance tests of the simulated pkgsrc: repository, bootstrap kits, pkgin, pkg_add, pkg_info.

References: pkgsrc_nova_facts.md §1 (bootstrap, /opt/tools, files, names) and smartos_gz_tools.md §5
(pkgin's exact messages, formats and exit codes, from NetBSDfr/pkgin sources).
"""
import bz2
import gzip
import hashlib
import lzma
import os
import subprocess
import sys
import tarfile
import time

import pytest

from conftest import SIM_HOME

sys.path.insert(0, SIM_HOME)

from smartos_sim import pkgrepo  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import pkgsrc  # noqa: E402  pylint: disable=wrong-import-position

# pip and setuptools are the wheels the test bed's own Python bundles (pkgrepo._bundled_wheels)
WHEELS = pkgrepo._bundled_wheels()  # pylint: disable=protected-access
PIP = 'py311-pip-' + (WHEELS['pip'][0] if 'pip' in WHEELS else '23.2.1')
SETUPTOOLS = 'py311-setuptools-' + (WHEELS['setuptools'][0] if 'setuptools' in WHEELS else '65.5.0')
LEGEND = ('\n=: package is installed and up-to-date\n<: package is installed but newer version is available\n'
          '>: installed package has a greater version than available package\n')


@pytest.fixture(scope='module')
def repo(tmp_path_factory):
    """The repository built once, served on 127.0.0.1 with an ephemeral port."""
    out = str(tmp_path_factory.mktemp('pkgrepo'))
    server = pkgrepo.serve(out, '127.0.0.1', 0)
    base_url = 'http://127.0.0.1:%d' % server.server_address[1]
    started = time.process_time()  # CPU time: a loaded CI machine must not make this flaky
    info = pkgrepo.build_repository(out, SIM_HOME, sys.executable, base_url=base_url)
    info['build_cpu_seconds'] = time.process_time() - started
    info['dir'] = out
    yield info
    server.shutdown()
    server.server_close()


class Bootstrapped:
    """A GZ (or a zone root inside it) with a bootstrap kit unpacked over its /."""

    def __init__(self, gz, root, prefix):
        self.gz = gz
        self.root = root
        self.prefix = prefix

    def path(self, p):
        return os.path.join(self.root, p.lstrip('/'))

    def run(self, tool, *args, stdin=None, env=None):
        sub = 'bin' if tool == 'pkgin' else 'sbin'
        exe = self.path('%s/%s/%s' % (self.prefix, sub, tool))
        return subprocess.run([exe] + list(args), input=stdin, capture_output=True, text=True,
                              env=self.gz.env(env), timeout=60, check=False)


def _unpack(kit, root):
    os.makedirs(root, exist_ok=True)
    with tarfile.open(kit) as tar:
        if hasattr(tarfile, 'data_filter'):
            tar.extractall(root, filter='data')
        else:
            tar.extractall(root)  # our own kit: relative paths only


@pytest.fixture
def tools(gz, repo):
    """The GZ after `tar -zxpf bootstrap-trunk-tools-*.tar.gz -C /` (reference §1.1 step 5)."""
    _unpack(repo['sets']['tools']['bootstrap'], gz.host_path('/'))
    return Bootstrapped(gz, gz.host_path('/'), '/opt/tools')


def _plan(names, size_dl, size_disk):
    """pkgin's plan block for a pure install (actions.c pkgin_install; reference §5.4)."""
    verb = '1 package to install:' if len(names) == 1 else '%d packages to install:' % len(names)
    return ('\n%s\n  %s\n\n0 to remove, 0 to refresh, 0 to upgrade, %d to install\n'
            '%s to download, %s of additional disk space will be used\n\n' % (verb, ' '.join(names), len(names), size_dl, size_disk))


# ---------------------------------------------------------------------------------------------
# The repository and the kits

def test_build_is_fast_and_checksums_match(repo, reference):
    """The kit is named as the reference's pattern says and its .sha1 holds its SHA1 (§1.1 step 3)."""
    assert repo['build_cpu_seconds'] < 2.0
    with open(os.path.join(reference, 'pkgsrc_nova_facts.md'), encoding='utf-8') as handle:
        text = handle.read()
    assert 'bootstrap-trunk-tools-YYYYMMDD.tar.gz' in text and 'bootstrap-trunk-x86_64-YYYYMMDD.tar.gz' in text
    for set_name, pattern in (('tools', 'bootstrap-trunk-tools-%s.tar.gz'), ('x86_64', 'bootstrap-trunk-x86_64-%s.tar.gz')):
        info = repo['sets'][set_name]
        assert os.path.basename(info['bootstrap']) == pattern % pkgrepo.KIT_DATE
        with open(info['bootstrap'], 'rb') as handle:
            data = handle.read()
        with open(info['bootstrap'] + '.sha1', encoding='ascii') as handle:
            assert handle.read() == hashlib.sha1(data).hexdigest() + '\n'
        assert info['sha1'] == hashlib.sha1(data).hexdigest()
        assert info['bootstrap_url'] == repo['base_url'] + '/packages/SmartOS/bootstrap/' + os.path.basename(info['bootstrap'])


def test_tools_kit_contents(repo):
    """Paths relative to /, tools under /opt/tools (§1.1, §1.4), config pointing at the served repository."""
    with tarfile.open(repo['sets']['tools']['bootstrap']) as tar:
        names = tar.getnames()
        repos_conf = tar.extractfile('opt/tools/etc/pkgin/repositories.conf').read().decode()
        install_conf = tar.extractfile('opt/tools/etc/pkg_install.conf').read().decode()
        pkgin = tar.extractfile('opt/tools/bin/pkgin').read().decode()
    for path in ('opt/tools/bin/pkgin', 'opt/tools/sbin/pkg_add', 'opt/tools/sbin/pkg_info', 'opt/tools/sbin/pkg_delete',
                 'opt/tools/sbin/pkg_admin', 'opt/tools/pkg/pkgin-23.8.1/+CONTENTS', 'opt/tools/pkg/pkg_install-20211115/+CONTENTS'):
        assert path in names
    assert not any(n.startswith('/') or n.startswith('opt/local') for n in names)
    url = repo['base_url'] + '/packages/SmartOS/trunk/tools/All'
    assert [line for line in repos_conf.splitlines() if not line.startswith('#')] == [url]
    assert 'PKG_PATH=%s\n' % url in install_conf
    assert pkgin.startswith('#!/bin/sh\n') and os.path.join(SIM_HOME, 'run.py') in pkgin and 'SMARTOS_SIM_PKG_PREFIX=/opt/tools' in pkgin


def test_package_format_and_summaries(repo):
    """Binary packages: metadata first, in pkg_install's order; pkg_summary.{gz,bz2,xz} agree with the files."""
    repo_dir = repo['sets']['tools']['repo_dir']
    with tarfile.open(os.path.join(repo_dir, 'python311-3.11.7.tgz')) as tar:
        names = tar.getnames()
        contents = tar.extractfile('+CONTENTS').read().decode()
    assert names == ['+CONTENTS', '+COMMENT', '+DESC', '+INSTALL', '+DEINSTALL', '+BUILD_VERSION', '+BUILD_INFO', '+SIZE_PKG',
                     '+SIZE_ALL', 'bin/pydoc3.11', 'bin/python3.11', 'lib/python3.11/LICENSE.txt',
                     'lib/python3.11/site-packages/smartos-sim-zipcache.pth']
    assert contents.startswith('@name python311-3.11.7\n') and '\n@cwd /opt/tools\n' in contents
    assert contents.endswith('\n@pkgdir lib/python3.11/site-packages\n')
    with open(os.path.join(repo_dir, 'pkg_summary.gz'), 'rb') as handle:
        text = gzip.decompress(handle.read())
    with open(os.path.join(repo_dir, 'pkg_summary.bz2'), 'rb') as handle:
        assert bz2.decompress(handle.read()) == text
    with open(os.path.join(repo_dir, 'pkg_summary.xz'), 'rb') as handle:
        assert lzma.decompress(handle.read()) == text
    entries = {e['PKGNAME']: e for e in pkgrepo.parse_summary(text.decode())}
    for name in ('python311-3.11.7', PIP, SETUPTOOLS, 'git-2.43.0', 'gcc13-13.2.0',
                 'gmake-4.4.1', 'libxslt-1.1.39', 'build-essential-1.4'):
        entry = entries[name]
        assert int(entry['FILE_SIZE']) == os.path.getsize(os.path.join(repo_dir, entry['FILE_NAME']))
    assert entries['python311-3.11.7']['PKGPATH'] == 'lang/python311'


# ---------------------------------------------------------------------------------------------
# pkgin in the GZ

def test_no_pkgsrc_before_bootstrap(gz):
    """A fresh GZ has no pkgsrc and no Python from it (§1.1)."""
    assert not os.path.exists(gz.host_path('/opt/tools/bin/pkgin'))
    assert not os.path.exists(gz.host_path('/opt/tools/bin/python3.11'))
    assert not os.path.exists(os.path.join(SIM_HOME, 'bin', 'pkgin'))


def test_install_python_then_nothing_to_do(tools, repo):
    """§5.4 install output on a fresh db (§5.5 refresh lines first), then `nothing to do.` rc 0."""
    url = repo['base_url'] + '/packages/SmartOS/trunk/tools/All'
    entries = {e['PKGNAME']: e for e in pkgrepo.parse_summary(
        lzma.decompress(open(os.path.join(repo['sets']['tools']['repo_dir'], 'pkg_summary.xz'), 'rb').read()).decode())}
    names = ['libffi-3.4.4', 'openssl-3.1.4', 'python311-3.11.7']
    dl = pkgsrc.humanize(sum(int(entries[n]['FILE_SIZE']) for n in names))
    disk = pkgsrc.humanize(sum(int(entries[n]['SIZE_PKG']) for n in names))
    result = tools.run('pkgin', '-y', 'install', 'python311')
    assert result.stderr == ''
    assert result.stdout == (
        'processing remote summary (%s)...\ndownloading pkg_summary.xz done.\ncalculating dependencies...done.\n' % url
        + _plan(names, dl, disk)
        + '[1/3] downloading libffi-3.4.4.tgz done.\n[2/3] downloading openssl-3.1.4.tgz done.\n'
          '[3/3] downloading python311-3.11.7.tgz done.\n'
          '[1/3] installing libffi-3.4.4...\n[2/3] installing openssl-3.1.4...\n[3/3] installing python311-3.11.7...\n'
          'pkg_install warnings: 0, errors: 0\nreading local summary...\nprocessing local summary...\n')
    assert result.returncode == 0
    # the interpreter the package installed really runs
    py = subprocess.run([tools.path('/opt/tools/bin/python3.11'), '-c', 'import sys; print(sys.version_info[:2]); print(sys.prefix)'],
                        capture_output=True, text=True, check=False, timeout=30)
    assert py.returncode == 0 and py.stdout.startswith('(3, ')
    # its own prefix and site-packages (a venv over the test bed's interpreter), as pkgsrc's Python
    assert py.stdout.splitlines()[1] == tools.path('/opt/tools')
    assert os.path.isdir(tools.path('/opt/tools/lib/python3.11/site-packages'))
    # the real pkgdb layout
    assert os.path.isfile(tools.path('/opt/tools/pkg/python311-3.11.7/+CONTENTS'))
    assert open(tools.path('/opt/tools/pkg/libffi-3.4.4/+INSTALLED_INFO'), encoding='utf-8').read() == 'automatic=yes\n'
    assert not os.path.exists(tools.path('/opt/tools/pkg/python311-3.11.7/+INSTALLED_INFO'))
    assert 'python311-3.11.7\n' in open(tools.path('/opt/tools/pkg/libffi-3.4.4/+REQUIRED_BY'), encoding='utf-8').read()
    again = tools.run('pkgin', '-y', 'install', 'python311')
    assert (again.stdout, again.stderr, again.returncode) == ('calculating dependencies...done.\nnothing to do.\n', '', 0)
    info = tools.run('pkg_info', '-e', 'python311')
    assert (info.stdout, info.returncode) == ('python311-3.11.7\n', 0)
    listing = tools.run('pkgin', 'list')
    assert 'python311-3.11.7     Interpreted, interactive, object-oriented programming language\n' in listing.stdout


def test_unknown_package(tools):
    """§5.4: `<arg> is not available in the repository` on stderr; with nothing else to do, `nothing to do.`, rc 1."""
    result = tools.run('pkgin', '-y', 'install', 'nosuchpkg')
    assert result.stderr == 'nosuchpkg is not available in the repository\n'
    assert result.stdout.endswith('calculating dependencies...done.\nnothing to do.\n')
    assert result.returncode == 1


def test_install_mixed_found_and_missing_installs_and_fails(tools):
    """§5.4: other packages named are still processed, rc 1."""
    result = tools.run('pkgin', '-y', 'in', 'gmake', 'nosuchpkg')
    assert result.returncode == 1
    assert '[1/1] installing gmake-4.4.1...\n' in result.stdout
    assert os.path.isfile(tools.path('/opt/tools/pkg/gmake-4.4.1/+CONTENTS'))


def test_search_formats(tools):
    """§5.3: plain `%-20s %s` with `<full> <flag>`, parsable `full;flag;comment`, legend, no match rc 1."""
    tools.run('pkgin', '-y', 'install', 'gmake')
    plain = tools.run('pkgin', 'search', '^gmake$')
    assert (plain.stdout, plain.returncode) == ('gmake-4.4.1 =        GNU version of \'make\' utility\n' + LEGEND, 0)
    parsable = tools.run('pkgin', '-p', 'search', '^libxslt$')
    assert parsable.stdout == 'libxslt-1.1.39;;XSLT parser library from the GNOME project\n' + LEGEND
    none = tools.run('pkgin', 'se', 'zzzz')
    assert (none.stdout, none.returncode) == ('No results found for zzzz\n', 1)


def test_list_avail_and_update(tools, repo):
    """§5.2 list/avail formats; §5.5 update when nothing changed."""
    url = repo['base_url'] + '/packages/SmartOS/trunk/tools/All'
    first = tools.run('pkgin', '-y', 'update')
    assert first.stdout == 'processing remote summary (%s)...\ndownloading pkg_summary.xz done.\n' % url
    second = tools.run('pkgin', '-y', 'up')
    assert (second.stdout, second.returncode) == (
        'processing remote summary (%s)...\ndatabase for %s is up-to-date\n' % (url, url), 0)
    listing = tools.run('pkgin', '-p', 'ls')
    assert listing.stdout.splitlines() == [
        'bootstrap-mk-files-20230724;*.mk files for the bootstrap bmake utility',
        'libarchive-3.7.2;Library to read/create different archive formats',
        'pkg_install-20211115;Package management and administration tools for pkgsrc',
        'pkgin-23.8.1;Apt / yum like tool for managing pkgsrc binary packages',
        'sqlite3-3.44.2;SQL Database Engine in a C Library']
    avail = tools.run('pkgin', 'avail')
    assert '%-20s Installs Python packages as an easy_install replacement\n' % PIP in avail.stdout
    assert len(avail.stdout.splitlines()) == len(repo['sets']['tools']['packages'])
    deps = tools.run('pkgin', 'show-deps', 'py311-pip')
    assert deps.stdout == 'direct dependencies for %s\n\tpy311-setuptools>=0\n\tpython311>=3.11.0\n' % PIP
    tree = tools.run('pkgin', '-P', 'sfd', 'libxslt')
    assert tree.stdout == 'full dependency tree for libxslt-1.1.39\n\tlibxml2-2.12.3\n'


def test_dry_run_and_upgrade(tools, repo):
    """§5.4: `-n` prints the plan one name a line, no trailing blank line, installs nothing; `upgrade`
    with everything current ends in `nothing to do.` (what community.general.pkgin looks for)."""
    tools.run('pkgin', '-y', 'update')
    size = os.path.getsize(os.path.join(repo['sets']['tools']['repo_dir'], 'libxml2-2.12.3.tgz')) + \
        os.path.getsize(os.path.join(repo['sets']['tools']['repo_dir'], 'libxslt-1.1.39.tgz'))
    dry = tools.run('pkgin', '-n', 'install', 'libxslt')
    assert dry.stdout.startswith('calculating dependencies...done.\n\n2 packages to install:\nlibxml2-2.12.3\nlibxslt-1.1.39\n\n'
                                 '0 to remove, 0 to refresh, 0 to upgrade, 2 to install\n%s to download, ' % pkgsrc.humanize(size))
    assert dry.stdout.endswith(' of additional disk space will be used\n') and dry.returncode == 0
    assert not os.path.exists(tools.path('/opt/tools/pkg/libxslt-1.1.39'))
    upgrade = tools.run('pkgin', '-y', 'upgrade')
    assert (upgrade.stdout, upgrade.returncode) == ('calculating dependencies...done.\nnothing to do.\n', 0)


def test_unreachable_repository(tools, repo):
    """§5.5: `pkgin: Could not fetch <url>/pkg_summary.<ext>: <err>`, rc 1 (the last extension tried is gz)."""
    down = tools.run('pkgin', '-y', 'update', env={'PKG_REPOS': 'http://127.0.0.1:1/All'})
    assert down.stdout == 'processing remote summary (http://127.0.0.1:1/All)...\n'
    assert (down.stderr, down.returncode) == ('pkgin: Could not fetch http://127.0.0.1:1/All/pkg_summary.gz: Connection refused\n', 1)
    missing = tools.run('pkgin', '-y', 'update', env={'PKG_REPOS': repo['base_url'] + '/nowhere'})
    assert missing.stderr == 'pkgin: Could not fetch %s/nowhere/pkg_summary.gz: Not Found\n' % repo['base_url']
    assert missing.returncode == 1


def test_usage_and_argument_errors(tools):
    """§5.1: no command -> usage on stderr rc 1; missing argument -> `pkgin: <msg>` rc 1; -v."""
    usage = tools.run('pkgin')
    assert usage.returncode == 1 and usage.stdout == ''
    assert usage.stderr.startswith('Usage: pkgin [-46cdfhlnPtvVy] command [package ...]\n\nCommands and shortcuts:\n')
    assert 'install             (in  ) - Install or upgrade packages\n' in usage.stderr
    bad = tools.run('pkgin', '-x', 'list')
    assert bad.returncode == 1 and bad.stderr.startswith('pkgin: illegal option -- x\nUsage: pkgin ')
    missing = tools.run('pkgin', '-y', 'install')
    assert (missing.stderr, missing.returncode) == ('pkgin: specify at least one package to install\n', 1)
    version = tools.run('pkgin', '-v')
    assert (version.stdout, version.returncode) == ('pkgin 23.8.1 (using SQLite 3.44.2)\n', 0)


def test_pip_then_remove(tools):
    """py311-pip gives python3.11 a working pip in its own site-packages (§1.6: `python3.11 -m pip`);
    actions.c pkgin_remove: dependents go first; `no such installed package` rc 1."""
    tools.run('pkgin', '-y', 'install', 'py311-pip')
    if 'pip' in WHEELS:
        pip = subprocess.run([tools.path('/opt/tools/bin/python3.11'), '-c', 'import pip; print(pip.__version__, pip.__file__)'],
                             capture_output=True, text=True, check=False, timeout=60)
        site = tools.path('/opt/tools/lib/python3.11/site-packages')
        assert pip.stdout == '%s %s/pip/__init__.py\n' % (WHEELS['pip'][0], site), pip.stderr
    result = tools.run('pkgin', '-y', 'remove', 'py311-setuptools')
    assert result.stdout == ('2 packages to delete: \n  %s %s\n\n[1/2] removing %s...\n[2/2] removing %s...\n' % (PIP, SETUPTOOLS, PIP, SETUPTOOLS)
                             + 'pkg_install warnings: 0, errors: 0\nreading local summary...\nprocessing local summary...\n')
    assert not os.path.exists(tools.path('/opt/tools/lib/python3.11/site-packages/pip'))
    assert not os.path.exists(tools.path('/opt/tools/bin/pip3.11'))
    assert os.path.exists(tools.path('/opt/tools/bin/python3.11'))
    gone = tools.run('pkgin', '-y', 'rm', 'py311-pip')
    assert (gone.stdout, gone.returncode) == ('no such installed package py311-pip\nno packages to delete\n', 1)


def test_keep_autoremove_export_import(tools):
    """autoremove.c/selection.c: keep marks live in the pkgdb, orphans go, export/import round-trip PKGPATHs."""
    tools.run('pkgin', '-y', 'install', 'libxslt')
    export = tools.run('pkgin', 'export')
    assert export.stdout == ('archivers/libarchive\ndatabases/sqlite3\npkgtools/bootstrap-mk-files\npkgtools/pkg_install\n'
                             'pkgtools/pkgin\ntextproc/libxslt\n')
    unkeep = tools.run('pkgin', 'unkeep', 'libxslt')
    assert (unkeep.stdout, unkeep.returncode) == ('marking libxslt-1.1.39 as auto-removable\n', 0)
    assert tools.run('pkgin', 'show-no-keep').stdout == ('libxml2-2.12.3       XML parser library from the GNOME project\n'
                                                         'libxslt-1.1.39       XSLT parser library from the GNOME project\n')
    removed = tools.run('pkgin', '-y', 'autoremove')
    assert removed.stdout == ('2 packages to be autoremoved:\n  libxml2-2.12.3 libxslt-1.1.39\n\n'
                              '[1/2] removing libxslt-1.1.39...\n[2/2] removing libxml2-2.12.3...\n'
                              'pkg_install warnings: 0, errors: 0\nreading local summary...\nprocessing local summary...\n')
    assert tools.run('pkgin', 'autoremove').stdout == 'all packages are marked as "keepable"\n.'  # sic, MSG_ALL_KEEP_PKGS
    missing = tools.run('pkgin', 'keep', 'libxslt')
    assert (missing.stdout, missing.returncode) == ('no such installed package libxslt\n', 1)
    listing = tools.path('/var/tmp/keep.list')
    os.makedirs(os.path.dirname(listing), exist_ok=True)
    with open(listing, 'w', encoding='utf-8') as handle:
        handle.write('textproc/libxslt\nno-such-thing\n')
    imported = tools.run('pkgin', '-y', 'import', listing)
    assert imported.stderr == 'no-such-thing is not available in the repository\n'
    assert '[2/2] installing libxslt-1.1.39...\n' in imported.stdout and imported.returncode == 0


# ---------------------------------------------------------------------------------------------
# pkg_add, pkg_info

def test_pkg_add_and_info(tools, repo):
    """add/perform.c and info/perform.c messages; pkg_add from a URL pulls dependencies via PKG_PATH."""
    url = repo['base_url'] + '/packages/SmartOS/trunk/tools/All/libxslt-1.1.39.tgz'
    added = tools.run('pkg_add', url)
    assert (added.stdout, added.stderr, added.returncode) == ('', '', 0)
    assert tools.run('pkg_info', '-E', 'libxml2').stdout == 'libxml2-2.12.3\n'
    again = tools.run('pkg_add', url)
    assert (again.stderr, again.returncode) == ("pkg_add: package `libxslt-1.1.39' already recorded as installed\n", 0)
    missing = tools.run('pkg_add', 'nosuchpkg')
    assert missing.stderr == "pkg_add: no pkg found for 'nosuchpkg', sorry.\npkg_add: 1 package addition failed\n"
    assert missing.returncode == 1
    assert tools.run('pkg_info', '-Q', 'PKGPATH', 'libxslt').stdout == 'textproc/libxslt\n'
    unknown = tools.run('pkg_info', 'nosuchpkg')
    assert (unknown.stderr, unknown.returncode) == ("pkg_info: can't find package `nosuchpkg'\n", 1)
    not_there = tools.run('pkg_info', '-e', 'nosuchpkg')
    assert (not_there.stdout, not_there.returncode) == ('', 1)
    files = tools.run('pkg_info', '-qL', 'libxslt')
    assert files.stdout == '/opt/tools/lib/libxslt.so.1\n\n'
    index = tools.run('pkg_info')
    assert 'libxslt-1.1.39      XSLT parser library from the GNOME project\n' in index.stdout
    user = tools.run('pkg_info', '-u')
    assert 'libxslt-1.1.39' in user.stdout and 'libxml2' not in user.stdout
    summary = tools.run('pkg_info', '-X', 'libxslt')
    assert summary.stdout.startswith('PKGNAME=libxslt-1.1.39\nDEPENDS=libxml2>=2.6.2\n') and summary.stdout.endswith('\n\n')


def test_verified_installation_rejects_unsigned(tools):
    """pkg_install.conf VERIFIED_INSTALLATION=always (§1.4) refuses our unsigned packages (add/perform.c
    check_signature); pkgin counts the failure from its error log (actions.c analyse_pkglog), rc 1."""
    with open(tools.path('/opt/tools/etc/pkg_install.conf'), 'a', encoding='utf-8') as handle:
        handle.write('VERIFIED_INSTALLATION=always\n')
    result = tools.run('pkgin', '-y', 'install', 'gmake')
    assert result.stdout.endswith('[1/1] installing gmake-4.4.1...\npkg_install warnings: 0, errors: 1\n'
                                  'pkg_install error log can be found in /opt/tools/var/db/pkgin/pkg_install-err.log\n')
    assert result.returncode == 1
    with open(tools.path('/opt/tools/var/db/pkgin/pkg_install-err.log'), encoding='utf-8') as handle:
        log = handle.read()
    assert 'pkg_add: No valid signature found, rejected\n' in log
    assert not os.path.exists(tools.path('/opt/tools/pkg/gmake-4.4.1'))


def test_zone_prefix(gz, repo):
    """The x86_64 kit in a zone root: /opt/local prefix, pkgdb /opt/local/pkg, pkgin db /var/db/pkgin (§1.2)."""
    zroot = gz.host_path('/zones/a1b2c3/root')
    assert pkgrepo.unpack_bootstrap(repo['dir'], 'x86_64', zroot) == repo['sets']['x86_64']['bootstrap']
    zone = Bootstrapped(gz, zroot, '/opt/local')
    result = zone.run('pkgin', '-y', 'install', 'gmake')
    assert result.returncode == 0, result.stderr
    assert 'processing remote summary (%s/packages/SmartOS/trunk/x86_64/All)...\n' % repo['base_url'] in result.stdout
    assert os.path.isfile(zone.path('/opt/local/bin/gmake'))
    assert os.path.isfile(zone.path('/opt/local/pkg/gmake-4.4.1/+CONTENTS'))
    assert os.path.isfile(zone.path('/var/db/pkgin/pkg_install-err.log'))
    assert not os.path.exists(gz.host_path('/opt/tools'))
    assert zone.run('pkg_info', '-qL', 'gmake').stdout == '/opt/local/bin/gmake\n\n'


# ---------------------------------------------------------------------------------------------
# Units

@pytest.mark.parametrize('size,text', [(0, '0B'), (5000, '5000B'), (10035, '9.8K'), (12 * 1024, '12K'),
                                       (1536 * 1024, '1536K'), (20 * 1024 * 1024, '20M')])
def test_humanize(size, text):
    """§5.4 size examples (humanize_number, 6 bytes, HN_B|HN_NOSPACE|HN_DECIMAL)."""
    assert pkgsrc.humanize(size) == text


def test_versions_and_patterns():
    """pkg_install dewey ordering and dependency patterns."""
    assert pkgrepo.dewey_cmp('3.11.10', '3.11.7') == 1
    assert pkgrepo.dewey_cmp('1.0nb1', '1.0') == 1
    assert pkgrepo.dewey_cmp('1.0rc1', '1.0') == -1
    assert pkgrepo.dewey_cmp('2.0', '2.0') == 0
    assert pkgrepo.pkg_match('python311>=3.11.0', 'python311-3.11.7')
    assert not pkgrepo.pkg_match('python311>=3.12', 'python311-3.11.7')
    assert pkgrepo.pkg_match('gcc{12,13}-[0-9]*', 'gcc13-13.2.0')
    assert pkgrepo.pkg_match('libxml2>=2.6<3', 'libxml2-2.12.3')
    assert not pkgrepo.pkg_match('git', 'git-base-2.43.0')
