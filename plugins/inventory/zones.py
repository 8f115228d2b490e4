# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
name: zones
short_description: The zones and VMs of SmartOS global zones as Ansible hosts
version_added: 0.1.0
author:
  - smartstack.smartos contributors (@smartstack)
description:
  - Asks each configured SmartOS global zone (GZ) for its zones and VMs with one C(vmadm lookup -j) (plus one C(sysinfo)
    with O(gz_facts=true)) and adds every zone as a host.
  - A GZ is reached with the C(ssh) client, run as an argument list (never through a local shell), in batch mode, with
    host key checking on unless switched off; or, with the entry V(localhost), the tools are run on this machine, which
    then is the GZ.
  - The GZs are asked in parallel (at most O(max_workers) at once), each within O(timeout) seconds. A GZ that cannot be
    reached or answers with an error gives a warning and its zones are left out; with O(strict=true) it is an error.
  - Values read from the GZs (aliases, tags, metadata) are never marked trusted, so Ansible does not template them.
  - The configuration file must be named C(*.smartos.yml) or C(*.smartos.yaml).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it tells Ansible the file is for it.
    type: str
    required: true
    choices: [smartstack.smartos.zones]
  global_zones:
    description:
      - 'The global zones to ask. Each entry is V(localhost) (run C(vmadm) on this machine; a mapping with C(host: localhost)
        and a C(port) or C(user) goes through ssh), a host name or address (reached with the O(ssh_user), O(ssh_port) and
        other C(ssh_*) defaults), or a mapping.'
      - 'Keys of a mapping: C(host) (required), C(name) (the GZ name used in host variables and group names; default
        C(host)), C(port), C(user), C(private_key_file), C(known_hosts_file), C(host_key_checking), C(ssh_extra_args)
        (a list), each defaulting to the C(ssh_*) option of the same name.'
    type: list
    elements: raw
    required: true
  ssh_user:
    description: The user to log into the GZs as.
    type: str
    default: root
  ssh_port:
    description: The SSH port of the GZs.
    type: int
    default: 22
  ssh_private_key_file:
    description: The private key to log in with (C(ssh -i)); by default ssh's own choice (agent, default keys).
    type: path
  ssh_known_hosts_file:
    description: A known hosts file with the GZs' host keys (C(-o UserKnownHostsFile=)); by default ssh's own.
    type: path
  ssh_host_key_checking:
    description:
      - Check the GZs' host keys (C(-o StrictHostKeyChecking=yes)). Switch off only for throw-away test beds, it
        exposes the GZ's root login to a man in the middle.
    type: bool
    default: true
  ssh_extra_args:
    description: More arguments for C(ssh), placed before the host, each a separate argument (no shell parsing).
    type: list
    elements: str
    default: []
  ssh_executable:
    description: The ssh client.
    type: str
    default: ssh
  connect_timeout:
    description: Seconds ssh waits for the connection to a GZ (C(-o ConnectTimeout=)).
    type: int
    default: 10
  timeout:
    description: Seconds one GZ may take to answer in all; after that it counts as unreachable.
    type: int
    default: 60
  max_workers:
    description: How many GZs are asked at the same time.
    type: int
    default: 8
  filters:
    description:
      - C(vmadm lookup) filters applied on the GZ, each C(key=value) or C(key=~regex), for example C(state=running),
        C(brand=joyent) or C(tags.role=web). All must match. vmadm refuses unknown keys (the GZ then counts as failed).
      - Each filter is passed to C(vmadm) as one argument, quoted for the GZ's shell.
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Zones to leave out, tested on this machine after the lookup. Each entry is C(key=value) (exact match) or
        C(key=~regex) (unanchored, case-insensitive) on the zone's vmadm properties; dotted keys reach into C(tags),
        C(customer_metadata) and, with C(*) as index, any NIC or disk (C(nics.*.nic_tag=external)). A zone matching any
        entry is left out.
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - Where each host's inventory name comes from, in order of preference; the first that is set and not empty wins,
        otherwise the uuid.
      - V(alias), V(hostname), V(uuid), V(tags.NAME) (the tag NAME) or V(customer_metadata.KEY) (a metadata key that is
        not a secret, see O(secret_metadata_keys)).
    type: list
    elements: str
    default: [alias, uuid]
  hostname_collisions:
    description:
      - What happens when zones get the same name (the same alias on two GZs).
      - V(suffix) names every one of them C(<name><separator><global zone name>) (see O(hostname_separator)); zones
        that still collide (the same alias twice on one GZ) are named by their uuid.
      - V(uuid) names every one of them by its uuid.
      - V(error) fails.
    type: str
    choices: [suffix, uuid, error]
    default: suffix
  hostname_separator:
    description: The separator of O(hostname_collisions=suffix).
    type: str
    default: _
  ansible_host_nic_tag:
    description:
      - Take C(ansible_host) from the first NIC with this nic tag instead of the primary NIC (or the first NIC when none is
        marked primary). A NIC with no static address (C(dhcp), C(addrconf)) gives no C(ansible_host).
    type: str
  zlogin_connection:
    description:
      - When to set C(ansible_connection=smartstack.smartos.zlogin) (tasks go through the GZ with C(zlogin)).
      - V(never); V(unreachable) for zones without an C(ansible_host) (no static address); V(always).
      - The variables the connection needs (C(smartos_gz_host) and the other C(smartos_gz_*)) are set on every host.
    type: str
    choices: [never, unreachable, always]
    default: never
  hostvars_prefix:
    description: The prefix of the host variables this plugin sets from the zone's properties.
    type: str
    default: smartos_
  extra_properties:
    description: More vmadm properties to read and set as host variables (with O(hostvars_prefix)), for example V(cpu_cap).
    type: list
    elements: str
    default: []
  include_customer_metadata:
    description: Set C(smartos_customer_metadata) (without the keys O(secret_metadata_keys) matches).
    type: bool
    default: true
  secret_metadata_keys:
    description:
      - Customer metadata keys whose values are secrets, as shell-style patterns matched case-insensitively against the
        key; they are left out of the host variables (and cannot name hosts). Metadata keys holding passwords are the
        SmartOS convention (C(root_pw), C(admin_pw)); C(user-script) may embed credentials.
      - C(internal_metadata) is never read.
    type: list
    elements: str
    default: ['*_pw', '*password*', '*passwd*', '*secret*', '*token*', '*private*', '*credential*', '*api_key*',
              '*apikey*', 'user-script', 'user-data']
  group_by:
    description:
      - Which groups to make, each named C(<group_prefix><kind>_<value>) with the name sanitised as Ansible's
        constructed plugin does.
      - V(brand), V(state), V(global_zone) (the GZ's name), V(image) (the image uuid, for HVMs the boot disk's), V(tags)
        (C(tag_<name>_<value>)).
    type: list
    elements: str
    choices: [brand, state, global_zone, image, tags]
    default: [brand, state, global_zone, image, tags]
  group_prefix:
    description: The prefix of the O(group_by) group names. Every zone is also in the group C(<group_prefix>zones).
    type: str
    default: smartos_
  gz_facts:
    description: Also run C(sysinfo) on each GZ and set its output as C(smartos_gz_sysinfo) on the GZ's zones.
    type: bool
    default: false
notes:
  - Caching keeps what the GZs answered; when a GZ fails, nothing is written to the cache, so a GZ that was down is asked
    again next time.
  - C(vmadm) needs root on the GZ (or a role with the right privileges).
seealso:
  - plugin: smartstack.smartos.zlogin
    plugin_type: connection
"""

EXAMPLES = r"""
# inventory.smartos.yml: the zones of two GZs, running ones only, named by alias
plugin: smartstack.smartos.zones
global_zones:
  - gz1.example.com
  - host: 192.0.2.20
    name: gz2
    port: 2222
    known_hosts_file: ~/.ssh/known_hosts_smartos
filters:
  - state=running
exclude:
  - tags.ansible=~^(no|false)$
hostnames: [alias, tags.fqdn, uuid]
keyed_groups:
  - key: smartos_tags.role | default('none')
    prefix: role
compose:
  ansible_python_interpreter: "'/opt/local/bin/python3' if smartos_brand in ['joyent', 'joyent-minimal'] else '/usr/bin/python3'"

---
# on the GZ itself; zones without a static address reached with zlogin
plugin: smartstack.smartos.zones
global_zones: [localhost]
zlogin_connection: unreachable
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/smartos-inventory
"""

import concurrent.futures
import fnmatch
import json
import re
import shlex
import subprocess

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

# vmadm properties read with `vmadm lookup -j -o` (reference smartos_vmadm.md §2.4: `-o` keeps only these keys;
# `ram` and `type` are the fake fields lookup adds). Asking for fewer keys keeps the answer of a big GZ small.
PROPERTIES = ('uuid', 'alias', 'hostname', 'brand', 'state', 'zone_state', 'type', 'ram', 'max_physical_memory',
              'quota', 'vcpus', 'cpu_cap', 'autoboot', 'nics', 'tags', 'customer_metadata', 'image_uuid', 'disks',
              'owner_uuid', 'create_timestamp')
# The host variables set from PROPERTIES (nics and disks as they come; customer_metadata without secrets).
HOSTVARS = ('uuid', 'alias', 'hostname', 'brand', 'state', 'zone_state', 'type', 'ram', 'max_physical_memory',
            'quota', 'vcpus', 'cpu_cap', 'autoboot', 'nics', 'tags', 'image_uuid', 'disks', 'owner_uuid',
            'create_timestamp')
GZ_KEYS = ('host', 'name', 'port', 'user', 'private_key_file', 'known_hosts_file', 'host_key_checking', 'ssh_extra_args')
# NIC addresses that are no address (vmadm accepts them in `ips`; reference smartos_vmadm.md nics.*.ips)
NO_ADDRESS = ('dhcp', 'addrconf', '')


class GlobalZoneError(Exception):
    """A GZ could not be asked or gave an unusable answer."""


def _remote_command(argv):
    """One command line for the GZ's shell: ssh joins its remote arguments with spaces, so each is quoted here."""
    return ' '.join(shlex.quote(arg) for arg in argv)


def ssh_argv(gz, remote_argv, connect_timeout):
    """The ssh client's argument list to run ``remote_argv`` on ``gz`` (a normalised GZ dict)."""
    argv = [gz['ssh_executable'], '-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=%d' % connect_timeout,
            '-p', str(gz['port']), '-l', gz['user']]
    if gz.get('private_key_file'):
        argv += ['-i', gz['private_key_file'], '-o', 'IdentitiesOnly=yes']
    if gz.get('known_hosts_file'):
        argv += ['-o', 'UserKnownHostsFile=' + gz['known_hosts_file']]
    argv += ['-o', 'StrictHostKeyChecking=' + ('yes' if gz['host_key_checking'] else 'no')]
    argv += list(gz.get('ssh_extra_args') or [])
    # `--` ends ssh's options: a host that starts with `-` cannot become one
    return argv + ['--', gz['host'], _remote_command(remote_argv)]


def lookup_argv(filters, properties):
    return ['vmadm', 'lookup', '-j', '-o', ','.join(properties)] + list(filters)


def run_on_gz(gz, remote_argv, connect_timeout, timeout):
    """Run a GZ tool; its stdout text, or GlobalZoneError with what went wrong."""
    argv = list(remote_argv) if gz['local'] else ssh_argv(gz, remote_argv, connect_timeout)
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise GlobalZoneError('%s: no answer within %d seconds' % (gz['name'], timeout)) from exc
    except OSError as exc:
        raise GlobalZoneError('%s: cannot run %s: %s' % (gz['name'], argv[0], to_native(exc))) from exc
    if proc.returncode:
        what = 'ssh' if proc.returncode == 255 and not gz['local'] else remote_argv[0]
        message = ' '.join(to_text(proc.stderr, errors='surrogate_or_replace').strip().splitlines()[-3:])
        raise GlobalZoneError('%s: %s failed (rc %d): %s' % (gz['name'], what, proc.returncode, message or 'no message'))
    return to_text(proc.stdout, errors='surrogate_or_strict')


def query_gz(gz, filters, properties, gz_facts, connect_timeout, timeout):
    """What one GZ answers: {'zones': [...], 'sysinfo': {...} or None}."""
    text = run_on_gz(gz, lookup_argv(filters, properties), connect_timeout, timeout)
    try:
        zones = json.loads(text)
    except ValueError as exc:
        raise GlobalZoneError('%s: vmadm lookup -j did not print JSON: %s' % (gz['name'], exc)) from exc
    if not isinstance(zones, list) or not all(isinstance(z, dict) and z.get('uuid') for z in zones):
        raise GlobalZoneError('%s: vmadm lookup -j did not print a list of VM objects' % gz['name'])
    sysinfo = None
    if gz_facts:
        try:
            sysinfo = json.loads(run_on_gz(gz, ['sysinfo'], connect_timeout, timeout))
        except ValueError as exc:
            raise GlobalZoneError('%s: sysinfo did not print JSON: %s' % (gz['name'], exc)) from exc
    return {'zones': zones, 'sysinfo': sysinfo}


# ------------------------------------------------------------------ matching (vmadm's lookup rules, on this machine)

def _values(obj, parts):
    """The values at a dotted path; ``*`` walks every element of a list."""
    if not parts:
        return [obj]
    head, rest = parts[0], parts[1:]
    if isinstance(obj, list):
        if head == '*':
            items = obj
        elif head.isdigit() and int(head) < len(obj):
            items = [obj[int(head)]]
        else:
            return []
        return [v for item in items for v in _values(item, rest)]
    if isinstance(obj, dict) and head in obj:
        return _values(obj[head], rest)
    return []


def _string(value):
    """JavaScript's String(value), which vmadm compares (reference smartos_vmadm.md §2.4)."""
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if value is None:
        return 'null'
    return str(value)


def parse_matcher(spec):
    """``key=value`` or ``key=~regex`` -> (parts, compiled regex or None, value)."""
    key, sep, target = spec.partition('=')
    if not sep or not key:
        raise AnsibleParserError('exclude entry %r is not key=value or key=~regex' % spec)
    if target.startswith('~'):
        try:
            return key.split('.'), re.compile(target[1:], re.IGNORECASE), None
        except re.error as exc:
            raise AnsibleParserError('exclude entry %r: bad regex: %s' % (spec, exc)) from exc
    return key.split('.'), None, target


def matches(zone, matcher):
    parts, regex, target = matcher
    for value in _values(zone, parts):
        if isinstance(value, (dict, list)):
            continue
        text = _string(value)
        if (regex.search(text) if regex else text == target):
            return True
    return False


# ------------------------------------------------------------------ host variables

def is_secret(key, patterns):
    lowered = key.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


def primary_address(zone, nic_tag=None):
    """The address ansible_host gets: the chosen NIC's static IPv4/IPv6 address (no prefix length), or None."""
    nics = [n for n in zone.get('nics') or [] if isinstance(n, dict)]
    if nic_tag:
        nics = [n for n in nics if n.get('nic_tag') == nic_tag]
    else:
        nics = [n for n in nics if n.get('primary')] or nics
    if not nics:
        return None
    nic = nics[0]
    candidates = [nic.get('ip')] + list(nic.get('ips') or [])
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.split('/')[0] not in NO_ADDRESS:
            return candidate.split('/')[0]
    return None


def image_of(zone):
    """The image a zone was made from: image_uuid, or for HVMs the boot disk's (else the first disk's)."""
    if zone.get('image_uuid'):
        return zone['image_uuid']
    disks = [d for d in zone.get('disks') or [] if isinstance(d, dict) and d.get('image_uuid')]
    boot = [d for d in disks if d.get('boot')] or disks
    return boot[0]['image_uuid'] if boot else None


def preferred_name(zone, hostnames, secret_patterns):
    for source in hostnames:
        value = None
        if source in ('alias', 'hostname', 'uuid'):
            value = zone.get(source)
        elif source.startswith('tags.'):
            value = (zone.get('tags') or {}).get(source[5:])
        elif source.startswith('customer_metadata.'):
            key = source[len('customer_metadata.'):]
            if not is_secret(key, secret_patterns):
                value = (zone.get('customer_metadata') or {}).get(key)
        if value is not None and not isinstance(value, (dict, list)) and _string(value).strip():
            return _string(value).strip()
    return zone['uuid']


def assign_names(entries, hostnames, collisions, separator, secret_patterns):
    """entries: [(gz name, zone)] -> [(inventory name, gz name, zone)] with no two names alike."""
    wanted = [(preferred_name(zone, hostnames, secret_patterns), gz_name, zone) for gz_name, zone in entries]
    counts = {}
    for name, _gz, _zone in wanted:
        counts[name] = counts.get(name, 0) + 1
    clashing = sorted(n for n, c in counts.items() if c > 1)
    if clashing and collisions == 'error':
        raise AnsibleParserError('zones share the host names %s; choose other hostnames or hostname_collisions'
                                 % ', '.join(clashing))
    candidates = []
    for name, gz_name, zone in wanted:
        if counts[name] > 1:
            name = name + separator + gz_name if collisions == 'suffix' else zone['uuid']
        candidates.append((name, gz_name, zone))
    counts = {}
    for name, _gz, _zone in candidates:
        counts[name] = counts.get(name, 0) + 1
    result, taken = [], set()
    for name, gz_name, zone in candidates:
        if counts[name] > 1 or name in taken:
            name = zone['uuid'] if zone['uuid'] not in taken else zone['uuid'] + separator + gz_name
        taken.add(name)
        result.append((name, gz_name, zone))
    return result


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The zones of SmartOS global zones."""

    NAME = 'smartstack.smartos.zones'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('.smartos.yml', '.smartos.yaml'))

    # ---------------------------------------------------------------- configuration
    def _global_zones(self):
        entries = self.get_option('global_zones')
        if not isinstance(entries, list) or not entries:
            raise AnsibleParserError('global_zones must be a non-empty list')
        defaults = {'port': self.get_option('ssh_port'), 'user': self.get_option('ssh_user'),
                    'private_key_file': self.get_option('ssh_private_key_file'),
                    'known_hosts_file': self.get_option('ssh_known_hosts_file'),
                    'host_key_checking': self.get_option('ssh_host_key_checking'),
                    'ssh_extra_args': self.get_option('ssh_extra_args'),
                    'ssh_executable': self.get_option('ssh_executable')}
        result, names = [], set()
        for entry in entries:
            if isinstance(entry, str):
                entry = {'host': entry}
            if not isinstance(entry, dict) or not isinstance(entry.get('host'), str) or not entry['host']:
                raise AnsibleParserError('each global_zones entry must be a host name or a mapping with host: %r' % (entry,))
            unknown = sorted(set(entry) - set(GZ_KEYS))
            if unknown:
                raise AnsibleParserError('global_zones entry %s: unknown keys %s (known: %s)'
                                         % (entry['host'], ', '.join(unknown), ', '.join(GZ_KEYS)))
            gz = dict(defaults)
            gz.update((k, v) for k, v in entry.items() if v is not None)
            gz['name'] = str(gz.get('name') or gz['host'])
            gz['local'] = gz['host'] == 'localhost' and 'port' not in entry and 'user' not in entry
            try:
                gz['port'] = int(gz['port'])
            except (TypeError, ValueError) as exc:
                raise AnsibleParserError('global_zones entry %s: port %r is not a number' % (gz['name'], gz['port'])) from exc
            if isinstance(gz['ssh_extra_args'], str):
                gz['ssh_extra_args'] = shlex.split(gz['ssh_extra_args'])
            if not isinstance(gz['host_key_checking'], bool):
                raise AnsibleParserError('global_zones entry %s: host_key_checking must be true or false' % gz['name'])
            if gz['name'] in names:
                raise AnsibleParserError('two global_zones entries are named %s: give one a name' % gz['name'])
            names.add(gz['name'])
            result.append(gz)
        return result

    def _properties(self):
        props = list(PROPERTIES)
        for extra in self.get_option('extra_properties'):
            if extra not in props and extra != 'internal_metadata':
                props.append(extra)
        return props

    # ---------------------------------------------------------------- asking the GZs
    def _ask(self, gzs):
        """{gz name: answer} for the GZs that answered, and [(gz name, message)] for those that did not."""
        filters = [str(f) for f in self.get_option('filters')]
        properties = self._properties()
        gz_facts = self.get_option('gz_facts')
        connect_timeout, timeout = self.get_option('connect_timeout'), self.get_option('timeout')
        answers, failures = {}, []
        workers = max(1, min(self.get_option('max_workers'), len(gzs)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [(gz, pool.submit(query_gz, gz, filters, properties, gz_facts, connect_timeout, timeout))
                       for gz in gzs]
            for gz, future in futures:
                try:
                    answers[gz['name']] = future.result()
                except GlobalZoneError as exc:
                    failures.append((gz['name'], to_native(exc)))
        return answers, failures

    # ---------------------------------------------------------------- building the inventory
    def _group(self, kind, value):
        name = self._sanitize_group_name('%s%s_%s' % (self.get_option('group_prefix'), kind, value))
        return self.inventory.add_group(name)

    def _populate(self, gzs, answers):
        prefix = self.get_option('hostvars_prefix')
        secrets = self.get_option('secret_metadata_keys')
        excludes = [parse_matcher(spec) for spec in self.get_option('exclude')]
        extra = [p for p in self._properties() if p not in PROPERTIES]
        group_by = set(self.get_option('group_by'))
        nic_tag = self.get_option('ansible_host_nic_tag')
        zlogin = self.get_option('zlogin_connection')
        strict = self.get_option('strict')
        compose, groups, keyed = self.get_option('compose'), self.get_option('groups'), self.get_option('keyed_groups')
        with_metadata = self.get_option('include_customer_metadata')

        entries = []
        for gz in gzs:
            for zone in (answers.get(gz['name']) or {}).get('zones') or []:
                if not any(matches(zone, m) for m in excludes):
                    entries.append((gz['name'], zone))
        named = assign_names(entries, self.get_option('hostnames'), self.get_option('hostname_collisions'),
                             self.get_option('hostname_separator'), secrets)
        by_name = {gz['name']: gz for gz in gzs}
        all_group = self.inventory.add_group(self._sanitize_group_name(self.get_option('group_prefix') + 'zones'))
        for host, gz_name, zone in named:
            gz = by_name[gz_name]
            self.inventory.add_host(host, group=all_group)
            hostvars = {}
            for key in HOSTVARS + tuple(extra):
                if key in zone:
                    hostvars[prefix + key] = zone[key]
            if with_metadata:
                metadata = zone.get('customer_metadata') or {}
                hostvars[prefix + 'customer_metadata'] = {k: v for k, v in metadata.items() if not is_secret(k, secrets)}
            image = image_of(zone)
            if image:
                hostvars[prefix + 'image_uuid'] = image
            hostvars[prefix + 'global_zone'] = gz_name
            hostvars[prefix + 'gz_host'] = gz['host']
            hostvars[prefix + 'gz_port'] = gz['port']
            hostvars[prefix + 'gz_user'] = gz['user']
            hostvars[prefix + 'gz_local'] = gz['local']
            hostvars[prefix + 'gz_host_key_checking'] = gz['host_key_checking']
            for key in ('private_key_file', 'known_hosts_file', 'ssh_extra_args'):
                if gz.get(key):
                    hostvars[prefix + 'gz_' + key] = gz[key]
            sysinfo = answers[gz_name].get('sysinfo')
            if sysinfo is not None:
                hostvars[prefix + 'gz_sysinfo'] = sysinfo
            address = primary_address(zone, nic_tag)
            if address:
                hostvars['ansible_host'] = address
            if zlogin == 'always' or (zlogin == 'unreachable' and not address):
                hostvars['ansible_connection'] = 'smartstack.smartos.zlogin'
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)

            if 'brand' in group_by and zone.get('brand'):
                self.inventory.add_child(self._group('brand', zone['brand']), host)
            if 'state' in group_by and zone.get('state'):
                self.inventory.add_child(self._group('state', zone['state']), host)
            if 'global_zone' in group_by:
                self.inventory.add_child(self._group('gz', gz_name), host)
            if 'image' in group_by and image:
                self.inventory.add_child(self._group('image', image), host)
            if 'tags' in group_by:
                for tag, value in sorted((zone.get('tags') or {}).items()):
                    if not isinstance(value, (dict, list)):
                        self.inventory.add_child(self._group('tag', '%s_%s' % (tag, _string(value))), host)

            # compose first, so that groups and keyed_groups may use the composed variables
            self._set_composite_vars(compose, hostvars, host, strict=strict)
            self._add_host_to_composed_groups(groups, hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(keyed, hostvars, host, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        gzs = self._global_zones()
        for spec in self.get_option('exclude'):
            parse_matcher(spec)   # a bad entry fails before any GZ is asked

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        answers = None
        if use_cache:
            try:
                answers = self._cache[cache_key]
            except KeyError:
                update_cache = True
            if answers is not None and not (isinstance(answers, dict) and all(gz['name'] in answers for gz in gzs)):
                answers, update_cache = None, True   # a cache written for another list of GZs
        if answers is None:
            answers, failures = self._ask(gzs)
            for gz_name, message in failures:
                if self.get_option('strict'):
                    raise AnsibleParserError('global zone %s could not be asked: %s' % (gz_name, message))
                self.display.warning('global zone %s left out: %s' % (gz_name, message))
            if update_cache and not failures:
                self._cache[cache_key] = answers
        self._populate(gzs, answers)
