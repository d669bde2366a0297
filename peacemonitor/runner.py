"""The runner: drives a registered importer over files, every input row stored, already present,
quarantined or named non-data.

An importer (``peacemonitor.importers``) is a generator. For one file it yields, in any order: the
``Layout`` it recognised, ``NonData`` rows (title, header, total, footnote, blank),
``Quarantined`` rows (raw values, reason, column), ``DeclaredTotal``s (the file's own TOTAL row),
Arrow batches of observations (built with ``BatchBuilder``, bounded in size so a 1M-row file
never sits in memory as Python objects) and finally ``RowsRead`` (``importers.framework``). The
runner, not the importer, counts where every row went, checks that the counts add up and that
each TOTAL row equals what the file's rows sum to, and writes it all in one transaction: a
failure or Ctrl-C leaves the store as it was. Identity is (source, record_id, part) and is checked
with an anti-join, so importing a file again stores nothing twice.

Why over 600 lines: ``Run`` is the accounting of one transaction (every row once, totals, spans,
held rows, revisions) and its SQL; split apart, the one invariant it keeps would be scattered.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacemonitor import observations, republished
from peacemonitor.errors import PeacemonitorError
from peacemonitor.files import file_sha256 as _sha256
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.importers import IMPORTERS
from peacemonitor.importers.aggregates import TABLE_LAYOUT, TableImporter
from peacemonitor.importers.framework.context import ImportContext, Importer
from peacemonitor.importers.framework.errors import (
    AccountingError,
    BadFile,
    ImportFailed,
    OverlapsStoredFile,
    TotalMismatch,
    UnknownSource,
)
from peacemonitor.importers.framework.items import (
    DEFAULT_BATCH_ROWS,
    PROCESS_TABLES,
    DeclaredTotal,
    Item,
    Layout,
    NonData,
    QuarantineBatch,
    Quarantined,
    Records,
    RowsRead,
    jsonable,
)
from peacemonitor.importers.framework.places import PlaceCache, Resolver
from peacemonitor.importers.framework.report import (
    CoverageSpan,
    ImportReport,
    TotalCheck,
    listed,
    merge_spans,
)
from peacemonitor.importers.tabular import Sheets, read_file
from peacemonitor.republished import Supersession
from peacemonitor.store import Store, WriteSession

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

IMPORT_MEMORY = "1GB"
"""DuckDB's memory limit while a file is imported: what does not fit is written out, so a 5M-row
file needs no more memory than a 1M-row one."""


def load_resolver(store: Store) -> Resolver:
    """The gazetteer from the store; a named error when territories are not loaded."""
    return Gazetteer.from_store(store)


def importers() -> dict[str, Importer]:
    """The registered importers by SOURCE name (``peacemonitor.importers.IMPORTERS``)."""
    return {name: factory() for name, factory in IMPORTERS.items()}


def get_importer(source: str, layout: str | None = None) -> Importer:
    """The importer registered as ``source``; for a quarantined row of an aggregate table,
    filed under the table's own source name, the table importer (its layout says so)."""
    if source not in IMPORTERS and layout == TABLE_LAYOUT:
        return TableImporter()
    if source not in IMPORTERS:
        known = ", ".join(sorted(IMPORTERS))
        raise UnknownSource(f"no importer for {source!r}: known sources are {known}")
    return IMPORTERS[source]()


# --- running an import ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The file's checksum; a named error when the file cannot be read."""
    try:
        return _sha256(path)
    except OSError as error:
        raise BadFile(path, f"cannot read the file: {error.strerror or error}") from None


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
    revise: bool = False,
    importer: Importer | None = None,
) -> list[ImportReport | ImportFailed]:
    """Import several files, each in its own write transaction: a file that fails (its error
    is returned in its place) leaves the store as it was before that file, and the next file
    goes on. One write session spans the files and hands the store to a reader in another
    process between two files whenever one is waiting (``Store.session``). What every file
    needs from the store (the point index, the importer's actor names or registry) is read
    once, before the first write opens; a thread reads the next file (and hashes it) while
    this one is stored. With ``revise``, what earlier imports of the source stored is replaced
    by this file's version: by record id where the source gives ids, else the periods the file
    covers (``republished``); without it such a file is refused. ``importer`` overrides the one
    registered as ``source`` (a table importer with its mapping: ``table_imports``)."""
    importer = importer or get_importer(source)
    places = PlaceCache(resolver, points=importer.uses_points and points_loaded(resolver))
    importer.prepare(store)
    files = [Path(p) for p in paths]
    whole = not importer.streams
    outcomes: list[ImportReport | ImportFailed] = []
    with ThreadPoolExecutor(max_workers=1) as pool, store.session() as session:
        ahead = _read_ahead(pool, files, encoding, whole)
        for index, path in enumerate(files):
            sha, sheets = ahead(index)
            ctx = ImportContext(path, sha, places, encoding, batch_rows, prefetched=sheets)
            outcome = _one_file(session, importer, ctx, progress, revise)
            outcomes.append(outcome)
            if on_file:
                on_file(path, outcome)
    return outcomes


def files_to_import(paths: Sequence[Path]) -> tuple[list[Path], set[Path]]:
    """Files as given, and each folder's files (sorted, recursively; notes such as SOURCE.md and
    hidden files left out), as ``data load`` walks folders. The second value holds the files
    found in folders: one of those that is not of the source's layouts is skipped, not an
    error, since a publisher's folder holds other files too."""
    files: list[Path] = []
    found: set[Path] = set()
    for path in (Path(p) for p in paths):
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
        )
        files += inside
        found.update(inside)
    return files, found


def points_loaded(resolver: Resolver) -> bool:
    """Load the gazetteer's point index now, while no write connection is open (it reads the
    store); False when boundaries are not loaded, so points are simply not used."""
    points = resolver.points
    if points is None:
        return False
    try:
        points.point_index()
    except PeacemonitorError:
        return False
    return True


_Sheets = Future[tuple[Sheets, str | None]]


def _read_ahead(
    pool: ThreadPoolExecutor, paths: list[Path], encoding: str | None, whole: bool
) -> Callable[[int], tuple[Future[str], _Sheets | None]]:
    """Futures of (checksum, sheets) per file index, each submitted one file ahead. A
    streaming importer reads its file itself: only the checksum is computed ahead."""
    futures: dict[int, tuple[Future[str], _Sheets | None]] = {}

    def submit(index: int) -> None:
        if index < len(paths) and index not in futures:
            path = paths[index]
            sheets = pool.submit(read_file, path, encoding) if whole else None
            futures[index] = (pool.submit(file_sha256, path), sheets)

    def get(index: int) -> tuple[Future[str], _Sheets | None]:
        submit(index)
        submit(index + 1)
        return futures.pop(index)

    return get


def _one_file(
    session: WriteSession,
    importer: Importer,
    ctx: ImportContext,
    progress: ProgressFn | None,
    revise: bool = False,
) -> ImportReport | ImportFailed:
    """One file in one write transaction: committed when its accounting holds, rolled back on
    any error (Ctrl-C included, which then ends the command)."""
    items = importer.read(ctx)
    streams = importer.streams
    if streams:
        items = _in_thread(items)
    try:
        with session.transaction() as db:
            db.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")  # spill, never grow with the file
            # A streaming importer's parser (its own DuckDB) keeps the cores busy; inserting
            # Arrow batches on one thread is then cheaper (bench: 0.86 s vs 1.46 s CPU for 750k
            # rows on two cores, where two threads contend with the parser).
            db.execute(f"SET threads = {1 if streams else _cores()}")
            run = Run(
                db, importer.source, ctx, kind="file", progress=progress, revise=revise,
                checksum_ids=not importer.revises,
            )  # fmt: skip
            run.exact_coverage, run.listed_places = importer.exact_coverage, importer.listed_places
            return run.execute(items)
    except ImportFailed as error:
        return error
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _cores() -> int:
    import os

    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class _in_thread(Iterator[Any]):  # noqa: N801 - used like a function
    """Run a streaming importer's generator in a thread, two items ahead: it parses and
    transforms the next batch while this thread stores the last (both release the GIL in
    DuckDB and Arrow). Its errors surface here; closing stops it."""

    _END = object()

    def __init__(self, items: Iterator[Any], depth: int = 2) -> None:
        import queue
        import threading

        self._queue: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), daemon=True)
        self._thread.start()

    def _run(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if self._stop.is_set():
                    return
                self._put((item, None))
            self._put((self._END, None))
        except BaseException as error:  # handed to the consumer, which re-raises it
            self._put((None, error))

    def _put(self, entry: tuple[Any, BaseException | None]) -> None:
        import queue

        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def __next__(self) -> Any:
        item, error = self._queue.get()
        if error is not None:
            raise error
        if item is self._END:
            raise StopIteration
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class _RowTally:
    """How many times each row number was accounted for: one byte per row, so a 5M-row file
    costs 5 MB here rather than a Python list of every row number."""

    def __init__(self) -> None:
        import numpy as np

        self.counts = np.zeros(1024, dtype=np.uint8)
        self.outside: list[int] = []  # row numbers < 1: reported as outside the file

    def add(self, rows: Any) -> None:
        """Add row numbers that are distinct among themselves (a batch's unique rows)."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        if rows.min() < 1:
            self.outside += rows[rows < 1].tolist()
            rows = rows[rows >= 1]
        top = int(rows.max()) if len(rows) else 0
        if top >= len(self.counts):
            grown = np.zeros(max(top + 1, 2 * len(self.counts)), dtype=np.uint8)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        self.counts[rows] = np.minimum(self.counts[rows], 254) + 1

    def add_one(self, row: int) -> None:
        import numpy as np

        self.add(np.array([row]))

    def check(self, path: Path, rows_read: int, expected: list[int] | None) -> None:
        """Each row accounted for exactly once: rows 1..rows_read, or the rows retried."""
        import numpy as np

        if self.outside:
            raise AccountingError(
                path, f"row outside the {rows_read} rows read", row=int(self.outside[0])
            )
        twice = np.flatnonzero(self.counts > 1)
        if len(twice):
            raise AccountingError(path, "row accounted for twice", row=int(twice[0]))
        seen = np.flatnonzero(self.counts)
        wanted = np.arange(1, rows_read + 1) if expected is None else np.unique(expected)
        extra = np.setdiff1d(seen, wanted, assume_unique=True)
        if len(extra):
            raise AccountingError(path, f"row outside the {rows_read} rows read", row=int(extra[0]))
        missing = np.setdiff1d(wanted, seen, assume_unique=True)
        if len(missing):
            raise AccountingError(
                path, "row neither stored, quarantined nor non-data", row=int(missing[0])
            )


@dataclass
class Run:
    """One import (or retry) inside one write transaction: the accounting lives here."""

    db: duckdb.DuckDBPyConnection
    source: str
    ctx: ImportContext
    kind: str
    progress: ProgressFn | None = None
    expected: list[int] | None = None
    revise: bool = False
    layout: str | None = None
    exact_coverage: bool = False
    listed_places: bool = False
    import_id: int = 0
    started: float = field(default_factory=time.monotonic)
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    non_data: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    tally: _RowTally = field(default_factory=_RowTally)
    stored: int = 0
    present: int = 0
    observations: int = 0
    replaced: int = 0
    rows_read: int | None = None
    declared: list[DeclaredTotal] = field(default_factory=list)
    sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    quarantined_sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    held: list[Quarantined] = field(default_factory=list)
    coverage: list[CoverageSpan] = field(default_factory=list)
    non_data_rows: list[int] = field(default_factory=list)
    held_rows: list[Any] = field(default_factory=list)
    _seen: bool | None = None
    _has_source: bool = False
    _had_source: bool = False
    _optimistic: bool = False
    checksum_ids: bool = False  # rows identified by the file's checksum (no ids of their own)
    content: str | None = None
    same_as: str | None = None
    supersedes: list[Supersession] = field(default_factory=list)

    def execute(self, items: Iterable[Item]) -> ImportReport:
        self.import_id = int(_scalar(self.db, "SELECT nextval('import_ids')"))
        self._has_source = self._had_source = self._source_has_observations()
        for item in items:
            self._take(item)
        self._settle()
        self._store_quarantined()
        self._republished()
        report = self._report()
        self._check(report)
        self._record(report)
        return report

    def _take(self, item: Item) -> None:
        if isinstance(item, NonData):
            self.non_data[item.kind.value] += 1
            self.non_data_rows.append(item.row)
            self.tally.add_one(item.row)
        elif isinstance(item, Quarantined):
            self.held.append(item)
        elif isinstance(item, DeclaredTotal):
            self.declared.append(item)
        elif isinstance(item, Layout):
            self._take_layout(item)
        elif isinstance(item, RowsRead):
            self.rows_read = item.rows
        elif isinstance(item, Records):
            self._store_records(item)
        elif isinstance(item, QuarantineBatch):
            self._quarantine_batch(item.batch)
        else:
            self._store_batch(item)

    def _republished(self) -> None:
        """A file of a source without ids of its own that repeats a stored file's content is
        already present; one that covers what a stored file covers is refused, or with
        ``revise`` replaces it (``republished``)."""
        if self.kind != "file" or not self.checksum_ids or not self.observations:
            return
        self.content = republished.fingerprint(self.db, self.import_id)
        earlier = republished.same_content(self.db, self.source, self.import_id, self.content or "")
        if earlier is not None:
            republished.withdraw(self.db, self.import_id)
            self.present, self.stored, self.observations = self.present + self.stored, 0, 0
            self.same_as = earlier.describe()
            return
        found = republished.overlaps(self.db, self.source, self.import_id)
        if found and not self.revise:
            raise OverlapsStoredFile(
                self.ctx.path,
                "it covers what a stored file of "
                f"{self.source} covers — {'; '.join(o.describe() for o in found)}. If it is a "
                "new release of those periods, import it with --revise to replace them",
            )
        self.supersedes = republished.replace(self.db, found) if found else []
        self.replaced += republished.replaced_count(self.supersedes)

    def _take_layout(self, item: Layout) -> None:
        self.layout = item.name
        if item.source and item.source != self.source:
            self.source = item.source
            self._has_source = self._had_source = self._source_has_observations()

    @property
    def _seen_file(self) -> bool:
        """Whether this file's rows may already be stored or held: an earlier import of the same
        checksum. Rows whose identity derives from the checksum cannot be present otherwise.
        Asked only when needed, so a streaming import need not wait for the checksum first."""
        if self._seen is None:
            self._seen = bool(
                _scalar(
                    self.db,
                    "SELECT (SELECT count(*) FROM imports WHERE source = $1 AND file_sha256 = $2)"
                    " + (SELECT count(*) FROM quarantine WHERE source = $1 AND file_sha256 = $2)",
                    [self.source, self.ctx.sha256],
                )
            )
        return self._seen

    def _source_has_observations(self) -> bool:
        return bool(
            _scalar(
                self.db,
                "SELECT count(*) FROM (SELECT 1 FROM observations WHERE source = ? LIMIT 1)",
                [self.source],
            )
        )

    def _store_batch(self, table: pa.Table) -> None:
        """Insert what is new, account per row. The common case — one observation per row, no
        identity already stored — goes straight from Arrow through a view, with no copy; a
        batch that may repeat an identity is staged and checked row by row."""
        names = table.schema.names
        own_ids = "record_id" in names
        numbers = table.column("row_number").to_numpy()
        one_per_row = _strictly_increasing(numbers)
        self.db.register("batch_in", table)
        try:
            simple = one_per_row and self._nothing_present(table, own_ids)
            staged = self._stage(names, simple, own_ids)
            if simple:
                present = 0
            else:
                rows = self.db.execute(
                    f"SELECT row_number, bool_and(present) AS present FROM {staged} GROUP BY ALL"
                ).fetchnumpy()
                numbers, flags = rows["row_number"], rows["present"]
                present = int(flags.sum())
            inserted = int(
                _scalar(self.db, _INSERT_SQL.format(staged), [self.source, self.import_id]) or 0
            )
            for part, total, *span in self.db.execute(_SUMS_SQL.format(staged)).fetchall():
                self.sums[part] += float(total or 0)
                self.coverage.append(CoverageSpan(**dict(zip(_SPAN_KEYS, span, strict=True))))
        finally:
            self.db.unregister("batch_in")
        self._account(numbers, present, inserted)

    def _account(self, numbers: Any, present: int, inserted: int) -> None:
        self.tally.add(numbers)
        self.present += present
        self.stored += len(numbers) - present
        self.observations += inserted
        self._has_source = self._has_source or bool(inserted)
        if self.progress:
            self.progress(len(numbers))

    def _nothing_present(self, table: pa.Table, own_ids: bool) -> bool:
        """True when the batch may go in without a check row by row: ids derived from the row
        of a file never seen, or source ids, inserted optimistically and settled once for the
        whole file at its end (``_settle``) instead of probing the store batch by batch."""
        if not own_ids:
            return not self._seen_file
        self._optimistic = True
        return True

    def _settle(self) -> None:
        """Source ids inserted optimistically that repeat an identity — earlier in this file or
        in an earlier import — are taken out again and their rows counted already present."""
        if not self._optimistic:
            return
        params = {"id": self.import_id, "source": self.source}
        if self.revise and self._had_source:
            self.replaced = int(_scalar(self.db, _REPLACE_SQL, params) or 0)
        earlier = _SETTLE_EARLIER_SQL if self._had_source and not self.revise else ""
        self.db.execute(_SETTLE_SQL.format(earlier=earlier), params)
        found = self.db.execute("SELECT part, count(*), sum(count) FROM settle GROUP BY ALL")
        removed = found.fetchall()
        if not removed:
            return
        self.db.execute("DELETE FROM observations WHERE rowid IN (SELECT rid FROM settle)")
        gone = int(_scalar(self.db, _GONE_SQL, {"id": self.import_id}) or 0)
        for part, n, total in removed:
            self.observations -= int(n)
            self.sums[part] -= float(total or 0)
        self.present += gone
        self.stored -= gone

    def _stage(self, names: Sequence[str], simple: bool, own_ids: bool) -> str:
        """The name of a relation over the batch in the target columns plus ``present``."""
        select = _select_sql(names, self.ctx.sha256 if not own_ids else "0")
        if simple:
            self.db.execute(
                f"CREATE OR REPLACE TEMP VIEW staging_view AS SELECT *, false AS present "
                f"FROM (SELECT {select} FROM batch_in)"
            )
            return "staging_view"
        check = self._has_source if own_ids else self._seen_file
        self.db.execute(
            _staging_sql(select, check, own_ids), {"source": self.source} if check else {}
        )
        return "staging"

    def _store_records(self, item: Records) -> None:
        """Process records: stored when their (source, record_id) is new, else present."""
        if item.table not in PROCESS_TABLES:
            raise ValueError(f"not a process-record table: {item.table!r}")
        table = item.batch
        columns = ", ".join(c for c in table.schema.names)
        self.db.register("records_in", table)
        try:
            self.db.execute(
                "CREATE OR REPLACE TEMP TABLE records_staging AS SELECT *, ("
                "row_number() OVER (PARTITION BY record_id ORDER BY row_number) > 1 OR EXISTS ("
                f"SELECT 1 FROM {item.table} t WHERE t.source = $source "
                "AND t.record_id = r.record_id)) AS present FROM records_in r",
                {"source": self.source},
            )
            inserted = int(
                _scalar(
                    self.db,
                    f"INSERT INTO {item.table} (source, import_id, {columns}) "
                    f"SELECT $source, $id, {columns} FROM records_staging WHERE NOT present",
                    {"source": self.source, "id": self.import_id},
                )
                or 0
            )
            rows = self.db.execute(
                "SELECT row_number, bool_and(present) AS present FROM records_staging GROUP BY ALL"
            ).fetchnumpy()
        finally:
            self.db.unregister("records_in")
        numbers = rows["row_number"]
        self._account(numbers, int(rows["present"].sum()) if len(numbers) else 0, inserted)

    def _quarantine_batch(self, table: pa.Table) -> None:
        """Quarantine many rows at once (columns of ``QuarantineBatch``): a row whose source id
        is stored meanwhile counts as already present, a row held already is not held twice."""
        import pyarrow as pa

        # Probes are skipped where they cannot find anything: ids stored by earlier imports
        # need an earlier import of the source, rows held already an earlier import of the file.
        probe = self._had_source or self.kind == "retry"
        held_before = self.kind == "retry" or self._seen_file
        if not probe and not held_before:
            self._quarantine_new(table)
            return
        self.db.register("held_in", table)
        try:
            stored_sql = (
                "(record_id IS NOT NULL AND EXISTS (SELECT 1 FROM observations o "
                "WHERE o.source = $source AND o.record_id = h.record_id))"
                if probe
                else "false"
            )
            self.db.execute(
                f"CREATE OR REPLACE TEMP TABLE held_staging AS SELECT *, {stored_sql} AS present "
                "FROM held_in h",
                {"source": self.source} if probe else {},
            )
            if self.kind == "retry":
                self.db.execute(_HELD_RETRY_SQL, {"source": self.source, "sha": self.ctx.sha256})
            else:
                text = pa.types.is_string(table.schema.field("raw").type)
                sql = _HELD_INSERT_SQL if held_before else _HELD_INSERT_NEW_SQL
                self.db.execute(
                    sql.format(raw="raw::JSON" if text else "to_json(raw)"), self._held_params()
                )
            found = self.db.execute(
                "SELECT row_number, present, reason FROM held_staging"
            ).fetchnumpy()
        finally:
            self.db.unregister("held_in")
        self._account_held(found["row_number"], found["present"], found["reason"])

    def _quarantine_new(self, table: pa.Table) -> None:
        """The common case — a file never seen, a source with nothing stored yet: no row can
        be present or held already, so the batch goes straight in."""
        import numpy as np
        import pyarrow as pa

        self.db.register("held_in", table)
        try:
            text = pa.types.is_string(table.schema.field("raw").type)
            raw = "raw::JSON" if text else "to_json(raw)"
            sql = _HELD_INSERT_FRESH_SQL.format(raw=raw) + "FROM held_in"
            self.db.execute(sql, self._held_params())
        finally:
            self.db.unregister("held_in")
        numbers = table.column("row_number").to_numpy()
        reasons = np.asarray(table.column("reason").to_numpy(zero_copy_only=False), dtype=object)
        self._account_held(numbers, np.zeros(len(numbers), dtype=bool), reasons)

    def _held_params(self) -> dict[str, Any]:
        return {
            "id": self.import_id,
            "source": self.source,
            "layout": self.layout,
            "file": self.ctx.path.name,
            "sha": self.ctx.sha256,
        }

    def _account_held(self, numbers: Any, present: Any, reasons: Any) -> None:
        """Count a batch of held rows: present ones as present, the rest by reason."""
        self.tally.add(numbers)
        self.present += int(present.sum())
        self.held_rows.append(numbers[~present])
        for reason, n in Counter(reasons[~present].tolist()).items():
            self.quarantined[str(reason)] += n
        if self.progress:
            self.progress(len(numbers))

    def _store_quarantined(self) -> None:
        """Quarantine what could not be stored, unless stored meanwhile or held already."""
        for item in self.held:
            self.tally.add_one(item.row)
            if item.record_id and self._stored_already(item.record_id):
                self.present += 1
                continue
            self.quarantined[item.reason] += 1
            self.held_rows.append([item.row])
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
        """Rows an earlier import (or retry) quarantined that were stored or found present now
        are marked resolved: the file's unresolved rows, less those held again or non-data."""
        import numpy as np

        if self.kind == "file" and not self._seen_file:
            return
        waiting = self.db.execute(
            "SELECT row_number FROM quarantine WHERE source = ? AND file_sha256 = ? "
            "AND resolved_at IS NULL",
            [self.source, self.ctx.sha256],
        ).fetchnumpy()["row_number"]
        if not len(waiting):
            return
        held = np.concatenate(
            [np.asarray(h, dtype=np.int64) for h in self.held_rows] + [np.empty(0, np.int64)]
        )
        counted = self.tally.counts
        inside = waiting[waiting < len(counted)]
        done = inside[counted[inside] > 0]
        done = np.setdiff1d(done, np.concatenate([held, np.asarray(self.non_data_rows)]))
        if len(done):
            self.db.execute(
                "UPDATE quarantine SET resolved_at = now(), resolved_import_id = ? "
                "WHERE source = ? AND file_sha256 = ? AND resolved_at IS NULL "
                "AND row_number IN (SELECT unnest(?::BIGINT[]))",
                [self.import_id, self.source, self.ctx.sha256, done.tolist()],
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
            encoding=self.ctx.text_encoding,
            rows_read=self.rows_read if self.rows_read is not None else -1,
            rows_non_data=dict(self.non_data),
            rows_stored=self.stored,
            rows_already_present=self.present,
            rows_quarantined=dict(self.quarantined),
            observations_stored=self.observations,
            observations_replaced=self.replaced,
            same_content_as=self.same_as,
            supersedes=[s.as_json() for s in self.supersedes],
            totals=totals,
            coverage=merge_spans(
                listed(self.coverage) if self.listed_places else self.coverage,
                touching_only=self.exact_coverage,
            ),
            seconds=round(time.monotonic() - self.started, 3),
        )

    def _check(self, report: ImportReport) -> None:
        """The framework's own checks: every row once, the sums adding up, TOTAL rows equal."""
        path = self.ctx.path
        if self.rows_read is None:
            raise AccountingError(path, "the importer never said how many rows it read")
        self.tally.check(path, self.rows_read, self.expected)
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
            f"INSERT INTO imports ({', '.join(_IMPORT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_IMPORT_COLUMNS))})",
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
                report.observations_replaced,
                self.content,
                json.dumps(report.supersedes),
                report.same_content_as,
            ],
        )


_IMPORT_COLUMNS = (
    "import_id source kind layout file_name file_sha256 started_at finished_at seconds rows_read "
    "rows_non_data rows_stored rows_already_present rows_quarantined observations_stored totals "
    "coverage observations_replaced content_sha256 supersedes same_content_as"
).split()


def _scalar(
    db: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> Any:
    """The first value of a query, reading the whole result (DuckDB 2 refuses new work on a
    connection with an unfinished one)."""
    rows = db.execute(sql, params if isinstance(params, dict) else list(params)).fetchall()
    return rows[0][0] if rows else None


_SPAN_KEYS = ("category", "unit", "territory_level", "first", "last", "country")


def _part_sum(sums: dict[str, float], part: str | None) -> float:
    return sum(sums.values()) if part is None else sums.get(part, 0.0)


def _strictly_increasing(numbers: Any) -> bool:
    """Row numbers all distinct, as a batch of one observation per row has them (cheap)."""
    import numpy as np

    return len(numbers) < 2 or bool(np.all(numbers[1:] > numbers[:-1]))


_TARGET = ", ".join(observations.STORED)


def _column_sql(name: str, names: Sequence[str]) -> str:
    if name == "record_id":
        derived = "$sha || ':' || row_number"
        return f"coalesce(record_id, {derived})" if name in names else derived
    if name not in names:
        return f"NULL::{observations.BY_NAME[name].sql}"
    if name in ("attributes", "sensitive"):
        return f"to_json({name})"
    return name


def _target_names(names: Sequence[str]) -> list[str]:
    """The batch's columns, reading ``attributes_json`` (JSON text, one string per distinct
    value: cheap to insert) as ``attributes``."""
    return [("attributes" if n == "attributes_json" else n) for n in names]


def _select_sql(names: Sequence[str], sha256: str) -> str:
    """The batch's columns in the store's order; absent optional ones NULL, derived ids built
    from the file checksum (hex, so safe to inline: a view cannot take parameters)."""
    if not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    text = "attributes_json" in names
    names = _target_names(names)
    columns = []
    for n in observations.STORED:
        sql = "attributes_json::JSON" if text and n == "attributes" else _column_sql(n, names)
        columns.append(f"{sql.replace('$sha', repr(sha256))} AS {n}")
    return ", ".join(columns)


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
_SUMS_SQL = """
SELECT part, sum(count), category, unit, territory_level, min(date_first),
       max(CASE date_precision
           WHEN 'year' THEN make_date(year(date_first), 12, 31)
           WHEN 'month' THEN last_day(date_first)
           ELSE date_first END),
       CASE territory_level WHEN 'country' THEN territory_code ELSE 'CO' END
FROM {} GROUP BY ALL
"""
_SETTLE_SQL = """
CREATE OR REPLACE TEMP TABLE settle AS
WITH mine AS (
    SELECT rowid AS rid, record_id, part, row_number, count FROM observations
    WHERE import_id = $id AND source = $source
), repeated AS (
    SELECT record_id, part FROM mine GROUP BY ALL HAVING count(*) > 1
)
SELECT rid, row_number, part, count FROM (
    SELECT m.rid, m.row_number, m.part, m.count,
           row_number() OVER (PARTITION BY m.record_id, m.part ORDER BY m.row_number) AS k
    FROM mine m SEMI JOIN repeated r ON m.record_id = r.record_id AND m.part = r.part
) WHERE k > 1
{earlier}
"""
_SETTLE_EARLIER_SQL = """
UNION
SELECT m.rid, m.row_number, m.part, m.count FROM mine m WHERE EXISTS (
    SELECT 1 FROM observations o WHERE o.source = $source AND o.import_id <> $id
    AND o.record_id = m.record_id AND o.part = m.part)
"""
_REPLACE_SQL = """
DELETE FROM observations o WHERE o.source = $source AND o.import_id <> $id AND o.record_id IN (
    SELECT record_id FROM observations WHERE import_id = $id AND source = $source)
"""
_GONE_SQL = """
SELECT count(*) FROM (SELECT DISTINCT row_number FROM settle) s WHERE NOT EXISTS (
    SELECT 1 FROM observations o WHERE o.import_id = $id AND o.row_number = s.row_number)
"""
_HELD_INSERT_FRESH_SQL = """
INSERT INTO quarantine
SELECT $id, $source, $layout, $file, $sha, row_number, record_id, reason, column_name, detail,
       {raw}, sensitive_columns, NULL, NULL
"""
_HELD_INSERT_NEW_SQL = _HELD_INSERT_FRESH_SQL + "FROM held_staging h WHERE NOT present\n"
"""Held rows of a file never seen: none can be held already."""
_HELD_INSERT_SQL = (
    _HELD_INSERT_FRESH_SQL
    + """FROM held_staging h
WHERE NOT present AND NOT EXISTS (
    SELECT 1 FROM quarantine q WHERE q.source = $source AND q.file_sha256 = $sha
    AND q.row_number = h.row_number AND q.resolved_at IS NULL)
"""
)
_HELD_RETRY_SQL = """
UPDATE quarantine q SET reason = h.reason, column_name = h.column_name, detail = h.detail
FROM held_staging h
WHERE NOT h.present AND q.source = $source AND q.file_sha256 = $sha
  AND q.row_number = h.row_number AND q.resolved_at IS NULL
"""


def import_history(store: Store) -> list[ImportReport]:
    """Every recorded import, oldest first."""
    with store.read() as db:
        found = db.execute(
            "SELECT import_id, source, kind, file_name, file_sha256, layout, rows_read, "
            "rows_non_data, rows_stored, rows_already_present, rows_quarantined, "
            "observations_stored, totals, coverage, seconds, coalesce(observations_replaced, 0), "
            "same_content_as, supersedes FROM imports ORDER BY import_id"
        ).fetchall()
    keys = (
        "import_id source kind file sha256 layout rows_read rows_non_data rows_stored "
        "rows_already_present rows_quarantined observations_stored totals coverage seconds "
        "observations_replaced same_content_as supersedes"
    ).split()
    reports = []
    for values in found:
        record = dict(zip(keys, values, strict=True))
        for key in ("rows_non_data", "rows_quarantined", "totals", "coverage", "supersedes"):
            record[key] = json.loads(record[key] or "null") or (
                {} if key.startswith("rows") else []
            )
        reports.append(ImportReport(**record))
    return reports
