"""vmadm's property table, payload normalisation and validation (used by ``tools/vmadm.py``).

Source: TritonDataCenter/smartos-live src/vm/node_modules/proptable.js and VM.js
(``normalizePayload``, ``applyZoneDefaults``, ``fixPayloadMemory``, ``exports.validate``);
reference smartos_vmadm.md §2.1, §2.2, §2.10, §4.2, §4.3, §4.7.
"""
import math
import re

OS_BRANDS = ('joyent', 'joyent-minimal', 'builder', 'lx')
HVM_BRANDS = ('kvm', 'bhyve')
BRANDS = OS_BRANDS + HVM_BRANDS
ALL = BRANDS
OS = OS_BRANDS
HVM = HVM_BRANDS

MINIMUM_MAX_SWAP = 256
# VM.js BRAND_OPTIONS features default_memory_overhead / min_memory_overhead (reference §4.3)
MEMORY_OVERHEAD = {'kvm': 1024, 'bhyve': 1280}
MIN_MEMORY_OVERHEAD = 256

HVM_LIMIT_PRIV = 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session'
ZERO_UUID = '00000000-0000-0000-0000-000000000000'

# name -> (type, brands, actions); actions 'cu' = create+update, 'c' = create only, 'u' = update only.
# Types: bool, int, str, list, flatobj, objarray; int bounds in INT_BOUNDS (reference §4.7).
_P = {}


def _add(names, kind, brands, actions):
    for name in names.split():
        _P[name] = (kind, brands, actions)


_add('alias hostname billing_id owner_uuid zfs_root_compression', 'str', ALL, 'cu')
_add('autoboot archive_on_delete firewall_enabled do_not_inventory indestructible_zoneroot '
     'indestructible_delegated', 'bool', ALL, 'cu')
_add('cpu_cap cpu_shares zfs_io_priority max_lwps max_physical_memory max_locked_memory max_swap '
     'max_msg_ids max_sem_ids max_shm_ids max_shm_memory quota ram zfs_root_recsize '
     'zfs_filesystem_limit zfs_snapshot_limit', 'int', ALL, 'cu')
_add('limit_priv resolvers internal_metadata_namespaces', 'list', ALL, 'cu')
_add('brand uuid zonename zpool image_uuid', 'str', ALL, 'c')
_add('customer_metadata internal_metadata tags routes', 'flatobj', ALL, 'c')
_add('nics', 'objarray', ALL, 'c')
_add('dns_domain init_name zfs_data_compression', 'str', OS, 'cu')
_add('fs_allowed', 'list', OS, 'cu')
_add('maintain_resolvers restart_init', 'bool', OS, 'cu')
_add('tmpfs zfs_data_recsize zlog_max_size', 'int', OS, 'cu')
_add('delegate_dataset nowait', 'bool', OS, 'c')
_add('mdata_exec_timeout', 'int', OS, 'c')
_add('filesystems', 'objarray', OS, 'c')
_add('kernel_version', 'str', ('lx',), 'cu')
_add('docker', 'bool', ('joyent-minimal', 'lx'), 'cu')
_add('package_name package_version', 'str', ('joyent', 'joyent-minimal', 'builder', 'lx', 'kvm'), 'cu')
_add('vcpus vnc_port', 'int', HVM, 'cu')
_add('boot disk_driver nic_driver vnc_password', 'str', HVM, 'cu')
_add('disks', 'objarray', HVM, 'c')
_add('cpu_type vga qemu_opts qemu_extra_opts spice_opts spice_password', 'str', ('kvm',), 'cu')
_add('spice_port virtio_txburst virtio_txtimer', 'int', ('kvm',), 'cu')
_add('bootrom bhyve_extra_opts com1 com2', 'str', ('bhyve',), 'cu')
_add('flexible_disk_size', 'int', ('bhyve',), 'cu')
_add('pci_devices', 'objarray', ('bhyve',), 'cu')
# update-only collection operations (man "update"; reference §2.10)
_add('set_customer_metadata set_internal_metadata set_tags set_routes', 'flatobj', ALL, 'u')
_add('remove_customer_metadata remove_internal_metadata remove_tags remove_routes', 'list', ALL, 'u')
_add('add_nics update_nics', 'objarray', ALL, 'u')
_add('remove_nics', 'list', ALL, 'u')
_add('add_disks update_disks', 'objarray', HVM, 'u')
_add('remove_disks', 'list', HVM, 'u')
_add('add_filesystems update_filesystems', 'objarray', OS, 'u')
_add('remove_filesystems', 'list', OS, 'u')

PROPS = _P

INT_BOUNDS = {'max_swap': (MINIMUM_MAX_SWAP, None), 'vcpus': (1, None), 'vnc_port': (-1, 65535),
              'spice_port': (-1, 65535), 'cpu_shares': (0, None)}

# Sub-properties of object arrays: name -> (type, brands)
NIC_PROPS = {}
for _n in ('allow_ip_spoofing allow_mac_spoofing allow_dhcp_spoofing allow_restricted_traffic primary').split():
    NIC_PROPS[_n] = ('bool', ALL)
for _n in 'allowed_ips blocked_outgoing_ports gateways ips'.split():
    NIC_PROPS[_n] = ('list', ALL)
for _n in 'dhcp_server gateway interface ip mac netmask network_uuid nic_tag vrrp_primary_ip'.split():
    NIC_PROPS[_n] = ('str', ALL)
for _n in 'mtu vlan_id vrrp_vrid'.split():
    NIC_PROPS[_n] = ('int', ALL)
NIC_PROPS['allowed_dhcp_cids'] = ('list', ('joyent', 'joyent-minimal', 'builder', 'lx', 'kvm'))
NIC_PROPS['model'] = ('str', HVM)
NIC_PROPS['allow_unfiltered_promisc'] = ('bool', HVM)
NIC_BOUNDS = {'mtu': (576, 9000), 'vlan_id': (0, 4095), 'vrrp_vrid': (0, 255)}

# disks: name -> (type, brands, actions) where actions are 'a' (add/create) and/or 'u' (update_disks)
DISK_PROPS = {
    'boot': ('bool', HVM, 'au'), 'compression': ('str', HVM, 'au'), 'media': ('str', HVM, 'au'),
    'model': ('str', HVM, 'au'), 'path': ('str', HVM, 'au'), 'refreservation': ('int', HVM, 'au'),
    'block_size': ('int', HVM, 'a'), 'image_size': ('int', HVM, 'a'), 'image_uuid': ('str', HVM, 'a'),
    'nocreate': ('bool', HVM, 'a'), 'zpool': ('str', HVM, 'a'),
    'guest_block_size': ('int', ('bhyve',), 'a'), 'notrim': ('bool', ('bhyve',), 'au'),
    'pci_slot': ('str', ('bhyve',), 'au'), 'uuid': ('str', ('bhyve',), 'a'),
    'dangerous_allow_shrink': ('bool', ('bhyve',), 'u'),
    # size: add-only on kvm, add+update (resize) on bhyve (reference §4.7)
    'size': ('int', HVM, 'au'),
}
FS_PROPS = {'type': ('str', OS), 'source': ('str', OS), 'target': ('str', OS), 'raw': ('str', OS),
            'options': ('list', OS)}

# Never accepted by create/update (reference §4.7, "read-only").
READ_ONLY = ('state zone_state zonepath zfs_filesystem zoneid zonedid pid boot_timestamp create_timestamp '
             'last_modified hvm server_uuid snapshots type transition_to transition_expire exit_status '
             'exit_timestamp free_space datasets').split()

DEPRECATED = {'dataset_uuid': 'image_uuid', 'zone_dataset_uuid': 'image_uuid', 'zfs_storage_pool_name': 'zpool',
              'zone_path': 'zonepath'}

UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


class PayloadError(Exception):
    """A create/update refusal; ``str(exc)`` is vmadm's message (exit 1)."""


# ------------------------------------------------------------------------------------------
# JavaScript value semantics


def js_number(value):
    """``Number(value)`` as JavaScript computes it (float; NaN when not a number)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        text = value.strip()
        if text == '':
            return 0.0
        try:
            if re.match(r'^[+-]?0[xX][0-9a-fA-F]+$', text):
                return float(int(text, 16))
            if re.match(r'^[+-]?(Infinity|\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$', text):
                return float(text.replace('Infinity', 'inf'))
        except ValueError:
            return math.nan
        return math.nan
    return math.nan


def int_or_float(num):
    """A JS number as Python prints it in JSON: integral values as ints."""
    if isinstance(num, float) and num.is_integer():
        return int(num)
    return num


def js_str(value):
    """``String(value)`` for JSON values."""
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if value is None:
        return 'null'
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ','.join('' if v is None else js_str(v) for v in value)
    if isinstance(value, dict):
        return '[object Object]'
    return str(value)


def is_true(value):
    """vmadm's boolean test (VM.js fixBoolean: true, 'true', 1, '1')."""
    return value in (True, 'true', '1') or (value == 1 and not isinstance(value, bool) and value is not False)


# ------------------------------------------------------------------------------------------
# type checks


def _bad_bool(value):
    return not (value is True or value is False or value in ('true', 'false', '1')
                or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 1))


def _bad_int(value, bounds):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
        return True
    low, high = bounds if bounds else (0, None)
    if low is not None and value < low:
        return True
    if high is not None and value > high:
        return True
    return False


def _bad_list(value):
    if isinstance(value, str):
        return False
    if not isinstance(value, list):
        return True
    return any(not isinstance(v, (str, int, float)) or isinstance(v, bool) or ',' in str(v) for v in value)


def _bad_flatobj(value):
    if not isinstance(value, dict):
        return True
    return any(isinstance(v, (dict, list)) or v is None for v in value.values())


def bad_value(kind, value, bounds=None):
    """Does ``value`` fail the proptable type ``kind``?"""
    if kind == 'bool':
        return _bad_bool(value)
    if kind == 'int':
        return _bad_int(value, bounds)
    if kind == 'str':
        return not isinstance(value, str)
    if kind == 'list':
        return _bad_list(value)
    if kind == 'flatobj':
        return _bad_flatobj(value)
    if kind == 'objarray':
        return not isinstance(value, list) or any(not isinstance(v, dict) for v in value)
    return False


def to_list(value):
    """A list property as an array (comma strings split, empties dropped)."""
    if isinstance(value, str):
        return [v for v in value.split(',') if v != '']
    return list(value)


# ------------------------------------------------------------------------------------------
# normalisation


def coerce_integers(payload, brand_props=None):
    """VM.js normalizePayload: integers from strings; ''/null unset; NaN is an error.

    Returns the list of properties to unset (``''``/``null`` given). Raises PayloadError
    ``Invalid value for <p>: null:number`` for a value that is not a number (reference §2.1).
    """
    unset = []
    props = brand_props or PROPS
    for key in list(payload):
        spec = props.get(key)
        if not spec or spec[0] != 'int':
            continue
        value = payload[key]
        if value is None or value == '':
            del payload[key]
            unset.append(key)
            continue
        num = js_number(value)
        if math.isnan(num):
            # VM.js assigns Number(v) and then prints the JSON of it: NaN -> null
            raise PayloadError('Invalid value for %s: null:number' % key)
        payload[key] = int_or_float(num)
    return unset


def check_payload(payload, brand, action, report=False):
    """VM.validate: returns (bad_values, bad_properties, missing_properties) and removes
    not-allowed properties from ``payload`` (nested ones too) unless ``report`` (validate).

    ``action`` is 'create' or 'update' (anything else: every property is a bad property).
    """
    bad_values, bad_props, missing = [], [], []
    code = {'create': 'c', 'update': 'u'}.get(action)
    for key in list(payload):
        spec = PROPS.get(key)
        if code is None or not spec or brand not in spec[1] or code not in spec[2]:
            bad_props.append(key)
            if not report:
                del payload[key]
            continue
        kind = spec[0]
        if bad_value(kind, payload[key], INT_BOUNDS.get(key)):
            bad_values.append(key)
            continue
        if key in ('nics', 'add_nics', 'update_nics'):
            _check_subs(payload[key], 'nics', NIC_PROPS, NIC_BOUNDS, brand, None, report, bad_values, bad_props)
        elif key in ('disks', 'add_disks', 'update_disks'):
            _check_subs(payload[key], 'disks', DISK_PROPS, {}, brand, 'u' if key == 'update_disks' else 'a',
                        report, bad_values, bad_props)
        elif key in ('filesystems', 'add_filesystems', 'update_filesystems'):
            _check_subs(payload[key], 'filesystems', FS_PROPS, {}, brand, None, report, bad_values, bad_props)
    if action == 'create':
        required = []
        if brand in ('joyent', 'joyent-minimal', 'builder', 'lx'):
            required.append('image_uuid')
        if brand == 'lx':
            required.append('kernel_version')
        for key in required:
            if key not in payload:
                missing.append(key)
        if brand in HVM and isinstance(payload.get('disks'), list):
            for idx, disk in enumerate(payload['disks']):
                if not isinstance(disk, dict) or disk.get('media') == 'cdrom':
                    continue
                if 'image_uuid' in disk:
                    if 'image_size' not in disk:
                        missing.append('disks.%d.image_size' % idx)
                elif 'size' not in disk and not is_true(disk.get('nocreate')):
                    missing.append('disks.%d.size' % idx)
    return bad_values, bad_props, missing


def _check_subs(items, prefix, table, bounds, brand, action, report, bad_values, bad_props):
    for item in items:
        for sub in list(item):
            spec = table.get(sub)
            ok = spec is not None and brand in spec[1] and (action is None or action in spec[2])
            if prefix == 'disks' and sub == 'size' and brand == 'kvm' and action == 'u':
                ok = False
            name = '%s.*.%s' % (prefix, sub)
            if not ok:
                if name not in bad_props:
                    bad_props.append(name)
                if not report:
                    del item[sub]
                continue
            if bad_value(spec[0], item[sub], bounds.get(sub)) and name not in bad_values:
                bad_values.append(name)


def fix_memory(payload, brand, vm=None):
    """VM.js fixPayloadMemory (reference §4.3): runs before validation on create and update.

    ``vm`` is the existing VM on update (None on create).
    """
    old = vm or {}
    hvm = brand in HVM
    if vm is None:
        if hvm:
            ram = payload.get('ram', 256)
            if not isinstance(ram, (int, float)) or isinstance(ram, bool):
                return
            if 'max_physical_memory' not in payload:
                payload['max_physical_memory'] = ram + MEMORY_OVERHEAD[brand]
        elif 'max_physical_memory' not in payload:
            payload['max_physical_memory'] = payload['ram'] if _num(payload.get('ram')) else 256
        phys = payload['max_physical_memory']
        if not _num(phys):
            return
        if hvm and phys < payload.get('ram', 256) + MIN_MEMORY_OVERHEAD:
            payload['max_physical_memory'] = phys = payload.get('ram', 256) + MIN_MEMORY_OVERHEAD
        locked = payload.get('max_locked_memory', phys)
        if _num(locked):
            if hvm and locked < payload.get('ram', 256) + MIN_MEMORY_OVERHEAD:
                locked = payload.get('ram', 256) + MIN_MEMORY_OVERHEAD
            payload['max_locked_memory'] = min(locked, phys)
        swap = payload.get('max_swap', phys)
        if _num(swap):
            payload['max_swap'] = max(swap, phys, MINIMUM_MAX_SWAP)
        if 'max_shm_memory' not in payload:
            payload['max_shm_memory'] = phys
        if not hvm:
            tmpfs = payload.get('tmpfs', phys)
            if _num(tmpfs):
                payload['tmpfs'] = min(tmpfs, phys)
        return
    # update
    if 'ram' in payload and 'max_physical_memory' not in payload and _num(payload['ram']):
        payload['max_physical_memory'] = payload['ram'] + (MEMORY_OVERHEAD[brand] if hvm else 0)
    if not hvm:
        payload.pop('ram', None)  # OS VMs: ram is only an alias for max_physical_memory
    if 'max_physical_memory' not in payload or not _num(payload['max_physical_memory']):
        for key in ('max_locked_memory', 'max_swap'):
            if _num(payload.get(key)):
                phys = old.get('max_physical_memory', 0)
                if key == 'max_locked_memory':
                    payload[key] = min(payload[key], phys)
                else:
                    payload[key] = max(payload[key], phys, MINIMUM_MAX_SWAP)
        return
    phys = payload['max_physical_memory']
    old_phys = old.get('max_physical_memory') or phys
    if 'max_locked_memory' not in payload and 'max_locked_memory' in old:
        payload['max_locked_memory'] = phys + (old['max_locked_memory'] - old_phys)
    if 'max_locked_memory' in payload and _num(payload['max_locked_memory']):
        payload['max_locked_memory'] = max(0, min(payload['max_locked_memory'], phys))
    if 'max_swap' not in payload and 'max_swap' in old:
        if old['max_swap'] == MINIMUM_MAX_SWAP:
            payload['max_swap'] = phys
        else:
            payload['max_swap'] = phys + (old['max_swap'] - old_phys)
    if 'max_swap' in payload and _num(payload['max_swap']):
        payload['max_swap'] = max(payload['max_swap'], phys, MINIMUM_MAX_SWAP)
    if not hvm and 'tmpfs' not in payload and _num(old.get('tmpfs')) and old_phys:
        payload['tmpfs'] = int(math.floor(old['tmpfs'] * phys / old_phys))


def _num(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
