"""The SMF repository of the simulated global zone (the ``smf`` JSON document).

Layout of the document::

    {"services": {"site/foo": {
         "pgs": {<pg>: {"type": "method", "props": {<prop>: {"type": "astring", "values": [...]}}}},
         "manifest": "/opt/custom/smf/foo.xml" | null,
         "last_import": {"svc": <pgs>, "instances": {<inst>: <pgs>}},   # for re-import upgrades
         "instances": {"default": {
             "pgs": {...},                  # general/enabled, general_ovr/enabled (non-persistent), ...
             "running": {"svc": <pgs>, "inst": <pgs>},   # the running snapshot (taken by refresh)
             "rt": {...}}}}},               # the restarter's view, see smfstartd.new_runtime
     "next_ctid": 1000}

Properties are kept as strings in ``values`` with their SMF type beside them. The composed view
of an instance (what svcprop and svc.startd read) is the service's property groups overlaid by
the instance's, property by property.
"""
import copy
import fnmatch
import os

from smartos_sim import smfdtd

RESTARTER_FMRI = 'svc:/system/svc/restarter:default'
NONPERSISTENT_PGS = ('general_ovr', 'restarter', 'restarter_actions')
PROP_TYPES = ('count', 'integer', 'opaque', 'host', 'hostname', 'net_address_v4', 'net_address_v6', 'time',
              'astring', 'ustring', 'boolean', 'fmri', 'uri')


class ManifestError(Exception):
    """svccfg's complaint about a manifest; ``details`` are printed (libxml2 lines) before it."""

    def __init__(self, message, details=()):
        super().__init__(message)
        self.details = list(details)


# ---------------------------------------------------------------- FMRIs

def inst_fmri(svc, inst):
    return 'svc:/%s:%s' % (svc, inst)


def svc_fmri(svc):
    return 'svc:/%s' % svc


def log_name(svc, inst):
    """``/var/svc/log/<service>:<instance>.log`` with ``/`` -> ``-`` (reference §8)."""
    return '/var/svc/log/' + ('%s:%s' % (svc, inst)).replace('/', '-') + '.log'


def split_fmri(text):
    """``(service, instance-or-None)`` of an exact FMRI, or None when it is not one.

    ``svc:`` and ``//localhost`` are optional, then ``/`` (libscf scf_parse_svc_fmri, reference §1.1).
    """
    rest = text
    if rest.startswith('svc:'):
        rest = rest[4:]
        if rest.startswith('//localhost'):
            rest = rest[len('//localhost'):]
    rest = rest.lstrip('/')
    if not rest or any(c in rest for c in '*?['):
        return None
    if ':' in rest:
        svc, inst = rest.split(':', 1)
        if not svc or not inst or ':' in inst:
            return None
        return svc, inst
    return rest, None


def cmp_pattern(fmri, pattern):
    """libscf scf_cmp_pattern: ``pattern`` occurs at a component start and ends at ``:`` or the end."""
    start = 0
    while True:
        idx = fmri.find(pattern, start)
        if idx < 0:
            return False
        end = idx + len(pattern)
        if (idx == 0 or fmri[idx - 1] in '/:' or pattern[0] == ':') and (end == len(fmri) or fmri[end] == ':'):
            return True
        start = idx + 1


def all_instances(doc):
    """Every ``(service, instance)`` in repository order (sorted by FMRI)."""
    out = []
    for svc in sorted(doc.get('services', {})):
        for inst in sorted(doc['services'][svc]['instances']):
            out.append((svc, inst))
    return out


def match(doc, operand, services=False):
    """What an operand names (reference §1.2). Returns ``(kind, matches, stored_pattern)``.

    ``kind`` is 'exact', 'glob' or 'partial'; ``matches`` a list of ``(service, instance|None)``
    (instance None only when ``services`` and the operand names a service); the list is in
    discovery order (callers reverse it where the tool prepends).
    """
    svcs = doc.get('services', {})
    parsed = split_fmri(operand)
    if parsed:
        svc, inst = parsed
        if svc in svcs:
            if inst is None:
                if services:
                    return 'exact', [(svc, None)], operand
                return 'exact', [(svc, i) for i in sorted(svcs[svc]['instances'])], operand
            if inst in svcs[svc]['instances']:
                return 'exact', [(svc, inst)], operand
    if any(c in operand for c in '*?['):
        pattern = operand
        if not (operand.startswith('*') or operand[3:4] == ':'):
            pattern = 'svc:/' + operand
        found = [(s, i) for s, i in all_instances(doc) if fnmatch.fnmatchcase(inst_fmri(s, i), pattern)]
        if services:
            found += [(s, None) for s in sorted(svcs) if fnmatch.fnmatchcase(svc_fmri(s), pattern)]
        return 'glob', found, pattern
    found = [(s, i) for s, i in all_instances(doc) if cmp_pattern(inst_fmri(s, i), operand)]
    if services and not found:
        found = [(s, None) for s in sorted(svcs) if cmp_pattern(svc_fmri(s), operand)]
    return 'partial', found, operand


# ---------------------------------------------------------------- properties

def prop(ptype, *values):
    return {'type': ptype, 'values': [str(v) for v in values]}


def pg(ptype, props=None, flags=0):
    return {'type': ptype, 'flags': flags, 'props': props or {}}


def compose(svc_pgs, inst_pgs):
    """The composed view: the service's property groups overlaid by the instance's."""
    out = copy.deepcopy(svc_pgs or {})
    for name, group in (inst_pgs or {}).items():
        if name in out:
            out[name]['props'].update(copy.deepcopy(group['props']))
            out[name]['type'] = group['type']
        else:
            out[name] = copy.deepcopy(group)
    return out


def take_snapshot(service, inst):
    """svcadm/svccfg refresh: a new running snapshot from the current configuration."""
    inst['running'] = {'svc': copy.deepcopy(service['pgs']),
                       'inst': {k: copy.deepcopy(v) for k, v in inst['pgs'].items() if k not in NONPERSISTENT_PGS}}


def running_view(service, inst):
    """What svc.startd and svcprop read: the composed running snapshot."""
    snap = inst.get('running') or {'svc': service['pgs'], 'inst': inst['pgs']}
    return compose(snap['svc'], snap['inst'])


def current_view(service, inst):
    return compose(service['pgs'], inst['pgs'])


def get_value(view, pgname, pname, default=None):
    group = view.get(pgname)
    if not group or pname not in group['props'] or not group['props'][pname]['values']:
        return default
    return group['props'][pname]['values'][0]


def persistent_enabled(inst):
    return get_value(inst['pgs'], 'general', 'enabled', 'false') == 'true'


def effective_enabled(inst):
    """general_ovr/enabled when present, else general/enabled (svcadm synch.c is_enabled, §2.3)."""
    ovr = get_value(inst['pgs'], 'general_ovr', 'enabled')
    if ovr is not None:
        return ovr == 'true'
    return persistent_enabled(inst)


def set_enabled(inst, value, temporary):
    """svcadm enable/disable [-t] (svcadm.c set_inst_enabled, §2.3)."""
    text = 'true' if value else 'false'
    if temporary:
        inst['pgs'].setdefault('general_ovr', pg('framework', flags=1))['props']['enabled'] = prop('boolean', text)
    else:
        inst['pgs'].setdefault('general', pg('framework'))['props']['enabled'] = prop('boolean', text)
        inst['pgs'].pop('general_ovr', None)
    # UNCONFIRMED (§5): svc.startd reads the new value at once; the running snapshot follows it.
    running = inst.get('running')
    if running is not None and not temporary:
        running['inst'].setdefault('general', pg('framework'))['props']['enabled'] = prop('boolean', text)


# ---------------------------------------------------------------- manifests

def read_manifest(path, dtd=None):
    """Parse and validate a manifest file; return its bundle Node or raise :class:`ManifestError`.

    The checks run in svccfg's order (lxml_get_bundle_file, reference §6.2).
    """
    try:
        os.stat(path)
    except OSError as exc:
        raise ManifestError('Unable to stat file %s.  %s' % (path, exc.strerror)) from exc
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except OSError as exc:
        raise ManifestError('unable to open file: %s' % path) from exc
    try:
        doc = smfdtd.parse(data)
    except smfdtd.ParseError as exc:
        # UNCONFIRMED (§6.2): libxml2's own parser diagnostic; expat's wording in libxml2's frame.
        raise ManifestError('couldn\'t parse document', ['%s:%d: parser error : %s' % (path, exc.line, exc)]) from exc
    if doc.doctype is None:
        raise ManifestError('document has no DTD')
    if doc.system_id != smfdtd.MANIFEST_DTD_PATH:
        raise ManifestError('document DTD unknown; not service bundle?')
    root = doc.root
    if root is None:
        raise ManifestError('document is empty')
    if root.name != 'service_bundle':
        raise ManifestError('document is not a service bundle')
    errors = (dtd or smfdtd.load_dtd()).validate(root)
    if errors:
        # UNCONFIRMED (§6.2): libxml2's validity error frame, file:line: element X: validity error : ...
        raise ManifestError('Document is not valid.', ['%s:%d: element %s: validity error : %s' % (path, line, name, msg)
                                                       for line, name, msg in errors])
    if root.attrs.get('type') != 'manifest':
        raise ManifestError('document is not a manifest.')
    if not root.attrs.get('name'):
        raise ManifestError('service bundle lacks name attribute')
    for service in _services(root):
        for inst in service.find('instance'):
            if inst.attrs.get('enabled') not in ('true', 'false'):
                raise ManifestError('Instance "%s" missing attribute "enabled".' % inst.attrs.get('name'))
        for method in _all(service, 'exec_method'):
            tmo = method.attrs.get('timeout_seconds', '')
            if not (tmo.lstrip('-').isdigit()):
                raise ManifestError('illegal value "%s" for timeout_seconds (Illegal character)' % tmo)
    return root


def _services(bundle):
    out = []
    for child in bundle.children:
        if child.name == 'service':
            out.append(child)
        elif child.name == 'service_bundle':
            out.extend(_services(child))
    return out


def _all(node, name):
    out = []
    for child in node.children:
        if child.name == name:
            out.append(child)
        out.extend(_all(child, name))
    return out


def _props_of(node):
    props = {}
    for child in node.children:
        if child.name == 'propval':
            props[child.attrs['name']] = prop(child.attrs['type'], child.attrs['value'])
        elif child.name == 'property':
            values = []
            for lst in child.children:
                values.extend(v.attrs.get('value', '') for v in lst.find('value_node'))
            props[child.attrs['name']] = prop(child.attrs['type'], *values)
    return props


def _context_props(ctx):
    props = {}
    if ctx is None:
        return props
    for key in ('working_directory', 'project', 'resource_pool'):
        if key in ctx.attrs:
            props[key] = prop('astring', ctx.attrs[key])
    cred = ctx.first('method_credential')
    if cred is not None:
        for key in ('user', 'group', 'supp_groups', 'privileges', 'limit_privileges'):
            if key in cred.attrs:
                props[key] = prop('astring', cred.attrs[key])
    profile = ctx.first('method_profile')
    if profile is not None:
        props['profile'] = prop('astring', profile.attrs['name'])
        props['use_profile'] = prop('boolean', 'true')
    env = ctx.first('method_environment')
    if env is not None:
        props['environment'] = prop('astring', *['%s=%s' % (e.attrs['name'], e.attrs['value']) for e in env.find('envvar')])
    return props


def _entity_pgs(node):
    """The property groups a service or instance element defines (svccfg_xml.c lxml_get_*)."""
    pgs = {}
    restarter = node.first('restarter')
    if restarter is not None and restarter.first('service_fmri') is not None:
        pgs.setdefault('general', pg('framework'))['props']['restarter'] = prop(
            'fmri', restarter.first('service_fmri').attrs['value'])
    if node.first('single_instance') is not None:
        pgs.setdefault('general', pg('framework'))['props']['single_instance'] = prop('boolean', 'true')
    for dep in node.find('dependency'):
        props = {'grouping': prop('astring', dep.attrs['grouping']),
                 'restart_on': prop('astring', dep.attrs['restart_on']),
                 'type': prop('astring', dep.attrs['type'])}
        entities = [f.attrs['value'] for f in dep.find('service_fmri')]
        if entities:
            props['entities'] = prop('fmri', *entities)
        props.update(_props_of(dep))
        pgs[dep.attrs['name']] = pg('dependency', props)
    ctx = node.first('method_context')
    if ctx is not None:
        pgs['method_context'] = pg('framework', _context_props(ctx))
    for method in node.find('exec_method'):
        props = {'exec': prop('astring', method.attrs['exec']),
                 'timeout_seconds': prop('count', max(0, int(method.attrs['timeout_seconds']))),
                 'type': prop('astring', method.attrs['type'])}
        props.update(_context_props(method.first('method_context')))
        props.update(_props_of(method))
        pgs[method.attrs['name']] = pg('method', props)
    for group in node.find('property_group'):
        pgs[group.attrs['name']] = pg(group.attrs['type'], _props_of(group))
    stability = node.first('stability')
    if stability is not None:
        pgs.setdefault('general', pg('framework'))['props']['entity_stability'] = prop('astring', stability.attrs['value'])
    template = node.first('template')
    if template is not None:
        common = template.first('common_name')
        if common is not None:
            texts = {t.attrs.get('xml:lang', 'C'): t.text.strip() for t in common.find('loctext')}
            pgs['tm_common_name'] = pg('template', {lang: prop('ustring', text) for lang, text in texts.items()})
        desc = template.first('description')
        if desc is not None:
            texts = {t.attrs.get('xml:lang', 'C'): t.text.strip() for t in desc.find('loctext')}
            pgs['tm_description'] = pg('template', {lang: prop('ustring', text) for lang, text in texts.items()})
    return pgs


def bundle_services(root):
    """``{service: {"pgs": ..., "instances": {name: (enabled, pgs)}}}`` from a validated bundle."""
    out = {}
    for service in _services(root):
        instances = {}
        cdi = service.first('create_default_instance')
        if cdi is not None:
            instances['default'] = (cdi.attrs['enabled'] == 'true', {})
        for inst in service.find('instance'):
            instances[inst.attrs['name']] = (inst.attrs['enabled'] == 'true', _entity_pgs(inst))
        out[service.attrs['name']] = {'pgs': _entity_pgs(service), 'instances': instances,
                                      'type': service.attrs.get('type', 'service')}
    return out


def _upgrade(current, last, new):
    """Re-import (§6.2): properties unchanged since the last import take the manifest's values."""
    for pgname, group in new.items():
        if pgname not in current:
            current[pgname] = copy.deepcopy(group)
            continue
        cur = current[pgname]
        old = (last or {}).get(pgname, {'props': {}})
        for pname, value in group['props'].items():
            if pname not in cur['props'] or cur['props'][pname] == old['props'].get(pname):
                cur['props'][pname] = copy.deepcopy(value)
    for pgname, group in (last or {}).items():
        if pgname not in new and current.get(pgname) == group:
            del current[pgname]


def import_bundle(doc, root, path, new_runtime):
    """Apply a validated bundle to the repository; returns the ``(svc, inst)`` pairs it touched."""
    touched = []
    services = doc.setdefault('services', {})
    for name, spec in bundle_services(root).items():
        service = services.get(name)
        if service is None:
            service = services[name] = {'pgs': {}, 'instances': {}, 'manifest': path,
                                        'last_import': {'svc': {}, 'instances': {}}}
        last = service.setdefault('last_import', {'svc': {}, 'instances': {}})
        _upgrade(service['pgs'], last['svc'], spec['pgs'])
        last['svc'] = copy.deepcopy(spec['pgs'])
        service['manifest'] = path
        for iname, (enabled, ipgs) in spec['instances'].items():
            inst = service['instances'].get(iname)
            if inst is None:
                inst = service['instances'][iname] = {'pgs': {'general': pg('framework', {
                    'enabled': prop('boolean', 'true' if enabled else 'false')})}, 'rt': new_runtime()}
            # svccfg never changes general/enabled of an existing instance (§6.2)
            _upgrade(inst['pgs'], last['instances'].get(iname), ipgs)
            last['instances'][iname] = copy.deepcopy(ipgs)
            take_snapshot(service, inst)
            touched.append((name, iname))
    return touched


# ---------------------------------------------------------------- export

def _q(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace("'", '&apos;')
            .replace('"', '&quot;'))


def _export_props(props, indent):
    lines = []
    for pname in sorted(props):
        value = props[pname]
        if len(value['values']) == 1:
            lines.append("%s<propval name='%s' type='%s' value='%s'/>" % (indent, _q(pname), value['type'], _q(value['values'][0])))
        else:
            lines.append("%s<property name='%s' type='%s'>" % (indent, _q(pname), value['type']))
            lines.append('%s  <%s_list>' % (indent, value['type']))
            for item in value['values']:
                lines.append("%s    <value_node value='%s'/>" % (indent, _q(item)))
            lines.append('%s  </%s_list>' % (indent, value['type']))
            lines.append('%s</property>' % indent)
    return lines


_CTX_KEYS = ('working_directory', 'project', 'resource_pool', 'user', 'group', 'supp_groups', 'privileges',
             'limit_privileges', 'environment', 'profile', 'use_profile')


def _export_context(props, indent):
    ctx = {k: props[k]['values'] for k in _CTX_KEYS if k in props}
    if not ctx:
        return []
    attrs = ''.join(" %s='%s'" % (k, _q(ctx[k][0])) for k in ('working_directory', 'project', 'resource_pool') if k in ctx)
    lines = ['%s<method_context%s>' % (indent, attrs)]
    if 'user' in ctx:
        cred = ''.join(" %s='%s'" % (k, _q(ctx[k][0])) for k in ('user', 'group', 'supp_groups', 'privileges', 'limit_privileges')
                       if k in ctx)
        lines.append('%s  <method_credential%s/>' % (indent, cred))
    if ctx.get('environment'):
        lines.append('%s  <method_environment>' % indent)
        for item in ctx['environment']:
            key, _sep, value = item.partition('=')
            lines.append("%s    <envvar name='%s' value='%s'/>" % (indent, _q(key), _q(value)))
        lines.append('%s  </method_environment>' % indent)
    lines.append('%s</method_context>' % indent)
    return lines


def _export_entity(pgs, indent):
    lines = []
    general = pgs.get('general', {'props': {}})['props']
    if 'restarter' in general:
        lines += ['%s<restarter>' % indent, "%s  <service_fmri value='%s'/>" % (indent, _q(general['restarter']['values'][0])),
                  '%s</restarter>' % indent]
    for name in sorted(pgs):
        if pgs[name]['type'] == 'dependency':
            props = dict(pgs[name]['props'])
            attrs = {k: props.pop(k)['values'][0] for k in ('grouping', 'restart_on', 'type') if k in props}
            lines.append("%s<dependency name='%s' grouping='%s' restart_on='%s' type='%s'>"
                         % (indent, _q(name), attrs.get('grouping', ''), attrs.get('restart_on', ''), _q(attrs.get('type', ''))))
            for ent in props.pop('entities', {'values': []})['values']:
                lines.append("%s  <service_fmri value='%s'/>" % (indent, _q(ent)))
            lines += _export_props(props, indent + '  ')
            lines.append('%s</dependency>' % indent)
    if 'method_context' in pgs:
        lines += _export_context(pgs['method_context']['props'], indent)
    for name in sorted(pgs):
        if pgs[name]['type'] == 'method':
            props = dict(pgs[name]['props'])
            exe = props.pop('exec', {'values': ['']})['values'][0]
            tmo = props.pop('timeout_seconds', {'values': ['0']})['values'][0]
            mtype = props.pop('type', {'values': ['method']})['values'][0]
            ctx = _export_context(props, indent + '  ')
            for key in _CTX_KEYS:
                props.pop(key, None)
            body = ctx + _export_props(props, indent + '  ')
            head = "%s<exec_method name='%s' type='%s' exec='%s' timeout_seconds='%s'" % (indent, _q(name), mtype, _q(exe), tmo)
            lines += [head + '>'] + body + ['%s</exec_method>' % indent] if body else [head + '/>']
    for name in sorted(pgs):
        group = pgs[name]
        if group['type'] in ('dependency', 'method', 'template') or name in ('method_context',) + NONPERSISTENT_PGS:
            continue
        props = dict(group['props'])
        if name == 'general':
            for key in ('enabled', 'restarter', 'entity_stability', 'single_instance'):
                props.pop(key, None)
            if not props:
                continue
        lines.append("%s<property_group name='%s' type='%s'>" % (indent, _q(name), _q(group['type'])))
        lines += _export_props(props, indent + '  ')
        lines.append('%s</property_group>' % indent)
    return lines


def export_service(name, service):
    """``svccfg export``: the service as an XML bundle (§6.5; layout UNCONFIRMED)."""
    out = ["<?xml version='1.0'?>",
           "<!DOCTYPE service_bundle SYSTEM '%s'>" % smfdtd.MANIFEST_DTD_PATH,
           "<service_bundle type='manifest' name='export'>",
           "  <service name='%s' type='service' version='0'>" % _q(name)]
    out += _export_entity(service['pgs'], '    ')
    for iname in sorted(service['instances']):
        inst = service['instances'][iname]
        enabled = 'true' if persistent_enabled(inst) else 'false'
        body = _export_entity(inst['pgs'], '      ')
        head = "    <instance name='%s' enabled='%s'" % (_q(iname), enabled)
        out += [head + '>'] + body + ['    </instance>'] if body else [head + '/>']
    general = service['pgs'].get('general', {'props': {}})['props']
    if 'entity_stability' in general:
        out.append("    <stability value='%s'/>" % general['entity_stability']['values'][0])
    common = service['pgs'].get('tm_common_name')
    if common:
        out.append('    <template>')
        out.append('      <common_name>')
        for lang in sorted(common['props']):
            out.append("        <loctext xml:lang='%s'>%s</loctext>" % (_q(lang), _q(common['props'][lang]['values'][0])))
        out.append('      </common_name>')
        out.append('    </template>')
    out += ['  </service>', '</service_bundle>']
    return '\n'.join(out) + '\n'
