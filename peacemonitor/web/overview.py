"""The overview, map and territory pages' data: violence over time, the choropleth, tables by
level and status, ceasefires in force and what changed in the last month."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel

from peacemonitor.ceasefires import CeasefireState, list_ceasefires
from peacemonitor.coverage import HOME, Coverage, coverage
from peacemonitor.errors import NotFound, PeacemonitorError
from peacemonitor.indicators import Level
from peacemonitor.model import Category
from peacemonitor.registry import Registry
from peacemonitor.tables import TableSummary, list_tables
from peacemonitor.web.context import Context
from peacemonitor.web.maps import MapData, map_data
from peacemonitor.web.regions import Regional, regional
from peacemonitor.web.series import Series, outcomes_with_data, series_for
from peacemonitor.web.status import Missing, SourceNote, StoreStatus, source_notes, store_status


class Chart(BaseModel):
    """Series with the source line and filters the page prints under them."""

    series: list[Series]
    sources: list[SourceNote]
    filters: dict[str, str]


class MapView(BaseModel):
    """The map's data, or what to load first when it cannot be drawn."""

    data: MapData | None
    sources: list[SourceNote]
    filters: dict[str, str]
    missing: list[Missing]
    categories: list[str]


class LevelStatus(BaseModel):
    level: str
    status: str
    tables: int


class Change(BaseModel):
    """Something the registry records in the month before the day looked at."""

    date: str
    kind: str
    id: str
    text: str


class Overview(BaseModel):
    as_of: dt.date
    status: StoreStatus
    missing: list[Missing]
    outcomes: list[str]
    chart: Chart
    map: MapView
    tables_by_level: list[LevelStatus]
    tables: list[TableSummary]
    ceasefires: list[CeasefireState]
    changes: list[Change]


def chart(ctx: Context, level: Level = Level.COUNTRY, code: str | None = None) -> Chart:
    """Every outcome with data (or the one chosen) over the filters' period."""
    f = ctx.filters
    outcomes = [f.outcome] if f.outcome else outcomes_with_data(ctx.store)
    series = [
        s
        for outcome in outcomes
        for s in series_for(
            ctx.store, outcome, level, code, f.by, f.first, f.last, f.source, f.metric
        )
    ]
    return Chart(
        series=series,
        sources=source_notes(ctx.store, [s.source for s in series]),
        filters=f.described(),
    )


def _default_period(rows: list[Coverage], source: str, category: str, monthly: bool) -> str:
    """The latest period the source covers whole for the category."""
    row = next(r for r in rows if r.source == source and r.category == category)
    last = row.last
    if monthly:
        return f"{last.year:04d}-{last.month:02d}"
    full = last.month == 12 and last.day == 31
    return str(last.year if full or last.year == row.first.year else last.year - 1)


def map_view(ctx: Context) -> MapView:
    """The choropleth for the filters (category, source, period, level, metric)."""
    f, status = ctx.filters, store_status(ctx.store)
    missing = [m for m in status.missing if m.what in ("store", "divipola", "boundaries")]
    rows = coverage(ctx.store) if status.exists and not status.error else []
    rows = [r for r in rows if r.country == HOME]  # the map is of DIVIPOLA territories
    categories = sorted({r.category for r in rows if r.category in Category._value2member_map_})
    missing += _observations_missing(status)
    if missing or not categories:
        return MapView(data=None, sources=[], filters={}, missing=missing, categories=categories)
    category = f.category if f.category in categories else _preferred(categories)
    sources = sorted({r.source for r in rows if r.category == category})
    source = f.source if f.source in sources else sources[0]
    period = f.period or _default_period(rows, source, category, f.by.value == "month")
    data = map_data(ctx.store, Category(category), f.level, period, source, None, f.metric)
    described = {**f.described(), "category": category, "source": source, "period": period}
    return MapView(
        data=data,
        sources=source_notes(ctx.store, [source]),
        filters=described,
        missing=[],
        categories=categories,
    )


def _observations_missing(status: StoreStatus) -> list[Missing]:
    return [m for m in status.missing if m.what == "observations"]


def _preferred(categories: list[str]) -> str:
    return Category.HOMICIDE.value if Category.HOMICIDE.value in categories else categories[0]


def tables_by_level(tables: list[TableSummary]) -> list[LevelStatus]:
    counts = Counter((t.level.value, t.status.value) for t in tables)
    return [LevelStatus(level=lv, status=st, tables=n) for (lv, st), n in sorted(counts.items())]


def changes(registry: Registry, day: dt.date, days: int = 31) -> list[Change]:
    """Status changes, ceasefire steps, agreements and gestures dated in the month to ``day``."""
    since = day - dt.timedelta(days=days)
    inside = lambda d: d is not None and since < d.first <= day  # noqa: E731
    found = [
        Change(date=str(c.date), kind=f"table-{c.status.value}", id=t.id, text=t.name)
        for t in registry.tables.values()
        for c in t.status_history
        if inside(c.date)
    ]
    found += [
        Change(date=str(e.date), kind=f"ceasefire-{e.kind.value}", id=c.id, text=c.name)
        for c in registry.ceasefires.values()
        for e in c.events
        if inside(e.date)
    ]
    found += [
        Change(date=str(a.date), kind="agreement", id=a.id, text=a.title)
        for a in registry.agreements.values()
        if inside(a.date)
    ]
    return sorted(found, key=lambda c: (c.date, c.id), reverse=True)


def overview(ctx: Context) -> Overview:
    """Everything the first page shows; each part says what is missing instead of being empty."""
    status, day = store_status(ctx.store), ctx.filters.day
    registry = ctx.registry() if status.registry_records else None
    tables = list_tables(registry, day) if registry else []
    has_obs = status.observations > 0 and not status.error
    return Overview(
        as_of=day,
        status=status,
        missing=status.missing,
        outcomes=outcomes_with_data(ctx.store) if has_obs else [],
        chart=chart(ctx) if has_obs else Chart(series=[], sources=[], filters={}),
        map=map_view(ctx),
        tables_by_level=tables_by_level(tables),
        tables=tables,
        ceasefires=list_ceasefires(registry, day, only_live=True) if registry else [],
        changes=changes(registry, day) if registry else [],
    )


# --- territory -------------------------------------------------------------------------------


class Place(BaseModel):
    code: str
    level: str
    name: str
    department_code: str | None


class Territory(BaseModel):
    place: Place
    as_of: dt.date
    chart: Chart
    tables: list[TableSummary]
    ceasefires: list[CeasefireState]
    groups: list[str]
    missing: list[Missing]
    regional: Regional


def place(ctx: Context, code: str) -> Place:
    with ctx.store.read() as db:
        row = db.execute(
            "SELECT code, level, name, department_code FROM territories WHERE code = ?", [code]
        ).fetchone()
    if row is None:
        raise NotFound(
            f"no territory {code!r}: give a DIVIPOLA code (load DIVIPOLA with "
            "`peacemonitor data load path/to/divipola`)"
        )
    return Place(code=row[0], level=row[1], name=row[2], department_code=row[3])


def covers(scope: list[str], where: Place) -> bool:
    """Whether a scope (codes) reaches the place: the place, its department or the country."""
    return bool({where.code, where.department_code or "", "CO"} & set(scope))


def groups_present(registry: Registry, where: Place, day: dt.date) -> list[str]:
    """Actors the registry reports present in the place or its department by ``day``."""
    return sorted(
        a.id
        for a in registry.actors.values()
        for p in a.presence
        if p.as_of.first <= day and {where.code, where.department_code} & set(p.territories)
    )


def territory(ctx: Context, code: str) -> Territory:
    where, day = place(ctx, code), ctx.filters.day
    registry = ctx.registry()
    level = Level.MUNICIPALITY if where.level == "municipality" else Level.DEPARTMENT
    status = store_status(ctx.store)
    try:
        drawn = chart(ctx, level, code) if status.observations else None
    except PeacemonitorError:
        drawn = None
    tables = [t for t in list_tables(registry, day) if covers(t.scope, where)]
    groups = sorted(set(groups_present(registry, where, day)))
    return Territory(
        place=where,
        as_of=day,
        chart=drawn or Chart(series=[], sources=[], filters={}),
        tables=tables,
        ceasefires=[
            c for c in list_ceasefires(registry, day) if covers(c.in_force or c.suspended, where)
        ],
        groups=groups,
        missing=_observations_missing(status),
        regional=regional(ctx, where.code, where.level, groups),
    )
