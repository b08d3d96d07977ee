"""Action rows named by neither code nor a recognisable label: by their order under the headings.

Councils shorten labels to a word or two ("PPE", "Clinical lead") and drop the codes, but keep
the template's focus headings ("Focus 3: PPE and clinical equipment", or just the title). Under
each heading the template's actions come in order, so the rows under it that no code or label
claimed are its remaining actions, in order, when there are as many rows as actions left.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz import fuzz, utils

from intake.reading.grid import Sheet
from store.collection import Collection

FOCUS_NUMBER = re.compile(r"^\s*(?:(?:focus|section|area|part)\s*)?(?P<number>[1-9])\s*[:.)\-\u2013]"
                          r"?\s*(?P<title>.*)$", re.IGNORECASE | re.DOTALL)
TITLE_SCORE = 85
MIN_HEADINGS = 2


def focus_heading(text: str, focus_areas: dict[str, str]) -> str | None:
    """The focus area a heading names ("Focus 2: Testing", "2. Testing", "Testing"), or None."""
    plain = text.strip()
    if not plain or len(plain) > 200:
        return None
    # Every return repeats the template's own headings, so a worker reads each text once.
    return _focus_heading(plain, tuple(focus_areas.items()))


@lru_cache(maxsize=4096)
def _focus_heading(plain: str, focus_items: tuple[tuple[str, str], ...]) -> str | None:
    focus_areas = dict(focus_items)
    numbered = FOCUS_NUMBER.match(plain)
    title = numbered.group("title") if numbered else plain
    for number, name in focus_areas.items():
        if fuzz.ratio(title, name, processor=utils.default_process) >= TITLE_SCORE:
            return number if not numbered or numbered.group("number") == number else None
    if numbered and re.match(r"^\s*(?:focus|section|area|part)\b", plain, re.IGNORECASE):
        return numbered.group("number") if numbered.group("number") in focus_areas else None
    return None


def rows_by_focus_order(sheet: Sheet, taken: dict[str, int], collection: Collection,
                        is_other: Callable[[str], bool], max_rows: int,
                        max_cols: int) -> dict[str, tuple[int, int]]:
    """Action code -> (row, col) for actions found by their place under the focus headings.

    `taken` maps the actions already found to their rows; `is_other` tells a cell that is
    something else (a field's label, an action code) and ends a section.
    """
    headings = [(r, c, number) for r in range(min(len(sheet.rows), max_rows))
                for c in range(min(sheet.width, max_cols))
                if (number := focus_heading(sheet.rows[r][c], collection.focus_areas))]
    if len({number for _, _, number in headings}) < MIN_HEADINGS:
        return {}
    col = Counter(c for _, c, _ in headings).most_common(1)[0][0]
    starts = sorted((r, number) for r, c, number in headings if c == col)
    if len(starts) < MIN_HEADINGS:
        return {}
    # Actions sit under their heading, or beside it when the heading spans its actions (a
    # transposed table writes the focus above its actions' columns).
    return (_assign(sheet, starts, col, 1, taken, collection, is_other)
            or _assign(sheet, starts, col + 1, 0, taken, collection, is_other))


def _assign(sheet: Sheet, starts: list[tuple[int, str]], col: int, skip: int,
            taken: dict[str, int], collection: Collection,
            is_other: Callable[[str], bool]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for index, (start, number) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(sheet.rows)
        left = [a.code for a in collection.actions if a.focus == number and a.code not in taken]
        rows = _section_rows(sheet, start + skip, end, col, set(taken.values()), is_other)
        if left and len(rows) >= len(left) and (len(rows) == len(left) or end == len(sheet.rows)):
            found.update({code: (row, col) for code, row in zip(left, rows, strict=False)})
    return found


def _section_rows(sheet: Sheet, start: int, end: int, col: int, taken: set[int],
                  is_other: Callable[[str], bool]) -> list[int]:
    """The rows under a heading with text in the action column, up to something else."""
    rows: list[int] = []
    for r in range(start, end):
        text = sheet.cell(r, col).strip()
        if not text:
            continue
        if is_other(text):
            break
        if r not in taken:
            rows.append(r)
    return rows
