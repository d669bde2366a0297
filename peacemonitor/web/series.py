"""Time series of violence by view or category, nationally or for one territory.

Each series is one outcome from one source in one unit — sources and units are never summed
(see ``peacemonitor.views``). A view sums its categories within one source. A period a source
does not cover is ``None`` ("no data", drawn as a gap), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from peacemonitor.coverage import HOME, spans
from peacemonitor.indicators import Level, NoObservations, Period, Query, indicator, records
from peacemonitor.model import Category, PartialDate
from peacemonitor.store import Store
from peacemonitor.views import View, categories_for

if TYPE_CHECKING:
    import pandas as pd

# Outcomes the overview offers, in the order drawn: homicides (all views), then each view.
OUTCOMES: tuple[str, ...] = (Category.HOMICIDE.value, *(v.value for v in View))


class Point(BaseModel):
    period: str
    value: float | None
    note: str | None = None


class Series(BaseModel):
    """One outcome, one source, one unit over time."""

    outcome: str
    source: str
    unit: str
    points: list[Point]


def covered_categories(store: Store) -> dict[str, set[str]]:
    """category → the sources whose imports cover it (one read of the import log)."""
    found: dict[str, set[str]] = defaultdict(set)
    for source, category, _unit, country in spans(store):
        if country == HOME:  # DIVIPOLA territories are Colombia's
            found[category].add(source)
    return found


def outcomes_with_data(store: Store) -> list[str]:
    """Views and categories for which some source has observations."""
    covered = covered_categories(store)
    views = [o for o in OUTCOMES if any(c.value in covered for c in categories_for(o))]
    extra = sorted(c for c in covered if c not in views and c in Category._value2member_map_)
    return views + extra


def _frames(
    store: Store,
    outcome: str,
    level: Level,
    by: Period,
    window: tuple[Any, Any],
    source: str | None,
    code: str | None,
) -> list[pd.DataFrame]:
    covered = covered_categories(store)
    frames = []
    for category in categories_for(outcome):
        sources = covered.get(category.value, set())
        if not sources or (source and source not in sources):
            continue
        query = Query(category, level, by, window[0], window[1], source, territory=code)
        frames += _one(store, query)
    return frames


def _one(store: Store, query: Query) -> list[pd.DataFrame]:
    """The indicator frame, or none when the window holds no event of the category anywhere.
    A territory without events is answered from its whole level (0 where covered)."""
    for attempt in (query, replace(query, territory=None)):
        try:
            frame = indicator(store, attempt)
        except NoObservations:
            continue
        return [frame[frame["territory_code"] == query.territory] if query.territory else frame]
    return []


def series_for(
    store: Store,
    outcome: str,
    level: Level = Level.COUNTRY,
    code: str | None = None,
    by: Period = Period.YEAR,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    source: str | None = None,
    metric: str = "count",
) -> list[Series]:
    """The outcome's series, one per source and unit, for the country or territory ``code``."""
    grouped: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for frame in _frames(store, outcome, level, by, (start, end), source, code):
        if code is not None:
            frame = frame[frame["territory_code"] == code]
        for row in records(frame):
            grouped[(row["source"], row["unit"])][row["period"]].append(row)
    return [
        Series(
            outcome=outcome,
            source=source_,
            unit=unit,
            points=[_point(period, rows, metric) for period, rows in sorted(periods.items())],
        )
        for (source_, unit), periods in sorted(grouped.items())
    ]


def _point(period: str, rows: list[dict[str, Any]], metric: str) -> Point:
    """Sum of the categories' counts (or rates) for one period; notes kept."""
    key = "rate_per_100k" if metric == "rate" else "count"
    values = [r[key] for r in rows if r[key] is not None]
    notes = sorted({r["note"] for r in rows if r["note"]})
    total = round(sum(values), 3) if values else None
    return Point(period=period, value=total, note="; ".join(notes) or None)
