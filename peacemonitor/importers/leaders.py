"""Lists of killed social leaders: one row per person killed.

The layout is recognised by column names with the spellings of the Datasketch compilation
(Nombre, Género, Fecha, Municipio, Departamento, Tipo de líder, Cargo, Móvil, Otros, Link,
Longitud, Latitud) and of list-style exports such as INDEPAZ's (name, date, place, type of
leadership in differently named columns): the aliases below are where a new list's spellings go.
There is no DIVIPOLA code, so places resolve by name.

Victims' names, and the free-text narrative and links that name them, are personal data: they
go to the observation's ``sensitive`` column and to the quarantine's redacted cells, never to
``attributes``, and leave the store only when the operator allows it (Settings.show_sensitive,
``PEACEMONITOR_SHOW_SENSITIVE=1``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from typing import Any

from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.items import Item, NonData, Quarantined, RowKind
from peacemonitor.importers.framework.places import Place, Unplaced
from peacemonitor.importers.tabular import (
    FieldSpec,
    Header,
    LayoutSpec,
    filled,
    find_header,
    flushed,
    from_raw,
    parse_date,
    raw_record,
    stream_list,
    text,
)
from peacemonitor.model import Category, Precision, QuarantineReason, Unit

SOURCE = "leaders"
LIST = LayoutSpec(
    "leaders-list",
    (
        FieldSpec(
            "name", ("nombre", "nombres", "nombre victima", "victima", "nombres y apellidos")
        ),
        FieldSpec("date", ("fecha", "fecha hecho", "fecha del hecho", "fecha de asesinato")),
        FieldSpec("municipality", ("municipio",)),
        FieldSpec("department", ("departamento",)),
        FieldSpec("sex", ("genero", "sexo"), False),
        FieldSpec("leader_type", ("tipo de lider", "tipo de liderazgo", "liderazgo"), False),
        FieldSpec("role", ("cargo", "organizacion"), False),
        FieldSpec("narrative", ("movil", "descripcion", "hechos"), False),
        FieldSpec("other", ("otros", "observaciones"), False),
        FieldSpec("links", ("link", "links", "fuente", "fuentes"), False),
        FieldSpec("longitude", ("longitud", "lon"), False),
        FieldSpec("latitude", ("latitud", "lat"), False),
    ),
)
ATTRIBUTES = ("sex", "leader_type", "role", "longitude", "latitude")
SENSITIVE = ("name", "narrative", "other", "links")


class LeadersImporter(BaseImporter):
    """``peacemonitor import leaders FILE``."""

    source = SOURCE
    uses_points = True  # a village name falls back to the row's coordinates

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), [LIST])
        builder = _builder(header, ctx.batch_rows)
        row_fn = functools.partial(_row, ctx, header)
        yield from stream_list(rows, header, LIST.name, builder, row_fn)

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        header, values = from_raw(row.raw, [LIST])
        builder = _builder(header, 1)
        yield from _row(ctx, header, values, row.row, builder)
        yield from flushed(builder)


def _builder(header: Header, size: int) -> BatchBuilder:
    keys = [k for k in ATTRIBUTES if k in header.columns]
    hidden = [k for k in SENSITIVE if k in header.columns]
    return BatchBuilder(keys, hidden, size=size)


def _row(
    ctx: ImportContext, header: Header, row: Sequence[Any], number: int, builder: BatchBuilder
) -> Iterator[Item]:
    cells = filled(row)
    if not cells:
        yield NonData(number, RowKind.BLANK)
        return
    if len(cells) == 1:
        yield NonData(number, RowKind.FOOTNOTE)
        return
    columns = header.columns
    day = parse_date(_cell(row, columns["date"]))
    if day is None:
        detail = f"not a date: {_cell(row, columns['date'])!r}"
        yield _quarantine(ctx, header, row, number, QuarantineReason.BAD_DATE, "date", detail)
        return
    department = text(_cell(row, columns["department"]))
    municipality = text(_cell(row, columns["municipality"]))
    if not department or not municipality:
        detail = "no department or municipality"
        yield _quarantine(
            ctx, header, row, number, QuarantineReason.MISSING_PLACE, "municipality", detail
        )
        return
    place = ctx.places.name(department, municipality)
    if isinstance(place, Unplaced) and "longitude" in columns and "latitude" in columns:
        place = _by_point(ctx, row, columns, place)
    if isinstance(place, Unplaced):
        yield _quarantine(ctx, header, row, number, place.reason, "municipality", place.detail)
        return
    builder.add(
        number,
        ctx.record_id(number),
        "",
        Category.SOCIAL_LEADER_KILLING.value,
        Unit.VICTIMS.value,
        1.0,
        day,
        Precision.DAY.value,
        place,
        tuple(_value(row, columns, k) for k in builder.attribute_keys),
        tuple(_value(row, columns, k) for k in builder.sensitive_keys),
    )


def _by_point(
    ctx: ImportContext, row: Sequence[Any], columns: dict[str, int], by_name: Unplaced
) -> Place | Unplaced:
    """A name that is a village, not a municipality ("Balsillas"), placed by the row's own
    coordinates when they fall inside a municipality; the name's reason otherwise."""
    lon, lat = _value(row, columns, "longitude"), _value(row, columns, "latitude")
    if lon is None or lat is None:
        return by_name
    found = ctx.places.point(lat, lon)
    return by_name if isinstance(found, Unplaced) else found


def _value(row: Sequence[Any], columns: dict[str, int], key: str) -> Any:
    value = _cell(row, columns[key])
    if key in ("longitude", "latitude"):
        return _coordinate(value)
    return text(value) or None


def _coordinate(value: Any) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _quarantine(
    ctx: ImportContext,
    header: Header,
    row: Sequence[Any],
    number: int,
    reason: str,
    field: str,
    detail: str,
) -> Quarantined:
    hidden = tuple(header.name(k) for k in SENSITIVE if k in header.columns)
    return Quarantined(
        number,
        reason,
        header.name(field),
        raw_record(header, row),
        detail,
        record_id=ctx.record_id(number),
        counts={"": 1.0},
        sensitive_columns=hidden,
    )


def _cell(row: Sequence[Any], index: int) -> Any:
    return row[index] if index < len(row) else None
