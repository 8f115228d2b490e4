"""Simulated ``dladm`` (illumos data-link administration), the parts SmartOS's tools use.

Behaviour follows /work/shared/reference/smartos_gz_tools.md §4, read from illumos-joyent
usr/src/cmd/dladm/dladm.c, usr/src/lib/libofmt/common/ofmt.c and libdladm.

State: the ``dladm`` document::

    {"phys": [{"link", "device", "media", "state", "speed", "duplex", "mac", "mtu", "ip4addr"}],
     "etherstubs": [{"link", "temporary"}],
     "vnics": [{"link", "over", "mac", "macaddrtype", "vid", "zone", "mtu", "temporary"}]}

MACs are stored normalised (``00:0c:29:aa:bb:cc``) and printed the dladm way (``0:c:29:aa:bb:cc``).
Other tools (``nictagadm``, ``sysinfo``) use :func:`load` and the helpers below in-process.
"""
import re
import sys

PROG = 'dladm'
MAXLINKNAMELEN = 32

# ---------------------------------------------------------------------------------------------
# state


def load(state):
    """The dladm document, with every key present."""
    doc = state.load('dladm', {})
    doc.setdefault('phys', [])
    doc.setdefault('etherstubs', [])
    doc.setdefault('vnics', [])
    return doc


def save(state, doc):
    state.save('dladm', doc)


def dladm_mac(mac):
    """libsocket _link_ntoa: lowercase hex, no zero padding; all-zero prints ``unknown``."""
    parts = [int(p, 16) for p in mac.split(':')]
    if not any(parts):
        return 'unknown'
    return ':'.join('%x' % p for p in parts)


def normalize_mac(mac):
    """nictagadm normalize_mac: lowercase, two digits a byte."""
    return ':'.join('%02x' % int(p, 16) for p in mac.split(':'))


def valid_linkname(name):
    """libdladm dladm_valid_linkname (reference §4.1)."""
    if not name or len(name) >= MAXLINKNAMELEN or name[0].isdigit():
        return False
    if not re.match(r'^[A-Za-z0-9_.]+$', name):
        return False
    match = re.search(r'([0-9]+)$', name)
    if not match:
        return False
    digits = match.group(1)
    return not (len(digits) > 1 and digits[0] == '0')


def init_state(state, rng):
    """Two physical NICs, e1000g0 (admin) and e1000g1 (external), with random VMware-style MACs."""
    doc = load(state)
    if not doc['phys']:
        macs = []
        while len(macs) < 2:
            mac = '00:0c:29:%02x:%02x:%02x' % (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            if mac not in macs:
                macs.append(mac)
        # UNCONFIRMED: chose e1000g NICs (what SmartOS shows under VMware/bhyve/QEMU e1000 emulation).
        doc['phys'] = [
            {'link': 'e1000g0', 'device': 'e1000g0', 'media': 'Ethernet', 'state': 'up', 'speed': 1000,
             'duplex': 'full', 'mac': macs[0], 'mtu': 1500, 'ip4addr': '10.88.88.%d' % rng.randrange(10, 250)},
            {'link': 'e1000g1', 'device': 'e1000g1', 'media': 'Ethernet', 'state': 'up', 'speed': 1000,
             'duplex': 'full', 'mac': macs[1], 'mtu': 1500, 'ip4addr': ''},
        ]
    save(state, doc)


def on_boot(state):
    """Temporary (``-t``) links do not survive a reboot; the boot brings up the config's etherstubs.

    UNCONFIRMED: chose that boot brings the config's ``etherstub=`` list up again as temporary
    etherstubs: nictagadm writes them to the config (reference §2.2) so that they outlive the
    ``-t`` it creates them with; the boot method that does it was not read.
    """
    with state.lock():
        doc = load(state)
        doc['etherstubs'] = [s for s in doc['etherstubs'] if not s.get('temporary')]
        doc['vnics'] = [v for v in doc['vnics'] if not v.get('temporary')]
        try:
            from smartos_sim.tools import nictagadm  # pylint: disable=import-outside-toplevel
            stubs = nictagadm.conf_etherstubs(state)
        except ImportError:
            stubs = []
        for stub in stubs:
            if valid_linkname(stub) and find_link(doc, stub)[0] is None:
                doc['etherstubs'].append({'link': stub, 'temporary': True})
        save(state, doc)


def find_link(doc, name):
    """(class, record) of the link ``name`` or (None, None)."""
    for phys in doc['phys']:
        if phys['link'] == name:
            return 'phys', phys
    for stub in doc['etherstubs']:
        if stub['link'] == name:
            return 'etherstub', stub
    for vnic in doc['vnics']:
        if vnic['link'] == name:
            return 'vnic', vnic
    return None, None


def create_etherstub(state, name, temporary=True):
    """Returns None or the error message (without ``dladm: ``)."""
    with state.lock():
        doc = load(state)
        if not valid_linkname(name):
            return "invalid link name '%s'" % name
        if find_link(doc, name)[0]:
            # UNCONFIRMED (derived): EEXIST -> DLADM_STATUS_EXIST (reference §4.7)
            return 'etherstub creation failed: object already exists'
        doc['etherstubs'].append({'link': name, 'temporary': bool(temporary)})
        save(state, doc)
    return None


def delete_etherstub(state, name):
    """Returns None or the error message (without ``dladm: ``)."""
    with state.lock():
        doc = load(state)
        kind = find_link(doc, name)[0]
        if kind is None:
            return "invalid link name '%s'" % name
        if kind != 'etherstub':
            return "'%s' is not an etherstub" % name
        doc['etherstubs'] = [s for s in doc['etherstubs'] if s['link'] != name]
        save(state, doc)
    return None


# ---------------------------------------------------------------------------------------------
# libofmt


class OfmtError(Exception):
    """A fatal output-format error (message without ``dladm: ``)."""


class Ofmt:
    """libofmt: field selection, human and parsable printing (reference §4.2)."""

    def __init__(self, fields_str, template, parsable, default=None):
        # template: list of (NAME, width); default: the field string used when -o is absent
        if parsable:
            if not fields_str:
                raise OfmtError('output fields must be specified in parsable mode')
            if fields_str.lower() == 'all':
                raise OfmtError("output field `all' invalid in parsable mode")
        wanted = fields_str if fields_str and fields_str.lower() != 'all' else None
        if wanted is None:
            names = [n for n, dummy in template] if (fields_str or default is None) else default.split(',')
        else:
            names = [n for n in wanted.split(',') if n]
        by_name = dict((n.lower(), (n, w)) for n, w in template)
        self.fields, bad = [], []
        for name in names:
            if name.lower() in by_name:
                self.fields.append(by_name[name.lower()])
            else:
                bad.append(name)
        self.parsable = parsable
        self.nrow = 0
        if bad:
            if parsable:
                word = 'fields' if len(bad) > 1 else 'field'
                raise OfmtError('unknown output %s:%s' % (word, ''.join(" `%s'" % b for b in bad)))
            if not self.fields:
                raise OfmtError('no valid output fields')
            word = 'fields' if len(bad) > 1 else 'field'
            sys.stderr.write("%s: warning: ignoring unknown output %s:%s\n" % (PROG, word, ''.join(" `%s'" % b for b in bad)))

    def _line(self, values):
        out = []
        if self.parsable:
            if len(values) == 1:
                return values[0] + '\n'
            return ':'.join(v.replace('\\', '\\\\').replace(':', '\\:') for v in values) + '\n'
        overflow = 0
        for idx, ((dummy, width), value) in enumerate(zip(self.fields, values)):
            if idx == len(values) - 1:
                out.append(value)
                break
            if len(value) + overflow >= width:
                overflow += len(value) - width + 1
                out.append(value + ' ')
                continue
            if overflow > 0:
                compress = min(overflow, width - len(value))
                overflow -= compress
                width -= compress
            out.append(value.ljust(width))
        return ''.join(out) + '\n'

    def print_row(self, row):
        """``row`` maps lower-case field name -> value string."""
        if not self.parsable and self.nrow % 24 == 0:
            sys.stdout.write(self._line([name for name, dummy in self.fields]))
            self.nrow += 1
        self.nrow += 1
        values = []
        for name, dummy in self.fields:
            value = row.get(name.lower(), '')
            if value == '' and not self.parsable:
                value = '--'
            values.append(value)
        sys.stdout.write(self._line(values))


# ---------------------------------------------------------------------------------------------
# option parsing (getopt_long-like)

class Usage(Exception):
    """die_opterr: ``dladm: <msg>\\nusage: <usage>``."""


# Not shared with zgetopt: dladm uses getopt_long (long options, operands permuted, its own messages).
def _getopt(argv, optstring, longopts=None):
    longopts = longopts or {}
    opts, args = [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == '--':
            args.extend(argv[i:])
            break
        if arg.startswith('--'):
            name, eq, value = arg[2:].partition('=')
            if name not in longopts:
                raise Usage("unrecognized option '-%s'" % '-')
            short, takes = longopts[name]
            if takes and not eq:
                if i >= len(argv):
                    raise Usage("option '-%s' requires a value" % short)
                value = argv[i]
                i += 1
            opts.append((short, value if takes else None))
        elif arg.startswith('-') and len(arg) > 1:
            j = 1
            while j < len(arg):
                flag = arg[j]
                j += 1
                pos = optstring.find(flag)
                if pos < 0 or flag == ':':
                    raise Usage("unrecognized option '-%s'" % flag)
                if pos + 1 < len(optstring) and optstring[pos + 1] == ':':
                    value = arg[j:]
                    if not value:
                        if i >= len(argv):
                            raise Usage("option '-%s' requires a value" % flag)
                        value = argv[i]
                        i += 1
                    opts.append((flag, value))
                    break
                opts.append((flag, None))
        else:
            # illumos getopt stops at the first operand
            args.append(arg)
            args.extend(argv[i:])
            break
    return opts, args


SHOW_LONG = {'statistics': ('s', False), 'continuous': ('S', False), 'interval': ('i', True),
             'parsable': ('p', False), 'parseable': ('p', False), 'extended': ('x', False),
             'output': ('o', True), 'persistent': ('P', False), 'lacp': ('L', False)}
STUB_LONG = {'temporary': ('t', False), 'root-dir': ('R', True)}

USAGES = {
    'show-link': '    show-link        [-pP] [-o <field>,..] [-s [-i <interval>]] [<link>]\n',
    'show-aggr': '    show-aggr        [-pPLx] [-o <field>,..] [-s [-i <interval>]] [<link>]\n',
    'show-phys': '    show-phys        [-m | -H | -P] [[-p] [-o <field>[,...]] [<link>]\n',
    'create-vnic': '    create-vnic      [-t] -l <link> [-m <value> | auto |\n'
                   '\t\t     {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n'
                   '\t\t     {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n'
                   '\t\t     [-p <prop>=<value>[,...]] <vnic-link>',
    'delete-vnic': '    delete-vnic      [-t] <vnic-link>',
    'show-vnic': '    show-vnic        [-pP] [-l <link>] [-s [-i <interval>]] [<link>]\n',
    'create-etherstub': '    create-etherstub [-t] <link>',
    'delete-etherstub': '    delete-etherstub [-t] <link>',
    'show-etherstub': '    show-etherstub   [-t] [<link>]\n',
}


def _die(msg):
    sys.stderr.write('%s: %s\n' % (PROG, msg))
    return 1


# ---------------------------------------------------------------------------------------------
# subcommands

PHYS_FIELDS = [('LINK', 13), ('MEDIA', 21), ('STATE', 11), ('SPEED', 7), ('DUPLEX', 10), ('DEVICE', 13), ('FLAGS', 7)]
PHYS_M_FIELDS = [('LINK', 13), ('SLOT', 9), ('ADDRESS', 19), ('INUSE', 5), ('CLIENT', 13)]
LINK_FIELDS = [('LINK', 12), ('CLASS', 10), ('MTU', 7), ('STATE', 9), ('BRIDGE', 11), ('OVER', 30)]
VNIC_FIELDS = [('LINK', 13), ('OVER', 11), ('SPEED', 6), ('MACADDRESS', 18), ('MACADDRTYPE', 12), ('VID', 5), ('ZONE', 20)]
AGGR_X_FIELDS = [('LINK', 12), ('PORT', 15), ('SPEED', 5), ('DUPLEX', 10), ('STATE', 10), ('ADDRESS', 19), ('PORTSTATE', 16)]


def _flags(opts):
    seen = {}
    for flag, value in opts:
        seen[flag] = value if value is not None else True
    return seen


def do_show_phys(state, argv):
    opts, args = _getopt(argv, 'pPo:Hm', SHOW_LONG)
    flags = _flags(opts)
    parsable, mac_mode = 'p' in flags, 'm' in flags
    if mac_mode and 'H' in flags:
        return _die('-m cannot combine with -H')
    if mac_mode and 'P' in flags:
        return _die('-m not compatible with -P')
    if parsable and 'o' not in flags:
        return _die('-p requires -o')
    doc = load(state)
    links = doc['phys']
    if args:
        links = [p for p in links if p['link'] == args[0]]
        if not links:
            return _die('link %s is not valid: object not found' % args[0])
    if mac_mode:
        out = Ofmt(flags.get('o'), PHYS_M_FIELDS, parsable, 'link,slot,address,inuse,client')
        for phys in links:
            # One MAC slot (the primary) a NIC: slot 0 prints "primary". UNCONFIRMED: chose no
            # factory slots, INUSE yes and CLIENT = the link (the NIC is plumbed in the GZ).
            out.print_row({'link': phys['link'], 'slot': 'primary', 'address': dladm_mac(phys['mac']),
                           'inuse': 'yes', 'client': phys['link']})
        return 0
    default = 'link,device,media,flags' if 'P' in flags else 'link,media,state,speed,duplex,device'
    out = Ofmt(flags.get('o'), PHYS_FIELDS, parsable, default)
    for phys in links:
        out.print_row({'link': phys['link'], 'media': phys['media'], 'state': phys['state'],
                       'speed': str(phys['speed']), 'duplex': phys['duplex'], 'device': phys['device'],
                       'flags': '-----'})
    return 0


def _link_rows(doc):
    rows = []
    for phys in doc['phys']:
        rows.append({'link': phys['link'], 'class': 'phys', 'mtu': str(phys.get('mtu', 1500)),
                     'state': phys['state'], 'bridge': '', 'over': ''})
    for stub in doc['etherstubs']:
        # UNCONFIRMED: chose MTU 9000 and state unknown for etherstubs (no observed output in the reference)
        rows.append({'link': stub['link'], 'class': 'etherstub', 'mtu': '9000', 'state': 'unknown',
                     'bridge': '', 'over': ''})
    for vnic in doc['vnics']:
        rows.append({'link': vnic['link'], 'class': 'vnic', 'mtu': str(vnic.get('mtu', 1500)),
                     'state': 'up', 'bridge': '', 'over': vnic['over']})
    return rows


def do_show_link(state, argv):
    opts, args = _getopt(argv, 'pPo:si:', SHOW_LONG)
    flags = _flags(opts)
    parsable = 'p' in flags
    if parsable and 'o' not in flags:
        return _die('-p requires -o')
    rows = _link_rows(load(state))
    if args:
        rows = [r for r in rows if r['link'] == args[0]]
        if not rows:
            return _die('link %s is not valid: object not found' % args[0])
    default = 'link,class,bridge,over' if 'P' in flags else 'link,class,mtu,state,bridge,over'
    out = Ofmt(flags.get('o'), LINK_FIELDS, parsable, default)
    for row in rows:
        out.print_row(row)
    return 0


def _show_vnic(state, argv, etherstub):
    opts, args = _getopt(argv, 'pPl:si:o:z:', SHOW_LONG)
    flags = _flags(opts)
    parsable = 'p' in flags
    doc = load(state)
    if etherstub:
        if 'l' in flags:
            return _die('option not supported for this command')
        try:
            out = Ofmt(flags.get('o') or 'link', [('LINK', 13)], parsable, 'link')
        except OfmtError as exc:
            return _die(str(exc))
        stubs = doc['etherstubs']
        if args:
            stubs = [s for s in stubs if s['link'] == args[0]]
            if not stubs:
                return _die("invalid vnic name '%s': object not found" % args[0])
        for stub in stubs:
            out.print_row({'link': stub['link']})
        return 0
    try:
        out = Ofmt(flags.get('o'), VNIC_FIELDS, parsable, None)
    except OfmtError as exc:
        return _die(str(exc))
    vnics = doc['vnics']
    if 'l' in flags:
        if find_link(doc, flags['l'])[0] is None:
            return _die("invalid link name '%s': object not found" % flags['l'])
        vnics = [v for v in vnics if v['over'] == flags['l']]
    if 'z' in flags:
        vnics = [v for v in vnics if (v.get('zone') or '') == flags['z']]
    if args:
        vnics = [v for v in vnics if v['link'] == args[0]]
        if not vnics:
            return _die("invalid vnic name '%s': object not found" % args[0])
    speeds = dict((p['link'], str(p['speed'])) for p in doc['phys'])
    for vnic in vnics:
        out.print_row({'link': vnic['link'], 'over': vnic['over'], 'speed': speeds.get(vnic['over'], '0'),
                       'macaddress': dladm_mac(vnic['mac']), 'macaddrtype': vnic.get('macaddrtype', 'fixed'),
                       'vid': str(vnic.get('vid', 0)), 'zone': vnic.get('zone') or '--'})
    return 0


def do_show_vnic(state, argv):
    return _show_vnic(state, argv, False)


def do_show_etherstub(state, argv):
    return _show_vnic(state, argv, True)


def do_show_aggr(state, argv):
    opts = _getopt(argv, 'sxLpPo:i:', SHOW_LONG)[0]
    flags = _flags(opts)
    # No aggregations are simulated: only the output-field checks remain.
    if 'x' in flags:
        Ofmt(flags.get('o'), AGGR_X_FIELDS, 'p' in flags, 'link,port,speed,duplex,state,address,portstate')
    return 0


def _one_link(args, subcmd):
    if len(args) != 1:
        raise Usage(None)
    return args[0]


def do_create_etherstub(state, argv):
    args = _getopt(argv, 'tR:', STUB_LONG)[1]
    name = _one_link(args, 'create-etherstub')
    err = create_etherstub(state, name, temporary=True)
    # UNCONFIRMED: without -t the stub is also persistent; the simulator keeps the flag only
    # to drop temporary ones at boot.
    if err:
        return _die(err)
    if '-t' not in argv and '--temporary' not in argv:
        with state.lock():
            doc = load(state)
            for stub in doc['etherstubs']:
                if stub['link'] == name:
                    stub['temporary'] = False
            save(state, doc)
    return 0


def do_delete_etherstub(state, argv):
    args = _getopt(argv, 'tR:', STUB_LONG)[1]
    name = _one_link(args, 'delete-etherstub')
    err = delete_etherstub(state, name)
    return _die(err) if err else 0


def do_create_vnic(state, argv):
    longs = {'temporary': ('t', False), 'link': ('l', True), 'mac-address': ('m', True), 'vlan-id': ('v', True),
             'forcible': ('f', False), 'slot': ('n', True), 'mac-prefix': ('r', True), 'root-dir': ('R', True)}
    opts, args = _getopt(argv, 'tfR:l:m:n:p:r:v:V:A:H', longs)
    flags = _flags(opts)
    if 'l' not in flags or len(args) != 1:
        raise Usage(None)
    name = args[0]
    vid = flags.get('v')
    if 'f' in flags and vid is None:
        return _die('-f option can only be used with -v')
    if vid is not None:
        if not re.match(r'^[0-9]+$', vid) or not 1 <= int(vid) <= 4094:
            return _die("invalid VLAN identifier '%s'" % vid)
    mac = flags.get('m')
    with state.lock():
        doc = load(state)
        if not valid_linkname(name):
            return _die("invalid link name '%s'" % name)
        kind = find_link(doc, flags['l'])[0]
        if kind not in ('phys', 'etherstub'):
            return _die("invalid link name '%s'" % flags['l'])
        if find_link(doc, name)[0]:
            return _die('vnic creation over %s failed: object already exists' % flags['l'])
        if mac in (None, 'auto', 'random'):
            # UNCONFIRMED: chose a stable per-name MAC with the 2:8:20 prefix (reference §4.5 example)
            import random  # pylint: disable=import-outside-toplevel
            rnd = random.Random(name)
            mac, addrtype = '02:08:20:%02x:%02x:%02x' % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)), 'random'
        elif mac == 'fixed':
            return _die("'fixed' is not a valid MAC address")
        elif re.match(r'^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$', mac):
            mac, addrtype = normalize_mac(mac), 'fixed'
        else:
            return _die('invalid MAC address')
        doc['vnics'].append({'link': name, 'over': flags['l'], 'mac': mac, 'macaddrtype': addrtype,
                             'vid': int(vid or 0), 'zone': '', 'mtu': 1500, 'temporary': 't' in flags})
        save(state, doc)
    return 0


def do_delete_vnic(state, argv):
    opts, args = _getopt(argv, 'tR:z:', {'temporary': ('t', False), 'root-dir': ('R', True)})
    _flags(opts)
    if len(args) != 1:
        raise Usage(None)
    name = args[0]
    with state.lock():
        doc = load(state)
        kind = find_link(doc, name)[0]
        if kind is None:
            return _die("invalid link name '%s'" % name)
        if kind != 'vnic':
            return _die("'%s' is not a vnic" % name)
        doc['vnics'] = [v for v in doc['vnics'] if v['link'] != name]
        save(state, doc)
    return 0


SUBCOMMANDS = {
    'show-link': do_show_link, 'show-phys': do_show_phys, 'show-vnic': do_show_vnic,
    'show-etherstub': do_show_etherstub, 'show-aggr': do_show_aggr,
    'create-etherstub': do_create_etherstub, 'delete-etherstub': do_delete_etherstub,
    'create-vnic': do_create_vnic, 'delete-vnic': do_delete_vnic,
}


def _usage_all():
    sys.stderr.write('usage:  dladm <subcommand> <args> ...\n')
    for name in ('show-link', 'show-aggr', 'show-phys', 'create-vnic', 'delete-vnic', 'show-vnic',
                 'create-etherstub', 'delete-etherstub', 'show-etherstub'):
        sys.stderr.write(USAGES[name] + '\n')


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``dladm <subcommand> <args>``; no subcommand is ``show-link``."""
    if not argv:
        argv = ['show-link']
    subcmd, rest = argv[0], argv[1:]
    func = SUBCOMMANDS.get(subcmd)
    if func is None:
        sys.stderr.write("%s: unknown subcommand '%s'\n" % (PROG, subcmd))
        _usage_all()
        return 1
    try:
        return func(state, rest)
    except OfmtError as exc:
        return _die(str(exc))
    except Usage as exc:
        usage = USAGES.get(subcmd, '').rstrip('\n')
        if exc.args and exc.args[0]:
            return _die('%s\nusage: %s' % (exc.args[0], usage))
        # usage(): the subcommand's usage line (dladm.c usage())
        sys.stderr.write('usage: %s\n' % usage.strip())
        return 1
