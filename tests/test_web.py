"""The dashboard and JSON API on a small store: every page and its JSON twin from the same call,
the map equal to ``indicator``, "no data" apart from 0, one error shape, translations, offline
assets, downloads, and pages that say what to load when the store is empty."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacemonitor.boundaries import load_boundaries
from peacemonitor.divipola import load_divipola
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.indicators import Level, Period, Query, indicator, records
from peacemonitor.model import Category, PartialDate
from peacemonitor.runner import import_file
from peacemonitor.settings import Settings
from peacemonitor.store import Store
from peacemonitor.web import create_app
from peacemonitor.web.context import Caches, Context
from peacemonitor.web.filters import Filters
from peacemonitor.web.i18n import Translator, read_catalogue, required_messages
from peacemonitor.web.pages import PAGES

TERRITORIES = Path(__file__).parent / "data" / "territories"
MASSACRES = """FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS
2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4
2018/03/15,76,VALLE DEL CAUCA,76001,CALI,1,3
2018/05/15,76,VALLE DEL CAUCA,76001,CALI,1,5
2019/12/30,5,ANTIOQUIA,5664,SAN PEDRO DE LOS MILAGROS,1,6
"""
KEYS = {"territory": "05001", "actor": "eln", "table": "gov-eln", "ceasefire": None}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Eleven municipalities, two of them with boundaries, the bundled registry and a four-row
    massacre list (Medellín 2018, Cali twice in 2018, San Pedro de los Milagros 2019)."""
    from peacemonitor.registry import bundled_directory, load, save

    folder = tmp_path_factory.mktemp("web")
    store = Store(folder / "web.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    load_boundaries(store, TERRITORIES / "tiny.topojson", detail="light")
    save(load(), store, bundled_directory())
    (folder / "massacres.csv").write_text(MASSACRES, encoding="utf-8")
    import_file(store, "massacres", folder / "massacres.csv", Gazetteer.from_store(store))
    return store


@pytest.fixture(scope="module")
def client(small: Store) -> TestClient:
    return TestClient(create_app(Settings(db=small.path)))


def _key(client: TestClient, page: str) -> str:
    if page == "ceasefire":
        return str(client.get("/api/ceasefires").json()["ceasefires"][0]["id"])
    return str(KEYS[page])


def _url(page: Any, client: TestClient, api: bool) -> str:
    path = page.api_path if api else page.path
    return path.replace("{key}", _key(client, page.name)) if page.keyed else path


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_page_has_a_json_twin_from_the_same_call(
    page: Any, client: TestClient, small: Store
) -> None:
    shown = client.get(_url(page, client, api=False) + "?q=eln")
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    twin = client.get(_url(page, client, api=True) + "?q=eln")
    assert twin.status_code == 200
    ctx = Context(store=small, filters=Filters(q="eln"), caches=Caches())
    built = page.build(ctx, _key(client, page.name)) if page.keyed else page.build(ctx)
    assert twin.json() == json.loads(built.model_dump_json())


def _map_values(client: TestClient, query: str) -> dict[str, float | None]:
    data = client.get("/api/map" + query).json()["data"]
    return {a["code"]: a["value"] for a in data["areas"]}


def test_map_values_equal_the_indicator_for_the_same_filters(
    client: TestClient, small: Store
) -> None:
    query = "?category=massacre&source=massacres&period=2018&level=department"
    shown = _map_values(client, query)
    year = PartialDate.parse("2018")
    frame = indicator(
        small, Query(Category.MASSACRE, Level.DEPARTMENT, Period.YEAR, year, year, "massacres")
    )
    expected = {r["territory_code"]: r["count"] for r in records(frame) if r["unit"] == "incidents"}
    assert shown == expected
    assert shown["05"] == 1 and shown["76"] == 2


def _fills(page_html: str) -> dict[str, tuple[str, str]]:
    found = re.findall(
        r'<path d="[^"]*" data-code="(\w+)" data-value="([^"]*)" class="(\w+)"', page_html
    )
    return {code: (value, kind) for code, value, kind in found}


def test_no_data_is_drawn_apart_from_zero(client: TestClient) -> None:
    covered = _fills(client.get("/map?category=massacre&period=2019&level=department").text)
    assert covered == {"05": ("1.0", "area"), "76": ("0.0", "area")}
    assert (
        'data-code="76" data-value="0.0" class="area" fill="#ffffff"'
        in client.get("/map?category=massacre&period=2019&level=department").text
    )
    uncovered = _fills(client.get("/map?category=massacre&period=2017&level=department").text)
    assert uncovered == {"05": ("", "nodata"), "76": ("", "nodata")}


def test_every_chart_and_map_states_source_access_date_and_filters(client: TestClient) -> None:
    page = client.get("/?lang=en&category=massacre&period=2018").text
    assert page.count('class="sourceline"') == 2
    line = re.findall(r'<p class="sourceline">(.*?)</p>', page, re.S)[1]
    assert "Policía Nacional – masacres" in line and "accessed" in line
    assert "category = massacre" in line and "period = 2018" in line


def test_api_errors_have_one_shape(client: TestClient) -> None:
    answers = {
        "/api/table/nope": 404,
        "/api/territory/99999": 404,
        "/api/map?period=2018-13": 422,
        "/api/overview?lang=fr": 422,
        "/api/no-such-thing": 404,
        "/api/download/map.xlsx": 422,
    }
    for url, status in answers.items():
        response = client.get(url)
        assert response.status_code == status, url
        body = response.json()
        assert set(body) == {"error"}, url
        assert {"status", "type", "message"} <= set(body["error"]), url
        assert body["error"]["status"] == status and body["error"]["message"], url
    assert client.get("/api/table/nope").json()["error"]["type"] == "NotFound"


def test_html_errors_are_pages_not_json(client: TestClient) -> None:
    response = client.get("/table/nope?lang=en")
    assert response.status_code == 404 and "no table 'nope'" in html.unescape(response.text)
    assert "<html" in response.text


def test_spanish_catalogue_translates_every_label() -> None:
    spanish = read_catalogue("es")
    assert sorted(required_messages() - set(spanish)) == []


def test_language_switch_and_formats(client: TestClient) -> None:
    assert '<html lang="es">' in client.get("/").text
    english = client.get("/?lang=en").text
    assert '<html lang="en">' in english and ">Overview<" in english
    assert ">Resumen<" in client.get("/").text
    assert 'href="/?lang=es"' in english  # the switch keeps the page and its filters
    assert Translator("es").number(12345.5, 1) == "12.345,5"
    assert Translator("en").number(12345.5, 1) == "12,345.5"
    assert Translator("es").date(PartialDate.parse("2024-03")) == "marzo de 2024"
    assert Translator("en").date(PartialDate.parse("2024-03-17")) == "March 17, 2024"


def test_filters_live_in_the_url_and_in_links(client: TestClient) -> None:
    page_html = client.get("/tables?lang=en&as_of=2024-01-01").text
    assert 'href="/table/gov-eln?lang=en&amp;as_of=2024-01-01"' in page_html
    assert (
        'href="/api/download/series.csv?category=massacre"'
        in client.get("/?category=massacre&lang=en").text
    )


def test_every_asset_is_served_by_the_app(client: TestClient) -> None:
    page_html = client.get("/").text
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page_html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page_html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/docs").status_code == 404  # no Swagger UI from a CDN
    docs = client.get("/api/docs").text
    assert "/api/openapi.json" in docs and "cdn" not in docs.lower()
    spec = client.get("/api/openapi.json").json()
    assert {"/api/overview", "/api/map", "/api/territory/{key}"} <= set(spec["paths"])


def test_downloads_hold_what_the_map_shows(client: TestClient) -> None:
    import pandas as pd

    query = "?category=massacre&source=massacres&period=2018&level=department"
    shown = _map_values(client, query)
    table = pd.read_csv(io.StringIO(client.get("/api/download/map.csv" + query).text), dtype=str)
    assert dict(zip(table["territory_code"], table["count"].astype(float), strict=True)) == shown
    parquet = pd.read_parquet(io.BytesIO(client.get("/api/download/map.parquet" + query).content))
    assert len(parquet) == len(table)
    geo = client.get("/api/download/map.geojson" + query).json()
    assert {f["properties"]["territory_code"] for f in geo["features"]} == {"05", "76"}
    series = client.get("/api/download/series.csv?outcome=massacre").text.splitlines()
    assert series[0].startswith("territory_code,outcome,source,unit,period,metric,value")
    assert any(row.startswith("CO,massacre,massacres,incidents,2018,count,3.0,") for row in series)


def test_an_empty_store_says_what_to_load(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(db=tmp_path / "none.duckdb")))
    page_html = client.get("/?lang=en").text
    assert "peacemonitor init" in page_html and "The map cannot be drawn yet." in page_html
    missing = client.get("/api/overview").json()["missing"]
    assert [m["what"] for m in missing][:2] == ["store", "registry"]
    assert client.get("/api/tables").json()["error"]["type"] == "StoreMissing"


def test_a_store_without_reference_data_says_how_to_load_it(store: Store) -> None:
    from peacemonitor.registry import bundled_directory, load, save

    save(load(), store, bundled_directory())
    client = TestClient(create_app(Settings(db=store.path)))
    page_html = client.get("/?lang=en").text
    assert "peacemonitor data load path/to/divipola" in page_html
    assert "peacemonitor data load path/to/boundaries_mgn2018" in page_html
    assert client.get("/api/overview").json()["tables"]  # the registry still shows


def test_answers_follow_the_store_after_an_import(small: Store, tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(db=small.path)))
    before = client.get("/api/coverage").json()["status"]["observations"]
    path = tmp_path / "more.csv"
    path.write_text(MASSACRES.splitlines()[0] + "\n2020/02/02,5,ANTIOQUIA,5001,MEDELLIN,1,2\n")
    import_file(small, "massacres", path, Gazetteer.from_store(small))
    assert client.get("/api/coverage").json()["status"]["observations"] == before + 2


def test_serve_creates_a_missing_store_then_runs_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: calls.append(kw))
    db = tmp_path / "fresh.duckdb"
    result = CliRunner().invoke(app, ["--db", str(db), "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{db}: created with the bundled registry (")
    assert lines[1] == f"peacemonitor: serving {db} at http://127.0.0.1:8123/ (Ctrl-C stops)"
    assert calls == [{"host": "127.0.0.1", "port": 8123, "log_level": "warning"}]
    again = CliRunner().invoke(app, ["--db", str(db), "serve"])
    assert again.output.splitlines()[0].startswith("peacemonitor: serving")


def test_empty_form_fields_mean_unset(client: TestClient) -> None:
    response = client.get("/api/tables?as_of=&start=&period=")
    assert response.status_code == 200


def test_while_an_import_holds_the_store_the_last_answer_is_served(
    small: Store, tmp_path: Path
) -> None:
    """Another process holding the write lock: a page answered before is served from the last
    state read; a page never answered waits, then says the store is busy (503, one shape)."""
    import subprocess
    import sys
    import time

    client = TestClient(create_app(Settings(db=small.path, lock_timeout=1.0)))
    before = client.get("/api/coverage").json()
    path = tmp_path / "later.csv"
    path.write_text(MASSACRES.splitlines()[0] + "\n2021/02/02,5,ANTIOQUIA,5001,MEDELLIN,1,2\n")
    import_file(small, "massacres", path, Gazetteer.from_store(small))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(60)", str(small.path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        held = client.get("/api/coverage")
        assert held.json() == before and held.headers["X-Peacemonitor-Stale"]
        assert time.monotonic() - started < 1.0
        busy = client.get("/api/search?q=cali")
        assert busy.status_code == 503 and busy.json()["error"]["type"] == "StoreBusy"
        again = client.get("/api/coverage")  # within the window: no new try
        assert again.json() == before and again.headers["X-Peacemonitor-Stale"]
    finally:
        holder.terminate()
        holder.wait()
    client.app.state.caches.busy_window = 0.0  # type: ignore[attr-defined]
    after = client.get("/api/coverage")
    assert after.json()["status"]["observations"] == before["status"]["observations"] + 2
    assert "X-Peacemonitor-Stale" not in after.headers


def test_unverified_facts_are_marked(client: TestClient) -> None:
    from peacemonitor.registry import load

    registry = load()
    marked = [
        t.id
        for t in registry.tables.values()
        if any(c.unverified for c in [*t.status_history, *t.parties]) or t.unverified
    ]
    clean = [t.id for t in registry.tables.values() if t.id not in marked]
    assert marked and clean
    assert 'class="unverified"' in client.get(f"/table/{marked[0]}?lang=en").text
    unmarked = [t for t in clean if 'class="unverified"' not in client.get(f"/table/{t}").text]
    assert unmarked  # the marker is not on every page regardless


def test_ceasefire_and_group_pages_map_where_they_apply(client: TestClient) -> None:
    """Departments drawn as in force where the ceasefire's state says so on the day asked."""
    states = client.get("/api/ceasefires?as_of=2024-03-01").json()["ceasefires"]
    live = next(s for s in states if s["in_force"])
    page = client.get(f"/ceasefire/{live['id']}?as_of=2024-03-01").text
    groups = dict(re.findall(r'data-code="(\d\d)" data-group="(\w*)"', page))
    assert set(groups) == {"05", "76"}  # the fixture's two departments with boundaries
    for code, group in groups.items():
        reached = any(c == "CO" or c[:2] == code for c in live["in_force"])
        suspended = any(c == "CO" or c[:2] == code for c in live["suspended"])
        assert group == ("suspended" if suspended else "in" if reached else ""), code
    assert 'data-group="' in client.get("/actor/eln").text


def test_a_window_without_events_says_so_instead_of_failing(client: TestClient) -> None:
    page = client.get("/?lang=en&start=1990&end=1991")
    assert page.status_code == 200
    assert "No observations for these filters" in page.text
    quiet = client.get("/api/territory/11001?outcome=massacre").json()  # Bogotá: no massacre
    points = {p["period"]: p["value"] for s in quiet["chart"]["series"] for p in s["points"]}
    assert points["2018"] == 0
