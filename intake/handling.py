"""One message's state on its way through the pipeline (intake/pipeline.py), and a step's type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import wraps
from typing import Any

from intake.models import Letter, ReadMessage, TemplateReading
from store.context import Context
from store.messages import StoredMessage
from store.register import LocalAuthority
from store.submissions import NewSubmission


@dataclass(frozen=True)
class Handling:
    """One message on its way through the steps: what is known so far, and how it ends."""

    message: StoredMessage
    read: ReadMessage | None = None     # None until read (the SMTP path reads in the sandbox first)
    released_as: str | None = None      # the LA a person chose (a release, or an import's --la)
    released_by: str = ""               # the national user who released it from quarantine
    vouched: bool = False               # imported by a member of staff: no sender checks
    template: TemplateReading | None = None
    letter: Letter | None = None
    automatic: str | None = None        # why it looks sent by software, when it does
    la: LocalAuthority | None = None
    submission: NewSubmission | None = None
    disposition: str | None = None      # set by the step that settles how the message ends
    reason: str = ""
    version: int | None = None          # the version recorded
    reply_decision: str = ""            # whether it was acknowledged, in words

    def settle(self, disposition: str, reason: str) -> Handling:
        """This message ends so: the deciding steps after this one pass it on unchanged."""
        return self.knowing(disposition=disposition, reason=reason)

    def knowing(self, **known: Any) -> Handling:
        """This handling with one more thing known: `dataclasses.replace`'s result, made
        without running the frozen init over all fourteen fields again (about six times a
        message)."""
        unknown = known.keys() - _FIELDS
        if unknown:
            raise TypeError(f"Handling has no field {', '.join(sorted(unknown))}")
        handling = object.__new__(type(self))
        handling.__dict__.update(self.__dict__, **known)
        return handling

    @property
    def reading(self) -> ReadMessage:
        """What was read; the steps after `read` rely on it."""
        assert self.read is not None, "the read step comes first"
        return self.read


_FIELDS = frozenset(field.name for field in fields(Handling))
Step = Callable[[Context, Handling], Handling]


def deciding(step: Step) -> Step:
    """A deciding step, passed over once an earlier step has settled the message."""
    @wraps(step)
    def run_unless_settled(job: Context, handling: Handling) -> Handling:
        return handling if handling.disposition is not None else step(job, handling)
    return run_unless_settled
