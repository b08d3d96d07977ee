"""The returns the load runs send: a realistic mix, built once per run from a seed.

Most come from `intake.samples` (the demo's generator): templates as .xlsx from openpyxl or
XlsxWriter, .xls, .ods, .csv or zipped; letters as .docx, .pdf, .odt, .txt, in the body or
missing; clean returns, text numbers, placeholders left in, counts above the total, blanks,
resubmissions. A share are built around the generality test's wilder layouts
(`bench.variant_mail`), with .rtf letters among theirs. Every sender writes from the LA's own
domain, each address at most `MAX_PER_SENDER` times, so that the per-sender limit on replies
(3 an hour) never holds an acknowledgement back.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from bench.mail import Mail
from bench.variant_mail import variant_mails
from intake.samples.returns import make_sample_returns
from store.collection import Collection

VARIANT_SHARE = 0.15     # returns built around the generality test's layouts
MAX_PER_SENDER = 3       # uses of one sender address in a run: the reply limit is 3 an hour


def realistic_returns(count: int, seed: int, collection: Collection) -> list[Mail]:
    """`count` returns as councils sent them, the same for the same seed (see the module)."""
    rng = random.Random(seed)
    variants = round(count * VARIANT_SHARE)
    mails = [Mail(s.mail_from, s.raw, s.template_format, s.letter_format, s.kinds[0])
             for s in make_sample_returns(count - variants, seed, collection)]
    for mail in variant_mails(variants, seed, collection):
        mails.insert(rng.randrange(len(mails) + 1), mail)
    _check_senders(mails)
    return mails


def mix(mails: Sequence[Mail]) -> dict[str, dict[str, int]]:
    """How many mails of each template format, letter format and kind."""
    return {aspect: dict(Counter(getattr(mail, aspect) for mail in mails).most_common())
            for aspect in ("template", "letter", "kind")}


def _check_senders(mails: Sequence[Mail]) -> None:
    sender, uses = Counter(mail.mail_from for mail in mails).most_common(1)[0]
    if uses > MAX_PER_SENDER:
        raise ValueError(f"{sender} sends {uses} of the mails: the per-sender reply limit "
                         f"would hold acknowledgements back; choose another seed")
