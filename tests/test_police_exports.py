"""Police datos.gov.co exports: recognised by header in `import police`, every row accounted
for, and the real kidnapping, extortion and terrorism exports equal to their SOURCE.md."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.framework.errors import ImportFailed
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.importers.police_exports import (
    EXTORTION,
    KIDNAPPING,
    TERRORISM,
    recognise,
)
from peacemonitor.quarantine import retry_quarantine
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "police_datos"


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA.parent / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def stored(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT source, row_number, category, unit, count, date_first::VARCHAR, "
            "territory_code, attributes::VARCHAR FROM observations ORDER BY source, row_number"
        ).fetchall()


def test_headers_are_recognised_exactly() -> None:
    header = ["FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD"]
    assert recognise(header) is EXTORTION
    assert recognise([h.lower().replace(" ", "_") for h in header] + [""]) is EXTORTION
    assert recognise(header[:5] + ["TIPO DELITO", "CANTIDAD"]) is KIDNAPPING
    terror = ["Departamento", "Municipio", "CODIGO DANE", "ARMAS MEDIOS", "FECHA HECHO", "CANTIDAD"]
    assert recognise(terror) is TERRORISM
    assert recognise(terror[:5] + ["GENERO", "CANTIDAD"]) is None  # a homicide export


def test_kidnapping_export_accounts_for_every_row(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = import_file(store, "police", DATA / "kidnapping.csv", gazetteer)
    assert (report.source, report.layout) == ("police-datos-gov", "police-datos-kidnapping")
    assert report.rows_read == 8 and report.accounted == 8
    assert report.rows_non_data == {"header": 1}
    assert report.rows_stored == 4
    assert report.rows_quarantined == {
        "bad-date": 1,
        "outside-categories": 1,
        "territory-unknown": 1,
    }
    extorsivo = '{"dane_code":"05001","crime_type":"SECUESTRO EXTORSIVO"}'
    assert stored(store) == [
        ("police-datos-gov", 2, "kidnapping", "victims", 1.0, "2019-01-02", "05001", extorsivo),
        ("police-datos-gov", 3, "kidnapping", "victims", 1.0, "2019-01-02", "05001", extorsivo),
        (
            "police-datos-gov",
            4,
            "kidnapping",
            "victims",
            3.0,
            "2019-12-31",
            "11001",
            '{"dane_code":"11001","crime_type":"SECUESTRO SIMPLE"}',
        ),
        (
            "police-datos-gov",
            5,
            "kidnapping",
            "victims",
            2.0,
            "2020-03-04",
            "05002",
            '{"dane_code":"05999","crime_type":"SECUESTRO SIMPLE"}',
        ),
    ]


def test_extortion_export_blank_lines_and_bad_counts(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = import_file(store, "police", DATA / "extortion.csv", gazetteer)
    assert report.layout == "police-datos-extortion"
    assert (report.rows_read, report.rows_stored) == (5, 2)
    assert report.rows_non_data == {"header": 1, "blank": 1}
    assert report.rows_quarantined == {"bad-count": 1}
    assert [r[2:7] for r in stored(store)] == [
        ("extortion", "incidents", 2.0, "2021-01-02", "05002"),
        ("extortion", "incidents", 1.0, "2021-02-01", "94343"),
    ]


def test_terrorism_export_reads_day_first_dates_and_eight_digit_codes(
    places: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = places
    report = import_file(store, "police", DATA / "terrorism.csv", gazetteer)
    assert report.layout == "police-datos-terrorism"
    assert report.rows_quarantined == {"bad-date": 1}  # 04/28/2022 is not day-first
    assert [r[2:] for r in stored(store)] == [
        (
            "terrorism",
            "incidents",
            1.0,
            "2010-01-05",
            "91001",
            '{"dane_code":"91001","weapon":"GRANADA DE MANO"}',
        ),
        (
            "terrorism",
            "incidents",
            2.0,
            "2022-04-28",
            "05001",
            '{"dane_code":"05001","weapon":"ARTEFACTO EXPLOSIVO/CARGA DINAMITA"}',
        ),
    ]


def test_a_later_download_of_the_same_months_is_refused_or_revises(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "police", DATA / "extortion.csv", gazetteer)
    again = import_file(store, "police", DATA / "extortion.csv", gazetteer)
    assert again.rows_stored == 0 and again.rows_already_present == 2
    later = tmp_path / "later.csv"
    lines = (DATA / "extortion.csv").read_text(encoding="utf-8-sig").splitlines()
    revised_row = lines[1].rsplit(",", 1)[0] + ",3"  # the Police revised Abejorral's count
    later.write_text("\n".join([lines[0], lines[2], revised_row]) + "\n")
    (refused,) = import_files(store, "police", [later], gazetteer)
    assert isinstance(refused, ImportFailed) and "extortion.csv" in str(refused)
    (report,) = import_files(store, "police", [later], gazetteer, revise=True)
    assert isinstance(report, ImportReport) and report.observations_replaced == 2
    assert sorted(r[4] for r in stored(store)) == [1.0, 3.0]


def test_quarantined_rows_resolve_on_retry_once_the_place_is_known(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "police", DATA / "kidnapping.csv", gazetteer)
    divipola = tmp_path / "divipola.csv"
    shutil.copy(DATA.parent / "divipola_small.csv", divipola)
    with divipola.open("a") as handle:
        handle.write("91,AMAZONAS,91999,NOWHERE,Municipio,-4.0,-70.0,POINT (-70.0 -4.0)\n")
    load_divipola(store, divipola)
    (retried,) = retry_quarantine(store, Gazetteer.from_store(store), "police-datos-gov")
    assert retried.rows_stored == 1
    assert retried.rows_quarantined == {"bad-date": 1, "outside-categories": 1}


# --- the real exports ------------------------------------------------------------------------

# From policia_socrata_2022/SOURCE.md, each checked independently with pandas (sum of
# CANTIDAD by year of FECHA HECHO parsed in the file's own format).
REAL = {
    "SECUESTRO.csv": (18642, 27055, {2017: 195, 2018: 176, 2019: 117, 2020: 162, 2021: 137}),
    "EXTORSION.csv": (69137, 86940, {2017: 5532, 2018: 7047, 2019: 8344, 2020: 8189, 2021: 8021}),
    "TERRORISMO.csv": (3954, 4121, {2019: 186, 2020: 372, 2021: 245, 2022: 134}),
}


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from peacemonitor.gazetteer import load_path

    store = Store(tmp_path_factory.mktemp("datos") / "datos.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    files = [shared_data / "policia_socrata_2022" / name for name in REAL]
    return store, gazetteer, files, import_files(store, "police", files, gazetteer)


@pytest.mark.shared_data
def test_real_exports_import_with_every_row_accounted_for(real: Any) -> None:
    store, _, files, outcomes = real
    for path, report in zip(files, outcomes, strict=True):
        assert isinstance(report, ImportReport), f"{path.name}: {report}"
        rows, total, _ = REAL[path.name]
        assert report.rows_read == rows + 1  # the header
        assert report.accounted == report.rows_read
        held = sum(report.rows_quarantined.values())
        assert report.rows_stored + held == rows, path.name


@pytest.mark.shared_data
def test_real_exports_sum_to_their_source_totals(real: Any) -> None:
    store = real[0]
    with store.read() as db:
        sums = db.execute(
            "SELECT category, sum(count)::BIGINT FROM observations GROUP BY ALL"
        ).fetchall()
        held = db.execute(
            "SELECT raw->>'$.cells.CANTIDAD', count(*) FROM quarantine GROUP BY ALL"
        ).fetchall()
        years = db.execute(
            "SELECT category, year(date_first), sum(count)::BIGINT FROM observations GROUP BY ALL"
        ).fetchall()
    quarantined = sum(int(c) * n for c, n in held)
    category = {"SECUESTRO.csv": "kidnapping", "EXTORSION.csv": "extortion"}
    expected_total = sum(total for _, total, _ in REAL.values())
    assert sum(s for _, s in sums) + quarantined == expected_total
    by_year = {(c, y): s for c, y, s in years}
    for name, (_, _, yearly) in REAL.items():
        crime = category.get(name, "terrorism")
        measured = {y: by_year.get((crime, y), 0) for y in yearly}
        assert measured == yearly, name


def test_the_socrata_api_csv_is_the_same_layout(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    path = tmp_path / "api.csv"
    path.write_text(
        '"fecha_hecho","cod_depto","departamento","cod_muni","municipio","tipo_delito","cantidad"\n'
        '"2021-03-04T00:00:00.000","5","ANTIOQUIA","5001","MEDELLIN (CT)","SECUESTRO SIMPLE","2"\n'
    )
    report = import_file(store, "police", path, gazetteer)
    assert (report.layout, report.rows_stored) == ("police-datos-kidnapping", 1)
    assert [r[4:7] for r in stored(store)] == [(2.0, "2021-03-04", "05001")]


def test_terrorism_dates_as_data_fetch_writes_them(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    path = tmp_path / "TERRORISMO.csv"
    path.write_text(
        "Departamento,Municipio,CODIGO DANE,ARMAS MEDIOS,FECHA HECHO,CANTIDAD\n"
        'CAUCA,POPAYÁN (CT),"19,001,000",GRANADA DE MANO,01/05/2010 12:00:00 AM,1\n'
    )
    report = import_file(store, "police", path, gazetteer)
    assert (report.layout, report.rows_stored) == ("police-datos-terrorism", 1)
    assert [r[5:7] for r in stored(store)] == [("2010-01-05", "19001")]
