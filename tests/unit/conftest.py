# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Let the unit tests run both under plain pytest and under ``ansible-test units``.

Under plain ``pytest tests/unit`` (from the collection root), pytest-ansible builds a
``collections/`` tree and points the collection loader and ``ANSIBLE_COLLECTIONS_PATH`` at it.
``ansible-test units`` sets up the collection loader itself, and its pytest plugin then refuses
test files outside the path it set ("File ... not found in collection path"). ansible-test
marks its runs with ``ANSIBLE_CONTROLLER_MIN_PYTHON_VERSION``; there, pytest-ansible is told to
keep the existing path (its ``--ansible-unit-inject-only`` option).
"""

from __future__ import annotations

import os
import tempfile

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if 'ANSIBLE_CONTROLLER_MIN_PYTHON_VERSION' in os.environ and hasattr(config.option, 'ansible_unit_inject_only'):
        config.option.ansible_unit_inject_only = True


try:
    from hypothesis import configuration, settings
except ImportError:  # pragma: no cover - hypothesis is in tests/unit/requirements.txt
    settings = None

if settings is not None:
    # Hypothesis keeps an example database and a cache in .hypothesis/ of the working directory,
    # the collection root, where ansible-galaxy collection build would pack it: keep them in
    # the temporary directory instead, and keep no example database.
    configuration.set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), 'smartstack-smartos-hypothesis'))
    settings.register_profile('smartstack', database=None)
    settings.load_profile('smartstack')
