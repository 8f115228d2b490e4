"""The simulated pkgsrc world: binary packages, ``pkg_summary``, bootstrap kits, and an HTTP server.

A real SmartOS global zone has no package system until the pkgsrc "tools" bootstrap kit is
unpacked over ``/`` (reference pkgsrc_nova_facts.md §1.1); zones carry ``/opt/local`` (§1.2).
The test bed builds both worlds here, once per run, into a directory laid out like
https://pkgsrc.smartos.org:

    packages/SmartOS/bootstrap/bootstrap-trunk-tools-20240116.tar.gz   (+ .sha1)
    packages/SmartOS/bootstrap/bootstrap-trunk-x86_64-20240116.tar.gz  (+ .sha1)
    packages/SmartOS/trunk/tools/All/<pkg>.tgz + pkg_summary.{gz,bz2,xz}   (prefix /opt/tools)
    packages/SmartOS/trunk/x86_64/All/<pkg>.tgz + pkg_summary.{gz,bz2,xz}  (prefix /opt/local)

Packages are real pkgsrc binary packages in their format (a gzipped ustar whose first members
are ``+CONTENTS``, ``+COMMENT``, ``+DESC``, ``+BUILD_VERSION``, ``+BUILD_INFO``, ``+SIZE_PKG``,
``+SIZE_ALL`` in pkg_install's order, then the files relative to the prefix, in ``+CONTENTS``
order; NetBSD/pkgsrc pkgtools/pkg_install/files/add/perform.c ``pkg_meta_descriptors``) with tiny
contents. The pkgsrc tools themselves (``pkgin``, ``pkg_add``, ``pkg_info`` ...) are ``#!/bin/sh``
wrappers that run this simulator (``run.py <tool>``); the Python package's ``bin/python3.11`` runs
the test bed's real interpreter, so "no Python until pkgsrc installs one" holds in a simulated GZ.

API:
    build_repository(out_dir, sim_home, python_path, base_url=None) -> info dict
    unpack_bootstrap(out_dir, set_name, root) -> kit path (tar -zxpf kit -C root)
    serve(out_dir, host, port) -> server (threaded http.server, running in a daemon thread)
    python3 -m smartos_sim.pkgrepo build --dir D --python P [--base-url URL]
    python3 -m smartos_sim.pkgrepo serve --dir D --host 127.0.0.x --port N [--pidfile F]

Package-format helpers shared with :mod:`smartos_sim.tools.pkgsrc` live here too
(``dewey_cmp``, ``pkg_match``, ``split_pkgname``, ``parse_summary``, ``read_package``).
"""
import argparse
import bz2
import fnmatch
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import sys
import tarfile
import time
import zipfile

BRANCH = 'trunk'
# The newest tools kit the reference names (pkgsrc_nova_facts.md §1.1: bootstrap-trunk-tools-20240116).
KIT_DATE = '20240116'
BUILD_DATE = '2024-01-16 09:41:17 +0000'
PKGTOOLS_VERSION = '20211115'
OPSYS = 'SunOS'
OS_VERSION = '5.11'
MACHINE_ARCH = 'x86_64'
BUILD_HOST = 'SunOS pkgsrc-builder 5.11 joyent_20210826T002459Z i86pc i386 i86pc'

# set name -> (prefix, package db directory, pkgin db directory)
# pkgdb under <prefix>/pkg: Joyent's SmartOS builds keep it there.
# UNCONFIRMED (reference §1.4/§5.1 silent on the GZ paths): pkgin's db in <prefix>/var/db/pkgin for
# the tools set, /var/db/pkgin (pkgin.1 FILES) for zones.
SETS = {
    'tools': ('/opt/tools', '/opt/tools/pkg', '/opt/tools/var/db/pkgin'),
    'x86_64': ('/opt/local', '/opt/local/pkg', '/var/db/pkgin'),
}
META_ORDER = ('+CONTENTS', '+COMMENT', '+DESC', '+INSTALL', '+DEINSTALL', '+DISPLAY', '+MTREE_DIRS',
              '+BUILD_VERSION', '+BUILD_INFO', '+SIZE_PKG', '+SIZE_ALL', '+PRESERVE', '+REQUIRED_BY',
              '+INSTALLED_INFO')
# Packages the bootstrap kits carry already installed (their pkgdb entries are in the kit).
BOOTSTRAP_PKGS = ('bootstrap-mk-files', 'libarchive', 'pkg_install', 'pkgin', 'sqlite3')
# The tools run through the simulator's dispatcher (tests/simulator/run.py <tool>).
PKG_TOOLS = {'bin/pkgin': 'pkgin', 'sbin/pkg_add': 'pkg_add', 'sbin/pkg_info': 'pkg_info',
             'sbin/pkg_delete': 'pkg_delete', 'sbin/pkg_admin': 'pkg_admin'}


def repo_path(set_name):
    """URL path (below the server root) of a set's package directory."""
    return 'packages/SmartOS/%s/%s/All' % (BRANCH, set_name)


def bootstrap_name(set_name):
    """File name of a set's bootstrap kit (reference §1.1/§1.2 name patterns)."""
    return 'bootstrap-%s-%s-%s.tar.gz' % (BRANCH, set_name, KIT_DATE)


# --------------------------------------------------------------------------------------------
# pkgsrc names, versions and patterns (pkg_install lib/dewey.c, lib/opattern.c semantics)

def split_pkgname(full):
    """``python311-3.11.7`` -> (``python311``, ``3.11.7``)."""
    base, dummy, version = full.rpartition('-')
    return (base, version) if base else (full, '')


_DEWEY_WORDS = (('alpha', -3), ('beta', -2), ('pre', -1), ('rc', -1), ('pl', 0))


def _dewey_parse(version):
    parts, revision, i = [], 0, 0
    v = version.lower()
    while i < len(v):
        c = v[i]
        if c.isdigit():
            j = i
            while j < len(v) and v[j].isdigit():
                j += 1
            parts.append(int(v[i:j]))
            i = j
            continue
        if v.startswith('nb', i):
            j = i + 2
            while j < len(v) and v[j].isdigit():
                j += 1
            revision = int(v[i + 2:j] or 0)
            i = j
            continue
        for word, value in _DEWEY_WORDS:
            if v.startswith(word, i):
                parts.append(value)
                i += len(word)
                break
        else:
            if c in '._':
                parts.append(0)
            elif c.isalpha():
                parts.extend((0, ord(c) - ord('a') + 1))
            i += 1
    return parts, revision


def dewey_cmp(a, b):
    """-1, 0, 1 comparing two pkgsrc versions the way pkg_install's dewey.c does."""
    pa, ra = _dewey_parse(a)
    pb, rb = _dewey_parse(b)
    n = max(len(pa), len(pb))
    pa += [0] * (n - len(pa))
    pb += [0] * (n - len(pb))
    if pa != pb:
        return -1 if pa < pb else 1
    return (ra > rb) - (ra < rb)


_REL = re.compile(r'(>=|<=|>|<)')


def _expand_braces(pattern):
    m = re.search(r'\{([^{}]*)\}', pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(','):
        out.extend(_expand_braces(pattern[:m.start()] + alt + pattern[m.end():]))
    return out


def pkg_match(pattern, full):
    """Whether the package ``full`` (name-version) matches a pkgsrc dependency pattern.

    Supports ``{a,b}`` alternation, relational patterns (``name>=1.0``, ``name>=1.0<2``),
    shell globs (``name-[0-9]*``) and exact names (pkg_install lib/opattern.c).
    """
    for pat in _expand_braces(pattern):
        m = _REL.search(pat)
        if m:
            base = pat[:m.start()]
            fbase, fver = split_pkgname(full)
            if base != fbase and not fnmatch.fnmatchcase(fbase, base):
                continue
            ok = True
            for op, ver in re.findall(r'(>=|<=|>|<)([^<>=]+)', pat[m.start():]):
                c = dewey_cmp(fver, ver)
                ok = ok and {'>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0}[op]
            if ok:
                return True
        elif any(ch in pat for ch in '*?['):
            if fnmatch.fnmatchcase(full, pat):
                return True
        elif pat == full:
            return True
    return False


def best_match(pattern, fulls):
    """The highest version among ``fulls`` matching ``pattern`` (or None)."""
    best = None
    for full in fulls:
        if pkg_match(pattern, full) and (best is None or dewey_cmp(split_pkgname(full)[1], split_pkgname(best)[1]) > 0):
            best = full
    return best


# --------------------------------------------------------------------------------------------
# pkg_summary and package archives

def parse_summary(text):
    """pkg_summary text -> list of dicts (multi-valued keys such as DEPENDS, DESCRIPTION are lists)."""
    entries, cur = [], {}
    multi = ('DEPENDS', 'DESCRIPTION', 'CONFLICTS', 'PROVIDES', 'REQUIRES', 'SUPERSEDES')
    for line in text.split('\n'):
        if not line.strip():
            if cur:
                entries.append(cur)
                cur = {}
            continue
        key, dummy, value = line.partition('=')
        if key in multi:
            cur.setdefault(key, []).append(value)
        else:
            cur[key] = value
    if cur:
        entries.append(cur)
    return entries


def read_package(data):
    """A binary package's bytes -> (meta dict name -> text, [(TarInfo, bytes or None)] of files)."""
    meta, files = {}, []
    with tarfile.open(fileobj=io.BytesIO(data), mode='r:*') as tar:
        for member in tar:
            if member.name in META_ORDER and not files:
                meta[member.name] = tar.extractfile(member).read().decode('utf-8')
                continue
            content = tar.extractfile(member).read() if member.isfile() else None
            files.append((member, content))
    return meta, files


def parse_contents(text):
    """+CONTENTS -> dict: name, cwd, depends [patterns], files [relpath], pkgdirs, conflicts."""
    out = {'name': None, 'cwd': None, 'depends': [], 'files': [], 'pkgdirs': [], 'conflicts': []}
    skip = False
    for line in text.split('\n'):
        if not line:
            continue
        if skip:
            skip = False
            continue
        if line.startswith('@'):
            cmd, dummy, arg = line.partition(' ')
            if cmd == '@name':
                out['name'] = arg
            elif cmd == '@cwd':
                out['cwd'] = arg
            elif cmd == '@pkgdep':
                out['depends'].append(arg)
            elif cmd == '@pkgcfl':
                out['conflicts'].append(arg)
            elif cmd == '@pkgdir':
                out['pkgdirs'].append(arg)
            elif cmd == '@ignore':
                skip = True
        else:
            out['files'].append(line)
    return out


def _tarinfo(name, size=0, mode=0o644, kind=tarfile.REGTYPE, linkname=''):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.type = kind
    info.linkname = linkname
    info.mtime = 1705398077  # BUILD_DATE
    info.uname = info.gname = 'root'
    return info


def _gz_tar(members):
    """members: [(TarInfo, bytes or None)] -> deterministic .tar.gz bytes."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode='wb', mtime=0, compresslevel=6) as gz:
        with tarfile.open(fileobj=gz, mode='w', format=tarfile.USTAR_FORMAT) as tar:
            for info, content in members:
                tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return raw.getvalue()


# --------------------------------------------------------------------------------------------
# The package catalogue (names per reference pkgsrc_nova_facts.md §1.6)

def _sh(body):
    return ('#!/bin/sh\n' + body).encode('utf-8')


def _host_tool_wrapper(tool, names, version):
    """A wrapper around the build machine's own tool, or a stub that only knows --version."""
    for name in names:
        found = shutil.which(name, path='/usr/local/bin:/usr/bin:/bin')
        if found:
            return _sh('# %s from the simulated pkgsrc: the test bed host\'s %s\nexec %s "$@"\n' % (tool, name, found))
    return _sh('# %s from the simulated pkgsrc (no such tool on the test bed host)\n'
               'case "$1" in --version|-v) echo "%s version %s"; exit 0;; esac\n'
               'echo "%s: not available in the simulated global zone" >&2\nexit 1\n' % (tool, tool, version, tool))


def _bundled_wheels():
    """name -> (version, wheel file name, bytes, top-level names) of the pip and setuptools wheels the
    builder's own Python bundles for ensurepip (none when the distribution stripped them)."""
    out = {}
    bundled = os.path.join(os.path.dirname(os.__file__), 'ensurepip', '_bundled')
    for name in ('pip', 'setuptools'):
        found = sorted(f for f in (os.listdir(bundled) if os.path.isdir(bundled) else [])
                       if f.startswith(name + '-') and f.endswith('-py3-none-any.whl'))
        if not found:
            continue
        with open(os.path.join(bundled, found[-1]), 'rb') as handle:
            data = handle.read()
        with zipfile.ZipFile(io.BytesIO(data)) as whl:
            tops = sorted({n.split('/')[0] for n in whl.namelist()})
        out[name] = (found[-1].split('-')[1], found[-1], data, tops)
    return out


def _python_package(python_path, in_bin, sim_home):
    """lang/python311: ``bin/python3.11`` runs the test bed's interpreter so that it sees itself as
    ``<prefix>/bin/python3.11`` in a venv rooted at ``<prefix>`` (``<prefix>/pyvenv.cfg``, written
    by +INSTALL): its own ``lib/python3.11/site-packages`` as pkgsrc's Python has, and pip or venv
    never write into the test bed's interpreter. The re-exec gives it that argv[0] (``sh`` has no
    ``exec -a``)."""
    py = _sh('# python3.11 of the simulated pkgsrc: the test bed\'s interpreter, as <prefix>/bin/python3.11\n'
             'exec \'%s\' -E -S -c \'import os, sys; os.execv(sys.executable, sys.argv[1:])\' "$0" "$@"\n' % python_path)
    install = ('#!/bin/sh\n# +INSTALL of the simulated python311: <prefix>/pyvenv.cfg names the real interpreter\'s home.\n'
               'case "$2" in\nPOST-INSTALL)\n'
               '\thome=$(\'%s\' -E -S -c \'import os, sys; print(os.path.dirname(sys.executable))\') || exit 1\n'
               '\tprintf \'home = %%s\\ninclude-system-site-packages = false\\n\' "$home" > "${PKG_PREFIX}/pyvenv.cfg" || exit 1\n'
               '\t;;\nesac\nexit 0\n' % python_path)
    deinstall = '#!/bin/sh\ncase "$2" in\nPOST-DEINSTALL) rm -f "${PKG_PREFIX}/pyvenv.cfg";;\nesac\nexit 0\n'
    # Not in a real python311: the test bed's bytecode cache for AnsiballZ payloads (zipcache.py).
    sim_home = os.path.abspath(sim_home)
    # One line (site.py runs a .pth line that starts with "import"); it does nothing once the bed is gone.
    zipcache = ('import os; _p = %r; os.path.isfile(_p) and exec(compile(open(_p, "rb").read(), _p, "exec"), '
                '{"__name__": "smartos_sim_zipcache", "CACHE_DIR": %r})\n'
                % (os.path.join(sim_home, 'smartos_sim', 'zipcache.py'), os.path.join(os.path.dirname(sim_home), 'zipcache')))
    files = [('bin/pydoc3.11', _sh(in_bin % 'pydoc'), 0o755), ('bin/python3.11', py, 0o755),
             ('lib/python3.11/LICENSE.txt', b'simulated package content\n', 0o444),
             ('lib/python3.11/site-packages/smartos-sim-zipcache.pth', zipcache.encode('utf-8'), 0o444)]
    return files, {'+INSTALL': install, '+DEINSTALL': deinstall, 'pkgdirs': ['lib/python3.11/site-packages']}


def _wheel_package(name, wheels, fallback_version):
    """(version, files, scripts) of py311-pip / py311-setuptools: the bundled wheel under
    share/py311-<name>/, unpacked into site-packages by +INSTALL (UNCONFIRMED/deliberate: real
    packages list every file in their PLIST; unpacking at install time keeps the build fast)."""
    if name not in wheels:
        return fallback_version, [('share/doc/py311-%s/README' % name, b'simulated package content\n', 0o444)], {}
    version, fname, data, tops = wheels[name]
    share = 'share/py311-%s/%s' % (name, fname)
    site = '"${PKG_PREFIX}/lib/python3.11/site-packages"'
    install = ('#!/bin/sh\n# +INSTALL of the simulated py311-%s: unpack the wheel into python3.11\'s site-packages.\n'
               'case "$2" in\nPOST-INSTALL)\n'
               '\t"${PKG_PREFIX}/bin/python3.11" -E -c \'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\' '
               '"${PKG_PREFIX}/%s" %s || exit 1\n\t;;\nesac\nexit 0\n' % (name, share, site))
    deinstall = ('#!/bin/sh\ncase "$2" in\nDEINSTALL)\n\tcd %s && rm -rf %s\n\t;;\nesac\nexit 0\n'
                 % (site, ' '.join(tops)))
    return version, [(share, data, 0o444)], {'+INSTALL': install, '+DEINSTALL': deinstall}


def _catalogue(sim_home, python_path):
    """[(pkgpath, name, version, comment, depends, categories, license, files, extra)]; files: [(rel, bytes, mode)];
    extra: {'+INSTALL': text, '+DEINSTALL': text, 'pkgdirs': [rel]}."""
    run_py = os.path.join(os.path.abspath(sim_home), 'run.py')
    wheels = _bundled_wheels()

    def tool(name):
        return _sh('# %s of the simulated SmartOS pkgsrc (built by smartos_sim.pkgrepo): runs the simulator.\n'
                   'SMARTOS_SIM_PKG_PREFIX=@PREFIX@\n'
                   'SMARTOS_SIM_PKG_DIR=$(cd "$(dirname "$0")/.." && pwd)\n'
                   'export SMARTOS_SIM_PKG_PREFIX SMARTOS_SIM_PKG_DIR\n'
                   'exec "${SMARTOS_SIM_PYTHON:-python3}" \'%s\' %s "$@"\n' % (name, run_py, name))

    in_bin = 'exec "$(dirname "$0")/python3.11" -m %s "$@"\n'
    doc = b'simulated package content\n'
    py_files, py_extra = _python_package(python_path, in_bin, sim_home)
    pip_version, pip_files, pip_extra = _wheel_package('pip', wheels, '23.2.1')
    st_version, st_files, st_extra = _wheel_package('setuptools', wheels, '65.5.0')
    specs = [
        ('pkgtools/bootstrap-mk-files', 'bootstrap-mk-files', '20230724', '*.mk files for the bootstrap bmake utility', [],
         'pkgtools', 'modified-bsd', [('share/mk/bsd.own.mk', doc, 0o444)]),
        ('archivers/libarchive', 'libarchive', '3.7.2', 'Library to read/create different archive formats', [],
         'archivers', 'modified-bsd', [('lib/libarchive.so.13', doc, 0o755)]),
        ('databases/sqlite3', 'sqlite3', '3.44.2', 'SQL Database Engine in a C Library', [],
         'databases', 'public-domain', [('bin/sqlite3', _sh('echo "3.44.2 2023-11-24"\n'), 0o755), ('lib/libsqlite3.so.0', doc, 0o755)]),
        ('pkgtools/pkg_install', 'pkg_install', PKGTOOLS_VERSION, 'Package management and administration tools for pkgsrc', [],
         'pkgtools', 'modified-bsd', [(rel, tool(t), 0o755) for rel, t in sorted(PKG_TOOLS.items()) if rel.startswith('sbin/')]
         + [('man/man1/pkg_add.1', doc, 0o444)]),
        ('pkgtools/pkgin', 'pkgin', '23.8.1', 'Apt / yum like tool for managing pkgsrc binary packages',
         ['libarchive>=3.3.1', 'sqlite3>=3.27.1'], 'pkgtools', 'modified-bsd',
         [('bin/pkgin', tool('pkgin'), 0o755), ('man/man1/pkgin.1', doc, 0o444)]),
        ('devel/libffi', 'libffi', '3.4.4', 'Foreign function interface', [], 'devel', 'mit', [('lib/libffi.so.8', doc, 0o755)]),
        ('security/openssl', 'openssl', '3.1.4', 'Secure Socket Layer and cryptographic library', [],
         'security', 'apache-2.0', [('bin/openssl', _host_tool_wrapper('openssl', ['openssl'], '3.1.4'), 0o755),
                                    ('lib/libssl.so.3', doc, 0o755)]),
        ('lang/python311', 'python311', '3.11.7', 'Interpreted, interactive, object-oriented programming language',
         ['libffi>=3.2.1nb4', 'openssl>=3.0.0', 'sqlite3>=3.40.0'], 'lang python', 'python-software-foundation',
         py_files, py_extra),
        ('devel/py-setuptools', 'py311-setuptools', st_version, 'New Python packaging system', ['python311>=3.11.0'],
         'devel python', 'mit', st_files, st_extra),
        ('devel/py-pip', 'py311-pip', pip_version, 'Installs Python packages as an easy_install replacement',
         ['py311-setuptools>=0', 'python311>=3.11.0'], 'devel python', 'mit',
         [('bin/pip3.11', _sh(in_bin % 'pip'), 0o755)] + pip_files, pip_extra),
        ('devel/py-virtualenv', 'py311-virtualenv', '20.25.0', 'Virtual Python Environment builder',
         ['py311-setuptools>=0', 'python311>=3.11.0'], 'devel python', 'mit',
         [('bin/virtualenv-3.11', _sh(in_bin % 'venv'), 0o755)]),
        ('devel/git-base', 'git-base', '2.43.0', 'GIT Tree History Storage Tool (base package)', ['openssl>=3.0.0'],
         'devel scm', 'gnu-gpl-v2', [('bin/git', _host_tool_wrapper('git', ['git'], '2.43.0'), 0o755)]),
        ('devel/git', 'git', '2.43.0', 'GIT Tree History Storage Tool', ['git-base>=2.43.0'], 'meta-pkgs devel scm',
         'gnu-gpl-v2', [('share/doc/git/README', doc, 0o444)]),
        ('lang/gcc13', 'gcc13', '13.2.0', 'The GNU Compiler Collection (GCC) - 13.0 Release Series', [], 'lang',
         'gnu-gpl-v2 AND gnu-gpl-v3 AND gnu-lgpl-v2 AND gnu-lgpl-v3',
         [('gcc13/bin/gcc', _host_tool_wrapper('gcc', ['gcc', 'cc'], '13.2.0'), 0o755),
          ('gcc13/bin/g++', _host_tool_wrapper('g++', ['g++', 'c++'], '13.2.0'), 0o755)]),
        ('devel/gmake', 'gmake', '4.4.1', 'GNU version of \'make\' utility', [], 'devel', 'gnu-gpl-v3',
         [('bin/gmake', _host_tool_wrapper('gmake', ['gmake', 'make'], '4.4.1'), 0o755)]),
        ('devel/binutils', 'binutils', '2.41', 'GNU binary utilities', [], 'devel', 'gnu-gpl-v3',
         [('bin/gas', _host_tool_wrapper('gas', ['as'], '2.41'), 0o755)]),
        ('devel/pkg-config', 'pkg-config', '0.29.2', 'System for managing library compile/link flags', [], 'devel',
         'gnu-gpl-v2', [('bin/pkg-config', _host_tool_wrapper('pkg-config', ['pkg-config', 'pkgconf'], '0.29.2'), 0o755)]),
        ('textproc/libxml2', 'libxml2', '2.12.3', 'XML parser library from the GNOME project', [], 'textproc', 'modified-bsd',
         [('bin/xmllint', _host_tool_wrapper('xmllint', ['xmllint'], '20912'), 0o755), ('lib/libxml2.so.2', doc, 0o755)]),
        ('textproc/libxslt', 'libxslt', '1.1.39', 'XSLT parser library from the GNOME project', ['libxml2>=2.6.2'],
         'textproc', 'mit', [('lib/libxslt.so.1', doc, 0o755)]),
        ('pkgtools/build-essential', 'build-essential', '1.4', 'Meta-package for the essential build tools',
         ['binutils>=2.22', 'gcc13>=13.0', 'git-base>=1.8', 'gmake>=3.82', 'pkg-config>=0.25'], 'meta-pkgs', 'modified-bsd',
         [('share/doc/build-essential/README', doc, 0o444)]),
    ]
    return [spec if len(spec) == 9 else spec + ({},) for spec in specs]


def _build_package(spec, prefix, catalogue_sizes):
    """One spec -> (file name, bytes, summary dict)."""
    pkgpath, name, version, comment, depends, categories, license_, files, extra = spec
    full = '%s-%s' % (name, version)
    desc = '%s.\n\nA package of the simulated SmartOS pkgsrc repository; its files are small stand-ins.\n' % comment
    payload = []
    plist = ['@name %s' % full, '@comment PKG_FORMAT_REVISION:1.1']
    plist += ['@pkgdep %s' % d for d in depends]
    plist.append('@cwd %s' % prefix)
    size_pkg = 0
    for rel, content, mode in sorted(files):
        content = content.replace(b'@PREFIX@', prefix.encode('utf-8'))
        payload.append((_tarinfo(rel, len(content), mode), content))
        plist += [rel, '@comment MD5:%s' % hashlib.md5(content).hexdigest()]
        size_pkg += len(content)
    plist += ['@pkgdir %s' % d for d in extra.get('pkgdirs', [])]
    contents = '\n'.join(plist) + '\n'
    build_info = ''.join('%s=%s\n' % kv for kv in (
        ('BUILD_DATE', BUILD_DATE), ('BUILD_HOST', BUILD_HOST), ('CATEGORIES', categories),
        ('HOMEPAGE', 'https://pkgsrc.smartos.org/'), ('LICENSE', license_), ('LOCALBASE', prefix),
        ('MACHINE_ARCH', MACHINE_ARCH), ('MACHINE_GNU_ARCH', MACHINE_ARCH), ('OBJECT_FMT', 'ELF'),
        ('OPSYS', OPSYS), ('OS_VERSION', OS_VERSION), ('PKGPATH', pkgpath), ('PKGTOOLS_VERSION', PKGTOOLS_VERSION),
        ('PKG_SYSCONFBASEDIR', prefix + '/etc'), ('PKG_SYSCONFDIR', prefix + '/etc')))
    catalogue_sizes[name] = (size_pkg, list(depends))
    size_all = size_pkg + _deps_size(name, catalogue_sizes, set())
    scripts = [(n, extra[n].replace('@PREFIX@', prefix)) for n in ('+INSTALL', '+DEINSTALL') if n in extra]
    meta = [('+CONTENTS', contents), ('+COMMENT', comment + '\n'), ('+DESC', desc)] + scripts + [
        ('+BUILD_VERSION', 'pkgsrc/%s/Makefile:\t$NetBSD: Makefile $\n' % pkgpath), ('+BUILD_INFO', build_info),
        ('+SIZE_PKG', '%d\n' % size_pkg), ('+SIZE_ALL', '%d\n' % size_all)]
    members = [(_tarinfo(n, len(t.encode('utf-8')), 0o555 if n in ('+INSTALL', '+DEINSTALL') else 0o444), t.encode('utf-8'))
               for n, t in meta] + payload
    data = _gz_tar(members)
    summary = {'BUILD_DATE': BUILD_DATE, 'CATEGORIES': categories, 'COMMENT': comment, 'DEPENDS': list(depends),
               'DESCRIPTION': desc.rstrip('\n').split('\n'), 'FILE_NAME': full + '.tgz', 'FILE_SIZE': str(len(data)),
               'HOMEPAGE': 'https://pkgsrc.smartos.org/', 'LICENSE': license_, 'MACHINE_ARCH': MACHINE_ARCH,
               'OPSYS': OPSYS, 'OS_VERSION': OS_VERSION, 'PKGNAME': full, 'PKGPATH': pkgpath,
               'PKGTOOLS_VERSION': PKGTOOLS_VERSION, 'SIZE_PKG': str(size_pkg)}
    return full + '.tgz', data, summary


def _deps_size(name, sizes, seen):
    total = 0
    for dep in sizes.get(name, (0, []))[1]:
        base = re.split(r'[<>=\[*{]', dep, 1)[0].rstrip('-')
        if base in seen or base not in sizes:
            continue
        seen.add(base)
        total += sizes[base][0] + _deps_size(base, sizes, seen)
    return total


def format_summary(entries):
    """Summary dicts -> pkg_summary text (keys sorted, one blank line after each entry)."""
    out = []
    for entry in entries:
        for key in sorted(entry):
            values = entry[key] if isinstance(entry[key], list) else [entry[key]]
            out.extend('%s=%s\n' % (key, v) for v in values)
        out.append('\n')
    return ''.join(out)


def install_package_files(data, root, dbdir_rel, automatic=False, pre_install=None):
    """Unpack a package into a file system tree ``root`` (as pkg_add would): metadata into
    ``<root><dbdir>/<pkgname>/``, then ``pre_install(pkgdir)`` if given, then the files under @cwd.
    Returns the parsed +CONTENTS dict."""
    meta, files = read_package(data)
    plist = parse_contents(meta['+CONTENTS'])
    prefix_dir = os.path.join(root, plist['cwd'].lstrip('/'))
    pkgdir = os.path.join(root, dbdir_rel.lstrip('/'), plist['name'])
    os.makedirs(pkgdir, exist_ok=True)
    for name in META_ORDER:
        if name in meta:
            path = os.path.join(pkgdir, name)
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(meta[name])
            os.chmod(path, 0o555 if name in ('+INSTALL', '+DEINSTALL') else 0o644)
    if automatic:
        with open(os.path.join(pkgdir, '+INSTALLED_INFO'), 'w', encoding='utf-8') as handle:
            handle.write('automatic=yes\n')
    if pre_install:
        pre_install(pkgdir)
    for info, content in files:
        dest = os.path.join(prefix_dir, info.name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            os.unlink(dest)
        if info.issym():
            os.symlink(info.linkname, dest)
        elif info.isdir():
            os.makedirs(dest, exist_ok=True)
        else:
            with open(dest, 'wb') as handle:
                handle.write(content)
            os.chmod(dest, info.mode & 0o7777)
    for rel in plist['pkgdirs']:
        os.makedirs(os.path.join(prefix_dir, rel), exist_ok=True)
    return plist


def _conf_files(prefix, repo_url):
    pkg_install = ('GPG_KEYRING_PKGVULN=%s/share/gnupg/pkgsrc-security.gpg\n'
                   'GPG_KEYRING_VERIFY=%s/etc/gnupg/pkgsrc.gpg\n'
                   'PKG_PATH=%s\n' % (prefix, prefix, repo_url))
    # UNCONFIRMED/deliberate: the real kits also set VERIFIED_INSTALLATION=always; our packages are
    # unsigned, so the simulated kit leaves it out (pkg_add honours it if a test sets it).
    repos = ('# Repositories pkgin uses, one URL a line; where two hold the same package, the first wins.\n'
             '# Macros: $arch (machine hardware) and $osrelease (OS release).\n'
             '%s\n' % repo_url)
    mk_conf = ('# Settings of the simulated pkgsrc set under %s\n'
               'LOCALBASE=\t%s\nPKG_DBDIR=\t%s/pkg\nPKG_SYSCONFBASE=\t%s/etc\n' % (prefix, prefix, prefix, prefix))
    return {'etc/pkg_install.conf': pkg_install, 'etc/pkgin/repositories.conf': repos, 'etc/mk.conf': mk_conf}


def _build_kit(set_name, packages, repo_url, work):
    """Install BOOTSTRAP_PKGS into an empty tree, add the config files, tar it relative to /."""
    prefix, dbdir, pkgin_db = SETS[set_name]
    root = os.path.join(work, 'kit-' + set_name)
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    for base in BOOTSTRAP_PKGS:
        install_package_files(packages[base], root, dbdir)
    for rel, text in _conf_files(prefix, repo_url).items():
        dest = os.path.join(root, prefix.lstrip('/'), rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'w', encoding='utf-8') as handle:
            handle.write(text)
    os.makedirs(os.path.join(root, pkgin_db.lstrip('/')), exist_ok=True)
    members = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir != '.':
            members.append((_tarinfo(rel_dir, 0, 0o755, tarfile.DIRTYPE), None))
        for fname in sorted(filenames):
            path = os.path.join(dirpath, fname)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                members.append((_tarinfo(rel, 0, 0o777, tarfile.SYMTYPE, os.readlink(path)), None))
                continue
            with open(path, 'rb') as handle:
                content = handle.read()
            members.append((_tarinfo(rel, len(content), os.stat(path).st_mode & 0o7777), content))
    shutil.rmtree(root)
    return _gz_tar(members)


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(data)


def build_repository(out_dir, sim_home, python_path, base_url=None):
    """Build packages, pkg_summary files and bootstrap kits for both sets into ``out_dir``.

    ``base_url`` is the server root the kits' repositories.conf/pkg_install.conf point at
    (``http://127.0.0.x:port``); by default ``file://<out_dir>``. Returns an info dict:
    ``{'base_url', 'sets': {set: {'prefix', 'repo_url', 'repo_dir', 'packages': [full...],
    'bootstrap': path, 'bootstrap_name', 'bootstrap_url', 'sha1', 'sha256'}}}`` (also written
    as ``<out_dir>/pkgrepo.json``).
    """
    out_dir = os.path.abspath(out_dir)
    base_url = (base_url or 'file://' + out_dir).rstrip('/')
    catalogue = _catalogue(sim_home, python_path)
    info = {'base_url': base_url, 'sets': {}}
    for set_name, (prefix, _dbdir, _pkgin_db) in SETS.items():
        repo_dir = os.path.join(out_dir, repo_path(set_name))
        sizes, summaries, by_base = {}, [], {}
        for spec in catalogue:
            fname, data, summary = _build_package(spec, prefix, sizes)
            _write(os.path.join(repo_dir, fname), data)
            summaries.append(summary)
            by_base[spec[1]] = data
        text = format_summary(sorted(summaries, key=lambda s: s['PKGNAME'])).encode('utf-8')
        _write(os.path.join(repo_dir, 'pkg_summary.gz'), gzip.compress(text, mtime=0))
        _write(os.path.join(repo_dir, 'pkg_summary.bz2'), bz2.compress(text))
        _write(os.path.join(repo_dir, 'pkg_summary.xz'), lzma.compress(text))
        repo_url = '%s/%s' % (base_url, repo_path(set_name))
        kit = _build_kit(set_name, by_base, repo_url, out_dir)
        kit_path = os.path.join(out_dir, 'packages/SmartOS/bootstrap', bootstrap_name(set_name))
        _write(kit_path, kit)
        sha1 = hashlib.sha1(kit).hexdigest()
        # UNCONFIRMED: pkgsrc.smartos.org publishes the SHA1 on its page, not in a file; the test bed
        # writes it next to the kit as `/bin/digest -a sha1` prints it (the bare hex digest).
        _write(kit_path + '.sha1', (sha1 + '\n').encode('ascii'))
        info['sets'][set_name] = {
            'prefix': prefix, 'repo_url': repo_url, 'repo_dir': repo_dir,
            'packages': sorted(s['PKGNAME'] for s in summaries), 'bootstrap': kit_path,
            'bootstrap_name': bootstrap_name(set_name),
            'bootstrap_url': '%s/packages/SmartOS/bootstrap/%s' % (base_url, bootstrap_name(set_name)),
            'sha1': sha1, 'sha256': hashlib.sha256(kit).hexdigest()}
    with open(os.path.join(out_dir, 'pkgrepo.json'), 'w', encoding='utf-8') as handle:
        json.dump(info, handle, indent=1, sort_keys=True)
    return info


def unpack_bootstrap(out_dir, set_name, root):
    """``tar -zxpf <kit> -C <root>``: unpack a built set's bootstrap kit over the file system tree
    ``root`` (a GZ's ``state.host_path('/')`` for ``tools``, a zone root for ``x86_64``, whose
    images ship with pkgsrc already bootstrapped, reference §1.2). Returns the kit's path."""
    kit = os.path.join(os.path.abspath(out_dir), 'packages/SmartOS/bootstrap', bootstrap_name(set_name))
    with tarfile.open(kit, mode='r:gz') as tar:
        for member in tar.getmembers():
            if member.name.startswith('/') or '..' in member.name.split('/'):
                raise ValueError('unsafe member in %s: %s' % (kit, member.name))
        tar.extractall(root)  # members checked above
    return kit


# --------------------------------------------------------------------------------------------
# Serving

def serve(out_dir, host, port):
    """Serve ``out_dir`` over HTTP on ``host:port`` from a daemon thread; returns the server
    (``server.server_address`` has the real port when ``port`` is 0; stop with ``shutdown()``)."""
    # Imported here: the package tools import this module on every call and never serve.
    import functools  # pylint: disable=import-outside-toplevel
    import http.server  # pylint: disable=import-outside-toplevel
    import socketserver  # pylint: disable=import-outside-toplevel
    import threading  # pylint: disable=import-outside-toplevel

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    handler = functools.partial(QuietHandler, directory=os.path.abspath(out_dir))
    server = Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name='pkgrepo', daemon=True)
    thread.start()
    return server


def _main(argv):
    parser = argparse.ArgumentParser(prog='python3 -m smartos_sim.pkgrepo')
    sub = parser.add_subparsers(dest='command', required=True)
    p_build = sub.add_parser('build', help='build the repository and the bootstrap kits')
    p_build.add_argument('--dir', required=True)
    p_build.add_argument('--python', default=sys.executable, help='the real interpreter python3.11 runs')
    p_build.add_argument('--base-url')
    p_serve = sub.add_parser('serve', help='serve a built repository over HTTP (foreground)')
    p_serve.add_argument('--dir', required=True)
    p_serve.add_argument('--host', default='127.0.0.1')
    p_serve.add_argument('--port', type=int, default=0)
    p_serve.add_argument('--pidfile')
    opts = parser.parse_args(argv)
    if opts.command == 'build':
        sim_home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        info = build_repository(opts.dir, sim_home, opts.python, opts.base_url)
        sys.stdout.write(json.dumps(info, indent=1, sort_keys=True) + '\n')
        return 0
    server = serve(opts.dir, opts.host, opts.port)
    if opts.pidfile:
        with open(opts.pidfile, 'w', encoding='utf-8') as handle:
            handle.write('%d\n' % os.getpid())
    sys.stdout.write('serving %s on http://%s:%d\n' % (opts.dir, opts.host, server.server_address[1]))
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(_main(sys.argv[1:]))
