"""The national digest's chart: returns over time, and valid/missing by region, as a PNG.

Drawn on a bare `Figure` with the Agg canvas (no pyplot), so it needs no display and keeps no
global state between digests.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.digest import versions
from store.collection import Collection
from store.db import Database
from store.picture import has_valid_return

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_DAYS = 60


@dataclass(frozen=True)
class ChartData:
    days: tuple[date, ...]
    returned: tuple[int, ...]           # LAs with any return by the end of each day
    valid: tuple[int, ...]              # LAs with a valid return by the end of each day
    regions: tuple[str, ...]
    region_valid: tuple[int, ...]
    region_missing: tuple[int, ...]
    deadline: date


def chart_data(db: Database, collection: Collection, now: datetime) -> ChartData:
    """The numbers the chart draws, from the store as it is at `now`."""
    today = collection.local(now).date()
    start = max(collection.local(collection.opens.replace(tzinfo=collection.zone)).date(),
                today - timedelta(days=MAX_DAYS))
    days = tuple(start + timedelta(days=n) for n in range((today - start).days + 1))
    first_return: dict[str, date] = {}
    first_valid: dict[str, date] = {}
    for v in versions(db):
        day = collection.local(v.received_at).date()
        first_return.setdefault(v.la_code, day)
        if has_valid_return(v.status):
            first_valid.setdefault(v.la_code, day)
    regions = {row["code"]: row["region"] for row in db.query(
        "SELECT code, region FROM authorities")}
    names = tuple(sorted(set(regions.values())))
    valid_by_region = Counter(regions[code] for code in first_valid if code in regions)
    totals = Counter(regions.values())
    return ChartData(
        days,
        tuple(sum(d <= day for d in first_return.values()) for day in days),
        tuple(sum(d <= day for d in first_valid.values()) for day in days),
        names,
        tuple(valid_by_region[name] for name in names),
        tuple(totals[name] - valid_by_region[name] for name in names),
        collection.deadline_at.date(),
    )


def draw_chart(data: ChartData) -> Figure:
    """Two panels: cumulative returns by day, and valid/missing LAs by region."""
    # Imported here: matplotlib takes about a second to import, and only the digest draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(11, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    over_time, by_region = figure.subplots(1, 2, width_ratios=(1, 1.2))
    positions = range(len(data.days))
    over_time.plot(positions, data.returned, marker="o", label="returned")
    over_time.plot(positions, data.valid, marker="o", label="valid")
    step = max(1, -(-len(data.days) // 6))     # at most about 6 date labels
    labelled = sorted(range(len(data.days) - 1, -1, -step))   # always today's date
    over_time.set_xticks(labelled, [f"{data.days[i].day} {data.days[i]:%b}" for i in labelled])
    if data.deadline in data.days:
        over_time.axvline(data.days.index(data.deadline), color="grey", linestyle="--",
                          label="deadline")
    over_time.yaxis.set_major_locator(MaxNLocator(integer=True))
    over_time.set_title("Submissions over time (LAs)")
    over_time.legend(loc="upper left")
    rows = range(len(data.regions))
    by_region.barh(rows, data.region_valid, color="tab:green", label="valid")
    by_region.barh(rows, data.region_missing, left=data.region_valid, color="tab:red",
                   label="no valid return")
    by_region.set_yticks(list(rows), list(data.regions))
    by_region.invert_yaxis()
    by_region.set_title("Valid and missing by region")
    by_region.legend(loc="lower right")
    return figure


def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def digest_chart(db: Database, collection: Collection, now: datetime) -> bytes:
    """The national digest's chart as a PNG."""
    return to_png(draw_chart(chart_data(db, collection, now)))
