"""Look at a receipt as a council officer would: the HTML part rendered by headless Chromium.

    .venv/bin/python -m bench.receipt_png [--out DIR] [--width 800]

Reads a realistic return with the real reader (a synthetic Leeds return with a count above the
total, a Yes/No left unchosen, a Yes with no description and a figure written as a
percentage), validates it, composes the real acknowledgement, and writes `receipt.html`,
`receipt.txt` and `receipt.png` (a full-page screenshot) to DIR (default `data/receipt`).
Needs Debian's `chromium` (apt-get install chromium); kept out of `make test`.
"""

from __future__ import annotations

import argparse
import email
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from bench.mail import DOCX, XLSX, return_content
from intake.reading.choosing import choose_template
from intake.reading.message import read_message_sync
from intake.receipt import Receipt
from intake.replies import compose_ack
from intake.samples.files import write_docx_letter, write_xlsx
from intake.samples.grids import ActionAnswer
from intake.validation import LaFacts, covering_letter, validate_return
from store.collection import Collection, load_collection
from store.register import authorities_by_code

LEEDS = "E08000035"


def sample_return(collection: Collection) -> bytes:
    """A Leeds return with two errors and two queries, as a council would email it."""
    leeds = authorities_by_code()[LEEDS]
    content = return_content(leeds, collection, random.Random(7), contact="asha.patel")
    actions = list(content.actions)
    actions[0] = ActionAnswer("1.1", content.total_raw + 8, "No")            # above the total
    actions[5] = ActionAnswer("3.1", "45 homes", "<Please select>")          # Yes/No not chosen
    actions[7] = ActionAnswer("4.1", "90%", "Yes")                           # no description
    actions[9] = ActionAnswer("4.3", 12, "Yes", "More swab kits & trainers for <care> staff")
    content = replace(content, actions=tuple(actions))
    mail = EmailMessage()
    mail["From"] = f"Asha Patel <{content.contact_email}>"
    mail["To"] = collection.inbox
    mail["Subject"] = "Care home support local planning return - Leeds City Council"
    mail["Message-ID"] = "<DB9PR07MB7A1B2C3D4E5F6A1B2C3D4@DB9PR07MB7771.eurprd07.prod.outlook.com>"
    mail.set_content("Please find attached our return.\n\nAsha")
    mail.add_attachment(write_xlsx(content), maintype="application", subtype=XLSX.split("/")[1],
                        filename="Leeds care home support template.xlsx")
    mail.add_attachment(write_docx_letter(content.letter_text), maintype="application",
                        subtype=DOCX.split("/")[1], filename="Leeds covering letter.docx")
    return mail.as_bytes()


def sample_receipt(collection: Collection) -> bytes:
    """The acknowledgement of `sample_return`, composed as the intake composes it."""
    reading = read_message_sync(sample_return(collection), collection)
    submission = validate_return(choose_template(reading.templates),
                                 covering_letter(reading.letters),
                                 LaFacts(LEEDS, register_total=authorities_by_code()[LEEDS]
                                         .care_homes), collection)
    receipt = Receipt(ref="CHR-000042", disposition="accepted", reason="",
                      received=datetime.fromisoformat("2020-05-27T14:03:00+01:00"),
                      files=reading.files, la_name="Leeds", version=2, submission=submission)
    return compose_ack(receipt, to="asha.patel@leeds.gov.uk", mail_from=collection.inbox,
                       original_message_id=reading.headers.message_id, collection=collection)


def screenshot(html: Path, png: Path, width: int) -> None:
    """A full-page PNG of `html` from headless Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},2600", f"--screenshot={png}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/receipt"))
    parser.add_argument("--width", type=int, default=800, help="window width in pixels")
    args = parser.parse_args(argv)
    mail = email.message_from_bytes(sample_receipt(load_collection()), policy=policy.default)
    args.out.mkdir(parents=True, exist_ok=True)
    html = args.out.resolve() / "receipt.html"
    html.write_text(mail.get_body(("html",)).get_content(), encoding="utf-8")
    (args.out / "receipt.txt").write_text(mail.get_body(("plain",)).get_content(),
                                          encoding="utf-8")
    screenshot(html, args.out / "receipt.png", args.width)
    print(f"Subject: {mail['Subject']}\nwrote {args.out}/receipt.html, receipt.txt, receipt.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
