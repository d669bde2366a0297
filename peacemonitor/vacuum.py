"""Vacuum risk: if group G demobilises in its area, who could move in?

For each municipality of G's area (presence seam), the other groups present there and in the
neighbouring municipalities (shared borders from the stored boundaries), whether any of them is a
documented rival of G, and how violence moved there in recent years (homicides by default, one
source). A documented point score turns these into a risk level:

    points = here × (other groups present in the municipality, at most 2)
           + near × (1 if another group is present next door but not here)
           + rival × (1 if a rival of G is present here or next door)
           + rising × (1 if violence rose from the year before to the last year)

high at 4 points or more, medium at 2–3, low below 2 (defaults: here 2, near 1, rival 1,
rising 1; ``--weights`` changes them). Presence is what the registry (or, once installed, the
presence module) records: a group absent from the record is not known to be absent.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from peacemonitor.actors import get_actor
from peacemonitor.areas import (
    actor_area,
    expand,
    monthly_counts,
    municipalities,
    neighbours,
    presence,
    sources_for,
)
from peacemonitor.model import RelationKind
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.views import categories_for

WEIGHTS: dict[str, float] = {"here": 2.0, "near": 1.0, "rival": 1.0, "rising": 1.0}
HIGH, MEDIUM = 4.0, 2.0


class YearCount(BaseModel):
    year: int
    count: float | None = Field(description="null where the source does not cover the year")


class MunicipalityRisk(BaseModel):
    code: str
    name: str | None
    groups_here: list[str]
    groups_near: list[str] = Field(description="present next door but not here")
    rivals: list[str] = Field(description="documented rivals of the group, here or next door")
    neighbours: int
    violence: list[YearCount]
    rising: bool | None = Field(description="null when either of the last two years has no data")
    points: float
    risk: str = Field(description="high, medium or low")


class Vacuum(BaseModel):
    actor: str
    outcome: str
    source: str | None
    weights: dict[str, float]
    thresholds: dict[str, float]
    municipalities: list[MunicipalityRisk]
    note: str


def rivals_of(registry: Registry, actor_id: str) -> set[str]:
    """Groups documented as rivals of the actor, in either direction."""
    own = {
        r.actor for r in get_actor(registry, actor_id).relations if r.kind is RelationKind.RIVAL_OF
    }
    others = {
        a.id
        for a in registry.actors.values()
        for r in a.relations
        if r.kind is RelationKind.RIVAL_OF and r.actor == actor_id
    }
    return own | others


def present_by_municipality(
    store: Store, registry: Registry, known: set[str], exclude: str
) -> dict[str, set[str]]:
    """Municipality → groups (other than ``exclude``) present there."""
    found: dict[str, set[str]] = {}
    for record in presence(store, registry):
        if record.actor_id == exclude:
            continue
        for code in expand([record.territory_code], known):
            found.setdefault(code, set()).add(record.actor_id)
    return found


def yearly(
    store: Store, outcome: str, code: str, years: range, pair: tuple[str, str] | None
) -> list[YearCount]:
    if pair is None:
        return [YearCount(year=y, count=None) for y in years]
    counts = monthly_counts(
        store,
        categories_for(outcome),
        pair[0],
        pair[1],
        [code],
        dt.date(years[0], 1, 1),
        dt.date(years[-1], 12, 31),
    )
    return [
        YearCount(
            year=y,
            count=None
            if any(v is None for k, v in counts.items() if k.startswith(str(y)))
            else sum(v or 0 for k, v in counts.items() if k.startswith(str(y))),
        )
        for y in years
    ]


def risk_level(points: float) -> str:
    return "high" if points >= HIGH else "medium" if points >= MEDIUM else "low"


def _rising(series: list[YearCount]) -> bool | None:
    if len(series) < 2 or series[-1].count is None or series[-2].count is None:
        return None
    return series[-1].count > series[-2].count


def vacuum(
    store: Store,
    registry: Registry,
    actor_id: str,
    years: range = range(2021, 2025),
    outcome: str = "homicide",
    weights: dict[str, float] | None = None,
    adjacency: dict[str, set[str]] | None = None,
) -> Vacuum:
    """Risk per municipality of the group's area if it leaves."""
    get_actor(registry, actor_id)
    w = WEIGHTS | (weights or {})
    names = municipalities(store)
    known = set(names)
    area = sorted(actor_area(store, registry, actor_id, known))
    near = adjacency if adjacency is not None else (neighbours(store, area) if area else {})
    present = present_by_municipality(store, registry, known, actor_id)
    rivals = rivals_of(registry, actor_id)
    pairs = sources_for(store, categories_for(outcome))
    pair = pairs[0] if pairs else None
    rows = []
    for code in area:
        here = present.get(code, set())
        around = set().union(*(present.get(n, set()) for n in near.get(code, set()))) - here
        series = yearly(store, outcome, code, years, pair)
        rising = _rising(series)
        points = (
            w["here"] * min(len(here), 2)
            + w["near"] * bool(around)
            + w["rival"] * bool(rivals & (here | around))
            + w["rising"] * bool(rising)
        )
        rows.append(
            MunicipalityRisk(
                code=code,
                name=names.get(code),
                groups_here=sorted(here),
                groups_near=sorted(around),
                rivals=sorted(rivals & (here | around)),
                neighbours=len(near.get(code, set())),
                violence=series,
                rising=rising,
                points=points,
                risk=risk_level(points),
            )
        )
    return Vacuum(
        actor=actor_id,
        outcome=outcome,
        source=pair[0] if pair else None,
        weights=w,
        thresholds={"high": HIGH, "medium": MEDIUM},
        municipalities=rows,
        note=_note(rows, pair),
    )


def _note(rows: list[MunicipalityRisk], pair: tuple[str, str] | None) -> str:
    if not rows:
        return "no recorded presence of the group in any Colombian municipality"
    counts = {level: sum(r.risk == level for r in rows) for level in ("high", "medium", "low")}
    data = "" if pair else "; no source for the outcome: violence is no data"
    return f"{len(rows)} municipalities: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + data
