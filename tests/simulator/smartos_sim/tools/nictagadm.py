"""Simulated ``nictagadm`` (SmartOS nic tag management; a bash script on the real system).

Behaviour follows /work/shared/reference/smartos_gz_tools.md §2 and its source,
TritonDataCenter/smartos-live src/nictagadm (usage(), fatal(), cmd_tag_* functions).

Where tags live: ``/usbkey/config`` of the GZ (``<tag>_nic=<mac>``, ``<tag>_mtu=<mtu>``,
``etherstub=<a>,<b>``), as on a SmartOS installed from USB with ``smartos=true``
(src/nictagadm find_config_paths: CONF_FILES is the USB copy only). Physical NICs and
etherstubs come from :mod:`smartos_sim.tools.dladm`; VMs using a tag from the vmadm store.
"""
import os
import re
import sys

from smartos_sim import images
from smartos_sim.tools import dladm

CONF = '/usbkey/config'
# UNCONFIRMED: the $0 bash puts in getopts' own diagnostics; chose the installed path
# (smartos-live src/manifest: f usr/bin/nictagadm).
ARGV0 = '/usr/bin/nictagadm'
LIST_LINE = '%-14s %-18s %-14s %-16s\n'

USAGE = """Manage nic tags

Usage:
        nictagadm [OPTIONS] <subcommand> <args...> ...

General Options:
        -v
            Verbose output

        -h
            Print help and exit

        -?
            Print help and exit

Subcommands:
        add             [-l] [-p prop=value,...] <name> [mac]
        delete          [-f] <name>
        exists          [-l] <name>
        list            [-l | -L] [-p] [-d delim]
        update          [-l] [-p prop=value,...] <name> [mac]
        vms             <name>

See nictagadm(8) for more information
"""

MAC_RE = re.compile(r'^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$')
STUB_RE = re.compile(r'^[a-zA-Z0-9_]*[0-9]$')
NAME_RE = re.compile(r'^[a-zA-Z0-9_]+')
OVERLAY_RULES = '/var/run/smartdc/networking/overlay_rules.json'


class Exit(Exception):
    """Leave the script with ``rc`` (messages are already written)."""

    def __init__(self, rc):
        super().__init__(rc)
        self.rc = rc


def fatal(msg):
    sys.stderr.write('Error: %s\n' % msg)
    raise Exit(1)


def usage(code=2, msg=None):
    if msg is not None:
        sys.stdout.write(msg + '\n')
    sys.stdout.flush()
    sys.stderr.write(USAGE)
    raise Exit(code)


def valid_stub_name(name):
    return bool(name) and len(name) <= 31 and bool(STUB_RE.match(name))


def valid_name(name):
    return bool(name) and len(name) < 31 and bool(NAME_RE.match(name))


def valid_overlay_rule(name):
    return bool(name) and len(name) < 20 and bool(re.match(r'^[a-zA-Z0-9_]*[a-zA-Z_]$', name))


def normalize_mac(mac):
    return ':'.join('%02x' % int(p, 16) for p in mac.split(':'))


# ---------------------------------------------------------------------------------------------
# the config file


def read_conf(state):
    """The config file's lines (without newlines); [] when absent."""
    try:
        with open(state.host_path(CONF), encoding='utf-8') as handle:
            return handle.read().splitlines()
    except FileNotFoundError:
        return []


def write_conf(state, lines):
    path = state.host_path(CONF)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(''.join(line + '\n' for line in lines))


def conf_values(state):
    """The ``key=value`` pairs as the script reads them (``IFS='=' read``), in file order."""
    values = {}
    for line in read_conf(state):
        key, dummy, value = line.partition('=')
        if not key or not value or key.startswith('#'):
            continue
        values[key] = value
    return values


def nic_tags(state):
    """[(tag, value)] of the ``*_nic`` keys in the config (value: a MAC or an aggr name)."""
    # UNCONFIRMED: bash associative-array order is arbitrary; the simulator keeps file order.
    return [(key[:-4], value) for key, value in conf_values(state).items() if key.endswith('_nic')]


def conf_etherstubs(state):
    lines = [line for line in read_conf(state) if line.startswith('etherstub=')]
    if not lines:
        return []
    return [s for s in lines[-1].split('=', 1)[1].split(',') if s]


def _overlay_rules(state):
    import json  # pylint: disable=import-outside-toplevel
    try:
        with open(state.host_path(OVERLAY_RULES), encoding='utf-8') as handle:
            rules = json.load(handle)
    except (FileNotFoundError, ValueError):
        return []
    return [r for r in (rules if isinstance(rules, dict) else {}) if valid_overlay_rule(r)]


# ---------------------------------------------------------------------------------------------
# listing (cmd_tag_list) and the tag table it fills


class Tags:
    """What cmd_tag_list computes: rows, TAG_TYPES and STUBS_UP."""

    def __init__(self, state, local=False, no_stubs=False):
        self.types, self.stubs_up, self.rows = {}, set(), []
        doc = dladm.load(state)
        links = dict((normalize_mac(p['mac']), p['link']) for p in doc['phys'])
        if not local:
            for tag, value in nic_tags(state):
                if valid_stub_name(value):
                    self.types[tag] = 'aggr'
                    self.rows.append((tag, '-', value, 'aggr'))
                else:
                    mac = normalize_mac(value)
                    self.types[tag] = 'normal'
                    self.rows.append((tag, mac, links.get(mac, '-'), 'normal'))
            for rule in _overlay_rules(state):
                self.types[rule] = 'overlay_rule'
                self.rows.append((rule, '-', '-', 'overlay rule'))
        if no_stubs:
            return
        union = set()
        for stub in doc['etherstubs']:
            self.stubs_up.add(stub['link'])
            union.add(stub['link'])
            self.types[stub['link']] = 'etherstub'
        for stub in conf_etherstubs(state):
            union.add(stub)
            self.types[stub] = 'etherstub'
        for stub in sorted(union):  # `sort` in the C locale the script runs with
            self.rows.append((stub, '-', '-', 'etherstub'))

    def exists(self, name):
        """tag_exists."""
        match = re.match(r'^([a-zA-Z_0-9]+)/([0-9]+)$', name)
        if match:
            return self.types.get(match.group(1)) == 'overlay_rule' and int(match.group(2)) <= 4294967294
        if not NAME_RE.match(name or ''):
            return False
        kind = self.types.get(name)
        return kind is not None and kind != 'overlay_rule'


def tag_names(state):
    """The tags ``nictagadm exists`` accepts (normal, aggr, etherstub; not bare overlay rules).

    For other tools (vmadm checks a NIC's ``nic_tag`` with it).
    """
    tags = Tags(state)
    return set(name for name, kind in tags.types.items() if kind != 'overlay_rule')


def vms_using(state, tag):
    """``vmadm list -p -o uuid nics.*.nic_tag=<tag>`` (cmd_tags_used_by), run in-process."""
    import contextlib  # pylint: disable=import-outside-toplevel
    import io  # pylint: disable=import-outside-toplevel
    try:
        from smartos_sim.tools import vmadm  # pylint: disable=import-outside-toplevel
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = vmadm.main('vmadm', ['list', '-p', '-o', 'uuid', 'nics.*.nic_tag=%s' % tag], state)
        if rc == 0:
            return [line for line in out.getvalue().splitlines() if line]
    except Exception:  # pylint: disable=broad-exception-caught
        # vmadm is another subsystem; without it, read its store directly (below)
        pass
    uuids = []
    for vm in sorted(images.vm_records(state), key=lambda v: v['uuid']):
        nics = vm.get('nics') or []
        if any(isinstance(n, dict) and n.get('nic_tag') == tag for n in nics):
            uuids.append(vm['uuid'])
    return uuids


def _update_sysinfo(state):
    """update_sysinfo: ``sysinfo -u`` (in-process)."""
    try:
        from smartos_sim.tools import sysinfo  # pylint: disable=import-outside-toplevel
        sysinfo.regenerate(state)
    except (ImportError, OSError):
        sys.stderr.write('failed to update sysinfo\n')


# ---------------------------------------------------------------------------------------------
# commands


def _parse_props(text, props):
    for prop in text.split(','):
        key, dummy, value = prop.partition('=')
        if not key or not value:
            fatal('invalid property: %s' % prop)
        props[key] = value


def _check_mac(state, mac):
    """The mac/aggr checks shared by add and update; returns the value to store."""
    if valid_stub_name(mac):
        if not ('%s_aggr' % mac) in conf_values(state):
            fatal("aggregation '%s' does not exist" % mac)
        return mac
    if not MAC_RE.match(mac):
        fatal("MAC address '%s' is invalid" % mac)
    mac = normalize_mac(mac)
    if mac not in [normalize_mac(p['mac']) for p in dladm.load(state)['phys']]:
        fatal("No physical nic found with MAC address '%s'" % mac)
    return mac


def _valid_mtu(mtu):
    if not re.match(r'^[0-9]+$', mtu):
        fatal('invalid mtu: %s' % mtu)
    if not 1500 <= int(mtu) <= 9000:
        fatal('mtu must be between 1500-9000')


def cmd_add(state, flags, props, args):
    name = args[0] if args else ''
    second = args[1] if len(args) > 1 else ''
    local = flags.get('local')
    if not name:
        usage()
    if second and props.get('mac'):
        fatal('mac address specified twice')
    mac = props.get('mac') or second
    if not mac and not local:
        fatal('create non-local tag, but no mac address specified')
    if mac and local:
        fatal('create local tag, but mac address specified')
    mtu = props.get('mtu')
    if mtu and local:
        fatal('Cannot specify MTU for local nic tag')
    if mtu:
        _valid_mtu(mtu)
    if Tags(state, local=local).exists(name):
        fatal("nic tag '%s' already exists" % name)
    if mac:
        mac = _check_mac(state, mac)
        if not valid_name(name):
            # The script's bug: `valid_name "$name" || "nic tag name is invalid"` runs the message
            # as a command, bash complains, and the add goes on (reference §2.3).
            sys.stderr.write('%s: line 735: nic tag name is invalid: command not found\n' % ARGV0)
    elif not valid_stub_name(name):
        fatal('nic tag name is invalid')
    lines = read_conf(state)
    if local:
        stub_lines = [line for line in lines if line.startswith('etherstub=')]
        stub_line = stub_lines[-1] if stub_lines else ''
        lines = [line for line in lines if not line.startswith('etherstub=')]
        if re.match(r'^etherstub=\s*$', stub_line):
            stub_line = ''
        lines.append(stub_line + ',' + name if stub_line else 'etherstub=' + name)
        write_conf(state, lines)
        err = dladm.create_etherstub(state, name, temporary=True)
        if err:
            sys.stderr.write('dladm: %s\n' % err)
            fatal("Could not create etherstub '%s'" % name)
    else:
        lines.append('%s_nic=%s' % (name, mac))
        if mtu:
            lines.append('%s_mtu=%s' % (name, mtu))
        write_conf(state, lines)
    _update_sysinfo(state)
    if mtu:
        sys.stderr.write('MTU changes will not take effect until next reboot\n')
    return 0


def cmd_update(state, flags, props, args):
    name = args[0] if args else ''
    second = args[1] if len(args) > 1 else ''
    if not name:
        usage()
    if flags.get('local'):
        fatal('cannot update a local tag')
    if second and props.get('mac'):
        fatal('mac address specified twice')
    mac = props.get('mac') or second
    mtu = props.get('mtu')
    if mtu:
        _valid_mtu(mtu)
    if not mac and not mtu:
        fatal('nothing to update')
    if not Tags(state).exists(name):
        fatal("nic tag '%s' does not exist" % name)
    if mac:
        mac = _check_mac(state, mac)
    lines = read_conf(state)
    for key, value in (('nic', mac), ('mtu', mtu)):
        if value:
            lines = [line for line in lines if not line.startswith('%s_%s=' % (name, key))]
            lines.append('%s_%s=%s' % (name, key, value))
    write_conf(state, lines)
    _update_sysinfo(state)
    if mtu:
        sys.stderr.write('MTU changes will not take effect until next reboot\n')
    return 0


def cmd_delete(state, flags, args):
    name = args[0] if args else ''
    if not name:
        usage()
    tags = Tags(state)
    if not tags.exists(name):
        fatal("nic tag '%s' does not exist" % name)
    if not flags.get('force') and vms_using(state, name):
        fatal("nic tag '%s' is in use" % name)
    lines = read_conf(state)
    if tags.types.get(name) == 'etherstub':
        stub_lines = [line for line in lines if line.startswith('etherstub=')]
        stub_line = stub_lines[-1] if stub_lines else ''
        lines = [line for line in lines if not line.startswith('etherstub=')]
        if re.match(r'^etherstub=\s*$', stub_line):
            stub_line = ''
        if stub_line:
            # sed -e "s/$1,*//" | sed -e s/,$//  (first match, a quirk kept as is)
            stub_line = re.sub(re.escape(name) + ',*', '', stub_line, count=1)
            lines.append(re.sub(',$', '', stub_line))
    else:
        lines = [line for line in lines
                 if not line.startswith(name + '_nic=') and not line.startswith(name + '_mtu=')]
    write_conf(state, lines)
    if name in tags.stubs_up:
        err = dladm.delete_etherstub(state, name)
        if err:
            sys.stderr.write('dladm: %s\n' % err)
            fatal("could not remove etherstub '%s'" % name)
    _update_sysinfo(state)
    return 0


def cmd_exists(state, flags, args):
    if not args:
        fatal('tag_exists: no tag specified')
    tags = Tags(state)
    rc = 0
    for arg in args:
        if not tags.exists(arg):
            sys.stderr.write(('%s\n' if flags.get('names') else 'invalid tag: %s\n') % arg)
            rc = 1
    return rc


def cmd_list(state, flags):
    parsable, delim = flags.get('parsable'), flags.get('delim', ':')
    out = []
    if not parsable:
        out.append(LIST_LINE % ('NAME', 'MACADDRESS', 'LINK', 'TYPE'))
    for tag, mac, link, kind in Tags(state, local=flags.get('local'), no_stubs=flags.get('no_stubs')).rows:
        if parsable:
            if delim == ':':
                mac = mac.replace(':', '\\:')
            out.append('%s%s%s%s%s%s%s\n' % (tag, delim, mac, delim, link, delim, kind))
        else:
            out.append(LIST_LINE % (tag, mac, link, kind))
    sys.stdout.write(''.join(out))
    return 0


# ---------------------------------------------------------------------------------------------
# bash getopts


# Not shared with the C tools' getopt: nictagadm is a shell script, bash getopts reports and goes on.
def _getopts(argv, optstring):
    """Bash getopts without a leading ':': yields (opt, optarg) and the remaining operands.

    An unknown option or a missing argument prints bash's own diagnostic and yields ('?', None).
    """
    opts = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == '--':
            i += 1
            break
        if not arg.startswith('-') or arg == '-':
            break
        i += 1
        j = 1
        while j < len(arg):
            flag = arg[j]
            j += 1
            pos = optstring.find(flag)
            if pos < 0 or flag == ':':
                sys.stderr.write('%s: illegal option -- %s\n' % (ARGV0, flag))
                opts.append(('?', None))
                continue
            if pos + 1 < len(optstring) and optstring[pos + 1] == ':':
                value = arg[j:]
                if not value:
                    if i >= len(argv):
                        sys.stderr.write('%s: option requires an argument -- %s\n' % (ARGV0, flag))
                        opts.append(('?', None))
                        break
                    value = argv[i]
                    i += 1
                opts.append((flag, value))
                break
            opts.append((flag, None))
    return opts, argv[i:]


SUB_OPTSTRINGS = {'add': 'lp:', 'update': 'lp:', 'delete': 'f', 'list': 'lLpd:', 'exists': 'l'}


def _run(state, argv):
    opts, rest = _getopts(argv, 'vh?')
    for opt, dummy in opts:
        if opt == 'h':
            usage(0)
        elif opt != 'v':
            usage(2)
    cmd = rest[0] if rest else ''
    args = rest[1:]
    flags, props = {}, {}
    if cmd in SUB_OPTSTRINGS:
        sub_opts, args = _getopts(args, SUB_OPTSTRINGS[cmd])
        for opt, value in sub_opts:
            if opt == '?':
                usage(2, 'invalid option: ')
            if cmd in ('add', 'update'):
                if opt == 'l':
                    flags['local'] = True
                else:
                    _parse_props(value, props)
            elif cmd == 'delete':
                flags['force'] = True
            elif cmd == 'exists':
                flags['names'] = True
            else:
                key = {'d': 'delim', 'l': 'local', 'L': 'no_stubs', 'p': 'parsable'}[opt]
                flags[key] = value if opt == 'd' else True
                if opt == 'd':
                    flags['delim_flag'] = True
    if flags.get('local') and flags.get('no_stubs'):
        fatal('Cannot specify both local and non-local options')
    if flags.get('delim_flag') and not flags.get('parsable'):
        fatal('Delimiter option requires parsable option to be set')
    if not cmd:
        usage(2, 'no subcommand given')
    if cmd == 'add':
        return cmd_add(state, flags, props, args)
    if cmd == 'delete':
        return cmd_delete(state, flags, args)
    if cmd == 'exists':
        return cmd_exists(state, flags, args)
    if cmd == 'help':
        usage(0)
    if cmd == 'list':
        return cmd_list(state, flags)
    if cmd == 'update':
        return cmd_update(state, flags, props, args)
    if cmd == 'vms':
        if not args or not args[0]:
            usage()
        sys.stdout.write(''.join(u + '\n' for u in vms_using(state, args[0])))
        return 0
    fatal('unknown command %s' % cmd)
    return 1


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``nictagadm [-v] <subcommand> ...``"""
    try:
        with state.lock():
            return _run(state, list(argv))
    except Exit as exc:
        return exc.rc


def init_state(state, rng):
    """``/usbkey/config`` with nic tags ``admin`` (e1000g0) and ``external`` (e1000g1)."""
    dladm.init_state(state, rng)  # idempotent: the NICs the tags point at
    phys = dladm.load(state)['phys']
    admin, external = phys[0], phys[1]
    # The installer's config (smartos-live overlay generic usr/lib/sdc ... prompt-config), abridged.
    lines = [
        '#',
        '# This file was auto-generated and must be source-able by bash.',
        '#',
        '',
        'admin_nic=%s' % normalize_mac(admin['mac']),
        'admin_ip=%s' % admin['ip4addr'],
        'admin_netmask=255.255.255.0',
        'admin_network=%s.0' % admin['ip4addr'].rsplit('.', 1)[0],
        'admin_gateway=%s.1' % admin['ip4addr'].rsplit('.', 1)[0],
        'external_nic=%s' % normalize_mac(external['mac']),
        'headnode_default_gateway=%s.1' % admin['ip4addr'].rsplit('.', 1)[0],
        'dns_resolver1=8.8.8.8',
        'dns_resolver2=8.8.4.4',
        'dns_domain=local',
        'ntp_hosts=pool.ntp.org',
        'compute_node_ntp_hosts=%s' % admin['ip4addr'],
    ]
    if not read_conf(state):
        write_conf(state, lines)
