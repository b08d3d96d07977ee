"""Synthetic returns: real files that open again, a realistic deterministic mix, real sending."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections import Counter
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import docx
import openpyxl
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from odf import teletype
from odf.opendocument import load as load_odf
from odf.table import Table, TableRow
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from intake.samples import files, grids
from intake.samples.plans import (
    FAMOUS_VARIANTS,
    INVALID_KINDS,
    KIND_WEIGHTS,
    MESSY_LAYOUT,
    NAME_VARIANT,
    NO_LETTER,
    RESUBMISSION,
)
from intake.samples.returns import SampleReturn, make_sample_returns
from intake.samples.sending import send_sample_main, send_samples
from store.collection import Collection, load_collection
from store.register import authorities_by_code

LETTER = "Dear colleagues,\n\nWe have 52 care homes \u2013 and 1,480 beds.\n\nYours sincerely,\nZo\u00eb O'Neill"
MESSY = grids.Layout(
    columns=("code", "action", "support", "homes", "description", "issues"),
    rows_above=3, blank_rows_between_focus=1, merged_headers=True, header_placement="below",
    contact_split=True, instructions_first=True, hidden_lists=True, sheet_name="Template",
)


@pytest.fixture(scope="module")
def samples() -> list[SampleReturn]:
    return make_sample_returns(60, 7, load_collection())


def content_for(collection: Collection) -> grids.ReturnContent:
    answers = tuple(
        grids.ActionAnswer(a.code, 40 + i, "Yes" if a.code == "2.1" else "No",
                           "Faster test results" if a.code == "2.1" else "")
        for i, a in enumerate(collection.actions)
    )
    return grids.ReturnContent("Bath & NE Somerset", 60, "Joanne Patel", "joanne.patel@bathnes.gov.uk",
                               "01225 477000", answers, "More PPE.", "Staff shortages.", LETTER)


def rows_of_calamine(data: bytes, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def visibility(data: bytes) -> dict[str, str]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {sheet.name: str(sheet.visible).rsplit(".", 1)[-1] for sheet in book.sheets_metadata}


def rows_of_ods(data: bytes, sheet: str) -> list[list[str]]:
    document = load_odf(io.BytesIO(data))
    table = next(t for t in document.spreadsheet.getElementsByType(Table) if t.getAttribute("name") == sheet)
    return [[teletype.extractText(cell) for cell in row.childNodes] for row in table.getElementsByType(TableRow)]


def assert_action_rows(rows: list[list[object]], collection: Collection, count_column: int) -> None:
    """Every action's row is there with its count, found by its code."""
    by_code = {str(row[0]).split(")")[0]: row for row in rows if row and row[0]}
    for i, action in enumerate(collection.actions):
        assert float(by_code[action.code][count_column]) == 40 + i


@pytest.mark.parametrize("layout", [grids.Layout(), MESSY], ids=["plain", "messy"])
def test_xlsx_from_openpyxl_and_xlsxwriter_open_in_openpyxl(collection: Collection, layout: grids.Layout) -> None:
    for write in (files.write_xlsx, files.write_xlsx_xlsxwriter):
        book = openpyxl.load_workbook(io.BytesIO(write(content_for(collection), layout, collection)))
        sheet = book[layout.sheet_name]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert_action_rows(rows, collection, layout.columns.index("homes"))
        assert any("Bath & NE Somerset" in row for row in rows)
        if layout is MESSY:
            assert book.sheetnames == ["Instructions", "Template", "Lists"]
            assert book["Lists"].sheet_state == "hidden"
            assert sheet.merged_cells.ranges
            assert any(row[:2] == ["Joanne Patel", None] for row in rows)  # contact split, below


@pytest.mark.parametrize("layout", [grids.Layout(), MESSY], ids=["plain", "messy"])
def test_xls_opens_in_calamine(collection: Collection, layout: grids.Layout) -> None:
    data = files.write_xls(content_for(collection), layout, collection)
    rows = rows_of_calamine(data, layout.sheet_name)
    assert_action_rows(rows, collection, layout.columns.index("homes"))
    if layout is MESSY:
        assert visibility(data) == {"Instructions": "Visible", "Template": "Visible", "Lists": "Hidden"}


@pytest.mark.parametrize("layout", [grids.Layout(), MESSY], ids=["plain", "messy"])
def test_ods_opens_in_odfpy_and_calamine(collection: Collection, layout: grids.Layout) -> None:
    data = files.write_ods(content_for(collection), layout, collection)
    column = layout.columns.index("homes")
    # odfpy lists covered cells of merges too, so columns keep their places
    assert_action_rows(rows_of_ods(data, layout.sheet_name), collection, column)
    assert_action_rows(rows_of_calamine(data, layout.sheet_name), collection, column)


def test_hidden_template_is_hidden_in_every_workbook_format(collection: Collection) -> None:
    layout = grids.Layout(instructions_first=True, template_hidden=True)
    content = content_for(collection)
    for write in (files.write_xlsx, files.write_xlsx_xlsxwriter, files.write_xls, files.write_ods):
        data = write(content, layout, collection)
        assert visibility(data) == {"Instructions": "Visible", layout.sheet_name: "Hidden"}, write.__name__


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_holds_the_template_sheet(collection: Collection, encoding: str) -> None:
    layout = grids.Layout(csv_encoding=encoding, action_text="code", instructions_first=True)
    data = files.write_csv(content_for(collection), layout, collection)
    rows = list(csv.reader(io.StringIO(data.decode(encoding))))
    assert_action_rows(rows, collection, 1)
    assert rows[0][0] == collection.template.title


def test_layout_moves_columns_and_separates_codes_from_labels(collection: Collection) -> None:
    layout = grids.Layout(columns=("code", "action", "support", "homes", "description", "issues"))
    grid = grids.template_grid(content_for(collection), layout, collection)
    row = next(row for row in grid.rows if row[0] == "2.1")
    assert row == ("2.1", collection.action("2.1").label, "Yes", 43, "Faster test results", None)
    plain = grids.template_grid(content_for(collection), grids.Layout(action_text="label"), collection)
    label_row = next(row for row in plain.rows if row[0] == collection.action("2.1").label)
    assert label_row[2] == "Yes - Faster test results"


def test_letters_open_in_their_own_readers() -> None:
    word = docx.Document(io.BytesIO(files.write_docx_letter(LETTER)))
    assert [p.text for p in word.paragraphs][1] == "We have 52 care homes \u2013 and 1,480 beds."
    pdf_text = PdfReader(io.BytesIO(files.write_pdf_letter(LETTER + " \U0001f600"))).pages[0].extract_text()
    assert "52 care homes - and 1,480 beds" in pdf_text and "Zo\u00eb O'Neill" in pdf_text
    odt = load_odf(io.BytesIO(files.write_odt_letter(LETTER)))
    assert "Yours sincerely, Zo\u00eb O'Neill" in teletype.extractText(odt.text)


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(collection: Collection) -> None:
    first = make_sample_returns(12, 3, collection)
    again = make_sample_returns(12, 3, collection)
    assert [s.raw for s in first] == [s.raw for s in again]
    assert [s.expected for s in first] == [s.expected for s in again]
    assert [s.raw for s in make_sample_returns(12, 4, collection)] != [s.raw for s in first]


def test_sixty_samples_cover_every_format_and_kind_in_realistic_proportions(samples: list[SampleReturn]) -> None:
    assert len(samples) == 60
    assert set(Counter(s.template_format for s in samples)) == {"xlsx", "xlsx-xlsxwriter", "xls", "ods", "csv", "zip"}
    assert set(Counter(s.letter_format for s in samples)) == {"docx", "pdf", "odt", "txt", "body", "none"}
    kinds = Counter(kind for s in samples for kind in s.kinds)
    assert set(KIND_WEIGHTS) | {NAME_VARIANT, MESSY_LAYOUT, RESUBMISSION} <= set(kinds)
    assert Counter(s.template_format for s in samples).most_common(1)[0][0] == "xlsx"
    statuses = Counter(s.expected.status for s in samples)
    assert statuses["valid"] >= 40 and statuses["invalid"] >= 5 and statuses["incomplete"] >= 1
    for sample in samples:
        kind = sample.kinds[0]
        if kind in INVALID_KINDS:
            assert sample.expected.status == "invalid"
        else:
            assert sample.expected.status == ("incomplete" if kind == NO_LETTER else "valid")
        assert bool(sample.expected.problems) == (kind in INVALID_KINDS)


def test_totals_and_counts_are_plausible(samples: list[SampleReturn]) -> None:
    register = authorities_by_code()
    for sample in samples:
        la, expected = register[sample.la_code], sample.expected
        low, high = {"London borough": (1, 90), "county": (150, 400)}.get(la.type, (1, 200))
        assert low <= expected.total_care_homes <= high
        assert all(0 <= homes <= expected.total_care_homes for homes in expected.homes_in_place.values())
        assert set(expected.support_needed) <= {"1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1",
                                                "4.2", "4.3", "4.4", "4.5", "5.1", "5.2"}


def test_senders_write_from_their_own_domain_with_real_looking_names(samples: list[SampleReturn]) -> None:
    register = authorities_by_code()
    for sample in samples:
        message = parse(sample)
        assert register[sample.la_code].owns_domain(sample.mail_from.split("@")[1])
        assert message["From"].addresses[0].addr_spec == sample.mail_from
        assert len(message["From"].addresses[0].display_name.split()) >= 2
        assert message["To"] == "careandreform2@communities.gov.uk"
        assert message["Message-ID"].endswith(sample.mail_from.split("@")[1] + ">")


def test_resubmissions_come_later_from_the_same_la_and_are_corrected(samples: list[SampleReturn]) -> None:
    resubmitted = [s for s in samples if RESUBMISSION in s.kinds]
    assert resubmitted
    for later in resubmitted:
        earlier = [s for s in samples if s.la_code == later.la_code and s.version == 1]
        assert earlier and earlier[0].sent_at < later.sent_at
        assert later.expected.status == "valid" and later.version == 2
        assert parse(later)["Subject"].startswith("RE: ")
        assert later.expected.total_care_homes == earlier[0].expected.total_care_homes


def test_la_names_are_written_the_ways_councils_wrote_them(samples: list[SampleReturn]) -> None:
    written = {s.la_code: template_cell_after(s, "Local authority") for s in samples if s.template_format == "xlsx"}
    register = authorities_by_code()
    assert any(name != register[code].name for code, name in written.items())
    assert {s.la_code for s in samples} >= set(FAMOUS_VARIANTS)
    for code in set(written) & set(FAMOUS_VARIANTS):
        assert written[code] in FAMOUS_VARIANTS[code]


def test_attachments_match_the_formats_and_the_counts_match_expected(samples: list[SampleReturn]) -> None:
    extensions = {"xlsx-xlsxwriter": "xlsx", "zip": "zip"}
    for sample in samples:
        names = [part.get_filename() for part in parse(sample).iter_attachments()]
        template_extension = extensions.get(sample.template_format, sample.template_format)
        assert any(name.endswith("." + template_extension) for name in names)
        if sample.template_format == "zip":
            archive = zipfile.ZipFile(io.BytesIO(attachment(sample, ".zip")))
            assert any(name.endswith(".xlsx") for name in archive.namelist())
        elif sample.letter_format in ("docx", "pdf", "odt", "txt"):
            assert any(name.endswith("." + sample.letter_format) for name in names)
        if sample.letter_format == "body":
            assert "care market" in parse(sample).get_body(("plain",)).get_content()
    for sample in (s for s in samples if s.template_format == "xlsx" and MESSY_LAYOUT not in s.kinds):
        rows = rows_of_calamine(attachment(sample, ".xlsx"), "Implementation Status")
        written = {str(row[0]).split(")")[0]: row[1] for row in rows if ")" in str(row[0])}
        for code, homes in sample.expected.homes_in_place.items():
            if isinstance(written[code], float):
                assert written[code] == homes, (sample.la_code, code)


# --- sending to a real aiosmtpd server -------------------------------------------------------


class RecordingHandler:
    """Accepts mail to the inbox and records each envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address != "careandreform2@communities.gov.uk":
            return "550 5.1.1 Not our inbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 2.0.0 Stored"


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
async def smtp_port(handler: RecordingHandler):
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def test_send_samples_delivers_every_message_with_its_attachments(
    samples: list[SampleReturn], handler: RecordingHandler, smtp_port: int
) -> None:
    batch = samples[:8]
    report = await send_samples(batch, "127.0.0.1", smtp_port, concurrency=3)
    assert report.all_accepted and [d.code for d in report.deliveries] == [250] * 8
    assert report.deliveries[0].text == "2.0.0 Stored"
    assert sorted(e.mail_from for e in handler.envelopes) == sorted(s.mail_from for s in batch)
    assert all(e.rcpt_tos == ["careandreform2@communities.gov.uk"] for e in handler.envelopes)
    by_sender = {s.mail_from: s for s in batch}
    for envelope in handler.envelopes:
        message = message_from_bytes(envelope.original_content, policy=default)
        sent = parse(by_sender[envelope.mail_from])
        assert message["Message-ID"] == sent["Message-ID"]
        assert [p.get_content() for p in message.iter_attachments()] == [
            p.get_content() for p in sent.iter_attachments()]


async def test_refused_and_unreachable_messages_are_reported_not_raised(
    samples: list[SampleReturn], smtp_port: int
) -> None:
    refused = await send_samples(samples[:3], "127.0.0.1", smtp_port, inbox="someone@example.org")
    assert [d.code for d in refused.deliveries] == [550] * 3 and not refused.all_accepted
    assert "Not our inbox" in refused.deliveries[0].text
    closed = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    unreachable = await send_samples(samples[:2], "127.0.0.1", port, concurrency=2, timeout=5)
    assert [d.code for d in unreachable.deliveries] == [0, 0]


async def test_cli_prints_a_line_per_message_and_a_summary(
    handler: RecordingHandler, smtp_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--count", "3", "--seed", "5", "--host", "127.0.0.1", "--port", str(smtp_port)]
    assert await asyncio.to_thread(send_sample_main, argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(" 250 " in line for line in lines[:3])
    assert lines[3].startswith("3 of 3 accepted")
    assert len(handler.envelopes) == 3


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        send_sample_main(["--help"])
    assert exit_.value.code == 0
    assert "--count" in capsys.readouterr().out


# --- helpers ---------------------------------------------------------------------------------


def parse(sample: SampleReturn) -> EmailMessage:
    return message_from_bytes(sample.raw, policy=default)


def attachment(sample: SampleReturn, extension: str) -> bytes:
    return next(p.get_content() for p in parse(sample).iter_attachments()
                if p.get_filename().endswith(extension))


def template_cell_after(sample: SampleReturn, label: str) -> str:
    """The value written to the right of a header label, or below it."""
    book = openpyxl.load_workbook(io.BytesIO(attachment(sample, ".xlsx")))
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for row, below in zip(rows, rows[1:], strict=False):
            if row[0] == label:
                return str(row[1] if row[1] is not None else below[0])
    return ""
