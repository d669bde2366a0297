"""ETH/PRIO Civil Conflict Ceasefire data: Colombia's rows as process records.

One row per (ceasefire, declaring actor): ``location, start, id, name, ucdp_dyad, purpose, type,
year``. The copy in shared data is an app cache, not the official release: ``purpose`` and
``type`` are masked ("x" in every row) and there are no end dates. Records say so — ``masked``
lists the masked columns, ``date_end`` is empty — and nothing is guessed. Rows of other countries
are quarantined ``other-country`` (counted, not stored). The file has no row id; identity is
location, ceasefire number, declaring actor and UCDP dyad (two rows differ only by dyad).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from peacemonitor.actor_names import ActorNames
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.items import Item, NonData, Records, RowKind, RowsRead
from peacemonitor.importers.party_links import (
    Held,
    RegistryView,
    clean,
    held_batch,
    link_ceasefire,
    records_table,
)
from peacemonitor.importers.tabular import (
    FieldSpec,
    LayoutSpec,
    find_header,
    is_blank,
    norm,
    preamble,
)
from peacemonitor.model import PartialDate, Precision, QuarantineReason

if TYPE_CHECKING:
    from peacemonitor.store import Store

SOURCE = "ceasefires"
LAYOUT = LayoutSpec(
    "ethprio-cf",
    (
        FieldSpec("location", ("location",)),
        FieldSpec("start", ("start",)),
        FieldSpec("id", ("id",)),
        FieldSpec("name", ("name",)),
        FieldSpec("ucdp_dyad", ("ucdp dyad",)),
        FieldSpec("purpose", ("purpose",), required=False),
        FieldSpec("type", ("type",), required=False),
        FieldSpec("year", ("year",), required=False),
    ),
)
COLUMNS = (
    "record_id row_number country ceasefire_number declared_by_raw actor_ids date_first "
    "date_precision date_end ucdp_dyad masked links attributes"
).split()
MASK = "x"
NO_END = "the file gives no end date"


class CeasefiresImporter(BaseImporter):
    """``peacemonitor import ceasefires FILE``."""

    source = SOURCE

    def __init__(self) -> None:
        self.view = RegistryView(ActorNames({}))

    def prepare(self, store: Store) -> None:
        self.view = RegistryView.from_store(store)

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        rows, header = find_header(ctx.path, ctx.sheets(), [LAYOUT])
        yield from preamble(rows, header, LAYOUT.name)
        names = [str(c) for c in rows[header.index]]
        masked = _masked(names, rows[header.index + 1 :])
        records: list[dict[str, Any]] = []
        held: list[Held] = []
        for i in range(header.index + 1, len(rows)):
            if is_blank(rows[i]):
                yield NonData(i + 1, RowKind.BLANK)
                continue
            cells = dict(zip(names, rows[i], strict=False))
            self._take(i + 1, cells, masked, records, held)
        yield from _flush(records, held)
        yield RowsRead(len(rows))

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        records: list[dict[str, Any]] = []
        held: list[Held] = []
        raw = row.raw
        self._take(row.row, raw.get("cells", {}), raw.get("masked", []), records, held)
        yield from _flush(records, held)

    def _take(
        self,
        number: int,
        cells: dict[str, Any],
        masked: list[str],
        records: list[dict[str, Any]],
        held: list[Held],
    ) -> None:
        outcome = record(self.view, number, cells, masked)
        if isinstance(outcome, tuple):
            held.append((number, *outcome, {"cells": cells, "masked": masked}))
        else:
            records.append(outcome)


def _masked(names: list[str], rows: list[list[Any]]) -> list[str]:
    """Columns whose every value is the mask 'x' (or empty): masked in this copy, not data.
    (SOURCE.md says 'x' in every row; 30 rows have an empty ``type``.)"""
    found = []
    for i, name in enumerate(names):
        values = {clean(r[i]) for r in rows if i < len(r) and not is_blank(r)} - {None}
        if values == {MASK}:
            found.append(name)
    return found


def _flush(records: list[dict[str, Any]], held: list[Held]) -> Iterator[Item]:
    if held:
        yield held_batch(held)
    if records:
        yield Records("imported_ceasefires", records_table(records, COLUMNS))


def _field(cells: dict[str, Any], name: str) -> Any:
    wanted = LAYOUT.aliases(name)
    return next((v for k, v in cells.items() if norm(k) in wanted), None)


def record(
    view: RegistryView, number: int, cells: dict[str, Any], masked: list[str]
) -> dict[str, Any] | tuple[str, str, str]:
    """One row → a record, or (reason, column, detail) why it is not one."""
    country = clean(_field(cells, "location")) or ""
    if country != "Colombia":
        return ("other-country", "location", f"{country!r} is not Colombia")
    start = clean(_field(cells, "start"))
    try:
        day = PartialDate.parse(start or "")
    except ValueError:
        return (QuarantineReason.BAD_DATE, "start", f"not a date: {start!r}")
    name = clean(_field(cells, "name"))
    number_in_country = clean(_field(cells, "id"))
    dyad = clean(_field(cells, "ucdp_dyad"))
    first = day.first
    record_id = f"{country}:{number_in_country}:{name}:{dyad}"
    actors, links = link_ceasefire(view, name, first, record_id)
    attributes = {
        k: (None if k in masked else v)
        for k, v in cells.items()
        if norm(k) in ("purpose", "type", "year")
    }
    attributes["note"] = NO_END + (f"; masked in this copy: {', '.join(masked)}" if masked else "")
    return {
        "record_id": record_id,
        "row_number": number,
        "country": country,
        "ceasefire_number": number_in_country,
        "declared_by_raw": name,
        "actor_ids": actors,
        "date_first": first,
        "date_precision": day.precision.value if day.precision else Precision.DAY.value,
        "date_end": None,
        "ucdp_dyad": dyad,
        "masked": masked,
        "links": links,
        "attributes": attributes,
    }
