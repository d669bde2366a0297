"""Reading spreadsheets and CSV files whose header is somewhere below a title, and the cell
parsers every importer shares: counts, dates, DIVIPOLA codes that lost their leading zero.

The format is sniffed from the file's first bytes (a .xls renamed .xlsx still reads); the layout is
recognised from the header row's names, normalised so accents, case, spaces and underscores never
decide ("CÓDIGO DANE " = "codigo_dane").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacemonitor.csvfiles import BrokenCsv, CsvText, TextUndecodable, read_csv
from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.importers.framework.items import Item, Layout, NonData, RowKind, RowsRead
from peacemonitor.names import normalize_name

HEADER_SCAN_ROWS = 60
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def norm(cell: Any) -> str:
    """A header or label cell compared by letters and digits only."""
    if cell is None:
        return ""
    return normalize_name(cell if isinstance(cell, str) else str(cell))


def is_blank(row: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def filled(row: Sequence[Any]) -> list[int]:
    """Indexes of the non-blank cells of a row."""
    return [
        i for i, c in enumerate(row) if c is not None and not (isinstance(c, str) and not c.strip())
    ]


# --- reading ---------------------------------------------------------------------------------


def sniff_format(path: Path) -> str:
    """'xlsx', 'xls' or 'csv' from the first bytes; garbage is a BadFile."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise BadFile(path, f"cannot read the file: {error.strerror or error}") from None
    if not head:
        raise BadFile(path, "the file is empty")
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC):
        return "xls"
    if b"\x00" in head:
        raise BadFile(path, "binary content that is neither Excel (.xls/.xlsx) nor text (CSV)")
    return "csv"


Sheets = list[tuple[str, list[list[Any]]]]


def read_file(path: Path, encoding: str | None = None) -> tuple[Sheets, str | None]:
    """The file's sheets (a CSV is one sheet) and the text encoding it was read in (None for
    a workbook)."""
    if sniff_format(path) == "csv":
        table = read_csv_text(path, encoding)
        return [(path.name, list(table.rows))], table.encoding
    return list(read_sheets(path, encoding)), None


def read_sheets(path: Path, encoding: str | None = None) -> Iterator[tuple[str, list[list[Any]]]]:
    """Each sheet of a workbook as rows of Python values, or the CSV file as one sheet."""
    kind = sniff_format(path)
    if kind == "csv":
        yield path.name, read_csv_rows(path, encoding)
        return
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as error:  # calamine raises its own error types for every broken file
        raise BadFile(
            path, f"cannot read as {kind}: {_short(error)} (truncated or damaged?)"
        ) from None
    if not names:
        raise BadFile(path, "the workbook has no sheets")
    for name in names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            raise BadFile(path, f"sheet {name!r} cannot be read: {_short(error)}") from None
        yield name, rows


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def read_csv_rows(path: Path, encoding: str | None = None) -> list[list[str]]:
    """All records of a CSV file (comma, semicolon or tab), decoded by the one policy."""
    return read_csv_text(path, encoding).rows


def read_csv_text(path: Path, encoding: str | None = None) -> CsvText:
    """A CSV file's records and the encoding they were read in (``csvfiles``: UTF-8 with or
    without BOM, else Windows-1252 only when the bytes prove it); undecodable bytes or broken
    quoting are a BadFile naming the row, never silent mojibake."""
    try:
        found = read_csv(path, encoding)
    except (TextUndecodable, BrokenCsv) as error:
        detail = error.detail
        if "unexpected end of data" in detail:
            detail = f"{MID_ROW} (inside a quoted value)"
        raise BadFile(path, detail, row=error.row) from None
    _check_last_row(path, found.rows)
    return found


MID_ROW = "the file ends in the middle of a row"
"""What a truncated download looks like: no line end after a last row that is short of columns."""


def _check_last_row(path: Path, rows: list[list[str]]) -> None:
    """A last row with fewer cells than most rows, and no line end after it, is cut short."""
    if len(rows) < 2 or _ends_with_line_end(path):
        return
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    if len(rows[-1]) < width:
        detail = f"{MID_ROW}: its last row has {len(rows[-1])} of {width} columns"
        raise BadFile(path, f"{detail}; download it again", row=len(rows))


def check_complete(path: Path, delimiter: str, width: int, encoding: str) -> None:
    """Raise BadFile when the file's last line is a row cut short (no line end after it and
    fewer than ``width`` columns, or an open quote): for readers that stream the file and so
    would otherwise store the rows before the cut, or fail on it with the parser's words."""
    with path.open("rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(max(0, size - 65536))
        tail = handle.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    last = tail.rsplit(b"\n", 1)[-1].decode(encoding, errors="replace")
    try:
        cells = next(csv.reader([last], delimiter=delimiter, strict=True))
    except csv.Error:
        cells = []
    if len(cells) < width:
        raise BadFile(
            path,
            f"{MID_ROW}: its last line has {len(cells)} of {width} columns; download it again",
            row=_line_count(path),
        )


def _line_count(path: Path) -> int:
    """The number of the file's last line (read in chunks: only a truncated file pays this)."""
    lines = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def _ends_with_line_end(path: Path) -> bool:
    with path.open("rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(max(0, size - 1))
        return handle.read().endswith((b"\n", b"\r"))


# --- headers and layouts ------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A column a layout uses, by its canonical name and the spellings sources give it."""

    name: str
    aliases: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class LayoutSpec:
    """A layout: its fields, plus optional repeated columns (a wide table's years)."""

    name: str
    fields: tuple[FieldSpec, ...]
    wide_pattern: str | None = None  # regex on the normalised header of repeated columns

    def match(self, header: Sequence[Any]) -> tuple[dict[str, int], list[str], dict[str, int]]:
        """(field → column index, missing required fields, wide part → column index)."""
        names = [norm(c) for c in header]
        found: dict[str, int] = {}
        for spec in self.fields:
            for alias in spec.aliases:
                if alias in names:
                    found[spec.name] = names.index(alias)
                    break
        missing = [f.name for f in self.fields if f.required and f.name not in found]
        wide = {}
        if self.wide_pattern:
            wide = {n: i for i, n in enumerate(names) if re.fullmatch(self.wide_pattern, n)}
            if not wide:
                missing.append(f"columns matching {self.wide_pattern}")
        return found, missing, wide

    def aliases(self, field: str) -> tuple[str, ...]:
        return next(f.aliases for f in self.fields if f.name == field)


@dataclass(frozen=True)
class Header:
    """Where the header is (0-based index into the rows) and what it maps."""

    index: int
    layout: LayoutSpec
    columns: dict[str, int]
    wide: dict[str, int]
    names: list[str]

    def name(self, field: str) -> str:
        """The file's own spelling of a field's column, for error messages."""
        return str(self.names[self.columns[field]]).strip()


def find_header(
    path: Path, sheets: Sequence[tuple[str, list[list[Any]]]], layouts: Sequence[LayoutSpec]
) -> tuple[list[list[Any]], Header]:
    """The first row (of the first sheet that has one) matching a layout, all of its required
    fields present. A row holding most of a layout's fields but not all is a clear error
    naming the missing column; no such row at all is an UnknownLayout listing what was seen."""
    near: tuple[str, int, LayoutSpec, list[str]] | None = None
    for sheet, rows in sheets:
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            for layout in layouts:
                columns, missing, wide = layout.match(row)
                if not missing:
                    names = [str(c) if c is not None else "" for c in row]
                    return rows, Header(index, layout, columns, wide, names)
                required = sum(f.required for f in layout.fields) + bool(layout.wide_pattern)
                close = len(columns) >= 2 and len(missing) * 2 <= required
                if close and (near is None or len(missing) < len(near[3])):
                    near = (sheet, index, layout, missing)
    if near is not None:
        sheet, index, layout, missing = near
        wanted = "; ".join(
            f"{m} (one of: {', '.join(layout.aliases(m))})" if not m.startswith("columns") else m
            for m in missing
        )
        raise UnknownLayout(
            path, f"header of layout {layout.name} lacks required column {wanted}", row=index + 1
        )
    known = ", ".join(layout.name for layout in layouts)
    raise UnknownLayout(
        path,
        f"no header row of a known layout ({known}) in the first {HEADER_SCAN_ROWS} rows of "
        f"any sheet; first text seen: {_first_text(sheets)!r}",
    )


def _first_text(sheets: Sequence[tuple[str, list[list[Any]]]]) -> str:
    for _, rows in sheets:
        for row in rows[:HEADER_SCAN_ROWS]:
            cells = [str(row[i]).strip() for i in filled(row)]
            if cells:
                return " | ".join(cells)[:120]
    return ""


# --- cell parsers ---------------------------------------------------------------------------


def parse_count(value: Any) -> float | None:
    """A count cell: a finite number ≥ 0, or None when the cell is not a count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or not _NUMBER.fullmatch(text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


_NUMBER = re.compile(r"[+]?\d+(\.\d+)?")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


def parse_date(value: Any) -> dt.date | None:
    """A day from a date cell or text in the formats Colombian open data uses."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def municipality_code(value: Any) -> str | None:
    """A DIVIPOLA municipality code from a cell that may have lost its leading zero (5001.0)
    or carry a populated-centre suffix (91001008 → 91001). None when it cannot be one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        text = str(int(value))
    elif isinstance(value, int):
        text = str(value)
    else:
        text = str(value).strip().removesuffix(".0")
    if not text.isdigit() or not 4 <= len(text) <= 8 or int(text) == 0:
        return None
    return text.zfill(5) if len(text) <= 5 else text.zfill(8)[:5]


def text(value: Any) -> str:
    """A label cell as stripped text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def raw_cells(header: Header, row: Sequence[Any]) -> dict[str, Any]:
    """A row's cells keyed by the file's own column names, for the quarantine."""
    cells = {}
    for i, name in enumerate(header.names):
        key = name.strip() or f"column {i + 1}"
        cells[key] = row[i] if i < len(row) else None
    return cells


def raw_record(header: Header, row: Sequence[Any], **extra: Any) -> dict[str, Any]:
    """What the quarantine keeps of a row: its cells by column name, and how to read them
    again (the layout and its column indexes) when `quarantine retry` hands it back."""
    return {
        "layout": header.layout.name,
        "columns": header.columns,
        "wide": header.wide,
        "cells": raw_cells(header, row),
        **extra,
    }


def from_raw(raw: dict[str, Any], layouts: Sequence[LayoutSpec]) -> tuple[Header, list[Any]]:
    """The header and row a quarantined raw record was read with."""
    layout = next((spec for spec in layouts if spec.name == raw["layout"]), layouts[0])
    names = list(raw["cells"])
    header = Header(-1, layout, dict(raw["columns"]), dict(raw.get("wide") or {}), names)
    return header, list(raw["cells"].values())


def preamble(rows: Sequence[Sequence[Any]], header: Header, layout: str) -> Iterator[Item]:
    """What comes before a sheet's data: its layout, the title and blank rows above the
    header (rows numbered from 1), and the header row itself."""
    yield Layout(layout)
    for i in range(header.index):
        yield NonData(i + 1, RowKind.BLANK if is_blank(rows[i]) else RowKind.TITLE)
    yield NonData(header.index + 1, RowKind.HEADER)


RowFn = Callable[[list[Any], int, "BatchBuilder"], Iterator["Item"]]


def stream_list(
    rows: list[list[Any]], header: Header, layout: str, builder: BatchBuilder, row_fn: RowFn
) -> Iterator[Item]:
    """A one-table file, whole: its layout, the title and blank rows above the header, the
    header, every data row through ``row_fn`` (rows are numbered from 1) in bounded batches,
    and the row count — so list importers only say what one row means."""
    yield from preamble(rows, header, layout)
    for i in range(header.index + 1, len(rows)):
        yield from row_fn(rows[i], i + 1, builder)
        if builder.full:
            yield builder.flush()
    yield from flushed(builder)
    yield RowsRead(len(rows))


def flushed(builder: BatchBuilder) -> Iterator[Item]:
    """What is left in ``builder``, if anything."""
    table = builder.flush()
    if table is not None:
        yield table
