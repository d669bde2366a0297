"""The import graph of the package: imports go down the layers, and no module imports itself
back through others. Imports inside functions and under TYPE_CHECKING count too: a cycle held
apart only by a function-level import is still a cycle. See docs/architecture.md."""

from __future__ import annotations

from pathlib import Path

import grimp
import networkx as nx
import pytest

PACKAGE = "peacemonitor"

LAYERS: list[tuple[str, list[str]]] = [
    (
        "model",
        ["errors", "names", "model", "observations", "files", "csvfiles", "categories", "views"],
    ),
    ("store", ["store", "settings", "coverage"]),
    (
        "reference",
        [
            "territories",
            "divipola",
            "boundaries",
            "population",
            "reference",
            "gazetteer",
            "fetch",
            "registry_records",
            "actor_names",
            "checks",
            "registry",
        ],
    ),
    (
        "framework",
        [
            "importers.framework",
            "importers.tabular",
            "importers.events",
            "importers.party_links",
            "indicators",
        ],
    ),
    ("importers", ["importers"]),
    (
        "runner",
        ["runner", "quarantine", "handover", "acled_sync", "user_presence", "table_imports"],
    ),
    ("interface", ["cli", "web", "shapes", "docs", "__main__", ""]),
]
"""Lowest first. A module belongs to the layer of the longest name here that it starts with
(``importers.acled`` → importers, ``importers.framework.items`` → framework); the package root
("") and its ``__main__`` are the interface. A top-level module named nowhere is a read module
over the registry and the store (``actors``, ``tables``, ``process_records`` …) and sits with
the framework: above the registry, below the importers."""
READS = "framework"


def _graph() -> nx.DiGraph:
    graph = grimp.build_graph(PACKAGE, include_external_packages=False)
    edges = nx.DiGraph()
    for module in graph.modules:
        edges.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    return edges


GRAPH = _graph()


def layer_of(module: str) -> int:
    """The index in LAYERS of a module, by its longest listed prefix."""
    name = module.removeprefix(PACKAGE).removeprefix(".")
    best, found = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = name == prefix or name.startswith(prefix + ".") or (prefix == "" and not name)
            if matches and len(prefix) > best:
                best, found = len(prefix), index
    if found is None:
        return [layer for layer, _ in LAYERS].index(READS)
    return found


def test_the_layers_name_only_modules_that_exist() -> None:
    names = {m.removeprefix(PACKAGE).removeprefix(".") for m in GRAPH.nodes}
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            assert prefix == "" or any(n == prefix or n.startswith(prefix + ".") for n in names), (
                prefix
            )


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, b in GRAPH.edges
        if layer_of(b) > layer_of(a)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert cycles == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("peacemonitor.importers.acled", "importers"),
        ("peacemonitor.importers.framework.items", "framework"),
        ("peacemonitor.actors", "framework"),
        ("peacemonitor.cli.import_commands", "interface"),
        ("peacemonitor", "interface"),
    ],
)
def test_a_module_belongs_to_the_layer_of_its_longest_prefix(module: str, layer: str) -> None:
    assert LAYERS[layer_of(module)][0] == layer


def test_the_check_sees_imports_inside_functions() -> None:
    """docs.py imports shapes only inside a function: the graph must still hold the edge."""
    assert GRAPH.has_edge("peacemonitor.docs", "peacemonitor.shapes")


def test_a_module_over_600_lines_says_why_at_its_top() -> None:
    root = Path(__file__).resolve().parents[1] / PACKAGE
    unexplained = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if len(text := path.read_text(encoding="utf-8").splitlines()) > 600
        and not any("Why over 600 lines" in line for line in text[:40])
    ]
    assert unexplained == []
