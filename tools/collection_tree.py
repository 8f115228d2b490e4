"""Lay the collection out where ansible-test wants it: <dest>/ansible_collections/smartstack/smartos.

ansible-test insists on running inside ``.../ansible_collections/<namespace>/<name>/`` and
resolves symlinks, so a link to the clone is not enough: the files git knows about (tracked,
plus untracked ones that are not ignored) are copied into a fresh tree.

    python tools/collection_tree.py DEST   -> prints the collection's path in DEST
"""
import os
import shutil
import subprocess
import sys


def main(dest_root):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.path.join(os.path.abspath(dest_root), 'ansible_collections', 'smartstack', 'smartos')
    listing = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             cwd=repo, capture_output=True, check=True).stdout.decode('utf-8')
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    for rel in sorted(set(filter(None, listing.split('\0')))):
        src = os.path.join(repo, rel)
        if not os.path.lexists(src):  # tracked but deleted in the work tree
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    # The copy lies inside the clone (build/ is git-ignored there), and ansible-test asks the
    # nearest git repository which files exist: give the copy a repository of its own.
    subprocess.run(['git', 'init', '-q'], cwd=dest, check=True)
    subprocess.run(['git', 'add', '-A'], cwd=dest, check=True)
    print(dest)


if __name__ == '__main__':
    main(sys.argv[1])
