"""Conflict-event files (UCDP, ACLED) read as Arrow batches: the machinery both importers share.

Event files run to millions of rows, so nothing here loops over rows in Python. DuckDB (an
in-memory connection, not the store) parses the CSV and streams text columns in batches; every
derived value — a place, a category, actor ids — is computed once per *distinct* input (a few
thousand locations, a few hundred actor strings) and broadcast back with ``take``. Memory is
bounded by the batch size, not the file size.

A row here is a CSV record (a quoted field may span lines); blank lines hold no record and are not
counted. Rows are numbered from the header (row 1).

Why over 600 lines: the CSV head, the typed batch SQL, per-distinct evaluation, places and the
problem marks are one pipeline both event importers run; ``Places`` is the next to move out.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from peacemonitor.actor_names import ActorNames
from peacemonitor.csvfiles import (
    UTF8_BOM,
    BrokenCsv,
    TextUndecodable,
    decode,
    parse_csv,
    refuse_mixed,
    sniff_delimiter,
)
from peacemonitor.importers.framework.errors import BadFile
from peacemonitor.importers.framework.items import QuarantineBatch
from peacemonitor.importers.framework.places import PlaceCache
from peacemonitor.importers.tabular import check_complete, norm, sniff_format
from peacemonitor.model import COUNTRY_CODE, QuarantineReason

if TYPE_CHECKING:
    import pyarrow as pa


SNIFF_BYTES = 1 << 20


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvHead:
    """The header and the record after it, and how the file is encoded and delimited."""

    encoding: str
    delimiter: str
    header: list[str]
    second: list[str] | None

    def index(self) -> dict[str, int]:
        """Normalised header name → column index (the first of duplicates)."""
        found: dict[str, int] = {}
        for i, name in enumerate(self.header):
            found.setdefault(norm(name), i)
        return found


def read_head(path: Path, encoding: str | None) -> CsvHead:
    """The first two records of a CSV file, its encoding found from its first megabyte by the
    one policy (``csvfiles``: UTF-8, else Windows-1252 — ACLED's older exports — only when the
    bytes prove it)."""
    if sniff_format(path) != "csv":
        raise BadFile(path, "a workbook, not a CSV file: this layout is read from CSV")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        text, name = decode(path, head, encoding, final=False)
        delimiter = sniff_delimiter(text)
        records = parse_csv(path, text, delimiter, limit=2, strict=False)
    except (TextUndecodable, BrokenCsv) as error:
        raise BadFile(path, error.detail, row=error.row) from None
    if not records:
        raise BadFile(path, "the file is empty")
    check_complete(path, delimiter, len(records[0]), name)
    return CsvHead(name, delimiter, records[0], records[1] if len(records) > 1 else None)


@contextmanager
def utf8_copy(path: Path, encoding: str) -> Iterator[Path]:
    """The file itself when UTF-8, else a temporary UTF-8 copy (DuckDB's core reader knows
    only UTF-8, UTF-16 and Latin-1); transcoded in chunks, so memory stays small."""
    if codecs.lookup(encoding).name == "utf-8" or encoding == UTF8_BOM:
        yield path
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / path.name
        offset = lines = 0
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
            while chunk := source.read(1 << 22):
                try:
                    sink.write(decoder.decode(chunk))
                    refuse_mixed(path, chunk, encoding, lines)
                except UnicodeDecodeError as error:
                    raise BadFile(
                        path, f"not valid {encoding} at byte {offset + error.start}"
                    ) from None
                except TextUndecodable as error:
                    raise BadFile(path, error.detail, row=error.row) from None
                offset += len(chunk)
                lines += chunk.count(b"\n")
            sink.write(decoder.decode(b"", final=True))
        yield target


@dataclass(frozen=True)
class Column:
    """A column an importer reads: its canonical name, the type DuckDB casts it to while
    parsing (``text``, ``number``, ``integer``, ``date`` or a custom SQL template over ``{c}``)
    and whether a non-empty cell that fails the cast is worth reporting."""

    name: str
    kind: str = "text"
    sql: str | None = None

    def expression(self, cell: str) -> str:
        if self.sql:
            return self.sql.format(c=cell)
        # DuckDB's casts allow surrounding spaces; COALESCE tries a fallback only on a miss
        if self.kind == "number":
            return f"TRY_CAST({cell} AS DOUBLE)"
        if self.kind == "integer":
            whole = f"TRY_CAST(TRY_CAST({cell} AS DOUBLE) AS BIGINT)"
            return f"COALESCE(TRY_CAST({cell} AS BIGINT), {whole})"
        if self.kind == "date":
            stamp = f"TRY_CAST(TRY_CAST({cell} AS TIMESTAMP) AS DATE)"
            return f"COALESCE(TRY_CAST({cell} AS DATE), {stamp})"
        return f"nullif({cell}, '')"

    @property
    def typed(self) -> bool:
        return self.kind != "text"

    def arrow_type(self) -> Any:
        import pyarrow as pa

        kinds = {"number": pa.float64(), "integer": pa.int64(), "date": pa.date32()}
        return kinds.get(self.kind, pa.string())


BAD = "bad_cells"
"""A column every stream adds: 'name=raw' for each typed cell that did not parse (else null)."""


def select_sql(columns: Sequence[Column], cells: dict[str, str], source: str) -> str:
    """A query over ``source`` turning raw text cells (name → SQL of the cell) into typed
    columns, plus ``bad_cells``: an inner projection casts once, the outer one only builds the
    report for rows where a cast failed."""
    used = [c for c in columns if c.name in cells]
    inner = [f'{c.expression(cells[c.name])} AS "{c.name}"' for c in used]
    typed = [c for c in used if c.typed]
    inner += [f'{cells[c.name]} AS "raw {c.name}"' for c in typed]
    failed = [f'("{c.name}" IS NULL AND trim("raw {c.name}") <> \'\')' for c in typed]
    report = [
        f'CASE WHEN "{c.name}" IS NULL AND trim("raw {c.name}") <> \'\' '
        f"THEN '{c.name}=' || \"raw {c.name}\" END"
        for c in typed
    ]
    bad = f"CASE WHEN {' OR '.join(failed)} THEN concat_ws('; ', {', '.join(report)}) END"
    outer = [f'"{c.name}"' for c in used] + [f"{bad if typed else 'NULL'} AS {BAD}"]
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"


def stream_records(
    path: Path,
    head: CsvHead,
    columns: Sequence[Column],
    wanted: dict[str, int],
    skip_lines: int,
    batch_rows: int,
    original: Path | None = None,
) -> Iterator[pa.RecordBatch]:
    """The ``wanted`` columns (name → index in the header) of every record after the first
    ``skip_lines`` lines, typed by DuckDB as it parses (so the casts run in its threads), in
    batches of about ``batch_rows``. A malformed record is a BadFile naming its line."""
    import duckdb

    names = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.header))) + "}"
    reader = (
        f"read_csv($path, header = false, skip = {int(skip_lines)}, columns = {names}, "
        "delim = $delim, quote = '\"', escape = '\"', auto_detect = false, strict_mode = true)"
    )
    sql = select_sql(columns, {name: f"c{i}" for name, i in wanted.items()}, reader)
    connection = duckdb.connect(config={"memory_limit": "512MB"})
    try:
        relation = connection.sql(sql, params={"path": str(path), "delim": head.delimiter})
        stream = relation.to_arrow_reader(batch_rows)
        pending: list[pa.RecordBatch] = []
        size = 0
        while True:
            try:
                batch = stream.read_next_batch()
            except StopIteration:
                break
            except (duckdb.Error, OSError) as error:  # Arrow's reader re-raises as OSError
                raise _csv_error(original or path, error) from None
            pending.append(batch)
            size += batch.num_rows
            if size >= batch_rows:  # DuckDB hands over its own small chunks: gather them
                yield _combine(pending)
                pending, size = [], 0
        if pending:
            yield _combine(pending)
    except (duckdb.Error, OSError) as error:
        raise _csv_error(original or path, error) from None
    finally:
        connection.close()


def typed_batch(columns: Sequence[Column], cells: dict[str, Any]) -> pa.RecordBatch:
    """A one-row batch from a quarantined row's cells, typed as the stream types them: the
    same SQL runs over it, so a retried row is read exactly as it was the first time."""
    import duckdb
    import pyarrow as pa

    present = [c for c in columns if c.name in cells]
    raw = pa.table({c.name: pa.array([_text(cells.get(c.name))], pa.string()) for c in present})
    connection = duckdb.connect()
    try:
        connection.register("raw_in", raw)
        sql = select_sql(present, {c.name: f'"{c.name}"' for c in present}, "raw_in")
        table = connection.sql(sql).to_arrow_table()
    finally:
        connection.close()
    if cells.get(BAD):  # the cell that did not parse was kept only as this report
        table = table.set_column(table.schema.get_field_index(BAD), BAD, pa.array([cells[BAD]]))
    return table.to_batches()[0]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _combine(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    import pyarrow as pa

    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


_LINE = re.compile(r"on Line: (\d+)")


def _csv_error(path: Path, error: Exception) -> BadFile:
    """DuckDB's CSV error as one line naming the line of the file, whether DuckDB raised it or
    Arrow's batch reader passed it on mid-stream (as an OSError); quoted text is cut short, so
    a 20 MB field never ends up in the message."""
    text = str(error)
    line = _LINE.search(text)
    reasons = [
        s.strip()
        for s in text.splitlines()[1:6]
        if s.strip() and not s.startswith(("Original Line", "Possible"))
    ]
    reason = reasons[0] if reasons else (text.splitlines() or ["unreadable"])[0]
    if "unicode" in text.lower():
        reason += " (give the right --encoding, e.g. cp1252)"
    return BadFile(path, f"broken CSV: {shorten(reason)}", row=int(line.group(1)) if line else None)


ERROR_TEXT_LIMIT = 300


def shorten(text: str, limit: int = ERROR_TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


# --- computing once per distinct value ---------------------------------------------------------


def _codes(
    arrays: Sequence[pa.Array | pa.ChunkedArray],
) -> tuple[np.ndarray, list[tuple[np.ndarray, list[Any]]]]:
    """Each row's distinct-combination code (0..k-1, in order of first appearance), and each
    column's indices and values. The combined code is re-factorised only when it could
    overflow."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    code = np.zeros(len(arrays[0]), dtype=np.int64)
    span = 1  # codes lie in [0, span)
    columns = []
    for array in arrays:
        encoded = pc.dictionary_encode(array)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries().combine_chunks()
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        size = len(encoded.dictionary) + 1
        if span * size >= 1 << 62:
            code, uniques = pd.factorize(code)
            span = len(uniques)
        code, span = code * size + indices + 1, span * size
        columns.append((indices, encoded.dictionary.to_pylist()))
    code, _ = pd.factorize(code)
    return code, columns


def _keys(
    code: np.ndarray, columns: list[tuple[np.ndarray, list[Any]]], rows: np.ndarray | None = None
) -> list[tuple[Any, ...]]:
    """Each code's tuple of values; ``code`` covers ``rows`` of the columns when given."""
    first = first_rows(code)
    if rows is not None:
        first = rows[first]
    return [
        tuple(values[i] if i >= 0 else None for i, values in ((ix[row], v) for ix, v in columns))
        for row in first.tolist()
    ]


def first_rows(code: np.ndarray) -> np.ndarray:
    """The first row of each code 0..k-1, codes numbered in order of first appearance (as
    ``pd.factorize`` numbers them): a code appears first where it exceeds every code before
    it — one pass, no sort."""
    if not len(code):
        return np.empty(0, dtype=np.int64)
    before = np.maximum.accumulate(np.concatenate(([-1], code[:-1])))
    return np.flatnonzero(code > before)


def distinct_keys(*arrays: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """(inverse, keys): each row's index into the distinct tuples of the arrays' values."""
    code, columns = _codes(arrays)
    return code, _keys(code, columns)


def attributes_column(
    fields: dict[str, Any], rows: np.ndarray | None = None
) -> tuple[str, pa.Array]:
    """Attributes of ``rows`` (all when None) as ``attributes_json``: JSON text made once per
    distinct combination of values (event types and precisions repeat: a few hundred per
    batch), cheap to store. When most rows are distinct, as ``attributes``, a struct DuckDB
    writes as JSON."""
    import json

    import pandas as pd
    import pyarrow as pa

    code, columns = _codes(list(fields.values()))
    if rows is not None:
        code, _ = pd.factorize(code[rows])
    if len(code) and int(code.max()) + 1 > len(code) // 8:
        arrays = [
            a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in fields.values()
        ]
        whole = pa.StructArray.from_arrays(arrays, list(fields))
        return "attributes", whole if rows is None else whole.take(pa.array(rows))
    names = list(fields)
    texts = [
        json.dumps(dict(zip(names, key, strict=True)), ensure_ascii=False, default=str)
        for key in _keys(code, columns, rows)
    ]
    array = pa.DictionaryArray.from_arrays(pa.array(code.astype(np.int32)), pa.array(texts))
    return "attributes_json", array


def per_distinct(
    fn: Callable[..., Any], *arrays: pa.Array | pa.ChunkedArray, type: Any = None
) -> pa.Array:
    """``fn`` applied to each distinct tuple of values, broadcast back to every row."""
    import pyarrow as pa

    inverse, keys = distinct_keys(*arrays)
    values = pa.array([fn(*key) for key in keys], type=type)
    return values.take(pa.array(inverse))


# --- actors ----------------------------------------------------------------------------------


def actor_lists(
    actors: ActorNames, columns: Sequence[pa.Array | pa.ChunkedArray], rows: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """(actor_ids, actor_raw) list arrays of the batch's ``rows`` from its actor columns,
    computed per distinct combination of their values (list arrays are costly to copy: each
    is built once, for the rows kept)."""
    import pyarrow as pa

    inverse, keys = distinct_keys(*columns)
    raw, ids = [], []
    for key in keys:
        cells = [c for c in key if c and c.strip()]
        raw.append(cells)
        found: list[str] = []
        for cell in cells:
            found += [a for a in actors.lookup(cell) if a not in found]
        ids.append(found)
    take = pa.array(inverse[rows])
    strings = pa.list_(pa.string())
    return pa.array(ids, type=strings).take(take), pa.array(raw, type=strings).take(take)


# --- places ----------------------------------------------------------------------------------

Outcome = tuple[Any, Any, Any, Any, Any]
"""(level, code, resolution, reason, detail): reason set when the row cannot be stored."""


class Places:
    """Each row's place as an index into a short list of distinct outcomes, so a million rows
    cost a few thousand outcome tuples and an int array — and become dictionary arrays."""

    def __init__(self, n: int) -> None:
        self.index = np.full(n, -1, dtype=np.int64)
        self.outcomes: list[Outcome] = []

    def assign(self, rows: np.ndarray, which: np.ndarray, outcomes: Sequence[Outcome]) -> None:
        """Row ``rows[i]`` gets ``outcomes[which[i]]``."""
        offset = len(self.outcomes)
        self.outcomes += list(outcomes)
        self.index[rows] = offset + np.asarray(which, dtype=np.int64)

    def field(self, i: int) -> np.ndarray:
        """Field ``i`` of every row's outcome (None where unassigned)."""
        values = np.array([o[i] for o in self.outcomes] + [None], dtype=object)
        return values[self.index]

    def failed(self) -> np.ndarray:
        """True where a row's place cannot be stored (or was never assigned)."""
        bad = np.array([o[3] is not None for o in self.outcomes] + [True])
        return bad[self.index]

    def arrays(self, rows: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
        """(territory_level, territory_code, resolution) of ``rows`` as dictionary arrays."""
        import pyarrow as pa

        index = pa.array(self.index[rows].astype(np.int32))
        return tuple(
            pa.DictionaryArray.from_arrays(
                index, pa.array([o[i] for o in self.outcomes], pa.string())
            )
            for i in range(3)
        )


def event_table(
    rows: np.ndarray,
    good: np.ndarray,
    record_id: pa.Array,
    places: Places,
    actors: tuple[pa.Array, pa.Array],
    attributes: tuple[str, pa.Array],
    **columns: pa.Array,
) -> pa.Table:
    """The observation table of an event file's stored rows (``good``): the columns every
    event importer fills alike — row number, its own id, one part, the place, the actors and
    the attributes (``attributes_json`` or ``attributes``) — and the importer's own
    (category, unit, count, dates, deaths …). The store takes columns by name."""
    import pyarrow as pa

    level, code, resolution = places.arrays(good)
    actor_ids, actor_raw = actors
    name, values = attributes
    table = {
        "row_number": pa.array(rows[good]),
        "record_id": record_id,
        "part": dictionary(np.zeros(len(good)), [""]),
        "territory_level": level,
        "territory_code": code,
        "resolution": resolution,
        "actor_ids": actor_ids,
        "actor_raw": actor_raw,
        **columns,
        name: values,
    }
    return pa.table(table)


def dictionary(values: np.ndarray, vocabulary: Sequence[Any]) -> pa.Array:
    """An int index array over a small vocabulary as an Arrow dictionary array."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(values, dtype=np.int32)), pa.array(list(vocabulary), pa.string())
    )


def resolve_points(
    places: PlaceCache,
    rows: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    precision: np.ndarray,
    scheme: str,
    out: Places,
) -> np.ndarray:
    """Resolve the points of ``rows`` (each distinct point and precision once) into ``out``;
    returns the rows whose point lies outside every municipality (left unassigned)."""
    locator = places.locator
    if locator is None or not len(rows):  # without a point index no row is usable
        return rows[:0]
    first, inverse = _distinct_points(lat[rows], lon[rows], precision[rows])
    pick = rows[first]
    found = locator.resolve_points(lat[pick], lon[pick], precision[pick], scheme)
    none = [None] * len(pick)  # 'too-imprecise' is the rule working, not a failure
    outcomes = list(zip(found.level, found.code, found.match, none, none, strict=True))
    outside = np.asarray(found.reason == "outside-country")[inverse]
    inside = ~outside
    out.assign(rows[inside], inverse[inside], outcomes)
    return rows[outside]


def _distinct_points(
    lat: np.ndarray, lon: np.ndarray, precision: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(index of each distinct point's first row, each row's distinct point) by hashing:
    events repeat a few thousand locations, and sorting a million points is slower."""
    import pandas as pd

    key = np.zeros(len(lat), dtype=np.int64)
    for values in (lat, lon, precision):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        key = key * (len(uniques) + 1) + codes
    inverse, _ = pd.factorize(key)
    return first_rows(inverse), inverse


def resolve_names(
    places: PlaceCache,
    rows: np.ndarray,
    keys: Sequence[tuple[str | None, str | None, int]],
    inverse: np.ndarray,
    out: Places,
) -> None:
    """Resolve (department, municipality, depth) keys — depth 2 municipality, 1 department,
    0 country — for ``rows``; ``inverse`` maps each row to its key."""
    outcomes = [_name_outcome(places, d, m, depth) for d, m, depth in keys]
    out.assign(rows, inverse, outcomes)


def _name_outcome(
    places: PlaceCache, department: str | None, municipality: str | None, depth: int
) -> Outcome:
    if depth <= 0:
        return ("country", COUNTRY_CODE, "country-only", None, None)
    if not department and not municipality:
        return (
            None,
            None,
            None,
            QuarantineReason.MISSING_PLACE,
            "no usable coordinates and no place names",
        )
    found = places.resolver.resolve_name(department, municipality if depth >= 2 else None)
    level = getattr(found.level, "value", found.level)
    reason = getattr(found.reason, "value", found.reason)
    if found.code is None or (reason is not None and level == "country"):
        detail = f"{department!r} / {municipality!r}: {found.detail or reason}"
        return (None, None, None, f"territory-{reason or 'unknown'}", detail)
    match = getattr(found.match, "value", found.match)
    return (level, found.code, match, None, None)


def country_outcomes(rows: np.ndarray, codes: pa.Array | pa.ChunkedArray, out: Places) -> None:
    """Rows of countries without a gazetteer: at country level under the code given."""
    inverse, keys = distinct_keys(codes)
    outcomes = [("country", k[0], "country-only", None, None) for k in keys]
    out.assign(rows, inverse, outcomes)


# --- quarantine in bulk -----------------------------------------------------------------------


def quarantine_batch(
    batch: pa.RecordBatch,
    rows: np.ndarray,
    numbers: np.ndarray,
    ids: pa.Array | pa.ChunkedArray | None,
    reason: np.ndarray,
    column: np.ndarray,
    detail: np.ndarray,
    sensitive: Sequence[str] = (),
) -> QuarantineBatch:
    """The ``rows`` of a batch as quarantined rows; raw holds the columns read, by name, so
    `quarantine retry` can read the row again."""
    import pyarrow as pa

    take = pa.array(rows)
    names = list(batch.schema.names)
    cells = pa.StructArray.from_arrays([batch.column(i).take(take) for i in range(len(names))],
                                       names)  # fmt: skip
    table = pa.table(
        {
            "row_number": pa.array(numbers[rows], type=pa.int64()),
            "record_id": ids.take(take) if ids is not None else pa.nulls(len(rows), pa.string()),
            "reason": pa.array(reason[rows], type=pa.string()),
            "column_name": pa.array(column[rows], type=pa.string()),
            "detail": pa.array(detail[rows], type=pa.string()),
            "raw": pa.StructArray.from_arrays([cells], ["cells"]),
            "sensitive_columns": pa.array([list(sensitive)] * len(rows), pa.list_(pa.string())),
        }
    )
    return QuarantineBatch(table)


class Problems:
    """The first reason each row of a batch cannot be stored, with its column and detail."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.column = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self.any = np.zeros(n, dtype=bool)

    def mark(self, mask: np.ndarray, reason: Any, column: Any, detail: Any) -> None:
        fresh = mask & ~self.any
        if not fresh.any():
            return
        self.any |= fresh
        for target, value in ((self.reason, reason), (self.column, column),
                              (self.detail, detail)):  # fmt: skip
            target[fresh] = value[fresh] if isinstance(value, np.ndarray) else value

    def bad_cells(self, batch: pa.RecordBatch) -> None:
        """Rows with a typed cell that did not parse: quarantined ``bad-value``."""
        bad = batch.column(batch.schema.get_field_index(BAD))
        if bad.null_count == len(bad):
            return
        text = np.asarray(bad.to_numpy(zero_copy_only=False), dtype=object)
        mask = np.array([t is not None for t in text])
        column = np.array([t.split("=", 1)[0] if t else None for t in text], dtype=object)
        self.mark(mask, QuarantineReason.BAD_VALUE, column, text)


def nulls(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a cell is null (empty or did not parse)."""
    import pyarrow.compute as pc

    return np.asarray(pc.is_null(array).to_numpy(zero_copy_only=False), dtype=bool)


def floats(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A numeric column as floats, NaN where null."""
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=float)


def subset(array: pa.Array | pa.ChunkedArray, rows: np.ndarray, everything: bool) -> Any:
    """``array`` at ``rows``; the array itself when every row is kept (no copy)."""
    import pyarrow as pa

    return array if everything else array.take(pa.array(rows))
