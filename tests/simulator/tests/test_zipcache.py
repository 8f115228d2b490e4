"""The test bed's bytecode cache for zip imports (smartos_sim/zipcache.py): same results, code
compiled once per source text, tracebacks naming the archive the code was imported from."""
import os
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ZIPCACHE = os.path.join(os.path.dirname(HERE), 'smartos_sim', 'zipcache.py')

# What the .pth line of the simulated python311 runs (pkgrepo._python_package), then an import
# from the archive: a value, and the file name a traceback shows.
PROBE = '''
import sys, traceback
exec(compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec"), {"__name__": "smartos_sim_zipcache", "CACHE_DIR": sys.argv[2]})
sys.path.insert(0, sys.argv[3])
import probe_mod
print(probe_mod.value())
try:
    probe_mod.fail()
except ValueError:
    print(traceback.extract_tb(sys.exc_info()[2])[-1].filename)
'''


def _archive(path, value):
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('probe_mod.py', 'def value():\n    return %r\n\n\ndef fail():\n    raise ValueError("x")\n' % value)
    return str(path)


def _run(cache, archive):
    proc = subprocess.run([sys.executable, '-c', PROBE, ZIPCACHE, str(cache), archive], capture_output=True, text=True,
                          check=False, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_compiled_once_per_source_and_tracebacks_name_the_archive(tmp_path):
    cache = tmp_path / 'cache'
    first = _archive(tmp_path / 'a.zip', 'one')
    assert _run(cache, first) == ['one', os.path.join(first, 'probe_mod.py')]
    entries = sorted(os.listdir(cache))
    assert len(entries) == 1
    # the same source in another archive (AnsiballZ payloads land in a new temp dir each task)
    second = _archive(tmp_path / 'b.zip', 'one')
    assert _run(cache, second) == ['one', os.path.join(second, 'probe_mod.py')]
    assert sorted(os.listdir(cache)) == entries
    # another source is another entry, never the cached code of the first
    third = _archive(tmp_path / 'c.zip', 'two')
    assert _run(cache, third) == ['two', os.path.join(third, 'probe_mod.py')]
    assert len(os.listdir(cache)) == 2


def test_a_damaged_entry_is_compiled_again(tmp_path):
    cache = tmp_path / 'cache'
    archive = _archive(tmp_path / 'a.zip', 'one')
    _run(cache, archive)
    (entry,) = os.listdir(cache)
    (cache / entry).write_bytes(b'garbage')
    assert _run(cache, archive)[0] == 'one'
