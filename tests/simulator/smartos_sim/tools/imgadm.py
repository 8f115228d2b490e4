"""Simulated ``imgadm`` (SmartOS image management).

Behaviour follows /work/shared/reference/smartos_gz_tools.md §1 and its sources:
TritonDataCenter/smartos-live src/img/lib/cli.js (subcommands, options, output),
src/img/lib/imgadm.js (import/delete/list logic), src/img/lib/errors.js (codes, exit
statuses), src/img/node_modules/cmdln/lib/cmdln.js (the ``imgadm <subcmd>: error (<Code>):
<message>`` line) and tabula (tables). The images themselves live in :mod:`smartos_sim.images`.
"""
import json
import re
import sys

from smartos_sim import images, zfsdb

NAME = 'imgadm'
VERSION = '3.9.5'  # src/img/package.json (reference §1.1)


class ImgadmError(Exception):
    """An error cmdln prints as ``imgadm <subcmd>: error (<code>): <message>``."""

    def __init__(self, code, message, rc=1):
        super().__init__(message)
        self.code = code
        self.rc = rc


def _usage(message):
    # errors.js UsageError: code Usage, exitStatus 1 (reference §1.1)
    return ImgadmError('Usage', message, 1)


def _not_installed(zpool, uuid):
    return ImgadmError('ImageNotInstalled', 'image "%s" was not found on zpool "%s"' % (uuid, zpool), 3)


def _check_uuid(arg):
    # common.js assertUuid -> InvalidUUIDError (reference §1.1)
    if not images.is_uuid(arg):
        raise ImgadmError('InvalidUUID', 'invalid uuid: "%s"' % arg)


def _jsonify(data):
    """JSON.stringify(data, null, 2)."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def _js_string(value):
    """String(value) as JavaScript would render a manifest value in a table cell."""
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ','.join('' if v is None else _js_string(v) for v in value)
    if isinstance(value, dict):
        return '[object Object]'
    return str(value)


# ---------------------------------------------------------------------------------------------
# option parsing (dashdash, as cmdln uses it: bundled short flags, interspersed args, --long)

def _option_value(argv, i, value, option):
    """An option's value: the attached ``value``, else the next argument (dashdash's error when none): (value, next i)."""
    if value:
        return value, i
    if i >= len(argv):
        raise ImgadmError('Option', 'do not have enough args for "%s" option' % option)
    return argv[i], i + 1


# Not shared with the getopt(3C) parsers: imgadm is node (dashdash): interspersed operands, its own errors.
def _parse(argv, spec):
    """Parse ``argv`` with ``spec`` {option: (key, kind)}; kind is 'bool', 'string' or 'list'."""
    opts, args = {}, []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == '--':
            args.extend(argv[i:])
            break
        if arg.startswith('--') and len(arg) > 2:
            name, dummy, value = arg[2:].partition('=')
            if '--' + name not in spec:
                # UNCONFIRMED: dashdash's wording, it is not in the reference.
                raise ImgadmError('Option', 'unknown option: "--%s"' % name)
            key, kind = spec['--' + name]
            if kind == 'bool':
                opts[key] = True
                continue
            value, i = _option_value(argv, i, value, '--' + name)
            _store(opts, key, kind, value)
        elif arg.startswith('-') and len(arg) > 1:
            j = 1
            while j < len(arg):
                flag = '-' + arg[j]
                j += 1
                if flag not in spec:
                    raise ImgadmError('Option', 'unknown option: "%s"' % flag)
                key, kind = spec[flag]
                if kind == 'bool':
                    opts[key] = True
                    continue
                value, i = _option_value(argv, i, arg[j:], flag)
                _store(opts, key, kind, value)
                break
        else:
            args.append(arg)
    return opts, args


def _store(opts, key, kind, value):
    if kind == 'list':
        opts.setdefault(key, []).append(value)
    else:
        opts[key] = value


_HELP = {'-h': ('help', 'bool'), '--help': ('help', 'bool')}
_POOL = {'-P': ('P', 'string')}
_LIST = dict(_HELP, **{'-j': ('json', 'bool'), '--json': ('json', 'bool'), '-H': ('H', 'bool'),
                       '-o': ('o', 'string'), '-s': ('s', 'string')})

# ---------------------------------------------------------------------------------------------
# tables (tabula; reference §1.4)


def _lookup(row, field):
    value = row
    for part in field.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _num(value):
    """JavaScript Number(value), or None for NaN."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if value is None:
        return None
    text = str(value).strip()
    if text == '':
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def _sort_rows(rows, sort):
    import functools  # pylint: disable=import-outside-toplevel

    def cmp(a, b):
        for field in sort:
            invert = field.startswith('-')
            field = field.lstrip('-')
            av, bv = _lookup(a, field), _lookup(b, field)
            an, bn = _num(av), _num(bv)
            if an is not None and bn is not None:
                av, bv = an, bn
            # undefined sorts first (reference §1.4)
            if av is None and bv is None:
                continue
            if av is None:
                res = -1
            elif bv is None:
                res = 1
            else:
                if not isinstance(av, float) or not isinstance(bv, float):
                    av, bv = _js_string(av), _js_string(bv)
                res = -1 if av < bv else (1 if av > bv else 0)
            if res:
                return -res if invert else res
        return 0
    return sorted(rows, key=functools.cmp_to_key(cmp))


def _tabulate(rows, columns, sort=None, skip_header=False):
    """Print rows as tabula does: nothing at all for no rows."""
    if not rows:
        return
    if sort:
        rows = _sort_rows(rows, sort)
    cells = []
    for row in rows:
        line = []
        for col in columns:
            value = _lookup(row, col)
            line.append('-' if value is None else _js_string(value))
        cells.append(line)
    header = [c.upper() for c in columns]
    widths = [max([len(header[k])] + [len(line[k]) for line in cells]) for k in range(len(columns))]
    out = [] if skip_header else [header]
    out.extend(cells)
    for line in out:
        parts = [line[k].ljust(widths[k]) for k in range(len(columns) - 1)] + [line[-1]]
        sys.stdout.write('  '.join(parts) + '\n')


def _row_from_info(info):
    """cli.js rowFromImageInfo: adds computed fields to the manifest *in place*."""
    row = info['manifest']
    if row.get('published_at'):
        row['published_date'] = row['published_at'][:10]
        row['pub'] = row['published_date']
        row['published'] = re.sub(r'\.\d+Z$', 'Z', row['published_at'])
    for key in ('source', 'clones', 'zpool'):
        if info.get(key) is not None:
            row[key] = info[key]
        else:
            row.pop(key, None)
    if row.get('files'):
        row['size'] = row['files'][0].get('size')
    return row


def _filters(args):
    """cli.js filtersFromArgs."""
    filters = {}
    for arg in args:
        if '=' not in arg:
            raise _usage('invalid filter: "%s" (must be of the form "field=value")' % arg)
        field, value = arg.split('=', 1)
        filters[field] = True if value == 'true' else (False if value == 'false' else value)
    return filters


def _filter_infos(infos, filters):
    """cli.js filterImagesInfo (mutates the manifests when there are filters)."""
    if not filters:
        return infos
    kept = []
    for info in infos:
        row = _row_from_info(info)
        keep = True
        for field, want in filters.items():
            actual = row
            for part in field.split('.'):
                actual = actual.get(part) if isinstance(actual, dict) else None
                if actual is None:
                    break
            if actual is None:
                keep = False
            elif isinstance(want, bool):
                keep = actual is want
            elif want.startswith('~'):
                keep = want[1:] in (actual if isinstance(actual, (str, list)) else _js_string(actual))
            else:
                keep = _js_string(actual) == want
            if not keep:
                break
        if keep:
            kept.append(info)
    return kept


def _list_infos(infos, opts):
    if opts.get('json'):
        sys.stdout.write(_jsonify(infos) + '\n')
        return
    rows = [_row_from_info(info) for info in infos]
    columns = re.split(r'\s*,\s*', opts.get('o', 'uuid,name,version,os,type,pub').strip())
    sort = [c for c in re.split(r'\s*,\s*', opts.get('s', 'published_at,name').strip()) if c]
    _tabulate(rows, columns, sort, opts.get('H'))


# ---------------------------------------------------------------------------------------------
# subcommands


def _one_arg(args):
    if len(args) != 1:
        raise _usage('incorrect number of args (%d): "%s"' % (len(args), ' '.join(args)))
    return args[0]


def do_list(state, argv):
    spec = dict(_LIST, **{'--docker': ('docker', 'bool')})
    opts, args = _parse(argv, spec)
    filters = _filters(args)
    if opts.get('docker'):
        filters['type'] = 'docker'
    with state.lock():
        infos = images.installed_image_infos(state)
    _list_infos(_filter_infos(infos, filters), opts)
    return 0


def _avail_infos(state):
    """imgadm.js sourcesList: one entry per uuid, first source wins; active images only.

    UNCONFIRMED: chose to list only ``state == active`` images, as IMGAPI's ListImages
    defaults to ``state=active`` (sdc-imgapi docs) and the reference does not say.
    """
    seen, infos = set(), []
    for source in images.sources(state):
        if source.get('type', 'imgapi') != 'imgapi' or not images.source_serves(source['url']):
            continue
        for manifest in images.catalogue():
            if manifest['state'] != 'active' or manifest['uuid'] in seen:
                continue
            seen.add(manifest['uuid'])
            infos.append({'manifest': manifest, 'source': source['url']})
    return infos


def do_avail(state, argv):
    opts, args = _parse(argv, dict(_LIST))
    filters = _filters(args)
    _list_infos(_filter_infos(_avail_infos(state), filters), opts)
    return 0


def _pool(opts):
    return opts.get('P') or images.ZPOOL


def do_get(state, argv):
    opts, args = _parse(argv, dict(_HELP, **_POOL, **{'-r': ('r', 'bool')}))
    uuid = _one_arg(args)
    _check_uuid(uuid)
    zpool = _pool(opts)
    with state.lock():
        info = images.get_image_info(state, uuid, zpool)
        if info is None:
            raise _not_installed(zpool, uuid)
        if opts.get('r'):
            info['children'] = {'snapshots': images.child_datasets(state, '%s/%s' % (zpool, uuid)),
                                'clones': images.dependent_clones(state, uuid, zpool)}
    sys.stdout.write(_jsonify(info) + '\n')
    return 0


def _find_in_sources(state, arg, active_only, source_urls=None):
    """(manifest, source url) of ``arg`` in the sources, or (None, None)."""
    urls = source_urls if source_urls is not None else [
        s['url'] for s in images.sources(state) if s.get('type', 'imgapi') == 'imgapi']
    if not images.is_uuid(arg):
        return None, None
    for url in urls:
        if not images.source_serves(url):
            continue
        manifest = images.find(arg)
        if manifest and (manifest['state'] == 'active' or not active_only):
            return manifest, url.rstrip('/')
    return None, None


def do_show(state, argv):
    args = _parse(argv, dict(_HELP))[1]
    arg = _one_arg(args)
    manifest = _find_in_sources(state, arg, active_only=False)[0]
    if manifest is None:
        raise ImgadmError('ImageNotFound', 'image "%s" was not found' % arg)
    sys.stdout.write(_jsonify(manifest) + '\n')
    return 0


# docker-registry-client's repo[:tag] shape, loosely (reference §1.6 step 1).
_DOCKER_ARG = re.compile(r'^(?:[a-z0-9.-]+(?::\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*'
                         r'(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?$')


def human_size(size):
    """common.js humanSizeFromBytes: one decimal digit, truncated (reference §1.6)."""
    units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
    if size == 0:
        return '0 B'
    i = 0
    while i < len(units) - 1 and size >= 1024 ** (i + 1):
        i += 1
    value = size / float(1024 ** i)
    text = repr(value)
    if text.endswith('.0'):
        text = str(int(value)) + '.0'
    else:
        whole, frac = text.split('.')
        text = whole + '.' + frac[:1]
    return '%s %s' % (text, units[i])


def do_import(state, argv):
    spec = dict(_HELP, **_POOL, **{'-q': ('quiet', 'bool'), '--quiet': ('quiet', 'bool'),
                                   '-C': ('channel', 'string'), '--channel': ('channel', 'string'),
                                   '-S': ('source', 'list'), '--source': ('source', 'list'),
                                   '--zstream': ('zstream', 'bool')})
    opts, args = _parse(argv, spec)
    arg = _one_arg(args)
    zpool = _pool(opts)
    if not images.is_uuid(arg) and not _DOCKER_ARG.match(arg):
        raise _usage('invalid image-id arg: %s' % json.dumps(arg))
    with state.lock():
        if images.is_uuid(arg):
            info = images.get_image_info(state, arg, zpool)
            if info is not None:
                manifest = info['manifest']
                extra = ' (%s %s)' % (manifest['name'], manifest.get('version')) if manifest.get('name') else ''
                sys.stdout.write('Image %s%s is already installed, skipping\n' % (manifest['uuid'], extra))
                return 0
        manifest, url = _find_in_sources(state, arg, active_only=True, source_urls=opts.get('source'))
        if manifest is None:
            raise ImgadmError('ActiveImageNotFound', 'an active image "%s" was not found in image sources' % arg)
        uuid, title = manifest['uuid'], '%s@%s' % (manifest['name'], manifest['version'])
        lines = ['Importing %s (%s) from "%s"' % (uuid, title, url)
                 + (', channel "%s"' % opts['channel'] if opts.get('channel') else ''),
                 'Gather image %s ancestry' % uuid]
        size = (manifest.get('files') or [{}])[0].get('size')
        if size is not None:
            lines.append('Must download and install 1 image (%s)' % human_size(size))
            lines.append('Downloaded image %s (%s)' % (uuid, human_size(size)))
        else:
            lines.append('Must download and install 1 image')
            lines.append('Downloaded image %s' % uuid)
        sys.stdout.write(lines[0] + '\n')
        sys.stdout.flush()
        try:
            images.install_image(state, uuid, zpool=zpool, source=url)
        except zfsdb.ZfsError as exc:
            # UNCONFIRMED: the wording of a failed receive (e.g. -P with a missing pool); the
            # "Aborting (<message>)" line is what importImage prints before the error.
            sys.stdout.write('Aborting (%s)\n' % exc)
            raise ImgadmError('InternalError', str(exc)) from exc
        lines.append('Imported image %s (%s)' % (uuid, title))
        sys.stdout.write(''.join(line + '\n' for line in lines[1:]))
    return 0


def do_delete(state, argv):
    opts, args = _parse(argv, dict(_HELP, **_POOL))
    uuid = _one_arg(args)
    _check_uuid(uuid)
    zpool = _pool(opts)
    with state.lock():
        if not images.is_installed(state, uuid, zpool):
            raise _not_installed(zpool, uuid)
        clones = images.dependent_clones(state, uuid, zpool)
        if clones:
            message = 'image "%s" has dependent clones: %s' % (uuid, clones[0])
            if len(clones) > 1:
                message += ' and %d others...' % (len(clones) - 1)
            raise ImgadmError('ImageHasDependentClones', message)
        images.delete_image(state, uuid, zpool)
    sys.stdout.write('Deleted image %s\n' % uuid)
    return 0


def _norm_url(url):
    """common.js normUrlFromUrl: no trailing '/', no default port."""
    url = url.rstrip('/')
    url = re.sub(r'^(https://[^/]+):443(?=/|$)', r'\1', url)
    url = re.sub(r'^(http://[^/]+):80(?=/|$)', r'\1', url)
    return url


def _source_str(source):
    """sources/source.js toString."""
    return '"%s" image source "%s"%s' % (source.get('type', 'imgapi'), source['url'],
                                         ' (insecure)' if source.get('insecure') else '')


def do_sources(state, argv):
    spec = dict(_HELP, **{'-v': ('verbose', 'bool'), '--verbose': ('verbose', 'bool'),
                          '-j': ('json', 'bool'), '--json': ('json', 'bool'),
                          '-a': ('a', 'string'), '-d': ('d', 'string'), '-e': ('e', 'bool'),
                          '-c': ('check', 'bool'), '--check': ('check', 'bool'),
                          '-t': ('type', 'string'), '--type': ('type', 'string'),
                          '-k': ('insecure', 'bool'), '--insecure': ('insecure', 'bool'),
                          '-f': ('force', 'bool'), '--force': ('force', 'bool'),
                          '--add-docker-hub': ('hub', 'bool')})
    opts, args = _parse(argv, spec)
    if args:
        raise _usage('unexpected args: ' + ' '.join(args))
    if opts.get('hub'):
        opts['a'], opts['type'] = 'https://docker.io', 'docker'
    if sum(1 for k in ('e', 'a', 'd', 'check') if opts.get(k)) > 1:
        raise _usage('cannot specify more than one of "-a", "-d", "-e", and "-c"')
    with state.lock():
        current = images.sources(state)
        if opts.get('a'):
            # imgadm.js _addSource: the URL is kept as given; only the comparison normalises it
            new = {'url': opts['a'], 'type': opts.get('type') or 'imgapi'}
            if opts.get('insecure'):
                new['insecure'] = True
            for src in current:
                if (_norm_url(src['url']), src.get('type', 'imgapi'), bool(src.get('insecure'))) == \
                        (_norm_url(new['url']), new['type'], bool(new.get('insecure'))):
                    sys.stdout.write('Already have %s, no change\n' % _source_str(src))
                    return 0
            # UNCONFIRMED: the ping check of a new source is skipped (always "succeeds"): the test
            # bed has no network; only images.DEFAULT_SOURCE serves images.
            conf = images.load_config(state)
            conf['sources'] = current + [new]
            images.save_config(state, conf)
            sys.stdout.write('Added %s\n' % _source_str(new))
            return 0
        if opts.get('d'):
            url = _norm_url(opts['d'])
            deleted = [s for s in current if _norm_url(s['url']) == url]
            if not deleted:
                sys.stdout.write('Do not have image source "%s", no change\n' % opts['d'])
                return 0
            conf = images.load_config(state)
            conf['sources'] = [s for s in current if _norm_url(s['url']) != url]
            images.save_config(state, conf)
            for src in deleted:
                sys.stdout.write('Deleted %s\n' % _source_str(src))
            return 0
        if opts.get('e') or opts.get('check'):
            # UNCONFIRMED: -e (runs vi) and -c (pings) need a terminal/network; not simulated.
            raise ImgadmError('Usage', '"-e" and "-c" are not supported by this simulator')
    listing = [dict({'url': s['url'], 'type': s.get('type', 'imgapi')},
                    **({'insecure': s['insecure']} if 'insecure' in s else {})) for s in current]
    if opts.get('json'):
        sys.stdout.write(_jsonify(listing) + '\n')
    elif opts.get('verbose'):
        _tabulate(listing, ['url', 'type', 'insecure'])
    else:
        sys.stdout.write(''.join(s['url'] + '\n' for s in listing))
    return 0


def _js(value):
    """util.format('%s', value): undefined prints as ``undefined``."""
    return 'undefined' if value is None else _js_string(value)


def do_vacuum(state, argv):
    """imgadm.js vacuumImages: images no VM or image uses, confirmed unless -f."""
    opts, args = _parse(argv, dict(_HELP, **{'-n': ('dry', 'bool'), '--dry-run': ('dry', 'bool'),
                                             '-f': ('force', 'bool'), '--force': ('force', 'bool')}))
    if args:
        raise _usage('unexpected args: ' + ' '.join(args))
    with state.lock():
        unused = [info for info in images.installed_image_infos(state) if not info['clones']]
        if not unused:
            return 0
        summaries = ['%s (%s@%s)' % (i['manifest']['uuid'], _js(i['manifest'].get('name')), _js(i['manifest'].get('version')))
                     for i in unused]
        if not opts.get('force'):
            sys.stdout.write('This will delete the following images:\n    ' + '\n    '.join(summaries) + '\n')
            if len(unused) == 1:
                sys.stdout.write('Delete this image? [y/N] ')
            else:
                sys.stdout.write('Delete these %d images? [y/N] ' % len(unused))
            sys.stdout.flush()
            answer = sys.stdin.readline().strip().lower()
            if answer != 'y':
                # next(true): an error without a message, so nothing more is printed; rc 1
                sys.stdout.write('Aborting\n')
                return 1
            sys.stdout.write('\n')
        for info, summary in zip(unused, summaries):
            if opts.get('dry'):
                sys.stdout.write('[dry-run] Deleted image %s\n' % summary)
                continue
            images.delete_image(state, info['manifest']['uuid'], info['zpool'])
            sys.stdout.write('Deleted image %s\n' % summary)
    return 0


def do_update(state, argv):
    opts, args = _parse(argv, dict(_HELP, **{'-n': ('dry', 'bool'), '--dry-run': ('dry', 'bool')}))
    for arg in args:
        _check_uuid(arg)
    with state.lock():
        infos = images.installed_image_infos(state)
        if args:
            known = [i['manifest']['uuid'] for i in infos]
            missing = [u for u in args if u not in known]
            if missing:
                raise _usage('no installed image with the given UUID(s): ' + ', '.join(missing))
            infos = [i for u in args for i in infos if i['manifest']['uuid'] == u]
        for info in infos:
            # imgadm.js updateImages: every image is looked up in the sources
            uuid = info['manifest']['uuid']
            manifest, url = _find_in_sources(state, uuid, active_only=False)
            if manifest is None:
                sys.stdout.write('warning: Could not find image %s in image sources (skipping)\n' % uuid)
                continue
            if info['manifest'].get('name'):
                continue  # the catalogue's manifests never change: nothing to update
            if not opts.get('dry'):
                images.record_manifest(state, manifest, info['zpool'], url)
            sys.stdout.write('Added manifest info for image %s from "%s"\n' % (uuid, url))
    return 0


SUBCOMMANDS = {
    'list': do_list, 'avail': do_avail, 'available': do_avail, 'get': do_get, 'info': do_get,
    'show': do_show, 'import': do_import, 'delete': do_delete, 'destroy': do_delete,
    'sources': do_sources, 'vacuum': do_vacuum, 'update': do_update,
}

HELP = """Manage SmartOS virtual machine images.

Usage:
    imgadm [OPTIONS] COMMAND [ARGS...]
    imgadm help COMMAND

Options:
    -h, --help                Print help and exit.
    --version                 Print version and exit.
    -v, --verbose             Verbose output: trace-level logging, stack on error.
                              See IMGADM_LOG_LEVEL envvar.
    -E                        On error, emit a structured JSON error object as the
                              last line of stderr output.

Commands:
    help (?)                  Help on a specific sub-command.
    sources                   List and edit image sources.
    avail (available)         List available images from all sources.
    show                      Show the manifest for an available image.
    import                    Import an image from a source IMGAPI.
    install                   Install an image from local manifest and image data files.
    list                      List locally installed images.
    get (info)                Get information for an installed image.
    update                    Update currently installed images, if necessary.
    delete (destroy)          Delete an image from the local zpool.
    vacuum                    Remove unused images -- i.e. not used for any VMs or
                              child images.
    ancestry                  List the ancestry (the "origin" chain) for the given
                              incremental image.
    create                    Create an image from the given VM and manifest data.
    publish                   Publish an image (local manifest and data) to a
                              remote IMGAPI repo.
"""


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``imgadm [-v] [-E] <subcmd> ...``"""
    args = list(argv)
    while args and args[0] in ('-v', '--verbose', '-E'):
        args.pop(0)
    if args and args[0] == '--version':
        sys.stdout.write('%s %s\n' % (NAME, VERSION))
        return 0
    if not args or args[0] in ('-h', '--help', 'help', '?'):
        # cmdln emptyLine: the help on stdout; "no command given" is not shown; rc 1 without a
        # command (reference §1.1). UNCONFIRMED: `help` itself exits 0.
        sys.stdout.write(HELP)
        return 1 if not args else 0
    subcmd = args.pop(0)
    if subcmd.startswith('-'):
        # cmdln main(): an option error has no subcommand in its prefix
        sys.stderr.write('%s: error (Option): unknown option: "%s"\n' % (NAME, subcmd))
        return 1
    try:
        func = SUBCOMMANDS.get(subcmd)
        if func is None:
            raise ImgadmError('UnknownCommand', 'unknown command: "%s"' % subcmd)
        return func(state, args)
    except ImgadmError as exc:
        sys.stderr.write('%s %s: error (%s): %s\n' % (NAME, subcmd, exc.code, exc))
        return exc.rc


def init_state(state, rng):  # pylint: disable=unused-argument
    """A fresh GZ: imgadm.conf with the default image source (images.DEFAULT_SOURCE); no images."""
    conf = images.load_config(state)
    conf.setdefault('sources', [{'url': images.DEFAULT_SOURCE, 'type': 'imgapi'}])
    images.save_config(state, conf)
