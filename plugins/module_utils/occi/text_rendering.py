# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI text rendering (GFD.229, GFD.185): ``text/occi`` headers and the ``text/plain`` body.

Four structures exist, each an HTTP header::

    Category: compute; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"
    Link: </compute/9a3c?action=stop>; rel="http://schemas.ogf.org/occi/infrastructure/compute/action#stop"
    Link: </network/123>; rel="...#network"; self="/networkinterface/456"; category="...#networkinterface"; occi.networkinterface.interface="eth0"
    X-OCCI-Attribute: occi.compute.cores=2
    X-OCCI-Location: /compute/9a3c

An entity renders as ``1*(Category) *(Link) *(X-OCCI-Attribute)``: its Kind and Mixins, its
applicable actions as action links, its links (for a Resource), then its attributes (the core
ones ``occi.core.id``, ``occi.core.title``, ... first).  A category renders as one Category
header with title, rel, location, attributes and actions; a collection as X-OCCI-Location
headers.

Values: strings (and enumerations) are quoted strings, integers and floats bare (a float always
has a ``.``), booleans ``true``/``false``; arrays and objects are rendered as a quoted string
holding their JSON.  Inside a quoted string ``\\`` and ``"`` are escaped with a backslash
(RFC 7230 quoted-pair).  A header cannot carry line breaks or other control characters, so
those are written as JSON-style escapes (``\\n``, ``\\r``, ``\\u001b``); tab is kept as it is.
"""

from __future__ import annotations

import decimal
import json
import math

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import valid_attribute_name
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import (
    Action,
    Category,
    Entity,
    Kind,
    Link,
    Mixin,
    Model,
    Resource,
    valid_uri,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIRenderingError


MEDIA_TYPE = 'text/occi'
PLAIN_MEDIA_TYPES = ('text/plain', 'text/occi+plain')

CATEGORY = 'Category'
LINK = 'Link'
ATTRIBUTE = 'X-OCCI-Attribute'
LOCATION = 'X-OCCI-Location'

_ESCAPES = {'\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r'}


def _needs_unicode_escape(char):
    code = ord(char)
    return (code < 0x20 and char != '\t') or 0x7f <= code <= 0x9f or char in ('\u2028', '\u2029')


def quote(value):
    """Return ``value`` as a quoted string: ``"`` and ``\\`` backslash-escaped, control characters escaped."""
    if not isinstance(value, str):
        raise OCCIRenderingError('only strings can be quoted, got %r' % (value,))
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _needs_unicode_escape(char):
            out.append('\\u%04x' % ord(char))
        else:
            out.append(char)
    return '"%s"' % ''.join(out)


def format_float(value):
    """Render a float as digits with a decimal point (``4.0``, ``0.5``, ``100000000000000000000.0``)."""
    if not math.isfinite(value):
        raise OCCIRenderingError('%r cannot be rendered: OCCI numbers are finite' % (value,))
    text = repr(float(value))
    if 'e' in text or 'E' in text:
        text = format(decimal.Decimal(text), 'f')
    if '.' not in text:
        text += '.0'
    return text


def format_value(value):
    """Render an attribute value as the text rendering writes it."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple, dict)):
        return quote(json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False))
    raise OCCIRenderingError('cannot render a value of type %s: %r' % (type(value).__name__, value))


def attribute_value(name, value):
    """Return ``name=value`` (the value of an X-OCCI-Attribute header, or a link attribute)."""
    if not valid_attribute_name(name):
        raise OCCIRenderingError('invalid OCCI attribute name %r' % (name,))
    return '%s=%s' % (name, format_value(value))


def _uri(value, what):
    if not valid_uri(value):
        raise OCCIRenderingError('%s must be a URI without blanks, quotes or angle brackets, got %r' % (what, value))
    return value


def category_value(category, details=True):
    """Return the value of a Category header for ``category``.

    With ``details`` (the query interface form) title, rel, location, attributes and actions
    follow ``term; scheme; class``; without, only those three (the form used in an entity
    rendering, where the category is a reference).
    """
    parts = [category.term, 'scheme=%s' % quote(category.scheme), 'class=%s' % quote(category.category_class)]
    if not details:
        return '; '.join(parts)
    if category.title is not None:
        parts.append('title=%s' % quote(category.title))
    rel = None
    if isinstance(category, Kind) and category.parent is not None:
        rel = category.parent.type_id
    elif isinstance(category, Mixin) and category.depends:
        # GFD.229: only Mixin.depends is rendered into rel, and only the first one.
        rel = category.depends[0].type_id
    if rel is not None:
        parts.append('rel=%s' % quote(rel))
    location = getattr(category, 'location', None)
    if location is not None:
        parts.append('location=%s' % quote(location))
    if category.attributes:
        parts.append('attributes=%s' % quote(' '.join(name + a.text_flags() for name, a in category.attributes.items())))
    actions = getattr(category, 'actions', None)
    if actions:
        parts.append('actions=%s' % quote(' '.join(a.type_id for a in actions)))
    return '; '.join(parts)


def action_link_value(entity, action):
    """Return the value of the Link header offering ``action`` on ``entity``."""
    type_id = action.type_id if isinstance(action, Action) else action
    term = type_id.rpartition('#')[2]
    location = _uri(entity.location, 'entity location')
    return '<%s?action=%s>; rel=%s' % (location, term, quote(type_id))


def link_value(link):
    """Return the value of the Link header rendering ``link`` inside its source resource."""
    target = _uri(link.target, 'link target')
    parts = ['<%s>' % target,
             'rel=%s' % quote(link.target_kind or 'http://schemas.ogf.org/occi/core#resource'),
             'self=%s' % quote(_uri(link.location, 'link location')),
             'category=%s' % quote(' '.join([link.kind.type_id] + [m.type_id for m in link.mixins]))]
    parts.append(attribute_value('occi.core.id', link.id))
    if link.title is not None:
        parts.append(attribute_value('occi.core.title', link.title))
    for name, value in link.ordered_attributes().items():
        parts.append(attribute_value(name, value))
    return '; '.join(parts)


def _core_attributes(entity):
    result = [('occi.core.id', entity.id)]
    if entity.title is not None:
        result.append(('occi.core.title', entity.title))
    if isinstance(entity, Resource) and entity.summary is not None:
        result.append(('occi.core.summary', entity.summary))
    if isinstance(entity, Link):
        result.append(('occi.core.source', entity.source))
        if entity.source_kind is not None:
            result.append(('occi.core.source.kind', entity.source_kind))
        result.append(('occi.core.target', entity.target))
        if entity.target_kind is not None:
            result.append(('occi.core.target.kind', entity.target_kind))
    return result


def entity_headers(entity, category_details=False):
    """Return the ``(header, value)`` pairs rendering ``entity``."""
    headers = [(CATEGORY, category_value(entity.kind, category_details))]
    for mixin in entity.mixins:
        headers.append((CATEGORY, category_value(mixin, category_details)))
    for action in entity.applicable_actions():
        headers.append((LINK, action_link_value(entity, action)))
    if isinstance(entity, Resource):
        for link in entity.links:
            headers.append((LINK, link_value(link)))
    for name, value in _core_attributes(entity):
        headers.append((ATTRIBUTE, attribute_value(name, value)))
    for name, value in entity.ordered_attributes().items():
        headers.append((ATTRIBUTE, attribute_value(name, value)))
    return headers


def invocation_headers(action, parameters=None):
    """Return the ``(header, value)`` pairs of an action invocation (parameters validated)."""
    headers = [(CATEGORY, category_value(action, details=False))]
    for name, value in action.validate_parameters(parameters).items():
        headers.append((ATTRIBUTE, attribute_value(name, value)))
    return headers


def render_headers(obj, category_details=False):
    """Return the ``(header, value)`` pairs rendering ``obj``.

    ``obj``: an :class:`~.core.Entity`; a :class:`~.core.Category` or a
    :class:`~.core.Model` (Category headers with details); or a list of entities (their
    X-OCCI-Location headers).
    """
    if isinstance(obj, Entity):
        return entity_headers(obj, category_details)
    if isinstance(obj, Category):
        return [(CATEGORY, category_value(obj, details=True))]
    if isinstance(obj, Model):
        return [(CATEGORY, category_value(c, details=True)) for c in obj.kinds + obj.mixins + obj.actions]
    if isinstance(obj, (list, tuple)):
        result = []
        for item in obj:
            if not isinstance(item, Entity):
                raise OCCIRenderingError('a collection may only hold entities, got %r' % (item,))
            result.append((LOCATION, _uri(item.location, 'entity location')))
        return result
    raise OCCIRenderingError('cannot render %r as text/occi' % (obj,))


def join_headers(headers):
    """Merge repeated headers into one comma-separated header each, keeping first-seen order."""
    order = []
    values = {}
    for name, value in headers:
        if name not in values:
            order.append(name)
            values[name] = []
        values[name].append(value)
    return [(name, ', '.join(values[name])) for name in order]


def render_text(obj, joined=False, category_details=False):
    """Return the text rendering of ``obj`` as header lines (see :func:`render_headers`).

    One header per value (the ``text/plain`` body form, also valid ``text/occi`` headers), or
    with ``joined`` one line per header name with comma-separated values (the usual
    ``text/occi`` form). Lines are separated by ``\\n``, without a final newline.
    """
    headers = render_headers(obj, category_details)
    if joined:
        headers = join_headers(headers)
    return '\n'.join('%s: %s' % pair for pair in headers)
