"""``zfs`` of the simulated global zone (reference smartos_zfs_zpool.md)."""
import sys


def main(tool, argv, state):  # pylint: disable=unused-argument
    """``zfs`` entry point (being written)."""
    sys.stderr.write('zfs: not implemented yet\n')
    return 1
