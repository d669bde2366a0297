"""The armed group page: who the group is, its family tree, where it is reported present, how
strong sources say it is, the tables and ceasefires it is party to, and its scorecard — each
from the library call that answers it, each fact with its source."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from peacemonitor.actors import TREE_RELATIONS, ActorDetail, LineageNode, actor_detail
from peacemonitor.ceasefires import CeasefireState, get_ceasefire, state_on
from peacemonitor.model import Actor, Citation, PDate, RelationKind, Statistic
from peacemonitor.presence import PresenceRecord
from peacemonitor.registry import Registry
from peacemonitor.scorecard import Scorecard
from peacemonitor.statistics import list_statistics
from peacemonitor.tables import TableSummary, list_tables
from peacemonitor.web.context import Context

# Published statistics that measure a group's size (the rest are listed, not charted).
STRENGTH_INDICATORS = ("group-strength",)
# The lineage drawing: one column per generation, one row per group, boxes of BOX × HEIGHT.
COLUMN, ROW, BOX, HEIGHT, MARGIN = 290, 64, 250, 48, 10
FIRST_YEAR = 2022  # the Total Peace process began in August 2022


# --- lineage ---------------------------------------------------------------------------------


class TreeNode(BaseModel):
    """A group in the family tree, placed: ``depth`` generations below the oldest ancestor,
    ``row`` its place in the tree read top-down; ``x``, ``y`` its box's corner in the SVG."""

    actor: str
    name: str
    depth: int
    row: int
    x: int
    y: int
    current: bool


class EdgeRelation(BaseModel):
    kind: RelationKind
    since: PDate | None
    until: PDate | None
    sources: list[Citation]
    unverified: bool


class LineageEdge(BaseModel):
    """``child`` came out of (split from, merged into, is a faction of...) ``parent``; every
    relation the registry records between the two, each dated and cited. ``in_tree`` is the
    link the tree hangs the child on; the others (a group that merged into a second parent)
    are drawn dashed."""

    parent: str
    child: str
    in_tree: bool
    relations: list[EdgeRelation]


class LineageTree(BaseModel):
    nodes: list[TreeNode]
    edges: list[LineageEdge]
    width: int
    height: int


def _placed(node: LineageNode, depth: int, current: str, out: list[TreeNode]) -> None:
    """Preorder placement: a parent above its children, children in the library's order
    (date of the link, then id), so the same registry always gives the same drawing."""
    row = len(out)
    x, y = MARGIN + depth * COLUMN, MARGIN + row * ROW
    out.append(
        TreeNode(
            actor=node.actor,
            name=node.name,
            depth=depth,
            row=row,
            x=x,
            y=y,
            current=node.actor == current,
        )
    )
    for child in node.children:
        _placed(child, depth + 1, current, out)


def _tree_links(node: LineageNode) -> set[tuple[str, str]]:
    links = {(node.actor, c.actor) for c in node.children}
    for child in node.children:
        links |= _tree_links(child)
    return links


def _edges(registry: Registry, family: set[str], tree: set[tuple[str, str]]) -> list[LineageEdge]:
    """Every lineage relation between two members of the family, one edge per pair."""
    edges: dict[tuple[str, str], LineageEdge] = {}
    for child in sorted(family):
        for r in registry.actors[child].relations:
            if r.kind not in TREE_RELATIONS or r.actor not in family or r.actor == child:
                continue
            pair = (r.actor, child)
            edge = edges.setdefault(
                pair, LineageEdge(parent=r.actor, child=child, in_tree=pair in tree, relations=[])
            )
            edge.relations.append(
                EdgeRelation(
                    kind=r.kind,
                    since=r.since,
                    until=r.until,
                    sources=r.sources,
                    unverified=r.unverified,
                )
            )
    return sorted(edges.values(), key=lambda e: (not e.in_tree, e.parent, e.child))


def lineage_tree(registry: Registry, root: LineageNode, current: str) -> LineageTree:
    """The family tree of ``actors.lineage`` laid out in layers (one per generation)."""
    nodes: list[TreeNode] = []
    _placed(root, 0, current, nodes)
    edges = _edges(registry, {n.actor for n in nodes}, _tree_links(root))
    depth = max(n.depth for n in nodes)
    width = 2 * MARGIN + depth * COLUMN + BOX + 80  # room for the dashed links on the right
    return LineageTree(nodes=nodes, edges=edges, width=width, height=2 * MARGIN + len(nodes) * ROW)


# --- presence --------------------------------------------------------------------------------


class PresenceView(BaseModel):
    window_months: int
    rows: list[PresenceRecord] = Field(description="presence.presence's records, as found")
    departments: dict[str, list[str]] = Field(
        description="how → department codes it reaches, for the map"
    )
    error: str | None = Field(default=None, description="why presence could not be read")


WINDOW = 24


def presence_view(ctx: Context, actor_id: str) -> PresenceView:
    """``presence.presence`` on the day asked: reports and events of the last two years, and
    imported periods containing the day."""
    from peacemonitor.errors import PeacemonitorError
    from peacemonitor.presence import HOWS, presence

    try:
        found = presence(ctx.store, ctx.registry(), actor_id, ctx.filters.day, WINDOW)
    except PeacemonitorError as error:  # e.g. a store older than the presence table
        return PresenceView(window_months=WINDOW, rows=[], departments={}, error=str(error))
    rows = list(found)
    departments = {
        how: sorted({r.territory_code[:2] for r in rows if r.how == how and r.territory_code})
        for how in HOWS
    }
    return PresenceView(window_months=WINDOW, rows=rows, departments=departments)


# --- strength --------------------------------------------------------------------------------


class StrengthPoint(BaseModel):
    """One published size of the group: a strength estimate of the registry's actor record or
    a published statistic of its strength. ``day`` is the middle of the period it is for
    (a year's figure sits at 1 July), where the chart puts it."""

    period: str
    day: dt.date
    value: float
    high: float | None
    qualifier: str | None
    unit: str
    origin: str = Field(description="estimate (actor record) or statistic (its id)")
    sources: list[Citation]
    unverified: bool


def _middle(first: dt.date, last: dt.date) -> dt.date:
    return first + (last - first) / 2


def strength_points(actor: Actor, statistics: list[Statistic]) -> list[StrengthPoint]:
    """Every published size of the group, in date order."""
    points = [
        StrengthPoint(
            period=str(s.as_of),
            day=_middle(s.as_of.first, s.as_of.last),
            value=s.value,
            high=s.high,
            qualifier=s.qualifier,
            unit=s.unit,
            origin="estimate",
            sources=s.sources,
            unverified=s.unverified,
        )
        for s in actor.strength
    ]
    for s in statistics:
        when = s.period_end or s.period_start
        if s.indicator not in STRENGTH_INDICATORS or s.value is None or when is None:
            continue
        points.append(
            StrengthPoint(
                period=str(when),
                day=_middle(when.first, when.last),
                value=s.value,
                high=None,
                qualifier=s.qualifier_text or s.qualifier.value,
                unit=s.unit,
                origin=f"statistic {s.id}",
                sources=s.sources,
                unverified=s.unverified,
            )
        )
    return sorted(points, key=lambda p: (p.day, p.unit, p.value))


# --- tables, ceasefires, scorecard -----------------------------------------------------------


class TableOnDay(BaseModel):
    id: str
    summary: TableSummary | None = Field(description="None when it had not begun by the day")


class ScoreView(BaseModel):
    scored: bool
    reason: str = Field(description="why the group is or is not scored")
    card: Scorecard | None = None
    error: str | None = None


def _tables(registry: Registry, ids: list[str], day: dt.date) -> list[TableOnDay]:
    begun = {t.id: t for t in list_tables(registry, day)}
    return [TableOnDay(id=i, summary=begun.get(i)) for i in ids]


def _ceasefires(registry: Registry, ids: list[str], day: dt.date) -> list[CeasefireState]:
    return [state_on(get_ceasefire(registry, i), day) for i in ids]


def score_years(ctx: Context) -> range:
    """The years asked (``start``..``end``), else 2022 (the process began) to the day's year."""
    first = ctx.filters.first.first.year if ctx.filters.first else FIRST_YEAR
    last = ctx.filters.last.last.year if ctx.filters.last else ctx.filters.day.year
    return range(first, last + 1)


def score_view(ctx: Context, actor_id: str) -> ScoreView:
    """``scorecard.scorecard`` for a group that sits at a table; others are not scored."""
    from peacemonitor.errors import PeacemonitorError
    from peacemonitor.scorecard import negotiating_groups, scorecard

    registry = ctx.registry()
    if actor_id not in negotiating_groups(registry):
        reason = "not a party to any negotiation table as an armed group: the scorecard "
        return ScoreView(scored=False, reason=reason + "measures how seriously a group negotiates")
    reason = "an armed group party to a negotiation table"
    try:
        card = scorecard(ctx.store, registry, actor_id, score_years(ctx))
    except PeacemonitorError as error:
        return ScoreView(scored=True, reason=reason, error=str(error))
    return ScoreView(scored=True, reason=reason, card=card)


# --- the page --------------------------------------------------------------------------------


class GroupPage(BaseModel):
    as_of: dt.date
    detail: ActorDetail
    tree: LineageTree
    presence: PresenceView
    strength: list[StrengthPoint]
    statistics: list[Statistic] = Field(description="every statistic published about the group")
    tables: list[TableOnDay]
    ceasefires: list[CeasefireState]
    scorecard: ScoreView


def group(ctx: Context, key: str) -> GroupPage:
    """The armed group ``key`` (id, name or alias) as it stood on the day asked."""
    registry, day = ctx.registry(), ctx.filters.day
    detail = actor_detail(registry, key, day)
    actor_id = detail.actor.id
    statistics = list_statistics(registry, actor=actor_id)
    return GroupPage(
        as_of=day,
        detail=detail,
        tree=lineage_tree(registry, detail.lineage, actor_id),
        presence=presence_view(ctx, actor_id),
        strength=strength_points(detail.actor, statistics),
        statistics=statistics,
        tables=_tables(registry, detail.tables, day),
        ceasefires=_ceasefires(registry, detail.ceasefires, day),
        scorecard=score_view(ctx, actor_id),
    )
