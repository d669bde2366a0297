"""Re-published files: the same content in other bytes, and new releases of covered periods.

Sources whose rows carry no ids of their own (the Police files, the massacre and leader lists)
identify a row by its file's checksum and its row number. Left at that, a file saved again with
other line endings, another encoding or as a re-saved workbook would be stored beside the first,
and a publisher's re-issue of a year (the Police revise whole years) would double that year,
without a word. So, inside the import's transaction, after its rows went in:

- its *content fingerprint* — a hash of the observations it parsed, whatever the bytes — is
  compared with the stored files' of the source: equal content is already present;
- its *coverage* — per category and unit, the whole months from its first to its last
  observation, in the departments (or countries) it holds — is compared with the observations
  other files of the source stored there. An overlap is refused, naming the stored file and
  when it was imported, unless the user asked to revise: then those observations are replaced by
  this file's in the same transaction, and the replaced counts are reported by year.

These are functions of a connection inside that transaction; the import run raises and reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# What an observation says, without where it came from (file, row, import): two files with the
# same parsed content give the same fingerprint whatever their bytes.
_CONTENT = (
    "category, unit, count, date_first, date_precision, territory_level, territory_code, part, "
    "coalesce(attributes::VARCHAR, ''), coalesce(sensitive::VARCHAR, '')"
)
_FINGERPRINT_SQL = f"""
SELECT sha256(string_agg(line, chr(10) ORDER BY line))
FROM (SELECT concat_ws('|', {_CONTENT}) AS line FROM observations WHERE import_id = $id)
"""
_AREA = (
    "CASE territory_level WHEN 'country' THEN territory_code ELSE substr(territory_code, 1, 2) END"
)
_MINE_SQL = f"""
CREATE OR REPLACE TEMP TABLE republished_mine AS
SELECT category, unit, date_trunc('month', min(date_first))::DATE AS first,
       last_day(max(date_first)) AS last, list(DISTINCT {_AREA}) AS areas
FROM observations WHERE import_id = $id GROUP BY category, unit
"""
_OVERLAP_SQL = f"""
CREATE OR REPLACE TEMP TABLE republished_overlap AS
SELECT o.rowid AS rid, o.import_id, o.category, o.unit, o.date_first
FROM observations o JOIN republished_mine m
  ON o.category = m.category AND o.unit = m.unit AND o.date_first BETWEEN m.first AND m.last
 AND list_contains(m.areas, {_AREA.replace("territory_", "o.territory_")})
WHERE o.source = $source AND o.import_id IS DISTINCT FROM $id
"""
_SUMMARY_SQL = """
SELECT v.import_id, i.file_name, i.started_at, v.category, v.unit,
       min(v.date_first), max(v.date_first), count(*)
FROM republished_overlap v LEFT JOIN imports i ON i.import_id = v.import_id
GROUP BY ALL ORDER BY v.import_id, v.category, v.unit
"""


@dataclass(frozen=True)
class StoredFile:
    """An earlier import, as a user recognises it: the file's name and when it came in."""

    import_id: int | None
    file: str
    imported_at: dt.datetime | None

    def describe(self) -> str:
        when = f", imported {self.imported_at:%Y-%m-%d %H:%M}" if self.imported_at else ""
        return f"{self.file}{when}"


@dataclass(frozen=True)
class Overlap:
    """Observations a stored file holds inside this file's coverage."""

    stored: StoredFile
    category: str
    unit: str
    first: dt.date
    last: dt.date
    observations: int

    def describe(self) -> str:
        return (
            f"{self.stored.describe()}: {self.observations:,} {self.category} {self.unit} "
            f"observations from {self.first:%Y-%m} to {self.last:%Y-%m}"
        )


@dataclass
class Supersession:
    """What this import replaced of one earlier file, by year."""

    stored: StoredFile
    periods: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": self.stored.import_id,
            "file": self.stored.file,
            "imported_at": self.stored.imported_at.isoformat() if self.stored.imported_at else None,
            "periods": self.periods,
        }


def fingerprint(db: duckdb.DuckDBPyConnection, import_id: int) -> str | None:
    """The content fingerprint of what an import stored; None when it stored nothing."""
    row = db.execute(_FINGERPRINT_SQL, {"id": import_id}).fetchone()
    return row[0] if row else None


def same_content(
    db: duckdb.DuckDBPyConnection, source: str, import_id: int, content: str
) -> StoredFile | None:
    """An earlier file of the source whose stored content is this one's, if any."""
    row = db.execute(
        "SELECT import_id, file_name, started_at FROM imports WHERE source = $source "
        "AND content_sha256 = $content AND import_id <> $id AND EXISTS (SELECT 1 FROM "
        "observations o WHERE o.import_id = imports.import_id) ORDER BY import_id LIMIT 1",
        {"source": source, "content": content, "id": import_id},
    ).fetchone()
    return StoredFile(*row) if row else None


def withdraw(db: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Take out what this import stored and held: its content is stored already."""
    db.execute("DELETE FROM observations WHERE import_id = ?", [import_id])
    db.execute("DELETE FROM quarantine WHERE import_id = ?", [import_id])


def overlaps(db: duckdb.DuckDBPyConnection, source: str, import_id: int) -> list[Overlap]:
    """What other files of the source stored inside this import's coverage (kept in a temp
    table for ``replace``)."""
    db.execute(_MINE_SQL, {"id": import_id})
    db.execute(_OVERLAP_SQL, {"id": import_id, "source": source})
    return [
        Overlap(StoredFile(imp, name or "(unknown file)", when), cat, unit, first, last, n)
        for imp, name, when, cat, unit, first, last, n in db.execute(_SUMMARY_SQL).fetchall()
    ]


def replace(db: duckdb.DuckDBPyConnection, found: list[Overlap]) -> list[Supersession]:
    """Delete the overlapped observations ``overlaps`` found; what went, by file and year."""
    by_file: dict[int | None, Supersession] = {}
    for overlap in found:
        by_file.setdefault(overlap.stored.import_id, Supersession(overlap.stored))
    rows = db.execute(
        "SELECT import_id, CAST(year(date_first) AS VARCHAR), count(*) FROM republished_overlap "
        "GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    for import_id, year, n in rows:
        by_file[import_id].periods[year] = int(n)
    db.execute("DELETE FROM observations WHERE rowid IN (SELECT rid FROM republished_overlap)")
    return list(by_file.values())


def replaced_count(supersessions: list[Supersession]) -> int:
    return sum(sum(s.periods.values()) for s in supersessions)
