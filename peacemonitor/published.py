"""Published vs computed: each statistic in the registry beside what the monitor computes from
imported data for the same indicator, territory and period, with the reasons they may differ.

A published figure and a computed one rarely measure the same thing. The usual reasons are
definitions (a massacre of 3+ or 4+ victims; homicides as the Police or Medicina Legal count them),
periods (calendar year, or the government's year from 7 August), count vs rate (and which
population vintage), and revisions of the source. Each computed value is one source and one
unit, never a sum across sources; where no imported source covers the period it says "no data".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.areas import home_spans
from peacemonitor.coverage import LEVEL_ORDER, covered, merge
from peacemonitor.indicators import VintageInfo, choose_vintages
from peacemonitor.model import Category, Precision, Statistic, TerritoryLevel, territory_level
from peacemonitor.registry import Registry, date_key
from peacemonitor.store import Store

INAUGURATION = dt.date(2022, 8, 7)
GOVERNMENT_YEARS = 4
NO_DATA = "no data"

#: What each importable source counts, as its SOURCE.md and docs/categories.md say.
DEFINITIONS: dict[tuple[str, str], str] = {
    ("massacres", "massacre"): (
        "official list (Ministry of Defence / Police, datos.gov.co): a homicide of 3 or more "
        "people in one event"
    ),
    ("police", "homicide"): "Police (SIEDCO) homicide victims by municipality and day",
    ("leaders", "social-leader-killing"): (
        "social leaders killed, compiled by Datasketch from press, INDEPAZ and Somos Defensores"
    ),
}
#: Differences of definition the registry's sources document, by (category, publisher word).
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("homicide", "medicina legal"): (
        "definition: Medicina Legal counts more homicides than the Police, who exclude some "
        "categories (legitimate use of force, self-defence, 'preterintentional' homicides, later "
        "deaths in hospital) — source diariola-2025-03-15-cifras-violencia-homicida"
    ),
    ("massacre", "indepaz"): (
        "definition: the official list counts massacres of 3+ victims; the registry does not "
        "record INDEPAZ's own definition, and other counts (CNMH) use 4+ victims"
    ),
}


class Computed(BaseModel):
    """One source's value for one reading of the published period."""

    reading: str = Field(description="as published, government year N, or calendar YYYY")
    first: dt.date
    last: dt.date
    source: str
    unit: str
    definition: str | None
    count: float | None
    rate_per_100k: float | None = None
    population: int | None = None
    population_vintage: str | None = None
    value: float | None = Field(description="count, or rate when the published figure is a rate")
    coverage: str = Field(description="full, partial or no data")
    difference: float | None = Field(description="published minus computed")


class Reconciliation(BaseModel):
    statistic: str
    indicator: str
    statement: str
    category: Category | None
    territory: str
    period_start: str | None
    period_end: str | None
    published: float | None
    qualifier: str
    unit: str
    measure: str = Field(description="count or rate")
    publisher: str
    status: str = Field(description="computed, no data, or not computable")
    computed: list[Computed]
    reasons: list[str]


class YearReading(BaseModel):
    reading: str
    first: dt.date
    last: dt.date
    incidents: float | None
    victims: float | None
    coverage: str


class GovernmentYear(BaseModel):
    """The government's first year counted both ways, beside the published figure for it."""

    source: str
    definition: str | None
    readings: list[YearReading]
    published: list[Reconciliation]
    note: str


class ReconcileReport(BaseModel):
    rows: list[Reconciliation]
    government_year: GovernmentYear | None


# --- periods ---------------------------------------------------------------------------------


def government_year(number: int) -> tuple[dt.date, dt.date]:
    """Government year N: 7 August to 6 August (year 1 is 7 Aug 2022 – 6 Aug 2023)."""
    start = INAUGURATION.replace(year=INAUGURATION.year + number - 1)
    return start, start.replace(year=start.year + 1) - dt.timedelta(days=1)


def readings(statistic: Statistic) -> list[tuple[str, dt.date, dt.date]]:
    """The period as published, plus the government year when given as August to August."""
    start, end = statistic.period_start, statistic.period_end
    if start is None or end is None:
        return []
    found = [("as published", start.first, end.last)]
    if start.month == 8 and end.month == 8 and start.precision is Precision.MONTH:
        for number in range(1, GOVERNMENT_YEARS + 1):
            first, last = government_year(number)
            if first.year == start.year and last.year == end.year:
                found.append((f"government year {number}", first, last))
            elif first.year == start.year and end.year > last.year:
                span = government_year(end.year - start.year)[1]
                found.append((f"government years 1–{end.year - start.year}", first, span))
    return found


# --- what the store holds --------------------------------------------------------------------


def _territory_sql(code: str) -> tuple[str, dict[str, Any]]:
    level = territory_level(code)
    if level is TerritoryLevel.COUNTRY:
        return "NOT (territory_level = 'country' AND territory_code <> $code)", {"code": code}
    if level is TerritoryLevel.DEPARTMENT:
        return (
            "territory_level IN ('department', 'municipality') "
            "AND substr(territory_code, 1, 2) = $code",
            {"code": code},
        )
    return "territory_code = $code", {"code": code}


def observed_count(
    store: Store,
    category: str,
    source: str,
    unit: str,
    territory: str,
    first: dt.date,
    last: dt.date,
) -> float:
    """Sum of a source's observations inside the days: an event dated only to a month or a year
    counts when the whole month or year lies inside them."""
    where, params = _territory_sql(territory)
    sql = f"""
        SELECT coalesce(sum(count), 0) FROM observations
        WHERE category = $category AND source = $source AND unit = $unit AND {where}
          AND date_first BETWEEN $first AND $last
          AND (date_precision = 'day'
               OR (date_precision = 'month' AND last_day(date_first) <= $last)
               OR (date_precision = 'year' AND make_date(year(date_first), 12, 31) <= $last))
    """
    params |= {"category": category, "source": source, "unit": unit, "first": first, "last": last}
    with store.read() as db:
        row = db.execute(sql, params).fetchone()
    return float(row[0]) if row else 0.0


def population(store: Store, territory: str, year: int) -> tuple[int | None, str | None]:
    """The territory's population in ``year`` (summed over municipalities) and its vintage."""
    with store.read() as db:
        rows = db.execute(
            "SELECT vintage, census_base, first_year, last_year FROM population_vintages"
        ).fetchall()
        chosen = choose_vintages([VintageInfo(*r) for r in rows], [year]).get(year)
        if chosen is None:
            return None, None
        prefix = "" if territory_level(territory) is TerritoryLevel.COUNTRY else territory
        found = db.execute(
            "SELECT sum(population) FROM population WHERE vintage = ? AND year = ? "
            "AND length(code) = 5 AND starts_with(code, ?)",
            [chosen.name, year, prefix],
        ).fetchone()
    total = found[0] if found else None
    return (int(total) if total else None), chosen.name


# --- one statistic ---------------------------------------------------------------------------


def measure(statistic: Statistic) -> str:
    return "rate" if "per 100,000" in statistic.unit else "count"


def wanted_units(statistic: Statistic) -> tuple[str, ...]:
    """Observation units the published unit counts: incidents for "massacres", people
    (victims, deaths) otherwise."""
    text = f"{statistic.indicator} {statistic.unit}".lower()
    if "victims" in text or measure(statistic) == "rate":
        return ("victims", "deaths")
    if any(word in text for word in ("massacres", "incidents", "events", "cases")):
        return ("incidents", "events")
    return ("victims", "deaths")


def publisher(registry: Registry, statistic: Statistic) -> str:
    """Who counted it: the original publisher when learnt second-hand, else the document's."""
    for citation in statistic.sources:
        if citation.originally:
            return citation.originally
    source = registry.sources.get(statistic.sources[0].source)
    return source.publisher if source else statistic.sources[0].source


def _candidates(
    coverage: dict[tuple[str, str, str], list[tuple[tuple[dt.date, dt.date], str]]],
    statistic: Statistic,
) -> list[tuple[str, str, list[tuple[dt.date, dt.date]], str]]:
    """(source, unit, covered intervals, finest level) for each source observing the category."""
    assert statistic.category is not None
    found = []
    for (source, category, unit), items in sorted(coverage.items()):
        if category == statistic.category.value and unit in wanted_units(statistic):
            level = max((lvl for _, lvl in items), key=lambda lvl: LEVEL_ORDER.get(lvl, -1))
            found.append((source, unit, merge(i for i, _ in items), level))
    return found


def _computed(
    store: Store,
    statistic: Statistic,
    reading: tuple[str, dt.date, dt.date],
    candidate: tuple[str, str, list[tuple[dt.date, dt.date]], str],
) -> Computed:
    label, first, last = reading
    source, unit, intervals, level = candidate
    assert statistic.category is not None
    reaches = LEVEL_ORDER.get(level, -1) >= LEVEL_ORDER[territory_level(statistic.territory).value]
    status = (covered(intervals, first, last) if reaches else None) or NO_DATA
    result = Computed(
        reading=label,
        first=first,
        last=last,
        source=source,
        unit=unit,
        definition=DEFINITIONS.get((source, statistic.category.value)),
        count=None,
        value=None,
        coverage=status,
        difference=None,
    )
    if status == NO_DATA:
        return result
    count = observed_count(
        store, statistic.category.value, source, unit, statistic.territory, first, last
    )
    result.count = result.value = count
    if measure(statistic) == "rate":
        _add_rate(store, statistic, result)
    if result.value is not None and statistic.value is not None:
        result.difference = round(statistic.value - result.value, 3)
    return result


def _add_rate(store: Store, statistic: Statistic, result: Computed) -> None:
    """A rate only for a period inside one calendar year (one population figure)."""
    result.value = None
    if result.first.year != result.last.year or result.count is None:
        return
    people, vintage = population(store, statistic.territory, result.first.year)
    result.population, result.population_vintage = people, vintage
    if people:
        result.rate_per_100k = result.value = round(result.count * 100_000 / people, 3)


def reasons(registry: Registry, statistic: Statistic, computed: list[Computed]) -> list[str]:
    """The known reasons a published and a computed value differ, for this statistic."""
    found: list[str] = []
    who = publisher(registry, statistic).lower()
    category = statistic.category.value if statistic.category else ""
    found += [text for (cat, word), text in KNOWN_GAPS.items() if cat == category and word in who]
    sources = sorted({c.source for c in computed if c.coverage != NO_DATA})
    if sources:
        found.append(
            f"publisher: counted by {publisher(registry, statistic)}; computed from "
            + ", ".join(sources)
        )
    if any(c.reading.startswith("government year") for c in computed):
        found.append(
            "period: published as August to August (read as whole months); the government's "
            "year runs 7 August to 6 August"
        )
    if any(c.coverage == "partial" for c in computed):
        found.append("coverage: the source covers only part of the period")
    if measure(statistic) == "rate":
        vintages = sorted({c.population_vintage for c in computed if c.population_vintage})
        found.append(
            "rate: per 100,000 with population "
            + (", ".join(vintages) if vintages else "not available for the period")
        )
    if statistic.qualifier.value != "exact":
        found.append(f"qualifier: the published figure is '{statistic.qualifier.value}'")
    if statistic.note:
        found.append(f"registry note: {statistic.note}")
    return found


def reconcile_one(
    store: Store,
    registry: Registry,
    statistic: Statistic,
    coverage: dict[tuple[str, str, str], list[tuple[tuple[dt.date, dt.date], str]]],
) -> Reconciliation:
    computed: list[Computed] = []
    why: list[str] = []
    if statistic.category is None:
        why.append("not an observed indicator: the monitor imports no data for it")
    elif statistic.value is None:
        why.append("a direction without a number: nothing to compare")
    elif not readings(statistic):
        why.append("the publication gives no period")
    else:
        computed = [
            _computed(store, statistic, reading, candidate)
            for reading in readings(statistic)
            for candidate in _candidates(coverage, statistic)
        ]
        why = reasons(registry, statistic, computed)
    status = (
        "not computable"
        if not _has(statistic)
        else "computed"
        if any(c.coverage != NO_DATA for c in computed)
        else NO_DATA
    )
    return Reconciliation(
        statistic=statistic.id,
        indicator=statistic.indicator,
        statement=statistic.statement,
        category=statistic.category,
        territory=statistic.territory,
        period_start=str(statistic.period_start) if statistic.period_start else None,
        period_end=str(statistic.period_end) if statistic.period_end else None,
        published=statistic.value,
        qualifier=statistic.qualifier.value,
        unit=statistic.unit,
        measure=measure(statistic),
        publisher=publisher(registry, statistic),
        status=status,
        computed=computed,
        reasons=why,
    )


def _has(statistic: Statistic) -> bool:
    """Whether the statistic could be computed at all: a category, a value and a period."""
    return (
        statistic.category is not None and statistic.value is not None and bool(readings(statistic))
    )


# --- everything ------------------------------------------------------------------------------


def reconcile(
    store: Store,
    registry: Registry,
    indicator: str | None = None,
    computable_only: bool = False,
) -> ReconcileReport:
    """Every published statistic (or those of one indicator) beside what the monitor computes."""
    coverage = home_spans(store)
    chosen = sorted(
        (s for s in registry.statistics.values() if indicator in (None, s.indicator)),
        key=lambda s: (s.indicator, date_key(s.period_start), s.id),
    )
    rows = [reconcile_one(store, registry, s, coverage) for s in chosen]
    if computable_only:
        rows = [r for r in rows if r.status != "not computable"]
    return ReconcileReport(rows=rows, government_year=first_year_both_ways(store, registry, rows))


def first_year_both_ways(
    store: Store,
    registry: Registry,
    rows: Iterable[Reconciliation] = (),
    source: str = "massacres",
) -> GovernmentYear | None:
    """The official massacre list's first government year, and calendar 2022 and 2023, beside
    the registry's published figure for that year; None when the list is not imported."""
    coverage = home_spans(store)
    units = {u: merge(i for i, _ in items) for (s, c, u), items in coverage.items() if s == source}
    if not units:
        return None
    periods = [("government year 1", *government_year(1))] + [
        (f"calendar {y}", dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in (2022, 2023)
    ]
    readings_ = [_year_reading(store, source, units, *p) for p in periods]
    published = [
        r
        for r in rows
        if r.category is Category.MASSACRE
        and (r.period_start, r.period_end) == ("2022-08", "2023-08")
    ]
    first, last = government_year(1)
    return GovernmentYear(
        source=source,
        definition=DEFINITIONS.get((source, "massacre")),
        readings=readings_,
        published=published,
        note=(
            f"government year 1 is {first} to {last}; the published figure to compare with is "
            "the registry's count for August 2022 to August 2023"
            + ("" if published else " (none in the registry)")
        ),
    )


def _year_reading(
    store: Store,
    source: str,
    units: dict[str, list[tuple[dt.date, dt.date]]],
    label: str,
    first: dt.date,
    last: dt.date,
) -> YearReading:
    values: dict[str, float | None] = {}
    status = NO_DATA
    for unit in ("incidents", "victims"):
        state = covered(units.get(unit, []), first, last)
        values[unit] = (
            observed_count(store, "massacre", source, unit, "CO", first, last) if state else None
        )
        status = state or status
    return YearReading(
        reading=label,
        first=first,
        last=last,
        incidents=values["incidents"],
        victims=values["victims"],
        coverage=status,
    )
