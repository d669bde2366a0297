"""The Police's raw exports against its later aggregates: yearly and municipal differences,
with the releases each figure comes from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.aggregates import load_mapping, mapping_from
from peacemonitor.model import Category
from peacemonitor.police_releases import (
    NothingToReconcile,
    ReconcileLevel,
    reconcile_police,
)
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store
from peacemonitor.table_imports import import_table

DATA = Path(__file__).parent / "data" / "imports"
FILES = DATA / "reconcile"
MAPPINGS = Path(__file__).parent.parent / "docs" / "mappings"


def both(store: Store) -> None:
    load_divipola(store, DATA / "divipola_small.csv")
    gazetteer = Gazetteer.from_store(store)
    import_file(store, "police", FILES / "extortion_export.csv", gazetteer)
    mapping = load_mapping(MAPPINGS / "police-municipality-extortion.yaml")
    import_table(store, [FILES / "extortion_aggregates.csv"], mapping, gazetteer)


def rows(found: Any) -> list[tuple[Any, ...]]:
    return [
        (d.territory_code, d.year, d.exports, d.aggregates, d.difference, d.percent)
        for d in found.differences
    ]


def test_yearly_differences_over_the_whole_years_both_cover(store: Store) -> None:
    both(store)
    found = reconcile_police(store, Category.EXTORTION)
    assert (found.first_year, found.last_year, found.unit) == (2019, 2020, "incidents")
    assert found.aggregates_source == "police-aggregates-municipality"
    assert rows(found) == [("CO", 2019, 9.0, 10.0, 1.0, 11.11), ("CO", 2020, 6.0, 6.0, 0.0, 0.0)]
    assert [(r.source, r.file) for r in found.releases] == [
        ("police-datos-gov", "extortion_export.csv"),
        ("police-aggregates-municipality", "extortion_aggregates.csv"),
    ]


def test_municipal_differences_largest_first(store: Store) -> None:
    both(store)
    found = reconcile_police(
        store, Category.EXTORTION, ReconcileLevel.MUNICIPALITY, changed_only=True
    )
    assert rows(found) == [
        ("05002", 2019, 1.0, 0.0, -1.0, -100.0),
        ("11001", 2019, 3.0, 4.0, 1.0, 33.33),
        ("19001", 2019, 0.0, 1.0, 1.0, None),
    ]
    assert found.differences[0].territory_name == "ABEJORRAL"


def test_missing_release_or_level_is_a_named_error(store: Store) -> None:
    both(store)
    with pytest.raises(NothingToReconcile, match="no Police aggregates of kidnapping"):
        reconcile_police(store, Category.KIDNAPPING)
    table = {
        "source": "test-departments",
        "category": "extortion",
        "unit": "incidents",
        "department": "departamento",
        "year": "anio",
        "count": "total",
    }
    path = FILES.parent / "tables" / "department.csv"
    import_table(store, [path], mapping_from(table), Gazetteer.from_store(store))
    with pytest.raises(NothingToReconcile, match="only down to department"):
        reconcile_police(store, Category.EXTORTION, ReconcileLevel.MUNICIPALITY, "test-departments")


def test_cli_prints_the_differences(cli: Callable[..., tuple[int, str]]) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(DATA / "divipola_small.csv"))[0] == 0
    assert cli("import", "police", str(FILES / "extortion_export.csv"))[0] == 0
    mapping = str(MAPPINGS / "police-municipality-extortion.yaml")
    code, _ = cli("import", "table", str(FILES / "extortion_aggregates.csv"), "--mapping", mapping)
    assert code == 0
    code, output = cli(
        "reconcile-police", "extortion", "--level", "municipality", "--changed", "--top", "2",
        "-f", "csv",
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines() == [
        "territory_code,territory_name,year,exports,aggregates,difference,percent",
        "05002,ABEJORRAL,2019,1,0,-1,-100",
        '11001,"BOGOTÁ, D.C.",2019,3,4,1,33.33',
    ]
    code, output = cli("reconcile-police", "extortion")
    assert code == 0
    assert "extortion (incidents) by national, 2019–2020" in output
    assert "police-datos-gov: extortion_export.csv (sha256 " in output
    code, output = cli("reconcile-police", "kidnapping")
    assert code == 1 and "no Police aggregates of kidnapping" in output


# --- the real releases -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    from peacemonitor.gazetteer import load_path

    store = Store(tmp_path_factory.mktemp("reconcile") / "r.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    exports = shared_data / "policia_socrata_2022"
    import_files(store, "police", [exports / "EXTORSION.csv", exports / "SECUESTRO.csv"], gazetteer)
    aggregates = shared_data / "policia_agregados_2003_2026"
    for name, mapping in [
        ("hist_municipio_extorsion.csv", "police-municipality-extortion"),
        ("hist_depto_secuestro.csv", "police-department-kidnapping"),
    ]:
        import_table(
            store, [aggregates / name], load_mapping(MAPPINGS / f"{mapping}.yaml"), gazetteer
        )
    return store


@pytest.mark.shared_data
def test_real_extortion_2019_2021_as_measured(real: Store) -> None:
    found = reconcile_police(real, Category.EXTORTION)
    assert (found.first_year, found.last_year) == (2003, 2021)
    yearly = {d.year: (d.exports, d.aggregates, d.percent) for d in found.differences}
    # SOURCE.md: 8,344 / 8,189 / 8,021 in the 2022 exports, 8,362 / 8,188 / 8,342 later
    assert yearly[2019] == (8344.0, 8362.0, 0.22)
    assert yearly[2020] == (8189.0, 8188.0, -0.01)
    assert yearly[2021] == (8021.0, 8342.0, 4.0)


@pytest.mark.shared_data
def test_real_extortion_2020_by_city_matches_the_source_cross_check(real: Store) -> None:
    found = reconcile_police(real, Category.EXTORTION, ReconcileLevel.MUNICIPALITY)
    by_city = {(d.territory_code, d.year): (d.exports, d.aggregates) for d in found.differences}
    assert by_city[("11001", 2020)] == (1524.0, 1523.0)
    assert by_city[("05001", 2020)] == (634.0, 634.0)
    assert by_city[("76001", 2020)] == (595.0, 595.0)
    assert by_city[("50001", 2020)] == (165.0, 165.0)
    assert found.differences[0].territory_code == "11001"  # Bogotá 2021: +193


@pytest.mark.shared_data
def test_real_kidnapping_is_compared_by_department(real: Store) -> None:
    found = reconcile_police(real, Category.KIDNAPPING)
    yearly = {d.year: (d.exports, d.aggregates) for d in found.differences}
    assert found.aggregates_source == "police-aggregates-department"
    assert yearly[2010] == (282.0, 282.0)
    assert yearly[2019] == (117.0, 163.0)
    with pytest.raises(NothingToReconcile, match="only down to department"):
        reconcile_police(real, Category.KIDNAPPING, ReconcileLevel.MUNICIPALITY)
