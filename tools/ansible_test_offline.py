"""Let ansible-test work without reaching the internet.

Before it installs a test's requirements, ansible-test fetches a pip bootstrap script and keeps
it in ``~/.ansible/test/cache/get_pip_<version>.py``; the host it comes from is not reachable
from our machines. A script with the same name in the cache is used instead: ours installs pip
with ensurepip and hands the remaining arguments to pip (minus the two flags only the original
understands), after which the per-test requirements install from the package index as usual.
"""
import os
import sys

STAND_IN = '''"""Offline stand-in for pip's bootstrap script (written by smartstack.smartos's tools/ansible_test_offline.py)."""
import subprocess
import sys

subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install"] + args, check=False).returncode)
'''

# get_pip_24_2.py is what ansible-core 2.19 asks for, get_pip_25_2.py 2.20 and 2.21.
NAMES = ('get_pip_24_2.py', 'get_pip_25_2.py')


def main():
    cache = os.path.join(os.path.expanduser('~'), '.ansible', 'test', 'cache')
    os.makedirs(cache, exist_ok=True)
    for name in NAMES:
        path = os.path.join(cache, name)
        if not os.path.exists(path):
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(STAND_IN)
    return 0


if __name__ == '__main__':
    sys.exit(main())
