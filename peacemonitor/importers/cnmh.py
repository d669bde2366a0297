"""CNMH Observatorio de Memoria y Conflicto case tables: massacres, terrorist attacks and
attacks on towns, 1958–2017 — one row per case, places by name only.

Three layouts, told apart by their header: attacks on towns carry the combatant death columns
(VentajaMilitar), terrorist attacks the civilian death totals, massacres neither. Each case
yields two observations, part ``incidents`` (1) and part ``victims`` (NumeroVictimasCaso).

The CNMH counts a massacre from **four** victims; the official list (``massacres``) from three.
So CNMH massacres are filed under a source of their own, ``cnmh-massacres-4plus``, with the
definition in every row's attributes: an indicator never adds the two series. Terrorist attacks
and attacks on towns go under ``cnmh``.

Dates come as DIAH, MESH, ANNOH with 0 for an unknown part: an unknown day gives month
precision, an unknown month year precision, an unknown year a quarantined row. Places: a
municipality written "Sin información" leaves the case at its department; a department "Sin
información" or "Exterior" cannot be placed and is quarantined with the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
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
    find_header,
    flushed,
    from_raw,
    is_blank,
    norm,
    parse_count,
    raw_record,
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, Unit

SOURCE = "cnmh"
MASSACRE_SOURCE = "cnmh-massacres-4plus"
_COMMON = (
    FieldSpec("case_id", ("idcaso",)),
    FieldSpec("related_case", ("idcasorelacionado",), False),
    FieldSpec("day", ("diah",)),
    FieldSpec("month", ("mesh",)),
    FieldSpec("year", ("annoh",)),
    FieldSpec("region", ("region",), False),
    FieldSpec("department", ("depto caso",)),
    FieldSpec("municipality", ("muninicio caso", "municipio caso")),
    FieldSpec("perpetrator", ("presunto reponsable", "presunto responsable"), False),
    FieldSpec(
        "perpetrator_detail",
        ("descripcion presunto reponsable", "descripcion presunto responsable"),
        False,
    ),
    FieldSpec("victims", ("numerovictimascaso",)),
)


@dataclass(frozen=True)
class CaseTable:
    """One CNMH table: its layout, the source and category its cases are filed under."""

    layout: LayoutSpec
    source: str
    category: Category
    definition: str


TOWNS = CaseTable(
    LayoutSpec(
        "cnmh-attacks-on-towns", _COMMON + (FieldSpec("military_advantage", ("ventajamilitar",)),)
    ),
    SOURCE,
    Category.ATTACK_ON_TOWN,
    "CNMH-OMC attack on a town (toma / ataque a población)",
)
TERRORISM = CaseTable(
    LayoutSpec(
        "cnmh-terrorist-attacks",
        _COMMON
        + (
            FieldSpec("modality", ("modalidad",)),
            FieldSpec("civilians_killed", ("totalcivilesmuertos",)),
        ),
    ),
    SOURCE,
    Category.TERRORISM,
    "CNMH-OMC terrorist attack (atentado terrorista)",
)
MASSACRES = CaseTable(
    LayoutSpec("cnmh-massacres", _COMMON + (FieldSpec("modality", ("modalidad",)),)),
    MASSACRE_SOURCE,
    Category.MASSACRE,
    "CNMH-OMC massacre: 4 or more victims (the official list counts 3 or more)",
)
TABLES = (TOWNS, TERRORISM, MASSACRES)  # most specific header first
LAYOUTS = tuple(table.layout for table in TABLES)
ATTRIBUTES = (
    "case_id",
    "related_case",
    "perpetrator",
    "perpetrator_detail",
    "region",
    "department_raw",
    "municipality_raw",
    "definition",
)
PARTS = (("incidents", Unit.INCIDENTS), ("victims", Unit.VICTIMS))
_PLACEHOLDER = "sin informacion"


class CnmhImporter(BaseImporter):
    """``peacemonitor import cnmh FILE``: the three OMC case tables."""

    source = SOURCE
    revises = True  # cases carry CNMH's IdCaso

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), LAYOUTS)
        table = _table(header.layout.name)
        builder = BatchBuilder(ATTRIBUTES, size=ctx.batch_rows)
        yield Layout(table.layout.name, source=table.source)
        for i in range(header.index):
            yield NonData(i + 1, RowKind.BLANK if is_blank(rows[i]) else RowKind.TITLE)
        yield NonData(header.index + 1, RowKind.HEADER)
        row_fn = functools.partial(_row, ctx, header, table)
        for i in range(header.index + 1, len(rows)):
            yield from row_fn(rows[i], i + 1, builder)
            if builder.full:
                yield from flushed(builder)
        yield from flushed(builder)
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        header, values = from_raw(row.raw, LAYOUTS)
        builder = BatchBuilder(ATTRIBUTES)
        yield from _row(ctx, header, _table(header.layout.name), values, row.row, builder)
        yield from flushed(builder)


def _table(layout: str) -> CaseTable:
    return next(table for table in TABLES if table.layout.name == layout)


def _row(
    ctx: ImportContext,
    header: Header,
    table: CaseTable,
    row: Sequence[Any],
    number: int,
    builder: BatchBuilder,
) -> Iterator[Item]:
    """One case: two observations, or the row quarantined with why."""
    if is_blank(row):
        yield NonData(number, RowKind.BLANK)
        return
    cell = functools.partial(_cell, header, row)
    case_id = text(cell("case_id"))
    record_id = f"{table.category.value}:{case_id}"
    victims = parse_count(cell("victims"))
    problem: tuple[str, str, str] | None = None
    day = _date(cell("year"), cell("month"), cell("day"))
    if not case_id:
        problem = (QuarantineReason.MISSING_ID, "case_id", "no IdCaso")
    elif victims is None:
        problem = (QuarantineReason.BAD_COUNT, "victims", f"not a count: {cell('victims')!r}")
    elif isinstance(day, str):
        problem = (QuarantineReason.BAD_DATE, "year", day)
    place = _place(ctx, text(cell("department")), text(cell("municipality")))
    if problem is None and isinstance(place, Unplaced):
        problem = (place.reason, "municipality", place.detail)
    if problem is not None:
        reason, field, detail = problem
        counts = {"incidents": 1.0, "victims": victims} if victims is not None else {}
        raw = raw_record(header, row)
        column = header.name(field) if field in header.columns else None
        yield Quarantined(
            number, reason, column, raw, detail, record_id=record_id if case_id else None,
            counts=counts,
        )  # fmt: skip
        return
    assert victims is not None and not isinstance(day, str) and not isinstance(place, Unplaced)
    date, precision = day
    attributes = (
        case_id,
        text(cell("related_case")) or None,
        text(cell("perpetrator")) or None,
        text(cell("perpetrator_detail")) or None,
        text(cell("region")) or None,
        text(cell("department")) or None,
        text(cell("municipality")) or None,
        table.definition,
    )
    for (part, unit), value in zip(PARTS, (1.0, victims), strict=True):
        builder.add(
            number,
            record_id,
            part,
            table.category.value,
            unit.value,
            value,
            date,
            precision.value,
            place,
            attributes,
        )


def _cell(header: Header, row: Sequence[Any], field: str) -> Any:
    index = header.columns.get(field)
    return row[index] if index is not None and index < len(row) else None


def _date(year: Any, month: Any, day: Any) -> tuple[dt.date, Precision] | str:
    """The case's date at the precision its parts allow (0 = unknown), or why not."""
    y, m, d = (parse_count(v) for v in (year, month, day))
    if not y or not y.is_integer():
        return f"year unknown ({year!r})"
    if not m or not m.is_integer():
        return dt.date(int(y), 1, 1), Precision.YEAR
    try:
        if not d or not d.is_integer():
            return dt.date(int(y), int(m), 1), Precision.MONTH
        return dt.date(int(y), int(m), int(d)), Precision.DAY
    except ValueError:
        return f"not a date: {day!r}/{month!r}/{year!r}"


def _place(ctx: ImportContext, department: str, municipality: str) -> Place | Unplaced:
    """By names; a municipality "Sin información" leaves the case at its department."""
    dept = norm(department)
    if not dept or dept.startswith(_PLACEHOLDER):
        return Unplaced(QuarantineReason.MISSING_PLACE, f"department {department!r}")
    if dept == "exterior":
        return Unplaced(
            QuarantineReason.TERRITORY_OUTSIDE_COUNTRY, "department 'Exterior': outside Colombia"
        )
    muni = norm(municipality)
    if not muni or muni.startswith(_PLACEHOLDER):
        return ctx.places.name(department, "")
    return ctx.places.name(department, municipality)
