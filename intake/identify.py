"""Which council a return is from.

Sources, strongest first: the template's Local authority field, the covering letter, the
sender's domain, the subject, the file names. The first source that names one council decides;
a later one that names a different council makes the return a case for a person. A letter is
heard only when the template is silent or agrees, because letters name neighbours and NHS
bodies as a matter of course.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from intake.models import ReadMessage
from intake.reading.text_cache import text_cache
from intake.trust import domain_of
from store.names import (
    AuthorityMatch,
    authority_candidates,
    find_authorities_in_text,
    match_authority,
)
from store.register import LocalAuthority, authorities_by_code, load_register

# A mention in running text counts only this strong (a council-like mention, not an NHS body's).
_CONFIDENT_MENTION = 75.0
_ASK_FOR_NAME = "please write the council's name in the template's Local authority field"
_ASK_TO_RESOLVE = (
    "please check the template's Local authority field and send the return from the "
    "council's own email address, or reply to say which council it is for"
)


@dataclass(frozen=True)
class Evidence:
    source: str             # 'template' | 'letter' | 'sender domain' | 'subject' | 'file name'
    la_code: str | None
    text: str               # what was read, as written


@dataclass(frozen=True)
class Identification:
    la_code: str | None
    reason: str             # plain words, fit to send to the council
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class _Finding:
    source: str
    codes: frozenset[str]   # one code: names that council; several: fits any of them
    text: str
    says: str               # e.g. "the template names Leeds"


def _name(code: str) -> str:
    return _names_by_code()[code]


# Subjects and file names repeat (a council sends the same files each week): each distinct one
# is searched once; a letter is longer than the cache keeps.
@text_cache(maxsize=1024)
def _strongest(text: str) -> AuthorityMatch | None:
    """The one council a text is clearly about, or None when it names none or several alike."""
    found = [m for m in find_authorities_in_text(text) if m.score >= _CONFIDENT_MENTION]
    if not found or (len(found) > 1 and found[1].score >= found[0].score):
        return None
    return found[0]


def _template_findings(read: ReadMessage, notes: list[str]) -> list[_Finding]:
    findings = []
    named = [t for t in read.templates if (t.la_name or "").strip()]
    for template in named:
        written = (template.la_name or "").strip()
        where = "the template" if len(named) == 1 else f"the template in {template.filename}"
        match = match_authority(written)
        if match:
            says = f"{where} names {match.authority.name}"
            findings.append(_Finding("template", frozenset({match.authority.code}), written, says))
            continue
        options = [m.authority.name for m in authority_candidates(written) if m.score >= 80]
        could_be = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else ""
        notes.append(
            f"{where}'s Local authority field says '{written}', which could be {could_be}"
            if could_be
            else f"{where}'s Local authority field says '{written}', which is not a council we know"
        )
    return findings


def _letter_findings(read: ReadMessage) -> list[_Finding]:
    strongest = [(m, letter.filename) for letter in read.letters if (m := _strongest(letter.text))]
    strongest.sort(key=lambda pair: -pair[0].score)
    if not strongest:
        return []
    best, filename = strongest[0]
    rivals = [m for m, _ in strongest[1:] if m.authority.code != best.authority.code]
    if rivals and rivals[0].score >= best.score:
        return []
    where = "the email" if filename.startswith("(") else f"the letter {filename}"
    says = f"{where} names {best.authority.name}"
    return [_Finding("letter", frozenset({best.authority.code}), best.matched, says)]


@cache
def _names_by_code() -> dict[str, str]:
    return {code: la.name for code, la in authorities_by_code().items()}


@cache
def _owners_by_domain() -> dict[str, frozenset[str]]:
    owners: dict[str, set[str]] = {}
    for la in load_register():
        for domain in la.domains:
            owners.setdefault(domain, set()).add(la.code)
    return {domain: frozenset(codes) for domain, codes in owners.items()}


# Senders' domains repeat (a council sends every week); bounded, as the domain is the sender's.
@lru_cache(maxsize=1024)
def authorities_owning(domain: str) -> tuple[LocalAuthority, ...]:
    """The LAs whose domains include `domain` (or a parent of it), in the register's order."""
    labels = domain.lower().rstrip(".").split(".")
    owners = _owners_by_domain()
    codes = set().union(*(owners.get(".".join(labels[i:]), ()) for i in range(len(labels))))
    return tuple(la for la in load_register() if la.code in codes) if codes else ()


def _domain_findings(read: ReadMessage, mail_from: str) -> list[_Finding]:
    findings = []
    domains = dict.fromkeys(domain_of(a) for a in (mail_from, read.headers.from_address))
    for domain in filter(None, domains):
        owners = authorities_owning(domain)
        if len(owners) == 1:
            says = f"the email came from {domain} ({owners[0].name})"
        elif owners:
            shared = " and ".join(la.name for la in owners)
            says = f"the email came from {domain}, which {shared} share"
        else:
            continue
        findings.append(_Finding("sender domain", frozenset(la.code for la in owners), domain, says))
    return findings


def _subject_findings(read: ReadMessage) -> list[_Finding]:
    subject = read.headers.subject
    match = _strongest(subject) if subject else None
    if not match:
        return []
    says = f"the subject names {match.authority.name}"
    return [_Finding("subject", frozenset({match.authority.code}), subject, says)]


def _file_names(read: ReadMessage) -> list[str]:
    names = [f.filename for f in read.files]
    names += [t.filename for t in read.templates] + [letter.filename for letter in read.letters]
    return [n for n in dict.fromkeys(names) if n and not n.startswith("(")]


def _file_findings(read: ReadMessage) -> list[_Finding]:
    found: dict[str, str] = {}
    for filename in _file_names(read):
        # "LeedsCityCouncil_return.xlsx": read joined-up capitals as separate words too.
        spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", filename)
        match = _strongest(filename)
        if match is None and spaced != filename:
            match = _strongest(spaced)
        if match:
            found.setdefault(match.authority.code, filename)
    if len(found) != 1:
        return []
    ((code, filename),) = found.items()
    says = f"the file name {filename} names {_name(code)}"
    return [_Finding("file name", frozenset({code}), filename, says)]


def _evidence(findings: list[_Finding]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(f.source, code, f.text) for f in findings for code in sorted(f.codes)
    )


def identify_authority(read: ReadMessage, mail_from: str, *,
                       every_source: bool = True) -> Identification:
    """The council a message's return is from, or None with the reason in plain words.

    With `every_source` False the letter is searched only when it could change the answer
    (no template names one council): the council found and the reason it is not found are
    the same, but a council found is not credited to an agreeing letter. Searching a letter
    is most of the work, and the pipeline keeps only the council when one is found.
    """
    notes: list[str] = []
    template = _template_findings(read, notes)
    settled = any(len(f.codes) == 1 for f in template)
    findings = [
        *template,
        *(_letter_findings(read) if every_source or not settled else ()),
        *_domain_findings(read, mail_from),
        *_subject_findings(read),
        *_file_findings(read),
    ]
    evidence = _evidence(findings)
    confident = [f for f in findings if len(f.codes) == 1]
    if not confident:
        said = notes + [f.says for f in findings]
        detail = f" ({'; '.join(said)})" if said else ""
        reason = f"we could not tell which council this return is from: {_ASK_FOR_NAME}{detail}"
        return Identification(None, reason, evidence)
    chosen = confident[0]
    has_template = chosen.source == "template"
    heard = [
        f for f in findings
        if not (f.source == "letter" and has_template and f.codes != chosen.codes)
    ]
    against = [f for f in heard if not chosen.codes <= f.codes]
    if against:
        clash = " and ".join(f.says for f in against)
        return Identification(None, f"{chosen.says} but {clash}: {_ASK_TO_RESOLVE}", evidence)
    (code,) = chosen.codes
    agreeing = "; ".join(f.says for f in heard)
    return Identification(code, f"identified as {_name(code)}: {agreeing}", evidence)
