"""Entry point of every simulated tool: ``run.py <tool> [args...]``.

It resolves the global zone's state directory, applies an injected fault when one
matches, runs the tool, and appends the invocation to the command log.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from smartos_sim.main import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
