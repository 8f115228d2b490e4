"""Add up the JUnit XML reports of one `make test` run into one closing line.

    python tools/test_summary.py build/test-results  ->  "summary: N passed, N failed, N skipped"

Exit code 1 when any test failed or errored, or when no report holds a single test (a run
that tested nothing is not a pass).
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    totals = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0) or 0)
    return totals


def main(result_dir):
    totals = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for path in sorted(glob.glob(os.path.join(result_dir, '**', '*.xml'), recursive=True)):
        found = count(path)
        print('  %-50s %4d tests, %d failed, %d skipped' % (
            os.path.relpath(path, result_dir), found['tests'], found['failures'] + found['errors'], found['skipped']))
        for key in totals:
            totals[key] += found[key]
    failed = totals['failures'] + totals['errors']
    passed = totals['tests'] - failed - totals['skipped']
    print('summary: %d passed, %d failed, %d skipped' % (passed, failed, totals['skipped']))
    return 1 if failed or totals['tests'] == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'build/test-results'))
