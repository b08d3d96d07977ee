"""Validating a read return: errors to fix and queries to check, row by row, in plain words.

Errors only where the figures cannot be used until fixed (DESIGN section 5): a count
unanswered or not a whole number from 0 to the total, no total, Yes/No not chosen, no template,
no letter. Everything else that looks doubtful is a query: the figures stand, and a false
error would cost a council a resubmission and put it on the missing list.

Pure: a TemplateReading and the letter (and what the store knows of the LA) in, a
NewSubmission out.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.models import ActionRow, Letter, TemplateReading
from intake.reading.values import parse_count, parse_support, parse_total
from store.collection import Action, Collection
from store.submissions import Answer, Finding, NewSubmission

NO_TEMPLATE = (
    "No support implementation status template was found: please attach the template "
    "spreadsheet (.xlsx, .xls, .ods or .csv) with the 14 support actions filled in."
)
NO_LETTER = (
    "No covering letter was found: please attach the letter (.docx or .pdf) or write it "
    "in the body of your email."
)


@dataclass(frozen=True)
class LaFacts:
    """What the store already knows of the LA, for the queries."""

    la_code: str
    register_total: int | None = None
    previous_counts: dict[str, int] | None = None   # action code -> homes in the last version


def covering_letter(letters: tuple[Letter, ...]) -> Letter | None:
    """The letter to record: the first that could be read, else the first that could not."""
    return next((letter for letter in letters if letter.readable), letters[0] if letters else None)


def validate_return(
    template: TemplateReading | None,
    letter: Letter | None,
    facts: LaFacts,
    collection: Collection,
) -> NewSubmission:
    """Turn what was read into the LA's next version, with every finding and its status."""
    findings: list[Finding] = []
    answers: tuple[Answer, ...] = ()
    total = None
    if template is None:
        findings.append(Finding("error", NO_TEMPLATE))
    else:
        total = parse_total(template.total_raw or "")
        findings += _total_findings(template, total, facts, collection)
        answers, row_findings = _read_rows(template, total, collection)
        findings += row_findings
        findings += _queries(answers, total, facts, collection)
    findings += _letter_findings(letter)
    return NewSubmission(
        la_code=facts.la_code,
        status=_status(findings),
        answers=answers,
        findings=tuple(findings),
        total_care_homes=total,
        raw_total=template.total_raw if template else None,
        la_name_written=template.la_name if template else None,
        contact_name=template.contact_name if template else None,
        contact_email=template.contact_email if template else None,
        contact_phone=template.contact_phone if template else None,
        template_file=template.filename if template else None,
        template_sheet=template.sheet if template else None,
        letter_file=letter.filename if letter else None,
        letter_text=letter.text if letter and letter.readable else None,
        support_benefit=template.support_benefit if template else "",
        regional_issues=template.regional_issues if template else "",
        total_label=template.total_label if template else None,
        total_cell=template.total_cell if template else None,
        chosen_because=template.chosen_because if template else "",
    )


def _letter_findings(letter: Letter | None) -> list[Finding]:
    if letter is None:
        return [Finding("error", NO_LETTER)]
    if not letter.readable:
        return [Finding("query", f"We could not read your covering letter {letter.filename} "
                                 f"({letter.unreadable}). Your return stands; please reply with "
                                 "the letter as a Word document or a PDF with text, or paste it "
                                 "into the email.")]
    return []


def _status(findings: list[Finding]) -> str:
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return "valid"
    if all(f.text == NO_LETTER for f in errors):
        return "incomplete"
    return "invalid"


def _total_findings(template: TemplateReading, total: int | None, facts: LaFacts,
                    collection: Collection) -> list[Finding]:
    label = collection.template.total_label
    if total is None:
        written = (template.total_raw or "").strip()
        text = (f'"{label}" should be a whole number, but it says "{written}".' if written
                else f'"{label}" is blank: please enter your number of care homes.')
        return [Finding("error", text, cell=template.total_cell)]
    known = facts.register_total
    ratio = collection.thresholds.total_query_ratio
    if known and abs(total - known) > ratio * known:
        return [Finding("query", f"Your total of {total} care homes is far from the {known} "
                                 "registered with CQC for your area: please check it.",
                        cell=template.total_cell)]
    return []


def _read_rows(template: TemplateReading, total: int | None,
               collection: Collection) -> tuple[tuple[Answer, ...], list[Finding]]:
    rows = {row.code: row for row in template.rows}
    answers, findings = [], []
    for action in collection.actions:
        row = rows.get(action.code)
        if row is None:
            findings.append(Finding("error", f"The row for {_name(action)} was not found in the "
                                             "template: please use the template's rows.",
                                    action=action.code))
            continue
        answer, row_findings = _read_row(action, row, total)
        answers.append(answer)
        findings += row_findings
    return tuple(answers), findings


def _read_row(action: Action, row: ActionRow, total: int | None) -> tuple[Answer, list[Finding]]:
    count = parse_count(row.homes_raw, total)
    support = parse_support(row.support_raw)
    description = (row.description or support.description).strip()
    findings = []
    count_problem = _count_problem(count.kind, count.value, count.note, row.homes_raw, total)
    if count_problem:
        findings.append(Finding("error", f"{_name(action)}: {count_problem}",
                                action=action.code, cell=row.homes_cell))
    support_problem = _support_problem(support.kind, support.needed, description, row.support_raw)
    if support_problem:
        severity, text = support_problem
        findings.append(Finding(severity, f"{_name(action)}: {text}",
                                action=action.code, cell=row.support_cell))
    answer = Answer(
        action=action.code,
        homes_in_place=count.value,
        raw_homes_in_place=row.homes_raw,
        support_needed=support.needed,
        raw_support=row.support_raw,
        support_description=description,
        issues=row.issues.strip(),
        cell=row.homes_cell,
    )
    return answer, findings


def _count_problem(kind: str, value: int | None, note: str, raw: str,
                   total: int | None) -> str | None:
    if kind in ("blank", "unanswered"):
        return "the number of care homes is blank: please enter how many homes have this in place."
    if kind == "not_applicable":
        return (f'"{raw.strip()}" is not a number: please enter how many care homes have this '
                "in place (0 if none).")
    if kind == "invalid" or value is None:
        detail = f" ({note})" if note else ""
        return (f'"{raw.strip()}" is not a whole number of care homes{detail}: please enter a '
                "whole number.")
    if total is not None and value > total:
        return (f"{value} care homes is more than your total of {total}: please check the "
                "number or the total.")
    return None


def _support_problem(kind: str, needed: str | None, description: str,
                     raw: str) -> tuple[str, str] | None:
    """(severity, text): only an unchosen Yes/No stops the return; words instead of Yes or No
    and a Yes with no description are kept as written and queried."""
    if kind == "unanswered":
        return "error", "Yes or No has not been chosen for whether additional support would help."
    if kind == "invalid":
        return "query", (f'you wrote "{raw.strip()}" where we expected Yes or No for whether '
                         "additional support would help: we have kept your words; please "
                         "reply to say Yes or No.")
    if needed == "yes" and not description:
        return "query", ("you answered Yes but did not say what support would help: please "
                         "reply to describe it.")
    return None


def _queries(answers: tuple[Answer, ...], total: int | None, facts: LaFacts,
             collection: Collection) -> list[Finding]:
    counts = {a.action: a.homes_in_place for a in answers if a.homes_in_place is not None}
    findings = []
    if total:
        for action, value in counts.items():
            if value == 0:
                findings.append(Finding(
                    "query", f"{_name(collection.action(action))}: in place in none of your "
                             f"{total} care homes. Is that right?", action=action))
    if len(counts) == len(collection.actions) and len(set(counts.values())) == 1 and (total or 0) > 1:
        value = next(iter(counts.values()))
        findings.append(Finding("query", f"Every action has the same count ({value}): please "
                                         "check that each row was filled in for its own action."))
    findings += _sharp_changes(counts, facts.previous_counts or {}, collection)
    return findings


def _sharp_changes(counts: dict[str, int], previous: dict[str, int],
                   collection: Collection) -> list[Finding]:
    ratio = collection.thresholds.sharp_change_ratio
    findings = []
    for action, value in counts.items():
        before = previous.get(action)
        if before is None:
            continue
        change = abs(value - before)
        if change >= 3 and change > ratio * max(before, 1):
            findings.append(Finding(
                "query", f"{_name(collection.action(action))}: changed from {before} to {value} "
                         "since your last version. Please confirm.", action=action))
    return findings


def _name(action: Action) -> str:
    return f"{action.code} {action.label}"
