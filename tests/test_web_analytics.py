"""The analytics pages (implementation, scorecard, published vs computed) on a small store: each
JSON twin holds the library call's answer for the filters in the URL, and the HTML shows its
numbers, its "no data" apart from 0, its citations and unverified marks, and what to load."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacemonitor.divipola import load_divipola
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.implementation import implementation
from peacemonitor.published import reconcile
from peacemonitor.registry import Registry, from_store
from peacemonitor.runner import import_file
from peacemonitor.scorecard import WEIGHTS, negotiating_groups, scorecard
from peacemonitor.settings import Settings
from peacemonitor.store import Store
from peacemonitor.web import create_app
from peacemonitor.web.context import PinnedStore

TERRITORIES = Path(__file__).parent / "data" / "territories"
# Synthetic massacres (unit-test data, never shown as real): two in calendar 2022, three in
# 2023; the government's first year (7 Aug 2022 – 6 Aug 2023) holds the Cali and the March
# Medellín rows: 2 incidents, 8 victims.
MASSACRES = """FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS
2022/01/10,5,ANTIOQUIA,5001,MEDELLIN,1,4
2022/09/15,76,VALLE DEL CAUCA,76001,CALI,1,3
2023/03/01,5,ANTIOQUIA,5001,MEDELLIN,1,5
2023/10/20,76,VALLE DEL CAUCA,76001,CALI,1,3
2023/12/28,5,ANTIOQUIA,5664,SAN PEDRO DE LOS MILAGROS,1,6
"""


def _store(folder: Path, massacres: bool) -> Store:
    from peacemonitor.registry import bundled_directory, load, save

    store = Store(folder / "analytics.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    save(load(), store, bundled_directory())
    if massacres:
        (folder / "massacres.csv").write_text(MASSACRES, encoding="utf-8")
        import_file(store, "massacres", folder / "massacres.csv", Gazetteer.from_store(store))
    return store


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return _store(tmp_path_factory.mktemp("analytics"), massacres=True)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The registry and DIVIPOLA, no observations."""
    return _store(tmp_path_factory.mktemp("bare"), massacres=False)


@pytest.fixture(scope="module")
def registry(small: Store) -> Registry:
    return from_store(small)


@pytest.fixture(scope="module")
def client(small: Store) -> TestClient:
    return TestClient(create_app(Settings(db=small.path)))


def _json(model: Any) -> Any:
    return json.loads(model.model_dump_json())


def _row(page: str, attribute: str, value: str) -> str:
    """The first table row carrying ``attribute="value"``."""
    found = re.search(rf'<tr [^>]*{attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"{attribute}={value} not on the page"
    return found.group(1)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


# --- implementation --------------------------------------------------------------------------


def test_implementation_twin_is_the_library_report_for_the_table_in_the_url(
    client: TestClient, registry: Registry
) -> None:
    twin = client.get("/api/implementation?table=gov-comuneros-del-sur").json()
    expected = implementation(registry, "gov-comuneros-del-sur")
    assert twin["report"] == _json(expected)
    assert twin["scope"] == "gov-comuneros-del-sur"
    assert twin["filters"] == {"table": "gov-comuneros-del-sur"}
    assert client.get("/api/implementation").json()["report"] == _json(implementation(registry))


def test_implementation_page_shows_levels_citations_and_unverified_steps(
    client: TestClient, registry: Registry
) -> None:
    report = implementation(registry, "gov-comuneros-del-sur")
    page = client.get("/implementation?lang=en&table=gov-comuneros-del-sur").text
    assert "our coding from reported events" in page
    shown = dict(re.findall(r'<tr data-level="([^"]+)"><td>[^<]*</td><td>(\d+)</td>', page))
    assert shown == {k: str(v) for k, v in report.by_level.items()}
    assert report.by_level["1"] == 2 and report.by_level["not coded"] == 13
    unverified = [
        s for a in report.agreements for p in a.provisions for s in p.steps if s.unverified
    ]
    assert unverified  # the Comuneros' ceasefire step came before the signature
    assert page.count('class="unverified"') >= len(unverified)
    link = 'href="/sources?lang=en&amp;table=gov-comuneros-del-sur#{}"'
    for a in report.agreements:
        assert f'href="/table/{a.table}' in page
        steps = [s for p in a.provisions for s in p.steps]
        assert all(link.format(source) in page for s in steps for source in s.sources)
    bars = re.findall(r'<g data-as-of="([^"]+)" data-provisions="(\d+)">', page)
    assert bars == [(s.as_of, str(s.provisions)) for s in report.over_time]
    assert "Source: the registry" in page and "table = gov-comuneros-del-sur" in page


def test_implementation_shows_the_kroc_aggregates_beside_our_coding(
    client: TestClient, registry: Registry
) -> None:
    published = [g for a in implementation(registry).agreements for g in a.published]
    assert published
    page = client.get("/implementation?lang=en").text
    table = page.split('id="published-aggregates"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(published) + 1
    assert "Kroc Institute" in table


def test_an_unknown_scope_is_a_404(client: TestClient) -> None:
    answer = client.get("/api/implementation?table=nope")
    assert answer.status_code == 404 and answer.json()["error"]["type"] == "NotFound"


# --- scorecard -------------------------------------------------------------------------------


def test_scorecard_twin_is_the_library_call_for_the_years_and_weights_in_the_url(
    client: TestClient, small: Store, registry: Registry
) -> None:
    twin = client.get("/api/scorecard?start=2023&end=2024&weights=violence%3D2").json()
    weights = WEIGHTS | {"violence": 2.0}
    pinned = PinnedStore(small.path, timeout=10)  # one connection for the many reads
    try:
        expected = [
            scorecard(pinned, registry, s, range(2023, 2025), weights)
            for s in negotiating_groups(registry)
        ]
    finally:
        pinned.close()
    assert twin["cards"] == [_json(c) for c in expected]
    assert twin["years"] == [2023, 2024] and twin["weights"] == weights
    one = client.get("/api/scorecard?subject=gov-eln&start=2024&end=2024").json()
    assert one["cards"] == [_json(scorecard(small, registry, "gov-eln", range(2024, 2025)))]
    assert client.get("/api/scorecard?weights=nope%3D1").status_code == 400


def test_scorecard_draws_no_data_apart_from_zero_and_says_why(
    client: TestClient, small: Store, registry: Registry
) -> None:
    card = scorecard(small, registry, "eln", range(2024, 2025))
    year = card.years[0]
    parts = {c.name: c for c in year.components}
    assert parts["red-lines"].status == "no data"  # no source names armed groups here
    assert parts["gestures"].status == "measured" and parts["gestures"].score == 0.0
    page = client.get("/scorecard?lang=en&subject=eln&start=2024&end=2024").text
    row = page.split('<tr data-year="2024">')[1].split("</tr>")[0]
    red = row.split('data-component="red-lines"')[1].split("</td>")[0]
    assert "swatch nodata" in red and "no data" in red and "0.00" not in red
    assert parts["red-lines"].detail in red
    gestures = row.split('data-component="gestures"')[1].split("</td>")[0]
    assert "<strong>0.00</strong>" in gestures and "nodata" not in gestures
    assert f"{100 * year.measured_weight:.0f} %" in row
    score = row.split('class="score"')[1].split("</td>")[0]
    assert score.removeprefix(">").strip() == f"<strong>{year.score:.2f}</strong>"
    for e in parts["gestures"].evidence:
        assert e.ref in page


# --- published vs computed -------------------------------------------------------------------


def test_published_twin_is_the_reconcile_report(
    client: TestClient, small: Store, registry: Registry
) -> None:
    assert client.get("/api/published").json()["report"] == _json(reconcile(small, registry))
    twin = client.get("/api/published?indicator=massacres&computable=true").json()
    assert twin["report"] == _json(reconcile(small, registry, "massacres", True))
    assert twin["filters"] == {"indicator": "massacres", "computable": "True"}


def test_published_page_shows_each_statistic_beside_the_computed_figure(
    client: TestClient, small: Store, registry: Registry
) -> None:
    rows = {r.statistic: r for r in reconcile(small, registry).rows}
    first = rows["indepaz-massacres-first-year"]
    readings = {c.reading: c for c in first.computed}
    assert readings["government year 1"].value == 2 and readings["as published"].value == 2
    assert readings["as published"].difference == 92
    page = client.get("/published?lang=en").text
    row = _row(page, "data-statistic", "indepaz-massacres-first-year")
    published = _text(row.split('class="published-value">')[1].split("</td>")[0])
    computed = _text(row.split('class="computed-value">')[1].split("</td>")[0])
    difference = _text(row.split('class="difference">')[1].split("</td>")[0])
    assert published.startswith("94 massacres") and "indepaz" in published.lower()
    assert computed.startswith("2 massacres · incidents · as published (2022-08-01 – 2023-08-31)")
    assert difference == "92"
    year = rows["indepaz-massacres-2022"].computed[0]
    assert (year.value, year.difference) == (2, 92)
    assert "definition: the official list counts massacres of 3+ victims" in page
    assert "Policía Nacional – masacres (datos.gov.co) (accessed" in page


def test_published_page_counts_the_government_year_both_ways(
    client: TestClient, small: Store, registry: Registry
) -> None:
    year = reconcile(small, registry).government_year
    assert year is not None
    found = {r.reading: (r.incidents, r.victims) for r in year.readings}
    assert found == {
        "government year 1": (2, 8),
        "calendar 2022": (2, 7),
        "calendar 2023": (3, 14),
    }
    page = client.get("/published?lang=es").text
    for reading, (incidents, victims) in found.items():
        cells = re.findall(r"<td>(.*?)</td>", _row(page, "data-year-reading", reading))
        assert (cells[3], cells[4]) == (f"{incidents:g}", f"{victims:g}")
    assert "El primer año del gobierno" in page and "<td>año de gobierno 1</td>" in page


def test_without_observations_the_published_page_says_what_to_load(bare: Store) -> None:
    client = TestClient(create_app(Settings(db=bare.path)))
    twin = client.get("/api/published").json()
    assert twin["report"]["government_year"] is None
    commands = {m["what"]: m["command"] for m in twin["missing"]}
    assert commands["observations"].startswith("peacemonitor import")
    assert commands["massacre"] == "peacemonitor import massacres path/to/masacres_2022_2025"
    assert commands["homicide"] == "peacemonitor import police path/to/policia_homicidios_raw"
    page = client.get("/published?lang=en").text
    assert "Data to load" in page and "peacemonitor import massacres" in page
    assert "The official massacre list is not imported" in page
    assert "Nothing imported covers a published statistic yet." in page


def test_the_spanish_scorecard_draws_details_in_spanish_and_marks_english(
    client: TestClient, small: Store, registry: Registry
) -> None:
    from english_text import english_marked, outside_english

    card = scorecard(small, registry, "eln", range(2024, 2025))
    parts = {c.name: c for c in card.years[0].components}
    page = client.get("/scorecard?lang=es&subject=eln&start=2024&end=2024").text
    row = page.split('<tr data-year="2024">')[1].split("</tr>")[0]
    red = row.split('data-component="red-lines"')[1].split("</td>")[0]
    lines = int(parts["red-lines"].counts["lines"])
    said = f"{lines} línea(s) roja(s); ninguna fuente que nombre a los grupos armados cubre 2024"
    assert said in red
    gestures = row.split('data-component="gestures"')[1].split("</td>")[0]
    counts = parts["gestures"].counts
    assert f"{counts['goodwill']:.0f} de buena voluntad, {counts['hostile']:.0f} hostil(es)" in (
        gestures
    )
    assert "<strong>0,00</strong>" in gestures
    spanish = outside_english(page)
    for english in ("red line(s)", "goodwill", "hostile", "no source", "in force", "view(s)"):
        assert english not in spanish, english
    evidence = [e.detail for c in parts.values() for e in c.evidence if e.detail]
    assert evidence and set(evidence) <= set(english_marked(page))
    assert 'id="english-note"' in page


def test_the_spanish_published_page_marks_registry_statements_and_reasons_as_english(
    client: TestClient, small: Store, registry: Registry
) -> None:
    from english_text import english_marked

    report = reconcile(small, registry)
    page = client.get("/published?lang=es").text
    marked = set(english_marked(page))
    statements = {r.statement for r in report.rows}
    reasons = {why for r in report.rows if r.status != "not computable" for why in r.reasons}
    assert statements and statements <= marked
    assert reasons and reasons <= marked
    assert 'id="english-note"' in page
    assert 'id="english-note"' not in client.get("/published?lang=en").text
