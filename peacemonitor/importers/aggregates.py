"""Aggregate tables: counts by territory and period, the way users hold INDEPAZ, Defensoría,
Police group-by exports or their own spreadsheets.

A table is described by a ``TableMapping`` (a small YAML file, or ``--map`` options): which
column holds the count, which the territory (a DIVIPOLA code, or names the gazetteer resolves),
which the period (a year, a year and a month, or a date), and the source, category and unit the
counts are filed under. Rows are stored at the level they come in — a department-year stays a
department-year, never spread over municipalities or days — and under a source of their own:
``table_imports.import_table`` refuses a source name an event-level importer uses, and a source
that already holds the same category at another level or precision, so an indicator never adds
an aggregate to events or to another aggregate of the same crime.

A row's identity is the mapping's category, the territory cells as published, the period and the
key columns: a later release of the same table is already present, or replaces what was stored
with ``--revise``. A row whose identity repeats within the file is quarantined
``duplicate-key``, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from peacemonitor.errors import PeacemonitorError
from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.importers.framework.items import (
    DeclaredTotal,
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
    filled,
    find_header,
    from_raw,
    is_blank,
    municipality_code,
    norm,
    parse_count,
    parse_date,
    raw_record,
    read_sheets,
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, TerritoryLevel, Unit

TABLE_LAYOUT = "table"
COUNTRY: Place = ("country", "CO", "country-only")
_MONTHS = {
    "ene": 1, "enero": 1, "feb": 2, "febrero": 2, "mar": 3, "marzo": 3, "abr": 4, "abril": 4,
    "may": 5, "mayo": 5, "jun": 6, "junio": 6, "jul": 7, "julio": 7, "ago": 8, "agosto": 8,
    "sep": 9, "septiembre": 9, "oct": 10, "octubre": 10, "nov": 11, "noviembre": 11,
    "dic": 12, "diciembre": 12,
}  # fmt: skip
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T[\d:.]+Z?$")


class MappingInvalid(PeacemonitorError):
    """A table mapping that cannot describe a table: a missing or unknown field."""


class TableMapping(BaseModel):
    """How one table's columns become observations (see docs/imports.md, "Aggregate tables").

    Column fields name the file's own columns (compared without accents, case or spaces)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    category: Category
    unit: Unit
    count: str
    code: str | None = None
    department: str | None = None
    municipality: str | None = None
    level: TerritoryLevel | None = None
    year: str | None = None
    month: str | None = None
    date: str | None = None
    precision: Precision | None = None
    keys: list[str] = []
    description: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> TableMapping:
        if not (self.year or self.date):
            raise ValueError("a period column is needed: year (with month) or date")
        if self.date and (self.year or self.month):
            raise ValueError("give either date or year (and month), not both")
        if self.month and not self.year:
            raise ValueError("month needs year")
        if self.municipality and not (self.department or self.code):
            raise ValueError("municipality names need the department column (or code)")
        if not self.source.strip():
            raise ValueError("source must not be empty")
        return self

    @property
    def territory_level(self) -> TerritoryLevel:
        """The level every row must resolve to: stated, or told by the columns given."""
        if self.level is not None:
            return self.level
        if self.municipality or self.code:
            return TerritoryLevel.MUNICIPALITY
        return TerritoryLevel.DEPARTMENT if self.department else TerritoryLevel.COUNTRY

    @property
    def date_precision(self) -> Precision:
        if self.date:
            return self.precision or Precision.DAY
        return Precision.MONTH if self.month else Precision.YEAR

    @property
    def place_fields(self) -> tuple[str, ...]:
        return tuple(f for f in ("code", "department", "municipality") if getattr(self, f))

    def layout(self) -> LayoutSpec:
        """The mapping as a header layout: every named column required."""
        fields = [FieldSpec("count", (norm(self.count),))]
        for name in self.place_fields + ("year", "month", "date"):
            column = getattr(self, name)
            if column:
                fields.append(FieldSpec(name, (norm(column),)))
        fields += [FieldSpec(f"key:{k}", (norm(k),)) for k in self.keys]
        return LayoutSpec(TABLE_LAYOUT, tuple(fields))


def load_mapping(path: Path) -> TableMapping:
    """A mapping from a YAML file; every problem named with the file and the field."""
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingInvalid(f"{path.name}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise MappingInvalid(f"{path.name}: not YAML: {error}") from None
    if not isinstance(loaded, dict):
        raise MappingInvalid(f"{path.name}: a mapping file is a YAML mapping of fields")
    return mapping_from(loaded, path.name)


def mapping_from(fields: dict[str, Any], where: str = "--map") -> TableMapping:
    """A mapping from plain fields (YAML or the command line's options)."""
    try:
        return TableMapping(**fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: {e['msg']}" for e in error.errors()
        )
        raise MappingInvalid(f"{where}: {problems}") from None


def parse_map_options(pairs: Sequence[str]) -> dict[str, Any]:
    """ "count=total", "keys=tipo,arma" → fields; a pair without "=" is a named error."""
    fields: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise MappingInvalid(f"--map {pair!r}: write FIELD=COLUMN (e.g. count=total)")
        key, value = key.strip(), value.strip()
        fields[key] = [v.strip() for v in value.split(",") if v.strip()] if key == "keys" else value
    return fields


# --- importing ---------------------------------------------------------------------------------


class TableImporter(BaseImporter):
    """``peacemonitor import table FILE --mapping M.yaml``: one mapping, any tidy table."""

    source = TABLE_LAYOUT
    streams = True  # reads the file itself: a JSON table is not a sheet the framework reads
    revises = True
    exact_coverage = True  # batches hold runs of consecutive periods: gaps stay gaps

    def __init__(self, mapping: TableMapping | None = None) -> None:
        self.mapping = mapping

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        if self.mapping is None:
            raise UnknownLayout(ctx.path, "a table needs a mapping (--mapping FILE or --map)")
        spec = self.mapping.layout()
        rows, header = find_header(ctx.path, table_sheets(ctx), [spec])
        parser = _Parser(ctx, header, self.mapping)
        yield Layout(TABLE_LAYOUT, source=self.mapping.source)
        for i in range(header.index):
            yield NonData(i + 1, RowKind.BLANK if is_blank(rows[i]) else RowKind.TITLE)
        yield NonData(header.index + 1, RowKind.HEADER)
        for i in range(header.index + 1, len(rows)):
            yield from parser.row(rows[i], i + 1)
        yield from parser.flush_by_period()
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        """A held row read again; a repeated key stays held (its first row was stored)."""
        mapping = TableMapping(**row.raw["mapping"])
        header, values = from_raw(row.raw, [mapping.layout()])
        parser = _Parser(ctx, header, mapping)
        if row.raw.get("duplicate"):
            parser.seen.add(str(row.raw["duplicate"]))
        yield from parser.row(values, row.row)
        yield from parser.flush()


def table_sheets(ctx: ImportContext) -> list[tuple[str, list[list[Any]]]]:
    """The file's rows: a JSON list of records (a Socrata API answer) as a header and rows,
    anything else as a spreadsheet or CSV."""
    with ctx.path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"["):
        return list(read_sheets(ctx.path, ctx.encoding))
    try:
        records = json.loads(ctx.path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadFile(ctx.path, f"not valid JSON: {error}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise BadFile(ctx.path, "a JSON table is a list of records ({column: value})")
    names = list(dict.fromkeys(key for record in records for key in record))
    return [(ctx.path.name, [names] + [[r.get(k) for k in names] for r in records])]


class _Parser:
    """The data rows of one table: period, place and count, or why not."""

    def __init__(self, ctx: ImportContext, header: Header, mapping: TableMapping) -> None:
        self.ctx, self.header, self.mapping = ctx, header, mapping
        self.level = mapping.territory_level.value
        self.precision = mapping.date_precision
        self.attributes = tuple(f"{f}_raw" for f in mapping.place_fields) + tuple(mapping.keys)
        constants = {
            "part": "",
            "category": mapping.category.value,
            "unit": mapping.unit.value,
            "date_precision": self.precision.value,
        }
        self.builder = BatchBuilder(self.attributes, size=ctx.batch_rows, constants=constants)
        self.seen: set[str] = set()

    def flush(self) -> Iterator[Item]:
        table = self.builder.flush()
        if table is not None:
            yield table

    def flush_by_period(self) -> Iterator[Item]:
        """The rows in batches of consecutive periods (a batch's coverage runs from its first
        to its last period, so a year missing from the table stays uncovered)."""
        at = self.builder.layout.index("date_first")
        rows = sorted(self.builder.rows, key=lambda r: r[at])
        self.builder.rows.clear()
        previous: dt.date | None = None
        for row in rows:
            day = row[at]
            gap = previous is not None and day not in (previous, _next(previous, self.precision))
            if gap or self.builder.full:
                yield from self.flush()
            self.builder.rows.append(row)
            previous = day
        yield from self.flush()

    def cell(self, row: Sequence[Any], field: str) -> Any:
        index = self.header.columns.get(field)
        return row[index] if index is not None and index < len(row) else None

    def row(self, row: Sequence[Any], number: int) -> Iterator[Item]:
        if is_blank(row):
            yield NonData(number, RowKind.BLANK)
            return
        count = _count(self.cell(row, "count"))
        places = [text(self.cell(row, f)) for f in self.mapping.place_fields]
        if any(norm(p).startswith("total") for p in places):
            yield NonData(number, RowKind.TOTAL)
            if count is not None:
                yield DeclaredTotal(number, self.header.name("count"), count)
            return
        if len(filled(row)) == 1 and count is None:
            yield NonData(number, RowKind.FOOTNOTE)
            return
        yield from self._data(row, number, count, places)

    def _data(
        self, row: Sequence[Any], number: int, count: float | None, places: list[str]
    ) -> Iterator[Item]:
        keys = [text(self.cell(row, f"key:{k}")) for k in self.mapping.keys]
        day = self._period(row)
        label = day.isoformat() if day else "?"
        territory = "/".join(norm(p) for p in places) or "CO"
        record_id = "|".join([self.mapping.category.value, territory, label, *keys])
        problem = self._problem(count, day, record_id)
        place = self._place(places) if problem is None else None
        if isinstance(place, Unplaced):
            problem = (place.reason, self.mapping.place_fields[-1], place.detail)
        if problem is not None:
            yield self._quarantine(row, number, record_id, count, *problem)
            return
        assert count is not None and day is not None
        assert place is not None and not isinstance(place, Unplaced)
        self.seen.add(record_id)
        values = tuple(p or None for p in places) + tuple(k or None for k in keys)
        self.builder.rows.append((number, record_id, count, day, *place, *values))

    def _problem(
        self, count: float | None, day: dt.date | None, record_id: str
    ) -> tuple[str, str | None, str] | None:
        if count is None:
            return QuarantineReason.BAD_COUNT, "count", "not a count (a number ≥ 0)"
        if day is None:
            field = "date" if self.mapping.date else "year"
            return QuarantineReason.BAD_DATE, field, f"not a {self.precision.value}"
        if record_id in self.seen:
            return (
                QuarantineReason.DUPLICATE_KEY,
                None,
                "the same territory and period as an earlier row",
            )
        return None

    def _period(self, row: Sequence[Any]) -> dt.date | None:
        """The first day of the row's period at the mapping's precision."""
        if self.mapping.date:
            day = _day(self.cell(row, "date"))
            if day is None:
                return None
            if self.precision is Precision.YEAR:
                return dt.date(day.year, 1, 1)
            return day.replace(day=1) if self.precision is Precision.MONTH else day
        year = _year(self.cell(row, "year"))
        if year is None:
            return None
        if not self.mapping.month:
            return dt.date(year, 1, 1)
        month = _month(self.cell(row, "month"))
        return dt.date(year, month, 1) if month else None

    def _place(self, places: list[str]) -> Place | Unplaced:
        """By code when the table has one (names as the fallback), else by names."""
        fields = dict(zip(self.mapping.place_fields, places, strict=True))
        if not fields:
            return COUNTRY
        names = fields.get("department", ""), fields.get("municipality", "")
        code = _code(fields.get("code", ""))
        if code:
            found = self.ctx.places.code(code)
            if not isinstance(found, Unplaced) or not any(names):
                return self._at_level(found)
        if not any(names):
            return Unplaced(QuarantineReason.MISSING_PLACE, "no code or name")
        return self._at_level(self.ctx.places.name(*names))

    def _at_level(self, found: Place | Unplaced) -> Place | Unplaced:
        if isinstance(found, Unplaced) or found[0] == self.level:
            return found
        return Unplaced(
            QuarantineReason.TERRITORY_LEVEL,
            f"a {found[0]} ({found[1]}); the table is by {self.level}",
        )

    def _quarantine(
        self,
        row: Sequence[Any],
        number: int,
        record_id: str,
        count: float | None,
        reason: str,
        field: str | None,
        detail: str,
    ) -> Quarantined:
        extra = {"duplicate": record_id} if reason == QuarantineReason.DUPLICATE_KEY else {}
        mapping = self.mapping.model_dump(mode="json")
        raw = raw_record(self.header, row, mapping=mapping, **extra)
        column = self.header.name(field) if field and field in self.header.columns else None
        counts = {"": count} if count is not None else {}
        # a repeated key's identity is stored already: held under none, it is not "present"
        held_id = None if reason == QuarantineReason.DUPLICATE_KEY else record_id
        return Quarantined(number, reason, column, raw, detail, record_id=held_id, counts=counts)


def _next(day: dt.date, precision: Precision) -> dt.date:
    """The first day of the period after ``day``'s."""
    if precision is Precision.DAY:
        return day + dt.timedelta(days=1)
    if precision is Precision.MONTH:
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def _count(value: Any) -> float | None:
    """A count, also written with thousands separators ("12,345")."""
    if isinstance(value, str) and _THOUSANDS.fullmatch(value.strip()):
        value = value.replace(",", "")
    return parse_count(value)


def _code(cell: str) -> str | None:
    """A department (1–2 digits) or municipality code as DIVIPOLA writes it."""
    digits = cell.strip().removesuffix(".0")
    if digits.isdigit() and len(digits) <= 2:
        return digits.zfill(2)
    return municipality_code(digits) if digits else None


def _year(value: Any) -> int | None:
    number = parse_count(value)
    if number is None or not number.is_integer() or not 1900 <= number <= 2100:
        return None
    return int(number)


def _month(value: Any) -> int | None:
    number = parse_count(value)
    if number is not None:
        return int(number) if number.is_integer() and 1 <= number <= 12 else None
    return _MONTHS.get(norm(value))


def _day(value: Any) -> dt.date | None:
    """A date cell: a date, ISO text (with Socrata's time part), or a year-month."""
    if isinstance(value, str):
        cell = value.strip()
        iso = _ISO_TIME.match(cell)
        if iso:
            cell = iso.group(1)
        if re.fullmatch(r"\d{4}-\d{2}", cell):
            cell += "-01"
        return parse_date(cell)
    return parse_date(value)
