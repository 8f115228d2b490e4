"""Run ansible-test integration target by target and write a JUnit report of the outcome.

ansible-test writes no JUnit for integration runs; `make test` adds every report up into one
closing line, so each target becomes one test case here (its output kept in the report).

    python tools/integration_junit.py REPORT.xml COLLECTION_DIR [TARGET ...]
"""
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


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


def main(report, collection, names):
    suite = ET.Element('testsuite', name='integration')
    failed = 0
    for name in names or targets_of(collection):
        start = time.monotonic()
        proc = subprocess.run(['ansible-test', 'integration', '--local', '--python', '3.11', '--color', 'no', name],
                              cwd=collection, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                              stdin=subprocess.DEVNULL)
        sys.stdout.write(proc.stdout)
        case = ET.SubElement(suite, 'testcase', classname='integration', name=name, time='%.1f' % (time.monotonic() - start))
        if proc.returncode:
            failed += 1
            ET.SubElement(case, 'failure', message='ansible-test integration %s exited %d' % (name, proc.returncode)).text = proc.stdout[-20000:]
    suite.set('tests', str(len(suite)))
    suite.set('failures', str(failed))
    os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
    ET.ElementTree(suite).write(report, encoding='utf-8', xml_declaration=True)
    print('integration: %d targets, %d failed' % (len(suite), failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
