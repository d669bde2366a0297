"""Policía Nacional (DIJIN/SIEDCO) crime files: yearly Excel sheets and their CSV exports.

Two layouts, told apart by the header row, never by the file name:

- ``police-long``: one row per (date, place[, weapon, sex, age group]) with a CANTIDAD count.
  Columns change name and order by year (2003–2010 have no DANE code; 2021+ put ARMAS MEDIOS
  first); codes are 8-digit floats that lost their leading zero (5001000.0 = Medellín).
- ``police-wide-years``: one row per (municipality, month, victim profile) with one count column
  per year (the 2010–2016 kidnapping table); each non-zero year cell is one observation.

Title rows above the header name the crime (HOMICIDIOS, SECUESTRO, …, even the misspelt
"HOMICIDO INTENCIONAL" of 2023–2024); a TOTAL row and footnotes follow the data. The TOTAL is
checked by the framework against the rows read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process

from peacemonitor.categories import POLICE_CRIME
from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.errors import UnknownLayout
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
from peacemonitor.importers.police_exports import export_spec, read_export, recognise, retry_export
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
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, Unit

SOURCE = "police"

_PLACE_FIELDS = (
    FieldSpec("department", ("departamento", "departamento politico", "depto")),
    FieldSpec("municipality", ("municipio", "municipio hecho")),
)
LONG = LayoutSpec(
    "police-long",
    _PLACE_FIELDS
    + (
        FieldSpec("date", ("fecha hecho", "fecha de hecho", "fecha")),
        FieldSpec("count", ("cantidad",)),
        FieldSpec("code", ("codigo dane", "cod dane", "codigo divipola", "divipola"), False),
        FieldSpec(
            "weapon", ("armas medios", "arma medio", "armas empleadas", "arma empleada"), False
        ),
        FieldSpec("sex", ("genero", "sexo"), False),
        FieldSpec("age_group", ("agrupa edad persona", "grupo etario"), False),
        FieldSpec("year", ("ano",), False),
    ),
)
WIDE = LayoutSpec(
    "police-wide-years",
    _PLACE_FIELDS
    + (
        FieldSpec("code", ("divipola", "codigo dane", "codigo divipola")),
        FieldSpec("month", ("mes",)),
        FieldSpec("sex", ("genero", "sexo"), False),
        FieldSpec("age", ("edad",), False),
        FieldSpec("occupation", ("clase empleado", "profesion"), False),
    ),
    wide_pattern=r"(19|20)\d\d",
)
LAYOUTS = (WIDE, LONG)

# What CANTIDAD counts. Rows that carry a victim's sex and age group count victims; the
# 2003–2010 homicide file has no such columns, but its yearly sums equal the Police's homicide
# victim totals (policia_homicidios_raw/SOURCE.md), and the kidnapping table is of victims.
_VICTIM_CATEGORIES = (Category.HOMICIDE, Category.KIDNAPPING)

MONTHS = {
    "ene": 1, "enero": 1, "feb": 2, "febrero": 2, "mar": 3, "marzo": 3, "abr": 4, "abril": 4,
    "may": 5, "mayo": 5, "jun": 6, "junio": 6, "jul": 7, "julio": 7, "ago": 8, "agosto": 8,
    "sep": 9, "sept": 9, "septiembre": 9, "set": 9, "oct": 10, "octubre": 10,
    "nov": 11, "noviembre": 11, "dic": 12, "diciembre": 12,
}  # fmt: skip
_TOTAL_LABELS = ("total", "total general", "total nacional")
_SUFFIX = (" (CT)", " (CD)", " (ct)", " (cd)")


def crime_from_titles(path: Any, titles: Sequence[Sequence[Any]]) -> Category:
    """The crime a file counts, read from its title rows: a key of POLICE_CRIME starting a
    line, or a line's first word within one typo of one ("HOMICIDO INTENCIONAL")."""
    lines = [norm(row[i]) for row in titles for i in filled(row)]
    keys = sorted(POLICE_CRIME, key=len, reverse=True)
    for line in lines:
        for key in keys:
            if line == key or line.startswith(key + " "):
                return POLICE_CRIME[key]
    for line in lines:
        words = line.split()
        if not words:
            continue
        best = process.extractOne(words[0], keys, scorer=fuzz.ratio, score_cutoff=88)
        if best:
            return POLICE_CRIME[best[0]]
    raise UnknownLayout(
        path,
        "no title row above the header names the crime counted (one of: "
        + ", ".join(sorted(POLICE_CRIME))
        + ")",
    )


def unit_for(category: Category, has_sex: bool) -> Unit:
    if has_sex or category in _VICTIM_CATEGORIES:
        return Unit.VICTIMS
    raise UnknownLayout(
        "", f"Police {category.value} files without victim columns: unit unverified, not imported"
    )


class PoliceImporter(BaseImporter):
    """``peacemonitor import police FILE``: every Police layout above."""

    source = SOURCE

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        sheets = ctx.sheets()
        export = recognise(sheets[0][1][0]) if sheets and sheets[0][1] else None
        if export is not None:  # a datos.gov.co export: filed under police-datos-gov
            yield from read_export(ctx, sheets[0][1], export)
            return
        rows, header = find_header(ctx.path, sheets, LAYOUTS)
        category = crime_from_titles(ctx.path, rows[: header.index])
        try:
            unit = unit_for(category, "sex" in header.columns)
        except UnknownLayout as error:
            raise UnknownLayout(ctx.path, str(error).lstrip(": "), row=header.index + 1) from None
        parser = _Parser(ctx, header, category, unit)
        yield Layout(parser.layout_name, source=SOURCE)
        for i in range(header.index):
            yield NonData(i + 1, RowKind.BLANK if is_blank(rows[i]) else RowKind.TITLE)
        yield NonData(header.index + 1, RowKind.HEADER)
        yield from parser.rows(rows, header.index + 1)
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        export = export_spec(row.raw.get("layout", ""))
        if export is not None:
            yield from retry_export(row, ctx, export)
            return
        header, values = from_raw(row.raw, LAYOUTS)
        parser = _Parser(ctx, header, Category(row.raw["category"]), Unit(row.raw["unit"]))
        yield from parser.row(values, row.row)
        yield from parser.flush()


class _Parser:
    """Turns the data rows of one Police sheet into items; holds the per-file caches.

    The place cache is keyed by the raw code cell (or the raw name pair when the layout has no
    code) and holds the stored place plus the attributes that depend only on it (the code as
    published, the raw names), so a data row costs one dict lookup and one tuple.
    """

    def __init__(self, ctx: ImportContext, header: Header, category: Category, unit: Unit):
        self.ctx, self.header = ctx, header
        self.category, self.unit = category.value, unit.value
        self.wide = header.layout is WIDE
        columns = header.columns
        self.coded = "code" in columns
        self.per_place = (
            []
            if self.wide
            else ["dane_code"]
            if self.coded
            else ["department_raw", "municipality_raw"]
        )
        self.per_row = [
            k for k in ("weapon", "sex", "age_group", "age", "occupation") if k in columns
        ]
        self.row_values = _getter([columns[k] for k in self.per_row])
        constants = {"record_id": None, "category": self.category, "unit": self.unit}
        if not self.wide:
            constants |= {"part": "", "date_precision": Precision.DAY.value}
        keys = self.per_place + self.per_row
        self.builder = BatchBuilder(keys, size=ctx.batch_rows, constants=constants)
        self.places: dict[Any, tuple[Any, ...]] = {}
        self.layout_name = header.layout.name + (
            "" if self.wide else ("-coded" if self.coded else "-named")
        )

    def rows(self, rows: list[list[Any]], start: int) -> Iterator[Item]:
        """Every row after the header. The long layout's data rows take the inlined fast path
        (250k Police rows: a function call per row would double the import time); anything
        that is not plainly a data row goes through ``row``."""
        if self.wide:
            for i in range(start, len(rows)):
                yield from self._wide_row(rows[i], i + 1)
            yield from self.flush()
            return
        columns, width = self.header.columns, len(self.header.names)
        count_at, date_at = columns["count"], columns["date"]
        code_at = columns.get("code")
        dept_at, muni_at = columns["department"], columns["municipality"]
        builder, places, values, date = self.builder, self.places, self.row_values, dt.date
        append = builder.rows.append
        for i in range(start, len(rows)):
            row = rows[i]
            if len(row) < width:
                row = list(row) + [None] * (width - len(row))
            count, day = row[count_at], row[date_at]
            key = row[code_at] if code_at is not None else (row[dept_at], row[muni_at])
            place = places.get(key)
            if (
                place is None
                or type(count) is not float
                or not 0 <= count < 1e15
                or type(day) is not date
            ):
                yield from self.row(row, i + 1)
            else:
                append((i + 1, count, day, *place, *values(row)))
            if builder.full:
                yield from self.flush()
        yield from self.flush()

    def flush(self) -> Iterator[Item]:
        table = self.builder.flush()
        if table is not None:
            yield table

    def row(self, row: Sequence[Any], number: int) -> Iterator[Item]:
        """One row the slow, careful way: parse, resolve, or say why not."""
        if self.wide:
            yield from self._wide_row(row, number)
            return
        columns = self.header.columns
        value = parse_count(_cell(row, columns["count"]))
        day = _cell(row, columns["date"])
        if type(day) is not dt.date:
            day = parse_date(day)
        if value is None or day is None:
            yield from self._not_data(row, number, value, day)
            return
        place = self._place(row)
        if isinstance(place, Unplaced):
            column, detail = self._place_column(), place.detail
            yield self._quarantine(row, number, place.reason, column, detail, value)
            return
        self.builder.rows.append((number, value, day) + place + self.row_values(row))

    def _place(self, row: Sequence[Any]) -> tuple[Any, ...] | Unplaced:
        """The place and per-place attributes: by DANE code when the layout has one, else by
        names; a code the gazetteer does not know falls back to the names before giving up.
        Only resolved places are cached, under the key the fast path looks up."""
        columns = self.header.columns
        department, municipality = (
            _cell(row, columns["department"]),
            _cell(row, columns["municipality"]),
        )
        raw = _cell(row, columns["code"]) if self.coded else None
        found = self._resolve(raw, department, municipality)
        if isinstance(found, Unplaced) or self.wide:
            return found
        entry: tuple[Any, ...]
        if self.coded:
            entry = found + (_dane_code(raw),)
            if _hashable(raw):
                self.places.setdefault(raw, entry)
        else:
            entry = found + (_label(department), _label(municipality))
            self.places[(department, municipality)] = entry
        return entry

    def _resolve(self, raw: Any, department: Any, municipality: Any) -> Place | Unplaced:
        places = self.ctx.places
        code = municipality_code(raw) if raw is not None else None
        by_code = places.code(code) if code else None
        if by_code is not None and not isinstance(by_code, Unplaced):
            return by_code
        dept, muni = _label(department), _strip_suffix(_label(municipality))
        if not dept or not muni:
            return by_code or Unplaced(
                QuarantineReason.MISSING_PLACE, "no department or municipality"
            )
        by_name = places.name(dept, muni)
        if isinstance(by_name, Unplaced) and by_code is not None:
            return by_code
        return by_name

    def _place_column(self) -> str:
        field = "code" if "code" in self.header.columns else "municipality"
        return self.header.name(field)

    def _not_data(
        self, row: Sequence[Any], number: int, value: float | None, day: dt.date | None
    ) -> Iterator[Item]:
        """Blank, TOTAL, footnote — or a data row with a bad count or date (quarantined)."""
        cells = filled(row)
        if not cells:
            yield NonData(number, RowKind.BLANK)
            return
        labels = [norm(row[i]) for i in cells]
        if value is not None and labels and any(lab.startswith("total") for lab in labels):
            yield NonData(number, RowKind.TOTAL)
            if any(lab in _TOTAL_LABELS for lab in labels):
                column = self.header.name("count")
                yield DeclaredTotal(number, column, value)
            return
        if len(cells) == 1 and value is None:
            yield NonData(number, RowKind.FOOTNOTE)
            return
        if value is None:
            column, detail = (
                self.header.name("count"),
                f"not a count: {_cell(row, self.header.columns['count'])!r}",
            )
            yield self._quarantine(row, number, QuarantineReason.BAD_COUNT, column, detail, None)
            return
        detail = f"not a date: {_cell(row, self.header.columns['date'])!r}"
        yield self._quarantine(
            row, number, QuarantineReason.BAD_DATE, self.header.name("date"), detail, value
        )

    def _quarantine(
        self,
        row: Sequence[Any],
        number: int,
        reason: str,
        column: str | None,
        detail: str,
        value: float | None,
        counts: dict[str, float] | None = None,
    ) -> Quarantined:
        raw = raw_record(self.header, row, category=self.category, unit=self.unit)
        if counts is None:
            counts = {"": value} if value is not None else {}
        return Quarantined(
            number,
            reason,
            column,
            raw,
            detail,
            record_id=f"{self.ctx.sha256}:{number}",
            counts=counts,
        )

    # --- the wide layout ---------------------------------------------------------------

    def _wide_row(self, row: Sequence[Any], number: int) -> Iterator[Item]:
        header = self.header
        values = {part: parse_count(_cell(row, i)) for part, i in header.wide.items()}
        numbers = {part: v for part, v in values.items() if v is not None}
        month = MONTHS.get(norm(_cell(row, header.columns["month"])))
        if not numbers or month is None or _is_total(row):
            yield from self._wide_not_data(row, number, numbers, month)
            return
        if len(numbers) < len(values) and any(
            filled([_cell(row, i)]) for i in header.wide.values()
        ):
            bad = next(
                p for p, v in values.items() if v is None and filled([_cell(row, header.wide[p])])
            )
            yield self._quarantine(
                row,
                number,
                QuarantineReason.BAD_COUNT,
                header.names[header.wide[bad]],
                "not a count",
                None,
                numbers,
            )
            return
        place = self._place(row)
        if isinstance(place, Unplaced):
            yield self._quarantine(
                row, number, place.reason, self._place_column(), place.detail, None, numbers
            )
            return
        nonzero = {p: v for p, v in numbers.items() if v}
        if not nonzero:
            yield self._quarantine(
                row, number, "all-zero", None, "every year cell is 0", None, numbers
            )
            return
        attributes = tuple(_label(v) for v in self.row_values(row))
        for part, value in nonzero.items():
            self.builder.add(
                number,
                None,
                part,
                self.category,
                self.unit,
                value,
                dt.date(int(part), month, 1),
                Precision.MONTH.value,
                place,
                attributes,
            )

    def _wide_not_data(
        self, row: Sequence[Any], number: int, numbers: dict[str, float], month: int | None
    ) -> Iterator[Item]:
        cells = filled(row)
        if not cells:
            yield NonData(number, RowKind.BLANK)
        elif numbers and _is_total(row):
            yield NonData(number, RowKind.TOTAL)
            for part, value in numbers.items():
                yield DeclaredTotal(number, self.header.names[self.header.wide[part]], value, part)
        elif not numbers and len(cells) == 1:
            yield NonData(number, RowKind.FOOTNOTE)
        elif not numbers:
            yield self._quarantine(
                row,
                number,
                QuarantineReason.BAD_COUNT,
                None,
                "no year cell holds a count",
                None,
                {},
            )
        else:
            column = self.header.name("month")
            detail = f"not a month: {_cell(row, self.header.columns['month'])!r}"
            yield self._quarantine(
                row, number, QuarantineReason.BAD_DATE, column, detail, None, numbers
            )


def _getter(indexes: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A C-speed function picking the cells at ``indexes`` as a tuple."""
    if not indexes:
        return lambda row: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda row: (row[index],)
    return itemgetter(*indexes)


def _hashable(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _label(value: Any) -> str | None:
    if type(value) is str:
        stripped = value.strip()
        return stripped or None
    return text(value) or None


def _strip_suffix(name: str | None) -> str:
    """ "MEDELLÍN (CT)" → "MEDELLÍN": the Police mark capitals (CT) and districts (CD)."""
    if not name:
        return ""
    for suffix in _SUFFIX:
        if name.endswith(suffix):
            return name[: -len(suffix)].strip()
    return name


def _dane_code(value: Any) -> str | None:
    """The Police's 8-digit code as text with its leading zero (5001000.0 → "05001000")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).zfill(8)
    if isinstance(value, int):
        return str(value).zfill(8)
    label = _label(value)
    return label.zfill(8) if label and label.isdigit() else label


def _is_total(row: Sequence[Any]) -> bool:
    return any(norm(row[i]) in _TOTAL_LABELS for i in filled(row))
