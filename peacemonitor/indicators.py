"""Indicators: counts of one category by territory and period, per source, with rates.

Three rules shape every row:

- sources are never summed together, nor units (a massacre list's incidents and victims are two
  rows), so ``count`` is always in the stated ``unit`` of one ``source``;
- a period a source does not cover is absent ("no data"), never 0; a covered period with no
  event is 0 — for every territory of the level, when the source reaches that level. A period
  only partly covered says so in ``note``;
- a rate names its population vintage, is NULL when the population is 0 or missing, and a
  territory's series that changes population vintage — DANE's 2005-census projections end in
  2017, the 2018-census ones start in 2018 — is flagged in ``note`` where it changes.

Monthly rates divide a month's count by that year's population (not annualised).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from peacemonitor.coverage import LEVEL_ORDER, covered, merge, spans
from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import COUNTRY_CODE, Category, PartialDate, TerritoryLevel
from peacemonitor.store import Store

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

COLUMNS = (
    "territory_code",
    "territory_name",
    "period",
    "source",
    "unit",
    "count",
    "population",
    "population_vintage",
    "rate_per_100k",
    "note",
)
COUNTRY = COUNTRY_CODE


Level = TerritoryLevel
"""The old name here of the one territory-level enum, kept for callers written against it."""


class Period(StrEnum):
    MONTH = "month"
    YEAR = "year"


class NoObservations(PeacemonitorError):
    """Nothing imported for that category (and source)."""


_CODE_SQL = {
    TerritoryLevel.COUNTRY: f"'{COUNTRY}'",
    TerritoryLevel.DEPARTMENT: "substr(territory_code, 1, 2)",
    TerritoryLevel.MUNICIPALITY: "territory_code",
}
_LEVEL_SQL = {
    TerritoryLevel.COUNTRY: f"NOT (territory_level = 'country' AND territory_code <> '{COUNTRY}')",
    TerritoryLevel.DEPARTMENT: "territory_level IN ('department', 'municipality')",
    TerritoryLevel.MUNICIPALITY: "territory_level = 'municipality'",
}
_PERIOD_SQL = {
    Period.MONTH: "strftime(date_first, '%Y-%m')",
    Period.YEAR: "CAST(year(date_first) AS VARCHAR)",
}


@dataclass(frozen=True)
class Query:
    """One indicator request, as the CLI and the API take it."""

    category: Category
    level: TerritoryLevel = TerritoryLevel.COUNTRY
    by: Period = Period.YEAR
    start: PartialDate | None = None
    end: PartialDate | None = None
    source: str | None = None
    population_vintage: str | None = None
    min_victims: int | None = None  # only events with this many victims (massacre definitions)
    # One territory of the level only (its code): the same rows as the whole level's, filtered.
    territory: str | None = None

    @property
    def first(self) -> dt.date:
        return self.start.first if self.start else dt.date(1, 1, 1)

    @property
    def last(self) -> dt.date:
        return self.end.last if self.end else dt.date(9999, 12, 31)


class LevelNotIndicated(PeacemonitorError):
    """A level indicators are not computed at (a cluster of municipalities is a source's own
    territory, stored as such, not a level every place belongs to)."""


INDICATOR_LEVELS = tuple(_CODE_SQL)


def indicator(store: Store, query: Query) -> pd.DataFrame:
    """The indicator table (columns COLUMNS), sorted by territory, period, source and unit."""
    import pandas as pd

    if query.level not in _CODE_SQL:
        levels = ", ".join(level.value for level in INDICATOR_LEVELS)
        raise LevelNotIndicated(f"indicators are by {levels}, not {query.level.value}")
    with store.read() as db:
        counts = _counts(db, query)
        if counts.empty:
            what = f" from {query.source}" if query.source else ""
            raise NoObservations(f"no {query.category.value} observations{what} in the store")
        territories = _territories(db, query.level)
        if query.territory is not None:
            territories = {c: n for c, n in territories.items() if c == query.territory}
        vintages = _vintages(db, query.population_vintage)
        frame = _fill(counts, _coverage(store, query), territories, query)
        frame = _with_population(db, frame, vintages, query)
    frame["territory_name"] = frame["territory_code"].map(territories).astype(object)
    frame["note"] = _notes(frame)
    frame = frame.sort_values(["territory_code", "period", "source", "unit"], ignore_index=True)
    frame["population"] = frame["population"].astype("Int64")
    return pd.DataFrame(frame[list(COLUMNS)])


def _counts(db: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    precision = "date_precision <> 'year'" if query.by is Period.MONTH else "true"
    sql = f"""
        SELECT {_CODE_SQL[query.level]} AS territory_code, {_PERIOD_SQL[query.by]} AS period,
               source, unit, sum(count) AS count
        FROM observations
        WHERE category = $category AND {_LEVEL_SQL[query.level]} AND {precision}
          AND date_first BETWEEN $first AND $last
          {"AND source = $source" if query.source else ""}
          {_MIN_VICTIMS_SQL if query.min_victims else ""}
          {f"AND {_CODE_SQL[query.level]} = $territory" if query.territory else ""}
        GROUP BY ALL
    """
    params: dict[str, Any] = {
        "category": query.category.value,
        "first": query.first,
        "last": query.last,
    }
    if query.source:
        params["source"] = query.source
    if query.min_victims:
        params["min_victims"] = query.min_victims
    if query.territory:
        params["territory"] = query.territory
    return db.execute(sql, params).df()


# An event's victims are its own observation (part "victims"): keep every part of the events
# with at least that many, so incidents and victims answer the same definition.
_MIN_VICTIMS_SQL = """
          AND EXISTS (SELECT 1 FROM observations v WHERE v.source = observations.source
                      AND v.record_id = observations.record_id AND v.category = $category
                      AND v.unit = 'victims' AND v.count >= $min_victims)
"""


def _territories(db: duckdb.DuckDBPyConnection, level: TerritoryLevel) -> dict[str, str]:
    """Current territories of the level (absorbed codes excluded) → official name."""
    if level is TerritoryLevel.COUNTRY:
        found = db.execute("SELECT name FROM territories WHERE code = ?", [COUNTRY]).fetchall()
        return {COUNTRY: found[0][0] if found else "Colombia"}
    rows = db.execute(
        "SELECT code, name FROM territories WHERE level = ? AND successor IS NULL",
        [level.value],
    ).fetchall()
    return dict(rows)


# --- zeros and "no data" ---------------------------------------------------------------------


def _coverage(store: Store, query: Query) -> dict[tuple[str, str], tuple[list[Any], str]]:
    """(source, unit) → (merged covered intervals, finest level) for the category."""
    found = {}
    for (source, category, unit, country), items in spans(store).items():
        if country != COUNTRY or category != query.category.value:
            continue
        if query.source and source != query.source:
            continue
        level = max((lvl for _, lvl in items), key=lambda lvl: LEVEL_ORDER.get(lvl, -1))
        found[(source, unit)] = (merge(interval for interval, _ in items), level)
    return found


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """ "2024-03" → (1 March, 31 March 2024); "2024" → the whole year."""
    parsed = PartialDate.parse(period)
    return parsed.first, parsed.last


def periods_between(first: dt.date, last: dt.date, by: Period) -> list[str]:
    """Every period label from the one holding ``first`` to the one holding ``last``."""
    if by is Period.YEAR:
        return [str(year) for year in range(first.year, last.year + 1)]
    labels, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def _fill(
    counts: pd.DataFrame,
    coverage: dict[tuple[str, str], tuple[list[Any], str]],
    territories: dict[str, str],
    query: Query,
) -> pd.DataFrame:
    """Add a 0 for every territory and covered period without an event (when the source
    reaches the level), and the coverage of each row's period ('full' or 'partial')."""
    import pandas as pd

    wanted = LEVEL_ORDER[query.level.value]
    frames, status_of = [counts], {}
    for (source, unit), (intervals, level) in coverage.items():
        first, last = max(intervals[0][0], query.first), min(intervals[-1][1], query.last)
        labels = periods_between(first, last, query.by) if first <= last else []
        status = {p: covered(intervals, *period_bounds(p)) for p in labels}
        status_of[(source, unit)] = status = {p: s for p, s in status.items() if s}
        if LEVEL_ORDER.get(level, -1) >= wanted and status and territories:
            grid = pd.MultiIndex.from_product(
                [sorted(territories), sorted(status)], names=["territory_code", "period"]
            ).to_frame(index=False)
            frames.append(grid.assign(source=source, unit=unit, count=0.0))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.drop_duplicates(["territory_code", "period", "source", "unit"], keep="first")
    keys = zip(frame["source"], frame["unit"], frame["period"], strict=True)
    frame["coverage"] = [status_of.get((s, u), {}).get(p) for s, u, p in keys]
    return frame.reset_index(drop=True)


# --- population ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VintageInfo:
    name: str
    census_base: str
    first_year: int
    last_year: int

    @property
    def base_year(self) -> int:
        found = re.search(r"\d{4}", self.census_base)
        return int(found.group()) if found else 0


def _vintages(db: duckdb.DuckDBPyConnection, chosen: str | None) -> list[VintageInfo]:
    rows = db.execute(
        "SELECT vintage, census_base, first_year, last_year FROM population_vintages "
        "ORDER BY first_year, last_year, vintage"
    ).fetchall()
    found = [VintageInfo(*row) for row in rows]
    if chosen is None:
        return found
    picked = [v for v in found if v.name == chosen]
    if not picked:
        known = ", ".join(v.name for v in found) or "none loaded"
        raise PeacemonitorError(f"population vintage {chosen!r} is not loaded (known: {known})")
    return picked


def choose_vintages(vintages: list[VintageInfo], years: Iterable[int]) -> dict[int, VintageInfo]:
    """A vintage per year, the same whatever the query's window: the latest census base
    covering the year, and among vintages on that base the one covering most of the years
    where that base is the latest (fewest switches in a long series), then the later series.
    """
    span = range(
        min((v.first_year for v in vintages), default=0),
        max((v.last_year for v in vintages), default=-1) + 1,
    )
    covering = {y: [v for v in vintages if v.first_year <= y <= v.last_year] for y in span}
    base = {y: max(v.base_year for v in c) for y, c in covering.items() if c}
    reach = {
        v.name: sum(
            1 for y, b in base.items() if b == v.base_year and v.first_year <= y <= v.last_year
        )
        for v in vintages
    }
    chosen = {}
    for year in set(years):
        best = [v for v in covering.get(year, []) if v.base_year == base.get(year)]
        if best:
            chosen[year] = max(best, key=lambda v: (reach[v.name], v.first_year, v.name))
    return chosen


def _with_population(
    db: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    vintages: list[VintageInfo],
    query: Query,
) -> pd.DataFrame:
    years = frame["period"].str.slice(0, 4).astype(int)
    chosen = choose_vintages(vintages, [*years, *(years - 1)])
    starts_year = ~frame["period"].str.contains("-") | frame["period"].str.endswith("-01")
    before = (years - 1).where(starts_year, years)  # the year whose vintage this one follows
    frame = frame.assign(
        year=years,
        population_vintage=years.map(lambda y: chosen[y].name if y in chosen else None),
        census_base=years.map(lambda y: chosen[y].census_base if y in chosen else None),
        previous_vintage=before.map(lambda y: chosen[y].name if y in chosen else None),
        previous_base=before.map(lambda y: chosen[y].census_base if y in chosen else None),
    )
    if not chosen:
        return frame.assign(population=None, rate_per_100k=None)
    population = db.execute(
        "SELECT vintage AS population_vintage, code AS territory_code, year, population "
        "FROM population WHERE vintage IN (SELECT unnest(?::VARCHAR[]))",
        [sorted({v.name for v in chosen.values()})],
    ).df()
    frame = frame.merge(population, how="left", on=["population_vintage", "territory_code", "year"])
    positive = frame["population"].where(frame["population"] > 0)
    frame["rate_per_100k"] = (frame["count"] * 100_000 / positive).round(3)
    frame["rate_per_100k"] = frame["rate_per_100k"].astype(object).where(positive.notna(), None)
    return frame


def _notes(frame: pd.DataFrame) -> list[str | None]:
    """'partial period' and the population series change, where they apply: the change is noted
    on the first period of the year whose vintage differs from the year before's, whatever the
    window asked (it compares with the vintage chosen for that year, not with the row above)."""
    notes = []
    for row in frame.itertuples(index=False):
        parts = []
        if row.coverage == "partial":
            parts.append("partial period: the source covers only part of it")
        change = _vintage_change(
            row.previous_vintage, row.previous_base, row.population_vintage, row.census_base
        )
        if change:
            parts.append(change)
        notes.append("; ".join(parts) or None)
    return notes


def _vintage_change(before: Any, before_base: Any, now: Any, now_base: Any) -> str | None:
    if _missing(before) or _missing(now) or before == now:
        return None
    if before_base != now_base:
        return (
            f"population series change: {before} ({before_base}) → {now} ({now_base}); "
            "rates not comparable across"
        )
    return f"population vintage change: {before} → {now}"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as JSON-ready rows: whole counts as integers, missing values as None."""
    rows = []
    for row in frame.to_dict("records"):
        clean = {k: (None if _missing(v) else v) for k, v in row.items()}
        for whole in ("count", "change"):
            value = clean.get(whole)
            if isinstance(value, float) and value.is_integer():
                clean[whole] = int(value)
        population = clean.get("population")
        if population is not None:
            clean["population"] = int(population)
        rows.append(clean)
    return rows


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str | list) and bool(pd.isna(value)))


# --- choosing and comparing rows ----------------------------------------------------------------


class SortKey(StrEnum):
    """What `--sort` and `--top` order territories by, highest first."""

    COUNT = "count"
    RATE = "rate"
    CHANGE = "change"


_SORT_COLUMN = {SortKey.COUNT: "count", SortKey.RATE: "rate_per_100k", SortKey.CHANGE: "change"}


def only_territories(frame: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """The rows of these territory codes (already resolved to the query's level)."""
    wanted = set(codes)
    return frame[frame["territory_code"].isin(wanted)].reset_index(drop=True)


def with_change(frame: pd.DataFrame, against: str | None = None) -> pd.DataFrame:
    """Add ``change`` (count minus the reference's) and ``change_pct``: the reference is each
    row's previous period of the same territory, source and unit — or, with ``against``, that
    named period. A reference with no data (no row) gives no change, never a change from 0."""
    keys = ["territory_code", "source", "unit"]
    ordered = frame.sort_values([*keys, "period"])
    if against is None:
        before = ordered.groupby(keys, sort=False)["count"].shift(1).where(_consecutive(ordered))
    else:
        base = ordered.loc[ordered["period"] == against, [*keys, "count"]]
        base = base.rename(columns={"count": "_base"})
        before = ordered[keys].merge(base, how="left", on=keys)["_base"].set_axis(ordered.index)
        before = before.where(ordered["period"] != against)
    out = frame.copy()
    out["change"] = (ordered["count"] - before).reindex(frame.index)
    pct = (ordered["count"] - before) * 100 / before.where(before > 0)
    out["change_pct"] = pct.round(1).reindex(frame.index)
    return out


def indicator_with_change(store: Store, query: Query, against: str | None = None) -> pd.DataFrame:
    """The indicator with its ``change`` column, read one period earlier than ``query.start``
    (or from ``against``) so that the first period shown has its reference, then trimmed."""
    if query.start is None:
        return with_change(indicator(store, query), against)
    first = period_label(query.start, query.by)
    reference = against if against is not None else previous_period(first)
    earlier = PartialDate.parse(min(reference, first))
    frame = with_change(indicator(store, replace(query, start=earlier)), against)
    return frame[frame["period"] >= first].reset_index(drop=True)


def period_label(date: PartialDate, by: Period) -> str:
    """The label of the first period (a year or a month) that ``date`` begins."""
    first = date.first
    return str(first.year) if by is Period.YEAR else f"{first.year:04d}-{first.month:02d}"


def previous_period(label: str) -> str:
    """'2024' → '2023'; '2024-01' → '2023-12'."""
    return _previous_label(label)


def _consecutive(ordered: pd.DataFrame) -> pd.Series:
    """Whether each row's previous row (same territory, source, unit) is the period just before:
    a gap means the period in between had no data, and there is nothing to compare with."""
    import pandas as pd

    labels = ordered["period"]
    previous = ordered.groupby(["territory_code", "source", "unit"], sort=False)["period"].shift(1)
    expected = [_previous_label(label) for label in labels]
    return pd.Series([p == e for p, e in zip(previous, expected, strict=True)], index=ordered.index)


def _previous_label(label: str) -> str:
    if "-" not in label:
        return str(int(label) - 1)
    year, month = (int(part) for part in label.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def top(frame: pd.DataFrame, key: SortKey, n: int | None = None) -> pd.DataFrame:
    """Rows ordered by ``key``, highest first (missing values last); the first ``n`` if given."""
    column = _SORT_COLUMN[key]
    if column not in frame:
        frame = with_change(frame)
    values = frame[column].astype("Float64")
    ordered = frame.assign(_key=values).sort_values(
        ["_key", "territory_code", "period"], ascending=[False, True, True], na_position="last"
    )
    ordered = ordered.drop(columns="_key").reset_index(drop=True)
    return ordered.head(n) if n is not None else ordered


def territory_names(store: Store) -> dict[str, str]:
    """Every territory code the store can name (DIVIPOLA loaded), else an empty mapping: what
    the CLI and pages print beside codes."""
    with store.read() as db:
        return dict(db.execute("SELECT code, name FROM territories").fetchall())
