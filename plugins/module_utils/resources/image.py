# Copyright (c) 2026 smartstack.smartos contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OCCI OS templates (``os_tpl`` mixins) backed by SmartOS images (``imgadm``).

An image is an OCCI *OS template*: a provider Mixin that depends on
``http://schemas.ogf.org/occi/infrastructure#os_tpl``. This provider's templates live in the
scheme :data:`OS_TPL_SCHEME` and are named by the image's name and version:

* scheme ``http://schemas.smartstack.io/occi/smartos/os_tpl#``;
* term ``<name>-<version>`` (e.g. ``base-64-lts-24.4.1``): OCCI terms may not contain ``@``,
  so the ``name@version`` a user writes becomes ``name-version``; characters a term does not
  allow become ``_``; an image whose manifest has no name (installed without a cached
  manifest) uses its uuid as term;
* title: the image's description (else ``name@version``);
* attributes (immutable, their defaults carry the image's facts): ``smartos.image.uuid``,
  ``.name``, ``.version``, ``.os``, ``.type``, ``.published_at``.

API:

* :func:`parse_ref` -- ``uuid`` / ``name@version`` / ``name`` into ``(uuid, name, version)``;
* :func:`resolve_os_tpl` -- the manifest an ``os_tpl`` reference names, importing the image
  when it is missing (the ``compute`` resource uses it for ``os_tpl``);
* :func:`os_tpl_mixin` / :func:`render_os_tpl` -- a manifest as an OCCI Mixin / its JSON;
* :class:`ImageResource` -- the ``image`` module's resource (imported/absent).

Commands (each one argv through :class:`~..smartos.imgadm.Imgadm`): a uuid reference reads
``imgadm get <uuid>``; a name reads one ``imgadm list -j``; only when the image is not
installed does ``imgadm avail -j`` follow, then ``imgadm import`` (not in check mode).
"""

from __future__ import annotations

import re

from ansible_collections.smartstack.smartos.plugins.module_utils.occi.attribute import Attribute
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.core import TERM_RE
from ansible_collections.smartstack.smartos.plugins.module_utils.occi.infrastructure import os_template
from ansible_collections.smartstack.smartos.plugins.module_utils.resources.base import Plan, ResourceError

#: The scheme of this provider's OS templates (one per image).
OS_TPL_SCHEME = 'http://schemas.smartstack.io/occi/smartos/os_tpl#'

#: imgadm accepts lowercase hex uuids only (smartos-live src/img/lib/common.js UUID_RE,
#: reference smartos_gz_tools.md §1.1 InvalidUUID); we accept either case and lower it.
UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

_TERM_BAD = re.compile(r'[^A-Za-z0-9_.\-]')

# Facts of the image the os_tpl mixin carries as immutable attributes (their defaults).
_FACTS = (
    ('smartos.image.uuid', 'uuid', 'UUID of the SmartOS image'),
    ('smartos.image.name', 'name', 'Name of the image'),
    ('smartos.image.version', 'version', 'Version of the image'),
    ('smartos.image.os', 'os', 'Operating system of the image (smartos, linux, ...)'),
    ('smartos.image.type', 'type', 'Image type (zone-dataset, lx-dataset, zvol, ...)'),
    ('smartos.image.published_at', 'published_at', 'When the image was published (ISO 8601)'),
)


# ---------------------------------------------------------------------------------------------
# References and resolution
# ---------------------------------------------------------------------------------------------

def is_uuid(text):
    return isinstance(text, str) and UUID_RE.match(text) is not None


def parse_ref(ref):
    """Split an ``os_tpl`` reference into ``(uuid, name, version)``; the unused parts are None.

    Accepted: an image uuid, ``name@version``, ``name``, or an OCCI type identifier of this
    provider (``<OS_TPL_SCHEME><name>-<version>`` is not reversible, so only ``...#<uuid>``
    is accepted in that form).
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ResourceError('os_tpl: expected an image uuid, name@version or name, got %r' % (ref,))
    ref = ref.strip()
    if ref.startswith(OS_TPL_SCHEME):
        ref = ref[len(OS_TPL_SCHEME):]
        if not is_uuid(ref):
            raise ResourceError('os_tpl: a type identifier of %s must end in an image uuid; use name@version for names' % OS_TPL_SCHEME)
    if is_uuid(ref):
        return ref.lower(), None, None
    name, sep, version = ref.partition('@')
    if not name or (sep and not version) or '@' in version:
        raise ResourceError('os_tpl: %r is not an image uuid, name@version or name' % ref)
    return None, name, (version if sep else None)


def _version_key(version):
    """Order versions naturally (``24.4.10`` after ``24.4.9``); text parts compare as text."""
    parts = re.findall(r'\d+|[^\d.]+', str(version or ''))
    return [(0, int(p), '') if p.isdigit() else (1, 0, p) for p in parts]


def _newest_key(manifest):
    return (manifest.get('published_at') or '', _version_key(manifest.get('version')))


def ref_text(uuid, name, version):
    if uuid:
        return uuid
    return '%s@%s' % (name, version) if version else name


def select(manifests, uuid=None, name=None, version=None, where='installed'):
    """The one manifest of ``manifests`` that the reference names, or None when none matches.

    ``name`` alone means the newest (by ``published_at``, then version) image of that name.
    Raises ResourceError when the reference names more than one image (two uuids with the same
    name and version, e.g. from two owners).
    """
    if uuid:
        found = [m for m in manifests if m.get('uuid') == uuid]
        return found[0] if found else None
    found = [m for m in manifests if m.get('name') == name and (version is None or str(m.get('version')) == version)]
    if not found:
        return None
    found.sort(key=_newest_key, reverse=True)
    newest = found[0]
    ties = [m for m in found if str(m.get('version')) == str(newest.get('version'))]
    if len(ties) > 1:
        raise ResourceError('os_tpl %s is ambiguous: %d %s images are %s@%s (%s); name one by uuid'
                            % (ref_text(uuid, name, version), len(ties), where, name, newest.get('version'),
                               ', '.join(sorted(m.get('uuid', '?') for m in ties))),
                            candidates=sorted(m.get('uuid', '?') for m in ties))
    return newest


def installed_manifests(infos):
    """Manifests of ``imgadm list -j`` / ``avail -j`` entries (``[{'manifest': {...}, ...}]``)."""
    return [dict(info['manifest']) for info in infos or [] if isinstance(info, dict) and isinstance(info.get('manifest'), dict)]


def find_installed(imgadm, uuid=None, name=None, version=None):
    """``(manifest, info)`` of the installed image the reference names, else ``(None, None)``.

    One command: ``imgadm get <uuid>`` for a uuid, ``imgadm list -j`` otherwise.
    """
    if uuid:
        info = imgadm.get(uuid)
        return (dict(info['manifest']), info) if info else (None, None)
    infos = imgadm.list() or []
    manifest = select(installed_manifests(infos), None, name, version, where='installed')
    if manifest is None:
        return None, None
    info = [i for i in infos if i.get('manifest', {}).get('uuid') == manifest.get('uuid')][0]
    return manifest, info


def find_available(imgadm, uuid=None, name=None, version=None):
    """``(manifest, source_url)`` the configured sources offer for the reference, else ``(None, None)``."""
    infos = imgadm.avail() or []
    manifest = select(installed_manifests(infos), uuid, name, version, where='available')
    if manifest is None:
        return None, None
    source = [i.get('source') for i in infos if i.get('manifest', {}).get('uuid') == manifest.get('uuid')][0]
    return manifest, source


def resolve_os_tpl(imgadm, ref, import_missing=True, check_mode=False):
    """Return ``(manifest, imported)`` for the image ``ref`` names, importing it when missing.

    ``ref``: an image uuid, ``name@version`` or ``name`` (the newest version). Installed images
    are looked at first (one ``imgadm get <uuid>`` or ``imgadm list -j``); only when none
    matches are the sources asked (``imgadm avail -j``), and the image imported
    (``imgadm import``) when ``import_missing`` and not ``check_mode``. ``imported`` says that
    the image was (or, in check mode, would be) imported.

    Raises :class:`~.base.ResourceError` for a malformed, unknown or ambiguous reference and
    when the image is missing and ``import_missing`` is false; command failures raise
    :class:`~..smartos.command.SmartOSCommandError`.
    """
    uuid, name, version = parse_ref(ref)
    manifest = find_installed(imgadm, uuid, name, version)[0]
    if manifest is not None:
        return manifest, False
    text = ref_text(uuid, name, version)
    if not import_missing:
        raise ResourceError('os_tpl %s: no such image is installed (and importing is not allowed here)' % text)
    manifest = find_available(imgadm, uuid, name, version)[0]
    if manifest is None:
        raise ResourceError('os_tpl %s: no such image is installed or offered (active) by the configured image sources'
                            ' (imgadm sources)' % text)
    if not check_mode:
        imgadm.import_image(manifest['uuid'])
    return manifest, True


# ---------------------------------------------------------------------------------------------
# OCCI rendering
# ---------------------------------------------------------------------------------------------

def os_tpl_term(manifest):
    """The OCCI term of an image: ``<name>-<version>``, or its uuid when it has no name."""
    name = manifest.get('name')
    if not name:
        return str(manifest.get('uuid'))
    term = _TERM_BAD.sub('_', '%s-%s' % (name, manifest.get('version', '')) if manifest.get('version') else name)
    if not TERM_RE.match(term):  # e.g. a name that starts with '_' or '.'
        term = 'i' + term
    return term


def os_tpl_mixin(manifest):
    """The OCCI os_tpl Mixin (``os_template``) of an image manifest."""
    name, version = manifest.get('name'), manifest.get('version')
    title = manifest.get('description') or ('%s@%s' % (name, version) if name else manifest.get('uuid'))
    attributes = []
    for attribute, key, description in _FACTS:
        value = manifest.get(key)
        if value is not None:
            attributes.append(Attribute(attribute, 'string', mutable=False, default=str(value), description=description))
    return os_template(OS_TPL_SCHEME, os_tpl_term(manifest), title=title, attributes=attributes)


def render_os_tpl(manifest):
    """The GFD.225 JSON rendering (a dict) of an image's os_tpl Mixin."""
    return os_tpl_mixin(manifest).to_json()


def os_tpl_type_id(manifest):
    """``<OS_TPL_SCHEME><term>``: what a compute resource lists among its mixins."""
    return OS_TPL_SCHEME + os_tpl_term(manifest)


# ---------------------------------------------------------------------------------------------
# The image resource (module ``image``)
# ---------------------------------------------------------------------------------------------

def image_facts(manifest):
    """What ``--diff`` shows of an image: its identity and kind."""
    if not manifest:
        return {'state': 'absent'}
    facts = {'state': 'imported'}
    for key in ('uuid', 'name', 'version', 'os', 'type', 'published_at'):
        if manifest.get(key) is not None:
            facts[key] = manifest[key]
    return facts


def describe(manifest):
    """``<uuid> (<name>@<version>)`` as imgadm itself names an image in its messages."""
    if manifest.get('name'):
        return '%s (%s@%s)' % (manifest.get('uuid'), manifest.get('name'), manifest.get('version'))
    return str(manifest.get('uuid'))


def dependent_clones_message(info):
    """imgadm's ImageHasDependentClones message for an installed image's ``cloneNames``.

    smartos-live src/img/lib/errors.js ImageHasDependentClonesError (reference
    smartos_gz_tools.md §1.7): the first clone, then `` and <N-1> others...``.
    """
    clones = list(info.get('cloneNames') or [])
    message = 'image "%s" has dependent clones: %s' % (info['manifest'].get('uuid'), clones[0] if clones else '?')
    if len(clones) > 1:
        message += ' and %d others...' % (len(clones) - 1)
    return message


class ImageResource(object):
    """An image as an OCCI os_tpl: ``state`` ``imported`` or ``absent``.

    :param imgadm: an :class:`~..smartos.imgadm.Imgadm`.
    :param ref: image uuid, ``name@version`` or (``imported`` only) ``name``.
    :param state: ``imported`` or ``absent``.
    :param source: an image source URL to import from instead of the configured ones (``imgadm
        import -S``); the reference must then be a uuid, because imgadm can only list the
        configured sources (``imgadm avail`` has no source option, reference §1.4).
    :param check_mode: whether the module runs in check mode (``absent`` then predicts
        imgadm's refusal to delete an image that VMs use).

    Commands: ``imported`` reads once (``imgadm get <uuid>`` or ``imgadm list -j``); when the
    image is missing it asks the sources (``imgadm avail -j``; not with ``source``) and imports
    it (``imgadm import``). ``absent`` reads ``imgadm list -j`` once (it tells the image's
    clones) and deletes (``imgadm delete``); imgadm refuses to delete an image that VMs use and
    its message is reported as it is.
    """

    def __init__(self, imgadm, ref, state='imported', source=None, check_mode=False):
        if state not in ('imported', 'absent'):
            raise ResourceError('state must be imported or absent, got %r' % (state,))
        self.imgadm = imgadm
        self.state = state
        self.source = source.strip() if isinstance(source, str) and source.strip() else None
        self.check_mode = check_mode
        self.uuid, self.name, self.version = parse_ref(ref)
        self.text = ref_text(self.uuid, self.name, self.version)
        if state == 'absent' and not self.uuid and self.version is None:
            raise ResourceError('image %s: state=absent needs an image uuid or name@version, not a name alone '
                                '(which of its installed versions would go is not clear)' % self.text)
        if self.source and not self.uuid:
            raise ResourceError('image %s: with source, name the image by uuid (imgadm can only list the configured'
                                ' sources, so a name cannot be looked up in %s)' % (self.text, self.source))
        self._wanted = None  # (manifest, source url) of an image to import, set by plan()

    def read(self):
        """The installed image's ``imgadm get``/``list -j`` object, or None: one command."""
        if self.state == 'absent':
            infos = self.imgadm.list() or []
            manifest = select(installed_manifests(infos), self.uuid, self.name, self.version, where='installed')
            if manifest is None:
                return None
            return [i for i in infos if i.get('manifest', {}).get('uuid') == manifest.get('uuid')][0]
        return find_installed(self.imgadm, self.uuid, self.name, self.version)[1]

    def plan(self, actual):
        plan = Plan()
        plan.before = image_facts(actual['manifest'] if actual else None)
        if self.state == 'absent':
            plan.after = image_facts(None)
            if actual is not None:
                if self.check_mode and actual.get('cloneNames'):
                    # what imgadm delete would answer; outside check mode imgadm itself says it
                    raise ResourceError(dependent_clones_message(actual) + ' (imgadm delete would refuse)',
                                        clones=list(actual['cloneNames']))
                uuid = actual['manifest']['uuid']
                plan.add('delete image %s' % describe(actual['manifest']), lambda: self.imgadm.delete(uuid), uuid=uuid)
            return plan
        if actual is not None:
            plan.after = plan.before
            return plan
        if self.source:
            manifest, url = {'uuid': self.uuid}, self.source
        else:
            manifest, url = find_available(self.imgadm, self.uuid, self.name, self.version)
            if manifest is None:
                raise ResourceError('image %s: no such image is installed or offered (active) by the configured image'
                                    ' sources (imgadm sources)' % self.text)
        self._wanted = (manifest, url)
        plan.after = image_facts(manifest)
        uuid = manifest['uuid']
        plan.add('import image %s from %s' % (describe(manifest), url or 'the configured sources'),
                 lambda: self.imgadm.import_image(uuid, source=self.source), uuid=uuid)
        return plan

    def result(self, actual, plan, applied):
        """``image`` (imgadm's object: manifest, zpool, source) and ``resource`` (the os_tpl)."""
        if self.state == 'absent':
            info = None
        elif actual is not None:
            info = actual
        elif applied and self.source:
            # the manifest is known only once imported from an explicit source: read it
            uuid = self._wanted[0]['uuid']
            info = self.imgadm.get(uuid) or {'manifest': {'uuid': uuid}, 'zpool': 'zones', 'source': self.source}
        else:
            manifest, url = self._wanted
            # what `imgadm get` prints for it (reference §1.5): manifest, zpool, source
            info = {'manifest': manifest, 'zpool': 'zones'}
            if url:
                info['source'] = url
        if info is not None and applied:
            plan.after = image_facts(info['manifest'])
        return {
            'image': info,
            'resource': render_os_tpl(info['manifest']) if info else None,
        }


# ---------------------------------------------------------------------------------------------
# Listing (module ``image_info``)
# ---------------------------------------------------------------------------------------------

def matches(manifest, filters):
    """Does ``manifest`` have each ``field: value`` of ``filters`` (compared as strings, like imgadm)?"""
    for key, value in (filters or {}).items():
        actual = manifest.get(key)
        if actual is None or str(actual) != str(value):
            return False
    return True


def image_inventory(imgadm, filters=None, available=False):
    """``{'images': [...], 'resources': [...]}`` (and ``available``): the installed images that
    match ``filters`` (one ``imgadm list -j``) and, when ``available``, those the sources offer
    (one ``imgadm avail -j``). ``resources`` renders the installed ones, then the offered ones
    that are not installed, as os_tpl mixins.
    """
    installed = [i for i in imgadm.list() or [] if isinstance(i.get('manifest'), dict) and matches(i['manifest'], filters)]
    result = {'images': installed, 'resources': [render_os_tpl(i['manifest']) for i in installed]}
    if available:
        offered = [i for i in imgadm.avail() or [] if isinstance(i.get('manifest'), dict) and matches(i['manifest'], filters)]
        result['available'] = offered
        have = set(i['manifest'].get('uuid') for i in installed)
        result['resources'].extend(render_os_tpl(i['manifest']) for i in offered if i['manifest'].get('uuid') not in have)
    return result
