"""The embedded DuckDB store: one file, versioned migrations, short-lived connections.

DuckDB lets one process write a file and blocks every other process (readers too) while it does.
So nothing here keeps a connection open: each read or write opens the file, does its work and
closes it, and an open that meets another process's lock waits and retries until ``timeout``.
Importers keep their write transactions short (one file each), so a dashboard reading in another
process waits at most that long instead of failing.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from peacemonitor.errors import SchemaOutdated, SchemaTooNew, StoreBusy, StoreMissing

DEFAULT_DB = "peacemonitor.duckdb"
_LOCK_MARKERS = ("lock", "Conflicting", "being used by another process")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The bundled migrations, ordered by the number that starts each file name."""
    found = []
    for entry in (resources.files("peacemonitor") / "migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found, key=lambda m: m.version)


def schema_version() -> int:
    """The schema version this code writes."""
    return migrations()[-1].version


def default_db_path() -> Path:
    """``$PEACEMONITOR_DB`` or ./peacemonitor.duckdb."""
    return Path(os.environ.get("PEACEMONITOR_DB") or DEFAULT_DB)


def _is_lock_error(error: duckdb.Error) -> bool:
    return any(marker in str(error) for marker in _LOCK_MARKERS)


@dataclass(frozen=True)
class Store:
    """A handle on the store file; cheap to make, holds no connection."""

    path: Path
    timeout: float = 30.0

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting out other processes' locks with jittered backoff.

        A reader that finds the file locked leaves a marker; a writer about to open the file
        first lets marked readers in, so a run of import transactions cannot starve a dashboard.
        """
        if not read_only:
            self._yield_to_readers()
        deadline = time.monotonic() + self.timeout
        delay, marker = 0.005, None
        try:
            while True:
                try:
                    return duckdb.connect(str(self.path), read_only=read_only)
                except duckdb.Error as error:
                    if not _is_lock_error(error):
                        raise
                    if time.monotonic() >= deadline:
                        raise StoreBusy(
                            f"{self.path} stayed locked by another process for "
                            f"{self.timeout:g} s; try again when its import ends"
                        ) from error
                if read_only and marker is None:
                    marker = self._mark_waiting()
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.05)
        finally:
            if marker is not None:
                marker.unlink(missing_ok=True)

    @property
    def _waiting_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".readers-waiting")

    def _mark_waiting(self) -> Path:
        self._waiting_dir.mkdir(exist_ok=True)
        marker = self._waiting_dir / f"{os.getpid()}-{time.monotonic_ns()}"
        marker.touch()
        return marker

    def _yield_to_readers(self, limit: float = 2.0) -> None:
        """Wait (at most ``limit`` s) while readers in other processes are queued for the file.
        Markers older than ``limit`` are a crashed reader's and are ignored."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self._fresh_markers(limit):
            time.sleep(0.005)

    def _fresh_markers(self, max_age: float) -> bool:
        try:
            entries = list(self._waiting_dir.iterdir())
        except FileNotFoundError:
            return False
        now = time.time()
        for entry in entries:
            try:
                if now - entry.stat().st_mtime < max_age:
                    return True
            except FileNotFoundError:
                continue
        return False

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection, closed on exit; the schema must be current."""
        if not self.path.exists():
            raise StoreMissing(
                f"no store at {self.path.resolve()} (the path --db or PEACEMONITOR_DB gives, "
                "else ./peacemonitor.duckdb): run `peacemonitor init` first, or point --db at "
                "your store"
            )
        connection = self._connect(read_only=True)
        try:
            _check_version(connection, self.path)
            yield connection
        finally:
            connection.close()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed on success, rolled back on any exit
        by exception, Ctrl-C included, so a failed import leaves the store as it was."""
        connection = self._connect(read_only=False)
        try:
            _check_version(connection, self.path)
            connection.begin()
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
        finally:
            connection.close()

    @contextmanager
    def session(self) -> Iterator[WriteSession]:
        """A writer for several transactions in a row (one per imported file) that keeps the
        file open between them — opening and closing it costs a checkpoint each time — but
        closes it and lets readers in whenever a reader in another process is waiting."""
        writer = WriteSession(self)
        try:
            yield writer
        finally:
            writer.close()

    def migrate(self) -> list[int]:
        """Create the file if needed and apply pending migrations; return the versions applied."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect(read_only=False)
        try:
            return _apply_migrations(connection, self.path)
        finally:
            connection.close()


class WriteSession:
    """See ``Store.session``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._connection: duckdb.DuckDBPyConnection | None = None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction, committed on success and rolled back on any exception."""
        if self._connection is not None and self.store._fresh_markers(2.0):
            self.close()  # a reader is queued: hand the file over between transactions
        if self._connection is None:
            self._connection = self.store._connect(read_only=False)
            _check_version(self._connection, self.store.path)
        connection = self._connection
        connection.begin()
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _current_version(connection: duckdb.DuckDBPyConnection) -> int:
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _check_version(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    version, wanted = _current_version(connection), schema_version()
    if version > wanted:
        raise SchemaTooNew(
            f"{path} has schema version {version}; this peacemonitor knows up to {wanted}: upgrade"
        )
    if version < wanted:
        raise SchemaOutdated(
            f"{path} has schema version {version}, needs {wanted}: run `peacemonitor init`"
        )


def _apply_migrations(connection: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT now())"
    )
    current = _current_version(connection)
    if current > schema_version():
        _check_version(connection, path)
    applied = []
    for migration in migrations():
        if migration.version <= current:
            continue
        connection.begin()
        connection.execute(migration.sql)
        connection.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
            [migration.version, migration.name],
        )
        connection.commit()
        applied.append(migration.version)
    return applied
