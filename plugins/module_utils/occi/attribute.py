# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI attribute definitions (OCCI Core 1.2, "Attribute" type).

An :class:`Attribute` describes one attribute a Kind, Mixin or Action defines: its name,
value type, unit, mutability, whether it is required, its default, and optional
constraints (an enumeration, a regular expression, a numeric range or a well-known
format such as an IP address).  :meth:`Attribute.validate` checks a value against the
definition and returns it normalised (for instance an ``int`` given for a Float
attribute becomes a ``float``).

Value types are the OCCI Infrastructure ones; the JSON rendering (GFD.225) only knows
``string``, ``number``, ``boolean``, ``array`` and ``object``, so ``integer`` and
``float`` render as ``number`` and the finer constraint goes into the JSON Schema
carried in ``pattern``.
"""

from __future__ import annotations

import ipaddress
import math
import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIValidationError


STRING = 'string'
INTEGER = 'integer'
FLOAT = 'float'
BOOLEAN = 'boolean'
ARRAY = 'array'
OBJECT = 'object'

TYPES = (STRING, INTEGER, FLOAT, BOOLEAN, ARRAY, OBJECT)

#: OCCI value type -> GFD.225 attribute description type
JSON_TYPES = {
    STRING: 'string',
    INTEGER: 'number',
    FLOAT: 'number',
    BOOLEAN: 'boolean',
    ARRAY: 'array',
    OBJECT: 'object',
}

#: Formats understood by :class:`Attribute` for string values.
FORMATS = ('ip', 'cidr', 'uri', 'mac')

JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-04/schema#'

# OCCI 1.2 text rendering: attribute names are dot-separated components of
# ALPHA / DIGIT / "-" / "_" starting with ALPHA or DIGIT.
ATTRIBUTE_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9][A-Za-z0-9_\-]*)*$')

_MAC_RE = re.compile(r'^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$')
_URI_RE = re.compile(r'^[^\s<>"]+$')


def _type_name(value):
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'float'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, (list, tuple)):
        return 'array'
    if isinstance(value, dict):
        return 'object'
    return type(value).__name__


def valid_attribute_name(name):
    """Return whether ``name`` is a well-formed OCCI attribute name."""
    return isinstance(name, str) and ATTRIBUTE_NAME_RE.match(name) is not None


class Attribute(object):
    """Definition of one OCCI attribute.

    :param name: full attribute name, e.g. ``occi.compute.cores`` (action parameters use
        bare names such as ``method``).
    :param type: one of :data:`TYPES`.
    :param mutable: whether a client may set or change it (``False`` = server-managed).
    :param required: whether an entity must carry it (multiplicity 1).
    :param default: value to use when the attribute is absent.
    :param pattern: a regular expression (ERE, anchored by the author) string values must match.
    :param enum: the allowed values.
    :param unit: unit of a numeric value, e.g. ``GiB``; informational.
    :param description: human-readable text.
    :param minimum: smallest allowed number (inclusive).
    :param maximum: largest allowed number (inclusive).
    :param format: one of :data:`FORMATS` for string values.
    """

    def __init__(self, name, type=STRING, mutable=True, required=False, default=None, pattern=None,
                 enum=None, unit=None, description=None, minimum=None, maximum=None, format=None):
        if not valid_attribute_name(name):
            raise OCCIValidationError('invalid OCCI attribute name %r' % (name,))
        if type not in TYPES:
            raise OCCIValidationError('attribute %s: unknown type %r, expected one of %s' % (name, type, ', '.join(TYPES)))
        if format is not None and format not in FORMATS:
            raise OCCIValidationError('attribute %s: unknown format %r, expected one of %s' % (name, format, ', '.join(FORMATS)))
        self.name = name
        self.type = type
        self.mutable = bool(mutable)
        self.required = bool(required)
        self.pattern = pattern
        self.enum = tuple(enum) if enum is not None else None
        self.unit = unit
        self.description = description
        self.minimum = minimum
        self.maximum = maximum
        self.format = format
        self._regex = re.compile(pattern) if pattern is not None else None
        self.default = None
        if default is not None:
            self.default = self.validate(default)

    def __repr__(self):
        return 'Attribute(%r, %r)' % (self.name, self.type)

    @property
    def json_type(self):
        """The GFD.225 type of this attribute (``string``, ``number``, ...)."""
        return JSON_TYPES[self.type]

    def copy(self, **overrides):
        """Return a copy of this definition with some properties replaced.

        Used by templates: a Mixin that overrides the default of a Kind attribute
        carries a copy of the Kind's definition with another ``default``.
        """
        params = dict(name=self.name, type=self.type, mutable=self.mutable, required=self.required,
                      default=self.default, pattern=self.pattern, enum=self.enum, unit=self.unit,
                      description=self.description, minimum=self.minimum, maximum=self.maximum,
                      format=self.format)
        params.update(overrides)
        return Attribute(**params)

    def with_default(self, default):
        """Return a copy of this definition whose default is ``default``."""
        return self.copy(default=default)

    def _fail(self, message):
        raise OCCIValidationError('attribute %s: %s' % (self.name, message))

    def validate(self, value):
        """Check ``value`` against this definition and return it normalised.

        Normalisation: an ``int`` for a Float becomes a ``float``, an integral ``float``
        for an Integer becomes an ``int``, a tuple for an Array becomes a list.
        Raises :class:`OCCIValidationError` with a message naming the attribute.
        """
        if value is None:
            self._fail('a value is required, got null')
        value = self._check_type(value)
        if self.enum is not None and value not in self.enum:
            self._fail('value %r is not one of %s' % (value, ', '.join(repr(e) for e in self.enum)))
        if self._regex is not None and isinstance(value, str) and not self._regex.search(value):
            self._fail('value %r does not match pattern %s' % (value, self.pattern))
        if self.minimum is not None and value < self.minimum:
            self._fail('value %r is below the minimum %r' % (value, self.minimum))
        if self.maximum is not None and value > self.maximum:
            self._fail('value %r is above the maximum %r' % (value, self.maximum))
        if self.format is not None:
            self._check_format(value)
        return value

    def _check_type(self, value):
        got = _type_name(value)
        if self.type == STRING:
            if not isinstance(value, str):
                self._fail('expected a string, got %s %r' % (got, value))
            return value
        if self.type == BOOLEAN:
            if not isinstance(value, bool):
                self._fail('expected a boolean, got %s %r' % (got, value))
            return value
        if self.type == INTEGER:
            if isinstance(value, float) and not isinstance(value, bool) and math.isfinite(value) and value.is_integer():
                return int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                self._fail('expected an integer, got %s %r' % (got, value))
            return int(value)
        if self.type == FLOAT:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                self._fail('expected a number, got %s %r' % (got, value))
            value = float(value)
            if not math.isfinite(value):
                self._fail('expected a finite number, got %r' % (value,))
            return value
        if self.type == ARRAY:
            if not isinstance(value, (list, tuple)):
                self._fail('expected an array, got %s %r' % (got, value))
            return list(value)
        # OBJECT
        if not isinstance(value, dict):
            self._fail('expected an object, got %s %r' % (got, value))
        return dict(value)

    def _check_format(self, value):
        if not isinstance(value, str):
            return
        if self.format == 'ip':
            try:
                ipaddress.ip_address(value)
            except ValueError:
                self._fail('value %r is not an IPv4 or IPv6 address' % (value,))
        elif self.format == 'cidr':
            try:
                if '/' not in value:
                    raise ValueError(value)
                ipaddress.ip_interface(value)
            except ValueError:
                self._fail('value %r is not an IPv4 or IPv6 address range in CIDR notation (e.g. 192.168.0.1/24)' % (value,))
        elif self.format == 'mac':
            if not _MAC_RE.match(value):
                self._fail('value %r is not a MAC address (e.g. 00:11:22:33:44:55)' % (value,))
        elif self.format == 'uri':
            if not _URI_RE.match(value):
                self._fail('value %r is not a URI' % (value,))

    def json_schema(self):
        """Return the JSON Schema (draft-04) rendered as ``pattern`` in GFD.225, or ``None``.

        ``None`` when the plain JSON type already says everything.
        """
        schema = {}
        if self.type == INTEGER:
            schema['type'] = 'integer'
        if self.enum is not None:
            if all(isinstance(e, str) for e in self.enum):
                schema['pattern'] = '^(%s)$' % '|'.join(re.escape(e) for e in self.enum)
            else:
                schema['enum'] = list(self.enum)
        elif self.pattern is not None:
            schema['pattern'] = self.pattern
        if self.minimum is not None:
            schema['minimum'] = self.minimum
        if self.maximum is not None:
            schema['maximum'] = self.maximum
        if self.format == 'ip':
            schema['oneOf'] = [{'format': 'ipv4'}, {'format': 'ipv6'}]
        if not schema:
            return None
        result = {'$schema': JSON_SCHEMA_DRAFT, 'type': schema.pop('type', self.json_type)}
        result.update(schema)
        return result

    def to_json(self):
        """Return the GFD.225 attribute description object of this definition."""
        result = {'mutable': self.mutable, 'required': self.required, 'type': self.json_type}
        schema = self.json_schema()
        if schema is not None:
            result['pattern'] = schema
        if self.default is not None:
            result['default'] = self.default
        description = self.description
        if self.unit:
            description = '%s (%s)' % (description, self.unit) if description else 'unit: %s' % self.unit
        if description:
            result['description'] = description
        return result

    def text_flags(self):
        """Return the text rendering property list, e.g. ``{immutable required}`` or ``''``."""
        flags = []
        if not self.mutable:
            flags.append('immutable')
        if self.required:
            flags.append('required')
        return '{%s}' % ' '.join(flags) if flags else ''
