"""The receipt as HTML that reads well in Outlook and Gmail.

Outlook draws HTML with Word's engine and Gmail drops <style> blocks, so: tables for layout
and for the figures, inline styles only, widths and colours also as attributes, no classes,
no scripts, no images. Everything that came from the return is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape as html_escape

from intake.receipt import Figure, ReceiptView, where_words
from store.submissions import Finding

FONT = "font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:21px;color:#0b0c0c;"
CELL = "padding:8px 10px;border:1px solid #b1b4b6;vertical-align:top;text-align:left;"
HEAD = CELL + "background-color:#f3f2f1;font-weight:bold;"
H2 = "margin:24px 0 8px 0;font-size:19px;line-height:25px;font-weight:bold;"
# The colour of the result band by the view's tone: green valid, red to fix, blue otherwise.
BANDS = {"good": "#00703c", "fix": "#d4351c", "info": "#1d70b8"}
FLAGS = {"to fix": "#d4351c", "to check": "#b35900"}
WIDTH = 680


def escape(text: str) -> str:
    """`html.escape`, returning text with nothing to escape as it is: most cells of a receipt
    (figures, labels, file names) have none, and a receipt escapes about ninety of them."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html_escape(text)
    return text


def receipt_html(view: ReceiptView, short_name: str) -> str:
    """The whole HTML document."""
    body = "".join([
        _p(f"This is an automatic receipt from the {short_name} inbox."),
        _band(view),
        _facts(view),
        _points("What to fix", "", view.to_fix),
        _points("Please check", "The figures stand: reply to explain, or send a corrected "
                                "return.", view.to_check),
        _figures(view),
        _files(view),
        _h2("What happens next"),
        "".join(_p(step) for step in view.next_steps),
        _p(view.footer, "color:#505a5f;font-size:14px;"),
    ])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(view.title)}</title></head>\n"
        f'<body style="margin:0;padding:0;background-color:#ffffff;">\n'
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
        f'<tr><td style="padding:16px;{FONT}">\n'
        f'<table role="presentation" width="{WIDTH}" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;max-width:{WIDTH}px;"><tr><td style="{FONT}">\n'
        f"{body}\n</td></tr></table>\n</td></tr></table>\n</body></html>\n"
    )


def _band(view: ReceiptView) -> str:
    colour = BANDS[view.tone]
    lines = [f'<div style="font-size:22px;line-height:28px;font-weight:bold;">'
             f"{escape(view.title)}</div>"]
    if view.result:
        lines.append(f'<div style="margin-top:4px;">{escape(view.result)}</div>')
    return (f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
            f'border="0" style="margin:12px 0;"><tr><td bgcolor="{colour}" '
            f'style="background-color:{colour};color:#ffffff;padding:14px 16px;{FONT}'
            f'color:#ffffff;">{"".join(lines)}</td></tr></table>\n')


def _facts(view: ReceiptView) -> str:
    rows = [(f"<b>{escape(label)}</b>", escape(value)) for label, value in view.facts]
    return _table(("", ""), rows, header=False)


def _points(heading: str, note: str, points: tuple[Finding, ...]) -> str:
    if not points:
        return ""
    rows = [(str(number), escape(where_words(point)) or "&nbsp;", escape(point.text))
            for number, point in enumerate(points, 1)]
    intro = _p(note) if note else ""
    return (_h2(f"{heading} ({len(points)})") + intro
            + _table(("No.", "Where", "What to do"), rows))


def _figures(view: ReceiptView) -> str:
    if not view.total and not view.figures:
        return ""
    parts = [_h2("What we read")]
    if view.total:
        parts.append(_p(f"<b>Total care homes:</b> {escape(view.total)}", raw=True))
    if view.chosen:
        parts.append(_p(f"<b>Template read:</b> {escape(view.chosen)}", raw=True))
    if view.figures:
        parts.append(_table(("Action", "Homes in place", "You wrote", "Support wanted"),
                            [_figure_row(figure) for figure in view.figures]))
    return "".join(parts)


def _figure_row(figure: Figure) -> tuple[str, ...]:
    support = escape(figure.support)
    if figure.description:
        support += f": {escape(figure.description)}"
    action = escape(figure.action)
    if figure.flag:
        colour = FLAGS[figure.flag]
        action += (f' <span style="color:{colour};font-weight:bold;white-space:nowrap;">'
                   f"&#9664; {escape(figure.flag)}</span>")
    return (action, f"<b>{escape(figure.homes)}</b>", escape(figure.written) or "&nbsp;",
            support)


def _files(view: ReceiptView) -> str:
    if not view.files:
        return _h2("Files") + _p("No attachments were found.")
    return _h2("Files we found") + _table(
        ("File", "What we found"), [(escape(name), escape(note)) for name, note in view.files])


def _table(headers: tuple[str, ...], rows: Iterable[tuple[str, ...]], *,
           header: bool = True) -> str:
    """A real data table; cells are already escaped HTML."""
    head = _head_row(headers) if header else ""
    # One join per row: a receipt has a few dozen cells, each with the same long style.
    body = "".join(f"<tr>{_TD}{_BETWEEN_CELLS.join(row)}</td></tr>\n" for row in rows)
    return (f'<table width="100%" cellpadding="0" cellspacing="0" border="1" '
            f'style="border-collapse:collapse;border:1px solid #b1b4b6;margin:0 0 8px 0;">\n'
            f"{head}{body}</table>\n")


_TD = f'<td style="{CELL}{FONT}">'
_BETWEEN_CELLS = f"</td>{_TD}"


@lru_cache(maxsize=16)
def _head_row(headers: tuple[str, ...]) -> str:
    """A table's header row (each table's headings are fixed)."""
    return "<tr>" + "".join(f'<th style="{HEAD}">{escape(h)}</th>' for h in headers) + "</tr>\n"


def _h2(text: str) -> str:
    return f'<h2 style="{H2}">{escape(text)}</h2>\n'


def _p(text: str, style: str = "", *, raw: bool = False) -> str:
    return f'<p style="margin:0 0 10px 0;{style}">{text if raw else escape(text)}</p>\n'
