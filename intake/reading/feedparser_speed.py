r"""One per-part cost of the stdlib's MIME parser (email.feedparser) removed, results unchanged.

The parser strips each part's final line ending by searching the whole part from its start
for `(\r\n|\r|\n)\Z` (`NLCRE_eol`): over every line of every attachment, about a third of
reading a typical message's structure. `install` swaps in a search that gives the same match
from two characters before the end. It is the one stdlib name we replace, checked against the
stock pattern by a property test and by reading the whole mail corpus both ways; if a Python
release renames it, `install` leaves the parser as shipped.
"""

from __future__ import annotations

import re
import sys
from email import feedparser
from typing import Any


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


def install() -> None:
    """Swap the search into email.feedparser, once (the stubs do not declare the name)."""
    names = vars(feedparser)
    if isinstance(names.get("NLCRE_eol"), re.Pattern):
        names["NLCRE_eol"] = LineEndAtEnd(names["NLCRE_eol"])
