"""What was fetched when, where incremental syncs stand, and records publishers withdrew.

Every fetch command records each file it produced in the store's ``fetches`` table (source,
dataset, the URL without credentials, time, sha256, bytes, rows): ACLED's attribution needs the
access date, and a user can always tell which release a figure came from. The hand-over of
fetched files to the importers is ``handover``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from peacemonitor.fetch import public_url
from peacemonitor.store import Store


class FetchRecord(BaseModel):
    """One file a fetch command produced (or one API answer it applied)."""

    fetch_id: int | None = None
    source: str
    dataset: str
    url: str
    fetched_at: dt.datetime
    file_name: str | None = None
    sha256: str | None = None
    bytes: int | None = None
    rows: int | None = None
    detail: dict[str, Any] = {}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def record(store: Store, records: Iterable[FetchRecord]) -> list[FetchRecord]:
    """Store ``records`` (URLs stripped of credentials); return them with their ids."""
    saved = []
    with store.write() as db:
        for item in records:
            (fetch_id,) = db.execute("SELECT nextval('fetch_ids')").fetchone() or (0,)
            clean = item.model_copy(update={"fetch_id": fetch_id, "url": public_url(item.url)})
            db.execute(
                "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    clean.fetch_id,
                    clean.source,
                    clean.dataset,
                    clean.url,
                    clean.fetched_at,
                    clean.file_name,
                    clean.sha256,
                    clean.bytes,
                    clean.rows,
                    json.dumps(clean.detail, ensure_ascii=False),
                ],
            )
            saved.append(clean)
    return saved


def list_fetches(store: Store, source: str | None = None) -> list[FetchRecord]:
    """Every recorded fetch, oldest first (optionally of one source)."""
    sql = "SELECT * FROM fetches" + (" WHERE source = ?" if source else "") + " ORDER BY fetch_id"
    with store.read() as db:
        cursor = db.execute(sql, [source] if source else [])
        names = [d[0] for d in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [FetchRecord(**(row | {"detail": json.loads(row["detail"] or "{}")})) for row in found]


@dataclass(frozen=True)
class SyncState:
    """Where the incremental sync of a source (for one scope, e.g. a country) stands."""

    source: str
    scope: str
    last_timestamp: int | None = None
    last_deleted_timestamp: int | None = None
    synced_at: dt.datetime | None = None


def sync_state(store: Store, source: str, scope: str) -> SyncState:
    with store.read() as db:
        row = db.execute(
            "SELECT last_timestamp, last_deleted_timestamp, synced_at FROM sync_state "
            "WHERE source = ? AND scope = ?",
            [source, scope],
        ).fetchone()
    return SyncState(source, scope, *row) if row else SyncState(source, scope)


def save_sync_state(store: Store, state: SyncState) -> None:
    with store.write() as db:
        db.execute(
            "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?, ?)",
            [
                state.source,
                state.scope,
                state.last_timestamp,
                state.last_deleted_timestamp,
                state.synced_at or now(),
            ],
        )


def withdraw(store: Store, source: str, deleted: dict[str, int | None]) -> int:
    """Remove the records a publisher withdrew (id → its deletion timestamp); held rows of them
    leave the quarantine too. Each withdrawal is recorded. Returns the records removed."""
    removed = 0
    stamp = now()
    with store.write() as db:
        for record_id, when in deleted.items():
            (count,) = db.execute(
                "SELECT count(*) FROM observations WHERE source = ? AND record_id = ?",
                [source, record_id],
            ).fetchone() or (0,)
            if not count:
                continue
            db.execute(
                "DELETE FROM observations WHERE source = ? AND record_id = ?", [source, record_id]
            )
            db.execute(
                "UPDATE quarantine SET resolved_at = ? WHERE source = ? AND record_id = ? "
                "AND resolved_at IS NULL",
                [stamp, source, record_id],
            )
            db.execute(
                "INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?)",
                [source, record_id, when, stamp, count],
            )
            removed += 1
    return removed


def count_csv_rows(path: Path, encoding: str = "utf-8-sig") -> int:
    """Data records of a CSV file (its header excluded; quoted newlines are one record)."""
    import csv

    with path.open(newline="", encoding=encoding) as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
