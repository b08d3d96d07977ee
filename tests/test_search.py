"""Search over letters and the template's free text: mail in through the real intake, found by
the bot with the right LA, file and snippet; themes counted from the collection's vocabulary."""

from __future__ import annotations

import asyncio
import csv
import email
import io

import pytest

from bot.commands import answer
from bot.parsing import parse
from bot.render_text import to_text
from bot.roles import viewer_from_role
from intake.samples.files import write_docx_letter, write_pdf_letter, write_xlsx
from intake.samples.grids import ActionAnswer, ReturnContent
from intake.service import IntakeService
from store.collection import load_collection
from store.context import Context
from store.db import open_db
from store.search import count_themes, create_index, match_query, search
from tests.bot_helpers import add_return
from tests.smtp_helpers import INBOX, send_message

NATIONAL = viewer_from_role("UNAT", "national")
LEEDS, KENT, CAMDEN = "E08000035", "E10000016", "E09000007"


def council_return(la_name: str, *, letter: str, issue: str = "") -> ReturnContent:
    actions = tuple(ActionAnswer(code=a.code, homes_raw=40, support_raw="No",
                                 issues=issue if a.code == "1.2" else "")
                    for a in load_collection().actions)
    return ReturnContent(la_name=la_name, total_raw=52, contact_name="Asha Patel",
                         contact_email="asha@x.gov.uk", contact_phone="0113 222 4444",
                         actions=actions, letter_text=letter)


def mail(sender: str, content: ReturnContent, letter: tuple[str, bytes, str]) -> bytes:
    message = email.message.EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, INBOX, "Care home return"
    message["Message-ID"] = f"<{sender}>"
    message.set_content("Our return is attached.")
    message.add_attachment(write_xlsx(content), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename="template.xlsx")
    name, data, subtype = letter
    message.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return message.as_bytes()


DOCX = "vnd.openxmlformats-officedocument.wordprocessingml.document"
RETURNS = (
    ("care@leeds.gov.uk", council_return(
        "Leeds City Council",
        letter="Dear colleagues,\n\nStaff are kept on full pay while isolating, funded by the "
               "council.\n\nYours sincerely"), ("Leeds letter.docx", DOCX)),
    ("care@kent.gov.uk", council_return(
        "Kent County Council",
        letter="Dear Minister,\n\nWhole home testing has begun in our largest homes, but the "
               "couriers are unreliable.\n\nYours faithfully"), ("Kent letter.pdf", "pdf")),
    ("care@camden.gov.uk", council_return(
        "Camden", letter="Dear colleagues,\n\nOur plan is attached.",
        issue="Agency workers still move between several homes each week"),
     ("Camden letter.docx", DOCX)),
)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The three returns sent through a real intake over SMTP, once for the module."""
    from store.settings import Settings

    path = tmp_path_factory.mktemp("search")
    settings = Settings(_env_file=None, returns_db=path / "returns.db",
                        returns_data_dir=path / "data", returns_now="2020-05-28T12:00:00+01:00",
                        smtp_port=0)

    async def run() -> None:
        service = IntakeService(settings, load_collection())
        await service.start()
        try:
            for sender, content, (name, subtype) in RETURNS:
                data = (write_pdf_letter if subtype == "pdf" else write_docx_letter)(
                    content.letter_text)
                await send_message(service.port, mail(sender, content, (name, data, subtype)),
                                   mail_from=sender)
            await asyncio.wait_for(_recorded(settings, 3), 30)
        finally:
            await service.stop()
    asyncio.run(run())
    return Context(open_db(settings.returns_db), settings, load_collection())


async def _recorded(settings, count: int) -> None:
    while True:
        db = open_db(settings.returns_db)
        found = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        db.close()
        if found >= count:
            return
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(("question", "la", "file", "words"), [
    ("search full pay", "Leeds", "Leeds letter.docx", "*full* *pay* while isolating"),
    ("search whole home testing", "Kent", "Kent letter.pdf", "*Whole* *home* *testing* has begun"),
    ("search agency workers", "Camden", "template.xlsx", "*Agency* *workers* still move"),
])
def test_search_finds_a_phrase_with_its_la_file_and_snippet(filled, question, la, file, words):
    reply = answer(question, NATIONAL, filled)
    assert reply.title.endswith("1 passage from 1 LA")
    [found] = reply.sections
    assert found.heading.startswith(f"{la} · {file}")
    assert words in found.lines[0] and "[CHR-00000" in found.lines[0]


def test_the_issues_column_is_found_at_its_cell(filled):
    [hit] = search(filled.db, match_query("agency"))
    assert (hit.la_name, hit.part, hit.file) == ("Camden", "issues", "template.xlsx")
    assert hit.cell and "issues raised" in hit.where


@pytest.mark.parametrize("question", [
    "what did Kent say about testing?", "did Kent mention testing", "search testing in Kent",
])
def test_what_a_place_said_is_searched_in_that_place(filled, question):
    assert parse(question).intent == "search"
    text = to_text(answer(question, NATIONAL, filled))
    assert text.startswith("“testing” in Kent: 1 passage from 1 LA")
    assert "Leeds" not in text


def test_words_nobody_wrote_and_fts_syntax_get_plain_answers(filled):
    assert answer("search hovercraft", NATIONAL, filled).title == (
        "Nobody in England wrote “hovercraft” in a letter or the template's free text.")
    # FTS5 syntax is taken as plain words, never as a query (nor an error).
    assert answer('search "full pay*" NEAR(', NATIONAL, filled).title.startswith("Nobody")
    assert answer('search "full pay*"', NATIONAL, filled).title.endswith("1 passage from 1 LA")


def test_themes_are_counted_from_the_collections_vocabulary(filled):
    counts = {theme.name: las for theme, las in count_themes(
        filled.db, filled.collection.themes)}
    assert counts["Staff full pay while isolating"] == {LEEDS}
    assert counts["Whole-home testing"] == {KENT}
    assert counts["Agency staff"] == {CAMDEN}


def test_the_index_reads_counting_versions_and_is_rebuilt_for_stored_data(db, settings,
                                                                          collection):
    add_return(db, LEEDS, status="invalid", regional_issues="Hospital discharge worries us")
    add_return(db, LEEDS, regional_issues="Hospital discharge is now safe",
               received_at="2020-05-28T10:00:00+01:00")
    [hit] = search(db, match_query("discharge"))
    assert "now safe" in hit.snippet
    db.execute("DELETE FROM search_text")
    create_index(db)
    assert len(search(db, match_query("discharge"))) == 1


def test_many_passages_show_one_per_la_and_the_rest_as_csv(db, settings, collection):
    codes = [row["code"] for row in db.query("SELECT code FROM authorities LIMIT 20")]
    for code in codes:
        add_return(db, code, issues={"1.2": "agency staff", "2.1": "agency testing"})
    reply = answer("search agency", NATIONAL, Context(db, settings, collection))
    assert reply.title.endswith("40 passages from 20 LAs")
    assert len(reply.sections) == 9 and "and 32 more passages" in reply.sections[-1].lines[0]
    assert len(list(csv.DictReader(io.StringIO(reply.attachment.text)))) == 40
