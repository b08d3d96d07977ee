"""A message to a question: Slack markup removed, then references or the understanding layer."""

from __future__ import annotations

import re

from bot.question import Question
from bot.understanding import understand
from store.collection import Collection, load_collection

__all__ = ["Question", "normalise", "parse"]

MENTION = re.compile(r"<[@#!][^>]*>")
SLACK_LINK = re.compile(r"<[^|>]+\|([^>]+)>")
REF = r"(chr-?\d{1,9})"
RELEASE = re.compile(rf"^release\s+{REF}\s+(?:as|to|for|under)\s+(.+)$", re.IGNORECASE)
DISMISS = re.compile(rf"^dismiss\s+{REF}\b\s*(?:because|as|reason:?|-|:)?\s*(.*)$",
                     re.IGNORECASE)


def clean(text: str) -> str:
    """Slack markup and mentions removed, spaces collapsed; case kept (it helps tell places)."""
    text = SLACK_LINK.sub(r"\1", text)
    text = MENTION.sub(" ", text)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(text.replace("’", "'").split())


def normalise(text: str) -> str:
    """Lower case, Slack markup and mentions removed, spaces collapsed."""
    return clean(text).lower()


def parse(text: str, collection: Collection | None = None) -> Question:
    """The question in `text`: its intent, place and topic (or the choice to offer)."""
    plain = clean(text).strip(" ?!.")
    command = re.sub(r"^/?returns\s+", "", plain.lstrip("/"), flags=re.IGNORECASE).strip()
    if match := RELEASE.match(command):
        return Question("release", ref=_ref(match[1]), target=match[2].strip(" ?!.").lower())
    if match := DISMISS.match(command):
        return Question("dismiss", ref=_ref(match[1]), target=match[2].strip().lower())
    if not command or command == "?":
        return Question("help")
    return understand(command, collection or load_collection())


def _ref(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"CHR-{int(digits):06d}"
