"""Run ansible-test integration target by target, on one or more beds at once, and write a JUnit
report of the outcome.

ansible-test writes no JUnit for integration runs; `make test` adds every report up into one
closing line, so each target becomes one test case here (its output kept in the report).

    python tools/integration_junit.py [--workers N --run-dir-base DIR] REPORT COLLECTION_DIR [TARGET ...]

With --run-dir-base, each worker starts a bootstrapped simulated GZ of its own (run dir
DIR-<n>, inventory at <its collection>/tests/integration/gz_inventory.yml, where the targets look
for it) and stops it at the end; worker 1 uses COLLECTION_DIR, the others a copy of the checkout
beside it (tools/collection_tree.py), so that no two ansible-test runs share a tree. The workers
take targets longest first (EXPECTED_SECONDS) from one queue, which keeps both cores busy to the end.
Without --run-dir-base: one worker, on the bed the caller started.
"""
import argparse
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Seconds each target took in a `make test` run (2 cores, shared with the other stages): the
# order in which workers take them. A target not listed counts as DEFAULT_SECONDS.
EXPECTED_SECONDS = {
    'smartstack_flow': 330, 'compute': 173, 'compute_errors': 112, 'cloud': 107, 'storage': 91,
    'compute_hvm': 91, 'image': 84, 'link': 75, 'smf': 56, 'compute_concurrency': 53, 'link_storage': 46,
    'compute_info': 41, 'image_info': 41, 'network': 31, 'pkgsrc_gpg': 31, 'storage_snapshot': 23,
    'link_info': 18, 'network_info': 17, 'storage_info': 14,
}
DEFAULT_SECONDS = 60


def targets_of(collection):
    root = os.path.join(collection, 'tests', 'integration', 'targets')
    found = []
    for name in sorted(os.listdir(root)):
        aliases = os.path.join(root, name, 'aliases')
        text = open(aliases, encoding='utf-8').read() if os.path.exists(aliases) else ''
        if 'disabled' in text.split() or 'hidden' in text.split():
            continue
        found.append(name)
    return found


class Bed(object):
    """One worker's simulated GZ, its inventory inside the worker's collection tree."""

    def __init__(self, collection, run_dir):
        self.collection, self.run_dir = collection, run_dir
        self.inventory = os.path.join(collection, 'tests', 'integration', 'gz_inventory.yml')
        self.env = dict(os.environ, PYTHONPATH=os.path.join(collection, 'tests', 'simulator'))

    def gzhost(self, *args):
        proc = subprocess.run([sys.executable, '-m', 'smartos_sim.gzhost'] + list(args) +
                              ['--run-dir', self.run_dir, '--inventory', self.inventory],
                              env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        if proc.returncode:
            raise RuntimeError('gzhost %s (%s) failed:\n%s' % (args[0], self.run_dir, proc.stdout))

    def up(self):
        self.gzhost('up', '--count', '1', '--bootstrapped', '--port-base', '0', '--repo-port', '0')

    def down(self):
        self.gzhost('down')


def worker_collection(collection, number):
    """Worker 1 runs in COLLECTION; worker n in a fresh copy beside its tree."""
    if number == 1:
        return collection
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(collection))))
    proc = subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'collection_tree.py'),
                           '%s-worker%d' % (root, number)], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, check=True)
    return proc.stdout.strip()


def run_target(collection, name):
    start = time.monotonic()
    # A fresh /dev/null: an inherited stdin left O_NONBLOCK by another process stops ansible.
    proc = subprocess.run(['ansible-test', 'integration', '--local', '--python', '3.11', '--color', 'no', name],
                          cwd=collection, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, time.monotonic() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--run-dir-base', help='start a bed per worker at DIR-<n> (else: the caller\'s bed, one worker)')
    parser.add_argument('report')
    parser.add_argument('collection')
    parser.add_argument('targets', nargs='*')
    args = parser.parse_args(argv)
    names = args.targets or targets_of(args.collection)
    queue = sorted(names, key=lambda n: (-EXPECTED_SECONDS.get(n, DEFAULT_SECONDS), n))
    workers = max(1, min(args.workers, len(queue))) if args.run_dir_base else 1
    lock = threading.Lock()
    results = {}
    problems = []

    def work(number):
        bed = None
        try:
            collection = worker_collection(args.collection, number)
            if args.run_dir_base:
                bed = Bed(collection, '%s-%d' % (args.run_dir_base, number))
                bed.up()
            while True:
                with lock:
                    if not queue:
                        return
                    name = queue.pop(0)
                rc, output, seconds = run_target(collection, name)
                with lock:
                    results[name] = (rc, output, seconds)
                    sys.stdout.write(output)
                    print('=== integration target %s: %s in %.0f s (worker %d)'
                          % (name, 'FAILED' if rc else 'passed', seconds, number))
                    sys.stdout.flush()
        except Exception as exc:  # pylint: disable=broad-except
            with lock:
                problems.append('worker %d: %s' % (number, exc))
        finally:
            if bed:
                try:
                    bed.down()
                except RuntimeError as exc:
                    with lock:
                        problems.append(str(exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, workers + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    suite = ET.Element('testsuite', name='integration')
    failed = 0
    for name in names:
        case = ET.SubElement(suite, 'testcase', classname='integration', name=name)
        if name not in results:
            failed += 1
            ET.SubElement(case, 'failure', message='not run').text = '\n'.join(problems) or 'not run'
            continue
        rc, output, seconds = results[name]
        case.set('time', '%.1f' % seconds)
        if rc:
            failed += 1
            ET.SubElement(case, 'failure', message='ansible-test integration %s exited %d' % (name, rc)).text = output[-20000:]
    suite.set('tests', str(len(suite)))
    suite.set('failures', str(failed))
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    ET.ElementTree(suite).write(args.report, encoding='utf-8', xml_declaration=True)
    for problem in problems:
        print('integration: %s' % problem)
    print('integration: %d targets on %d bed(s), %d failed' % (len(suite), workers, failed))
    return 1 if failed or problems else 0


if __name__ == '__main__':
    sys.exit(main())
