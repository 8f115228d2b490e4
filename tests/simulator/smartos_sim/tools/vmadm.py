"""The simulated ``vmadm`` (reference smartos_vmadm.md; smartos-live src/vm/sbin/vmadm.js, VM.js).

VMs live in the ``vms`` document, keyed by uuid, each in the shape ``vmadm get`` prints
(reference §4.1). Other tools (sysinfo, zoneadm, zlogin, imgadm) read it; only this module
writes it. Datasets go through :mod:`smartos_sim.zfsdb`, images through :mod:`smartos_sim.images`.

Transitions are instantaneous: a VM is ``running`` or ``stopped`` between commands.
"""
import copy
import datetime
import json
import os
import functools
import math
import random
import re
import shutil
import sys
import uuid as uuidlib

from smartos_sim import vmprops
from smartos_sim.vmprops import HVM_BRANDS, OS_BRANDS, PayloadError, is_true, js_str

PROG = '/usr/sbin/vmadm'  # UNCONFIRMED (reference §1.2): /usr/sbin/vmadm is the symlink on PATH

USAGE_LINES = [
    'create [-f <filename>]',
    'create-snapshot <uuid> <snapname>',
    'console <uuid>',
    'delete <uuid>',
    'delete-snapshot <uuid> <snapname>',
    'events [-fjr] [uuid]',
    'get <uuid>',
    'info <uuid> [type,...]',
    'install <uuid>',
    'kill [-s SIGNAL|-SIGNAL] <uuid>',
    'list [-p] [-H] [-o field,...] [-s field,...] [field=value ...]',
    'lookup [-j|-1] [-o field,...] [field=value ...]',
    'reboot <uuid> [-F]',
    'receive [-f <filename>]',
    'reprovision <uuid> [-f <filename>]',
    'rollback-snapshot <uuid> <snapname>',
    'send <uuid> [target]',
    'start <uuid> [option=value ...]',
    'stop <uuid> [-F] [-t timeout]',
    'sysrq <uuid> <nmi|screenshot>',
    'update <uuid> [-f <filename>]',
    ' -or- update <uuid> property=value [property=value ...]',
    'validate create [-f <filename>]',
    'validate update <brand> [-f <filename>]',
]

# CLI COMMANDS and aliases (reference §1.3)
ALIASES = {'boot': 'start', 'destroy': 'delete', 'halt': 'stop', 'json': 'get', 'recv': 'receive'}
COMMANDS = ('start', 'console', 'create', 'create-snapshot', 'delete', 'delete-snapshot', 'events', 'stop',
            'help', 'info', 'install', 'get', 'list', 'kill', 'lookup', 'reboot', 'receive', 'reprovision',
            'rollback-snapshot', 'send', 'sysrq', 'update', 'validate')

# nopt option tables per command (CLI addCommandOptions; reference §1.4): short -> (long, type)
_COMMON_OPTS = {'v': ('verbose', 'bool'), 'd': ('debug', 'bool')}
CMD_OPTS = {
    'list': {'o': ('order', 'str'), 's': ('sortby', 'str'), 'p': ('parsable', 'bool'), 'H': ('noheader', 'bool'),
             'h': ('header', 'bool')},
    'lookup': {'j': ('json', 'bool'), 'o': ('output', 'str'), '1': ('unique', 'bool')},
    'stop': {'F': ('force', 'bool'), 't': ('timeout', 'num')},
    'reboot': {'F': ('force', 'bool'), 't': ('timeout', 'num')},
    'create': {'f': ('file', 'str')},
    'update': {'f': ('file', 'str')},
    'validate': {'f': ('file', 'str')},
    'receive': {'f': ('file', 'str')},
    'reprovision': {'f': ('file', 'str')},
    'events': {'f': ('full', 'bool'), 'j': ('json', 'bool'), 'r': ('ready', 'bool')},
    'kill': {'s': ('signal', 'str')},
}

# CLI LIST_FIELDS: field -> (header, width) (reference §2.5)
LIST_FIELDS = {
    'alias': ('ALIAS', 10), 'autoboot': ('AUTOBOOT', 8), 'billing_id': ('BILLING_ID', 36),
    'boot_timestamp': ('BOOT_TIMESTAMP', 24), 'brand': ('BRAND', 14), 'cpu_cap': ('CPU_CAP', 7),
    'cpu_shares': ('CPU_SHARE', 9), 'cpu_type': ('CPU_TYPE', 8), 'create_timestamp': ('CREATE_TIMESTAMP', 24),
    'dns_domain': ('DOMAIN', 32), 'do_not_inventory': ('DNI', 5), 'docker': ('DOCKER', 6),
    'exit_status': ('EXIT', 4), 'exit_timestamp': ('EXIT_TIMESTAMP', 24),
    'firewall_enabled': ('FIREWALL_ENABLED', 16), 'flexible_disk_size': ('FLEX_DISK_SIZE', 14),
    'free_space': ('FREE_SPACE', 14), 'hostname': ('HOSTNAME', 32), 'hvm': ('HVM', 5),
    'image_uuid': ('IMAGE_UUID', 36), 'indestructible_delegated': ('INDESTR_DATA', 12),
    'indestructible_zoneroot': ('INDESTR_ROOT', 12), 'ram': ('RAM', 7), 'max_locked_memory': ('MAX_LOCKED', 10),
    'max_lwps': ('MAX_LWP', 7), 'max_physical_memory': ('MAX_PHYS', 8), 'max_swap': ('MAX_SWAP', 8),
    'owner_uuid': ('OWNER_UUID', 36), 'package_name': ('PACKAGE_NAME', 32), 'package_version': ('PACKAGE_VER', 11),
    'pid': ('PID', 6), 'qemu_extra_opts': ('QEMU_EXTRA_OPTS', 15), 'quota': ('QUOTA', 5),
    'zone_state': ('ZONE_STATE', 10), 'state': ('STATE', 16), 'tmpfs': ('TMPFS', 5), 'type': ('TYPE', 4),
    'uuid': ('UUID', 36), 'vcpus': ('VCPUS', 5), 'zfs_io_priority': ('IO_PRIORITY', 11), 'zpool': ('ZPOOL', 12),
    'zonename': ('ZONENAME', 12), 'zonepath': ('ZONEPATH', 40), 'zoneid': ('ZONEID', 6),
}

_FILTER_NESTED = re.compile(
    r'^(disks\.(\d+|\*)\.(boot|image_name|image_size|image_uuid|size|media|model|zpool)'
    r'|nics\.(\d+|\*)\.(dhcp_server|gateway|interface|ip|mac|model|netmask|nic_tag|vlan_id)'
    r'|(tags|customer_metadata|internal_metadata)\..+)$')
_DYNAMIC_COLUMN = re.compile(r'^((disks|nics|pci_devices)\.\d+\.[^.]+|(tags|customer_metadata|internal_metadata|routes)\..+)$')
_BAD_ORDER_FORM = re.compile(r'^(disks|filesystems|nics)\.\*\.')
SNAPNAME_RE = re.compile(r'^[a-zA-Z0-9\-_.:%]{1,64}$')

# UNCONFIRMED: chose these for a GZ whose sysinfo does not say (reference §4.1 lists the keys only).
DEFAULT_BUILDSTAMP = '20260301T000000Z'


class Usage(Exception):
    """A usage error: message (or None), exit 2 (CLI usage())."""


class Fail(Exception):
    """An error: message to stderr, exit 1."""


# ------------------------------------------------------------------------------------------
# small helpers


def _err(text):
    sys.stderr.write(text + '\n')


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_ms(when=None):
    """ISO 8601 with milliseconds, as JavaScript's Date.toISOString()."""
    when = when or _now()
    return when.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (when.microsecond // 1000)


def iso_s(when=None):
    """``last_modified``: second resolution (reference §4.1)."""
    when = when or _now()
    return when.strftime('%Y-%m-%dT%H:%M:%S.000Z')


def dumps(obj):
    """JSON.stringify(obj, null, 2)."""
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True)


def compact(obj):
    """JSON.stringify(obj) (no spaces), as VM.js prints NICs in its messages."""
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False)


def valid_uuid_shape(text):
    """CLI getUUID(): 36 characters with '-' at 8, 13, 18, 23 (no hex check; reference §1.4)."""
    return isinstance(text, str) and len(text) == 36 and all(text[i] == '-' for i in (8, 13, 18, 23))


def vm_type(vm):
    """The fake ``type`` field, truncated to 4 characters (CLI addFakeFields; reference §2.4)."""
    brand = vm.get('brand')
    if brand == 'lx':
        return 'LX'
    if brand == 'kvm':
        return 'KVM'
    if brand == 'bhyve':
        return 'BHYV'
    return 'OS'


def with_fake_fields(vm):
    """A copy of ``vm`` with ``type`` and (non-HVM) ``ram`` = max_physical_memory."""
    obj = copy.deepcopy(vm)
    obj['type'] = vm_type(vm)
    if vm.get('brand') not in HVM_BRANDS and 'max_physical_memory' in vm:
        obj['ram'] = vm['max_physical_memory']
    return obj


def load_vms(state):
    """The ``vms`` document: {uuid: vm}."""
    doc = state.load('vms', {})
    return doc if isinstance(doc, dict) else {}


def ordered(vms):
    """vminfod's VM order. UNCONFIRMED (reference §2.4): chose creation order, then uuid."""
    return sorted(vms.values(), key=lambda vm: (vm.get('create_timestamp', ''), vm.get('uuid', '')))


def _db(state):
    from smartos_sim import zfsdb  # pylint: disable=import-outside-toplevel
    return zfsdb.Zfs(state)


def _zfs_error():
    from smartos_sim import zfsdb  # pylint: disable=import-outside-toplevel
    return zfsdb.ZfsError


def nic_tags(state):
    """The names of the nic tags nictagadm knows (reference smartos_gz_tools.md §2.4 ``exists``)."""
    try:
        from smartos_sim.tools import nictagadm  # pylint: disable=import-outside-toplevel
    except ImportError:
        nictagadm = None
    for name in ('tag_names', 'all_tags', 'tags', 'list_tags'):
        func = getattr(nictagadm, name, None) if nictagadm else None
        if callable(func):
            result = func(state)
            return set(result.keys() if isinstance(result, dict) else result)
    # fallback: read the nictags document defensively
    doc = state.load('nictags', {})
    names = set()
    if isinstance(doc, dict):
        inner = doc.get('tags', doc)
        if isinstance(inner, dict):
            names.update(inner.keys())
        elif isinstance(inner, list):
            names.update(t.get('name') if isinstance(t, dict) else t for t in inner)
        for key in ('etherstubs', 'etherstub'):
            if isinstance(doc.get(key), list):
                names.update(doc[key])
    names.discard('tags')
    return names


def _gz_identity(state):
    """(server_uuid, platform_buildstamp) from sysinfo when it says, else stable choices."""
    server, stamp = None, None
    try:
        from smartos_sim.tools import sysinfo  # pylint: disable=import-outside-toplevel
        func = getattr(sysinfo, 'sysinfo_data', None) or getattr(sysinfo, 'collect', None)
        data = func(state) if callable(func) else {}
        server, stamp = data.get('UUID'), data.get('Live Image')
    except (ImportError, AttributeError, TypeError, ValueError, KeyError):
        pass
    if not server:
        doc = state.load('sysinfo', {})
        if isinstance(doc, dict):
            server = doc.get('UUID') or doc.get('uuid')
            stamp = stamp or doc.get('Live Image')
    if not server:
        # UNCONFIRMED: a GZ without a sysinfo UUID gets one derived from its state directory.
        server = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, 'smartos-sim:' + state.dir))
    return server, stamp or DEFAULT_BUILDSTAMP


# ------------------------------------------------------------------------------------------
# option parsing: nopt as vmadm calls it (reference §1.4)


def parse_opts(command, args):
    """Returns (opts, positionals). Unknown options swallow a following non-dash word."""
    table = dict(_COMMON_OPTS)
    table.update(CMD_OPTS.get(command, {}))
    longs = {v[0]: v for v in table.values()}
    opts, pos = {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if arg == '--':
            pos.extend(args[i + 1:])
            break
        if not arg.startswith('-') or arg == '-':
            pos.append(arg)
            i += 1
            continue
        if arg.startswith('--'):
            name, _unused, inline = arg[2:].partition('=')
            names = [(name, inline if '=' in arg else None)]
        else:
            letters = arg[1:]
            if all(c in table for c in letters) and len(letters) > 1:
                names = [(table[c][0], None) for c in letters]
            elif letters in table:
                names = [(table[letters][0], None)]
            else:
                names = [(letters, None)]
        for idx, (name, inline) in enumerate(names):
            last = idx == len(names) - 1
            spec = longs.get(name)
            if spec is None:
                # unknown option: takes the next non-dash word as its value (nopt)
                if inline is not None:
                    opts[name] = inline
                elif last and nxt is not None and not nxt.startswith('-'):
                    opts[name] = nxt
                    i += 1
                else:
                    opts[name] = True
                continue
            kind = spec[1]
            if kind == 'bool':
                if inline is not None:
                    opts[name] = inline != 'false'
                elif last and nxt in ('true', 'false'):
                    opts[name] = nxt == 'true'
                    i += 1
                else:
                    opts[name] = True
                continue
            value = inline
            if value is None:
                if last and nxt is not None:
                    value = nxt
                    i += 1
            if value is None:
                opts.pop(name, None)
                continue
            if kind == 'num':
                num = vmprops.js_number(value)
                if math.isnan(num):  # NaN: nopt drops an invalid Number silently
                    opts.pop(name, None)
                    continue
                value = num
            opts[name] = value
        i += 1
    return opts, pos


def parse_kv(args):
    """CLI parseKeyEqualsValue(): split at the first '='; no '=' -> value ''."""
    result = {}
    for arg in args:
        if arg in ('', '0', '1'):
            raise Usage('Bad arguments: unable to split ' + arg)
        key, _unused, value = arg.partition('=')
        result[key] = value
    return result


def get_uuid(command, pos):
    if not pos or not valid_uuid_shape(pos[0]):
        raise Usage('Invalid or missing UUID for ' + command)
    return pos[0]


def read_payload(opts, verb):
    """-f <file>, -f - or stdin (reference §1.5)."""
    filename = opts.get('file')
    if filename in (None, True, '-', '/dev/stdin'):
        if sys.stdin is None or sys.stdin.isatty():
            raise Usage('Will not %s from stdin when stdin is a tty.' % verb)
        text = sys.stdin.read()
    else:
        if not os.path.exists(filename):
            raise Fail('File: %s does not exist.' % filename)
        try:
            with open(filename, encoding='utf-8') as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise Fail('Error reading: %s %s' % (filename, json.dumps({'errno': getattr(exc, 'errno', None),
                                                                       'code': type(exc).__name__}))) from exc
    return parse_json(text)


def parse_json(text):
    """JSON.parse with node 0.10's messages (UNCONFIRMED wording, reference §1.5)."""
    def _reject(name):
        raise ValueError(name)
    try:
        return json.loads(text, parse_constant=_reject)
    except ValueError as exc:
        pos = getattr(exc, 'pos', None)
        stripped = text.rstrip()
        if pos is None or pos >= len(stripped):
            raise Fail('Invalid JSON payload: Unexpected end of input') from exc
        raise Fail('Invalid JSON payload: Unexpected token ' + text[pos]) from exc


def usage_text():
    return 'Usage: %s <command> [options]\n\n%s\n\nFor more detailed information on the use of this command,' \
           "type 'man vmadm'.\n" % (PROG, '\n'.join(USAGE_LINES))


# ------------------------------------------------------------------------------------------
# entry point


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``vmadm`` entry point."""
    if os.environ.get('SMARTOS_SIM_ZONENAME'):
        # CLI: onlyif.rootInSmartosGlobal() failing -> 'FATAL: cannot run because: ' + err, exit 2
        # (reference §1.1). UNCONFIRMED: the text of onlyif's error; chose this one.
        _err('FATAL: cannot run because: Error: not running in the global zone')
        return 2
    try:
        if not argv or argv[0] in ('-h', '-?', '--help', 'help'):
            raise Usage(None)
        command = ALIASES.get(argv[0], argv[0])
        if command not in COMMANDS:
            raise Usage('Invalid command: "%s".' % argv[0])
        opts, pos = parse_opts(command, argv[1:])
        handler = _HANDLERS.get(command)
        if handler is None:
            # UNCONFIRMED: console/events/install/send/receive/reprovision need a real zone.
            raise Fail('vmadm %s is not simulated' % command)
        with state.lock():
            return handler(state, opts, pos) or 0
    except Usage as exc:
        if exc.args and exc.args[0]:
            sys.stderr.write(exc.args[0] + '\n')
        sys.stderr.write(usage_text())
        return 2
    except Fail as exc:
        _err(str(exc))
        return 1
    except PayloadError as exc:
        _err(str(exc))
        return 1
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # a zfs failure underneath (VM.js passes zfs's stderr up as the error message)
        if isinstance(exc, _zfs_error()):
            _err(str(exc))
            return 1
        raise


# ------------------------------------------------------------------------------------------
# read commands


def cmd_get(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('get', pos)
    vm = load_vms(state).get(uuid)
    if vm is None:
        raise Fail('zoneadm: %s: No such zone configured' % uuid)
    sys.stdout.write(dumps(vm) + '\n')
    return 0


def _lookup_value(obj, key):
    """(found, value) for a possibly nested key like ``nics.0.ip`` or ``tags.role``."""
    if key in obj:
        return True, obj[key]
    head, _unused, rest = key.partition('.')
    if not rest or head not in obj:
        return False, None
    value = obj[head]
    if head in ('tags', 'customer_metadata', 'internal_metadata', 'routes'):
        if isinstance(value, dict) and rest in value:
            return True, value[rest]
        return False, None
    idx, _unused, sub = rest.partition('.')
    if isinstance(value, list) and idx.isdigit() and int(idx) < len(value):
        item = value[int(idx)]
        if not sub:
            return True, item
        if isinstance(item, dict) and sub in item:
            return True, item[sub]
    return False, None


def _normal_mac(text):
    parts = text.split(':')
    if len(parts) == 6 and all(re.match(r'^[0-9a-fA-F]{1,2}$', p) for p in parts):
        return ':'.join('%02x' % int(p, 16) for p in parts)
    return text


def _match_one(value, target):
    if isinstance(target, tuple):
        return target[1].search(js_str(value)) is not None
    return js_str(value) == target


def matches(vm, filters):
    """VM.js matcher(): every filter must match (reference §2.4)."""
    for key, target in filters.items():
        if '.*.' in key:
            head, _unused, sub = key.partition('.*.')
            items = vm.get(head)
            if not isinstance(items, list):
                return False
            if sub == 'mac' and not isinstance(target, tuple):
                target = _normal_mac(target)
            if not any(isinstance(i, dict) and sub in i and _match_one(i[sub], target) for i in items):
                return False
            continue
        found, value = _lookup_value(vm, key)
        if not found:
            return False
        if key.endswith('.mac') and not isinstance(target, tuple):
            target = _normal_mac(target)
        if not _match_one(value, target):
            return False
    return True


def _filter_key_ok(key):
    return key in LIST_FIELDS or bool(_FILTER_NESTED.match(key))


def parse_filters(pos, message):
    filters = {}
    for key, value in parse_kv(pos).items():
        if not _filter_key_ok(key):
            raise Fail('%s: "%s"' % (message, key))
        if value.startswith('~'):
            try:
                regex = re.compile(_js_regex(value[1:]), re.IGNORECASE)
            except re.error as exc:
                raise Fail('Invalid regular expression: /%s/: %s' % (value[1:], exc)) from exc
            filters[key] = ('re', regex)
        else:
            filters[key] = value
    return filters


def _js_regex(text):
    """A JavaScript regex source as a Python one (the common subset; \\d \\w \\s agree)."""
    return text.replace('(?<', '(?P<') if '(?<' in text and '(?<=' not in text and '(?<!' not in text else text


def cmd_lookup(state, opts, pos):
    filters = parse_filters(pos, 'Invalid lookup key')
    if 'output' in opts and not opts.get('json'):
        raise Fail('Cannot specify -o without -j')
    found = [with_fake_fields(vm) for vm in ordered(load_vms(state))]
    found = [vm for vm in found if matches(vm, filters)]
    if opts.get('output') not in (None, True):
        fields = [f for f in str(opts['output']).split(',') if f]
        trimmed = []
        for vm in found:
            obj = {k: vm[k] for k in vm if k in fields}
            if obj:
                trimmed.append(obj)
        found = trimmed
    if opts.get('unique') and len(found) != 1:
        raise Fail('Requested unique lookup but found %d results.' % len(found))
    if opts.get('json'):
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False, sort_keys=True) + '\n')
    else:
        for vm in found:
            sys.stdout.write(vm['uuid'] + '\n')
    return 0


def _cell(value, parsable):
    if value is None:
        return ''if parsable else '-'
    if value or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0):
        return js_str(value)
    return '' if parsable else '-'


def _list_fields(value, kind):
    fields = [f for f in str(value).split(',') if f != '']
    for field in fields:
        if _BAD_ORDER_FORM.match(field.lstrip('+-')):
            raise Fail('Invalid %s key: "%s"' % (kind, field))
    return fields


def cmd_list(state, opts, pos):
    filters = parse_filters(pos, 'Invalid filter key')
    order = _list_fields(opts['order'], 'order') if opts.get('order') not in (None, True) \
        else ['uuid', 'type', 'ram', 'state', 'alias']
    sort = _list_fields(opts['sortby'], 'sort') if opts.get('sortby') not in (None, True) else ['ram', 'uuid']
    for field in sort:
        name = field.lstrip('+-')
        if name not in LIST_FIELDS and not _DYNAMIC_COLUMN.match(name):
            raise Fail('invalid sort field: ' + field)
    for field in order:
        if field not in LIST_FIELDS and not _DYNAMIC_COLUMN.match(field):
            raise Fail('invalid order field: ' + field)
    rows = []
    for vm in ordered(load_vms(state)):
        obj = with_fake_fields(vm)
        if not matches(obj, filters):
            continue
        row = {}
        for field in order:
            found, value = _lookup_value(obj, field)
            if found:
                row[field] = value
        rows.append(row)
    rows = _sort_rows(rows, sort)
    parsable = bool(opts.get('parsable'))
    header = not opts.get('noheader') and not parsable
    if opts.get('header'):
        header = True
    out = []
    if header:
        out.append(_format_line([(_header(f), _width(f)) for f in order], parsable))
    for row in rows:
        out.append(_format_line([(_cell(row.get(f), parsable), _width(f)) for f in order], parsable))
    if out:
        sys.stdout.write('\n'.join(out) + '\n')
    return 0


def _header(field):
    return LIST_FIELDS[field][0] if field in LIST_FIELDS else field.upper()


def _width(field):
    return LIST_FIELDS[field][1] if field in LIST_FIELDS else 20


def _format_line(cells, parsable):
    if parsable:
        return ':'.join(c for c, _unused in cells)
    return '  '.join(c.ljust(w) for c, w in cells).rstrip()


def _sort_rows(rows, sort):
    def compare(left, right):
        for field in sort:
            direction = -1 if field.startswith('-') else 1
            name = field.lstrip('+-')
            a_val, b_val = left.get(name), right.get(name)
            if a_val and not b_val:
                return -1
            if b_val and not a_val:
                return 1
            if not a_val and not b_val:
                continue
            try:
                if a_val < b_val:
                    return -direction
                if a_val > b_val:
                    return direction
            except TypeError:
                if js_str(a_val) < js_str(b_val):
                    return -direction
                if js_str(a_val) > js_str(b_val):
                    return direction
        return 0
    return sorted(rows, key=functools.cmp_to_key(compare))


# ------------------------------------------------------------------------------------------
# create


class Crash(Exception):
    """node aborting on an uncaught exception (reference §1.1, unknown brand)."""


def _ipv4(text):
    parts = text.split('.') if isinstance(text, str) else []
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 and str(int(p)) == p for p in parts)


def _ipv6(text):
    import ipaddress  # pylint: disable=import-outside-toplevel
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def _mask_bits(mask):
    if not _ipv4(mask):
        return None
    value = 0
    for part in mask.split('.'):
        value = (value << 8) | int(part)
    bits = bin(value).count('1')
    if value != ((0xffffffff << (32 - bits)) & 0xffffffff):
        return None
    return bits


def _bits_mask(bits):
    value = (0xffffffff << (32 - bits)) & 0xffffffff if bits else 0
    return '.'.join(str((value >> s) & 255) for s in (24, 16, 8, 0))


def _valid_cidr(text):
    if text in ('dhcp', 'addrconf'):
        return True
    addr, sep, bits = text.partition('/')
    if not sep or not bits.isdigit():
        return False
    if _ipv4(addr):
        return int(bits) <= 32
    return _ipv6(addr) and int(bits) <= 128


def generate_mac(rng):
    """utils.js generateMAC(): first octet <hex 1-f>2, then five octets 01-ff (reference §4.4)."""
    first = '%x2' % rng.randint(1, 15)
    return ':'.join([first] + ['%02x' % rng.randint(1, 255) for _unused in range(5)])


def _private(ip):
    parts = [int(p) for p in ip.split('.')]
    return parts[0] == 10 or (parts[0] == 172 and 16 <= parts[1] < 32) or (parts[0] == 192 and parts[1] == 168)


def _first_ipv4(nic):
    for cidr in nic.get('ips') or []:
        addr, _unused, bits = cidr.partition('/')
        if _ipv4(addr):
            return addr, int(bits)
    return None, None


def normalize_nic(nic, brand, nic_driver, tags, check_tag=True):
    """One NIC as vmadm stores it (VM.js normalizeNics / vmload; reference §4.4). Raises PayloadError."""
    if not isinstance(nic.get('nic_tag'), str) or not nic.get('nic_tag'):
        raise PayloadError('invalid or missing .nic_tag option for NIC: ' + compact(nic))
    if brand in HVM_BRANDS and not nic.get('model') and not nic_driver:
        raise PayloadError('missing .model option for NIC: ' + compact(nic))
    out = {k: v for k, v in nic.items() if k not in ('ip', 'netmask', 'gateway', 'primary')}
    for key, value in list(out.items()):
        kind = vmprops.NIC_PROPS.get(key, ('str',))[0]
        if kind == 'bool':
            out[key] = is_true(value)
            if not out[key]:
                del out[key]
        elif kind == 'list':
            out[key] = vmprops.to_list(value)
        elif kind == 'int':
            out[key] = vmprops.int_or_float(vmprops.js_number(value))
    if brand in HVM_BRANDS and not out.get('model'):
        out['model'] = nic_driver
    if 'ip' in nic and 'ips' not in nic:
        ip = nic['ip']
        if ip == 'dhcp':
            out['ips'] = ['dhcp']
        elif not _ipv4(ip):
            raise PayloadError('Invalid IP for NIC: ' + compact(nic))
        else:
            if not nic.get('netmask'):
                raise PayloadError('Missing .netmask option for NIC: ' + compact(nic))
            bits = _mask_bits(nic['netmask'])
            if bits is None:
                raise PayloadError('Specified netmask value is invalid: %s' % nic['netmask'])
            out['ips'] = ['%s/%d' % (ip, bits)]
    if 'gateway' in nic and 'gateways' not in nic and nic['gateway']:
        out['gateways'] = [nic['gateway']]
    out.setdefault('ips', [])
    if len(out['ips']) > 20:
        raise PayloadError('nic.*.ips contains %d addresses, but is limited to 20' % len(out['ips']))
    for cidr in out['ips']:
        if not _valid_cidr(cidr):
            raise PayloadError('Invalid IP for NIC: ' + compact(nic))
    for gateway in out.get('gateways', []):
        if not _ipv4(gateway):
            raise PayloadError('Static gateways must be IPv4 addresses: %s' % gateway)
    if len(out.get('allowed_ips', [])) > 13:
        raise PayloadError('Maximum of 13 allowed_ips per nic')
    if 'mac' in out:
        out['mac'] = _normal_mac(out['mac']).lower()
    if nic.get('primary') is not None and is_true(nic.get('primary')):
        out['primary'] = True
    if check_tag and out['nic_tag'] not in tags:
        raise PayloadError('Invalid nic tag "%s"' % out['nic_tag'])
    _add_legacy_fields(out)
    return out


def _add_legacy_fields(nic):
    """vmload's representative ip/netmask/gateway (reference §4.4)."""
    addr, bits = _first_ipv4(nic)
    if addr:
        nic['ip'] = addr
        nic['netmask'] = _bits_mask(bits)
    elif nic.get('ips') and nic['ips'][0] == 'dhcp':
        nic['ip'] = 'dhcp'
        nic.pop('netmask', None)
    else:
        nic.pop('ip', None)
        nic.pop('netmask', None)
    if nic.get('gateways'):
        nic['gateway'] = nic['gateways'][0]
    else:
        nic.pop('gateway', None)


def merge_nics(existing, added, brand, rng, other_vms):
    """Existing + added NICs: MACs, interfaces, primary and conflicts (reference §2.1, §4.4)."""
    nics = [dict(n) for n in existing]
    macs = set(n.get('mac') for n in nics)
    ips = set()
    for nic in nics:
        ips.update(c.split('/')[0] for c in nic.get('ips', []) if c not in ('dhcp', 'addrconf'))
    if sum(1 for n in added if n.get('primary')) > 1:
        raise PayloadError('payload specifies more than 1 primary NIC')
    prefix = 'eth' if brand == 'lx' else 'net'
    for nic in added:
        if 'mac' not in nic and nic.get('vrrp_vrid') is not None:
            # utils.js vrrpMAC(): the VRRP virtual router MAC (reference §4.4)
            nic['mac'] = '00:00:5e:00:01:%02x' % int(nic['vrrp_vrid'])
        if 'mac' not in nic:
            mac = generate_mac(rng)
            while mac in macs:
                mac = generate_mac(rng)
            nic['mac'] = mac
        if nic['mac'] in macs:
            raise PayloadError('Cannot add multiple NICs with the same MAC: %s' % nic['mac'])
        macs.add(nic['mac'])
        for cidr in nic.get('ips', []):
            if cidr in ('dhcp', 'addrconf'):
                continue
            addr = cidr.split('/')[0]
            if addr in ips:
                raise PayloadError('Cannot add multiple NICs with the same IP: %s' % addr)
            ips.add(addr)
        if 'interface' not in nic:
            used = set(n.get('interface') for n in nics)
            idx = 0
            while '%s%d' % (prefix, idx) in used:
                idx += 1
            nic['interface'] = '%s%d' % (prefix, idx)
        if nic.get('primary'):
            for other in nics:
                other.pop('primary', None)
        nics.append(nic)
    _check_conflicts(added, other_vms)
    if nics and not any(n.get('primary') for n in nics):
        nics[0]['primary'] = True
    return _sort_nics(nics)


def _sort_nics(nics):
    def key(nic):
        match = re.match(r'^[a-z]+(\d+)$', nic.get('interface', ''))
        return (int(match.group(1)) if match else 1 << 30, nic.get('interface', ''))
    return sorted(nics, key=key)


class ConflictIndex:
    """The MACs and (nic_tag, vlan_id, IP) triples other VMs hold (nic.js conflict check)."""

    def __init__(self, vms=()):
        self.macs, self.ips = set(), set()
        for vm in vms:
            self.add(vm)

    def add(self, vm):
        for nic in vm.get('nics') or []:
            self.macs.add(nic.get('mac'))
            for cidr in nic.get('ips') or []:
                if cidr not in ('dhcp', 'addrconf'):
                    self.ips.add((nic.get('nic_tag'), nic.get('vlan_id', 0), cidr.split('/')[0]))

    def clashes(self, nic):
        return nic.get('mac') in self.macs or any(
            (nic.get('nic_tag'), nic.get('vlan_id', 0), c.split('/')[0]) in self.ips
            for c in nic.get('ips', []) if c not in ('dhcp', 'addrconf'))


def _check_conflicts(added, other_vms):
    """Same MAC, or same IP on the same nic_tag+vlan, on another VM (nic.js)."""
    if not added:
        return
    index = other_vms if isinstance(other_vms, ConflictIndex) else ConflictIndex(other_vms)
    if any(index.clashes(nic) for nic in added):
        raise PayloadError('Conflict detected with another vm, please check the MAC, IP, and VRID')


DISK_MODELS = {'kvm': ('virtio', 'scsi', 'ide'), 'bhyve': ('virtio', 'ahci', 'nvme')}


def normalize_disks(vm, disks, payload_driver, rng, existing=()):
    """Disks as vmload shows them (reference §4.5); assigns zvol names. Raises PayloadError."""
    brand, uuid = vm['brand'], vm['uuid']
    out = [dict(d) for d in existing]
    used = set(d.get('zfs_filesystem') for d in out)
    uuids = set(d.get('uuid') for d in out if d.get('uuid'))
    for disk in disks:
        disk = dict(disk)
        model = disk.get('model') or payload_driver
        if not model:
            raise PayloadError('missing .model option for disk: ' + compact(disk))
        if model not in DISK_MODELS[brand]:
            raise PayloadError('"%s" is not a valid disk model for %s brand. Valid are: %s'
                               % (model, brand, ','.join(DISK_MODELS[brand])))
        nocreate = is_true(disk.get('nocreate', False))
        media = disk.get('media', 'disk')
        if disk.get('path') and not nocreate and media != 'cdrom':
            raise PayloadError('you cannot specify a path for a disk unless you set nocreate=true')
        block = disk.get('block_size')
        if block is not None and (not 512 <= block <= 131072 or block & (block - 1)):
            raise PayloadError('invalid .block_size(%s), must be 512-131072 and a power of 2.' % js_str(block))
        for key in ('boot', 'nocreate', 'notrim'):
            if key in disk:
                disk[key] = is_true(disk[key])
        disk['model'] = model
        disk['media'] = media
        disk.setdefault('boot', False)
        if media == 'cdrom' or nocreate:
            out.append(disk)
            continue
        idx = 0
        while _disk_dataset(brand, uuid, idx) in used:
            idx += 1
        name = _disk_dataset(brand, uuid, idx)
        used.add(name)
        disk.pop('nocreate', None)
        disk['zfs_filesystem'] = name
        disk['path'] = '/dev/zvol/rdsk/' + name
        disk['zpool'] = 'zones'
        if disk.get('image_uuid'):
            disk.setdefault('size', disk.get('image_size'))
        disk.setdefault('compression', 'off')
        disk.setdefault('block_size', 8192)
        disk.setdefault('refreservation', disk.get('size'))
        if brand == 'bhyve':
            if disk.get('uuid') in uuids:
                raise PayloadError('duplicate disk uuid %s' % disk['uuid'])
            disk.setdefault('uuid', str(uuidlib.UUID(int=rng.getrandbits(128), version=4)))
            uuids.add(disk['uuid'])
        out.append(disk)
    return out


def _disk_dataset(brand, uuid, idx):
    # VM.js createVolumes(): kvm zones/<uuid>-disk<N>, bhyve zones/<uuid>/disk<N> (reference §4.5)
    if brand == 'kvm':
        return 'zones/%s-disk%d' % (uuid, idx)
    return 'zones/%s/disk%d' % (uuid, idx)


COMPRESSIONS = ['on', 'off', 'gzip'] + ['gzip-%d' % i for i in range(1, 10)] + ['lz4', 'lzjb', 'zle']
VGA_TYPES = ('cirrus', 'std', 'vmware', 'qxl', 'xenfb')


def check_values(payload, nics):
    """VM.js checkPayloadProperties(): the value checks that have their own messages (reference §2.1 (6))."""
    vga = payload.get('vga')
    if vga is not None and vga not in VGA_TYPES:
        raise PayloadError('Invalid VGA type: "%s", supported types are: %s' % (vga, ','.join(VGA_TYPES)))
    if len(payload.get('vnc_password') or '') > 8:
        raise PayloadError('VNC password is too long, maximum length is 8 characters.')
    recsize = payload.get('zfs_root_recsize')
    if recsize and (not 512 <= recsize <= 131072 or recsize & (recsize - 1)):
        raise PayloadError('invalid zfs_root_recsize (%s), must be 512-131072 and a power of 2. (0 to disable)'
                           % js_str(recsize))
    comps = [payload.get('zfs_root_compression'), payload.get('zfs_data_compression')]
    comps += [d.get('compression') for d in payload.get('disks', []) + payload.get('add_disks', [])
              if isinstance(d, dict)]
    for comp in comps:
        if comp is not None and comp not in COMPRESSIONS:
            raise PayloadError('invalid compression type for %s, must be one of: %s' % (comp, ', '.join(COMPRESSIONS)))
    routes = dict(payload.get('routes') or {})
    routes.update(payload.get('set_routes') or {})
    for dst, gateway in routes.items():
        if not (_ipv4(dst) or _ipv6(dst) or _valid_cidr(dst)) or dst in ('dhcp', 'addrconf'):
            raise PayloadError('Invalid route destination: "%s" (must be IP address or CIDR)' % dst)
        gateway = js_str(gateway)
        match = re.match(r'^nics\[(\d+)\]$', gateway)
        if match:
            idx = int(match.group(1))
            if idx >= len(nics) or not _first_ipv4(nics[idx])[0]:
                raise PayloadError('Route gateway: "%s" refers to non-existent or DHCP nic' % gateway)
        elif not (_ipv4(gateway) or _ipv6(gateway) or re.match(r'^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$', gateway)):
            raise PayloadError('Invalid route gateway: "%s" (must be IP address, MAC address, or nic)' % gateway)


class ImageCache:
    """imgadm's view of installed images for one command (reference §2.1 ``validateImages``)."""

    def __init__(self, state):
        self.state = state
        self.cache = {}

    def get(self, uuid):
        if uuid not in self.cache:
            from smartos_sim import images  # pylint: disable=import-outside-toplevel
            info = images.get_image_info(self.state, uuid) if isinstance(uuid, str) else None
            self.cache[uuid] = info['manifest'] if info else None
        return self.cache[uuid]


def _image_problems(payload, brand, image_cache):
    """Bad values from the image checks (VM.js validateImages)."""
    bad = []
    if brand in OS_BRANDS and isinstance(payload.get('image_uuid'), str):
        manifest = image_cache.get(payload['image_uuid'])
        wanted = 'lx-dataset' if brand == 'lx' else 'zone-dataset'
        if manifest is None or manifest.get('type', wanted) not in (wanted, 'docker'):
            bad.append('image_uuid')
    if brand in HVM_BRANDS and isinstance(payload.get('disks'), list):
        for idx, disk in enumerate(payload['disks']):
            if not isinstance(disk, dict) or not disk.get('image_uuid'):
                continue
            manifest = image_cache.get(disk['image_uuid'])
            if manifest is None or manifest.get('type', 'zvol') != 'zvol':
                bad.append('disks.%d.image_uuid' % idx)
                continue
            if 'image_size' not in disk and manifest.get('image_size'):
                disk['image_size'] = manifest['image_size']
            elif manifest.get('image_size') and disk.get('image_size') != manifest['image_size']:
                bad.append('disks.%d.image_size' % idx)
    return bad


def _store_value(key, value):
    kind = vmprops.PROPS[key][0]
    if kind == 'bool':
        return is_true(value)
    if kind == 'list':
        items = vmprops.to_list(value)
        if key in ('limit_priv', 'fs_allowed'):
            return ','.join(str(i) for i in items)
        return items
    return copy.deepcopy(value)


def prepare_create(payload, vms, rng, image_cache, tags, identity, conflicts=None):
    """Validate a create payload and build the VM object (no side effects). Raises PayloadError."""
    if not isinstance(payload, dict):
        payload = {}
    for old, new in vmprops.DEPRECATED.items():
        if old in payload and new not in payload:
            payload[new] = payload.pop(old)
    if 'uuid' in payload and payload['uuid'] in vms:
        raise PayloadError('VM with UUID %s already exists' % payload['uuid'])
    vmprops.coerce_integers(payload)
    brand = payload.setdefault('brand', 'joyent')
    if brand not in vmprops.BRANDS:
        raise Crash(brand)
    vmprops.fix_memory(payload, brand)
    bad_values, _unused, missing = vmprops.check_payload(payload, brand, 'create')
    if payload.get('zpool', 'zones') != 'zones' and 'zpool' not in bad_values:
        bad_values.append('zpool')
    if not bad_values:
        bad_values += _image_problems(payload, brand, image_cache)
        _unused, _unused, missing = vmprops.check_payload(payload, brand, 'create', report=True)
    if bad_values:
        raise PayloadError('Invalid value(s) for: ' + ','.join(bad_values))
    if missing:
        raise PayloadError('Missing required properties: ' + ','.join(missing))
    uuid = payload.get('uuid') or str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
    if uuid in vms or not vmprops.UUID_RE.match(uuid):
        raise PayloadError('VM with UUID %s already exists' % uuid if uuid in vms else 'Invalid value(s) for: uuid')
    hvm = brand in HVM_BRANDS
    now = _now()
    server_uuid, buildstamp = identity
    vm = {
        'autoboot': True, 'billing_id': vmprops.ZERO_UUID, 'brand': brand, 'cpu_shares': 100,
        'create_timestamp': iso_ms(now), 'customer_metadata': {}, 'firewall_enabled': False, 'hvm': hvm,
        'internal_metadata': {}, 'last_modified': iso_s(now),
        'limit_priv': vmprops.HVM_LIMIT_PRIV if hvm else 'default', 'max_lwps': 2000, 'max_msg_ids': 4096,
        'max_sem_ids': 4096, 'max_shm_ids': 4096, 'nics': [], 'owner_uuid': vmprops.ZERO_UUID,
        'platform_buildstamp': buildstamp, 'quota': 1 if brand == 'bhyve' else 10, 'resolvers': [], 'routes': {},
        'server_uuid': server_uuid, 'snapshots': [], 'tags': {}, 'uuid': uuid, 'v': 1,
        'zfs_filesystem': 'zones/' + uuid, 'zfs_io_priority': 100, 'zfs_root_recsize': 131072, 'zonename': uuid,
        'zonepath': '/zones/' + uuid, 'zpool': 'zones',
    }
    if hvm:
        vm.update({'disks': [], 'ram': 256, 'vcpus': 1})
    else:
        vm['dns_domain'] = 'local'
    if brand == 'bhyve':
        # VM.js buildZonecfgUpdate() (reference §4.1; code, not test)
        vm.update({'com1': '/dev/zconsole', 'com2': 'socket,/tmp/vm.ttyb', 'zlog_mode': 'g--',
                   'zlog_name': 'platform.log'})
    skip = ('nics', 'disks', 'uuid', 'nowait', 'delegate_dataset', 'mdata_exec_timeout')
    for key, value in payload.items():
        if key not in skip:
            vm[key] = _store_value(key, value)
    if not hvm:
        vm.pop('ram', None)
    vm['cpu_shares'] = min(vm['cpu_shares'], 65535)
    if not vm.get('cpu_cap'):
        vm.pop('cpu_cap', None)
    if not vm.get('do_not_inventory'):
        vm.pop('do_not_inventory', None)
    for key in ('indestructible_zoneroot', 'indestructible_delegated', 'archive_on_delete'):
        if key in vm and not vm[key]:
            del vm[key]
    if is_true(payload.get('delegate_dataset', False)):
        vm['datasets'] = ['zones/%s/data' % uuid]
    others = conflicts if conflicts is not None else list(vms.values())
    added = [normalize_nic(n, brand, payload.get('nic_driver'), tags) for n in payload.get('nics', [])]
    vm['nics'] = merge_nics([], added, brand, rng, others)
    check_values(payload, vm['nics'])
    if hvm:
        vm['disks'] = normalize_disks(vm, payload.get('disks', []), payload.get('disk_driver'), rng)
    vm['zone_state'] = 'installed'
    vm['state'] = 'stopped'
    vm['zonedid'] = max([v.get('zonedid', 0) for v in vms.values()] + [0]) + 1
    return vm


def provision(state, db, vm):
    """The VM's datasets and zone root (zoneadm install; VM.js createZone/createVolumes)."""
    uuid, brand = vm['uuid'], vm['brand']
    name = 'zones/' + uuid
    quota = vm.get('quota') or 0
    if brand in OS_BRANDS:
        props = {'quota': '%dG' % quota} if quota else None
        db.clone('zones/%s@final' % vm['image_uuid'], name, props=props)
        for dataset in vm.get('datasets', []):
            # the delegated dataset is administered from inside the zone (zonecfg add dataset)
            db.create(dataset, kind='filesystem', props={'zoned': 'on'})
    else:
        # bhyve: quota is a refquota on the zone root (VM.js setQuotaBhyve; reference §4.3)
        props = ({'refquota' if brand == 'bhyve' else 'quota': '%dG' % quota}) if quota else None
        db.create(name, kind='filesystem', props=props)
        for disk in vm.get('disks', []):
            if not disk.get('zfs_filesystem'):
                continue
            if disk.get('image_uuid'):
                db.clone('zones/%s@final' % disk['image_uuid'], disk['zfs_filesystem'])
                if disk.get('size') and disk['size'] != disk.get('image_size'):
                    db.set(disk['zfs_filesystem'], {'volsize': '%dM' % disk['size']})
            else:
                db.create(disk['zfs_filesystem'], kind='volume', volsize='%dM' % disk['size'])
    # The brand's install hooks make the cores dataset: 100G, or RAM + 20G for an HVM VM with
    # more than 80G (joyent/illumos-joyent usr/src/lib/brand/jcommon: jattach_zone_final_setup,
    # jattach_kvm_final_setup).
    core_quota = 102400
    if brand in HVM_BRANDS and (vm.get('ram') or 0) > 81920:
        core_quota = vm['ram'] + 20480
    db.create(core_dataset(uuid), kind='filesystem', parents=True,
              props={'quota': '%dM' % core_quota, 'mountpoint': '/zones/%s/cores' % uuid})
    os.makedirs(state.host_path('/zones/%s/root' % uuid), exist_ok=True)


def core_dataset(uuid):
    """``zones/cores/<uuid>``, mounted at ``/zones/<uuid>/cores``."""
    return 'zones/cores/' + uuid


def boot_vm(vm, vms, rng, now=None):
    """Mark a VM running (zoneadm boot)."""
    vm['state'] = vm['zone_state'] = 'running'
    used = set(v.get('zoneid') for v in vms.values() if v.get('state') == 'running' and v is not vm)
    zoneid = 1
    while zoneid in used:
        zoneid += 1
    vm['zoneid'] = zoneid
    vm['pid'] = rng.randint(1000, 99999)
    vm['boot_timestamp'] = iso_s(now)
    vm['init_restarts'] = 0
    vm.pop('exit_status', None)
    vm.pop('exit_timestamp', None)


def halt_vm(vm, now=None):
    """Mark a VM stopped (zoneadm halt)."""
    vm['state'] = 'stopped'
    vm['zone_state'] = 'installed'
    for key in ('zoneid', 'pid', 'boot_timestamp', 'init_restarts'):
        vm.pop(key, None)
    vm['exit_status'] = 0
    vm['exit_timestamp'] = iso_ms(now)


def _rng():
    return random.Random(os.urandom(16))


def cmd_create(state, opts, pos):  # pylint: disable=unused-argument
    payload = read_payload(opts, 'create')
    vms = load_vms(state)
    rng = _rng()
    try:
        vm = prepare_create(payload, vms, rng, ImageCache(state), nic_tags(state), _gz_identity(state))
    except Crash:
        # UNCONFIRMED (reference §1.1): node's uncaught TypeError and abort; chose 134 (SIGABRT).
        sys.stderr.write('/usr/vm/node_modules/VM.js:1\n\nTypeError: Cannot read property \'features\' of undefined\n')
        return 134
    db = _db(state)
    try:
        provision(state, db, vm)
    except _zfs_error() as exc:
        shutil.rmtree(state.host_path('/zones/' + vm['uuid']), ignore_errors=True)
        raise Fail(str(exc)) from exc
    if vm['autoboot']:
        boot_vm(vm, vms, rng)
    vms[vm['uuid']] = vm
    db.save()
    state.save('vms', vms)
    _err('Successfully created VM ' + vm['uuid'])
    return 0


def cmd_validate(state, opts, pos):
    if not pos or pos[0] not in ('create', 'update'):
        if not pos:
            raise Usage('Will not validate without a valid action.')
    action = pos[0]
    brand = None
    if action != 'create':
        if len(pos) < 2:
            raise Usage('Will not validate without a valid action and brand.')
        brand = pos[1]
    payload = read_payload(opts, 'validate')
    if not isinstance(payload, dict):
        payload = {}
    if action == 'create':
        brand = payload.get('brand')
    if brand not in vmprops.BRANDS:
        raise Fail(json.dumps({'bad_brand': 'undefined' if brand is None else js_str(brand)}, indent=2))
    bad_values, bad_props, missing = vmprops.check_payload(payload, brand, action, report=True)
    if action == 'create':
        if payload.get('zpool', 'zones') != 'zones' and 'zpool' not in bad_values:
            bad_values.append('zpool')
        bad_values += [b for b in _image_problems(payload, brand, ImageCache(state)) if b not in bad_values]
    if bad_values or bad_props or missing:
        raise Fail(json.dumps({'bad_values': bad_values, 'bad_properties': bad_props,
                               'missing_properties': missing}, indent=2))
    _err("VALID '%s' payload for %s brand VMs." % (action, brand))
    return 0


# ------------------------------------------------------------------------------------------
# update


# Properties every VM of the brand carries (reference §4.1): an empty value leaves them as they are.
# UNCONFIRMED: the reference only says integers become undefined; an undefined max_* is no change.
ALWAYS_PRESENT = ('autoboot', 'cpu_shares', 'max_lwps', 'max_msg_ids', 'max_sem_ids', 'max_shm_ids', 'max_shm_memory',
                  'max_physical_memory', 'max_locked_memory', 'max_swap', 'ram', 'vcpus', 'tmpfs', 'zfs_io_priority',
                  'zfs_root_recsize', 'billing_id', 'owner_uuid', 'limit_priv', 'resolvers', 'dns_domain')


def _unset_value(vm, key):
    if key == 'quota':
        vm['quota'] = 0
    elif key == 'firewall_enabled':
        vm['firewall_enabled'] = False
    elif key not in ALWAYS_PRESENT:
        vm.pop(key, None)


def cmd_update(state, opts, pos):
    uuid = get_uuid('update', pos)
    if len(pos) > 1:
        payload = parse_kv(pos[1:])
    else:
        payload = read_payload(opts, 'update')
    if not isinstance(payload, dict):
        payload = {}
    vms = load_vms(state)
    vm = vms.get(uuid)
    if vm is None:
        raise Fail('VM %s not found' % uuid)
    brand = vm['brand']
    unset = []
    for key in list(payload):
        spec = vmprops.PROPS.get(key)
        if spec and spec[0] != 'int' and payload[key] in ('', None) and not key.startswith(('add_', 'update_')) \
                and key not in ('resolvers', 'internal_metadata_namespaces'):
            unset.append(key)
            del payload[key]
    unset += vmprops.coerce_integers(payload)
    unset = [k for k in unset if brand in vmprops.PROPS[k][1] and 'u' in vmprops.PROPS[k][2]]
    vmprops.fix_memory(payload, brand, vm)
    bad_values, _unused, _unused = vmprops.check_payload(payload, brand, 'update')
    if bad_values:
        raise Fail('Invalid value(s) for: ' + ','.join(bad_values))
    new = copy.deepcopy(vm)
    rng = _rng()
    try:
        check_values(payload, vm.get('nics', []))
    except PayloadError as exc:
        raise Fail(str(exc)) from exc
    quota_before = (vm.get('quota') or 0)
    for key in unset:
        _unset_value(new, key)
    collections = {}
    for key, value in payload.items():
        if key.startswith(('set_', 'remove_', 'add_', 'update_')):
            collections[key] = value
        else:
            new[key] = _store_value(key, value)
    if brand in HVM_BRANDS:
        _check_hvm_memory(new)
    if not new.get('cpu_cap'):
        new.pop('cpu_cap', None)
    if 'cpu_shares' in new:
        new['cpu_shares'] = min(new['cpu_shares'], 65535)
    for key in ('do_not_inventory', 'indestructible_zoneroot', 'indestructible_delegated', 'archive_on_delete'):
        if key in new and not new[key]:
            del new[key]
    for mapname in ('customer_metadata', 'internal_metadata', 'tags', 'routes'):
        target = new.setdefault(mapname, {})
        for key in vmprops.to_list(collections.get('remove_' + mapname, [])):
            target.pop(str(key), None)
        target.update(copy.deepcopy(collections.get('set_' + mapname, {})))
    _update_nics(state, new, collections, vms, rng)
    db = _db(state)
    if brand in HVM_BRANDS:
        _update_disks(db, new, collections, rng)
    else:
        _update_filesystems(new, collections)
    quota_after = new.get('quota') or 0
    if quota_after != quota_before and db.exists(new['zfs_filesystem']):
        prop = 'refquota' if brand == 'bhyve' else 'quota'
        db.set(new['zfs_filesystem'], {prop: ('%dG' % quota_after) if quota_after else 'none'})
    new['last_modified'] = iso_s()
    vms[uuid] = new
    db.save()
    state.save('vms', vms)
    _err('Successfully updated VM ' + uuid)
    return 0


def _check_hvm_memory(vm):
    ram = vm.get('ram', 256)
    for key in ('max_physical_memory', 'max_locked_memory', 'max_swap'):
        if key in vm and vm[key] < ram:
            raise Fail('vm.%s (%s) cannot be lower than vm.ram (%s)' % (key, js_str(vm[key]), js_str(ram)))
    if vm.get('max_swap', 256) < vmprops.MINIMUM_MAX_SWAP:
        raise Fail('vm.max_swap (%s) cannot be lower than 256MiB' % js_str(vm['max_swap']))


def _update_nics(state, vm, collections, vms, rng):
    if not any(k in collections for k in ('add_nics', 'update_nics', 'remove_nics')):
        return
    brand = vm['brand']
    tags = nic_tags(state)
    nics = [dict(n) for n in vm.get('nics', [])]
    for change in collections.get('update_nics', []):
        if 'mac' not in change:
            raise Fail('NIC object needs a .mac property to update')
        mac = _normal_mac(str(change['mac'])).lower()
        target = next((n for n in nics if n.get('mac') == mac), None)
        if target is None:
            raise Fail('There is no existing NIC with that mac address')
        if 'nic_tag' in change and (not isinstance(change['nic_tag'], str) or change['nic_tag'] not in tags):
            raise Fail('invalid .nic_tag option for NIC: ' + compact(change))
        merged = dict(target)
        merged.update({k: v for k, v in change.items() if k != 'mac'})
        if 'ip' in change or 'netmask' in change:
            merged.pop('ips', None)
            merged.setdefault('netmask', target.get('netmask'))
        if 'gateway' in change:
            merged.pop('gateways', None)
        fixed = normalize_nic(merged, brand, vm.get('nic_driver'), tags, check_tag=False)
        fixed['mac'] = mac
        fixed['interface'] = target.get('interface')
        if fixed.get('primary'):
            for other in nics:
                other.pop('primary', None)
        elif 'primary' not in change and target.get('primary'):
            fixed['primary'] = True
        nics[nics.index(target)] = fixed
    removed = set(_normal_mac(str(m)).lower() for m in vmprops.to_list(collections.get('remove_nics', [])))
    had_primary = any(n.get('primary') for n in nics if n.get('mac') in removed)
    nics = [n for n in nics if n.get('mac') not in removed]
    if had_primary and nics:
        pick = next((n for n in nics if n.get('ip') and _ipv4(n['ip']) and not _private(n['ip'])), nics[0])
        pick['primary'] = True
    added = [normalize_nic(n, brand, vm.get('nic_driver'), tags) for n in collections.get('add_nics', [])]
    others = [v for v in vms.values() if v['uuid'] != vm['uuid']]
    try:
        vm['nics'] = merge_nics(nics, added, brand, rng, others)
    except PayloadError as exc:
        raise Fail(str(exc)) from exc


def _update_disks(db, vm, collections, rng):
    keys = ('add_disks', 'remove_disks', 'update_disks')
    if not any(k in collections for k in keys):
        return
    stopped = vm['state'] == 'stopped'
    where = '"stopped", currently: %s (%s)' % (vm['state'], vm['zone_state'])
    if ('add_disks' in collections or 'remove_disks' in collections) and not stopped:
        raise Fail('updates to disks are only allowed when state is ' + where)
    disks = [dict(d) for d in vm.get('disks', [])]
    for change in collections.get('update_disks', []):
        target = next((d for d in disks if d.get('path') == change.get('path')), None)
        if target is None:
            continue
        if not stopped and any(k not in ('compression', 'path', 'refreservation') for k in change):
            raise Fail('at least one specified update to disks is only allowed when state is ' + where)
        for key, value in change.items():
            if key == 'size' and vm['brand'] == 'bhyve' and target.get('zfs_filesystem'):
                db.set(target['zfs_filesystem'], {'volsize': '%dM' % value})
            target[key] = is_true(value) if key in ('boot', 'notrim') else value
    for path in vmprops.to_list(collections.get('remove_disks', [])):
        gone = [d for d in disks if d.get('path') == path]
        for disk in gone:
            # VM.js update: remove_disks -> deleteVolume() runs `zfs destroy -rF <zfs_filesystem>`, and vmload
            # addDiskProperties() gives EVERY disk whose path is an existing zvol its zfs_filesystem, nocreate
            # disks included (smartos-live src/vm/node_modules/VM.js, vmload/index.js, vmload-datasets.js)
            name = disk.get('zfs_filesystem') or _zvol_of_path(disk.get('path'))
            if name and db.exists(name):
                db.destroy(name, recursive=True)
            disks.remove(disk)
    if collections.get('add_disks'):
        try:
            disks = normalize_disks(vm, collections['add_disks'], vm.get('disk_driver'), rng, existing=disks)
        except PayloadError as exc:
            raise Fail(str(exc)) from exc
        for disk in disks:
            zvol = _zvol_of_path(disk.get('path'))
            if disk.get('nocreate') and zvol and db.exists(zvol):
                # vmload addDiskProperties(): a disk whose path is an existing zvol is shown with its dataset
                disk.setdefault('zfs_filesystem', zvol)
                disk.setdefault('zpool', zvol.split('/')[0])
                continue
            name = disk.get('zfs_filesystem')
            if name and not db.exists(name):
                if disk.get('image_uuid'):
                    db.clone('zones/%s@final' % disk['image_uuid'], name)
                else:
                    db.create(name, kind='volume', volsize='%dM' % (disk.get('size') or 10240))
    vm['disks'] = disks


def _zvol_of_path(path):
    """The zvol a disk path names (``/dev/zvol/rdsk/<name>`` or ``/dev/zvol/dsk/<name>``, vmload-datasets.js), or None."""
    match = re.match(r'^/dev/zvol/r?dsk/(.+)$', path or '')
    return match.group(1) if match else None


def _update_filesystems(vm, collections):
    keys = ('add_filesystems', 'remove_filesystems', 'update_filesystems')
    if not any(k in collections for k in keys):
        return
    filesystems = [dict(f) for f in vm.get('filesystems', [])]
    for change in collections.get('update_filesystems', []):
        for item in filesystems:
            if item.get('target') == change.get('target'):
                item.update(change)
    targets = set(vmprops.to_list(collections.get('remove_filesystems', [])))
    filesystems = [f for f in filesystems if f.get('target') not in targets]
    for item in collections.get('add_filesystems', []):
        item = dict(item)
        if 'options' in item:
            item['options'] = vmprops.to_list(item['options'])
        filesystems.append(item)
    if filesystems:
        vm['filesystems'] = filesystems
    else:
        vm.pop('filesystems', None)


# ------------------------------------------------------------------------------------------
# lifecycle


def _missing_tag(state, vm):
    tags = nic_tags(state)
    for nic in vm.get('nics', []):
        if nic.get('nic_tag') not in tags:
            return nic.get('nic_tag')
    return None


START_ARGS = ('order', 'disk', 'cdrom')


def cmd_start(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('start', pos)
    seen_order = False
    for arg in pos[1:]:
        key, _unused, value = arg.partition('=')
        if key not in START_ARGS:
            raise Usage('Invalid argument to start: ' + key)
        if key == 'order':
            if seen_order:
                raise Usage("You can only specify 'order' once when starting a VM")
            seen_order = True
        elif len(value.split(',')) != 2 or not all(value.split(',')):
            raise Usage('Parameter to %s must be: path,model' % key)
    vms = load_vms(state)
    vm = vms.get(uuid)
    prefix = 'Unable to start VM %s: ' % uuid
    if vm is None:
        raise Fail(prefix + 'bad statusCode: 404')
    if vm['state'] == 'running':
        _err(prefix + "VM %s is already 'running'" % uuid)
        return 0
    if vm['state'] != 'stopped':
        raise Fail(prefix + 'Cannot start vm from state "%s", must be "stopped".' % vm['state'])
    tag = _missing_tag(state, vm)
    if tag:
        raise Fail(prefix + 'Invalid nic tag "%s"' % tag)
    boot_vm(vm, vms, _rng())
    vm['autoboot'] = True
    state.save('vms', vms)
    _err('Successfully started VM ' + uuid)
    return 0


def cmd_stop(state, opts, pos):
    uuid = get_uuid('stop', pos)
    vms = load_vms(state)
    vm = vms.get(uuid)
    force = bool(opts.get('force'))
    if vm is None:
        raise Fail('bad statusCode: 404' if force else 'VM %s not found' % uuid)
    if force:
        if vm['state'] != 'running':
            _err("VM %s is already not 'running' (currently: %s)" % (uuid, vm['state']))
            return 0
    else:
        if 'timeout' in opts and vm['state'] == 'running' and vm['brand'] not in HVM_BRANDS \
                and not vm.get('docker'):
            raise Fail('Timeout option is only supported for bhyve, KVM and docker containers.')
        # VM.js exports.stop: autoboot=false first, even when not running (reference §2.7)
        vm['autoboot'] = False
        if vm['state'] != 'running':
            state.save('vms', vms)
            _err("VM %s is already not 'running' (currently: %s)" % (uuid, vm['state']))
            return 0
    halt_vm(vm)
    vm['autoboot'] = False
    state.save('vms', vms)
    _err('Successfully completed stop for VM ' + uuid)
    return 0


def cmd_reboot(state, opts, pos):
    uuid = get_uuid('reboot', pos)
    vms = load_vms(state)
    vm = vms.get(uuid)
    if vm is None:
        raise Fail('bad statusCode: 404')
    if vm['state'] != 'running':
        if opts.get('force'):
            raise Fail('Cannot reset vm from state "%s", must be "running".' % vm['state'])
        raise Fail('Cannot reboot vm from state "%s", must be "running"' % vm['state'])
    tag = _missing_tag(state, vm)
    if tag:
        raise Fail('Cannot reboot vm: Invalid nic tag "%s"' % tag)
    halt_vm(vm)
    boot_vm(vm, vms, _rng())
    state.save('vms', vms)
    _err('Successfully completed reboot for VM ' + uuid)
    return 0


def destroy_datasets(state, db, vm):
    """zoneadm uninstall + zvol destruction (VM.js deleteZone)."""
    names = [vm.get('zfs_filesystem') or 'zones/' + vm['uuid']]
    names += [d['zfs_filesystem'] for d in vm.get('disks', []) if d.get('zfs_filesystem')]
    names.append(core_dataset(vm['uuid']))
    for name in names:
        if db.exists(name):
            db.destroy(name, recursive=True)
    shutil.rmtree(state.host_path(vm.get('zonepath') or '/zones/' + vm['uuid']), ignore_errors=True)


def cmd_delete(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('delete', pos)
    vms = load_vms(state)
    vm = vms.get(uuid)
    prefix = 'Failed to delete VM %s: ' % uuid
    if vm is None:
        raise Fail(prefix + 'VM %s not found' % uuid)
    for key in ('indestructible_zoneroot', 'indestructible_delegated'):
        if vm.get(key):
            raise Fail(prefix + '%s is set, cannot delete' % key)
    db = _db(state)
    destroy_datasets(state, db, vm)
    del vms[uuid]
    db.save()
    state.save('vms', vms)
    _err('Successfully deleted VM ' + uuid)
    return 0


# ------------------------------------------------------------------------------------------
# snapshots (reference §2.13, §5)


def _snapshot_args(command, pos):
    uuid = get_uuid(command, pos)
    if len(pos) != 2:
        raise Usage('Wrong number of parameters to "%s"' % command)
    name = pos[1]
    if not SNAPNAME_RE.match(name):
        raise Fail('Invalid snapshot name')
    return uuid, name


def _snap_datasets(vm):
    names = [vm['zfs_filesystem']]
    if vm['brand'] == 'bhyve':
        names += [d['zfs_filesystem'] for d in vm.get('disks', []) if d.get('zfs_filesystem')]
    return names


def _snapshot_target(state, command, pos, not_found):
    """The checks every *-snapshot command makes first: (vms, vm, uuid, name).

    ``not_found`` is the command's own message for a missing VM (they differ in vmadm), a str.format template for the uuid.
    """
    uuid, name = _snapshot_args(command, pos)
    vms = load_vms(state)
    vm = vms.get(uuid)
    if vm is None:
        raise Fail(not_found.format(uuid))
    if vm['brand'] == 'kvm':
        raise Fail('snapshots for kvm VMs currently unsupported')
    return vms, vm, uuid, name


def cmd_create_snapshot(state, opts, pos):  # pylint: disable=unused-argument
    vms, vm, uuid, name = _snapshot_target(state, 'create-snapshot', pos, 'VM {} not found')
    if vm.get('datasets'):
        raise Fail('Cannot currently snapshot zones that have datasets')
    if any(s.get('name') == name for s in vm.get('snapshots', [])):
        raise Fail('snapshot with name "%s" already exists.' % name)
    db = _db(state)
    for dataset in _snap_datasets(vm):
        if db.exists(dataset):
            db.snapshot('%s@vmsnap-%s' % (dataset, name))
    now = _now()
    vm['snapshots'] = [{'name': name, 'size': 0, 'created_at': iso_ms(now)}] + vm.get('snapshots', [])
    vm['last_modified'] = iso_s(now)
    db.save()
    state.save('vms', vms)
    _err('Created snapshot %s for VM %s' % (name, uuid))
    return 0


def cmd_delete_snapshot(state, opts, pos):  # pylint: disable=unused-argument
    vms, vm, uuid, name = _snapshot_target(state, 'delete-snapshot', pos, 'VM {} not found')
    if not any(s.get('name') == name for s in vm.get('snapshots', [])):
        raise Fail('No snapshot named "%s" for %s' % (name, uuid))
    db = _db(state)
    for dataset in _snap_datasets(vm):
        if db.exists('%s@vmsnap-%s' % (dataset, name)):
            db.destroy('%s@vmsnap-%s' % (dataset, name))
    vm['snapshots'] = [s for s in vm['snapshots'] if s.get('name') != name]
    vm['last_modified'] = iso_s()
    db.save()
    state.save('vms', vms)
    _err('Deleted snapshot %s for VM %s' % (name, uuid))
    return 0


def cmd_rollback_snapshot(state, opts, pos):  # pylint: disable=unused-argument
    vms, vm, uuid, name = _snapshot_target(state, 'rollback-snapshot', pos, 'bad statusCode: 404')
    snaps = vm.get('snapshots', [])
    target = next((s for s in snaps if s.get('name') == name), None)
    if target is None:
        raise Fail('No snapshot named "%s" for %s' % (name, uuid))
    if vm['state'] != 'stopped':
        halt_vm(vm)
    db = _db(state)
    for dataset in _snap_datasets(vm):
        if db.exists('%s@vmsnap-%s' % (dataset, name)):
            db.rollback('%s@vmsnap-%s' % (dataset, name), destroy_later=True)
    # zfs rollback -r destroys the newer snapshots (snapshots are kept newest first)
    vm['snapshots'] = snaps[snaps.index(target):]
    # VM.js rollback_snapshot always starts the VM afterwards (reference §5)
    boot_vm(vm, vms, _rng())
    vm['autoboot'] = True
    db.save()
    state.save('vms', vms)
    _err('Rolled back snapshot %s for VM %s' % (name, uuid))
    return 0


# ------------------------------------------------------------------------------------------
# info, sysrq, kill


INFO_TYPES = {'kvm': ('all', 'block', 'blockstats', 'chardev', 'cpus', 'kvm', 'pci', 'spice', 'status', 'version',
                      'vnc'),
              'bhyve': ('all', 'vnc')}


def cmd_info(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('info', pos)
    prefix = 'Unable to get VM info for VM %s: ' % uuid
    vm = load_vms(state).get(uuid)
    if vm is None:
        raise Fail(prefix + 'bad statusCode: 404')
    types = [t for arg in pos[1:] for t in re.split(r'[,\s]+', arg) if t] or ['all']
    if vm['state'] not in ('running', 'stopping'):
        raise Fail(prefix + 'Unable to get info for vm from state "%s", must be "running" or "stopping".' % vm['state'])
    if vm['brand'] not in INFO_TYPES:
        raise Fail(prefix + 'no info types supported for brand ' + vm['brand'])
    for kind in types:
        if kind not in INFO_TYPES[vm['brand']]:
            raise Fail(prefix + 'unknown info type ' + kind)
    # UNCONFIRMED: the runtime data is a plausible minimum (no real hypervisor behind it).
    data = {}
    wanted = INFO_TYPES[vm['brand']][1:] if 'all' in types else types
    for kind in wanted:
        if kind == 'vnc':
            data['vnc'] = {'host': '127.0.0.1', 'port': 5900 + vm.get('zoneid', 0), 'display': vm.get('zoneid', 0)}
        elif kind == 'status':
            data['status'] = 'running'
        elif kind == 'version':
            data['version'] = 'QEMU 2.6.0'
        else:
            data[kind] = [] if kind in ('block', 'blockstats', 'chardev', 'cpus', 'pci') else {}
    sys.stdout.write(dumps(data) + '\n')
    return 0


def cmd_sysrq(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('sysrq', pos)
    if len(pos) != 2:
        raise Usage('Wrong number of parameters to "sysrq"')
    kind = pos[1]
    if kind not in ('nmi', 'screenshot'):
        raise Usage('Invalid sysrq type: ' + kind)
    vm = load_vms(state).get(uuid)
    if vm is None:
        raise Fail('bad statusCode: 404')
    if vm['state'] not in ('running', 'stopping'):
        raise Fail('Unable to send request to vm from state "%s", must be "running" or "stopping".' % vm['state'])
    if vm['brand'] not in HVM_BRANDS:
        raise Fail('The sysrq command is only supported for VMs  with brand "bhyve" or "kvm".')
    if vm['brand'] == 'bhyve' and kind == 'screenshot':
        raise Fail('Invalid sysrq "screenshot" valid values: "nmi".')
    _err('Sent NMI to VM %s' % uuid if kind == 'nmi' else 'Sent screenshot sysrq to VM %s' % uuid)
    return 0


def cmd_kill(state, opts, pos):  # pylint: disable=unused-argument
    uuid = get_uuid('kill', pos)
    vm = load_vms(state).get(uuid)
    if vm is None:
        raise Fail('bad statusCode: 404')  # UNCONFIRMED: kill's unknown-UUID text is not in the reference
    signal = opts.get('signal') if opts.get('signal') not in (None, True) else 'SIGTERM'
    signal = str(signal).upper()
    if not signal.startswith('SIG'):
        signal = 'SIG' + signal
    _err('Sent signal "%s" to init process for VM %s' % (signal, uuid))
    return 0


_HANDLERS = {
    'get': cmd_get, 'lookup': cmd_lookup, 'list': cmd_list, 'create': cmd_create, 'validate': cmd_validate,
    'update': cmd_update, 'start': cmd_start, 'stop': cmd_stop, 'reboot': cmd_reboot, 'delete': cmd_delete,
    'create-snapshot': cmd_create_snapshot, 'delete-snapshot': cmd_delete_snapshot,
    'rollback-snapshot': cmd_rollback_snapshot, 'info': cmd_info, 'sysrq': cmd_sysrq, 'kill': cmd_kill,
}


# ------------------------------------------------------------------------------------------
# test bed hooks (smartos_sim.tools.admin)


def on_shutdown(state):
    """The GZ goes down: running VMs stop; autoboot is kept."""
    with state.lock():
        vms = load_vms(state)
        changed = False
        for vm in vms.values():
            if vm.get('state') == 'running':
                halt_vm(vm)
                changed = True
        if changed:
            state.save('vms', vms)


def on_boot(state):
    """The GZ boots: VMs with autoboot start (zones service); a VM still marked running (the GZ
    went down without a shutdown) comes up fresh the same way."""
    with state.lock():
        vms = load_vms(state)
        rng = _rng()
        for vm in ordered(vms):
            if vm.get('state') == 'running':
                halt_vm(vm)
        for vm in ordered(vms):
            if vm.get('autoboot') and vm.get('state') == 'stopped':
                boot_vm(vm, vms, rng)
        if vms:
            state.save('vms', vms)


_SEED_KINDS = (
    # (brand, image attribute of smartos_sim.images, share)
    ('joyent', 'BASE_64_LTS'), ('joyent', 'BASE_64_LTS'), ('joyent-minimal', 'MINIMAL_64_LTS'),
    ('lx', 'UBUNTU_LX'), ('bhyve', 'UBUNTU_CERTIFIED'), ('kvm', 'UBUNTU_CERTIFIED'),
)
_ROLES = ('web', 'db', 'cache', 'app', 'lb', 'build')


def seed_payload(rng, index, image_uuid, brand):
    """The create payload of the ``index``-th seeded VM (deterministic from ``rng``)."""
    role = _ROLES[index % len(_ROLES)]
    alias = '%s%02d' % (role, index)
    payload = {
        'uuid': str(uuidlib.UUID(int=rng.getrandbits(128), version=4)), 'brand': brand, 'alias': alias,
        'hostname': alias, 'autoboot': rng.random() < 0.75,
        'tags': {'role': role, 'env': rng.choice(('prod', 'staging', 'dev'))},
        'customer_metadata': {'user-script': '#!/bin/sh\ntrue\n'} if index % 3 == 0 else {},
        'nics': [{'nic_tag': 'admin', 'ips': ['10.%d.%d.%d/16' % (88 + index // 60000, (index // 250) % 250,
                                                                  index % 250 + 2)],
                  'gateways': ['10.88.0.1'], 'primary': True}],
    }
    if index % 2 == 0:
        payload['nics'].append({'nic_tag': 'external', 'ips': ['dhcp']})
    if brand in HVM_BRANDS:
        payload.update({'ram': rng.choice((1024, 2048, 4096)), 'vcpus': rng.choice((1, 2, 4)),
                        'disks': [{'image_uuid': image_uuid, 'boot': True, 'model': 'virtio'}]})
        for nic in payload['nics']:
            nic['model'] = 'virtio'
    else:
        payload.update({'image_uuid': image_uuid, 'max_physical_memory': rng.choice((256, 512, 1024, 2048)),
                        'quota': rng.choice((5, 10, 20))})
        if brand == 'lx':
            payload['kernel_version'] = '5.15.0'
    return payload


def seed_zones(state, rng, count):
    """``count`` ready VMs of mixed brands and states, written in one go (no subprocess)."""
    from smartos_sim import images  # pylint: disable=import-outside-toplevel
    with state.lock():
        needed = sorted(set(getattr(images, attr) for _unused, attr in _SEED_KINDS))
        for image_uuid in needed:
            images.install_image(state, image_uuid)
        vms = load_vms(state)
        cache = ImageCache(state)
        tags = nic_tags(state) | {'admin', 'external'}
        identity = _gz_identity(state)
        db = _db(state)
        conflicts = ConflictIndex(vms.values())
        base = len(vms)
        for index in range(base, base + count):
            brand, attr = _SEED_KINDS[rng.randrange(len(_SEED_KINDS))]
            payload = seed_payload(rng, index, getattr(images, attr), brand)
            vm = prepare_create(payload, vms, rng, cache, tags, identity, conflicts)
            conflicts.add(vm)
            provision(state, db, vm)
            if vm['autoboot']:
                boot_vm(vm, vms, rng)
            vms[vm['uuid']] = vm
        db.save()
        state.save('vms', vms)
