"""The armed group page on a small store: its JSON twin equals the library calls (lineage,
presence, strength, tables, ceasefires, scorecard) and the HTML draws what they return — the
lineage edges dated and cited, every strength point, the scorecard with "no data" apart from 0."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from peacemonitor.actors import TREE_RELATIONS, lineage
from peacemonitor.ceasefires import get_ceasefire, state_on
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.presence import presence
from peacemonitor.registry import Registry, from_store, load
from peacemonitor.scorecard import negotiating_groups, scorecard
from peacemonitor.settings import Settings
from peacemonitor.statistics import list_statistics
from peacemonitor.store import Store
from peacemonitor.tables import list_tables
from peacemonitor.user_presence import import_presence
from peacemonitor.web import create_app
from peacemonitor.web.context import Caches, Context
from peacemonitor.web.filters import Filters
from peacemonitor.web.groups import COLUMN, ROW, group, lineage_tree, strength_points

TERRITORIES = Path(__file__).parent / "data" / "territories"
DAY = dt.date(2025, 3, 1)
# Synthetic, for this test only: the user's own presence table puts the ELN in Cali.
PRESENCE = "actor,territory,from,to,source\neln,76001,2024-01,2025-12,test field note\n"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Eleven municipalities (Antioquia and Valle del Cauca with boundaries), the bundled
    registry and one imported presence row."""
    from conftest import world_store

    folder = tmp_path_factory.mktemp("groups")
    store = world_store(
        folder / "groups.duckdb", TERRITORIES / "dl_municipios.csv", TERRITORIES / "tiny.topojson"
    )
    (folder / "presence.csv").write_text(PRESENCE, encoding="utf-8")
    import_presence(store, load(), Gazetteer.from_store(store), folder / "presence.csv")
    return store


@pytest.fixture(scope="module")
def registry(small: Store) -> Registry:
    """The store's registry, as the page reads it (its record order is the store's)."""
    return from_store(small)


@pytest.fixture(scope="module")
def client(small: Store) -> TestClient:
    return TestClient(create_app(Settings(db=small.path)))


def _json(model: object) -> object:
    return json.loads(model.model_dump_json())  # type: ignore[attr-defined]


def test_the_json_twin_is_the_builder(client: TestClient, small: Store) -> None:
    ctx = Context(store=small, filters=Filters(as_of=DAY), caches=Caches())
    assert client.get("/api/actor/eln?as_of=2025-03-01").json() == _json(group(ctx, "eln"))


def test_the_twin_holds_the_library_answers(
    client: TestClient, small: Store, registry: Registry
) -> None:
    got = client.get("/api/actor/eln?as_of=2025-03-01").json()
    found = presence(small, registry, "eln", DAY, 24)
    assert [(r["territory_code"], r["how"], r["source"]) for r in got["presence"]["rows"]] == [
        (r.territory_code, r.how, r.source) for r in found
    ]
    assert {r.how for r in found} == {"registry", "user"}
    assert got["presence"]["departments"] == {"registry": ["27", "54", "81"], "events": []} | {
        "user": ["76"]
    }
    stats = list_statistics(registry, actor="eln")
    assert got["statistics"] == [_json(s) for s in stats]
    values = sorted(p["value"] for p in got["strength"])
    assert values == sorted(float(s.value) for s in registry.actors["eln"].strength)
    card = scorecard(small, registry, "eln", range(2022, 2026))
    assert got["scorecard"]["card"] == _json(card)
    begun = {t.id: t for t in list_tables(registry, DAY)}
    assert [t["summary"] for t in got["tables"]] == [_json(begun[i]) for i in ["gov-eln"]]
    ids = [c["id"] for c in got["ceasefires"]]
    assert got["ceasefires"] == [_json(state_on(get_ceasefire(registry, i), DAY)) for i in ids]


def _family_relations(registry: Registry, family: set[str]) -> set[tuple[str, str, str, str]]:
    return {
        (r.actor, a, r.kind.value, str(r.since))
        for a in family
        for r in registry.actors[a].relations
        if r.kind in TREE_RELATIONS and r.actor in family and r.actor != a
    }


def test_the_tree_holds_every_lineage_relation_of_the_family(registry: Registry) -> None:
    root = lineage(registry, "emc")
    tree = lineage_tree(registry, root, "emc")
    family = {n.actor for n in tree.nodes}
    assert {"farc-ep", "emc", "segunda-marquetalia", "cneb"} <= family
    drawn = {
        (e.parent, e.child, r.kind.value, str(r.since)) for e in tree.edges for r in e.relations
    }
    assert drawn == _family_relations(registry, family)
    by_id = {n.actor: n for n in tree.nodes}
    for edge in tree.edges:  # a tree link goes one generation down, to a later row
        parent, child = by_id[edge.parent], by_id[edge.child]
        if edge.in_tree:
            assert (child.depth, child.row > parent.row) == (parent.depth + 1, True)
    assert [e for e in tree.edges if not e.in_tree]  # a merger: a second, dashed origin
    assert all((n.x - 10, n.y - 10) == (n.depth * COLUMN, n.row * ROW) for n in tree.nodes)
    assert [n.actor for n in tree.nodes if n.current] == ["emc"]
    assert lineage_tree(registry, lineage(registry, "emc"), "emc") == tree  # deterministic


def test_the_page_draws_the_lineage_edges_dated_and_cited(
    client: TestClient, registry: Registry
) -> None:
    page = client.get("/actor/comuneros-del-sur?lang=en").text
    drawn = set(re.findall(r'class="edge[^"]*" data-parent="([\w-]+)" data-child="([\w-]+)"', page))
    assert drawn == {("eln", "comuneros-del-sur")}
    assert 'data-actor="comuneros-del-sur" aria-current="page"' in page
    assert '<a href="/actor/eln?lang=en" aria-label="Ejército de Liberación Nacional">' in page
    table = page[page.index('<table class="edges">') :]
    table = table[: table.index("</table>")]
    for r in registry.actors["comuneros-del-sur"].relations:
        if r.kind in TREE_RELATIONS:
            assert f"<td>{r.since}</td>" in table or f"<td>{r.since}–" in table
            assert all(c.source in table for c in r.sources)
    assert table.count('class="unverified"') == sum(
        r.unverified for r in registry.actors["comuneros-del-sur"].relations
    )


def test_the_page_draws_every_strength_point(client: TestClient, registry: Registry) -> None:
    page = client.get("/actor/eln?lang=en").text
    spec = re.search(r'class="strength-data" data-for="chart-strength">(.*?)</script>', page)
    assert spec is not None
    points = json.loads(spec.group(1))["points"]
    expected = strength_points(registry.actors["eln"], list_statistics(registry, actor="eln"))
    assert [(p["value"], p["unit"], p["unverified"]) for p in points] == [
        (p.value, p.unit, p.unverified) for p in expected
    ]
    rows = page[page.index('<table class="strength">') :]
    rows = rows[: rows.index("</table>")]
    assert rows.count("<tr>") == len(expected) + 1
    assert "6,450" in rows and rows.count('class="unverified"') == sum(
        p.unverified for p in expected
    )


def test_a_strength_statistic_is_a_point_too(registry: Registry) -> None:
    points = strength_points(
        registry.actors["comuneros-del-sur"], list_statistics(registry, actor="comuneros-del-sur")
    )
    from_statistics = [p for p in points if p.origin.startswith("statistic ")]
    assert [(p.value, p.unit, p.period) for p in from_statistics] == [
        (200.0, "fighters", "2024-11")
    ]


def test_a_group_without_figures_says_no_data_and_is_not_scored(client: TestClient) -> None:
    page = html.unescape(client.get("/actor/farc-ep?lang=en").text)
    assert "No data: the registry holds no published figure of this group's strength." in page
    assert "chart-strength" not in page
    assert "Not scored: not a party to any negotiation table as an armed group" in page


def test_the_scorecard_shows_scores_and_no_data_apart(
    client: TestClient, small: Store, registry: Registry
) -> None:
    assert "eln" in negotiating_groups(registry)
    page = client.get("/actor/eln?lang=en&start=2023&end=2024").text
    card = scorecard(small, registry, "eln", range(2023, 2025))
    for year in card.years:
        row = re.search(rf'<tr data-year="{year.year}">(.*?)</tr>', page, re.S)
        assert row is not None
        score = re.search(r'<td class="score">([^<]*)</td>', row.group(1))
        assert score is not None
        assert score.group(1) == ("no data" if year.score is None else f"{year.score:.2f}")
        for c in year.components:
            cell = re.search(rf'data-component="{c.name}" class="(\w+)">(.*?)</td>', row.group(1))
            assert cell is not None
            shown = f"{c.score:.2f}" if c.score is not None else f'<span class="status">{c.status}'
            assert cell.group(2).startswith(shown), (year.year, c.name)
    gestures = [
        e for y in card.years for c in y.components for e in c.evidence if e.kind == "gesture"
    ]
    assert gestures
    for e in gestures:  # each gesture cited with the registry's sources
        cited = ", ".join(c.source for c in registry.gestures[e.ref].sources)
        assert re.search(
            rf"<code>{e.ref}</code> {e.date}[^<]*(<span[^>]*>[^<]*</span>)?"
            rf" <small class=\"cite\">\[{re.escape(cited)}\]",
            page,
        ), e.ref
    assert any(c.score == 0 for y in card.years for c in y.components)  # a measured 0 ...
    assert any(c.score is None for y in card.years for c in y.components)  # ... and no data


def test_the_presence_map_colours_departments_by_how_they_are_known(client: TestClient) -> None:
    page = client.get("/actor/eln?lang=en&as_of=2025-03-01").text
    groups = dict(re.findall(r'data-code="(\d\d)" data-group="(\w*)"', page))
    assert groups == {"05": "", "76": "user"}  # the fixture's two departments with boundaries
    rows = re.findall(r'<tr data-how="(\w+)"><td>(.*?)</td>', page)
    assert [how for how, _ in rows] == ["registry"] * 3 + ["user"]
    assert 'href="/territory/76001?lang=en&amp;as_of=2025-03-01"' in page
    assert "test field note" in page


def test_a_day_before_the_process_has_no_year_to_score(client: TestClient) -> None:
    page = client.get("/actor/eln?lang=en&as_of=2018-06-30")
    assert page.status_code == 200
    assert "No year to score: the years asked end before the process began (2022)." in page.text
    assert client.get("/api/actor/eln?as_of=2018-06-30").json()["scorecard"]["card"]["years"] == []
