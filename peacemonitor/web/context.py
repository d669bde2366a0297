"""What a page builder gets: the store (read-only use), the registry (cached per load) and the
request's filters. Built per request by the app; no global state."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    size: int = 512

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, or its answer from an earlier call with the same key (LRU)."""
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        value = compute()
        with self.lock:
            self.pages[key] = value
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)
        return value


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

    def cached(self, name: str, compute: Callable[[], Any], *key: Any) -> Any:
        """A page's data for these filters, recomputed only when the store changed."""
        filters = self.filters.model_dump_json(exclude={"lang"})
        version = store_version(self.store.path)
        return self.caches.remember((name, filters, version, *key), compute)

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
