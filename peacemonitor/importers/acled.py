"""ACLED events (export tool and API, every vintage) and ACLED's HDX monthly aggregates.

Events: one observation per event in the unit ``events`` (count 1, ``fatalities`` in
``deaths_best``), identity ``event_id_cnty``. Layouts recognised from the header, whatever the
case: ``acled-export`` (the export tool's 31 columns, "15 April 2022" dates), ``acled-2023``
(``disorder_type``, ``civilian_targeting``, ``tags``; API or export, ISO dates, ``inter`` codes as
text), ``acled-legacy`` (upper-case headers, ``ALLY_ACTOR_1``, no sub-event type). Extra columns
(population estimates, notes, sources) are not read. Files are UTF-8 or Windows-1252 (detected).
Categories come from ``categories.acled_category``; a legacy event type is first translated to
today's (event type, sub-event type) where that pair is unambiguous. Events outside the monitor's
categories (peaceful protests) and legacy types that would need a guess are quarantined with the
reason, never dropped. Other countries' rows are stored at country level.

Aggregates (``acled-hdx-admin2``, ``acled-hdx-country``): HDX's workbooks (sheets ``HRP_2``,
``HRP_1``, ``Non_HRP``; the dataset is named only in the file name) and the CSV extract with an
``acled_dataset`` column. They are filed under the source ``acled-hdx`` so they are never summed
with events. The civilian-targeting dataset maps onto ``violence-against-civilians``; the
political-violence and demonstration counts mix event categories, so they have categories of
their own (``political-violence``, ``demonstration``) that no event carries. Identity: dataset,
Pcode (or country) and month.

ACLED's terms forbid serving its rows raw: quarantined rows keep their cells for `quarantine
retry`, but every cell except the event id is marked sensitive, so listings redact them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from peacemonitor.actor_names import ActorNames
from peacemonitor.categories import acled_category
from peacemonitor.importers.acled_hdx import read_hdx_csv, read_hdx_workbook, retry_hdx
from peacemonitor.importers.events import (
    Column,
    CsvHead,
    Places,
    Problems,
    actor_lists,
    attributes_column,
    country_outcomes,
    dictionary,
    distinct_keys,
    event_table,
    floats,
    nulls,
    quarantine_batch,
    read_head,
    resolve_names,
    resolve_points,
    stream_records,
    subset,
    typed_batch,
    utf8_copy,
)
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.errors import UnknownLayout
from peacemonitor.importers.framework.items import (
    Item,
    Layout,
    NonData,
    RowKind,
    RowsRead,
)
from peacemonitor.importers.tabular import sniff_format
from peacemonitor.model import Precision, QuarantineReason, Unit

if TYPE_CHECKING:
    import pyarrow as pa

    from peacemonitor.store import Store

SOURCE = "acled"

INTER_TEXT = {
    "state forces": 1,
    "rebel group": 2,
    "political militia": 3,
    "identity militia": 4,
    "rioters": 5,
    "protesters": 6,
    "civilians": 7,
    "external/other forces": 8,
}
_INTER_SQL = (
    "COALESCE(TRY_CAST({c} AS BIGINT), CASE lower(trim({c})) "
    + " ".join(f"WHEN '{k}' THEN {v}" for k, v in INTER_TEXT.items())
    + " END)"
)
_DATE_SQL = (
    "COALESCE(TRY_CAST({c} AS DATE), TRY_CAST(TRY_STRPTIME(trim({c}), '%d %B %Y') AS DATE), "
    "TRY_CAST(TRY_STRPTIME(trim({c}), '%d-%B-%Y') AS DATE), "
    "TRY_CAST(TRY_STRPTIME(trim({c}), '%d/%m/%Y') AS DATE), "
    "TRY_CAST(TRY_STRPTIME(trim({c}), '%d-%b-%y') AS DATE))"
)
_BOOL_SQL = "CASE WHEN nullif(trim({c}), '') IS NULL THEN false ELSE true END"

# canonical name → (column, spellings of the header after normalising)
FIELDS: dict[str, tuple[Column, tuple[str, ...]]] = {
    "event_id_cnty": (Column("event_id_cnty"), ("event id cnty",)),
    "event_date": (Column("event_date", "date", _DATE_SQL), ("event date",)),
    "time_precision": (Column("time_precision", "integer"), ("time precision",)),
    "event_type": (Column("event_type"), ("event type",)),
    "sub_event_type": (Column("sub_event_type"), ("sub event type",)),
    "actor1": (Column("actor1"), ("actor1",)),
    "assoc_actor_1": (Column("assoc_actor_1"), ("assoc actor 1", "ally actor 1")),
    "inter1": (Column("inter1", "integer", _INTER_SQL), ("inter1",)),
    "actor2": (Column("actor2"), ("actor2",)),
    "assoc_actor_2": (Column("assoc_actor_2"), ("assoc actor 2", "ally actor 2")),
    "inter2": (Column("inter2", "integer", _INTER_SQL), ("inter2",)),
    "country": (Column("country"), ("country",)),
    "iso": (Column("iso"), ("iso",)),
    "iso3": (Column("iso3"), ("iso3",)),
    "admin1": (Column("admin1"), ("admin1",)),
    "admin2": (Column("admin2"), ("admin2",)),
    "latitude": (Column("latitude", "number"), ("latitude",)),
    "longitude": (Column("longitude", "number"), ("longitude",)),
    "geo_precision": (Column("geo_precision", "number"), ("geo precision",)),
    "fatalities": (Column("fatalities", "number"), ("fatalities",)),
    "civilian_targeting": (Column("civilian_targeting", sql=_BOOL_SQL), ("civilian targeting",)),
    "disorder_type": (Column("disorder_type"), ("disorder type",)),
}
REQUIRED = (
    "event_id_cnty event_date event_type actor1 inter1 actor2 inter2 country latitude longitude "
    "geo_precision fatalities"
).split()
COLUMNS = tuple(column for column, _ in FIELDS.values())

# Legacy (pre-2019) event types → today's (event type, sub-event type), only where the pair is
# the same thing under a new name. 'Remote violence' and 'Riots/Protests' split into several
# sub-types with different categories, so they are quarantined rather than guessed.
LEGACY_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "battle-no change of territory": ("Battles", "Armed clash"),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "battle-non-state actor overtakes territory": (
        "Battles",
        "Non-state actor overtakes territory",
    ),
    "headquarters or base established": (
        "Strategic developments",
        "Headquarters or base established",
    ),
    "non-violent transfer of territory": (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
    "strategic development": ("Strategic developments", "Other"),
    "violence against civilians": ("Violence against civilians", "Attack"),
}
ISO_COLOMBIA = "170"


def recognise(path: Path, head: CsvHead) -> tuple[str, dict[str, int]]:
    """(layout, canonical name → column index) from an event file's header."""
    index = head.index()
    wanted: dict[str, int] = {}
    for name, (_, spellings) in FIELDS.items():
        for spelling in spellings:
            if spelling in index:
                wanted[name] = index[spelling]
                break
    missing = [f for f in REQUIRED if f not in wanted]
    if missing:
        raise UnknownLayout(
            path,
            f"not an ACLED event header: lacks {', '.join(missing)}",
            row=1,
            column=missing[0],
        )
    if all(c == c.upper() for c in head.header if c.strip()) and "sub_event_type" not in wanted:
        return "acled-legacy", wanted
    if "disorder_type" in wanted or "civilian_targeting" in wanted:
        return "acled-2023", wanted
    return "acled-export", wanted


class AcledImporter(BaseImporter):
    """``peacemonitor import acled FILE`` (events and HDX aggregates)."""

    source = SOURCE
    uses_points = True
    streams = True
    revises = True  # records carry the source's own ids: a new version can replace them

    def __init__(self) -> None:
        self.actors = ActorNames({})

    def prepare(self, store: Store) -> None:
        self.actors = ActorNames.from_store(store)

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        if sniff_format(ctx.path) != "csv":
            yield from read_hdx_workbook(ctx)
            return
        head = read_head(ctx.path, ctx.encoding)
        ctx.decoded_as(head.encoding)
        if "admin2 pcode" in head.index() or "acled dataset" in head.index():
            yield from read_hdx_csv(ctx, head.encoding)
            return
        layout, wanted = recognise(ctx.path, head)
        yield Layout(layout, source=SOURCE)
        yield NonData(1, RowKind.HEADER)
        read = 1
        with utf8_copy(ctx.path, head.encoding) as path:
            batches = stream_records(path, head, COLUMNS, wanted, 1, ctx.batch_rows, ctx.path)
            for batch in batches:
                yield from transform(batch, read + 1, ctx, self.actors)
                read += batch.num_rows
        yield RowsRead(read)

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        cells = row.raw.get("cells", {})
        if "dataset" in row.raw:
            yield from retry_hdx(ctx, row)
            return
        if "event_date" not in cells:  # held by id and type only: see BRIEF
            from peacemonitor.importers.party_links import held_batch

            why = "held by id and event type only: import the file again if categories change"
            yield held_batch(
                [(row.row, QuarantineReason.OUTSIDE_CATEGORIES, "event_type", why, row.raw)]
            )
            return
        yield from transform(typed_batch(COLUMNS, cells), row.row, ctx, self.actors)


def transform(
    batch: pa.RecordBatch, first: int, ctx: ImportContext, actors: ActorNames
) -> Iterator[Item]:
    """One batch of ACLED events → observations, and a quarantine batch for the rest."""
    import pandas as pd
    import pyarrow as pa

    n = batch.num_rows
    rows = first + np.arange(n, dtype=np.int64)
    col = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
    problem = Problems(n)
    problem.bad_cells(batch)
    problem.mark(
        nulls(col["event_id_cnty"]), QuarantineReason.MISSING_ID, "event_id_cnty", "no event id"
    )
    day = np.asarray(col["event_date"].to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    problem.mark(np.isnat(day), QuarantineReason.BAD_DATE, "event_date", "no date")
    categories, reasons, details = _categories(col, n)
    problem.mark(reasons != None, reasons, "event_type", details)  # noqa: E711
    places = _places(ctx, col, n)
    problem.mark(places.failed(), places.field(3), "latitude", places.field(4))
    bad = np.flatnonzero(problem.any)
    outside = problem.reason[bad] == QuarantineReason.OUTSIDE_CATEGORIES
    brief = batch.select([c for c in BRIEF if c in col])
    for held, cells in ((bad[outside], brief), (bad[~outside], batch)):
        if len(held):
            sensitive = [c for c in cells.schema.names if c != "event_id_cnty"]
            ids = col["event_id_cnty"]
            reason, column, detail = problem.reason, problem.column, problem.detail
            yield quarantine_batch(cells, held, rows, ids, reason, column, detail, sensitive)
    good = np.flatnonzero(~problem.any)
    if not len(good):
        return
    every = len(good) == n
    category, vocabulary = pd.factorize(categories[good])
    sides = [col[c] for c in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2") if c in col]
    targeting = (
        subset(col["civilian_targeting"], good, every)
        if "civilian_targeting" in col
        else pa.nulls(len(good), pa.bool_())
    )
    yield event_table(
        rows, good, subset(col["event_id_cnty"], good, every), places,
        actor_lists(actors, sides, good), _attributes(col, good, every, places),
        category=dictionary(category, list(vocabulary)),
        unit=dictionary(np.zeros(len(good)), [Unit.EVENTS.value]),
        count=pa.array(np.ones(len(good))),
        date_first=pa.array(day[good]),
        date_precision=_precision(col, good, every),
        deaths_best=subset(col["fatalities"], good, every),
        civilian_targeting=targeting,
    )  # fmt: skip


BRIEF = ("event_id_cnty", "event_type", "sub_event_type", "inter1", "inter2")
"""All an out-of-scope event is held by (a quarter of ACLED's rows are peaceful protests): if
the categories change, importing the file again stores it and marks it resolved."""


def _categories(col: dict[str, Any], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(category, quarantine reason, detail) per row, computed per distinct combination."""
    import pyarrow as pa

    sub = col.get("sub_event_type", pa.nulls(n, pa.string()))
    inverse, keys = distinct_keys(col["event_type"], sub, col["inter1"], col["inter2"])
    legacy = "sub_event_type" not in col
    outcomes = [_category(k[0], k[1], k[2], k[3], legacy) for k in keys]
    table = np.array(outcomes, dtype=object).reshape(-1, 3)
    return table[inverse, 0], table[inverse, 1], table[inverse, 2]


def _category(
    event: str | None, sub: str | None, inter1: int | None, inter2: int | None, legacy: bool
) -> tuple[str | None, str | None, str | None]:
    if legacy and event:
        pair = LEGACY_EVENT_TYPES.get(event.strip().lower())
        if pair is None:
            return None, "category-unknown", f"legacy event type {event!r} has no one category"
        event, sub = pair
    found = acled_category(event or "", sub or "", inter1, inter2)
    if found is None:
        return (
            None,
            QuarantineReason.OUTSIDE_CATEGORIES,
            f"{event} / {sub}: outside the monitor's categories",
        )
    return found.value, None, None


def _precision(col: dict[str, Any], good: np.ndarray, every: bool) -> pa.Array:
    """time_precision 1 → day; 2 (within a week) and 3 (within a month) → month."""
    if "time_precision" not in col:
        return dictionary(np.zeros(len(good)), [Precision.DAY.value])
    value = np.nan_to_num(floats(col["time_precision"])[good], nan=1)
    return dictionary(np.where(value <= 1, 0, 1), [Precision.DAY.value, Precision.MONTH.value])


def _attributes(
    col: dict[str, Any], good: np.ndarray, every: bool, places: Places
) -> tuple[str, pa.Array]:
    import pyarrow as pa
    import pyarrow.compute as pc

    fields: dict[str, Any] = {
        name: col[name]
        for name in ("event_type", "sub_event_type", "inter1", "inter2", "geo_precision")
        if name in col
    }
    named = pa.array(np.asarray(places.field(2) != "point-in-polygon"))
    for name in ("country", "admin1", "admin2"):
        if name in col:
            fields[name] = pc.if_else(named, col[name], pa.nulls(len(named), pa.string()))
    return attributes_column(fields, None if every else good)


def _places(ctx: ImportContext, col: dict[str, Any], n: int) -> Places:
    """Colombian events by point under geo_precision (by admin names when there is no usable
    point); other countries' events at country level (ISO3, else 'ISO' + numeric code)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = Places(n)
    colombian = _colombian(col, n)
    foreign = np.flatnonzero(~colombian)
    if len(foreign):
        missing = pa.nulls(n, pa.string())
        iso = pc.binary_join_element_wise("ISO", col.get("iso", missing), "")
        named = pc.binary_join_element_wise("?", col["country"], "")
        code = pc.coalesce(col.get("iso3", missing), iso, named, "?")
        country_outcomes(foreign, code.take(pa.array(foreign)), out)
    lat, lon = floats(col["latitude"]), floats(col["longitude"])
    precision = floats(col["geo_precision"])
    usable = colombian & np.isfinite(lat) & np.isfinite(lon) & ctx.places.points
    outside = resolve_points(ctx.places, np.flatnonzero(usable), lat, lon, precision, "acled", out)
    by_name = np.union1d(np.flatnonzero(colombian & ~usable), outside)
    if len(by_name):
        depth = np.select([precision <= 2, precision <= 3], [2, 1], default=0)
        take = pa.array(by_name)
        admin2 = col["admin2"].take(take) if "admin2" in col else pa.nulls(len(by_name))
        admin1 = col["admin1"].take(take) if "admin1" in col else pa.nulls(len(by_name))
        inverse, keys = distinct_keys(admin1, admin2, pa.array(depth[by_name]))
        resolve_names(ctx.places, by_name, keys, inverse, out)
    return out


def _colombian(col: dict[str, Any], n: int) -> np.ndarray:
    import pyarrow.compute as pc

    mask = np.zeros(n, dtype=bool)
    for name, value in (("country", "Colombia"), ("iso", ISO_COLOMBIA), ("iso3", "COL")):
        if name in col:
            found = pc.equal(col[name], value).fill_null(False)
            mask |= np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return mask
