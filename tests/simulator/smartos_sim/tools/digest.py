"""digest(1): message digests of files or standard input, as illumos /usr/bin/digest.

    digest -l
    digest [-v] -a <algorithm> [file...]

Behaviour after illumos-gate usr/src/cmd/cmd-crypto/digest/digest.c (digest and mac share it;
only digest is simulated) and usr/src/lib/libcryptoutil/common/debug.c (cryptoerror: messages are
``digest: <text>`` plus a newline on stderr; texts that end in a newline of their own, like
"can not open input file", therefore end with an empty line):

- options ``lva:`` by getopt(3C); an option error, neither -a nor -l, or -l with anything else
  (``argc > 2``) prints the usage and exits 2 (EXIT_USAGE);
- the algorithm must be one of mech_aliases (sha1, md5, des_mac, sha1_hmac, md5_hmac, sha256,
  sha384, sha512, sha256_hmac, sha384_hmac, sha512_hmac), else ``unknown algorithm -- X`` exit 1;
  the MAC-only ones have no digest provider: ``no cryptographic provider was found for this
  algorithm -- X`` exit 1;
- -l lists the digest mechanisms in mech_aliases order: sha1 md5 sha256 sha384 sha512;
- output: lowercase hex; ``<alg> `` first with -v; ``(<file>) = `` before the digest with more
  than one file, or with -v and at least one file; standard input when no file is given;
- a file that cannot be opened: ``can not open input file F`` and exit 2, the next files are
  still digested; a read error: ``error reading file: <strerror>`` then ``crypto operation failed
  for file F: CKR_GENERAL_ERROR`` and exit 1. The last error decides the exit code.
SmartOS delivers it as /usr/bin/digest (/bin is a link to usr/bin), so PATH finds it.
"""
import hashlib
import os
import sys

DIGEST_OPTIONS = 'lva:'
EXIT_SUCCESS, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
BUFFERSIZE = 1024 * 64

# mech_aliases, in order; the value is the hashlib name of a digest mechanism, None for a MAC.
MECH_ALIASES = (('sha1', 'sha1'), ('md5', 'md5'), ('des_mac', None), ('sha1_hmac', None), ('md5_hmac', None),
                ('sha256', 'sha256'), ('sha384', 'sha384'), ('sha512', 'sha512'), ('sha256_hmac', None),
                ('sha384_hmac', None), ('sha512_hmac', None))


def _error(text):
    sys.stderr.write('digest: %s\n' % text)


def _usage():
    sys.stderr.write('Usage:\n  digest -l | [-v] -a <algorithm> [file...]\n')
    return EXIT_USAGE


# Kept apart from zgetopt/pkgsrc: libc prints the message here and digest uses what was parsed before the error.
def _getopt(argv):
    """getopt(3C) with ``lva:``, stopping at the first error as digest's loop does.

    Returns (flags, algorithm, operands, error)."""
    flags, algorithm, index = set(), None, 0
    while index < len(argv):
        arg = argv[index]
        if arg == '--':
            index += 1
            break
        if not arg.startswith('-') or arg == '-':
            break
        index += 1
        pos = 1
        while pos < len(arg):
            letter = arg[pos]
            pos += 1
            if letter not in DIGEST_OPTIONS.replace(':', ''):
                # illumos libc getopt.c: "%s: illegal option -- %s".
                # UNCONFIRMED: the program name as invoked (argv[0]); chose "digest".
                _error('illegal option -- %s' % letter)
                return flags, algorithm, argv[index:], True
            if letter == 'a':
                if pos < len(arg):
                    algorithm = arg[pos:]
                elif index < len(argv):
                    algorithm = argv[index]
                    index += 1
                else:
                    _error('option requires an argument -- a')
                    return flags, algorithm, argv[index:], True
                flags.add('a')
                break
            flags.add(letter)
    return flags, algorithm, argv[index:], False


def _digest_fd(fd, digest):
    """Feed ``digest`` from ``fd`` to its end; OSError when reading fails."""
    while True:
        chunk = os.read(fd, BUFFERSIZE)
        if not chunk:
            return
        digest.update(chunk)


def main(tool, argv, state):  # pylint: disable=unused-argument
    flags, algorithm, files, error = _getopt(argv)
    # main(): argc counts the program name; -l must come alone.
    if error or not flags & {'a', 'l'} or ('l' in flags and len(argv) + 1 > 2):
        return _usage()
    hash_name = None
    if 'a' in flags:
        aliases = dict(MECH_ALIASES)
        if algorithm not in aliases:
            _error('unknown algorithm -- %s' % algorithm)
            return EXIT_FAILURE
        hash_name = aliases[algorithm]
    if 'l' in flags:
        sys.stdout.write(''.join('%s\n' % alias for alias, name in MECH_ALIASES if name))
        return EXIT_SUCCESS
    if hash_name is None:
        _error('no cryptographic provider was found for this algorithm -- %s' % algorithm)
        return EXIT_FAILURE
    verbose = 'v' in flags
    exitcode = EXIT_SUCCESS
    for filename in files or [None]:
        if filename is None:
            fd = sys.stdin.buffer.fileno()
        else:
            try:
                fd = os.open(filename, os.O_RDONLY | os.O_NONBLOCK)
            except OSError:
                _error('can not open input file %s\n' % filename)
                exitcode = EXIT_USAGE
                continue
        digest = hashlib.new(hash_name)
        try:
            _digest_fd(fd, digest)
        except OSError as exc:
            _error('error reading file: %s' % os.strerror(exc.errno))
            _error('crypto operation failed for file %s: CKR_GENERAL_ERROR\n' % (filename or 'STDIN'))
            exitcode = EXIT_FAILURE
            if filename is not None:
                os.close(fd)
            continue
        if filename is not None:
            os.close(fd)
        line = '%s ' % algorithm if verbose else ''
        if len(files) > 1 or (verbose and files):
            line += '(%s) = ' % filename
        sys.stdout.write(line + digest.hexdigest() + '\n')
    return exitcode
