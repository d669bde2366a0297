"""Armed actors: who they are now, and where they came from (their lineage)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from peacemonitor.ceasefires import all_parties
from peacemonitor.model import (
    LINEAGE_RELATIONS,
    Actor,
    ActorKind,
    ActorRelation,
    Citation,
    Gesture,
    LegalStatusSpan,
    PDate,
    RelationKind,
)
from peacemonitor.registry import Registry, date_key

# Relations that put an actor under another in a family tree, in order of precedence for the
# main link; merged-into hangs the absorbed group under the one that absorbed it.
TREE_RELATIONS = (
    RelationKind.SPLIT_FROM,
    RelationKind.RENAMED_FROM,
    RelationKind.MERGED_INTO,
    RelationKind.FACTION_OF,
)


class RelationView(BaseModel):
    """A relation seen from the other side: ``actor`` is ``kind`` of the subject."""

    actor: str
    kind: RelationKind
    since: PDate | None
    until: PDate | None
    sources: list[Citation]


class LineageNode(BaseModel):
    """One actor in a family tree, with how it came out of its parent: ``relation`` is the main
    link (a split before a faction tie), ``relations`` every link to the parent, in the registry's
    order — sources that disagree on a split's date each keep theirs."""

    actor: str
    name: str
    relation: RelationKind | None = None
    since: PDate | None = None
    sources: list[Citation] = []
    relations: list[RelationView] = []
    children: list[LineageNode] = []


class ActorSummary(BaseModel):
    id: str
    name: str
    kind: ActorKind
    legal_status: str | None
    origins: list[str]
    aliases: list[str]


class ActorDetail(BaseModel):
    actor: Actor
    legal_status: LegalStatusSpan | None
    lineage: LineageNode
    related_by_others: list[RelationView]
    tables: list[str]
    ceasefires: list[str]
    gestures: list[Gesture]


def get_actor(registry: Registry, actor_id: str) -> Actor:
    """An actor by id, name or alias (``lookup.find``)."""
    from peacemonitor.lookup import find

    return find(
        registry.actors,
        actor_id,
        lambda a: [a.name, *(alias.name for alias in a.aliases)],
        "actor",
        "peacemonitor actors",
    )


def legal_status_on(actor: Actor, day: dt.date) -> LegalStatusSpan | None:
    """The legal status in force on ``day``: the latest span that has begun and not ended."""
    current = [
        span
        for span in actor.legal_status
        if (span.since is None or span.since.first <= day)
        and (span.until is None or span.until.last >= day)
    ]
    return max(current, key=lambda s: date_key(s.since), default=None)


def _parent(actor: Actor) -> str | None:
    """The actor this one came out of (first lineage relation listed)."""
    for relation in actor.relations:
        if relation.kind in LINEAGE_RELATIONS:
            return relation.actor
    return None


def _root(registry: Registry, actor_id: str) -> str:
    seen = {actor_id}
    while (parent := _parent(registry.actors[actor_id])) and parent not in seen:
        seen.add(parent)
        actor_id = parent
    return actor_id


def _view(relation: ActorRelation, actor_id: str) -> RelationView:
    return RelationView(
        actor=actor_id,
        kind=relation.kind,
        since=relation.since,
        until=relation.until,
        sources=relation.sources,
    )


def _child(other: Actor, parent_id: str) -> LineageNode | None:
    """``other`` as a child of ``parent_id``, if it came out of it."""
    links = [r for r in other.relations if r.kind in TREE_RELATIONS and r.actor == parent_id]
    if not links:
        return None
    main = min(links, key=lambda r: TREE_RELATIONS.index(r.kind))
    return LineageNode(
        actor=other.id,
        name=other.name,
        relation=main.kind,
        since=main.since,
        sources=main.sources,
        relations=[_view(r, parent_id) for r in links],
    )


def _subtree(registry: Registry, node: LineageNode, seen: set[str]) -> LineageNode:
    for other in sorted(registry.actors.values(), key=lambda a: a.id):
        if other.id not in seen and (child := _child(other, node.actor)) is not None:
            seen.add(other.id)
            node.children.append(_subtree(registry, child, seen))
    node.children.sort(key=lambda c: (date_key(c.since), c.actor))
    return node


def lineage(registry: Registry, actor_id: str) -> LineageNode:
    """The whole family tree ``actor_id`` belongs to, from its oldest ancestor down."""
    get_actor(registry, actor_id)
    root_id = _root(registry, actor_id)
    root = registry.actors[root_id]
    return _subtree(registry, LineageNode(actor=root.id, name=root.name), {root.id})


def summarize(registry: Registry, actor: Actor, day: dt.date) -> ActorSummary:
    status = legal_status_on(actor, day)
    origins = [
        f"{r.kind.value} {r.actor}" + (f" ({r.since})" if r.since else "")
        for r in actor.relations
        if r.kind in TREE_RELATIONS
    ]
    return ActorSummary(
        id=actor.id,
        name=actor.name,
        kind=actor.kind,
        legal_status=status.status.value if status else None,
        origins=origins,
        aliases=[a.name for a in actor.aliases],
    )


def list_actors(registry: Registry, day: dt.date | None = None) -> list[ActorSummary]:
    """Every actor with its legal status on ``day`` (today by default)."""
    day = day or dt.date.today()
    return [
        summarize(registry, a, day) for a in sorted(registry.actors.values(), key=lambda a: a.id)
    ]


def _related_by_others(registry: Registry, actor_id: str) -> list[RelationView]:
    return [
        _view(r, o.id)
        for o in sorted(registry.actors.values(), key=lambda a: a.id)
        for r in o.relations
        if r.actor == actor_id
    ]


def actor_detail(registry: Registry, actor_id: str, day: dt.date | None = None) -> ActorDetail:
    """An actor with its lineage, who relates to it, and where it negotiates and holds fire."""
    actor = get_actor(registry, actor_id)
    day = day or dt.date.today()
    return ActorDetail(
        actor=actor,
        legal_status=legal_status_on(actor, day),
        lineage=lineage(registry, actor_id),
        related_by_others=_related_by_others(registry, actor_id),
        tables=sorted(
            t.id for t in registry.tables.values() if any(p.actor == actor_id for p in t.parties)
        ),
        ceasefires=sorted(c.id for c in registry.ceasefires.values() if actor_id in all_parties(c)),
        gestures=sorted(
            (g for g in registry.gestures.values() if g.actor == actor_id),
            key=lambda g: date_key(g.date),
        ),
    )
