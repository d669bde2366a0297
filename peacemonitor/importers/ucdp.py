"""UCDP Georeferenced Event Dataset (GED) events: one observation per event, in deaths.

Layouts, recognised from the header: ``ucdp-ged-hdx`` (HDX's 45-column export of GED 19.x with its
HXL tag row under the header), ``ucdp-ged-45`` (the same columns without the tag row),
``ucdp-ged`` (the 49-column CSV of GED 20.1 on and of the Candidate events, with ``relid`` and
``code_status``) and ``ucdp-ged-headerless`` (a 49-column file published without its header, as
some Candidate releases were). Global files are welcome: rows of other countries are stored at
country level (ISO3 code, or ``GW`` + UCDP's Gleditsch–Ward ``country_id``) with their raw admin
names, never quarantined.

``count`` is ``best``; ``best``/``low``/``high`` and ``deaths_a/b/civilians/unknown`` are kept as
published, and a row breaking low ≤ best ≤ high is stored with ``deaths_order_broken`` set.
Identity is UCDP's ``id``. Location precision (``where_prec``) decides how far down a point may
resolve (docs/territories.md); without coordinates or boundaries, ``adm_1``/``adm_2`` names are used
under the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from peacemonitor.actor_names import ActorNames
from peacemonitor.categories import UCDP_TYPE_OF_VIOLENCE
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
from peacemonitor.importers.framework.items import Item, Layout, NonData, RowKind, RowsRead
from peacemonitor.importers.tabular import norm
from peacemonitor.model import Precision, QuarantineReason, Unit

if TYPE_CHECKING:
    import pyarrow as pa

    from peacemonitor.store import Store

SOURCE = "ucdp"
GED_49 = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
).split(",")
COLUMNS = (
    Column("id"),
    Column("type_of_violence", "integer"),
    Column("side_a"),
    Column("side_b"),
    Column("where_prec", "number"),
    Column("latitude", "number"),
    Column("longitude", "number"),
    Column("country"),
    Column("adm_1"),
    Column("adm_2"),
    Column("date_prec", "integer"),
    Column("date_start", "date"),
    Column("date_end", "date"),
    *(Column(d, "number") for d in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")),
    Column("best", "number"),
    Column("low", "number"),
    Column("high", "number"),
    Column("country_id"),
    Column("iso3"),
    Column("code_status"),
)
OPTIONAL = ("country_id", "iso3", "code_status")
REQUIRED = tuple(c.name for c in COLUMNS if c.name not in OPTIONAL)
DEATHS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
GW_COLOMBIA = "100"


def recognise(path: Path, head: CsvHead) -> tuple[str, dict[str, int], int]:
    """(layout, column name → index, lines before the first data record) from the header."""
    index = head.index()
    first = head.header[0].strip() if head.header else ""
    if first.isdigit() and len(head.header) == len(GED_49):
        wanted = {c.name: GED_49.index(c.name) for c in COLUMNS if c.name in GED_49}
        return "ucdp-ged-headerless", wanted, 0
    missing = [c for c in REQUIRED if norm(c) not in index]
    if missing:
        raise UnknownLayout(
            path, f"not a UCDP GED header: lacks {', '.join(missing)}", row=1, column=missing[0]
        )
    wanted = {c.name: index[norm(c.name)] for c in COLUMNS if norm(c.name) in index}
    hxl = head.second is not None and any(c.strip().startswith("#") for c in head.second)
    if "relid" in {norm(c) for c in head.header}:
        return "ucdp-ged", wanted, 1
    return ("ucdp-ged-hdx", wanted, 2) if hxl else ("ucdp-ged-45", wanted, 1)


class UcdpImporter(BaseImporter):
    """``peacemonitor import ucdp FILE``."""

    source = SOURCE
    uses_points = True
    streams = True
    revises = True  # records carry the source's own ids: a new version can replace them

    def __init__(self) -> None:
        self.actors = ActorNames({})

    def prepare(self, store: Store) -> None:
        self.actors = ActorNames.from_store(store)

    def read(self, ctx: ImportContext) -> Iterator[Item]:
        head = read_head(ctx.path, ctx.encoding)
        ctx.decoded_as(head.encoding)
        layout, wanted, skip = recognise(ctx.path, head)
        yield Layout(layout)
        for row in range(1, skip + 1):
            yield NonData(row, RowKind.HEADER)
        read = skip
        with utf8_copy(ctx.path, head.encoding) as path:
            batches = stream_records(path, head, COLUMNS, wanted, skip, ctx.batch_rows, ctx.path)
            for batch in batches:
                yield from transform(batch, read + 1, ctx, self.actors)
                read += batch.num_rows
        yield RowsRead(read)

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]:
        yield from transform(typed_batch(COLUMNS, row.raw["cells"]), row.row, ctx, self.actors)


def transform(
    batch: pa.RecordBatch, first: int, ctx: ImportContext, actors: ActorNames
) -> Iterator[Item]:
    """One batch of UCDP rows → an observation table and, for rows that cannot be stored, a
    quarantine batch."""
    import pyarrow as pa

    n = batch.num_rows
    rows = first + np.arange(n, dtype=np.int64)
    col = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
    problem = Problems(n)
    problem.bad_cells(batch)
    problem.mark(nulls(col["id"]), QuarantineReason.MISSING_ID, "id", "no UCDP id")
    start, end = _days(col["date_start"]), _days(col["date_end"])
    problem.mark(
        np.isnat(start) | np.isnat(end), QuarantineReason.BAD_DATE, "date_start", "no date"
    )
    best, low, high = (floats(col[c]) for c in ("best", "low", "high"))
    problem.mark(np.isnan(best), QuarantineReason.BAD_COUNT, "best", "no best estimate")
    violence = np.nan_to_num(floats(col["type_of_violence"]), nan=0).astype(np.int64)
    known = np.isin(violence, list(UCDP_TYPE_OF_VIOLENCE))
    problem.mark(~known, QuarantineReason.BAD_CATEGORY, "type_of_violence", "not 1, 2 or 3")
    places = _places(ctx, col, n)
    failed = places.failed()
    problem.mark(failed, places.field(3), "latitude", places.field(4))
    bad = np.flatnonzero(problem.any)
    if len(bad):
        yield quarantine_batch(
            batch, bad, rows, col["id"], problem.reason, problem.column, problem.detail
        )
    good = np.flatnonzero(~problem.any)
    if not len(good):
        return
    every = len(good) == n
    vocabulary = [c.value for c in UCDP_TYPE_OF_VIOLENCE.values()]
    category = np.searchsorted(list(UCDP_TYPE_OF_VIOLENCE), violence[good])
    broken = ~((low <= best) & (best <= high))
    yield event_table(
        rows, good, subset(col["id"], good, every), places,
        actor_lists(actors, [col["side_a"], col["side_b"]], good),
        _attributes(col, good, every, broken[good], start[good] != end[good], places),
        category=dictionary(category, vocabulary),
        unit=dictionary(np.zeros(len(good)), [Unit.DEATHS.value]),
        count=pa.array(best[good]),
        date_first=pa.array(start[good]),
        date_precision=_precision(start[good], end[good]),
        deaths_best=pa.array(best[good]),
        deaths_low=_maybe(low[good]),
        deaths_high=_maybe(high[good]),
    )  # fmt: skip


def _days(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def _precision(start: np.ndarray, end: np.ndarray) -> pa.Array:
    """The finest calendar unit holding start..end: day, month or year (a range crossing a
    year is filed under its start year; date_end stays in the attributes)."""
    same_month = start.astype("datetime64[M]") == end.astype("datetime64[M]")
    which = np.where(start == end, 0, np.where(same_month, 1, 2))
    vocabulary = [Precision.DAY.value, Precision.MONTH.value, Precision.YEAR.value]
    return dictionary(which, vocabulary)


def _maybe(values: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, mask=np.isnan(values))


def _whole(array: pa.Array) -> pa.Array:
    """Counts as the published integers (null where empty)."""
    import pyarrow as pa

    return array.cast(pa.int64())


def _attributes(
    col: dict[str, Any],
    good: np.ndarray,
    every: bool,
    broken: np.ndarray,
    ranged: np.ndarray,
    places: Places,
) -> tuple[str, pa.Array]:
    """What UCDP publishes beyond the stored columns; admin names only where they are the
    only place a row has (another country's rows, or rows placed by name), ``date_end`` only
    where it differs from ``date_start`` (``date_first``). Most events then share their
    attributes with many others, and the JSON is made once per distinct value."""
    import pyarrow as pa

    fields: dict[str, Any] = {
        "where_prec": _whole(subset(col["where_prec"], good, every)),
        "date_prec": subset(col["date_prec"], good, every),
        "date_end": _where(ranged, subset(col["date_end"], good, every)),
        **{d: _whole(subset(col[d], good, every)) for d in DEATHS},
        "deaths_order_broken": pa.array(broken),
    }
    if "code_status" in col:
        fields["code_status"] = subset(col["code_status"], good, every)
    named = np.asarray(places.field(2)[good] != "point-in-polygon")
    for name in ("country", "adm_1", "adm_2"):
        values = subset(col[name], good, every)
        fields[name] = _where(named, values)
    return attributes_column(fields)


def _where(mask: np.ndarray, values: Any) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(mask), values, pa.nulls(len(mask), values.type))


def _places(ctx: ImportContext, col: dict[str, Any], n: int) -> Places:
    """Colombian rows by point (by name when there is no usable point: no coordinates, no
    boundaries loaded, or a border point outside every municipality); other countries' rows at
    country level under their ISO3 or Gleditsch–Ward code."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = Places(n)
    colombian = _colombian(col)
    foreign = np.flatnonzero(~colombian)
    if len(foreign):
        take = pa.array(foreign)
        missing = pa.nulls(n, pa.string())
        gw = pc.binary_join_element_wise("GW", col.get("country_id", missing), "")
        named = pc.binary_join_element_wise("?", col["country"], "")
        code = pc.coalesce(col.get("iso3", missing), gw, named, "?")
        country_outcomes(foreign, code.take(take), out)
    lat, lon = floats(col["latitude"]), floats(col["longitude"])
    precision = floats(col["where_prec"])
    usable = colombian & np.isfinite(lat) & np.isfinite(lon) & ctx.places.points
    outside = resolve_points(ctx.places, np.flatnonzero(usable), lat, lon, precision, "ucdp", out)
    by_name = np.union1d(np.flatnonzero(colombian & ~usable), outside)
    if len(by_name):
        depth = np.select([precision <= 3, precision <= 5], [2, 1], default=0)
        take = pa.array(by_name)
        adm1 = _strip_suffix(col["adm_1"].take(take), "department")
        adm2 = _strip_suffix(col["adm_2"].take(take), "municipality")
        inverse, keys = distinct_keys(adm1, adm2, pa.array(depth[by_name]))
        resolve_names(ctx.places, by_name, keys, inverse, out)
    return out


def _colombian(col: dict[str, Any]) -> np.ndarray:
    import pyarrow.compute as pc

    def equal(name: str, value: str) -> np.ndarray:
        if name not in col:
            return np.zeros(len(col["id"]), dtype=bool)
        found = pc.equal(col[name], value).fill_null(False)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)

    return equal("country", "Colombia") | equal("country_id", GW_COLOMBIA) | equal("iso3", "COL")


def _strip_suffix(array: pa.Array, word: str) -> pa.Array:
    """'Tolima  department' → 'Tolima' (UCDP's admin names carry their unit, some with two
    spaces)."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(pc.replace_substring_regex(array, rf"\s+{word}\s*$", ""))
