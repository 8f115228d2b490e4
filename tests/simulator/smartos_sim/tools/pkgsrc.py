"""pkgsrc's tools in the simulated SmartOS: ``pkgin``, ``pkg_add``, ``pkg_info`` (+ ``pkg_delete``, ``pkg_admin``).

None of them exists in a fresh global zone: they arrive with the bootstrap kit that
:mod:`smartos_sim.pkgrepo` builds (reference pkgsrc_nova_facts.md §1.1). The kit's tools are
``#!/bin/sh`` wrappers that set ``SMARTOS_SIM_PKG_PREFIX`` (the set's prefix, ``/opt/tools`` in
the GZ, ``/opt/local`` in zones) and ``SMARTOS_SIM_PKG_DIR`` (where that prefix really is, taken
from the wrapper's own path), so the same code serves the GZ and any zone root.

Behaviour follows NetBSDfr/pkgin (26.4.0 sources: main.c, actions.c, impact.c, summary.c,
download.c, pkglist.c, messages.h; reference smartos_gz_tools.md §5) and NetBSD pkg_install
(add/perform.c, info/perform.c) as a non-TTY run sees it (Ansible never has a TTY): plain
``downloading ... done.`` lines, no spinners or progress meters.

Simulated: pkgin -v/-h, update, list/avail (-p, -l), search, install (-y/-n, -F ignored), upgrade,
full-upgrade, remove, keep, unkeep, show-keep, show-no-keep, autoremove, export, import, clean,
show-deps, show-full-deps (-P), show-rev-deps; pkg_add (path, URL or name via PKG_PATH; -A, -U,
dependencies, +INSTALL/+DEINSTALL, VERIFIED_INSTALLATION=always refusing our unsigned packages);
pkg_info (index, -a, -u, -e, -E, -X, -Q, -L, -c, -d, -R, -n, -s, -S, -B, -q, package files and
URLs); pkg_delete and pkg_admin minimally. Not simulated: preferred.conf, the remaining pkgin
verbs (they say so and exit 1), signatures.

State: the installed packages are the real pkgdb (``<prefix>/pkg/<pkgname>/+CONTENTS`` ...).
pkgin's own database is NOT SQLite here: it is a JSON file of ours, ``pkgin-sim.json`` in
pkgin's db directory (``<prefix>/var/db/pkgin`` for the GZ, ``/var/db/pkgin`` in a zone), beside
the real ``cache/`` and ``pkg_install-err.log``.
"""
import bz2
import calendar
import gzip
import http
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error

from smartos_sim import pkgrepo

PKGIN_VERSION = '23.8.1'
SQLITE_VERSION = '3.44.2'
SUMMARY_EXTS = ('xz', 'bz2', 'gz')  # pkgin summary.c sumexts minus zst (no zstd in the stdlib, none published)
DB_NAME = 'pkgin-sim.json'

USAGE_COMMANDS = (
    ('list', 'ls', 'List installed local packages'),
    ('avail', 'av', 'List all available remote packages'),
    ('search', 'se', 'Search for a remote package'),
    ('install', 'in', 'Install or upgrade packages'),
    ('update', 'up', 'Refresh local and remote package lists'),
    ('upgrade', 'ug', 'Upgrade all packages'),
    ('full-upgrade', 'fug', 'Upgrade all packages (deprecated)'),
    ('remove', 'rm', 'Remove packages and any dependent packages'),
    ('keep', 'ke', 'Mark packages that should be kept'),
    ('unkeep', 'uk', 'Mark packages that can be autoremoved'),
    ('export', 'ex', 'Display PKGPATH for all keep packages'),
    ('import', 'im', 'Import keep package list from file'),
    ('show-keep', 'sk', 'Display keep packages'),
    ('show-no-keep', 'snk', 'Display autoremovable packages'),
    ('autoremove', 'ar', 'Remove orphaned dependencies'),
    ('clean', 'cl', 'Remove downloaded package files'),
    ('show-deps', 'sd', 'List remote package direct dependencies'),
    ('show-full-deps', 'sfd', 'List remote package full dependencies'),
    ('show-rev-deps', 'srd', 'List local package reverse dependencies'),
    ('provides', 'prov', 'Show which shared libraries a package provides'),
    ('requires', 'req', 'Show which shared libraries a package requires'),
    ('show-category', 'sc', 'List all packages belonging to a category'),
    ('show-pkg-category', 'spc', 'Show categories a package belongs to'),
    ('show-all-categories', 'sac', 'List all known categories'),
    ('pkg-content', 'pc', 'Show remote package content'),
    ('pkg-descr', 'pd', 'Show remote package long-description'),
    ('pkg-build-defs', 'pbd', 'Show remote package build definitions'),
    ('stats', 'st', 'Show local and remote package statistics'),
)  # pkgin 23.8.1 cmd.h, without the hidden "tonic"
MSG_IS_INSTALLED_CODE = ('\n=: package is installed and up-to-date\n<: package is installed but newer version is available\n'
                         '>: installed package has a greater version than available package\n')


class PkgError(Exception):
    """errx(): ``<prog>: <message>`` on stderr, exit 1."""


# --------------------------------------------------------------------------------------------
# Where things are

class Ctx:
    """The package set being operated on: its prefix and where its files really are."""

    def __init__(self, state):
        self.prefix = os.environ.get('SMARTOS_SIM_PKG_PREFIX') or '/opt/tools'
        pdir = os.environ.get('SMARTOS_SIM_PKG_DIR')
        if pdir and pdir.rstrip('/').endswith(self.prefix):
            self.root = pdir.rstrip('/')[:-len(self.prefix)] or '/'
        else:
            self.root = state.host_path('/') if state else '/'
        set_name = 'tools' if self.prefix == '/opt/tools' else 'x86_64'
        _prefix, dbdir, pkgin_db = pkgrepo.SETS.get(set_name, (self.prefix, self.prefix + '/pkg', '/var/db/pkgin'))
        if set_name == 'x86_64' and self.prefix != '/opt/local':
            dbdir = self.prefix + '/pkg'
        self.dbdir = os.environ.get('PKG_DBDIR') or self.real(dbdir)
        self.pkgin_dir = os.environ.get('PKGIN_DBDIR') or self.real(pkgin_db)
        self.logical_pkgin_dir = pkgin_db

    def real(self, path):
        """Where the absolute path ``path`` of this system really is."""
        return os.path.join(self.root, path.lstrip('/'))

    def etc(self, rel):
        return self.real(self.prefix + '/etc/' + rel)

    def conf(self):
        """pkg_install.conf as a dict."""
        out = {}
        try:
            with open(self.etc('pkg_install.conf'), encoding='utf-8') as handle:
                for line in handle:
                    line = line.strip()
                    if line and not line.startswith('#') and '=' in line:
                        key, dummy, value = line.partition('=')
                        out[key.strip()] = value.strip()
        except FileNotFoundError:
            pass
        return out


# --------------------------------------------------------------------------------------------
# The installed packages (pkgdb)

def _read(path, default=''):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return default


def _build_info(text):
    out = {}
    for line in text.split('\n'):
        key, sep, value = line.partition('=')
        if sep and key not in out:
            out[key] = value
    return out


def installed(ctx):
    """pkgname -> info dict of the installed packages."""
    out = {}
    try:
        names = sorted(os.listdir(ctx.dbdir))
    except FileNotFoundError:
        return out
    for name in names:
        pdir = os.path.join(ctx.dbdir, name)
        contents = _read(os.path.join(pdir, '+CONTENTS'), None)
        if contents is None:
            continue
        plist = pkgrepo.parse_contents(contents)
        bi = _build_info(_read(os.path.join(pdir, '+BUILD_INFO')))
        out[name] = {
            'full': name, 'base': pkgrepo.split_pkgname(name)[0], 'version': pkgrepo.split_pkgname(name)[1],
            'comment': _read(os.path.join(pdir, '+COMMENT')).split('\n')[0],
            'depends': plist['depends'], 'plist': plist, 'build_info': bi, 'build_date': bi.get('BUILD_DATE', ''),
            'size_pkg': int((_read(os.path.join(pdir, '+SIZE_PKG')).strip() or '0')),
            'automatic': 'automatic=yes' in _read(os.path.join(pdir, '+INSTALLED_INFO')),
            'required_by': [x for x in _read(os.path.join(pdir, '+REQUIRED_BY')).split('\n') if x],
        }
    return out


def _pkgdb_mtime(ctx):
    try:
        return os.stat(ctx.dbdir).st_mtime_ns
    except FileNotFoundError:
        return 0


def _is_pattern(name):
    return any(ch in name for ch in '<>[]?*{')


def find_installed(ctx, name, local=None):
    """pkg_install's find_best_matching_installed_pkg, then ``name-[0-9]*`` for a bare name."""
    local = installed(ctx) if local is None else local
    best = pkgrepo.best_match(name, local)
    if best is None and not _is_pattern(name):
        best = pkgrepo.best_match(name + '-[0-9]*', local)
    return best


# --------------------------------------------------------------------------------------------
# Fetching

def _fetch(url, if_modified_since=None):
    """(bytes, mtime) of a file:// or http(s):// URL; (None, -1) when not modified since."""
    if url.startswith('file://'):
        path = url[len('file://'):]
        mtime = int(os.stat(path).st_mtime)
        if if_modified_since and mtime <= if_modified_since:
            return None, -1
        with open(path, 'rb') as handle:
            return handle.read(), mtime
    if url.startswith('/'):
        with open(url, 'rb') as handle:
            return handle.read(), int(os.stat(url).st_mtime)
    # Only pkgin over HTTP needs urllib.request: imported here to keep every other tool call quick.
    import urllib.request  # pylint: disable=import-outside-toplevel
    request = urllib.request.Request(url)
    if if_modified_since:
        request.add_header('If-Modified-Since', time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(if_modified_since)))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            modified = response.headers.get('Last-Modified')
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None, -1
        raise
    mtime = int(time.time())
    if modified:
        try:
            mtime = calendar.timegm(time.strptime(modified, '%a, %d %b %Y %H:%M:%S GMT'))
        except ValueError:
            pass
    return data, mtime


def _fetch_error(exc):
    """libfetch's fetchLastErrString wording for the common failures."""
    if isinstance(exc, urllib.error.HTTPError):
        # libfetch http.c names the status itself (404 -> "Not Found"), whatever phrase the server sent
        try:
            return http.HTTPStatus(exc.code).phrase
        except ValueError:
            return str(exc.code)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return getattr(reason, 'strerror', None) or str(reason)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _decompress(data, ext):
    return {'xz': lzma.decompress, 'bz2': bz2.decompress, 'gz': gzip.decompress}[ext](data).decode('utf-8')


# --------------------------------------------------------------------------------------------
# pkg_add

class PkgAdd:
    """pkg_add's work (add/perform.c ``pkg_do``); warnings go to ``err`` with the ``pkg_add: `` prefix."""

    def __init__(self, ctx, err=None, automatic=False, replace=False, force=False):
        self.ctx = ctx
        self.err = err or sys.stderr
        self.automatic = automatic
        self.replace = replace
        self.force = force
        self.conf = ctx.conf()

    def warn(self, msg):
        self.err.write('pkg_add: %s\n' % msg)

    def _find_archive(self, source):
        """Bytes of the package ``source`` (path, URL, or name looked up in PKG_PATH) or None."""
        try:
            if re.match(r'^(https?|ftp|file)://', source):
                return _fetch(source)[0]
            if os.path.isfile(source):
                with open(source, 'rb') as handle:
                    return handle.read()
        except OSError:
            return None
        if '/' in source:
            return None
        name = source[:-4] if source.endswith('.tgz') else source
        for path in [p for p in self.conf.get('PKG_PATH', '').split(';') if p]:
            path = path.rstrip('/')
            try:
                return _fetch('%s/%s.tgz' % (path, name))[0]
            except OSError:
                pass
            full = self._best_in_repo(path, name)
            if full:
                try:
                    return _fetch('%s/%s.tgz' % (path, full))[0]
                except OSError:
                    pass
        return None

    @staticmethod
    def _best_in_repo(path, name):
        for ext in SUMMARY_EXTS:
            try:
                data = _fetch('%s/pkg_summary.%s' % (path, ext))[0]
            except OSError:
                continue
            fulls = [e['PKGNAME'] for e in pkgrepo.parse_summary(_decompress(data, ext)) if 'PKGNAME' in e]
            best = pkgrepo.best_match(name, fulls)
            if best is None and not _is_pattern(name):
                best = pkgrepo.best_match(name + '-[0-9]*', fulls)
            return best
        return None

    def add(self, source, automatic=None):
        """Install one package; 0 on success (including "already installed"), -1 on failure."""
        automatic = self.automatic if automatic is None else automatic
        data = self._find_archive(source)
        if data is None:
            self.warn("no pkg found for '%s', sorry." % source)
            return -1
        try:
            meta, _files = pkgrepo.read_package(data)
        except (OSError, EOFError, ValueError, KeyError):
            self.warn('%s: unrecognized archive format' % source)
            return -1
        if '+CONTENTS' not in meta or '+COMMENT' not in meta or '+DESC' not in meta:
            self.warn('Package meta data is incomplete')
            return -1
        plist = pkgrepo.parse_contents(meta['+CONTENTS'])
        name = plist['name']
        if self.conf.get('VERIFIED_INSTALLATION', 'never').lower() == 'always':
            # Our packages carry no +PKG_GPG_SIGNATURE (add/perform.c check_signature)
            self.warn('No valid signature found, rejected')
            return -1
        local = installed(self.ctx)
        if name in local and not self.replace:
            if not automatic and local[name]['automatic']:
                os.unlink(os.path.join(self.ctx.dbdir, name, '+INSTALLED_INFO'))
                self.warn("package `%s' was already installed as dependency, now marked as installed manually" % name)
            else:
                self.warn("package `%s' already recorded as installed" % name)
            return 0
        base = pkgrepo.split_pkgname(name)[0]
        other = name if name in local else find_installed(self.ctx, base, local)
        if other and other != name and not self.replace:
            self.warn('A different version of %s is already installed: %s' % (name, other))
            return -1
        for dep in plist['depends']:
            if find_installed(self.ctx, dep) is None:
                if self.add(dep, automatic=True) != 0:
                    self.warn("Can't install dependency %s" % dep)
                    return -1
        required_by = []
        if other:
            required_by = local[other]['required_by']
            was_automatic = local[other]['automatic']
            remove_files(self.ctx, local[other])
            automatic = automatic and was_automatic
        failed = []

        def pre_install(pkgdir):
            if run_script(self.ctx, pkgdir, '+INSTALL', name, 'PRE-INSTALL', self.err):
                failed.append('PRE-INSTALL')

        pkgrepo.install_package_files(data, self.ctx.root, self._logical_dbdir(), automatic=automatic, pre_install=pre_install)
        pdir = os.path.join(self.ctx.dbdir, name)
        if failed or run_script(self.ctx, pdir, '+INSTALL', name, 'POST-INSTALL', self.err):
            self.warn('install script returned error status')
            remove_files(self.ctx, installed(self.ctx)[name], scripts=False)
            return -1
        if required_by:
            with open(os.path.join(pdir, '+REQUIRED_BY'), 'w', encoding='utf-8') as handle:
                handle.write(''.join(r + '\n' for r in required_by))
        local = installed(self.ctx)
        for dep in plist['depends']:
            best = find_installed(self.ctx, dep, local)
            if best and name not in local[best]['required_by']:
                with open(os.path.join(self.ctx.dbdir, best, '+REQUIRED_BY'), 'a', encoding='utf-8') as handle:
                    handle.write(name + '\n')
        if '+DISPLAY' in meta and not other:
            sys.stdout.write(meta['+DISPLAY'])
        return 0

    def _logical_dbdir(self):
        """The pkgdb directory relative to ctx.root (install_package_files joins them)."""
        rel = os.path.relpath(self.ctx.dbdir, self.ctx.root)
        return '/' + rel


def run_script(ctx, pkgdir, script, name, phase, err):
    """Run a package's +INSTALL/+DEINSTALL (``<script> <pkgname> <phase>`` in the pkgdb entry,
    add/perform.c run_install_script); nonzero when it failed. PKG_PREFIX is where the prefix
    really is (the same path inside a simulated GZ; the state dir's copy when tests run tools directly)."""
    path = os.path.join(pkgdir, script)
    if not os.path.exists(path):
        return 0
    env = dict(os.environ, PKG_PREFIX=ctx.real(ctx.prefix), PKG_METADATA_DIR=pkgdir)
    result = subprocess.run(['/bin/sh', path, name, phase], cwd=pkgdir, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout)
    err.write(result.stderr)
    return result.returncode


def remove_files(ctx, info, scripts=True, err=None):
    """Delete an installed package's files and its pkgdb entry (pkg_delete), running +DEINSTALL."""
    pkgdir = os.path.join(ctx.dbdir, info['full'])
    if scripts:
        run_script(ctx, pkgdir, '+DEINSTALL', info['full'], 'DEINSTALL', err or sys.stderr)
    prefix_dir = ctx.real(info['plist']['cwd'] or ctx.prefix)
    for rel in info['plist']['files']:
        path = os.path.join(prefix_dir, rel)
        if os.path.lexists(path):
            os.unlink(path)
        parent = os.path.dirname(path)
        while parent.startswith(prefix_dir + '/'):
            try:
                os.rmdir(parent)
            except OSError:
                break
            parent = os.path.dirname(parent)
    if scripts:
        run_script(ctx, pkgdir, '+DEINSTALL', info['full'], 'POST-DEINSTALL', err or sys.stderr)
    shutil.rmtree(pkgdir, ignore_errors=True)
    for dep in info['depends']:
        best = find_installed(ctx, dep)
        if best:
            path = os.path.join(ctx.dbdir, best, '+REQUIRED_BY')
            rest = [x for x in _read(path).split('\n') if x and x != info['full']]
            if rest:
                with open(path, 'w', encoding='utf-8') as handle:
                    handle.write(''.join(x + '\n' for x in rest))
            elif os.path.exists(path):
                os.unlink(path)


class GetoptError(ValueError):
    """getopt(3)'s own diagnostic (printed as ``<prog>: <message>`` before the usage)."""


# Kept apart from zgetopt (caller prints) and digest (returns partial results): libc's own messages, one exception, '-:' not refused.
def _getopt(argv, spec):
    """Minimal getopt(3): spec like 'ab:c' -> (opts list of (flag, value), operands)."""
    opts, i = [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == '--':
            i += 1
            break
        if not arg.startswith('-') or arg == '-':
            break
        j = 1
        while j < len(arg):
            flag = arg[j]
            pos = spec.find(flag)
            if pos < 0:
                raise GetoptError('illegal option -- %s' % flag)
            if pos + 1 < len(spec) and spec[pos + 1] == ':':
                value = arg[j + 1:]
                if not value:
                    i += 1
                    if i >= len(argv):
                        raise GetoptError('option requires an argument -- %s' % flag)
                    value = argv[i]
                opts.append((flag, value))
                break
            opts.append((flag, None))
            j += 1
        i += 1
    return opts, argv[i:]


def _pkg_getopt(prog, argv, spec, usage):
    """The pkg_install tools' option parsing: (opts, operands), or None after getopt's message and the usage."""
    try:
        return _getopt(argv, spec)
    except GetoptError as exc:
        sys.stderr.write('%s: %s\n' % (prog, exc))
        sys.stderr.write(usage)
        return None


def pkg_add_main(ctx, argv):
    parsed = _pkg_getopt('pkg_add', argv, 'AfhInRUuVvC:D:K:m:P:p:W:w:',
                         'usage: pkg_add [-AfhInRuUVv] [-C config] [-P destdir] [-K pkg_dbdir]\n'
                         '               [-m machine] [-p prefix] [-W viewbase] [-w view]\n'
                         '               [[ftp|http]://[user[:pass]@]host[:port]][/path/]pkg-name ...\n')
    if parsed is None:
        return 1
    opts, operands = parsed
    flags = {f for f, dummy in opts}
    if not operands:
        sys.stderr.write('pkg_add: missing package name(s)\n')
        return 1
    adder = PkgAdd(ctx, automatic='A' in flags, replace=bool(flags & {'U', 'u'}), force='f' in flags)
    errors = sum(1 for source in operands if adder.add(source) != 0)
    if errors:
        sys.stderr.write('pkg_add: %d package addition%s failed\n' % (errors, '' if errors == 1 else 's'))
        return 1
    return 0


# --------------------------------------------------------------------------------------------
# pkg_info

def _meta_from_file(source):
    if re.match(r'^(https?|ftp|file)://', source):
        data = _fetch(source)[0]
    else:
        with open(source, 'rb') as handle:
            data = handle.read()
    meta, _files = pkgrepo.read_package(data)
    return meta, len(data)


def _show_summary(meta, name, file_size=None):
    plist = pkgrepo.parse_contents(meta.get('+CONTENTS', ''))
    bi = _build_info(meta.get('+BUILD_INFO', ''))
    out = ['PKGNAME=%s' % name]
    out += ['DEPENDS=%s' % d for d in plist['depends']]
    out += ['CONFLICTS=%s' % c for c in plist['conflicts']]
    out.append('COMMENT=%s' % meta.get('+COMMENT', '').split('\n')[0])
    out.append('SIZE_PKG=%s' % meta.get('+SIZE_PKG', '0').strip())
    for key in ('BUILD_DATE', 'CATEGORIES', 'HOMEPAGE', 'LICENSE', 'MACHINE_ARCH', 'OPSYS', 'OS_VERSION', 'PKGPATH',
                'PKGTOOLS_VERSION'):
        if key in bi:
            out.append('%s=%s' % (key, bi[key]))
    if file_size is not None:
        out += ['FILE_NAME=%s.tgz' % name, 'FILE_SIZE=%d' % file_size]
    out += ['DESCRIPTION=%s' % line for line in meta.get('+DESC', '').rstrip('\n').split('\n')]
    return '\n'.join(out) + '\n\n'


def _pkgdb_meta(ctx, name):
    pdir = os.path.join(ctx.dbdir, name)
    return {m: _read(os.path.join(pdir, m)) for m in pkgrepo.META_ORDER if os.path.exists(os.path.join(pdir, m))}


def _show_file(text, title):
    return title + text + ('' if text.endswith('\n') else '\n') + '\n'


def pkg_info_main(ctx, argv):
    parsed = _pkg_getopt('pkg_info', argv, 'aBbcDdE:e:fFhIiK:kLl:mNnpQ:qRrSsuVvX',
                         'usage: pkg_info [-BbcDdFfhIikLmNnpqRrSsVvX] [-E pkg-name] [-e pkg-name]\n'
                         '                [-K pkg_dbdir] [-l prefix] pkg-name ...\n'
                         '       pkg_info [-a | -u] [flags]\n'
                         '       pkg_info [-Q variable] pkg-name ...\n')
    if parsed is None:
        return 1
    opts, operands = parsed
    flags = {f for f, dummy in opts}
    values = dict(opts)
    quiet = 'q' in flags
    if 'K' in values:
        ctx.dbdir = values['K']
    local = installed(ctx)
    if 'e' in values:
        pattern = values['e']
        hits = [n for n in local if pkgrepo.pkg_match(pattern, n)]
        if not hits and not _is_pattern(pattern):
            hits = [n for n in local if pkgrepo.pkg_match(pattern + '-[0-9]*', n)]
        if not quiet:
            sys.stdout.write(''.join(h + '\n' for h in hits))
        return 0 if hits else 1
    if 'E' in values:
        best = find_installed(ctx, values['E'], local)
        if best and not quiet:
            sys.stdout.write(best + '\n')
        return 0 if best else 1
    if flags & {'a', 'u'} or not operands:
        names = [n for n in sorted(local) if 'u' not in flags or not local[n]['automatic']]
        if not flags & {'c', 'd', 'L', 'X', 'Q', 'B', 'R', 'N', 'n', 's', 'S', 'f', 'i', 'k', 'D', 'I', 'm', 'p', 'r', 'b'}:
            for name in names:
                sys.stdout.write('%-19s %s\n' % (name, local[name]['comment']))
            return 0
    else:
        names = []
        for arg in operands:
            if re.match(r'^(https?|ftp|file)://', arg) or os.path.isfile(arg):
                names.append(arg)
            elif arg in local:
                names.append(arg)
            else:
                hits = [n for n in local if pkgrepo.pkg_match(arg if _is_pattern(arg) else arg + '-[0-9]*', n)]
                if not hits:
                    sys.stderr.write("pkg_info: can't find package `%s'\n" % arg)
                    names.append(None)
                names.extend(hits)
    errors = 0
    for name in names:
        if name is None:
            errors += 1
            continue
        file_size = None
        if name in local:
            meta = _pkgdb_meta(ctx, name)
        else:
            try:
                meta, file_size = _meta_from_file(name)
            except (OSError, EOFError, ValueError, KeyError):
                sys.stderr.write("pkg_info: can't find package `%s'\n" % name)
                errors += 1
                continue
            name = pkgrepo.parse_contents(meta.get('+CONTENTS', '')).get('name') or name
        sys.stdout.write(_info_one(ctx, name, meta, flags, values, quiet, file_size))
    return 1 if errors else 0


def _info_one(ctx, name, meta, flags, values, quiet, file_size):
    """info/perform.c pkg_do for one package."""
    if 'Q' in values:
        value = _build_info(meta.get('+BUILD_INFO', '')).get(values['Q'])
        return '' if value is None else value + '\n'
    if 'X' in flags:
        return _show_summary(meta, name, file_size)
    plist = pkgrepo.parse_contents(meta.get('+CONTENTS', ''))
    show = flags & {'c', 'd', 'L', 'R', 'N', 'n', 's', 'S', 'B', 'f', 'i', 'k', 'D', 'p', 'b', 'I', 'm', 'r', 'v'}
    if not show:
        show = {'c', 'd', 'R'}
    out = [] if quiet else ['Information for %s:\n\n' % name]
    if 'c' in show:
        out.append(_show_file(meta.get('+COMMENT', ''), 'Comment:\n' if not quiet else ''))
    if 'n' in show:
        out.append(('' if quiet else 'Requires:\n') + ''.join(d + '\n' for d in plist['depends']) + '\n')
    if 'R' in show and meta.get('+REQUIRED_BY'):
        out.append(_show_file(meta['+REQUIRED_BY'], 'Required by:\n' if not quiet else ''))
    if 'd' in show:
        out.append(_show_file(meta.get('+DESC', ''), 'Description:\n' if not quiet else ''))
    if 'p' in show:
        out.append(('' if quiet else 'Prefix(s):\n') + '@cwd %s\n\n' % plist['cwd'])
    if 'L' in show:
        out.append(('' if quiet else 'Files:\n') + ''.join('%s/%s\n' % (plist['cwd'], f) for f in plist['files']) + '\n')
    if 'B' in show and meta.get('+BUILD_INFO'):
        out.append(_show_file(meta['+BUILD_INFO'], 'Build information:\n' if not quiet else ''))
    if 's' in show and meta.get('+SIZE_PKG'):
        out.append(('' if quiet else 'Size of this package in bytes: ') + meta['+SIZE_PKG'].strip() + '\n\n')
    if 'S' in show and meta.get('+SIZE_ALL'):
        out.append(('' if quiet else 'Size in bytes including required pkgs: ') + meta['+SIZE_ALL'].strip() + '\n\n')
    if not quiet:
        out.append('\n')
    del ctx
    return ''.join(out)


# --------------------------------------------------------------------------------------------
# pkg_delete, pkg_admin (minimal)

def pkg_delete_main(ctx, argv):
    parsed = _pkg_getopt('pkg_delete', argv, 'ADFfkNORrVvK:P:p:',
                         'usage: pkg_delete [-ADFfkNnORrVv] [-K pkg_dbdir] [-P destdir] [-p prefix] pkg-name ...\n')
    if parsed is None:
        return 1
    opts, operands = parsed
    flags = {f for f, dummy in opts}
    rc = 0
    for arg in operands:
        local = installed(ctx)
        name = arg if arg in local else find_installed(ctx, arg, local)
        if name is None:
            # UNCONFIRMED wording (pkg_install delete/pkg_delete.c not read): chose this text.
            sys.stderr.write("pkg_delete: No matching packages for `%s'\n" % arg)
            rc = 1
            continue
        if local[name]['required_by'] and not flags & {'f', 'r', 'R'}:
            sys.stderr.write("pkg_delete: Package `%s' is still required by other packages:\n" % name)
            sys.stderr.write(''.join('\t%s\n' % r for r in local[name]['required_by']))
            rc = 1
            continue
        remove_files(ctx, local[name])
    return rc


def pkg_admin_main(ctx, argv):
    del ctx
    if argv and argv[0] in ('rebuild', 'rebuild-tree', 'check'):
        sys.stdout.write('Done.\n')
        return 0
    sys.stderr.write('usage: pkg_admin [-bqSVv] [-C config] [-d lsdir] [-K pkg_dbdir] [-s sfx] command [args ...]\n')
    return 1


# --------------------------------------------------------------------------------------------
# pkgin

def humanize(size):
    """humanize_number(buf, 6, size, "", HN_AUTOSCALE, HN_B | HN_NOSPACE | HN_DECIMAL) (pkgin tools.c)."""
    sign = -1 if size < 0 else 1
    value = abs(size) * 100
    baselen = 3 if sign < 0 else 2
    maximum = 100
    for dummy in range(6 - baselen):
        maximum *= 10
    scale = 0
    while value >= maximum - 50 and scale < 6:
        value //= 1024
        scale += 1
    prefix = 'BKMGTPE'[scale]
    if scale == 0:
        return '%d%s' % (sign * (value // 100), prefix)
    if value < 995:
        b = (value + 5) // 10
        return '%d.%d%s' % (sign * (b // 10), b % 10, prefix)
    return '%d%s' % (sign * ((value + 50) // 100), prefix)


class Pkgin:
    """One pkgin run."""

    def __init__(self, ctx, state):
        self.ctx = ctx
        self.state = state
        self.yes = False
        self.no = False
        self.parsable = not sys.stdout.isatty()
        self.pflag = False
        self.force_update = False
        self.lslimit = None
        self.verbose = False
        self.download_only = False
        self.package_version = False
        self.db_path = os.path.join(ctx.pkgin_dir, DB_NAME)
        self.db = None
        self.rc = 0

    # ---- database -----------------------------------------------------------------------
    def load_db(self):
        """Open the db; True when it is new (pkgindb_open's "needs upgrade")."""
        try:
            with open(self.db_path, encoding='utf-8') as handle:
                self.db = json.load(handle)
            return False
        except (FileNotFoundError, ValueError):
            self.db = {'repos': {}, 'local_mtime': 0}
            return True

    def save_db(self):
        try:
            os.makedirs(os.path.join(self.ctx.pkgin_dir, 'cache'), exist_ok=True)
            tmp = self.db_path + '.tmp'
            with open(tmp, 'w', encoding='utf-8') as handle:
                json.dump(self.db, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.db_path)
        except PermissionError as exc:
            raise PkgError("You don't have enough rights for this operation.") from exc

    def repos(self):
        env = os.environ.get('PKG_REPOS')
        if env:
            urls = env.split()
        else:
            urls = []
            for line in _read(self.ctx.etc('pkgin/repositories.conf')).split('\n'):
                line = line.strip()
                if line and not line.startswith('#'):
                    urls.append(line.replace('$arch', pkgrepo.MACHINE_ARCH).replace('$osrelease', pkgrepo.OS_VERSION))
        if not urls:
            raise PkgError('%s/etc/pkgin/repositories.conf has no repositories or does not exist.\n'
                           'No PKG_REPOS variable to fallback to.' % self.ctx.prefix)
        return urls

    def update_local(self, verbose):
        """summary.c update_localdb: re-read the pkgdb when it changed."""
        mtime = _pkgdb_mtime(self.ctx)
        if mtime == self.db.get('local_mtime') and not self.force_update:
            return
        if verbose:
            sys.stdout.write('reading local summary...\n')
            sys.stdout.write('processing local summary...\n')
        self.db['local_mtime'] = mtime

    def update_remote(self, verbose):
        """summary.c update_remotedb."""
        cleaned = False
        urls = self.repos()
        for url in urls:
            if verbose:
                sys.stdout.write('processing remote summary (%s)...\n' % url)
            record = self.db['repos'].get(url)
            since = None if (self.force_update or record is None) else record.get('mtime')
            data, ext, last_err, tried = None, None, '', ''
            for ext in SUMMARY_EXTS:
                tried = '%s/pkg_summary.%s' % (url, ext)
                try:
                    data, mtime = _fetch(tried, since)
                except OSError as exc:
                    last_err = _fetch_error(exc)
                    continue
                break
            else:
                raise PkgError('Could not fetch %s: %s' % (tried, last_err))
            if data is None:
                if verbose:
                    sys.stdout.write('database for %s is up-to-date\n' % url)
                continue
            # download.c sum_start/sum_close print this whatever the verbosity (non-TTY form).
            sys.stdout.write('downloading pkg_summary.%s done.\n' % ext)
            if not cleaned:
                for old in sorted(set(self.db['repos']) - set(urls)):
                    sys.stdout.write('cleaning database from %s entries...\n' % old)
                    del self.db['repos'][old]
                cleaned = True
            entries = [e for e in pkgrepo.parse_summary(_decompress(data, ext)) if 'PKGNAME' in e]
            self.db['repos'][url] = {'mtime': mtime, 'packages': entries}
        for old in sorted(set(self.db['repos']) - set(urls)):
            if not cleaned:
                sys.stdout.write('cleaning database from %s entries...\n' % old)
            del self.db['repos'][old]

    def remote(self):
        """pkgname -> entry (with 'repo'); the first repository holding a package wins."""
        out = {}
        for url in self.repos():
            for entry in self.db['repos'].get(url, {}).get('packages', []):
                if entry['PKGNAME'] not in out:
                    out[entry['PKGNAME']] = dict(entry, repo=url)
        return out

    def prepare(self, command):
        """main.c: open db, quiet local refresh, remote refresh when needed."""
        new = self.load_db()
        self.update_local(False)
        urls = self.repos()
        need_refresh = self.force_update or sorted(self.db['repos']) != sorted(urls)
        if new or need_refresh:
            self.update_remote(True)
            return True
        if command in ('install', 'upgrade', 'full-upgrade'):
            self.update_remote(False)
        return False

    # ---- commands ---------------------------------------------------------------------------
    def cmd_list(self, remote_list):
        fmt = '%s;%s\n' if self.pflag else '%-20s %s\n'
        if remote_list:
            rows = sorted((k, v.get('COMMENT', '')) for k, v in self.remote().items())
        else:
            local = installed(self.ctx)
            if self.lslimit:
                return self.cmd_list_limit(local)
            rows = sorted((k, v['comment']) for k, v in local.items())
        for full, comment in rows:
            sys.stdout.write(fmt % (full, comment))
        return 0

    def status(self, full, local):
        """pkg_is_installed: '=', '<' (newer available), '>' (local newer) or ''."""
        base, version = pkgrepo.split_pkgname(full)
        for info in local.values():
            if info['base'] == base:
                cmp = pkgrepo.dewey_cmp(info['version'], version)
                return '=' if cmp == 0 else ('>' if cmp > 0 else '<')
        return ''

    def cmd_list_limit(self, local):
        if not local:
            sys.stderr.write('empty local package list.')
            return 0
        sfmt, pfmt = ('%s;%s', '%s;%s\n') if self.pflag else ('%s %s', '%-20s %s\n')
        for full, entry in sorted(self.remote().items()):
            if self.status(full, local) == self.lslimit:
                sys.stdout.write(pfmt % (sfmt % (full, self.lslimit), entry.get('COMMENT', '')))
        return 0

    def cmd_search(self, pattern):
        try:
            regex = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise PkgError('regcomp: %s: %s' % (pattern, exc)) from exc
        local = installed(self.ctx)
        hits = []
        for full, entry in self.remote().items():
            base, version = pkgrepo.split_pkgname(full)
            comment = entry.get('COMMENT', '')
            if regex.search(base) or regex.search(full) or regex.search(comment):
                hits.append((base, version, full, self.status(full, local), comment))
        hits.sort(key=lambda h: _VersionDesc(h[1]))
        hits.sort(key=lambda h: h[0])
        sfmt, pfmt = ('%s;%s', '%s;%s\n') if self.pflag else ('%s %s', '%-20s %s\n')
        for _base, _version, full, flag, comment in hits:
            sys.stdout.write(pfmt % (sfmt % (full, flag), comment))
        if hits:
            sys.stdout.write(MSG_IS_INSTALLED_CODE)
            return 0
        sys.stdout.write('No results found for %s\n' % pattern)
        return 1

    def _find_remote(self, arg, remote):
        best = pkgrepo.best_match(arg, remote)
        if best is None and not _is_pattern(arg):
            best = pkgrepo.best_match(arg + '-[0-9]*', remote)
        return best

    def impact(self, args, remote, local, upgrade=False):
        """impact.c pkg_impact_install: [(full, action, keep)] for the args and their dependencies."""
        sys.stdout.write('calculating dependencies...')
        sys.stdout.flush()
        plan, order = {}, []

        def action_for(full):
            base, version = pkgrepo.split_pkgname(full)
            lfull = next((n for n, i in local.items() if i['base'] == base), None)
            if lfull is None:
                return 'install', None
            cmp = pkgrepo.dewey_cmp(version, local[lfull]['version'])
            if cmp > 0:
                return 'upgrade', lfull
            if cmp == 0 and remote[full].get('BUILD_DATE', '') != local[lfull]['build_date']:
                return 'refresh', lfull
            return 'none', lfull

        def visit(full, keep):
            if full in plan:
                plan[full]['keep'] = plan[full]['keep'] or keep
                return
            act, lfull = action_for(full)
            plan[full] = {'action': act, 'local': lfull, 'keep': keep}
            for dep in remote[full].get('DEPENDS', []):
                if find_installed(self.ctx, dep, local):
                    continue
                dfull = self._find_remote(dep, remote)
                if dfull:
                    visit(dfull, False)
            order.append(full)

        for arg in args:
            full = self._find_remote(arg, remote)
            if full is None:
                if not upgrade:  # impact.c pkg_impact_upgrade skips local packages the repositories lack
                    sys.stderr.write('%s is not available in the repository\n' % arg)
                    self.rc = 1
                continue
            visit(full, not upgrade)
        sys.stdout.write('done.\n')
        return [(f, plan[f]['action'], plan[f]['keep'], plan[f]['local']) for f in order if plan[f]['action'] != 'none']

    def _wrap(self, names):
        """pkgin 23.8.1 actions.c action_list: two-space indent, space separated, wrapped at 80 columns
        (the length counted from the last newline, newline included); with -n one name a line."""
        out = ''
        for name in names:
            if not out:
                out = name if self.no else '  ' + name
            elif self.no:
                out += '\n' + name
            else:
                nl = out.rfind('\n')
                cur = len(out) if nl < 0 else len(out) - nl
                out += ('\n  ' if cur + len(name) >= 80 else ' ') + name
        return out

    def cmd_install(self, args, upgrade=False):
        remote = self.remote()
        if not remote:
            sys.stdout.write('empty available packages list\n')
            return 1
        local = installed(self.ctx)
        plan = self.impact(args, remote, local, upgrade)
        if not plan:
            sys.stdout.write('nothing to do.\n')
            return self.rc
        cache = os.path.join(self.ctx.pkgin_dir, 'cache')
        file_size = size_pkg = 0
        for full, _act, _keep, lfull in plan:
            entry = remote[full]
            path = os.path.join(cache, full + '.tgz')
            entry_size = int(entry.get('FILE_SIZE', '0') or 0)
            need = not (os.path.exists(path) and os.path.getsize(path) == entry_size)
            if need and not entry['repo'].startswith('file:///'):
                file_size += entry_size
            size_pkg += int(entry.get('SIZE_PKG', '0') or 0) - (local[lfull]['size_pkg'] if lfull else 0)
        groups = {a: sorted(f for f, act, _k, _l in plan if act == a) for a in ('refresh', 'upgrade', 'install')}
        sys.stdout.write('\n')
        for verb in ('refresh', 'upgrade', 'install'):
            names = groups[verb]
            if len(names) == 1:
                sys.stdout.write('1 package to %s:\n%s\n\n' % (verb, self._wrap(names)))
            elif names:
                sys.stdout.write('%d packages to %s:\n%s\n\n' % (len(names), verb, self._wrap(names)))
        sys.stdout.write('0 to remove, %d to refresh, %d to upgrade, %d to install\n'
                         % (len(groups['refresh']), len(groups['upgrade']), len(groups['install'])))
        if size_pkg >= 0:
            sys.stdout.write('%s to download, %s of additional disk space will be used\n' % (humanize(file_size), humanize(size_pkg)))
        else:
            sys.stdout.write('%s to download, %s of disk space will be freed up\n' % (humanize(file_size), humanize(-size_pkg)))
        if not self.no:
            sys.stdout.write('\n')
        if not self.confirm():
            return self.rc
        ok = self.download(plan, remote, cache)
        self.install(plan, ok, cache)
        self.update_local(True)
        self.save_db()
        return self.rc

    def confirm(self):
        if self.yes:
            return True
        if self.no:
            return False
        sys.stdout.write('proceed ? [Y/n] ')
        sys.stdout.flush()
        answer = sys.stdin.readline()  # tools.c check_yesno: first character; newline = default (yes); EOF = no
        return answer == '\n' or answer[:1].lower() == 'y'

    def download(self, plan, remote, cache):
        os.makedirs(cache, exist_ok=True)
        todo = [f for f, _a, _k, _l in plan]
        ok = set()
        for i, full in enumerate(todo, 1):
            entry = remote[full]
            path = os.path.join(cache, full + '.tgz')
            url = '%s/%s.tgz' % (entry['repo'], full)
            want = int(entry.get('FILE_SIZE', '0') or 0)
            if os.path.exists(path) and os.path.getsize(path) == want and not os.path.islink(path):
                ok.add(full)
                continue
            if os.path.lexists(path):
                os.unlink(path)
            if url.startswith('file:///'):
                src = url[len('file://'):]
                if not os.path.exists(src):
                    sys.stderr.write('%s is not available in the repository\n' % full)
                    self.rc = 1
                    continue
                os.symlink(src, path)
                size = os.path.getsize(src)
            else:
                try:
                    data = _fetch(url)[0]
                except OSError as exc:
                    sys.stderr.write('download error: %s %s\n' % (url, _fetch_error(exc)))
                    self.rc = 1
                    continue
                sys.stdout.write('[%d/%d] downloading %s.tgz done.\n' % (i, len(todo), full))
                with open(path, 'wb') as handle:
                    handle.write(data)
                size = len(data)
            if size != want:
                os.unlink(path)
                sys.stderr.write('download error: %s size does not match pkg_summary\n' % full)
                self.rc = 1
                continue
            ok.add(full)
        return ok

    def install(self, plan, ok, cache):
        todo = [p for p in plan if p[0] in ok]
        if not todo:
            return
        log_path = os.path.join(self.ctx.pkgin_dir, 'pkg_install-err.log')
        words = {'install': 'installing', 'upgrade': 'upgrading', 'refresh': 'refreshing'}
        with open(log_path, 'a', encoding='utf-8') as log:
            start = log.tell()
            adder = PkgAdd(self.ctx, err=log, replace=True)
            for i, (full, act, keep, lfull) in enumerate(todo, 1):
                line = '[%d/%d] %s %s...\n' % (i, len(todo), words[act], full)
                sys.stdout.write(line)
                log.write('---%s: %s' % (time.strftime('%b %d %H:%M:%S', time.localtime()), line))
                automatic = not keep and (lfull is None or installed(self.ctx)[lfull]['automatic'])
                if adder.add(os.path.join(cache, full + '.tgz'), automatic=automatic) != 0:
                    log.write('pkg_add: 1 package addition failed\n')
                    self.rc = 1
            log.flush()
        warns = errs = 0
        with open(log_path, encoding='utf-8') as log:
            log.seek(start)
            for line in log:
                warns += 'Warning' in line
                errs += ('addition failed' in line) + ("an't install" in line) + ('unable to verify signature' in line)
        sys.stdout.write('pkg_install warnings: %d, errors: %d\n' % (warns, errs))
        if warns or errs:
            sys.stdout.write('pkg_install error log can be found in %s/pkg_install-err.log\n' % self.ctx.logical_pkgin_dir)

    def cmd_remove(self, args):
        local = installed(self.ctx)
        if not local:
            raise PkgError('empty local package list.')
        targets = []
        for arg in args:
            name = arg if arg in local else find_installed(self.ctx, arg, local)
            if name is None:
                sys.stdout.write('no such installed package %s\n' % arg)
                self.rc = 1
                continue
            for dep in self._rev_deps(name, local) + [name]:
                if dep not in targets:
                    targets.append(dep)
        if not targets:
            sys.stdout.write('no packages to delete\n')
            return self.rc
        # actions.c pkgin_remove: MSG_PKGS_TO_DELETE, in removal order (dependents first), "packages" even for one
        sys.stdout.write('%d packages to delete: \n%s\n' % (len(targets), self._wrap(targets)))
        if not self.no:
            sys.stdout.write('\n')
        if not self.confirm():
            return self.rc
        self.remove(targets)
        self.update_local(True)
        self.save_db()
        return self.rc

    def _rev_deps(self, name, local):
        out = []
        for other, info in local.items():
            if other != name and any(pkgrepo.pkg_match(d, name) for d in info['depends']):
                for sub in self._rev_deps(other, local) + [other]:
                    if sub not in out:
                        out.append(sub)
        return out

    def cmd_export(self):
        """selection.c export_keep: the PKGPATH of every keep package."""
        local = installed(self.ctx)
        paths = sorted(local[n]['build_info'].get('PKGPATH', local[n]['base']) for n in local if not local[n]['automatic'])
        if not paths:
            raise PkgError('empty local package list.')
        sys.stdout.write(''.join(p + '\n' for p in paths))
        return 0

    def cmd_import(self, files):
        """selection.c import_keep: PKGPATHs or names, one a line, then an install of them all."""
        remote = self.remote()
        wanted = []
        for path in files:
            try:
                with open(path, encoding='utf-8') as handle:
                    lines = handle.read().split('\n')
            except OSError as exc:
                raise PkgError('error opening %s: %s' % (path, exc.strerror)) from exc
            for line in lines:
                line = line.strip()
                if not line or not line[0].isalnum():
                    continue
                if '/' in line:
                    match = pkgrepo.best_match('*', [f for f, e in remote.items() if e.get('PKGPATH') == line])
                else:
                    match = self._find_remote(line, remote)
                if match is None:
                    sys.stderr.write('%s is not available in the repository\n' % line)
                    continue
                wanted.append(match)
            if not wanted:
                raise PkgError('Empty import list.')
            rc = self.cmd_install(wanted)
        return rc

    def cmd_show_deps(self, arg, full_tree):
        """depends.c show_direct_depends / show_full_dep_tree (patterns, or names with -P)."""
        remote = self.remote()
        if not remote:
            if full_tree:
                raise PkgError('empty available packages list')
            sys.stdout.write('empty available packages list\n')
            return 1
        name = self._find_remote(arg, remote)
        if name is None:
            sys.stderr.write('%s is not available in the repository\n' % arg)
            return 1
        rows, seen, todo = [], set(), [name]
        while todo:
            for dep in remote[todo.pop(0)].get('DEPENDS', []):
                best = self._find_remote(dep, remote)
                shown = best if (self.package_version and best) else dep
                if shown not in seen:
                    seen.add(shown)
                    rows.append(shown)
                    if full_tree and best:
                        todo.append(best)
        if not rows and not full_tree:
            return 0
        sys.stdout.write(('full dependency tree for %s\n' if full_tree else 'direct dependencies for %s\n') % name)
        sys.stdout.write(''.join('\t%s\n' % r for r in rows))
        return 0

    def cmd_show_rev_deps(self, arg):
        local = installed(self.ctx)
        name = arg if arg in local else next((n for n in local if local[n]['base'] == arg), None)
        if name is None:
            sys.stderr.write('no such installed package %s\n' % arg)
            return 1
        sys.stdout.write('local reverse dependency tree for %s\n' % name)
        sys.stdout.write(''.join('\t%s\n' % r for r in self._rev_deps(name, local)))
        return 0

    def cmd_keep(self, args, keep):
        """autoremove.c pkg_keep: the pkgdb's automatic mark is the truth."""
        rc = 0
        local = installed(self.ctx)
        for arg in args:
            name = arg if arg in local else next((n for n in local if local[n]['base'] == arg), None)
            if name is None:
                sys.stdout.write('no such installed package %s\n' % arg)
                rc = 1
                continue
            info_path = os.path.join(self.ctx.dbdir, name, '+INSTALLED_INFO')
            if keep and local[name]['automatic']:
                sys.stdout.write('marking %s as non auto-removable\n' % name)
                os.unlink(info_path)
            elif not keep and not local[name]['automatic']:
                sys.stdout.write('marking %s as auto-removable\n' % name)
                with open(info_path, 'w', encoding='utf-8') as handle:
                    handle.write('automatic=yes\n')
        return rc

    def cmd_show_keep(self, keep):
        local = installed(self.ctx)
        names = [n for n in sorted(local) if local[n]['automatic'] != keep]
        if not names:
            sys.stdout.write('empty non-autoremovable package list\n' if keep else 'empty autoremovable package list\n')
        for name in names:
            sys.stdout.write('%-20s %s\n' % (name, local[name]['comment']))
        return 0

    def cmd_autoremove(self):
        """autoremove.c pkgin_autoremove: automatic packages no keep package needs."""
        local = installed(self.ctx)
        keep = [n for n in local if not local[n]['automatic']]
        if not keep:
            raise PkgError('no packages have been marked as keepable')
        if len(keep) == len(local):
            sys.stdout.write('all packages are marked as "keepable"\n.')
            return 0
        needed, todo = set(), list(keep)
        while todo:
            for dep in local[todo.pop()]['depends']:
                best = find_installed(self.ctx, dep, local)
                if best and best not in needed:
                    needed.add(best)
                    todo.append(best)
        orphans = [n for n in local if local[n]['automatic'] and n not in needed
                   and not os.path.exists(os.path.join(self.ctx.dbdir, n, '+PRESERVE'))]
        if not orphans:
            sys.stdout.write('no orphan dependencies found.\n')
            return 0
        sys.stdout.write('%d packages to be autoremoved:\n%s\n' % (len(orphans), self._wrap(sorted(orphans))))
        if not self.no:
            sys.stdout.write('\n')
        if self.confirm():
            order = []
            for name in orphans:
                for sub in self._rev_deps(name, local) + [name]:
                    if sub in orphans and sub not in order:
                        order.append(sub)
            self.remove(order)
            self.update_local(True)
        return 0

    def remove(self, names):
        """actions.c do_pkg_remove."""
        for i, name in enumerate(names, 1):
            sys.stdout.write('[%d/%d] removing %s...\n' % (i, len(names), name))
            remove_files(self.ctx, installed(self.ctx)[name])
        sys.stdout.write('pkg_install warnings: 0, errors: 0\n')


class _VersionDesc:
    """Sort key: pkgsrc versions, highest first."""

    def __init__(self, version):
        self.version = version

    def __lt__(self, other):
        return pkgrepo.dewey_cmp(self.version, other.version) > 0


def _usage(stream, rc):
    stream.write('Usage: pkgin [-46cdfhlnPtvVy] command [package ...]\n\nCommands and shortcuts:\n')
    for name, short, descr in USAGE_COMMANDS:
        stream.write('%-19s (%-4s) - %s\n' % (name, short, descr))
    return rc


def pkgin_main(ctx, state, argv):
    try:
        opts, operands = _getopt(argv, '46dhyfFPvVl:nc:t:p')  # 23.8.1: -F accepted and ignored
    except GetoptError as exc:
        sys.stderr.write('pkgin: %s\n' % exc)
        return _usage(sys.stderr, 1)
    run = Pkgin(ctx, state)
    for flag, value in opts:
        if flag == 'v':
            sys.stdout.write('pkgin %s (using SQLite %s)\n' % (PKGIN_VERSION, SQLITE_VERSION))
            return 0
        if flag == 'h':
            return _usage(sys.stdout, 0)
        if flag == 'y':
            run.yes, run.no = True, False
        elif flag == 'n':
            run.yes, run.no = False, True
        elif flag == 'f':
            run.force_update = True
        elif flag == 'p':
            run.parsable = run.pflag = True
        elif flag == 'l':
            run.lslimit = value[:1]
        elif flag == 'V':
            run.verbose = True
        elif flag == 'd':
            run.download_only = True
        elif flag == 'P':
            run.package_version = True
    commands = {}
    for name, short, _descr in USAGE_COMMANDS:
        commands[name] = commands[short] = name
    if not operands or operands[0] not in commands:
        return _usage(sys.stderr, 1)
    command, args = commands[operands[0]], operands[1:]
    missing = {'install': 'specify at least one package to install', 'remove': 'specify at least one package to remove',
               'search': 'missing search string', 'keep': 'specify at least one package to keep',
               'unkeep': 'specify at least one package to unkeep', 'show-deps': 'missing package name',
               'show-full-deps': 'missing package name', 'show-rev-deps': 'missing package name',
               'pkg-content': 'missing package name', 'pkg-descr': 'missing package name', 'import': 'missing file name'}
    try:
        with state.lock():
            refreshed = run.prepare(command)
            if command in missing and not args:
                raise PkgError(missing[command])
            if command == 'update':
                if not refreshed:
                    run.update_remote(True)
                rc = 0
            elif command in ('list', 'avail'):
                rc = run.cmd_list(command == 'avail')
            elif command == 'search':
                rc = run.cmd_search(args[0])
            elif command == 'install':
                rc = run.cmd_install(args)
            elif command in ('upgrade', 'full-upgrade'):
                local = installed(ctx)
                if not local:
                    raise PkgError('empty local package list.')
                rc = run.cmd_install(sorted(i['base'] for i in local.values()), upgrade=True)
            elif command == 'remove':
                rc = run.cmd_remove(args)
            elif command == 'export':
                rc = run.cmd_export()
            elif command == 'import':
                rc = run.cmd_import(args)
            elif command in ('keep', 'unkeep'):
                rc = run.cmd_keep(args, command == 'keep')
            elif command in ('show-keep', 'show-no-keep'):
                rc = run.cmd_show_keep(command == 'show-keep')
            elif command == 'autoremove':
                rc = run.cmd_autoremove()
            elif command in ('show-deps', 'show-full-deps'):
                rc = run.cmd_show_deps(args[0], command == 'show-full-deps')
            elif command == 'show-rev-deps':
                rc = run.cmd_show_rev_deps(args[0])
            elif command == 'clean':
                shutil.rmtree(os.path.join(ctx.pkgin_dir, 'cache'), ignore_errors=True)
                rc = 0
            else:
                # UNCONFIRMED: the other verbs are not simulated; say so plainly.
                sys.stderr.write('pkgin: %s is not simulated\n' % command)
                rc = 1
            run.save_db()
    except PkgError as exc:
        sys.stdout.flush()
        sys.stderr.write('pkgin: %s\n' % exc)
        return 1
    return rc


def main(tool, argv, state):
    """Entry point for pkgin, pkg_add, pkg_info, pkg_delete, pkg_admin."""
    ctx = Ctx(state)
    if tool == 'pkgin':
        return pkgin_main(ctx, state, argv)
    with state.lock():
        if tool == 'pkg_add':
            return pkg_add_main(ctx, argv)
        if tool == 'pkg_info':
            return pkg_info_main(ctx, argv)
        if tool == 'pkg_delete':
            return pkg_delete_main(ctx, argv)
        if tool == 'pkg_admin':
            return pkg_admin_main(ctx, argv)
    sys.stderr.write('%s: not simulated\n' % tool)
    return 1
