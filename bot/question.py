"""A question as understood: what is asked, about where, on what topic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.scope import Scope, Unmatched


@dataclass(frozen=True)
class Question:
    """What was asked. `scope` None means the asker's own area (England for national users)."""

    intent: str     # status|missing|concerns|support|search|changes|contacts|chase|quarantine|
                    # release|dismiss|digest|report|plan|help|choose|unknown
    words: tuple[str, ...] = ()     # the place as named (or a chase's LA codes), for commands
    ref: str | None = None          # release/dismiss: the message reference
    target: str = ""                # release: the LA named after 'as'; dismiss: the reason;
                                    # plan: the planned action
    scope: Scope | Unmatched | None = None
    topic: tuple[str, ...] = ()     # theme or search words
    choices: tuple[tuple[str, str], ...] = ()   # choose: (label, the command it stands for)

    @property
    def rest(self) -> str:
        return " ".join(self.words)
