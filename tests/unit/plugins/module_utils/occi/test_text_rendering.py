# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI text rendering (text/occi) against the grammar and examples of occi_facts.md 3.1 and 3.2.

The small parser below is written from the grammar, independently of the renderer, so that a
round trip through it checks quoting and escaping.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import Link, Mixin, Resource
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.errors import OCCIRenderingError
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import (
    COMPUTE,
    INFRASTRUCTURE_MODEL,
    NETWORK,
    NETWORKINTERFACE,
    STOP,
    os_template,
)
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.text_rendering import (
    attribute_value,
    format_float,
    format_value,
    invocation_headers,
    join_headers,
    quote,
    render_headers,
    render_text,
)


# -- a parser written from the grammar ----------------------------------------------------------

TERM = r'[A-Za-z0-9][A-Za-z0-9_.\-]*'
ATTRIBUTE_NAME = r'[A-Za-z0-9][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9][A-Za-z0-9_\-]*)*'
QUOTED = r'"(?:[^"\\]|\\.)*"'
SIMPLE_ESCAPES = {'n': '\n', 'r': '\r', 't': '\t'}


def unquote(text):
    assert text[0] == '"' and text[-1] == '"', text
    out = []
    i = 1
    while i < len(text) - 1:
        char = text[i]
        if char == '\\':
            nxt = text[i + 1]
            if nxt == 'u':
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(SIMPLE_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        assert char != '"', 'unescaped quote inside %s' % text
        out.append(char)
        i += 1
    return ''.join(out)


def split_outside_quotes(text, separator):
    """Split on ``separator`` where it is not inside a quoted string."""
    parts, current, in_quotes, escaped = [], [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == '\\' and in_quotes:
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == separator and not in_quotes:
            parts.append(''.join(current).strip())
            current = []
            continue
        current.append(char)
    assert not in_quotes, 'unterminated quoted string in %r' % text
    parts.append(''.join(current).strip())
    return parts


def parse_value(text):
    if text.startswith('"'):
        assert re.match('^%s$' % QUOTED, text, re.S), text
        return unquote(text)
    if text in ('true', 'false'):
        return text == 'true'
    if re.match(r'^-?[0-9]+$', text):
        return int(text)
    assert re.match(r'^-?[0-9]+\.[0-9]+$', text), 'not a number: %r' % text
    return float(text)


def parse_attribute(text):
    name, sep, value = text.partition('=')
    assert sep and re.match('^%s$' % ATTRIBUTE_NAME, name), text
    return name, parse_value(value)


def parse_params(parts):
    params = {}
    for part in parts:
        key, sep, value = part.partition('=')
        assert sep, part
        params[key] = parse_value(value) if value.startswith('"') or key.startswith('occi.') else value
    return params


def parse_category(value):
    parts = split_outside_quotes(value, ';')
    assert re.match('^%s$' % TERM, parts[0]), parts[0]
    params = parse_params(parts[1:])
    assert params['class'] in ('kind', 'mixin', 'action')
    return parts[0], params


def parse_link(value):
    parts = split_outside_quotes(value, ';')
    match = re.match(r'^<([^<>\s"]+)>$', parts[0])
    assert match, parts[0]
    return match.group(1), parse_params(parts[1:])


def parse_lines(text):
    headers = []
    for line in text.split('\n'):
        name, sep, value = line.partition(': ')
        assert sep and name in ('Category', 'Link', 'X-OCCI-Attribute', 'X-OCCI-Location'), line
        for item in split_outside_quotes(value, ','):
            headers.append((name, item))
    return headers


def attributes_of(text):
    return dict(parse_attribute(v) for n, v in parse_lines(text) if n == 'X-OCCI-Attribute')


# -- the examples of occi_facts.md 3.1 -----------------------------------------------------------

MY_STUFF = Mixin('http://example.com/occi/my_stuff#', 'my_stuff')


def example_compute(**overrides):
    network = Resource(NETWORK, '123', location='/network/123')
    nic = Link(NETWORKINTERFACE, '456', target=network, location='/link/networkinterface/456',
               attributes={'occi.networkinterface.interface': 'eth0', 'occi.networkinterface.mac': '00:11:22:33:44:55',
                           'occi.networkinterface.state': 'active'})
    params = dict(kind=COMPUTE, id='urn:uuid:9a3c0e8e-1111-2222-3333-444455556666', location='/compute/9a3c', title='My VM',
                  mixins=[MY_STUFF], actions=[STOP], links=[nic],
                  attributes={'occi.compute.architecture': 'x64', 'occi.compute.cores': 2, 'occi.compute.memory': 4.0,
                              'occi.compute.state': 'active'})
    params.update(overrides)
    return Resource(**params)


EXAMPLE_TEXT = '\n'.join([
    'Category: compute; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"',
    'Category: my_stuff; scheme="http://example.com/occi/my_stuff#"; class="mixin"',
    'Link: </compute/9a3c?action=stop>; rel="http://schemas.ogf.org/occi/infrastructure/compute/action#stop"',
    # as the spec example, plus occi.core.id, which this renderer gives every inline link
    'Link: </network/123>; rel="http://schemas.ogf.org/occi/infrastructure#network"; self="/link/networkinterface/456"; '
    'category="http://schemas.ogf.org/occi/infrastructure#networkinterface"; occi.core.id="456"; '
    'occi.networkinterface.interface="eth0"; occi.networkinterface.mac="00:11:22:33:44:55"; occi.networkinterface.state="active"',
    'X-OCCI-Attribute: occi.core.id="urn:uuid:9a3c0e8e-1111-2222-3333-444455556666"',
    'X-OCCI-Attribute: occi.core.title="My VM"',
    'X-OCCI-Attribute: occi.compute.architecture="x64"',
    'X-OCCI-Attribute: occi.compute.cores=2',
    'X-OCCI-Attribute: occi.compute.memory=4.0',
    'X-OCCI-Attribute: occi.compute.state="active"',
])


def test_spec_example_of_a_compute_instance():
    entity = example_compute().validate(strict=False)
    assert render_text(entity) == EXAMPLE_TEXT


def test_joined_text_occi_headers():
    joined = render_text(example_compute(), joined=True)
    lines = joined.split('\n')
    assert [line.split(':')[0] for line in lines] == ['Category', 'Link', 'X-OCCI-Attribute']
    assert 'X-OCCI-Attribute: occi.core.id="urn:uuid:9a3c0e8e-1111-2222-3333-444455556666", occi.core.title="My VM", ' in joined
    assert 'occi.compute.cores=2, occi.compute.memory=4.0' in joined
    # both forms carry the same headers
    assert parse_lines(joined) == parse_lines(EXAMPLE_TEXT)


def test_structure_of_the_rendering():
    headers = parse_lines(render_text(example_compute()))
    names = [n for n, v in headers]
    # resource_rendering = 1*(Category) *(Link) *(Attribute)
    assert names == sorted(names, key=['Category', 'Link', 'X-OCCI-Attribute'].index)
    term, params = parse_category(headers[0][1])
    assert (term, params) == ('compute', {'scheme': 'http://schemas.ogf.org/occi/infrastructure#', 'class': 'kind'})
    target, params = parse_link(headers[3][1])
    assert target == '/network/123'
    assert params['rel'] == 'http://schemas.ogf.org/occi/infrastructure#network'
    assert params['self'] == '/link/networkinterface/456'
    assert params['occi.networkinterface.mac'] == '00:11:22:33:44:55'


def test_category_with_details_for_the_query_interface():
    # occi_facts.md 3.1 query interface example, provider template line: identical
    ubuntu = os_template('http://example.com/occi/os_tpl#', 'ubuntu_1604', title='Ubuntu 16.04')
    assert render_text(ubuntu) == (
        'Category: ubuntu_1604; scheme="http://example.com/occi/os_tpl#"; class="mixin"; title="Ubuntu 16.04"; '
        'rel="http://schemas.ogf.org/occi/infrastructure#os_tpl"; location="/mixin/os_tpl/ubuntu_1604/"')
    term, params = parse_category(render_text(COMPUTE).partition(': ')[2])
    assert term == 'compute'
    assert params['title'] == 'Compute Resource'
    assert params['rel'] == 'http://schemas.ogf.org/occi/core#resource'
    assert params['location'] == '/compute/'
    # attribute-def = name [ "{" property *( SP property ) "}" ], separated by spaces
    attributes = re.findall(r'[^\s{]+(?:\{[^}]*\})?', params['attributes'])
    for item in ('occi.compute.architecture', 'occi.compute.cores', 'occi.compute.hostname', 'occi.compute.memory',
                 'occi.compute.state{immutable required}'):
        assert item in attributes
    assert params['actions'].split(' ')[:4] == ['http://schemas.ogf.org/occi/infrastructure/compute/action#' + t
                                                for t in ('start', 'stop', 'restart', 'suspend')]
    term, params = parse_category(render_text(STOP).partition(': ')[2])
    assert (term, params['class'], params['attributes']) == ('stop', 'action', 'method')


def test_entity_categories_in_full():
    text = render_text(example_compute(), category_details=True)
    first = text.split('\n', maxsplit=1)[0]
    assert first.startswith('Category: compute; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"; '
                            'title="Compute Resource"; rel="http://schemas.ogf.org/occi/core#resource"')


def test_model_rendering_is_one_category_per_line():
    lines = render_text(INFRASTRUCTURE_MODEL).split('\n')
    assert len(lines) == len(INFRASTRUCTURE_MODEL)
    # OCCI-WG compliance script: term; scheme="..."; class="kind|action|mixin"
    pattern = re.compile(r'^Category: %s; scheme="[^"]+#"; class="(kind|action|mixin)"' % TERM)
    for line in lines:
        assert pattern.match(line), line
        parse_category(line.partition(': ')[2])


def test_action_invocation():
    # occi_facts.md 3.1 "Action trigger"
    headers = invocation_headers(STOP, {'method': 'poweroff'})
    assert '\n'.join('%s: %s' % h for h in headers) == (
        'Category: stop; scheme="http://schemas.ogf.org/occi/infrastructure/compute/action#"; class="action"\n'
        'X-OCCI-Attribute: method="poweroff"')


def test_create_request_attributes():
    # occi_facts.md 3.1 "Create request": X-OCCI-Attribute: occi.core.title="vm1", occi.compute.cores=2
    headers = [('X-OCCI-Attribute', attribute_value('occi.core.title', 'vm1')),
               ('X-OCCI-Attribute', attribute_value('occi.compute.cores', 2))]
    assert join_headers(headers) == [('X-OCCI-Attribute', 'occi.core.title="vm1", occi.compute.cores=2')]


def test_collection_is_locations():
    first = example_compute()
    second = Resource(COMPUTE, 'urn:uuid:0b8f')
    assert render_text([first, second]) == 'X-OCCI-Location: /compute/9a3c\nX-OCCI-Location: /compute/0b8f'
    assert render_text([first, second], joined=True) == 'X-OCCI-Location: /compute/9a3c, /compute/0b8f'
    with pytest.raises(OCCIRenderingError):
        render_headers([COMPUTE])


def test_link_entity_rendering():
    link = example_compute().links[0]
    attributes = attributes_of(render_text(link))
    assert attributes['occi.core.source'] == '/compute/9a3c'
    assert attributes['occi.core.source.kind'] == COMPUTE.type_id
    assert attributes['occi.core.target'] == '/network/123'
    assert attributes['occi.core.target.kind'] == NETWORK.type_id
    assert render_text(link).startswith('Category: networkinterface; scheme="http://schemas.ogf.org/occi/infrastructure#"; class="kind"')


def test_quote_escaping_cannot_inject_attributes():
    # OCCI-WG compliance script: a title holding an escaped quote and a fake occi.compute.memory=1.0
    title = 'evil", occi.compute.memory=1.0, x="'
    entity = example_compute(title=title, attributes={'occi.compute.memory': 3.6, 'occi.compute.state': 'active'})
    for joined in (False, True):
        attributes = attributes_of(render_text(entity, joined=joined))
        assert attributes['occi.compute.memory'] == 3.6
        assert attributes['occi.core.title'] == title
    assert quote('say "hi"') == r'"say \"hi\""'
    assert quote('back\\slash') == r'"back\\slash"'


@pytest.mark.parametrize('value, text', [
    (True, 'true'), (False, 'false'), (2, '2'), (-3, '-3'), (4.0, '4.0'), (0.5, '0.5'), (1e20, '100000000000000000000.0'),
    (1e-7, '0.0000001'), ('x64', '"x64"'), ('two\nlines', r'"two\nlines"'), ('tab\there', '"tab\there"'),
    ('\x1b[0m', r'"\u001b[0m"'), (['a', 1], r'"[\"a\",1]"'), ({'b': 1}, r'"{\"b\":1}"'),
])
def test_value_formats(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize('value', [float('nan'), float('inf'), None, object()])
def test_unrenderable_values(value):
    with pytest.raises(OCCIRenderingError):
        format_value(value)


@pytest.mark.parametrize('name', ['bad name', 'a=b', '', 'x;y'])
def test_bad_attribute_names(name):
    with pytest.raises(OCCIRenderingError):
        attribute_value(name, 1)


def test_bad_locations():
    with pytest.raises(OCCIRenderingError):
        render_text(Resource(COMPUTE, 'urn:uuid:1', location='/compute/a b', attributes={'occi.compute.state': 'active'}))


# -- properties ---------------------------------------------------------------------------------

@settings(max_examples=500)
@given(st.text())
def test_any_string_survives_quoting(value):
    quoted = quote(value)
    assert unquote(quoted) == value
    # a header value: one line, no control characters but tab
    assert quoted.splitlines() == [quoted]
    assert not any(ord(c) < 0x20 and c != '\t' for c in quoted)


finite_floats = st.floats(allow_nan=False, allow_infinity=False)
values = st.one_of(st.text(), st.integers(), finite_floats, st.booleans())
names = st.from_regex(r'\A[a-z][a-z0-9_\-]{0,8}(\.[a-z0-9][a-z0-9_\-]{0,8}){0,3}\Z')


@settings(max_examples=300)
@given(names, values)
def test_any_attribute_survives_a_round_trip(name, value):
    parsed_name, parsed = parse_attribute(attribute_value(name, value))
    assert parsed_name == name
    if isinstance(value, float):
        assert isinstance(parsed, float) and parsed == value
        assert math.copysign(1, parsed) == math.copysign(1, value)
    else:
        assert parsed == value and type(parsed) is type(value)


@settings(max_examples=200)
@given(st.text(), st.text(), finite_floats.filter(lambda f: f >= 0), st.booleans())
def test_any_entity_survives_a_round_trip(title, hostname, memory, joined):
    entity = Resource(COMPUTE, 'urn:uuid:1', title=title,
                      attributes={'occi.compute.hostname': hostname, 'occi.compute.memory': memory, 'occi.compute.state': 'inactive'})
    text = render_text(entity.validate(), joined=joined)
    assert len(text.split('\n')) == len(text.splitlines())
    attributes = attributes_of(text)
    assert attributes == {'occi.core.id': 'urn:uuid:1', 'occi.core.title': title, 'occi.compute.hostname': hostname,
                          'occi.compute.memory': memory, 'occi.compute.state': 'inactive'}


@given(finite_floats)
def test_floats_always_have_a_point(value):
    text = format_float(value)
    assert re.match(r'^-?[0-9]+\.[0-9]+$', text), text
    assert float(text) == value
