"""Conformance tests of the simulated ``imgadm`` against reference smartos_gz_tools.md §1."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim import images, zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import imgadm  # noqa: E402  pylint: disable=wrong-import-position

BASE = images.BASE_64_LTS
BASE_OLD = images.BASE_64_LTS_OLD
ZVOL = images.UBUNTU_CERTIFIED
DISABLED = images.BASE_64_LTS_DISABLED
MISSING = '11111111-2222-4333-8444-555555555555'


def _import(gz, uuid):
    result = gz.run('imgadm', 'import', '-q', uuid)
    assert result.returncode == 0, result.stderr
    return result


def _clone(gz, uuid, vm):
    """What vmadm create does to an image: a clone of its @final."""
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        db.clone('zones/%s@final' % uuid, 'zones/%s' % vm)
        db.save()


def test_catalogue_manifests_are_valid():
    """§1.3: every manifest has the minimal fields, valid type/os, files with sha1/size/compression."""
    manifests = images.catalogue()
    assert {m['type'] for m in manifests} >= {'zone-dataset', 'lx-dataset', 'zvol'}
    names = [m['name'] for m in manifests]
    assert names.count('base-64-lts') >= 2
    for manifest in manifests:
        for key in ('v', 'uuid', 'name', 'version', 'type', 'os'):
            assert key in manifest
        assert manifest['os'] in ('smartos', 'linux', 'windows', 'bsd', 'illumos', 'other')
        assert manifest['state'] in ('active', 'unactivated', 'disabled', 'creating', 'failed')
        assert images.is_uuid(manifest['uuid'])
        assert len(manifest['files'][0]['sha1']) == 40
        assert manifest['files'][0]['compression'] in ('gzip', 'bzip2', 'xz', 'none')
        assert manifest['published_at'].endswith('Z') and len(manifest['published_at']) == 24
    assert len({m['uuid'] for m in manifests}) == len(manifests)


def test_human_size():
    """§1.6: one decimal digit truncated, not rounded; 1024-based units."""
    assert imgadm.human_size(187277426) == '178.6 MiB'
    assert imgadm.human_size(0) == '0 B'
    assert imgadm.human_size(1024) == '1.0 KiB'
    assert imgadm.human_size(1024 * 1024 * 1.99) == '1.9 MiB'
    assert imgadm.human_size(3 * 1024 ** 3) == '3.0 GiB'


def test_no_subcommand_version_unknown(gz):
    """§1.1: help on stdout with rc 1 and empty stderr; --version; UnknownCommand rc 1."""
    result = gz.run('imgadm')
    assert (result.returncode, result.stderr) == (1, '')
    assert 'Usage:' in result.stdout
    result = gz.run('imgadm', '--version')
    assert (result.returncode, result.stdout) == (0, 'imgadm 3.9.5\n')
    result = gz.run('imgadm', 'bogus')
    assert (result.returncode, result.stdout) == (1, '')
    assert result.stderr == 'imgadm bogus: error (UnknownCommand): unknown command: "bogus"\n'


def test_sources(gz):
    """§1.8: one URL a line; -j JSON without insecure; -a/-d messages."""
    result = gz.run('imgadm', 'sources')
    assert (result.returncode, result.stdout) == (0, 'https://images.smartos.org\n')
    result = gz.run('imgadm', 'sources', '-j')
    assert json.loads(result.stdout) == [{'url': 'https://images.smartos.org', 'type': 'imgapi'}]
    assert result.stdout.startswith('[\n  {\n    "url": ')
    result = gz.run('imgadm', 'sources', '-a', 'https://images.smartos.org/')
    assert result.stdout == 'Already have "imgapi" image source "https://images.smartos.org", no change\n'
    # community.general.imgadm sends `sources -f -a <url> -t <type>` and matches these lines
    result = gz.run('imgadm', 'sources', '-f', '-a', 'https://example.org:443/', '-t', 'imgapi')
    assert (result.returncode, result.stdout) == (0, 'Added "imgapi" image source "https://example.org:443/"\n')
    result = gz.run('imgadm', 'sources', '-a', 'https://example.org', '-t', 'imgapi')
    assert result.stdout == 'Already have "imgapi" image source "https://example.org:443/", no change\n'
    result = gz.run('imgadm', 'sources', '-d', 'https://example.org')
    assert result.stdout == 'Deleted "imgapi" image source "https://example.org:443/"\n'
    result = gz.run('imgadm', 'sources', '-d', 'https://example.org')
    assert result.stdout == 'Do not have image source "https://example.org", no change\n'
    result = gz.run('imgadm', 'sources', '-a', 'x', '-d', 'y')
    assert result.returncode == 1
    assert result.stderr == 'imgadm sources: error (Usage): cannot specify more than one of "-a", "-d", "-e", and "-c"\n'


def test_empty_list_prints_nothing(gz):
    """§1.4: with no rows nothing is printed, not even the header; -j gives []."""
    result = gz.run('imgadm', 'list')
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
    result = gz.run('imgadm', 'list', '-j')
    assert (result.returncode, result.stdout) == (0, '[]\n')


def test_avail_table(gz):
    """§1.4: header UUID NAME VERSION OS TYPE PUB, two-space columns, last unpadded, sorted by published_at."""
    result = gz.run('imgadm', 'avail')
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ['UUID', 'NAME', 'VERSION', 'OS', 'TYPE', 'PUB']
    assert lines[0].startswith('UUID' + ' ' * 34 + 'NAME')
    rows = [line.split() for line in lines[1:]]
    active = sorted((m for m in images.catalogue() if m['state'] == 'active'), key=lambda m: (m['published_at'], m['name']))
    assert [r[0] for r in rows] == [m['uuid'] for m in active]
    assert DISABLED not in result.stdout
    assert all(not line.endswith(' ') for line in lines)
    width = max(len(m['name']) for m in active)
    base_row = next(line for line in lines if line.startswith(BASE))
    assert base_row == '%s  %s  %s  %s  %s  %s' % (BASE, 'base-64-lts'.ljust(width), '24.4.1'.ljust(8), 'smartos',
                                                   'zone-dataset', '2025-02-04')
    result = gz.run('imgadm', 'avail', '-j')
    infos = json.loads(result.stdout)
    assert set(infos[0]) == {'manifest', 'source'} and infos[0]['source'] == 'https://images.smartos.org'


def test_import_flow_and_already_installed(gz):
    """§1.6: progress lines on stdout in order; second import is a skip with rc 0."""
    result = gz.run('imgadm', 'import', BASE_OLD)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        'Importing %s (base-64-lts@23.4.0) from "https://images.smartos.org"\n'
        'Gather image %s ancestry\n'
        'Must download and install 1 image (178.6 MiB)\n'
        'Downloaded image %s (178.6 MiB)\n'
        'Imported image %s (base-64-lts@23.4.0)\n') % (BASE_OLD, BASE_OLD, BASE_OLD, BASE_OLD)
    assert result.stderr == ''
    result = gz.run('imgadm', 'import', '-P', 'zones', '-q', BASE_OLD)
    assert (result.returncode, result.stderr) == (0, '')
    assert result.stdout == 'Image %s (base-64-lts 23.4.0) is already installed, skipping\n' % BASE_OLD


def test_import_errors(gz):
    """§1.6: unknown uuid and inactive image -> ActiveImageNotFound rc 1; bad arg -> Usage rc 1."""
    for arg in (MISSING, DISABLED, 'foo'):
        result = gz.run('imgadm', 'import', arg)
        assert (result.returncode, result.stdout) == (1, '')
        assert result.stderr == ('imgadm import: error (ActiveImageNotFound): an active image "%s" '
                                 'was not found in image sources\n' % arg)
    result = gz.run('imgadm', 'import', 'Not Valid')
    assert result.returncode == 1
    assert result.stderr == 'imgadm import: error (Usage): invalid image-id arg: "Not Valid"\n'
    result = gz.run('imgadm', 'import')
    assert result.stderr == 'imgadm import: error (Usage): incorrect number of args (0): ""\n'


def test_import_makes_datasets(gz):
    """§1.2: an installed image is zones/<uuid> (filesystem or zvol) with zones/<uuid>@final."""
    _import(gz, BASE)
    _import(gz, ZVOL)
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        assert db.type('zones/%s' % BASE) == 'filesystem'
        assert db.type('zones/%s' % ZVOL) == 'volume'
        assert db.exists('zones/%s@final' % BASE) and db.exists('zones/%s@final' % ZVOL)
    with open(gz.host_path('/var/imgadm/images/zones-%s.json' % BASE), encoding='utf-8') as handle:
        cache = json.load(handle)
    assert cache['zpool'] == 'zones' and cache['source'] == 'https://images.smartos.org'
    assert cache['manifest']['uuid'] == BASE


def test_get_and_show(gz):
    """§1.5: get of a missing image rc 3; bad uuid rc 1; -r children; show includes inactive images."""
    result = gz.run('imgadm', 'get', MISSING)
    assert (result.returncode, result.stdout) == (3, '')
    assert result.stderr == 'imgadm get: error (ImageNotInstalled): image "%s" was not found on zpool "zones"\n' % MISSING
    result = gz.run('imgadm', 'info', 'nope')
    assert (result.returncode, result.stderr) == (1, 'imgadm info: error (InvalidUUID): invalid uuid: "nope"\n')
    _import(gz, BASE)
    _clone(gz, BASE, 'aaaaaaaa-0000-4000-8000-000000000001')
    result = gz.run('imgadm', 'get', '-r', BASE)
    info = json.loads(result.stdout)
    assert list(info) == ['manifest', 'zpool', 'source', 'children']
    assert info['children'] == {'snapshots': ['zones/%s@final' % BASE],
                                'clones': ['zones/aaaaaaaa-0000-4000-8000-000000000001']}
    result = gz.run('imgadm', 'show', DISABLED)
    assert result.returncode == 0
    assert json.loads(result.stdout)['state'] == 'disabled'
    assert result.stdout.startswith('{\n  "v": 2,\n  "uuid": ')
    result = gz.run('imgadm', 'show', MISSING)
    assert (result.returncode, result.stderr) == (1, 'imgadm show: error (ImageNotFound): image "%s" was not found\n' % MISSING)


def test_list_json_filters_and_clones(gz):
    """§1.4: list -j shape (no computed fields without filters, with them the quirk), -H -o, filters."""
    _import(gz, BASE)
    _import(gz, ZVOL)
    _clone(gz, BASE, 'aaaaaaaa-0000-4000-8000-000000000001')
    result = gz.run('imgadm', 'list', '-j')
    infos = json.loads(result.stdout)
    by_uuid = dict((i['manifest']['uuid'], i) for i in infos)
    assert set(by_uuid) == {BASE, ZVOL}  # the VM's clone is not an image
    assert list(by_uuid[BASE]) == ['manifest', 'zpool', 'source', 'cloneNames', 'clones']
    assert by_uuid[BASE]['cloneNames'] == ['zones/aaaaaaaa-0000-4000-8000-000000000001']
    assert by_uuid[BASE]['clones'] == 1 and by_uuid[ZVOL]['clones'] == 0
    assert 'pub' not in by_uuid[BASE]['manifest']
    result = gz.run('imgadm', 'list', '-j', 'type=zvol')
    infos = json.loads(result.stdout)
    assert [i['manifest']['uuid'] for i in infos] == [ZVOL]
    assert infos[0]['manifest']['pub'] == '2024-01-25' and infos[0]['manifest']['size'] == 681937408
    assert infos[0]['manifest']['published'] == '2024-01-25T18:33:20Z'
    result = gz.run('imgadm', 'list', '-H', '-o', 'uuid,clones', 'name=~base')
    assert result.stdout == '%s  1\n' % BASE
    result = gz.run('imgadm', 'list', '-H', '-o', 'name,nosuchfield', 'requirements.ssh_key=true')
    assert result.stdout == 'ubuntu-certified-22.04  -\n'
    result = gz.run('imgadm', 'list', 'bogus')
    assert result.returncode == 1
    assert result.stderr == 'imgadm list: error (Usage): invalid filter: "bogus" (must be of the form "field=value")\n'


def test_delete(gz):
    """§1.7: not installed rc 3; dependent clones rc 1 with ' and N others...'; success message."""
    result = gz.run('imgadm', 'delete', MISSING)
    assert (result.returncode, result.stderr) == (
        3, 'imgadm delete: error (ImageNotInstalled): image "%s" was not found on zpool "zones"\n' % MISSING)
    _import(gz, BASE)
    _clone(gz, BASE, 'aaaaaaaa-0000-4000-8000-000000000001')
    result = gz.run('imgadm', 'delete', BASE)
    assert result.returncode == 1
    assert result.stderr == ('imgadm delete: error (ImageHasDependentClones): image "%s" has dependent clones: '
                             'zones/aaaaaaaa-0000-4000-8000-000000000001\n' % BASE)
    _clone(gz, BASE, 'aaaaaaaa-0000-4000-8000-000000000002')
    _clone(gz, BASE, 'aaaaaaaa-0000-4000-8000-000000000003')
    result = gz.run('imgadm', 'destroy', BASE)
    assert result.stderr.endswith('zones/aaaaaaaa-0000-4000-8000-000000000001 and 2 others...\n')
    _import(gz, ZVOL)
    result = gz.run('imgadm', 'delete', ZVOL)
    assert (result.returncode, result.stdout, result.stderr) == (0, 'Deleted image %s\n' % ZVOL, '')
    state = State(gz.state)
    with state.lock():
        assert not zfsdb.Zfs(state).exists('zones/%s' % ZVOL)
    assert not os.path.exists(gz.host_path('/var/imgadm/images/zones-%s.json' % ZVOL))


def test_zfs_is_the_truth(gz):
    """§1.2: an image is its dataset; destroying zones/<uuid> uninstalls it; a bare dataset lists by uuid."""
    _import(gz, BASE)
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        db.destroy('zones/%s' % BASE, recursive=True)
        db.create('zones/%s' % MISSING)
        db.snapshot('zones/%s@final' % MISSING)
        db.save()
    result = gz.run('imgadm', 'list', '-j')
    infos = json.loads(result.stdout)
    assert infos == [{'manifest': {'uuid': MISSING}, 'zpool': 'zones', 'cloneNames': [], 'clones': 0}]
    result = gz.run('imgadm', 'vacuum', '-f')
    assert (result.returncode, result.stdout) == (0, 'Deleted image %s (undefined@undefined)\n' % MISSING)


def test_install_image_api_is_idempotent(gz):
    """images.install_image: what vmadm's seeding relies on; twice is harmless."""
    state = State(gz.state)
    with state.lock():
        first = images.install_image(state, images.UBUNTU_LX)
        again = images.install_image(state, images.UBUNTU_LX)
        assert first == again and first['type'] == 'lx-dataset'
        assert [m['uuid'] for m in images.installed_images(state)] == [images.UBUNTU_LX]
        assert images.is_installed(state, images.UBUNTU_LX)


def test_update_and_client_commands(gz):
    """§1.9 update, and the exact commands community.general's imgadm/smartos_image_info send (§1.6)."""
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        for uuid in (images.MINIMAL_64_LTS, MISSING):
            db.create('zones/%s' % uuid)
            db.snapshot('zones/%s@final' % uuid)
        db.save()
    result = gz.run('imgadm', 'update')
    assert (result.returncode, result.stderr) == (0, '')
    assert sorted(result.stdout.splitlines()) == sorted([
        'Added manifest info for image %s from "https://images.smartos.org"' % images.MINIMAL_64_LTS,
        'warning: Could not find image %s in image sources (skipping)' % MISSING])
    result = gz.run('imgadm', 'update', images.MINIMAL_64_LTS)
    assert (result.returncode, result.stdout) == (0, '')
    result = gz.run('imgadm', 'update', BASE)
    assert (result.returncode, result.stderr) == (
        1, 'imgadm update: error (Usage): no installed image with the given UUID(s): %s\n' % BASE)
    result = gz.run('imgadm', 'import', '-P', 'zones', '-q', ZVOL)
    assert result.stdout.splitlines()[-1] == 'Imported image %s (ubuntu-certified-22.04@20240125)' % ZVOL
    # smartos_image_info passes its filters as ONE argument: only the first '=' splits it
    result = gz.run('imgadm', 'list', '-j', 'os=linux')
    assert [i['manifest']['uuid'] for i in json.loads(result.stdout)] == [ZVOL]
    result = gz.run('imgadm', 'list', '-j', 'os=linux state=active')
    assert (result.returncode, result.stdout) == (0, '[]\n')
    result = gz.run('imgadm', 'delete', '-P', 'zones', ZVOL)
    assert result.stdout == 'Deleted image %s\n' % ZVOL
