"""Plain phrasing to a question: what is asked (intent) and the words left to name a scope."""

from __future__ import annotations

import re
from dataclasses import dataclass

MENTION = re.compile(r"<[@#!][^>]*>")
SLACK_LINK = re.compile(r"<[^|>]+\|([^>]+)>")
REF = r"(chr-?\d{1,9})"
RELEASE = re.compile(rf"^release\s+{REF}\s+(?:as|to|for|under)\s+(.+)$")
DISMISS = re.compile(rf"^dismiss\s+{REF}\b\s*(?:because|as|reason:?|-|:)?\s*(.*)$")
# `search WORDS [in PLACE]`, "what did PLACE say about WORDS", "did PLACE mention WORDS".
SEARCH = re.compile(r"^(?:search|find)\s+(?:for\s+)?(?P<what>.+?)(?:\s+in\s+(?P<where>[^,]+))?$")
SAID = re.compile(r"^(?:what\s+)?(?:did|do|does|have|has)\s+(?P<where>.+?)\s+"
                  r"(?:say|said|write|wrote|mention|mentioned|written)\s+(?:about\s+)?(?P<what>.+)$")
PLAN = re.compile(r"^plan\s+(?P<where>[^:]+?)\s*:\s*(?P<what>.+)$")
WORD = re.compile(r"[a-z0-9&'’.-]+")

# Checked in this order: the first intent with a keyword in the text wins ("how many have not
# returned" is about missing returns, not status).
INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in (
        ("help", r"^(help|\?|commands|what can you do|how do i use)\b"),
        ("report", r"^(report|draft (the )?report)\b"),
        ("chase", r"\b(chase|chaser|chasers|remind|reminder|nudge)\b"),
        ("digest", r"\b(digest|daily summary|morning summary)\b"),
        ("quarantine", r"\b(quarantine|quarantined|held mail|needs? a person|unidentified)\b"),
        ("missing", r"\b(missing|outstanding|overdue|late|not (yet )?(sent|returned|submitted|"
                    r"received|in)|has ?n[o']?t|have ?n[o']?t|did ?n[o']?t|yet to|still to)"),
        ("concerns", r"\b(concerns?|worr(y|ies|ied)|issues?|risks?|problems?|low|weak|"
                     r"struggling|support (requested|asked|needed))\b"),
        ("status", r"\b(status|progress|how many|returned|returns?|received|submitted|"
                   r"how is|how's|how are|update|summary|overview|versions?)\b"),
    )
)

# Words that carry the intent or politeness, never a place: removed before matching a scope.
NOISE = frozenset("""
a about across all am an any doing going getting looking like anyone are area at been bot can chase chaser chasers concern
concerns could councils digest do does for from give got has hasn't hasnt have haven't havent
hello help hey hi how i in is issue issues it its la las latest late let list local authorities
authority low many me missing not now of on outstanding overdue please problem problems progress
quarantine quarantined received region report returned return returns risk risks s send sent
show so status still submitted summary tell thank thanks the their theirs them there they this to
update us versions version we weak what whats what's which who whom why worried worries worry
would yet you your
""".split())


@dataclass(frozen=True)
class Question:
    """What was asked, and the words left over to name a place or a theme."""

    intent: str                 # help|chase|digest|...|release|dismiss|search|plan|report|unknown
    words: tuple[str, ...] = ()
    ref: str | None = None      # release/dismiss: the message reference
    target: str = ""            # release: the LA named after 'as'; dismiss: the reason

    @property
    def rest(self) -> str:
        return " ".join(self.words)


def normalise(text: str) -> str:
    """Lower case, Slack markup and mentions removed, spaces collapsed."""
    text = SLACK_LINK.sub(r"\1", text)
    text = MENTION.sub(" ", text)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(text.lower().replace("’", "'").split())


def parse(text: str) -> Question:
    """The question in `text`: its intent and the scope words left after the intent's."""
    plain = normalise(text).strip(" ?!.")
    command = plain.lstrip("/").removeprefix("returns ").strip()
    if match := RELEASE.match(command):
        return Question("release", ref=_ref(match[1]), target=match[2].strip(" ?!."))
    if match := DISMISS.match(command):
        return Question("dismiss", ref=_ref(match[1]), target=match[2].strip())
    if match := SEARCH.match(command) or SAID.match(command):
        return Question("search", _scope_words(match["where"] or ""), target=match["what"])
    if match := PLAN.match(plain.lstrip("/").removeprefix("returns ").strip()):
        return Question("plan", _scope_words(match["where"]), target=_original(text, match["what"]))
    words = tuple(w.strip(".'") for w in WORD.findall(command))
    words = tuple(w for w in words if w and w not in NOISE)
    if not command:
        return Question("help")
    for name, pattern in INTENTS:
        if pattern.search(command):
            return Question(name, words)
    # A bare place name ("Leeds", "London") is a status question; anything else gets help.
    return Question("unknown", words)


def _scope_words(text: str) -> tuple[str, ...]:
    words = (w.strip(".'") for w in WORD.findall(text))
    return tuple(w for w in words if w and w not in NOISE)


def _original(text: str, lowered: str) -> str:
    """`lowered` as the person wrote it (a planned action keeps its capitals)."""
    start = text.lower().find(lowered[:20])
    return text[start:start + len(lowered)].strip() if start >= 0 else lowered


def _ref(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"CHR-{int(digits):06d}"
