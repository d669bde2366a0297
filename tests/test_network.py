"""The network of groups and tables, as records and as GraphML."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import networkx as nx
import pytest
from analytics_fixtures import tiny_registry

from peacemonitor.network import graphml, network
from peacemonitor.registry import load


def test_nodes_and_edges_of_the_tiny_registry() -> None:
    net = network(tiny_registry(), dt.date(2024, 7, 1))
    assert [(n.id, n.type, n.status) for n in net.nodes] == [
        ("alpha", "actor", None),
        ("beta", "actor", None),
        ("gov", "actor", None),
        ("alpha-table", "table", "suspended"),
    ]  # church is linked to nothing
    assert [(e.source, e.target, e.relation, e.family, e.since) for e in net.edges] == [
        ("beta", "alpha", "split-from", "lineage", "2023"),
        ("beta", "alpha", "rival-of", "rivalry", None),
        ("gov", "alpha-table", "party:government", "table", None),
        ("alpha", "alpha-table", "party:armed-group", "table", None),
    ]
    assert all(e.sources == ["src"] for e in net.edges)


def test_graphml_round_trip() -> None:
    graph = nx.read_graphml(io.StringIO(graphml(network(tiny_registry(), dt.date(2024, 7, 1)))))
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 4
    assert graph.nodes["alpha-table"]["status"] == "suspended"
    relations = sorted(d["relation"] for _, _, d in graph.edges(data=True))
    assert relations == ["party:armed-group", "party:government", "rival-of", "split-from"]


def test_bundled_registry_links_comuneros_to_the_eln() -> None:
    net = network(load(), dt.date(2025, 1, 1))
    links = {(e.source, e.target, e.relation) for e in net.edges}
    assert ("comuneros-del-sur", "eln", "split-from") in links
    assert ("comuneros-del-sur", "gov-comuneros-del-sur", "party:armed-group") in links


@pytest.fixture
def tiny_cli(
    monkeypatch: pytest.MonkeyPatch, cli: Callable[..., tuple[int, str]]
) -> Callable[..., tuple[int, str]]:
    from peacemonitor.cli import analytics_commands as analytics

    monkeypatch.setattr(analytics, "_registry", lambda ctx: tiny_registry())
    return cli


def test_cli_csv_and_graphml(tiny_cli: Callable[..., tuple[int, str]], tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, out = tiny_cli("network", "--format", "csv", "--as-of", "2024-07-01")
    assert (code, out.splitlines()[:2]) == (
        0,
        [
            "source,target,relation,family,since,until,sources",
            "beta,alpha,split-from,lineage,2023,,src",
        ],
    )
    path = tmp_path / "n.graphml"
    code, out = tiny_cli("network", "--format", "graphml", "--output", str(path))
    assert (code, out) == (0, f"wrote 4 node(s), 4 edge(s) to {path}\n")
    assert nx.read_graphml(path).number_of_edges() == 4
