# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the resource tests share: a stand-in for AnsibleModule and a simulated global zone.

The resource tests (test_compute, test_storage, test_network, test_link) import it by its
collection name, which works under ``ansible-test units`` and plain pytest alike (no packages
needed). Each test file subclasses what differs: its module defaults and its own GZ helpers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SIM_HOME = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', 'simulator'))
SIM_BIN = os.path.join(SIM_HOME, 'bin')


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


class FakeModule(object):
    """What CommandRunner and run_resource use of AnsibleModule, running the simulated tools."""

    DEFAULTS = {}

    def __init__(self, gz, params, check_mode=False, diff=False):
        self.gz = gz
        self.params = dict(self.DEFAULTS, **params)
        self.check_mode = check_mode
        self._diff = diff

    def get_bin_path(self, tool, required=False, opt_dirs=None):  # pylint: disable=unused-argument
        return os.path.join(SIM_BIN, tool)

    def run_command(self, argv, data=None, **kwargs):  # pylint: disable=unused-argument
        proc = subprocess.run(argv, input=data, capture_output=True, text=True, env=self.gz.env, check=False, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr

    def fail_json(self, **result):
        raise Exit(True, result)

    def exit_json(self, **result):
        raise Exit(False, result)


class WarningFakeModule(FakeModule):
    """A FakeModule that also collects module.warn() texts in ``warnings``."""

    def __init__(self, gz, params, check_mode=False, diff=False):
        super(WarningFakeModule, self).__init__(gz, params, check_mode=check_mode, diff=diff)
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class SimGZ(object):
    """A simulated global zone in ``state_dir``: run its tools, read its command log and state."""

    def __init__(self, state_dir):
        self.state = state_dir
        self.env = dict(os.environ, PATH=SIM_BIN + os.pathsep + os.environ.get('PATH', ''), SMARTOS_SIM_STATE=state_dir,
                        SMARTOS_SIM_PYTHON=sys.executable)

    def run(self, *argv, stdin=None):
        return subprocess.run([os.path.join(SIM_BIN, argv[0])] + list(argv[1:]), input=stdin, capture_output=True,
                              text=True, env=self.env, check=False, timeout=60)

    def log(self):
        path = os.path.join(self.state, 'commands.log')
        if not os.path.exists(path):
            return []
        with open(path, encoding='utf-8') as handle:
            return [json.loads(line)['argv'] for line in handle if line.strip()]

    def snapshot(self):
        """Every state JSON document, byte for byte (check mode must leave them identical)."""
        result = {}
        for name in sorted(os.listdir(self.state)):
            if name.endswith('.json'):
                with open(os.path.join(self.state, name), 'rb') as handle:
                    result[name] = handle.read()
        return result
