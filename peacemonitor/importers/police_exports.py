"""Policía Nacional crime exports from datos.gov.co (Socrata): one row per day and municipality.

Three layouts, recognised by their exact header (the file name never decides), each a crime:

- ``police-datos-kidnapping``: FECHA HECHO, COD_DEPTO, DEPARTAMENTO, COD_MUNI, MUNICIPIO,
  TIPO DELITO (SECUESTRO SIMPLE / EXTORSIVO, kept as ``crime_type``), CANTIDAD — victims;
- ``police-datos-extortion``: the same without TIPO DELITO — crimes recorded (incidents);
- ``police-datos-terrorism``: Departamento, Municipio, CODIGO DANE, ARMAS MEDIOS (kept as
  ``weapon``), FECHA HECHO, CANTIDAD — crimes recorded (incidents).

Their quirks: codes written with a thousands separator ("5,042" = 05042), eight-digit codes
(municipality + "000"), a UTF-8 BOM, and two date formats — "MM/DD/YYYY 12:00:00 AM" in the
kidnapping and extortion exports, "DD/MM/YYYY" in terrorism's — fixed per layout, never guessed
per row (01/02 is ambiguous); only a date with a 12-hour time ("… 12:00:00 AM", the form ``data
fetch police`` writes every export in) is month-first in terrorism's. The Socrata API's CSV
(lower-case names with underscores, ISO dates) is the same layout, so ``data fetch police``
downloads go through this reader.

The rows are filed under the source ``police-datos-gov``, apart from the DIJIN yearly sheets
(``police``): the two are releases of the same SIEDCO records and must never be summed.
Rows carry no ids: as for the DIJIN sheets, a row is its file's checksum and row number, and a
later download covering months a stored one covers is refused, or replaces them with
``--revise`` (``republished``) — the Police revise their figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import ImportContext, QuarantineRow
from peacemonitor.importers.framework.items import (
    Item,
    Layout,
    NonData,
    Quarantined,
    RowKind,
    RowsRead,
)
from peacemonitor.importers.framework.places import Place, Unplaced
from peacemonitor.importers.tabular import (
    FieldSpec,
    Header,
    LayoutSpec,
    from_raw,
    is_blank,
    municipality_code,
    norm,
    parse_count,
    raw_record,
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, Unit

SOURCE = "police-datos-gov"
_US = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")
_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S")
_ISO = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
_CODED_PLACE = (
    FieldSpec("date", ("fecha hecho",)),
    FieldSpec("department_code", ("cod depto",)),
    FieldSpec("department", ("departamento",)),
    FieldSpec("code", ("cod muni",)),
    FieldSpec("municipality", ("municipio",)),
    FieldSpec("count", ("cantidad",)),
)


@dataclass(frozen=True)
class ExportSpec:
    """One export layout: its columns, the crime and unit it counts, its date formats, and the
    column kept as an attribute (TIPO DELITO, ARMAS MEDIOS)."""

    layout: LayoutSpec
    category: Category
    unit: Unit
    date_formats: tuple[str, ...]
    extra: str | None = None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(alias for spec in self.layout.fields for alias in spec.aliases)


KIDNAPPING = ExportSpec(
    LayoutSpec(
        "police-datos-kidnapping", _CODED_PLACE + (FieldSpec("crime_type", ("tipo delito",)),)
    ),
    Category.KIDNAPPING,
    Unit.VICTIMS,
    _US + _ISO,
    "crime_type",
)
EXTORTION = ExportSpec(
    LayoutSpec("police-datos-extortion", _CODED_PLACE),
    Category.EXTORTION,
    Unit.INCIDENTS,
    _US + _ISO,
)
TERRORISM = ExportSpec(
    LayoutSpec(
        "police-datos-terrorism",
        (
            FieldSpec("department", ("departamento",)),
            FieldSpec("municipality", ("municipio",)),
            FieldSpec("code", ("codigo dane",)),
            FieldSpec("weapon", ("armas medios",)),
            FieldSpec("date", ("fecha hecho",)),
            FieldSpec("count", ("cantidad",)),
        ),
    ),
    Category.TERRORISM,
    Unit.INCIDENTS,
    _DAY_FIRST + _US[:1] + _ISO,  # day first; with "12:00:00 AM", as `data fetch` writes it
    "weapon",
)
EXPORTS = (KIDNAPPING, EXTORTION, TERRORISM)
_SUFFIXES = (" (CT)", " (CD)")


def recognise(header: Sequence[Any]) -> ExportSpec | None:
    """The export whose columns are exactly ``header``'s (blank trailing cells aside): a
    homicide export, with GENERO, is not terrorism's layout with one more column."""
    names = {norm(cell) for cell in header if norm(cell)}
    for spec in EXPORTS:
        if names == spec.names:
            return spec
    return None


def export_spec(layout: str) -> ExportSpec | None:
    return next((spec for spec in EXPORTS if spec.layout.name == layout), None)


def read_export(ctx: ImportContext, rows: list[list[Any]], spec: ExportSpec) -> Iterator[Item]:
    """Every row of an export whose header (row 1) is ``spec``'s: items for the framework."""
    columns, _, _ = spec.layout.match(rows[0])
    header = Header(0, spec.layout, columns, {}, [str(c) for c in rows[0]])
    parser = _Parser(ctx, header, spec)
    yield Layout(spec.layout.name, source=SOURCE)
    yield NonData(1, RowKind.HEADER)
    for index in range(1, len(rows)):
        yield from parser.row(rows[index], index + 1)
        if parser.builder.full:
            yield from parser.flush()
    yield from parser.flush()
    yield RowsRead(len(rows))


def retry_export(row: QuarantineRow, ctx: ImportContext, spec: ExportSpec) -> Iterator[Item]:
    """A quarantined export row, read again (places may have improved)."""
    header, values = from_raw(row.raw, [spec.layout])
    parser = _Parser(ctx, header, spec)
    yield Layout(spec.layout.name, source=SOURCE)
    yield from parser.row(values, row.row)
    yield from parser.flush()


class _Parser:
    """The rows of one export: dates and places parsed once per distinct cell."""

    def __init__(self, ctx: ImportContext, header: Header, spec: ExportSpec) -> None:
        self.ctx, self.header, self.spec = ctx, header, spec
        self.columns = header.columns
        keys = ("dane_code",) + ((spec.extra,) if spec.extra else ())
        constants = {
            "record_id": None,  # the file's checksum and the row number
            "part": "",
            "category": spec.category.value,
            "unit": spec.unit.value,
            "date_precision": Precision.DAY.value,
        }
        self.builder = BatchBuilder(keys, size=ctx.batch_rows, constants=constants)
        self.days: dict[Any, dt.date | None] = {}
        self.places: dict[tuple[Any, ...], tuple[Place | Unplaced, str | None]] = {}

    def flush(self) -> Iterator[Item]:
        table = self.builder.flush()
        if table is not None:
            yield table

    def row(self, row: Sequence[Any], number: int) -> Iterator[Item]:
        """One row: stored, quarantined with its reason, or a blank line."""
        if is_blank(row):
            yield NonData(number, RowKind.BLANK)
            return
        count = parse_count(self._cell(row, "count"))
        day = self._day(self._cell(row, "date"))
        extra = text(self._cell(row, self.spec.extra)) if self.spec.extra else None
        place, code = self._place(row)
        problem = self._problem(count, day, place, extra)
        if problem is not None:
            reason, field, detail = problem
            yield self._quarantine(row, number, reason, field, detail, count)
            return
        assert count is not None and day is not None and not isinstance(place, Unplaced)
        attributes = (code, extra) if self.spec.extra else (code,)
        self.builder.rows.append((number, count, day, *place, *attributes))

    def _problem(
        self, count: float | None, day: dt.date | None, place: Place | Unplaced, extra: Any
    ) -> tuple[str, str, str] | None:
        """(reason, field, detail) of the first thing wrong with a row, or None."""
        if count is None:
            return QuarantineReason.BAD_COUNT, "count", "not a count"
        if day is None:
            formats = " or ".join(f for f in self.spec.date_formats if "T" not in f)
            return QuarantineReason.BAD_DATE, "date", f"not a date in {formats}"
        if self.spec is KIDNAPPING and not norm(extra).startswith("secuestro"):
            return (
                QuarantineReason.OUTSIDE_CATEGORIES,
                "crime_type",
                f"{extra!r} is not a kidnapping type",
            )
        if isinstance(place, Unplaced):
            return place.reason, "code", place.detail
        return None

    def _cell(self, row: Sequence[Any], field: str | None) -> Any:
        index = self.columns.get(field) if field else None
        return row[index] if index is not None and index < len(row) else None

    def _day(self, value: Any) -> dt.date | None:
        found = self.days.get(value, ...)
        if found is ...:
            found = self.days[value] = _parse_day(value, self.spec.date_formats)
        return found if isinstance(found, dt.date) or found is None else None

    def _place(self, row: Sequence[Any]) -> tuple[Place | Unplaced, str | None]:
        """(the place, the code as published in canonical form) for a row, cached per cell."""
        raw = self._cell(row, "code")
        department, municipality = self._cell(row, "department"), self._cell(row, "municipality")
        key = (raw, department, municipality)
        found = self.places.get(key)
        if found is None:
            found = self.places[key] = self._resolve(raw, department, municipality)
        return found

    def _resolve(
        self, raw: Any, department: Any, municipality: Any
    ) -> tuple[Place | Unplaced, str | None]:
        """By code ("5,042" → 05042; 86001000 → 86001); a code the gazetteer does not know
        falls back to the names before giving up."""
        code = municipality_code(text(raw).replace(",", "")) if text(raw) else None
        places = self.ctx.places
        by_code = places.code(code) if code else None
        if by_code is not None and not isinstance(by_code, Unplaced):
            return by_code, code
        dept, muni = text(department), _strip_suffix(text(municipality))
        if not dept or not muni:
            return by_code or Unplaced(
                QuarantineReason.MISSING_PLACE, "no code, department or municipality"
            ), code
        by_name = places.name(dept, muni)
        if isinstance(by_name, Unplaced):
            return (by_code or by_name), code
        return by_name, code

    def _quarantine(
        self,
        row: Sequence[Any],
        number: int,
        reason: str,
        field: str,
        detail: str,
        count: float | None,
    ) -> Quarantined:
        raw = raw_record(self.header, row)
        column = self.header.name(field) if field in self.columns else None
        return Quarantined(
            number,
            reason,
            column,
            raw,
            detail,
            record_id=self.ctx.record_id(number),
            counts={"": count} if count is not None else {},
        )


def _parse_day(value: Any, formats: Sequence[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    cell = text(value)
    for fmt in formats:
        try:
            return dt.datetime.strptime(cell, fmt).date()
        except ValueError:
            continue
    return None


def _strip_suffix(name: str) -> str:
    """ "MOCOA (CT)" → "MOCOA": the Police mark capitals (CT) and districts (CD)."""
    for suffix in _SUFFIXES:
        if name.upper().endswith(suffix):
            return name[: -len(suffix)].strip()
    return name
