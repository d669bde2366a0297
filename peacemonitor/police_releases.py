"""The two Police releases side by side: the datos.gov.co exports (one row per day and
municipality, to May 2022) and the later group-by aggregates (by municipality or department and
year, to 2026).

The publisher revises its figures, so the two never quite agree; summing them would double
count, and picking one silently would hide the revision. This module shows, for the years both
cover whole, each release's figure and the difference — by year nationally, or by department or
municipality — with the files each figure comes from.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from peacemonitor.coverage import merge, spans
from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import Category
from peacemonitor.store import Store

EXPORTS = "police-datos-gov"
AGGREGATES = (
    "police-aggregates-municipality",
    "police-aggregates-department",
    "police-aggregates-national",
)
_LEVELS = ("country", "department", "municipality")


class ReconcileLevel(StrEnum):
    NATIONAL = "national"
    DEPARTMENT = "department"
    MUNICIPALITY = "municipality"


_CODE_SQL = {
    ReconcileLevel.NATIONAL: "'CO'",
    ReconcileLevel.DEPARTMENT: "substr(territory_code, 1, 2)",
    ReconcileLevel.MUNICIPALITY: "territory_code",
}
_STORED_LEVEL = {
    ReconcileLevel.NATIONAL: "country",
    ReconcileLevel.DEPARTMENT: "department",
    ReconcileLevel.MUNICIPALITY: "municipality",
}


class NothingToReconcile(PeacemonitorError):
    """One of the two releases is missing, or they share no whole year at that level."""


class Release(BaseModel):
    """One imported file a figure comes from."""

    source: str
    file: str
    sha256: str
    imported_at: dt.datetime


class Difference(BaseModel):
    """One territory and year: each release's figure and how far the aggregates moved."""

    territory_code: str
    territory_name: str | None
    year: int
    exports: float
    aggregates: float
    difference: float
    percent: float | None


class Reconciliation(BaseModel):
    """Everything `reconcile-police` shows: which releases, which years, which differences."""

    category: str
    unit: str
    level: str
    exports_source: str
    aggregates_source: str
    first_year: int
    last_year: int
    releases: list[Release]
    differences: list[Difference]


def reconcile_police(
    store: Store,
    category: Category,
    level: ReconcileLevel = ReconcileLevel.NATIONAL,
    aggregates: str | None = None,
    changed_only: bool = False,
) -> Reconciliation:
    """Exports against aggregates for ``category`` at ``level``, for every whole year both
    cover; rows ordered by year (national) or by the size of the difference. A territory-year
    either release lacks counts 0 there (both cover the year at that level)."""
    source = aggregates or _aggregate_source(store, category)
    first, last, unit = _overlap(store, category, source, level)
    with store.read() as db:
        found = _counts(db, category, (EXPORTS, source), level, first, last)
        names = dict(db.execute("SELECT code, name FROM territories").fetchall())
    differences = [_difference(key, sides, names) for key, sides in sorted(found.items())]
    if changed_only:
        differences = [d for d in differences if d.difference]
    if level is not ReconcileLevel.NATIONAL:
        differences.sort(key=lambda d: (-abs(d.difference), d.territory_code, d.year))
    return Reconciliation(
        category=category.value,
        unit=unit,
        level=level.value,
        exports_source=EXPORTS,
        aggregates_source=source,
        first_year=first,
        last_year=last,
        releases=releases(store, category, (EXPORTS, source)),
        differences=differences,
    )


def _aggregate_source(store: Store, category: Category) -> str:
    """The finest aggregate source holding the category."""
    held = {key[0] for key in spans(store) if key[1] == category.value}
    for source in AGGREGATES:
        if source in held:
            return source
    raise NothingToReconcile(
        f"no Police aggregates of {category.value} in the store (import them with "
        "`peacemonitor import table … --mapping docs/mappings/police-…yaml`)"
    )


def _overlap(
    store: Store, category: Category, aggregates: str, level: ReconcileLevel
) -> tuple[int, int, str]:
    """(first year, last year, unit) that both releases cover whole, at a level both reach."""
    covered = spans(store)
    years: list[set[int]] = []
    units: set[str] = set()
    for source in (EXPORTS, aggregates):
        found = [
            (k, v)
            for k, v in covered.items()
            if k[0] == source and k[1] == category.value and k[3] == "CO"
        ]
        if not found:
            raise NothingToReconcile(f"{source} holds no {category.value}")
        (_, _, unit, _), items = found[0]
        units.add(unit)
        reach = max(_LEVELS.index(lvl) for _, lvl in items)
        if reach < _LEVELS.index(_STORED_LEVEL[level]):
            raise NothingToReconcile(
                f"{source} holds {category.value} only down to {_LEVELS[reach]}: "
                f"compare at that level"
            )
        years.append(_whole_years(merge(interval for interval, _ in items)))
    if len(units) > 1:
        raise NothingToReconcile(f"the two releases count different units: {sorted(units)}")
    common = years[0] & years[1]
    if not common:
        raise NothingToReconcile(f"{EXPORTS} and {aggregates} share no whole year")
    return min(common), max(common), units.pop()


def _whole_years(intervals: list[tuple[dt.date, dt.date]]) -> set[int]:
    years: set[int] = set()
    for first, last in intervals:
        start = first.year if first <= dt.date(first.year, 1, 1) else first.year + 1
        end = last.year if last >= dt.date(last.year, 12, 31) else last.year - 1
        years.update(range(start, end + 1))
    return years


def _counts(
    db: Any,
    category: Category,
    sources: tuple[str, str],
    level: ReconcileLevel,
    first: int,
    last: int,
) -> dict[tuple[str, int], dict[str, float]]:
    finer = _LEVELS[_LEVELS.index(_STORED_LEVEL[level]) :]
    rows = db.execute(
        f"""
        SELECT {_CODE_SQL[level]} AS code, year(date_first) AS year, source, sum(count)
        FROM observations
        WHERE category = ? AND source IN (?, ?) AND year(date_first) BETWEEN ? AND ?
          AND territory_level IN (SELECT unnest(?::VARCHAR[]))
          AND (territory_level <> 'country' OR territory_code = 'CO')
        GROUP BY ALL
        """,
        [category.value, *sources, first, last, list(finer)],
    ).fetchall()
    found: dict[tuple[str, int], dict[str, float]] = {}
    for code, year, source, total in rows:
        found.setdefault((code, year), {})[source] = float(total)
    return found


def _difference(key: tuple[str, int], sides: dict[str, float], names: dict[str, str]) -> Difference:
    code, year = key
    exports = sides.get(EXPORTS, 0.0)
    aggregates = next((v for s, v in sides.items() if s != EXPORTS), 0.0)
    difference = aggregates - exports
    return Difference(
        territory_code=code,
        territory_name=names.get(code),
        year=year,
        exports=exports,
        aggregates=aggregates,
        difference=difference,
        percent=round(100 * difference / exports, 2) if exports else None,
    )


def releases(store: Store, category: Category, sources: tuple[str, ...]) -> list[Release]:
    """The files of ``sources`` whose coverage includes the category, oldest first."""
    with store.read() as db:
        rows = db.execute(
            "SELECT source, file_name, file_sha256, started_at, coverage FROM imports "
            "WHERE kind = 'file' AND source IN (SELECT unnest(?::VARCHAR[])) "
            "AND observations_stored > 0 ORDER BY import_id",
            [list(sources)],
        ).fetchall()
    return [
        Release(source=source, file=file, sha256=sha, imported_at=started)
        for source, file, sha, started, coverage in rows
        if any(span["category"] == category.value for span in json.loads(coverage or "[]"))
    ]
