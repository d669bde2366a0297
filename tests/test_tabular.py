"""The shared spreadsheet/CSV reader and cell parsers: property tests for the parsers, the
header finder, and the preamble every list importer yields."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.importers.framework.items import Layout, NonData, RowKind
from peacemonitor.importers.tabular import (
    FieldSpec,
    LayoutSpec,
    find_header,
    municipality_code,
    norm,
    parse_count,
    parse_date,
    preamble,
    read_file,
    sniff_format,
    text,
)

LAYOUT = LayoutSpec(
    "test-list",
    (
        FieldSpec("code", ("codigo dane", "codigo")),
        FieldSpec("count", ("cantidad",)),
        FieldSpec("note", ("nota",), required=False),
    ),
)


# --- cell parsers ----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**9))
def test_a_count_reads_alike_as_number_or_text(number: int) -> None:
    assert parse_count(number) == parse_count(float(number)) == parse_count(f" {number} ")
    assert parse_count(str(number)) == float(number)


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8)))
def test_a_count_is_finite_and_not_negative_or_none(value: float | str) -> None:
    parsed = parse_count(value)
    assert parsed is None or (math.isfinite(parsed) and parsed >= 0)


@pytest.mark.parametrize("value", [-1, "-1", "1e3", "1,000", "", "n/a", True, None, math.inf])
def test_what_is_not_a_count(value: object) -> None:
    assert parse_count(value) is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_reads_alike_in_every_format(day: dt.date) -> None:
    forms = [
        day,
        dt.datetime.combine(day, dt.time(13, 5)),
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d-%m-%Y"),
        f" {day.isoformat()} 00:00:00",
    ]
    assert {parse_date(form) for form in forms} == {day}


@pytest.mark.parametrize("value", ["", "2024-13-01", "31/02/2024", "ayer", 20240101, None])
def test_what_is_not_a_date(value: object) -> None:
    assert parse_date(value) is None


@given(st.integers(min_value=1001, max_value=99999), st.integers(min_value=0, max_value=999))
def test_a_municipality_code_survives_every_form(number: int, centre: int) -> None:
    code = f"{number:05d}"
    forms = [number, float(number), str(number), f"{number}.0", code, number * 1000 + centre]
    assert {municipality_code(form) for form in forms} == {code}


@pytest.mark.parametrize("value", [None, True, 0, 123, 5001.5, math.nan, "abc", "123456789"])
def test_what_is_not_a_municipality_code(value: object) -> None:
    assert municipality_code(value) is None


@given(st.text(max_size=20))
def test_text_is_stripped_and_header_norm_is_idempotent(value: str) -> None:
    assert text(value) == value.strip()
    assert norm(norm(value)) == norm(value)


def test_header_names_compare_by_letters_and_digits() -> None:
    assert norm("CÓDIGO DANE ") == norm("codigo_dane") == "codigo dane"
    assert (text(None), text(5001.0), text(2.5)) == ("", "5001", "2.5")


# --- reading and headers ---------------------------------------------------------------------


def test_the_header_is_found_below_a_title_and_the_preamble_counts_it(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Homicidios 2024,\n,\nCÓDIGO DANE,CANTIDAD\n05001,3\n", encoding="utf-8")
    sheets, encoding = read_file(path)
    rows, header = find_header(path, sheets, [LAYOUT])
    assert (encoding, header.index, header.columns, header.name("code")) == (
        "utf-8",
        2,
        {"code": 0, "count": 1},
        "CÓDIGO DANE",
    )
    assert list(preamble(rows, header, LAYOUT.name)) == [
        Layout("test-list"),
        NonData(1, RowKind.TITLE),
        NonData(2, RowKind.BLANK),
        NonData(3, RowKind.HEADER),
    ]


def test_a_header_missing_a_required_column_names_it(tmp_path: Path) -> None:
    sheets = [("s", [["codigo", "nota", "otra"], ["05001", "", ""]])]
    with pytest.raises(UnknownLayout, match=r"x.csv, row 1: .*lacks required column count"):
        find_header(tmp_path / "x.csv", sheets, [LAYOUT])


def test_no_header_at_all_quotes_the_first_text(tmp_path: Path) -> None:
    with pytest.raises(UnknownLayout, match="first text seen: 'hola | mundo'"):
        find_header(tmp_path / "x.csv", [("s", [[None, "hola", "mundo"]])], [LAYOUT])


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"PK\x03\x04rest", "xlsx"), (b"\xd0\xcf\x11\xe0rest", "xls"), (b"a,b\n", "csv")],
)
def test_the_format_is_sniffed_from_the_first_bytes(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)
    assert sniff_format(path) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"a\x00b", "binary content"), (b"a,b\n\x81\n", "neither")],
)
def test_unreadable_files_are_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(BadFile, match=message):
        read_file(path)
