"""The ceasefire and table pages on a small store with synthetic massacres (unit test data,
never shown as real): the JSON twin's estimates are ``ceasefire_effect``'s, the HTML shows them
and draws the fitted series; a store that cannot answer says why; the violations log, the
implementation levels, the red lines' "no data" and the table's headline estimates."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from peacemonitor.boundaries import load_boundaries
from peacemonitor.divipola import load_divipola
from peacemonitor.effects import ceasefire_effect
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.implementation import agreement_implementation
from peacemonitor.registry import from_store
from peacemonitor.runner import import_file
from peacemonitor.settings import Settings
from peacemonitor.store import Store
from peacemonitor.violations import empty_reason
from peacemonitor.web import create_app
from peacemonitor.web.negotiation import METHODS
from peacemonitor.web.status import source_notes

TERRITORIES = Path(__file__).parent / "data" / "territories"
PLACES = [
    (5, 5001, "MEDELLIN"),
    (76, 76001, "CALI"),
    (19, 19548, "PIENDAMO"),
    (52, 52835, "TUMACO"),
]
ELN = "cf-eln-2023-2024"  # national, in force August 2023 – August 2024
CLASH = ("ucdp", "u1", "2023-09-10", "54001", "state-group-clash", ["gov-colombia", "eln"])


def _massacres() -> str:
    """Synthetic massacres 2021–2024, one row per event, Poisson counts per place and month."""
    rng = np.random.default_rng(14)
    lines = ["FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS"]
    for year in range(2021, 2025):
        for month in range(1, 13):
            for department, code, name in PLACES:
                for day in range(1, 1 + int(rng.poisson(1.5))):
                    lines.append(f"{year}/{month:02d}/{day:02d},{department},X,{code},{name},1,3")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from peacemonitor.registry import bundled_directory, load, save

    folder = tmp_path_factory.mktemp("negotiation")
    store = Store(folder / "negotiation.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    load_boundaries(store, TERRITORIES / "tiny.topojson", detail="light")
    save(load(), store, bundled_directory())
    (folder / "massacres.csv").write_text(_massacres(), encoding="utf-8")
    import_file(store, "massacres", folder / "massacres.csv", Gazetteer.from_store(store))
    source, record, day, code, category, actors = CLASH  # one attributed event, for the log
    with store.write() as db:
        db.execute(
            "INSERT INTO observations (source, record_id, category, unit, count, date_first, "
            "date_precision, territory_level, territory_code, resolution, actor_ids) "
            "VALUES (?, ?, ?, 'deaths', 2, ?, 'day', 'municipality', ?, 'test', ?)",
            [source, record, category, day, code, actors],
        )
    return store


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(create_app(Settings(db=store.path)))


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _embedded(page: str, kind: str) -> dict[str, Any]:
    found = re.search(rf'class="effect-data" data-kind="{kind}"[^>]*>(.*?)</script>', page, re.S)
    assert found is not None, f"no {kind} chart data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_json_twin_carries_ceasefire_effect_and_the_page_draws_it(
    client: TestClient, store: Store
) -> None:
    query = "?lang=en&outcome=massacre&source=massacres"
    twin = client.get(f"/api/ceasefire/{ELN}{query}").json()["effect"]
    expected = ceasefire_effect(store, from_store(store), ELN, "massacre", "massacres", METHODS)
    assert twin["effect"] == json.loads(expected.model_dump_json())
    assert [e["method"] for e in twin["effect"]["estimates"]] == [
        "its-start",
        "its-end",
        "event-study",
    ]
    start = expected.estimates[0]
    assert start.answerable and start.rate_ratio is not None and start.ci_low is not None
    assert len(start.fit) == 41 and start.fit[0].month == "2021-08"  # 24 months before
    page = client.get(f"/ceasefire/{ELN}{query}").text
    text = _text(page)
    shown = f"{start.rate_ratio:.2f} ({start.ci_low:.2f}–{start.ci_high:.2f})"
    assert f"Rate ratio when it began: {shown}" in text
    assert start.sentence in text
    drawn = _embedded(page, "its")
    assert drawn["points"] == json.loads(expected.model_dump_json())["estimates"][0]["fit"]
    assert 'id="chart-its"' in page and "/static/effects.js" in page
    (note,) = source_notes(store, ["massacres"])
    assert f"Source: {note.label} (accessed {note.accessed:%B %-d, %Y})." in text
    assert "Filters: outcome = massacre, source = massacres, months = 2021-08..2024-12" in text
    # a national ceasefire leaves no control: the event study says so instead of a chart
    assert 'id="chart-study"' not in page
    assert "No event study: needs treated and control municipalities." in text


def test_a_store_that_cannot_answer_says_why_instead_of_an_empty_chart(
    client: TestClient,
) -> None:
    twin = client.get(f"/api/ceasefire/{ELN}?outcome=homicide").json()["effect"]
    assert twin["effect"] is None
    assert twin["reason"] == "no source in the store reports homicide by municipality"
    page = client.get(f"/ceasefire/{ELN}?lang=en&outcome=homicide").text
    assert "No estimate: no source in the store reports homicide by municipality." in _text(page)
    assert 'class="chart"' not in page


def test_the_default_outcome_is_one_the_store_can_answer(client: TestClient) -> None:
    """No homicide here, and the one UCDP clash (state-group) comes with no coverage: the first
    default a source covers by municipality is the civilians view, from the massacres."""
    twin = client.get(f"/api/ceasefire/{ELN}").json()["effect"]
    assert (twin["outcome"], twin["source"]) == ("civilians", "massacres")
    assert twin["effect"]["estimates"][0]["method"] == "its-start"


def test_the_violations_log_and_why_it_is_empty(client: TestClient, store: Store) -> None:
    twin = client.get(f"/api/ceasefire/{ELN}").json()
    assert [(v["date"], v["territory_code"], v["classification"]) for v in twin["violations"]] == [
        ("2023-09-10", "54001", "hostilities-between-parties")
    ]
    text = _text(client.get(f"/ceasefire/{ELN}?lang=en").text)
    assert "September 10, 2023 54001 hostilities-between-parties" in text
    assert "[ucdp:u1]" in text
    other = client.get("/api/ceasefire/cf-2023-acsn").json()
    assert other["violations"] == []
    reason = empty_reason(store, from_store(store), "cf-2023-acsn")
    assert other["violations_empty"] == reason
    assert reason.startswith("the sources that attribute events to armed groups (ucdp")
    assert f"No entry: {reason}." in _text(client.get("/ceasefire/cf-2023-acsn?lang=en").text)


def test_the_table_page_shows_implementation_red_lines_and_headline_effects(
    client: TestClient, store: Store
) -> None:
    registry = from_store(store)
    query = "?lang=en&outcome=massacre&source=massacres&as_of=2025-06-30"
    twin = client.get(f"/api/table/gov-eln{query}").json()
    agreements = [a for a in registry.agreements.values() if a.table == "gov-eln"]
    expected = {a.id: agreement_implementation(registry, a) for a in agreements}
    assert {i["agreement"]: i for i in twin["implementation"]} == {
        k: json.loads(v.model_dump_json()) for k, v in expected.items()
    }
    assert twin["implementation_label"] == "our coding from reported events"
    # no source that names armed groups covers any year whole (the one ucdp row has no import)
    lines = twin["red_line_breaches"]
    assert {r["red_line"]["id"] for r in lines} == {
        r.id for r in registry.red_lines.values() if r.table == "gov-eln"
    }
    assert {y["status"] for r in lines for y in r["years"]} == {"no data"}
    (headline,) = [h for h in twin["effects"] if h["ceasefire"]["id"] == ELN]
    page_twin = client.get(f"/api/ceasefire/{ELN}{query}").json()["effect"]["effect"]
    assert headline["estimate"] == page_twin["estimates"][0]
    page = client.get(f"/table/gov-eln{query}").text
    text = _text(page)
    rr = headline["estimate"]
    assert f"(massacre, massacres): {rr['rate_ratio']:.2f} ({rr['ci_low']:.2f}–" in text
    assert f'href="/ceasefire/{ELN}?lang=en&amp;as_of=2025-06-30' in page
    ceasefire_level = next(
        p for a in expected.values() for p in a.provisions if p.level is not None
    )
    assert f'data-provision="{ceasefire_level.provision}"' in page
    assert "Implementation levels: our coding from reported events" in text
    assert "No source that names armed groups covers any year since it was set." in text
    # a ceasefire never in force has no headline, and says why
    (announced,) = [
        h for h in twin["effects"] if h["ceasefire"]["id"] == "cf-eln-unilateral-2024-08"
    ]
    assert announced["estimate"] is None
    assert announced["reason"] == "the registry records no month in which it was in force"


def test_a_red_line_breach_is_counted_where_a_source_naming_groups_covers_the_year(
    tmp_path: Path,
) -> None:
    """A source naming actors covers 2023–2024 whole: 2024 is measured (one ELN kidnapping after
    the red line's start, one by another group left out), 2025 is "no data", never 0."""
    from analytics_fixtures import add_events
    from conftest import world_store

    store = world_store(tmp_path / "red.duckdb")
    add_events(
        store,
        "events",
        [
            ("kidnapping", "2024-10-10", "54001", ["eln"]),
            ("kidnapping", "2024-11-10", "54001", ["clan-del-golfo"]),
        ],
    )
    client = TestClient(create_app(Settings(db=store.path)))
    twin = client.get("/api/table/gov-eln?as_of=2025-06-30&outcome=massacre").json()
    (line,) = [
        r for r in twin["red_line_breaches"] if r["red_line"]["id"] == "eln-ransom-kidnapping"
    ]
    years = {y["year"]: (y["status"], [b["ref"] for b in y["breaches"]]) for y in line["years"]}
    assert years == {2024: ("measured", ["events:e0"]), 2025: ("no data", [])}
    text = _text(client.get("/table/gov-eln?lang=en&as_of=2025-06-30&outcome=massacre").text)
    assert (
        "Whose events count: eln. 2024: 1 2024-10-10 · kidnapping in 54001 [events:e0] "
        "2025: no data"
    ) in text


def test_the_spanish_ceasefire_page_says_the_effect_in_spanish_with_spanish_numbers(
    client: TestClient, store: Store
) -> None:
    from english_text import english_marked, outside_english

    query = "?lang=es&outcome=massacre&source=massacres"
    expected = ceasefire_effect(store, from_store(store), ELN, "massacre", "massacres", METHODS)
    start = expected.estimates[0]
    assert start.rate_ratio is not None and start.ci_low is not None and start.ci_high is not None
    page = client.get(f"/ceasefire/{ELN}{query}").text
    spanish = outside_english(page)
    ratios = (start.rate_ratio, start.ci_low, start.ci_high)
    down, low, high = (round(abs(1 - x) * 100) for x in ratios)
    said = (
        f"Masacre (massacres, hechos): un {down}\xa0% menos mientras estuvo vigente de lo que "
        f"predecía la tendencia anterior (intervalo del 95\xa0%: de un {low}\xa0% menos a un "
        f"{high}\xa0% más); el intervalo incluye la ausencia de cambio — una asociación, no "
        "prueba de causa."
    )
    assert said.replace("\xa0", " ") in spanish  # the text drops the no-break space
    assert f"un {down}\xa0% menos" in page
    assert f"{start.rate_ratio:.2f}".replace(".", ",") in spanish
    for english in ("higher", "lower", "while it applied", "needs treated", "not proof", "Months"):
        assert english not in spanish, english
    assert "needs treated and control municipalities" in english_marked(page)
    assert 'id="english-note"' in page
    assert start.sentence in client.get(f"/api/ceasefire/{ELN}{query}").text  # JSON as is
