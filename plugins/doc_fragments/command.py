# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``command_timeout`` option every smartstack.smartos module that runs SmartOS commands has.

Its argument spec is ``COMMAND_TIMEOUT_SPEC`` in plugins/module_utils/smartos/command.py; the
default here must stay equal to ``DEFAULT_COMMAND_TIMEOUT`` there.
"""

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  command_timeout:
    description:
      - The time limit, in seconds, of each SmartOS command the module runs (C(vmadm), C(imgadm), C(zfs), C(svcadm) ...).
      - A command still running at the limit is stopped (C(SIGTERM) to it and its children, C(SIGKILL) 5 seconds later)
        and the task fails with the message C(<tool> <subcommand> timed out after <N> s).
      - A command that waits on its own for a given time (C(vmadm stop -t)) gets at least that time plus 60 seconds.
      - V(0) means no limit.
      - The default is generous because importing a large image or sending a large dataset legitimately takes long;
        the limit is there so that a hung tool fails the task instead of hanging the play.
    type: int
    default: 3600
'''
