"""Property-based tests: reading mail and templates never raises on whatever arrives, and the
template is found by content wherever its rows are."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.reading.message import read_message
from intake.reading.mime import parse_mime
from intake.reading.sheets import UnreadableFile, read_sheets
from intake.reading.template import find_template
from intake.samples.grids import Layout, template_grid
from store.collection import load_collection
from tests.hostile_files import leeds_content, rezip, template_xlsx

COLLECTION = load_collection()
BOUNDED = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

header_names = st.sampled_from(["From", "To", "Subject", "Message-ID", "Content-Type",
                                "Content-Transfer-Encoding", "Content-Disposition",
                                "Auto-Submitted", "Authentication-Results", "MIME-Version"])
header_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(['multipart/mixed; boundary="b"', "multipart/mixed", "base64",
                     "quoted-printable", 'attachment; filename="r.xlsx"',
                     "text/plain; charset=x-unknown", "=?utf-8?b?////?=", "=?bogus?q?x?=",
                     'application/zip; name="a.zip"', "message/rfc822"]),
)
bodies = st.one_of(st.binary(max_size=600),
                   st.sampled_from([b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--",
                                    b"--b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@",
                                    b"PK\x03\x04" + bytes(30), b"\xd0\xcf\x11\xe0" + bytes(60)]))


@st.composite
def mime_like(draw: st.DrawFn) -> bytes:
    """Bytes shaped like mail: headers (some meaningful, some not) and a body of anything."""
    lines = [draw(header_names).encode() + b": " + draw(header_values).encode("utf-8", "replace")
             for _ in range(draw(st.integers(0, 8)))]
    return b"\r\n".join(lines) + b"\r\n\r\n" + draw(bodies)


@BOUNDED
@given(st.one_of(st.binary(max_size=2000), mime_like()))
def test_parse_mime_never_raises(raw: bytes) -> None:
    parsed = parse_mime(raw)
    assert isinstance(parsed.body_text, str)


@BOUNDED
@given(st.one_of(st.binary(max_size=2000), mime_like()))
def test_read_message_never_raises_and_notes_every_file(raw: bytes) -> None:
    read = read_message(raw, COLLECTION)
    assert len(read.files) >= len(read.templates)
    assert all(note.role in ("template", "letter", "ignored", "unreadable") for note in read.files)


# --- templates ----------------------------------------------------------------------------------

TEMPLATE_WORDS = [COLLECTION.template.la_label, COLLECTION.template.total_label,
                  COLLECTION.template.placeholder, *COLLECTION.template.column_headers.values(),
                  *(a.code for a in COLLECTION.actions), *(a.label for a in COLLECTION.actions)]
cells = st.one_of(st.text(max_size=30), st.sampled_from(TEMPLATE_WORDS),
                  st.integers(-10, 10_000).map(str), st.sampled_from(["45 of 52", "90%", "all",
                                                                      "n/a", "Yes", "No."]))
grids = st.lists(st.lists(cells, max_size=8), max_size=40)


def as_csv(rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow("" if value is None else value for value in row)
    return text.getvalue().encode("utf-8")


@BOUNDED
@given(grids)
def test_random_grids_never_break_the_template_finder(rows: list[list[str]]) -> None:
    try:
        sheets = read_sheets("return.csv", as_csv(rows))
    except UnreadableFile as refused:
        assert refused.reason
        return
    reading = find_template(sheets, "return.csv", COLLECTION)
    assert reading is None or len(reading.rows) <= len(COLLECTION.actions)


@BOUNDED
@given(st.randoms(use_true_random=False), st.lists(st.integers(0, 52), min_size=14, max_size=14))
def test_a_shuffled_complete_template_still_gives_all_fourteen_rows(rng, counts) -> None:
    content = leeds_content(COLLECTION)
    actions = tuple(type(a)(a.code, counts[i], a.support_raw) for i, a in enumerate(content.actions))
    content = type(content)(**{**content.__dict__, "actions": actions})
    rows = [list(row) for row in template_grid(content, Layout(), COLLECTION).rows]
    rng.shuffle(rows)
    (sheet,) = read_sheets("return.csv", as_csv(rows))
    reading = find_template([sheet], "return.csv", COLLECTION)
    assert reading is not None
    assert [row.code for row in reading.rows] == [a.code for a in COLLECTION.actions]
    assert [row.homes_raw for row in reading.rows] == [str(n) for n in counts]


ENTITY_REFUSAL = ("the file contains XML entity declarations, which spreadsheets never need "
                  "(a known attack); it was not opened")


@BOUNDED
@given(st.sampled_from(["DOCTYPE", "ENTITY"]), st.randoms(use_true_random=False),
       st.integers(0, 9))
def test_an_entity_declaration_in_any_casing_and_any_member_refuses_the_workbook(
        keyword: str, rng, member: int) -> None:
    written = template_xlsx(COLLECTION)
    names = [n for n in zipfile.ZipFile(io.BytesIO(written)).namelist()
             if n.endswith((".xml", ".rels"))]
    name = names[member % len(names)]
    xml = zipfile.ZipFile(io.BytesIO(written)).read(name)
    cased = "".join(rng.choice((letter.lower(), letter)) for letter in keyword)
    prolog, _, body = xml.rpartition(b"?>")     # some members have no XML declaration
    declared = (prolog + b"?>" if prolog else b"") + f'<!{cased} x SYSTEM "e">'.encode() + body
    with pytest.raises(UnreadableFile) as refused:
        read_sheets("return.xlsx", rezip(written, {name: declared}))
    assert refused.value.reason == ENTITY_REFUSAL
