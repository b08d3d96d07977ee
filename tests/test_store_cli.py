"""`python -m store`: init, the exports with the contract's columns, import by hand, contacts."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from intake.samples.files import write_xlsx
from intake.samples.grids import ActionAnswer, ReturnContent
from store.collection import load_collection

REPO = Path(__file__).resolve().parents[1]
CONTRACT = {
    "answers": "la_code,la_name,region,version,received_at,status,total_care_homes,action,"
               "homes_in_place,support_needed,support_description,issues,raw_homes_in_place",
    "submissions": "la_code,la_name,region,version,received_at,message_id,status,problems,"
                   "is_latest,counts",
    "authorities": "la_code,la_name,region,nhs_region,status,version,received_at,contacts",
    "messages": "message_id,received_at,mail_from,subject,disposition,la_code,reason",
}


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RETURNS_DB": str(tmp_path / "returns.db"),
           "RETURNS_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO),
           "RETURNS_NOW": "2020-05-28T15:00:00"}
    return subprocess.run([sys.executable, "-m", "store", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def kent_template(tmp_path: Path) -> Path:
    actions = tuple(ActionAnswer(a.code, "all" if a.code == "1.1" else 250, "No")
                    for a in load_collection().actions)
    content = ReturnContent(la_name="Kent County Council", total_raw=280,
                            contact_name="Sam Jones", contact_email="sam.jones@kent.gov.uk",
                            contact_phone="03000 41 41 41", actions=actions)
    path = tmp_path / "Kent return.xlsx"
    path.write_bytes(write_xlsx(content))
    return path


def test_exports_have_exactly_the_contract_columns_even_when_empty(tmp_path):
    assert run(tmp_path, "init").returncode == 0
    for name, header in CONTRACT.items():
        result = run(tmp_path, "export", name)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == header
    authorities = rows(run(tmp_path, "export", "authorities").stdout)
    assert len(authorities) == 151 and {a["status"] for a in authorities} == {"missing"}


def test_import_by_hand_records_a_version_that_the_exports_show(tmp_path):
    imported = run(tmp_path, "import", str(kent_template(tmp_path)))
    assert imported.returncode == 0, imported.stderr
    assert "accepted - recorded for Kent: incomplete" in imported.stdout

    answers = rows(run(tmp_path, "export", "answers").stdout)
    assert len(answers) == 14
    first = next(a for a in answers if a["action"] == "1.1")
    assert (first["la_code"], first["la_name"], first["region"]) == ("E10000016", "Kent",
                                                                     "South East")
    assert (first["homes_in_place"], first["raw_homes_in_place"]) == ("280", "all")
    assert first["status"] == "incomplete" and first["support_needed"] == "no"

    [submission] = rows(run(tmp_path, "export", "submissions").stdout)
    assert (submission["is_latest"], submission["counts"]) == ("true", "true")
    assert "covering letter" in submission["problems"]
    [kent] = [a for a in rows(run(tmp_path, "export", "authorities").stdout)
              if a["la_code"] == "E10000016"]
    assert kent["status"] == "incomplete" and kent["contacts"] == "sam.jones@kent.gov.uk"

    as_json = json.loads(run(tmp_path, "export", "submissions", "--format", "json").stdout)
    assert as_json[0]["is_latest"] is True and as_json[0]["version"] == 1


def test_export_to_a_file_keeps_stdout_clean(tmp_path):
    out = tmp_path / "messages.csv"
    result = run(tmp_path, "export", "messages", "-o", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert out.read_text().splitlines()[0] == CONTRACT["messages"]


def test_contacts_are_loaded_and_bad_rows_refused_in_words(tmp_path):
    sheet = tmp_path / "contacts.csv"
    sheet.write_text("la_code,email,role\n"
                     "E08000035,dass@leeds.gov.uk,director of adult social services\n"
                     "E99999999,someone@nowhere.gov.uk,return contact\n"
                     "E08000035,not an address,return contact\n")
    result = run(tmp_path, "contacts", str(sheet))
    assert result.returncode == 1
    assert "1 contacts added, 2 rows refused" in result.stdout
    assert "unknown LA code 'E99999999'" in result.stderr
    [leeds] = [a for a in rows(run(tmp_path, "export", "authorities").stdout)
               if a["la_code"] == "E08000035"]
    assert leeds["contacts"] == "dass@leeds.gov.uk"


def test_roles_are_read_in_the_ladders_words(db):
    from store.contacts import add_contact, contacts_for

    add_contact(db, "E08000035", "Dass@Leeds.gov.uk", " DASS ", "csv")
    add_contact(db, "E08000035", "ops@leeds.gov.uk", "Return   Contact", "csv")
    assert [(c["email"], c["role"]) for c in contacts_for(db, "E08000035")] == [
        ("dass@leeds.gov.uk", "director of adult social services"),
        ("ops@leeds.gov.uk", "return contact")]
