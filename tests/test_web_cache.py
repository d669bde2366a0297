"""Finished answers served from memory (``web/answers.py``): no store opened on a hit, a
committed import invalidates, a stale answer is marked and never kept; and ``/api/indicator``
(``web/indicator.py``), which equals ``indicators.indicator_with_change``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from peacemonitor.divipola import load_divipola
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.indicators import Period, Query, indicator_with_change, records
from peacemonitor.model import Category, PartialDate, TerritoryLevel
from peacemonitor.runner import import_file
from peacemonitor.settings import Settings
from peacemonitor.store import Store
from peacemonitor.web import create_app
from peacemonitor.web.context import Caches

TERRITORIES = Path(__file__).parent / "data" / "territories"
HEADER = "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS\n"
ROWS = [
    "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4",
    "2018/03/15,76,VALLE DEL CAUCA,76001,CALI,1,3",
    "2019/12/30,5,ANTIOQUIA,5664,SAN PEDRO DE LOS MILAGROS,1,6",
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """Eleven municipalities, the bundled registry and a three-row massacre list."""
    from peacemonitor.registry import bundled_directory, load, save

    store = Store(tmp_path / "cache.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    save(load(), store, bundled_directory())
    _import(store, tmp_path / "first.csv", ROWS)
    return store


def _import(store: Store, path: Path, rows: list[str]) -> None:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    import_file(store, "massacres", path, Gazetteer.from_store(store))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per DuckDB connection the app opens on the store."""
    calls: list[bool] = []
    connect = Store._connect

    def counting(self: Store, read_only: bool) -> Any:
        calls.append(read_only)
        return connect(self, read_only)

    monkeypatch.setattr(Store, "_connect", counting)
    return calls


URL = "/api/indicator?category=massacre&level=department"


def test_a_second_request_is_answered_without_opening_the_store(
    store: Store, opened: list[bool]
) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    first = client.get(URL)
    assert first.status_code == 200 and opened
    opened.clear()
    again = client.get(URL)
    assert again.content == first.content and opened == []
    assert again.headers["etag"] == first.headers["etag"]
    assert "x-peacemonitor-cacheable" not in again.headers
    html_first = client.get("/tables?lang=en")
    opened.clear()
    assert client.get("/tables?lang=en").text == html_first.text and opened == []


def test_a_known_etag_answers_304_without_a_body(store: Store) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    etag = client.get(URL).headers["etag"]
    cached = client.get(URL, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_committed_import_invalidates_the_answer(
    store: Store, tmp_path: Path, opened: list[bool]
) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    before = _count(client.get(URL).json(), "05", "2018")
    _import(store, tmp_path / "more.csv", ["2018/06/01,5,ANTIOQUIA,5001,MEDELLIN,1,7"])
    opened.clear()
    after = client.get(URL)
    assert opened and "X-Peacemonitor-Stale" not in after.headers
    assert _count(after.json(), "05", "2018") == before + 7


def _count(answer: dict[str, Any], code: str, period: str) -> float:
    (row,) = [
        r
        for r in answer["rows"]
        if r["territory_code"] == code and r["period"] == period and r["unit"] == "victims"
    ]
    return float(row["count"])


def test_during_an_import_the_earlier_answer_is_sent_marked_and_not_kept(
    store: Store, tmp_path: Path, opened: list[bool]
) -> None:
    """A read found the store held a moment ago (the import window): the store changed, yet the
    answer read before is sent, marked stale, without opening the store; once the window
    closes the next request recomputes and the mark goes."""
    client = TestClient(create_app(Settings(db=store.path)))
    caches: Caches = client.app.state.caches  # type: ignore[attr-defined]
    before = client.get(URL)
    _import(store, tmp_path / "more.csv", ["2018/06/01,5,ANTIOQUIA,5001,MEDELLIN,1,7"])
    caches.last_busy = time.monotonic()
    opened.clear()
    held = client.get(URL)
    assert held.content == before.content and opened == []
    assert held.headers["X-Peacemonitor-Stale"] == "import-in-progress"
    caches.busy_window = 0.0
    fresh = client.get(URL)
    assert opened and "X-Peacemonitor-Stale" not in fresh.headers
    assert _count(fresh.json(), "05", "2018") == _count(before.json(), "05", "2018") + 7


def test_the_import_window_opens_on_a_second_change_and_stays_open_while_changes_go_on() -> None:
    caches = Caches(busy_window=60.0)
    assert not caches.importing(("v1",))
    assert not caches.importing(("v2",))  # one change: one import done, recompute
    assert caches.importing(("v3",))  # another within the window: commits in a row
    caches.last_busy = caches.changed_at = time.monotonic() - 59.0
    assert caches.importing(("v4",))  # changed inside the window: extended
    assert time.monotonic() - caches.last_busy < 1.0
    caches.last_busy = caches.changed_at = time.monotonic() - 61.0
    assert not caches.importing(("v4",))  # quiet for longer than the window: closed
    caches.last_busy = time.monotonic()
    assert caches.importing(("v4",))  # a read found the store held


def test_errors_are_not_kept(store: Store, opened: list[bool]) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    assert client.get("/api/table/nope").status_code == 404
    assert client.app.state.answers.kept == {}  # type: ignore[attr-defined]


def test_indicator_equals_the_library_call(store: Store) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    answer = client.get(URL + "&start=2018&end=2019").json()
    query = Query(
        Category.MASSACRE,
        TerritoryLevel.DEPARTMENT,
        Period.YEAR,
        start=PartialDate.parse("2018"),
        end=PartialDate.parse("2019"),
    )
    expected = records(indicator_with_change(store, query))
    assert answer["rows"] == expected and len(expected) > 2
    assert answer["category"] == "massacre" and answer["level"] == "department"
    medellin = client.get("/api/indicator?category=massacre&territory=05001").json()
    assert medellin["level"] == "municipality"
    assert {r["territory_code"] for r in medellin["rows"]} == {"05001"}


def test_indicator_errors_have_the_one_shape(store: Store) -> None:
    client = TestClient(create_app(Settings(db=store.path)))
    missing = client.get("/api/indicator")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["where"] == "query.category"
    unknown = client.get("/api/indicator?category=weather").json()["error"]
    assert unknown["status"] == 422 and "homicide" in unknown["message"]
    empty = client.get("/api/indicator?category=homicide").json()["error"]
    assert empty["status"] == 404 and empty["type"] == "NoObservations"
