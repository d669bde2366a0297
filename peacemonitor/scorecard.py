"""Seriousness scorecard: does an armed group (or a table's armed groups) negotiate seriously?

Five components, each scored 0 (worst) to 1 (best) per calendar year, each with its evidence, and
"no data" (excluded from the score, never 0) when the monitor cannot measure it:

- red lines: breaches of the table's red lines detected in observations that name the group
  (each observation linked), score 1 / (1 + breaches);
- ceasefire violations: clashes with the state naming the group on a day a ceasefire it is party
  to was in force where it happened, score 1 / (1 + violations);
- gestures: goodwill gestures kept against hostile ones, score goodwill / (goodwill + hostile);
- provisions: the mean Kroc-scale level (our coding) of provisions the group is responsible for,
  at year end, divided by 3;
- fighting and coercion: in the group's area, each view's count this year against last year from
  the same source, score last / (last + this) (0.5 unchanged, 1 stopped), averaged over views.

The score is the weighted mean of the components that have data; the weights are shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.areas import actor_area, coverage_of, municipalities, sources_for, table_area
from peacemonitor.ceasefires import state_on
from peacemonitor.coverage import covered
from peacemonitor.errors import NotFound
from peacemonitor.implementation import in_scope
from peacemonitor.model import Category, GestureValence, PartyRole
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.views import VIEW_CATEGORIES, View
from peacemonitor.weights import weighted_mean

WEIGHTS: dict[str, float] = {
    "red-lines": 0.25,
    "ceasefire": 0.2,
    "gestures": 0.15,
    "provisions": 0.2,
    "violence": 0.2,
}
CLASHES = (Category.STATE_GROUP_CLASH, Category.ATTACK_ON_SECURITY_FORCES)
VIOLENCE_VIEWS = (View.STATE_GROUP, View.GROUP_GROUP, View.COERCION)
NO_DATA = "no data"
NOT_APPLICABLE = "not applicable"


class Evidence(BaseModel):
    kind: str = Field(description="observation, gesture, provision, red-line, ceasefire or count")
    ref: str
    date: str | None = None
    detail: str | None = None


class Component(BaseModel):
    name: str
    weight: float
    status: str = Field(description="measured, no data, or not applicable")
    value: float | None = Field(description="the raw measure: a count, a share or a mean level")
    score: float | None
    detail: str
    counts: dict[str, float] = Field(
        default={},
        description="the numbers the detail states, by name (lines, breaches, declared, live, "
        "clashes, goodwill, hostile, coded, uncoded, mean, views, municipalities), for "
        "drawing it in any language",
    )
    evidence: list[Evidence]


class YearCard(BaseModel):
    year: int
    score: float | None = Field(description="weighted mean of the components with data")
    measured_weight: float = Field(
        description="share of the applicable components' weight that was measured (0–1)"
    )
    components: list[Component]


class Scorecard(BaseModel):
    subject: str
    type: str = Field(description="actor or table")
    actors: list[str]
    weights: dict[str, float]
    years: list[YearCard]


# --- subjects --------------------------------------------------------------------------------


def subject_actors(registry: Registry, subject: str) -> tuple[str, list[str], list[str]]:
    """(type, armed groups, tables) of an actor id or a table id."""
    if subject in registry.tables:
        table = registry.tables[subject]
        groups = [p.actor for p in table.parties if p.role is PartyRole.ARMED_GROUP]
        return "table", groups, [subject]
    if subject in registry.actors:
        tables = [
            t.id for t in registry.tables.values() if any(p.actor == subject for p in t.parties)
        ]
        return "actor", [subject], sorted(tables)
    raise NotFound(f"no actor or table {subject!r}; `peacemonitor actors` and `tables` list them")


def attributed(
    store: Store, actors: list[str], categories: tuple[Category, ...], first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """Observations of the categories that name one of the actors (source, id, day, place)."""
    with store.read() as db:
        rows = db.execute(
            """
            SELECT source, record_id, date_first, territory_code, category, actor_ids
            FROM observations
            WHERE category IN (SELECT unnest($cats::VARCHAR[]))
              AND date_first BETWEEN $first AND $last
              AND len(list_intersect(actor_ids, $actors::VARCHAR[])) > 0
            ORDER BY date_first, source, record_id
            """,
            {"cats": [c.value for c in categories], "first": first, "last": last, "actors": actors},
        ).fetchall()
    keys = ("source", "record_id", "day", "territory", "category", "actors")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def attribution_covered(
    store: Store, categories: tuple[Category, ...], first: dt.date, last: dt.date
) -> bool:
    """Whether a source that names actors covers the categories for the whole period."""
    with store.read() as db:
        naming = {
            r[0]
            for r in db.execute(
                "SELECT DISTINCT source FROM observations WHERE len(actor_ids) > 0"
            ).fetchall()
        }
    return any(
        covered(coverage_of(store, categories, source, unit), first, last) == "full"
        for source, unit in sources_for(store, categories)
        if source in naming
    )


def _observation(row: dict[str, Any]) -> Evidence:
    return Evidence(
        kind="observation",
        ref=f"{row['source']}:{row['record_id']}",
        date=str(row["day"]),
        detail=f"{row['category']} in {row['territory']}",
    )


def _component(name: str, weight: float, **fields: Any) -> Component:
    fields.setdefault("evidence", [])
    fields.setdefault("value", None)
    fields.setdefault("score", None)
    return Component(name=name, weight=weight, **fields)


# --- components ------------------------------------------------------------------------------


def red_lines(
    store: Store, registry: Registry, actors: list[str], tables: list[str], year: int, w: float
) -> Component:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lines = [
        r
        for r in registry.red_lines.values()
        if r.table in tables
        and (not r.actors or set(r.actors) & set(actors))
        and (r.since is None or r.since.first <= last)
    ]
    if not lines:
        return _component("red-lines", w, status=NOT_APPLICABLE, detail="no red line in force")
    categories = tuple({c for r in lines for c in r.categories})
    if not attribution_covered(store, categories, first, last):
        return _component(
            "red-lines",
            w,
            status=NO_DATA,
            detail=f"{len(lines)} red line(s); no source naming armed groups covers {year}",
            counts={"lines": len(lines)},
            evidence=[Evidence(kind="red-line", ref=r.id) for r in lines],
        )
    breaches = [
        _observation(row)
        for r in lines
        for row in attributed(store, actors, tuple(r.categories), first, last)
        if r.since is None or row["day"] >= r.since.first
    ]
    return _component(
        "red-lines",
        w,
        status="measured",
        value=len(breaches),
        score=round(1 / (1 + len(breaches)), 4),
        detail=f"{len(breaches)} breach(es) of {len(lines)} red line(s)",
        counts={"breaches": len(breaches), "lines": len(lines)},
        evidence=breaches,
    )


def ceasefire(
    store: Store, registry: Registry, actors: list[str], year: int, w: float
) -> Component:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    fires = [c for c in registry.ceasefires.values() if set(c.parties) & set(actors)]
    months = [dt.date(year, m, 15) for m in range(1, 13)]
    live = [c for c in fires if any(state_on(c, d).in_force for d in months)]
    if not live:
        detail = "no ceasefire in force" + (
            f" ({len(fires)} declared or planned, none recorded in force in {year})"
            if fires
            else ""
        )
        counts = {"declared": len(fires)}
        return _component("ceasefire", w, status=NOT_APPLICABLE, detail=detail, counts=counts)
    if not attribution_covered(store, CLASHES, first, last):
        return _component(
            "ceasefire",
            w,
            status=NO_DATA,
            detail=f"{len(live)} ceasefire(s) in force; no source naming groups covers {year}",
            counts={"live": len(live)},
            evidence=[Evidence(kind="ceasefire", ref=c.id) for c in live],
        )
    known = list(municipalities(store))
    violations = [
        _observation(row)
        for row in attributed(store, actors, CLASHES, first, last)
        if any(_in_force_at(c, row["day"], row["territory"], known) for c in live)
    ]
    return _component(
        "ceasefire",
        w,
        status="measured",
        value=len(violations),
        score=round(1 / (1 + len(violations)), 4),
        detail=f"{len(violations)} clash(es) with the state while a ceasefire was in force there",
        counts={"clashes": len(violations)},
        evidence=violations,
    )


def _in_force_at(fire: Any, day: dt.date, code: str, known: list[str]) -> bool:
    from peacemonitor.areas import expand

    return code in expand(state_on(fire, day).in_force, known)


def gestures(registry: Registry, actors: list[str], year: int, w: float) -> Component:
    found = sorted(
        (g for g in registry.gestures.values() if g.actor in actors and g.date.first.year == year),
        key=lambda g: (g.date.first, g.id),
    )
    good = sum(g.valence is GestureValence.GOODWILL for g in found)
    evidence = [
        Evidence(kind="gesture", ref=g.id, date=str(g.date), detail=f"{g.valence.value}: {g.kind}")
        for g in found
    ]
    if not found:
        return _component("gestures", w, status=NO_DATA, detail=f"no gesture recorded in {year}")
    return _component(
        "gestures",
        w,
        status="measured",
        value=good,
        score=round(good / len(found), 4),
        detail=f"{good} goodwill, {len(found) - good} hostile",
        counts={"goodwill": good, "hostile": len(found) - good},
        evidence=evidence,
    )


def provisions(registry: Registry, actors: list[str], year: int, w: float) -> Component:
    end = dt.date(year, 12, 31)
    levels, evidence, uncoded = [], [], 0
    for agreement in in_scope(registry, None):
        for p in agreement.provisions:
            if not set(p.responsible) & set(actors) or agreement.date.first > end:
                continue
            steps = [s for s in p.implementation if s.as_of.first <= end]
            if not steps:
                uncoded += 1
                continue
            level = int(max(steps, key=lambda s: s.as_of.first).level)
            levels.append(level)
            ref = f"{agreement.id}/{p.id}"
            evidence.append(Evidence(kind="provision", ref=ref, detail=f"level {level}"))
    if not levels:
        detail = f"{uncoded} provision(s) the group is responsible for, none coded by {end}"
        counts = {"uncoded": uncoded}
        return _component("provisions", w, status=NO_DATA, detail=detail, counts=counts)
    mean = sum(levels) / len(levels)
    return _component(
        "provisions",
        w,
        status="measured",
        value=round(mean, 4),
        score=round(mean / 3, 4),
        detail=f"mean level {mean:.2f} of {len(levels)} coded provision(s); {uncoded} not coded",
        counts={"mean": round(mean, 4), "coded": len(levels), "uncoded": uncoded},
        evidence=evidence,
    )


def violence(store: Store, area: set[str], year: int, w: float) -> Component:
    scores, evidence = [], []
    for view in VIOLENCE_VIEWS:
        found = _view_change(store, area, view, year)
        if found is not None:
            score, item = found
            scores.append(score)
            evidence.append(item)
    if not scores:
        detail = f"no source covers {year - 1} and {year} for fighting or coercion in the area"
        return _component("violence", w, status=NO_DATA, detail=detail)
    mean = sum(scores) / len(scores)
    return _component(
        "violence",
        w,
        status="measured",
        value=round(mean, 4),
        score=round(mean, 4),
        detail=f"{len(scores)} view(s) with data in {len(area)} municipalities",
        counts={"views": len(scores), "municipalities": len(area)},
        evidence=evidence,
    )


def _view_change(
    store: Store, area: set[str], view: View, year: int
) -> tuple[float, Evidence] | None:
    """(last / (last + this), evidence) from the first source covering both years in full."""
    from peacemonitor.areas import monthly_counts

    categories = VIEW_CATEGORIES[view]
    for source, unit in sources_for(store, categories):
        counts = monthly_counts(
            store, categories, source, unit, area, dt.date(year - 1, 1, 1), dt.date(year, 12, 31)
        )
        if any(v is None for v in counts.values()):
            continue
        before = sum(v or 0 for k, v in counts.items() if k.startswith(str(year - 1)))
        now = sum(v or 0 for k, v in counts.items() if k.startswith(str(year)))
        score = 1.0 if before + now == 0 else before / (before + now)
        detail = f"{view.value}: {before:g} in {year - 1}, {now:g} in {year} ({unit})"
        return score, Evidence(kind="count", ref=source, detail=detail)
    return None


# --- the card --------------------------------------------------------------------------------


def scorecard(
    store: Store,
    registry: Registry,
    subject: str,
    years: range,
    weights: dict[str, float] | None = None,
) -> Scorecard:
    """The subject's components and score for each year."""
    w = dict(WEIGHTS | (weights or {}))
    kind, actors, tables = subject_actors(registry, subject)
    known = municipalities(store)
    if kind == "table":
        day = dt.date(years[-1], 12, 31) if years else dt.date.today()
        area = table_area(store, registry, registry.tables[subject], day, known)
    else:
        area = actor_area(store, registry, subject, known)
    cards = []
    for year in years:
        components = [
            red_lines(store, registry, actors, tables, year, w["red-lines"]),
            ceasefire(store, registry, actors, year, w["ceasefire"]),
            gestures(registry, actors, year, w["gestures"]),
            provisions(registry, actors, year, w["provisions"]),
            violence(store, area, year, w["violence"]),
        ]
        score = weighted_mean({c.name: c.score for c in components}, w)
        cards.append(
            YearCard(
                year=year, score=score, measured_weight=measured(components), components=components
            )
        )
    return Scorecard(subject=subject, type=kind, actors=actors, weights=w, years=cards)


def measured(components: list[Component]) -> float:
    """Weight measured over weight applicable: how much of the score rests on data."""
    applicable = sum(c.weight for c in components if c.status != NOT_APPLICABLE)
    done = sum(c.weight for c in components if c.status == "measured")
    return round(done / applicable, 4) if applicable else 0.0


def negotiating_groups(registry: Registry) -> list[str]:
    """Armed groups that sit at some table: the default subjects."""
    return sorted(
        {
            p.actor
            for t in registry.tables.values()
            for p in t.parties
            if p.role is PartyRole.ARMED_GROUP
        }
    )
