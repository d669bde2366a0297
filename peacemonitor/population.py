"""DANE population projections: each file a named vintage, by municipality, department and year.

Rates divide by these figures, so three rules hold here: a rate names its vintage (DANE revises its
projections; two 2018-based series already differ by tens of thousands of people a year); a
population of 0 or missing makes a rate undefined (``rate`` returns None, SQL should divide by
``NULLIF(population, 0)``), never infinite; and a series built on the 2005 census and one built on
the 2018 census are not comparable (:func:`series_break`): the 2018-based series starts about a
million people below where the 2005-based one ended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from peacemonitor.errors import PeacemonitorError
from peacemonitor.files import file_sha256
from peacemonitor.model import COUNTRY_CODE, TerritoryLevel
from peacemonitor.names import normalize_name
from peacemonitor.store import Store
from peacemonitor.territories import (
    GazetteerNotLoaded,
    InvalidCode,
    LoadReport,
    TerritoryFileInvalid,
    UnrecognisedFile,
    parse_code,
    read_text_table,
    record_load,
)

SERIES_BREAK_YEAR = 2018
"""The first year of DANE's projections based on the 2018 census (CNPV 2018)."""


class VintageNotLoaded(PeacemonitorError):
    """A population vintage that the store does not hold."""


@dataclass(frozen=True)
class Layout:
    """How a population table is laid out: long (a row per code and year) or wide (year columns)."""

    name: str
    code: str
    year: str | None = None
    population: str | None = None
    department: str | None = None
    title: str = ""

    @property
    def wide(self) -> bool:
        return self.year is None


LAYOUTS = (
    Layout(
        "dane-poblacion-ids",
        "id municipio",
        "anno",
        "poblacion",
        "id departamento",
        "DANE municipal population projections, one row per municipality and year",
    ),
    Layout(
        "dane-poblacion-long",
        "municipio code",
        "year",
        "poblacion",
        "departamento code",
        "DANE municipal population projections (long table with names)",
    ),
    Layout(
        "dane-poblacion-wide",
        "municipio code",
        department="departamento code",
        title="DANE municipal population projections reshaped by a third party to one column "
        "per year",
    ),
    Layout(
        "dane-proyecciones-area",
        "dpmp",
        department="dp",
        title="DANE 'Proyecciones de población municipales por área', TOTAL block",
    ),
)

_YEAR = re.compile(r"^(19|20)\d\d(\.0+)?$")


def detect_csv_layout(header: Sequence[Any]) -> Layout | None:
    """The layout a header row belongs to, or None."""
    cells = [normalize_name(str(cell)) for cell in header]
    has_years = any(_YEAR.match(str(cell).strip()) for cell in header)
    for layout in LAYOUTS:
        wanted = [c for c in (layout.code, layout.year, layout.population) if c]
        if all(w in cells for w in wanted) and (has_years or not layout.wide):
            return layout
    return None


@dataclass
class PopulationTable:
    """A population file read into (code, year, population) rows; nothing stored yet."""

    layout: Layout
    sheet: str | None
    rows: list[tuple[str, int, int | None]]
    names: dict[str, str]
    report: LoadReport

    @property
    def years(self) -> tuple[int, int]:
        years = [year for _, year, _ in self.rows]
        return min(years), max(years)


@dataclass(frozen=True)
class Vintage:
    """One row of ``population_vintages``."""

    vintage: str
    description: str
    source: str
    file: str
    file_sha256: str
    census_base: str
    first_year: int
    last_year: int


@dataclass(frozen=True)
class SeriesBreak:
    """Two vintages built on different censuses: a rate series crossing them is not comparable."""

    before: Vintage
    after: Vintage
    note: str


# --- reading -----------------------------------------------------------------------------------


def _workbook_tables(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types
        raise UnrecognisedFile(f"{path.name}: not a readable workbook ({error})") from None
    return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]


def _find_header(rows: list[list[Any]]) -> tuple[int, Layout] | None:
    """The first of the first 15 rows that is a known header, and its layout."""
    for index, row in enumerate(rows[:15]):
        layout = detect_csv_layout(row)
        if layout is not None:
            return index, layout
    return None


class _Table(NamedTuple):
    """One table of a file: its sheet (None for a CSV), header, data rows, the number of the
    header row, and a CSV's text encoding."""

    sheet: str | None
    header: list[Any]
    rows: list[list[Any]]
    header_number: int
    encoding: str | None = None


def _tables(path: Path) -> list[_Table]:
    """Each table in the file."""
    if path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".ods"):
        found: list[_Table] = []
        for sheet, rows in _workbook_tables(path):
            header = _find_header(rows)
            if header is not None:
                index, _ = header
                found.append(_Table(sheet, rows[index], rows[index + 1 :], index + 1))
        return found
    text = read_text_table(path)
    return [_Table(None, list(text.header), list(text.rows), 1, text.encoding)]


def is_population_file(path: Path) -> bool:
    """True when some table in the file has a population layout (used to recognise files)."""
    try:
        return any(detect_csv_layout(table.header) for table in _tables(path))
    except (UnrecognisedFile, OSError):
        return False


def population_sheets(path: Path) -> list[str | None]:
    """The first table of each distinct layout in the file (a CSV has one, named None)."""
    seen: dict[str, str | None] = {}
    for table in _tables(path):
        layout = detect_csv_layout(table.header)
        if layout is not None and layout.name not in seen:
            seen[layout.name] = table.sheet
    return list(seen.values())


def read_population(path: Path, sheet: str | None = None) -> PopulationTable:
    """Read the first table with a population layout (or the named sheet)."""
    tables = [t for t in _tables(path) if sheet is None or t[0] == sheet]
    for table in tables:
        layout = detect_csv_layout(table.header)
        if layout is not None:
            return _read_table(path, layout, table)
    raise UnrecognisedFile(f"{path.name}: no population table found (sheet={sheet})")


def _column_index(header: Sequence[Any]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        index.setdefault(normalize_name(str(cell)), i)
    return index


def _year_columns(header: Sequence[Any]) -> list[tuple[int, int]]:
    """(column, year) for the first run of year columns (later repeats are other blocks)."""
    found: list[tuple[int, int]] = []
    for i, cell in enumerate(header):
        text = str(cell).strip()
        if _YEAR.match(text):
            year = int(float(text))
            if found and year <= found[-1][1]:
                break
            found.append((i, year))
    return found


def _read_table(path: Path, layout: Layout, source: _Table) -> PopulationTable:
    header, rows, header_number = source.header, source.rows, source.header_number
    columns = _column_index(header)
    report = LoadReport("population", layout.name, str(path), encoding=source.encoding)
    table = PopulationTable(layout, source.sheet, [], {}, report)
    names = [c for c in ("municipio", "mpio") if c in columns]
    for number, row in enumerate(rows, start=header_number + 1):
        report.rows_read += 1
        code_column = columns[layout.code]
        if _is_total(row, code_column):
            report.non_data[number] = "national total row (totals are derived, not read)"
            continue
        code = _municipality_code(path, number, row, code_column, str(header[code_column]))
        if code is None:
            report.non_data[number] = _non_data(row)
            continue
        if names:
            table.names[code] = str(row[columns[names[0]]]).strip()
        values = _values(path, number, row, layout, columns, header)
        table.rows.extend((code, year, value) for year, value in values)
        report.rows_stored += 1
    _check_unique(path, table)
    return table


def _is_total(row: Sequence[Any], column: int) -> bool:
    """DANE's sheets end with a 'Total Nacional' row coded 00."""
    text = str(row[column]).strip() if column < len(row) else ""
    return bool(re.fullmatch(r"0+(\.0+)?", text))


def _municipality_code(
    path: Path, number: int, row: Sequence[Any], column: int, name: str
) -> str | None:
    """The row's municipality code, or None for a title, note or blank row."""
    cell = row[column] if column < len(row) else ""
    text = str(cell).strip()
    if not text or not re.fullmatch(r"\d+(\.0+)?", text):
        if any(str(c).strip() for c in row) and re.fullmatch(r"\d", text[:1] or "x"):
            raise TerritoryFileInvalid(path, f"{text!r} is not a municipality code", number, name)
        return None
    try:
        parsed = parse_code(cell if isinstance(cell, int | float) else text)
    except InvalidCode:
        raise TerritoryFileInvalid(path, f"{text!r} is not a code", number, name) from None
    if parsed.level is not TerritoryLevel.MUNICIPALITY or parsed.suffix is not None:
        raise TerritoryFileInvalid(path, f"{text!r} is not a municipality code", number, name)
    return parsed.code


def _non_data(row: Sequence[Any]) -> str:
    text = " ".join(str(c).strip() for c in row if str(c).strip())
    return f"not a data row: {text[:80]!r}" if text else "blank row"


def _values(
    path: Path,
    number: int,
    row: Sequence[Any],
    layout: Layout,
    columns: dict[str, int],
    header: Sequence[Any],
) -> list[tuple[int, int | None]]:
    """(year, population) pairs of one data row."""
    if not layout.wide:
        assert layout.year and layout.population
        year_cell = row[columns[layout.year]]
        year = _count(path, number, str(header[columns[layout.year]]), year_cell)
        if year is None or not 1900 <= year <= 2100:
            raise TerritoryFileInvalid(path, f"{year_cell!r} is not a year", number, layout.year)
        column = columns[layout.population]
        return [(year, _count(path, number, str(header[column]), row[column]))]
    return [
        (year, _count(path, number, str(year), row[i] if i < len(row) else ""))
        for i, year in _year_columns(header)
    ]


def _count(path: Path, number: int, column: str, cell: Any) -> int | None:
    """A whole, non-negative number; '' is missing (None)."""
    text = str(cell).strip().replace(" ", "")
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise TerritoryFileInvalid(path, f"{cell!r} is not a number", number, column) from None
    if value < 0 or value != int(value):
        raise TerritoryFileInvalid(path, f"{cell!r} is not a whole count", number, column)
    return int(value)


def _check_unique(path: Path, table: PopulationTable) -> None:
    seen: set[tuple[str, int]] = set()
    for code, year, _ in table.rows:
        if (code, year) in seen:
            raise TerritoryFileInvalid(path, f"{code} {year} appears twice")
        seen.add((code, year))


# --- storing -----------------------------------------------------------------------------------


def census_base(first_year: int) -> str:
    """The census a DANE projection series starting in ``first_year`` is built on."""
    return "CNPV 2018" if first_year >= SERIES_BREAK_YEAR else "Censo 2005"


def default_vintage(table: PopulationTable) -> str:
    first, last = table.years
    return f"dane-{first}-{last}"


def _describe(table: PopulationTable, vintage: str) -> str:
    first, last = table.years
    sheet = f", sheet {table.sheet!r}" if table.sheet else ""
    return (
        f"{table.layout.title}, {first}–{last}, based on the {census_base(first)}{sheet}"
        f" (vintage {vintage})"
    )


def _known_codes(db: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    rows = db.execute(
        "SELECT code, successor FROM territories WHERE level = 'municipality'"
    ).fetchall()
    return {code: successor for code, successor in rows}


def _check_codes(path: Path, table: PopulationTable, known: dict[str, str | None]) -> None:
    if not known:
        raise GazetteerNotLoaded("load a DIVIPOLA list before population: `peacemonitor data load`")
    unknown = sorted({code for code, _, _ in table.rows if code not in known})
    if unknown:
        raise TerritoryFileInvalid(
            path,
            f"{len(unknown)} code(s) not in the gazetteer: {', '.join(unknown[:10])}",
            column=table.layout.code,
        )


def _store_rows(db: duckdb.DuckDBPyConnection, vintage: str, table: PopulationTable) -> None:
    import pandas as pd

    frame = pd.DataFrame(table.rows, columns=["code", "year", "population"])
    frame.insert(0, "vintage", vintage)
    frame["population"] = frame["population"].astype("Int64")
    db.register("incoming_population", frame)
    try:
        db.execute("INSERT INTO population_rows SELECT * FROM incoming_population")
    finally:
        db.unregister("incoming_population")


_DERIVE = """
INSERT INTO population
WITH municipal AS (
    SELECT r.vintage, COALESCE(t.successor, r.code) AS code, r.year,
           CASE WHEN count(r.population) = 0 THEN NULL ELSE sum(r.population) END AS population
    FROM population_rows r JOIN territories t ON t.code = r.code
    WHERE r.vintage = $vintage
    GROUP BY ALL
)
SELECT vintage, code, year, population FROM municipal
UNION ALL
SELECT vintage, substr(code, 1, 2), year, sum(population) FROM municipal GROUP BY ALL
UNION ALL
SELECT vintage, $country, year, sum(population) FROM municipal GROUP BY ALL
"""


def load_population(
    store: Store, path: Path, vintage: str | None = None, sheet: str | None = None
) -> LoadReport:
    """Load a population file as ``vintage`` (default ``dane-FIRST-LAST``), replacing it if loaded.

    ``population_rows`` keeps the figures as read; ``population`` holds them by current territory
    (a retired code's figures added to its successor) with department and national sums.
    """
    table = read_population(path, sheet)
    if not table.rows:
        raise TerritoryFileInvalid(path, "no population rows")
    name = vintage or default_vintage(table)
    sha = file_sha256(path)
    first, last = table.years
    with store.write() as db:
        _check_codes(path, table, _known_codes(db))
        for target in ("population_rows", "population", "population_vintages"):
            db.execute(f"DELETE FROM {target} WHERE vintage = ?", [name])
        _store_rows(db, name, table)
        db.execute(_DERIVE, {"vintage": name, "country": COUNTRY_CODE})
        db.execute(
            "INSERT INTO population_vintages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, _describe(table, name), "DANE", path.name, sha, census_base(first), first, last],
        )
        table.report.detail.update(
            vintage=name,
            first_year=first,
            last_year=last,
            values=len(table.rows),
            sheet=table.sheet,
        )
        record_load(db, table.report, sha)
    return table.report


# --- reading back ------------------------------------------------------------------------------


def vintages(store: Store) -> list[Vintage]:
    """Every loaded vintage, oldest series first."""
    with store.read() as db:
        rows = db.execute(
            "SELECT * FROM population_vintages ORDER BY first_year, last_year, vintage"
        ).fetchall()
    return [Vintage(*row) for row in rows]


def vintage(store: Store, name: str) -> Vintage:
    for found in vintages(store):
        if found.vintage == name:
            return found
    raise VintageNotLoaded(f"population vintage {name!r} is not loaded: `peacemonitor data load`")


def population_of(store: Store, name: str, code: str, year: int) -> int | None:
    """The population of a territory in a year under a vintage; None when missing."""
    with store.read() as db:
        row = db.execute(
            "SELECT population FROM population WHERE vintage = ? AND code = ? AND year = ?",
            [name, code, year],
        ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def series_break(store: Store, before: str, after: str) -> SeriesBreak | None:
    """A SeriesBreak when the two vintages rest on different censuses, else None."""
    first, second = vintage(store, before), vintage(store, after)
    if first.census_base == second.census_base:
        return None
    note = (
        f"population series change: {first.vintage} ({first.census_base}) and "
        f"{second.vintage} ({second.census_base}) are different projections; "
        "rates across them are not comparable"
    )
    jump = _national_jump(store, first, second)
    if jump:
        note += f" ({jump})"
    return SeriesBreak(first, second, note)


def _national_jump(store: Store, first: Vintage, second: Vintage) -> str | None:
    """'CO 2017 → 2018: 49,291,609 → 48,258,494' when both ends are loaded."""
    year_a, year_b = min(first.last_year, second.first_year - 1), second.first_year
    a = population_of(store, first.vintage, COUNTRY_CODE, year_a)
    b = population_of(store, second.vintage, COUNTRY_CODE, year_b)
    if a is None or b is None:
        return None
    return f"national {year_a} → {year_b}: {a:,} → {b:,}"
