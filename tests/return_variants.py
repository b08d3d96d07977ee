"""A seeded generator of returns as councils really fill them in, each with the truth it holds.

Written from what officers type under deadline pressure (`tests.return_wordings`), broader
than and different from anything in `intake/reading/`. Each return varies its label wordings,
where values sit (beside, below, in the label's cell, merged, a foot-row total), orientation,
action codes (1.1, 1.1., 1a, Q1.1, Action 1.1, none), labels (the seed's, truncated, reworded,
abbreviated), value spellings, sheets (cover, hidden lists, draft and final, a hidden earlier
copy) and writer (openpyxl, xlsxwriter, xlwt, odfpy, csv in utf-8, utf-8-sig and cp1252).
`tests.return_scoring` reads them back and counts what is right.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from store.collection import Collection
from store.register import LocalAuthority, authorities_by_code
from tests.return_wordings import (
    ACTION_HEADERS,
    CONTACT_LABELS,
    HOMES_HEADERS,
    ISSUES_HEADERS,
    LA_LABELS,
    NO,
    NOTES,
    PLAIN,
    REWORDINGS,
    SHORT_LABELS,
    SUPPORT_HEADERS,
    TITLES,
    TOTAL_LABELS,
    WRITERS,
    YES,
)
from tests.sheet_writers import Book, Percent, Value, write


@dataclass(frozen=True)
class Truth:
    """What the council meant: its code, total, and each action's count and Yes/No."""

    la_code: str
    total: int
    counts: dict[str, int | None]
    support: dict[str, str | None]


@dataclass(frozen=True)
class Variant:
    """One generated return file and what it says."""

    filename: str
    data: bytes
    truth: Truth
    choices: dict[str, str] = field(default_factory=dict)


def generate(count: int, seed: int, collection: Collection) -> Iterator[Variant]:
    """`count` returns, the same ones for the same seed."""
    rng = random.Random(seed)
    authorities = sorted(authorities_by_code().values(), key=lambda la: la.code)
    for index in range(count):
        yield _variant(rng, authorities[index % len(authorities)], collection,
                       WRITERS[index % len(WRITERS)])


def _variant(rng: random.Random, la: LocalAuthority, collection: Collection,
             writer: str) -> Variant:
    csv_file = writer.startswith("csv")
    choices = {"writer": writer,
               "orientation": "columns" if rng.random() < 0.15 else "rows",
               "codes": rng.choice(["1.1", "1.1)", "1.1.", "1a", "Q1.1", "Action 1.1", "none",
                                    "column", "(1.1)"]),
               "labels": rng.choice(["seed", "seed", "truncated", "reworded", "short"]),
               "total_at": rng.choice(["beside", "below", "same", "merged", "foot"]),
               "la_at": rng.choice(["beside", "below", "same", "merged", "heading", "sheet",
                                    "cover"]),
               "sheets": rng.choice(["one", "one", "cover", "lists", "draft", "versions",
                                     "old", "hidden"])}
    if choices["labels"] == "short" and choices["codes"] == "none":
        choices["codes"] = "none-under-focus"
    if csv_file:
        choices["sheets"] = "one"
        choices["la_at"] = "heading" if choices["la_at"] in ("sheet", "cover") else choices["la_at"]
    if choices["sheets"] in ("draft", "versions", "old", "hidden") and choices["la_at"] == "sheet":
        choices["la_at"] = "heading"
    if choices["orientation"] == "columns" and choices["total_at"] == "foot":
        choices["total_at"] = "beside"
    truth, cells = _answers(rng, la, collection, plain=writer == "csv-cp1252")
    book = _book(rng, la, collection, choices, truth, cells)
    fmt, encoding = (("csv", writer[4:]) if csv_file else (writer, "utf-8"))
    stem = rng.choice(["Care home support return", "template", "Return May 2020",
                       "Implementation status template"])
    filename, data = write(fmt, book, stem, encoding)
    return Variant(filename, data, truth, choices)


def _answers(rng: random.Random, la: LocalAuthority, collection: Collection,
             plain: bool) -> tuple[Truth, dict[str, tuple[Value, Value, str]]]:
    total = rng.randint(8, 320)
    counts: dict[str, int | None] = {}
    support: dict[str, str | None] = {}
    cells: dict[str, tuple[Value, Value, str]] = {}
    for action in collection.actions:
        counts[action.code], homes = _count(rng, total)
        support[action.code], answer = _support(rng, plain)
        issue = rng.choice(["", "", "", "Agency staff shortages", "Slow test results"])
        cells[action.code] = (homes, answer, issue)
    return Truth(la.code, total, counts, support), cells


def _count(rng: random.Random, total: int) -> tuple[int | None, Value]:
    count = rng.randint(0, total) if rng.random() < 0.7 else total - rng.randint(0, 3)
    form = rng.choice(["int", "int", "int", "float", "homes", "slash", "of", "paren", "tilde",
                       "approx", "percent", "fraction", "all", "none", "blank", "na"])
    if form in ("percent", "fraction"):
        percent = rng.choice([100, 95, 90, 85, 80, 75, 60, 50, 33, 25, 10])
        count = int(percent / 100 * total + 0.5)
        return count, f"{percent}%" if form == "percent" else Percent(percent / 100)
    if form == "all":
        return total, rng.choice(["all", "All", "All homes", "ALL"])
    if form == "none":
        return 0, rng.choice(["none", "None", "nil", "Nil", 0, "0"])
    if form in ("blank", "na"):
        return None, None if form == "blank" else rng.choice(["n/a", "N/A", "Not known"])
    written = {"int": count, "float": float(count), "homes": f"{count} homes",
               "slash": f"{count}/{total}", "of": f"{count} of {total}",
               "paren": f"{count} (of {total})", "tilde": f"~{count}",
               "approx": f"approx {count}"}
    return count, written[form]


def _support(rng: random.Random, plain: bool) -> tuple[str | None, Value]:
    roll = rng.random()
    if roll < 0.06:
        return None, rng.choice(["<Please select>", None])
    needed = "yes" if roll < 0.45 else "no"
    answer: Value = rng.choice(YES if needed == "yes" else NO)
    if plain and isinstance(answer, str):
        answer = PLAIN.get(answer, answer)
    return needed, answer


# --- laying the return out -----------------------------------------------------------------


def _book(rng: random.Random, la: LocalAuthority, collection: Collection,
          choices: dict[str, str], truth: Truth,
          cells: dict[str, tuple[Value, Value, str]]) -> Book:
    la_written = rng.choice([la.name, la.official_name or la.name, la.name.upper()])
    fields = _fields(rng, choices, la_written, truth.total)
    title = rng.choice(TITLES)
    if choices["la_at"] == "heading":
        title = rng.choice([f"{la_written} - {title}", f"{title}: {la_written}",
                            f"{la_written} care home support return"])
    top: list[list[Value]] = [[title], []]
    merges: list[tuple[int, int, int, int]] = []
    cover: list[list[Value]] = []
    if choices["la_at"] == "cover":
        cover = [["Care home support return"], [], *fields]
    else:
        for row in fields:
            if row and row[-1] == "<merged>":
                row = row[:-1]
                merges.append((len(top), 1, len(top), 3))
            top.append(row)
    top += [[note] for note in rng.sample(NOTES, rng.randint(0, 2))] + [[]]
    if choices["orientation"] == "columns":
        body = _columns_table(rng, collection, choices, cells)
    else:
        body = _rows_table(rng, collection, choices, cells, truth.total)
    rows = top + body + [[], [collection.template.benefit_label], ["More testing capacity"]]
    template_name = la.name[:28] if choices["la_at"] == "sheet" else rng.choice(
        ["Template", "Implementation Status", "Sheet1", "Return"])
    return _arrange(rng, collection, choices, template_name, rows, merges, cover)


def _fields(rng: random.Random, choices: dict[str, str], la_written: str,
            total: int) -> list[list[Value]]:
    rows: list[list[Value]] = []
    if choices["la_at"] not in ("heading", "sheet"):
        rows += _placed(rng.choice(LA_LABELS), la_written,
                        choices["la_at"] if choices["la_at"] != "cover" else "beside")
    if choices["total_at"] != "foot":
        rows += _placed(rng.choice(TOTAL_LABELS), total, choices["total_at"])
    contact = rng.choice(["Jo Bloggs, jo.bloggs@council.gov.uk, 01234 567890",
                          "Sam Patel (Commissioning Manager)", "a.smith@county.gov.uk"])
    rows += _placed(rng.choice(CONTACT_LABELS), contact, rng.choice(["beside", "below"]))
    return rows


def _placed(label: str, value: Value, at: str) -> list[list[Value]]:
    if at == "below":
        return [[label], [value]]
    if at == "same":
        separator = ": " if not label.rstrip().endswith((":", "?")) else " "
        return [[f"{label.rstrip()}{separator}{value}"]]
    if at == "merged":
        return [[label, value, None, None, "<merged>"]]
    return [[label, value]]


def _action_text(rng: random.Random, code: str, label: str, choices: dict[str, str]) -> str:
    form = choices["labels"]
    if form == "truncated":
        words = label.split()
        label = " ".join(words[:max(3, len(words) * 2 // 3)]) + rng.choice(["...", "", " \u2026"])
    elif form == "reworded":
        for old, new in REWORDINGS:
            label = label.replace(old, new)
    elif form == "short":
        label = SHORT_LABELS[code]
    focus, number = code.split(".")
    written = {"1.1": code, "1.1)": f"{code})", "1.1.": f"{code}.", "(1.1)": f"({code})",
               "1a": f"{focus}{'abcdefgh'[int(number) - 1]}", "Q1.1": f"Q{code}",
               "Action 1.1": f"Action {code}"}.get(choices["codes"])
    return f"{written} {label}" if written else label


def _rows_table(rng: random.Random, collection: Collection, choices: dict[str, str],
                cells: dict[str, tuple[Value, Value, str]], total: int) -> list[list[Value]]:
    code_column = choices["codes"] == "column"
    header: list[Value] = ([rng.choice(["Ref", "No.", "#"])] if code_column else []) + [
        rng.choice(ACTION_HEADERS), rng.choice(HOMES_HEADERS), rng.choice(SUPPORT_HEADERS),
        rng.choice(ISSUES_HEADERS)]
    rows: list[list[Value]] = [header]
    headings = choices["codes"] == "none-under-focus" or rng.random() < 0.7
    for focus, title in collection.focus_areas.items():
        if headings:
            rows.append([None] * code_column + [rng.choice([f"Focus {focus}: {title}", title,
                                                            f"{focus}. {title}"])])
        for action in (a for a in collection.actions if a.focus == focus):
            homes, answer, issue = cells[action.code]
            text = _action_text(rng, action.code, action.label, choices)
            rows.append(([action.code] if code_column else []) + [text, homes, answer, issue])
            if rng.random() < 0.03:
                rows.append([])
    if choices["total_at"] == "foot":
        label = rng.choice(["Total", "TOTAL", "Total care homes", "Total number of homes",
                            "Total homes in area"])
        rows.append([None] * code_column + [label, total])
    return rows


def _columns_table(rng: random.Random, collection: Collection, choices: dict[str, str],
                   cells: dict[str, tuple[Value, Value, str]]) -> list[list[Value]]:
    """Actions as columns: focus headings over their actions, codes in a row of their own."""
    actions = collection.actions
    rows: list[list[Value]] = []
    if choices["codes"] == "none-under-focus" or rng.random() < 0.5:
        rows.append([None] + [collection.focus_areas[a.focus] if n == 0 or actions[n - 1].focus
                              != a.focus else None for n, a in enumerate(actions)])
    if choices["codes"] == "column":
        rows.append([rng.choice(["Ref", "No.", "#"])] + [a.code for a in actions])
    return rows + [
        [rng.choice(ACTION_HEADERS)] + [_action_text(rng, a.code, a.label, choices)
                                        for a in actions],
        [rng.choice(HOMES_HEADERS)] + [cells[a.code][0] for a in actions],
        [rng.choice(SUPPORT_HEADERS)] + [cells[a.code][1] for a in actions],
        [rng.choice(ISSUES_HEADERS)] + [cells[a.code][2] for a in actions],
    ]


def _arrange(rng: random.Random, collection: Collection, choices: dict[str, str], name: str,
             rows: list[list[Value]], merges: list[tuple[int, int, int, int]],
             cover: list[list[Value]]) -> Book:
    sheets: list[tuple[str, list[list[Value]], bool]] = []
    if cover:
        sheets.append(("Cover", cover, False))
    arrangement = choices["sheets"]
    if arrangement == "lists":
        sheets.insert(0, ("Instructions", [["How to complete this return"]] + [
            [f"{a.code} {a.label}: count the homes where this is in place"]
            for a in collection.actions], False))
    pairs = {"draft": ("DRAFT", "FINAL"), "versions": ("v1", "v2"), "old": ("old", "updated"),
             "hidden": ("Sheet2", name)}
    if arrangement in pairs:
        earlier, later = pairs[arrangement]
        stale = [[_stale(value) for value in row] for row in rows]
        # A hidden earlier copy keeps a plain name: only its being hidden tells it apart.
        copies = [(earlier, stale, arrangement == "hidden"), (later, rows, False)]
        rng.shuffle(copies)
        sheets += copies
        merged = {sheet_name: merges for sheet_name, _, _ in copies}
    else:
        sheets.append((name, rows, False))
        merged = {name: merges}
    if arrangement == "lists":
        sheets.append(("Lists", [["Yes"], ["No"], ["<Please select>"]], True))
    return Book(sheets, merged)


def _stale(value: Value) -> Value:
    """A draft's figure: numbers off by a few, so reading the draft shows."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 3
    return value
