"""Finding the action rows of the template on a sheet: by action code, by label, or both.

A row is an action's when a cell carries its code (1.1 ... 5.2, however punctuated) or its
label, matched fuzzily since LAs reword them; section headings ("Focus 1: ...") are not
actions. Where several rows claim one action, the one in the usual column with code and
label wins; inside the table found, a looser match picks up labels reworded further.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from intake.reading.focus_order import focus_heading, rows_by_focus_order
from intake.reading.grid import Sheet
from intake.reading.labels import field_of
from intake.reading.text_cache import text_cache
from store.collection import Collection

LOCATE_ROWS = 1_000                 # templates sit near the top; this bounds the fuzzy work
LOCATE_COLS = 30
MIN_ACTIONS = 3                     # fewer matching rows than this is not the template
LABEL_SCORE = 75
LABEL_MARGIN = 5
REWORDED_SCORE = 55                 # inside a located table, against the actions not yet found
REWORDED_MARGIN = 10
# An action's code as LAs write it: 1.1, 1.1., 1.1), (1.1), 1a, 1(a), Q1.1, Action 1.1, No. 1.1
CODE = re.compile(r"^\s*\(?\s*(?:(?:action|question|item|ref|q|no\.?)\s*)?(?P<focus>[1-9])\s*"
                  r"(?:[.\-]\s*(?P<number>\d{1,2})(?!\d)|\(?(?P<letter>[a-h])\)?(?![a-z]))"
                  r"\s*[).:\-\u2013]?\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
FOCUS = re.compile(r"^\s*(?:focus|section|area)\s*\d\s*[:.)\-\u2013]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ActionCandidate:
    """A row that looks like one action's, and how surely."""

    row: int
    code: str
    col: int                        # the action cell: where the label (or the code alone) is
    has_code: bool
    label_score: float


def find_action_rows(sheet: Sheet, collection: Collection) -> dict[str, ActionCandidate]:
    """For each action found, the row that most surely is it."""
    labels = {action.code: action.label for action in collection.actions}
    focus = collection.focus_areas
    # Built once, not per cell: the key of the cells' cache.
    label_items, focus_items = tuple(labels.items()), tuple(focus.items())
    candidates = [c for r in range(min(len(sheet.rows), LOCATE_ROWS))
                  if (c := _row_candidate(sheet.rows[r], r, labels, label_items, focus_items))]
    chosen: dict[str, ActionCandidate] = {}
    usual_col = Counter(c.col for c in candidates).most_common(1)[0][0] if candidates else 0
    for candidate in candidates:
        current = chosen.get(candidate.code)
        if current is None or _rank(candidate, usual_col) > _rank(current, usual_col):
            chosen[candidate.code] = candidate
    if len(chosen) < len(labels):
        by_order = rows_by_focus_order(sheet, {code: c.row for code, c in chosen.items()},
                                       collection, _is_other, LOCATE_ROWS, LOCATE_COLS)
        chosen.update({code: ActionCandidate(r, code, c, False, 0.0)
                       for code, (r, c) in by_order.items()})
    if not chosen:
        return {}
    usual_col = Counter(c.col for c in chosen.values()).most_common(1)[0][0]
    return _add_reworded(sheet, chosen, usual_col, labels, focus)


def _is_other(text: str) -> bool:
    """A cell that ends a run of action rows: a code, or a field's label."""
    return bool(CODE.match(text)) or field_of(text, ()) is not None


def _add_reworded(sheet: Sheet, chosen: dict[str, ActionCandidate], col: int,
                  labels: dict[str, str], focus: dict[str, str]) -> dict[str, ActionCandidate]:
    """Inside the table found, a label reworded beyond the first pass's bar still names its row."""
    if len(chosen) < MIN_ACTIONS:
        return chosen
    taken = {c.row for c in chosen.values()}
    rows = sorted(taken)
    for r in range(rows[0], rows[-1] + 1):
        text = sheet.cell(r, col).strip()
        if r in taken or len(text) < 10 or CODE.match(text) or _is_focus(text, focus):
            continue
        left = tuple((code, label) for code, label in labels.items() if code not in chosen)
        if not left:
            continue
        found = _best_label(text, left, REWORDED_SCORE, REWORDED_MARGIN)
        if found:
            chosen[found[0]] = ActionCandidate(r, found[0], col, False, found[1])
    return chosen


def _rank(candidate: ActionCandidate, usual_col: int) -> tuple[bool, bool, bool, float]:
    strong = candidate.has_code and candidate.label_score >= LABEL_SCORE
    return (candidate.col == usual_col, strong, candidate.has_code, candidate.label_score)


def _row_candidate(cells: tuple[str, ...], row: int, labels: dict[str, str],
                   label_items: tuple[tuple[str, str], ...],
                   focus_items: tuple[tuple[str, str], ...]) -> ActionCandidate | None:
    """The row's leftmost cell that carries an action code or an action's label."""
    for col, written in enumerate(cells[:LOCATE_COLS]):
        if not written:                 # most cells are empty
            continue
        claim = _cell_claim(written, label_items, focus_items)
        if claim is None:
            continue
        code, rest, score = claim
        if rest is not None:
            return _coded_candidate(cells, row, col, code, rest, labels)
        return ActionCandidate(row, code, col, False, score)
    return None


@text_cache(maxsize=8192)
def _cell_claim(written: str, label_items: tuple[tuple[str, str], ...],
                focus_items: tuple[tuple[str, str], ...]) -> tuple[str, str | None, float] | None:
    """Which action a cell's text names, judged once per distinct text (the template's codes
    and labels recur in every return): (code, the text after the code, 0.0) when it starts
    with an action's code; (code, None, its label score) when it reads as an action's label."""
    text = written.strip()
    if not text:
        return None
    match = CODE.match(text)
    code = code_of(match) if match else None
    if match and code in dict(label_items):
        return code, match.group("rest").strip(), 0.0
    if len(text) >= 10:
        found = _best_label(text, label_items, LABEL_SCORE, LABEL_MARGIN)
        if found and not _is_focus(text, dict(focus_items)):
            return found[0], None, found[1]
    return None


def code_of(match: re.Match[str]) -> str:
    """"1.1" from any written form: 1b is the focus's second action."""
    number = match.group("number") or str(ord(match.group("letter").lower()) - ord("a") + 1)
    return f"{match.group('focus')}.{int(number)}"


def _coded_candidate(cells: tuple[str, ...], row: int, col: int, code: str, rest: str,
                     labels: dict[str, str]) -> ActionCandidate:
    if rest:
        return ActionCandidate(row, code, col, True, _similarity(rest, labels[code]))
    # The code in a cell of its own: the label, if any, is in the next cell along.
    for label_col in range(col + 1, min(col + 3, len(cells))):
        if cells[label_col].strip():
            score = _similarity(cells[label_col], labels[code])
            if score >= LABEL_SCORE:
                return ActionCandidate(row, code, label_col, True, score)
            break
    return ActionCandidate(row, code, col, True, 0.0)


def _is_focus(text: str, focus: dict[str, str]) -> bool:
    """A section heading ("Focus 1: Infection prevention ...") reads much like an action."""
    return bool(FOCUS.match(text)) or focus_heading(text, focus) is not None


@text_cache(maxsize=8192)
def _similarity(text: str, label: str) -> float:
    # ratio alone punishes added words; token_set alone cannot tell "Access to PPE" from
    # "Access to training in the use of PPE": the mean of both separates the 14 labels.
    return (fuzz.ratio(text, label, processor=utils.default_process)
            + fuzz.token_set_ratio(text, label, processor=utils.default_process)) / 2


@text_cache(maxsize=8192)
def _best_label(text: str, label_items: tuple[tuple[str, str], ...], score: float,
                margin: float) -> tuple[str, float] | None:
    labels = dict(label_items)
    # A label can only reach `score` when its plain ratio reaches 2*score-100: a native
    # pre-check keeps the slower mean score off the thousands of cells that are no label.
    if not process.extractOne(text, labels, scorer=fuzz.ratio, processor=utils.default_process,
                              score_cutoff=2 * score - 100):
        return None
    best = process.extract(text, labels, scorer=_scorer, limit=2)
    if not best or best[0][1] < score:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < margin:
        return None
    return best[0][2], best[0][1]


def _scorer(text: str, label: str, **_: object) -> float:
    return _similarity(text, label)
