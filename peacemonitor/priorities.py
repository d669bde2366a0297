"""Regional priorities: where could a regional deal do most good, and work?

A documented index per department or municipality, the weighted mean of six components scored
0–1 (a component without data is left out, and shown as such):

- violence: for each outcome (homicides and each view of violence) with a source covering the
  whole year at municipality level, the territory's rate per 100,000 as a percentile among all
  territories; the mean of those percentiles;
- population: the territory's population as a percentile;
- fragmentation: 1 / (armed groups present), 0 where no group is recorded (nothing to negotiate):
  one group is easier to deal with than five;
- tables: active tables whose territory reaches it, over the most any territory has;
- seriousness: the mean scorecard score of the groups at those tables present there;
- implementation: the mean level / 3 of the coded provisions of those tables' agreements.

Higher is a higher priority. The weights are data (``--weights``) and printed with the ranking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.areas import coverage_of, municipalities, sources_for, table_area
from peacemonitor.coverage import covered
from peacemonitor.implementation import count_levels
from peacemonitor.indicators import VintageInfo, choose_vintages
from peacemonitor.model import Category, PartyRole, TableStatus
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.tables import summary_on
from peacemonitor.vacuum import present_by_municipality
from peacemonitor.views import VIEW_CATEGORIES
from peacemonitor.weights import weighted_mean

WEIGHTS: dict[str, float] = {
    "violence": 0.3,
    "population": 0.15,
    "fragmentation": 0.15,
    "tables": 0.15,
    "seriousness": 0.15,
    "implementation": 0.1,
}
ACTIVE = (TableStatus.EXPLORATORY, TableStatus.INSTALLED, TableStatus.RESUMED)
OUTCOMES: dict[str, tuple[Category, ...]] = {
    "homicide": (Category.HOMICIDE,),
    **{view.value: cats for view, cats in VIEW_CATEGORIES.items()},
}


class PriorityComponent(BaseModel):
    name: str
    weight: float
    value: float | None = Field(description="the raw measure (a rate, a count, a mean)")
    score: float | None = Field(description="0–1; null is no data")
    detail: str
    parts: dict[str, float | None] = Field(
        default={},
        description="what the detail lists, by name: outcome → rate percentile, group → "
        "seriousness (null: no data), group or table → null; for drawing it in any language",
    )


class Priority(BaseModel):
    rank: int
    code: str
    name: str | None
    index: float | None
    components: list[PriorityComponent]


class Priorities(BaseModel):
    level: str
    year: int
    as_of: dt.date
    weights: dict[str, float]
    outcomes: dict[str, str] = Field(description="outcome → the source used (or 'no data')")
    rows: list[Priority]


def _key(code: str, level: str) -> str:
    return code[:2] if level == "department" else code


def territory_names(store: Store, level: str) -> dict[str, str]:
    with store.read() as db:
        rows = db.execute(
            "SELECT code, name FROM territories WHERE level = ? AND successor IS NULL", [level]
        ).fetchall()
    return dict(rows)


def outcome_counts(
    store: Store, categories: tuple[Category, ...], year: int, level: str
) -> tuple[str | None, dict[str, float]]:
    """(source, territory → count) from the first source covering the whole year, or None."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for source, unit in sources_for(store, categories):
        if covered(coverage_of(store, categories, source, unit), first, last) != "full":
            continue
        with store.read() as db:
            rows = db.execute(
                """
                SELECT territory_code, sum(count) FROM observations
                WHERE source = ? AND unit = ? AND territory_level = 'municipality'
                  AND category IN (SELECT unnest(?::VARCHAR[]))
                  AND date_first BETWEEN ? AND ? GROUP BY ALL
                """,
                [source, unit, [c.value for c in categories], first, last],
            ).fetchall()
        found: dict[str, float] = {}
        for code, count in rows:
            found[_key(code, level)] = found.get(_key(code, level), 0.0) + float(count)
        return source, found
    return None, {}


def populations(store: Store, year: int, level: str) -> dict[str, int]:
    with store.read() as db:
        rows = db.execute(
            "SELECT vintage, census_base, first_year, last_year FROM population_vintages"
        ).fetchall()
        chosen = choose_vintages([VintageInfo(*r) for r in rows], [year]).get(year)
        if chosen is None:
            return {}
        found = db.execute(
            "SELECT code, population FROM population WHERE vintage = ? AND year = ? "
            "AND length(code) = 5",
            [chosen.name, year],
        ).fetchall()
    total: dict[str, int] = {}
    for code, people in found:
        total[_key(code, level)] = total.get(_key(code, level), 0) + int(people or 0)
    return total


def percentiles(values: dict[str, float]) -> dict[str, float]:
    """Each value's percentile rank among all (ties share the average rank), 0–1."""
    import pandas as pd

    if not values:
        return {}
    series = pd.Series(values, dtype=float)
    return {k: round(float(v), 4) for k, v in series.rank(pct=True).items()}


def _table_groups(registry: Registry, table_id: str) -> list[str]:
    return [p.actor for p in registry.tables[table_id].parties if p.role is PartyRole.ARMED_GROUP]


def active_tables(
    store: Store, registry: Registry, day: dt.date, known: set[str], level: str
) -> dict[str, set[str]]:
    """Territory → active tables whose territory reaches it that day."""
    found: dict[str, set[str]] = {}
    for table in registry.tables.values():
        state = summary_on(table, day)
        if state is None or state.status not in ACTIVE:
            continue
        for code in table_area(store, registry, table, day, known):
            found.setdefault(_key(code, level), set()).add(table.id)
    return found


def implementation_level(
    registry: Registry, table_ids: Iterable[str], day: dt.date
) -> float | None:
    """Mean coded level (0–3) at ``day`` of the tables' provisions; None when none is coded."""
    levels = []
    for agreement in registry.agreements.values():
        if agreement.table not in set(table_ids):
            continue
        for provision in agreement.provisions:
            steps = [s for s in provision.implementation if s.as_of.first <= day]
            if steps:
                levels.append(int(max(steps, key=lambda s: s.as_of.first).level))
    count_levels(levels)  # validates the levels are on the scale
    return sum(levels) / len(levels) if levels else None


def seriousness_scores(
    store: Store, registry: Registry, groups: Iterable[str], year: int
) -> dict[str, float | None]:
    from peacemonitor.scorecard import scorecard

    return {
        g: scorecard(store, registry, g, range(year, year + 1)).years[0].score
        for g in sorted(set(groups))
    }


def priorities(
    store: Store,
    registry: Registry,
    level: str = "department",
    year: int = 2024,
    weights: dict[str, float] | None = None,
) -> Priorities:
    """Every territory of the level ranked by the index, each component shown."""
    w = WEIGHTS | (weights or {})
    day = dt.date(year, 12, 31)
    known = set(municipalities(store))
    names = territory_names(store, level)
    outcomes = {name: outcome_counts(store, cats, year, level) for name, cats in OUTCOMES.items()}
    people = populations(store, year, level)
    present = _present(store, registry, known, level)
    tables = active_tables(store, registry, day, known, level)
    groups = {g for ids in tables.values() for t in ids for g in _table_groups(registry, t)}
    serious = seriousness_scores(store, registry, groups, year)
    context = _Context(outcomes, people, present, tables, serious, w, registry, day)
    rows = [_row(code, names.get(code), context) for code in sorted(names)]
    ranked = sorted(rows, key=lambda r: (-(r.index if r.index is not None else -1), r.code))
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
    return Priorities(
        level=level,
        year=year,
        as_of=day,
        weights=w,
        outcomes={k: (v[0] or "no data") for k, v in outcomes.items()},
        rows=ranked,
    )


def _present(store: Store, registry: Registry, known: set[str], level: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for code, groups in present_by_municipality(store, registry, known, exclude="").items():
        found.setdefault(_key(code, level), set()).update(groups)
    return found


class _Context:
    """Everything computed once for all territories."""

    def __init__(self, *parts: Any) -> None:
        (self.outcomes, self.people, self.present, self.tables, self.serious, self.weights) = parts[
            :6
        ]
        self.registry, self.day = parts[6], parts[7]
        self.rates = {
            name: percentiles(
                {
                    code: counts.get(code, 0.0) * 100_000 / people
                    for code, people in self.people.items()
                    if people > 0
                }
            )
            for name, (source, counts) in self.outcomes.items()
            if source
        }
        self.population_pct = percentiles({k: float(v) for k, v in self.people.items()})
        self.most_tables = max((len(v) for v in self.tables.values()), default=0)


def _row(code: str, name: str | None, c: _Context) -> Priority:
    w = c.weights
    rates = {k: v[code] for k, v in c.rates.items() if code in v}
    violence = sum(rates.values()) / len(rates) if rates else None
    groups = sorted(c.present.get(code, set()))
    tables = sorted(c.tables.get(code, set()))
    negotiating = sorted({g for t in tables for g in _table_groups(c.registry, t) if g in groups})
    serious = [s for g in negotiating if (s := c.serious.get(g)) is not None]
    level = implementation_level(c.registry, tables, c.day) if tables else None
    components = [
        PriorityComponent(
            name="violence",
            weight=w["violence"],
            value=round(violence, 4) if violence is not None else None,
            score=round(violence, 4) if violence is not None else None,
            detail=", ".join(f"{k} {v:.2f}" for k, v in rates.items()) or "no data",
            parts=dict(rates),
        ),
        PriorityComponent(
            name="population",
            weight=w["population"],
            value=c.people.get(code),
            score=c.population_pct.get(code),
            detail=f"{c.people.get(code, 'no data')} people",
        ),
        PriorityComponent(
            name="fragmentation",
            weight=w["fragmentation"],
            value=len(groups),
            score=round(1 / len(groups), 4) if groups else 0.0,
            detail=", ".join(groups) or "no group recorded",
            parts=dict.fromkeys(groups),
        ),
        PriorityComponent(
            name="tables",
            weight=w["tables"],
            value=len(tables),
            score=round(len(tables) / c.most_tables, 4) if c.most_tables else None,
            detail=", ".join(tables) or "no active table",
            parts=dict.fromkeys(tables),
        ),
        PriorityComponent(
            name="seriousness",
            weight=w["seriousness"],
            value=round(sum(serious) / len(serious), 4) if serious else None,
            score=round(sum(serious) / len(serious), 4) if serious else None,
            detail=", ".join(f"{g} {c.serious.get(g)}" for g in negotiating) or "no data",
            parts={g: c.serious.get(g) for g in negotiating},
        ),
        PriorityComponent(
            name="implementation",
            weight=w["implementation"],
            value=round(level, 4) if level is not None else None,
            score=round(level / 3, 4) if level is not None else None,
            detail="mean coded level" if level is not None else "no data",
        ),
    ]
    index = weighted_mean({x.name: x.score for x in components}, w)
    return Priority(rank=0, code=code, name=name, index=index, components=components)
