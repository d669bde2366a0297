"""Aggregate tables: any tidy table of counts by territory and period, stored at its own level,
under its own source; the Police aggregates imported with the mapping files in docs/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.aggregates import (
    MappingInvalid,
    TableMapping,
    load_mapping,
    mapping_from,
    parse_map_options,
)
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.quarantine import retry_quarantine
from peacemonitor.store import Store
from peacemonitor.table_imports import TableSourceConflict, import_table

DATA = Path(__file__).parent / "data" / "imports"
TABLES = DATA / "tables"
MAPPINGS = Path(__file__).parent.parent / "docs" / "mappings"
DEPARTMENT = {
    "source": "test-departments",
    "category": "kidnapping",
    "unit": "victims",
    "department": "departamento",
    "year": "anio",
    "count": "total",
}


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def one(outcomes: list[Any]) -> ImportReport:
    (report,) = outcomes
    assert isinstance(report, ImportReport), report
    return report


def stored(store: Store, source: str) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT row_number, count, date_first::VARCHAR, date_precision, territory_level, "
            "territory_code FROM observations WHERE source = ? ORDER BY row_number",
            [source],
        ).fetchall()


def test_municipal_table_accounts_for_every_row_and_checks_its_total(
    places: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = places
    mapping = load_mapping(TABLES / "municipal.yaml")
    report = one(import_table(store, [TABLES / "municipal.csv"], mapping, gazetteer))
    assert (report.source, report.layout, report.rows_read) == ("test-aggregates", "table", 12)
    assert report.rows_non_data == {"title": 2, "blank": 1, "header": 1, "total": 1}
    assert report.rows_stored == 4
    assert report.rows_quarantined == {
        "bad-count": 1,
        "duplicate-key": 1,
        "territory-unknown": 1,
    }
    (total,) = report.totals
    assert (total.declared, total.stored, total.quarantined) == (1249.0, 1241.0, 8.0)
    assert stored(store, "test-aggregates") == [
        (5, 1234.0, "2024-01-01", "year", "municipality", "05001"),
        (6, 0.0, "2024-01-01", "year", "municipality", "05002"),
        (7, 5.0, "2024-01-01", "year", "municipality", "11001"),
        (10, 2.0, "2025-01-01", "year", "municipality", "19001"),
    ]


def test_department_table_stays_at_department_level(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = one(
        import_table(store, [TABLES / "department.csv"], mapping_from(DEPARTMENT), gazetteer)
    )
    assert report.rows_quarantined == {"bad-date": 1}
    assert stored(store, "test-departments") == [
        (2, 3.0, "2024-01-01", "year", "department", "05"),
        (3, 4.0, "2025-01-01", "year", "department", "19"),
    ]
    assert [
        (c.territory_level, c.first.isoformat(), c.last.isoformat()) for c in report.coverage
    ] == [("department", "2024-01-01", "2025-12-31")]


def test_json_records_by_month_are_a_national_table(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    mapping = mapping_from(
        {
            "source": "test-monthly",
            "category": "kidnapping",
            "unit": "victims",
            "date": "mes",
            "precision": "month",
            "count": "total",
        }
    )
    report = one(import_table(store, [TABLES / "monthly.json"], mapping, gazetteer))
    assert (report.rows_read, report.rows_stored) == (3, 2)
    assert stored(store, "test-monthly") == [
        (2, 7.0, "2025-01-01", "month", "country", "CO"),
        (3, 9.0, "2025-02-01", "month", "country", "CO"),
    ]


def test_a_later_release_is_present_or_revises(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    mapping = mapping_from(DEPARTMENT)
    import_table(store, [TABLES / "department.csv"], mapping, gazetteer)
    release = tmp_path / "release.csv"
    release.write_text("departamento,anio,total\nANTIOQUIA,2024,6\nCAUCA,2026,1\n")
    report = one(import_table(store, [release], mapping, gazetteer))
    assert (report.rows_already_present, report.rows_stored) == (1, 1)
    revised = one(import_table(store, [release], mapping, gazetteer, revise=True))
    assert revised.observations_replaced == 2  # Antioquia 2024 and Cauca 2026, both revised
    assert sorted(r[1:3] for r in stored(store, "test-departments")) == [
        (1.0, "2026-01-01"),
        (4.0, "2025-01-01"),
        (6.0, "2024-01-01"),
    ]


def test_tables_never_share_a_source_with_events_or_other_levels(
    places: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = places
    with pytest.raises(TableSourceConflict, match="event-level importer"):
        import_table(
            store, [TABLES / "department.csv"], mapping_from(DEPARTMENT | {"source": "police"}),
            gazetteer,
        )  # fmt: skip
    import_table(store, [TABLES / "department.csv"], mapping_from(DEPARTMENT), gazetteer)
    monthly = DEPARTMENT | {"year": None, "date": "anio", "precision": "month"}
    with pytest.raises(
        TableSourceConflict, match="already holds kidnapping by department and year"
    ):
        import_table(store, [TABLES / "department.csv"], mapping_from(monthly), gazetteer)


def test_quarantined_rows_are_retried_with_their_mapping(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    mapping = load_mapping(TABLES / "municipal.yaml")
    import_table(store, [TABLES / "municipal.csv"], mapping, gazetteer)
    (retried,) = retry_quarantine(store, gazetteer, "test-aggregates")
    assert retried.source == "test-aggregates" and retried.rows_read == 3
    assert retried.rows_quarantined == {
        "bad-count": 1,
        "duplicate-key": 1,
        "territory-unknown": 1,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": "x", "category": "extortion", "unit": "incidents", "count": "n"}, "period"),
        (DEPARTMENT | {"category": "robbery"}, "category"),
        (DEPARTMENT | {"municipality": "m", "department": None}, "department column"),
        (DEPARTMENT | {"colour": "red"}, "colour"),
    ],
)
def test_bad_mappings_are_named_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingInvalid, match=message):
        mapping_from({k: v for k, v in fields.items() if v is not None})


def test_map_options_and_bad_pairs() -> None:
    assert parse_map_options(["count=total", "keys=tipo, arma"]) == {
        "count": "total",
        "keys": ["tipo", "arma"],
    }
    with pytest.raises(MappingInvalid, match="FIELD=COLUMN"):
        parse_map_options(["total"])


def test_cli_imports_a_table_with_map_options(cli: Callable[..., tuple[int, str]]) -> None:
    assert cli("init")[0] == 0
    code, output = cli("data", "load", str(DATA / "divipola_small.csv"))
    assert code == 0, output
    code, output = cli(
        "import", "table", str(TABLES / "department.csv"), "--source", "test-departments",
        "--category", "kidnapping", "--unit", "victims", "--map", "department=departamento",
        "--map", "year=anio", "--map", "count=total", "--format", "csv",
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines() == [
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations",
        "department.csv,table,4,header 1,2,0,bad-date 1,2",
    ]
    code, output = cli("import", "police", str(TABLES / "department.csv"), "--map", "count=n")
    assert code == 1 and "only for table" in output


# --- the real Police aggregates ----------------------------------------------------------------

AGGREGATES = "policia_agregados_2003_2026"
# (file, mapping, rows, sum) from the folder's SOURCE.md, each checked with pandas.
REAL = [
    ("hist_municipio_extorsion.csv", "police-municipality-extortion", 12461, 128728),
    ("hist_municipio_homicidio.csv", "police-municipality-homicide", 19743, 342404),
    ("hist_depto_secuestro.csv", "police-department-kidnapping", 621, 10712),
    ("hist_depto_terrorismo.csv", "police-department-terrorism", 329, 5338),
    ("hist_depto_extorsion.csv", "police-department-extortion", 744, 128728),
    ("hist_nacional_secuestro.json", "police-national-kidnapping", 24, 10712),
    ("hist_nacional_extorsion.json", "police-national-extortion", 24, 128728),
    ("hist_nacional_terrorismo.json", "police-national-terrorism", 17, 5338),
    ("secuestro_mensual.json", "police-monthly-kidnapping", 41, 1515),
    ("extorsion_mensual.json", "police-monthly-extortion", 42, 44536),
]
YEARLY = {  # SOURCE.md's year sums, 2019 on
    ("police-aggregates-municipality", "extortion"): {
        2019: 8362, 2020: 8188, 2021: 8342, 2022: 9791, 2023: 11078, 2024: 13802, 2025: 13417,
    },
    ("police-aggregates-department", "kidnapping"): {
        2019: 163, 2020: 162, 2021: 160, 2022: 223, 2023: 338, 2024: 313, 2025: 701,
    },
    ("police-aggregates-department", "terrorism"): {
        2019: 186, 2020: 372, 2021: 204, 2022: 578, 2023: 192, 2024: 343, 2025: 234,
    },
    ("police-aggregates-municipality", "homicide"): {2019: 12547, 2025: 14038},
}  # fmt: skip


def test_every_police_aggregate_file_has_a_mapping_in_docs() -> None:
    assert sorted(p.stem for p in MAPPINGS.glob("police-*.yaml")) == sorted(
        m for _, m, _, _ in REAL
    )
    for path in MAPPINGS.glob("*.yaml"):
        assert isinstance(load_mapping(path), TableMapping)


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from peacemonitor.gazetteer import load_path

    store = Store(tmp_path_factory.mktemp("aggregates") / "agg.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    reports = {}
    for name, mapping, _, _ in REAL:
        path = shared_data / AGGREGATES / name
        reports[name] = one(
            import_table(store, [path], load_mapping(MAPPINGS / f"{mapping}.yaml"), gazetteer)
        )
    return store, reports


@pytest.mark.shared_data
def test_real_aggregates_import_whole_with_their_source_sums(real: Any) -> None:
    store, reports = real
    for name, _, rows, total in REAL:
        report = reports[name]
        assert report.rows_read == rows + 1 and report.accounted == report.rows_read, name
        with store.read() as db:
            stored_sum = db.execute(
                "SELECT sum(count) FROM observations WHERE import_id = ?", [report.import_id]
            ).fetchone()[0]
            held = db.execute(
                "SELECT coalesce(sum((raw->>'$.cells.total')::INT), 0) FROM quarantine "
                "WHERE import_id = ?",
                [report.import_id],
            ).fetchone()[0]
        assert stored_sum + held == total, name
    # only the municipal extortion rows of "SIN ESTABLECER" (no municipality) stay out
    held = {n: r.rows_quarantined for n, r in reports.items() if r.rows_quarantined}
    assert held == {"hist_municipio_extorsion.csv": {"territory-unknown": 5}}


@pytest.mark.shared_data
def test_real_aggregates_by_year_equal_the_source_notes(real: Any) -> None:
    store, _ = real
    with store.read() as db:
        found = db.execute(
            "SELECT source, category, year(date_first), sum(count)::BIGINT FROM observations "
            "WHERE year(date_first) >= 2019 GROUP BY ALL"
        ).fetchall()
    measured = {(s, c, y): n for s, c, y, n in found}
    for (source, category), years in YEARLY.items():
        assert {y: measured[(source, category, y)] for y in years} == years, (source, category)


@pytest.mark.shared_data
def test_real_coverage_reaches_2025_at_each_sources_level(real: Any) -> None:
    from peacemonitor.coverage import coverage

    store, _ = real
    found = {
        (c.source, c.category): (c.territory_level, c.first.isoformat(), c.last.isoformat())
        for c in coverage(store)
    }
    assert found == {
        ("police-aggregates-department", "extortion"): ("department", "2003-01-01", "2026-12-31"),
        ("police-aggregates-department", "kidnapping"): ("department", "2003-01-01", "2026-12-31"),
        ("police-aggregates-department", "terrorism"): ("department", "2010-01-01", "2026-12-31"),
        ("police-aggregates-monthly", "extortion"): ("country", "2023-01-01", "2026-06-30"),
        ("police-aggregates-monthly", "kidnapping"): ("country", "2023-01-01", "2026-05-31"),
        ("police-aggregates-municipality", "extortion"): (
            "municipality", "2003-01-01", "2026-12-31",
        ),
        ("police-aggregates-municipality", "homicide"): (
            "municipality", "2003-01-01", "2026-12-31",
        ),
        ("police-aggregates-national", "extortion"): ("country", "2003-01-01", "2026-12-31"),
        ("police-aggregates-national", "kidnapping"): ("country", "2003-01-01", "2026-12-31"),
        ("police-aggregates-national", "terrorism"): ("country", "2010-01-01", "2026-12-31"),
    }  # fmt: skip


@pytest.mark.shared_data
def test_real_indicator_keeps_each_aggregate_apart(real: Any) -> None:
    from peacemonitor.indicators import Level, Query, indicator
    from peacemonitor.model import Category, PartialDate

    store, _ = real
    frame = indicator(
        store,
        Query(Category.EXTORTION, Level.COUNTRY, start=PartialDate.parse("2025"),
              end=PartialDate.parse("2025")),
    )  # fmt: skip
    assert dict(zip(frame["source"], frame["count"], strict=True)) == {
        "police-aggregates-department": 13417.0,
        "police-aggregates-municipality": 13417.0,
        "police-aggregates-national": 13417.0,
        "police-aggregates-monthly": 13417.0,
    }


def test_years_missing_from_a_table_stay_uncovered(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    from peacemonitor.coverage import coverage

    store, gazetteer = places
    path = tmp_path / "coca.csv"
    path.write_text("codigo,anno,coca_ha\n19001,2021,2.5\n5001,2011,0.0\n19001,2011,1.0\n")
    mapping = load_mapping(MAPPINGS / "coca-simci-municipality.yaml")
    report = one(import_table(store, [path], mapping, gazetteer))
    assert [(c.first.isoformat(), c.last.isoformat()) for c in report.coverage] == [
        ("2011-01-01", "2011-12-31"),
        ("2021-01-01", "2021-12-31"),
    ]
    (found,) = coverage(store)
    assert (found.category, found.unit, found.gaps) == (
        "coca-cultivation",
        "hectares",
        ["2012-01-01..2020-12-31"],
    )


@pytest.mark.shared_data
def test_real_coca_hectares_by_year(shared_data: Path, places: tuple[Store, Gazetteer]) -> None:
    from peacemonitor.gazetteer import load_path

    store, _ = places
    load_path(store, shared_data / "divipola")
    path = shared_data / "coca_simci_2011_2016_2021" / "coca_hectareas.csv"
    mapping = load_mapping(MAPPINGS / "coca-simci-municipality.yaml")
    report = one(import_table(store, [path], mapping, Gazetteer.from_store(store)))
    assert (report.rows_read, report.rows_stored) == (958, 957)
    with store.read() as db:
        found = db.execute(
            "SELECT year(date_first), round(sum(count), 1) FROM observations GROUP BY ALL "
            "ORDER BY 1"
        ).fetchall()
    # SOURCE.md: 63,765 / 146,142 / 204,258 ha (rounded); SIMCI publishes 64k / 146k / 204k
    assert found == [(2011, 63765.0), (2016, 146141.6), (2021, 204258.5)]


@pytest.mark.shared_data
def test_real_json_copy_of_a_table_is_already_present(shared_data: Path, real: Any) -> None:
    store, _ = real
    path = shared_data / AGGREGATES / "hist_depto_secuestro.json"
    mapping = load_mapping(MAPPINGS / "police-department-kidnapping.yaml")
    report = one(import_table(store, [path], mapping, Gazetteer.from_store(store)))
    assert (report.rows_read, report.rows_stored, report.rows_already_present) == (622, 0, 621)
