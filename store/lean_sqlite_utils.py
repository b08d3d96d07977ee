"""sqlite-utils, imported without numpy and pandas: import its names from here.

sqlite-utils imports numpy and pandas when they are installed, only to know their scalar types
when inserting them. We never insert numpy or pandas values, and numpy is here only because
matplotlib (the digest's chart) needs it; importing it would cost every process that opens the
store about 0.1 s of CPU. So sqlite-utils is first imported with both hidden (a `None` in
`sys.modules` makes an import raise ImportError, which sqlite-utils takes as "not installed");
they import normally afterwards, e.g. for the chart. `intake` imports this module first, so
that it runs before anything else loads sqlite-utils.
"""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_numpy() -> None:
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


_import_sqlite_utils_without_numpy()

from sqlite_utils import Database, Migrations  # noqa: E402  (after the import above)

__all__ = ["Database", "Migrations"]
