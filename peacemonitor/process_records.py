"""Imported process records (PA-X agreements, ETH/PRIO ceasefires) as a user sees them, and their
links to the registry kept true when the registry changes.

An import links each record to the registry the store holds at that moment. A registry loaded
later — or corrected — would leave those links stale (or saying "no registry in the store"), so
``relink`` recomputes them from the stored records through the importers' own code path
(``importers.party_links.link_agreement``/``link_ceasefire``), and ``save_registry`` — the one
call a registry load makes, from the CLI now and the API later — runs it after every save.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from peacemonitor.importers.party_links import (
    Linked,
    RegistryView,
    clean,
    link_agreement,
    link_ceasefire,
)
from peacemonitor.model import PartialDate, PDate, Precision
from peacemonitor.names import normalize_name

if TYPE_CHECKING:
    import duckdb

    from peacemonitor.registry import Registry
    from peacemonitor.store import Store

LinkKind = Literal["actor", "table", "agreement", "ceasefire"]


class Evidence(BaseModel):
    """Why an actor link was made: the words of a column that matched a registry name."""

    column: str = Field(description="the record's column, e.g. PA-X Part or Agt")
    text: str = Field(description="the words that matched, with a little context")
    name: str = Field(description="the registry name or alias they matched")


class Link(BaseModel):
    """One comparison of a record with the registry: the registry id it matched, or why none."""

    kind: LinkKind = Field(description="what was compared: actor, table, agreement, ceasefire")
    id: str | None = Field(description="the registry record linked; null when none is")
    reason: str | None = Field(description="why nothing is linked (null when something is)")
    detail: str = Field(description="what was compared, e.g. dates and parties")
    evidence: Evidence | None = Field(
        default=None, description="for an actor: the words that named it (null otherwise)"
    )


class ImportedAgreement(BaseModel):
    """A PA-X agreement as imported, with its registry actors and links."""

    source: str
    record_id: str = Field(description="PA-X AgtId")
    country: str | None = Field(description="PA-X Con as published, e.g. Colombia/Venezuela")
    date: PDate = Field(description="signature date (PA-X Dat)")
    title: str | None
    process: str | None = Field(description="PA-X PPName")
    stage: str | None = Field(description="PA-X Stage: Pre, SubPar, SubComp, Imp, Ren, Cea …")
    status: str | None
    parties: str | None = Field(description="PA-X Part, free text as published")
    actor_ids: list[str] = Field(description="registry actors the parties text or title names")
    links: list[Link]
    import_id: int | None = Field(description="the import that stored the record")


class ImportedCeasefire(BaseModel):
    """An ETH/PRIO ceasefire declaration as imported, with its registry actor and links."""

    source: str
    record_id: str = Field(description="location:id:name:ucdp_dyad (the file has no row id)")
    country: str | None = Field(description="ETH/PRIO location")
    ceasefire_number: str | None = Field(description="the ceasefire's number in its country")
    declared_by: str | None = Field(description="the declaring actor, as published")
    date: PDate = Field(description="start")
    date_end: PDate | None = Field(description="null: the shared file gives no end dates")
    ucdp_dyad: str | None
    masked: list[str] = Field(description="columns the file masks: stored as null, never guessed")
    actor_ids: list[str]
    links: list[Link]
    import_id: int | None = Field(description="the import that stored the record")


class RelinkReport(BaseModel):
    """What a relink did: records seen, records whose actors or links changed, records linked
    (to a table, agreement or ceasefire) before and after."""

    records: int = 0
    changed: int = 0
    linked: int = 0
    linked_before: int = 0


class SavedRegistry(BaseModel):
    """A registry load: records saved, and the relink of imported records that followed."""

    records: int
    relink: RelinkReport


# --- listing ---------------------------------------------------------------------------------

_AGREEMENT_SQL = (
    "SELECT source, record_id, country, date_first, date_precision, title, process, stage, "
    "status, parties_raw, actor_ids, links, import_id FROM imported_agreements "
    "ORDER BY date_first, record_id"
)
_CEASEFIRE_SQL = (
    "SELECT source, record_id, country, ceasefire_number, declared_by_raw, date_first, "
    "date_precision, date_end, ucdp_dyad, masked, actor_ids, links, import_id "
    "FROM imported_ceasefires ORDER BY date_first, record_id"
)


def imported_agreements(
    store: Store, *, country: str | None = None, linked: bool | None = None
) -> list[ImportedAgreement]:
    """Imported agreements by date; ``country`` keeps those whose country names it (PA-X lists
    several as "Colombia/Venezuela"), ``linked`` those with (True) or without (False) a link."""
    with store.read() as db:
        rows = _rows(db, _AGREEMENT_SQL)
    records = [_agreement(r) for r in rows]
    return [r for r in records if _wanted(r.country, r.links, country, linked)]


def imported_ceasefires(
    store: Store, *, country: str | None = None, linked: bool | None = None
) -> list[ImportedCeasefire]:
    """Imported ceasefire declarations by date, filtered as ``imported_agreements``."""
    with store.read() as db:
        rows = _rows(db, _CEASEFIRE_SQL)
    records = [_ceasefire(r) for r in rows]
    return [r for r in records if _wanted(r.country, r.links, country, linked)]


def is_linked(links: Sequence[Link] | Sequence[dict[str, Any]]) -> bool:
    """Linked means to a registry table, agreement or ceasefire: naming a registry actor alone
    says who, not which process the record belongs to."""
    for entry in links:
        data = entry.model_dump() if isinstance(entry, Link) else entry
        if data["kind"] != "actor" and data["id"]:
            return True
    return False


def _rows(db: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _wanted(
    record_country: str | None, links: list[Link], country: str | None, linked: bool | None
) -> bool:
    if country is not None and not _names_country(record_country, country):
        return False
    return linked is None or is_linked(links) == linked


def _names_country(record_country: str | None, wanted: str) -> bool:
    parts = (record_country or "").split("/")
    return normalize_name(wanted) in {normalize_name(p) for p in parts}


def _date(day: dt.date | None, precision: str | None) -> PartialDate | None:
    if day is None:
        return None
    return PartialDate(day.year, day.month, day.day, Precision(precision or Precision.DAY))


def _links(text: str | None) -> list[Link]:
    return [Link.model_validate(entry) for entry in json.loads(text or "[]")]


def _agreement(row: dict[str, Any]) -> ImportedAgreement:
    return ImportedAgreement(
        source=row["source"],
        record_id=row["record_id"],
        country=row["country"],
        date=_date(row["date_first"], row["date_precision"]),
        title=row["title"],
        process=row["process"],
        stage=row["stage"],
        status=row["status"],
        parties=clean(row["parties_raw"]),
        actor_ids=row["actor_ids"] or [],
        links=_links(row["links"]),
        import_id=row["import_id"],
    )


def _ceasefire(row: dict[str, Any]) -> ImportedCeasefire:
    return ImportedCeasefire(
        source=row["source"],
        record_id=row["record_id"],
        country=row["country"],
        ceasefire_number=row["ceasefire_number"],
        declared_by=row["declared_by_raw"],
        date=_date(row["date_first"], row["date_precision"]),
        date_end=_date(row["date_end"], row["date_precision"]),
        ucdp_dyad=row["ucdp_dyad"],
        masked=row["masked"] or [],
        actor_ids=row["actor_ids"] or [],
        links=_links(row["links"]),
        import_id=row["import_id"],
    )


# --- relinking -------------------------------------------------------------------------------

Relinker = Callable[[RegistryView, dict[str, Any]], Linked]


def _relink_agreement(view: RegistryView, row: dict[str, Any]) -> Linked:
    parties = clean(row["parties_raw"])
    return link_agreement(
        view, parties, row["title"], row["date_first"], row["stage"], row["record_id"]
    )


def _relink_ceasefire(view: RegistryView, row: dict[str, Any]) -> Linked:
    return link_ceasefire(view, row["declared_by_raw"], row["date_first"], row["record_id"])


# table → (the stored columns its links are computed from, how)
RELINKERS: dict[str, tuple[str, Relinker]] = {
    "imported_agreements": ("parties_raw, title, date_first, stage", _relink_agreement),
    "imported_ceasefires": ("declared_by_raw, date_first", _relink_ceasefire),
}


def relink(store: Store) -> RelinkReport:
    """Recompute every imported record's actors and links from the registry the store holds now,
    in one write transaction; only records whose actors or links change are rewritten."""
    if not _count_records(store):
        return RelinkReport()
    view = RegistryView.from_store(store)  # read before the write opens, as an import does
    report = RelinkReport()
    with store.write() as db:
        for table in RELINKERS:
            _relink_table(db, table, view, report)
    return report


def _count_records(store: Store) -> int:
    with store.read() as db:
        total = 0
        for table in RELINKERS:
            row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
            total += int(row[0]) if row else 0
    return total


def _relink_table(
    db: duckdb.DuckDBPyConnection, table: str, view: RegistryView, report: RelinkReport
) -> None:
    columns, compute = RELINKERS[table]
    rows = _rows(db, f"SELECT source, record_id, actor_ids, links, {columns} FROM {table}")
    changed: list[tuple[str, str, Linked]] = []
    for row in rows:
        before = json.loads(row["links"] or "[]")
        now = compute(view, row)
        report.records += 1
        report.linked_before += is_linked(before)
        report.linked += is_linked(now.links)
        if now.links != before or now.actor_ids != (row["actor_ids"] or []):
            changed.append((row["source"], row["record_id"], now))
    report.changed += len(changed)
    if changed:
        _update(db, table, changed)


def _update(
    db: duckdb.DuckDBPyConnection, table: str, changed: list[tuple[str, str, Linked]]
) -> None:
    """One UPDATE per table from an Arrow batch of the changed records."""
    import pyarrow as pa

    batch = pa.table(
        {
            "source": pa.array([c[0] for c in changed], pa.string()),
            "record_id": pa.array([c[1] for c in changed], pa.string()),
            "actor_ids": pa.array([c[2].actor_ids for c in changed], pa.list_(pa.string())),
            "links": pa.array(
                [json.dumps(c[2].links, ensure_ascii=False) for c in changed], pa.string()
            ),
        }
    )
    db.register("relinked", batch)
    try:
        db.execute(
            f"UPDATE {table} AS t SET actor_ids = r.actor_ids, links = r.links::JSON "
            "FROM relinked r WHERE t.source = r.source AND t.record_id = r.record_id"
        )
    finally:
        db.unregister("relinked")


def save_registry(registry: Registry, store: Store, directory: Path) -> SavedRegistry:
    """Replace the store's registry and relink the imported records to it: what a registry load
    does, so no caller can save a registry and leave the records' links behind."""
    from peacemonitor.registry import save

    records = save(registry, store, directory)
    return SavedRegistry(records=records, relink=relink(store))


__all__: Sequence[str] = (
    "ImportedAgreement",
    "ImportedCeasefire",
    "Link",
    "RelinkReport",
    "SavedRegistry",
    "imported_agreements",
    "imported_ceasefires",
    "is_linked",
    "relink",
    "save_registry",
)
