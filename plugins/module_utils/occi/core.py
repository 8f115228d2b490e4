# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI Core 1.2 (GFD.221): categories, entities and the model that holds them.

Types:

* :class:`Category` -- identified by ``scheme`` + ``term`` (its *type identifier*);
  :class:`Kind`, :class:`Mixin` and :class:`Action` are its sub-types.
* :class:`Entity` -- abstract; :class:`Resource` and :class:`Link` are the concrete ones.
* :class:`Model` -- the set of categories a provider knows (what the query interface
  ``/-/`` lists), used to resolve type identifiers when parsing a rendering.

OCCI Core 1.2 names are used (``parent``, ``depends``, ``applies``); the 1.1 name of both
``parent`` and ``depends`` was ``related``.  The core model attributes are kept as Python
properties (``id``, ``title``, ``summary``, ``source``, ``target``) and map to the wire
names ``occi.core.id``, ``occi.core.title``, ... in the renderings.

Nothing here knows SmartOS.
"""

from __future__ import annotations

import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute, valid_attribute_name
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIStateError, OCCIValidationError


OCCI_SCHEME = 'http://schemas.ogf.org/occi/'
CORE_SCHEME = 'http://schemas.ogf.org/occi/core#'

#: OCCI 1.2 term: ALPHA / DIGIT first, then ALPHA / DIGIT / "-" / "_" / "."
TERM_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.\-]*$')
_URI_RE = re.compile(r'^[^\s<>"]+$')

#: Core model attributes kept as Python properties rather than in ``attributes``.
CORE_ATTRIBUTES = ('occi.core.id', 'occi.core.title', 'occi.core.summary', 'occi.core.source',
                   'occi.core.target', 'occi.core.source.kind', 'occi.core.target.kind')

_DEFAULT = object()


def split_type_id(type_id):
    """Split a type identifier ``<scheme>#<term>`` into ``(scheme, term)``; the scheme keeps its ``#``."""
    if not isinstance(type_id, str) or '#' not in type_id:
        raise OCCIValidationError('invalid OCCI type identifier %r: expected <scheme>#<term>' % (type_id,))
    scheme, dummy, term = type_id.rpartition('#')
    if not scheme or not TERM_RE.match(term):
        raise OCCIValidationError('invalid OCCI type identifier %r: expected <scheme>#<term>' % (type_id,))
    return scheme + '#', term


def valid_uri(value):
    """Return whether ``value`` looks like a URI or URI reference (non-empty, no blanks, no quotes)."""
    return isinstance(value, str) and _URI_RE.match(value) is not None


def _attribute_map(owner, attributes):
    result = {}
    if attributes is None:
        return result
    if isinstance(attributes, dict):
        attributes = list(attributes.values())
    for attribute in attributes:
        if not isinstance(attribute, Attribute):
            raise OCCIValidationError('%s: attribute definitions must be Attribute objects, got %r' % (owner, attribute))
        if attribute.name in result:
            raise OCCIValidationError('%s: attribute %s is defined twice' % (owner, attribute.name))
        result[attribute.name] = attribute
    return result


# ---------------------------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------------------------

class Category(object):
    """Base of Kind, Mixin and Action: a type identified by ``scheme`` + ``term``.

    :param scheme: URI ending with ``#``, e.g. ``http://schemas.ogf.org/occi/infrastructure#``.
    :param term: e.g. ``compute``.
    :param title: human-readable title.
    :param attributes: iterable (or dict) of :class:`Attribute` this category defines.
    """

    #: ``kind``, ``mixin`` or ``action`` -- the ``class`` of the text rendering.
    category_class = 'category'

    def __init__(self, scheme, term, title=None, attributes=None):
        if not isinstance(scheme, str) or not scheme.endswith('#') or not valid_uri(scheme):
            raise OCCIValidationError('invalid OCCI scheme %r: expected a URI ending with "#"' % (scheme,))
        if not isinstance(term, str) or not TERM_RE.match(term):
            raise OCCIValidationError('invalid OCCI term %r: expected letters, digits, "-", "_" or "."' % (term,))
        if title is not None and not isinstance(title, str):
            raise OCCIValidationError('%s%s: title must be a string' % (scheme, term))
        self.scheme = scheme
        self.term = term
        self.title = title
        self.attributes = _attribute_map(scheme + term, attributes)

    @property
    def type_id(self):
        """The type identifier: ``scheme`` + ``term``."""
        return self.scheme + self.term

    def __eq__(self, other):
        return isinstance(other, Category) and other.category_class == self.category_class and other.type_id == self.type_id

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.category_class, self.type_id))

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.type_id)

    def __str__(self):
        return self.type_id

    def attribute(self, name):
        """Return the :class:`Attribute` this category defines under ``name``, or ``None``."""
        return self.attributes.get(name)

    def to_json(self):
        """Return the GFD.225 rendering of this category as a dict."""
        result = {'term': self.term, 'scheme': self.scheme}
        if self.title is not None:
            result['title'] = self.title
        if self.attributes:
            result['attributes'] = dict((name, a.to_json()) for name, a in self.attributes.items())
        return result


class Action(Category):
    """An invocable operation bound to one Kind or Mixin; its attributes are its parameters.

    Action parameters are exempt from the ``occi.`` naming rules (``method``, ``size``).
    """

    category_class = 'action'

    def validate_parameters(self, parameters=None):
        """Check action parameters and return them normalised, with defaults filled in.

        Raises :class:`OCCIValidationError` for an unknown or invalid parameter or a missing
        required one.
        """
        parameters = dict(parameters or {})
        result = {}
        for name, value in parameters.items():
            if value is None:
                continue
            definition = self.attributes.get(name)
            if definition is None:
                known = ', '.join(self.attributes) or 'none'
                raise OCCIValidationError('action %s: unknown parameter %r (known: %s)' % (self.type_id, name, known))
            result[name] = definition.validate(value)
        for name, definition in self.attributes.items():
            if name not in result:
                if definition.default is not None:
                    result[name] = definition.default
                elif definition.required:
                    raise OCCIValidationError('action %s: parameter %r is required' % (self.type_id, name))
        return result

    def invocation(self, parameters=None):
        """Return the GFD.225 action invocation ``{"action": ..., "attributes": {...}}``."""
        return {'action': self.type_id, 'attributes': self.validate_parameters(parameters)}


def _ref_matches(category, ref):
    if isinstance(ref, Category):
        return category == ref
    return ref in (category.term, category.type_id)


class Kind(Category):
    """Identifies an Entity sub-type (compute, network, ...).

    :param parent: the parent :class:`Kind` (1.1 ``related``); every Kind but Entity has one.
    :param actions: the :class:`Action` objects this Kind defines.
    :param location: URL path of the Kind's collection; defaults to ``/<term>/``
        (Entity, which is never instantiated, has none).
    :param state_machine: a :class:`~.state.StateMachine` for the Kind's state attribute.
    """

    category_class = 'kind'

    def __init__(self, scheme, term, title=None, attributes=None, parent=None, actions=None, location=_DEFAULT,
                 state_machine=None):
        super(Kind, self).__init__(scheme, term, title, attributes)
        if parent is not None and not isinstance(parent, Kind):
            raise OCCIValidationError('kind %s: parent must be a Kind, got %r' % (self.type_id, parent))
        self.parent = parent
        self.actions = list(actions or [])
        for action in self.actions:
            if not isinstance(action, Action):
                raise OCCIValidationError('kind %s: actions must be Action objects, got %r' % (self.type_id, action))
        self.location = '/%s/' % term if location is _DEFAULT else location
        self.state_machine = state_machine
        if state_machine is not None:
            terms = [a.term for a in self.actions]
            for term_ in state_machine.actions:
                if term_ not in terms:
                    raise OCCIValidationError('kind %s: state machine uses undefined action %r' % (self.type_id, term_))

    def ancestry(self):
        """Return ``[self, parent, grandparent, ...]``."""
        result = []
        kind = self
        while kind is not None:
            result.append(kind)
            kind = kind.parent
        return result

    def is_a(self, other):
        """Return whether this Kind is ``other`` (a Kind or type identifier) or derives from it."""
        type_id = other if isinstance(other, str) else other.type_id
        return any(k.type_id == type_id for k in self.ancestry())

    @property
    def entity_type(self):
        """``resource``, ``link`` or ``None`` (Entity itself) -- which Entity sub-type this Kind identifies."""
        for kind in self.ancestry():
            if kind.type_id == CORE_SCHEME + 'resource':
                return 'resource'
            if kind.type_id == CORE_SCHEME + 'link':
                return 'link'
        return None

    def all_attributes(self):
        """Return every attribute definition of this Kind and its ancestors, root first."""
        result = {}
        for kind in reversed(self.ancestry()):
            result.update(kind.attributes)
        return result

    def find_attribute(self, name):
        """Return the definition of ``name`` from this Kind or an ancestor, or ``None``."""
        for kind in self.ancestry():
            if name in kind.attributes:
                return kind.attributes[name]
        return None

    def action(self, ref):
        """Return the :class:`Action` of this Kind named by ``ref`` (Action, term or type identifier).

        Raises :class:`OCCIValidationError` if this Kind defines no such action.
        """
        for action in self.actions:
            if _ref_matches(action, ref):
                return action
        known = ', '.join(a.term for a in self.actions) or 'none'
        raise OCCIValidationError('kind %s defines no action %r (actions: %s)' % (self.type_id, str(ref), known))

    @property
    def state_attribute(self):
        """Name of the state attribute (``occi.compute.state``, ...) or ``None``."""
        return self.state_machine.attribute if self.state_machine is not None else None

    @property
    def initial_state(self):
        """State of a new entity of this Kind, or ``None``."""
        return self.state_machine.initial if self.state_machine is not None else None

    def transition(self, state, action):
        """Return the state ``action`` leads to from ``state``.

        ``action`` is an :class:`Action`, a term or a type identifier of one of this Kind's
        actions. Raises :class:`OCCIValidationError` for an action the Kind does not define and
        :class:`OCCIStateError` for one that is not applicable in ``state``.
        """
        action = self.action(action)
        if self.state_machine is None:
            raise OCCIStateError('kind %s has no state machine' % self.type_id)
        return self.state_machine.transition(state, action.term)

    def applicable_actions(self, state):
        """Return the :class:`Action` objects applicable in ``state`` (``[]`` without a state machine)."""
        if self.state_machine is None or state is None:
            return []
        terms = self.state_machine.applicable(state)
        return [a for a in self.actions if a.term in terms]

    def to_json(self):
        result = super(Kind, self).to_json()
        if self.parent is not None:
            result['parent'] = self.parent.type_id
        if self.actions:
            result['actions'] = [a.type_id for a in self.actions]
        if self.location is not None:
            result['location'] = self.location
        return result


class Mixin(Category):
    """Adds attributes and actions to entity instances; also tags and templates.

    :param depends: Mixins this one depends on (1.1 ``related``); an OS template depends on
        ``os_tpl``, a resource template on ``resource_tpl``.
    :param applies: Kinds this Mixin may be associated with; empty means any (``core#entity``).
    :param actions: the :class:`Action` objects this Mixin defines.
    :param location: URL path of the Mixin's collection; defaults to ``/mixin/<term>/``.
    """

    category_class = 'mixin'

    def __init__(self, scheme, term, title=None, attributes=None, depends=None, applies=None, actions=None,
                 location=None):
        super(Mixin, self).__init__(scheme, term, title, attributes)
        self.depends = list(depends or [])
        self.applies = list(applies or [])
        self.actions = list(actions or [])
        for mixin in self.depends:
            if not isinstance(mixin, Mixin):
                raise OCCIValidationError('mixin %s: depends must list Mixin objects, got %r' % (self.type_id, mixin))
        for kind in self.applies:
            if not isinstance(kind, Kind):
                raise OCCIValidationError('mixin %s: applies must list Kind objects, got %r' % (self.type_id, kind))
        for action in self.actions:
            if not isinstance(action, Action):
                raise OCCIValidationError('mixin %s: actions must be Action objects, got %r' % (self.type_id, action))
        self.location = location if location is not None else '/mixin/%s/' % term

    def all_depends(self):
        """Return every Mixin this one depends on, directly or not (depth first, no duplicates)."""
        result = []
        stack = list(self.depends)
        while stack:
            mixin = stack.pop(0)
            if mixin not in result:
                result.append(mixin)
                stack.extend(mixin.depends)
        return result

    def is_a(self, other):
        """Return whether this Mixin is ``other`` (Mixin or type identifier) or depends on it."""
        return any(m.type_id == (other if isinstance(other, str) else other.type_id) for m in [self] + self.all_depends())

    def applies_to(self, kind):
        """Return whether this Mixin (and every Mixin it depends on) may be associated with ``kind``."""
        for mixin in [self] + self.all_depends():
            if mixin.applies and not any(kind.is_a(k) for k in mixin.applies):
                return False
        return True

    def all_attributes(self):
        """Return the attribute definitions of the Mixins this one depends on, then its own."""
        result = {}
        for mixin in reversed(self.all_depends()):
            result.update(mixin.attributes)
        result.update(self.attributes)
        return result

    def action(self, ref):
        """Return the :class:`Action` of this Mixin named by ``ref``, or ``None``."""
        for action in self.actions:
            if _ref_matches(action, ref):
                return action
        return None

    def to_json(self):
        result = super(Mixin, self).to_json()
        if self.actions:
            result['actions'] = [a.type_id for a in self.actions]
        if self.depends:
            result['depends'] = [m.type_id for m in self.depends]
        if self.applies:
            result['applies'] = [k.type_id for k in self.applies]
        result['location'] = self.location
        return result


# ---------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------

def local_id(entity_id):
    """Return the last path segment used to build an entity location from its id.

    ``urn:uuid:9a3c...`` -> ``9a3c...``; other ids are used as they are.
    """
    if entity_id.lower().startswith('urn:uuid:'):
        return entity_id[len('urn:uuid:'):]
    return entity_id


class Entity(object):
    """Abstract OCCI Entity; use :class:`Resource` or :class:`Link`.

    :param kind: the :class:`Kind` of the entity.
    :param id: entity identifier, a URI (RECOMMENDED ``urn:uuid:<uuid>``).
    :param title: ``occi.core.title``.
    :param attributes: dict of attribute name (``occi.compute.cores``) to value; ``None``
        values are dropped (attribute absent).
    :param mixins: the :class:`Mixin` objects associated with the entity.
    :param actions: the actions currently applicable (Action objects or type identifiers);
        ``None`` derives them from the Kind's state machine and the Mixins.
    :param location: URL path of the entity; defaults to the Kind's location plus the id
        (``/compute/<uuid>``).
    """

    #: which Kind sub-tree this Python type renders (``resource`` / ``link``)
    entity_type = None

    def __init__(self, kind, id, title=None, attributes=None, mixins=None, actions=None, location=None):
        if not isinstance(kind, Kind):
            raise OCCIValidationError('entity kind must be a Kind, got %r' % (kind,))
        self.kind = kind
        self.id = id
        self.title = title
        if attributes is not None and not isinstance(attributes, dict):
            raise OCCIValidationError('%s %s: attributes must be a dict, got %r' % (kind.term, id, attributes))
        self.attributes = dict((k, v) for k, v in (attributes or {}).items() if v is not None)
        self.mixins = list(mixins or [])
        self.actions = list(actions) if actions is not None else None
        self._location = location

    def __repr__(self):
        return '%s(%s, %r)' % (type(self).__name__, self.kind.term, self.id)

    def __eq__(self, other):
        return type(self) is type(other) and self.to_json() == other.to_json()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    # -- identity -------------------------------------------------------------------------

    @property
    def location(self):
        """URL path of the entity (``/compute/<uuid>``), or its id if that is already a path or URL."""
        if self._location is not None:
            return self._location
        if self.id.startswith('/') or '://' in self.id:
            return self.id
        return '%s%s' % (self.kind.location or '/', local_id(self.id))

    @location.setter
    def location(self, value):
        self._location = value

    # -- attributes -----------------------------------------------------------------------

    def definitions(self):
        """Return the attribute definitions that apply: Kind chain, then Mixins (which override)."""
        result = self.kind.all_attributes()
        for mixin in self.mixins:
            if isinstance(mixin, Mixin):
                result.update(mixin.all_attributes())
        return result

    def defaults(self):
        """Return ``{name: default}`` for every applicable attribute that has a default."""
        return dict((n, a.default) for n, a in self.definitions().items() if a.default is not None and n not in CORE_ATTRIBUTES)

    def apply_defaults(self):
        """Set every absent attribute that has a default (a template's default wins); return self."""
        for name, value in self.defaults().items():
            self.attributes.setdefault(name, value)
        return self

    @property
    def state(self):
        """Value of the Kind's state attribute (``occi.compute.state``, ...) or ``None``."""
        name = self.kind.state_attribute
        return self.attributes.get(name) if name else None

    @state.setter
    def state(self, value):
        name = self.kind.state_attribute
        if name is None:
            raise OCCIStateError('kind %s has no state attribute' % self.kind.type_id)
        self.attributes[name] = value

    # -- actions --------------------------------------------------------------------------

    def find_action(self, ref):
        """Return the :class:`Action` named by ``ref`` from the Kind or a Mixin; raise if unknown."""
        for action in self.kind.actions:
            if _ref_matches(action, ref):
                return action
        for mixin in self.mixins:
            if isinstance(mixin, Mixin):
                for candidate in [mixin] + mixin.all_depends():
                    action = candidate.action(ref)
                    if action is not None:
                        return action
        known = [a.term for a in self.kind.actions]
        raise OCCIValidationError('%s %s: no action %r (actions: %s)' % (self.kind.term, self.id, str(ref), ', '.join(known) or 'none'))

    def applicable_actions(self):
        """Return the actions applicable now: the explicit list, else derived from the state.

        Derived: the Kind's actions the state machine allows in the current state, plus
        every action of the Mixins (Mixins carry no state machine).
        """
        if self.actions is not None:
            return list(self.actions)
        result = list(self.kind.applicable_actions(self.state))
        for mixin in self.mixins:
            if isinstance(mixin, Mixin):
                result.extend(a for a in mixin.actions if a not in result)
        return result

    def trigger(self, action, parameters=None):
        """Apply ``action`` to the model: check it is applicable, move the state, return the parameters.

        Returns the normalised parameters (defaults filled in). Raises
        :class:`OCCIStateError` when the action is not applicable in the current state.
        Mixin actions do not change the state.
        """
        action = self.find_action(action)
        params = action.validate_parameters(parameters)
        if action in self.kind.actions and self.kind.state_machine is not None:
            state = self.state if self.state is not None else self.kind.initial_state
            self.state = self.kind.transition(state, action)
        return params

    # -- validation -----------------------------------------------------------------------

    def _where(self):
        return '%s %s' % (self.kind.term, self.id)

    def _validate_identity(self):
        if not isinstance(self.id, str) or not valid_uri(self.id):
            raise OCCIValidationError('%s: id must be a URI (e.g. urn:uuid:<uuid>), got %r' % (self.kind.term, self.id))
        if self.title is not None and not isinstance(self.title, str):
            raise OCCIValidationError('%s: title must be a string, got %r' % (self._where(), self.title))
        if self.kind.entity_type != self.entity_type:
            raise OCCIValidationError('%s: kind %s does not identify a %s' % (self._where(), self.kind.type_id, self.entity_type))
        if self.kind.location is None:
            raise OCCIValidationError('%s: kind %s cannot be instantiated' % (self._where(), self.kind.type_id))

    def _validate_mixins(self):
        seen = set()
        for mixin in self.mixins:
            if not isinstance(mixin, Mixin):
                raise OCCIValidationError('%s: mixins must be Mixin objects, got %r' % (self._where(), mixin))
            if mixin.type_id in seen:
                raise OCCIValidationError('%s: mixin %s is associated twice' % (self._where(), mixin.type_id))
            seen.add(mixin.type_id)
            if not mixin.applies_to(self.kind):
                raise OCCIValidationError('%s: mixin %s does not apply to kind %s' % (self._where(), mixin.type_id, self.kind.type_id))

    def _validate_attributes(self, strict):
        definitions = self.definitions()
        normalised = {}
        for name, value in self.attributes.items():
            if name in CORE_ATTRIBUTES:
                raise OCCIValidationError('%s: %s is not an attribute here, it is the entity\'s %s'
                                          % (self._where(), name, name.split('.', 2)[2]))
            definition = definitions.get(name)
            if definition is None:
                if strict or name.startswith('occi.'):
                    raise OCCIValidationError('%s: attribute %s is not defined by kind %s or its mixins'
                                              % (self._where(), name, self.kind.term))
                if not valid_attribute_name(name):
                    raise OCCIValidationError('%s: invalid attribute name %r' % (self._where(), name))
                normalised[name] = value
                continue
            normalised[name] = definition.validate(value)
        missing = []
        for name, definition in definitions.items():
            if name in CORE_ATTRIBUTES or name in normalised or not definition.required:
                continue
            if definition.default is not None:
                normalised[name] = definition.default
            else:
                missing.append(name)
        if missing:
            raise OCCIValidationError('%s: required attribute(s) missing: %s' % (self._where(), ', '.join(missing)))
        self.attributes = normalised

    def _validate_actions(self, strict):
        if self.actions is None:
            return
        resolved = []
        for ref in self.actions:
            if isinstance(ref, Action):
                ref = ref.type_id
            try:
                resolved.append(self.find_action(ref))
            except OCCIValidationError:
                if strict or not isinstance(ref, str) or ref.startswith(OCCI_SCHEME):
                    raise
                split_type_id(ref)
                resolved.append(ref)
        self.actions = resolved

    def validate(self, strict=True):
        """Check the entity against its Kind and Mixins; normalise it in place and return it.

        Checks: id is a URI, the Kind identifies this entity type, each Mixin applies to the
        Kind, each attribute is defined and its value valid (type, enum, pattern, range),
        required attributes are present (a missing required attribute with a default gets the
        default), listed actions exist.  With ``strict=False`` attributes and actions outside
        the reserved ``occi.`` namespace that no known category defines are let through (for
        provider Mixins the model does not know).  Raises :class:`OCCIValidationError`.
        """
        self._validate_identity()
        self._validate_mixins()
        self._validate_attributes(strict)
        self._validate_actions(strict)
        return self

    def validate_changes(self, changes, strict=True):
        """Check attribute values a client wants to set (at creation or update); return them normalised.

        Immutable (server-managed) attributes such as the state may not be set by clients.
        """
        return check_client_attributes(self.kind, changes, self.mixins, strict=strict)

    def changed_attributes(self, desired):
        """Return ``{name: value}`` of the attributes in ``desired`` whose value differs from this entity's.

        ``desired`` is normalised first (see :meth:`validate_changes`), so ``4`` and ``4.0``
        for a Float attribute compare equal.
        """
        desired = self.validate_changes(desired, strict=False)
        return dict((n, v) for n, v in desired.items() if self.attributes.get(n) != v)

    # -- rendering ------------------------------------------------------------------------

    def ordered_attributes(self):
        """Return the attributes ordered as their definitions are, unknown ones last by name."""
        result = {}
        for name in self.definitions():
            if name in self.attributes:
                result[name] = self.attributes[name]
        for name in sorted(self.attributes):
            if name not in result:
                result[name] = self.attributes[name]
        return result

    def _json_head(self):
        result = {'kind': self.kind.type_id}
        if self.mixins:
            result['mixins'] = [m.type_id for m in self.mixins]
        result['attributes'] = self.ordered_attributes()
        actions = [a.type_id if isinstance(a, Action) else a for a in self.applicable_actions()]
        if actions:
            result['actions'] = actions
        result['id'] = self.id
        if self.title is not None:
            result['title'] = self.title
        return result

    def to_json(self):
        """Return the GFD.225 (``application/occi+json``) rendering of the entity as a dict.

        Members in the order of the specification; ``mixins``, ``actions`` and ``links`` are
        left out when empty (absent ``actions`` parse back to the same derived list).
        """
        return self._json_head()


def check_client_attributes(kind, attributes, mixins=(), strict=True):
    """Check attribute values a client supplies for an entity of ``kind`` with ``mixins``.

    Every attribute must be defined (unless ``strict=False`` and outside ``occi.``) and
    mutable; values are validated and returned normalised. ``None`` values are skipped.
    Raises :class:`OCCIValidationError`.
    """
    definitions = kind.all_attributes()
    for mixin in mixins:
        if isinstance(mixin, Mixin):
            definitions.update(mixin.all_attributes())
    result = {}
    for name, value in (attributes or {}).items():
        if value is None:
            continue
        definition = definitions.get(name)
        if definition is None:
            if strict or name.startswith('occi.'):
                raise OCCIValidationError('%s: attribute %s is not defined by kind %s or its mixins' % (kind.term, name, kind.term))
            result[name] = value
            continue
        if not definition.mutable:
            raise OCCIValidationError('%s: attribute %s is immutable (managed by the provider) and cannot be set' % (kind.term, name))
        result[name] = definition.validate(value)
    return result


def option_name(name):
    """Return the short name a module option uses for attribute ``name``.

    ``occi.compute.cores`` -> ``cores``, ``occi.network.address`` -> ``address``,
    ``occi.credentials.ssh.publickey`` -> ``ssh.publickey``; names outside ``occi.`` are kept.
    """
    parts = name.split('.')
    if parts[0] == 'occi' and len(parts) > 2:
        return '.'.join(parts[2:])
    return name


def attribute_options(kind, mixins=(), mutable_only=True):
    """Return ``{option name: attribute name}`` for the attributes of ``kind`` and ``mixins``.

    Lets a module take ``cores``/``memory``/``vlan`` options and hand the resources layer the
    OCCI names. Core attributes (id, title, ...) are left out; so are immutable ones unless
    ``mutable_only`` is false. Raises :class:`OCCIValidationError` if two attributes would
    share an option name.
    """
    definitions = kind.all_attributes()
    for mixin in mixins:
        if isinstance(mixin, Mixin):
            definitions.update(mixin.all_attributes())
    result = {}
    for name, definition in definitions.items():
        if name in CORE_ATTRIBUTES or (mutable_only and not definition.mutable):
            continue
        option = option_name(name)
        if option in result and result[option] != name:
            raise OCCIValidationError('attributes %s and %s share the option name %s' % (result[option], name, option))
        result[option] = name
    return result


class Resource(Entity):
    """An OCCI Resource (compute, network, storage, ...).

    :param summary: ``occi.core.summary``.
    :param links: the :class:`Link` objects whose source is this resource; a link without a
        source gets this resource as source.

    Example::

        vm = Resource(kind=COMPUTE, id='urn:uuid:...', title='web1',
                      attributes={'occi.compute.cores': 2, 'occi.compute.state': 'active'},
                      mixins=[ubuntu], links=[nic]).validate()
        vm.to_json()
    """

    entity_type = 'resource'

    def __init__(self, kind, id, title=None, attributes=None, mixins=None, links=None, actions=None, summary=None,
                 location=None):
        super(Resource, self).__init__(kind, id, title=title, attributes=attributes, mixins=mixins, actions=actions,
                                       location=location)
        self.summary = summary
        self.links = []
        for link in links or []:
            self.add_link(link)

    def add_link(self, link):
        """Add a :class:`Link`, making this resource its source if it has none; return the link."""
        if not isinstance(link, Link):
            raise OCCIValidationError('%s: links must be Link objects, got %r' % (self._where(), link))
        if link.source is None:
            link.source = self.location
            link.source_kind = self.kind.type_id
        self.links.append(link)
        return link

    def validate(self, strict=True):
        super(Resource, self).validate(strict)
        if self.summary is not None and not isinstance(self.summary, str):
            raise OCCIValidationError('%s: summary must be a string, got %r' % (self._where(), self.summary))
        for link in self.links:
            link.validate(strict)
            if link.source != self.location:
                raise OCCIValidationError('%s: link %s has source %s, not this resource (%s)'
                                          % (self._where(), link.id, link.source, self.location))
        return self

    def to_json(self):
        result = self._json_head()
        if self.summary is not None:
            result['summary'] = self.summary
        if self.links:
            result['links'] = [link.to_json() for link in self.links]
        return result


def _type_id_of(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Kind):
        return value.type_id
    raise OCCIValidationError('a kind must be a Kind or a type identifier, got %r' % (value,))


class Link(Entity):
    """An OCCI Link from a source Resource to a target (networkinterface, storagelink, ...).

    :param source: location of the source resource, or the :class:`Resource` itself;
        ``None`` when the link is passed to a Resource, which becomes the source.
    :param target: location (URI) of the target, or the :class:`Resource` itself.
    :param target_kind: Kind (or type identifier) of the target; taken from ``target`` when
        that is a Resource.
    :param source_kind: Kind (or type identifier) of the source; implied when rendered
        inside its source.
    """

    entity_type = 'link'

    def __init__(self, kind, id, source=None, target=None, title=None, attributes=None, mixins=None, actions=None,
                 target_kind=None, source_kind=None, location=None):
        super(Link, self).__init__(kind, id, title=title, attributes=attributes, mixins=mixins, actions=actions,
                                   location=location)
        if isinstance(source, Entity):
            source_kind = source_kind or source.kind
            source = source.location
        if isinstance(target, Entity):
            target_kind = target_kind or target.kind
            target = target.location
        self.source = source
        self.target = target
        self.source_kind = _type_id_of(source_kind)
        self.target_kind = _type_id_of(target_kind)

    def validate(self, strict=True):
        super(Link, self).validate(strict)
        for name in ('source', 'target'):
            value = getattr(self, name)
            if not valid_uri(value):
                raise OCCIValidationError('%s: %s must be the URI of a resource, got %r' % (self._where(), name, value))
        for name in ('source_kind', 'target_kind'):
            value = getattr(self, name)
            if value is not None:
                split_type_id(value)
        return self

    def to_json(self):
        result = self._json_head()
        source = {'location': self.source}
        if self.source_kind is not None:
            source['kind'] = self.source_kind
        target = {'location': self.target}
        if self.target_kind is not None:
            target['kind'] = self.target_kind
        result['source'] = source
        result['target'] = target
        return result


# ---------------------------------------------------------------------------------------------
# The model (what the query interface lists)
# ---------------------------------------------------------------------------------------------

class Model(object):
    """A registry of Kinds, Mixins and Actions, looked up by type identifier.

    Registering a Kind or Mixin also registers its actions (and a Kind its parents, a Mixin
    what it depends on and applies to).
    """

    def __init__(self, categories=()):
        self._categories = {}
        self.register(*categories)

    def register(self, *categories):
        """Add categories; return self. A different category under a known type identifier is an error."""
        for category in categories:
            if not isinstance(category, Category):
                raise OCCIValidationError('only Kind, Mixin and Action objects can be registered, got %r' % (category,))
            known = self._categories.get(category.type_id)
            if known is not None:
                if known is not category:
                    raise OCCIValidationError('category %s is already registered' % category.type_id)
                continue
            self._categories[category.type_id] = category
            if isinstance(category, Kind):
                if category.parent is not None:
                    self.register(category.parent)
                self.register(*category.actions)
            elif isinstance(category, Mixin):
                self.register(*category.depends)
                self.register(*category.applies)
                self.register(*category.actions)
        return self

    def copy(self):
        """Return a new Model with the same categories (to extend without touching this one)."""
        return Model(self._categories.values())

    def get(self, type_id):
        """Return the category registered under ``type_id``, or ``None``."""
        return self._categories.get(type_id)

    def _lookup(self, type_id, cls):
        category = self._categories.get(type_id)
        if not isinstance(category, cls):
            raise OCCIValidationError('unknown OCCI %s %r' % (cls.category_class, type_id))
        return category

    def kind(self, type_id):
        """Return the :class:`Kind` ``type_id``; raise :class:`OCCIValidationError` if unknown."""
        return self._lookup(type_id, Kind)

    def mixin(self, type_id):
        """Return the :class:`Mixin` ``type_id``; raise :class:`OCCIValidationError` if unknown."""
        return self._lookup(type_id, Mixin)

    def action(self, type_id):
        """Return the :class:`Action` ``type_id``; raise :class:`OCCIValidationError` if unknown."""
        return self._lookup(type_id, Action)

    @property
    def kinds(self):
        return [c for c in self._categories.values() if isinstance(c, Kind)]

    @property
    def mixins(self):
        return [c for c in self._categories.values() if isinstance(c, Mixin)]

    @property
    def actions(self):
        return [c for c in self._categories.values() if isinstance(c, Action)]

    def __iter__(self):
        return iter(list(self._categories.values()))

    def __contains__(self, item):
        type_id = item.type_id if isinstance(item, Category) else item
        return type_id in self._categories

    def __len__(self):
        return len(self._categories)

    def to_json(self):
        """Return the GFD.225 model rendering ``{"kinds": [...], "mixins": [...], "actions": [...]}``."""
        return {
            'kinds': [k.to_json() for k in self.kinds],
            'mixins': [m.to_json() for m in self.mixins],
            'actions': [a.to_json() for a in self.actions],
        }


# ---------------------------------------------------------------------------------------------
# The core kinds
# ---------------------------------------------------------------------------------------------

ENTITY = Kind(CORE_SCHEME, 'entity', title='Entity', location=None, attributes=[
    Attribute('occi.core.id', 'string', mutable=False, required=True, format='uri',
              description='Unique identifier of the entity, a URI (RECOMMENDED urn:uuid:...)'),
    Attribute('occi.core.title', 'string', description='Display name of the entity'),
])

RESOURCE = Kind(CORE_SCHEME, 'resource', title='Resource', parent=ENTITY, attributes=[
    Attribute('occi.core.summary', 'string', description='Short description of the resource'),
])

LINK = Kind(CORE_SCHEME, 'link', title='Link', parent=ENTITY, attributes=[
    Attribute('occi.core.source', 'string', required=True, format='uri', description='URI of the source resource'),
    Attribute('occi.core.source.kind', 'string', description='Kind of the source resource'),
    Attribute('occi.core.target', 'string', required=True, format='uri', description='URI of the target resource'),
    Attribute('occi.core.target.kind', 'string', description='Kind of the target resource'),
])

CORE_MODEL = Model([ENTITY, RESOURCE, LINK])
