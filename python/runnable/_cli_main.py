"""The ``runnable`` console command of the Python wheel: runnable-ts' command line run by Node.js.

The wheel carries the command line (``runnable/_cli/``, built by ``npm run build:python``); this finds
``node`` (``$RUNNABLE_TS_NODE`` or PATH) and replaces itself with ``node runnable/_cli/bin/runnable.js``
(which refuses a Node.js older than 20, saying so). Without the wheel's copy (``pip install -e python/``
in a clone) it runs the command line :func:`runnable._engine.find_cli` finds.
"""

from __future__ import annotations

import os
import sys

from ._engine import EngineNotFoundError, find_cli


def main() -> None:
    """Runs runnable-ts' command line with this command's arguments; exit 2 with a message when Node.js is missing."""
    try:
        command = find_cli()
    except EngineNotFoundError as error:
        sys.stderr.write(f"runnable: {error}\n")
        raise SystemExit(2) from None
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], [*command, *sys.argv[1:]]) if os.sep in command[0] else os.execvp(command[0], [*command, *sys.argv[1:]])


if __name__ == "__main__":
    main()
