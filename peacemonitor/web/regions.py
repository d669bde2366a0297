"""Regional pages: where a regional deal could do most good (the priorities ranking, with weights
the reader sets in the URL), who is tied to whom (the network of groups and tables), and, on a
territory's page, its row of the ranking and the vacuum risk if a group present there left.

Every number is the library's (``priorities.priorities``, ``network.network``,
``vacuum.vacuum``) for the page's filters; this module only chooses the level, year and weights
from the URL, lays the network out and keeps the rows of one territory.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.errors import PeacemonitorError
from peacemonitor.indicators import Level
from peacemonitor.model import Source
from peacemonitor.network import Network
from peacemonitor.priorities import WEIGHTS, Priorities, Priority
from peacemonitor.vacuum import MunicipalityRisk
from peacemonitor.web.context import Context
from peacemonitor.web.maps import Area, MapData, class_breaks
from peacemonitor.web.status import Missing, SourceNote, source_notes, store_status
from peacemonitor.weights import BadWeights, parse_weights

# --- regional priorities ---------------------------------------------------------------------


class PriorityMap(BaseModel):
    """The index over the territories, drawn like the indicator map (``maps.svg``): a
    territory without an index (no component with data) is hatched, apart from a 0."""

    data: MapData | None


class PrioritiesPage(BaseModel):
    report: Priorities | None = Field(description="`priorities.priorities` for the filters")
    defaults: dict[str, float] = Field(description="the documented default weights")
    map: PriorityMap
    sources: list[SourceNote] = Field(description="the observation sources of the violence")
    filters: dict[str, str]
    missing: list[Missing]


NEEDED = ("store", "registry", "divipola")  # without these there is nothing to rank


def priority_weights(ctx: Context) -> dict[str, float]:
    """The URL's weights over the defaults; a bad one raises BadWeights (a 400 in one shape)."""
    return parse_weights(ctx.filters.priority_weights, WEIGHTS)


def ranking(ctx: Context, level: str, weights: dict[str, float]) -> Priorities:
    """The library's ranking at ``level`` for the filters' year (``period``; the library's
    default year when unset), cached across the pages that show it."""
    from peacemonitor.priorities import priorities

    period = ctx.filters.period

    def compute() -> Priorities:
        if period:
            return priorities(ctx.store, ctx.registry(), level, int(period[:4]), weights)
        return priorities(ctx.store, ctx.registry(), level, weights=weights)

    found: Priorities = ctx.cached("regions:ranking", compute, level)
    return found


def priority_map(report: Priorities) -> MapData:
    """The index per territory as map data (unit "index", 0–1)."""
    values = [r.index for r in report.rows if r.index is not None]
    return MapData(
        level=Level(report.level),
        category="priority",
        period=str(report.year),
        source="priorities",
        unit="index",
        metric="index",
        areas=[
            Area(code=r.code, name=r.name, value=r.index, count=None, rate_per_100k=None)
            for r in report.rows
        ],
        breaks=class_breaks(values),
    )


def priorities_page(ctx: Context) -> PrioritiesPage:
    """Territories ranked by the index for the weights in the URL, with its map."""
    weights = priority_weights(ctx)
    status = store_status(ctx.store)
    wanted = (*NEEDED, "population", "observations")
    missing = [m for m in status.missing if m.what in wanted]
    if status.error or any(m.what in NEEDED for m in missing):
        return PrioritiesPage(
            report=None,
            defaults=dict(WEIGHTS),
            map=PriorityMap(data=None),
            sources=[],
            filters=ctx.filters.described(),
            missing=missing,
        )
    level = "municipality" if ctx.filters.level is Level.MUNICIPALITY else "department"
    report = ranking(ctx, level, weights)
    used = sorted({s for s in report.outcomes.values() if s != "no data"})
    return PrioritiesPage(
        report=report,
        defaults=dict(WEIGHTS),
        map=PriorityMap(data=priority_map(report)),
        sources=source_notes(ctx.store, used),
        filters=ctx.filters.described() | {"level": level, "period": str(report.year)},
        missing=missing,
    )


# --- the network -----------------------------------------------------------------------------

WIDTH, HEIGHT, MARGIN, LABEL = 900.0, 640.0, 20.0, 130.0  # LABEL: room for the names at right


class NetworkPage(BaseModel):
    network: Network = Field(description="`network.network` on the filters' day")
    layout: dict[str, tuple[float, float]] = Field(
        description="node → (x, y) in the drawing: a spring layout with a fixed seed"
    )
    width: float
    height: float
    sources: list[Source] = Field(description="the registry sources the edges cite")


def layout(net: Network, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions of the nodes, the same on every run (fixed seed), scaled into the drawing."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in net.nodes)
    graph.add_edges_from((e.source, e.target) for e in net.edges)
    if not graph:
        return {}
    found = nx.spring_layout(graph, seed=seed, k=1.6 / max(1, len(graph)) ** 0.5)
    xs = [float(p[0]) for p in found.values()]
    ys = [float(p[1]) for p in found.values()]
    scale = lambda v, lo, hi, size: MARGIN + (v - lo) / ((hi - lo) or 1) * size  # noqa: E731
    return {
        node: (
            round(scale(float(p[0]), min(xs), max(xs), WIDTH - 2 * MARGIN - LABEL), 1),
            round(scale(float(p[1]), min(ys), max(ys), HEIGHT - 2 * MARGIN), 1),
        )
        for node, p in found.items()
    }


def network_page(ctx: Context) -> NetworkPage:
    """Groups, tables and the government with every cited link, drawn and listed."""
    from peacemonitor.network import network

    registry = ctx.registry()
    net = network(registry, ctx.filters.day)
    cited = sorted({s for e in net.edges for s in e.sources})
    return NetworkPage(
        network=net,
        layout=layout(net),
        width=WIDTH,
        height=HEIGHT,
        sources=[registry.sources[s] for s in cited if s in registry.sources],
    )


def graphml(ctx: Context) -> str:
    """The page's network as GraphML, for Gephi, yEd or Cytoscape."""
    from peacemonitor.network import graphml as text
    from peacemonitor.network import network

    return text(network(ctx.registry(), ctx.filters.day))


# --- a territory's priority components and vacuum risk ---------------------------------------


class TerritoryPriority(BaseModel):
    """The territory's row of the ranking at its own level: rank N of M."""

    level: str
    year: int
    of: int
    weights: dict[str, float]
    row: Priority


class GroupVacuum(BaseModel):
    """``vacuum.vacuum`` for one group present here, kept to this territory's municipalities."""

    actor: str
    source: str | None
    risk: dict[str, int] = Field(description="municipalities here at high, medium, low risk")
    municipalities: list[MunicipalityRisk]
    error: str | None = Field(default=None, description="why the risk could not be computed")


class Regional(BaseModel):
    priority: TerritoryPriority | None
    priority_error: str | None
    vacuum: list[GroupVacuum]


def territory_priority(ctx: Context, code: str, level: str) -> TerritoryPriority | None:
    """The territory's row of the ranking among the territories of its level."""
    report = ranking(ctx, level, priority_weights(ctx))
    row = next((r for r in report.rows if r.code == code), None)
    if row is None:
        return None
    return TerritoryPriority(
        level=level, year=report.year, of=len(report.rows), weights=report.weights, row=row
    )


def group_vacuum(ctx: Context, actor: str, inside: Any) -> GroupVacuum:
    """The group's vacuum risk (library defaults), for the municipalities ``inside`` keeps."""
    from peacemonitor.vacuum import vacuum

    try:
        report = ctx.cached(
            "regions:vacuum", lambda: vacuum(ctx.store, ctx.registry(), actor), actor
        )
    except PeacemonitorError as error:
        return GroupVacuum(actor=actor, source=None, risk={}, municipalities=[], error=str(error))
    rows = [m for m in report.municipalities if inside(m.code)]
    risk = {level: sum(m.risk == level for m in rows) for level in ("high", "medium", "low")}
    return GroupVacuum(actor=actor, source=report.source, risk=risk, municipalities=rows)


def regional(ctx: Context, code: str, level: str, groups: list[str]) -> Regional:
    """What the territory page adds: its priority components and, for each group reported
    present, the vacuum risk in its municipalities if that group left."""
    level = "municipality" if level == "municipality" else "department"
    try:
        priority, error = territory_priority(ctx, code, level), None
    except BadWeights:
        raise  # the URL is wrong: one error shape, not a quiet gap
    except PeacemonitorError as problem:
        priority, error = None, str(problem)
    inside = (lambda m: m == code) if level == "municipality" else (lambda m: m[:2] == code)
    return Regional(
        priority=priority,
        priority_error=error,
        vacuum=[group_vacuum(ctx, g, inside) for g in groups],
    )
