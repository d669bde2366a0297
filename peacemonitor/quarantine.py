"""The quarantine: listing held rows (sensitive cells redacted) and retrying them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from peacemonitor.importers.framework.context import ImportContext, Importer, QuarantineRow
from peacemonitor.importers.framework.items import Item, RowsRead
from peacemonitor.importers.framework.places import PlaceCache, Resolver
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.runner import Run, get_importer, points_loaded
from peacemonitor.store import Store

REDACTED = "<redacted: sensitive>"


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
        importer = get_importer(group_source, rows[0].layout)
        points = importer.uses_points and points_loaded(resolver)
        importer.prepare(store)
        ctx = ImportContext(Path(name), sha, PlaceCache(resolver, points))
        with store.write() as db:
            run = Run(db, group_source, ctx, kind="retry", expected=[r.row for r in rows])
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
