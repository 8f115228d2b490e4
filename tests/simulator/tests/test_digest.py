"""digest(1) of the simulated GZ against illumos-gate usr/src/cmd/cmd-crypto/digest/digest.c
(output formats, messages via libcryptoutil cryptoerror, exit codes 0/1/2) and Python's hashlib.
The pkgsrc bootstrap checks the kit with `digest -a sha1 <file>` (pkgsrc_nova_facts.md §1.1)."""
import hashlib

import pytest

USAGE = 'Usage:\n  digest -l | [-v] -a <algorithm> [file...]\n'
# Larger than digest's 64 KiB read buffer, not a multiple of it.
DATA = bytes(range(256)) * 300 + b'tail'


@pytest.fixture
def files(tmp_path):
    first, second = tmp_path / 'kit.tar.gz', tmp_path / 'empty'
    first.write_bytes(DATA)
    second.write_bytes(b'')
    return str(first), str(second)


@pytest.mark.parametrize('algorithm', ['sha1', 'md5', 'sha256', 'sha384', 'sha512'])
def test_one_file_prints_the_bare_digest(gz, files, algorithm):
    """One file, no -v: the lowercase hex digest alone (what the bootstrap compares)."""
    result = gz.run('digest', '-a', algorithm, files[0])
    assert (result.returncode, result.stdout, result.stderr) == (0, hashlib.new(algorithm, DATA).hexdigest() + '\n', '')


def test_verbose_and_several_files(gz, files):
    """-v prefixes the algorithm and names the file; several files are named without -v too."""
    kit, empty = files
    sha1 = hashlib.sha1(DATA).hexdigest()
    empty_sha1 = hashlib.sha1(b'').hexdigest()
    result = gz.run('digest', '-v', '-a', 'sha1', kit)
    assert (result.returncode, result.stdout) == (0, 'sha1 (%s) = %s\n' % (kit, sha1))
    result = gz.run('digest', '-a', 'sha1', kit, empty)
    assert (result.returncode, result.stdout) == (0, '(%s) = %s\n(%s) = %s\n' % (kit, sha1, empty, empty_sha1))
    result = gz.run('digest', '-va', 'md5', kit, empty)
    assert result.stdout == 'md5 (%s) = %s\nmd5 (%s) = %s\n' % (
        kit, hashlib.md5(DATA).hexdigest(), empty, hashlib.md5(b'').hexdigest())


def test_standard_input(gz):
    """No file: standard input, never named (also with -v)."""
    result = gz.run('digest', '-a', 'sha256', stdin='abc')
    assert (result.returncode, result.stdout) == (0, hashlib.sha256(b'abc').hexdigest() + '\n')
    result = gz.run('digest', '-v', '-asha512', stdin='')
    assert (result.returncode, result.stdout) == (0, 'sha512 %s\n' % hashlib.sha512(b'').hexdigest())


def test_list(gz):
    """-l lists the digest mechanisms of mech_aliases, in order (the MAC ones are left out)."""
    result = gz.run('digest', '-l')
    assert (result.returncode, result.stdout, result.stderr) == (0, 'sha1\nmd5\nsha256\nsha384\nsha512\n', '')


@pytest.mark.parametrize('args,stderr', [
    ([], USAGE),
    (['-v', 'file'], USAGE),
    (['-l', '-v'], USAGE),
    (['-l', '-a', 'sha1'], USAGE),
    (['-x', '-a', 'sha1'], 'digest: illegal option -- x\n' + USAGE),
    (['-a'], 'digest: option requires an argument -- a\n' + USAGE),
])
def test_usage_errors_exit_2(gz, args, stderr):
    result = gz.run('digest', *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, '', stderr)


def test_unknown_and_mac_only_algorithms_exit_1(gz, files):
    result = gz.run('digest', '-a', 'SHA1', files[0])
    assert (result.returncode, result.stdout, result.stderr) == (1, '', 'digest: unknown algorithm -- SHA1\n')
    result = gz.run('digest', '-a', 'sha256_hmac', files[0])
    assert (result.returncode, result.stdout, result.stderr) == (
        1, '', 'digest: no cryptographic provider was found for this algorithm -- sha256_hmac\n')


def test_file_errors(gz, files, tmp_path):
    """A missing file: "can not open input file" (an empty line after it), exit 2, the other files
    are still digested; a directory cannot be read: exit 1."""
    missing = str(tmp_path / 'missing')
    result = gz.run('digest', '-a', 'sha1', missing, files[0])
    assert result.returncode == 2
    assert result.stderr == 'digest: can not open input file %s\n\n' % missing
    assert result.stdout == '(%s) = %s\n' % (files[0], hashlib.sha1(DATA).hexdigest())
    result = gz.run('digest', '-a', 'md5', str(tmp_path))
    assert (result.returncode, result.stdout) == (1, '')
    assert result.stderr == ('digest: error reading file: Is a directory\n'
                             'digest: crypto operation failed for file %s: CKR_GENERAL_ERROR\n\n' % tmp_path)
