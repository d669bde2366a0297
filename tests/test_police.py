"""Police importer: every layout on small synthetic sheets, hostile inputs, and the real files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.framework.errors import BadFile, TotalMismatch, UnknownLayout
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.importers.tabular import municipality_code, parse_count, parse_date
from peacemonitor.model import Category
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
TITLES = [
    ["MINISTERIO DE DEFENSA NACIONAL"],
    ["POLICÍA NACIONAL"],
    [],
    ["HOMICIDIOS "],
    ["PERÍODO DEL 01 DE ENERO AL 31 DE DICIEMBRE AÑO 2019"],
]
CODED = [
    "DEPARTAMENTO",
    "MUNICIPIO",
    "CODIGO DANE",
    "ARMAS MEDIOS",
    "FECHA HECHO",
    "GENERO",
    "AGRUPA EDAD PERSONA",
    "CANTIDAD",
]
D1, D2 = dt.date(2019, 1, 1), dt.date(2019, 12, 31)
ROWS = [
    ["ANTIOQUIA", "MEDELLÍN (CT)", 5001000.0, "ARMA DE FUEGO", D1, "MASCULINO", "ADULTOS", 1.0],
    ["ANTIOQUIA", "MEDELLÍN (CT)", 5001000.0, "ARMA DE FUEGO", D1, "MASCULINO", "ADULTOS", 1.0],
    [
        "CUNDINAMARCA",
        "BOGOTÁ D.C. (CT)",
        11001000.0,
        "CONTUNDENTES",
        D2,
        "FEMENINO",
        "MENORES",
        2.0,
    ],
    [
        "AMAZONAS",
        "LETICIA (CT)",
        91001008.0,
        "ARMA BLANCA / CORTOPUNZANTE",
        D2,
        "MASCULINO",
        "ADULTOS",
        3.0,
    ],
]
FOOT = [
    ["FUENTE: DIJIN-POLICÍA NACIONAL. DATOS EXTRAIDOS EL DIA 8 DE SEPTIEMBRE DEL AÑO 2020."],
    ["Elaborado: persona ficticia"],
]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list[Any]]) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value, day) if isinstance(value, dt.date) else sheet.write(
                r, c, value
            )
    book.save(str(path))
    return path


def sheet(
    rows: list[list[Any]] = ROWS, header: list[str] = CODED, total: float | None = 7.0
) -> Any:
    tail = [["TOTAL", "", "", "", "", "", "", total]] if total is not None else []
    return TITLES + [header] + rows + tail + FOOT


@pytest.fixture
def places(tmp_path: Path) -> tuple[Store, Gazetteer]:
    store = Store(tmp_path / "police.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def observations(store: Store, where: str = "true") -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT row_number, part, category, unit, count, date_first::VARCHAR, date_precision, "
            f"territory_code, resolution, attributes FROM observations WHERE {where} "
            "ORDER BY row_number, part"
        ).fetchall()


# --- layouts ---------------------------------------------------------------------------------


def test_coded_layout_accounts_for_every_row_and_checks_the_total(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    report = import_file(store, "police", write_xlsx(tmp_path / "h.xlsx", sheet()), gazetteer)
    assert report.layout == "police-long-coded"
    assert report.rows_read == 13
    assert report.rows_non_data == {"title": 4, "blank": 1, "header": 1, "total": 1, "footnote": 2}
    assert (report.rows_stored, report.rows_already_present, report.rows_quarantined) == (4, 0, {})
    assert report.accounted == report.rows_read
    assert [(t.row, t.declared, t.stored) for t in report.totals] == [(11, 7.0, 7.0)]
    rows = observations(store)
    assert [r[7] for r in rows] == ["05001", "05001", "11001", "91001"]
    assert {r[2] for r in rows} == {Category.HOMICIDE.value} and {r[3] for r in rows} == {"victims"}
    assert rows[3][9] == (
        '{"dane_code":"91001008","weapon":"ARMA BLANCA / CORTOPUNZANTE",'
        '"sex":"MASCULINO","age_group":"ADULTOS"}'
    )


def test_identical_rows_are_distinct_records(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    same = [ROWS[0]] * 50
    path = write_xlsx(tmp_path / "same.xlsx", sheet(same, total=50.0))
    report = import_file(store, "police", path, gazetteer)
    assert report.rows_stored == 50 and report.observations_stored == 50
    again = import_file(store, "police", path, gazetteer)
    assert (again.rows_stored, again.rows_already_present, again.observations_stored) == (0, 50, 0)
    assert len(observations(store)) == 50


def test_columns_in_the_2021_order_and_text_codes(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    order = [3, 0, 1, 4, 5, 6, 2, 7]
    header = [CODED[i] + " " for i in order]  # 2021+ headers carry trailing spaces
    rows = [[row[i] for i in order] for row in ROWS]
    rows[0][6] = "05001000"
    tail = [["TOTAL ", "", "", "", "", "", "", 7.0]]
    path = write_xlsx(tmp_path / "2021.xlsx", TITLES + [header] + rows + tail + FOOT)
    report = import_file(store, "police", path, gazetteer)
    assert report.layout == "police-long-coded" and report.rows_stored == 4
    assert [r[7] for r in observations(store)] == ["05001", "05001", "11001", "91001"]


def test_named_layout_without_codes_resolves_names(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    header = ["DEPARTAMENTO ", "MUNICIPIO ", "FECHA DE HECHO ", "DIA SEMANA ", "AÑO ", "CANTIDAD "]
    rows = [
        ["ANTIOQUIA", "Medellín (CT)", dt.date(2003, 1, 1), "Miércoles", "2003", 1.0],
        ["AMAZONAS", "Leticia (CT)", dt.date(2003, 3, 4), "Martes", "2003", 2.0],
    ]
    path = write_xlsx(tmp_path / "named.xlsx", TITLES + [header] + rows + FOOT)
    report = import_file(store, "police", path, gazetteer)
    assert report.layout == "police-long-named" and report.totals == []
    got = observations(store)
    assert [(r[7], r[4]) for r in got] == [("05001", 1.0), ("91001", 2.0)]
    assert '"municipality_raw":"Leticia (CT)"' in got[1][9]


def test_xls_files_read_like_xlsx(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    report = import_file(store, "police", write_xls(tmp_path / "h.xls", sheet()), gazetteer)
    assert (report.rows_stored, report.totals[0].declared) == (4, 7.0)


def test_wide_kidnapping_table_yields_one_observation_per_nonzero_year(
    places: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = places
    report = import_file(store, "police", DATA / "kidnapping_wide.csv", gazetteer)
    assert report.layout == "police-wide-years"
    assert report.rows_read == 12 and report.rows_stored == 3 and report.observations_stored == 3
    assert report.rows_non_data == {"title": 4, "blank": 2, "header": 1, "total": 1, "footnote": 1}
    assert [(t.part, t.declared, t.stored) for t in report.totals] == [
        ("2018", 2.0, 2.0),
        ("2019", 2.0, 2.0),
    ]
    got = observations(store)
    assert [(r[0], r[1], r[5], r[6], r[7]) for r in got] == [
        (7, "2018", "2018-01-01", "month", "05001"),
        (8, "2018", "2018-01-01", "month", "05001"),
        (9, "2019", "2019-12-01", "month", "19001"),
    ]
    assert {r[2] for r in got} == {"kidnapping"}


def test_misspelt_title_still_names_the_crime(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    titles = [["POLICÍA NACIONAL"], ["HOMICIDO INTENCIONAL "]]
    path = write_xlsx(tmp_path / "typo.xlsx", titles + [CODED] + ROWS)
    assert import_file(store, "police", path, gazetteer).rows_stored == 4
    assert {r[2] for r in observations(store)} == {"homicide"}


# --- what the importer refuses, and what it quarantines ------------------------------------


def test_total_row_that_disagrees_fails_the_file_and_stores_nothing(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    path = write_xlsx(tmp_path / "bad-total.xlsx", sheet(total=8.0))
    with pytest.raises(TotalMismatch, match=r"bad-total.xlsx, row 11, column CANTIDAD: .*8 .*7"):
        import_file(store, "police", path, gazetteer)
    assert observations(store) == []
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM imports").fetchall() == [(0,)]


def test_missing_required_column_names_row_and_column(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    header = CODED[:-1] + ["VALOR"]
    path = write_xlsx(tmp_path / "no-count.xlsx", sheet(header=header))
    with pytest.raises(UnknownLayout, match=r"no-count.xlsx, row 6: .*lacks required column count"):
        import_file(store, "police", path, gazetteer)


def test_sheet_without_header(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = write_xlsx(tmp_path / "titles.xlsx", TITLES + FOOT)
    with pytest.raises(UnknownLayout, match="no header row of a known layout"):
        import_file(store, "police", path, gazetteer)


def test_title_without_a_crime(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = write_xlsx(tmp_path / "crime.xlsx", [["POLICÍA NACIONAL"], CODED] + ROWS)
    with pytest.raises(UnknownLayout, match="names the crime"):
        import_file(store, "police", path, gazetteer)


def test_bad_cells_are_quarantined_with_column_and_still_count_in_the_total(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    rows = [list(r) for r in ROWS]
    rows[1][4] = "31/02/2019"
    rows[2][2] = 99999000.0
    rows[2][1] = "PUEBLO INVENTADO"
    path = write_xlsx(tmp_path / "q.xlsx", sheet(rows))
    report = import_file(store, "police", path, gazetteer)
    assert report.rows_quarantined == {"bad-date": 1, "territory-unknown": 1}
    assert report.rows_stored == 2 and report.totals[0].quarantined == 3.0
    with store.read() as db:
        held = db.execute(
            "SELECT row_number, reason, column_name FROM quarantine ORDER BY row_number"
        ).fetchall()
    assert held == [(8, "bad-date", "FECHA HECHO"), (9, "territory-unknown", "CODIGO DANE")]


def test_wrong_encoding_names_the_row(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    text = (DATA / "kidnapping_wide.csv").read_text(encoding="utf-8")
    path = tmp_path / "latin1.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(BadFile, match=r"latin1.csv, row 2: not valid utf-8 at byte"):
        import_file(store, "police", path, gazetteer, encoding="utf-8")
    report = import_file(store, "police", path, gazetteer, encoding="latin-1")
    assert (report.rows_stored, report.encoding) == (3, "iso8859-1")


def test_a_cp1252_file_is_detected_and_reported(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    text = (DATA / "kidnapping_wide.csv").read_text(encoding="utf-8")
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    report = import_file(store, "police", path, gazetteer)
    assert (report.rows_stored, report.encoding) == (3, "cp1252")
    assert import_file(store, "police", DATA / "kidnapping_wide.csv", gazetteer).encoding == "utf-8"


def test_truncated_workbook_is_a_bad_file(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    whole = write_xlsx(tmp_path / "whole.xlsx", sheet()).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BadFile, match="cut.xlsx: cannot read as xlsx"):
        import_file(store, "police", path, gazetteer)


def test_one_bad_file_leaves_the_others_imported(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    good = write_xlsx(tmp_path / "good.xlsx", sheet())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00\x01garbage")
    outcomes = import_files(store, "police", [bad, good], gazetteer)
    assert isinstance(outcomes[0], BadFile) and isinstance(outcomes[1], ImportReport)
    assert len(observations(store)) == 4


@pytest.fixture(scope="module")
def garbage_places(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Gazetteer, Path]:
    folder = tmp_path_factory.mktemp("garbage")
    store = Store(folder / "g.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store), folder


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=1, max_size=400))
def test_garbage_never_raises_anything_but_a_named_error(
    garbage_places: tuple[Store, Gazetteer, Path], data: bytes
) -> None:
    store, gazetteer, folder = garbage_places
    path = folder / "garbage.csv"
    path.write_bytes(data)
    with pytest.raises((BadFile, UnknownLayout)):
        import_file(store, "police", path, gazetteer)


# --- cell parsers ----------------------------------------------------------------------------


@given(st.integers(1, 99), st.integers(1, 999), st.integers(0, 999))
def test_codes_that_lost_their_leading_zero_come_back(
    department: int, municipality: int, centre: int
) -> None:
    code = f"{department:02d}{municipality:03d}"
    assert municipality_code(float(int(code + f"{centre:03d}"))) == code
    assert municipality_code(int(code)) == code
    assert municipality_code(code) == code
    assert municipality_code(f"{code}{centre:03d}") == code


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_counts_are_finite_and_not_negative(value: float) -> None:
    parsed = parse_count(value)
    assert parsed is None or (parsed >= 0 and parsed == value)


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_dates_in_every_format_the_sources_use(day: dt.date) -> None:
    for text in (day.isoformat(), day.strftime("%Y/%m/%d"), day.strftime("%d/%m/%Y")):
        assert parse_date(text) == day
    assert parse_date(dt.datetime(day.year, day.month, day.day, 5)) == day


def test_not_dates() -> None:
    assert parse_date("2019-02-30") is None and parse_date(43000.0) is None


# --- the real files --------------------------------------------------------------------------

# National homicide victims by year, from policia_homicidios_raw/SOURCE.md.
SOURCE_TOTALS = {
    2003: 22496, 2004: 18946, 2005: 16888, 2006: 15870, 2007: 15251, 2008: 14752, 2009: 15322,
    2010: 14869, 2011: 15803, 2012: 16033, 2013: 14971, 2014: 12958, 2015: 12460, 2016: 12164,
    2017: 12079, 2018: 12667, 2019: 12656, 2020: 12127, 2021: 13874, 2022: 13537, 2023: 13555,
    2024: 13341,
}  # fmt: skip
KIDNAPPING_TOTALS = {2010: 282, 2011: 305, 2012: 305, 2013: 299, 2014: 288, 2015: 213, 2016: 205}


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = Store(tmp_path_factory.mktemp("real") / "real.duckdb", timeout=30)
    store.migrate()
    from peacemonitor.gazetteer import load_path

    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    files = sorted((shared_data / "policia_homicidios_raw").glob("homicidios_*.xls*"))
    files.append(shared_data / "policia_secuestro_2010_2016" / "secuestro_2010_2016.csv")
    return store, gazetteer, files, import_files(store, "police", files, gazetteer)


@pytest.mark.shared_data
def test_every_real_police_file_imports_with_accounting_and_totals(real: Any) -> None:
    _, _, files, outcomes = real
    assert len(files) == 16
    for path, report in zip(files, outcomes, strict=True):
        assert isinstance(report, ImportReport), f"{path.name}: {report}"
        assert report.accounted == report.rows_read
        assert report.rows_quarantined == {}, path.name
        for check in report.totals:
            assert check.declared == check.stored, (path.name, check)
    assert sum(len(r.totals) for r in outcomes if isinstance(r, ImportReport)) == 14 + 7


@pytest.mark.shared_data
def test_real_national_totals_equal_the_source_notes(real: Any) -> None:
    store = real[0]
    with store.read() as db:
        homicide = dict(
            db.execute(
                "SELECT year(date_first), sum(count)::BIGINT FROM observations "
                "WHERE source = 'police' AND category = 'homicide' GROUP BY ALL"
            ).fetchall()
        )
        kidnapping = dict(
            db.execute(
                "SELECT year(date_first), sum(count)::BIGINT FROM observations "
                "WHERE source = 'police' AND category = 'kidnapping' GROUP BY ALL"
            ).fetchall()
        )
    assert homicide == SOURCE_TOTALS
    assert kidnapping == KIDNAPPING_TOTALS


@pytest.mark.shared_data
def test_real_files_import_again_as_already_present(real: Any, tmp_path: Path) -> None:
    store, gazetteer, files, _ = real
    copy = tmp_path / files[1].name
    shutil.copy(files[1], copy)
    report = import_file(store, "police", copy, gazetteer)
    assert report.rows_stored == 0 and report.rows_already_present == 11760
