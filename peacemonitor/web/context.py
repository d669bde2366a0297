"""What a page builder gets: the store (read-only use), the registry (cached per load) and the
request's filters. Built per request by the app; no global state."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacemonitor.errors import StoreBusy
from peacemonitor.registry import Registry, from_store
from peacemonitor.store import Store
from peacemonitor.web.filters import Filters


@dataclass
class Caches:
    """Per-app caches of things that change only when the operator reloads them: the registry
    (keyed by its last load time) and projected map outlines (keyed by boundary count)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    registry: tuple[Any, Registry] | None = None
    outlines: dict[tuple[str, int], Any] = field(default_factory=dict)
    pages: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)
    computing: set[tuple[Any, ...]] = field(default_factory=set)
    # After a read found the store held by an importer, answers with an earlier version are
    # served for ``busy_window`` s without trying: an import commits file after file, and
    # recomputing every answer after each file would keep the app busy recomputing.
    # The window also opens when the store changes twice within it (an import's commits) and
    # stays open while it keeps changing.
    last_busy: float = -1e9
    busy_window: float = 3.0
    seen: tuple[Any, ...] | None = None  # the last store version a request saw
    changed_at: float = -1e9  # when a request first saw it
    size: int = 512

    def remember(
        self,
        key: tuple[Any, ...],
        version: tuple[Any, ...],
        compute: Callable[[], Any],
        impatient: Callable[[Callable[[], Any]], Any],
        stale: list[bool],
    ) -> Any:
        """``compute()``, unless an earlier call with the same key saw the same store
        ``version`` (LRU). When the store changed but a writer holds it (``impatient(compute)``
        raises StoreBusy instead of waiting), the last answer is served rather than waiting for
        the import to let go: it is the last committed state this app read, and the next request
        after the import recomputes. While one request recomputes a changed answer, the others
        get the previous one instead of all recomputing it at once. Serving an earlier answer
        sets ``stale[0]``, and an answer computed from a stale part is not kept."""
        with self.lock:
            hit = self.pages.get(key)
            if hit is not None:
                self.pages.move_to_end(key)
                if hit[0] == version:
                    return hit[1]
                if key in self.computing or self._importing(version):
                    stale[0] = True
                    return hit[1]  # being recomputed, or an import is running
            self.computing.add(key)
        try:
            value = compute() if hit is None else impatient(compute)
        except StoreBusy:
            self.last_busy = time.monotonic()
            if hit is None:
                raise
            stale[0] = True
            return hit[1]
        finally:
            with self.lock:
                self.computing.discard(key)
        if not stale[0]:
            with self.lock:
                self.pages[key] = (version, value)
                while len(self.pages) > self.size:
                    self.pages.popitem(last=False)
        return value

    def importing(self, version: tuple[Any, ...]) -> bool:
        """Whether an import looks under way, seen by a request at store ``version``."""
        with self.lock:
            return self._importing(version)

    def _importing(self, version: tuple[Any, ...]) -> bool:
        """True for ``busy_window`` s after a read found the store held by a writer or after
        the store changed twice within that time, a window that each change seen inside it
        extends: an importer commits file after file, and recomputing after each commit would
        keep the app recomputing (and waiting out the importer's lock) for the whole import.
        A single change (one import done) is recomputed at once. Call with ``lock`` held."""
        now = time.monotonic()
        if self.seen is not None and version != self.seen:
            if now - self.changed_at < self.busy_window or now - self.last_busy < self.busy_window:
                self.last_busy = now
            self.changed_at = now
        self.seen = version
        return now - self.last_busy < self.busy_window


STALE = ("X-Peacemonitor-Stale", "import-in-progress")  # the header on an earlier answer

# How long a request that has an earlier answer to fall back on waits for an importer's lock.
PATIENCE = 0.25


def store_version(path: Path) -> tuple[Any, ...]:
    """What identifies the store's contents without opening it: size and modification time of
    the file and of its write-ahead log. Any committed write changes one of them, so answers
    cached under an older version are never served after an import."""
    version: list[Any] = [dt.date.today()]
    for name in (path, path.with_name(path.name + ".wal")):
        try:
            found = os.stat(name)
            version += [found.st_size, found.st_mtime_ns]
        except FileNotFoundError:
            version += [None, None]
    return tuple(version)


@dataclass(frozen=True)
class Context:
    store: Store
    filters: Filters
    caches: Caches
    stale: list[bool] = field(default_factory=lambda: [False])  # served an earlier answer

    def cached(self, name: str, compute: Callable[[], Any], *key: Any) -> Any:
        """A page's data for these filters, recomputed only when the store changed."""
        filters = self.filters.model_dump_json(exclude={"lang"})
        version = store_version(self.store.path)
        return self.caches.remember(
            (name, filters, *key), version, compute, self._impatient, self.stale
        )

    def _impatient(self, compute: Callable[[], Any]) -> Any:
        """``compute()`` with reads that give up (StoreBusy) after ``PATIENCE`` s of lock."""
        if not isinstance(self.store, PinnedStore):
            with Store(self.store.path, timeout=PATIENCE).read():
                pass
            return compute()
        before = self.store.held.get("patience")
        self.store.held["patience"] = PATIENCE if before is None else min(before, PATIENCE)
        try:
            return compute()
        finally:
            self.store.held["patience"] = before

    def registry(self) -> Registry:
        """The store's registry, validated once per registry load."""
        with self.store.read() as db:
            row = db.execute("SELECT max(loaded_at) FROM registry_loads").fetchone()
        key = row[0] if row else None
        cached = self.caches.registry
        if cached is not None and cached[0] == key:
            return cached[1]
        registry = from_store(self.store)
        with self.caches.lock:
            self.caches.registry = (key, registry)
        return registry

    def _count(self, level: Any) -> int:
        with self.store.read() as db:
            row = db.execute(
                "SELECT count(*) FROM boundaries WHERE level = ? AND detail = 'light'",
                [level.value],
            ).fetchone()
        return int(row[0]) if row else 0

    def outline(self, level: Any) -> Any:
        """Projected boundaries of ``level`` (see ``maps.outlines``), cached."""
        from peacemonitor.web.maps import outlines

        key = (level.value, self.cached(f"boundaries:{level.value}", lambda: self._count(level)))
        if key not in self.caches.outlines:
            found = outlines(self.store, level)
            with self.caches.lock:
                self.caches.outlines[key] = found
        return self.caches.outlines[key]


@dataclass(frozen=True)
class PinnedStore(Store):
    """A store whose reads all share one read-only connection, opened on first use and closed
    by ``close()``: a page makes a dozen library reads, and opening the file for each costs more
    than the queries. The app makes one per request; nothing outlives the request."""

    held: dict[str, Any] = field(default_factory=dict, compare=False)

    @contextmanager
    def read(self) -> Iterator[Any]:
        if "connection" not in self.held:
            stack = ExitStack()
            patience = self.held.get("patience")
            timeout = self.timeout if patience is None else patience
            self.held["connection"] = stack.enter_context(Store(self.path, timeout).read())
            self.held["stack"] = stack
        yield self.held["connection"]

    def close(self) -> None:
        stack = self.held.pop("stack", None)
        self.held.clear()
        if stack is not None:
            stack.close()
