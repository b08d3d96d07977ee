"""A cache for functions of one text that councils repeat: template labels, headers, answers.

Every return repeats the template's own wording and the same few answers ("12", "Yes"), so a
worker judges each distinct text once. The text is the sender's, so only short ones are kept:
a longer text is judged each time, and the cache stays small whatever arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

Judge = TypeVar("Judge", bound=Callable[..., Any])

LONGEST_KEPT = 300      # labels, headers and answers are shorter; a long cell is judged, not kept


def text_cache(maxsize: int, longest: int = LONGEST_KEPT) -> Callable[[Judge], Judge]:
    """`lru_cache(maxsize)` for a function whose first argument is a text, for texts of at most
    `longest` characters (its arguments positional and hashable, its result immutable)."""
    def decorate(judge: Judge) -> Judge:
        kept = lru_cache(maxsize=maxsize)(judge)

        @wraps(judge)
        def judged(text: str, *args: Any) -> Any:
            return judge(text, *args) if len(text) > longest else kept(text, *args)
        return cast(Judge, judged)
    return decorate
