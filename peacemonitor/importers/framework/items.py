"""What an importer yields for one file, item by item; the framework counts where every row went."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_BATCH_ROWS = 50_000


class RowKind(StrEnum):
    """Rows of a file that are not data, by kind."""

    TITLE = "title"
    HEADER = "header"
    TOTAL = "total"
    FOOTNOTE = "footnote"
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class Layout:
    """The layout an importer recognised from the header (never from the file name).

    ``source`` files the rows under another source name when one importer reads two kinds of
    data that must never be summed together (ACLED events and ACLED's HDX monthly aggregates).
    """

    name: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class NonData:
    row: int
    kind: RowKind


@dataclass(slots=True)
class Quarantined:
    """A row that could not be stored, kept with its raw values so `quarantine retry` can
    revisit it. ``counts`` (part → count) lets the TOTAL check include it; ``record_id`` is the
    identity the row would have, so a row stored meanwhile is not quarantined twice."""

    row: int
    reason: str
    column: str | None
    raw: dict[str, Any]
    detail: str = ""
    record_id: str | None = None
    counts: dict[str, float] = field(default_factory=dict)
    sensitive_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclaredTotal:
    """A total the file states about itself; ``part`` limits it to one wide column (a year)."""

    row: int
    column: str
    value: float
    part: str | None = None


@dataclass(frozen=True, slots=True)
class RowsRead:
    """The last item: how many rows the file has, counted by the importer's reader."""

    rows: int


PROCESS_TABLES = ("imported_agreements", "imported_ceasefires")


@dataclass(frozen=True, slots=True)
class Records:
    """Process records (not observations) for one of ``PROCESS_TABLES``: an Arrow table with
    ``row_number``, ``record_id`` and the table's other columns. Identity is (source,
    record_id), checked like observations'."""

    table: str
    batch: Any  # a pyarrow Table


@dataclass(frozen=True, slots=True)
class QuarantineBatch:
    """Many quarantined rows at once, for importers that work in Arrow batches: columns
    ``row_number``, ``record_id``, ``reason``, ``column_name``, ``detail``, ``raw`` (a struct,
    stored as JSON) and ``sensitive_columns`` (list of raw keys redacted in listings). Such rows
    carry no counts: their sources have no TOTAL rows."""

    batch: Any  # a pyarrow Table


Item: TypeAlias = (
    "Layout | NonData | Quarantined | QuarantineBatch | DeclaredTotal | RowsRead | Records "
    "| pa.Table"
)
"""One item an importer yields; a pyarrow Table is a batch of observations (``BatchBuilder``)."""


def jsonable(value: Any) -> Any:
    """Raw cell values as JSON: dates as ISO text, NaN as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
