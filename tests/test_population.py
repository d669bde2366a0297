"""Population vintages: reading DANE layouts, merging retired codes, rates and series breaks.

Unit tests use small synthetic files in the real layouts (numbers made up); the real-data tests
check the shared DANE files against the totals their SOURCE.md states.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacemonitor.gazetteer import (
    GazetteerNotLoaded,
    TerritoryFileInvalid,
    load_divipola,
    load_path,
)
from peacemonitor.population import (
    VintageNotLoaded,
    census_base,
    load_population,
    population_of,
    series_break,
    vintage,
    vintages,
)
from peacemonitor.store import Store

FIXTURES = Path(__file__).parent / "data" / "territories"

IDS = "\ufeffID_MUNICIPIO;ANNO;POBLACION;ID_DEPARTAMENTO\n" + "\n".join(
    [
        "5001;2018;1000;5",
        "5001;2019;1100;5",
        "5664;2018;200;5",
        "5664;2019;210;5",
        "94343;2018;30;94",
        "94343;2019;31;94",
        "94663;2018;5;94",
        "94663;2019;0;94",
    ]
)
WIDE = "\n".join(
    [
        "departamento_code,departamento,municipio_code,municipio,2016,2017",
        "05,Antioquia,05001,Medellín,900,950",
        "05,Antioquia,05664,San Pedro de los Milagros,180,190",
        "00,,00,Total Nacional,1080,1140",
        "Fuente: DANE.,,,,,",
    ]
)


@pytest.fixture
def gazetteer_store(store: Store) -> Store:
    load_divipola(store, FIXTURES / "dl_municipios.csv")
    return store


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_long_file_is_a_named_vintage_with_sums(gazetteer_store: Store, tmp_path: Path) -> None:
    report = load_population(gazetteer_store, _write(tmp_path, "p.csv", IDS))
    assert (report.layout, report.rows_read, report.rows_stored) == ("dane-poblacion-ids", 8, 8)
    assert [v.vintage for v in vintages(gazetteer_store)] == ["dane-2018-2019"]
    assert population_of(gazetteer_store, "dane-2018-2019", "05", 2018) == 1200
    assert population_of(gazetteer_store, "dane-2018-2019", "CO", 2019) == 1341


def test_retired_code_is_added_to_its_successor(gazetteer_store: Store, tmp_path: Path) -> None:
    load_population(gazetteer_store, _write(tmp_path, "p.csv", IDS), vintage="v")
    assert population_of(gazetteer_store, "v", "94343", 2018) == 35
    assert population_of(gazetteer_store, "v", "94663", 2018) is None
    with gazetteer_store.read() as db:
        raw = db.execute("SELECT count(*) FROM population_rows WHERE code = '94663'").fetchone()
    assert raw == (2,)


def test_wide_file_skips_total_and_notes(gazetteer_store: Store, tmp_path: Path) -> None:
    report = load_population(gazetteer_store, _write(tmp_path, "w.csv", WIDE))
    assert report.non_data == {
        4: "national total row (totals are derived, not read)",
        5: "not a data row: 'Fuente: DANE.'",
    }
    found = vintage(gazetteer_store, "dane-2016-2017")
    assert (found.census_base, found.first_year, found.last_year) == ("Censo 2005", 2016, 2017)
    assert population_of(gazetteer_store, "dane-2016-2017", "CO", 2017) == 1140


def test_reload_replaces_the_vintage(gazetteer_store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", IDS)
    load_population(gazetteer_store, path)
    load_population(gazetteer_store, path)
    with gazetteer_store.read() as db:
        assert db.execute("SELECT count(*) FROM population_rows").fetchone() == (8,)


def test_bad_number_names_row_and_column(gazetteer_store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", IDS.replace("5664;2019;210", "5664;2019;2x0"))
    with pytest.raises(TerritoryFileInvalid, match=r"p.csv, row 5, column POBLACION: '2x0'"):
        load_population(gazetteer_store, path)


def test_unknown_code_is_refused(gazetteer_store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", IDS + "\n99999;2018;1;99")
    with pytest.raises(TerritoryFileInvalid, match="1 code.s. not in the gazetteer: 99999"):
        load_population(gazetteer_store, path)


def test_population_needs_the_gazetteer(store: Store, tmp_path: Path) -> None:
    with pytest.raises(GazetteerNotLoaded):
        load_population(store, _write(tmp_path, "p.csv", IDS))


def test_series_break_between_census_bases(gazetteer_store: Store, tmp_path: Path) -> None:
    load_population(gazetteer_store, _write(tmp_path, "w.csv", WIDE))
    load_population(gazetteer_store, _write(tmp_path, "p.csv", IDS))
    found = series_break(gazetteer_store, "dane-2016-2017", "dane-2018-2019")
    assert found is not None
    assert found.note.endswith("(national 2017 → 2018: 1,140 → 1,235)")
    assert series_break(gazetteer_store, "dane-2018-2019", "dane-2018-2019") is None
    with pytest.raises(VintageNotLoaded):
        series_break(gazetteer_store, "dane-2016-2017", "nope")


def test_census_base_by_first_year() -> None:
    assert census_base(2003) == "Censo 2005"
    assert census_base(2018) == "CNPV 2018"


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Store:
    store = Store(tmp_path_factory.mktemp("population") / "real.duckdb", timeout=10)
    store.migrate()
    load_path(store, shared_data / "divipola")
    load_path(store, shared_data / "population_dane")
    return store


@pytest.mark.shared_data
def test_real_population_codes_all_map(real_store: Store) -> None:
    names = {v.vintage for v in vintages(real_store)}
    assert names == {"dane-2003-2017", "dane-2005-2020", "dane-2018-2024", "dane-2018-2035"}
    with real_store.read() as db:
        unmapped = db.execute(
            "SELECT DISTINCT r.code FROM population_rows r "
            "LEFT JOIN territories t ON t.code = r.code WHERE t.code IS NULL"
        ).fetchall()
        codes = db.execute("SELECT count(DISTINCT code) FROM population_rows").fetchone()
    assert unmapped == [] and codes == (1122,)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "year", "total"),
    [
        ("dane-2018-2035", 2018, 48_258_494),
        ("dane-2018-2035", 2019, 49_395_678),
        ("dane-2018-2035", 2025, 53_216_592),
        ("dane-2018-2024", 2019, 49_376_765),
        ("dane-2018-2024", 2024, 52_695_952),
    ],
)
def test_real_national_totals_match_source(
    real_store: Store, name: str, year: int, total: int
) -> None:
    assert population_of(real_store, name, "CO", year) == total


@pytest.mark.shared_data
def test_real_series_break_drops_about_a_million(real_store: Store) -> None:
    found = series_break(real_store, "dane-2003-2017", "dane-2018-2035")
    assert found is not None
    before = population_of(real_store, "dane-2003-2017", "CO", 2017)
    after = population_of(real_store, "dane-2018-2035", "CO", 2018)
    assert before is not None and after is not None
    assert 900_000 < before - after < 1_100_000
    assert population_of(real_store, "dane-2018-2035", "94343", 2020) is not None
