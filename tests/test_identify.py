"""Which council a return is from: template, letter, sender domain, subject, file names."""

from __future__ import annotations

import pytest

from intake.identify import identify_authority
from intake.models import FileNote, Headers, Letter, ReadMessage, TemplateReading

LEEDS, BRADFORD = "E08000035", "E08000032"
RICHMOND, WANDSWORTH = "E09000027", "E09000032"

LEEDS_LETTER = """Leeds City Council
Adults and Health

Dear Minister,

We work closely with Leeds Teaching Hospitals NHS Trust and our neighbours in Bradford
and Wakefield, and Kirklees Council shares our approach to testing.

Yours sincerely,
Director of Adult Social Services, on behalf of Leeds City Council
"""


def message(
    la_name: str | None = None,
    *,
    letter: str = "",
    subject: str = "Care home support return",
    from_address: str = "",
    files: tuple[str, ...] = (),
) -> ReadMessage:
    templates = ()
    if la_name is not None:
        templates = (TemplateReading("template.xlsx", "Template", (), la_name=la_name),)
    letters = (Letter("letter.docx", letter),) if letter else ()
    notes = tuple(FileNote(name, "application/octet-stream", 10, "0" * 64, "template", "") for name in files)
    headers = Headers(subject=subject, from_address=from_address)
    return ReadMessage(headers=headers, templates=templates, letters=letters, files=notes)


@pytest.mark.parametrize(
    ("read", "mail_from", "code", "sources"),
    [
        (message("Leeds City Council"), "jo@leeds.gov.uk", LEEDS, ["template", "sender domain"]),
        (message("Leeds"), "jo@adults.leeds.gov.uk", LEEDS, ["template", "sender domain"]),
        (message("Leed"), "jo@gmail.com", LEEDS, ["template"]),
        (message(letter=LEEDS_LETTER), "jo@gmail.com", LEEDS, ["letter"]),
        (message("Leeds", letter=LEEDS_LETTER), "jo@leeds.gov.uk", LEEDS,
         ["template", "letter", "sender domain"]),
        (message(), "jo@leeds.gov.uk", LEEDS, ["sender domain"]),
        (message(from_address="jo@leeds.gov.uk"), "bounces@relay.example.net", LEEDS,
         ["sender domain"]),
        (message(subject="Care home return - Leeds City Council"), "jo@gmail.com", LEEDS,
         ["subject"]),
        (message(files=("Leeds_CH_support_template_v2.xlsx",)), "", LEEDS, ["file name"]),
        (message(files=("LeedsCityCouncil_return.xlsx",)), "", LEEDS, ["file name"]),
        (message("Richmond"), "a@richmondandwandsworth.gov.uk", RICHMOND,
         ["template", "sender domain", "sender domain"]),
        (message("Wandsworth Council"), "a@richmondandwandsworth.gov.uk", WANDSWORTH,
         ["template", "sender domain", "sender domain"]),
        (message("Kingston upon Hull, City of"), "x@hullcc.gov.uk", "E06000010",
         ["template", "sender domain"]),
    ],
)
def test_the_council_is_found(read: ReadMessage, mail_from: str, code: str, sources: list[str]) -> None:
    found = identify_authority(read, mail_from)
    assert found.la_code == code, found.reason
    assert found.reason.startswith("identified as ")
    assert [e.source for e in found.evidence] == sources


def test_a_template_and_a_sender_from_different_councils_conflict() -> None:
    found = identify_authority(message("Leeds"), "jo@bradford.gov.uk")
    assert found.la_code is None
    assert found.reason.startswith(
        "the template names Leeds but the email came from bradford.gov.uk (Bradford)"
    )
    assert {(e.source, e.la_code) for e in found.evidence} == {
        ("template", LEEDS), ("sender domain", BRADFORD),
    }


def test_a_letter_that_names_neighbours_causes_no_conflict() -> None:
    found = identify_authority(message("Leeds", letter=LEEDS_LETTER), "jo@gmail.com")
    assert found.la_code == LEEDS


def test_a_letter_naming_another_council_does_not_override_the_template() -> None:
    found = identify_authority(
        message("Leeds", letter="Bradford Council\n\nOur return."), "jo@leeds.gov.uk"
    )
    assert found.la_code == LEEDS
    assert "Bradford" not in found.reason


def test_without_a_template_a_letter_and_sender_that_disagree_conflict() -> None:
    found = identify_authority(message(letter=LEEDS_LETTER), "jo@bradford.gov.uk")
    assert found.la_code is None
    assert "Leeds" in found.reason and "bradford.gov.uk (Bradford)" in found.reason


def test_a_shared_domain_alone_names_neither_council() -> None:
    found = identify_authority(message(), "a@richmondandwandsworth.gov.uk")
    assert found.la_code is None
    assert "Richmond upon Thames and Wandsworth share" in found.reason
    assert {e.la_code for e in found.evidence} == {RICHMOND, WANDSWORTH}


def test_a_shared_domain_conflicts_with_a_third_council() -> None:
    found = identify_authority(message("Leeds"), "a@richmondandwandsworth.gov.uk")
    assert found.la_code is None


def test_a_subject_naming_two_councils_decides_nothing() -> None:
    found = identify_authority(message(subject="Return: Leeds and Bradford"), "jo@gmail.com")
    assert found.la_code is None


def test_nothing_to_go_on_tells_the_sender_what_to_do() -> None:
    found = identify_authority(message(), "jo@gmail.com")
    assert found.la_code is None
    assert found.reason == (
        "we could not tell which council this return is from: please write the council's "
        "name in the template's Local authority field"
    )
    assert found.evidence == ()


def test_an_ambiguous_template_name_is_explained() -> None:
    found = identify_authority(message("Beds"), "jo@gmail.com")
    assert found.la_code is None
    assert "'Beds'" in found.reason
    for name in ("Bedford", "Central Bedfordshire", "Luton"):
        assert name in found.reason


def test_an_ambiguous_template_name_falls_back_to_the_sender_domain() -> None:
    found = identify_authority(message("Beds"), "jo@centralbedfordshire.gov.uk")
    assert found.la_code == "E06000056"


def test_two_templates_for_different_councils_conflict() -> None:
    read = ReadMessage(
        headers=Headers(),
        templates=(
            TemplateReading("leeds.xlsx", "Template", (), la_name="Leeds"),
            TemplateReading("bradford.xlsx", "Template", (), la_name="Bradford"),
        ),
    )
    found = identify_authority(read, "")
    assert found.la_code is None
    assert "Leeds" in found.reason and "Bradford" in found.reason


@pytest.mark.parametrize("la_name", [None, "Leeds", "Bradford", "Beds", "Nowhere Town"])
@pytest.mark.parametrize("letter", ["", LEEDS_LETTER, "Bradford Council\n\nOur return."])
@pytest.mark.parametrize("mail_from", ["jo@leeds.gov.uk", "jo@bradford.gov.uk", "jo@gmail.com"])
@pytest.mark.parametrize("subject", ["Care home support return", "Return - Bradford Council"])
def test_the_pipeline_s_identification_without_every_source_ends_the_same(
        la_name: str | None, letter: str, mail_from: str, subject: str) -> None:
    read = message(la_name, letter=letter, subject=subject)
    full = identify_authority(read, mail_from)
    quick = identify_authority(read, mail_from, every_source=False)
    assert quick.la_code == full.la_code
    if full.la_code is None:
        assert quick.reason == full.reason


def test_without_every_source_a_letter_that_cannot_change_the_answer_is_not_credited() -> None:
    found = identify_authority(message("Leeds", letter=LEEDS_LETTER), "jo@leeds.gov.uk",
                               every_source=False)
    assert found.la_code == LEEDS
    assert [e.source for e in found.evidence] == ["template", "sender domain"]
