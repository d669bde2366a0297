"""Importing aggregate tables: one mapping over files, under a source no indicator would add to
another's.

The table importer (``importers.aggregates``) only reads; this module checks, before anything
is written, that the source a mapping names is the table's own — not an event-level importer's,
and not one that holds the same category at another level or precision, which an indicator
would add up — and then runs the import (``runner.import_files``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from peacemonitor.errors import PeacemonitorError
from peacemonitor.importers import IMPORTERS
from peacemonitor.importers.aggregates import TABLE_LAYOUT, TableImporter, TableMapping
from peacemonitor.importers.framework.errors import ImportFailed
from peacemonitor.importers.framework.places import Resolver
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.runner import import_files
from peacemonitor.store import Store


class TableSourceConflict(PeacemonitorError):
    """The source named for a table would be summed with events or another aggregate."""


def import_table(
    store: Store,
    paths: Sequence[Path],
    mapping: TableMapping,
    resolver: Resolver,
    *,
    revise: bool = False,
) -> list[ImportReport | ImportFailed]:
    """Import tables with one mapping, each file atomic (see ``runner.import_files``)."""
    check_source(store, mapping)
    return import_files(
        store, TABLE_LAYOUT, paths, resolver, importer=TableImporter(mapping), revise=revise
    )


def check_source(store: Store, mapping: TableMapping) -> None:
    """Refuse a source whose counts an indicator would add to this table's: an event-level
    source, or an aggregate of the same category at another level or precision."""
    if mapping.source in IMPORTERS or mapping.source == TABLE_LAYOUT:
        raise TableSourceConflict(
            f"source {mapping.source!r} is an event-level importer's: file the table under a "
            "source of its own (e.g. police-aggregates-municipality)"
        )
    with store.read() as db:
        events = db.execute(
            "SELECT count(*) FROM imports WHERE source = ? AND coalesce(layout, '') <> ?",
            [mapping.source, TABLE_LAYOUT],
        ).fetchall()[0][0]
        other = db.execute(
            "SELECT DISTINCT territory_level, date_precision FROM observations "
            "WHERE source = ? AND category = ? AND (territory_level <> ? OR date_precision <> ?)",
            [
                mapping.source,
                mapping.category.value,
                mapping.territory_level.value,
                mapping.date_precision.value,
            ],
        ).fetchall()
    if events:
        raise TableSourceConflict(
            f"source {mapping.source!r} holds rows of other importers: give the table its own"
        )
    if other:
        level, precision = other[0]
        raise TableSourceConflict(
            f"source {mapping.source!r} already holds {mapping.category.value} by {level} and "
            f"{precision}; this table is by {mapping.territory_level.value} and "
            f"{mapping.date_precision.value}: an indicator would add the two — use another source"
        )
