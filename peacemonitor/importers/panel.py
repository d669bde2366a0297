"""The "(I'm)Paz Total" thesis panel (Navarro, 2026): three places × month, 2018-01 on.

One row per case and month. The places are of three kinds, as the panel's
``spatial_definition`` says: a municipality (Buenaventura), a whole department (Arauca) and a
"regional cluster" of municipalities around Tumaco that the panel never lists. The first two
resolve through the gazetteer by the case's name; the cluster cannot be joined to DIVIPOLA, so
it is stored as what it is — territory level ``cluster``, code ``cluster:<case_id>`` — and never
resolved to municipalities it may not hold.

Each row yields one observation per count column, part = the column:

- Police-derived: ``homicides`` (homicide, victims), ``terrorism`` and ``extortion``
  (incidents). The Police series stop before the panel does: from the first month after which
  every Police cell of every case is 0 (2025-11 in the shared file: a data cut-off, not peace),
  they are not stored — those months are "no data", never 0;
- ACLED-derived: ``political_violence`` (political-violence) and ``civilian_targeting``
  (violence-against-civilians), ACLED's HDX monthly counts as the author took them: aggregates,
  stored with ``derived_from`` and ``terms`` naming ACLED's Terms of Use; their cells are marked
  sensitive in the quarantine. ``total_events`` is not stored (it adds civilian targeting to the
  political violence that already holds it), nor are prices.

``treatment`` (talks active) and ``clash_dummy`` are kept in every observation's attributes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
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
from peacemonitor.model import Category, Precision, QuarantineReason, TerritoryLevel, Unit

SOURCE = "paztotal-panel"
ACLED_TERMS = (
    "ACLED Terms of Use: ACLED-derived aggregate (HDX monthly counts); cite ACLED, never "
    "redistribute raw ACLED rows"
)
POLICE = "Policía Nacional (SIEDCO) crime files, as aggregated by the panel's author"
ACLED = "ACLED HDX monthly aggregates, as taken by the panel's author"
# column → (category, unit, derived from, terms)
COLUMNS: dict[str, tuple[Category, Unit, str, str | None]] = {
    "homicides": (Category.HOMICIDE, Unit.VICTIMS, POLICE, None),
    "terrorism": (Category.TERRORISM, Unit.INCIDENTS, POLICE, None),
    "extortion": (Category.EXTORTION, Unit.INCIDENTS, POLICE, None),
    "political_violence": (Category.POLITICAL_VIOLENCE, Unit.EVENTS, ACLED, ACLED_TERMS),
    "civilian_targeting": (Category.VIOLENCE_AGAINST_CIVILIANS, Unit.EVENTS, ACLED, ACLED_TERMS),
}
POLICE_COLUMNS = ("homicides", "terrorism", "extortion")
ACLED_COLUMNS = ("political_violence", "civilian_targeting")
PANEL = LayoutSpec(
    "paztotal-panel-long",
    (
        FieldSpec("case_id", ("case id",)),
        FieldSpec("month", ("month id",)),
        FieldSpec("case_label", ("case label",)),
        FieldSpec("spatial_definition", ("spatial definition",)),
        FieldSpec("treatment", ("treatment",)),
        FieldSpec("clash_dummy", ("clash dummy",)),
    )
    + tuple(FieldSpec(column, (norm(column),)) for column in COLUMNS),
)
ATTRIBUTES = (
    "case_id",
    "case_label",
    "spatial_definition",
    "treatment",
    "clash_dummy",
    "derived_from",
    "terms",
)
_LEVELS = {
    "municipality": TerritoryLevel.MUNICIPALITY,
    "department": TerritoryLevel.DEPARTMENT,
    "cluster": TerritoryLevel.CLUSTER,
}


class PanelImporter(BaseImporter):
    """``peacemonitor import paztotal-panel master_monthly_panel_long.csv``."""

    source = SOURCE
    revises = True  # a case-month is the panel's own key
    listed_places = True  # three cases, not every municipality or department: no zero-fill

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), [PANEL])
        data = [(i, rows[i]) for i in range(header.index + 1, len(rows))]
        police_end = police_last_month(header, [row for _, row in data])
        builder = BatchBuilder(ATTRIBUTES, size=ctx.batch_rows)
        yield Layout(PANEL.name)
        for i in range(header.index):
            yield NonData(i + 1, RowKind.BLANK if is_blank(rows[i]) else RowKind.TITLE)
        yield NonData(header.index + 1, RowKind.HEADER)
        row_fn = functools.partial(_row, ctx, header, police_end)
        for i, row in data:
            yield from row_fn(row, i + 1, builder)
            if builder.full:
                yield from flushed(builder)
        yield from flushed(builder)
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        header, values = from_raw(row.raw, [PANEL])
        end = row.raw.get("police_end")
        builder = BatchBuilder(ATTRIBUTES)
        police_end = dt.date.fromisoformat(end) if end else None
        yield from _row(ctx, header, police_end, values, row.row, builder)
        yield from flushed(builder)


def police_last_month(header: Header, rows: Sequence[Sequence[Any]]) -> dt.date | None:
    """The last month in which any case has a Police count above 0 (None: none has)."""
    last = None
    for row in rows:
        month = _month(_cell(header, row, "month"))
        values = [parse_count(_cell(header, row, c)) for c in POLICE_COLUMNS]
        if month is not None and any(v for v in values):
            last = month if last is None else max(last, month)
    return last


def _row(
    ctx: ImportContext,
    header: Header,
    police_end: dt.date | None,
    row: Sequence[Any],
    number: int,
    builder: BatchBuilder,
) -> Iterator[Item]:
    """One case-month: an observation per count column, or the row held with why."""
    if is_blank(row):
        yield NonData(number, RowKind.BLANK)
        return
    cell = functools.partial(_cell, header, row)
    case, month = text(cell("case_id")), _month(cell("month"))
    counts = {column: parse_count(cell(column)) for column in COLUMNS}
    place = _place(ctx, case, text(cell("spatial_definition")))
    problem = _problem(month, counts, place, cell)
    record_id = f"{case}:{month:%Y-%m}" if month else None
    if problem is not None:
        yield _held(header, row, number, record_id, police_end, *problem)
        return
    assert month is not None and not isinstance(place, Unplaced)
    common = (case, text(cell("case_label")), text(cell("spatial_definition")))
    flags = (parse_count(cell("treatment")), parse_count(cell("clash_dummy")))
    for column, value in counts.items():
        if column in POLICE_COLUMNS and (police_end is None or month > police_end):
            continue  # after the Police series ends: no data, not 0
        category, unit, derived, terms = COLUMNS[column]
        attributes = common + flags + (derived, terms)
        builder.add(
            number, record_id, column, category.value, unit.value, value or 0.0, month,
            Precision.MONTH.value, place, attributes,
        )  # fmt: skip


def _problem(
    month: dt.date | None,
    counts: dict[str, float | None],
    place: Place | Unplaced,
    cell: Any,
) -> tuple[str, str, str] | None:
    """(reason, field, detail) of the first thing wrong with a row, or None."""
    if month is None:
        return QuarantineReason.BAD_DATE, "month", f"not a month: {cell('month')!r}"
    bad = next((c for c, v in counts.items() if v is None), None)
    if bad is not None:
        return QuarantineReason.BAD_COUNT, bad, f"not a count: {cell(bad)!r}"
    if isinstance(place, Unplaced):
        return place.reason, "spatial_definition", place.detail
    return None


def _place(ctx: ImportContext, case: str, definition: str) -> Place | Unplaced:
    """The case's territory at the level its spatial definition names."""
    words = norm(definition).split()
    level = next((_LEVELS[w] for w in words if w in _LEVELS), None)
    if level is None:
        return Unplaced(QuarantineReason.TERRITORY_UNKNOWN, f"spatial definition {definition!r}")
    if not case:
        return Unplaced(QuarantineReason.MISSING_PLACE, "no case_id")
    if level is TerritoryLevel.CLUSTER:
        return (level.value, f"cluster:{norm(case).replace(' ', '-')}", "as-published")
    if level is TerritoryLevel.DEPARTMENT:
        found = ctx.places.name(case, "")
    else:
        found = ctx.places.name("", case)
    if not isinstance(found, Unplaced) and found[0] != level.value:
        return Unplaced(QuarantineReason.TERRITORY_LEVEL, f"{case!r} resolved to a {found[0]}")
    return found


def _held(
    header: Header,
    row: Sequence[Any],
    number: int,
    record_id: str | None,
    police_end: dt.date | None,
    reason: str,
    field: str,
    detail: str,
) -> Quarantined:
    raw = raw_record(header, row, police_end=police_end.isoformat() if police_end else None)
    sensitive = tuple(header.names[header.columns[c]].strip() for c in ACLED_COLUMNS)
    column = header.name(field) if field in header.columns else None
    return Quarantined(
        number, reason, column, raw, detail, record_id=record_id, sensitive_columns=sensitive
    )


def _cell(header: Header, row: Sequence[Any], field: str) -> Any:
    index = header.columns.get(field)
    return row[index] if index is not None and index < len(row) else None


def _month(value: Any) -> dt.date | None:
    """ "2024-03" → 1 March 2024."""
    cell = text(value)
    try:
        return dt.datetime.strptime(cell, "%Y-%m").date()
    except ValueError:
        return None
