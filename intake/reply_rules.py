"""Who gets a reply (DESIGN section 6): one pure decision over how a message ended.

- An accepted return always gets its receipt, unless the mail is automatic; the per-sender
  loop limit never swallows it (a council's fourth try is the one that matters most).
- A quarantined message gets one only when it looks like a return (a template, or a covering
  letter about care homes): strangers' spam with a PDF gets nothing (no backscatter).
- A rejected message gets one only from a council's address.
- Everything answered, other than an accepted return, is under the loop limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from intake.autoreply import ReplyDecision, reply_decision
from intake.models import Headers, ReadMessage

# "care home(s)", "care-home", "carehomes": what a covering letter for this return is about.
_ABOUT_CARE_HOMES = re.compile(r"\bcare[\s-]*homes?\b", re.IGNORECASE)


def looks_like_a_return(read: ReadMessage) -> bool:
    """A template was found, or a readable covering letter that is about care homes."""
    return bool(read.templates) or any(
        letter.readable and _ABOUT_CARE_HOMES.search(letter.text) for letter in read.letters)


def who_gets_a_reply(
    disposition: str,
    *,
    looks_like_return: bool,
    from_a_council: bool,
    headers: Headers,
    mail_from: str,
    own_addresses: tuple[str, ...],
    count_recent_replies: Callable[[], int],
    max_per_hour: int = 3,
) -> ReplyDecision:
    """Whether (and to which address) to acknowledge a message that ended in `disposition`;
    `count_recent_replies` (a store query) is asked only when the loop limit could apply."""
    if disposition == "ignored":
        return ReplyDecision(False, None, "automatic mail")
    if disposition == "quarantined" and not looks_like_return:
        return ReplyDecision(False, None, "held, and it does not look like a return (no "
                                          "template, no covering letter about care homes)")
    if disposition == "rejected" and not from_a_council:
        return ReplyDecision(False, None, "not a return, and not from a council address")
    return reply_decision(headers, mail_from, own_addresses=own_addresses,
                          count_recent_replies=count_recent_replies,
                          max_per_hour=max_per_hour, limited=disposition != "accepted")
