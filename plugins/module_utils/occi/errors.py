# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exceptions raised by the OCCI model.

Every error carries a message that names the offending category, attribute or state,
so that a module can hand it to ``fail_json`` unchanged.
"""

from __future__ import annotations


class OCCIError(Exception):
    """Base class of every error raised by the OCCI model."""


class OCCIValidationError(OCCIError, ValueError):
    """A category, entity or attribute value breaks the model (type, enum, required, mutability)."""


class OCCIStateError(OCCIError):
    """An action is not applicable in the current state of an entity."""


class OCCIRenderingError(OCCIError, ValueError):
    """A rendering cannot be produced or parsed (malformed input, unrepresentable value)."""
