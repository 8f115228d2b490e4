"""A bytecode cache for code imported from zip archives, for the test bed's pkgsrc Python only.

Every Ansible module arrives as an AnsiballZ zip, and zipimport compiles each of its ~100
module_utils files from source on every task (it has no bytecode cache: only file imports write
``__pycache__``): about 0.25 s of the 0.6 s a module task costs in CPU here, thousands of times
per ``make test`` on 2 cores. This keeps the compiled code of each source text (by its SHA-256)
in one directory of the bed, shared by its GZs; the code object gets the file name of the import
that asked for it, so tracebacks name the right file. Nothing a module or tool can observe
changes: same source, same code. A deliberate departure from a real GZ (FIDELITY.md), loaded by a
``.pth`` file of the simulated python311 package (pkgrepo.py).
"""
import hashlib
import marshal
import os
import sys
import types
import zipimport

MAGIC = b'smartos-sim-zipcache-1\n'


def _renamed(code, filename):
    consts = tuple(_renamed(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def install(cache_dir):
    """Wrap zipimport's compile step (CPython 3.11's ``zipimport._compile_source``)."""
    original = getattr(zipimport, '_compile_source', None)
    if original is None or getattr(original, 'smartos_sim_zipcache', False):
        return

    def compile_source(pathname, source):
        digest = hashlib.sha256(sys.implementation.cache_tag.encode('ascii') + b'\0' +
                                (source if isinstance(source, bytes) else source.encode('utf-8'))).hexdigest()
        path = os.path.join(cache_dir, digest)
        try:
            with open(path, 'rb') as handle:
                if handle.read(len(MAGIC)) == MAGIC:
                    return _renamed(marshal.load(handle), pathname)
        except (OSError, EOFError, ValueError, TypeError):
            pass
        code = original(pathname, source)
        try:
            os.makedirs(cache_dir, exist_ok=True)
            partial = '%s.%d' % (path, os.getpid())
            with open(partial, 'wb') as handle:
                handle.write(MAGIC)
                marshal.dump(code, handle)
            os.replace(partial, path)  # atomic: GZs and tasks running at once share the directory
        except OSError:
            pass
        return code

    compile_source.smartos_sim_zipcache = True
    zipimport._compile_source = compile_source  # pylint: disable=protected-access


if __name__ == 'smartos_sim_zipcache' and globals().get('CACHE_DIR'):
    # run by the .pth line of the simulated python311 (pkgrepo.py)
    install(globals()['CACHE_DIR'])
