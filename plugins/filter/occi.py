# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI renderings of the resources the smartstack.smartos modules return.

``to_occi_json`` and ``to_occi_text``; their documentation is in ``to_occi_json.yml`` and
``to_occi_text.yml`` next to this file.
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.json_rendering import normalise, parse_entity
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.text_rendering import render_text


def _unwrap(data, name):
    """Accept an entity rendering, a registered module result holding one, or a list of either."""
    if isinstance(data, dict) and 'kind' not in data and 'resource' in data:
        data = data['resource']
    if isinstance(data, (list, tuple)):
        return [_unwrap(item, name) for item in data]
    if not isinstance(data, dict):
        raise AnsibleFilterError('%s: expected an OCCI resource or link (a dict with "kind" and "id", as the '
                                 'smartstack.smartos modules return in "resource") or a list of them, got %s'
                                 % (name, type(data).__name__))
    return data


def _bool(value, name, option):
    if not isinstance(value, bool):
        raise AnsibleFilterError('%s: option %s must be a boolean, got %r' % (name, option, value))
    return value


def to_occi_json(data, strict=False, indent=None, sort_keys=False):
    """Validate and normalise an OCCI entity rendering; return it as ``application/occi+json`` text."""
    name = 'to_occi_json'
    strict = _bool(strict, name, 'strict')
    sort_keys = _bool(sort_keys, name, 'sort_keys')
    if indent is not None and (isinstance(indent, bool) or not isinstance(indent, int) or indent < 0):
        raise AnsibleFilterError('%s: option indent must be a non-negative integer, got %r' % (name, indent))
    data = _unwrap(data, name)
    try:
        rendering = normalise(data, strict=strict)
    except OCCIError as exc:
        raise AnsibleFilterError('%s: invalid OCCI entity: %s' % (name, exc))
    return json.dumps(rendering, indent=indent, sort_keys=sort_keys, ensure_ascii=False)


def to_occi_text(data, strict=False, joined=False, full_categories=False):
    """Validate an OCCI entity rendering and return its ``text/occi`` rendering (header lines)."""
    name = 'to_occi_text'
    strict = _bool(strict, name, 'strict')
    joined = _bool(joined, name, 'joined')
    full_categories = _bool(full_categories, name, 'full_categories')
    data = _unwrap(data, name)
    try:
        if isinstance(data, list):
            entities = [parse_entity(item, strict=strict).validate(strict) for item in data]
            return render_text(entities, joined=joined)
        entity = parse_entity(data, strict=strict).validate(strict)
        return render_text(entity, joined=joined, category_details=full_categories)
    except OCCIError as exc:
        raise AnsibleFilterError('%s: invalid OCCI entity: %s' % (name, exc))


class FilterModule(object):
    """OCCI rendering filters."""

    def filters(self):
        return {
            'to_occi_json': to_occi_json,
            'to_occi_text': to_occi_text,
        }
