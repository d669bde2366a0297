"""Which source covers which category, for which days and down to which territory level.

Coverage is what imported files span — from the month of each file's first observation to the
month of its last, per category and unit — not where events happened: a month inside a span with
no event is a real 0, a month outside every span is "no data". Spans are whole months because
sources publish by month at the finest: a list whose first event falls on the 2nd does not leave
the 1st uncovered. Coverage is also per country: a file of Ukraine's events, or ACLED's HDX
aggregates that hold Colombia for one month and other countries for decades, say nothing about
Colombia's other months. Indicators use these spans to tell the two apart, so
an uncovered period is never shown as 0.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from peacemonitor.store import Store

Interval = tuple[dt.date, dt.date]
LEVEL_ORDER = {"country": 0, "department": 1, "municipality": 2}
HOME = "CO"  # DIVIPOLA codes are Colombia's: spans recorded before coverage had a country
SpanKey = tuple[str, str, str, str]  # source, category, unit, country


class Coverage(BaseModel):
    """One source × category × unit: the days it covers and the finest level it reaches."""

    source: str
    country: str
    country_name: str
    category: str
    unit: str
    territory_level: str
    first: dt.date
    last: dt.date
    months: int
    gaps: list[str]
    files: int


def spans(store: Store) -> dict[SpanKey, list[tuple[Interval, str]]]:
    """Every imported file's spans: (source, category, unit, country) → [((first, last), level)]."""
    found: dict[SpanKey, list[tuple[Interval, str]]] = defaultdict(list)
    with store.read() as db:
        rows = db.execute("SELECT source, coverage FROM imports ORDER BY import_id").fetchall()
    for source, text in rows:
        for span in json.loads(text or "[]"):
            key = (source, span["category"], span["unit"], span.get("country", HOME))
            first, last = dt.date.fromisoformat(span["first"]), dt.date.fromisoformat(span["last"])
            found[key].append((whole_months(first, last), span["territory_level"]))
    return dict(found)


def whole_months(first: dt.date, last: dt.date) -> Interval:
    """(first, last) widened to the first day of first's month and the last day of last's."""
    following = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return first.replace(day=1), following - dt.timedelta(days=1)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals joined: [(Jan 1, Jun 30), (Jul 1, Dec 31)] → one."""
    merged: list[Interval] = []
    for first, last in sorted(intervals):
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _gaps(intervals: list[Interval]) -> list[str]:
    """The stretches between merged intervals, as "YYYY-MM-DD..YYYY-MM-DD"."""
    return [
        f"{(a[1] + dt.timedelta(days=1)).isoformat()}..{(b[0] - dt.timedelta(days=1)).isoformat()}"
        for a, b in zip(intervals, intervals[1:], strict=False)
    ]


def coverage(store: Store) -> list[Coverage]:
    """What the store covers, one row per source, country, category and unit."""
    rows = []
    names = _country_names(store)
    for (source, category, unit, country), found in sorted(spans(store).items()):
        intervals = merge(interval for interval, _ in found)
        level = max((lvl for _, lvl in found), key=lambda lvl: LEVEL_ORDER.get(lvl, -1))
        months = sum(_months_between(a, b) for a, b in intervals)
        rows.append(
            Coverage(
                source=source,
                country=country,
                country_name=names.get(country, country),
                category=category,
                unit=unit,
                territory_level=level,
                first=intervals[0][0],
                last=intervals[-1][1],
                months=months,
                gaps=_gaps(intervals),
                files=len(found),
            )
        )
    return rows


def _country_names(store: Store) -> dict[str, str]:
    """Country codes the store can name (Colombia from DIVIPOLA); others stay codes."""
    with store.read() as db:
        found = db.execute("SELECT code, name FROM territories WHERE level = 'country'").fetchall()
    return {HOME: "Colombia", **dict(found)}


def covered(intervals: list[Interval], first: dt.date, last: dt.date) -> str | None:
    """'full' when [first, last] lies inside one interval, 'partial' when it overlaps some,
    None when the source says nothing about it (no data, never 0)."""
    overlap = False
    for a, b in intervals:
        if a <= first and last <= b:
            return "full"
        overlap = overlap or (a <= last and first <= b)
    return "partial" if overlap else None
