"""The municipality × month panel a ceasefire's effect is estimated on.

Three things decide what a panel may say, and each is made explicit here rather than left to the
estimator:

- **coverage**: a month is in the panel only when the source covers it in full for every category
  of the outcome it reports; an uncovered month is absent ("no data"), never a 0, and a covered
  month without an event is a real 0 for every current municipality;
- **treatment**: which municipalities the ceasefire applied to, month by month — its scope replayed
  from the registry (``ceasefires.state_on`` on the 15th of each month), so territories where it was
  suspended leave treatment while suspended — intersected with the parties' presence when the
  caller passes it (``presence``: territory codes, or ``presence.presence`` records);
- **neighbours**: municipalities sharing a border with a treated one. Violence pushed next door is
  the central worry about local ceasefires, so neighbours are never controls: they get their own
  role and their own (spillover) estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from peacemonitor.ceasefires import state_on
from peacemonitor.coverage import HOME, LEVEL_ORDER, covered, merge, spans
from peacemonitor.errors import PeacemonitorError
from peacemonitor.indicators import Period, period_bounds, periods_between
from peacemonitor.model import Category, Ceasefire, Unit
from peacemonitor.store import Store

if TYPE_CHECKING:
    import pandas as pd

UNIT_PREFERENCE = (Unit.EVENTS, Unit.INCIDENTS, Unit.VICTIMS, Unit.DEATHS)
TREATED, NEIGHBOUR, CONTROL = "treated", "neighbour", "control"


class NoCoverage(PeacemonitorError):
    """The source does not cover the outcome at municipality level in the window asked."""


@dataclass(frozen=True)
class Panel:
    """Counts by municipality (``code``) and month (``month`` "YYYY-MM", ``t`` 0, 1, ...)."""

    frame: pd.DataFrame
    source: str
    unit: str
    categories: tuple[Category, ...]
    months: list[str]
    coverage: list[str] = field(default_factory=list)
    excluded_months: list[str] = field(default_factory=list)


def month_index(month: str) -> int:
    """ "2024-03" → a running month number (year × 12 + month − 1), for trends and gaps."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _units(store: Store, categories: tuple[Category, ...], source: str) -> list[str]:
    with store.read() as db:
        rows = db.execute(
            "SELECT DISTINCT unit FROM observations WHERE source = ? AND category IN "
            "(SELECT unnest(?::VARCHAR[]))",
            [source, [c.value for c in categories]],
        ).fetchall()
    return [r[0] for r in rows]


def choose_unit(store: Store, categories: tuple[Category, ...], source: str) -> str:
    """The unit to count in: events or incidents before victims or deaths (one per source)."""
    found = _units(store, categories, source)
    for unit in UNIT_PREFERENCE:
        if unit.value in found:
            return unit.value
    names = ", ".join(c.value for c in categories)
    raise NoCoverage(f"no {names} observations from {source} in the store")


def covered_months(
    store: Store, categories: tuple[Category, ...], source: str, unit: str, window: tuple[str, str]
) -> tuple[list[str], list[str], list[str]]:
    """(months fully covered by every reported category, months left out, coverage lines)."""
    wanted = {c.value for c in categories}
    found = {
        k: v
        for k, v in spans(store).items()
        if k[0] == source and k[2] == unit and k[1] in wanted and k[3] == HOME
    }
    lines, per_category = [], []
    for (_, category, _, _), items in sorted(found.items()):
        level = max((lvl for _, lvl in items), key=lambda lvl: LEVEL_ORDER.get(lvl, -1))
        intervals = merge(interval for interval, _ in items)
        lines.append(
            f"{source} {category} ({unit}): {intervals[0][0]}..{intervals[-1][1]}, {level} level"
        )
        if LEVEL_ORDER.get(level, -1) >= LEVEL_ORDER["municipality"]:
            per_category.append(intervals)
    if not per_category:
        raise NoCoverage(f"{source} does not cover this outcome in {unit} at municipality level")
    first, last = period_bounds(window[0])[0], period_bounds(window[1])[1]
    months = periods_between(first, last, Period.MONTH)
    kept = [m for m in months if all(covered(i, *period_bounds(m)) == "full" for i in per_category)]
    return kept, [m for m in months if m not in set(kept)], lines


def build_panel(
    store: Store,
    categories: tuple[Category, ...],
    source: str,
    window: tuple[str, str],
    unit: str | None = None,
) -> Panel:
    """Counts of ``categories`` from ``source`` for every current municipality and covered month
    of ``window`` ("YYYY-MM", "YYYY-MM"): events located only to a department or the country, or
    dated only to a year, cannot be placed in a municipality-month and are left out."""
    import pandas as pd

    unit = unit or choose_unit(store, categories, source)
    months, excluded, lines = covered_months(store, categories, source, unit, window)
    if not months:
        raise NoCoverage(f"{source} covers no month of {window[0]}..{window[1]} for this outcome")
    with store.read() as db:
        counts = db.execute(
            """SELECT territory_code AS code, strftime(date_first, '%Y-%m') AS month,
                      sum(count) AS count
               FROM observations
               WHERE source = $source AND unit = $unit AND territory_level = 'municipality'
                 AND date_precision IN ('day', 'month')
                 AND category IN (SELECT unnest($categories::VARCHAR[]))
                 AND strftime(date_first, '%Y-%m') IN (SELECT unnest($months::VARCHAR[]))
               GROUP BY ALL""",
            {
                "source": source,
                "unit": unit,
                "categories": [c.value for c in categories],
                "months": months,
            },
        ).df()
        codes = [
            r[0]
            for r in db.execute(
                "SELECT code FROM territories WHERE level = 'municipality' AND successor IS NULL "
                "ORDER BY code"
            ).fetchall()
        ]
    grid = pd.MultiIndex.from_product([codes, months], names=["code", "month"]).to_frame(
        index=False
    )
    frame = grid.merge(counts, how="left", on=["code", "month"]).fillna({"count": 0.0})
    frame["t"] = frame["month"].map(month_index)
    return Panel(frame, source, unit, categories, months, lines, excluded)


# --- treatment -------------------------------------------------------------------------------


def expand(scope: Iterable[str], codes: Iterable[str]) -> set[str]:
    """Municipality codes a scope names: "CO" all, a department its municipalities, or one."""
    scope, pool = set(scope), list(codes)
    if "CO" in scope:
        return set(pool)
    return {c for c in pool if c in scope or c[:2] in scope}


def presence_codes(presence: Iterable[Any] | None) -> set[str] | None:
    """Territory codes from presence records (anything with ``territory_code``) or plain codes."""
    if presence is None:
        return None
    return {getattr(item, "territory_code", item) for item in presence}


def treated_by_month(
    ceasefire: Ceasefire,
    months: list[str],
    codes: Iterable[str],
    presence: Iterable[Any] | None = None,
) -> dict[str, set[str]]:
    """month → municipalities where the ceasefire was in force (and not suspended) on the 15th,
    limited to the parties' presence when given (department or municipality codes)."""
    pool = list(codes)
    present = presence_codes(presence)
    limit = expand(present, pool) if present is not None else None
    result = {}
    for month in months:
        year, number = (int(x) for x in month.split("-"))
        state = state_on(ceasefire, dt.date(year, number, 15))
        active = expand(state.in_force, pool) - expand(state.suspended, pool)
        result[month] = active & limit if limit is not None else active
    return result


def adjacency(store: Store) -> dict[str, set[str]]:
    """Municipality → municipalities it borders, from the stored boundaries (a hair's buffer
    closes the slivers simplified polygons leave between true neighbours)."""
    import shapely

    from peacemonitor.boundaries import geometries
    from peacemonitor.model import TerritoryLevel

    shapes = geometries(store, TerritoryLevel.MUNICIPALITY, "full")
    shapes = shapes or geometries(store, TerritoryLevel.MUNICIPALITY, "light")
    if not shapes:
        raise NoCoverage("no municipal boundaries loaded: `peacemonitor data load` them first")
    codes = list(shapes)
    polygons = shapely.buffer(list(shapes.values()), 0.0005)
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    found: dict[str, set[str]] = {code: set() for code in codes}
    for a, b in zip(left, right, strict=True):
        if a != b:
            found[codes[a]].add(codes[b])
    return found


def assign(
    panel: Panel, treated: Mapping[str, set[str]], neighbours: Mapping[str, set[str]]
) -> pd.DataFrame:
    """The panel with ``treated`` (0/1 that month), ``role`` (treated, neighbour, control: fixed
    per unit — ever treated, bordering one, or neither), ``cohort`` (first treated t) and
    ``exposed`` (a neighbour in a month a bordering municipality was treated)."""
    frame = panel.frame.copy()
    pairs = {(code, month) for month, codes in treated.items() for code in codes}
    keys = zip(frame["code"], frame["month"], strict=True)
    frame["treated"] = [int(key in pairs) for key in keys]
    ever = set(frame.loc[frame["treated"] == 1, "code"])
    near = {n for code in ever for n in neighbours.get(code, ())} - ever
    frame["role"] = [
        TREATED if c in ever else NEIGHBOUR if c in near else CONTROL for c in frame["code"]
    ]
    first = frame[frame["treated"] == 1].groupby("code")["t"].min()
    frame["cohort"] = frame["code"].map(first).astype("float")
    exposed = {
        (n, month) for month, codes in treated.items() for c in codes for n in neighbours.get(c, ())
    }
    rows = zip(frame["code"], frame["month"], frame["role"], strict=True)
    frame["exposed"] = [int(role == NEIGHBOUR and (c, m) in exposed) for c, m, role in rows]
    return frame
