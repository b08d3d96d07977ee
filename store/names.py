"""Forgiving matching of a council's name, as people write it.

Used by the intake (a template's LA field, a letter, a subject, a file name) and by the bot
("status Leeds"). Names are compared as folded word tuples (`store.name_words`) against every
name a council goes by (`store.name_index`), whole or by their core. Typos are forgiven only
within an edit budget that grows with the name's length and only when one council is
clearly nearest, so real neighbours ("Leicester"/"Leicestershire") never stand in for each other.
Councils named inside longer texts are found by `store.mentions`; regions by `store.regions`.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from store.mentions import find_authorities_in_text
from store.name_index import AuthorityMatch, NameForm, NameIndex, fuzzy_choices, name_index
from store.name_words import core_words, name_key, nearest_choices


def _match(index: NameIndex, form: NameForm, score: float) -> AuthorityMatch:
    (code,) = form.codes
    return AuthorityMatch(index.by_code[code], score, form.shown)


def _fuzzy(query: str) -> AuthorityMatch | None:
    choices, forms = fuzzy_choices()
    nearest = nearest_choices(query, choices)
    if len(frozenset().union(*(forms[i].codes for i in nearest))) != 1:
        return None
    return _match(name_index(), forms[nearest[0]], fuzz.ratio(query, choices[nearest[0]]))


def match_authority(text: str) -> AuthorityMatch | None:
    """The one council `text` names (exactly, by alias, or with a typo), or None.

    Ambiguous names ("Beds") and texts naming two councils give None; see
    `authority_candidates` for what to offer instead.
    """
    index = name_index()
    words = name_key(text)
    if not core_words(words):
        return None
    form = index.lookup(words)
    if form:
        return _match(index, form, 100.0) if len(form.codes) == 1 else None
    found = _fuzzy(" ".join(words)) or _fuzzy(" ".join(core_words(words)))
    if found:
        return found
    mentioned = [m for m in find_authorities_in_text(text) if m.score >= 70]
    if len({m.authority.code for m in mentioned}) == 1:
        return mentioned[0]
    return None


def authority_candidates(text: str, limit: int = 3) -> list[AuthorityMatch]:
    """The councils `text` most likely means, best first (for "did you mean ...")."""
    index = name_index()
    words = name_key(text)
    best: dict[str, AuthorityMatch] = {}

    def offer(code: str, score: float, shown: str) -> None:
        if code not in best or best[code].score < score:
            best[code] = AuthorityMatch(index.by_code[code], score, shown)

    exact = index.lookup(words)
    if exact:
        for code in exact.codes:
            offer(code, 100.0 if len(exact.codes) == 1 else 90.0, exact.shown)
    choices, forms = fuzzy_choices()
    for query in {" ".join(words), " ".join(core_words(words))} - {""}:
        for _choice, score, i in process.extract(
            query, choices, scorer=fuzz.ratio, score_cutoff=60, limit=40
        ):
            for code in forms[i].codes:
                offer(code, min(score, 99.0), forms[i].shown)
    for found in find_authorities_in_text(text):
        offer(found.authority.code, found.score, found.matched)
    # Ties in a stable order (by name), whatever order the index yields them in.
    return sorted(best.values(), key=lambda m: (-m.score, m.authority.name))[:limit]
