"""Cross-check: clients nobody here wrote, run as real playbooks against a simulated GZ over SSH.

community.general's ``vmadm``, ``imgadm``, ``smartos_image_info``, ``zfs``, ``zfs_facts``,
``zpool_facts`` and ``pkgin`` modules (the ``ansible`` package pinned in requirements-peers.txt,
installed in .venv-peers, found through ``$SMARTSTACK_PEERS_BIN``) must do against the simulator
what they do on SmartOS (DESIGN.md "The simulated global zone"). The playbooks of ``crosscheck/``
run with the peer ``ansible-playbook`` (JSON callback) against one bootstrapped GZ; the tests
assert on the task results, on the simulator's state (its tools run on this machine with
``SMARTOS_SIM_STATE``, zfsdb, and probe tasks that read it mid-play), and on the commands each
module sent (the simulator's command log).

Where a peer module fails or misbehaves, the test says whether the simulator or the peer is
wrong, with the reference section (/work/shared/reference), and asserts what really happens.

Each playbook runs once (an ansible-playbook start costs seconds); its tests share the run
through a module-scoped fixture. The playbooks touch disjoint objects (aliases, images,
datasets, packages), so the order of the tests, and pytest-xdist workers (each with its own GZ),
do not matter.
"""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import SIM_BIN, SIM_HOME, start_gz_bed

sys.path.insert(0, SIM_HOME)

from smartos_sim import zfsdb  # noqa: E402  pylint: disable=wrong-import-position
from smartos_sim.state import State  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(HERE, 'crosscheck')
REPO = os.path.dirname(os.path.dirname(SIM_HOME))
PEERS_BIN = os.environ.get('SMARTSTACK_PEERS_BIN') or os.path.join(REPO, '.venv-peers', 'bin')

with open(os.path.join(PLAYBOOKS, 'vars.json'), encoding='utf-8') as _handle:
    XC = json.load(_handle)

UUID_RE = re.compile(r'^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$')


class PeerRun:
    """One ansible-playbook run: exit code, per-task results, and the commands it caused."""

    def __init__(self, proc, commands):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.commands = commands
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            report = {}
        self.tasks = {}
        for play in report.get('plays', []):
            for task in play['tasks']:
                for result in task['hosts'].values():
                    self.tasks[task['task']['name']] = result

    def __getitem__(self, name):
        assert name in self.tasks, 'task %r did not run\n%s' % (name, self.why())
        return self.tasks[name]

    def probe(self, name):
        """The JSON a probe task printed (the simulator's state at that point of the play)."""
        result = self['Probe: ' + name]
        assert result.get('rc') == 0, result
        return json.loads(result['stdout'])

    def argvs(self, tool=None, sub=None):
        return [c['argv'] for c in self.commands
                if (tool is None or c['argv'][0] == tool) and (sub is None or sub in c['argv'][1:])]

    def rcs(self, argv):
        """Exit codes of every run of exactly ``argv``, in order."""
        return [c['rc'] for c in self.commands if c['argv'] == argv]

    def why(self):
        return 'rc %d\nstdout:\n%s\nstderr:\n%s' % (self.rc, self.stdout[-4000:], self.stderr[-4000:])


class PeerGz:
    """A bootstrapped simulated GZ (pkgsrc-tools + Python) and the peer ansible-playbook."""

    def __init__(self, bed, playbook_exe, collections_dir):
        self.bed = bed
        self.host = bed[0]
        self.exe = playbook_exe
        self.collections_dir = collections_dir
        self.runs = {}

    @property
    def state(self):
        return self.host.state

    def _log(self):
        return State(self.state).commands()

    def play(self, playbook, tags=None):
        """Run crosscheck/<playbook> (once per tags); the PeerRun."""
        key = (playbook, tags)
        if key not in self.runs:
            before = len(self._log())
            env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_JSON_INDENT='0',
                       ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                       ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_DISPLAY_TRACEBACK='error',
                       # one SSH command per task; the modules behave the same
                       ANSIBLE_PIPELINING='1',
                       # the peers' own collections (site-packages) only, not the project's build tree
                       ANSIBLE_COLLECTIONS_PATH=self.collections_dir, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='1')
            argv = [self.exe, '-i', self.bed.inventory, os.path.join(PLAYBOOKS, playbook)]
            if tags:
                argv += ['--tags', tags]
            proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600, env=env,
                                  cwd=PLAYBOOKS, stdin=subprocess.DEVNULL)
            self.runs[key] = PeerRun(proc, self._log()[before:])
        return self.runs[key]

    def sim(self, *argv):
        """A simulated tool run on this machine against the GZ's state (not through the peer)."""
        env = dict(os.environ, SMARTOS_SIM_STATE=self.state, SMARTOS_SIM_PYTHON=sys.executable)
        return subprocess.run([os.path.join(SIM_BIN, argv[0])] + [str(a) for a in argv[1:]],
                              capture_output=True, text=True, check=False, timeout=60, env=env)

    def sim_json(self, *argv):
        result = self.sim(*argv)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def zfs(self):
        """The simulator's dataset store, as it is now (read-only use)."""
        state = State(self.state)
        with state.lock():
            return zfsdb.Zfs(state)

    def in_gz(self, command):
        """A shell command inside the GZ (its mount namespace, a GZ session's environment)."""
        return self.host.nsenter(['/bin/sh', '-c', command])


@pytest.fixture(scope='module')
def peer(tmp_path_factory):
    """One simulated GZ, bootstrapped (pkgsrc-tools, python311), for the peer modules."""
    exe = os.path.join(PEERS_BIN, 'ansible-playbook')
    if not os.access(exe, os.X_OK):
        pytest.skip('the peer ansible (community.general) is not installed at %s: run `make peers` '
                    '(or set SMARTSTACK_PEERS_BIN)' % PEERS_BIN)
    bed = start_gz_bed(tmp_path_factory, 'crosscheck', count=1, bootstrapped=True)
    yield PeerGz(bed, exe, str(tmp_path_factory.mktemp('no-collections')))
    bed.down()


@pytest.fixture(scope='module')
def vmadm_run(peer):
    run = peer.play('vmadm.yml')
    assert run.tasks, run.why()
    return run


@pytest.fixture(scope='module')
def imgadm_run(peer):
    run = peer.play('imgadm.yml')
    assert run.tasks, run.why()
    return run


@pytest.fixture(scope='module')
def zfs_run(peer):
    run = peer.play('zfs.yml', 'present')
    assert run.tasks, run.why()
    return run


@pytest.fixture(scope='module')
def pkgin_run(peer):
    run = peer.play('pkgin.yml')
    assert run.tasks, run.why()
    return run


# ---------------------------------------------------------------------------------------- vmadm

def test_vmadm_run_has_no_unexpected_failure(vmadm_run):
    """The play ends (rc 0): the only failing task is the expected peer failure (ignored)."""
    assert vmadm_run.rc == 0, vmadm_run.why()
    failed = [name for name, result in vmadm_run.tasks.items() if result.get('failed')]
    assert failed == ['Delete the zone with force'], failed


def test_vmadm_create_is_idempotent(vmadm_run, peer):
    """community.general.vmadm ``state: present``: ``vmadm lookup -j -o uuid alias=<a>`` finds
    nothing, ``vmadm create -f <payload>`` (uuid parsed from ``Successfully created VM <uuid>`` on
    stderr), then the re-run finds the zone and changes nothing (reference smartos_vmadm.md §1.1,
    §2.1, §2.4 lookup -j -o, §3 create with autoboot)."""
    created, again = vmadm_run['Create the zone'], vmadm_run['Create the zone again']
    assert created['changed'] is True and UUID_RE.match(created['uuid']), created
    assert again['changed'] is False and again['uuid'] == created['uuid'], again
    uuid = created['uuid']
    # one create for this zone (two more come from the tasks that use `name`, see below)
    creates = vmadm_run.argvs('vmadm', 'create')
    assert len(creates) == 3 and all(a[:3] == ['vmadm', 'create', '-f'] and len(a) == 4 for a in creates), creates
    assert ['vmadm', 'lookup', '-j', '-o', 'uuid', 'alias=%s' % XC['xc_alias']] in vmadm_run.argvs()
    assert ['vmadm', 'lookup', '-j', '-o', 'state', 'uuid=%s' % uuid] in vmadm_run.argvs()
    vms = vmadm_run.probe('created')
    assert len(vms) == 1, vms     # idempotent: no second zone with this alias (§2.1 item 8)
    vm = vms[0]
    assert (vm['uuid'], vm['brand'], vm['image_uuid'], vm['state'], vm['autoboot']) == (
        uuid, 'joyent', XC['xc_image_uuid'], 'running', True)
    assert (vm['max_physical_memory'], vm['quota'], vm['cpu_cap']) == (XC['xc_ram'], XC['xc_quota'], XC['xc_cpu_cap'])
    assert vm['resolvers'] == XC['xc_resolvers'] and vm['customer_metadata'] == XC['xc_customer_metadata']
    assert [(n['nic_tag'], n['ip'], n.get('primary')) for n in vm['nics']] == [('admin', 'dhcp', True)]
    # The module's payload also carries `name`, `brand` and `cpu_type: qemu64`; a joyent zone does
    # not accept `cpu_type` (§4.7) nor know `name`, and create drops them silently (§2.1 item 4).
    assert 'cpu_type' not in vm and 'name' not in vm
    assert (vm['type'], vm['ram']) == ('OS', XC['xc_ram'])      # lookup -j fake fields (§2.4)


def test_vmadm_stop_start_reboot(vmadm_run):
    """``state: stopped`` with ``force`` sends ``vmadm stop -F <uuid>`` (valid, §1.4, §2.7) and
    clears autoboot (§3); the re-run sees ``stopped`` and sends nothing; ``state: running`` sends
    ``vmadm start`` (autoboot true again, §2.6), ``state: restarted`` ``vmadm reboot`` (§2.8).
    The module reads success from stderr starting with ``Successfully``."""
    uuid = vmadm_run['Create the zone']['uuid']
    assert vmadm_run['Stop the zone (force)']['changed'] is True
    assert vmadm_run['Stop the zone again']['changed'] is False
    assert vmadm_run.argvs('vmadm', 'stop') == [['vmadm', 'stop', '-F', uuid]]
    assert vmadm_run.rcs(['vmadm', 'stop', '-F', uuid]) == [0]
    stopped = vmadm_run.probe('stopped')[0]
    assert (stopped['state'], stopped['autoboot']) == ('stopped', False)
    assert vmadm_run['Start the zone']['changed'] is True
    assert vmadm_run['Reboot the zone']['changed'] is True
    assert vmadm_run.rcs(['vmadm', 'start', uuid]) == [0] and vmadm_run.rcs(['vmadm', 'reboot', uuid]) == [0]
    started = vmadm_run.probe('started')[0]
    assert (started['state'], started['autoboot']) == ('running', True)


def test_vmadm_does_not_update_an_existing_zone(vmadm_run):
    """A limitation of the PEER, not a simulator fault: community.general.vmadm only creates
    zones and changes their state; for an existing zone it never sends ``vmadm update`` (its source
    lists property updates as future work). A changed ``max_physical_memory`` is reported ok and
    unchanged, and the zone keeps its value -- on a real GZ too (smartos_vmadm.md §2.10 describes
    the update the module never sends)."""
    result = vmadm_run['Change a property of the zone']
    assert result['changed'] is False and result['uuid'] == vmadm_run['Create the zone']['uuid'], result
    assert vmadm_run.argvs('vmadm', 'update') == []
    vm = vmadm_run.probe('deleted with force')[0]     # the next probe, after a failed delete
    assert vm['max_physical_memory'] == XC['xc_ram'] != XC['xc_ram_changed']


def test_vmadm_delete_force_is_a_usage_error(vmadm_run, peer, reference):
    """Expected failure of the PEER, not of the simulator: with ``force: true`` and
    ``state: deleted`` community.general.vmadm sends ``vmadm delete -F <uuid>``. The real vmadm has
    no -F for delete: nopt takes the uuid as the value of the unknown -F, so no uuid is left and
    vmadm prints ``Invalid or missing UUID for delete`` and its usage on stderr, exit 2 (reference
    smartos_vmadm.md §1.4, §2.9; smartos_cli_facts.md "Quirks that clients depend on"). The module
    hides vmadm's stderr and fails with ``Failed to set VM <uuid> to state deleted``; the zone stays."""
    uuid = vmadm_run['Create the zone']['uuid']
    result = vmadm_run['Delete the zone with force']
    assert result['failed'] is True and result['changed'] is False, result
    assert result['msg'] == 'Failed to set VM %s to state deleted' % uuid
    assert vmadm_run.rcs(['vmadm', 'delete', '-F', uuid]) == [2]
    assert [(v['uuid'], v['state']) for v in vmadm_run.probe('deleted with force')] == [(uuid, 'running')]
    # What the module did not show: the same argv, answered as the real vmadm answers it (the
    # answer does not depend on the zone: parsing fails first).
    replay = peer.sim('vmadm', 'delete', '-F', uuid)
    with open(os.path.join(reference, 'smartos_vmadm.md'), encoding='utf-8') as handle:
        text = handle.read()
    usage = text.split('### 1.2 Usage text', 1)[1].split('```', 2)[1].strip('\n').splitlines()
    lines = replay.stderr.splitlines()
    assert (replay.returncode, replay.stdout) == (2, '')
    assert lines[0] == 'Invalid or missing UUID for delete'
    # the usage (§1.2); its first line names the program, a path the reference leaves UNCONFIRMED
    assert re.match(r'^Usage: \S+ <command> \[options\]$', lines[1]), lines[1]
    assert lines[2:] == usage[1:], replay.stderr


def test_vmadm_delete(vmadm_run, peer):
    """``state: deleted`` without force sends ``vmadm delete <uuid>`` (``Successfully deleted VM``,
    §2.9); the re-run finds no zone by alias (``lookup -j`` gives ``[]``, §2.15) and does nothing.
    The zone and its dataset are gone from the simulator."""
    uuid = vmadm_run['Create the zone']['uuid']
    assert vmadm_run['Delete the zone']['changed'] is True
    assert vmadm_run['Delete the zone again']['changed'] is False
    assert vmadm_run.rcs(['vmadm', 'delete', uuid]) == [0]
    assert [a for a in vmadm_run.argvs('vmadm', 'delete') if uuid in a] == [
        ['vmadm', 'delete', '-F', uuid], ['vmadm', 'delete', uuid]]
    assert peer.sim_json('vmadm', 'lookup', '-j', 'alias=%s' % XC['xc_alias']) == []
    assert peer.sim_json('vmadm', 'lookup', '-j', 'uuid=%s' % uuid) == []
    assert not peer.zfs().exists('zones/' + uuid)


def test_vmadm_by_name_is_not_idempotent(vmadm_run):
    """A bug of the PEER: the module's option is ``name`` (``alias`` is only its alias), it finds
    zones with ``lookup alias=<name>``, but its create payload is built from the option names: a
    task that says ``name:`` sends ``"name": ...`` and no ``alias``. vmadm drops the unknown
    ``name`` silently (smartos_vmadm.md §2.1 item 4) and aliases need not be unique (item 8), so
    every run creates one more zone without an alias -- on a real GZ as in the simulator."""
    first, again = vmadm_run['Create a zone by name'], vmadm_run['Create the zone by name again']
    assert first['changed'] is True and again['changed'] is True, (first, again)
    assert first['uuid'] != again['uuid']
    assert vmadm_run.rcs(['vmadm', 'lookup', '-j', '-o', 'uuid', 'alias=%s' % XC['xc_name']]) == [0, 0]
    zones = vmadm_run.probe('zones by name')
    assert {'uuid': first['uuid']} in zones and {'uuid': again['uuid']} in zones, zones
    assert vmadm_run['Remove the zones made by name']['rc'] == 0


# ---------------------------------------------------------------------------------------- imgadm

def _installed(infos):
    return {i['manifest']['uuid']: i for i in infos}


def test_imgadm_import_is_idempotent(imgadm_run):
    """community.general.imgadm ``state: imported`` sends ``imgadm import -P zones -q <uuid>``:
    changed when the last stdout line is ``Imported image <uuid> ...``, unchanged on ``Image <uuid>
    (<name> <version>) is already installed, skipping`` (reference smartos_gz_tools.md §1.2, §1.6)."""
    image = XC['xc_import_uuid']
    assert imgadm_run['Import the image']['changed'] is True
    assert imgadm_run['Import the image again']['changed'] is False
    # twice by the module, once by the probe that shows what the module read
    assert imgadm_run.rcs(['imgadm', 'import', '-P', 'zones', '-q', image]) == [0, 0, 0]
    installed = _installed(imgadm_run.probe('imported'))
    assert installed[image]['zpool'] == 'zones' and installed[image]['source'] == 'https://images.smartos.org'
    assert (installed[image]['manifest']['name'], installed[image]['manifest']['version']) == (
        XC['xc_import_name'], XC['xc_import_version'])
    probe = imgadm_run['Probe: import of an installed image']
    assert (probe['rc'], probe['stdout'], probe['stderr']) == (0, 'Image %s (%s %s) is already installed, skipping' % (
        image, XC['xc_import_name'], XC['xc_import_version']), ''), probe


def test_imgadm_import_of_an_unknown_image(imgadm_run, peer):
    """An image no source has: imgadm exits 1 with ``ActiveImageNotFound`` (smartos_gz_tools.md
    §1.1, §1.6 step 3). A PEER quirk, not a simulator fault: the module fails on rc != 0 before it
    looks for that code, and its errmsg() regex wants a second ``: `` the message does not have,
    so it says ``Unexpected failure``."""
    missing = XC['xc_unknown_image_uuid']
    result = imgadm_run['Import an image no source has']
    assert result['failed'] is True and result['msg'] == 'Failed to import image: Unexpected failure', result
    assert imgadm_run.rcs(['imgadm', 'import', '-P', 'zones', '-q', missing]) == [1]
    replay = peer.sim('imgadm', 'import', '-P', 'zones', '-q', missing)
    assert (replay.returncode, replay.stdout, replay.stderr) == (
        1, '', 'imgadm import: error (ActiveImageNotFound): an active image "%s" was not found in image sources\n'
        % missing)


def test_smartos_image_info(imgadm_run):
    """smartos_image_info parses ``imgadm list -j [filter]``: each manifest, plus ``clones``,
    ``source`` and ``zpool`` of its entry (smartos_gz_tools.md §1.4; with a filter, imgadm also
    decorates the manifests with ``pub``, ``published`` ...)."""
    installed = _installed(imgadm_run.probe('imported'))
    images = imgadm_run['List the installed images']['smartos_images']
    assert set(images) == set(installed) and XC['xc_import_uuid'] in images, images
    for uuid, info in installed.items():
        assert images[uuid] == dict(info['manifest'], clones=info['clones'], source=info['source'],
                                    zpool=info['zpool'])
    assert images[XC['xc_import_uuid']]['clones'] == 0
    named = imgadm_run['List the installed images of one name']['smartos_images']
    assert list(named) == [XC['xc_import_uuid']], named
    assert named[XC['xc_import_uuid']]['pub'] == images[XC['xc_import_uuid']]['published_at'][:10]
    assert ['imgadm', 'list', '-j', 'name=%s' % XC['xc_import_name']] in imgadm_run.argvs('imgadm', 'list')


def test_smartos_image_info_needs_a_source(imgadm_run):
    """A bug of the PEER: smartos_image_info copies ``source`` of every ``imgadm list -j`` entry,
    but imgadm leaves ``source`` out when it does not know it: an image dataset without a manifest
    cache is listed as ``{"manifest": {"uuid": ...}, "zpool": "zones", ...}`` (smartos_gz_tools.md
    §1.2 ``database.js loadImage``, §1.4). The module then dies with ``KeyError: 'source'``; the
    simulator lists the image as imgadm does."""
    listed = [i for i in imgadm_run.probe('image without a source') if i['manifest']['uuid'] == XC['xc_sourceless_uuid']]
    assert [i['manifest'] for i in listed] == [{'uuid': XC['xc_sourceless_uuid']}], listed
    assert 'source' not in listed[0] and listed[0]['zpool'] == 'zones'
    result = imgadm_run['List the installed images with one that has no source']
    assert result['failed'] is True, result
    assert result['msg'] == "Task failed: Module failed: 'source'", result
    assert "KeyError: 'source'" in result.get('exception', '') + result.get('module_stderr', ''), json.dumps(result)


def test_imgadm_delete_of_an_image_in_use_is_reported_ok(imgadm_run, peer):
    """A bug of the PEER: for ``state: deleted`` community.general.imgadm never looks at imgadm's
    exit code, only for ``ImageNotInstalled`` on stderr and ``Deleted image`` on stdout. An image a
    zone is cloned from cannot be deleted: imgadm exits 1 with ``imgadm delete: error
    (ImageHasDependentClones): image "<uuid>" has dependent clones: zones/<vm>`` (smartos_gz_tools.md
    §1.7), and the module reports ok, unchanged, while the image stays."""
    image = XC['xc_image_in_use_uuid']
    vm = imgadm_run['A zone cloned from the image in use']['uuid']
    result = imgadm_run['Delete the image in use']
    assert result['changed'] is False and not result.get('failed'), result
    assert imgadm_run.rcs(['imgadm', 'delete', '-P', 'zones', image]) == [1]
    assert image in _installed(imgadm_run.probe('image in use after delete'))
    assert imgadm_run['Delete the zone cloned from the image in use']['changed'] is True
    # The answer the module ignored, as imgadm gives it (the zone is gone now: recreate the clone).
    state = State(peer.state)
    with state.lock():
        db = zfsdb.Zfs(state)
        db.clone('zones/%s@final' % image, 'zones/' + vm)
        db.save()
    try:
        replay = peer.sim('imgadm', 'delete', '-P', 'zones', image)
        assert (replay.returncode, replay.stdout, replay.stderr) == (
            1, '', 'imgadm delete: error (ImageHasDependentClones): image "%s" has dependent clones: zones/%s\n'
            % (image, vm))
    finally:
        with state.lock():
            db = zfsdb.Zfs(state)
            db.destroy('zones/' + vm)
            db.save()


def test_imgadm_delete_is_idempotent(imgadm_run, peer):
    """``state: deleted`` sends ``imgadm delete -P zones <uuid>``: ``Deleted image <uuid>`` (changed),
    then rc 3 ``ImageNotInstalled`` (unchanged) (smartos_gz_tools.md §1.1, §1.7); the image and its
    dataset are gone."""
    image = XC['xc_import_uuid']
    assert imgadm_run['Delete the image']['changed'] is True
    assert imgadm_run['Delete the image again']['changed'] is False
    assert imgadm_run.rcs(['imgadm', 'delete', '-P', 'zones', image]) == [0, 3]
    assert image not in _installed(peer.sim_json('imgadm', 'list', '-j'))
    db = peer.zfs()
    assert not db.exists('zones/' + image) and not db.exists('zones/' + XC['xc_sourceless_uuid'])


def test_imgadm_sources(imgadm_run):
    """``source`` + ``state: present`` sends ``imgadm sources [-f] -a <url> -t imgapi``: ``Added
    "imgapi" image source "<url>"`` (changed), then ``Already have ... no change`` (smartos_gz_tools.md
    §1.8). A bug of the PEER for ``state: absent``: it appends ``' -d <url>'`` to its argv LIST, so
    imgadm receives one argument per character and refuses them (a Usage error, rc 1, §1.1); the
    module fails and the source stays configured (removing it with imgadm afterwards says
    ``Deleted "imgapi" image source "<url>"``)."""
    url = XC['xc_source']
    assert imgadm_run['Add an image source']['changed'] is True
    assert imgadm_run['Add the image source again']['changed'] is False
    assert imgadm_run.rcs(['imgadm', 'sources', '-f', '-a', url, '-t', 'imgapi']) == [0, 0]
    assert {'url': url, 'type': 'imgapi'} in imgadm_run.probe('sources')
    result = imgadm_run['Remove the image source']
    assert result['failed'] is True and result['msg'].startswith('Failed to remove source: '), result
    assert imgadm_run.rcs(['imgadm', 'sources'] + list(' -d %s' % url)) == [1]
    left = imgadm_run['Probe: remove the image source with imgadm']
    assert (left['rc'], left['stdout']) == (0, 'Deleted "imgapi" image source "%s"' % url), left


# ---------------------------------------------------------------------------------------- zfs

def _facts(result, key):
    assert not result.get('failed'), result
    return {d['name']: d for d in result['ansible_facts'][key]}


def test_zfs_create_is_idempotent(zfs_run, peer):
    """community.general.zfs: ``zpool get version zones`` (``-`` on a feature-flag pool, reference
    smartos_zfs_zpool.md §14), ``zfs list -t all``, ``zfs create -p -o p=v ...`` / ``-V -b`` for a
    volume, then on re-runs ``zfs get -H -p -o property,source all`` and ``-o value`` per property
    (§11 get, §9 create); the simulator holds the properties as set."""
    fs, child, vol = XC['xc_dataset'], XC['xc_child'], XC['xc_volume']
    assert zfs_run['Create a filesystem with properties']['changed'] is True
    assert zfs_run['Create the filesystem again']['changed'] is False
    assert zfs_run['Create a child filesystem']['changed'] is True
    assert zfs_run['Create a volume']['changed'] is True
    assert zfs_run['Create the volume again']['changed'] is False
    assert zfs_run.argvs('zfs', 'create') == [
        ['zfs', 'create', '-p', '-o', 'compression=lz4', '-o', 'quota=1073741824', '-o', 'recordsize=8192',
         '-o', 'atime=off', '-o', 'xc:role=web', fs],
        ['zfs', 'create', '-p', '-o', 'mountpoint=/xc-data', child],
        ['zfs', 'create', '-p', '-V', '10M', '-b', '16384', vol],
        ['zfs', 'create', '-p', '-V', '10M', '-b', '8192', XC['xc_volume_8k']]]
    assert all(c['rc'] == 0 for c in zfs_run.commands if c['argv'][:2] in (['zfs', 'create'], ['zpool', 'get'])), \
        zfs_run.commands
    db = peer.zfs()
    assert db.get_parsable(fs, 'quota') == ('1073741824', 'local')
    assert db.get_parsable(fs, 'recordsize') == ('8192', 'local')
    assert db.get_parsable(fs, 'atime') == ('off', 'local')
    assert db.get_parsable(fs, 'xc:role') == ('web', 'local')
    assert db.get_parsable(child, 'mountpoint') == ('/xc-data', 'local')
    assert db.get_parsable(vol, 'volsize')[0] == '10485760'
    assert db.get_parsable(vol, 'volblocksize') == ('16384', '-')       # §11: `-` when not 8K
    assert db.type(vol) == 'volume'


def test_zfs_property_change_is_not_reported(zfs_run, peer):
    """A bug of the PEER (community.general issue #11019, fixed by PR #11172 after the pinned
    release): after ``zfs set`` it compares the new value with a fresh ``zfs get`` of the same
    property instead of the old value, so a change is reported ``changed: false``. The simulator
    did change the property (its diff shows before/after)."""
    fs = XC['xc_dataset']
    result = zfs_run['Change a property']
    assert result['changed'] is False, result
    assert zfs_run.rcs(['zfs', 'set', 'compression=gzip', fs]) == [0]
    assert result['diff']['before']['extra_zfs_properties'] == {'compression': 'lz4'}
    assert result['diff']['after']['extra_zfs_properties'] == {'compression': 'gzip'}
    assert peer.zfs().get_parsable(fs, 'compression') == ('gzip', 'local')


def test_zfs_default_volblocksize_is_set_again(zfs_run, peer):
    """Expected failure of the PEER, not of the simulator: on a re-run the module only knows the
    properties whose source is ``local``, ``received`` or ``-``. ``volblocksize`` at its default 8K
    has source ``default`` (smartos_zfs_zpool.md §11 "Source strings"), so the module ``zfs set``s
    it, and a set-once property cannot be set: ``cannot set property for '<vol>': 'volblocksize' is
    readonly``, exit 1 (§4 set-once properties, §10 set). The volume is unchanged."""
    vol = XC['xc_volume_8k']
    result = zfs_run['Create the volume with the default block size again']
    assert result['failed'] is True and result['rc'] == 1, result
    assert result['msg'] == "cannot set property for '%s': 'volblocksize' is readonly" % vol
    assert zfs_run.rcs(['zfs', 'set', 'volblocksize=8192', vol]) == [1]
    assert peer.zfs().get_parsable(vol, 'volblocksize') == ('8192', 'default')


def test_zfs_facts(zfs_run, peer):
    """community.general.zfs_facts: ``zfs get -H [-p] [-r] -t <types> -o name,property,value
    <props> <name>`` (smartos_zfs_zpool.md §11); its facts equal the simulator's values, exact
    numbers with ``parsable`` and human ones (nicenum, §3) without; the ``type`` filter holds."""
    fs, child = XC['xc_dataset'], XC['xc_child']
    db = peer.zfs()
    filesystems = _facts(zfs_run['Facts of the filesystems under the dataset'], 'ansible_zfs_datasets')
    assert sorted(filesystems) == [fs, child]
    for name, props in filesystems.items():
        for prop, value in props.items():
            if prop != 'name':
                assert value == db.get_parsable(name, prop)[0], (name, prop, value)
    assert {'used', 'available', 'referenced', 'quota', 'compression', 'mountpoint', 'xc:role'} <= set(filesystems[fs])
    assert filesystems[fs]['quota'] == '1073741824' and filesystems[fs]['compression'] == 'gzip'
    assert int(filesystems[fs]['used']) >= int(filesystems[child]['used']) > 0
    volumes = _facts(zfs_run['Facts of the volumes under the dataset'], 'ansible_zfs_datasets')
    assert sorted(volumes) == [XC['xc_volume'], XC['xc_volume_8k']]
    for name, props in volumes.items():
        assert sorted(props) == ['name', 'refreservation', 'used', 'volblocksize', 'volsize']
        for prop in ('refreservation', 'used', 'volblocksize', 'volsize'):
            assert props[prop] == db.get_parsable(name, prop)[0], (name, prop)
        assert props['volsize'] == '10485760'
    assert zfs_run.argvs('zfs', 'get')[-3:] == [
        ['zfs', 'get', '-H', '-p', '-r', '-t', 'filesystem', '-o', 'name,property,value', 'all', fs],
        ['zfs', 'get', '-H', '-p', '-r', '-t', 'volume', '-o', 'name,property,value',
         'volsize,volblocksize,refreservation,used', fs],
        ['zfs', 'get', '-H', '-t', 'all', '-o', 'name,property,value', 'quota,compression,used', fs]]
    alone = _facts(zfs_run['Facts of the dataset alone, human-readable'], 'ansible_zfs_datasets')
    assert list(alone) == [fs]
    assert alone[fs] == {'name': fs, 'quota': '1G', 'compression': 'gzip', 'used': db.get(fs, 'used')[0]}
    assert alone[fs]['used'] == zfsdb.nicenum(int(db.get_parsable(fs, 'used')[0]))
    missing = zfs_run['Facts of a dataset that does not exist']
    assert missing['failed'] is True and missing['msg'] == 'ZFS dataset zones/xc-nothing does not exist!'
    assert zfs_run.rcs(['zfs', 'list', 'zones/xc-nothing']) == [1]


def test_zpool_facts(zfs_run, peer):
    """community.general.zpool_facts: ``zpool list <pool>`` then ``zpool get -H [-p] -o
    name,property,value all [<pool>]`` (smartos_zfs_zpool.md §14, §15); its facts carry the
    simulator's pool numbers (exact with ``parsable``, nicenum without)."""
    db = peer.zfs()
    space = db.pool_space('zones')
    pools = _facts(zfs_run['Facts of the pool'], 'ansible_zfs_pools')
    assert list(pools) == ['zones']
    zones = pools['zones']
    assert (zones['size'], zones['allocated'], zones['free']) == (
        str(space['size']), str(space['allocated']), str(space['free']))
    assert int(zones['size']) == int(zones['allocated']) + int(zones['free'])
    assert (zones['health'], zones['version']) == ('ONLINE', '-')
    assert 'feature@async_destroy' in zones
    every = _facts(zfs_run['Facts of every pool, human-readable'], 'ansible_zfs_pools')
    assert sorted(every) == sorted(db.pools())
    assert every['zones']['size'] == zfsdb.nicenum(space['size'])
    assert zfs_run.argvs('zpool', 'get')[-2:] == [
        ['zpool', 'get', '-H', '-p', '-o', 'name,property,value', 'all', 'zones'],
        ['zpool', 'get', '-H', '-o', 'name,property,value', 'all']]
    assert zfs_run.rcs(['zpool', 'list', 'zones']) == [0]


def test_zfs_destroy_is_idempotent(zfs_run, peer):
    """``state: absent`` sends ``zfs destroy -R <name>`` (smartos_zfs_zpool.md §10 destroy): the
    dataset and every child are gone; the re-run finds nothing (``zfs list -t all`` exit 1)."""
    assert zfs_run.tasks      # the datasets exist (the `present` run) before this run removes them
    run = peer.play('zfs.yml', 'absent')
    assert run.rc == 0, run.why()
    assert run['Destroy the dataset and its children']['changed'] is True
    assert run['Destroy the dataset again']['changed'] is False
    assert run.argvs('zfs', 'destroy') == [['zfs', 'destroy', '-R', XC['xc_dataset']]]
    assert run.rcs(['zfs', 'destroy', '-R', XC['xc_dataset']]) == [0]
    assert run.rcs(['zfs', 'list', '-t', 'all', XC['xc_dataset']]) == [0, 1]
    db = peer.zfs()
    for name in (XC['xc_dataset'], XC['xc_child'], XC['xc_volume'], XC['xc_volume_8k']):
        assert not db.exists(name), name


# ---------------------------------------------------------------------------------------- pkgin

def test_pkgin_install_is_idempotent(pkgin_run, peer):
    """community.general.pkgin on the bootstrapped GZ (pkgin in /opt/tools/bin): ``pkgin -p -v``,
    ``pkgin -p search ^<name>$`` (``<full>;<flag>;<comment>``, flag ``=`` when installed),
    ``pkgin -y install <name>``; ``update_cache`` sends ``pkgin -y update`` and reads ``database for
    <url> is up-to-date`` (reference smartos_gz_tools.md §5.1, §5.3, §5.4, §5.5)."""
    package, full = XC['xc_package'], XC['xc_package_full']
    assert pkgin_run.rc == 0, pkgin_run.why()
    refresh = pkgin_run['Refresh the package database']
    assert (refresh['changed'], refresh['msg']) == (False, 'database is up-to-date'), refresh
    first, again = pkgin_run['Install a package'], pkgin_run['Install the package again']
    assert (first['changed'], first['msg']) == (True, 'installed 1 package'), first
    assert (again['changed'], again['msg']) == (False, 'package(s) already present'), again
    assert pkgin_run['Install a package with dependencies, refreshing the database first']['changed'] is True
    assert pkgin_run.rcs(['pkgin', '-y', 'install', package]) == [0]
    assert pkgin_run.rcs(['pkgin', '-y', 'install', XC['xc_package_with_deps']]) == [0]
    assert pkgin_run.rcs(['pkgin', '-y', 'update']) == [0, 0]
    assert set(pkgin_run.rcs(['pkgin', '-p', '-v'])) == {0}
    probe = pkgin_run['Probe: installed']
    assert probe['stdout'].split() == [full, 'git-2.43.0', 'git-base-2.43.0'], probe


def test_pkgin_install_of_a_missing_package(pkgin_run):
    """``pkgin -p search`` with no match prints ``No results found for <pattern>`` and exits 1
    (smartos_gz_tools.md §5.3); the module reads that as not found and fails without installing."""
    missing = XC['xc_missing_package']
    result = pkgin_run['Install a package the repository does not have']
    assert result['failed'] is True
    assert result['msg'] == 'failed to find package %s for installation' % missing
    assert pkgin_run.rcs(['pkgin', '-p', 'search', '^%s$' % missing]) == [1]
    assert pkgin_run.argvs('pkgin', 'install') == [
        ['pkgin', '-y', 'install', XC['xc_package']], ['pkgin', '-y', 'install', XC['xc_package_with_deps']]]


def test_pkgin_remove_is_idempotent(pkgin_run, peer):
    """``state: absent`` sends ``pkgin -y remove <name>`` when search shows it installed, nothing
    when not (smartos_gz_tools.md §5.6); the package is gone from the pkgdb and its files from
    /opt/tools, its neighbours stay."""
    package = XC['xc_package']
    removed, again = pkgin_run['Remove the package'], pkgin_run['Remove the package again']
    assert (removed['changed'], removed['msg']) == (True, 'removed 1 package'), removed
    assert (again['changed'], again['msg']) == (False, 'package(s) already absent'), again
    assert pkgin_run.argvs('pkgin', 'remove') == [['pkgin', '-y', 'remove', package]]
    assert pkgin_run.rcs(['pkgin', '-y', 'remove', package]) == [0]
    probe = pkgin_run['Probe: removed']
    assert probe['stdout'].split() == ['git-2.43.0', 'git-base-2.43.0'], probe
    assert not os.path.exists(peer.host.host_path('/opt/tools/bin/gmake'))
    assert os.path.exists(peer.host.host_path('/opt/tools/bin/git'))
    search = peer.in_gz('pkgin -p search "^%s$"' % package)
    assert search.stdout.splitlines()[0].startswith('%s;;' % XC['xc_package_full']), search.stdout
