"""Simulated ``sysinfo`` (SmartOS system facts; a bash script on the real system).

Behaviour follows /work/shared/reference/smartos_gz_tools.md §3 and its source,
TritonDataCenter/smartos-live src/sysinfo (output_json, output_parsable, the cache logic).

The hardware of the simulated GZ (smbios, psrinfo, prtconf, disks, boot time) is fixed at
``init`` in the ``sysinfo`` document; the network part is read from ``dladm`` and the nic tags
from ``nictagadm``; the pool from ``zfs`` when the zfs store answers.

Other tools may call :func:`sysinfo_data` (fresh) or :func:`facts` (the cached document, as plain
``sysinfo`` prints it), e.g. ``sysinfo_data(state)['UUID']`` for a VM's ``server_uuid`` or
``['Live Image']`` for ``platform_buildstamp``.
"""
import json
import os
import re
import sys
import time
import uuid as uuidlib

from smartos_sim.tools import dladm

CACHE_JSON = '/tmp/.sysinfo.json'
CACHE_PARSABLE = '/tmp/.sysinfo.parsable'
# UNCONFIRMED: the $0 of the usage line; chose the installed path (smartos-live src/manifest).
ARGV0 = '/usr/bin/sysinfo'

# UNCONFIRMED: the simulated platform's build stamp, smbios strings and CPU; chose values a
# Supermicro dual-socket server running a 2026 platform image would show.
LIVE_IMAGE = '20261112T000321Z'
HARDWARE = {
    'Manufacturer': 'Supermicro',
    'Product': 'SYS-1029P-WTR',
    'Serial Number': 'S292410X9A12345',
    'SKU Number': 'To be filled by O.E.M.',
    'HW Version': '0123456789',
    'HW Family': 'To be filled by O.E.M.',
    'CPU Type': 'Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz',
    'CPU Virtualization': 'vmx',
    'Bhyve Max Vcpus': 32,
    'CPU Socket Count': 2,
    'CPU Core Count': 24,
    'CPU Count': 48,
    'MiB of Memory': '130941',
    'Disks': [['c1t0d0', 960197124096], ['c1t1d0', 960197124096]],
    'Zpool Disks': 'c1t0d0,c1t1d0',
    'Zpool Profile': 'mirror',
    # bootparams order as `bootparams` prints them; keys sysinfo drops are kept out
    'Boot Parameters': [['rabbitmq', 'guest:guest:localhost:5672'], ['rabbitmq_dns', 'guest:guest:localhost:5672'],
                        ['smartos', 'true'], ['console', 'text'], ['boot_args', ''], ['bootargs', '']],
    'Psrinfo': [['smt_enabled', 'true']],
}


def _hw(state):
    doc = state.load('sysinfo', {})
    return doc if doc.get('UUID') else None


def init_state(state, rng):
    """Fix this GZ's server UUID and boot time."""
    doc = dict(HARDWARE)
    doc['UUID'] = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
    doc['Boot Time'] = str(int(time.time()))
    state.save('sysinfo', doc)
    _clear_cache(state)


def on_boot(state):
    """A new boot time; /tmp (the cache) is empty after a reboot."""
    doc = state.load('sysinfo', {})
    doc['Boot Time'] = str(int(time.time()))
    state.save('sysinfo', doc)
    _clear_cache(state)


def _clear_cache(state):
    for path in (CACHE_JSON, CACHE_PARSABLE):
        try:
            os.unlink(state.host_path(path))
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------------------------------------
# gathering


def _conf(state):
    try:
        from smartos_sim.tools import nictagadm  # pylint: disable=import-outside-toplevel
        return nictagadm.conf_values(state)
    except ImportError:
        return {}


def _nic_tags(state):
    """``nictagadm list -d '=' -p -L``: [(name, mac, link)]."""
    try:
        from smartos_sim.tools import nictagadm  # pylint: disable=import-outside-toplevel
    except ImportError:
        return []
    return [(row[0], row[1], row[2]) for row in nictagadm.Tags(state, no_stubs=True).rows]


def _zpool(state):
    """The ``Zpool*`` facts (get_zpool) or None when the pool does not answer."""
    try:
        from smartos_sim import zfsdb  # pylint: disable=import-outside-toplevel
        db = zfsdb.Zfs(state)
        if not db.exists('zones'):
            return None
        used = int(db.get_parsable('zones', 'used')[0])
        avail = int(db.get_parsable('zones', 'available')[0])
        creation = int(db.get_parsable('zones', 'creation')[0])
        encryption = db.get_parsable('zones', 'encryption')[0]
    except Exception:  # pylint: disable=broad-exception-caught
        # the zfs store is optional here: without an answering pool sysinfo omits the Zpool keys
        return None
    info = {'size': (used + avail) // (1024 ** 3), 'creation': creation, 'encrypted': encryption not in ('off', '-', '')}
    # Zpool Disks / Zpool Profile / Disks from the pool's vdevs (get_zpool_disks, get_zpool_profile)
    pool = db.pool('zones') if hasattr(db, 'pool') else None
    leaves, kinds = [], []

    def walk(vdevs):
        for vdev in vdevs or []:
            kinds.append(vdev.get('type', 'disk'))
            if vdev.get('children'):
                walk(vdev['children'])
            elif vdev.get('type', 'disk') == 'disk' and vdev.get('name'):
                leaves.append(vdev['name'])
    walk((pool or {}).get('vdevs'))
    if leaves:
        profile = next((p for p in ('mirror', 'raidz3', 'raidz2', 'raidz') if any(k.startswith(p) for k in kinds)), 'striped')
        size = int(pool.get('size', 0))
        per_disk = size if profile == 'mirror' else size // len(leaves)
        info.update({'disks': [[d, per_disk] for d in leaves], 'disk_names': ','.join(leaves), 'profile': profile})
    return info


def _server_uuid(state, default):
    """get_or_store_uuid: ``org.smartos:server_uuid`` on ``zones/var`` wins when set locally."""
    try:
        from smartos_sim import zfsdb  # pylint: disable=import-outside-toplevel
        db = zfsdb.Zfs(state)
        if db.exists('zones/var'):
            value, source = db.get_parsable('zones/var', 'org.smartos:server_uuid')
            if source == 'local' and re.match(r'^[0-9a-fA-F-]{36}$', value or ''):
                return value
    except Exception:  # pylint: disable=broad-exception-caught
        # the zfs store is optional here (it may not be implemented or initialised yet)
        return default
    return default


def gather(state):
    """Every variable output_json/output_parsable use, as a dict."""
    hw = _hw(state) or dict(HARDWARE, **{'UUID': '00000000-0000-0000-0000-000000000000', 'Boot Time': '0'})
    net = dladm.load(state)
    conf = _conf(state)
    tags = _nic_tags(state)
    info = {'hw': hw, 'uuid': _server_uuid(state, hw['UUID']), 'zpool': _zpool(state)}
    # get_admin_nic_tag / get_admin_ip
    admin_tag = (conf.get('admin_tag') or 'admin')
    admin_ip = conf.get('%s_ip' % admin_tag, '')
    ips = dict((p['link'], p.get('ip4addr') or '') for p in net['phys'])
    if not admin_ip or admin_ip == 'dhcp':
        link = next((t[2] for t in tags if t[0] == admin_tag), '')
        admin_ip = ips.get(link, '')
    info['admin_tag'], info['admin_ip'] = admin_tag, admin_ip
    info['nic_tag_list'] = ','.join(t[0] for t in tags)
    # get_smartos_network_interfaces
    nics, tag_links = [], {}
    for phys in net['phys']:
        mac = dladm.normalize_mac(phys['mac'])
        names = []
        for idx, (name, tag_mac, dummy) in enumerate(tags):
            if tag_mac == mac:
                names.append(name)
                tag_links[idx] = (name, phys['link'])
        nics.append({'iface': phys['link'], 'mac': mac, 'ip4addr': phys.get('ip4addr') or '',
                     'state': phys.get('state', 'unknown'), 'names': names})
    info['nics'] = nics
    info['nic_tags'] = [tag_links[i] for i in sorted(tag_links)]
    # get_smartos_vnics: GZ vnics only (`dladm show-vnic -z ''`)
    info['vnics'] = [{'iface': v['link'], 'mac': dladm.normalize_mac(v['mac']), 'ip4addr': '', 'state': 'up',
                      'vlan': str(v.get('vid', 0)), 'host': v['over']}
                     for v in net['vnics'] if not v.get('zone')]
    info['hostname'] = conf.get('hostname') or (nics[0]['mac'].replace(':', '-') if nics else 'localhost')
    return info


# ---------------------------------------------------------------------------------------------
# output


def output_json(info):
    hw = info['hw']
    out = ['{',
           '  "Live Image": "%s",' % LIVE_IMAGE,
           '  "System Type": "SunOS",',
           '  "Boot Time": "%s",' % hw['Boot Time'],
           '  "Manufacturer": "%s",' % hw['Manufacturer'],
           '  "Product": "%s",' % hw['Product'],
           '  "Serial Number": "%s",' % hw['Serial Number'],
           '  "SKU Number": "%s",' % hw['SKU Number'],
           '  "HW Version": "%s",' % hw['HW Version'],
           '  "HW Family": "%s",' % hw['HW Family'],
           '  "Setup": "",',
           '  "VM Capable": true,',
           '  "Bhyve Capable": true,',
           '  "Bhyve Max Vcpus": %d,' % hw['Bhyve Max Vcpus'],
           '  "HVM API": true,',
           '  "CPU Type": "%s",' % hw['CPU Type'],
           '  "CPU Virtualization": "%s",' % hw['CPU Virtualization'],
           '  "CPU Physical Cores": %d,' % hw['CPU Socket Count'],
           '  "Admin NIC Tag": "%s",' % info['admin_tag'],
           '  "Admin IP": "%s",' % info['admin_ip'],
           '  "UUID": "%s",' % info['uuid'],
           '  "Hostname": "%s",' % info['hostname'],
           '  "CPU Total Cores": %d,' % hw['CPU Count'],
           '  "CPU Socket Count": %d,' % hw['CPU Socket Count'],
           '  "CPU Core Count": %d,' % hw['CPU Core Count'],
           '  "CPU Online Count": %d,' % hw['CPU Count'],
           '  "CPU Count": %d,' % hw['CPU Count'],
           '  "MiB of Memory": "%s",' % hw['MiB of Memory']]
    zpool = info['zpool']
    if zpool:
        out += ['  "Zpool": "zones",',
                '  "Zpool Encrypted": %s,' % ('true' if zpool['encrypted'] else 'false'),
                '  "Zpool Disks": "%s",' % zpool.get('disk_names', hw['Zpool Disks']),
                '  "Zpool Profile": "%s",' % zpool.get('profile', hw['Zpool Profile']),
                '  "Zpool Creation": %d,' % zpool['creation'],
                '  "Zpool Size in GiB": %d,' % zpool['size']]
    # `[[ -n "has_recovery" ]]` tests a literal: always emitted (reference §3.2)
    out += ['  "Zpool Recovery": {', '  },', '  "Disks": {']
    disks = (zpool or {}).get('disks') or hw['Disks']
    out += ['    "%s": {"Size in GB": %d}%s' % (d, size // 1000000000, ',' if i < len(disks) - 1 else '')
            for i, (d, size) in enumerate(disks)]
    out += ['  },', '  "Boot Parameters": {']
    params = hw['Boot Parameters']
    out += ['    "%s": "%s"%s' % (re.sub(r'[^A-Za-z0-9_]', '_', k), v, ',' if i < len(params) - 1 else '')
            for i, (k, v) in enumerate(params)]
    out += ['  },', '  "Psrinfo": {']
    psr = hw['Psrinfo']
    out += ['    "%s": "%s"%s' % (k, v, ',' if i < len(psr) - 1 else '') for i, (k, v) in enumerate(psr)]
    out += ['  },', '  "Network Interfaces": {']
    nics = info['nics']
    for i, nic in enumerate(nics):
        names = ', '.join('"%s"' % n for n in nic['names'])
        out.append('    "%s": {"MAC Address": "%s", "ip4addr": "%s", "Link Status": "%s", "NIC Names": [%s]}%s' % (
            nic['iface'], nic['mac'], nic['ip4addr'], nic['state'], names, ',' if i < len(nics) - 1 else ''))
    out += ['  },', '  "Virtual Network Interfaces": {']
    vnics = info['vnics']
    for i, vnic in enumerate(vnics):
        out.append('    "%s": {"MAC Address": "%s", "ip4addr": "%s", "Link Status": "%s", "Host Interface": "%s", '
                   '"VLAN": "%s"}%s' % (vnic['iface'], vnic['mac'], vnic['ip4addr'], vnic['state'], vnic['host'],
                                        vnic['vlan'], ',' if i < len(vnics) - 1 else ''))
    out += ['  },', '  "Link Aggregations": {', '  }', '}']
    return '\n'.join(out) + '\n'


def output_parsable(info):
    hw = info['hw']
    out = ["Live_Image='%s'" % LIVE_IMAGE,
           "System_Type='SunOS'",
           "Boot_Time='%s'" % hw['Boot Time'],
           "Manufacturer='%s'" % hw['Manufacturer'],
           "Product='%s'" % hw['Product'],
           "Serial_Number='%s'" % hw['Serial Number'],
           "SKU_Number='%s'" % hw['SKU Number'],
           "HW_Version='%s'" % hw['HW Version'],
           "HW_Family='%s'" % hw['HW Family'],
           "VM_Capable='true'",
           "CPU_Type='%s'" % hw['CPU Type'],
           "CPU_Virtualization='%s'" % hw['CPU Virtualization'],
           'CPU_Physical_Cores=%d' % hw['CPU Socket Count'],
           "Bhyve_Capable='true'",
           'Bhyve_Max_Vcpus=%d' % hw['Bhyve Max Vcpus'],
           "HVM_API='true'",
           'Nic_Tags=%s' % info['nic_tag_list'],
           'Admin_NIC_Tag=%s' % info['admin_tag'],
           'Admin_IP=%s' % info['admin_ip'],
           "Setup=''",
           "UUID='%s'" % info['uuid'],
           "Hostname='%s'" % info['hostname'],
           'CPU_Total_Cores=%d' % hw['CPU Count'],
           'CPU_Socket_Count=%d' % hw['CPU Socket Count'],
           'CPU_Core_Count=%d' % hw['CPU Core Count'],
           'CPU_Online_Count=%d' % hw['CPU Count'],
           'CPU_Count=%d' % hw['CPU Count'],
           'MiB_of_Memory=%s' % hw['MiB of Memory']]
    disks = (info['zpool'] or {}).get('disks') or hw['Disks']
    out += ['Disk_%s_size_in_GB=%d' % (d, size // 1000000000) for d, size in disks]
    out += ["NIC_%s='%s'" % (tag, iface) for tag, iface in info['nic_tags']]
    for nic in info['nics']:
        prefix = 'Network_Interface_%s_' % nic['iface']
        out += ["%sMAC_Address='%s'" % (prefix, nic['mac']), "%sIPv4_Address='%s'" % (prefix, nic['ip4addr']),
                "%sNIC_Names='%s'" % (prefix, ','.join(nic['names'])), "%sLink_Status='%s'" % (prefix, nic['state'])]
    for vnic in info['vnics']:
        prefix = 'Virtual_Network_Interface_%s_' % vnic['iface']
        out += ["%sMAC_Address='%s'" % (prefix, vnic['mac']), "%sIPv4_Address='%s'" % (prefix, vnic['ip4addr']),
                "%sLink_Status='%s'" % (prefix, vnic['state']), "%sVLAN='%s'" % (prefix, vnic['vlan']),
                "%sHost_Interface='%s'" % (prefix, vnic['host'])]
    out += ["Bootparam_%s='%s'" % (re.sub(r'[^A-Za-z0-9_]', '_', k), v) for k, v in hw['Boot Parameters']]
    out += ["Psrinfo_%s='%s'" % (k, v) for k, v in hw['Psrinfo']]
    return '\n'.join(out) + '\n'


def _write_cache(state, path, text):
    real = state.host_path(path)
    os.makedirs(os.path.dirname(real), exist_ok=True)
    tmp = '%s.new.%d' % (real, os.getpid())
    with open(tmp, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, real)


def regenerate(state):
    """``sysinfo -u``: rewrite both cache files; returns (json text, parsable text)."""
    info = gather(state)
    parsable, doc = output_parsable(info), output_json(info)
    _write_cache(state, CACHE_PARSABLE, parsable)
    _write_cache(state, CACHE_JSON, doc)
    return doc, parsable


def _read_cache(state, path):
    try:
        with open(state.host_path(path), encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        return ''


def facts(state):
    """The sysinfo JSON document as a dict (what ``sysinfo`` prints, parsed)."""
    with state.lock():
        text = _read_cache(state, CACHE_JSON) or regenerate(state)[0]
    return json.loads(text)


def sysinfo_data(state):
    """What ``sysinfo -f`` would print, parsed, without touching the cache (for vmadm and others)."""
    with state.lock():
        return json.loads(output_json(gather(state)))


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``sysinfo [-f] [-p] [-u]``"""
    force = parsable = update_only = False
    args = list(argv)
    while args and args[0].startswith('-') and args[0] != '-':
        arg = args.pop(0)
        if arg == '--':
            break
        for flag in arg[1:]:
            if flag == 'f':
                force = True
            elif flag == 'p':
                parsable = True
            elif flag == 'u':
                force = update_only = True
            elif flag == 'n':
                pass
            else:
                if flag != '?':
                    # bash getopts' own diagnostic (no leading ':' in the optstring)
                    sys.stderr.write('%s: illegal option -- %s\n' % (ARGV0, flag))
                sys.stdout.write('Usage: %s: [-f] [-p] [-u]\n' % ARGV0)
                return 2
    with state.lock():
        if not force:
            cached_json = _read_cache(state, CACHE_JSON)
            cached_parsable = _read_cache(state, CACHE_PARSABLE)
            if not parsable and cached_json:
                sys.stdout.write(cached_json)
                return 0
            if cached_parsable:
                sys.stdout.write(cached_parsable)
                return 0
        doc, text = regenerate(state)
    if not update_only:
        sys.stdout.write(text if parsable else doc)
    return 0
