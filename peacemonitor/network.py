"""Interdependence: the network of armed groups and negotiation tables.

Nodes are the registry's actors that take part in a relation or sit at a table, and the tables.
Edges are the cited relations between groups (lineage: split-from, faction-of, renamed-from,
merged-into; alliances; rivalries) and each table's parties (government, armed group, guarantor,
mediator, companion). Every edge keeps its dates and sources, so a reader can check each link.
Exported as JSON nodes/edges or GraphML (networkx) for Gephi, yEd or Cytoscape.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from peacemonitor.model import LINEAGE_RELATIONS
from peacemonitor.registry import Registry
from peacemonitor.tables import summary_on

if TYPE_CHECKING:
    import networkx as nx


class Node(BaseModel):
    id: str
    type: str = Field(description="actor or table")
    name: str
    kind: str = Field(description="the actor's kind, or the table's level")
    status: str | None = Field(default=None, description="a table's status on the day asked")


class Edge(BaseModel):
    source: str
    target: str
    relation: str = Field(
        description="an actor relation (split-from, allied-with, rival-of …) or party:ROLE"
    )
    family: str = Field(description="lineage, alliance, rivalry or table")
    since: str | None
    until: str | None
    sources: list[str]


class Network(BaseModel):
    as_of: dt.date
    nodes: list[Node]
    edges: list[Edge]


def _family(relation: str) -> str:
    if relation == "allied-with":
        return "alliance"
    if relation == "rival-of":
        return "rivalry"
    lineage = {r.value for r in LINEAGE_RELATIONS} | {"merged-into"}
    return "lineage" if relation in lineage else "other"


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def relation_edges(registry: Registry) -> list[Edge]:
    """Each actor relation as an edge from the actor that states it to the other."""
    return [
        Edge(
            source=actor.id,
            target=relation.actor,
            relation=relation.kind.value,
            family=_family(relation.kind.value),
            since=_text(relation.since),
            until=_text(relation.until),
            sources=[c.source for c in relation.sources],
        )
        for actor in sorted(registry.actors.values(), key=lambda a: a.id)
        for relation in actor.relations
    ]


def party_edges(registry: Registry) -> list[Edge]:
    """Each table party as an edge from the actor to the table."""
    return [
        Edge(
            source=party.actor,
            target=table.id,
            relation=f"party:{party.role.value}",
            family="table",
            since=_text(party.since),
            until=_text(party.until),
            sources=[c.source for c in party.sources],
        )
        for table in sorted(registry.tables.values(), key=lambda t: t.id)
        for party in table.parties
    ]


def network(registry: Registry, as_of: dt.date | None = None) -> Network:
    """Groups and tables with every cited link between them (table status on ``as_of``)."""
    day = as_of or dt.date.today()
    edges = relation_edges(registry) + party_edges(registry)
    linked = {e.source for e in edges} | {e.target for e in edges}
    nodes = [
        Node(id=a.id, type="actor", name=a.name, kind=a.kind.value)
        for a in sorted(registry.actors.values(), key=lambda a: a.id)
        if a.id in linked
    ]
    for table in sorted(registry.tables.values(), key=lambda t: t.id):
        state = summary_on(table, day)
        nodes.append(
            Node(
                id=table.id,
                type="table",
                name=table.name,
                kind=table.level.value,
                status=state.status.value if state else None,
            )
        )
    return Network(as_of=day, nodes=nodes, edges=edges)


def to_networkx(net: Network) -> nx.MultiDiGraph:
    """A networkx multigraph (two groups can be both split and rivals); None attributes dropped
    and lists joined, since GraphML holds only scalars."""
    import networkx as nx

    graph = nx.MultiDiGraph(as_of=net.as_of.isoformat())
    for node in net.nodes:
        graph.add_node(node.id, **_scalars(node.model_dump(exclude={"id"})))
    for edge in net.edges:
        data = _scalars(edge.model_dump(exclude={"source", "target"}))
        graph.add_edge(edge.source, edge.target, **data)
    return graph


def _scalars(data: dict[str, object]) -> dict[str, str]:
    return {
        k: "; ".join(map(str, v)) if isinstance(v, list) else str(v)
        for k, v in data.items()
        if v is not None
    }


def graphml(net: Network) -> str:
    """The network as GraphML text."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(to_networkx(net)))
