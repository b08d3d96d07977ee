"""Full-text search over what councils wrote: covering letters and the template's free text.

One SQLite FTS5 row per piece of text (a letter, an action's support or issues cell, the two
free-text boxes), each with the LA, the file and the cell it came from. Rows are added when a
submission is recorded; answers read only each LA's counting version, so a phrase found in five
versions of a letter is one hit.
"""

from __future__ import annotations

import re
from collections.abc import Collection as Codes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from store.collection import Theme
from store.db import Database
from store.picture import with_counting

CREATE = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
    text, submission_id UNINDEXED, la_code UNINDEXED, part UNINDEXED, file UNINDEXED,
    cell UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')
"""
# In words, for answers: where in the return a passage was written.
PARTS = {"letter": "covering letter", "support": "support asked", "issues": "issues raised",
         "support_benefit": "support that would help", "regional_issues": "issues for regional teams"}
TOKEN = re.compile(r"\w+")
SNIPPET_WORDS = 14

SEARCH = with_counting(f"""
SELECT search_text.la_code, a.name AS la_name, a.region, search_text.part, search_text.file,
       search_text.cell, m.ref AS message_ref,
       snippet(search_text, 0, '*', '*', '…', {SNIPPET_WORDS}) AS snippet
FROM search_text
JOIN counting c ON c.id = search_text.submission_id
JOIN authorities a ON a.code = search_text.la_code
LEFT JOIN messages m ON m.id = c.message_id
WHERE search_text MATCH ?
ORDER BY bm25(search_text), a.name
""")


@dataclass(frozen=True)
class Hit:
    """One passage that matched, and where it was written."""

    la_code: str
    la_name: str
    region: str
    part: str
    file: str
    cell: str
    message_ref: str
    snippet: str

    @property
    def where(self) -> str:
        """'letter.docx', or 'return.xlsx Template!E9 (issues raised)'."""
        place = " ".join(p for p in (self.file, self.cell) if p)
        return place if self.part == "letter" else f"{place} ({PARTS[self.part]})".strip()


def create_index(db: Database) -> None:
    """The FTS5 table, filled from every submission already stored (a migration's job)."""
    db.execute(CREATE)
    db.execute("DELETE FROM search_text")
    for sub in db.query("SELECT * FROM submissions ORDER BY id"):
        answers = db.query("SELECT action, support_description, issues, cell FROM answers "
                           "WHERE submission_id = ? ORDER BY action", [sub["id"]])
        index_submission(db, sub["id"], sub, answers)


def index_submission(db: Database, submission_id: int, sub: Mapping[str, Any],
                     answers: Iterable[Mapping[str, Any]]) -> None:
    """Add a submission's letter and free text to the index (in the caller's write), from the
    values being recorded (`sub` has the submissions table's fields, each answer the answers
    table's), so nothing just written is read back."""
    rows = [("letter", sub["letter_file"] or "letter", "", sub["letter_text"]),
            ("support_benefit", sub["template_file"], "", sub["support_benefit"]),
            ("regional_issues", sub["template_file"], "", sub["regional_issues"])]
    for answer in answers:
        rows.append(("support", sub["template_file"], answer["cell"],
                     answer["support_description"]))
        rows.append(("issues", sub["template_file"], answer["cell"], answer["issues"]))
    db.conn.executemany(
        "INSERT INTO search_text (text, submission_id, la_code, part, file, cell) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(text, submission_id, sub["la_code"], part, file or "", cell or "")
         for part, file, cell, text in rows if (text or "").strip()])


def match_query(words: Iterable[str] | str, *, any_word: bool = False) -> str | None:
    """An FTS5 query from what a person typed: each word quoted (so nothing is FTS syntax),
    all of them required unless `any_word`; None when no word is left."""
    text = words if isinstance(words, str) else " ".join(words)
    tokens = [t for t in TOKEN.findall(text.lower()) if t]
    if not tokens:
        return None
    return (" OR " if any_word else " ").join(f'"{token}"' for token in tokens)


def phrases_query(phrases: Sequence[str]) -> str | None:
    """An FTS5 query matching any of `phrases` (a theme's terms)."""
    quoted = [" ".join(TOKEN.findall(p.lower())) for p in phrases]
    return " OR ".join(f'"{p}"' for p in quoted if p) or None


def search(db: Database, query: str, la_codes: Codes[str] | None = None) -> list[Hit]:
    """Passages of counting returns matching an FTS5 `query` (from `match_query`), best first;
    limited to `la_codes` when given."""
    hits = [Hit(row["la_code"], row["la_name"], row["region"], row["part"], row["file"],
                row["cell"], row["message_ref"] or "", " ".join(row["snippet"].split()))
            for row in db.query(SEARCH, [query])]
    return [hit for hit in hits if la_codes is None or hit.la_code in la_codes]


def las_matching(db: Database, query: str, la_codes: Codes[str] | None = None) -> set[str]:
    """The LAs whose counting return has a passage matching `query`."""
    return {hit.la_code for hit in search(db, query, la_codes)}


def count_themes(db: Database, themes: Sequence[Theme], la_codes: Codes[str] | None = None
                 ) -> list[tuple[Theme, set[str]]]:
    """For each theme of the collection's vocabulary, the LAs that wrote about it, most first."""
    counted = [(theme, las_matching(db, query, la_codes))
               for theme in themes if (query := phrases_query(theme.terms))]
    return sorted(counted, key=lambda pair: -len(pair[1]))
