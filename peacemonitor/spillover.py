"""Spillover: when one table is suspended or broken off, how violence moved in the territories of
the other tables (an event study around the table's status changes).

Each event is a change of the table to ``suspended`` or ``broken-off``. Each other table with a
status that day (and not concluded or broken off itself) contributes one series: the monthly
count of the outcome in its territory (where its armed groups are present inside its scope — see
``areas.table_area``), from ``window`` months before to ``window`` after the event month. The
estimate is an ordinary least-squares event study, log(1 + count) on relative-month indicators
(month −1 the reference) with one fixed effect per series, heteroskedasticity-robust (HC1)
standard errors. Months the source does not cover are dropped and counted as "no data".

This is a description of co-movement, not a causal effect: a suspension is itself a reaction to
violence, and many things change in the same months.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.areas import (
    add_months,
    monthly_counts,
    municipalities,
    sources_for,
    table_area,
)
from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import NegotiationTable, TableStatus
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.tables import get_table, summary_on
from peacemonitor.views import categories_for

BREAKS = (TableStatus.SUSPENDED, TableStatus.BROKEN_OFF)
ENDED = (TableStatus.CONCLUDED, TableStatus.BROKEN_OFF)


class NoSource(PeacemonitorError):
    """No imported source observes the outcome at municipality level."""


class StatusEvent(BaseModel):
    table: str
    date: str = Field(description="as the registry gives it (a month when the day is unknown)")
    status: str


class MonthPoint(BaseModel):
    relative_month: int
    month: str
    count: float | None = Field(description="null where the source does not cover the month")


class Series(BaseModel):
    """One other table's territory around one event."""

    event_date: str
    other_table: str
    municipalities: int
    points: list[MonthPoint]
    before_mean: float | None = Field(description="mean monthly count, months −window … −1")
    after_mean: float | None = Field(description="mean monthly count, months 0 … +window")
    no_data_months: int


class Coefficient(BaseModel):
    relative_month: int
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float


class Spillover(BaseModel):
    table: str
    outcome: str
    categories: list[str]
    source: str | None
    unit: str | None
    window_months: int
    method: str
    status: str = Field(description="estimated, no data, or too few observations")
    events: list[StatusEvent]
    series: list[Series]
    observations: int
    coefficients: list[Coefficient]
    note: str


METHOD = (
    "OLS of log(1 + monthly count) on relative-month indicators (reference month −1) with one "
    "fixed effect per (event, other table) series; HC1 standard errors; 95% intervals"
)


def break_events(table: NegotiationTable) -> list[tuple[StatusEvent, dt.date]]:
    """The table's changes into suspension or break-off (a suspension confirmed while already
    suspended is not a new event), each with the first day it may mean."""
    found, previous = [], None
    for change in table.status_history:
        if change.status in BREAKS and previous not in BREAKS:
            event = StatusEvent(table=table.id, date=str(change.date), status=change.status.value)
            found.append((event, change.date.first))
        previous = change.status
    return found


def other_tables(registry: Registry, table_id: str, day: dt.date) -> list[NegotiationTable]:
    """Tables other than ``table_id`` that had a status that day and had not ended."""
    found = []
    for table in sorted(registry.tables.values(), key=lambda t: t.id):
        state = summary_on(table, day)
        if table.id != table_id and state is not None and state.status not in ENDED:
            found.append(table)
    return found


def _series(
    store: Store,
    categories: Any,
    pair: tuple[str, str],
    event: tuple[StatusEvent, dt.date],
    other: tuple[str, set[str]],
    window: int,
) -> Series:
    (info, day), (other_id, area) = event, other
    start = add_months(day, -window)
    end = add_months(day, window + 1) - dt.timedelta(days=1)
    counts = monthly_counts(store, categories, pair[0], pair[1], area, start, end)
    points = [
        MonthPoint(relative_month=i - window, month=m, count=c)
        for i, (m, c) in enumerate(sorted(counts.items()))
    ]
    return Series(
        event_date=info.date,
        other_table=other_id,
        municipalities=len(area),
        points=points,
        before_mean=_mean(p.count for p in points if p.relative_month < 0),
        after_mean=_mean(p.count for p in points if p.relative_month >= 0),
        no_data_months=sum(p.count is None for p in points),
    )


def _mean(values: Any) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 3) if present else None


def estimate(series: list[Series]) -> tuple[list[Coefficient], int]:
    """The event-study coefficients (relative month ≠ −1) and the observations used."""
    import pandas as pd
    import statsmodels.formula.api as smf

    rows = [
        {"unit": f"{s.event_date}|{s.other_table}", "rel": p.relative_month, "y": p.count}
        for s in series
        for p in s.points
        if p.count is not None
    ]
    frame = pd.DataFrame(rows, columns=["unit", "rel", "y"])
    if frame.empty or -1 not in set(frame["rel"]) or frame["rel"].nunique() < 2:
        return [], len(frame)
    frame["y"] = frame["y"].map(math.log1p)
    units = "+ C(unit)" if frame["unit"].nunique() > 1 else ""
    fit = smf.ols(f"y ~ C(rel, Treatment(reference=-1)) {units}", frame).fit(cov_type="HC1")
    intervals = fit.conf_int()
    found = []
    for name, value in fit.params.items():
        if not str(name).startswith("C(rel"):
            continue
        rel = int(str(name).split("[T.")[1].rstrip("]"))
        found.append(
            Coefficient(
                relative_month=rel,
                estimate=round(float(value), 4),
                std_error=round(float(fit.bse[name]), 4),
                ci_low=round(float(intervals.loc[name, 0]), 4),
                ci_high=round(float(intervals.loc[name, 1]), 4),
            )
        )
    return sorted(found, key=lambda c: c.relative_month), len(frame)


def spillover(
    store: Store,
    registry: Registry,
    table_id: str,
    outcome: str = "homicide",
    window: int = 6,
    source: str | None = None,
) -> Spillover:
    """Violence in the other tables' territories around each suspension or break-off."""
    table = get_table(registry, table_id)
    categories = categories_for(outcome)
    pairs = [p for p in sources_for(store, categories) if source in (None, p[0])]
    events = break_events(table)
    result = Spillover(
        table=table_id,
        outcome=outcome,
        categories=[c.value for c in categories],
        source=pairs[0][0] if pairs else source,
        unit=pairs[0][1] if pairs else None,
        window_months=window,
        method=METHOD,
        status="no data",
        events=[e for e, _ in events],
        series=[],
        observations=0,
        coefficients=[],
        note="",
    )
    if not pairs or not events:
        result.note = _why_empty(pairs, events, outcome)
        return result
    known = municipalities(store)
    result.series = [
        _series(store, categories, pairs[0], event, (other.id, area), window)
        for event in events
        for other in other_tables(registry, table_id, event[1])
        if (area := table_area(store, registry, other, event[1], known))
    ]
    result.coefficients, result.observations = estimate(result.series)
    result.status = _status(result)
    result.note = _note(result)
    return result


def _why_empty(pairs: list[Any], events: list[Any], outcome: str) -> str:
    if not events:
        return "the table was never suspended or broken off"
    return f"no imported source observes {outcome} at municipality level"


def _status(result: Spillover) -> str:
    if result.coefficients:
        return "estimated"
    return "too few observations" if result.observations else "no data"


def _note(result: Spillover) -> str:
    missing = sum(s.no_data_months for s in result.series)
    total = sum(len(s.points) for s in result.series)
    return (
        f"{len(result.series)} series around {len(result.events)} event(s); {missing} of {total} "
        f"months have no data from {result.source}; co-movement, not a causal effect"
    )
