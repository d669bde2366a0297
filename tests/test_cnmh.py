"""CNMH case tables: massacres of 4+ (a source of their own), terrorist attacks and attacks on
towns, places by name, dates with unknown parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
CNMH = DATA / "cnmh"


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def stored(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT source, record_id, part, count, date_first::VARCHAR, date_precision, "
            "territory_level, territory_code FROM observations "
            "WHERE part = 'victims' ORDER BY source, row_number"
        ).fetchall()


def test_massacres_of_four_or_more_go_under_their_own_source(
    places: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = places
    report = import_file(store, "cnmh", CNMH / "masacres.csv", gazetteer)
    assert (report.source, report.layout) == ("cnmh-massacres-4plus", "cnmh-massacres")
    assert (report.rows_read, report.rows_stored, report.observations_stored) == (10, 4, 8)
    assert report.rows_quarantined == {
        "bad-date": 2,
        "missing-place": 1,
        "territory-outside-country": 1,
        "territory-unknown": 1,
    }
    assert stored(store) == [
        ("cnmh-massacres-4plus", "massacre:101", "victims", 4.0, "1991-01-23", "day",
         "municipality", "05001"),
        ("cnmh-massacres-4plus", "massacre:102", "victims", 6.0, "1997-07-01", "month",
         "municipality", "19001"),
        ("cnmh-massacres-4plus", "massacre:103", "victims", 5.0, "2001-01-01", "year",
         "municipality", "05002"),
        ("cnmh-massacres-4plus", "massacre:105", "victims", 7.0, "1999-03-02", "day",
         "department", "19"),
    ]  # fmt: skip
    with store.read() as db:
        (attributes,) = db.execute(
            "SELECT attributes FROM observations WHERE record_id = 'massacre:101' LIMIT 1"
        ).fetchone()
    assert json.loads(attributes)["definition"] == (
        "CNMH-OMC massacre: 4 or more victims (the official list counts 3 or more)"
    )
    assert json.loads(attributes)["perpetrator"] == "Grupo paramilitar"


def test_other_tables_by_header_under_cnmh(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    reports = import_files(store, "cnmh", [CNMH / "atentados.csv", CNMH / "ataques.csv"], gazetteer)
    assert [
        (r.source, r.layout, r.rows_stored) for r in reports if isinstance(r, ImportReport)
    ] == [
        ("cnmh", "cnmh-terrorist-attacks", 1),
        ("cnmh", "cnmh-attacks-on-towns", 1),
    ]
    with store.read() as db:
        found = db.execute(
            "SELECT category, part, count FROM observations ORDER BY category, part"
        ).fetchall()
    assert found == [
        ("attack-on-town", "incidents", 1.0),
        ("attack-on-town", "victims", 2.0),
        ("terrorism", "incidents", 1.0),
        ("terrorism", "victims", 0.0),
    ]


def test_importing_again_stores_nothing(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    import_file(store, "cnmh", CNMH / "masacres.csv", gazetteer)
    again = import_file(store, "cnmh", CNMH / "masacres.csv", gazetteer)
    assert (again.rows_stored, again.rows_already_present) == (0, 4)
    assert sum(again.rows_quarantined.values()) == 5


# --- the real tables -------------------------------------------------------------------------

# (file, rows, victims) from cnmh_omc_casos_1958_2017/SOURCE.md, checked with pandas.
REAL = [
    ("casos_masacres.csv", "cnmh-massacres-4plus", 4210, 24447),
    ("casos_atentados_terroristas.csv", "cnmh", 238, 732),
    ("casos_ataques_poblaciones.csv", "cnmh", 488, 1492),
]


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from peacemonitor.gazetteer import load_path

    store = Store(tmp_path_factory.mktemp("cnmh") / "cnmh.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    files = [shared_data / "cnmh_omc_casos_1958_2017" / name for name, _, _, _ in REAL]
    return store, import_files(store, "cnmh", files, Gazetteer.from_store(store))


@pytest.mark.shared_data
def test_real_cases_sum_to_their_source_victims(real: Any) -> None:
    store, reports = real
    for (name, source, rows, victims), report in zip(REAL, reports, strict=True):
        assert isinstance(report, ImportReport), report
        assert (report.source, report.rows_read, report.accounted) == (source, rows + 1, rows + 1)
        with store.read() as db:
            kept = db.execute(
                "SELECT sum(count) FROM observations WHERE import_id = ? AND part = 'victims'",
                [report.import_id],
            ).fetchone()[0]
            held = db.execute(
                "SELECT coalesce(sum((raw->>'$.cells.NumeroVictimasCaso')::INT), 0) "
                "FROM quarantine WHERE import_id = ?",
                [report.import_id],
            ).fetchone()[0]
        assert kept + held == victims, name


@pytest.mark.shared_data
def test_real_quarantine_names_every_reason(real: Any) -> None:
    _, reports = real
    assert [r.rows_quarantined for r in reports] == [
        # ANNOH 0 (22), "Exterior" (7), department "Sin informacion" (11 of 12: one also has
        # no year), "Armero guayabal" (4: DIVIPOLA says ARMERO and no source pairs the two)
        {"bad-date": 22, "territory-outside-country": 7, "missing-place": 11,
         "territory-unknown": 4},
        {},
        {"bad-date": 3, "missing-place": 1},
    ]  # fmt: skip
