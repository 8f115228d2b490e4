# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``nictagadm`` (nic tags) and the one ``dladm`` read that resolves a physical link name to its MAC.

Reference: smartos-live ``src/nictagadm`` (reference smartos_gz_tools.md §2) and illumos ``dladm``
(§4). Nothing here knows OCCI; arguments are lists, never shell strings.

* ``nictagadm list -p -d '|'``: one line per tag, ``<name>|<mac>|<link>|<type>``. With a
  delimiter other than ``:`` the MAC's colons are not escaped (§2.4), so a plain split works.
  ``<mac>`` and ``<link>`` are ``-`` when there is none (etherstubs, overlay rules, a MAC that
  matches no NIC); ``<type>`` is ``normal``, ``aggr``, ``etherstub`` or ``overlay rule``.
* ``nictagadm add <name> <mac>`` / ``add -l <name>`` (etherstub), ``update <name> <mac>``,
  ``delete <name>`` (refused with ``Error: nic tag '<name>' is in use`` while VMs use it),
  ``exists <name>``: all silent on success; errors are ``Error: <msg>`` on stderr, rc 1.
* ``dladm show-phys -p -m -o address,link``: ``<mac>:<link>`` with the MAC's colons escaped
  (two fields) and its octets not zero-padded (§4.1, §4.3).
"""

from __future__ import annotations

import re

DELIMITER = '|'

#: nictagadm ``valid_name`` (non-local tags): ``^[a-zA-Z0-9_]+``, length < 31 (§2.3). The script
#: anchors it at the start only and, by a bug, does not stop on a bad name; callers that want a
#: usable tag should check the whole name with :data:`TAG_NAME`.
TAG_NAME = re.compile(r'^[a-zA-Z0-9_]{1,30}$')
#: nictagadm ``valid_stub_name`` (local tags = etherstubs): ``^[a-zA-Z0-9_]*[0-9]$``, length <= 31 (§2.3);
#: dladm adds that it does not start with a digit and that the trailing number has no leading zero
#: (``stub01`` is refused, §4.1).
STUB_NAME = re.compile(r'^[a-zA-Z_](?:[a-zA-Z0-9_]*[a-zA-Z_])?(?:0|[1-9][0-9]*)$')
#: nictagadm's MAC syntax (§2.3).
MAC = re.compile(r'^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$')


def normalize_mac(mac):
    """Lowercase, two digits per octet: what nictagadm stores and lists (``normalize_mac``, §2.3)."""
    return ':'.join('%02x' % int(part, 16) for part in mac.split(':'))


def valid_tag_name(name, etherstub=False):
    if etherstub:
        return bool(name) and len(name) <= 31 and STUB_NAME.match(name) is not None
    return TAG_NAME.match(name or '') is not None


def _unescape_fields(line):
    """Split one ``dladm -p`` line on unescaped ``:`` and drop the ``\\`` escapes (§4.2)."""
    fields, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == '\\':
            escaped = True
        elif char == ':':
            fields.append(''.join(current))
            current = []
        else:
            current.append(char)
    fields.append(''.join(current))
    return fields


class Nictagadm(object):
    """The subcommands of nictagadm that the network resource needs."""

    def __init__(self, runner):
        self.runner = runner

    @staticmethod
    def parse_list(out):
        tags = []
        for line in out.splitlines():
            if not line.strip():
                continue
            parts = line.split(DELIMITER)
            if len(parts) < 4:
                continue
            name, mac, link, kind = parts[0], parts[1], parts[2], DELIMITER.join(parts[3:])
            tags.append({'name': name, 'mac': None if mac == '-' else mac, 'link': None if link == '-' else link,
                         'type': kind})
        return tags

    def list(self):
        """Every tag: ``[{'name', 'mac', 'link', 'type'}]`` (``None`` for ``-``), in nictagadm's order."""
        _rc, out, _err = self.runner.run('nictagadm', ['list', '-p', '-d', DELIMITER])
        return self.parse_list(out)

    def add(self, name, mac=None, etherstub=False, mtu=None):
        if etherstub:
            return self.runner.run('nictagadm', ['add', '-l', name])
        args = ['add']
        if mtu:
            args += ['-p', 'mtu=%s' % mtu]
        return self.runner.run('nictagadm', args + [name, mac])

    def update(self, name, mac):
        return self.runner.run('nictagadm', ['update', name, mac])

    def delete(self, name):
        return self.runner.run('nictagadm', ['delete', name])

    def exists(self, name):
        rc, _out, _err = self.runner.run('nictagadm', ['exists', name], ok_rcs=(0, 1))
        return rc == 0


class Dladm(object):
    """The one dladm read the network resource needs: physical links and their MACs."""

    def __init__(self, runner):
        self.runner = runner

    def physical_links(self):
        """``{link: normalised mac}`` of the physical NICs (one ``dladm show-phys -p -m -o address,link``).

        A NIC with several MAC slots is listed once per slot; the primary slot comes first (§4.3).
        """
        _rc, out, _err = self.runner.run('dladm', ['show-phys', '-p', '-m', '-o', 'address,link'])
        links = {}
        for line in out.splitlines():
            fields = _unescape_fields(line)
            if len(fields) != 2 or not MAC.match(fields[0]):
                continue
            links.setdefault(fields[1], normalize_mac(fields[0]))
        return links
