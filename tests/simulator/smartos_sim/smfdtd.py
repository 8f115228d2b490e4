"""Parse a service bundle manifest and validate it against ``service_bundle.dtd.1``.

svccfg hands a manifest to libxml2 (``xmlReadFile`` then ``xmlValidateDocument``) before it
reads anything (reference smartos_smf_zones.md §6.2). Here the document is parsed with expat
(line numbers kept for the messages) and checked against the DTD's element content models,
required and enumerated attributes. The DTD is read at run time from ``SMARTOS_SIM_DTD`` when
that names a file (the real ``service_bundle.dtd.1``), else from ``EMBEDDED_DTD`` below: the
element and attribute declarations of that DTD (no comments), derived from
illumos-joyent usr/src/cmd/svc/dtd/service_bundle.dtd.1.
"""
import os
import re
import xml.parsers.expat

MANIFEST_DTD_PATH = '/usr/share/lib/xml/dtd/service_bundle.dtd.1'

# The declarations of service_bundle.dtd.1, one per line (its comments dropped).
EMBEDDED_DTD = """
<!ELEMENT xi:include (xi:fallback)>
<!ATTLIST xi:include href CDATA #REQUIRED parse (xml|text) "xml" encoding CDATA #IMPLIED
 xmlns:xi CDATA #FIXED "http://www.w3.org/2001/XInclude">
<!ELEMENT xi:fallback ANY>
<!ATTLIST xi:fallback xmlns:xi CDATA #FIXED "http://www.w3.org/2001/XInclude">
<!ELEMENT stability EMPTY>
<!ATTLIST stability value (Standard|Stable|Evolving|Unstable|External|Obsolete) #REQUIRED>
<!ELEMENT value_node EMPTY>
<!ATTLIST value_node value CDATA #REQUIRED>
<!ELEMENT count_list (value_node+)>
<!ELEMENT integer_list (value_node+)>
<!ELEMENT opaque_list (value_node+)>
<!ELEMENT host_list (value_node+)>
<!ELEMENT hostname_list (value_node+)>
<!ELEMENT net_address_v4_list (value_node+)>
<!ELEMENT net_address_v6_list (value_node+)>
<!ELEMENT time_list (value_node+)>
<!ELEMENT astring_list (value_node+)>
<!ELEMENT ustring_list (value_node+)>
<!ELEMENT boolean_list (value_node+)>
<!ELEMENT fmri_list (value_node+)>
<!ELEMENT uri_list (value_node+)>
<!ELEMENT property (count_list|integer_list|opaque_list|host_list|hostname_list|net_address_v4_list|
 net_address_v6_list|time_list|astring_list|ustring_list|boolean_list|fmri_list|uri_list)?>
<!ATTLIST property name CDATA #REQUIRED type (count|integer|opaque|host|hostname|net_address_v4|
 net_address_v6|time|astring|ustring|boolean|fmri|uri) #REQUIRED override (true|false) "false">
<!ELEMENT propval EMPTY>
<!ATTLIST propval name CDATA #REQUIRED type (count|integer|opaque|host|hostname|net_address_v4|
 net_address_v6|time|astring|ustring|boolean|fmri|uri) #REQUIRED value CDATA #REQUIRED
 override (true|false) "false">
<!ELEMENT property_group (stability?, (propval|property)*)>
<!ATTLIST property_group name CDATA #REQUIRED type CDATA #REQUIRED delete (true|false) "false">
<!ELEMENT service_fmri EMPTY>
<!ATTLIST service_fmri value CDATA #REQUIRED>
<!ELEMENT dependency (service_fmri*, stability?, (propval|property)*)>
<!ATTLIST dependency name CDATA #REQUIRED grouping (require_all|require_any|exclude_all|optional_all) #REQUIRED
 restart_on (error|restart|refresh|none) #REQUIRED type CDATA #REQUIRED delete (true|false) "false">
<!ELEMENT dependent (service_fmri, stability?, (propval|property)*)>
<!ATTLIST dependent name CDATA #REQUIRED grouping (require_all|require_any|exclude_all|optional_all) #REQUIRED
 restart_on (error|restart|refresh|none) #REQUIRED delete (true|false) "false" override (true|false) "false">
<!ELEMENT envvar EMPTY>
<!ATTLIST envvar name CDATA #REQUIRED value CDATA #REQUIRED>
<!ELEMENT method_environment (envvar+)>
<!ELEMENT method_profile EMPTY>
<!ATTLIST method_profile name CDATA #REQUIRED>
<!ELEMENT method_credential EMPTY>
<!ATTLIST method_credential user CDATA #REQUIRED group CDATA #IMPLIED supp_groups CDATA #IMPLIED
 privileges CDATA #IMPLIED limit_privileges CDATA #IMPLIED>
<!ELEMENT method_context ((method_profile|method_credential)?, method_environment?)>
<!ATTLIST method_context working_directory CDATA #IMPLIED project CDATA #IMPLIED resource_pool CDATA #IMPLIED>
<!ELEMENT exec_method (method_context?, stability?, (propval|property)*)>
<!ATTLIST exec_method type (method|monitor) #REQUIRED name CDATA #REQUIRED exec CDATA #REQUIRED
 timeout_seconds CDATA #REQUIRED delete (true|false) "false">
<!ELEMENT restarter (service_fmri)>
<!ELEMENT doc_link EMPTY>
<!ATTLIST doc_link name CDATA #REQUIRED uri CDATA #REQUIRED>
<!ELEMENT manpage EMPTY>
<!ATTLIST manpage title CDATA #REQUIRED section CDATA #REQUIRED manpath CDATA ":default">
<!ELEMENT documentation (doc_link|manpage)*>
<!ELEMENT loctext (#PCDATA)>
<!ATTLIST loctext xml:lang CDATA #REQUIRED>
<!ELEMENT description (loctext+)>
<!ELEMENT common_name (loctext+)>
<!ELEMENT units (loctext+)>
<!ELEMENT visibility EMPTY>
<!ATTLIST visibility value (hidden|readonly|readwrite) #REQUIRED>
<!ELEMENT value (common_name?, description?)>
<!ATTLIST value name CDATA #REQUIRED>
<!ELEMENT values (value+)>
<!ELEMENT cardinality EMPTY>
<!ATTLIST cardinality min CDATA "0" max CDATA "18446744073709551615">
<!ELEMENT internal_separators (#PCDATA)>
<!ELEMENT range EMPTY>
<!ATTLIST range min CDATA #REQUIRED max CDATA #REQUIRED>
<!ELEMENT constraints (value*, range*)>
<!ELEMENT include_values EMPTY>
<!ATTLIST include_values type (constraints|values) #REQUIRED>
<!ELEMENT choices (value*, range*, include_values*)>
<!ELEMENT prop_pattern (common_name?, description?, units?, visibility?, cardinality?, internal_separators?,
 values?, constraints?, choices?)>
<!ATTLIST prop_pattern name CDATA #REQUIRED type (count|integer|opaque|host|hostname|net_address_v4|
 net_address_v6|time|astring|ustring|boolean|fmri|uri) #IMPLIED required (true|false) "false">
<!ELEMENT pg_pattern (common_name?, description?, prop_pattern*)>
<!ATTLIST pg_pattern name CDATA "" type CDATA "" required (true|false) "false"
 target (this|instance|delegate|all) "this">
<!ELEMENT template (common_name, description?, documentation?, pg_pattern*)>
<!ELEMENT create_default_instance EMPTY>
<!ATTLIST create_default_instance enabled (true|false) #REQUIRED>
<!ELEMENT single_instance EMPTY>
<!ELEMENT instance (restarter?, dependency*, dependent*, method_context?, exec_method*, property_group*, template?)>
<!ATTLIST instance name CDATA #REQUIRED enabled (true|false) #REQUIRED>
<!ELEMENT service (create_default_instance?, single_instance?, restarter?, dependency*, dependent*,
 method_context?, exec_method*, property_group*, instance*, stability?, template?)>
<!ATTLIST service name CDATA #REQUIRED version CDATA #REQUIRED type (service|restarter|milestone) #REQUIRED>
<!ELEMENT service_bundle (service_bundle*|service*|xi:include*)>
<!ATTLIST service_bundle type CDATA #REQUIRED name CDATA #REQUIRED>
"""


class Node:
    """An element of the parsed document: name, attributes, children, text, line."""

    def __init__(self, name, attrs, line):
        self.name = name
        self.attrs = attrs
        self.line = line
        self.children = []
        self.text = ''

    def find(self, name):
        """Children called ``name``."""
        return [c for c in self.children if c.name == name]

    def first(self, name):
        found = self.find(name)
        return found[0] if found else None


class ParseError(Exception):
    """The document is not well-formed XML."""

    def __init__(self, message, line):
        super().__init__(message)
        self.line = line


class Document:
    """A parsed manifest: root node plus its DOCTYPE."""

    def __init__(self):
        self.root = None
        self.doctype = None
        self.system_id = None


def parse(data):
    """Parse XML bytes into a :class:`Document` (raises :class:`ParseError`)."""
    doc = Document()
    stack = []
    parser = xml.parsers.expat.ParserCreate()

    def doctype(name, sysid, pubid, has_internal):  # pylint: disable=unused-argument
        doc.doctype = name
        doc.system_id = sysid

    def start(name, attrs):
        node = Node(name, dict(attrs), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            doc.root = node
        stack.append(node)

    def end(name):  # pylint: disable=unused-argument
        stack.pop()

    def chars(text):
        if stack:
            stack[-1].text += text

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ParseError(xml.parsers.expat.ErrorString(exc.code), exc.lineno) from exc
    return doc


# ---------------------------------------------------------------- DTD

class _Particle:
    """A content-model particle: a name, or a sequence/choice of particles, with occurrence."""

    def __init__(self, kind, name=None, items=None, occur=''):
        self.kind = kind        # 'name', 'seq', 'or'
        self.name = name
        self.items = items or []
        self.occur = occur

    def regex(self):
        if self.kind == 'name':
            body = '<%s>' % re.escape(self.name)
        else:
            sep = '' if self.kind == 'seq' else '|'
            body = sep.join(i.regex() for i in self.items)
        return '(?:%s)%s' % (body, self.occur)

    def describe(self, englob):
        """libxml2's rendering of a content model (xmlSnprintfElementContent): ``(a? , b*)``."""
        if self.kind == 'name':
            return self.name + self.occur
        sep = ' , ' if self.kind == 'seq' else ' | '
        inner = sep.join(i.describe(i.kind != 'name') for i in self.items)
        return ('(%s)' % inner if englob else inner) + self.occur


def _parse_model(text):
    tokens = re.findall(r'[()|,?*+]|[^\s()|,?*+]+', text)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        tok = tokens[pos[0]]
        pos[0] += 1
        return tok

    def occur(particle):
        if peek() in ('?', '*', '+'):
            particle.occur = take()
        return particle

    def group():
        take()  # '('
        items = [item()]
        kind = 'seq'
        while peek() in (',', '|'):
            kind = 'seq' if take() == ',' else 'or'
            items.append(item())
        take()  # ')'
        return occur(_Particle(kind, items=items))

    def item():
        if peek() == '(':
            return group()
        return occur(_Particle('name', name=take()))

    return group()


class ElementDecl:
    """One ``<!ELEMENT>``: EMPTY, ANY, mixed (#PCDATA...) or a children model."""

    def __init__(self, name, spec):
        self.name = name
        spec = ' '.join(spec.split())
        self.kind = 'children'
        self.model = None
        self.mixed = ()
        if spec == 'EMPTY':
            self.kind = 'empty'
        elif spec == 'ANY':
            self.kind = 'any'
        elif '#PCDATA' in spec:
            self.kind = 'mixed'
            self.mixed = tuple(n for n in re.findall(r'[^\s()|*]+', spec) if n != '#PCDATA')
        else:
            self.model = _parse_model(spec)
            self._re = re.compile(self.model.regex())

    def accepts(self, names):
        return bool(self._re.fullmatch(''.join('<%s>' % n for n in names)))


class AttrDecl:
    """One attribute of an ``<!ATTLIST>``."""

    def __init__(self, name, atype, default):
        self.name = name
        self.enum = None
        if atype.startswith('('):
            self.enum = [v.strip() for v in atype.strip('()').split('|')]
        self.required = default == '#REQUIRED'
        self.fixed = None
        if default.startswith('#FIXED'):
            self.fixed = default.split(None, 1)[1].strip('"\'')


_ATTR_RE = re.compile(r'''(\S+)\s+(CDATA|ID|IDREFS?|NMTOKENS?|ENTITY|ENTITIES|\([^)]*\))\s+'''
                      r'''(#REQUIRED|#IMPLIED|#FIXED\s+(?:"[^"]*"|'[^']*')|"[^"]*"|'[^']*')''')


class Dtd:
    """Element and attribute declarations of a DTD."""

    def __init__(self, text):
        text = re.sub(r'<!--.*?-->', '', text, flags=re.S)
        self.elements = {}
        self.attlists = {}
        for match in re.finditer(r'<!ELEMENT\s+(\S+)\s+(.*?)>', text, flags=re.S):
            self.elements[match.group(1)] = ElementDecl(match.group(1), match.group(2))
        for match in re.finditer(r'<!ATTLIST\s+(\S+)(.*?)>', text, flags=re.S):
            body = ' '.join(match.group(2).split())
            attrs = self.attlists.setdefault(match.group(1), {})
            for amatch in _ATTR_RE.finditer(body):
                attrs[amatch.group(1)] = AttrDecl(amatch.group(1), amatch.group(2).replace(' ', ''), amatch.group(3))

    def validate(self, root):
        """Validity errors as ``(line, element, message)``, in libxml2's order (document order)."""
        errors = []
        self._validate(root, errors)
        return errors

    def _validate(self, node, errors):
        def err(msg):
            errors.append((node.line, node.name, msg))

        decl = self.elements.get(node.name)
        if decl is None:
            err('No declaration for element %s' % node.name)
        else:
            names = [c.name for c in node.children]
            has_text = bool(node.text.strip())
            if decl.kind == 'empty' and (names or node.text):
                err('Element %s was declared EMPTY this one has content' % node.name)
            elif decl.kind == 'mixed':
                for child in names:
                    if child not in decl.mixed:
                        err('Element %s is not declared in %s list of possible children' % (child, node.name))
            elif decl.kind == 'children' and (has_text or not decl.accepts(names)):
                got = ''.join(n + ' ' for n in names) + ('CDATA ' if has_text else '')
                err('Element %s content does not follow the DTD, expecting %s, got (%s)'
                    % (node.name, decl.model.describe(True), got))
            for aname, adecl in self.attlists.get(node.name, {}).items():
                if adecl.required and aname not in node.attrs:
                    err('Element %s does not carry attribute %s' % (node.name, aname))
        attlist = self.attlists.get(node.name, {})
        for aname, value in node.attrs.items():
            adecl = attlist.get(aname)
            if adecl is None:
                if aname.startswith('xmlns'):
                    continue
                err('No declaration for attribute %s of element %s' % (aname, node.name))
            elif adecl.enum is not None and value not in adecl.enum:
                err('Value "%s" for attribute %s of %s is not among the enumerated set' % (value, aname, node.name))
            elif adecl.fixed is not None and value != adecl.fixed:
                err('Value for attribute %s of %s is different from default "%s"' % (aname, node.name, adecl.fixed))
        for child in node.children:
            self._validate(child, errors)


def load_dtd():
    """The DTD named by ``SMARTOS_SIM_DTD`` (the real file), else the embedded declarations."""
    path = os.environ.get('SMARTOS_SIM_DTD')
    if path and os.path.isfile(path):
        with open(path, encoding='utf-8') as handle:
            return Dtd(handle.read())
    return Dtd(EMBEDDED_DTD)
