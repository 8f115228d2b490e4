"""Conformance tests of the simulated ``zoneadm list``, ``zlogin`` and ``zonename`` (reference smartos_smf_zones.md §9-11)."""
import json
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from smartos_sim import images, zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.tools import vmadm  # noqa: E402  pylint: disable=wrong-import-position

ZLOGIN_USAGE = 'usage: zlogin [-dinCEINQS] [-e cmdchar] [-l user] zonename [command [args ...] ]\n'


@pytest.fixture(name='zgz')
def zgz_fixture(gz):
    """A GZ with one running and one stopped zone (created with the simulated vmadm)."""
    state = State(gz.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        if not db.pool('zones'):
            db.add_pool('zones', 500 * 1024 ** 3)
            db.save()
        if 'admin' not in vmadm.nic_tags(state):
            state.save('nictags', {'admin': {}, 'external': {}})
        images.install_image(state, images.BASE_64_LTS)
    ids = {}
    for alias, autoboot in (('up', True), ('down', False)):
        payload = {'image_uuid': images.BASE_64_LTS, 'alias': alias, 'autoboot': autoboot}
        result = gz.run('vmadm', 'create', stdin=json.dumps(payload))
        assert result.returncode == 0, result.stderr
        ids[alias] = result.stderr.split()[-1]
    gz.ids = ids
    gz.vms = vmadm.load_vms(state)
    return gz


def test_zonename(gz):
    """§11: `global` in the GZ; the zone's name inside one; -t shared/exclusive."""
    assert (gz.run('zonename').stdout, gz.run('zonename').returncode) == ('global\n', 0)
    assert gz.run('zonename', '-t').stdout == 'shared\n'
    inside = {'SMARTOS_SIM_ZONENAME': 'f1d0c3a4-0000-4000-8000-000000000001'}
    assert gz.run('zonename', env=inside).stdout == 'f1d0c3a4-0000-4000-8000-000000000001\n'
    assert gz.run('zonename', '-t', env=inside).stdout == 'exclusive\n'


def test_zoneadm_list_forms(zgz):
    """§9: default running names, -c/-i, -n, parsable and verbose lines, -p/-v exclusive, -z."""
    up, down = zgz.ids['up'], zgz.ids['down']
    zid, did = zgz.vms[up]['zoneid'], zgz.vms[up]['zonedid']
    result = zgz.run('zoneadm', 'list')
    assert (result.returncode, result.stdout, result.stderr) == (0, 'global\n%s\n' % up, '')
    assert zgz.run('zoneadm', 'list', '-c').stdout == 'global\n%s\n%s\n' % (up, down)
    assert zgz.run('zoneadm', 'list', '-in').stdout == '%s\n%s\n' % (up, down)
    result = zgz.run('zoneadm', 'list', '-cp')
    assert result.stdout == (
        '0:global:running:/::liveimg:shared:\n'
        '%d:%s:running:/zones/%s:%s:joyent:excl:%d\n' % (zid, up, up, up, did)
        + '-:%s:installed:/zones/%s:%s:joyent:excl:%d\n' % (down, down, down, zgz.vms[down]['zonedid']))
    result = zgz.run('zoneadm', 'list', '-v')
    assert result.stdout == (
        '  ID NAME             STATUS     PATH                           BRAND    IP    \n'
        '   0 global           running    /                              liveimg  shared\n'
        '%4d %s running    /zones/%s joyent   excl  \n' % (zid, up, up))
    result = zgz.run('zoneadm', 'list', '-pv')
    assert (result.returncode, result.stderr) == (1, 'zoneadm: list -p and -v are mutually exclusive.\n')
    assert zgz.run('zoneadm', '-z', down, 'list', '-p').stdout.startswith('-:%s:installed:' % down)
    result = zgz.run('zoneadm', '-z', 'nosuch', 'list')
    assert (result.returncode, result.stderr) == (1, 'zoneadm: nosuch: No such zone configured\n')
    assert zgz.run('zoneadm', '-z', down, 'list', '-c').returncode == 2


def test_zoneadm_agrees_with_vmadm(zgz):
    """smartos_cli_facts.md: `zoneadm list` and `vmadm list` agree after a stop."""
    up = zgz.ids['up']
    assert zgz.run('vmadm', 'stop', up).returncode == 0
    assert zgz.run('zoneadm', 'list').stdout == 'global\n'
    assert zgz.run('zoneadm', 'list', '-cp').stdout.count(':installed:') == 2


def test_zlogin_runs_in_the_zone(zgz):
    """§10: command via the zone's shell, cwd the zone root, stdin/stdout/stderr and exit code relayed."""
    up = zgz.ids['up']
    root = os.path.realpath(zgz.host_path('/zones/%s/root' % up))
    result = zgz.run('zlogin', up, 'pwd; zonename; echo oops >&2; exit 3')
    assert (result.returncode, result.stdout, result.stderr) == (3, '%s\n%s\n' % (root, up), 'oops\n')
    result = zgz.run('zlogin', '-Q', up, 'cat', stdin='from stdin\n')
    assert (result.returncode, result.stdout) == (0, 'from stdin\n')
    # several arguments: joined, the ones with blanks wrapped in '...' (prep_args)
    result = zgz.run('zlogin', up, 'printf', '%s,', 'a b', 'c')
    assert result.stdout == 'a b,c,'
    # inside the zone: zoneadm sees only this zone, vmadm refuses to run (vmadm.js onlyif, reference vmadm §1.1)
    result = zgz.run('zlogin', up, 'zoneadm list -c; vmadm list')
    assert (result.returncode, result.stdout) == (2, up + '\n')
    assert result.stderr.startswith('FATAL: cannot run because: ')
    result = zgz.run('zlogin', up, 'touch made-in-zone')
    assert result.returncode == 0 and os.path.exists(os.path.join(root, 'made-in-zone'))


def test_zlogin_refusals(zgz):
    """§10 errors, in order, and cli_facts: a zone that is not running is refused with exit 1."""
    down = zgz.ids['down']
    result = zgz.run('zlogin', down, 'true')
    assert (result.returncode, result.stdout, result.stderr) == (
        1, '', "zlogin: login allowed only to running zones (%s is 'installed').\n" % down)
    result = zgz.run('zlogin', 'nosuch', 'true')
    assert (result.returncode, result.stderr) == (1, "zlogin: zone 'nosuch' unknown\n")
    result = zgz.run('zlogin', 'global', 'true')
    assert (result.returncode, result.stderr) == (1, "zlogin: 'zlogin' not applicable to the global zone\n")
    result = zgz.run('zlogin', zgz.ids['up'], 'true', env={'SMARTOS_SIM_ZONENAME': zgz.ids['up']})
    assert (result.returncode, result.stderr) == (1, "zlogin: 'zlogin' may only be used from the global zone\n")
    result = zgz.run('zlogin')
    assert (result.returncode, result.stderr) == (2, ZLOGIN_USAGE)
    assert re.match(r'^usage: zlogin ', zgz.run('zlogin', '-z', down).stderr.splitlines()[-1])


def test_zlogin_reaches_the_zones_pkgsrc(zgz, tmp_path):
    """A joyent-brand zone's pkgsrc (the x86_64 kit, prefix /opt/local, pkgsrc_nova_facts.md §1.2)
    is what `zlogin <zone> pkgin|pkg_info ...` runs: zlogin puts <zoneroot>/opt/local/sbin and
    bin ahead of the GZ's PATH (FIDELITY.md, zones). Before the kit is there, there is no pkgin."""
    from smartos_sim import pkgrepo  # pylint: disable=import-outside-toplevel
    up = zgz.ids['up']
    root = zgz.host_path('/zones/%s/root' % up)
    result = zgz.run('zlogin', up, 'pkg_info')
    assert result.returncode == 127 and 'pkg_info' in result.stderr and 'not found' in result.stderr
    out = str(tmp_path / 'repo')
    info = pkgrepo.build_repository(out, os.path.dirname(os.path.dirname(os.path.abspath(__file__))), sys.executable)
    pkgrepo.unpack_bootstrap(out, 'x86_64', root)
    packages = info['sets']['x86_64']['packages']
    pkgin = [p for p in packages if p.startswith('pkgin-')][0]
    gmake = [p for p in packages if p.startswith('gmake-')][0]
    result = zgz.run('zlogin', up, 'pkgin', '-v')
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('%s (using SQLite ' % pkgin.replace('-', ' ', 1)), result.stdout
    result = zgz.run('zlogin', up, 'pkg_info', '-Q', 'LOCALBASE', 'pkg_install')
    assert (result.returncode, result.stdout, result.stderr) == (0, '/opt/local\n', '')
    result = zgz.run('zlogin', up, 'pkgin -y install gmake >/dev/null && pkg_info -qL gmake')
    assert (result.returncode, result.stdout) == (0, '/opt/local/bin/gmake\n\n'), result.stderr
    assert os.path.isfile(os.path.join(root, 'opt/local/pkg/%s/+CONTENTS' % gmake))
    assert os.path.isfile(os.path.join(root, 'opt/local/bin/gmake'))
    assert not os.path.exists(zgz.host_path('/opt/local')) and not os.path.exists(zgz.host_path('/opt/tools'))
    # the GZ's simulated tools are still on the PATH after the zone's pkgsrc
    result = zgz.run('zlogin', up, 'zonename')
    assert (result.returncode, result.stdout) == (0, up + '\n')
