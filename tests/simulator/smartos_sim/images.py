"""The images of a simulated global zone: what its image source offers and what is installed.

API (used by ``imgadm``, ``vmadm`` and the test bed; call inside ``with state.lock():``):

    catalogue() -> [manifest, ...]        every image the test bed's source serves (copies)
    find(uuid) -> manifest or None        one catalogue entry (copy), active or not
    install_image(state, uuid) -> manifest
        idempotent; as ``imgadm import`` leaves it: the dataset ``zones/<uuid>`` (a filesystem
        for zone-dataset/lx-dataset, a volume for zvol), its snapshot ``zones/<uuid>@final``,
        and the manifest cache ``/var/imgadm/images/zones-<uuid>.json``
    installed_images(state) -> [manifest, ...]   what ``imgadm list`` covers, by uuid
    installed_image_infos(state) -> [{"manifest", "zpool", "source"?, "cloneNames", "clones"}]
    is_installed(state, uuid) -> bool     ``zfs list zones/<uuid>`` succeeds
    delete_image(state, uuid)             ``zfs destroy -r`` + cache removal (no checks)
    dependent_clones(state, uuid) -> [dataset names whose origin is zones/<uuid>@*]
    get_image_info(state, uuid) -> {"manifest", "zpool"[, "source"]} or None
    child_datasets(state, name) -> [descendants of name: snapshots, children]
    record_manifest(state, manifest, zpool, source)   write the manifest cache
    load_config(state) / save_config(state, conf)    ``/var/imgadm/imgadm.conf``
    sources(state) -> [{"url", "type"[, "insecure"]}]
    vm_records(state) -> [vm dict, ...]   the vmadm store's VMs, read defensively

Constants: the image UUIDs below, ``DEFAULT_SOURCE``, ``ZPOOL``.

As on SmartOS (reference smartos_gz_tools.md §1.2, smartos-live src/img/lib/imgadm.js and
database.js), an image *is* its ZFS dataset: what is installed is read from ``zfs`` (so a
``zfs destroy -r zones/<uuid>`` uninstalls it), and the manifest comes from the cache file.
"""
import copy
import json
import os
import re

from smartos_sim import zfsdb

ZPOOL = 'zones'
# smartos-live src/img/lib/common.js DEFAULT_SOURCE (reference §1.2). The test bed serves
# the catalogue below under this URL, so a fresh GZ's `imgadm sources` reads as a real one's.
DEFAULT_SOURCE = 'https://images.smartos.org'
CONFIG_PATH = '/var/imgadm/imgadm.conf'
CACHE_DIR = '/var/imgadm/images'
UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')

# The account that owns the public images (UNCONFIRMED: chose the all-zero owner uuid that
# public images carry, because no real manifest of images.smartos.org is in the reference).
PUBLIC_OWNER = '00000000-0000-0000-0000-000000000000'

BASE_64_LTS_OLD = '58f8b534-2753-432f-b758-dd75e154e791'     # base-64-lts 23.4.0
BASE_64_LTS = 'e9c6b4e4-5dc8-4ee5-b90b-6d2e50b96ec8'         # base-64-lts 24.4.1
MINIMAL_64_LTS = 'a485ac0c-9367-4742-8ecb-d5e78070e5cc'      # minimal-64-lts 24.4.1
UBUNTU_LX = 'bc054a84-b017-47c6-8052-bc1c380db6fa'           # ubuntu-22.04 (lx-dataset)
UBUNTU_CERTIFIED = '0e79fdf8-2c52-4451-ad1f-3209db6538a2'    # ubuntu-certified-22.04 (zvol)
BASE_64_LTS_DISABLED = '35d1108d-62f7-4b77-8fda-f39dd045a7eb'  # base-64-lts 21.4.0, disabled

_NET0 = [{'name': 'net0', 'description': 'public'}]

# Manifest fields and their order follow IMGAPI (reference §1.3; TritonDataCenter/sdc-imgapi docs/index.md).
_CATALOGUE = [
    {
        'v': 2, 'uuid': BASE_64_LTS_DISABLED, 'owner': PUBLIC_OWNER, 'name': 'base-64-lts', 'version': '21.4.0',
        'state': 'disabled', 'disabled': True, 'public': True, 'published_at': '2022-01-18T19:21:12.467Z',
        'type': 'zone-dataset', 'os': 'smartos',
        'files': [{'sha1': 'b6589fc6ab0dc82cf12099d1c2d40ab994e8410c', 'size': 172415382, 'compression': 'gzip'}],
        'description': 'A 64-bit SmartOS image with just essential packages installed. Ideal for users who are '
                       'comfortable with setting up their own environment and tools.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images/smartos/base64',
        'requirements': {'networks': _NET0, 'min_platform': {'7.0': '20141030T081701Z'}},
        'tags': {'role': 'os', 'group': 'base-64-lts'},
    },
    {
        'v': 2, 'uuid': BASE_64_LTS_OLD, 'owner': PUBLIC_OWNER, 'name': 'base-64-lts', 'version': '23.4.0',
        'state': 'active', 'disabled': False, 'public': True, 'published_at': '2024-01-09T17:28:05.352Z',
        'type': 'zone-dataset', 'os': 'smartos',
        'files': [{'sha1': '356a192b7913b04c54574d18c28d46e6395428ab', 'size': 187277426, 'compression': 'gzip'}],
        'description': 'A 64-bit SmartOS image with just essential packages installed. Ideal for users who are '
                       'comfortable with setting up their own environment and tools.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images/smartos/base64',
        'requirements': {'networks': _NET0, 'min_platform': {'7.0': '20141030T081701Z'}},
        'tags': {'role': 'os', 'group': 'base-64-lts'},
    },
    {
        'v': 2, 'uuid': BASE_64_LTS, 'owner': PUBLIC_OWNER, 'name': 'base-64-lts', 'version': '24.4.1',
        'state': 'active', 'disabled': False, 'public': True, 'published_at': '2025-02-04T12:46:31.870Z',
        'type': 'zone-dataset', 'os': 'smartos',
        'files': [{'sha1': 'da4b9237bacccdf19c0760cab7aec4a8359010b0', 'size': 193906851, 'compression': 'gzip'}],
        'description': 'A 64-bit SmartOS image with just essential packages installed. Ideal for users who are '
                       'comfortable with setting up their own environment and tools.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images/smartos/base64',
        'requirements': {'networks': _NET0, 'min_platform': {'7.0': '20141030T081701Z'}},
        'tags': {'role': 'os', 'group': 'base-64-lts'},
    },
    {
        'v': 2, 'uuid': MINIMAL_64_LTS, 'owner': PUBLIC_OWNER, 'name': 'minimal-64-lts', 'version': '24.4.1',
        'state': 'active', 'disabled': False, 'public': True, 'published_at': '2025-02-04T12:51:09.114Z',
        'type': 'zone-dataset', 'os': 'smartos',
        'files': [{'sha1': '77de68daecd823babbb58edb1c8e14d7106e83bb', 'size': 41263529, 'compression': 'gzip'}],
        'description': 'A 64-bit SmartOS image with only the bare minimum of packages installed: pkgsrc is '
                       'bootstrapped, nothing else.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images/smartos/minimal',
        'requirements': {'networks': _NET0, 'min_platform': {'7.0': '20141030T081701Z'}},
        'tags': {'role': 'os', 'group': 'minimal-64-lts'},
    },
    {
        'v': 2, 'uuid': UBUNTU_LX, 'owner': PUBLIC_OWNER, 'name': 'ubuntu-22.04', 'version': '20240122',
        'state': 'active', 'disabled': False, 'public': True, 'published_at': '2024-01-22T21:02:47.511Z',
        'type': 'lx-dataset', 'os': 'linux',
        'files': [{'sha1': '1b6453892473a467d07372d45eb05abc2031647a', 'size': 221847552, 'compression': 'gzip'}],
        'description': 'Container-native Ubuntu 22.04 64-bit image. Built to run on containers with bare metal '
                       'speed, while offering all the services of a typical unix host.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/infrastructure/images',
        'requirements': {'networks': _NET0, 'brand': 'lx', 'min_platform': {'7.0': '20230309T000000Z'}},
        'tags': {'role': 'os', 'kernel_version': '5.15.0'},
    },
    {
        'v': 2, 'uuid': UBUNTU_CERTIFIED, 'owner': PUBLIC_OWNER, 'name': 'ubuntu-certified-22.04', 'version': '20240125',
        'state': 'active', 'disabled': False, 'public': True, 'published_at': '2024-01-25T18:33:20.029Z',
        'type': 'zvol', 'os': 'linux',
        'files': [{'sha1': 'ac3478d69a3c81fa62e60f5c3696165a4e5e6ac4', 'size': 681937408, 'compression': 'gzip'}],
        'description': 'Ubuntu 22.04 LTS (Jammy Jellyfish) 64-bit Certified Cloud Image for bhyve and kvm.',
        'homepage': 'https://docs.tritondatacenter.com/public-cloud/instances/virtual-machines/images/linux/ubuntu-certified',
        'requirements': {'networks': _NET0, 'ssh_key': True, 'min_platform': {'7.0': '20141030T081701Z'}},
        'nic_driver': 'virtio', 'disk_driver': 'virtio', 'cpu_type': 'host', 'image_size': 10240,
        'tags': {'role': 'os', 'default_user': 'ubuntu'},
    },
]


def catalogue():
    """Every manifest the test bed's image source serves (deep copies), active or not."""
    return copy.deepcopy(_CATALOGUE)


def find(uuid):
    """The catalogue's manifest for ``uuid`` (a copy), or None."""
    for manifest in _CATALOGUE:
        if manifest['uuid'] == uuid:
            return copy.deepcopy(manifest)
    return None


def is_uuid(text):
    """imgadm's UUID test: lowercase hex in 8-4-4-4-12 groups (src/img/lib/common.js UUID_RE)."""
    return bool(UUID_RE.match(text or ''))


# ---------------------------------------------------------------------------------------------
# configuration: /var/imgadm/imgadm.conf (src/img/lib/configuration.js)

def load_config(state):
    """The parsed imgadm.conf (``{}`` when absent)."""
    try:
        with open(state.host_path(CONFIG_PATH), encoding='utf-8') as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return {}


def save_config(state, conf):
    """Write imgadm.conf as imgadm does (2-space JSON)."""
    path = state.host_path(CONFIG_PATH)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(json.dumps(conf, indent=2) + '\n')


def sources(state):
    """The configured sources; the implicit default when none are configured (common.js)."""
    conf = load_config(state)
    if 'sources' in conf:
        return list(conf['sources'])
    return [{'url': DEFAULT_SOURCE, 'type': 'imgapi'}]


def source_serves(url):
    """Does the source ``url`` serve the test bed's catalogue? Only the default one does."""
    return url.rstrip('/') == DEFAULT_SOURCE


# ---------------------------------------------------------------------------------------------
# installed images (ZFS datasets + manifest cache)

def _cache_path(state, uuid, zpool=ZPOOL):
    return state.host_path('%s/%s-%s.json' % (CACHE_DIR, zpool, uuid))


def _load_cache(state, uuid, zpool=ZPOOL):
    try:
        with open(_cache_path(state, uuid, zpool), encoding='utf-8') as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return None


def _save_cache(state, info, zpool=ZPOOL):
    path = _cache_path(state, info['manifest']['uuid'], zpool)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(json.dumps(info, indent=2) + '\n')


def _db(state):
    return zfsdb.Zfs(state)


def is_installed(state, uuid, zpool=ZPOOL):
    """``zfs list -H -p -o name <zpool>/<uuid>`` succeeds (imgadm.js getZfsDataset)."""
    return _db(state).exists('%s/%s' % (zpool, uuid))


def _prop(db, name, prop):
    try:
        return db.get_parsable(name, prop)[0]
    except zfsdb.ZfsError:
        return '-'


def vm_records(state):
    """The VMs of the vmadm store (the ``vms`` document), read defensively: a list of dicts."""
    doc = state.load('vms', {})
    if isinstance(doc, dict) and isinstance(doc.get('vms'), (dict, list)):
        doc = doc['vms']
    if isinstance(doc, dict):
        items = list(doc.values())
    elif isinstance(doc, list):
        items = doc
    else:
        return []
    return [vm for vm in items if isinstance(vm, dict) and vm.get('uuid')]


def _zone_roots(state):
    """The zone roots ``zoneadm list -pc`` would name (the VMs' ``zfs_filesystem``)."""
    return set(vm.get('zfs_filesystem') or '%s/%s' % (vm.get('zpool') or ZPOOL, vm['uuid'])
               for vm in vm_records(state))


def _scan(state, zpool=ZPOOL):
    """(image dataset names, {origin snapshot: [clone names]}) as imgadm.js _loadImages sees them."""
    db = _db(state)
    if not db.exists(zpool):
        return [], {}
    names = db.children(zpool)
    origins = {}
    for name in names:
        if '@' in name:
            continue
        origin = _prop(db, name, 'origin')
        if origin and origin != '-':
            origins.setdefault(origin, []).append(name)
    snaps = set(n for n in names if '@' in n)
    roots = _zone_roots(state)
    images = []
    for name in names:
        if '@' in name or name.count('/') != 1 or not is_uuid(name.split('/')[1]):
            continue
        if name in roots:
            continue
        if _prop(db, name, 'imgadm:ignore') == 'true':
            continue
        origin = _prop(db, name, 'origin')
        if origin and origin != '-' and origin.endswith('@final') and name + '@final' not in snaps:
            continue
        images.append(name)
    return images, origins


def dependent_clones(state, uuid, zpool=ZPOOL):
    """Datasets whose origin is ``<zpool>/<uuid>@*`` (imgadm.js deleteImage / _loadImages)."""
    db = _db(state)
    prefix = '%s/%s@' % (zpool, uuid)
    clones = []
    if not db.exists(zpool):
        return clones
    for name in db.children(zpool):
        if '@' not in name and _prop(db, name, 'origin').startswith(prefix):
            clones.append(name)
    return clones


def installed_image_infos(state, zpool=ZPOOL):
    """What ``imgadm list -j`` prints before filtering: one info object per installed image."""
    images, origins = _scan(state, zpool)
    infos = []
    for name in images:
        uuid = name.split('/')[1]
        cached = _load_cache(state, uuid, zpool)
        if cached and isinstance(cached.get('manifest'), dict):
            info = {'manifest': cached['manifest'], 'zpool': zpool}
            if cached.get('source'):
                info['source'] = cached['source']
        else:
            # database.js loadImage: a dataset without a cache file has only its uuid
            info = {'manifest': {'uuid': uuid}, 'zpool': zpool}
        clone_names = []
        for origin, clones in sorted(origins.items()):
            if origin.startswith(name + '@'):
                clone_names.extend(clones)
        info['cloneNames'] = clone_names
        info['clones'] = len(clone_names)
        infos.append(info)
    return infos


def installed_images(state, zpool=ZPOOL):
    """The manifests of the installed images."""
    return [info['manifest'] for info in installed_image_infos(state, zpool)]


def get_image_info(state, uuid, zpool=ZPOOL):
    """``{manifest, zpool[, source]}`` of an installed image, or None (imgadm.js getImage)."""
    if not is_installed(state, uuid, zpool):
        return None
    cached = _load_cache(state, uuid, zpool)
    if cached and isinstance(cached.get('manifest'), dict):
        info = {'manifest': cached['manifest'], 'zpool': zpool}
        if cached.get('source'):
            info['source'] = cached['source']
        return info
    return {'manifest': {'uuid': uuid}, 'zpool': zpool}


def install_image(state, uuid, zpool=ZPOOL, source=DEFAULT_SOURCE):
    """Install catalogue image ``uuid`` as ``imgadm import`` leaves it; returns its manifest.

    Idempotent: an installed image is left alone. Raises KeyError for an unknown uuid.
    """
    manifest = find(uuid)
    if manifest is None:
        raise KeyError(uuid)
    with state.lock():
        db = _db(state)
        name = '%s/%s' % (zpool, uuid)
        if not db.exists(name):
            # imgadm.js _installZfsImage: received as <uuid>-partial, then renamed; the end state
            # is what matters here.
            if manifest['type'] == 'zvol':
                db.create(name, kind='volume', volsize='%dM' % manifest.get('image_size', 10240))
            else:
                db.create(name, kind='filesystem')
            # What the received stream references. UNCONFIRMED: chose twice the compressed file
            # size for zone images, the whole volume (image_size MiB) for zvols.
            if manifest['type'] == 'zvol':
                db.set_data(name, manifest.get('image_size', 10240) * 1024 * 1024)
            else:
                db.set_data(name, 2 * manifest['files'][0]['size'])
            db.snapshot(name + '@final')
            db.save()
        if _load_cache(state, uuid, zpool) is None:
            _save_cache(state, {'manifest': manifest, 'zpool': zpool, 'source': source}, zpool)
    return manifest


def child_datasets(state, name):
    """``zfs list -t all -pHr -o name <name>`` minus the first line (imgadm.js getZfsDataset)."""
    db = _db(state)
    return [n for n in db.children(name) if n != name]


def record_manifest(state, manifest, zpool=ZPOOL, source=None):
    """Write the manifest cache of an installed image (what ``imgadm update`` adds)."""
    info = {'manifest': manifest, 'zpool': zpool}
    if source:
        info['source'] = source
    with state.lock():
        _save_cache(state, info, zpool)


def delete_image(state, uuid, zpool=ZPOOL):
    """``zfs destroy -r <zpool>/<uuid>`` and drop the manifest cache (imgadm.js deleteImage)."""
    with state.lock():
        db = _db(state)
        name = '%s/%s' % (zpool, uuid)
        if db.exists(name):
            db.destroy(name, recursive=True)
            db.save()
        try:
            os.unlink(_cache_path(state, uuid, zpool))
        except FileNotFoundError:
            pass
