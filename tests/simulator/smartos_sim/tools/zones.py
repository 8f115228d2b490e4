"""The simulated ``zoneadm`` (``list``), ``zlogin`` and ``zonename`` (reference smartos_smf_zones.md §9-11).

Zones are the VMs of the ``vms`` document (read only here; ``vmadm`` owns it), so ``zoneadm
list`` and ``vmadm list`` always agree. A command run with ``zlogin`` is a real process: its cwd
is the zone root (``/zones/<uuid>/root`` in the GZ), and ``SMARTOS_SIM_ZONENAME`` tells
``zonename`` (and any simulated tool) that it runs inside that zone.
"""
import getopt
import os
import subprocess
import sys

ZONENAME_ENV = 'SMARTOS_SIM_ZONENAME'

# ij:lib/libzonecfg/common/zonecfg_impl.h zone states, in order
ZONE_STATES = ('configured', 'incomplete', 'installed', 'ready', 'running', 'shutting_down', 'down', 'mounted')

ZONEADM_USAGE = 'usage:\tzoneadm [-z <zone>] [-u <uuid-match>] list [-cinpv]\n'
ZLOGIN_USAGE = 'usage: zlogin [-dinCEINQS] [-e cmdchar] [-l user] zonename [command [args ...] ]\n'


def _zones(state):
    """(zonename, vm) in zone index order (vmadm's VM order; UNCONFIRMED: creation order)."""
    from smartos_sim.tools import vmadm  # pylint: disable=import-outside-toplevel
    with state.lock():
        vms = vmadm.load_vms(state)
    return [(vm.get('zonename') or vm['uuid'], vm) for vm in vmadm.ordered(vms)]


def main(tool, argv, state):
    """Entry point for ``zoneadm``, ``zlogin`` and ``zonename``."""
    if tool == 'zonename':
        return zonename(argv)
    if tool == 'zlogin':
        return zlogin(argv, state)
    return zoneadm(argv, state)


# ------------------------------------------------------------------------------------------
# zonename (ij:cmd/zonename/zonename.c; reference §11)


def zonename(argv):
    try:
        opts, _unused = getopt.getopt(argv, 't')
    except getopt.GetoptError:
        # UNCONFIRMED: usage text of zonename.c is not in the reference; chose its synopsis.
        sys.stderr.write('usage: zonename [-t]\n')
        return 2
    name = os.environ.get(ZONENAME_ENV) or 'global'
    if opts:
        # a SmartOS zone has an exclusive IP stack; the GZ is "shared" (reference §11)
        sys.stdout.write(('shared' if name == 'global' else 'exclusive') + '\n')
    else:
        sys.stdout.write(name + '\n')
    return 0


# ------------------------------------------------------------------------------------------
# zoneadm list (ij:cmd/zoneadm/zoneadm.c; reference §9)


def _gz_row():
    # UNCONFIRMED (reference §9): chose an empty debug id for the GZ, as in the SmartOS example
    # quoted by smartos-live src/img/lib/imgadm.js.
    return {'id': '0', 'name': 'global', 'state': 'running', 'path': '/', 'uuid': '', 'brand': 'liveimg',
            'iptype': 'shared', 'debugid': ''}


def _vm_row(name, vm):
    running = vm.get('zone_state') == 'running'
    return {'id': str(vm.get('zoneid', 0)) if running else '-', 'name': name,
            'state': vm.get('zone_state') or 'installed', 'path': vm.get('zonepath') or '/zones/' + vm['uuid'],
            'uuid': vm['uuid'], 'brand': vm.get('brand', ''), 'iptype': 'excl',
            'debugid': str(vm['zonedid']) if vm.get('zonedid') is not None else ''}


def zoneadm(argv, state):
    try:
        opts, rest = getopt.getopt(argv, 'z:u:R:')
    except getopt.GetoptError:
        sys.stderr.write(ZONEADM_USAGE)
        return 2
    zone = dict(opts).get('-z')
    if not rest:
        sys.stderr.write(ZONEADM_USAGE)
        return 2
    if rest[0] != 'list':
        # UNCONFIRMED: only `list` is simulated; vmadm is how zones change state here.
        sys.stderr.write('zoneadm: %s is not simulated\n' % rest[0])
        return 1
    try:
        lopts, extra = getopt.getopt(rest[1:], 'cinpv')
    except getopt.GetoptError:
        sys.stderr.write(ZONEADM_USAGE)
        return 2
    if extra:
        sys.stderr.write(ZONEADM_USAGE)
        return 2
    flags = set(o[1] for o, _unused in lopts)
    if 'p' in flags and 'v' in flags:
        sys.stderr.write('zoneadm: list -p and -v are mutually exclusive.\n')
        return 1
    if zone and flags & set('cin'):
        sys.stderr.write(ZONEADM_USAGE)
        return 2
    rows = []
    zones = _zones(state)
    inside = os.environ.get(ZONENAME_ENV)
    if inside:
        # in a non-global zone only that zone is visible (zoneadm.c fetch_zents: zone_list()
        # returns the caller's own zone)
        zones = [(n, vm) for n, vm in zones if n == inside]
        flags.add('n')
    if zone:
        if zone == 'global' and not inside:
            rows.append(_gz_row())
        else:
            match = [(n, vm) for n, vm in zones if n == zone]
            if not match:
                sys.stderr.write('zoneadm: %s: No such zone configured\n' % zone)
                return 1
            rows.append(_vm_row(*match[0]))
    else:
        if 'n' not in flags:
            rows.append(_gz_row())
        if 'c' in flags:
            floor = 'configured'
        elif 'i' in flags:
            floor = 'installed'
        else:
            floor = 'running'
        for name, vm in zones:
            zstate = vm.get('zone_state') or 'installed'
            ok = zstate == 'running' if floor == 'running' else (
                ZONE_STATES.index(zstate) >= ZONE_STATES.index(floor) if zstate in ZONE_STATES else True)
            if ok:
                rows.append(_vm_row(name, vm))
    out = []
    if 'p' in flags:
        for row in rows:
            out.append(':'.join([row['id'], row['name'], row['state'], row['path'].replace(':', '\\:'),
                                 row['uuid'], row['brand'], row['iptype'], row['debugid']]))
    elif 'v' in flags:
        # zone_print(): "%*s %-16s %-10s %-30s %-8s %-6s\n" with an ID width of 4; not trimmed
        fmt = '%4s %-16s %-10s %-30s %-8s %-6s'
        out.append(fmt % ('ID', 'NAME', 'STATUS', 'PATH', 'BRAND', 'IP'))
        for row in rows:
            out.append(fmt % (row['id'], row['name'], row['state'], row['path'], row['brand'], row['iptype']))
    else:
        out = [row['name'] for row in rows]
    if out:
        sys.stdout.write('\n'.join(out) + '\n')
    return 0


# ------------------------------------------------------------------------------------------
# zlogin (ij:cmd/zlogin/zlogin.c; reference §10)


def _prep_args(args):
    """zlogin.c prep_args(): one argument unquoted; several joined, blanks-bearing ones in '...'."""
    if len(args) == 1:
        return args[0]
    return ' '.join("'%s'" % a if (' ' in a or '\t' in a) else a for a in args)


def zone_path(root, gz_path):
    """PATH of a command run by zlogin: the zone's pkgsrc (``<root>/opt/local/sbin`` and ``bin``)
    ahead of the GZ's PATH.

    A joyent-brand zone's root finds pkgsrc in /opt/local (reference pkgsrc_nova_facts.md §1.2).
    The simulator cannot chroot, so /opt/local inside the zone is <root>/opt/local here; the
    pkgsrc wrappers of the x86_64 kit find their prefix (and so the zone's pkgdb and pkgin
    database) from their own path. UNCONFIRMED: the PATH `su root -c` gives in a zone (the
    image's /etc/default/su); chose the zone's pkgsrc first, then what the GZ had, so the
    simulated platform tools (vmadm, zonename ...) are still found. See FIDELITY.md, zones."""
    head = [os.path.join(root, 'opt/local/sbin'), os.path.join(root, 'opt/local/bin')]
    return ':'.join(head + ([gz_path] if gz_path else []))


def _fail(msg):
    sys.stderr.write('zlogin: %s\n' % msg)
    return 1


def zlogin(argv, state):
    try:
        opts, rest = getopt.getopt(argv, 'diNnECIR:Se:l:Q')
    except getopt.GetoptError as exc:
        # getopt(3C)'s own diagnostic, then the usage (zlogin.c usage())
        what = 'option requires an argument' if 'requires' in exc.msg else 'illegal option'
        sys.stderr.write('zlogin: %s -- %s\n' % (what, exc.opt))
        sys.stderr.write(ZLOGIN_USAGE)
        return 2
    flags = dict(opts)
    if not rest:
        sys.stderr.write(ZLOGIN_USAGE)
        return 2
    zone, command = rest[0], rest[1:]
    if '-S' in flags and '-l' in flags:
        sys.stderr.write(ZLOGIN_USAGE)
        return 2
    if os.environ.get(ZONENAME_ENV):
        return _fail("'zlogin' may only be used from the global zone")
    if zone == 'global':
        return _fail("'zlogin' not applicable to the global zone")
    # read the zone under the lock, then release it: the child may run vmadm & co. itself
    vm = dict(_zones(state)).get(zone)
    if vm is None:
        return _fail("zone '%s' unknown" % zone)
    zstate = vm.get('zone_state') or 'installed'
    if zstate in ('configured', 'incomplete'):
        return _fail("cannot login to a zone which is '%s'" % zstate)
    if zstate != 'running':
        return _fail("login allowed only to running zones (%s is '%s')." % (zone, zstate))
    root = state.host_path((vm.get('zonepath') or '/zones/' + vm['uuid']) + '/root')
    home = os.path.join(root, 'root')
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ)
    env.update({ZONENAME_ENV: zone, 'HOME': home, 'LOGNAME': flags.get('-l', 'root'),
                'USER': flags.get('-l', 'root'), 'PWD': root, 'PATH': zone_path(root, env.get('PATH', ''))})
    if command and '-i' not in flags:
        # non-interactive: `su root -c "<args>"`, i.e. the root shell's -c (reference §10)
        argv_child = ['/bin/sh', '-c', _prep_args(command)]
    else:
        argv_child = ['/bin/sh']
    sys.stdout.flush()
    sys.stderr.flush()
    stdin = subprocess.DEVNULL if '-n' in flags else None
    proc = subprocess.run(argv_child, cwd=root, env=env, stdin=stdin, check=False)
    # WEXITSTATUS of a signalled child is 0 (reference §10, UNCONFIRMED in practice)
    return proc.returncode if proc.returncode >= 0 else 0
