"""The import framework: every input row stored, already present, quarantined or named non-data.

An importer is a generator. For one file it yields, in any order: the ``Layout`` it recognised,
``NonData`` rows (title, header, total, footnote, blank), ``Quarantined`` rows (raw values, reason,
column), ``DeclaredTotal``s (the file's own TOTAL row), Arrow batches of observations (built with
``BatchBuilder``, bounded in size so a 1M-row file never sits in memory as Python objects) and
finally ``RowsRead``. The framework, not the importer, counts where every row went, checks that
the counts add up and that each TOTAL row equals what the file's rows sum to, and writes it all in
one transaction: a failure or Ctrl-C leaves the store as it was. Identity is (source, record_id,
part) and is checked with an anti-join, so importing a file again stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import Category, Unit, Unresolved
from peacemonitor.store import Store

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

DEFAULT_BATCH_ROWS = 50_000
REDACTED = "<redacted: sensitive>"


# --- errors ----------------------------------------------------------------------------------


def where(file: str | Path, row: int | None = None, column: str | None = None) -> str:
    """ "homicidios_2011.xlsx, row 12, column CANTIDAD": the place a user opens to fix a file."""
    parts = [Path(file).name]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column.strip()}")
    return ", ".join(parts)


class ImportFailed(PeacemonitorError):
    """A file could not be imported; the store is unchanged."""

    def __init__(
        self, file: str | Path, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column = str(file), row, column
        super().__init__(f"{where(file, row, column)}: {message}")


class UnknownSource(PeacemonitorError):
    """No importer is registered under that name."""


class BadFile(ImportFailed):
    """The file cannot be read at all: not the format it claims, wrong encoding, truncated."""


class UnknownLayout(ImportFailed):
    """No header row of a known layout, or a header that lacks a required column."""


class TotalMismatch(ImportFailed):
    """The file's own TOTAL row disagrees with the sum of its rows."""


class AccountingError(ImportFailed):
    """Rows went missing or were counted twice: an importer bug, never committed."""


class TerritoriesUnavailable(PeacemonitorError):
    """Imports need the gazetteer (DIVIPOLA) and it is not loaded."""


# --- what an importer yields ------------------------------------------------------------------


class RowKind(StrEnum):
    """Rows of a file that are not data, by kind."""

    TITLE = "title"
    HEADER = "header"
    TOTAL = "total"
    FOOTNOTE = "footnote"
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class Layout:
    """The layout an importer recognised from the header (never from the file name)."""

    name: str


@dataclass(frozen=True, slots=True)
class NonData:
    row: int
    kind: RowKind


@dataclass(slots=True)
class Quarantined:
    """A row that could not be stored, kept with its raw values so `quarantine retry` can
    revisit it. ``counts`` (part → count) lets the TOTAL check include it; ``record_id`` is the
    identity the row would have, so a row stored meanwhile is not quarantined twice."""

    row: int
    reason: str
    column: str | None
    raw: dict[str, Any]
    detail: str = ""
    record_id: str | None = None
    counts: dict[str, float] = field(default_factory=dict)
    sensitive_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclaredTotal:
    """A total the file states about itself; ``part`` limits it to one wide column (a year)."""

    row: int
    column: str
    value: float
    part: str | None = None


@dataclass(frozen=True, slots=True)
class RowsRead:
    """The last item: how many rows the file has, counted by the importer's reader."""

    rows: int


# --- Arrow batches ------------------------------------------------------------------------------

CORE_COLUMNS = (
    "row_number",
    "record_id",
    "part",
    "category",
    "unit",
    "count",
    "date_first",
    "date_precision",
    "territory_level",
    "territory_code",
    "resolution",
)
OPTIONAL_COLUMNS = (
    "actor_ids",
    "actor_raw",
    "deaths_best",
    "deaths_low",
    "deaths_high",
    "civilian_targeting",
    "attributes",
    "sensitive",
)


_CORE_TYPES = ("int64", "string", "string", "string", "string", "float64", "date32") + (
    "string",
) * 4


class BatchBuilder:
    """Collects observations as tuples and hands them over as one Arrow table.

    Tuples, not objects, because the Police files alone are 250k rows: one append per row is
    the cheapest thing Python can do. A full tuple is ``(row, record_id, part, category, unit,
    count, date, precision, level, code, resolution, *attributes, *sensitive)``; columns named
    in ``constants`` (the same for every row of the builder, e.g. the category) are left out of
    the tuple — ``layout`` lists what remains, in order, for fast paths that append to ``rows``
    directly. A record_id of None means "<file sha256>:<row>", filled in by the framework.
    Attributes and sensitive values are fixed per builder (one layout), become Arrow structs
    and are stored as JSON by DuckDB.
    """

    def __init__(
        self,
        attribute_keys: Sequence[str] = (),
        sensitive_keys: Sequence[str] = (),
        size: int = DEFAULT_BATCH_ROWS,
        constants: dict[str, Any] | None = None,
    ) -> None:
        self.attribute_keys = tuple(attribute_keys)
        self.sensitive_keys = tuple(sensitive_keys)
        self.size = size
        self.constants = dict(constants or {})
        core = [c for c in CORE_COLUMNS if c not in self.constants]
        self.layout = tuple(core) + self.attribute_keys + self.sensitive_keys
        self._keep = [i for i, c in enumerate(CORE_COLUMNS) if c not in self.constants]
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self,
        row: int,
        record_id: str | None,
        part: str,
        category: str,
        unit: str,
        count: float,
        date: dt.date,
        precision: str,
        place: Place,
        attributes: tuple[Any, ...] = (),
        sensitive: tuple[Any, ...] = (),
    ) -> None:
        """One observation; ``attributes``/``sensitive`` in the order of the builder's keys.
        Values of constant columns are ignored (the constant wins)."""
        core: tuple[Any, ...] = (
            row,
            record_id,
            part,
            category,
            unit,
            count,
            date,
            precision,
            *place,
        )
        if self.constants:
            core = tuple(core[i] for i in self._keep)
        self.rows.append(core + attributes + sensitive)

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.size

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> pa.Table | None:
        """The collected rows as an Arrow table (None when empty); the builder starts afresh."""
        import pyarrow as pa

        if not self.rows:
            return None
        size = len(self.rows)
        columns = dict(zip(self.layout, zip(*self.rows, strict=True), strict=True))
        self.rows.clear()  # in place: fast paths hold a bound ``rows.append``
        arrays, names = [], []
        for name, kind in zip(CORE_COLUMNS, _CORE_TYPES, strict=True):
            values = columns[name] if name in columns else [self.constants[name]] * size
            if name == "record_id" and not any(values):
                continue  # every id derived from the row: the framework fills them in
            arrays.append(pa.array(values, type=getattr(pa, kind)()))
            names.append(name)
        for name, keys in (("attributes", self.attribute_keys), ("sensitive", self.sensitive_keys)):
            if keys:
                fields = [pa.array(columns[k]) for k in keys]
                arrays.append(pa.StructArray.from_arrays(fields, keys))
                names.append(name)
        return pa.table(arrays, names=names)


# --- places ----------------------------------------------------------------------------------

Place = tuple[str, str, str]
"""(territory_level, territory_code, resolution) as stored."""


class ResolutionLike(Protocol):
    """The parts of peacemonitor.gazetteer.Resolution importers read."""

    @property
    def level(self) -> Any: ...
    @property
    def code(self) -> str | None: ...
    @property
    def match(self) -> Any: ...
    @property
    def reason(self) -> Any: ...
    @property
    def detail(self) -> Any: ...


class Resolver(Protocol):
    """What importers need from the gazetteer (peacemonitor.gazetteer.Gazetteer)."""

    def resolve_name(self, department: str | None, municipality: str | None) -> ResolutionLike: ...

    def resolve_code(self, code: str | int | float) -> ResolutionLike: ...


@dataclass(frozen=True, slots=True)
class Unplaced:
    """Why a place could not be resolved: becomes a quarantine reason."""

    reason: str
    detail: str


class PlaceCache:
    """Resolves each distinct code or name pair once per import: files repeat a few thousand
    places hundreds of thousands of times."""

    def __init__(self, resolver: Resolver, points: bool = False) -> None:
        self.resolver = resolver
        self.points = points  # the point index was loaded before the store was opened to write
        self._codes: dict[str, Place | Unplaced] = {}
        self._names: dict[tuple[str, str], Place | Unplaced] = {}

    def code(self, code: str) -> Place | Unplaced:
        found = self._codes.get(code)
        if found is None:
            found = self._codes[code] = _place(self.resolver.resolve_code(code), code)
        return found

    def point(self, lat: float, lon: float) -> Place | Unplaced:
        """A point inside a municipality's polygon, when the gazetteer can locate points (its
        boundaries are loaded); otherwise Unplaced, never an error."""
        locate = getattr(self.resolver, "resolve_point", None)
        if locate is None or not self.points:
            return Unplaced("territory-unknown", "no point index (boundaries not loaded)")
        try:
            return _place(locate(lat, lon), f"point {lat}, {lon}")
        except PeacemonitorError as error:
            return Unplaced("territory-unknown", str(error))

    def name(self, department: str, municipality: str) -> Place | Unplaced:
        key = (department, municipality)
        found = self._names.get(key)
        if found is None:
            resolution = self.resolver.resolve_name(department, municipality)
            found = self._names[key] = _place(resolution, f"{department} / {municipality}")
        return found


def _place(resolution: ResolutionLike, asked: str) -> Place | Unplaced:
    if resolution.reason is not None or not resolution.code:
        reason = str(getattr(resolution.reason, "value", resolution.reason or Unresolved.UNKNOWN))
        detail = str(resolution.detail or "")
        return Unplaced(f"territory-{reason}", f"{asked!r}: {detail}".rstrip(": "))
    match = getattr(resolution.match, "value", resolution.match)
    level = getattr(resolution.level, "value", resolution.level)
    return (str(level), str(resolution.code), str(match))


def load_resolver(store: Store) -> Resolver:
    """The gazetteer from the store; a named error when territories are not loaded."""
    try:
        from peacemonitor.gazetteer import Gazetteer
    except ImportError as error:  # pragma: no cover - only before the territories module lands
        raise TerritoriesUnavailable(
            "this peacemonitor has no gazetteer: territories are needed to import"
        ) from error
    return Gazetteer.from_store(store)


# --- importer protocol and registry ----------------------------------------------------------


@dataclass(frozen=True)
class ImportContext:
    """What an importer may use: the file, its checksum, the places, the batch size."""

    path: Path
    sha256: str
    places: PlaceCache
    encoding: str | None = None
    batch_rows: int = DEFAULT_BATCH_ROWS
    prefetched: Future[list[tuple[str, list[list[Any]]]]] | None = None

    def record_id(self, row: int) -> str:
        """The identity of a row without a source id: never its content, always its place."""
        return f"{self.sha256}:{row}"

    def sheets(self) -> list[tuple[str, list[list[Any]]]]:
        """The file's sheets as rows (a CSV is one sheet), read ahead when the framework could."""
        if self.prefetched is not None:
            return self.prefetched.result()
        from peacemonitor.importers.tabular import read_sheets

        return list(read_sheets(self.path, self.encoding))


@dataclass(frozen=True)
class QuarantineRow:
    """A stored quarantined row handed back to its importer by `quarantine retry`."""

    row: int
    layout: str | None
    record_id: str | None
    raw: dict[str, Any]


Item = Layout | NonData | Quarantined | DeclaredTotal | RowsRead | Any  # Any: a pyarrow Table


class Importer(Protocol):
    """A source's importer. ``read`` yields the items above for one file; ``retry`` yields a
    batch or a Quarantined for one stored quarantined row, after places or aliases improved."""

    source: str

    def read(self, ctx: ImportContext) -> Iterator[Item]: ...

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]: ...


def importers() -> dict[str, Importer]:
    """The registered importers by SOURCE name (``peacemonitor.importers.IMPORTERS``)."""
    from peacemonitor.importers import IMPORTERS

    return {name: factory() for name, factory in IMPORTERS.items()}


def get_importer(source: str) -> Importer:
    from peacemonitor.importers import IMPORTERS

    if source not in IMPORTERS:
        known = ", ".join(sorted(IMPORTERS))
        raise UnknownSource(f"no importer for {source!r}: known sources are {known}")
    return IMPORTERS[source]()


# --- the report --------------------------------------------------------------------------------


class TotalCheck(BaseModel):
    row: int
    column: str
    part: str | None
    declared: float
    stored: float
    quarantined: float


class CoverageSpan(BaseModel):
    category: str
    unit: str
    territory_level: str
    first: dt.date
    last: dt.date


class ImportReport(BaseModel):
    """Where every row of one file went. rows_read always equals the sum of the rest."""

    import_id: int
    source: str
    kind: str = "file"
    file: str
    sha256: str
    layout: str | None
    rows_read: int
    rows_non_data: dict[str, int] = Field(default_factory=dict)
    rows_stored: int = 0
    rows_already_present: int = 0
    rows_quarantined: dict[str, int] = Field(default_factory=dict)
    observations_stored: int = 0
    totals: list[TotalCheck] = Field(default_factory=list)
    coverage: list[CoverageSpan] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def accounted(self) -> int:
        return (
            sum(self.rows_non_data.values())
            + self.rows_stored
            + self.rows_already_present
            + sum(self.rows_quarantined.values())
        )


# --- running an import ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        raise BadFile(path, f"cannot read the file: {error.strerror or error}") from None
    return digest.hexdigest()


ProgressFn = Callable[[int], None]


def import_file(
    store: Store,
    source: str,
    path: Path,
    resolver: Resolver,
    *,
    encoding: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import one file atomically and idempotently; return where every row went."""
    (outcome,) = import_files(
        store, source, [path], resolver, encoding=encoding, batch_rows=batch_rows,
        progress=progress,
    )  # fmt: skip
    if isinstance(outcome, ImportFailed):
        raise outcome
    return outcome


def import_files(
    store: Store,
    source: str,
    paths: Sequence[Path],
    resolver: Resolver,
    *,
    encoding: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: ProgressFn | None = None,
    on_file: Callable[[Path, ImportReport | ImportFailed], None] | None = None,
) -> list[ImportReport | ImportFailed]:
    """Import several files, each in its own transaction: a file that fails (its error is
    returned in its place) leaves the store as it was before that file, and the next file
    goes on. One connection serves them all, committing after each file, and a thread reads
    the next file while this one is stored: re-opening the store per file cost more than
    parsing the Police files. The store stays locked for the command (seconds)."""
    importer = get_importer(source)
    places = PlaceCache(
        resolver, points=getattr(importer, "uses_points", False) and _points(resolver)
    )
    outcomes: list[ImportReport | ImportFailed] = []
    with ThreadPoolExecutor(max_workers=1) as pool, store.write() as db:
        ahead = _read_ahead(pool, [Path(p) for p in paths], encoding)
        for index, path in enumerate(Path(p) for p in paths):
            outcome = _one_file(
                db, importer, path, places, ahead, index, encoding, batch_rows, progress
            )
            outcomes.append(outcome)
            if on_file:
                on_file(path, outcome)
    return outcomes


def _points(resolver: Resolver) -> bool:
    """Load the gazetteer's point index now, while no write connection is open (it reads the
    store); False when boundaries are not loaded, so points are simply not used."""
    load = getattr(resolver, "point_index", None)
    if load is None:
        return False
    try:
        load()
    except PeacemonitorError:
        return False
    return True


def _read_ahead(
    pool: ThreadPoolExecutor, paths: list[Path], encoding: str | None
) -> Callable[[int], tuple[Future[str], Future[list[tuple[str, list[list[Any]]]]]]]:
    """Futures of (checksum, sheets) per file index, each submitted one file ahead."""
    from peacemonitor.importers.tabular import read_sheets

    futures: dict[int, tuple[Future[str], Future[list[tuple[str, list[list[Any]]]]]]] = {}

    def submit(index: int) -> None:
        if index < len(paths) and index not in futures:
            path = paths[index]
            futures[index] = (
                pool.submit(file_sha256, path),
                pool.submit(lambda: list(read_sheets(path, encoding))),
            )

    def get(index: int) -> tuple[Future[str], Future[list[tuple[str, list[list[Any]]]]]]:
        submit(index)
        submit(index + 1)
        return futures.pop(index)

    return get


def _one_file(
    db: duckdb.DuckDBPyConnection,
    importer: Importer,
    path: Path,
    places: PlaceCache,
    ahead: Callable[[int], tuple[Future[str], Future[list[tuple[str, list[list[Any]]]]]]],
    index: int,
    encoding: str | None,
    batch_rows: int,
    progress: ProgressFn | None,
) -> ImportReport | ImportFailed:
    """One file in one transaction of ``db``: committed when its accounting holds, rolled
    back on any error (Ctrl-C included, which then ends the command)."""
    sha, sheets = ahead(index)
    try:
        ctx = ImportContext(path, sha.result(), places, encoding, batch_rows, prefetched=sheets)
        report = _Run(db, importer.source, ctx, kind="file", progress=progress).execute(
            importer.read(ctx)
        )
    except ImportFailed as error:
        db.rollback()
        db.begin()
        return error
    except BaseException:
        raise  # store.write() rolls the open transaction back
    db.commit()
    db.begin()
    return report


@dataclass
class _Run:
    """One import (or retry) inside one write transaction: the accounting lives here."""

    db: duckdb.DuckDBPyConnection
    source: str
    ctx: ImportContext
    kind: str
    progress: ProgressFn | None = None
    expected: list[int] | None = None
    layout: str | None = None
    import_id: int = 0
    started: float = field(default_factory=time.monotonic)
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    non_data: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    rows_seen: list[Any] = field(default_factory=list)
    stored: int = 0
    present: int = 0
    observations: int = 0
    rows_read: int | None = None
    declared: list[DeclaredTotal] = field(default_factory=list)
    sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    quarantined_sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    held: list[Quarantined] = field(default_factory=list)
    coverage: list[CoverageSpan] = field(default_factory=list)
    resolved_rows: list[int] = field(default_factory=list)

    def execute(self, items: Iterable[Item]) -> ImportReport:
        self.import_id = int(_scalar(self.db, "SELECT nextval('import_ids')"))
        self._has_source = self._source_has_observations()
        self._seen_file = self._file_seen_before()
        for item in items:
            self._take(item)
        self._store_quarantined()
        report = self._report()
        self._check(report)
        self._record(report)
        return report

    def _take(self, item: Item) -> None:
        if isinstance(item, NonData):
            self.non_data[item.kind.value] += 1
            self.rows_seen.append(item.row)
        elif isinstance(item, Quarantined):
            self.held.append(item)
        elif isinstance(item, DeclaredTotal):
            self.declared.append(item)
        elif isinstance(item, Layout):
            self.layout = item.name
        elif isinstance(item, RowsRead):
            self.rows_read = item.rows
        else:
            self._store_batch(item)

    def _file_seen_before(self) -> bool:
        """Whether this file's rows may already be stored or held: an earlier import of the same
        checksum. Rows whose identity derives from the checksum cannot be present otherwise."""
        return bool(
            _scalar(
                self.db,
                "SELECT (SELECT count(*) FROM imports WHERE source = $1 AND file_sha256 = $2) "
                "+ (SELECT count(*) FROM quarantine WHERE source = $1 AND file_sha256 = $2)",
                [self.source, self.ctx.sha256],
            )
        )

    def _source_has_observations(self) -> bool:
        return bool(
            _scalar(
                self.db,
                "SELECT count(*) FROM (SELECT 1 FROM observations WHERE source = ? LIMIT 1)",
                [self.source],
            )
        )

    def _store_batch(self, table: pa.Table) -> None:
        """Stage the batch, mark what is already present, insert the rest, account per row.

        A file never seen before with row-derived ids cannot hold anything already stored:
        its batch is inserted straight from Arrow through a view, with no copy."""
        own_ids = "record_id" in table.schema.names
        check = self._has_source if own_ids else self._seen_file
        self.db.register("batch_in", table)
        try:
            staged = self._stage(table.schema.names, check, own_ids)
            rows = self.db.execute(
                f"SELECT row_number, bool_and(present) AS present FROM {staged} GROUP BY ALL"
            ).fetchnumpy()
            numbers, all_present = rows["row_number"], rows["present"]
            inserted = int(
                _scalar(self.db, _INSERT_SQL.format(staged), [self.source, self.import_id]) or 0
            )
            for part, total in self.db.execute(_SUMS_SQL.format(staged)).fetchall():
                self.sums[part] += float(total or 0)
            for values in self.db.execute(_COVERAGE_SQL.format(staged)).fetchall():
                self.coverage.append(CoverageSpan(**dict(zip(_SPAN_KEYS, values, strict=True))))
        finally:
            self.db.unregister("batch_in")
        self.rows_seen.extend(numbers.tolist())
        present = int(all_present.sum())
        self.present += present
        self.stored += len(numbers) - present
        self.resolved_rows.extend(numbers.tolist())
        self.observations += inserted
        self._has_source = self._has_source or bool(inserted)
        if self.progress:
            self.progress(len(numbers))

    def _stage(self, names: Sequence[str], check: bool, own_ids: bool) -> str:
        """The name of a relation over the batch in the target columns plus ``present``."""
        select = _select_sql(names, self.ctx.sha256)
        if not check and not own_ids:
            self.db.execute(
                f"CREATE OR REPLACE TEMP VIEW staging_view AS SELECT *, false AS present "
                f"FROM (SELECT {select} FROM batch_in)"
            )
            return "staging_view"
        self.db.execute(
            _staging_sql(select, check, own_ids), {"source": self.source} if check else {}
        )
        return "staging"

    def _store_quarantined(self) -> None:
        """Quarantine what could not be stored, unless stored meanwhile or held already."""
        for item in self.held:
            if item.record_id and self._stored_already(item.record_id):
                self.present += 1
                self.rows_seen.append(item.row)
                self.resolved_rows.append(item.row)
                continue
            self.quarantined[item.reason] += 1
            self.rows_seen.append(item.row)
            for part, value in item.counts.items():
                self.quarantined_sums[part] += value
            self._hold(item)
        self._resolve_held_rows()

    def _stored_already(self, record_id: str) -> bool:
        return bool(
            _scalar(
                self.db,
                "SELECT count(*) FROM observations WHERE source = ? AND record_id = ?",
                [self.source, record_id],
            )
        )

    def _hold(self, item: Quarantined) -> None:
        if self.kind == "retry":
            self.db.execute(
                "UPDATE quarantine SET reason = ?, column_name = ?, detail = ? "
                "WHERE source = ? AND file_sha256 = ? AND row_number = ? AND resolved_at IS NULL",
                [item.reason, item.column, item.detail, self.source, self.ctx.sha256, item.row],
            )
            return
        exists = _scalar(
            self.db,
            "SELECT count(*) FROM quarantine WHERE source = ? AND file_sha256 = ? "
            "AND row_number = ? AND resolved_at IS NULL",
            [self.source, self.ctx.sha256, item.row],
        )
        if exists:
            return
        self.db.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
            [
                self.import_id,
                self.source,
                self.layout,
                self.ctx.path.name,
                self.ctx.sha256,
                item.row,
                item.record_id,
                item.reason,
                item.column,
                item.detail,
                json.dumps(jsonable(item.raw), ensure_ascii=False),
                list(item.sensitive_columns),
            ],
        )

    def _resolve_held_rows(self) -> None:
        """Rows stored now that an earlier import quarantined are marked resolved."""
        if not self.resolved_rows or not self._seen_file:
            return
        self.db.execute(
            "UPDATE quarantine SET resolved_at = now(), resolved_import_id = ? "
            "WHERE source = ? AND file_sha256 = ? AND resolved_at IS NULL "
            "AND row_number IN (SELECT unnest(?::BIGINT[]))",
            [self.import_id, self.source, self.ctx.sha256, self.resolved_rows],
        )

    def _report(self) -> ImportReport:
        totals = [
            TotalCheck(
                row=d.row,
                column=d.column,
                part=d.part,
                declared=d.value,
                stored=_part_sum(self.sums, d.part),
                quarantined=_part_sum(self.quarantined_sums, d.part),
            )
            for d in self.declared
        ]
        return ImportReport(
            import_id=self.import_id,
            source=self.source,
            kind=self.kind,
            file=self.ctx.path.name,
            sha256=self.ctx.sha256,
            layout=self.layout,
            rows_read=self.rows_read if self.rows_read is not None else -1,
            rows_non_data=dict(self.non_data),
            rows_stored=self.stored,
            rows_already_present=self.present,
            rows_quarantined=dict(self.quarantined),
            observations_stored=self.observations,
            totals=totals,
            coverage=merge_spans(self.coverage),
            seconds=round(time.monotonic() - self.started, 3),
        )

    def _check(self, report: ImportReport) -> None:
        """The framework's own checks: every row once, the sums adding up, TOTAL rows equal."""
        path = self.ctx.path
        if self.rows_read is None:
            raise AccountingError(path, "the importer never said how many rows it read")
        _check_rows_once(path, self.rows_seen, self.rows_read, self.expected)
        if report.accounted != report.rows_read:
            raise AccountingError(
                path,
                f"rows_read {report.rows_read} != non-data + stored + already present + "
                f"quarantined = {report.accounted}",
            )
        for check in report.totals:
            if not math.isclose(check.declared, check.stored + check.quarantined, abs_tol=1e-6):
                raise TotalMismatch(
                    path,
                    f"the file's TOTAL says {check.declared:g} but its rows sum to "
                    f"{check.stored + check.quarantined:g} (stored {check.stored:g}, "
                    f"quarantined {check.quarantined:g})",
                    row=check.row,
                    column=check.column,
                )

    def _record(self, report: ImportReport) -> None:
        self.db.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.import_id,
                report.source,
                report.kind,
                report.layout,
                report.file,
                report.sha256,
                self.started_at,
                dt.datetime.now(),
                report.seconds,
                report.rows_read,
                json.dumps(report.rows_non_data),
                report.rows_stored,
                report.rows_already_present,
                json.dumps(report.rows_quarantined),
                report.observations_stored,
                json.dumps([t.model_dump() for t in report.totals]),
                json.dumps([s.model_dump(mode="json") for s in report.coverage]),
            ],
        )


def _scalar(db: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first value of a query, reading the whole result (DuckDB 2 refuses new work on a
    connection with an unfinished one)."""
    rows = db.execute(sql, list(params)).fetchall()
    return rows[0][0] if rows else None


_SPAN_KEYS = ("category", "unit", "territory_level", "first", "last")


def _part_sum(sums: dict[str, float], part: str | None) -> float:
    return sum(sums.values()) if part is None else sums.get(part, 0.0)


def _check_rows_once(
    path: Path, rows: list[int], rows_read: int, expected: list[int] | None = None
) -> None:
    """Each row accounted for exactly once: rows 1..rows_read of a file, or the rows retried."""
    import numpy as np

    seen = np.asarray(rows, dtype=np.int64)
    if expected is None and len(seen) == rows_read and (len(seen) == 0 or seen.min() >= 1):
        if len(seen) == 0 or (seen.max() <= rows_read and np.bincount(seen).max() == 1):
            return  # the common case, in O(n); anything else is explained below
    unique, counts = np.unique(seen, return_counts=True)
    if len(unique) and counts.max() > 1:
        raise AccountingError(path, "row accounted for twice", row=int(unique[counts > 1][0]))
    wanted = np.arange(1, rows_read + 1) if expected is None else np.unique(expected)
    extra = np.setdiff1d(unique, wanted)
    if len(extra):
        raise AccountingError(path, f"row outside the {rows_read} rows read", row=int(extra[0]))
    missing = np.setdiff1d(wanted, unique)
    if len(missing):
        raise AccountingError(
            path, "row neither stored, quarantined nor non-data", row=int(missing[0])
        )


def merge_spans(spans: Iterable[CoverageSpan]) -> list[CoverageSpan]:
    """One span per (category, unit, level): from the earliest first to the latest last."""
    merged: dict[tuple[str, str, str], CoverageSpan] = {}
    for span in spans:
        key = (span.category, span.unit, span.territory_level)
        old = merged.get(key)
        merged[key] = (
            span
            if old is None
            else old.model_copy(
                update={"first": min(old.first, span.first), "last": max(old.last, span.last)}
            )
        )
    return [merged[key] for key in sorted(merged)]


_TARGET = (
    "record_id, part, row_number, category, unit, count, date_first, date_precision, "
    "territory_level, territory_code, resolution, actor_ids, actor_raw, deaths_best, "
    "deaths_low, deaths_high, civilian_targeting, attributes, sensitive"
)


def _column_sql(name: str, names: Sequence[str]) -> str:
    if name == "record_id":
        derived = "$sha || ':' || row_number"
        return f"coalesce(record_id, {derived})" if name in names else derived
    if name not in names:
        casts = {
            "actor_ids": "VARCHAR[]",
            "actor_raw": "VARCHAR[]",
            "civilian_targeting": "BOOLEAN",
        }
        return f"NULL::{casts.get(name, 'DOUBLE' if name.startswith('deaths') else 'JSON')}"
    if name in ("attributes", "sensitive"):
        return f"to_json({name})"
    return name


def _select_sql(names: Sequence[str], sha256: str) -> str:
    """The batch's columns in the store's order; absent optional ones NULL, derived ids built
    from the file checksum (hex, so safe to inline: a view cannot take parameters)."""
    if not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return ", ".join(
        f"{_column_sql(n, names).replace('$sha', repr(sha256))} AS {n}" for n in _TARGET.split(", ")
    )


def _staging_sql(select: str, check_existing: bool, own_ids: bool) -> str:
    """A temp table of the batch with ``present``: identity already stored, or repeated in
    the batch itself (a source id given twice counts once; ids derived from the row cannot
    repeat)."""
    existing = (
        "EXISTS (SELECT 1 FROM observations o WHERE o.source = $source "
        "AND o.record_id = b.record_id AND o.part = b.part)"
        if check_existing
        else "false"
    )
    repeated = (
        "row_number() OVER (PARTITION BY record_id, part ORDER BY row_number) > 1"
        if own_ids
        else "false"
    )
    return (
        "CREATE OR REPLACE TEMP TABLE staging AS "
        f"SELECT *, ({repeated} OR {existing}) AS present FROM (SELECT {select} FROM batch_in) b"
    )


_INSERT_SQL = (
    f"INSERT INTO observations (source, import_id, {_TARGET}) "
    f"SELECT ?, ?, {_TARGET} FROM {{}} WHERE NOT present"
)
_SUMS_SQL = "SELECT part, sum(count) FROM {} GROUP BY part"
_COVERAGE_SQL = """
SELECT category, unit, territory_level, min(date_first),
       max(CASE date_precision
           WHEN 'year' THEN make_date(year(date_first), 12, 31)
           WHEN 'month' THEN last_day(date_first)
           ELSE date_first END)
FROM {} GROUP BY ALL
"""


# --- retrying quarantined rows ---------------------------------------------------------------


def retry_quarantine(
    store: Store, resolver: Resolver, source: str | None = None
) -> list[ImportReport]:
    """Give every unresolved quarantined row back to its importer; rows that now resolve are
    stored and marked resolved. Each file's retry is recorded as an import of kind 'retry'
    with its own accounting (rows_read = rows retried)."""
    groups = _quarantine_groups(store, source)
    reports = []
    for (group_source, sha, name), rows in groups.items():
        importer = get_importer(group_source)
        points = getattr(importer, "uses_points", False) and _points(resolver)
        ctx = ImportContext(Path(name), sha, PlaceCache(resolver, points))
        with store.write() as db:
            run = _Run(db, group_source, ctx, kind="retry", expected=[r.row for r in rows])
            run.layout = rows[0].layout
            reports.append(run.execute(_retry_items(importer, rows, ctx)))
    return reports


def _quarantine_groups(
    store: Store, source: str | None
) -> dict[tuple[str, str, str], list[QuarantineRow]]:
    query = (
        "SELECT source, file_sha256, any_value(file_name) OVER (PARTITION BY file_sha256), "
        "row_number, layout, record_id, raw FROM quarantine WHERE resolved_at IS NULL "
        + ("AND source = ? " if source else "")
        + "ORDER BY source, file_sha256, row_number"
    )
    groups: dict[tuple[str, str, str], list[QuarantineRow]] = {}
    with store.read() as db:
        for src, sha, name, row, layout, record_id, raw in db.execute(
            query, [source] if source else []
        ).fetchall():
            groups.setdefault((src, sha, name), []).append(
                QuarantineRow(row, layout, record_id, json.loads(raw))
            )
    return groups


def _retry_items(
    importer: Importer, rows: list[QuarantineRow], ctx: ImportContext
) -> Iterator[Item]:
    for row in rows:
        yield from importer.retry(row, ctx)
    yield RowsRead(len(rows))


def jsonable(value: Any) -> Any:
    """Raw cell values as JSON: dates as ISO text, NaN as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- listing the quarantine ----------------------------------------------------------------


class QuarantineEntry(BaseModel):
    import_id: int
    source: str
    file: str
    row: int
    reason: str
    column: str | None
    detail: str | None
    raw: dict[str, Any]
    resolved: bool


def list_quarantine(
    store: Store,
    source: str | None = None,
    include_resolved: bool = False,
    show_sensitive: bool = False,
) -> list[QuarantineEntry]:
    """Quarantined rows with raw values; sensitive values redacted unless allowed."""
    query = (
        "SELECT import_id, source, file_name, row_number, reason, column_name, detail, raw, "
        "sensitive_columns, resolved_at IS NOT NULL FROM quarantine WHERE true "
        + ("AND source = ? " if source else "")
        + ("" if include_resolved else "AND resolved_at IS NULL ")
        + "ORDER BY source, file_name, row_number"
    )
    with store.read() as db:
        found = db.execute(query, [source] if source else []).fetchall()
    return [
        QuarantineEntry(
            import_id=i,
            source=s,
            file=f,
            row=r,
            reason=reason,
            column=c,
            detail=d,
            raw=redact(json.loads(raw), sensitive or [], show_sensitive),
            resolved=res,
        )
        for i, s, f, r, reason, c, d, raw, sensitive, res in found
    ]


def redact(raw: dict[str, Any], columns: Sequence[str], show: bool) -> dict[str, Any]:
    """Replace sensitive cells (victims' names) unless the operator allows them."""
    if show or not columns:
        return raw
    cells = raw.get("cells")
    if isinstance(cells, dict):
        hidden = {k: (REDACTED if k in columns else v) for k, v in cells.items()}
        return {**raw, "cells": hidden}
    return {k: (REDACTED if k in columns else v) for k, v in raw.items()}


def import_history(store: Store) -> list[ImportReport]:
    """Every recorded import, oldest first."""
    with store.read() as db:
        found = db.execute(
            "SELECT import_id, source, kind, file_name, file_sha256, layout, rows_read, "
            "rows_non_data, rows_stored, rows_already_present, rows_quarantined, "
            "observations_stored, totals, coverage, seconds FROM imports ORDER BY import_id"
        ).fetchall()
    keys = (
        "import_id source kind file sha256 layout rows_read rows_non_data rows_stored "
        "rows_already_present rows_quarantined observations_stored totals coverage seconds"
    ).split()
    reports = []
    for values in found:
        record = dict(zip(keys, values, strict=True))
        for key in ("rows_non_data", "rows_quarantined", "totals", "coverage"):
            record[key] = json.loads(record[key] or "null") or (
                {} if key.startswith("rows") else []
            )
        reports.append(ImportReport(**record))
    return reports


__all__ = [
    "BatchBuilder",
    "BadFile",
    "Category",
    "DeclaredTotal",
    "ImportReport",
    "Layout",
    "NonData",
    "Quarantined",
    "RowKind",
    "RowsRead",
    "Unit",
    "UnknownLayout",
    "import_file",
    "retry_quarantine",
]
