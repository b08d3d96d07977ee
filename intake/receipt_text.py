"""The receipt as plain text: the part every mail client shows, and what screen readers read."""

from __future__ import annotations

from functools import lru_cache

from intake.receipt import Figure, ReceiptView, where_words
from store.submissions import Finding

LABEL_WIDTH = 11
ACTION_WIDTH = 52


def receipt_text(view: ReceiptView, short_name: str) -> str:
    """The whole plain-text body."""
    lines = [f"This is an automatic receipt from the {short_name} inbox.", "", view.title.upper(),
             ""]
    lines += [f"{label + ':':<{LABEL_WIDTH}} {value}" for label, value in view.facts]
    if view.result:
        lines.append(f"{'Result:':<{LABEL_WIDTH}} {view.result}")
    lines += _points("WHAT TO FIX", "", view.to_fix)
    lines += _points("PLEASE CHECK", " - the figures stand; reply to explain, or send a "
                                     "corrected return", view.to_check)
    lines += _figures(view)
    lines += ["", "FILES WE FOUND" if view.files else "FILES: no attachments were found."]
    lines += [f"  - {name}: {note}" for name, note in view.files]
    lines += ["", "WHAT HAPPENS NEXT", *(f"  {step}" for step in view.next_steps)]
    lines += ["", view.footer]
    return "\n".join(lines) + "\n"


def _points(heading: str, note: str, points: tuple[Finding, ...]) -> list[str]:
    if not points:
        return []
    lines = ["", f"{heading} ({len(points)}){note}"]
    for number, point in enumerate(points, 1):
        where = where_words(point)
        lines.append(f"  {number}. " + (f"[{where}] " if where else "") + point.text)
    return lines


def _figures(view: ReceiptView) -> list[str]:
    if not view.total and not view.figures:
        return []
    lines = ["", "WHAT WE READ"]
    if view.total:
        lines.append(f"  Total care homes: {view.total}")
    if view.chosen:
        lines.append(f"  Template read: {view.chosen}")
    if view.figures:
        lines.append(f"  {'Action':<{ACTION_WIDTH}} {'Homes':>6}  Support wanted")
        lines += [_figure_line(figure) for figure in view.figures]
    return lines


def _figure_line(figure: Figure) -> str:
    support = figure.support + (f": {figure.description}" if figure.description else "")
    written = f' (homes written as "{figure.written}")' if figure.written else ""
    flag = f"  <- {figure.flag}" if figure.flag else ""
    return f"  {_action_column(figure.action)} {figure.homes:>6}  {support}{written}{flag}"


@lru_cache(maxsize=256)
def _action_column(action: str) -> str:
    """An action clipped and padded to its column: the collection's few, in every receipt."""
    clipped = action if len(action) <= ACTION_WIDTH else action[: ACTION_WIDTH - 1] + "…"
    return f"{clipped:<{ACTION_WIDTH}}"
