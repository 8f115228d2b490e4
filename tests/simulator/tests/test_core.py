"""The simulator's own hooks: the command log and fault injection (tests/simulator/README.md)."""
import json
import time


def _log(gz):
    with open(gz.state + '/commands.log', encoding='utf-8') as handle:
        return [json.loads(line) for line in handle]


def test_every_tool_call_is_logged_with_argv_rc_and_time(gz):
    before = time.time()
    ok = gz.run('zfs', 'list', '-H', '-o', 'name', 'zones')
    bad = gz.run('zfs', 'list', 'zones/nope')
    assert ok.returncode == 0 and bad.returncode == 1
    entries = _log(gz)
    assert [e['argv'] for e in entries] == [['zfs', 'list', '-H', '-o', 'name', 'zones'], ['zfs', 'list', 'zones/nope']]
    assert [e['rc'] for e in entries] == [0, 1]
    assert all(before <= e['ts'] <= time.time() for e in entries)
    assert sorted(entries[0]) == ['argv', 'rc', 'ts']


def test_the_test_beds_own_command_is_not_logged(gz):
    gz.run('smartos-sim', 'log', '--state', gz.state)
    gz.run('zonename')
    assert [e['argv'] for e in _log(gz)] == [['zonename']]


def test_a_fault_answers_the_next_calls_then_the_tool_is_itself_again(gz):
    added = gz.run('smartos-sim', 'fault', '--state', gz.state, '--tool', 'zfs', '--count', '2', '--rc', '7',
                   '--stderr', 'cannot open \'zones\': I/O error\n')
    assert added.returncode == 0, added.stderr
    first, second, third = (gz.run('zfs', 'list', '-H', '-o', 'name', 'zones') for _i in range(3))
    assert (first.returncode, first.stderr, first.stdout) == (7, "cannot open 'zones': I/O error\n", '')
    assert second.returncode == 7
    assert (third.returncode, third.stdout) == (0, 'zones\n')
    # the faulted calls are in the log too, with the exit code the caller saw
    assert [e['rc'] for e in _log(gz)] == [7, 7, 0]


def test_a_fault_can_target_one_subcommand(gz):
    gz.run('smartos-sim', 'fault', '--state', gz.state, '--tool', 'zfs', '--subcommand', 'create', '--rc', '1',
           '--stderr', 'injected\n')
    listed = gz.run('zfs', 'list', '-H', '-o', 'name', 'zones')
    created = gz.run('zfs', 'create', 'zones/a')
    again = gz.run('zfs', 'create', 'zones/a')
    assert listed.returncode == 0
    assert (created.returncode, created.stderr) == (1, 'injected\n')
    assert again.returncode == 0, 'the fault was for one call only'
    assert gz.run('zfs', 'list', '-H', '-o', 'name', 'zones/a').stdout == 'zones/a\n'


def test_a_hanging_tool_hangs_and_clear_drops_queued_faults(gz):
    gz.run('smartos-sim', 'fault', '--state', gz.state, '--tool', 'vmadm', '--hang', '1.5', '--rc', '0')
    start = time.monotonic()
    hung = gz.run('vmadm', 'list')
    assert time.monotonic() - start >= 1.5
    assert hung.returncode == 0
    gz.run('smartos-sim', 'fault', '--state', gz.state, '--tool', 'vmadm', '--count', '5', '--rc', '1')
    gz.run('smartos-sim', 'fault', '--state', gz.state, '--clear')
    assert gz.run('vmadm', 'list', '-H').returncode == 0


def test_a_simulator_bug_is_loud_and_not_a_real_exit_code(gz):
    # A state document the tool cannot read must not pass for a SmartOS answer.
    with open(gz.state + '/zfs.json', 'w', encoding='utf-8') as handle:
        handle.write('{not json')
    broken = gz.run('zfs', 'list')
    assert broken.returncode == 99
    assert 'smartos-sim internal error in zfs' in broken.stderr


def test_without_a_state_directory_tools_refuse_clearly(gz):
    result = gz.run('vmadm', 'list', env={'SMARTOS_SIM_STATE': ''})
    assert result.returncode == 1
    assert 'SMARTOS_SIM_STATE is not set' in result.stderr
