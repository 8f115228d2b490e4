# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI renderings of the resources (and the os_tpl mixins) the smartstack.smartos modules return.

``to_occi_json`` and ``to_occi_text``; their documentation is in ``to_occi_json.yml`` and
``to_occi_text.yml`` next to this file.
"""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import (
    ARRAY,
    BOOLEAN,
    FLOAT,
    INTEGER,
    OBJECT,
    STRING,
    Attribute,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Action, Kind, Mixin, split_type_id
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIError, OCCIRenderingError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import INFRASTRUCTURE_MODEL
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.json_rendering import normalise, parse_entity
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.text_rendering import render_headers, render_text

# GFD.225 Mixin rendering members (a Kind would have "parent" instead of "depends"/"applies").
MIXIN_MEMBERS = ('term', 'scheme', 'title', 'attributes', 'actions', 'depends', 'applies', 'location')
ATTRIBUTE_MEMBERS = ('mutable', 'required', 'type', 'pattern', 'default', 'description')
_JSON_TYPES = {'string': STRING, 'number': FLOAT, 'boolean': BOOLEAN, 'array': ARRAY, 'object': OBJECT}


def is_category(data):
    """Whether ``data`` is a category rendering (GFD.225: ``term`` and ``scheme``), not an entity."""
    return isinstance(data, dict) and 'kind' not in data and 'term' in data and 'scheme' in data


def _unwrap(data, name):
    """Accept an entity or category rendering, a registered module result holding one (``resource``)
    or a list of them (``resources``), or a list of any of those."""
    if isinstance(data, dict) and 'kind' not in data and not is_category(data):
        if 'resource' in data:
            data = data['resource']
        elif isinstance(data.get('resources'), (list, tuple)):
            data = data['resources']
    if isinstance(data, (list, tuple)):
        return [_unwrap(item, name) for item in data]
    if not isinstance(data, dict):
        raise AnsibleFilterError('%s: expected an OCCI resource or link (a dict with "kind" and "id", as the '
                                 'smartstack.smartos modules return in "resource"), an OCCI mixin (a dict with '
                                 '"term" and "scheme") or a list of them, got %s' % (name, type(data).__name__))
    return data


def _fail(where, message):
    raise OCCIRenderingError('%s: %s' % (where, message))


def _strings(where, member, value):
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        _fail(where, '"%s" must be a list of strings, got %r' % (member, value))
    return list(value)


def _parse_attribute(where, attr_name, data):
    """An :class:`Attribute` from its GFD.225 description ``{"mutable", "required", "type", ...}``."""
    where = '%s attribute %s' % (where, attr_name)
    if not isinstance(data, dict):
        _fail(where, 'the description must be an object, got %r' % (data,))
    unknown = sorted(set(data) - set(ATTRIBUTE_MEMBERS))
    if unknown:
        _fail(where, 'unknown member(s) %s (allowed: %s)' % (', '.join(unknown), ', '.join(ATTRIBUTE_MEMBERS)))
    json_type = data.get('type', 'string')
    if json_type not in _JSON_TYPES:
        _fail(where, 'unknown type %r, expected one of %s' % (json_type, ', '.join(_JSON_TYPES)))
    value_type = _JSON_TYPES[json_type]
    params = {}
    schema = data.get('pattern')
    if schema is not None:
        if not isinstance(schema, dict):
            _fail(where, '"pattern" must be a JSON Schema object, got %r' % (schema,))
        if schema.get('type') == 'integer':
            value_type = INTEGER
        if isinstance(schema.get('pattern'), str):
            params['pattern'] = schema['pattern']
        if isinstance(schema.get('enum'), list):
            params['enum'] = schema['enum']
        for bound in ('minimum', 'maximum'):
            if schema.get(bound) is not None:
                params[bound] = schema[bound]
        if schema.get('oneOf') == [{'format': 'ipv4'}, {'format': 'ipv6'}]:
            params['format'] = 'ip'
    for flag in ('mutable', 'required'):
        if flag in data and not isinstance(data[flag], bool):
            _fail(where, '"%s" must be a boolean, got %r' % (flag, data[flag]))
    description = data.get('description')
    if description is not None and not isinstance(description, str):
        _fail(where, '"description" must be a string, got %r' % (description,))
    return Attribute(attr_name, value_type, mutable=data.get('mutable', True), required=data.get('required', False),
                     default=data.get('default'), description=description, **params)


def parse_mixin(data, strict=False, model=INFRASTRUCTURE_MODEL):
    """The :class:`Mixin` a GFD.225 category rendering describes (what the image modules return).

    ``depends`` and ``actions`` the model does not know stay opaque (an error when ``strict``);
    ``applies`` must name kinds of the model."""
    where = 'mixin %s%s' % (data.get('scheme'), data.get('term'))
    unknown = sorted(set(data) - set(MIXIN_MEMBERS))
    if unknown:
        _fail(where, 'unknown member(s) %s (a mixin rendering has: %s)' % (', '.join(unknown), ', '.join(MIXIN_MEMBERS)))
    for member in ('term', 'scheme', 'title', 'location'):
        if data.get(member) is not None and not isinstance(data[member], str):
            _fail(where, '"%s" must be a string, got %r' % (member, data[member]))
    attributes = data.get('attributes', {})
    if not isinstance(attributes, dict):
        _fail(where, '"attributes" must be an object, got %r' % (attributes,))
    depends = []
    for type_id in _strings(where, 'depends', data.get('depends', [])):
        mixin = model.get(type_id)
        if not isinstance(mixin, Mixin):
            if strict:
                _fail(where, 'unknown mixin %s in "depends"' % type_id)
            mixin = Mixin(*split_type_id(type_id))
        depends.append(mixin)
    applies = []
    for type_id in _strings(where, 'applies', data.get('applies', [])):
        kind = model.get(type_id)
        if not isinstance(kind, Kind):
            _fail(where, 'unknown kind %s in "applies"' % type_id)
        applies.append(kind)
    actions = []
    for type_id in _strings(where, 'actions', data.get('actions', [])):
        action = model.get(type_id)
        if not isinstance(action, Action):
            if strict:
                _fail(where, 'unknown action %s' % type_id)
            action = Action(*split_type_id(type_id))
        actions.append(action)
    return Mixin(data['scheme'], data['term'], title=data.get('title'),
                 attributes=[_parse_attribute(where, n, a) for n, a in attributes.items()],
                 depends=depends, applies=applies, actions=actions, location=data.get('location'))


def _categories_or_entities(data, name):
    """'categories' when ``data`` (a rendering or a list) holds only category renderings, 'entities'
    when only entity renderings; a mixed list is an error."""
    items = data if isinstance(data, list) else [data]
    categories = [is_category(item) for item in items]
    if items and all(categories):
        return 'categories'
    if any(categories):
        raise AnsibleFilterError('%s: a list holds either OCCI entities or OCCI mixins, not both' % name)
    return 'entities'


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
    if _categories_or_entities(data, name) == 'categories':
        try:
            if isinstance(data, list):
                # A collection of categories renders as the query interface does: {"mixins": [...]}.
                rendering = {'mixins': [parse_mixin(item, strict).to_json() for item in data]}
            else:
                rendering = parse_mixin(data, strict).to_json()
        except OCCIError as exc:
            raise AnsibleFilterError('%s: invalid OCCI mixin: %s' % (name, exc))
        return json.dumps(rendering, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
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
    if _categories_or_entities(data, name) == 'categories':
        try:
            mixins = [parse_mixin(item, strict) for item in (data if isinstance(data, list) else [data])]
            headers = [pair for mixin in mixins for pair in render_headers(mixin)]
        except OCCIError as exc:
            raise AnsibleFilterError('%s: invalid OCCI mixin: %s' % (name, exc))
        if joined:
            return 'Category: ' + ', '.join(value for _header, value in headers)
        return '\n'.join('%s: %s' % pair for pair in headers)
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
