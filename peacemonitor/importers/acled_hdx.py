"""ACLED's HDX monthly aggregates (``acled-hdx-admin2``, ``acled-hdx-country``): HDX's workbooks
and their CSV extract, filed under the source ``acled-hdx`` so they are never summed with ACLED's
events. Read by ``AcledImporter`` when a file's header says it holds aggregates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacemonitor.categories import ACLED_HDX_DATASET
from peacemonitor.importers.framework.batches import quarantine_batch
from peacemonitor.importers.framework.context import ImportContext, QuarantineRow
from peacemonitor.importers.framework.errors import UnknownLayout
from peacemonitor.importers.framework.items import (
    Item,
    Layout,
    NonData,
    QuarantineBatch,
    RowKind,
    RowsRead,
)
from peacemonitor.importers.framework.places import Unplaced
from peacemonitor.importers.tabular import is_blank, norm, read_csv_rows
from peacemonitor.model import COUNTRY_CODE, Precision, QuarantineReason, Unit

if TYPE_CHECKING:
    pass

HDX_SOURCE = "acled-hdx"

HDX_DATASETS = ("political_violence", "civilian_targeting", "demonstrations")
_HDX_NAMES = {
    "political violence": "political_violence",
    "civilian targeting": "civilian_targeting",
    "demonstration": "demonstrations",
}
MONTHS = {dt.date(2000, m, 1).strftime("%B").lower(): m for m in range(1, 13)}


def dataset_from_name(path: Path) -> str:
    """HDX's workbooks name their dataset only in the file name."""
    name = norm(path.stem)
    for key, dataset in _HDX_NAMES.items():
        if key in name:
            return dataset
    raise UnknownLayout(
        path,
        "an ACLED HDX workbook whose name does not say its dataset (political-violence, "
        "civilian-targeting or demonstration): keep HDX's file name",
    )


def read_hdx_workbook(ctx: ImportContext) -> Iterator[Item]:
    """Every sheet of an HDX workbook: data sheets by header, the licence sheet as titles.
    Rows are numbered through the sheets in order."""
    from peacemonitor.importers.tabular import read_sheets

    dataset = dataset_from_name(ctx.path)
    sheets = list(read_sheets(ctx.path))
    layout = "acled-hdx-admin2" if any(_hdx_header(r[0]) for _, r in sheets if r) else None
    if layout is None:
        raise UnknownLayout(ctx.path, "no ACLED HDX sheet (Country, Month, Year, Events)", row=1)
    yield Layout(layout, source=HDX_SOURCE)
    offset = 0
    held: list[tuple[int, str, str, str, dict[str, Any]]] = []
    builder = _HdxBuilder()
    for sheet, rows in sheets:
        yield from _hdx_rows(ctx, sheet, rows, offset, dataset, builder, held)
        offset += len(rows)
    yield from builder.flush(held)
    yield RowsRead(offset)


def read_hdx_csv(ctx: ImportContext, encoding: str) -> Iterator[Item]:
    """The CSV extract of HDX's admin2 sheets, with its ``acled_dataset`` column."""
    rows = read_csv_rows(ctx.path, encoding)
    yield Layout("acled-hdx-admin2", source=HDX_SOURCE)
    held: list[tuple[int, str, str, str, dict[str, Any]]] = []
    builder = _HdxBuilder()
    yield from _hdx_rows(ctx, ctx.path.name, rows, 0, None, builder, held)
    yield from builder.flush(held)
    yield RowsRead(len(rows))


def _hdx_header(row: Sequence[Any]) -> dict[str, int] | None:
    names = {norm(c): i for i, c in enumerate(row)}
    if all(k in names for k in ("country", "month", "year", "events")):
        return names
    return None


def _hdx_rows(
    ctx: ImportContext,
    sheet: str,
    rows: list[list[Any]],
    offset: int,
    dataset: str | None,
    builder: _HdxBuilder,
    held: list[tuple[int, str, str, str, dict[str, Any]]],
) -> Iterator[Item]:
    header = _hdx_header(rows[0]) if rows else None
    for i, row in enumerate(rows):
        number = offset + i + 1
        if is_blank(row):
            yield NonData(number, RowKind.BLANK)
        elif header is None:
            yield NonData(number, RowKind.TITLE)  # the licence sheet
        elif i == 0:
            yield NonData(number, RowKind.HEADER)
        else:
            cells = {str(rows[0][j]): row[j] if j < len(row) else None for j in range(len(rows[0]))}
            cells["sheet"] = sheet
            which = dataset or str(row[header["acled dataset"]] or "").strip()
            outcome = _hdx_outcome(ctx, which, cells)
            if isinstance(outcome, tuple) and len(outcome) == 3:
                reason, column, detail = outcome
                held.append((number, reason, column, detail, {"dataset": which, "cells": cells}))
            else:
                builder.add(number, outcome)


def _hdx_outcome(ctx: ImportContext, dataset: str, cells: dict[str, Any]) -> Any:
    """A stored aggregate (record id, category, count, fatalities, day, place, targeting) or a
    quarantine (reason, column, detail)."""
    value = {norm(k): v for k, v in cells.items()}
    month = MONTHS.get(str(value.get("month") or "").strip().lower())
    year = str(value.get("year") or "").strip().removesuffix(".0")
    if dataset not in HDX_DATASETS:
        return (
            QuarantineReason.UNKNOWN_DATASET,
            "acled_dataset",
            f"not an ACLED HDX dataset: {dataset!r}",
        )
    if not month or not year.isdigit():
        return (
            QuarantineReason.BAD_DATE,
            "Month",
            f"not a month: {value.get('month')!r} {value.get('year')!r}",
        )
    events = _number(value.get("events"))
    if events is None:
        return (QuarantineReason.BAD_COUNT, "Events", f"not a count: {value.get('events')!r}")
    category = ACLED_HDX_DATASET[dataset]
    place = _hdx_place(ctx, value)
    if isinstance(place, Unplaced):
        return (place.reason, "Admin2 Pcode", place.detail)
    where = value.get("admin2 pcode") or value.get("iso3") or value.get("country")
    record = f"{dataset}:{where}:{value.get('admin2') or ''}:{int(year):04d}-{month:02d}"
    day = dt.date(int(year), month, 1)
    targeting = dataset == "civilian_targeting"
    return (record, category.value, events, _number(value.get("fatalities")), day, place, targeting)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


_PCODE = re.compile(r"^CO(\d{5})$")


def _hdx_place(ctx: ImportContext, value: dict[str, Any]) -> tuple[str, str, str] | Unplaced:
    country = str(value.get("country") or "").strip()
    iso3 = str(value.get("iso3") or "").strip()
    if country != "Colombia" and iso3 != "COL":
        return ("country", iso3 or f"?{country}", "country-only")
    pcode = str(value.get("admin2 pcode") or "").strip().upper()
    match = _PCODE.match(pcode)
    if not match:
        return (
            ("country", COUNTRY_CODE, "country-only")
            if not pcode
            else Unplaced(
                QuarantineReason.TERRITORY_UNKNOWN, f"Pcode {pcode!r} is not 'CO' + a DIVIPOLA code"
            )
        )
    by_code = ctx.places.code(match.group(1))
    admin1, admin2 = (str(value.get(k) or "").strip() for k in ("admin1", "admin2"))
    if isinstance(by_code, Unplaced) or not admin2:
        return by_code
    by_name = ctx.places.name(admin1, admin2)
    named = None if isinstance(by_name, Unplaced) or by_name[0] != "municipality" else by_name[1]
    if named != by_code[1]:  # HDX files "El Tablon" under El Tambo's code, CO52260
        return Unplaced(
            QuarantineReason.TERRITORY_CONFLICT,
            f"Pcode {pcode} is {by_code[1]} but {admin1} / {admin2} "
            f"{'is ' + named if named else 'does not name it'}",
        )
    return by_code


class _HdxBuilder:
    """Aggregates as one Arrow table (the files are small)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, Any]] = []

    def add(self, number: int, outcome: Any) -> None:
        self.rows.append((number, outcome))

    def flush(self, held: list[tuple[int, str, str, str, dict[str, Any]]]) -> Iterator[Item]:
        import pyarrow as pa

        if held:
            yield _held_batch(held)
        if not self.rows:
            return
        numbers = [n for n, _ in self.rows]
        out = [o for _, o in self.rows]
        yield pa.table(
            {
                "row_number": pa.array(numbers, pa.int64()),
                "record_id": pa.array([o[0] for o in out], pa.string()),
                "part": pa.array([""] * len(out)),
                "category": pa.array([o[1] for o in out]),
                "unit": pa.array([Unit.EVENTS.value] * len(out)),
                "count": pa.array([o[2] for o in out], pa.float64()),
                "date_first": pa.array([o[4] for o in out], pa.date32()),
                "date_precision": pa.array([Precision.MONTH.value] * len(out)),
                "territory_level": pa.array([o[5][0] for o in out]),
                "territory_code": pa.array([o[5][1] for o in out]),
                "resolution": pa.array([o[5][2] for o in out]),
                "deaths_best": pa.array([o[3] for o in out], pa.float64()),
                "civilian_targeting": pa.array([o[6] for o in out], pa.bool_()),
            }
        )
        self.rows = []


def _held_batch(held: list[tuple[int, str, str, str, dict[str, Any]]]) -> QuarantineBatch:
    sensitive = sorted({k for *_, raw in held for k in raw["cells"]})
    return quarantine_batch(held, sensitive)


def retry_hdx(ctx: ImportContext, row: QuarantineRow) -> Iterator[Item]:
    builder = _HdxBuilder()
    outcome = _hdx_outcome(ctx, row.raw["dataset"], row.raw["cells"])
    if isinstance(outcome, tuple) and len(outcome) == 3:
        yield _held_batch([(row.row, *outcome, row.raw)])
        return
    builder.add(row.row, outcome)
    yield from builder.flush([])
