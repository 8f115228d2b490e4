# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI 1.2 JSON rendering (GFD.225, media type ``application/occi+json``).

* :func:`render_json` -- the rendering of an entity, a category, the model, or a list of
  entities (a collection), as plain dicts and lists.
* :func:`dumps` -- the same as JSON text.
* :func:`parse_entity` -- a Resource or Link rendering (a dict, as a module returns it)
  back into :class:`~.core.Resource` / :class:`~.core.Link` objects, resolving type
  identifiers in a :class:`~.core.Model`.
* :func:`normalise` -- parse, validate and render again: the canonical form.

Shapes (GFD.225): a resource is ``{"kind", "mixins", "attributes", "actions", "id", "title",
"summary", "links"}``; a link is ``{"kind", "mixins", "attributes", "actions", "id", "title",
"source": {"location", "kind"}, "target": {"location", "kind"}}``; attributes are a flat object
keyed by the full dotted name.  When parsing, the core attributes may also appear inside
``attributes`` (``occi.core.id``, ``occi.core.title``, ...; rOCCI renders them twice); they
are moved to their top-level member and must agree with it.
"""

from __future__ import annotations

import json

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import (
    Category,
    Entity,
    Link,
    Mixin,
    Model,
    Resource,
    split_type_id,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIRenderingError, OCCIValidationError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import INFRASTRUCTURE_MODEL


MEDIA_TYPE = 'application/occi+json'

RESOURCE_MEMBERS = ('kind', 'mixins', 'attributes', 'actions', 'id', 'title', 'summary', 'links')
LINK_MEMBERS = ('kind', 'mixins', 'attributes', 'actions', 'id', 'title', 'source', 'target', 'rel')

_CORE_MEMBERS = {
    'occi.core.id': 'id',
    'occi.core.title': 'title',
    'occi.core.summary': 'summary',
}


def render_json(obj):
    """Return the GFD.225 rendering of ``obj`` as dicts and lists.

    ``obj`` is an :class:`~.core.Entity`, a :class:`~.core.Category`, a :class:`~.core.Model`
    (the query interface rendering) or a list of entities (``{"resources": [...]}`` and/or
    ``{"links": [...]}``).
    """
    if isinstance(obj, (Entity, Category, Model)):
        return obj.to_json()
    if isinstance(obj, (list, tuple)):
        resources = [e.to_json() for e in obj if isinstance(e, Resource)]
        links = [e.to_json() for e in obj if isinstance(e, Link)]
        if len(resources) + len(links) != len(obj):
            raise OCCIRenderingError('a collection may only hold Resource and Link objects')
        result = {}
        if resources or not links:
            result['resources'] = resources
        if links:
            result['links'] = links
        return result
    raise OCCIRenderingError('cannot render %r as application/occi+json' % (obj,))


def dumps(obj, indent=None, sort_keys=False):
    """Return the GFD.225 rendering of ``obj`` (see :func:`render_json`) as JSON text."""
    return json.dumps(render_json(obj), indent=indent, sort_keys=sort_keys, ensure_ascii=False,
                      separators=(',', ': ') if indent is not None else (', ', ': '))


def _fail(where, message):
    raise OCCIRenderingError('%s: %s' % (where, message))


def _string(where, name, value):
    if not isinstance(value, str):
        _fail(where, '"%s" must be a string, got %r' % (name, value))
    return value


def _string_list(where, name, value):
    if not isinstance(value, (list, tuple)):
        _fail(where, '"%s" must be a list of strings, got %r' % (name, value))
    for item in value:
        _string(where, name + '[]', item)
    return list(value)


def _endpoint(where, name, value):
    """Parse a link ``source``/``target``: ``{"location": ..., "kind": ...}`` (a bare location string is accepted)."""
    if isinstance(value, str):
        return value, None
    if not isinstance(value, dict):
        _fail(where, '"%s" must be an object {"location": ..., "kind": ...}, got %r' % (name, value))
    unknown = sorted(set(value) - set(('location', 'kind')))
    if unknown:
        _fail(where, '"%s" has unknown member(s) %s (allowed: location, kind)' % (name, ', '.join(unknown)))
    if 'location' not in value:
        _fail(where, '"%s" needs a "location"' % name)
    location = _string(where, name + '.location', value['location'])
    kind = value.get('kind')
    if kind is not None:
        _string(where, name + '.kind', kind)
    return location, kind


def _resolve_mixins(where, type_ids, model, strict):
    mixins = []
    for type_id in type_ids:
        mixin = model.get(type_id)
        if isinstance(mixin, Mixin):
            mixins.append(mixin)
            continue
        if strict:
            _fail(where, 'unknown mixin %s' % type_id)
        try:
            scheme, term = split_type_id(type_id)
        except OCCIValidationError as exc:
            _fail(where, str(exc))
        # A provider mixin this model does not know: keep it as an opaque tag.
        mixins.append(Mixin(scheme, term))
    return mixins


def _take_core_attributes(where, data, attributes):
    """Move ``occi.core.*`` entries of ``attributes`` to top-level members; return those members."""
    members = {}
    for name, member in _CORE_MEMBERS.items():
        if name in attributes:
            value = attributes.pop(name)
            if member in data and data[member] != value:
                _fail(where, 'attribute %s=%r disagrees with "%s"=%r' % (name, value, member, data[member]))
            members[member] = value
    for end in ('source', 'target'):
        name = 'occi.core.%s' % end
        if name in attributes:
            members[end] = attributes.pop(name)
        name = 'occi.core.%s.kind' % end
        if name in attributes:
            members[end + '.kind'] = attributes.pop(name)
    return members


def parse_entity(data, model=None, strict=False, _source=None):
    """Return the :class:`~.core.Resource` or :class:`~.core.Link` a GFD.225 rendering describes.

    :param data: the rendering as a dict.
    :param model: the :class:`~.core.Model` to resolve type identifiers in; defaults to
        OCCI Core + Infrastructure.
    :param strict: when false, mixins the model does not know are kept as opaque tags (and
        :meth:`~.core.Entity.validate` should then be called with ``strict=False``).

    Raises :class:`OCCIRenderingError` for a malformed rendering and
    :class:`OCCIValidationError` for an unknown kind. The entity is not validated.
    """
    model = model if model is not None else INFRASTRUCTURE_MODEL
    if not isinstance(data, dict):
        raise OCCIRenderingError('an OCCI entity rendering must be a JSON object, got %r' % (data,))
    where = 'entity %s' % data.get('id', '(no id)') if isinstance(data.get('id'), str) else 'entity'
    if 'kind' not in data:
        _fail(where, 'the "kind" member is required')
    kind = model.kind(_string(where, 'kind', data['kind']))
    if kind.entity_type == 'resource':
        allowed = RESOURCE_MEMBERS
    elif kind.entity_type == 'link':
        allowed = LINK_MEMBERS
    else:
        _fail(where, 'kind %s cannot be instantiated' % kind.type_id)
    where = '%s %s' % (kind.term, data.get('id')) if isinstance(data.get('id'), str) else kind.term
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        _fail(where, 'unknown member(s) %s (a %s rendering has: %s)' % (', '.join(unknown), kind.entity_type, ', '.join(allowed)))

    attributes = data.get('attributes', {})
    if not isinstance(attributes, dict):
        _fail(where, '"attributes" must be an object, got %r' % (attributes,))
    attributes = dict(attributes)
    for name in attributes:
        _string(where, 'attributes key', name)
    core = _take_core_attributes(where, data, attributes)

    entity_id = data.get('id', core.get('id'))
    if entity_id is None:
        _fail(where, 'the "id" member is required')
    entity_id = _string(where, 'id', entity_id)
    title = data.get('title', core.get('title'))
    if title is not None:
        _string(where, 'title', title)
    mixins = _resolve_mixins(where, _string_list(where, 'mixins', data.get('mixins', [])), model, strict)
    actions = None
    if 'actions' in data:
        actions = _string_list(where, 'actions', data['actions'])

    if kind.entity_type == 'resource':
        summary = data.get('summary', core.get('summary'))
        if summary is not None:
            _string(where, 'summary', summary)
        resource = Resource(kind, entity_id, title=title, summary=summary, attributes=attributes, mixins=mixins,
                            actions=actions)
        links = data.get('links', [])
        if not isinstance(links, (list, tuple)):
            _fail(where, '"links" must be a list of link objects, got %r' % (links,))
        sources = set()
        for item in links:
            source = item.get('source') if isinstance(item, dict) else None
            source = source.get('location') if isinstance(source, dict) else source
            if isinstance(source, str):
                sources.add(source)
        if len(sources) == 1:
            # The inline links tell where the resource lives (its id is often a URN).
            resource.location = sources.pop()
        for item in links:
            link = parse_entity(item, model, strict, _source=resource)
            if not isinstance(link, Link):
                _fail(where, 'links[] must be links, got a %s' % link.kind.term)
            resource.add_link(link)
        return resource

    source, source_kind = (None, None)
    if 'source' in data:
        source, source_kind = _endpoint(where, 'source', data['source'])
    elif 'source' in core:
        source, source_kind = core['source'], core.get('source.kind')
    elif _source is None:
        _fail(where, 'the "source" member is required')
    if 'target' in data:
        target, target_kind = _endpoint(where, 'target', data['target'])
    elif 'target' in core:
        target, target_kind = core['target'], core.get('target.kind')
    else:
        _fail(where, 'the "target" member is required')
    if _source is not None and source_kind is None and source in (None, _source.location):
        source_kind = _source.kind.type_id
    return Link(kind, entity_id, source=source, target=target, title=title, attributes=attributes, mixins=mixins,
                actions=actions, target_kind=target_kind, source_kind=source_kind)


def parse_invocation(data, model=None):
    """Parse a GFD.225 action invocation ``{"action": ..., "attributes": {...}}``.

    Returns ``(Action, parameters)`` with the parameters validated and normalised.
    """
    model = model if model is not None else INFRASTRUCTURE_MODEL
    if not isinstance(data, dict):
        raise OCCIRenderingError('an action invocation must be a JSON object, got %r' % (data,))
    unknown = sorted(set(data) - set(('action', 'attributes')))
    if unknown:
        _fail('action invocation', 'unknown member(s) %s (allowed: action, attributes)' % ', '.join(unknown))
    if 'action' not in data:
        _fail('action invocation', 'the "action" member is required')
    action = model.action(_string('action invocation', 'action', data['action']))
    parameters = data.get('attributes', {})
    if not isinstance(parameters, dict):
        _fail('action invocation', '"attributes" must be an object, got %r' % (parameters,))
    return action, action.validate_parameters(parameters)


def normalise(data, model=None, strict=False):
    """Parse, validate and render again an entity rendering (or a list of them).

    Returns the canonical GFD.225 dict: members in spec order, attributes in definition
    order and normalised (``4`` -> ``4.0`` for a Float), required attributes with a default
    filled in, ``actions`` derived from the state when absent, inline links with their source.
    """
    if isinstance(data, (list, tuple)):
        return render_json([parse_entity(item, model, strict).validate(strict) for item in data])
    return parse_entity(data, model, strict).validate(strict).to_json()
