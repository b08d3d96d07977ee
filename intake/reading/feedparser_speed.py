"""Two per-part costs of the stdlib's MIME parser (email.feedparser) removed, results unchanged.

The parser runs two regular expressions in a way that costs more than all the rest of reading
a typical message's structure: it strips each part's final line ending by searching the whole
part from its start (`NLCRE_eol`), and it compiles a fresh regular expression for each
multipart boundary (re's compiler, in Python, 80 us a message). `install` swaps in matchers
that give the same match objects: the line-end search starts two characters from the end, and
a boundary line is its separator, checked as a string, then the rest of the stock pattern,
compiled once. Anything else the parser asks of `re` is re itself. Tests compare both, and
the whole mail corpus read both ways.
"""

from __future__ import annotations

import re
import sys
from email import feedparser
from typing import Any

# The stock boundary pattern is '(?P<sep>' + re.escape('--' + boundary) + BOUNDARY_TAIL.
BOUNDARY_HEAD = "(?P<sep>"
BOUNDARY_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
AFTER_SEPARATOR = re.compile(BOUNDARY_TAIL[1:])


class LineEndAtEnd:
    r"""email.feedparser's `NLCRE_eol`, `(\r\n|\r|\n)\Z`, searched from the last two characters.

    The parser strips each part's final line ending with that search, which re runs from the
    start of the part: over every line of every attachment, a third of a whole parse. A match
    can only start in the last two characters, so starting there finds the same one.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """As the pattern's own search (the same match), starting two characters from the end."""
        end = min(endpos, len(text))
        return self.pattern.search(text, max(pos, end - 2, 0), endpos)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)      # any other use, as the pattern itself


class BoundaryLine:
    """A multipart boundary's stock pattern, matched as its literal separator then the tail."""

    def __init__(self, separator: str, pattern: str) -> None:
        self.separator = separator
        self.pattern = pattern

    def match(self, line: str) -> re.Match[str] | None:
        """As the stock pattern's match: the same `end`, `ws` and `linesep` groups."""
        if not line.startswith(self.separator):
            return None
        return AFTER_SEPARATOR.match(line, len(self.separator))

    def __getattr__(self, name: str) -> Any:
        return getattr(re.compile(self.pattern), name)     # any other use, as the pattern


class FeedparserRe:
    """feedparser's `re`: a boundary's pattern becomes a BoundaryLine, all else is re."""

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        separator = boundary_separator(pattern) if flags == 0 else None
        if separator is None:
            return re.compile(pattern, flags)
        return BoundaryLine(separator, pattern)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


def boundary_separator(pattern: object) -> str | None:
    """The separator a stock boundary pattern was built from; None for any other pattern."""
    if not (isinstance(pattern, str) and pattern.startswith(BOUNDARY_HEAD)
            and pattern.endswith(BOUNDARY_TAIL)):
        return None
    escaped = pattern[len(BOUNDARY_HEAD):-len(BOUNDARY_TAIL)]
    separator = re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL)
    return separator if re.escape(separator) == escaped else None


def install() -> None:
    """Swap the matchers into email.feedparser, once (the stubs do not declare its names)."""
    names = vars(feedparser)
    if isinstance(names.get("NLCRE_eol"), re.Pattern):
        names["NLCRE_eol"] = LineEndAtEnd(names["NLCRE_eol"])
    if names.get("re") is re:
        names["re"] = FeedparserRe()
