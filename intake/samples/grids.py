"""A filled template laid out as plain grids, one per sheet, before any writer renders it.

Every spreadsheet writer (intake/samples/files.py) renders exactly the same cells, so the
layout's messiness (moved columns, inserted rows, merged cells, extra and hidden sheets) is
decided here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from store.collection import Collection, load_collection

Value = str | int | float | None
# Fixed file times, so that a seed always gives the same bytes.
FILE_TIME = datetime(2020, 5, 27, 9, 0, 0)
INSTRUCTIONS = (
    "Instructions",
    "Please complete the Implementation Status sheet for your local authority area.",
    "Enter the number of CQC registered care homes where each action or support is in place.",
    "Select Yes or No for additional support; if Yes, describe the support that would help.",
    "Return the template with a covering letter by 29 May 2020.",
)

@dataclass(frozen=True)
class ActionAnswer:
    """One action's row as the LA filled it in; values exactly as typed."""

    code: str
    homes_raw: int | float | str
    support_raw: str                # 'Yes', 'No', '<Please select>', 'Y', ...
    description: str = ""           # support wanted (joined to support_raw without its own column)
    issues: str = ""


@dataclass(frozen=True)
class ReturnContent:
    """Everything an LA writes into one return."""

    la_name: str                    # as written in the LA field
    total_raw: int | str
    contact_name: str
    contact_email: str
    contact_phone: str
    actions: tuple[ActionAnswer, ...]
    support_benefit: str = ""
    regional_issues: str = ""
    letter_text: str = ""


Column = Literal["code", "action", "homes", "support", "description", "issues"]


@dataclass(frozen=True)
class Layout:
    """How a council arranged its copy of the template."""

    columns: tuple[Column, ...] = ("action", "homes", "support", "issues")
    action_text: Literal["both", "code", "label"] = "both"   # '1.1) label', '1.1', 'label'
    rows_above: int = 0             # guidance rows inserted above the title
    blank_rows_between_focus: int = 0
    merged_headers: bool = False    # title, focus rows and header values merged across columns
    header_placement: Literal["right", "below"] = "right"
    contact_split: bool = False     # name, email, phone in three cells instead of one
    instructions_first: bool = False
    template_hidden: bool = False   # the filled template sits on a hidden sheet
    hidden_lists: bool = False      # a hidden sheet of Yes/No lists, as data validation uses
    sheet_name: str = "Implementation Status"
    csv_encoding: str = "utf-8"


@dataclass(frozen=True)
class SheetGrid:
    """One sheet as rows of cell values (None: empty); merges are 0-based inclusive ranges."""

    name: str
    rows: tuple[tuple[Value, ...], ...]
    merges: tuple[tuple[int, int, int, int], ...] = ()
    bold_rows: frozenset[int] = field(default_factory=frozenset)
    hidden: bool = False


class _GridBuilder:
    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[tuple[Value, ...]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.bold: set[int] = set()

    def add(self, *values: Value, bold: bool = False, merge_from: int | None = None) -> int:
        row = len(self.rows)
        cells = list(values) + [None] * (self.width - len(values))
        self.rows.append(tuple(cells))
        if bold:
            self.bold.add(row)
        if merge_from is not None and self.width - 1 > merge_from:
            self.merges.append((row, merge_from, row, self.width - 1))
        return row

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.add()

    def grid(self, name: str, hidden: bool) -> SheetGrid:
        return SheetGrid(name, tuple(self.rows), tuple(self.merges), frozenset(self.bold), hidden)


def lay_out(
    content: ReturnContent, layout: Layout, collection: Collection | None = None
) -> tuple[SheetGrid, ...]:
    """The workbook's sheets in order, the filled template among them."""
    collection = collection or load_collection()
    sheets = []
    if layout.instructions_first:
        sheets.append(SheetGrid("Instructions", tuple((line,) for line in INSTRUCTIONS)))
    sheets.append(_template_grid(content, layout, collection))
    if layout.hidden_lists:
        lists = (("Yes",), ("No",), (collection.template.placeholder,))
        sheets.append(SheetGrid("Lists", lists, hidden=True))
    return tuple(sheets)


def template_grid(
    content: ReturnContent, layout: Layout, collection: Collection | None = None
) -> SheetGrid:
    """The filled template sheet alone (what a .csv holds)."""
    return _template_grid(content, layout, collection or load_collection())


def _template_grid(content: ReturnContent, layout: Layout, collection: Collection) -> SheetGrid:
    text = collection.template
    sheet = _GridBuilder(max(len(layout.columns), 4))
    merge = 0 if layout.merged_headers else None
    for line in range(layout.rows_above):
        sheet.add(INSTRUCTIONS[1 + line % 4] if line % 2 == 0 else None)
    sheet.add(text.title, bold=True, merge_from=merge)
    sheet.blank()
    _header_field(sheet, layout, text.la_label, (content.la_name,))
    _header_field(sheet, layout, text.total_label, (content.total_raw,))
    _header_field(sheet, layout, text.contact_label, _contact_cells(content, layout))
    sheet.blank()
    sheet.add(*(_column_title(column, collection) for column in layout.columns), bold=True)
    answers = {answer.code: answer for answer in content.actions}
    for focus, focus_name in collection.focus_areas.items():
        sheet.blank(layout.blank_rows_between_focus)
        sheet.add(f"Focus {focus}: {focus_name}", bold=True, merge_from=merge)
        for action in collection.actions:
            if action.focus == focus and action.code in answers:
                sheet.add(*_action_cells(answers[action.code], action.label, layout))
    sheet.blank()
    _header_field(sheet, layout, text.benefit_label, (content.support_benefit or None,))
    sheet.blank()
    _header_field(sheet, layout, text.regional_issues_label, (content.regional_issues or None,))
    return sheet.grid(layout.sheet_name, layout.template_hidden)


def _header_field(
    sheet: _GridBuilder, layout: Layout, label: str, values: tuple[Value, ...]
) -> None:
    if layout.header_placement == "below":
        sheet.add(label, bold=True)
        for value in values:
            sheet.add(value)
        return
    merge = 1 if layout.merged_headers and len(values) == 1 else None
    sheet.add(label, *values, merge_from=merge)


def _contact_cells(content: ReturnContent, layout: Layout) -> tuple[Value, ...]:
    parts = (content.contact_name, content.contact_email, content.contact_phone)
    return parts if layout.contact_split else (", ".join(p for p in parts if p),)


def _column_title(column: Column, collection: Collection) -> str:
    headers = collection.template.column_headers
    titles = {
        "code": "Ref",
        "action": headers["action"],
        "homes": headers["homes_in_place"],
        "support": headers["support"],
        "description": "Type of support that would be helpful",
        "issues": headers["issues"],
    }
    return titles[column]


def _action_cells(answer: ActionAnswer, label: str, layout: Layout) -> tuple[Value, ...]:
    has_description_column = "description" in layout.columns
    support = answer.support_raw
    if answer.description and not has_description_column:
        support = f"{support} - {answer.description}"
    if "code" in layout.columns:
        action_text = label
    else:
        action_text = {"both": f"{answer.code}) {label}", "code": answer.code, "label": label}[
            layout.action_text
        ]
    cells = {
        "code": answer.code,
        "action": action_text,
        "homes": answer.homes_raw,
        "support": support,
        "description": answer.description or None,
        "issues": answer.issues or None,
    }
    return tuple(cells[column] for column in layout.columns)
