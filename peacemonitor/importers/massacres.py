"""The official massacre list (Ministerio de Defensa / Policía, datos.gov.co): one row per
massacre — a homicide of three or more people in one event — with its number of victims.

Each row yields two observations of the category massacre: part ``incidents`` (CASOS, always 1
in the published file) and part ``victims`` (VICTIMAS), so an indicator can count either without
mixing units. Codes are integers that lost their leading zero (5001 = Medellín).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.items import (
    DeclaredTotal,
    Item,
    NonData,
    Quarantined,
    RowKind,
)
from peacemonitor.importers.framework.places import Place, Unplaced
from peacemonitor.importers.tabular import (
    FieldSpec,
    Header,
    LayoutSpec,
    filled,
    find_header,
    flushed,
    from_raw,
    municipality_code,
    norm,
    parse_count,
    parse_date,
    raw_record,
    stream_list,
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, Unit

SOURCE = "massacres"
LIST = LayoutSpec(
    "massacres-datos-gov",
    (
        FieldSpec("date", ("fecha hecho", "fecha")),
        FieldSpec("department", ("departamento",)),
        FieldSpec("municipality", ("municipio",)),
        FieldSpec("code", ("cod muni", "cod mpio", "codigo dane", "codigo municipio")),
        FieldSpec("incidents", ("casos", "cantidad casos")),
        FieldSpec("victims", ("victimas", "cantidad victimas")),
        FieldSpec("department_code", ("cod depto", "cod dpto", "codigo departamento"), False),
    ),
)
PARTS = (("incidents", Unit.INCIDENTS), ("victims", Unit.VICTIMS))


class MassacresImporter(BaseImporter):
    """``peacemonitor import massacres FILE``."""

    source = SOURCE

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), [LIST])
        builder = BatchBuilder(size=ctx.batch_rows)
        row_fn = functools.partial(_row, ctx, header)
        yield from stream_list(rows, header, LIST.name, builder, row_fn)

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        header, values = from_raw(row.raw, [LIST])
        builder = BatchBuilder()
        yield from _row(ctx, header, values, row.row, builder)
        yield from flushed(builder)


def _row(
    ctx: ImportContext, header: Header, row: Sequence[Any], number: int, builder: BatchBuilder
) -> Iterator[Item]:
    columns = header.columns
    counts = {part: parse_count(_cell(row, columns[part])) for part, _ in PARTS}
    day = parse_date(_cell(row, columns["date"]))
    known = {part: value for part, value in counts.items() if value is not None}
    if day is None or len(known) < len(PARTS):
        yield from _not_data(ctx, header, row, number, known, day)
        return
    place = _place(ctx, header, row)
    if isinstance(place, Unplaced):
        yield _quarantine(
            ctx, header, row, number, place.reason, header.name("code"), place.detail, known
        )
        return
    for part, unit in PARTS:
        builder.add(
            number,
            ctx.record_id(number),
            part,
            Category.MASSACRE.value,
            unit.value,
            known[part],
            day,
            Precision.DAY.value,
            place,
        )


def _place(ctx: ImportContext, header: Header, row: Sequence[Any]) -> Place | Unplaced:
    code = municipality_code(_cell(row, header.columns["code"]))
    by_code = ctx.places.code(code) if code else None
    if by_code is not None and not isinstance(by_code, Unplaced):
        return by_code
    department = text(_cell(row, header.columns["department"]))
    municipality = text(_cell(row, header.columns["municipality"]))
    if not department or not municipality:
        return by_code or Unplaced(
            QuarantineReason.MISSING_PLACE, "no code, department or municipality"
        )
    by_name = ctx.places.name(department, municipality)
    return by_code if isinstance(by_name, Unplaced) and by_code is not None else by_name


def _not_data(
    ctx: ImportContext,
    header: Header,
    row: Sequence[Any],
    number: int,
    known: dict[str, float],
    day: Any,
) -> Iterator[Item]:
    cells = filled(row)
    if not cells:
        yield NonData(number, RowKind.BLANK)
    elif known and any(norm(row[i]).startswith("total") for i in cells):
        yield NonData(number, RowKind.TOTAL)
        for part, value in known.items():
            yield DeclaredTotal(number, header.name(part), value, part)
    elif len(cells) == 1 and not known:
        yield NonData(number, RowKind.FOOTNOTE)
    elif len(known) < len(PARTS):
        part = next(p for p, _ in PARTS if p not in known)
        detail = f"not a count: {_cell(row, header.columns[part])!r}"
        yield _quarantine(
            ctx, header, row, number, QuarantineReason.BAD_COUNT, header.name(part), detail, known
        )
    else:
        detail = f"not a date: {_cell(row, header.columns['date'])!r}"
        yield _quarantine(
            ctx, header, row, number, QuarantineReason.BAD_DATE, header.name("date"), detail, known
        )


def _quarantine(
    ctx: ImportContext,
    header: Header,
    row: Sequence[Any],
    number: int,
    reason: str,
    column: str | None,
    detail: str,
    counts: dict[str, float],
) -> Quarantined:
    return Quarantined(
        number,
        reason,
        column,
        raw_record(header, row),
        detail,
        record_id=ctx.record_id(number),
        counts=counts,
    )


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None
