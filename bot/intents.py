"""What a question asks, from the whole of it: command words, verbs, question words, synonyms.

Each intent has cues (phrases) with weights; the question's intent is the one whose cues
weigh most. When the two heaviest are both list answers and weigh the same ("status or
missing?"), the bot asks instead of guessing. A question that starts with a command word
("status", "missing Leeds", "search full pay") is that command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

# The short forms, by their first word (typos within one slip are forgiven: "mising").
COMMANDS: dict[str, str] = {
    "status": "status", "missing": "missing", "outstanding": "missing", "concerns": "concerns",
    "concern": "concerns", "chase": "chase", "quarantine": "quarantine", "digest": "digest",
    "report": "report", "plan": "plan", "search": "search",
    "contacts": "contacts", "contact": "contacts", "support": "support", "changes": "changes",
}

_CUES: dict[str, tuple[tuple[int, str], ...]] = {
    "help": ((6, r"^(help|\?|commands|examples)( me| please| pls)?$"),
             (6, r"\bwhat (can|do) you do\b"), (6, r"\bhow does (this|it|the bot) work\b"),
             (6, r"\bhow (do|can|should) (i|we) use\b"), (6, r"\bwhat can i ask\b")),
    "chase": ((5, r"\bchas(e|es|ed|er|ers)\b"), (5, r"\bremind(er|ers)?\b"),
              (5, r"\bnudge\b"), (5, r"\bchivvy\b")),
    "quarantine": ((5, r"\bquarantin(e|ed)\b"), (5, r"\bheld (mail|messages?|emails?)\b"),
                   (5, r"\bneed(s|ing)? a person\b"), (5, r"\bunidentified\b"),
                   (4, r"\bheld\b")),
    "digest": ((5, r"\bdigest\b"), (5, r"\b(daily|morning) (summary|round ?up)\b")),
    "report": ((5, r"\b(draft|write|produce|make|national|regional|the|a|our|my)\s+(\w+\s+)?"
                   r"report\b"), (5, r"^report\b"), (5, r"\breport (for|to)\b"), (3, r"\breports?\b")),
    "support": ((4, r"\b(ask|asks|asked|asking|want|wants|wanted|need|needs|needed|request"
                    r"|requests|requested|requesting|seek|seeking|sought)( us| me| the team)?"
                    r"( for)? (any |some |more )?(help|support)\b"),
                (4, r"\b(help|support) (asked|requested|needed|wanted|sought|needs|requests"
                    r"|asks)\b"),
                (4, r"\brequests? for (help|support)\b")),
    "search": ((4, r"\b(say|said|says|saying|write|wrote|written|writing|talk|talking|talked"
                   r"|mention|mentioned|mentioning|raise|raised) (anything |something )?"
                   r"(about|of|on|regarding)\b"),
               (4, r"\bdid\b.{1,40}\b(say|mention|write|raise)\b"),
               (3, r"\bmention(s|ed|ing)?\b"), (4, r"\bsearch\b"), (4, r"\bfind\b"),
               (3, r"\b(anything|something) (about|on|regarding)\b"),
               (4, r"\b(put|include|included|note|noted)\b.{0,40}\b(about|regarding)\b")),
    "changes": ((4, r"\bsince (yesterday|the last|last night|this morning)\b"),
                (3, r"\bchang(e|ed|es)\b"), (4, r"\b(what|anything|whats)( is)? new\b"),
                (4, r"\bovernight\b"), (3, r"\bmoved\b"), (1, r"\btoday\b"),
                (3, r"\byesterday\b"), (3, r"\bdiffer(ent|ence)\b")),
    "contacts": ((4, r"\bcontacts?\b"), (4, r"\bemail address(es)?\b"),
                 (4, r"\bphone (number|no)\b"), (4, r"\bwho (do|should|can|could) (i|we) "
                                                 r"(talk|speak|ring|call|email|phone|write)\b"),
                 (4, r"\bdass\b"), (3, r"\bdirector\b"),
                 (4, r"\b(lead|director|manager|officer|person) (at|for|in)\b")),
    "missing": ((3, r"\bmissing\b"), (3, r"\boutstanding\b"), (3, r"\boverdue\b"),
                (3, r"\blate\b"), (3, r"\bnot (yet )?(we |they |you )?(sent|send|returned|return"
                                  r"|submitted|submit|received|replied|reply|in|come in|heard|done|finished"
                                  r"|completed|responded|respond)\b"),
                (3, r"\bstill need\b"), (3, r"\bgaps?\b"), (3, r"\bnon.?return(s|ers?)?\b"),
                (3, r"\bbehind\b"), (3, r"\bmissed\b"), (3, r"\b(invalid|incomplete)\b"),
                (3, r"\bno valid\b"), (3, r"\b(fix|fixing|errors?)\b"),
                (3, r"\b(yet|still|left) to (send|return|submit|come|reply|hear)\b"),
                (3, r"\bwaiting (for|on)\b"), (3, r"\bnothing (from|received|yet)\b"),
                (3, r"\bno returns? (from|yet)\b"), (3, r"\bstill to come\b")),
    "concerns": ((3, r"\bconcern(s|ed|ing)?\b"), (3, r"\bworr(y|ies|ied|ying|isome)\b"),
                 (3, r"\bissues?\b"), (3, r"\brisks?\b"), (3, r"\bproblems?\b"),
                 (3, r"\bstruggl(e|es|ing)\b"), (3, r"\bweak\b"), (3, r"\blow\b"),
                 (3, r"\btrouble\b"), (3, r"\bred flags?\b"), (3, r"\bbelow\b"),
                 (3, r"\bthematic\b")),
    "status": ((2, r"\bstatus\b"), (2, r"\bhow many\b"), (2, r"\bhow far\b"),
               (2, r"\bwhere are (we|things)\b"), (2, r"\boverall\b"), (2, r"\bpicture\b"),
               (2, r"\bprogress\b"), (2, r"\bnumbers?\b"), (2, r"\bfigures\b"),
               (2, r"\bupdate\b"), (2, r"\blatest\b"), (2, r"\bdeadline\b"),
               (2, r"\bhow (is|are) .{0,40}(doing|looking|going|getting on)\b"),
               (2, r"\bhow (is|are) (we|things|it|they)\b"), (2, r"\bso far\b"),
               (2, r"\bnearly there\b"), (2, r"\bversions?\b"), (2, r"\bcounts?\b"),
               (2, r"\b(has|have|did|is)\b.{1,40}\b(sent|send|returned|submitted|in yet)\b"),
               (2, r"\bsent (us|in)\b"), (2, r"\breturned\b"), (2, r"\bstate of play\b"),
               (2, r"\bwhere (do|does) (we|it|things) stand\b"), (2, r"\bhow close\b"),
               (2, r"\bto date\b"), (2, r"\b(summary|overview|tally|totals?)\b"),
               (2, r"\b(percentage|per ?cent|proportion|rate)\b"),
               (2, r"\b(everyone|everybody|all) (is |are )?in\b"),
               (1, r"\breturn(s|ing)?\b")),
}
CUES: dict[str, tuple[tuple[int, re.Pattern[str]], ...]] = {
    intent: tuple((weight, re.compile(pattern)) for weight, pattern in cues)
    for intent, cues in _CUES.items()
}
# Ties go to the more specific intent, earlier in this order.
PRIORITY = tuple(_CUES)
# Intents whose answers are lists of places: when two weigh the same, ask which.
LISTS = frozenset({"status", "missing", "concerns"})
# Every word the cues are made of: never taken for a misspelt place.
CUE_WORDS = frozenset(word for cues in _CUES.values() for _w, pattern in cues
                      for word in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-z]", " ", pattern))
                      ) | frozenset(COMMANDS)


@dataclass(frozen=True)
class Intent:
    """The intent found, or the close readings to ask about."""

    name: str | None
    close: tuple[str, ...] = ()


def command_word(word: str) -> str | None:
    """The command `word` is, allowing one slip in a long word ("mising", "conserns")."""
    if word in COMMANDS:
        return COMMANDS[word]
    if len(word) < 5:
        return None
    near = [name for name in COMMANDS if OSA.distance(word, name) <= 1]
    return COMMANDS[near[0]] if len(near) == 1 else None


def cue_words(text: str) -> set[str]:
    """The words of `text` that its cues are made of ("returners" in "non-returners")."""
    return {word for cues in CUES.values() for _weight, cue in cues
            for match in cue.finditer(text) for word in re.findall(r"[a-z]+", match[0])}


def weigh(text: str) -> dict[str, int]:
    """Each intent's weight in `text` (lower case, contractions expanded)."""
    # The strongest cue, not the sum: many weak status words must not outweigh "not returned".
    return {intent: max((weight for weight, cue in cues if cue.search(text)), default=0)
            for intent, cues in CUES.items()}


def find_intent(text: str) -> Intent:
    """The intent of a plain question; None when no cue is in it."""
    weights = weigh(text)
    best = max(weights.values())
    if best == 0:
        return Intent(None)
    top = [intent for intent in PRIORITY if weights[intent] == best]
    if len(top) > 1 and set(top[:2]) <= LISTS:
        return Intent(top[0], tuple(top[:2]))
    return Intent(top[0])
