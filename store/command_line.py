"""How a command line ends, the same for `python -m store` and `python -m bot`."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import NoReturn


def run(main: Callable[[], int]) -> NoReturn:
    """Exit with what `main()` returns; output piped into `head` and the like ends quietly, as
    other command-line tools do, rather than with a traceback."""
    # What is imported by now lives until exit: frozen, it is not walked by each collection
    # nor by the interpreter's collections at exit (about 50 ms of a short command's CPU).
    gc.freeze()
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()      # the flush at exit would complain of the same closed pipe
        sys.exit(0)
