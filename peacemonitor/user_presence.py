"""`peacemonitor import presence FILE`: a user's own table of where groups are.

A CSV (comma, semicolon or tab separated, UTF-8) with a header naming these columns, in any
order and case: ``actor`` (registry id, name or alias), ``territory`` (a DIVIPOLA code, a
department or municipality name, or "Municipality, Department"; an optional ``department``
column narrows a municipality name), ``from`` and ``to`` (YYYY, YYYY-MM or YYYY-MM-DD; blank
for an open end) and ``source``. Every row is stored in ``user_presence`` or quarantined with a
reason (``user_presence_quarantine``); the file is one transaction, and importing it again
stores nothing new — rows that now resolve (an alias added to the registry) are stored then.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacemonitor.errors import NotFound, PeacemonitorError
from peacemonitor.model import PartialDate
from peacemonitor.names import normalize_name
from peacemonitor.presence import resolve_actor, resolve_territory
from peacemonitor.registry import Registry
from peacemonitor.store import Store

if TYPE_CHECKING:
    import duckdb

    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.importers.framework.report import ImportReport

SOURCE = "presence"
LAYOUT = "presence-table"
COLUMNS = {
    "actor": ("actor", "actor id", "actor_id", "group", "grupo", "actor name"),
    "territory": ("territory", "territory code", "code", "divipola", "municipality", "municipio"),
    "department": ("department", "departamento"),
    "from": ("from", "first", "since", "desde", "start"),
    "to": ("to", "last", "until", "hasta", "end"),
    "source": ("source", "fuente"),
}
REQUIRED = ("actor", "territory", "source")


class PresenceFileInvalid(PeacemonitorError):
    """A presence table that cannot be read at all (no header, missing columns)."""


@dataclass(frozen=True)
class Row:
    """One data row: stored as ``values`` or quarantined with ``reason`` in ``column``."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] | None = None
    reason: str | None = None
    column: str | None = None
    detail: str | None = None


def import_presence(
    store: Store, registry: Registry, gazetteer: Gazetteer, path: Path
) -> ImportReport:
    """Store every row of ``path`` or quarantine it; the report accounts for each row."""
    started = time.monotonic()
    data = _read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    header, body = _table(path, data)
    fields = _fields(path, header)
    rows = [_row(registry, gazetteer, fields, number, cells) for number, cells in body]
    with store.write() as db:
        report = _write(db, path, sha, rows)
        report.seconds = round(time.monotonic() - started, 3)
        _record(db, report)
    return report


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PresenceFileInvalid(f"{path}: cannot read the file: {error.strerror}") from None


def _table(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the numbered rows (file row numbers, header = 1)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PresenceFileInvalid(f"{path}: not UTF-8 text; save the table as UTF-8 CSV") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    if not lines:
        raise PresenceFileInvalid(f"{path}: empty file; expected a header row")
    return lines[0], [(index + 2, cells) for index, cells in enumerate(lines[1:])]


def _fields(path: Path, header: list[str]) -> dict[str, int]:
    """Canonical column → its index in the header; a named error when a required one lacks."""
    keys = [normalize_name(name).replace(" ", "_") for name in header]
    fields = {}
    for field, names in COLUMNS.items():
        for name in names:
            key = normalize_name(name).replace(" ", "_")
            if key in keys:
                fields[field] = keys.index(key)
                break
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise PresenceFileInvalid(
            f"{path}, row 1: missing column(s) {', '.join(missing)}; the header needs actor, "
            "territory, from, to and source"
        )
    return fields


def _row(
    registry: Registry,
    gazetteer: Gazetteer,
    fields: dict[str, int],
    number: int,
    cells: list[str],
) -> Row:
    """Resolve one row, or say why it cannot be stored."""
    raw = {f: (cells[i].strip() if i < len(cells) else "") for f, i in fields.items()}
    if not any(raw.values()):
        return Row(number, raw, reason="blank")
    for field in REQUIRED:
        if not raw[field]:
            return Row(number, raw, reason="missing-value", column=field, detail="empty cell")
    try:
        actor = resolve_actor(registry, raw["actor"]).id
    except NotFound as error:
        return Row(number, raw, reason="unknown-actor", column="actor", detail=str(error))
    place = resolve_territory(gazetteer, raw["territory"], raw.get("department", ""))
    if isinstance(place, str):
        return Row(number, raw, reason="unresolved-territory", column="territory", detail=place)
    dates = _dates(raw.get("from", ""), raw.get("to", ""))
    if isinstance(dates, Row):
        return Row(number, raw, reason=dates.reason, column=dates.column, detail=dates.detail)
    values = {"actor_id": actor, "level": place[0], "code": place[1], "dates": dates}
    return Row(number, raw, values=values)


def _dates(first: str, last: str) -> tuple[dt.date | None, dt.date | None] | Row:
    """(first day, last day) of the period; a Row carrying the reason when a date is bad."""
    parsed: list[dt.date | None] = []
    for column, text, edge in (("from", first, "first"), ("to", last, "last")):
        if not text:
            parsed.append(None)
            continue
        try:
            parsed.append(getattr(PartialDate.parse(text), edge))
        except ValueError as error:
            return Row(0, {}, reason="bad-date", column=column, detail=str(error))
    if parsed[0] and parsed[1] and parsed[0] > parsed[1]:
        return Row(0, {}, reason="dates-reversed", column="to", detail=f"{last} is before {first}")
    return parsed[0], parsed[1]


# --- writing -----------------------------------------------------------------------------------


def _write(db: duckdb.DuckDBPyConnection, path: Path, sha: str, rows: list[Row]) -> ImportReport:
    from peacemonitor.importers.framework.report import ImportReport

    import_id = db.execute("SELECT nextval('import_ids')").fetchone()[0]  # type: ignore[index]
    present = _known(db, "SELECT record_id FROM user_presence WHERE record_id LIKE $p", sha)
    db.execute("DELETE FROM user_presence_quarantine WHERE file_sha256 = ?", [sha])
    report = ImportReport(
        import_id=import_id, source=SOURCE, file=path.name, sha256=sha, layout=LAYOUT, rows_read=0
    )
    non_data: Counter[str] = Counter()
    quarantined: Counter[str] = Counter()
    for row in rows:
        report.rows_read += 1
        record_id = f"{sha}:{row.number}"
        if row.reason == "blank":
            non_data["blank"] += 1
        elif row.values is None:
            quarantined[row.reason or "invalid"] += 1
            _quarantine(db, import_id, path, sha, record_id, row)
        elif record_id in present:
            report.rows_already_present += 1
        else:
            _store(db, import_id, path, record_id, row)
            report.rows_stored += 1
    report.rows_non_data, report.rows_quarantined = dict(non_data), dict(quarantined)
    return report


def _known(db: duckdb.DuckDBPyConnection, sql: str, sha: str) -> set[str]:
    return {r[0] for r in db.execute(sql, {"p": f"{sha}:%"}).fetchall()}


def _store(
    db: duckdb.DuckDBPyConnection, import_id: int, path: Path, record_id: str, row: Row
) -> None:
    assert row.values is not None
    first, last = row.values["dates"]
    db.execute(
        "INSERT INTO user_presence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            record_id,
            path.name,
            row.number,
            row.values["actor_id"],
            row.raw["actor"],
            row.values["level"],
            row.values["code"],
            row.raw["territory"],
            first,
            last,
            row.raw["source"],
        ],
    )


def _quarantine(
    db: duckdb.DuckDBPyConnection, import_id: int, path: Path, sha: str, record_id: str, row: Row
) -> None:
    db.execute(
        "INSERT INTO user_presence_quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            record_id,
            path.name,
            sha,
            row.number,
            row.reason,
            row.column,
            row.detail,
            json.dumps(row.raw, ensure_ascii=False),
        ],
    )


def _record(db: duckdb.DuckDBPyConnection, report: ImportReport) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    db.execute(
        "INSERT INTO imports (import_id, source, kind, layout, file_name, file_sha256, "
        "started_at, finished_at, seconds, rows_read, rows_non_data, rows_stored, "
        "rows_already_present, rows_quarantined, observations_stored, totals, coverage) "
        "VALUES (?, ?, 'file', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '[]', '[]')",
        [
            report.import_id,
            report.source,
            report.layout,
            report.file,
            report.sha256,
            now,
            now,
            report.seconds,
            report.rows_read,
            json.dumps(report.rows_non_data),
            report.rows_stored,
            report.rows_already_present,
            json.dumps(report.rows_quarantined),
        ],
    )
