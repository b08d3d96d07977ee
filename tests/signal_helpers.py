"""A London store whose ranking is known, for the concerns, digest and report tests.

Severities (see bot/concerns.py): Camden 2.1 at 5 of 50 (5.2) and 4.3 at 10 of 50 (4.5) and
support asked on 2.1 (2) = 11.7; Croydon 2.1 at 36 of its 200 homes (8.1: 124 homes short);
Hackney invalid (3) and 3.1 at 20 of 50 (3) = 6; Brent support (2) and a free-text issue (1) = 3;
Barnet 2.1 at 30 of 50 (1.5) and an issue (1) = 2.5; Ealing 0.8; Bexley 0.3. 2.1 is weak in 5
of London's 8 returns: a thematic concern of 5.2 + 2 + 8.1 + 1.5 + 0.8 + 0.3 = 17.9. So the top
three are thematic 2.1, Camden, Croydon.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.roles import viewer_from_role
from store.db import Database
from tests.bot_helpers import add_return

BARNET, BEXLEY, BRENT, BROMLEY, CAMDEN, CROYDON, EALING, HACKNEY = (
    "E09000003", "E09000004", "E09000005", "E09000006", "E09000007", "E09000008", "E09000009",
    "E09000012")
LONDON_RETURNS = 8
TUESDAY = datetime(2020, 6, 2, 11, tzinfo=UTC)
NATIONAL_VIEWER = viewer_from_role("UNAT", "national")
LONDON_VIEWER = viewer_from_role("ULDN", "london")


def fill_london(db: Database) -> None:
    """Eight London returns with concerns of known severity, and letters about known themes."""
    add_return(db, CAMDEN, homes={"2.1": 5, "4.3": 10}, support={"2.1": "Courier for test kits"},
               letter_text="Staff are paid full pay while isolating; this is unfunded.")
    add_return(db, HACKNEY, status="invalid", homes={"3.1": 20},
               letter_text="We rely on agency staff in most homes.")
    add_return(db, CROYDON, total=200, homes={"2.1": 36},
               letter_text="Whole home testing has started in the largest homes.")
    add_return(db, BARNET, homes={"2.1": 30}, issues={"1.2": "Agency staff move between homes"})
    add_return(db, BRENT, support={"5.1": "A named GP for each home"},
               regional_issues="Relations with the CCG are strained")
    add_return(db, EALING, homes={"2.1": 35})
    add_return(db, BEXLEY, homes={"2.1": 38})
    add_return(db, BROMLEY)
