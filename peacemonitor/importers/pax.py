"""PA-X peace agreements (University of Edinburgh, PSRP): Colombia's rows as process records.

Read from the full workbook (sheet "Peace Agreements", 266 columns) or any CSV extract with the
same header; only agreements whose ``Con`` names Colombia become records (the others are
quarantined ``other-country``: counted, not stored). Identity is PA-X's ``AgtId``. Each record
keeps every column as published (``attributes``), the registry actors its parties text names,
and links to the registry's tables and agreements — or why it has none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from peacemonitor.actor_names import ActorNames
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.items import Item, NonData, Records, RowKind, RowsRead
from peacemonitor.importers.party_links import (
    Held,
    RegistryView,
    clean,
    held_batch,
    link_agreement,
    records_table,
)
from peacemonitor.importers.tabular import (
    FieldSpec,
    LayoutSpec,
    find_header,
    is_blank,
    norm,
    parse_date,
    preamble,
)
from peacemonitor.model import Precision, QuarantineReason

if TYPE_CHECKING:
    from peacemonitor.store import Store

SOURCE = "pax"
LAYOUT = LayoutSpec(
    "pax-v2",
    (
        FieldSpec("country", ("con",)),
        FieldSpec("id", ("agtid",)),
        FieldSpec("title", ("agt",)),
        FieldSpec("date", ("dat",)),
        FieldSpec("stage", ("stage",)),
        FieldSpec("status", ("status",)),
        FieldSpec("parties", ("part",)),
        FieldSpec("third", ("thrdpart",)),
        FieldSpec("process", ("ppname",)),
    ),
)
COLUMNS = (
    "record_id row_number country date_first date_precision title process stage status "
    "parties_raw third_parties_raw actor_ids links attributes"
).split()
COUNTRY = "colombia"


class PaxImporter(BaseImporter):
    """``peacemonitor import pax FILE``."""

    source = SOURCE

    def __init__(self) -> None:
        self.view = RegistryView(ActorNames({}))

    def prepare(self, store: Store) -> None:
        self.view = RegistryView.from_store(store)

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), [LAYOUT])
        yield from preamble(rows, header, LAYOUT.name)
        names = [
            str(c) if c is not None else f"column {i + 1}" for i, c in enumerate(rows[header.index])
        ]
        records: list[dict[str, Any]] = []
        held: list[Held] = []
        for i in range(header.index + 1, len(rows)):
            if is_blank(rows[i]):
                yield NonData(i + 1, RowKind.BLANK)
                continue
            cells = dict(zip(names, rows[i], strict=False))
            self._take(i + 1, cells, records, held)
        yield from _flush(records, held)
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        records: list[dict[str, Any]] = []
        held: list[Held] = []
        self._take(row.row, row.raw.get("cells", {}), records, held)
        yield from _flush(records, held)

    def _take(
        self, number: int, cells: dict[str, Any], records: list[dict[str, Any]], held: list[Held]
    ) -> None:
        outcome = record(self.view, number, cells)
        if isinstance(outcome, tuple):
            reason, column, detail = outcome
            held.append((number, reason, column, detail, {"cells": _brief(cells, reason)}))
        else:
            records.append(outcome)


def _flush(records: list[dict[str, Any]], held: list[Held]) -> Iterator[Item]:
    if held:
        yield held_batch(held)
    if records:
        yield Records("imported_agreements", records_table(records, COLUMNS))


def _field(cells: dict[str, Any], name: str) -> Any:
    wanted = LAYOUT.aliases(name)
    return next((v for k, v in cells.items() if norm(k) in wanted), None)


def _brief(cells: dict[str, Any], reason: str) -> dict[str, Any]:
    """Another country's agreement is kept by id and title only (it will never be stored)."""
    if reason != "other-country":
        return cells
    return {k: v for k, v in cells.items() if norm(k) in ("con", "agtid", "agt", "dat")}


def record(
    view: RegistryView, number: int, cells: dict[str, Any]
) -> dict[str, Any] | tuple[str, str, str]:
    """One PA-X row → a record, or (reason, column, detail) why it is not one."""
    country = clean(_field(cells, "country")) or ""
    if COUNTRY not in country.lower():
        return ("other-country", "Con", f"{country!r} is not Colombia")
    agreement = clean(_field(cells, "id"))
    if not agreement:
        return (QuarantineReason.MISSING_ID, "AgtId", "no AgtId")
    day = parse_date(_field(cells, "date"))
    if day is None:
        return (QuarantineReason.BAD_DATE, "Dat", f"not a date: {_field(cells, 'date')!r}")
    title = clean(_field(cells, "title"))
    stage = clean(_field(cells, "stage"))
    parties = clean(_field(cells, "parties"))
    actors, links = link_agreement(view, parties, title, day, stage, agreement)
    known = {norm(a) for f in LAYOUT.fields for a in f.aliases}
    return {
        "record_id": agreement,
        "row_number": number,
        "country": country,
        "date_first": day,
        "date_precision": Precision.DAY.value,
        "title": title,
        "process": clean(_field(cells, "process")),
        "stage": stage,
        "status": clean(_field(cells, "status")),
        "parties_raw": _field(cells, "parties"),
        "third_parties_raw": _field(cells, "third"),
        "actor_ids": actors,
        "links": links,
        "attributes": {k: _plain(v) for k, v in cells.items() if norm(k) not in known},
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


__all__: Sequence[str] = ("PaxImporter",)
