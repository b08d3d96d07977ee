"""Builders of hostile attachments and automatic mail, for the load, fault and hostile tests,
and the helpers those tests share to run the whole intake and watch what it did.

Every builder returns bytes made the way an attacker or a misbehaving mail system would make
them: real zip containers, real XML, a real PDF with a compressed stream, real MIME.

    mail = return_mail(attachments=[("return.xlsx", xml_bomb_xlsx())])
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import sqlite3
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from email.message import EmailMessage
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import Any

from intake.samples.files import write_xlsx
from intake.samples.grids import ActionAnswer, ReturnContent
from intake.samples.returns import SampleReturn
from intake.service import IntakeService
from store.collection import Collection, load_collection
from store.register import LocalAuthority, load_register
from store.settings import Settings

REPO = Path(__file__).resolve().parents[1]

INBOX = "careandreform2@communities.gov.uk"
LEEDS_SENDER = "asha.patel@leeds.gov.uk"
LETTER_TEXT = (
    "Dear colleagues, our plan for care homes in Leeds. The local care market is resilient and "
    "we are confident the actions are in place: infection control, testing of staff, PPE, "
    "workforce support and clinical support for residents."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_message_numbers = count(1)


# --- a genuine return, the base that hostile variants are cut from -----------------------------


def leeds_content(collection: Collection | None = None, homes: int = 40) -> ReturnContent:
    """A complete, valid Leeds return (52 homes, every action answered)."""
    collection = collection or load_collection()
    actions = tuple(ActionAnswer(code=a.code, homes_raw=homes, support_raw="No")
                    for a in collection.actions)
    return ReturnContent(la_name="Leeds City Council", total_raw=52, contact_name="Asha Patel",
                         contact_email=LEEDS_SENDER, contact_phone="0113 222 4444",
                         actions=actions, letter_text=LETTER_TEXT)


def template_xlsx(collection: Collection | None = None) -> bytes:
    """The filled template as openpyxl writes it."""
    return write_xlsx(leeds_content(collection), collection=collection or load_collection())


def rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip container with entries replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _first_sheet(data: bytes) -> tuple[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    name = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))[0]
    return name, archive.read(name)


# --- hostile spreadsheets and archives ----------------------------------------------------------


def zip_bomb_xlsx(padding_mb: int = 50) -> bytes:
    """An .xlsx whose sheet XML is padded to `padding_mb` MB of blanks (ratio far above 100:1)."""
    base = template_xlsx()
    name, sheet = _first_sheet(base)
    padded = sheet.replace(b"</worksheet>", b" " * (padding_mb << 20) + b"</worksheet>")
    return rezip(base, {name: padded})


def zip_bomb_zip(megabytes: int = 200) -> bytes:
    """A .zip holding one 'template.xlsx' of `megabytes` MB of zeros (a few hundred KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("template.xlsx", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def xml_bomb_xlsx() -> bytes:
    """An .xlsx whose sheet declares the billion laughs entities."""
    base = template_xlsx()
    name, sheet = _first_sheet(base)
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    head = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">{entities}]>'
    body = sheet.split(b"?>", 1)[-1].replace(b"<sheetData>", b"<sheetData><!-- &l9; -->", 1)
    body = body.replace(b"</sheetData>", b'<row r="999"><c r="A999" t="inlineStr"><is><t>&l9;'
                                         b"</t></is></c></row></sheetData>", 1)
    return rezip(base, {name: head.encode() + body})


def huge_dimension_xlsx() -> bytes:
    """An .xlsx whose sheet declares every cell Excel allows (A1:XFD1048576)."""
    base = template_xlsx()
    name, sheet = _first_sheet(base)
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    return rezip(base, {name: sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]})


def encrypted_xlsx() -> bytes:
    """An OLE (CFB) container as Excel writes for a password-protected .xlsx."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += bytes(512 - len(header))

    def entry(name: str, kind: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little")
                + bytes([kind, 1]) + bytes(128 - 68))

    directory = entry("Root Entry", 5) + entry("EncryptionInfo", 2) + entry("EncryptedPackage", 2)
    return header + directory.ljust(512, b"\0") + os.urandom(4096)


def corrupt_xlsx() -> bytes:
    """A genuine template cut off half way, as a broken upload leaves it."""
    data = template_xlsx()
    return data[: len(data) // 2]


def xlsm_with_macro(collection: Collection | None = None) -> bytes:
    """The genuine template saved macro-enabled, with a vbaProject.bin that must never run."""
    base = template_xlsx(collection)
    types = zipfile.ZipFile(io.BytesIO(base)).read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    types = types.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                       b'vnd.ms-office.vbaProject"/></Types>')
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Auto_Open\"\r\n" * 64
    return rezip(base, {"[Content_Types].xml": types}, {"xl/vbaProject.bin": vba})


def pdf_compression_bomb(megabytes: int = 200) -> bytes:
    """A one-page PDF whose content stream inflates to `megabytes` MB."""
    packer = zlib.compressobj(9)
    stream = packer.compress(b"BT /F1 12 Tf 72 720 Td (Care home covering letter) Tj ET\n")
    chunk = b" " * (1 << 20)
    stream += b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                                 xref)
    return bytes(out)


def big_csv(megabytes: int) -> bytes:
    """A CSV of about `megabytes` MB: a template-like head, then row after row of numbers."""
    head = b"Local Authority,Leeds City Council\r\n1.1) Support for cohorting,40,No\r\n"
    row = b",".join(b"%d" % n for n in range(40)) + b"\r\n"
    return head + row * ((megabytes << 20) // len(row))


# --- mail ---------------------------------------------------------------------------------------


def return_mail(
    *,
    sender: str = LEEDS_SENDER,
    subject: str = "Leeds care home support return",
    attachments: Iterable[tuple[str, bytes]] | None = None,
    body: str = "Please find attached our return.\n\nAsha",
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    """A message as a council officer sends it; by default the genuine Leeds template.

    `headers` are added as given (Auto-Submitted, List-Id, forged Authentication-Results ...).
    """
    mail = EmailMessage()
    mail["From"] = f"Asha Patel <{sender}>"
    mail["To"] = INBOX
    mail["Subject"] = subject
    domain = sender.rpartition("@")[2] or "example.invalid"
    mail["Message-ID"] = message_id or f"<hostile-{next(_message_numbers)}-{os.getpid()}@{domain}>"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    files = [("Leeds template.xlsx", template_xlsx())] if attachments is None else attachments
    for filename, data in files:
        mail.add_attachment(data, maintype="application", subtype="octet-stream",
                            filename=filename)
    return mail.as_bytes()


def address_of(raw: bytes) -> str:
    """The address in a built message's From header (its envelope sender in these tests)."""
    return re.search(rb"^From: .*<([^>]+)>", raw, re.M).group(1).decode()


def out_of_office(*, auto_submitted: bool, sender: str = LEEDS_SENDER) -> bytes:
    """An out-of-office reply as Exchange or a vacation program sends it."""
    headers = {"Auto-Submitted": "auto-replied"} if auto_submitted else {}
    return return_mail(
        sender=sender, subject="Automatic reply: Care home support return", attachments=[],
        headers=headers,
        body="I am out of the office until Monday 1 June with limited access to email. For "
             "urgent matters about care homes, staff testing or PPE please contact the "
             "commissioning team, who are supporting residents and providers.\n\nAsha",
    )


def list_mail(*, sender: str = "bulletin@leeds.gov.uk") -> bytes:
    """A newsletter from a mailing list, carrying a spreadsheet that looks like a return."""
    return return_mail(
        sender=sender, subject="Weekly care market bulletin",
        headers={"List-Id": "Care market bulletin <bulletin.lists.leeds.gov.uk>",
                 "List-Unsubscribe": "<mailto:leave@lists.leeds.gov.uk>"},
    )


def bulk_mail(*, sender: str = "news@leeds.gov.uk") -> bytes:
    """Mail marked `Precedence: bulk`, with no return in it."""
    return return_mail(sender=sender, subject="Provider forum update", attachments=[],
                       headers={"Precedence": "bulk"},
                       body="This week's provider forum covers testing, PPE and staffing.")


def peer_auto_reply(number: int, *, sender: str = "helpdesk@leeds.gov.uk") -> bytes:
    """A helpdesk that answers everything, with none of the automatic-mail markers."""
    return return_mail(
        sender=sender, subject=f"RE: Your message has been logged (call {number})",
        attachments=[],
        body=f"Thank you for contacting the service desk. Your call {number} has been logged "
             f"and an analyst will be in touch.",
    )


# --- running and watching the intake --------------------------------------------------------


def refs_in(text: str) -> list[str]:
    """The message references (CHR-nnnnnn) in an SMTP reply or a file name."""
    return re.findall(r"CHR-\d{6}", text)


def ack_files(outbox_dir: Path) -> Counter[str]:
    """Acknowledgement files written, counted per message reference."""
    return Counter(ref for path in outbox_dir.glob("*.eml") for ref in refs_in(path.name)[:1])


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows from the store through a connection of our own (empty before the store exists)."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def dispositions(db_path: Path) -> dict[str, tuple[str | None, str | None]]:
    """Each stored message's (disposition, reason), by reference."""
    rows = query(db_path, "SELECT ref, disposition, reason FROM messages ORDER BY id")
    return {ref: (disposition, reason) for ref, disposition, reason in rows}


def settled(db_path: Path) -> bool:
    """Every stored message has its disposition and no outgoing mail is pending."""
    rows = query(db_path, """SELECT (SELECT COUNT(*) FROM messages WHERE disposition IS NULL),
                                    (SELECT COUNT(*) FROM outbox WHERE status = 'pending')""")
    return bool(rows) and rows[0] == (0, 0)


async def until(condition: Callable[[], bool], timeout: float = 60.0, poll: float = 0.05) -> None:
    """Poll `condition` until it holds; fails the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(poll)


@asynccontextmanager
async def intake_service(settings: Settings, collection: Collection,
                         **overrides: Any) -> AsyncIterator[IntakeService]:
    """The whole intake in this loop, on an ephemeral port, stopped afterwards."""
    service = IntakeService(settings.model_copy(update={"smtp_port": 0, **overrides}), collection)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_intake_process(tmp_path: Path, port: int, **env: str) -> subprocess.Popen:
    """`python -m intake` as a real process on `port`, its store and outbox under tmp_path."""
    environment = {**os.environ, "RETURNS_DB": str(tmp_path / "returns.db"),
                   "RETURNS_DATA_DIR": str(tmp_path / "data"), "SMTP_PORT": str(port),
                   "RETURNS_NOW": "2020-05-28T12:00:00", "PYTHONPATH": str(REPO), **env}
    with (tmp_path / "intake.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "intake"], cwd=tmp_path, env=environment,
                                stdout=subprocess.DEVNULL, stderr=log)


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return kilobytes / 1024


# --- volume ---------------------------------------------------------------------------------


def renumbered(samples: Sequence[SampleReturn], count: int) -> list[SampleReturn]:
    """`count` distinct messages cut from `samples` in turn: each copy gets its own Message-ID.

    Generating realistic returns costs ~0.1 s each; a burst of hundreds reuses a few dozen.
    """
    out = []
    for n in range(count):
        sample = samples[n % len(samples)]
        head, sep, rest = sample.raw.partition(b"Message-ID: <")
        assert sep, "every sample has a Message-ID"
        out.append(replace(sample, raw=head + sep + b"copy%d." % n + rest))
    return out


def flood_mail(number: int, senders: int) -> tuple[str, bytes]:
    """Message `number` of a flood from `senders` addresses across many councils' domains."""
    las = _register()
    la = las[number % senders % len(las)]
    sender = f"officer{number % senders}@{la.domains[0]}"
    attachments = [("template.xlsx", _FLOOD_TEMPLATE)] if number % 3 else []
    return sender, return_mail(sender=sender, subject=f"Care home return {la.name}",
                               attachments=attachments, message_id=f"<flood-{number}@{la.domains[0]}>")


_FLOOD_TEMPLATE = template_xlsx()


@lru_cache(maxsize=1)
def _register() -> list[LocalAuthority]:
    return list(load_register())


def assert_nothing_lost_and_answered_once(db_path: Path, outbox_dir: Path,
                                          accepted_refs: set[str]) -> None:
    """Every 250 stored and disposed of; one acknowledgement per message the rules answer."""
    outcome = dispositions(db_path)
    assert accepted_refs <= set(outcome), "a message answered 250 was lost"
    assert all(disposition for disposition, _ in outcome.values()), "a message has no disposition"
    answered = {ref for ref, decision in query(db_path, "SELECT ref, reply_decision FROM messages")
                if decision and decision.startswith("acknowledged")}
    acks = ack_files(outbox_dir)
    assert set(acks) == answered, "every message the reply rules answer is answered"
    assert set(acks.values()) <= {1}, "and only once"
