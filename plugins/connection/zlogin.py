# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
name: zlogin
short_description: Run tasks in a SmartOS zone through its global zone with zlogin
version_added: 0.1.0
author:
  - smartstack.smartos contributors (@smartstack)
description:
  - Runs commands in a SmartOS zone without network access to the zone and without SSH in it - from the controller, over
    SSH to the zone's global zone (GZ), where C(zlogin <zone> <command>) runs the command in the zone.
  - Files are streamed through the GZ (C(cat) in the zone, reading from or writing to zlogin's standard input and output);
    nothing is copied to the GZ itself.
  - Every command line for the GZ is built from an argument list, each argument quoted for the GZ's shell; the ssh client
    runs without a local shell, in batch mode, with host key checking on unless switched off.
  - The inventory plugin P(smartstack.smartos.zones#inventory) sets the variables this plugin reads (C(smartos_uuid) and
    C(smartos_gz_*)); with its option C(zlogin_connection) it also makes this plugin the zones' connection.
  - Unlike community.general's C(zone) connection, which runs on the GZ itself, this one runs on the controller; with
    O(gz_local=true) it runs C(zlogin) on this machine (the controller is the GZ).
options:
  zone:
    description: The zone's name, which on SmartOS is its uuid.
    type: str
    vars:
      - name: inventory_hostname
      - name: smartos_uuid
      - name: ansible_zlogin_zone
  zone_user:
    description: The user to run commands as in the zone (C(zlogin -l)); by default root.
    type: str
    vars:
      - name: ansible_zlogin_user
  gz_host:
    description: The global zone's address for ssh.
    type: str
    vars:
      - name: smartos_gz_host
      - name: ansible_zlogin_gz_host
  gz_port:
    description: The global zone's SSH port.
    type: int
    default: 22
    vars:
      - name: smartos_gz_port
      - name: ansible_zlogin_gz_port
  gz_user:
    description: The user to log into the global zone as (C(zlogin) needs root or the Zone Management profile).
    type: str
    default: root
    vars:
      - name: smartos_gz_user
      - name: ansible_zlogin_gz_user
  gz_private_key_file:
    description: The private key for the global zone (C(ssh -i)).
    type: path
    vars:
      - name: smartos_gz_private_key_file
      - name: ansible_zlogin_gz_private_key_file
  gz_known_hosts_file:
    description: A known hosts file with the global zone's host key (C(-o UserKnownHostsFile=)).
    type: path
    vars:
      - name: smartos_gz_known_hosts_file
      - name: ansible_zlogin_gz_known_hosts_file
  gz_host_key_checking:
    description: Check the global zone's host key (C(-o StrictHostKeyChecking=yes)); switch off only for throw-away beds.
    type: bool
    default: true
    vars:
      - name: smartos_gz_host_key_checking
      - name: ansible_zlogin_gz_host_key_checking
  gz_ssh_extra_args:
    description: More arguments for ssh, before the host, each a separate argument.
    type: list
    elements: str
    default: []
    vars:
      - name: smartos_gz_ssh_extra_args
      - name: ansible_zlogin_gz_ssh_extra_args
  gz_local:
    description: Run C(zlogin) on this machine instead of over ssh (Ansible runs in the global zone).
    type: bool
    default: false
    vars:
      - name: smartos_gz_local
      - name: ansible_zlogin_gz_local
  ssh_executable:
    description: The ssh client.
    type: str
    default: ssh
    vars:
      - name: ansible_zlogin_ssh_executable
  timeout:
    description: Seconds ssh waits for the connection to the global zone (C(-o ConnectTimeout=)).
    type: int
    default: 10
    vars:
      - name: ansible_zlogin_timeout
notes:
  - The zone must be running (C(zlogin) refuses other states). Modules need a Python in the zone; M(ansible.builtin.raw)
    needs none.
  - Privilege escalation inside the zone is not needed for root; O(zone_user) picks another user.
seealso:
  - plugin: smartstack.smartos.zones
    plugin_type: inventory
"""

EXAMPLES = r"""
# inventory: a zone behind its GZ
# zones:
#   hosts:
#     web01:
#       ansible_connection: smartstack.smartos.zlogin
#       smartos_uuid: 4b9e8d7c-2a1f-4e3d-9c8b-7a6f5e4d3c2b
#       smartos_gz_host: gz1.example.com

- name: Which zone am I in
  hosts: zones
  gather_facts: false
  tasks:
    - name: Ask the zone
      ansible.builtin.raw: zonename
      changed_when: false
"""

import os
import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# zlogin's own exit status for its failures (ij:cmd/zlogin/zlogin.c: errors return 1, usage 2); the command's
# status otherwise. ssh returns 255 for its own failures.
SSH_FAILED = 255


def remote_command(argv):
    """One command line for the GZ's shell (ssh joins its remote arguments with spaces): every argument quoted."""
    return ' '.join(shlex.quote(arg) for arg in argv)


class Connection(ConnectionBase):
    """SSH to the global zone, zlogin into the zone."""

    transport = 'smartstack.smartos.zlogin'
    has_pipelining = True
    # the zone's shell is the zone's; paths are the zone's own
    has_tty = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone = None

    def _connect(self):
        if not self._connected:
            self._zone = self.get_option('zone')
            if not self._zone:
                raise AnsibleConnectionFailure('zlogin: no zone: set ansible_zlogin_zone or smartos_uuid')
            if not self.get_option('gz_local') and not self.get_option('gz_host'):
                raise AnsibleConnectionFailure('zlogin: no global zone for %s: set smartos_gz_host or ansible_zlogin_gz_host'
                                               % self._zone)
            via = 'this machine' if self.get_option('gz_local') else self.get_option('gz_host')
            display.vvv('ZLOGIN: zone %s via %s' % (self._zone, via), host=self._zone)
            self._connected = True
        return self

    # ---------------------------------------------------------------- argument lists
    def zlogin_argv(self, command):
        """zlogin's arguments to run the zone-shell ``command`` string in the zone."""
        argv = ['zlogin']
        if self.get_option('zone_user'):
            argv += ['-l', self.get_option('zone_user')]
        # One command argument: zlogin's non-interactive mode hands it unchanged to `su root -c` in the zone (with -l:
        # `su - user -c`) and relays stdin/stdout/stderr through pipes, exiting with the command's status
        # (ij:cmd/zlogin/zlogin.c prep_args; reference smartos_smf_zones.md §10). put_file/fetch_file rely on those pipes.
        return argv + [self._zone or self.get_option('zone'), command]

    def argv(self, command):
        """The local argument list that runs ``command`` (a string for the zone's shell) in the zone."""
        zlogin = self.zlogin_argv(command)
        if self.get_option('gz_local'):
            return zlogin
        argv = [self.get_option('ssh_executable'), '-T', '-o', 'BatchMode=yes',
                '-o', 'ConnectTimeout=%d' % self.get_option('timeout'),
                '-p', str(self.get_option('gz_port')), '-l', self.get_option('gz_user')]
        if self.get_option('gz_private_key_file'):
            argv += ['-i', self.get_option('gz_private_key_file'), '-o', 'IdentitiesOnly=yes']
        if self.get_option('gz_known_hosts_file'):
            argv += ['-o', 'UserKnownHostsFile=' + self.get_option('gz_known_hosts_file')]
        argv += ['-o', 'StrictHostKeyChecking=' + ('yes' if self.get_option('gz_host_key_checking') else 'no')]
        argv += list(self.get_option('gz_ssh_extra_args') or [])
        return argv + ['--', self.get_option('gz_host'), remote_command(zlogin)]

    def _check_ssh(self, returncode, stderr):
        if returncode == SSH_FAILED and not self.get_option('gz_local'):
            raise AnsibleConnectionFailure('zlogin: ssh to the global zone %s failed: %s'
                                           % (self.get_option('gz_host'), to_native(stderr).strip()))

    # ---------------------------------------------------------------- the connection API
    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        self._connect()
        argv = self.argv(to_text(cmd, errors='surrogate_or_strict'))
        display.vvv('ZLOGIN EXEC %s' % argv, host=self._zone)
        try:
            proc = subprocess.run(argv, input=in_data if in_data is not None else b'', capture_output=True, check=False)
        except OSError as exc:
            raise AnsibleConnectionFailure('zlogin: cannot run %s: %s' % (argv[0], to_native(exc))) from exc
        self._check_ssh(proc.returncode, proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        self._connect()
        display.vvv('ZLOGIN PUT %s TO %s' % (in_path, out_path), host=self._zone)
        if not os.path.isfile(to_bytes(in_path, errors='surrogate_or_strict')):
            raise AnsibleFileNotFound('zlogin: file or module does not exist: %s' % to_native(in_path))
        argv = self.argv('cat > %s' % shlex.quote(out_path))
        try:
            with open(to_bytes(in_path, errors='surrogate_or_strict'), 'rb') as source:
                proc = subprocess.run(argv, stdin=source, capture_output=True, check=False)
        except OSError as exc:
            raise AnsibleError('zlogin: cannot put %s: %s' % (to_native(in_path), to_native(exc))) from exc
        self._check_ssh(proc.returncode, proc.stderr)
        if proc.returncode:
            raise AnsibleError('zlogin: failed to write %s in zone %s (rc %d): %s'
                               % (out_path, self._zone, proc.returncode, to_native(proc.stderr).strip()))

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        self._connect()
        display.vvv('ZLOGIN FETCH %s TO %s' % (in_path, out_path), host=self._zone)
        argv = self.argv('cat < %s' % shlex.quote(in_path))
        b_out = to_bytes(out_path, errors='surrogate_or_strict')
        try:
            with open(b_out, 'wb') as target:
                proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=target, stderr=subprocess.PIPE, check=False)
        except OSError as exc:
            raise AnsibleError('zlogin: cannot fetch %s: %s' % (to_native(in_path), to_native(exc))) from exc
        if proc.returncode:
            os.unlink(b_out)
        self._check_ssh(proc.returncode, proc.stderr)
        if proc.returncode:
            raise AnsibleError('zlogin: failed to read %s in zone %s (rc %d): %s'
                               % (in_path, self._zone, proc.returncode, to_native(proc.stderr).strip()))

    def close(self):
        self._connected = False
