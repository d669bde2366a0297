"""The regional pages on a small store: the priorities ranking (weights in the URL), the network
of groups and tables, and a territory's priority components and vacuum risk — each JSON twin
equal to the library call, each number shown in the HTML.

The store: the test DIVIPOLA's eleven municipalities (boundaries for Antioquia and Valle), the
bundled registry, four massacres (Medellín 2018, Cali twice in 2018, San Pedro 2019) and a 2018
population written here: Antioquia 2,050,000, Valle 1,020,000, Nariño 200,000, Cauca 40,000.
Massacres per 100,000 in 2018: Valle 0.196, Antioquia 0.049, Nariño and Cauca 0 — so violence
alone ranks Valle, Antioquia, then Cauca and Nariño (tied, by code); population alone ranks
Antioquia, Valle, Nariño, Cauca.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from peacemonitor.boundaries import load_boundaries
from peacemonitor.divipola import load_divipola
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.network import network
from peacemonitor.population import load_population
from peacemonitor.priorities import WEIGHTS, priorities
from peacemonitor.registry import Registry, from_store
from peacemonitor.runner import import_file
from peacemonitor.settings import Settings
from peacemonitor.store import Store
from peacemonitor.vacuum import vacuum
from peacemonitor.web import create_app
from peacemonitor.web.context import Caches, Context
from peacemonitor.web.filters import Filters
from peacemonitor.web.regions import layout, network_page
from peacemonitor.weights import parse_weights

TERRITORIES = Path(__file__).parent / "data" / "territories"
MASSACRES = """FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS
2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4
2018/03/15,76,VALLE DEL CAUCA,76001,CALI,1,3
2018/05/15,76,VALLE DEL CAUCA,76001,CALI,1,5
2019/12/30,5,ANTIOQUIA,5664,SAN PEDRO DE LOS MILAGROS,1,6
"""
POPULATION = """ID_MUNICIPIO;ANNO;POBLACION;ID_DEPARTAMENTO
5001;2018;2000000;5
5664;2018;50000;5
76001;2018;1000000;76
76670;2018;20000;76
52835;2018;200000;52
19548;2018;40000;19
"""
VIOLENCE_ONLY = "violence=1,population=0,fragmentation=0,tables=0,seriousness=0,implementation=0"
PEOPLE_ONLY = "violence=0,population=1,fragmentation=0,tables=0,seriousness=0,implementation=0"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from peacemonitor.registry import bundled_directory, load, save

    folder = tmp_path_factory.mktemp("regions")
    store = Store(folder / "regions.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    load_boundaries(store, TERRITORIES / "tiny.topojson", detail="light")
    save(load(), store, bundled_directory())
    (folder / "massacres.csv").write_text(MASSACRES, encoding="utf-8")
    import_file(store, "massacres", folder / "massacres.csv", Gazetteer.from_store(store))
    (folder / "population.csv").write_text(POPULATION, encoding="utf-8")
    load_population(store, folder / "population.csv", vintage="test-2018")
    return store


@pytest.fixture(scope="module")
def client(small: Store) -> TestClient:
    return TestClient(create_app(Settings(db=small.path)))


@pytest.fixture(scope="module")
def registry(small: Store) -> Registry:
    return from_store(small)


def _order(client: TestClient, query: str) -> list[str]:
    return [r["code"] for r in client.get("/api/priorities" + query).json()["report"]["rows"]]


def test_the_ranking_is_the_library_call_for_the_weights_in_the_url(
    client: TestClient, small: Store, registry: Registry
) -> None:
    shown = client.get(f"/api/priorities?period=2018&priority_weights={VIOLENCE_ONLY}").json()
    expected = priorities(
        small, registry, "department", 2018, parse_weights(VIOLENCE_ONLY, WEIGHTS)
    )
    assert shown["report"] == json.loads(expected.model_dump_json())
    assert shown["report"]["outcomes"]["civilians"] == "massacres"
    assert shown["defaults"] == WEIGHTS
    assert [s["source"] for s in shown["sources"]] == ["massacres"]
    assert shown["filters"]["priority_weights"] == VIOLENCE_ONLY


def test_changing_a_weight_in_the_url_changes_the_order(client: TestClient) -> None:
    by_violence = _order(client, f"?period=2018&priority_weights={VIOLENCE_ONLY}")
    by_people = _order(client, f"?period=2018&priority_weights={PEOPLE_ONLY}")
    assert by_violence[:4] == ["76", "05", "19", "52"]
    assert by_people[:4] == ["05", "76", "52", "19"]
    # the form's one input per component folds into the same weights
    inputs = "&".join(f"w_{part}" for part in PEOPLE_ONLY.split(","))
    assert _order(client, f"?period=2018&{inputs}") == by_people
    assert client.get(f"/api/priorities?period=2018&{inputs}").json()["filters"][
        "priority_weights"
    ] == (PEOPLE_ONLY)


def test_the_page_shows_the_ranking_the_weights_and_no_data_apart_from_zero(
    client: TestClient,
) -> None:
    data = client.get(f"/api/priorities?period=2018&priority_weights={VIOLENCE_ONLY}").json()[
        "report"
    ]
    page = client.get(f"/priorities?lang=en&period=2018&priority_weights={VIOLENCE_ONLY}").text
    rows = re.findall(r'<tr data-code="(\w+)"><td>(\d+)</td>', page)
    assert rows == [(r["code"], str(r["rank"])) for r in data["rows"]]
    first = re.search(r'<tr data-code="76">(.*?)</tr>', page, re.S)
    kept = urlencode({"lang": "en", "period": "2018", "priority_weights": VIOLENCE_ONLY})
    assert first is not None and f'<a href="/territory/76?{kept}">' in html.unescape(first.group(1))
    assert ">1.00<" in first.group(1)  # Valle's violence percentile
    bogota = re.search(r'<tr data-code="11">(.*?)</tr>', page, re.S)  # no population: no rate
    assert bogota is not None and bogota.group(1).count('class="nodata-text">no data<') >= 2
    nariño = re.search(r'<tr data-code="52">(.*?)</tr>', page, re.S)  # a covered 0 rate
    assert nariño is not None and ">0.38<" in nariño.group(1)  # tied lowest percentile, not 0
    assert 'id="weight-violence" value="1.0"' in page
    assert 'id="weight-population" value="0.0"' in page
    assert "Weights: violence = 1.00, population = 0.00" in page
    line = re.findall(r'<p class="sourceline">(.*?)</p>', page, re.S)[0]
    assert "Policía Nacional – masacres" in line and "accessed" in line and "period = 2018" in line


def test_the_map_draws_the_index_with_no_data_hatched(client: TestClient) -> None:
    data = client.get(f"/api/priorities?period=2018&priority_weights={VIOLENCE_ONLY}").json()
    index = {r["code"]: r["index"] for r in data["report"]["rows"]}
    assert {a["code"]: a["value"] for a in data["map"]["data"]["areas"]} == index
    page = client.get(f"/priorities?period=2018&priority_weights={VIOLENCE_ONLY}").text
    drawn = dict(re.findall(r'data-code="(\w+)" data-value="([^"]*)" class="area"', page))
    assert {code: float(v) for code, v in drawn.items()} == {"05": index["05"], "76": 1.0}
    kept = urlencode({"period": "2018", "priority_weights": VIOLENCE_ONLY, "lang": "es"})
    assert f'href="/territory/76?{kept}"' in html.unescape(page)  # the map keeps the weights


def test_bad_weights_answer_in_the_one_error_shape(client: TestClient) -> None:
    for query, words in (
        ("?priority_weights=peace=1", "unknown weight 'peace'"),
        ("?w_violence=-1", "must be 0 or more"),
        ("?w_tables=lots", "'lots' is not a number"),
    ):
        answer = client.get("/api/priorities" + query)
        assert answer.status_code == 400, query
        assert answer.json()["error"]["type"] == "BadWeights"
        assert words in answer.json()["error"]["message"]
        page = client.get("/priorities" + query)
        assert page.status_code == 400 and words in html.unescape(page.text)
    # the scorecard's ``weights`` are another index's: they leave the ranking alone
    assert client.get("/api/priorities?weights=gestures=0").status_code == 200


def test_the_network_is_the_library_call_drawn_and_listed(
    client: TestClient, small: Store, registry: Registry
) -> None:
    import datetime as dt

    day = dt.date(2024, 6, 1)
    shown = client.get("/api/network?as_of=2024-06-01").json()
    expected = network(registry, day)
    assert shown["network"] == json.loads(expected.model_dump_json())
    assert set(shown["layout"]) == {n.id for n in expected.nodes}
    for x, y in shown["layout"].values():
        assert 0 <= x <= shown["width"] and 0 <= y <= shown["height"]
    cited = {s for e in expected.edges for s in e.sources}
    assert {s["id"] for s in shown["sources"]} == cited & set(registry.sources)
    page = client.get("/network?lang=en&as_of=2024-06-01").text
    assert page.count('class="node"') == len(expected.nodes)
    assert page.count('<line class="edge"') == len(expected.edges)
    listed = re.findall(r'<tr data-family="(\w+)"><td><a href="/actor/([\w-]+)\?', page)
    assert listed == [(e.family, e.source) for e in expected.edges]
    assert page.count('<td><a href="/table/gov-eln?') == sum(
        e.target == "gov-eln" for e in expected.edges
    )
    eln = next(e for e in expected.edges if e.target == "gov-eln" and e.sources)
    assert f'href="/sources?lang=en&amp;as_of=2024-06-01#{eln.sources[0]}"' in page


def test_the_layout_is_the_same_on_every_run(small: Store) -> None:
    ctx = Context(store=small, filters=Filters(), caches=Caches())
    first = network_page(ctx)
    assert layout(first.network) == first.layout == network_page(ctx).layout


def test_the_graphml_download_holds_the_network(client: TestClient, registry: Registry) -> None:
    import io

    import networkx as nx

    answer = client.get("/api/download/network.graphml")
    assert answer.status_code == 200 and "network.graphml" in answer.headers["content-disposition"]
    graph = nx.read_graphml(io.BytesIO(answer.content))
    expected = network(registry)
    assert graph.number_of_nodes() == len(expected.nodes)
    assert graph.number_of_edges() == len(expected.edges)


def test_a_territory_shows_its_priority_components_and_rank(
    client: TestClient, small: Store, registry: Registry
) -> None:
    shown = client.get(f"/api/territory/76?period=2018&priority_weights={VIOLENCE_ONLY}").json()
    priority = shown["regional"]["priority"]
    expected = priorities(
        small, registry, "department", 2018, parse_weights(VIOLENCE_ONLY, WEIGHTS)
    )
    row = next(r for r in expected.rows if r.code == "76")
    assert priority["row"] == json.loads(row.model_dump_json())
    assert (priority["row"]["rank"], priority["of"], priority["level"]) == (1, 9, "department")
    page = client.get(f"/territory/76?lang=en&period=2018&priority_weights={VIOLENCE_ONLY}").text
    assert "Rank 1 of 9 (department, 2018)" in page
    spanish = client.get(f"/territory/76?period=2018&priority_weights={VIOLENCE_ONLY}").text
    assert "Puesto 1 de 9 (departamento, 2018)" in spanish
    people = next(c for c in row.components if c.name == "population").value
    assert people is not None and f"<td>{people:,.0f} personas</td>".replace(",", ".") in spanish
    assert " people<" not in spanish and "None" not in spanish
    municipal = client.get("/api/territory/76001?period=2018").json()["regional"]["priority"]
    assert (municipal["level"], municipal["of"]) == ("municipality", 11)


def test_a_territory_shows_the_vacuum_risk_of_each_group_present(
    client: TestClient, small: Store, registry: Registry
) -> None:
    shown = client.get("/api/territory/76").json()
    groups = shown["groups"]
    assert [g["actor"] for g in shown["regional"]["vacuum"]] == groups and groups
    page = client.get("/territory/76?lang=en").text
    for found in shown["regional"]["vacuum"]:
        report = vacuum(small, registry, found["actor"])
        mine = [m for m in report.municipalities if m.code.startswith("76")]
        assert found["municipalities"] == [json.loads(m.model_dump_json()) for m in mine]
        risk = {level: sum(m.risk == level for m in mine) for level in ("high", "medium", "low")}
        assert found["risk"] == risk
        if mine:
            counts = f"high {risk['high']} · medium {risk['medium']} · low {risk['low']}"
            assert f'data-actor="{found["actor"]}">Municipalities at risk: {counts}' in page
    assert "counts as present in every one of its municipalities" in page  # the caveat


def test_a_store_without_reference_data_says_what_to_load(store: Store) -> None:
    from peacemonitor.registry import bundled_directory, load, save

    save(load(), store, bundled_directory())
    client = TestClient(create_app(Settings(db=store.path)))
    answer = client.get("/api/priorities").json()
    assert answer["report"] is None and answer["map"]["data"] is None
    assert [m["what"] for m in answer["missing"]] == ["divipola", "population", "observations"]
    page = client.get("/priorities?lang=en").text
    assert "peacemonitor data load path/to/divipola" in page
    assert client.get("/network").status_code == 200  # the registry alone draws the network


def test_the_spanish_page_draws_component_details_in_spanish(client: TestClient) -> None:
    from english_text import outside_english

    data = client.get(f"/api/priorities?period=2018&priority_weights={PEOPLE_ONLY}").json()
    page = client.get(f"/priorities?lang=es&period=2018&priority_weights={PEOPLE_ONLY}").text
    rows = {r["code"]: r for r in data["report"]["rows"]}
    for code, row in rows.items():
        people = next(c for c in row["components"] if c["name"] == "population")
        cell = re.search(rf'<tr data-code="{code}">(.*?)</tr>', page, re.S)
        assert cell is not None
        if people["value"] is None:
            assert 'title="sin datos"' in cell.group(1)
            continue
        spanish = f"{people['value']:,.0f} personas".replace(",", ".")
        assert f'title="{spanish}"' in cell.group(1), spanish
        assert people["detail"].endswith(" people")  # the JSON keeps the record's English
    violence = next(c for c in rows["76"]["components"] if c["name"] == "violence")
    assert violence["parts"] and all(0 <= v <= 1 for v in violence["parts"].values())
    assert list(violence["parts"]) == ["civilians"]
    assert 'title="contra civiles 1,00"' in page  # the outcome translated, the number in Spanish
    assert " people" not in outside_english(page) and "None" not in page
