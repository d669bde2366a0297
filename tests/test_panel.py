"""The Paz Total panel: a municipality, a department and a cluster as territories; Police
series cut off where they end; ACLED-derived counts labelled with ACLED's terms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.quarantine import list_quarantine
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
PANEL = DATA / "panel" / "panel_small.csv"


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def by_part(store: Store, case: str) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT strftime(date_first, '%Y-%m'), part, category, unit, count, territory_level, "
            "territory_code FROM observations WHERE record_id LIKE ? "
            "ORDER BY date_first, part",
            [f"{case}:%"],
        ).fetchall()


def test_three_kinds_of_place_and_the_police_cut_off(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = import_file(store, "paztotal-panel", PANEL, gazetteer)
    assert (report.source, report.rows_read, report.rows_stored) == ("paztotal-panel", 12, 9)
    assert report.rows_quarantined == {"bad-date": 1, "territory-unknown": 1}
    assert report.observations_stored == 2 * 3 * 5 + 3 * 2  # 2025-11: no Police counts
    assert by_part(store, "popayan")[-7:] == [
        ("2025-10", "civilian_targeting", "violence-against-civilians", "events", 0.0,
         "municipality", "19001"),
        ("2025-10", "extortion", "extortion", "incidents", 3.0, "municipality", "19001"),
        ("2025-10", "homicides", "homicide", "victims", 2.0, "municipality", "19001"),
        ("2025-10", "political_violence", "political-violence", "events", 0.0, "municipality",
         "19001"),
        ("2025-10", "terrorism", "terrorism", "incidents", 1.0, "municipality", "19001"),
        ("2025-11", "civilian_targeting", "violence-against-civilians", "events", 0.0,
         "municipality", "19001"),
        ("2025-11", "political_violence", "political-violence", "events", 2.0, "municipality",
         "19001"),
    ]  # fmt: skip
    assert {r[5:] for r in by_part(store, "cauca")} == {("department", "19")}
    assert {r[5:] for r in by_part(store, "leticia")} == {("cluster", "cluster:leticia")}


def test_acled_derived_counts_carry_acleds_terms(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    import_file(store, "paztotal-panel", PANEL, gazetteer)
    with store.read() as db:
        found = db.execute(
            "SELECT DISTINCT part, attributes->>'$.terms', attributes->>'$.treatment' "
            "FROM observations WHERE record_id = 'popayan:2025-09' ORDER BY part"
        ).fetchall()
    terms = {part: value for part, value, _ in found}
    assert terms["homicides"] is None
    assert terms["political_violence"].startswith("ACLED Terms of Use")
    assert terms["civilian_targeting"] == terms["political_violence"]
    assert {treatment for _, _, treatment in found} == {"1.0"}
    (held, _) = list_quarantine(store, "paztotal-panel")
    assert held.raw["cells"]["political_violence"] == "<redacted: sensitive>"


def test_coverage_is_of_the_listed_places_only(places: tuple[Store, Gazetteer]) -> None:
    from peacemonitor.coverage import coverage
    from peacemonitor.indicators import Level, Period, Query, indicator
    from peacemonitor.model import Category

    store, gazetteer = places
    import_file(store, "paztotal-panel", PANEL, gazetteer)
    found = {(c.category, c.territory_level, c.last.isoformat()) for c in coverage(store)}
    assert ("homicide", "places", "2025-10-31") in found
    assert ("political-violence", "places", "2026-11-30") not in found
    assert ("political-violence", "places", "2025-11-30") in found
    frame = indicator(store, Query(Category.HOMICIDE, Level.MUNICIPALITY, Period.MONTH))
    assert list(zip(frame["territory_code"], frame["period"], frame["count"], strict=True)) == [
        ("19001", "2025-09", 4.0),
        ("19001", "2025-10", 2.0),
    ]  # no zeros for the municipalities the panel does not hold


# --- the real panel --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    from peacemonitor.gazetteer import load_path

    store = Store(tmp_path_factory.mktemp("panel") / "panel.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    path = shared_data / "paztotal_navarro_panel" / "master_monthly_panel_long.csv"
    report = import_file(store, "paztotal-panel", path, Gazetteer.from_store(store))
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (298, 297, {})
    return store


@pytest.mark.shared_data
def test_real_panel_totals_equal_the_source_notes(real: Store) -> None:
    with real.read() as db:
        rows = db.execute(
            "SELECT territory_code, part, sum(count)::INT FROM observations GROUP BY ALL"
        ).fetchall()
    totals = {(code, part): n for code, part, n in rows}
    # SOURCE.md, 2018-01 … 2026-03 (Police to 2025-10), checked with pandas
    expected = {
        "homicides": (1355, 948, 279),
        "terrorism": (571, 55, 37),
        "political_violence": (1588, 232, 665),
        "civilian_targeting": (930, 135, 408),
    }
    for part, numbers in expected.items():
        found = tuple(totals[(code, part)] for code in ("81", "76109", "cluster:tumaco"))
        assert found == numbers, part


@pytest.mark.shared_data
def test_real_police_series_end_in_october_2025(real: Store) -> None:
    with real.read() as db:
        found = db.execute(
            "SELECT part, max(date_first)::VARCHAR, year(date_first) AS y, sum(count)::INT "
            "FROM observations WHERE territory_code = '76109' AND part = 'homicides' "
            "GROUP BY ALL ORDER BY y"
        ).fetchall()
        buenaventura = {y: n for _, _, y, n in found}
        attributes = db.execute(
            "SELECT attributes FROM observations WHERE part = 'civilian_targeting' LIMIT 1"
        ).fetchone()[0]
    assert buenaventura == {
        2018: 91, 2019: 111, 2020: 111, 2021: 193, 2022: 109, 2023: 136, 2024: 79, 2025: 118,
    }  # fmt: skip
    assert max(last for _, last, _, _ in found) == "2025-10-01"
    assert json.loads(attributes)["derived_from"].startswith("ACLED")


def test_the_dashboard_attributes_the_panel_to_acled_too() -> None:
    from peacemonitor.web.status import acled_attributed

    assert acled_attributed("paztotal-panel") and acled_attributed("acled-hdx")
    assert not acled_attributed("police-datos-gov")
